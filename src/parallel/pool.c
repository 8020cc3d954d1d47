/* The reader's side of -j: forking the workers, handing out packets, reaping. */
#include "parallel/pool.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/packet.h"
#include "conn.h"
#include "messages.h"
#include "output/output.h"
#include "parallel/lanes.h"
#include "parallel/records.h"
#include "parallel/ring.h"
#include "parallel/worker.h"
#include "stats.h"

/* Every worker hears of the reader's progress at least every this many packets, so that
 * the merger never waits on a worker that has nothing to do. */
#define SYNC_EVERY 256

static void free_lanes(struct pool *p)
{
    for (unsigned w = 0; w < p->n; w++) {
        free(p->lanes[w].verdict_number);
        free(p->lanes[w].verdict);
        ring_free(p->lanes[w].to_worker);
        ring_free(p->lanes[w].from_worker);
    }
    if (p->shared_stats != NULL) {
        munmap(p->shared_stats, p->shared_len);
    }
    id_map_free(p->ids);
    free(p->batches);
    if (p->window_bytes != NULL) {
        munmap(p->window_bytes, (size_t)WINDOW_CHUNKS * WINDOW_CHUNK_BYTES);
    }
    free(p);
}

/* SIGCHLD: a worker exited; reaped (waitpid) between packets, not in the handler. */
static volatile sig_atomic_t child_exited;

static void on_child(int sig)
{
    (void)sig;
    child_exited = 1;
}

/* SIGUSR2: a worker sent something while the live reader may be waiting for a packet. */
static void on_worker_news(int sig)
{
    (void)sig;
    capture_wake();
}

static void publish_all(struct pool *p)
{
    for (unsigned w = 0; w < p->n; w++) {
        ring_publish(p->lanes[w].to_worker);
    }
}

/* A worker that exited: noted, and what it still has in its ring is merged all the same. */
static void reap(struct pool *p, bool block)
{
    if (!block && !child_exited) {
        return;
    }
    child_exited = 0;
    for (unsigned w = 0; w < p->n; w++) {
        struct lane *l = &p->lanes[w];
        if (l->pid <= 0) {
            continue;
        }
        int status = 0;
        pid_t r = waitpid(l->pid, &status, block ? 0 : WNOHANG);
        if (r == l->pid || (r < 0 && errno == ECHILD)) {
            l->pid = 0;
            l->wait_status = status;
            l->exited = true;
        }
    }
}

static void reuse_chunk(void *ctx, unsigned chunk);
static void hand_out_frames(void *ctx, struct window_frames *f);

