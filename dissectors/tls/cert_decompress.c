/* RFC 8879 4: the compressed_certificate_message of a CompressedCertificate, decompressed with
 * the reference library of its algorithm (RFC 8879 7.3: zlib RFC 1950, brotli RFC 7932,
 * zstd RFC 8478): the only home of zlib's inflate, libbrotlidec and libzstd. The peer's
 * uncompressed_length is only a claim, so the output grows with the bytes the decoder produces
 * and never past uncompressed_length + 1: one byte more proves the claim wrong (a
 * decompression bomb claims little and expands a lot) and stops the decoder there. Every
 * block the decoders allocate and the output are charged to the handshake memory budget. */
#include "tls/cert_decompress.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST /* next_in is const: the message's bytes are only read */
#include <zlib.h>
#include <brotli/decode.h>
/* ZSTD_createDCtx_advanced, the one way to see what the decoder allocates, is declared in
 * zstd.h's "experimental" part; libzstd.so exports it (ZSTDLIB_STATIC_API is visible) and its
 * ZSTD_customMem has kept its three members since zstd 1.0. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "base/names.h"

/* The output's first allocation: a certificate chain is a few KiB. */
#define OUTPUT_FIRST 4096u
/* Each decoder block starts with its size, so that a free callback, which gets only the
 * address, can give its charge back; the header keeps the block maximally aligned. */
#define BLOCK_HEADER ((size_t)_Alignof(max_align_t))

void cert_decompressed_init(struct cert_decompressed *out, struct budget *budget)
{
    memset(out, 0, sizeof(*out));
    out->budget = budget;
}

struct cursor cert_decompressed_bytes(const struct cert_decompressed *out)
{
    return cur_make(out->bytes, out->len);
}

void cert_decompressed_free(struct cert_decompressed *out)
{
    struct budget *budget = out->budget;
    budget_release(budget, &out->entry);
    free(out->bytes);
    cert_decompressed_init(out, budget);
}

/* Another holder's charge dropped this one: nothing can be freed in the middle of a
 * decompression, and the memory goes back when the message is done (cert_decompressed_free). */
static void evicted(struct budget_entry *e)
{
    (void)e;
}

/* Sets the charge to held bytes; more is granted only while the whole budget stays within
 * its limit, since the other holders (this message's own joined bytes among them) are in
 * use. */
static bool charge(struct cert_decompressed *out, size_t held)
{
    if (held > out->held && (out->refused || !budget_charge_within(out->budget, &out->entry,
                                                                   held, evicted))) {
        out->refused = true;
        return false;
    }
    if (held <= out->held) {
        (void)budget_charge(out->budget, &out->entry, held, evicted); /* less: never refused */
    }
    out->held = held;
    return true;
}

static void *block_alloc(void *opaque, size_t size)
{
    struct cert_decompressed *out = opaque;
    if (size > SIZE_MAX / 4 || /* no sum below can wrap */
        !charge(out, out->held + budget_heap_size(size + BLOCK_HEADER))) {
        return NULL;
    }
    unsigned char *block = malloc(size + BLOCK_HEADER);
    if (block == NULL) {
        (void)charge(out, out->held - budget_heap_size(size + BLOCK_HEADER));
        out->refused = true;
        return NULL;
    }
    memcpy(block, &size, sizeof(size));
    return block + BLOCK_HEADER;
}

static void block_free(void *opaque, void *address)
{
    struct cert_decompressed *out = opaque;
    if (address == NULL) {
        return;
    }
    unsigned char *block = (unsigned char *)address - BLOCK_HEADER;
    size_t size;
    memcpy(&size, block, sizeof(size));
    free(block);
    (void)charge(out, out->held - budget_heap_size(size + BLOCK_HEADER));
}

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    if (size != 0 && (size_t)items > SIZE_MAX / size) {
        return NULL;
    }
    return block_alloc(opaque, (size_t)items * size);
}

static void zlib_free(voidpf opaque, voidpf address)
{
    block_free(opaque, address);
}

/* Room for more output: doubling from OUTPUT_FIRST, never past limit. False when the output
 * is at its limit or the budget refuses. */
static bool grow_output(struct cert_decompressed *out)
{
    if (out->cap == out->limit) {
        return false;
    }
    size_t cap = out->cap == 0 ? OUTPUT_FIRST : out->cap * 2;
    if (cap > out->limit) {
        cap = out->limit;
    }
    size_t before = out->held;
    if (!charge(out, before - budget_heap_size(out->cap) + budget_heap_size(cap))) {
        return false;
    }
    uint8_t *grown = realloc(out->bytes, cap);
    if (grown == NULL) {
        (void)charge(out, before);
        out->refused = true;
        return false;
    }
    out->bytes = grown;
    out->cap = cap;
    return true;
}

/* Why the output could not grow: the budget, or the claim exceeded. */
static enum cert_decompress_status no_room(const struct cert_decompressed *out)
{
    return out->refused ? CERT_DECOMPRESS_BUDGET : CERT_DECOMPRESS_TOO_LONG;
}

/* Why a decoder gave up: a refused allocation, or data it cannot decode. */
static enum cert_decompress_status failed(const struct cert_decompressed *out)
{
    return out->refused ? CERT_DECOMPRESS_BUDGET : CERT_DECOMPRESS_CORRUPT;
}

