/* STARTTLS: where a plaintext protocol agrees to continue in TLS, read from the bytes of both
 * directions (SMTP, IMAP, POP3, FTP, XMPP, LDAP, PostgreSQL, MySQL). */
#ifndef HSDUMP_DISSECTORS_STARTTLS_H
#define HSDUMP_DISSECTORS_STARTTLS_H

#include <stddef.h>

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
};

enum starttls_verdict {
    STARTTLS_MORE,    /* plaintext of a protocol that may still upgrade: keep looking */
    STARTTLS_UPGRADE, /* both sides agreed: TLS starts at tls_start[] */
    STARTTLS_NOT,     /* no such protocol, an upgrade refused, or none within the bounds */
};

struct starttls_result {
    enum starttls_verdict verdict;
    enum starttls_proto proto;          /* STARTTLS_UPGRADE: which protocol */
    size_t tls_start[2];                /* STARTTLS_UPGRADE: by enum dir, where TLS begins */
};

/* Pure: c2s and s2c are everything each side sent so far (from its first byte). Called
 * again with longer inputs as more arrives; gives STARTTLS_NOT once either side has sent
 * STARTTLS_SCAN_MAX bytes or STARTTLS_LINES_MAX lines without an upgrade. */
struct starttls_result starttls_scan(struct cursor c2s, struct cursor s2c);

/* "smtp", "imap", ... as printed in starttls=; "none" for STARTTLS_NONE. */
const char *starttls_name(enum starttls_proto p);

#endif
