/* STARTTLS recognition by content, never by port. SMTP: RFC 5321 4.2, RFC 3207 4. IMAP:
 * RFC 9051 6.2.1. POP3: RFC 1939 3, RFC 2595 4, RFC 2449 5. FTP: RFC 959 4.2, RFC 4217 4.
 * XMPP: RFC 6120 5.4.2. LDAP: RFC 4511 4.14 (BER, X.690 8.1). PostgreSQL: protocol 3.0
 * SSLRequest and GSSENCRequest. MySQL: protocol 10 HandshakeV10 and SSLRequest. IRC: the
 * IRCv3 tls extension (STARTTLS, 670). RDP: MS-RDPBCGR 2.2.1.1 and 2.2.1.2. The proxies'
 * tunnels are read in tunnel.c, run from the same table. */
#include "starttls/starttls.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "starttls/scan.h"
#include "starttls/tunnel.h"

/* ---- bytes and lines */

static bool same_bytes(struct cursor a, struct cursor b)
{
    uint8_t x, y;
    if (cur_len(a) != cur_len(b)) {
        return false;
    }
    while (cur_get_u8(&a, &x) && cur_get_u8(&b, &y)) {
        if (x != y) {
            return false;
        }
    }
    return true;
}

static size_t count_lines(struct cursor c)
{
    size_t n = 0;
    uint8_t b;
    while (cur_get_u8(&c, &b)) {
        n += b == '\n';
    }
    return n;
}


/* ---- SMTP and FTP: commands, and replies with a three-digit code */

/* RFC 5321 4.2 / RFC 959 4.2: "ddd text", or a multi-line reply from "ddd-text" up to the
 * line that starts "ddd " (FTP allows any line in between). */
static enum reply take_reply(struct cursor *c, unsigned *code)
{
    struct cursor rest = *c, line;
    uint8_t digit[3], sep = ' ';
    if (!scan_take_line(&rest, &line)) {
        /* a first line in progress that cannot start a reply ends the protocol already */
        for (size_t i = 0; i < 3 && cur_peek_u8(*c, i, &digit[i]); i++) {
            if (digit[i] < '0' || digit[i] > '9') {
                return REPLY_BAD;
            }
        }
        return REPLY_MORE;
    }
    for (size_t i = 0; i < 3; i++) {
        if (!cur_peek_u8(line, i, &digit[i]) || digit[i] < '0' || digit[i] > '9') {
            return REPLY_BAD;
        }
    }
    if (cur_peek_u8(line, 3, &sep) && sep != ' ' && sep != '-') {
        return REPLY_BAD;
    }
    *code = (unsigned)(digit[0] - '0') * 100 + (unsigned)(digit[1] - '0') * 10 +
            (unsigned)(digit[2] - '0');
    while (sep == '-') {
        if (!scan_take_line(&rest, &line)) {
            return REPLY_MORE;
        }
        uint8_t b[4] = {0, 0, 0, ' '};
        bool last = true;
        for (size_t i = 0; i < 4; i++) {
            bool have = cur_peek_u8(line, i, &b[i]);
            last = last && (i < 3 ? have && b[i] == digit[i] : !have || b[i] == ' ');
        }
        if (last) {
            sep = ' ';
        }
    }
    *c = rest;
    return REPLY_OK;
}

struct coded_proto {
    const char *const *allowed; /* commands that may come before the upgrade (NULL-ended) */
    bool (*is_upgrade)(struct cursor verb, struct cursor args);
    unsigned agreed; /* the reply code that accepts it */
};

/* RFC 3207 4: "STARTTLS" with no parameters. */
static bool smtp_is_upgrade(struct cursor verb, struct cursor args)
{
    return scan_word_is(verb, "STARTTLS") && cur_len(args) == 0;
}

/* RFC 4217 4: AUTH TLS (and the older AUTH SSL, TLS-C, TLS-P it mentions). */
static bool ftp_is_upgrade(struct cursor verb, struct cursor args)
{
    static const char *const mechanisms[] = {"TLS", "SSL", "TLS-C", "TLS-P", NULL};
    struct cursor mechanism = scan_take_word(&args);
    return scan_word_is(verb, "AUTH") && scan_word_in(mechanism, mechanisms);
}

static const char *const smtp_allowed[] = {"EHLO", "HELO", "NOOP", "RSET", "HELP", NULL};
static const struct coded_proto smtp = {smtp_allowed, smtp_is_upgrade, 220};

