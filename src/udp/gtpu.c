/* GTP-U G-PDU decoding: TS 29.281 5.1 (header), 5.2 (extension headers), 6.1 (G-PDU, type
 * 255), 4.4.2.3 (port 2152). */
#include "udp/gtpu.h"

#define GTPU_VERSION 1
#define GTPU_PT_GTP 0x10     /* protocol type: GTP (not GTP') */
#define GTPU_FLAG_E 0x04     /* an extension header follows */
#define GTPU_FLAG_S 0x02     /* sequence number present */
#define GTPU_FLAG_PN 0x01    /* N-PDU number present */
#define GTPU_G_PDU 0xff      /* message type of a T-PDU carrier */
#define GTPU_OPTIONAL 4      /* sequence number (2), N-PDU number (1), next extension type */

/* 5.2.1: each extension header is a length octet (in units of 4 octets, 0 is invalid),
 * its content, and the next extension header type as its last octet. */
static bool skip_extensions(struct cursor *c, uint8_t next)
{
    while (next != 0) {
        uint8_t units;
        struct cursor header;
        if (!cur_get_u8(c, &units) || units == 0 ||
            !cur_get_bytes(c, (size_t)units * 4 - 1, &header) ||
            !cur_peek_u8(header, cur_len(header) - 1, &next)) {
            return false;
        }
    }
    return true;
}

/* 5.1: flags (version 3 bits, PT, spare, E, S, PN), message type, length (u16: the bytes
 * after the first 8, optional fields and extension headers included), TEID (u32); with any
 * of E, S, PN set, the optional fields follow, then any extension headers, then the T-PDU. */
bool gtpu_decode(struct cursor payload, uint32_t *teid, struct cursor *inner)
{
    uint8_t flags, type, version;
    uint16_t length;
    uint32_t id;
    struct cursor c = payload;
    if (!cur_get_u8(&c, &flags) || (flags >> 5) != GTPU_VERSION ||
        (flags & GTPU_PT_GTP) == 0 || !cur_get_u8(&c, &type) || type != GTPU_G_PDU ||
        !cur_get_u16(&c, &length) || !cur_get_u32(&c, &id)) {
        return false;
    }
    /* a capture cut short keeps what it has (the inner packet is then cut too) */
    struct cursor body = cur_take_upto(&c, length);
    if ((flags & (GTPU_FLAG_E | GTPU_FLAG_S | GTPU_FLAG_PN)) != 0) {
        struct cursor optional;
        uint8_t next;
        if (!cur_get_bytes(&body, GTPU_OPTIONAL, &optional) ||
            !cur_peek_u8(optional, GTPU_OPTIONAL - 1, &next) ||
            !skip_extensions(&body, (flags & GTPU_FLAG_E) != 0 ? next : 0)) {
            return false;
        }
    }
    if (!cur_peek_u8(body, 0, &version) || ((version >> 4) != 4 && (version >> 4) != 6)) {
        return false;
    }
    *teid = id;
    *inner = body;
    return true;
}
