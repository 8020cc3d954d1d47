/* One getopt_long table; usage() to stdout on request, misuse to stderr with exit 2. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "messages.h"
#include "base/budget.h"
#include "base/names.h"
#include "report/report.h"
#include "tcp/reassembly.h"

enum {
    OPT_VERSION = 256,
    OPT_VERIFY_CHECKSUMS,
    OPT_IMMEDIATE_MODE,
    OPT_STATS,
    OPT_LIST_NAMES,
    OPT_CANONICAL,
    OPT_TIME_FORMAT,
    OPT_MAX_CONNS,
    OPT_IDLE_TIMEOUT,
    OPT_MAX_HANDSHAKE_MEMORY,
    OPT_KEYLOG,
    OPT_REPORT,
    OPT_REPORT_TOP,
    OPT_X509_LOG,
};

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"snapshot-length", required_argument, NULL, 's'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"list-interfaces", no_argument, NULL, 'D'},
    {"relinquish-privileges", required_argument, NULL, 'Z'},
    {"count", required_argument, NULL, 'c'},
    {"write", required_argument, NULL, 'w'},
    {"duration", required_argument, NULL, 'G'},
    {"format", required_argument, NULL, 'T'},
    {"summary", no_argument, NULL, 'S'},
    {"verbose", no_argument, NULL, 'v'},
    {"time-format", required_argument, NULL, OPT_TIME_FORMAT},
    {"canonical", no_argument, NULL, OPT_CANONICAL},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"max-handshake-memory", required_argument, NULL, OPT_MAX_HANDSHAKE_MEMORY},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"verify-checksums", no_argument, NULL, OPT_VERIFY_CHECKSUMS},
    {"immediate-mode", no_argument, NULL, OPT_IMMEDIATE_MODE},
    {"stats", no_argument, NULL, OPT_STATS},
    {"report", no_argument, NULL, OPT_REPORT},
    {"report-top", required_argument, NULL, OPT_REPORT_TOP},
    {"x509-log", required_argument, NULL, OPT_X509_LOG},
    {"list-names", no_argument, NULL, OPT_LIST_NAMES},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static const char short_options[] = "+r:i:s:pB:DZ:c:w:G:T:Svth";

/* --time-format names, in enum time_mode order; -t repeated counts through the same list. */
static const char *const time_names[] = {"absolute", "none", "epoch", "delta", "since-first"};

/* Like tshark -G values: one line per registry entry, for scripts and the cross-check test. */
static void list_names(FILE *fp)
{
    for (int kind = 0; kind < NAMES_KIND_COUNT; kind++) {
        size_t n = names_count((enum name_kind)kind);
        for (size_t i = 0; i < n; i++) {
            uint32_t value;
            const char *name;
            if (names_entry((enum name_kind)kind, i, &value, &name)) {
                fprintf(fp, "%s\t0x%04x\t%s\n", names_kind_name((enum name_kind)kind), value,
                        name);
            }
        }
    }
}