static const char *const ftp_allowed[] = {"FEAT", "SYST", "NOOP", "HELP", "HOST", "CLNT", NULL};
static const struct coded_proto ftp = {ftp_allowed, ftp_is_upgrade, 234};

/* The server greets first (220); each command gets one final reply (1xx are preliminary). */
static enum starttls_verdict scan_coded(const struct coded_proto *p, struct cursor c2s,
                                        struct cursor s2c, struct starttls_result *res)
{
    struct cursor rest = c2s, line;
    size_t index = 0, c2s_end = 0;
    bool asked = false;
    while (!asked && scan_take_line(&rest, &line)) {
        struct cursor args = line;
        struct cursor verb = scan_take_word(&args);
        if (p->is_upgrade(verb, args)) {
            asked = true;
            c2s_end = cur_offset(c2s, rest);
        } else if (!scan_word_in(verb, p->allowed)) {
            return STARTTLS_NOT;
        } else {
            index++;
        }
    }
    rest = s2c;
    size_t replies = 0;
    unsigned code = 0;
    enum reply r;
    while ((r = take_reply(&rest, &code)) == REPLY_OK) {
        if (code / 100 == 1) {
            continue;
        }
        if (replies == 0 && code != 220) {
            return STARTTLS_NOT; /* no service (554, 421) */
        }
        if (asked && replies == index + 1) {
            if (code != p->agreed) {
                return STARTTLS_NOT; /* refused (454, 502, 534...): stays plaintext */
            }
            return scan_upgrade_at(c2s_end, cur_offset(s2c, rest), res);
        }
        replies++;
    }
    return r == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
}

static enum starttls_verdict scan_smtp(struct cursor c2s, struct cursor s2c,
                                       struct starttls_result *res)
{
    return scan_coded(&smtp, c2s, s2c, res);
}

static enum starttls_verdict scan_ftp(struct cursor c2s, struct cursor s2c,
                                      struct starttls_result *res)
{
    return scan_coded(&ftp, c2s, s2c, res);
}

/* ---- POP3 */

/* RFC 1939 3: "+OK" or "-ERR" first; a multi-line response ends with a line ".". */
static enum reply take_pop3_response(struct cursor *c, bool multi_line, bool *ok)
{
    struct cursor rest = *c, line;
    if (!scan_take_line(&rest, &line)) {
        return scan_agrees(*c, "+OK") || scan_agrees(*c, "-ERR") ? REPLY_MORE : REPLY_BAD;
    }
    *ok = scan_has_prefix(line, "+OK");
    if (!*ok && !scan_has_prefix(line, "-ERR")) {
        return REPLY_BAD;
    }
    while (*ok && multi_line) {
        if (!scan_take_line(&rest, &line)) {
            return REPLY_MORE;
        }
        multi_line = !scan_word_is(line, ".");
    }
    *c = rest;
    return REPLY_OK;
}

/* RFC 2595 4: STLS, answered +OK; before it only CAPA (RFC 2449 5, a multi-line answer). */
static enum starttls_verdict scan_pop3(struct cursor c2s, struct cursor s2c,
                                       struct starttls_result *res)
{
    struct cursor rest = c2s, line;
    size_t capas = 0, c2s_end = 0;
    bool asked = false;
    while (!asked && scan_take_line(&rest, &line)) {
        struct cursor args = line;
        struct cursor verb = scan_take_word(&args);
        if (scan_word_is(verb, "STLS")) {
            asked = true;
            c2s_end = cur_offset(c2s, rest);
        } else if (scan_word_is(verb, "CAPA")) {
            capas++;
        } else {
            return STARTTLS_NOT;
        }
    }
    struct cursor replies = s2c;
    bool ok = false;
    enum reply r = take_pop3_response(&replies, false, &ok);
    if (r == REPLY_OK && !ok) {
        return STARTTLS_NOT; /* greeted with -ERR */
    }
    for (size_t i = 0; r == REPLY_OK && i < capas; i++) {
        r = take_pop3_response(&replies, true, &ok);
    }
    if (r == REPLY_OK && asked) {
        r = take_pop3_response(&replies, false, &ok);
        if (r == REPLY_OK) {
            return ok ? scan_upgrade_at(c2s_end, cur_offset(s2c, replies), res) : STARTTLS_NOT;
        }
    }
    return r == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
}

/* ---- IMAP */

