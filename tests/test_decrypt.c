/* Tests for dissectors/tls/decrypt.c through the record layer: a TLS 1.3 connection whose
 * protected records are RFC 8448 section 3's, opened with its secrets from a key table keyed
 * by the connection's client random. The hellos are built here (RFC 8446 4.1.2, 4.1.3: a
 * ClientHello offering TLS 1.3, a ServerHello choosing TLS_AES_128_GCM_SHA256), since only
 * the client random ties them to the secrets; the records and secrets are RFC 8448's. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keylog.h"
#include "rfc8448.h"
#include "suites.h"
#include "tls/decrypt.h"
#include "tls/inference_check.h"
#include "tls/tls.h"
#include "vectors.h"

#define RANDOM_BYTE 0x11 /* the client random: 32 bytes of it */

static const uint8_t client_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0x36,       /* record: handshake, length 54 */
    0x01, 0x00, 0x00, 0x32, 0x03, 0x03, /* client_hello, length 50, legacy_version TLS 1.2 */
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x00,                         /* legacy_session_id: empty */
    0x00, 0x02, 0x13, 0x01,       /* cipher_suites: TLS_AES_128_GCM_SHA256 */
    0x01, 0x00,                   /* compression_methods: null */
    0x00, 0x07,                   /* extensions length 7 */
    0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
};

static const uint8_t server_hello[] = {
    0x16, 0x03, 0x03, 0x00, 0x3e, /* record: handshake, length 62 */
    0x02, 0x00, 0x00, 0x3a, 0x03, 0x03, /* server_hello, length 58 */
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x00,                               /* legacy_session_id_echo: empty */
    0x13, 0x01,                         /* cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00,                               /* legacy_compression_method */
    0x00, 0x12,                         /* extensions length 18 */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions TLS 1.3 */
    0x00, 0x33, 0x00, 0x08, 0x00, 0x1d, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, /* key_share */
};

static void put_secret(struct keylog_table *table, enum keylog_label label, const char *hex)
{
    uint8_t random[KEYLOG_RANDOM_LEN];
    size_t len;
    uint8_t *secret = vec_unhex(hex, &len);
    memset(random, RANDOM_BYTE, sizeof(random));
    ck_assert(keylog_table_put(table, random, label, secret, len));
    free(secret);
}

/* The four traffic secrets of RFC 8448 section 3. */
static struct keylog_table *rfc8448_table(void)
{
    struct keylog_table *table = keylog_table_new(0);
    ck_assert_ptr_nonnull(table);
    put_secret(table, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, rfc8448_server_hs_secret);
    put_secret(table, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, rfc8448_client_hs_secret);
    put_secret(table, KEYLOG_SERVER_TRAFFIC_SECRET_0, rfc8448_server_ap_secret);
    put_secret(table, KEYLOG_CLIENT_TRAFFIC_SECRET_0, rfc8448_client_ap_secret);
    return table;
}

static void feed_hex(struct tls_state *st, enum dir d, const char *hex, struct vec_events *ev)
{
    size_t len;
    uint8_t *bytes = vec_unhex(hex, &len);
    vec_feed(st, d, bytes, len, 0, ev);
    free(bytes);
}

static void feed_hellos(struct tls_state *st, struct vec_events *ev)
{
    vec_feed(st, DIR_C2S, client_hello, sizeof(client_hello), 0, ev);
    vec_feed(st, DIR_S2C, server_hello, sizeof(server_hello), 0, ev);
}

/* A connection with keys, its hellos read. */
static void begin(struct tls_state *st, struct vec_events *ev, struct keylog_table *table)
{
    tls_state_init(st);
    st->keys = table;
    vec_events_init(ev);
    feed_hellos(st, ev);
}

static void end(struct tls_state *st, struct vec_events *ev)
{
    vec_events_free(ev);
    tls_state_free(st);
}

