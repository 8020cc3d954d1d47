/* The bounds-checked cursor: the only code that dereferences or advances wire pointers. */
#ifndef HSDUMP_DISSECTORS_CURSOR_H
#define HSDUMP_DISSECTORS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CUR_MUST_USE __attribute__((warn_unused_result))

/* A borrowed view of bytes, copied by value, never owning. Every getter either succeeds
 * fully or changes nothing (cursor and *out untouched); bounds are compared as lengths. */
struct cursor {
    const uint8_t *p;
    size_t len;
};

struct cursor cur_make(const uint8_t *p, size_t len);

static inline size_t cur_len(struct cursor c)
{
    return c.len;
}

CUR_MUST_USE bool cur_get_u8(struct cursor *c, uint8_t *out);
CUR_MUST_USE bool cur_get_u16(struct cursor *c, uint16_t *out); /* big-endian, like all below */
CUR_MUST_USE bool cur_get_u24(struct cursor *c, uint32_t *out);
CUR_MUST_USE bool cur_get_u32(struct cursor *c, uint32_t *out);
/* RFC 9000 16: a QUIC variable-length integer, 1, 2, 4 or 8 bytes, 0..2^62-1. */
CUR_MUST_USE bool cur_get_varint(struct cursor *c, uint64_t *out);
CUR_MUST_USE bool cur_get_bytes(struct cursor *c, size_t n, struct cursor *out);
CUR_MUST_USE bool cur_get_vec8(struct cursor *c, struct cursor *out);  /* opaque x<0..2^8-1> */
CUR_MUST_USE bool cur_get_vec16(struct cursor *c, struct cursor *out); /* opaque x<0..2^16-1> */
CUR_MUST_USE bool cur_get_vec24(struct cursor *c, struct cursor *out); /* opaque x<0..2^24-1> */
CUR_MUST_USE bool cur_skip(struct cursor *c, size_t n);

/* Takes min(n, cur_len(*c)) bytes: for clamped copies and skips that cannot fail. */
struct cursor cur_take_upto(struct cursor *c, size_t n);

/* Reads without consuming: the byte at offset i, or the u16 at offset i. */
CUR_MUST_USE bool cur_peek_u8(struct cursor c, size_t i, uint8_t *out);
CUR_MUST_USE bool cur_peek_u16(struct cursor c, size_t i, uint16_t *out);

/* Bytes consumed between a start cursor and a later state of the same cursor (for at=). */
size_t cur_offset(struct cursor start, struct cursor now);

/* Copies all of c into dst, which must have room for cur_len(c) bytes; the two may overlap. */
void cur_copy(struct cursor c, uint8_t *dst);

/* The first byte's address, only for handing bytes to a library that takes a pointer
 * (libnids); never for reading them. */
const uint8_t *cur_data(struct cursor c);

/* True when both views hold the same bytes. */
bool cur_equal(struct cursor a, const uint8_t *b, size_t blen);

#endif
