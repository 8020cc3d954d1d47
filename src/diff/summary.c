/* Handshake summaries from hsdump's JSON Lines: events are grouped by "conn", and of each
 * connection only the fields that a new recording of the same handshake repeats are kept
 * (see summary.h for the list). Used by hsdump diff and --canonical. */
#include "diff/summary.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/fnv.h"
#include "base/hex.h"
#include "messages.h"
#include "output/output.h"

struct field_def {
    const char *name;
    bool is_list;
};

static const struct field_def field_defs[SUMMARY_FIELD_COUNT] = {
    [SUMMARY_TRANSPORT] = {"transport", false},
    [SUMMARY_STARTTLS] = {"starttls", false},
    [SUMMARY_OFFERED_LEGACY_VERSION] = {"offered_legacy_version", false},
    [SUMMARY_OFFERED_VERSIONS] = {"offered_versions", true},
    [SUMMARY_OFFERED_CIPHER_SUITES] = {"offered_cipher_suites", true},
    [SUMMARY_EXTENSIONS] = {"extensions", true},
    [SUMMARY_GROUPS] = {"groups", true},
    [SUMMARY_SIGNATURE_ALGORITHMS] = {"signature_algorithms", true},
    [SUMMARY_KEY_SHARE_GROUPS] = {"key_share_groups", true},
    [SUMMARY_EC_POINT_FORMATS] = {"ec_point_formats", true},
    [SUMMARY_COMPRESSION_METHODS] = {"compression_methods", true},
    [SUMMARY_PSK_KEY_EXCHANGE_MODES] = {"psk_key_exchange_modes", true},
    [SUMMARY_ALPN_OFFERED] = {"alpn_offered", true},
    [SUMMARY_SNI] = {"sni", false},
    [SUMMARY_JA3] = {"ja3", false},
    [SUMMARY_JA4] = {"ja4", false},
    [SUMMARY_HRR_OFFERED_CIPHER_SUITES] = {"hrr_offered_cipher_suites", true},
    [SUMMARY_HRR_EXTENSIONS] = {"hrr_extensions", true},
    [SUMMARY_HRR_KEY_SHARE_GROUPS] = {"hrr_key_share_groups", true},
    [SUMMARY_CIPHER_SUITE] = {"cipher_suite", false},
    [SUMMARY_SERVER_EXTENSIONS] = {"server_extensions", true},
    [SUMMARY_ALPN_CHOSEN] = {"alpn_chosen", false},
    [SUMMARY_JA3S] = {"ja3s", false},
    [SUMMARY_HRR_GROUP] = {"hrr_group", false},
    [SUMMARY_CHAIN_LENGTH] = {"chain_length", false},
    [SUMMARY_CLIENT_CHAIN_LENGTH] = {"client_chain_length", false},
    [SUMMARY_ALERTS] = {"alerts", true},
    [SUMMARY_VERSION] = {"version", false},
    [SUMMARY_GROUP] = {"group", false},
    [SUMMARY_FLOW] = {"flow", false},
    [SUMMARY_PSK_MODE] = {"psk_mode", false},
    [SUMMARY_FLAGS] = {"flags", true},
    [SUMMARY_EARLY_DATA] = {"early_data", false},
    [SUMMARY_STATUS] = {"status", false},
    [SUMMARY_HISTORY] = {"history", false},
    [SUMMARY_ALERT] = {"alert", false},
};

/* The x509 keys kept for each certificate, in canonical order. */
static const struct field_def cert_attrs[] = {
    {"subject", false},    {"issuer", false},    {"san_dns", true}, {"san_ip", true},
    {"not_before", false}, {"not_after", false}, {"key", false},    {"sha256", false},
};
#define N_CERT_ATTRS (sizeof(cert_attrs) / sizeof(cert_attrs[0]))

/* Certificates kept per chain: the rest still count in chain_length. */
#define MAX_CERTS 100

static const char *const key_names[SUMMARY_KEY_COUNT] = {
    [SUMMARY_KEY_SNI] = "sni",
    [SUMMARY_KEY_SERVER] = "server",
    [SUMMARY_KEY_CLIENT_HELLO] = "client-hello",
};

enum side { SIDE_SERVER, SIDE_CLIENT };

/* ---- values ---- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL) {
        abort(); /* out of memory: nothing sensible left to report */
    }
    return d;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL) {
        abort();
    }
    return q;
}

/* A JSON string as a value is kept: its characters, a NUL (a control character JSON may
 * carry) as \x00 like the bytes hsdump writes as \xHH in JSON strings, so values stay C
 * strings. */
static char *string_text(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    char *out = xrealloc(NULL, 4 * n + 1);
    char *w = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0') {
            memcpy(w, "\\x00", 4);
            w += 4;
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return out;
}

/* A JSON scalar as the text of one value. */
static char *scalar_text(const json_t *v)
{
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return string_text(v);
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return xstrdup(buf);
    case JSON_REAL:
        snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
        return xstrdup(buf);
    case JSON_TRUE:
        return xstrdup("true");
    case JSON_FALSE:
        return xstrdup("false");
    case JSON_NULL:
        return xstrdup("null");
    case JSON_OBJECT:
    case JSON_ARRAY:
    default: {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
        return s != NULL ? s : xstrdup("");
    }
    }
}

