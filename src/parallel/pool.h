/* -j N: the reader's side of parallel dissection. The reader (this process) takes packets from
 * libpcap, gives each a number in capture order (its ordinal) and hands it to one of N forked
 * workers by its flow (flow_hash.h); the workers' events come back tagged with the ordinal of
 * the packet that caused them and are rendered here in ordinal order, so every output is what
 * one process would have written. Connection ids are given here, at a connection's first
 * line, as one process gives them. */
#ifndef HSDUMP_SRC_PARALLEL_POOL_H
#define HSDUMP_SRC_PARALLEL_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "tcp/reassembly.h"

struct capture_frame;
struct conn_env;
struct output;
struct packet_ctx;
struct stats;
struct writer;

/* At most this many workers (-j). */
#define POOL_WORKERS_MAX 64
/* How many frames the reader may read ahead of the slowest worker (frame by frame; a file
 * read in the window is handed out a chunk at a time, and the window's chunks bound it). */
#define POOL_LEAD_MAX 16384
/* Each direction between the reader and one worker: a ring this big. Small enough that what
 * the reader wrote is still in a cache when the worker reads it: 4 MiB rings made each
 * worker's user time twice what 1 MiB does on bench capture A (bench/RESULTS.md). */
#define POOL_RING_BYTES (1u * 1024 * 1024)

struct pool_config {
    unsigned workers;
    struct conn_env *env;  /* the run's: its out, stats and hooks (-c) are the reader's */
    struct packet_ctx *pc; /* copied by each worker */
    struct reassembly_opts ro;
    struct writer *writer; /* -w, or NULL: the frames the workers keep are written to it */
    bool poll_secrets;
    bool live; /* the workers wake the reader waiting in libpcap (SIGUSR2) */
    /* Nothing is decided frame by frame in the reader (no --duration, no -W): the window's
     * frames may be handed out a chunk at a time (records.h, rec_chunk). -c never is. */
    bool whole_chunks;
    uint64_t count;              /* -c, or 0 */
    const uint64_t *handshakes;  /* ... the handshakes counted so far */
};

struct pool;

/* Forks the workers. NULL with err set when it cannot. */
struct pool *pool_start(const struct pool_config *c, char *err, size_t errlen);
struct capture_window;
/* The window classic pcap files are read into (capture_read_in_window): shared with the
 * workers, its chunks reused once their frames are dissected. */
const struct capture_window *pool_window(struct pool *p);
/* capture_frame_fn's work with -j: the frame to its worker; not taken once the frames before
 * it completed the -c count (the hook has stopped the run then). */
void pool_frame(struct pool *p, const struct capture_frame *frame);
/* The current input ended: every worker closes its connections, as one process does. */
void pool_input_end(struct pool *p, struct timeval now);
/* The time of the last frame handed out, whichever way; false before the first. */
bool pool_last_time(const struct pool *p, struct timeval *ts);
/* Between batches of packets: what the workers have done so far is written. */
void pool_poll(struct pool *p);
/* The run's counters: the workers' sum (the reader counts nothing itself). */
void pool_sum_stats(struct pool *p, struct stats *sum);
/* No more input: the workers finish, their last events are written, they are reaped, the
 * pool is freed. Returns false when a worker died (reported on stderr, with the count of
 * connections lost). */
bool pool_finish(struct pool *p);

#endif
