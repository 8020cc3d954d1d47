/* Per-frame path: link layer decoded here, never by libnids (PLATFORM-NOTES 6). */
#include "packet.h"

#include <string.h>

#include "capture.h"
#include "linklayer.h"
#include "messages.h"
#include "output.h"
#include "reassembly.h"
#include "stats.h"

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

void packet_frame(void *ctx, const struct capture_frame *frame)
{
    struct packet_ctx *pc = ctx;
    struct cursor ip;
    pc->stats->frames++;
    pc->stats->bytes += cur_len(frame->data);
    out_packet_time(pc->out, frame->ts);
    enum link_result r = link_decode(frame->dlt, frame->data, &ip);
    if (r == LINK_IPV4) {
        if (ipv4_is_tcp(pc, ip)) {
            reassembly_feed(frame->ts, ip);
        }
        return;
    }
    if (r != LINK_IPV6) {
        pc->stats->link_skipped[r]++;
        return;
    }
    size_t len;
    enum v6_result v = v6map_translate(pc->v6, ip, pc->v4, sizeof(pc->v4), &len);
    if (v != V6_OK) {
        pc->stats->v6_skipped[v]++;
        return;
    }
    reassembly_feed(frame->ts, cur_make(pc->v4, len));
}
