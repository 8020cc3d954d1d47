/* Tests for dissectors/crypto/tls12_keys.c: TLS 1.0-1.2 and DTLS record protection.
 *
 * The PRF: the TLS 1.2 P_SHA256 known answer published on the IETF TLS list
 * (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html), and TLS 1.0's
 * P_MD5 XOR P_SHA-1 (RFC 2246 5) against a second computation spelt out here with HMAC().
 * Round trips: records sealed here with EVP by the RFC constructions (RFC 5288 3 and RFC 6655 3
 * for GCM/CCM, RFC 7905 2 for ChaCha20-Poly1305, RFC 5246 6.2.3.2 for CBC with MAC-then-encrypt,
 * RFC 7366 3 for encrypt_then_mac, RFC 2246 6.2.3.2 for TLS 1.0's chained IV), opened by the code
 * under test; then tampering, wrong sequence numbers, bad padding, short fragments, DTLS
 * additional data.
 *
 * Real records: each capture was recorded on 127.0.0.1 with tcpdump while OpenSSL 3.0 talked to
 * itself, `openssl s_server -cert C -key K` and `openssl s_client -keylogfile F` with -tls1_2
 * and -cipher ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA256 (with and without -no_etm
 * on both sides) or ECDHE-RSA-CHACHA20-POLY1305, and -tls1 -cipher AES128-SHA:@SECLEVEL=0
 * -no_etm. Below are the key log line's master secret (test keys of a throwaway
 * self-signed certificate), both hello randoms, and the fragments of the first protected records
 * of each side: the Finished (handshake type 20, 12 bytes of verify_data), then application data
 * ("hello\n" typed into the client) and close_notify alerts. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/tls12_keys.h"
#include "suites.h"
#include "vectors.h"

#define TYPE_ALERT 21
#define TYPE_HANDSHAKE 22
#define TYPE_APPLICATION_DATA 23

static void unhex_exact(const char *hex, uint8_t *out, size_t len)
{
    size_t n;
    uint8_t *bytes = vec_unhex(hex, &n);
    ck_assert_uint_eq(n, len);
    memcpy(out, bytes, len);
    free(bytes);
}

/* ---- PRF ---- */

