/* Connection glue between reassembly and the dissectors: owns struct conn and its TLS state. */
#include "conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "tls/decrypt.h"
#include "tls/flow.h"
#include "tcp/ipv6map.h"
#include "base/names.h"
#include "output/output.h"
#include "report/report.h"
#include "starttls/tunnel.h"
#include "stats.h"
#include "capture/secrets.h"

/* The plaintext of a connection that may still upgrade to TLS, as starttls_scan() reads it:
 * each direction from its first byte (reassembly keeps them all until the verdict), grown
 * as needed up to STARTTLS_SCAN_MAX. */
struct conn_plaintext {
    uint8_t *bytes[2];
    size_t len[2];
    size_t cap[2];
};

uint64_t age_clock;
uint64_t close_order_key;

const char *conn_capture_name(enum conn_capture c)
{
    static const char *const names[CAPTURE_KINDS] = {
        "whole", "midstream", "client_only", "server_only", "gap", "isn_conflict",
    };
    return (unsigned)c < CAPTURE_KINDS ? names[c] : "unknown";
}

/* Tunnels, outermost first (GTP-U carrying an HTTP CONNECT, say), and where the proxy's
 * tunnel leads. */
static void add_tunnels(const struct conn *c, struct fields *f)
{
    bool proxied = starttls_is_tunnel(c->starttls);
    fields_list_begin(f, "tunnel");
    if (c->gtpu) {
        fields_list_token(f, "gtpu");
    }
    if (proxied) {
        fields_list_token(f, starttls_name(c->starttls));
    }
    fields_list_end(f);
    if (c->tunnel_target != NULL) {
        struct cursor target = cur_make(c->tunnel_target, c->tunnel_target_len);
        if (c->tunnel_target_truncated) {
            fields_add_string_cut(f, "tunnel_target", "tunnel_target_truncated", target);
        } else {
            fields_add_string(f, "tunnel_target", target);
        }
    }
}

/* STARTTLS, tunnelled and partly captured connections say so on every line: a copy with the
 * fields added. */
static const struct fields *tagged(const struct conn *c, const struct fields *f,
                                   struct fields *copy)
{
    if (c->starttls == STARTTLS_NONE && c->capture == CAPTURE_WHOLE && !c->gtpu) {
        return f;
    }
    fields_init(copy, f->event, f->name); /* and only the bytes in use, not all 17 KiB */
    fields_append(copy, f);
    if (c->gtpu || starttls_is_tunnel(c->starttls)) {
        add_tunnels(c, copy);
    }
    if (c->starttls != STARTTLS_NONE && !starttls_is_tunnel(c->starttls)) {
        fields_add_token(copy, "starttls", starttls_name(c->starttls));
    }
    if (c->capture != CAPTURE_WHOLE) {
        fields_add_token(copy, "capture", conn_capture_name(c->capture));
    }
    return copy;
}

