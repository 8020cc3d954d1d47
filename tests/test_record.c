/* Tests for dissectors/tls/record.c and handshake.c: framing across segments and records,
 * plaintext vs encrypted, desync, truncation at every prefix. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

static const uint8_t client_hello_record[] = {
    0x16, 0x03, 0x01, 0x00, 0x5d, /* record: handshake, TLS 1.0, length 93 */
    0x01, 0x00, 0x00, 0x59,       /* handshake: client_hello, length 89 */
    0x03, 0x03,                   /* legacy_version TLS 1.2 */
    /* random */
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x00,                               /* legacy_session_id: empty */
    0x00, 0x04, 0xc0, 0x2f, 0x00, 0xff, /* cipher_suites: ECDHE_RSA_AES128_GCM, reneg SCSV */
    0x01, 0x00,                         /* compression_methods: null */
    0x00, 0x2c,                         /* extensions length 44 */
    0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, /* server_name, length 16, list length 14 */
    0x00, 0x00, 0x0b,                   /* host_name, length 11 */
    0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, /* "example.com" */
    0x00, 0x10, 0x00, 0x0b, 0x00, 0x09, /* alpn, length 11, list length 9 */
    0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, /* "http/1.1" */
    0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03, /* supported_versions TLS 1.3, 1.2 */
};

/* Fingerprints: MD5 and SHA-256 (hashlib) of the strings shown, rules in test_fingerprint.c. */
static const char client_hello_line[] =
    "handshake client_hello record_version=TLSv1.0 length=89 legacy_version=TLSv1.2 "
    "session_id_length=0 "
    "cipher_suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_EMPTY_RENEGOTIATION_INFO_SCSV "
    "compression_methods=null "
    "extensions=server_name,application_layer_protocol_negotiation,supported_versions "
    "sni=example.com alpn=http/1.1 supported_versions=TLSv1.3,TLSv1.2 "
    "ja3=99d554987f805e766bfde10383872659 ja3_string=771,49199-255,0-16-43,, "
    "ja4=t13d0203h1_b06afd972a5c_b9a491fefe05 ja4_r=t13d0203h1_00ff,c02f_002b "
    "ja4_o=t13d0203h1_b4fc6ce4000b_76ae7f21e19f ja4_ro=t13d0203h1_c02f,00ff_0000,0010,002b";

static const uint8_t tls13_server_flight[] = {
    0x16, 0x03, 0x03, 0x00, 0x3e, /* record: handshake, TLS 1.2, length 62 */
    0x02, 0x00, 0x00, 0x3a,       /* handshake: server_hello, length 58 */
    0x03, 0x03,                   /* legacy_version */
    /* random */
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x00,                               /* legacy_session_id_echo: empty */
    0x13, 0x01,                         /* cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00,                               /* legacy_compression_method */
    0x00, 0x12,                         /* extensions length 18 */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions TLS 1.3 */
    0x00, 0x33, 0x00, 0x08, 0x00, 0x1d, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, /* key_share x25519 */
    0x14, 0x03, 0x03, 0x00, 0x01, 0x01, /* change_cipher_spec (middlebox compatibility) */
    0x17, 0x03, 0x03, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, /* application_data: encrypted */
    0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, /* outer type alert: plaintext even in TLS 1.3 */
};

START_TEST(client_hello_in_one_record_prints_its_fields)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, client_hello_record, sizeof(client_hello_record), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), client_hello_line);
    ck_assert(st.has_sni);
    ck_assert_str_eq(st.sni, "example.com");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* libnids hands over whatever TCP delivered: every chunk size must give the same line. */
