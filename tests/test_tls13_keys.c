/* Tests for dissectors/crypto/tls13_keys.c: the TLS 1.3 record protection layer.
 *
 * Known answers from RFC 8448 section 3 (Simple 1-RTT Handshake): traffic keys and IVs from
 * the handshake and application traffic secrets, and the protected records printed there
 * opened to the plaintext printed there. The hex strings below are the RFC's values, unchanged
 * ("derive secret ...: expanded", "construct ... handshake message", "send ... record:
 * complete record"). RFC 8448 has no ChaCha20, CCM or SHA-384 trace: for those the expected
 * keys and KeyUpdate secrets were computed outside libcrypto (Python's hmac, RFC 5869 and
 * RFC 8446 7.1 spelt out), and records are sealed here with EVP and opened by the code under
 * test. Then the failures: tampered tag, wrong sequence number, all-zero plaintext, every
 * prefix of a record, trailing bytes, a buffer too small. */
#include <check.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/tls13_keys.h"
#include "rfc8448.h"
#include "vectors.h"
#include "suites.h"

/* RFC 8448 section 3: "derive write traffic keys for ...: key expanded / iv expanded". */
static const char server_hs_key[] = "3fce516009c21727d0f2e4e86ee403bc";
static const char server_hs_iv[] = "5d313eb2671276ee13000b30";
static const char client_hs_key[] = "dbfaa693d1762c5b666af5d950258d01";
static const char client_hs_iv[] = "5bd3c71b836e0b76bb73265f";
static const char server_ap_key[] = "9f02283b6c9c07efc26bb9f2ac92e356";
static const char server_ap_iv[] = "cf782b88dd83549aadf1e984";
static const char client_ap_key[] = "17422dda596ed5d9acd890e3c63f5051";
static const char client_ap_iv[] = "5b78923dee08579033e523d9";

/* Computed outside libcrypto (see the top): rfc8448_server_ap_secret under TLS_CHACHA20_POLY1305_SHA256
 * (same hash, so the same iv, a 32-byte key) and its "traffic upd" successor. */
static const char chacha_ap_key[] =
    "848e80ab93efeb09c572c66873c184f99207c95b0fc817f91e8e7e8e14ac5ca9";
static const char server_ap_secret_1[] =
    "51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916";
/* The bytes 00..2f as a SHA-384 secret under TLS_AES_256_GCM_SHA384. */
static const char sha384_key[] =
    "6877d022f1c61d24ebb7487c16752d9a4798e40431c75b39320e537c90e23225";
static const char sha384_iv[] = "42822531a0fe88648fc09e9f";
static const char sha384_secret_1[] =
    "401331b63e9d59f202e8f041042d9516f4cd7fa2e2ee14631d3b49fc340d7af3"
    "7fc2c0c9f252d8036f81ec5b85cbe5db";

#define CONTENT_HANDSHAKE 22
#define CONTENT_APPLICATION_DATA 23


static void assert_hex(const uint8_t *got, size_t got_len, const char *hex)
{
    size_t len;
    uint8_t *want = vec_unhex(hex, &len);
    ck_assert_uint_eq(got_len, len);
    ck_assert_mem_eq(got, want, len);
    free(want);
}

static struct tls13_protection *protection_hex(uint16_t suite, const char *secret_hex)
{
    size_t len;
    uint8_t *secret = vec_unhex(secret_hex, &len);
    struct tls13_protection *prot = tls13_protection_new(suite, secret, len);
    free(secret);
    ck_assert_ptr_nonnull(prot);
    return prot;
}

static void assert_keys(uint16_t suite, const char *secret_hex, const char *key, const char *iv)
{
    size_t len;
    uint8_t *secret = vec_unhex(secret_hex, &len);
    struct tls13_traffic_keys keys;
    ck_assert(tls13_traffic_keys(suite, secret, len, &keys));
    assert_hex(keys.key, keys.key_len, key);
    assert_hex(keys.iv, TLS13_IV_LEN, iv);
    free(secret);
}

