/* hsdump: parse options, open every input, run each through reassembly, pick the exit status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "capture/secrets.h"
#include "checks/cert_check.h"
#include "base/budget.h"
#include "capture/capture.h"
#include "conn.h"
#include "diff/diff.h"
#include "tcp/ipv6map.h"
#include "messages.h"
#include "tcp/paths.h"
#include "options.h"
#include "output/ecosystem.h"
#include "output/filter.h"
#include "output/html.h"
#include "output/ladder.h"
#include "output/output.h"
#include "output/select.h"
#include "capture/packet.h"
#include "capture/pcap_writer.h"
#include "capture/privileges.h"
#include "parallel/pool.h"
#include "tcp/reassembly.h"
#include "report/report.h"
#include "progress.h"
#include "stats.h"
#include "diff/summary.h"
#include "udp/udp.h"

struct inputs {
    struct capture *caps[OPT_MAX_FILES];
    const char *names[OPT_MAX_FILES];
    size_t n;
};

/* SIGUSR1 asks for the counters; they are printed between batches of packets, never from the
 * handler (C11 7.14.1.1 lets a handler set a volatile sig_atomic_t, not call stdio). */
static volatile sig_atomic_t stats_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    capture_break();
}

static void on_stats_signal(int sig)
{
    (void)sig;
    stats_requested = 1;
    capture_wake();
}

/* What the capture loop's callbacks share during one run. */
struct run {
    const struct options *o;
    bool live;
    struct inputs *in;
    struct packet_ctx *pc;
    struct output *out;
    struct stats *stats;
    struct writer *writer; /* -w, or NULL */
    uint64_t handshakes;   /* completed, for -c */
    bool have_first;       /* --duration on files: the first packet's time */
    struct timeval first;
    bool stopping; /* stopped from inside: the rest of libpcap's batch is ignored */
    bool poll_secrets; /* live, with key logs to follow: looked at as packets come */
    struct progress *progress; /* reading files with stderr on a terminal, or NULL */
    size_t current;            /* the input being read */
    uint64_t bytes_before;     /* the sizes of the inputs read before it */
    uint64_t bytes_total;      /* all inputs' sizes, 0 when one is not a file */
    struct pool *pool;         /* -j N: the workers dissect, this process reads and writes */
    bool have_last;            /* the last frame taken: its time is the end of its input */
    struct timeval last;
};

/* The one progress line, erased before any message (messages_set_before). */
static struct progress progress;

static void erase_progress(void)
{
    progress_clear(&progress);
}

/* Files read with stderr on a terminal show a progress line, unless the event lines go to
 * that terminal too (they show progress themselves) or --no-progress. */
static void start_progress(struct run *r)
{
    if (r->live || r->o->no_progress || !progress_wanted(STDERR_FILENO) ||
        isatty(STDOUT_FILENO)) {
        return;
    }
    for (size_t i = 0; i < r->in->n; i++) {
        uint64_t done, size;
        if (!capture_file_position(r->in->caps[i], &done, &size)) {
            r->bytes_total = 0;
            break;
        }
        r->bytes_total += size;
    }
    progress_start(&progress, stderr, STDERR_FILENO);
    messages_set_before(erase_progress);
    r->progress = &progress;
}

static void show_progress(struct run *r)
{
    if (r->pool != NULL) {
        pool_sum_stats(r->pool, r->stats);
    }
    struct progress_counts c = {.frames = r->stats->frames, .handshakes = r->handshakes,
                                .bytes_total = r->bytes_total};
    c.connections = r->stats->tls_connections + r->stats->quic_connections +
                    r->stats->dtls_connections;
    uint64_t done, size;
    if (r->bytes_total > 0 && capture_file_position(r->in->caps[r->current], &done, &size)) {
        c.bytes_done = r->bytes_before + done;
    }
    progress_update(r->progress, &c);
}

static void close_inputs(struct inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        capture_close(in->caps[i]);
    }
    in->n = 0;
}

/* -j on an interface, without -B: the reader shares the cores with its workers and may wait
 * a few milliseconds for one, while the kernel goes on filling the buffer: libpcap's 2 MiB
 * holds about 7 ms at 300,000 packets/s; this holds a tenth of a second (bench/RESULTS.md:
 * tcpreplay --topspeed on lo with -j 2 dropped packets in 3 of 8 runs with 2 MiB, none in 8
 * with 32 MiB). */