static void item_free(struct summary_item *it)
{
    for (size_t i = 0; i < it->n; i++) {
        free(it->values[i]);
    }
    free(it->values);
}

static void item_push(struct summary_item *it, char *value)
{
    it->values = xrealloc(it->values, (it->n + 1) * sizeof(*it->values));
    it->values[it->n++] = value;
}

/* The item for a JSON value: arrays lose their "grease" items; a scalar field given an array
 * (server_hello alpn) joins it with commas. */
static struct summary_item item_from_json(const char *name, uint64_t rank, bool is_list,
                                          const json_t *v)
{
    struct summary_item it = {.rank = rank, .is_list = is_list};
    snprintf(it.name, sizeof(it.name), "%s", name);
    if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            if (json_is_string(e) && strcmp(json_string_value(e), "grease") == 0) {
                continue;
            }
            item_push(&it, scalar_text(e));
        }
    } else {
        item_push(&it, scalar_text(v));
    }
    if (!is_list && it.n != 1) {
        size_t len = 1;
        for (size_t i = 0; i < it.n; i++) {
            len += strlen(it.values[i]) + 1;
        }
        char *joined = xrealloc(NULL, len);
        joined[0] = '\0';
        for (size_t i = 0; i < it.n; i++) {
            if (i > 0) {
                strcat(joined, ",");
            }
            strcat(joined, it.values[i]);
        }
        item_free(&it);
        it.values = NULL;
        it.n = 0;
        item_push(&it, joined);
    }
    return it;
}

bool summary_items_equal(const struct summary_item *a, const struct summary_item *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    if (a->is_list != b->is_list || a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->values[i], b->values[i]) != 0) {
            return false;
        }
    }
    return true;
}

static void summary_push(struct summary *s, struct summary_item it)
{
    s->items = xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
    s->items[s->n++] = it;
}

static void summary_add(struct summary *s, enum summary_field f, const json_t *event,
                        const char *key)
{
    const json_t *v = event != NULL ? json_object_get(event, key) : NULL;
    if (v == NULL) {
        return;
    }
    summary_push(s, item_from_json(field_defs[f].name, (uint64_t)f << 32, field_defs[f].is_list,
                                   v));
}

/* transport is on close lines for QUIC and DTLS only: without it, TCP. */
static void summary_add_transport(struct summary *s, const json_t *close)
{
    const json_t *v = close != NULL ? json_object_get(close, "transport") : NULL;
    json_t *tcp = json_string("tcp");
    summary_push(s, item_from_json(field_defs[SUMMARY_TRANSPORT].name,
                                   (uint64_t)SUMMARY_TRANSPORT << 32, false, v != NULL ? v : tcp));
    json_decref(tcp);
}

/* hrr_<field> only when the second client_hello differs from the first. */
static void summary_add_hrr(struct summary *s, enum summary_field f, const json_t *ch,
                            const json_t *ch2, const char *key)
{
    const json_t *v2 = json_object_get(ch2, key);
    const json_t *v1 = ch != NULL ? json_object_get(ch, key) : NULL;
    struct summary_item second = {.is_list = true};
    if (v2 != NULL) {
        second = item_from_json(field_defs[f].name, (uint64_t)f << 32, true, v2);
    } else {
        snprintf(second.name, sizeof(second.name), "%s", field_defs[f].name);
        second.rank = (uint64_t)f << 32;
    }
    if (v1 != NULL && v2 != NULL) {
        struct summary_item first = item_from_json("", 0, true, v1);
        bool same = summary_items_equal(&first, &second);
        item_free(&first);
        if (same) {
            item_free(&second);
            return;
        }
    } else if (v1 == NULL && v2 == NULL) {
        return;
    }
    summary_push(s, second);
}

/* A scalar made here rather than read (chain_length). */
static void summary_add_text(struct summary *s, enum summary_field f, char *value)
{
    struct summary_item it = {.rank = (uint64_t)f << 32, .is_list = false};
    snprintf(it.name, sizeof(it.name), "%s", field_defs[f].name);
    item_push(&it, value);
    summary_push(s, it);
}

static void summary_free(struct summary *s)
{
    for (size_t i = 0; i < s->n; i++) {
        item_free(&s->items[i]);
    }
    free(s->items);
    for (size_t k = 0; k < SUMMARY_KEY_COUNT; k++) {
        free(s->keys[k]);
    }
    free(s->extra.client);
    free(s->extra.cause);
    free(s->extra.signature_scheme);
    free(s->extra.ticket_lifetime);
    free(s->extra.cert_signature);
    free(s->extra.ee_alpn);
    memset(s, 0, sizeof(*s));
}

const struct summary_item *summary_find(const struct summary *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->items[i].name, name) == 0) {
            return &s->items[i];
        }
    }
    return NULL;
}

/* ---- building one connection's summary ---- */