/* Opens the record (hex) at seq and checks the content type and the content (hex parts). */
static void assert_opens(uint16_t suite, const char *secret_hex, uint64_t seq,
                         const char *record_hex, uint8_t type, const char *const *parts)
{
    struct tls13_protection *prot = protection_hex(suite, secret_hex);
    size_t len;
    uint8_t *record = vec_unhex(record_hex, &len);
    static uint8_t out[TLS13_PLAINTEXT_MAX];
    struct tls13_plaintext pt = {0, 0};
    ck_assert_int_eq(tls13_open_record(prot, seq, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_OK);
    ck_assert_uint_eq(pt.content_type, type);
    size_t at = 0;
    for (size_t i = 0; parts[i] != NULL; i++) {
        size_t part_len;
        uint8_t *part = vec_unhex(parts[i], &part_len);
        ck_assert_uint_le(at + part_len, pt.len);
        ck_assert_mem_eq(out + at, part, part_len);
        at += part_len;
        free(part);
    }
    ck_assert_uint_eq(at, pt.len);
    free(record);
    tls13_protection_free(prot);
}

/* RFC 8448 section 3: "send application_data record: payload" is the bytes 00..31. */
static const char app_payload[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f3031";

START_TEST(test_rfc8448_keys)
{
    assert_keys(TLS13_AES_128_GCM_SHA256, rfc8448_server_hs_secret, server_hs_key, server_hs_iv);
    assert_keys(TLS13_AES_128_GCM_SHA256, rfc8448_client_hs_secret, client_hs_key, client_hs_iv);
    assert_keys(TLS13_AES_128_GCM_SHA256, rfc8448_server_ap_secret, server_ap_key, server_ap_iv);
    assert_keys(TLS13_AES_128_GCM_SHA256, rfc8448_client_ap_secret, client_ap_key, client_ap_iv);
}
END_TEST

START_TEST(test_rfc8448_server_flight)
{
    /* EncryptedExtensions, Certificate, CertificateVerify, Finished in one record, seq 0 */
    const char *const parts[] = {rfc8448_encrypted_extensions, rfc8448_certificate, rfc8448_certificate_verify,
                                 rfc8448_server_finished, NULL};
    assert_opens(TLS13_AES_128_GCM_SHA256, rfc8448_server_hs_secret, 0, rfc8448_server_flight_record,
                 CONTENT_HANDSHAKE, parts);
}
END_TEST

START_TEST(test_rfc8448_client_finished)
{
    const char *const parts[] = {rfc8448_client_finished, NULL};
    assert_opens(TLS13_AES_128_GCM_SHA256, rfc8448_client_hs_secret, 0, rfc8448_client_finished_record,
                 CONTENT_HANDSHAKE, parts);
}
END_TEST

START_TEST(test_rfc8448_application_data)
{
    const char *const parts[] = {app_payload, NULL};
    /* the server's NewSessionTicket took sequence number 0 of its application keys */
    assert_opens(TLS13_AES_128_GCM_SHA256, rfc8448_server_ap_secret, 1, rfc8448_server_app_record,
                 CONTENT_APPLICATION_DATA, parts);
    assert_opens(TLS13_AES_128_GCM_SHA256, rfc8448_client_ap_secret, 0, rfc8448_client_app_record,
                 CONTENT_APPLICATION_DATA, parts);
}
END_TEST

START_TEST(test_other_suites_keys)
{
    assert_keys(TLS13_CHACHA20_POLY1305_SHA256, rfc8448_server_ap_secret, chacha_ap_key, server_ap_iv);
    /* CCM and CCM_8 derive exactly as AES-128-GCM does (SHA-256, 16-byte key) */
    assert_keys(TLS13_AES_128_CCM_SHA256, rfc8448_server_ap_secret, server_ap_key, server_ap_iv);
    assert_keys(TLS13_AES_128_CCM_8_SHA256, rfc8448_server_ap_secret, server_ap_key, server_ap_iv);
    char secret48[2 * 48 + 1];
    for (int i = 0; i < 48; i++) {
        snprintf(secret48 + 2 * i, 3, "%02x", i);
    }
    assert_keys(TLS13_AES_256_GCM_SHA384, secret48, sha384_key, sha384_iv);

    size_t len;
    uint8_t *secret = vec_unhex(secret48, &len);
    uint8_t next[TLS13_SECRET_MAX];
    ck_assert(tls13_next_secret(TLS13_AES_256_GCM_SHA384, secret, len, next));
    assert_hex(next, 48, sha384_secret_1);
    free(secret);
    secret = vec_unhex(rfc8448_server_ap_secret, &len);
    ck_assert(tls13_next_secret(TLS13_AES_128_GCM_SHA256, secret, len, next));
    assert_hex(next, 32, server_ap_secret_1);
    free(secret);
}
END_TEST

START_TEST(test_unknown_suite_and_bad_secret)
{
    uint8_t secret[TLS13_SECRET_MAX] = {1};
    struct tls13_traffic_keys keys;
    ck_assert(!tls13_suite_known(0x1306));
    ck_assert(!tls13_suite_known(0xc02f));
    ck_assert_uint_eq(tls13_secret_len(0x1306), 0);
    ck_assert_uint_eq(tls13_secret_len(TLS13_AES_256_GCM_SHA384), 48);
    ck_assert_ptr_null(tls13_protection_new(0x1306, secret, 32));
    ck_assert_ptr_null(tls13_protection_new(TLS13_AES_128_GCM_SHA256, secret, 48));
    ck_assert_ptr_null(tls13_protection_new(TLS13_AES_256_GCM_SHA384, secret, 32));
    ck_assert(!tls13_traffic_keys(TLS13_AES_128_GCM_SHA256, secret, 31, &keys));
    tls13_protection_free(NULL);
}
END_TEST

/* Seals inner (content, type byte and padding already in it) as a record with the keys of
 * secret: the sender's side, done here with EVP directly. Returns the record's length. */
static size_t seal_record(uint16_t suite, const uint8_t *secret, size_t secret_len, uint64_t seq,
                          const uint8_t *inner, size_t inner_len, uint8_t *record)
{
    struct tls13_traffic_keys keys;
    ck_assert(tls13_traffic_keys(suite, secret, secret_len, &keys));
    bool ccm = suite == TLS13_AES_128_CCM_SHA256 || suite == TLS13_AES_128_CCM_8_SHA256;
    int tag_len = suite == TLS13_AES_128_CCM_8_SHA256 ? 8 : 16;
    const EVP_CIPHER *cipher = suite == TLS13_AES_256_GCM_SHA384 ? EVP_aes_256_gcm()
                               : suite == TLS13_CHACHA20_POLY1305_SHA256 ? EVP_chacha20_poly1305()
                               : ccm ? EVP_aes_128_ccm()
                                     : EVP_aes_128_gcm();
    size_t length = inner_len + (size_t)tag_len;
    uint8_t header[5] = {CONTENT_APPLICATION_DATA, 0x03, 0x03, (uint8_t)(length >> 8),
                         (uint8_t)length};
    memcpy(record, header, 5);
    uint8_t nonce[TLS13_IV_LEN];
    memcpy(nonce, keys.iv, TLS13_IV_LEN);
    for (int i = 0; i < 8; i++) {
        nonce[TLS13_IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    ck_assert_int_eq(EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL), 1);
    ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL), 1);
    if (ccm) {
        ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_len, NULL), 1);
    }
    ck_assert_int_eq(EVP_EncryptInit_ex(ctx, NULL, NULL, keys.key, nonce), 1);
    if (ccm) {
        ck_assert_int_eq(EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)inner_len), 1);
    }
    ck_assert_int_eq(EVP_EncryptUpdate(ctx, NULL, &n, header, 5), 1);
    ck_assert_int_eq(EVP_EncryptUpdate(ctx, record + 5, &n, inner, (int)inner_len), 1);
    ck_assert_int_eq(EVP_EncryptFinal_ex(ctx, record + 5 + n, &m), 1);
    ck_assert_uint_eq((size_t)(n + m), inner_len);
    ck_assert_int_eq(
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, tag_len, record + 5 + inner_len), 1);
    EVP_CIPHER_CTX_free(ctx);
    return 5 + length;
}

