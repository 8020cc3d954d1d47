/* Tests for src/diff/summary.c and src/diff/diff.c: summaries from JSON Lines, pairing, the report. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "suites.h"
#include "diff/summary.h"

/* One connection as hsdump -T json writes it: client_hello, server_hello, close. suites is
 * the inside of a JSON array; ch_extra and close_extra are more ",key:value" members. */
static char *conn_json(int conn, const char *server, const char *sni, const char *suites,
                       const char *chosen, const char *ch_extra, const char *close_extra)
{
    char *s = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&s, &len);
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "{\"time\":\"2026-11-22T10:00:00.000001Z\",\"conn\":%d,", conn);
    fprintf(fp, "\"client\":\"192.0.2.1:50000\",\"server\":\"%s\"", server);
    fprintf(fp, ",\"dir\":\"c2s\",\"event\":\"handshake\",\"message\":\"client_hello\","
                "\"length\":200,\"legacy_version\":\"TLSv1.2\",\"cipher_suites\":[%s],"
                "\"extensions\":[\"server_name\",\"supported_groups\"],"
                "\"supported_groups\":[\"x25519\"]",
            suites);
    if (sni != NULL) {
        fprintf(fp, ",\"sni\":\"%s\"", sni);
    }
    fprintf(fp, "%s}\n", ch_extra != NULL ? ch_extra : "");
    fprintf(fp, "{\"conn\":%d,", conn);
    fprintf(fp, "\"client\":\"192.0.2.1:50000\",\"server\":\"%s\"", server);
    fprintf(fp, ",\"dir\":\"s2c\",\"event\":\"handshake\",\"message\":\"server_hello\","
                "\"length\":90,\"cipher_suite\":\"%s\",\"extensions\":[\"renegotiation_info\"],"
                "\"version\":\"TLSv1.2\"}\n",
            chosen);
    fprintf(fp, "{\"conn\":%d,", conn);
    fprintf(fp, "\"client\":\"192.0.2.1:50000\",\"server\":\"%s\"", server);
    fprintf(fp, ",\"dir\":\"c2s\",\"event\":\"close\",\"end\":\"fin\",\"flow\":\"full\","
                "\"status\":\"established\",\"version\":\"TLSv1.2\",\"cipher_suite\":\"%s\","
                "\"bytes_c2s\":%d%s}\n",
            chosen, 300 + conn, close_extra != NULL ? close_extra : "");
    fclose(fp);
    return s;
}

#define SUITES2 "\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_256_GCM_SHA384\""
#define SUITE_A "TLS_AES_128_GCM_SHA256"
#define SUITE_B "TLS_AES_256_GCM_SHA384"

static char *join(char *a, char *b)
{
    char *s = malloc(strlen(a) + strlen(b) + 1);
    strcpy(s, a);
    strcat(s, b);
    free(a);
    free(b);
    return s;
}

static void load(const char *json, struct summary_set *set)
{
    FILE *fp = fmemopen((void *)json, strlen(json), "r");
    char err[256];
    summary_set_init(set);
    ck_assert_ptr_nonnull(fp);
    ck_assert_msg(summary_read_json(fp, set, err, sizeof(err)), "%s", err);
    fclose(fp);
}

/* Runs diff_sets on two JSON Lines texts; returns its status, the report in *report. */
static int run_diff(const char *a_json, const char *b_json, const struct diff_options *o,
                    char **report, struct diff_counts *c)
{
    struct summary_set a, b;
    load(a_json, &a);
    load(b_json, &b);
    size_t len = 0;
    FILE *out = open_memstream(report, &len);
    int status = diff_sets(&a, &b, "a.json", "b.json", o, out, c);
    fclose(out);
    summary_set_free(&a);
    summary_set_free(&b);
    return status;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        n += *s == '\n';
    }
    return n;
}

