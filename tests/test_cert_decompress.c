/* Tests for dissectors/tls/cert_decompress.c and the CompressedCertificate path of
 * handshake.c (RFC 8879 4): a Certificate compressed here by each algorithm's own encoder
 * (zlib compress2, BrotliEncoderCompress, ZSTD_compress) gives the lines the plain message
 * gives; wrong lengths, bombs, garbage, cut streams and unknown algorithms are reported on the
 * line, and the memory used is charged to the budget and given back. Decompression runs when
 * the user gave keys; without, the line is as it always was. */
#include <brotli/encode.h>
#include <check.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "base/budget.h"
#include "base/names.h"
#include "crypto/keylog.h"
#include "suites.h"
#include "tls/cert_decompress.h"
#include "tls/handshake.h"
#include "tls/inference_check.h"
#include "tls/tls.h"
#include "vectors.h"

struct bytes {
    uint8_t *p;
    size_t len;
};

static void bytes_free(struct bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

/* A self-signed P-256 certificate named cn, DER-encoded. */
static struct bytes make_cert(const char *cn)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ck_assert_ptr_nonnull(key);
    ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                         -1, -1, 0) == 1);
    ck_assert(X509_set_version(x, 2) == 1);
    ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 25) == 1);
    ck_assert(X509_set_subject_name(x, name) == 1);
    ck_assert(X509_set_issuer_name(x, name) == 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key) == 1);
    ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    ck_assert_int_gt(len, 0);
    struct bytes b = {malloc((size_t)len), (size_t)len};
    ck_assert_ptr_nonnull(b.p);
    memcpy(b.p, der, (size_t)len);
    OPENSSL_free(der);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(key);
    return b;
}

static void put_u24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

/* RFC 8446 4.4.2: a TLS 1.3 Certificate body (empty context) holding two certificates, each
 * entry with an empty extension block. */
static struct bytes certificate_body(void)
{
    struct bytes leaf = make_cert("leaf.compressed.example");
    struct bytes ca = make_cert("ca.compressed.example");
    size_t list_len = 3 + leaf.len + 2 + 3 + ca.len + 2;
    struct bytes b = {malloc(1 + 3 + list_len), 1 + 3 + list_len};
    ck_assert_ptr_nonnull(b.p);
    uint8_t *p = b.p;
    *p++ = 0x00; /* certificate_request_context: empty */
    put_u24(p, list_len);
    p += 3;
    const struct bytes *ders[2] = {&leaf, &ca};
    for (size_t i = 0; i < 2; i++) {
        put_u24(p, ders[i]->len);
        memcpy(p + 3, ders[i]->p, ders[i]->len);
        p += 3 + ders[i]->len;
        *p++ = 0x00; /* extensions: none */
        *p++ = 0x00;
    }
    bytes_free(&leaf);
    bytes_free(&ca);
    return b;
}

/* plain compressed with algorithm's own encoder, at its best ratio. */
static struct bytes compress_with(uint16_t algorithm, const uint8_t *plain, size_t len)
{
    size_t cap = len + len / 8 + 1024;
    struct bytes out = {malloc(cap), cap};
    ck_assert_ptr_nonnull(out.p);
    switch (algorithm) {
    case CERT_COMPRESSION_zlib: {
        uLongf n = (uLongf)cap;
        ck_assert_int_eq(compress2(out.p, &n, plain, (uLong)len, Z_BEST_COMPRESSION), Z_OK);
        out.len = n;
        break;
    }
    case CERT_COMPRESSION_brotli:
        ck_assert(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                        BROTLI_MODE_GENERIC, len, plain, &out.len, out.p));
        break;
    case CERT_COMPRESSION_zstd:
        out.len = ZSTD_compress(out.p, cap, plain, len, ZSTD_maxCLevel());
        ck_assert(!ZSTD_isError(out.len));
        break;
    default:
        ck_abort_msg("no encoder for algorithm %u", algorithm);
    }
    return out;
}

/* RFC 8879 4: a CompressedCertificate body: algorithm, uncompressed_length (the claim), then
 * the compressed message with its u24 length. */