/* RFC 9051 6.2.1: "tag STARTTLS", answered "tag OK"; before it CAPABILITY, NOOP or ID. The
 * greeting is "* OK" (PREAUTH and BYE leave no room for STARTTLS). Clients may reuse a tag
 * (s_client sends "." each time), so the answer is found by order: each command before
 * STARTTLS gets one tagged completion first, untagged ("*") and continuation ("+") lines
 * aside. */
static enum starttls_verdict scan_imap(struct cursor c2s, struct cursor s2c,
                                       struct starttls_result *res)
{
    static const char *const allowed[] = {"CAPABILITY", "NOOP", "ID", NULL};
    if (!scan_agrees(s2c, "* OK ")) {
        return STARTTLS_NOT;
    }
    struct cursor rest = c2s, line, tag = {0};
    size_t index = 0, c2s_end = 0;
    bool asked = false;
    while (!asked && scan_take_line(&rest, &line)) {
        struct cursor args = line;
        struct cursor line_tag = scan_take_word(&args);
        struct cursor command = scan_take_word(&args);
        if (cur_len(line_tag) == 0 || cur_len(command) == 0) {
            return STARTTLS_NOT;
        }
        if (scan_word_is(command, "STARTTLS")) {
            asked = true;
            tag = line_tag;
            c2s_end = cur_offset(c2s, rest);
        } else if (!scan_word_in(command, allowed)) {
            return STARTTLS_NOT;
        } else {
            index++;
        }
    }
    if (!asked) {
        return STARTTLS_MORE;
    }
    rest = s2c;
    size_t completions = 0;
    while (scan_take_line(&rest, &line)) {
        struct cursor args = line;
        struct cursor line_tag = scan_take_word(&args);
        if (scan_word_is(line_tag, "*") || scan_word_is(line_tag, "+")) {
            continue;
        }
        if (completions++ < index) {
            continue; /* an earlier command's completion */
        }
        struct cursor status = scan_take_word(&args);
        if (same_bytes(line_tag, tag) && scan_word_is(status, "OK")) {
            return scan_upgrade_at(c2s_end, cur_offset(s2c, rest), res);
        }
        return STARTTLS_NOT; /* NO or BAD */
    }
    return STARTTLS_MORE;
}

/* ---- XMPP */

static const char xmpp_tls_ns[] = "urn:ietf:params:xml:ns:xmpp-tls";

/* The first whole element named open ("<starttls") in the xmpp-tls namespace: *end is the
 * offset right after it (after "/>", or after its closing tag). */
static bool find_element(struct cursor c, const char *open, const char *close, size_t *end)
{
    size_t from = 0, at, gt;
    while (scan_find_text(c, from, open, &at)) {
        uint8_t next;
        if (!cur_peek_u8(c, at + strlen(open), &next)) {
            return false;
        }
        from = at + 1;
        if (next != ' ' && next != '/' && next != '>' && next != '\t' && next != '\r' &&
            next != '\n') {
            continue; /* a longer name */
        }
        if (!scan_find_text(c, at, ">", &gt)) {
            return false;
        }
        struct cursor tag = c;
        size_t ns;
        if (!cur_skip(&tag, at) ||
            !scan_find_text(cur_take_upto(&tag, gt - at), 0, xmpp_tls_ns, &ns)) {
            continue;
        }
        uint8_t before;
        if (cur_peek_u8(c, gt - 1, &before) && before == '/') {
            *end = gt + 1;
            return true;
        }
        size_t closing;
        if (!scan_find_text(c, gt, close, &closing)) {
            return false;
        }
        *end = closing + strlen(close);
        return true;
    }
    return false;
}

/* RFC 6120 5.4.2: the client opens the stream; <starttls/> answered by <proceed/> (or
 * <failure/>), both in the xmpp-tls namespace. */
static enum starttls_verdict scan_xmpp(struct cursor c2s, struct cursor s2c,
                                       struct starttls_result *res)
{
    struct cursor head = c2s;
    size_t decl_end;
    if (scan_agrees(head, "<?xml")) {
        if (!scan_find_text(head, 0, "?>", &decl_end)) {
            return STARTTLS_MORE;
        }
        if (!cur_skip(&head, decl_end + 2)) {
            return STARTTLS_MORE;
        }
    }
    uint8_t b;
    while (cur_peek_u8(head, 0, &b) && (b == ' ' || b == '\r' || b == '\n' || b == '\t')) {
        (void)cur_take_upto(&head, 1);
    }
    if (!scan_agrees(head, "<stream:stream")) {
        return STARTTLS_NOT;
    }
    size_t c2s_end, s2c_end;
    if (!find_element(c2s, "<starttls", "</starttls>", &c2s_end)) {
        return STARTTLS_MORE;
    }
    if (find_element(s2c, "<proceed", "</proceed>", &s2c_end)) {
        return scan_upgrade_at(c2s_end, s2c_end, res);
    }
    if (find_element(s2c, "<failure", "</failure>", &s2c_end)) {
        return STARTTLS_NOT;
    }
    return STARTTLS_MORE;
}

