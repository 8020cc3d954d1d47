/* Link-layer decoding: finds the IP packet inside one captured frame. */
#ifndef HSDUMP_SRC_LINKLAYER_H
#define HSDUMP_SRC_LINKLAYER_H

#include <stdbool.h>

#include "base/cursor.h"

enum link_result {
    LINK_IPV4,
    LINK_IPV6,
    LINK_SKIP_DLT,       /* link type not handled */
    LINK_SKIP_ETHERTYPE, /* not IP (ARP, LLDP...) */
    LINK_SKIP_TRUNCATED, /* link header or fixed IP header (20 / 40 bytes) cut by snaplen */
    LINK_SKIP_BAD_IP,    /* version nibble does not match the link layer's protocol */
    LINK_RESULT_COUNT
};

/* Finds the IP packet inside one captured frame of link type dlt (DLT_* numbers as
 * pcap_datalink() returns them on Linux). On LINK_IPV4 / LINK_IPV6, *ip holds at least the
 * fixed IP header, trimmed to the length the IP header gives when the frame is longer
 * (Ethernet padding) and left as captured when it is shorter (snaplen). */
enum link_result link_decode(int dlt, struct cursor frame, struct cursor *ip);

/* Counter names for the skip report: "unsupported_link_type", "not_ip", ... */
const char *link_result_name(enum link_result r);

bool link_type_supported(int dlt);

#endif