/* RFC 1950 (zlib format), inflate(3) as zlib.h documents it. */
static enum cert_decompress_status decompress_zlib(struct cert_decompressed *out,
                                                   struct cursor in)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zlib_alloc;
    zs.zfree = zlib_free;
    zs.opaque = out;
    if (inflateInit(&zs) != Z_OK) {
        return failed(out);
    }
    zs.next_in = cur_data(in);
    zs.avail_in = (uInt)cur_len(in); /* at most 2^24-1 (RFC 8879 4) */
    enum cert_decompress_status status;
    for (;;) {
        if (out->len == out->cap && !grow_output(out)) {
            status = no_room(out);
            break;
        }
        zs.next_out = out->bytes + out->len;
        zs.avail_out = (uInt)(out->cap - out->len);
        int rc = inflate(&zs, Z_NO_FLUSH);
        out->len = out->cap - zs.avail_out;
        if (rc == Z_STREAM_END) {
            status = zs.avail_in == 0 ? CERT_DECOMPRESS_OK : CERT_DECOMPRESS_CORRUPT;
            break;
        }
        /* Z_BUF_ERROR with output room left: the input ended before the stream did */
        if (rc != Z_OK) {
            status = failed(out);
            break;
        }
    }
    inflateEnd(&zs);
    return status;
}

/* RFC 7932, BrotliDecoderDecompressStream as brotli/decode.h documents it. */
static enum cert_decompress_status decompress_brotli(struct cert_decompressed *out,
                                                     struct cursor in)
{
    BrotliDecoderState *s = BrotliDecoderCreateInstance(block_alloc, block_free, out);
    if (s == NULL) {
        return failed(out);
    }
    const uint8_t *next_in = cur_data(in);
    size_t avail_in = cur_len(in);
    enum cert_decompress_status status;
    for (;;) {
        if (out->len == out->cap && !grow_output(out)) {
            status = no_room(out);
            break;
        }
        uint8_t *next_out = out->bytes + out->len;
        size_t avail_out = out->cap - out->len;
        size_t unread = avail_in;
        BrotliDecoderResult r =
            BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
        bool progress = avail_in < unread || out->cap - avail_out > out->len;
        out->len = out->cap - avail_out;
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            status = avail_in == 0 ? CERT_DECOMPRESS_OK : CERT_DECOMPRESS_CORRUPT;
            break;
        }
        /* NEEDS_MORE_INPUT: the input ended before the stream did; a decoder that asks for
         * room it has without moving would loop for ever */
        if (r != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT || (!progress && avail_out > 0)) {
            status = failed(out);
            break;
        }
    }
    BrotliDecoderDestroyInstance(s);
    return status;
}

/* RFC 8478 3: frames one after the other, as ZSTD_decompressStream reads them (zstd.h). */
static enum cert_decompress_status decompress_zstd(struct cert_decompressed *out,
                                                   struct cursor in)
{
    ZSTD_customMem mem = {block_alloc, block_free, out};
    ZSTD_DCtx *dctx = ZSTD_createDCtx_advanced(mem);
    if (dctx == NULL) {
        return failed(out);
    }
    ZSTD_inBuffer src = {cur_data(in), cur_len(in), 0};
    enum cert_decompress_status status;
    for (;;) {
        if (out->len == out->cap && !grow_output(out)) {
            status = no_room(out);
            break;
        }
        ZSTD_outBuffer dst = {out->bytes, out->cap, out->len};
        size_t consumed = src.pos;
        size_t left = ZSTD_decompressStream(dctx, &dst, &src);
        bool progress = src.pos > consumed || dst.pos > out->len;
        out->len = dst.pos;
        if (ZSTD_isError(left)) {
            status = failed(out);
            break;
        }
        if (left == 0 && src.pos == src.size) {
            status = CERT_DECOMPRESS_OK; /* the last frame is complete and flushed */
            break;
        }
        /* all input read, output room left, a frame unfinished: cut short */
        if (dst.pos < dst.size && (src.pos == src.size || !progress)) {
            status = CERT_DECOMPRESS_CORRUPT;
            break;
        }
    }
    ZSTD_freeDCtx(dctx);
    return status;
}

enum cert_decompress_status cert_decompress(struct cert_decompressed *out, uint16_t algorithm,
                                            struct cursor compressed,
                                            uint32_t uncompressed_length)
{
    enum cert_decompress_status (*decompress)(struct cert_decompressed *, struct cursor);
    switch (algorithm) {
    case CERT_COMPRESSION_zlib:
        decompress = decompress_zlib;
        break;
    case CERT_COMPRESSION_brotli:
        decompress = decompress_brotli;
        break;
    case CERT_COMPRESSION_zstd:
        decompress = decompress_zstd;
        break;
    default:
        return CERT_DECOMPRESS_UNSUPPORTED;
    }
    out->limit = (size_t)uncompressed_length + 1;
    enum cert_decompress_status status = decompress(out, compressed);
    /* RFC 8879 4: a size other than uncompressed_length is a bad_certificate */
    if (status == CERT_DECOMPRESS_OK && out->len != uncompressed_length) {
        status = out->len < uncompressed_length ? CERT_DECOMPRESS_TOO_SHORT
                                                : CERT_DECOMPRESS_TOO_LONG;
    }
    return status;
}
