/* Text rendering: one self-contained line per event, key=value fields whose values can never
 * hold a field boundary (man page, OUTPUT). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "output/endpoint.h"
#include "base/fields.h"
#include "output/output.h"

struct line {
    char *buf;
    size_t cap;
    size_t len;
};

/* Keys, names and numbers are short: two overlapping fixed-size copies move them without
 * the start-up cost of a general copy of unknown length. */
static inline void copy_short(char *dst, const char *src, size_t n)
{
    if (n >= 16) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
        memcpy(dst, src, 4);
        memcpy(dst + n - 4, src + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            dst[i] = src[i];
        }
    }
}

static void put_bytes(struct line *l, const char *s, size_t n)
{
    if (n > l->cap - 1 - l->len) {
        n = l->cap - 1 - l->len;
    }
    if (n <= 32) {
        copy_short(l->buf + l->len, s, n);
    } else {
        memcpy(l->buf + l->len, s, n);
    }
    l->len += n;
}

static void put_str(struct line *l, const char *s)
{
    put_bytes(l, s, strlen(s));
}

/* A store, not a one-byte memcpy call: two or three of these per field. */
static void put_char(struct line *l, char c)
{
    if (l->len < l->cap - 1) {
        l->buf[l->len++] = c;
    }
}

/* Bytes a value shows as they are, out of a list and in one (where the comma separates
 * items): printable ASCII but the space, the quote, '=' and the backslash. No value can then
 * hold a field boundary: every space-separated word of a line is one whole key=value, and its
 * first '=' ends the key. */
#define AS_IS(c, list)                                                                        \
    ((c) >= '!' && (c) <= '~' && (c) != '"' && (c) != '=' && (c) != '\\' &&                  \
     !((list) && (c) == ','))
/* Each byte's text in a value, out of a list and in one: the byte itself, \\ or \xHH, as
 * tables the escaping loop copies from without a branch, and its length. */
#define HEX_DIGIT(n) ((n) < 10 ? '0' + (n) : 'a' + (n) - 10)
#define TEXT_OF(c, list)                                                                      \
    {AS_IS(c, list) ? (c) : '\\', AS_IS(c, list) ? 0 : (c) == '\\' ? '\\' : 'x',             \
     AS_IS(c, list) || (c) == '\\' ? 0 : HEX_DIGIT((c) >> 4),                                 \
     AS_IS(c, list) || (c) == '\\' ? 0 : HEX_DIGIT((c) & 15)}
#define TEXT_LEN(c, list) (AS_IS(c, list) ? 1 : (c) == '\\' ? 2 : 4)
#define ROW16(M, r, list)                                                                     \
    M(r + 0, list), M(r + 1, list), M(r + 2, list), M(r + 3, list), M(r + 4, list),           \
        M(r + 5, list), M(r + 6, list), M(r + 7, list), M(r + 8, list), M(r + 9, list),       \
        M(r + 10, list), M(r + 11, list), M(r + 12, list), M(r + 13, list), M(r + 14, list),  \
        M(r + 15, list)
#define ALL256(M, list)                                                                       \
    ROW16(M, 0x00, list), ROW16(M, 0x10, list), ROW16(M, 0x20, list), ROW16(M, 0x30, list),   \
        ROW16(M, 0x40, list), ROW16(M, 0x50, list), ROW16(M, 0x60, list),                     \
        ROW16(M, 0x70, list), ROW16(M, 0x80, list), ROW16(M, 0x90, list),                     \
        ROW16(M, 0xa0, list), ROW16(M, 0xb0, list), ROW16(M, 0xc0, list),                     \
        ROW16(M, 0xd0, list), ROW16(M, 0xe0, list), ROW16(M, 0xf0, list)

static const bool plain[2][256] = {{ALL256(AS_IS, 0)}, {ALL256(AS_IS, 1)}};
static const char text_of[2][256][4] = {{ALL256(TEXT_OF, 0)}, {ALL256(TEXT_OF, 1)}};
static const uint8_t text_len[2][256] = {{ALL256(TEXT_LEN, 0)}, {ALL256(TEXT_LEN, 1)}};

/* Bytes known to need no escape, copied as they are. */
static void put_bare(struct line *l, struct cursor s)
{
    struct cursor all = cur_take_upto(&s, l->cap - 1 - l->len);
    cur_copy(all, (uint8_t *)l->buf + l->len);
    l->len += cur_len(all);
}

/* The bytes after a value's first escape, with room for four per byte: names and
 * explanations escape every few bytes, so one pass storing each byte's text beats a scan and
 * a copy per run. */
static void put_escaped_rest(struct line *l, struct cursor s, bool in_list)
{
    const char(*text)[4] = text_of[in_list];
    const uint8_t *len = text_len[in_list];
    char *d = l->buf + l->len;
    uint8_t chunk[256];
    while (cur_len(s) > 0) {
        struct cursor part = cur_take_upto(&s, sizeof(chunk));
        size_t n = cur_len(part);
        cur_copy(part, chunk);
        for (size_t i = 0; i < n; i++) {
            memcpy(d, text[chunk[i]], 4);
            d += len[chunk[i]];
        }
    }
    l->len = (size_t)(d - l->buf);
}

