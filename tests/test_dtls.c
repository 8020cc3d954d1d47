/* Tests for dissectors/dtls/dtls.c: DTLS records and handshake fragments built here field by field
 * (RFC 6347 4.1 and 4.2.2): the ClientHello's cookie, HelloVerifyRequest, fragments joined in
 * any order, retransmissions, protected epochs, the DTLS 1.3 unified header, and every
 * shortened datagram. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/dtls.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

#define BUF_MAX 2048

/* RFC 6347 4.2.1: a DTLS 1.2 ClientHello body; the cookie goes between session id and
 * cipher suites. */
static size_t client_hello_body(const uint8_t *cookie, size_t cookie_len, uint8_t *out)
{
    static const uint8_t head[] = {
        0xfe, 0xfd, /* client_version DTLS 1.2 */
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
        0x11, 0x11, 0x11, 0x11, /* random */
        0x00,                   /* session_id: empty */
    };
    static const uint8_t tail[] = {
        0x00, 0x02, 0xc0, 0x2f,             /* cipher_suites: ECDHE_RSA_AES128_GCM */
        0x01, 0x00,                         /* compression_methods: null */
        0x00, 0x10,                         /* extensions length 16 */
        0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, /* server_name, length 12, list length 10 */
        0x00, 0x00, 0x07,                   /* host_name, length 7 */
        'a', '.', 't', 'e', 's', 't', '.',  /* "a.test." */
    };
    size_t n = 0;
    memcpy(out, head, sizeof(head));
    n += sizeof(head);
    out[n++] = (uint8_t)cookie_len;
    if (cookie_len > 0) {
        memcpy(out + n, cookie, cookie_len);
        n += cookie_len;
    }
    memcpy(out + n, tail, sizeof(tail));
    return n + sizeof(tail);
}

/* RFC 6347 4.2.2: one handshake fragment (12-byte header) of a message of body_len bytes. */
static size_t fragment(uint8_t type, uint16_t seq, const uint8_t *body, size_t body_len,
                       size_t offset, size_t len, uint8_t *out)
{
    size_t n = 0;
    out[n++] = type;
    out[n++] = 0;
    out[n++] = (uint8_t)(body_len >> 8);
    out[n++] = (uint8_t)body_len;
    out[n++] = (uint8_t)(seq >> 8);
    out[n++] = (uint8_t)seq;
    out[n++] = 0;
    out[n++] = (uint8_t)(offset >> 8);
    out[n++] = (uint8_t)offset;
    out[n++] = 0;
    out[n++] = (uint8_t)(len >> 8);
    out[n++] = (uint8_t)len;
    memcpy(out + n, body + offset, len);
    return n + len;
}

/* RFC 6347 4.1: a record header (sequence number 0) in front of len bytes of body. */
static size_t record(uint8_t type, uint16_t version, uint16_t epoch, const uint8_t *body,
                     size_t len, uint8_t *out)
{
    uint8_t header[DTLS_RECORD_HEADER] = {type, (uint8_t)(version >> 8), (uint8_t)version,
                                          (uint8_t)(epoch >> 8), (uint8_t)epoch, 0, 0, 0, 0, 0,
                                          0, (uint8_t)(len >> 8), (uint8_t)len};
    memcpy(out, header, sizeof(header));
    memcpy(out + sizeof(header), body, len);
    return sizeof(header) + len;
}

/* A datagram of one handshake record holding one whole message. */
static size_t whole_message(uint8_t type, uint16_t seq, const uint8_t *body, size_t len,
                            uint16_t record_version, uint8_t *out)
{
    uint8_t frag[BUF_MAX];
    size_t n = fragment(type, seq, body, len, 0, len, frag);
    return record(22, record_version, 0, frag, n, out);
}

struct fixture {
    struct dtls_state ds;
    struct tls_state st;
    struct vec_events ev;
};

static void start(struct fixture *fx)
{
    dtls_state_init(&fx->ds);
    tls_state_init(&fx->st);
    fx->st.transport = TRANSPORT_DTLS;
    vec_events_init(&fx->ev);
}

static void stop(struct fixture *fx)
{
    vec_events_free(&fx->ev);
    dtls_state_free(&fx->ds);
    tls_state_free(&fx->st);
}

static void feed(struct fixture *fx, enum dir d, const uint8_t *bytes, size_t len)
{
    struct tls_sink sink = vec_sink(&fx->ev);
    dtls_datagram(&fx->ds, &fx->st, d, cur_make(bytes, len), &sink);
}

static const char first_client_hello_line[] =
    "handshake client_hello record_version=DTLSv1.0 length=60 legacy_version=DTLSv1.2 "
    "session_id_length=0 cookie_length=0 cipher_suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 "
    "compression_methods=null extensions=server_name sni=a.test.";

