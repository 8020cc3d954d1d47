/* -j: a classic pcap file read with pread(2) straight into a window of memory the workers
 * share (mapped before the fork), so a frame's bytes are at the same address in every
 * process and only where they are travels to its worker: one copy from the page cache, as
 * libpcap's own read makes, and none after it. Only what libpcap would hand over unchanged is
 * read this way (pcap-savefile(5): host byte order, microsecond or nanosecond time stamps,
 * link types libpcap does not rewrite, records within the snapshot length); at the first
 * record that is anything else, or cut by the end of the file, libpcap reads the rest from
 * that record, with its usual warnings. */
#ifndef HSDUMP_SRC_CAPTURE_WINDOW_H
#define HSDUMP_SRC_CAPTURE_WINDOW_H

#include <pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

/* The window: chunks read into in turn; before one is read into again, the reader waits until
 * every frame it held has been dissected (reuse). */
#define WINDOW_CHUNKS 8
#define WINDOW_READ (512u << 10) /* bytes one pread(2) asks for */
/* ... after the start of a record the previous read cut, carried over: at most a record */
#define WINDOW_CARRY_MAX (16u + 262144u)
#define WINDOW_CHUNK_BYTES (WINDOW_READ + WINDOW_CARRY_MAX)

/* The frames of one chunk, handed over whole (capture_window.frames), which reads them with
 * window_record() as far as it can and says how far that was. */
struct window_frames {
    unsigned chunk;
    struct cursor bytes; /* what was read into the chunk: records, the last perhaps partial */
    uint32_t snaplen;
    bool nanoseconds;
    int dlt;
    /* set by capture_window.frames: */
    struct cursor rest; /* what follows the whole records read */
    uint64_t count;     /* ... how many they were */
    bool cut;           /* window_record()'s at the record that stopped it */
};

struct capture_window {
    uint8_t *chunk[WINDOW_CHUNKS]; /* WINDOW_CHUNK_BYTES each, shared with the workers */
    void (*reuse)(void *ctx, unsigned chunk);
    /* When set, and no filter is to be applied, a chunk's frames are handed over at once
     * rather than one by one through capture_frame_fn. */
    void (*frames)(void *ctx, struct window_frames *f);
    void *ctx;
};

/* A classic pcap file's header (its first 24 bytes) as the window can read it: its
 * snapshot length, whether its time stamps are nanoseconds. False for anything else. */
bool window_header_ok(const uint8_t header[24], int dlt, uint32_t *snaplen, bool *nanoseconds);
/* The record at the start of chunk (a cursor over what a chunk holds), moving past it: its
 * header as libpcap gives it and its bytes. False when only part of it is there (*cut) or
 * libpcap must read it (a captured length past the snapshot length, *cut false). */
bool window_record(struct cursor *chunk, uint32_t snaplen, bool nanoseconds,
                   struct pcap_pkthdr *h, const uint8_t **data, bool *cut);

#endif
