/* TLS 1.0-1.2 and DTLS 1.0/1.2 record protection with libcrypto: the PRF through EVP_KDF
 * "TLS1-PRF" (EVP_KDF-TLS1_PRF(7)), ciphers through one EVP_CIPHER_CTX and MACs through one
 * EVP_MAC_CTX (HMAC) per direction. A suite is read from its IANA name (dissectors/base/names.h):
 * what follows "_WITH_" names the bulk cipher, then the MAC (block ciphers) or the PRF hash
 * (AEAD), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_RSA_WITH_AES_256_CBC_SHA. */
#include "crypto/tls12_keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"

#define VERSION_TLS10 0x0301u
#define VERSION_TLS11 0x0302u
#define VERSION_TLS12 0x0303u
#define VERSION_DTLS10 0xfeffu
#define VERSION_DTLS12 0xfefdu

#define AEAD_EXPLICIT_NONCE_LEN 8 /* RFC 5288 3, RFC 6655 3 */
#define AEAD_NONCE_LEN 12
#define AEAD_AAD_LEN 13 /* RFC 5246 6.2.3.3: seq_num(8) + type(1) + version(2) + length(2) */
#define MAC_MAX 48      /* HMAC-SHA384 */
#define KEY_MAX 32
#define IV_MAX 16
#define BLOCK_MAX 16

enum bulk_kind { BULK_GCM, BULK_CCM, BULK_CHACHA, BULK_CBC };

/* The bulk ciphers of the suite names, prefix first: "AES_128_CCM_8" must come before
 * "AES_128_CCM". fixed_iv_len is the key block's client/server_write_IV length: the implicit
 * nonce part for AEAD (RFC 5288 3: 4; RFC 7905 2: 12), the block size for CBC (used as the
 * first IV by TLS 1.0 only, RFC 2246 6.3; later versions ignore it). */
struct bulk {
    const char *prefix;
    const char *evp_name;
    enum bulk_kind kind;
    size_t key_len;
    size_t fixed_iv_len;
    size_t tag_len; /* AEAD only */
};

static const struct bulk bulks[] = {
    {"AES_128_GCM", "AES-128-GCM", BULK_GCM, 16, 4, 16},       /* RFC 5288 */
    {"AES_256_GCM", "AES-256-GCM", BULK_GCM, 32, 4, 16},       /* RFC 5288 */
    {"ARIA_128_GCM", "ARIA-128-GCM", BULK_GCM, 16, 4, 16},     /* RFC 6209 */
    {"ARIA_256_GCM", "ARIA-256-GCM", BULK_GCM, 32, 4, 16},     /* RFC 6209 */
    {"AES_128_CCM_8", "AES-128-CCM", BULK_CCM, 16, 4, 8},      /* RFC 6655, RFC 7251 */
    {"AES_256_CCM_8", "AES-256-CCM", BULK_CCM, 32, 4, 8},      /* RFC 6655, RFC 7251 */
    {"AES_128_CCM", "AES-128-CCM", BULK_CCM, 16, 4, 16},       /* RFC 6655, RFC 7251 */
    {"AES_256_CCM", "AES-256-CCM", BULK_CCM, 32, 4, 16},       /* RFC 6655, RFC 7251 */
    {"CHACHA20_POLY1305", "ChaCha20-Poly1305", BULK_CHACHA, 32, 12, 16}, /* RFC 7905 */
    {"AES_128_CBC", "AES-128-CBC", BULK_CBC, 16, 16, 0},       /* RFC 5246 C */
    {"AES_256_CBC", "AES-256-CBC", BULK_CBC, 32, 16, 0},       /* RFC 5246 C */
    {"3DES_EDE_CBC", "DES-EDE3-CBC", BULK_CBC, 24, 8, 0},      /* RFC 5246 C */
    {"CAMELLIA_128_CBC", "CAMELLIA-128-CBC", BULK_CBC, 16, 16, 0}, /* RFC 5932 */
    {"CAMELLIA_256_CBC", "CAMELLIA-256-CBC", BULK_CBC, 32, 16, 0}, /* RFC 5932 */
    {"ARIA_128_CBC", "ARIA-128-CBC", BULK_CBC, 16, 16, 0},     /* RFC 6209 */
    {"ARIA_256_CBC", "ARIA-256-CBC", BULK_CBC, 32, 16, 0},     /* RFC 6209 */
};

