/* The handshake memory budget (dissectors/base/budget.c) and the TCP join buffer charged to
 * it (dissectors/tls/handshake.c): oldest message dropped first, with its line and counter,
 * buffers that follow the bytes that came, messages past 256 KiB dissected. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "base/budget.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

struct holder {
    struct budget_entry entry;
    int evictions;
};

static void holder_evicted(struct budget_entry *e)
{
    ((struct holder *)e)->evictions++;
}

START_TEST(oldest_message_is_dropped_first)
{
    struct budget b;
    uint64_t dropped = 0;
    struct holder h[3];
    memset(h, 0, sizeof(h));
    budget_init(&b, 1000, &dropped);
    ck_assert(budget_charge(&b, &h[0].entry, 400, holder_evicted));
    ck_assert(budget_charge(&b, &h[1].entry, 400, holder_evicted));
    /* h[0] grows later, but it started first: it is still the oldest */
    ck_assert(budget_charge(&b, &h[0].entry, 500, holder_evicted));
    ck_assert_uint_eq(b.used, 900);
    ck_assert(budget_charge(&b, &h[2].entry, 300, holder_evicted));
    ck_assert_int_eq(h[0].evictions, 1);
    ck_assert_int_eq(h[1].evictions, 0);
    ck_assert(!h[0].entry.listed);
    ck_assert_uint_eq(b.used, 700);
    ck_assert_uint_eq(dropped, 1);
    budget_release(&b, &h[1].entry);
    budget_release(&b, &h[2].entry);
    budget_release(&b, &h[0].entry); /* not listed any more: nothing to give back */
    ck_assert_uint_eq(b.used, 0);
    ck_assert_ptr_null(b.oldest);
    ck_assert_ptr_null(b.newest);
}
END_TEST

/* Room for memory held while one message is read: granted only within the limit, never by
 * dropping a holder; a refusal leaves the charge as it was and counts as a dropped message. */
START_TEST(charge_within_drops_no_holder)
{
    struct budget b;
    uint64_t dropped = 0;
    struct holder h[2];
    memset(h, 0, sizeof(h));
    budget_init(&b, 1000, &dropped);
    ck_assert(budget_charge(&b, &h[0].entry, 600, holder_evicted));
    ck_assert(budget_charge_within(&b, &h[1].entry, 400, holder_evicted));
    ck_assert(!budget_charge_within(&b, &h[1].entry, 401, holder_evicted));
    ck_assert_uint_eq(h[1].entry.charged, 400);
    ck_assert_uint_eq(b.used, 1000);
    ck_assert_uint_eq(dropped, 1);
    ck_assert(budget_charge_within(&b, &h[1].entry, 100, holder_evicted)); /* less: granted */
    ck_assert(!budget_charge_within(&b, &h[1].entry, (size_t)-1, holder_evicted));
    ck_assert_int_eq(h[0].evictions + h[1].evictions, 0);
    ck_assert(h[0].entry.listed);
    ck_assert_uint_eq(b.used, 700);
    ck_assert_uint_eq(dropped, 2);
    budget_release(&b, &h[0].entry);
    budget_release(&b, &h[1].entry);
    ck_assert_uint_eq(b.used, 0);
    ck_assert(budget_charge_within(NULL, &h[0].entry, (size_t)-1, holder_evicted));
}
END_TEST

START_TEST(heap_sizes_count_the_allocator_overhead)
{
    ck_assert_uint_eq(budget_heap_size(0), 0);
    ck_assert_uint_eq(budget_heap_size(1), 32);
    ck_assert_uint_eq(budget_heap_size(24), 32);
    ck_assert_uint_eq(budget_heap_size(25), 48);
    ck_assert_uint_eq(budget_heap_size(4096), 4112);
}
END_TEST

START_TEST(growing_message_that_is_oldest_is_itself_dropped)
{
    struct budget b;
    uint64_t dropped = 0;
    struct holder h[2];
    memset(h, 0, sizeof(h));
    budget_init(&b, 1000, &dropped);
    ck_assert(budget_charge(&b, &h[0].entry, 600, holder_evicted));
    ck_assert(budget_charge(&b, &h[1].entry, 100, holder_evicted));
    ck_assert(!budget_charge(&b, &h[0].entry, 1200, holder_evicted));
    ck_assert_int_eq(h[0].evictions, 0); /* the caller drops its own message */
    ck_assert(!h[0].entry.listed);
    ck_assert_uint_eq(b.used, 100);
    ck_assert_uint_eq(dropped, 1);
    ck_assert(budget_charge(NULL, &h[0].entry, 1u << 30, holder_evicted)); /* no budget */
}
END_TEST

