/* Tests for src/capture/linklayer.c (every link type, tags, padding, truncation) and the file side of
 * src/capture/capture.c (error texts, frames, truncated files, filters, stopping). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "base/cursor.h"
#include "capture/linklayer.h"
#include "suites.h"

/* DLT numbers as pcap/dlt.h has them on Linux. */
enum {
    T_DLT_NULL = 0,
    T_DLT_EN10MB = 1,
    T_DLT_PPP = 9,
    T_DLT_RAW = 12,
    T_LINKTYPE_RAW = 101,
    T_DLT_IEEE802_11 = 105,
    T_DLT_LOOP = 108,
    T_DLT_LINUX_SLL = 113,
    T_DLT_IPV4 = 228,
    T_DLT_IPV6 = 229,
    T_DLT_LINUX_SLL2 = 276,
};

static const uint8_t ipv4_syn[] = {
    0x45,                   /* version 4, IHL 5 */
    0x00,                   /* TOS */
    0x00, 0x28,             /* total length 40 */
    0x12, 0x34,             /* identification */
    0x40, 0x00,             /* DF, offset 0 */
    0x40,                   /* TTL 64 */
    0x06,                   /* protocol TCP */
    0x00, 0x00,             /* header checksum (not checked here) */
    0xc0, 0x00, 0x02, 0x01, /* source 192.0.2.1 */
    0xc6, 0x33, 0x64, 0x05, /* destination 198.51.100.5 */
    0xc9, 0x3a,             /* TCP source port 51514 */
    0x01, 0xbb,             /* TCP destination port 443 */
    0x00, 0x00, 0x00, 0x01, /* sequence number */
    0x00, 0x00, 0x00, 0x00, /* acknowledgment number */
    0x50, 0x02,             /* data offset 5, SYN */
    0xff, 0xff,             /* window */
    0x00, 0x00,             /* checksum */
    0x00, 0x00,             /* urgent pointer */
};

static const uint8_t ipv6_syn[] = {
    0x60, 0x00, 0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
    0x00, 0x14,             /* payload length 20 */
    0x06,                   /* next header TCP */
    0x40,                   /* hop limit 64 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source 2001:db8::1 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* destination 2001:db8::2 */
    0xc9, 0x3a,             /* TCP source port 51514 */
    0x01, 0xbb,             /* TCP destination port 443 */
    0x00, 0x00, 0x00, 0x01, /* sequence number */
    0x00, 0x00, 0x00, 0x00, /* acknowledgment number */
    0x50, 0x02,             /* data offset 5, SYN */
    0xff, 0xff,             /* window */
    0x00, 0x00,             /* checksum */
    0x00, 0x00,             /* urgent pointer */
};

static const uint8_t eth_ipv4[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination MAC */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x08, 0x00,                         /* ethertype IPv4 */
};

static const uint8_t eth_ipv6[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination MAC */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x86, 0xdd,                         /* ethertype IPv6 */
};

static const uint8_t eth_arp[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination MAC: broadcast */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x08, 0x06,                         /* ethertype ARP */
};

static const uint8_t arp_request[] = {
    0x00, 0x01,                         /* hardware type Ethernet */
    0x08, 0x00,                         /* protocol type IPv4 */
    0x06, 0x04,                         /* address lengths 6 and 4 */
    0x00, 0x01,                         /* opcode request */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* sender MAC */
    0xc0, 0x00, 0x02, 0x01,             /* sender IP */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC */
    0xc0, 0x00, 0x02, 0x02,             /* target IP */
};

static const uint8_t eth_vlan_ipv4[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination MAC */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x81, 0x00,                         /* 802.1Q tag */
    0x00, 0x64,                         /* TCI: VLAN 100 */
    0x08, 0x00,                         /* ethertype IPv4 */
};

static const uint8_t eth_vlan_arp[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination MAC: broadcast */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x81, 0x00,                         /* 802.1Q tag */
    0x00, 0x64,                         /* TCI: VLAN 100 */
    0x08, 0x06,                         /* ethertype ARP */
};

static const uint8_t eth_qinq_ipv6[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination MAC */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x88, 0xa8,                         /* 802.1ad service tag */
    0x00, 0x0a,                         /* TCI: S-VLAN 10 */
    0x81, 0x00,                         /* 802.1Q customer tag */
    0x00, 0x64,                         /* TCI: C-VLAN 100 */
    0x86, 0xdd,                         /* ethertype IPv6 */
};

static const uint8_t eth_9100_ipv4[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination MAC */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* source MAC */
    0x91, 0x00,                         /* pre-standard QinQ tag */
    0x00, 0x0a,                         /* TCI: VLAN 10 */
    0x08, 0x00,                         /* ethertype IPv4 */
};

