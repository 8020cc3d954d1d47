/* Tests for dissectors/tls/fingerprint.c: JA3, JA3S and JA4 of hand-built hellos.
 *
 * Expected values: the JA4 ones of the first vector are the published example of the JA4
 * specification (FoxIO technical_details/JA4.md: ja4, ja4_r, ja4_o, ja4_ro), the vector being
 * built with exactly its cipher suites, extensions and signature algorithms (plus GREASE,
 * which the specification ignores). Every other expected string was written by hand from the
 * JA3 README and JA4.md, and its hash computed with Python's hashlib, e.g.
 *   hashlib.md5(b"771,49199-156,,,").hexdigest()
 *   hashlib.sha256(b"009c,c02f").hexdigest()[:12] */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "base/fields.h"
#include "tls/hello.h"
#include "output/output.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

#define RANDOM_11                                                                                  \
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,      \
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,  \
        0x11, 0x11

#define HRR_RANDOM                                                                                 \
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8,      \
        0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,  \
        0x33, 0x9c

#define STREAM_MAX 1024

/* One handshake message in one record, as the stream of one direction. */
static size_t make_record(uint8_t type, const uint8_t *body, size_t len, uint8_t *stream)
{
    ck_assert_uint_le(len + 9, STREAM_MAX);
    uint8_t header[9] = {0x16, 0x03, 0x03, (uint8_t)((len + 4) >> 8), (uint8_t)(len + 4), type,
                         0x00, (uint8_t)(len >> 8), (uint8_t)len};
    memcpy(stream, header, sizeof(header));
    memcpy(stream + sizeof(header), body, len);
    return len + sizeof(header);
}

static void feed_message(struct tls_state *st, enum dir d, uint8_t type, const uint8_t *body,
                         size_t len, size_t chunk, struct vec_events *ev)
{
    uint8_t stream[STREAM_MAX];
    size_t n = make_record(type, body, len, stream);
    vec_feed(st, d, stream, n, chunk, ev);
}

