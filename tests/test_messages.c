/* Tests for dissectors/tls/key_exchange.c, certificate.c, ticket.c, simple_messages.c, alert.c and
 * x509.c: each message from a byte vector, its exact line, every shorter body, bad lengths. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tls/handshake.h"
#include "base/names.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

#define BYTES4(b) b, b, b, b
#define BYTES8(b) BYTES4(b), BYTES4(b)
#define BYTES16(b) BYTES8(b), BYTES8(b)
#define BYTES32(b) BYTES16(b), BYTES16(b)

/* The state after a ServerHello that chose version and suite: the messages after it take
 * their layout from both (RFC 5246 7.4.3: the ServerKeyExchange follows the suite). */
static void after_server_hello(struct tls_state *st, uint16_t version, uint16_t suite)
{
    tls_state_init(st);
    st->client_hello_seen = true;
    st->server_hello_seen = true;
    st->version = version;
    st->cipher_suite = suite;
    st->is_tls13 = version == VERSION_TLSv1_3;
}

/* One whole handshake message, as handshake.c hands it over once joined from its records. */
static void run_message(struct tls_state *st, enum dir d, uint8_t type, const uint8_t *body,
                        size_t len, struct vec_events *ev)
{
    struct tls_sink sink = vec_sink(ev);
    hs_dissect_message(st, d, type, cur_make(body, len), VERSION_TLSv1_2, 1, &sink);
}

/* Runs body through a copy of *tmpl and checks the single line it gives; the state after it
 * goes to *out when out is not NULL. */
static void check_line(const struct tls_state *tmpl, enum dir d, uint8_t type,
                       const uint8_t *body, size_t len, const char *want, struct tls_state *out)
{
    struct tls_state st = *tmpl;
    struct vec_events ev;
    vec_events_init(&ev);
    run_message(&st, d, type, body, len, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), want);
    vec_events_free(&ev);
    if (out != NULL) {
        *out = st;
    }
}

/* Every shorter body, with the message length shrunk to match (so only the inner lengths
 * disagree), must be reported as malformed or truncated. Each runs from a heap copy of exactly
 * that size, so a sanitizer build catches any read past it. */
static void check_every_prefix(const struct tls_state *tmpl, enum dir d, uint8_t type,
                               const uint8_t *body, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = n > 0 ? malloc(n) : NULL;
        if (n > 0) {
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, body, n);
        }
        struct tls_state st = *tmpl;
        struct vec_events ev;
        vec_events_init(&ev);
        run_message(&st, d, type, copy, n, &ev);
        ck_assert_msg(ev.n == 1, "prefix %zu of %zu gave %zu events", n, len, ev.n);
        const char *line = vec_line(&ev, 0);
        ck_assert_msg(strstr(line, " malformed=") != NULL || strstr(line, " truncated=") != NULL,
                      "prefix %zu of %zu not reported: %s", n, len, line);
        ck_assert(ev.any_malformed);
        vec_events_free(&ev);
        free(copy);
    }
}

/* Runs body through a copy of *tmpl: its single line must contain want and be malformed. */
static void check_contains(const struct tls_state *tmpl, enum dir d, uint8_t type,
                           const uint8_t *body, size_t len, const char *want)
{
    struct tls_state st = *tmpl;
    struct vec_events ev;
    vec_events_init(&ev);
    run_message(&st, d, type, body, len, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_msg(strstr(vec_line(&ev, 0), want) != NULL, "want %s in %s", want, vec_line(&ev, 0));
    ck_assert(ev.any_malformed);
    vec_events_free(&ev);
}

/* The same for a copy of body whose byte at offset at is set to value (a bad inner length). */
static void check_patched(const struct tls_state *tmpl, enum dir d, uint8_t type,
                          const uint8_t *body, size_t len, size_t at, uint8_t value,
                          const char *want)
{
    uint8_t *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    ck_assert_uint_lt(at, len);
    memcpy(copy, body, len);
    copy[at] = value;
    check_contains(tmpl, d, type, copy, len, want);
    free(copy);
}

/* Runs body followed by one extra byte: the line must report the leftover byte with want, and
 * an at= with it must be the leftover's offset in the body. */
static void check_trailing_byte(const struct tls_state *tmpl, enum dir d, uint8_t type,
                                const uint8_t *body, size_t len, const char *want)
{
    uint8_t *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, body, len);
    copy[len] = 0x00;
    struct tls_state st = *tmpl;
    struct vec_events ev;
    vec_events_init(&ev);
    run_message(&st, d, type, copy, len + 1, &ev);
    ck_assert_uint_eq(ev.n, 1);
    const char *line = vec_line(&ev, 0);
    ck_assert_msg(strstr(line, want) != NULL, "want %s in %s", want, line);
    const char *at = strstr(line, " at=");
    if (at != NULL) {
        ck_assert_msg(strtoul(at + 4, NULL, 10) == len, "leftover byte is at %zu: %s", len, line);
    }
    vec_events_free(&ev);
    free(copy);
}

/* ServerKeyExchange, RFC 8422 5.4 (ECDHE) and RFC 5246 7.4.3 (DHE). */

static const uint8_t ske_ecdhe[] = {
    0x03,          /* curve_type named_curve */
    0x00, 0x1d,    /* named_group x25519 */
    0x20,          /* point length 32 */
    BYTES32(0x42), /* point */
    0x08, 0x04,    /* signature_scheme rsa_pss_rsae_sha256 */
    0x00, 0x08,    /* signature length 8 (shortened from a real 256) */
    BYTES8(0x5a),  /* signature */
};
#define SKE_ECDHE_SIG_LEN_LO 39 /* offset of the signature length's low byte */

START_TEST(server_key_exchange_ecdhe_names_group_and_scheme)
{
    struct tls_state tmpl, st;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe),
               "handshake server_key_exchange length=48 kx=ecdhe named_group=x25519 "
               "public_length=32 signature_scheme=rsa_pss_rsae_sha256 signature_length=8",
               &st);
    ck_assert(st.has_group);
    ck_assert_uint_eq(st.group, GROUP_x25519);
    ck_assert(st.server_auth_seen);
    check_every_prefix(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe));
}
END_TEST

START_TEST(server_key_exchange_signature_overrunning_message_is_malformed)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_patched(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe),
                  SKE_ECDHE_SIG_LEN_LO, 0x09, /* claims 9 signature bytes, 8 follow */
                  "signature_scheme=rsa_pss_rsae_sha256 malformed=signature "
                  "expected=u16-prefixed\\x20signature\\x20inside\\x20message");
    check_patched(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe), 3,
                  0x21, /* point claims 33 bytes: the scheme and length are misread */
                  "public_length=33 signature_scheme=0x0400 malformed=signature");
}
END_TEST

