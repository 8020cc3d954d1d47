/* Tests for src/capture/pcapng_dsb.c and src/capture/secrets.c: the user's secrets into the
 * table.
 *
 * Decryption Secrets Blocks are built by hand after draft-ietf-opsawg-pcapng section 4.7:
 *   Block Type 0x0000000A, Block Total Length, Secrets Type, Secrets Length, Secret Data
 *   padded to 32 bits, options, Block Total Length
 * in both byte orders, split at every byte, cut short, with lengths that disagree, longer
 * than any block read, of a type other than TLS key log text, and after packets in a file
 * read by libpcap and by pcapng.c. Key log files grow while they are followed (a line split
 * across two writes is joined), shrink (rewritten), and carry more bad lines than are shown;
 * a secrets block's bad line names its capture, offset and line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/pcapng_dsb.h"
#include "capture/secrets.h"
#include "crypto/keylog.h"
#include "suites.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_EPB 6u
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_LINUX_SLL 113

#define R1 "5a363f187f923dc7e0a626806efd960af030ded305e381e317a6db1a7ae96a39"
#define R2 "bc29406c5d80e3a6c7b86129c6bc4bdc8a6aa3e8ce8a95db930429134c388048"
#define R3 "844fe7251e6800ca0165f62162b00d975efc3a995ead297be7c86792442ea6b7"
#define S32 "4e128877837e20aa1b74ad65d165c552bd1f97f1982d9e36451c6a7039d8d5a9"
#define S48                                                                                        \
    "066128bb115c2da0cdcdb0de026105c6285a1fe17ce92b78d5beabb61123b1efc4353bae8f28f8913ac1a44721ac" \
    "1462"
#define LINE1 "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n"
#define LINE2 "CLIENT_RANDOM " R2 " " S48 "\n"
#define LINE3 "SERVER_TRAFFIC_SECRET_0 " R3 " " S48 "\n"

/* Bytes of a hand-built stream, in the byte order of its section. */
struct built {
    uint8_t *b;
    size_t n;
    size_t cap;
    bool le;
};

static void built_init(struct built *x, bool le)
{
    x->cap = 1 << 20;
    x->b = calloc(1, x->cap);
    ck_assert_ptr_nonnull(x->b);
    x->n = 0;
    x->le = le;
}

static void put_at(struct built *x, size_t at, uint32_t v, size_t width)
{
    for (size_t i = 0; i < width; i++) {
        size_t shift = x->le ? 8 * i : 8 * (width - 1 - i);
        x->b[at + i] = (uint8_t)(v >> shift);
    }
}

static void put(struct built *x, uint32_t v, size_t width)
{
    ck_assert_uint_le(x->n + width, x->cap);
    put_at(x, x->n, v, width);
    x->n += width;
}

/* Bytes then zeros up to 32 bits (section 3.5's and 4.7's padding). */
static void put_padded(struct built *x, const void *data, size_t n)
{
    ck_assert_uint_le(x->n + n + 3, x->cap);
    memcpy(x->b + x->n, data, n);
    x->n += n;
    while (x->n % 4 != 0) {
        x->b[x->n++] = 0;
    }
}

static size_t block_begin(struct built *x, uint32_t type)
{
    size_t at = x->n;
    put(x, type, 4);
    put(x, 0, 4);
    return at;
}

/* Block Total Length, at both ends (section 3.1). */
static void block_end(struct built *x, size_t at)
{
    uint32_t len = (uint32_t)(x->n - at + 4);
    put(x, len, 4);
    put_at(x, at + 4, len, 4);
}

/* Section 4.1: magic, version 1.0, section length -1 (unknown), no options. */
static void section(struct built *x)
{
    size_t at = block_begin(x, BT_SHB);
    put(x, 0x1A2B3C4D, 4);
    put(x, 1, 2);
    put(x, 0, 2);
    put(x, 0xffffffff, 4);
    put(x, 0xffffffff, 4);
    block_end(x, at);
}

