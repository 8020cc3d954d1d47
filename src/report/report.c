/* The end-of-run report (report.h): two Space-Saving tables keyed by server and by JA4, each
 * slot with its row of counts, and the rows a slot gave up folded into an "other" row, so
 * every connection is counted in exactly one row of each table. */
#include "report/report.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/fnv.h"
#include "base/names.h"
#include "checks/cert_check.h"
#include "output/endpoint.h"
#include "output/output.h"
#include "report/top_table.h"
#include "tls/tls.h"

/* A server's key: 'n' (named by its SNI) or 'a' (by its address), the port (big-endian),
 * then the name. */
#define SERVER_NAME_MAX (TLS_SNI_MAX > INET6_ADDRSTRLEN ? TLS_SNI_MAX : INET6_ADDRSTRLEN)
#define SERVER_KEY_MAX (3 + SERVER_NAME_MAX)
#define REPORT_TRUSTS 3 /* enum cert_trust */
/* Names of a row's counts: the longest enum today is CAUSE_COUNT; room for more. */
#define ITEMS_MAX 64

/* Code points in the order first seen, the rest counted as other. */
struct code_counts {
    uint16_t code[REPORT_CODES];
    uint64_t count[REPORT_CODES];
    uint8_t n;
    uint64_t other;
};

struct server_row {
    uint64_t handshakes; /* connections counted into this row */
    uint64_t failures;
    uint64_t causes[CAUSE_COUNT];
    struct code_counts versions;
    struct code_counts suites;
    uint64_t cert_issues[CERT_ISSUE_COUNT];
    uint64_t trust[REPORT_TRUSTS];
    uint64_t weak[WEAK_COUNT];
};

struct client_row {
    uint64_t handshakes;
    uint64_t failures;
    uint64_t servers[REPORT_SERVERS_EXACT]; /* hashes of the server keys reached */
    uint8_t n_servers;
    bool servers_more; /* more than REPORT_SERVERS_EXACT */
};

struct report {
    uint64_t connections;
    struct top_table *server_keys;
    struct server_row *servers; /* by slot */
    struct server_row other_server;
    struct top_table *client_keys;
    struct client_row *clients;
    struct client_row other_client;
};

struct report *report_new(size_t top)
{
    if (top == 0 || top > REPORT_TOP_MAX) {
        return NULL;
    }
    struct report *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    r->server_keys = top_new(top, SERVER_KEY_MAX);
    r->client_keys = top_new(top, TLS_JA4_LEN);
    r->servers = calloc(top, sizeof(*r->servers));
    r->clients = calloc(top, sizeof(*r->clients));
    if (r->server_keys == NULL || r->client_keys == NULL || r->servers == NULL ||
        r->clients == NULL) {
        report_free(r);
        return NULL;
    }
    return r;
}

void report_free(struct report *r)
{
    if (r == NULL) {
        return;
    }
    top_free(r->server_keys);
    top_free(r->client_keys);
    free(r->servers);
    free(r->clients);
    free(r);
}

static void codes_add(struct code_counts *c, uint16_t code, uint64_t n)
{
    for (uint8_t i = 0; i < c->n; i++) {
        if (c->code[i] == code) {
            c->count[i] += n;
            return;
        }
    }
    if (c->n < REPORT_CODES) {
        c->code[c->n] = code;
        c->count[c->n++] = n;
        return;
    }
    c->other += n;
}

static void codes_fold(struct code_counts *into, const struct code_counts *from)
{
    for (uint8_t i = 0; i < from->n; i++) {
        codes_add(into, from->code[i], from->count[i]);
    }
    into->other += from->other;
}

static void add_counts(uint64_t *into, const uint64_t *from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        into[i] += from[i];
    }
}

static void fold_server(struct server_row *into, const struct server_row *from)
{
    into->handshakes += from->handshakes;
    into->failures += from->failures;
    add_counts(into->causes, from->causes, CAUSE_COUNT);
    codes_fold(&into->versions, &from->versions);
    codes_fold(&into->suites, &from->suites);
    add_counts(into->cert_issues, from->cert_issues, CERT_ISSUE_COUNT);
    add_counts(into->trust, from->trust, REPORT_TRUSTS);
    add_counts(into->weak, from->weak, WEAK_COUNT);
}

