/* -e, -T fields, -T csv, -Y and --conn-filter: every event still comes through out_event(),
 * which hands it here when one of them is given (man page, FIELDS and DISPLAY FILTERS). */
#include "output/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "messages.h"
#include "options.h"
#include "output/filter.h"
#include "output/output.h"
#include "output/utf8.h"

/* ---- --conn-filter: lines held by connection until its close ---- */

struct held {
    uint64_t conn;
    char *bytes;
    size_t len, cap;
    uint64_t dropped_lines, dropped_bytes;
    const char *bound; /* why lines were dropped: "connection" or "total" */
    struct held *next;
};

struct hold {
    struct held **buckets;
    size_t n_buckets; /* a power of two */
    size_t n;
    size_t total; /* bytes allocated for lines, all connections */
    size_t conn_max, total_max;
};

static size_t bucket_of(const struct hold *h, uint64_t conn)
{
    return (size_t)((conn * 0x9e3779b97f4a7c15ULL) >> 32) & (h->n_buckets - 1);
}

static bool hold_grow(struct hold *h)
{
    size_t n = h->n_buckets == 0 ? 64 : 2 * h->n_buckets;
    struct held **b = calloc(n, sizeof(*b));
    if (b == NULL) {
        return false;
    }
    struct hold old = *h;
    h->buckets = b;
    h->n_buckets = n;
    for (size_t i = 0; i < old.n_buckets; i++) {
        for (struct held *e = old.buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            size_t k = bucket_of(h, e->conn);
            e->next = b[k];
            b[k] = e;
        }
    }
    free(old.buckets);
    return true;
}

/* The entry of conn; made when create is true (NULL when out of memory or not found). */
static struct held *hold_find(struct hold *h, uint64_t conn, bool create)
{
    if (h->n_buckets > 0) {
        for (struct held *e = h->buckets[bucket_of(h, conn)]; e != NULL; e = e->next) {
            if (e->conn == conn) {
                return e;
            }
        }
    }
    if (!create || (h->n >= h->n_buckets && !hold_grow(h))) {
        return NULL;
    }
    struct held *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    e->conn = conn;
    size_t k = bucket_of(h, conn);
    e->next = h->buckets[k];
    h->buckets[k] = e;
    h->n++;
    return e;
}

static void hold_remove(struct hold *h, struct held *gone)
{
    struct held **at = &h->buckets[bucket_of(h, gone->conn)];
    while (*at != gone) {
        at = &(*at)->next;
    }
    *at = gone->next;
    h->total -= gone->cap;
    h->n--;
    free(gone->bytes);
    free(gone);
}

static void drop_line(struct held *e, size_t n, const char *bound)
{
    e->bound = bound;
    e->dropped_lines++;
    e->dropped_bytes += n;
}

/* Keeps a line of conn; once one is dropped, the later ones are too (the kept lines stay a
 * prefix of the connection's, and the held_dropped line stands where the rest were). */
static void hold_line(struct hold *h, uint64_t conn, const char *line, size_t n)
{
    struct held *e = hold_find(h, conn, true);
    if (e == NULL) {
        return; /* out of memory: the connection will print only what it held */
    }
    if (e->dropped_lines > 0) {
        drop_line(e, n, e->bound);
        return;
    }
    if (e->len + n > e->cap) {
        size_t cap = e->cap < 1024 ? 1024 : e->cap;
        while (cap < e->len + n) {
            cap *= 2;
        }
        if (cap > h->conn_max) {
            cap = h->conn_max;
        }
        if (e->len + n > cap) { /* also a line longer than the bound */
            drop_line(e, n, "connection");
            return;
        }
        char *bytes = h->total + (cap - e->cap) > h->total_max ? NULL
                                                                   : realloc(e->bytes, cap);
        if (bytes == NULL) {
            drop_line(e, n, "total");
            return;
        }
        h->total += cap - e->cap;
        e->bytes = bytes;
        e->cap = cap;
    }
    memcpy(e->bytes + e->len, line, n);
    e->len += n;
}

static void hold_free(struct hold *h)
{
    for (size_t i = 0; i < h->n_buckets; i++) {
        for (struct held *e = h->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            free(e->bytes);
            free(e);
        }
    }
    free(h->buckets);
    h->buckets = NULL;
    h->n_buckets = h->n = h->total = 0;
}

/* ---- configuration ---- */

struct out_select {
    struct out_ref refs[SELECT_FIELDS_MAX]; /* -e, in order */
    size_t n_refs;
    struct filter *display; /* -Y */
    struct filter *conns;   /* --conn-filter */
    struct hold hold;
    uint64_t dropped_lines, dropped_conns; /* of the connections printed */
};

bool out_select_wanted(const struct options *o)
{
    return o->n_field_args > 0 || o->display_filter != NULL || o->conn_filter != NULL ||
           o->format == FORMAT_FIELDS || o->format == FORMAT_CSV;
}

