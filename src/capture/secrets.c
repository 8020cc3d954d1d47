/* Key log files and pcapng secrets blocks read into the one secrets table (secrets.h). */
#include "capture/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "capture/pcapng_dsb.h"
#include "crypto/keylog.h"
#include "messages.h"

#define READ_CHUNK 16384

/* Where bad lines come from, and how many were shown. */
struct line_source {
    const char *name;
    uint64_t warned;
    uint64_t unshown;
};

struct keylog_file {
    struct line_source source;
    int fd;           /* -1 once read whole or given up */
    off_t read_to;    /* bytes of the file fed to the parser */
    struct keylog_parser parser;
};

/* A secrets block being parsed, for its warnings. */
struct block_ctx {
    const char *capture;
    uint64_t offset;
};

static struct keylog_table *table;
static struct keylog_file *files;
static size_t n_files;
static size_t n_following;
static struct timeval last_poll;
static bool polled;
static struct line_source blocks_source = {"pcapng secrets blocks", 0, 0};
static struct secrets_counters counters;

/* Counts a bad line; true while it is among the first SECRETS_WARNINGS_MAX of its source,
 * to be warned about. */
static bool count_bad_line(struct line_source *src)
{
    counters.bad_lines++;
    if (src->warned < SECRETS_WARNINGS_MAX) {
        src->warned++;
        return true;
    }
    src->unshown++;
    return false;
}

/* keylog_report_fn of a key log file: "<path>:<line>: ...". */
static void report_file_line(void *ctx, uint64_t line_no, const char *expected)
{
    struct line_source *src = ctx;
    if (count_bad_line(src)) {
        warnf("%s:%" PRIu64 ": not a key log line: expected %s", src->name, line_no, expected);
    }
}

/* keylog_report_fn of a secrets block: its capture and offset, then the line. */
static void report_block_line(void *ctx, uint64_t line_no, const char *expected)
{
    const struct block_ctx *b = ctx;
    if (count_bad_line(&blocks_source)) {
        warnf("%s: Decryption Secrets Block at offset %" PRIu64 ", line %" PRIu64
              ": not a key log line: expected %s",
              b->capture, b->offset, line_no, expected);
    }
}

static bool make_table(void)
{
    if (table == NULL && (table = keylog_table_new(0)) == NULL) {
        errorf("out of memory");
        return false;
    }
    counters.any = true;
    return true;
}

/* Feeds what parser took into the counters: secrets stored; bad lines were counted as they
 * were reported. */
static void feed(struct keylog_parser *parser, const uint8_t *data, size_t len,
                 keylog_report_fn report, void *ctx)
{
    uint64_t before = parser->secrets;
    keylog_parser_feed(parser, table, data, len, report, ctx);
    counters.loaded += parser->secrets - before;
}

static void finish(struct keylog_parser *parser, keylog_report_fn report, void *ctx)
{
    uint64_t before = parser->secrets;
    keylog_parser_finish(parser, table, report, ctx);
    counters.loaded += parser->secrets - before;
}

/* Reads f from read_to to its end; false (errno set) when a read fails. */
static bool read_appended(struct keylog_file *f)
{
    uint8_t chunk[READ_CHUNK];
    bool ok = true;
    for (;;) {
        ssize_t n = read(f->fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        feed(&f->parser, chunk, (size_t)n, report_file_line, &f->source);
        f->read_to += n;
    }
    OPENSSL_cleanse(chunk, sizeof(chunk));
    return ok;
}

static void stop_following(struct keylog_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
        n_following--;
    }
}

/* Opens and reads one file; it stays open (following) only when it is a regular file and
 * follow is set: a pipe's size tells nothing about what was written to it. */
static bool open_keylog(struct keylog_file *f, const char *path, bool follow)
{
    struct stat st;
    f->source.name = path;
    keylog_parser_init(&f->parser);
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        errorf("--keylog %s: %s", path, strerror(errno));
        return false;
    }
    n_following++;
    /* a directory opens, and fails at its first read (EISDIR) */
    if (fstat(f->fd, &st) != 0 || !read_appended(f)) {
        errorf("--keylog %s: %s", path, strerror(errno));
        return false;
    }
    if (!follow || !S_ISREG(st.st_mode)) {
        finish(&f->parser, report_file_line, &f->source);
        keylog_parser_clear(&f->parser);
        stop_following(f);
    }
    return true;
}

