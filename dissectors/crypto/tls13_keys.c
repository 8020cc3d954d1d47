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
    /* The bare keystream of the AEAD's cipher (tls13_peek_inner_type), made at the first peek
     * and keyed again when the keys change. */
    EVP_CIPHER_CTX *stream;
    bool stream_keyed;
    bool keyed; /* the context is set up for the suite and was keyed: it can be kept spare */
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

/* Keys from prot->secret, and the cipher context set up for them (the cipher and nonce length
 * only when the context is fresh: a context reused under a new key keeps them). For GCM and
 * ChaCha20-Poly1305 the key is installed once and each record sets only its nonce; CCM fixes
 * the tag length when the key is set, so its key goes in again with every record
 * (tls13_open_record). */
static bool protection_key(struct tls13_protection *prot, bool fresh)
{
    const struct suite *s = prot->suite;
    prot->stream_keyed = false;
    if (!tls13_traffic_keys(s->id, prot->secret, s->secret_len, &prot->keys)) {
        return false;
    }
    EVP_CIPHER_CTX *ctx = prot->ctx;
    if (fresh) {
        const EVP_CIPHER *cipher = cipher_of(s);
        if (cipher == NULL || EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TLS13_IV_LEN, NULL) != 1) {
            return false;
        }
    }
    if (s->ccm) {
        return !fresh ||
               EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->tag_len, NULL) == 1;
    }
    return EVP_DecryptInit_ex(ctx, NULL, NULL, prot->keys.key, NULL) == 1;
}

/* protection_key, and whether the context can be kept spare after it (tls13_protection_free) */
static bool protection_rekey(struct tls13_protection *prot, bool fresh)
{
    prot->keyed = protection_key(prot, fresh);
    return prot->keyed;
}

/* Protections of connections that ended, kept for the next ones: a cipher context set up for
 * a suite costs more than keying it again (libcrypto allocates and initialises it), twice a
 * TLS 1.3 connection. Their secret and keys are cleared when they come here; the contexts
 * still hold the last key schedule until they are keyed again or freed. Single-threaded. */
#define SPARE_MAX 32
static struct tls13_protection *spare[SPARE_MAX];
static size_t spare_count;

static void protection_destroy(struct tls13_protection *prot)
{
    EVP_CIPHER_CTX_free(prot->ctx); /* libcrypto clears the key schedule it holds */
    EVP_CIPHER_CTX_free(prot->stream);
    OPENSSL_cleanse(prot, sizeof(*prot));
    free(prot);
}

/* A spare protection of suite s, or NULL. */
static struct tls13_protection *spare_take(const struct suite *s)
{
    for (size_t i = spare_count; i > 0; i--) {
        if (spare[i - 1]->suite == s) {
            struct tls13_protection *prot = spare[i - 1];
            spare[i - 1] = spare[--spare_count];
            return prot;
        }
    }
    return NULL;
}

struct tls13_protection *tls13_protection_new(uint16_t suite, const uint8_t *secret,
                                              size_t secret_len)
{
    const struct suite *s = suite_find(suite);
    if (s == NULL || secret_len != s->secret_len) {
        return NULL;
    }
    struct tls13_protection *prot = spare_take(s);
    if (prot != NULL) {
        if (tls13_protection_reset(prot, suite, secret, secret_len)) {
            return prot;
        }
        protection_destroy(prot);
        return NULL;
    }
    prot = calloc(1, sizeof(*prot));
    if (prot == NULL) {
        return NULL;
    }
    prot->suite = s;
    memcpy(prot->secret, secret, secret_len);
    prot->ctx = EVP_CIPHER_CTX_new();
    if (prot->ctx == NULL || !protection_rekey(prot, true)) {
        protection_destroy(prot);
        return NULL;
    }
    return prot;
}

bool tls13_protection_reset(struct tls13_protection *prot, uint16_t suite,
                            const uint8_t *secret, size_t secret_len)
{
    const struct suite *s = prot->suite;
    if (s->id != suite || secret_len != s->secret_len) {
        return false;
    }
    memcpy(prot->secret, secret, secret_len);
    return protection_rekey(prot, false);
}

