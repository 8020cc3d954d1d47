/* QUIC Initial packet protection with libcrypto: the HKDF-Expand-Label labels of RFC 9001
 * 5.1-5.4 and RFC 9369 3.3 (crypto/hkdf.c), AES-GCM and AES-ECB header protection. */
#include "crypto/quic_crypto.h"

#include "crypto/hkdf.h"

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

bool quic_packet_keys(uint32_t version, const uint8_t secret[QUIC_SECRET_LEN],
                      struct quic_keys *keys)
{
    bool v2 = version == QUIC_VERSION_2;
    return expand_label(secret, v2 ? "quicv2 key" : "quic key", keys->key, QUIC_KEY_LEN) &&
           expand_label(secret, v2 ? "quicv2 iv" : "quic iv", keys->iv, QUIC_IV_LEN) &&
           expand_label(secret, v2 ? "quicv2 hp" : "quic hp", keys->hp, QUIC_HP_LEN);
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
    bool ok = ctx != NULL &&
              EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, keys->hp, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, block, &len, cur_data(sample), QUIC_SAMPLE_LEN) == 1 &&
              len == QUIC_SAMPLE_LEN;
    EVP_CIPHER_CTX_free(ctx);
    if (ok) {
        memcpy(mask, block, QUIC_MASK_LEN);
    }
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
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    /* An empty payload has no bytes to hand over; libcrypto still wants a valid pointer. */
    uint8_t none[1];
    const uint8_t *in = cur_len(sealed) > 0 ? cur_data(sealed) : none;
    bool ok = ctx != NULL && EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, QUIC_IV_LEN, NULL) == 1 &&
              EVP_DecryptInit_ex(ctx, NULL, NULL, keys->key, nonce) == 1 &&
              EVP_DecryptUpdate(ctx, NULL, &len, cur_data(header), (int)cur_len(header)) == 1 &&
              EVP_DecryptUpdate(ctx, out, &len, in, (int)cur_len(sealed)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN, tag) == 1 &&
              EVP_DecryptFinal_ex(ctx, out + len, &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}
