/* Tests for src/udp/udp.c: UDP flows from built IPv4 and IPv6 packets, their lines (transport
 * prefix, real IPv6 addresses), what is left to the caller, eviction and idle closing. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "output/output.h"
#include "printed.h"
#include "stats.h"
#include "suites.h"
#include "capture/packet.h"
#include "udp/udp.h"

struct fixture {
    struct printed p;
    struct udp_table *t;
};

static void fixture_open(struct fixture *fx)
{
    printed_open(&fx->p);
    fx->t = udp_new(&fx->p.env);
    ck_assert_ptr_nonnull(fx->t);
}

static const char *printed(struct fixture *fx)
{
    return printed_text(&fx->p);
}

static void fixture_close(struct fixture *fx)
{
    udp_end(fx->t);
    printed_close(&fx->p);
}

/* RFC 6347 4.1 and 4.2.2: one epoch-0 record holding a whole minimal DTLS 1.2 ClientHello. */
static size_t dtls_client_hello(uint8_t *out)
{
    static const uint8_t dgram[] = {
        0x16, 0xfe, 0xff, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x36, /* record, length 54 */
        0x01, 0x00, 0x00, 0x2a, 0x00, 0x00,                         /* client_hello, 42, seq 0 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,                         /* offset 0, length 42 */
        0xfe, 0xfd,                                                 /* client_version */
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31, 32,                             /* random */
        0x00,                                                       /* session_id */
        0x00,                                                       /* cookie */
        0x00, 0x02, 0xc0, 0x2f,                                     /* cipher_suites */
        0x01, 0x00,                                                 /* compression_methods */
    };
    memcpy(out, dgram, sizeof(dgram));
    return sizeof(dgram);
}

/* What a QUIC v1 client sends first, as far as recognising it goes (RFC 9000 17.2.2): long
 * header Initial, 8-byte DCID, 1200 bytes; the protected payload is noise, so it does not
 * decrypt. */
static size_t quic_initial_noise(uint8_t *out)
{
    static const uint8_t header[] = {0xc3, 0x00, 0x00, 0x00, 0x01, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
                                     0x00, 0x00, 0x44, 0x9e};
    memset(out, 0x5a, 1200);
    memcpy(out, header, sizeof(header));
    return 1200;
}

/* An IPv4 (or, with v6, IPv6) UDP packet around payload; checksums are not looked at. */
static size_t ip_udp(bool v6, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                     uint16_t dport, const uint8_t *payload, size_t n, uint8_t *pkt)
{
    size_t h = v6 ? 40 : 20;
    memset(pkt, 0, h + 8);
    if (v6) {
        pkt[0] = 0x60;
        pkt[4] = (uint8_t)((n + 8) >> 8);
        pkt[5] = (uint8_t)(n + 8);
        pkt[6] = 17;
        memcpy(pkt + 8, src, 16);
        memcpy(pkt + 24, dst, 16);
    } else {
        pkt[0] = 0x45;
        pkt[2] = (uint8_t)((h + 8 + n) >> 8);
        pkt[3] = (uint8_t)(h + 8 + n);
        pkt[9] = 17;
        memcpy(pkt + 12, src, 4);
        memcpy(pkt + 16, dst, 4);
    }
    uint8_t *udp = pkt + h;
    udp[0] = (uint8_t)(sport >> 8);
    udp[1] = (uint8_t)sport;
    udp[2] = (uint8_t)(dport >> 8);
    udp[3] = (uint8_t)dport;
    udp[4] = (uint8_t)((n + 8) >> 8);
    udp[5] = (uint8_t)(n + 8);
    memcpy(udp + 8, payload, n);
    return h + 8 + n;
}

/* What packet.c does with an IP packet: its datagram, if any, to the table. */
static bool take(struct udp_table *t, struct timeval ts, struct cursor ip)
{
    /* packet_frame()'s clock, once per second of packet time */
    static time_t clock_sec;
    if (packet_clock_due(&clock_sec, ts)) {
        udp_clock(t, ts);
    }
    struct udp_datagram dg;
    return udp_datagram_of(ip, &dg) && udp_packet(t, ts, &dg);
}

