/* libnids glue: its global parameters and callbacks are confined here and turned into
 * conn_open / conn_data / conn_close (libnids 1.26: nids.h, its API.html and tcp.c). */
#include "tcp/reassembly.h"

#include <nids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "tcp/bypass.h"
#include "capture/capture.h"
#include "conn.h"
#include "tcp/ipv6map.h"
#include "tcp/paths.h"
#include "stats.h"
#include "tcp/tcp_segment.h"

/* libnids calls back through globals, so the run's context has to be one too. */
static struct {
    struct conn_env *env;
    struct v6map *v6;
    pcap_t *dummy;
    bool active;
    bool in_syn; /* the packet being fed is a SYN: the only time libnids evicts a stream */
    struct timeval idle_timeout;
    /* Followed connections, least recently active first: the idle ones are closed from the
     * head (links in struct conn, owned by this file). */
    struct age_list idle;
    /* The table of paths (paths.h): told when a connection is established, handed over to
     * the bypass, or gone. */
    struct tcp_paths *paths;
    const struct segment *segment; /* the packet being fed, parsed; NULL if not a whole one */
    /* The stream whose bytes the record layer just took: its emptied buffers are kept or
     * freed once libnids is done with the packet (after_delivery). Cleared when the stream
     * ends. */
    struct tcp_stream *delivered;
    bool delivered_done; /* ... and it will not deliver again: its buffers are freed */
    /* Streams whose emptied buffers are kept, least recently delivered first (links in
     * struct conn), and the bytes of those buffers. */
    struct age_list kept;
    size_t kept_bytes;
    bool fragment;                 /* ... is an IPv4 fragment: libnids may complete a datagram */
} g;

static void idle_unlink(struct conn *c)
{
    age_list_remove(&g.idle, &c->idle);
}

/* Takes c's stream off the list of kept buffers (they are freed with the stream, or were). */
static void kept_unlink(struct conn *c)
{
    if (c->kept_bytes > 0) {
        age_list_remove(&g.kept, &c->kept);
        g.kept_bytes -= c->kept_bytes;
        c->kept_bytes = 0;
    }
}

/* Data arrived: the connection moves to the end of the idle list. */
static void idle_touch(struct conn *c)
{
    c->last_active = g.env->now;
    age_list_touch(&g.idle, &c->idle);
}

/* A half_stream's state once its FIN came in order, and once the other side acknowledged it
 * (libnids' tcp.c, not in nids.h). */
#define LIBNIDS_FIN_SENT 120
#define LIBNIDS_FIN_CONFIRMED 121

/* libnids keeps this pointer (it does not copy the array), hence static storage. */
static struct nids_chksum_ctl no_checksums[] = {{0, 0, NIDS_DONT_CHKSUM, 0}};

/* Replaces libnids' syslog reporting: warnings are counted and shown in the statistics. */
static void on_warning(int type, int err, struct ip *iph, void *data)
{
    (void)type;
    (void)iph;
    (void)data;
    if (err >= 0 && err < STATS_NIDS_WARN_KINDS) {
        g.env->stats->nids_warnings[err]++;
    }
}

const char *reassembly_warning_name(int code)
{
    static const char *const names[STATS_NIDS_WARN_KINDS] = {
        "undefined", "ip_oversized", "ip_invalid_list", "ip_overlap", "ip_header",
        "ip_source_route", "tcp_too_many_streams", "tcp_header", "tcp_big_queue", "tcp_bad_flags",
    };
    return code >= 0 && code < STATS_NIDS_WARN_KINDS ? names[code] : "unknown";
}

/* tuple4 holds addresses as on the wire; synthetic 240/4 ones stand for IPv6 (ipv6map.c). */
static void endpoint_from(u_int addr, u_short port, struct endpoint *e)
{
    memset(e, 0, sizeof(*e));
    e->port = port;
    if (v6map_lookup(g.v6, addr, e->addr)) {
        e->family = 6;
    } else {
        e->family = 4;
        memcpy(e->addr, &addr, 4);
    }
}

static struct cursor unconsumed(const struct half_stream *h)
{
    if (h->data == NULL || h->count <= h->offset) {
        return cur_make(NULL, 0);
    }
    return cur_make((const uint8_t *)h->data, (size_t)(h->count - h->offset));
}

static struct tcp_tuple tuple_of(const struct tcp_stream *a)
{
    struct tcp_tuple t = {a->addr.saddr, a->addr.daddr, a->addr.source, a->addr.dest};
    return t;
}

