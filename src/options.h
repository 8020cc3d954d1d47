/* Command-line options, parsed once into a const struct options. */
#ifndef HSDUMP_SRC_OPTIONS_H
#define HSDUMP_SRC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OPT_MAX_FILES 256
#define OPT_MAX_KEYLOGS 16
#define OPT_MAX_FIELD_ARGS 64

/* -T: text and json print every event; fields and csv the -e fields; ecs and zeek one record
 * per connection (at its close, see src/output/ecosystem.h). */
enum out_format {
    FORMAT_TEXT,
    FORMAT_JSON,
    FORMAT_FIELDS, /* -T fields: the -e fields tab-separated (tshark -T fields) */
    FORMAT_CSV,    /* -T csv: the -e fields as RFC 4180 CSV, a header line first */
    FORMAT_ECS,
    FORMAT_ZEEK,
    FORMAT_LADDER, /* -T ladder: each connection drawn as a message sequence diagram */
};

/* tcpdump's -t family: how the time at the start of each line is written. */
enum time_mode {
    TIME_ABSOLUTE,    /* default: UTC ISO 8601 with microseconds */
    TIME_NONE,        /* -t */
    TIME_EPOCH,       /* -tt: seconds since 1970 */
    TIME_DELTA,       /* -ttt: since the previous line */
    TIME_DATE,        /* -tttt: local date and time, as tcpdump -tttt */
    TIME_SINCE_FIRST, /* -ttttt: since the first packet */
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
    bool ascii;             /* --ascii: -T ladder draws with ASCII, whatever the locale */
    const char *user;       /* -Z: drop privileges to this user after opening */
    uint64_t count;         /* -c: stop after this many completed handshakes (0: never) */
    unsigned jobs;          /* -j: worker processes (1: dissect in this one) */
    const char *write_file; /* -w */
    unsigned duration;      /* --duration: stop after this many seconds (0: never) */
    /* tcpdump's buffering and -w rotation options (src/options.c, tcpdump_option()) */
    bool line_buffered;      /* -l: each event line reaches stdout at once */
    bool packet_buffered;    /* -U: each frame of -w reaches the file at once */
    unsigned rotate_seconds; /* -G: a new -w file every this many seconds (0: never) */
    uint64_t rotate_bytes;   /* -C: a new -w file once it is larger than this (0: never) */
    unsigned rotate_files;   /* -W: at most this many files (0: no limit) */
    char *list_text;         /* -V: the list file's text, which files[] points into */
    bool no_progress;        /* --no-progress: no progress line on a terminal */
    bool list_interfaces;   /* -D */
    int max_conns;          /* --max-conns */
    unsigned idle_timeout;  /* --idle-timeout, seconds of packet time (0: never) */
    size_t max_handshake_memory; /* --max-handshake-memory, bytes */
    const char *keylogs[OPT_MAX_KEYLOGS]; /* --keylog, in order */
    size_t n_keylogs;
    const char *html;     /* --html: the HTML report's file */
    const char *x509_log; /* --x509-log: Zeek's x509.log beside -T zeek's ssl.log */
    bool report;       /* --report: per-server and per-fingerprint tables after the run */
    size_t report_top; /* --report-top: rows per table (REPORT_TOP_DEFAULT) */
    const char *ca_file;     /* --ca-file: trust anchors (PEM) instead of the system's */
    const char *ca_path;     /* --ca-path: a hashed directory of them (c_rehash) */
    unsigned expiry_warning; /* --expiry-warning: days before notAfter that say expiring */
    /* -e, -Y, --conn-filter (src/output/select.h) */
    const char *field_args[OPT_MAX_FIELD_ARGS]; /* -e, in order: names or comma lists */
    size_t n_field_args;
    const char *display_filter; /* -Y */
    const char *conn_filter;    /* --conn-filter */
    size_t conn_hold_bytes;     /* --conn-filter-hold: per connection (HOLD_CONN_BYTES) */
};

/* Parses argv into o. Returns -1 to go on, or the exit status to leave with (0 after --help
 * or --version, 2 after a usage error, already reported on stderr). */
int opt_parse(int argc, char **argv, struct options *o);
void opt_free(struct options *o);
void opt_usage(FILE *fp);
/* The long options, for the test that checks each one is documented. */
size_t opt_long_names(const char **names, size_t cap);

#endif
