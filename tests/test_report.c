/* The end-of-run report (src/report/report.c): rows per server and per JA4, the columns of
 * causes, weak items and certificate checks filled from the real enum values (their names
 * come from the diagnosis and cert_check APIs, whatever they are), ordering, the "other" row
 * and the error bound past --report-top, JSON Lines and aligned text. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/cert_check.h"
#include "checks/diagnosis.h"
#include "output/endpoint.h"
#include "report/report.h"
#include "suites.h"
#include "tls/tls.h"

static struct endpoint server_at(uint8_t last, uint16_t port)
{
    struct endpoint e = {.family = 4, .addr = {192, 0, 2, last}, .port = port};
    return e;
}

static struct report_conn conn_to(const char *sni, const struct endpoint *server,
                                  const char *ja4)
{
    struct report_conn c = {
        .sni = (const uint8_t *)sni,
        .sni_len = sni != NULL ? strlen(sni) : 0,
        .server = server,
        .ja4 = ja4,
        .has_version = true,
        .version = 0x0304,
        .cipher_suite = 0x1301,
    };
    return c;
}

/* The report's output, as one string the caller frees. */
static char *printed(const struct report *r, enum out_format format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    ck_assert(report_print(r, fp, format));
    fclose(fp);
    return text;
}

/* Line n (from 0) of text, into buf. */
static const char *line_of(const char *text, size_t n, char *buf, size_t cap)
{
    for (; n > 0 && text != NULL; n--) {
        text = strchr(text, '\n');
        text = text != NULL ? text + 1 : NULL;
    }
    ck_assert_ptr_nonnull(text);
    size_t len = strcspn(text, "\n");
    ck_assert_uint_lt(len, cap);
    memcpy(buf, text, len);
    buf[len] = '\0';
    return buf;
}

START_TEST(rows_count_handshakes_versions_and_suites)
{
    struct report *r = report_new(10);
    struct endpoint a = server_at(1, 443);
    struct endpoint b = server_at(2, 8443);
    struct report_conn c = conn_to("a.example", &a, "t13d_ja4_one");
    report_count(r, &c);
    report_count(r, &c);
    c.version = 0x0303;
    c.cipher_suite = 0xc02f;
    report_count(r, &c);
    struct report_conn d = conn_to(NULL, &b, "t13d_ja4_one"); /* no SNI: by address */
    d.has_version = false;
    report_count(r, &d);
    char *out = printed(r, FORMAT_JSON);
    char buf[1024];
    ck_assert_str_eq(line_of(out, 0, buf, sizeof(buf)),
                     "{\"event\":\"report\",\"connections\":4,\"top\":10,\"servers\":2,"
                     "\"servers_taken\":0,\"clients\":1,\"clients_taken\":0}");
    ck_assert_str_eq(line_of(out, 1, buf, sizeof(buf)),
                     "{\"event\":\"report_server\",\"server\":\"a.example\",\"port\":443,"
                     "\"is_sni\":true,\"handshakes\":3,\"error\":0,\"failures\":0,\"causes\":{},"
                     "\"versions\":{\"TLSv1.3\":2,\"TLSv1.2\":1},"
                     "\"chosen_cipher_suites\":{\"TLS_AES_128_GCM_SHA256\":2,"
                     "\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\":1},"
                     "\"cert_issue_counts\":{},\"trust_counts\":{},\"weak_counts\":{}}");
    ck_assert_str_eq(line_of(out, 2, buf, sizeof(buf)),
                     "{\"event\":\"report_server\",\"server\":\"192.0.2.2\",\"port\":8443,"
                     "\"is_sni\":false,\"handshakes\":1,\"error\":0,\"failures\":0,\"causes\":{},"
                     "\"versions\":{},\"chosen_cipher_suites\":{},\"cert_issue_counts\":{},\"trust_counts\":{},"
                     "\"weak_counts\":{}}");
    ck_assert_str_eq(line_of(out, 3, buf, sizeof(buf)),
                     "{\"event\":\"report_client\",\"ja4\":\"t13d_ja4_one\",\"handshakes\":4,"
                     "\"error\":0,\"servers\":2,\"servers_exact\":true,\"failures\":0}");
    free(out);
    report_free(r);
}
END_TEST

