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

struct fields;
struct output;
struct v6map;
struct stats;
struct budget;

/* What all connections of a run share. */
struct conn_env {
    struct output *out;
    struct stats *stats;
    struct budget *budget; /* handshake messages being joined, all connections and flows */
    struct timeval now; /* timestamp of the packet being processed */
    uint64_t next_id;
    /* Called once per connection when its handshake completes (for -c); may be NULL. */
    void (*on_established)(void *ctx);
    void *hook_ctx;
};

enum conn_kind { CONN_UNDECIDED, CONN_TLS, CONN_NOT_TLS };

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
    /* Owned by reassembly.c: its libnids stream and place in the idle list. */
    void *stream;
    struct age_link idle;
    /* client and server as printed, formatted at the first line */
    char client_text[ENDPOINT_STR_MAX];
    char server_text[ENDPOINT_STR_MAX];
    /* its text lines' "c<id> <client> -> <server>", made with the first line */
    char head[EVENT_HEAD_MAX];
    size_t head_len;
    size_t head_arrow;
    struct timeval last_active;
    uint64_t events_suppressed;
    struct tls_state tls;
    /* STARTTLS (starttls.h): the plaintext seen while an upgrade may still come (owned, NULL
     * otherwise), the protocol once it came, and per direction the plaintext bytes still in
     * front of what reassembly hands over next. */
    struct conn_plaintext *plain;
    enum starttls_proto starttls;
    size_t plaintext_left[2];
    bool midstream; /* picked up without its SYN (midstream.c): every line says so */
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
void conn_free(struct conn *c); /* accepts NULL */

/* For flows over UDP (src/udp/udp.c), whose struct conn the caller fills: the sink of their
 * events, and the flow, status and negotiated fields of their close line. */
struct tls_sink conn_sink(struct conn *c);
void conn_describe_tls(struct conn *c, struct fields *f);

#endif
