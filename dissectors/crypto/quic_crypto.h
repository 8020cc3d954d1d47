/* QUIC packet protection (RFC 9001 5, RFC 9369 3.3): key derivation, header protection and
 * payload decryption, for the Initial keys and for the TLS 1.3 cipher suites QUIC uses with
 * the key log's secrets (RFC 9001 5.3). The QUIC dissector's only use of libcrypto. */
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
/* Any suite's: 32-byte keys of AES-256-GCM and ChaCha20-Poly1305, 48-byte SHA-384 secrets. */
#define QUIC_KEY_MAX 32
#define QUIC_SUITE_SECRET_MAX 48
#define QUIC_TAG_LEN 16
#define QUIC_SAMPLE_LEN 16 /* RFC 9001 5.4.2 */
#define QUIC_MASK_LEN 5    /* RFC 9001 5.4.1: one byte for the flags, up to 4 for the number */

/* RFC 9001 5.3: the AEADs of the TLS 1.3 suites QUIC may use (all but AES_128_CCM_8). */
enum quic_aead {
    QUIC_AEAD_AES_128_GCM = 0, /* the Initial keys' (RFC 9001 5.2) */
    QUIC_AEAD_AES_256_GCM,
    QUIC_AEAD_CHACHA20_POLY1305,
    QUIC_AEAD_AES_128_CCM,
};

struct quic_keys {
    enum quic_aead aead;
    size_t key_len;          /* of key and hp (RFC 9001 5.4.3, 5.4.4): 16 or 32 */
    uint8_t key[QUIC_KEY_MAX];
    uint8_t iv[QUIC_IV_LEN];
    uint8_t hp[QUIC_KEY_MAX];
};

/* True for the versions whose Initial keys hsdump knows (v1 and v2). */
bool quic_version_known(uint32_t version);

/* RFC 9001 5.2: initial_secret = HKDF-Extract(initial_salt, dcid), then the client's and the
 * server's secrets by HKDF-Expand-Label with "client in" and "server in". */
bool quic_initial_secrets(uint32_t version, struct cursor dcid,
                          uint8_t client[QUIC_SECRET_LEN], uint8_t server[QUIC_SECRET_LEN]);
/* RFC 9001 5.1: key, iv and hp from a secret ("quic key", "quic iv", "quic hp"; v2 labels
 * "quicv2 ...", RFC 9369 3.3.2), for the Initial packets' AEAD_AES_128_GCM. */
bool quic_packet_keys(uint32_t version, const uint8_t secret[QUIC_SECRET_LEN],
                      struct quic_keys *keys);
/* True for the TLS 1.3 suites QUIC packets may be protected with (RFC 9001 5.3):
 * TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 and
 * TLS_AES_128_CCM_SHA256. */
bool quic_suite_supported(uint16_t suite);
/* RFC 9001 5.1 for a traffic secret of the suite (a key log's handshake secret): the labels of
 * quic_packet_keys expanded with the suite's hash to its AEAD's key length. False when the
 * suite is not supported, secret_len is not its hash length or libcrypto fails. */
bool quic_suite_keys(uint32_t version, uint16_t suite, const uint8_t *secret, size_t secret_len,
                     struct quic_keys *keys);
/* Clears keys (OPENSSL_cleanse). */
void quic_keys_clear(struct quic_keys *keys);
/* Both directions' keys for the Initial packets of a connection whose client chose dcid. */
bool quic_initial_keys(uint32_t version, struct cursor dcid, struct quic_keys *client,
                       struct quic_keys *server);

/* RFC 9001 5.4.3: mask = AES-ECB(hp, sample), its first 5 bytes; 5.4.4 for ChaCha20:
 * ChaCha20(hp, counter = sample[0..3] little-endian, nonce = sample[4..15], 5 zero bytes). */
bool quic_header_mask(const struct quic_keys *keys, struct cursor sample,
                      uint8_t mask[QUIC_MASK_LEN]);

/* RFC 9001 5.3: decrypts ciphertext (which ends in the 16-byte tag of every AEAD above) with
 * the keys' AEAD, nonce = iv XOR the packet number and the unprotected header as associated
 * data, into out (room for cur_len(ciphertext) - QUIC_TAG_LEN bytes). False when the tag does
 * not verify. */
bool quic_open_payload(const struct quic_keys *keys, uint64_t packet_number, struct cursor header,
                       struct cursor ciphertext, uint8_t *out);

#endif
