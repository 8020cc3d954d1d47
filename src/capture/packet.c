/* Per-frame path: link layer decoded here, never by libnids (linklayer.c). */
#include "capture/packet.h"

#include <string.h>

#include "capture/capture.h"
#include "capture/linklayer.h"
#include "messages.h"
#include "output/output.h"
#include "capture/pcap_writer.h"
#include "tcp/paths.h"
#include "tcp/reassembly.h"
#include "stats.h"
#include "tcp/tcp_segment.h"

/* Counts what libnids will not use and warns once about addresses our IPv6 mapping owns. */
static bool ipv4_is_tcp(struct packet_ctx *pc, struct cursor ip)
{
    uint8_t proto;
    struct cursor addrs;
    struct cursor probe = ip;
    if (!cur_peek_u8(ip, 9, &proto) || !cur_skip(&probe, 12) || !cur_get_bytes(&probe, 8, &addrs)) {
        pc->stats->link_skipped[LINK_SKIP_TRUNCATED]++;
        return false;
    }
    if (proto != 6) {
        pc->stats->ipv4_not_tcp++;
        return false;
    }
    uint8_t raw[8];
    uint32_t src, dst;
    cur_copy(addrs, raw);
    memcpy(&src, raw, 4);
    memcpy(&dst, raw + 4, 4);
    if (v6map_collides(src) || v6map_collides(dst)) {
        pc->stats->class_e_collisions++;
        if (!pc->warned_class_e) {
            warnf("capture holds IPv4 addresses in 240.0.0.0/4, which hsdump uses internally "
                  "for IPv6; such connections may be mislabelled");
            pc->warned_class_e = true;
        }
    }
    return true;
}

