/* Link layers we parse ourselves so libnids only ever sees bare IP (libnids.c): Ethernet II
 * with stacked IEEE 802.1Q / 802.1ad tags, Linux cooked v1 and v2, raw IP, BSD loopback. Header
 * layouts from https://www.tcpdump.org/linktypes.html and its LINKTYPE_* pages. */
#include "capture/linklayer.h"

#include <stdint.h>

/* DLT values as pcap_datalink() reports them on Linux (pcap/dlt.h). libpcap maps a file's
 * LINKTYPE_RAW (101) to DLT_RAW (12), but a file may still say 101 elsewhere: take both. */
enum {
    LINK_DLT_NULL = 0,
    LINK_DLT_EN10MB = 1,
    LINK_DLT_RAW = 12,
    LINK_DLT_LINKTYPE_RAW = 101,
    LINK_DLT_LOOP = 108,
    LINK_DLT_LINUX_SLL = 113,
    LINK_DLT_IPV4 = 228,
    LINK_DLT_IPV6 = 229,
    LINK_DLT_LINUX_SLL2 = 276,
};

/* IEEE 802 ethertypes; 0x9100 is the pre-802.1ad QinQ tag some switches still emit. */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_9100 0x9100

/* RFC 791 3.1: a header is at least 5 words; RFC 8200 3: the IPv6 header is 40 bytes. */
#define IPV4_HEADER_MIN 20
#define IPV6_HEADER_LEN 40

/* Cuts c down to len bytes; a capture shorter than len (snaplen) stays as it is. */
static struct cursor trimmed(struct cursor c, size_t len)
{
    return cur_take_upto(&c, len);
}

/* The IP packet starting at rest. want_version is 4 or 6 when the link layer named the
 * protocol, 0 when only the version nibble can tell (raw IP, BSD loopback). */
static enum link_result ip_packet(struct cursor rest, unsigned want_version, struct cursor *ip)
{
    uint8_t first;
    uint16_t length;
    if (!cur_peek_u8(rest, 0, &first)) {
        return LINK_SKIP_TRUNCATED;
    }
    unsigned version = first >> 4;
    if (want_version == 0 && (version == 4 || version == 6)) {
        want_version = version;
    }
    if (version != want_version) {
        return LINK_SKIP_BAD_IP;
    }
    if (version == 4) {
        /* RFC 791 3.1: Total Length, octet 2. Below a header it is nonsense or 0 (segmentation
         * offload on the sending host): nothing to trim to, libnids judges the packet. */
        if (cur_len(rest) < IPV4_HEADER_MIN || !cur_peek_u16(rest, 2, &length)) {
            return LINK_SKIP_TRUNCATED;
        }
        *ip = length >= IPV4_HEADER_MIN ? trimmed(rest, length) : rest;
        return LINK_IPV4;
    }
    /* RFC 8200 3: Payload Length, octet 4, excludes the 40-byte header. 0 is a jumbogram
     * (RFC 2675) or an offloaded segment: the true length is not here. */
    if (cur_len(rest) < IPV6_HEADER_LEN || !cur_peek_u16(rest, 4, &length)) {
        return LINK_SKIP_TRUNCATED;
    }
    *ip = length != 0 ? trimmed(rest, (size_t)IPV6_HEADER_LEN + length) : rest;
    return LINK_IPV6;
}

static bool is_vlan_tag(uint16_t ethertype)
{
    return ethertype == ETHERTYPE_8021Q || ethertype == ETHERTYPE_8021AD ||
           ethertype == ETHERTYPE_QINQ_9100;
}

/* rest starts right after an ethertype field holding ethertype. Tags stack any number of
 * times (QinQ and deeper); each is TCI(2) then the inner ethertype(2) (IEEE 802.1Q 9.6).
 * libpcap also re-inserts stripped tags into cooked captures, so SLL comes here too. */
static enum link_result after_ethertype(struct cursor rest, uint16_t ethertype,
                                        struct cursor *ip)
{
    while (is_vlan_tag(ethertype)) {
        if (!cur_skip(&rest, 2) || !cur_get_u16(&rest, &ethertype)) {
            return LINK_SKIP_TRUNCATED;
        }
    }
    switch (ethertype) {
    case ETHERTYPE_IPV4:
        return ip_packet(rest, 4, ip);
    case ETHERTYPE_IPV6:
        return ip_packet(rest, 6, ip);
    default:
        return LINK_SKIP_ETHERTYPE;
    }
}

