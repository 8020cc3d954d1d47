/* hsdump: parse options, open every input, run each through reassembly, pick the exit status. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "conn.h"
#include "ipv6map.h"
#include "messages.h"
#include "options.h"
#include "output.h"
#include "packet.h"
#include "reassembly.h"
#include "stats.h"

struct inputs {
    struct capture *caps[OPT_MAX_FILES];
    const char *names[OPT_MAX_FILES];
    size_t n;
};

static void on_stop_signal(int sig)
{
    (void)sig;
    capture_break();
}

static void close_inputs(struct inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        capture_close(in->caps[i]);
    }
    in->n = 0;
}

/* Opens every input and sets its filter before anything is printed, so a typo in the last
 * file name fails at once. */
static bool open_inputs(const struct options *o, struct inputs *in)
{
    char err[512];
    bool stdin_taken = false;
    if (o->iface != NULL) {
        struct capture_live_opts live = {o->snaplen, o->promisc, 0};
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

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed pipe (| head) shows up as a failed write, which ends output quietly. */
    signal(SIGPIPE, SIG_IGN);
}

/* Runs each input through its own reassembly round; returns the exit status. */
static int run_inputs(const struct options *o, struct inputs *in, struct conn_env *env,
                      struct packet_ctx *pc)
{
    char err[512];
    struct reassembly_opts ro = {REASSEMBLY_DEFAULT_STREAMS, o->verify_checksums};
    for (size_t i = 0; i < in->n; i++) {
        if (!reassembly_begin(&ro, env, pc->v6, err, sizeof(err))) {
            errorf("%s", err);
            return EXIT_USAGE;
        }
        enum capture_end end = capture_run(in->caps[i], packet_frame, pc, err, sizeof(err));
        reassembly_end();
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

int main(int argc, char **argv)
{
    struct options opt;
    int status = opt_parse(argc, argv, &opt);
    if (status >= 0) {
        return status;
    }
    struct inputs in = {.n = 0};
    if (!open_inputs(&opt, &in)) {
        close_inputs(&in);
        opt_free(&opt);
        return EXIT_USAGE;
    }
    bool live = opt.iface != NULL;
    install_signals();
    if (live) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        int dlt = capture_datalink(in.caps[0]);
        notef("listening on %s, link-type %s, snapshot length %d bytes", opt.iface,
              capture_datalink_name(dlt), opt.snaplen);
    }
    struct output out;
    struct stats stats;
    memset(&stats, 0, sizeof(stats));
    struct output_style style = {opt.format, opt.time, opt.verbosity, opt.summary, opt.canonical};
    out_init(&out, stdout, live, &style);
    struct conn_env env = {.out = &out, .stats = &stats};
    struct packet_ctx *pc = calloc(1, sizeof(*pc));
    if (pc == NULL || (pc->v6 = v6map_new()) == NULL) {
        errorf("out of memory");
        free(pc);
        close_inputs(&in);
        opt_free(&opt);
        return EXIT_USAGE;
    }
    pc->stats = &stats;
    pc->out = &out;
    status = run_inputs(&opt, &in, &env, pc);
    if (fflush(stdout) != 0) {
        out.failed = true;
    }
    if (opt.print_stats || live) {
        stats_report(&stats, stderr);
    } else {
        stats_report_skipped(&stats, stderr);
    }
    v6map_free(pc->v6);
    free(pc);
    close_inputs(&in);
    opt_free(&opt);
    return status;
}
