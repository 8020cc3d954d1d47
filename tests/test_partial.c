/* Tests for src/tcp/partial.c and the choice of path in src/tcp/paths.c: connections libnids
 * will not follow (start or one side not captured, two SYN/ACKs, a hole before the first
 * record), from built IPv4/TCP packets fed through a whole round (libnids included). */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "tcp/partial.h"
#include "tcp/paths.h"
#include "tcp/reassembly.h"
#include "output/output.h"
#include "printed.h"
#include "stats.h"
#include "suites.h"
#include "tcp/tcp_segment.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10
#define PSH_ACK 0x18
#define SYN_ACK 0x12

struct fixture {
    struct printed p;
    struct tcp_paths *paths;
    long usec;
    uint32_t ack; /* acknowledgment number of the next segment */
};

static void fixture_open(struct fixture *fx)
{
    char err[256];
    struct reassembly_opts ro = {REASSEMBLY_DEFAULT_MAX_CONNS, REASSEMBLY_DEFAULT_IDLE_TIMEOUT,
                                 false};
    memset(fx, 0, sizeof(*fx));
    printed_open(&fx->p);
    fx->paths = paths_begin(&ro, &fx->p.env, NULL, err, sizeof(err));
    ck_assert_msg(fx->paths != NULL, "%s", err);
}

/* Ends the round; the output is in fx->p.text. */
static void fixture_end(struct fixture *fx)
{
    paths_end(fx->paths);
    fx->paths = NULL;
    fflush(fx->p.fp);
}

static const char *printed(struct fixture *fx)
{
    return printed_text(&fx->p);
}

static void fixture_close(struct fixture *fx)
{
    printed_close(&fx->p);
}

/* One IPv4/TCP packet from a.b.c.d:sport to ...:dport; checksums are not looked at. */
static void segment(struct fixture *fx, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                    uint16_t dport, uint32_t seq, uint8_t flags, const void *payload, size_t n)
{
    static uint8_t pkt[40 + 65536];
    size_t total = 40 + n;
    memset(pkt, 0, 40);
    pkt[0] = 0x45;                   /* IPv4, header 20 bytes */
    pkt[2] = (uint8_t)(total >> 8);  /* total length */
    pkt[3] = (uint8_t)total;
    pkt[6] = 0x40;                   /* don't fragment */
    pkt[8] = 64;                     /* TTL */
    pkt[9] = 6;                      /* TCP */
    memcpy(pkt + 12, src, 4);
    memcpy(pkt + 16, dst, 4);
    pkt[20] = (uint8_t)(sport >> 8); /* TCP source port */
    pkt[21] = (uint8_t)sport;
    pkt[22] = (uint8_t)(dport >> 8);
    pkt[23] = (uint8_t)dport;
    pkt[24] = (uint8_t)(seq >> 24);  /* sequence number */
    pkt[25] = (uint8_t)(seq >> 16);
    pkt[26] = (uint8_t)(seq >> 8);
    pkt[27] = (uint8_t)seq;
    pkt[28] = (uint8_t)(fx->ack >> 24); /* acknowledgment number */
    pkt[29] = (uint8_t)(fx->ack >> 16);
    pkt[30] = (uint8_t)(fx->ack >> 8);
    pkt[31] = (uint8_t)fx->ack;
    pkt[32] = 0x50;                  /* data offset 5 words */
    pkt[33] = flags;
    pkt[34] = 0xff;                  /* window */
    uint32_t sum = 0;                /* IPv4 header checksum (RFC 791), which libnids checks */
    for (size_t i = 0; i < 20; i += 2) {
        sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    pkt[10] = (uint8_t)(~sum >> 8);
    pkt[11] = (uint8_t)~sum;
    if (n > 0) {
        memcpy(pkt + 40, payload, n);
    }
    struct timeval ts = {1000000000, ++fx->usec};
    struct segment seg;
    if (tcp_segment_parse(cur_make(pkt, total), &seg)) {
        paths_packet(fx->paths, ts, cur_make(pkt, total), &seg);
    }
}

static const uint8_t client_addr[4] = {10, 0, 0, 1};
static const uint8_t server_addr[4] = {10, 0, 0, 2};
#define CLIENT_PORT 50000
#define SERVER_PORT 443

static void c2s(struct fixture *fx, uint32_t seq, uint8_t flags, const void *p, size_t n)
{
    segment(fx, client_addr, CLIENT_PORT, server_addr, SERVER_PORT, seq, flags, p, n);
}

static void s2c(struct fixture *fx, uint32_t seq, uint8_t flags, const void *p, size_t n)
{
    segment(fx, server_addr, SERVER_PORT, client_addr, CLIENT_PORT, seq, flags, p, n);
}

static const uint8_t client_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0x43, /* record: handshake, TLS 1.0, length 67 */
    0x01, 0x00, 0x00, 0x3f,       /* handshake: client_hello, length 63 */
    0x03, 0x03,                   /* legacy_version TLS 1.2 */
    /* random */
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x00,                               /* legacy_session_id: empty */
    0x00, 0x04, 0xc0, 0x2f, 0x00, 0xff, /* cipher_suites */
    0x01, 0x00,                         /* compression_methods: null */
    0x00, 0x12,                         /* extensions length 18 */
    0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, /* server_name, length 14, list length 12 */
    0x00, 0x00, 0x09,                   /* host_name, length 9 */
    'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
};

