/* Tests for dissectors/checks/cause.c and weak.c: each rule of the failure causes and weak
 * items (hsdump.1 FAILURE CAUSES, WEAK ITEMS) from tls_state values set by hand, the chain
 * checks' results among them (cert_check.h); tests/causes.sh checks the real captures. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/names.h"
#include "checks/diagnosis.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

static struct tls_state *new_state(void)
{
    struct tls_state *st = calloc(1, sizeof(*st));
    ck_assert_ptr_nonnull(st);
    tls_state_init(st);
    return st;
}

/* A ClientHello of TLS 1.2 and 1.3 with the usual suites, groups and schemes. */
static void ordinary_offer(struct tls_state *st)
{
    st->client_hello_seen = true;
    st->offer.legacy_version = VERSION_TLSv1_2;
    st->offer.versions_listed = true;
    st->offer.versions = OFFER_V_TLS12 | OFFER_V_TLS13;
    st->offer.suites = SUITE_TLS13 | SUITE_LEGACY | SUITE_AEAD | SUITE_ECDHE;
    st->offer.groupless_suite = false;
    st->offer.suite_count = 4;
    st->offer.groups_listed = true;
    st->offer.groups = 2;
    st->offer.groups_mandatory = true;
    st->offer.sigalgs_listed = true;
    st->offer.sigalgs = 8;
    st->offer.sigalgs_mandatory = true;
    st->dir[DIR_C2S].records = 1;
}

static void alert(struct tls_state *st, uint8_t description, enum dir from)
{
    st->fatal_alert_seen = true;
    st->fatal_alert = description;
    st->fatal_alert_from = from;
    st->dir[from].records++;
}

/* The server's TLS 1.2 first flight, up to ServerHelloDone. */
static void server_flight(struct tls_state *st)
{
    memset(&st->kx, 0, sizeof(st->kx)); /* as a ServerHello does (hello.c) */
    st->server_hello_seen = true;
    st->version = VERSION_TLSv1_2;
    st->cipher_suite = CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    st->server_auth_seen = true;
    st->ems_accepted = true;
    st->secure_renegotiation = true;
    st->dir[DIR_S2C].records = 4;
}

static void chain(struct tls_state *st, uint32_t issues, enum cert_trust trust)
{
    st->server_chain.checked = true;
    st->server_chain.issues = issues;
    st->server_chain.trust = trust;
}

static const struct close_facts fin_by_client = {CLOSE_FIN, DIR_C2S, false};
static const struct close_facts fin_by_server = {CLOSE_FIN, DIR_S2C, false};

#define CAUSE(st, end, want) ck_assert_str_eq(cause_name(cause_of(st, end)), cause_name(want))

START_TEST(test_completed_has_no_cause)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    server_flight(st);
    st->dir[DIR_C2S].finished = true;
    st->dir[DIR_S2C].finished = true;
    CAUSE(st, &fin_by_client, CAUSE_NONE);
    free(st);
}
END_TEST

START_TEST(test_version_mismatch)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    alert(st, ALERT_protocol_version, DIR_S2C);
    CAUSE(st, &fin_by_client, CAUSE_VERSION_MISMATCH);
    /* no alert: the server selected a version the client did not list (RFC 8446 4.2.1) */
    free(st);
    st = new_state();
    ordinary_offer(st);
    st->offer.versions = OFFER_V_TLS13;
    server_flight(st);
    CAUSE(st, &fin_by_client, CAUSE_VERSION_MISMATCH);
    free(st);
}
END_TEST

