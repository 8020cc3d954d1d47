/* TLS 1.3 record protection (RFC 8446 5.2-5.4, 7.2, 7.3) as pure functions over libcrypto:
 * traffic key and IV from a traffic secret, the KeyUpdate successor of a secret, and the
 * opening of one TLSCiphertext record into a caller's buffer. Nothing here knows connections
 * or key logs; the caller keeps the sequence number of each direction. */
#ifndef HSDUMP_DISSECTORS_TLS13_KEYS_H
#define HSDUMP_DISSECTORS_TLS13_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

/* RFC 8446 B.4 */
#define TLS13_AES_128_GCM_SHA256 0x1301u
#define TLS13_AES_256_GCM_SHA384 0x1302u
#define TLS13_CHACHA20_POLY1305_SHA256 0x1303u
#define TLS13_AES_128_CCM_SHA256 0x1304u
#define TLS13_AES_128_CCM_8_SHA256 0x1305u

#define TLS13_SECRET_MAX 48 /* SHA-384 */
#define TLS13_KEY_MAX 32
#define TLS13_IV_LEN 12 /* RFC 8446 5.3: iv_length is 12 for every suite above */
#define TLS13_RECORD_HEADER_LEN 5
/* RFC 8446 5.2: TLSCiphertext.length is at most 2^14 + 256; the plaintext (content, type
 * byte and padding) is at most 2^14 + 1, so a buffer of this size takes any record's. */
#define TLS13_CIPHERTEXT_MAX (16384 + 256)
#define TLS13_PLAINTEXT_MAX (16384 + 1)

/* True for the five suites above. */
bool tls13_suite_known(uint16_t suite);
/* The hash length of the suite, which is its secrets' length (32 or 48); 0 when unknown. */
size_t tls13_secret_len(uint16_t suite);

struct tls13_traffic_keys {
    uint8_t key[TLS13_KEY_MAX];
    size_t key_len;
    uint8_t iv[TLS13_IV_LEN];
};

/* RFC 8446 7.3: key = HKDF-Expand-Label(secret, "key", "", key_length), iv likewise with "iv".
 * secret_len must be tls13_secret_len(suite). */
bool tls13_traffic_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                        struct tls13_traffic_keys *keys);

/* RFC 8446 7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd",
 * "", Hash.length), into next (secret_len bytes; may be the same buffer as secret). */
bool tls13_next_secret(uint16_t suite, const uint8_t *secret, size_t secret_len, uint8_t *next);

/* One direction's protection state: the secret, its keys and a libcrypto cipher context,
 * allocated once; opening a record allocates nothing. */
struct tls13_protection;

/* NULL when the suite is unknown, the secret has the wrong length or libcrypto fails. */
struct tls13_protection *tls13_protection_new(uint16_t suite, const uint8_t *secret,
                                              size_t secret_len);
/* The next phase's secret: its keys replace prot's, in the cipher context prot has, so a
 * direction allocates one for the whole connection. False when prot is of another suite or
 * the secret's length is wrong (prot unchanged), or libcrypto fails (prot unusable). */
bool tls13_protection_reset(struct tls13_protection *prot, uint16_t suite,
                            const uint8_t *secret, size_t secret_len);
/* KeyUpdate (RFC 8446 4.6.3, 7.2): moves to the next secret and its keys; the caller restarts
 * its sequence number at 0. False (state unusable) when libcrypto fails. */
bool tls13_protection_update(struct tls13_protection *prot);
/* Clears the secret and keys (OPENSSL_cleanse) and frees; NULL is fine. */
void tls13_protection_free(struct tls13_protection *prot);

enum tls13_open_status {
    TLS13_OPEN_OK,
    TLS13_OPEN_MALFORMED,   /* not one whole record: short, trailing bytes, bad length */
    TLS13_OPEN_AUTH_FAILED, /* the tag does not verify: wrong key, sequence or bytes */
    TLS13_OPEN_NO_CONTENT,  /* authentic, but the plaintext is all zeros (RFC 8446 5.4) */
    TLS13_OPEN_NO_ROOM,     /* out is smaller than the record's plaintext */
};

struct tls13_plaintext {
    uint8_t content_type; /* TLSInnerPlaintext.type */
    size_t len;           /* content bytes at the start of out, padding and type removed */
};

/* RFC 8446 5.2-5.4: opens record (exactly one TLSCiphertext, its 5-byte header included) with
 * nonce = iv XOR the 64-bit sequence number and the header as additional data, into out
 * (out_cap bytes; TLS13_PLAINTEXT_MAX always suffices), then strips the zero padding. On
 * anything but TLS13_OPEN_OK, *result is untouched and out holds no plaintext. */
enum tls13_open_status tls13_open_record(struct tls13_protection *prot, uint64_t seq,
                                         struct cursor record, uint8_t *out, size_t out_cap,
                                         struct tls13_plaintext *result);

/* The inner content type of record (RFC 8446 5.2: the last non-zero byte of the plaintext)
 * without opening it: only the keystream of its last block(s) is made, so the rest of the
 * record is not decrypted and its tag is NOT checked; for records that are never shown
 * (application data after the handshake). False when the record is not one whole
 * TLSCiphertext, its plaintext would be all zeros, or libcrypto fails: open it instead. */
bool tls13_peek_inner_type(struct tls13_protection *prot, uint64_t seq, struct cursor record,
                           uint8_t *type);

#endif
