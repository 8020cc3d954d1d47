/* TLS 1.3 record protection with libcrypto: keys by HKDF-Expand-Label (crypto/hkdf.c), records
 * opened with the suite's AEAD through one EVP_CIPHER_CTX per direction. */
#include "crypto/tls13_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hkdf.h"

#define CONTENT_APPLICATION_DATA 23 /* RFC 8446 5.1: the outer type of every protected record */

struct suite {
    uint16_t id;
    const char *digest;
    size_t secret_len;
    const EVP_CIPHER *(*cipher)(void);
    size_t key_len;
    size_t tag_len;
    bool ccm; /* CCM takes the tag and the lengths before the data (EVP_EncryptInit(3) notes) */
};

/* RFC 8446 B.4, with the AEADs of RFC 5116, RFC 6655 (CCM, CCM_8) and RFC 8439. */
static const struct suite suites[] = {
    {TLS13_AES_128_GCM_SHA256, "SHA256", 32, EVP_aes_128_gcm, 16, 16, false},
    {TLS13_AES_256_GCM_SHA384, "SHA384", 48, EVP_aes_256_gcm, 32, 16, false},
    {TLS13_CHACHA20_POLY1305_SHA256, "SHA256", 32, EVP_chacha20_poly1305, 32, 16, false},
    {TLS13_AES_128_CCM_SHA256, "SHA256", 32, EVP_aes_128_ccm, 16, 16, true},
    {TLS13_AES_128_CCM_8_SHA256, "SHA256", 32, EVP_aes_128_ccm, 16, 8, true},
};

struct tls13_protection {
    const struct suite *suite;
    uint8_t secret[TLS13_SECRET_MAX];
    struct tls13_traffic_keys keys;
    EVP_CIPHER_CTX *ctx;
};

static const struct suite *suite_find(uint16_t id)
{
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (suites[i].id == id) {
            return &suites[i];
        }
    }
    return NULL;
}

bool tls13_suite_known(uint16_t suite)
{
    return suite_find(suite) != NULL;
}

size_t tls13_secret_len(uint16_t suite)
{
    const struct suite *s = suite_find(suite);
    return s != NULL ? s->secret_len : 0;
}

bool tls13_traffic_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                        struct tls13_traffic_keys *keys)
{
    const struct suite *s = suite_find(suite);
    if (s == NULL || secret_len != s->secret_len) {
        return false;
    }
    keys->key_len = s->key_len;
    const struct hkdf_output outputs[] = {
        {"key", keys->key, s->key_len},
        {"iv", keys->iv, TLS13_IV_LEN},
    };
    return hkdf_expand_labels(s->digest, secret, secret_len, outputs, 2);
}

bool tls13_next_secret(uint16_t suite, const uint8_t *secret, size_t secret_len, uint8_t *next)
{
    const struct suite *s = suite_find(suite);
    if (s == NULL || secret_len != s->secret_len) {
        return false;
    }
    uint8_t derived[TLS13_SECRET_MAX];
    bool ok = hkdf_expand_label(s->digest, secret, secret_len, "traffic upd", derived,
                                secret_len);
    if (ok) {
        memcpy(next, derived, secret_len);
    }
    OPENSSL_cleanse(derived, sizeof(derived));
    return ok;
}

/* The suite's cipher fetched from the provider once: EVP_aes_128_gcm() and its kin are
 * fetched again by name at every EVP_DecryptInit_ex, four times a connection. */
static const EVP_CIPHER *cipher_of(const struct suite *s)
{
    static EVP_CIPHER *fetched[sizeof(suites) / sizeof(suites[0])];
    size_t i = (size_t)(s - suites);
    if (fetched[i] == NULL) {
        fetched[i] = EVP_CIPHER_fetch(NULL, EVP_CIPHER_get0_name(s->cipher()), NULL);
    }
    return fetched[i];
}

/* Keys from prot->secret, and the cipher context set up for them. For GCM and ChaCha20-Poly1305
 * the key is installed once and each record sets only its nonce; CCM fixes the tag length
 * when the key is set, so its key goes in again with every record (tls13_open_record). */
static bool protection_rekey(struct tls13_protection *prot)
{
    const struct suite *s = prot->suite;
    if (!tls13_traffic_keys(s->id, prot->secret, s->secret_len, &prot->keys)) {
        return false;
    }
    EVP_CIPHER_CTX *ctx = prot->ctx;
    const EVP_CIPHER *cipher = cipher_of(s);
    if (cipher == NULL || EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TLS13_IV_LEN, NULL) != 1) {
        return false;
    }
    if (s->ccm) {
        return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->tag_len, NULL) == 1;
    }
    return EVP_DecryptInit_ex(ctx, NULL, NULL, prot->keys.key, NULL) == 1;
}

