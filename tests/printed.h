/* What a dissector printed: an output in text format, no time column, writing to memory,
 * with the counters and the conn_env the connection code wants. Shared by the tests that
 * drive conn, the keyless TCP path and udp and read back their lines. */
#ifndef HSDUMP_TESTS_PRINTED_H
#define HSDUMP_TESTS_PRINTED_H

#include <stddef.h>
#include <stdio.h>

#include "conn.h"
#include "output/output.h"
#include "stats.h"

struct printed {
    char *text;
    size_t len;
    FILE *fp;
    struct output out;
    struct stats stats;
    struct conn_env env;
};

void printed_open(struct printed *p);
/* The lines so far; "" before the first (open_memstream updates text on a flush). */
const char *printed_text(struct printed *p);
void printed_close(struct printed *p);

/* How many times what occurs in text. */
size_t printed_count(const char *text, const char *what);

/* Events for the per-connection renderers' tests (-T ladder, --html), between 192.0.2.1:40000
 * and 192.0.2.2:443 at 1700000000 s and usec: a ClientHello (client to server) with an SNI,
 * and a close line (duration 0.9 s, the status, the SNI when not NULL). */
struct event_prefix printed_prefix(uint64_t id, long usec, enum dir d);
void printed_hello(struct output *o, uint64_t id, const char *sni, size_t sni_len);
void printed_close_line(struct output *o, uint64_t id, const char *status, const char *sni);

#endif
