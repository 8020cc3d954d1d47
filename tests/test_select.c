/* Tests for src/output/select.c: -e in every format (values escaped for TSV, quoted for
 * RFC 4180 CSV), -Y on the one output path, and --conn-filter's held lines and bound. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/names.h"
#include "options.h"
#include "output/filter.h"
#include "output/output.h"
#include "output/select.h"
#include "suites.h"

static const struct endpoint client = {4, {192, 0, 2, 10}, 51514};
static const struct endpoint server = {4, {198, 51, 100, 5}, 443};

struct run {
    FILE *fp;
    struct output out;
};

/* An output to a temporary file with the given options (-e, -Y, --conn-filter, -T). */
static void start(struct run *r, struct options *o)
{
    r->fp = tmpfile();
    ck_assert_ptr_nonnull(r->fp);
    struct output_style style = {o->format, TIME_NONE, 0, false};
    out_init(&r->out, r->fp, false, &style);
    ck_assert(out_select_wanted(o));
    struct out_select *s = out_select_new(o);
    ck_assert_ptr_nonnull(s);
    out_select_attach(&r->out, s);
}

static void event(struct run *r, uint64_t conn, enum dir d, const struct fields *f)
{
    struct event_prefix p = {{1795341600, 123456}, conn, &client, &server, d,
                             NULL, NULL, NULL, 0, 0};
    out_event(&r->out, &p, f);
}

/* Everything written, NUL-terminated (static). */
static const char *finish(struct run *r)
{
    static char text[65536];
    out_select_finish(&r->out);
    out_flush(&r->out);
    out_free(&r->out);
    rewind(r->fp);
    size_t n = fread(text, 1, sizeof(text) - 1, r->fp);
    text[n] = '\0';
    fclose(r->fp);
    return text;
}

static void hello(struct fields *f)
{
    fields_init(f, "handshake", "client_hello");
    fields_add_uint(f, "length", 512);
    fields_list_begin(f, "cipher_suites");
    for (int i = 0; i < 10; i++) {
        fields_list_name(f, NAMES_CIPHER, 0x1301);
    }
    fields_list_name(f, NAMES_CIPHER, 0x0005);
    fields_list_end(f);
    fields_add_cstring(f, "sni", "a,b \"c\"\t\\é");
    fields_add_bool(f, "resumed", false);
}

static void close_line(struct fields *f, const char *status)
{
    fields_init(f, "close", NULL);
    fields_add_token(f, "status", status);
}

#define RC4_LIST                                                                             \
    "TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,"                    \
    "TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,"                    \
    "TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,"                    \
    "TLS_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA"

START_TEST(fields_are_tab_separated_and_escaped)
{
    struct options o = {.format = FORMAT_FIELDS, .n_field_args = 2,
                        .field_args = {"conn,event , message", "sni,alpn,cipher_suites,resumed"}};
    struct run r;
    start(&r, &o);
    struct fields f;
    hello(&f);
    event(&r, 3, DIR_C2S, &f);
    close_line(&f, "failed");
    event(&r, 3, DIR_C2S, &f);
    ck_assert_str_eq(finish(&r),
                     "3\thandshake\tclient_hello\ta,b \"c\"\\x09\\\\é\t\t" RC4_LIST "\tfalse\n"
                     "3\tclose\t\t\t\t\t\n");
}
END_TEST

START_TEST(csv_has_a_header_and_quotes_as_rfc4180)
{
    struct options o = {.format = FORMAT_CSV, .n_field_args = 1,
                        .field_args = {"conn,sni,length,cipher_suites,nothing"}};
    struct run r;
    start(&r, &o);
    struct fields f;
    hello(&f);
    event(&r, 3, DIR_C2S, &f);
    ck_assert_str_eq(finish(&r), "conn,sni,length,cipher_suites,nothing\n"
                                 "3,\"a,b \"\"c\"\"\\x09\\\\é\",512,\"" RC4_LIST "\",\n");
}
END_TEST

