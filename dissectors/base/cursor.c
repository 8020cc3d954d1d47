/* Bounds-checked reads of big-endian wire data (RFC 8446 3: presentation language). */
#include "base/cursor.h"

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

size_t cur_offset(struct cursor start, struct cursor now)
{
    return start.len >= now.len ? start.len - now.len : 0;
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