/* Ethernet II: destination(6) source(6) ethertype(2). */
static enum link_result decode_ethernet(struct cursor frame, struct cursor *ip)
{
    uint16_t ethertype;
    if (!cur_skip(&frame, 12) || !cur_get_u16(&frame, &ethertype)) {
        return LINK_SKIP_TRUNCATED;
    }
    return after_ethertype(frame, ethertype, ip);
}

/* LINKTYPE_LINUX_SLL: packet type(2) ARPHRD type(2) address length(2) address(8)
 * protocol(2), the protocol being an ethertype for IP. */
static enum link_result decode_sll(struct cursor frame, struct cursor *ip)
{
    uint16_t protocol;
    if (!cur_skip(&frame, 14) || !cur_get_u16(&frame, &protocol)) {
        return LINK_SKIP_TRUNCATED;
    }
    return after_ethertype(frame, protocol, ip);
}

/* LINKTYPE_LINUX_SLL2: protocol(2) reserved(2) interface index(4) ARPHRD type(2)
 * packet type(1) address length(1) address(8). */
static enum link_result decode_sll2(struct cursor frame, struct cursor *ip)
{
    uint16_t protocol;
    if (!cur_get_u16(&frame, &protocol) || !cur_skip(&frame, 18)) {
        return LINK_SKIP_TRUNCATED;
    }
    return after_ethertype(frame, protocol, ip);
}

/* LINKTYPE_NULL and LINKTYPE_LOOP: a 4-byte address family, host order for NULL and network
 * order for LOOP, and AF_INET6 is 10, 24, 28 or 30 depending on the capturing OS. The IP
 * version nibble is the one reliable signal (pcap-linktype(7)). */
static enum link_result decode_bsd_loopback(struct cursor frame, struct cursor *ip)
{
    if (!cur_skip(&frame, 4)) {
        return LINK_SKIP_TRUNCATED;
    }
    return ip_packet(frame, 0, ip);
}

static enum link_result decode_raw(struct cursor frame, struct cursor *ip)
{
    return ip_packet(frame, 0, ip);
}

static enum link_result decode_ipv4(struct cursor frame, struct cursor *ip)
{
    return ip_packet(frame, 4, ip);
}

static enum link_result decode_ipv6(struct cursor frame, struct cursor *ip)
{
    return ip_packet(frame, 6, ip);
}

static const struct link_type {
    int dlt;
    enum link_result (*decode)(struct cursor frame, struct cursor *ip);
} link_types[] = {
    {LINK_DLT_NULL, decode_bsd_loopback},
    {LINK_DLT_EN10MB, decode_ethernet},
    {LINK_DLT_RAW, decode_raw},
    {LINK_DLT_LINKTYPE_RAW, decode_raw},
    {LINK_DLT_LOOP, decode_bsd_loopback},
    {LINK_DLT_LINUX_SLL, decode_sll},
    {LINK_DLT_IPV4, decode_ipv4},
    {LINK_DLT_IPV6, decode_ipv6},
    {LINK_DLT_LINUX_SLL2, decode_sll2},
};

static const struct link_type *find_link_type(int dlt)
{
    for (size_t i = 0; i < sizeof(link_types) / sizeof(link_types[0]); i++) {
        if (link_types[i].dlt == dlt) {
            return &link_types[i];
        }
    }
    return NULL;
}

enum link_result link_decode(int dlt, struct cursor frame, struct cursor *ip)
{
    const struct link_type *t = find_link_type(dlt);
    if (t == NULL) {
        return LINK_SKIP_DLT;
    }
    return t->decode(frame, ip);
}

bool link_type_supported(int dlt)
{
    return find_link_type(dlt) != NULL;
}

const char *link_result_name(enum link_result r)
{
    static const char *const names[LINK_RESULT_COUNT] = {
        [LINK_IPV4] = "ipv4",
        [LINK_IPV6] = "ipv6",
        [LINK_SKIP_DLT] = "unsupported_link_type",
        [LINK_SKIP_ETHERTYPE] = "not_ip",
        [LINK_SKIP_TRUNCATED] = "truncated_header",
        [LINK_SKIP_BAD_IP] = "bad_ip_version",
    };
    if ((unsigned)r >= LINK_RESULT_COUNT) {
        return "unknown";
    }
    return names[r];
}
