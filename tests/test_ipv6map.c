/* Tests for src/tcp/ipv6map.c: IPv6/TCP becomes IPv4/TCP with the same segment, a valid header,
 * a checksum that verifies exactly when the original did, and a stable one-to-one mapping. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/cursor.h"
#include "tcp/ipv6map.h"
#include "suites.h"
#include "tcp/tcp_segment.h"

#define MAX_PACKET 256

static const uint8_t addr_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t addr_client[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                        0,    0,    0,    0,    0, 0, 0, 0x01}; /* 2001:db8::1 */
static const uint8_t addr_server[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                        0,    0,    0,    0,    0, 0, 0, 0x02}; /* 2001:db8::2 */
static const uint8_t addr_router[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                        0,    0,    0,    0,    0, 0, 0, 0xfe}; /* 2001:db8::fe */

static const uint8_t tcp_syn[] = {
    0xc9, 0x3a,             /* source port 51514 */
    0x01, 0xbb,             /* destination port 443 */
    0x8a, 0x1b, 0x2c, 0x3d, /* sequence number */
    0x00, 0x00, 0x00, 0x00, /* acknowledgment number */
    0x60, 0x02,             /* data offset 6, SYN */
    0xff, 0xc4,             /* window 65476 */
    0x00, 0x00,             /* checksum (filled in by the test) */
    0x00, 0x00,             /* urgent pointer */
    0x02, 0x04, 0xff, 0xc4, /* option MSS 65476 */
};

static const uint8_t tcp_data[] = {
    0x01, 0xbb,             /* source port 443 */
    0xc9, 0x3a,             /* destination port 51514 */
    0x00, 0x00, 0x10, 0x00, /* sequence number */
    0x8a, 0x1b, 0x2c, 0x3e, /* acknowledgment number */
    0x50, 0x18,             /* data offset 5, PSH ACK */
    0x01, 0xf5,             /* window */
    0x00, 0x00,             /* checksum (filled in by the test) */
    0x00, 0x00,             /* urgent pointer */
    'h',  'e',  'l',  'l',  'o', /* 5 payload bytes: an odd segment length */
};

static const uint8_t ext_hop_by_hop[] = {
    60,                     /* next header: destination options */
    0,                      /* length: 8 bytes */
    0x05, 0x02, 0x00, 0x00, /* router alert option */
    0x01, 0x00,             /* PadN, 0 bytes */
};

static const uint8_t ext_dest_opts_16[] = {
    43,                                     /* next header: routing */
    1,                                      /* length: 16 bytes */
    0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* PadN, 12 bytes */
};

static const uint8_t ext_srh_done[] = {
    6,    /* next header: TCP */
    2,    /* length: 24 bytes */
    4,    /* routing type 4: segment routing */
    0,    /* segments left 0: destination field is final */
    0,    /* last entry */
    0,    /* flags */
    0, 0, /* tag */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* segment list[0] */
};

static const uint8_t ext_srh_one_left[] = {
    6,    /* next header: TCP */
    4,    /* length: 40 bytes */
    4,    /* routing type 4: segment routing */
    1,    /* segments left 1: the destination field is the router */
    1,    /* last entry */
    0,    /* flags */
    0, 0, /* tag */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* [0] final: server */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe, /* [1] router */
};

static const uint8_t ext_atomic_fragment[] = {
    6,                      /* next header: TCP */
    0,                      /* reserved */
    0x00, 0x00,             /* offset 0, M 0 */
    0x00, 0x00, 0x12, 0x34, /* identification */
};

static const uint8_t ext_first_fragment[] = {
    6,                      /* next header: TCP */
    0,                      /* reserved */
    0x00, 0x01,             /* offset 0, M 1 */
    0x00, 0x00, 0x12, 0x34, /* identification */
};

static const uint8_t ext_later_fragment[] = {
    6,                      /* next header: TCP */
    0,                      /* reserved */
    0x00, 0xa0,             /* offset 20 (160 bytes), M 0 */
    0x00, 0x00, 0x12, 0x34, /* identification */
};