/* What the name says, and what the version makes of it. */
struct suite_params {
    const struct bulk *bulk;
    const char *mac_digest; /* block ciphers only: HMAC's hash */
    size_t mac_len;
    const char *prf_digest; /* "MD5-SHA1" for TLS 1.0/1.1 and DTLS 1.0 (RFC 2246 5) */
    bool explicit_iv;       /* TLS 1.1+, DTLS: CBC records start with their IV (RFC 4346 6.2.3.2) */
};

struct tls12_protection {
    struct suite_params p;
    bool encrypt_then_mac;
    size_t block_len;
    uint8_t mac_key[MAC_MAX];
    uint8_t key[KEY_MAX];
    uint8_t iv[IV_MAX]; /* AEAD: the implicit nonce part; TLS 1.0 CBC: the chained IV */
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *ctx;
    EVP_MAC *mac;
    EVP_MAC_CTX *mac_ctx;
};

static bool version_is_tls12(uint16_t version)
{
    return version == VERSION_TLS12 || version == VERSION_DTLS12;
}

static bool version_known(uint16_t version)
{
    /* SSL 3.0 (0x0300) has its own MAC and key derivation (RFC 6101 5.2.3.1, 6.2): not here. */
    return version == VERSION_TLS10 || version == VERSION_TLS11 || version_is_tls12(version) ||
           version == VERSION_DTLS10;
}

/* The hash named at the end of a suite name ("SHA" is SHA-1, RFC 5246 C). */
static bool hash_from_name(const char *name, const char **digest, size_t *len)
{
    if (strcmp(name, "SHA") == 0) {
        *digest = "SHA1";
        *len = 20;
    } else if (strcmp(name, "SHA256") == 0) {
        *digest = "SHA256";
        *len = 32;
    } else if (strcmp(name, "SHA384") == 0) {
        *digest = "SHA384";
        *len = 48;
    } else {
        return false;
    }
    return true;
}

static bool suite_params_find(uint16_t version, uint16_t suite, struct suite_params *out)
{
    if (!version_known(version)) {
        return false;
    }
    const char *name = names_lookup(NAMES_CIPHER, suite);
    const char *with = name != NULL ? strstr(name, "_WITH_") : NULL;
    if (with == NULL) {
        return false; /* unknown, GREASE, SCSV or a TLS 1.3 suite */
    }
    const char *rest = with + strlen("_WITH_");
    const struct bulk *b = NULL;
    for (size_t i = 0; i < sizeof(bulks) / sizeof(bulks[0]) && b == NULL; i++) {
        size_t n = strlen(bulks[i].prefix);
        if (strncmp(rest, bulks[i].prefix, n) == 0 && (rest[n] == '\0' || rest[n] == '_')) {
            b = &bulks[i];
            rest += n + (rest[n] == '_');
        }
    }
    if (b == NULL) {
        return false;
    }
    struct suite_params p = {.bulk = b};
    bool tls12 = version_is_tls12(version);
    const char *hash = NULL;
    size_t hash_len = 0;
    if (b->kind == BULK_CBC) {
        /* RFC 5246 C: the MAC names the hash; SHA-256/384 MACs are TLS 1.2 suites */
        if (!hash_from_name(rest, &p.mac_digest, &p.mac_len) || (p.mac_len > 20 && !tls12)) {
            return false;
        }
        hash = p.mac_digest;
        hash_len = p.mac_len;
    } else {
        /* AEAD is TLS 1.2 only (RFC 5246 6.2.3.3); CCM names carry no hash: SHA-256
         * (RFC 6655 3), like RFC 8442's AES_128_CCM_SHA256. */
        if (!tls12 || (*rest != '\0' && !hash_from_name(rest, &hash, &hash_len))) {
            return false;
        }
    }
    if (tls12) {
        /* RFC 5246 5: SHA-256 unless the suite names a stronger hash (RFC 5288 3, 5289 3.2) */
        p.prf_digest = hash != NULL && hash_len == 48 ? "SHA384" : "SHA256";
    } else {
        p.prf_digest = "MD5-SHA1"; /* RFC 2246 5: P_MD5 XOR P_SHA-1 */
    }
    p.explicit_iv = version != VERSION_TLS10;
    *out = p;
    return true;
}