/* The causes, weak items, certificate issues and trust columns, from hand-set enum values:
 * each name comes from its API, so the expectations hold for any names those give. */
START_TEST(cause_weak_and_certificate_columns)
{
    struct report *r = report_new(10);
    struct endpoint a = server_at(1, 443);
    struct chain_check bad = {.checked = true,
                              .issues = 1u << CERT_ISSUE_EXPIRED | 1u << CERT_ISSUE_SELF_SIGNED,
                              .trust = CERT_TRUST_UNTRUSTED};
    struct chain_check good = {.checked = true, .trust = CERT_TRUST_TRUSTED};
    struct chain_check unread = {.checked = false};
    struct report_conn c = conn_to("a.example", &a, "ja4");
    c.cause = CAUSE_UNKNOWN_CA;
    c.weak = 1u << WEAK_TLS10 | 1u << WEAK_RC4;
    c.chain = &bad;
    report_count(r, &c);
    report_count(r, &c);
    c.cause = CAUSE_CERTIFICATE_EXPIRED;
    c.weak = 1u << WEAK_TLS10;
    c.chain = &good;
    report_count(r, &c);
    c.cause = CAUSE_NONE;
    c.weak = 0;
    c.chain = &unread; /* not counted under cert_issues or trust */
    report_count(r, &c);
    char *out = printed(r, FORMAT_JSON);
    char want[2048];
    snprintf(want, sizeof(want),
             "{\"event\":\"report_server\",\"server\":\"a.example\",\"port\":443,\"is_sni\":true,"
             "\"handshakes\":4,\"error\":0,\"failures\":3,\"causes\":{\"%s\":2,\"%s\":1},"
             "\"versions\":{\"TLSv1.3\":4},\"chosen_cipher_suites\":{\"TLS_AES_128_GCM_SHA256\":4},"
             "\"cert_issue_counts\":{\"%s\":2,\"%s\":2},\"trust_counts\":{\"untrusted\":2,\"trusted\":1},"
             "\"weak_counts\":{\"%s\":3,\"%s\":2}}",
             cause_name(CAUSE_UNKNOWN_CA), cause_name(CAUSE_CERTIFICATE_EXPIRED),
             cert_issue_name(CERT_ISSUE_EXPIRED), cert_issue_name(CERT_ISSUE_SELF_SIGNED),
             weak_name(WEAK_TLS10), weak_name(WEAK_RC4));
    char buf[2048];
    ck_assert_str_eq(line_of(out, 1, buf, sizeof(buf)), want);
    ck_assert_str_eq(line_of(out, 2, buf, sizeof(buf)),
                     "{\"event\":\"report_client\",\"ja4\":\"ja4\",\"handshakes\":4,"
                     "\"error\":0,\"servers\":1,\"servers_exact\":true,\"failures\":3}");
    free(out);
    /* the same row as text: name:count lists in the same order */
    out = printed(r, FORMAT_TEXT);
    snprintf(want, sizeof(want), "%s:2,%s:1", cause_name(CAUSE_UNKNOWN_CA),
             cause_name(CAUSE_CERTIFICATE_EXPIRED));
    ck_assert_ptr_nonnull(strstr(out, want));
    snprintf(want, sizeof(want), "%s:3,%s:2", weak_name(WEAK_TLS10), weak_name(WEAK_RC4));
    ck_assert_ptr_nonnull(strstr(out, want));
    ck_assert_ptr_nonnull(strstr(out, "untrusted:2,trusted:1"));
    free(out);
    report_free(r);
}
END_TEST