static void on_established(struct tcp_stream *a)
{
    struct tcp_tuple t = tuple_of(a);
    struct endpoint client, server;
    endpoint_from(a->addr.saddr, a->addr.source, &client);
    endpoint_from(a->addr.daddr, a->addr.dest, &server);
    struct conn *c = conn_open(g.env, &client, &server);
    a->user = c;
    if (c != NULL) {
        conn_hold_addresses(c, g.v6, a->addr.saddr, a->addr.daddr);
        c->stream = a;
        idle_touch(c);
        a->client.collect++;
        a->server.collect++;
        paths_libnids_established(g.paths, &t, &c->first_seen);
    } else {
        paths_libnids_gone(g.paths, &t); /* no listener: libnids frees it */
    }
}

static enum bypass_fin fin_of(const struct half_stream *sender)
{
    switch (sender->state) {
    case LIBNIDS_FIN_SENT:
        return BYPASS_FIN_SENT;
    case LIBNIDS_FIN_CONFIRMED:
        return BYPASS_FIN_CONFIRMED;
    default:
        return BYPASS_FIN_NONE;
    }
}

/* The rest of a packet's processing is libnids': a FIN in the packet whose bytes were just
 * delivered counts once they have (libnids marks it after the callback). */
static void fin_of_packet(const struct tcp_stream *a, struct bypass_handover *h)
{
    const struct segment *s = g.segment;
    if (s == NULL || !(s->flags & TCP_FIN)) {
        return;
    }
    enum dir d = s->t.saddr == a->addr.saddr && s->t.sport == a->addr.source ? DIR_C2S : DIR_S2C;
    if (s->seq + (uint32_t)cur_len(s->payload) == h->half[d].next_seq &&
        h->half[d].fin == BYPASS_FIN_NONE) {
        h->half[d].fin = BYPASS_FIN_SENT;
    }
}

/* One direction as libnids has it: the sender's half for its sequence numbers and FIN, the
 * receiver's for the bytes (libnids API.html: server.count_new is client data); used is what
 * the record layer just consumed of them (nids_discard takes effect after the callback). */
static struct bypass_half half_of(const struct half_stream *sender,
                                  const struct half_stream *receiver, size_t used)
{
    struct bypass_half h;
    h.next_seq = sender->first_data_seq + (uint32_t)receiver->count + receiver->urg_count;
    h.delivered = (uint64_t)receiver->count;
    h.fin = fin_of(sender);
    h.unconsumed = unconsumed(receiver);
    (void)cur_take_upto(&h.unconsumed, used); /* consumed already */
    return h;
}

/* A connection past its handshake leaves libnids for the bypass, unless libnids still holds
 * segments behind a hole (they would be lost) or urgent data muddles its counts. */
static bool hand_over(struct tcp_stream *a, struct conn *c, enum dir d, size_t used, bool skim)
{
    if (a->client.list != NULL || a->server.list != NULL ||
        a->client.urg_count != 0 || a->server.urg_count != 0) {
        return false;
    }
    struct bypass_handover h;
    memset(&h, 0, sizeof(h));
    h.conn = c;
    h.client.saddr = a->addr.saddr;
    h.client.daddr = a->addr.daddr;
    h.client.sport = a->addr.source;
    h.client.dport = a->addr.dest;
    h.client_isn = a->client.first_data_seq - 1;
    h.skim = skim;
    h.half[DIR_C2S] = half_of(&a->client, &a->server, d == DIR_C2S ? used : 0);
    h.half[DIR_S2C] = half_of(&a->server, &a->client, d == DIR_S2C ? used : 0);
    fin_of_packet(a, &h);
    return paths_hand_over(g.paths, &h);
}

static void on_data(struct tcp_stream *a, struct conn *c)
{
    /* The server half receives what the client sent (libnids API.html). */
    struct half_stream *h;
    enum dir d;
    if (a->server.count_new > 0) {
        h = &a->server;
        d = DIR_C2S;
    } else if (a->client.count_new > 0) {
        h = &a->client;
        d = DIR_S2C;
    } else {
        return; /* urgent data only */
    }
    enum conn_verdict verdict;
    idle_touch(c);
    size_t used = conn_data(c, d, unconsumed(h), &verdict);
    nids_discard(a, (int)used);
    if (verdict == CONN_RELEASE || ((verdict == CONN_DONE || verdict == CONN_SKIM) &&
                                    hand_over(a, c, d, used, verdict == CONN_SKIM))) {
        /* Lowering collect on both halves frees the stream without a callback. */
        idle_unlink(c);
        kept_unlink(c);
        if (verdict == CONN_RELEASE) {
            struct tcp_tuple t = tuple_of(a);
            conn_free(c);
            paths_libnids_gone(g.paths, &t);
        }
        a->user = NULL;
        a->client.collect--;
        a->server.collect--;
    } else if (verdict != CONN_DONE) {
        g.delivered = a;
    } else {
        g.delivered = a;
        g.delivered_done = true;
        /* Nothing buffered from here on: only --max-conns bounds such connections. */
        idle_unlink(c);
        /* Keep a listener (collect_urg): with no collector left libnids frees the stream
         * silently (tcp.c), and the close would never be reported. */
        a->server.collect_urg++;
        a->client.collect--;
        a->server.collect--;
    }
}

