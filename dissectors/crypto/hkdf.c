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

/* The HKDF implementation with its digest and mode set, fetched once per pair: fetching by
 * name cost more than the hashing itself, four key derivations a TLS 1.3 connection. libcrypto
 * 3.0's HKDF cannot copy a context, so one is reused and its key overwritten after each use.
 * Single-threaded, like every dissector. */
static EVP_KDF_CTX *hkdf_context(const char *digest, int mode)
{
    static struct {
        const char *digest;
        int mode;
        EVP_KDF_CTX *ctx;
    } made[8];
    size_t i;
    for (i = 0; i < sizeof(made) / sizeof(made[0]) && made[i].ctx != NULL; i++) {
        if (made[i].mode == mode && strcmp(made[i].digest, digest) == 0) {
            return made[i].ctx;
        }
    }
    if (i == sizeof(made) / sizeof(made[0])) {
        return NULL;
    }
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[2] = OSSL_PARAM_construct_end();
    if (ctx == NULL || EVP_KDF_CTX_set_params(ctx, params) != 1) {
        EVP_KDF_CTX_free(ctx);
        return NULL;
    }
    made[i].digest = digest;
    made[i].mode = mode;
    made[i].ctx = ctx;
    return ctx;
}

/* The context keeps the last key (and info) it was given: overwritten, the key with zeros. */
static void hkdf_forget_key(EVP_KDF_CTX *ctx, size_t key_len)
{
    static const uint8_t zeros[EVP_MAX_MD_SIZE];
    OSSL_PARAM clear[3];
    clear[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)zeros,
                                                 key_len < sizeof(zeros) ? key_len : 1);
    clear[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)zeros, 0);
    clear[2] = OSSL_PARAM_construct_end();
    (void)EVP_KDF_CTX_set_params(ctx, clear);
}

bool hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                  size_t ikm_len, uint8_t *out, size_t out_len)
{
    EVP_KDF_CTX *ctx = hkdf_context(digest, EVP_KDF_HKDF_MODE_EXTRACT_ONLY);
    if (ctx == NULL) {
        return false;
    }
    static uint8_t none[1];
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                  salt != NULL ? (void *)salt : none,
                                                  salt != NULL ? salt_len : 0);
    params[2] = OSSL_PARAM_construct_end();
    bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    hkdf_forget_key(ctx, ikm_len);
    return ok;
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

/* The secret is handed over with the first label only, and cleared after the last. */
bool hkdf_expand_labels(const char *digest, const uint8_t *secret, size_t secret_len,
                        const struct hkdf_output *outputs, size_t n)
{
    EVP_KDF_CTX *ctx = hkdf_context(digest, EVP_KDF_HKDF_MODE_EXPAND_ONLY);
    if (ctx == NULL) {
        return false;
    }
    uint8_t info[HKDF_LABEL_MAX];
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        size_t info_len = hkdf_label(outputs[i].label, outputs[i].len, info);
        OSSL_PARAM params[3];
        size_t k = 0;
        params[k++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, info_len);
        if (i == 0) {
            params[k++] =
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
        }
        params[k] = OSSL_PARAM_construct_end();
        ok = info_len != 0 && EVP_KDF_derive(ctx, outputs[i].out, outputs[i].len, params) == 1;
    }
    hkdf_forget_key(ctx, secret_len);
    return ok;
}

bool hkdf_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                       const char *label, uint8_t *out, size_t out_len)
{
    const struct hkdf_output output = {label, out, out_len};
    return hkdf_expand_labels(digest, secret, secret_len, &output, 1);
}
