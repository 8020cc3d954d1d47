/* Tests for dissectors/base/cursor.c: all-or-nothing getters, nested vectors stay inside parents. */
#include <check.h>

#include "base/cursor.h"
#include "suites.h"

START_TEST(get_u16_reads_big_endian_and_advances)
{
    static const uint8_t b[] = {0x12, 0x34, 0x56};
    struct cursor c = cur_make(b, sizeof(b));
    uint16_t v;
    ck_assert(cur_get_u16(&c, &v));
    ck_assert_uint_eq(v, 0x1234);
    ck_assert_uint_eq(cur_len(c), 1);
}
END_TEST

START_TEST(short_reads_fail_and_change_nothing)
{
    static const uint8_t b[] = {0xaa, 0xbb, 0xcc};
    struct cursor c = cur_make(b, sizeof(b));
    uint32_t v32 = 7;
    uint16_t v16 = 7;
    ck_assert(!cur_get_u32(&c, &v32));
    ck_assert_uint_eq(v32, 7);
    ck_assert_uint_eq(cur_len(c), 3);
    ck_assert(cur_get_u24(&c, &v32));
    ck_assert_uint_eq(v32, 0xaabbcc);
    ck_assert(!cur_get_u16(&c, &v16));
    ck_assert_uint_eq(v16, 7);
    ck_assert(!cur_skip(&c, 1));
    ck_assert(cur_skip(&c, 0));
}
END_TEST

START_TEST(vector_longer_than_input_leaves_prefix_unread)
{
    static const uint8_t b[] = {0x00, 0x05, 0x01, 0x02}; /* claims 5, holds 2 */
    struct cursor c = cur_make(b, sizeof(b));
    struct cursor out = {NULL, 99};
    ck_assert(!cur_get_vec16(&c, &out));
    ck_assert_uint_eq(cur_len(c), 4);
    ck_assert_uint_eq(cur_len(out), 99);
}
END_TEST

START_TEST(nested_vector_is_confined_to_parent)
{
    /* outer u8 vector of 3 bytes holding an inner u16 vector that claims 4 */
    static const uint8_t b[] = {0x03, 0x00, 0x04, 0xff, 0xee, 0xdd, 0xcc};
    struct cursor c = cur_make(b, sizeof(b));
    struct cursor outer, inner;
    ck_assert(cur_get_vec8(&c, &outer));
    ck_assert_uint_eq(cur_len(outer), 3);
    ck_assert(!cur_get_vec16(&outer, &inner));
    ck_assert_uint_eq(cur_len(c), 3);
}
END_TEST

START_TEST(vec24_and_offset)
{
    static const uint8_t b[] = {0x00, 0x00, 0x02, 0x41, 0x42, 0x43};
    struct cursor start = cur_make(b, sizeof(b));
    struct cursor c = start;
    struct cursor body;
    ck_assert(cur_get_vec24(&c, &body));
    ck_assert(cur_equal(body, (const uint8_t *)"AB", 2));
    ck_assert_uint_eq(cur_offset(start, c), 5);
}
END_TEST

START_TEST(peek_does_not_consume)
{
    static const uint8_t b[] = {0x01, 0x02, 0x03};
    struct cursor c = cur_make(b, sizeof(b));
    uint8_t v8;
    uint16_t v16;
    ck_assert(cur_peek_u8(c, 2, &v8));
    ck_assert_uint_eq(v8, 3);
    ck_assert(!cur_peek_u8(c, 3, &v8));
    ck_assert(cur_peek_u16(c, 1, &v16));
    ck_assert_uint_eq(v16, 0x0203);
    ck_assert(!cur_peek_u16(c, 2, &v16));
    ck_assert_uint_eq(cur_len(c), 3);
}
END_TEST

START_TEST(huge_length_does_not_wrap)
{
    static const uint8_t b[] = {0x01};
    struct cursor c = cur_make(b, sizeof(b));
    struct cursor out;
    ck_assert(!cur_get_bytes(&c, SIZE_MAX, &out));
    ck_assert(!cur_skip(&c, SIZE_MAX));
    ck_assert_uint_eq(cur_len(c), 1);
}
END_TEST

START_TEST(null_view_is_empty)
{
    struct cursor c = cur_make(NULL, 10);
    uint8_t v;
    ck_assert_uint_eq(cur_len(c), 0);
    ck_assert(!cur_get_u8(&c, &v));
}
END_TEST

/* cur_span counts the leading bytes of the run, whatever the length and wherever it ends
 * (it steps four at a time, then one). */
START_TEST(span_stops_at_the_first_byte_outside_the_run)
{
    static const bool digits[256] = {['0' ... '9'] = true};
    uint8_t buf[12];
    for (size_t len = 0; len <= sizeof(buf); len++) {
        for (size_t stop = 0; stop <= len; stop++) {
            for (size_t i = 0; i < len; i++) {
                buf[i] = i == stop ? (uint8_t)'x' : (uint8_t)('0' + i % 10);
            }
            ck_assert_uint_eq(cur_span(cur_make(buf, len), digits), stop < len ? stop : len);
        }
    }
}
END_TEST

Suite *suite_cursor(void)
{
    Suite *s = suite_create("cursor");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, get_u16_reads_big_endian_and_advances);
    tcase_add_test(tc, short_reads_fail_and_change_nothing);
    tcase_add_test(tc, vector_longer_than_input_leaves_prefix_unread);
    tcase_add_test(tc, nested_vector_is_confined_to_parent);
    tcase_add_test(tc, vec24_and_offset);
    tcase_add_test(tc, peek_does_not_consume);
    tcase_add_test(tc, huge_length_does_not_wrap);
    tcase_add_test(tc, null_view_is_empty);
    tcase_add_test(tc, span_stops_at_the_first_byte_outside_the_run);
    suite_add_tcase(s, tc);
    return s;
}
