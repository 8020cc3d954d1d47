/* Protected records: TLS 1.3 flights labelled from sizes and order (tls13_flight.c), early data,
 * and TLS 1.2 skimming after the handshake (record.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

#define STREAM_MAX 8192

struct stream {
    uint8_t bytes[STREAM_MAX];
    size_t len;
};

/* Appends one record of the given outer type whose (opaque) body is length bytes. */
static void add_record(struct stream *s, uint8_t type, size_t length)
{
    ck_assert_uint_le(s->len + 5 + length, STREAM_MAX);
    uint8_t *p = s->bytes + s->len;
    p[0] = type;
    p[1] = 0x03;
    p[2] = 0x03;
    p[3] = (uint8_t)(length >> 8);
    p[4] = (uint8_t)length;
    memset(p + 5, 0xa5, length);
    s->len += 5 + length;
}

static struct stream records(uint8_t type, const size_t *lengths, size_t n)
{
    struct stream s = {.len = 0};
    for (size_t i = 0; i < n; i++) {
        add_record(&s, type, lengths[i]);
    }
    return s;
}

/* The state right after a TLS 1.3 ServerHello choosing suite. */
static void after_tls13_server_hello(struct tls_state *st, uint16_t suite)
{
    tls_state_init(st);
    st->client_hello_seen = true;
    st->tls13_offered = true;
    st->server_hello_seen = true;
    st->is_tls13 = true;
    st->version = VERSION_TLSv1_3;
    st->cipher_suite = suite;
    st->dir[DIR_C2S].encrypted = true;
    st->dir[DIR_S2C].encrypted = true;
}

static void feed(struct tls_state *st, enum dir d, const size_t *lengths, size_t n, size_t chunk,
                 struct vec_events *ev)
{
    struct stream s = records(CONTENT_application_data, lengths, n);
    vec_feed(st, d, s.bytes, s.len, chunk, ev);
}

/* As feed(), but the stream goes on: nothing is flushed at its end. */
static void consume(struct tls_state *st, enum dir d, const size_t *lengths, size_t n,
                    size_t chunk, struct vec_events *ev)
{
    struct stream s = records(CONTENT_application_data, lengths, n);
    struct tls_sink sink = vec_sink(ev);
    size_t have = 0, fed = 0;
    while (fed < s.len) {
        size_t step = (chunk == 0 || s.len - fed < chunk) ? s.len - fed : chunk;
        fed += step;
        have += step;
        size_t used = rec_consume(st, d, cur_make(s.bytes + fed - have, have), &sink);
        have -= used;
    }
    ck_assert_uint_eq(have, 0);
}

static void assert_labels(const struct vec_events *ev, size_t first, const char *const *labels,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *line = vec_line(ev, first + i);
        if (labels[i] == NULL) {
            ck_assert_msg(strstr(line, "inferred=") == NULL, "line %zu: %s", first + i, line);
        } else {
            char want[64];
            snprintf(want, sizeof(want), " inferred=%s", labels[i]);
            ck_assert_msg(strstr(line, want) != NULL, "line %zu: want %s in %s", first + i,
                          want, line);
        }
    }
}

