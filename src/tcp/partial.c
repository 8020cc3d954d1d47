/* The keyless path (partial.h). Per tuple: the first plausible TLS record header each way
 * (RFC 8446 5.1: type 20-24, version 3.x, length at most 2^14 + 2048), and the records of a
 * direction from the first captured segment that begins a handshake, change_cipher_spec or
 * alert record, in order, up to the next missing segment. One line `partial` reports it,
 * then the records, then a close line saying what was missing; every line carries capture=.
 * Roles come from content (a ClientHello or ServerHello at the start of a direction), then
 * from a SYN or SYN/ACK seen, then from the ports. */
#include "tcp/partial.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "age_list.h"
#include "conn.h"
#include "base/budget.h"
#include "base/fields.h"
#include "tcp/ipv6map.h"
#include "base/names.h"
#include "tcp/paths.h"
#include "stats.h"
#include "tcp/tcp_segment.h"

/* One direction, by sender: index 0 is the key's first endpoint. */
struct sender {
    bool seen; /* any packet, or a SYN or SYN/ACK before the tuple came here */
    bool payload_seen;
    uint32_t first_seq; /* bytes= on the close line: first_seq to high_seq */
    uint32_t high_seq;
    uint32_t scanned; /* payload segments searched for a header */
    bool found;       /* its first plausible record header */
    uint8_t type;
    uint16_t version;
    bool pending;     /* a header whose record runs past its segment: confirmed or dropped
                       * by the header expected right after that record */
    uint8_t pending_type;
    uint16_t pending_version;
    uint32_t expect_seq;
    /* A direction dissected from a segment that began a record: contiguous bytes only. */
    bool dissect;
    bool dissect_from_first; /* ... from its first captured byte */
    bool encrypted_start; /* ... whose first record there is a protected handshake record */
    bool stopped; /* a gap, the buffer bound, or the handshake is over */
    bool gap;
    bool fin;
    /* Its first packet came inside GTP-U with this TEID: the conn is made later (at the first
     * header, or at the end of input), when the packet being processed is another one. */
    bool gtpu;
    uint32_t gtpu_teid;
    uint32_t next_seq;
    uint8_t *buf; /* bytes taken but not consumed by the record layer (owned) */
    size_t len;
    uint64_t base;  /* stream offset of buf[0], from the first dissected byte */
    uint64_t taken; /* stream offset of the end of buf */
    /* buf is charged to the handshake budget like any buffered handshake byte: over it, the
     * oldest holder anywhere is dropped, and for a direction here that is a stop, as after a
     * hole (drop_held). */
    struct budget_entry charge;
};

/* A dissected segment received before the connection was reported, replayed in order. */
struct held {
    uint8_t sender;
    struct timeval ts;
    uint64_t end;
};

enum state {
    ST_SCANNING, /* looking for headers; dissected segments are held */
    ST_REPORTED, /* carries TLS: its conn prints */
    ST_NOT_TLS,  /* no header where one would be: counted, then quiet until dropped */
    ST_CLOSED,   /* closed; kept so that its last packets do not start it again */
};

struct partial_conn {
    struct tuple_key key;
    enum state state;
    struct age_link activity; /* the least recently active tuple is dropped first */
    uint8_t first_sender;  /* sender of the first packet seen here (2: none yet) */
    struct sender s[2];
    struct partial_start start;
    struct timeval found_ts; /* when the first header turned up */
    struct timeval first_ts; /* its first packet (SYN, or the one that opened the entry) */
    uint32_t since_found;    /* payload segments since */
    struct held held[PARTIAL_HOLD_SEGMENTS];
    size_t n_held;
    struct budget *budget; /* what the senders' buffers are charged to (the run's) */
    struct conn *conn;     /* once reported (owned) */
    bool reported;         /* stays true once closed: -w keeps its last frames */
    uint8_t client_sender; /* which sender is the client */
};

