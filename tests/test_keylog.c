/* Tests for dissectors/crypto/keylog.c: the NSS key log parser and the secrets table.
 *
 * A real key log written by OpenSSL's s_client (pcaps/keylogs/openssl-s_client.keylog, how it
 * was made is in pcaps/keylogs/README.md), every label, comments, blank lines, CRLF, input
 * split at every byte, each kind of bad line reported with its number while the next lines
 * are still read, a missing client random, replacement of a secret, and the entry cap. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keylog.h"
#include "suites.h"

#define R1 "5a363f187f923dc7e0a626806efd960af030ded305e381e317a6db1a7ae96a39"
#define R2 "bc29406c5d80e3a6c7b86129c6bc4bdc8a6aa3e8ce8a95db930429134c388048"
#define R3 "844fe7251e6800ca0165f62162b00d975efc3a995ead297be7c86792442ea6b7"
#define S32 "4e128877837e20aa1b74ad65d165c552bd1f97f1982d9e36451c6a7039d8d5a9"
#define S48                                                                                        \
    "066128bb115c2da0cdcdb0de026105c6285a1fe17ce92b78d5beabb61123b1efc4353bae8f28f8913ac1a44721ac" \
    "1462"

struct reports {
    size_t count;
    uint64_t line_no[16];
    char expected[16][128];
};

static void record_report(void *ctx, uint64_t line_no, const char *expected)
{
    struct reports *r = ctx;
    if (r->count < 16) {
        r->line_no[r->count] = line_no;
        snprintf(r->expected[r->count], sizeof(r->expected[0]), "%s", expected);
    }
    r->count++;
}

static void unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* The secret for (random, label) equals hex. */
static void assert_secret(const struct keylog_table *table, const char *random_hex,
                          enum keylog_label label, const char *hex)
{
    uint8_t random[KEYLOG_RANDOM_LEN], want[KEYLOG_SECRET_MAX], got[KEYLOG_SECRET_MAX];
    size_t len = 0;
    unhex(random_hex, random);
    unhex(hex, want);
    ck_assert_msg(keylog_table_find(table, random, label, got, &len), "no %s for %.8s",
                  keylog_label_name(label), random_hex);
    ck_assert_uint_eq(len, strlen(hex) / 2);
    ck_assert_mem_eq(got, want, len);
}

static bool has_secret(const struct keylog_table *table, const char *random_hex,
                       enum keylog_label label)
{
    uint8_t random[KEYLOG_RANDOM_LEN], got[KEYLOG_SECRET_MAX];
    size_t len = 0;
    unhex(random_hex, random);
    return keylog_table_find(table, random, label, got, &len);
}

static struct keylog_table *parse_all(const char *text, struct reports *r, size_t cap)
{
    struct keylog_table *table = keylog_table_new(cap);
    ck_assert_ptr_nonnull(table);
    struct keylog_parser parser;
    keylog_parser_init(&parser);
    keylog_parser_feed(&parser, table, text, strlen(text), record_report, r);
    keylog_parser_finish(&parser, table, record_report, r);
    return table;
}

