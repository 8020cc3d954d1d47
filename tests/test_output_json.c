/* Tests for src/output/output_json.c: each line is, byte for byte, what jansson's json_dumpb
 * (JSON_COMPACT) writes for the same object, and strings read back with jansson are the wire's
 * characters. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
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
                     "\"message\":\"client_hello\",\"sni\":\"a\\\"\\\\\\u0000\\u007F\\\\xff/z\","
                     "\"id\":\"0aff\",\"flag\":false,\"big\":-1,"
                     "\"alpn\":[\"a\\\"\\\\\",\"h2\"],\"lengths\":[3,9223372036854775807],"
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
    ck_assert_ptr_null(strstr(line, "\\u0000"));
}
END_TEST

/* Wire strings read back with jansson are the characters the wire carried: quotes,
 * backslashes, fields, controls and UTF-8 (2, 3 and 4 bytes) whole; only bytes that are not
 * well-formed UTF-8 (stray, overlong, surrogate, past U+10FFFF, cut short) become \xHH. Where
 * no DEL or C1 control is involved (jansson writes those raw), the line is jansson's own. */
START_TEST(wire_strings_carry_the_wire_characters)
{
    static const struct {
        const char *wire, *chars;
        bool as_jansson;
    } cases[] = {
        {"a sni=bank.example status=established", "a sni=bank.example status=established", true},
        {"O=GitHub\\, Inc.", "O=GitHub\\, Inc.", true},
        {"q\"\\x5c\n\t\r\b\f\x01\x1f", "q\"\\x5c\n\t\r\b\f\x01\x1f", true},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
         true},
        {"\x7f\xc2\x80\xc2\x9f\xc2\xa0", "\x7f\xc2\x80\xc2\x9f\xc2\xa0", false},
        {"\xff\xfe", "\\xff\\xfe", true},
        {"\xc0\xaf \xe0\x80\xaf", "\\xc0\\xaf \\xe0\\x80\\xaf", true},
        {"\xed\xa0\x80 \xf4\x90\x80\x80", "\\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80", true},
        {"\xe2\x82 \xc3", "\\xe2\\x82 \\xc3", true},
        {"\x80x\xbf", "\\x80x\\xbf", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fields f;
        fields_init(&f, "handshake", "client_hello");
        fields_add_string(&f, "sni", cur_make((const uint8_t *)cases[i].wire,
                                              strlen(cases[i].wire)));
        const char *line = render(&f, 0);
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        ck_assert_msg(o != NULL, "%s: %s", line, err.text);
        const json_t *sni = json_object_get(o, "sni");
        ck_assert_str_eq(json_string_value(sni), cases[i].chars);
        if (cases[i].as_jansson) {
            json_t *want = json_pack("{s:s}", "sni", cases[i].chars);
            char *text = json_dumps(want, JSON_COMPACT);
            text[strlen(text) - 1] = '\0'; /* "sni":"..." without the braces */
            ck_assert_msg(strstr(line, text + 1) != NULL, "%s not in %s", text + 1, line);
            free(text);
            json_decref(want);
        }
        json_decref(o);
    }
    /* a NUL is a control character like any other */
    static const uint8_t nul[] = {'a', 0, 'b'};
    struct fields f;
    fields_init(&f, "handshake", "client_hello");
    fields_add_string(&f, "sni", cur_make(nul, sizeof(nul)));
    json_t *o = json_loads(render(&f, 0), JSON_ALLOW_NUL, NULL);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(json_string_length(json_object_get(o, "sni")), 3);
    ck_assert(memcmp(json_string_value(json_object_get(o, "sni")), nul, 3) == 0);
    json_decref(o);
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
    tcase_add_test(tc, wire_strings_carry_the_wire_characters);
    tcase_add_test(tc, a_line_too_long_for_the_buffer_is_dropped);
    suite_add_tcase(s, tc);
    return s;
}
