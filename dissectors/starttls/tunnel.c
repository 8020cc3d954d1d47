/* Proxy tunnels, after which the TLS is the client's with another host: HTTP CONNECT
 * (RFC 9110 9.3.6), SOCKS 4 and 4A (the NEC "SOCKS 4" and "SOCKS 4A" protocol texts, as
 * OpenSSH's and curl's clients speak them), SOCKS 5 (RFC 1928, RFC 1929). */
#include "starttls/tunnel.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "starttls/scan.h"

/* ---- HTTP CONNECT */

/* RFC 9112 5: header field lines up to an empty line; false while it has not arrived. */
static bool take_header_section(struct cursor *c)
{
    struct cursor line;
    while (scan_take_line(c, &line)) {
        if (cur_len(line) == 0) {
            return true;
        }
    }
    return false;
}

/* RFC 9110 9.3.6: "CONNECT host:port HTTP/1.1" (authority-form, RFC 9112 3.2.3) and its
 * header section; a 2xx answer makes the connection a tunnel right after the response's
 * header section (1xx are interim), anything else (407 included) leaves it plaintext. */
enum starttls_verdict tunnel_scan_http_connect(struct cursor c2s, struct cursor s2c,
                                               struct starttls_result *res)
{
    if (!scan_agrees(c2s, "CONNECT ")) {
        return STARTTLS_NOT;
    }
    struct cursor rest = c2s, line;
    if (!scan_take_line(&rest, &line)) {
        return STARTTLS_MORE;
    }
    struct cursor args = line;
    (void)scan_take_word(&args);
    struct cursor target = scan_take_word(&args);
    if (cur_len(target) == 0 || cur_len(args) != 8 || !scan_has_prefix(args, "HTTP/1.")) {
        return STARTTLS_NOT;
    }
    if (!take_header_section(&rest)) {
        return STARTTLS_MORE;
    }
    size_t c2s_end = cur_offset(c2s, rest);
    rest = s2c;
    for (;;) {
        if (!scan_agrees(rest, "HTTP/1.")) {
            return STARTTLS_NOT;
        }
        if (!scan_take_line(&rest, &line)) {
            return STARTTLS_MORE;
        }
        args = line;
        (void)scan_take_word(&args);
        struct cursor status = scan_take_word(&args);
        uint8_t digit[3];
        for (size_t i = 0; i < 3; i++) {
            if (cur_len(status) != 3 || !cur_peek_u8(status, i, &digit[i]) || digit[i] < '0' ||
                digit[i] > '9') {
                return STARTTLS_NOT;
            }
        }
        if (!take_header_section(&rest)) {
            return STARTTLS_MORE;
        }
        if (digit[0] == '2') {
            res->target = (struct starttls_target){TARGET_AUTHORITY, target, 0};
            return scan_upgrade_at(c2s_end, cur_offset(s2c, rest), res);
        }
        if (digit[0] != '1') {
            return STARTTLS_NOT;
        }
    }
}

/* ---- SOCKS */

/* A NUL-terminated string (without its NUL); false while the NUL has not arrived. */
static bool take_cstring(struct cursor *c, struct cursor *out)
{
    size_t nul;
    if (!scan_find_byte(*c, 0, &nul)) {
        return false;
    }
    *out = cur_take_upto(c, nul);
    (void)cur_take_upto(c, 1);
    return true;
}

#define SOCKS4_VERSION 4
#define SOCKS4_REPLY_VERSION 0
#define SOCKS4_GRANTED 90
#define SOCKS_CONNECT 1
#define SOCKS4_REPLY_LENGTH 8

/* SOCKS 4: VN 4, CD 1 (CONNECT), DSTPORT, DSTIP, USERID, NUL; answered by VN 0, CD 90
 * (granted; 91-93 refuse), DSTPORT, DSTIP. SOCKS 4A: a DSTIP of 0.0.0.x (x not 0) means the
 * host name follows the USERID's NUL, NUL-terminated too. */
