/* libpcap's one home: files, standard input, live interfaces, BPF filters. Error
 * texts pass libpcap's words through (pcap_geterr(3PCAP)), prefixed with what failed. */
#include "capture/capture.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <time.h>

#include "capture/input_stream.h"
#include "capture/window.h"
#include "capture/pcapng.h"
#include "capture/pcapng_dsb.h"
#include "capture/secrets.h"

/* Without immediate mode, packets come in blocks (TPACKET_V3 on Linux) at most this late. */
#define LIVE_TIMEOUT_MS 100
#define DUMMY_SNAPLEN 65535  /* the largest IPv4 packet libnids will get */
/* gzip's magic (RFC 1952 2.3.1): recognised by content, whatever the file is called. */
#define GZIP_ID1 0x1f
#define GZIP_ID2 0x8b
/* Link types of one pcapng file that the look before its first packet lists, and that get a
 * filter program each; with a filter, frames of link types past these fail it (counted).
 * link_decode knows nine. */
#define MIXED_DLTS_MAX 16
/* Stream buffers a file may need: the file, its decompressed bytes, a replayed start, the
 * watch for pcapng secrets blocks. */
#define READ_BUFFERS_MAX 4

/* libpcap's words when a pcapng interface's link type differs from the first one's. */
#define LIBPCAP_MIXED_LINK_TYPES "different from the type of the first interface"

/* A BPF program compiled for one link type of a pcapng file with several. */
struct link_filter {
    int dlt;
    bool compiled; /* false: the filter means nothing on this link type, its frames fail it */
    struct bpf_program prog;
};

struct capture {
    pcap_t *p;
    bool is_live;
    int dlt;
    bpf_u_int32 netmask; /* for "ip broadcast" in filters; unknown for files */
    void (*tick)(void *ctx);
    void *tick_ctx;
    char *read_buffers[READ_BUFFERS_MAX]; /* stdio buffers (owned; freed after the streams) */
    struct gzip_stream *gz;               /* a gzip-compressed file's decompressor, or NULL */
    /* A pcapng file whose interfaces have several link types: read by pcapng.c, filtered
     * here per link type; p is then a dead handle for -w's questions. */
    struct pcapng_reader *pcapng;
    FILE *pcapng_fp;
    int dlts[MIXED_DLTS_MAX];
    size_t n_dlts;
    char *filter_expr;
    struct link_filter filters[MIXED_DLTS_MAX];
    size_t n_filters;
    uint64_t frames_unfilterable; /* frames of a link type the filter cannot compile for */
    char warning[256];
    char *path;             /* a file opened by name, which can be read again; else NULL */
    const char *name;       /* as given, "-" for standard input: for warnings */
    /* A pcapng input's Decryption Secrets Blocks, found in its bytes on their way to the
     * reader (libpcap skips them): they go to the secrets table (secrets.h). */
    struct pcapng_dsb_walker *dsb;
    bool dumping;           /* -w takes its link type from this input */
    int raw_fd;             /* the file as opened, for the progress line (if raw_size) */
    uint64_t raw_size;      /* its size when it is a regular file, else 0 */
    uint64_t delivered;     /* frames libpcap handed on, skipped if pcapng.c reads again */
    uint64_t to_skip;
    /* -j: the file read into the workers' window (capture_read_in_window, window.h) until
     * libpcap must take over; the filter as a program of our own, for pcap_offline_filter */
    const struct capture_window *window;
    bool win_filtered;
    struct bpf_program win_prog;
    uint32_t win_snaplen;
    bool win_nanoseconds;
    uint64_t win_offset; /* the file's next byte to read */
};

/* A signal handler gets no context, so capture_break() finds the running handle here; one
 * capture runs at a time (libnids is process-global too). A lock-free atomic
 * and a sig_atomic_t flag are what C11 7.14.1.1 lets a handler touch. The flag also catches a
 * signal that comes between two captures, when there is no handle to break. */
static pcap_t *_Atomic running;
static volatile sig_atomic_t stop_requested;

/* tcpdump -D's words for the interface flags (tcpdump.c, show_devices_and_exit). */
static const struct {
    bpf_u_int32 flag;
    const char *name;
} if_flag_names[] = {
    {PCAP_IF_UP, "Up"},
    {PCAP_IF_RUNNING, "Running"},
    {PCAP_IF_LOOPBACK, "Loopback"},
    {PCAP_IF_WIRELESS, "Wireless"},
};

static const char *if_connection_status(bpf_u_int32 flags)
{
    bool wireless = (flags & PCAP_IF_WIRELESS) != 0;
    switch (flags & PCAP_IF_CONNECTION_STATUS) {
    case PCAP_IF_CONNECTION_STATUS_UNKNOWN:
        return wireless ? ", Association status unknown" : ", Connection status unknown";
    case PCAP_IF_CONNECTION_STATUS_CONNECTED:
        return wireless ? ", Associated" : ", Connected";
    case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
        return wireless ? ", Not associated" : ", Disconnected";
    case PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE:
    default:
        return "";
    }
}

static void print_interface(FILE *fp, unsigned n, const pcap_if_t *dev)
{
    fprintf(fp, "%u.%s", n, dev->name);
    if (dev->description != NULL) {
        fprintf(fp, " (%s)", dev->description);
    }
    if (dev->flags != 0) {
        const char *sep = "";
        fputs(" [", fp);
        for (size_t i = 0; i < sizeof(if_flag_names) / sizeof(if_flag_names[0]); i++) {
            if ((dev->flags & if_flag_names[i].flag) != 0) {
                fprintf(fp, "%s%s", sep, if_flag_names[i].name);
                sep = ", ";
            }
        }
        fprintf(fp, "%s%s]", sep[0] == '\0' ? "none" : "", if_connection_status(dev->flags));
    }
    fputc('\n', fp);
}

