/* QUIC (RFC 9000, RFC 9001, RFC 9369): Initial packets decrypted, their CRYPTO frames joined
 * into the TLS handshake messages; with the user's keys, Handshake packets too; every other
 * packet only counted. */
#ifndef HSDUMP_DISSECTORS_QUIC_H
#define HSDUMP_DISSECTORS_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "crypto/keylog.h"
#include "crypto/quic_crypto.h"
#include "tls/decrypted_sink.h"
#include "tls/tls.h"

struct fields;

/* RFC 9000 17.2: a connection ID is at most 20 bytes in QUIC version 1 (and 2). */
#define QUIC_CID_MAX 20
/* CRYPTO stream bytes kept per direction at the Initial level: a ClientHello or ServerHello
 * (with a HelloRetryRequest and a second ClientHello) fits many times; an offset past it is
 * counted (crypto_overflow), not stored. */
#define QUIC_CRYPTO_MAX (64 * 1024)
/* RFC 9000 14.1: a client pads every datagram with an Initial packet to 1200 bytes. */
#define QUIC_CLIENT_INITIAL_MIN 1200
/* RFC 768: a UDP payload is at most 65535 - 8 bytes. */
#define QUIC_DATAGRAM_MAX 65527

/* The CRYPTO stream of one direction at one encryption level, joined by offset (RFC 9000
 * 19.6). Only what is not yet dissected is held, and charged to the handshake budget. */
struct quic_crypto {
    uint8_t *buf;         /* owned: byte i holds stream offset base + i */
    uint8_t *have;        /* owned: one bit per byte of buf, set once that byte arrived */
    size_t cap;           /* bytes of buf (a power of two, at most QUIC_CRYPTO_MAX) */
    size_t base;          /* stream offset of buf[0]: all before it was dissected */
    size_t contiguous;    /* offsets [0, contiguous) have all arrived */
    size_t parsed;        /* offsets [0, parsed) were whole handshake messages, dissected */
    size_t highest;       /* one past the highest offset that arrived */
    bool overflow;        /* bytes past QUIC_CRYPTO_MAX arrived and were dropped */
    bool dropped;         /* the budget dropped what was held: later frames are ignored */
    struct budget *budget;
    struct budget_entry entry;
    struct tls_sink sink; /* where a drop by the budget is reported, and as which side */
    enum dir side;
};

struct quic_dir {
    bool has_keys;
    uint32_t keys_version;
    struct quic_keys keys;
    bool has_pn;
    uint64_t largest_pn;  /* of the Initial packet number space */
    struct quic_crypto crypto;
    /* Packets by type; only Initial ones are read, the rest are counted. */
    uint32_t initial;
    uint32_t zero_rtt;
    uint32_t handshake;
    uint32_t one_rtt;
    uint32_t retry;
    uint32_t version_negotiation;
    uint32_t undecryptable; /* Initial packets whose keys are unknown or whose tag failed */
    uint32_t malformed;     /* packets or frames whose grammar broke (each with its line) */
    uint32_t crypto_frames;
    bool noted_encrypted; /* its protected packets have their history letter */
};

/* The Handshake packet number space (RFC 9000 12.3, 17.2.4) of a connection the user gave
 * keys for: made at its first Handshake packet after the ServerHello, with the keys of the key
 * log's handshake traffic secrets (RFC 9001 5.1), which are cleared when the state is freed. */
struct quic_handshake_space {
    struct keylog_lookup lookup; /* handshake secrets looked for in vain */
    bool has_keys[2];
    struct quic_keys keys[2];
    bool has_pn[2];
    uint64_t largest_pn[2];
    struct quic_crypto crypto[2];
    uint32_t decrypted[2];   /* packets opened */
    uint32_t failed[2];      /* packets whose tag did not verify with the key log's keys */
    /* Lines of what was decrypted go through marked (decrypted=true) to a copy of the
     * caller's sink, which a CRYPTO stream's budget drop may use later. */
    struct tls_sink inner;
    struct decrypted_sink marked;
};

struct quic_state {
    uint32_t version; /* of the client's first Initial, then of the server's packets */
    uint8_t dcid[QUIC_CID_MAX]; /* the client's first Destination Connection ID: the keys' */
    size_t dcid_len;
    bool have_dcid;
    bool retry_seen; /* RFC 9000 17.2.5: the client's next Initial brings the keys' new DCID */
    bool closed;     /* a CONNECTION_CLOSE went by in an Initial packet */
    struct quic_dir dir[2];
    struct quic_handshake_space *handshake; /* owned; NULL without keys (tls_state keys) */
};

void quic_state_init(struct quic_state *q);
/* Frees the CRYPTO buffers and clears the keys (OPENSSL_cleanse); accepts NULL. */
void quic_state_free(struct quic_state *q);

/* True when datagram starts with what a client sends first: a long header Initial packet of
 * QUIC v1 or v2 with a Destination Connection ID of 8..20 bytes (RFC 9000 7.2), in a datagram
 * of at least 1200 bytes. */
bool quic_looks_like_client_initial(struct cursor datagram);

/* The QUIC version of a datagram's first long header packet, or 0. */
uint32_t quic_datagram_version(struct cursor datagram);

/* Takes one UDP payload of direction d: every coalesced packet (RFC 9000 12.2) is counted;
 * Initial packets are decrypted and their frames read, and Handshake packets too when st->keys
 * holds the connection's handshake traffic secrets; the handshake messages their CRYPTO frames
 * complete are dissected into events (through hs_dissect_message), those of Handshake packets
 * marked decrypted=true. A Handshake packet the keys do not open gets a decrypt=failed line. */
void quic_datagram(struct quic_state *q, struct tls_state *st, enum dir d, struct cursor datagram,
                   const struct tls_sink *sink);

/* End of the connection: reports a handshake message left incomplete in either direction. */
void quic_finish(struct quic_state *q, struct tls_state *st, const struct tls_sink *sink);

/* The close line's QUIC counters (initial_c2s=, handshake_s2c=, undecryptable_c2s=, ...;
 * with keys, decrypted_handshake_c2s= and decrypt_failed_c2s= when not zero). */
void quic_describe(const struct quic_state *q, struct fields *f);

#endif