static const uint8_t udp_dns[] = {
    0xd4, 0x31, /* source port */
    0x00, 0x35, /* destination port 53 */
    0x00, 0x08, /* length */
    0x00, 0x00, /* checksum */
};

/* An independent RFC 1071 sum, odd lengths padded with a zero byte. */
static uint32_t add_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
    }
    return sum;
}

static uint16_t finish(uint32_t sum)
{
    while (sum > 0xffff) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* RFC 8200 8.1 pseudo-header; 0 over a segment whose checksum is right. */
static uint16_t tcp_checksum_v6(const uint8_t src[16], const uint8_t dst[16], const uint8_t *tcp,
                                size_t len)
{
    uint32_t sum = add_bytes(add_bytes(0, src, 16), dst, 16);
    sum += (uint32_t)len + 6;
    return finish(add_bytes(sum, tcp, len));
}

/* RFC 9293 3.1 pseudo-header. */
static uint16_t tcp_checksum_v4(const uint8_t addrs[8], const uint8_t *tcp, size_t len)
{
    uint32_t sum = add_bytes(0, addrs, 8);
    sum += (uint32_t)len + 6;
    return finish(add_bytes(sum, tcp, len));
}

/* Builds an IPv6 packet: fixed header (next header first_nh), ext bytes, then the TCP (or
 * other) segment with its checksum set against pseudo_dst (NULL: dst). Returns its length. */
static size_t build_v6(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16],
                       uint8_t first_nh, const uint8_t *ext, size_t ext_len, const uint8_t *seg,
                       size_t seg_len, const uint8_t *pseudo_dst)
{
    size_t payload = ext_len + seg_len;
    ck_assert_uint_le(40 + payload, MAX_PACKET);
    buf[0] = 0x6b; /* version 6, traffic class 0xb8 (DSCP EF)... */
    buf[1] = 0x81; /* ...and flow label 0x12345 */
    buf[2] = 0x23;
    buf[3] = 0x45;
    buf[4] = (uint8_t)(payload >> 8);
    buf[5] = (uint8_t)payload;
    buf[6] = first_nh;
    buf[7] = 57; /* hop limit */
    memcpy(buf + 8, src, 16);
    memcpy(buf + 24, dst, 16);
    if (ext_len > 0) {
        memcpy(buf + 40, ext, ext_len);
    }
    uint8_t *tcp = buf + 40 + ext_len;
    memcpy(tcp, seg, seg_len);
    if (seg_len >= 18) {
        tcp[16] = 0;
        tcp[17] = 0;
        uint16_t c = tcp_checksum_v6(src, pseudo_dst != NULL ? pseudo_dst : dst, tcp, seg_len);
        tcp[16] = (uint8_t)(c >> 8);
        tcp[17] = (uint8_t)c;
    }
    return 40 + payload;
}

static uint32_t wire_addr(const uint8_t *p)
{
    uint32_t a;
    memcpy(&a, p, 4);
    return a;
}