static void emit_event(void *ctx, enum dir d, const struct fields *untagged)
{
    struct conn *c = ctx;
    struct fields copy;
    const struct fields *f = tagged(c, untagged, &copy);
    /* Ids count TLS connections in the order of their first line, which is the ClientHello
     * for any connection whose start was captured: stable across equivalent captures. */
    if (c->id == 0) {
        c->id = ++c->env->next_id;
    }
    if (c->client_text[0] == '\0') {
        endpoint_format(&c->client, c->client_text, sizeof(c->client_text));
        endpoint_format(&c->server, c->server_text, sizeof(c->server_text));
        c->head_len = out_event_head(c->env->head_id != 0 ? c->env->head_id : c->id,
                                     c->client_text, c->server_text, c->head, &c->head_arrow);
    }
    struct event_prefix p = {c->env->now,    c->id,          &c->client,
                             &c->server,     d,              c->client_text,
                             c->server_text, c->head,        c->head_len,
                             c->head_arrow};
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
    c->gtpu = env->in_gtpu;
    c->first_seen = env->now; /* the glue that saw an earlier packet (a SYN) says so */
    /* calloc() left c->tls in tls_state_init()'s state (all zero, tls.h): zeroing its 2.5 KB
     * again cost a tenth of opening a connection */
    c->tls.budget = env->budget;
    c->tls.keys = secrets_table();
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

/* Drops the plaintext still in front of a STARTTLS connection's bytes; returns how much. */
static size_t skip_plaintext(struct conn *c, enum dir d, struct cursor *bytes)
{
    struct cursor plaintext = cur_take_upto(bytes, c->plaintext_left[d]);
    c->plaintext_left[d] -= cur_len(plaintext);
    return cur_len(plaintext);
}

/* Counts the handshake once, when its status is established for good. */
static void count_established(struct conn *c)
{
    if (!c->established && strcmp(flow_status(&c->tls), "established") == 0) {
        c->established = true;
        c->env->stats->handshakes_established++;
        if (c->env->on_established != NULL) {
            c->env->on_established(c->env->hook_ctx);
        }
    }
}

static size_t consume_tls(struct conn *c, enum dir d, struct cursor bytes,
                          enum conn_verdict *verdict)
{
    size_t skipped = skip_plaintext(c, d, &bytes);
    struct tls_sink sink = {emit_event, c};
    size_t used = skipped + rec_consume(&c->tls, d, bytes, &sink);
    if (!tls13_answer_pending(&c->tls)) {
        count_established(c); /* a TLS 1.3 server may still refuse the client's flight */
    }
    if (tls_handshake_done(&c->tls) && !decrypt_active(&c->tls)) {
        rec_forget_held(&c->tls); /* no more bytes come: a record begun is never read */
        c->unfollowed = true;
        *verdict = CONN_DONE;
    } else if (c->tls.skimming || (c->tls.keys != NULL && decrypt_past_handshake(&c->tls))) {
        /* the rest is read record by record: followed without libnids (tcp/bypass.c) */
        *verdict = CONN_SKIM;
    }
    return used;
}

void conn_skim(struct conn *c, enum dir d, struct cursor bytes)
{
    if (!c->established || c->plaintext_left[d] > 0) {
        enum conn_verdict verdict;
        (void)conn_data(c, d, bytes, &verdict);
        return;
    }
    /* established, and nothing in front of the records: only headers are left to read */
    struct tls_sink sink = {emit_event, c};
    c->tls.packet_time = c->env->now.tv_sec;
    (void)rec_consume(&c->tls, d, bytes, &sink);
}

static void plaintext_end(struct conn *c)
{
    if (c->plain != NULL) {
        free(c->plain->bytes[DIR_C2S]);
        free(c->plain->bytes[DIR_S2C]);
        free(c->plain);
        c->plain = NULL;
    }
}

/* Keeps a copy of what direction d sent so far (from its first byte). */
static bool plaintext_copy(struct conn_plaintext *pt, enum dir d, struct cursor bytes)
{
    struct cursor head = cur_take_upto(&bytes, STARTTLS_SCAN_MAX);
    if (cur_len(head) > pt->cap[d]) {
        uint8_t *grown = realloc(pt->bytes[d], cur_len(head));
        if (grown == NULL) {
            return false;
        }
        pt->bytes[d] = grown;
        pt->cap[d] = cur_len(head);
    }
    cur_copy(head, pt->bytes[d]);
    pt->len[d] = cur_len(head);
    return true;
}

/* A tunnel's target, copied from the plaintext (at most STARTTLS_TARGET_TEXT_MAX bytes);
 * without memory it is left out. */
static void keep_target(struct conn *c, const struct starttls_target *t)
{
    uint8_t text[STARTTLS_TARGET_TEXT_MAX];
    size_t len = tunnel_target_text(t, text, sizeof(text));
    size_t kept = len < sizeof(text) ? len : sizeof(text);
    if (kept == 0 || (c->tunnel_target = malloc(kept)) == NULL) {
        return;
    }
    memcpy(c->tunnel_target, text, kept);
    c->tunnel_target_len = (uint16_t)kept;
    c->tunnel_target_truncated = kept < len;
}

/* Plaintext is kept (nothing consumed) until starttls_scan() decides: released when no
 * upgrade comes, else both directions continue as TLS where it said. */
static size_t follow_plaintext(struct conn *c, enum dir d, struct cursor bytes,
                               enum conn_verdict *verdict)
{
    struct conn_plaintext *pt = c->plain;
    struct starttls_result r = {STARTTLS_NOT, STARTTLS_NONE, {0, 0}, {TARGET_NONE, {0}, 0}};
    if (plaintext_copy(pt, d, bytes)) {
        r = starttls_scan(cur_make(pt->bytes[DIR_C2S], pt->len[DIR_C2S]),
                          cur_make(pt->bytes[DIR_S2C], pt->len[DIR_S2C]));
    }
    if (r.verdict == STARTTLS_MORE) {
        return 0;
    }
    if (r.verdict == STARTTLS_NOT) {
        plaintext_end(c);
        c->kind = CONN_NOT_TLS;
        c->env->stats->not_tls_connections++;
        *verdict = CONN_RELEASE;
        return cur_len(bytes);
    }
    c->kind = CONN_TLS;
    c->starttls = r.proto;
    c->env->stats->tls_connections++;
    keep_target(c, &r.target); /* before plaintext_end(): it points into the copy */
    c->plaintext_left[DIR_C2S] = r.tls_start[DIR_C2S];
    c->plaintext_left[DIR_S2C] = r.tls_start[DIR_S2C];
    /* The other side may have sent TLS already: its bytes are still held by reassembly, so
     * they are read from the copy now and skipped when handed over again. */
    enum dir other = d == DIR_C2S ? DIR_S2C : DIR_C2S;
    enum conn_verdict other_verdict = CONN_FOLLOW;
    if (pt->len[other] > r.tls_start[other]) {
        c->plaintext_left[other] =
            consume_tls(c, other, cur_make(pt->bytes[other], pt->len[other]), &other_verdict);
    }
    plaintext_end(c);
    size_t used = consume_tls(c, d, bytes, verdict);
    if (other_verdict == CONN_DONE) {
        *verdict = CONN_DONE;
    }
    return used;
}

size_t conn_data(struct conn *c, enum dir d, struct cursor bytes, enum conn_verdict *verdict)
{
    *verdict = CONN_FOLLOW;
    c->tls.packet_time = c->env->now.tv_sec; /* the certificate checks' time (tls.h) */
    if (c->gtpu) {
        conn_note_tunnel(c, d);
    }
    if (c->kind == CONN_UNDECIDED && c->plain == NULL) {
        c->kind = recognise(bytes);
        if (c->kind == CONN_UNDECIDED) {
            return 0;
        }
        if (c->kind == CONN_NOT_TLS) {
            /* not TLS from its first byte: it may still be plaintext that upgrades */
            c->kind = CONN_UNDECIDED;
            c->plain = calloc(1, sizeof(*c->plain));
            if (c->plain == NULL) {
                c->kind = CONN_NOT_TLS;
                c->env->stats->not_tls_connections++;
                *verdict = CONN_RELEASE;
                return cur_len(bytes);
            }
        } else {
            c->env->stats->tls_connections++;
        }
    }
    if (c->plain != NULL) {
        return follow_plaintext(c, d, bytes, verdict);
    }
    return consume_tls(c, d, bytes, verdict);
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

/* --report: the one branch a close costs without it. */
static void report_close(const struct conn *c, const struct close_facts *end)
{
    if (c->env->report != NULL) {
        report_add(c->env->report, &c->tls, &c->server, end);
    }
}

_Static_assert(CAPTURE_KINDS == STATS_CAPTURE_KINDS, "stats count every capture= kind");

static void add_missing(struct fields *f, uint8_t missing)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } parts[] = {
        {CONN_MISSING_SYN, "syn"},         {CONN_MISSING_SYN_ACK, "syn_ack"},
        {CONN_MISSING_C2S, "c2s"},         {CONN_MISSING_S2C, "s2c"},
        {CONN_MISSING_C2S_START, "c2s_start"}, {CONN_MISSING_S2C_START, "s2c_start"},
    };
    if (missing == 0) {
        return;
    }
    fields_list_begin(f, "missing");
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (missing & parts[i].bit) {
            fields_list_token(f, parts[i].name);
        }
    }
    fields_list_end(f);
}

