/* STARTTLS: where a plaintext protocol agrees to continue in TLS, read from the bytes of both
 * directions (SMTP, IMAP, POP3, FTP, XMPP, LDAP, PostgreSQL, MySQL, IRC, RDP); and tunnels:
 * where a proxy agrees to relay the connection to another host, whose TLS then follows
 * (HTTP CONNECT, SOCKS 4, 4A and 5: tunnel.h). */
#ifndef HSDUMP_DISSECTORS_STARTTLS_H
#define HSDUMP_DISSECTORS_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tls/tls.h"

/* Plaintext read per direction before giving up: far above a greeting plus a capability
 * exchange (an SMTP EHLO reply is about 10 lines, an FTP FEAT reply about 20). */
#define STARTTLS_SCAN_MAX 16384
#define STARTTLS_LINES_MAX 64

enum starttls_proto {
    STARTTLS_NONE = 0,
    STARTTLS_SMTP,
    STARTTLS_IMAP,
    STARTTLS_POP3,
    STARTTLS_FTP,
    STARTTLS_XMPP,
    STARTTLS_LDAP,
    STARTTLS_POSTGRES,
    STARTTLS_MYSQL,
    STARTTLS_IRC,
    STARTTLS_RDP,
    /* tunnels: printed as tunnel=, with the target the client asked for */
    STARTTLS_HTTP_CONNECT,
    STARTTLS_SOCKS4,
    STARTTLS_SOCKS4A,
    STARTTLS_SOCKS5,
};

/* Where a tunnel leads, as the client's request named it. */
enum starttls_target_kind {
    TARGET_NONE = 0,
    TARGET_AUTHORITY, /* host: "host:port" as HTTP CONNECT's request-target carries it */
    TARGET_NAME,      /* host: a host name, then port */
    TARGET_IPV4,      /* host: 4 address bytes, then port */
    TARGET_IPV6,      /* host: 16 address bytes, then port */
};

struct starttls_target {
    enum starttls_target_kind kind;
    struct cursor host; /* points into the c2s bytes given to starttls_scan() */
    uint16_t port;
};

/* The longest target text kept: a 255-byte DNS name (RFC 1035 2.3.4) with ":65535", or an
 * IPv6 address in brackets with its port (tunnel_target_text()). Longer CONNECT targets are cut
 * and marked. */
#define STARTTLS_TARGET_TEXT_MAX 262

enum starttls_verdict {
    STARTTLS_MORE,    /* plaintext of a protocol that may still upgrade: keep looking */
    STARTTLS_UPGRADE, /* both sides agreed: TLS starts at tls_start[] */
    STARTTLS_NOT,     /* no such protocol, an upgrade refused, or none within the bounds */
};

struct starttls_result {
    enum starttls_verdict verdict;
    enum starttls_proto proto;          /* STARTTLS_UPGRADE: which protocol */
    size_t tls_start[2];                /* STARTTLS_UPGRADE: by enum dir, where TLS begins */
    struct starttls_target target;      /* STARTTLS_UPGRADE of a tunnel: where it leads */
};

/* Pure: c2s and s2c are everything each side sent so far (from its first byte). Called
 * again with longer inputs as more arrives; gives STARTTLS_NOT once either side has sent
 * STARTTLS_SCAN_MAX bytes or STARTTLS_LINES_MAX lines without an upgrade. */
struct starttls_result starttls_scan(struct cursor c2s, struct cursor s2c);

/* "smtp", "imap", ... as printed in starttls= (or tunnel=); "none" for STARTTLS_NONE. */
const char *starttls_name(enum starttls_proto p);

/* A proxy's tunnel (tunnel=) rather than an upgrade of the protocol itself (starttls=). */
bool starttls_is_tunnel(enum starttls_proto p);


#endif