START_TEST(server_key_exchange_explicit_curve_is_malformed)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_patched(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe), 0,
                  0x01, /* curve_type explicit_prime, deprecated by RFC 8422 5.4 */
                  "kx=ecdhe curve_type=1 malformed=curve_type expected=named_curve\\x20(3)");
}
END_TEST

/* BUG (key_exchange.c expect_end): the leftover is reported with at=0 whatever its offset;
 * every other at= names where the bad bytes start within their unit, here 48. */
START_TEST(server_key_exchange_trailing_byte_is_malformed_at_its_offset)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_trailing_byte(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe),
                        "signature_length=8 malformed=server_key_exchange "
                        "expected=end\\x20of\\x20message");
}
END_TEST

static const uint8_t ske_dhe[] = {
    0x00, 0x09,       /* dh_p length 9 */
    0x00, 0xc5,       /* dh_p: a leading zero byte (not counted), then 0xc5 ... */
    BYTES4(0x11),     /* ... */
    0x11, 0x11, 0x11, /* ... 64 bits in all */
    0x00, 0x01, 0x02, /* dh_g length 1: 2 */
    0x00, 0x08,       /* dh_Ys length 8 */
    BYTES8(0x33),     /* dh_Ys */
    0x04, 0x01,       /* signature_scheme rsa_pkcs1_sha256 */
    0x00, 0x04,       /* signature length 4 */
    BYTES4(0x5a),     /* signature */
};
#define SKE_DHE_YS_LEN_LO 15

START_TEST(server_key_exchange_dhe_gives_prime_bits_generator_and_public_length)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, ske_dhe, sizeof(ske_dhe),
               "handshake server_key_exchange length=32 kx=dhe dh_p_bits=64 dh_g=2 "
               "public_length=8 signature_scheme=rsa_pkcs1_sha256 signature_length=4",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_server_key_exchange, ske_dhe, sizeof(ske_dhe));
    check_patched(&tmpl, DIR_S2C, HS_server_key_exchange, ske_dhe, sizeof(ske_dhe),
                  SKE_DHE_YS_LEN_LO, 0x20, /* dh_Ys claims 32 bytes */
                  "kx=dhe malformed=dh_params expected=dh_p,\\x20dh_g,\\x20dh_Ys:"
                  "\\x20u16-prefixed,\\x20non-empty");
}
END_TEST

START_TEST(server_key_exchange_dhe_long_generator_gives_its_bits)
{
    static const uint8_t body[] = {
        0x00, 0x02, 0x80, 0x01,             /* dh_p length 2: 16 bits */
        0x00, 0x05, 0x01, 0x00, 0x00, 0x00, /* dh_g length 5: too long to print ... */
        0x00,                               /* ... so its 33 bits are given */
        0x00, 0x01, 0x07,                   /* dh_Ys length 1 */
        0x04, 0x01,                         /* signature_scheme rsa_pkcs1_sha256 */
        0x00, 0x00,                         /* signature length 0 */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, body, sizeof(body),
               "handshake server_key_exchange length=18 kx=dhe dh_p_bits=16 dh_g_bits=33 "
               "public_length=1 signature_scheme=rsa_pkcs1_sha256 signature_length=0",
               NULL);
}
END_TEST

START_TEST(server_key_exchange_dhe_empty_generator_is_malformed)
{
    static const uint8_t body[] = {
        0x00, 0x01, 0xc5, /* dh_p length 1 */
        0x00, 0x00,       /* dh_g length 0: dh_g<1..2^16-1> */
        0x00, 0x01, 0x07, /* dh_Ys length 1 */
        0x04, 0x01,       /* signature_scheme */
        0x00, 0x00,       /* signature length 0 */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, body, sizeof(body),
               "handshake server_key_exchange length=12 kx=dhe malformed=dh_params "
               "expected=dh_p,\\x20dh_g,\\x20dh_Ys:\\x20u16-prefixed,\\x20non-empty",
               NULL);
}
END_TEST

/* RFC 4346 7.4.3 (TLS 1.1 and older): the signature has no SignatureAndHashAlgorithm. */
static const uint8_t ske_tls10[] = {
    0x03,          /* curve_type named_curve */
    0x00, 0x17,    /* named_group secp256r1 */
    0x41, 0x04,    /* point length 65, uncompressed form */
    BYTES32(0x42), /* x */
    BYTES32(0x43), /* y */
    0x00, 0x04,    /* signature length 4 (no scheme before it) */
    BYTES4(0x5a),  /* signature */
};

START_TEST(server_key_exchange_tls10_has_no_signature_scheme)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_0, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, ske_tls10, sizeof(ske_tls10),
               "handshake server_key_exchange length=75 kx=ecdhe named_group=secp256r1 "
               "public_length=65 signature_length=4",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_server_key_exchange, ske_tls10, sizeof(ske_tls10));
}
END_TEST

START_TEST(server_key_exchange_ecdhe_psk_reads_hint_then_params)
{
    static const uint8_t body[] = {
        0x00, 0x02, 0x68, 0x69, /* psk_identity_hint length 2: "hi" */
        0x03, 0x00, 0x1d,       /* named_curve x25519 */
        0x20, BYTES32(0x42),    /* point length 32, point (no signature: RFC 5489 2) */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, body, sizeof(body),
               "handshake server_key_exchange length=40 kx=ecdhe_psk psk_identity_hint_length=2 "
               "named_group=x25519 public_length=32",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_server_key_exchange, body, sizeof(body));
}
END_TEST

START_TEST(server_key_exchange_without_known_suite_gives_length_only)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe),
               "handshake server_key_exchange length=48 kx=unknown", NULL);
    tls_state_init(&tmpl); /* no ServerHello at all */
    check_line(&tmpl, DIR_S2C, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe),
               "handshake server_key_exchange length=48 kx=unknown", NULL);
}
END_TEST

/* ClientKeyExchange, RFC 8422 5.7 (ECDHE), RFC 5246 7.4.7.1 (RSA) and 7.4.7.2 (DHE). */

static const uint8_t cke_ecdhe[] = {
    0x20,          /* point length 32 */
    BYTES32(0x24), /* x25519 public key */
};