START_TEST(identical_sets_have_no_differences)
{
    char *a = join(conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL),
                   conn_json(2, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL));
    /* Other ids, times, client ports and byte counts: all ignored. */
    char *b = join(conn_json(7, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL),
                   conn_json(9, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL));
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    struct diff_counts c;
    ck_assert_int_eq(run_diff(a, b, &o, &report, &c), 0);
    ck_assert_str_eq(report, "diff a=a.json b=b.json key=sni paired=2 identical=2 different=0 "
                             "only_a=0 only_b=0\n");
    ck_assert_uint_eq(c.identical, 2);
    free(report);
    free(a);
    free(b);
}
END_TEST

START_TEST(changed_cipher_suite_is_reported)
{
    char *a = conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL);
    char *b = conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_B, NULL, NULL);
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    ck_assert_int_eq(run_diff(a, b, &o, &report, NULL), 1);
    ck_assert_str_eq(report,
                     "diff a=a.json b=b.json key=sni paired=1 identical=0 different=1 only_a=0 "
                     "only_b=0\n"
                     "diff key=example.com:443 n=1 field=cipher_suite a=TLS_AES_128_GCM_SHA256 "
                     "b=TLS_AES_256_GCM_SHA384\n");
    free(report);
    free(a);
    free(b);
}
END_TEST

START_TEST(cipher_suites_added_removed_and_reordered)
{
    char *base = conn_json(1, "198.51.100.5:443", "example.com", "\"x\",\"y\",\"z\"", SUITE_A,
                           NULL, NULL);
    char *changed = conn_json(1, "198.51.100.5:443", "example.com", "\"y\",\"x\",\"w\"",
                              SUITE_A, NULL, NULL);
    char *reordered = conn_json(1, "198.51.100.5:443", "example.com", "\"z\",\"y\",\"x\"",
                                SUITE_A, NULL, NULL);
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    ck_assert_int_eq(run_diff(base, changed, &o, &report, NULL), 1);
    ck_assert_ptr_nonnull(strstr(report, "diff key=example.com:443 n=1 "
                                         "field=offered_cipher_suites a=x,y,z b=y,x,w added=w "
                                         "removed=z\n"));
    free(report);
    ck_assert_int_eq(run_diff(base, reordered, &o, &report, NULL), 1);
    ck_assert_ptr_nonnull(strstr(report, "field=offered_cipher_suites a=x,y,z b=z,y,x "
                                         "reordered=true\n"));
    free(report);
    o.json = true;
    ck_assert_int_eq(run_diff(base, changed, &o, &report, NULL), 1);
    ck_assert_ptr_nonnull(strstr(report, "{\"event\":\"diff\",\"key\":\"example.com:443\","
                                         "\"n\":1,\"field\":\"offered_cipher_suites\","
                                         "\"a\":[\"x\",\"y\",\"z\"],\"b\":[\"y\",\"x\",\"w\"],"
                                         "\"added\":[\"w\"],\"removed\":[\"z\"]}\n"));
    free(report);
    free(base);
    free(changed);
    free(reordered);
}
END_TEST

START_TEST(grease_differences_are_ignored)
{
    /* Where GREASE appears and how often changes per connection; hsdump prints "grease". */
    char *a = conn_json(1, "198.51.100.5:443", "example.com", "\"grease\"," SUITES2, SUITE_A,
                        ",\"key_share\":[\"grease\",\"x25519\"]", NULL);
    char *b = conn_json(1, "198.51.100.5:443", "example.com", SUITES2 ",\"grease\"", SUITE_A,
                        ",\"key_share\":[\"x25519\",\"grease\"]", NULL);
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    ck_assert_int_eq(run_diff(a, b, &o, &report, NULL), 0);
    free(report);
    free(a);
    free(b);
}
END_TEST