void opt_usage(FILE *fp)
{
    fputs("Usage: hsdump [options] -r FILE [-r FILE...] [filter expression]\n"
          "       hsdump [options] -i INTERFACE [filter expression]\n"
          "       hsdump -D | --list-names | --help | --version\n"
          "Prints every TLS record and handshake message, one line per event.\n"
          "\n"
          "Input:\n"
          "  -r, --read FILE            read a pcap or pcapng file ('-' for standard input);\n"
          "                             repeat to read several files in order\n"
          "  -i, --interface IFACE      capture live on IFACE (e.g. eth0, lo, any)\n"
          "  -D, --list-interfaces      list the interfaces -i can use and exit\n"
          "  -s, --snapshot-length N    live: bytes captured per packet (default 262144)\n"
          "  -p, --no-promiscuous-mode  live: do not put the interface in promiscuous mode\n"
          "  -B, --buffer-size KIB      live: kernel capture buffer in KiB (default: libpcap's)\n"
          "      --immediate-mode       live: hand over each packet at once (lines within a\n"
          "                             millisecond, but drops sooner at high rates); default:\n"
          "                             in blocks, at most 100 ms late\n"
          "  -Z, --relinquish-privileges USER\n"
          "                             live: switch to USER right after opening the capture\n"
          "      --max-conns N          track at most N connections at once; past it the oldest\n"
          "                             is closed with end=evicted (default 65536)\n"
          "      --idle-timeout SECONDS close connections still in their handshake after\n"
          "                             SECONDS without data, in packet time, with end=idle\n"
          "                             (default 300; 0 never)\n"
          "      --max-handshake-memory SIZE\n"
          "                             bytes all connections together may hold of handshake\n"
          "                             messages being joined (suffix K, M or G: KiB, MiB,\n"
          "                             GiB); past it the oldest such message is dropped with\n"
          "                             truncated=budget (default 32M)\n"
          "      --keylog FILE          decrypt handshakes with the secrets of an NSS key log\n"
          "                             (SSLKEYLOGFILE); repeatable; read as it grows with -i\n"
          "                             or -r -; a pcapng file's secrets need no option\n"
          "      --verify-checksums     drop TCP segments with bad checksums (off by default:\n"
          "                             captures on the sending host have offloaded checksums)\n"
          "\n"
          "Stopping:\n"
          "  -c, --count N              stop after N completed handshakes\n"
          "  -G, --duration SECONDS     stop after SECONDS (live: wall clock; files: packet time)\n"
          "\n"
          "Output:\n"
          "  -T, --format FORMAT        text (default) or json (JSON Lines, one object per event);\n"
          "                             ecs (one Elastic Common Schema object per connection)\n"
          "                             or zeek (Zeek's ssl.log, one line per connection)\n"
          "      --x509-log FILE        with -T zeek: write Zeek's x509.log to FILE\n"
          "  -S, --summary              only the closing line of each connection\n"
          "  -v, --verbose              full lists and certificate details; -vv also the hex of\n"
          "                             bodies hsdump does not decode\n"
          "  -t                         no time; -tt epoch seconds; -ttt since the previous line;\n"
          "                             -tttt since the first packet (default: UTC ISO 8601)\n"
          "      --time-format MODE     the same by name: absolute, none, epoch, delta,\n"
          "                             since-first\n"
          "      --canonical            one line per connection with only its stable fields,\n"
          "                             sorted by server name: for diff -u between captures\n"
          "  -w, --write FILE           also write the packets of the TLS connections to FILE\n"
          "                             (pcap)\n"
          "      --stats                print packet and connection counters on stderr at the end\n"
          "                             (live: always; SIGUSR1 prints them at any time)\n"
          "      --report               after the events, tables per server (SNI and port) and\n"
          "                             per client fingerprint (JA4): handshakes, failures by\n"
          "                             cause, versions, suites, certificate issues, weak flags\n"
          "      --report-top N         at most N rows per table, the rest in an \"other\" row\n"
          "                             (default 1000; implies --report)\n"
          "      --list-names           print every code point hsdump names (registry, value,\n"
          "                             name; tab-separated) and exit\n"
          "  -h, --help                 show this help and exit\n"
          "      --version              show the version and exit\n"
          "\n"
          "A filter expression (tcpdump/pcap-filter(7) syntax) selects packets, e.g. 'port 443'.\n"
          "Exit status: 0 success, 1 differences (hsdump diff), 2 usage or input error.\n"
          "See hsdump(1).\n",
          fp);
}

size_t opt_long_names(const char **names, size_t cap)
{
    size_t n = 0;
    for (const struct option *o = long_options; o->name != NULL && n < cap; o++) {
        names[n++] = o->name;
    }
    return n;
}

