/* Connections past their handshake, followed without libnids (bypass.h). The TCP rules are
 * libnids' own, so that lines and close reasons stay what reassembly gave: bytes are taken
 * in sequence order (segments ahead of a hole wait in a bounded queue), a FIN counts once
 * every byte before it came, an ACK from the other side confirms it, and both confirmed
 * close the connection; a RST closes it at once. */
#include "tcp/bypass.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "age_list.h"
#include "stats.h"
#include "tcp/tcp_segment.h"

/* libnids' warning code for a dropped out-of-order queue (NIDS_WARN_TCP_BIGQUEUE): the same
 * limit, reported the same way in the statistics. */
#define WARN_TCP_BIG_QUEUE 8
/* Open-addressing table: starts small, doubles at half full. */
#define INITIAL_SLOTS 1024
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

struct flow {
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

struct slot {
    struct tuple_key key;
    struct flow *flow; /* NULL: empty */
};

struct bypass {
    struct conn_env *env;
    struct slot *slots;
    size_t mask; /* slots - 1, a power of two minus one */
    size_t n;
    size_t max;
    uint32_t seed;
    struct age_list activity;
};

/* ---- the table */

static size_t home_of(const struct bypass *b, const struct tuple_key *k)
{
    return tuple_key_hash(k, b->seed) & b->mask;
}

static struct slot *slot_of(const struct bypass *b, const struct tuple_key *k)
{
    for (size_t i = home_of(b, k);; i = (i + 1) & b->mask) {
        struct slot *s = &b->slots[i];
        if (s->flow == NULL || tuple_key_equal(&s->key, k)) {
            return s;
        }
    }
}

static bool grow(struct bypass *b)
{
    size_t old_count = b->mask + 1;
    struct slot *old = b->slots;
    struct slot *slots = calloc(old_count * 2, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    b->slots = slots;
    b->mask = old_count * 2 - 1;
    for (size_t i = 0; i < old_count; i++) {
        if (old[i].flow != NULL) {
            *slot_of(b, &old[i].key) = old[i];
        }
    }
    free(old);
    return true;
}

/* Backward-shift deletion keeps every probe sequence unbroken without tombstones. */
static void remove_slot(struct bypass *b, struct slot *gone)
{
    size_t hole = (size_t)(gone - b->slots);
    for (size_t i = (hole + 1) & b->mask; b->slots[i].flow != NULL; i = (i + 1) & b->mask) {
        size_t home = home_of(b, &b->slots[i].key);
        /* the entry at i may move to the hole unless its home lies in (hole, i] */
        if (((i - home) & b->mask) >= ((i - hole) & b->mask)) {
            b->slots[hole] = b->slots[i];
            hole = i;
        }
    }
    b->slots[hole].flow = NULL;
    b->n--;
}

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

static void finish(struct bypass *b, struct flow *f, enum conn_end end)
{
    struct conn *c = f->conn;
    c->gap[DIR_C2S] = f->half[DIR_C2S].queue != NULL || f->half[DIR_C2S].lost;
    c->gap[DIR_S2C] = f->half[DIR_S2C].queue != NULL || f->half[DIR_S2C].lost;
    conn_close(c, end, f->half[DIR_C2S].delivered, f->half[DIR_S2C].delivered,
               cur_make(f->half[DIR_C2S].rest, f->half[DIR_C2S].rest_len),
               cur_make(f->half[DIR_S2C].rest, f->half[DIR_S2C].rest_len));
    conn_free(c);
    remove_slot(b, slot_of(b, &f->key));
    age_list_remove(&b->activity, &f->activity);
    for (int d = 0; d < 2; d++) {
        drop_queue(&f->half[d]);
        free(f->half[d].rest);
    }
    free(f);
}

/* ---- taking over */

struct bypass *bypass_new(struct conn_env *env, int max_conns)
{
    struct bypass *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    b->slots = calloc(INITIAL_SLOTS, sizeof(*b->slots));
    if (b->slots == NULL) {
        free(b);
        return NULL;
    }
    b->env = env;
    b->mask = INITIAL_SLOTS - 1;
    b->max = max_conns > 0 ? (size_t)max_conns : 1;
    if (getrandom(&b->seed, sizeof(b->seed), 0) != (ssize_t)sizeof(b->seed)) {
        b->seed = 0x9e3779b9u;
    }
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
    struct flow *f;
    while ((f = AGE_ENTRY(b->activity.oldest, struct flow, activity))->recent) {
        f->recent = false;
        age_list_touch(&b->activity, &f->activity);
    }
    b->env->stats->evicted_connections++;
    finish(b, f, CONN_END_EVICTED);
}

bool bypass_adopt(struct bypass *b, const struct bypass_handover *h)
{
    if (b->n >= b->max) {
        evict_one(b);
    }
    if ((b->n + 1) * 2 > b->mask + 1 && !grow(b)) {
        return false;
    }
    struct flow *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return false;
    }
    if (!take_half(&f->half[DIR_C2S], &h->half[DIR_C2S]) ||
        !take_half(&f->half[DIR_S2C], &h->half[DIR_S2C])) {
        free(f->half[DIR_C2S].rest);
        free(f);
        return false;
    }
    f->key = tuple_key_of(&h->client, &f->client_sender);
    f->skim = h->skim;
    f->client_isn = h->client_isn;
    f->conn = h->conn;
    struct slot *s = slot_of(b, &f->key);
    s->key = f->key;
    s->flow = f;
    b->n++;
    age_list_append(&b->activity, &f->activity);
    b->env->stats->handed_over++;
    return true;
}

/* ---- segments */

/* A segment at or before the next byte due: its new bytes (counted as libnids counts every
 * byte in sequence, and read for record headers when skimming; bytes is empty otherwise),
 * then its FIN. libnids takes it when
 * seq + len + fin passes the next byte due; false when it brought nothing. */
static bool take_in_order(struct flow *f, enum dir d, uint32_t seq, uint32_t len,
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
static void drain(struct flow *f, enum dir d)
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
static void enqueue(struct bypass *b, struct flow *f, enum dir d, uint32_t seq,
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

static void take_segment(struct bypass *b, struct flow *f, enum dir d, const struct segment *s)
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

bool bypass_packet(struct bypass *b, struct timeval ts, const struct segment *s)
{
    if (b == NULL || b->n == 0) {
        return false;
    }
    uint8_t sender;
    struct tuple_key k = tuple_key_of(&s->t, &sender);
    struct flow *f = slot_of(b, &k)->flow;
    if (f == NULL) {
        return false;
    }
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

bool bypass_follows(const struct bypass *b, const struct tcp_tuple *t)
{
    uint8_t sender;
    if (b == NULL || b->n == 0) {
        return false;
    }
    struct tuple_key k = tuple_key_of(t, &sender);
    return slot_of(b, &k)->flow != NULL;
}

void bypass_end(struct bypass *b)
{
    if (b == NULL) {
        return;
    }
    while (b->activity.oldest != NULL) {
        finish(b, AGE_ENTRY(b->activity.oldest, struct flow, activity), CONN_END_EOF);
    }
    free(b->slots);
    free(b);
}