/* Text and JSON keep only the chosen keys, in -e order, lists whole; a line with none of
 * them is not printed. */
START_TEST(text_and_json_keep_only_the_chosen_keys)
{
    struct options o = {.format = FORMAT_TEXT, .n_field_args = 1,
                        .field_args = {"cipher_suites,dir,conn,sni,nothing"}};
    struct run r;
    start(&r, &o);
    struct fields f;
    hello(&f);
    event(&r, 3, DIR_S2C, &f);
    ck_assert_str_eq(finish(&r), "cipher_suites=" RC4_LIST
                                 " dir=s2c conn=3 sni=a,b\\x20\\x22c\\x22\\x09\\\\\\xc3\\xa9\n");
    o.format = FORMAT_JSON;
    o.field_args[0] = "length,resumed,cipher_suites,sni,conn,client";
    start(&r, &o);
    event(&r, 3, DIR_S2C, &f);
    fields_init(&f, "alert", NULL);
    event(&r, 3, DIR_S2C, &f); /* the prefix's pseudo-fields are on every line */
    ck_assert_str_eq(finish(&r),
                     "{\"length\":512,\"resumed\":false,\"cipher_suites\":[\"TLS_AES_128_GCM_SHA256\","
                     "\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_128_GCM_SHA256\","
                     "\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_128_GCM_SHA256\","
                     "\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_128_GCM_SHA256\",\"TLS_AES_128_GCM_SHA256\","
                     "\"TLS_RSA_WITH_RC4_128_SHA\"],\"sni\":\"a,b \\\"c\\\"\\t\\\\é\",\"conn\":3,"
                     "\"client\":\"192.0.2.10:51514\"}\n"
                     "{\"conn\":3,\"client\":\"192.0.2.10:51514\"}\n");
    o.field_args[0] = "sni";
    start(&r, &o);
    event(&r, 3, DIR_S2C, &f); /* none of the keys: no line */
    ck_assert_str_eq(finish(&r), "");
}
END_TEST

START_TEST(display_filter_selects_lines)
{
    struct options o = {.format = FORMAT_FIELDS, .n_field_args = 1,
                        .field_args = {"conn,event"},
                        .display_filter = "cipher_suites contains TLS_RSA_WITH_RC4_128_SHA or "
                                          "status == failed"};
    struct run r;
    start(&r, &o);
    struct fields f;
    hello(&f);
    event(&r, 1, DIR_C2S, &f);
    close_line(&f, "established");
    event(&r, 1, DIR_C2S, &f);
    close_line(&f, "failed");
    event(&r, 2, DIR_C2S, &f);
    ck_assert_str_eq(finish(&r), "1\thandshake\n2\tclose\n");
}
END_TEST

/* Lines are held by connection and printed at its close when the close line matches. */
START_TEST(conn_filter_prints_whole_connections)
{
    struct options o = {.format = FORMAT_FIELDS, .n_field_args = 1,
                        .field_args = {"conn,event,status"}, .conn_filter = "status == failed"};
    struct run r;
    start(&r, &o);
    struct fields f;
    hello(&f);
    event(&r, 1, DIR_C2S, &f);
    event(&r, 2, DIR_C2S, &f);
    fields_init(&f, "alert", NULL);
    event(&r, 2, DIR_S2C, &f);
    event(&r, 1, DIR_S2C, &f);
    close_line(&f, "failed");
    event(&r, 2, DIR_C2S, &f);
    close_line(&f, "established");
    event(&r, 1, DIR_C2S, &f);
    hello(&f);
    event(&r, 5, DIR_C2S, &f); /* never closed: nothing */
    ck_assert_str_eq(finish(&r), "2\thandshake\t\n2\talert\t\n2\tclose\tfailed\n");
}
END_TEST