static const uint8_t sll_ipv6[] = {
    0x00, 0x00,                                     /* packet type: to us */
    0x00, 0x01,                                     /* ARPHRD_ETHER */
    0x00, 0x06,                                     /* address length 6 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, /* address, padded to 8 */
    0x86, 0xdd,                                     /* protocol IPv6 */
};

static const uint8_t sll2_ipv4[] = {
    0x08, 0x00,                                     /* protocol IPv4 */
    0x00, 0x00,                                     /* reserved */
    0x00, 0x00, 0x00, 0x02,                         /* interface index 2 */
    0x00, 0x01,                                     /* ARPHRD_ETHER */
    0x04,                                           /* packet type: outgoing */
    0x06,                                           /* address length 6 */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, /* address, padded to 8 */
};

static const uint8_t null_host_order_inet[] = {
    0x02, 0x00, 0x00, 0x00, /* AF_INET, little-endian host */
};

static const uint8_t null_network_order_inet6[] = {
    0x00, 0x00, 0x00, 0x1e, /* AF_INET6 on macOS (30), big-endian host */
};

static const uint8_t loop_inet6[] = {
    0x00, 0x00, 0x00, 0x18, /* AF_INET6 on OpenBSD (24), network order */
};

static const uint8_t loop_inet[] = {
    0x00, 0x00, 0x00, 0x02, /* AF_INET, network order */
};

/* A frame in a heap block of exactly its size, so a sanitizer sees any read past the end. */
struct frame {
    uint8_t *bytes;
    size_t len;
};

static struct frame build(const uint8_t *link, size_t link_len, const uint8_t *ip, size_t ip_len,
                          size_t padding)
{
    struct frame f = {malloc(link_len + ip_len + padding + 1), link_len + ip_len + padding};
    ck_assert_ptr_nonnull(f.bytes);
    if (link_len > 0) {
        memcpy(f.bytes, link, link_len);
    }
    memcpy(f.bytes + link_len, ip, ip_len);
    memset(f.bytes + link_len + ip_len, 0, padding);
    return f;
}

/* Decodes link + ip (+ padding) and checks the result and that the IP cursor is exactly the
 * IP packet. */
static void expect_ip(int dlt, const uint8_t *link, size_t link_len, const uint8_t *ip,
                      size_t ip_len, size_t padding, enum link_result want)
{
    struct frame f = build(link, link_len, ip, ip_len, padding);
    struct cursor out = {NULL, 0};
    enum link_result r = link_decode(dlt, cur_make(f.bytes, f.len), &out);
    ck_assert_str_eq(link_result_name(r), link_result_name(want));
    ck_assert_ptr_eq(cur_data(out), f.bytes + link_len);
    ck_assert_uint_eq(cur_len(out), ip_len);
    free(f.bytes);
}

/* Checks a skip result and that the IP cursor is left untouched. */
static void expect_skip(int dlt, const uint8_t *link, size_t link_len, const uint8_t *ip,
                        size_t ip_len, enum link_result want)
{
    static const uint8_t sentinel[1] = {0};
    struct frame f = build(link, link_len, ip, ip_len, 0);
    struct cursor out = cur_make(sentinel, 1);
    enum link_result r = link_decode(dlt, cur_make(f.bytes, f.len), &out);
    ck_assert_str_eq(link_result_name(r), link_result_name(want));
    ck_assert_ptr_eq(cur_data(out), sentinel);
    ck_assert_uint_eq(cur_len(out), 1);
    free(f.bytes);
}

START_TEST(ethernet_ipv4_follows_14_byte_header)
{
    expect_ip(T_DLT_EN10MB, eth_ipv4, sizeof(eth_ipv4), ipv4_syn, sizeof(ipv4_syn), 0, LINK_IPV4);
}
END_TEST

START_TEST(ethernet_ipv6_follows_14_byte_header)
{
    expect_ip(T_DLT_EN10MB, eth_ipv6, sizeof(eth_ipv6), ipv6_syn, sizeof(ipv6_syn), 0, LINK_IPV6);
}
END_TEST

START_TEST(single_vlan_tag_is_skipped)
{
    expect_ip(T_DLT_EN10MB, eth_vlan_ipv4, sizeof(eth_vlan_ipv4), ipv4_syn, sizeof(ipv4_syn), 0,
              LINK_IPV4);
}
END_TEST

START_TEST(qinq_88a8_then_8100_tags_are_skipped)
{
    expect_ip(T_DLT_EN10MB, eth_qinq_ipv6, sizeof(eth_qinq_ipv6), ipv6_syn, sizeof(ipv6_syn), 0,
              LINK_IPV6);
}
END_TEST