/* Section 4.2: link type, reserved, snaplen, no options (microsecond timestamps). */
static void interface(struct built *x, uint16_t linktype)
{
    size_t at = block_begin(x, BT_IDB);
    put(x, linktype, 2);
    put(x, 0, 2);
    put(x, 262144, 4);
    block_end(x, at);
}

/* Section 4.3: a frame of len bytes of 0xee on interface id. */
static void packet(struct built *x, uint32_t id, uint32_t len)
{
    size_t at = block_begin(x, BT_EPB);
    put(x, id, 4);
    put(x, 0, 4);
    put(x, 1000000, 4);
    put(x, len, 4);
    put(x, len, 4);
    ck_assert_uint_le(x->n + len + 3, x->cap);
    memset(x->b + x->n, 0xee, len);
    x->n += len;
    while (x->n % 4 != 0) {
        x->b[x->n++] = 0;
    }
    block_end(x, at);
}

/* Section 4.7, with an opt_comment (section 3.5, code 1) when comment is not NULL. Returns
 * the block's offset. */
static size_t secrets_block(struct built *x, uint32_t type, const char *text, const char *comment)
{
    size_t at = block_begin(x, PCAPNG_DSB_BLOCK_TYPE);
    put(x, type, 4);
    put(x, (uint32_t)strlen(text), 4);
    put_padded(x, text, strlen(text));
    if (comment != NULL) {
        put(x, 1, 2);
        put(x, (uint32_t)strlen(comment), 2);
        put_padded(x, comment, strlen(comment));
        put(x, 0, 2);
        put(x, 0, 2);
    }
    block_end(x, at);
    return at;
}

/* What the walker handed over. */
struct seen {
    size_t count;
    uint64_t offset[8];
    uint32_t type[8];
    char text[8][512];
};

static void on_block(void *ctx, uint64_t offset, uint32_t type, struct cursor secrets)
{
    struct seen *s = ctx;
    if (s->count < 8) {
        s->offset[s->count] = offset;
        s->type[s->count] = type;
        ck_assert_uint_lt(cur_len(secrets), sizeof(s->text[0]));
        memcpy(s->text[s->count], cur_data(secrets), cur_len(secrets));
        s->text[s->count][cur_len(secrets)] = '\0';
    }
    s->count++;
}

/* Feeds x in pieces of at most piece bytes. */
static struct pcapng_dsb_counters walk(const struct built *x, size_t piece, struct seen *s)
{
    memset(s, 0, sizeof(*s));
    struct pcapng_dsb_walker *w = pcapng_dsb_walker_new(on_block, s);
    ck_assert_ptr_nonnull(w);
    for (size_t at = 0; at < x->n; at += piece) {
        pcapng_dsb_walker_feed(w, x->b + at, x->n - at < piece ? x->n - at : piece);
    }
    struct pcapng_dsb_counters k = *pcapng_dsb_walker_counters(w);
    pcapng_dsb_walker_free(w);
    return k;
}

/* A file as editcap --inject-secrets and Wireshark write it, plus a WireGuard block after a
 * packet: section, interface, TLS key log block, packet, WireGuard block, packet. */
static void typical_file(struct built *x, bool le, size_t *tls_at, size_t *wg_at)
{
    built_init(x, le);
    section(x);
    interface(x, LINKTYPE_ETHERNET);
    *tls_at = secrets_block(x, PCAPNG_SECRETS_TLS, LINE1 LINE2, "keys");
    packet(x, 0, 60);
    *wg_at = secrets_block(x, PCAPNG_SECRETS_WIREGUARD, "wg-key-log", NULL);
    packet(x, 0, 61);
}

START_TEST(parse_reads_type_and_data_in_both_byte_orders)
{
    for (int le = 0; le <= 1; le++) {
        struct built x;
        built_init(&x, le);
        secrets_block(&x, PCAPNG_SECRETS_TLS, "abcde", "a comment");
        /* the body: between the two Block Total Lengths */
        struct cursor body = cur_make(x.b + 8, x.n - 12);
        uint32_t type = 0;
        struct cursor data;
        ck_assert(pcapng_dsb_parse(body, le, &type, &data));
        ck_assert_uint_eq(type, PCAPNG_SECRETS_TLS);
        ck_assert(cur_equal(data, (const uint8_t *)"abcde", 5));
        free(x.b);
    }
}
END_TEST

