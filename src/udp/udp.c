/* UDP flows that carry TLS handshakes: QUIC (dissectors/quic/quic.c) and DTLS (dissectors/dtls/dtls.c).
 * A flow starts with what a client sends first, is keyed by its 4-tuple in a hash table, and
 * owns a struct conn, so its lines take the TCP connections' path (ids, cap, out_event). */
#include "udp/udp.h"

#include <stdlib.h>
#include <string.h>

#include "age_list.h"
#include "capture/secrets.h"
#include "conn.h"
#include "dtls/dtls.h"
#include "output/endpoint.h"
#include "base/fields.h"
#include "tls/flow.h"
#include "base/fnv.h"
#include "quic/quic.h"
#include "stats.h"
#include "udp/gtpu.h"

#define UDP_BUCKETS 4096 /* a power of two */
#define UDP_HEADER 8     /* RFC 768 */

enum udp_kind { UDP_QUIC, UDP_DTLS };

struct udp_flow {
    struct conn conn; /* id, endpoints, TLS state, line count */
    struct udp_table *table;
    enum udp_kind kind;
    struct quic_state quic;
    struct dtls_state dtls;
    uint64_t datagrams[2];
    uint64_t bytes[2]; /* UDP payload bytes */
    uint32_t hash;
    struct udp_flow *bucket_next;
    struct age_link activity; /* the table's least recently active is closed first */
    struct timeval last;
};

struct udp_table {
    struct conn_env *env;
    size_t n;
    struct age_list activity;
    struct udp_flow *buckets[UDP_BUCKETS];
};

struct udp_table *udp_new(struct conn_env *env)
{
    struct udp_table *t = calloc(1, sizeof(*t));
    if (t != NULL) {
        t->env = env;
    }
    return t;
}

/* ---- finding the datagram ---- */

bool udp_datagram_parse(struct cursor ip, struct udp_datagram *dg)
{
    struct endpoint *src = &dg->src, *dst = &dg->dst;
    uint8_t vhl, proto;
    struct cursor c = ip, addrs;
    if (!cur_peek_u8(ip, 0, &vhl)) {
        return false;
    }
    size_t addr_len;
    if ((vhl >> 4) == 4) {
        /* RFC 791 3.1: flags and fragment offset at 6, protocol at 9, addresses at 12 */
        uint16_t frag;
        if (!cur_peek_u16(ip, 6, &frag) || !cur_peek_u8(ip, 9, &proto) || proto != 17 ||
            (frag & 0x3fff) != 0 || !cur_skip(&c, 12) || !cur_get_bytes(&c, 8, &addrs) ||
            !cur_skip(&c, (size_t)(vhl & 0x0f) * 4 - 20)) {
            return false;
        }
        addr_len = 4;
    } else if ((vhl >> 4) == 6) {
        /* RFC 8200 3: next header at 6, addresses at 8; then hop-by-hop (0), routing (43) and
         * destination options (60) headers, each 8 * (1 + its length byte) long. */
        if (!cur_peek_u8(ip, 6, &proto) || !cur_skip(&c, 8) || !cur_get_bytes(&c, 32, &addrs)) {
            return false;
        }
        while (proto == 0 || proto == 43 || proto == 60) {
            uint8_t next, len;
            if (!cur_peek_u8(c, 0, &next) || !cur_peek_u8(c, 1, &len) ||
                !cur_skip(&c, 8 * ((size_t)len + 1))) {
                return false;
            }
            proto = next;
        }
        if (proto != 17) {
            return false;
        }
        addr_len = 16;
    } else {
        return false;
    }
    memset(src, 0, sizeof(*src));
    memset(dst, 0, sizeof(*dst));
    src->family = dst->family = addr_len == 4 ? 4 : 6;
    struct cursor a, b;
    uint16_t length, checksum;
    if (!cur_get_bytes(&addrs, addr_len, &a) || !cur_get_bytes(&addrs, addr_len, &b) ||
        !cur_get_u16(&c, &src->port) || !cur_get_u16(&c, &dst->port) ||
        !cur_get_u16(&c, &length) || !cur_get_u16(&c, &checksum) || length < UDP_HEADER) {
        return false;
    }
    cur_copy(a, src->addr);
    cur_copy(b, dst->addr);
    /* RFC 768: the length covers header and data; a capture cut short keeps what it has. */
    dg->payload = cur_take_upto(&c, length - UDP_HEADER);
    return true;
}

/* ---- the table ---- */

static uint32_t hash_endpoint(const struct endpoint *e)
{
    uint8_t bytes[19];
    bytes[0] = e->family;
    memcpy(bytes + 1, e->addr, 16);
    bytes[17] = (uint8_t)(e->port >> 8);
    bytes[18] = (uint8_t)e->port;
    return fnv1a32(FNV1A32_BASIS, bytes, sizeof(bytes));
}

