/* Tests for dissectors/base/fields.c: typed fields, lists, error reports, overflow. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/fields.h"
#include "suites.h"

START_TEST(uint_and_token_fields_are_found_by_key)
{
    struct fields f;
    fields_init(&f, "handshake", "client_hello");
    fields_add_uint(&f, "length", 512);
    fields_add_token(&f, "legacy_version", "TLSv1.2");
    const struct field *fd = fields_find(&f, "length");
    ck_assert_ptr_nonnull(fd);
    ck_assert_uint_eq(fd->num, 512);
    fd = fields_find(&f, "legacy_version");
    ck_assert_ptr_nonnull(fd);
    ck_assert(cur_equal(fields_value(&f, fd), (const uint8_t *)"TLSv1.2", 7));
    ck_assert_ptr_null(fields_find(&f, "absent"));
}
END_TEST

START_TEST(uints_are_formatted_in_decimal_at_every_length)
{
    /* every digit count from 1 to 20, each side of a power of ten, and the largest value */
    char want[32], got[FIELDS_UINT_TEXT];
    uint64_t power = 1;
    for (int digits = 1; digits <= 20; digits++) {
        uint64_t values[] = {power - 1, power, power + 1, power * 9 + 99};
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            snprintf(want, sizeof(want), "%llu", (unsigned long long)values[i]);
            ck_assert_uint_eq(fields_format_uint(values[i], got), strlen(want));
            ck_assert_str_eq(got, want);
        }
        power = digits < 20 ? power * 10 : power;
    }
    ck_assert_uint_eq(fields_format_uint(UINT64_MAX, got), 20);
    ck_assert_str_eq(got, "18446744073709551615");
    ck_assert_uint_eq(fields_format_uint(0, got), 1);
    ck_assert_str_eq(got, "0");
}
END_TEST

START_TEST(list_items_keep_type_and_bytes)
{
    struct fields f;
    fields_init(&f, "handshake", NULL);
    fields_list_begin(&f, "alpn");
    fields_list_string(&f, cur_make((const uint8_t *)"h2", 2));
    fields_list_uint(&f, 42);
    fields_list_end(&f);
    const struct field *fd = fields_find(&f, "alpn");
    ck_assert_uint_eq(fd->items, 2);
    struct cursor it = fields_value(&f, fd);
    enum field_type type;
    struct cursor item;
    ck_assert(fields_next_item(&it, &type, &item));
    ck_assert_int_eq(type, FIELD_STRING);
    ck_assert(cur_equal(item, (const uint8_t *)"h2", 2));
    ck_assert(fields_next_item(&it, &type, &item));
    ck_assert_int_eq(type, FIELD_UINT);
    ck_assert(cur_equal(item, (const uint8_t *)"42", 2));
    ck_assert(!fields_next_item(&it, &type, &item));
}
END_TEST

START_TEST(malformed_returns_false_and_marks_event)
{
    struct fields f;
    fields_init(&f, "handshake", NULL);
    ck_assert(!fields_malformed_at(&f, "cipher_suites", "even length >= 2", 43));
    ck_assert(f.malformed);
    ck_assert_ptr_nonnull(fields_find(&f, "malformed"));
    ck_assert_ptr_nonnull(fields_find(&f, "expected"));
    ck_assert_uint_eq(fields_find(&f, "at")->num, 43);
}
END_TEST

START_TEST(malformed_closes_an_open_list)
{
    struct fields f;
    fields_init(&f, "handshake", NULL);
    fields_list_begin(&f, "cipher_suites");
    fields_list_token(&f, "x");
    ck_assert(!fields_truncated(&f, "cipher_suites", 3, 8));
    ck_assert_uint_eq(fields_find(&f, "have")->num, 3);
    ck_assert_uint_eq(fields_find(&f, "need")->num, 8);
    ck_assert(!f.overflow);
}
END_TEST

START_TEST(too_many_fields_sets_overflow_not_crash)
{
    struct fields f;
    fields_init(&f, "handshake", NULL);
    for (int i = 0; i < FIELDS_MAX + 10; i++) {
        fields_add_uint(&f, "n", (uint64_t)i);
    }
    ck_assert_uint_eq(f.n, FIELDS_MAX);
    ck_assert(f.overflow);
}
END_TEST

