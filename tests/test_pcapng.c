/* Tests for src/capture/pcapng.c: the mixed-link-type capture read from every prefix of its
 * bytes, and hand-built blocks (draft-ietf-opsawg-pcapng sections 4.1 to 4.4, appendix A) for
 * what no Debian tool writes: a big-endian section, a binary if_tsresol with if_tsoffset,
 * Simple and obsolete Packet Blocks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng.h"
#include "pcapng_build.h"
#include "suites.h"

/* Section 4.2, with if_tsresol (9) when tsresol >= 0 and if_tsoffset (14) when offset != 0. */
static void interface(struct built *x, uint16_t linktype, uint32_t snaplen, int tsresol,
                      uint64_t offset)
{
    size_t at = block_begin(x, BT_IDB);
    put(x, linktype, 2);
    put(x, 0, 2);
    put(x, snaplen, 4);
    if (tsresol >= 0) {
        put(x, 9, 2);
        put(x, 1, 2);
        x->b[x->n++] = (uint8_t)tsresol;
        put_padded(x, "", 0);
    }
    if (offset != 0) {
        put(x, 14, 2);
        put(x, 8, 2);
        put(x, x->le ? (uint32_t)offset : (uint32_t)(offset >> 32), 4);
        put(x, x->le ? (uint32_t)(offset >> 32) : (uint32_t)offset, 4);
    }
    put(x, 0, 2); /* opt_endofopt */
    put(x, 0, 2);
    block_end(x, at);
}

/* Section 4.3. */
static void enhanced(struct built *x, uint32_t id, uint64_t ts, const char *data, uint32_t len)
{
    size_t at = block_begin(x, BT_EPB);
    put(x, id, 4);
    put(x, (uint32_t)(ts >> 32), 4);
    put(x, (uint32_t)ts, 4);
    put(x, (uint32_t)strlen(data), 4);
    put(x, len, 4);
    put_padded(x, data, strlen(data));
    block_end(x, at);
}

struct read_all {
    size_t frames;
    struct pcapng_frame f[8];
    uint8_t first[8];
    enum pcapng_status end;
    struct pcapng_counters counters;
};

static void read_all(const uint8_t *bytes, size_t n, struct read_all *r)
{
    memset(r, 0, sizeof(*r));
    FILE *fp = fmemopen((void *)bytes, n, "rb");
    ck_assert_ptr_nonnull(fp);
    struct pcapng_reader *rd = pcapng_open(fp);
    ck_assert_ptr_nonnull(rd);
    struct pcapng_frame f;
    while ((r->end = pcapng_next(rd, &f)) == PCAPNG_FRAME) {
        if (r->frames < 8) {
            r->f[r->frames] = f;
            ck_assert(cur_peek_u8(f.data, 0, &r->first[r->frames]) || cur_len(f.data) == 0);
            r->f[r->frames].data.p = NULL; /* not valid after the next call */
        }
        r->frames++;
    }
    r->counters = *pcapng_counters(rd);
    pcapng_close(rd);
    fclose(fp);
}

static uint8_t *load(const char *name, size_t *len)
{
    char path[4096];
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    snprintf(path, sizeof(path), "%s/pcaps/%s", srcdir, name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "%s", path);
    uint8_t *buf = malloc(1 << 16);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, 1 << 16, fp);
    fclose(fp);
    ck_assert_uint_gt(*len, 0);
    ck_assert_uint_lt(*len, 1 << 16);
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Every prefix of the mergecap file: ends cleanly exactly at block boundaries, else as a cut
 * file, with the packets of the whole blocks before the cut and no other. */
START_TEST(every_prefix_of_the_mixed_capture)
{
    size_t len;
    uint8_t *buf = load("mixed-link-types.pcapng", &len);
    struct read_all whole;
    read_all(buf, len, &whole);
    ck_assert_int_eq(whole.end, PCAPNG_END);
    ck_assert_uint_eq(whole.frames, 38);
    ck_assert_uint_eq(whole.counters.bad_blocks + whole.counters.bad_interface, 0);
    size_t boundary = 0;
    size_t epbs_before = 0; /* Enhanced Packet Blocks wholly inside the prefix */
    for (size_t n = 1; n < len; n++) {
        while (boundary + 8 <= len && boundary + le32(buf + boundary + 4) <= n) {
            epbs_before += le32(buf + boundary) == BT_EPB;
            boundary += le32(buf + boundary + 4);
        }
        struct read_all r;
        read_all(buf, n, &r);
        ck_assert_msg(r.end == (boundary == n ? PCAPNG_END : PCAPNG_TRUNCATED), "prefix %zu", n);
        ck_assert_msg(r.frames == epbs_before, "prefix %zu: %zu frames, %zu blocks", n,
                      r.frames, epbs_before);
    }
    free(buf);
}
END_TEST

