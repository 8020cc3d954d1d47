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
#include "suites.h"

static const char server_hs_secret[] =
    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";

static const char client_hs_secret[] =
    "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";

static const char server_ap_secret[] =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

static const char client_ap_secret[] =
    "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";

static const char encrypted_extensions[] =
    "080000240022000a00140012001d00170018001901000101010201030104001c"
    "0002400100000000";

static const char certificate[] =
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a"
    "864886f70d01010b0500300e310c300a06035504031303727361301e170d3136"
    "303733303031323335395a170d3236303733303031323335395a300e310c300a"
    "0603550403130372736130819f300d06092a864886f70d010101050003818d00"
    "30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826"
    "d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312"
    "0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480"
    "30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a"
    "8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355"
    "1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
    "b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"
    "8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102"
    "702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0"
    "a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000";

static const char certificate_verify[] =
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145a"
    "b3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248ee"
    "aaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c"
    "9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea2"
    "0d53dfacd42f74f3";

static const char server_finished[] =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454"
    "b78f0718";

static const char server_flight_record[] =
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35e"
    "df7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78"
    "b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b"
    "d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9"
    "d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e"
    "d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092"
    "8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead68694"
    "5ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b368"
    "4596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f"
    "4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26"
    "f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531"
    "7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e"
    "1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da"
    "8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4"
    "61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe"
    "5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb"
    "992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c859"
    "77b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038"
    "ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b84"
    "5e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5"
    "d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e"
    "750edc53370d2b";

static const char client_finished[] =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2"
    "edd5ce61";

static const char client_finished_record[] =
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc"
    "44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546";

static const char server_app_record[] =
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36"
    "e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf33254"
    "0dd032e167c2955d";

static const char client_app_record[] =
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f"
    "2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae6"
    "3aeebb21694915e4";
/* RFC 8448 section 3: "derive write traffic keys for ...: key expanded / iv expanded". */
static const char server_hs_key[] = "3fce516009c21727d0f2e4e86ee403bc";
static const char server_hs_iv[] = "5d313eb2671276ee13000b30";
static const char client_hs_key[] = "dbfaa693d1762c5b666af5d950258d01";
static const char client_hs_iv[] = "5bd3c71b836e0b76bb73265f";
static const char server_ap_key[] = "9f02283b6c9c07efc26bb9f2ac92e356";
static const char server_ap_iv[] = "cf782b88dd83549aadf1e984";
static const char client_ap_key[] = "17422dda596ed5d9acd890e3c63f5051";
static const char client_ap_iv[] = "5b78923dee08579033e523d9";

/* Computed outside libcrypto (see the top): server_ap_secret under TLS_CHACHA20_POLY1305_SHA256
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

/* Hex to freshly allocated bytes of exactly that length (so ASan sees any over-read). */
static uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n > 0 ? n : 1);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    *len = n;
    return out;
}

static void assert_hex(const uint8_t *got, size_t got_len, const char *hex)
{
    size_t len;
    uint8_t *want = unhex(hex, &len);
    ck_assert_uint_eq(got_len, len);
    ck_assert_mem_eq(got, want, len);
    free(want);
}

static struct tls13_protection *protection_hex(uint16_t suite, const char *secret_hex)
{
    size_t len;
    uint8_t *secret = unhex(secret_hex, &len);
    struct tls13_protection *prot = tls13_protection_new(suite, secret, len);
    free(secret);
    ck_assert_ptr_nonnull(prot);
    return prot;
}

static void assert_keys(uint16_t suite, const char *secret_hex, const char *key, const char *iv)
{
    size_t len;
    uint8_t *secret = unhex(secret_hex, &len);
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
    uint8_t *record = unhex(record_hex, &len);
    static uint8_t out[TLS13_PLAINTEXT_MAX];
    struct tls13_plaintext pt = {0, 0};
    ck_assert_int_eq(tls13_open_record(prot, seq, cur_make(record, len), out, sizeof(out), &pt),
                     TLS13_OPEN_OK);
    ck_assert_uint_eq(pt.content_type, type);
    size_t at = 0;
    for (size_t i = 0; parts[i] != NULL; i++) {
        size_t part_len;
        uint8_t *part = unhex(parts[i], &part_len);
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
    assert_keys(TLS13_AES_128_GCM_SHA256, server_hs_secret, server_hs_key, server_hs_iv);
    assert_keys(TLS13_AES_128_GCM_SHA256, client_hs_secret, client_hs_key, client_hs_iv);
    assert_keys(TLS13_AES_128_GCM_SHA256, server_ap_secret, server_ap_key, server_ap_iv);
    assert_keys(TLS13_AES_128_GCM_SHA256, client_ap_secret, client_ap_key, client_ap_iv);
}
END_TEST

START_TEST(test_rfc8448_server_flight)
{
    /* EncryptedExtensions, Certificate, CertificateVerify, Finished in one record, seq 0 */
    const char *const parts[] = {encrypted_extensions, certificate, certificate_verify,
                                 server_finished, NULL};
    assert_opens(TLS13_AES_128_GCM_SHA256, server_hs_secret, 0, server_flight_record,
                 CONTENT_HANDSHAKE, parts);
}
END_TEST

START_TEST(test_rfc8448_client_finished)
{
    const char *const parts[] = {client_finished, NULL};
    assert_opens(TLS13_AES_128_GCM_SHA256, client_hs_secret, 0, client_finished_record,
                 CONTENT_HANDSHAKE, parts);
}
END_TEST

START_TEST(test_rfc8448_application_data)
{
    const char *const parts[] = {app_payload, NULL};
    /* the server's NewSessionTicket took sequence number 0 of its application keys */
    assert_opens(TLS13_AES_128_GCM_SHA256, server_ap_secret, 1, server_app_record,
                 CONTENT_APPLICATION_DATA, parts);
    assert_opens(TLS13_AES_128_GCM_SHA256, client_ap_secret, 0, client_app_record,
                 CONTENT_APPLICATION_DATA, parts);
}
END_TEST

START_TEST(test_other_suites_keys)
{
    assert_keys(TLS13_CHACHA20_POLY1305_SHA256, server_ap_secret, chacha_ap_key, server_ap_iv);
    /* CCM and CCM_8 derive exactly as AES-128-GCM does (SHA-256, 16-byte key) */
    assert_keys(TLS13_AES_128_CCM_SHA256, server_ap_secret, server_ap_key, server_ap_iv);
    assert_keys(TLS13_AES_128_CCM_8_SHA256, server_ap_secret, server_ap_key, server_ap_iv);
    char secret48[2 * 48 + 1];
    for (int i = 0; i < 48; i++) {
        snprintf(secret48 + 2 * i, 3, "%02x", i);
    }
    assert_keys(TLS13_AES_256_GCM_SHA384, secret48, sha384_key, sha384_iv);

    size_t len;
    uint8_t *secret = unhex(secret48, &len);
    uint8_t next[TLS13_SECRET_MAX];
    ck_assert(tls13_next_secret(TLS13_AES_256_GCM_SHA384, secret, len, next));
    assert_hex(next, 48, sha384_secret_1);
    free(secret);
    secret = unhex(server_ap_secret, &len);
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
    struct tls13_protection *prot = protection_hex(TLS13_AES_128_GCM_SHA256, server_hs_secret);
    size_t len;
    uint8_t *record = unhex(server_flight_record, &len);
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
    struct tls13_protection *prot = protection_hex(TLS13_AES_128_GCM_SHA256, server_hs_secret);
    size_t len;
    uint8_t *record = unhex(server_flight_record, &len);
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
    suite_add_tcase(s, tc);
    return s;
}
