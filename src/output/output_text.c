/* Text rendering: one self-contained line per event, key=value fields (STYLE.md 2.7). */
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
static const bool plain[2][256] = {
    {['!'] = true, ['#' ... '<'] = true, ['>' ... '['] = true, [']' ... '~'] = true},
    {['!'] = true, ['#' ... '+'] = true, ['-' ... '<'] = true, ['>' ... '['] = true,
     [']' ... '~'] = true},
};

/* Bytes known to need no escape, copied as they are. */
static void put_bare(struct line *l, struct cursor s)
{
    struct cursor all = cur_take_upto(&s, l->cap - 1 - l->len);
    cur_copy(all, (uint8_t *)l->buf + l->len);
    l->len += cur_len(all);
}

/* A value: runs of plain bytes in one copy (an ordinary value is one run: one scan, one
 * copy), the backslash as \\, every other byte as \xHH; the empty value as "". */
static void put_value(struct line *l, struct cursor s, bool in_list)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t c;
    if (cur_len(s) == 0) {
        put_bytes(l, "\"\"", 2);
        return;
    }
    for (;;) {
        put_bare(l, cur_take_upto(&s, cur_span(s, plain[in_list])));
        if (!cur_get_u8(&s, &c)) {
            return;
        }
        if (c == '\\') {
            put_bytes(l, "\\\\", 2);
        } else {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
            put_bytes(l, esc, sizeof(esc));
        }
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
static void put_list_value(struct line *l, struct cursor items, size_t limit)
{
    enum field_type type;
    struct cursor item;
    bool first = true;
    size_t shown = 0, hidden = 0;
    while (fields_next_item(&items, &type, &item)) {
        if (shown == limit) {
            hidden++;
            continue;
        }
        if (!first) {
            put_char(l, ',');
        }
        first = false;
        if (type == FIELD_NAME) {
            put_bare(l, item);
        } else {
            put_value(l, item, true);
        }
        shown++;
    }
    if (hidden > 0) {
        char more[FIELDS_UINT_TEXT];
        put_bytes(l, ",+", 2);
        put_bytes(l, more, fields_format_uint(hidden, more));
    }
}

static void put_field(struct line *l, const struct fields *f, const struct field *fd,
                      size_t limit)
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
        put_bare(l, fields_value(f, fd));
        break;
    case FIELD_HEX:
        put_hex(l, fields_value(f, fd));
        break;
    case FIELD_LIST:
        put_list_value(l, fields_value(f, fd), limit);
        break;
    default:
        break;
    }
}

/* A list is cut to OUT_BRIEF_ITEMS tokens at verbosity 0: the first ones, then "+N". */
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
        size_t limit = SIZE_MAX;
        if (fd->type == FIELD_LIST && fd->brief && verbosity == 0 &&
            fd->items > OUT_BRIEF_ITEMS) {
            limit = OUT_BRIEF_ITEMS - 1;
        }
        put_field(&l, f, fd, limit);
    }
    if (f->overflow) {
        put_str(&l, " fields_overflow=true");
    }
    buf[l.len++] = '\n';
    return l.len;
}