START_TEST(only_and_ignore_select_fields)
{
    char *a = conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL,
                        ",\"history\":\"CsxknGIDid\"");
    char *b = conn_json(1, "198.51.100.5:443", "example.com", "\"" SUITE_B "\"", SUITE_B, NULL,
                        ",\"history\":\"CsidID\"");
    struct diff_options o;
    char err[128];
    char *report;
    struct diff_counts c;

    diff_options_init(&o);
    ck_assert(diff_add_fields(&o, "history", true, err, sizeof(err)));
    ck_assert_int_eq(run_diff(a, b, &o, &report, &c), 1);
    ck_assert_uint_eq(count_lines(report), 2);
    ck_assert_ptr_nonnull(strstr(report, "field=history a=CsxknGIDid b=CsidID\n"));
    free(report);

    diff_options_init(&o);
    ck_assert(diff_add_fields(&o, "history,cipher_suite", false, err, sizeof(err)));
    ck_assert(diff_add_fields(&o, "offered_cipher_suites", false, err, sizeof(err)));
    ck_assert_int_eq(run_diff(a, b, &o, &report, &c), 0);
    ck_assert_uint_eq(c.identical, 1);
    free(report);

    /* --only then --ignore: what is left of the first minus the second. */
    diff_options_init(&o);
    ck_assert(diff_add_fields(&o, "history,cipher_suite", true, err, sizeof(err)));
    ck_assert(diff_add_fields(&o, "history", false, err, sizeof(err)));
    ck_assert_int_eq(run_diff(a, b, &o, &report, NULL), 1);
    ck_assert_uint_eq(count_lines(report), 2);
    ck_assert_ptr_nonnull(strstr(report, " field=cipher_suite "));
    free(report);

    diff_options_init(&o);
    ck_assert(!diff_add_fields(&o, "history,bogus", true, err, sizeof(err)));
    ck_assert_str_eq(err, "bogus: unknown field");
    free(a);
    free(b);
}
END_TEST

START_TEST(field_names_and_certificate_groups)
{
    ck_assert(summary_field_pattern_valid("offered_cipher_suites"));
    ck_assert(summary_field_pattern_valid("cert"));
    ck_assert(summary_field_pattern_valid("certificates"));
    ck_assert(summary_field_pattern_valid("cert1"));
    ck_assert(summary_field_pattern_valid("client_cert0.sha256"));
    ck_assert(!summary_field_pattern_valid("cert0.serial"));
    ck_assert(!summary_field_pattern_valid("cipher_suites"));
    ck_assert(!summary_field_pattern_valid("time"));
    ck_assert(summary_field_pattern_matches("cert", "cert0.subject"));
    ck_assert(summary_field_pattern_matches("certificates", "chain_length"));
    ck_assert(summary_field_pattern_matches("cert", "client_cert1.issuer"));
    ck_assert(summary_field_pattern_matches("cert0", "cert0.subject"));
    ck_assert(!summary_field_pattern_matches("cert0", "cert01.subject"));
    ck_assert(!summary_field_pattern_matches("cert", "cipher_suite"));
    ck_assert(!summary_field_pattern_matches("client_cert", "cert0.subject"));
    ck_assert(!summary_field_pattern_matches("extensions", "server_extensions"));
    ck_assert(!summary_field_pattern_matches("extensions", "hrr_extensions"));
}
END_TEST

START_TEST(pairing_by_sni_then_order_with_unpaired)
{
    /* a: example.com twice, then other.test; b: example.com once, then a new host. */
    char *a = join(join(conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL,
                                  NULL),
                        conn_json(2, "198.51.100.5:443", "example.com", SUITES2, SUITE_B, NULL,
                                  NULL)),
                   conn_json(3, "198.51.100.6:443", "other.test", SUITES2, SUITE_A, NULL, NULL));
    char *b = join(conn_json(5, "198.51.100.7:8443", NULL, SUITES2, SUITE_A, NULL, NULL),
                   conn_json(6, "203.0.113.9:443", "example.com", SUITES2, SUITE_A, NULL, NULL));
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    struct diff_counts c;
    ck_assert_int_eq(run_diff(a, b, &o, &report, &c), 1);
    /* The first example.com of each pairs (other server address, same SNI and port). */
    ck_assert_str_eq(report,
                     "diff a=a.json b=b.json key=sni paired=1 identical=1 different=0 only_a=2 "
                     "only_b=1\n"
                     "only_a key=example.com:443 n=2 sni=example.com version=TLSv1.2 "
                     "cipher_suite=TLS_AES_256_GCM_SHA384 flow=full status=established\n"
                     "only_a key=other.test:443 n=1 sni=other.test version=TLSv1.2 "
                     "cipher_suite=TLS_AES_128_GCM_SHA256 flow=full status=established\n"
                     "only_b key=198.51.100.7:8443 n=1 version=TLSv1.2 "
                     "cipher_suite=TLS_AES_128_GCM_SHA256 flow=full status=established\n");
    free(report);

    /* By server address nothing pairs. */
    o.key = SUMMARY_KEY_SERVER;
    ck_assert_int_eq(run_diff(a, b, &o, &report, &c), 1);
    ck_assert_uint_eq(c.paired, 0);
    ck_assert_uint_eq(c.only_a, 3);
    ck_assert_uint_eq(c.only_b, 2);
    free(report);
    free(a);
    free(b);
}
END_TEST

