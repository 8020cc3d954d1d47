/* The worker's loop: records from the reader in order, the events they cause forwarded with
 * the ordinal of the record that caused them. */
#include "parallel/worker.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/fields.h"
#include "capture/capture.h"
#include "capture/packet.h"
#include "capture/pcap_writer.h"
#include "capture/secrets.h"
#include "capture/window.h"
#include "checks/cert_check.h"
#include "conn.h"
#include "messages.h"
#include "output/output.h"
#include "parallel/records.h"
#include "parallel/ring.h"
#include "stats.h"
#include "tcp/paths.h"
#include "udp/udp.h"

/* A DONE record at least every this many records, so the merger never waits long on us. */
#define DONE_EVERY 64

struct worker {
    struct worker_args *a;
    uint64_t ordinal;   /* of the record being processed */
    uint64_t done_sent; /* the last DONE's ordinal */
    bool sent;          /* records went to the merger since the reader was last woken */
    bool in_round;      /* paths_begin() done for the current input */
    uint32_t probes;    /* interception guesses handed to the merger */
    uint64_t announced; /* the highest connection id the merger has heard of */
    bool closes_only;   /* -S and nothing that reads every event: only close lines go */
    bool lines;         /* out_renders_alone(): lines go rendered, not their fields */
};

/* cert_check's hook has no context: the one worker of this process */
static struct worker *this_worker;

/* A live reader waits in libpcap for the next packet (capture_wake): a signal makes it merge
 * what we sent now, not when the next packet comes. */
static void wake_reader(struct worker *w)
{
    if (w->a->wake_reader && w->sent) {
        kill(w->a->parent, SIGUSR2);
        w->sent = false;
    }
}

static void gone_if_orphaned(const struct worker *w)
{
    if (getppid() != w->a->parent) {
        _exit(EXIT_FAILURE); /* the reader is gone: nobody reads us */
    }
}

/* Room for a record to the merger, waiting while it is full. */
static void *reserve_out(struct worker *w, size_t len)
{
    void *p;
    w->sent = true;
    while ((p = ring_reserve(w->a->out, len)) == NULL) {
        ring_publish(w->a->out);
        ring_release_flush(w->a->in);
        ring_wait_room(w->a->out, 50);
        gone_if_orphaned(w);
    }
    return p;
}

static void send_mark(struct worker *w, uint32_t type)
{
    struct rec_mark m = {w->ordinal, 0, 0};
    memcpy(reserve_out(w, sizeof(m)), &m, sizeof(m));
    ring_commit(w->a->out, type, sizeof(m));
}

static void send_done(struct worker *w)
{
    memcpy(w->a->published, w->a->env->stats, sizeof(struct stats));
    if (w->done_sent != w->ordinal) {
        send_mark(w, REC_DONE);
        w->done_sent = w->ordinal;
    }
    ring_publish(w->a->out);
}

/* needle's first place in the n bytes at line, or NULL: found near the start, where memmem's
 * setup for a needle of 20 bytes would cost more than the search (4% of a worker's time in
 * text mode on bench capture A). */
static const char *find_needle(const char *line, size_t n, const char *needle, size_t len)
{
    const char *end = line + n;
    for (const char *p = line; (size_t)(end - p) >= len; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) - len + 1);
        if (p == NULL) {
            return NULL;
        }
        if (memcmp(p, needle, len) == 0) {
            return p;
        }
    }
    return NULL;
}

/* The event's line rendered here, the merger writing only the run's id into it; false when
 * the id cannot be found in it (then its fields go). */
static bool forward_line(struct worker *w, const struct event_prefix *p, const struct fields *f,
                         bool is_close)
{
    static char line[OUT_LINE_MAX];
    struct event_prefix q = *p;
    q.conn_id = LINE_ID_SENTINEL; /* as the connection's head has it (conn_env.head_id) */
    struct output *out = w->a->env->out;
    size_t n = out_render(out, &q, f, line, sizeof(line));
    bool json = out->style.format == FORMAT_JSON;
    /* the prefix comes first, and no escaped wire value can spell "conn": before a number */
    static const char text_needle[] = "c" LINE_ID_SENTINEL_TEXT;
    static const char json_needle[] = "\"conn\":" LINE_ID_SENTINEL_TEXT;
    const char *needle = json ? json_needle : text_needle;
    size_t needle_len = json ? sizeof(json_needle) - 1 : sizeof(text_needle) - 1;
    const char *at = find_needle(line, n, needle, needle_len);
    if (at == NULL) {
        return false;
    }
    struct rec_line h;
    memset(&h, 0, sizeof(h));
    h.ordinal = w->ordinal;
    h.sub = close_order_key;
    h.local_id = p->conn_id;
    h.id_at = (uint32_t)(at - line + needle_len - LINE_ID_DIGITS);
    h.len = (uint32_t)n;
    h.close = is_close;
    unsigned char *dst = reserve_out(w, sizeof(h) + n);
    memcpy(dst, &h, sizeof(h));
    memcpy(dst + sizeof(h), line, n);
    ring_commit(w->a->out, REC_LINE, sizeof(h) + n);
    return true;
}