START_TEST(tag_9100_is_skipped)
{
    expect_ip(T_DLT_EN10MB, eth_9100_ipv4, sizeof(eth_9100_ipv4), ipv4_syn, sizeof(ipv4_syn), 0,
              LINK_IPV4);
}
END_TEST

START_TEST(arp_is_not_ip)
{
    expect_skip(T_DLT_EN10MB, eth_arp, sizeof(eth_arp), arp_request, sizeof(arp_request),
                LINK_SKIP_ETHERTYPE);
    ck_assert_str_eq(link_result_name(LINK_SKIP_ETHERTYPE), "not_ip");
}
END_TEST

START_TEST(vlan_tagged_arp_is_not_ip)
{
    expect_skip(T_DLT_EN10MB, eth_vlan_arp, sizeof(eth_vlan_arp), arp_request,
                sizeof(arp_request), LINK_SKIP_ETHERTYPE);
}
END_TEST

START_TEST(ethernet_padding_is_trimmed_to_ipv4_total_length)
{
    /* A 40-byte IPv4 packet padded to Ethernet's 60-byte minimum frame. */
    expect_ip(T_DLT_EN10MB, eth_ipv4, sizeof(eth_ipv4), ipv4_syn, sizeof(ipv4_syn), 6, LINK_IPV4);
}
END_TEST

START_TEST(trailing_bytes_are_trimmed_to_ipv6_payload_length)
{
    expect_ip(T_DLT_EN10MB, eth_ipv6, sizeof(eth_ipv6), ipv6_syn, sizeof(ipv6_syn), 4, LINK_IPV6);
}
END_TEST

START_TEST(ipv4_total_length_zero_is_left_as_captured)
{
    /* Sending-host captures of offloaded segments may say 0: nothing sane to trim to. */
    uint8_t ip[sizeof(ipv4_syn)];
    memcpy(ip, ipv4_syn, sizeof(ip));
    ip[2] = 0x00;
    ip[3] = 0x00;
    struct cursor out;
    ck_assert_int_eq(link_decode(T_DLT_RAW, cur_make(ip, sizeof(ip)), &out), LINK_IPV4);
    ck_assert_uint_eq(cur_len(out), sizeof(ip));
}
END_TEST

START_TEST(capture_shorter_than_total_length_is_left_as_captured)
{
    struct cursor out;
    ck_assert_int_eq(link_decode(T_DLT_RAW, cur_make(ipv4_syn, 30), &out), LINK_IPV4);
    ck_assert_uint_eq(cur_len(out), 30);
    ck_assert_int_eq(link_decode(T_DLT_RAW, cur_make(ipv6_syn, 50), &out), LINK_IPV6);
    ck_assert_uint_eq(cur_len(out), 50);
}
END_TEST

START_TEST(linux_sll_protocol_at_offset_14)
{
    expect_ip(T_DLT_LINUX_SLL, sll_ipv6, sizeof(sll_ipv6), ipv6_syn, sizeof(ipv6_syn), 0,
              LINK_IPV6);
}
END_TEST

START_TEST(linux_sll2_protocol_at_offset_0)
{
    expect_ip(T_DLT_LINUX_SLL2, sll2_ipv4, sizeof(sll2_ipv4), ipv4_syn, sizeof(ipv4_syn), 0,
              LINK_IPV4);
}
END_TEST

START_TEST(raw_12_and_101_decide_by_version_nibble)
{
    expect_ip(T_DLT_RAW, NULL, 0, ipv4_syn, sizeof(ipv4_syn), 0, LINK_IPV4);
    expect_ip(T_DLT_RAW, NULL, 0, ipv6_syn, sizeof(ipv6_syn), 0, LINK_IPV6);
    expect_ip(T_LINKTYPE_RAW, NULL, 0, ipv4_syn, sizeof(ipv4_syn), 0, LINK_IPV4);
    expect_ip(T_LINKTYPE_RAW, NULL, 0, ipv6_syn, sizeof(ipv6_syn), 0, LINK_IPV6);
}
END_TEST

START_TEST(dlt_ipv4_and_ipv6_take_only_their_version)
{
    expect_ip(T_DLT_IPV4, NULL, 0, ipv4_syn, sizeof(ipv4_syn), 0, LINK_IPV4);
    expect_ip(T_DLT_IPV6, NULL, 0, ipv6_syn, sizeof(ipv6_syn), 0, LINK_IPV6);
    expect_skip(T_DLT_IPV4, NULL, 0, ipv6_syn, sizeof(ipv6_syn), LINK_SKIP_BAD_IP);
    expect_skip(T_DLT_IPV6, NULL, 0, ipv4_syn, sizeof(ipv4_syn), LINK_SKIP_BAD_IP);
}
END_TEST

