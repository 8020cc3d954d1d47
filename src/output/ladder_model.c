/* What a ladder diagram shows (ladder_model.h): the events of each connection kept as rows
 * (direction, time, message name, a few facts in text form) until its close, then the
 * drawing's content. Every value from the wire goes through the text output's escaper
 * (out_text_value): a forged name cannot hold a control byte, a wide character or a line
 * break, so a drawing's columns stay where they are, and what reaches a renderer is
 * printable ASCII (the HTML report still escapes its markup characters). */
#define _DEFAULT_SOURCE
#include "output/ladder_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "output/ecosystem_conn.h"
#include "output/filter.h"
#include "output/output.h"

struct ladder_model {
    struct filter *display;
    struct ladder_conn **slots; /* open addressing by id, backward-shift deletion */
    size_t cap;                 /* a power of two */
    size_t live;
};

struct ladder_model *ladder_model_new(struct filter *display)
{
    struct ladder_model *m = calloc(1, sizeof(*m));
    if (m != NULL) {
        m->display = display;
    }
    return m;
}

static void conn_free(struct ladder_conn *c)
{
    free(c->rows);
    free(c);
}

void ladder_model_free(struct ladder_model *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i] != NULL) {
            conn_free(m->slots[i]);
        }
    }
    free(m->slots);
    filter_free(m->display);
    free(m);
}

static size_t slot_find(const struct ladder_model *l, uint64_t id)
{
    size_t i = eco_slot_of(id, l->cap);
    while (l->slots[i] != NULL && l->slots[i]->id != id) {
        i = (i + 1) & (l->cap - 1);
    }
    return i;
}

static bool table_grow(struct ladder_model *l)
{
    size_t cap = l->cap == 0 ? 64 : l->cap * 2;
    struct ladder_conn **old = l->slots;
    size_t old_cap = l->cap;
    if ((l->slots = calloc(cap, sizeof(*l->slots))) == NULL) {
        l->slots = old;
        return false;
    }
    l->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] != NULL) {
            l->slots[slot_find(l, old[i]->id)] = old[i];
        }
    }
    free(old);
    return true;
}

/* The connection's rows, made at its first event; NULL past LADDER_CONNS_MAX or without
 * memory. */
static struct ladder_conn *conn_of(struct ladder_model *l, uint64_t id, bool make)
{
    if (l->cap > 0) {
        struct ladder_conn *c = l->slots[slot_find(l, id)];
        if (c != NULL || !make) {
            return c;
        }
    }
    if (!make || l->live >= LADDER_CONNS_MAX ||
        ((l->live + 1) * 2 > l->cap && !table_grow(l))) {
        return NULL;
    }
    struct ladder_conn *c = calloc(1, sizeof(*c));
    if (c != NULL) {
        c->id = id;
        l->slots[slot_find(l, id)] = c;
        l->live++;
    }
    return c;
}

void ladder_model_forget(struct ladder_model *l, uint64_t id)
{
    if (l->cap == 0) {
        return;
    }
    size_t i = slot_find(l, id);
    if (l->slots[i] == NULL) {
        return;
    }
    conn_free(l->slots[i]);
    l->slots[i] = NULL;
    l->live--;
    /* backward shift: entries after the hole that may move back into it do */
    for (size_t j = (i + 1) & (l->cap - 1); l->slots[j] != NULL; j = (j + 1) & (l->cap - 1)) {
        size_t home = eco_slot_of(l->slots[j]->id, l->cap);
        if (((j - home) & (l->cap - 1)) >= ((j - i) & (l->cap - 1))) {
            l->slots[i] = l->slots[j];
            l->slots[j] = NULL;
            i = j;
        }
    }
}

/* A piece of text built in a fixed buffer; what does not fit is cut and ends in "...". */
struct piece {
    char *buf;
    size_t cap; /* room for the text, the "..." and a NUL */
    size_t len;
    bool cut;
};

static void piece_put(struct piece *s, const char *t, size_t n)
{
    if (s->cut) {
        return;
    }
    if (n > s->cap - 4 - s->len) {
        n = s->cap - 4 - s->len;
        s->cut = true;
    }
    memcpy(s->buf + s->len, t, n);
    s->len += n;
    if (s->cut) {
        memcpy(s->buf + s->len, "...", 3);
        s->len += 3;
    }
    s->buf[s->len] = '\0';
}