START_TEST(test_no_shared_parameters)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    alert(st, ALERT_handshake_failure, DIR_S2C);
    CAUSE(st, &fin_by_server, CAUSE_NO_SHARED_CIPHER);
    st->fatal_alert = ALERT_insufficient_security;
    CAUSE(st, &fin_by_server, CAUSE_NO_SHARED_CIPHER);
    /* every suite needs a group (TLS 1.3 and ECDHE ones), none of the mandatory groups
     * offered */
    st->offer.groups_mandatory = false;
    CAUSE(st, &fin_by_server, CAUSE_NO_SHARED_GROUP);
    /* none of the mandatory signature schemes offered, the groups ordinary */
    st->offer.groups_mandatory = true;
    st->offer.sigalgs_mandatory = false;
    CAUSE(st, &fin_by_server, CAUSE_NO_SHARED_SIGNATURE_ALGORITHM);
    /* both odd: which one failed is not known, the suites are named */
    st->offer.groups_mandatory = false;
    CAUSE(st, &fin_by_server, CAUSE_NO_SHARED_CIPHER);
    /* a static RSA suite among them needs no group */
    st->offer.groupless_suite = true;
    st->offer.sigalgs_mandatory = true;
    CAUSE(st, &fin_by_server, CAUSE_NO_SHARED_CIPHER);
    /* after a ServerHello, from the client: nothing says why */
    free(st);
    st = new_state();
    ordinary_offer(st);
    server_flight(st);
    alert(st, ALERT_handshake_failure, DIR_C2S);
    CAUSE(st, &fin_by_client, CAUSE_UNKNOWN);
    free(st);
}
END_TEST

START_TEST(test_certificate_expired_and_clock)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    server_flight(st);
    alert(st, ALERT_certificate_expired, DIR_C2S);
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_EXPIRED); /* no chain checks: the client's word */
    chain(st, 1u << CERT_ISSUE_EXPIRED, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_EXPIRED);
    chain(st, 1u << CERT_ISSUE_NOT_YET_VALID, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_NOT_YET_VALID);
    /* valid at the packet's time: the client's clock */
    chain(st, 0, CERT_TRUST_TRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CLOCK_SKEW_SUSPECTED);
    chain(st, 1u << CERT_ISSUE_EXPIRING, CERT_TRUST_TRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CLOCK_SKEW_SUSPECTED);
    chain(st, 0, CERT_TRUST_UNTRUSTED); /* a private CA hsdump's store lacks */
    CAUSE(st, &fin_by_client, CAUSE_CLOCK_SKEW_SUSPECTED);
    chain(st, 0, CERT_TRUST_TRUSTED);
    /* bad_certificate (OpenSSL's alert for not yet valid) for a clean chain */
    st->fatal_alert = ALERT_bad_certificate;
    CAUSE(st, &fin_by_client, CAUSE_CLOCK_SKEW_SUSPECTED);
    chain(st, 1u << CERT_ISSUE_NOT_YET_VALID, CERT_TRUST_TRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_NOT_YET_VALID);
    st->server_chain.checked = false;
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_REJECTED);
    free(st);
}
END_TEST

START_TEST(test_chain_causes)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    server_flight(st);
    alert(st, ALERT_unknown_ca, DIR_C2S);
    CAUSE(st, &fin_by_client, CAUSE_UNKNOWN_CA);
    chain(st, 0, CERT_TRUST_UNTRUSTED);
    st->server_chain.interception_suspected = true;
    CAUSE(st, &fin_by_client, CAUSE_INTERCEPTION_SUSPECTED);
    st->fatal_alert = ALERT_certificate_unknown;
    st->server_chain.interception_suspected = false;
    chain(st, 1u << CERT_ISSUE_HOSTNAME_MISMATCH, CERT_TRUST_TRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_HOSTNAME_MISMATCH);
    st->fatal_alert = ALERT_bad_certificate;
    CAUSE(st, &fin_by_client, CAUSE_HOSTNAME_MISMATCH);
    st->fatal_alert = ALERT_handshake_failure; /* an alert naming no certificate problem */
    CAUSE(st, &fin_by_client, CAUSE_HOSTNAME_MISMATCH);
    st->fatal_alert = ALERT_certificate_unknown;
    chain(st, 0, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_UNKNOWN_CA);
    /* bad_certificate is not about trust: an untrusted chain valid in time and name */
    st->fatal_alert = ALERT_bad_certificate;
    CAUSE(st, &fin_by_client, CAUSE_CLOCK_SKEW_SUSPECTED);
    chain(st, 1u << CERT_ISSUE_BAD_SIGNATURE, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_REJECTED);
    chain(st, 1u << CERT_ISSUE_SELF_SIGNED, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CLOCK_SKEW_SUSPECTED);
    /* no alert: the client closed on a chain the checks fault */
    free(st);
    st = new_state();
    ordinary_offer(st);
    server_flight(st);
    chain(st, 1u << CERT_ISSUE_EXPIRED, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_CERTIFICATE_EXPIRED);
    CAUSE(st, &fin_by_server, CAUSE_ABORTED_BY_SERVER);
    /* ... but not on hsdump's own trust verdict alone: the client's store is not seen */
    chain(st, 0, CERT_TRUST_UNTRUSTED);
    CAUSE(st, &fin_by_client, CAUSE_ABORTED_BY_CLIENT);
    free(st);
}
END_TEST