static const uint8_t server_hello[] = {
    0x16, 0x03, 0x03, 0x00, 0x2a, /* record: handshake, TLS 1.2, length 42 */
    0x02, 0x00, 0x00, 0x26,       /* handshake: server_hello, length 38 */
    0x03, 0x03,                   /* legacy_version TLS 1.2 */
    /* random */
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x00,       /* legacy_session_id_echo: empty */
    0xc0, 0x2f, /* cipher_suite */
    0x00,       /* compression_method */
};

/* application_data, TLS 1.2, length 16, then 16 protected bytes */
static const uint8_t app_data[] = {
    0x17, 0x03, 0x03, 0x00, 0x10, 0x9a, 0x3c, 0x51, 0xe0, 0x07, 0x88, 0x2d, 0xf4,
    0x61, 0x0b, 0xc7, 0x35, 0x4e, 0xa2, 0x19, 0xd6,
};

START_TEST(late_client_hello_is_dissected_from_its_first_byte)
{
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, client_hello, sizeof(client_hello));
    s2c(&fx, 5000, PSH_ACK, server_hello, sizeof(server_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text,
        "c1 10.0.0.1:50000 -> 10.0.0.2:443 partial server_guess=client_hello "
        "c2s_content_type=handshake c2s_record_version=TLSv1.0 "
        "s2c_content_type=handshake s2c_record_version=TLSv1.2 dissected=c2s,s2c "
        "capture=midstream\n"
        "c1 10.0.0.1:50000 -> 10.0.0.2:443 handshake client_hello record_version=TLSv1.0 "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, "\nc1 10.0.0.1:50000 <- 10.0.0.2:443 handshake "
                                          "server_hello record_version=TLSv1.2 "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " close end=eof "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " status=incomplete "));
    ck_assert_uint_eq(printed_count(fx.p.text, "\n"), printed_count(fx.p.text, " capture=midstream\n"));
    ck_assert_uint_eq(fx.p.stats.partial_connections[CAPTURE_MIDSTREAM], 1);
    fixture_close(&fx);
}
END_TEST

/* The client's side tells which end is which, whatever the ports say. */
START_TEST(client_hello_names_the_client_over_the_ports)
{
    struct fixture fx;
    fixture_open(&fx);
    segment(&fx, client_addr, 80, server_addr, 50000, 1, PSH_ACK, client_hello,
            sizeof(client_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "c1 10.0.0.1:80 -> 10.0.0.2:50000 partial "
                                          "server_guess=client_hello "));
    fixture_close(&fx);
}
END_TEST