/* Whether libcrypto's providers offer the bulk cipher (and MD5-SHA1 for the old PRF), asked
 * once each: callers ask for every connection with keys. 0 unknown, 1 yes, 2 no; dissection is
 * single-threaded. */
static uint8_t bulk_available[sizeof(bulks) / sizeof(bulks[0])];
static uint8_t md5_sha1_available;

static bool cipher_available(const struct bulk *b)
{
    uint8_t *known = &bulk_available[b - bulks];
    if (*known == 0) {
        EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, b->evp_name, NULL);
        *known = cipher != NULL ? 1 : 2;
        EVP_CIPHER_free(cipher);
    }
    return *known == 1;
}

static bool prf_available(const char *digest)
{
    if (strcmp(digest, "MD5-SHA1") != 0) {
        return true; /* SHA-256 and SHA-384 are in every provider */
    }
    if (md5_sha1_available == 0) {
        EVP_MD *md = EVP_MD_fetch(NULL, digest, NULL);
        md5_sha1_available = md != NULL ? 1 : 2;
        EVP_MD_free(md);
    }
    return md5_sha1_available == 1;
}

bool tls12_suite_supported(uint16_t version, uint16_t suite)
{
    struct suite_params p;
    return suite_params_find(version, suite, &p) && cipher_available(p.bulk) &&
           prf_available(p.prf_digest);
}

bool tls12_prf(const char *digest, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);
    if (kctx == NULL) {
        return false;
    }
    /* RFC 5246 5: PRF(secret, label, seed) = P_<hash>(secret, label + seed); libcrypto
     * concatenates repeated seed parameters (EVP_KDF-TLS1_PRF(7)). */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len),
        OSSL_PARAM_construct_end(),
    };
    bool ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    return ok;
}

/* The cipher context with the key installed (CCM: only the tag length; its key goes in again
 * with every record, as in tls13_keys.c), and the HMAC context for block ciphers. */
