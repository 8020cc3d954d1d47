/* Tests for src/output/output_json.c: each line is, byte for byte, what jansson's json_dumpb
 * (JSON_COMPACT | JSON_ENSURE_ASCII) wrote for the event before the writer was direct. */
#include <check.h>
#include <string.h>

#include "output/endpoint.h"
#include "base/fields.h"
#include "output/output.h"
#include "suites.h"

static const char *render(const struct fields *f, int verbosity)
{
    static char line[4 * FIELDS_BUF + 1024];
    static const struct endpoint c = {6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 40000};
    static const struct endpoint s = {4, {198, 51, 100, 5}, 443};
    struct output_style style = {FORMAT_JSON, TIME_ABSOLUTE, verbosity, false};
    struct event_prefix p = {{0, 0}, 7, &c, &s, DIR_S2C, NULL, NULL, NULL, 0, 0};
    size_t n = out_json_line(&style, "2026-11-22T10:00:00.123456Z", &p, f, line, sizeof(line));
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(line[n - 1], '\n');
    line[n - 1] = '\0';
    return line;
}

/* Every kind of value, wire bytes that need escaping, numbers past INT64_MAX (jansson's
 * integers are signed), levels, and the overflow flag. */
static void every_kind(struct fields *f, const char *repeated_key)
{
    static const uint8_t wire[] = {'a', '"', '\\', 0x00, 0x7f, 0xff, '/', 'z'};
    static const uint8_t id[] = {0x0a, 0xff};
    fields_init(f, "handshake", "client_hello");
    fields_add_string(f, "sni", cur_make(wire, sizeof(wire)));
    fields_add_hex(f, "id", cur_make(id, sizeof(id)));
    fields_add_bool(f, "flag", false);
    fields_add_uint(f, "big", 18446744073709551615ULL);
    fields_list_begin(f, "alpn");
    fields_list_string(f, cur_make(wire, 3));
    fields_list_token(f, "h2");
    fields_list_end(f);
    fields_list_begin(f, "lengths");
    fields_list_uint(f, 3);
    fields_list_uint(f, 18446744073709551615ULL);
    fields_list_end(f);
    fields_set_level(f, 2);
    fields_add_token(f, "undecoded", "x");
    fields_set_level(f, 0);
    fields_add_token(f, repeated_key, "last");
    f->overflow = true;
}

START_TEST(every_value_kind_as_jansson_writes_it)
{
    struct fields f;
    every_kind(&f, "note");
    ck_assert_str_eq(render(&f, 0),
                     "{\"time\":\"2026-11-22T10:00:00.123456Z\",\"conn\":7,"
                     "\"client\":\"[2001:db8::1]:40000\",\"dir\":\"s2c\","
                     "\"server\":\"198.51.100.5:443\",\"event\":\"handshake\","
                     "\"message\":\"client_hello\",\"sni\":\"a\\\"\\\\x5c\\\\x00\\\\x7f\\\\xff/z\","
                     "\"id\":\"0aff\",\"flag\":false,\"big\":-1,"
                     "\"alpn\":[\"a\\\"\\\\x5c\",\"h2\"],\"lengths\":[3,9223372036854775807],"
                     "\"note\":\"last\",\"fields_overflow\":true}");
    /* -vv adds the level-2 field in its place. */
    ck_assert_ptr_nonnull(strstr(render(&f, 2), "\"lengths\":[3,9223372036854775807],"
                                                "\"undecoded\":\"x\",\"note\":\"last\""));
}
END_TEST

START_TEST(a_repeated_key_keeps_its_first_place_and_last_value)
{
    struct fields f;
    every_kind(&f, "sni");
    const char *line = render(&f, 0);
    ck_assert_ptr_nonnull(strstr(line, "\"message\":\"client_hello\",\"sni\":\"last\",\"id\":"));
    ck_assert_ptr_null(strstr(line, "\\\\x5c\\\\x00"));
}
END_TEST

START_TEST(a_line_too_long_for_the_buffer_is_dropped)
{
    struct fields f;
    char line[64];
    static const struct endpoint e = {4, {192, 0, 2, 1}, 1};
    struct output_style style = {FORMAT_JSON, TIME_NONE, 0, false};
    struct event_prefix p = {{0, 0}, 1, &e, &e, DIR_C2S, NULL, NULL, NULL, 0, 0};
    fields_init(&f, "alert", NULL);
    fields_add_token(&f, "level", "fatal");
    ck_assert_uint_eq(out_json_line(&style, "", &p, &f, line, sizeof(line)), 0);
}
END_TEST

Suite *suite_output_json(void)
{
    Suite *s = suite_create("output_json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_value_kind_as_jansson_writes_it);
    tcase_add_test(tc, a_repeated_key_keeps_its_first_place_and_last_value);
    tcase_add_test(tc, a_line_too_long_for_the_buffer_is_dropped);
    suite_add_tcase(s, tc);
    return s;
}
