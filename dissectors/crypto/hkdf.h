/* HKDF (RFC 5869) through libcrypto's EVP_KDF, and TLS 1.3's HKDF-Expand-Label (RFC 8446
 * 7.1) on top of it: the one key-derivation helper of the QUIC and TLS record protection. */
#ifndef HSDUMP_DISSECTORS_HKDF_H
#define HSDUMP_DISSECTORS_HKDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* digest is a libcrypto digest name: "SHA256" or "SHA384" for the TLS 1.3 suites. */

/* RFC 5869 2.2: out (out_len bytes) = HMAC-Hash(salt, ikm). An empty ikm needs a non-NULL
 * pointer all the same. */
bool hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                  size_t ikm_len, uint8_t *out, size_t out_len);

/* RFC 8446 7.1: HKDF-Expand-Label(secret, label, "", out_len), the label without its "tls13 "
 * prefix. False when libcrypto fails or the label is longer than an HkdfLabel holds. */
bool hkdf_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                       const char *label, uint8_t *out, size_t out_len);

/* Several HKDF-Expand-Label outputs of one secret (a traffic key and its IV, QUIC's header
 * protection key). */
struct hkdf_output {
    const char *label;
    uint8_t *out;
    size_t len;
};
bool hkdf_expand_labels(const char *digest, const uint8_t *secret, size_t secret_len,
                        const struct hkdf_output *outputs, size_t n);

#endif
