/* Connections past their handshake, followed without libnids (bypass.h). The TCP rules are
 * libnids' own, so that lines and close reasons stay what reassembly gave: bytes are taken
 * in sequence order (segments ahead of a hole wait in a bounded queue), a FIN counts once
 * every byte before it came, an ACK from the other side confirms it, and both confirmed
 * close the connection; a RST closes it at once. */
#include "tcp/bypass.h"

#include <stdlib.h>
#include <string.h>

#include "age_list.h"
#include "stats.h"
#include "tcp/paths.h"
#include "tcp/tcp_segment.h"

/* libnids' warning code for a dropped out-of-order queue (NIDS_WARN_TCP_BIGQUEUE): the same
 * limit, reported the same way in the statistics. */
#define WARN_TCP_BIG_QUEUE 8
/* Queued segments per direction: bounds a flood of empty FINs ahead of a hole too. */
#define QUEUE_MAX_SEGMENTS 256

/* A segment that arrived ahead of a hole; its bytes only when record headers are read. */
struct queued {
    struct queued *next;
    uint32_t seq;
    uint32_t len;
    bool fin;
    uint8_t bytes[];
};

struct half {
    uint32_t next_seq;
    uint64_t delivered;
    enum bypass_fin fin;
    struct queued *queue;
    size_t queued_bytes;
    unsigned queued_segments;
    bool lost; /* a queue was dropped: the close line reports a gap */
    uint8_t *rest; /* unconsumed bytes from reassembly, for the close (owned) */
    size_t rest_len;
};

struct bypass_flow {
    struct tuple_key key;
    uint8_t client_sender; /* which of the key's endpoints is the client */
    bool skim;
    uint32_t client_isn;
    struct conn *conn;
    /* Handed-over order; a packet only sets recent, so that it touches no other flow's
     * memory, and eviction gives recent flows a second chance (moving them to the end). */
    struct age_link activity;
    bool recent;
    struct half half[2]; /* by enum dir */
};

struct bypass {
    struct conn_env *env;
    struct tcp_paths *paths;
    size_t n;
    size_t max;
    struct age_list activity;
};

/* ---- closing */

static void drop_queue(struct half *h)
{
    while (h->queue != NULL) {
        struct queued *q = h->queue;
        h->queue = q->next;
        free(q);
    }
    h->queued_bytes = 0;
    h->queued_segments = 0;
}

static void finish(struct bypass *b, struct bypass_flow *f, enum conn_end end)
{
    struct conn *c = f->conn;
    c->gap[DIR_C2S] = f->half[DIR_C2S].queue != NULL || f->half[DIR_C2S].lost;
    c->gap[DIR_S2C] = f->half[DIR_S2C].queue != NULL || f->half[DIR_S2C].lost;
    conn_close(c, end, f->half[DIR_C2S].delivered, f->half[DIR_S2C].delivered,
               cur_make(f->half[DIR_C2S].rest, f->half[DIR_C2S].rest_len),
               cur_make(f->half[DIR_S2C].rest, f->half[DIR_S2C].rest_len));
    conn_free(c);
    paths_forget(b->paths, &f->key);
    b->n--;
    age_list_remove(&b->activity, &f->activity);
    for (int d = 0; d < 2; d++) {
        drop_queue(&f->half[d]);
        free(f->half[d].rest);
    }
    free(f);
}

/* ---- taking over */

struct bypass *bypass_new(struct conn_env *env, struct tcp_paths *paths, int max_conns)
{
    struct bypass *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    b->env = env;
    b->paths = paths;
    b->max = max_conns > 0 ? (size_t)max_conns : 1;
    return b;
}

static bool take_half(struct half *h, const struct bypass_half *from)
{
    memset(h, 0, sizeof(*h));
    h->next_seq = from->next_seq;
    h->delivered = from->delivered;
    h->fin = from->fin;
    h->rest_len = cur_len(from->unconsumed);
    if (h->rest_len > 0) {
        h->rest = malloc(h->rest_len);
        if (h->rest == NULL) {
            return false;
        }
        cur_copy(from->unconsumed, h->rest);
    }
    return true;
}

/* The least recently active connection, near enough: the oldest handed over that has had no
 * packet since it was last looked at here. */
static void evict_one(struct bypass *b)
{
    struct bypass_flow *f;
    while ((f = AGE_ENTRY(b->activity.oldest, struct bypass_flow, activity))->recent) {
        f->recent = false;
        age_list_touch(&b->activity, &f->activity);
    }
    b->env->stats->evicted_connections++;
    finish(b, f, CONN_END_EVICTED);
}

struct bypass_flow *bypass_adopt(struct bypass *b, const struct bypass_handover *h)
{
    if (b->n >= b->max) {
        evict_one(b);
    }
    struct bypass_flow *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    if (!take_half(&f->half[DIR_C2S], &h->half[DIR_C2S]) ||
        !take_half(&f->half[DIR_S2C], &h->half[DIR_S2C])) {
        free(f->half[DIR_C2S].rest);
        free(f);
        return NULL;
    }
    f->key = tuple_key_of(&h->client, &f->client_sender);
    f->skim = h->skim;
    f->client_isn = h->client_isn;
    f->conn = h->conn;
    b->n++;
    age_list_append(&b->activity, &f->activity);
    b->env->stats->handed_over++;
    return f;
}

