/* Tests for src/output/keys.c: the declared list of output keys is well formed. Every event
 * the dissector tests print is also checked against it (tests/vectors.c), and every JSON line
 * of every bundled capture against the schema made from it (tests/schema.sh). */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/keys.h"
#include "suites.h"

/* The eight prefix keys come first, in line order; the rest sorted, so a key is easy to find
 * and a duplicate sits beside its twin. */
#define PREFIX_KEYS 8

START_TEST(keys_are_unique_and_sorted_after_the_prefix)
{
    static const char *const prefix[PREFIX_KEYS] = {"time", "conn", "client", "dir",
                                                    "server", "event", "message",
                                                    "fields_overflow"};
    ck_assert_uint_gt(keys_count, PREFIX_KEYS);
    for (size_t i = 0; i < PREFIX_KEYS; i++) {
        ck_assert_str_eq(keys_table[i].name, prefix[i]);
    }
    for (size_t i = PREFIX_KEYS + 1; i < keys_count; i++) {
        ck_assert_msg(strcmp(keys_table[i - 1].name, keys_table[i].name) < 0, "%s before %s",
                      keys_table[i - 1].name, keys_table[i].name);
    }
    for (size_t i = 0; i < keys_count; i++) {
        ck_assert_ptr_eq(keys_find(keys_table[i].name), &keys_table[i]);
    }
    ck_assert_ptr_null(keys_find("no_such_key"));
}
END_TEST

START_TEST(every_key_has_a_known_type_events_and_a_meaning)
{
    for (size_t i = 0; i < keys_count; i++) {
        const struct key_info *k = &keys_table[i];
        ck_assert_msg(strspn(k->name, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
                          strlen(k->name), "%s: key names are snake_case", k->name);
        ck_assert_msg((unsigned)k->type < KEY_TYPE_COUNT, "%s: unknown type", k->name);
        ck_assert_str_ne(keys_type_name(k->type), "?");
        ck_assert_msg(k->meaning[0] != '\0', "%s: no meaning", k->name);
        char events[256];
        ck_assert_uint_lt(strlen(k->events), sizeof(events));
        strcpy(events, k->events);
        size_t n = 0;
        for (char *save, *e = strtok_r(events, " ", &save); e != NULL;
             e = strtok_r(NULL, " ", &save), n++) {
            bool known = strcmp(e, "*") == 0;
            for (size_t j = 0; keys_events[j] != NULL; j++) {
                known |= strcmp(keys_events[j], e) == 0;
            }
            for (size_t j = 0; keys_report_events[j] != NULL; j++) {
                known |= strcmp(keys_report_events[j], e) == 0;
            }
            ck_assert_msg(known, "%s: unknown event %s", k->name, e);
        }
        ck_assert_msg(n > 0, "%s: no event", k->name);
    }
}
END_TEST

START_TEST(list_fields_prints_one_line_per_key)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    keys_print(fp);
    fclose(fp);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
    }
    ck_assert_uint_eq(lines, keys_count);
    ck_assert_ptr_nonnull(strstr(text, "\ncipher_suites\tlist\thandshake\t"));
    ck_assert_ptr_nonnull(strstr(text, "\nduration\tdecimal\tclose\t"));
    ck_assert_ptr_nonnull(strstr(text, "\nversions\tcounts\treport_server\t"));
    free(text);
}
END_TEST

Suite *suite_keys(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, keys_are_unique_and_sorted_after_the_prefix);
    tcase_add_test(tc, every_key_has_a_known_type_events_and_a_meaning);
    tcase_add_test(tc, list_fields_prints_one_line_per_key);
    suite_add_tcase(s, tc);
    return s;
}