bool tls13_protection_update(struct tls13_protection *prot)
{
    const struct suite *s = prot->suite;
    return tls13_next_secret(s->id, prot->secret, s->secret_len, prot->secret) &&
           protection_rekey(prot, false);
}

void tls13_protection_free(struct tls13_protection *prot)
{
    if (prot == NULL) {
        return;
    }
    if (spare_count == SPARE_MAX || !prot->keyed) {
        protection_destroy(prot);
        return;
    }
    OPENSSL_cleanse(prot->secret, sizeof(prot->secret));
    OPENSSL_cleanse(&prot->keys, sizeof(prot->keys));
    prot->keyed = false;
    spare[spare_count++] = prot;
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

/* The parts of one whole TLSCiphertext (RFC 8446 5.2): its header, the sealed bytes and the
 * tag; false when it is not one whole record or too short to hold the inner type. */
static bool split_record(const struct suite *s, struct cursor record, struct cursor *header,
                         struct cursor *sealed, struct cursor *tag)
{
    struct cursor rest = record, body;
    uint8_t outer_type;
    uint16_t legacy_version, length;
    if (!cur_get_bytes(&rest, TLS13_RECORD_HEADER_LEN, header)) {
        return false;
    }
    struct cursor fields = *header;
    if (!cur_get_u8(&fields, &outer_type) || !cur_get_u16(&fields, &legacy_version) ||
        !cur_get_u16(&fields, &length) || outer_type != CONTENT_APPLICATION_DATA ||
        length > TLS13_CIPHERTEXT_MAX || length <= s->tag_len ||
        !cur_get_bytes(&rest, length, &body) || cur_len(rest) != 0) {
        /* length <= tag: not even the inner content type byte (RFC 8446 5.2) */
        return false;
    }
    *sealed = cur_take_upto(&body, length - s->tag_len);
    *tag = body;
    return true;
}

/* RFC 8446 5.3: the sequence number, left-padded to iv_length, XORed into the iv. */
static void record_nonce(const struct tls13_protection *prot, uint64_t seq,
                         uint8_t nonce[TLS13_IV_LEN])
{
    memcpy(nonce, prot->keys.iv, TLS13_IV_LEN);
    for (size_t i = 0; i < 8; i++) {
        nonce[TLS13_IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    }
}

enum tls13_open_status tls13_open_record(struct tls13_protection *prot, uint64_t seq,
                                         struct cursor record, uint8_t *out, size_t out_cap,
                                         struct tls13_plaintext *result)
{
    struct cursor header, sealed, tag;
    if (!split_record(prot->suite, record, &header, &sealed, &tag)) {
        return TLS13_OPEN_MALFORMED;
    }
    size_t sealed_len = cur_len(sealed);
    if (sealed_len > out_cap) {
        return TLS13_OPEN_NO_ROOM;
    }
    uint8_t nonce[TLS13_IV_LEN];
    record_nonce(prot, seq, nonce);
    if (!aead_open(prot, nonce, header, sealed, tag, out)) {
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

/* The bare cipher under the AEAD, fetched once: AES-ECB to make GCM's and CCM's counter
 * blocks' keystream, ChaCha20 with its block counter (RFC 8439 2.4). */
static const EVP_CIPHER *stream_cipher_of(const struct suite *s)
{
    static EVP_CIPHER *fetched[3];
    size_t i = s->id == TLS13_CHACHA20_POLY1305_SHA256 ? 2 : s->key_len == 32 ? 1 : 0;
    static const char *const names[3] = {"AES-128-ECB", "AES-256-ECB", "ChaCha20"};
    if (fetched[i] == NULL) {
        fetched[i] = EVP_CIPHER_fetch(NULL, names[i], NULL);
    }
    return fetched[i];
}

/* Keystream block `block` (0 for the first plaintext byte) of the record with this nonce, into
 * ks; its length (16 for AES, 64 for ChaCha20), or 0 when libcrypto fails. The counter blocks:
 * GCM nonce || uint32(block + 2) (NIST SP 800-38D 7.2, a 96-bit IV: J0 = nonce || 1, the
 * plaintext starts at inc32(J0)); CCM flags 2 (L = 3) || nonce || uint24(block + 1) (RFC 3610
 * 2.3, the counter block A_0 encrypts the tag); ChaCha20 counter block + 1 (RFC 8439 2.8). */
static size_t keystream_block(struct tls13_protection *prot, const uint8_t nonce[TLS13_IV_LEN],
                              size_t block, uint8_t ks[64])
{
    const struct suite *s = prot->suite;
    int len = 0;
    if (s->id == TLS13_CHACHA20_POLY1305_SHA256) {
        static const uint8_t zeros[64];
        uint8_t iv[16];
        uint32_t counter = (uint32_t)block + 1;
        for (size_t i = 0; i < 4; i++) {
            iv[i] = (uint8_t)(counter >> (8 * i)); /* little-endian (RFC 8439 2.3) */
        }
        memcpy(iv + 4, nonce, TLS13_IV_LEN);
        return EVP_EncryptInit_ex(prot->stream, NULL, NULL, NULL, iv) == 1 &&
                       EVP_EncryptUpdate(prot->stream, ks, &len, zeros, 64) == 1 && len == 64
                   ? 64
                   : 0;
    }
    uint8_t counter_block[16];
    if (s->ccm) {
        uint32_t counter = (uint32_t)block + 1;
        counter_block[0] = 2;
        memcpy(counter_block + 1, nonce, TLS13_IV_LEN);
        counter_block[13] = (uint8_t)(counter >> 16);
        counter_block[14] = (uint8_t)(counter >> 8);
        counter_block[15] = (uint8_t)counter;
    } else {
        uint32_t counter = (uint32_t)block + 2;
        memcpy(counter_block, nonce, TLS13_IV_LEN);
        counter_block[12] = (uint8_t)(counter >> 24);
        counter_block[13] = (uint8_t)(counter >> 16);
        counter_block[14] = (uint8_t)(counter >> 8);
        counter_block[15] = (uint8_t)counter;
    }
    return EVP_EncryptUpdate(prot->stream, ks, &len, counter_block, 16) == 1 && len == 16 ? 16
                                                                                          : 0;
}

static bool stream_ready(struct tls13_protection *prot)
{
    if (prot->stream_keyed) {
        return true;
    }
    if (prot->stream == NULL && (prot->stream = EVP_CIPHER_CTX_new()) == NULL) {
        return false;
    }
    const EVP_CIPHER *cipher = stream_cipher_of(prot->suite);
    if (cipher == NULL ||
        EVP_EncryptInit_ex(prot->stream, cipher, NULL, prot->keys.key, NULL) != 1) {
        return false;
    }
    EVP_CIPHER_CTX_set_padding(prot->stream, 0);
    prot->stream_keyed = true;
    return true;
}

bool tls13_peek_inner_type(struct tls13_protection *prot, uint64_t seq, struct cursor record,
                           uint8_t *type)
{
    struct cursor header, sealed, tag;
    if (!split_record(prot->suite, record, &header, &sealed, &tag) || !stream_ready(prot)) {
        return false;
    }
    uint8_t nonce[TLS13_IV_LEN];
    record_nonce(prot, seq, nonce);
    size_t end = cur_len(sealed);
    uint8_t ks[64];
    size_t block_len = prot->suite->id == TLS13_CHACHA20_POLY1305_SHA256 ? 64 : 16;
    /* RFC 8446 5.4: the type is the last non-zero byte; padding zeros are walked back over */
    while (end > 0) {
        size_t block = (end - 1) / block_len;
        if (keystream_block(prot, nonce, block, ks) != block_len) {
            return false;
        }
        for (size_t i = end; i > block * block_len; i--) {
            uint8_t byte = 0;
            if (!cur_peek_u8(sealed, i - 1, &byte)) {
                return false;
            }
            byte ^= ks[i - 1 - block * block_len];
            if (byte != 0) {
                *type = byte;
                OPENSSL_cleanse(ks, sizeof(ks));
                return true;
            }
        }
        end = block * block_len;
    }
    OPENSSL_cleanse(ks, sizeof(ks));
    return false;
}
