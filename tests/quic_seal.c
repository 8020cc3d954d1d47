#include "quic_seal.h"

#include <openssl/evp.h>
#include <string.h>

#include "base/cursor.h"
#include "quic/quic.h"
#include "crypto/quic_crypto.h"

/* Header bytes before the payload at most: flags, version, DCID length, an 8-byte DCID, SCID
 * length, token length, 2-byte length, 4-byte packet number. */
#define HEADER_MAX (1 + 4 + 1 + 8 + 1 + 1 + 2 + 4)

static void put_varint2(uint8_t *out, size_t *n, size_t value)
{
    out[(*n)++] = (uint8_t)(0x40 | (value >> 8));
    out[(*n)++] = (uint8_t)value;
}

size_t quic_seal_crypto_frame(size_t offset, const uint8_t *data, size_t len, uint8_t *out)
{
    size_t n = 0;
    out[n++] = 0x06;
    put_varint2(out, &n, offset);
    put_varint2(out, &n, len);
    memcpy(out + n, data, len);
    return n + len;
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

/* RFC 9001 5.3; CCM wants its tag length and the plaintext length before the data
 * (EVP_EncryptInit(3), "AEAD Interface"). */
static bool aead_seal(const struct quic_keys *k, uint32_t pn, const uint8_t *header,
                      size_t header_len, const uint8_t *plain, size_t len, uint8_t *out)
{
    uint8_t nonce[QUIC_IV_LEN];
    memcpy(nonce, k->iv, QUIC_IV_LEN);
    for (size_t i = 0; i < 4; i++) {
        nonce[QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
    }
    bool ccm = k->aead == QUIC_AEAD_AES_128_CCM;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = ctx != NULL &&
              EVP_EncryptInit_ex(ctx, aead_cipher(k->aead), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, QUIC_IV_LEN, NULL) == 1 &&
              (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, QUIC_TAG_LEN, NULL) == 1) &&
              EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, nonce) == 1 &&
              (!ccm || EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)len) == 1) &&
              EVP_EncryptUpdate(ctx, NULL, &n, header, (int)header_len) == 1 &&
              EVP_EncryptUpdate(ctx, out, &n, plain, (int)len) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + n, &n) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, QUIC_TAG_LEN, out + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* One long header packet: an Initial (empty token) or a Handshake packet, with dcid_len bytes
 * of dcid and an empty Source Connection ID, protected with k. */
static size_t seal_long(uint32_t version, bool initial, const struct quic_keys *k,
                        const uint8_t *dcid, size_t dcid_len, uint32_t pn, const uint8_t *frames,
                        size_t frames_len, size_t pad_to, uint8_t *out)
{
    if (frames_len > QUIC_SEAL_MAX - HEADER_MAX - QUIC_TAG_LEN || pad_to > QUIC_SEAL_MAX) {
        return 0;
    }
    /* RFC 9000 17.2 Table 5 and RFC 9369 3.2: the Long Packet Type bits, packet number of 4
     * bytes */
    bool v2 = version == QUIC_VERSION_2;
    uint8_t type_bits = initial ? (v2 ? 1 : 0) : (v2 ? 3 : 2);
    size_t n = 0;
    out[n++] = (uint8_t)(0xc3 | (type_bits << 4));
    for (int i = 3; i >= 0; i--) {
        out[n++] = (uint8_t)(version >> (8 * i));
    }
    out[n++] = (uint8_t)dcid_len;
    if (dcid_len > 0) {
        memcpy(out + n, dcid, dcid_len);
        n += dcid_len;
    }
    out[n++] = 0; /* Source Connection ID length */
    if (initial) {
        out[n++] = 0; /* Token Length */
    }
    size_t payload_len = frames_len;
    if (pad_to > n + 2 + 4 + frames_len + QUIC_TAG_LEN) {
        payload_len = pad_to - (n + 2 + 4 + QUIC_TAG_LEN);
    }
    put_varint2(out, &n, 4 + payload_len + QUIC_TAG_LEN);
    size_t pn_offset = n;
    for (int i = 3; i >= 0; i--) {
        out[n++] = (uint8_t)(pn >> (8 * i));
    }
    uint8_t plain[QUIC_SEAL_MAX];
    memset(plain, 0, payload_len); /* PADDING frames */
    memcpy(plain, frames, frames_len);
    if (!aead_seal(k, pn, out, n, plain, payload_len, out + n)) {
        return 0;
    }
    n += payload_len + QUIC_TAG_LEN;
    uint8_t mask[QUIC_MASK_LEN];
    if (!quic_header_mask(k, cur_make(out + pn_offset + 4, QUIC_SAMPLE_LEN), mask)) {
        return 0;
    }
    out[0] ^= mask[0] & 0x0f;
    for (size_t i = 0; i < 4; i++) {
        out[pn_offset + i] ^= mask[1 + i];
    }
    return n;
}

size_t quic_seal_initial(uint32_t version, const uint8_t dcid[8], bool from_client, uint32_t pn,
                         const uint8_t *frames, size_t frames_len, size_t pad_to, uint8_t *out)
{
    struct quic_keys ck, sk;
    if (!quic_initial_keys(version, cur_make(dcid, 8), &ck, &sk)) {
        return 0;
    }
    return seal_long(version, true, from_client ? &ck : &sk, dcid, from_client ? 8 : 0, pn,
                     frames, frames_len, pad_to, out);
}

size_t quic_seal_handshake(uint32_t version, uint16_t suite, const uint8_t *secret,
                           size_t secret_len, uint32_t pn, const uint8_t *frames,
                           size_t frames_len, uint8_t *out)
{
    struct quic_keys k;
    if (!quic_suite_keys(version, suite, secret, secret_len, &k)) {
        return 0;
    }
    return seal_long(version, false, &k, NULL, 0, pn, frames, frames_len, 0, out);
}
