/* -T ladder: the events of each connection are kept as rows (direction, time, message name,
 * a few facts in text form) and drawn at its close: a header, one arrow per message, the
 * time between flights in the left margin, a footer from the close line (hsdump.1, LADDER
 * DIAGRAMS). Every value from the wire goes through the text output's escaper
 * (out_text_value): a forged name cannot hold a control byte, a wide character or a
 * line break, so the drawing's columns stay where they are. */
#define _DEFAULT_SOURCE
#include "output/ladder.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/fields.h"
#include "output/ecosystem_conn.h"
#include "output/filter.h"
#include "output/output.h"

enum {
    ROW_BRACES = 1,   /* protected on the wire: drawn in {braces} */
    ROW_INFERRED = 2, /* named from its size and position, not read: "?" after it */
    ROW_ALERT = 4,    /* an alert, a malformed or lost unit: red */
};

struct lrow {
    struct timeval ts;
    uint8_t dir;
    uint8_t flags;
    /* "Label fact fact ...": no value holds a space once escaped */
    char text[LADDER_FACTS_MAX + 48];
};

struct lconn {
    uint64_t id;
    struct lrow *rows;
    uint16_t n, cap;
    uint32_t more; /* rows past LADDER_ROWS_MAX */
    bool matched;  /* -Y matched one of its events */
};

struct ladder {
    struct ladder_style style;
    struct filter *display;
    struct lconn **slots; /* open addressing by id, backward-shift deletion */
    size_t cap;           /* a power of two */
    size_t live;
};

struct ladder_style ladder_style_for_stdout(bool ascii)
{
    struct ladder_style s = {false, false, 80};
    if (!ascii) {
        /* the codeset of the user's locale, then back to "C": nothing else changes */
        if (setlocale(LC_CTYPE, "") != NULL) {
            s.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
        }
        setlocale(LC_CTYPE, "C");
    }
    if (isatty(STDOUT_FILENO)) {
        const char *no_colour = getenv("NO_COLOR"); /* no-color.org: set and not empty */
        s.colour = no_colour == NULL || no_colour[0] == '\0';
        const char *cols = getenv("COLUMNS");
        struct winsize ws;
        if (cols != NULL && atoi(cols) > 0) {
            s.width = atoi(cols);
        } else if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
            s.width = ws.ws_col;
        }
    }
    s.width = s.width < LADDER_WIDTH_MIN   ? LADDER_WIDTH_MIN
              : s.width > LADDER_WIDTH_MAX ? LADDER_WIDTH_MAX
                                           : s.width;
    return s;
}

struct ladder *ladder_new(const struct ladder_style *style, struct filter *display)
{
    struct ladder *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    l->style = *style;
    l->display = display;
    return l;
}

static void conn_free(struct lconn *c)
{
    free(c->rows);
    free(c);
}

void ladder_free(struct ladder *l)
{
    if (l == NULL) {
        return;
    }
    for (size_t i = 0; i < l->cap; i++) {
        if (l->slots[i] != NULL) {
            conn_free(l->slots[i]);
        }
    }
    free(l->slots);
    filter_free(l->display);
    free(l);
}

static size_t slot_find(const struct ladder *l, uint64_t id)
{
    size_t i = eco_slot_of(id, l->cap);
    while (l->slots[i] != NULL && l->slots[i]->id != id) {
        i = (i + 1) & (l->cap - 1);
    }
    return i;
}