static void free_refs(struct out_ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)refs[i].name);
    }
}

bool select_parse_fields(const char *const *args, size_t n_args, struct out_ref *refs,
                         size_t *n_refs, char *err, size_t errcap)
{
    *n_refs = 0;
    for (size_t a = 0; a < n_args; a++) {
        const char *s = args[a];
        for (;;) {
            const char *end = strchr(s, ',');
            size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
            while (len > 0 && (*s == ' ' || *s == '\t')) {
                s++, len--;
            }
            while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
                len--;
            }
            if (!out_ref_name_ok(s, len)) {
                snprintf(err, errcap,
                         len == 0 ? "empty field name in '%s'"
                                  : "bad field name in '%s': letters, digits, '_' and '.' only",
                         args[a]);
                goto fail;
            }
            bool seen = false;
            for (size_t i = 0; i < *n_refs; i++) {
                seen = seen || (strlen(refs[i].name) == len && strncmp(refs[i].name, s, len) == 0);
            }
            if (!seen) {
                if (*n_refs == SELECT_FIELDS_MAX) {
                    snprintf(err, errcap, "at most %d fields", SELECT_FIELDS_MAX);
                    goto fail;
                }
                char *name = strndup(s, len);
                if (name == NULL) {
                    snprintf(err, errcap, "out of memory");
                    goto fail;
                }
                refs[*n_refs].name = name;
                refs[*n_refs].pseudo = out_pseudo_of(name);
                (*n_refs)++;
                if (refs[*n_refs - 1].pseudo == PSEUDO_NONE && !out_ref_known(name)) {
                    snprintf(err, errcap, "unknown field '%s' (see --list-fields)", name);
                    goto fail;
                }
            }
            if (end == NULL) {
                break;
            }
            s = end + 1;
        }
    }
    return true;
fail:
    free_refs(refs, *n_refs);
    *n_refs = 0;
    return false;
}

struct out_select *out_select_new(const struct options *o)
{
    struct out_select *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        errorf("out of memory");
        return NULL;
    }
    char err[200];
    if (!select_parse_fields(o->field_args, o->n_field_args, s->refs, &s->n_refs, err,
                             sizeof(err))) {
        errorf("-e: %s", err);
        free(s);
        return NULL;
    }
    if ((o->display_filter != NULL &&
         (s->display = filter_compile_option("-Y", o->display_filter)) == NULL) ||
        (o->conn_filter != NULL &&
         (s->conns = filter_compile_option("--conn-filter", o->conn_filter)) == NULL)) {
        out_select_free(s);
        return NULL;
    }
    s->hold.conn_max = o->conn_hold_bytes > 0 ? o->conn_hold_bytes : HOLD_CONN_BYTES;
    s->hold.total_max = s->hold.conn_max > HOLD_TOTAL_BYTES ? s->hold.conn_max
                                                            : HOLD_TOTAL_BYTES;
    return s;
}

void out_select_free(struct out_select *s)
{
    if (s == NULL) {
        return;
    }
    free_refs(s->refs, s->n_refs);
    filter_free(s->display);
    filter_free(s->conns);
    hold_free(&s->hold);
    free(s);
}

/* ---- rendering ---- */

struct sbuf {
    char *buf;
    size_t cap; /* the last byte is kept for the newline */
    size_t len;
};

