/* Tests for src/udp/gtpu.c: G-PDUs with and without optional fields and extension headers
 * (3GPP TS 29.281 5.1, 5.2), every shorter copy, and what is not a G-PDU carrying IP. */
#include <check.h>
#include <string.h>

#include "suites.h"
#include "udp/gtpu.h"

/* The first 20 bytes of an IPv4 header: what the inner packet starts with. */
#define INNER_IPV4 0x45, 0x00, 0x00, 0x14, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 45, 0, 2, 192, 0, 2, 7

/* 5.1: flags 0x30 (version 1, PT 1, no E, S, PN), G-PDU, length 20, TEID 0x00000001. */
static const uint8_t plain[] = {
    0x30, 0xff, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, INNER_IPV4,
};
/* S set: sequence number 7, N-PDU number 0, next extension header type 0 (none). */
static const uint8_t with_sequence[] = {
    0x32, 0xff, 0x00, 0x18, 0x00, 0x00, 0x00, 0x02, /* length 24: 4 optional + 20 */
    0x00, 0x07, 0x00, 0x00, INNER_IPV4,
};
/* E set: one PDU Session Container (type 0x85, 5.2.2.7): length 1 (4 octets), PDU type 1
 * (UL), QFI 9, next type 0; then a second, made-up type 0x40 of 2 units before the T-PDU. */
static const uint8_t with_extensions[] = {
    0x34, 0xff, 0x00, 0x24, 0xde, 0xad, 0xbe, 0xef, /* length 36: 4 + 4 + 8 + 20 */
    0x00, 0x00, 0x00, 0x85,                         /* sequence, N-PDU, next: 0x85 */
    0x01, 0x10, 0x09, 0x40,                         /* 1 unit, next: 0x40 */
    0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, /* 2 units, next: none */
    INNER_IPV4,
};

static const struct {
    const uint8_t *bytes;
    size_t len;
    uint32_t teid;
} valid[] = {
    {plain, sizeof(plain), 1},
    {with_sequence, sizeof(with_sequence), 2},
    {with_extensions, sizeof(with_extensions), 0xdeadbeef},
};
#define VALID (sizeof(valid) / sizeof(valid[0]))

START_TEST(g_pdu_gives_teid_and_inner_packet)
{
    uint32_t teid = 0;
    struct cursor inner;
    ck_assert(gtpu_decode(cur_make(valid[_i].bytes, valid[_i].len), &teid, &inner));
    ck_assert_uint_eq(teid, valid[_i].teid);
    static const uint8_t ipv4[] = {INNER_IPV4};
    ck_assert(cur_equal(inner, ipv4, sizeof(ipv4)));
}
END_TEST

/* A capture cut short: no G-PDU before the inner packet's first byte, then the inner packet
 * as far as it goes (the IP layer reports the cut). */
START_TEST(every_shorter_copy_is_refused_or_cut)
{
    size_t header = valid[_i].len - 20;
    for (size_t n = 0; n < valid[_i].len; n++) {
        uint32_t teid;
        struct cursor inner;
        bool got = gtpu_decode(cur_make(valid[_i].bytes, n), &teid, &inner);
        ck_assert_msg(got == (n > header), "%zu of %zu bytes", n, valid[_i].len);
        if (got) {
            ck_assert_uint_eq(cur_len(inner), n - header);
        }
    }
}
END_TEST

static bool decodes_changed(size_t at, uint8_t value)
{
    uint8_t copy[sizeof(with_extensions)];
    memcpy(copy, with_extensions, sizeof(copy));
    copy[at] = value;
    uint32_t teid;
    struct cursor inner;
    return gtpu_decode(cur_make(copy, sizeof(copy)), &teid, &inner);
}

START_TEST(other_messages_and_broken_headers_are_refused)
{
    ck_assert(decodes_changed(0, 0x34)); /* the vector itself */
    ck_assert(!decodes_changed(0, 0x54)); /* version 2 (GTPv2-C) */
    ck_assert(!decodes_changed(0, 0x24)); /* PT 0: GTP' */
    ck_assert(!decodes_changed(1, 0x01)); /* Echo Request */
    ck_assert(!decodes_changed(1, 0xfe)); /* End Marker */
    ck_assert(!decodes_changed(12, 0x00)); /* an extension header of length 0 */
    ck_assert(!decodes_changed(16, 0x09)); /* an extension header past the message */
    ck_assert(!decodes_changed(24, 0x55)); /* the T-PDU is not IPv4 or IPv6 */
    ck_assert(decodes_changed(24, 0x60)); /* IPv6 */
    /* the length ends inside the extension headers */
    ck_assert(!decodes_changed(3, 0x0a));
}
END_TEST

Suite *suite_gtpu(void)
{
    Suite *s = suite_create("gtpu");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, g_pdu_gives_teid_and_inner_packet, 0, VALID);
    tcase_add_loop_test(tc, every_shorter_copy_is_refused_or_cut, 0, VALID);
    tcase_add_test(tc, other_messages_and_broken_headers_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