struct pool *pool_start(const struct pool_config *c, char *err, size_t errlen)
{
    struct pool *p = calloc(1, sizeof(*p));
    if (p == NULL || c->workers < 2 || c->workers > POOL_WORKERS_MAX) {
        snprintf(err, errlen, "-j: cannot start %u workers", c->workers);
        free(p);
        return NULL;
    }
    p->c = *c;
    p->n = c->workers;
    flow_router_init(&p->router, p->n);
    p->shared_len = p->n * sizeof(struct stats);
    p->shared_stats = mmap(NULL, p->shared_len, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->shared_stats == MAP_FAILED) {
        p->shared_stats = NULL;
    }
    p->ids = id_map_new();
    p->window_bytes = mmap(NULL, (size_t)WINDOW_CHUNKS * WINDOW_CHUNK_BYTES,
                           PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->window_bytes == MAP_FAILED) {
        p->window_bytes = NULL;
    }
    for (unsigned k = 0; p->window_bytes != NULL && k < WINDOW_CHUNKS; k++) {
        p->window.chunk[k] = p->window_bytes + (size_t)k * WINDOW_CHUNK_BYTES;
    }
    p->window.reuse = reuse_chunk;
    p->window.ctx = p;
    /* -c needs the reader to hold back frame by frame (keep_within_count) */
    p->window.frames = c->whole_chunks && c->count == 0 ? hand_out_frames : NULL;
    p->batches = calloc(p->n, sizeof(p->batches[0])); /* pages touched as entries are made */
    bool ok = p->shared_stats != NULL && p->ids != NULL && p->window_bytes != NULL &&
              p->batches != NULL;
    for (unsigned w = 0; ok && w < p->n; w++) {
        struct lane *l = &p->lanes[w];
        l->to_worker = ring_new(POOL_RING_BYTES);
        l->from_worker = ring_new(POOL_RING_BYTES);
        l->published = &p->shared_stats[w];
        ok = l->to_worker != NULL && l->from_worker != NULL;
    }
    if (!ok) {
        snprintf(err, errlen, "-j: out of shared memory for %u workers", p->n);
        free_lanes(p);
        return NULL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sa.sa_handler = on_child;
    sigaction(SIGCHLD, &sa, NULL);
    if (c->live) {
        sa.sa_flags = SA_RESTART;
        sa.sa_handler = on_worker_news;
        sigaction(SIGUSR2, &sa, NULL);
    }
    /* what is buffered now would be written by every child too */
    out_flush(c->env->out);
    fflush(NULL);
    pid_t parent = getpid();
    for (unsigned w = 0; w < p->n; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            snprintf(err, errlen, "-j: fork: %s", strerror(errno));
            for (unsigned k = 0; k < w; k++) {
                kill(p->lanes[k].pid, SIGKILL);
            }
            reap(p, true);
            free_lanes(p);
            return NULL;
        }
        if (pid == 0) {
            struct worker_args a = {w, parent, p->lanes[w].to_worker, p->lanes[w].from_worker,
                                    p->lanes[w].published, c->env, c->pc, c->ro,
                                    c->writer != NULL, c->poll_secrets, c->live};
            worker_main(&a);
        }
        p->lanes[w].pid = pid;
    }
    return p;
}

/* Tells worker w the reader is at upto, when its ring has room now (else it has work). */
static void sync_lane(struct pool *p, unsigned w, uint64_t upto)
{
    struct lane *l = &p->lanes[w];
    if (l->sent >= upto || lane_dead(l)) {
        return;
    }
    struct rec_mark m = {upto, 0, 0};
    void *dst = ring_reserve(l->to_worker, sizeof(m));
    if (dst != NULL) {
        memcpy(dst, &m, sizeof(m));
        ring_commit(l->to_worker, REC_SYNC, sizeof(m));
        l->sent = upto;
    }
}

/* Room for a record to worker w; while there is none, the merger runs (the worker may be
 * waiting for it) and the others hear where the reader is. NULL when the worker is dead. */
static void *reserve_in(struct pool *p, unsigned w, size_t len)
{
    struct lane *l = &p->lanes[w];
    void *dst;
    while ((dst = ring_reserve(l->to_worker, len)) == NULL) {
        if (lane_dead(l)) {
            return NULL;
        }
        for (unsigned k = 0; k < p->n; k++) {
            if (k != w) {
                sync_lane(p, k, p->ordinal - 1);
            }
        }
        publish_all(p);
        merge_drain(p);
        reap(p, false);
        ring_wait_room(l->to_worker, 1);
    }
    return dst;
}

static void send_mark(struct pool *p, unsigned w, uint32_t type, struct timeval ts)
{
    struct rec_mark m = {p->ordinal, ts.tv_sec, ts.tv_usec};
    void *dst = reserve_in(p, w, sizeof(m));
    if (dst != NULL) {
        memcpy(dst, &m, sizeof(m));
        ring_commit(p->lanes[w].to_worker, type, sizeof(m));
    }
    p->lanes[w].sent = p->ordinal;
}

static void broadcast(struct pool *p, uint32_t type, struct timeval ts)
{
    for (unsigned w = 0; w < p->n; w++) {
        send_mark(p, w, type, ts);
    }
}

/* Sleeps until the first worker not yet past ordinal `until` publishes something (its
 * progress comes in its records), or 5 ms pass: no spinning on a ring that holds records
 * the merge cannot take yet. */