static const uint16_t all_suites[] = {TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
                                      TLS13_CHACHA20_POLY1305_SHA256, TLS13_AES_128_CCM_SHA256,
                                      TLS13_AES_128_CCM_8_SHA256};

/* Every suite: an alert with padding, at sequence 0 and 2^32 + 5, opens to its content; one
 * flipped tag bit and a neighbouring sequence number fail authentication. */
START_TEST(test_round_trip_all_suites)
{
    uint16_t suite = all_suites[_i];
    uint8_t secret[TLS13_SECRET_MAX];
    for (size_t i = 0; i < sizeof(secret); i++) {
        secret[i] = (uint8_t)(0xa0 + i);
    }
    size_t secret_len = tls13_secret_len(suite);
    /* alert(21) close_notify, then type 21 and seven bytes of padding */
    const uint8_t inner[] = {1, 0, 21, 0, 0, 0, 0, 0, 0, 0};
    const uint64_t seqs[] = {0, ((uint64_t)1 << 32) + 5};
    struct tls13_protection *prot = tls13_protection_new(suite, secret, secret_len);
    ck_assert_ptr_nonnull(prot);
    for (size_t k = 0; k < 2; k++) {
        uint8_t record[64], out[64];
        size_t len = seal_record(suite, secret, secret_len, seqs[k], inner, sizeof(inner), record);
        struct tls13_plaintext pt = {0, 0};
        ck_assert_int_eq(tls13_open_record(prot, seqs[k], cur_make(record, len), out,
                                           sizeof(out), &pt),
                         TLS13_OPEN_OK);
        ck_assert_uint_eq(pt.content_type, 21);
        ck_assert_uint_eq(pt.len, 2);
        ck_assert_uint_eq(out[0], 1);
        ck_assert_uint_eq(out[1], 0);
        ck_assert_int_eq(tls13_open_record(prot, seqs[k] + 1, cur_make(record, len), out,
                                           sizeof(out), &pt),
                         TLS13_OPEN_AUTH_FAILED);
        record[len - 1] ^= 0x01;
        ck_assert_int_eq(tls13_open_record(prot, seqs[k], cur_make(record, len), out,
                                           sizeof(out), &pt),
                         TLS13_OPEN_AUTH_FAILED);
        /* no unauthenticated byte left behind */
        for (size_t i = 0; i < sizeof(inner); i++) {
            ck_assert_uint_eq(out[i], 0);
        }
        record[len - 1] ^= 0x01;
        /* the context still works after a failure */
        ck_assert_int_eq(tls13_open_record(prot, seqs[k], cur_make(record, len), out,
                                           sizeof(out), &pt),
                         TLS13_OPEN_OK);
    }
    tls13_protection_free(prot);
}
END_TEST

