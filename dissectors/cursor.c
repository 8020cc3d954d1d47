/* Bounds-checked reads of big-endian wire data (RFC 8446 3: presentation language). */
#include "cursor.h"

#include <string.h>

struct cursor cur_make(const uint8_t *p, size_t len)
{
    struct cursor c = {p, p ? len : 0};
    return c;
}

/* Reads n (<= 4) bytes as a big-endian number; all-or-nothing. */
static bool get_be(struct cursor *c, size_t n, uint32_t *out)
{
    if (n > c->len) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | c->p[i];
    }
    c->p += n;
    c->len -= n;
    *out = v;
    return true;
}

bool cur_get_u8(struct cursor *c, uint8_t *out)
{
    uint32_t v;
    if (!get_be(c, 1, &v)) {
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

bool cur_get_u16(struct cursor *c, uint16_t *out)
{
    uint32_t v;
    if (!get_be(c, 2, &v)) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

bool cur_get_u24(struct cursor *c, uint32_t *out)
{
    return get_be(c, 3, out);
}

bool cur_get_u32(struct cursor *c, uint32_t *out)
{
    return get_be(c, 4, out);
}

bool cur_get_varint(struct cursor *c, uint64_t *out)
{
    if (c->len == 0) {
        return false;
    }
    /* RFC 9000 16: the two high bits of the first byte give the length, 1 << bits bytes. */
    size_t n = (size_t)1 << (c->p[0] >> 6);
    if (n > c->len) {
        return false;
    }
    uint64_t v = c->p[0] & 0x3f;
    for (size_t i = 1; i < n; i++) {
        v = (v << 8) | c->p[i];
    }
    c->p += n;
    c->len -= n;
    *out = v;
    return true;
}

bool cur_get_bytes(struct cursor *c, size_t n, struct cursor *out)
{
    if (n > c->len) {
        return false;
    }
    out->p = c->p;
    out->len = n;
    c->p += n;
    c->len -= n;
    return true;
}

/* A length prefix and its body are taken together or not at all, so a failed get leaves
 * the prefix unread (unlike BoringSSL's CBS). */
static bool get_vec(struct cursor *c, size_t prefix, struct cursor *out)
{
    struct cursor probe = *c;
    uint32_t n;
    struct cursor body;
    if (!get_be(&probe, prefix, &n) || !cur_get_bytes(&probe, n, &body)) {
        return false;
    }
    *c = probe;
    *out = body;
    return true;
}

bool cur_get_vec8(struct cursor *c, struct cursor *out)
{
    return get_vec(c, 1, out);
}

bool cur_get_vec16(struct cursor *c, struct cursor *out)
{
    return get_vec(c, 2, out);
}

bool cur_get_vec24(struct cursor *c, struct cursor *out)
{
    return get_vec(c, 3, out);
}

bool cur_skip(struct cursor *c, size_t n)
{
    struct cursor ignored;
    return cur_get_bytes(c, n, &ignored);
}

struct cursor cur_take_upto(struct cursor *c, size_t n)
{
    struct cursor out = {c->p, n < c->len ? n : c->len};
    c->p += out.len;
    c->len -= out.len;
    return out;
}

bool cur_peek_u8(struct cursor c, size_t i, uint8_t *out)
{
    return cur_skip(&c, i) && cur_get_u8(&c, out);
}

bool cur_peek_u16(struct cursor c, size_t i, uint16_t *out)
{
    return cur_skip(&c, i) && cur_get_u16(&c, out);
}

size_t cur_offset(struct cursor start, struct cursor now)
{
    return start.len >= now.len ? start.len - now.len : 0;
}

void cur_copy(struct cursor c, uint8_t *dst)
{
    if (c.len > 0) {
        memmove(dst, c.p, c.len);
    }
}

bool cur_equal(struct cursor a, const uint8_t *b, size_t blen)
{
    return a.len == blen && (blen == 0 || memcmp(a.p, b, blen) == 0);
}

const uint8_t *cur_data(struct cursor c)
{
    return c.p;
}