struct close_facts conn_close_facts(const struct conn *c, enum conn_end end)
{
    struct close_facts facts = {CLOSE_OTHER, c->first_closer - 1, c->capture != CAPTURE_WHOLE};
    switch (end) {
    case CONN_END_FIN:
        facts.kind = CLOSE_FIN;
        break;
    case CONN_END_RESET:
        facts.kind = CLOSE_RESET;
        break;
    case CONN_END_TIMEOUT:
    case CONN_END_IDLE:
        facts.kind = CLOSE_TIMEOUT;
        break;
    case CONN_END_EOF:
        facts.kind = CLOSE_EOF;
        break;
    default:
        break; /* reused, evicted: hsdump stopped following it */
    }
    return facts;
}

/* What the close line of a TCP connection says besides its prefix. */
struct close_numbers {
    enum conn_end end;
    uint64_t bytes_c2s;
    uint64_t bytes_s2c;
};

static void close_line(struct conn *c, const struct close_numbers *n,
                       const struct close_facts *facts, struct fields *f)
{
    fields_init(f, "close", NULL);
    fields_add_token(f, "end", end_name(n->end));
    conn_describe_times(c, f);
    flow_describe(&c->tls, f);
    flow_negotiated(&c->tls, f);
    flow_decryption(&c->tls, f);
    diagnosis_describe(&c->tls, facts, f);
    fields_add_uint(f, "records_c2s", c->tls.dir[DIR_C2S].records);
    fields_add_uint(f, "records_s2c", c->tls.dir[DIR_S2C].records);
    fields_add_uint(f, "bytes_c2s", n->bytes_c2s);
    fields_add_uint(f, "bytes_s2c", n->bytes_s2c);
    if (c->gap[DIR_C2S] || c->gap[DIR_S2C]) {
        /* bytes behind a missing segment never reached the dissectors */
        fields_list_begin(f, "gap");
        if (c->gap[DIR_C2S]) {
            fields_list_token(f, "c2s");
        }
        if (c->gap[DIR_S2C]) {
            fields_list_token(f, "s2c");
        }
        fields_list_end(f);
    }
    add_missing(f, c->missing);
    if (c->events_suppressed > 0) {
        fields_add_uint(f, "events_suppressed", c->events_suppressed);
    }
    conn_describe_tunnel(c, f);
    if (c->unfollowed) {
        /* records_* stop counting where hsdump stopped reassembling (after the handshake) */
        fields_add_token(f, "followed", "handshake");
    }
}

