/* Bounds-checked reads of big-endian wire data (RFC 8446 3: presentation language). */
#include "cursor.h"

#include <string.h>

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

/* A length prefix and its body are taken together or not at all, so a failed get leaves
 * the prefix unread (unlike BoringSSL's CBS). */
static bool get_vec(struct cursor *c, size_t prefix, struct cursor *out)
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

size_t cur_span(struct cursor c, const bool in_run[256])
{
    size_t n = 0;
    /* four at a time while four are left: one test of the bound per four bytes */
    while (n + 4 <= c.len && in_run[c.p[n]] && in_run[c.p[n + 1]] && in_run[c.p[n + 2]] &&
           in_run[c.p[n + 3]]) {
        n += 4;
    }
    while (n < c.len && in_run[c.p[n]]) {
        n++;
    }
    return n;
}

const uint8_t *cur_data(struct cursor c)
{
    return c.p;
}
