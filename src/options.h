/* Command-line options, parsed once into a const struct options. */
#ifndef HSDUMP_SRC_OPTIONS_H
#define HSDUMP_SRC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OPT_MAX_FILES 256
#define OPT_MAX_KEYLOGS 16

/* -T: text and json print every event; ecs and zeek one record per connection (at its
 * close, see src/output/ecosystem.h). */
enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_ECS, FORMAT_ZEEK };

/* tcpdump's -t family: how the time at the start of each line is written. */
enum time_mode {
    TIME_ABSOLUTE,    /* default: UTC ISO 8601 with microseconds */
    TIME_NONE,        /* -t */
    TIME_EPOCH,       /* -tt: seconds since 1970 */
    TIME_DELTA,       /* -ttt: since the previous line */
    TIME_SINCE_FIRST, /* -tttt: since the first packet */
};

struct options {
    const char *files[OPT_MAX_FILES]; /* -r, in order; "-" is standard input */
    size_t n_files;
    const char *iface; /* -i */
    char *filter;      /* trailing arguments joined by spaces (tcpdump style), or NULL */
    int snaplen;       /* -s */
    bool promisc;      /* cleared by -p */
    int buffer_kib;    /* -B: kernel capture buffer, 0 for libpcap's default */
    bool immediate;    /* --immediate-mode */
    bool verify_checksums;
    bool print_stats;
    enum out_format format; /* -T */
    bool summary;           /* -S: only the close line of each connection */
    int verbosity;          /* -v count */
    enum time_mode time;    /* -t count */
    bool canonical;         /* --canonical: one sorted line of stable fields per connection */
    const char *user;       /* -Z: drop privileges to this user after opening */
    uint64_t count;         /* -c: stop after this many completed handshakes (0: never) */
    const char *write_file; /* -w */
    unsigned duration;      /* -G: stop after this many seconds (0: never) */
    bool list_interfaces;   /* -D */
    int max_conns;          /* --max-conns */
    unsigned idle_timeout;  /* --idle-timeout, seconds of packet time (0: never) */
    size_t max_handshake_memory; /* --max-handshake-memory, bytes */
    const char *keylogs[OPT_MAX_KEYLOGS]; /* --keylog, in order */
    size_t n_keylogs;
    const char *x509_log; /* --x509-log: Zeek's x509.log beside -T zeek's ssl.log */
    bool report;       /* --report: per-server and per-fingerprint tables after the run */
    size_t report_top; /* --report-top: rows per table (REPORT_TOP_DEFAULT) */
};

/* Parses argv into o. Returns -1 to go on, or the exit status to leave with (0 after --help
 * or --version, 2 after a usage error, already reported on stderr). */
int opt_parse(int argc, char **argv, struct options *o);
void opt_free(struct options *o);
void opt_usage(FILE *fp);
/* The long options, for the test that checks each one is documented. */
size_t opt_long_names(const char **names, size_t cap);

#endif