static uint32_t wire_of(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t bytes[4] = {a, b, c, d};
    return wire_addr(bytes);
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Checks everything about a translated packet that does not depend on the mapping. */
static void check_ipv4(const uint8_t *out, size_t out_len, const uint8_t *seg, size_t seg_len)
{
    ck_assert_uint_eq(out_len, 20 + seg_len);
    ck_assert_uint_eq(out[0], 0x45);               /* version 4, IHL 5 */
    ck_assert_uint_eq(out[1], 0xb8);               /* the traffic class */
    ck_assert_uint_eq(be16(out + 2), 20 + seg_len); /* total length */
    ck_assert_uint_eq(be16(out + 6), 0x4000);      /* DF, offset 0 */
    ck_assert_uint_eq(out[8], 57);                 /* TTL from the hop limit */
    ck_assert_uint_eq(out[9], 6);                  /* TCP */
    ck_assert_uint_eq(finish(add_bytes(0, out, 20)), 0); /* header checksum verifies */
    ck_assert_mem_eq(out + 20, seg, 16);           /* TCP unchanged up to the checksum... */
    ck_assert_mem_eq(out + 38, seg + 18, seg_len - 18); /* ...and after it */
}

START_TEST(syn_to_loopback_443_becomes_valid_ipv4)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len = 0;
    size_t len = build_v6(in, addr_loopback, addr_loopback, 6, NULL, 0, tcp_syn, sizeof(tcp_syn),
                          NULL);
    ck_assert_uint_eq(tcp_checksum_v6(addr_loopback, addr_loopback, in + 40, sizeof(tcp_syn)), 0);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    check_ipv4(out, out_len, in + 40, sizeof(tcp_syn));
    static const uint8_t first_mapped[4] = {240, 0, 0, 1};
    ck_assert_mem_eq(out + 12, first_mapped, 4); /* source ::1 */
    ck_assert_mem_eq(out + 16, first_mapped, 4); /* destination ::1, the same address */
    ck_assert_uint_eq(tcp_checksum_v4(out + 12, out + 20, sizeof(tcp_syn)), 0);
    v6map_free(m);
}
END_TEST

START_TEST(distinct_addresses_map_in_order_and_back)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    uint8_t back[16];
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    size_t len = build_v6(in, addr_client, addr_server, 6, NULL, 0, tcp_syn, sizeof(tcp_syn),
                          NULL);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    ck_assert(wire_addr(out + 12) == wire_of(240, 0, 0, 1));
    ck_assert(wire_addr(out + 16) == wire_of(240, 0, 0, 2));
    /* The reply maps the same two addresses, swapped. */
    len = build_v6(in, addr_server, addr_client, 6, NULL, 0, tcp_data, sizeof(tcp_data), NULL);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    ck_assert(wire_addr(out + 12) == wire_of(240, 0, 0, 2));
    ck_assert(wire_addr(out + 16) == wire_of(240, 0, 0, 1));
    check_ipv4(out, out_len, in + 40, sizeof(tcp_data));
    ck_assert_uint_eq(tcp_checksum_v4(out + 12, out + 20, sizeof(tcp_data)), 0);
    ck_assert(v6map_lookup(m, wire_of(240, 0, 0, 1), back));
    ck_assert_mem_eq(back, addr_client, 16);
    ck_assert(v6map_lookup(m, wire_of(240, 0, 0, 2), back));
    ck_assert_mem_eq(back, addr_server, 16);
    v6map_free(m);
}
END_TEST

START_TEST(lookup_rejects_addresses_not_mapped)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    uint8_t back[16] = {0};
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert(!v6map_lookup(m, wire_of(240, 0, 0, 1), back)); /* nothing mapped yet */
    size_t len = build_v6(in, addr_client, addr_server, 6, NULL, 0, tcp_syn, sizeof(tcp_syn),
                          NULL);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    ck_assert(!v6map_lookup(m, wire_of(240, 0, 0, 0), back));
    ck_assert(!v6map_lookup(m, wire_of(240, 0, 0, 3), back));
    ck_assert(!v6map_lookup(m, wire_of(10, 0, 0, 1), back));
    ck_assert(!v6map_lookup(m, wire_of(1, 0, 0, 240), back)); /* byte order matters */
    ck_assert(!v6map_lookup(m, wire_of(255, 255, 255, 255), back));
    ck_assert(!v6map_lookup(NULL, wire_of(240, 0, 0, 1), back));
    v6map_free(m);
}
END_TEST

