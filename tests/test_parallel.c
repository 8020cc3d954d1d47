/* -j's pieces that need no process: the flow hash (both ways, fragments, IPv6, what is not
 * IP) and the shared ring (order, batches, wrap-around). tests/parallel.sh runs the whole. */
#include <check.h>
#include <pcap.h>
#include <stdint.h>
#include <string.h>

#include "capture/window.h"
#include "parallel/flow_hash.h"
#include "parallel/ring.h"
#include "suites.h"

/* Ethernet (ethertype 0x0800) + IPv4 (RFC 791) + the first 4 bytes of a TCP or UDP header:
 * frag is the flags/offset word (0x2000 MF, low 13 bits the offset in 8-byte units). */
static size_t ipv4_frame(uint8_t *f, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                         uint16_t dport, uint8_t proto, uint16_t id, uint16_t frag)
{
    memset(f, 0, 64);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = 0;
    ip[3] = 40;
    ip[4] = (uint8_t)(id >> 8);
    ip[5] = (uint8_t)id;
    ip[6] = (uint8_t)(frag >> 8);
    ip[7] = (uint8_t)frag;
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    if ((frag & 0x1fff) == 0) {
        ip[20] = (uint8_t)(sport >> 8);
        ip[21] = (uint8_t)sport;
        ip[22] = (uint8_t)(dport >> 8);
        ip[23] = (uint8_t)dport;
    }
    return 14 + 40;
}

/* Ethernet + IPv6 (RFC 8200), with a fragment header (4.5) when frag_offset >= 0. */
static size_t ipv6_frame(uint8_t *f, const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
                         uint16_t dport, int frag_offset, uint32_t id)
{
    memset(f, 0, 128);
    f[12] = 0x86;
    f[13] = 0xdd;
    uint8_t *ip = f + 14;
    ip[0] = 0x60;
    ip[5] = 40;
    ip[6] = frag_offset >= 0 ? 44 : 6;
    ip[7] = 64;
    memcpy(ip + 8, src, 16);
    memcpy(ip + 24, dst, 16);
    uint8_t *next = ip + 40;
    if (frag_offset >= 0) {
        next[0] = 6;
        next[2] = (uint8_t)((frag_offset * 8) >> 8);
        next[3] = (uint8_t)((frag_offset * 8) | 1); /* M: more fragments */
        next[4] = (uint8_t)(id >> 24);
        next[5] = (uint8_t)(id >> 16);
        next[6] = (uint8_t)(id >> 8);
        next[7] = (uint8_t)id;
        next += 8;
    }
    if (frag_offset <= 0) {
        next[0] = (uint8_t)(sport >> 8);
        next[1] = (uint8_t)sport;
        next[2] = (uint8_t)(dport >> 8);
        next[3] = (uint8_t)dport;
    }
    return (size_t)(next - f) + 20;
}

static uint32_t route(struct flow_router *r, const uint8_t *f, size_t n)
{
    return flow_route(r, DLT_EN10MB, cur_make(f, n), 1000);
}

START_TEST(both_directions_of_a_tcp_connection_go_to_one_worker)
{
    static struct flow_router r;
    uint8_t f[64];
    for (uint32_t workers = 2; workers <= 8; workers++) {
        flow_router_init(&r, workers);
        unsigned per_worker[8] = {0};
        for (unsigned i = 0; i < 1000; i++) {
            uint8_t client[4] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i};
            uint8_t server[4] = {192, 0, 2, (uint8_t)(i % 7)};
            uint16_t port = (uint16_t)(1024 + i * 37);
            uint32_t there = route(&r, f, ipv4_frame(f, client, port, server, 443, 6, 0, 0));
            uint32_t back = route(&r, f, ipv4_frame(f, server, 443, client, port, 6, 0, 0));
            ck_assert_uint_eq(there, back);
            ck_assert_uint_lt(there, workers);
            per_worker[there]++;
        }
        /* spread: no worker idle, none with twice its share */
        for (uint32_t w = 0; w < workers; w++) {
            ck_assert_uint_gt(per_worker[w], 1000 / workers / 2);
            ck_assert_uint_lt(per_worker[w], 2 * 1000 / workers);
        }
    }
}
END_TEST

START_TEST(a_later_ipv4_fragment_follows_its_first_fragment)
{
    static struct flow_router r;
    flow_router_init(&r, 4);
    uint8_t f[64];
    for (unsigned i = 0; i < 200; i++) {
        uint8_t a[4] = {10, 1, 0, (uint8_t)i}, b[4] = {10, 2, 0, 1};
        uint16_t sport = (uint16_t)(5000 + i);
        uint32_t whole = route(&r, f, ipv4_frame(f, a, sport, b, 4433, 17, 0, 0));
        uint32_t first = route(&r, f, ipv4_frame(f, a, sport, b, 4433, 17, (uint16_t)i, 0x2000));
        uint32_t later = route(&r, f, ipv4_frame(f, a, 0, b, 0, 17, (uint16_t)i, 185));
        ck_assert_uint_eq(first, whole);
        ck_assert_uint_eq(later, whole);
    }
}
END_TEST