/* Secrets Length past the block: 5 bytes of data said to be 9, then 8 said to be 9. */
START_TEST(parse_refuses_secrets_length_past_the_block)
{
    struct built x;
    built_init(&x, true);
    size_t at = secrets_block(&x, PCAPNG_SECRETS_TLS, "abcde", NULL);
    uint32_t type;
    struct cursor data;
    put_at(&x, at + 12, 9, 4); /* 5 bytes + 3 padding: 9 runs past */
    ck_assert(!pcapng_dsb_parse(cur_make(x.b + 8, x.n - 12), true, &type, &data));
    put_at(&x, at + 12, 8, 4); /* the padding is inside the body: 8 fits */
    ck_assert(pcapng_dsb_parse(cur_make(x.b + 8, x.n - 12), true, &type, &data));
    ck_assert_uint_eq(cur_len(data), 8);
    ck_assert(!pcapng_dsb_parse(cur_make(x.b + 8, 7), true, &type, &data)); /* no length */
    free(x.b);
}
END_TEST

/* Both blocks, with their offsets, types and data, however the bytes are split. */
START_TEST(walker_finds_blocks_split_at_every_size)
{
    for (int le = 0; le <= 1; le++) {
        struct built x;
        size_t tls_at, wg_at;
        typical_file(&x, le, &tls_at, &wg_at);
        for (size_t piece = 1; piece <= x.n; piece++) {
            struct seen s;
            struct pcapng_dsb_counters k = walk(&x, piece, &s);
            ck_assert_msg(s.count == 2, "pieces of %zu: %zu blocks", piece, s.count);
            ck_assert_uint_eq(k.blocks, 2);
            ck_assert_uint_eq(k.malformed, 0);
            ck_assert(!k.lost);
            ck_assert_uint_eq(s.offset[0], tls_at);
            ck_assert_uint_eq(s.type[0], PCAPNG_SECRETS_TLS);
            ck_assert_str_eq(s.text[0], LINE1 LINE2);
            ck_assert_uint_eq(s.offset[1], wg_at);
            ck_assert_uint_eq(s.type[1], PCAPNG_SECRETS_WIREGUARD);
            ck_assert_str_eq(s.text[1], "wg-key-log");
        }
        free(x.b);
    }
}
END_TEST

/* A file cut inside a secrets block hands nothing of it over; every shorter prefix gives the
 * blocks wholly inside it. */
START_TEST(walker_hands_over_no_truncated_block)
{
    struct built x;
    size_t tls_at, wg_at;
    typical_file(&x, true, &tls_at, &wg_at);
    size_t tls_end = tls_at + (x.b[tls_at + 4] | x.b[tls_at + 5] << 8);
    size_t wg_end = wg_at + (x.b[wg_at + 4] | x.b[wg_at + 5] << 8);
    for (size_t n = 0; n < x.n; n++) {
        struct built prefix = x;
        prefix.n = n;
        struct seen s;
        struct pcapng_dsb_counters k = walk(&prefix, 4096, &s);
        ck_assert_uint_eq(s.count, (n >= tls_end ? 1u : 0u) + (n >= wg_end ? 1u : 0u));
        ck_assert_uint_eq(k.malformed, 0);
    }
    free(x.b);
}
END_TEST

/* A trailing length that disagrees, and Secrets Length past its block: each counted, not
 * handed over, and the blocks after them still found by their leading length. */
