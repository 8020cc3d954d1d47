/* Tests for dissectors/starttls/starttls.c (each protocol's upgrade, split at every byte, refusals,
 * bounds) and for the STARTTLS path of src/conn.c (release, then TLS where it said). */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "output/output.h"
#include "printed.h"
#include "starttls/starttls.h"
#include "starttls/tunnel.h"
#include "stats.h"
#include "suites.h"

/* One message of a conversation, in wire order. */
struct msg {
    enum dir d;
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
};

struct conversation {
    const char *name;
    enum starttls_proto proto;
    const struct msg *msgs;
    size_t n;
    const char *target; /* a tunnel's target as tunnel_target_text() gives it, or NULL */
};

#define TEXT(d, s) {(d), (s), 0}
#define BIN(d, a) {(d), (const char *)(a), sizeof(a)}
#define C DIR_C2S
#define S DIR_S2C

static size_t msg_len(const struct msg *m)
{
    return m->len != 0 ? m->len : strlen(m->bytes);
}

/* What openssl s_client -starttls smtp and a server say (RFC 5321 4.2, RFC 3207 4). */
static const struct msg smtp[] = {
    TEXT(S, "220 mx.example.net ESMTP\r\n"),
    TEXT(C, "EHLO mail.example.com\r\n"),
    TEXT(S, "250-mx.example.net\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
    TEXT(C, "STARTTLS\r\n"),
    TEXT(S, "220 2.0.0 Ready to start TLS\r\n"),
};

/* RFC 9051 6.2.1; s_client uses the tag "." for both commands. */
static const struct msg imap[] = {
    TEXT(S, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
    TEXT(C, ". CAPABILITY\r\n"),
    TEXT(S, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n. OK CAPABILITY completed\r\n"),
    TEXT(C, ". STARTTLS\r\n"),
    TEXT(S, ". OK Begin TLS negotiation now\r\n"),
};

/* RFC 2595 4 after a multi-line CAPA (RFC 2449 5). */
static const struct msg pop3[] = {
    TEXT(S, "+OK POP3 ready\r\n"),
    TEXT(C, "CAPA\r\n"),
    TEXT(S, "+OK Capability list follows\r\nSTLS\r\nUSER\r\n.\r\n"),
    TEXT(C, "STLS\r\n"),
    TEXT(S, "+OK Begin TLS negotiation\r\n"),
};

/* RFC 4217 4, after a multi-line FEAT reply whose middle lines are free text. */
static const struct msg ftp[] = {
    TEXT(S, "220 FTP ready\r\n"),
    TEXT(C, "FEAT\r\n"),
    TEXT(S, "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n"),
    TEXT(C, "AUTH TLS\r\n"),
    TEXT(S, "234 AUTH TLS successful\r\n"),
};

/* RFC 6120 5.4.2 */
static const struct msg xmpp[] = {
    TEXT(C, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
            "xmlns='jabber:client' to='example.net' version='1.0'>"),
    TEXT(S, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0'>"
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
            "<required/></starttls></stream:features>"),
    TEXT(C, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
    TEXT(S, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
};

/* RFC 4511 4.14.1 as s_client sends it: LDAPMessage { messageID 1, ExtendedRequest
 * { [0] "1.3.6.1.4.1.1466.20037" } } */
static const uint8_t ldap_request[] = {
    0x30, 0x1d,                   /* LDAPMessage SEQUENCE, 29 bytes */
    0x02, 0x01, 0x01,             /* messageID 1 */
    0x77, 0x18,                   /* [APPLICATION 23] ExtendedRequest, 24 bytes */
    0x80, 0x16,                   /* [0] requestName, 22 bytes */
    '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4', '6', '6', '.', '2',
    '0', '0', '3', '7',
};
/* LDAPMessage { messageID 1, ExtendedResponse { resultCode success, "", "" } } */
static const uint8_t ldap_success[] = {
    0x30, 0x0c,       /* LDAPMessage SEQUENCE, 12 bytes */
    0x02, 0x01, 0x01, /* messageID 1 */
    0x78, 0x07,       /* [APPLICATION 24] ExtendedResponse, 7 bytes */
    0x0a, 0x01, 0x00, /* resultCode success (0) */
    0x04, 0x00,       /* matchedDN "" */
    0x04, 0x00,       /* diagnosticMessage "" */
};
static const struct msg ldap[] = {BIN(C, ldap_request), BIN(S, ldap_success)};

/* Int32 8, Int32 80877103 */
static const uint8_t pg_ssl_request[] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f};
/* Int32 8, Int32 80877104 (GSSENCRequest) */
static const uint8_t pg_gssenc_request[] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x30};
static const struct msg postgres[] = {BIN(C, pg_ssl_request), TEXT(S, "S")};
static const struct msg postgres_after_gssenc[] = {
    BIN(C, pg_gssenc_request), TEXT(S, "N"), BIN(C, pg_ssl_request), TEXT(S, "S"),
};

/* HandshakeV10 (payload 39 bytes) with CLIENT_SSL among its capabilities. */
static const uint8_t mysql_greeting[] = {
    0x27, 0x00, 0x00, 0x00,                         /* payload_length 39, sequence 0 */
    0x0a,                                           /* protocol_version 10 */
    '8', '.', '0', '.', '3', '6', 0x00,             /* server_version "8.0.36" */
    0x07, 0x00, 0x00, 0x00,                         /* thread id */
    0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, /* auth-plugin-data-part-1 */
    0x00,                                           /* filler */
    0x01, 0x8a,                                     /* capability_flags_1: SSL (0x0800) set */
    0x21,                                           /* character_set */
    0x02, 0x00,                                     /* status_flags */
    0x08, 0x00,                                     /* capability_flags_2 */
    0x15,                                           /* auth_plugin_data_len 21 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved */
};
/* SSLRequest as s_client sends it: payload 32 bytes, sequence 1, CLIENT_SSL set. */
static const uint8_t mysql_ssl_request[] = {
    0x20, 0x00, 0x00, 0x01, /* payload_length 32, sequence 1 */
    0x85, 0xae, 0x7f, 0x00, /* capability flags (0x007fae85): CLIENT_SSL set */
    0x00, 0x00, 0x00, 0x01, /* max-packet size */
    0x21,                   /* character set */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved */
};
static const struct msg mysql[] = {BIN(S, mysql_greeting), BIN(C, mysql_ssl_request)};

/* IRCv3 tls extension, as openssl s_client -starttls irc sends it: STARTTLS at once. */
static const struct msg irc[] = {
    TEXT(S, ":irc.example.net NOTICE * :*** Looking up your hostname...\r\n"),
    TEXT(C, "STARTTLS\r\n"),
    TEXT(S, ":irc.example.net 670 * :STARTTLS successful, go ahead with TLS handshake\r\n"),
};
/* After a capability listing, before registration completes. */
static const struct msg irc_after_cap[] = {
    TEXT(C, "CAP LS 302\r\nNICK hsdump\r\n"),
    TEXT(S, ":irc.example.net CAP * LS :tls multi-prefix\r\n"),
    TEXT(C, "STARTTLS\r\n"),
    TEXT(S, ":irc.example.net 670 hsdump :STARTTLS successful\r\n"),
};

/* MS-RDPBCGR 2.2.1.1: TPKT, X.224 Connection Request, cookie, RDP_NEG_REQ. */
static const uint8_t rdp_request[] = {
    0x03, 0x00, 0x00, 0x2c,             /* TPKT (T.123 8): version 3, length 44 */
    0x27,                               /* X.224 length indicator: 39 bytes follow */
    0xe0,                               /* CR (X.224 13.3), CDT 0 */
    0x00, 0x00, 0x00, 0x00,             /* DST-REF, SRC-REF */
    0x00,                               /* class 0 */
    'C', 'o', 'o', 'k', 'i', 'e', ':', ' ', 'm', 's', 't', 's', 'h', 'a', 's', 'h', '=',
    'h', 's', 'd', 'u', 'm', 'p', '\r', '\n', /* routing cookie (2.2.1.1) */
    0x01, 0x00, 0x08, 0x00,             /* RDP_NEG_REQ (2.2.1.1.1): type, flags, length 8 */
    0x03, 0x00, 0x00, 0x00,             /* requestedProtocols: SSL | HYBRID */
};
/* 2.2.1.2: TPKT, X.224 Connection Confirm, RDP_NEG_RSP (2.2.1.2.1). */
static const uint8_t rdp_confirm[] = {
    0x03, 0x00, 0x00, 0x13, /* TPKT: length 19 */
    0x0e,                   /* length indicator: 14 */
    0xd0,                   /* CC (X.224 13.4) */
    0x00, 0x00, 0x12, 0x34, /* DST-REF, SRC-REF */
    0x00,                   /* class 0 */
    0x02, 0x1f, 0x08, 0x00, /* RDP_NEG_RSP: type, flags, length 8 */
    0x02, 0x00, 0x00, 0x00, /* selectedProtocol: PROTOCOL_HYBRID */
};
static const struct msg rdp[] = {BIN(C, rdp_request), BIN(S, rdp_confirm)};

/* RFC 9110 9.3.6, as curl --proxy sends it. */
static const struct msg http_connect[] = {
    TEXT(C, "CONNECT server.example:443 HTTP/1.1\r\nHost: server.example:443\r\n"
            "User-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n"),
    TEXT(S, "HTTP/1.1 200 Connection established\r\n\r\n"),
};
/* An interim 1xx response first (RFC 9110 15.2). */
static const struct msg http_connect_interim[] = {
    TEXT(C, "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n"),
    TEXT(S, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nVia: 1.1 proxy\r\n\r\n"),
};

static const uint8_t socks4_request[] = {
    0x04, 0x01,             /* VN 4, CD 1: CONNECT */
    0x01, 0xbb,             /* DSTPORT 443 */
    0xc0, 0x00, 0x02, 0x07, /* DSTIP 192.0.2.7 */
    'h', 's', 0x00,         /* USERID "hs", NUL */
};
static const uint8_t socks4_granted[] = {
    0x00, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* VN 0, CD 90, DSTPORT, DSTIP */
};
static const struct msg socks4[] = {BIN(C, socks4_request), BIN(S, socks4_granted)};
static const uint8_t socks4a_request[] = {
    0x04, 0x01, 0x01, 0xbb, /* VN 4, CD 1, DSTPORT 443 */
    0x00, 0x00, 0x00, 0x01, /* DSTIP 0.0.0.1: a host name follows */
    0x00,                   /* USERID "", NUL */
    's', 'e', 'r', 'v', 'e', 'r', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x00,
};
static const struct msg socks4a[] = {BIN(C, socks4a_request), BIN(S, socks4_granted)};

/* RFC 1928 3, 4, 6: no authentication, CONNECT to a domain name. */
static const uint8_t socks5_greeting[] = {0x05, 0x01, 0x00}; /* VER, NMETHODS, NO AUTH */
static const uint8_t socks5_no_auth[] = {0x05, 0x00};
static const uint8_t socks5_request_name[] = {
    0x05, 0x01, 0x00, /* VER, CMD CONNECT, RSV */
    0x03, 0x0e,       /* ATYP DOMAINNAME, 14 bytes */
    's', 'e', 'r', 'v', 'e', 'r', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
    0x01, 0xbb, /* DST.PORT 443 */
};
static const uint8_t socks5_succeeded[] = {
    0x05, 0x00, 0x00,       /* VER, REP succeeded, RSV */
    0x01, 127, 0, 0, 1,     /* ATYP IPv4, BND.ADDR */
    0xb1, 0x00,             /* BND.PORT */
};
static const struct msg socks5[] = {
    BIN(C, socks5_greeting), BIN(S, socks5_no_auth),
    BIN(C, socks5_request_name), BIN(S, socks5_succeeded),
};
/* RFC 1929 2: username/password, then CONNECT to an IPv6 address. */
static const uint8_t socks5_greeting_auth[] = {0x05, 0x02, 0x00, 0x02};
static const uint8_t socks5_userpass[] = {0x05, 0x02};
static const uint8_t socks5_credentials[] = {
    0x01, 0x04, 'u', 's', 'e', 'r', 0x04, 'p', 'a', 's', 's', /* VER 1, UNAME, PASSWD */
};
static const uint8_t socks5_auth_ok[] = {0x01, 0x00}; /* VER 1, STATUS success */
static const uint8_t socks5_request_v6[] = {
    0x05, 0x01, 0x00, 0x04, /* VER, CONNECT, RSV, ATYP IPv6 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* 2001:db8::1 */
    0x01, 0xbb,
};
static const struct msg socks5_auth[] = {
    BIN(C, socks5_greeting_auth), BIN(S, socks5_userpass), BIN(C, socks5_credentials),
    BIN(S, socks5_auth_ok), BIN(C, socks5_request_v6), BIN(S, socks5_succeeded),
};

#define CONV(name, proto, msgs) {name, proto, msgs, sizeof(msgs) / sizeof(msgs[0]), NULL}
#define TUNNEL(name, proto, msgs, target)                                                     \
    {name, proto, msgs, sizeof(msgs) / sizeof(msgs[0]), target}
static const struct conversation conversations[] = {
    CONV("smtp", STARTTLS_SMTP, smtp),
    CONV("imap", STARTTLS_IMAP, imap),
    CONV("pop3", STARTTLS_POP3, pop3),
    CONV("ftp", STARTTLS_FTP, ftp),
    CONV("xmpp", STARTTLS_XMPP, xmpp),
    CONV("ldap", STARTTLS_LDAP, ldap),
    CONV("postgres", STARTTLS_POSTGRES, postgres),
    CONV("postgres", STARTTLS_POSTGRES, postgres_after_gssenc),
    CONV("mysql", STARTTLS_MYSQL, mysql),
    CONV("irc", STARTTLS_IRC, irc),
    CONV("irc", STARTTLS_IRC, irc_after_cap),
    CONV("rdp", STARTTLS_RDP, rdp),
    TUNNEL("http_connect", STARTTLS_HTTP_CONNECT, http_connect, "server.example:443"),
    TUNNEL("http_connect", STARTTLS_HTTP_CONNECT, http_connect_interim, "[2001:db8::1]:8443"),
    TUNNEL("socks4", STARTTLS_SOCKS4, socks4, "192.0.2.7:443"),
    TUNNEL("socks4a", STARTTLS_SOCKS4A, socks4a, "server.example:443"),
    TUNNEL("socks5", STARTTLS_SOCKS5, socks5, "server.example:443"),
    TUNNEL("socks5", STARTTLS_SOCKS5, socks5_auth, "[2001:db8::1]:443"),
};
#define CONVERSATIONS (sizeof(conversations) / sizeof(conversations[0]))

/* Both directions of a conversation: the first `upto` bytes of it in wire order. */
struct sides {
    uint8_t bytes[2][4096];
    size_t len[2];
};

static size_t conversation_len(const struct conversation *cv)
{
    size_t n = 0;
    for (size_t i = 0; i < cv->n; i++) {
        n += msg_len(&cv->msgs[i]);
    }
    return n;
}

static void sides_upto(const struct conversation *cv, size_t upto, struct sides *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < cv->n && upto > 0; i++) {
        size_t n = msg_len(&cv->msgs[i]);
        if (n > upto) {
            n = upto;
        }
        enum dir d = cv->msgs[i].d;
        ck_assert_uint_le(s->len[d] + n, sizeof(s->bytes[d]));
        memcpy(s->bytes[d] + s->len[d], cv->msgs[i].bytes, n);
        s->len[d] += n;
        upto -= n;
    }
}

static struct starttls_result scan(const struct sides *s)
{
    return starttls_scan(cur_make(s->bytes[DIR_C2S], s->len[DIR_C2S]),
                         cur_make(s->bytes[DIR_S2C], s->len[DIR_S2C]));
}

START_TEST(each_protocol_upgrade_is_found_where_tls_starts)
{
    const struct conversation *cv = &conversations[_i];
    struct sides s;
    sides_upto(cv, conversation_len(cv), &s);
    struct starttls_result r = scan(&s);
    ck_assert_msg(r.verdict == STARTTLS_UPGRADE, "%s: no upgrade", cv->name);
    ck_assert_int_eq(r.proto, cv->proto);
    ck_assert_str_eq(starttls_name(r.proto), cv->name);
    ck_assert_uint_eq(r.tls_start[DIR_C2S], s.len[DIR_C2S]);
    ck_assert_uint_eq(r.tls_start[DIR_S2C], s.len[DIR_S2C]);
    ck_assert(starttls_is_tunnel(r.proto) == (cv->target != NULL));
    uint8_t text[STARTTLS_TARGET_TEXT_MAX + 1];
    size_t len = tunnel_target_text(&r.target, text, STARTTLS_TARGET_TEXT_MAX);
    text[len] = '\0';
    ck_assert_str_eq((const char *)text, cv->target != NULL ? cv->target : "");
}
END_TEST

/* Reassembly hands the bytes over in any segmentation: every shorter prefix of the
 * conversation, in its wire order, is still "keep looking". */
START_TEST(every_prefix_of_an_upgrade_keeps_looking)
{
    const struct conversation *cv = &conversations[_i];
    size_t total = conversation_len(cv);
    for (size_t upto = 0; upto < total; upto++) {
        struct sides s;
        sides_upto(cv, upto, &s);
        struct starttls_result r = scan(&s);
        ck_assert_msg(r.verdict == STARTTLS_MORE, "%s: verdict %d after %zu of %zu bytes",
                      cv->name, r.verdict, upto, total);
    }
}
END_TEST

/* TLS bytes after the agreement are not plaintext: where they start is unchanged by them. */
START_TEST(bytes_after_the_upgrade_do_not_move_its_offset)
{
    static const char client_hello_start[] = "\x16\x03\x01\x00\xa5\x01";
    struct sides s;
    sides_upto(&conversations[0], conversation_len(&conversations[0]), &s);
    size_t c2s_plain = s.len[DIR_C2S];
    memcpy(s.bytes[DIR_C2S] + c2s_plain, client_hello_start, 6);
    s.len[DIR_C2S] += 6;
    struct starttls_result r = scan(&s);
    ck_assert_int_eq(r.verdict, STARTTLS_UPGRADE);
    ck_assert_uint_eq(r.tls_start[DIR_C2S], c2s_plain);
}
END_TEST

static struct starttls_result scan_text(const char *c2s, const char *s2c)
{
    return starttls_scan(cur_make((const uint8_t *)c2s, strlen(c2s)),
                         cur_make((const uint8_t *)s2c, strlen(s2c)));
}

START_TEST(refused_upgrades_stay_plaintext)
{
    static const char *const refused[][2] = {
        /* SMTP 454: TLS not available (RFC 3207 4) */
        {"EHLO a\r\nSTARTTLS\r\n", "220 mx\r\n250 mx\r\n454 4.7.0 TLS not available\r\n"},
        {". STARTTLS\r\n", "* OK ready\r\n. NO not now\r\n"},
        {"STLS\r\n", "+OK ready\r\n-ERR not now\r\n"},
        {"AUTH TLS\r\n", "220 ready\r\n534 policy\r\n"},
        {"<stream:stream to='a'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
         "<stream:stream><failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ck_assert_msg(scan_text(refused[i][0], refused[i][1]).verdict == STARTTLS_NOT,
                      "refusal %zu", i);
    }
    /* PostgreSQL 'N' */
    struct starttls_result r = starttls_scan(cur_make(pg_ssl_request, sizeof(pg_ssl_request)),
                                             cur_make((const uint8_t *)"N", 1));
    ck_assert_int_eq(r.verdict, STARTTLS_NOT);
    /* LDAP resultCode protocolError (2) */
    uint8_t ldap_refused[sizeof(ldap_success)];
    memcpy(ldap_refused, ldap_success, sizeof(ldap_success));
    ldap_refused[9] = 0x02;
    r = starttls_scan(cur_make(ldap_request, sizeof(ldap_request)),
                      cur_make(ldap_refused, sizeof(ldap_refused)));
    ck_assert_int_eq(r.verdict, STARTTLS_NOT);
}
END_TEST

static enum starttls_verdict scan_bytes(const uint8_t *c2s, size_t c2s_len, const uint8_t *s2c,
                                        size_t s2c_len)
{
    return starttls_scan(cur_make(c2s, c2s_len), cur_make(s2c, s2c_len)).verdict;
}

#define SCAN_BIN(c, s) scan_bytes((c), sizeof(c), (s), sizeof(s))

START_TEST(refused_tunnels_and_new_upgrades_stay_plaintext)
{
    /* IRC: 691 (ERR_STARTTLS), 421 (unknown command), and registration without STARTTLS */
    ck_assert_int_eq(scan_text("STARTTLS\r\n", ":irc 691 * :STARTTLS failed\r\n").verdict,
                     STARTTLS_NOT);
    ck_assert_int_eq(scan_text("STARTTLS\r\n", ":irc 421 * STARTTLS :Unknown\r\n").verdict,
                     STARTTLS_NOT);
    ck_assert_int_eq(
        scan_text("NICK a\r\nUSER a 0 * :a\r\n", ":irc 001 a :Welcome\r\n").verdict,
        STARTTLS_NOT);
    ck_assert_int_eq(scan_text("JOIN #a\r\n", "").verdict, STARTTLS_NOT);
    /* HTTP CONNECT answered 407 (RFC 9110 15.5.8) or 502 */
    ck_assert_int_eq(scan_text("CONNECT a:443 HTTP/1.1\r\n\r\n",
                               "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                         .verdict,
                     STARTTLS_NOT);
    ck_assert_int_eq(
        scan_text("CONNECT a:443 HTTP/1.1\r\n\r\n", "HTTP/1.1 502 Bad Gateway\r\n\r\n").verdict,
        STARTTLS_NOT);
    ck_assert_int_eq(scan_text("CONNECT  HTTP/1.1\r\n\r\n", "").verdict, STARTTLS_NOT);
    /* RDP: RDP_NEG_FAILURE, PROTOCOL_RDP chosen, no RDP_NEG_REQ at all */
    uint8_t confirm[sizeof(rdp_confirm)];
    memcpy(confirm, rdp_confirm, sizeof(confirm));
    confirm[11] = 0x03; /* TYPE_RDP_NEG_FAILURE */
    ck_assert_int_eq(SCAN_BIN(rdp_request, confirm), STARTTLS_NOT);
    memcpy(confirm, rdp_confirm, sizeof(confirm));
    confirm[15] = 0x00; /* selectedProtocol PROTOCOL_RDP: Standard RDP Security */
    ck_assert_int_eq(SCAN_BIN(rdp_request, confirm), STARTTLS_NOT);
    static const uint8_t no_neg_req[] = {0x03, 0x00, 0x00, 0x0b, 0x06, 0xe0,
                                         0x00, 0x00, 0x00, 0x00, 0x00};
    ck_assert_int_eq(SCAN_BIN(no_neg_req, rdp_confirm), STARTTLS_NOT);
    uint8_t request[sizeof(rdp_request)];
    memcpy(request, rdp_request, sizeof(request));
    request[4] = 0x26; /* a length indicator that disagrees with TPKT's length */
    ck_assert_int_eq(SCAN_BIN(request, rdp_confirm), STARTTLS_NOT);
    /* SOCKS 4: rejected (91); BIND (CD 2) */
    static const uint8_t socks4_rejected[] = {0x00, 0x5b, 0, 0, 0, 0, 0, 0};
    ck_assert_int_eq(SCAN_BIN(socks4_request, socks4_rejected), STARTTLS_NOT);
    uint8_t bind[sizeof(socks4_request)];
    memcpy(bind, socks4_request, sizeof(bind));
    bind[1] = 0x02;
    ck_assert_int_eq(scan_bytes(bind, sizeof(bind), NULL, 0), STARTTLS_NOT);
    /* SOCKS 5: no acceptable method, GSSAPI, a failed login, a refused CONNECT */
    uint8_t c2s[64], s2c[64];
    /* (with the request pipelined: two bytes alone could still start a MySQL greeting) */
    memcpy(c2s, socks5_greeting, 3);
    memcpy(c2s + 3, socks5_request_name, sizeof(socks5_request_name));
    size_t c2s_len = 3 + sizeof(socks5_request_name);
    static const uint8_t none_acceptable[] = {0x05, 0xff};
    ck_assert_int_eq(scan_bytes(c2s, c2s_len, none_acceptable, 2), STARTTLS_NOT);
    static const uint8_t gssapi[] = {0x05, 0x01};
    ck_assert_int_eq(scan_bytes(c2s, c2s_len, gssapi, 2), STARTTLS_NOT);
    memcpy(c2s, socks5_greeting_auth, 4);
    memcpy(c2s + 4, socks5_credentials, sizeof(socks5_credentials));
    static const uint8_t auth_failed[] = {0x05, 0x02, 0x01, 0x01};
    ck_assert_int_eq(scan_bytes(c2s, 4 + sizeof(socks5_credentials), auth_failed, 4),
                     STARTTLS_NOT);
    memcpy(c2s, socks5_greeting, 3);
    memcpy(c2s + 3, socks5_request_name, sizeof(socks5_request_name));
    memcpy(s2c, socks5_no_auth, 2);
    memcpy(s2c + 2, socks5_succeeded, sizeof(socks5_succeeded));
    s2c[3] = 0x05; /* REP: connection refused */
    ck_assert_int_eq(scan_bytes(c2s, 3 + sizeof(socks5_request_name), s2c,
                                2 + sizeof(socks5_succeeded)),
                     STARTTLS_NOT);
    c2s[4] = 0x02; /* CMD BIND */
    ck_assert_int_eq(scan_bytes(c2s, 3 + sizeof(socks5_request_name), s2c, 2), STARTTLS_NOT);
}
END_TEST

START_TEST(mysql_without_ssl_is_plaintext)
{
    /* a greeting without CLIENT_SSL */
    uint8_t greeting[sizeof(mysql_greeting)];
    memcpy(greeting, mysql_greeting, sizeof(greeting));
    greeting[25] = 0x01; /* capability_flags_1 low byte */
    greeting[26] = 0x82; /* 0x8201: SSL (0x0800) clear */
    struct starttls_result r =
        starttls_scan(cur_make(NULL, 0), cur_make(greeting, sizeof(greeting)));
    ck_assert_int_eq(r.verdict, STARTTLS_NOT);
    /* a HandshakeResponse41 (longer than 32 bytes): the login goes in plaintext */
    uint8_t login[4 + 40] = {40, 0, 0, 1, 0x85, 0xa6, 0x7f, 0x00};
    r = starttls_scan(cur_make(login, sizeof(login)),
                      cur_make(mysql_greeting, sizeof(mysql_greeting)));
    ck_assert_int_eq(r.verdict, STARTTLS_NOT);
}
END_TEST

START_TEST(other_protocols_are_not_starttls_at_once)
{
    /* HTTP: the client speaks first, and no STARTTLS protocol starts so */
    ck_assert_int_eq(scan_text("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "").verdict, STARTTLS_NOT);
    ck_assert_int_eq(scan_text("G", "").verdict, STARTTLS_NOT);
    /* SSH: the server's banner is none of the greetings */
    ck_assert_int_eq(scan_text("", "SSH-2.0-OpenSSH_9.2\r\n").verdict, STARTTLS_NOT);
    /* plain SMTP that goes on without STARTTLS */
    ck_assert_int_eq(scan_text("EHLO a\r\nMAIL FROM:<a@b>\r\n", "220 mx\r\n250 mx\r\n").verdict,
                     STARTTLS_NOT);
    /* nothing yet: keep looking */
    ck_assert_int_eq(scan_text("", "").verdict, STARTTLS_MORE);
}
END_TEST

START_TEST(no_upgrade_within_the_bounds_gives_up)
{
    /* NOOPs and their replies up to STARTTLS_LINES_MAX lines (the greeting is one), then
     * one more */
    static char c2s[65 * 6 + 1], s2c[8 + 65 * 8 + 1];
    c2s[0] = s2c[0] = '\0';
    strcat(s2c, "220 mx\r\n");
    for (int i = 0; i < STARTTLS_LINES_MAX - 1; i++) {
        strcat(c2s, "NOOP\r\n");
        strcat(s2c, "250 ok\r\n");
    }
    ck_assert_int_eq(scan_text(c2s, s2c).verdict, STARTTLS_MORE);
    strcat(c2s, "NOOP\r\n");
    strcat(s2c, "250 ok\r\n");
    ck_assert_int_eq(scan_text(c2s, s2c).verdict, STARTTLS_NOT);
    /* STARTTLS_SCAN_MAX bytes of one unfinished XMPP stream header */
    static uint8_t big[STARTTLS_SCAN_MAX];
    memset(big, 'a', sizeof(big));
    memcpy(big, "<stream:stream ", 15);
    struct starttls_result r = starttls_scan(cur_make(big, sizeof(big) - 1), cur_make(NULL, 0));
    ck_assert_int_eq(r.verdict, STARTTLS_MORE);
    r = starttls_scan(cur_make(big, sizeof(big)), cur_make(NULL, 0));
    ck_assert_int_eq(r.verdict, STARTTLS_NOT);
}
END_TEST

START_TEST(ber_lengths_beyond_the_bound_are_not_ldap)
{
    static const uint8_t indefinite[] = {0x30, 0x80, 0x02, 0x01, 0x01};
    static const uint8_t huge[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff};
    ck_assert_int_eq(starttls_scan(cur_make(indefinite, sizeof(indefinite)), cur_make(NULL, 0))
                         .verdict,
                     STARTTLS_NOT);
    ck_assert_int_eq(starttls_scan(cur_make(huge, sizeof(huge)), cur_make(NULL, 0)).verdict,
                     STARTTLS_NOT);
}
END_TEST

/* ---- src/conn.c: what follows the verdicts */

struct conn_fixture {
    struct printed p;
    struct conn *c;
};

static void fixture_open(struct conn_fixture *fx)
{
    static const struct endpoint client = {4, {192, 0, 2, 1}, 40000};
    static const struct endpoint server = {4, {192, 0, 2, 2}, 25};
    printed_open(&fx->p);
    fx->c = conn_open(&fx->p.env, &client, &server);
    ck_assert_ptr_nonnull(fx->c);
}

static void fixture_close(struct conn_fixture *fx)
{
    printed_close(&fx->p);
}

/* Feeds direction d everything it sent so far (reassembly keeps what was not consumed). */
struct stream {
    uint8_t bytes[2][4096];
    size_t len[2];
    size_t consumed[2];
};

static enum conn_verdict deliver(struct conn *c, struct stream *st, enum dir d, const void *more,
                                 size_t n)
{
    enum conn_verdict v;
    memcpy(st->bytes[d] + st->len[d], more, n);
    st->len[d] += n;
    struct cursor held = cur_make(st->bytes[d] + st->consumed[d], st->len[d] - st->consumed[d]);
    size_t used = conn_data(c, d, held, &v);
    ck_assert_uint_le(used, cur_len(held));
    st->consumed[d] += used;
    return v;
}

START_TEST(refused_upgrade_is_released)
{
    struct conn_fixture fx;
    static struct stream st;
    memset(&st, 0, sizeof(st));
    fixture_open(&fx);
    ck_assert_int_eq(deliver(fx.c, &st, DIR_S2C, "220 mx\r\n", 8), CONN_FOLLOW);
    ck_assert_int_eq(deliver(fx.c, &st, DIR_C2S, "STARTTLS\r\n", 10), CONN_FOLLOW);
    ck_assert_int_eq(fx.c->kind, CONN_UNDECIDED);
    ck_assert_int_eq(deliver(fx.c, &st, DIR_S2C, "454 4.7.0 no\r\n", 14), CONN_RELEASE);
    ck_assert_int_eq(fx.c->kind, CONN_NOT_TLS);
    ck_assert_uint_eq(fx.p.stats.not_tls_connections, 1);
    conn_free(fx.c);
    fixture_close(&fx);
}
END_TEST

/* A minimal TLS alert record: the first TLS bytes after the upgrade reach the record layer,
 * and every line says starttls=. */
START_TEST(upgraded_connection_continues_as_tls)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    struct conn_fixture fx;
    static struct stream st;
    memset(&st, 0, sizeof(st));
    fixture_open(&fx);
    deliver(fx.c, &st, DIR_S2C, "220 mx\r\n", 8);
    deliver(fx.c, &st, DIR_C2S, "STARTTLS\r\n", 10);
    ck_assert_int_eq(deliver(fx.c, &st, DIR_S2C, "220 go\r\n", 8), CONN_FOLLOW);
    ck_assert_int_eq(fx.c->kind, CONN_TLS);
    ck_assert_int_eq(fx.c->starttls, STARTTLS_SMTP);
    deliver(fx.c, &st, DIR_C2S, alert, sizeof(alert));
    ck_assert_uint_eq(st.consumed[DIR_C2S], st.len[DIR_C2S]);
    conn_close(fx.c, CONN_END_FIN, st.len[DIR_C2S], st.len[DIR_S2C], cur_make(NULL, 0),
               cur_make(NULL, 0));
    conn_free(fx.c);
    fflush(fx.p.fp);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "alert level=fatal description=handshake_failure "
                                          "starttls=smtp\n"));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " close end=fin "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, "starttls=smtp\n"));
    ck_assert_ptr_null(strstr(fx.p.text, "desync"));
    ck_assert_uint_eq(fx.p.stats.tls_connections, 1);
    fixture_close(&fx);
}
END_TEST

/* The client pipelined a record right behind STARTTLS: it is read once the server agrees. */
START_TEST(tls_already_sent_by_the_other_side_is_read_once)
{
    static const uint8_t pipelined[] = {'S', 'T', 'A', 'R', 'T', 'T', 'L', 'S', '\r', '\n',
                                        0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
    struct conn_fixture fx;
    static struct stream st;
    memset(&st, 0, sizeof(st));
    fixture_open(&fx);
    deliver(fx.c, &st, DIR_S2C, "220 mx\r\n", 8);
    deliver(fx.c, &st, DIR_C2S, pipelined, sizeof(pipelined));
    deliver(fx.c, &st, DIR_S2C, "220 go\r\n", 8);
    /* reassembly hands the client's bytes over again with the next segment */
    static const uint8_t more[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
    deliver(fx.c, &st, DIR_C2S, more, sizeof(more));
    ck_assert_uint_eq(st.consumed[DIR_C2S], st.len[DIR_C2S]);
    conn_free(fx.c);
    fflush(fx.p.fp);
    size_t alerts = 0;
    for (const char *p = fx.p.text; (p = strstr(p, " alert level=warning")) != NULL; p++) {
        alerts++;
    }
    ck_assert_uint_eq(alerts, 2);
    fixture_close(&fx);
}
END_TEST

static void open_with(struct conn_fixture *fx, uint16_t port)
{
    static const struct endpoint client = {4, {192, 0, 2, 1}, 40000};
    struct endpoint server = {4, {192, 0, 2, 2}, port};
    printed_open(&fx->p);
    fx->c = conn_open(&fx->p.env, &client, &server);
    ck_assert_ptr_nonnull(fx->c);
}

/* Every line of a tunnelled connection names the tunnel and where it leads. */
START_TEST(tunnel_lines_say_tunnel_and_target)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    struct conn_fixture fx;
    static struct stream st;
    memset(&st, 0, sizeof(st));
    open_with(&fx, 1080);
    deliver(fx.c, &st, DIR_C2S, socks5_greeting, sizeof(socks5_greeting));
    deliver(fx.c, &st, DIR_S2C, socks5_no_auth, sizeof(socks5_no_auth));
    deliver(fx.c, &st, DIR_C2S, socks5_request_name, sizeof(socks5_request_name));
    ck_assert_int_eq(fx.c->kind, CONN_UNDECIDED);
    deliver(fx.c, &st, DIR_S2C, socks5_succeeded, sizeof(socks5_succeeded));
    ck_assert_int_eq(fx.c->kind, CONN_TLS);
    ck_assert_int_eq(fx.c->starttls, STARTTLS_SOCKS5);
    deliver(fx.c, &st, DIR_S2C, alert, sizeof(alert));
    conn_close(fx.c, CONN_END_FIN, st.len[DIR_C2S], st.len[DIR_S2C], cur_make(NULL, 0),
               cur_make(NULL, 0));
    conn_free(fx.c);
    fflush(fx.p.fp);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "alert level=fatal description=handshake_failure "
                                          "tunnel=socks5 tunnel_target=server.example:443\n"));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " close end=fin "));
    ck_assert_ptr_null(strstr(fx.p.text, "starttls="));
    fixture_close(&fx);
}
END_TEST