START_TEST(test_client_certificates)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    server_flight(st);
    st->cert_requested = true;
    st->dir[DIR_C2S].message_types = (1u << HS_certificate) | (1u << HS_client_key_exchange);
    alert(st, ALERT_handshake_failure, DIR_S2C);
    CAUSE(st, &fin_by_client, CAUSE_CLIENT_CERTIFICATE_REQUIRED);
    st->fatal_alert = ALERT_certificate_required; /* RFC 8446 6.2 */
    CAUSE(st, &fin_by_client, CAUSE_CLIENT_CERTIFICATE_REQUIRED);
    st->cert_count[DIR_C2S] = 1;
    st->fatal_alert = ALERT_unknown_ca;
    CAUSE(st, &fin_by_server, CAUSE_CLIENT_CERTIFICATE_REJECTED);
    st->fatal_alert = ALERT_bad_certificate;
    CAUSE(st, &fin_by_server, CAUSE_CLIENT_CERTIFICATE_REJECTED);
    st->fatal_alert = ALERT_access_denied;
    CAUSE(st, &fin_by_server, CAUSE_CLIENT_CERTIFICATE_REJECTED);
    /* TLS 1.3 without keys: the alert-sized answer to the client's flight */
    free(st);
    st = new_state();
    ordinary_offer(st);
    server_flight(st);
    st->is_tls13 = true;
    st->alert_inferred = true;
    st->client_cert_inferred = true;
    st->client_auth_inferred = true;
    CAUSE(st, &fin_by_server, CAUSE_CLIENT_CERTIFICATE_REJECTED);
    st->client_auth_inferred = false;
    CAUSE(st, &fin_by_server, CAUSE_CLIENT_CERTIFICATE_REQUIRED);
    st->client_cert_inferred = false;
    CAUSE(st, &fin_by_server, CAUSE_UNKNOWN);
    free(st);
}
END_TEST