bool capture_list_interfaces(FILE *fp, char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *devs;
    if (pcap_findalldevs(&devs, eb) != 0) {
        snprintf(err, errlen, "-D: %s", eb[0] != '\0' ? eb : "cannot list interfaces");
        return false;
    }
    unsigned n = 0;
    for (const pcap_if_t *dev = devs; dev != NULL; dev = dev->next) {
        print_interface(fp, ++n, dev);
    }
    pcap_freealldevs(devs);
    if (n == 0) {
        snprintf(err, errlen, "-D: no interfaces available for capture");
        return false;
    }
    return true;
}

/* "<what>: <why>", unless libpcap already named what (it does for a missing file). */
static void prefixed(char *err, size_t errlen, const char *what, const char *why)
{
    size_t n = strlen(what);
    if (why[0] == '\0') {
        why = "unknown error";
    }
    if (strncmp(why, what, n) == 0 && why[n] == ':') {
        snprintf(err, errlen, "%s", why);
    } else {
        snprintf(err, errlen, "%s: %s", what, why);
    }
}

static struct capture *wrap(pcap_t *p, bool is_live, bpf_u_int32 netmask, const char *what,
                            char *err, size_t errlen)
{
    struct capture *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        prefixed(err, errlen, what, "out of memory");
        pcap_close(p);
        return NULL;
    }
    c->p = p;
    c->is_live = is_live;
    c->dlt = pcap_datalink(p);
    c->netmask = netmask;
    return c;
}

/* A 64 KiB stdio buffer for fp, kept in c's list; glibc ignores the size unless it is given
 * the buffer too. Without it a stream is still read, one read(2) per 4 KiB. */
static void give_buffer(struct capture *c, FILE *fp)
{
    for (size_t i = 0; i < READ_BUFFERS_MAX; i++) {
        if (c->read_buffers[i] == NULL) {
            char *buffer = malloc(CAPTURE_READ_BUFFER);
            if (buffer != NULL && setvbuf(fp, buffer, _IOFBF, CAPTURE_READ_BUFFER) != 0) {
                free(buffer);
                buffer = NULL;
            }
            c->read_buffers[i] = buffer;
            return;
        }
    }
}

/* Cleared first: a pcapng file's Decryption Secrets Blocks passed through them. */
static void free_buffers(struct capture *c)
{
    for (size_t i = 0; i < READ_BUFFERS_MAX; i++) {
        if (c->read_buffers[i] != NULL) {
            OPENSSL_cleanse(c->read_buffers[i], CAPTURE_READ_BUFFER);
        }
        free(c->read_buffers[i]);
        c->read_buffers[i] = NULL;
    }
}

static void close_stream(FILE *fp)
{
    if (fp != NULL && fp != stdin) {
        fclose(fp);
    }
}

/* The reason a read failed: the decompressor's when it has one. */
static const char *read_failure(const struct capture *c, const char *otherwise)
{
    const char *why = gzip_stream_error(c->gz);
    return why != NULL ? why : otherwise;
}

/* Replaces *fp by a stream of its decompressed bytes when it starts with gzip's magic (two
 * bytes, read here; a lone first byte is put back). False with err set when it cannot. */
static bool open_gzip(struct capture *c, FILE **fp, char *err, size_t errlen)
{
    int id1 = getc(*fp);
    if (id1 != GZIP_ID1) {
        if (id1 != EOF) {
            ungetc(id1, *fp);
        }
        return true;
    }
    if (getc(*fp) != GZIP_ID2) {
        snprintf(err, errlen, "unknown file format");
        return false;
    }
    FILE *inflated = gzip_stream_open(*fp, &c->gz);
    if (inflated == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return false;
    }
    give_buffer(c, inflated);
    *fp = inflated; /* closing it closes the file */
    return true;
}

/* The start of a pcapng file read by pcapng_scan(): it may hold Decryption Secrets Blocks. */
static void forget_consumed(uint8_t *consumed, size_t len)
{
    if (consumed != NULL) {
        OPENSSL_cleanse(consumed, len);
    }
    free(consumed);
}

/* libpcap refuses a pcapng file whose interfaces have different link types ("an interface
 * has a type ... different from the type of the first interface"), so the blocks before the
 * first packet are read first; such a file goes to pcapng.c, any other back to libpcap.
 * *fp is set back to the file's start: by seeking, or else by a stream that hands out again
 * what the look took. */