/* 1 + the slot of the interception guess's placeholder (cert_check.h), or 0 when none. */
static uint32_t probe_slot(const struct worker *w, const struct fields *f, bool is_close)
{
    static const char key[] = "interception";
    /* cert_check_add_trust() puts it on close lines and on a client chain's x509 line */
    if (w->probes == 0 || (!is_close && strcmp(f->event, "x509") != 0)) {
        return 0;
    }
    for (size_t i = 0; i < f->n; i++) {
        if (f->f[i].type == FIELD_UINT && f->f[i].key_len == sizeof(key) - 1 &&
            memcmp(f->f[i].key, key, sizeof(key) - 1) == 0) {
            return (uint32_t)i + 1;
        }
    }
    return 0;
}

/* output.forward: the event as the merger rebuilds it (records.h), or its rendered line. */
static void forward_event(void *ctx, const struct event_prefix *p, const struct fields *f)
{
    struct worker *w = ctx;
    /* Ids are given at a connection's first line, printed or not: the merger hears of it. */
    bool first = p->conn_id > w->announced;
    w->announced = first ? p->conn_id : w->announced;
    bool is_close = strcmp(f->event, "close") == 0;
    bool id_only = w->closes_only && !is_close;
    if (id_only && !first) {
        return; /* out_event() would drop it */
    }
    uint32_t probe = id_only ? 0 : probe_slot(w, f, is_close);
    if (w->lines && !id_only && probe == 0 && forward_line(w, p, f, is_close)) {
        return;
    }
    size_t slots = id_only ? 0 : f->n * sizeof(f->f[0]);
    size_t used = id_only ? 0 : f->used;
    struct rec_event e;
    memset(&e, 0, sizeof(e));
    e.ordinal = w->ordinal;
    e.sub = close_order_key;
    e.local_id = p->conn_id;
    e.sec = p->ts.tv_sec;
    e.usec = p->ts.tv_usec;
    e.client = *p->client;
    e.server = *p->server;
    e.dir = (int32_t)p->d;
    e.overflow = f->overflow;
    e.malformed = f->malformed;
    e.list_open = f->list_open;
    e.level = f->level;
    e.id_only = id_only;
    e.event = f->event;
    if (f->name != NULL) {
        e.has_name = 1;
        snprintf(e.name, sizeof(e.name), "%s", f->name);
    }
    e.probe_slot = probe;
    e.n = (uint32_t)(slots / sizeof(f->f[0]));
    e.used = (uint32_t)used;
    size_t len = sizeof(e) + slots + used;
    unsigned char *dst = reserve_out(w, len);
    memcpy(dst, &e, sizeof(e));
    memcpy(dst + sizeof(e), f->f, slots);
    memcpy(dst + sizeof(e) + slots, f->buf, used);
    ring_commit(w->a->out, REC_EVENT, len);
}

/* writer_forward_fn: a frame -w keeps, written by the merger in its place. */
static void forward_frame(void *ctx, struct timeval ts, uint32_t wire_len, struct cursor data)
{
    struct worker *w = ctx;
    size_t caplen = cur_len(data);
    struct rec_packet h = {w->ordinal, ts.tv_sec, ts.tv_usec, 0, wire_len, (uint32_t)caplen, 0,
                           close_order_key};
    unsigned char *dst = reserve_out(w, sizeof(h) + caplen);
    memcpy(dst, &h, sizeof(h));
    cur_copy(data, dst + sizeof(h));
    ring_commit(w->a->out, REC_FRAME, sizeof(h) + caplen);
}