/* What one connection's events left behind until its summary is made. */
struct builder {
    uint64_t conn;
    size_t slot;       /* its summary in the set */
    json_t *ch;        /* first client_hello */
    json_t *ch2;       /* the client_hello after a hello_retry_request */
    json_t *hrr;       /* hello_retry_request */
    json_t *sh;        /* first server_hello */
    json_t *close;     /* close event */
    json_t *certs[2];  /* x509 events of the first certificate message, per side */
    unsigned cert_msgs[2];
    json_int_t chain_length[2]; /* "certificates" of that message, -1 if not seen */
    json_t *alerts;    /* "from:level:description" strings */
    char *server;      /* the server endpoint, "127.0.0.1:443" */
    struct summary_extra extra; /* handed to the summary */
    bool in_use;
};

static void builder_clear(struct builder *b)
{
    json_decref(b->ch);
    json_decref(b->ch2);
    json_decref(b->hrr);
    json_decref(b->sh);
    json_decref(b->close);
    json_decref(b->certs[0]);
    json_decref(b->certs[1]);
    json_decref(b->alerts);
    free(b->server);
    free(b->extra.client);
    free(b->extra.signature_scheme);
    free(b->extra.ticket_lifetime);
    free(b->extra.cert_signature);
    free(b->extra.ee_alpn);
    memset(b, 0, sizeof(*b));
}

static void builder_start(struct builder *b, uint64_t conn, size_t slot)
{
    memset(b, 0, sizeof(*b));
    b->conn = conn;
    b->slot = slot;
    b->certs[0] = json_array();
    b->certs[1] = json_array();
    b->alerts = json_array();
    b->chain_length[0] = b->chain_length[1] = -1;
    b->extra.tickets = -1;
    b->extra.cert_record_size = -1;
    b->in_use = true;
}

static void keep(json_t **slot, json_t *event)
{
    if (*slot == NULL) {
        *slot = json_incref(event);
    }
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : dflt;
}

/* The first value of a string (or number) key, kept in *slot. */
static void keep_text(char **slot, const json_t *event, const char *key)
{
    const json_t *v = json_object_get(event, key);
    if (*slot == NULL && v != NULL && (json_is_string(v) || json_is_integer(v))) {
        *slot = scalar_text(v);
    }
}

/* "192.0.2.1:51710" -> "192.0.2.1", "[2001:db8::1]:443" -> "[2001:db8::1]". */
static char *address_only(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');
    size_t n = colon != NULL ? (size_t)(colon - endpoint) : strlen(endpoint);
    char *a = xrealloc(NULL, n + 1);
    memcpy(a, endpoint, n);
    a[n] = '\0';
    return a;
}

/* An encrypted record of the server inferred to be its Certificate (TLS 1.3 without keys). */
static bool inferred_certificate(const json_t *event)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(event, "inferred"), i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), "certificate") == 0) {
            return true;
        }
    }
    return false;
}

static void builder_take(struct builder *b, json_t *event)
{
    const char *kind = str_or(event, "event", "");
    const char *dir = str_or(event, "dir", "");
    enum side side = strcmp(dir, "c2s") == 0 ? SIDE_CLIENT : SIDE_SERVER;
    if (b->server == NULL && json_is_string(json_object_get(event, "server"))) {
        b->server = xstrdup(json_string_value(json_object_get(event, "server")));
    }
    if (b->extra.client == NULL && json_is_string(json_object_get(event, "client"))) {
        b->extra.client = address_only(json_string_value(json_object_get(event, "client")));
    }
    if (strcmp(kind, "encrypted") == 0 && side == SIDE_SERVER &&
        b->extra.cert_record_size < 0 && inferred_certificate(event) &&
        json_is_integer(json_object_get(event, "length"))) {
        b->extra.cert_record_size = (long)json_integer_value(json_object_get(event, "length"));
    }
    if (strcmp(kind, "handshake") == 0) {
        const char *msg = str_or(event, "message", "");
        if (side == SIDE_SERVER && (strcmp(msg, "server_key_exchange") == 0 ||
                                    strcmp(msg, "certificate_verify") == 0)) {
            keep_text(&b->extra.signature_scheme, event, "signature_scheme");
        } else if (side == SIDE_SERVER && strcmp(msg, "encrypted_extensions") == 0) {
            b->extra.saw_ee = true;
            keep_text(&b->extra.ee_alpn, event, "alpn");
        } else if (side == SIDE_SERVER && strcmp(msg, "new_session_ticket") == 0) {
            keep_text(&b->extra.ticket_lifetime, event, "ticket_lifetime");
            keep_text(&b->extra.ticket_lifetime, event, "ticket_lifetime_hint");
        }
        if (strcmp(msg, "client_hello") == 0) {
            if (b->ch == NULL) {
                keep(&b->ch, event);
            } else if (b->hrr != NULL) {
                keep(&b->ch2, event);
            }
        } else if (strcmp(msg, "hello_retry_request") == 0) {
            keep(&b->hrr, event);
        } else if (strcmp(msg, "server_hello") == 0) {
            keep(&b->sh, event);
        } else if (strcmp(msg, "certificate") == 0) {
            b->cert_msgs[side]++;
            const json_t *count = json_object_get(event, "certificates");
            if (b->cert_msgs[side] == 1 && json_is_integer(count)) {
                b->chain_length[side] = json_integer_value(count);
            }
        }
    } else if (strcmp(kind, "x509") == 0) {
        /* Only the first chain each way (a renegotiation may send another). */
        if (b->cert_msgs[side] <= 1 && json_array_size(b->certs[side]) < MAX_CERTS) {
            json_array_append(b->certs[side], event);
        }
    } else if (strcmp(kind, "alert") == 0) {
        const char *from = side == SIDE_CLIENT ? "client" : "server";
        char text[512];
        if (json_is_true(json_object_get(event, "encrypted"))) {
            snprintf(text, sizeof(text), "%s:encrypted", from);
        } else {
            snprintf(text, sizeof(text), "%s:%s:%s", from, str_or(event, "level", ""),
                     str_or(event, "description", ""));
        }
        json_array_append_new(b->alerts, json_string(text));
    } else if (strcmp(kind, "close") == 0) {
        keep(&b->close, event);
    }
}