START_TEST(null_family_in_either_byte_order_is_decided_by_ip_version)
{
    expect_ip(T_DLT_NULL, null_host_order_inet, sizeof(null_host_order_inet), ipv4_syn,
              sizeof(ipv4_syn), 0, LINK_IPV4);
    expect_ip(T_DLT_NULL, null_network_order_inet6, sizeof(null_network_order_inet6), ipv6_syn,
              sizeof(ipv6_syn), 0, LINK_IPV6);
}
END_TEST

START_TEST(loop_family_is_decided_by_ip_version)
{
    expect_ip(T_DLT_LOOP, loop_inet6, sizeof(loop_inet6), ipv6_syn, sizeof(ipv6_syn), 0,
              LINK_IPV6);
    expect_ip(T_DLT_LOOP, loop_inet, sizeof(loop_inet), ipv4_syn, sizeof(ipv4_syn), 0, LINK_IPV4);
}
END_TEST

START_TEST(version_nibble_must_match_the_link_protocol)
{
    uint8_t v5[sizeof(ipv4_syn)];
    memcpy(v5, ipv4_syn, sizeof(v5));
    v5[0] = 0x55; /* version 5 */
    expect_skip(T_DLT_EN10MB, eth_ipv4, sizeof(eth_ipv4), ipv6_syn, sizeof(ipv6_syn),
                LINK_SKIP_BAD_IP);
    expect_skip(T_DLT_EN10MB, eth_ipv6, sizeof(eth_ipv6), ipv4_syn, sizeof(ipv4_syn),
                LINK_SKIP_BAD_IP);
    expect_skip(T_DLT_RAW, NULL, 0, v5, sizeof(v5), LINK_SKIP_BAD_IP);
    expect_skip(T_DLT_NULL, null_host_order_inet, sizeof(null_host_order_inet), v5, sizeof(v5),
                LINK_SKIP_BAD_IP);
    ck_assert_str_eq(link_result_name(LINK_SKIP_BAD_IP), "bad_ip_version");
}
END_TEST

START_TEST(unhandled_link_types_are_skipped)
{
    static const int unhandled[] = {T_DLT_PPP, T_DLT_IEEE802_11, 127, -1, 100000};
    for (size_t i = 0; i < sizeof(unhandled) / sizeof(unhandled[0]); i++) {
        ck_assert(!link_type_supported(unhandled[i]));
        expect_skip(unhandled[i], eth_ipv4, sizeof(eth_ipv4), ipv4_syn, sizeof(ipv4_syn),
                    LINK_SKIP_DLT);
    }
    ck_assert_str_eq(link_result_name(LINK_SKIP_DLT), "unsupported_link_type");
}
END_TEST

START_TEST(handled_link_types_are_supported)
{
    static const int handled[] = {T_DLT_NULL, T_DLT_EN10MB, T_DLT_RAW,   T_LINKTYPE_RAW,
                                  T_DLT_LOOP, T_DLT_LINUX_SLL, T_DLT_IPV4, T_DLT_IPV6,
                                  T_DLT_LINUX_SLL2};
    for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
        ck_assert_msg(link_type_supported(handled[i]), "dlt %d", handled[i]);
    }
}
END_TEST

START_TEST(result_names_are_distinct)
{
    for (int a = 0; a < LINK_RESULT_COUNT; a++) {
        ck_assert_ptr_nonnull(link_result_name((enum link_result)a));
        ck_assert_str_ne(link_result_name((enum link_result)a), "unknown");
        for (int b = a + 1; b < LINK_RESULT_COUNT; b++) {
            ck_assert_str_ne(link_result_name((enum link_result)a),
                             link_result_name((enum link_result)b));
        }
    }
    ck_assert_str_eq(link_result_name(LINK_RESULT_COUNT), "unknown");
}
END_TEST

struct valid_frame {
    int dlt;
    const uint8_t *link;
    size_t link_len;
    const uint8_t *ip;
    size_t ip_len;
    enum link_result result;
};

#define VALID(dlt, link, ip, result) {dlt, link, sizeof(link), ip, sizeof(ip), result}
#define VALID_RAW(dlt, ip, result) {dlt, NULL, 0, ip, sizeof(ip), result}

