/* QUIC Initial packet protection (RFC 9001 5, RFC 9369 3.3): key derivation, header
 * protection and payload decryption. The QUIC dissector's only use of libcrypto. */
#ifndef HSDUMP_DISSECTORS_QUIC_CRYPTO_H
#define HSDUMP_DISSECTORS_QUIC_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"

#define QUIC_VERSION_1 0x00000001u
#define QUIC_VERSION_2 0x6b3343cfu /* RFC 9369 3.1 */

/* RFC 9001 5.2: Initial packets use AEAD_AES_128_GCM and HKDF-SHA256. */
#define QUIC_SECRET_LEN 32
#define QUIC_KEY_LEN 16
#define QUIC_IV_LEN 12
#define QUIC_HP_LEN 16
#define QUIC_TAG_LEN 16
#define QUIC_SAMPLE_LEN 16 /* RFC 9001 5.4.2 */
#define QUIC_MASK_LEN 5    /* RFC 9001 5.4.1: one byte for the flags, up to 4 for the number */

struct quic_keys {
    uint8_t key[QUIC_KEY_LEN];
    uint8_t iv[QUIC_IV_LEN];
    uint8_t hp[QUIC_HP_LEN];
};

/* True for the versions whose Initial keys hsdump knows (v1 and v2). */
bool quic_version_known(uint32_t version);

/* RFC 9001 5.2: initial_secret = HKDF-Extract(initial_salt, dcid), then the client's and the
 * server's secrets by HKDF-Expand-Label with "client in" and "server in". */
bool quic_initial_secrets(uint32_t version, struct cursor dcid,
                          uint8_t client[QUIC_SECRET_LEN], uint8_t server[QUIC_SECRET_LEN]);
/* RFC 9001 5.1: key, iv and hp from a secret ("quic key", "quic iv", "quic hp"; v2 labels
 * "quicv2 ...", RFC 9369 3.3.2). */
bool quic_packet_keys(uint32_t version, const uint8_t secret[QUIC_SECRET_LEN],
                      struct quic_keys *keys);
/* Both directions' keys for the Initial packets of a connection whose client chose dcid. */
bool quic_initial_keys(uint32_t version, struct cursor dcid, struct quic_keys *client,
                       struct quic_keys *server);

/* RFC 9001 5.4.3: mask = AES-ECB(hp, sample), its first 5 bytes. */
bool quic_header_mask(const struct quic_keys *keys, struct cursor sample,
                      uint8_t mask[QUIC_MASK_LEN]);

/* RFC 9001 5.3: decrypts ciphertext (which ends in the 16-byte tag) with nonce = iv XOR the
 * packet number and the unprotected header as associated data, into out (room for
 * cur_len(ciphertext) - QUIC_TAG_LEN bytes). False when the tag does not verify. */
bool quic_open_payload(const struct quic_keys *keys, uint64_t packet_number, struct cursor header,
                       struct cursor ciphertext, uint8_t *out);

#endif
