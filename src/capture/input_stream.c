/* Capture files read through a stream of our own (fopencookie(3)), so that libpcap, which
 * reads a FILE, and the pcapng reader see the bytes as if the file held them plainly. zlib's
 * one home. */
#define _GNU_SOURCE
#include "capture/input_stream.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/cursor.h"

/* inflateInit2's windowBits: a 32 KiB window, gzip wrapper only (zlib.h). */
#define GZIP_WINDOW_BITS (15 + 16)

struct gzip_stream {
    FILE *src;
    z_stream z;
    bool member_done; /* the last member ended at its trailer: a clean place to stop */
    bool finished;
    char error[128];  /* empty while all is well */
    uint8_t in[GZIP_STREAM_INPUT];
};

static void gzip_fail(struct gzip_stream *g, const char *why)
{
    snprintf(g->error, sizeof(g->error), "gzip: %s", why);
}

/* Refills the compressed input; false at the end of src (or a read error, noted). */
static bool gzip_refill(struct gzip_stream *g)
{
    size_t n = fread(g->in, 1, sizeof(g->in), g->src);
    if (n == 0) {
        if (ferror(g->src)) {
            gzip_fail(g, strerror(errno != 0 ? errno : EIO));
        }
        return false;
    }
    g->z.next_in = g->in;
    g->z.avail_in = (uInt)n;
    return true;
}

/* After a member's trailer: another member (gzip -d reads concatenated files as one), or the
 * end. Bytes that do not start a member are ignored, as gzip -d and zlib's gzread do. */
static bool gzip_next_member(struct gzip_stream *g)
{
    uint8_t id1;
    if (!cur_peek_u8(cur_make(g->z.next_in, g->z.avail_in), 0, &id1) || id1 != 0x1f) {
        return false;
    }
    g->member_done = false;
    return inflateReset(&g->z) == Z_OK;
}

static ssize_t gzip_read(void *cookie, char *buf, size_t size)
{
    struct gzip_stream *g = cookie;
    if (size > UINT32_MAX) {
        size = UINT32_MAX;
    }
    g->z.next_out = (Bytef *)buf;
    g->z.avail_out = (uInt)size;
    while (!g->finished && g->error[0] == '\0' && g->z.avail_out == size) {
        if (g->z.avail_in == 0 && !gzip_refill(g)) {
            if (g->error[0] == '\0' && !g->member_done) {
                gzip_fail(g, "the compressed data ends early (truncated file)");
            }
            g->finished = true;
            break;
        }
        if (g->member_done && !gzip_next_member(g)) {
            g->finished = true;
            break;
        }
        int rc = inflate(&g->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            g->member_done = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            gzip_fail(g, g->z.msg != NULL ? g->z.msg : "corrupt compressed data");
        }
    }
    size_t produced = size - g->z.avail_out;
    if (produced == 0 && g->error[0] != '\0') {
        errno = EIO;
        return -1;
    }
    return (ssize_t)produced;
}

static int gzip_close(void *cookie)
{
    struct gzip_stream *g = cookie;
    inflateEnd(&g->z);
    int rc = g->src != stdin ? fclose(g->src) : 0;
    g->src = NULL;
    return rc;
}

FILE *gzip_stream_open(FILE *src, struct gzip_stream **gz)
{
    struct gzip_stream *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        return NULL;
    }
    g->src = src;
    /* the magic the caller consumed to recognise the file */
    g->in[0] = 0x1f;
    g->in[1] = 0x8b;
    g->z.next_in = g->in;
    g->z.avail_in = 2;
    if (inflateInit2(&g->z, GZIP_WINDOW_BITS) != Z_OK) {
        free(g);
        errno = ENOMEM;
        return NULL;
    }
    cookie_io_functions_t io = {.read = gzip_read, .close = gzip_close};
    FILE *fp = fopencookie(g, "rb", io);
    if (fp == NULL) {
        inflateEnd(&g->z);
        free(g);
        return NULL;
    }
    *gz = g;
    return fp;
}

const char *gzip_stream_error(const struct gzip_stream *gz)
{
    return gz != NULL && gz->error[0] != '\0' ? gz->error : NULL;
}

void gzip_stream_free(struct gzip_stream *gz)
{
    free(gz);
}

struct replay_stream {
    uint8_t *prefix;
    size_t len;
    size_t pos;
    FILE *rest;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    struct replay_stream *r = cookie;
    if (r->pos < r->len) {
        size_t n = r->len - r->pos < size ? r->len - r->pos : size;
        memcpy(buf, r->prefix + r->pos, n);
        r->pos += n;
        return (ssize_t)n;
    }
    size_t n = fread(buf, 1, size, r->rest);
    if (n == 0 && ferror(r->rest)) {
        return -1; /* errno from the failed read */
    }
    return (ssize_t)n;
}

static int replay_close(void *cookie)
{
    struct replay_stream *r = cookie;
    int rc = r->rest != stdin ? fclose(r->rest) : 0;
    OPENSSL_cleanse(r->prefix, r->len); /* it may hold a Decryption Secrets Block */
    free(r->prefix);
    free(r);
    return rc;
}

FILE *replay_stream_open(uint8_t *prefix, size_t len, FILE *rest)
{
    struct replay_stream *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    r->prefix = prefix;
    r->len = len;
    r->rest = rest;
    cookie_io_functions_t io = {.read = replay_read, .close = replay_close};
    FILE *fp = fopencookie(r, "rb", io);
    if (fp == NULL) {
        free(r);
    }
    return fp;
}

struct watch_stream {
    FILE *src;
    stream_observe_fn observe;
    void *ctx;
};

/* glibc reads a request as large as src's buffer straight into buf, so the watch costs no
 * copy: one call per buffer of the stream above. */
static ssize_t watch_read(void *cookie, char *buf, size_t size)
{
    struct watch_stream *w = cookie;
    size_t n = fread(buf, 1, size, w->src);
    if (n == 0 && ferror(w->src)) {
        return -1; /* errno from the failed read */
    }
    w->observe(w->ctx, (const uint8_t *)buf, n);
    return (ssize_t)n;
}

static int watch_close(void *cookie)
{
    struct watch_stream *w = cookie;
    int rc = w->src != stdin ? fclose(w->src) : 0;
    free(w);
    return rc;
}

FILE *watch_stream_open(FILE *src, stream_observe_fn observe, void *ctx)
{
    struct watch_stream *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return NULL;
    }
    w->src = src;
    w->observe = observe;
    w->ctx = ctx;
    cookie_io_functions_t io = {.read = watch_read, .close = watch_close};
    FILE *fp = fopencookie(w, "rb", io);
    if (fp == NULL) {
        free(w);
    }
    return fp;
}
