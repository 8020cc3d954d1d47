/* One TCP connection's lifecycle: recognise TLS, feed the record layer, print its close. */
#ifndef HSDUMP_SRC_CONN_H
#define HSDUMP_SRC_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "age_list.h"
#include "base/cursor.h"
#include "output/endpoint.h"
#include "output/output.h"
#include "starttls/starttls.h"
#include "tls/tls.h"
#include "checks/diagnosis.h"

struct fields;
struct output;
struct v6map;
struct stats;
struct budget;
struct report;

/* What all connections of a run share. */
struct conn_env {
    struct output *out;
    struct stats *stats;
    struct budget *budget; /* handshake messages being joined, all connections and flows */
    struct timeval now; /* timestamp of the packet being processed */
    uint64_t next_id;
    /* -j worker: the id the heads of its lines carry (the merger's placeholder, records.h
     * LINE_ID_SENTINEL), so that a line is rendered from its connection's head as one process
     * renders it; 0: each connection's own id */
    uint64_t head_id;
    /* Called once per connection when its handshake completes (for -c); may be NULL. */
    void (*on_established)(void *ctx);
    void *hook_ctx;
    /* The packet being processed came inside a GTP-U tunnel (udp/gtpu.h), with this TEID:
     * connections opened by it are marked tunnel=gtpu. */
    bool in_gtpu;
    uint32_t gtpu_teid;
    /* --report: fed once per closed connection or flow; NULL without the option. */
    struct report *report;
};

enum conn_kind { CONN_UNDECIDED, CONN_TLS, CONN_NOT_TLS };

/* When an input ends or idle connections expire, one process closes them table by table,
 * each least recently active first. The key of the close under way says so: the table, then
 * the entry's activity stamp (age_list.h); -j's merger orders the workers' closes by it. 0
 * while a frame is processed. */
enum close_order {
    ORDER_FRAME,
    ORDER_SETTLE,  /* the keyless path's finds reported (paths_settle) */
    ORDER_WRITER,  /* -w's held frames written (writer_settle) */
    ORDER_LIBNIDS, /* libnids' connections */
    ORDER_BYPASS,
    ORDER_PARTIAL,
    ORDER_UDP,
};
extern uint64_t close_order_key;
static inline void close_order_set(enum close_order o, const struct age_link *entry)
{
    close_order_key = ((uint64_t)o << 56) | (entry->stamp & 0x00ffffffffffffffULL);
}
static inline void close_order_clear(void)
{
    close_order_key = 0;
}

/* capture= on the lines of a connection followed by the keyless path (tcp/partial.c). */
enum conn_capture {
    CAPTURE_WHOLE,        /* libnids' or the bypass's: no key */
    CAPTURE_MIDSTREAM,    /* both sides, the start (SYN or SYN/ACK) not captured */
    CAPTURE_CLIENT_ONLY,  /* no packet from the server */
    CAPTURE_SERVER_ONLY,  /* no packet from the client */
    CAPTURE_GAP,          /* TCP handshake seen, a hole before the first record */
    CAPTURE_ISN_CONFLICT, /* two SYN/ACKs with different initial sequence numbers */
    CAPTURE_KINDS,
};
const char *conn_capture_name(enum conn_capture c);

/* missing= on the close line of such a connection, what the capture lacked. */
#define CONN_MISSING_SYN 0x01       /* the client's SYN */
#define CONN_MISSING_SYN_ACK 0x02   /* the server's SYN/ACK */
#define CONN_MISSING_C2S 0x04       /* every packet from the client */
#define CONN_MISSING_S2C 0x08       /* every packet from the server */
#define CONN_MISSING_C2S_START 0x10 /* the client's first bytes (not dissected from byte 0) */
#define CONN_MISSING_S2C_START 0x20 /* the server's first bytes */

/* Lines one connection may print before the rest are only counted (events_suppressed= on its
 * close line): far above any real handshake, renegotiations included. */
#define CONN_EVENTS_MAX 1000