START_TEST(client_key_exchange_ecdhe_gives_point_length)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_client_key_exchange, cke_ecdhe, sizeof(cke_ecdhe),
               "handshake client_key_exchange length=33 kx=ecdhe public_length=32", NULL);
    check_every_prefix(&tmpl, DIR_C2S, HS_client_key_exchange, cke_ecdhe, sizeof(cke_ecdhe));
    check_patched(&tmpl, DIR_C2S, HS_client_key_exchange, cke_ecdhe, sizeof(cke_ecdhe), 0,
                  0x21, /* point claims 33 bytes */
                  "kx=ecdhe malformed=public expected=u8-prefixed\\x20point\\x20of\\x201..255"
                  "\\x20bytes");
    static const uint8_t empty_point[] = {0x00}; /* point<1..2^8-1> of 0 bytes */
    check_line(&tmpl, DIR_C2S, HS_client_key_exchange, empty_point, sizeof(empty_point),
               "handshake client_key_exchange length=1 kx=ecdhe malformed=public "
               "expected=u8-prefixed\\x20point\\x20of\\x201..255\\x20bytes",
               NULL);
}
END_TEST

/* BUG (key_exchange.c expect_end): at=0 again, though the leftover byte is at offset 33. */
START_TEST(client_key_exchange_trailing_byte_is_malformed_at_its_offset)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_trailing_byte(&tmpl, DIR_C2S, HS_client_key_exchange, cke_ecdhe, sizeof(cke_ecdhe),
                        "public_length=32 malformed=client_key_exchange "
                        "expected=end\\x20of\\x20message");
}
END_TEST

static const uint8_t cke_rsa[] = {
    0x00, 0x10,    /* EncryptedPreMasterSecret length 16 (shortened from 256) */
    BYTES16(0x77), /* encrypted pre_master_secret */
};

START_TEST(client_key_exchange_rsa_gives_encrypted_premaster_length)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_client_key_exchange, cke_rsa, sizeof(cke_rsa),
               "handshake client_key_exchange length=18 kx=rsa encrypted_premaster_length=16",
               NULL);
    check_every_prefix(&tmpl, DIR_C2S, HS_client_key_exchange, cke_rsa, sizeof(cke_rsa));
    check_patched(&tmpl, DIR_C2S, HS_client_key_exchange, cke_rsa, sizeof(cke_rsa), 1, 0x11,
                  "kx=rsa malformed=encrypted_premaster "
                  "expected=u16-prefixed\\x20EncryptedPreMasterSecret");
}
END_TEST

/* RFC 6101 5.6.7.1: SSL 3.0 sends the encrypted secret bare, so every length is valid and no
 * prefix loop applies. */
START_TEST(client_key_exchange_rsa_in_sslv3_has_no_length_prefix)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_SSLv3, CIPHER_TLS_RSA_WITH_AES_128_CBC_SHA);
    check_line(&tmpl, DIR_C2S, HS_client_key_exchange, cke_rsa, sizeof(cke_rsa),
               "handshake client_key_exchange length=18 kx=rsa encrypted_premaster_length=18",
               NULL);
}
END_TEST

static const uint8_t cke_dhe[] = {
    0x00, 0x08,   /* dh_Yc length 8 */
    BYTES8(0x66), /* dh_Yc */
};

START_TEST(client_key_exchange_dhe_gives_public_length)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_client_key_exchange, cke_dhe, sizeof(cke_dhe),
               "handshake client_key_exchange length=10 kx=dhe public_length=8", NULL);
    check_every_prefix(&tmpl, DIR_C2S, HS_client_key_exchange, cke_dhe, sizeof(cke_dhe));
    check_patched(&tmpl, DIR_C2S, HS_client_key_exchange, cke_dhe, sizeof(cke_dhe), 1, 0x00,
                  /* dh_Yc<1..2^16-1> of 0 bytes, then 8 stray bytes */
                  "kx=dhe malformed=public expected=u16-prefixed\\x20dh_Yc\\x20of\\x201..65535"
                  "\\x20bytes");
}
END_TEST

/* CertificateRequest, RFC 5246 7.4.4 and RFC 8446 4.3.2. */

static const uint8_t cr_tls12[] = {
    0x02, 0x01, 0x40, /* certificate_types length 2: rsa_sign, ecdsa_sign */
    0x00, 0x04,       /* supported_signature_algorithms length 4 */
    0x04, 0x03,       /* ecdsa_secp256r1_sha256 */
    0x08, 0x04,       /* rsa_pss_rsae_sha256 */
    0x00, 0x0a,       /* certificate_authorities length 10 */
    0x00, 0x03,       /* DistinguishedName length 3 */
    0x30, 0x01, 0x00, /* (a token DER SEQUENCE) */
    0x00, 0x03,       /* DistinguishedName length 3 */
    0x30, 0x01, 0x00, /* (a token DER SEQUENCE) */
};

START_TEST(certificate_request_tls12_lists_types_schemes_and_ca_count)
{
    struct tls_state tmpl, st;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_certificate_request, cr_tls12, sizeof(cr_tls12),
               "handshake certificate_request length=21 certificate_types=rsa_sign,ecdsa_sign "
               "signature_algorithms=ecdsa_secp256r1_sha256,rsa_pss_rsae_sha256 "
               "certificate_authorities=2",
               &st);
    ck_assert(st.cert_requested);
    check_every_prefix(&tmpl, DIR_S2C, HS_certificate_request, cr_tls12, sizeof(cr_tls12));
}
END_TEST

START_TEST(certificate_request_bad_inner_lengths_are_malformed)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    check_patched(&tmpl, DIR_S2C, HS_certificate_request, cr_tls12, sizeof(cr_tls12), 4, 0x03,
                  /* odd signature list */
                  "certificate_types=rsa_sign,ecdsa_sign malformed=signature_algorithms "
                  "expected=u16-prefixed\\x20list\\x20of\\x20even\\x20length");
    check_patched(&tmpl, DIR_S2C, HS_certificate_request, cr_tls12, sizeof(cr_tls12), 12, 0x00,
                  /* first DistinguishedName<1..2^16-1> empty */
                  "malformed=certificate_authorities "
                  "expected=u16-prefixed\\x20DistinguishedNames\\x20of\\x201..2^16-1\\x20bytes");
    check_patched(&tmpl, DIR_S2C, HS_certificate_request, cr_tls12, sizeof(cr_tls12), 0, 0x00,
                  /* certificate_types<1..2^8-1> empty */
                  "malformed=certificate_types expected=u8-prefixed\\x20list\\x20of\\x201..255"
                  "\\x20types");
}
END_TEST

