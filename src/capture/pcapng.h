/* A pcapng reader for the files libpcap refuses: interfaces of different link types in one
 * file (draft-ietf-opsawg-pcapng). Each frame comes with its own interface's link type and
 * timestamp resolution; malformed blocks are counted and skipped while their length can be
 * trusted. No libpcap here: the caller filters. */
#ifndef HSDUMP_SRC_CAPTURE_PCAPNG_H
#define HSDUMP_SRC_CAPTURE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "base/cursor.h"

/* The largest block read, as libpcap's pcapng reader allows (MAX_BLOCKSIZE_MAX): a longer
 * block length is taken as a broken file. The buffer grows only with the bytes that came. */
#define PCAPNG_BLOCK_MAX (16u * 1024 * 1024)
/* What pcapng_scan() reads at most before the first packet, to be handed out again. */
#define PCAPNG_SCAN_MAX (1024u * 1024)
/* Interfaces of one section that are remembered; the rest are counted (a file that declares
 * more is broken or hostile: dumpcap writes one per interface it captured on). */
#define PCAPNG_INTERFACES_MAX 1024
#define PCAPNG_INTERFACES_MAX_TEXT "1024"
/* First byte of every pcapng file: the Section Header Block type 0x0A0D0D0A. */
#define PCAPNG_FIRST_BYTE 0x0a

struct pcapng_reader;

struct pcapng_frame {
    struct timeval ts; /* microseconds */
    int dlt;
    uint32_t wire_len;
    struct cursor data; /* valid until the next pcapng_next() */
};

/* Blocks and frames skipped, by reason: reported at the end, never fatal. */
struct pcapng_counters {
    uint64_t bad_blocks;      /* a known block too short for its fields, or lengths that disagree */
    uint64_t bad_interface;   /* a packet naming an interface no IDB described */
    uint64_t bad_timestamp;   /* an IDB whose if_tsresol cannot be used: its packets are skipped */
    uint64_t interfaces_over; /* IDBs past PCAPNG_INTERFACES_MAX */
};

enum pcapng_status {
    PCAPNG_FRAME,
    PCAPNG_END,       /* end of file at a block boundary */
    PCAPNG_TRUNCATED, /* cut mid-block, or a block length that cannot be trusted: stop */
    PCAPNG_ERROR,     /* reading failed (errno) */
};

/* Reads from fp, which the reader does not close. NULL when out of memory. */
struct pcapng_reader *pcapng_open(FILE *fp);
enum pcapng_status pcapng_next(struct pcapng_reader *r, struct pcapng_frame *frame);
/* Why the reader stopped at PCAPNG_TRUNCATED ("pcapng: block at offset 84: ..."). */
const char *pcapng_stop_reason(const struct pcapng_reader *r);
const struct pcapng_counters *pcapng_counters(const struct pcapng_reader *r);
void pcapng_close(struct pcapng_reader *r); /* accepts NULL */

/* Reads fp's blocks up to the first packet (at most PCAPNG_SCAN_MAX bytes) and tells whether
 * its interfaces have more than one link type. *consumed (malloc'd, the caller frees) gets the
 * bytes read, to be handed out again when fp cannot seek back; dlts[0..*n_dlts) the distinct
 * link types seen, at most max_dlts. False only when out of memory. */
bool pcapng_scan(FILE *fp, uint8_t **consumed, size_t *consumed_len, int *dlts,
                 size_t max_dlts, size_t *n_dlts);

#endif