/* The inner type read from the keystream of the last bytes (tls13_peek_inner_type) is the one
 * the full open finds, for every suite, content lengths on both sides of the AES (16) and
 * ChaCha20 (64) block boundaries, padding that fills whole blocks, and sequence numbers past
 * 2^32; after tls13_protection_reset (the next phase's secret in the same context) the peek
 * follows the new keys. An all-zero plaintext has no type to peek. */
START_TEST(test_peek_inner_type_all_suites)
{
    uint16_t suite = all_suites[_i];
    uint8_t secret[TLS13_SECRET_MAX], next[TLS13_SECRET_MAX];
    for (size_t i = 0; i < sizeof(secret); i++) {
        secret[i] = (uint8_t)(0x31 * i + 7);
        next[i] = (uint8_t)(0x57 * i + 3);
    }
    size_t secret_len = tls13_secret_len(suite);
    struct tls13_protection *prot = tls13_protection_new(suite, secret, secret_len);
    ck_assert_ptr_nonnull(prot);
    static const size_t contents[] = {0, 1, 14, 15, 16, 17, 62, 63, 64, 65, 200, 8191};
    static const size_t paddings[] = {0, 1, 16, 64, 100};
    static const uint8_t types[] = {23, 22, 21};
    static uint8_t inner[8192 + 1 + 100], record[8192 + 1 + 100 + 64], out[8192 + 1 + 100];
    for (size_t phase = 0; phase < 2; phase++) {
        const uint8_t *key = phase == 0 ? secret : next;
        for (size_t c = 0; c < sizeof(contents) / sizeof(contents[0]); c++) {
            for (size_t p = 0; p < sizeof(paddings) / sizeof(paddings[0]); p++) {
                uint8_t type = types[(c + p) % 3];
                size_t n = contents[c];
                for (size_t i = 0; i < n; i++) {
                    inner[i] = (uint8_t)(i * 7 + 1); /* content may end in zeros too */
                }
                if (n > 0) {
                    inner[n - 1] = 0;
                }
                inner[n] = type;
                memset(inner + n + 1, 0, paddings[p]);
                size_t inner_len = n + 1 + paddings[p];
                uint64_t seq = ((uint64_t)1 << 32) + c * 7 + p;
                size_t len = seal_record(suite, key, secret_len, seq, inner, inner_len, record);
                uint8_t peeked = 0;
                ck_assert(tls13_peek_inner_type(prot, seq, cur_make(record, len), &peeked));
                ck_assert_uint_eq(peeked, type);
                struct tls13_plaintext pt = {0, 0};
                ck_assert_int_eq(tls13_open_record(prot, seq, cur_make(record, len), out,
                                                   sizeof(out), &pt),
                                 TLS13_OPEN_OK);
                ck_assert_uint_eq(pt.content_type, peeked);
                /* a cut record is not one whole TLSCiphertext */
                ck_assert(!tls13_peek_inner_type(prot, seq, cur_make(record, len - 1), &peeked));
            }
        }
        ck_assert(tls13_protection_reset(prot, suite, next, secret_len));
    }
    /* all zeros: no type */
    memset(inner, 0, 40);
    size_t len = seal_record(suite, next, secret_len, 9, inner, 40, record);
    uint8_t peeked = 0;
    ck_assert(!tls13_peek_inner_type(prot, 9, cur_make(record, len), &peeked));
    /* another suite's context is not reset (same secret length or not) */
    uint16_t other = suite == TLS13_AES_128_GCM_SHA256 ? TLS13_CHACHA20_POLY1305_SHA256
                                                      : TLS13_AES_128_GCM_SHA256;
    ck_assert(!tls13_protection_reset(prot, other, secret, tls13_secret_len(other)));
    ck_assert(!tls13_protection_reset(prot, suite, secret, secret_len - 1));
    tls13_protection_free(prot);
}
END_TEST