static void piece_str(struct piece *s, const char *t)
{
    piece_put(s, t, strlen(t));
}

/* One field's value as the text output writes it (escaped), items of a list joined by
 * ','; versions shortened ("TLSv1.3" to "1.3") when short is set. */
static void piece_value(struct piece *s, const struct fields *f, const struct field *fd,
                        bool short_versions)
{
    char text[4 * 256 + 8];
    if (fd->type == FIELD_UINT || fd->type == FIELD_BOOL) {
        char num[FIELDS_UINT_TEXT];
        piece_str(s, fd->type == FIELD_BOOL ? (fd->num ? "true" : "false")
                                            : (fields_format_uint(fd->num, num), num));
        return;
    }
    struct cursor v = fields_value(f, fd);
    if (fd->type != FIELD_LIST) {
        piece_put(s, text, out_text_value(cur_take_upto(&v, 256), false, text, sizeof(text)));
        return;
    }
    enum field_type type;
    struct cursor item;
    bool first = true;
    while (fields_next_item(&v, &type, &item)) {
        size_t n = out_text_value(cur_take_upto(&item, 256), true, text, sizeof(text));
        const char *t = text;
        if (short_versions && n > 4 && (memcmp(t, "TLSv", 4) == 0)) {
            t += 4;
            n -= 4;
        }
        if (!first) {
            piece_put(s, ",", 1);
        }
        first = false;
        piece_put(s, t, n);
    }
}

bool ladder_field_text(const struct fields *f, const char *key, char *buf, size_t cap)
{
    const struct field *fd = fields_find(f, key);
    struct piece s = {buf, cap, 0, false};
    buf[0] = '\0';
    if (fd != NULL) {
        piece_value(&s, f, fd, false);
    }
    return fd != NULL;
}

/* " key=value" for a field of the event, when it has it. */
static void fact(struct piece *s, const struct fields *f, const char *key, const char *shown)
{
    const struct field *fd = fields_find(f, key);
    if (fd == NULL) {
        return;
    }
    piece_put(s, " ", 1);
    piece_str(s, shown);
    piece_put(s, "=", 1);
    piece_value(s, f, fd, strcmp(key, "supported_versions") == 0);
}

static void word(struct piece *s, const char *w)
{
    piece_put(s, " ", 1);
    piece_str(s, w);
}

/* " +psk" and the like: the message carries what the mark names. */
static void mark(struct piece *s, bool carried, const char *w)
{
    if (carried) {
        word(s, w);
    }
}

static bool list_has(const struct fields *f, const char *key, const char *item_text)
{
    const struct field *fd = fields_find(f, key);
    if (fd == NULL || fd->type != FIELD_LIST) {
        return false;
    }
    struct cursor v = fields_value(f, fd), item;
    enum field_type type;
    while (fields_next_item(&v, &type, &item)) {
        if (cur_equal(item, (const uint8_t *)item_text, strlen(item_text))) {
            return true;
        }
    }
    return false;
}

static bool is_set(const struct fields *f, const char *key)
{
    const struct field *fd = fields_find(f, key);
    return fd != NULL && fd->type == FIELD_BOOL && fd->num != 0;
}

/* The first item of the list key as a NUL-terminated string in buf; false when there is
 * none or it does not fit. */
static bool first_item(const struct fields *f, const char *key, char *buf, size_t cap)
{
    const struct field *fd = fields_find(f, key);
    struct cursor v, item;
    enum field_type type;
    if (fd == NULL || fd->type != FIELD_LIST) {
        return false;
    }
    v = fields_value(f, fd);
    if (!fields_next_item(&v, &type, &item) || cur_len(item) >= cap) {
        return false;
    }
    cur_copy(item, (uint8_t *)buf);
    buf[cur_len(item)] = '\0';
    return true;
}

/* "client_hello" as RFC 8446 writes it, "ClientHello" (names are ASCII: hsdump's own). */
static void piece_camel(struct piece *s, const char *name)
{
    char out[64];
    size_t n = 0;
    bool up = true;
    for (const char *c = name; *c != '\0' && n < sizeof(out) - 1; c++) {
        if (*c == '_') {
            up = true;
            continue;
        }
        out[n++] = up && *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
        up = false;
    }
    piece_put(s, out, n);
}

