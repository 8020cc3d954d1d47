/* -w: pending queues per TCP 4-tuple in front of capture.c's pcap writer (libpcap stays in
 * capture.c). */
#include "capture/pcap_writer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "age_list.h"
#include "capture/capture.h"
#include "tcp/reassembly.h"
#include "stats.h"

#define WRITER_BUCKETS 4096 /* a power of two; at most WRITER_PENDING_FRAMES tuples wait */

/* One frame held back, a copy of the captured bytes. */
struct held_frame {
    struct held_frame *next;
    struct timeval ts;
    uint32_t wire_len;
    size_t caplen;
    uint8_t data[];
};

/* The frames of one undecided connection, in capture order. */
struct pending {
    struct tcp_tuple key; /* both directions share one entry: see canonical() */
    struct pending *bucket_next;
    struct age_link age;
    struct held_frame *head;
    struct held_frame *tail;
    size_t n_frames;
    size_t bytes;
};

struct writer {
    struct capture_dump *dump;
    struct stats *stats;
    struct pending *buckets[WRITER_BUCKETS];
    struct age_list age; /* by creation: the oldest is the first to evict */
    size_t n_frames;
    size_t bytes;
    writer_forward_fn forward; /* a worker's (-j): frames go there, dump is NULL */
    void *forward_ctx;
};

/* The one place frames leave: the file, or the merging process. */
static void write_out(struct writer *w, struct timeval ts, uint32_t wire_len, struct cursor data)
{
    if (w->forward != NULL) {
        w->forward(w->forward_ctx, ts, wire_len, data);
    } else {
        capture_dump_write(w->dump, ts, wire_len, data);
    }
    w->stats->frames_written++;
}

struct writer *writer_new_forwarding(struct stats *stats, writer_forward_fn fn, void *ctx)
{
    struct writer *w = calloc(1, sizeof(*w));
    if (w != NULL) {
        w->stats = stats;
        w->forward = fn;
        w->forward_ctx = ctx;
        stats->writing = true;
    }
    return w;
}

void writer_write_frame(struct writer *w, struct timeval ts, uint32_t wire_len,
                        struct cursor data)
{
    capture_dump_write(w->dump, ts, wire_len, data);
}


static struct pending *oldest(struct writer *w)
{
    return AGE_ENTRY(w->age.oldest, struct pending, age);
}

struct writer *writer_new(struct capture_dump *dump, struct stats *stats)
{
    struct writer *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        char ignored[8];
        capture_dump_close(dump, ignored, sizeof(ignored));
        return NULL;
    }
    w->dump = dump;
    w->stats = stats;
    stats->writing = true;
    return w;
}

/* The lower endpoint first, so that both directions of a connection find the same entry. */
static struct tcp_tuple canonical(const struct tcp_tuple *t)
{
    bool swap = t->saddr > t->daddr || (t->saddr == t->daddr && t->sport > t->dport);
    if (!swap) {
        return *t;
    }
    struct tcp_tuple r = {t->daddr, t->saddr, t->dport, t->sport};
    return r;
}

static size_t bucket_of(const struct tcp_tuple *k)
{
    uint64_t h = ((uint64_t)k->saddr << 32 | k->daddr) * 0x9e3779b97f4a7c15u;
    h ^= ((uint64_t)k->sport << 16 | k->dport) * 0xc2b2ae3d27d4eb4fu;
    return (size_t)(h >> 40) & (WRITER_BUCKETS - 1);
}

static bool same(const struct tcp_tuple *a, const struct tcp_tuple *b)
{
    return a->saddr == b->saddr && a->daddr == b->daddr && a->sport == b->sport &&
           a->dport == b->dport;
}

static struct pending **find_slot(struct writer *w, const struct tcp_tuple *key)
{
    struct pending **slot = &w->buckets[bucket_of(key)];
    while (*slot != NULL && !same(&(*slot)->key, key)) {
        slot = &(*slot)->bucket_next;
    }
    return slot;
}

/* Unlinks p from its bucket and the age list and frees it with its frames; with write, the
 * frames go to the file first, oldest first. */