/* One per run, beside reassembly's libnids context. */
struct partial {
    struct conn_env *env;
    struct tcp_paths *paths;
    struct v6map *v6;
    struct age_list activity;
    size_t n;
};

static struct partial_conn *least_active(struct partial *m)
{
    return AGE_ENTRY(m->activity.oldest, struct partial_conn, activity);
}

/* ---- record headers */

/* RFC 8446 5.1 TLSPlaintext / RFC 5246 6.2.1: a plausible header at offset i. */
static bool header_at(struct cursor payload, size_t i, uint8_t *type, uint16_t *version,
                      uint16_t *length)
{
    struct cursor h = payload;
    if (!cur_skip(&h, i) || !cur_get_u8(&h, type) || !cur_get_u16(&h, version) ||
        !cur_get_u16(&h, length)) {
        return false;
    }
    return *length > 0 && tls_record_header_plausible(*type, *version, *length);
}

/* The first record of a direction holds a plaintext handshake message: a known type whose
 * length fits the record (or a Certificate, often split across records), and for the hellos
 * a version 3.x next. A protected record passes by chance about once in 10^5. */
static bool plaintext_handshake_at_start(struct cursor payload, uint8_t *msg_type)
{
    uint16_t record_length, version;
    uint32_t msg_length;
    struct cursor h = payload;
    if (!cur_skip(&h, 3) || !cur_get_u16(&h, &record_length) || !cur_get_u8(&h, msg_type) ||
        !cur_get_u24(&h, &msg_length) || names_lookup(NAMES_HS, *msg_type) == NULL) {
        return false;
    }
    if (*msg_type == HS_client_hello || *msg_type == HS_server_hello) {
        if (!cur_get_u16(&h, &version) || !tls_version_is_3x(version)) {
            return false;
        }
    }
    return (size_t)msg_length + 4 <= record_length ||
           (*msg_type == HS_certificate && msg_length <= TLS_HS_MESSAGE_MAX);
}

static void header_found(struct sender *s, uint8_t type, uint16_t version)
{
    s->found = true;
    s->pending = false;
    s->type = type;
    s->version = version;
}

/* Random bytes look like a header every few hundred kilobytes, so one counts only when it
 * starts the segment, its record ends the segment, or the next header follows it. */
static void search_header(struct sender *s, uint32_t seq, struct cursor payload)
{
    uint8_t type, next_type;
    uint16_t version, length, next_version, next_length;
    size_t len = cur_len(payload);
    if (s->pending) {
        uint32_t at = s->expect_seq - seq;
        if (tcp_seq_before(s->expect_seq, seq)) {
            s->pending = false; /* went by unseen */
        } else if (at >= len) {
            return; /* still inside the candidate's record */
        } else if (header_at(payload, at, &type, &version, &length)) {
            header_found(s, s->pending_type, s->pending_version);
            return;
        } else {
            s->pending = false;
        }
    }
    for (size_t i = 0; i + TLS_RECORD_HEADER <= len; i++) {
        if (!header_at(payload, i, &type, &version, &length)) {
            continue;
        }
        size_t next = i + TLS_RECORD_HEADER + length;
        if (i == 0 || next == len ||
            header_at(payload, next, &next_type, &next_version, &next_length)) {
            header_found(s, type, version);
            return;
        }
        if (next > len) {
            s->pending = true;
            s->pending_type = type;
            s->pending_version = version;
            s->expect_seq = seq + (uint32_t)next;
            return;
        }
    }
}

/* ---- reporting */

static enum dir dir_of(const struct partial_conn *e, uint8_t sender)
{
    return sender == e->client_sender ? DIR_C2S : DIR_S2C;
}

/* tuple keys hold addresses as on the wire; synthetic 240/4 ones stand for IPv6. */
static void endpoint_of(struct partial *m, const struct partial_conn *e, uint8_t which,
                        struct endpoint *ep)
{
    memset(ep, 0, sizeof(*ep));
    ep->port = e->key.port[which];
    if (v6map_lookup(m->v6, e->key.addr[which], ep->addr)) {
        ep->family = 6;
    } else {
        ep->family = 4;
        memcpy(ep->addr, &e->key.addr[which], 4);
    }
}