/* A TLS 1.2 handshake message of the given type and body length, cut into handshake records
 * of at most 16384 bytes (RFC 5246 6.2.1); body bytes are filled by the caller at *body. */
static uint8_t *records_for(uint8_t type, const uint8_t *body, size_t body_len, size_t *len)
{
    size_t msg_len = 4 + body_len;
    size_t n_records = (msg_len + 16383) / 16384;
    uint8_t *out = malloc(msg_len + 5 * n_records);
    uint8_t *msg = malloc(msg_len);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(msg);
    msg[0] = type;
    msg[1] = (uint8_t)(body_len >> 16);
    msg[2] = (uint8_t)(body_len >> 8);
    msg[3] = (uint8_t)body_len;
    memcpy(msg + 4, body, body_len);
    size_t at = 0;
    for (size_t off = 0; off < msg_len; off += 16384) {
        size_t n = msg_len - off < 16384 ? msg_len - off : 16384;
        uint8_t header[5] = {0x16, 0x03, 0x03, (uint8_t)(n >> 8), (uint8_t)n};
        memcpy(out + at, header, 5);
        memcpy(out + at + 5, msg + off, n);
        at += 5 + n;
    }
    free(msg);
    *len = at;
    return out;
}

/* Feeds bytes to the record layer without ending the stream (vec_feed ends it). */
static void feed_open(struct tls_state *st, enum dir d, const uint8_t *bytes, size_t len,
                      struct vec_events *ev)
{
    struct tls_sink sink = vec_sink(ev);
    ck_assert_uint_eq(rec_consume(st, d, cur_make(bytes, len), &sink), len);
}

START_TEST(join_buffer_follows_bytes_that_came_not_claimed_length)
{
    static const uint8_t stream[] = {
        0x16, 0x03, 0x03, 0x00, 0x14, /* record: handshake, length 20 */
        0x0b, 0x10, 0x00, 0x00,       /* certificate, length 2^20 claimed */
        0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
        0xab,
    };
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, BUDGET_DEFAULT_BYTES, &dropped);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.budget = &b;
    vec_events_init(&ev);
    feed_open(&st, DIR_S2C, stream, sizeof(stream), &ev);
    ck_assert_uint_eq(ev.n, 0);
    ck_assert_uint_eq(st.dir[DIR_S2C].hs_len, 20);
    ck_assert_uint_le(st.dir[DIR_S2C].hs_cap, 256);
    ck_assert_uint_eq(b.used, budget_heap_size(st.dir[DIR_S2C].hs_cap));
    struct tls_sink sink = vec_sink(&ev);
    rec_finish(&st, DIR_S2C, cur_make(NULL, 0), &sink);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake certificate truncated=handshake have=20 need=1048580");
    ck_assert_uint_eq(b.used, 0);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* A self-signed certificate with a private extension of pad bytes: a real chain of this
 * size (hundreds of KB) is what the 256 KiB cap used to drop. */
static int make_big_cert(size_t pad, unsigned char **der)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ck_assert_ptr_nonnull(key);
    ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                         (const unsigned char *)"big.example", -1, -1, 0) == 1);
    ck_assert(X509_set_version(x, 2) == 1);
    ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 7) == 1);
    ck_assert(X509_set_subject_name(x, name) == 1);
    ck_assert(X509_set_issuer_name(x, name) == 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key) == 1);
    ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1);
    ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
    unsigned char *bytes = malloc(pad);
    ck_assert_ptr_nonnull(bytes);
    memset(bytes, 0x5a, pad);
    ck_assert(ASN1_OCTET_STRING_set(value, bytes, (int)pad) == 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, value);
    ck_assert_ptr_nonnull(ext);
    ck_assert(X509_add_ext(x, ext, -1) == 1);
    ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
    *der = NULL;
    int len = i2d_X509(x, der);
    ck_assert_int_gt(len, 0);
    free(bytes);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(value);
    ASN1_OBJECT_free(oid);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(key);
    return len;
}