/* report_add() reads a connection's state as the close line does. */
START_TEST(report_add_reads_the_connection_state)
{
    struct report *r = report_new(10);
    struct tls_state *st = calloc(1, sizeof(*st));
    struct endpoint a = server_at(9, 853);
    st->has_sni = true;
    memcpy(st->sni, "dot.example", 11);
    st->sni_len = 11;
    st->server_hello_seen = true;
    st->version = 0x0304;
    st->cipher_suite = 0x1302;
    strcpy(st->ja4, "t13d1516h2_8daaf6152771_b0da82dd1658");
    st->server_chain.checked = true;
    st->server_chain.issues = 1u << CERT_ISSUE_HOSTNAME_MISMATCH;
    st->server_chain.trust = CERT_TRUST_TRUSTED;
    struct close_facts end = {CLOSE_FIN, -1, false};
    report_add(r, st, &a, &end);
    st->server_hello_malformed = true; /* its values were taken back: not counted */
    report_add(r, st, &a, &end);
    enum tls_cause cause = cause_of(st, &end); /* whatever diagnosis says of this state */
    char *out = printed(r, FORMAT_JSON);
    char want[1024];
    char causes[128] = "{}";
    if (cause != CAUSE_NONE) {
        snprintf(causes, sizeof(causes), "{\"%s\":2}", cause_name(cause));
    }
    snprintf(want, sizeof(want),
             "{\"event\":\"report_server\",\"server\":\"dot.example\",\"port\":853,\"is_sni\":true,"
             "\"handshakes\":2,\"error\":0,\"failures\":%d,\"causes\":%s,"
             "\"versions\":{\"TLSv1.3\":1},\"chosen_cipher_suites\":{\"TLS_AES_256_GCM_SHA384\":1},"
             "\"cert_issue_counts\":{\"%s\":2},\"trust_counts\":{\"trusted\":2},\"weak_counts\":{",
             cause != CAUSE_NONE ? 2 : 0, causes,
             cert_issue_name(CERT_ISSUE_HOSTNAME_MISMATCH));
    char buf[1024];
    ck_assert_msg(strncmp(line_of(out, 1, buf, sizeof(buf)), want, strlen(want)) == 0,
                  "%s\nis not\n%s", buf, want);
    ck_assert_ptr_nonnull(strstr(out, "\"ja4\":\"t13d1516h2_8daaf6152771_b0da82dd1658\""));
    free(out);
    free(st);
    report_free(r);
}
END_TEST

START_TEST(rows_are_ordered_by_handshakes_then_name)
{
    struct report *r = report_new(10);
    struct endpoint a = server_at(1, 443);
    const char *names[] = {"b.example", "a.example", "c.example", "c.example", "a.example",
                           "c.example"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct report_conn c = conn_to(names[i], &a, "ja4");
        report_count(r, &c);
    }
    char *out = printed(r, FORMAT_TEXT);
    char buf[1024];
    /* summary, blank, header, rows */
    ck_assert_ptr_nonnull(strstr(line_of(out, 3, buf, sizeof(buf)), "c.example"));
    ck_assert_ptr_nonnull(strstr(line_of(out, 4, buf, sizeof(buf)), "a.example"));
    ck_assert_ptr_nonnull(strstr(line_of(out, 5, buf, sizeof(buf)), "b.example"));
    free(out);
    report_free(r);
}
END_TEST

/* Past --report-top: a kept row says its error bound, the rest is in the other row, and every
 * connection is in exactly one row. */
START_TEST(evicted_rows_go_to_other_with_an_error_bound)
{
    struct report *r = report_new(1);
    struct endpoint a = server_at(1, 443);
    struct report_conn x = conn_to("x.example", &a, "ja4_x");
    struct report_conn y = conn_to("y.example", &a, "ja4_y");
    y.cause = CAUSE_TIMEOUT;
    report_count(r, &x);
    report_count(r, &x);
    report_count(r, &y); /* takes x's slot: count 3, error 2 */
    char *out = printed(r, FORMAT_JSON);
    char buf[1024];
    ck_assert_str_eq(line_of(out, 0, buf, sizeof(buf)),
                     "{\"event\":\"report\",\"connections\":3,\"top\":1,\"servers\":1,"
                     "\"servers_taken\":1,\"clients\":1,\"clients_taken\":1}");
    ck_assert_ptr_nonnull(strstr(line_of(out, 1, buf, sizeof(buf)),
                                 "\"server\":\"y.example\",\"port\":443,\"is_sni\":true,"
                                 "\"handshakes\":1,\"error\":2,\"failures\":1"));
    ck_assert_ptr_nonnull(strstr(line_of(out, 2, buf, sizeof(buf)),
                                 "{\"event\":\"report_server\",\"other\":true,"
                                 "\"handshakes\":2,\"error\":0,\"failures\":0"));
    ck_assert_ptr_nonnull(strstr(line_of(out, 3, buf, sizeof(buf)),
                                 "\"ja4\":\"ja4_y\",\"handshakes\":1,\"error\":2"));
    ck_assert_ptr_nonnull(strstr(line_of(out, 4, buf, sizeof(buf)),
                                 "{\"event\":\"report_client\",\"other\":true,"
                                 "\"handshakes\":2,\"error\":0,\"servers\":1"));
    free(out);
    out = printed(r, FORMAT_TEXT);
    ck_assert_ptr_nonnull(strstr(out, "\n(other) "));
    free(out);
    report_free(r);
}
END_TEST

