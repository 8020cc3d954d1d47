/* Hand-built pcapng bytes for tests (draft-ietf-opsawg-pcapng): blocks written in the byte
 * order of their section, for what no Debian tool writes. */
#ifndef HSDUMP_TESTS_PCAPNG_BUILD_H
#define HSDUMP_TESTS_PCAPNG_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_OPB 2u
#define BT_SPB 3u
#define BT_EPB 6u

/* Bytes of a hand-built stream, in the byte order of its section (le: little-endian). */
struct built {
    uint8_t *b;
    size_t n;
    size_t cap;
    bool le;
};

void built_init(struct built *x, bool le, size_t cap);
void built_free(struct built *x);
/* v as width bytes (1, 2 or 4) at offset at / at the end. */
void put_at(struct built *x, size_t at, uint32_t v, size_t width);
void put(struct built *x, uint32_t v, size_t width);
/* Bytes then zeros up to 32 bits (sections 3.5 and 4.7's padding). */
void put_padded(struct built *x, const void *data, size_t n);
/* A block of this type begins: returns where, for block_end. */
size_t block_begin(struct built *x, uint32_t type);
/* Block Total Length, at both ends (section 3.1). */
void block_end(struct built *x, size_t at);
/* Section 4.1: magic, version 1.0, section length -1 (unknown), no options. */
void section(struct built *x);

#endif