/* KeyUpdate: after tls13_protection_update the context opens what the next secret sealed,
 * and no longer what the old one sealed. */
START_TEST(test_key_update)
{
    uint16_t suite = all_suites[_i];
    uint8_t secret[TLS13_SECRET_MAX], next[TLS13_SECRET_MAX];
    for (size_t i = 0; i < sizeof(secret); i++) {
        secret[i] = (uint8_t)(7 * i);
    }
    size_t secret_len = tls13_secret_len(suite);
    ck_assert(tls13_next_secret(suite, secret, secret_len, next));
    const uint8_t inner[] = {'h', 'i', CONTENT_APPLICATION_DATA};
    uint8_t old_record[64], new_record[64], out[64];
    size_t old_len = seal_record(suite, secret, secret_len, 0, inner, sizeof(inner), old_record);
    size_t new_len = seal_record(suite, next, secret_len, 0, inner, sizeof(inner), new_record);
    struct tls13_protection *prot = tls13_protection_new(suite, secret, secret_len);
    struct tls13_plaintext pt;
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(new_record, new_len), out, sizeof(out),
                                       &pt),
                     TLS13_OPEN_AUTH_FAILED);
    ck_assert(tls13_protection_update(prot));
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(old_record, old_len), out, sizeof(out),
                                       &pt),
                     TLS13_OPEN_AUTH_FAILED);
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(new_record, new_len), out, sizeof(out),
                                       &pt),
                     TLS13_OPEN_OK);
    ck_assert_uint_eq(pt.content_type, CONTENT_APPLICATION_DATA);
    ck_assert_uint_eq(pt.len, 2);
    ck_assert_mem_eq(out, "hi", 2);
    tls13_protection_free(prot);
}
END_TEST

START_TEST(test_all_zero_plaintext)
{
    uint16_t suite = all_suites[_i];
    uint8_t secret[TLS13_SECRET_MAX] = {0x42};
    size_t secret_len = tls13_secret_len(suite);
    const uint8_t zeros[9] = {0};
    uint8_t record[64], out[64];
    struct tls13_plaintext pt = {99, 99};
    struct tls13_protection *prot = tls13_protection_new(suite, secret, secret_len);
    for (size_t n = 1; n <= sizeof(zeros); n++) {
        size_t len = seal_record(suite, secret, secret_len, 3, zeros, n, record);
        ck_assert_int_eq(tls13_open_record(prot, 3, cur_make(record, len), out, sizeof(out), &pt),
                         TLS13_OPEN_NO_CONTENT);
    }
    ck_assert_uint_eq(pt.content_type, 99);
    ck_assert_uint_eq(pt.len, 99);
    tls13_protection_free(prot);
}
END_TEST

START_TEST(test_rfc8448_tampered_and_wrong_sequence)
{
    struct tls13_protection *prot = protection_hex(TLS13_AES_128_GCM_SHA256, rfc8448_server_hs_secret);
    size_t len;
    uint8_t *record = vec_unhex(rfc8448_server_flight_record, &len);
    static uint8_t out[TLS13_PLAINTEXT_MAX];
    struct tls13_plaintext pt;
    ck_assert_int_eq(tls13_open_record(prot, 1, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_AUTH_FAILED);
    record[len - 1] ^= 0x80; /* in the tag */
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_AUTH_FAILED);
    record[len - 1] ^= 0x80;
    record[100] ^= 0x01; /* in the ciphertext */
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_AUTH_FAILED);
    record[100] ^= 0x01;
    record[2] = 0x01; /* the header is additional data: legacy_record_version 0x0301 */
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_AUTH_FAILED);
    record[2] = 0x03;
    record[0] = CONTENT_HANDSHAKE; /* not a protected record at all */
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_MALFORMED);
    record[0] = CONTENT_APPLICATION_DATA;
    /* plaintext of 674 - 16 bytes does not fit in 657 */
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, 657, &pt),
                     TLS13_OPEN_NO_ROOM);
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, 658, &pt),
                     TLS13_OPEN_OK);
    free(record);
    tls13_protection_free(prot);
}
END_TEST

