/* A connection endpoint (address and port) and its printed form. */
#ifndef HSDUMP_SRC_ENDPOINT_H
#define HSDUMP_SRC_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

/* "[ffff:...:ffff]:65535" plus NUL */
#define ENDPOINT_STR_MAX 56

struct endpoint {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
};

/* 192.0.2.1:443 or [2001:db8::1]:443 */
const char *endpoint_format(const struct endpoint *e, char *buf, size_t cap);

#endif
