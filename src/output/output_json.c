/* JSON Lines rendering (-T json): one object per event with the text line's keys, in the same
 * order, written straight into the line buffer (compact, UTF-8). A key that comes twice
 * keeps its first place and takes its last value, as a JSON object read back would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/endpoint.h"
#include "base/fields.h"
#include "base/fnv.h"
#include "output/output.h"
#include "output/utf8.h"

struct jline {
    char *buf;
    size_t cap; /* room for the text, the newline excluded */
    size_t len;
    bool full;
};

static void jput(struct jline *j, const char *s, size_t n)
{
    if (j->full || n > j->cap - j->len) {
        j->full = true;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
}

/* Wire bytes copied as they are. */
static void jput_bytes(struct jline *j, struct cursor bytes)
{
    if (j->full || cur_len(bytes) > j->cap - j->len) {
        j->full = true;
        return;
    }
    cur_copy(bytes, (uint8_t *)j->buf + j->len);
    j->len += cur_len(bytes);
}

/* A string we made (keys, names, endpoints, times): the quote and the backslash escaped, and
 * any other byte outside printable ASCII as \u00XX. */
static void jstring(struct jline *j, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    jput(j, "\"", 1);
    for (; *s != '\0'; s++) {
        uint8_t c = (uint8_t)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            jput(j, esc, 2);
        } else if (c < 0x20 || c > 0x7e) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            jput(j, esc, 6);
        } else {
            jput(j, s, 1);
        }
    }
    jput(j, "\"", 1);
}

/* Bytes a JSON string holds as they are: printable ASCII but the quote and the backslash. */
static const bool json_plain[256] = {
    [' ' ... '!'] = true, ['#' ... '['] = true, [']' ... '~'] = true,
};

/* A control character (Unicode's Cc: C0, DEL, C1) as JSON escapes it, jansson's way. */
static void jcontrol(struct jline *j, uint32_t c)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char short_form[0x20] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                                          ['\r'] = 'r', ['\t'] = 't'};
    if (c < 0x20 && short_form[c] != 0) {
        char esc[2] = {'\\', short_form[c]};
        jput(j, esc, 2);
    } else {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
        jput(j, esc, 6);
    }
}

/* Wire bytes as the characters they carry: runs of plain ASCII in one copy (an ordinary
 * value is one run), the quote and the backslash escaped, control characters as JSON escapes,
 * well-formed UTF-8 as it is; only a byte that is not part of well-formed UTF-8 becomes the
 * four characters \xHH (written \\xHH), so every line is valid UTF-8. */
static void jwire(struct jline *j, struct cursor bytes)
{
    static const char hex[] = "0123456789abcdef";
    jput(j, "\"", 1);
    for (;;) {
        struct cursor run = cur_take_upto(&bytes, cur_span(bytes, json_plain));
        jput_bytes(j, run);
        uint32_t cp;
        size_t n = utf8_sequence(bytes, &cp);
        uint8_t c;
        if (n > 0) {
            struct cursor seq = cur_take_upto(&bytes, n);
            if (cp <= 0x9f) {
                jcontrol(j, cp);
            } else {
                jput_bytes(j, seq);
            }
        } else if (!cur_get_u8(&bytes, &c)) {
            break;
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            jput(j, esc, 2);
        } else if (c < 0x80) {
            jcontrol(j, c);
        } else {
            char esc[5] = {'\\', '\\', 'x', hex[c >> 4], hex[c & 0xf]};
            jput(j, esc, 5);
        }
    }
    jput(j, "\"", 1);
}

/* JSON integers are read back as signed 64-bit: larger values wrap as they always have. */
static void jint(struct jline *j, int64_t v)
{
    char digits[FIELDS_UINT_TEXT];
    if (v < 0) {
        jput(j, "-", 1);
        jput(j, digits, fields_format_uint((uint64_t)0 - (uint64_t)v, digits));
    } else {
        jput(j, digits, fields_format_uint((uint64_t)v, digits));
    }
}

/* A UINT list item is stored as its decimal text. */
static int64_t number_item(struct cursor item)
{
    char digits[24];
    struct cursor text = cur_take_upto(&item, sizeof(digits) - 1);
    size_t n = cur_len(text);
    cur_copy(text, (uint8_t *)digits);
    digits[n] = '\0';
    return (int64_t)strtoll(digits, NULL, 10);
}

static void jvalue(struct jline *j, const struct fields *f, const struct field *fd)
{
    static const char hex[] = "0123456789abcdef";
    switch (fd->type) {
    case FIELD_UINT:
        jint(j, (int64_t)fd->num);
        break;
    case FIELD_BOOL:
        jput(j, fd->num ? "true" : "false", fd->num ? 4 : 5);
        break;
    case FIELD_HEX: {
        struct cursor bytes = fields_value(f, fd);
        uint8_t c;
        jput(j, "\"", 1);
        while (cur_get_u8(&bytes, &c)) {
            char pair[2] = {hex[c >> 4], hex[c & 0xf]};
            jput(j, pair, 2);
        }
        jput(j, "\"", 1);
        break;
    }
    case FIELD_DECIMAL:
        jput_bytes(j, fields_value(f, fd));
        break;
    case FIELD_LIST: {
        struct cursor items = fields_value(f, fd);
        enum field_type type;
        struct cursor item;
        bool first = true;
        jput(j, "[", 1);
        while (fields_next_item(&items, &type, &item)) {
            if (!first) {
                jput(j, ",", 1);
            }
            first = false;
            if (type == FIELD_UINT) {
                jint(j, number_item(item));
            } else {
                jwire(j, item);
            }
        }
        jput(j, "]", 1);
        break;
    }
    case FIELD_TOKEN:
    case FIELD_STRING:
    case FIELD_NAME:
    default:
        jwire(j, fields_value(f, fd));
        break;
    }
}