START_TEST(test_alerts_named_for_their_cause)
{
    static const struct {
        uint8_t alert;
        enum tls_cause cause;
    } table[] = {
        {ALERT_no_application_protocol, CAUSE_NO_APPLICATION_PROTOCOL},
        {ALERT_unrecognized_name, CAUSE_UNRECOGNIZED_NAME},
        {ALERT_decrypt_error, CAUSE_DECRYPT_ERROR},
        {ALERT_bad_record_mac, CAUSE_BAD_RECORD_MAC},
        {ALERT_decryption_failed_RESERVED, CAUSE_BAD_RECORD_MAC},
        {ALERT_inappropriate_fallback, CAUSE_INAPPROPRIATE_FALLBACK},
        {ALERT_internal_error, CAUSE_UNKNOWN},
        {ALERT_illegal_parameter, CAUSE_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        struct tls_state *st = new_state();
        ordinary_offer(st);
        alert(st, table[i].alert, DIR_S2C);
        CAUSE(st, &fin_by_server, table[i].cause);
        free(st);
    }
}
END_TEST

START_TEST(test_how_it_ended)
{
    struct tls_state *st = new_state();
    ordinary_offer(st);
    server_flight(st);
    const struct close_facts idle = {CLOSE_TIMEOUT, -1, false};
    const struct close_facts eof = {CLOSE_EOF, -1, false};
    const struct close_facts reset_by_client = {CLOSE_RESET, DIR_C2S, false};
    const struct close_facts unknown_closer = {CLOSE_FIN, -1, false};
    const struct close_facts partial = {CLOSE_FIN, DIR_C2S, true};
    const struct close_facts other = {CLOSE_OTHER, -1, false};
    CAUSE(st, &idle, CAUSE_TIMEOUT);
    CAUSE(st, &eof, CAUSE_CAPTURE_ENDED);
    CAUSE(st, &reset_by_client, CAUSE_ABORTED_BY_CLIENT);
    CAUSE(st, &fin_by_server, CAUSE_ABORTED_BY_SERVER);
    CAUSE(st, &unknown_closer, CAUSE_UNKNOWN);
    CAUSE(st, &partial, CAUSE_UNKNOWN);
    CAUSE(st, &other, CAUSE_UNKNOWN);
    CAUSE(st, NULL, CAUSE_UNKNOWN);
    free(st);
    /* the server closed having sent nothing; the client's alert answered that */
    st = new_state();
    ordinary_offer(st);
    alert(st, ALERT_decode_error, DIR_C2S);
    CAUSE(st, &fin_by_server, CAUSE_ABORTED_BY_SERVER);
    CAUSE(st, &fin_by_client, CAUSE_UNKNOWN);
    free(st);
}
END_TEST

START_TEST(test_cause_names)
{
    for (int i = 0; i < CAUSE_COUNT; i++) {
        const char *name = cause_name((enum tls_cause)i);
        ck_assert_ptr_nonnull(name);
        for (int j = 0; j < i; j++) {
            ck_assert_str_ne(name, cause_name((enum tls_cause)j));
        }
    }
    ck_assert_str_eq(cause_name(CAUSE_COUNT), "unknown");
    for (int i = 0; i < WEAK_COUNT; i++) {
        const char *name = weak_name((enum weak_item)i);
        ck_assert_ptr_nonnull(name);
        for (int j = 0; j < i; j++) {
            ck_assert_str_ne(name, weak_name((enum weak_item)j));
        }
    }
}
END_TEST

START_TEST(test_suite_properties)
{
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_RSA_WITH_3DES_EDE_CBC_SHA),
                      SUITE_LEGACY | SUITE_RSA_KX | SUITE_3DES | SUITE_CBC);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_RSA_WITH_RC4_128_SHA),
                      SUITE_LEGACY | SUITE_RSA_KX | SUITE_RC4);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_RSA_EXPORT_WITH_RC4_40_MD5),
                      SUITE_LEGACY | SUITE_RSA_KX | SUITE_EXPORT | SUITE_RC4);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_AES_128_GCM_SHA256), SUITE_TLS13 | SUITE_AEAD);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_ECDH_anon_WITH_NULL_SHA),
                      SUITE_LEGACY | SUITE_ANON | SUITE_NULL);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_NULL_WITH_NULL_NULL),
                      SUITE_LEGACY | SUITE_ANON | SUITE_NULL);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
                      SUITE_LEGACY | SUITE_ECDHE | SUITE_AEAD);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_DHE_RSA_WITH_AES_128_CBC_SHA),
                      SUITE_LEGACY | SUITE_DHE | SUITE_CBC);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_RSA_WITH_DES_CBC_SHA),
                      SUITE_LEGACY | SUITE_RSA_KX | SUITE_DES | SUITE_CBC);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_ECDH_RSA_WITH_AES_128_CBC_SHA),
                      SUITE_LEGACY | SUITE_STATIC_DH | SUITE_CBC);
    ck_assert_uint_eq(suite_properties(CIPHER_TLS_FALLBACK_SCSV), 0);
    ck_assert_uint_eq(suite_properties(0x0a0a), 0); /* GREASE */
    ck_assert_uint_eq(suite_properties(0xfefe), 0); /* unassigned */
}
END_TEST

static uint32_t bits(int a, int b, int c, int d)
{
    uint32_t w = 0;
    int items[] = {a, b, c, d};
    for (size_t i = 0; i < 4; i++) {
        if (items[i] >= 0) {
            w |= 1u << items[i];
        }
    }
    return w;
}