/* The same for a G-PDU: *ip becomes the inner packet. */
static bool enter(struct udp_table *t, struct cursor *ip)
{
    struct udp_datagram dg;
    return udp_datagram_of(*ip, &dg) && udp_gtpu_enter(t, &dg, ip);
}

static const uint8_t client4[4] = {192, 0, 2, 1};
static const uint8_t server4[4] = {192, 0, 2, 2};

static bool send4(struct fixture *fx, long sec, const uint8_t *src, uint16_t sport,
                  const uint8_t *dst, uint16_t dport, const uint8_t *payload, size_t n)
{
    static uint8_t pkt[1500];
    size_t len = ip_udp(false, src, sport, dst, dport, payload, n, pkt);
    struct timeval ts = {sec, 0};
    return take(fx->t, ts, cur_make(pkt, len));
}

START_TEST(dtls_client_hello_starts_a_flow_whose_lines_say_transport_dtls)
{
    struct fixture fx;
    fixture_open(&fx);
    uint8_t ch[256];
    size_t n = dtls_client_hello(ch);
    ck_assert(send4(&fx, 1, client4, 5000, server4, 4433, ch, n));
    ck_assert_ptr_nonnull(strstr(printed(&fx), "c1 192.0.2.1:5000 -> 192.0.2.2:4433 handshake "
                                               "client_hello transport=dtls record_version="
                                               "DTLSv1.0 length=42 "));
    /* the server's answer belongs to the same flow, the other way */
    static const uint8_t alert[] = {0x15, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 2, 40};
    ck_assert(send4(&fx, 2, server4, 4433, client4, 5000, alert, sizeof(alert)));
    ck_assert_ptr_nonnull(strstr(printed(&fx), "c1 192.0.2.1:5000 <- 192.0.2.2:4433 alert "
                                               "transport=dtls level=fatal "
                                               "description=handshake_failure"));
    ck_assert_uint_eq(fx.p.stats.dtls_connections, 1);
    udp_end(fx.t);
    fx.t = NULL;
    ck_assert_ptr_nonnull(strstr(printed(&fx), "close transport=dtls end=eof duration=1.000000 "
                                               "flow=unknown "
                                               "status=failed "));
    ck_assert_ptr_nonnull(strstr(printed(&fx), " datagrams_c2s=1 datagrams_s2c=1 "));
    fixture_close(&fx);
}
END_TEST

START_TEST(quic_over_ipv6_keeps_the_real_addresses)
{
    struct fixture fx;
    fixture_open(&fx);
    static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    static uint8_t payload[1200], pkt[1300];
    size_t n = quic_initial_noise(payload);
    size_t len = ip_udp(true, a, 50000, b, 443, payload, n, pkt);
    struct timeval ts = {1, 0};
    ck_assert(take(fx.t, ts, cur_make(pkt, len)));
    ck_assert_uint_eq(fx.p.stats.quic_connections, 1);
    udp_end(fx.t);
    fx.t = NULL;
    ck_assert_msg(strstr(printed(&fx), "c1 [2001:db8::1]:50000 -> [2001:db8::2]:443 close "
                                       "transport=quic quic_version=v1 end=eof ") != NULL,
                  "%s", printed(&fx));
    ck_assert_ptr_nonnull(strstr(printed(&fx), " undecryptable_c2s=1 "));
    fixture_close(&fx);
}
END_TEST

