/* The declared list of output keys, expanded from keys.def. */
#include "output/keys.h"

#include <stdbool.h>
#include <string.h>

#include "base/fields.h"

const struct key_info keys_table[] = {
#define KEY(name, type, events, meaning) {#name, KEY_##type, events, meaning},
#include "output/keys.def"
#undef KEY
};

const size_t keys_count = sizeof(keys_table) / sizeof(keys_table[0]);

const char *const keys_events[] = {
    "handshake", "change_cipher_spec", "alert",  "encrypted", "x509",
    "heartbeat", "desync",             "record", "partial",   "packet",
    "connection_close", "close", "held_dropped", NULL,
};

const char *const keys_report_events[] = {"report", "report_server", "report_client", NULL};

const char *keys_type_name(enum key_type type)
{
    static const char *const names[KEY_TYPE_COUNT] = {
        [KEY_TOKEN] = "token", [KEY_STRING] = "string", [KEY_HEX] = "hex",
        [KEY_UINT] = "uint",   [KEY_DECIMAL] = "decimal", [KEY_BOOL] = "bool",
        [KEY_LIST] = "list",   [KEY_UINTS] = "uint_list", [KEY_COUNTS] = "counts",
    };
    return (unsigned)type < KEY_TYPE_COUNT ? names[type] : "?";
}

const struct key_info *keys_find(const char *name)
{
    for (size_t i = 0; i < keys_count; i++) {
        if (strcmp(keys_table[i].name, name) == 0) {
            return &keys_table[i];
        }
    }
    return NULL;
}

void keys_print(FILE *fp)
{
    for (size_t i = 0; i < keys_count; i++) {
        const struct key_info *k = &keys_table[i];
        fprintf(fp, "%s\t%s\t%s\t%s\n", k->name, keys_type_name(k->type), k->events,
                k->meaning);
    }
}

static bool has_word(const char *words, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = words; (p = strstr(p, word)) != NULL; p += n) {
        if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
            return true;
        }
    }
    return false;
}

/* The JSON shape a field renders as (output_json.c): a string, integer, number, boolean,
 * array of strings or array of integers. */
static bool shape_matches(const struct fields *f, const struct field *fd, enum key_type want)
{
    switch (fd->type) {
    case FIELD_UINT:
        return want == KEY_UINT;
    case FIELD_BOOL:
        return want == KEY_BOOL;
    case FIELD_DECIMAL:
        return want == KEY_DECIMAL;
    case FIELD_LIST: {
        if (want != KEY_LIST && want != KEY_UINTS) {
            return false;
        }
        struct cursor items = fields_value(f, fd);
        enum field_type type;
        struct cursor item;
        while (fields_next_item(&items, &type, &item)) {
            if ((type == FIELD_UINT) != (want == KEY_UINTS)) {
                return false;
            }
        }
        return true;
    }
    case FIELD_TOKEN:
    case FIELD_STRING:
    case FIELD_HEX:
    case FIELD_NAME:
    default:
        return want == KEY_TOKEN || want == KEY_STRING || want == KEY_HEX;
    }
}

const char *keys_check(const struct fields *f, const struct field *fd)
{
    const struct key_info *k = keys_find(fd->key);
    if (k == NULL) {
        return "not declared in keys.def";
    }
    if (!has_word(k->events, "*") && !has_word(k->events, f->event)) {
        return "not declared for this event in keys.def";
    }
    if (!shape_matches(f, fd, k->type)) {
        return "of another type than keys.def declares";
    }
    return NULL;
}
