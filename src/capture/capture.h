/* Packet sources: capture files (pcap, pcapng, standard input) and live interfaces. The only
 * user of libpcap (the others get packets through it). */
#ifndef HSDUMP_SRC_CAPTURE_H
#define HSDUMP_SRC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "base/cursor.h"

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
/* stdio buffer of a capture file: one read(2) per 64 KiB instead of per 4 KiB block, which
 * halved hsdump's system time on a 1.8 GB file. From 128 KiB on, malloc maps the buffer and
 * the system time came back (measured; bench/RESULTS.md). */
#define CAPTURE_READ_BUFFER (64 * 1024)

struct capture_live_opts {
    int snaplen; /* 0: CAPTURE_DEFAULT_SNAPLEN */
    bool promisc;
    int buffer_kib; /* kernel buffer in KiB (-B); 0: libpcap's default */
    bool immediate; /* --immediate-mode: each packet at once, not in blocks */
};

/* "-" reads standard input. A gzip-compressed file (RFC 1952, told by its magic, not by its
 * name) is decompressed as it is read. A pcapng file whose interfaces have several link types
 * (which libpcap refuses) is read by pcapng.c, each frame with its interface's link type.
 * The TLS key logs in a pcapng file's Decryption Secrets Blocks go to the secrets table
 * (secrets.h) as the file is read, wherever the blocks are.
 * On failure returns NULL and writes "<path>: <why>" into err,
 * e.g. "/x.pcap: No such file or directory". */
struct capture *capture_open_file(const char *path, char *err, size_t errlen);

/* Writes the interfaces -i can use to fp, numbered as tcpdump -D does:
 * "1.eth0 [Up, Running, Connected]", with libpcap's description in parentheses when there is
 * one. On failure returns false and writes libpcap's reason into err. */
bool capture_list_interfaces(FILE *fp, char *err, size_t errlen);

/* Opens iface in immediate mode. On failure returns NULL and writes "<iface>: <why>", e.g.
 * "eth9: No such device exists (...)". */
struct capture *capture_open_live(const char *iface, const struct capture_live_opts *o,
                                  char *err, size_t errlen);

/* Sets a BPF filter in tcpdump syntax; NULL or "" means none. On failure err gets
 * "filter: <libpcap's reason>". */
bool capture_set_filter(struct capture *c, const char *expr, char *err, size_t errlen);

struct capture_window;
/* -j: a classic pcap file is read into the workers' window from now on (capture/window.h),
 * where libpcap would hand its frames over unchanged; false (nothing changed) for what libpcap
 * must read. */
bool capture_read_in_window(struct capture *c, const struct capture_window *w);

bool capture_is_live(const struct capture *c);
/* For a progress line: the bytes of the file read so far (of a compressed file, its
 * compressed bytes) and its size. False for live captures, pipes and other non-files. */
bool capture_file_position(const struct capture *c, uint64_t *done, uint64_t *size);
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

/* After capture_run(): what a file's reader skipped without stopping, as one line
 * ("pcapng: skipped 2 malformed blocks, ..."), or NULL. Valid until the next call. */
const char *capture_warning(struct capture *c);

/* Called by capture_run() between batches of frames: after at most CAPTURE_FILE_BATCH frames
 * of a file, and for a live capture whenever libpcap returns, which capture_wake() forces.
 * For work that must not wait for the next packet (statistics on SIGUSR1, flushing -w). */
void capture_set_tick(struct capture *c, void (*tick)(void *ctx), void *ctx);
#define CAPTURE_FILE_BATCH 1024

/* Async-signal-safe: makes the running capture_run(), or else the next one, return
 * CAPTURE_STOPPED soon. */
void capture_break(void);
/* Async-signal-safe: makes the running capture_run() call its tick soon, then go on. A live
 * capture blocks in libpcap while no packet comes (the read timeout does not end the wait
 * on Linux), so a signal handler needs this to get work done at once. */
void capture_wake(void);

/* Kernel counters of a live capture (pcap_stats): packets the filter accepted (each loopback
 * packet counts twice on Linux: it is seen going out and coming in), dropped for lack of
 * buffer space, and dropped by the interface or its driver (not every platform knows). */
struct capture_counters {
    uint64_t received;
    uint64_t dropped;
    uint64_t if_dropped;
};
/* False for files, and when libpcap cannot tell. */
bool capture_stats(const struct capture *c, struct capture_counters *k);

void capture_close(struct capture *c); /* accepts NULL */

/* A pcap file written with the link type and timestamp precision of the inputs (-w). */
struct capture_dump;
/* tcpdump's -G, -C, -W and -U for the -w file, with tcpdump.c's names and numbers
 * (MakeFilename, dump_packet_and_trunc): with seconds, path is a strftime(3) pattern in
 * local time and a new file starts with the first frame written SECONDS of wall clock after
 * the last start; with bytes, a new file starts before a frame once the file is larger,
 * named path then path1, path2... (path0, path1... zero-padded to the digits of files-1 with
 * files); files alone with seconds: the run ends after that many periods. */
struct capture_rotation {
    unsigned seconds; /* -G; 0: none */
    uint64_t bytes;   /* -C; 0: none */
    unsigned files;   /* -W; 0: no limit */
    bool flush_each;  /* -U: every frame reaches the file at once (pcap_dump_flush) */
};
enum capture_dump_state {
    CAPTURE_DUMP_WRITING,
    CAPTURE_DUMP_LIMIT,  /* -G with -W: the last file is closed, frames are dropped */
    CAPTURE_DUMP_FAILED, /* a write or a new file failed: capture_dump_close() says why */
};
/* Opens path for the frames of inputs[0..n): all must share one link type; the file's
 * snapshot length is the largest of theirs. rot may be NULL. On failure returns NULL with
 * err "<path>: <why>" (or why the inputs cannot share one file). */
struct capture_dump *capture_dump_open(struct capture *const *inputs, size_t n,
                                       const char *path, const struct capture_rotation *rot,
                                       char *err, size_t errlen);
enum capture_dump_state capture_dump_state(const struct capture_dump *d);
/* Appends one frame as captured: data holds its captured bytes, wire_len its length on the
 * wire. A failed write shows at capture_dump_flush() or capture_dump_close(). */
void capture_dump_write(struct capture_dump *d, struct timeval ts, uint32_t wire_len,
                        struct cursor data);
/* Pushes buffered frames to the file; false (errno set) if a write failed. */
bool capture_dump_flush(struct capture_dump *d);
/* Flushes and closes; false with err "<file>: <why>" if any write failed. Accepts NULL. */
bool capture_dump_close(struct capture_dump *d, char *err, size_t errlen);

/* A dead DLT_RAW handle for nids_params.pcap_desc, so libnids never sees real link layers
 * (nids_init accepts only a few DLTs, libnids.c). NULL on failure. */
struct pcap *capture_open_raw_dummy(void);
void capture_close_raw_dummy(struct pcap *p); /* accepts NULL */

#endif