static void wait_for_progress(struct pool *p, uint64_t until)
{
    for (unsigned w = 0; w < p->n; w++) {
        struct lane *l = &p->lanes[w];
        if (!l->bye && !lane_dead(l) && l->progress < until) {
            uint32_t seen = ring_publications(l->from_worker);
            merge_drain(p);
            if (l->progress < until) {
                ring_wait_publication(l->from_worker, seen, 5);
            }
            return;
        }
    }
}

/* The oldest ordinal some worker may still be working on. */
static uint64_t slowest(const struct pool *p)
{
    uint64_t floor = UINT64_MAX;
    for (unsigned w = 0; w < p->n; w++) {
        const struct lane *l = &p->lanes[w];
        if (!l->bye && !lane_dead(l) && l->progress < floor) {
            floor = l->progress;
        }
    }
    return floor == UINT64_MAX ? p->ordinal : floor;
}

/* Until every worker still running is done with ordinal `upto`: each told where the reader
 * is (a worker with nothing to do says so only when told), what they sent merged, the
 * reader asleep in between. The one way the reader waits for the workers. */
static void wait_for_workers(struct pool *p, uint64_t upto)
{
    for (;;) {
        for (unsigned w = 0; w < p->n; w++) {
            sync_lane(p, w, p->ordinal);
        }
        publish_all(p);
        merge_drain(p);
        if (slowest(p) >= upto) {
            return;
        }
        reap(p, false);
        wait_for_progress(p, upto);
    }
}

/* The reader stays at most POOL_LEAD_MAX frames ahead of the slowest worker: a frame read
 * into the window costs the rings a few bytes, and a reader far ahead would make SIGINT and
 * the output's lag what the rings hold rather than what one process would have read. */
static void keep_within_lead(struct pool *p)
{
    if (p->ordinal - slowest(p) >= POOL_LEAD_MAX) {
        wait_for_workers(p, p->ordinal - POOL_LEAD_MAX + 1);
    }
}

/* capture_window.reuse: the chunk is read into again once every worker is past the last
 * frame handed out from it. */
static void reuse_chunk(void *ctx, unsigned chunk)
{
    struct pool *p = ctx;
    if (p->chunk_last[chunk] != 0) {
        wait_for_workers(p, p->chunk_last[chunk]);
        p->chunk_last[chunk] = 0;
    }
}

const struct capture_window *pool_window(struct pool *p)
{
    return &p->window;
}

/* -c: a packet completes at most one handshake, so with k still to come no more than k
 * packets may be ahead of the merger, or a worker would go past the one that stops the run. */
static void keep_within_count(struct pool *p)
{
    uint64_t done = *p->c.handshakes;
    if (p->c.count != 0 && done < p->c.count && p->ordinal - slowest(p) >= p->c.count - done) {
        wait_for_workers(p, p->ordinal);
    }
}

/* The window chunk holding the frame's bytes, or WINDOW_CHUNKS when they are elsewhere. */
static unsigned chunk_of(const struct pool *p, struct cursor data)
{
    const uint8_t *at = cur_data(data);
    const uint8_t *base = p->window_bytes;
    size_t all = (size_t)WINDOW_CHUNKS * WINDOW_CHUNK_BYTES;
    if (at < base || (size_t)(at - base) >= all || cur_len(data) > all - (size_t)(at - base)) {
        return WINDOW_CHUNKS;
    }
    return (unsigned)((size_t)(at - base) / WINDOW_CHUNK_BYTES);
}

static void after_frame(struct pool *p)
{
    if (++p->since_sync >= SYNC_EVERY) {
        p->since_sync = 0;
        pool_poll(p);
    }
}