static bool table_grow(struct ladder *l)
{
    size_t cap = l->cap == 0 ? 64 : l->cap * 2;
    struct lconn **old = l->slots;
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
static struct lconn *conn_of(struct ladder *l, uint64_t id, bool make)
{
    if (l->cap > 0) {
        struct lconn *c = l->slots[slot_find(l, id)];
        if (c != NULL || !make) {
            return c;
        }
    }
    if (!make || l->live >= LADDER_CONNS_MAX ||
        ((l->live + 1) * 2 > l->cap && !table_grow(l))) {
        return NULL;
    }
    struct lconn *c = calloc(1, sizeof(*c));
    if (c != NULL) {
        c->id = id;
        l->slots[slot_find(l, id)] = c;
        l->live++;
    }
    return c;
}

static void forget(struct ladder *l, uint64_t id)
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

static struct lrow *new_row(struct lconn *c, const struct event_prefix *p)
{
    if (c->n == LADDER_ROWS_MAX) {
        c->more++;
        return NULL;
    }
    if (c->n == c->cap) {
        uint16_t cap = c->cap == 0 ? 16 : (uint16_t)(c->cap * 2);
        struct lrow *rows = realloc(c->rows, cap * sizeof(*rows));
        if (rows == NULL) {
            c->more++;
            return NULL;
        }
        c->rows = rows;
        c->cap = cap;
    }
    struct lrow *r = &c->rows[c->n++];
    r->ts = p->ts;
    r->dir = (uint8_t)p->d;
    r->flags = 0;
    r->text[0] = '\0';
    return r;
}

static void note_event(struct lconn *c, const struct event_prefix *p, const struct fields *f)
{
    const char *ev = f->event;
    if (strcmp(ev, "x509") == 0) {
        /* the leaf's facts go with the Certificate row just before it */
        const struct field *index = fields_find(f, "index");
        struct lrow *last = c->n > 0 ? &c->rows[c->n - 1] : NULL;
        if (index != NULL && index->num == 0 && last != NULL && last->dir == p->d &&
            strstr(last->text, "Certificate") != NULL) {
            struct piece s = {last->text, sizeof(last->text), strlen(last->text), false};
            certificate_facts(&s, f);
        }
        return;
    }
    struct lrow *r = new_row(c, p);
    if (r == NULL) {
        return;
    }
    struct piece s = {r->text, sizeof(r->text), 0, false};
    bool decrypted = is_set(f, "decrypted");
    if (decrypted || is_set(f, "encrypted") || strcmp(ev, "encrypted") == 0) {
        r->flags |= ROW_BRACES;
    }
    const char *open = r->flags & ROW_BRACES ? "{" : "";
    const char *close = r->flags & ROW_BRACES ? "}" : "";
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
            r->flags |= ROW_INFERRED;
            if (strcmp(name, "alert") == 0) {
                r->flags |= ROW_ALERT;
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
            r->flags |= ROW_ALERT;
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
            r->flags |= ROW_ALERT;
        }
    }
}

/* ---- drawing ---- */

struct glyphs {
    const char *v, *h, *right, *left, *from_client, *from_server;
};
static const struct glyphs utf8_glyphs = {"\u2502", "\u2500", "\u25b6", "\u25c0",
                                          "\u251c", "\u2524"};
static const struct glyphs ascii_glyphs = {"|", "-", ">", "<", "|", "|"};

#define RED "\033[31m"
#define DIM "\033[2m"
#define RESET "\033[0m"
#define MARGIN 9 /* the time column, then a space, then the client's lifeline */

/* One output line: bytes, and columns counted apart (glyphs are several bytes). */
struct dline {
    char buf[4 * LADDER_WIDTH_MAX + 256];
    size_t len;
};

static void dput(struct dline *d, const char *s, size_t n)
{
    if (n > sizeof(d->buf) - 1 - d->len) {
        n = sizeof(d->buf) - 1 - d->len;
    }
    memcpy(d->buf + d->len, s, n);
    d->len += n;
}

static void dstr(struct dline *d, const char *s)
{
    dput(d, s, strlen(s));
}

static void drepeat(struct dline *d, const char *s, int times)
{
    for (int i = 0; i < times; i++) {
        dstr(d, s);
    }
}

