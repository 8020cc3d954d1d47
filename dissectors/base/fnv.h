/* FNV-1a, the one non-cryptographic hash of the project's tables and caches: spreads short
 * keys well enough to pick a slot, nothing more. Chain calls by passing the last result. */
#ifndef HSDUMP_DISSECTORS_FNV_H
#define HSDUMP_DISSECTORS_FNV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FNV1A32_BASIS 2166136261u
#define FNV1A64_BASIS 0xcbf29ce484222325ULL

static inline uint32_t fnv1a32(uint32_t h, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 16777619u;
    }
    return h;
}

static inline uint64_t fnv1a64(uint64_t h, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* For keys of hundreds of bytes (a ClientHello's facts): FNV-1a's step over 8-byte words, a
 * shift bringing high bits down after each (the prime alone moves bits only upwards), the
 * tail byte by byte. Eight times fewer dependent multiplies than fnv1a64. */
static inline uint64_t fnv1a64_words(uint64_t h, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, sizeof(w));
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
    }
    return h ^ (h >> 32);
}

#endif
