/* Tests for src/output/filter.c: the display filter language of -Y and --conn-filter (man
 * page, DISPLAY FILTERS): its parser, every operator, precedence, and errors with their
 * columns. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fields.h"
#include "base/names.h"
#include "output/filter.h"
#include "output/output.h"
#include "suites.h"

static const struct endpoint client = {4, {192, 0, 2, 10}, 51514};
static const struct endpoint server = {4, {198, 51, 100, 5}, 443};

/* A ClientHello-like event with a list of 20 suites (more than text output shows by
 * default), a wire string, numbers, a boolean and a hex value. */
static void hello(struct fields *f)
{
    fields_init(f, "handshake", "client_hello");
    fields_add_name(f, "legacy_version", NAMES_VERSION, 0x0303);
    fields_add_uint(f, "length", 512);
    fields_list_begin(f, "cipher_suites");
    for (uint32_t cs = 0x1301; cs <= 0x1305; cs++) {
        fields_list_name(f, NAMES_CIPHER, cs);
    }
    for (int i = 0; i < 14; i++) {
        fields_list_name(f, NAMES_CIPHER, 0xc02f);
    }
    fields_list_name(f, NAMES_CIPHER, 0x0005); /* TLS_RSA_WITH_RC4_128_SHA, last */
    fields_list_end(f);
    fields_list_begin(f, "supported_versions");
    fields_list_name(f, NAMES_VERSION, 0x0304);
    fields_list_name(f, NAMES_VERSION, 0x0303);
    fields_list_end(f);
    fields_add_cstring(f, "sni", "www.example.com");
    fields_add_bool(f, "resumed", false);
    static const uint8_t id[] = {0x00, 0x12};
    fields_add_hex(f, "session_id", cur_make(id, sizeof(id)));
    fields_add_string(f, "odd", cur_make((const uint8_t *)"a\0b c", 5));
}

static bool match_dir(const char *expr, const struct fields *f, enum dir d)
{
    char err[200];
    size_t column;
    struct filter *flt = filter_compile(expr, err, sizeof(err), &column);
    ck_assert_msg(flt != NULL, "'%s' did not compile: column %zu: %s", expr, column, err);
    struct event_prefix p = {{1795341600, 123456}, 7, &client, &server, d,
                             NULL, NULL, NULL, 0, 0};
    bool m = filter_match(flt, &p, f);
    filter_free(flt);
    return m;
}

static bool match(const char *expr)
{
    static struct fields f;
    hello(&f);
    return match_dir(expr, &f, DIR_C2S);
}

/* The column and message of a bad expression. */
static void bad(const char *expr, size_t want_column, const char *want_msg)
{
    char err[200];
    size_t column;
    struct filter *flt = filter_compile(expr, err, sizeof(err), &column);
    ck_assert_msg(flt == NULL, "'%s' compiled", expr);
    ck_assert_msg(column == want_column, "'%s': column %zu, want %zu (%s)", expr, column,
                  want_column, err);
    ck_assert_msg(strstr(err, want_msg) != NULL, "'%s': '%s' lacks '%s'", expr, err, want_msg);
}

/* The four examples of the issue, on an event where each holds and one where it does not. */
START_TEST(issue_examples)
{
    static struct fields close;
    fields_init(&close, "close", NULL);
    fields_add_token(&close, "status", "failed");
    fields_add_name(&close, "version", NAMES_VERSION, 0x0302);
    ck_assert(match_dir("status==failed", &close, DIR_C2S));
    ck_assert(!match_dir("status==established", &close, DIR_C2S));
    ck_assert(match_dir("version < TLSv1.2", &close, DIR_C2S));
    ck_assert(!match_dir("version < TLSv1.1", &close, DIR_C2S));
    ck_assert(match("cipher_suites contains TLS_RSA_WITH_RC4_128_SHA"));
    ck_assert(!match("cipher_suites contains TLS_RSA_WITH_RC4_128_MD5"));
    ck_assert(match("sni ~ \"\\.example\\.com$\""));
    ck_assert(!match("sni ~ \"\\.example\\.org$\""));
    ck_assert(!match("sni ~ \"^example\""));
}
END_TEST