/* Which side is the client: a ClientHello or ServerHello at the start of a direction says;
 * else a SYN or SYN/ACK seen; else the side sending to the lower (well-known) port is the
 * client, and on equal ports the first sender. */
static const char *guess_client(struct partial_conn *e)
{
    static const uint8_t hellos[] = {HS_client_hello, HS_server_hello};
    for (size_t h = 0; h < sizeof(hellos); h++) {
        for (uint8_t i = 0; i < 2; i++) {
            uint8_t msg;
            struct cursor first = cur_make(e->s[i].buf, e->s[i].len);
            if (!e->s[i].dissect || e->s[i].base != 0 ||
                !plaintext_handshake_at_start(first, &msg) || msg != hellos[h]) {
                continue;
            }
            e->client_sender = msg == HS_client_hello ? i : (uint8_t)(1 - i);
            return msg == HS_client_hello ? "client_hello" : "server_hello";
        }
    }
    if (e->start.syn_seen || e->start.synack_seen) {
        e->client_sender = e->start.client_sender;
        return e->start.syn_seen ? "syn" : "syn_ack";
    }
    if (e->key.port[0] != e->key.port[1]) {
        e->client_sender = e->key.port[0] < e->key.port[1] ? 1 : 0;
    } else {
        e->client_sender = e->first_sender < 2 ? e->first_sender : 0;
    }
    return "port";
}

static void free_buffer(struct sender *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = 0;
}

static void stop_dissecting(struct partial_conn *e, struct sender *s)
{
    s->stopped = true;
    s->dissect = false;
    budget_release(e->budget, &s->charge);
    free_buffer(s);
}

/* The budget took a direction's held bytes back (it is already out of the budget). */
static void drop_held(struct budget_entry *b)
{
    struct sender *s = (struct sender *)((char *)b - offsetof(struct sender, charge));
    s->gap = true; /* its close line says gap=, as after a hole */
    s->stopped = true;
    s->dissect = false;
    free_buffer(s);
}

/* Charges what s holds now; false when the budget dropped it instead. */
static bool charge_held(struct partial_conn *e, struct sender *s)
{
    if (s->len == 0) {
        budget_release(e->budget, &s->charge);
        return true;
    }
    if (!budget_charge(e->budget, &s->charge, budget_heap_size(s->len), drop_held)) {
        drop_held(&s->charge);
        return false;
    }
    return true;
}

/* Hands the record layer this sender's bytes up to stream offset upto. */
static void dissect(struct partial_conn *e, uint8_t sender, uint64_t upto)
{
    struct sender *s = &e->s[sender];
    if (!s->dissect || upto <= s->base) {
        return;
    }
    size_t avail = (size_t)(upto - s->base);
    enum conn_verdict verdict;
    /* out of the budget while the record layer reads buf: a charge it makes cannot drop buf
     * under it (the other direction's may go) */
    budget_release(e->budget, &s->charge);
    size_t used = conn_data(e->conn, dir_of(e, sender), cur_make(s->buf, avail), &verdict);
    memmove(s->buf, s->buf + used, s->len - used);
    s->len -= used;
    s->base += used;
    if (verdict != CONN_FOLLOW && verdict != CONN_SKIM) {
        /* the handshake is over both ways: like a followed connection, no more bytes */
        stop_dissecting(e, &e->s[0]);
        stop_dissecting(e, &e->s[1]);
    } else {
        (void)charge_held(e, s);
    }
}

static void add_first_header(struct fields *f, const struct sender *s, const char *type_key,
                             const char *version_key)
{
    if (s->found) {
        fields_add_name(f, type_key, NAMES_CONTENT, s->type);
        fields_add_name(f, version_key, NAMES_VERSION, s->version);
    }
}