static void add_certs(struct summary *s, enum summary_field f, const struct builder *b,
                      enum side side)
{
    const char *prefix = side == SIDE_CLIENT ? "client_cert" : "cert";
    json_int_t length = b->chain_length[side];
    if (length < 0 && json_array_size(b->certs[side]) > 0) {
        length = (json_int_t)json_array_size(b->certs[side]);
    }
    if (length < 0) {
        return;
    }
    char num[32];
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, length);
    summary_add_text(s, f, xstrdup(num));
    size_t i;
    const json_t *x;
    json_array_foreach(b->certs[side], i, x) {
        const json_t *index = json_object_get(x, "index");
        json_int_t idx = json_is_integer(index) ? json_integer_value(index) : (json_int_t)i;
        if (idx < 0 || idx >= MAX_CERTS) {
            continue;
        }
        for (size_t a = 0; a < N_CERT_ATTRS; a++) {
            const json_t *v = json_object_get(x, cert_attrs[a].name);
            if (v == NULL) {
                continue;
            }
            char name[40];
            snprintf(name, sizeof(name), "%s%" JSON_INTEGER_FORMAT ".%s", prefix, idx,
                     cert_attrs[a].name);
            uint64_t rank = (uint64_t)f << 32 | (uint64_t)(idx + 1) << 8 | a;
            summary_push(s, item_from_json(name, rank, cert_attrs[a].is_list, v));
        }
    }
}