START_TEST(test_weak_negotiated)
{
    struct tls_state *st = new_state();
    ck_assert_uint_eq(weak_negotiated(st), 0); /* no ServerHello */
    server_flight(st);
    ck_assert_uint_eq(weak_negotiated(st), 0);
    st->ems_accepted = false;
    st->secure_renegotiation = false;
    ck_assert_uint_eq(weak_negotiated(st),
                      bits(WEAK_NO_EMS, WEAK_NO_SECURE_RENEGOTIATION, -1, -1));
    server_flight(st);
    st->version = VERSION_TLSv1_0;
    st->cipher_suite = CIPHER_TLS_RSA_WITH_AES_128_CBC_SHA;
    ck_assert_uint_eq(weak_negotiated(st), bits(WEAK_TLS10, WEAK_CBC_TLS10, WEAK_STATIC_RSA, -1));
    st->version = VERSION_TLSv1_1; /* explicit IVs: CBC is no longer flagged */
    ck_assert_uint_eq(weak_negotiated(st), bits(WEAK_TLS11, WEAK_STATIC_RSA, -1, -1));
    st->version = VERSION_SSLv3;
    st->cipher_suite = CIPHER_TLS_RSA_WITH_RC4_128_MD5;
    ck_assert_uint_eq(weak_negotiated(st), bits(WEAK_SSL3, WEAK_RC4, WEAK_STATIC_RSA, -1));
    server_flight(st);
    st->cipher_suite = CIPHER_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
    st->kx.dh_p_bits = 1024;
    st->kx.has_sig_scheme = true;
    st->kx.sig_scheme = SIGSCHEME_rsa_pkcs1_sha1;
    ck_assert_uint_eq(weak_negotiated(st), bits(WEAK_DH_SMALL, WEAK_KX_SIGNATURE_HASH, -1, -1));
    st->kx.dh_p_bits = 2048;
    st->kx.sig_scheme = SIGSCHEME_rsa_pss_rsae_sha256;
    ck_assert_uint_eq(weak_negotiated(st), 0);
    st->has_group = true;
    st->group = GROUP_secp192r1;
    st->kx.compression = 1;
    ck_assert_uint_eq(weak_negotiated(st), bits(WEAK_CURVE, WEAK_COMPRESSION, -1, -1));
    st->group = GROUP_secp256r1;
    st->kx.compression = 0;
    st->version = VERSION_DTLSv1_0;
    st->kx.has_sig_scheme = false;
    st->kx.signed_legacy = true; /* MD5+SHA-1 before TLS 1.2 */
    ck_assert_uint_eq(weak_negotiated(st), bits(WEAK_DTLS10, WEAK_KX_SIGNATURE_HASH, -1, -1));
    /* TLS 1.3: no renegotiation, EMS built in */
    server_flight(st);
    st->version = VERSION_TLSv1_3;
    st->is_tls13 = true;
    st->cipher_suite = CIPHER_TLS_AES_128_GCM_SHA256;
    st->ems_accepted = false;
    st->secure_renegotiation = false;
    ck_assert_uint_eq(weak_negotiated(st), 0);
    st->server_hello_malformed = true;
    ck_assert_uint_eq(weak_negotiated(st), 0);
    free(st);
}
END_TEST

START_TEST(test_weak_offered)
{
    struct tls_state *st = new_state();
    ck_assert_uint_eq(weak_offered(st), 0);
    ordinary_offer(st);
    st->ems_offered = true;
    st->offer.renegotiation_info = true;
    ck_assert_uint_eq(weak_offered(st), 0);
    st->offer.versions |= OFFER_V_TLS10 | OFFER_V_TLS11;
    st->offer.suites |= SUITE_CBC | SUITE_RSA_KX;
    ck_assert_uint_eq(weak_offered(st) & ~bits(WEAK_STATIC_RSA, -1, -1, -1),
                      bits(WEAK_TLS10, WEAK_TLS11, WEAK_CBC_TLS10, -1));
    /* without supported_versions only a weak maximum is known to be offered */
    free(st);
    st = new_state();
    ordinary_offer(st);
    st->ems_offered = true;
    st->offer.renegotiation_info = true;
    st->offer.versions_listed = false;
    st->offer.versions = 0;
    st->offer.legacy_version = VERSION_TLSv1_2;
    ck_assert_uint_eq(weak_offered(st), 0);
    st->offer.legacy_version = VERSION_TLSv1_0;
    ck_assert_uint_eq(weak_offered(st), bits(WEAK_TLS10, -1, -1, -1));
    st->offer.legacy_version = VERSION_TLSv1_2;
    st->offer.suites |= SUITE_RC4 | SUITE_3DES | SUITE_NULL | SUITE_EXPORT;
    st->offer.compression = true;
    st->offer.groups_weak = true;
    st->offer.sigalgs_weak = true;
    ck_assert_uint_eq(weak_offered(st),
                      bits(WEAK_RC4, WEAK_3DES, WEAK_NULL_CIPHER, WEAK_EXPORT) |
                          bits(WEAK_COMPRESSION, WEAK_CURVE, WEAK_KX_SIGNATURE_HASH, -1));
    st->ems_offered = false;
    st->offer.renegotiation_info = false;
    ck_assert_uint_ne(weak_offered(st) & (1u << WEAK_NO_EMS), 0);
    ck_assert_uint_ne(weak_offered(st) & (1u << WEAK_NO_SECURE_RENEGOTIATION), 0);
    free(st);
}
END_TEST

