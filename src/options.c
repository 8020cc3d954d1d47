/* One getopt_long table; usage() to stdout on request, misuse to stderr with exit 2. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "messages.h"
#include "base/budget.h"
#include "base/names.h"
#include "output/keys.h"
#include "report/report.h"
#include "checks/cert_check.h"
#include "parallel/pool.h"
#include "tcp/reassembly.h"

enum {
    OPT_VERSION = 256,
    OPT_VERIFY_CHECKSUMS,
    OPT_IMMEDIATE_MODE,
    OPT_STATS,
    OPT_LIST_NAMES,
    OPT_LIST_FIELDS,
    OPT_CANONICAL,
    OPT_TIME_FORMAT,
    OPT_MAX_CONNS,
    OPT_IDLE_TIMEOUT,
    OPT_MAX_HANDSHAKE_MEMORY,
    OPT_KEYLOG,
    OPT_REPORT,
    OPT_REPORT_TOP,
    OPT_CA_FILE,
    OPT_CA_PATH,
    OPT_EXPIRY_WARNING,
    OPT_DURATION,
    OPT_NO_PROGRESS,
    OPT_CONN_FILTER,
    OPT_CONN_FILTER_HOLD,
    OPT_X509_LOG,
    OPT_ASCII,
    OPT_HTML,
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
    {"jobs", required_argument, NULL, 'j'},
    {"write", required_argument, NULL, 'w'},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"line-buffered", no_argument, NULL, 'l'},
    {"packet-buffered", no_argument, NULL, 'U'},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"format", required_argument, NULL, 'T'},
    {"summary", no_argument, NULL, 'S'},
    {"verbose", no_argument, NULL, 'v'},
    {"time-format", required_argument, NULL, OPT_TIME_FORMAT},
    {"canonical", no_argument, NULL, OPT_CANONICAL},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"max-handshake-memory", required_argument, NULL, OPT_MAX_HANDSHAKE_MEMORY},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"ca-path", required_argument, NULL, OPT_CA_PATH},
    {"expiry-warning", required_argument, NULL, OPT_EXPIRY_WARNING},
    {"verify-checksums", no_argument, NULL, OPT_VERIFY_CHECKSUMS},
    {"immediate-mode", no_argument, NULL, OPT_IMMEDIATE_MODE},
    {"stats", no_argument, NULL, OPT_STATS},
    {"report", no_argument, NULL, OPT_REPORT},
    {"report-top", required_argument, NULL, OPT_REPORT_TOP},
    {"x509-log", required_argument, NULL, OPT_X509_LOG},
    {"ascii", no_argument, NULL, OPT_ASCII},
    {"html", required_argument, NULL, OPT_HTML},
    {"list-names", no_argument, NULL, OPT_LIST_NAMES},
    {"field", required_argument, NULL, 'e'},
    {"display-filter", required_argument, NULL, 'Y'},
    {"conn-filter", required_argument, NULL, OPT_CONN_FILTER},
    {"conn-filter-hold", required_argument, NULL, OPT_CONN_FILTER_HOLD},
    {"list-fields", no_argument, NULL, OPT_LIST_FIELDS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static const char short_options[] = "+r:i:s:pB:DZ:c:w:T:SvthlUnNKG:C:W:F:V:e:Y:j:";

/* --time-format names, in enum time_mode order; -t repeated counts through the same list. */
static const char *const time_names[] = {"absolute", "none", "epoch", "delta", "date",
                                         "since-first"};