/* ---- segments */

/* A segment at or before the next byte due: its new bytes (counted as libnids counts every
 * byte in sequence, and read for record headers when skimming; bytes is empty otherwise),
 * then its FIN. libnids takes it when
 * seq + len + fin passes the next byte due; false when it brought nothing. */
static bool take_in_order(struct bypass_flow *f, enum dir d, uint32_t seq, uint32_t len,
                          struct cursor bytes, bool fin)
{
    struct half *h = &f->half[d];
    uint32_t end = seq + len;
    if (!tcp_seq_before(h->next_seq, end + (fin ? 1 : 0))) {
        return false;
    }
    uint32_t fresh = end - h->next_seq; /* 0 when only the FIN is new */
    h->next_seq = end;
    h->delivered += fresh;
    if (f->skim && fresh > 0) {
        struct cursor rest = bytes;
        (void)cur_take_upto(&rest, len - fresh); /* bytes delivered before */
        conn_skim(f->conn, d, rest);
    }
    if (fin && h->fin == BYPASS_FIN_NONE) {
        h->fin = BYPASS_FIN_SENT;
    }
    return true;
}

/* Queued segments the next byte due has reached, in any order, until none is left. */
static void drain(struct bypass_flow *f, enum dir d)
{
    struct half *h = &f->half[d];
    bool progress = true;
    while (progress) {
        progress = false;
        for (struct queued **p = &h->queue; *p != NULL;) {
            struct queued *q = *p;
            if (tcp_seq_before(h->next_seq, q->seq)) {
                p = &q->next;
                continue;
            }
            *p = q->next;
            h->queued_bytes -= q->len;
            h->queued_segments--;
            struct cursor bytes = cur_make(f->skim ? q->bytes : NULL, f->skim ? q->len : 0);
            progress |= take_in_order(f, d, q->seq, q->len, bytes, q->fin);
            free(q);
        }
    }
}

/* A segment ahead of a hole waits; past BYPASS_QUEUE_MAX the whole queue goes. */
static void enqueue(struct bypass *b, struct bypass_flow *f, enum dir d, uint32_t seq,
                    struct cursor bytes, bool fin)
{
    struct half *h = &f->half[d];
    size_t len = cur_len(bytes);
    if (h->queued_bytes + len > BYPASS_QUEUE_MAX || h->queued_segments >= QUEUE_MAX_SEGMENTS) {
        drop_queue(h);
        h->lost = true;
        b->env->stats->nids_warnings[WARN_TCP_BIG_QUEUE]++;
        return;
    }
    struct queued *q = malloc(sizeof(*q) + (f->skim ? len : 0));
    if (q == NULL) {
        h->lost = true;
        return;
    }
    q->seq = seq;
    q->len = (uint32_t)len;
    q->fin = fin;
    if (f->skim) {
        cur_copy(bytes, q->bytes);
    }
    q->next = h->queue;
    h->queue = q;
    h->queued_bytes += len;
    h->queued_segments++;
}

static void take_segment(struct bypass *b, struct bypass_flow *f, enum dir d,
                         const struct segment *s)
{
    bool fin = (s->flags & TCP_FIN) != 0;
    uint32_t len = (uint32_t)cur_len(s->payload);
    if (len == 0 && !fin) {
        return;
    }
    if (tcp_seq_before(f->half[d].next_seq, s->seq)) {
        enqueue(b, f, d, s->seq, s->payload, fin);
    } else if (take_in_order(f, d, s->seq, len, s->payload, fin)) {
        drain(f, d);
    }
}

bool bypass_packet(struct bypass *b, struct bypass_flow *f, uint8_t sender, struct timeval ts,
                   const struct segment *s)
{
    b->env->now = ts;
    enum dir d = sender == f->client_sender ? DIR_C2S : DIR_S2C;
    if (s->flags & TCP_SYN) {
        if ((s->flags & TCP_ACK) || d != DIR_C2S || s->seq == f->client_isn) {
            return true; /* a retransmitted SYN or SYN/ACK, or one libnids would ignore */
        }
        b->env->stats->reused_tuples++;
        finish(b, f, CONN_END_REUSED);
        return false; /* the new connection's SYN */
    }
    if (s->flags & (TCP_RST | TCP_FIN)) {
        conn_note_closer(f->conn, d);
    }
    if (s->flags & TCP_RST) {
        finish(b, f, CONN_END_RESET);
        return true;
    }
    f->recent = true;
    struct half *other = &f->half[d == DIR_C2S ? DIR_S2C : DIR_C2S];
    if (s->flags & TCP_ACK) {
        if (other->fin == BYPASS_FIN_SENT) {
            other->fin = BYPASS_FIN_CONFIRMED;
        }
        if (other->fin == BYPASS_FIN_CONFIRMED && f->half[d].fin == BYPASS_FIN_CONFIRMED) {
            finish(b, f, CONN_END_FIN);
            return true;
        }
    }
    take_segment(b, f, d, s);
    return true;
}

void bypass_end(struct bypass *b)
{
    if (b == NULL) {
        return;
    }
    while (b->activity.oldest != NULL) {
        close_order_set(ORDER_BYPASS, b->activity.oldest);
        finish(b, AGE_ENTRY(b->activity.oldest, struct bypass_flow, activity), CONN_END_EOF);
    }
    close_order_clear();
    free(b);
}
