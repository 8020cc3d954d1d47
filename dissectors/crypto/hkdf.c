/* HKDF via EVP_KDF (libcrypto's "HKDF" implementation, RFC 5869) and HKDF-Expand-Label. */
#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
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

/* An HMAC context with its digest set and no key, fetched once per digest and copied for
 * each use: fetching by name (the KDF, the MAC, the digest) cost more than the hashing itself,
 * four key derivations a TLS 1.3 connection. Single-threaded, like every dissector. */
static EVP_MAC_CTX *hmac_template(const char *digest, size_t *hash_len)
{
    static struct {
        const char *digest;
        EVP_MAC_CTX *ctx;
        size_t hash_len;
    } made[4];
    size_t i;
    for (i = 0; i < sizeof(made) / sizeof(made[0]) && made[i].ctx != NULL; i++) {
        if (strcmp(made[i].digest, digest) == 0) {
            *hash_len = made[i].hash_len;
            return made[i].ctx;
        }
    }
    if (i == sizeof(made) / sizeof(made[0])) {
        return NULL;
    }
    EVP_MD *md = EVP_MD_fetch(NULL, digest, NULL);
    int size = md != NULL ? EVP_MD_get_size(md) : 0;
    EVP_MD_free(md);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (size <= 0 || ctx == NULL || EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    made[i].digest = digest;
    made[i].ctx = ctx;
    made[i].hash_len = (size_t)size;
    *hash_len = (size_t)size;
    return ctx;
}

bool hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                  size_t ikm_len, uint8_t *out, size_t out_len)
{
    return hkdf(digest, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm, ikm_len, NULL, 0,
                out, out_len);
}

/* RFC 8446 7.1: the HkdfLabel of (out_len, "tls13 " + label, empty context) into info;
 * its length, or 0 when the label is too long. */
static size_t hkdf_label(const char *label, size_t out_len, uint8_t info[HKDF_LABEL_MAX])
{
    size_t prefix_len = strlen(LABEL_PREFIX), label_len = strlen(label);
    size_t full = prefix_len + label_len;
    if (full > 255 || out_len > UINT16_MAX) {
        return 0;
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
    return n;
}

/* RFC 5869 2.3 when one block is enough (out_len at most the hash length, as for every TLS 1.3
 * and QUIC key, IV and secret): T(1) = HMAC-Hash(PRK, info | 0x01), from a copy of keyed. */
static bool expand_one_block(EVP_MAC_CTX *keyed, bool last, const uint8_t *info,
                             size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_MAC_CTX *ctx = last ? keyed : EVP_MAC_CTX_dup(keyed); /* the last use needs no copy */
    if (ctx == NULL) {
        return false;
    }
    static const uint8_t counter = 0x01;
    uint8_t block[EVP_MAX_MD_SIZE];
    size_t block_len = 0;
    bool ok = EVP_MAC_update(ctx, info, info_len) == 1 &&
              EVP_MAC_update(ctx, &counter, 1) == 1 &&
              EVP_MAC_final(ctx, block, &block_len, sizeof(block)) == 1 && block_len >= out_len;
    if (ok) {
        memcpy(out, block, out_len);
    }
    OPENSSL_cleanse(block, sizeof(block));
    if (!last) {
        EVP_MAC_CTX_free(ctx); /* libcrypto clears what it held */
    }
    return ok;
}

bool hkdf_expand_labels(const char *digest, const uint8_t *secret, size_t secret_len,
                        const struct hkdf_output *outputs, size_t n)
{
    size_t hash_len = 0;
    EVP_MAC_CTX *template = hmac_template(digest, &hash_len);
    bool one_block = template != NULL;
    for (size_t i = 0; i < n; i++) {
        one_block = one_block && outputs[i].len <= hash_len;
    }
    uint8_t info[HKDF_LABEL_MAX];
    if (!one_block) {
        for (size_t i = 0; i < n; i++) {
            size_t info_len = hkdf_label(outputs[i].label, outputs[i].len, info);
            if (info_len == 0 || !hkdf(digest, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret,
                                       secret_len, info, info_len, outputs[i].out,
                                       outputs[i].len)) {
                return false;
            }
        }
        return true;
    }
    /* keyed once (the HMAC pads hashed once) for every label of the secret */
    EVP_MAC_CTX *keyed = EVP_MAC_CTX_dup(template);
    bool ok = keyed != NULL && EVP_MAC_init(keyed, secret, secret_len, NULL) == 1;
    for (size_t i = 0; ok && i < n; i++) {
        size_t info_len = hkdf_label(outputs[i].label, outputs[i].len, info);
        ok = info_len != 0 && expand_one_block(keyed, i + 1 == n, info, info_len,
                                               outputs[i].out, outputs[i].len);
    }
    EVP_MAC_CTX_free(keyed);
    return ok;
}

bool hkdf_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                       const char *label, uint8_t *out, size_t out_len)
{
    const struct hkdf_output output = {label, out, out_len};
    return hkdf_expand_labels(digest, secret, secret_len, &output, 1);
}
