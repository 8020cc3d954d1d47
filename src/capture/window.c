/* The classic pcap file header, as read into the window (pcap-savefile(5)). */
#include "capture/window.h"

#include <pcap.h>

#define MAGIC_MICRO 0xa1b2c3d4u
#define MAGIC_NANO 0xa1b23c4du
/* libpcap's largest snapshot length for the link types below (pcap-int.h MAXIMUM_SNAPLEN) */
#define SNAPLEN_MAX 262144u

_Static_assert(WINDOW_CARRY_MAX >= 16 + SNAPLEN_MAX, "a whole record fits the carry");

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Link types whose frames libpcap hands over as they are in the file (no pcap_post_process
 * rewrite, no pseudo-header swap): Ethernet, raw IP, Linux cooked v1 and v2, BSD loopback. */
static bool as_stored(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_RAW:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_IPV4:
    case DLT_IPV6:
        return true;
    default:
        return false;
    }
}

bool window_header_ok(const uint8_t h[24], int dlt, uint32_t *snaplen, bool *nanoseconds)
{
    /* the file's own (little-endian, host) byte order: x86 and arm64 write such files */
    uint32_t magic = le32(h);
    uint16_t major = (uint16_t)(h[4] | h[5] << 8), minor = (uint16_t)(h[6] | h[7] << 8);
    *snaplen = le32(h + 16);
    *nanoseconds = magic == MAGIC_NANO;
    return (magic == MAGIC_MICRO || magic == MAGIC_NANO) && major == 2 && minor == 4 &&
           *snaplen > 0 && *snaplen <= SNAPLEN_MAX && as_stored(dlt);
}