static const struct valid_frame valid_frames[] = {
    VALID(T_DLT_EN10MB, eth_ipv4, ipv4_syn, LINK_IPV4),
    VALID(T_DLT_EN10MB, eth_ipv6, ipv6_syn, LINK_IPV6),
    VALID(T_DLT_EN10MB, eth_vlan_ipv4, ipv4_syn, LINK_IPV4),
    VALID(T_DLT_EN10MB, eth_qinq_ipv6, ipv6_syn, LINK_IPV6),
    VALID(T_DLT_EN10MB, eth_9100_ipv4, ipv4_syn, LINK_IPV4),
    VALID(T_DLT_LINUX_SLL, sll_ipv6, ipv6_syn, LINK_IPV6),
    VALID(T_DLT_LINUX_SLL2, sll2_ipv4, ipv4_syn, LINK_IPV4),
    VALID(T_DLT_NULL, null_host_order_inet, ipv4_syn, LINK_IPV4),
    VALID(T_DLT_NULL, null_network_order_inet6, ipv6_syn, LINK_IPV6),
    VALID(T_DLT_LOOP, loop_inet6, ipv6_syn, LINK_IPV6),
    VALID_RAW(T_DLT_RAW, ipv4_syn, LINK_IPV4),
    VALID_RAW(T_LINKTYPE_RAW, ipv6_syn, LINK_IPV6),
    VALID_RAW(T_DLT_IPV4, ipv4_syn, LINK_IPV4),
    VALID_RAW(T_DLT_IPV6, ipv6_syn, LINK_IPV6),
};

/* Every shortened copy is "truncated" until the fixed IP header is whole, and from then on
 * the IP packet as captured; each sits in a block of its exact size for the sanitizers. */
START_TEST(every_prefix_is_truncated_or_the_captured_ip_part)
{
    for (size_t v = 0; v < sizeof(valid_frames) / sizeof(valid_frames[0]); v++) {
        const struct valid_frame *vf = &valid_frames[v];
        struct frame whole = build(vf->link, vf->link_len, vf->ip, vf->ip_len, 0);
        size_t fixed = vf->result == LINK_IPV4 ? 20 : 40;
        for (size_t n = 0; n < whole.len; n++) {
            uint8_t *copy = malloc(n + 1);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, whole.bytes, n);
            struct cursor out = {NULL, 0};
            enum link_result r = link_decode(vf->dlt, cur_make(copy, n), &out);
            if (n < vf->link_len + fixed) {
                ck_assert_msg(r == LINK_SKIP_TRUNCATED, "frame %zu prefix %zu: %s", v, n,
                              link_result_name(r));
            } else {
                ck_assert_msg(r == vf->result, "frame %zu prefix %zu: %s", v, n,
                              link_result_name(r));
                ck_assert_ptr_eq(cur_data(out), copy + vf->link_len);
                ck_assert_uint_eq(cur_len(out), n - vf->link_len);
            }
            free(copy);
        }
        free(whole.bytes);
    }
}
END_TEST

/* Capture files written by the tests, in the byte order of this host (libpcap reads both). */
struct tmpfile {
    char path[64];
    FILE *fp;
};

static void tmp_create(struct tmpfile *t)
{
    snprintf(t->path, sizeof(t->path), "/tmp/hsdump-test-XXXXXX");
    int fd = mkstemp(t->path);
    ck_assert_int_ge(fd, 0);
    t->fp = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(t->fp);
}

static void tmp_write(struct tmpfile *t, const void *p, size_t n)
{
    ck_assert_uint_eq(fwrite(p, 1, n, t->fp), n);
}

static void tmp_close(struct tmpfile *t)
{
    ck_assert_int_eq(fclose(t->fp), 0);
}

static void pcap_file_header(struct tmpfile *t, uint32_t magic, uint32_t linktype)
{
    uint32_t magic_field = magic;
    uint16_t version[2] = {2, 4};
    uint32_t rest[4] = {0, 0, 65535, linktype}; /* thiszone, sigfigs, snaplen, linktype */
    tmp_write(t, &magic_field, 4);
    tmp_write(t, version, sizeof(version));
    tmp_write(t, rest, sizeof(rest));
}

static void pcap_record(struct tmpfile *t, uint32_t sec, uint32_t frac, const uint8_t *data,
                        uint32_t caplen, uint32_t wire_len)
{
    uint32_t h[4] = {sec, frac, caplen, wire_len};
    tmp_write(t, h, sizeof(h));
    tmp_write(t, data, caplen);
}

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define MAX_SEEN 8

struct seen {
    size_t n;
    struct capture_frame frames[MAX_SEEN];
    uint8_t first_bytes[MAX_SEEN];
    size_t caplens[MAX_SEEN];
    bool break_after_first;
};