/* Worker w's entries so far, covering the ordinals up to `last`, to its ring. */
static void send_batch(struct pool *p, unsigned w, struct chunk_batch *b, uint64_t last)
{
    b->head.ordinal = last;
    size_t len = sizeof(b->head) + (size_t)b->head.n * sizeof(b->entries[0]);
    void *dst = reserve_in(p, w, len);
    if (dst != NULL) {
        memcpy(dst, b, len);
        ring_commit(p->lanes[w].to_worker, REC_CHUNK, len);
        p->lanes[w].sent = last;
    }
    b->head.first = last + 1;
    b->head.n = 0;
}

/* capture_window.frames: a chunk's frames read and routed here, each worker told in one record
 * which are its own and where the clock ticks. The reader's ordinal moves once they are all
 * sent: while a full ring is waited for, the other workers may only be told they have nothing
 * up to the frames before the chunk (reserve_in). */
static void hand_out_frames(void *ctx, struct window_frames *f)
{
    struct pool *p = ctx;
    struct chunk_batch *batch = p->batches;
    struct rec_chunk head;
    memset(&head, 0, sizeof(head));
    head.first = p->ordinal + 1;
    head.at = (uint64_t)(uintptr_t)cur_data(f->bytes);
    head.len = cur_len(f->bytes); /* a cursor over all of it: the offsets stay within */
    head.snaplen = f->snaplen;
    head.dlt = f->dlt;
    head.nanoseconds = f->nanoseconds;
    for (unsigned w = 0; w < p->n; w++) {
        batch[w].head = head;
    }
    struct cursor records = f->bytes;
    uint64_t o = p->ordinal;
    struct pcap_pkthdr h;
    const uint8_t *data;
    for (;;) {
        size_t offset = cur_len(f->bytes) - cur_len(records);
        if (!window_record(&records, f->snaplen, f->nanoseconds, &h, &data, &f->cut)) {
            break;
        }
        if (o++ == p->ordinal) {
            out_packet_time(p->c.env->out, h.ts); /* the origin of -ttttt, if it is the first */
        }
        bool tick = packet_clock_due(&p->clock_sec, h.ts) || o == 1;
        unsigned mine = flow_route(&p->router, f->dlt, cur_make(data, h.caplen), h.ts.tv_sec);
        for (unsigned w = 0; w < p->n; w++) {
            struct chunk_batch *b = &batch[w];
            if (w != mine && !tick) {
                continue;
            }
            uint32_t flags = (tick ? CHUNK_ENTRY_TICK : 0) | (w == mine ? CHUNK_ENTRY_OWN : 0);
            b->entries[b->head.n].offset = (uint32_t)offset;
            b->entries[b->head.n].delta = (uint32_t)(o - b->head.first) | flags;
            if (++b->head.n == CHUNK_ENTRIES_MAX) {
                send_batch(p, w, b, o);
            }
        }
        p->last_ts = h.ts;
        p->have_last_ts = true;
    }
    f->rest = records;
    f->count = o - p->ordinal;
    if (f->count == 0) {
        return;
    }
    for (unsigned w = 0; w < p->n; w++) {
        if (batch[w].head.first <= o) {
            send_batch(p, w, &batch[w], o);
        }
    }
    p->ordinal = o;
    p->chunk_last[f->chunk] = o;
    pool_poll(p);
}