/* Why libnids could not follow it: known when the tuple came here (a hole, two SYN/ACKs),
 * else from which sides were seen by the time it is reported. */
static enum conn_capture capture_of(const struct partial_conn *e)
{
    if (e->start.why != CAPTURE_WHOLE) {
        return e->start.why;
    }
    if (!e->s[e->client_sender].seen) {
        return CAPTURE_SERVER_ONLY;
    }
    if (!e->s[1 - e->client_sender].seen) {
        return CAPTURE_CLIENT_ONLY;
    }
    return CAPTURE_MIDSTREAM;
}

/* What the capture lacked, for the close line: the TCP handshake's packets, a side, or the
 * first bytes of a side: bytes before its first captured one when a SYN or SYN/ACK gave
 * where it starts, else when its first captured bytes do not begin a record. */
static uint8_t missing_of(const struct partial_conn *e)
{
    uint8_t client = e->client_sender;
    uint8_t missing = 0;
    if (!e->start.syn_seen) {
        missing |= CONN_MISSING_SYN;
    }
    if (!e->start.synack_seen) {
        missing |= CONN_MISSING_SYN_ACK;
    }
    for (uint8_t i = 0; i < 2; i++) {
        const struct sender *s = &e->s[i];
        bool is_client = i == client;
        if (!s->seen) {
            missing |= is_client ? CONN_MISSING_C2S : CONN_MISSING_S2C;
            continue;
        }
        bool late = e->start.isn_known[i] ? s->first_seq != e->start.isn[i] + 1
                                          : !s->dissect_from_first;
        if (s->payload_seen && late) {
            missing |= is_client ? CONN_MISSING_C2S_START : CONN_MISSING_S2C_START;
        }
    }
    return missing;
}

/* The connection carries TLS: its conn is made, the partial line printed and the held
 * segments replayed, each at its own time. */
static void report(struct partial *m, struct partial_conn *e, struct timeval now)
{
    const char *guess = guess_client(e);
    uint8_t client = e->client_sender;
    struct endpoint c_ep, s_ep;
    endpoint_of(m, e, client, &c_ep);
    endpoint_of(m, e, (uint8_t)(1 - client), &s_ep);
    e->conn = conn_open(m->env, &c_ep, &s_ep);
    if (e->conn != NULL) {
        e->conn->first_seen = e->first_ts;
    }
    if (e->conn == NULL) {
        m->env->stats->partial_unstarted++;
        e->state = ST_NOT_TLS;
        stop_dissecting(e, &e->s[0]);
        stop_dissecting(e, &e->s[1]);
        return;
    }
    conn_hold_addresses(e->conn, m->v6, e->key.addr[0], e->key.addr[1]);
    e->conn->gtpu = e->s[0].gtpu || e->s[1].gtpu;
    for (uint8_t i = 0; i < 2; i++) {
        e->conn->has_teid[dir_of(e, i)] = e->s[i].gtpu;
        e->conn->teid[dir_of(e, i)] = e->s[i].gtpu_teid;
    }
    e->state = ST_REPORTED;
    e->reported = true;
    e->conn->kind = CONN_TLS;
    e->conn->capture = capture_of(e);
    for (uint8_t i = 0; i < 2; i++) {
        if (e->s[i].dissect && e->s[i].encrypted_start) {
            /* TLS 1.2 or older past its handshake: record headers only (record.c skims), its
             * protected handshake records are a renegotiation (RFC 5746 1) */
            struct tls_dir *td = &e->conn->tls.dir[dir_of(e, i)];
            td->encrypted = td->ccs_seen = td->finished = true;
            e->conn->tls.skimming = true;
        }
    }
    m->env->stats->tls_connections++;
    m->env->stats->partial_connections[e->conn->capture]++;
    const struct sender *c2s = &e->s[client];
    const struct sender *s2c = &e->s[1 - client];
    struct fields f;
    fields_init(&f, "partial", NULL);
    fields_add_token(&f, "server_guess", guess);
    add_first_header(&f, c2s, "c2s_content_type", "c2s_record_version");
    add_first_header(&f, s2c, "s2c_content_type", "s2c_record_version");
    if (c2s->dissect || s2c->dissect) {
        fields_list_begin(&f, "dissected");
        if (c2s->dissect) {
            fields_list_token(&f, "c2s");
        }
        if (s2c->dissect) {
            fields_list_token(&f, "s2c");
        }
        fields_list_end(&f);
    }
    m->env->now = e->found_ts;
    /* the held segments' tunnels are the senders' above, not the current packet's */
    bool in_gtpu = m->env->in_gtpu;
    m->env->in_gtpu = false;
    struct tls_sink sink = conn_sink(e->conn);
    sink.emit(sink.ctx, DIR_C2S, &f);
    for (size_t i = 0; i < e->n_held; i++) {
        m->env->now = e->held[i].ts;
        dissect(e, e->held[i].sender, e->held[i].end);
    }
    e->n_held = 0;
    m->env->now = now;
    m->env->in_gtpu = in_gtpu;
}

