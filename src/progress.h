/* A progress line on a terminal while capture files are read (issue 19 part 7): bytes read
 * of the total, connections, handshakes and the rate, on stderr, redrawn in place at most
 * PROGRESS_PER_SECOND times a second and erased at the end. Only ever asked between batches
 * of packets (capture_set_tick), so the packets themselves pay nothing. */
#ifndef HSDUMP_SRC_PROGRESS_H
#define HSDUMP_SRC_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_PER_SECOND 4

/* What the line shows; total 0 when the inputs' sizes are unknown (a pipe). */
struct progress_counts {
    uint64_t bytes_done;
    uint64_t bytes_total;
    uint64_t frames;
    uint64_t connections;
    uint64_t handshakes;
};

struct progress {
    FILE *fp;
    int width;             /* terminal columns: the line is cut to fit, or it would wrap */
    int64_t start_ms;      /* CLOCK_MONOTONIC_COARSE */
    int64_t last_ms;
    bool shown;
};

/* Whether a progress line belongs on fd: a terminal. */
bool progress_wanted(int fd);
void progress_start(struct progress *p, FILE *fp, int fd);
/* Redraws the line if 1/PROGRESS_PER_SECOND s has passed since the last time. */
void progress_update(struct progress *p, const struct progress_counts *c);
/* Erases the line (before a message, and at the end); it comes back at the next update. */
void progress_clear(struct progress *p);

/* The line's text, for the tests: "12.3 MB of 45.6 MB (27%), 120 connections, 98 handshakes,
 * 40.1 MB/s". */
void progress_format(const struct progress_counts *c, int64_t elapsed_ms, char *buf,
                     size_t cap);

#endif
