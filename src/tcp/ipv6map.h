/* IPv6/TCP as synthetic IPv4/TCP for libnids, which handles IPv4 only (its struct tuple4). */
#ifndef HSDUMP_SRC_IPV6MAP_H
#define HSDUMP_SRC_IPV6MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/time.h>

#include "base/cursor.h"

/* Seconds of packet time a mapping no connection holds stays reserved after its last packet,
 * before another address may take it over. */
#define V6MAP_GRACE_SECONDS 60

/* The largest IPv4 packet (RFC 791 Total Length is 16 bits): size the output buffer so. */
#define V6MAP_OUT_MAX 65535

struct segment;
struct v6map;

/* NULL when out of memory. */
struct v6map *v6map_new(void);
void v6map_free(struct v6map *m); /* accepts NULL */

enum v6_result {
    V6_OK,
    V6_SKIP_NOT_TCP,   /* the header chain ends in something else (UDP, ICMPv6, ESP...) */
    V6_SKIP_FRAGMENT,  /* a real fragment: not reassembled */
    V6_SKIP_TRUNCATED, /* headers or part of the TCP segment cut by snaplen */
    V6_SKIP_TOO_BIG,   /* TCP segment over 65515 bytes (jumbogram), or cap too small */
    V6_SKIP_MAP_FULL,  /* 2^28 - 2 addresses mapped already, or out of memory */
    V6_RESULT_COUNT
};

/* Counter names for the skip report: "ipv6_not_tcp", "ipv6_fragment", ... */
const char *v6map_result_name(enum v6_result r);

/* Builds in out (cap bytes; V6MAP_OUT_MAX is always enough) an IPv4 packet carrying the same
 * TCP segment as the IPv6 packet ip6 (as link_decode returns it), with both addresses mapped
 * into 240.0.0.0/4 and the TCP checksum adjusted so it verifies exactly when it did before.
 * Only whole segments are translated: libnids could not use part of one either. */
enum v6_result v6map_translate(struct v6map *m, struct cursor ip6, uint8_t *out, size_t cap,
                               size_t *out_len);

/* The TCP segment translate would carry, read in place (no copy, checksum untouched): its
 * addresses mapped as translate maps them, its payload in ip6. For the packets of the
 * connections past their handshake, which need nothing else. */
enum v6_result v6map_segment(struct v6map *m, struct cursor ip6, struct segment *s);
/* The IPv6 address behind a mapped IPv4 address. addr_v4_wire_order holds the 4 address bytes
 * as on the wire (memcpy'd, as in struct tuple4). False if addr is not one of ours. */
bool v6map_lookup(const struct v6map *m, uint32_t addr_v4_wire_order, uint8_t out[16]);

/* The time of the packet about to be translated: mappings age by packet time. */
void v6map_clock(struct v6map *m, struct timeval now);
/* A connection on a mapped address keeps it from being reused until released (once per
 * hold). Both are no-ops for addresses that are not mapped; hold says whether it was. */
bool v6map_hold(struct v6map *m, uint32_t addr_v4_wire_order);
void v6map_release(struct v6map *m, uint32_t addr_v4_wire_order);
/* True when a real IPv4 address could equal a mapped one (it lies in 240.0.0.0/4). */
bool v6map_collides(uint32_t addr_v4_wire_order);

#endif