START_TEST(transport_and_starttls_are_compared_and_keyed)
{
    /* One server over TCP (after SMTP's STARTTLS in b) and over QUIC. */
    char *a = join(conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL),
                   conn_json(2, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL,
                             ",\"transport\":\"quic\""));
    char *b = join(conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL,
                             ",\"starttls\":\"smtp\""),
                   conn_json(2, "198.51.100.5:443", "example.com", SUITES2, SUITE_B, NULL,
                             ",\"transport\":\"quic\""));
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    ck_assert_int_eq(run_diff(a, b, &o, &report, NULL), 1);
    /* QUIC pairs with QUIC, TCP with TCP, although both came first in their series. */
    ck_assert_str_eq(report,
                     "diff a=a.json b=b.json key=sni paired=2 identical=0 different=2 only_a=0 "
                     "only_b=0\n"
                     "diff key=example.com:443 n=1 field=starttls a=\"\" b=smtp\n"
                     "diff key=example.com:443/quic n=1 field=cipher_suite "
                     "a=TLS_AES_128_GCM_SHA256 b=TLS_AES_256_GCM_SHA384\n");
    free(report);

    o.key = SUMMARY_KEY_SERVER;
    ck_assert_int_eq(run_diff(a, b, &o, &report, NULL), 1);
    ck_assert_ptr_nonnull(strstr(report, "diff key=198.51.100.5:443/quic n=1 field=cipher_suite "));
    free(report);

    /* --canonical: transport first, tcp where the close line has none. */
    struct summary_set set;
    load(a, &set);
    ck_assert_str_eq(set.s[0].items[0].name, "transport");
    ck_assert_str_eq(set.s[0].items[0].values[0], "tcp");
    ck_assert_str_eq(set.s[1].items[0].values[0], "quic");
    summary_set_free(&set);
    free(a);
    free(b);
}
END_TEST

START_TEST(pairing_by_client_hello)
{
    /* Same offer to different hosts pairs by client-hello; another offer does not. */
    char *a = join(conn_json(1, "198.51.100.5:443", "example.com", SUITES2, SUITE_A, NULL, NULL),
                   conn_json(2, "198.51.100.5:443", "example.com", "\"" SUITE_A "\"", SUITE_A,
                             ",\"ja4\":\"t13d0102h2_aaaaaaaaaaaa_bbbbbbbbbbbb\"", NULL));
    char *b = join(conn_json(1, "192.0.2.99:443", "other.test", SUITES2, SUITE_B, NULL, NULL),
                   conn_json(2, "192.0.2.99:443", "other.test", "\"" SUITE_A "\"", SUITE_A,
                             ",\"ja4\":\"t13d0102h2_aaaaaaaaaaaa_bbbbbbbbbbbb\"", NULL));
    struct diff_options o;
    diff_options_init(&o);
    o.key = SUMMARY_KEY_CLIENT_HELLO;
    ck_assert(diff_add_fields(&o, "sni", false, (char[64]){0}, 64));
    char *report;
    struct diff_counts c;
    ck_assert_int_eq(run_diff(a, b, &o, &report, &c), 1);
    ck_assert_uint_eq(c.paired, 2);
    ck_assert_uint_eq(c.different, 1);
    ck_assert_ptr_nonnull(strstr(report, " key=client-hello paired=2 "));
    /* Without ja4 the key is a hash of the offer. */
    ck_assert_ptr_nonnull(strstr(report, "diff key=ch_"));
    ck_assert_ptr_nonnull(strstr(report, " n=1 field=cipher_suite a=TLS_AES_128_GCM_SHA256 "));
    free(report);
    free(a);
    free(b);
}
END_TEST