START_TEST(client_hello_cookie_is_read_between_session_id_and_cipher_suites)
{
    struct fixture fx;
    start(&fx);
    uint8_t body[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    size_t n = whole_message(1, 0, body, len, VERSION_DTLSv1_0, dgram);
    ck_assert(dtls_looks_like_client_hello(cur_make(dgram, n)));
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 1);
    const char *line = vec_line(&fx.ev, 0);
    ck_assert_msg(strncmp(line, first_client_hello_line, strlen(first_client_hello_line)) == 0,
                  "%s", line);
    /* JA4 for DTLS: 'd', then d2 for DTLS 1.2 (JA4.md) */
    ck_assert_msg(strstr(line, " ja4=dd2d0101") != NULL, "%s", line);
    ck_assert_uint_eq(fx.st.dir[DIR_C2S].records, 1);
    stop(&fx);
}
END_TEST

START_TEST(hello_verify_request_then_client_hello_with_cookie)
{
    struct fixture fx;
    start(&fx);
    static const uint8_t cookie[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                       17, 18, 19, 20};
    uint8_t body[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    size_t n = whole_message(1, 0, body, len, VERSION_DTLSv1_0, dgram);
    feed(&fx, DIR_C2S, dgram, n);
    /* RFC 6347 4.2.1: server_version, then opaque cookie<0..2^8-1> */
    uint8_t hvr[3 + sizeof(cookie)] = {0xfe, 0xff, sizeof(cookie)};
    memcpy(hvr + 3, cookie, sizeof(cookie));
    n = whole_message(3, 0, hvr, sizeof(hvr), VERSION_DTLSv1_0, dgram);
    ck_assert(!dtls_looks_like_client_hello(cur_make(dgram, n)));
    feed(&fx, DIR_S2C, dgram, n);
    len = client_hello_body(cookie, sizeof(cookie), body);
    n = whole_message(1, 1, body, len, VERSION_DTLSv1_0, dgram);
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 3);
    ck_assert_str_eq(vec_line(&fx.ev, 1), "handshake hello_verify_request length=23 "
                                          "server_version=DTLSv1.0 cookie_length=20");
    ck_assert_ptr_nonnull(strstr(vec_line(&fx.ev, 2), " cookie_length=20 "));
    ck_assert_str_eq(fx.st.history, "CvC");
    stop(&fx);
}
END_TEST

/* Sends the ClientHello in fragments [from, to), each in its own datagram, in the order
 * given; the line must be the one of the whole message, with records=N. */
static void send_fragments(const size_t (*pieces)[2], size_t count)
{
    struct fixture fx;
    start(&fx);
    uint8_t body[BUF_MAX], frag[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    for (size_t i = 0; i < count; i++) {
        size_t to = pieces[i][1] < len ? pieces[i][1] : len;
        size_t n = fragment(1, 0, body, len, pieces[i][0], to - pieces[i][0], frag);
        n = record(22, VERSION_DTLSv1_0, 0, frag, n, dgram);
        ck_assert_uint_eq(fx.ev.n, 0);
        feed(&fx, DIR_C2S, dgram, n);
    }
    ck_assert_uint_eq(fx.ev.n, 1);
    char want[64];
    snprintf(want, sizeof(want), " records=%zu ", count);
    ck_assert_msg(strstr(vec_line(&fx.ev, 0), want) != NULL, "%s", vec_line(&fx.ev, 0));
    ck_assert_ptr_nonnull(strstr(vec_line(&fx.ev, 0), " sni=a.test. "));
    ck_assert(!fx.ev.any_malformed);
    stop(&fx);
}

START_TEST(fragments_in_order_are_joined)
{
    static const size_t pieces[][2] = {{0, 20}, {20, 40}, {40, 999}};
    send_fragments(pieces, 3);
}
END_TEST

START_TEST(fragments_out_of_order_and_overlapping_are_joined)
{
    static const size_t pieces[][2] = {{40, 999}, {0, 25}, {10, 30}, {25, 45}};
    send_fragments(pieces, 4);
}
END_TEST

START_TEST(several_records_and_fragments_share_one_datagram)
{
    struct fixture fx;
    start(&fx);
    uint8_t body[BUF_MAX], frags[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    /* record 1: two fragments; record 2: the last one */
    size_t f = fragment(1, 0, body, len, 0, 10, frags);
    f += fragment(1, 0, body, len, 10, 20, frags + f);
    size_t n = record(22, VERSION_DTLSv1_0, 0, frags, f, dgram);
    f = fragment(1, 0, body, len, 30, len - 30, frags);
    n += record(22, VERSION_DTLSv1_0, 0, frags, f, dgram + n);
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 1);
    ck_assert_ptr_nonnull(strstr(vec_line(&fx.ev, 0), " records=3 "));
    ck_assert_uint_eq(fx.st.dir[DIR_C2S].records, 2);
    stop(&fx);
}
END_TEST

/* Every order of four overlapping pieces gives the same message. */
START_TEST(overlapping_fragments_in_every_order_are_joined)
{
    static const size_t pieces[][2] = {{0, 10}, {5, 30}, {25, 45}, {40, 999}}; /* all needed */
    static const size_t orders[][4] = {
        {0, 1, 2, 3}, {0, 1, 3, 2}, {0, 2, 1, 3}, {0, 2, 3, 1}, {0, 3, 1, 2}, {0, 3, 2, 1},
        {1, 0, 2, 3}, {1, 0, 3, 2}, {1, 2, 0, 3}, {1, 2, 3, 0}, {1, 3, 0, 2}, {1, 3, 2, 0},
        {2, 0, 1, 3}, {2, 0, 3, 1}, {2, 1, 0, 3}, {2, 1, 3, 0}, {2, 3, 0, 1}, {2, 3, 1, 0},
        {3, 0, 1, 2}, {3, 0, 2, 1}, {3, 1, 0, 2}, {3, 1, 2, 0}, {3, 2, 0, 1}, {3, 2, 1, 0},
    };
    for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
        size_t ordered[4][2];
        for (size_t i = 0; i < 4; i++) {
            ordered[i][0] = pieces[orders[o][i]][0];
            ordered[i][1] = pieces[orders[o][i]][1];
        }
        send_fragments((const size_t(*)[2])ordered, 4);
    }
}
END_TEST