START_TEST(other_udp_and_fragments_are_left_to_the_caller)
{
    struct fixture fx;
    fixture_open(&fx);
    static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    ck_assert(!send4(&fx, 1, client4, 5353, server4, 53, dns, sizeof(dns)));
    /* a 1-RTT packet on a tuple no client Initial opened */
    static const uint8_t short_header[] = {0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    ck_assert(!send4(&fx, 1, client4, 6000, server4, 443, short_header, sizeof(short_header)));
    /* a ClientHello in a first IPv4 fragment (MF set): not reassembled */
    uint8_t ch[256], pkt[512];
    size_t n = dtls_client_hello(ch);
    size_t len = ip_udp(false, client4, 7000, server4, 4433, ch, n, pkt);
    pkt[6] = 0x20;
    struct timeval ts = {1, 0};
    ck_assert(!take(fx.t, ts, cur_make(pkt, len)));
    ck_assert(!take(NULL, ts, cur_make(pkt, len)));
    ck_assert_str_eq(printed(&fx), "");
    fixture_close(&fx);
}
END_TEST

START_TEST(least_recently_active_flow_is_evicted_past_the_limit)
{
    struct fixture fx;
    fixture_open(&fx);
    uint8_t ch[256];
    size_t n = dtls_client_hello(ch);
    for (unsigned i = 0; i <= UDP_MAX_FLOWS; i++) {
        uint8_t src[4] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i};
        ck_assert(send4(&fx, 1, src, 5000, server4, 4433, ch, n));
    }
    ck_assert_uint_eq(fx.p.stats.udp_flows_evicted, 1);
    ck_assert_ptr_nonnull(strstr(printed(&fx), "c1 10.0.0.0:5000 -> 192.0.2.2:4433 close "
                                               "transport=dtls end=evicted "));
    fixture_close(&fx);
}
END_TEST

START_TEST(flow_without_datagrams_for_the_idle_timeout_is_closed)
{
    struct fixture fx;
    fixture_open(&fx);
    uint8_t ch[256];
    size_t n = dtls_client_hello(ch);
    ck_assert(send4(&fx, 100, client4, 5000, server4, 4433, ch, n));
    ck_assert(send4(&fx, 100 + UDP_IDLE_TIMEOUT, client4, 5001, server4, 4433, ch, n));
    ck_assert_ptr_null(strstr(printed(&fx), " close "));
    ck_assert(send4(&fx, 101 + UDP_IDLE_TIMEOUT, client4, 5002, server4, 4433, ch, n));
    ck_assert_ptr_nonnull(strstr(printed(&fx), "c1 192.0.2.1:5000 -> 192.0.2.2:4433 close "
                                               "transport=dtls end=idle "));
    ck_assert_uint_eq(fx.p.stats.udp_flows_idle, 1);
    fixture_close(&fx);
}
END_TEST

/* An IPv4 packet inside a GTP-U G-PDU (3GPP TS 29.281 5.1: flags 0x30, type 255, length,
 * TEID) inside IPv4/UDP between base station and gateway; returns the outer length. */
static size_t in_gtpu(const uint8_t *inner, size_t n, uint32_t teid, uint16_t dport,
                      uint8_t *pkt)
{
    static const uint8_t base_station[4] = {10, 0, 0, 1}, gateway[4] = {10, 0, 0, 2};
    static uint8_t g_pdu[1600];
    const uint8_t header[8] = {0x30, 0xff, (uint8_t)(n >> 8), (uint8_t)n,
                               (uint8_t)(teid >> 24), (uint8_t)(teid >> 16),
                               (uint8_t)(teid >> 8), (uint8_t)teid};
    memcpy(g_pdu, header, 8);
    memcpy(g_pdu + 8, inner, n);
    return ip_udp(false, base_station, 2152, gateway, dport, g_pdu, 8 + n, pkt);
}

