/* The bounded heavy-hitters table (src/report/top_table.c): exact while the keys fit,
 * Space-Saving's bounds once they do not (Metwally et al. 2005, Lemma 3.4 and Theorem 3.5),
 * the same table for the same stream. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "report/top_table.h"
#include "suites.h"

static size_t hit(struct top_table *t, const char *key, bool *taken)
{
    return top_hit(t, (const uint8_t *)key, strlen(key), taken);
}

static size_t slot_of(const struct top_table *t, const char *key)
{
    for (size_t s = 0; s < top_used(t); s++) {
        size_t len;
        const uint8_t *k = top_key(t, s, &len);
        if (len == strlen(key) && memcmp(k, key, len) == 0) {
            return s;
        }
    }
    return SIZE_MAX;
}

START_TEST(counts_are_exact_below_capacity)
{
    struct top_table *t = top_new(8, 16);
    const char *stream[] = {"a", "b", "a", "c", "a", "b", "a", "a"};
    bool taken;
    for (size_t i = 0; i < sizeof(stream) / sizeof(stream[0]); i++) {
        hit(t, stream[i], &taken);
        ck_assert(!taken);
    }
    ck_assert_uint_eq(top_used(t), 3);
    ck_assert_uint_eq(top_taken(t), 0);
    ck_assert_uint_eq(top_count(t, slot_of(t, "a")), 5);
    ck_assert_uint_eq(top_count(t, slot_of(t, "b")), 2);
    ck_assert_uint_eq(top_count(t, slot_of(t, "c")), 1);
    for (size_t s = 0; s < top_used(t); s++) {
        ck_assert_uint_eq(top_error(t, s), 0);
    }
    top_free(t);
}
END_TEST

START_TEST(a_new_key_takes_the_least_counted_slot)
{
    struct top_table *t = top_new(2, 16);
    bool taken;
    hit(t, "a", &taken);
    hit(t, "a", &taken);
    hit(t, "a", &taken);
    size_t b = hit(t, "b", &taken);
    size_t c = hit(t, "c", &taken);
    ck_assert(taken);
    ck_assert_uint_eq(c, b); /* b, counted once, gave its slot up */
    ck_assert_uint_eq(slot_of(t, "b"), SIZE_MAX);
    ck_assert_uint_eq(top_count(t, c), 2); /* its count and b's: an overestimate ... */
    ck_assert_uint_eq(top_error(t, c), 1); /* ... by at most b's count */
    ck_assert_uint_eq(top_count(t, slot_of(t, "a")), 3);
    ck_assert_uint_eq(top_taken(t), 1);
    /* c again: its own slot, no eviction */
    ck_assert_uint_eq(hit(t, "c", &taken), c);
    ck_assert(!taken);
    top_free(t);
}
END_TEST

/* A skewed stream of 200 keys: key k appears about 1/(k+1) as often as key 0. */
#define KEYS 200
#define STREAM 20000
static unsigned next_key(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    unsigned r = (*seed >> 8) % 10000u;
    unsigned k = 0;
    while (k + 1 < KEYS && r < 10000u / (k + 2)) {
        k++;
    }
    return k;
}

static void run_stream(struct top_table *t, uint64_t truth[KEYS])
{
    unsigned seed = 7;
    memset(truth, 0, KEYS * sizeof(truth[0]));
    for (unsigned i = 0; i < STREAM; i++) {
        unsigned k = (i % 3 == 0) ? (i / 3) % KEYS : next_key(&seed); /* every key some */
        char key[16];
        snprintf(key, sizeof(key), "key%u", k);
        bool taken;
        hit(t, key, &taken);
        truth[k]++;
    }
}

START_TEST(counts_bound_the_truth_past_capacity)
{
    enum { CAP = 20 };
    struct top_table *t = top_new(CAP, 16);
    uint64_t truth[KEYS];
    run_stream(t, truth);
    ck_assert_uint_eq(top_used(t), CAP);
    ck_assert_uint_gt(top_taken(t), 0);
    uint64_t sum = 0;
    for (size_t s = 0; s < top_used(t); s++) {
        size_t len;
        const uint8_t *k = top_key(t, s, &len);
        char key[16] = {0};
        memcpy(key, k, len);
        unsigned id;
        ck_assert_int_eq(sscanf(key, "key%u", &id), 1);
        /* count - error <= true count <= count */
        ck_assert_uint_le(top_count(t, s) - top_error(t, s), truth[id]);
        ck_assert_uint_ge(top_count(t, s), truth[id]);
        /* the error is at most the least count, itself at most STREAM / CAP */
        ck_assert_uint_le(top_error(t, s), STREAM / CAP);
        sum += top_count(t, s);
    }
    ck_assert_uint_eq(sum, STREAM); /* every hit counted once, in some slot */
    /* a key seen more than STREAM / CAP times is always kept */
    for (unsigned id = 0; id < KEYS; id++) {
        if (truth[id] > STREAM / CAP) {
            char key[16];
            snprintf(key, sizeof(key), "key%u", id);
            ck_assert_msg(slot_of(t, key) != SIZE_MAX, "%s (%llu times) was evicted", key,
                          (unsigned long long)truth[id]);
        }
    }
    top_free(t);
}
END_TEST

START_TEST(the_same_stream_gives_the_same_table)
{
    struct top_table *a = top_new(20, 16);
    struct top_table *b = top_new(20, 16);
    uint64_t truth[KEYS];
    run_stream(a, truth);
    run_stream(b, truth);
    ck_assert_uint_eq(top_used(a), top_used(b));
    ck_assert_uint_eq(top_taken(a), top_taken(b));
    for (size_t s = 0; s < top_used(a); s++) {
        size_t la;
        size_t lb;
        const uint8_t *ka = top_key(a, s, &la);
        const uint8_t *kb = top_key(b, s, &lb);
        ck_assert_uint_eq(la, lb);
        ck_assert(memcmp(ka, kb, la) == 0);
        ck_assert_uint_eq(top_count(a, s), top_count(b, s));
        ck_assert_uint_eq(top_error(a, s), top_error(b, s));
    }
    top_free(a);
    top_free(b);
}
END_TEST

START_TEST(long_keys_are_cut_to_key_max)
{
    struct top_table *t = top_new(4, 4);
    bool taken;
    size_t s = hit(t, "abcdef", &taken);
    ck_assert_uint_eq(hit(t, "abcdxy", &taken), s); /* the same first four bytes */
    size_t len;
    const uint8_t *k = top_key(t, s, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert(memcmp(k, "abcd", 4) == 0);
    ck_assert_uint_eq(top_count(t, s), 2);
    top_free(t);
}
END_TEST

START_TEST(bad_sizes_are_refused)
{
    ck_assert_ptr_null(top_new(0, 16));
    ck_assert_ptr_null(top_new(4, 0));
    top_free(NULL);
}
END_TEST

Suite *suite_top_table(void)
{
    Suite *s = suite_create("top_table");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, counts_are_exact_below_capacity);
    tcase_add_test(tc, a_new_key_takes_the_least_counted_slot);
    tcase_add_test(tc, counts_bound_the_truth_past_capacity);
    tcase_add_test(tc, the_same_stream_gives_the_same_table);
    tcase_add_test(tc, long_keys_are_cut_to_key_max);
    tcase_add_test(tc, bad_sizes_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