/* xorshift32: reproducible pseudo-random packets. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static void random_bytes(uint32_t *state, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)next_random(state);
    }
}

START_TEST(checksum_verifies_after_translation_exactly_when_it_did_before)
{
    uint32_t state = 0x2545f491;
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    uint8_t src[16];
    uint8_t dst[16];
    uint8_t seg[120];
    size_t out_len;
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < 3000; i++) {
        size_t seg_len = 20 + next_random(&state) % 100;
        random_bytes(&state, src, 16);
        random_bytes(&state, dst, 16);
        random_bytes(&state, seg, seg_len);
        seg[12] = 0x50; /* data offset 5 */
        size_t len = build_v6(in, src, dst, 6, NULL, 0, seg, seg_len, NULL);
        bool corrupt = i % 2 == 1;
        if (corrupt) { /* a wrong checksum, as captured on lo */
            in[40 + 16] ^= (uint8_t)(1 + next_random(&state) % 255);
        }
        ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
        bool v6_ok = tcp_checksum_v6(src, dst, in + 40, seg_len) == 0;
        bool v4_ok = tcp_checksum_v4(out + 12, out + 20, seg_len) == 0;
        ck_assert_msg(v6_ok == !corrupt && v4_ok == v6_ok, "packet %d: v6 %d v4 %d", i, v6_ok,
                      v4_ok);
        ck_assert_uint_eq(finish(add_bytes(0, out, 20)), 0);
    }
    v6map_free(m);
}
END_TEST

/* Translates one TCP packet from src to dst at packet time t; returns the two mapped
 * addresses (wire order). */
static void translate_at(struct v6map *m, time_t t, const uint8_t src[16], const uint8_t dst[16],
                         uint32_t *v4_src, uint32_t *v4_dst)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    struct timeval now = {t, 0};
    size_t len = build_v6(in, src, dst, 6, NULL, 0, tcp_syn, sizeof(tcp_syn), NULL);
    v6map_clock(m, now);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    *v4_src = wire_addr(out + 12);
    *v4_dst = wire_addr(out + 16);
}

static void address(uint8_t a[16], uint8_t last)
{
    memset(a, 0, 16);
    a[0] = 0x20;
    a[1] = 0x01;
    a[15] = last;
}

START_TEST(mapping_is_reused_only_after_the_grace_period_and_when_not_held)
{
    uint8_t a[16], b[16], c[16], d[16], e[16], f[16], back[16];
    uint32_t s, t;
    address(a, 1), address(b, 2), address(c, 3), address(d, 4), address(e, 5), address(f, 6);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    translate_at(m, 1000, a, b, &s, &t);
    ck_assert(s == wire_of(240, 0, 0, 1) && t == wire_of(240, 0, 0, 2));
    ck_assert(v6map_hold(m, s)); /* a connection on a */
    ck_assert(!v6map_hold(m, wire_of(10, 0, 0, 1))); /* not a mapped address */
    /* Within the grace period nothing is reused. */
    translate_at(m, 1000 + V6MAP_GRACE_SECONDS - 1, c, c, &s, &t);
    ck_assert(s == wire_of(240, 0, 0, 3) && t == s);
    /* Past it, b (carried by no packet since, held by nothing) is reused; a is held. */
    translate_at(m, 1000 + V6MAP_GRACE_SECONDS, d, d, &s, &t);
    ck_assert(s == wire_of(240, 0, 0, 2) && t == s);
    ck_assert(v6map_lookup(m, wire_of(240, 0, 0, 2), back));
    ck_assert_mem_eq(back, d, 16);
    ck_assert(v6map_lookup(m, wire_of(240, 0, 0, 1), back));
    ck_assert_mem_eq(back, a, 16);
    /* The addresses seen since keep their mappings: b comes back as a new one. */
    translate_at(m, 1000 + V6MAP_GRACE_SECONDS, c, b, &s, &t);
    ck_assert(s == wire_of(240, 0, 0, 3) && t == wire_of(240, 0, 0, 4));
    /* Later, released a goes first (it was mapped first), then d and c. */
    uint8_t g[16];
    address(g, 7);
    v6map_release(m, wire_of(240, 0, 0, 1));
    translate_at(m, 1000 + 3 * V6MAP_GRACE_SECONDS, e, f, &s, &t);
    ck_assert(s == wire_of(240, 0, 0, 1) && t == wire_of(240, 0, 0, 2));
    translate_at(m, 1000 + 3 * V6MAP_GRACE_SECONDS, g, g, &s, &t);
    ck_assert(s == wire_of(240, 0, 0, 3));
    ck_assert(v6map_lookup(m, s, back));
    ck_assert_mem_eq(back, g, 16);
    ck_assert(v6map_lookup(m, wire_of(240, 0, 0, 1), back));
    ck_assert_mem_eq(back, e, 16);
    ck_assert(v6map_lookup(m, wire_of(240, 0, 0, 4), back));
    ck_assert_mem_eq(back, b, 16); /* seen within the grace period: kept */
    v6map_free(m);
}
END_TEST

