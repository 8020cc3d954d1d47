/* The classic pcap file header, as read into the window (pcap-savefile(5)). */
#include "capture/window.h"

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

bool window_record(struct cursor *chunk, uint32_t snaplen, bool nanoseconds,
                   struct pcap_pkthdr *h, const uint8_t **data, bool *cut)
{
    struct cursor header, frame;
    struct cursor probe = *chunk;
    uint8_t r[16];
    *cut = true;
    if (!cur_get_bytes(&probe, sizeof(r), &header)) {
        return false;
    }
    cur_copy(header, r);
    uint32_t caplen = le32(r + 8);
    if (caplen > snaplen) {
        *cut = false;
        return false;
    }
    if (!cur_get_bytes(&probe, caplen, &frame)) {
        return false;
    }
    uint32_t fraction = le32(r + 4);
    h->ts.tv_sec = (time_t)(int32_t)le32(r); /* bpf_int32 in the file, as libpcap reads it */
    /* microseconds, as the file is opened for (PCAP_TSTAMP_PRECISION_MICRO): libpcap divides */
    h->ts.tv_usec = (suseconds_t)(nanoseconds ? (int32_t)fraction / 1000 : (int32_t)fraction);
    h->caplen = caplen;
    h->len = le32(r + 12);
    *data = cur_data(frame);
    *chunk = probe;
    return true;
}