START_TEST(test_prf_sha256_known_answer)
{
    uint8_t secret[16], seed[16], out[100], want[100];
    unhex_exact("9bbe436ba940f017b17652849a71db35", secret, sizeof(secret));
    unhex_exact("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof(seed));
    unhex_exact("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                "87347b66",
                want, sizeof(want));
    ck_assert(tls12_prf("SHA256", secret, sizeof(secret), "test label", seed, sizeof(seed), out,
                        sizeof(out)));
    ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

/* RFC 2246 5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed)...
 * with A(0) = seed, A(i) = HMAC(secret, A(i-1)), XORed into out. */
static void p_hash_xor(const EVP_MD *md, const uint8_t *secret, size_t secret_len,
                       const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE], input[EVP_MAX_MD_SIZE + 128];
    unsigned a_len = 0, block_len = 0;
    ck_assert_ptr_nonnull(HMAC(md, secret, (int)secret_len, seed, seed_len, a, &a_len));
    for (size_t done = 0; done < out_len;) {
        memcpy(input, a, a_len);
        memcpy(input + a_len, seed, seed_len);
        ck_assert_ptr_nonnull(
            HMAC(md, secret, (int)secret_len, input, a_len + seed_len, block, &block_len));
        for (size_t i = 0; i < block_len && done < out_len; i++) {
            out[done++] ^= block[i];
        }
        uint8_t next[EVP_MAX_MD_SIZE];
        ck_assert_ptr_nonnull(HMAC(md, secret, (int)secret_len, a, a_len, next, &a_len));
        memcpy(a, next, a_len);
    }
}

START_TEST(test_prf_md5_sha1_spelt_out)
{
    /* an odd secret length: RFC 2246 5 shares the middle byte between both halves */
    uint8_t secret[TLS12_MASTER_SECRET_LEN + 1], seed[64], label_seed[13 + 64];
    for (size_t i = 0; i < sizeof(secret); i++) {
        secret[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t i = 0; i < sizeof(seed); i++) {
        seed[i] = (uint8_t)(0xa0 ^ i);
    }
    memcpy(label_seed, "key expansion", 13);
    memcpy(label_seed + 13, seed, sizeof(seed));
    uint8_t want[104] = {0}, got[104];
    size_t half = (sizeof(secret) + 1) / 2;
    p_hash_xor(EVP_md5(), secret, half, label_seed, sizeof(label_seed), want, sizeof(want));
    p_hash_xor(EVP_sha1(), secret + sizeof(secret) - half, half, label_seed, sizeof(label_seed),
               want, sizeof(want));
    ck_assert(tls12_prf("MD5-SHA1", secret, sizeof(secret), "key expansion", seed, sizeof(seed),
                        got, sizeof(got)));
    ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

/* ---- suites ---- */

START_TEST(test_suites_supported)
{
    static const uint16_t tls12_only[] = {0xc02f, 0xc030, 0x009c, 0xc0ac, 0xc0ad, 0xc0ae,
                                          0xc0af, 0xcca8, 0xd001, 0xd003, 0x003c, 0xc024,
                                          0xc050, 0xc03c};
    static const uint16_t any_version[] = {0x002f, 0x0035, 0x000a, 0x0041, 0xc013, 0xc014};
    for (size_t i = 0; i < sizeof(tls12_only) / sizeof(tls12_only[0]); i++) {
        ck_assert_msg(tls12_suite_supported(0x0303, tls12_only[i]), "0x%04x", tls12_only[i]);
        ck_assert(tls12_suite_supported(0xfefd, tls12_only[i]));
        ck_assert(!tls12_suite_supported(0x0301, tls12_only[i]));
        ck_assert(!tls12_suite_supported(0x0302, tls12_only[i]));
        ck_assert(!tls12_suite_supported(0xfeff, tls12_only[i]));
    }
    for (size_t i = 0; i < sizeof(any_version) / sizeof(any_version[0]); i++) {
        ck_assert_msg(tls12_suite_supported(0x0301, any_version[i]), "0x%04x", any_version[i]);
        ck_assert(tls12_suite_supported(0x0302, any_version[i]));
        ck_assert(tls12_suite_supported(0x0303, any_version[i]));
        ck_assert(tls12_suite_supported(0xfeff, any_version[i]));
        ck_assert(tls12_suite_supported(0xfefd, any_version[i]));
        ck_assert(!tls12_suite_supported(0x0300, any_version[i])); /* SSL 3.0 */
        ck_assert(!tls12_suite_supported(0x0304, any_version[i]));
    }
    /* RC4 (stream, legacy provider only), NULL, TLS 1.3 suites, the SCSV, Camellia-GCM (not in
     * libcrypto), GREASE, unknown */
    static const uint16_t never[] = {0x0005, 0x0004, 0x0002, 0x003b, 0x1301, 0x1303,
                                     0x00ff, 0xc07a, 0x0a0a, 0x0000, 0xfffe};
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
        ck_assert_msg(!tls12_suite_supported(0x0303, never[i]), "0x%04x", never[i]);
    }
    uint8_t zeros[48] = {0};
    ck_assert_ptr_null(tls12_protection_new(0x0303, 0x0005, false, zeros, zeros, zeros, true));
    ck_assert_ptr_null(tls12_protection_new(0x0300, 0x002f, false, zeros, zeros, zeros, true));
    tls12_protection_free(NULL);
}
END_TEST

/* ---- the sealing side, by the RFCs ---- */

enum kind { GCM, CCM, CHACHA, CBC };

struct family {
    const char *label;
    uint16_t version;
    uint16_t suite;
    bool etm;
    enum kind kind;
    const char *cipher;
    size_t key_len, fixed_iv_len, tag_len;
    const char *mac_md; /* CBC */
    size_t mac_len;
    const char *prf;
};

static const struct family families[] = {
    {"gcm128", 0x0303, 0xc02f, false, GCM, "AES-128-GCM", 16, 4, 16, NULL, 0, "SHA256"},
    {"gcm256", 0x0303, 0xc030, false, GCM, "AES-256-GCM", 32, 4, 16, NULL, 0, "SHA384"},
    {"aria-gcm", 0x0303, 0xc050, false, GCM, "ARIA-128-GCM", 16, 4, 16, NULL, 0, "SHA256"},
    {"ccm128", 0x0303, 0xc0ac, false, CCM, "AES-128-CCM", 16, 4, 16, NULL, 0, "SHA256"},
    {"ccm256", 0x0303, 0xc0ad, false, CCM, "AES-256-CCM", 32, 4, 16, NULL, 0, "SHA256"},
    {"ccm8-128", 0x0303, 0xc0ae, false, CCM, "AES-128-CCM", 16, 4, 8, NULL, 0, "SHA256"},
    {"ccm8-256", 0x0303, 0xc0af, false, CCM, "AES-256-CCM", 32, 4, 8, NULL, 0, "SHA256"},
    {"chacha", 0x0303, 0xcca8, false, CHACHA, "ChaCha20-Poly1305", 32, 12, 16, NULL, 0,
     "SHA256"},
    {"dtls12-gcm", 0xfefd, 0xc02f, false, GCM, "AES-128-GCM", 16, 4, 16, NULL, 0, "SHA256"},
    {"dtls12-chacha", 0xfefd, 0xcca8, false, CHACHA, "ChaCha20-Poly1305", 32, 12, 16, NULL, 0,
     "SHA256"},
    {"cbc-sha", 0x0303, 0x002f, false, CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, "SHA256"},
    {"cbc-sha-etm", 0x0303, 0x002f, true, CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, "SHA256"},
    {"cbc256-sha", 0x0303, 0x0035, false, CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20, "SHA256"},
    {"cbc-sha256", 0x0303, 0x003c, false, CBC, "AES-128-CBC", 16, 16, 0, "SHA256", 32,
     "SHA256"},
    {"cbc-sha256-etm", 0x0303, 0x003c, true, CBC, "AES-128-CBC", 16, 16, 0, "SHA256", 32,
     "SHA256"},
    {"cbc-sha384", 0x0303, 0xc024, false, CBC, "AES-256-CBC", 32, 16, 0, "SHA384", 48,
     "SHA384"},
    {"cbc-sha384-etm", 0x0303, 0xc024, true, CBC, "AES-256-CBC", 32, 16, 0, "SHA384", 48,
     "SHA384"},
    {"3des", 0x0303, 0x000a, false, CBC, "DES-EDE3-CBC", 24, 8, 0, "SHA1", 20, "SHA256"},
    {"3des-etm", 0x0303, 0x000a, true, CBC, "DES-EDE3-CBC", 24, 8, 0, "SHA1", 20, "SHA256"},
    {"camellia", 0x0303, 0x0041, false, CBC, "CAMELLIA-128-CBC", 16, 16, 0, "SHA1", 20,
     "SHA256"},
    {"aria-cbc", 0x0303, 0xc03c, false, CBC, "ARIA-128-CBC", 16, 16, 0, "SHA256", 32, "SHA256"},
    {"tls11-cbc", 0x0302, 0x002f, false, CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20, "MD5-SHA1"},
    {"tls11-cbc-etm", 0x0302, 0x0035, true, CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20,
     "MD5-SHA1"},
    {"tls10-cbc", 0x0301, 0x002f, false, CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20,
     "MD5-SHA1"},
    {"tls10-cbc-etm", 0x0301, 0x002f, true, CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20,
     "MD5-SHA1"},
    {"tls10-3des", 0x0301, 0x000a, false, CBC, "DES-EDE3-CBC", 24, 8, 0, "SHA1", 20,
     "MD5-SHA1"},
    {"dtls10-cbc", 0xfeff, 0x002f, false, CBC, "AES-128-CBC", 16, 16, 0, "SHA1", 20,
     "MD5-SHA1"},
    {"dtls12-cbc-etm", 0xfefd, 0xc014, true, CBC, "AES-256-CBC", 32, 16, 0, "SHA1", 20,
     "SHA256"},
};
#define FAMILIES_N (sizeof(families) / sizeof(families[0]))

static const uint8_t master[TLS12_MASTER_SECRET_LEN] = {
    0x4c, 0x1d, 0x7e, 0x02, 0x93, 0xa1, 0x55, 0x60, 0x0b, 0xee, 0x71, 0x28, 0x34, 0x9f, 0xc2, 0x11,
    0x87, 0x6d, 0x3a, 0x40, 0xfa, 0x13, 0x2c, 0x99, 0x05, 0x61, 0xd7, 0xbe, 0x48, 0x2e, 0x7f, 0x30,
    0x0c, 0x5a, 0x66, 0xe1, 0x19, 0x84, 0xab, 0x27, 0xd0, 0x3b, 0x92, 0x4f, 0x08, 0xcd, 0x75, 0xf6};
static uint8_t client_random[TLS12_RANDOM_LEN], server_random[TLS12_RANDOM_LEN];

static void randoms_init(void)
{
    for (size_t i = 0; i < TLS12_RANDOM_LEN; i++) {
        client_random[i] = (uint8_t)(0x10 + i);
        server_random[i] = (uint8_t)(0xe0 - 3 * i);
    }
}

/* The sender's view of one direction: its keys out of the key block and, for TLS 1.0, its
 * chained IV. */
struct sealer {
    const struct family *f;
    uint8_t mac_key[48], key[32], iv[16];
    size_t block;
};

static void sealer_init(struct sealer *s, const struct family *f, bool from_client)
{
    memset(s, 0, sizeof(*s));
    s->f = f;
    uint8_t seed[64], kb[2 * (48 + 32 + 16)];
    memcpy(seed, server_random, 32);
    memcpy(seed + 32, client_random, 32);
    size_t n = 2 * (f->mac_len + f->key_len + f->fixed_iv_len);
    ck_assert(tls12_prf(f->prf, master, sizeof(master), "key expansion", seed, 64, kb, n));
    size_t side = from_client ? 0 : 1;
    memcpy(s->mac_key, kb + side * f->mac_len, f->mac_len);
    memcpy(s->key, kb + 2 * f->mac_len + side * f->key_len, f->key_len);
    memcpy(s->iv, kb + 2 * (f->mac_len + f->key_len) + side * f->fixed_iv_len, f->fixed_iv_len);
    s->block = f->kind == CBC ? (size_t)EVP_CIPHER_get_block_size(EVP_get_cipherbyname(
                                    f->cipher))
                              : 0;
}

static void header13(uint8_t out[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
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

static size_t seal_aead(struct sealer *s, uint64_t seq, uint8_t type, uint16_t version,
                        const uint8_t *plain, size_t len, uint8_t *out)
{
    const struct family *f = s->f;
    uint8_t nonce[12], aad[13];
    size_t at = 0;
    if (f->kind == CHACHA) {
        memcpy(nonce, s->iv, 12);
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
        }
    } else {
        memcpy(nonce, s->iv, 4);
        for (int i = 0; i < 8; i++) { /* as OpenSSL does: the explicit part is the seq */
            nonce[4 + i] = out[i] = (uint8_t)((seq ^ 0x5a5a) >> (56 - 8 * i));
        }
        at = 8;
    }
    header13(aad, seq, type, version, len);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    ck_assert_int_eq(EVP_EncryptInit_ex(ctx, EVP_get_cipherbyname(f->cipher), NULL, NULL, NULL),
                     1);
    ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL), 1);
    if (f->kind == CCM) {
        ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)f->tag_len, NULL),
                         1);
    }
    ck_assert_int_eq(EVP_EncryptInit_ex(ctx, NULL, NULL, s->key, nonce), 1);
    if (f->kind == CCM) {
        ck_assert_int_eq(EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)len), 1);
    }
    ck_assert_int_eq(EVP_EncryptUpdate(ctx, NULL, &n, aad, 13), 1);
    static const uint8_t none[1];
    ck_assert_int_eq(EVP_EncryptUpdate(ctx, out + at, &n, len ? plain : none, (int)len), 1);
    ck_assert_int_eq(EVP_EncryptFinal_ex(ctx, out + at + n, &n), 1);
    ck_assert_int_eq(
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)f->tag_len, out + at + len), 1);
    EVP_CIPHER_CTX_free(ctx);
    return at + len + f->tag_len;
}

