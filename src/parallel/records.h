/* The records of -j's rings. Reader to worker: packets and the marks that order them; worker
 * to merger: events, frames for -w and progress. Every record carries the ordinal of the
 * packet (or mark) whose processing made it: the merger puts the workers' records back in
 * that order, which is the order one process would have produced them in. Processes of one
 * run are forks of one image (no exec), so a pointer to static storage (an event name, a
 * field key) means the same in all of them and travels as it is. */
#ifndef HSDUMP_SRC_PARALLEL_RECORDS_H
#define HSDUMP_SRC_PARALLEL_RECORDS_H

#include <stdint.h>

#include "output/endpoint.h"

enum record_type {
    /* reader -> worker */
    REC_PACKET = 1, /* struct rec_packet, then caplen bytes */
    REC_PACKET_AT,  /* struct rec_packet, then the address of its caplen bytes in the window
                     * mapped before the fork (capture/window.h): no copy */
    REC_TICK,       /* struct rec_mark: a new second of packet time (packet_clock) */
    REC_SYNC,       /* struct rec_mark: nothing for this worker up to the ordinal */
    REC_INPUT_END,  /* struct rec_mark: the input ended; its connections close */
    REC_STOP,       /* struct rec_mark: no more input: say goodbye and exit */
    REC_CHUNK,      /* struct rec_chunk: a window chunk's frames, each worker taking its own */
    /* worker -> merger */
    REC_EVENT = 16,  /* struct rec_event, then the fields' slots and bytes */
    REC_ESTABLISHED, /* struct rec_mark: a handshake completed (-c) */
    REC_FRAME,       /* struct rec_packet, then caplen bytes: a frame -w writes */
    REC_PROBE,       /* struct rec_probe: a chain met the interception guess */
    REC_DONE,        /* struct rec_mark: every record up to the ordinal is processed */
    REC_LINE,        /* struct rec_line, then the line a worker rendered (out_renders_alone) */
    REC_BYE,         /* struct rec_mark: the worker's counters are final; it exits */
};

struct rec_mark {
    uint64_t ordinal;
    int64_t sec;
    int64_t usec;
};

struct rec_packet {
    uint64_t ordinal;
    int64_t sec;
    int64_t usec;
    int32_t dlt;
    uint32_t wire_len;
    uint32_t caplen;
    uint32_t unused;
    uint64_t sub; /* REC_FRAME: close_order_key (conn.h) when it was written */
};

/* A window chunk's frames (capture/window.h) for one worker: the reader read and routed them
 * and says where each of this worker's frames is, and where the packet clock ticks (packet.h
 * packet_clock_due), which every worker hears of. A record covers the ordinals first..ordinal
 * and is followed by n struct chunk_entry, in ordinal order: one per chunk and worker, a few
 * when a chunk holds more frames than one record lists (CHUNK_ENTRIES_MAX). Compared with a
 * REC_PACKET_AT per frame, the rings carry 8 bytes a frame and the worker's loop runs once a
 * chunk. */
struct rec_chunk {
    uint64_t ordinal; /* the last it covers */
    uint64_t first;
    uint64_t at;  /* the address of the chunk's records in the window mapped before the fork */
    uint64_t len; /* ... their bytes */
    uint32_t n;   /* entries that follow */
    uint32_t snaplen;
    int32_t dlt;
    uint8_t nanoseconds;
};

struct chunk_entry {
    uint32_t offset; /* of the frame's record from the chunk's first */
    uint32_t delta;  /* its ordinal - first, and the flags below */
};
#define CHUNK_ENTRY_TICK (1u << 31) /* the clock ticks at this frame, before it is dissected */
#define CHUNK_ENTRY_OWN (1u << 30)  /* the frame is this worker's */
#define CHUNK_ENTRY_DELTA (CHUNK_ENTRY_OWN - 1)
#define CHUNK_ENTRIES_MAX 16384

struct rec_event {
    uint64_t ordinal;
    uint64_t sub; /* close_order_key (conn.h): the order of closes made by one record */
    uint64_t local_id; /* the worker's connection id; the merger gives the run's */
    int64_t sec;
    int64_t usec;
    struct endpoint client;
    struct endpoint server;
    int32_t dir;
    uint8_t overflow, malformed, list_open, level;
    uint8_t id_only; /* the connection's first line, which the output drops: its id only */
    const char *event; /* static storage */
    /* the message name: often formatted on the stack (names_format), so its text travels */
    uint8_t has_name;
    char name[64];
    uint32_t probe_slot; /* 1 + the slot of interception=<probe number>, or 0 */
    uint32_t n;    /* slots (struct field) that follow */
    uint32_t used; /* bytes of the fields' buffer after them */
};

/* A rendered line whose connection id is LINE_ID_SENTINEL's 20 digits at id_at: the merger
 * writes the run's id there. */
struct rec_line {
    uint64_t ordinal;
    uint64_t sub; /* as rec_event's */
    uint64_t local_id;
    uint32_t id_at;
    uint32_t len;
    uint8_t close; /* the connection's last line */
};
#define LINE_ID_SENTINEL 18446744073709551557ULL
#define LINE_ID_SENTINEL_TEXT "18446744073709551557"
#define LINE_ID_DIGITS 20

struct rec_probe {
    uint64_t ordinal;
    uint64_t number; /* the worker's count of probes, from 1 */
    uint64_t issuer;
    uint8_t trusted;
    uint8_t sni_len;
    char sni[255];
};

#endif