/* Each frame with its interface's link type: interface 0 is LINUX_SLL2, 1 Ethernet. */
START_TEST(frames_carry_their_interface_link_type)
{
    size_t len;
    uint8_t *buf = load("mixed-link-types.pcapng", &len);
    FILE *fp = fmemopen(buf, len, "rb");
    struct pcapng_reader *rd = pcapng_open(fp);
    struct pcapng_frame f;
    size_t per_dlt[2] = {0, 0};
    while (pcapng_next(rd, &f) == PCAPNG_FRAME) {
        ck_assert(f.dlt == 276 || f.dlt == 1);
        per_dlt[f.dlt == 1]++;
        ck_assert_uint_eq(cur_len(f.data), f.wire_len); /* full snaplen */
    }
    ck_assert_uint_eq(per_dlt[0], 19);
    ck_assert_uint_eq(per_dlt[1], 19);
    pcapng_close(rd);
    fclose(fp);
    free(buf);
}
END_TEST

/* The scan stops at the first packet and sees both link types. */
START_TEST(scan_sees_both_link_types)
{
    size_t len;
    uint8_t *buf = load("mixed-link-types.pcapng", &len);
    FILE *fp = fmemopen(buf, len, "rb");
    uint8_t *consumed;
    size_t consumed_len;
    int dlts[4];
    size_t n_dlts;
    ck_assert(pcapng_scan(fp, &consumed, &consumed_len, dlts, 4, &n_dlts));
    ck_assert_uint_eq(n_dlts, 2);
    ck_assert_int_eq(dlts[0], 276);
    ck_assert_int_eq(dlts[1], 1);
    /* SHB, two IDBs, then the first EPB's type and length */
    size_t first_epb = le32(buf + 4);
    first_epb += le32(buf + first_epb + 4);
    first_epb += le32(buf + first_epb + 4);
    ck_assert_uint_eq(le32(buf + first_epb), BT_EPB);
    ck_assert_uint_eq(consumed_len, first_epb + 8);
    ck_assert_int_eq(memcmp(consumed, buf, consumed_len), 0);
    free(consumed);
    fclose(fp);
    free(buf);
}
END_TEST

/* A big-endian section; if_tsresol 0x8a is 2^-10 s, if_tsoffset 100 s (section 4.2);
 * LINKTYPE_RAW (101) is DLT_RAW (12) as libpcap says. Then a Simple Packet Block (4.4): no
 * timestamp, cut to interface 0's snaplen; and an obsolete Packet Block (appendix A). */
START_TEST(big_endian_binary_resolution_simple_and_obsolete_blocks)
{
    struct built x;
    built_init(&x, false, 1024);
    section(&x);
    interface(&x, 101, 4, 0x8a, 100);
    enhanced(&x, 0, 5 * 1024 + 512, "abc", 10);
    size_t at = block_begin(&x, BT_SPB);
    put(&x, 6, 4);
    put_padded(&x, "zyxwvu", 6);
    block_end(&x, at);
    at = block_begin(&x, BT_OPB);
    put(&x, 0, 2);
    put(&x, 0, 2);
    put(&x, 0, 4);
    put(&x, 1024 + 256, 4);
    put(&x, 2, 4);
    put(&x, 7, 4);
    put_padded(&x, "op", 2);
    block_end(&x, at);

    struct read_all r;
    read_all(x.b, x.n, &r);
    ck_assert_int_eq(r.end, PCAPNG_END);
    ck_assert_uint_eq(r.frames, 3);
    ck_assert_int_eq(r.f[0].dlt, 12);
    ck_assert_int_eq(r.f[0].ts.tv_sec, 105);
    ck_assert_int_eq(r.f[0].ts.tv_usec, 500000);
    ck_assert_uint_eq(r.f[0].wire_len, 10);
    ck_assert_uint_eq(r.f[0].data.len, 3);
    ck_assert_uint_eq(r.first[0], 'a');
    ck_assert_int_eq(r.f[1].ts.tv_sec, 0);
    ck_assert_uint_eq(r.f[1].wire_len, 6);
    ck_assert_uint_eq(r.f[1].data.len, 4); /* snaplen 4 */
    ck_assert_uint_eq(r.first[1], 'z');
    ck_assert_int_eq(r.f[2].ts.tv_sec, 101);
    ck_assert_int_eq(r.f[2].ts.tv_usec, 250000);
    ck_assert_uint_eq(r.f[2].data.len, 2);
    ck_assert_uint_eq(r.f[2].wire_len, 7);
    built_free(&x);
}
END_TEST