START_TEST(walker_counts_malformed_blocks_and_goes_on)
{
    struct built x;
    built_init(&x, true);
    section(&x);
    size_t bad_trailer = secrets_block(&x, PCAPNG_SECRETS_TLS, LINE1, NULL);
    put_at(&x, x.n - 4, 4096, 4);
    size_t bad_length = secrets_block(&x, PCAPNG_SECRETS_TLS, LINE2, NULL);
    put_at(&x, bad_length + 12, 4096, 4);
    secrets_block(&x, PCAPNG_SECRETS_TLS, LINE3, NULL);
    struct seen s;
    struct pcapng_dsb_counters k = walk(&x, 7, &s);
    ck_assert_uint_eq(k.malformed, 2);
    ck_assert_uint_eq(s.count, 1);
    ck_assert_str_eq(s.text[0], LINE3);
    ck_assert(!k.lost);
    (void)bad_trailer;
    free(x.b);
}
END_TEST

/* A secrets block longer than any block read (PCAPNG_DSB_MAX) is passed over, counted, and
 * not kept in memory; the block after it is found. */
START_TEST(walker_skips_an_overlong_block)
{
    uint32_t block_len = PCAPNG_DSB_MAX + 12;
    size_t data_len = block_len - 20; /* less the 12 of every block, Secrets Type and Length */
    struct built head;
    built_init(&head, true);
    section(&head);
    block_begin(&head, PCAPNG_DSB_BLOCK_TYPE);
    put_at(&head, head.n - 4, block_len, 4);
    put(&head, PCAPNG_SECRETS_TLS, 4);
    put(&head, (uint32_t)data_len, 4);
    struct built tail;
    built_init(&tail, true);
    put(&tail, block_len, 4);
    secrets_block(&tail, PCAPNG_SECRETS_TLS, LINE1, NULL);

    struct seen s;
    memset(&s, 0, sizeof(s));
    struct pcapng_dsb_walker *w = pcapng_dsb_walker_new(on_block, &s);
    pcapng_dsb_walker_feed(w, head.b, head.n);
    uint8_t *zeros = calloc(1, data_len);
    ck_assert_ptr_nonnull(zeros);
    pcapng_dsb_walker_feed(w, zeros, data_len); /* the secret data, never kept */
    pcapng_dsb_walker_feed(w, tail.b, tail.n);
    const struct pcapng_dsb_counters *k = pcapng_dsb_walker_counters(w);
    ck_assert_uint_eq(k->malformed, 1);
    ck_assert_uint_eq(k->blocks, 1);
    ck_assert_str_eq(s.text[0], LINE1);
    pcapng_dsb_walker_free(w);
    free(zeros);
    free(tail.b);
    free(head.b);
}
END_TEST

/* Section 3.1: a length that is no block's (not a multiple of 4, shorter than 12) leaves the
 * next block's place unknown: nothing more is looked at. So does a block before any section. */
START_TEST(walker_stops_at_a_length_no_block_has)
{
    uint32_t bad[] = {13, 8};
    for (size_t i = 0; i < 2; i++) {
        struct built x;
        built_init(&x, true);
        section(&x);
        size_t at = block_begin(&x, BT_EPB);
        block_end(&x, at);
        put_at(&x, at + 4, bad[i], 4);
        secrets_block(&x, PCAPNG_SECRETS_TLS, LINE1, NULL);
        struct seen s;
        struct pcapng_dsb_counters k = walk(&x, x.n, &s);
        ck_assert(k.lost);
        ck_assert_uint_eq(s.count, 0);
        free(x.b);
    }
    struct built x;
    built_init(&x, true);
    secrets_block(&x, PCAPNG_SECRETS_TLS, LINE1, NULL);
    struct seen s;
    ck_assert(walk(&x, x.n, &s).lost);
    ck_assert_uint_eq(s.count, 0);
    free(x.b);
}
END_TEST

/* Read again from the start (pcapng.c taking over from libpcap): blocks already handed over
 * are not handed over twice; one the first reading had not finished is. */
