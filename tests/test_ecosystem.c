/* Tests for src/output/ecosystem.c, output_ecs.c and output_zeek.c: records built from events
 * made here, for what the bundled captures do not hold (escaping of reserved and empty
 * values, wildcard names, RFC 4514 escapes, the per-connection gathering). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "output/ecosystem.h"
#include "output/ecosystem_conn.h"
#include "output/output.h"
#include "suites.h"

static const struct endpoint client = {4, {192, 0, 2, 1}, 40000};
static const struct endpoint server = {6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 443};

static struct event_prefix prefix(uint64_t id, long sec, enum dir d)
{
    struct event_prefix p = {{sec, 250000}, id, &client, &server, d, NULL, NULL, NULL, 0, 0};
    return p;
}

static void string_field(struct fields *f, const char *key, const char *value)
{
    fields_add_string(f, key, cur_make((const uint8_t *)value, strlen(value)));
}

/* An output into memory with -T ecs or -T zeek gathering. */
struct harness {
    char *text;
    size_t size;
    FILE *fp;
    struct output o;
};

static void harness_open(struct harness *h, enum out_format format)
{
    h->text = NULL;
    h->size = 0;
    h->fp = open_memstream(&h->text, &h->size);
    ck_assert_ptr_nonnull(h->fp);
    out_init(&h->o, h->fp, false, NULL);
    h->o.eco = eco_new(format, NULL);
    ck_assert_ptr_nonnull(h->o.eco);
}

/* Ends the output (Zeek's #close); the text written is h->text, to free. */
static void harness_close(struct harness *h)
{
    ck_assert(eco_end(h->o.eco, &h->o));
    eco_free(h->o.eco);
    fclose(h->fp);
}

/* The ssl.log line of a close line alone (no events before it). */
static const char *ssl_line(const struct fields *close)
{
    static char line[4096];
    struct eco_conn c;
    memset(&c, 0, sizeof(c));
    c.start = (struct timeval){1700000000, 5};
    c.sni_matches = -1;
    c.last_alert = -1;
    struct event_prefix p = prefix(42, 1700000001, DIR_C2S);
    size_t n = zeek_ssl_record(&c, &p, close, line, sizeof(line));
    ck_assert_uint_gt(n, 0);
    line[n - 1] = '\0';
    return line;
}

/* Zeek's ASCII writer: "-" and "(empty)" as values get their first byte escaped, an empty
 * string is (empty), a tab or a backslash is \xNN, an unknown code point unknown-N. */
START_TEST(zeek_reserved_values)
{
    struct fields f;
    fields_init(&f, "close", NULL);
    fields_add_token(&f, "version", "TLSv1.3");
    fields_add_token(&f, "cipher_suite", "0x1a2b");
    string_field(&f, "sni", "-");
    string_field(&f, "alpn", "(empty)");
    string_field(&f, "ja3", "a\tb\\c\xc3\xa9");
    fields_add_string(&f, "ja3s", cur_make(NULL, 0));
    fields_add_token(&f, "status", "established");
    fields_add_token(&f, "flow", "psk");
    ck_assert_str_eq(ssl_line(&f),
                     "1700000000.000005\tC00000000000000042\t192.0.2.1\t40000\t2001:db8::1\t443\t"
                     "TLSv13\tunknown-6699\t-\t\\x2d\tT\t-\t\\x28empty)\tT\t(empty)\t-\t-\t-\t"
                     "a\\x09b\\x5cc\\xc3\\xa9\t(empty)");
}
END_TEST

/* Every event of a connection through eco_event: history letters of plaintext messages only,
 * the last plaintext alert, the chain's fingerprints and the SNI matched against a wildcard
 * name; the record at the close, after Zeek's header. */
