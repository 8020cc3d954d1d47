/* Tests for dissectors/tls/hello.c and extensions.c: exact fields, malformed vectors. */
#include <check.h>
#include <string.h>

#include "base/fields.h"
#include "tls/hello.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

/* Runs one handshake message body through the record layer as a single record. */
static void feed_message(struct tls_state *st, enum dir d, uint8_t type, const uint8_t *body,
                         size_t len, struct vec_events *ev)
{
    uint8_t stream[512];
    ck_assert_uint_le(len + 9, sizeof(stream));
    uint8_t header[9] = {0x16, 0x03, 0x03, (uint8_t)((len + 4) >> 8), (uint8_t)(len + 4), type,
                         0x00, (uint8_t)(len >> 8), (uint8_t)len};
    memcpy(stream, header, 9);
    memcpy(stream + 9, body, len);
    vec_feed(st, d, stream, len + 9, 0, ev);
}

#define RANDOM_11                                                                                  \
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,      \
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,  \
        0x11, 0x11

START_TEST(client_hello_odd_cipher_list_is_malformed)
{
    static const uint8_t body[] = {
        0x03, 0x03,             /* legacy_version */
        RANDOM_11,              /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x03, 0x13, 0x01, /* cipher_suites: odd length 3 */
        0x00,                   /* ...its third byte */
        0x01, 0x00,             /* compression_methods: null */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_ptr_nonnull(
        strstr(vec_line(&ev, 0), "malformed=cipher_suites expected=even\\x20length\\x20>\\x3d"
                                 "\\x202"));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(client_hello_long_session_id_is_malformed)
{
    uint8_t body[2 + 32 + 1 + 33];
    memset(body, 0x11, sizeof(body));
    body[0] = 0x03;
    body[1] = 0x03;
    body[34] = 33; /* legacy_session_id<0..32> claims 33 */
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), &ev);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "malformed=legacy_session_id"));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(duplicate_extension_is_flagged_not_rejected)
{
    static const uint8_t body[] = {
        0x03, 0x03,             /* legacy_version */
        RANDOM_11,              /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x02, 0x13, 0x01, /* cipher_suites: TLS_AES_128_GCM_SHA256 */
        0x01, 0x00,             /* compression_methods: null */
        0x00, 0x0c,             /* extensions length 12 */
        0x00, 0x17, 0x00, 0x00, /* extended_main_secret, empty */
        0x0a, 0x0a, 0x00, 0x00, /* GREASE, empty */
        0x00, 0x17, 0x00, 0x00, /* extended_main_secret again */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_msg(strstr(vec_line(&ev, 0), " dup_ext=") != NULL, "%s", vec_line(&ev, 0));
    ck_assert_msg(strstr(vec_line(&ev, 0), ",grease,") != NULL, "%s", vec_line(&ev, 0));
    ck_assert(!ev.any_malformed);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(extension_overrunning_block_is_malformed)
{
    static const uint8_t body[] = {
        0x03, 0x03,             /* legacy_version */
        RANDOM_11,              /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x02, 0x13, 0x01, /* cipher_suites */
        0x01, 0x00,             /* compression_methods */
        0x00, 0x06,             /* extensions length 6 */
        0x00, 0x00, 0x00, 0x09, /* server_name claims 9 bytes */
        0x00, 0x00,             /* but the block holds 2 */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), &ev);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "malformed=extension"));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), " at=0"));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(hello_retry_request_is_recognised_by_random)
{
    static const uint8_t body[] = {
        0x03, 0x03, /* legacy_version */
        /* random = SHA-256("HelloRetryRequest") */
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8,
        0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,
        0x33, 0x9c,
        0x00,                               /* legacy_session_id_echo: empty */
        0x13, 0x02,                         /* cipher_suite TLS_AES_256_GCM_SHA384 */
        0x00,                               /* compression */
        0x00, 0x06,                         /* extensions length 6 */
        0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions TLS 1.3 */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_S2C, 2, body, sizeof(body), &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_msg(strncmp(vec_line(&ev, 0), "handshake hello_retry_request ", 30) == 0, "%s",
                  vec_line(&ev, 0));
    ck_assert(st.hrr_seen);
    ck_assert(!st.server_hello_seen);
    ck_assert(!st.dir[DIR_S2C].encrypted);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(tls12_server_hello_without_extensions_is_valid)
{
    static const uint8_t body[] = {
        0x03, 0x03, /* legacy_version TLS 1.2 */
        RANDOM_11,  /* random */
        0x00,       /* session id: empty */
        0xc0, 0x2f, /* cipher_suite */
        0x00,       /* compression null */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_S2C, 2, body, sizeof(body), &ev);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake server_hello record_version=TLSv1.2 length=38 "
                     "legacy_version=TLSv1.2 session_id_length=0 "
                     "cipher_suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 compression_method=null "
                     "version=TLSv1.2 ja3s=174e7e4992a63f6d419626d97363adb8 "
                     "ja3s_string=771,49199,");
    ck_assert(st.server_hello_seen);
    ck_assert(!st.is_tls13);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(server_alpn_with_two_names_is_malformed)
{
    static const uint8_t body[] = {
        0x03, 0x03,                         /* legacy_version */
        RANDOM_11,                          /* random */
        0x00,                               /* session id */
        0xc0, 0x2f,                         /* cipher_suite */
        0x00,                               /* compression */
        0x00, 0x0c,                         /* extensions length 12 */
        0x00, 0x10, 0x00, 0x08, 0x00, 0x06, /* alpn, list length 6 */
        0x02, 0x68, 0x32, 0x02, 0x68, 0x33, /* "h2", "h3" */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_S2C, 2, body, sizeof(body), &ev);
    ck_assert_msg(strstr(vec_line(&ev, 0), "alpn=h2,h3 malformed=alpn") != NULL, "%s",
                  vec_line(&ev, 0));
    ck_assert(!st.has_alpn);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* draft-ietf-tls-tls13-21 4.1.3: struct { ProtocolVersion version; Random random;
 *   CipherSuite cipher_suite; Extension extensions<6..2^16-1>; } ServerHello; */
static const uint8_t draft21_server_hello[] = {
    0x7f, 0x15,                         /* version: 0x7f00 | 21 */
    RANDOM_11,                          /* random */
    0x13, 0x01,                         /* cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00, 0x0a,                         /* extensions length 10 */
    0x00, 0x28, 0x00, 0x06,             /* key_share (40, draft 21 4.2.7), length 6 */
    0x00, 0x1d, 0x00, 0x02, 0xab, 0xcd, /*   x25519, a (short) 2-byte key_exchange */
};

START_TEST(draft21_server_hello_has_no_session_id_and_every_prefix_is_malformed)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_S2C, 2, draft21_server_hello, sizeof(draft21_server_hello), &ev);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake server_hello record_version=TLSv1.2 length=48 "
                     "legacy_version=TLSv1.3-draft21 cipher_suite=TLS_AES_128_GCM_SHA256 "
                     "extensions=key_share_draft key_share=x25519 key_share_length=2 "
                     "version=TLSv1.3-draft21 ja3s=83ecc100f7e6ec6d668b49afc4d7bd51 "
                     "ja3s_string=32533,4865,40");
    ck_assert(st.is_tls13 && st.has_group && st.group == 0x001d);
    vec_events_free(&ev);
    tls_state_free(&st);
    for (size_t len = 0; len < sizeof(draft21_server_hello); len++) {
        tls_state_init(&st);
        vec_events_init(&ev);
        feed_message(&st, DIR_S2C, 2, draft21_server_hello, len, &ev);
        /* 36 bytes end after the cipher suite: no extensions at all, read leniently */
        ck_assert_msg(len == 36 || ev.any_malformed, "prefix %zu: %s", len, vec_line(&ev, 0));
        ck_assert(!st.has_group || len == sizeof(draft21_server_hello));
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

Suite *suite_hello(void)
{
    Suite *s = suite_create("hello");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, client_hello_odd_cipher_list_is_malformed);
    tcase_add_test(tc, client_hello_long_session_id_is_malformed);
    tcase_add_test(tc, duplicate_extension_is_flagged_not_rejected);
    tcase_add_test(tc, extension_overrunning_block_is_malformed);
    tcase_add_test(tc, hello_retry_request_is_recognised_by_random);
    tcase_add_test(tc, tls12_server_hello_without_extensions_is_valid);
    tcase_add_test(tc, server_alpn_with_two_names_is_malformed);
    tcase_add_test(tc, draft21_server_hello_has_no_session_id_and_every_prefix_is_malformed);
    suite_add_tcase(s, tc);
    return s;
}
