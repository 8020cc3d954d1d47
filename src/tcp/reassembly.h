/* TCP reassembly by libnids; the only file that includes nids.h is reassembly.c. */
#ifndef HSDUMP_SRC_REASSEMBLY_H
#define HSDUMP_SRC_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "conn.h"
#include "base/cursor.h"

struct conn_env;
struct v6map;

/* Connections tracked at once (--max-conns): past it the oldest is closed with end=evicted.
 * libnids' struct tcp_stream is 288 bytes, so 65536 cost about 19 MB when all are used. */
#define REASSEMBLY_DEFAULT_MAX_CONNS 65536
/* Seconds of packet time without data after which a followed connection is closed (end=idle,
 * --idle-timeout): its buffered bytes are freed; 0 disables. */
#define REASSEMBLY_DEFAULT_IDLE_TIMEOUT 300

struct reassembly_opts {
    int max_conns;
    unsigned idle_timeout;
    bool verify_checksums;
};

/* Starts a reassembly round (one per input, from paths_begin()); v6 maps synthetic
 * addresses back to IPv6; paths is told what becomes of libnids' connections. */
struct tcp_paths;
bool reassembly_begin(const struct reassembly_opts *o, struct conn_env *env,
                      struct v6map *v6, struct tcp_paths *paths, char *err, size_t errlen);
struct segment;

/* Feeds one bare IPv4 packet captured at ts; s is its TCP segment, or NULL when it has none
 * whole (a fragment, a cut header: libnids' own checks deal with it). */
void reassembly_feed(struct timeval ts, struct cursor ipv4, const struct segment *s);
/* One direction of a TCP connection as the IPv4 packet given to reassembly_feed() carries it
 * (IPv6 through its synthetic addresses): addresses as the 4 wire bytes memcpy'd, ports in
 * host order, like libnids' struct tuple4. */
struct tcp_tuple {
    uint32_t saddr;
    uint32_t daddr;
    uint16_t sport;
    uint16_t dport;
};

/* What libnids' connection on t (either direction) is now: CONN_UNDECIDED while its TCP
 * handshake or its first bytes are still to come, CONN_TLS once recognised, and CONN_NOT_TLS
 * when it is not TLS or libnids follows nothing on t (never opened, closed, or released). */
enum conn_kind reassembly_kind_of(const struct tcp_tuple *t);
/* libnids lets the connection on t go without a word, before any byte was delivered: the
 * keyless path takes it over (paths.c). */
void reassembly_forget(const struct tcp_tuple *t);
/* End of input: every open connection is reported (end=eof) and freed. */
void reassembly_end(void);
/* A new second of packet time began (before its first packet): idle connections close. */
void reassembly_clock(struct timeval now);
/* libnids' text for a warning code (index into struct stats nids_warnings). */
const char *reassembly_warning_name(int code);

#endif