/* -Y still picks the lines of the connections --conn-filter prints. */
START_TEST(conn_filter_with_display_filter)
{
    struct options o = {.format = FORMAT_FIELDS, .n_field_args = 1,
                        .field_args = {"conn,event"}, .conn_filter = "status == failed",
                        .display_filter = "event != alert"};
    struct run r;
    start(&r, &o);
    struct fields f;
    hello(&f);
    event(&r, 2, DIR_C2S, &f);
    fields_init(&f, "alert", NULL);
    event(&r, 2, DIR_S2C, &f);
    close_line(&f, "failed");
    event(&r, 2, DIR_C2S, &f);
    ck_assert_str_eq(finish(&r), "2\thandshake\n2\tclose\n");
}
END_TEST

/* Past the bound, the connection's later lines are dropped and a held_dropped line before
 * its close says how many. */
START_TEST(conn_filter_bound_is_marked)
{
    struct options o = {.format = FORMAT_TEXT, .conn_filter = "status == failed",
                        .conn_hold_bytes = 1024};
    struct run r;
    start(&r, &o);
    struct fields f;
    fields_init(&f, "alert", NULL);
    fields_add_cstring(&f, "pad", "0123456789012345678901234567890123456789012345678901234567890"
                                  "1234567890123456789012345678901234567890123456789");
    for (int i = 0; i < 10; i++) {
        event(&r, 4, DIR_S2C, &f); /* 161 bytes each: 6 fit in 1 KiB */
    }
    close_line(&f, "failed");
    event(&r, 4, DIR_C2S, &f);
    const char *text = finish(&r);
    size_t lines = 0;
    for (const char *c = text; *c != '\0'; c++) {
        lines += *c == '\n';
    }
    ck_assert_uint_eq(lines, 8);
    ck_assert_ptr_nonnull(strstr(text, "\nc4 192.0.2.10:51514 -> 198.51.100.5:443 held_dropped "
                                       "lines=4 bytes=644 bound=connection\n"
                                       "c4 192.0.2.10:51514 -> 198.51.100.5:443 close "
                                       "status=failed\n"));
}
END_TEST

START_TEST(field_lists_are_parsed)
{
    struct out_ref refs[SELECT_FIELDS_MAX];
    size_t n;
    char err[200];
    const char *ok[] = {"time, conn", "sni,time", "x509.subject"};
    ck_assert(select_parse_fields(ok, 3, refs, &n, err, sizeof(err)));
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(refs[0].name, "time");
    ck_assert_int_eq(refs[0].pseudo, PSEUDO_TIME);
    ck_assert_str_eq(refs[1].name, "conn");
    ck_assert_str_eq(refs[2].name, "sni");
    ck_assert_int_eq(refs[2].pseudo, PSEUDO_NONE);
    ck_assert_str_eq(refs[3].name, "x509.subject");
    for (size_t i = 0; i < n; i++) {
        free((char *)refs[i].name);
    }
    const char *empty[] = {"sni,,alpn"};
    ck_assert(!select_parse_fields(empty, 1, refs, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "empty field name in 'sni,,alpn'");
    const char *bad_name[] = {"sni", "a b"};
    ck_assert(!select_parse_fields(bad_name, 2, refs, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "bad field name in 'a b': letters, digits, '_' and '.' only");
}
END_TEST

Suite *suite_select(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fields_are_tab_separated_and_escaped);
    tcase_add_test(tc, csv_has_a_header_and_quotes_as_rfc4180);
    tcase_add_test(tc, text_and_json_keep_only_the_chosen_keys);
    tcase_add_test(tc, display_filter_selects_lines);
    tcase_add_test(tc, conn_filter_prints_whole_connections);
    tcase_add_test(tc, conn_filter_with_display_filter);
    tcase_add_test(tc, conn_filter_bound_is_marked);
    tcase_add_test(tc, field_lists_are_parsed);
    suite_add_tcase(s, tc);
    return s;
}