static int item_cmp(const void *pa, const void *pb)
{
    const struct summary_item *a = pa, *b = pb;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static char *client_hello_key(const struct summary *s)
{
    const struct summary_item *ja4 = summary_find(s, "ja4");
    if (ja4 != NULL && ja4->n == 1) {
        return xstrdup(ja4->values[0]);
    }
    static const enum summary_field hashed[] = {
        SUMMARY_OFFERED_LEGACY_VERSION, SUMMARY_OFFERED_VERSIONS, SUMMARY_OFFERED_CIPHER_SUITES,
        SUMMARY_EXTENSIONS,            SUMMARY_GROUPS,           SUMMARY_SIGNATURE_ALGORITHMS,
        SUMMARY_ALPN_OFFERED,
    };
    uint64_t h = FNV1A64_BASIS; /* pairs equal offers, needs no cryptographic strength */
    for (size_t i = 0; i < sizeof(hashed) / sizeof(hashed[0]); i++) {
        const struct summary_item *it = summary_find(s, field_defs[hashed[i]].name);
        h = fnv1a64(h, it != NULL ? "\x1e" : "\x1d", 1); /* present or absent */
        for (size_t k = 0; it != NULL && k < it->n; k++) {
            h = fnv1a64(h, it->values[k], strlen(it->values[k]));
            h = fnv1a64(h, "\x1f", 1);
        }
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "ch_%016" PRIx64, h);
    return xstrdup(buf);
}

static void make_keys(struct summary *s, const char *server)
{
    const char *endpoint = server != NULL ? server : "unknown";
    const char *colon = strrchr(endpoint, ':');
    const char *port = colon != NULL ? colon + 1 : "";
    size_t host_len = colon != NULL ? (size_t)(colon - endpoint) : strlen(endpoint);
    const struct summary_item *sni = summary_find(s, "sni");
    const struct summary_item *transport = summary_find(s, "transport");
    const char *over = "";
    if (transport != NULL && transport->n == 1 && strcmp(transport->values[0], "tcp") != 0) {
        over = transport->values[0];
    }
    const char *slash = *over != '\0' ? "/" : "";
    char *key;
    if (sni != NULL && sni->n == 1) {
        key = xrealloc(NULL, strlen(sni->values[0]) + strlen(port) + strlen(over) + 3);
        sprintf(key, "%s:%s%s%s", sni->values[0], port, slash, over);
    } else {
        key = xrealloc(NULL, host_len + strlen(port) + strlen(over) + 3);
        sprintf(key, "%.*s:%s%s%s", (int)host_len, endpoint, port, slash, over);
    }
    s->keys[SUMMARY_KEY_SNI] = key;
    key = xrealloc(NULL, strlen(endpoint) + strlen(over) + 2);
    sprintf(key, "%s%s%s", endpoint, slash, over);
    s->keys[SUMMARY_KEY_SERVER] = key;
    s->keys[SUMMARY_KEY_CLIENT_HELLO] = client_hello_key(s);
}

static void builder_finish(struct builder *b, struct summary *s)
{
    static const struct {
        enum summary_field f;
        const char *key;
    } from_ch[] = {
        {SUMMARY_OFFERED_LEGACY_VERSION, "legacy_version"},
        {SUMMARY_OFFERED_VERSIONS, "supported_versions"},
        {SUMMARY_OFFERED_CIPHER_SUITES, "cipher_suites"},
        {SUMMARY_EXTENSIONS, "extensions"},
        {SUMMARY_GROUPS, "supported_groups"},
        {SUMMARY_SIGNATURE_ALGORITHMS, "signature_algorithms"},
        {SUMMARY_KEY_SHARE_GROUPS, "key_share"},
        {SUMMARY_EC_POINT_FORMATS, "ec_point_formats"},
        {SUMMARY_COMPRESSION_METHODS, "compression_methods"},
        {SUMMARY_PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes"},
        {SUMMARY_ALPN_OFFERED, "alpn"},
        {SUMMARY_SNI, "sni"},
        {SUMMARY_JA3, "ja3"},
        {SUMMARY_JA4, "ja4"},
    }, from_sh[] = {
        {SUMMARY_CIPHER_SUITE, "cipher_suite"},
        {SUMMARY_SERVER_EXTENSIONS, "extensions"},
        {SUMMARY_ALPN_CHOSEN, "alpn"},
        {SUMMARY_JA3S, "ja3s"},
    }, from_close[] = {
        {SUMMARY_VERSION, "version"},       {SUMMARY_GROUP, "group"},
        {SUMMARY_FLOW, "flow"},             {SUMMARY_PSK_MODE, "psk_mode"},
        {SUMMARY_FLAGS, "flags"},           {SUMMARY_EARLY_DATA, "early_data"},
        {SUMMARY_STATUS, "status"},         {SUMMARY_HISTORY, "history"},
        {SUMMARY_ALERT, "alert"},
    };
    s->conn = b->conn;
    summary_add_transport(s, b->close);
    summary_add(s, SUMMARY_STARTTLS, b->close, "starttls");
    for (size_t i = 0; i < sizeof(from_ch) / sizeof(from_ch[0]); i++) {
        summary_add(s, from_ch[i].f, b->ch, from_ch[i].key);
    }
    if (b->ch2 != NULL) {
        summary_add_hrr(s, SUMMARY_HRR_OFFERED_CIPHER_SUITES, b->ch, b->ch2, "cipher_suites");
        summary_add_hrr(s, SUMMARY_HRR_EXTENSIONS, b->ch, b->ch2, "extensions");
        summary_add_hrr(s, SUMMARY_HRR_KEY_SHARE_GROUPS, b->ch, b->ch2, "key_share");
    }
    for (size_t i = 0; i < sizeof(from_sh) / sizeof(from_sh[0]); i++) {
        summary_add(s, from_sh[i].f, b->sh, from_sh[i].key);
    }
    summary_add(s, SUMMARY_HRR_GROUP, b->hrr, "key_share");
    add_certs(s, SUMMARY_CHAIN_LENGTH, b, SIDE_SERVER);
    add_certs(s, SUMMARY_CLIENT_CHAIN_LENGTH, b, SIDE_CLIENT);
    if (json_array_size(b->alerts) > 0) {
        summary_push(s, item_from_json(field_defs[SUMMARY_ALERTS].name,
                                       (uint64_t)SUMMARY_ALERTS << 32, true, b->alerts));
    }
    for (size_t i = 0; i < sizeof(from_close) / sizeof(from_close[0]); i++) {
        summary_add(s, from_close[i].f, b->close, from_close[i].key);
    }
    if (s->n > 1) {
        qsort(s->items, s->n, sizeof(*s->items), item_cmp);
    }
    make_keys(s, b->server);
    s->extra = b->extra;
    memset(&b->extra, 0, sizeof(b->extra));
    if (b->close != NULL) {
        keep_text(&s->extra.cause, b->close, "cause");
        keep_text(&s->extra.cause, b->close, "alert");
        const json_t *t = json_object_get(b->close, "tickets");
        s->extra.tickets = json_is_integer(t) ? (long)json_integer_value(t) : -1;
    }
    size_t i;
    const json_t *x;
    json_array_foreach(b->certs[SIDE_SERVER], i, x) {
        if (json_integer_value(json_object_get(x, "index")) == 0) {
            keep_text(&s->extra.cert_signature, x, "signature");
        }
    }
    builder_clear(b);
}

/* ---- reading JSON Lines ---- */

/* Connection id -> builder, open addressing. A finished builder goes on the free list and
 * serves the next new connection, so builders follow the connections open at a time; the
 * table keeps 16 bytes (and a quarter spare) per connection id seen. */
struct reader {
    struct builder *b;
    size_t nb;
    size_t *free_b; /* finished builders, nb at most */
    size_t n_free;
    size_t *table; /* builder index + 1, 0 for empty */
    uint64_t *ids;
    size_t cap;    /* power of two */
    size_t used;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void reader_grow(struct reader *r)
{
    size_t old_cap = r->cap;
    size_t *old_table = r->table;
    uint64_t *old_ids = r->ids;
    r->cap = old_cap == 0 ? 64 : 2 * old_cap;
    r->table = calloc(r->cap, sizeof(*r->table));
    r->ids = calloc(r->cap, sizeof(*r->ids));
    if (r->table == NULL || r->ids == NULL) {
        abort();
    }
    for (size_t i = 0; i < old_cap; i++) {
        if (old_table[i] == 0) {
            continue;
        }
        size_t j = mix(old_ids[i]) & (r->cap - 1);
        while (r->table[j] != 0) {
            j = (j + 1) & (r->cap - 1);
        }
        r->table[j] = old_table[i];
        r->ids[j] = old_ids[i];
    }
    free(old_table);
    free(old_ids);
}

/* The slot for conn: its entry, or the empty one where it belongs. */
static size_t reader_slot(const struct reader *r, uint64_t conn)
{
    size_t j = mix(conn) & (r->cap - 1);
    while (r->table[j] != 0 && r->ids[j] != conn) {
        j = (j + 1) & (r->cap - 1);
    }
    return j;
}

static void set_reserve(struct summary_set *set)
{
    if (set->n == set->cap) {
        set->cap = set->cap == 0 ? 16 : 2 * set->cap;
        set->s = xrealloc(set->s, set->cap * sizeof(*set->s));
    }
    memset(&set->s[set->n], 0, sizeof(set->s[set->n]));
    set->n++;
}

static struct builder *reader_builder(struct reader *r, struct summary_set *set, uint64_t conn)
{
    if (4 * (r->used + 1) > 3 * r->cap) {
        reader_grow(r);
    }
    size_t j = reader_slot(r, conn);
    if (r->table[j] != 0 && r->b[r->table[j] - 1].in_use && r->b[r->table[j] - 1].conn == conn) {
        return &r->b[r->table[j] - 1];
    }
    /* New, or an id seen again after its close (concatenated inputs): a new connection. */
    if (r->table[j] == 0) {
        r->used++;
    }
    size_t bi;
    if (r->n_free > 0) {
        bi = r->free_b[--r->n_free];
    } else {
        bi = r->nb++;
        r->b = xrealloc(r->b, r->nb * sizeof(*r->b));
        r->free_b = xrealloc(r->free_b, r->nb * sizeof(*r->free_b));
    }
    size_t slot = 0;
    if (set->sink == NULL) {
        set_reserve(set);
        slot = set->n - 1;
    }
    builder_start(&r->b[bi], conn, slot);
    r->table[j] = bi + 1;
    r->ids[j] = conn;
    return &r->b[bi];
}

/* The connection's summary into the set, or to its sink; the builder is free again. */
static void reader_finish(struct reader *r, struct summary_set *set, struct builder *b)
{
    if (set->sink == NULL) {
        builder_finish(b, &set->s[b->slot]);
    } else {
        struct summary s;
        memset(&s, 0, sizeof(s));
        builder_finish(b, &s);
        set->sink(&s, set->sink_ctx);
        summary_free(&s);
    }
    r->free_b[r->n_free++] = (size_t)(b - r->b);
}

static void reader_free(struct reader *r)
{
    for (size_t i = 0; i < r->nb; i++) {
        if (r->b[i].in_use) {
            builder_clear(&r->b[i]);
        }
    }
    free(r->b);
    free(r->free_b);
    free(r->table);
    free(r->ids);
}

static bool blank_line(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
            return false;
        }
    }
    return true;
}

bool summary_read_json(FILE *in, struct summary_set *set, char *err, size_t errlen)
{
    struct reader r = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0;
    bool ok = true;
    while (ok && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (blank_line(line)) {
            continue;
        }
        json_error_t jerr;
        json_t *event =
            json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        const json_t *conn = json_object_get(event, "conn");
        if (event == NULL) {
            snprintf(err, errlen, "line %zu: invalid JSON: %s", lineno, jerr.text);
            ok = false;
        } else if (!json_is_object(event)) {
            snprintf(err, errlen, "line %zu: not a JSON object", lineno);
            ok = false;
        } else if (!json_is_integer(conn) || json_integer_value(conn) < 0 ||
                   !json_is_string(json_object_get(event, "event"))) {
            snprintf(err, errlen, "line %zu: no \"conn\" number or \"event\" name "
                     "(not hsdump -T json output?)", lineno);
            ok = false;
        } else {
            uint64_t id = (uint64_t)json_integer_value(conn);
            struct builder *b = reader_builder(&r, set, id);
            builder_take(b, event);
            if (b->close != NULL) {
                reader_finish(&r, set, b);
            }
        }
        json_decref(event);
    }
    if (ok && ferror(in)) {
        snprintf(err, errlen, "line %zu: %s", lineno + 1, strerror(errno));
        ok = false;
    }
    /* Connections without a close event (cut input) keep what they showed. */
    for (size_t i = 0; ok && i < r.nb; i++) {
        if (r.b[i].in_use) {
            reader_finish(&r, set, &r.b[i]);
        }
    }
    free(line);
    reader_free(&r);
    return ok;
}

/* ---- loading files ---- */

/* Standard input into a temporary file: the capture reader needs a path. */
static bool stdin_to_file(char *path, size_t cap, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    snprintf(path, cap, "%s/hsdump-diff.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "temporary file in %s: %s", dir, strerror(errno));
        return false;
    }
    FILE *out = fdopen(fd, "w");
    char buf[65536];
    size_t n;
    bool ok = out != NULL;
    while (ok && (n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
        ok = fwrite(buf, 1, n, out) == n;
    }
    ok = ok && !ferror(stdin);
    int saved = errno;
    if (out != NULL) {
        ok = fclose(out) == 0 && ok;
    } else {
        close(fd);
    }
    if (!ok) {
        snprintf(err, errlen, "copying standard input: %s", strerror(saved != 0 ? saved : errno));
        unlink(path);
    }
    return ok;
}

/* A JSON Lines file starts with '{' after optional blanks; pcap and pcapng never do. */
static bool looks_like_json(FILE *fp)
{
    int c;
    while ((c = getc(fp)) == ' ' || c == '\t' || c == '\r' || c == '\n') {
    }
    return c == '{' || c == EOF;
}

static bool load_path(const char *path, const char *filter, struct summary_set *set, char *err,
                      size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return false;
    }
    bool json = looks_like_json(fp);
    if (json) {
        rewind(fp);
        bool ok;
        if (filter != NULL) {
            snprintf(err, errlen, "a filter expression needs a capture file, not JSON Lines");
            ok = false;
        } else {
            ok = summary_read_json(fp, set, err, errlen);
        }
        fclose(fp);
        return ok;
    }
    fclose(fp);
    FILE *events = tmpfile();
    if (events == NULL) {
        snprintf(err, errlen, "temporary file: %s", strerror(errno));
        return false;
    }
    bool ok = pipeline_capture_to_json(path, filter, events, err, errlen);
    if (ok) {
        rewind(events);
        char inner[400];
        ok = summary_read_json(events, set, inner, sizeof(inner));
        if (!ok) {
            snprintf(err, errlen, "hsdump's own JSON output, %s", inner);
        }
    }
    fclose(events);
    return ok;
}

bool summary_load(const char *path, const char *filter, struct summary_set *set, char *err,
                  size_t errlen)
{
    if (strcmp(path, "-") != 0) {
        return load_path(path, filter, set, err, errlen);
    }
    char tmp[4096];
    if (!stdin_to_file(tmp, sizeof(tmp), err, errlen)) {
        return false;
    }
    bool ok = load_path(tmp, filter, set, err, errlen);
    unlink(tmp);
    return ok;
}

void summary_set_init(struct summary_set *set)
{
    memset(set, 0, sizeof(*set));
}

void summary_set_free(struct summary_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        summary_free(&set->s[i]);
    }
    free(set->s);
    memset(set, 0, sizeof(*set));
}