static enum conn_end end_of(char state)
{
    switch (state) {
    case NIDS_CLOSE:
        return CONN_END_FIN;
    case NIDS_RESET:
        return CONN_END_RESET;
    case NIDS_TIMED_OUT:
        /* Over n_tcp_streams, libnids drops its oldest stream as "timed out" while adding the
         * new one, which only a SYN does (tcp.c add_new_tcp). */
        return g.in_syn ? CONN_END_EVICTED : CONN_END_TIMEOUT;
    default:
        return CONN_END_EOF;
    }
}

static void finish(struct tcp_stream *a, enum conn_end end)
{
    struct conn *c = a->user;
    if (g.delivered == a) {
        g.delivered = NULL;
        g.delivered_done = false;
    }
    if (c == NULL) {
        return;
    }
    kept_unlink(c);
    struct tcp_tuple t = tuple_of(a);
    paths_libnids_gone(g.paths, &t);
    idle_unlink(c);
    if (end == CONN_END_EVICTED) {
        g.env->stats->evicted_connections++;
    }
    /* Segments still queued behind a hole were never delivered (libnids never skips a hole). */
    c->gap[DIR_C2S] = a->server.list != NULL;
    c->gap[DIR_S2C] = a->client.list != NULL;
    conn_close(c, end, (uint64_t)a->server.count, (uint64_t)a->client.count,
               unconsumed(&a->server), unconsumed(&a->client));
    conn_free(c);
    a->user = NULL;
}

/* libnids' stream of the connection on t, either direction. */
static struct tcp_stream *find_stream(const struct tcp_tuple *t)
{
    struct tuple4 fwd = {t->sport, t->dport, t->saddr, t->daddr};
    struct tuple4 rev = {t->dport, t->sport, t->daddr, t->saddr};
    struct tcp_stream *a = nids_find_tcp_stream(&fwd);
    return a != NULL ? a : nids_find_tcp_stream(&rev);
}

static void on_tcp(struct tcp_stream *a, void **unused)
{
    (void)unused;
    switch (a->nids_state) {
    case NIDS_JUST_EST:
        on_established(a);
        break;
    case NIDS_DATA:
        if (a->user != NULL) {
            on_data(a, a->user);
        }
        break;
    default:
        finish(a, end_of(a->nids_state));
        break;
    }
}

/* libnids calls this with every whole IP datagram, before its TCP layer. A datagram it has
 * just put together from fragments never went by the table of paths (which sees packets,
 * not datagrams), so a segment of a connection past its handshake or on the keyless path
 * goes there now; libnids' TCP layer, which does not know the connection, ignores it. */
static void on_ip(struct ip *datagram, int skblen)
{
    (void)skblen;
    uint16_t total;
    struct segment s;
    struct cursor header = cur_make((const uint8_t *)datagram, 20);
    if (!g.fragment || !cur_peek_u16(header, 2, &total)) {
        return;
    }
    if (tcp_segment_parse(cur_make((const uint8_t *)datagram, total), &s)) {
        paths_datagram(g.paths, g.env->now, &s);
    }
}