static void sput(struct sbuf *b, const char *s, size_t n)
{
    if (n > b->cap - 1 - b->len) {
        n = b->cap - 1 - b->len;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void sputs(struct sbuf *b, const char *s)
{
    sput(b, s, strlen(s));
}

/* A value in -T fields and csv: printable ASCII and well-formed UTF-8 (but control
 * characters) as they are, the backslash as \\, every other byte as \xHH; in a list item
 * the comma too, as \x2c, since items are joined by commas. A tab, CR or LF can then never
 * be part of a value. */
static void put_cell_text(struct sbuf *b, struct cursor v, bool in_list)
{
    static const char hex[] = "0123456789abcdef";
    static bool plain[2][256];
    if (!plain[0]['a']) {
        for (int c = ' '; c <= '~'; c++) {
            plain[0][c] = plain[1][c] = c != '\\';
        }
        plain[1][','] = false;
    }
    for (;;) {
        /* a run of plain ASCII in one copy: most values are one run */
        struct cursor run = cur_take_upto(&v, cur_span(v, plain[in_list]));
        struct cursor fits = cur_take_upto(&run, b->cap - 1 - b->len);
        cur_copy(fits, (uint8_t *)b->buf + b->len);
        b->len += cur_len(fits);
        uint32_t cp;
        size_t n = utf8_sequence(v, &cp);
        if (n > 0) {
            struct cursor seq = cur_take_upto(&v, n);
            if (cp > 0x9f) {
                uint8_t bytes[4];
                cur_copy(seq, bytes);
                sput(b, (const char *)bytes, n);
                continue;
            }
            v = seq; /* a C1 control: each byte escaped */
            uint8_t c;
            while (cur_get_u8(&v, &c)) {
                char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
                sput(b, esc, 4);
            }
            break;
        }
        uint8_t c;
        if (!cur_get_u8(&v, &c)) {
            break;
        }
        if (c == '\\') {
            sput(b, "\\\\", 2);
        } else if (c >= 0x20 && c <= 0x7e && !(in_list && c == ',')) {
            sput(b, (const char *)&c, 1);
        } else {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
            sput(b, esc, 4);
        }
    }
}

typedef void put_item_fn(struct sbuf *b, struct cursor text, enum field_type type,
                         bool in_list);

/* A value: its text, or a list's items joined by commas, each written by put. */
static void put_each(struct sbuf *b, const struct out_value *v, put_item_fn *put)
{
    if (v->kind == VALUE_TEXT) {
        put(b, v->text, v->type, false);
        return;
    }
    enum field_type type;
    struct cursor item, items = v->items;
    bool first = true;
    while (fields_next_item(&items, &type, &item)) {
        if (!first) {
            sput(b, ",", 1);
        }
        first = false;
        put(b, item, type == FIELD_UINT ? FIELD_UINT : FIELD_STRING, true);
    }
}

static void put_cell_item(struct sbuf *b, struct cursor text, enum field_type type,
                          bool in_list)
{
    (void)type;
    put_cell_text(b, text, in_list);
}

static void put_cell(struct sbuf *b, const struct out_value *v)
{
    put_each(b, v, put_cell_item);
}

/* RFC 4180 section 2: a field holding a comma, a quote or a line break is quoted, a quote
 * inside doubled (put_cell_text leaves no line break). */
static void put_csv_field(struct sbuf *b, const struct out_value *v)
{
    size_t start = b->len;
    put_cell(b, v);
    size_t n = b->len - start;
    size_t quotes = 0;
    bool quote = false;
    for (size_t i = start; i < b->len; i++) {
        quotes += b->buf[i] == '"';
        quote = quote || b->buf[i] == ',' || b->buf[i] == '"';
    }
    if (!quote || b->len + 2 + quotes > b->cap - 1) {
        return;
    }
    /* move the field right and double its quotes, from its end */
    char *f = b->buf + start;
    size_t out = n + 2 + quotes;
    f[--out] = '"';
    for (size_t i = n; i-- > 0;) {
        f[--out] = f[i];
        if (f[i] == '"') {
            f[--out] = '"';
        }
    }
    f[0] = '"';
    b->len = start + n + 2 + quotes;
}

/* A value as text output writes it (out_text_value): in a list each item so. */
static void put_text_item(struct sbuf *b, struct cursor text, enum field_type type,
                          bool in_list)
{
    static char item_text[4 * FIELDS_BUF + 8];
    (void)type;
    sput(b, item_text, out_text_value(text, in_list, item_text, sizeof(item_text)));
}

/* Numbers and booleans bare, anything else a JSON string as event lines write it. */
static void put_json_item(struct sbuf *b, struct cursor text, enum field_type type,
                          bool in_list)
{
    static char json[6 * FIELDS_BUF + 8];
    (void)in_list;
    if (type == FIELD_UINT || type == FIELD_BOOL) {
        uint8_t bytes[FIELDS_UINT_TEXT];
        struct cursor t = cur_take_upto(&text, sizeof(bytes));
        cur_copy(t, bytes);
        sput(b, (const char *)bytes, cur_len(t));
        return;
    }
    size_t n = out_json_string(text, json, sizeof(json));
    sput(b, n > 0 ? json : "\"\"", n > 0 ? n : 2);
}

static void put_json_value(struct sbuf *b, const struct out_value *v)
{
    if (v->kind == VALUE_LIST) {
        sput(b, "[", 1);
    }
    put_each(b, v, put_json_item);
    if (v->kind == VALUE_LIST) {
        sput(b, "]", 1);
    }
}

/* The line of the chosen fields (-e) in the output's format, into buf with its newline;
 * 0 for a text or JSON line that has none of them (it is not printed). */
static size_t render_selected(const struct out_select *s, enum out_format format,
                              const char *time, const struct event_prefix *p,
                              const struct fields *f, char *buf, size_t cap)
{
    static char value_buf[OUT_VALUE_BUF];
    struct sbuf b = {buf, cap, 0};
    size_t present = 0;
    if (format == FORMAT_JSON) {
        sput(&b, "{", 1);
    }
    for (size_t i = 0; i < s->n_refs; i++) {
        const struct out_ref *ref = &s->refs[i];
        struct out_value v = out_ref_value(ref, p, f, time, value_buf, sizeof(value_buf));
        switch (format) {
        case FORMAT_FIELDS:
        case FORMAT_CSV:
            if (i > 0) {
                sput(&b, format == FORMAT_CSV ? "," : "\t", 1);
            }
            if (v.kind != VALUE_ABSENT) {
                if (format == FORMAT_CSV) {
                    put_csv_field(&b, &v);
                } else {
                    put_cell(&b, &v);
                }
            }
            break;
        case FORMAT_JSON:
            if (v.kind != VALUE_ABSENT) {
                sputs(&b, present > 0 ? ",\"" : "\"");
                sputs(&b, ref->name);
                sput(&b, "\":", 2);
                put_json_value(&b, &v);
                present++;
            }
            break;
        case FORMAT_TEXT:
        default:
            if (v.kind != VALUE_ABSENT) {
                if (present > 0) {
                    sput(&b, " ", 1);
                }
                sputs(&b, ref->name);
                sput(&b, "=", 1);
                put_each(&b, &v, put_text_item);
                present++;
            }
            break;
        }
    }
    if (format == FORMAT_JSON) {
        sput(&b, "}", 1);
    }
    if ((format == FORMAT_JSON || format == FORMAT_TEXT) && present == 0) {
        return 0;
    }
    buf[b.len++] = '\n';
    return b.len;
}

/* The whole line as out_event() would write it, or the chosen fields. */
static size_t render(struct output *o, const struct event_prefix *p, const struct fields *f,
                     char *buf, size_t cap)
{
    char time[48];
    out_format_time(o, p->ts, time, sizeof(time));
    const struct out_select *s = o->select;
    if (s->n_refs > 0) {
        return render_selected(s, o->style.format, time, p, f, buf, cap);
    }
    return o->style.format == FORMAT_JSON ? out_json_line(&o->style, time, p, f, buf, cap)
                                          : out_text_line(&o->style, time, p, f, buf, cap);
}

/* Where --conn-filter dropped lines, a line of their own: event held_dropped, the lines and
 * bytes dropped and the bound that was reached. It is printed whatever -Y says. */
static void write_dropped(struct output *o, const struct event_prefix *p,
                          const struct held *e, char *line, size_t cap)
{
    static struct fields marker;
    fields_init(&marker, "held_dropped", NULL);
    fields_add_uint(&marker, "lines", e->dropped_lines);
    fields_add_uint(&marker, "bytes", e->dropped_bytes);
    fields_add_token(&marker, "bound", e->bound);
    out_write(o, line, render(o, p, &marker, line, cap));
}

void out_select_event(struct output *o, const struct event_prefix *p, const struct fields *f)
{
    static char line[OUT_LINE_MAX];
    struct out_select *s = o->select;
    bool shown = s->display == NULL || filter_match(s->display, p, f);
    if (s->conns == NULL) {
        if (shown) {
            out_write(o, line, render(o, p, f, line, sizeof(line)));
        }
        return;
    }
    if (strcmp(f->event, "close") != 0) {
        if (shown) {
            hold_line(&s->hold, p->conn_id, line, render(o, p, f, line, sizeof(line)));
        }
        return;
    }
    struct held *e = hold_find(&s->hold, p->conn_id, false);
    if (filter_match(s->conns, p, f)) {
        if (e != NULL) {
            out_write(o, e->bytes, e->len);
            if (e->dropped_lines > 0) {
                write_dropped(o, p, e, line, sizeof(line));
                s->dropped_lines += e->dropped_lines;
                s->dropped_conns++;
            }
        }
        if (shown) {
            out_write(o, line, render(o, p, f, line, sizeof(line)));
        }
    }
    if (e != NULL) {
        hold_remove(&s->hold, e);
    }
}

void out_select_attach(struct output *o, struct out_select *s)
{
    o->select = s;
    if (o->style.format != FORMAT_CSV) {
        return;
    }
    static char header[SELECT_FIELDS_MAX * 64];
    struct sbuf b = {header, sizeof(header), 0};
    for (size_t i = 0; i < s->n_refs; i++) {
        if (i > 0) {
            sput(&b, ",", 1);
        }
        sputs(&b, s->refs[i].name);
    }
    header[b.len++] = '\n';
    out_write(o, header, b.len);
}

void out_select_finish(struct output *o)
{
    struct out_select *s = o->select;
    if (s == NULL) {
        return;
    }
    if (s->dropped_lines > 0) {
        warnf("--conn-filter: %llu lines of %llu connections dropped past the bound on held "
              "lines (%zu KiB per connection, %zu MiB in all); their held_dropped lines say "
              "where", (unsigned long long)s->dropped_lines,
              (unsigned long long)s->dropped_conns, s->hold.conn_max / 1024,
              s->hold.total_max / (1024 * 1024));
    }
    hold_free(&s->hold);
}