/* tcpdump(8) options hsdump does not take, each with the reason in one line. */
static const struct {
    char opt;
    const char *why;
} refused_options[] = {
    {'A', "hsdump prints TLS events, not packet bytes (-vv adds the hex of bodies it does not "
          "decode; tcpdump -A prints packets)"},
    {'x', "hsdump prints TLS events, not packet bytes (-vv adds the hex of bodies it does not "
          "decode; tcpdump -x prints packets)"},
    {'X', "hsdump prints TLS events, not packet bytes (-vv adds the hex of bodies it does not "
          "decode; tcpdump -X prints packets)"},
    {'q', "hsdump's lines are one per TLS event already; -S prints only each connection's "
          "close line"},
    {'d', "hsdump does not print compiled filters; tcpdump -d does"},
    {'E', "hsdump decrypts TLS, not ESP: give the TLS secrets with --keylog FILE"},
    {'M', "TCP-MD5 signatures are not TLS; tcpdump -M checks them"},
    {'f', "hsdump never resolves names: addresses are always numeric"},
    {'H', "802.11s mesh headers are not TLS; tcpdump -H reads them"},
    {'b', "BGP AS numbers are not TLS"},
    {'u', "NFS handles are not TLS"},
    {'#', "hsdump numbers connections (c1, c2, ...), not packets"},
    {'O', "hsdump always optimises the filter; tcpdump -O -w FILE then hsdump -r FILE if you "
          "suspect the optimiser"},
    {'I', "monitor mode: capture with tcpdump -I -w FILE and read FILE with -r"},
    {'L', "hsdump takes the interface's default link type; tcpdump -L -i IFACE lists the others"},
    {'y', "hsdump takes the interface's default link type; capture with tcpdump -y TYPE -w FILE "
          "and read FILE with -r"},
    {'J', "hsdump takes the interface's default time stamp type; tcpdump -J -i IFACE lists them"},
    {'Q', "give the direction in the filter instead: 'inbound' or 'outbound' (pcap-filter(7))"},
    {'z', "hsdump runs no command on rotated files; run it on them afterwards"},
    {'m', "SNMP MIBs are not TLS"},
};

/* The reason a tcpdump option is refused, or NULL when c is no tcpdump option. */
static const char *refused_reason(int c)
{
    for (size_t i = 0; i < sizeof(refused_options) / sizeof(refused_options[0]); i++) {
        if (refused_options[i].opt == c) {
            return refused_options[i].why;
        }
    }
    return NULL;
}

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
          "       hsdump diff [options] A B [filter expression]   (hsdump diff --help)\n"
          "       hsdump -D | --list-names | --list-fields | --help | --version\n"
          "Prints every TLS record and handshake message, one line per event.\n"
          "\n"
          "Input:\n"
          "  -r, --read FILE            read a pcap or pcapng file ('-' for standard input);\n"
          "                             repeat to read several files in order\n"
          "  -V FILE                    read the capture files named in FILE, one a line\n"
          "  -F FILE                    take the filter expression from FILE\n"
          "  -i, --interface IFACE      capture live on IFACE (e.g. eth0, lo, any)\n"
          "  -D, --list-interfaces      list the interfaces -i can use and exit\n"
          "  -s, --snapshot-length N    live: bytes captured per packet (default 262144)\n"
          "  -p, --no-promiscuous-mode  live: do not put the interface in promiscuous mode\n"
          "  -B, --buffer-size KIB      live: kernel capture buffer in KiB (default: libpcap's;\n"
          "                             32768 with -j 2 or more)\n"
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
          "      --ca-file FILE         trust the CA certificates of FILE (PEM) when checking\n"
          "                             certificate chains, instead of the system's store\n"
          "      --ca-path DIR          the same from a hashed directory (openssl rehash)\n"
          "      --expiry-warning DAYS  a certificate ending within DAYS of the packet is\n"
          "                             reported expiring (default 30; 0 never)\n"
          "      --verify-checksums     drop TCP segments with bad checksums (off by default:\n"
          "                             captures on the sending host have offloaded checksums)\n"
          "  -j, --jobs N               dissect in N worker processes (0: one per core;\n"
          "                             default 1); the output is the same as with one\n"
          "\n"
          "Stopping:\n"
          "  -c, --count N              stop after N completed handshakes\n"
          "      --duration SECONDS     stop after SECONDS (live: wall clock; files: packet time)\n"
          "\n"
          "Output:\n"
          "  -T, --format FORMAT        text (default), json (JSON Lines, one object per event),\n"
          "                             fields (the -e fields tab-separated, as tshark), csv\n"
          "                             (the -e fields as RFC 4180 CSV with a header line),\n"
          "                             ecs (one Elastic Common Schema object per connection),\n"
          "                             zeek (Zeek's ssl.log, one line per connection)\n"
          "                             or ladder (each connection drawn as a diagram)\n"
          "      --ascii                with -T ladder: draw with ASCII, not box drawing\n"
          "      --x509-log FILE        with -T zeek: write Zeek's x509.log to FILE\n"
          "      --html FILE            also write an HTML report to FILE at the end: charts,\n"
          "                             a table of the connections, their ladder diagrams\n"
          "  -e, --field FIELD          print only FIELD (repeatable, or a comma list), in that\n"
          "                             order; also the line's time, conn, client, server, src,\n"
          "                             dst, dir, event, message\n"
          "  -Y, --display-filter EXPR  print only the events EXPR matches, e.g.\n"
          "                             'status == failed', 'version < TLSv1.2',\n"
          "                             'cipher_suites contains TLS_RSA_WITH_RC4_128_SHA',\n"
          "                             'sni ~ \"\\.example\\.com$\"' (see DISPLAY FILTERS)\n"
          "      --conn-filter EXPR     print every line of each connection whose close line\n"
          "                             EXPR matches (lines held until the close, bounded)\n"
          "      --conn-filter-hold SIZE\n"
          "                             bytes of lines --conn-filter holds per connection\n"
          "                             (suffix K, M or G; default 256K; 64M in all at least);\n"
          "                             past it a held_dropped line counts what was dropped\n"
          "  -S, --summary              only the closing line of each connection\n"
          "  -v, --verbose              full lists and certificate details; -vv also the hex of\n"
          "                             bodies hsdump does not decode\n"
          "  -t                         no time; -tt epoch seconds; -ttt since the previous line;\n"
          "                             -tttt local date and time; -ttttt since the first packet\n"
          "                             (default: UTC ISO 8601)\n"
          "      --time-format MODE     the same by name: absolute, none, epoch, delta, date,\n"
          "                             since-first\n"
          "  -l, --line-buffered        write each line at once, also into a pipe or file\n"
          "  -n                         accepted for tcpdump's sake: hsdump never resolves names\n"
          "      --canonical            one line per connection with only its stable fields,\n"
          "                             sorted by server name: for diff -u between captures\n"
          "  -w, --write FILE           also write the packets of the TLS connections to FILE\n"
          "                             (pcap)\n"
          "  -U, --packet-buffered      write each packet to the -w file at once\n"
          "  -G SECONDS                 start a new -w file every SECONDS (wall clock), its name\n"
          "                             from FILE through strftime(3), as tcpdump -G\n"
          "  -C SIZE                    start a new -w file once it is larger than SIZE millions\n"
          "                             of bytes (k, m, g: KiB, MiB, GiB): FILE, FILE1, FILE2...\n"
          "  -W N                       with -C: N files reused in turn; with -G alone: stop\n"
          "                             after N files\n"
          "      --no-progress          no progress line on stderr (shown when reading files\n"
          "                             with stderr on a terminal and stdout elsewhere)\n"
          "      --stats                print packet and connection counters on stderr at the end\n"
          "                             (live: always; SIGUSR1 prints them at any time)\n"
          "      --report               after the events, tables per server (SNI and port) and\n"
          "                             per client fingerprint (JA4): handshakes, failures by\n"
          "                             cause, versions, suites, certificate issues, weak flags\n"
          "      --report-top N         at most N rows per table, the rest in an \"other\" row\n"
          "                             (default 1000; implies --report)\n"
          "      --list-names           print every code point hsdump names (registry, value,\n"
          "                             name; tab-separated) and exit\n"
          "      --list-fields          print every output field (name, type, events, meaning;\n"
          "                             tab-separated) and exit\n"
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