/* -j: the interception guess is made later, by the merger (cert_check.h); true when the
 * failure's cause depends on it, so that the close line is made both ways. */
static bool cause_waits_on_guess(struct conn *c, const struct close_facts *facts)
{
    struct chain_check *chain = &c->tls.server_chain;
    if (chain->interception_probe == 0) {
        return false;
    }
    enum tls_cause not_suspected = cause_of(&c->tls, facts);
    chain->interception_suspected = true;
    enum tls_cause suspected = cause_of(&c->tls, facts);
    chain->interception_suspected = false;
    return suspected != not_suspected;
}

void conn_close(struct conn *c, enum conn_end end, uint64_t bytes_c2s, uint64_t bytes_s2c,
                struct cursor rest_c2s, struct cursor rest_s2c)
{
    if (c->plain != NULL) {
        c->env->stats->not_tls_connections++; /* ended while still plaintext */
    }
    if (c->kind != CONN_TLS) {
        return;
    }
    struct tls_sink sink = {emit_event, c};
    c->tls.packet_time = c->env->now.tv_sec;
    (void)skip_plaintext(c, DIR_C2S, &rest_c2s);
    (void)skip_plaintext(c, DIR_S2C, &rest_s2c);
    bool closed = (end == CONN_END_FIN || end == CONN_END_RESET) && cur_len(rest_s2c) == 0;
    if (closed) {
        tls13_closed(&c->tls, &sink);
    }
    if (c->tls.decrypt != NULL) {
        decrypt_check_finish(&c->tls, closed);
    }
    rec_finish(&c->tls, DIR_C2S, rest_c2s, &sink);
    rec_finish(&c->tls, DIR_S2C, rest_s2c, &sink);
    count_established(c); /* when the close settled it */
    stats_count_flow(c->env->stats, flow_label(&c->tls));
    stats_count_decryption(c->env->stats, &c->tls);
    struct close_facts facts = conn_close_facts(c, end);
    struct close_numbers n = {end, bytes_c2s, bytes_s2c};
    struct fields f;
    struct chain_check *chain = &c->tls.server_chain;
    bool paired = cause_waits_on_guess(c, &facts);
    if (paired) {
        /* -j: one line for each verdict of the interception guess; the merger keeps one */
        chain->interception_paired = true;
        close_line(c, &n, &facts, &f);
        emit_event(c, DIR_C2S, &f);
        chain->interception_suspected = true;
    }
    close_line(c, &n, &facts, &f);
    if (paired) {
        chain->interception_suspected = false;
        chain->interception_paired = false;
    }
    emit_event(c, DIR_C2S, &f);
    report_close(c, &facts);
}