START_TEST(certificate_message_over_256_kib_is_dissected)
{
    unsigned char *der;
    size_t der_len = (size_t)make_big_cert(340 * 1000, &der);
    /* RFC 5246 7.4.2: opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>; */
    size_t body_len = 3 + 3 + der_len;
    uint8_t *body = malloc(body_len);
    ck_assert_ptr_nonnull(body);
    size_t list_len = 3 + der_len;
    uint8_t prefix[6] = {(uint8_t)(list_len >> 16), (uint8_t)(list_len >> 8), (uint8_t)list_len,
                         (uint8_t)(der_len >> 16),  (uint8_t)(der_len >> 8),  (uint8_t)der_len};
    memcpy(body, prefix, 6);
    memcpy(body + 6, der, der_len);
    size_t len;
    uint8_t *stream = records_for(0x0b, body, body_len, &len);
    ck_assert_uint_gt(body_len, 256 * 1024);

    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, BUDGET_DEFAULT_BYTES, &dropped);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.budget = &b;
    vec_events_init(&ev);
    vec_feed(&st, DIR_S2C, stream, len, 1448, &ev); /* in TCP segments of a 1500-byte MTU */
    ck_assert_uint_eq(ev.n, 2);
    char expected[160];
    snprintf(expected, sizeof(expected),
             "handshake certificate length=%zu records=%zu certificates=1 certificate_lengths=%zu",
             body_len, (body_len + 4 + 16383) / 16384, der_len);
    ck_assert_str_eq(vec_line(&ev, 0), expected);
    snprintf(expected, sizeof(expected), "x509 index=0 length=%zu subject=", der_len);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), expected));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "subject=CN\\x3dbig.example "));
    ck_assert_str_eq(st.server_cert.subject, "CN=big.example");
    ck_assert_uint_eq(dropped, 0);
    ck_assert_uint_eq(b.used, 0); /* given back once the message was whole */
    ck_assert_ptr_null(st.dir[DIR_S2C].hs_buf);
    vec_events_free(&ev);
    tls_state_free(&st);
    free(stream);
    free(body);
    OPENSSL_free(der);
}
END_TEST

/* The first 5004 bytes (one record) of a Certificate message claiming 100000 bytes. */
static uint8_t *partial_certificate(size_t *len)
{
    size_t body_len = 5000;
    uint8_t *stream = malloc(5 + 4 + body_len);
    ck_assert_ptr_nonnull(stream);
    uint8_t header[9] = {0x16, 0x03, 0x03, 0x13, 0x8c, 0x0b, 0x01, 0x86, 0xa0};
    memcpy(stream, header, sizeof(header));
    memset(stream + sizeof(header), 0x33, body_len);
    *len = sizeof(header) + body_len;
    return stream;
}

START_TEST(over_budget_oldest_unfinished_message_is_dropped_with_marker)
{
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, 8192, &dropped);
    struct tls_state older, newer;
    struct vec_events ev_older, ev_newer;
    tls_state_init(&older);
    tls_state_init(&newer);
    older.budget = newer.budget = &b;
    vec_events_init(&ev_older);
    vec_events_init(&ev_newer);
    size_t len;
    uint8_t *partial = partial_certificate(&len);
    feed_open(&older, DIR_S2C, partial, len, &ev_older);
    ck_assert_uint_eq(b.used, budget_heap_size(5004));
    feed_open(&newer, DIR_S2C, partial, len, &ev_newer);
    /* the second message does not fit beside the first: the first, older, goes */
    ck_assert_uint_eq(dropped, 1);
    ck_assert_uint_eq(b.used, budget_heap_size(5004));
    ck_assert_uint_eq(ev_newer.n, 0);
    ck_assert_uint_eq(ev_older.n, 1);
    ck_assert_str_eq(vec_line(&ev_older, 0),
                     "handshake certificate length=100000 truncated=budget have=5004 need=100004");
    ck_assert_ptr_null(older.dir[DIR_S2C].hs_buf);
    ck_assert_uint_eq(newer.dir[DIR_S2C].hs_len, 5004);

    /* the rest of the dropped message is passed over; the message after it is read */
    size_t rest = 100004 - 5004;
    uint8_t *more = calloc(1, rest + 5 * 8 + 9);
    ck_assert_ptr_nonnull(more);
    size_t at = 0;
    while (rest > 0) {
        size_t n = rest < 16384 ? rest : 16384;
        uint8_t header[5] = {0x16, 0x03, 0x03, (uint8_t)(n >> 8), (uint8_t)n};
        memcpy(more + at, header, 5);
        at += 5 + n;
        rest -= n;
    }
    static const uint8_t done[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
    memcpy(more + at, done, sizeof(done));
    at += sizeof(done);
    feed_open(&older, DIR_S2C, more, at, &ev_older);
    ck_assert_uint_eq(ev_older.n, 2);
    ck_assert_str_eq(vec_line(&ev_older, 1), "handshake server_hello_done length=0");
    ck_assert_uint_eq(b.used, budget_heap_size(5004)); /* only the newer message's */
    struct tls_sink sink = vec_sink(&ev_older);
    rec_finish(&older, DIR_S2C, cur_make(NULL, 0), &sink);
    ck_assert_uint_eq(ev_older.n, 2); /* the dropped message has had its one line */

    tls_state_free(&newer);
    ck_assert_uint_eq(b.used, 0);
    tls_state_free(&older);
    vec_events_free(&ev_older);
    vec_events_free(&ev_newer);
    free(more);
    free(partial);
}
END_TEST

