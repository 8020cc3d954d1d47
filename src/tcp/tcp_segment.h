/* One TCP segment as the per-packet paths outside libnids read it (the keyless path, the
 * connections past their handshake), and the direction-free key of its connection. */
#ifndef HSDUMP_SRC_TCP_SEGMENT_H
#define HSDUMP_SRC_TCP_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tcp/reassembly.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

struct segment {
    struct tcp_tuple t;
    uint32_t seq;
    uint32_t ack;
    uint8_t flags;
    struct cursor payload;
};

/* RFC 791 and RFC 9293 3.1 headers of one bare IPv4 packet; false unless it is a whole TCP
 * segment (not a fragment). */
bool tcp_segment_parse(struct cursor ip, struct segment *s);
/* The TCP header and payload of s from a whole segment (s->t's addresses left as they are). */
bool tcp_header_parse(struct cursor tcp, struct segment *s);

/* Both directions of a connection share a key: the lower (address, port) first. */
struct tuple_key {
    uint32_t addr[2];
    uint16_t port[2];
};

/* The key of t's connection; *sender says which of the key's endpoints sent t (0 or 1).
 * Whole-field stores: indexing the arrays by *sender stalled every lookup on store
 * forwarding. */
static inline struct tuple_key tuple_key_of(const struct tcp_tuple *t, uint8_t *sender)
{
    uint64_t src = (uint64_t)t->saddr << 16 | t->sport;
    uint64_t dst = (uint64_t)t->daddr << 16 | t->dport;
    struct tuple_key k;
    if (src <= dst) {
        *sender = 0;
        k = (struct tuple_key){{t->saddr, t->daddr}, {t->sport, t->dport}};
    } else {
        *sender = 1;
        k = (struct tuple_key){{t->daddr, t->saddr}, {t->dport, t->sport}};
    }
    return k;
}

static inline bool tuple_key_equal(const struct tuple_key *a, const struct tuple_key *b)
{
    return a->addr[0] == b->addr[0] && a->addr[1] == b->addr[1] && a->port[0] == b->port[0] &&
           a->port[1] == b->port[1];
}

/* seed varies the hash per table, so that crafted tuples cannot be made to collide without
 * knowing it (0 for a fixed hash). */
static inline uint32_t tuple_key_hash(const struct tuple_key *k, uint32_t seed)
{
    uint32_t h = (k->addr[0] ^ seed) * 2654435761u;
    h ^= k->addr[1] * 2246822519u;
    h ^= ((uint32_t)k->port[0] << 16 | k->port[1]) * 3266489917u;
    return h ^ (h >> 15);
}

/* Serial number arithmetic (RFC 1982) on sequence numbers. */
static inline bool tcp_seq_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

#endif
