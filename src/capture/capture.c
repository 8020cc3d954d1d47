/* libpcap's one home (STYLE 2.5): files, standard input, live interfaces, BPF filters. Error
 * texts pass libpcap's words through (PLATFORM-NOTES 2), prefixed with what failed. */
#include "capture/capture.h"

#include <errno.h>
#include <pcap.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Without immediate mode, packets come in blocks (TPACKET_V3 on Linux) at most this late. */
#define LIVE_TIMEOUT_MS 100
#define DUMMY_SNAPLEN 65535  /* the largest IPv4 packet libnids will get */

struct capture {
    pcap_t *p;
    bool is_live;
    int dlt;
    bpf_u_int32 netmask; /* for "ip broadcast" in filters; unknown for files */
    void (*tick)(void *ctx);
    void *tick_ctx;
    char *read_buffer; /* a file's stdio buffer (owned; freed after pcap_close) */
};

/* A signal handler gets no context, so capture_break() finds the running handle here; one
 * capture runs at a time (libnids is process-global too, PLATFORM-NOTES 4). A lock-free atomic
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

struct capture *capture_open_file(const char *path, char *err, size_t errlen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    /* Opened here, not by libpcap, to give the stream a larger buffer before its first read:
     * stdio's default is the file's block size, one read(2) per 4 KiB of capture. */
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (fp == NULL) {
        prefixed(err, errlen, path, strerror(errno));
        return NULL;
    }
    /* glibc ignores the size unless it is given the buffer too */
    char *buffer = malloc(CAPTURE_READ_BUFFER);
    if (buffer != NULL && setvbuf(fp, buffer, _IOFBF, CAPTURE_READ_BUFFER) != 0) {
        free(buffer);
        buffer = NULL;
    }
    /* Microseconds whatever the file holds: libpcap scales nanosecond files down. */
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, eb);
    if (p == NULL) {
        if (fp != stdin) {
            fclose(fp);
        }
        free(buffer);
        prefixed(err, errlen, path, eb);
        return NULL;
    }
    struct capture *c = wrap(p, false, PCAP_NETMASK_UNKNOWN, path, err, errlen);
    if (c == NULL) {
        free(buffer); /* wrap closed p, and with it fp */
        return NULL;
    }
    c->read_buffer = buffer;
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
    /* Immediate mode makes events appear within a millisecond (PLATFORM-NOTES 9), but on Linux
     * it also means TPACKET_V2, a ring of frames each as large as the interface's MTU allows:
     * 32 of them on lo in libpcap's 2 MiB, and drops at 100,000 packets/s where blocks of
     * TPACKET_V3, 100 ms late at most, kept up at tcpreplay's top speed (bench/RESULTS.md).
     * These setters fail only after activation. */
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

bool capture_set_filter(struct capture *c, const char *expr, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (expr == NULL || expr[0] == '\0') {
        return true;
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
    return ok;
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
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    const struct run_ctx *r = (const struct run_ctx *)user;
    struct capture_frame frame = {h->ts, r->dlt, cur_make(bytes, h->caplen), h->len};
    r->fn(r->ctx, &frame);
}

/* libpcap reports a file cut mid-packet as an ordinary error: "truncated dump file; tried to
 * read ..." (pcap) or "truncated pcapng dump file; ..." (pcapng). */
static bool is_truncation(const struct capture *c, const char *msg)
{
    return !c->is_live && strstr(msg, "truncated") != NULL;
}

void capture_set_tick(struct capture *c, void (*tick)(void *ctx), void *ctx)
{
    c->tick = tick;
    c->tick_ctx = ctx;
}

/* pcap_dispatch in batches rather than one pcap_loop, so the tick runs between them. A
 * pcap_breakloop() without stop_requested came from capture_wake(): tick, then go on. */
enum capture_end capture_run(struct capture *c, capture_frame_fn fn, void *ctx, char *err,
                             size_t errlen)
{
    struct run_ctx r = {fn, ctx, c->dlt};
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
        snprintf(err, errlen, "%s", msg[0] != '\0' ? msg : "unknown libpcap error");
        end = is_truncation(c, msg) ? CAPTURE_TRUNCATED : CAPTURE_ERROR;
        break;
    }
    atomic_store(&running, NULL);
    if (end == CAPTURE_STOPPED) {
        stop_requested = 0;
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
    if (c == NULL) {
        return;
    }
    pcap_close(c->p); /* closes a file's stream before its buffer goes */
    free(c->read_buffer);
    free(c);
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
    pcap_dumper_t *d;
};

struct capture_dump *capture_dump_open(struct capture *const *inputs, size_t n,
                                       const char *path, char *err, size_t errlen)
{
    if (n == 0) {
        snprintf(err, errlen, "%s: no input to take the link type from", path);
        return NULL;
    }
    size_t widest = 0;
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
    /* The link type, snapshot length and timestamp precision come from the handle. */
    d->d = pcap_dump_open(inputs[widest]->p, path);
    if (d->d == NULL) {
        prefixed(err, errlen, path, pcap_geterr(inputs[widest]->p));
        free(d);
        return NULL;
    }
    return d;
}

void capture_dump_write(struct capture_dump *d, struct timeval ts, uint32_t wire_len,
                        struct cursor data)
{
    struct pcap_pkthdr h;
    h.ts = ts;
    h.caplen = (bpf_u_int32)cur_len(data);
    h.len = wire_len;
    pcap_dump((u_char *)d->d, &h, cur_data(data));
}

bool capture_dump_flush(struct capture_dump *d)
{
    return pcap_dump_flush(d->d) == 0 && !ferror(pcap_dump_file(d->d));
}

bool capture_dump_close(struct capture_dump *d, char *err, size_t errlen)
{
    if (d == NULL) {
        return true;
    }
    errno = 0;
    bool ok = capture_dump_flush(d);
    if (!ok) {
        snprintf(err, errlen, "%s", errno != 0 ? strerror(errno) : "write error");
    }
    pcap_dump_close(d->d);
    free(d);
    return ok;
}