START_TEST(walker_restart_hands_over_each_block_once)
{
    struct built x;
    size_t tls_at, wg_at;
    typical_file(&x, true, &tls_at, &wg_at);
    struct seen s;
    memset(&s, 0, sizeof(s));
    struct pcapng_dsb_walker *w = pcapng_dsb_walker_new(on_block, &s);
    pcapng_dsb_walker_feed(w, x.b, wg_at + 20); /* inside the WireGuard block */
    ck_assert_uint_eq(s.count, 1);
    pcapng_dsb_walker_restart(w);
    pcapng_dsb_walker_feed(w, x.b, x.n);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_uint_eq(s.type[1], PCAPNG_SECRETS_WIREGUARD);
    ck_assert_uint_eq(pcapng_dsb_walker_counters(w)->blocks, 2);
    pcapng_dsb_walker_free(w);
    free(x.b);
}
END_TEST

static bool table_has(const char *random_hex, enum keylog_label label)
{
    uint8_t random[KEYLOG_RANDOM_LEN];
    uint8_t secret[KEYLOG_SECRET_MAX];
    size_t len;
    for (size_t i = 0; i < KEYLOG_RANDOM_LEN; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(random_hex + 2 * i, "%2x", &v), 1);
        random[i] = (uint8_t)v;
    }
    struct keylog_table *t = secrets_table();
    return t != NULL && keylog_table_find(t, random, label, secret, &len);
}

/* A TLS key log block goes to the table through the parser (its last line needs no
 * newline); another type is counted and makes no table. */