static void cbc_encrypt(struct sealer *s, const uint8_t *iv, uint8_t *buf, size_t len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    ck_assert_int_eq(
        EVP_EncryptInit_ex(ctx, EVP_get_cipherbyname(s->f->cipher), NULL, s->key, iv), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    ck_assert_int_eq(EVP_EncryptUpdate(ctx, buf, &n, buf, (int)len), 1);
    ck_assert_uint_eq((size_t)n, len);
    EVP_CIPHER_CTX_free(ctx);
}

static void hmac(struct sealer *s, uint64_t seq, uint8_t type, uint16_t version,
                 const uint8_t *data, size_t len, uint8_t *out)
{
    uint8_t buf[13 + 4096];
    ck_assert_uint_le(len, 4096);
    header13(buf, seq, type, version, len);
    memcpy(buf + 13, data, len);
    unsigned out_len = 0;
    ck_assert_ptr_nonnull(HMAC(EVP_get_digestbyname(s->f->mac_md), s->mac_key,
                               (int)s->f->mac_len, buf, 13 + len, out, &out_len));
    ck_assert_uint_eq(out_len, s->f->mac_len);
}

/* RFC 5246 6.2.3.2 / RFC 7366 3; extra_blocks of padding beyond the minimum; bad_padding
 * corrupts one padding byte (the MAC still verifies, with EtM too). */
static size_t seal_cbc(struct sealer *s, uint64_t seq, uint8_t type, uint16_t version,
                       const uint8_t *plain, size_t len, uint8_t *out, size_t extra_blocks,
                       bool bad_padding)
{
    const struct family *f = s->f;
    size_t bs = s->block;
    bool explicit_iv = version != 0x0301;
    size_t at = 0;
    uint8_t iv[16];
    if (explicit_iv) {
        for (size_t i = 0; i < bs; i++) {
            iv[i] = out[i] = (uint8_t)(seq * 31 + i);
        }
        at = bs;
    } else {
        memcpy(iv, s->iv, bs);
    }
    uint8_t *body = out + at;
    memcpy(body, plain, len);
    size_t n = len;
    if (!f->etm) {
        hmac(s, seq, type, version, plain, len, body + n);
        n += f->mac_len;
    }
    size_t pad = (bs - (n + 1) % bs) % bs + extra_blocks * bs;
    memset(body + n, (int)pad, pad + 1);
    if (bad_padding) {
        ck_assert_uint_gt(pad, 0);
        body[n] ^= 0x40;
    }
    n += pad + 1;
    cbc_encrypt(s, iv, body, n);
    if (!explicit_iv) {
        memcpy(s->iv, body + n - bs, bs);
    }
    if (f->etm) {
        hmac(s, seq, type, version, out, at + n, out + at + n);
        n += f->mac_len;
    }
    return at + n;
}

static size_t seal(struct sealer *s, uint64_t seq, uint8_t type, uint16_t version,
                   const uint8_t *plain, size_t len, uint8_t *out)
{
    if (s->f->kind == CBC) {
        return seal_cbc(s, seq, type, version, plain, len, out, seq % 3, false);
    }
    return seal_aead(s, seq, type, version, plain, len, out);
}

static struct tls12_protection *opener(const struct family *f, bool from_client)
{
    struct tls12_protection *prot = tls12_protection_new(
        f->version, f->suite, f->etm, master, client_random, server_random, from_client);
    ck_assert_msg(prot != NULL, "%s", f->label);
    return prot;
}

static uint8_t plain_sample[300];
static uint8_t sealed[4096], opened[TLS12_FRAGMENT_MAX];

static void plain_init(void)
{
    for (size_t i = 0; i < sizeof(plain_sample); i++) {
        plain_sample[i] = (uint8_t)(i * 13 + 7);
    }
}

static uint64_t seq_for(const struct family *f, uint64_t n)
{
    /* DTLS: epoch 1 in the top 16 bits (RFC 6347 4.1.2.1) */
    return (f->version & 0xff00) == 0xfe00 ? (1ull << 48) | n : n;
}

START_TEST(test_round_trip)
{
    const struct family *f = &families[_i];
    randoms_init();
    plain_init();
    for (int side = 0; side < 2; side++) {
        struct sealer s;
        sealer_init(&s, f, side == 0);
        struct tls12_protection *prot = opener(f, side == 0);
        /* lengths around block and MAC sizes, empty included; each a new record */
        static const size_t lens[] = {0, 1, 12, 15, 16, 17, 31, 32, 33, 47, 48, 64, 255, 300};
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            uint64_t seq = seq_for(f, i);
            uint8_t type = i % 2 ? TYPE_HANDSHAKE : TYPE_ALERT;
            size_t n = seal(&s, seq, type, f->version, plain_sample, lens[i], sealed);
            size_t out_len = 12345;
            ck_assert_msg(tls12_open_record(prot, seq, type, f->version, cur_make(sealed, n),
                                            opened, sizeof(opened), &out_len) == TLS12_OPEN_OK,
                          "%s side %d len %zu", f->label, side, lens[i]);
            ck_assert_uint_eq(out_len, lens[i]);
            ck_assert_mem_eq(opened, plain_sample, lens[i]);
        }
        tls12_protection_free(prot);
    }
}
END_TEST

