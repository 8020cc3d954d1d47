/* TCP segment headers and connection keys for the paths that read packets beside libnids. */
#include "tcp_segment.h"

#include <string.h>

bool tcp_segment_parse(struct cursor ip, struct segment *s)
{
    uint8_t vhl, proto, offset;
    uint16_t total, frag;
    struct cursor addrs, tcp;
    if (!cur_peek_u8(ip, 0, &vhl) || (vhl >> 4) != 4 || (vhl & 0x0f) < 5 ||
        !cur_peek_u16(ip, 2, &total) || !cur_peek_u16(ip, 6, &frag) ||
        !cur_peek_u8(ip, 9, &proto) || proto != 6 || (frag & 0x3fff) != 0) {
        return false;
    }
    struct cursor packet = cur_take_upto(&ip, total);
    struct cursor probe = packet;
    uint8_t raw[8];
    if (!cur_skip(&probe, 12) || !cur_get_bytes(&probe, 8, &addrs) ||
        !cur_skip(&packet, (size_t)(vhl & 0x0f) * 4)) {
        return false;
    }
    tcp = packet;
    if (!cur_get_u16(&tcp, &s->t.sport) || !cur_get_u16(&tcp, &s->t.dport) ||
        !cur_get_u32(&tcp, &s->seq) || !cur_get_u32(&tcp, &s->ack) ||
        !cur_get_u8(&tcp, &offset) || !cur_get_u8(&tcp, &s->flags) || (offset >> 4) < 5 ||
        !cur_skip(&packet, (size_t)(offset >> 4) * 4)) {
        return false;
    }
    cur_copy(addrs, raw);
    memcpy(&s->t.saddr, raw, 4);
    memcpy(&s->t.daddr, raw + 4, 4);
    s->payload = packet;
    return true;
}