START_TEST(hrr_certificates_and_alerts_are_summarised)
{
    static const char json[] =
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"c2s\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"handshake\",\"message\":\"client_hello\",\"cipher_suites\":[\"a\",\"b\"],"
        "\"extensions\":[\"key_share\"],\"key_share\":[\"x25519\"]}\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"s2c\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"handshake\",\"message\":\"hello_retry_request\",\"key_share\":\"secp256r1\"}\n"
        "\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"c2s\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"handshake\",\"message\":\"client_hello\",\"cipher_suites\":[\"a\",\"b\"],"
        "\"extensions\":[\"key_share\"],\"key_share\":[\"secp256r1\"]}\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"s2c\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"handshake\",\"message\":\"certificate\",\"certificates\":2}\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"s2c\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"x509\",\"index\":0,\"subject\":\"CN=a b\",\"san_dns\":[\"a\",\"b\"],"
        "\"serial\":\"01\"}\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"s2c\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"x509\",\"index\":1,\"subject\":\"CN=root\"}\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"c2s\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"alert\",\"level\":\"fatal\",\"description\":\"unknown_ca\"}\n"
        "{\"conn\":4,\"client\":\"192.0.2.1:1\",\"dir\":\"s2c\",\"server\":\"[2001:db8::1]:443\","
        "\"event\":\"alert\",\"encrypted\":true,\"length\":26}\n";
    struct summary_set set;
    load(json, &set);
    ck_assert_uint_eq(set.n, 1);
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    summary_print_canonical(&set, SUMMARY_KEY_SNI, fp);
    fclose(fp);
    /* No SNI: the server address is the key; the second hello differs only in key_share. */
    ck_assert_str_eq(out, "key=[2001:db8::1]:443 n=1 transport=tcp "
                          "offered_cipher_suites=a,b extensions=key_share key_share_groups=x25519 "
                          "hrr_key_share_groups=secp256r1 hrr_group=secp256r1 chain_length=2 "
                          "cert0.subject=CN\\x3da\\x20b cert0.san_dns=a,b "
                          "cert1.subject=CN\\x3droot "
                          "alerts=client:fatal:unknown_ca,server:encrypted\n");
    free(out);
    summary_set_free(&set);
}
END_TEST

START_TEST(canonical_output_is_sorted_by_key_then_order)
{
    char *json = join(join(conn_json(1, "198.51.100.5:443", "zeta.test", SUITES2, SUITE_A, NULL,
                                     NULL),
                           conn_json(2, "198.51.100.5:443", "alpha.test", SUITES2, SUITE_B,
                                     NULL, NULL)),
                      conn_json(3, "198.51.100.5:443", "zeta.test", SUITES2, SUITE_B, NULL,
                                NULL));
    struct summary_set set;
    load(json, &set);
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    summary_print_canonical(&set, SUMMARY_KEY_SNI, fp);
    fclose(fp);
    ck_assert_uint_eq(count_lines(out), 3);
    const char *l1 =
        strstr(out, "key=alpha.test:443 n=1 transport=tcp offered_legacy_version=TLSv1.2 ");
    const char *l2 = strstr(out, "key=zeta.test:443 n=1 ");
    const char *l3 = strstr(out, "key=zeta.test:443 n=2 ");
    ck_assert_ptr_eq(l1, out);
    ck_assert_ptr_nonnull(l2);
    ck_assert_ptr_nonnull(l3);
    ck_assert(l2 < l3);
    ck_assert_ptr_nonnull(strstr(l2, "cipher_suite=TLS_AES_128_GCM_SHA256 "));
    ck_assert_ptr_null(strstr(out, "bytes"));
    ck_assert_ptr_null(strstr(out, "50000"));
    free(out);
    summary_set_free(&set);
    free(json);
}
END_TEST