/* v6map_segment reads in place what v6map_translate copies: the same mapped addresses, the
 * TCP header's fields, and the payload as a view into the IPv6 packet. */
START_TEST(segment_in_place_matches_the_translation)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    struct segment seg;
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    size_t len = build_v6(in, addr_server, addr_client, 6, NULL, 0, tcp_data, sizeof(tcp_data),
                          NULL);
    ck_assert_int_eq(v6map_segment(m, cur_make(in, len), &seg), V6_OK);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    ck_assert(seg.t.saddr == wire_addr(out + 12) && seg.t.daddr == wire_addr(out + 16));
    ck_assert(seg.t.saddr == wire_of(240, 0, 0, 1) && seg.t.daddr == wire_of(240, 0, 0, 2));
    ck_assert_uint_eq(seg.t.sport, 443);
    ck_assert_uint_eq(seg.t.dport, 51514);
    ck_assert_uint_eq(seg.seq, 0x1000);
    ck_assert_uint_eq(seg.ack, 0x8a1b2c3e);
    ck_assert_uint_eq(seg.flags, 0x18);
    ck_assert_uint_eq(cur_len(seg.payload), sizeof(tcp_data) - 20);
    ck_assert_ptr_eq(cur_data(seg.payload), in + 40 + 20); /* in place, not a copy */
    /* what translate refuses, segment refuses alike */
    len = build_v6(in, addr_server, addr_client, 17, NULL, 0, tcp_data, sizeof(tcp_data), NULL);
    ck_assert_int_eq(v6map_segment(m, cur_make(in, len), &seg), V6_SKIP_NOT_TCP);
    v6map_free(m);
}
END_TEST

START_TEST(many_addresses_stay_one_to_one)
{
    enum { COUNT = 5000 };
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    uint8_t back[16];
    size_t out_len;
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < COUNT; i++) {
            uint8_t src[16];
            memcpy(src, addr_client, 16);
            src[8] = 0xaa;                /* 2001:db8::aa00:0:<i>, never the server */
            src[12] = (uint8_t)(i >> 24);
            src[13] = (uint8_t)(i >> 16);
            src[14] = (uint8_t)(i >> 8);
            src[15] = (uint8_t)i;
            size_t len = build_v6(in, src, addr_server, 6, NULL, 0, tcp_syn, sizeof(tcp_syn),
                                  NULL);
            ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len),
                             V6_OK);
            /* First round: the server is the second address seen, so client i gets index
             * i + 1 (i > 0) or 0; the second round must give the same answers. */
            uint32_t index = i == 0 ? 0 : i + 1;
            uint32_t v4 = 0xf0000001u + index;
            ck_assert(wire_addr(out + 12) ==
                      wire_of((uint8_t)(v4 >> 24), (uint8_t)(v4 >> 16), (uint8_t)(v4 >> 8),
                              (uint8_t)v4));
            ck_assert(wire_addr(out + 16) == wire_of(240, 0, 0, 2));
            ck_assert(v6map_lookup(m, wire_addr(out + 12), back));
            ck_assert_mem_eq(back, src, 16);
        }
    }
    ck_assert(!v6map_lookup(m, wire_of(240, 0, 0x13, 0x8a), back)); /* index 5001 */
    v6map_free(m);
}
END_TEST

