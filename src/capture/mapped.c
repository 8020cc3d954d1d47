/* Classic pcap records read in place (pcap-savefile(5)), through the cursor. */
#include "capture/mapped.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/cursor.h"

#define FILE_HEADER 24
#define RECORD_HEADER 16
#define MAGIC_MICRO 0xa1b2c3d4u
#define MAGIC_NANO 0xa1b23c4du
/* libpcap's largest snapshot length for the link types below (pcap-int.h MAXIMUM_SNAPLEN):
 * a record longer than this is an error libpcap reports itself. */
#define SNAPLEN_MAX 262144u

/* The file's own (little-endian, host) byte order: x86 and arm64 write such files. */
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

bool mapped_open(struct mapped_file *m, int fd, uint64_t size, int dlt)
{
    memset(m, 0, sizeof(*m));
    if (size < FILE_HEADER || size > SIZE_MAX || !as_stored(dlt)) {
        return false;
    }
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        return false;
    }
    (void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
    m->base = p;
    m->size = (size_t)size;
    struct cursor c = cur_make(m->base, m->size);
    struct cursor header;
    uint8_t h[FILE_HEADER];
    if (!cur_get_bytes(&c, FILE_HEADER, &header)) {
        mapped_close(m);
        return false;
    }
    cur_copy(header, h);
    uint32_t magic = le32(h);
    uint16_t major = (uint16_t)(h[4] | h[5] << 8), minor = (uint16_t)(h[6] | h[7] << 8);
    m->snaplen = le32(h + 16);
    m->nanoseconds = magic == MAGIC_NANO;
    if ((magic != MAGIC_MICRO && magic != MAGIC_NANO) || major != 2 || minor != 4 ||
        m->snaplen == 0 || m->snaplen > SNAPLEN_MAX) {
        mapped_close(m);
        return false;
    }
    m->at = FILE_HEADER;
    return true;
}

enum mapped_next mapped_next(struct mapped_file *m, struct pcap_pkthdr *h, const uint8_t **data)
{
    if (m->at == m->size) {
        return MAPPED_END;
    }
    struct cursor c = cur_make(m->base + m->at, m->size - m->at);
    struct cursor header, frame;
    uint8_t r[RECORD_HEADER];
    if (!cur_get_bytes(&c, RECORD_HEADER, &header)) {
        return MAPPED_OTHER; /* a cut header: libpcap says so */
    }
    cur_copy(header, r);
    uint32_t caplen = le32(r + 8);
    if (caplen > m->snaplen || !cur_get_bytes(&c, caplen, &frame)) {
        return MAPPED_OTHER; /* longer than the snapshot, or cut: libpcap's rules */
    }
    uint32_t fraction = le32(r + 4);
    h->ts.tv_sec = (time_t)(int32_t)le32(r); /* bpf_int32 in the file, as libpcap reads it */
    /* microseconds, as the file is opened for (PCAP_TSTAMP_PRECISION_MICRO): libpcap divides */
    h->ts.tv_usec = (suseconds_t)(m->nanoseconds ? (int32_t)fraction / 1000 : (int32_t)fraction);
    h->caplen = caplen;
    h->len = le32(r + 12);
    *data = cur_data(frame);
    m->at += RECORD_HEADER + caplen;
    /* the records ahead: a page's worth, so its lines come in while this frame is handed on */
    __builtin_prefetch(m->base + (m->at + 2048 < m->size ? m->at + 2048 : m->at));
    mapped_release_behind(m->base, &m->released, m->at - RECORD_HEADER - caplen);
    return MAPPED_FRAME;
}

void mapped_release_behind(const uint8_t *base, size_t *released, size_t up_to)
{
    if (up_to < *released + MAPPED_RELEASE_STEP) {
        return;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t end = up_to / page * page;
    if (end > *released) {
        (void)madvise((void *)(base + *released), end - *released, MADV_DONTNEED);
        *released = end;
    }
}

void mapped_close(struct mapped_file *m)
{
    if (m->base != NULL) {
        munmap((void *)m->base, m->size);
    }
    memset(m, 0, sizeof(*m));
}