static uint64_t sent_bytes(const struct sender *s)
{
    return s->payload_seen ? (uint64_t)(uint32_t)(s->high_seq - s->first_seq) : 0;
}

static void release_buffers(struct partial_conn *e)
{
    for (int i = 0; i < 2; i++) {
        budget_release(e->budget, &e->s[i].charge);
        free_buffer(&e->s[i]);
    }
}

/* Ends a tuple's connection: reported if it showed TLS, then its close line. */
static void finish(struct partial *m, struct partial_conn *e, enum conn_end end,
                   struct timeval now)
{
    if (e->state == ST_SCANNING && (e->s[0].found || e->s[1].found)) {
        report(m, e, now);
    } else if (e->state == ST_SCANNING && (e->s[0].payload_seen || e->s[1].payload_seen)) {
        m->env->stats->partial_not_tls++; /* ended before a header turned up */
    }
    if (e->state == ST_REPORTED) {
        uint8_t client = e->client_sender;
        struct sender *c2s = &e->s[client];
        struct sender *s2c = &e->s[1 - client];
        e->conn->gap[DIR_C2S] = c2s->gap;
        e->conn->gap[DIR_S2C] = s2c->gap;
        e->conn->missing = missing_of(e);
        /* what they still hold is read by the close, not dropped under it */
        budget_release(e->budget, &c2s->charge);
        budget_release(e->budget, &s2c->charge);
        conn_close(e->conn, end, sent_bytes(c2s), sent_bytes(s2c), cur_make(c2s->buf, c2s->len),
                   cur_make(s2c->buf, s2c->len));
        conn_free(e->conn);
        e->conn = NULL;
    }
    release_buffers(e);
    e->state = ST_CLOSED;
}

static void remove_entry(struct partial *m, struct partial_conn *e)
{
    paths_forget(m->paths, &e->key);
    age_list_remove(&m->activity, &e->activity);
    conn_free(e->conn);
    release_buffers(e);
    free(e);
    m->n--;
}

struct partial_conn *partial_open(struct partial *m, const struct tuple_key *k,
                                  const struct partial_start *start, struct timeval ts)
{
    if (m->n == PARTIAL_MAX_TUPLES) {
        struct partial_conn *old = least_active(m);
        if ((old->state == ST_SCANNING && (old->s[0].found || old->s[1].found)) ||
            old->state == ST_REPORTED) {
            m->env->stats->partial_evicted++;
        }
        m->env->now = ts;
        finish(m, old, CONN_END_EVICTED, ts);
        remove_entry(m, old);
    }
    struct partial_conn *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        m->env->stats->partial_unstarted++;
        return NULL;
    }
    e->key = *k;
    e->start = *start;
    e->budget = m->env->budget;
    e->first_sender = 2; /* none yet */
    e->first_ts = start->has_first ? start->first : ts;
    if (start->syn_seen) {
        e->s[start->client_sender].seen = true;
    }
    if (start->synack_seen) {
        e->s[1 - start->client_sender].seen = true;
    }
    age_list_append(&m->activity, &e->activity);
    m->n++;
    return e;
}