/* A new section forgets the interfaces of the last (section 4.1); 10^-20 does not fit 64
 * bits: that interface's packets are skipped, counted once at its IDB. */
START_TEST(counted_not_fatal)
{
    struct built x;
    built_init(&x, true, 1024);
    section(&x);
    interface(&x, 1, 0, -1, 0);
    section(&x);
    enhanced(&x, 0, 1, "a", 1);  /* no interface in this section */
    interface(&x, 1, 0, 20, 0);
    enhanced(&x, 0, 1, "b", 1);  /* unusable resolution */
    interface(&x, 113, 0, 3, 0); /* milliseconds */
    enhanced(&x, 1, 1234, "c", 1);
    struct read_all r;
    read_all(x.b, x.n, &r);
    ck_assert_int_eq(r.end, PCAPNG_END);
    ck_assert_uint_eq(r.frames, 1);
    ck_assert_int_eq(r.f[0].dlt, 113);
    ck_assert_int_eq(r.f[0].ts.tv_sec, 1);
    ck_assert_int_eq(r.f[0].ts.tv_usec, 234000);
    ck_assert_uint_eq(r.counters.bad_interface, 1);
    ck_assert_uint_eq(r.counters.bad_timestamp, 1);
    ck_assert_uint_eq(r.counters.bad_blocks, 0);
    built_free(&x);
}
END_TEST

/* Lengths that lie: a packet longer than its block is counted; a block length past the file
 * or not a multiple of 4 ends it. */
START_TEST(lying_lengths)
{
    struct built x;
    built_init(&x, true, 1024);
    section(&x);
    interface(&x, 1, 0, -1, 0);
    size_t at = x.n;
    enhanced(&x, 0, 1, "abcd", 4);
    put_at(&x, at + 20, 1000, 4); /* captured length 1000 in a 36-byte block */
    enhanced(&x, 0, 2, "e", 1);
    struct read_all r;
    read_all(x.b, x.n, &r);
    ck_assert_int_eq(r.end, PCAPNG_END);
    ck_assert_uint_eq(r.frames, 1);
    ck_assert_uint_eq(r.first[0], 'e');
    ck_assert_uint_eq(r.counters.bad_blocks, 1);

    /* A section header whose two lengths differ: its section is skipped, counted once. */
    struct built y;
    built_init(&y, true, 1024);
    section(&y);
    interface(&y, 1, 0, -1, 0);
    section(&y);
    put_at(&y, y.n - 4, 99, 4);
    interface(&y, 1, 0, -1, 0);
    enhanced(&y, 0, 1, "f", 1);
    section(&y);
    interface(&y, 1, 0, -1, 0);
    enhanced(&y, 0, 1, "g", 1);
    read_all(y.b, y.n, &r);
    ck_assert_int_eq(r.end, PCAPNG_END);
    ck_assert_uint_eq(r.frames, 1);
    ck_assert_uint_eq(r.first[0], 'g');
    ck_assert_uint_eq(r.counters.bad_blocks, 1);

    put_at(&x, at + 4, 38, 4); /* not a multiple of 4 */
    read_all(x.b, x.n, &r);
    ck_assert_int_eq(r.end, PCAPNG_TRUNCATED);
    ck_assert_uint_eq(r.frames, 0);
    built_free(&x);
    built_free(&y);
}
END_TEST

Suite *suite_pcapng(void)
{
    Suite *s = suite_create("pcapng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_prefix_of_the_mixed_capture);
    tcase_add_test(tc, frames_carry_their_interface_link_type);
    tcase_add_test(tc, scan_sees_both_link_types);
    tcase_add_test(tc, big_endian_binary_resolution_simple_and_obsolete_blocks);
    tcase_add_test(tc, counted_not_fatal);
    tcase_add_test(tc, lying_lengths);
    suite_add_tcase(s, tc);
    return s;
}
