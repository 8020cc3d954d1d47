/* UDP flows carrying TLS handshakes: QUIC and DTLS, tracked per 4-tuple. */
#ifndef HSDUMP_SRC_UDP_H
#define HSDUMP_SRC_UDP_H

#include <stdbool.h>
#include <sys/time.h>

#include "base/cursor.h"

struct conn_env;
struct udp_table;

/* Flows tracked at once: past it the least recently active one is closed (end=evicted). */
#define UDP_MAX_FLOWS 4096
/* Seconds of packet time without a datagram after which a flow is closed (end=idle): UDP has
 * no FIN, and a QUIC connection's end is protected. */
#define UDP_IDLE_TIMEOUT 300

/* A table for one input; NULL when out of memory (UDP is then left to the skip counters). */
struct udp_table *udp_new(struct conn_env *env);

/* Takes one IPv4 or IPv6 packet (ip starts at its header, as link_decode gives it). Returns
 * true when it is a UDP datagram of a QUIC or DTLS flow, known or starting with it (a client's
 * first Initial or ClientHello); false for anything else, which the caller counts as before.
 * t may be NULL. */
bool udp_packet(struct udp_table *t, struct timeval ts, struct cursor ip);

/* Takes one IPv4 or IPv6 packet: when it is a GTP-U G-PDU (udp/gtpu.h) carrying an IP
 * packet, *ip becomes that inner packet, and connections it opens or feeds until
 * udp_gtpu_leave() are marked as carried in GTP-U with its TEID. False otherwise (ip
 * unchanged): for a TCP packet, after two byte reads. t may be NULL (no GTP-U then). */
bool udp_gtpu_enter(struct udp_table *t, struct cursor *ip);
void udp_gtpu_leave(struct udp_table *t);

/* End of input: every flow still open gets its close line (end=eof); frees t (may be NULL). */
void udp_end(struct udp_table *t);

#endif