START_TEST(message_larger_than_budget_drops_itself)
{
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, 4096, &dropped);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.budget = &b;
    vec_events_init(&ev);
    size_t len;
    uint8_t *partial = partial_certificate(&len);
    feed_open(&st, DIR_S2C, partial, len, &ev);
    ck_assert_uint_eq(dropped, 1);
    ck_assert_uint_eq(b.used, 0);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake certificate length=100000 truncated=budget have=5004 need=100004");
    ck_assert(ev.any_malformed);
    vec_events_free(&ev);
    tls_state_free(&st);
    free(partial);
}
END_TEST

/* A record that came in part is held by the record layer (all bytes are consumed), charged
 * once its header is in, and given back when it completes. */
START_TEST(record_in_part_is_held_charged_and_given_back)
{
    size_t len;
    uint8_t *partial = partial_certificate(&len); /* one record of 5009 bytes */
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, BUDGET_DEFAULT_BYTES, &dropped);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.budget = &b;
    vec_events_init(&ev);
    feed_open(&st, DIR_S2C, partial, 3, &ev); /* not a header yet: held, not charged */
    ck_assert_uint_eq(st.dir[DIR_S2C].rec_len, 3);
    ck_assert_uint_eq(b.used, 0);
    feed_open(&st, DIR_S2C, partial + 3, 1000, &ev);
    ck_assert_uint_eq(st.dir[DIR_S2C].rec_len, 1003);
    ck_assert_uint_le(st.dir[DIR_S2C].rec_cap, 2 * 1003);
    ck_assert_uint_eq(b.used, budget_heap_size(st.dir[DIR_S2C].rec_cap));
    feed_open(&st, DIR_S2C, partial + 1003, len - 1003, &ev);
    ck_assert_uint_eq(st.dir[DIR_S2C].rec_len, 0);
    ck_assert_ptr_null(st.dir[DIR_S2C].rec_buf);
    ck_assert_uint_eq(st.dir[DIR_S2C].records, 1);
    ck_assert_uint_eq(b.used, budget_heap_size(st.dir[DIR_S2C].hs_cap)); /* the message only */
    ck_assert_uint_eq(ev.n, 0);
    vec_events_free(&ev);
    tls_state_free(&st);
    ck_assert_uint_eq(b.used, 0);
    free(partial);
}
END_TEST

/* Over the budget, the oldest holder is a record in part: its direction is given up, with
 * one line, and its later bytes are counted, not read. */
START_TEST(record_in_part_over_budget_gives_up_its_direction)
{
    size_t len;
    uint8_t *partial = partial_certificate(&len);
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, 4096, &dropped);
    struct tls_state older, newer;
    struct vec_events ev_older, ev_newer;
    tls_state_init(&older);
    tls_state_init(&newer);
    older.budget = newer.budget = &b;
    vec_events_init(&ev_older);
    vec_events_init(&ev_newer);
    feed_open(&older, DIR_S2C, partial, 3000, &ev_older);
    feed_open(&newer, DIR_S2C, partial, 3000, &ev_newer);
    ck_assert_uint_eq(dropped, 1);
    ck_assert_uint_eq(ev_older.n, 1);
    ck_assert_str_eq(vec_line(&ev_older, 0), "record content_type=handshake length=5004 "
                                             "truncated=budget have=3000 need=5009 at=0");
    ck_assert(older.dir[DIR_S2C].abandoned);
    ck_assert_uint_eq(b.used, budget_heap_size(newer.dir[DIR_S2C].rec_cap));
    feed_open(&older, DIR_S2C, partial + 3000, len - 3000, &ev_older);
    static const uint8_t done[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
    feed_open(&older, DIR_S2C, done, sizeof(done), &ev_older);
    struct tls_sink sink = vec_sink(&ev_older);
    rec_finish(&older, DIR_S2C, cur_make(NULL, 0), &sink);
    ck_assert_uint_eq(ev_older.n, 1);
    ck_assert_uint_eq(older.dir[DIR_S2C].consumed, len + sizeof(done));
    tls_state_free(&older);
    tls_state_free(&newer);
    ck_assert_uint_eq(b.used, 0);
    vec_events_free(&ev_older);
    vec_events_free(&ev_newer);
    free(partial);
}
END_TEST