/* Every shortened copy of the RFC 8448 server record (each in a buffer of exactly its size)
 * is malformed; with its header length rewritten to match, it fails authentication; one
 * trailing byte is malformed too. */
START_TEST(test_every_prefix)
{
    struct tls13_protection *prot = protection_hex(TLS13_AES_128_GCM_SHA256, rfc8448_server_hs_secret);
    size_t len;
    uint8_t *record = vec_unhex(rfc8448_server_flight_record, &len);
    static uint8_t out[TLS13_PLAINTEXT_MAX];
    struct tls13_plaintext pt = {0, 0};
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n > 0 ? n : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, record, n);
        ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(copy, n), out, sizeof(out), &pt),
                         TLS13_OPEN_MALFORMED);
        if (n >= 5) {
            size_t body = n - 5;
            copy[3] = (uint8_t)(body >> 8);
            copy[4] = (uint8_t)body;
            ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(copy, n), out, sizeof(out), &pt),
                             body <= 16 ? TLS13_OPEN_MALFORMED : TLS13_OPEN_AUTH_FAILED);
        }
        free(copy);
    }
    uint8_t *longer = malloc(len + 1);
    ck_assert_ptr_nonnull(longer);
    memcpy(longer, record, len);
    longer[len] = 0;
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(longer, len + 1), out, sizeof(out), &pt),
                     TLS13_OPEN_MALFORMED);
    ck_assert_uint_eq(pt.content_type, 0);
    free(longer);
    free(record);
    tls13_protection_free(prot);
}
END_TEST

/* RFC 8446 5.2: a length above 2^14 + 256 is malformed whatever follows. */
START_TEST(test_overlong_record)
{
    uint8_t secret[32] = {0};
    struct tls13_protection *prot = tls13_protection_new(TLS13_AES_128_GCM_SHA256, secret, 32);
    size_t len = 5 + TLS13_CIPHERTEXT_MAX + 1;
    uint8_t *record = calloc(1, len);
    ck_assert_ptr_nonnull(record);
    record[0] = CONTENT_APPLICATION_DATA;
    record[1] = 3;
    record[2] = 3;
    record[3] = (uint8_t)((len - 5) >> 8);
    record[4] = (uint8_t)(len - 5);
    static uint8_t out[TLS13_CIPHERTEXT_MAX + 1];
    struct tls13_plaintext pt;
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_MALFORMED);
    /* at the limit it is a record, only not an authentic one */
    record[4] = (uint8_t)(len - 6);
    ck_assert_int_eq(tls13_open_record(prot, 0, cur_make(record, len - 1), out, sizeof(out),
                                       &pt),
                     TLS13_OPEN_AUTH_FAILED);
    free(record);
    tls13_protection_free(prot);
}
END_TEST

Suite *suite_tls13_keys(void)
{
    Suite *s = suite_create("tls13_keys");
    TCase *tc = tcase_create("core");
    size_t suites_n = sizeof(all_suites) / sizeof(all_suites[0]);
    tcase_add_test(tc, test_rfc8448_keys);
    tcase_add_test(tc, test_rfc8448_server_flight);
    tcase_add_test(tc, test_rfc8448_client_finished);
    tcase_add_test(tc, test_rfc8448_application_data);
    tcase_add_test(tc, test_other_suites_keys);
    tcase_add_test(tc, test_unknown_suite_and_bad_secret);
    tcase_add_loop_test(tc, test_round_trip_all_suites, 0, (int)suites_n);
    tcase_add_loop_test(tc, test_key_update, 0, (int)suites_n);
    tcase_add_loop_test(tc, test_all_zero_plaintext, 0, (int)suites_n);
    tcase_add_test(tc, test_rfc8448_tampered_and_wrong_sequence);
    tcase_add_test(tc, test_every_prefix);
    tcase_add_test(tc, test_overlong_record);
    tcase_add_loop_test(tc, test_peek_inner_type_all_suites, 0,
                        (int)(sizeof(all_suites) / sizeof(all_suites[0])));
    suite_add_tcase(s, tc);
    return s;
}