static bool protection_contexts(struct tls12_protection *prot)
{
    const struct bulk *b = prot->p.bulk;
    prot->cipher = EVP_CIPHER_fetch(NULL, b->evp_name, NULL);
    prot->ctx = EVP_CIPHER_CTX_new();
    if (prot->cipher == NULL || prot->ctx == NULL ||
        EVP_DecryptInit_ex(prot->ctx, prot->cipher, NULL, NULL, NULL) != 1) {
        return false;
    }
    switch (b->kind) {
    case BULK_CCM:
        return EVP_CIPHER_CTX_ctrl(prot->ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) ==
                   1 &&
               EVP_CIPHER_CTX_ctrl(prot->ctx, EVP_CTRL_AEAD_SET_TAG, (int)b->tag_len, NULL) == 1;
    case BULK_GCM:
    case BULK_CHACHA:
        return EVP_CIPHER_CTX_ctrl(prot->ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) ==
                   1 &&
               EVP_DecryptInit_ex(prot->ctx, NULL, NULL, prot->key, NULL) == 1;
    case BULK_CBC:
        break;
    }
    prot->block_len = (size_t)EVP_CIPHER_get_block_size(prot->cipher);
    if (prot->block_len == 0 || prot->block_len > BLOCK_MAX ||
        EVP_DecryptInit_ex(prot->ctx, NULL, NULL, prot->key, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(prot->ctx, 0) != 1) {
        return false;
    }
    prot->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    prot->mac_ctx = prot->mac != NULL ? EVP_MAC_CTX_new(prot->mac) : NULL;
    if (prot->mac_ctx == NULL) {
        return false;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)prot->p.mac_digest, 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(prot->mac_ctx, params) == 1;
}

struct tls12_protection *tls12_protection_new(uint16_t version, uint16_t suite,
                                              bool encrypt_then_mac,
                                              const uint8_t master[TLS12_MASTER_SECRET_LEN],
                                              const uint8_t client_random[TLS12_RANDOM_LEN],
                                              const uint8_t server_random[TLS12_RANDOM_LEN],
                                              bool from_client)
{
    struct suite_params p;
    if (!suite_params_find(version, suite, &p)) {
        return NULL;
    }
    struct tls12_protection *prot = calloc(1, sizeof(*prot));
    if (prot == NULL) {
        return NULL;
    }
    prot->p = p;
    prot->encrypt_then_mac = encrypt_then_mac && p.bulk->kind == BULK_CBC;
    /* RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random + client_random),
     * cut into client MAC key, server MAC key, client key, server key, client IV, server IV. */
    uint8_t seed[2 * TLS12_RANDOM_LEN];
    memcpy(seed, server_random, TLS12_RANDOM_LEN);
    memcpy(seed + TLS12_RANDOM_LEN, client_random, TLS12_RANDOM_LEN);
    uint8_t block[2 * (MAC_MAX + KEY_MAX + IV_MAX)];
    size_t mac_len = p.mac_len, key_len = p.bulk->key_len, iv_len = p.bulk->fixed_iv_len;
    size_t block_len = 2 * (mac_len + key_len + iv_len);
    bool ok = tls12_prf(p.prf_digest, master, TLS12_MASTER_SECRET_LEN, "key expansion", seed,
                        sizeof(seed), block, block_len);
    if (ok) {
        size_t side = from_client ? 0 : 1;
        memcpy(prot->mac_key, block + side * mac_len, mac_len);
        memcpy(prot->key, block + 2 * mac_len + side * key_len, key_len);
        memcpy(prot->iv, block + 2 * (mac_len + key_len) + side * iv_len, iv_len);
    }
    OPENSSL_cleanse(block, sizeof(block));
    if (!ok || !protection_contexts(prot)) {
        tls12_protection_free(prot);
        return NULL;
    }
    return prot;
}

void tls12_protection_free(struct tls12_protection *prot)
{
    if (prot == NULL) {
        return;
    }
    /* libcrypto clears the key schedules these contexts hold when freeing them */
    EVP_CIPHER_CTX_free(prot->ctx);
    EVP_CIPHER_free(prot->cipher);
    EVP_MAC_CTX_free(prot->mac_ctx);
    EVP_MAC_free(prot->mac);
    OPENSSL_cleanse(prot, sizeof(*prot));
    free(prot);
}

/* seq_num(8) + type(1) + version(2) + length(2): RFC 5246 6.2.3.1 (the MAC's input before the
 * content) and 6.2.3.3 (the AEAD's additional data) alike. */
static void pseudo_header(uint8_t out[AEAD_AAD_LEN], uint64_t seq, uint8_t type,
                          uint16_t version, size_t length)
{
    for (size_t i = 0; i < 8; i++) {
        out[i] = (uint8_t)(seq >> (8 * (7 - i)));
    }
    out[8] = type;
    out[9] = (uint8_t)(version >> 8);
    out[10] = (uint8_t)version;
    out[11] = (uint8_t)(length >> 8);
    out[12] = (uint8_t)length;
}

/* An empty input has no bytes to hand over; libcrypto still wants a valid pointer. */
static const uint8_t *input_bytes(struct cursor c)
{
    static const uint8_t none[1] = {0};
    return cur_len(c) > 0 ? cur_data(c) : none;
}

static enum tls12_open_status open_aead(struct tls12_protection *prot, uint64_t seq,
                                        uint8_t type, uint16_t version, struct cursor fragment,
                                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    const struct bulk *b = prot->p.bulk;
    uint8_t nonce[AEAD_NONCE_LEN];
    struct cursor rest = fragment, explicit_nonce;
    if (b->kind == BULK_CHACHA) {
        /* RFC 7905 2: the 12-byte IV XOR the sequence number, left-padded; no explicit part */
        memcpy(nonce, prot->iv, AEAD_NONCE_LEN);
        for (size_t i = 0; i < 8; i++) {
            nonce[AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
        }
    } else {
        /* RFC 5288 3, RFC 6655 3: salt (the implicit 4 bytes) + nonce_explicit (8 bytes) */
        if (!cur_get_bytes(&rest, AEAD_EXPLICIT_NONCE_LEN, &explicit_nonce)) {
            return TLS12_OPEN_MALFORMED;
        }
        memcpy(nonce, prot->iv, 4);
        cur_copy(explicit_nonce, nonce + 4);
    }
    if (cur_len(rest) < b->tag_len) {
        return TLS12_OPEN_MALFORMED;
    }
    size_t plain_len = cur_len(rest) - b->tag_len;
    if (plain_len > out_cap) {
        return TLS12_OPEN_NO_ROOM;
    }
    struct cursor sealed = cur_take_upto(&rest, plain_len);
    uint8_t tag[16];
    cur_copy(rest, tag);
    uint8_t aad[AEAD_AAD_LEN];
    pseudo_header(aad, seq, type, version, plain_len);
    EVP_CIPHER_CTX *ctx = prot->ctx;
    int len = 0;
    bool ok;
    if (b->kind == BULK_CCM) {
        /* CCM via EVP: tag, key and nonce, total length, additional data, then all of the
         * ciphertext in one call, which checks the tag (EVP_EncryptInit(3), CCM mode). */
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)b->tag_len, tag) == 1 &&
             EVP_DecryptInit_ex(ctx, NULL, NULL, prot->key, nonce) == 1 &&
             EVP_DecryptUpdate(ctx, NULL, &len, NULL, (int)plain_len) == 1 &&
             EVP_DecryptUpdate(ctx, NULL, &len, aad, AEAD_AAD_LEN) == 1 &&
             EVP_DecryptUpdate(ctx, out, &len, input_bytes(sealed), (int)plain_len) == 1;
    } else {
        ok = EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) == 1 &&
             EVP_DecryptUpdate(ctx, NULL, &len, aad, AEAD_AAD_LEN) == 1 &&
             EVP_DecryptUpdate(ctx, out, &len, input_bytes(sealed), (int)plain_len) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)b->tag_len, tag) == 1 &&
             EVP_DecryptFinal_ex(ctx, out + len, &len) == 1;
    }
    if (!ok) {
        OPENSSL_cleanse(out, plain_len); /* unauthenticated bytes are not plaintext */
        return TLS12_OPEN_AUTH_FAILED;
    }
    *out_len = plain_len;
    return TLS12_OPEN_OK;
}