START_TEST(certificate_request_tls11_has_no_signature_algorithms)
{
    static const uint8_t body[] = {
        0x01, 0x01, /* certificate_types length 1: rsa_sign */
        0x00, 0x00, /* certificate_authorities: none */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_1, CIPHER_TLS_RSA_WITH_AES_128_CBC_SHA);
    check_line(&tmpl, DIR_S2C, HS_certificate_request, body, sizeof(body),
               "handshake certificate_request length=4 certificate_types=rsa_sign "
               "certificate_authorities=0",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_certificate_request, body, sizeof(body));
}
END_TEST

static const uint8_t cr_tls13[] = {
    0x00,                   /* certificate_request_context: empty */
    0x00, 0x0a,             /* extensions length 10 */
    0x00, 0x0d, 0x00, 0x06, /* signature_algorithms, length 6 */
    0x00, 0x04,             /* list length 4 */
    0x04, 0x03, 0x08, 0x04, /* ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256 */
};

START_TEST(certificate_request_tls13_reads_context_and_extensions)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_certificate_request, cr_tls13, sizeof(cr_tls13),
               "handshake certificate_request length=13 context_length=0 "
               "extensions=signature_algorithms "
               "signature_algorithms=ecdsa_secp256r1_sha256,rsa_pss_rsae_sha256",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_certificate_request, cr_tls13, sizeof(cr_tls13));
}
END_TEST

/* BUG (certificate.c dissect_certificate_request): the TLS 1.3 branch returns straight after
 * the extension block, so bytes after it pass unreported. */
START_TEST(certificate_request_tls13_trailing_byte_is_malformed)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_trailing_byte(&tmpl, DIR_S2C, HS_certificate_request, cr_tls13, sizeof(cr_tls13),
                        " malformed=");
}
END_TEST

/* CertificateVerify, RFC 5246 7.4.8 and RFC 8446 4.4.3. */

static const uint8_t cv_tls12[] = {
    0x08, 0x04,   /* signature_scheme rsa_pss_rsae_sha256 */
    0x00, 0x04,   /* signature length 4 */
    BYTES4(0x5a), /* signature */
};

START_TEST(certificate_verify_gives_scheme_and_signature_length)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_certificate_verify, cv_tls12, sizeof(cv_tls12),
               "handshake certificate_verify length=8 signature_scheme=rsa_pss_rsae_sha256 "
               "signature_length=4",
               NULL);
    check_every_prefix(&tmpl, DIR_C2S, HS_certificate_verify, cv_tls12, sizeof(cv_tls12));
    check_patched(&tmpl, DIR_C2S, HS_certificate_verify, cv_tls12, sizeof(cv_tls12), 3, 0x03,
                  /* signature claims 3 of 4 bytes: one left over */
                  "signature_scheme=rsa_pss_rsae_sha256 malformed=signature "
                  "expected=u16-prefixed\\x20signature\\x20ending\\x20the\\x20message");
    /* TLS 1.0: no scheme, the body starts with the signature length */
    after_server_hello(&tmpl, VERSION_TLSv1_0, CIPHER_TLS_RSA_WITH_AES_128_CBC_SHA);
    check_line(&tmpl, DIR_C2S, HS_certificate_verify, cv_tls12 + 2, sizeof(cv_tls12) - 2,
               "handshake certificate_verify length=6 signature_length=4", NULL);
}
END_TEST

/* NewSessionTicket, RFC 5077 3.3 and RFC 8446 4.6.1. */

static const uint8_t nst_tls12[] = {
    0x00, 0x00, 0x1c, 0x20, /* ticket_lifetime_hint 7200 s */
    0x00, 0x06,             /* ticket length 6 */
    BYTES4(0x7e),           /* ticket */
    0x7e, 0x7e,             /* ... */
};

START_TEST(new_session_ticket_tls12_gives_lifetime_hint_and_length)
{
    struct tls_state tmpl, st;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_new_session_ticket, nst_tls12, sizeof(nst_tls12),
               "handshake new_session_ticket length=12 ticket_lifetime_hint=7200 "
               "ticket_length=6",
               &st);
    ck_assert(st.ticket_issued);
    check_every_prefix(&tmpl, DIR_S2C, HS_new_session_ticket, nst_tls12, sizeof(nst_tls12));
    check_patched(&tmpl, DIR_S2C, HS_new_session_ticket, nst_tls12, sizeof(nst_tls12), 5,
                  0x07, /* ticket claims 7 bytes */
                  "ticket_lifetime_hint=7200 malformed=ticket "
                  "expected=u16-prefixed\\x20ticket\\x20ending\\x20the\\x20message");
}
END_TEST

static const uint8_t nst_tls13[] = {
    0x00, 0x00, 0x0e, 0x10, /* ticket_lifetime 3600 s */
    0x01, 0x02, 0x03, 0x04, /* ticket_age_add */
    0x01, 0x00,             /* ticket_nonce length 1 */
    0x00, 0x04,             /* ticket length 4 */
    BYTES4(0x7e),           /* ticket */
    0x00, 0x08,             /* extensions length 8 */
    0x00, 0x2a, 0x00, 0x04, /* early_data, length 4 */
    0x00, 0x00, 0x40, 0x00, /* max_early_data_size 16384 */
};

START_TEST(new_session_ticket_tls13_gives_lifetime_and_extensions)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_new_session_ticket, nst_tls13, sizeof(nst_tls13),
               "handshake new_session_ticket length=26 ticket_lifetime=3600 ticket_length=4 "
               "extensions=early_data max_early_data_size=16384",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_new_session_ticket, nst_tls13, sizeof(nst_tls13));
}
END_TEST

/* BUG (ticket.c dissect_new_session_ticket): the TLS 1.3 branch returns straight after the
 * extension block, so bytes after it pass unreported. */
START_TEST(new_session_ticket_tls13_trailing_byte_is_malformed)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_trailing_byte(&tmpl, DIR_S2C, HS_new_session_ticket, nst_tls13, sizeof(nst_tls13),
                        " malformed=");
}
END_TEST

/* CertificateStatus, RFC 6066 8. */

static const uint8_t cs_ocsp[] = {
    0x01,             /* status_type ocsp */
    0x00, 0x00, 0x05, /* OCSPResponse length 5 (shortened) */
    BYTES4(0x30),     /* response */
    0x30,             /* ... */
};