void pool_frame(struct pool *p, const struct capture_frame *frame)
{
    keep_within_count(p);
    if (p->c.count != 0 && *p->c.handshakes >= p->c.count) {
        return;
    }
    keep_within_lead(p);
    p->ordinal++;
    p->last_ts = frame->ts;
    p->have_last_ts = true;
    out_packet_time(p->c.env->out, frame->ts); /* the origin of -ttttt, here and below */
    /* the first frame ticks every worker, whatever its second: its time is their origin too */
    if (packet_clock_due(&p->clock_sec, frame->ts) || p->ordinal == 1) {
        broadcast(p, REC_TICK, frame->ts);
    }
    unsigned w = flow_route(&p->router, frame->dlt, frame->data, frame->ts.tv_sec);
    size_t caplen = cur_len(frame->data);
    unsigned chunk = chunk_of(p, frame->data);
    if (chunk < WINDOW_CHUNKS) {
        p->chunk_last[chunk] = p->ordinal;
        struct rec_packet h = {p->ordinal,      frame->ts.tv_sec, frame->ts.tv_usec, frame->dlt,
                               frame->wire_len, (uint32_t)caplen, 0,                 0};
        uint64_t at = (uint64_t)(uintptr_t)cur_data(frame->data);
        unsigned char *dst = reserve_in(p, w, sizeof(h) + sizeof(at));
        if (dst != NULL) {
            memcpy(dst, &h, sizeof(h));
            memcpy(dst + sizeof(h), &at, sizeof(at));
            ring_commit(p->lanes[w].to_worker, REC_PACKET_AT, sizeof(h) + sizeof(at));
            p->lanes[w].sent = p->ordinal;
        }
        after_frame(p);
        return;
    }
    if (caplen > RING_RECORD_MAX - sizeof(struct rec_packet)) {
        caplen = RING_RECORD_MAX - sizeof(struct rec_packet); /* past any snapshot length */
    }
    unsigned char *dst = reserve_in(p, w, sizeof(struct rec_packet) + caplen);
    if (dst != NULL) {
        struct rec_packet h = {p->ordinal,   frame->ts.tv_sec, frame->ts.tv_usec, frame->dlt,
                               frame->wire_len, (uint32_t)caplen, 0, 0};
        memcpy(dst, &h, sizeof(h));
        memcpy(dst + sizeof(h), cur_data(frame->data), caplen);
        ring_commit(p->lanes[w].to_worker, REC_PACKET, sizeof(h) + caplen);
        p->lanes[w].sent = p->ordinal;
    }
    after_frame(p);
}

bool pool_last_time(const struct pool *p, struct timeval *ts)
{
    if (p->have_last_ts) {
        *ts = p->last_ts;
    }
    return p->have_last_ts;
}

void pool_poll(struct pool *p)
{
    for (unsigned w = 0; w < p->n; w++) {
        sync_lane(p, w, p->ordinal);
    }
    publish_all(p);
    merge_drain(p);
    reap(p, false);
}

void pool_input_end(struct pool *p, struct timeval now)
{
    p->ordinal++;
    broadcast(p, REC_INPUT_END, now);
    wait_for_workers(p, p->ordinal);
}

void pool_sum_stats(struct pool *p, struct stats *sum)
{
    struct stats total;
    memset(&total, 0, sizeof(total));
    for (unsigned w = 0; w < p->n; w++) {
        stats_add(&total, p->lanes[w].published);
    }
    *sum = total;
}

static void report_deaths(struct pool *p)
{
    for (unsigned w = 0; w < p->n; w++) {
        struct lane *l = &p->lanes[w];
        if (!lane_dead(l)) {
            continue;
        }
        char how[64];
        if (WIFSIGNALED(l->wait_status)) {
            snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(l->wait_status));
        } else {
            snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(l->wait_status));
        }
        errorf("-j: worker %u %s: %llu connections it was following are lost, and what it "
               "would have read after",
               w + 1, how, (unsigned long long)id_map_open_of(p->ids, w));
    }
}

bool pool_finish(struct pool *p)
{
    p->ordinal++;
    struct timeval none = {0, 0};
    broadcast(p, REC_STOP, none);
    publish_all(p);
    for (;;) {
        merge_drain(p);
        bool waiting = false;
        for (unsigned w = 0; w < p->n; w++) {
            struct lane *l = &p->lanes[w];
            if (!l->bye && !lane_dead(l)) {
                waiting = true;
                wait_for_progress(p, UINT64_MAX);
                break;
            }
        }
        if (!waiting) {
            break;
        }
        reap(p, false);
    }
    reap(p, true);
    bool ok = true;
    for (unsigned w = 0; w < p->n; w++) {
        ok &= !lane_dead(&p->lanes[w]);
    }
    report_deaths(p);
    pool_sum_stats(p, p->c.env->stats);
    free_lanes(p);
    return ok;
}