/* The same for both directions of a flow. */
static uint32_t hash_pair(const struct endpoint *a, const struct endpoint *b)
{
    return hash_endpoint(a) + hash_endpoint(b);
}

static bool same_endpoint(const struct endpoint *a, const struct endpoint *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static struct udp_flow *find(struct udp_table *t, const struct endpoint *src,
                             const struct endpoint *dst, uint32_t hash, enum dir *d)
{
    for (struct udp_flow *u = t->buckets[hash % UDP_BUCKETS]; u != NULL; u = u->bucket_next) {
        if (u->hash != hash) {
            continue;
        }
        if (same_endpoint(&u->conn.client, src) && same_endpoint(&u->conn.server, dst)) {
            *d = DIR_C2S;
            return u;
        }
        if (same_endpoint(&u->conn.client, dst) && same_endpoint(&u->conn.server, src)) {
            *d = DIR_S2C;
            return u;
        }
    }
    return NULL;
}

static struct udp_flow *least_active(struct udp_table *t)
{
    return AGE_ENTRY(t->activity.oldest, struct udp_flow, activity);
}

/* ---- events ---- */

static const char *quic_version_name(uint32_t version)
{
    return version == QUIC_VERSION_2 ? "v2" : "v1";
}

/* Every line of a UDP flow says which transport carried it before its own fields. */
static void emit_udp_event(void *ctx, enum dir d, const struct fields *f)
{
    struct udp_flow *u = ctx;
    struct fields g;
    fields_init(&g, f->event, f->name);
    fields_add_token(&g, "transport", u->kind == UDP_QUIC ? "quic" : "dtls");
    if (u->kind == UDP_QUIC) {
        fields_add_token(&g, "quic_version", quic_version_name(u->quic.version));
    }
    fields_append(&g, f);
    struct tls_sink sink = conn_sink(&u->conn);
    sink.emit(sink.ctx, d, &g);
}

/* Counts a completed handshake once, as conn_data does for TCP (for -c). */
static void note_established(struct udp_flow *u)
{
    struct conn *c = &u->conn;
    if (c->established || strcmp(flow_status(&c->tls), "established") != 0) {
        return;
    }
    c->established = true;
    c->env->stats->handshakes_established++;
    if (c->env->on_established != NULL) {
        c->env->on_established(c->env->hook_ctx);
    }
}

static void close_flow(struct udp_table *t, struct udp_flow *u, const char *end)
{
    struct tls_sink sink = {emit_udp_event, u};
    u->conn.tls.packet_time = t->env->now.tv_sec; /* the certificate checks' time (tls.h) */
    if (u->kind == UDP_QUIC) {
        quic_finish(&u->quic, &u->conn.tls, &sink);
    } else {
        dtls_finish(&u->dtls, &u->conn.tls, &sink);
    }
    struct fields f;
    fields_init(&f, "close", NULL);
    fields_add_token(&f, "end", end);
    conn_describe_times(&u->conn, &f);
    /* idle: --idle-timeout; eof: the capture ended; evicted, connection_close (QUIC's frame,
     * whose sender is not followed): neither */
    enum close_kind kind = strcmp(end, "idle") == 0  ? CLOSE_TIMEOUT
                           : strcmp(end, "eof") == 0 ? CLOSE_EOF
                                                     : CLOSE_OTHER;
    conn_describe_tls(&u->conn, &f, kind);
    conn_describe_tunnel(&u->conn, &f);
    fields_add_uint(&f, "datagrams_c2s", u->datagrams[DIR_C2S]);
    fields_add_uint(&f, "datagrams_s2c", u->datagrams[DIR_S2C]);
    fields_add_uint(&f, "bytes_c2s", u->bytes[DIR_C2S]);
    fields_add_uint(&f, "bytes_s2c", u->bytes[DIR_S2C]);
    if (u->kind == UDP_QUIC) {
        quic_describe(&u->quic, &f);
    } else {
        dtls_describe(&u->dtls, &u->conn.tls, &f);
    }
    if (u->conn.events_suppressed > 0) {
        fields_add_uint(&f, "events_suppressed", u->conn.events_suppressed);
    }
    emit_udp_event(u, DIR_C2S, &f);

    struct udp_flow **p = &t->buckets[u->hash % UDP_BUCKETS];
    while (*p != u) {
        p = &(*p)->bucket_next;
    }
    *p = u->bucket_next;
    age_list_remove(&t->activity, &u->activity);
    t->n--;
    quic_state_free(&u->quic);
    dtls_state_free(&u->dtls);
    tls_state_free(&u->conn.tls);
    free(u);
}

/* A flow for a client's first datagram; the least recently active one makes room. */
static struct udp_flow *open_flow(struct udp_table *t, enum udp_kind kind,
                                  const struct endpoint *client, const struct endpoint *server,
                                  uint32_t hash)
{
    if (t->n >= UDP_MAX_FLOWS && least_active(t) != NULL) {
        t->env->stats->udp_flows_evicted++;
        close_flow(t, least_active(t), "evicted");
    }
    struct udp_flow *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        return NULL;
    }
    u->table = t;
    u->kind = kind;
    u->hash = hash;
    u->conn.env = t->env;
    u->conn.client = *client;
    u->conn.server = *server;
    u->conn.kind = CONN_TLS;
    u->conn.gtpu = t->env->in_gtpu;
    u->conn.first_seen = t->env->now; /* its first datagram */
    tls_state_init(&u->conn.tls);
    u->conn.tls.budget = t->env->budget;
    u->conn.tls.keys = secrets_table();
    u->conn.tls.transport = kind == UDP_QUIC ? TRANSPORT_QUIC : TRANSPORT_DTLS;
    quic_state_init(&u->quic);
    dtls_state_init(&u->dtls);
    u->bucket_next = t->buckets[hash % UDP_BUCKETS];
    t->buckets[hash % UDP_BUCKETS] = u;
    age_list_append(&t->activity, &u->activity);
    t->n++;
    if (kind == UDP_QUIC) {
        t->env->stats->quic_connections++;
    } else {
        t->env->stats->dtls_connections++;
    }
    return u;
}

