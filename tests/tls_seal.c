#include "tls_seal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

/* ---- shared ---- */

enum seal_kind { SEAL_GCM, SEAL_CCM, SEAL_CHACHA, SEAL_CBC };

/* An AEAD with a 12-byte nonce: ciphertext then a tag_len tag into out. CCM wants its tag
 * length and the plaintext length before the additional data (EVP_EncryptInit(3), "AEAD
 * Interface"). */
static bool aead_encrypt(const char *cipher, bool ccm, const uint8_t *key,
                         const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                         const uint8_t *plain, size_t len, size_t tag_len, uint8_t *out)
{
    static const uint8_t none[1];
    const EVP_CIPHER *c = EVP_get_cipherbyname(cipher);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = c != NULL && ctx != NULL && EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
              (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, NULL) == 1) &&
              EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
              (!ccm || EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)len) == 1) &&
              EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1 &&
              EVP_EncryptUpdate(ctx, out, &n, len > 0 ? plain : none, (int)len) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + n, &n) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, out + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) | info | i), the first out_len bytes of T(1) | T(2)... */
static bool hkdf_expand(const EVP_MD *md, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                        size_t info_len, uint8_t *out, size_t out_len)
{
    uint8_t t[EVP_MAX_MD_SIZE], input[EVP_MAX_MD_SIZE + 600];
    unsigned t_len = 0;
    if (info_len > 512) {
        return false;
    }
    for (size_t done = 0, i = 1; done < out_len; i++) {
        size_t n = 0;
        memcpy(input, t, t_len);
        n += t_len;
        memcpy(input + n, info, info_len);
        n += info_len;
        input[n++] = (uint8_t)i;
        if (HMAC(md, prk, (int)prk_len, input, n, t, &t_len) == NULL) {
            return false;
        }
        size_t take = out_len - done < t_len ? out_len - done : t_len;
        memcpy(out + done, t, take);
        done += take;
    }
    OPENSSL_cleanse(t, sizeof(t));
    OPENSSL_cleanse(input, sizeof(input));
    return true;
}

/* ---- TLS 1.3 ---- */

struct tls13_seal_suite {
    uint16_t id;
    const char *cipher;
    bool ccm;
    size_t key_len, tag_len;
    const char *hash;
};

/* RFC 8446 B.4 and 5.3 */
static const struct tls13_seal_suite tls13_suites[] = {
    {0x1301, "AES-128-GCM", false, 16, 16, "SHA256"},
    {0x1302, "AES-256-GCM", false, 32, 16, "SHA384"},
    {0x1303, "ChaCha20-Poly1305", false, 32, 16, "SHA256"},
    {0x1304, "AES-128-CCM", true, 16, 16, "SHA256"},
    {0x1305, "AES-128-CCM", true, 16, 8, "SHA256"},
};

static const struct tls13_seal_suite *tls13_suite(uint16_t id)
{
    for (size_t i = 0; i < sizeof(tls13_suites) / sizeof(tls13_suites[0]); i++) {
        if (tls13_suites[i].id == id) {
            return &tls13_suites[i];
        }
    }
    return NULL;
}

size_t tls_seal_tls13_secret_len(uint16_t suite)
{
    const struct tls13_seal_suite *s = tls13_suite(suite);
    return s == NULL ? 0 : (size_t)EVP_MD_get_size(EVP_get_digestbyname(s->hash));
}

/* RFC 8446 7.1: HKDF-Expand-Label(Secret, Label, "", Length) with
 * struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; } */
static bool expand_label(const char *hash, const uint8_t *secret, size_t secret_len,
                         const char *label, uint8_t *out, size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1];
    size_t label_len = strlen(label), n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(6 + label_len);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = 0; /* empty context */
    return hkdf_expand(EVP_get_digestbyname(hash), secret, secret_len, info, n, out, out_len);
}

/* RFC 8446 7.3: the traffic key and IV of the current secret. */
static bool tls13_keys(struct tls13_sealer *s)
{
    const struct tls13_seal_suite *suite = tls13_suite(s->suite);
    s->key_len = suite->key_len;
    s->seq = 0;
    return expand_label(suite->hash, s->secret, s->secret_len, "key", s->key, s->key_len) &&
           expand_label(suite->hash, s->secret, s->secret_len, "iv", s->iv, sizeof(s->iv));
}