/* ---- LDAP */

/* X.690 8.1: one identifier octet (LDAP's tags are all below 31) and a definite length. */
static enum reply ber_take(struct cursor *c, uint8_t *tag, struct cursor *value)
{
    struct cursor probe = *c;
    uint8_t first;
    if (!cur_get_u8(&probe, tag) || !cur_get_u8(&probe, &first)) {
        return REPLY_MORE;
    }
    if ((*tag & 0x1f) == 0x1f || first == 0x80 || first > 0x84) {
        return REPLY_BAD; /* high tag number, indefinite length (RFC 4511 5.1) or > 2^32 */
    }
    size_t length = first;
    if (first > 0x80) {
        length = 0;
        for (uint8_t i = 0; i < (first & 0x7f); i++) {
            uint8_t b;
            if (!cur_get_u8(&probe, &b)) {
                return REPLY_MORE;
            }
            length = length << 8 | b;
        }
    }
    if (length > STARTTLS_SCAN_MAX) {
        return REPLY_BAD;
    }
    if (!cur_get_bytes(&probe, length, value)) {
        return REPLY_MORE;
    }
    *c = probe;
    return REPLY_OK;
}

static bool ber_uint(struct cursor value, uint32_t *out)
{
    uint8_t b;
    if (cur_len(value) == 0 || cur_len(value) > 4) {
        return false;
    }
    *out = 0;
    while (cur_get_u8(&value, &b)) {
        *out = *out << 8 | b;
    }
    return true;
}

#define LDAP_SEQUENCE 0x30
#define LDAP_INTEGER 0x02
#define LDAP_ENUMERATED 0x0a
#define LDAP_EXTENDED_REQUEST 0x77  /* [APPLICATION 23], constructed */
#define LDAP_EXTENDED_RESPONSE 0x78 /* [APPLICATION 24], constructed */
#define LDAP_REQUEST_NAME 0x80      /* [0] LDAPOID */
static const char ldap_starttls_oid[] = "1.3.6.1.4.1.1466.20037";

/* RFC 4511 4.2: LDAPMessage ::= SEQUENCE { messageID MessageID, protocolOp CHOICE {...}, ... } */
static enum reply ldap_take_message(struct cursor *c, uint32_t *id, uint8_t *op,
                                    struct cursor *body)
{
    uint8_t tag;
    struct cursor message, value;
    if (cur_peek_u8(*c, 0, &tag) && tag != LDAP_SEQUENCE) {
        return REPLY_BAD; /* decided on the first byte, before any length arrives */
    }
    enum reply r = ber_take(c, &tag, &message);
    if (r != REPLY_OK) {
        return r;
    }
    if (tag != LDAP_SEQUENCE || ber_take(&message, &tag, &value) != REPLY_OK ||
        tag != LDAP_INTEGER || !ber_uint(value, id) || ber_take(&message, op, body) != REPLY_OK) {
        return REPLY_BAD;
    }
    return REPLY_OK;
}

/* RFC 4511 4.14.1: ExtendedRequest with requestName 1.3.6.1.4.1.1466.20037, answered by an
 * ExtendedResponse with the same messageID and resultCode success (0). The client speaks
 * first; other operations may come before. */