static struct bytes compressed_certificate(uint16_t algorithm, size_t claim,
                                           const uint8_t *data, size_t len)
{
    struct bytes b = {malloc(2 + 3 + 3 + len), 2 + 3 + 3 + len};
    ck_assert_ptr_nonnull(b.p);
    b.p[0] = (uint8_t)(algorithm >> 8);
    b.p[1] = (uint8_t)algorithm;
    put_u24(b.p + 2, claim);
    put_u24(b.p + 5, len);
    memcpy(b.p + 8, data, len);
    return b;
}

/* The user gave keys (none of which these messages need): decompression runs only then. */
static struct keylog_table *user_keys;

static void make_user_keys(void)
{
    user_keys = keylog_table_new(0);
    ck_assert_ptr_nonnull(user_keys);
}

static void free_user_keys(void)
{
    keylog_table_free(user_keys);
    user_keys = NULL;
}

static void tls13_state(struct tls_state *st, struct budget *budget)
{
    tls_state_init(st);
    st->client_hello_seen = true;
    st->server_hello_seen = true;
    st->version = VERSION_TLSv1_3;
    st->cipher_suite = CIPHER_TLS_AES_128_GCM_SHA256;
    st->is_tls13 = true;
    st->budget = budget;
    st->keys = user_keys;
}

/* One whole message through handshake.c, the path joined records and QUIC CRYPTO take. */
static void run_message(struct tls_state *st, uint8_t type, struct bytes body,
                        struct vec_events *ev)
{
    struct tls_sink sink = vec_sink(ev);
    hs_dissect_message(st, DIR_S2C, type, cur_make(body.p, body.len), 0, 1, &sink);
}

static const uint16_t algorithms[] = {CERT_COMPRESSION_zlib, CERT_COMPRESSION_brotli,
                                      CERT_COMPRESSION_zstd};
#define ALGORITHMS (sizeof(algorithms) / sizeof(algorithms[0]))

static const char *algorithm_name(uint16_t algorithm)
{
    static char buf[NAMES_BUF];
    return names_format(NAMES_CERT_COMPRESSION, algorithm, buf, sizeof(buf));
}

/* The same chain, plain and compressed: the compressed line is the CompressedCertificate
 * header then what the plain line says after its length, and the x509 lines are identical. */
START_TEST(compressed_chain_reads_as_the_plain_certificate)
{
    uint16_t algorithm = algorithms[_i];
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(algorithm, plain.p, plain.len);
    struct bytes body = compressed_certificate(algorithm, plain.len, packed.p, packed.len);
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, BUDGET_DEFAULT_BYTES, &dropped);

    struct tls_state plain_st, st;
    struct vec_events plain_ev, ev;
    tls13_state(&plain_st, &b);
    tls13_state(&st, &b);
    vec_events_init(&plain_ev);
    vec_events_init(&ev);
    run_message(&plain_st, HS_certificate, plain, &plain_ev);
    run_message(&st, HS_compressed_certificate, body, &ev);

    ck_assert_uint_eq(plain_ev.n, 3);
    ck_assert_uint_eq(ev.n, 3);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "handshake certificate length=%zu ", plain.len);
    const char *plain_line = vec_line(&plain_ev, 0);
    ck_assert_int_eq(strncmp(plain_line, prefix, strlen(prefix)), 0);
    char want[512];
    snprintf(want, sizeof(want),
             "handshake compressed_certificate length=%zu algorithm=%s uncompressed_length=%zu "
             "compressed_length=%zu %s",
             body.len, algorithm_name(algorithm), plain.len, packed.len,
             plain_line + strlen(prefix));
    ck_assert_str_eq(vec_line(&ev, 0), want);
    ck_assert_ptr_nonnull(strstr(want, " certificates=2 certificate_lengths="));
    ck_assert_str_eq(vec_line(&ev, 1), vec_line(&plain_ev, 1));
    ck_assert_str_eq(vec_line(&ev, 2), vec_line(&plain_ev, 2));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), " subject=CN\\x3dleaf.compressed.example "));
    ck_assert(!ev.any_malformed);
    ck_assert_uint_eq(st.cert_count[DIR_S2C], 2);
    ck_assert(st.server_cert.known);
    ck_assert_str_eq(st.server_cert.subject, "CN=leaf.compressed.example");
    ck_assert_uint_eq(b.used, 0); /* the decompression's memory is given back */
    ck_assert_uint_eq(dropped, 0);

    vec_events_free(&plain_ev);
    vec_events_free(&ev);
    tls_state_free(&plain_st);
    tls_state_free(&st);
    bytes_free(&plain);
    bytes_free(&packed);
    bytes_free(&body);
}
END_TEST

