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

#define CONV(name, proto, msgs) {name, proto, msgs, sizeof(msgs) / sizeof(msgs[0])}
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

Suite *suite_starttls(void)
{
    Suite *s = suite_create("starttls");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, each_protocol_upgrade_is_found_where_tls_starts, 0, CONVERSATIONS);
    tcase_add_loop_test(tc, every_prefix_of_an_upgrade_keeps_looking, 0, CONVERSATIONS);
    tcase_add_test(tc, bytes_after_the_upgrade_do_not_move_its_offset);
    tcase_add_test(tc, refused_upgrades_stay_plaintext);
    tcase_add_test(tc, mysql_without_ssl_is_plaintext);
    tcase_add_test(tc, other_protocols_are_not_starttls_at_once);
    tcase_add_test(tc, no_upgrade_within_the_bounds_gives_up);
    tcase_add_test(tc, ber_lengths_beyond_the_bound_are_not_ldap);
    suite_add_tcase(s, tc);
    TCase *conn = tcase_create("conn");
    tcase_add_test(conn, refused_upgrade_is_released);
    tcase_add_test(conn, upgraded_connection_continues_as_tls);
    tcase_add_test(conn, tls_already_sent_by_the_other_side_is_read_once);
    suite_add_tcase(s, conn);
    return s;
}
