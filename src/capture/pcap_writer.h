/* -w: the frames of the TLS connections, as captured, into a pcap file. A connection is known
 * to be TLS only once its first bytes arrive, so its earlier frames (SYN, SYN-ACK, ACK...) wait
 * in a small queue per TCP 4-tuple until reassembly decides: written when it is TLS, dropped
 * when it is not. The queues are bounded per tuple and in total; when full, the oldest
 * tuple's frames go first and are counted. */
#ifndef HSDUMP_SRC_PCAP_WRITER_H
#define HSDUMP_SRC_PCAP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "base/cursor.h"

#include "conn.h"

struct capture_dump;
struct capture_frame;
struct stats;
struct tcp_tuple;
struct writer;

/* SYN, SYN-ACK, ACK and the first bytes, or a STARTTLS exchange up to its upgrade (a dozen
 * frames for SMTP or IMAP as clients do it), with room for retransmissions */
#define WRITER_TUPLE_FRAMES 32
#define WRITER_PENDING_FRAMES 4096 /* held back for all tuples together */
#define WRITER_PENDING_BYTES (16u * 1024 * 1024)

/* Takes ownership of dump. NULL when out of memory (dump is then closed). */
struct writer *writer_new(struct capture_dump *dump, struct stats *stats);

/* -j: a worker's writer, which hands each frame it would write to fn (with ctx) instead of
 * a file: the merging process writes them in capture order (writer_write_frame). */
typedef void (*writer_forward_fn)(void *ctx, struct timeval ts, uint32_t wire_len,
                                  struct cursor data);
struct writer *writer_new_forwarding(struct stats *stats, writer_forward_fn fn, void *ctx);
/* The merging process: a frame a worker's writer forwarded, written as it is. */
void writer_write_frame(struct writer *w, struct timeval ts, uint32_t wire_len,
                        struct cursor data);

/* One frame of the TCP connection on t. was_tls: the connection on t was TLS before this
 * frame went through reassembly (so a closing FIN or RST is kept); now: what it is after
 * (reassembly_kind_of). */
void writer_frame(struct writer *w, const struct tcp_tuple *t, const struct capture_frame *f,
                  bool was_tls, enum conn_kind now);

/* One frame of a flow already known to be TLS (QUIC, DTLS): written at once. */
void writer_tls_frame(struct writer *w, const struct capture_frame *f);

/* End of one input: its undecided connections will never be decided, drop their frames. */
void writer_drop_pending(struct writer *w);
/* End of input, before the connections are closed: the frames held for each connection that
 * kind_of now says is TLS are written (one reported only at the end, such as one side of a
 * connection whose other side was not captured). */
void writer_settle(struct writer *w,
                   enum conn_kind (*kind_of)(void *ctx, const struct tcp_tuple *t), void *ctx);

/* Pushes written frames to the file (live capture: between batches). False on a failed
 * write, which writer_close() then reports. */
bool writer_flush(struct writer *w);

/* True once -G with -W has written its last file (capture_dump_state): the run should stop. */
bool writer_limit_reached(const struct writer *w);

/* Drops what is still pending and closes the file; false with err "<why>" if a write
 * failed. Accepts NULL. */
bool writer_close(struct writer *w, char *err, size_t errlen);

#endif