/* Without keys nothing changes: a CompressedCertificate can only be in the clear if its peer
 * broke TLS 1.3, and keyless output stays what it was, the header's fields. */
START_TEST(without_keys_the_line_is_the_header_only)
{
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(CERT_COMPRESSION_brotli, plain.p, plain.len);
    struct bytes body = compressed_certificate(CERT_COMPRESSION_brotli, plain.len, packed.p,
                                               packed.len);
    struct tls_state st;
    tls13_state(&st, NULL);
    st.keys = NULL;
    struct vec_events ev;
    vec_events_init(&ev);
    run_message(&st, HS_compressed_certificate, body, &ev);
    ck_assert_uint_eq(ev.n, 1);
    char want[256];
    snprintf(want, sizeof(want),
             "handshake compressed_certificate length=%zu algorithm=brotli "
             "uncompressed_length=%zu compressed_length=%zu",
             body.len, plain.len, packed.len);
    ck_assert_str_eq(vec_line(&ev, 0), want);
    ck_assert_uint_eq(st.cert_count[DIR_S2C], 0);
    vec_events_free(&ev);
    tls_state_free(&st);
    bytes_free(&plain);
    bytes_free(&packed);
    bytes_free(&body);
}
END_TEST

/* Runs body and returns its single line (the caller frees ev). */
static const char *only_line(uint8_t type, struct bytes body, struct budget *b,
                             struct vec_events *ev)
{
    struct tls_state st;
    tls13_state(&st, b);
    vec_events_init(ev);
    run_message(&st, type, body, ev);
    ck_assert_uint_eq(ev->n, 1);
    ck_assert_uint_eq(st.cert_count[DIR_S2C], 0);
    ck_assert(!st.server_cert.known);
    tls_state_free(&st);
    return vec_line(ev, 0);
}

#define EXPECTED_LENGTH                                                                        \
    "malformed=compressed_certificate "                                                        \
    "expected=exactly\\x20uncompressed_length\\x20bytes\\x20once\\x20decompressed"
#define EXPECTED_DATA                                                                          \
    "malformed=compressed_certificate expected=compressed\\x20data\\x20its\\x20algorithm"     \
    "\\x20decodes,\\x20ending\\x20with\\x20the\\x20message"

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* RFC 8879 4: "the connection MUST be terminated with the bad_certificate alert" when the
 * decompressed size differs from uncompressed_length, one byte fewer or more claimed. */
START_TEST(uncompressed_length_other_than_the_size_is_malformed)
{
    uint16_t algorithm = algorithms[_i];
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(algorithm, plain.p, plain.len);
    const size_t claims[] = {plain.len - 1, plain.len + 1, 0, 1};
    for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
        struct bytes body = compressed_certificate(algorithm, claims[i], packed.p, packed.len);
        struct budget b;
        budget_init(&b, BUDGET_DEFAULT_BYTES, NULL);
        struct vec_events ev;
        const char *line = only_line(HS_compressed_certificate, body, &b, &ev);
        ck_assert_msg(ends_with(line, EXPECTED_LENGTH), "claim %zu: %s", claims[i], line);
        ck_assert_ptr_null(strstr(line, "certificates="));
        ck_assert_uint_eq(b.used, 0);
        vec_events_free(&ev);
        bytes_free(&body);
    }
    bytes_free(&plain);
    bytes_free(&packed);
}
END_TEST

/* A bomb: 1 MiB of zeros claimed as 100 bytes. The output stops at 101 bytes, the one past
 * the claim that proves it wrong, and the line says so. */
START_TEST(bomb_stops_one_byte_past_the_claim)
{
    uint16_t algorithm = algorithms[_i];
    size_t big = 1u << 20;
    uint8_t *zeros = calloc(1, big);
    ck_assert_ptr_nonnull(zeros);
    struct bytes packed = compress_with(algorithm, zeros, big);
    ck_assert_uint_lt(packed.len, 8192);

    struct budget b;
    budget_init(&b, BUDGET_DEFAULT_BYTES, NULL);
    struct cert_decompressed out;
    cert_decompressed_init(&out, &b);
    ck_assert_int_eq(cert_decompress(&out, algorithm, cur_make(packed.p, packed.len), 100),
                     CERT_DECOMPRESS_TOO_LONG);
    ck_assert_uint_eq(out.cap, 101);
    ck_assert_uint_eq(out.len, 101);
    ck_assert_uint_eq(b.used, budget_heap_size(101)); /* the decoder's memory is back */
    cert_decompressed_free(&out);
    ck_assert_uint_eq(b.used, 0);

    struct bytes body = compressed_certificate(algorithm, 100, packed.p, packed.len);
    struct vec_events ev;
    ck_assert(ends_with(only_line(HS_compressed_certificate, body, &b, &ev), EXPECTED_LENGTH));
    vec_events_free(&ev);
    bytes_free(&body);
    bytes_free(&packed);
    free(zeros);
}
END_TEST