/* A value: the backslash as \\, every byte not plain as \xHH, the empty value as "". The
 * plain run it starts with is scanned and copied whole: an ordinary value is that run alone.
 * Near the end of the line, escapes are cut like any bytes. */
static void put_value(struct line *l, struct cursor s, bool in_list)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t c;
    if (cur_len(s) == 0) {
        put_bytes(l, "\"\"", 2);
        return;
    }
    put_bare(l, cur_take_upto(&s, cur_span(s, plain[in_list])));
    if (cur_len(s) == 0) {
        return;
    }
    if (cur_len(s) <= (l->cap - 1 - l->len) / 4) {
        put_escaped_rest(l, s, in_list);
        return;
    }
    for (;;) {
        put_bare(l, cur_take_upto(&s, cur_span(s, plain[in_list])));
        if (!cur_get_u8(&s, &c)) {
            return;
        }
        char esc[4] = {'\\', c == '\\' ? '\\' : 'x', hex[c >> 4], hex[c & 0xf]};
        put_bytes(l, esc, c == '\\' ? 2 : 4);
    }
}

static void put_hex(struct line *l, struct cursor s)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t c;
    while (cur_get_u8(&s, &c)) {
        put_char(l, hex[c >> 4]);
        put_char(l, hex[c & 0xf]);
    }
}

size_t out_text_value(struct cursor value, bool in_list, char *buf, size_t cap)
{
    struct line l = {buf, cap, 0};
    put_value(&l, value, in_list);
    buf[l.len] = '\0';
    return l.len;
}

bool out_text_is_plain(struct cursor value, bool in_list)
{
    return cur_len(value) > 0 && cur_span(value, plain[in_list]) == cur_len(value);
}

/* Items joined by commas, each written as a value of its own (a comma inside one escaped);
 * no item, nothing. Names are plain by construction: copied without a look. */
static void put_list_value(struct line *l, struct cursor items)
{
    enum field_type type;
    struct cursor item;
    bool first = true;
    while (fields_next_item(&items, &type, &item)) {
        if (!first) {
            put_char(l, ',');
        }
        first = false;
        if (type == FIELD_NAME) {
            put_bare(l, item);
        } else {
            put_value(l, item, true);
        }
    }
}

static void put_field(struct line *l, const struct fields *f, const struct field *fd)
{
    char num[FIELDS_UINT_TEXT];
    put_char(l, ' ');
    put_bytes(l, fd->key, fd->key_len);
    put_char(l, '=');
    switch (fd->type) {
    case FIELD_UINT:
        put_bytes(l, num, fields_format_uint(fd->num, num));
        break;
    case FIELD_BOOL:
        put_str(l, fd->num ? "true" : "false");
        break;
    case FIELD_TOKEN:
    case FIELD_STRING:
        put_value(l, fields_value(f, fd), false);
        break;
    case FIELD_NAME:
    case FIELD_DECIMAL:
        put_bare(l, fields_value(f, fd));
        break;
    case FIELD_HEX:
        put_hex(l, fields_value(f, fd));
        break;
    case FIELD_LIST:
        put_list_value(l, fields_value(f, fd));
        break;
    default:
        break;
    }
}

/* Lists are whole at every verbosity: -v adds fields, it never lengthens a list. */
size_t out_text_line(const struct output_style *style, const char *time,
                     const struct event_prefix *p, const struct fields *f, char *buf, size_t cap)
{
    struct line l = {buf, cap, 0};
    char ep[ENDPOINT_STR_MAX];
    char id[FIELDS_UINT_TEXT];
    int verbosity = style != NULL ? style->verbosity : 2;
    if (time[0] != '\0') {
        put_str(&l, time);
        put_char(&l, ' ');
    }
    if (p->head != NULL) {
        /* the connection's own head, made once: one copy instead of seven pieces */
        size_t start = l.len;
        put_bytes(&l, p->head, p->head_len);
        if (p->d != DIR_C2S && start + p->head_arrow + 1 < l.len) {
            l.buf[start + p->head_arrow] = '<';
            l.buf[start + p->head_arrow + 1] = '-';
        }
    } else {
        put_char(&l, 'c');
        put_bytes(&l, id, fields_format_uint(p->conn_id, id));
        put_char(&l, ' ');
        put_str(&l, out_prefix_client(p, ep));
        put_str(&l, p->d == DIR_C2S ? " -> " : " <- ");
        put_str(&l, out_prefix_server(p, ep));
    }
    put_char(&l, ' ');
    put_str(&l, f->event);
    if (f->name != NULL) {
        put_char(&l, ' ');
        put_str(&l, f->name);
    }
    for (size_t i = 0; i < f->n; i++) {
        const struct field *fd = &f->f[i];
        if (fd->level > verbosity) {
            continue;
        }
        put_field(&l, f, fd);
    }
    if (f->overflow) {
        put_str(&l, " fields_overflow=true");
    }
    buf[l.len++] = '\n';
    return l.len;
}
