/* TCP segment headers and connection keys for the paths that read packets beside libnids. */
#include "tcp/tcp_segment.h"

#include <string.h>

bool tcp_header_parse(struct cursor tcp, struct segment *s)
{
    uint8_t offset;
    struct cursor header = tcp;
    if (!cur_get_u16(&header, &s->t.sport) || !cur_get_u16(&header, &s->t.dport) ||
        !cur_get_u32(&header, &s->seq) || !cur_get_u32(&header, &s->ack) ||
        !cur_get_u8(&header, &offset) || !cur_get_u8(&header, &s->flags) || (offset >> 4) < 5 ||
        !cur_skip(&tcp, (size_t)(offset >> 4) * 4)) {
        return false;
    }
    s->payload = tcp;
    return true;
}

bool tcp_segment_parse(struct cursor ip, struct segment *s)
{
    uint8_t vhl, proto;
    uint16_t total, frag;
    struct cursor addrs;
    if (!cur_peek_u8(ip, 0, &vhl) || (vhl >> 4) != 4 || (vhl & 0x0f) < 5 ||
        !cur_peek_u16(ip, 2, &total) || !cur_peek_u16(ip, 6, &frag) ||
        !cur_peek_u8(ip, 9, &proto) || proto != 6 || (frag & 0x3fff) != 0) {
        return false;
    }
    struct cursor packet = cur_take_upto(&ip, total);
    struct cursor probe = packet;
    uint8_t raw[8];
    if (!cur_skip(&probe, 12) || !cur_get_bytes(&probe, 8, &addrs) ||
        !cur_skip(&packet, (size_t)(vhl & 0x0f) * 4) || !tcp_header_parse(packet, s)) {
        return false;
    }
    cur_copy(addrs, raw);
    memcpy(&s->t.saddr, raw, 4);
    memcpy(&s->t.daddr, raw + 4, 4);
    return true;
}