START_TEST(gtpu_inner_packet_is_a_flow_marked_with_its_tunnel)
{
    struct fixture fx;
    fixture_open(&fx);
    static uint8_t inner[1500], outer[1600];
    uint8_t ch[256];
    size_t n = ip_udp(false, client4, 5000, server4, 4433, ch, dtls_client_hello(ch), inner);
    size_t len = in_gtpu(inner, n, 0xabcd, 2152, outer);
    struct cursor ip = cur_make(outer, len);
    ck_assert(enter(fx.t, &ip));
    ck_assert(cur_equal(ip, inner, n));
    struct timeval ts = {1, 0};
    ck_assert(take(fx.t, ts, ip));
    udp_gtpu_leave(fx.t);
    ck_assert(!fx.p.env.in_gtpu);
    ck_assert_uint_eq(fx.p.stats.gtpu_packets, 1);
    /* the same datagram outside the tunnel is another flow, and says nothing of GTP-U */
    ck_assert(send4(&fx, 2, client4, 5001, server4, 4433, ch, dtls_client_hello(ch)));
    udp_end(fx.t);
    fx.t = NULL;
    const char *text = printed(&fx);
    ck_assert_ptr_nonnull(strstr(text, "c1 192.0.2.1:5000 -> 192.0.2.2:4433 handshake "
                                       "client_hello transport=dtls "));
    ck_assert_ptr_nonnull(strstr(text, " tunnel=gtpu\n"));
    ck_assert_ptr_nonnull(strstr(text, " gtpu_teid_c2s=0x0000abcd "));
    ck_assert_ptr_null(strstr(text, "gtpu_teid_s2c"));
    size_t second_lines = 0;
    for (const char *line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');
        ck_assert_ptr_nonnull(end);
        const char *gtpu = strstr(line, "gtpu");
        const char *second = strstr(line, "c2 192.0.2.1:5001 ");
        if (second != NULL && second < end) {
            second_lines++;
            ck_assert(gtpu == NULL || gtpu > end);
        }
    }
    ck_assert_uint_eq(second_lines, 2);
    fixture_close(&fx);
}
END_TEST

START_TEST(only_g_pdus_on_port_2152_are_unwrapped)
{
    struct fixture fx;
    fixture_open(&fx);
    static uint8_t inner[1500], outer[1600];
    uint8_t ch[256];
    size_t n = ip_udp(false, client4, 5000, server4, 4433, ch, dtls_client_hello(ch), inner);
    /* another port on both sides */
    size_t len = in_gtpu(inner, n, 1, 2152, outer);
    outer[20] = outer[21] = 0x12; /* source port 0x1212 */
    outer[22] = outer[23] = 0x12; /* destination port 0x1212 */
    struct cursor ip = cur_make(outer, len);
    ck_assert(!enter(fx.t, &ip));
    ck_assert_ptr_eq(cur_data(ip), outer);
    /* an Echo Request (type 1) */
    len = in_gtpu(inner, n, 1, 2152, outer);
    outer[29] = 0x01;
    ip = cur_make(outer, len);
    ck_assert(!enter(fx.t, &ip));
    /* TCP */
    len = in_gtpu(inner, n, 1, 2152, outer);
    outer[9] = 6;
    ip = cur_make(outer, len);
    ck_assert(!enter(fx.t, &ip));
    ck_assert(!enter(NULL, &ip));
    ck_assert(!fx.p.env.in_gtpu);
    ck_assert_uint_eq(fx.p.stats.gtpu_packets, 0);
    fixture_close(&fx);
}
END_TEST

Suite *suite_udp(void)
{
    Suite *s = suite_create("udp");
    TCase *tc = tcase_create("flows");
    tcase_add_test(tc, dtls_client_hello_starts_a_flow_whose_lines_say_transport_dtls);
    tcase_add_test(tc, quic_over_ipv6_keeps_the_real_addresses);
    tcase_add_test(tc, other_udp_and_fragments_are_left_to_the_caller);
    tcase_add_test(tc, least_recently_active_flow_is_evicted_past_the_limit);
    tcase_add_test(tc, flow_without_datagrams_for_the_idle_timeout_is_closed);
    tcase_add_test(tc, gtpu_inner_packet_is_a_flow_marked_with_its_tunnel);
    tcase_add_test(tc, only_g_pdus_on_port_2152_are_unwrapped);
    suite_add_tcase(s, tc);
    return s;
}