START_TEST(rfc8448_handshake_is_read_in_the_clear)
{
    struct keylog_table *table = rfc8448_table();
    struct tls_state st;
    struct vec_events ev;
    begin(&st, &ev, table);
    feed_hex(&st, DIR_S2C, rfc8448_server_flight_record, &ev);
    feed_hex(&st, DIR_C2S, rfc8448_client_finished_record, &ev);
    ck_assert_uint_eq(ev.n, 8);
    ck_assert_str_eq(vec_line(&ev, 2),
                     "handshake encrypted_extensions length=36 "
                     "extensions=supported_groups,record_size_limit,server_name "
                     "supported_groups=x25519,secp256r1,secp384r1,secp521r1,ffdhe2048,ffdhe3072,"
                     "ffdhe4096,ffdhe6144,ffdhe8192 record_size_limit=16385 sni_ack=true "
                     "decrypted=true");
    ck_assert_str_eq(vec_line(&ev, 3), "handshake certificate length=441 certificates=1 "
                                       "certificate_lengths=432 decrypted=true");
    /* the vec sink prints every verbosity level */
    ck_assert_str_eq(vec_line(&ev, 4),
                     "x509 index=0 length=432 subject=CN\\x3drsa issuer=CN\\x3drsa serial=02 "
                     "not_before=2016-07-30T01:23:59Z not_after=2026-07-30T01:23:59Z "
                     "key=rsa:1024 signature=sha256WithRSAEncryption "
                     "sha256=a7ef15cef43e4b67bdb158fcc13cceef9041c8a6cef762046e825543a92bdc83 "
                     "x509_version=3 key_exponent=65537 ca=false "
                     /* checked at packet time 0 (none set here): before its notBefore */
                     "issues=not_yet_valid,self_signed,weak_key hostname=no_sni "
                     "decrypted=true");
    ck_assert_str_eq(vec_line(&ev, 5), "handshake certificate_verify length=132 "
                                       "signature_scheme=rsa_pss_rsae_sha256 "
                                       "signature_length=128 decrypted=true");
    ck_assert_str_eq(vec_line(&ev, 6),
                     "handshake finished length=32 verify_data_length=32 decrypted=true");
    ck_assert_str_eq(vec_line(&ev, 7),
                     "handshake finished length=32 verify_data_length=32 decrypted=true");
    ck_assert_uint_eq(ev.dirs[7], DIR_C2S);
    ck_assert_uint_eq(st.dir[DIR_S2C].decrypted_records, 1);
    ck_assert_uint_eq(st.dir[DIR_C2S].decrypted_records, 1);
    ck_assert(st.dir[DIR_C2S].finished && st.dir[DIR_S2C].finished);
    ck_assert(decrypt_active(&st)); /* followed on for what comes after the handshake */
    /* the client's first application data record: read (seq 0 of its application keys),
     * counted, not printed */
    feed_hex(&st, DIR_C2S, rfc8448_client_app_record, &ev);
    ck_assert_uint_eq(ev.n, 8);
    ck_assert_uint_eq(st.dir[DIR_C2S].decrypted_records, 2);
    ck_assert(!st.dir[DIR_C2S].decrypt_failed);
    end(&st, &ev);
    keylog_table_free(table);
}
END_TEST

/* RFC 8448's server application record is its second under the application keys (the
 * NewSessionTicket, left out here, was the first): opened as the first, it fails. */
START_TEST(record_out_of_sequence_is_marked_and_direction_goes_keyless)
{
    struct keylog_table *table = rfc8448_table();
    struct tls_state st;
    struct vec_events ev;
    begin(&st, &ev, table);
    feed_hex(&st, DIR_S2C, rfc8448_server_flight_record, &ev);
    feed_hex(&st, DIR_C2S, rfc8448_client_finished_record, &ev);
    size_t before = ev.n;
    feed_hex(&st, DIR_S2C, rfc8448_server_app_record, &ev);
    ck_assert_uint_eq(ev.n, before + 1);
    ck_assert_str_eq(vec_line(&ev, before),
                     "encrypted content_type=application_data length=67 decrypt=failed");
    ck_assert(st.dir[DIR_S2C].decrypt_failed);
    ck_assert(!st.dir[DIR_C2S].decrypt_failed);
    end(&st, &ev);
    keylog_table_free(table);
}
END_TEST

/* The wrong secret for the server's handshake keys: its flight is shown as without keys,
 * marked, and the client's side still opens. */
START_TEST(wrong_secret_is_marked_not_fatal)
{
    struct keylog_table *table = rfc8448_table();
    put_secret(table, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, rfc8448_client_hs_secret);
    struct tls_state st;
    struct vec_events ev;
    begin(&st, &ev, table);
    feed_hex(&st, DIR_S2C, rfc8448_server_flight_record, &ev);
    feed_hex(&st, DIR_C2S, rfc8448_client_finished_record, &ev);
    ck_assert_str_eq(vec_line(&ev, 2),
                     "encrypted content_type=application_data length=674 decrypt=failed");
    ck_assert_str_eq(vec_line(&ev, 3),
                     "handshake finished length=32 verify_data_length=32 decrypted=true");
    end(&st, &ev);
    keylog_table_free(table);
}
END_TEST

/* Keys given, but none for this client random: the output is the keyless one; the connection
 * is followed on only while the table may grow, and not past DECRYPT_WAIT_RECORDS (64)
 * records. */