/* HMAC(mac_key, seq + type + version + length + data) compared with expected (RFC 5246
 * 6.2.3.1); not in constant time: hsdump reads captures, it answers no padding oracle. */
static bool mac_verify(struct tls12_protection *prot, uint64_t seq, uint8_t type,
                       uint16_t version, const uint8_t *data, size_t data_len,
                       const uint8_t *expected)
{
    uint8_t header[AEAD_AAD_LEN];
    pseudo_header(header, seq, type, version, data_len);
    uint8_t mac[MAC_MAX];
    size_t mac_len = 0;
    bool ok = EVP_MAC_init(prot->mac_ctx, prot->mac_key, prot->p.mac_len, NULL) == 1 &&
              EVP_MAC_update(prot->mac_ctx, header, sizeof(header)) == 1 &&
              (data_len == 0 || EVP_MAC_update(prot->mac_ctx, data, data_len) == 1) &&
              EVP_MAC_final(prot->mac_ctx, mac, &mac_len, sizeof(mac)) == 1 &&
              mac_len == prot->p.mac_len && CRYPTO_memcmp(mac, expected, mac_len) == 0;
    return ok;
}

/* CBC decryption of whole blocks into out with the given IV. */
static bool cbc_decrypt(struct tls12_protection *prot, const uint8_t *iv, struct cursor blocks,
                        uint8_t *out)
{
    int len = 0, final_len = 0;
    return EVP_DecryptInit_ex(prot->ctx, NULL, NULL, NULL, iv) == 1 &&
           EVP_DecryptUpdate(prot->ctx, out, &len, cur_data(blocks), (int)cur_len(blocks)) ==
               1 &&
           EVP_DecryptFinal_ex(prot->ctx, out + len, &final_len) == 1 &&
           (size_t)(len + final_len) == cur_len(blocks);
}