/* RFC 791 header checksum: the ones' complement of the ones' complement sum of its words. */
static uint16_t ipv4_header_checksum(struct cursor header)
{
    uint32_t sum = 0;
    uint16_t word;
    while (cur_get_u16(&header, &word)) {
        sum += word;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* A frame cut by the capture's snapshot length carries less of its IPv4 packet than the
 * header's total length says, and libnids drops such a packet whole. Rewritten to end where
 * the capture ends, its TCP segment gives libnids (and the record layer) the bytes that were
 * captured; the stream then stops at the missing ones and the connection is reported
 * incomplete, with its cut record. Returns ip itself when nothing was cut. */
static struct cursor clip_to_capture(struct packet_ctx *pc, struct cursor ip)
{
    uint16_t total;
    uint8_t version_ihl;
    if (!cur_peek_u16(ip, 2, &total) || !cur_peek_u8(ip, 0, &version_ihl) ||
        total <= cur_len(ip) || cur_len(ip) > sizeof(pc->v4)) {
        return ip;
    }
    size_t header = (size_t)(version_ihl & 0x0f) * 4;
    if (header < 20 || cur_len(ip) < header + 20) {
        return ip; /* not even the TCP header: libnids' own checks count it */
    }
    cur_copy(ip, pc->v4);
    size_t len = cur_len(ip);
    pc->v4[2] = (uint8_t)(len >> 8);
    pc->v4[3] = (uint8_t)len;
    pc->v4[10] = pc->v4[11] = 0;
    uint16_t sum = ipv4_header_checksum(cur_make(pc->v4, header));
    pc->v4[10] = (uint8_t)(sum >> 8);
    pc->v4[11] = (uint8_t)sum;
    pc->stats->frames_clipped++;
    return cur_make(pc->v4, len);
}

/* The 4-tuple of a TCP segment in a bare IPv4 packet (real or mapped from IPv6). False for
 * what -w cannot attribute to a connection: a non-first fragment, a cut TCP header. */
static bool tcp_tuple_of(struct cursor ip, struct tcp_tuple *t)
{
    uint8_t vhl;
    uint16_t frag;
    struct cursor addrs, tcp = ip;
    struct cursor probe = ip;
    if (!cur_peek_u8(ip, 0, &vhl) || !cur_peek_u16(ip, 6, &frag) || (frag & 0x1fff) != 0 ||
        !cur_skip(&probe, 12) || !cur_get_bytes(&probe, 8, &addrs) ||
        !cur_skip(&tcp, (size_t)(vhl & 0x0f) * 4) || !cur_get_u16(&tcp, &t->sport) ||
        !cur_get_u16(&tcp, &t->dport)) {
        return false;
    }
    uint8_t raw[8];
    cur_copy(addrs, raw);
    memcpy(&t->saddr, raw, 4);
    memcpy(&t->daddr, raw + 4, 4);
    return true;
}

/* Hands one IPv4 packet to the path its connection's entry in the table of paths names
 * (route: found already for this packet, or NULL); with -w, also decides what becomes of its
 * frame, by what the connection was before and is after this packet. */
static void feed(struct packet_ctx *pc, const struct capture_frame *frame, struct cursor ipv4,
                 struct tcp_route *route)
{
    struct tcp_tuple t;
    bool attributed = pc->writer != NULL && tcp_tuple_of(ipv4, &t);
    bool was_tls = attributed && paths_kind_of(pc->paths, &t) == CONN_TLS;
    struct segment seg;
    bool whole = tcp_segment_parse(ipv4, &seg);
    if (whole && route != NULL) {
        paths_follow(pc->paths, route, frame->ts, ipv4, &seg);
    } else {
        paths_packet(pc->paths, frame->ts, ipv4, whole ? &seg : NULL);
    }
    if (attributed) {
        writer_frame(pc->writer, &t, frame, was_tls, paths_kind_of(pc->paths, &t));
    }
}

/* One frame's IPv4 or IPv6 packet (or what link_decode made of it), dg its UDP datagram if
 * it is one (else NULL): QUIC and DTLS, else TCP. */
static void ip_packet(struct packet_ctx *pc, const struct capture_frame *frame,
                      enum link_result r, struct cursor ip, const struct udp_datagram *dg)
{
    if (dg != NULL && udp_packet(pc->udp, frame->ts, dg)) {
        if (pc->writer != NULL) {
            writer_tls_frame(pc->writer, frame);
        }
        return; /* QUIC or DTLS: src/udp/udp.c, IPv6 addresses as they are */
    }
    if (r == LINK_IPV4) {
        if (ipv4_is_tcp(pc, ip)) {
            feed(pc, frame, clip_to_capture(pc, ip), NULL);
        }
        return;
    }
    if (r != LINK_IPV6) {
        pc->stats->link_skipped[r]++;
        return;
    }
    size_t len;
    v6map_clock(pc->v6, frame->ts);
    struct segment seg;
    struct tcp_route route;
    bool routed = pc->writer == NULL && pc->paths != NULL &&
                  v6map_segment(pc->v6, ip, &seg) == V6_OK;
    if (routed && paths_route(pc->paths, &seg, &route) == PATH_BYPASS) {
        /* past its handshake: no IPv4 copy needed (-w decides in feed()) */
        paths_follow(pc->paths, &route, frame->ts, cur_make(NULL, 0), &seg);
        return;
    }
    enum v6_result v = v6map_translate(pc->v6, ip, pc->v4, sizeof(pc->v4), &len);
    if (v != V6_OK) {
        pc->stats->v6_skipped[v]++;
        return;
    }
    /* the route holds for the copy: the same synthetic tuple, and nothing changed the table */
    feed(pc, frame, cur_make(pc->v4, len), routed ? &route : NULL);
}

void packet_clock(struct packet_ctx *pc, struct timeval now)
{
    reassembly_clock(now);
    udp_clock(pc->udp, now);
}

void packet_frame(void *ctx, const struct capture_frame *frame)
{
    struct packet_ctx *pc = ctx;
    struct cursor ip;
    if (!pc->clock_outside) {
        age_clock++;
        if (packet_clock_due(&pc->clock_sec, frame->ts)) {
            packet_clock(pc, frame->ts);
        }
    }
    pc->stats->frames++;
    pc->stats->bytes += cur_len(frame->data);
    out_packet_time(pc->out, frame->ts);
    enum link_result r = link_decode(frame->dlt, frame->data, &ip);
    struct udp_datagram dg;
    bool udp = (r == LINK_IPV4 || r == LINK_IPV6) && udp_datagram_of(ip, &dg);
    /* GTP-U: the inner packet takes the path any packet takes, once (one level deep); -w
     * still writes the whole frame. */
    bool tunnelled = udp && udp_gtpu_enter(pc->udp, &dg, &ip);
    if (tunnelled) {
        uint8_t version = 0; /* 4 or 6: gtpu_decode saw it */
        r = cur_peek_u8(ip, 0, &version) && version >> 4 == 4 ? LINK_IPV4 : LINK_IPV6;
        udp = udp_datagram_of(ip, &dg);
    }
    ip_packet(pc, frame, r, ip, udp ? &dg : NULL);
    if (tunnelled) {
        udp_gtpu_leave(pc->udp);
    }
}