static char *read_text(const char *name)
{
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    char path[1024];
    snprintf(path, sizeof(path), "%s/pcaps/keylogs/%s", srcdir, name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

START_TEST(every_label_is_stored_by_random)
{
    static const char text[] =
        "CLIENT_RANDOM " R3 " " S48 "\n"
        "CLIENT_EARLY_TRAFFIC_SECRET " R1 " " S32 "\n"
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " " S48 "\n"
        "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n"
        "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32 "\n"
        "SERVER_TRAFFIC_SECRET_0 " R1 " " S48 "\n"
        "EXPORTER_SECRET " R1 " " S32 "\n";
    struct reports r = {0};
    struct keylog_table *table = parse_all(text, &r, 0);
    ck_assert_uint_eq(r.count, 0);
    ck_assert_uint_eq(keylog_table_entries(table), 2);
    assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
    assert_secret(table, R1, KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, S32);
    assert_secret(table, R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, S48);
    assert_secret(table, R1, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, S32);
    assert_secret(table, R1, KEYLOG_CLIENT_TRAFFIC_SECRET_0, S32);
    assert_secret(table, R1, KEYLOG_SERVER_TRAFFIC_SECRET_0, S48);
    assert_secret(table, R1, KEYLOG_EXPORTER_SECRET, S32);
    ck_assert(!has_secret(table, R3, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
    ck_assert(!has_secret(table, R1, KEYLOG_CLIENT_RANDOM));
    for (unsigned l = 0; l < KEYLOG_LABEL_COUNT; l++) {
        ck_assert_ptr_nonnull(strstr(text, keylog_label_name((enum keylog_label)l)));
    }
    keylog_table_free(table);
}
END_TEST

START_TEST(openssl_s_client_key_log_gives_all_secrets)
{
    struct reports r = {0};
    struct keylog_table *table = parse_all(read_text("openssl-s_client.keylog"), &r, 0);
    ck_assert_uint_eq(r.count, 0);
    ck_assert_uint_eq(keylog_table_entries(table), 3);
    /* TLS 1.3 with TLS_AES_128_GCM_SHA256: 32-byte secrets */
    assert_secret(table, R1, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                  "54b5fd82a6953c0c74c35501c7c553e30c63396c4bdbae8e25d8d5b6601dd2ce");
    assert_secret(table, R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, S32);
    assert_secret(table, R1, KEYLOG_CLIENT_TRAFFIC_SECRET_0,
                  "8e1241dc1a536147bcce16184c08d178d3271a79ad46d83be5cd5d43032cf22d");
    assert_secret(table, R1, KEYLOG_SERVER_TRAFFIC_SECRET_0,
                  "f31e45f172af76c7d88346b00993a10132e67bd46827f26251348ec8887df227");
    assert_secret(table, R1, KEYLOG_EXPORTER_SECRET,
                  "7f079d53b216413cad2715d10b8b3afd6c1206b4d5cc4f3a60f5b64261d35745");
    ck_assert(!has_secret(table, R1, KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET));
    /* TLS 1.3 with TLS_AES_256_GCM_SHA384: 48-byte secrets */
    assert_secret(table, R2, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
                  "2b951820ad50b9782ec5492cc95af1a1f30f8d8f9fa25010536c0638e9c7fa4e"
                  "c65eed587e0d9c4d72189c1fab003259");
    assert_secret(table, R2, KEYLOG_SERVER_TRAFFIC_SECRET_0,
                  "13c04a00cc19f561877fc11fb31b94c808d917088a4d4d4b3b57cf9d59846f66"
                  "a2343572583d667d2ec4bc7936e5c11c");
    /* TLS 1.2: the master secret */
    assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
    keylog_table_free(table);
}
END_TEST

START_TEST(comments_blank_lines_and_crlf_are_tolerated)
{
    static const char text[] =
        "# SSL/TLS secrets log file\r\n"
        "\r\n"
        "\n"
        "   \t \n"
        "  # indented comment\n"
        "CLIENT_RANDOM " R3 " " S48 "\r\n"
        "SERVER_TRAFFIC_SECRET_0\t" R1 "  \t" S32 " \r\n"
        "EXPORTER_SECRET " R2 " " S32; /* no newline at the end of the file */
    struct reports r = {0};
    struct keylog_table *table = parse_all(text, &r, 0);
    ck_assert_uint_eq(r.count, 0);
    ck_assert_uint_eq(keylog_table_entries(table), 3);
    assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
    assert_secret(table, R1, KEYLOG_SERVER_TRAFFIC_SECRET_0, S32);
    assert_secret(table, R2, KEYLOG_EXPORTER_SECRET, S32);
    keylog_table_free(table);
}
END_TEST

START_TEST(upper_case_hex_is_read)
{
    struct reports r = {0};
    struct keylog_table *table = parse_all(
        "CLIENT_RANDOM 844FE7251E6800CA0165F62162B00D975EFC3A995EAD297BE7C86792442EA6B7 "
        "066128BB115C2DA0CDCDB0DE026105C6285A1FE17CE92B78D5BEABB6"
        "1123B1EFC4353BAE8F28F8913AC1A44721AC1462\n",
        &r, 0);
    ck_assert_uint_eq(r.count, 0);
    assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
    keylog_table_free(table);
}
END_TEST

/* A live key log is read as it grows: any split of the input gives the same table, and a line
 * without its newline yet is not read until the newline comes. */
START_TEST(input_split_at_every_byte_gives_same_table)
{
    char *text = strdup(read_text("openssl-s_client.keylog"));
    size_t len = strlen(text);
    for (size_t cut = 0; cut <= len; cut++) {
        struct keylog_table *table = keylog_table_new(0);
        struct keylog_parser parser;
        struct reports r = {0};
        keylog_parser_init(&parser);
        keylog_parser_feed(&parser, table, text, cut, record_report, &r);
        keylog_parser_feed(&parser, table, text + cut, len - cut, record_report, &r);
        ck_assert_uint_eq(r.count, 0);
        ck_assert_uint_eq(parser.secrets, 11);
        ck_assert_uint_eq(keylog_table_entries(table), 3);
        assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
        assert_secret(table, R1, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, S32);
        keylog_table_free(table);
    }
    /* one byte at a time */
    struct keylog_table *table = keylog_table_new(0);
    struct keylog_parser parser;
    keylog_parser_init(&parser);
    for (size_t i = 0; i < len; i++) {
        keylog_parser_feed(&parser, table, text + i, 1, NULL, NULL);
        if (text[i] == '\n') {
            ck_assert_uint_eq(parser.len, 0);
        }
    }
    ck_assert_uint_eq(parser.line_no, 12);
    ck_assert_uint_eq(parser.secrets, 11);
    ck_assert_uint_eq(parser.bad_lines, 0);
    keylog_table_free(table);
    free(text);
}
END_TEST

START_TEST(unfinished_last_line_waits_for_its_newline)
{
    static const char line[] = "CLIENT_RANDOM " R3 " " S48;
    struct keylog_table *table = keylog_table_new(0);
    struct keylog_parser parser;
    keylog_parser_init(&parser);
    keylog_parser_feed(&parser, table, line, strlen(line), NULL, NULL);
    ck_assert(!has_secret(table, R3, KEYLOG_CLIENT_RANDOM)); /* the client is still writing */
    keylog_parser_feed(&parser, table, "\n", 1, NULL, NULL);
    assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
    keylog_table_free(table);
}
END_TEST

START_TEST(bad_lines_are_reported_with_number_and_skipped)
{
    char long_line[700];
    memset(long_line, 'A', sizeof(long_line) - 1);
    long_line[sizeof(long_line) - 1] = '\0';
    char *text = NULL;
    size_t text_len = 0;
    FILE *fp = open_memstream(&text, &text_len);
    fprintf(fp, "# comment\n");                                          /* 1 */
    fprintf(fp, "CLIENT_RANDOM 844fe725 " S48 "\n");                      /* 2: short random */
    fprintf(fp, "CLIENT_RANDOM " R3 "0 " S48 "\n");                       /* 3: odd random */
    fprintf(fp, "CLIENT_RANDOM " R3 " " S48 "0\n");                       /* 4: odd secret */
    fprintf(fp, "CLIENT_SECRET " R3 " " S48 "\n");                        /* 5: unknown label */
    fprintf(fp, "%s\n", long_line);                                       /* 6: too long */
    fprintf(fp, "CLIENT_RANDOM " R3 " " S32 "\n");                        /* 7: 32-byte master */
    fprintf(fp, "CLIENT_TRAFFIC_SECRET_0 " R1 " 0011223344\n");           /* 8: 5 bytes */
    fprintf(fp, "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32 " extra\n");        /* 9: extra field */
    fprintf(fp, "CLIENT_TRAFFIC_SECRET_0 " R1 "\n");                      /* 10: no secret */
    fprintf(fp, "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32 "zz\n");            /* 11: not hex */
    fprintf(fp, "CLIENT_TRAFFIC_SECRET_0 g%s " S32 "\n", R1 + 1);         /* 12: not hex */
    fprintf(fp, "CLIENT_RANDOM " R3 " " S48 "\n");                        /* 13: fine */
    fprintf(fp, "SERVER_TRAFFIC_SECRET_0 " R1 " " S32 "\n");              /* 14: fine */
    fprintf(fp, "RSA 0011223344556677 " S48 "\n");                       /* 15: not used */
    fprintf(fp, "CLIENT_TRAFFIC_SECRET_N " R1 " " S32 "\n");              /* 16: not used */
    fclose(fp);
    struct reports r = {0};
    struct keylog_table *table = keylog_table_new(0);
    struct keylog_parser parser;
    keylog_parser_init(&parser);
    keylog_parser_feed(&parser, table, text, text_len, record_report, &r);
    static const struct {
        uint64_t line_no;
        const char *expected;
    } want[] = {
        {2, "64 hex digits of client random"},
        {3, "64 hex digits of client random"},
        {4, "secret as an even number of hex digits"},
        {5, "a known label (CLIENT_RANDOM, *_TRAFFIC_SECRET*, EXPORTER_SECRET)"},
        {6, "a line of at most 512 bytes"},
        {7, "48-byte master secret (96 hex digits)"},
        {8, "32- or 48-byte secret (64 or 96 hex digits)"},
        {9, "end of line after the secret"},
        {10, "secret as an even number of hex digits"},
        {11, "secret as an even number of hex digits"},
        {12, "64 hex digits of client random"},
    };
    ck_assert_uint_eq(r.count, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ck_assert_uint_eq(r.line_no[i], want[i].line_no);
        ck_assert_str_eq(r.expected[i], want[i].expected);
    }
    ck_assert_uint_eq(parser.bad_lines, 11);
    ck_assert_uint_eq(parser.secrets, 2);
    ck_assert_uint_eq(parser.line_no, 16);
    ck_assert_uint_eq(keylog_table_entries(table), 2);
    assert_secret(table, R3, KEYLOG_CLIENT_RANDOM, S48);
    assert_secret(table, R1, KEYLOG_SERVER_TRAFFIC_SECRET_0, S32);
    ck_assert(!has_secret(table, R1, KEYLOG_CLIENT_TRAFFIC_SECRET_0));
    keylog_table_free(table);
    free(text);
}
END_TEST

/* A line of exactly KEYLOG_LINE_MAX bytes is read (with LF or CRLF); one byte more is not, and
 * a long line fed in pieces is skipped to its newline without holding more than the bound. */
START_TEST(line_over_512_bytes_is_skipped_to_newline)
{
    char line[KEYLOG_LINE_MAX + 8];
    int n = snprintf(line, sizeof(line), "CLIENT_RANDOM " R3 " " S48);
    memset(line + n, ' ', KEYLOG_LINE_MAX - (size_t)n);
    static const char *const ends[] = {"\n", "\r\n"};
    for (size_t e = 0; e < 2; e++) {
        for (size_t extra = 0; extra <= 1; extra++) {
            struct reports r = {0};
            struct keylog_table *table = keylog_table_new(0);
            struct keylog_parser parser;
            keylog_parser_init(&parser);
            for (size_t i = 0; i < KEYLOG_LINE_MAX + extra; i++) {
                keylog_parser_feed(&parser, table, i < (size_t)n ? line + i : " ", 1,
                                   record_report, &r);
                ck_assert_uint_le(parser.len, KEYLOG_LINE_MAX + 1);
            }
            keylog_parser_feed(&parser, table, ends[e], strlen(ends[e]), record_report, &r);
            keylog_parser_feed(&parser, table, "EXPORTER_SECRET " R2 " " S32 "\n",
                               strlen("EXPORTER_SECRET " R2 " " S32 "\n"), record_report, &r);
            ck_assert_uint_eq(r.count, extra);
            ck_assert(has_secret(table, R3, KEYLOG_CLIENT_RANDOM) == (extra == 0));
            assert_secret(table, R2, KEYLOG_EXPORTER_SECRET, S32);
            if (extra) {
                ck_assert_uint_eq(r.line_no[0], 1);
            }
            keylog_table_free(table);
        }
    }
}
END_TEST

START_TEST(missing_random_is_not_found)
{
    struct reports r = {0};
    struct keylog_table *table = parse_all("CLIENT_RANDOM " R3 " " S48 "\n", &r, 0);
    ck_assert(!has_secret(table, R1, KEYLOG_CLIENT_RANDOM));
    ck_assert(!has_secret(table, R2, KEYLOG_SERVER_TRAFFIC_SECRET_0));
    keylog_table_free(table);
    /* an empty table */
    table = keylog_table_new(0);
    ck_assert(!has_secret(table, R1, KEYLOG_CLIENT_RANDOM));
    ck_assert_uint_eq(keylog_table_entries(table), 0);
    keylog_table_free(table);
}
END_TEST

START_TEST(later_line_replaces_secret)
{
    struct reports r = {0};
    struct keylog_table *table = parse_all("CLIENT_TRAFFIC_SECRET_0 " R1 " " S48 "\n"
                                           "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32 "\n",
                                           &r, 0);
    ck_assert_uint_eq(r.count, 0);
    ck_assert_uint_eq(keylog_table_entries(table), 1);
    assert_secret(table, R1, KEYLOG_CLIENT_TRAFFIC_SECRET_0, S32);
    keylog_table_free(table);
}
END_TEST

/* Entries past the cap are dropped, counted and reported; known randoms still take secrets. */
START_TEST(entries_past_cap_are_dropped_and_counted)
{
    struct reports r = {0};
    struct keylog_table *table = keylog_table_new(3);
    struct keylog_parser parser;
    keylog_parser_init(&parser);
    static const char text[] = "CLIENT_RANDOM " R1 " " S48 "\n"
                               "CLIENT_RANDOM " R2 " " S48 "\n"
                               "CLIENT_RANDOM " R3 " " S48 "\n"
                               "CLIENT_RANDOM " S32 " " S48 "\n"
                               "EXPORTER_SECRET " R2 " " S32 "\n";
    keylog_parser_feed(&parser, table, text, strlen(text), record_report, &r);
    ck_assert_uint_eq(keylog_table_entries(table), 3);
    ck_assert_uint_eq(keylog_table_dropped(table), 1);
    ck_assert_uint_eq(r.count, 1);
    ck_assert_uint_eq(r.line_no[0], 4);
    ck_assert_str_eq(r.expected[0], "room in the key table (full: line dropped)");
    ck_assert(!has_secret(table, S32, KEYLOG_CLIENT_RANDOM));
    assert_secret(table, R2, KEYLOG_EXPORTER_SECRET, S32);
    keylog_table_free(table);
}
END_TEST

/* Many entries: the index grows and every random is still found. */
START_TEST(index_grows_and_finds_every_entry)
{
    struct keylog_table *table = keylog_table_new(5000);
    uint8_t random[KEYLOG_RANDOM_LEN] = {0}, secret[48], got[KEYLOG_SECRET_MAX];
    size_t len;
    for (uint32_t i = 0; i < 6000; i++) {
        memcpy(random, &i, sizeof(i));
        memset(secret, (int)(i & 0xff), sizeof(secret));
        ck_assert(keylog_table_put(table, random, KEYLOG_CLIENT_RANDOM, secret, 48) ==
                  (i < 5000));
    }
    ck_assert_uint_eq(keylog_table_entries(table), 5000);
    ck_assert_uint_eq(keylog_table_dropped(table), 1000);
    for (uint32_t i = 0; i < 6000; i++) {
        memcpy(random, &i, sizeof(i));
        bool found = keylog_table_find(table, random, KEYLOG_CLIENT_RANDOM, got, &len);
        ck_assert(found == (i < 5000));
        if (found) {
            ck_assert_uint_eq(len, 48);
            ck_assert_uint_eq(got[47], i & 0xff);
        }
    }
    keylog_table_free(table);
}
END_TEST

/* A lookup that found nothing is not repeated until the table gains a secret, and then is. */
START_TEST(vain_lookup_is_remembered_until_the_table_grows)
{
    struct keylog_table *table = keylog_table_new(0);
    struct keylog_lookup memo = {0};
    uint8_t random[KEYLOG_RANDOM_LEN], secret[32], out[KEYLOG_SECRET_MAX];
    size_t len = 0;
    unhex(R1, random);
    unhex(S32, secret);
    ck_assert(!keylog_lookup(&memo, table, random, KEYLOG_CLIENT_TRAFFIC_SECRET_0, out, &len));
    ck_assert_uint_ne(memo.missing, 0);
    ck_assert(keylog_table_put(table, random, KEYLOG_CLIENT_TRAFFIC_SECRET_0, secret, 32));
    ck_assert(keylog_lookup(&memo, table, random, KEYLOG_CLIENT_TRAFFIC_SECRET_0, out, &len));
    ck_assert_uint_eq(len, 32);
    ck_assert_mem_eq(out, secret, 32);
    ck_assert(!keylog_lookup(&memo, table, random, KEYLOG_SERVER_TRAFFIC_SECRET_0, out, &len));
    keylog_table_free(table);
}
END_TEST

Suite *suite_keylog(void)
{
    Suite *s = suite_create("keylog");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_label_is_stored_by_random);
    tcase_add_test(tc, openssl_s_client_key_log_gives_all_secrets);
    tcase_add_test(tc, comments_blank_lines_and_crlf_are_tolerated);
    tcase_add_test(tc, upper_case_hex_is_read);
    tcase_add_test(tc, input_split_at_every_byte_gives_same_table);
    tcase_add_test(tc, unfinished_last_line_waits_for_its_newline);
    tcase_add_test(tc, bad_lines_are_reported_with_number_and_skipped);
    tcase_add_test(tc, line_over_512_bytes_is_skipped_to_newline);
    tcase_add_test(tc, missing_random_is_not_found);
    tcase_add_test(tc, later_line_replaces_secret);
    tcase_add_test(tc, entries_past_cap_are_dropped_and_counted);
    tcase_add_test(tc, index_grows_and_finds_every_entry);
    tcase_add_test(tc, vain_lookup_is_remembered_until_the_table_grows);
    suite_add_tcase(s, tc);
    return s;
}