/* cert_interception_hook: the guess is the merger's, in capture order. */
static uint32_t forward_probe(const char *sni, size_t sni_len, uint64_t issuer, bool trusted)
{
    struct worker *w = this_worker;
    struct rec_probe p;
    memset(&p, 0, sizeof(p));
    p.ordinal = w->ordinal;
    w->probes = w->probes % CERT_PROBE_NUMBER_MAX + 1;
    p.number = w->probes;
    p.issuer = issuer;
    p.trusted = trusted;
    p.sni_len = (uint8_t)(sni_len < sizeof(p.sni) ? sni_len : sizeof(p.sni));
    memcpy(p.sni, sni, p.sni_len);
    memcpy(reserve_out(w, sizeof(p)), &p, sizeof(p));
    ring_commit(w->a->out, REC_PROBE, sizeof(p));
    return (uint32_t)p.number;
}

/* conn_env.on_established: -c is counted by the merger, in capture order. */
static void forward_established(void *ctx)
{
    send_mark(ctx, REC_ESTABLISHED);
}

static void begin_round(struct worker *w)
{
    char err[512];
    struct packet_ctx *pc = w->a->pc;
    pc->paths = paths_begin(&w->a->ro, w->a->env, pc->v6, err, sizeof(err));
    if (pc->paths == NULL) {
        errorf("worker %u: %s", w->a->index, err);
        _exit(EXIT_FAILURE);
    }
    pc->udp = udp_new(w->a->env);
    w->in_round = true;
}

/* As run_inputs() ends an input in one process (main.c). */
static void end_round(struct worker *w)
{
    struct packet_ctx *pc = w->a->pc;
    if (!w->in_round) {
        begin_round(w); /* nothing came: still one round, as one process has */
    }
    if (pc->writer != NULL) {
        paths_settle(pc->paths);
        writer_settle(pc->writer, paths_kind_of_ctx, pc->paths);
    }
    paths_end(pc->paths);
    pc->paths = NULL;
    udp_end(pc->udp);
    pc->udp = NULL;
    if (pc->writer != NULL) {
        writer_drop_pending(pc->writer);
    }
    w->in_round = false;
}

/* A new second of packet time, or the run's first frame: as packet_frame() runs the clock. */
static void tick(struct worker *w, struct timeval ts)
{
    if (!w->in_round) {
        begin_round(w);
    }
    out_packet_time(w->a->env->out, ts); /* the run's first frame, for -ttttt's start= */
    packet_clock(w->a->pc, ts);
}

static void dissect(struct worker *w, const struct capture_frame *frame)
{
    if (!w->in_round) {
        begin_round(w);
    }
    if (w->a->poll_secrets) {
        secrets_poll(frame->ts);
    }
    packet_frame(w->a->pc, frame);
}

static void on_packet(struct worker *w, uint32_t type, const unsigned char *rec, size_t len)
{
    struct rec_packet h;
    memcpy(&h, rec, sizeof(h));
    const uint8_t *bytes = rec + sizeof(h);
    if (type == REC_PACKET_AT) {
        uint64_t at;
        if (len < sizeof(h) + sizeof(at)) {
            return; /* cannot happen: the reader wrote it */
        }
        memcpy(&at, rec + sizeof(h), sizeof(at));
        bytes = (const uint8_t *)(uintptr_t)at; /* in the window mapped before the fork */
    } else if (len < sizeof(h) + h.caplen) {
        return;
    }
    struct capture_frame frame;
    frame.ts.tv_sec = (time_t)h.sec;
    frame.ts.tv_usec = (suseconds_t)h.usec;
    frame.dlt = h.dlt;
    frame.wire_len = h.wire_len;
    frame.data = cur_make(bytes, h.caplen);
    dissect(w, &frame);
}

/* The reader wrote a chunk's frames from the other core: a frame's first bytes are asked for
 * this many entries before it is dissected, so that they are in this core's cache by then
 * (they cost a tenth of a worker's time on bench capture A when they were not). */
#define PREFETCH_AHEAD 4

/* The record at offset: its header and the frame's first 112 bytes (the link, IP and TCP
 * headers and a TLS record header). */
static void prefetch_record(struct cursor records, uint32_t offset)
{
    struct cursor at = records;
    if (cur_skip(&at, offset)) {
        __builtin_prefetch(cur_data(at));
        if (cur_skip(&at, 64)) {
            __builtin_prefetch(cur_data(at));
        }
    }
}

/* A chunk's frames for this worker (records.h, rec_chunk): the clock's ticks and its own
 * frames, at the places the reader found them. */
