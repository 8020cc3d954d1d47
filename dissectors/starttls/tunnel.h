/* Proxy tunnels (HTTP CONNECT, SOCKS 4, 4A, 5): their scanners, which starttls_scan()
 * runs with the STARTTLS ones, and where a tunnel leads as text. */
#ifndef HSDUMP_DISSECTORS_STARTTLS_TUNNEL_H
#define HSDUMP_DISSECTORS_STARTTLS_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "starttls/starttls.h"

/* Scanners as starttls.c's table holds them (c2s, s2c: everything each side sent so far;
 * called once the client has sent something, as the table's first speaker says);
 * tunnel_scan_socks4 also tells 4A (res->proto). */
enum starttls_verdict tunnel_scan_http_connect(struct cursor c2s, struct cursor s2c,
                                               struct starttls_result *res);
enum starttls_verdict tunnel_scan_socks4(struct cursor c2s, struct cursor s2c,
                                         struct starttls_result *res);
enum starttls_verdict tunnel_scan_socks5(struct cursor c2s, struct cursor s2c,
                                         struct starttls_result *res);

/* The target as text ("example.com:443", "192.0.2.1:443", "[2001:db8::1]:443"; a CONNECT
 * target as sent), its bytes as on the wire (still to be escaped): writes at most cap bytes
 * to out and returns the whole text's length. */
size_t tunnel_target_text(const struct starttls_target *t, uint8_t *out, size_t cap);

#endif