/* ---- names ---- */

const char *summary_key_name(enum summary_key key)
{
    return key < SUMMARY_KEY_COUNT ? key_names[key] : "?";
}

bool summary_key_parse(const char *name, enum summary_key *key)
{
    for (size_t k = 0; k < SUMMARY_KEY_COUNT; k++) {
        if (strcmp(name, key_names[k]) == 0) {
            *key = (enum summary_key)k;
            return true;
        }
    }
    return false;
}

/* "cert12" or "cert12.subject" after prefix: the length of the digits, 0 if none. */
static size_t cert_digits(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return n;
}

static bool cert_attr_valid(const char *attr)
{
    for (size_t a = 0; a < N_CERT_ATTRS; a++) {
        if (strcmp(attr, cert_attrs[a].name) == 0) {
            return true;
        }
    }
    return false;
}

/* prefix<digits> or prefix<digits>.<attr> */
static bool cert_pattern(const char *pattern, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (strncmp(pattern, prefix, pl) != 0) {
        return false;
    }
    size_t d = cert_digits(pattern + pl);
    if (d == 0) {
        return false;
    }
    const char *rest = pattern + pl + d;
    return *rest == '\0' || (*rest == '.' && cert_attr_valid(rest + 1));
}

bool summary_field_pattern_valid(const char *pattern)
{
    if (strcmp(pattern, "cert") == 0 || strcmp(pattern, "certificates") == 0 ||
        strcmp(pattern, "client_cert") == 0) {
        return true;
    }
    for (size_t f = 0; f < SUMMARY_FIELD_COUNT; f++) {
        if (strcmp(pattern, field_defs[f].name) == 0) {
            return true;
        }
    }
    return cert_pattern(pattern, "cert") || cert_pattern(pattern, "client_cert");
}