/* The close line's fields for st ended by end, after "close". */
static void describe(const struct tls_state *st, const struct close_facts *end,
                     struct vec_events *ev)
{
    struct fields *f = malloc(sizeof(*f));
    ck_assert_ptr_nonnull(f);
    fields_init(f, "close", NULL);
    diagnosis_describe(st, end, f);
    struct tls_sink sink = vec_sink(ev);
    sink.emit(sink.ctx, DIR_C2S, f);
    free(f);
}

START_TEST(test_close_line_fields)
{
    struct tls_state *st = new_state();
    struct vec_events ev;
    vec_events_init(&ev);
    ordinary_offer(st);
    st->offer.versions = OFFER_V_TLS13;
    st->offer.suites = SUITE_TLS13 | SUITE_AEAD;
    st->offer.suite_count = 1;
    st->offer.groups = 1;
    st->offer.groups_mandatory = false;
    st->offer.sigalgs = 14;
    alert(st, ALERT_handshake_failure, DIR_S2C);
    describe(st, &fin_by_server, &ev);
    ck_assert_str_eq(vec_line(&ev, 0),
                     "close cause=no_shared_group closed_by=server offered_versions=TLSv1.3 "
                     "offered_suite_classes=tls13,aead offered_suites=1 offered_groups=1 "
                     "offered_signature_algorithms=14");
    /* a completed weak handshake: weak= only; weak_offered= at detail level */
    free(st);
    st = new_state();
    server_flight(st);
    st->version = VERSION_TLSv1_0;
    st->cipher_suite = CIPHER_TLS_RSA_WITH_AES_128_CBC_SHA;
    st->dir[DIR_C2S].finished = true;
    st->dir[DIR_S2C].finished = true;
    st->client_hello_seen = true;
    st->offer.legacy_version = VERSION_TLSv1_0;
    st->offer.suites = SUITE_LEGACY | SUITE_CBC | SUITE_RSA_KX;
    st->offer.renegotiation_info = true;
    st->ems_offered = true;
    describe(st, &fin_by_client, &ev);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "weak=tls10,cbc_tls10,static_rsa"));
    ck_assert_ptr_null(strstr(vec_line(&ev, 1), "cause="));
    vec_events_free(&ev);
    free(st);
}
END_TEST

Suite *suite_diagnosis(void)
{
    Suite *s = suite_create("diagnosis");
    TCase *tc = tcase_create("cause");
    tcase_add_test(tc, test_completed_has_no_cause);
    tcase_add_test(tc, test_version_mismatch);
    tcase_add_test(tc, test_no_shared_parameters);
    tcase_add_test(tc, test_certificate_expired_and_clock);
    tcase_add_test(tc, test_chain_causes);
    tcase_add_test(tc, test_client_certificates);
    tcase_add_test(tc, test_alerts_named_for_their_cause);
    tcase_add_test(tc, test_how_it_ended);
    tcase_add_test(tc, test_cause_names);
    suite_add_tcase(s, tc);
    TCase *weak = tcase_create("weak");
    tcase_add_test(weak, test_suite_properties);
    tcase_add_test(weak, test_weak_negotiated);
    tcase_add_test(weak, test_weak_offered);
    tcase_add_test(weak, test_close_line_fields);
    suite_add_tcase(s, weak);
    return s;
}