bool tls13_sealer_init(struct tls13_sealer *s, uint16_t suite, const uint8_t *secret,
                       size_t secret_len)
{
    memset(s, 0, sizeof(*s));
    if (tls_seal_tls13_secret_len(suite) != secret_len || secret_len > sizeof(s->secret)) {
        return false;
    }
    s->suite = suite;
    memcpy(s->secret, secret, secret_len);
    s->secret_len = secret_len;
    return tls13_keys(s);
}

bool tls13_sealer_update(struct tls13_sealer *s)
{
    const struct tls13_seal_suite *suite = tls13_suite(s->suite);
    uint8_t next[48];
    /* RFC 8446 7.2: application_traffic_secret_N+1 =
     *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) */
    if (suite == NULL ||
        !expand_label(suite->hash, s->secret, s->secret_len, "traffic upd", next, s->secret_len)) {
        return false;
    }
    memcpy(s->secret, next, s->secret_len);
    OPENSSL_cleanse(next, sizeof(next));
    return tls13_keys(s);
}

size_t tls13_seal_record(struct tls13_sealer *s, uint8_t inner_type, const uint8_t *content,
                         size_t len, size_t padding, uint8_t *out)
{
    const struct tls13_seal_suite *suite = tls13_suite(s->suite);
    static uint8_t inner[TLS_SEAL_CONTENT_MAX + 1 + 256];
    if (suite == NULL || len > TLS_SEAL_CONTENT_MAX || padding > 256) {
        return 0;
    }
    /* RFC 8446 5.2: struct { opaque content[length]; ContentType type; uint8 zeros[...]; } */
    memcpy(inner, content, len);
    inner[len] = inner_type;
    memset(inner + len + 1, 0, padding);
    size_t inner_len = len + 1 + padding;
    size_t record_len = inner_len + suite->tag_len;
    /* opaque_type application_data, legacy_record_version 0x0303, length: also the AEAD's
     * additional data */
    out[0] = 23;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(record_len >> 8);
    out[4] = (uint8_t)record_len;
    /* RFC 8446 5.3: the 64-bit sequence number, left-padded to iv_length, XORed with the IV */
    uint8_t nonce[12];
    memcpy(nonce, s->iv, sizeof(nonce));
    for (size_t i = 0; i < 8; i++) {
        nonce[11 - i] ^= (uint8_t)(s->seq >> (8 * i));
    }
    bool ok = aead_encrypt(suite->cipher, suite->ccm, s->key, nonce, out, 5, inner, inner_len,
                           suite->tag_len, out + 5);
    OPENSSL_cleanse(inner, inner_len);
    if (!ok) {
        return 0;
    }
    s->seq++;
    return 5 + record_len;
}

void tls13_sealer_clear(struct tls13_sealer *s)
{
    OPENSSL_cleanse(s, sizeof(*s));
}

/* ---- TLS 1.0-1.2 ---- */

struct tls12_seal_suite {
    uint16_t id;
    enum seal_kind kind;
    const char *cipher;
    size_t key_len, fixed_iv_len, tag_len;
    const char *mac; /* block ciphers: the HMAC hash */
    size_t mac_len;
    bool sha384_prf; /* RFC 5288 3 and RFC 5289 3: suites naming SHA384 use it in the PRF */
};

/* IANA TLS Cipher Suites registry: a choice of each construction. fixed_iv_len of a block
 * cipher is its block size (the key block's IV, used by TLS 1.0 only). */