static void remember(void *ctx, const struct capture_frame *frame)
{
    struct seen *s = ctx;
    ck_assert_uint_lt(s->n, MAX_SEEN);
    s->frames[s->n] = *frame;
    ck_assert(cur_peek_u8(frame->data, 0, &s->first_bytes[s->n]));
    s->caplens[s->n] = cur_len(frame->data);
    s->frames[s->n].data = cur_make(NULL, 0); /* its bytes are only valid during the call */
    s->n++;
    if (s->break_after_first) {
        capture_break();
    }
}

/* An Ethernet file: an IPv4 SYN at 1.000002, then the IPv6 SYN cut to 30 of its bytes. */
static void write_two_frames(struct tmpfile *t, uint32_t magic, uint32_t frac)
{
    uint8_t f1[sizeof(eth_ipv4) + sizeof(ipv4_syn)];
    uint8_t f2[sizeof(eth_ipv6) + sizeof(ipv6_syn)];
    memcpy(f1, eth_ipv4, sizeof(eth_ipv4));
    memcpy(f1 + sizeof(eth_ipv4), ipv4_syn, sizeof(ipv4_syn));
    memcpy(f2, eth_ipv6, sizeof(eth_ipv6));
    memcpy(f2 + sizeof(eth_ipv6), ipv6_syn, sizeof(ipv6_syn));
    tmp_create(t);
    pcap_file_header(t, magic, T_DLT_EN10MB);
    pcap_record(t, 1, frac, f1, sizeof(f1), sizeof(f1));
    pcap_record(t, 2, 0, f2, 30, sizeof(f2));
}

START_TEST(missing_file_error_names_file_and_reason)
{
    char err[256] = "";
    struct capture *c = capture_open_file("/nonexistent-hsdump/x.pcap", err, sizeof(err));
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err, "/nonexistent-hsdump/x.pcap: No such file or directory");
}
END_TEST

START_TEST(short_junk_file_error_names_file_and_reason)
{
    struct tmpfile t;
    char err[256] = "";
    char want[256];
    tmp_create(&t);
    tmp_write(&t, "abc", 3);
    tmp_close(&t);
    ck_assert_ptr_null(capture_open_file(t.path, err, sizeof(err)));
    snprintf(want, sizeof(want),
             "%s: truncated dump file; tried to read 4 file header bytes, only got 3", t.path);
    ck_assert_str_eq(err, want);
    unlink(t.path);
}
END_TEST

START_TEST(text_file_is_unknown_format)
{
    struct tmpfile t;
    char err[256] = "";
    char want[256];
    tmp_create(&t);
    for (int i = 0; i < 10; i++) {
        tmp_write(&t, "this is not a capture\n", 22);
    }
    tmp_close(&t);
    ck_assert_ptr_null(capture_open_file(t.path, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: unknown file format", t.path);
    ck_assert_str_eq(err, want);
    unlink(t.path);
}
END_TEST

START_TEST(file_frames_carry_time_link_type_and_lengths)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    write_two_frames(&t, PCAP_MAGIC_USEC, 2);
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert(!capture_is_live(c));
    ck_assert_int_eq(capture_datalink(c), T_DLT_EN10MB);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_int_eq(s.frames[0].ts.tv_sec, 1);
    ck_assert_int_eq(s.frames[0].ts.tv_usec, 2);
    ck_assert_int_eq(s.frames[0].dlt, T_DLT_EN10MB);
    ck_assert_uint_eq(s.caplens[0], sizeof(eth_ipv4) + sizeof(ipv4_syn));
    ck_assert_uint_eq(s.frames[0].wire_len, sizeof(eth_ipv4) + sizeof(ipv4_syn));
    ck_assert_uint_eq(s.first_bytes[0], eth_ipv4[0]);
    ck_assert_uint_eq(s.caplens[1], 30);
    ck_assert_uint_eq(s.frames[1].wire_len, sizeof(eth_ipv6) + sizeof(ipv6_syn));
    struct capture_counters k;
    ck_assert(!capture_stats(c, &k));
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(nanosecond_file_is_read_in_microseconds)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    write_two_frames(&t, PCAP_MAGIC_NSEC, 123456789);
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_int_eq(s.frames[0].ts.tv_sec, 1);
    ck_assert_int_eq(s.frames[0].ts.tv_usec, 123456);
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(file_cut_mid_packet_is_truncated_after_earlier_frames)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    write_two_frames(&t, PCAP_MAGIC_USEC, 0);
    uint32_t h[4] = {3, 0, 100, 100}; /* a record header promising 100 bytes... */
    tmp_write(&t, h, sizeof(h));
    tmp_write(&t, ipv4_syn, 10); /* ...of which 10 were written */
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_TRUNCATED);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_str_eq(err, "truncated dump file; tried to read 100 captured bytes, only got 10");
    capture_close(c);
    unlink(t.path);
}
END_TEST