START_TEST(certificate_status_gives_type_and_response_length)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_certificate_status, cs_ocsp, sizeof(cs_ocsp),
               "handshake certificate_status length=9 status_type=ocsp response_length=5", NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_certificate_status, cs_ocsp, sizeof(cs_ocsp));
    check_patched(&tmpl, DIR_S2C, HS_certificate_status, cs_ocsp, sizeof(cs_ocsp), 3, 0x06,
                  "status_type=ocsp malformed=response "
                  "expected=u24-prefixed\\x20response\\x20of\\x201..2^24-1\\x20bytes\\x20ending"
                  "\\x20the\\x20message");
}
END_TEST

/* BUG (certificate.c dissect_certificate_status): opaque OCSPResponse<1..2^24-1> (RFC 6066 8,
 * quoted above the parser) is not checked: an empty response passes. */
START_TEST(certificate_status_empty_response_is_malformed)
{
    static const uint8_t body[] = {
        0x01,             /* status_type ocsp */
        0x00, 0x00, 0x00, /* OCSPResponse length 0 */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_contains(&tmpl, DIR_S2C, HS_certificate_status, body, sizeof(body),
                   "status_type=ocsp malformed=response");
}
END_TEST

/* KeyUpdate, RFC 8446 4.6.3. */

START_TEST(key_update_names_request_update)
{
    static const uint8_t requested[] = {0x01};     /* update_requested */
    static const uint8_t not_requested[] = {0x00}; /* update_not_requested */
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_key_update, requested, sizeof(requested),
               "handshake key_update length=1 request_update=update_requested", NULL);
    check_line(&tmpl, DIR_S2C, HS_key_update, not_requested, sizeof(not_requested),
               "handshake key_update length=1 request_update=update_not_requested", NULL);
    check_every_prefix(&tmpl, DIR_C2S, HS_key_update, requested, sizeof(requested));
}
END_TEST

START_TEST(key_update_bad_value_or_length_is_malformed)
{
    static const uint8_t two[] = {0x02};             /* not a KeyUpdateRequest */
    static const uint8_t long_body[] = {0x01, 0x00}; /* one byte too many */
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_key_update, two, sizeof(two),
               "handshake key_update length=1 request_update=0x02 malformed=request_update "
               "expected=update_not_requested\\x20(0)\\x20or\\x20update_requested\\x20(1)",
               NULL);
    check_line(&tmpl, DIR_C2S, HS_key_update, long_body, sizeof(long_body),
               "handshake key_update length=2 malformed=request_update "
               "expected=exactly\\x201\\x20byte",
               NULL);
}
END_TEST

/* CompressedCertificate, RFC 8879 4. */

static const uint8_t compressed_cert[] = {
    0x00, 0x02,       /* algorithm brotli */
    0x00, 0x01, 0x00, /* uncompressed_length 256 */
    0x00, 0x00, 0x04, /* compressed_certificate_message length 4 */
    BYTES4(0xc3),     /* compressed bytes */
};

START_TEST(compressed_certificate_gives_algorithm_and_lengths)
{
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_compressed_certificate, compressed_cert,
               sizeof(compressed_cert),
               "handshake compressed_certificate length=12 algorithm=brotli "
               "uncompressed_length=256 compressed_length=4",
               NULL);
    check_every_prefix(&tmpl, DIR_S2C, HS_compressed_certificate, compressed_cert,
                       sizeof(compressed_cert));
    check_patched(&tmpl, DIR_S2C, HS_compressed_certificate, compressed_cert,
                  sizeof(compressed_cert), 7, 0x05, /* message claims 5 bytes */
                  "malformed=compressed_certificate "
                  "expected=algorithm,\\x20uncompressed_length,\\x20u24-prefixed\\x20message"
                  "\\x20of\\x201..2^24-1\\x20bytes");
}
END_TEST

/* BUG (certificate.c dissect_compressed_certificate): opaque
 * compressed_certificate_message<1..2^24-1> (RFC 8879 4, quoted above the parser) is not
 * checked: an empty compressed message passes. */
START_TEST(compressed_certificate_empty_message_is_malformed)
{
    static const uint8_t body[] = {
        0x00, 0x01,       /* algorithm zlib */
        0x00, 0x01, 0x00, /* uncompressed_length 256 */
        0x00, 0x00, 0x00, /* compressed_certificate_message length 0 */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_contains(&tmpl, DIR_S2C, HS_compressed_certificate, body, sizeof(body),
                   "malformed=compressed_certificate");
}
END_TEST

/* Messages whose body must be empty (RFC 5246 7.4.1.1, 7.4.5; RFC 8446 4.5). */

START_TEST(empty_messages_with_a_body_are_malformed)
{
    static const uint8_t one[] = {0x00};
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_hello_request, NULL, 0, "handshake hello_request length=0",
               NULL);
    check_line(&tmpl, DIR_S2C, HS_hello_request, one, sizeof(one),
               "handshake hello_request length=1 malformed=hello_request "
               "expected=empty\\x20message\\x20body",
               NULL);
    check_line(&tmpl, DIR_S2C, HS_server_hello_done, NULL, 0,
               "handshake server_hello_done length=0", NULL);
    /* the stray byte is the whole body, so at=0 is its offset */
    check_line(&tmpl, DIR_S2C, HS_server_hello_done, one, sizeof(one),
               "handshake server_hello_done length=1 malformed=server_hello_done "
               "expected=end\\x20of\\x20message at=0",
               NULL);
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_C2S, HS_end_of_early_data, NULL, 0,
               "handshake end_of_early_data length=0", NULL);
    check_line(&tmpl, DIR_C2S, HS_end_of_early_data, one, sizeof(one),
               "handshake end_of_early_data length=1 malformed=end_of_early_data "
               "expected=empty\\x20message\\x20body",
               NULL);
}
END_TEST

/* A type without a decoder (and, here, without a name) prints its number, length and, at
 * -vv, its bytes; nothing about it can be malformed. */
START_TEST(unknown_handshake_type_is_printed_by_number)
{
    static const uint8_t body[] = {0xab, 0xcd};
    struct tls_state tmpl, st;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, 99, body, sizeof(body), "handshake 0x63 length=2 body=abcd", &st);
    ck_assert_str_eq(st.history, "z");
    check_line(&tmpl, DIR_S2C, HS_supplemental_data, NULL, 0,
               "handshake supplemental_data length=0", NULL);
}
END_TEST

/* Certificate, RFC 5246 7.4.2 and RFC 8446 4.4.2, and the x509 line of each entry. */