/* The whole list is seen, not the 8 items text output shows by default. */
START_TEST(lists_are_seen_whole)
{
    ck_assert(match("cipher_suites contains TLS_RSA_WITH_RC4_128_SHA"));
    ck_assert(match("cipher_suites == TLS_AES_128_GCM_SHA256"));
    ck_assert(match("cipher_suites ~ RC4"));
    ck_assert(!match("cipher_suites ~ MD5"));
    /* != holds when no item is equal */
    ck_assert(!match("cipher_suites != TLS_RSA_WITH_RC4_128_SHA"));
    ck_assert(match("cipher_suites != TLS_RSA_WITH_RC4_128_MD5"));
    ck_assert(match("supported_versions >= TLSv1.3"));
    ck_assert(!match("supported_versions > TLSv1.3"));
}
END_TEST

START_TEST(equality_on_text_numbers_booleans_and_hex)
{
    ck_assert(match("sni == www.example.com"));
    ck_assert(match("sni = www.example.com")); /* '=' as '==' */
    ck_assert(!match("sni == example.com"));
    ck_assert(match("sni != example.com"));
    ck_assert(match("length == 512"));
    ck_assert(match("length == 0x200"));
    ck_assert(match("length == 512.0"));
    ck_assert(match("length == 0512"));
    ck_assert(!match("length == 51"));
    ck_assert(match("resumed == false"));
    ck_assert(!match("resumed == true"));
    ck_assert(match("session_id == 0012"));
    ck_assert(!match("session_id == 12")); /* hex is text, never a number */
    ck_assert(match("odd == \"a\\x00b c\"") == false);
    ck_assert(match("odd ~ \"^a\"") && match("odd ~ \"b c$\"")); /* past the NUL byte */
    ck_assert(match("odd contains \"b c\""));
}
END_TEST

START_TEST(ordering_numbers_versions_and_text)
{
    ck_assert(match("length > 100"));
    ck_assert(match("length >= 512"));
    ck_assert(match("length <= 512"));
    ck_assert(!match("length < 512"));
    ck_assert(match("length > 99.5"));
    ck_assert(!match("length > 0x200"));
    /* versions as versions: "TLSv1.10" would sort before "TLSv1.2" as text */
    ck_assert(match("legacy_version > TLSv1.1"));
    ck_assert(match("legacy_version > SSLv3"));
    ck_assert(match("legacy_version < TLSv1.3"));
    ck_assert(match("legacy_version < TLSv1.3-draft23"));
    ck_assert(match("legacy_version >= DTLSv1.2")); /* DTLS 1.2 is made from TLS 1.2 */
    ck_assert(!match("legacy_version == DTLSv1.2"));
    ck_assert(match("legacy_version > DTLSv1.0"));
    /* text otherwise, byte by byte */
    ck_assert(match("sni > www.a"));
    ck_assert(match("sni < x"));
    ck_assert(match("sni <= www.example.com"));
    ck_assert(!match("sni < www.example.com"));
}
END_TEST

START_TEST(regex_contains_exists)
{
    ck_assert(match("sni ~ example"));
    ck_assert(match("sni matches \"^www\\.\""));
    ck_assert(match("sni ~ 'EXAMPLE|example'"));
    ck_assert(match("sni contains example"));
    ck_assert(!match("sni contains exemple"));
    ck_assert(match("sni exists"));
    ck_assert(match("exists sni"));
    ck_assert(!match("alpn exists"));
    ck_assert(!match("alpn == h2"));
    ck_assert(!match("alpn != h2")); /* an absent field compares as nothing */
    ck_assert(match("not alpn exists"));
    ck_assert(match("message exists"));
    ck_assert(!match("fields_overflow exists"));
}
END_TEST

START_TEST(pseudo_fields_of_the_prefix)
{
    static struct fields f;
    hello(&f);
    ck_assert(match_dir("conn == 7", &f, DIR_C2S));
    ck_assert(match_dir("conn > 6 and conn < 8", &f, DIR_C2S));
    ck_assert(match_dir("event == handshake and message == client_hello", &f, DIR_C2S));
    ck_assert(match_dir("client == 192.0.2.10:51514", &f, DIR_S2C));
    ck_assert(match_dir("server ~ ':443$'", &f, DIR_C2S));
    ck_assert(match_dir("src == 192.0.2.10:51514 and dst == 198.51.100.5:443", &f, DIR_C2S));
    ck_assert(match_dir("src == 198.51.100.5:443 and dst == 192.0.2.10:51514", &f, DIR_S2C));
    ck_assert(match_dir("dir == s2c", &f, DIR_S2C));
    ck_assert(match_dir("time == 2026-11-22T10:00:00.123456Z", &f, DIR_C2S));
    ck_assert(match_dir("time >= 2026-11-22T10:00", &f, DIR_C2S));
    ck_assert(!match_dir("time < 2026-11-22", &f, DIR_C2S));
}
END_TEST

