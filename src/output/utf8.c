/* RFC 3629 section 4: the byte sequences that are UTF-8, as its ABNF lists them. */
#include "output/utf8.h"

/* The lead byte's sequence length and the range its first continuation byte must lie in:
 * the ranges exclude overlong forms (E0, F0), surrogates (ED) and code points past U+10FFFF
 * (F4); every later continuation byte is 80-BF. */
struct lead {
    uint8_t len;
    uint8_t lo, hi;
};

static struct lead lead_of(uint8_t c)
{
    if (c >= 0xc2 && c <= 0xdf) {
        return (struct lead){2, 0x80, 0xbf};
    }
    if (c == 0xe0) {
        return (struct lead){3, 0xa0, 0xbf};
    }
    if (c == 0xed) {
        return (struct lead){3, 0x80, 0x9f};
    }
    if (c >= 0xe1 && c <= 0xef) {
        return (struct lead){3, 0x80, 0xbf};
    }
    if (c == 0xf0) {
        return (struct lead){4, 0x90, 0xbf};
    }
    if (c >= 0xf1 && c <= 0xf3) {
        return (struct lead){4, 0x80, 0xbf};
    }
    if (c == 0xf4) {
        return (struct lead){4, 0x80, 0x8f};
    }
    return (struct lead){0, 0, 0};
}

size_t utf8_sequence(struct cursor s, uint32_t *code_point)
{
    uint8_t c;
    if (!cur_get_u8(&s, &c)) {
        return 0;
    }
    struct lead lead = lead_of(c);
    if (lead.len == 0) {
        return 0;
    }
    uint32_t cp = c & (0x7f >> lead.len);
    for (size_t i = 1; i < lead.len; i++) {
        uint8_t lo = i == 1 ? lead.lo : 0x80, hi = i == 1 ? lead.hi : 0xbf;
        if (!cur_get_u8(&s, &c) || c < lo || c > hi) {
            return 0;
        }
        cp = cp << 6 | (c & 0x3f);
    }
    *code_point = cp;
    return lead.len;
}