/* pcapng blocks (pcapng spec sections 4.1, 4.2, 4.3), host byte order. */
static void pcapng_shb(struct tmpfile *t)
{
    uint32_t head[3] = {0x0a0d0d0a, 28, 0x1a2b3c4d}; /* type, length, byte-order magic */
    uint16_t version[2] = {1, 0};
    int64_t section_length = -1; /* not given */
    uint32_t tail = 28;
    tmp_write(t, head, sizeof(head));
    tmp_write(t, version, sizeof(version));
    tmp_write(t, &section_length, sizeof(section_length));
    tmp_write(t, &tail, sizeof(tail));
}

static void pcapng_idb(struct tmpfile *t, uint16_t linktype)
{
    uint32_t head[2] = {1, 20}; /* type, length */
    uint16_t type_reserved[2] = {linktype, 0};
    uint32_t snaplen_tail[2] = {65535, 20};
    tmp_write(t, head, sizeof(head));
    tmp_write(t, type_reserved, sizeof(type_reserved));
    tmp_write(t, snaplen_tail, sizeof(snaplen_tail));
}

static void pcapng_epb(struct tmpfile *t, uint32_t interface, const uint8_t *data, uint32_t len)
{
    uint32_t padded = (len + 3) & ~3u;
    uint32_t total = 32 + padded;
    /* type, length, interface, timestamp high and low (microseconds), captured, original */
    uint32_t head[7] = {6, total, interface, 0, 5000000, len, len};
    static const uint8_t zeros[3] = {0, 0, 0};
    tmp_write(t, head, sizeof(head));
    tmp_write(t, data, len);
    tmp_write(t, zeros, padded - len);
    tmp_write(t, &total, sizeof(total));
}

START_TEST(pcapng_file_is_read)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    tmp_create(&t);
    pcapng_shb(&t);
    pcapng_idb(&t, T_DLT_RAW);
    pcapng_epb(&t, 0, ipv6_syn, sizeof(ipv6_syn));
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.frames[0].ts.tv_sec, 5);
    ck_assert_uint_eq(s.caplens[0], sizeof(ipv6_syn));
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(pcapng_cut_mid_block_is_truncated)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    tmp_create(&t);
    pcapng_shb(&t);
    pcapng_idb(&t, T_DLT_RAW);
    pcapng_epb(&t, 0, ipv6_syn, sizeof(ipv6_syn));
    uint32_t head[3] = {6, 92, 0}; /* an enhanced packet block of 92 bytes, cut after 12 */
    tmp_write(&t, head, sizeof(head));
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_TRUNCATED);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_str_eq(err, "truncated pcapng dump file; tried to read 84 bytes, only got 4");
    capture_close(c);
    unlink(t.path);
}
END_TEST

/* libpcap refuses this file ("an interface has a type 113 different from the type of the
 * first interface"); src/capture/pcapng.c reads it, each frame with its interface's type. */
