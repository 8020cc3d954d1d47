/* DTLS 1.0 and 1.2 records opened with the user's keys (tls_state keys): each side's
 * ChangeCipherSpec moves it to the next epoch, protected with the keys of the hellos just
 * exchanged (RFC 6347 4.1, RFC 5246 7.1), from the master secret of the CLIENT_RANDOM key log
 * line; a record's sequence number for the MAC or AEAD is its epoch and 48-bit sequence number
 * (RFC 6347 4.1.2.1). DTLS 1.3 (RFC 9147) is not decrypted. Nothing here runs without keys. */
#ifndef HSDUMP_DISSECTORS_DTLS_DECRYPT_H
#define HSDUMP_DISSECTORS_DTLS_DECRYPT_H

#include <stdint.h>

#include "base/cursor.h"
#include "tls/tls.h"

struct dtls_decrypt;

enum dtls_decrypt_result {
    DTLS_DECRYPT_KEYLESS, /* no keys for this record's epoch: read it as without keys */
    DTLS_DECRYPT_OK,      /* *plaintext holds its content (valid until the next record) */
    DTLS_DECRYPT_FAILED,  /* the keys given do not open it */
};

/* Direction d sent a ChangeCipherSpec in epoch epoch (st->keys set): its records of epoch + 1
 * are under the keys of the hellos st holds now. Makes *dc at the first call; a repeated
 * ChangeCipherSpec (a retransmitted flight) changes nothing. */
void dtls_decrypt_change_cipher_spec(struct dtls_decrypt **dc, const struct tls_state *st,
                                     enum dir d, uint16_t epoch);

/* Opens the fragment of one protected record of direction d (type, version, epoch and 48-bit
 * sequence number from its header). */
enum dtls_decrypt_result dtls_decrypt_record(struct dtls_decrypt *dc, const struct tls_state *st,
                                             enum dir d, uint8_t type, uint16_t version,
                                             uint16_t epoch, uint64_t seq48,
                                             struct cursor fragment, struct cursor *plaintext);

/* Direction d goes on keyless: its keys are cleared. */
void dtls_decrypt_drop(struct dtls_decrypt *dc, enum dir d);

/* Clears every key (OPENSSL_cleanse) and frees; NULL is fine. */
void dtls_decrypt_free(struct dtls_decrypt *dc);

#endif