#define JOBS_LIVE_BUFFER_KIB (32 * 1024)

/* Opens every input and sets its filter before anything is printed, so a typo in the last
 * file name fails at once. */
static bool open_inputs(const struct options *o, struct inputs *in)
{
    char err[512];
    bool stdin_taken = false;
    if (o->iface != NULL) {
        struct capture_live_opts live = {o->snaplen, o->promisc, o->buffer_kib, o->immediate};
        if (live.buffer_kib == 0 && o->jobs > 1) {
            live.buffer_kib = JOBS_LIVE_BUFFER_KIB;
        }
        in->names[0] = o->iface;
        in->caps[0] = capture_open_live(o->iface, &live, err, sizeof(err));
        if (in->caps[0] == NULL) {
            errorf("%s", err);
            return false;
        }
        in->n = 1;
    }
    /* Checked before anything is opened, so no input is half-read when we refuse. */
    for (size_t i = 0; i < o->n_files; i++) {
        if (strcmp(o->files[i], "-") == 0) {
            if (stdin_taken) {
                errorf("-r -: standard input can be read only once");
                return false;
            }
            stdin_taken = true;
        }
    }
    for (size_t i = 0; i < o->n_files; i++) {
        in->names[in->n] = o->files[i];
        in->caps[in->n] = capture_open_file(o->files[i], err, sizeof(err));
        if (in->caps[in->n] == NULL) {
            errorf("%s", err);
            return false;
        }
        in->n++;
    }
    for (size_t i = 0; i < in->n; i++) {
        if (!capture_set_filter(in->caps[i], o->filter, err, sizeof(err))) {
            errorf("%s", err);
            return false;
        }
    }
    return true;
}

/* The -w file, opened like the inputs before anything is printed. */
static bool open_writer(const struct options *o, struct inputs *in, struct stats *stats,
                        struct writer **writer)
{
    char err[512];
    *writer = NULL;
    if (o->write_file == NULL) {
        return true;
    }
    struct capture_rotation rot = {o->rotate_seconds, o->rotate_bytes, o->rotate_files,
                                   o->packet_buffered};
    struct capture_dump *dump = capture_dump_open(in->caps, in->n, o->write_file, &rot, err,
                                                  sizeof(err));
    if (dump == NULL) {
        errorf("%s", err);
        return false;
    }
    *writer = writer_new(dump, stats);
    if (*writer == NULL) {
        errorf("out of memory");
        return false;
    }
    return true;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART: a signal during a write to stdout must not turn into a failed write. A
     * capture blocked in poll() is woken by pcap_breakloop() all the same. */
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL); /* --duration on a live capture */
    sa.sa_handler = on_stats_signal;
    sigaction(SIGUSR1, &sa, NULL);
    /* A closed pipe (| head) shows up as a failed write, which ends output quietly. */
    signal(SIGPIPE, SIG_IGN);
}

static void stop(struct run *r)
{
    r->stopping = true;
    capture_break();
}

/* The secrets' counters, shown when secrets were given or found. */
static void take_secrets_counters(struct stats *s)
{
    struct secrets_counters k;
    secrets_get_counters(&k);
    s->secrets_known = k.any;
    s->secrets_loaded = k.loaded;
    s->secrets_randoms = k.randoms;
    s->secrets_bad_lines = k.bad_lines;
    s->secrets_dropped = k.dropped;
    s->secrets_blocks_tls = k.blocks_tls;
    s->secrets_blocks_other = k.blocks_other;
}

static void report_stats(struct run *r)
{
    struct capture_counters k;
    if (r->pool != NULL) {
        pool_sum_stats(r->pool, r->stats);
    }
    if (r->live && capture_stats(r->in->caps[0], &k)) {
        r->stats->kernel_known = true;
        r->stats->kernel_received = k.received;
        r->stats->kernel_dropped = k.dropped;
        r->stats->kernel_if_dropped = k.if_dropped;
    }
    take_secrets_counters(r->stats);
    /* Event lines written so far come before the counters on a shared terminal. */
    out_flush(r->out);
    progress_clear(&progress);
    stats_report(r->stats, stderr);
}

/* A closed pipe. glibc's fwrite() on a line-buffered stream returns the full count even when
 * the write under it failed (EPIPE), so out.failed alone misses it live: ask the stream. */