/* ---- segments */

/* Appends a dissected direction's next contiguous bytes; the first gap stops it. */
static void take_bytes(struct partial_conn *e, uint8_t sender, uint32_t seq,
                       struct cursor payload, struct timeval ts)
{
    struct sender *s = &e->s[sender];
    if (tcp_seq_before(seq, s->next_seq)) {
        uint32_t seen = s->next_seq - seq;
        if (seen >= cur_len(payload) || !cur_skip(&payload, seen)) {
            return; /* a retransmission */
        }
    } else if (seq != s->next_seq) {
        s->gap = true;
        s->stopped = true; /* what is already held still goes to the record layer */
        return;
    }
    size_t n = cur_len(payload);
    if (s->len + n > PARTIAL_BUFFER_MAX) {
        s->gap = true;
        s->stopped = true;
        return;
    }
    uint8_t *grown = realloc(s->buf, s->len + n);
    if (grown == NULL) {
        s->stopped = true;
        return;
    }
    s->buf = grown;
    cur_copy(payload, s->buf + s->len);
    s->len += n;
    s->taken += n;
    s->next_seq += (uint32_t)n;
    if (!charge_held(e, s)) {
        return;
    }
    if (e->state == ST_SCANNING && e->n_held < PARTIAL_HOLD_SEGMENTS) {
        e->held[e->n_held++] = (struct held){sender, ts, s->taken};
    }
}

/* A direction is dissected from its first segment that begins a handshake record (a late
 * ClientHello, the rest of a handshake after a lost segment, a renegotiation), a
 * change_cipher_spec, or a plaintext alert (RFC 8446 6: two bytes); a protected handshake
 * record at the start is a TLS 1.2 renegotiation, whose headers only are read. */
static bool starts_dissection(struct sender *s, struct cursor payload)
{
    uint8_t type, msg_type;
    uint16_t version, length;
    if (!header_at(payload, 0, &type, &version, &length)) {
        return false;
    }
    switch (type) {
    case CONTENT_handshake:
        s->encrypted_start = !plaintext_handshake_at_start(payload, &msg_type);
        return true;
    case CONTENT_change_cipher_spec:
        return length == 1;
    case CONTENT_alert:
        return length == 2;
    default:
        return false;
    }
}

static bool decided(const struct sender *s)
{
    return s->found || s->scanned >= PARTIAL_SCAN_SEGMENTS;
}

static void payload_segment(struct partial *m, struct partial_conn *e, uint8_t sender,
                            uint32_t seq, struct cursor payload, struct timeval ts)
{
    struct sender *s = &e->s[sender];
    uint32_t end = seq + (uint32_t)cur_len(payload);
    bool any_found = e->s[0].found || e->s[1].found;
    bool first = !s->payload_seen;
    if (first) {
        s->payload_seen = true;
        s->first_seq = seq;
        s->high_seq = end;
    } else if (tcp_seq_before(s->high_seq, end)) {
        s->high_seq = end;
    }
    if (!s->dissect && !s->stopped && e->state != ST_NOT_TLS && starts_dissection(s, payload)) {
        s->dissect = true;
        s->dissect_from_first = first;
        s->next_seq = seq;
    }
    if (!decided(s)) {
        s->scanned++;
        search_header(s, seq, payload);
        if (s->found && !any_found) {
            e->found_ts = ts;
        }
    }
    if (s->dissect && !s->stopped && e->state == ST_SCANNING && (e->s[0].found || e->s[1].found) &&
        s->len + cur_len(payload) > PARTIAL_BUFFER_MAX) {
        /* large segments (a capture after GRO or TSO) fill the buffer before enough of them
         * arrive to report: report now, and the record layer holds what a record needs
         * (within the handshake budget) instead of the buffer's bound stopping the direction */
        report(m, e, ts);
    }
    if (s->dissect && !s->stopped) {
        take_bytes(e, sender, seq, payload, ts);
    }
    if (e->state == ST_REPORTED) {
        dissect(e, sender, s->taken);
        return;
    }
    if (e->state != ST_SCANNING) {
        return;
    }
    any_found = e->s[0].found || e->s[1].found;
    if (any_found) {
        e->since_found++;
    }
    if (decided(&e->s[0]) && decided(&e->s[1])) {
        if (any_found) {
            report(m, e, ts);
        } else {
            m->env->stats->partial_not_tls++;
            e->state = ST_NOT_TLS;
            release_buffers(e);
        }
    } else if (any_found && (e->since_found >= PARTIAL_HOLD_SEGMENTS ||
                             e->n_held == PARTIAL_HOLD_SEGMENTS)) {
        report(m, e, ts);
    }
}