START_TEST(zeek_gathers_a_connection)
{
    struct harness h;
    harness_open(&h, FORMAT_ZEEK);
    struct fields f;
    struct event_prefix c2s = prefix(3, 1700000000, DIR_C2S);
    struct event_prefix s2c = prefix(3, 1700000000, DIR_S2C);
    fields_init(&f, "handshake", "client_hello");
    string_field(&f, "sni", "www.Example.com");
    out_event(&h.o, &c2s, &f);
    fields_init(&f, "handshake", "server_hello");
    out_event(&h.o, &s2c, &f);
    uint8_t sha[32] = {0xab};
    for (int i = 0; i < 2; i++) {
        fields_init(&f, "x509", NULL);
        fields_add_uint(&f, "index", (uint64_t)i);
        string_field(&f, "subject", "CN=ignored.example");
        fields_list_begin(&f, "san_dns");
        fields_list_string(&f, cur_make((const uint8_t *)"*.example.com", 13));
        fields_list_end(&f);
        sha[31] = (uint8_t)i;
        fields_add_hex(&f, "sha256", cur_make(sha, sizeof(sha)));
        out_event(&h.o, &s2c, &f);
    }
    fields_init(&f, "alert", NULL);
    fields_add_token(&f, "level", "fatal");
    fields_add_token(&f, "description", "bad_certificate");
    out_event(&h.o, &c2s, &f);
    fields_init(&f, "alert", NULL);
    fields_add_bool(&f, "encrypted", true);
    out_event(&h.o, &s2c, &f);
    fields_init(&f, "close", NULL);
    fields_add_token(&f, "status", "failed");
    struct event_prefix end = prefix(3, 1700000002, DIR_C2S);
    out_event(&h.o, &end, &f);
    harness_close(&h);
    const char *text = h.text;
    ck_assert_ptr_nonnull(strstr(text, "#path\tssl\n#open\t2023-11-14-22-13-20\n"));
    /* the close line has no sni: server_name unset; the match was made with the hello's */
    ck_assert_ptr_nonnull(strstr(
        text, "\n1700000000.250000\tC00000000000000003\t192.0.2.1\t40000\t2001:db8::1\t443\t"
              "-\t-\t-\t-\tF\tbad_certificate\t-\tF\tCsL\t"
              "ab00000000000000000000000000000000000000000000000000000000000000,"
              "ab00000000000000000000000000000000000000000000000000000000000001\t(empty)\tT\t"
              "-\t-\n#close\t2023-11-14-22-13-22\n"));
    free(h.text);
}
END_TEST

START_TEST(zeek_wildcards)
{
    struct fields x;
    fields_init(&x, "x509", NULL);
    string_field(&x, "subject", "O=A\\, B,CN=*.cn.example");
    ck_assert(zeek_name_matches(cur_make((const uint8_t *)"a.cn.example", 12), &x));
    ck_assert(!zeek_name_matches(cur_make((const uint8_t *)"a.b.cn.example", 14), &x));
    ck_assert(!zeek_name_matches(cur_make((const uint8_t *)"cn.example", 10), &x));
    fields_list_begin(&x, "san_dns");
    fields_list_string(&x, cur_make((const uint8_t *)"san.example", 11));
    fields_list_end(&x);
    /* with SANs the CN is not looked at (RFC 6125 6.4.4) */
    ck_assert(!zeek_name_matches(cur_make((const uint8_t *)"a.cn.example", 12), &x));
    ck_assert(zeek_name_matches(cur_make((const uint8_t *)"SAN.example", 11), &x));
}
END_TEST

/* RFC 4514 2.4: "\," and "\\" and "\0A" undone; "+" separates a multi-valued RDN. */
START_TEST(dn_escapes)
{
    const char *dn = "CN=a\\,b\\\\c\\0Ad+OU=x,O=caf\xc3\xa9";
    struct cursor c = cur_make((const uint8_t *)dn, strlen(dn));
    char type[16], val[64];
    size_t len;
    ck_assert(dn_next(&c, type, sizeof(type), val, sizeof(val), &len));
    ck_assert_str_eq(type, "CN");
    ck_assert_str_eq(val, "a,b\\c\nd");
    ck_assert(dn_next(&c, type, sizeof(type), val, sizeof(val), &len));
    ck_assert_str_eq(type, "OU");
    ck_assert_str_eq(val, "x");
    ck_assert(dn_next(&c, type, sizeof(type), val, sizeof(val), &len));
    ck_assert_str_eq(type, "O");
    ck_assert_str_eq(val, "caf\xc3\xa9");
    ck_assert(!dn_next(&c, type, sizeof(type), val, sizeof(val), &len));
}
END_TEST

