/* -T ecs and -T zeek: the events of each connection are looked at as they pass (the first
 * ClientHello's suites and SNI, each certificate, the plaintext messages and alerts for
 * Zeek's history) and one record is written at its close, with the close line's fields. */
#include "output/ecosystem.h"

#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/names.h"
#include "output/ecosystem_conn.h"
#include "output/output.h"
#include "tls/flow.h"

/* Open addressing by connection id; deleted slots are tombstones, cleared when the table is
 * rebuilt at its growth. */
#define TOMBSTONE ((struct eco_conn *)1)

struct eco {
    enum out_format format;
    FILE *x509_log;
    struct eco_conn **slots;
    size_t cap; /* a power of two */
    size_t live;
    size_t used; /* live and tombstones */
    bool ssl_header_done;
    bool x509_header_done;
    bool x509_failed;
    struct timeval last; /* the latest event time: Zeek's #close */
    /* x509.log deduplication (ZEEK_X509_SEEN_MAX entries): the first 8 bytes of the
     * fingerprint with host_cert and client_cert in the low bits, 0 empty */
    uint64_t *seen;
    size_t n_seen;
};

struct eco *eco_new(enum out_format format, FILE *x509_log)
{
    struct eco *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    e->format = format;
    e->x509_log = x509_log;
    return e;
}

static void conn_free(struct eco_conn *c)
{
    free(c->ciphers);
    free(c->cert_json[0]);
    free(c->cert_json[1]);
    free(c->fps[0]);
    free(c->fps[1]);
    free(c->sni);
    free(c);
}

void eco_free(struct eco *e)
{
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->cap; i++) {
        if (e->slots[i] != NULL && e->slots[i] != TOMBSTONE) {
            conn_free(e->slots[i]);
        }
    }
    free(e->slots);
    free(e->seen);
    free(e);
}

static struct eco_conn **find(struct eco *e, uint64_t id)
{
    if (e->cap == 0) {
        return NULL;
    }
    for (size_t i = eco_slot_of(id, e->cap);; i = (i + 1) & (e->cap - 1)) {
        struct eco_conn *c = e->slots[i];
        if (c == NULL) {
            return NULL;
        }
        if (c != TOMBSTONE && c->id == id) {
            return &e->slots[i];
        }
    }
}

static bool grow(struct eco *e)
{
    size_t cap = e->cap == 0 ? 64 : e->live * 4 > e->cap ? e->cap * 2 : e->cap;
    struct eco_conn **slots = calloc(cap, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < e->cap; i++) {
        struct eco_conn *c = e->slots[i];
        if (c != NULL && c != TOMBSTONE) {
            size_t j = eco_slot_of(c->id, cap);
            while (slots[j] != NULL) {
                j = (j + 1) & (cap - 1);
            }
            slots[j] = c;
        }
    }
    free(e->slots);
    e->slots = slots;
    e->cap = cap;
    e->used = e->live;
    return true;
}

/* The connection's entry, made at its first event; NULL past ECO_CONNS_MAX or without
 * memory (its record then comes from the close line alone). */
static struct eco_conn *conn_of(struct eco *e, const struct event_prefix *p)
{
    struct eco_conn **at = find(e, p->conn_id);
    if (at != NULL) {
        return *at;
    }
    if (e->live >= ECO_CONNS_MAX || ((e->used + 1) * 2 > e->cap && !grow(e))) {
        return NULL;
    }
    struct eco_conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->id = p->conn_id;
    c->start = p->ts;
    c->sni_matches = -1;
    c->last_alert = -1;
    size_t i = eco_slot_of(c->id, e->cap);
    while (e->slots[i] != NULL && e->slots[i] != TOMBSTONE) {
        i = (i + 1) & (e->cap - 1);
    }
    if (e->slots[i] == NULL) {
        e->used++;
    }
    e->slots[i] = c;
    e->live++;
    return c;
}

static void forget(struct eco *e, uint64_t id)
{
    struct eco_conn **at = find(e, id);
    if (at != NULL) {
        conn_free(*at);
        *at = TOMBSTONE;
        e->live--;
    }
}