/* not binds tighter than and, and than or; both are left-associative; parentheses win. */
START_TEST(precedence_and_parentheses)
{
    ck_assert(match("sni exists or alpn exists and alpn == h2"));    /* or(a, and(b, c)) */
    ck_assert(!match("(sni exists or alpn exists) and alpn == h2"));
    ck_assert(match("not alpn exists and sni exists"));              /* and(not a, b) */
    ck_assert(!match("not (alpn exists or sni exists)"));
    ck_assert(match("not not sni exists"));
    ck_assert(match("! alpn exists && (length == 1 || length == 512)"));
    ck_assert(match("((((sni exists))))"));
    ck_assert(!match("sni exists and alpn exists or length == 1"));
    ck_assert(match("length == 1 or length == 2 or length == 512"));
}
END_TEST

START_TEST(quoted_strings)
{
    static struct fields f;
    fields_init(&f, "x509", NULL);
    fields_add_cstring(&f, "subject", "CN=a \"b\" \\c, O='d'");
    ck_assert(match_dir("subject == \"CN=a \\\"b\\\" \\\\c, O='d'\"", &f, DIR_C2S));
    ck_assert(match_dir("subject == 'CN=a \"b\" \\\\c, O=\\'d\\''", &f, DIR_C2S));
    ck_assert(match_dir("subject contains \"\\\\c\"", &f, DIR_C2S));
    ck_assert(match_dir("subject ~ \"\\\\\\\\c\"", &f, DIR_C2S)); /* regex \\ */
    ck_assert(match_dir("subject ~ '\\bb\\b'", &f, DIR_C2S));  /* other escapes kept */
    ck_assert(match_dir("subject contains \"\"", &f, DIR_C2S));
}
END_TEST

START_TEST(errors_give_their_column)
{
    bad("", 1, "empty expression");
    bad("   ", 4, "empty expression");
    bad("status==", 9, "expected a value, found the end");
    bad("status== ==x", 10, "expected a value, found '=='");
    bad("status failed", 8, "expected an operator");
    bad("sni", 4, "expected an operator");
    bad("(sni exists", 12, "expected ')', 'and' or 'or', found the end");
    bad("sni exists)", 11, "expected 'and', 'or' or the end, found ')'");
    bad("sni exists sni exists", 12, "expected 'and', 'or' or the end, found 'sni'");
    bad("== x", 1, "expected a field name, found '=='");
    bad("sni == x and", 13, "expected a field name, found the end");
    bad("not", 4, "expected a field name, found the end");
    bad("sni ~ \"((\"", 7, "bad regular expression");
    bad("sni == \"abc", 8, "string not terminated");
    bad("s-ni == x", 1, "expected a field name, found 's-ni'");
    bad("sni == x & y", 10, "expected 'and', 'or' or the end");
    bad("exists", 7, "expected a field name, found the end");
    bad("sni contains", 13, "expected a value");
    char deep[300];
    memset(deep, '(', 100);
    strcpy(deep + 100, "sni exists");
    bad(deep, 65, "nested too deep");
}
END_TEST

START_TEST(the_option_error_is_one_line_with_a_caret)
{
    char path[] = "/tmp/hsdump-filter-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    FILE *saved = fdopen(dup(2), "w");
    dup2(fd, 2);
    ck_assert_ptr_null(filter_compile_option("-Y", "status== ==x"));
    fflush(stderr);
    dup2(fileno(saved), 2);
    fclose(saved);
    char text[256] = {0};
    FILE *in = fopen(path, "r");
    ck_assert_ptr_nonnull(in);
    size_t n = fread(text, 1, sizeof(text) - 1, in);
    fclose(in);
    close(fd);
    unlink(path);
    ck_assert_uint_gt(n, 0);
    ck_assert_str_eq(text, "hsdump: -Y: column 10: expected a value, found '==': status== ^==x\n");
}
END_TEST

Suite *suite_filter(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, issue_examples);
    tcase_add_test(tc, lists_are_seen_whole);
    tcase_add_test(tc, equality_on_text_numbers_booleans_and_hex);
    tcase_add_test(tc, ordering_numbers_versions_and_text);
    tcase_add_test(tc, regex_contains_exists);
    tcase_add_test(tc, pseudo_fields_of_the_prefix);
    tcase_add_test(tc, precedence_and_parentheses);
    tcase_add_test(tc, quoted_strings);
    tcase_add_test(tc, errors_give_their_column);
    tcase_add_test(tc, the_option_error_is_one_line_with_a_caret);
    suite_add_tcase(s, tc);
    return s;
}
