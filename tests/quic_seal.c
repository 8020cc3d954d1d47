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

static bool aead_seal(const struct quic_keys *k, uint32_t pn, const uint8_t *header,
                      size_t header_len, const uint8_t *plain, size_t len, uint8_t *out)
{
    uint8_t nonce[QUIC_IV_LEN];
    memcpy(nonce, k->iv, QUIC_IV_LEN);
    for (size_t i = 0; i < 4; i++) {
        nonce[QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = ctx != NULL &&
              EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, nonce) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &n, header, (int)header_len) == 1 &&
              EVP_EncryptUpdate(ctx, out, &n, plain, (int)len) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + n, &n) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, QUIC_TAG_LEN, out + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

size_t quic_seal_initial(uint32_t version, const uint8_t dcid[8], bool from_client, uint32_t pn,
                         const uint8_t *frames, size_t frames_len, size_t pad_to, uint8_t *out)
{
    struct quic_keys ck, sk;
    if (frames_len > QUIC_SEAL_MAX - HEADER_MAX - QUIC_TAG_LEN || pad_to > QUIC_SEAL_MAX ||
        !quic_initial_keys(version, cur_make(dcid, 8), &ck, &sk)) {
        return 0;
    }
    const struct quic_keys *k = from_client ? &ck : &sk;
    size_t n = 0;
    out[n++] = (uint8_t)(0xc3 | (version == QUIC_VERSION_2 ? 0x10 : 0x00));
    for (int i = 3; i >= 0; i--) {
        out[n++] = (uint8_t)(version >> (8 * i));
    }
    out[n++] = from_client ? 8 : 0;
    if (from_client) {
        memcpy(out + n, dcid, 8);
        n += 8;
    }
    out[n++] = 0; /* Source Connection ID length */
    out[n++] = 0; /* Token Length */
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
