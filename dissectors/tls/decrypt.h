/* Decryption of a TLS connection's protected records with the secrets the user gave
 * (tls_state.keys): TLS 1.3 with the traffic secrets of RFC 8446 7.1, TLS 1.2 and older with
 * the master secret (RFC 5246 6.3). Only what the handshake needs is read: of an application
 * data record only its length and inner content type. Nothing here runs while keys is NULL. */
#ifndef HSDUMP_DISSECTORS_DECRYPT_H
#define HSDUMP_DISSECTORS_DECRYPT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tls/tls.h"

enum decrypt_result {
    DECRYPT_KEYLESS, /* no secret for this record: read it as without keys */
    DECRYPT_OK,      /* *inner holds its plaintext (valid until the next record) */
    DECRYPT_FAILED,  /* the secrets given do not open it: this direction goes on keyless */
};

struct decrypted_record {
    uint8_t type; /* inner content type (TLS 1.3) or the record's own (TLS 1.2) */
    struct cursor plaintext;
};

/* Opens one protected record of direction d: whole is the record with its header. */
enum decrypt_result decrypt_record(struct tls_state *st, enum dir d, uint8_t type,
                                   uint16_t version, struct cursor whole,
                                   struct decrypted_record *inner);

/* After a decrypted record was dissected: the key changes its messages call for (RFC 8446
 * 7.2 and 4.6.3: Finished, EndOfEarlyData, KeyUpdate end their sender's keys). */
void decrypt_after_record(struct tls_state *st, enum dir d, uint32_t messages_before);

/* TLS 1.2 and older: direction d sent ChangeCipherSpec; its next record is under the keys of
 * the hellos just exchanged (RFC 5246 7.1). */
void decrypt_change_cipher_spec(struct tls_state *st, enum dir d);

/* Some direction reads records with the user's keys, or the connection's secrets may still
 * come (a growing table, for DECRYPT_WAIT_RECORDS records): the connection is followed to its end
 * (post-handshake messages and alerts) instead of being let go after the handshake. */
bool decrypt_active(const struct tls_state *st);

/* TLS 1.3: the keyless inference is checked against what decryption read
 * (inference_check.h). A record decrypted (after its dissection; message_types as there) ... */
void decrypt_check_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                          uint8_t inner_type, uint32_t message_types);
/* ... a plaintext record ... */
void decrypt_check_plaintext(struct tls_state *st, enum dir d);
/* ... and the end of the connection (closed: by FIN or RST with nothing left unread), which
 * sets st->inference_disagreements. */
void decrypt_check_finish(struct tls_state *st, bool closed);

/* Decrypting, and both sides finished their handshake: what follows is records to open one
 * by one (tickets, KeyUpdates, alerts, application data counted). */
bool decrypt_past_handshake(const struct tls_state *st);

/* Clears every key (OPENSSL_cleanse) and frees; st->decrypt becomes NULL. */
void decrypt_free(struct tls_state *st);

#endif