static void client_reached(struct client_row *row, uint64_t server)
{
    for (uint8_t i = 0; i < row->n_servers; i++) {
        if (row->servers[i] == server) {
            return;
        }
    }
    if (row->n_servers < REPORT_SERVERS_EXACT) {
        row->servers[row->n_servers++] = server;
    } else {
        row->servers_more = true;
    }
}

static void fold_client(struct client_row *into, const struct client_row *from)
{
    into->handshakes += from->handshakes;
    into->failures += from->failures;
    for (uint8_t i = 0; i < from->n_servers; i++) {
        client_reached(into, from->servers[i]);
    }
    into->servers_more = into->servers_more || from->servers_more;
}

static size_t server_key(const struct report_conn *c, uint8_t key[SERVER_KEY_MAX])
{
    size_t n = 3;
    key[1] = (uint8_t)(c->server->port >> 8);
    key[2] = (uint8_t)c->server->port;
    if (c->sni != NULL) {
        key[0] = 'n';
        n += c->sni_len < SERVER_NAME_MAX ? c->sni_len : SERVER_NAME_MAX;
        memcpy(key + 3, c->sni, n - 3);
        return n;
    }
    key[0] = 'a';
    char text[INET6_ADDRSTRLEN];
    int family = c->server->family == 6 ? AF_INET6 : AF_INET;
    if (inet_ntop(family, c->server->addr, text, sizeof(text)) == NULL) {
        text[0] = '\0';
    }
    size_t len = strlen(text);
    memcpy(key + 3, text, len);
    return n + len;
}

static void count_server(struct server_row *row, const struct report_conn *c)
{
    row->handshakes++;
    if (c->cause != CAUSE_NONE) {
        row->failures++;
        if ((unsigned)c->cause < CAUSE_COUNT) {
            row->causes[c->cause]++;
        }
    }
    if (c->has_version) {
        codes_add(&row->versions, c->version, 1);
        codes_add(&row->suites, c->cipher_suite, 1);
    }
    if (c->chain != NULL && c->chain->checked) {
        for (unsigned i = 0; i < CERT_ISSUE_COUNT; i++) {
            row->cert_issues[i] += (c->chain->issues >> i) & 1u;
        }
        if ((unsigned)c->chain->trust < REPORT_TRUSTS) {
            row->trust[c->chain->trust]++;
        }
    }
    for (unsigned i = 0; i < WEAK_COUNT; i++) {
        row->weak[i] += (c->weak >> i) & 1u;
    }
}

void report_count(struct report *r, const struct report_conn *c)
{
    r->connections++;
    uint8_t key[SERVER_KEY_MAX];
    size_t key_len = server_key(c, key);
    bool taken;
    size_t slot = top_hit(r->server_keys, key, key_len, &taken);
    if (taken) {
        fold_server(&r->other_server, &r->servers[slot]);
        memset(&r->servers[slot], 0, sizeof(r->servers[slot]));
    }
    count_server(&r->servers[slot], c);

    slot = top_hit(r->client_keys, (const uint8_t *)c->ja4, strlen(c->ja4), &taken);
    struct client_row *row = &r->clients[slot];
    if (taken) {
        fold_client(&r->other_client, row);
        memset(row, 0, sizeof(*row));
    }
    row->handshakes++;
    row->failures += c->cause != CAUSE_NONE;
    client_reached(row, fnv1a64(FNV1A64_BASIS, key, key_len));
}

void report_add(struct report *r, const struct tls_state *st, const struct endpoint *server,
                const struct close_facts *end)
{
    struct report_conn c = {
        .sni = st->has_sni ? (const uint8_t *)st->sni : NULL,
        .sni_len = st->has_sni ? st->sni_len : 0,
        .server = server,
        .ja4 = st->ja4,
        /* as flow_negotiated() shows them: only from a ServerHello that parsed cleanly */
        .has_version = st->server_hello_seen && !st->server_hello_malformed,
        .version = st->version,
        .cipher_suite = st->cipher_suite,
        .cause = cause_of(st, end),
        .weak = weak_negotiated(st),
        .chain = &st->server_chain,
    };
    report_count(r, &c);
}

/* One line being built; past its room the rest is dropped and `full` set (a row's text is
 * bounded: a name of at most SERVER_NAME_MAX bytes escaped, and fixed lists of names). */