START_TEST(too_many_list_bytes_sets_overflow_not_crash)
{
    struct fields f;
    fields_init(&f, "handshake", NULL);
    fields_list_begin(&f, "cipher_suites");
    for (int i = 0; i < FIELDS_BUF; i++) {
        fields_list_token(&f, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    }
    fields_list_end(&f);
    ck_assert(f.overflow);
    ck_assert_uint_le(f.used, FIELDS_BUF);
}
END_TEST

/* The list as fields_list_name gives it item by item, for comparison with the cached path. */
static void named_one_by_one(struct fields *f, enum name_kind kind, const uint8_t *wire,
                             size_t len)
{
    fields_list_begin(f, "list");
    for (size_t i = 0; i + 1 < len; i += 2) {
        fields_list_name(f, kind, (uint32_t)(wire[i] << 8 | wire[i + 1]));
    }
    fields_list_end(f);
}

static void named_cached(struct fields *f, enum name_kind kind, const uint8_t *wire, size_t len)
{
    fields_list_begin(f, "list");
    fields_list_names_u16(f, kind, cur_make(wire, len));
    fields_list_end(f);
}

static void assert_same_fields(const struct fields *a, const struct fields *b)
{
    ck_assert_uint_eq(a->n, b->n);
    ck_assert_uint_eq(a->used, b->used);
    ck_assert_int_eq(a->overflow, b->overflow);
    ck_assert_uint_eq(a->f[0].items, b->f[0].items);
    ck_assert_uint_eq(a->f[0].len, b->f[0].len);
    ck_assert_mem_eq(a->buf, b->buf, a->used);
}

/* Met first (named and kept) and again (copied): the same items as one by one, and the same
 * bytes read as another kind are named as that kind. */
START_TEST(named_u16_lists_equal_item_by_item_naming)
{
    static const uint8_t wire[] = {0x13, 0x01, 0x0a, 0x0a, 0xc0, 0x2f, 0x00, 0x1d, 0xfe, 0xfe,
                                   0x00, 0x35};
    static struct fields want, got;
    /* as extension types the last is "connection_id (deprecated)", a token text escapes */
    enum name_kind kinds[] = {NAMES_CIPHER, NAMES_GROUP, NAMES_EXT, NAMES_CIPHER};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int round = 0; round < 2; round++) {
            fields_init(&want, "handshake", NULL);
            fields_init(&got, "handshake", NULL);
            named_one_by_one(&want, kinds[k], wire, sizeof(wire));
            named_cached(&got, kinds[k], wire, sizeof(wire));
            assert_same_fields(&want, &got);
            ck_assert_uint_eq(got.f[0].items, 6);
        }
    }
    fields_init(&got, "handshake", NULL);
    named_cached(&got, NAMES_GROUP, wire, sizeof(wire));
    struct cursor it = fields_value(&got, &got.f[0]);
    enum field_type type;
    struct cursor item;
    ck_assert(fields_next_item(&it, &type, &item) && fields_next_item(&it, &type, &item));
    ck_assert(cur_equal(item, (const uint8_t *)"grease", 6));
    ck_assert(fields_next_item(&it, &type, &item) && fields_next_item(&it, &type, &item));
    ck_assert(cur_equal(item, (const uint8_t *)"x25519", 6));
}
END_TEST

/* A cached list that no longer fits overflows exactly where naming item by item would. */
START_TEST(named_u16_list_overflows_like_item_by_item)
{
    static const uint8_t wire[] = {0x13, 0x01, 0x13, 0x02, 0x13, 0x03};
    static struct fields want, got;
    fields_init(&got, "handshake", NULL);
    named_cached(&got, NAMES_CIPHER, wire, sizeof(wire)); /* now cached */
    for (size_t room = 0; room < 80; room++) {
        fields_init(&want, "handshake", NULL);
        fields_init(&got, "handshake", NULL);
        want.used = got.used = FIELDS_BUF - room;
        named_one_by_one(&want, NAMES_CIPHER, wire, sizeof(wire));
        named_cached(&got, NAMES_CIPHER, wire, sizeof(wire));
        ck_assert_uint_eq(want.used, got.used);
        ck_assert_int_eq(want.overflow, got.overflow);
        ck_assert_uint_eq(want.f[0].items, got.f[0].items);
    }
}
END_TEST

Suite *suite_fields(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, uints_are_formatted_in_decimal_at_every_length);
    tcase_add_test(tc, uint_and_token_fields_are_found_by_key);
    tcase_add_test(tc, list_items_keep_type_and_bytes);
    tcase_add_test(tc, malformed_returns_false_and_marks_event);
    tcase_add_test(tc, malformed_closes_an_open_list);
    tcase_add_test(tc, too_many_fields_sets_overflow_not_crash);
    tcase_add_test(tc, too_many_list_bytes_sets_overflow_not_crash);
    tcase_add_test(tc, named_u16_lists_equal_item_by_item_naming);
    tcase_add_test(tc, named_u16_list_overflows_like_item_by_item);
    suite_add_tcase(s, tc);
    return s;
}