/* One-byte fragments, odd offsets first, then the even ones backwards: the holes close one
 * by one and the spans merge into the message. */
START_TEST(one_byte_fragments_in_scrambled_order_are_joined)
{
    size_t pieces[60][2];
    size_t n = 0;
    for (size_t at = 1; at < 60; at += 2) {
        pieces[n][0] = at;
        pieces[n++][1] = at + 1;
    }
    for (size_t at = 60; at >= 2; at -= 2) {
        pieces[n][0] = at - 2;
        pieces[n++][1] = at - 1;
    }
    ck_assert_uint_eq(n, 60);
    send_fragments((const size_t(*)[2])pieces, 60);
}
END_TEST

/* RFC 6347 4.2.2 header of a fragment at offset with one byte, of a message claiming length. */
static size_t one_byte_fragment(uint8_t type, uint16_t seq, uint32_t length, uint32_t offset,
                                uint8_t *out)
{
    uint8_t frag[DTLS_HS_HEADER + 1] = {
        type, (uint8_t)(length >> 16), (uint8_t)(length >> 8), (uint8_t)length,
        (uint8_t)(seq >> 8), (uint8_t)seq, (uint8_t)(offset >> 16), (uint8_t)(offset >> 8),
        (uint8_t)offset, 0, 0, 1, 0x42,
    };
    return record(22, VERSION_DTLSv1_2, 0, frag, sizeof(frag), out);
}

START_TEST(fragment_claiming_256_kib_holds_only_its_bytes)
{
    struct fixture fx;
    start(&fx);
    uint8_t dgram[BUF_MAX];
    size_t n = one_byte_fragment(11, 0, 256 * 1024, 256 * 1024 - 1, dgram);
    feed(&fx, DIR_S2C, dgram, n);
    const struct dtls_message *m = &fx.ds.dir[DIR_S2C].msg;
    ck_assert(m->active);
    ck_assert_uint_eq(m->received, 1);
    ck_assert_uint_eq(m->n_spans, 1);
    /* a one-byte block and an array of two spans, each with the allocator's overhead */
    ck_assert_uint_eq(m->heap,
                      budget_heap_size(1) + budget_heap_size(2 * sizeof(struct dtls_span)));
    n = one_byte_fragment(11, 0, 256 * 1024, 7, dgram);
    feed(&fx, DIR_S2C, dgram, n);
    ck_assert_uint_eq(m->received, 2);
    ck_assert_uint_eq(m->n_spans, 2);
    ck_assert_uint_eq(fx.ev.n, 0);
    stop(&fx);
}
END_TEST

