/* What the reader keeps of each worker (pool.c dispatches, merge.c merges). */
#ifndef HSDUMP_SRC_PARALLEL_LANES_H
#define HSDUMP_SRC_PARALLEL_LANES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/window.h"
#include "parallel/flow_hash.h"
#include "parallel/pool.h"
#include "parallel/records.h"

struct ring;
struct id_map;

/* One worker's entries of the window chunk being handed out (records.h, rec_chunk). */
struct chunk_batch {
    struct rec_chunk head;
    struct chunk_entry entries[CHUNK_ENTRIES_MAX];
};

struct lane {
    pid_t pid;
    struct ring *to_worker;
    struct ring *from_worker;
    struct stats *published; /* the worker's counters (shared memory) */
    uint64_t sent;           /* the last ordinal whose records all went to this worker */
    uint64_t progress;       /* the last ordinal the worker said it is done with */
    bool bye;                /* it said goodbye: no record after those in its ring */
    bool exited;             /* reaped: what its ring holds is all there will be */
    int wait_status;
    /* the merger's interception guesses for the worker's probes (records.h), by number
     * modulo VERDICTS_KEPT: a connection's close comes long before that many more */
    uint32_t *verdict_number;
    bool *verdict;
};

#define VERDICTS_KEPT 65536

/* A worker that exited without saying goodbye, once its ring is read to the end. */
static inline bool lane_dead(const struct lane *l)
{
    return l->exited && !l->bye;
}

struct pool {
    struct pool_config c;
    unsigned n;
    struct lane lanes[POOL_WORKERS_MAX];
    struct flow_router router;
    uint64_t ordinal; /* the last one given */
    struct timeval last_ts; /* the last frame's time, once there was one (have_last_ts) */
    bool have_last_ts;
    time_t clock_sec;
    unsigned since_sync;
    struct id_map *ids;
    struct stats *shared_stats; /* n slots */
    size_t shared_len;
    /* the window classic pcap files are read into (capture/window.h), mapped before the fork;
     * for each chunk, the last frame handed out from it */
    struct capture_window window;
    uint8_t *window_bytes;
    uint64_t chunk_last[WINDOW_CHUNKS];
    struct chunk_batch *batches; /* n */
};

/* merge.c: writes every record the workers' order allows now; with wait, until all workers
 * have said goodbye or died. */
void merge_drain(struct pool *p);
struct id_map *id_map_new(void);
void id_map_free(struct id_map *m);
/* Connections of worker w that printed lines and never closed (a dead worker's losses). */
uint64_t id_map_open_of(const struct id_map *m, unsigned w);

#endif