/* The key facts of a handshake message (hsdump.1, LADDER DIAGRAMS). */
static void message_facts(struct piece *s, const struct fields *f)
{
    const char *m = f->name;
    if (strcmp(m, "client_hello") == 0) {
        fact(s, f, "sni", "sni");
        fact(s, f, "alpn", "alpn");
        if (fields_find(f, "supported_versions") != NULL) {
            fact(s, f, "supported_versions", "versions");
        } else {
            fact(s, f, "legacy_version", "version");
        }
        fact(s, f, "key_share", "key_share");
        const struct field *ticket = fields_find(f, "session_ticket_length");
        const struct field *cookie = fields_find(f, "cookie_length");
        mark(s, list_has(f, "extensions", "pre_shared_key"), "+psk");
        mark(s, list_has(f, "extensions", "early_data"), "+early_data");
        mark(s, ticket != NULL && ticket->num > 0, "+ticket");
        mark(s, cookie != NULL && cookie->num > 0, "+cookie");
    } else if (strcmp(m, "server_hello") == 0 || strcmp(m, "hello_retry_request") == 0) {
        fact(s, f, "version", "version");
        fact(s, f, "cipher_suite", "suite");
        fact(s, f, "key_share", "key_share");
        mark(s, list_has(f, "extensions", "pre_shared_key"), "+psk");
        mark(s, list_has(f, "extensions", "cookie"), "+cookie");
    } else if (strcmp(m, "hello_verify_request") == 0) {
        fact(s, f, "cookie_length", "cookie_length");
    } else if (strcmp(m, "certificate") == 0 || strcmp(m, "compressed_certificate") == 0) {
        fact(s, f, "certificates", "certificates");
    } else if (strcmp(m, "server_key_exchange") == 0) {
        fact(s, f, "kx", "kx");
        fact(s, f, "named_group", "group");
    } else if (strcmp(m, "encrypted_extensions") == 0) {
        fact(s, f, "alpn", "alpn");
    }
}

/* The leaf certificate's facts, added to its Certificate row: the subject's CN (the whole
 * subject when it has none), the key and the issues the checks found. */
static void certificate_facts(struct piece *s, const struct fields *x509)
{
    const struct field *fd = fields_find(x509, "subject");
    if (fd != NULL) {
        struct cursor dn = fields_value(x509, fd);
        char type[16], val[256];
        size_t val_len;
        bool cn = false;
        while (dn_next(&dn, type, sizeof(type), val, sizeof(val), &val_len)) {
            if (strcmp(type, "CN") == 0) {
                char text[4 * sizeof(val) + 8];
                piece_put(s, " cn=", 4);
                piece_put(s, text,
                          out_text_value(cur_make((const uint8_t *)val, val_len), false, text,
                                         sizeof(text)));
                cn = true;
                break;
            }
        }
        if (!cn) {
            fact(s, x509, "subject", "subject");
        }
    }
    fact(s, x509, "key", "key");
    fact(s, x509, "issues", "issues");
}

/* Read with a key log: said right after the message's name, before its facts. */
static void mark_decrypted(struct piece *s, bool decrypted)
{
    if (decrypted) {
        word(s, "(decrypted)");
    }
}

static struct ladder_row *new_row(struct ladder_conn *c, const struct event_prefix *p)
{
    if (c->n == LADDER_ROWS_MAX) {
        c->more++;
        return NULL;
    }
    if (c->n == c->cap) {
        uint16_t cap = c->cap == 0 ? 16 : (uint16_t)(c->cap * 2);
        struct ladder_row *rows = realloc(c->rows, cap * sizeof(*rows));
        if (rows == NULL) {
            c->more++;
            return NULL;
        }
        c->rows = rows;
        c->cap = cap;
    }
    struct ladder_row *r = &c->rows[c->n++];
    r->ts = p->ts;
    r->dir = (uint8_t)p->d;
    r->flags = 0;
    r->text[0] = '\0';
    return r;
}

