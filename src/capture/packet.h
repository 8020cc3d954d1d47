/* From a captured frame to reassembly: link layer, IPv6 mapping, counters. */
#ifndef HSDUMP_SRC_PACKET_H
#define HSDUMP_SRC_PACKET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "tcp/ipv6map.h"
#include "udp/udp.h"

struct capture_frame;
struct tcp_paths;
struct stats;

struct output;
struct writer;

struct packet_ctx {
    struct stats *stats;
    struct output *out; /* told each packet's time (the origin of -tttt) */
    struct v6map *v6;
    struct writer *writer; /* -w, or NULL */
    struct tcp_paths *paths; /* TCP connections of the current input (tcp/paths.h), or NULL */
    struct udp_table *udp; /* QUIC and DTLS flows of the current input, or NULL */
    bool warned_class_e;
    /* The second of packet time the clock last read (packet_clock); with clock_outside set
     * (a -j worker) the reader decides when it ticks, for every worker at the same packet. */
    time_t clock_sec;
    bool clock_outside;
    uint8_t v4[V6MAP_OUT_MAX]; /* the synthetic IPv4 packet of the current IPv6 frame */
};

/* capture_frame_fn: decodes one frame and hands its IPv4 (or mapped IPv6) packet to libnids. */
void packet_frame(void *ctx, const struct capture_frame *frame);
/* A new second of packet time: what waits for time (idle connections and flows) is done,
 * before the packet that brought it. packet_frame() calls it unless clock_outside. */
void packet_clock(struct packet_ctx *pc, struct timeval now);
/* True when a frame at ts starts a new second for a clock last read at *sec (updated). */
static inline bool packet_clock_due(time_t *sec, struct timeval ts)
{
    if (ts.tv_sec == *sec) {
        return false;
    }
    *sec = ts.tv_sec;
    return true;
}

#endif