START_TEST(extension_headers_are_walked)
{
    uint8_t ext[sizeof(ext_hop_by_hop) + sizeof(ext_dest_opts_16) + sizeof(ext_srh_done)];
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    memcpy(ext, ext_hop_by_hop, sizeof(ext_hop_by_hop));
    memcpy(ext + sizeof(ext_hop_by_hop), ext_dest_opts_16, sizeof(ext_dest_opts_16));
    memcpy(ext + sizeof(ext_hop_by_hop) + sizeof(ext_dest_opts_16), ext_srh_done,
           sizeof(ext_srh_done));
    size_t len = build_v6(in, addr_client, addr_server, 0, ext, sizeof(ext), tcp_data,
                          sizeof(tcp_data), NULL);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    check_ipv4(out, out_len, in + 40 + sizeof(ext), sizeof(tcp_data));
    ck_assert_uint_eq(tcp_checksum_v4(out + 12, out + 20, sizeof(tcp_data)), 0);
    v6map_free(m);
}
END_TEST

START_TEST(routing_header_with_segments_left_maps_final_destination)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    uint8_t back[16];
    size_t out_len;
    /* Seen between client and router: the destination field is the router, the pseudo-header
     * (and the reply's source) the server. */
    size_t len = build_v6(in, addr_client, addr_router, 43, ext_srh_one_left,
                          sizeof(ext_srh_one_left), tcp_syn, sizeof(tcp_syn), addr_server);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    check_ipv4(out, out_len, in + 40 + sizeof(ext_srh_one_left), sizeof(tcp_syn));
    ck_assert(v6map_lookup(m, wire_addr(out + 16), back));
    ck_assert_mem_eq(back, addr_server, 16);
    ck_assert_uint_eq(tcp_checksum_v4(out + 12, out + 20, sizeof(tcp_syn)), 0);
    v6map_free(m);
}
END_TEST

START_TEST(atomic_fragment_is_translated)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    size_t len = build_v6(in, addr_client, addr_server, 44, ext_atomic_fragment,
                          sizeof(ext_atomic_fragment), tcp_syn, sizeof(tcp_syn), NULL);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len), V6_OK);
    check_ipv4(out, out_len, in + 48, sizeof(tcp_syn));
    ck_assert_uint_eq(tcp_checksum_v4(out + 12, out + 20, sizeof(tcp_syn)), 0);
    v6map_free(m);
}
END_TEST

START_TEST(fragments_are_skipped)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    size_t len = build_v6(in, addr_client, addr_server, 44, ext_first_fragment,
                          sizeof(ext_first_fragment), tcp_syn, sizeof(tcp_syn), NULL);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len),
                     V6_SKIP_FRAGMENT);
    len = build_v6(in, addr_client, addr_server, 44, ext_later_fragment,
                   sizeof(ext_later_fragment), tcp_syn, sizeof(tcp_syn), NULL);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len),
                     V6_SKIP_FRAGMENT);
    ck_assert_str_eq(v6map_result_name(V6_SKIP_FRAGMENT), "ipv6_fragment");
    v6map_free(m);
}
END_TEST

START_TEST(udp_icmpv6_and_no_next_header_are_not_tcp)
{
    static const uint8_t not_tcp[] = {17, 58, 59, 50};
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    for (size_t i = 0; i < sizeof(not_tcp); i++) {
        size_t len = build_v6(in, addr_client, addr_server, not_tcp[i], NULL, 0, udp_dns,
                              sizeof(udp_dns), NULL);
        ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len),
                         V6_SKIP_NOT_TCP);
    }
    /* Behind an extension header too. */
    uint8_t hbh[sizeof(ext_hop_by_hop)];
    memcpy(hbh, ext_hop_by_hop, sizeof(hbh));
    hbh[0] = 17;
    size_t len = build_v6(in, addr_client, addr_server, 0, hbh, sizeof(hbh), udp_dns,
                          sizeof(udp_dns), NULL);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len),
                     V6_SKIP_NOT_TCP);
    ck_assert_str_eq(v6map_result_name(V6_SKIP_NOT_TCP), "ipv6_not_tcp");
    ck_assert(!v6map_lookup(m, wire_of(240, 0, 0, 1), out)); /* nothing got mapped */
    v6map_free(m);
}
END_TEST