/* Flows without a datagram for UDP_IDLE_TIMEOUT seconds of packet time are over. */
static void expire_idle(struct udp_table *t, struct timeval now)
{
    struct udp_flow *u;
    while ((u = least_active(t)) != NULL && now.tv_sec - u->last.tv_sec > UDP_IDLE_TIMEOUT) {
        t->env->stats->udp_flows_idle++;
        close_order_set(ORDER_UDP, &u->activity);
        close_flow(t, u, "idle");
    }
    close_order_clear();
}

void udp_clock(struct udp_table *t, struct timeval now)
{
    if (t != NULL) {
        t->env->now = now;
        expire_idle(t, now);
    }
}

bool udp_packet(struct udp_table *t, struct timeval ts, const struct udp_datagram *dg)
{
    if (t == NULL) {
        return false;
    }
    const struct endpoint *src = &dg->src, *dst = &dg->dst;
    struct cursor payload = dg->payload;
    t->env->now = ts;
    uint32_t hash = hash_pair(src, dst);
    enum dir d = DIR_C2S;
    struct udp_flow *u = find(t, src, dst, hash, &d);
    if (u == NULL) {
        if (quic_looks_like_client_initial(payload)) {
            u = open_flow(t, UDP_QUIC, src, dst, hash);
        } else if (dtls_looks_like_client_hello(payload)) {
            u = open_flow(t, UDP_DTLS, src, dst, hash);
        }
        if (u == NULL) {
            return false;
        }
        d = DIR_C2S;
    }
    if (u->conn.gtpu) {
        conn_note_tunnel(&u->conn, d);
    }
    u->datagrams[d]++;
    u->bytes[d] += cur_len(payload);
    u->last = ts;
    age_list_touch(&t->activity, &u->activity);
    struct tls_sink sink = {emit_udp_event, u};
    u->conn.tls.packet_time = ts.tv_sec;
    if (u->kind == UDP_QUIC) {
        if (u->quic.version == 0) {
            u->quic.version = quic_datagram_version(payload);
        }
        quic_datagram(&u->quic, &u->conn.tls, d, payload, &sink);
    } else {
        dtls_datagram(&u->dtls, &u->conn.tls, d, payload, &sink);
    }
    note_established(u);
    if (u->kind == UDP_QUIC && u->quic.closed) {
        close_flow(t, u, "connection_close");
    }
    return true;
}

bool udp_gtpu_enter(struct udp_table *t, const struct udp_datagram *dg, struct cursor *inner)
{
    uint32_t teid;
    if (t == NULL || (dg->src.port != GTPU_PORT && dg->dst.port != GTPU_PORT) ||
        !gtpu_decode(dg->payload, &teid, inner)) {
        return false;
    }
    t->env->stats->gtpu_packets++;
    t->env->in_gtpu = true;
    t->env->gtpu_teid = teid;
    return true;
}

void udp_gtpu_leave(struct udp_table *t)
{
    if (t != NULL) {
        t->env->in_gtpu = false;
    }
}

void udp_end(struct udp_table *t)
{
    if (t == NULL) {
        return;
    }
    while (least_active(t) != NULL) {
        close_order_set(ORDER_UDP, &least_active(t)->activity);
        close_flow(t, least_active(t), "eof");
    }
    close_order_clear();
    free(t);
}
