/* libFuzzer harness: link-layer and IP decoding. The first input byte picks a link type, the
 * rest is the frame; an IPv6 packet found in it goes through the IPv4 mapping as in packet.c. */
#include <pcap/dlt.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tcp/ipv6map.h"
#include "capture/linklayer.h"

static const int link_types[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP,
    12 /* DLT_RAW as some files write it */, 101 /* LINKTYPE_RAW */, DLT_PPP, 9999,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct v6map *v6;
    static uint8_t v4[V6MAP_OUT_MAX];
    if (v6 == NULL) {
        v6 = v6map_new();
    }
    struct cursor in = cur_make(data, size);
    uint8_t pick;
    if (!cur_get_u8(&in, &pick)) {
        return 0;
    }
    int dlt = link_types[pick % (sizeof(link_types) / sizeof(link_types[0]))];
    struct cursor ip;
    if (link_decode(dlt, in, &ip) == LINK_IPV6) {
        size_t len;
        v6map_translate(v6, ip, v4, sizeof(v4), &len);
    }
    return 0;
}