static enum starttls_verdict scan_ldap(struct cursor c2s, struct cursor s2c,
                                       struct starttls_result *res)
{
    struct cursor rest = c2s, body, value;
    uint32_t id = 0, asked_id = 0;
    uint8_t op, tag;
    size_t c2s_end = 0;
    bool asked = false;
    while (!asked) {
        enum reply r = ldap_take_message(&rest, &id, &op, &body);
        if (r != REPLY_OK) {
            return r == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
        }
        if (op == LDAP_EXTENDED_REQUEST && ber_take(&body, &tag, &value) == REPLY_OK &&
            tag == LDAP_REQUEST_NAME &&
            cur_equal(value, (const uint8_t *)ldap_starttls_oid, strlen(ldap_starttls_oid))) {
            asked = true;
            asked_id = id;
            c2s_end = cur_offset(c2s, rest);
        }
    }
    rest = s2c;
    for (;;) {
        enum reply r = ldap_take_message(&rest, &id, &op, &body);
        if (r != REPLY_OK) {
            return r == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
        }
        if (op != LDAP_EXTENDED_RESPONSE || id != asked_id) {
            continue;
        }
        uint32_t result;
        if (ber_take(&body, &tag, &value) != REPLY_OK || tag != LDAP_ENUMERATED ||
            !ber_uint(value, &result) || result != 0) {
            return STARTTLS_NOT;
        }
        return scan_upgrade_at(c2s_end, cur_offset(s2c, rest), res);
    }
}

/* ---- PostgreSQL */

/* Int32 length 8, Int32 code 80877103 (SSLRequest) or 80877104 (GSSENCRequest). */
static const uint8_t pg_ssl_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
static const uint8_t pg_gssenc_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30};

/* c's bytes, as far as they go, are those of want. */
static bool agrees_bytes(struct cursor c, const uint8_t *want, size_t n)
{
    struct cursor head = cur_take_upto(&c, n);
    return cur_equal(head, want, cur_len(head));
}

/* The server answers one byte: 'S' to go on in TLS, 'N' to refuse. libpq may first ask for
 * GSSAPI encryption and, refused, ask for TLS next. */
static enum starttls_verdict scan_postgres(struct cursor c2s, struct cursor s2c,
                                           struct starttls_result *res)
{
    struct cursor client = c2s;
    size_t answer = 0;
    uint8_t b;
    if (agrees_bytes(client, pg_gssenc_request, sizeof(pg_gssenc_request))) {
        if (cur_len(client) < sizeof(pg_gssenc_request) || !cur_peek_u8(s2c, 0, &b)) {
            return STARTTLS_MORE;
        }
        if (b != 'N' || !cur_skip(&client, sizeof(pg_gssenc_request))) {
            return STARTTLS_NOT; /* GSSAPI encryption, not TLS */
        }
        answer = 1;
    }
    if (!agrees_bytes(client, pg_ssl_request, sizeof(pg_ssl_request))) {
        return STARTTLS_NOT;
    }
    if (cur_len(client) < sizeof(pg_ssl_request) || !cur_peek_u8(s2c, answer, &b)) {
        return STARTTLS_MORE;
    }
    if (b != 'S') {
        return STARTTLS_NOT;
    }
    return scan_upgrade_at(cur_offset(c2s, client) + sizeof(pg_ssl_request), answer + 1, res);
}

/* ---- MySQL */

static bool get_le(struct cursor *c, size_t n, uint32_t *out)
{
    struct cursor bytes;
    uint8_t b;
    if (!cur_get_bytes(c, n, &bytes)) {
        return false;
    }
    *out = 0;
    for (size_t i = 0; cur_peek_u8(bytes, i, &b); i++) {
        *out |= (uint32_t)b << (8 * i);
    }
    return true;
}

#define MYSQL_CLIENT_SSL 0x00000800
#define MYSQL_SSL_REQUEST_LENGTH 32

/* HandshakeV10: protocol_version 10, server_version NUL-terminated, thread id (4),
 * auth-plugin-data-part-1 (8), filler 0, capability_flags_1 (2, little-endian), ... */
static bool mysql_greeting_offers_ssl(struct cursor g)
{
    uint8_t version, b = 1, filler;
    uint32_t caps;
    if (!cur_get_u8(&g, &version) || version != 10) {
        return false;
    }
    while (b != 0) {
        if (!cur_get_u8(&g, &b)) {
            return false;
        }
    }
    return cur_skip(&g, 12) && cur_get_u8(&g, &filler) && filler == 0 && get_le(&g, 2, &caps) &&
           (caps & MYSQL_CLIENT_SSL) != 0;
}

/* Packets are a 3-byte little-endian length and a sequence number. The server greets (0);
 * the client answers (1) with a 32-byte SSLRequest, CLIENT_SSL set, instead of its login. */