static bool look_at_pcapng(struct capture *c, FILE **fp, off_t start, bool *is_pcapng,
                           char *err, size_t errlen)
{
    int first = getc(*fp);
    *is_pcapng = false;
    if (first == EOF) {
        return true;
    }
    ungetc(first, *fp);
    if (first != PCAPNG_FIRST_BYTE) {
        return true;
    }
    *is_pcapng = true;
    uint8_t *consumed;
    size_t consumed_len;
    if (!pcapng_scan(*fp, &consumed, &consumed_len, c->dlts, MIXED_DLTS_MAX, &c->n_dlts)) {
        forget_consumed(consumed, consumed_len);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (start >= 0 && fseeko(*fp, start, SEEK_SET) == 0) {
        forget_consumed(consumed, consumed_len);
    } else {
        clearerr(*fp); /* a failed read shows again, and better worded, when read for real */
        FILE *replay = replay_stream_open(consumed, consumed_len, *fp);
        if (replay == NULL) {
            forget_consumed(consumed, consumed_len);
            snprintf(err, errlen, "%s", strerror(errno));
            return false;
        }
        give_buffer(c, replay);
        *fp = replay;
    }
    return true;
}

/* pcapng_dsb_walker's callback: a secrets block for the table. */
static void on_secrets_block(void *ctx, uint64_t offset, uint32_t secrets_type,
                             struct cursor secrets)
{
    const struct capture *c = ctx;
    secrets_take_pcapng_block(c->name, offset, secrets_type, secrets);
}

/* watch_stream_open's observer: every byte of a pcapng input passes the walker. */
static void on_pcapng_bytes(void *ctx, const uint8_t *data, size_t len)
{
    struct capture *c = ctx;
    pcapng_dsb_walker_feed(c->dsb, data, len);
}

/* Replaces *fp, at the start of a pcapng file, by a stream that shows its bytes to the
 * secrets block walker on their way to the reader: whoever reads the packets (libpcap, or
 * pcapng.c), a block's secrets are in the table before the packets after it are read (up to
 * one stream buffer before: secrets early do no harm, the table is keyed by client random).
 * Hopping over block boundaries in bytes already in memory costs under 1% of a keyless
 * run's instructions (bench/RESULTS.md); a pcap file is not watched at all. */
static bool watch_for_secrets(struct capture *c, FILE **fp, char *err, size_t errlen)
{
    if (c->dsb == NULL && (c->dsb = pcapng_dsb_walker_new(on_secrets_block, c)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    FILE *watched = watch_stream_open(*fp, on_pcapng_bytes, c);
    if (watched == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return false;
    }
    give_buffer(c, watched);
    *fp = watched; /* closing it closes the file */
    return true;
}

/* The pcapng reader of a file with several link types; p a dead handle of the first. */
static bool open_mixed_pcapng(struct capture *c, FILE *fp, char *err, size_t errlen)
{
    c->pcapng = pcapng_open(fp);
    c->p = pcap_open_dead_with_tstamp_precision(c->dlts[0], CAPTURE_DEFAULT_SNAPLEN,
                                                PCAP_TSTAMP_PRECISION_MICRO);
    if (c->pcapng == NULL || c->p == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    c->pcapng_fp = fp;
    c->dlt = c->dlts[0];
    return true;
}

static void forget_filter(struct capture *c)
{
    for (size_t i = 0; i < c->n_filters; i++) {
        if (c->filters[i].compiled) {
            pcap_freecode(&c->filters[i].prog);
        }
    }
    c->n_filters = 0;
    free(c->filter_expr);
    c->filter_expr = NULL;
}

static void leave_window(struct capture *c)
{
    c->window = NULL;
    if (c->win_filtered) {
        pcap_freecode(&c->win_prog);
        c->win_filtered = false;
    }
}

static void free_capture(struct capture *c)
{
    leave_window(c);
    if (c->p != NULL) {
        pcap_close(c->p); /* closes a file's stream before its buffer goes */
    }
    pcapng_close(c->pcapng);
    close_stream(c->pcapng_fp);
    gzip_stream_free(c->gz);
    pcapng_dsb_walker_free(c->dsb);
    forget_filter(c);
    free(c->path);
    free_buffers(c);
    free(c);
}

/* Opened here, not by libpcap, to give the stream a larger buffer before its first read
 * (stdio's default is the file's block size, one read(2) per 4 KiB of capture) and to look at
 * its first bytes. *start is where the capture starts, or -1 when it cannot be sought. */
static FILE *open_stream(struct capture *c, const char *path, off_t *start, char *why,
                         size_t whylen)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (fp == NULL) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    give_buffer(c, fp);
    *start = ftello(fp); /* -1 for a pipe */
    struct stat st;
    c->raw_fd = fileno(fp);
    if (fstat(c->raw_fd, &st) == 0 && S_ISREG(st.st_mode)) {
        c->raw_size = (uint64_t)st.st_size;
    }
    if (!open_gzip(c, &fp, why, whylen)) {
        close_stream(fp);
        return NULL;
    }
    if (c->gz != NULL) {
        *start = -1;
    }
    return fp;
}

struct capture *capture_open_file(const char *path, char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    char why[256] = "";
    off_t start;
    struct capture *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        prefixed(err, errlen, path, "out of memory");
        return NULL;
    }
    if (strcmp(path, "-") != 0 && (c->path = strdup(path)) == NULL) {
        prefixed(err, errlen, path, "out of memory");
        free(c);
        return NULL;
    }
    c->name = c->path != NULL ? c->path : "-";
    FILE *fp = open_stream(c, path, &start, why, sizeof(why));
    if (fp == NULL) {
        prefixed(err, errlen, path, why);
        free_capture(c);
        return NULL;
    }
    bool is_pcapng;
    if (!look_at_pcapng(c, &fp, start, &is_pcapng, why, sizeof(why)) ||
        (is_pcapng && !watch_for_secrets(c, &fp, why, sizeof(why)))) {
        close_stream(fp);
        prefixed(err, errlen, path, why);
        free_capture(c);
        return NULL;
    }
    if (c->n_dlts > 1) {
        if (!open_mixed_pcapng(c, fp, why, sizeof(why))) {
            prefixed(err, errlen, path, why);
            if (c->pcapng_fp == NULL) {
                close_stream(fp);
            }
            free_capture(c);
            return NULL;
        }
        c->netmask = PCAP_NETMASK_UNKNOWN;
        return c;
    }
    /* Microseconds whatever the file holds: libpcap scales nanosecond files down. */
    c->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, eb);
    if (c->p == NULL) {
        close_stream(fp);
        prefixed(err, errlen, path, read_failure(c, eb));
        free_capture(c);
        return NULL;
    }
    c->dlt = pcap_datalink(c->p);
    c->netmask = PCAP_NETMASK_UNKNOWN;
    return c;
}

/* pcap_activate's failure in words, with libpcap's detail when it adds something
 * ("socket: Operation not permitted"). */
static void activate_error(char *err, size_t errlen, const char *iface, int status, pcap_t *p)
{
    const char *detail = pcap_geterr(p);
    const char *why;
    switch (status) {
    case PCAP_ERROR:
        why = detail;
        break;
    case PCAP_ERROR_PERM_DENIED:
        why = "You don't have permission to capture on that device";
        break;
    default:
        why = pcap_statustostr(status);
        break;
    }
    if (detail[0] == '\0' || strcmp(detail, why) == 0) {
        snprintf(err, errlen, "%s: %s", iface, why);
    } else {
        snprintf(err, errlen, "%s: %s (%s)", iface, why, detail);
    }
}

struct capture *capture_open_live(const char *iface, const struct capture_live_opts *o,
                                  char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(iface, eb);
    if (p == NULL) {
        prefixed(err, errlen, iface, eb);
        return NULL;
    }
    int snaplen = o->snaplen > 0 ? o->snaplen : CAPTURE_DEFAULT_SNAPLEN;
    /* Immediate mode makes events appear within a millisecond (pcap_set_immediate_mode(3PCAP)), but
     * on Linux it also means TPACKET_V2, a ring of frames each as large as the interface's MTU
     * allows: 32 of them on lo in libpcap's 2 MiB, and drops at 100,000 packets/s where blocks of
     * TPACKET_V3, 100 ms late at most, kept up at tcpreplay's top speed (bench/RESULTS.md). These
     * setters fail only after activation. */
    if (pcap_set_snaplen(p, snaplen) != 0 || pcap_set_promisc(p, o->promisc ? 1 : 0) != 0 ||
        pcap_set_timeout(p, LIVE_TIMEOUT_MS) != 0 || pcap_set_immediate_mode(p, o->immediate ? 1 : 0) != 0 ||
        (o->buffer_kib > 0 && pcap_set_buffer_size(p, o->buffer_kib * 1024) != 0)) {
        prefixed(err, errlen, iface, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    /* Positive results are warnings (e.g. promiscuous mode not supported): capture works. */
    int status = pcap_activate(p);
    if (status < 0) {
        activate_error(err, errlen, iface, status, p);
        pcap_close(p);
        return NULL;
    }
    bpf_u_int32 net;
    bpf_u_int32 netmask;
    if (pcap_lookupnet(iface, &net, &netmask, eb) != 0) {
        netmask = PCAP_NETMASK_UNKNOWN; /* no IPv4 address, or "any" */
    }
    return wrap(p, true, netmask, iface, err, errlen);
}

/* The program for frames of link type dlt, compiled the first time one comes. NULL when
 * there are too many link types to keep one each (such frames fail the filter). */
static struct link_filter *link_filter(struct capture *c, int dlt)
{
    for (size_t i = 0; i < c->n_filters; i++) {
        if (c->filters[i].dlt == dlt) {
            return &c->filters[i];
        }
    }
    if (c->n_filters == MIXED_DLTS_MAX) {
        return NULL;
    }
    struct link_filter *f = &c->filters[c->n_filters++];
    f->dlt = dlt;
    pcap_t *dead = pcap_open_dead(dlt, CAPTURE_DEFAULT_SNAPLEN);
    f->compiled = dead != NULL &&
                  pcap_compile(dead, &f->prog, c->filter_expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (dead != NULL) {
        pcap_close(dead);
    }
    return f;
}

/* The filter must compile for one link type at least of those the file showed before its
 * first packet, so a typo fails at once; where it means nothing (an Ethernet address on a
 * Linux cooked capture), that link type's frames fail it and are counted. */
static bool set_mixed_filter(struct capture *c, const char *expr, char *err, size_t errlen)
{
    forget_filter(c);
    c->filter_expr = strdup(expr);
    if (c->filter_expr == NULL) {
        prefixed(err, errlen, "filter", "out of memory");
        return false;
    }
    for (size_t i = 0; i < c->n_dlts; i++) {
        struct link_filter *f = link_filter(c, c->dlts[i]);
        if (f != NULL && f->compiled) {
            return true;
        }
    }
    /* again on the first link type, for libpcap's words */
    pcap_t *dead = pcap_open_dead(c->dlts[0], CAPTURE_DEFAULT_SNAPLEN);
    struct bpf_program prog;
    if (dead != NULL && pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        prefixed(err, errlen, "filter", pcap_geterr(dead));
    } else {
        prefixed(err, errlen, "filter", dead == NULL ? "out of memory" : "unknown error");
    }
    if (dead != NULL) {
        pcap_close(dead);
    }
    return false;
}

bool capture_set_filter(struct capture *c, const char *expr, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (expr == NULL || expr[0] == '\0') {
        return true;
    }
    if (c->pcapng != NULL) {
        return set_mixed_filter(c, expr, err, errlen);
    }
    if (pcap_compile(c->p, &prog, expr, 1, c->netmask) != 0) {
        prefixed(err, errlen, "filter", pcap_geterr(c->p));
        return false;
    }
    bool ok = pcap_setfilter(c->p, &prog) == 0;
    if (!ok) {
        prefixed(err, errlen, "filter", pcap_geterr(c->p));
    }
    pcap_freecode(&prog);
    /* kept in case the file must be read again by pcapng.c (capture_run) */
    if (ok && !c->is_live) {
        forget_filter(c);
        c->filter_expr = strdup(expr);
        if (c->filter_expr == NULL) {
            prefixed(err, errlen, "filter", "out of memory");
            return false;
        }
    }
    return ok;
}

bool capture_read_in_window(struct capture *c, const struct capture_window *w)
{
    uint8_t header[24];
    if (c->is_live || c->p == NULL || c->gz != NULL || c->pcapng != NULL || c->dsb != NULL ||
        c->path == NULL || c->raw_size < sizeof(header) || c->window != NULL ||
        pread(c->raw_fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
        !window_header_ok(header, c->dlt, &c->win_snaplen, &c->win_nanoseconds)) {
        return false;
    }
    if (c->filter_expr != NULL) {
        if (pcap_compile(c->p, &c->win_prog, c->filter_expr, 1, c->netmask) != 0) {
            return false;
        }
        c->win_filtered = true;
    }
    c->window = w;
    c->win_offset = sizeof(header);
    return true;
}

bool capture_file_position(const struct capture *c, uint64_t *done, uint64_t *size)
{
    if (c->is_live || c->raw_size == 0) {
        return false;
    }
    if (c->window != NULL) {
        *size = c->raw_size;
        *done = c->win_offset;
        return true;
    }
    off_t at = lseek(c->raw_fd, 0, SEEK_CUR); /* read(2) so far: stdio is ahead by a buffer */
    *size = c->raw_size;
    *done = at < 0 ? 0 : (uint64_t)at > c->raw_size ? c->raw_size : (uint64_t)at;
    return at >= 0;
}

bool capture_is_live(const struct capture *c)
{
    return c->is_live;
}

int capture_datalink(const struct capture *c)
{
    return c->dlt;
}

const char *capture_datalink_name(int dlt)
{
    static char fallback[sizeof("DLT_-2147483648")]; /* overwritten by the next call */
    const char *name = pcap_datalink_val_to_name(dlt);
    if (name != NULL) {
        return name;
    }
    snprintf(fallback, sizeof(fallback), "DLT_%d", dlt);
    return fallback;
}

struct run_ctx {
    capture_frame_fn fn;
    void *ctx;
    int dlt;
    uint64_t *delivered;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    const struct run_ctx *r = (const struct run_ctx *)user;
    (*r->delivered)++;
    struct capture_frame frame = {h->ts, r->dlt, cur_make(bytes, h->caplen), h->len};
    r->fn(r->ctx, &frame);
}

/* libpcap reports a file cut mid-packet as an ordinary error: "truncated dump file; tried to
 * read ..." (pcap) or "truncated pcapng dump file; ..." (pcapng). */
static bool is_truncation(const struct capture *c, const char *msg)
{
    return !c->is_live && strstr(msg, "truncated") != NULL;
}

const char *capture_warning(struct capture *c)
{
    static const struct pcapng_counters none;
    const struct pcapng_counters *k = c->pcapng != NULL ? pcapng_counters(c->pcapng) : &none;
    uint64_t bad_secrets = c->dsb != NULL ? pcapng_dsb_walker_counters(c->dsb)->malformed : 0;
    struct {
        uint64_t n;
        const char *what;
    } parts[] = {
        {k->bad_blocks, "malformed blocks"},
        {k->bad_interface, "packets of an interface no valid block described"},
        {k->bad_timestamp, "interfaces with an unusable if_tsresol (their packets too)"},
        {k->interfaces_over, "interfaces past " PCAPNG_INTERFACES_MAX_TEXT},
        {c->frames_unfilterable, "frames of a link type the filter does not compile for"},
        {bad_secrets, "malformed Decryption Secrets Blocks"},
    };
    size_t used = 0;
    c->warning[0] = '\0';
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i].n > 0 && used < sizeof(c->warning)) {
            int w = snprintf(c->warning + used, sizeof(c->warning) - used, "%s%" PRIu64 " %s",
                             used == 0 ? "pcapng: skipped " : ", ", parts[i].n, parts[i].what);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    return c->warning[0] != '\0' ? c->warning : NULL;
}

void capture_set_tick(struct capture *c, void (*tick)(void *ctx), void *ctx)
{
    c->tick = tick;
    c->tick_ctx = ctx;
}

static bool passes_filter(struct capture *c, const struct pcapng_frame *f)
{
    if (c->filter_expr == NULL) {
        return true;
    }
    struct link_filter *lf = link_filter(c, f->dlt);
    if (lf == NULL || !lf->compiled) {
        c->frames_unfilterable++;
        return false;
    }
    struct pcap_pkthdr h;
    h.ts = f->ts;
    h.caplen = (bpf_u_int32)cur_len(f->data);
    h.len = f->wire_len;
    return pcap_offline_filter(&lf->prog, &h, cur_data(f->data)) != 0;
}

/* A pcapng file of several link types, frame by frame; the tick after each batch. */
static enum capture_end run_mixed(struct capture *c, capture_frame_fn fn, void *ctx, char *err,
                                  size_t errlen)
{
    unsigned in_batch = 0;
    for (;;) {
        if (stop_requested) {
            stop_requested = 0;
            return CAPTURE_STOPPED;
        }
        struct pcapng_frame f;
        enum pcapng_status st = pcapng_next(c->pcapng, &f);
        if (st == PCAPNG_FRAME) {
            bool pass = passes_filter(c, &f);
            if (pass && c->to_skip > 0) {
                c->to_skip--; /* libpcap handed it on before it stopped */
            } else if (pass) {
                struct capture_frame frame = {f.ts, f.dlt, f.data, f.wire_len};
                fn(ctx, &frame);
            }
            if (++in_batch < CAPTURE_FILE_BATCH) {
                continue;
            }
        }
        in_batch = 0;
        if (c->tick != NULL) {
            c->tick(c->tick_ctx);
        }
        switch (st) {
        case PCAPNG_FRAME:
            continue;
        case PCAPNG_END:
            return CAPTURE_EOF;
        case PCAPNG_TRUNCATED:
            snprintf(err, errlen, "%s", pcapng_stop_reason(c->pcapng));
            return CAPTURE_TRUNCATED;
        case PCAPNG_ERROR:
        default:
            if (gzip_stream_error(c->gz) != NULL) {
                snprintf(err, errlen, "%s", gzip_stream_error(c->gz));
                return CAPTURE_TRUNCATED;
            }
            snprintf(err, errlen, "error reading dump file: %s", strerror(errno));
            return CAPTURE_ERROR;
        }
    }
}

/* An interface of another link type came after the first packet, past what look_at_pcapng()
 * read: a file opened by name is read again from its start by pcapng.c, which passes over the
 * frames libpcap already handed on. Standard input cannot be read again, and -w has taken
 * its link type from this file: both keep libpcap's error. */
static enum capture_end read_again_mixed(struct capture *c, capture_frame_fn fn, void *ctx,
                                         char *err, size_t errlen)
{
    char why[256];
    off_t start;
    if (c->path == NULL || c->dumping) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, " (hsdump reads such a file by name%s)",
                 c->dumping ? ", without -w" : ", not from standard input");
        return CAPTURE_ERROR;
    }
    pcap_close(c->p); /* and the streams under it */
    c->p = NULL;
    gzip_stream_free(c->gz);
    c->gz = NULL;
    free_buffers(c);
    FILE *fp = open_stream(c, c->path, &start, why, sizeof(why));
    if (fp == NULL) {
        snprintf(err, errlen, "reading it again: %s", why);
        return CAPTURE_ERROR;
    }
    if (c->dsb != NULL) {
        pcapng_dsb_walker_restart(c->dsb); /* its secrets blocks were taken the first time */
        if (!watch_for_secrets(c, &fp, why, sizeof(why))) {
            close_stream(fp);
            snprintf(err, errlen, "reading it again: %s", why);
            return CAPTURE_ERROR;
        }
    }
    c->pcapng = pcapng_open(fp);
    if (c->pcapng == NULL) {
        close_stream(fp);
        snprintf(err, errlen, "out of memory");
        return CAPTURE_ERROR;
    }
    c->pcapng_fp = fp;
    c->to_skip = c->delivered;
    return run_mixed(c, fn, ctx, err, errlen);
}

/* The file's records through the window, chunk by chunk (window.h), the tick after each, as
 * capture_run() does with libpcap. False when libpcap must read the rest: its stream is then
 * at that record. */
static bool run_in_window(struct capture *c, capture_frame_fn fn, void *ctx,
                          enum capture_end *end)
{
    const struct capture_window *w = c->window;
    size_t carried = 0;
    const uint8_t *carry_from = NULL;
    for (unsigned k = 0;; k = (k + 1) % WINDOW_CHUNKS) {
        if (stop_requested) {
            stop_requested = 0;
            *end = CAPTURE_STOPPED;
            return true;
        }
        w->reuse(w->ctx, k); /* every frame it held was dissected */
        uint8_t *chunk = w->chunk[k];
        if (carried > 0) {
            memmove(chunk, carry_from, carried); /* the start of a record the last read cut */
        }
        ssize_t n = pread(c->raw_fd, chunk + carried, WINDOW_READ, (off_t)c->win_offset);
        if (n < 0) {
            *end = CAPTURE_ERROR;
            return true;
        }
        c->win_offset += (uint64_t)n;
        size_t len = carried + (size_t)n;
        struct cursor in_chunk = cur_make(chunk, len);
        struct pcap_pkthdr h;
        const uint8_t *data;
        bool cut = false;
        if (w->frames != NULL && !c->win_filtered) {
            struct window_frames f = {k, in_chunk, c->win_snaplen, c->win_nanoseconds, c->dlt,
                                      in_chunk, 0, false};
            w->frames(w->ctx, &f); /* every whole record of the chunk at once */
            in_chunk = f.rest;
            c->delivered += f.count;
            cut = f.cut;
        } else {
            while (!stop_requested && window_record(&in_chunk, c->win_snaplen,
                                                    c->win_nanoseconds, &h, &data, &cut)) {
                if (c->win_filtered && pcap_offline_filter(&c->win_prog, &h, data) == 0) {
                    continue;
                }
                c->delivered++;
                struct capture_frame frame = {h.ts, c->dlt, cur_make(data, h.caplen), h.len};
                fn(ctx, &frame);
            }
        }
        carried = cur_len(in_chunk);
        carry_from = cur_data(in_chunk);
        if (c->tick != NULL) {
            c->tick(c->tick_ctx);
        }
        if (stop_requested) {
            continue; /* the top of the loop says so */
        }
        if (n == 0 && carried == 0) {
            *end = CAPTURE_EOF;
            return true;
        }
        if (!cut || n == 0) {
            /* past the snapshot length, or cut by the end of the file: libpcap's reading */
            uint64_t record = c->win_offset - carried;
            leave_window(c);
            if (fseeko(pcap_file(c->p), (off_t)record, SEEK_SET) != 0) {
                *end = CAPTURE_ERROR;
                return true;
            }
            return false;
        }
    }
}

/* pcap_dispatch in batches rather than one pcap_loop, so the tick runs between them. A
 * pcap_breakloop() without stop_requested came from capture_wake(): tick, then go on. */
enum capture_end capture_run(struct capture *c, capture_frame_fn fn, void *ctx, char *err,
                             size_t errlen)
{
    if (c->pcapng != NULL) {
        return run_mixed(c, fn, ctx, err, errlen);
    }
    enum capture_end window_end;
    if (c->window != NULL && run_in_window(c, fn, ctx, &window_end)) {
        if (window_end == CAPTURE_ERROR) {
            snprintf(err, errlen, "%s", strerror(errno));
        }
        return window_end;
    }
    struct run_ctx r = {fn, ctx, c->dlt, &c->delivered};
    int batch = c->is_live ? -1 : CAPTURE_FILE_BATCH;
    enum capture_end end;
    /* Published before the flag is read: a signal after the check breaks the loop instead. */
    atomic_store(&running, c->p);
    for (;;) {
        if (stop_requested) {
            end = CAPTURE_STOPPED;
            break;
        }
        int status = pcap_dispatch(c->p, batch, on_packet, (u_char *)&r);
        if (c->tick != NULL) {
            c->tick(c->tick_ctx);
        }
        if (status == PCAP_ERROR_BREAK || status > 0 || (status == 0 && c->is_live)) {
            continue; /* the flag, checked first, tells a stop from a wake */
        }
        if (status == 0) {
            end = CAPTURE_EOF;
            break;
        }
        const char *msg = pcap_geterr(c->p);
        snprintf(err, errlen, "%s",
                 read_failure(c, msg[0] != '\0' ? msg : "unknown libpcap error"));
        /* a decompressor's failure is a file cut short: the frames before it count */
        end = is_truncation(c, msg) || gzip_stream_error(c->gz) != NULL ? CAPTURE_TRUNCATED
                                                                        : CAPTURE_ERROR;
        break;
    }
    atomic_store(&running, NULL);
    if (end == CAPTURE_STOPPED) {
        stop_requested = 0;
    }
    if (end == CAPTURE_ERROR && strstr(err, LIBPCAP_MIXED_LINK_TYPES) != NULL) {
        return read_again_mixed(c, fn, ctx, err, errlen);
    }
    return end;
}

void capture_break(void)
{
    stop_requested = 1;
    pcap_t *p = atomic_load(&running);
    if (p != NULL) {
        pcap_breakloop(p);
    }
}

void capture_wake(void)
{
    pcap_t *p = atomic_load(&running);
    if (p != NULL) {
        pcap_breakloop(p);
    }
}

bool capture_stats(const struct capture *c, struct capture_counters *k)
{
    struct pcap_stat ps;
    if (!c->is_live || pcap_stats(c->p, &ps) != 0) {
        return false;
    }
    k->received = ps.ps_recv;
    k->dropped = ps.ps_drop;
    k->if_dropped = ps.ps_ifdrop;
    return true;
}

void capture_close(struct capture *c)
{
    if (c != NULL) {
        free_capture(c);
    }
}

struct pcap *capture_open_raw_dummy(void)
{
    return pcap_open_dead(DLT_RAW, DUMMY_SNAPLEN);
}

void capture_close_raw_dummy(struct pcap *p)
{
    if (p != NULL) {
        pcap_close(p);
    }
}

struct capture_dump {
    pcap_dumper_t *d;          /* NULL once -W's limit is reached or a rotation failed */
    pcap_t *handle;            /* the input the files take their header from */
    struct capture_rotation rot;
    const char *pattern;       /* -w as given: a strftime(3) pattern with -G */
    char name[PATH_MAX + 1];   /* the file being written */
    time_t period_start;       /* tcpdump's Gflag_time: wall clock of the last -G rotation */
    unsigned periods;          /* tcpdump's Gflag_count: -G rotations so far */
    unsigned file_number;      /* tcpdump's Cflag_count: the number after the name with -C */
    int number_width;          /* tcpdump's WflagChars: digits of -W minus one */
    enum capture_dump_state state;
    char failure[PATH_MAX + 128];
};

/* tcpdump.c's MakeFilename(): the pattern through strftime(3) in local time with -G, then
 * the file number, zero-padded to width, unless both are 0. False when it does not fit. */
static bool dump_name(struct capture_dump *d, unsigned number, int width)
{
    char base[PATH_MAX + 1];
    if (d->rot.seconds != 0) {
        struct tm tm;
        /* The pattern is the user's -w argument, a strftime(3) format by design (tcpdump -G). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        size_t n = localtime_r(&d->period_start, &tm) == NULL
                       ? 0 : strftime(base, sizeof(base), d->pattern, &tm);
#pragma GCC diagnostic pop
        if (n == 0) {
            return false;
        }
    } else if ((size_t)snprintf(base, sizeof(base), "%s", d->pattern) >= sizeof(base)) {
        return false;
    }
    int n = number == 0 && width == 0
                ? snprintf(d->name, sizeof(d->name), "%s", base)
                : snprintf(d->name, sizeof(d->name), "%s%0*u", base, width, number);
    return n > 0 && (size_t)n < sizeof(d->name);
}

/* Opens the file for (number, width); on failure the dump stops with its reason. */
static bool dump_start_file(struct capture_dump *d, unsigned number, int width)
{
    if (!dump_name(d, number, width)) {
        snprintf(d->failure, sizeof(d->failure), "%s: the file name is empty or too long",
                 d->pattern);
        d->state = CAPTURE_DUMP_FAILED;
        return false;
    }
    d->d = pcap_dump_open(d->handle, d->name);
    if (d->d == NULL) {
        prefixed(d->failure, sizeof(d->failure), d->name, pcap_geterr(d->handle));
        d->state = CAPTURE_DUMP_FAILED;
        return false;
    }
    return true;
}

/* Closes the file being written; a failed write is kept as the reason. */
static void dump_end_file(struct capture_dump *d)
{
    if (d->d == NULL) {
        return;
    }
    if (pcap_dump_flush(d->d) != 0 || ferror(pcap_dump_file(d->d))) {
        snprintf(d->failure, sizeof(d->failure), "%s: %s", d->name,
                 errno != 0 ? strerror(errno) : "write error");
        d->state = CAPTURE_DUMP_FAILED;
    }
    pcap_dump_close(d->d);
    d->d = NULL;
}

/* Before each frame, tcpdump.c's dump_packet_and_trunc(): -G first (the wall clock, read
 * per frame as tcpdump does; -W alone ends the run), then -C (the file's size so far). */
static void dump_rotate(struct capture_dump *d)
{
    if (d->rot.seconds != 0) {
        time_t now = time(NULL);
        if (now - d->period_start >= (time_t)d->rot.seconds) {
            d->period_start = now;
            d->periods++;
            dump_end_file(d);
            if (d->rot.bytes == 0 && d->rot.files != 0 && d->periods >= d->rot.files) {
                if (d->state == CAPTURE_DUMP_WRITING) {
                    d->state = CAPTURE_DUMP_LIMIT;
                }
                return;
            }
            d->file_number = 0;
            if (d->state != CAPTURE_DUMP_WRITING ||
                !dump_start_file(d, 0, d->rot.bytes != 0 ? d->number_width : 0)) {
                return;
            }
        }
    }
    if (d->rot.bytes != 0 && pcap_dump_ftell64(d->d) > (int64_t)d->rot.bytes) {
        dump_end_file(d);
        d->file_number++;
        if (d->rot.files != 0 && d->file_number >= d->rot.files) {
            d->file_number = 0;
        }
        if (d->state == CAPTURE_DUMP_WRITING) {
            dump_start_file(d, d->file_number, d->number_width);
        }
    }
}

struct capture_dump *capture_dump_open(struct capture *const *inputs, size_t n,
                                       const char *path, const struct capture_rotation *rot,
                                       char *err, size_t errlen)
{
    if (n == 0) {
        snprintf(err, errlen, "%s: no input to take the link type from", path);
        return NULL;
    }
    size_t widest = 0;
    for (size_t i = 0; i < n; i++) {
        if (inputs[i]->n_dlts > 1) {
            char first[64];
            snprintf(first, sizeof(first), "%s", capture_datalink_name(inputs[i]->dlts[0]));
            snprintf(err, errlen, "%s: one pcap file holds one link type, the inputs have %s "
                     "and %s", path, first, capture_datalink_name(inputs[i]->dlts[1]));
            return NULL;
        }
    }
    for (size_t i = 1; i < n; i++) {
        if (inputs[i]->dlt != inputs[0]->dlt) {
            char first[64];
            snprintf(first, sizeof(first), "%s", capture_datalink_name(inputs[0]->dlt));
            snprintf(err, errlen, "%s: one pcap file holds one link type, the inputs have %s "
                     "and %s", path, first, capture_datalink_name(inputs[i]->dlt));
            return NULL;
        }
        if (pcap_snapshot(inputs[i]->p) > pcap_snapshot(inputs[widest]->p)) {
            widest = i;
        }
    }
    struct capture_dump *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        prefixed(err, errlen, path, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        inputs[i]->dumping = true;
    }
    /* The link type, snapshot length and timestamp precision come from the handle. */
    d->handle = inputs[widest]->p;
    d->pattern = path;
    if (rot != NULL) {
        d->rot = *rot;
    }
    d->period_start = time(NULL);
    for (unsigned x = d->rot.files > 0 ? d->rot.files - 1 : 0; x > 0; x /= 10) {
        d->number_width++; /* tcpdump.c's getWflagChars() */
    }
    if (!dump_start_file(d, 0, d->rot.bytes != 0 ? d->number_width : 0)) {
        snprintf(err, errlen, "%s", d->failure);
        free(d);
        return NULL;
    }
    if (d->rot.flush_each && pcap_dump_flush(d->d) != 0) {
        d->state = CAPTURE_DUMP_FAILED; /* reported by capture_dump_close() */
    }
    return d;
}

enum capture_dump_state capture_dump_state(const struct capture_dump *d)
{
    return d->state;
}

void capture_dump_write(struct capture_dump *d, struct timeval ts, uint32_t wire_len,
                        struct cursor data)
{
    if (d->rot.seconds != 0 || d->rot.bytes != 0) {
        dump_rotate(d);
    }
    if (d->d == NULL) {
        return;
    }
    struct pcap_pkthdr h;
    h.ts = ts;
    h.caplen = (bpf_u_int32)cur_len(data);
    h.len = wire_len;
    pcap_dump((u_char *)d->d, &h, cur_data(data));
    if (d->rot.flush_each) {
        (void)pcap_dump_flush(d->d); /* -U; a failed write shows in ferror() at the end */
    }
}

bool capture_dump_flush(struct capture_dump *d)
{
    if (d->d == NULL) {
        return d->state != CAPTURE_DUMP_FAILED;
    }
    return pcap_dump_flush(d->d) == 0 && !ferror(pcap_dump_file(d->d)) &&
           d->state != CAPTURE_DUMP_FAILED;
}

bool capture_dump_close(struct capture_dump *d, char *err, size_t errlen)
{
    if (d == NULL) {
        return true;
    }
    errno = 0;
    dump_end_file(d);
    bool ok = d->state != CAPTURE_DUMP_FAILED;
    if (!ok) {
        snprintf(err, errlen, "%s", d->failure);
    }
    free(d);
    return ok;
}