START_TEST(a_later_fragment_whose_first_was_not_seen_goes_by_addresses)
{
    static struct flow_router r;
    flow_router_init(&r, 4);
    uint8_t f[64];
    uint8_t a[4] = {10, 1, 0, 9}, b[4] = {10, 2, 0, 1};
    uint32_t w1 = route(&r, f, ipv4_frame(f, a, 0, b, 0, 6, 77, 185));
    uint32_t w2 = route(&r, f, ipv4_frame(f, b, 0, a, 0, 6, 78, 300));
    ck_assert_uint_eq(w1, w2); /* both ways, by the address pair alone */
}
END_TEST

START_TEST(ipv6_both_ways_and_its_fragments_go_to_one_worker)
{
    static struct flow_router r;
    flow_router_init(&r, 3);
    uint8_t f[128];
    for (unsigned i = 0; i < 100; i++) {
        uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)i};
        uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1};
        uint16_t sport = (uint16_t)(40000 + i);
        uint32_t there = route(&r, f, ipv6_frame(f, a, sport, b, 443, -1, 0));
        uint32_t back = route(&r, f, ipv6_frame(f, b, 443, a, sport, -1, 0));
        uint32_t first = route(&r, f, ipv6_frame(f, a, sport, b, 443, 0, 1000 + i));
        uint32_t later = route(&r, f, ipv6_frame(f, a, 0, b, 0, 181, 1000 + i));
        ck_assert_uint_eq(there, back);
        ck_assert_uint_eq(first, there);
        ck_assert_uint_eq(later, there);
    }
}
END_TEST

START_TEST(what_is_not_ip_or_is_cut_goes_to_worker_zero)
{
    static struct flow_router r;
    flow_router_init(&r, 4);
    uint8_t arp[60] = {[12] = 0x08, [13] = 0x06};
    ck_assert_uint_eq(route(&r, arp, sizeof(arp)), 0);
    uint8_t f[64];
    uint8_t a[4] = {10, 1, 0, 9}, b[4] = {10, 2, 0, 1};
    size_t n = ipv4_frame(f, a, 1, b, 2, 6, 0, 0);
    for (size_t cut = 0; cut < n; cut++) {
        ck_assert_uint_lt(route(&r, f, cut), 4); /* no read past the bytes */
    }
    ck_assert_uint_eq(route(&r, f, 20), 0); /* not even the IPv4 header */
}
END_TEST

/* ------------------------------------------------------------------ ring */

#define TEST_RING (1u << 20)

START_TEST(ring_records_arrive_in_order_across_the_wrap_with_their_types)
{
    struct ring *r = ring_new(TEST_RING);
    ck_assert_ptr_nonnull(r);
    static uint8_t payload[RING_RECORD_MAX];
    uint32_t next_in = 0, next_out = 0;
    /* sizes from 0 to 70 KB, so that the end of the ring is met at every offset */
    for (unsigned round = 0; round < 400; round++) {
        size_t len = (round * 7919u) % 70000u;
        uint8_t *dst;
        while ((dst = ring_reserve(r, len)) == NULL) {
            /* full: the consumer takes one */
            uint32_t type;
            size_t got;
            ring_publish(r);
            const uint8_t *rec = ring_peek(r, &type, &got);
            ck_assert_ptr_nonnull(rec);
            ck_assert_uint_eq(type, next_out + 1);
            ck_assert_uint_eq(got, ((next_out * 7919u) % 70000u));
            if (got > 0) {
                ck_assert_uint_eq(rec[0], (uint8_t)next_out);
                ck_assert_uint_eq(rec[got - 1], (uint8_t)next_out);
            }
            ring_release(r);
            next_out++;
        }
        memset(payload, (uint8_t)next_in, len);
        memcpy(dst, payload, len);
        ring_commit(r, next_in + 1, len);
        next_in++;
    }
    ring_publish(r);
    uint32_t type;
    size_t got;
    while (ring_peek(r, &type, &got) != NULL) {
        ck_assert_uint_eq(type, next_out + 1);
        ring_release(r);
        next_out++;
    }
    ck_assert_uint_eq(next_out, next_in);
    ck_assert(ring_empty(r));
    ring_free(r);
}
END_TEST

