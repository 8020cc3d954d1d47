/* A single-producer, single-consumer ring of records in memory two processes share. It is
 * mapped MAP_SHARED|MAP_ANONYMOUS before fork(2), so no name exists anywhere and the kernel
 * frees it when the last process holding it exits, whatever way it exits (mmap(2)). */
#ifndef HSDUMP_SRC_PARALLEL_RING_H
#define HSDUMP_SRC_PARALLEL_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring;

/* The longest payload one record may have; a ring holds at least two of them. */
#define RING_RECORD_MAX (300u * 1024)

/* capacity: bytes of records, a power of two >= 8 * RING_RECORD_MAX. NULL when mmap fails. */
struct ring *ring_new(size_t capacity);
void ring_free(struct ring *r);

/* Producer: room for a payload of len bytes (<= RING_RECORD_MAX), or NULL when the consumer
 * has not yet made room; then ring_commit() adds it with its type. Committed records reach
 * the consumer in batches: when RING_PUBLISH_BYTES are waiting, or at ring_publish(), which a
 * producer calls before it waits or goes idle (one wake-up per batch, not per record). */
void *ring_reserve(struct ring *r, size_t len);
void ring_commit(struct ring *r, uint32_t type, size_t len);
void ring_publish(struct ring *r);
#define RING_PUBLISH_BYTES (16u * 1024) /* a sixty-fourth of a 1 MiB ring */

/* Consumer: the oldest record not yet released (its type and length), or NULL when none is
 * published; ring_release() lets its room be reused, which the producer sees in batches:
 * every RING_RELEASE_BYTES, at ring_release_flush(), and before the consumer waits. */
const void *ring_peek(struct ring *r, uint32_t *type, size_t *len);
void ring_release(struct ring *r);
void ring_release_flush(struct ring *r);
#define RING_RELEASE_BYTES (16u * 1024)
bool ring_empty(struct ring *r);

/* Sleep until the other side may have acted (a record published, room made) or ms pass.
 * Spurious wake-ups are allowed: callers test again. */
void ring_wait_data(struct ring *r, int ms);
/* The count of the producer's publications, and a sleep until it is no longer seen (or ms
 * pass): for a consumer waiting for more than what the ring already holds. */
uint32_t ring_publications(struct ring *r);
void ring_wait_publication(struct ring *r, uint32_t seen, int ms);
void ring_wait_room(struct ring *r, int ms);

#endif