static enum starttls_verdict scan_mysql(struct cursor c2s, struct cursor s2c,
                                        struct starttls_result *res)
{
    struct cursor server = s2c, client = c2s, greeting;
    uint32_t length, flags;
    uint8_t seq, b;
    /* the client's packet can rule MySQL out before the greeting is whole */
    if (get_le(&client, 3, &length) && cur_get_u8(&client, &seq) &&
        (seq != 1 || length != MYSQL_SSL_REQUEST_LENGTH)) {
        return STARTTLS_NOT; /* not an answer to a greeting, or a plaintext login */
    }
    if (!get_le(&server, 3, &length) || !cur_get_u8(&server, &seq)) {
        return STARTTLS_MORE;
    }
    if (seq != 0 || length == 0 || length > STARTTLS_SCAN_MAX) {
        return STARTTLS_NOT;
    }
    if (!cur_get_bytes(&server, length, &greeting)) {
        return cur_peek_u8(server, 0, &b) && b != 10 ? STARTTLS_NOT : STARTTLS_MORE;
    }
    if (!mysql_greeting_offers_ssl(greeting)) {
        return STARTTLS_NOT;
    }
    client = c2s;
    if (!get_le(&client, 3, &length) || !cur_get_u8(&client, &seq)) {
        return STARTTLS_MORE;
    }
    if (!get_le(&client, 4, &flags)) {
        return STARTTLS_MORE;
    }
    if ((flags & MYSQL_CLIENT_SSL) == 0) {
        return STARTTLS_NOT;
    }
    if (cur_len(c2s) < 4 + MYSQL_SSL_REQUEST_LENGTH) {
        return STARTTLS_MORE;
    }
    return scan_upgrade_at(4 + MYSQL_SSL_REQUEST_LENGTH, cur_offset(s2c, server), res);
}

/* ---- IRC */

/* A server line (RFC 2812 2.3.1): a ":prefix" and its command, or one of the commands a
 * server sends without one before registration. */
static bool irc_server_line_start(struct cursor c)
{
    return scan_agrees(c, ":") || scan_agrees(c, "NOTICE ") || scan_agrees(c, "PING ") ||
           scan_agrees(c, "ERROR ") || scan_agrees(c, "CAP ");
}

/* IRCv3 tls extension: "STARTTLS", sent before registration completes (CAP, PASS, NICK and
 * USER may come first), answered by numeric 670 (RPL_STARTTLS); TLS starts after that line.
 * 691 (ERR_STARTTLS), 421 (unknown command), 451 (not registered) refuse it; 001
 * (RPL_WELCOME) means registration is over without it. */
static enum starttls_verdict scan_irc(struct cursor c2s, struct cursor s2c,
                                      struct starttls_result *res)
{
    static const char *const allowed[] = {"CAP", "PASS", "NICK", "USER", NULL};
    static const char *const refusals[] = {"691", "421", "451", "001", NULL};
    struct cursor rest = c2s, line;
    size_t c2s_end = 0;
    bool asked = false;
    while (!asked && scan_take_line(&rest, &line)) {
        struct cursor args = line;
        struct cursor verb = scan_take_word(&args);
        if (scan_word_is(verb, "STARTTLS") && cur_len(args) == 0) {
            asked = true;
            c2s_end = cur_offset(c2s, rest);
        } else if (!scan_word_in(verb, allowed)) {
            return STARTTLS_NOT;
        }
    }
    /* a line in progress that cannot become one of them ends it already */
    static const char *const openings[] = {"STARTTLS", "CAP ", "PASS ", "NICK ", "USER ", NULL};
    bool may_open = asked;
    for (size_t i = 0; !may_open && openings[i] != NULL; i++) {
        may_open = scan_agrees(rest, openings[i]);
    }
    if (!may_open) {
        return STARTTLS_NOT;
    }
    rest = s2c;
    while (cur_len(rest) > 0) {
        if (!irc_server_line_start(rest)) {
            return STARTTLS_NOT;
        }
        if (!scan_take_line(&rest, &line)) {
            return STARTTLS_MORE;
        }
        struct cursor args = line;
        uint8_t colon;
        if (cur_peek_u8(line, 0, &colon) && colon == ':') {
            (void)scan_take_word(&args); /* the prefix */
        }
        struct cursor command = scan_take_word(&args);
        if (scan_word_in(command, refusals)) {
            return STARTTLS_NOT;
        }
        if (scan_word_is(command, "670")) {
            return asked ? scan_upgrade_at(c2s_end, cur_offset(s2c, rest), res) : STARTTLS_MORE;
        }
    }
    return STARTTLS_MORE;
}

/* ---- RDP */

