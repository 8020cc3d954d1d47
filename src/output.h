/* The one output path: every event line goes through out_event(). */
#ifndef HSDUMP_SRC_OUTPUT_H
#define HSDUMP_SRC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "tls.h"

struct endpoint;
struct fields;

/* What every line starts with: when, which connection, who to whom. */
struct event_prefix {
    struct timeval ts;
    uint64_t conn_id;
    const struct endpoint *client;
    const struct endpoint *server;
    enum dir d;
};

struct output {
    FILE *fp;
    bool line_buffered; /* live capture: each line reaches the reader at once */
    bool failed;        /* a write failed (closed pipe): stop quietly */
};

void out_init(struct output *o, FILE *fp, bool line_buffered);
void out_event(struct output *o, const struct event_prefix *p, const struct fields *f);

/* Renders one event as a text line (with '\n') into buf; returns its length (< cap). */
size_t out_text_line(const struct event_prefix *p, const struct fields *f, char *buf, size_t cap);

#endif