START_TEST(ring_records_are_seen_only_once_published)
{
    struct ring *r = ring_new(TEST_RING);
    uint32_t type;
    size_t len;
    void *dst = ring_reserve(r, 100);
    memset(dst, 1, 100);
    ring_commit(r, 5, 100);
    ck_assert_ptr_null(ring_peek(r, &type, &len)); /* a batch not yet handed over */
    ring_publish(r);
    ck_assert_ptr_nonnull(ring_peek(r, &type, &len));
    ck_assert_uint_eq(type, 5);
    ring_release(r);
    /* past RING_PUBLISH_BYTES a batch goes by itself */
    for (size_t sent = 0; sent <= RING_PUBLISH_BYTES; sent += 1000) {
        ck_assert_ptr_nonnull(ring_reserve(r, 1000));
        ring_commit(r, 6, 1000);
    }
    ck_assert_ptr_nonnull(ring_peek(r, &type, &len));
    ring_free(r);
}
END_TEST

START_TEST(ring_refuses_what_it_cannot_hold)
{
    ck_assert_ptr_null(ring_new(4096));           /* smaller than two records of the largest */
    ck_assert_ptr_null(ring_new(TEST_RING + 1));  /* not a power of two */
    struct ring *r = ring_new(TEST_RING);
    ck_assert_ptr_null(ring_reserve(r, RING_RECORD_MAX + 1));
    ring_free(r);
}
END_TEST

/* ------------------------------------------------------------------ window records */

/* A pcap-savefile(5) record in host (little-endian) order: 16 bytes of header, then len
 * bytes of frame (all 0xab). */
static size_t put_record(uint8_t *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len)
{
    const uint32_t words[4] = {sec, frac, caplen, len};
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 4; k++) {
            b[i * 4 + k] = (uint8_t)(words[i] >> (8 * k));
        }
    }
    memset(b + 16, 0xab, caplen);
    return 16 + caplen;
}

START_TEST(window_records_are_read_as_libpcap_gives_them)
{
    uint8_t b[256];
    size_t n = put_record(b, 1700000000, 123456789, 60, 1514);
    n += put_record(b + n, 1700000001, 5, 40, 40);
    struct cursor chunk = cur_make(b, n);
    struct pcap_pkthdr h;
    const uint8_t *data;
    bool cut;
    ck_assert(window_record(&chunk, 65535, true, &h, &data, &cut));
    ck_assert_int_eq(h.ts.tv_sec, 1700000000);
    ck_assert_int_eq(h.ts.tv_usec, 123456); /* nanoseconds scaled down as libpcap does */
    ck_assert_uint_eq(h.caplen, 60);
    ck_assert_uint_eq(h.len, 1514);
    ck_assert_ptr_eq(data, b + 16);
    ck_assert(window_record(&chunk, 65535, true, &h, &data, &cut));
    ck_assert_uint_eq(h.caplen, 40);
    ck_assert_uint_eq(cur_len(chunk), 0);
    ck_assert(!window_record(&chunk, 65535, true, &h, &data, &cut));
    ck_assert(cut); /* nothing left: carried over, which is nothing */
}
END_TEST

START_TEST(a_cut_record_waits_and_one_past_the_snapshot_length_goes_to_libpcap)
{
    uint8_t b[256];
    size_t n = put_record(b, 1, 2, 100, 100);
    struct pcap_pkthdr h;
    const uint8_t *data;
    bool cut;
    for (size_t have = 0; have < n; have++) {
        struct cursor part = cur_make(b, have);
        ck_assert(!window_record(&part, 65535, false, &h, &data, &cut));
        ck_assert(cut);
        ck_assert_uint_eq(cur_len(part), have); /* not moved: carried to the next chunk */
    }
    struct cursor whole = cur_make(b, n);
    ck_assert(!window_record(&whole, 99, false, &h, &data, &cut));
    ck_assert(!cut); /* longer than the snapshot length: libpcap's rules */
}
END_TEST

Suite *suite_parallel(void)
{
    Suite *s = suite_create("parallel");
    TCase *t = tcase_create("flow_hash");
    tcase_add_test(t, both_directions_of_a_tcp_connection_go_to_one_worker);
    tcase_add_test(t, a_later_ipv4_fragment_follows_its_first_fragment);
    tcase_add_test(t, a_later_fragment_whose_first_was_not_seen_goes_by_addresses);
    tcase_add_test(t, ipv6_both_ways_and_its_fragments_go_to_one_worker);
    tcase_add_test(t, what_is_not_ip_or_is_cut_goes_to_worker_zero);
    suite_add_tcase(s, t);
    TCase *ring = tcase_create("ring");
    tcase_add_test(ring, ring_records_arrive_in_order_across_the_wrap_with_their_types);
    tcase_add_test(ring, ring_records_are_seen_only_once_published);
    tcase_add_test(ring, ring_refuses_what_it_cannot_hold);
    suite_add_tcase(s, ring);
    TCase *window = tcase_create("window");
    tcase_add_test(window, window_records_are_read_as_libpcap_gives_them);
    tcase_add_test(window, a_cut_record_waits_and_one_past_the_snapshot_length_goes_to_libpcap);
    suite_add_tcase(s, window);
    return s;
}