static void dend(struct dline *d, struct output *o)
{
    dput(d, "\n", 1);
    out_write(o, d->buf, d->len);
    d->len = 0;
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

static void margin(struct dline *d, const char *text)
{
    int n = (int)strlen(text);
    drepeat(d, " ", MARGIN - n > 0 ? MARGIN - n : 0);
    dstr(d, text);
    dstr(d, " ");
}

/* The lifelines alone: between flights, and before the footer. */
static void empty_row(const struct ladder *l, struct output *o, struct dline *d)
{
    const struct glyphs *g = l->style.utf8 ? &utf8_glyphs : &ascii_glyphs;
    margin(d, "");
    dstr(d, g->v);
    drepeat(d, " ", l->style.width - MARGIN - 3);
    dstr(d, g->v);
    dend(d, o);
}

/* The next words of text that fit in room columns (at least one word, cut with "..." when
 * it alone is longer): its length, and *next past it. */
static size_t take_words(const char *text, size_t room, const char **next, bool *cut)
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

static void draw_row(const struct ladder *l, struct output *o, struct dline *d,
                     const struct lrow *r, const char *gap)
{
    const struct glyphs *g = l->style.utf8 ? &utf8_glyphs : &ascii_glyphs;
    int inner = l->style.width - MARGIN - 3;
    bool c2s = r->dir == DIR_C2S;
    const char *colour = !l->style.colour          ? NULL
                         : r->flags & ROW_ALERT    ? RED
                         : r->flags & ROW_INFERRED ? DIM
                                                   : NULL;
    const char *text = r->text;
    bool first = true;
    while (first || *text != '\0') {
        size_t room = (size_t)(first ? inner - 5 : inner - 6);
        const char *next;
        bool cut;
        size_t n = take_words(text, room, &next, &cut);
        size_t shown = n + (cut ? 3 : 0);
        margin(d, first ? gap : "");
        dstr(d, first && c2s ? g->from_client : g->v);
        if (colour != NULL) {
            dstr(d, colour);
        }
        int fill = inner - (int)shown - (first ? 4 : 6); /* the arrow's or the pad's length */
        if (first && c2s) {
            dstr(d, g->h);
            dstr(d, " ");
            dput(d, text, n);
            dstr(d, cut ? "..." : "");
            dstr(d, " ");
            drepeat(d, g->h, fill);
            dstr(d, g->right);
        } else if (first) {
            dstr(d, g->left);
            drepeat(d, g->h, fill);
            dstr(d, " ");
            dput(d, text, n);
            dstr(d, cut ? "..." : "");
            dstr(d, " ");
            dstr(d, g->h);
        } else {
            drepeat(d, " ", c2s ? 4 : fill + 2);
            dput(d, text, n);
            dstr(d, cut ? "..." : "");
            drepeat(d, " ", c2s ? fill + 2 : 4);
        }
        if (colour != NULL) {
            dstr(d, RESET);
        }
        dstr(d, first && !c2s ? g->from_server : g->v);
        dend(d, o);
        text = next;
        first = false;
    }
}

/* Words wrapped at the width, the first line after lead, the others indented by two. */
static void draw_words(const struct ladder *l, struct output *o, struct dline *d,
                       const char *lead, const char *words, const char *colour)
{
    size_t col = strlen(lead);
    size_t width = (size_t)l->style.width;
    dstr(d, lead);
    if (colour != NULL) {
        dstr(d, colour);
    }
    const char *w = words;
    while (*w != '\0') {
        const char *sp = strchr(w, ' ');
        size_t n = sp != NULL ? (size_t)(sp - w) : strlen(w);
        if (n > 0) {
            if (col > 2 && col + 1 + n > width) {
                if (colour != NULL) {
                    dstr(d, RESET);
                }
                dend(d, o);
                dstr(d, "  ");
                if (colour != NULL) {
                    dstr(d, colour);
                }
                col = 2;
            } else if (col > 0) {
                dstr(d, " ");
                col++;
            }
            size_t room = width > col ? width - col : 0;
            if (n > room && room > 3) {
                dput(d, w, room - 3);
                dstr(d, "...");
                col = width;
            } else {
                dput(d, w, n);
                col += n;
            }
        }
        w += n + (sp != NULL);
    }
    if (colour != NULL) {
        dstr(d, RESET);
    }
    dend(d, o);
}

/* The close line's values, key=value and space-separated, into s. */
static void close_facts(struct piece *s, const struct fields *f, const char *const *keys)
{
    for (size_t i = 0; keys[i] != NULL; i++) {
        fact(s, f, keys[i], keys[i]);
    }
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

static void draw(struct ladder *l, struct output *o, const struct lconn *c,
                 const struct event_prefix *p, const struct fields *f)
{
    static struct dline d;
    const struct glyphs *g = l->style.utf8 ? &utf8_glyphs : &ascii_glyphs;
    char buf[4096], time[64], head[EVENT_HEAD_MAX + 80], cep[ENDPOINT_STR_MAX],
        sep[ENDPOINT_STR_MAX];
    struct timeval start = start_of(p, f);
    size_t arrow, n = 0;
    if (out_format_start(o, start, time, sizeof(time))) {
        n = (size_t)snprintf(head, sizeof(head), "%s ", time);
    }
    out_event_head(p->conn_id, out_prefix_client(p, cep), out_prefix_server(p, sep), head + n,
                   &arrow);
    /* header: who, then what was negotiated */
    static const char *const head_keys[] = {"version", "cipher_suite", "group", "sni", "alpn",
                                            "flow", NULL};
    struct piece s = {buf, sizeof(buf), 0, false};
    buf[0] = '\0';
    close_facts(&s, f, head_keys);
    draw_words(l, o, &d, head, buf, NULL);
    margin(&d, "");
    dstr(&d, "client");
    drepeat(&d, " ", l->style.width - MARGIN - 1 - 12);
    dstr(&d, "server");
    dend(&d, o);
    struct timeval prev = start;
    for (uint16_t i = 0; i < (c != NULL ? c->n : 0); i++) {
        const struct lrow *r = &c->rows[i];
        char gap[32] = "";
        if (i == 0 || r->dir != c->rows[i - 1].dir) {
            empty_row(l, o, &d);
            format_gap(r->ts, prev, gap, sizeof(gap));
        }
        draw_row(l, o, &d, r, gap);
        prev = r->ts;
    }
    if (c != NULL && c->more > 0) {
        int more = snprintf(buf, sizeof(buf), "    %u more not drawn (at most %d rows)", c->more,
                         LADDER_ROWS_MAX);
        margin(&d, "");
        dstr(&d, g->v);
        dstr(&d, buf);
        drepeat(&d, " ", l->style.width - MARGIN - 3 - more);
        dstr(&d, g->v);
        dend(&d, o);
    }
    empty_row(l, o, &d);
    /* footer: how it ended, then the counts each way */
    static const char *const status_keys[] = {"status", "cause", "alert", "alert_from", "flags",
                                              "end", "duration", NULL};
    s.len = 0;
    s.cut = false;
    buf[0] = '\0';
    close_facts(&s, f, status_keys);
    bool failed = eco_token_is(f, "status", "failed");
    draw_words(l, o, &d, "", buf + (buf[0] == ' '),
               l->style.colour && failed ? RED : NULL);
    static const char *const count_keys[] = {"records_c2s", "bytes_c2s", "records_s2c",
                                             "bytes_s2c", "datagrams_c2s", "datagrams_s2c",
                                             "encrypted_c2s", "encrypted_s2c",
                                             "decrypted_records", NULL};
    s.len = 0;
    s.cut = false;
    buf[0] = '\0';
    close_facts(&s, f, count_keys);
    if (s.len > 0) {
        draw_words(l, o, &d, "", buf + 1, NULL);
    }
    dend(&d, o); /* a blank line between connections */
}

void ladder_event(struct ladder *l, struct output *o, const struct event_prefix *p,
                  const struct fields *f)
{
    bool close = strcmp(f->event, "close") == 0;
    struct lconn *c = conn_of(l, p->conn_id, !close);
    bool matched = l->display == NULL || (c != NULL && c->matched) ||
                   filter_match(l->display, p, f);
    if (!close) {
        if (c != NULL) {
            c->matched = matched;
            note_event(c, p, f);
        }
        return;
    }
    if (matched) {
        draw(l, o, c, p, f);
    }
    forget(l, p->conn_id);
}