/* RFC 8446 4: uint24 length, so 2^24-1 bytes is the largest message; it fits the default
 * budget and is dissected (message_hash, a type without a decoder: its name and length,
 * then the start of its bytes at -vv). */
START_TEST(largest_message_the_protocol_allows_is_joined)
{
    size_t body_len = (1u << 24) - 1;
    uint8_t *body = calloc(1, body_len);
    ck_assert_ptr_nonnull(body);
    size_t len;
    uint8_t *stream = records_for(0xfe, body, body_len, &len);
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, BUDGET_DEFAULT_BYTES, &dropped);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    st.budget = &b;
    vec_events_init(&ev);
    feed_open(&st, DIR_S2C, stream, len, &ev);
    ck_assert_uint_eq(ev.n, 1);
    static const char want[] = "handshake message_hash length=16777215 records=1025 body=00";
    ck_assert_int_eq(strncmp(vec_line(&ev, 0), want, strlen(want)), 0);
    ck_assert_uint_eq(dropped, 0);
    ck_assert_uint_eq(b.used, 0);
    vec_events_free(&ev);
    tls_state_free(&st);
    free(stream);
    free(body);
}
END_TEST

/* TLS 1.2: a record the client began before the server's Finished is held; the skimming
 * that Finished starts reads it from its header, not from the middle. */
START_TEST(record_held_when_skimming_starts_is_skimmed_whole)
{
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    uint8_t finished[5 + 40] = {0x16, 0x03, 0x03, 0x00, 0x28};
    uint8_t data[5 + 100] = {0x17, 0x03, 0x03, 0x00, 0x64};
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_open(&st, DIR_C2S, ccs, sizeof(ccs), &ev);
    feed_open(&st, DIR_C2S, finished, sizeof(finished), &ev);
    feed_open(&st, DIR_C2S, data, 35, &ev); /* application data, in part */
    ck_assert_uint_eq(st.dir[DIR_C2S].rec_len, 35);
    feed_open(&st, DIR_S2C, ccs, sizeof(ccs), &ev);
    feed_open(&st, DIR_S2C, finished, sizeof(finished), &ev);
    ck_assert(st.skimming);
    feed_open(&st, DIR_C2S, data + 35, sizeof(data) - 35, &ev);
    feed_open(&st, DIR_C2S, data, sizeof(data), &ev);
    ck_assert(!vec_contains(&ev, "desync"));
    ck_assert_uint_eq(st.dir[DIR_C2S].records, 4);
    ck_assert_uint_eq(st.dir[DIR_C2S].consumed, sizeof(ccs) + sizeof(finished) + 2 * sizeof(data));
    ck_assert_ptr_null(st.dir[DIR_C2S].rec_buf);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

Suite *suite_budget(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, oldest_message_is_dropped_first);
    tcase_add_test(tc, heap_sizes_count_the_allocator_overhead);
    tcase_add_test(tc, growing_message_that_is_oldest_is_itself_dropped);
    tcase_add_test(tc, charge_within_drops_no_holder);
    tcase_add_test(tc, join_buffer_follows_bytes_that_came_not_claimed_length);
    tcase_add_test(tc, certificate_message_over_256_kib_is_dissected);
    tcase_add_test(tc, largest_message_the_protocol_allows_is_joined);
    tcase_add_test(tc, over_budget_oldest_unfinished_message_is_dropped_with_marker);
    tcase_add_test(tc, message_larger_than_budget_drops_itself);
    tcase_add_test(tc, record_in_part_is_held_charged_and_given_back);
    tcase_add_test(tc, record_in_part_over_budget_gives_up_its_direction);
    tcase_add_test(tc, record_held_when_skimming_starts_is_skimmed_whole);
    suite_add_tcase(s, tc);
    return s;
}
