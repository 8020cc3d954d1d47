/* A -j worker: one process with its own libnids, reassembly and dissectors, fed the packets
 * of its flows by the reader through a ring, handing its events back through another. */
#ifndef HSDUMP_SRC_PARALLEL_WORKER_H
#define HSDUMP_SRC_PARALLEL_WORKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "tcp/reassembly.h"

struct conn_env;
struct packet_ctx;
struct ring;
struct stats;

struct worker_args {
    unsigned index;
    pid_t parent;
    struct ring *in;  /* from the reader */
    struct ring *out; /* to the merger */
    struct stats *published; /* the worker's counters, in shared memory */
    struct conn_env *env;    /* the worker's copy (fork) of the run's */
    struct packet_ctx *pc;
    struct reassembly_opts ro;
    bool write_frames; /* -w: the frames it would write go to the merger */
    bool poll_secrets; /* key logs followed as they grow */
    bool wake_reader;  /* live: SIGUSR2 to the reader when idle after sending something */
};

/* Runs in the forked child until the reader says stop (or the parent is gone); never
 * returns. */
_Noreturn void worker_main(struct worker_args *a);

#endif