static const char cert_x509_fields[] =
    "subject=CN\\x3dt.example issuer=CN\\x3dt.example "
    "serial=137b43264746acb1a590c6010f02e3ae1a402c89 "
    "not_before=2026-11-23T01:33:09Z not_after=2026-11-24T01:33:09Z key=ec:prime256v1 "
    "signature=ecdsa-with-SHA256 "
    "sha256=0070adef2f91e51f3b4a72768e83e347d7d1adbecbe3c6e5508129f08da885b0 "
    "x509_version=3 ca=true";

struct cert_body {
    uint8_t bytes[2048];
    size_t len;
};

static void put_u24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

/* A Certificate body holding the given entries: TLS 1.2 ASN.1Cert<1..2^24-1> each, or TLS 1.3
 * CertificateEntry (cert_data, then an empty extension block) after an empty context. */
static struct cert_body certificate_body(bool tls13, const uint8_t *const *ders,
                                         const size_t *lens, size_t n)
{
    struct cert_body b = {.len = 0};
    if (tls13) {
        b.bytes[b.len++] = 0x00; /* certificate_request_context: empty */
    }
    size_t list_at = b.len;
    b.len += 3; /* certificate_list length, filled in below */
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_le(b.len + 3 + lens[i] + 2, sizeof(b.bytes));
        put_u24(b.bytes + b.len, lens[i]);
        memcpy(b.bytes + b.len + 3, ders[i], lens[i]);
        b.len += 3 + lens[i];
        if (tls13) {
            b.bytes[b.len++] = 0x00; /* extensions length 0 */
            b.bytes[b.len++] = 0x00;
        }
    }
    put_u24(b.bytes + list_at, b.len - list_at - 3);
    return b;
}

START_TEST(certificate_with_one_der_certificate_gives_x509_line)
{
    const uint8_t *ders[] = {vec_cert_der};
    const size_t lens[] = {sizeof(vec_cert_der)};
    struct cert_body body = certificate_body(false, ders, lens, 1);
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    st.packet_time = 1795435200; /* 2026-11-23T12:00:00Z, in the certificate's one valid day */
    vec_events_init(&ev);
    run_message(&st, DIR_S2C, HS_certificate, body.bytes, body.len, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake certificate length=391 certificates=1 certificate_lengths=385");
    char want[1024];
    /* the certificate checks (cert_check.h): it ends within 30 days, it is self-signed, and
     * there is no SNI to compare */
    snprintf(want, sizeof(want),
             "x509 index=0 length=385 %s issues=expiring,self_signed hostname=no_sni",
             cert_x509_fields);
    ck_assert_str_eq(vec_line(&ev, 1), want);
    ck_assert(!ev.any_malformed);
    ck_assert(st.server_cert.known);
    ck_assert_uint_eq(st.cert_count[DIR_S2C], 1);
    ck_assert_str_eq(st.server_cert.subject, "CN=t.example");
    ck_assert_str_eq(st.server_cert.issuer, "CN=t.example");
    ck_assert(st.server_auth_seen);
    vec_events_free(&ev);
    tls_state_free(&st);
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    check_every_prefix(&tmpl, DIR_S2C, HS_certificate, body.bytes, body.len);
}
END_TEST

START_TEST(certificate_tls13_entries_carry_extensions)
{
    const uint8_t *ders[] = {vec_cert_der};
    const size_t lens[] = {sizeof(vec_cert_der)};
    struct cert_body body = certificate_body(true, ders, lens, 1);
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    run_message(&st, DIR_S2C, HS_certificate, body.bytes, body.len, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake certificate length=394 certificates=1 certificate_lengths=385");
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), cert_x509_fields));
    vec_events_free(&ev);
    tls_state_free(&st);
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    check_every_prefix(&tmpl, DIR_S2C, HS_certificate, body.bytes, body.len);
}
END_TEST

START_TEST(certificate_with_garbage_der_reports_it_and_prints_the_next)
{
    static const uint8_t garbage[] = {0x01, 0x02, 0x03}; /* not an ASN.1 SEQUENCE */
    const uint8_t *ders[] = {garbage, vec_cert_der};
    const size_t lens[] = {sizeof(garbage), sizeof(vec_cert_der)};
    struct cert_body body = certificate_body(false, ders, lens, 2);
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    run_message(&st, DIR_S2C, HS_certificate, body.bytes, body.len, &ev);
    ck_assert_uint_eq(ev.n, 3);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "handshake certificate length=397 certificates=2 "
                     "certificate_lengths=3,385");
    ck_assert_str_eq(vec_line(&ev, 1), "x509 index=0 length=3 malformed=certificate "
                                       "expected=DER\\x20X.509\\x20certificate\\x20(RFC\\x205280)");
    char want[1024];
    snprintf(want, sizeof(want), "x509 index=1 length=385 %s", cert_x509_fields);
    ck_assert_str_eq(vec_line(&ev, 2), want);
    ck_assert_uint_eq(st.cert_count[DIR_S2C], 2);
    ck_assert(!st.server_cert.known); /* only the first certificate's names are kept */
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* BUG (x509.c x509_describe): d2i_X509 stops at the end of the DER SEQUENCE and the bytes
 * after it are never checked, so an ASN.1Cert with a stray byte after the certificate passes
 * as a clean certificate; a whole unit with leftovers is malformed. */
