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

#endif