static const struct tls12_seal_suite tls12_suites[] = {
    {0x009c, SEAL_GCM, "AES-128-GCM", 16, 4, 16, NULL, 0, false},
    {0x009d, SEAL_GCM, "AES-256-GCM", 32, 4, 16, NULL, 0, true},
    {0x009e, SEAL_GCM, "AES-128-GCM", 16, 4, 16, NULL, 0, false},
    {0x009f, SEAL_GCM, "AES-256-GCM", 32, 4, 16, NULL, 0, true},
    {0xc02b, SEAL_GCM, "AES-128-GCM", 16, 4, 16, NULL, 0, false},
    {0xc02c, SEAL_GCM, "AES-256-GCM", 32, 4, 16, NULL, 0, true},
    {0xc02f, SEAL_GCM, "AES-128-GCM", 16, 4, 16, NULL, 0, false},
    {0xc030, SEAL_GCM, "AES-256-GCM", 32, 4, 16, NULL, 0, true},
    {0xc050, SEAL_GCM, "ARIA-128-GCM", 16, 4, 16, NULL, 0, false},
    {0xc09c, SEAL_CCM, "AES-128-CCM", 16, 4, 16, NULL, 0, false},
    {0xc09d, SEAL_CCM, "AES-256-CCM", 32, 4, 16, NULL, 0, false},
    {0xc0a0, SEAL_CCM, "AES-128-CCM", 16, 4, 8, NULL, 0, false},
    {0xc0a1, SEAL_CCM, "AES-256-CCM", 32, 4, 8, NULL, 0, false},
    {0xc0ac, SEAL_CCM, "AES-128-CCM", 16, 4, 16, NULL, 0, false},
    {0xc0ad, SEAL_CCM, "AES-256-CCM", 32, 4, 16, NULL, 0, false},
    {0xc0ae, SEAL_CCM, "AES-128-CCM", 16, 4, 8, NULL, 0, false},
    {0xc0af, SEAL_CCM, "AES-256-CCM", 32, 4, 8, NULL, 0, false},
    {0xcca8, SEAL_CHACHA, "ChaCha20-Poly1305", 32, 12, 16, NULL, 0, false},
    {0xcca9, SEAL_CHACHA, "ChaCha20-Poly1305", 32, 12, 16, NULL, 0, false},
    {0xccaa, SEAL_CHACHA, "ChaCha20-Poly1305", 32, 12, 16, NULL, 0, false},
    {0x000a, SEAL_CBC, "DES-EDE3-CBC", 24, 8, 0, "SHA1", 20, false},
    {0x002f, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, false},
    {0x0033, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, false},
    {0x0035, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20, false},
    {0x0039, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20, false},
    {0x003c, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA256", 32, false},
    {0x003d, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA256", 32, false},
    {0x0041, SEAL_CBC, "CAMELLIA-128-CBC", 16, 16, 0, "SHA1", 20, false},
    {0x0067, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA256", 32, false},
    {0x006b, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA256", 32, false},
    {0xc009, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, false},
    {0xc00a, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20, false},
    {0xc012, SEAL_CBC, "DES-EDE3-CBC", 24, 8, 0, "SHA1", 20, false},
    {0xc013, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, false},
    {0xc014, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20, false},
    {0xc023, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA256", 32, false},
    {0xc024, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA384", 48, true},
    {0xc027, SEAL_CBC, "AES-128-CBC", 16, 16, 0, "SHA256", 32, false},
    {0xc028, SEAL_CBC, "AES-256-CBC", 32, 16, 0, "SHA384", 48, true},
    {0xc03c, SEAL_CBC, "ARIA-128-CBC", 16, 16, 0, "SHA256", 32, false},
};

static const struct tls12_seal_suite *tls12_suite(uint16_t id)
{
    for (size_t i = 0; i < sizeof(tls12_suites) / sizeof(tls12_suites[0]); i++) {
        if (tls12_suites[i].id == id) {
            return &tls12_suites[i];
        }
    }
    return NULL;
}

/* RFC 5246 5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed)...
 * with A(0) = seed, A(i) = HMAC(secret, A(i-1)); XORed into out. */
static bool p_hash_xor(const EVP_MD *md, const uint8_t *secret, size_t secret_len,
                       const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE], input[EVP_MAX_MD_SIZE + 128];
    unsigned a_len = 0, block_len = 0;
    if (md == NULL || seed_len > 128 ||
        HMAC(md, secret, (int)secret_len, seed, seed_len, a, &a_len) == NULL) {
        return false;
    }
    for (size_t done = 0; done < out_len;) {
        memcpy(input, a, a_len);
        memcpy(input + a_len, seed, seed_len);
        if (HMAC(md, secret, (int)secret_len, input, a_len + seed_len, block, &block_len) ==
            NULL) {
            return false;
        }
        for (size_t i = 0; i < block_len && done < out_len; i++) {
            out[done++] ^= block[i];
        }
        uint8_t next[EVP_MAX_MD_SIZE];
        if (HMAC(md, secret, (int)secret_len, a, a_len, next, &a_len) == NULL) {
            return false;
        }
        memcpy(a, next, a_len);
    }
    OPENSSL_cleanse(block, sizeof(block));
    return true;
}

/* RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random + client_random), with
 * TLS 1.2's P_SHA256 (P_SHA384 for SHA384 suites), or RFC 2246 5's P_MD5(S1) XOR P_SHA-1(S2)
 * over the two halves of the secret for TLS 1.0 and 1.1. */
static bool key_block(uint16_t version, bool sha384, const uint8_t master[48],
                      const uint8_t client_random[32], const uint8_t server_random[32],
                      uint8_t *out, size_t len)
{
    uint8_t seed[13 + 64];
    memcpy(seed, "key expansion", 13);
    memcpy(seed + 13, server_random, 32);
    memcpy(seed + 45, client_random, 32);
    memset(out, 0, len);
    if (version >= 0x0303) {
        return p_hash_xor(EVP_get_digestbyname(sha384 ? "SHA384" : "SHA256"), master, 48, seed,
                          sizeof(seed), out, len);
    }
    return p_hash_xor(EVP_md5(), master, 24, seed, sizeof(seed), out, len) &&
           p_hash_xor(EVP_sha1(), master + 24, 24, seed, sizeof(seed), out, len);
}

bool tls12_sealer_init(struct tls12_sealer *s, uint16_t version, uint16_t suite, bool etm,
                       const uint8_t master[48], const uint8_t client_random[32],
                       const uint8_t server_random[32], bool from_client)
{
    memset(s, 0, sizeof(*s));
    const struct tls12_seal_suite *f = tls12_suite(suite);
    if (f == NULL || version < 0x0301 || version > 0x0303 ||
        EVP_get_cipherbyname(f->cipher) == NULL) {
        return false;
    }
    /* AEAD suites (RFC 5246 6.2.3.3) and SHA-2 MACs (RFC 5246 A.5) are TLS 1.2's */
    if (version < 0x0303 && (f->kind != SEAL_CBC || f->mac_len != 20)) {
        return false;
    }
    uint8_t kb[2 * (48 + 32 + 16)];
    size_t n = 2 * (f->mac_len + f->key_len + f->fixed_iv_len);
    if (!key_block(version, f->sha384_prf, master, client_random, server_random, kb, n)) {
        return false;
    }
    /* client_write_MAC_key, server_write_MAC_key, client_write_key, server_write_key,
     * client_write_IV, server_write_IV */
    size_t side = from_client ? 0 : 1;
    memcpy(s->mac_key, kb + side * f->mac_len, f->mac_len);
    memcpy(s->key, kb + 2 * f->mac_len + side * f->key_len, f->key_len);
    memcpy(s->iv, kb + 2 * (f->mac_len + f->key_len) + side * f->fixed_iv_len, f->fixed_iv_len);
    OPENSSL_cleanse(kb, sizeof(kb));
    s->suite = f;
    s->version = version;
    s->etm = etm && f->kind == SEAL_CBC;
    return true;
}

/* RFC 5246 6.2.3.3 additional_data and 6.2.3.1 MAC input: seq_num + type + version + length */
static void pseudo_header(uint8_t out[13], uint64_t seq, uint8_t type, uint16_t version,
                          size_t len)
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(seq >> (56 - 8 * i));
    }
    out[8] = type;
    out[9] = (uint8_t)(version >> 8);
    out[10] = (uint8_t)version;
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

static bool tls12_hmac(const struct tls12_sealer *s, uint8_t type, const uint8_t *data,
                       size_t len, uint8_t *out)
{
    static uint8_t input[13 + TLS_SEAL_RECORD_MAX];
    unsigned out_len = 0;
    pseudo_header(input, s->seq, type, s->version, len);
    memcpy(input + 13, data, len);
    return HMAC(EVP_get_digestbyname(s->suite->mac), s->mac_key, (int)s->suite->mac_len, input,
                13 + len, out, &out_len) != NULL &&
           out_len == s->suite->mac_len;
}

/* RFC 5246 6.2.3.3 with RFC 5288 3 (GCM) and RFC 6655 3 (CCM): nonce = salt + explicit part,
 * the explicit part (here the sequence number, as OpenSSL sends) leading the fragment;
 * RFC 7905 2 (ChaCha20-Poly1305): nonce = IV XOR the padded sequence number, nothing
 * explicit. */
static size_t seal_aead(struct tls12_sealer *s, uint8_t type, const uint8_t *content, size_t len,
                        uint8_t *fragment)
{
    const struct tls12_seal_suite *f = s->suite;
    uint8_t nonce[12], aad[13];
    size_t at = 0;
    if (f->kind == SEAL_CHACHA) {
        memcpy(nonce, s->iv, 12);
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (uint8_t)(s->seq >> (8 * i));
        }
    } else {
        memcpy(nonce, s->iv, 4);
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = fragment[i] = (uint8_t)(s->seq >> (56 - 8 * i));
        }
        at = 8;
    }
    pseudo_header(aad, s->seq, type, s->version, len);
    if (!aead_encrypt(f->cipher, f->kind == SEAL_CCM, s->key, nonce, aad, sizeof(aad), content,
                      len, f->tag_len, fragment + at)) {
        return 0;
    }
    return at + len + f->tag_len;
}

static bool cbc_encrypt(const struct tls12_sealer *s, const uint8_t *iv, uint8_t *buf, size_t len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = ctx != NULL &&
              EVP_EncryptInit_ex(ctx, EVP_get_cipherbyname(s->suite->cipher), NULL, s->key, iv) ==
                  1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, buf, &n, buf, (int)len) == 1 && (size_t)n == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 5246 6.2.3.2: IV + ENC(content + MAC + padding + padding_length) (TLS 1.0, RFC 2246
 * 6.2.3.2: no explicit IV, each record's IV the previous one's last ciphertext block); with
 * encrypt_then_mac, RFC 7366 3: IV + ENC(content + padding + padding_length) + MAC, the MAC
 * over the pseudo-header and IV + ciphertext. */
static size_t seal_cbc(struct tls12_sealer *s, uint8_t type, const uint8_t *content, size_t len,
                       uint8_t *fragment)
{
    const struct tls12_seal_suite *f = s->suite;
    size_t bs = (size_t)EVP_CIPHER_get_block_size(EVP_get_cipherbyname(f->cipher));
    bool explicit_iv = s->version >= 0x0302;
    uint8_t iv[16];
    size_t at = 0;
    if (explicit_iv) {
        for (size_t i = 0; i < bs; i++) {
            iv[i] = fragment[i] = (uint8_t)(s->seq * 31 + i); /* any IV will do */
        }
        at = bs;
    } else {
        memcpy(iv, s->iv, bs);
    }
    uint8_t *body = fragment + at;
    memcpy(body, content, len);
    size_t n = len;
    if (!s->etm) {
        if (!tls12_hmac(s, type, content, len, body + n)) {
            return 0;
        }
        n += f->mac_len;
    }
    size_t pad = (bs - (n + 1) % bs) % bs;
    memset(body + n, (int)pad, pad + 1);
    n += pad + 1;
    if (!cbc_encrypt(s, iv, body, n)) {
        return 0;
    }
    if (!explicit_iv) {
        memcpy(s->iv, body + n - bs, bs);
    }
    if (s->etm) {
        if (!tls12_hmac(s, type, fragment, at + n, body + n)) {
            return 0;
        }
        n += f->mac_len;
    }
    return at + n;
}

size_t tls12_seal_record(struct tls12_sealer *s, uint8_t type, const uint8_t *content,
                         size_t len, uint8_t *out)
{
    if (s->suite == NULL || len > TLS_SEAL_CONTENT_MAX) {
        return 0;
    }
    size_t n = s->suite->kind == SEAL_CBC ? seal_cbc(s, type, content, len, out + 5)
                                          : seal_aead(s, type, content, len, out + 5);
    if (n == 0 || n > 0xffff) {
        return 0;
    }
    out[0] = type;
    out[1] = (uint8_t)(s->version >> 8);
    out[2] = (uint8_t)s->version;
    out[3] = (uint8_t)(n >> 8);
    out[4] = (uint8_t)n;
    s->seq++;
    return 5 + n;
}

void tls12_sealer_clear(struct tls12_sealer *s)
{
    OPENSSL_cleanse(s, sizeof(*s));
}