enum starttls_verdict tunnel_scan_socks4(struct cursor c2s, struct cursor s2c,
                                         struct starttls_result *res)
{
    uint8_t version, command, reply;
    uint16_t port;
    struct cursor client = c2s, ip, user, name, answer;
    if ((cur_peek_u8(c2s, 0, &version) && version != SOCKS4_VERSION) ||
        (cur_peek_u8(c2s, 1, &command) && command != SOCKS_CONNECT)) {
        return STARTTLS_NOT;
    }
    if (!cur_skip(&client, 2) || !cur_get_u16(&client, &port) ||
        !cur_get_bytes(&client, 4, &ip) || !take_cstring(&client, &user)) {
        return STARTTLS_MORE;
    }
    static const uint8_t socks4a_mark[3] = {0, 0, 0};
    struct cursor ip_head = ip;
    uint8_t last;
    bool is_4a = cur_equal(cur_take_upto(&ip_head, 3), socks4a_mark, 3) &&
                 cur_peek_u8(ip, 3, &last) && last != 0;
    if (is_4a && !take_cstring(&client, &name)) {
        return STARTTLS_MORE;
    }
    if (is_4a && cur_len(name) == 0) {
        return STARTTLS_NOT;
    }
    if ((cur_peek_u8(s2c, 0, &version) && version != SOCKS4_REPLY_VERSION) ||
        (cur_peek_u8(s2c, 1, &reply) && reply != SOCKS4_GRANTED)) {
        return STARTTLS_NOT;
    }
    struct cursor server = s2c;
    if (!cur_get_bytes(&server, SOCKS4_REPLY_LENGTH, &answer)) {
        return STARTTLS_MORE;
    }
    res->proto = is_4a ? STARTTLS_SOCKS4A : STARTTLS_SOCKS4;
    res->target = (struct starttls_target){is_4a ? TARGET_NAME : TARGET_IPV4, is_4a ? name : ip,
                                         port};
    return scan_upgrade_at(cur_offset(c2s, client), SOCKS4_REPLY_LENGTH, res);
}

#define SOCKS5_VERSION 5
#define SOCKS5_NO_AUTH 0x00
#define SOCKS5_USERPASS 0x02
#define SOCKS5_USERPASS_VERSION 1 /* RFC 1929 2 */
#define SOCKS5_ATYP_IPV4 1
#define SOCKS5_ATYP_NAME 3
#define SOCKS5_ATYP_IPV6 4

/* RFC 1928 4, 6: ATYP, then 4 address bytes, a u8-prefixed name or 16 address bytes, then
 * the port. */
static enum reply socks5_take_address(struct cursor *c, struct starttls_target *t)
{
    uint8_t atyp;
    struct cursor probe = *c;
    if (!cur_get_u8(&probe, &atyp)) {
        return REPLY_MORE;
    }
    bool got;
    switch (atyp) {
    case SOCKS5_ATYP_IPV4:
        t->kind = TARGET_IPV4;
        got = cur_get_bytes(&probe, 4, &t->host);
        break;
    case SOCKS5_ATYP_IPV6:
        t->kind = TARGET_IPV6;
        got = cur_get_bytes(&probe, 16, &t->host);
        break;
    case SOCKS5_ATYP_NAME:
        t->kind = TARGET_NAME;
        got = cur_get_vec8(&probe, &t->host);
        break;
    default:
        return REPLY_BAD;
    }
    if (!got || !cur_get_u16(&probe, &t->port)) {
        return REPLY_MORE;
    }
    if (t->kind == TARGET_NAME && cur_len(t->host) == 0) {
        return REPLY_BAD;
    }
    *c = probe;
    return REPLY_OK;
}

/* RFC 1928 3: VER, NMETHODS, METHODS; the server picks one (VER, METHOD): no authentication
 * (0), or username/password (2; RFC 1929 2: VER 1, ULEN, UNAME, PLEN, PASSWD, answered VER 1,
 * STATUS 0 for success). Others (GSSAPI's wrapping, 0xff none acceptable) leave no TLS to
 * read. RFC 1928 4, 6: VER, CMD 1 (CONNECT), RSV 0, address; answered VER, REP 0 (succeeded),
 * RSV, address. Read from the client's bytes alone, in order, since clients may send the
 * request before the server has chosen. */