static bool is_client_cert_field(const char *name)
{
    return strcmp(name, "client_chain_length") == 0 || cert_pattern(name, "client_cert");
}

static bool is_cert_field(const char *name)
{
    return strcmp(name, "chain_length") == 0 || cert_pattern(name, "cert") ||
           is_client_cert_field(name);
}

bool summary_field_pattern_matches(const char *pattern, const char *name)
{
    if (strcmp(pattern, "cert") == 0 || strcmp(pattern, "certificates") == 0) {
        return is_cert_field(name);
    }
    if (strcmp(pattern, "client_cert") == 0) {
        return is_client_cert_field(name);
    }
    size_t pl = strlen(pattern);
    if (strncmp(pattern, name, pl) != 0) {
        return false;
    }
    /* cert0 covers cert0.subject, not cert01.subject. */
    return name[pl] == '\0' || (name[pl] == '.' && strchr(pattern, '.') == NULL &&
                                (cert_pattern(pattern, "cert") ||
                                 cert_pattern(pattern, "client_cert")));
}

void summary_field_patterns_list(FILE *out)
{
    for (size_t f = 0; f < SUMMARY_FIELD_COUNT; f++) {
        fprintf(out, "%s%s", f > 0 ? ", " : "", field_defs[f].name);
    }
    fprintf(out, ", cert, certificates, client_cert, cert<N>, client_cert<N>, "
                 "cert<N>.<attribute> and client_cert<N>.<attribute> with <attribute> one of ");
    for (size_t a = 0; a < N_CERT_ATTRS; a++) {
        fprintf(out, "%s%s", a > 0 ? ", " : "", cert_attrs[a].name);
    }
}