bool reassembly_begin(const struct reassembly_opts *o, struct conn_env *env,
                      struct v6map *v6, struct tcp_paths *paths, char *err, size_t errlen)
{
    g.env = env;
    g.paths = paths;
    g.v6 = v6;
    g.dummy = capture_open_raw_dummy();
    if (g.dummy == NULL) {
        snprintf(err, errlen, "reassembly: cannot create a raw packet handle");
        return false;
    }
    nids_params.pcap_desc = g.dummy;
    nids_params.filename = NULL;
    nids_params.device = NULL;
    /* libnids keeps at most 3/4 n + 1 streams (tcp.c tcp_init): size n for max_conns. */
    int streams = ((o->max_conns - 1) * 4 + 2) / 3;
    nids_params.n_tcp_streams = streams > 0 ? streams : 1;
    g.idle_timeout.tv_sec = (time_t)o->idle_timeout;
    g.idle_timeout.tv_usec = 0;
    g.idle.oldest = g.idle.newest = NULL;
    g.kept.oldest = g.kept.newest = NULL;
    g.kept_bytes = 0;
    nids_params.scan_num_hosts = 0; /* scan detection runs on wall-clock time: off */
    nids_params.syslog = on_warning;
    nids_params.tcp_workarounds = 1;
    nids_params.multiproc = 0;
    if (!nids_init()) {
        snprintf(err, errlen, "reassembly: %s", nids_errbuf);
        capture_close_raw_dummy(g.dummy);
        return false;
    }
    /* Loopback and sending-host captures carry offloaded (wrong) TCP checksums. */
    if (!o->verify_checksums) {
        nids_register_chksum_ctl(no_checksums, 1);
    }
    nids_register_tcp(on_tcp);
    nids_register_ip(on_ip);
    g.active = true;
    return true;
}

/* A SYN on a 4-tuple that still has a live stream starts a new connection: libnids would
 * otherwise fold it into the old stream for up to an hour (tcp.c, tcp_flow_timeout).
 * Past that hour (tcp_flow_timeout, counted from the stream's ts) libnids frees the old
 * stream itself on such a SYN, even a retransmitted one, and tells no listener: its
 * connection is closed here first, or it would never be reported nor freed. */