START_TEST(values_use_text_escaping)
{
    /* JSON carries the wire's characters (here a NUL, a backslash, a quote and UTF-8) and a
     * byte that is not UTF-8 as \xHH; text escapes them all. */
    static const char sni[] = "a\\u0000b\\\\\\\"caf\\u00e9\\\\xff";
    char *a = conn_json(1, "198.51.100.5:443", sni, SUITES2, SUITE_A, NULL, NULL);
    char *b = conn_json(1, "198.51.100.5:443", sni, "\"x,y\"", SUITE_A, NULL, NULL);
    struct diff_options o;
    diff_options_init(&o);
    char *report;
    ck_assert_int_eq(run_diff(a, b, &o, &report, NULL), 1);
    ck_assert_ptr_nonnull(strstr(report, "diff key=a\\x00b\\\\\\x22caf\\xc3\\xa9\\xff:443 n=1 "
                                         "field=offered_cipher_suites "
                                         "a=TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384 "
                                         "b=x\\x2cy added=x\\x2cy removed="));
    free(report);
    free(a);
    free(b);
}
END_TEST

START_TEST(bad_json_names_its_line)
{
    static const char *const bad[][2] = {
        {"{\"conn\":1,\"event\":\"close\"}\n\n{nope\n", "line 3: invalid JSON: "},
        {"[1,2]\n", "line 1: not a JSON object"},
        {"{\"event\":\"close\"}\n", "line 1: no \"conn\" number"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct summary_set set;
        summary_set_init(&set);
        FILE *fp = fmemopen((void *)bad[i][0], strlen(bad[i][0]), "r");
        char err[256];
        ck_assert(!summary_read_json(fp, &set, err, sizeof(err)));
        ck_assert_msg(strncmp(err, bad[i][1], strlen(bad[i][1])) == 0, "%s", err);
        fclose(fp);
        summary_set_free(&set);
    }
}
END_TEST

START_TEST(command_line_errors_exit_2)
{
    static const char *const cases[][5] = {
        {"diff", "--key", "tls", "a", "b"},
        {"diff", "--only", "bogus", "a", "b"},
        {"diff", "-T", "xml", "a", "b"},
        {"diff", "--bogus", "a", "b", NULL},
        {"diff", "a", NULL, NULL, NULL},
        {"diff", "/nonexistent/a.json", "/nonexistent/b.json", NULL, NULL},
    };
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* the expected messages */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = 0;
        char *argv[6] = {0};
        while (argc < 5 && cases[i][argc] != NULL) {
            argv[argc] = (char *)cases[i][argc];
            argc++;
        }
        char *out = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&out, &len);
        ck_assert_msg(diff_run(argc, argv, fp) == 2, "case %zu", i);
        fclose(fp);
        free(out);
    }
}
END_TEST

Suite *suite_diff(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, identical_sets_have_no_differences);
    tcase_add_test(tc, changed_cipher_suite_is_reported);
    tcase_add_test(tc, cipher_suites_added_removed_and_reordered);
    tcase_add_test(tc, grease_differences_are_ignored);
    tcase_add_test(tc, only_and_ignore_select_fields);
    tcase_add_test(tc, field_names_and_certificate_groups);
    tcase_add_test(tc, pairing_by_sni_then_order_with_unpaired);
    tcase_add_test(tc, pairing_by_client_hello);
    tcase_add_test(tc, transport_and_starttls_are_compared_and_keyed);
    tcase_add_test(tc, hrr_certificates_and_alerts_are_summarised);
    tcase_add_test(tc, canonical_output_is_sorted_by_key_then_order);
    tcase_add_test(tc, values_use_text_escaping);
    tcase_add_test(tc, bad_json_names_its_line);
    tcase_add_test(tc, command_line_errors_exit_2);
    suite_add_tcase(s, tc);
    return s;
}