START_TEST(application_data_both_ways_gives_the_headers_only)
{
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, app_data, sizeof(app_data));
    s2c(&fx, 5000, PSH_ACK, app_data, sizeof(app_data));
    c2s(&fx, 1000 + sizeof(app_data), PSH_ACK, app_data, sizeof(app_data));
    c2s(&fx, 1000 + 2 * sizeof(app_data), FIN, NULL, 0);
    s2c(&fx, 5000 + sizeof(app_data), FIN, NULL, 0);
    ck_assert_ptr_nonnull(strstr(printed(&fx),
        "c1 10.0.0.1:50000 -> 10.0.0.2:443 partial server_guess=port "
        "c2s_content_type=application_data c2s_record_version=TLSv1.2 "
        "s2c_content_type=application_data s2c_record_version=TLSv1.2 capture=midstream\n"
        "c1 10.0.0.1:50000 -> 10.0.0.2:443 close end=fin duration=0.000004 flow=unknown status=incomplete "
        "cause=unknown records_c2s=0 records_s2c=0 bytes_c2s=42 bytes_s2c=21 "
        "missing=syn,syn_ack,c2s_start,s2c_start capture=midstream\n"));
    /* the last ACK after the FINs starts nothing */
    s2c(&fx, 5000 + sizeof(app_data) + 1, PSH_ACK, app_data, sizeof(app_data));
    fixture_end(&fx);
    ck_assert_uint_eq(printed_count(fx.p.text, "\n"), 2);
    fixture_close(&fx);
}
END_TEST

START_TEST(reset_closes_with_end_reset)
{
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, app_data, sizeof(app_data));
    s2c(&fx, 5000, RST, NULL, 0);
    ck_assert_ptr_nonnull(strstr(printed(&fx), " close end=reset "));
    fixture_end(&fx);
    fixture_close(&fx);
}
END_TEST

/* The TCP handshake both ways, client ISN 999 and server ISN 4999. */
static void tcp_handshake(struct fixture *fx)
{
    fx->ack = 0;
    c2s(fx, 999, SYN, NULL, 0);
    fx->ack = 1000;
    s2c(fx, 4999, SYN_ACK, NULL, 0);
    fx->ack = 5000;
    c2s(fx, 1000, ACK, NULL, 0);
}

/* A handshake seen both ways is libnids': no capture= key. */
START_TEST(whole_connection_is_libnids)
{
    struct fixture fx;
    fixture_open(&fx);
    tcp_handshake(&fx);
    c2s(&fx, 1000, PSH_ACK, client_hello, sizeof(client_hello));
    fx.ack = 1000 + sizeof(client_hello);
    s2c(&fx, 5000, PSH_ACK, server_hello, sizeof(server_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "c1 10.0.0.1:50000 -> 10.0.0.2:443 handshake "
                                          "client_hello record_version=TLSv1.0 "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " handshake server_hello "));
    ck_assert_ptr_null(strstr(fx.p.text, "capture="));
    ck_assert_ptr_null(strstr(fx.p.text, " partial "));
    fixture_close(&fx);
}
END_TEST

/* A SYN but never a SYN/ACK: libnids would wait forever; the client's side is dissected. */
START_TEST(syn_without_syn_ack_is_client_only)
{
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 999, SYN, NULL, 0);
    c2s(&fx, 1000, PSH_ACK, client_hello, sizeof(client_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "c1 10.0.0.1:50000 -> 10.0.0.2:443 partial "
                                          "server_guess=client_hello "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " handshake client_hello record_version=TLSv1.0 "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " missing=syn_ack,s2c capture=client_only\n"));
    ck_assert_uint_eq(printed_count(fx.p.text, "\n"), printed_count(fx.p.text, " capture=client_only\n"));
    ck_assert_uint_eq(fx.p.stats.partial_connections[CAPTURE_CLIENT_ONLY], 1);
    fixture_close(&fx);
}
END_TEST

/* The capture began at the SYN/ACK: its sender is the server, whatever the ports say. */
START_TEST(syn_ack_first_names_the_server)
{
    struct fixture fx;
    fixture_open(&fx);
    fx.ack = 1000;
    segment(&fx, server_addr, 50000, client_addr, 443, 4999, SYN_ACK, NULL, 0);
    segment(&fx, client_addr, 443, server_addr, 50000, 1000, PSH_ACK, app_data,
            sizeof(app_data));
    segment(&fx, server_addr, 50000, client_addr, 443, 5000, PSH_ACK, app_data,
            sizeof(app_data));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "c1 10.0.0.1:443 -> 10.0.0.2:50000 partial "
                                          "server_guess=syn_ack "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " missing=syn,c2s_start capture=midstream\n"));
    fixture_close(&fx);
}
END_TEST