static bool parse_number(const char *s, unsigned long long min, unsigned long long max,
                         unsigned long long *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0') {
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_int(const char *s, long min, long max, int *out)
{
    unsigned long long v;
    if (min < 0 || !parse_number(s, (unsigned long long)min, (unsigned long long)max, &v)) {
        return false;
    }
    *out = (int)v;
    return true;
}

/* A number of bytes, with an optional K, M or G suffix (powers of 1024). */
static bool parse_size(const char *s, unsigned long long min, unsigned long long max,
                       unsigned long long *out)
{
    char digits[32];
    size_t n = strlen(s);
    unsigned shift = 0;
    if (n > 0 && strchr("KkMmGg", s[n - 1]) != NULL) {
        shift = strchr("Kk", s[n - 1]) != NULL ? 10 : strchr("Mm", s[n - 1]) != NULL ? 20 : 30;
        n--;
    }
    if (n == 0 || n >= sizeof(digits)) {
        return false;
    }
    memcpy(digits, s, n);
    digits[n] = '\0';
    unsigned long long v;
    if (!parse_number(digits, 0, max >> shift, &v) || (v << shift) < min) {
        return false;
    }
    *out = v << shift;
    return true;
}

static bool parse_time_mode(const char *s, enum time_mode *mode)
{
    for (size_t i = 0; i < sizeof(time_names) / sizeof(time_names[0]); i++) {
        if (strcmp(s, time_names[i]) == 0) {
            *mode = (enum time_mode)i;
            return true;
        }
    }
    return false;
}

/* Joins the trailing arguments into one filter string, as tcpdump does. */
static bool join_filter(int argc, char **argv, struct options *o)
{
    size_t len = 0;
    for (int i = optind; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    if (len == 0) {
        return true;
    }
    o->filter = malloc(len);
    if (o->filter == NULL) {
        errorf("out of memory");
        return false;
    }
    o->filter[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind) {
            strcat(o->filter, " ");
        }
        strcat(o->filter, argv[i]);
    }
    return true;
}

int opt_parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof(*o));
    o->snaplen = 262144;
    o->promisc = true;
    o->max_conns = REASSEMBLY_DEFAULT_MAX_CONNS;
    o->idle_timeout = REASSEMBLY_DEFAULT_IDLE_TIMEOUT;
    o->max_handshake_memory = BUDGET_DEFAULT_BYTES;
    o->report_top = REPORT_TOP_DEFAULT;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->n_files == OPT_MAX_FILES) {
                errorf("-r: at most %d files at once", OPT_MAX_FILES);
                return EXIT_USAGE;
            }
            o->files[o->n_files++] = optarg;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 's':
            if (!parse_int(optarg, 1, INT_MAX, &o->snaplen)) {
                errorf("-s: invalid snapshot length '%s': expected a positive number", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'p':
            o->promisc = false;
            break;
        case 'B':
            if (!parse_int(optarg, 1, INT_MAX / 1024, &o->buffer_kib)) {
                errorf("-B: invalid buffer size '%s': expected a positive number of KiB",
                       optarg);
                return EXIT_USAGE;
            }
            break;
        case 'D':
            o->list_interfaces = true;
            break;
        case 'Z':
            o->user = optarg;
            break;
        case 'c': {
            unsigned long long n;
            if (!parse_number(optarg, 1, UINT64_MAX, &n)) {
                errorf("-c: invalid count '%s': expected a positive number", optarg);
                return EXIT_USAGE;
            }
            o->count = n;
            break;
        }
        case 'w':
            o->write_file = optarg;
            break;
        case 'G': {
            unsigned long long n;
            if (!parse_number(optarg, 1, UINT_MAX, &n)) {
                errorf("-G: invalid duration '%s': expected a positive number of seconds",
                       optarg);
                return EXIT_USAGE;
            }
            o->duration = (unsigned)n;
            break;
        }
        case 'T':
            if (strcmp(optarg, "text") == 0) {
                o->format = FORMAT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                o->format = FORMAT_JSON;
            } else if (strcmp(optarg, "ecs") == 0) {
                o->format = FORMAT_ECS;
            } else if (strcmp(optarg, "zeek") == 0) {
                o->format = FORMAT_ZEEK;
            } else {
                errorf("-T: unknown format '%s': expected text, json, ecs or zeek", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'S':
            o->summary = true;
            break;
        case 'v':
            if (o->verbosity < 2) {
                o->verbosity++;
            }
            break;
        case 't':
            if (o->time == TIME_SINCE_FIRST) {
                errorf("-t: at most four (-tttt)");
                return EXIT_USAGE;
            }
            o->time = o->time == TIME_ABSOLUTE ? TIME_NONE : (enum time_mode)(o->time + 1);
            break;
        case OPT_TIME_FORMAT:
            if (!parse_time_mode(optarg, &o->time)) {
                errorf("--time-format: unknown mode '%s': expected absolute, none, epoch, "
                       "delta or since-first", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_MAX_CONNS:
            if (!parse_int(optarg, 1, 16 * 1024 * 1024, &o->max_conns)) {
                errorf("--max-conns: invalid number '%s': expected 1 to 16777216", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_IDLE_TIMEOUT: {
            unsigned long long n;
            if (!parse_number(optarg, 0, 100000000, &n)) {
                errorf("--idle-timeout: invalid number of seconds '%s'", optarg);
                return EXIT_USAGE;
            }
            o->idle_timeout = (unsigned)n;
            break;
        }
        case OPT_MAX_HANDSHAKE_MEMORY: {
            unsigned long long n;
            if (!parse_size(optarg, 1024, 1ull << 40, &n)) {
                errorf("--max-handshake-memory: invalid size '%s': expected 1K to 1024G", optarg);
                return EXIT_USAGE;
            }
            o->max_handshake_memory = (size_t)n;
            break;
        }
        case OPT_KEYLOG:
            if (o->n_keylogs == OPT_MAX_KEYLOGS) {
                errorf("--keylog: at most %d files at once", OPT_MAX_KEYLOGS);
                return EXIT_USAGE;
            }
            o->keylogs[o->n_keylogs++] = optarg;
            break;
        case OPT_X509_LOG:
            o->x509_log = optarg;
            break;
        case OPT_CANONICAL:
            o->canonical = true;
            break;
        case OPT_IMMEDIATE_MODE:
            o->immediate = true;
            break;
        case OPT_VERIFY_CHECKSUMS:
            o->verify_checksums = true;
            break;
        case OPT_STATS:
            o->print_stats = true;
            break;
        case OPT_REPORT:
            o->report = true;
            break;
        case OPT_REPORT_TOP: {
            unsigned long long n;
            if (!parse_number(optarg, 1, REPORT_TOP_MAX, &n)) {
                errorf("--report-top: invalid number '%s': expected 1 to %d", optarg,
                       REPORT_TOP_MAX);
                return EXIT_USAGE;
            }
            o->report = true;
            o->report_top = (size_t)n;
            break;
        }
        case 'h':
            opt_usage(stdout);
            return 0;
        case OPT_LIST_NAMES:
            list_names(stdout);
            return 0;
        case OPT_VERSION:
            printf("hsdump %s\n", PACKAGE_VERSION);
            return 0;
        case ':':
        case '?':
        default:
            if (optopt != 0 && optopt < 256) {
                errorf("-%c: %s (try --help)",
                       optopt, strchr(short_options, optopt) ? "missing argument" : "unknown option");
            } else {
                errorf("%s: unknown option or missing argument (try --help)", argv[optind - 1]);
            }
            return EXIT_USAGE;
        }
    }
    if (o->list_interfaces) {
        return -1; /* main lists them: it needs the capture layer */
    }
    if (o->n_files == 0 && o->iface == NULL) {
        errorf("nothing to read: give -r FILE or -i INTERFACE (try --help)");
        return EXIT_USAGE;
    }
    if (o->n_files > 0 && o->iface != NULL) {
        errorf("-r and -i cannot be combined");
        return EXIT_USAGE;
    }
    if (o->write_file != NULL && strcmp(o->write_file, "-") == 0) {
        errorf("-w -: standard output carries the event lines; give a file name");
        return EXIT_USAGE;
    }
    if (o->user != NULL && o->iface == NULL) {
        errorf("-Z: only with -i (reading files needs no privileges)");
        return EXIT_USAGE;
    }
    if (o->x509_log != NULL && o->format != FORMAT_ZEEK) {
        errorf("--x509-log: only with -T zeek (x509.log goes beside its ssl.log)");
        return EXIT_USAGE;
    }
    if (o->x509_log != NULL && strcmp(o->x509_log, "-") == 0) {
        errorf("--x509-log -: standard output carries ssl.log; give a file name");
        return EXIT_USAGE;
    }
    if (o->report && (o->format == FORMAT_ECS || o->format == FORMAT_ZEEK)) {
        errorf("--report: not with -T ecs or -T zeek (their lines are records of one kind)");
        return EXIT_USAGE;
    }
    if (o->report && o->canonical) {
        errorf("--report: not with --canonical (which prints one sorted line per connection)");
        return EXIT_USAGE;
    }
    if (!join_filter(argc, argv, o)) {
        return EXIT_USAGE;
    }
    return -1;
}

void opt_free(struct options *o)
{
    free(o->filter);
    o->filter = NULL;
}
