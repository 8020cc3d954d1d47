/* -j: a classic pcap file read in place. The file is mapped before the workers are forked,
 * so a frame's bytes are at the same address in every process and only a pointer travels
 * to the worker, not a copy. Only what libpcap would hand over unchanged is read this way
 * (pcap-savefile(5): host byte order, microsecond or nanosecond time stamps, link types
 * libpcap does not rewrite, captured lengths within the snapshot length); at the first
 * record that is anything else, libpcap takes over from that record. */
#ifndef HSDUMP_SRC_CAPTURE_MAPPED_H
#define HSDUMP_SRC_CAPTURE_MAPPED_H

#include <pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mapped_file {
    const uint8_t *base;
    size_t size;
    size_t at; /* the next record's offset */
    bool nanoseconds;
    uint32_t snaplen;
};

enum mapped_next {
    MAPPED_FRAME, /* *h and *data hold the next frame */
    MAPPED_END,   /* the file ends after the last record */
    MAPPED_OTHER, /* libpcap must read the rest, from offset m->at */
};

/* Maps the file (fd, size bytes) when its header allows reading it in place. */
bool mapped_open(struct mapped_file *m, int fd, uint64_t size, int dlt);
enum mapped_next mapped_next(struct mapped_file *m, struct pcap_pkthdr *h, const uint8_t **data);
void mapped_close(struct mapped_file *m);

#endif