static bool output_broken(struct run *r)
{
    if (!r->out->failed && ferror(r->out->fp)) {
        r->out->failed = true;
    }
    return r->out->failed;
}

/* --duration on files: packet time, from the first packet of the first file. */
static bool past_duration(struct run *r, struct timeval ts)
{
    if (r->o->duration == 0 || r->live) {
        return false;
    }
    if (!r->have_first) {
        r->first = ts;
        r->have_first = true;
        return false;
    }
    time_t end = r->first.tv_sec + (time_t)r->o->duration;
    return ts.tv_sec > end || (ts.tv_sec == end && ts.tv_usec > r->first.tv_usec);
}

/* -G with -W, as tcpdump: the last file is written, the run ends with status 0. */
static bool rotation_done(struct run *r)
{
    if (r->writer == NULL || !writer_limit_reached(r->writer)) {
        return false;
    }
    notef("maximum file limit reached: %u (-W)", r->o->rotate_files);
    return true;
}

/* capture_frame_fn: the stop conditions, then the packet path. */
static void on_frame(void *ctx, const struct capture_frame *frame)
{
    struct run *r = ctx;
    if (r->stopping) {
        return;
    }
    if (output_broken(r) || past_duration(r, frame->ts) || rotation_done(r)) {
        stop(r);
        return;
    }
    /* A live packet's time is wall time: no clock read per packet. secrets_poll() returns at
     * once until 100 ms have passed. */
    if (r->pool != NULL) {
        pool_frame(r->pool, frame); /* the workers poll the key logs */
        return;
    }
    r->have_last = true;
    r->last = frame->ts;
    if (r->poll_secrets) {
        secrets_poll(frame->ts);
    }
    packet_frame(r->pc, frame);
}

/* conn_env.on_established: -c counts completed handshakes. */
static void on_handshake(void *ctx)
{
    struct run *r = ctx;
    r->handshakes++;
    if (r->o->count != 0 && r->handshakes >= r->o->count) {
        stop(r);
    }
}

/* Between batches of packets: what signals asked for, and the -w file kept current. */
static void on_tick(void *ctx)
{
    struct run *r = ctx;
    if (secrets_following()) {
        struct timeval now;
        gettimeofday(&now, NULL);
        secrets_poll(now);
    }
    if (r->pool != NULL) {
        pool_poll(r->pool);
        if (!r->stopping && output_broken(r)) {
            stop(r); /* on_frame's check, for frames handed out a window chunk at a time */
        }
    }
    if (stats_requested) {
        stats_requested = 0;
        report_stats(r);
    }
    if (r->live && r->writer != NULL) {
        writer_flush(r->writer);
    }
    if (r->live && !r->out->failed) {
        out_flush(r->out);
    }
    if (output_broken(r) && !r->stopping) {
        stop(r);
    }
    if (r->progress != NULL) {
        show_progress(r);
    }
}

/* End of one input in this process: open connections get their close lines. */
static void end_input(struct run *r)
{
    if (r->writer != NULL) {
        paths_settle(r->pc->paths);
        writer_settle(r->writer, paths_kind_of_ctx, r->pc->paths);
    }
    paths_end(r->pc->paths);
    r->pc->paths = NULL;
    udp_end(r->pc->udp);
    r->pc->udp = NULL;
    if (r->writer != NULL) {
        writer_drop_pending(r->writer);
    }
}

/* -j N: the workers are forked once everything they inherit is ready, before any packet. */
static bool start_workers(struct run *r, struct conn_env *env)
{
    if (r->o->jobs <= 1) {
        return true;
    }
    char err[512];
    struct pool_config c = {.workers = r->o->jobs, .env = env, .pc = r->pc,
                            .ro = {r->o->max_conns, r->o->idle_timeout,
                                   r->o->verify_checksums},
                            .writer = r->writer, .poll_secrets = r->poll_secrets,
                            .live = r->live,
                            .whole_chunks = r->o->duration == 0 && r->o->rotate_files == 0,
                            .count = r->o->count, .handshakes = &r->handshakes};
    r->pool = pool_start(&c, err, sizeof(err));
    if (r->pool == NULL) {
        errorf("%s", err);
        return false;
    }
    /* Classic pcap files are read into the workers' window: a frame travels as its address. */
    for (size_t i = 0; i < r->in->n; i++) {
        (void)capture_read_in_window(r->in->caps[i], pool_window(r->pool));
    }
    return true;
}

