/* The one table of TCP connections by 4-tuple, and the one place that decides which path
 * follows each: libnids (its SYN was seen, reassembly.c), the bypass once its handshake is
 * over (bypass.c), or the keyless path for what libnids will not follow (partial.c). One
 * lookup per packet yields the path. */
#ifndef HSDUMP_SRC_TCP_PATHS_H
#define HSDUMP_SRC_TCP_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "conn.h"
#include "base/cursor.h"
#include "tcp/tcp_segment.h"

struct bypass_handover;
struct conn_env;
struct reassembly_opts;
struct v6map;

/* Tuples whose libnids connection ended, remembered so that their last packets (an ACK, a
 * retransmission) start nothing: the oldest is forgotten past this many. */
#define PATHS_CLOSED_MAX 16384

enum tcp_path {
    PATH_NONE,    /* not in the table */
    PATH_LIBNIDS, /* its SYN was seen: reassembly.c */
    PATH_CLOSED,  /* its libnids connection ended, or libnids let it go (not TLS) */
    PATH_BYPASS,  /* past its handshake: bypass.c */
    PATH_PARTIAL, /* start or one side not captured, or a hole before its first record */
};

struct tcp_paths;
struct path_slot;

/* A packet's place in the table, found once: valid until the table next changes. */
struct tcp_route {
    struct tuple_key key;
    uint8_t sender; /* which of the key's endpoints sent the packet */
    struct path_slot *slot;
};

/* One per input: the table, the bypass (unless checksums are verified, which only libnids
 * does), the keyless path, and libnids' round (reassembly_begin). NULL with err set. */
struct tcp_paths *paths_begin(const struct reassembly_opts *o, struct conn_env *env,
                              struct v6map *v6, char *err, size_t errlen);
/* Looks the connection of s up: its path. */
enum tcp_path paths_route(struct tcp_paths *p, const struct segment *s, struct tcp_route *r);
/* Hands the packet to the path r found (paths_route() just before): ipv4 is the bare IPv4
 * packet (may be empty for PATH_BYPASS, which reads s only). */
void paths_follow(struct tcp_paths *p, struct tcp_route *r, struct timeval ts,
                  struct cursor ipv4, const struct segment *s);
/* Both in one call; s NULL for a packet without a whole TCP segment (libnids' checks). */
void paths_packet(struct tcp_paths *p, struct timeval ts, struct cursor ipv4,
                  const struct segment *s);
/* What -w makes of the frames of the connection on t (conn.h's kinds). */
enum conn_kind paths_kind_of(struct tcp_paths *p, const struct tcp_tuple *t);
/* End of input, before paths_end() (which does it too), for -w: connections the keyless
 * path was still searching that showed TLS are reported now, so that paths_kind_of() says
 * so. */
void paths_settle(struct tcp_paths *p);
/* The same as paths_kind_of() for a callback (ctx: the struct tcp_paths). */
enum conn_kind paths_kind_of_ctx(void *ctx, const struct tcp_tuple *t);
/* End of input: paths_settle(), then libnids', the bypass's and the keyless path's
 * connections are closed (end=eof), in that order, and everything freed. Accepts NULL. */
void paths_end(struct tcp_paths *p);

/* From reassembly.c, for libnids' connections: */
/* its handshake completed (JUST_EST): libnids now reports its end; *syn_ts becomes the time
 * of its SYN when the table knows it (else it is left as it is) */
void paths_libnids_established(struct tcp_paths *p, const struct tcp_tuple *t,
                               struct timeval *syn_ts);
/* libnids let it go, or it ended */
void paths_libnids_gone(struct tcp_paths *p, const struct tcp_tuple *t);
/* past its handshake: the bypass takes it over; false (still libnids') if it cannot */
bool paths_hand_over(struct tcp_paths *p, const struct bypass_handover *h);
/* a datagram libnids put together from fragments, whose segment is s */
void paths_datagram(struct tcp_paths *p, struct timeval ts, const struct segment *s);

/* From bypass.c and partial.c: the connection on k is no longer theirs. */
void paths_forget(struct tcp_paths *p, const struct tuple_key *k);

#endif
