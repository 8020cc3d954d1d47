/* Printed endpoint form: IPv6 in brackets so the port stays unambiguous (RFC 5952 6).
 * Formatted once per connection, but that is most of what a short connection costs beyond
 * its handshake: decimals by hand, not through snprintf. */
#include "output/endpoint.h"

#include <stdbool.h>
#include <string.h>

/* Appends the decimal digits of v at p; returns the end. */
static char *put_decimal(char *p, unsigned v)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        *p++ = digits[--n];
    }
    return p;
}

static char *put_ipv4(char *p, const uint8_t a[4])
{
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            *p++ = '.';
        }
        p = put_decimal(p, a[i]);
    }
    return p;
}

static char *put_hex16(char *p, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned digit = (v >> shift) & 0xf;
        if (digit != 0 || started || shift == 0) {
            *p++ = hex[digit];
            started = true;
        }
    }
    return p;
}

/* RFC 5952 4, as glibc's inet_ntop writes it (printf per group was most of its cost): the
 * longest run of two or more zero groups (the first of equal ones) as "::", and the last 32
 * bits in dotted decimal for ::a.b.c.d and ::ffff:a.b.c.d. */
static char *put_ipv6(char *p, const uint8_t a[16])
{
    unsigned words[8];
    int best = -1, best_len = 0;
    for (int i = 0, run = -1; i < 8; i++) {
        words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        if (words[i] != 0) {
            run = -1;
            continue;
        }
        if (run < 0) {
            run = i;
        }
        if (i - run + 1 > best_len) {
            best = run;
            best_len = i - run + 1;
        }
    }
    if (best_len < 2) {
        best = -1;
    }
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) {
                *p++ = ':';
            }
            continue;
        }
        if (i > 0) {
            *p++ = ':';
        }
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
            return put_ipv4(p, a + 12);
        }
        p = put_hex16(p, words[i]);
    }
    if (best >= 0 && best + best_len == 8) {
        *p++ = ':';
    }
    return p;
}

const char *endpoint_format(const struct endpoint *e, char *buf, size_t cap)
{
    char text[ENDPOINT_STR_MAX];
    char *p = text;
    if (e->family == 6) {
        *p++ = '[';
        p = put_ipv6(p, e->addr);
        *p++ = ']';
    } else {
        p = put_ipv4(p, e->addr);
    }
    *p++ = ':';
    p = put_decimal(p, e->port);
    *p = '\0';
    if (cap > 0) {
        size_t n = (size_t)(p - text) < cap ? (size_t)(p - text) : cap - 1;
        memcpy(buf, text, n);
        buf[n] = '\0';
    }
    return buf;
}