/* Runs each input through its own reassembly round; returns the exit status. */
static int run_inputs(struct run *r, struct conn_env *env)
{
    char err[512];
    struct reassembly_opts ro = {r->o->max_conns, r->o->idle_timeout, r->o->verify_checksums};
    struct inputs *in = r->in;
    for (size_t i = 0; i < in->n; i++) {
        if (r->pool == NULL) {
            r->pc->paths = paths_begin(&ro, env, r->pc->v6, err, sizeof(err));
            if (r->pc->paths == NULL) {
                errorf("%s", err);
                return EXIT_USAGE;
            }
            r->pc->udp = udp_new(env);
        }
        capture_set_tick(in->caps[i], on_tick, r);
        r->current = i;
        enum capture_end end = capture_run(in->caps[i], on_frame, r, err, sizeof(err));
        uint64_t done, size;
        if (r->progress != NULL && capture_file_position(in->caps[i], &done, &size)) {
            r->bytes_before += size;
        }
        /* Also after -c, --duration, -W or a signal: open connections get their close lines. */
        /* at the time of the input's last frame, whatever path it took */
        if (r->pool != NULL && pool_last_time(r->pool, &r->last)) {
            r->have_last = true; /* frames may have gone a window chunk at a time */
        }
        if (r->have_last) {
            env->now = r->last;
        }
        if (r->pool != NULL) {
            pool_input_end(r->pool, env->now);
        } else {
            end_input(r);
        }
        const char *skipped = capture_warning(in->caps[i]);
        if (skipped != NULL) {
            warnf("%s: %s", in->names[i], skipped);
        }
        switch (end) {
        case CAPTURE_TRUNCATED:
            warnf("%s: %s", in->names[i], err);
            break;
        case CAPTURE_ERROR:
            errorf("%s: %s", in->names[i], err);
            return EXIT_USAGE;
        case CAPTURE_STOPPED:
            return EXIT_SUCCESS;
        case CAPTURE_EOF:
        default:
            break;
        }
        if (env->out->failed) {
            break;
        }
    }
    return EXIT_SUCCESS;
}

/* --canonical: every file's connections as sorted lines of stable fields (summary.c), with
 * the key logs read whole first: decrypted handshakes are summarised as plaintext ones. */
static int canonical(const struct options *o)
{
    if (o->iface != NULL) {
        errorf("--canonical: reads capture files (-r), not a live interface");
        return EXIT_USAGE;
    }
    if (!secrets_open_keylogs(o->keylogs, o->n_keylogs, false)) {
        secrets_close();
        return EXIT_USAGE;
    }
    int status = summary_canonical_run((const char *const *)o->files, o->n_files, o->filter,
                                       SUMMARY_KEY_SNI, stdout);
    secrets_close();
    return status;
}

/* -T ecs and -T zeek gather each connection's events (output/ecosystem.h); --x509-log's file
 * is opened before any packet is read, like -w's. */
static bool open_ecosystem(const struct options *o, struct output *out, FILE **x509_log)
{
    if (o->format != FORMAT_ECS && o->format != FORMAT_ZEEK) {
        return true;
    }
    if (o->x509_log != NULL && (*x509_log = fopen(o->x509_log, "w")) == NULL) {
        errorf("--x509-log %s: %s", o->x509_log, strerror(errno));
        return false;
    }
    if ((out->eco = eco_new(o->format, *x509_log)) == NULL) {
        errorf("out of memory");
        return false;
    }
    return true;
}

/* Zeek's #close lines; false when x509.log could not be written. */
static bool close_ecosystem(const struct options *o, struct output *out, FILE *x509_log)
{
    if (out->eco == NULL) {
        return true;
    }
    bool ok = eco_end(out->eco, out);
    if (x509_log != NULL && (fclose(x509_log) != 0 || !ok)) {
        errorf("--x509-log %s: %s", o->x509_log, "write failed");
        return false;
    }
    return true;
}