static void release(struct writer *w, struct pending *p, bool write)
{
    struct pending **slot = find_slot(w, &p->key);
    *slot = p->bucket_next;
    age_list_remove(&w->age, &p->age);
    struct held_frame *next;
    for (struct held_frame *h = p->head; h != NULL; h = next) {
        next = h->next;
        if (write) {
            write_out(w, h->ts, h->wire_len, cur_make(h->data, h->caplen));
        }
        free(h);
    }
    w->n_frames -= p->n_frames;
    w->bytes -= p->bytes;
    free(p);
}

static void evict(struct writer *w, struct pending *p)
{
    w->stats->write_evicted += p->n_frames;
    release(w, p, false);
}

static struct pending *create(struct writer *w, const struct tcp_tuple *key)
{
    struct pending *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    p->key = *key;
    struct pending **slot = &w->buckets[bucket_of(key)];
    p->bucket_next = *slot;
    *slot = p;
    age_list_append(&w->age, &p->age);
    return p;
}

/* Holds a copy of f for the connection on key, making room by evicting the oldest other
 * connections' frames; counts f as evicted when it cannot be held. */
static void hold(struct writer *w, const struct tcp_tuple *key, struct pending *p,
                 const struct capture_frame *f)
{
    size_t caplen = cur_len(f->data);
    if ((p != NULL && p->n_frames >= WRITER_TUPLE_FRAMES) || caplen > WRITER_PENDING_BYTES) {
        w->stats->write_evicted++;
        return;
    }
    while (w->n_frames + 1 > WRITER_PENDING_FRAMES || w->bytes + caplen > WRITER_PENDING_BYTES) {
        struct pending *victim = oldest(w);
        if (victim == p) {
            victim = AGE_ENTRY(p->age.newer, struct pending, age);
        }
        if (victim == NULL) {
            break; /* cannot happen: p alone stays within both caps */
        }
        evict(w, victim);
    }
    struct held_frame *h = malloc(sizeof(*h) + caplen);
    if (p == NULL) {
        p = create(w, key);
    }
    if (h == NULL || p == NULL) {
        free(h);
        w->stats->write_evicted++;
        return;
    }
    h->next = NULL;
    h->ts = f->ts;
    h->wire_len = f->wire_len;
    h->caplen = caplen;
    cur_copy(f->data, h->data);
    if (p->tail != NULL) {
        p->tail->next = h;
    } else {
        p->head = h;
    }
    p->tail = h;
    p->n_frames++;
    p->bytes += caplen;
    w->n_frames++;
    w->bytes += caplen;
}

void writer_tls_frame(struct writer *w, const struct capture_frame *f)
{
    write_out(w, f->ts, f->wire_len, f->data);
}

void writer_frame(struct writer *w, const struct tcp_tuple *t, const struct capture_frame *f,
                  bool was_tls, enum conn_kind now)
{
    struct tcp_tuple key = canonical(t);
    struct pending *p = *find_slot(w, &key);
    if (was_tls || now == CONN_TLS) {
        if (p != NULL) {
            release(w, p, true);
        }
        writer_tls_frame(w, f);
    } else if (now == CONN_UNDECIDED) {
        hold(w, &key, p, f);
    } else if (p != NULL) {
        release(w, p, false); /* not TLS, or gone before its first bytes */
    }
}

void writer_settle(struct writer *w,
                   enum conn_kind (*kind_of)(void *ctx, const struct tcp_tuple *t), void *ctx)
{
    struct pending *p = oldest(w);
    while (p != NULL) {
        struct pending *next = AGE_ENTRY(p->age.newer, struct pending, age);
        if (kind_of(ctx, &p->key) == CONN_TLS) {
            close_order_set(ORDER_WRITER, &p->age);
            release(w, p, true);
        }
        p = next;
    }
    close_order_clear();
}

void writer_drop_pending(struct writer *w)
{
    while (oldest(w) != NULL) {
        release(w, oldest(w), false);
    }
}

bool writer_flush(struct writer *w)
{
    return w->dump == NULL || capture_dump_flush(w->dump);
}

bool writer_limit_reached(const struct writer *w)
{
    return w->dump != NULL && capture_dump_state(w->dump) == CAPTURE_DUMP_LIMIT;
}

bool writer_close(struct writer *w, char *err, size_t errlen)
{
    if (w == NULL) {
        return true;
    }
    writer_drop_pending(w);
    bool ok = w->dump == NULL || capture_dump_close(w->dump, err, errlen);
    free(w);
    return ok;
}