static void note_event(struct ladder_conn *c, const struct event_prefix *p, const struct fields *f)
{
    const char *ev = f->event;
    if (strcmp(ev, "x509") == 0) {
        /* the leaf's facts go with the Certificate row just before it */
        const struct field *index = fields_find(f, "index");
        struct ladder_row *last = c->n > 0 ? &c->rows[c->n - 1] : NULL;
        if (index != NULL && index->num == 0 && last != NULL && last->dir == p->d &&
            strstr(last->text, "Certificate") != NULL) {
            struct piece s = {last->text, sizeof(last->text), strlen(last->text), false};
            certificate_facts(&s, f);
        }
        return;
    }
    struct ladder_row *r = new_row(c, p);
    if (r == NULL) {
        return;
    }
    struct piece s = {r->text, sizeof(r->text), 0, false};
    bool decrypted = is_set(f, "decrypted");
    if (decrypted || is_set(f, "encrypted") || strcmp(ev, "encrypted") == 0) {
        r->flags |= LADDER_ROW_BRACES;
    }
    const char *open = r->flags & LADDER_ROW_BRACES ? "{" : "";
    const char *close = r->flags & LADDER_ROW_BRACES ? "}" : "";
    piece_str(&s, open);
    if (strcmp(ev, "handshake") == 0 && f->name != NULL) {
        piece_camel(&s, f->name);
        piece_str(&s, close);
        mark_decrypted(&s, decrypted);
        message_facts(&s, f);
    } else if (strcmp(ev, "encrypted") == 0) {
        char name[64];
        if (first_item(f, "inferred", name, sizeof(name))) {
            piece_camel(&s, name);
            piece_str(&s, "}?");
            r->flags |= LADDER_ROW_INFERRED;
            if (strcmp(name, "alert") == 0) {
                r->flags |= LADDER_ROW_ALERT;
            }
        } else {
            char type[64];
            piece_camel(&s, eco_field_text(f, "content_type", type, sizeof(type)) ? type
                                                                                  : "record");
            piece_str(&s, close);
            fact(&s, f, "length", "length");
        }
    } else if (strcmp(ev, "alert") == 0) {
        piece_str(&s, "Alert");
        piece_str(&s, close);
        mark_decrypted(&s, decrypted);
        fact(&s, f, "level", "level");
        fact(&s, f, "description", "description");
        if (fields_find(f, "level") != NULL && !eco_token_is(f, "level", "warning")) {
            r->flags |= LADDER_ROW_ALERT;
        }
    } else if (strcmp(ev, "change_cipher_spec") == 0) {
        piece_str(&s, "ChangeCipherSpec");
        piece_str(&s, close);
        if (is_set(f, "middlebox_compat")) {
            word(&s, "(compat)");
        }
    } else {
        /* what is not a message: QUIC's CONNECTION_CLOSE, a malformed or lost unit */
        piece_camel(&s, ev);
        piece_str(&s, close);
        fact(&s, f, "error_code", "error_code");
        fact(&s, f, "reason", "reason");
        if (f->malformed || strcmp(ev, "connection_close") == 0 || strcmp(ev, "desync") == 0) {
            r->flags |= LADDER_ROW_ALERT;
        }
    }
}

/* "+1.7ms": the time from b to a in the margin's short form. */
static void format_gap(struct timeval a, struct timeval b, char *buf, size_t cap)
{
    long long us = ((long long)a.tv_sec - (long long)b.tv_sec) * 1000000LL +
                   ((long long)a.tv_usec - (long long)b.tv_usec);
    const char *sign = us < 0 ? "-" : "+";
    us = us < 0 ? -us : us;
    if (us < 1000) {
        snprintf(buf, cap, "%s%lldus", sign, us);
    } else if (us < 1000000) {
        snprintf(buf, cap, "%s%lld.%lldms", sign, us / 1000, us % 1000 / 100);
    } else if (us < 100000000) {
        snprintf(buf, cap, "%s%lld.%02llds", sign, us / 1000000, us % 1000000 / 10000);
    } else {
        snprintf(buf, cap, "%s%llds", sign, us / 1000000);
    }
}

/* The next words of text that fit in room columns (at least one word, cut with "..." when
 * it alone is longer): its length, and *next past it. */
size_t ladder_take_words(const char *text, size_t room, const char **next, bool *cut)
{
    size_t n = 0; /* the words taken so far */
    *cut = false;
    for (;;) {
        const char *sp = strchr(text + (n == 0 ? 0 : n + 1), ' ');
        size_t end = sp != NULL ? (size_t)(sp - text) : strlen(text);
        if (end > room && n > 0) {
            *next = text + n + 1; /* past the space */
            return n;
        }
        if (end > room) { /* one word longer than the room: cut */
            *cut = true;
            *next = sp != NULL ? sp + 1 : text + end;
            return room > 3 ? room - 3 : 0;
        }
        n = end;
        if (sp == NULL) {
            *next = text + n;
            return n;
        }
    }
}