START_TEST(payload_length_beyond_capture_is_truncated)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    size_t len = build_v6(in, addr_client, addr_server, 6, NULL, 0, tcp_data, sizeof(tcp_data),
                          NULL);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    /* Whole TCP header, part of the payload: libnids cannot use part of a segment either. */
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len - 1), out, sizeof(out), &out_len),
                     V6_SKIP_TRUNCATED);
    ck_assert_str_eq(v6map_result_name(V6_SKIP_TRUNCATED), "ipv6_truncated");
    v6map_free(m);
}
END_TEST

/* Every shortened copy, each in a block of its exact size for the sanitizers. */
static void every_prefix_is_truncated(const uint8_t *in, size_t len)
{
    uint8_t *out = malloc(V6MAP_OUT_MAX);
    ck_assert_ptr_nonnull(out);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n + 1);
        size_t out_len = 12345;
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, in, n);
        enum v6_result r = v6map_translate(m, cur_make(copy, n), out, V6MAP_OUT_MAX, &out_len);
        ck_assert_msg(r == V6_SKIP_TRUNCATED, "prefix %zu: %s", n, v6map_result_name(r));
        ck_assert_uint_eq(out_len, 12345);
        free(copy);
    }
    size_t out_len;
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, V6MAP_OUT_MAX, &out_len), V6_OK);
    v6map_free(m);
    free(out);
}

START_TEST(every_prefix_is_truncated_never_read_past)
{
    uint8_t ext[sizeof(ext_hop_by_hop) + sizeof(ext_dest_opts_16) + sizeof(ext_srh_one_left)];
    uint8_t in[MAX_PACKET];
    memcpy(ext, ext_hop_by_hop, sizeof(ext_hop_by_hop));
    memcpy(ext + sizeof(ext_hop_by_hop), ext_dest_opts_16, sizeof(ext_dest_opts_16));
    memcpy(ext + sizeof(ext_hop_by_hop) + sizeof(ext_dest_opts_16), ext_srh_one_left,
           sizeof(ext_srh_one_left));
    size_t len = build_v6(in, addr_client, addr_router, 0, ext, sizeof(ext), tcp_data,
                          sizeof(tcp_data), addr_server);
    every_prefix_is_truncated(in, len);
    len = build_v6(in, addr_loopback, addr_loopback, 6, NULL, 0, tcp_syn, sizeof(tcp_syn), NULL);
    every_prefix_is_truncated(in, len);
    len = build_v6(in, addr_client, addr_server, 44, ext_atomic_fragment,
                   sizeof(ext_atomic_fragment), tcp_syn, sizeof(tcp_syn), NULL);
    every_prefix_is_truncated(in, len);
}
END_TEST

/* A big TCP segment: a header, then zeros. */
static size_t build_big(uint8_t *in, size_t seg_len)
{
    in[0] = 0x60;
    in[1] = in[2] = in[3] = 0;
    in[4] = (uint8_t)(seg_len >> 8);
    in[5] = (uint8_t)seg_len;
    in[6] = 6;
    in[7] = 64;
    memcpy(in + 8, addr_client, 16);
    memcpy(in + 24, addr_server, 16);
    memset(in + 40, 0, seg_len);
    memcpy(in + 40, tcp_data, 20);
    return 40 + seg_len;
}

START_TEST(segments_over_65515_bytes_are_too_big)
{
    uint8_t *in = malloc(40 + 65535);
    uint8_t *out = malloc(V6MAP_OUT_MAX);
    size_t out_len;
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    size_t len = build_big(in, 65515);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, V6MAP_OUT_MAX, &out_len), V6_OK);
    ck_assert_uint_eq(out_len, 65535);
    ck_assert_uint_eq(be16(out + 2), 65535);
    /* The same packet into a buffer one byte short. */
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, V6MAP_OUT_MAX - 1, &out_len),
                     V6_SKIP_TOO_BIG);
    len = build_big(in, 65516);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, V6MAP_OUT_MAX, &out_len),
                     V6_SKIP_TOO_BIG);
    len = build_big(in, 65535);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, V6MAP_OUT_MAX, &out_len),
                     V6_SKIP_TOO_BIG);
    ck_assert_str_eq(v6map_result_name(V6_SKIP_TOO_BIG), "ipv6_too_big");
    v6map_free(m);
    free(in);
    free(out);
}
END_TEST