START_TEST(blocks_go_to_the_table_by_type)
{
    const char *wg = "wireguard";
    secrets_take_pcapng_block("x.pcapng", 64, PCAPNG_SECRETS_WIREGUARD,
                              cur_make((const uint8_t *)wg, strlen(wg)));
    ck_assert_ptr_null(secrets_table());
    const char *text = LINE1 "CLIENT_RANDOM " R2 " " S48; /* no final newline */
    secrets_take_pcapng_block("x.pcapng", 128, PCAPNG_SECRETS_TLS,
                              cur_make((const uint8_t *)text, strlen(text)));
    ck_assert(table_has(R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
    ck_assert(table_has(R2, KEYLOG_CLIENT_RANDOM));
    struct secrets_counters k;
    secrets_get_counters(&k);
    ck_assert(k.any);
    ck_assert_uint_eq(k.loaded, 2);
    ck_assert_uint_eq(k.randoms, 2);
    ck_assert_uint_eq(k.blocks_tls, 1);
    ck_assert_uint_eq(k.blocks_other, 1);
    secrets_close();
    ck_assert_ptr_null(secrets_table());
}
END_TEST

/* Made before the tests fork (an unchecked fixture), removed after them. */
static char tmp_dir[] = "/tmp/hsdump-secrets-XXXXXX";

static void make_tmp_dir(void)
{
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void remove_tmp_dir(void)
{
    rmdir(tmp_dir);
}

static const char *tmp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
    return path;
}

static void write_file(const char *path, const char *mode, const void *data, size_t len)
{
    FILE *fp = fopen(path, mode);
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static struct timeval at_ms(long ms)
{
    struct timeval tv = {1000 + ms / 1000, (ms % 1000) * 1000};
    return tv;
}

/* Half a file, then the rest: the line split across the two writes is joined, and read
 * only when 100 ms have passed since the last look. */
START_TEST(followed_key_log_is_read_as_it_grows)
{
    const char *path = tmp_path("grows.keylog");
    const char *whole = LINE1 LINE2 LINE3;
    size_t half = strlen(LINE1) + 40; /* inside LINE2's client random */
    write_file(path, "wb", whole, half);
    const char *paths[] = {path};
    ck_assert(secrets_open_keylogs(paths, 1, true));
    ck_assert(secrets_following());
    ck_assert(table_has(R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
    ck_assert(!table_has(R2, KEYLOG_CLIENT_RANDOM));
    secrets_poll(at_ms(0));
    write_file(path, "ab", whole + half, strlen(whole) - half);
    secrets_poll(at_ms(50)); /* too soon: nothing read */
    ck_assert(!table_has(R2, KEYLOG_CLIENT_RANDOM));
    secrets_poll(at_ms(120));
    ck_assert(table_has(R2, KEYLOG_CLIENT_RANDOM));
    ck_assert(table_has(R3, KEYLOG_SERVER_TRAFFIC_SECRET_0));
    struct secrets_counters k;
    secrets_get_counters(&k);
    ck_assert_uint_eq(k.loaded, 3);
    ck_assert_uint_eq(k.bad_lines, 0);
    secrets_close();
    unlink(path);
}
END_TEST

/* A file that shrank was rewritten: read again from its start. */
START_TEST(rewritten_key_log_is_read_from_its_start)
{
    const char *path = tmp_path("rewritten.keylog");
    write_file(path, "wb", LINE1 LINE2, strlen(LINE1 LINE2));
    const char *paths[] = {path};
    ck_assert(secrets_open_keylogs(paths, 1, true));
    write_file(path, "wb", LINE3, strlen(LINE3));
    secrets_poll(at_ms(0));
    ck_assert(table_has(R3, KEYLOG_SERVER_TRAFFIC_SECRET_0));
    ck_assert(table_has(R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET)); /* kept */
    secrets_close();
    unlink(path);
}
END_TEST

/* Not followed (a capture file): read whole, the last line counts without its newline, and
 * the file is closed. A missing file fails. */
START_TEST(unfollowed_key_log_is_read_whole)
{
    const char *path = tmp_path("whole.keylog");
    const char *text = LINE1 "CLIENT_RANDOM " R2 " " S48;
    write_file(path, "wb", text, strlen(text));
    const char *paths[] = {path};
    ck_assert(secrets_open_keylogs(paths, 1, false));
    ck_assert(!secrets_following());
    ck_assert(table_has(R2, KEYLOG_CLIENT_RANDOM));
    secrets_close();
    unlink(path);
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    const char *missing[] = {tmp_path("missing.keylog")};
    bool opened = secrets_open_keylogs(missing, 1, false);
    fclose(stderr);
    stderr = saved;
    ck_assert(!opened);
    secrets_close();
}
END_TEST

/* Runs secrets_open_keylogs() then secrets_close() on path, stderr into a string. */
static char *stderr_of_reading(const char *path)
{
    char err_path[256];
    snprintf(err_path, sizeof(err_path), "%s/stderr", tmp_dir);
    FILE *saved = stderr;
    stderr = fopen(err_path, "w+");
    ck_assert_ptr_nonnull(stderr);
    const char *paths[] = {path};
    ck_assert(secrets_open_keylogs(paths, 1, false));
    struct secrets_counters k;
    secrets_get_counters(&k);
    ck_assert_uint_eq(k.bad_lines, 15);
    ck_assert_uint_eq(k.loaded, 1);
    secrets_close();
    fflush(stderr);
    long size = ftell(stderr);
    char *text = calloc(1, (size_t)size + 1);
    rewind(stderr);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, stderr), (size_t)size);
    fclose(stderr);
    stderr = saved;
    unlink(err_path);
    return text;
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what)) {
        n++;
    }
    return n;
}

/* 15 bad lines: the first SECRETS_WARNINGS_MAX warned with file and line, one line for the
 * other five; the good line after them is read. */
START_TEST(bad_lines_warned_up_to_a_limit_then_counted)
{
    const char *path = tmp_path("bad.keylog");
    FILE *fp = fopen(path, "wb");
    for (int i = 0; i < 15; i++) {
        fprintf(fp, "NOT_A_LABEL %d\n", i);
    }
    fputs(LINE1, fp);
    fclose(fp);
    char *err = stderr_of_reading(path);
    ck_assert_uint_eq(count_of(err, "not a key log line"), SECRETS_WARNINGS_MAX);
    char want[512];
    snprintf(want, sizeof(want), "%s:1: not a key log line: expected a known label", path);
    ck_assert_msg(strstr(err, want) != NULL, "%s", err);
    snprintf(want, sizeof(want), "%s:10: ", path);
    ck_assert(strstr(err, want) != NULL);
    snprintf(want, sizeof(want), "%s:11: ", path);
    ck_assert(strstr(err, want) == NULL);
    snprintf(want, sizeof(want), "%s: 5 more bad lines not shown (the first 10 were)", path);
    ck_assert_msg(strstr(err, want) != NULL, "%s", err);
    free(err);
    unlink(path);
}
END_TEST

/* What capture_run() saw: frames, and whether the table existed at the first and last. */
struct run_seen {
    size_t frames;
    bool table_at_first;
    bool table_at_last;
};

static void on_frame(void *ctx, const struct capture_frame *frame)
{
    struct run_seen *r = ctx;
    (void)frame;
    if (r->frames++ == 0) {
        r->table_at_first = secrets_table() != NULL;
    }
    r->table_at_last = secrets_table() != NULL;
}

/* 200 frames of 1000 bytes (more than one 64 KiB stream buffer), then a TLS key log block,
 * then a frame: libpcap (one link type) or pcapng.c (two) reads every frame; the secrets
 * arrive once the reading reaches them and are in the table for the connections after. */
static void secrets_after_packets(bool mixed)
{
    struct built x;
    built_init(&x, true);
    section(&x);
    interface(&x, LINKTYPE_ETHERNET);
    if (mixed) {
        interface(&x, LINKTYPE_LINUX_SLL);
    }
    for (int i = 0; i < 200; i++) {
        packet(&x, 0, 1000);
    }
    secrets_block(&x, PCAPNG_SECRETS_TLS, LINE1, NULL);
    packet(&x, 0, 60);
    const char *path = tmp_path("after.pcapng");
    write_file(path, "wb", x.b, x.n);
    char err[256];
    struct capture *c = capture_open_file(path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_ptr_null(secrets_table());
    struct run_seen r = {0};
    ck_assert_int_eq(capture_run(c, on_frame, &r, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(r.frames, 201);
    ck_assert(!r.table_at_first);
    ck_assert(r.table_at_last);
    ck_assert(table_has(R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
    ck_assert_ptr_null(capture_warning(c));
    capture_close(c);
    secrets_close();
    unlink(path);
    free(x.b);
}

START_TEST(secrets_block_after_packets_read_by_libpcap)
{
    secrets_after_packets(false);
}
END_TEST

START_TEST(secrets_block_after_packets_read_by_pcapng_reader)
{
    secrets_after_packets(true);
}
END_TEST

/* An interface of another link type after the first packets: libpcap stops there and
 * pcapng.c reads the file again from its start; the secrets block before it is taken once. */
START_TEST(secrets_block_taken_once_when_the_file_is_read_again)
{
    struct built x;
    built_init(&x, true);
    section(&x);
    interface(&x, LINKTYPE_ETHERNET);
    packet(&x, 0, 60);
    packet(&x, 0, 60);
    secrets_block(&x, PCAPNG_SECRETS_TLS, LINE1, NULL);
    interface(&x, LINKTYPE_LINUX_SLL);
    packet(&x, 1, 60);
    const char *path = tmp_path("again.pcapng");
    write_file(path, "wb", x.b, x.n);
    char err[256];
    struct capture *c = capture_open_file(path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    struct run_seen r = {0};
    ck_assert_int_eq(capture_run(c, on_frame, &r, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(r.frames, 3);
    struct secrets_counters k;
    secrets_get_counters(&k);
    ck_assert_uint_eq(k.blocks_tls, 1);
    ck_assert_uint_eq(k.loaded, 1);
    capture_close(c);
    secrets_close();
    unlink(path);
    free(x.b);
}
END_TEST

/* editcap --inject-secrets puts the block before the packets: the table exists when the file
 * is open, before the first connection. A malformed block is a warning of the capture. */
START_TEST(secrets_block_first_is_in_the_table_before_any_packet)
{
    struct built x;
    size_t tls_at, wg_at;
    typical_file(&x, false, &tls_at, &wg_at);
    /* Secrets Length past the block: libpcap passes over the block, the walker counts it */
    size_t bad_at = secrets_block(&x, PCAPNG_SECRETS_TLS, LINE3, NULL);
    put_at(&x, bad_at + 12, 4096, 4);
    const char *path = tmp_path("first.pcapng");
    write_file(path, "wb", x.b, x.n);
    char err[256];
    struct capture *c = capture_open_file(path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_ptr_nonnull(secrets_table());
    struct run_seen r = {0};
    ck_assert_int_eq(capture_run(c, on_frame, &r, err, sizeof(err)), CAPTURE_EOF);
    ck_assert_uint_eq(r.frames, 2);
    ck_assert(r.table_at_first);
    ck_assert(table_has(R2, KEYLOG_CLIENT_RANDOM));
    ck_assert(!table_has(R3, KEYLOG_SERVER_TRAFFIC_SECRET_0));
    ck_assert_str_eq(capture_warning(c), "pcapng: skipped 1 malformed Decryption Secrets Blocks");
    struct secrets_counters k;
    secrets_get_counters(&k);
    ck_assert_uint_eq(k.blocks_tls, 1);
    ck_assert_uint_eq(k.blocks_other, 1);
    capture_close(c);
    secrets_close();
    unlink(path);
    free(x.b);
}
END_TEST

/* A bad line in a secrets block is warned about with its capture, block offset and line. */
START_TEST(bad_line_in_a_block_names_capture_offset_and_line)
{
    char err_path[256];
    snprintf(err_path, sizeof(err_path), "%s/stderr-block", tmp_dir);
    FILE *saved = stderr;
    stderr = fopen(err_path, "w+");
    ck_assert_ptr_nonnull(stderr);
    const char *text = LINE1 "CLIENT_RANDOM " R2 "\n";
    secrets_take_pcapng_block("x.pcapng", 128, PCAPNG_SECRETS_TLS,
                              cur_make((const uint8_t *)text, strlen(text)));
    struct secrets_counters k;
    secrets_get_counters(&k);
    secrets_close();
    char line[512] = "";
    rewind(stderr);
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), stderr));
    fclose(stderr);
    stderr = saved;
    unlink(err_path);
    ck_assert_str_eq(line, "hsdump: warning: x.pcapng: Decryption Secrets Block at offset 128, "
                           "line 2: not a key log line: expected secret as an even number of "
                           "hex digits\n");
    ck_assert_uint_eq(k.loaded, 1);
    ck_assert_uint_eq(k.bad_lines, 1);
}
END_TEST

Suite *suite_secrets(void)
{
    Suite *s = suite_create("secrets");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, make_tmp_dir, remove_tmp_dir);
    tcase_add_test(tc, parse_reads_type_and_data_in_both_byte_orders);
    tcase_add_test(tc, parse_refuses_secrets_length_past_the_block);
    tcase_add_test(tc, walker_finds_blocks_split_at_every_size);
    tcase_add_test(tc, walker_hands_over_no_truncated_block);
    tcase_add_test(tc, walker_counts_malformed_blocks_and_goes_on);
    tcase_add_test(tc, walker_skips_an_overlong_block);
    tcase_add_test(tc, walker_stops_at_a_length_no_block_has);
    tcase_add_test(tc, walker_restart_hands_over_each_block_once);
    tcase_add_test(tc, blocks_go_to_the_table_by_type);
    tcase_add_test(tc, followed_key_log_is_read_as_it_grows);
    tcase_add_test(tc, rewritten_key_log_is_read_from_its_start);
    tcase_add_test(tc, unfollowed_key_log_is_read_whole);
    tcase_add_test(tc, bad_lines_warned_up_to_a_limit_then_counted);
    tcase_add_test(tc, bad_line_in_a_block_names_capture_offset_and_line);
    tcase_add_test(tc, secrets_block_after_packets_read_by_libpcap);
    tcase_add_test(tc, secrets_block_after_packets_read_by_pcapng_reader);
    tcase_add_test(tc, secrets_block_first_is_in_the_table_before_any_packet);
    tcase_add_test(tc, secrets_block_taken_once_when_the_file_is_read_again);
    suite_add_tcase(s, tc);
    return s;
}
