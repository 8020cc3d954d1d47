/* UDP flows carrying TLS handshakes: QUIC and DTLS, tracked per 4-tuple. */
#ifndef HSDUMP_SRC_UDP_H
#define HSDUMP_SRC_UDP_H

#include <stdbool.h>
#include <sys/time.h>

#include "base/cursor.h"
#include "output/endpoint.h"

struct conn_env;
struct udp_table;

/* Flows tracked at once: past it the least recently active one is closed (end=evicted). */
#define UDP_MAX_FLOWS 4096
/* Seconds of packet time without a datagram after which a flow is closed (end=idle): UDP has
 * no FIN, and a QUIC connection's end is protected. */
#define UDP_IDLE_TIMEOUT 300

/* A table for one input; NULL when out of memory (UDP is then left to the skip counters). */
struct udp_table *udp_new(struct conn_env *env);

/* A UDP datagram: its endpoints and payload (as far as it was captured). */
struct udp_datagram {
    struct endpoint src;
    struct endpoint dst;
    struct cursor payload;
};

/* Pure: the UDP datagram in a bare IPv4 or IPv6 packet (ip starts at its header, as
 * link_decode gives it); false for anything else: another protocol, a fragment (not
 * reassembled), a cut header. */
bool udp_datagram_parse(struct cursor ip, struct udp_datagram *dg);

/* The same, for the per-packet path: most packets are TCP, and a TCP packet costs one peek
 * at its protocol field (IPv4's protocol, IPv6's first next header) before it is let go. */
static inline bool udp_datagram_of(struct cursor ip, struct udp_datagram *dg)
{
    uint8_t vhl, proto;
    if (!cur_peek_u8(ip, 0, &vhl) || !cur_peek_u8(ip, (vhl >> 4) == 4 ? 9 : 6, &proto) ||
        proto == 6) {
        return false;
    }
    return udp_datagram_parse(ip, dg);
}

/* Takes one datagram (udp_datagram_of()). Returns true when it belongs to a QUIC or DTLS
 * flow, known or starting with it (a client's first Initial or ClientHello); false for
 * anything else, which the caller counts as before. t may be NULL. */
bool udp_packet(struct udp_table *t, struct timeval ts, const struct udp_datagram *dg);
/* A new second of packet time began (packet_clock): idle flows close. t may be NULL. */
void udp_clock(struct udp_table *t, struct timeval now);

/* When dg is a GTP-U G-PDU (udp/gtpu.h) carrying an IP packet, *inner becomes that packet,
 * and connections it opens or feeds until udp_gtpu_leave() are marked as carried in GTP-U
 * with its TEID. False otherwise (*inner unchanged). t may be NULL (no GTP-U then). */
bool udp_gtpu_enter(struct udp_table *t, const struct udp_datagram *dg, struct cursor *inner);
void udp_gtpu_leave(struct udp_table *t);

/* End of input: every flow still open gets its close line (end=eof); frees t (may be NULL). */
void udp_end(struct udp_table *t);

#endif