START_TEST(client_hello_split_across_segments_gives_same_line)
{
    for (size_t chunk = 1; chunk < sizeof(client_hello_record); chunk++) {
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        vec_feed(&st, DIR_C2S, client_hello_record, sizeof(client_hello_record), chunk, &ev);
        ck_assert_msg(ev.n == 1, "chunk %zu gave %zu events", chunk, ev.n);
        ck_assert_str_eq(vec_line(&ev, 0), client_hello_line);
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

/* The same message cut into records of 1..n bytes (RFC 8446 5.1 allows any fragmentation). */
START_TEST(handshake_message_split_across_records_is_joined)
{
    const uint8_t *msg = client_hello_record + 5;
    size_t msg_len = sizeof(client_hello_record) - 5;
    for (size_t frag = 1; frag < msg_len; frag += 7) {
        uint8_t stream[1024];
        size_t len = 0, records = 0;
        for (size_t off = 0; off < msg_len; off += frag) {
            size_t n = msg_len - off < frag ? msg_len - off : frag;
            uint8_t header[5] = {0x16, 0x03, 0x01, (uint8_t)(n >> 8), (uint8_t)n};
            memcpy(stream + len, header, 5);
            memcpy(stream + len + 5, msg + off, n);
            len += 5 + n;
            records++;
        }
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        vec_feed(&st, DIR_C2S, stream, len, 0, &ev);
        ck_assert_uint_eq(ev.n, 1);
        ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "sni=example.com"));
        if (records > 1) {
            char want[32];
            snprintf(want, sizeof(want), " records=%zu ", records);
            ck_assert_msg(strstr(vec_line(&ev, 0), want) != NULL, "%s", vec_line(&ev, 0));
        }
        ck_assert(!ev.any_malformed);
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

START_TEST(two_messages_in_one_record_give_two_lines)
{
    static const uint8_t record[] = {
        0x16, 0x03, 0x03, 0x00, 0x08, /* record: handshake, length 8 */
        0x0e, 0x00, 0x00, 0x00,       /* server_hello_done, length 0 */
        0x00, 0x00, 0x00, 0x00,       /* hello_request, length 0 */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, record, sizeof(record), 0, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "handshake server_hello_done length=0");
    ck_assert_str_eq(vec_line(&ev, 1), "handshake hello_request length=0");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Every shortened stream reports what was cut and never a complete ClientHello. */
START_TEST(every_prefix_of_client_hello_is_truncated)
{
    for (size_t len = 1; len < sizeof(client_hello_record); len++) {
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        vec_feed(&st, DIR_C2S, client_hello_record, len, 0, &ev);
        ck_assert_msg(ev.n == 1, "prefix %zu gave %zu events", len, ev.n);
        ck_assert_msg(strstr(vec_line(&ev, 0), "truncated=record") != NULL, "%s",
                      vec_line(&ev, 0));
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

/* A ClientHello whose record is whole but whose message claims more than the records hold. */
START_TEST(every_shortened_message_in_a_whole_record_is_reported)
{
    const uint8_t *body = client_hello_record + 9;
    size_t body_len = sizeof(client_hello_record) - 9;
    for (size_t len = 0; len < body_len; len++) {
        uint8_t stream[256];
        size_t total = 4 + len;
        uint8_t header[9] = {0x16, 0x03, 0x01, (uint8_t)(total >> 8), (uint8_t)total,
                             0x01, 0x00, 0x00, (uint8_t)len};
        memcpy(stream, header, 9);
        memcpy(stream + 9, body, len);
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        vec_feed(&st, DIR_C2S, stream, 9 + len, 0, &ev);
        ck_assert_uint_eq(ev.n, 1);
        /* Cut right after compression_methods it is a valid extension-less hello (RFC 5246). */
        bool valid_without_extensions = len == 2 + 32 + 1 + 6 + 2;
        ck_assert_msg(ev.any_malformed != valid_without_extensions, "length %zu: %s", len,
                      vec_line(&ev, 0));
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

START_TEST(tls13_records_after_server_hello_are_encrypted)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, tls13_server_flight, sizeof(tls13_server_flight), 0, &ev);
    ck_assert_uint_eq(ev.n, 4);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "handshake server_hello "));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), " version=TLSv1.3"));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "cipher_suite=TLS_AES_128_GCM_SHA256"));
    ck_assert_str_eq(vec_line(&ev, 1), "change_cipher_spec middlebox_compat=true");
    ck_assert_str_eq(vec_line(&ev, 2), "encrypted content_type=application_data length=5");
    ck_assert_str_eq(vec_line(&ev, 3), "alert level=fatal description=handshake_failure");
    ck_assert(st.is_tls13);
    ck_assert_uint_eq(st.version, 0x0304);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(tls12_handshake_after_change_cipher_spec_is_encrypted_finished)
{
    static const uint8_t stream[] = {
        0x14, 0x03, 0x03, 0x00, 0x01, 0x01,             /* change_cipher_spec */
        0x16, 0x03, 0x03, 0x00, 0x04, 0x14, 0, 0, 0x0c, /* would parse as finished: encrypted */
        0x16, 0x03, 0x03, 0x00, 0x02, 0x99, 0x98,       /* later encrypted handshake */
        0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00,       /* alert after keys: encrypted */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 4);
    ck_assert_str_eq(vec_line(&ev, 0), "change_cipher_spec");
    ck_assert_str_eq(vec_line(&ev, 1), "encrypted content_type=handshake length=4 inferred=finished");
    ck_assert_str_eq(vec_line(&ev, 2), "encrypted content_type=handshake length=2 inferred=renegotiation");
    ck_assert_str_eq(vec_line(&ev, 3), "alert encrypted=true length=2");
    ck_assert(st.dir[DIR_C2S].finished);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(plaintext_fatal_alert_is_named_and_remembered)
{
    static const uint8_t stream[] = {
        0x15, 0x03, 0x03, 0x00, 0x02, /* record: alert, length 2 */
        0x02, 0x28,                   /* fatal, handshake_failure */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=fatal description=handshake_failure");
    ck_assert(st.fatal_alert_seen);
    ck_assert_int_eq(st.fatal_alert_from, DIR_S2C);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(implausible_header_desyncs_direction_once)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, client_hello_record, sizeof(client_hello_record), 0, &ev);
    vec_feed(&st, DIR_C2S, (const uint8_t *)http, strlen(http), 3, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "desync content_type=0x47"));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "malformed=record_header"));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), " at=98"));
    ck_assert(st.dir[DIR_C2S].desync);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(oversized_record_length_desyncs)
{
    static const uint8_t stream[] = {0x17, 0x03, 0x03, 0x48, 0x01}; /* length 18433 */
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "desync"));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "length=18433"));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(zero_length_handshake_record_is_malformed)
{
    static const uint8_t stream[] = {0x16, 0x03, 0x03, 0x00, 0x00};
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "malformed=length"));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(heartbeat_claiming_more_than_record_is_flagged)
{
    static const uint8_t stream[] = {
        0x18, 0x03, 0x02, 0x00, 0x03, /* record: heartbeat, length 3 */
        0x01, 0x40, 0x00,             /* heartbeat_request, payload_length 16384, no payload */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "heartbeat type=heartbeat_request "
                                                   "payload_length=16384 malformed=payload_length"));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(sslv2_client_hello_is_recognised_and_dissected)
{
    static const uint8_t stream[] = {
        0x80, 0x1f,       /* SSLv2 record header, length 31 */
        0x01,             /* msg_type client_hello */
        0x03, 0x01,       /* version TLS 1.0 */
        0x00, 0x06,       /* cipher_spec_length 6 */
        0x00, 0x00,       /* session_id_length 0 */
        0x00, 0x10,       /* challenge_length 16 */
        0x00, 0x00, 0x2f, /* TLS_RSA_WITH_AES_128_CBC_SHA */
        0x01, 0x00, 0x80, /* SSL_CK_RC4_128_WITH_MD5 */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* challenge */
        0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    };
    bool need_more;
    ck_assert(rec_looks_like_tls(cur_make(stream, sizeof(stream)), &need_more));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake client_hello format=sslv2 length=31 legacy_version=TLSv1.0 "
                     "session_id_length=0 cipher_suites=TLS_RSA_WITH_AES_128_CBC_SHA,0x010080 "
                     "challenge_length=16 ja3=b02be259814e870a469a20ce9b2a7900 "
                     "ja3_string=769,47,,,");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(recognition_needs_a_plausible_header)
{
    bool need_more;
    static const uint8_t http[] = {'G', 'E', 'T', ' '};
    static const uint8_t two[] = {0x16, 0x03};
    static const uint8_t tls[] = {0x16, 0x03, 0x01};
    ck_assert(!rec_looks_like_tls(cur_make(http, sizeof(http)), &need_more));
    ck_assert(!need_more);
    ck_assert(!rec_looks_like_tls(cur_make(two, sizeof(two)), &need_more));
    ck_assert(need_more);
    ck_assert(rec_looks_like_tls(cur_make(tls, sizeof(tls)), &need_more));
}
END_TEST

Suite *suite_record(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, client_hello_in_one_record_prints_its_fields);
    tcase_add_test(tc, client_hello_split_across_segments_gives_same_line);
    tcase_add_test(tc, handshake_message_split_across_records_is_joined);
    tcase_add_test(tc, two_messages_in_one_record_give_two_lines);
    tcase_add_test(tc, every_prefix_of_client_hello_is_truncated);
    tcase_add_test(tc, every_shortened_message_in_a_whole_record_is_reported);
    tcase_add_test(tc, tls13_records_after_server_hello_are_encrypted);
    tcase_add_test(tc, tls12_handshake_after_change_cipher_spec_is_encrypted_finished);
    tcase_add_test(tc, plaintext_fatal_alert_is_named_and_remembered);
    tcase_add_test(tc, implausible_header_desyncs_direction_once);
    tcase_add_test(tc, oversized_record_length_desyncs);
    tcase_add_test(tc, zero_length_handshake_record_is_malformed);
    tcase_add_test(tc, heartbeat_claiming_more_than_record_is_flagged);
    tcase_add_test(tc, sslv2_client_hello_is_recognised_and_dissected);
    tcase_add_test(tc, recognition_needs_a_plausible_header);
    suite_add_tcase(s, tc);
    return s;
}