START_TEST(certificate_der_with_trailing_byte_is_malformed)
{
    uint8_t padded[sizeof(vec_cert_der) + 1];
    memcpy(padded, vec_cert_der, sizeof(vec_cert_der));
    padded[sizeof(vec_cert_der)] = 0x00; /* one byte after the certificate's SEQUENCE */
    const uint8_t *ders[] = {padded};
    const size_t lens[] = {sizeof(padded)};
    struct cert_body body = certificate_body(false, ders, lens, 1);
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    run_message(&st, DIR_S2C, HS_certificate, body.bytes, body.len, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_msg(strstr(vec_line(&ev, 1), "malformed=certificate") != NULL, "%s",
                  vec_line(&ev, 1));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(certificate_bad_inner_lengths_are_malformed)
{
    static const uint8_t overrun[] = {
        0x00, 0x00, 0x06, /* certificate_list length 6 */
        0x00, 0x00, 0x04, /* ASN.1Cert claims 4 bytes ... */
        0x30, 0x00, 0x00, /* ... but the list holds 3 */
    };
    static const uint8_t no_certs[] = {
        0x00, 0x00, 0x00, /* certificate_list: empty (a client without a certificate) */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_certificate, overrun, sizeof(overrun),
               "handshake certificate length=9 malformed=certificate_list "
               "expected=u24-prefixed\\x20ASN.1Cert\\x20of\\x201..2^24-1\\x20bytes at=0",
               NULL);
    check_line(&tmpl, DIR_C2S, HS_certificate, no_certs, sizeof(no_certs),
               "handshake certificate length=3 certificates=0 certificate_lengths=", NULL);
}
END_TEST

/* BUG (certificate.c walk_certificates): at= is taken after the failed entry's length was
 * read, so an empty entry at offset 0 is reported at=3; extensions.c reports where the bad
 * entry starts, and so should this. */
START_TEST(certificate_empty_entry_is_malformed_at_its_start)
{
    static const uint8_t empty_cert[] = {
        0x00, 0x00, 0x03, /* certificate_list length 3 */
        0x00, 0x00, 0x00, /* ASN.1Cert<1..2^24-1> of 0 bytes */
    };
    struct tls_state tmpl;
    after_server_hello(&tmpl, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    check_line(&tmpl, DIR_S2C, HS_certificate, empty_cert, sizeof(empty_cert),
               "handshake certificate length=6 malformed=certificate_list "
               "expected=u24-prefixed\\x20ASN.1Cert\\x20of\\x201..2^24-1\\x20bytes at=0",
               NULL);
}
END_TEST

/* Alerts, RFC 5246 7.2 and RFC 8446 6, through the record layer. */

static void feed_alert(struct tls_state *st, enum dir d, const uint8_t *body, size_t len,
                       struct vec_events *ev)
{
    uint8_t stream[5 + 16];
    ck_assert_uint_le(len, 16);
    uint8_t header[5] = {0x15, 0x03, 0x03, 0x00, (uint8_t)len}; /* record: alert */
    memcpy(stream, header, 5);
    memcpy(stream + 5, body, len);
    vec_feed(st, d, stream, 5 + len, 0, ev);
}

START_TEST(alert_names_level_and_description)
{
    static const uint8_t fatal[] = {0x02, 0x28}; /* fatal, handshake_failure */
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_S2C, fatal, sizeof(fatal), &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=fatal description=handshake_failure");
    ck_assert(st.fatal_alert_seen);
    ck_assert_uint_eq(st.fatal_alert, ALERT_handshake_failure);
    ck_assert_int_eq(st.fatal_alert_from, DIR_S2C);
    ck_assert_str_eq(st.history, "l");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(alert_unknown_description_and_level_print_in_hex)
{
    static const uint8_t unknown[] = {0x02, 0xfe}; /* fatal, no such description */
    static const uint8_t odd_level[] = {0x03, 0x00}; /* no such level, close_notify */
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_C2S, unknown, sizeof(unknown), &ev);
    feed_alert(&st, DIR_C2S, odd_level, sizeof(odd_level), &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=fatal description=0xfe");
    ck_assert_str_eq(vec_line(&ev, 1), "alert level=0x03 description=close_notify");
    ck_assert(st.fatal_alert_seen);
    ck_assert_uint_eq(st.fatal_alert, 0xfe);
    ck_assert_int_eq(st.fatal_alert_from, DIR_C2S);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(warning_alerts_are_not_fatal_in_tls12)
{
    static const uint8_t close_notify[] = {0x01, 0x00};     /* warning, close_notify */
    static const uint8_t unrecognized[] = {0x01, 0x70};     /* warning, unrecognized_name */
    static const uint8_t no_renegotiation[] = {0x01, 0x64}; /* warning, no_renegotiation */
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_S2C, unrecognized, sizeof(unrecognized), &ev);
    feed_alert(&st, DIR_C2S, no_renegotiation, sizeof(no_renegotiation), &ev);
    feed_alert(&st, DIR_C2S, close_notify, sizeof(close_notify), &ev);
    ck_assert_uint_eq(ev.n, 3);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=warning description=unrecognized_name");
    ck_assert_str_eq(vec_line(&ev, 1), "alert level=warning description=no_renegotiation");
    ck_assert_str_eq(vec_line(&ev, 2), "alert level=warning description=close_notify");
    ck_assert(!st.fatal_alert_seen);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 8446 6.2: error alerts are fatal whatever level they carry; closure alerts are not. */
START_TEST(tls13_error_alert_is_fatal_at_any_level_but_close_notify_is_not)
{
    static const uint8_t close_notify[] = {0x01, 0x00}; /* warning, close_notify */
    static const uint8_t canceled[] = {0x01, 0x5a};     /* warning, user_canceled */
    static const uint8_t decode_error[] = {0x01, 0x32}; /* warning (sic), decode_error */
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_C2S, close_notify, sizeof(close_notify), &ev);
    feed_alert(&st, DIR_C2S, canceled, sizeof(canceled), &ev);
    ck_assert(!st.fatal_alert_seen);
    feed_alert(&st, DIR_S2C, decode_error, sizeof(decode_error), &ev);
    ck_assert_uint_eq(ev.n, 3);
    ck_assert_str_eq(vec_line(&ev, 2), "alert level=warning description=decode_error");
    ck_assert(st.fatal_alert_seen);
    ck_assert_uint_eq(st.fatal_alert, ALERT_decode_error);
    ck_assert_int_eq(st.fatal_alert_from, DIR_S2C);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* BUG (alert.c dissect_alert): RFC 8446 6 makes the level a legacy field ("In TLS 1.3, the
 * severity is implicit in the type of alert being sent, and the "level" field can safely be
 * ignored"), but level fatal is tested first, so a TLS 1.3 close_notify or user_canceled sent
 * with level fatal is recorded as the connection's fatal alert (status=failed). */
START_TEST(tls13_closure_alert_with_level_fatal_is_not_fatal)
{
    static const uint8_t close_notify[] = {0x02, 0x00}; /* fatal (sic), close_notify */
    static const uint8_t canceled[] = {0x02, 0x5a};     /* fatal (sic), user_canceled */
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_3, CIPHER_TLS_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_C2S, canceled, sizeof(canceled), &ev);
    feed_alert(&st, DIR_C2S, close_notify, sizeof(close_notify), &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=fatal description=user_canceled");
    ck_assert_str_eq(vec_line(&ev, 1), "alert level=fatal description=close_notify");
    ck_assert_msg(!st.fatal_alert_seen, "recorded as fatal: description %u", st.fatal_alert);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(only_the_first_fatal_alert_is_remembered)
{
    static const uint8_t two[] = {
        0x02, 0x2f, /* fatal, illegal_parameter */
        0x02, 0x50, /* fatal, internal_error */
    };
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_S2C, two, sizeof(two), &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=fatal description=illegal_parameter");
    ck_assert_str_eq(vec_line(&ev, 1), "alert level=fatal description=internal_error");
    ck_assert_uint_eq(st.fatal_alert, ALERT_illegal_parameter);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Every shorter alert record body: an empty one, then half an alert. */
START_TEST(every_prefix_of_alert_is_reported)
{
    static const uint8_t body[] = {0x02, 0x28}; /* fatal, handshake_failure */
    static const char *const want[] = {
        "alert malformed=alert expected=2\\x20bytes:\\x20level,\\x20description",
        "alert truncated=alert have=1 need=2",
    };
    for (size_t n = 0; n < sizeof(body); n++) {
        struct tls_state st;
        struct vec_events ev;
        after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        vec_events_init(&ev);
        feed_alert(&st, DIR_S2C, body, n, &ev);
        ck_assert_msg(ev.n == 1, "prefix %zu gave %zu events", n, ev.n);
        ck_assert_str_eq(vec_line(&ev, 0), want[n]);
        ck_assert(ev.any_malformed);
        ck_assert(!st.fatal_alert_seen);
        vec_events_free(&ev);
        tls_state_free(&st);
    }
}
END_TEST

/* A record holds any number of alerts; an odd byte after the last is half an alert. */
START_TEST(alert_record_with_an_odd_byte_reports_it_after_the_whole_alert)
{
    static const uint8_t body[] = {
        0x01, 0x00, /* warning, close_notify */
        0x02,       /* fatal, and no description */
    };
    struct tls_state st;
    struct vec_events ev;
    after_server_hello(&st, VERSION_TLSv1_2, CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    vec_events_init(&ev);
    feed_alert(&st, DIR_C2S, body, sizeof(body), &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_str_eq(vec_line(&ev, 0), "alert level=warning description=close_notify");
    ck_assert_str_eq(vec_line(&ev, 1), "alert truncated=alert have=1 need=2");
    ck_assert(!st.fatal_alert_seen);
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

Suite *suite_messages(void)
{
    Suite *s = suite_create("messages");
    TCase *tc = tcase_create("key_exchange");
    tcase_add_test(tc, server_key_exchange_ecdhe_names_group_and_scheme);
    tcase_add_test(tc, server_key_exchange_signature_overrunning_message_is_malformed);
    tcase_add_test(tc, server_key_exchange_explicit_curve_is_malformed);
    tcase_add_test(tc, server_key_exchange_trailing_byte_is_malformed_at_its_offset);
    tcase_add_test(tc, server_key_exchange_dhe_gives_prime_bits_generator_and_public_length);
    tcase_add_test(tc, server_key_exchange_dhe_long_generator_gives_its_bits);
    tcase_add_test(tc, server_key_exchange_dhe_empty_generator_is_malformed);
    tcase_add_test(tc, server_key_exchange_tls10_has_no_signature_scheme);
    tcase_add_test(tc, server_key_exchange_ecdhe_psk_reads_hint_then_params);
    tcase_add_test(tc, server_key_exchange_without_known_suite_gives_length_only);
    tcase_add_test(tc, client_key_exchange_ecdhe_gives_point_length);
    tcase_add_test(tc, client_key_exchange_trailing_byte_is_malformed_at_its_offset);
    tcase_add_test(tc, client_key_exchange_rsa_gives_encrypted_premaster_length);
    tcase_add_test(tc, client_key_exchange_rsa_in_sslv3_has_no_length_prefix);
    tcase_add_test(tc, client_key_exchange_dhe_gives_public_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("certificate");
    tcase_add_test(tc, certificate_request_tls12_lists_types_schemes_and_ca_count);
    tcase_add_test(tc, certificate_request_bad_inner_lengths_are_malformed);
    tcase_add_test(tc, certificate_request_tls11_has_no_signature_algorithms);
    tcase_add_test(tc, certificate_request_tls13_reads_context_and_extensions);
    tcase_add_test(tc, certificate_request_tls13_trailing_byte_is_malformed);
    tcase_add_test(tc, certificate_verify_gives_scheme_and_signature_length);
    tcase_add_test(tc, certificate_status_gives_type_and_response_length);
    tcase_add_test(tc, certificate_status_empty_response_is_malformed);
    tcase_add_test(tc, compressed_certificate_gives_algorithm_and_lengths);
    tcase_add_test(tc, compressed_certificate_empty_message_is_malformed);
    tcase_add_test(tc, certificate_with_one_der_certificate_gives_x509_line);
    tcase_add_test(tc, certificate_tls13_entries_carry_extensions);
    tcase_add_test(tc, certificate_with_garbage_der_reports_it_and_prints_the_next);
    tcase_add_test(tc, certificate_der_with_trailing_byte_is_malformed);
    tcase_add_test(tc, certificate_bad_inner_lengths_are_malformed);
    tcase_add_test(tc, certificate_empty_entry_is_malformed_at_its_start);
    suite_add_tcase(s, tc);

    tc = tcase_create("other");
    tcase_add_test(tc, new_session_ticket_tls12_gives_lifetime_hint_and_length);
    tcase_add_test(tc, new_session_ticket_tls13_gives_lifetime_and_extensions);
    tcase_add_test(tc, new_session_ticket_tls13_trailing_byte_is_malformed);
    tcase_add_test(tc, key_update_names_request_update);
    tcase_add_test(tc, key_update_bad_value_or_length_is_malformed);
    tcase_add_test(tc, empty_messages_with_a_body_are_malformed);
    tcase_add_test(tc, unknown_handshake_type_is_printed_by_number);
    suite_add_tcase(s, tc);

    tc = tcase_create("alert");
    tcase_add_test(tc, alert_names_level_and_description);
    tcase_add_test(tc, alert_unknown_description_and_level_print_in_hex);
    tcase_add_test(tc, warning_alerts_are_not_fatal_in_tls12);
    tcase_add_test(tc, tls13_error_alert_is_fatal_at_any_level_but_close_notify_is_not);
    tcase_add_test(tc, tls13_closure_alert_with_level_fatal_is_not_fatal);
    tcase_add_test(tc, only_the_first_fatal_alert_is_remembered);
    tcase_add_test(tc, every_prefix_of_alert_is_reported);
    tcase_add_test(tc, alert_record_with_an_odd_byte_reports_it_after_the_whole_alert);
    suite_add_tcase(s, tc);
    return s;
}