void eco_put(struct eco_line *l, const char *s, size_t n)
{
    if (l->full || n > l->cap - l->len) {
        l->full = true;
        return;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

bool eco_field_text(const struct fields *f, const char *key, char *buf, size_t cap)
{
    const struct field *fd = fields_find(f, key);
    struct cursor v = fd != NULL ? fields_value(f, fd) : cur_make(NULL, 0);
    if (fd == NULL || cur_len(v) >= cap) {
        return false;
    }
    cur_copy(v, (uint8_t *)buf);
    buf[cur_len(v)] = '\0';
    return true;
}

bool eco_serial(const struct fields *x509, char *buf, size_t cap)
{
    if (!eco_field_text(x509, "serial", buf, cap)) {
        return false;
    }
    for (char *p = buf; *p != '\0'; p++) {
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
    }
    return true;
}

bool eco_token_is(const struct fields *f, const char *key, const char *value)
{
    const struct field *fd = fields_find(f, key);
    return fd != NULL && cur_equal(fields_value(f, fd), (const uint8_t *)value, strlen(value));
}

static bool flag_set(const struct fields *f, const char *key)
{
    const struct field *fd = fields_find(f, key);
    return fd != NULL && fd->type == FIELD_BOOL && fd->num != 0;
}

/* Zeek's ssl_history has a letter for what a keyless observer reads: plaintext handshake
 * messages, ChangeCipherSpec, alerts and heartbeats; nothing for protected records, nor for
 * what hsdump read through --keylog. */
static void note_history(struct eco_conn *c, const struct event_prefix *p,
                         const struct fields *f)
{
    if (flag_set(f, "encrypted") || flag_set(f, "decrypted")) {
        return;
    }
    int event = -1;
    if (strcmp(f->event, "handshake") == 0 && f->name != NULL) {
        uint32_t type;
        if (strcmp(f->name, "hello_retry_request") == 0) {
            event = FLOW_HRR;
        } else {
            /* a message hsdump has no name for: a type without a letter, 'Z' */
            event = names_value(NAMES_HS, f->name, &type) ? (int)type : 255;
        }
    } else if (strcmp(f->event, "change_cipher_spec") == 0) {
        event = FLOW_CCS;
    } else if (strcmp(f->event, "alert") == 0) {
        event = FLOW_ALERT;
        uint32_t value;
        char name[NAMES_BUF];
        if (eco_field_text(f, "description", name, sizeof(name))) {
            /* an unknown description prints as 0xNN (names_format) */
            if (names_value(NAMES_ALERT, name, &value) ||
                (name[0] == '0' && name[1] == 'x' &&
                 (value = (uint32_t)strtoul(name + 2, NULL, 16), true))) {
                c->last_alert = (int)value;
            }
        }
    } else if (strcmp(f->event, "heartbeat") == 0) {
        event = FLOW_HEARTBEAT;
    }
    if (event < 0 || c->history_len == ZEEK_HISTORY_MAX) {
        return;
    }
    char letter = flow_letter(event);
    if (p->d == DIR_S2C) {
        letter = (char)(letter - 'A' + 'a');
    }
    c->history[c->history_len++] = letter;
    c->history[c->history_len] = '\0';
}

/* The suites of ja3_string ("771,4865-4866,..."), GREASE already left out by JA3. */
static void note_ciphers(struct eco_conn *c, const struct fields *f)
{
    const struct field *fd = fields_find(f, "ja3_string");
    if (c->have_ciphers || fd == NULL) {
        return;
    }
    struct cursor s = fields_value(f, fd);
    const uint8_t *b = cur_data(s);
    size_t n = cur_len(s), i = 0, count = 1;
    while (i < n && b[i] != ',') {
        i++;
    }
    size_t start = ++i;
    for (size_t k = start; k < n && b[k] != ','; k++) {
        count += b[k] == '-';
    }
    if (count > ECO_CIPHERS_MAX) {
        count = ECO_CIPHERS_MAX;
        c->ciphers_cut = true;
    }
    c->ciphers = malloc(count * sizeof(c->ciphers[0]));
    if (c->ciphers == NULL) {
        return;
    }
    c->have_ciphers = true;
    uint32_t v = 0;
    bool digits = false;
    for (i = start; i <= n; i++) {
        if (i < n && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            digits = true;
            continue;
        }
        if (digits && c->n_ciphers < count) {
            c->ciphers[c->n_ciphers++] = (uint16_t)v;
        }
        v = 0;
        digits = false;
        if (i == n || b[i] == ',') {
            break;
        }
    }
}

static void note_sni(struct eco_conn *c, const struct fields *f)
{
    const struct field *fd = fields_find(f, "sni");
    if (c->sni != NULL || fd == NULL || fd->type != FIELD_STRING) {
        return;
    }
    struct cursor v = fields_value(f, fd);
    if (cur_len(v) == 0 || cur_len(v) > 0xffff || (c->sni = malloc(cur_len(v))) == NULL) {
        return;
    }
    cur_copy(v, c->sni);
    c->sni_len = (uint16_t)cur_len(v);
}

static bool written(struct eco *e, FILE *fp, const char *buf, size_t n)
{
    if (n > 0 && fwrite(buf, 1, n, fp) != n) {
        e->x509_failed = true;
    }
    return !e->x509_failed;
}

/* x509.log: once per (fingerprint, host_cert, client_cert), as Zeek deduplicates. */
static void x509_log(struct eco *e, const struct event_prefix *p, const struct fields *f,
                     const uint8_t sha256[32], bool leaf)
{
    /* every byte of the event's values escaped to four, and the columns' separators */
    static char line[4 * FIELDS_BUF + 4096];
    if (e->x509_log == NULL || e->x509_failed) {
        return;
    }
    if (sha256 != NULL) {
        uint64_t key = 0;
        for (int i = 0; i < 8; i++) {
            key = key << 8 | sha256[i];
        }
        key = (key & ~(uint64_t)3) | (leaf ? 2 : 0) | (p->d == DIR_C2S ? 1 : 0);
        key = key == 0 ? 4 : key;
        if (e->seen == NULL && (e->seen = calloc(ZEEK_X509_SEEN_MAX * 2, sizeof(uint64_t))) ==
                                   NULL) {
            return;
        }
        size_t cap = ZEEK_X509_SEEN_MAX * 2;
        size_t i = eco_slot_of(key, cap);
        for (; e->seen[i] != 0; i = (i + 1) & (cap - 1)) {
            if (e->seen[i] == key) {
                return; /* logged already */
            }
        }
        if (e->n_seen == ZEEK_X509_SEEN_MAX) {
            memset(e->seen, 0, cap * sizeof(uint64_t)); /* full: start again */
            e->n_seen = 0;
            i = eco_slot_of(key, cap);
        }
        e->seen[i] = key;
        e->n_seen++;
    }
    if (!e->x509_header_done) {
        e->x509_header_done = true;
        if (!written(e, e->x509_log, line, zeek_header("x509", p->ts, line, sizeof(line)))) {
            return;
        }
    }
    (void)written(e, e->x509_log, line,
                  zeek_x509_record(p->ts, f, p->d == DIR_C2S, line, sizeof(line)));
}

static void note_certificate(struct eco *e, struct eco_conn *c, const struct event_prefix *p,
                             const struct fields *f)
{
    enum dir side = p->d;
    const struct field *index = fields_find(f, "index");
    const struct field *sha = fields_find(f, "sha256");
    const uint8_t *sha256 = NULL;
    if (sha != NULL && sha->type == FIELD_HEX && sha->len == 32) {
        sha256 = f->buf + sha->off;
    }
    bool leaf = index != NULL && index->num == 0;
    if (e->format == FORMAT_ZEEK) {
        x509_log(e, p, f, sha256, leaf);
    }
    if (c == NULL) {
        return;
    }
    if (sha256 != NULL && c->n_fps[side] < ECO_CHAIN_MAX) {
        if (c->fps[side] == NULL) {
            c->fps[side] = malloc(ECO_CHAIN_MAX * sizeof(c->fps[side][0]));
        }
        if (c->fps[side] != NULL) {
            memcpy(c->fps[side][c->n_fps[side]++], sha256, 32);
        }
    }
    if (!leaf || c->have_leaf[side]) {
        return;
    }
    c->have_leaf[side] = true;
    if (sha256 != NULL) {
        memcpy(c->leaf_sha256[side], sha256, 32);
    }
    if (e->format == FORMAT_ECS) {
        c->cert_json[side] = ecs_cert_json(f);
        c->cert_omitted[side] = c->cert_json[side] == NULL;
    } else if (side == DIR_S2C && c->sni != NULL) {
        c->sni_matches = zeek_name_matches(cur_make(c->sni, c->sni_len), f) ? 1 : 0;
    }
}

static void write_record(struct eco *e, struct output *o, struct eco_conn *c,
                         const struct event_prefix *p, const struct fields *f)
{
    struct eco_conn alone;
    if (c == NULL) { /* not followed (see conn_of): what the close line says */
        memset(&alone, 0, sizeof(alone));
        alone.id = p->conn_id;
        alone.start = p->ts;
        alone.sni_matches = -1;
        alone.last_alert = -1;
        c = &alone;
    }
    size_t cap;
    char *at = out_line_begin(o, &cap);
    if (e->format == FORMAT_ECS) {
        out_line_end(o, ecs_record(c, p, f, at, cap));
        return;
    }
    if (!e->ssl_header_done) {
        e->ssl_header_done = true;
        out_line_end(o, zeek_header("ssl", c->start, at, cap));
        at = out_line_begin(o, &cap);
    }
    out_line_end(o, zeek_ssl_record(c, p, f, at, cap));
}

void eco_event(struct eco *e, struct output *o, const struct event_prefix *p,
               const struct fields *f)
{
    if (timercmp(&p->ts, &e->last, >)) {
        e->last = p->ts;
    }
    bool close = strcmp(f->event, "close") == 0;
    struct eco_conn *c = conn_of(e, p);
    if (close) {
        write_record(e, o, c, p, f);
        forget(e, p->conn_id);
        return;
    }
    if (strcmp(f->event, "x509") == 0) {
        note_certificate(e, c, p, f);
        return;
    }
    if (c == NULL) {
        return;
    }
    if (e->format == FORMAT_ZEEK) {
        note_history(c, p, f);
    }
    if (f->name != NULL && strcmp(f->name, "client_hello") == 0) {
        if (e->format == FORMAT_ECS) {
            note_ciphers(c, f);
        } else {
            note_sni(c, f);
        }
    }
}

bool eco_end(struct eco *e, struct output *o)
{
    char line[64];
    if (e->format == FORMAT_ZEEK && e->ssl_header_done) {
        size_t cap;
        char *at = out_line_begin(o, &cap);
        out_line_end(o, zeek_close(e->last, at, cap));
    }
    if (e->x509_log != NULL && e->x509_header_done) {
        (void)written(e, e->x509_log, line, zeek_close(e->last, line, sizeof(line)));
    }
    return !e->x509_failed;
}