/* Two SYN/ACKs with different ISNs: libnids keeps the first, so the keyless path follows. */
START_TEST(second_syn_ack_with_another_isn_is_isn_conflict)
{
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 999, SYN, NULL, 0);
    fx.ack = 1000;
    s2c(&fx, 77777, SYN_ACK, NULL, 0);
    s2c(&fx, 4999, SYN_ACK, NULL, 0);
    s2c(&fx, 4999, SYN_ACK, NULL, 0); /* retransmitted: no matter */
    fx.ack = 5000;
    c2s(&fx, 1000, ACK, NULL, 0);
    c2s(&fx, 1000, PSH_ACK, client_hello, sizeof(client_hello));
    s2c(&fx, 5000, PSH_ACK, server_hello, sizeof(server_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, " partial server_guess=client_hello "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " handshake server_hello record_version=TLSv1.2 "));
    ck_assert_uint_eq(printed_count(fx.p.text, "\n"), printed_count(fx.p.text, " capture=isn_conflict\n"));
    ck_assert_uint_eq(fx.p.stats.partial_connections[CAPTURE_ISN_CONFLICT], 1);
    ck_assert_uint_eq(fx.p.stats.tcp_connections, 1);
    fixture_close(&fx);
}
END_TEST

/* A byte before the first one due (a keep-alive probe's) is no hole: libnids keeps it. */
START_TEST(byte_before_the_first_is_no_gap)
{
    struct fixture fx;
    fixture_open(&fx);
    tcp_handshake(&fx);
    c2s(&fx, 999, ACK, "x", 1);
    c2s(&fx, 1000, PSH_ACK, client_hello, sizeof(client_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, " handshake client_hello record_version=TLSv1.0 "));
    ck_assert_ptr_null(strstr(fx.p.text, "capture="));
    fixture_close(&fx);
}
END_TEST

/* The client's first segment lost after a whole TCP handshake: libnids would hold the rest
 * behind the hole; the keyless path dissects the server's side and says what was missing. */
START_TEST(hole_before_the_first_record_is_gap)
{
    struct fixture fx;
    fixture_open(&fx);
    tcp_handshake(&fx);
    c2s(&fx, 1030, PSH_ACK, client_hello + 30, sizeof(client_hello) - 30);
    fx.ack = 1000 + sizeof(client_hello);
    s2c(&fx, 5000, PSH_ACK, server_hello, sizeof(server_hello));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, " partial server_guess=server_hello "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, "c1 10.0.0.1:50000 <- 10.0.0.2:443 handshake "
                                          "server_hello record_version=TLSv1.2 "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " missing=c2s_start capture=gap\n"));
    ck_assert_uint_eq(fx.p.stats.tcp_connections, 1);
    fixture_close(&fx);
}
END_TEST

START_TEST(plaintext_stays_silent)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n";
    struct fixture fx;
    fixture_open(&fx);
    for (uint32_t i = 0; i < PARTIAL_SCAN_SEGMENTS + 2; i++) {
        c2s(&fx, 1000 + i * (uint32_t)strlen(http), PSH_ACK, http, strlen(http));
        s2c(&fx, 9000 + i * (uint32_t)strlen(http), PSH_ACK, http, strlen(http));
    }
    fixture_end(&fx);
    ck_assert_uint_eq(fx.p.len, 0);
    ck_assert_uint_eq(fx.p.stats.partial_connections[CAPTURE_MIDSTREAM], 0);
    fixture_close(&fx);
}
END_TEST

/* Header-like bytes inside a segment count only when the next header follows them. */
START_TEST(a_header_inside_a_segment_needs_the_next_one)
{
    uint8_t lone[64], chained[64];
    memset(lone, 0x5a, sizeof(lone));
    memcpy(lone + 7, "\x17\x03\x03\x00\x04", 5); /* a record of 4 bytes, then no header */
    memcpy(chained, lone, sizeof(lone));
    memcpy(chained + 16, "\x15\x03\x03\x00\x02", 5); /* ... then an alert header */
    struct fixture fx;
    fixture_open(&fx);
    for (uint32_t i = 0; i < PARTIAL_SCAN_SEGMENTS; i++) {
        c2s(&fx, 1000 + i * 64, PSH_ACK, lone, sizeof(lone));
    }
    fixture_end(&fx);
    ck_assert_uint_eq(fx.p.len, 0);
    fixture_close(&fx);

    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, chained, sizeof(chained));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, " partial server_guess=port "
                                          "c2s_content_type=application_data "));
    fixture_close(&fx);
}
END_TEST

