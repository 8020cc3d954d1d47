/* JSON Lines rendering (-T json): one object per event with the text line's keys, in the same
 * order. jansson (libjansson-dev) does the escaping and keeps insertion order. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "fields.h"
#include "output.h"

/* Wire bytes become a JSON string the way text shows them: printable ASCII as is, every other
 * byte as the four characters \xHH, so the result is valid UTF-8 whatever the wire held. */
static json_t *wire_string(struct cursor bytes)
{
    static const char hex[] = "0123456789abcdef";
    size_t cap = 4 * cur_len(bytes) + 1;
    char *s = malloc(cap);
    if (s == NULL) {
        return NULL;
    }
    size_t n = 0;
    uint8_t c;
    while (cur_get_u8(&bytes, &c)) {
        if (c >= 0x20 && c <= 0x7e && c != '\\') {
            s[n++] = (char)c;
        } else {
            s[n++] = '\\';
            s[n++] = 'x';
            s[n++] = hex[c >> 4];
            s[n++] = hex[c & 0xf];
        }
    }
    json_t *j = json_stringn(s, n);
    free(s);
    return j;
}

static json_t *hex_string(struct cursor bytes)
{
    static const char hex[] = "0123456789abcdef";
    char *s = malloc(2 * cur_len(bytes) + 1);
    if (s == NULL) {
        return NULL;
    }
    size_t n = 0;
    uint8_t c;
    while (cur_get_u8(&bytes, &c)) {
        s[n++] = hex[c >> 4];
        s[n++] = hex[c & 0xf];
    }
    json_t *j = json_stringn(s, n);
    free(s);
    return j;
}

/* A UINT list item is stored as its decimal text. */
static json_t *number_item(struct cursor item)
{
    char digits[24];
    size_t n = cur_len(item) < sizeof(digits) - 1 ? cur_len(item) : sizeof(digits) - 1;
    cur_copy(cur_take_upto(&item, n), (uint8_t *)digits);
    digits[n] = '\0';
    return json_integer((json_int_t)strtoll(digits, NULL, 10));
}

/* Lists are whole in JSON at every verbosity: scripts count and match items. */
static json_t *list_value(struct cursor items)
{
    json_t *array = json_array();
    enum field_type type;
    struct cursor item;
    while (array != NULL && fields_next_item(&items, &type, &item)) {
        json_array_append_new(array, type == FIELD_UINT ? number_item(item) : wire_string(item));
    }
    return array;
}

static json_t *field_value(const struct fields *f, const struct field *fd)
{
    switch (fd->type) {
    case FIELD_UINT:
        return json_integer((json_int_t)fd->num);
    case FIELD_BOOL:
        return json_boolean(fd->num != 0);
    case FIELD_HEX:
        return hex_string(fields_value(f, fd));
    case FIELD_LIST:
        return list_value(fields_value(f, fd));
    case FIELD_TOKEN:
    case FIELD_STRING:
    default:
        return wire_string(fields_value(f, fd));
    }
}

static json_t *event_object(const struct output_style *style, const char *time,
                            const struct event_prefix *p, const struct fields *f)
{
    char ep[ENDPOINT_STR_MAX];
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    if (time[0] != '\0') {
        json_object_set_new(o, "time", json_string(time));
    }
    json_object_set_new(o, "conn", json_integer((json_int_t)p->conn_id));
    json_object_set_new(o, "client", json_string(out_prefix_client(p, ep)));
    json_object_set_new(o, "dir", json_string(p->d == DIR_C2S ? "c2s" : "s2c"));
    json_object_set_new(o, "server", json_string(out_prefix_server(p, ep)));
    json_object_set_new(o, "event", json_string(f->event));
    if (f->name != NULL) {
        json_object_set_new(o, "message", json_string(f->name));
    }
    /* JSON is for keeping and scripts (hsdump diff reads it back): always the -v detail;
     * -vv adds the undecoded bytes as in text. */
    int verbosity = style != NULL ? style->verbosity : 2;
    if (verbosity < 1) {
        verbosity = 1;
    }
    for (size_t i = 0; i < f->n; i++) {
        if (f->f[i].level <= verbosity) {
            json_object_set_new(o, f->f[i].key, field_value(f, &f->f[i]));
        }
    }
    if (f->overflow) {
        json_object_set_new(o, "fields_overflow", json_true());
    }
    return o;
}

size_t out_json_line(const struct output_style *style, const char *time,
                     const struct event_prefix *p, const struct fields *f, char *buf, size_t cap)
{
    json_t *o = event_object(style, time, p, f);
    if (o == NULL) {
        return 0;
    }
    size_t n = json_dumpb(o, buf, cap - 1, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    if (n == 0 || n >= cap - 1) {
        return 0;
    }
    buf[n++] = '\n';
    return n;
}
