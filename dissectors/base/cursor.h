/* The bounds-checked cursor: the only code that dereferences or advances wire pointers. */
#ifndef HSDUMP_DISSECTORS_CURSOR_H
#define HSDUMP_DISSECTORS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CUR_MUST_USE __attribute__((warn_unused_result))

/* A borrowed view of bytes, copied by value, never owning. Every getter either succeeds
 * fully or changes nothing (cursor and *out untouched); bounds are compared as lengths. */
struct cursor {
    const uint8_t *p;
    size_t len;
};

/* The hot getters are inline (every packet and every printed byte goes through them);
 * they are still the only code, with cursor.c, that dereferences or advances p. */

static inline struct cursor cur_make(const uint8_t *p, size_t len)
{
    struct cursor c = {p, p ? len : 0};
    return c;
}

static inline size_t cur_len(struct cursor c)
{
    return c.len;
}

/* Reads n (1 to 4) bytes as a big-endian number; all-or-nothing. Spelt out per width, not
 * as a loop: gcc does not unroll the loop at -O2 but folds the switch for a constant n and
 * makes the four-byte case one load and a byte swap. */
static inline bool cur_get_be_(struct cursor *c, size_t n, uint32_t *out)
{
    if (n > c->len) {
        return false;
    }
    const uint8_t *p = c->p;
    switch (n) {
    case 1:
        *out = p[0];
        break;
    case 2:
        *out = (uint32_t)p[0] << 8 | p[1];
        break;
    case 3:
        *out = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        break;
    default:
        *out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        break;
    }
    c->p += n;
    c->len -= n;
    return true;
}

CUR_MUST_USE static inline bool cur_get_u8(struct cursor *c, uint8_t *out)
{
    if (c->len == 0) {
        return false;
    }
    *out = c->p[0];
    c->p++;
    c->len--;
    return true;
}

/* big-endian, like all below */
CUR_MUST_USE static inline bool cur_get_u16(struct cursor *c, uint16_t *out)
{
    uint32_t v;
    if (!cur_get_be_(c, 2, &v)) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

CUR_MUST_USE static inline bool cur_get_u24(struct cursor *c, uint32_t *out)
{
    return cur_get_be_(c, 3, out);
}

CUR_MUST_USE static inline bool cur_get_u32(struct cursor *c, uint32_t *out)
{
    return cur_get_be_(c, 4, out);
}

CUR_MUST_USE static inline bool cur_get_bytes(struct cursor *c, size_t n, struct cursor *out)
{
    if (n > c->len) {
        return false;
    }
    out->p = c->p;
    out->len = n;
    if (n > 0) { /* NULL + 0 is undefined in C: an empty view may have no pointer */
        c->p += n;
        c->len -= n;
    }
    return true;
}

CUR_MUST_USE static inline bool cur_skip(struct cursor *c, size_t n)
{
    struct cursor ignored;
    return cur_get_bytes(c, n, &ignored);
}

/* RFC 9000 16: a QUIC variable-length integer, 1, 2, 4 or 8 bytes, 0..2^62-1. */
CUR_MUST_USE bool cur_get_varint(struct cursor *c, uint64_t *out);

/* A length prefix and its body are taken together or not at all, so a failed get leaves
 * the prefix unread (unlike BoringSSL's CBS). */
static inline bool cur_get_vec_(struct cursor *c, size_t prefix, struct cursor *out)
{
    struct cursor probe = *c;
    uint32_t n;
    struct cursor body;
    if (!cur_get_be_(&probe, prefix, &n) || !cur_get_bytes(&probe, n, &body)) {
        return false;
    }
    *c = probe;
    *out = body;
    return true;
}

/* opaque x<0..2^8-1> */
CUR_MUST_USE static inline bool cur_get_vec8(struct cursor *c, struct cursor *out)
{
    return cur_get_vec_(c, 1, out);
}

/* opaque x<0..2^16-1> */
CUR_MUST_USE static inline bool cur_get_vec16(struct cursor *c, struct cursor *out)
{
    return cur_get_vec_(c, 2, out);
}

/* opaque x<0..2^24-1> */
CUR_MUST_USE static inline bool cur_get_vec24(struct cursor *c, struct cursor *out)
{
    return cur_get_vec_(c, 3, out);
}

/* Takes min(n, cur_len(*c)) bytes: for clamped copies and skips that cannot fail. */
static inline struct cursor cur_take_upto(struct cursor *c, size_t n)
{
    struct cursor out = {c->p, n < c->len ? n : c->len};
    if (out.len > 0) {
        c->p += out.len;
        c->len -= out.len;
    }
    return out;
}

/* Reads without consuming: the byte at offset i, or the u16 at offset i. */
CUR_MUST_USE static inline bool cur_peek_u8(struct cursor c, size_t i, uint8_t *out)
{
    return cur_skip(&c, i) && cur_get_u8(&c, out);
}

CUR_MUST_USE static inline bool cur_peek_u16(struct cursor c, size_t i, uint16_t *out)
{
    return cur_skip(&c, i) && cur_get_u16(&c, out);
}

/* The length of the leading run of bytes b with in_run[b] true: a printer copies such a run
 * whole (cur_take_upto, cur_copy) instead of byte by byte. */
size_t cur_span(struct cursor c, const bool in_run[256]);

/* Bytes consumed between a start cursor and a later state of the same cursor (for at=). */
size_t cur_offset(struct cursor start, struct cursor now);

/* Copies all of c into dst, which must have room for cur_len(c) bytes; the two may overlap. */
static inline void cur_copy(struct cursor c, uint8_t *dst)
{
    if (c.len > 0) {
        memmove(dst, c.p, c.len);
    }
}

/* The first byte's address, only for handing bytes to a library that takes a pointer
 * (libnids); never for reading them. */
const uint8_t *cur_data(struct cursor c);

/* True when both views hold the same bytes. */
bool cur_equal(struct cursor a, const uint8_t *b, size_t blen);

#endif
