/* stdio streams a capture file is read through when it is not read as it lies: gzip-
 * compressed files, the first bytes of a pcapng file read once to look at its interfaces
 * and handed out again, and a pcapng file's bytes shown to an observer on their way. */
#ifndef HSDUMP_SRC_CAPTURE_INPUT_STREAM_H
#define HSDUMP_SRC_CAPTURE_INPUT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Compressed bytes read at a time (the decompressed side has the FILE's own buffer). */
#define GZIP_STREAM_INPUT (64 * 1024)

struct gzip_stream;

/* A stream of the decompressed bytes of src (RFC 1952, members one after the other as gzip -d
 * reads them), whose first two bytes, the magic 1f 8b, the caller has already read. Closing the
 * stream closes src unless it is stdin; *gz stays for gzip_stream_error() until
 * gzip_stream_free(). NULL with errno set on failure (src is left open). A corrupt or cut
 * stream ends with a read error (errno EIO) and its reason in gzip_stream_error(). */
FILE *gzip_stream_open(FILE *src, struct gzip_stream **gz);
/* Why the stream failed ("gzip: invalid block type"), or NULL while it has not. */
const char *gzip_stream_error(const struct gzip_stream *gz);
void gzip_stream_free(struct gzip_stream *gz); /* after the stream is closed; accepts NULL */

/* A stream that gives prefix[0..len) then the rest of rest: bytes already read from a stream
 * that cannot seek back. Takes prefix (malloc'd) and frees it on close; closing closes rest
 * unless it is stdin. NULL with errno set on failure (nothing is taken then). */
FILE *replay_stream_open(uint8_t *prefix, size_t len, FILE *rest);

/* A stream that gives src's bytes unchanged and shows each of them to observe, once, in
 * order, as the reader takes them in (a whole stdio buffer at a time, so observe sees bytes
 * up to one buffer before the reader looks at them). Closing it closes src unless it is
 * stdin. NULL with errno set on failure (src is left open). */
typedef void (*stream_observe_fn)(void *ctx, const uint8_t *data, size_t len);
FILE *watch_stream_open(FILE *src, stream_observe_fn observe, void *ctx);

#endif