#define TPKT_VERSION 3               /* T.123 8 */
#define X224_CONNECTION_REQUEST 0xe0 /* X.224 13.3, the high nibble */
#define X224_CONNECTION_CONFIRM 0xd0 /* X.224 13.4 */
#define RDP_NEG_REQ 0x01
#define RDP_NEG_RSP 0x02
#define RDP_NEG_LENGTH 8
#define X224_FIXED 6 /* code, DST-REF, SRC-REF, class option */
#define TPKT_MAX 1024 /* far above a Connection Request with a cookie and correlation info */

/* T.123 8: version 3, reserved 0, length (u16, the whole packet); then X.224 (13.3, 13.4):
 * length indicator (the TPDU's length after it), code, DST-REF, SRC-REF, class option.
 * *tpdu is what follows the fixed part. */
static enum reply take_x224(struct cursor *c, uint8_t want_code, struct cursor *tpdu)
{
    uint8_t version, reserved, li, code;
    uint16_t length;
    struct cursor probe = *c, packet;
    if ((cur_peek_u8(probe, 0, &version) && version != TPKT_VERSION) ||
        (cur_peek_u8(probe, 1, &reserved) && reserved != 0)) {
        return REPLY_BAD;
    }
    if (!cur_skip(&probe, 2) || !cur_get_u16(&probe, &length)) {
        return REPLY_MORE;
    }
    if (length < 4 + 1 + X224_FIXED || length > TPKT_MAX) {
        return REPLY_BAD;
    }
    if (!cur_get_bytes(&probe, length - 4, &packet)) {
        return REPLY_MORE;
    }
    if (!cur_get_u8(&packet, &li) || li != cur_len(packet) || !cur_get_u8(&packet, &code) ||
        (code & 0xf0) != want_code || !cur_skip(&packet, X224_FIXED - 1)) {
        return REPLY_BAD;
    }
    *tpdu = packet;
    *c = probe;
    return REPLY_OK;
}

/* MS-RDPBCGR 2.2.1.1: after the X.224 Connection Request's fixed part, an optional
 * routingToken or cookie ("Cookie: mstshash=...", both end in CR LF), then an optional
 * RDP_NEG_REQ (2.2.1.1.1: type 0x01, flags, length 8, requestedProtocols). */
static bool rdp_has_neg_req(struct cursor tpdu)
{
    uint8_t type;
    if (cur_peek_u8(tpdu, 0, &type) && type != RDP_NEG_REQ) {
        struct cursor line;
        if (!scan_take_line(&tpdu, &line)) {
            return false;
        }
    }
    uint8_t length;
    return cur_peek_u8(tpdu, 0, &type) && type == RDP_NEG_REQ && cur_peek_u8(tpdu, 2, &length) &&
           length == RDP_NEG_LENGTH && cur_len(tpdu) >= RDP_NEG_LENGTH;
}

/* 2.2.1.2: the Connection Confirm carries an RDP_NEG_RSP (2.2.1.2.1: type 0x02, flags, length
 * 8, selectedProtocol, little-endian) or an RDP_NEG_FAILURE (type 0x03). Any protocol but
 * PROTOCOL_RDP (0, Standard RDP Security) is Enhanced RDP Security (5.4): TLS right after
 * the PDU (PROTOCOL_SSL 1, PROTOCOL_HYBRID 2, PROTOCOL_RDSTLS 4, PROTOCOL_HYBRID_EX 8...). */
static enum starttls_verdict scan_rdp(struct cursor c2s, struct cursor s2c,
                                      struct starttls_result *res)
{
    struct cursor client = c2s, server = s2c, tpdu;
    enum reply got = take_x224(&client, X224_CONNECTION_REQUEST, &tpdu);
    if (got != REPLY_OK) {
        return got == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
    }
    if (!rdp_has_neg_req(tpdu)) {
        return STARTTLS_NOT; /* Standard RDP Security only */
    }
    got = take_x224(&server, X224_CONNECTION_CONFIRM, &tpdu);
    if (got != REPLY_OK) {
        return got == REPLY_BAD ? STARTTLS_NOT : STARTTLS_MORE;
    }
    /* type, flags, length (8, little-endian), selectedProtocol (u32, little-endian) */
    static const uint8_t rdp_protocol_rdp[4] = {0, 0, 0, 0};
    uint8_t type, flags, length[2];
    struct cursor selected;
    if (!cur_get_u8(&tpdu, &type) || type != RDP_NEG_RSP || !cur_get_u8(&tpdu, &flags) ||
        !cur_get_u8(&tpdu, &length[0]) || !cur_get_u8(&tpdu, &length[1]) ||
        length[0] != RDP_NEG_LENGTH || length[1] != 0 || !cur_get_bytes(&tpdu, 4, &selected) ||
        cur_equal(selected, rdp_protocol_rdp, sizeof(rdp_protocol_rdp))) {
        return STARTTLS_NOT;
    }
    return scan_upgrade_at(cur_offset(c2s, client), cur_offset(s2c, server), res);
}

