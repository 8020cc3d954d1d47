/* The Certificate message a CompressedCertificate carries (RFC 8879 4), decompressed by the
 * algorithm's own library into memory charged to the handshake budget. */
#ifndef HSDUMP_DISSECTORS_TLS_CERT_DECOMPRESS_H
#define HSDUMP_DISSECTORS_TLS_CERT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/budget.h"
#include "base/cursor.h"

enum cert_decompress_status {
    CERT_DECOMPRESS_OK,
    CERT_DECOMPRESS_UNSUPPORTED, /* an algorithm without a decoder here (none tried) */
    CERT_DECOMPRESS_CORRUPT,     /* rejected by the decoder, cut short, or bytes after its end */
    CERT_DECOMPRESS_TOO_SHORT,   /* a whole stream of fewer bytes than uncompressed_length */
    CERT_DECOMPRESS_TOO_LONG,    /* more bytes than uncompressed_length: stopped there */
    CERT_DECOMPRESS_BUDGET,      /* the handshake memory budget had no room left */
};

/* What one decompression holds: the decoder's own memory while it runs, then the output. All
 * of it is charged to the budget through entry; cert_decompressed_free gives it back. */
struct cert_decompressed {
    struct budget *budget;
    struct budget_entry entry;
    size_t held;    /* heap bytes charged: the decoder's blocks and the output */
    bool refused;   /* an allocation was refused for the budget */
    uint8_t *bytes; /* the output so far */
    size_t len;
    size_t cap;
    size_t limit; /* uncompressed_length + 1: the output never grows past it */
};

void cert_decompressed_init(struct cert_decompressed *out, struct budget *budget);

/* Decompresses compressed by algorithm (RFC 8879 7.3) into out, which must be freshly
 * initialised. Only CERT_DECOMPRESS_OK leaves exactly uncompressed_length bytes in out. */
enum cert_decompress_status cert_decompress(struct cert_decompressed *out, uint16_t algorithm,
                                            struct cursor compressed,
                                            uint32_t uncompressed_length);

/* The output as a cursor (empty when nothing was decompressed). */
struct cursor cert_decompressed_bytes(const struct cert_decompressed *out);

/* Frees the output and gives its charge back; out may then be initialised again. */
void cert_decompressed_free(struct cert_decompressed *out);

#endif