/* The largest claim (2^24-1, RFC 8879 4) and 20 MiB behind it: the output grows with what
 * comes and stops at 2^24 bytes. */
START_TEST(bomb_behind_the_largest_claim_stops_at_it)
{
    size_t big = 20u << 20;
    uint8_t *zeros = calloc(1, big);
    ck_assert_ptr_nonnull(zeros);
    struct bytes packed = compress_with(CERT_COMPRESSION_zstd, zeros, big);
    struct cert_decompressed out;
    cert_decompressed_init(&out, NULL);
    ck_assert_int_eq(cert_decompress(&out, CERT_COMPRESSION_zstd,
                                     cur_make(packed.p, packed.len), 0xffffff),
                     CERT_DECOMPRESS_TOO_LONG);
    ck_assert_uint_eq(out.cap, 1u << 24);
    cert_decompressed_free(&out);
    bytes_free(&packed);
    free(zeros);
}
END_TEST

/* Bytes no decoder reads, a stream cut one byte short, a stream followed by one more byte. */
START_TEST(garbage_cut_or_trailing_data_is_malformed)
{
    uint16_t algorithm = algorithms[_i];
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(algorithm, plain.p, plain.len);
    uint8_t garbage[64];
    for (size_t i = 0; i < sizeof(garbage); i++) {
        garbage[i] = (uint8_t)(0xc3 ^ (i * 37));
    }
    uint8_t *trailing = malloc(packed.len + 1);
    ck_assert_ptr_nonnull(trailing);
    memcpy(trailing, packed.p, packed.len);
    trailing[packed.len] = 0x00;
    struct bytes bodies[] = {
        compressed_certificate(algorithm, plain.len, garbage, sizeof(garbage)),
        compressed_certificate(algorithm, plain.len, packed.p, packed.len - 1),
        compressed_certificate(algorithm, plain.len, trailing, packed.len + 1),
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct budget b;
        budget_init(&b, BUDGET_DEFAULT_BYTES, NULL);
        struct vec_events ev;
        const char *line = only_line(HS_compressed_certificate, bodies[i], &b, &ev);
        ck_assert_msg(ends_with(line, EXPECTED_DATA), "case %zu: %s", i, line);
        ck_assert_uint_eq(b.used, 0);
        vec_events_free(&ev);
        bytes_free(&bodies[i]);
    }
    free(trailing);
    bytes_free(&plain);
    bytes_free(&packed);
}
END_TEST

/* Data that decompresses well but is not a Certificate: the plain path's own report. */
START_TEST(decompressed_bytes_that_are_no_certificate_are_malformed_as_plain)
{
    static const uint8_t not_certificate[] = {
        0x00,             /* certificate_request_context: empty */
        0x00, 0x00, 0x09, /* certificate_list: 9 bytes, but only 4 follow */
        0x00, 0x00, 0x01, 0x30,
    };
    struct bytes plain = {(uint8_t *)not_certificate, sizeof(not_certificate)};
    struct bytes packed = compress_with(CERT_COMPRESSION_zlib, plain.p, plain.len);
    struct bytes body = compressed_certificate(CERT_COMPRESSION_zlib, plain.len, packed.p,
                                               packed.len);
    struct vec_events plain_ev, ev;
    const char *plain_line = only_line(HS_certificate, plain, NULL, &plain_ev);
    const char *line = only_line(HS_compressed_certificate, body, NULL, &ev);
    const char *report = strstr(plain_line, " malformed=");
    ck_assert_ptr_nonnull(report);
    ck_assert(ends_with(line, report));
    vec_events_free(&plain_ev);
    vec_events_free(&ev);
    bytes_free(&packed);
    bytes_free(&body);
}
END_TEST

