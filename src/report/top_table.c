/* Space-Saving (top_table.h): a hash index finds a key's slot, a binary min-heap on the
 * counts finds the slot to give up. Each hit costs O(log cap); nothing is allocated after
 * top_new(). */
#include "report/top_table.h"

#include <stdlib.h>
#include <string.h>

#include "base/fnv.h"

#define NO_SLOT UINT32_MAX

struct top_table {
    size_t cap;
    size_t key_max;
    size_t used;
    uint64_t taken;
    uint8_t *keys;     /* cap * key_max bytes */
    uint16_t *key_len;
    uint64_t *count;
    uint64_t *error;
    uint64_t *hash;
    uint32_t *next;    /* the next slot in the same bucket, or NO_SLOT */
    uint32_t *bucket;  /* first slot of each bucket, or NO_SLOT */
    size_t n_buckets;  /* a power of two, at least twice cap */
    uint32_t *heap;    /* slots, the least count first */
    uint32_t *pos;     /* each slot's place in heap */
};

struct top_table *top_new(size_t cap, size_t key_max)
{
    if (cap == 0 || cap >= NO_SLOT / 2 || key_max == 0 || key_max > UINT16_MAX) {
        return NULL;
    }
    struct top_table *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->cap = cap;
    t->key_max = key_max;
    t->n_buckets = 1;
    while (t->n_buckets < 2 * cap) {
        t->n_buckets *= 2;
    }
    t->keys = malloc(cap * key_max);
    t->key_len = calloc(cap, sizeof(*t->key_len));
    t->count = calloc(cap, sizeof(*t->count));
    t->error = calloc(cap, sizeof(*t->error));
    t->hash = calloc(cap, sizeof(*t->hash));
    t->next = calloc(cap, sizeof(*t->next));
    t->bucket = malloc(t->n_buckets * sizeof(*t->bucket));
    t->heap = calloc(cap, sizeof(*t->heap));
    t->pos = calloc(cap, sizeof(*t->pos));
    if (t->keys == NULL || t->key_len == NULL || t->count == NULL || t->error == NULL ||
        t->hash == NULL || t->next == NULL || t->bucket == NULL || t->heap == NULL ||
        t->pos == NULL) {
        top_free(t);
        return NULL;
    }
    memset(t->bucket, 0xff, t->n_buckets * sizeof(*t->bucket));
    return t;
}

void top_free(struct top_table *t)
{
    if (t == NULL) {
        return;
    }
    free(t->keys);
    free(t->key_len);
    free(t->count);
    free(t->error);
    free(t->hash);
    free(t->next);
    free(t->bucket);
    free(t->heap);
    free(t->pos);
    free(t);
}

static uint32_t *bucket_of(struct top_table *t, uint64_t hash)
{
    return &t->bucket[hash & (t->n_buckets - 1)];
}

static uint32_t find(struct top_table *t, uint64_t hash, const uint8_t *key, size_t len)
{
    for (uint32_t s = *bucket_of(t, hash); s != NO_SLOT; s = t->next[s]) {
        if (t->hash[s] == hash && t->key_len[s] == len &&
            memcmp(t->keys + (size_t)s * t->key_max, key, len) == 0) {
            return s;
        }
    }
    return NO_SLOT;
}

static void unlink_slot(struct top_table *t, uint32_t slot)
{
    uint32_t *at = bucket_of(t, t->hash[slot]);
    while (*at != slot) {
        at = &t->next[*at];
    }
    *at = t->next[slot];
}

static void link_slot(struct top_table *t, uint32_t slot, uint64_t hash, const uint8_t *key,
                      size_t len)
{
    memcpy(t->keys + (size_t)slot * t->key_max, key, len);
    t->key_len[slot] = (uint16_t)len;
    t->hash[slot] = hash;
    uint32_t *head = bucket_of(t, hash);
    t->next[slot] = *head;
    *head = slot;
}

static void heap_swap(struct top_table *t, size_t a, size_t b)
{
    uint32_t sa = t->heap[a];
    uint32_t sb = t->heap[b];
    t->heap[a] = sb;
    t->heap[b] = sa;
    t->pos[sb] = (uint32_t)a;
    t->pos[sa] = (uint32_t)b;
}

/* A count grew: the slot moves towards the leaves. */
static void sift_down(struct top_table *t, size_t i)
{
    for (;;) {
        size_t least = i;
        size_t l = 2 * i + 1;
        size_t r = l + 1;
        if (l < t->used && t->count[t->heap[l]] < t->count[t->heap[least]]) {
            least = l;
        }
        if (r < t->used && t->count[t->heap[r]] < t->count[t->heap[least]]) {
            least = r;
        }
        if (least == i) {
            return;
        }
        heap_swap(t, i, least);
        i = least;
    }
}

static void sift_up(struct top_table *t, size_t i)
{
    while (i > 0 && t->count[t->heap[(i - 1) / 2]] > t->count[t->heap[i]]) {
        heap_swap(t, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

size_t top_hit(struct top_table *t, const uint8_t *key, size_t key_len, bool *taken)
{
    if (key_len > t->key_max) {
        key_len = t->key_max;
    }
    uint64_t hash = fnv1a64(FNV1A64_BASIS, key, key_len);
    uint32_t slot = find(t, hash, key, key_len);
    *taken = false;
    if (slot != NO_SLOT) {
        t->count[slot]++;
        sift_down(t, t->pos[slot]);
        return slot;
    }
    if (t->used < t->cap) {
        slot = (uint32_t)t->used;
        t->count[slot] = 1;
        t->error[slot] = 0;
        t->heap[t->used] = slot;
        t->pos[slot] = (uint32_t)t->used;
        t->used++;
        link_slot(t, slot, hash, key, key_len);
        sift_up(t, t->pos[slot]);
        return slot;
    }
    /* Full: the key counted least gives its slot up; the newcomer may have been seen as
     * often as it before (evicted each time), so that count is its error. */
    slot = t->heap[0];
    unlink_slot(t, slot);
    link_slot(t, slot, hash, key, key_len);
    t->error[slot] = t->count[slot];
    t->count[slot]++;
    t->taken++;
    *taken = true;
    sift_down(t, 0);
    return slot;
}

size_t top_used(const struct top_table *t)
{
    return t->used;
}

size_t top_cap(const struct top_table *t)
{
    return t->cap;
}

uint64_t top_count(const struct top_table *t, size_t slot)
{
    return t->count[slot];
}

uint64_t top_error(const struct top_table *t, size_t slot)
{
    return t->error[slot];
}

const uint8_t *top_key(const struct top_table *t, size_t slot, size_t *len)
{
    *len = t->key_len[slot];
    return t->keys + slot * t->key_max;
}

uint64_t top_taken(const struct top_table *t)
{
    return t->taken;
}
