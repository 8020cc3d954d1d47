/* Connections past their handshake, followed without libnids. Once a TLS 1.2 connection's
 * Finished messages went both ways only its record headers matter (renegotiations and
 * alerts, all protected), and once a TLS 1.3 connection's flights are over only its close
 * does: reassembly hands such a connection over here and libnids forgets it. Per packet this
 * costs the one lookup in the table of paths (paths.h) instead of libnids' lookups and
 * copies; bytes are never copied except for segments that arrive ahead of a hole. */
#ifndef HSDUMP_SRC_BYPASS_H
#define HSDUMP_SRC_BYPASS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "conn.h"
#include "base/cursor.h"
#include "tcp/reassembly.h"

/* Queued bytes per direction ahead of a hole, as libnids allows (its tcp.c): past it
 * the queue is dropped and the direction reported with a gap. */
#define BYPASS_QUEUE_MAX 65536

/* How far one side's FIN got, as libnids tracks it: sent in order, then acknowledged. */
enum bypass_fin { BYPASS_FIN_NONE, BYPASS_FIN_SENT, BYPASS_FIN_CONFIRMED };

/* One direction at the handover. */
struct bypass_half {
    uint32_t next_seq;        /* sequence number of the next byte due */
    uint64_t delivered;       /* bytes reassembled so far (bytes_* on the close line) */
    enum bypass_fin fin;      /* of this direction's sender */
    struct cursor unconsumed; /* delivered bytes the record layer kept (copied) */
};

struct bypass_handover {
    struct conn *conn; /* owned by the bypass from now on */
    struct tcp_tuple client; /* as the client sends */
    uint32_t client_isn;     /* its SYN's sequence number: a retransmitted SYN is no new one */
    bool skim; /* record headers still read (TLS 1.2); else only the close is followed */
    struct bypass_half half[2]; /* by enum dir */
};

struct bypass;
struct bypass_flow;
struct segment;
struct tcp_paths;

/* One per round; at most max_conns connections, the least recently active one (as near as a
 * second-chance sweep tells) closed with end=evicted to make room. Their tuples are in the
 * table of paths (paths.h), told when one is gone. NULL when out of memory. */
struct bypass *bypass_new(struct conn_env *env, struct tcp_paths *paths, int max_conns);
/* Takes over a connection: its entry, for the table of paths; NULL (nothing taken) when out
 * of memory. */
struct bypass_flow *bypass_adopt(struct bypass *b, const struct bypass_handover *h);
/* One TCP segment (tcp_segment.h) of the connection f, sent by the tuple key's endpoint
 * sender: true when it was handled. A new SYN on f's tuple closes f (end=reused) and is left
 * to libnids (false). */
bool bypass_packet(struct bypass *b, struct bypass_flow *f, uint8_t sender, struct timeval ts,
                   const struct segment *s);
/* End of input: every connection still here is closed (end=eof), in the order they were
 * handed over (as evictions moved them), and b freed. Accepts NULL. */
void bypass_end(struct bypass *b);

#endif