static void close_reused_tuple(struct timeval ts, const struct segment *s)
{
    g.in_syn = false;
    if (s == NULL || (s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN) {
        return; /* not a SYN without ACK */
    }
    g.in_syn = true;
    struct tuple4 t = {s->t.sport, s->t.dport, s->t.saddr, s->t.daddr};
    struct tcp_stream *old = nids_find_tcp_stream(&t);
    if (old == NULL) {
        return;
    }
    bool expired = nids_params.tcp_flow_timeout > 0 &&
                   old->ts + nids_params.tcp_flow_timeout < (long)ts.tv_sec;
    if (!expired &&
        (old->nids_state != NIDS_DATA || old->client.first_data_seq == s->seq + 1)) {
        return; /* not yet established, or a retransmitted SYN */
    }
    if (expired && old->user == NULL) {
        return; /* libnids frees it, and nothing of ours is on it */
    }
    g.env->stats->reused_tuples++;
    finish(old, CONN_END_REUSED);
    nids_free_tcp_stream(old);
}

/* Connections that buffer data but have had none for idle_timeout of packet time are closed
 * (end=idle), so a day-long capture does not keep every abandoned stream. Counted in whole
 * seconds, so that the verdict changes only when the packets' second does: the clock is read
 * once per second of packet time (paths_clock), by every worker of -j at the same packet. */
static void close_idle(struct timeval now)
{
    while (g.idle_timeout.tv_sec > 0 && g.idle.oldest != NULL) {
        struct conn *c = AGE_ENTRY(g.idle.oldest, struct conn, idle);
        if (now.tv_sec - c->last_active.tv_sec <= g.idle_timeout.tv_sec) {
            return;
        }
        struct tcp_stream *a = c->stream;
        g.env->stats->idle_connections++;
        close_order_set(ORDER_LIBNIDS, &c->idle);
        finish(a, CONN_END_IDLE);
        nids_free_tcp_stream(a);
    }
    close_order_clear();
}

/* The record layer keeps what it has not read yet (a record in part, in the handshake
 * budget), so the receiving half's buffer is empty after delivery. libnids never shrinks or
 * frees it while the stream lives (tcp.c add2buf: at least 4 KiB, doubling), which for
 * --max-conns connections waiting in their handshake would be the bulk of the memory; freed,
 * libnids allocates a new one with the next bytes (add2buf, data == NULL). Freeing it at every
 * delivery cost an allocation per packet, so the emptied buffers of the streams that delivered
 * last are kept, up to KEPT_BUFFER_BYTES in all: past it, the least recently delivered
 * stream's go. */
#define KEPT_BUFFER_BYTES (4u << 20)

static size_t empty_buffer_bytes(const struct half_stream *h)
{
    return h->data != NULL && h->count == h->offset ? (size_t)h->bufsize : 0;
}

static void trim_half(struct half_stream *h)
{
    if (empty_buffer_bytes(h) > 0) {
        free(h->data);
        h->data = NULL;
        h->bufsize = 0;
    }
}

static void trim(struct tcp_stream *a)
{
    trim_half(&a->client);
    trim_half(&a->server);
}

/* Once libnids is done with the packet (it moves what was not consumed after the callback). */
static void after_delivery(void)
{
    struct tcp_stream *a = g.delivered;
    if (a == NULL) {
        return;
    }
    g.delivered = NULL;
    struct conn *c = a->user;
    kept_unlink(c);
    if (g.delivered_done) {
        g.delivered_done = false;
        trim(a); /* no byte comes through libnids any more (on_data) */
        return;
    }
    c->kept_bytes = empty_buffer_bytes(&a->client) + empty_buffer_bytes(&a->server);
    if (c->kept_bytes > 0) {
        age_list_append(&g.kept, &c->kept);
        g.kept_bytes += c->kept_bytes;
    }
    while (g.kept_bytes > KEPT_BUFFER_BYTES) {
        struct conn *oldest = AGE_ENTRY(g.kept.oldest, struct conn, kept);
        kept_unlink(oldest);
        trim(oldest->stream);
    }
}

/* A FIN or RST of a connection libnids follows: who sent it first, for the failure causes
 * (aborted_by_client/server). Only those packets pay the lookup. */
static void note_closer(const struct segment *s)
{
    if (s == NULL || !(s->flags & (TCP_FIN | TCP_RST))) {
        return;
    }
    struct tcp_stream *a = find_stream(&s->t);
    if (a == NULL || a->user == NULL) {
        return;
    }
    bool from_client = s->t.saddr == a->addr.saddr && s->t.sport == a->addr.source;
    conn_note_closer(a->user, from_client ? DIR_C2S : DIR_S2C);
}

void reassembly_feed(struct timeval ts, struct cursor ipv4, const struct segment *s)
{
    struct pcap_pkthdr h;
    if (!g.active) {
        return;
    }
    /* nids_last_pcap_header dangles in some callbacks: keep our own time (libnids.c). */
    g.env->now = ts;
    close_reused_tuple(ts, s);
    h.ts = ts;
    h.caplen = (bpf_u_int32)cur_len(ipv4);
    h.len = h.caplen;
    g.segment = s;
    note_closer(s);
    uint16_t frag = 0;
    g.fragment = cur_peek_u16(ipv4, 6, &frag) && (frag & 0x3fff) != 0;
    nids_pcap_handler(NULL, &h, (u_char *)cur_data(ipv4));
    after_delivery();
    g.segment = NULL; /* the caller's, gone after this */
}

enum conn_kind reassembly_kind_of(const struct tcp_tuple *t)
{
    const struct tcp_stream *a = g.active ? find_stream(t) : NULL;
    if (a == NULL) {
        return CONN_NOT_TLS;
    }
    /* libnids frees a stream nobody listens to right after JUST_EST, so a stream without
     * a conn is one whose TCP handshake is still going on. */
    if (a->user == NULL) {
        return CONN_UNDECIDED;
    }
    const struct conn *c = a->user;
    return c->kind;
}

void reassembly_forget(const struct tcp_tuple *t)
{
    struct tcp_stream *a = g.active ? find_stream(t) : NULL;
    if (a == NULL) {
        return;
    }
    struct conn *c = a->user;
    if (c != NULL) {
        /* nothing printed yet (no byte was delivered): the keyless path counts it again */
        idle_unlink(c);
        kept_unlink(c);
        conn_free(c);
        a->user = NULL;
        g.env->stats->tcp_connections--;
    }
    nids_free_tcp_stream(a);
}

void reassembly_clock(struct timeval now)
{
    if (g.active) {
        g.env->now = now;
        close_idle(now);
    }
}

void reassembly_end(void)
{
    if (!g.active) {
        return;
    }
    /* End of input: the connections still followed are closed least recently active first,
     * so their close lines come in an order the capture decides. nids_exit() would close them
     * in the order of its hash table, whose hash libnids seeds at random (hash.c init_hash),
     * so two runs over one file printed them in different orders. */
    while (g.idle.oldest != NULL) {
        struct conn *c = AGE_ENTRY(g.idle.oldest, struct conn, idle);
        struct tcp_stream *a = c->stream;
        close_order_set(ORDER_LIBNIDS, &c->idle);
        finish(a, CONN_END_EOF);
        nids_free_tcp_stream(a);
    }
    close_order_clear();
    /* Unregistered before nids_exit, which leaves the IP list's nodes dangling (a later
     * unregister crashed); no datagram comes from here on. */
    nids_unregister_ip(on_ip);
    nids_exit();
    /* The next nids_init() forgets its callback list without freeing it: free our entry. */
    nids_unregister_tcp(on_tcp);
    capture_close_raw_dummy(g.dummy);
    g.dummy = NULL;
    g.active = false;
}