START_TEST(connection_without_secrets_reads_as_keyless)
{
    struct keylog_table *table = keylog_table_new(0);
    struct tls_state with, without;
    struct vec_events ev_with, ev_without;
    tls_state_init(&with);
    tls_state_init(&without);
    with.keys = table;
    vec_events_init(&ev_with);
    vec_events_init(&ev_without);
    feed_hellos(&with, &ev_with);
    feed_hellos(&without, &ev_without);
    feed_hex(&with, DIR_S2C, rfc8448_server_flight_record, &ev_with);
    feed_hex(&without, DIR_S2C, rfc8448_server_flight_record, &ev_without);
    feed_hex(&with, DIR_C2S, rfc8448_client_finished_record, &ev_with);
    feed_hex(&without, DIR_C2S, rfc8448_client_finished_record, &ev_without);
    ck_assert_uint_eq(ev_with.n, ev_without.n);
    for (size_t i = 0; i < ev_with.n; i++) {
        ck_assert_str_eq(vec_line(&ev_with, i), vec_line(&ev_without, i));
    }
    /* with a complete table, let go as without keys; with a growing one (a live key log),
     * followed a while in case its secrets come late, then let go */
    ck_assert(!decrypt_active(&with));
    keylog_table_set_growing(table, true);
    ck_assert(decrypt_active(&with));
    for (int i = 2; i < 64; i++) {
        feed_hex(&with, DIR_C2S, rfc8448_client_app_record, &ev_with);
    }
    ck_assert(!decrypt_active(&with));
    vec_events_free(&ev_with);
    vec_events_free(&ev_without);
    tls_state_free(&with);
    tls_state_free(&without);
    keylog_table_free(table);
}
END_TEST

/* Live: the secrets reach the table after the server's flight went by keyless; the client's
 * Finished, the first record of its handshake keys, is read then. */
START_TEST(secrets_arriving_late_decrypt_what_follows)
{
    struct keylog_table *table = keylog_table_new(0);
    struct tls_state st;
    struct vec_events ev;
    begin(&st, &ev, table);
    feed_hex(&st, DIR_S2C, rfc8448_server_flight_record, &ev);
    ck_assert(!vec_contains(&ev, "decrypted=true"));
    put_secret(table, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, rfc8448_client_hs_secret);
    feed_hex(&st, DIR_C2S, rfc8448_client_finished_record, &ev);
    ck_assert(vec_contains(&ev, "handshake finished length=32 verify_data_length=32 "
                                "decrypted=true"));
    end(&st, &ev);
    keylog_table_free(table);
}
END_TEST

/* Every prefix of the protected flight, the rest arriving later: the same lines. */
START_TEST(protected_record_split_anywhere_gives_same_lines)
{
    struct keylog_table *table = rfc8448_table();
    size_t len;
    uint8_t *flight = vec_unhex(rfc8448_server_flight_record, &len);
    for (size_t chunk = 1; chunk < len; chunk += 37) {
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        st.keys = table;
        vec_events_init(&ev);
        feed_hellos(&st, &ev);
        vec_feed(&st, DIR_S2C, flight, len, chunk, &ev);
        ck_assert_uint_eq(ev.n, 7);
        ck_assert_str_eq(vec_line(&ev, 6),
                         "handshake finished length=32 verify_data_length=32 decrypted=true");
        vec_events_free(&ev);
        tls_state_free(&st);
    }
    free(flight);
    keylog_table_free(table);
}
END_TEST

/* The keyless labels of a server flight of four records, sized as RFC 8446 4.4 flights are
 * (the last one a Finished of TLS_AES_128_GCM_SHA256: 4 + 32 + 1 + 16 bytes), checked
 * against what decryption found in each: message_types says which messages a record held. */
static uint32_t flight_disagreements(uint32_t second_record_types)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_hellos(&st, &ev);
    struct inference_check *check = inference_check_new(&st);
    ck_assert_ptr_nonnull(check);
    const struct {
        size_t length;
        uint32_t types;
    } flight[] = {
        {40, 1u << 8}, {800, second_record_types}, {100, 1u << 15}, {53, 1u << 20},
    };
    for (size_t i = 0; i < sizeof(flight) / sizeof(flight[0]); i++) {
        inference_check_record(check, DIR_S2C, 23, flight[i].length, 22, flight[i].types);
    }
    uint32_t n = inference_check_finish(check, &st, true);
    inference_check_free(check);
    end(&st, &ev);
    return n;
}

START_TEST(inference_agreeing_with_decryption_counts_nothing)
{
    ck_assert_uint_eq(flight_disagreements(1u << 11), 0); /* the record held a Certificate */
}
END_TEST

START_TEST(inference_contradicted_by_decryption_is_counted)
{
    /* labelled certificate by its place, but it held a CertificateRequest */
    ck_assert_uint_eq(flight_disagreements(1u << 13), 1);
}
END_TEST

Suite *suite_decrypt(void)
{
    Suite *s = suite_create("decrypt");
    TCase *tc = tcase_create("tls13");
    tcase_add_test(tc, rfc8448_handshake_is_read_in_the_clear);
    tcase_add_test(tc, record_out_of_sequence_is_marked_and_direction_goes_keyless);
    tcase_add_test(tc, wrong_secret_is_marked_not_fatal);
    tcase_add_test(tc, connection_without_secrets_reads_as_keyless);
    tcase_add_test(tc, secrets_arriving_late_decrypt_what_follows);
    tcase_add_test(tc, protected_record_split_anywhere_gives_same_lines);
    tcase_add_test(tc, inference_agreeing_with_decryption_counts_nothing);
    tcase_add_test(tc, inference_contradicted_by_decryption_is_counted);
    suite_add_tcase(s, tc);
    return s;
}