struct conn {
    struct conn_env *env;
    uint64_t id;
    struct endpoint client;
    struct endpoint server;
    enum conn_kind kind;
    bool unfollowed; /* handshake over: reassembly stopped, only the close is still reported */
    bool established; /* its handshake completed (counted once) */
    uint64_t events;  /* lines printed for it so far */
    bool gap[2];      /* by direction: a lost segment stopped delivery (set before the close) */
    /* Owned by reassembly.c: its libnids stream, its place in the idle list, and in the list
     * of streams whose emptied buffers are kept (kept_bytes: their size; 0 when not on it). */
    void *stream;
    struct age_link idle;
    struct age_link kept;
    size_t kept_bytes;
    /* client and server as printed, formatted at the first line */
    char client_text[ENDPOINT_STR_MAX];
    char server_text[ENDPOINT_STR_MAX];
    /* its text lines' "c<id> <client> -> <server>", made with the first line */
    char head[EVENT_HEAD_MAX];
    size_t head_len;
    size_t head_arrow;
    struct timeval last_active;
    struct timeval first_seen; /* its first packet: start= on the close line */
    uint64_t events_suppressed;
    struct tls_state tls;
    /* STARTTLS (starttls.h): the plaintext seen while an upgrade may still come (owned, NULL
     * otherwise), the protocol once it came, and per direction the plaintext bytes still in
     * front of what reassembly hands over next. */
    struct conn_plaintext *plain;
    enum starttls_proto starttls;
    size_t plaintext_left[2];
    /* How it was captured, when not whole (tcp/partial.c): every line says capture=; the
     * close line says what was missing (CONN_MISSING_* bits). */
    enum conn_capture capture;
    uint8_t missing;
    /* Who sent the first FIN or the RST (conn_note_closer, by the TCP glue that saw it): 0
     * not seen, else 1 + enum dir. The failure causes' aborted_by_client/server. */
    uint8_t first_closer;
    /* A tunnel's target as the client's request named it (starttls_target_text()), owned;
     * NULL for other connections. */
    uint8_t *tunnel_target;
    uint16_t tunnel_target_len;
    bool tunnel_target_truncated;
    /* Carried inside GTP-U: every line says tunnel=gtpu; the close line gives the TEID each
     * direction was first seen with. */
    bool gtpu;
    bool has_teid[2];
    uint32_t teid[2];
    /* Synthetic addresses standing for its IPv6 endpoints (ipv6map.h), kept from reuse while
     * it lives: taken by conn_hold_addresses(), given back by conn_free(). */
    struct v6map *v6;
    uint32_t v6_held[2];
    uint8_t n_v6_held;
};

/* What the reassembly glue should do with the stream after conn_data(). */
enum conn_verdict {
    CONN_FOLLOW,  /* keep delivering bytes */
    CONN_RELEASE, /* not TLS, nor plaintext upgraded to it: free it, stop reassembling */
    CONN_DONE,    /* handshake complete both ways: stop reassembling, still report the close */
    CONN_SKIM,    /* past the handshake, only record headers read: contiguous bytes suffice */
};

/* How a connection ended, printed as end= on its close line. */
enum conn_end {
    CONN_END_FIN,
    CONN_END_RESET,
    CONN_END_TIMEOUT,
    CONN_END_EOF,
    CONN_END_REUSED,
    CONN_END_EVICTED, /* --max-conns reached: the oldest connection made room */
    CONN_END_IDLE,    /* no data for --idle-timeout seconds of packet time */
};

struct conn *conn_open(struct conn_env *env, const struct endpoint *client,
                       const struct endpoint *server);
/* The tuple c was made from (addresses as on the wire): those that stand for IPv6 ones are
 * held until conn_free(). */
void conn_hold_addresses(struct conn *c, struct v6map *v6, uint32_t addr_a, uint32_t addr_b);
/* Takes the unconsumed bytes of direction d; returns how many were consumed. */
size_t conn_data(struct conn *c, enum dir d, struct cursor bytes, enum conn_verdict *verdict);
/* Bytes of a connection whose record layer only skims headers now (conn_data() said
 * CONN_SKIM): all are taken, without the handshake checks conn_data() makes. */
void conn_skim(struct conn *c, enum dir d, struct cursor bytes);
/* Reports the close line; rest_* are bytes delivered but never consumed. */
void conn_close(struct conn *c, enum conn_end end, uint64_t bytes_c2s, uint64_t bytes_s2c,
                struct cursor rest_c2s, struct cursor rest_s2c);
/* How c ended, for the failure causes (checks/diagnosis.h cause_of). */
struct close_facts conn_close_facts(const struct conn *c, enum conn_end end);
/* A FIN or RST from direction d went by (the first one counts). */
static inline void conn_note_closer(struct conn *c, enum dir d)
{
    if (c != NULL && c->first_closer == 0) {
        c->first_closer = (uint8_t)(1 + d);
    }
}
void conn_free(struct conn *c); /* accepts NULL */

/* For flows over UDP (src/udp/udp.c), whose struct conn the caller fills: the sink of their
 * events, and the flow, status and negotiated fields of their close line. */
struct tls_sink conn_sink(struct conn *c);
void conn_describe_tls(struct conn *c, struct fields *f, enum close_kind kind);
/* A packet of direction d reached c: inside GTP-U, keeps the TEID it came with (first one
 * per direction). */
void conn_note_tunnel(struct conn *c, enum dir d);
/* The close line's start= (its first packet, as the time column) and duration= (seconds from
 * it to the close line's time), for TCP and UDP alike. */
void conn_describe_times(const struct conn *c, struct fields *f);
/* The close line's tunnel facts (the GTP-U TEIDs), for TCP and UDP alike. */
void conn_describe_tunnel(const struct conn *c, struct fields *f);

#endif