static void on_chunk(struct worker *w, const unsigned char *rec, size_t len)
{
    struct rec_chunk r;
    memcpy(&r, rec, sizeof(r));
    if (len < sizeof(r) + (size_t)r.n * sizeof(struct chunk_entry)) {
        return; /* cannot happen: the reader wrote it */
    }
    struct cursor records = cur_make((const uint8_t *)(uintptr_t)r.at, (size_t)r.len);
    for (uint32_t i = 0; i < r.n; i++) {
        struct chunk_entry e;
        if (i + PREFETCH_AHEAD < r.n) {
            memcpy(&e, rec + sizeof(r) + (size_t)(i + PREFETCH_AHEAD) * sizeof(e), sizeof(e));
            prefetch_record(records, e.offset);
        }
        memcpy(&e, rec + sizeof(r) + (size_t)i * sizeof(e), sizeof(e));
        struct cursor at = records;
        struct pcap_pkthdr h;
        const uint8_t *data;
        bool cut;
        if (!cur_skip(&at, e.offset) ||
            !window_record(&at, r.snaplen, r.nanoseconds, &h, &data, &cut)) {
            continue; /* cannot happen: the reader read this record */
        }
        w->ordinal = r.first + (e.delta & CHUNK_ENTRY_DELTA);
        age_clock = w->ordinal;
        if ((e.delta & CHUNK_ENTRY_TICK) != 0) {
            tick(w, h.ts);
        }
        if ((e.delta & CHUNK_ENTRY_OWN) != 0) {
            struct capture_frame frame = {h.ts, r.dlt, cur_make(data, h.caplen), h.len};
            dissect(w, &frame);
        }
    }
    w->ordinal = r.ordinal;
    age_clock = r.ordinal;
    send_done(w);
}

static void on_mark(struct worker *w, uint32_t type, const struct rec_mark *m)
{
    struct timeval ts = {(time_t)m->sec, (suseconds_t)m->usec};
    switch (type) {
    case REC_TICK:
        tick(w, ts);
        break;
    case REC_INPUT_END:
        w->a->env->now = ts; /* the input's last frame, which this worker may not have had */
        end_round(w);
        break;
    case REC_STOP:
        send_done(w);
        send_mark(w, REC_BYE);
        ring_publish(w->a->out);
        _exit(EXIT_SUCCESS); /* nothing of the parent's (stdio buffers, atexit) is ours */
    default:
        break; /* REC_SYNC: progress only */
    }
}

_Noreturn void worker_main(struct worker_args *a)
{
    /* The terminal's ^C reaches the whole process group: the reader decides when we stop;
     * if it dies, so do we (PR_SET_PDEATHSIG, prctl(2)), checked once more for the race. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGALRM, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct worker w = {.a = a};
    this_worker = &w;
    gone_if_orphaned(&w);
    cert_check_defer_interception(forward_probe);
    struct output *out = a->env->out;
    w.closes_only = out->style.summary && out->eco == NULL && out->ladder == NULL &&
                    out->html == NULL;
    w.lines = out_renders_alone(out);
    a->env->head_id = w.lines ? LINE_ID_SENTINEL : 0;
    out->forward = forward_event;
    a->env->out->forward_ctx = &w;
    a->env->on_established = forward_established;
    a->env->hook_ctx = &w;
    a->env->report = NULL;
    a->pc->clock_outside = true;
    if (a->write_frames &&
        (a->pc->writer = writer_new_forwarding(a->env->stats, forward_frame, &w)) == NULL) {
        errorf("worker %u: out of memory", a->index);
        _exit(EXIT_FAILURE);
    }
    unsigned since_done = 0;
    for (;;) {
        uint32_t type;
        size_t len;
        const unsigned char *rec = ring_peek(a->in, &type, &len);
        if (rec == NULL) {
            send_done(&w);
            wake_reader(&w);
            since_done = 0;
            ring_wait_data(a->in, 50);
            if (ring_empty(a->in)) {
                gone_if_orphaned(&w); /* nothing for 50 ms: is the reader still there? */
            }
            continue;
        }
        uint64_t ordinal;
        memcpy(&ordinal, rec, sizeof(ordinal)); /* every record starts with its ordinal */
        w.ordinal = ordinal;
        age_clock = ordinal;
        if (type == REC_PACKET || type == REC_PACKET_AT) {
            on_packet(&w, type, rec, len);
        } else if (type == REC_CHUNK) {
            on_chunk(&w, rec, len);
        } else {
            struct rec_mark m;
            memcpy(&m, rec, sizeof(m));
            on_mark(&w, type, &m);
        }
        ring_release(a->in);
        if (++since_done >= DONE_EVERY) {
            send_done(&w);
            since_done = 0;
        }
    }
}