enum starttls_verdict tunnel_scan_socks5(struct cursor c2s, struct cursor s2c,
                                         struct starttls_result *res)
{
    uint8_t b[3], method, status;
    struct cursor client = c2s, server = s2c, methods, user, password;
    struct starttls_target target = {TARGET_NONE, {0}, 0}, bound = target;
    if ((cur_peek_u8(c2s, 0, &b[0]) && b[0] != SOCKS5_VERSION) ||
        (cur_peek_u8(c2s, 1, &b[1]) && b[1] == 0) ||
        (cur_peek_u8(s2c, 0, &b[2]) && b[2] != SOCKS5_VERSION)) {
        return STARTTLS_NOT;
    }
    if (!cur_skip(&client, 1) || !cur_get_vec8(&client, &methods) ||
        !cur_skip(&server, 1) || !cur_get_u8(&server, &method)) {
        return STARTTLS_MORE;
    }
    if (method == SOCKS5_USERPASS) {
        if (cur_peek_u8(client, 0, &b[0]) && b[0] != SOCKS5_USERPASS_VERSION) {
            return STARTTLS_NOT;
        }
        if (!cur_skip(&client, 1) || !cur_get_vec8(&client, &user) ||
            !cur_get_vec8(&client, &password)) {
            return STARTTLS_MORE;
        }
        if (cur_peek_u8(server, 0, &b[0]) && b[0] != SOCKS5_USERPASS_VERSION) {
            return STARTTLS_NOT;
        }
        if (!cur_skip(&server, 1) || !cur_get_u8(&server, &status)) {
            return STARTTLS_MORE;
        }
        if (status != 0) {
            return STARTTLS_NOT;
        }
    } else if (method != SOCKS5_NO_AUTH) {
        return STARTTLS_NOT;
    }
    for (size_t i = 0; i < 3; i++) {
        static const uint8_t want[3] = {SOCKS5_VERSION, SOCKS_CONNECT, 0};
        if (cur_peek_u8(client, i, &b[i]) && b[i] != want[i]) {
            return STARTTLS_NOT;
        }
    }
    enum reply got = REPLY_MORE;
    if (!cur_skip(&client, 3) || (got = socks5_take_address(&client, &target)) != REPLY_OK) {
        return got == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
    }
    for (size_t i = 0; i < 2; i++) {
        static const uint8_t want[2] = {SOCKS5_VERSION, 0};
        if (cur_peek_u8(server, i, &b[i]) && b[i] != want[i]) {
            return STARTTLS_NOT; /* REP 1-8: the proxy could not connect */
        }
    }
    got = REPLY_MORE;
    if (!cur_skip(&server, 3) || (got = socks5_take_address(&server, &bound)) != REPLY_OK) {
        return got == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
    }
    res->target = target;
    return scan_upgrade_at(cur_offset(c2s, client), cur_offset(s2c, server), res);
}


/* ---- the target as text */

/* Appends text to out (at most cap bytes in all); *len counts the whole. */
static void put(uint8_t *out, size_t cap, size_t *len, const uint8_t *text, size_t n)
{
    for (size_t i = 0; i < n; i++, (*len)++) {
        if (*len < cap) {
            out[*len] = text[i];
        }
    }
}

size_t tunnel_target_text(const struct starttls_target *t, uint8_t *out, size_t cap)
{
    size_t len = 0;
    uint8_t host[16];
    char text[INET6_ADDRSTRLEN + 2];
    switch (t->kind) {
    case TARGET_AUTHORITY:
    case TARGET_NAME: {
        struct cursor bytes = t->host;
        uint8_t b;
        while (cur_get_u8(&bytes, &b)) {
            put(out, cap, &len, &b, 1);
        }
        if (t->kind == TARGET_AUTHORITY) {
            return len;
        }
        break;
    }
    case TARGET_IPV4:
    case TARGET_IPV6: {
        bool v4 = t->kind == TARGET_IPV4;
        if (cur_len(t->host) != (v4 ? 4u : 16u)) {
            return 0;
        }
        cur_copy(t->host, host);
        text[0] = '[';
        if (inet_ntop(v4 ? AF_INET : AF_INET6, host, text + 1, INET6_ADDRSTRLEN) == NULL) {
            return 0;
        }
        if (!v4) {
            strcat(text, "]");
        }
        put(out, cap, &len, (const uint8_t *)text + v4, strlen(text + v4));
        break;
    }
    case TARGET_NONE:
    default:
        return 0;
    }
    char port[8];
    int n = snprintf(port, sizeof(port), ":%u", (unsigned)t->port);
    put(out, cap, &len, (const uint8_t *)port, (size_t)n);
    return len;
}
