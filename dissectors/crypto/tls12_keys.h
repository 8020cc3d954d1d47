/* TLS 1.0-1.2 and DTLS 1.0/1.2 record protection from a master secret, as pure functions over
 * libcrypto: the key block by the version's PRF (RFC 2246 5, RFC 4346 5, RFC 5246 5 and 6.3),
 * then the opening of one protected record: AEAD (RFC 5246 6.2.3.3 with RFC 5288 3 for
 * AES-GCM, RFC 6655 for AES-CCM, RFC 7905 2 for ChaCha20-Poly1305), block ciphers with
 * MAC-then-encrypt (RFC 5246 6.2.3.2; TLS 1.0 chains the IV, RFC 2246 6.2.3.2) and with
 * encrypt_then_mac (RFC 7366 3). Nothing here knows connections or key logs; the caller keeps
 * each direction's sequence number (for DTLS, epoch << 48 | sequence, RFC 6347 4.1.2.1).
 * Not supported: SSL 3.0 (its own MAC and key derivation, RFC 6101), stream ciphers (RC4 is
 * only in OpenSSL 3's legacy provider, and RFC 7465 forbids it), NULL, export and GOST suites,
 * Camellia-GCM (not in libcrypto). */
#ifndef HSDUMP_DISSECTORS_TLS12_KEYS_H
#define HSDUMP_DISSECTORS_TLS12_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

#define TLS12_MASTER_SECRET_LEN 48
#define TLS12_RANDOM_LEN 32
/* RFC 5246 6.2.3: TLSCiphertext.fragment is at most 2^14 + 2048 bytes, so its plaintext is
 * shorter: a buffer of this size takes any record's. */
#define TLS12_FRAGMENT_MAX (16384 + 2048)

/* True when the suite's bulk cipher and MAC are ones hsdump can open (the man page lists
 * them); version is the negotiated one (TLS or DTLS wire value). Read from the suite's IANA
 * name: after "_WITH_", AES_128/256_GCM, ARIA_128/256_GCM, AES_128/256_CCM(_8),
 * CHACHA20_POLY1305 (TLS 1.2 and DTLS 1.2 only), or AES_128/256_CBC, 3DES_EDE_CBC,
 * CAMELLIA_128/256_CBC, ARIA_128/256_CBC with the MAC SHA (any version), SHA256 or SHA384
 * (TLS 1.2 and DTLS 1.2 only). */
bool tls12_suite_supported(uint16_t version, uint16_t suite);

/* RFC 5246 5 (and RFC 2246 5 with digest "MD5-SHA1"): PRF(secret, label, seed) with digest
 * "SHA256" or "SHA384" for TLS 1.2, out_len bytes into out. False when libcrypto fails. */
bool tls12_prf(const char *digest, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/* One direction's protection state, allocated once; opening a record allocates nothing. */
struct tls12_protection;

/* From the master secret and both randoms: the key block of RFC 5246 6.3 (PRF by version:
 * MD5/SHA-1 for TLS 1.0/1.1 and DTLS 1.0, the suite's hash (SHA-256 unless it names SHA-384)
 * for TLS 1.2 and DTLS 1.2), this direction's keys out of it (client_write_* when
 * from_client). encrypt_then_mac: both hellos carried the extension (RFC 7366) and the suite
 * is a block cipher one. NULL when the suite is unsupported or libcrypto fails. */
struct tls12_protection *tls12_protection_new(uint16_t version, uint16_t suite,
                                              bool encrypt_then_mac,
                                              const uint8_t master[TLS12_MASTER_SECRET_LEN],
                                              const uint8_t client_random[TLS12_RANDOM_LEN],
                                              const uint8_t server_random[TLS12_RANDOM_LEN],
                                              bool from_client);
/* Clears keys (OPENSSL_cleanse) and frees; NULL is fine. */
void tls12_protection_free(struct tls12_protection *prot);

enum tls12_open_status {
    TLS12_OPEN_OK,
    TLS12_OPEN_MALFORMED,   /* too short for the suite's nonce, IV, tag or MAC; not whole blocks */
    TLS12_OPEN_AUTH_FAILED, /* tag, MAC or padding do not verify: wrong keys, order or bytes */
    TLS12_OPEN_NO_ROOM,     /* out is smaller than the plaintext (CBC: than the ciphertext) */
};

/* Opens the fragment (the record body, header excluded) of a record of this direction with
 * outer content type type and record version version, as number seq of the direction, into
 * out (out_cap bytes; TLS12_FRAGMENT_MAX always suffices), its length into *out_len. On
 * anything but TLS12_OPEN_OK, *out_len is untouched and out holds no plaintext. TLS 1.0's
 * chained IV moves on for any record of whole blocks, authentic or not (the sender chained
 * it), but not for a MALFORMED or NO_ROOM one. */
enum tls12_open_status tls12_open_record(struct tls12_protection *prot, uint64_t seq,
                                         uint8_t type, uint16_t version, struct cursor fragment,
                                         uint8_t *out, size_t out_cap, size_t *out_len);

/* A record the caller does not need to read (application data): keeps what opening later
 * records depends on (TLS 1.0's chained IV: the last ciphertext block; a stream cipher's
 * state) without authenticating or copying it. The caller still counts its sequence number. */
void tls12_skip_record(struct tls12_protection *prot, struct cursor fragment);

#endif
