/* Which worker a frame goes to: a hash of its flow that is the same both ways, so both
 * directions of a TCP connection or UDP flow (QUIC, DTLS, GTP-U tunnels by their outer
 * flow) meet in one process, with every IPv4 or IPv6 fragment of a datagram. */
#ifndef HSDUMP_SRC_PARALLEL_FLOW_HASH_H
#define HSDUMP_SRC_PARALLEL_FLOW_HASH_H

#include <stdint.h>
#include <time.h>

#include "base/cursor.h"

/* Fragmented datagrams whose first fragment was seen, remembered by (addresses, protocol,
 * identification) so that the later fragments follow it: direct-mapped, the newest wins. */
#define FLOW_FRAGMENT_SLOTS 4096
/* ... for this many seconds of packet time (RFC 791 suggests a reassembly timer of 15 s; a
 * fragment later than that is lost to any reassembly anyway). */
#define FLOW_FRAGMENT_SECONDS 30

struct fragment_slot {
    uint64_t key; /* 0: free */
    time_t seen;
    uint32_t hash;
};

struct flow_router {
    uint32_t workers;
    struct fragment_slot fragments[FLOW_FRAGMENT_SLOTS];
};

void flow_router_init(struct flow_router *r, uint32_t workers);
/* The worker (0 .. workers-1) of a frame of link type dlt captured at now. Frames that are
 * not IP go to worker 0; a later fragment whose first fragment was not seen (or was
 * forgotten) goes by its addresses alone. */
uint32_t flow_route(struct flow_router *r, int dlt, struct cursor frame, time_t now);

/* The symmetric flow hash itself, for tests: endpoints (a, port a) and (b, port b), addr_len
 * 4 or 16 bytes each. */
uint32_t flow_hash_pair(const uint8_t *a, uint16_t port_a, const uint8_t *b, uint16_t port_b,
                        size_t addr_len, uint8_t proto);

#endif
