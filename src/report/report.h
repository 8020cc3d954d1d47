/* --report: after the run, one table row per server and per client fingerprint (JA4) with
 * what their connections negotiated and how they failed (issue 18 part 4). Fed once per
 * closed TLS connection or UDP flow; memory is fixed when the report is made, whatever the
 * number of connections: at most `top` rows per table (Space-Saving, top_table.h), the rest
 * folded into an "other" row, and per row small fixed arrays. */
#ifndef HSDUMP_SRC_REPORT_REPORT_H
#define HSDUMP_SRC_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checks/diagnosis.h"
#include "options.h"

struct tls_state;
struct endpoint;
struct chain_check;

#define REPORT_TOP_DEFAULT 1000 /* rows per table unless --report-top says otherwise */
#define REPORT_TOP_MAX 100000
/* Distinct servers a client fingerprint reached, counted exactly up to this many; past it
 * the row says "at least" this many. */
#define REPORT_SERVERS_EXACT 16
/* Versions and cipher suites kept per row, in the order first seen; the rest are "other". */
#define REPORT_CODES 8

struct report;

/* NULL when out of memory; top is 1 to REPORT_TOP_MAX. */
struct report *report_new(size_t top);
void report_free(struct report *r); /* accepts NULL */

/* One closed connection or flow: its state and how it ended. */
void report_add(struct report *r, const struct tls_state *st, const struct endpoint *server,
                const struct close_facts *end);

/* What report_add() takes from a connection (tests feed it directly). */
struct report_conn {
    const uint8_t *sni; /* NULL: no SNI, the server's address names the server */
    size_t sni_len;
    const struct endpoint *server;
    const char *ja4; /* "" when no ClientHello gave one */
    bool has_version; /* a ServerHello was read: version and cipher_suite are its */
    uint16_t version;
    uint16_t cipher_suite;
    enum tls_cause cause; /* CAUSE_NONE: the handshake completed */
    uint32_t weak;        /* 1u << enum weak_item */
    const struct chain_check *chain;
};
void report_count(struct report *r, const struct report_conn *c);

/* Writes both tables after the run: aligned text columns, or one JSON object per row (JSON
 * Lines) for FORMAT_JSON. False when a write failed. */
bool report_print(const struct report *r, FILE *fp, enum out_format format);

#endif