/* The ECS record: nested objects, ECS's types, the duration in nanoseconds, the outcome. */
START_TEST(ecs_record_of_a_close)
{
    static char line[8192];
    struct eco_conn c;
    memset(&c, 0, sizeof(c));
    c.start = (struct timeval){1700000000, 250000};
    c.sni_matches = -1;
    c.last_alert = -1;
    struct fields f;
    fields_init(&f, "close", NULL);
    fields_add_token(&f, "status", "failed");
    fields_add_token(&f, "version", "DTLSv1.2");
    fields_add_token(&f, "transport", "dtls");
    fields_add_uint(&f, "bytes_c2s", 10);
    struct event_prefix p = prefix(9, 1700000002, DIR_C2S);
    size_t n = ecs_record(&c, &p, &f, line, sizeof(line));
    ck_assert_uint_gt(n, 0);
    line[n - 1] = '\0';
    ck_assert_str_eq(
        line,
        "{\"@timestamp\":\"2023-11-14T22:13:20.250000Z\",\"destination\":{\"ip\":"
        "\"2001:db8::1\",\"port\":443},\"ecs\":{\"version\":\"8.12.0\"},\"event\":{"
        "\"category\":[\"network\"],\"dataset\":\"hsdump.tls\",\"duration\":2000000000,"
        "\"end\":\"2023-11-14T22:13:22.250000Z\",\"kind\":\"event\",\"module\":\"hsdump\","
        "\"outcome\":\"failure\",\"start\":\"2023-11-14T22:13:20.250000Z\",\"type\":["
        "\"connection\",\"protocol\"]},\"hsdump\":{\"conn\":9,\"status\":\"failed\","
        "\"version\":\"DTLSv1.2\",\"transport\":\"dtls\",\"bytes_c2s\":10},\"network\":{"
        "\"protocol\":\"dtls\",\"transport\":\"udp\"},\"source\":{\"bytes\":10,\"ip\":"
        "\"192.0.2.1\",\"port\":40000},\"tls\":{\"established\":false,\"resumed\":false,"
        "\"version\":\"1.2\",\"version_protocol\":\"dtls\"}}");
}
END_TEST

/* A certificate whose ECS object exceeds ECO_CERT_JSON_MAX is left out, and the record says
 * so; the fingerprint still comes. */
START_TEST(ecs_oversized_certificate_is_said)
{
    struct harness h;
    harness_open(&h, FORMAT_ECS);
    struct fields f;
    struct event_prefix s2c = prefix(5, 1700000000, DIR_S2C);
    fields_init(&f, "x509", NULL);
    fields_add_uint(&f, "index", 0);
    uint8_t quotes[40];
    memset(quotes, '"', sizeof(quotes)); /* each written as \" in JSON */
    fields_list_begin(&f, "san_dns");
    for (int i = 0; i < 300; i++) {
        fields_list_string(&f, cur_make(quotes, sizeof(quotes)));
    }
    fields_list_end(&f);
    uint8_t sha[32] = {0x5a};
    fields_add_hex(&f, "sha256", cur_make(sha, sizeof(sha)));
    ck_assert(!f.overflow);
    out_event(&h.o, &s2c, &f);
    fields_init(&f, "close", NULL);
    out_event(&h.o, &s2c, &f);
    harness_close(&h);
    const char *text = h.text;
    ck_assert_ptr_nonnull(strstr(text, "\"server_x509_omitted\":true"));
    ck_assert_ptr_nonnull(strstr(text, "\"server\":{\"hash\":{\"sha256\":\"5A00"));
    ck_assert_ptr_null(strstr(text, "\"x509\":"));
    free(h.text);
}
END_TEST

Suite *suite_ecosystem(void)
{
    Suite *s = suite_create("ecosystem");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, zeek_reserved_values);
    tcase_add_test(tc, zeek_gathers_a_connection);
    tcase_add_test(tc, zeek_wildcards);
    tcase_add_test(tc, dn_escapes);
    tcase_add_test(tc, ecs_record_of_a_close);
    tcase_add_test(tc, ecs_oversized_certificate_is_said);
    suite_add_tcase(s, tc);
    return s;
}
