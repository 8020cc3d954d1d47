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
    size_t released; /* the pages before it are given back (mapped_release_behind) */
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

/* The file's pages a process has read past count in its resident size (they are the page
 * cache's, shared): given back every MAPPED_RELEASE_STEP bytes (madvise MADV_DONTNEED), so a
 * process reading the whole file holds a few MiB of it, not all. */
#define MAPPED_RELEASE_STEP (2u * 1024 * 1024)
/* Gives back [*released, up to) of the mapping at base, page-aligned, once a step is read. */
void mapped_release_behind(const uint8_t *base, size_t *released, size_t up_to);

#endif