/* ---- all of them */

/* Who sends a protocol's first message. */
enum first_speaker { FIRST_CLIENT, FIRST_SERVER, FIRST_EITHER };

static const struct {
    enum starttls_proto proto;
    const char *name;
    enum first_speaker first;
    enum starttls_verdict (*scan)(struct cursor c2s, struct cursor s2c,
                                  struct starttls_result *res);
} protocols[] = {
    {STARTTLS_SMTP, "smtp", FIRST_SERVER, scan_smtp},
    {STARTTLS_IMAP, "imap", FIRST_SERVER, scan_imap},
    {STARTTLS_POP3, "pop3", FIRST_SERVER, scan_pop3},
    {STARTTLS_FTP, "ftp", FIRST_SERVER, scan_ftp},
    {STARTTLS_XMPP, "xmpp", FIRST_CLIENT, scan_xmpp},
    {STARTTLS_LDAP, "ldap", FIRST_CLIENT, scan_ldap},
    {STARTTLS_POSTGRES, "postgres", FIRST_CLIENT, scan_postgres},
    {STARTTLS_MYSQL, "mysql", FIRST_SERVER, scan_mysql},
    {STARTTLS_IRC, "irc", FIRST_EITHER, scan_irc},
    {STARTTLS_RDP, "rdp", FIRST_CLIENT, scan_rdp},
    {STARTTLS_HTTP_CONNECT, "http_connect", FIRST_CLIENT, tunnel_scan_http_connect},
    /* tunnel_scan_socks4 tells 4 from 4A */
    {STARTTLS_SOCKS4, "socks4", FIRST_CLIENT, tunnel_scan_socks4},
    {STARTTLS_SOCKS4A, "socks4a", FIRST_CLIENT, NULL},
    {STARTTLS_SOCKS5, "socks5", FIRST_CLIENT, tunnel_scan_socks5},
};

#define PROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

struct starttls_result starttls_scan(struct cursor c2s, struct cursor s2c)
{
    struct starttls_result r = {STARTTLS_NOT, STARTTLS_NONE, {0, 0}, {TARGET_NONE, {0}, 0}};
    bool more = false;
    for (size_t i = 0; i < PROTOCOLS; i++) {
        if (protocols[i].scan == NULL) {
            continue;
        }
        r.proto = protocols[i].proto;
        enum starttls_verdict v;
        struct cursor first = protocols[i].first == FIRST_SERVER ? s2c : c2s;
        struct cursor other = protocols[i].first == FIRST_SERVER ? c2s : s2c;
        if (protocols[i].first != FIRST_EITHER && cur_len(first) == 0) {
            /* its first message has not come: wait while the other side is silent too */
            v = cur_len(other) == 0 ? STARTTLS_MORE : STARTTLS_NOT;
        } else {
            v = protocols[i].scan(c2s, s2c, &r);
        }
        if (v == STARTTLS_UPGRADE) {
            r.verdict = STARTTLS_UPGRADE;
            return r;
        }
        more = more || v == STARTTLS_MORE;
    }
    r.proto = STARTTLS_NONE;
    r.target.kind = TARGET_NONE;
    /* Bounded: a plaintext session that has not upgraded by now is not going to. */
    if (more && cur_len(c2s) < STARTTLS_SCAN_MAX && cur_len(s2c) < STARTTLS_SCAN_MAX &&
        count_lines(c2s) <= STARTTLS_LINES_MAX && count_lines(s2c) <= STARTTLS_LINES_MAX) {
        r.verdict = STARTTLS_MORE;
    }
    return r;
}

const char *starttls_name(enum starttls_proto p)
{
    for (size_t i = 0; i < PROTOCOLS; i++) {
        if (protocols[i].proto == p) {
            return protocols[i].name;
        }
    }
    return "none";
}

bool starttls_is_tunnel(enum starttls_proto p)
{
    return p == STARTTLS_HTTP_CONNECT || p == STARTTLS_SOCKS4 || p == STARTTLS_SOCKS4A ||
           p == STARTTLS_SOCKS5;
}