bool partial_packet(struct partial *m, struct partial_conn *e, uint8_t sender,
                    struct timeval ts, const struct segment *s)
{
    m->env->now = ts;
    if ((s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        /* libnids' connection from now on (a new one on a reused tuple ends ours) */
        finish(m, e, CONN_END_REUSED, ts);
        remove_entry(m, e);
        return false;
    }
    age_list_touch(&m->activity, &e->activity);
    if (e->state == ST_CLOSED) {
        return true;
    }
    e->s[sender].seen = true;
    if (m->env->in_gtpu && !e->s[sender].gtpu) {
        e->s[sender].gtpu = true;
        e->s[sender].gtpu_teid = m->env->gtpu_teid;
    }
    if (e->first_sender > 1) {
        e->first_sender = sender;
    }
    if (cur_len(s->payload) > 0) {
        payload_segment(m, e, sender, s->seq, s->payload, ts);
    }
    if ((s->flags & (TCP_RST | TCP_FIN)) && e->conn != NULL) {
        conn_note_closer(e->conn, dir_of(e, sender));
    }
    if (s->flags & TCP_RST) {
        finish(m, e, CONN_END_RESET, ts);
    } else if (s->flags & TCP_FIN) {
        e->s[sender].fin = true;
        if (e->s[0].fin && e->s[1].fin) {
            finish(m, e, CONN_END_FIN, ts);
        }
    }
    return true;
}

enum conn_kind partial_kind_of(const struct partial_conn *e)
{
    switch (e->state) {
    case ST_SCANNING:
        return CONN_UNDECIDED;
    case ST_REPORTED:
        return CONN_TLS;
    case ST_CLOSED:
        return e->reported ? CONN_TLS : CONN_NOT_TLS; /* its last FIN, RST or ACK */
    default:
        return CONN_NOT_TLS;
    }
}

struct partial *partial_new(struct conn_env *env, struct tcp_paths *paths, struct v6map *v6)
{
    struct partial *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->env = env;
    m->paths = paths;
    m->v6 = v6;
    return m;
}

void partial_end(struct partial *m)
{
    if (m == NULL) {
        return;
    }
    struct partial_conn *e;
    while ((e = least_active(m)) != NULL) {
        close_order_set(ORDER_PARTIAL, &e->activity);
        finish(m, e, CONN_END_EOF, m->env->now);
        remove_entry(m, e);
    }
    close_order_clear();
    free(m);
}

void partial_settle(struct partial *m)
{
    if (m == NULL) {
        return;
    }
    for (struct age_link *l = m->activity.oldest; l != NULL; l = l->newer) {
        struct partial_conn *e = AGE_ENTRY(l, struct partial_conn, activity);
        if (e->state == ST_SCANNING && (e->s[0].found || e->s[1].found)) {
            close_order_set(ORDER_SETTLE, &e->activity);
            report(m, e, m->env->now);
        }
    }
    close_order_clear();
}

void partial_drop(struct partial *m, struct partial_conn *e)
{
    remove_entry(m, e);
}