START_TEST(over_budget_oldest_message_is_dropped_and_its_fragments_ignored)
{
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, 1024, &dropped);
    struct fixture older, newer;
    start(&older);
    start(&newer);
    older.st.budget = newer.st.budget = &b;
    static uint8_t body[5000];
    uint8_t frag[BUF_MAX], dgram[BUF_MAX];
    /* 600 of the 5000 bytes of a Certificate, in each flow */
    size_t n = fragment(11, 0, body, 600, 0, 600, frag);
    frag[1] = 0;
    frag[2] = 5000 >> 8;
    frag[3] = 5000 & 0xff;
    n = record(22, VERSION_DTLSv1_2, 0, frag, n, dgram);
    feed(&older, DIR_S2C, dgram, n);
    ck_assert_uint_eq(b.used, older.ds.dir[DIR_S2C].msg.heap);
    feed(&newer, DIR_S2C, dgram, n);
    ck_assert_uint_eq(dropped, 1);
    ck_assert_uint_eq(older.ev.n, 1);
    ck_assert_str_eq(vec_line(&older.ev, 0),
                     "handshake certificate message_seq=0 truncated=budget have=600 need=5000");
    ck_assert(older.ev.any_malformed);
    ck_assert_uint_eq(newer.ev.n, 0);
    ck_assert_uint_eq(b.used, newer.ds.dir[DIR_S2C].msg.heap);
    /* the dropped message's later fragments are ignored; the next message is read */
    feed(&older, DIR_S2C, dgram, n);
    n = whole_message(14, 1, body, 0, VERSION_DTLSv1_2, dgram);
    feed(&older, DIR_S2C, dgram, n);
    ck_assert_uint_eq(older.ev.n, 2);
    ck_assert_str_eq(vec_line(&older.ev, 1), "handshake server_hello_done length=0");
    struct tls_sink sink = vec_sink(&older.ev);
    dtls_finish(&older.ds, &older.st, &sink);
    ck_assert_uint_eq(older.ev.n, 2);
    stop(&newer);
    ck_assert_uint_eq(b.used, 0);
    stop(&older);
}
END_TEST

START_TEST(retransmitted_flight_is_counted_not_repeated)
{
    struct fixture fx;
    start(&fx);
    uint8_t body[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    size_t n = whole_message(1, 0, body, len, VERSION_DTLSv1_0, dgram);
    feed(&fx, DIR_C2S, dgram, n);
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 1);
    ck_assert_uint_eq(fx.ds.dir[DIR_C2S].retransmitted, 1);
    struct fields f;
    fields_init(&f, "close", NULL);
    dtls_describe(&fx.ds, &fx.st, &f);
    ck_assert_uint_eq(fields_find(&f, "retransmitted_c2s")->num, 1);
    ck_assert_uint_eq(fields_find(&f, "records_c2s")->num, 2);
    stop(&fx);
}
END_TEST

START_TEST(missing_fragment_is_reported_at_the_end)
{
    struct fixture fx;
    start(&fx);
    uint8_t body[BUF_MAX], frag[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    size_t n = fragment(1, 0, body, len, 0, 30, frag);
    n = record(22, VERSION_DTLSv1_0, 0, frag, n, dgram);
    feed(&fx, DIR_C2S, dgram, n);
    struct tls_sink sink = vec_sink(&fx.ev);
    dtls_finish(&fx.ds, &fx.st, &sink);
    ck_assert_uint_eq(fx.ev.n, 1);
    ck_assert_str_eq(vec_line(&fx.ev, 0),
                     "handshake client_hello message_seq=0 truncated=handshake have=30 need=60");
    stop(&fx);
}
END_TEST

START_TEST(fragment_past_its_message_is_malformed)
{
    struct fixture fx;
    start(&fx);
    uint8_t body[BUF_MAX], frag[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    size_t n = fragment(1, 0, body, len, 40, 30, frag); /* 40 + 30 > 60 */
    n = record(22, VERSION_DTLSv1_0, 0, frag, n, dgram);
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 1);
    ck_assert_str_eq(vec_line(&fx.ev, 0), "handshake client_hello malformed=fragment_offset "
                                          "expected=fragment_offset\\x20+\\x20fragment_length"
                                          "\\x20<\\x3d\\x20length");
    stop(&fx);
}
END_TEST

START_TEST(later_epoch_is_encrypted_and_first_handshake_after_ccs_is_finished)
{
    struct fixture fx;
    start(&fx);
    static const uint8_t ccs[] = {1};
    static const uint8_t sealed[40] = {0};
    uint8_t dgram[BUF_MAX];
    size_t n = record(20, VERSION_DTLSv1_2, 0, ccs, sizeof(ccs), dgram);
    n += record(22, VERSION_DTLSv1_2, 1, sealed, sizeof(sealed), dgram + n);
    n += record(23, VERSION_DTLSv1_2, 1, sealed, 30, dgram + n);
    n += record(21, VERSION_DTLSv1_2, 1, sealed, 26, dgram + n);
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 3);
    ck_assert_str_eq(vec_line(&fx.ev, 0), "change_cipher_spec");
    ck_assert_str_eq(vec_line(&fx.ev, 1),
                     "encrypted content_type=handshake length=40 inferred=finished");
    ck_assert_str_eq(vec_line(&fx.ev, 2), "alert encrypted=true length=26");
    ck_assert(fx.st.dir[DIR_C2S].finished);
    ck_assert_uint_eq(fx.st.dir[DIR_C2S].encrypted_records, 3);
    stop(&fx);
}
END_TEST

