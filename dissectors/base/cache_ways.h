/* The dissectors' set-associative caches (certificate descriptions, fingerprints): a hash
 * of the key picks a set of ways, a hit is found by comparing keys whole, and a miss takes
 * the way used least recently. Each entry begins with a struct cache_way. */
#ifndef HSDUMP_DISSECTORS_CACHE_WAYS_H
#define HSDUMP_DISSECTORS_CACHE_WAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache_way {
    uint64_t last_used; /* 0: empty */
};

/* The entry of the set (ways entries of size stride from set) for which holds(entry, key)
 * is true, else the least recently used one, which the caller fills; *hit says which. Either
 * way it is marked used now (clock counts uses across the cache). */
static inline void *cache_pick(void *set, size_t ways, size_t stride,
                               bool (*holds)(const void *entry, const void *key),
                               const void *key, uint64_t *clock, bool *hit)
{
    struct cache_way *victim = set;
    *hit = false;
    for (size_t i = 0; i < ways; i++) {
        struct cache_way *w = (struct cache_way *)((char *)set + i * stride);
        if (w->last_used != 0 && holds(w, key)) {
            victim = w;
            *hit = true;
            break;
        }
        if (w->last_used < victim->last_used) {
            victim = w;
        }
    }
    victim->last_used = ++*clock;
    return victim;
}

#endif
