/* Connection glue between reassembly and the dissectors: owns struct conn and its TLS state. */
#include "conn.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "flow.h"
#include "names.h"
#include "output.h"
#include "stats.h"

static void emit_event(void *ctx, enum dir d, const struct fields *f)
{
    struct conn *c = ctx;
    /* Ids count TLS connections in the order of their first line, which is the ClientHello
     * for any connection whose start was captured: stable across equivalent captures. */
    if (c->id == 0) {
        c->id = ++c->env->next_id;
    }
    struct event_prefix p = {c->env->now, c->id, &c->client, &c->server, d};
    if (f->malformed) {
        c->env->stats->malformed_events++;
    }
    /* A connection that floods events (100 MB of tiny handshake records) must not drown the
     * others' lines: past the cap only its close line, with the count, still prints. */
    bool is_close = strcmp(f->event, "close") == 0;
    if (!is_close && c->events >= CONN_EVENTS_MAX) {
        c->events_suppressed++;
        c->env->stats->events_suppressed++;
        return;
    }
    c->events++;
    out_event(c->env->out, &p, f);
}

struct conn *conn_open(struct conn_env *env, const struct endpoint *client,
                       const struct endpoint *server)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->env = env;
    c->client = *client;
    c->server = *server;
    c->kind = CONN_UNDECIDED;
    tls_state_init(&c->tls);
    env->stats->tcp_connections++;
    return c;
}

/* The first bytes either side sends decide whether the stream is TLS (on any port). */
static enum conn_kind recognise(struct cursor bytes)
{
    bool need_more;
    if (rec_looks_like_tls(bytes, &need_more)) {
        return CONN_TLS;
    }
    return need_more ? CONN_UNDECIDED : CONN_NOT_TLS;
}

size_t conn_data(struct conn *c, enum dir d, struct cursor bytes, enum conn_verdict *verdict)
{
    *verdict = CONN_FOLLOW;
    if (c->kind == CONN_UNDECIDED) {
        c->kind = recognise(bytes);
        if (c->kind == CONN_UNDECIDED) {
            return 0;
        }
        if (c->kind == CONN_NOT_TLS) {
            c->env->stats->not_tls_connections++;
            *verdict = CONN_RELEASE;
            return cur_len(bytes);
        }
        c->env->stats->tls_connections++;
    }
    struct tls_sink sink = {emit_event, c};
    size_t used = rec_consume(&c->tls, d, bytes, &sink);
    if (!c->established && strcmp(flow_status(&c->tls), "established") == 0) {
        c->established = true;
        c->env->stats->handshakes_established++;
        if (c->env->on_established != NULL) {
            c->env->on_established(c->env->hook_ctx);
        }
    }
    if (tls_handshake_done(&c->tls)) {
        c->unfollowed = true;
        *verdict = CONN_DONE;
    }
    return used;
}

static const char *end_name(enum conn_end end)
{
    switch (end) {
    case CONN_END_FIN:
        return "fin";
    case CONN_END_RESET:
        return "reset";
    case CONN_END_TIMEOUT:
        return "timeout";
    case CONN_END_EOF:
        return "eof";
    case CONN_END_REUSED:
        return "reused";
    case CONN_END_EVICTED:
        return "evicted";
    case CONN_END_IDLE:
        return "idle";
    default:
        return "unknown";
    }
}

static void add_negotiated(struct fields *f, const struct tls_state *st)
{
    if (st->server_hello_seen) {
        fields_add_name(f, "version", NAMES_VERSION, st->version);
        fields_add_name(f, "cipher_suite", NAMES_CIPHER, st->cipher_suite);
    }
    if (st->has_sni) {
        fields_add_string(f, "sni", cur_make((const uint8_t *)st->sni, st->sni_len));
    }
    if (st->has_alpn) {
        fields_add_cstring(f, "alpn", st->alpn);
    }
    if (st->has_group) {
        fields_add_name(f, "group", NAMES_GROUP, st->group);
    }
    if (st->ja3[0] != '\0') {
        fields_add_token(f, "ja3", st->ja3);
    }
    if (st->ja4[0] != '\0') {
        fields_add_token(f, "ja4", st->ja4);
    }
    if (st->ja3s[0] != '\0') {
        fields_add_token(f, "ja3s", st->ja3s);
    }
    if (st->cert[DIR_S2C].known) {
        fields_add_cstring(f, "server_subject", st->cert[DIR_S2C].subject);
        fields_add_cstring(f, "server_issuer", st->cert[DIR_S2C].issuer);
    }
    if (st->cert[DIR_C2S].count > 0) {
        fields_add_uint(f, "client_certificates", st->cert[DIR_C2S].count);
    }
    if (st->fatal_alert_seen) {
        fields_add_name(f, "alert", NAMES_ALERT, st->fatal_alert);
        fields_add_token(f, "alert_from", st->fatal_alert_from == DIR_C2S ? "client" : "server");
    }
}

void conn_close(struct conn *c, enum conn_end end, uint64_t bytes_c2s, uint64_t bytes_s2c,
                struct cursor rest_c2s, struct cursor rest_s2c)
{
    if (c->kind != CONN_TLS) {
        return;
    }
    struct tls_sink sink = {emit_event, c};
    rec_finish(&c->tls, DIR_C2S, rest_c2s, &sink);
    rec_finish(&c->tls, DIR_S2C, rest_s2c, &sink);
    struct fields f;
    fields_init(&f, "close", NULL);
    fields_add_token(&f, "end", end_name(end));
    flow_describe(&c->tls, &f);
    stats_count_flow(c->env->stats, flow_label(&c->tls));
    add_negotiated(&f, &c->tls);
    fields_add_uint(&f, "records_c2s", c->tls.dir[DIR_C2S].records);
    fields_add_uint(&f, "records_s2c", c->tls.dir[DIR_S2C].records);
    fields_add_uint(&f, "bytes_c2s", bytes_c2s);
    fields_add_uint(&f, "bytes_s2c", bytes_s2c);
    if (c->gap[DIR_C2S] || c->gap[DIR_S2C]) {
        /* bytes behind a missing segment never reached the dissectors */
        fields_list_begin(&f, "gap");
        if (c->gap[DIR_C2S]) {
            fields_list_token(&f, "c2s");
        }
        if (c->gap[DIR_S2C]) {
            fields_list_token(&f, "s2c");
        }
        fields_list_end(&f);
    }
    if (c->events_suppressed > 0) {
        fields_add_uint(&f, "events_suppressed", c->events_suppressed);
    }
    if (c->unfollowed) {
        /* records_* stop counting where hsdump stopped reassembling (after the handshake) */
        fields_add_token(&f, "followed", "handshake");
    }
    emit_event(c, DIR_C2S, &f);
}

void conn_free(struct conn *c)
{
    if (c == NULL) {
        return;
    }
    tls_state_free(&c->tls);
    free(c);
}
