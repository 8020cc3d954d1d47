/* Printed endpoint form: IPv6 in brackets so the port stays unambiguous (RFC 5952 6). */
#include "endpoint.h"

#include <arpa/inet.h>
#include <stdio.h>

const char *endpoint_format(const struct endpoint *e, char *buf, size_t cap)
{
    char addr[INET6_ADDRSTRLEN];
    if (e->family == 6) {
        inet_ntop(AF_INET6, e->addr, addr, sizeof(addr));
        snprintf(buf, cap, "[%s]:%u", addr, e->port);
    } else {
        inet_ntop(AF_INET, e->addr, addr, sizeof(addr));
        snprintf(buf, cap, "%s:%u", addr, e->port);
    }
    return buf;
}
