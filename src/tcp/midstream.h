/* Connections whose SYN was not captured: libnids never follows them (PLATFORM-NOTES 4), so
 * their TCP segments are looked at here, per 4-tuple, for TLS records. */
#ifndef HSDUMP_SRC_MIDSTREAM_H
#define HSDUMP_SRC_MIDSTREAM_H

#include <sys/time.h>

#include "conn.h"
#include "base/cursor.h"

struct conn_env;
struct segment;
struct tcp_tuple;
struct v6map;

/* Tuples looked at once; past it the least recently active one is dropped (a reported
 * connection gets its close line with end=evicted) and counted. */
#define MIDSTREAM_MAX_TUPLES 4096
/* Payload segments of a direction searched for a first plausible record header: enough to
 * reach the next header past a 16 KiB record in 1460-byte segments. */
#define MIDSTREAM_SCAN_SEGMENTS 32
/* Payload segments after the first header found before the connection is reported even if
 * the other direction has shown nothing yet. */
#define MIDSTREAM_HOLD_SEGMENTS 16
/* Unconsumed bytes held per dissected direction: a record plus a loopback-sized segment or
 * so; a direction that needs more stops there. */
#define MIDSTREAM_BUFFER_MAX (128 * 1024)
/* Tuples whose SYN went by (libnids' connections, even once it let them go), remembered
 * direct-mapped: a later one may overwrite an earlier one. */
#define MIDSTREAM_SYN_SLOTS 16384

struct midstream;

/* One per round, alongside reassembly_begin(); v6 maps synthetic addresses back to IPv6.
 * NULL when out of memory. */
struct midstream *midstream_new(struct conn_env *env, struct v6map *v6);
/* Looks at one TCP segment (tcp_segment.h) of the packet reassembly_feed() gets, before it
 * does: a segment of a connection libnids does not follow is taken here. m may be NULL
 * (nothing done). */
void midstream_feed(struct midstream *m, struct timeval ts, const struct segment *s);
/* What -w makes of the frames of the connection on t: CONN_UNDECIDED while its first bytes
 * are searched, CONN_TLS once reported (and for its closing frames), else CONN_NOT_TLS. */
enum conn_kind midstream_kind_of(struct midstream *m, const struct tcp_tuple *t);
/* End of input: every connection reported is closed (end=eof) and m is freed (NULL: no-op). */
void midstream_end(struct midstream *m);

#endif
