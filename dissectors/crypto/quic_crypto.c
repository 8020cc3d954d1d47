/* QUIC packet protection with libcrypto: the HKDF-Expand-Label labels of RFC 9001 5.1-5.4
 * and RFC 9369 3.3 (crypto/hkdf.c); AES-GCM, AES-CCM and ChaCha20-Poly1305 payloads, AES-ECB
 * and ChaCha20 header protection. */
#include "crypto/quic_crypto.h"

#include "crypto/hkdf.h"
#include "crypto/tls13_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

/* RFC 9001 5.2 and RFC 9369 3.3.1: the version-specific salts of the Initial secret. */
static const uint8_t salt_v1[20] = {
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
static const uint8_t salt_v2[20] = {
    0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};

bool quic_version_known(uint32_t version)
{
    return version == QUIC_VERSION_1 || version == QUIC_VERSION_2;
}

/* RFC 9001 5.1: every Initial and packet-protection secret is 32 bytes of HKDF-SHA256. */
static bool expand_label(const uint8_t secret[QUIC_SECRET_LEN], const char *label, uint8_t *out,
                         size_t out_len)
{
    return hkdf_expand_label("SHA256", secret, QUIC_SECRET_LEN, label, out, out_len);
}

bool quic_initial_secrets(uint32_t version, struct cursor dcid,
                          uint8_t client[QUIC_SECRET_LEN], uint8_t server[QUIC_SECRET_LEN])
{
    if (!quic_version_known(version)) {
        return false;
    }
    const uint8_t *salt = version == QUIC_VERSION_2 ? salt_v2 : salt_v1;
    uint8_t initial[QUIC_SECRET_LEN];
    /* An empty connection id still extracts (HKDF takes an empty key); the pointer only must
     * not be NULL for libcrypto. */
    static const uint8_t none[1] = {0};
    const uint8_t *ikm = cur_len(dcid) > 0 ? cur_data(dcid) : none;
    bool ok = hkdf_extract("SHA256", salt, sizeof(salt_v1), ikm, cur_len(dcid), initial,
                           sizeof(initial)) &&
              expand_label(initial, "client in", client, QUIC_SECRET_LEN) &&
              expand_label(initial, "server in", server, QUIC_SECRET_LEN);
    memset(initial, 0, sizeof(initial));
    return ok;
}

/* What a suite brings to QUIC packet protection: its hash (RFC 8446 B.4) and AEAD. */
struct suite_protection {
    uint16_t suite;
    const char *digest;
    size_t hash_len;
    enum quic_aead aead;
    size_t key_len;
};

static const struct suite_protection suites[] = {
    {TLS13_AES_128_GCM_SHA256, "SHA256", 32, QUIC_AEAD_AES_128_GCM, 16},
    {TLS13_AES_256_GCM_SHA384, "SHA384", 48, QUIC_AEAD_AES_256_GCM, 32},
    {TLS13_CHACHA20_POLY1305_SHA256, "SHA256", 32, QUIC_AEAD_CHACHA20_POLY1305, 32},
    {TLS13_AES_128_CCM_SHA256, "SHA256", 32, QUIC_AEAD_AES_128_CCM, 16},
};

static const struct suite_protection *find_suite(uint16_t suite)
{
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (suites[i].suite == suite) {
            return &suites[i];
        }
    }
    return NULL;
}

bool quic_suite_supported(uint16_t suite)
{
    return find_suite(suite) != NULL;
}

bool quic_suite_keys(uint32_t version, uint16_t suite, const uint8_t *secret, size_t secret_len,
                     struct quic_keys *keys)
{
    const struct suite_protection *sp = find_suite(suite);
    if (sp == NULL || secret_len != sp->hash_len) {
        return false;
    }
    bool v2 = version == QUIC_VERSION_2;
    keys->aead = sp->aead;
    keys->key_len = sp->key_len;
    const struct hkdf_output outputs[] = {
        {v2 ? "quicv2 key" : "quic key", keys->key, sp->key_len},
        {v2 ? "quicv2 iv" : "quic iv", keys->iv, QUIC_IV_LEN},
        {v2 ? "quicv2 hp" : "quic hp", keys->hp, sp->key_len},
    };
    bool ok = hkdf_expand_labels(sp->digest, secret, secret_len, outputs, 3);
    if (!ok) {
        quic_keys_clear(keys);
    }
    return ok;
}

bool quic_packet_keys(uint32_t version, const uint8_t secret[QUIC_SECRET_LEN],
                      struct quic_keys *keys)
{
    return quic_suite_keys(version, TLS13_AES_128_GCM_SHA256, secret, QUIC_SECRET_LEN, keys);
}

void quic_keys_clear(struct quic_keys *keys)
{
    OPENSSL_cleanse(keys, sizeof(*keys));
}

bool quic_initial_keys(uint32_t version, struct cursor dcid, struct quic_keys *client,
                       struct quic_keys *server)
{
    uint8_t client_secret[QUIC_SECRET_LEN], server_secret[QUIC_SECRET_LEN];
    bool ok = quic_initial_secrets(version, dcid, client_secret, server_secret) &&
              quic_packet_keys(version, client_secret, client) &&
              quic_packet_keys(version, server_secret, server);
    memset(client_secret, 0, sizeof(client_secret));
    memset(server_secret, 0, sizeof(server_secret));
    return ok;
}

