/* Packet sources: capture files (pcap, pcapng, standard input) and live interfaces. The only
 * user of libpcap (STYLE 2.5). */
#ifndef HSDUMP_SRC_CAPTURE_H
#define HSDUMP_SRC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "cursor.h"

struct capture;
struct pcap;

/* One captured frame, valid only during the callback. */
struct capture_frame {
    struct timeval ts; /* microseconds, also for nanosecond files */
    int dlt;           /* link type, as for link_decode() */
    struct cursor data;
    uint32_t wire_len; /* length on the wire; cur_len(data) is what was captured */
};

typedef void (*capture_frame_fn)(void *ctx, const struct capture_frame *frame);

#define CAPTURE_DEFAULT_SNAPLEN 262144 /* tcpdump's default: whole frames */

struct capture_live_opts {
    int snaplen; /* 0: CAPTURE_DEFAULT_SNAPLEN */
    bool promisc;
    int buffer_mb; /* kernel buffer; 0: libpcap's default */
};

/* "-" reads standard input. On failure returns NULL and writes "<path>: <why>" into err,
 * e.g. "/x.pcap: No such file or directory". */
struct capture *capture_open_file(const char *path, char *err, size_t errlen);

/* Opens iface in immediate mode. On failure returns NULL and writes "<iface>: <why>", e.g.
 * "eth9: No such device exists (...)". */
struct capture *capture_open_live(const char *iface, const struct capture_live_opts *o,
                                  char *err, size_t errlen);

/* Sets a BPF filter in tcpdump syntax; NULL or "" means none. On failure err gets
 * "filter: <libpcap's reason>". */
bool capture_set_filter(struct capture *c, const char *expr, char *err, size_t errlen);

bool capture_is_live(const struct capture *c);
int capture_datalink(const struct capture *c);
/* libpcap's name for a link type ("EN10MB", "LINUX_SLL2"), or "DLT_<n>". */
const char *capture_datalink_name(int dlt);

enum capture_end {
    CAPTURE_EOF,
    CAPTURE_STOPPED,   /* capture_break() */
    CAPTURE_TRUNCATED, /* the file ends mid-packet: worth a warning, the frames before count */
    CAPTURE_ERROR,
};

/* Calls fn for every frame until end of file, an error or capture_break(). For TRUNCATED and
 * ERROR, err gets libpcap's message (without the file name). */
enum capture_end capture_run(struct capture *c, capture_frame_fn fn, void *ctx, char *err,
                             size_t errlen);

/* Async-signal-safe: makes the running capture_run(), or else the next one, return
 * CAPTURE_STOPPED soon. */
void capture_break(void);

/* Kernel counters of a live capture: frames received by the filter (each loopback frame
 * counts twice on Linux) and dropped for lack of buffer space. False for files. */
bool capture_stats(const struct capture *c, uint64_t *received, uint64_t *dropped);

void capture_close(struct capture *c); /* accepts NULL */

/* A dead DLT_RAW handle for nids_params.pcap_desc, so libnids never sees real link layers
 * (PLATFORM-NOTES 6). NULL on failure. */
struct pcap *capture_open_raw_dummy(void);
void capture_close_raw_dummy(struct pcap *p); /* accepts NULL */

#endif
