/* Shared SPSC ring: positions count bytes since the start and only grow (C11 atomics with
 * acquire/release order the record bytes against them); a process that waits sleeps on a
 * futex word in the shared page (futex(2): a shared mapping needs the non-private ops). */
#include "parallel/ring.h"

#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RECORD_HEADER 8u
#define TYPE_PAD 0xffffffffu /* the rest of the ring's end is unused: go on at its start */

struct ring_head {
    uint32_t len;
    uint32_t type;
};

/* One cache line per writer: what the producer writes, what the consumer writes, and each
 * side's own positions, so that a record costs no line moving between the two cores; the
 * shared positions move once per batch (RING_PUBLISH_BYTES, RING_RELEASE_BYTES). */
struct ring {
    _Alignas(64) _Atomic uint64_t head; /* producer: bytes published */
    _Atomic uint32_t data_seq;          /* bumped with each publication */
    _Atomic uint32_t producer_waits;
    _Alignas(64) _Atomic uint64_t tail; /* consumer: bytes released */
    _Atomic uint32_t room_seq;          /* bumped with each release */
    _Atomic uint32_t consumer_waits;
    _Alignas(64) size_t capacity;       /* read only */
    size_t map_len;
    _Alignas(64) uint64_t reserved_at; /* producer's own: where ring_reserve() put the record */
    uint64_t written;                  /* ... the end of the records committed */
    uint64_t tail_seen;                /* ... the consumer's tail when last read */
    _Alignas(64) uint64_t read;        /* consumer's own: the end of the records released */
    uint64_t peeked_end;               /* ... where the peeked record ends */
    uint64_t head_seen;                /* ... the producer's head when last read */
    bool sleepy;                       /* ... its last wait was long: no yields before the next */
    _Alignas(64) unsigned char data[];
};

static size_t padded(size_t len)
{
    return (RECORD_HEADER + len + 7u) & ~(size_t)7u;
}

struct ring *ring_new(size_t capacity)
{
    if (capacity < 2 * padded(RING_RECORD_MAX) || (capacity & (capacity - 1)) != 0) {
        return NULL;
    }
    size_t map_len = sizeof(struct ring) + capacity;
    void *m = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        return NULL;
    }
    struct ring *r = m; /* zero-filled by mmap */
    r->capacity = capacity;
    r->map_len = map_len;
    return r;
}

void ring_free(struct ring *r)
{
    if (r != NULL) {
        munmap(r, r->map_len);
    }
}