static bool is_directory(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
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

/* -F and -V files are small: a filter or a list of file names. */
#define OPT_TEXT_FILE_MAX (1024 * 1024)

/* The whole of a small text file ("-": standard input) as a string, or NULL after an error
 * line naming opt. */
static char *read_text_file(const char *opt, const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (fp == NULL) {
        errorf("%s %s: %s", opt, path, strerror(errno));
        return NULL;
    }
    char *text = malloc(OPT_TEXT_FILE_MAX + 1);
    size_t len = text == NULL ? 0 : fread(text, 1, OPT_TEXT_FILE_MAX + 1, fp);
    bool failed = text == NULL || ferror(fp);
    if (fp != stdin) {
        fclose(fp);
    }
    if (failed || len > OPT_TEXT_FILE_MAX || memchr(text, '\0', len) != NULL) {
        errorf("%s %s: %s", opt, path,
               text == NULL ? "out of memory"
               : failed     ? "read error"
               : len > OPT_TEXT_FILE_MAX ? "larger than 1 MiB"
                                         : "holds a NUL byte: not a text file");
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

/* -F FILE: the filter expression, "# comment" to the end of a line blanked as tcpdump's
 * read_infile() does. */
static bool read_filter_file(const char *path, struct options *o)
{
    o->filter = read_text_file("-F", path);
    if (o->filter == NULL) {
        return false;
    }
    for (char *p = o->filter; *p != '\0'; p++) {
        if (*p == '#') {
            while (*p != '\0' && *p != '\n') {
                *p++ = ' ';
            }
            if (*p == '\0') {
                break;
            }
        }
    }
    return true;
}

/* -V FILE: one capture file per line, as tcpdump -V; empty lines are skipped. */
static bool read_input_list(const char *path, struct options *o)
{
    o->list_text = read_text_file("-V", path);
    if (o->list_text == NULL) {
        return false;
    }
    char *save = NULL;
    for (char *line = strtok_r(o->list_text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\r') {
            line[--n] = '\0';
        }
        if (n == 0) {
            continue;
        }
        if (o->n_files == OPT_MAX_FILES) {
            errorf("-V %s: at most %d files at once", path, OPT_MAX_FILES);
            return false;
        }
        o->files[o->n_files++] = line;
    }
    if (o->n_files == 0) {
        errorf("-V %s: no file names in it", path);
        return false;
    }
    return true;
}

/* -C: tcpdump's units, millions of bytes (1,000,000), or KiB, MiB, GiB with a k, m or g
 * suffix as tcpdump.c's -C parsing takes them. */
static bool parse_file_size(const char *s, uint64_t *out)
{
    char digits[32];
    size_t n = strlen(s);
    uint64_t unit = 1000000;
    if (n > 0 && strchr("kKmMgG", s[n - 1]) != NULL) {
        unit = strchr("kK", s[n - 1]) != NULL ? 1ull << 10
               : strchr("mM", s[n - 1]) != NULL ? 1ull << 20 : 1ull << 30;
        n--;
    }
    unsigned long long v;
    if (n == 0 || n >= sizeof(digits)) {
        return false;
    }
    memcpy(digits, s, n);
    digits[n] = '\0';
    if (!parse_number(digits, 1, (1ull << 50) / unit, &v)) {
        return false;
    }
    *out = v * unit;
    return true;
}

/* tcpdump's buffering, name and rotation options (tcpdump(8)). Returns -1 when c is not one
 * of them, 0 when taken, EXIT_USAGE after an error line. */
static int tcpdump_option(int c, struct options *o, const char **filter_file,
                          const char **list_file)
{
    unsigned long long n;
    switch (c) {
    case 'l':
        o->line_buffered = true;
        return 0;
    case 'U':
        o->packet_buffered = true;
        return 0;
    case 'n': /* hsdump never resolves names or ports: nothing to turn off */
    case 'N':
    case 'K': /* checksums are not verified unless --verify-checksums */
        return 0;
    case 'G':
        if (!parse_number(optarg, 1, INT_MAX, &n)) {
            errorf("-G: invalid rotation period '%s': expected a positive number of seconds",
                   optarg);
            return EXIT_USAGE;
        }
        o->rotate_seconds = (unsigned)n;
        return 0;
    case 'C':
        if (!parse_file_size(optarg, &o->rotate_bytes)) {
            errorf("-C: invalid file size '%s': expected a positive number of millions of "
                   "bytes (or with k, m or g: KiB, MiB, GiB)", optarg);
            return EXIT_USAGE;
        }
        return 0;
    case 'W':
        if (!parse_number(optarg, 1, 1000000, &n)) {
            errorf("-W: invalid number of files '%s': expected 1 to 1000000", optarg);
            return EXIT_USAGE;
        }
        o->rotate_files = (unsigned)n;
        return 0;
    case 'F':
        *filter_file = optarg;
        return 0;
    case OPT_NO_PROGRESS:
        o->no_progress = true;
        return 0;
    case 'V':
        *list_file = optarg;
        return 0;
    default:
        return -1;
    }
}

/* After all options: what tcpdump's options need from the others. */
static int check_tcpdump_options(struct options *o, int argc, char **argv,
                                 const char *filter_file, const char *list_file)
{
    if (o->write_file == NULL && (o->rotate_seconds != 0 || o->rotate_bytes != 0)) {
        errorf("%s: rotates the -w file (as tcpdump); give -w FILE%s",
               o->rotate_seconds != 0 ? "-G" : "-C",
               o->rotate_seconds != 0 ? ", or --duration SECONDS to stop after SECONDS" : "");
        return EXIT_USAGE;
    }
    if (o->rotate_files != 0 && o->rotate_seconds == 0 && o->rotate_bytes == 0) {
        errorf("-W: limits the files of -C or -G rotation; give -C or -G");
        return EXIT_USAGE;
    }
    if (list_file != NULL) {
        if (o->n_files > 0) {
            errorf("-V and -r: give the inputs one way (as tcpdump, which refuses both)");
            return EXIT_USAGE;
        }
        if (!read_input_list(list_file, o)) {
            return EXIT_USAGE;
        }
    }
    if (filter_file != NULL) {
        if (optind < argc) {
            errorf("-F: the filter comes from %s; remove the expression '%s' from the command "
                   "line", filter_file, argv[optind]);
            return EXIT_USAGE;
        }
        if (!read_filter_file(filter_file, o)) {
            return EXIT_USAGE;
        }
    }
    return -1;
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
    o->jobs = 1;
    o->max_handshake_memory = BUDGET_DEFAULT_BYTES;
    o->report_top = REPORT_TOP_DEFAULT;
    o->expiry_warning = CERT_EXPIRY_WARNING_DEFAULT;
    opterr = 0;
    int c;
    const char *filter_file = NULL, *list_file = NULL;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        int taken = tcpdump_option(c, o, &filter_file, &list_file);
        if (taken >= 0) {
            if (taken != 0) {
                return taken;
            }
            continue;
        }
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
        case 'j': {
            unsigned long long n;
            if (!parse_number(optarg, 0, POOL_WORKERS_MAX, &n)) {
                errorf("-j: invalid number of workers '%s': expected 0 (one per core) to %d",
                       optarg, POOL_WORKERS_MAX);
                return EXIT_USAGE;
            }
            o->jobs = (unsigned)n;
            if (n == 0) {
                long cores = sysconf(_SC_NPROCESSORS_ONLN);
                o->jobs = cores < 1 ? 1 : cores > POOL_WORKERS_MAX ? POOL_WORKERS_MAX : (unsigned)cores;
            }
            break;
        }
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
        case OPT_DURATION: {
            unsigned long long n;
            if (!parse_number(optarg, 1, UINT_MAX, &n)) {
                errorf("--duration: invalid duration '%s': expected a positive number of "
                       "seconds", optarg);
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
            } else if (strcmp(optarg, "fields") == 0) {
                o->format = FORMAT_FIELDS;
            } else if (strcmp(optarg, "csv") == 0) {
                o->format = FORMAT_CSV;
            } else if (strcmp(optarg, "ecs") == 0) {
                o->format = FORMAT_ECS;
            } else if (strcmp(optarg, "zeek") == 0) {
                o->format = FORMAT_ZEEK;
            } else if (strcmp(optarg, "ladder") == 0) {
                o->format = FORMAT_LADDER;
            } else {
                errorf("-T: unknown format '%s': expected text, json, fields, csv, ecs, zeek or "
                       "ladder",
                       optarg);
                return EXIT_USAGE;
            }
            break;
        case 'e':
            if (o->n_field_args == OPT_MAX_FIELD_ARGS) {
                errorf("-e: at most %d times (a comma list takes several fields)",
                       OPT_MAX_FIELD_ARGS);
                return EXIT_USAGE;
            }
            o->field_args[o->n_field_args++] = optarg;
            break;
        case 'Y':
            o->display_filter = optarg;
            break;
        case OPT_CONN_FILTER:
            o->conn_filter = optarg;
            break;
        case OPT_CONN_FILTER_HOLD: {
            unsigned long long n;
            if (!parse_size(optarg, 1024, 1ull << 40, &n)) {
                errorf("--conn-filter-hold: invalid size '%s': expected 1K to 1024G", optarg);
                return EXIT_USAGE;
            }
            o->conn_hold_bytes = (size_t)n;
            break;
        }
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
                errorf("-t: at most five (-ttttt)");
                return EXIT_USAGE;
            }
            o->time = o->time == TIME_ABSOLUTE ? TIME_NONE : (enum time_mode)(o->time + 1);
            break;
        case OPT_TIME_FORMAT:
            if (!parse_time_mode(optarg, &o->time)) {
                errorf("--time-format: unknown mode '%s': expected absolute, none, epoch, "
                       "delta, date or since-first", optarg);
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
        case OPT_CA_FILE:
            if (access(optarg, R_OK) != 0 || is_directory(optarg)) {
                errorf("--ca-file: cannot read '%s': %s", optarg,
                       is_directory(optarg) ? "a directory (use --ca-path)" : strerror(errno));
                return EXIT_USAGE;
            }
            o->ca_file = optarg;
            break;
        case OPT_CA_PATH:
            if (!is_directory(optarg) || access(optarg, R_OK | X_OK) != 0) {
                errorf("--ca-path: '%s' is not a readable directory", optarg);
                return EXIT_USAGE;
            }
            o->ca_path = optarg;
            break;
        case OPT_EXPIRY_WARNING: {
            unsigned long long n;
            if (!parse_number(optarg, 0, 36500, &n)) {
                errorf("--expiry-warning: invalid number of days '%s': expected 0 to 36500",
                       optarg);
                return EXIT_USAGE;
            }
            o->expiry_warning = (unsigned)n;
            break;
        }
        case OPT_ASCII:
            o->ascii = true;
            break;
        case OPT_HTML:
            o->html = optarg;
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
        case OPT_LIST_FIELDS:
            keys_print(stdout);
            return 0;
        case OPT_VERSION:
            printf("hsdump %s\n", PACKAGE_VERSION);
            return 0;
        case ':':
        case '?':
        default:
            if (optopt != 0 && optopt < 256 && refused_reason(optopt) != NULL) {
                errorf("-%c: not taken: %s", optopt, refused_reason(optopt));
            } else if (optopt != 0 && optopt < 256) {
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
    int status = check_tcpdump_options(o, argc, argv, filter_file, list_file);
    if (status >= 0) {
        return status;
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
    if (o->conn_hold_bytes > 0 && o->conn_filter == NULL) {
        errorf("--conn-filter-hold: only with --conn-filter");
        return EXIT_USAGE;
    }
    if ((o->format == FORMAT_FIELDS || o->format == FORMAT_CSV) && o->n_field_args == 0) {
        errorf("-T %s: give the fields to print with -e (e.g. -e time,conn,sni)",
               o->format == FORMAT_CSV ? "csv" : "fields");
        return EXIT_USAGE;
    }
    if (o->canonical &&
        (o->n_field_args > 0 || o->display_filter != NULL || o->conn_filter != NULL)) {
        errorf("--canonical: not with -e, -Y or --conn-filter (it prints its own sorted "
               "lines)");
        return EXIT_USAGE;
    }
    if ((o->format == FORMAT_ECS || o->format == FORMAT_ZEEK) &&
        (o->n_field_args > 0 || o->display_filter != NULL || o->conn_filter != NULL)) {
        errorf("-T %s: not with -e, -Y or --conn-filter (its records have fields of their own)",
               o->format == FORMAT_ECS ? "ecs" : "zeek");
        return EXIT_USAGE;
    }
    if (o->format == FORMAT_LADDER &&
        (o->n_field_args > 0 || o->conn_filter != NULL || o->canonical)) {
        errorf("-T ladder: not with -e, --conn-filter or --canonical (it draws whole "
               "connections; -Y picks which)");
        return EXIT_USAGE;
    }
    if (o->ascii && o->format != FORMAT_LADDER) {
        errorf("--ascii: only with -T ladder");
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
    if (o->html != NULL && strcmp(o->html, "-") == 0) {
        errorf("--html -: standard output carries the event lines; give a file name");
        return EXIT_USAGE;
    }
    if (o->html != NULL && o->canonical) {
        errorf("--html: not with --canonical (it prints its own sorted lines)");
        return EXIT_USAGE;
    }
    if (o->report && (o->format == FORMAT_ECS || o->format == FORMAT_ZEEK)) {
        errorf("--report: not with -T ecs or -T zeek (their lines are records of one kind)");
        return EXIT_USAGE;
    }
    if (o->report && o->jobs > 1) {
        errorf("--report: not with -j (each worker would see only its share); use -j 1");
        return EXIT_USAGE;
    }
    if (o->report && o->canonical) {
        errorf("--report: not with --canonical (which prints one sorted line per connection)");
        return EXIT_USAGE;
    }
    if (o->filter == NULL && !join_filter(argc, argv, o)) {
        return EXIT_USAGE;
    }
    return -1;
}

void opt_free(struct options *o)
{
    free(o->filter);
    o->filter = NULL;
    free(o->list_text);
    o->list_text = NULL;
}
