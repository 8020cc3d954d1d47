/* TLS records sealed as a peer would, written from the RFCs with libcrypto's EVP and HMAC
 * alone (none of hsdump's own crypto): TLS 1.3 records under a traffic secret (RFC 8446 5.2,
 * 5.3, 7.3) and TLS 1.0-1.2 records under a master secret (RFC 5246 6.2.3 and 6.3, RFC 2246 5,
 * RFC 5288 3, RFC 6655 3, RFC 7905 2, RFC 7366 3). The inverse of what
 * dissectors/crypto/tls13_keys.c and tls12_keys.c open, for the record fuzzer. */
#ifndef HSDUMP_TESTS_TLS_SEAL_H
#define HSDUMP_TESTS_TLS_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest content sealed: a little more than RFC 8446 5.2 and RFC 5246 6.2.3 allow, so
 * that records too long are made too. */
#define TLS_SEAL_CONTENT_MAX (16384 + 512)
/* The largest record made: header, explicit IV or nonce, content, TLS 1.3 padding, MAC and
 * CBC padding or tag. */
#define TLS_SEAL_RECORD_MAX (5 + 16 + TLS_SEAL_CONTENT_MAX + 256 + 48 + 256)

/* One direction of TLS 1.3: the current traffic secret, its key and IV, and the sequence
 * number of the next record (RFC 8446 5.3). */
struct tls13_sealer {
    uint16_t suite;
    uint8_t secret[48];
    size_t secret_len;
    uint8_t key[32];
    size_t key_len;
    uint8_t iv[12];
    uint64_t seq;
};

/* The hash length of a TLS 1.3 suite (RFC 8446 B.4), 0 for any other. */
size_t tls_seal_tls13_secret_len(uint16_t suite);

/* Keys from secret (tls_seal_tls13_secret_len(suite) bytes), sequence number 0. False for an
 * unknown suite, a secret of another length or a libcrypto failure. */
bool tls13_sealer_init(struct tls13_sealer *s, uint16_t suite, const uint8_t *secret,
                       size_t secret_len);

/* KeyUpdate (RFC 8446 7.2): the next application traffic secret, its keys, sequence 0. */
bool tls13_sealer_update(struct tls13_sealer *s);

/* One TLSCiphertext (RFC 8446 5.2): content, then inner_type, then padding zero bytes,
 * protected as record s->seq, header included, into out (TLS_SEAL_RECORD_MAX bytes). Returns
 * its length, 0 when content is longer than TLS_SEAL_CONTENT_MAX or libcrypto fails. */
size_t tls13_seal_record(struct tls13_sealer *s, uint8_t inner_type, const uint8_t *content,
                         size_t len, size_t padding, uint8_t *out);

/* Clears the secret and keys. */
void tls13_sealer_clear(struct tls13_sealer *s);

/* One direction of TLS 1.0-1.2 since its ChangeCipherSpec. */
struct tls12_sealer {
    const struct tls12_seal_suite *suite;
    uint16_t version;
    bool etm;
    uint8_t mac_key[48];
    uint8_t key[32];
    uint8_t iv[16]; /* AEAD: the implicit part; TLS 1.0 CBC: the chained IV */
    uint64_t seq;
};

/* Keys of direction from_client out of the key block of master and the randoms, for version
 * (0x0301-0x0303) and suite; sequence number 0. etm: encrypt_then_mac negotiated (used for
 * block cipher suites only). False for a suite not listed in tls_seal.c, an AEAD or SHA-2
 * MAC suite below TLS 1.2, or a libcrypto failure. */
bool tls12_sealer_init(struct tls12_sealer *s, uint16_t version, uint16_t suite, bool etm,
                       const uint8_t master[48], const uint8_t client_random[32],
                       const uint8_t server_random[32], bool from_client);

/* One TLSCiphertext of outer type type with content, header included, as record s->seq, into
 * out (TLS_SEAL_RECORD_MAX bytes). Returns its length, 0 on failure. */
size_t tls12_seal_record(struct tls12_sealer *s, uint8_t type, const uint8_t *content,
                         size_t len, uint8_t *out);

/* Clears the keys. */
void tls12_sealer_clear(struct tls12_sealer *s);

#endif
