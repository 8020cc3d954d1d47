/* GTP-U (3GPP TS 29.281): the user plane of mobile networks carries each user's IP packets
 * in UDP datagrams on port 2152; hsdump dissects the inner packet as any other. */
#ifndef HSDUMP_SRC_UDP_GTPU_H
#define HSDUMP_SRC_UDP_GTPU_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"

#define GTPU_PORT 2152 /* TS 29.281 4.4.2.3 */

/* Pure: payload is a UDP datagram's payload to or from GTPU_PORT. True when it is a G-PDU
 * whose T-PDU is an IPv4 or IPv6 packet: *teid is its Tunnel Endpoint Identifier and *inner
 * that packet (as far as it was captured). False for any other message (echo, error
 * indication, end marker), another version, or a header cut short or inconsistent. */
bool gtpu_decode(struct cursor payload, uint32_t *teid, struct cursor *inner);

#endif