/* The other side's keys, a wrong sequence number, type or version, a flipped bit anywhere: all
 * AUTH_FAILED, and the buffer holds no plaintext. Explicit nonces and IVs are not covered by
 * a MAC-then-encrypt MAC but change the plaintext's first block, so they fail too. */
START_TEST(test_tamper)
{
    const struct family *f = &families[_i];
    randoms_init();
    plain_init();
    struct sealer s;
    sealer_init(&s, f, true);
    size_t len = 40;
    uint64_t seq = seq_for(f, 7);
    size_t n = seal(&s, seq, TYPE_HANDSHAKE, f->version, plain_sample, len, sealed);
    size_t out_len = 999;
    struct tls12_protection *server = opener(f, false);
    ck_assert_int_eq(tls12_open_record(server, seq, TYPE_HANDSHAKE, f->version,
                                       cur_make(sealed, n), opened, sizeof(opened), &out_len),
                     TLS12_OPEN_AUTH_FAILED);
    tls12_protection_free(server);
    bool chained = f->version == 0x0301;
    struct tls12_protection *prot = opener(f, true);
    if (!chained) { /* TLS 1.0: each attempt moves the chained IV on; checked below */
        ck_assert_int_eq(tls12_open_record(prot, seq + 1, TYPE_HANDSHAKE, f->version,
                                           cur_make(sealed, n), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        ck_assert_int_eq(tls12_open_record(prot, seq, TYPE_ALERT, f->version,
                                           cur_make(sealed, n), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        ck_assert_int_eq(tls12_open_record(prot, seq, TYPE_HANDSHAKE, f->version ^ 1,
                                           cur_make(sealed, n), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        for (size_t i = 0; i < n; i++) {
            sealed[i] ^= 0x01;
            ck_assert_msg(tls12_open_record(prot, seq, TYPE_HANDSHAKE, f->version,
                                            cur_make(sealed, n), opened, sizeof(opened),
                                            &out_len) == TLS12_OPEN_AUTH_FAILED,
                          "%s byte %zu", f->label, i);
            sealed[i] ^= 0x01;
        }
        ck_assert_uint_eq(out_len, 999);
    }
    tls12_protection_free(prot);
    /* and the untouched record still opens with fresh state */
    prot = opener(f, true);
    ck_assert_int_eq(tls12_open_record(prot, seq, TYPE_HANDSHAKE, f->version,
                                       cur_make(sealed, n), opened, sizeof(opened), &out_len),
                     TLS12_OPEN_OK);
    ck_assert_uint_eq(out_len, len);
    tls12_protection_free(prot);
}
END_TEST

/* Every fragment shorter than the smallest the suite can produce is MALFORMED; a fragment
 * whose plaintext (CBC: ciphertext) is longer than out_cap is NO_ROOM. */
START_TEST(test_short_and_no_room)
{
    const struct family *f = &families[_i];
    randoms_init();
    plain_init();
    struct sealer s;
    sealer_init(&s, f, true);
    size_t smallest = seal(&s, 0, TYPE_ALERT, f->version, plain_sample, 0, sealed);
    struct tls12_protection *prot = opener(f, true);
    size_t out_len = 999;
    for (size_t n = 0; n < smallest; n++) {
        enum tls12_open_status st = tls12_open_record(prot, 0, TYPE_ALERT, f->version,
                                                      cur_make(sealed, n), opened,
                                                      sizeof(opened), &out_len);
        ck_assert_msg(st == TLS12_OPEN_MALFORMED, "%s prefix %zu: %d", f->label, n, (int)st);
    }
    ck_assert_uint_eq(out_len, 999);
    tls12_protection_free(prot);
    sealer_init(&s, f, true);
    size_t n = seal(&s, 0, TYPE_HANDSHAKE, f->version, plain_sample, 100, sealed);
    prot = opener(f, true);
    ck_assert_int_eq(tls12_open_record(prot, 0, TYPE_HANDSHAKE, f->version, cur_make(sealed, n),
                                       opened, 99, &out_len),
                     TLS12_OPEN_NO_ROOM);
    ck_assert_int_eq(tls12_open_record(prot, 0, TYPE_HANDSHAKE, f->version, cur_make(sealed, n),
                                       opened, sizeof(opened), &out_len),
                     TLS12_OPEN_OK);
    ck_assert_uint_eq(out_len, 100);
    tls12_protection_free(prot);
}
END_TEST

START_TEST(test_cbc_bad_padding)
{
    const struct family *f = &families[_i];
    if (f->kind != CBC) {
        return;
    }
    randoms_init();
    plain_init();
    struct sealer s;
    sealer_init(&s, f, true);
    struct tls12_protection *prot = opener(f, true);
    size_t out_len = 999;
    /* long padding (up to 255 bytes is allowed, RFC 5246 6.2.3.2) opens */
    size_t n = seal_cbc(&s, 0, TYPE_HANDSHAKE, f->version, plain_sample, 20, sealed, 5, false);
    ck_assert_int_eq(tls12_open_record(prot, 0, TYPE_HANDSHAKE, f->version, cur_make(sealed, n),
                                       opened, sizeof(opened), &out_len),
                     TLS12_OPEN_OK);
    ck_assert_uint_eq(out_len, 20);
    /* one padding byte wrong: the MAC (over the content; with EtM over the ciphertext) would
     * verify, the padding does not */
    n = seal_cbc(&s, 1, TYPE_HANDSHAKE, f->version, plain_sample, 20, sealed, 1, true);
    ck_assert_int_eq(tls12_open_record(prot, 1, TYPE_HANDSHAKE, f->version, cur_make(sealed, n),
                                       opened, sizeof(opened), &out_len),
                     TLS12_OPEN_AUTH_FAILED);
    ck_assert_uint_eq(out_len, 20);
    tls12_protection_free(prot);
}
END_TEST

/* TLS 1.0 (RFC 2246 6.2.3.2): a record skipped unread still hands its last ciphertext block on
 * as the next record's IV; opened records do the same, and so does a failed one. */
START_TEST(test_tls10_chained_iv_across_skip)
{
    randoms_init();
    plain_init();
    for (size_t k = 0; k < FAMILIES_N; k++) {
        const struct family *f = &families[k];
        if (f->version != 0x0301) {
            continue;
        }
        struct sealer s;
        sealer_init(&s, f, false);
        struct tls12_protection *prot = opener(f, false);
        uint8_t recs[4][512];
        size_t lens[4];
        for (uint64_t seq = 0; seq < 4; seq++) {
            lens[seq] = seal_cbc(&s, seq, TYPE_APPLICATION_DATA, f->version, plain_sample,
                                 50 + seq, recs[seq], seq, false);
        }
        size_t out_len = 0;
        tls12_skip_record(prot, cur_make(recs[0], lens[0]));
        ck_assert_int_eq(tls12_open_record(prot, 1, TYPE_APPLICATION_DATA, f->version,
                                           cur_make(recs[1], lens[1]), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 51);
        ck_assert_int_eq(tls12_open_record(prot, 99, TYPE_APPLICATION_DATA, f->version,
                                           cur_make(recs[2], lens[2]), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        ck_assert_int_eq(tls12_open_record(prot, 3, TYPE_APPLICATION_DATA, f->version,
                                           cur_make(recs[3], lens[3]), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 53);
        ck_assert_mem_eq(opened, plain_sample, 53);
        tls12_protection_free(prot);
        /* without the skip, record 1 is opened with the wrong IV: its first block is garbled,
         * which fails the MAC, except with encrypt_then_mac, whose MAC covers the ciphertext */
        prot = opener(f, false);
        enum tls12_open_status st = tls12_open_record(prot, 1, TYPE_APPLICATION_DATA,
                                                      f->version, cur_make(recs[1], lens[1]),
                                                      opened, sizeof(opened), &out_len);
        if (f->etm) {
            ck_assert_int_eq(st, TLS12_OPEN_OK);
            ck_assert_int_ne(memcmp(opened, plain_sample, s.block), 0);
            ck_assert_mem_eq(opened + s.block, plain_sample + s.block, 51 - s.block);
        } else {
            ck_assert_int_eq(st, TLS12_OPEN_AUTH_FAILED);
        }
        tls12_protection_free(prot);
    }
}
END_TEST

/* Skipping is a no-op where nothing is chained: AEAD and explicit IVs. */
START_TEST(test_skip_changes_nothing_elsewhere)
{
    randoms_init();
    plain_init();
    for (size_t k = 0; k < FAMILIES_N; k++) {
        const struct family *f = &families[k];
        if (f->version == 0x0301) {
            continue;
        }
        struct sealer s;
        sealer_init(&s, f, true);
        struct tls12_protection *prot = opener(f, true);
        size_t n = seal(&s, seq_for(f, 0), TYPE_APPLICATION_DATA, f->version, plain_sample, 64,
                        sealed);
        tls12_skip_record(prot, cur_make(sealed, n));
        tls12_skip_record(prot, cur_make(sealed, 3));
        n = seal(&s, seq_for(f, 1), TYPE_ALERT, f->version, plain_sample, 2, sealed);
        size_t out_len = 0;
        ck_assert_int_eq(tls12_open_record(prot, seq_for(f, 1), TYPE_ALERT, f->version,
                                           cur_make(sealed, n), opened, sizeof(opened),
                                           &out_len),
                         TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 2);
        tls12_protection_free(prot);
    }
}
END_TEST

/* RFC 6347 4.1.2.1: the additional data / MAC input of DTLS has epoch and sequence number in
 * place of TLS's sequence number, and the DTLS version. */
START_TEST(test_dtls_additional_data)
{
    randoms_init();
    plain_init();
    for (size_t k = 0; k < FAMILIES_N; k++) {
        const struct family *f = &families[k];
        if ((f->version & 0xff00) != 0xfe00) {
            continue;
        }
        struct sealer s;
        sealer_init(&s, f, true);
        struct tls12_protection *prot = opener(f, true);
        uint64_t seq = (1ull << 48) | 5;
        size_t n = seal(&s, seq, TYPE_HANDSHAKE, f->version, plain_sample, 16, sealed);
        size_t out_len = 0;
        struct cursor frag = cur_make(sealed, n);
        ck_assert_int_eq(tls12_open_record(prot, 5, TYPE_HANDSHAKE, f->version, frag, opened,
                                           sizeof(opened), &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        ck_assert_int_eq(tls12_open_record(prot, (2ull << 48) | 5, TYPE_HANDSHAKE, f->version,
                                           frag, opened, sizeof(opened), &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        ck_assert_int_eq(tls12_open_record(prot, seq, TYPE_HANDSHAKE, 0x0303, frag, opened,
                                           sizeof(opened), &out_len),
                         TLS12_OPEN_AUTH_FAILED);
        ck_assert_int_eq(tls12_open_record(prot, seq, TYPE_HANDSHAKE, f->version, frag, opened,
                                           sizeof(opened), &out_len),
                         TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 16);
        tls12_protection_free(prot);
    }
}
END_TEST

/* ---- real records from OpenSSL 3.0 (see the top of this file) ---- */

struct capture {
    const char *label;
    uint16_t version, suite;
    bool etm;
    const char *master, *client_random, *server_random;
    const char *client_records[4]; /* protected fragments, client side, from seq 0 */
    const char *server_records[2];
};

static const struct capture captures[] = {
    {"ECDHE-RSA-AES128-GCM-SHA256", 0x0303, 0xc02f, false,
     "d9f66af6acb58e5412c1786f979862b9fb18e84074067c07f012864e918e7dd57fdb9b39be70e64b60ff486f8"
     "89435b7",
     "bb8800accef8c876b30a1896536da650abb86879f1ae3661068e368716609aa4",
     "3cce0b079136508078628ad63ba1a9a03f1a4a87dcd95ddb444f574e47524401",
     {"15c046837b1f32f2cdb6ec576ba258abe86fcd28bd9445e5a0aca682cd9b6ae308af88bcab7d8a61",
      "15c046837b1f32f3c417eea9e4907c9935a5b5eb7ba475b79eba126ef07a",
      "15c046837b1f32f463b01d369f15214e6962d52048eee509cfc9", NULL},
     {"18441744da00628cf18e2b198a7be855bf7271a06ef0b2faa7593490aa2acc079877c6cd341eeb16",
      "18441744da00628d38822e94d8463221964858637c043029f67c"}},
    {"ECDHE-RSA-AES128-SHA256 encrypt_then_mac", 0x0303, 0xc027, true,
     "89c42a8811760dedc6419b2372dbd935dca999fede2e6d8b4086880a0233bfb0671c5910b4c78d4d2fc5ef5e8"
     "39c6fed",
     "3cb69ca79e4e84208f97480888c714f4d8f7c5c0a086645a8050aa3f0a8a9bfd",
     "4d40afa0fd9948f4833f361dc4d87b8f9ecf24f9e788dbac444f574e47524401",
     {"b4fa111fa1d2f9b609e6fc3c394ccfdc86664d8e576447161e0d3f2df3473997e1050f94ec4a8f6e64ffa67d6"
      "c15cb53528fd8b2f634287914eaeff82556699c9cce5eb897b0aa3d444a04686a7da043",
      "6a061f5a4a701d762d1bfeee13979c98dddddad314d8cce070f9b0343cce5149ae8c0fdf4e11abbe82e95dd96"
      "35dc75eb5ddaf4b5d59f5c36544c2020d4b6103",
      "90d70dcd3604d6b243b725c3f1eaa958b150a048c573c7303a5ba84b6236951ebee09609f2825b091e4e29f5c"
      "bf31b4a80668219f832961ee8db319d8fdbfa57",
      NULL},
     {"b56208cc97a38d8adb23a0bfb690021ae3961eaa6aed091d41a485a1ffd62dbc99a5dd528fd9973964f50645f"
      "01b6345ef619301bf2f9165d30332a81be57000a7ed5d7095976f866e19996888cd7eb4",
      "a9c80306e0642b617c2f99e3e2367a62aa13901dae0d4bf98a3bd40594db473dc0b8aabeab60fe46bfea7d777"
      "4b97de2617994a253b9893025b27d4af6c9864f"}},
    {"ECDHE-RSA-AES128-SHA256 -no_etm", 0x0303, 0xc027, false,
     "ce23b18a6198d4c122db31dfff6fdee090399cf7306ad6da54e3367c15e8044793541b7552feda23f5fa238a1"
     "990f13d",
     "11bb1fb169ebca4252a0a6d516d8ce758b3c55c71b6e4979b9f65c883855f737",
     "eb71f63dae8297652fe8c18c682427b968265d2ea2fec387444f574e47524401",
     {"cab3273ebdec6ecf6246c9d08f88bc0501dfe7337f258f88f61cbc4d4b203c758467e15c5ab1a541fcc81c968"
      "4345a444ce0326a4f872c964db5bcafc3a07798be26b5c3a8219cf54e0fe0ca85409070",
      "ee683025e194f43ea398448db43f399b4fbc911f3d5eced09514ef3a80a0788cd7c88c52dc7e352bdb7f2bdac"
      "d9a511a7bd480a7fdd49ca0a69ac258b62efa2f",
      "b3f5c624754ddeee3ddf927df716eb918c547f31e2ca23f5156146f63d8542687b3b419629047d12ab18a940d"
      "1fd4793c365ac10659d0627544073fe09cdc864",
      NULL},
     {"f7e3fa09d209a8543e4b145f20dd2592d3a7969d47725ed7f1e88af9a2afb864814396505db94dbb1c2688f35"
      "35fcdb3a00264c887b5cdbbef991ce79eeac4e6303171f9e3c6a1c3d23a7bb6521b3310",
      "7b0b95a3fbfeef58df5ae9097548d72d68b139b2975b264d88c349f34a8d1984e8b74b2b3ecee52b18ca2edb1"
      "1079de79684ac30b17fb1cb2614e9e755def414"}},
    {"ECDHE-RSA-CHACHA20-POLY1305", 0x0303, 0xcca8, false,
     "22211db943ef45ccdd9224e884eaa5616ce5a98257ccff0dda3b4b1eed531088443e3b88bba3ed298e476bd02"
     "e48a12c",
     "8c56e00eb19d8a839627431993f02c15d3d3d6ae18742bf00f4c426a12bfd898",
     "a80738a5cea40ecc15c1f20319d90eb34196b7cca34409d4444f574e47524401",
     {"0cc49862ae9f307584d2c3db0ec5d3128783316faec638c2a543cb628f22ec83",
      "7cc0ff34d7d8844c50b0500afd9205211a4ee3fd1921", "b51e8ffb4e2cb2baab0db3a41ffb4ca03247",
      NULL},
     {"7d0f1cfe62beee713679edcc3e3d01d0c67f6e8ff7cd84ce860f16efe9f07928",
      "b8cba47227c92d9b64dbead33bcdcc7e6a24"}},
    /* TLS 1.0, RSA key exchange; the client sends an empty record before "hello\n" */
    {"TLS 1.0 AES128-SHA", 0x0301, 0x002f, false,
     "dff5a0e201c9d9b4849fe1c00b010e3f0f774791f85c7ed411499ee45beedece226311b1eff351a24cfa80e6f"
     "9abbe00",
     "13dcecacedbebb7767deeca9b45669f5ee78a7cd953508cf260d84da9e2a5230",
     "608e905b8217f62a9cafb51086f9c710462856c1556a57a3bbbc86b393dcc1d9",
     {"241e21d4acf8082ec968d1305386ad0adb8341c63b3b59ed661600830cdb950ed237565c75bdcf39ecb6d0725"
      "5f06148",
      "07f5b7e114f782247227370411dfe0d029aa317d132e46afdea8dc79a66de360",
      "a682c525aed702ce799e1b4fcd3908ea2ce25922bbccfb25e1f502241ac05c39",
      "692af8868df1b570ec57528c455e88bcfa2296907cecbdf7fe943e0390e96556"},
     {"e9e76204ae29fa451a80ed731c85a437058800b3862d216a5700f2697a71e85e365f8de46e62ba5869cc696f2"
      "6e4f7a9",
      "bd9ecc83617aaad10a0bbea73efb88f8b36d71aff0c66c0f169dceacb2d6f2c0"}},
};
#define CAPTURES_N (sizeof(captures) / sizeof(captures[0]))

static struct tls12_protection *capture_protection(const struct capture *c, bool from_client)
{
    uint8_t m[TLS12_MASTER_SECRET_LEN], cr[TLS12_RANDOM_LEN], sr[TLS12_RANDOM_LEN];
    unhex_exact(c->master, m, sizeof(m));
    unhex_exact(c->client_random, cr, sizeof(cr));
    unhex_exact(c->server_random, sr, sizeof(sr));
    ck_assert(tls12_suite_supported(c->version, c->suite));
    struct tls12_protection *prot =
        tls12_protection_new(c->version, c->suite, c->etm, m, cr, sr, from_client);
    ck_assert_ptr_nonnull(prot);
    return prot;
}

static enum tls12_open_status capture_open(struct tls12_protection *prot,
                                           const struct capture *c, uint64_t seq, uint8_t type,
                                           const char *hex, size_t *out_len)
{
    size_t n;
    uint8_t *frag = vec_unhex(hex, &n);
    enum tls12_open_status st = tls12_open_record(prot, seq, type, c->version,
                                                  cur_make(frag, n), opened, sizeof(opened),
                                                  out_len);
    free(frag);
    return st;
}

static void assert_finished(const uint8_t *plain, size_t len)
{
    /* RFC 5246 7.4.9: HandshakeType finished(20), uint24 length 12, verify_data[12] */
    static const uint8_t head[] = {20, 0, 0, 12};
    ck_assert_uint_eq(len, 16);
    ck_assert_mem_eq(plain, head, sizeof(head));
}

START_TEST(test_real_openssl_records)
{
    const struct capture *c = &captures[_i];
    static const uint8_t close_notify[] = {1, 0}; /* RFC 5246 7.2: warning(1), close_notify(0) */
    size_t out_len = 0;
    struct tls12_protection *client = capture_protection(c, true);
    ck_assert_msg(capture_open(client, c, 0, TYPE_HANDSHAKE, c->client_records[0], &out_len) ==
                      TLS12_OPEN_OK,
                  "%s client Finished", c->label);
    assert_finished(opened, out_len);
    if (c->version == 0x0301) {
        /* an empty application data record first (OpenSSL's countermeasure to the chained
         * IV attack on TLS 1.0 CBC), then "hello\n", then close_notify */
        ck_assert_int_eq(
            capture_open(client, c, 1, TYPE_APPLICATION_DATA, c->client_records[1], &out_len),
            TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 0);
        ck_assert_int_eq(
            capture_open(client, c, 2, TYPE_APPLICATION_DATA, c->client_records[2], &out_len),
            TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 6);
        ck_assert_mem_eq(opened, "hello\n", 6);
        ck_assert_int_eq(capture_open(client, c, 3, TYPE_ALERT, c->client_records[3], &out_len),
                         TLS12_OPEN_OK);
    } else {
        ck_assert_int_eq(
            capture_open(client, c, 1, TYPE_APPLICATION_DATA, c->client_records[1], &out_len),
            TLS12_OPEN_OK);
        ck_assert_uint_eq(out_len, 6);
        ck_assert_mem_eq(opened, "hello\n", 6);
        ck_assert_int_eq(capture_open(client, c, 2, TYPE_ALERT, c->client_records[2], &out_len),
                         TLS12_OPEN_OK);
    }
    ck_assert_uint_eq(out_len, 2);
    ck_assert_mem_eq(opened, close_notify, 2);
    tls12_protection_free(client);

    struct tls12_protection *server = capture_protection(c, false);
    ck_assert_msg(capture_open(server, c, 0, TYPE_HANDSHAKE, c->server_records[0], &out_len) ==
                      TLS12_OPEN_OK,
                  "%s server Finished", c->label);
    assert_finished(opened, out_len);
    ck_assert_int_eq(capture_open(server, c, 1, TYPE_ALERT, c->server_records[1], &out_len),
                     TLS12_OPEN_OK);
    ck_assert_uint_eq(out_len, 2);
    ck_assert_mem_eq(opened, close_notify, 2);
    tls12_protection_free(server);

    /* the other side's keys, or the other encrypt_then_mac choice, do not open it */
    struct tls12_protection *wrong = capture_protection(c, false);
    ck_assert_int_eq(capture_open(wrong, c, 0, TYPE_HANDSHAKE, c->client_records[0], &out_len),
                     TLS12_OPEN_AUTH_FAILED);
    tls12_protection_free(wrong);
}
END_TEST

/* TLS 1.0: the client's application data opened after its Finished and the empty record were
 * skipped unread. */
START_TEST(test_real_tls10_skip_finished)
{
    const struct capture *c = &captures[CAPTURES_N - 1];
    ck_assert_uint_eq(c->version, 0x0301);
    struct tls12_protection *client = capture_protection(c, true);
    size_t out_len = 0;
    for (size_t i = 0; i < 2; i++) {
        size_t n;
        uint8_t *frag = vec_unhex(c->client_records[i], &n);
        tls12_skip_record(client, cur_make(frag, n));
        free(frag);
    }
    ck_assert_int_eq(
        capture_open(client, c, 2, TYPE_APPLICATION_DATA, c->client_records[2], &out_len),
        TLS12_OPEN_OK);
    ck_assert_uint_eq(out_len, 6);
    ck_assert_mem_eq(opened, "hello\n", 6);
    tls12_protection_free(client);
}
END_TEST

Suite *suite_tls12_keys(void)
{
    Suite *s = suite_create("tls12_keys");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_prf_sha256_known_answer);
    tcase_add_test(tc, test_prf_md5_sha1_spelt_out);
    tcase_add_test(tc, test_suites_supported);
    tcase_add_loop_test(tc, test_round_trip, 0, (int)FAMILIES_N);
    tcase_add_loop_test(tc, test_tamper, 0, (int)FAMILIES_N);
    tcase_add_loop_test(tc, test_short_and_no_room, 0, (int)FAMILIES_N);
    tcase_add_loop_test(tc, test_cbc_bad_padding, 0, (int)FAMILIES_N);
    tcase_add_test(tc, test_tls10_chained_iv_across_skip);
    tcase_add_test(tc, test_skip_changes_nothing_elsewhere);
    tcase_add_test(tc, test_dtls_additional_data);
    tcase_add_loop_test(tc, test_real_openssl_records, 0, (int)CAPTURES_N);
    tcase_add_test(tc, test_real_tls10_skip_finished);
    suite_add_tcase(s, tc);
    return s;
}
