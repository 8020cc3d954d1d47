/* DTLS 1.0, 1.2 and 1.3 over UDP (RFC 6347, RFC 9147): records of each datagram, handshake
 * fragments joined per message, protected records counted. */
#ifndef HSDUMP_DISSECTORS_DTLS_H
#define HSDUMP_DISSECTORS_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "tls/tls.h"

struct fields;
struct dtls_decrypt;

/* RFC 6347 4.1: type, version, epoch, sequence_number (48 bits), length. */
#define DTLS_RECORD_HEADER 13
/* RFC 6347 4.2.2: msg_type, length, message_seq, fragment_offset, fragment_length. */
#define DTLS_HS_HEADER 12

/* Bytes of a message being joined that arrived without a hole between them. */
struct dtls_span {
    uint32_t start; /* offset in the message body */
    uint32_t len;
    uint32_t cap;
    uint8_t *bytes; /* owned */
};

/* The handshake message a direction is joining from its fragments (RFC 6347 4.2.3): the
 * fragments' bytes as sorted, disjoint spans, so memory follows the bytes that arrived
 * whatever length and offsets the headers claim. */
struct dtls_message {
    bool active;
    uint16_t message_seq;
    uint8_t type;
    uint32_t length;
    uint16_t record_version; /* of the record its first fragment came in */
    uint32_t fragments;
    size_t received; /* distinct bytes of the body that arrived */
    struct dtls_span *spans; /* owned, n_spans in use, no two touching */
    size_t n_spans;
    size_t spans_cap;
    size_t heap; /* bytes allocated for it, what the budget is charged */
    struct budget *budget;
    struct budget_entry entry;
    struct tls_sink sink; /* where a drop by the budget is reported, and as which side */
    enum dir side;
    bool dropped; /* the budget dropped message dropped_seq: its other fragments are ignored */
    uint16_t dropped_seq;
};

struct dtls_dir {
    bool any_message;      /* a message was dissected: next_seq is meaningful */
    uint16_t next_seq;     /* message_seq of the next message not yet dissected */
    struct dtls_message msg;
    uint32_t retransmitted; /* fragments of messages already dissected (RFC 6347 4.2.4) */
    uint32_t malformed;     /* records or fragments whose grammar broke (each with its line) */
    bool rehandshake;       /* decrypted: a renegotiation restarted message_seq, until the
                             * side's next ChangeCipherSpec (dtls.c) */
};

struct dtls_state {
    struct dtls_dir dir[2];
    struct dtls_decrypt *decrypt; /* owned; made at a ChangeCipherSpec when keys are given */
};

void dtls_state_init(struct dtls_state *ds);
/* Frees the join buffers and clears the keys; accepts NULL. */
void dtls_state_free(struct dtls_state *ds);

/* True when datagram starts with a plaintext DTLS handshake record (epoch 0, version DTLS 1.0
 * or 1.2 on the record) carrying (a fragment of) a ClientHello: what a client sends first. */
bool dtls_looks_like_client_hello(struct cursor datagram);

/* Takes one UDP payload of direction d: each record it holds (RFC 6347 4.1: several may share
 * a datagram, none spans two) is read or, when protected, counted; with keys (st->keys), a
 * protected handshake, alert or ChangeCipherSpec record is opened and read as a plaintext one,
 * its lines marked decrypted=true (dtls_decrypt.h). */
void dtls_datagram(struct dtls_state *ds, struct tls_state *st, enum dir d,
                   struct cursor datagram, const struct tls_sink *sink);

/* End of the flow: reports a handshake message left incomplete in either direction. */
void dtls_finish(struct dtls_state *ds, struct tls_state *st, const struct tls_sink *sink);

/* The close line's DTLS counters (records_c2s=, retransmitted_c2s=, ...). */
void dtls_describe(const struct dtls_state *ds, const struct tls_state *st, struct fields *f);

#endif