START_TEST(servers_reached_are_exact_up_to_the_cap)
{
    struct report *r = report_new(100);
    for (unsigned i = 0; i < REPORT_SERVERS_EXACT + 4; i++) {
        struct endpoint e = server_at((uint8_t)i, 443);
        struct report_conn c = conn_to(NULL, &e, "many");
        report_count(r, &c);
        report_count(r, &c); /* the same server again: not counted twice */
    }
    struct endpoint e = server_at(1, 443);
    struct report_conn few = conn_to(NULL, &e, "few");
    report_count(r, &few);
    char *out = printed(r, FORMAT_JSON);
    char want[256];
    snprintf(want, sizeof(want),
             "\"ja4\":\"many\",\"handshakes\":%u,\"error\":0,\"servers\":%u,"
             "\"servers_exact\":false", 2 * (REPORT_SERVERS_EXACT + 4), REPORT_SERVERS_EXACT);
    ck_assert_ptr_nonnull(strstr(out, want));
    ck_assert_ptr_nonnull(strstr(out, "\"ja4\":\"few\",\"handshakes\":1,\"error\":0,"
                                      "\"servers\":1,\"servers_exact\":true"));
    free(out);
    out = printed(r, FORMAT_TEXT);
    snprintf(want, sizeof(want), ">=%u", REPORT_SERVERS_EXACT);
    ck_assert_ptr_nonnull(strstr(out, want));
    free(out);
    report_free(r);
}
END_TEST

/* Names from the wire are escaped as on event lines; text columns line up. */
START_TEST(names_are_escaped_and_columns_aligned)
{
    struct report *r = report_new(10);
    struct endpoint a = server_at(1, 443);
    struct report_conn c = conn_to("we\"ird name", &a, "");
    report_count(r, &c);
    struct report_conn d = conn_to("s.example", &a, "ja4");
    report_count(r, &d);
    report_count(r, &d);
    char *out = printed(r, FORMAT_JSON);
    ck_assert_ptr_nonnull(strstr(out, "\"server\":\"we\\\"ird name\""));
    /* no fingerprint: no ja4 key */
    ck_assert_ptr_nonnull(strstr(out, "{\"event\":\"report_client\",\"handshakes\":1,"));
    free(out);
    out = printed(r, FORMAT_TEXT);
    char head[1024];
    char row1[1024];
    char row2[1024];
    line_of(out, 2, head, sizeof(head));
    line_of(out, 3, row1, sizeof(row1));
    line_of(out, 4, row2, sizeof(row2));
    ck_assert_ptr_nonnull(strstr(row2, "we\\x22ird\\x20name"));
    /* the port column ends at the same place on every line */
    size_t end = (size_t)(strstr(head, "port") - head) + 4;
    ck_assert(strncmp(row1 + end - 3, "443", 3) == 0);
    ck_assert(strncmp(row2 + end - 3, "443", 3) == 0);
    ck_assert_ptr_nonnull(strstr(out, "\n-  ")); /* the client row without JA4 */
    free(out);
    report_free(r);
}
END_TEST

START_TEST(bad_sizes_are_refused)
{
    ck_assert_ptr_null(report_new(0));
    ck_assert_ptr_null(report_new(REPORT_TOP_MAX + 1));
    report_free(NULL);
}
END_TEST

Suite *suite_report(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rows_count_handshakes_versions_and_suites);
    tcase_add_test(tc, cause_weak_and_certificate_columns);
    tcase_add_test(tc, report_add_reads_the_connection_state);
    tcase_add_test(tc, rows_are_ordered_by_handshakes_then_name);
    tcase_add_test(tc, evicted_rows_go_to_other_with_an_error_bound);
    tcase_add_test(tc, servers_reached_are_exact_up_to_the_cap);
    tcase_add_test(tc, names_are_escaped_and_columns_aligned);
    tcase_add_test(tc, bad_sizes_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