static int list_interfaces(void)
{
    char err[512];
    if (!capture_list_interfaces(stdout, err, sizeof(err))) {
        errorf("%s", err);
        return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

/* --html: its file made before any packet is read (and before privileges are given up, like
 * -w's); -Y picks the connections it reports, as for -T ladder (output/html.h). */
static bool open_html(const struct options *o, struct html **html)
{
    char err[512];
    struct filter *display = NULL;
    if (o->html == NULL) {
        return true;
    }
    if (o->display_filter != NULL &&
        (display = filter_compile_option("-Y", o->display_filter)) == NULL) {
        return false;
    }
    if ((*html = html_open(o->html, display, err, sizeof(err))) == NULL) {
        errorf("%s", err);
        return false;
    }
    return true;
}

/* Everything that can fail on the command line's account happens here, before any output:
 * inputs, filter, -w file, --html file, -Z. */
static bool prepare(const struct options *o, struct inputs *in, struct stats *stats,
                    struct writer **writer, struct html **html)
{
    char err[512];
    /* Key logs first: opened before privileges are dropped, like the capture. Followed as
     * they grow when the capture is live or comes through a pipe (standard input), where
     * clients may still be writing them; a capture file is over, its key logs too. */
    bool follow = o->iface != NULL;
    for (size_t i = 0; i < o->n_files; i++) {
        follow = follow || strcmp(o->files[i], "-") == 0;
    }
    if (!secrets_open_keylogs(o->keylogs, o->n_keylogs, follow) || !open_inputs(o, in) ||
        !open_writer(o, in, stats, writer) || !open_html(o, html)) {
        return false;
    }
    /* After the capture and the -w file are open, before a single packet is read. */
    /* Started as root for a live capture, hsdump gives root up by default, as tcpdump does;
     * -Z root keeps it. */
    const char *user = o->user;
    if (user == NULL && o->iface != NULL && geteuid() == 0) {
        user = PRIV_DEFAULT_USER;
    }
    if (user != NULL && strcmp(user, "root") != 0 && !priv_drop(user, err, sizeof(err))) {
        errorf("%s", err);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "diff") == 0) {
        return diff_main(argc - 1, argv + 1);
    }
    struct options opt;
    int status = opt_parse(argc, argv, &opt);
    if (status >= 0) {
        opt_free(&opt); /* what -F and -V read before a later error */
        return status;
    }
    if (opt.list_interfaces) {
        opt_free(&opt);
        return list_interfaces();
    }
    char ca_err[512];
    if (!cert_check_configure(opt.ca_file, opt.ca_path, opt.expiry_warning, ca_err,
                              sizeof(ca_err))) {
        errorf("%s", ca_err);
        opt_free(&opt);
        return EXIT_USAGE;
    }
    if (opt.canonical) {
        status = canonical(&opt);
        opt_free(&opt);
        return status;
    }
    struct out_select *select = NULL;
    struct filter *ladder_filter = NULL;
    if (opt.format == FORMAT_LADDER) {
        /* -Y picks the connections drawn (output/ladder.h) */
        if (opt.display_filter != NULL &&
            (ladder_filter = filter_compile_option("-Y", opt.display_filter)) == NULL) {
            opt_free(&opt);
            return EXIT_USAGE;
        }
    } else if (out_select_wanted(&opt) && (select = out_select_new(&opt)) == NULL) {
        opt_free(&opt);
        return EXIT_USAGE;
    }
    install_signals();
    struct inputs in = {.n = 0};
    struct stats stats;
    memset(&stats, 0, sizeof(stats));
    struct writer *writer = NULL;
    char err[512];
    struct html *html = NULL;
    if (!prepare(&opt, &in, &stats, &writer, &html)) {
        out_select_free(select);
        filter_free(ladder_filter);
        writer_close(writer, err, sizeof(err));
        close_inputs(&in);
        secrets_close();
        opt_free(&opt);
        return EXIT_USAGE;
    }
    bool live = opt.iface != NULL;
    /* Live lines must not wait for a buffer to fill (stdio buffers a pipe fully, C11 7.21.3): with
     * --immediate-mode each line is written at once; otherwise stdout is flushed after each
     * block of packets (on_tick), at most 100 ms late like the packets themselves, and a
     * busy link costs one write per block instead of one per line. */
    /* -l (tcpdump -l), and -U without -w (tcpdump -U: "packet-buffered" printed output), ask
     * for the same in every mode, also for files and a pipe on standard input. */
    bool line_buffered = (live && opt.immediate) || opt.line_buffered ||
                         (opt.packet_buffered && opt.write_file == NULL);
    bool gather = !line_buffered && !isatty(STDOUT_FILENO);
    if (line_buffered) {
        setvbuf(stdout, NULL, _IOLBF, 0);
    } else if (gather) {
        /* A file or pipe gets lines in 64 KiB writes, not stdio's 4 KiB ones (glibc takes
         * the size only with the buffer). */
        static char out_buffer[OUTPUT_WRITE_BUFFER];
        setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
    }
    if (live) {
        int dlt = capture_datalink(in.caps[0]);
        notef("listening on %s, link-type %s, snapshot length %d bytes", opt.iface,
              capture_datalink_name(dlt), opt.snaplen);
        if (opt.duration > 0) {
            alarm(opt.duration);
        }
    }
    struct output out;
    struct output_style style = {opt.format, opt.time, opt.verbosity, opt.summary};
    out_init(&out, stdout, line_buffered, &style);
    FILE *x509_log = NULL;
    if (gather) {
        (void)out_gather_lines(&out); /* lines in 64 KiB blocks; else one write each */
    }
    if (select != NULL) {
        out_select_attach(&out, select);
    }
    out.html = html;
    if (opt.format == FORMAT_LADDER) {
        struct ladder_style ls = ladder_style_for_stdout(opt.ascii);
        out.ladder = ladder_new(&ls, ladder_filter);
        if (out.ladder == NULL) {
            filter_free(ladder_filter);
        }
    }
    struct packet_ctx *pc = calloc(1, sizeof(*pc));
    bool ecosystem_ok = pc != NULL && (opt.format != FORMAT_LADDER || out.ladder != NULL) &&
                        open_ecosystem(&opt, &out, &x509_log);
    if (!ecosystem_ok || (pc->v6 = v6map_new()) == NULL) {
        if (ecosystem_ok || pc == NULL) {
            errorf("out of memory");
        }
        free(pc);
        if (x509_log != NULL) {
            fclose(x509_log);
        }
        eco_free(out.eco);
        ladder_free(out.ladder);
        html_free(html);
        out_free(&out);
        writer_close(writer, err, sizeof(err));
        close_inputs(&in);
        secrets_close();
        opt_free(&opt);
        return EXIT_USAGE;
    }
    pc->stats = &stats;
    pc->out = &out;
    pc->writer = writer;
    struct run run = {.o = &opt, .live = live, .in = &in, .pc = pc, .out = &out,
                      .stats = &stats, .writer = writer,
                      .poll_secrets = live && secrets_following()};
    struct budget budget;
    budget_init(&budget, opt.max_handshake_memory, &stats.budget_dropped);
    struct conn_env env = {.out = &out, .stats = &stats, .budget = &budget,
                           .on_established = on_handshake, .hook_ctx = &run};
    if (opt.report && (env.report = report_new(opt.report_top)) == NULL) {
        errorf("--report: out of memory for %zu rows", opt.report_top);
        status = EXIT_USAGE;
    } else {
        start_progress(&run);
        status = start_workers(&run, &env) ? run_inputs(&run, &env) : EXIT_USAGE;
        if (run.pool != NULL && !pool_finish(run.pool)) {
            status = EXIT_USAGE; /* a worker died: said on stderr */
        }
        run.pool = NULL;
        progress_clear(&progress);
        messages_set_before(NULL);
    }
    alarm(0);
    if (!close_ecosystem(&opt, &out, x509_log)) {
        status = EXIT_USAGE;
    }
    if (html != NULL && !html_finish(html)) {
        errorf("--html %s: write failed", opt.html);
        status = EXIT_USAGE;
    }
    out_flush(&out);
    out_select_finish(&out);
    /* The report is output, not a diagnostic: on stdout after the last event line, before
     * the counters on stderr. A closed pipe ended the events: it ends the report too. */
    if (env.report != NULL && !output_broken(&run) &&
        !report_print(env.report, stdout, opt.format)) {
        out.failed = true;
    }
    report_free(env.report);
    if (opt.print_stats || live) {
        report_stats(&run);
    } else {
        stats_report_skipped(&stats, stderr);
    }
    if (!writer_close(writer, err, sizeof(err))) {
        errorf("%s", err);
        status = EXIT_USAGE;
    }
    v6map_free(pc->v6);
    free(pc);
    eco_free(out.eco);
    ladder_free(out.ladder);
    html_free(html);
    out_free(&out);
    close_inputs(&in);
    secrets_close();
    cert_check_free();
    opt_free(&opt);
    return status;
}