/* A CONNECT target is a wire value: escaped like any, and cut (and marked) past the bound. */
START_TEST(tunnel_target_is_escaped_and_bounded)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    static const char ok[] = "HTTP/1.1 200 OK\r\n\r\n";
    static char request[STARTTLS_TARGET_TEXT_MAX + 64];
    for (int hostile = 1; hostile >= 0; hostile--) {
        struct conn_fixture fx;
        static struct stream st;
        memset(&st, 0, sizeof(st));
        open_with(&fx, 3128);
        if (hostile) {
            strcpy(request, "CONNECT a\x01\"b=c:443 HTTP/1.1\r\n\r\n");
        } else {
            strcpy(request, "CONNECT ");
            memset(request + 8, 'a', STARTTLS_TARGET_TEXT_MAX + 10);
            strcpy(request + 8 + STARTTLS_TARGET_TEXT_MAX + 10, " HTTP/1.1\r\n\r\n");
        }
        deliver(fx.c, &st, DIR_C2S, request, strlen(request));
        deliver(fx.c, &st, DIR_S2C, ok, strlen(ok));
        ck_assert_int_eq(fx.c->starttls, STARTTLS_HTTP_CONNECT);
        deliver(fx.c, &st, DIR_S2C, alert, sizeof(alert));
        conn_free(fx.c);
        fflush(fx.p.fp);
        ck_assert_ptr_nonnull(strstr(fx.p.text, " tunnel=http_connect tunnel_target="));
        if (hostile) {
            ck_assert_ptr_null(strchr(fx.p.text, '\x01'));
            /* the control byte, the quote and the '=' escaped, no field boundary inside */
            ck_assert_ptr_nonnull(strstr(fx.p.text, " tunnel_target=a\\x01\\x22b\\x3dc:443"));
        } else {
            /* a shortened value ends in "..." (hsdump.1, key_truncated) */
            ck_assert_ptr_nonnull(strstr(fx.p.text, "... tunnel_target_truncated=true\n"));
        }
        fixture_close(&fx);
    }
}
END_TEST

