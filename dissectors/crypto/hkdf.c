/* HKDF via EVP_KDF (libcrypto's "HKDF" implementation, RFC 5869) and HKDF-Expand-Label. */
#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

/* RFC 8446 7.1: HkdfLabel is u16 length, then "tls13 " + label and the context, each with a
 * one-byte length; the labels here are short and the context is always empty. */
#define LABEL_PREFIX "tls13 "
#define HKDF_LABEL_MAX (2 + 1 + 255 + 1)

/* One HKDF step: extract (salt, ikm -> prk) or expand (prk, info -> out_len bytes). */
static bool hkdf(const char *digest, int mode, const uint8_t *salt, size_t salt_len,
                 const uint8_t *key, size_t key_len, const uint8_t *info, size_t info_len,
                 uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    if (ctx == NULL) {
        return false;
    }
    OSSL_PARAM params[6];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL) {
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    }
    if (info != NULL) {
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    params[n] = OSSL_PARAM_construct_end();
    bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

bool hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                  size_t ikm_len, uint8_t *out, size_t out_len)
{
    return hkdf(digest, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm, ikm_len, NULL, 0,
                out, out_len);
}

bool hkdf_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                       const char *label, uint8_t *out, size_t out_len)
{
    uint8_t info[HKDF_LABEL_MAX];
    size_t prefix_len = strlen(LABEL_PREFIX), label_len = strlen(label);
    size_t full = prefix_len + label_len;
    if (full > 255 || out_len > UINT16_MAX) {
        return false;
    }
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)full;
    memcpy(info + n, LABEL_PREFIX, prefix_len);
    n += prefix_len;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = 0; /* empty context */
    return hkdf(digest, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret, secret_len, info, n, out,
                out_len);
}