bool secrets_open_keylogs(const char *const *paths, size_t n, bool follow)
{
    if (n == 0) {
        return true;
    }
    if (!make_table()) {
        return false;
    }
    files = calloc(n, sizeof(*files));
    if (files == NULL) {
        errorf("out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        files[i].fd = -1;
    }
    n_files = n;
    for (size_t i = 0; i < n; i++) {
        if (!open_keylog(&files[i], paths[i], follow)) {
            return false;
        }
    }
    keylog_table_set_growing(table, n_following > 0);
    return true;
}

bool secrets_following(void)
{
    return n_following > 0;
}

/* A file that shrank was rewritten (a client started it over): read again from its start,
 * numbering lines from 1 again. */
static void poll_file(struct keylog_file *f)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0) {
        warnf("--keylog %s: %s (no longer read)", f->source.name, strerror(errno));
        stop_following(f);
        return;
    }
    if (st.st_size < f->read_to) {
        if (lseek(f->fd, 0, SEEK_SET) != 0) {
            warnf("--keylog %s: %s (no longer read)", f->source.name, strerror(errno));
            stop_following(f);
            return;
        }
        keylog_parser_clear(&f->parser);
        keylog_parser_init(&f->parser);
        f->read_to = 0;
    } else if (st.st_size == f->read_to) {
        return;
    }
    if (!read_appended(f)) {
        warnf("--keylog %s: %s (no longer read)", f->source.name, strerror(errno));
        stop_following(f);
    }
}

void secrets_poll(struct timeval now)
{
    if (n_following == 0) {
        return;
    }
    int64_t since = (int64_t)(now.tv_sec - last_poll.tv_sec) * 1000000 +
                    (now.tv_usec - last_poll.tv_usec);
    /* a clock set back is taken as time gone by */
    if (polled && since >= 0 && since < SECRETS_POLL_INTERVAL_US) {
        return;
    }
    polled = true;
    last_poll = now;
    for (size_t i = 0; i < n_files; i++) {
        if (files[i].fd >= 0) {
            poll_file(&files[i]);
        }
    }
}

void secrets_take_pcapng_block(const char *source, uint64_t offset, uint32_t secrets_type,
                               struct cursor secrets)
{
    if (secrets_type != PCAPNG_SECRETS_TLS) {
        counters.any = true;
        counters.blocks_other++;
        return;
    }
    if (!make_table()) {
        return; /* said; the capture goes on keyless */
    }
    counters.blocks_tls++;
    /* One block is one whole key log text (section 4.7): a parser of its own, finished. */
    struct keylog_parser parser;
    struct block_ctx ctx = {source, offset};
    keylog_parser_init(&parser);
    feed(&parser, cur_data(secrets), cur_len(secrets), report_block_line, &ctx);
    finish(&parser, report_block_line, &ctx);
    keylog_parser_clear(&parser);
}

struct keylog_table *secrets_table(void)
{
    return table;
}

void secrets_get_counters(struct secrets_counters *k)
{
    *k = counters;
    if (table != NULL) {
        k->randoms = keylog_table_entries(table);
        k->dropped = keylog_table_dropped(table);
        /* a dropped line is also reported as a bad one by the parser: counted once, here */
        k->bad_lines = counters.bad_lines >= k->dropped ? counters.bad_lines - k->dropped : 0;
    }
}

static void say_unshown(const struct line_source *src)
{
    if (src->unshown > 0) {
        warnf("%s: %" PRIu64 " more bad lines not shown (the first %d were)", src->name,
              src->unshown, SECRETS_WARNINGS_MAX);
    }
}

void secrets_close(void)
{
    for (size_t i = 0; i < n_files; i++) {
        say_unshown(&files[i].source);
        keylog_parser_clear(&files[i].parser);
        stop_following(&files[i]);
    }
    say_unshown(&blocks_source);
    free(files);
    files = NULL;
    n_files = 0;
    n_following = 0;
    polled = false;
    blocks_source.warned = 0;
    blocks_source.unshown = 0;
    memset(&counters, 0, sizeof(counters));
    keylog_table_free(table);
    table = NULL;
}