/* STARTTLS inside GTP-U: both facts on every line, the TEIDs on the close line. */
START_TEST(starttls_inside_gtpu_says_both)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    struct conn_fixture fx;
    static struct stream st;
    memset(&st, 0, sizeof(st));
    static const struct endpoint client = {4, {192, 0, 2, 1}, 40000};
    static const struct endpoint server = {4, {192, 0, 2, 2}, 25};
    printed_open(&fx.p);
    fx.p.env.in_gtpu = true;
    fx.p.env.gtpu_teid = 0x11;
    fx.c = conn_open(&fx.p.env, &client, &server);
    ck_assert(fx.c->gtpu);
    fx.p.env.gtpu_teid = 0x22;
    deliver(fx.c, &st, DIR_S2C, "220 mx\r\n", 8);
    fx.p.env.gtpu_teid = 0x11;
    deliver(fx.c, &st, DIR_C2S, "STARTTLS\r\n", 10);
    fx.p.env.gtpu_teid = 0x22;
    deliver(fx.c, &st, DIR_S2C, "220 go\r\n", 8);
    fx.p.env.in_gtpu = false; /* a packet outside the tunnel changes no TEID */
    fx.p.env.gtpu_teid = 0x33;
    deliver(fx.c, &st, DIR_S2C, alert, sizeof(alert));
    conn_close(fx.c, CONN_END_FIN, st.len[DIR_C2S], st.len[DIR_S2C], cur_make(NULL, 0),
               cur_make(NULL, 0));
    conn_free(fx.c);
    fflush(fx.p.fp);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "description=handshake_failure tunnel=gtpu "
                                          "starttls=smtp\n"));
    ck_assert_ptr_nonnull(
        strstr(fx.p.text, " gtpu_teid_c2s=0x00000011 gtpu_teid_s2c=0x00000022 "));
    fixture_close(&fx);
}
END_TEST