/* RFC 5246 6.2.3.2: padding_length, and that many bytes before it all equal to it, at the end
 * of plain; the length of what precedes the padding, or false. */
static bool padding_strip(const uint8_t *plain, size_t len, size_t *unpadded)
{
    size_t pad = plain[len - 1];
    if (pad + 1 > len) {
        return false;
    }
    for (size_t i = len - 1 - pad; i < len - 1; i++) {
        if (plain[i] != pad) {
            return false;
        }
    }
    *unpadded = len - 1 - pad;
    return true;
}

/* The IV of this record (explicit: its first block; TLS 1.0: the chained one) and its
 * ciphertext blocks. The ciphertext must be whole blocks, at least min_blocks of them. */
static bool cbc_split(struct tls12_protection *prot, struct cursor *blocks, struct cursor *iv,
                      size_t min_blocks)
{
    size_t bs = prot->block_len;
    if (prot->p.explicit_iv && !cur_get_bytes(blocks, bs, iv)) {
        return false;
    }
    return cur_len(*blocks) % bs == 0 && cur_len(*blocks) >= min_blocks * bs;
}

/* TLS 1.0 (RFC 2246 6.2.3.2): the next record's IV is this one's last ciphertext block. */
static void cbc_chain(struct tls12_protection *prot, struct cursor blocks)
{
    if (!prot->p.explicit_iv && cur_len(blocks) >= prot->block_len) {
        struct cursor last = blocks;
        if (cur_skip(&last, cur_len(blocks) - prot->block_len)) {
            cur_copy(last, prot->iv);
        }
    }
}

static enum tls12_open_status open_mac_then_encrypt(struct tls12_protection *prot, uint64_t seq,
                                                    uint8_t type, uint16_t version,
                                                    struct cursor fragment, uint8_t *out,
                                                    size_t out_cap, size_t *out_len)
{
    size_t bs = prot->block_len, mac_len = prot->p.mac_len;
    struct cursor blocks = fragment, iv_bytes = {0};
    /* content + MAC + padding + padding_length: at least mac_len + 1 bytes of whole blocks */
    if (!cbc_split(prot, &blocks, &iv_bytes, (mac_len + 1 + bs - 1) / bs)) {
        return TLS12_OPEN_MALFORMED;
    }
    size_t len = cur_len(blocks);
    if (len > out_cap) {
        return TLS12_OPEN_NO_ROOM;
    }
    uint8_t iv[BLOCK_MAX];
    if (prot->p.explicit_iv) {
        cur_copy(iv_bytes, iv);
    } else {
        memcpy(iv, prot->iv, bs);
    }
    cbc_chain(prot, blocks);
    size_t unpadded = 0;
    bool ok = cbc_decrypt(prot, iv, blocks, out) && padding_strip(out, len, &unpadded) &&
              unpadded >= mac_len &&
              mac_verify(prot, seq, type, version, out, unpadded - mac_len,
                         out + unpadded - mac_len);
    if (!ok) {
        OPENSSL_cleanse(out, len);
        return TLS12_OPEN_AUTH_FAILED;
    }
    *out_len = unpadded - mac_len;
    return TLS12_OPEN_OK;
}