/* The close line's values, key=value and space-separated, into s. */
static void close_facts(struct piece *s, const struct fields *f, const char *const *keys)
{
    for (size_t i = 0; keys[i] != NULL; i++) {
        fact(s, f, keys[i], keys[i]);
    }
}

bool ladder_model_event(struct ladder_model *m, const struct event_prefix *p,
                        const struct fields *f, const struct ladder_conn **out)
{
    bool close = strcmp(f->event, "close") == 0;
    struct ladder_conn *c = conn_of(m, p->conn_id, !close);
    bool matched = m->display == NULL || (c != NULL && c->matched) ||
                   filter_match(m->display, p, f);
    if (!close) {
        if (c != NULL) {
            c->matched = matched;
            note_event(c, p, f);
        }
        return false;
    }
    *out = c;
    return matched;
}

/* When the connection started: the close line's time less its duration=. */
static struct timeval start_of(const struct event_prefix *p, const struct fields *close)
{
    char text[40];
    struct timeval start = p->ts;
    if (eco_field_text(close, "duration", text, sizeof(text))) {
        char *dot = strchr(text, '.');
        long long sec = atoll(text), usec = dot != NULL ? atoll(dot + 1) : 0;
        long long at = (long long)p->ts.tv_sec * 1000000LL + p->ts.tv_usec - sec * 1000000LL -
                       usec;
        start.tv_sec = (time_t)(at / 1000000);
        start.tv_usec = (suseconds_t)(at % 1000000);
        if (start.tv_usec < 0) {
            start.tv_usec += 1000000;
            start.tv_sec--;
        }
    }
    return start;
}

/* The close line's facts named by keys, "key=value" and space-separated, into buf (cap
 * bytes): "" when it has none. */
static void close_line_facts(char *buf, size_t cap, const struct fields *f,
                             const char *const *keys)
{
    struct piece s = {buf, cap, 0, false};
    buf[0] = '\0';
    close_facts(&s, f, keys);
    if (buf[0] == ' ') {
        memmove(buf, buf + 1, s.len); /* the NUL too */
    }
}

void ladder_view_make(struct ladder_view *v, struct output *o, const struct ladder_conn *c,
                      const struct event_prefix *p, const struct fields *f)
{
    char time[64], cep[ENDPOINT_STR_MAX], sep[ENDPOINT_STR_MAX];
    size_t arrow, n = 0;
    v->c = c;
    v->start = start_of(p, f);
    if (out_format_start(o, v->start, time, sizeof(time))) {
        n = (size_t)snprintf(v->head, sizeof(v->head), "%s ", time);
    }
    out_event_head(p->conn_id, out_prefix_client(p, cep), out_prefix_server(p, sep),
                   v->head + n, &arrow);
    /* header: what was negotiated; footer: how it ended, then the counts each way */
    static const char *const head_keys[] = {"version", "cipher_suite", "group", "sni", "alpn",
                                            "flow", NULL};
    static const char *const status_keys[] = {"status", "cause", "alert", "alert_from", "flags",
                                              "end", "duration", NULL};
    static const char *const count_keys[] = {"records_c2s", "bytes_c2s", "records_s2c",
                                             "bytes_s2c", "datagrams_c2s", "datagrams_s2c",
                                             "encrypted_c2s", "encrypted_s2c",
                                             "decrypted_records", NULL};
    close_line_facts(v->facts, sizeof(v->facts), f, head_keys);
    close_line_facts(v->status, sizeof(v->status), f, status_keys);
    close_line_facts(v->counts, sizeof(v->counts), f, count_keys);
    v->failed = eco_token_is(f, "status", "failed");
    v->more[0] = '\0';
    if (c != NULL && c->more > 0) {
        snprintf(v->more, sizeof(v->more), "%u more not drawn (at most %d rows)", c->more,
                 LADDER_ROWS_MAX);
    }
}

bool ladder_view_gap(const struct ladder_view *v, size_t i, char *buf, size_t cap)
{
    const struct ladder_row *r = &v->c->rows[i];
    if (i > 0 && r->dir == v->c->rows[i - 1].dir) {
        buf[0] = '\0';
        return false;
    }
    format_gap(r->ts, i == 0 ? v->start : v->c->rows[i - 1].ts, buf, cap);
    return true;
}