static void futex_wait(_Atomic uint32_t *word, uint32_t seen, int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, &t, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void *ring_reserve(struct ring *r, size_t len)
{
    if (len > RING_RECORD_MAX) {
        return NULL;
    }
    uint64_t head = r->written;
    size_t at = (size_t)(head & (r->capacity - 1));
    size_t need = padded(len);
    size_t skip = at + need > r->capacity ? r->capacity - at : 0; /* never split a record */
    if (head + skip + need - r->tail_seen > r->capacity) {
        r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (head + skip + need - r->tail_seen > r->capacity) {
            return NULL;
        }
    }
    if (skip > 0) {
        struct ring_head pad = {(uint32_t)(skip - RECORD_HEADER), TYPE_PAD};
        memcpy(r->data + at, &pad, sizeof(pad));
        head += skip;
        r->written = head;
        at = 0;
    }
    r->reserved_at = head;
    return r->data + at + RECORD_HEADER;
}

void ring_commit(struct ring *r, uint32_t type, size_t len)
{
    size_t at = (size_t)(r->reserved_at & (r->capacity - 1));
    struct ring_head h = {(uint32_t)len, type};
    memcpy(r->data + at, &h, sizeof(h));
    r->written = r->reserved_at + padded(len);
    if (r->written - atomic_load_explicit(&r->head, memory_order_relaxed) >= RING_PUBLISH_BYTES) {
        ring_publish(r);
    }
}

/* Before sleeping on the futex, a waiting side yields its core this many times while it looks
 * for the publication: a sleep leaves the core idle, and a virtual machine's idle core takes
 * hundreds of microseconds to wake (the hypervisor has descheduled it), which on bench capture
 * A with -j 2 added up to half of the run in each process. A yield gives the core to a
 * process that can run (the reader and its workers share the cores) and returns at once when
 * none can. */
#define SPIN_YIELDS 200
/* ... unless its last sleep lasted longer than this: the producer is idle (a quiet live
 * capture: the reader hands out packets at most every 100 ms then), and yields would only
 * spend a core until it is not. A worker waiting for a slower one to free a window chunk
 * waits a few milliseconds: with 2 ms here those waits turned the yields off half the
 * time. */
#define SLEEPY_NS 20000000LL

/* One side shows the other its new position (head or tail) and wakes it if it sleeps on the
 * sequence word: the same for a publication and a release. */
static void announce(_Atomic uint64_t *position, uint64_t value, _Atomic uint32_t *seq,
                     _Atomic uint32_t *other_waits)
{
    if (atomic_load_explicit(position, memory_order_relaxed) == value) {
        return;
    }
    atomic_store_explicit(position, value, memory_order_release);
    atomic_fetch_add_explicit(seq, 1, memory_order_release);
    if (atomic_load_explicit(other_waits, memory_order_seq_cst) != 0) {
        futex_wake(seq);
    }
}

void ring_publish(struct ring *r)
{
    announce(&r->head, r->written, &r->data_seq, &r->consumer_waits);
}

/* The consumer's view: is a record published past `read`? */
static bool published_past_read(struct ring *r)
{
    if (r->read == r->head_seen) {
        r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
    }
    return r->read != r->head_seen;
}

const void *ring_peek(struct ring *r, uint32_t *type, size_t *len)
{
    for (;;) {
        if (!published_past_read(r)) {
            return NULL;
        }
        size_t at = (size_t)(r->read & (r->capacity - 1));
        struct ring_head h;
        memcpy(&h, r->data + at, sizeof(h));
        if (h.type == TYPE_PAD) {
            r->read += RECORD_HEADER + h.len;
            continue;
        }
        *type = h.type;
        *len = h.len;
        r->peeked_end = r->read + padded(h.len);
        return r->data + at + RECORD_HEADER;
    }
}

void ring_release(struct ring *r)
{
    r->read = r->peeked_end;
    if (r->read - atomic_load_explicit(&r->tail, memory_order_relaxed) >= RING_RELEASE_BYTES) {
        ring_release_flush(r);
    }
}

void ring_release_flush(struct ring *r)
{
    announce(&r->tail, r->read, &r->room_seq, &r->producer_waits);
}

bool ring_empty(struct ring *r)
{
    return !published_past_read(r);
}

uint32_t ring_publications(struct ring *r)
{
    return atomic_load_explicit(&r->data_seq, memory_order_acquire);
}

void ring_wait_publication(struct ring *r, uint32_t seen, int ms)
{
    ring_release_flush(r);
    for (int k = 0; !r->sleepy && k < SPIN_YIELDS; k++) {
        if (atomic_load_explicit(&r->data_seq, memory_order_acquire) != seen) {
            return;
        }
        sched_yield();
    }
    atomic_store_explicit(&r->consumer_waits, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&r->data_seq, memory_order_seq_cst) == seen) {
        struct timespec before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        futex_wait(&r->data_seq, seen, ms);
        clock_gettime(CLOCK_MONOTONIC, &after);
        long long ns = (after.tv_sec - before.tv_sec) * 1000000000LL +
                       (after.tv_nsec - before.tv_nsec);
        r->sleepy = ns > SLEEPY_NS;
    }
    atomic_store_explicit(&r->consumer_waits, 0, memory_order_relaxed);
}

/* Any publication after `seen` was read changes the word the sleep compares: none is lost;
 * the timeout bounds the rest. */
void ring_wait_data(struct ring *r, int ms)
{
    uint32_t seen = ring_publications(r);
    if (ring_empty(r)) {
        ring_wait_publication(r, seen, ms);
    } else {
        ring_release_flush(r); /* a producer may be waiting for that room */
    }
}

void ring_wait_room(struct ring *r, int ms)
{
    uint32_t seen = atomic_load_explicit(&r->room_seq, memory_order_acquire);
    atomic_store_explicit(&r->producer_waits, 1, memory_order_seq_cst);
    futex_wait(&r->room_seq, seen, ms);
    atomic_store_explicit(&r->producer_waits, 0, memory_order_relaxed);
}