static enum tls12_open_status open_encrypt_then_mac(struct tls12_protection *prot, uint64_t seq,
                                                    uint8_t type, uint16_t version,
                                                    struct cursor fragment, uint8_t *out,
                                                    size_t out_cap, size_t *out_len)
{
    size_t bs = prot->block_len, mac_len = prot->p.mac_len;
    /* RFC 7366 3: IV + ciphertext (at least one block: the padding_length byte), then MAC */
    if (cur_len(fragment) < mac_len) {
        return TLS12_OPEN_MALFORMED;
    }
    struct cursor rest = fragment;
    struct cursor sealed = cur_take_upto(&rest, cur_len(fragment) - mac_len);
    struct cursor blocks = sealed, iv_bytes = {0};
    if (!cbc_split(prot, &blocks, &iv_bytes, 1)) {
        return TLS12_OPEN_MALFORMED;
    }
    size_t len = cur_len(blocks);
    if (len > out_cap) {
        return TLS12_OPEN_NO_ROOM;
    }
    uint8_t iv[BLOCK_MAX];
    if (prot->p.explicit_iv) {
        cur_copy(iv_bytes, iv);
    } else {
        memcpy(iv, prot->iv, bs);
    }
    cbc_chain(prot, blocks);
    /* RFC 7366 3: MAC(MAC_write_key, seq_num + type + version + length + IV + ciphertext),
     * length being that of IV + ciphertext; checked before anything is decrypted. */
    uint8_t expected[MAC_MAX];
    cur_copy(rest, expected);
    if (!mac_verify(prot, seq, type, version, cur_data(sealed), cur_len(sealed), expected)) {
        return TLS12_OPEN_AUTH_FAILED;
    }
    size_t unpadded = 0;
    if (!cbc_decrypt(prot, iv, blocks, out) || !padding_strip(out, len, &unpadded)) {
        OPENSSL_cleanse(out, len);
        return TLS12_OPEN_AUTH_FAILED;
    }
    *out_len = unpadded;
    return TLS12_OPEN_OK;
}

enum tls12_open_status tls12_open_record(struct tls12_protection *prot, uint64_t seq,
                                         uint8_t type, uint16_t version, struct cursor fragment,
                                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (prot->p.bulk->kind != BULK_CBC) {
        return open_aead(prot, seq, type, version, fragment, out, out_cap, out_len);
    }
    if (prot->encrypt_then_mac) {
        return open_encrypt_then_mac(prot, seq, type, version, fragment, out, out_cap, out_len);
    }
    return open_mac_then_encrypt(prot, seq, type, version, fragment, out, out_cap, out_len);
}

void tls12_skip_record(struct tls12_protection *prot, struct cursor fragment)
{
    if (prot->p.bulk->kind != BULK_CBC || prot->p.explicit_iv) {
        return; /* AEAD nonces and explicit IVs depend on nothing earlier */
    }
    struct cursor blocks = fragment;
    if (prot->encrypt_then_mac) {
        if (cur_len(fragment) < prot->p.mac_len) {
            return;
        }
        blocks = cur_take_upto(&fragment, cur_len(fragment) - prot->p.mac_len);
    }
    if (cur_len(blocks) % prot->block_len == 0) {
        cbc_chain(prot, blocks);
    }
}