#define LINE_ROOM 16384
struct line {
    char buf[LINE_ROOM];
    size_t len;
    bool full;
};

/* Not `= {0}`: that would clear all LINE_ROOM bytes for every cell. */
static void line_init(struct line *l)
{
    l->len = 0;
    l->full = false;
    l->buf[0] = '\0';
}

static void put(struct line *l, const char *s, size_t n)
{
    if (l->full || n >= LINE_ROOM - l->len) {
        l->full = true;
        return;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

static void puts_(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

static void put_uint(struct line *l, uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
    put(l, digits, (size_t)n);
}

/* A row's counts by name, the largest first (ties in the order given), "other" last. */
struct item {
    const char *name;
    uint64_t count;
};
struct items {
    struct item it[ITEMS_MAX];
    size_t n;
    char code_names[REPORT_CODES][NAMES_BUF];
};

static void items_push(struct items *s, const char *name, uint64_t count)
{
    if (count == 0 || s->n == ITEMS_MAX) {
        return;
    }
    size_t i = s->n++;
    while (i > 0 && s->it[i - 1].count < count) {
        s->it[i] = s->it[i - 1];
        i--;
    }
    s->it[i] = (struct item){name, count};
}

static const char *cause_item(unsigned i)
{
    return cause_name((enum tls_cause)i);
}

static const char *issue_item(unsigned i)
{
    return cert_issue_name((enum cert_issue)i);
}

static const char *weak_item(unsigned i)
{
    return weak_name((enum weak_item)i);
}

static const char *trust_item(unsigned i)
{
    static const char *const names[REPORT_TRUSTS] = {"not_checked", "trusted", "untrusted"};
    return names[i];
}

static void items_of(struct items *s, const uint64_t *counts, unsigned n,
                     const char *(*name)(unsigned))
{
    s->n = 0;
    for (unsigned i = 0; i < n; i++) {
        if (counts[i] != 0) {
            items_push(s, name(i), counts[i]);
        }
    }
}

static void items_of_codes(struct items *s, const struct code_counts *c, enum name_kind kind)
{
    s->n = 0;
    for (uint8_t i = 0; i < c->n; i++) {
        items_push(s, names_format(kind, c->code[i], s->code_names[i], NAMES_BUF), c->count[i]);
    }
    if (c->other != 0 && s->n < ITEMS_MAX) {
        s->it[s->n++] = (struct item){"other", c->other};
    }
}

/* name:count,... or "-" for none. */
static void put_items_text(struct line *l, const struct items *s)
{
    if (s->n == 0) {
        put(l, "-", 1);
    }
    for (size_t i = 0; i < s->n; i++) {
        if (i > 0) {
            put(l, ",", 1);
        }
        puts_(l, s->it[i].name);
        put(l, ":", 1);
        put_uint(l, s->it[i].count);
    }
}

static void put_json_string(struct line *l, const uint8_t *bytes, size_t n)
{
    char buf[6 * SERVER_NAME_MAX + 3];
    size_t len = out_json_string(cur_make(bytes, n), buf, sizeof(buf));
    put(l, buf, len);
}

static void put_json_key(struct line *l, const char *key)
{
    put(l, ",\"", 2);
    puts_(l, key);
    put(l, "\":", 2);
}

static void put_json_uint(struct line *l, const char *key, uint64_t v)
{
    put_json_key(l, key);
    put_uint(l, v);
}

static void put_items_json(struct line *l, const char *key, const struct items *s)
{
    put_json_key(l, key);
    put(l, "{", 1);
    for (size_t i = 0; i < s->n; i++) {
        if (i > 0) {
            put(l, ",", 1);
        }
        put_json_string(l, (const uint8_t *)s->it[i].name, strlen(s->it[i].name));
        put(l, ":", 1);
        put_uint(l, s->it[i].count);
    }
    put(l, "}", 1);
}

/* The lists of a server row, in column order. */
enum server_list { L_CAUSES, L_VERSIONS, L_SUITES, L_ISSUES, L_TRUST, L_WEAK, SERVER_LISTS };
/* chosen_cipher_suites, not cipher_suites, and *_counts: those keys are lists or tokens on
 * event lines, and a key has one type on every line (src/output/keys.def) */
static const char *const server_list_keys[SERVER_LISTS] = {
    "causes", "versions", "chosen_cipher_suites", "cert_issue_counts", "trust_counts",
    "weak_counts",
};

static void server_lists(const struct server_row *row, struct items lists[SERVER_LISTS])
{
    items_of(&lists[L_CAUSES], row->causes, CAUSE_COUNT, cause_item);
    items_of_codes(&lists[L_VERSIONS], &row->versions, NAMES_VERSION);
    items_of_codes(&lists[L_SUITES], &row->suites, NAMES_CIPHER);
    items_of(&lists[L_ISSUES], row->cert_issues, CERT_ISSUE_COUNT, issue_item);
    /* not_checked is no verdict: only chains checked are counted (count_server) */
    items_of(&lists[L_TRUST], row->trust, REPORT_TRUSTS, trust_item);
    items_of(&lists[L_WEAK], row->weak, WEAK_COUNT, weak_item);
}

/* One table row to print: a kept slot, or the other row (slot == SIZE_MAX). */
struct shown {
    size_t slot;
    const uint8_t *key;
    size_t key_len;
    uint64_t handshakes;
    uint64_t error;
};

#define OTHER_ROW SIZE_MAX

static int by_key(const struct shown *a, const struct shown *b, size_t skip)
{
    size_t la = a->key_len - skip;
    size_t lb = b->key_len - skip;
    int c = memcmp(a->key + skip, b->key + skip, la < lb ? la : lb);
    if (c != 0) {
        return c;
    }
    if (la != lb) {
        return la < lb ? -1 : 1;
    }
    return memcmp(a->key, b->key, skip); /* servers: by address after by name, then port */
}

static int by_handshakes(const struct shown *a, const struct shown *b)
{
    if (a->handshakes != b->handshakes) {
        return a->handshakes > b->handshakes ? -1 : 1;
    }
    return 0;
}

static int cmp_servers(const void *pa, const void *pb)
{
    const struct shown *a = pa;
    const struct shown *b = pb;
    int c = by_handshakes(a, b);
    return c != 0 ? c : by_key(a, b, 3);
}

static int cmp_clients(const void *pa, const void *pb)
{
    const struct shown *a = pa;
    const struct shown *b = pb;
    int c = by_handshakes(a, b);
    return c != 0 ? c : by_key(a, b, 0);
}

/* The kept rows in output order, then the other row when it counted anything; returns how
 * many (at most top + 1). */
static size_t shown_rows(const struct report *r, bool servers, struct shown *out)
{
    const struct top_table *t = servers ? r->server_keys : r->client_keys;
    size_t n = 0;
    for (size_t s = 0; s < top_used(t); s++) {
        out[n].slot = s;
        out[n].key = top_key(t, s, &out[n].key_len);
        out[n].handshakes = servers ? r->servers[s].handshakes : r->clients[s].handshakes;
        out[n].error = top_error(t, s);
        n++;
    }
    qsort(out, n, sizeof(*out), servers ? cmp_servers : cmp_clients);
    uint64_t other = servers ? r->other_server.handshakes : r->other_client.handshakes;
    if (other != 0) {
        out[n++] = (struct shown){OTHER_ROW, NULL, 0, other, 0};
    }
    return n;
}


#define TABLE_COLS_MAX 11

/* Cells of a text table, aligned when printed: numbers to the right, the rest to the left. */
struct table {
    size_t cols;
    const char *const *heads;
    const bool *right;
    size_t rows;
    char **cells; /* rows * cols, owned */
    bool failed;  /* out of memory */
};

static void table_set(struct table *t, size_t row, size_t col, const struct line *l)
{
    char *s = strdup(l->buf);
    t->failed = t->failed || s == NULL;
    t->cells[row * t->cols + col] = s;
}

static void table_set_uint(struct table *t, size_t row, size_t col, const char *prefix,
                           uint64_t v)
{
    struct line l;
    line_init(&l);
    puts_(&l, prefix);
    put_uint(&l, v);
    table_set(t, row, col, &l);
}

static bool table_print(const struct table *t, FILE *fp)
{
    size_t width[TABLE_COLS_MAX];
    for (size_t c = 0; c < t->cols; c++) {
        width[c] = strlen(t->heads[c]);
        for (size_t r = 0; r < t->rows; r++) {
            const char *s = t->cells[r * t->cols + c];
            size_t w = s != NULL ? strlen(s) : 0;
            width[c] = w > width[c] ? w : width[c];
        }
    }
    for (size_t r = 0; r <= t->rows; r++) {
        for (size_t c = 0; c < t->cols; c++) {
            const char *s = r == 0 ? t->heads[c] : t->cells[(r - 1) * t->cols + c];
            s = s != NULL ? s : "";
            int w = (int)width[c];
            bool last = c + 1 == t->cols;
            if (t->right[c]) {
                fprintf(fp, "%s%*s", c > 0 ? "  " : "", w, s);
            } else if (last) {
                fprintf(fp, "%s%s", c > 0 ? "  " : "", s);
            } else {
                fprintf(fp, "%s%-*s", c > 0 ? "  " : "", w, s);
            }
        }
        fputc('\n', fp);
    }
    return !ferror(fp);
}

static void table_free(struct table *t)
{
    if (t->cells == NULL) {
        return;
    }
    for (size_t i = 0; i < t->rows * t->cols; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
}

static bool table_alloc(struct table *t, size_t rows)
{
    t->rows = rows;
    t->cells = calloc(rows * t->cols + 1, sizeof(*t->cells));
    return t->cells != NULL;
}

static void text_name(struct line *l, const uint8_t *name, size_t n)
{
    char buf[4 * SERVER_NAME_MAX + 3];
    out_text_value(cur_make(name, n), false, buf, sizeof(buf));
    puts_(l, buf);
}

/* A row's first cell: its name from the key (past `skip` bytes) escaped as on event lines,
 * "(other)", or "-" for an empty name (a connection without a JA4). */
static void name_cell(struct table *t, size_t row, const struct shown *s, size_t skip)
{
    struct line l;
    line_init(&l);
    if (s->slot == OTHER_ROW) {
        puts_(&l, "(other)");
    } else if (s->key_len == skip) {
        puts_(&l, "-");
    } else {
        text_name(&l, s->key + skip, s->key_len - skip);
    }
    table_set(t, row, 0, &l);
}

static const char *const server_heads[] = {"server", "port", "handshakes", "error",
                                           "failures", "causes", "versions",
                                           "chosen_cipher_suites",
                                           "cert_issues", "trust", "weak"};
static const bool server_right[] = {false, true, true, true, true, false,
                                    false, false, false, false, false};

static void server_text_row(const struct report *r, const struct shown *s, struct table *t,
                            size_t row)
{
    const struct server_row *data = s->slot == OTHER_ROW ? &r->other_server
                                                         : &r->servers[s->slot];
    name_cell(t, row, s, 3);
    struct line l;
    if (s->slot == OTHER_ROW) {
        line_init(&l);
        puts_(&l, "-");
        table_set(t, row, 1, &l);
    } else {
        table_set_uint(t, row, 1, "", (uint64_t)s->key[1] << 8 | s->key[2]);
    }
    table_set_uint(t, row, 2, "", s->handshakes);
    table_set_uint(t, row, 3, "", s->error);
    table_set_uint(t, row, 4, "", data->failures);
    struct items lists[SERVER_LISTS];
    server_lists(data, lists);
    for (size_t i = 0; i < SERVER_LISTS; i++) {
        line_init(&l);
        put_items_text(&l, &lists[i]);
        table_set(t, row, 5 + i, &l);
    }
}

static const char *const client_heads[] = {"ja4", "handshakes", "error", "servers",
                                           "failures"};
static const bool client_right[] = {false, true, true, true, true};

static void client_text_row(const struct report *r, const struct shown *s, struct table *t,
                            size_t row)
{
    const struct client_row *data = s->slot == OTHER_ROW ? &r->other_client
                                                         : &r->clients[s->slot];
    name_cell(t, row, s, 0);
    table_set_uint(t, row, 1, "", s->handshakes);
    table_set_uint(t, row, 2, "", s->error);
    table_set_uint(t, row, 3, data->servers_more ? ">=" : "", data->n_servers);
    table_set_uint(t, row, 4, "", data->failures);
}


static void server_json_row(const struct report *r, const struct shown *s, struct line *l)
{
    const struct server_row *data = s->slot == OTHER_ROW ? &r->other_server
                                                         : &r->servers[s->slot];
    puts_(l, "{\"event\":\"report_server\"");
    if (s->slot == OTHER_ROW) {
        puts_(l, ",\"other\":true");
    } else {
        put_json_key(l, "server");
        put_json_string(l, s->key + 3, s->key_len - 3);
        put_json_uint(l, "port", (uint64_t)s->key[1] << 8 | s->key[2]);
        put_json_key(l, "is_sni"); /* sni= on event lines is the name itself */
        puts_(l, s->key[0] == 'n' ? "true" : "false");
    }
    put_json_uint(l, "handshakes", s->handshakes);
    put_json_uint(l, "error", s->error);
    put_json_uint(l, "failures", data->failures);
    struct items lists[SERVER_LISTS];
    server_lists(data, lists);
    for (size_t i = 0; i < SERVER_LISTS; i++) {
        put_items_json(l, server_list_keys[i], &lists[i]);
    }
    puts_(l, "}\n");
}

static void client_json_row(const struct report *r, const struct shown *s, struct line *l)
{
    const struct client_row *data = s->slot == OTHER_ROW ? &r->other_client
                                                         : &r->clients[s->slot];
    puts_(l, "{\"event\":\"report_client\"");
    if (s->slot == OTHER_ROW) {
        puts_(l, ",\"other\":true");
    } else if (s->key_len > 0) {
        put_json_key(l, "ja4");
        put_json_string(l, s->key, s->key_len);
    }
    put_json_uint(l, "handshakes", s->handshakes);
    put_json_uint(l, "error", s->error);
    put_json_uint(l, "servers", data->n_servers);
    put_json_key(l, "servers_exact");
    puts_(l, data->servers_more ? "false" : "true");
    put_json_uint(l, "failures", data->failures);
    puts_(l, "}\n");
}

static bool write_line(const struct line *l, FILE *fp)
{
    return fwrite(l->buf, 1, l->len, fp) == l->len;
}

static void summary_line(const struct report *r, struct line *l, enum out_format format)
{
    uint64_t v[] = {r->connections, top_cap(r->server_keys), top_used(r->server_keys),
                    top_taken(r->server_keys), top_used(r->client_keys),
                    top_taken(r->client_keys)};
    static const char *const keys[] = {"connections", "top", "servers", "servers_taken",
                                       "clients", "clients_taken"};
    puts_(l, format == FORMAT_JSON ? "{\"event\":\"report\"" : "report:");
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (format == FORMAT_JSON) {
            put_json_uint(l, keys[i], v[i]);
        } else {
            put(l, " ", 1);
            puts_(l, keys[i]);
            put(l, "=", 1);
            put_uint(l, v[i]);
        }
    }
    puts_(l, format == FORMAT_JSON ? "}\n" : "\n");
}

/* Fills and prints one text table, or writes its JSON rows. */
static bool print_table(const struct report *r, FILE *fp, enum out_format format,
                        bool servers, const struct shown *rows, size_t n)
{
    if (format == FORMAT_JSON) {
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
            struct line l;
            line_init(&l);
            if (servers) {
                server_json_row(r, &rows[i], &l);
            } else {
                client_json_row(r, &rows[i], &l);
            }
            ok = ok && write_line(&l, fp);
        }
        return ok;
    }
    struct table t = {
        .cols = servers ? TABLE_COLS_MAX : sizeof(client_heads) / sizeof(client_heads[0]),
        .heads = servers ? server_heads : client_heads,
        .right = servers ? server_right : client_right,
    };
    if (!table_alloc(&t, n)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (servers) {
            server_text_row(r, &rows[i], &t, i);
        } else {
            client_text_row(r, &rows[i], &t, i);
        }
    }
    bool ok = !t.failed && fputc('\n', fp) != EOF && table_print(&t, fp);
    table_free(&t);
    return ok;
}

bool report_print(const struct report *r, FILE *fp, enum out_format format)
{
    size_t cap = top_cap(r->server_keys) + 1;
    struct shown *rows = calloc(cap, sizeof(*rows));
    if (rows == NULL) {
        return false;
    }
    struct line l;
    line_init(&l);
    summary_line(r, &l, format);
    bool ok = write_line(&l, fp);
    for (int servers = 1; servers >= 0 && ok; servers--) {
        size_t n = shown_rows(r, servers, rows);
        ok = print_table(r, fp, format, servers, rows, n);
    }
    free(rows);
    return ok && fflush(fp) == 0;
}
