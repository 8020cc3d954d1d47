/* Key log files read into the one secrets table (secrets.h). */
#include "capture/secrets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/keylog.h"
#include "messages.h"

static struct keylog_table *table;

struct bad_line_ctx {
    const char *path;
};

/* One warning a bad line, with its number: a key log is never fatal (hsdump.1). */
static void report_bad_line(void *ctx, uint64_t line_no, const char *expected)
{
    const struct bad_line_ctx *b = ctx;
    warnf("%s:%llu: not a key log line: expected %s", b->path, (unsigned long long)line_no,
          expected);
}

static bool read_keylog(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        errorf("--keylog %s: %s", path, strerror(errno));
        return false;
    }
    struct keylog_parser parser;
    struct bad_line_ctx ctx = {path};
    uint8_t chunk[16384];
    size_t n;
    keylog_parser_init(&parser);
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        keylog_parser_feed(&parser, table, chunk, n, report_bad_line, &ctx);
    }
    bool ok = !ferror(fp);
    if (!ok) {
        errorf("--keylog %s: %s", path, strerror(errno));
    }
    keylog_parser_finish(&parser, table, report_bad_line, &ctx);
    keylog_parser_clear(&parser);
    OPENSSL_cleanse(chunk, sizeof(chunk));
    fclose(fp);
    return ok;
}

bool secrets_open_keylogs(const char *const *paths, size_t n)
{
    if (n == 0) {
        return true;
    }
    if (table == NULL && (table = keylog_table_new(0)) == NULL) {
        errorf("out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!read_keylog(paths[i])) {
            return false;
        }
    }
    return true;
}

struct keylog_table *secrets_table(void)
{
    return table;
}

void secrets_close(void)
{
    keylog_table_free(table);
    table = NULL;
}