START_TEST(payload_length_zero_with_bytes_is_a_jumbogram)
{
    uint8_t in[MAX_PACKET];
    uint8_t out[V6MAP_OUT_MAX];
    size_t out_len;
    size_t len = build_v6(in, addr_client, addr_server, 6, NULL, 0, tcp_syn, sizeof(tcp_syn),
                          NULL);
    in[4] = 0; /* payload length 0 (RFC 2675) */
    in[5] = 0;
    struct v6map *m = v6map_new();
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(v6map_translate(m, cur_make(in, len), out, sizeof(out), &out_len),
                     V6_SKIP_TOO_BIG);
    v6map_free(m);
}
END_TEST

START_TEST(only_mappable_class_e_addresses_collide)
{
    ck_assert(v6map_collides(wire_of(240, 0, 0, 1)));
    ck_assert(v6map_collides(wire_of(250, 1, 2, 3)));
    ck_assert(v6map_collides(wire_of(255, 255, 255, 254)));
    ck_assert(!v6map_collides(wire_of(255, 255, 255, 255))); /* broadcast, never mapped */
    ck_assert(!v6map_collides(wire_of(240, 0, 0, 0)));
    ck_assert(!v6map_collides(wire_of(239, 255, 255, 255)));
    ck_assert(!v6map_collides(wire_of(10, 0, 0, 240)));
    ck_assert(!v6map_collides(wire_of(1, 0, 0, 240)));
}
END_TEST

START_TEST(result_names_are_distinct)
{
    for (int a = 0; a < V6_RESULT_COUNT; a++) {
        ck_assert_ptr_nonnull(v6map_result_name((enum v6_result)a));
        ck_assert_str_ne(v6map_result_name((enum v6_result)a), "unknown");
        for (int b = a + 1; b < V6_RESULT_COUNT; b++) {
            ck_assert_str_ne(v6map_result_name((enum v6_result)a),
                             v6map_result_name((enum v6_result)b));
        }
    }
    ck_assert_str_eq(v6map_result_name(V6_RESULT_COUNT), "unknown");
    v6map_free(NULL);
}
END_TEST

Suite *suite_ipv6map(void)
{
    Suite *s = suite_create("ipv6map");
    TCase *tc = tcase_create("translate");
    tcase_add_test(tc, syn_to_loopback_443_becomes_valid_ipv4);
    tcase_add_test(tc, distinct_addresses_map_in_order_and_back);
    tcase_add_test(tc, lookup_rejects_addresses_not_mapped);
    tcase_add_test(tc, checksum_verifies_after_translation_exactly_when_it_did_before);
    tcase_add_test(tc, many_addresses_stay_one_to_one);
    tcase_add_test(tc, segment_in_place_matches_the_translation);
    tcase_add_test(tc, mapping_is_reused_only_after_the_grace_period_and_when_not_held);
    tcase_add_test(tc, extension_headers_are_walked);
    tcase_add_test(tc, routing_header_with_segments_left_maps_final_destination);
    tcase_add_test(tc, atomic_fragment_is_translated);
    tcase_add_test(tc, fragments_are_skipped);
    tcase_add_test(tc, udp_icmpv6_and_no_next_header_are_not_tcp);
    tcase_add_test(tc, payload_length_beyond_capture_is_truncated);
    tcase_add_test(tc, every_prefix_is_truncated_never_read_past);
    tcase_add_test(tc, segments_over_65515_bytes_are_too_big);
    tcase_add_test(tc, payload_length_zero_with_bytes_is_a_jumbogram);
    tcase_add_test(tc, only_mappable_class_e_addresses_collide);
    tcase_add_test(tc, result_names_are_distinct);
    suite_add_tcase(s, tc);
    return s;
}