START_TEST(dtls13_unified_header_records_are_counted_encrypted)
{
    struct fixture fx;
    start(&fx);
    /* RFC 9147 4: 0 0 1 C=0 S=1 L=1 E=10, sequence 16 bits, length 5, then a record with no
     * length (L=0), filling the rest */
    static const uint8_t dgram[] = {0x2e, 0x00, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5,
                                    0x22, 0x02, 9, 9, 9, 9};
    feed(&fx, DIR_S2C, dgram, sizeof(dgram));
    ck_assert_uint_eq(fx.ev.n, 0);
    ck_assert_uint_eq(fx.st.dir[DIR_S2C].encrypted_records, 2);
    ck_assert_uint_eq(fx.st.dir[DIR_S2C].records, 2);
    stop(&fx);
}
END_TEST

START_TEST(implausible_record_header_is_malformed)
{
    struct fixture fx;
    start(&fx);
    static const uint8_t body[] = {0};
    uint8_t dgram[BUF_MAX];
    size_t n = record(22, VERSION_TLSv1_2, 0, body, sizeof(body), dgram);
    feed(&fx, DIR_C2S, dgram, n);
    ck_assert_uint_eq(fx.ev.n, 1);
    ck_assert_str_eq(vec_line(&fx.ev, 0),
                     "record malformed=record_header expected=content\\x20type\\x2020-26,"
                     "\\x20version\\x20254.x,\\x20length\\x20<\\x3d\\x2018432 at=0");
    stop(&fx);
}
END_TEST

START_TEST(every_prefix_of_a_client_hello_datagram_is_reported)
{
    uint8_t body[BUF_MAX], dgram[BUF_MAX];
    size_t len = client_hello_body(NULL, 0, body);
    size_t total = whole_message(1, 0, body, len, VERSION_DTLSv1_0, dgram);
    for (size_t n = 1; n < total; n++) {
        struct fixture fx;
        start(&fx);
        feed(&fx, DIR_C2S, dgram, n);
        struct tls_sink sink = vec_sink(&fx.ev);
        dtls_finish(&fx.ds, &fx.st, &sink);
        ck_assert_msg(fx.ev.n == 1 && fx.ev.any_malformed, "prefix %zu: %zu events", n,
                      fx.ev.n);
        ck_assert(!fx.st.client_hello_seen);
        stop(&fx);
    }
}
END_TEST

Suite *suite_dtls(void)
{
    Suite *s = suite_create("dtls");
    TCase *tc = tcase_create("handshake");
    tcase_add_test(tc, client_hello_cookie_is_read_between_session_id_and_cipher_suites);
    tcase_add_test(tc, hello_verify_request_then_client_hello_with_cookie);
    tcase_add_test(tc, fragments_in_order_are_joined);
    tcase_add_test(tc, fragments_out_of_order_and_overlapping_are_joined);
    tcase_add_test(tc, overlapping_fragments_in_every_order_are_joined);
    tcase_add_test(tc, one_byte_fragments_in_scrambled_order_are_joined);
    tcase_add_test(tc, fragment_claiming_256_kib_holds_only_its_bytes);
    tcase_add_test(tc, over_budget_oldest_message_is_dropped_and_its_fragments_ignored);
    tcase_add_test(tc, several_records_and_fragments_share_one_datagram);
    tcase_add_test(tc, retransmitted_flight_is_counted_not_repeated);
    tcase_add_test(tc, missing_fragment_is_reported_at_the_end);
    tcase_add_test(tc, fragment_past_its_message_is_malformed);
    suite_add_tcase(s, tc);
    tc = tcase_create("records");
    tcase_add_test(tc, later_epoch_is_encrypted_and_first_handshake_after_ccs_is_finished);
    tcase_add_test(tc, dtls13_unified_header_records_are_counted_encrypted);
    tcase_add_test(tc, implausible_record_header_is_malformed);
    tcase_add_test(tc, every_prefix_of_a_client_hello_datagram_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