/* The members of one line in order: the prefix's, then the fields shown at this verbosity. */
enum member_kind {
    M_TIME,
    M_CONN,
    M_CLIENT,
    M_DIR,
    M_SERVER,
    M_EVENT,
    M_MESSAGE,
    M_FIELD,
    M_OVERFLOW
};

struct member {
    const char *key;
    enum member_kind kind;
    const struct field *fd; /* M_FIELD: the value written (the last of a repeated key) */
};

#define MEMBERS_MAX (8 + FIELDS_MAX)
#define MEMBER_SLOTS 256 /* a power of two, above twice MEMBERS_MAX */

struct members {
    struct member m[MEMBERS_MAX];
    size_t n;
    uint8_t slot[MEMBER_SLOTS]; /* open addressing by key hash: 0 empty, else index + 1 */
};

static void add_member(struct members *ms, const char *key, enum member_kind kind,
                       const struct field *fd)
{
    size_t i = fnv1a32(FNV1A32_BASIS, key, strlen(key)) & (MEMBER_SLOTS - 1);
    for (; ms->slot[i] != 0; i = (i + 1) & (MEMBER_SLOTS - 1)) {
        struct member *seen = &ms->m[ms->slot[i] - 1];
        if (strcmp(seen->key, key) == 0) {
            seen->kind = kind; /* a repeated key: first place, last value */
            seen->fd = fd;
            return;
        }
    }
    ms->m[ms->n] = (struct member){key, kind, fd};
    ms->slot[i] = (uint8_t)++ms->n;
}

size_t out_json_line(const struct output_style *style, const char *time,
                     const struct event_prefix *p, const struct fields *f, char *buf, size_t cap)
{
    struct members ms;
    ms.n = 0;
    memset(ms.slot, 0, sizeof(ms.slot));
    /* JSON is for keeping and scripts (hsdump diff reads it back): always the -v detail;
     * -vv adds the undecoded bytes as in text. */
    int verbosity = style != NULL ? style->verbosity : 2;
    if (verbosity < 1) {
        verbosity = 1;
    }
    if (time[0] != '\0') {
        add_member(&ms, "time", M_TIME, NULL);
    }
    add_member(&ms, "conn", M_CONN, NULL);
    add_member(&ms, "client", M_CLIENT, NULL);
    add_member(&ms, "dir", M_DIR, NULL);
    add_member(&ms, "server", M_SERVER, NULL);
    add_member(&ms, "event", M_EVENT, NULL);
    if (f->name != NULL) {
        add_member(&ms, "message", M_MESSAGE, NULL);
    }
    for (size_t i = 0; i < f->n; i++) {
        if (f->f[i].level <= verbosity) {
            add_member(&ms, f->f[i].key, M_FIELD, &f->f[i]);
        }
    }
    if (f->overflow) {
        add_member(&ms, "fields_overflow", M_OVERFLOW, NULL);
    }

    char ep[ENDPOINT_STR_MAX];
    struct jline j = {buf, cap > 0 ? cap - 1 : 0, 0, false};
    jput(&j, "{", 1);
    for (size_t i = 0; i < ms.n; i++) {
        const struct member *m = &ms.m[i];
        if (i > 0) {
            jput(&j, ",", 1);
        }
        jstring(&j, m->key);
        jput(&j, ":", 1);
        switch (m->kind) {
        case M_TIME:
            jstring(&j, time);
            break;
        case M_CONN:
            jint(&j, (int64_t)p->conn_id);
            break;
        case M_CLIENT:
            jstring(&j, out_prefix_client(p, ep));
            break;
        case M_DIR:
            jstring(&j, p->d == DIR_C2S ? "c2s" : "s2c");
            break;
        case M_SERVER:
            jstring(&j, out_prefix_server(p, ep));
            break;
        case M_EVENT:
            jstring(&j, f->event);
            break;
        case M_MESSAGE:
            jstring(&j, f->name);
            break;
        case M_FIELD:
            jvalue(&j, f, m->fd);
            break;
        case M_OVERFLOW:
        default:
            jput(&j, "true", 4);
            break;
        }
    }
    jput(&j, "}", 1);
    if (j.full || cap == 0) {
        return 0; /* too long for the line buffer */
    }
    buf[j.len++] = '\n';
    return j.len;
}

size_t out_json_string(struct cursor value, char *buf, size_t cap)
{
    struct jline j = {buf, cap > 0 ? cap - 1 : 0, 0, false};
    jwire(&j, value);
    if (j.full || cap == 0) {
        return 0;
    }
    buf[j.len] = '\0';
    return j.len;
}

size_t out_json_value(const struct fields *f, const struct field *fd, char *buf, size_t cap)
{
    struct jline j = {buf, cap, 0, false};
    jvalue(&j, f, fd);
    return j.full ? 0 : j.len;
}
