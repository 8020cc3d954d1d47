/* One budget for the handshake bytes buffered by every connection and flow (TCP records,
 * DTLS fragments, QUIC CRYPTO frames): past it, the oldest unfinished message is dropped. */
#ifndef HSDUMP_DISSECTORS_BASE_BUDGET_H
#define HSDUMP_DISSECTORS_BASE_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 32 MiB: room for a handshake message of the protocol's largest size (2^24-1 bytes, RFC
 * 8446 4) beside a thousand 16 KiB certificate chains being joined at once, while --max-conns
 * connections that each hold one stay under 256 MiB in all (bench/RESULTS.md). */
#define BUDGET_DEFAULT_BYTES (32u * 1024 * 1024)

struct budget_entry;

/* Called on the oldest holder when another needs room: it frees its buffer, reports the
 * message it dropped and ignores the rest of it. The entry is already out of the budget. */
typedef void (*budget_evict_fn)(struct budget_entry *e);

/* Embedded in each holder of a message being joined; zeroed means "holds nothing". */
struct budget_entry {
    struct budget_entry *older;
    struct budget_entry *newer;
    size_t charged; /* bytes of heap this holder owns now */
    bool listed;
    budget_evict_fn evict;
};

struct budget {
    size_t limit;
    size_t used;
    struct budget_entry *oldest; /* the messages in the order they started */
    struct budget_entry *newest;
    uint64_t *dropped; /* counts the messages dropped to stay within the limit (or NULL) */
};

void budget_init(struct budget *b, size_t limit, uint64_t *dropped);

/* What a heap block of n bytes costs, allocator overhead included (glibc: a 16-byte aligned
 * chunk with an 8-byte header, 32 bytes at least), so that many tiny buffers are charged
 * what they really take; 0 for none. */
size_t budget_heap_size(size_t n);

/* Sets what e holds to charge bytes (e joins as the newest message if it held nothing).
 * Older messages are dropped while the total is over the limit; returns false when e is
 * itself the oldest and must go: it is then out of the budget, and the caller drops it.
 * A NULL budget counts nothing and always says yes. */
bool budget_charge(struct budget *b, struct budget_entry *e, size_t charge, budget_evict_fn evict);

/* The same, but only when the total stays within the limit, dropping no other message: for
 * memory held while one message is read, whose own bytes may be in a buffer the budget holds.
 * On refusal e keeps its charge, the refusal counts as a dropped message and false is
 * returned. evict is only called if a later charge drops e while it is still listed. */
bool budget_charge_within(struct budget *b, struct budget_entry *e, size_t charge,
                          budget_evict_fn evict);

/* e holds nothing any more (its message completed or was given up); accepts unlisted ones. */
void budget_release(struct budget *b, struct budget_entry *e);

#endif