/* RFC 8879 7.3: a code point without a decoder (reserved 0, an unassigned one) keeps the
 * line it always had: hsdump cannot tell, so nothing is called malformed. */
START_TEST(unknown_algorithm_keeps_its_line)
{
    static const uint8_t data[] = {0x01, 0x02, 0x03, 0x04};
    const uint16_t unknown[] = {0x0000, 0x1234};
    const char *want[] = {
        "handshake compressed_certificate length=12 algorithm=0x0000 uncompressed_length=300 "
        "compressed_length=4",
        "handshake compressed_certificate length=12 algorithm=0x1234 uncompressed_length=300 "
        "compressed_length=4",
    };
    for (size_t i = 0; i < 2; i++) {
        struct bytes body = compressed_certificate(unknown[i], 300, data, sizeof(data));
        struct budget b;
        budget_init(&b, BUDGET_DEFAULT_BYTES, NULL);
        struct vec_events ev;
        ck_assert_str_eq(only_line(HS_compressed_certificate, body, &b, &ev), want[i]);
        ck_assert(!ev.any_malformed);
        ck_assert_uint_eq(b.used, 0);
        vec_events_free(&ev);
        bytes_free(&body);
    }
}
END_TEST

struct holder {
    struct budget_entry entry;
    int evictions;
};

static void holder_evicted(struct budget_entry *e)
{
    ((struct holder *)e)->evictions++;
}

/* A budget without room for the decoder: truncated=budget, counted as a dropped message, and
 * the message already held (it may be this one's own joined bytes) is left alone. */
START_TEST(no_room_in_the_budget_is_truncated_and_drops_nothing_held)
{
    uint16_t algorithm = algorithms[_i];
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(algorithm, plain.p, plain.len);
    struct bytes body = compressed_certificate(algorithm, plain.len, packed.p, packed.len);
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, 8192, &dropped);
    struct holder held = {{0}, 0};
    ck_assert(budget_charge(&b, &held.entry, 8192 - 1024, holder_evicted));
    struct vec_events ev;
    const char *line = only_line(HS_compressed_certificate, body, &b, &ev);
    char want[64];
    snprintf(want, sizeof(want), " need=%zu", plain.len);
    ck_assert_ptr_nonnull(strstr(line, " truncated=budget have="));
    ck_assert(ends_with(line, want));
    ck_assert_int_eq(held.evictions, 0);
    ck_assert(held.entry.listed);
    ck_assert_uint_eq(b.used, 8192 - 1024);
    ck_assert_uint_eq(dropped, 1);
    vec_events_free(&ev);
    budget_release(&b, &held.entry);
    bytes_free(&plain);
    bytes_free(&packed);
    bytes_free(&body);
}
END_TEST

/* Every shorter copy of a valid message (its own heap block, for ASan), and every shorter
 * compressed stream with the lengths made to match it: each is malformed. */
START_TEST(every_prefix_is_malformed)
{
    uint16_t algorithm = algorithms[_i];
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(algorithm, plain.p, plain.len);
    struct bytes body = compressed_certificate(algorithm, plain.len, packed.p, packed.len);
    for (size_t n = 0; n < body.len; n++) {
        struct bytes prefix = {malloc(n > 0 ? n : 1), n};
        ck_assert_ptr_nonnull(prefix.p);
        memcpy(prefix.p, body.p, n);
        struct vec_events ev;
        (void)only_line(HS_compressed_certificate, prefix, NULL, &ev);
        ck_assert_msg(ev.any_malformed, "prefix of %zu bytes", n);
        vec_events_free(&ev);
        bytes_free(&prefix);
    }
    for (size_t n = 0; n < packed.len; n++) {
        struct bytes cut = compressed_certificate(algorithm, plain.len, packed.p, n);
        struct vec_events ev;
        (void)only_line(HS_compressed_certificate, cut, NULL, &ev);
        ck_assert_msg(ev.any_malformed, "stream cut to %zu bytes", n);
        vec_events_free(&ev);
        bytes_free(&cut);
    }
    bytes_free(&plain);
    bytes_free(&packed);
    bytes_free(&body);
}
END_TEST

/* A valid stream with one byte changed, at every position, to a value from a fixed
 * sequence: whatever the decoder makes of it, the line is either the whole chain or a report,
 * and nothing reads or writes out of bounds (run under --enable-sanitizers). */