/* The value of key=... in a line (up to the next space), or "" if absent. */
static const char *field_of(const char *line, const char *key, char *out, size_t cap)
{
    char needle[64];
    snprintf(needle, sizeof(needle), " %s=", key);
    const char *p = strstr(line, needle);
    out[0] = '\0';
    if (p == NULL) {
        return out;
    }
    p += strlen(needle);
    size_t n = strcspn(p, " ");
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void assert_field(const char *line, const char *key, const char *expected)
{
    char value[2048];
    field_of(line, key, value, sizeof(value));
    ck_assert_msg(strcmp(value, expected) == 0, "%s: expected %s, got %s in: %s", key, expected,
                  value, line);
}

/* The JA4.md example ClientHello (cipher, extension and signature algorithm lists in its
 * order), with GREASE in the cipher suites, extensions, groups and versions. */
static const uint8_t spec_hello[] = {
    0x03, 0x03, /* legacy_version TLS 1.2 */
    RANDOM_11,  /* random */
    0x00,       /* legacy_session_id: empty */
    0x00, 0x20, /* cipher_suites: 16 */
    0x0a, 0x0a, /* GREASE */
    0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30,
    0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f,
    0x00, 0x35,
    0x01, 0x00, /* compression_methods: null */
    0x00, 0xaa, /* extensions: 170 bytes */
    0x1a, 0x1a, 0x00, 0x00,             /* GREASE, empty */
    0x00, 0x1b, 0x00, 0x03, 0x02, 0x00, 0x02, /* compress_certificate: brotli */
    0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, /* server_name: host_name, 11 */
    'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
    0x00, 0x33, 0x00, 0x0c, 0x00, 0x0a, /* key_share: client_shares 10 */
    0x2a, 0x2a, 0x00, 0x01, 0x00,       /* GREASE share, 1 byte */
    0x00, 0x1d, 0x00, 0x01, 0x11,       /* x25519 (short: not judged here) */
    0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, /* application_layer_protocol_negotiation: 12 */
    0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
    0x44, 0x69, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2', /* application_settings: h2 */
    0x00, 0x17, 0x00, 0x00,             /* extended_main_secret */
    0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, /* psk_key_exchange_modes: psk_dhe_ke */
    0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, /* signature_algorithms: 8 */
    0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06,
    0x06, 0x01,
    0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, /* status_request: ocsp */
    0x00, 0x23, 0x00, 0x00,             /* session_ticket: empty */
    0x00, 0x12, 0x00, 0x00,             /* signed_certificate_timestamp */
    0x00, 0x2b, 0x00, 0x07, 0x06,       /* supported_versions: 3 */
    0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03, /* GREASE, TLS 1.3, TLS 1.2 */
    0xff, 0x01, 0x00, 0x01, 0x00,       /* renegotiation_info: empty */
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, /* ec_point_formats: uncompressed */
    0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, /* supported_groups: 4 */
    0x4a, 0x4a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, /* GREASE, x25519, secp256r1, secp384r1 */
    0x5a, 0x5a, 0x00, 0x01, 0x00,       /* GREASE, 1 byte */
    0x00, 0x15, 0x00, 0x02, 0x00, 0x00, /* padding: 2 zero bytes */
};

START_TEST(ja4_of_the_specification_example_with_grease_everywhere)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, spec_hello, sizeof(spec_hello), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_msg(!ev.any_malformed, "%s", vec_line(&ev, 0));
    const char *line = vec_line(&ev, 0);
    assert_field(line, "ja4", "t13d1516h2_8daaf6152771_e5627efa2ab1");
    assert_field(line, "ja4_r",
                 "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,"
                 "cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,"
                 "ff01_0403,0804,0401,0503,0805,0501,0806,0601");
    assert_field(line, "ja4_o", "t13d1516h2_acb858a92679_18f69afefd3d");
    assert_field(line, "ja4_ro",
                 "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,"
                 "002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,"
                 "000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601");
    /* JA3 keeps wire order and drops GREASE from ciphers, extensions and groups. */
    assert_field(line, "ja3_string",
                 "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-"
                 "47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0");
    assert_field(line, "ja3", "c000e2caf3a25423f9de6c8a4b12a975");
    ck_assert_str_eq(st.ja3, "c000e2caf3a25423f9de6c8a4b12a975");
    ck_assert_str_eq(st.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(fingerprint_fields_come_last_and_long_ones_need_verbose)
{
    struct tls_state st;
    struct fields f;
    tls_state_init(&st);
    fields_init(&f, "handshake", "client_hello");
    ck_assert(dissect_client_hello(cur_make(spec_hello, sizeof(spec_hello)), &st, &f));
    static const char *const keys[] = {"ja3", "ja3_string", "ja4", "ja4_r", "ja4_o", "ja4_ro"};
    static const uint8_t levels[] = {0, 1, 0, 1, 1, 1};
    size_t first = f.n - 6;
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(f.f[first + i].key, keys[i]);
        ck_assert_uint_eq(f.f[first + i].level, levels[i]);
    }
    ck_assert_uint_eq(f.level, 0);
    tls_state_free(&st);
}
END_TEST

START_TEST(client_hello_split_across_segments_has_the_same_fingerprints)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, spec_hello, sizeof(spec_hello), 0, &ev);
    char whole[VEC_LINE_MAX];
    snprintf(whole, sizeof(whole), "%s", vec_line(&ev, 0));
    vec_events_free(&ev);
    tls_state_free(&st);
    static const size_t chunks[] = {1, 2, 7, 64, 100};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        tls_state_init(&st);
        vec_events_init(&ev);
        feed_message(&st, DIR_C2S, 1, spec_hello, sizeof(spec_hello), chunks[i], &ev);
        ck_assert_uint_eq(ev.n, 1);
        ck_assert_str_eq(vec_line(&ev, 0), whole);
        ck_assert_str_eq(st.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

/* The prefix that ends after compression_methods is a whole ClientHello without extensions. */
#define SPEC_HELLO_NO_EXTENSIONS (2 + 32 + 1 + 2 + 32 + 2)

START_TEST(every_prefix_of_a_client_hello_gets_no_fingerprint)
{
    ck_assert_uint_eq(spec_hello[SPEC_HELLO_NO_EXTENSIONS - 1], 0x00);
    for (size_t n = 0; n < sizeof(spec_hello); n++) {
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        feed_message(&st, DIR_C2S, 1, spec_hello, n, 0, &ev);
        ck_assert_uint_eq(ev.n, 1);
        const char *line = vec_line(&ev, 0);
        if (n == SPEC_HELLO_NO_EXTENSIONS) {
            ck_assert_msg(!ev.any_malformed, "%s", line);
            assert_field(line, "ja4", "t12i150000_8daaf6152771_000000000000");
        } else {
            ck_assert_msg(ev.any_malformed, "prefix %zu: %s", n, line);
            ck_assert_msg(strstr(line, " ja3=") == NULL, "prefix %zu: %s", n, line);
            ck_assert_msg(strstr(line, " ja4=") == NULL, "prefix %zu: %s", n, line);
            ck_assert_str_eq(st.ja3, "");
        }
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

START_TEST(client_hello_without_extensions_leaves_fields_empty)
{
    static const uint8_t body[] = {
        0x03, 0x03,             /* legacy_version TLS 1.2 */
        RANDOM_11,              /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x04, 0xc0, 0x2f, /* cipher_suites: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
        0x00, 0x9c,             /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
        0x01, 0x00,             /* compression_methods: null; no extensions follow */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), 0, &ev);
    const char *line = vec_line(&ev, 0);
    /* JA3 README: with no extensions the last three fields are left empty. */
    assert_field(line, "ja3_string", "771,49199-156,,,");
    assert_field(line, "ja3", "1d5b2c24c9fb46b333b668810869e7fb");
    /* JA4.md: no SNI 'i', no ALPN "00", legacy_version 12; no extensions: twelve zeros. */
    assert_field(line, "ja4", "t12i020000_08dfa304a768_000000000000");
    assert_field(line, "ja4_r", "t12i020000_009c,c02f_");
    assert_field(line, "ja4_o", "t12i020000_30e27a760b10_000000000000");
    assert_field(line, "ja4_ro", "t12i020000_c02f,009c_");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(sni_alone_leaves_the_sorted_extension_list_empty)
{
    static const uint8_t body[] = {
        0x03, 0x03,             /* legacy_version TLS 1.2 */
        RANDOM_11,              /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x02, 0x00, 0x2f, /* cipher_suites: TLS_RSA_WITH_AES_128_CBC_SHA */
        0x01, 0x00,             /* compression_methods: null */
        0x00, 0x0a,             /* extensions: 10 bytes */
        0x00, 0x00, 0x00, 0x06, /* server_name, 6 bytes */
        0x00, 0x04, 0x00,       /* server_name_list 4, host_name */
        0x00, 0x01, 'a',        /* "a" */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), 0, &ev);
    const char *line = vec_line(&ev, 0);
    assert_field(line, "ja3_string", "771,47,0,,");
    assert_field(line, "ja3", "6169fabc98e3e6c9690301eaf306d632");
    /* SNI counts as an extension in section a but stays out of the sorted list. */
    assert_field(line, "ja4", "t12d010100_ba72b8082249_000000000000");
    assert_field(line, "ja4_r", "t12d010100_002f_");
    assert_field(line, "ja4_o", "t12d010100_ba72b8082249_9af15b336e6a");
    assert_field(line, "ja4_ro", "t12d010100_002f_0000");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* No SNI, no signature algorithms, one two-byte ALPN name patched in at ALPN_AT. */
static const uint8_t alpn_hello[] = {
    0x03, 0x03,                   /* legacy_version TLS 1.2 */
    RANDOM_11,                    /* random */
    0x00,                         /* legacy_session_id: empty */
    0x00, 0x02, 0x13, 0x01,       /* cipher_suites: TLS_AES_128_GCM_SHA256 */
    0x01, 0x00,                   /* compression_methods: null */
    0x00, 0x10,                   /* extensions: 16 bytes */
    0x00, 0x10, 0x00, 0x05,       /* application_layer_protocol_negotiation, 5 bytes */
    0x00, 0x03, 0x02, 'h', '2',   /* protocol_name_list 3: "h2" (patched) */
    0x00, 0x2b, 0x00, 0x03, 0x02, /* supported_versions: 1 */
    0x03, 0x04,                   /* TLS 1.3 */
};
#define ALPN_AT (2 + 32 + 1 + 4 + 2 + 2 + 4 + 3)

static void check_alpn(uint8_t first, uint8_t last, const char *ja4)
{
    uint8_t body[sizeof(alpn_hello)];
    memcpy(body, alpn_hello, sizeof(body));
    body[ALPN_AT] = first;
    body[ALPN_AT + 1] = last;
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), 0, &ev);
    assert_field(vec_line(&ev, 0), "ja4", ja4);
    vec_events_free(&ev);
    tls_state_free(&st);
}

START_TEST(alpn_characters_or_their_hex_when_not_alphanumeric)
{
    ck_assert_uint_eq(alpn_hello[ALPN_AT], 'h');
    /* JA4.md: supported_versions gives 13; no SNI; the extension hash is of "002b" alone
     * (no signature algorithms, so no underscore). */
    check_alpn('h', '2', "t13i0102h2_0f2cb44170f4_b9a491fefe05");
    /* JA4.md examples: 0xAB 0xCD -> "ad"; 0x30 0xAB -> "3b" (high nibble of the first byte,
     * low nibble of the last); and the first ALPN of the public tls-non-ascii-alpn capture. */
    check_alpn(0xab, 0xcd, "t13i0102ad_0f2cb44170f4_b9a491fefe05");
    check_alpn(0x30, 0xab, "t13i01023b_0f2cb44170f4_b9a491fefe05");
    check_alpn(0xba, 0xad, "t13i0102bd_0f2cb44170f4_b9a491fefe05");
    check_alpn('h', '/', "t13i01026f_0f2cb44170f4_b9a491fefe05");

    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, alpn_hello, sizeof(alpn_hello), 0, &ev);
    const char *line = vec_line(&ev, 0);
    assert_field(line, "ja4_r", "t13i0102h2_1301_002b");
    assert_field(line, "ja4_o", "t13i0102h2_0f2cb44170f4_ec9826f46f9c");
    assert_field(line, "ja4_ro", "t13i0102h2_1301_0010,002b");
    /* JA3 uses legacy_version, not supported_versions. */
    assert_field(line, "ja3_string", "771,4865,16-43,,");
    assert_field(line, "ja3", "79df54cc919bc7c4ddd6219a82771e7e");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Fingerprints are cached by the facts they are made of (fingerprint.c): a repeated offer
 * gets the same fields and the connection its ja3/ja4, and an offer differing in one byte
 * of its ALPN never gets another's. */
START_TEST(repeated_offers_get_the_same_fingerprints_and_others_their_own)
{
    static const char *const want[] = {"t13i0102h2_0f2cb44170f4_b9a491fefe05",
                                       "t13i0102h3_0f2cb44170f4_b9a491fefe05",
                                       "t13i0102h2_0f2cb44170f4_b9a491fefe05"};
    char first_line[4096] = "";
    for (size_t i = 0; i < 3; i++) {
        uint8_t body[sizeof(alpn_hello)];
        memcpy(body, alpn_hello, sizeof(body));
        body[ALPN_AT + 1] = i == 1 ? '3' : '2';
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        feed_message(&st, DIR_C2S, 1, body, sizeof(body), 0, &ev);
        assert_field(vec_line(&ev, 0), "ja4", want[i]);
        ck_assert_str_eq(st.ja4, want[i]);
        ck_assert_str_eq(st.ja3, "79df54cc919bc7c4ddd6219a82771e7e");
        if (i == 0) {
            snprintf(first_line, sizeof(first_line), "%s", vec_line(&ev, 0));
        } else if (i == 2) {
            ck_assert_str_eq(vec_line(&ev, 0), first_line);
        }
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

/* The longest protocol name (255 bytes) is a fact like any other: two offers differing only
 * in its first and last bytes get their own JA4. */
START_TEST(longest_alpn_names_are_told_apart)
{
    static const char *const want[] = {"t13i0102ab", "t13i0102cd"};
    for (size_t i = 0; i < 2; i++) {
        uint8_t body[sizeof(alpn_hello) + 253];
        size_t n = 0;
        memcpy(body, alpn_hello, ALPN_AT - 9); /* up to the extensions block length */
        n = ALPN_AT - 9;
        size_t ext_len = 4 + 2 + 1 + 255 + 7;
        body[n++] = (uint8_t)(ext_len >> 8);
        body[n++] = (uint8_t)ext_len;
        const uint8_t alpn_head[] = {0x00, 0x10, 0x01, 0x02, 0x01, 0x00, 0xff};
        memcpy(body + n, alpn_head, sizeof(alpn_head)); /* ext 16, 258 bytes, list 256, name 255 */
        n += sizeof(alpn_head);
        memset(body + n, 'x', 255);
        body[n] = (uint8_t)(i == 0 ? 'a' : 'c');
        body[n + 254] = (uint8_t)(i == 0 ? 'b' : 'd');
        n += 255;
        const uint8_t versions[] = {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04};
        memcpy(body + n, versions, sizeof(versions));
        n += sizeof(versions);
        struct tls_state st;
        struct vec_events ev;
        tls_state_init(&st);
        vec_events_init(&ev);
        feed_message(&st, DIR_C2S, 1, body, n, 0, &ev);
        ck_assert_msg(strncmp(st.ja4, want[i], 10) == 0, "%s", st.ja4);
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

static const uint8_t hrr_body[] = {
    0x03, 0x03,                         /* legacy_version */
    HRR_RANDOM,                         /* random = SHA-256("HelloRetryRequest") */
    0x00,                               /* legacy_session_id_echo: empty */
    0x13, 0x02,                         /* cipher_suite TLS_AES_256_GCM_SHA384 */
    0x00,                               /* compression */
    0x00, 0x06,                         /* extensions: 6 bytes */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions TLS 1.3 */
};

static const uint8_t server_hello_body[] = {
    0x03, 0x03,                         /* legacy_version */
    RANDOM_11,                          /* random */
    0x00,                               /* legacy_session_id_echo: empty */
    0x13, 0x01,                         /* cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00,                               /* compression */
    0x00, 0x0a,                         /* extensions: 10 bytes */
    0x0a, 0x0a, 0x00, 0x00,             /* GREASE, empty */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions TLS 1.3 */
};

START_TEST(hello_retry_request_exchange_fingerprints_each_hello)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, spec_hello, sizeof(spec_hello), 0, &ev);
    feed_message(&st, DIR_S2C, 2, hrr_body, sizeof(hrr_body), 0, &ev);
    feed_message(&st, DIR_C2S, 1, alpn_hello, sizeof(alpn_hello), 0, &ev);
    feed_message(&st, DIR_S2C, 2, server_hello_body, sizeof(server_hello_body), 0, &ev);
    ck_assert_uint_eq(ev.n, 4);
    assert_field(vec_line(&ev, 0), "ja3", "c000e2caf3a25423f9de6c8a4b12a975");
    ck_assert_msg(strncmp(vec_line(&ev, 1), "handshake hello_retry_request ", 30) == 0, "%s",
                  vec_line(&ev, 1));
    assert_field(vec_line(&ev, 1), "ja3s_string", "771,4866,43");
    assert_field(vec_line(&ev, 1), "ja3s", "13b064e3d43575147f6ca25c24556a31");
    assert_field(vec_line(&ev, 2), "ja3", "79df54cc919bc7c4ddd6219a82771e7e");
    /* JA3S drops the GREASE extension too. */
    assert_field(vec_line(&ev, 3), "ja3s_string", "771,4865,43");
    assert_field(vec_line(&ev, 3), "ja3s", "cce84e7a8b742462e40afb585a3e3ccc");
    /* The close line gets the first ClientHello's and the ServerHello's (not the HRR's). */
    ck_assert_str_eq(st.ja3, "c000e2caf3a25423f9de6c8a4b12a975");
    ck_assert_str_eq(st.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    ck_assert_str_eq(st.ja3s, "cce84e7a8b742462e40afb585a3e3ccc");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* JA3S MD5s are memoised by their string (fingerprint.c): more distinct ServerHellos than the
 * memo holds, round after round, each get the MD5 of their own string. */
START_TEST(repeated_server_hellos_get_the_md5_of_their_own_string)
{
    enum { KINDS = 100 };
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < KINDS; i++) {
            uint8_t body[sizeof(server_hello_body)];
            memcpy(body, server_hello_body, sizeof(body));
            body[2 + 32 + 1 + 1] = (uint8_t)i; /* cipher suite 0x13<i> */
            struct tls_state st;
            struct vec_events ev;
            tls_state_init(&st);
            vec_events_init(&ev);
            feed_message(&st, DIR_S2C, 2, body, sizeof(body), 0, &ev);
            char text[32], want[33];
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int n = 0;
            snprintf(text, sizeof(text), "771,%d,43", 0x1300 + i);
            ck_assert(EVP_Digest(text, strlen(text), md, &n, EVP_md5(), NULL) == 1);
            for (unsigned int k = 0; k < 16; k++) {
                snprintf(want + 2 * k, 3, "%02x", md[k]);
            }
            ck_assert_msg(strcmp(st.ja3s, want) == 0, "round %d, %s: %s, not %s", round, text,
                          st.ja3s, want);
            vec_events_free(&ev);
            tls_state_free(&st);
        }
    }
}
END_TEST

START_TEST(malformed_hellos_get_no_fingerprint)
{
    uint8_t body[sizeof(alpn_hello)];
    memcpy(body, alpn_hello, sizeof(body));
    body[ALPN_AT - 1] = 0; /* an empty protocol name: RFC 7301 ProtocolName<1..2^8-1> */
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed_message(&st, DIR_C2S, 1, body, sizeof(body), 0, &ev);
    ck_assert_msg(strstr(vec_line(&ev, 0), "malformed=alpn") != NULL, "%s", vec_line(&ev, 0));
    ck_assert_ptr_null(strstr(vec_line(&ev, 0), " ja3="));
    ck_assert_ptr_null(strstr(vec_line(&ev, 0), " ja4="));
    ck_assert_str_eq(st.ja3, "");
    ck_assert_str_eq(st.ja4, "");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(sslv2_client_hello_gets_ja3_of_its_tls_suites_only)
{
    static const uint8_t stream[] = {
        0x80, 0x22,       /* SSLv2 record header, length 34 */
        0x01,             /* msg_type client_hello */
        0x03, 0x01,       /* version TLS 1.0 */
        0x00, 0x09,       /* cipher_spec_length 9 */
        0x00, 0x00,       /* session_id_length 0 */
        0x00, 0x10,       /* challenge_length 16 */
        0x00, 0x00, 0x04, /* TLS_RSA_WITH_RC4_128_MD5 */
        0x01, 0x00, 0x80, /* SSL_CK_RC4_128_WITH_MD5: no JA3 value */
        0x00, 0x00, 0x05, /* TLS_RSA_WITH_RC4_128_SHA */
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* challenge */
        0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    vec_feed(&st, DIR_C2S, stream, sizeof(stream), 0, &ev);
    ck_assert_uint_eq(ev.n, 1);
    assert_field(vec_line(&ev, 0), "ja3_string", "769,4-5,,,");
    assert_field(vec_line(&ev, 0), "ja3", "1d70598d8ccdfcb836bfeb091ab8e469");
    ck_assert_ptr_null(strstr(vec_line(&ev, 0), " ja4"));
    ck_assert_str_eq(st.ja3, "1d70598d8ccdfcb836bfeb091ab8e469");
    ck_assert_str_eq(st.ja4, "");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(more_values_than_kept_skips_the_fingerprint)
{
    /* 600 unassigned cipher suites (0x7001..0x7258), past the 512 kept per list. */
    enum { SUITES = 600 };
    uint8_t body[2 + 32 + 1 + 2 + 2 * SUITES + 2];
    size_t n = 0;
    body[n++] = 0x03;
    body[n++] = 0x03;
    memset(body + n, 0x11, 32);
    n += 32;
    body[n++] = 0x00;
    body[n++] = (uint8_t)((2 * SUITES) >> 8);
    body[n++] = (uint8_t)(2 * SUITES);
    for (unsigned i = 1; i <= SUITES; i++) {
        body[n++] = (uint8_t)((0x7000 + i) >> 8);
        body[n++] = (uint8_t)(0x7000 + i);
    }
    body[n++] = 0x01;
    body[n++] = 0x00;
    ck_assert_uint_eq(n, sizeof(body));
    struct tls_state st;
    struct fields f;
    tls_state_init(&st);
    fields_init(&f, "handshake", "client_hello");
    ck_assert(dissect_client_hello(cur_make(body, sizeof(body)), &st, &f));
    const struct field *skipped = fields_find(&f, "fingerprint_skipped");
    ck_assert_ptr_nonnull(skipped);
    struct cursor value = fields_value(&f, skipped);
    ck_assert(cur_equal(value, (const uint8_t *)"too_many_values", 15));
    ck_assert_ptr_null(fields_find(&f, "ja3"));
    ck_assert_ptr_null(fields_find(&f, "ja4"));
    tls_state_free(&st);
}
END_TEST

/* The digests are FIELD_NAME (copied as is by text output): each must really be bare, the
 * ALPN characters of JA4 included when they are not alphanumeric. */
START_TEST(digests_are_bare_fields)
{
    static const char *const keys[] = {"ja3", "ja4", "ja4_o"};
    uint8_t body[sizeof(alpn_hello)];
    memcpy(body, alpn_hello, sizeof(body));
    body[ALPN_AT] = 0xab;
    body[ALPN_AT + 1] = ' ';
    const struct {
        const uint8_t *bytes;
        size_t len;
    } hellos[] = {{spec_hello, sizeof(spec_hello)}, {body, sizeof(body)}};
    for (size_t h = 0; h < sizeof(hellos) / sizeof(hellos[0]); h++) {
        struct tls_state st;
        static struct fields f;
        tls_state_init(&st);
        fields_init(&f, "handshake", "client_hello");
        ck_assert(dissect_client_hello(cur_make(hellos[h].bytes, hellos[h].len), &st, &f));
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            const struct field *fd = fields_find(&f, keys[k]);
            ck_assert_ptr_nonnull(fd);
            ck_assert_int_eq(fd->type, FIELD_NAME);
            ck_assert(out_text_is_plain(fields_value(&f, fd), true));
        }
        tls_state_free(&st);
    }
}
END_TEST

Suite *suite_fingerprint(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ja4_of_the_specification_example_with_grease_everywhere);
    tcase_add_test(tc, digests_are_bare_fields);
    tcase_add_test(tc, fingerprint_fields_come_last_and_long_ones_need_verbose);
    tcase_add_test(tc, client_hello_split_across_segments_has_the_same_fingerprints);
    tcase_add_test(tc, every_prefix_of_a_client_hello_gets_no_fingerprint);
    tcase_add_test(tc, client_hello_without_extensions_leaves_fields_empty);
    tcase_add_test(tc, sni_alone_leaves_the_sorted_extension_list_empty);
    tcase_add_test(tc, alpn_characters_or_their_hex_when_not_alphanumeric);
    tcase_add_test(tc, repeated_offers_get_the_same_fingerprints_and_others_their_own);
    tcase_add_test(tc, longest_alpn_names_are_told_apart);
    tcase_add_test(tc, hello_retry_request_exchange_fingerprints_each_hello);
    tcase_add_test(tc, repeated_server_hellos_get_the_md5_of_their_own_string);
    tcase_add_test(tc, malformed_hellos_get_no_fingerprint);
    tcase_add_test(tc, sslv2_client_hello_gets_ja3_of_its_tls_suites_only);
    tcase_add_test(tc, more_values_than_kept_skips_the_fingerprint);
    suite_add_tcase(s, tc);
    return s;
}
