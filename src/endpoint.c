/* Printed endpoint form: IPv6 in brackets so the port stays unambiguous (RFC 5952 6).
 * Formatted once per connection, but that is most of what a short connection costs beyond
 * its handshake: decimals by hand, not through snprintf. */
#include "endpoint.h"

#include <arpa/inet.h>
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

const char *endpoint_format(const struct endpoint *e, char *buf, size_t cap)
{
    char text[ENDPOINT_STR_MAX];
    char *p = text;
    if (e->family == 6) {
        *p++ = '[';
        inet_ntop(AF_INET6, e->addr, p, INET6_ADDRSTRLEN);
        p += strlen(p);
        *p++ = ']';
    } else {
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                *p++ = '.';
            }
            p = put_decimal(p, e->addr[i]);
        }
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