START_TEST(stream_with_a_byte_changed_is_read_or_reported)
{
    uint16_t algorithm = algorithms[_i];
    struct bytes plain = certificate_body();
    struct bytes packed = compress_with(algorithm, plain.p, plain.len);
    uint32_t state = 2026;
    for (size_t at = 0; at < packed.len; at++) {
        struct bytes body = compressed_certificate(algorithm, plain.len, packed.p, packed.len);
        state = state * 1103515245u + 12345u;
        body.p[8 + at] ^= (uint8_t)((state >> 16) | 1);
        struct tls_state st;
        tls13_state(&st, NULL);
        struct vec_events ev;
        vec_events_init(&ev);
        run_message(&st, HS_compressed_certificate, body, &ev);
        ck_assert(ev.n == 1 ? ev.any_malformed : ev.n == 3);
        vec_events_free(&ev);
        tls_state_free(&st);
        bytes_free(&body);
    }
    bytes_free(&plain);
    bytes_free(&packed);
}
END_TEST

/* The keyless inference's label for the server flight's second record is certificate
 * (RFC 8446 4.4); sent compressed (RFC 8879 4), the decrypted record holds a
 * compressed_certificate, which is what the label meant: no disagreement. Another message
 * type there is one, so the label was checked. */
static uint32_t disagreements_with(uint8_t second_message)
{
    struct tls_state st;
    tls13_state(&st, NULL);
    struct inference_check *check = inference_check_new(&st);
    ck_assert_ptr_nonnull(check);
    const struct {
        enum dir d;
        size_t length;
        uint8_t message;
    } flight[] = {
        {DIR_S2C, 40, HS_encrypted_extensions},
        {DIR_S2C, 700, second_message},
        {DIR_S2C, 96, HS_certificate_verify},
        {DIR_S2C, 53, HS_finished}, /* 4 + 32 + 1 + 16: TLS_AES_128_GCM_SHA256 */
        {DIR_C2S, 53, HS_finished},
    };
    for (size_t i = 0; i < sizeof(flight) / sizeof(flight[0]); i++) {
        inference_check_record(check, flight[i].d, CONTENT_application_data, flight[i].length,
                               CONTENT_handshake, 1u << flight[i].message);
    }
    uint32_t n = inference_check_finish(check, &st, false);
    inference_check_free(check);
    tls_state_free(&st);
    return n;
}

START_TEST(inferred_certificate_agrees_with_a_compressed_one)
{
    ck_assert_uint_eq(disagreements_with(HS_certificate), 0);
    ck_assert_uint_eq(disagreements_with(HS_compressed_certificate), 0);
    ck_assert_uint_eq(disagreements_with(HS_new_session_ticket), 1);
}
END_TEST

Suite *suite_cert_decompress(void)
{
    Suite *s = suite_create("cert_decompress");
    TCase *tc = tcase_create("cert_decompress");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, make_user_keys, free_user_keys);
    tcase_add_loop_test(tc, compressed_chain_reads_as_the_plain_certificate, 0, ALGORITHMS);
    tcase_add_test(tc, without_keys_the_line_is_the_header_only);
    tcase_add_loop_test(tc, uncompressed_length_other_than_the_size_is_malformed, 0,
                        ALGORITHMS);
    tcase_add_loop_test(tc, bomb_stops_one_byte_past_the_claim, 0, ALGORITHMS);
    tcase_add_test(tc, bomb_behind_the_largest_claim_stops_at_it);
    tcase_add_loop_test(tc, garbage_cut_or_trailing_data_is_malformed, 0, ALGORITHMS);
    tcase_add_test(tc, decompressed_bytes_that_are_no_certificate_are_malformed_as_plain);
    tcase_add_test(tc, unknown_algorithm_keeps_its_line);
    tcase_add_loop_test(tc, no_room_in_the_budget_is_truncated_and_drops_nothing_held, 0,
                        ALGORITHMS);
    tcase_add_loop_test(tc, every_prefix_is_malformed, 0, ALGORITHMS);
    tcase_add_loop_test(tc, stream_with_a_byte_changed_is_read_or_reported, 0, ALGORITHMS);
    tcase_add_test(tc, inferred_certificate_agrees_with_a_compressed_one);
    suite_add_tcase(s, tc);
    return s;
}
