/* The keyless path: TCP connections libnids will not follow, because their start was not
 * captured (no SYN, or the capture began at the SYN/ACK), one side was not captured, two
 * SYN/ACKs disagree on the server's initial sequence number, or a hole comes before the
 * first record. Their segments are looked at here, per 4-tuple, for TLS records; the
 * table of paths (paths.h) decides which tuples come here. */
#ifndef HSDUMP_SRC_TCP_PARTIAL_H
#define HSDUMP_SRC_TCP_PARTIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "conn.h"
#include "base/cursor.h"
#include "tcp/tcp_segment.h"

struct conn_env;
struct segment;
struct tcp_paths;
struct v6map;

/* Tuples looked at once; past it the least recently active one is dropped (a reported
 * connection gets its close line with end=evicted) and counted. */
#define PARTIAL_MAX_TUPLES 4096
/* Payload segments of a direction searched for a first plausible record header: enough to
 * reach the next header past a 16 KiB record in 1460-byte segments. */
#define PARTIAL_SCAN_SEGMENTS 32
/* Payload segments after the first header found before the connection is reported even if
 * the other direction has shown nothing yet. */
#define PARTIAL_HOLD_SEGMENTS 16
/* Unconsumed bytes held per dissected direction: a record plus a loopback-sized segment or
 * so; a direction that needs more stops there (and its close line says gap=). */
#define PARTIAL_BUFFER_MAX (128 * 1024)

/* What the table of paths knew of a tuple before handing it here, by the tuple key's
 * endpoint (sender 0 or 1). */
struct partial_start {
    enum conn_capture why; /* CAPTURE_GAP or CAPTURE_ISN_CONFLICT; else decided here */
    bool syn_seen;         /* the client's SYN went by: client_sender is its sender */
    bool synack_seen;      /* the server's SYN/ACK went by: client_sender is the other */
    uint8_t client_sender;
    bool isn_known[2];     /* a SYN or SYN/ACK gave the sender's initial sequence number */
    uint32_t isn[2];
    bool has_first;        /* the time of the client's SYN is known: the connection's start */
    struct timeval first;
};

struct partial;
struct partial_conn;

/* One per round; v6 maps synthetic addresses back to IPv6. NULL when out of memory. */
struct partial *partial_new(struct conn_env *env, struct tcp_paths *paths, struct v6map *v6);
/* Starts following the tuple k: its entry for the table of paths, or NULL (out of memory;
 * counted). */
struct partial_conn *partial_open(struct partial *m, const struct tuple_key *k,
                                  const struct partial_start *start, struct timeval ts);
/* One TCP segment of e's tuple, sent by the key's endpoint sender. A SYN without ACK ends
 * e (end=reused) and returns false: the tuple is libnids' from then on. */
bool partial_packet(struct partial *m, struct partial_conn *e, uint8_t sender,
                    struct timeval ts, const struct segment *s);
/* End of input, before partial_end(): every connection still searched that showed TLS is
 * reported now (so that -w knows it). */
void partial_settle(struct partial *m);
/* Frees e, which printed nothing yet (the table of paths had no room for it). */
void partial_drop(struct partial *m, struct partial_conn *e);
/* What -w makes of e's frames: CONN_UNDECIDED while its first bytes are searched, CONN_TLS
 * once reported (and for its closing frames), else CONN_NOT_TLS. */
enum conn_kind partial_kind_of(const struct partial_conn *e);
/* End of input: every connection reported is closed (end=eof) and m is freed (NULL:
 * no-op). */
void partial_end(struct partial *m);

#endif