START_TEST(pcapng_with_two_link_types_gives_each_frame_its_own)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    tmp_create(&t);
    pcapng_shb(&t);
    pcapng_idb(&t, T_DLT_EN10MB);
    pcapng_idb(&t, T_DLT_LINUX_SLL);
    pcapng_epb(&t, 1, ipv6_syn, sizeof(ipv6_syn));
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.frames[0].dlt, T_DLT_LINUX_SLL);
    ck_assert_int_eq(s.frames[0].ts.tv_sec, 5);
    ck_assert_uint_eq(s.caplens[0], sizeof(ipv6_syn));
    ck_assert_ptr_null(capture_warning(c));
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(filter_selects_frames_and_bad_filter_is_reported)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    write_two_frames(&t, PCAP_MAGIC_USEC, 0);
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert(!capture_set_filter(c, "tcp port", err, sizeof(err)));
    ck_assert_str_eq(err, "filter: can't parse filter expression: syntax error");
    ck_assert(capture_set_filter(c, NULL, err, sizeof(err)));
    ck_assert(capture_set_filter(c, "", err, sizeof(err)));
    ck_assert_msg(capture_set_filter(c, "ip6", err, sizeof(err)), "%s", err);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.frames[0].ts.tv_sec, 2);
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(break_from_callback_stops_the_run)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    write_two_frames(&t, PCAP_MAGIC_USEC, 0);
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    s.break_after_first = true;
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_STOPPED);
    ck_assert_uint_eq(s.n, 1);
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(break_between_runs_stops_the_next_run_once)
{
    struct tmpfile t;
    struct seen s = {0};
    char err[256] = "";
    write_two_frames(&t, PCAP_MAGIC_USEC, 0);
    tmp_close(&t);
    struct capture *c = capture_open_file(t.path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    capture_break();
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_STOPPED);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_int_eq(capture_run(c, remember, &s, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(s.n, 2);
    capture_close(c);
    unlink(t.path);
}
END_TEST

START_TEST(missing_interface_error_names_it)
{
    char err[256] = "";
    struct capture_live_opts o = {0, false, 0, false};
    struct capture *c = capture_open_live("nosuchdev0", &o, err, sizeof(err));
    ck_assert_ptr_null(c);
    /* Unprivileged, the socket fails before the device is looked up. */
    if (geteuid() == 0) {
        ck_assert_str_eq(err, "nosuchdev0: No such device exists");
    } else {
        ck_assert_msg(strncmp(err, "nosuchdev0: ", 12) == 0, "%s", err);
    }
}
END_TEST

START_TEST(link_type_names_come_from_libpcap_or_number)
{
    ck_assert_str_eq(capture_datalink_name(T_DLT_EN10MB), "EN10MB");
    ck_assert_str_eq(capture_datalink_name(T_DLT_LINUX_SLL2), "LINUX_SLL2");
    ck_assert_str_eq(capture_datalink_name(99999), "DLT_99999");
}
END_TEST

START_TEST(raw_dummy_handle_opens_and_closes)
{
    struct pcap *p = capture_open_raw_dummy();
    ck_assert_ptr_nonnull(p);
    capture_close_raw_dummy(p);
    capture_close_raw_dummy(NULL);
    capture_close(NULL);
}
END_TEST

Suite *suite_linklayer(void)
{
    Suite *s = suite_create("linklayer");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, ethernet_ipv4_follows_14_byte_header);
    tcase_add_test(tc, ethernet_ipv6_follows_14_byte_header);
    tcase_add_test(tc, single_vlan_tag_is_skipped);
    tcase_add_test(tc, qinq_88a8_then_8100_tags_are_skipped);
    tcase_add_test(tc, tag_9100_is_skipped);
    tcase_add_test(tc, arp_is_not_ip);
    tcase_add_test(tc, vlan_tagged_arp_is_not_ip);
    tcase_add_test(tc, ethernet_padding_is_trimmed_to_ipv4_total_length);
    tcase_add_test(tc, trailing_bytes_are_trimmed_to_ipv6_payload_length);
    tcase_add_test(tc, ipv4_total_length_zero_is_left_as_captured);
    tcase_add_test(tc, capture_shorter_than_total_length_is_left_as_captured);
    tcase_add_test(tc, linux_sll_protocol_at_offset_14);
    tcase_add_test(tc, linux_sll2_protocol_at_offset_0);
    tcase_add_test(tc, raw_12_and_101_decide_by_version_nibble);
    tcase_add_test(tc, dlt_ipv4_and_ipv6_take_only_their_version);
    tcase_add_test(tc, null_family_in_either_byte_order_is_decided_by_ip_version);
    tcase_add_test(tc, loop_family_is_decided_by_ip_version);
    tcase_add_test(tc, version_nibble_must_match_the_link_protocol);
    tcase_add_test(tc, unhandled_link_types_are_skipped);
    tcase_add_test(tc, handled_link_types_are_supported);
    tcase_add_test(tc, result_names_are_distinct);
    tcase_add_test(tc, every_prefix_is_truncated_or_the_captured_ip_part);
    suite_add_tcase(s, tc);

    TCase *cap = tcase_create("capture");
    tcase_add_test(cap, missing_file_error_names_file_and_reason);
    tcase_add_test(cap, short_junk_file_error_names_file_and_reason);
    tcase_add_test(cap, text_file_is_unknown_format);
    tcase_add_test(cap, file_frames_carry_time_link_type_and_lengths);
    tcase_add_test(cap, nanosecond_file_is_read_in_microseconds);
    tcase_add_test(cap, file_cut_mid_packet_is_truncated_after_earlier_frames);
    tcase_add_test(cap, pcapng_file_is_read);
    tcase_add_test(cap, pcapng_cut_mid_block_is_truncated);
    tcase_add_test(cap, pcapng_with_two_link_types_gives_each_frame_its_own);
    tcase_add_test(cap, filter_selects_frames_and_bad_filter_is_reported);
    tcase_add_test(cap, break_from_callback_stops_the_run);
    tcase_add_test(cap, break_between_runs_stops_the_next_run_once);
    tcase_add_test(cap, missing_interface_error_names_it);
    tcase_add_test(cap, link_type_names_come_from_libpcap_or_number);
    tcase_add_test(cap, raw_dummy_handle_opens_and_closes);
    suite_add_tcase(s, cap);
    return s;
}