START_TEST(server_flight_of_separate_records_is_labelled)
{
    /* OpenSSL 3.0, TLS_AES_128_GCM_SHA256, RSA-2048 (pcaps/tls13-full.pcap) */
    static const size_t sizes[] = {32, 878, 281, 53};
    static const char *const labels[] = {"encrypted_extensions", "certificate",
                                         "certificate_verify", "finished"};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, sizes, 4, (size_t)_i, &ev);
    ck_assert_uint_eq(ev.n, 4);
    assert_labels(&ev, 0, labels, 4);
    ck_assert_str_eq(vec_line(&ev, 3), "encrypted content_type=application_data length=53 "
                                       "inferred=finished");
    ck_assert(st.dir[DIR_S2C].finished);
    ck_assert(!st.cert_requested);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(server_flight_with_certificate_request_means_mutual)
{
    static const size_t sizes[] = {23, 102, 1700, 281, 53};
    static const char *const labels[] = {"encrypted_extensions", "certificate_request",
                                         "certificate", "certificate_verify", "finished"};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, sizes, 5, 0, &ev);
    assert_labels(&ev, 0, labels, 5);
    ck_assert(st.cert_requested && st.cert_requested_inferred);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(psk_flight_is_extensions_and_finished)
{
    static const size_t sizes[] = {23, 53};
    static const char *const labels[] = {"encrypted_extensions", "finished"};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    st.psk_accepted = true;
    vec_events_init(&ev);
    feed(&st, DIR_S2C, sizes, 2, 0, &ev);
    assert_labels(&ev, 0, labels, 2);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(sha384_suite_finished_is_longer)
{
    /* verify_data is 48 bytes with TLS_AES_256_GCM_SHA384: 4 + 48 + 1 + 16 = 69 */
    static const size_t sizes[] = {23, 878, 281, 69};
    static const char *const labels[] = {"encrypted_extensions", "certificate",
                                         "certificate_verify", "finished"};
    static const size_t sha256_sizes[] = {23, 878, 281, 53};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_256_GCM_SHA384);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, sizes, 4, 0, &ev);
    assert_labels(&ev, 0, labels, 4);
    vec_events_free(&ev);
    tls_state_free(&st);
    /* a 53-byte record is not this suite's Finished: nothing is claimed */
    after_tls13_server_hello(&st, CIPHER_TLS_AES_256_GCM_SHA384);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, sha256_sizes, 4, 0, &ev);
    ck_assert_uint_eq(ev.n, 4);
    ck_assert(!vec_contains(&ev, "inferred="));
    ck_assert(!st.dir[DIR_S2C].finished);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(coalesced_flight_is_not_guessed)
{
    /* one record holding the whole flight (not Finished-sized), then the client speaks */
    static const size_t server[] = {1200};
    static const size_t client[] = {53};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    struct stream s = records(CONTENT_application_data, server, 1);
    struct tls_sink sink = vec_sink(&ev);
    ck_assert_uint_eq(rec_consume(&st, DIR_S2C, cur_make(s.bytes, s.len), &sink), s.len);
    ck_assert_uint_eq(ev.n, 0); /* held: the flight may go on */
    feed(&st, DIR_C2S, client, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "encrypted content_type=application_data length=1200");
    ck_assert_uint_eq(ev.dirs[0], DIR_S2C);
    ck_assert_str_eq(vec_line(&ev, 1),
                     "encrypted content_type=application_data length=53 inferred=finished");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(client_flight_with_certificate_verify_is_client_auth)
{
    static const size_t server[] = {23, 102, 1700, 281, 53};
    static const size_t client[] = {1667, 281, 53};
    static const char *const labels[] = {"certificate", "certificate_verify", "finished"};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, server, 5, 0, &ev);
    feed(&st, DIR_C2S, client, 3, (size_t)_i, &ev);
    ck_assert_uint_eq(ev.n, 8);
    assert_labels(&ev, 5, labels, 3);
    ck_assert(st.client_auth_inferred);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(early_data_then_end_of_early_data_means_accepted)
{
    static const size_t early[] = {29};
    static const size_t server[] = {27, 53};
    static const size_t client[] = {21, 53};
    static const char *const client_labels[] = {"end_of_early_data", "finished"};
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.client_hello_seen = true;
    st.tls13_offered = true;
    st.early_data_offered = true;
    vec_events_init(&ev);
    feed(&st, DIR_C2S, early, 1, 0, &ev);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "encrypted content_type=application_data length=29 inferred=early_data");
    ck_assert_uint_eq(st.early_data_records, 1);
    /* the ServerHello accepting a PSK arrives */
    st.server_hello_seen = st.is_tls13 = st.psk_accepted = true;
    st.cipher_suite = CIPHER_TLS_AES_128_GCM_SHA256;
    st.dir[DIR_C2S].encrypted = st.dir[DIR_S2C].encrypted = true;
    feed(&st, DIR_S2C, server, 2, 0, &ev);
    feed(&st, DIR_C2S, client, 2, 0, &ev);
    ck_assert_uint_eq(ev.n, 5);
    assert_labels(&ev, 3, client_labels, 2);
    ck_assert(st.early_data_accepted);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(server_records_right_after_client_finished_are_tickets)
{
    static const size_t server[] = {32, 878, 281, 53};
    static const size_t client[] = {53};
    static const size_t tickets[] = {234, 234};
    static const size_t data[] = {23};
    static const size_t reply[] = {40};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, server, 4, 0, &ev);
    feed(&st, DIR_C2S, client, 1, 0, &ev);
    feed(&st, DIR_S2C, tickets, 2, 0, &ev);
    feed(&st, DIR_C2S, data, 1, 0, &ev);
    feed(&st, DIR_S2C, reply, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 9);
    ck_assert_str_eq(vec_line(&ev, 5), "encrypted content_type=application_data length=234 "
                                       "inferred=new_session_ticket");
    ck_assert_str_eq(vec_line(&ev, 6), "encrypted content_type=application_data length=234 "
                                       "inferred=new_session_ticket");
    ck_assert_str_eq(vec_line(&ev, 7), "encrypted content_type=application_data length=23");
    ck_assert_str_eq(vec_line(&ev, 8), "encrypted content_type=application_data length=40");
    ck_assert_uint_eq(st.tickets_inferred, 2);
    ck_assert(tls_handshake_done(&st));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* OpenSSL 3.0 with -Verify 1 and a client certificate (pcaps/tls13-mutual.pcap): the
 * client's flight is three records, not one. The server's next record is still a ticket,
 * and the handshake is done once the client speaks again. */
START_TEST(tickets_after_a_three_record_client_flight)
{
    static const size_t server[] = {23, 102, 1700, 281, 53};
    static const size_t client[] = {1667, 281, 53};
    static const size_t ticket[] = {1050};
    static const size_t data[] = {23};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, server, 5, 0, &ev);
    feed(&st, DIR_C2S, client, 3, 0, &ev);
    ck_assert(!tls_handshake_done(&st));
    ck_assert(tls13_answer_pending(&st));
    feed(&st, DIR_S2C, ticket, 1, (size_t)_i, &ev);
    ck_assert(!tls13_answer_pending(&st));
    ck_assert(!tls_handshake_done(&st)); /* more tickets may come */
    feed(&st, DIR_C2S, data, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 10);
    ck_assert_str_eq(vec_line(&ev, 8), "encrypted content_type=application_data length=1050 "
                                       "inferred=new_session_ticket");
    ck_assert_uint_eq(st.tickets_inferred, 1);
    ck_assert(st.client_auth_inferred);
    ck_assert(tls_handshake_done(&st));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* pcaps/tls13-early-data.pcap: early data, then EndOfEarlyData and Finished. */
START_TEST(tickets_after_early_data_and_end_of_early_data)
{
    static const size_t early[] = {29};
    static const size_t server[] = {27, 53};
    static const size_t client[] = {21, 53};
    static const size_t ticket[] = {82};
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.client_hello_seen = st.tls13_offered = st.early_data_offered = true;
    vec_events_init(&ev);
    feed(&st, DIR_C2S, early, 1, 0, &ev);
    st.server_hello_seen = st.is_tls13 = st.psk_accepted = true;
    st.cipher_suite = CIPHER_TLS_AES_128_GCM_SHA256;
    st.dir[DIR_C2S].encrypted = st.dir[DIR_S2C].encrypted = true;
    feed(&st, DIR_S2C, server, 2, 0, &ev);
    feed(&st, DIR_C2S, client, 2, 0, &ev);
    ck_assert(!tls_handshake_done(&st)); /* three protected client records, none after */
    feed(&st, DIR_S2C, ticket, 1, 0, &ev);
    ck_assert_str_eq(vec_line(&ev, 5), "encrypted content_type=application_data length=82 "
                                       "inferred=new_session_ticket");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Server and client flights of a TLS 1.3 handshake with a client certificate, as OpenSSL
 * sends them (TLS_AES_128_GCM_SHA256). */
static void mutual_flights(struct tls_state *st, struct vec_events *ev)
{
    static const size_t server[] = {23, 102, 1700, 281, 53};
    static const size_t client[] = {1667, 281, 53};
    after_tls13_server_hello(st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(ev);
    feed(st, DIR_S2C, server, 5, 0, ev);
    feed(st, DIR_C2S, client, 3, 0, ev);
    ck_assert_uint_eq(ev->n, 8);
}

/* RFC 8446 6.2: a server refusing the client's certificate answers its flight with an alert
 * (2 + 1 + 16 = 19 bytes protected) and closes (pcaps/tls13-cert-rejected.pcap). */
START_TEST(alert_sized_answer_then_close_is_an_inferred_alert)
{
    static const size_t alert[] = {19};
    struct tls_state st;
    struct vec_events ev;
    mutual_flights(&st, &ev);
    consume(&st, DIR_S2C, alert, 1, (size_t)_i, &ev);
    ck_assert_uint_eq(ev.n, 8); /* held until what follows tells */
    ck_assert(tls13_answer_pending(&st));
    struct tls_sink sink = vec_sink(&ev);
    tls13_closed(&st, &sink);
    ck_assert_uint_eq(ev.n, 9);
    ck_assert_str_eq(vec_line(&ev, 8),
                     "encrypted content_type=application_data length=19 inferred=alert");
    ck_assert_uint_eq(ev.dirs[8], DIR_S2C);
    ck_assert(st.alert_inferred);
    ck_assert_uint_eq(st.tickets_inferred, 0);
    tls13_closed(&st, &sink); /* once */
    rec_finish(&st, DIR_S2C, cur_make(NULL, 0), &sink);
    ck_assert_uint_eq(ev.n, 9);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* With CCM_8 (RFC 8446 B.4) the tag is 8 bytes: the alert is 11. */
START_TEST(alert_size_follows_the_tag_length)
{
    static const size_t server[] = {15, 45};
    static const size_t client[] = {45};
    static const size_t alert[] = {11};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_CCM_8_SHA256);
    st.psk_accepted = true;
    vec_events_init(&ev);
    feed(&st, DIR_S2C, server, 2, 0, &ev);
    feed(&st, DIR_C2S, client, 1, 0, &ev);
    consume(&st, DIR_S2C, alert, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 3);
    struct tls_sink sink = vec_sink(&ev);
    tls13_closed(&st, &sink);
    ck_assert_str_eq(vec_line(&ev, 3),
                     "encrypted content_type=application_data length=11 inferred=alert");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* An alert-sized answer the server follows with more, or that meets the end of the capture,
 * or a client record, is not claimed: it may be two bytes of data. */
START_TEST(alert_sized_answer_not_followed_by_the_close_is_not_claimed)
{
    static const size_t alert[] = {19};
    static const size_t more[] = {40};
    struct tls_state st;
    struct vec_events ev;
    struct tls_sink sink;

    mutual_flights(&st, &ev); /* the server goes on */
    consume(&st, DIR_S2C, alert, 1, 0, &ev);
    feed(&st, DIR_S2C, more, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 10);
    ck_assert_str_eq(vec_line(&ev, 8), "encrypted content_type=application_data length=19");
    ck_assert_str_eq(vec_line(&ev, 9), "encrypted content_type=application_data length=40 "
                                       "inferred=new_session_ticket");
    ck_assert(!tls13_answer_pending(&st));
    sink = vec_sink(&ev);
    tls13_closed(&st, &sink);
    ck_assert(!st.alert_inferred);
    ck_assert_uint_eq(ev.n, 10);
    vec_events_free(&ev);
    tls_state_free(&st);

    mutual_flights(&st, &ev); /* the capture ends: rec_finish, no tls13_closed */
    consume(&st, DIR_S2C, alert, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 8);
    sink = vec_sink(&ev);
    rec_finish(&st, DIR_S2C, cur_make(NULL, 0), &sink);
    ck_assert_uint_eq(ev.n, 9);
    ck_assert_str_eq(vec_line(&ev, 8), "encrypted content_type=application_data length=19");
    ck_assert(!st.alert_inferred);
    vec_events_free(&ev);
    tls_state_free(&st);

    mutual_flights(&st, &ev); /* the client speaks after it: printed in wire order */
    consume(&st, DIR_S2C, alert, 1, 0, &ev);
    feed(&st, DIR_C2S, more, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 10);
    ck_assert_str_eq(vec_line(&ev, 8), "encrypted content_type=application_data length=19");
    ck_assert_uint_eq(ev.dirs[9], DIR_C2S);
    sink = vec_sink(&ev);
    tls13_closed(&st, &sink);
    ck_assert(!st.alert_inferred);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 8446 6.1: after the client's close_notify, the server's alert-sized record is its own
 * close_notify, not a refusal (pcaps/starttls-ftp.pcap). */
START_TEST(alert_sized_answer_to_client_close_notify_is_not_claimed)
{
    static const size_t close_notify[] = {19};
    struct tls_state st;
    struct vec_events ev;
    mutual_flights(&st, &ev);
    feed(&st, DIR_C2S, close_notify, 1, 0, &ev);
    consume(&st, DIR_S2C, close_notify, 1, 0, &ev);
    ck_assert_uint_eq(ev.n, 10);
    struct tls_sink sink = vec_sink(&ev);
    tls13_closed(&st, &sink);
    ck_assert(!st.alert_inferred);
    ck_assert_uint_eq(ev.n, 10);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* A server silent after the client's flight is waited for TLS13_ANSWER_WAIT client records. */
START_TEST(silent_server_is_not_waited_for_forever)
{
    static const size_t data[] = {1000};
    struct tls_state st;
    struct vec_events ev;
    mutual_flights(&st, &ev);
    for (size_t i = 1; i < TLS13_ANSWER_WAIT; i++) {
        feed(&st, DIR_C2S, data, 1, 0, &ev);
        ck_assert(!tls_handshake_done(&st));
    }
    feed(&st, DIR_C2S, data, 1, 0, &ev);
    ck_assert(tls_handshake_done(&st));
    ck_assert(tls13_answer_pending(&st));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 8446 4.4.2: a client asked for a certificate it does not have sends an empty one
 * (4 + 1 + 3 bytes, 25 protected) and no CertificateVerify. */
START_TEST(empty_client_certificate_is_not_client_auth)
{
    static const size_t server[] = {23, 102, 878, 281, 53};
    static const size_t empty[] = {25, 53};
    static const size_t coalesced[] = {1950, 53};
    static const char *const labels[] = {"certificate", "finished"};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, server, 5, 0, &ev);
    feed(&st, DIR_C2S, empty, 2, 0, &ev);
    assert_labels(&ev, 5, labels, 2);
    ck_assert(st.client_cert_inferred && !st.client_auth_inferred);
    vec_events_free(&ev);
    tls_state_free(&st);
    /* a larger record before Finished holds a certificate (and its CertificateVerify) */
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed(&st, DIR_S2C, server, 5, 0, &ev);
    feed(&st, DIR_C2S, coalesced, 2, 0, &ev);
    ck_assert(st.client_cert_inferred && st.client_auth_inferred);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(plaintext_record_flushes_held_records_first)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    static const size_t server[] = {32};
    struct tls_state st;
    struct vec_events ev;
    after_tls13_server_hello(&st, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    struct stream s = records(CONTENT_application_data, server, 1);
    memcpy(s.bytes + s.len, alert, sizeof(alert));
    s.len += sizeof(alert);
    vec_feed(&st, DIR_S2C, s.bytes, s.len, 0, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "encrypted content_type=application_data length=32");
    ck_assert_str_eq(vec_line(&ev, 1), "alert level=fatal description=handshake_failure");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* TLS 1.2 past both Finished: the state skimming starts from. */
static void after_tls12_handshake(struct tls_state *st)
{
    tls_state_init(st);
    st->client_hello_seen = st->server_hello_seen = true;
    st->version = VERSION_TLSv1_2;
    for (int d = 0; d < 2; d++) {
        st->dir[d].encrypted = st->dir[d].ccs_seen = st->dir[d].finished = true;
    }
    st->skimming = true;
}

START_TEST(skimming_counts_application_data_silently_in_any_split)
{
    struct stream s = {.len = 0};
    add_record(&s, CONTENT_application_data, 3000);
    add_record(&s, CONTENT_application_data, 1);
    add_record(&s, CONTENT_alert, 26);
    struct tls_state st;
    struct vec_events ev;
    after_tls12_handshake(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, s.bytes, s.len, (size_t)_i, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "alert encrypted=true length=26");
    ck_assert_uint_eq(st.dir[DIR_C2S].records, 3);
    ck_assert_uint_eq(st.dir[DIR_C2S].consumed, s.len);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(skimming_sees_an_encrypted_renegotiation)
{
    struct stream s = {.len = 0};
    add_record(&s, CONTENT_handshake, 189);        /* protected ClientHello */
    add_record(&s, CONTENT_change_cipher_spec, 25); /* under the old keys */
    add_record(&s, CONTENT_handshake, 40);          /* the new Finished */
    struct tls_state st;
    struct vec_events ev;
    after_tls12_handshake(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, s.bytes, s.len, 7, &ev);
    ck_assert_uint_eq(ev.n, 3);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "encrypted content_type=handshake length=189 inferred=renegotiation");
    ck_assert_str_eq(vec_line(&ev, 1), "change_cipher_spec encrypted=true length=25");
    ck_assert_str_eq(vec_line(&ev, 2),
                     "encrypted content_type=handshake length=40 inferred=finished");
    ck_assert(st.renegotiated);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(skimming_desyncs_on_a_bad_header_and_reports_a_cut_record)
{
    static const uint8_t garbage[] = {0x47, 0x45, 0x54, 0x20, 0x2f};
    struct tls_state st;
    struct vec_events ev;
    after_tls12_handshake(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, garbage, sizeof(garbage), 2, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "desync "));
    ck_assert(st.dir[DIR_C2S].desync);
    vec_events_free(&ev);
    tls_state_free(&st);

    struct stream s = {.len = 0};
    add_record(&s, CONTENT_application_data, 100);
    after_tls12_handshake(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, s.bytes, 60, 0, &ev); /* the stream ends inside the record */
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "record truncated=record at=60");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

Suite *suite_protected(void)
{
    Suite *s = suite_create("protected");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, server_flight_of_separate_records_is_labelled, 0, 9);
    tcase_add_test(tc, server_flight_with_certificate_request_means_mutual);
    tcase_add_test(tc, psk_flight_is_extensions_and_finished);
    tcase_add_test(tc, sha384_suite_finished_is_longer);
    tcase_add_test(tc, coalesced_flight_is_not_guessed);
    tcase_add_loop_test(tc, client_flight_with_certificate_verify_is_client_auth, 0, 6);
    tcase_add_test(tc, early_data_then_end_of_early_data_means_accepted);
    tcase_add_test(tc, server_records_right_after_client_finished_are_tickets);
    tcase_add_test(tc, plaintext_record_flushes_held_records_first);
    tcase_add_loop_test(tc, tickets_after_a_three_record_client_flight, 0, 4);
    tcase_add_test(tc, tickets_after_early_data_and_end_of_early_data);
    tcase_add_loop_test(tc, alert_sized_answer_then_close_is_an_inferred_alert, 0, 4);
    tcase_add_test(tc, alert_size_follows_the_tag_length);
    tcase_add_test(tc, alert_sized_answer_not_followed_by_the_close_is_not_claimed);
    tcase_add_test(tc, alert_sized_answer_to_client_close_notify_is_not_claimed);
    tcase_add_test(tc, silent_server_is_not_waited_for_forever);
    tcase_add_test(tc, empty_client_certificate_is_not_client_auth);
    tcase_add_loop_test(tc, skimming_counts_application_data_silently_in_any_split, 0, 8);
    tcase_add_test(tc, skimming_sees_an_encrypted_renegotiation);
    tcase_add_test(tc, skimming_desyncs_on_a_bad_header_and_reports_a_cut_record);
    suite_add_tcase(s, tc);
    return s;
}