/* A record running past its segment is confirmed by the header where it ends. */
START_TEST(a_header_is_confirmed_across_segments)
{
    uint8_t first[40], second[40];
    memset(first, 0x33, sizeof(first));
    memset(second, 0x44, sizeof(second));
    memcpy(first + 10, "\x17\x03\x03\x00\x32", 5); /* 50 bytes: 25 here, 25 in the next */
    memcpy(second + 25, "\x17\x03\x03\x00\x20", 5);
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, first, sizeof(first));
    c2s(&fx, 1040, PSH_ACK, second, sizeof(second));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, "c2s_content_type=application_data "));
    fixture_close(&fx);
}
END_TEST

START_TEST(a_gap_stops_the_dissection)
{
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, client_hello, 30);
    c2s(&fx, 1040, PSH_ACK, client_hello + 40, sizeof(client_hello) - 40); /* 10 bytes lost */
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, " record truncated=record have=30 need=72 at=0 "));
    ck_assert_ptr_nonnull(strstr(fx.p.text, " gap=c2s "));
    ck_assert_ptr_null(strstr(fx.p.text, "client_hello record_version"));
    fixture_close(&fx);
}
END_TEST

/* A direction that starts with a protected handshake record: a TLS 1.2 renegotiation. */
START_TEST(protected_handshake_at_start_is_a_renegotiation)
{
    uint8_t record[5 + 40];
    memcpy(record, "\x16\x03\x03\x00\x28", 5);
    memset(record + 5, 0xd3, 40); /* no plaintext message starts with 0xd3 */
    struct fixture fx;
    fixture_open(&fx);
    c2s(&fx, 1000, PSH_ACK, record, sizeof(record));
    s2c(&fx, 5000, PSH_ACK, app_data, sizeof(app_data));
    fixture_end(&fx);
    ck_assert_ptr_nonnull(strstr(fx.p.text, " encrypted content_type=handshake length=40 "
                                          "inferred=renegotiation capture=midstream\n"));
    ck_assert_ptr_null(strstr(fx.p.text, "malformed"));
    fixture_close(&fx);
}
END_TEST

START_TEST(oldest_tuple_is_evicted_and_counted)
{
    struct fixture fx;
    fixture_open(&fx);
    for (uint32_t i = 0; i <= PARTIAL_MAX_TUPLES; i++) {
        segment(&fx, client_addr, (uint16_t)(10000 + i), server_addr, SERVER_PORT, 1, PSH_ACK,
                app_data, sizeof(app_data));
    }
    ck_assert_uint_eq(fx.p.stats.partial_evicted, 1);
    ck_assert_ptr_nonnull(
        strstr(printed(&fx), "c1 10.0.0.1:10000 -> 10.0.0.2:443 close end=evicted "));
    fixture_end(&fx);
    ck_assert_uint_eq(printed_count(fx.p.text, " close end=evicted "), 1);
    ck_assert_uint_eq(printed_count(fx.p.text, " close end=eof "), PARTIAL_MAX_TUPLES);
    fixture_close(&fx);
}
END_TEST

Suite *suite_partial(void)
{
    Suite *s = suite_create("partial");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, late_client_hello_is_dissected_from_its_first_byte);
    tcase_add_test(tc, client_hello_names_the_client_over_the_ports);
    tcase_add_test(tc, application_data_both_ways_gives_the_headers_only);
    tcase_add_test(tc, reset_closes_with_end_reset);
    tcase_add_test(tc, whole_connection_is_libnids);
    tcase_add_test(tc, syn_without_syn_ack_is_client_only);
    tcase_add_test(tc, syn_ack_first_names_the_server);
    tcase_add_test(tc, second_syn_ack_with_another_isn_is_isn_conflict);
    tcase_add_test(tc, hole_before_the_first_record_is_gap);
    tcase_add_test(tc, byte_before_the_first_is_no_gap);
    tcase_add_test(tc, plaintext_stays_silent);
    tcase_add_test(tc, a_header_inside_a_segment_needs_the_next_one);
    tcase_add_test(tc, a_header_is_confirmed_across_segments);
    tcase_add_test(tc, a_gap_stops_the_dissection);
    tcase_add_test(tc, protected_handshake_at_start_is_a_renegotiation);
    tcase_add_test(tc, oldest_tuple_is_evicted_and_counted);
    suite_add_tcase(s, tc);
    return s;
}