void conn_hold_addresses(struct conn *c, struct v6map *v6, uint32_t addr_a, uint32_t addr_b)
{
    const uint32_t addrs[2] = {addr_a, addr_b};
    c->v6 = v6;
    for (size_t i = 0; i < 2; i++) {
        if (c->n_v6_held < 2 && v6map_hold(v6, addrs[i])) {
            c->v6_held[c->n_v6_held++] = addrs[i];
        }
    }
}

void conn_free(struct conn *c)
{
    if (c == NULL) {
        return;
    }
    for (uint8_t i = 0; i < c->n_v6_held; i++) {
        v6map_release(c->v6, c->v6_held[i]);
    }
    tls_state_free(&c->tls);
    plaintext_end(c);
    free(c->tunnel_target);
    free(c);
}

/* Flows over UDP (src/udp/udp.c) share the TCP connections' event path: ids, the line cap and
 * out_event. */
struct tls_sink conn_sink(struct conn *c)
{
    struct tls_sink sink = {emit_event, c};
    return sink;
}

/* The handshake part of a UDP flow's close line, counted like a TCP connection's. */
void conn_describe_tls(struct conn *c, struct fields *f, enum close_kind kind)
{
    flow_describe(&c->tls, f);
    stats_count_flow(c->env->stats, flow_label(&c->tls));
    stats_count_decryption(c->env->stats, &c->tls);
    flow_negotiated(&c->tls, f);
    flow_decryption(&c->tls, f);
    struct close_facts facts = {kind, -1, false}; /* UDP: no FIN, no RST */
    diagnosis_describe(&c->tls, &facts, f);
    report_close(c, &facts);
}

void conn_note_tunnel(struct conn *c, enum dir d)
{
    if (c->env->in_gtpu && !c->has_teid[d]) {
        c->has_teid[d] = true;
        c->teid[d] = c->env->gtpu_teid;
    }
}

void conn_describe_times(const struct conn *c, struct fields *f)
{
    char text[64];
    if (c->env->out != NULL && out_format_start(c->env->out, c->first_seen, text, sizeof(text))) {
        fields_add_token(f, "start", text);
    }
    out_format_interval(c->env->now, c->first_seen, text, sizeof(text));
    fields_add_decimal(f, "duration", text);
}

void conn_describe_tunnel(const struct conn *c, struct fields *f)
{
    static const char *const keys[2] = {"gtpu_teid_c2s", "gtpu_teid_s2c"};
    for (size_t d = 0; d < 2; d++) {
        if (c->has_teid[d]) {
            char hex[11];
            snprintf(hex, sizeof(hex), "0x%08x", (unsigned)c->teid[d]);
            fields_add_bare(f, keys[d], hex);
        }
    }
}