struct tls13_protection *tls13_protection_new(uint16_t suite, const uint8_t *secret,
                                              size_t secret_len)
{
    const struct suite *s = suite_find(suite);
    if (s == NULL || secret_len != s->secret_len) {
        return NULL;
    }
    struct tls13_protection *prot = calloc(1, sizeof(*prot));
    if (prot == NULL) {
        return NULL;
    }
    prot->suite = s;
    memcpy(prot->secret, secret, secret_len);
    prot->ctx = EVP_CIPHER_CTX_new();
    if (prot->ctx == NULL || !protection_rekey(prot)) {
        tls13_protection_free(prot);
        return NULL;
    }
    return prot;
}

bool tls13_protection_update(struct tls13_protection *prot)
{
    const struct suite *s = prot->suite;
    return tls13_next_secret(s->id, prot->secret, s->secret_len, prot->secret) &&
           protection_rekey(prot);
}

void tls13_protection_free(struct tls13_protection *prot)
{
    if (prot == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(prot->ctx); /* libcrypto clears the key schedule it holds */
    OPENSSL_cleanse(prot, sizeof(*prot));
    free(prot);
}

/* The AEAD open proper: ciphertext and tag split, plaintext of sealed_len bytes into out. */
static bool aead_open(struct tls13_protection *prot, const uint8_t nonce[TLS13_IV_LEN],
                      struct cursor header, struct cursor sealed, struct cursor tag, uint8_t *out)
{
    const struct suite *s = prot->suite;
    EVP_CIPHER_CTX *ctx = prot->ctx;
    uint8_t tag_copy[16];
    cur_copy(tag, tag_copy);
    int len = 0;
    int sealed_len = (int)cur_len(sealed);
    /* An empty ciphertext has no bytes to hand over; libcrypto still wants a valid pointer. */
    static const uint8_t none[1] = {0};
    const uint8_t *in = sealed_len > 0 ? cur_data(sealed) : none;
    if (s->ccm) {
        /* RFC 6655 via EVP: tag, then key and nonce, then the total length, the additional
         * data and all of the ciphertext in one call; the tag is checked by that call. */
        return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->tag_len, tag_copy) == 1 &&
               EVP_DecryptInit_ex(ctx, NULL, NULL, prot->keys.key, nonce) == 1 &&
               EVP_DecryptUpdate(ctx, NULL, &len, NULL, sealed_len) == 1 &&
               EVP_DecryptUpdate(ctx, NULL, &len, cur_data(header), TLS13_RECORD_HEADER_LEN) ==
                   1 &&
               EVP_DecryptUpdate(ctx, out, &len, in, sealed_len) == 1;
    }
    return EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) == 1 &&
           EVP_DecryptUpdate(ctx, NULL, &len, cur_data(header), TLS13_RECORD_HEADER_LEN) == 1 &&
           EVP_DecryptUpdate(ctx, out, &len, in, sealed_len) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->tag_len, tag_copy) == 1 &&
           EVP_DecryptFinal_ex(ctx, out + len, &len) == 1;
}

enum tls13_open_status tls13_open_record(struct tls13_protection *prot, uint64_t seq,
                                         struct cursor record, uint8_t *out, size_t out_cap,
                                         struct tls13_plaintext *result)
{
    const struct suite *s = prot->suite;
    struct cursor rest = record, header, body;
    uint8_t outer_type;
    uint16_t legacy_version, length;
    if (!cur_get_bytes(&rest, TLS13_RECORD_HEADER_LEN, &header)) {
        return TLS13_OPEN_MALFORMED;
    }
    struct cursor fields = header;
    if (!cur_get_u8(&fields, &outer_type) || !cur_get_u16(&fields, &legacy_version) ||
        !cur_get_u16(&fields, &length) || outer_type != CONTENT_APPLICATION_DATA ||
        length > TLS13_CIPHERTEXT_MAX || length <= s->tag_len ||
        !cur_get_bytes(&rest, length, &body) || cur_len(rest) != 0) {
        /* length <= tag: not even the inner content type byte (RFC 8446 5.2) */
        return TLS13_OPEN_MALFORMED;
    }
    size_t sealed_len = length - s->tag_len;
    if (sealed_len > out_cap) {
        return TLS13_OPEN_NO_ROOM;
    }
    struct cursor sealed = cur_take_upto(&body, sealed_len);
    /* RFC 8446 5.3: the sequence number, left-padded to iv_length, XORed into the iv. */
    uint8_t nonce[TLS13_IV_LEN];
    memcpy(nonce, prot->keys.iv, TLS13_IV_LEN);
    for (size_t i = 0; i < 8; i++) {
        nonce[TLS13_IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    }
    if (!aead_open(prot, nonce, header, sealed, body, out)) {
        OPENSSL_cleanse(out, sealed_len); /* unauthenticated bytes are not plaintext */
        return TLS13_OPEN_AUTH_FAILED;
    }
    /* RFC 8446 5.4: the content type is the last non-zero byte; none at all is malformed. */
    size_t end = sealed_len;
    while (end > 0 && out[end - 1] == 0) {
        end--;
    }
    if (end == 0) {
        return TLS13_OPEN_NO_CONTENT;
    }
    result->content_type = out[end - 1];
    result->len = end - 1;
    return TLS13_OPEN_OK;
}
