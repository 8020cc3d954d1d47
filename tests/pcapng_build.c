/* Hand-built pcapng bytes for tests (pcapng_build.h). */
#include "pcapng_build.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

void built_init(struct built *x, bool le, size_t cap)
{
    x->cap = cap;
    x->b = calloc(1, cap);
    ck_assert_ptr_nonnull(x->b);
    x->n = 0;
    x->le = le;
}

void built_free(struct built *x)
{
    free(x->b);
    x->b = NULL;
}

void put_at(struct built *x, size_t at, uint32_t v, size_t width)
{
    for (size_t i = 0; i < width; i++) {
        size_t shift = x->le ? 8 * i : 8 * (width - 1 - i);
        x->b[at + i] = (uint8_t)(v >> shift);
    }
}

void put(struct built *x, uint32_t v, size_t width)
{
    ck_assert_uint_le(x->n + width, x->cap);
    put_at(x, x->n, v, width);
    x->n += width;
}

void put_padded(struct built *x, const void *data, size_t n)
{
    ck_assert_uint_le(x->n + n + 3, x->cap);
    if (n > 0) {
        memcpy(x->b + x->n, data, n);
    }
    x->n += n;
    while (x->n % 4 != 0) {
        x->b[x->n++] = 0;
    }
}

size_t block_begin(struct built *x, uint32_t type)
{
    size_t at = x->n;
    put(x, type, 4);
    put(x, 0, 4);
    return at;
}

void block_end(struct built *x, size_t at)
{
    uint32_t len = (uint32_t)(x->n - at + 4);
    put(x, len, 4);
    put_at(x, at + 4, len, 4);
}

void section(struct built *x)
{
    size_t at = block_begin(x, BT_SHB);
    put(x, 0x1A2B3C4D, 4);
    put(x, 1, 2);
    put(x, 0, 2);
    put(x, 0xffffffff, 4);
    put(x, 0xffffffff, 4);
    block_end(x, at);
}
