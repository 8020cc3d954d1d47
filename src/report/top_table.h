/* The most frequent keys of a stream in bounded memory: Space-Saving (Metwally, Agrawal and
 * El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data Streams", ICDT
 * 2005). At most cap keys are kept; a new key past that takes the slot of the key counted
 * least, inheriting its count as the error. A kept key's count is never below its true count
 * and at most error above it; a key whose true count exceeds the number of keys seen divided
 * by cap is always kept. */
#ifndef HSDUMP_SRC_REPORT_TOP_TABLE_H
#define HSDUMP_SRC_REPORT_TOP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct top_table;

/* cap slots for keys of up to key_max bytes; NULL when out of memory. The memory is
 * allocated here once: it does not grow with the stream. */
struct top_table *top_new(size_t cap, size_t key_max);
void top_free(struct top_table *t); /* accepts NULL */

/* Counts one occurrence of key (key_len <= key_max, else cut to key_max) and returns its
 * slot (< cap). *taken says the slot was just taken from another key, the one counted least:
 * what the caller kept for that one in the slot is to be folded into its "other" row first. */
size_t top_hit(struct top_table *t, const uint8_t *key, size_t key_len, bool *taken);

size_t top_used(const struct top_table *t); /* slots in use: 0 .. used-1 */
size_t top_cap(const struct top_table *t);
uint64_t top_count(const struct top_table *t, size_t slot); /* an upper bound */
/* What count may exceed the true count by: count - error is a lower bound. */
uint64_t top_error(const struct top_table *t, size_t slot);
const uint8_t *top_key(const struct top_table *t, size_t slot, size_t *len);
uint64_t top_taken(const struct top_table *t); /* slots taken from another key so far */

#endif
