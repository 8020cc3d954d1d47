/* JSON Lines rendering (-T json): one object per event with the text line's keys, in the same
 * order. Written directly (json_direct); jansson (libjansson-dev), which defines the output,
 * writes the rare event whose keys repeat or whose names are not plain ASCII. */
#include <jansson.h>
#include <stdint.h>
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

/* A UINT list item is stored as its decimal text; JSON integers are signed 64-bit. */
static int64_t number_item(struct cursor item)
{
    char digits[24];
    struct cursor text = cur_take_upto(&item, sizeof(digits) - 1);
    size_t n = cur_len(text);
    cur_copy(text, (uint8_t *)digits);
    digits[n] = '\0';
    return (int64_t)strtoll(digits, NULL, 10);
}

/* Lists are whole in JSON at every verbosity: scripts count and match items. */
static json_t *list_value(struct cursor items)
{
    json_t *array = json_array();
    enum field_type type;
    struct cursor item;
    while (array != NULL && fields_next_item(&items, &type, &item)) {
        json_array_append_new(array, type == FIELD_UINT ? json_integer(number_item(item))
                                                         : wire_string(item));
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

/* ---- the same text written directly: building a jansson object per event cost more than
 * all the dissection (bench/RESULTS.md). Byte for byte what json_dumpb makes of
 * event_object() with JSON_COMPACT | JSON_ENSURE_ASCII, which stays for the rare event
 * whose keys repeat (jansson keeps one of them). */

struct jline {
    char *buf;
    size_t cap; /* room for the text, the newline excluded */
    size_t len;
    bool full;
    bool other; /* a byte only jansson knows how to write: use it */
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

/* A string we made (keys, names, endpoints, times): printable ASCII, where JSON escapes only
 * the quote and the backslash. Anything else is left to jansson (j->other). */
static void jstring(struct jline *j, const char *s)
{
    jput(j, "\"", 1);
    for (; *s != '\0'; s++) {
        uint8_t c = (uint8_t)*s;
        if (c < 0x20 || c > 0x7e) {
            j->other = true;
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            jput(j, esc, 2);
        } else {
            jput(j, s, 1);
        }
    }
    jput(j, "\"", 1);
}

/* Wire bytes as wire_string() makes them, then as JSON escapes that: the quote as \", any
 * other byte outside printable ASCII or a backslash as \\xHH. */
static void jwire(struct jline *j, struct cursor bytes)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t c;
    jput(j, "\"", 1);
    while (cur_get_u8(&bytes, &c)) {
        if (c == '"') {
            jput(j, "\\\"", 2);
        } else if (c >= 0x20 && c <= 0x7e && c != '\\') {
            char ch = (char)c;
            jput(j, &ch, 1);
        } else {
            char esc[5] = {'\\', '\\', 'x', hex[c >> 4], hex[c & 0xf]};
            jput(j, esc, 5);
        }
    }
    jput(j, "\"", 1);
}

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

static void jkey(struct jline *j, const char *key)
{
    jput(j, ",", 1);
    jstring(j, key);
    jput(j, ":", 1);
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
    default:
        jwire(j, fields_value(f, fd));
        break;
    }
}

/* True when two keys of the line may be the same (hash collisions included: then jansson,
 * which is right in every case, writes the line). */
static bool keys_may_repeat(const struct fields *f, int verbosity)
{
    static const char *const prefix[] = {"time", "conn", "client", "dir", "server", "event",
                                         "message", "fields_overflow"};
    uint32_t seen[256] = {0};
    size_t n = sizeof(prefix) / sizeof(prefix[0]);
    for (size_t i = 0; i < n + f->n; i++) {
        const char *key = i < n ? prefix[i] : f->f[i - n].key;
        if (i >= n && f->f[i - n].level > verbosity) {
            continue;
        }
        uint32_t h = 2166136261u;
        for (const char *c = key; *c != '\0'; c++) {
            h = (h ^ (uint8_t)*c) * 16777619u;
        }
        h |= 1; /* 0 marks an empty slot */
        size_t slot = h & 255;
        while (seen[slot] != 0) {
            if (seen[slot] == h) {
                return true;
            }
            slot = (slot + 1) & 255;
        }
        seen[slot] = h;
    }
    return false;
}

static size_t json_direct(const struct output_style *style, const char *time,
                          const struct event_prefix *p, const struct fields *f, char *buf,
                          size_t cap)
{
    char ep[ENDPOINT_STR_MAX];
    struct jline j = {buf, cap - 1, 0, false, false};
    int verbosity = style != NULL ? style->verbosity : 2;
    if (verbosity < 1) {
        verbosity = 1;
    }
    jput(&j, "{", 1);
    if (time[0] != '\0') {
        jstring(&j, "time");
        jput(&j, ":", 1);
        jstring(&j, time);
        jput(&j, ",", 1);
    }
    jstring(&j, "conn");
    jput(&j, ":", 1);
    jint(&j, (int64_t)p->conn_id);
    jkey(&j, "client");
    jstring(&j, out_prefix_client(p, ep));
    jkey(&j, "dir");
    jstring(&j, p->d == DIR_C2S ? "c2s" : "s2c");
    jkey(&j, "server");
    jstring(&j, out_prefix_server(p, ep));
    jkey(&j, "event");
    jstring(&j, f->event);
    if (f->name != NULL) {
        jkey(&j, "message");
        jstring(&j, f->name);
    }
    for (size_t i = 0; i < f->n; i++) {
        if (f->f[i].level <= verbosity) {
            jkey(&j, f->f[i].key);
            jvalue(&j, f, &f->f[i]);
        }
    }
    if (f->overflow) {
        jkey(&j, "fields_overflow");
        jput(&j, "true", 4);
    }
    jput(&j, "}", 1);
    if (j.other) {
        return SIZE_MAX;
    }
    if (j.full) {
        return 0;
    }
    buf[j.len++] = '\n';
    return j.len;
}

size_t out_json_line(const struct output_style *style, const char *time,
                     const struct event_prefix *p, const struct fields *f, char *buf, size_t cap)
{
    int verbosity = style != NULL && style->verbosity > 1 ? style->verbosity : 1;
    if (cap >= 2 && !keys_may_repeat(f, verbosity)) {
        size_t n = json_direct(style, time, p, f, buf, cap);
        if (n != SIZE_MAX) {
            return n;
        }
    }
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