Suite *suite_starttls(void)
{
    Suite *s = suite_create("starttls");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, each_protocol_upgrade_is_found_where_tls_starts, 0, CONVERSATIONS);
    tcase_add_loop_test(tc, every_prefix_of_an_upgrade_keeps_looking, 0, CONVERSATIONS);
    tcase_add_test(tc, bytes_after_the_upgrade_do_not_move_its_offset);
    tcase_add_test(tc, refused_upgrades_stay_plaintext);
    tcase_add_test(tc, refused_tunnels_and_new_upgrades_stay_plaintext);
    tcase_add_test(tc, mysql_without_ssl_is_plaintext);
    tcase_add_test(tc, other_protocols_are_not_starttls_at_once);
    tcase_add_test(tc, no_upgrade_within_the_bounds_gives_up);
    tcase_add_test(tc, ber_lengths_beyond_the_bound_are_not_ldap);
    suite_add_tcase(s, tc);
    TCase *conn = tcase_create("conn");
    tcase_add_test(conn, refused_upgrade_is_released);
    tcase_add_test(conn, upgraded_connection_continues_as_tls);
    tcase_add_test(conn, tls_already_sent_by_the_other_side_is_read_once);
    tcase_add_test(conn, tunnel_lines_say_tunnel_and_target);
    tcase_add_test(conn, tunnel_target_is_escaped_and_bounded);
    tcase_add_test(conn, starttls_inside_gtpu_says_both);
    suite_add_tcase(s, conn);
    return s;
}