/* ---- text values ---- */

/* Longest value written as text; longer ones (never seen in a handshake field) are cut. */
#define SUMMARY_VALUE_MAX 4096

/* The next wire byte of a value as JSON carries it: \xHH stands for the byte HH, which was not
 * UTF-8 (the four characters \xHH on the wire read the same: the text line tells them apart). */
static bool next_byte(const char **s, unsigned char *out)
{
    const char *p = *s;
    if (*p == '\0') {
        return false;
    }
    if (p[0] == '\\' && p[1] == 'x' && hex_digit_value(p[2]) >= 0 && hex_digit_value(p[3]) >= 0) {
        *out = (unsigned char)(hex_digit_value(p[2]) << 4 | hex_digit_value(p[3]));
        *s = p + 4;
    } else {
        *out = (unsigned char)*p;
        *s = p + 1;
    }
    return true;
}

/* A value in JSON form decoded back to its wire bytes, for the text escaper. */
static struct cursor wire_bytes(const char *value, unsigned char *buf, size_t cap)
{
    size_t n = 0;
    unsigned char c;
    while (n < cap && next_byte(&value, &c)) {
        buf[n++] = c;
    }
    return cur_make(buf, n);
}

static void put_value(FILE *out, const char *value, bool in_list)
{
    unsigned char bytes[SUMMARY_VALUE_MAX];
    char text[4 * SUMMARY_VALUE_MAX + 3];
    out_text_value(wire_bytes(value, bytes, sizeof(bytes)), in_list, text, sizeof(text));
    fputs(text, out);
}

void summary_put_text_value(FILE *out, char *const *values, size_t n, bool is_list)
{
    if (n == 0) {
        fputs("\"\"", out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            fputc(',', out);
        }
        put_value(out, values[i], is_list);
    }
}

/* ---- canonical output ---- */

struct ordered {
    const struct summary *s;
    const char *key;
    size_t order;
};

static int ordered_cmp(const void *pa, const void *pb)
{
    const struct ordered *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c != 0) {
        return c;
    }
    return a->order < b->order ? -1 : a->order > b->order;
}

void summary_print_canonical(const struct summary_set *set, enum summary_key key, FILE *out)
{
    struct ordered *o = xrealloc(NULL, set->n * sizeof(*o));
    for (size_t i = 0; i < set->n; i++) {
        o[i] = (struct ordered){&set->s[i], set->s[i].keys[key], i};
    }
    qsort(o, set->n, sizeof(*o), ordered_cmp);
    size_t n_in_key = 0;
    for (size_t i = 0; i < set->n; i++) {
        n_in_key = i > 0 && strcmp(o[i].key, o[i - 1].key) == 0 ? n_in_key + 1 : 1;
        char *line = NULL;
        size_t len = 0;
        FILE *l = open_memstream(&line, &len);
        if (l == NULL) {
            abort();
        }
        fputs("key=", l);
        char *k = (char *)o[i].key;
        summary_put_text_value(l, &k, 1, false);
        fprintf(l, " n=%zu", n_in_key);
        for (size_t f = 0; f < o[i].s->n; f++) {
            const struct summary_item *it = &o[i].s->items[f];
            fprintf(l, " %s=", it->name);
            summary_put_text_value(l, it->values, it->n, it->is_list);
        }
        fputc('\n', l);
        fclose(l);
        fwrite(line, 1, len, out);
        free(line);
    }
    free(o);
}

int summary_canonical_run(const char *const *paths, size_t n_paths, const char *filter,
                          enum summary_key key, FILE *out)
{
    struct summary_set set;
    summary_set_init(&set);
    for (size_t i = 0; i < n_paths; i++) {
        char err[512];
        if (!summary_load(paths[i], filter, &set, err, sizeof(err))) {
            errorf("%s: %s", paths[i], err);
            summary_set_free(&set);
            return EXIT_USAGE;
        }
    }
    summary_print_canonical(&set, key, out);
    summary_set_free(&set);
    return 0;
}