bool quic_header_mask(const struct quic_keys *keys, struct cursor sample,
                      uint8_t mask[QUIC_MASK_LEN])
{
    if (cur_len(sample) != QUIC_SAMPLE_LEN) {
        return false;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t block[QUIC_SAMPLE_LEN + 16];
    int len = 0;
    bool ok;
    if (keys->aead == QUIC_AEAD_CHACHA20_POLY1305) {
        /* RFC 9001 5.4.4: libcrypto's 16-byte ChaCha20 IV is the 4-byte little-endian block
         * counter then the 12-byte nonce, which is the sample as it stands */
        static const uint8_t zeros[QUIC_MASK_LEN] = {0};
        ok = ctx != NULL &&
             EVP_EncryptInit_ex(ctx, EVP_chacha20(), NULL, keys->hp, cur_data(sample)) == 1 &&
             EVP_EncryptUpdate(ctx, block, &len, zeros, QUIC_MASK_LEN) == 1 &&
             len == QUIC_MASK_LEN;
    } else {
        const EVP_CIPHER *ecb = keys->key_len == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb();
        ok = ctx != NULL && EVP_EncryptInit_ex(ctx, ecb, NULL, keys->hp, NULL) == 1 &&
             EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
             EVP_EncryptUpdate(ctx, block, &len, cur_data(sample), QUIC_SAMPLE_LEN) == 1 &&
             len == QUIC_SAMPLE_LEN;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (ok) {
        memcpy(mask, block, QUIC_MASK_LEN);
    }
    OPENSSL_cleanse(block, sizeof(block));
    return ok;
}

static const EVP_CIPHER *aead_cipher(enum quic_aead aead)
{
    switch (aead) {
    case QUIC_AEAD_AES_256_GCM:
        return EVP_aes_256_gcm();
    case QUIC_AEAD_CHACHA20_POLY1305:
        return EVP_chacha20_poly1305();
    case QUIC_AEAD_AES_128_CCM:
        return EVP_aes_128_ccm();
    case QUIC_AEAD_AES_128_GCM:
    default:
        return EVP_aes_128_gcm();
    }
}

/* RFC 9001 5.3 with libcrypto's AEAD interface: the IV length and, for CCM, the tag and the
 * plaintext length must be set before the key (EVP_EncryptInit(3), "AEAD Interface"). */
static bool aead_open(const struct quic_keys *keys, const uint8_t nonce[QUIC_IV_LEN],
                      struct cursor header, const uint8_t *in, size_t in_len,
                      uint8_t tag[QUIC_TAG_LEN], uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ccm = keys->aead == QUIC_AEAD_AES_128_CCM;
    int len = 0;
    bool ok = ctx != NULL &&
              EVP_DecryptInit_ex(ctx, aead_cipher(keys->aead), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, QUIC_IV_LEN, NULL) == 1 &&
              (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, QUIC_TAG_LEN, tag) == 1) &&
              EVP_DecryptInit_ex(ctx, NULL, NULL, keys->key, nonce) == 1 &&
              (!ccm || EVP_DecryptUpdate(ctx, NULL, &len, NULL, (int)in_len) == 1) &&
              EVP_DecryptUpdate(ctx, NULL, &len, cur_data(header), (int)cur_len(header)) == 1 &&
              EVP_DecryptUpdate(ctx, out, &len, in, (int)in_len) == 1;
    if (ok && !ccm) {
        /* CCM verified the tag in the update above; the others do it in the final call */
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, QUIC_TAG_LEN, tag) == 1 &&
             EVP_DecryptFinal_ex(ctx, out + len, &len) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

bool quic_open_payload(const struct quic_keys *keys, uint64_t packet_number, struct cursor header,
                       struct cursor ciphertext, uint8_t *out)
{
    if (cur_len(ciphertext) < QUIC_TAG_LEN || cur_len(ciphertext) - QUIC_TAG_LEN > INT32_MAX ||
        cur_len(header) > INT32_MAX) {
        return false;
    }
    /* RFC 9001 5.3: the 62-bit packet number, left-padded to the IV's size, XORed into it. */
    uint8_t nonce[QUIC_IV_LEN];
    memcpy(nonce, keys->iv, QUIC_IV_LEN);
    for (size_t i = 0; i < 8; i++) {
        nonce[QUIC_IV_LEN - 1 - i] ^= (uint8_t)(packet_number >> (8 * i));
    }
    struct cursor body = ciphertext;
    struct cursor sealed = cur_take_upto(&body, cur_len(ciphertext) - QUIC_TAG_LEN);
    uint8_t tag[QUIC_TAG_LEN];
    cur_copy(body, tag);
    /* An empty payload has no bytes to hand over; libcrypto still wants a valid pointer. */
    uint8_t none[1];
    const uint8_t *in = cur_len(sealed) > 0 ? cur_data(sealed) : none;
    return aead_open(keys, nonce, header, in, cur_len(sealed), tag, out);
}
