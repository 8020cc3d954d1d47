/* x509.c's description cache: more certificates than it holds, described round after round,
 * must each get their own description back (a stale or colliding slot would print another
 * certificate's names). */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "suites.h"
#include "vectors.h"
#include "crypto/x509.h"
#include "tls/flow.h"
#include "tls/handshake.h"

/* More than the cache's 128 slots, so every set evicts. */
#define CERTS 200

struct der {
    unsigned char *bytes;
    int len;
};

static EVP_PKEY *test_key(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    ck_assert_ptr_nonnull(key);
    return key;
}

/* A self-signed certificate for CN=cache<i>, DER-encoded (OPENSSL_malloc'd). */
static struct der make_cert(EVP_PKEY *key, int i)
{
    char cn[32];
    struct der d = {NULL, 0};
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(name);
    snprintf(cn, sizeof(cn), "cache%d", i);
    ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                         -1, 0) == 1);
    ck_assert(X509_set_version(x, 2) == 1);
    ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1) == 1);
    ck_assert(X509_set_subject_name(x, name) == 1);
    ck_assert(X509_set_issuer_name(x, name) == 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key) == 1);
    ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
    d.len = i2d_X509(x, &d.bytes);
    ck_assert_int_gt(d.len, 0);
    X509_NAME_free(name);
    X509_free(x);
    return d;
}

/* The x509 line x509_describe() gives der, as the record layer would print it. */
static const char *described(const struct der *d)
{
    static char line[4096];
    struct fields f;
    struct vec_events ev;
    vec_events_init(&ev);
    fields_init(&f, "x509", NULL);
    ck_assert(x509_describe(cur_make(d->bytes, (size_t)d->len), &f));
    struct tls_sink sink = vec_sink(&ev);
    sink.emit(sink.ctx, DIR_S2C, &f);
    snprintf(line, sizeof(line), "%s", vec_line(&ev, 0));
    vec_events_free(&ev);
    return line;
}

static void check_subject(const struct der *d, int i)
{
    char want[48];
    const char *line = described(d);
    snprintf(want, sizeof(want), "subject=CN\\x3dcache%d ", i);
    ck_assert_msg(strstr(line, want) != NULL, "certificate %d: %s", i, line);
}

/* The details Zeek's x509.log and ECS carry: version (v1 has no extensions), an RSA key's
 * exponent, basicConstraints with its pathLenConstraint, URI and e-mail SANs (RFC 5280
 * 4.1.2.1, 4.2.1.9, 4.2.1.6). */
static struct der make_detailed(EVP_PKEY *key, bool v3)
{
    struct der d = {NULL, 0};
    X509 *x = X509_new();
    ck_assert_ptr_nonnull(x);
    ck_assert(X509_set_version(x, v3 ? 2 : 0) == 1);
    ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 7) == 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key) == 1);
    if (v3) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                                 "critical,CA:TRUE,pathlen:2");
        X509_EXTENSION *san = X509V3_EXT_conf_nid(
            NULL, &ctx, NID_subject_alt_name,
            "DNS:a.example,URI:https://a.example/x,email:ops@a.example,IP:192.0.2.7");
        ck_assert_ptr_nonnull(bc);
        ck_assert_ptr_nonnull(san);
        ck_assert(X509_add_ext(x, bc, -1) == 1);
        ck_assert(X509_add_ext(x, san, -1) == 1);
        X509_EXTENSION_free(bc);
        X509_EXTENSION_free(san);
    }
    ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
    d.len = i2d_X509(x, &d.bytes);
    ck_assert_int_gt(d.len, 0);
    X509_free(x);
    return d;
}

START_TEST(version_exponent_constraints_and_other_names)
{
    EVP_PKEY *rsa = EVP_RSA_gen(1024);
    ck_assert_ptr_nonnull(rsa);
    struct der v3 = make_detailed(rsa, true);
    const char *line = described(&v3);
    ck_assert_msg(strstr(line, " san_dns=a.example san_ip=192.0.2.7 "
                               "san_uri=https://a.example/x san_email=ops@a.example ") != NULL,
                  "%s", line);
    ck_assert_msg(strstr(line, " x509_version=3 key_exponent=65537 ca=true path_len=2") !=
                      NULL,
                  "%s", line);
    struct der v1 = make_detailed(rsa, false);
    line = described(&v1);
    ck_assert_msg(strstr(line, " x509_version=1 key_exponent=65537") != NULL, "%s", line);
    ck_assert_msg(strstr(line, "ca=") == NULL && strstr(line, "san_") == NULL, "%s", line);
    OPENSSL_free(v3.bytes);
    OPENSSL_free(v1.bytes);
    EVP_PKEY_free(rsa);
}
END_TEST

START_TEST(cache_gives_every_certificate_its_own_description)
{
    static struct der certs[CERTS];
    EVP_PKEY *key = test_key();
    for (int i = 0; i < CERTS; i++) {
        certs[i] = make_cert(key, i);
    }
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < CERTS; i++) {
            /* a busy certificate comes back between the others, so it stays cached */
            check_subject(&certs[i], i);
            check_subject(&certs[0], 0);
        }
    }
    for (int i = 0; i < CERTS; i++) {
        OPENSSL_free(certs[i].bytes);
    }
    EVP_PKEY_free(key);
}
END_TEST

/* A self-signed certificate whose subject (and issuer) is CN=long then ous OU entries of 60
 * 'u's each: RFC 5280 bounds one attribute, not how many a name has. */
static struct der make_long_named_cert(EVP_PKEY *key, int ous)
{
    char ou[61];
    struct der d = {NULL, 0};
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(name);
    memset(ou, 'u', 60);
    ou[60] = '\0';
    ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"long",
                                         -1, -1, 0) == 1);
    for (int i = 0; i < ous; i++) {
        ck_assert(X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)ou,
                                             -1, -1, 0) == 1);
    }
    ck_assert(X509_set_version(x, 2) == 1);
    ck_assert(X509_set_subject_name(x, name) == 1);
    ck_assert(X509_set_issuer_name(x, name) == 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key) == 1);
    ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
    d.len = i2d_X509(x, &d.bytes);
    ck_assert_int_gt(d.len, 0);
    X509_NAME_free(name);
    X509_free(x);
    return d;
}

/* The subject field x509_describe gives der, with whether subject_truncated was set. */
static struct cursor described_subject(const struct der *d, struct fields *f, bool *truncated)
{
    fields_init(f, "x509", NULL);
    ck_assert(x509_describe(cur_make(d->bytes, (size_t)d->len), f));
    const struct field *fd = fields_find(f, "subject");
    ck_assert_ptr_nonnull(fd);
    *truncated = fields_find(f, "subject_truncated") != NULL;
    return fields_value(f, fd);
}

START_TEST(long_names_are_whole_on_the_x509_line_and_marked_on_the_close_line)
{
    EVP_PKEY *key = test_key();
    struct der d = make_long_named_cert(key, 20); /* 7 + 20 * 64 = 1287 bytes of name */
    struct fields *f = malloc(sizeof(*f));
    ck_assert_ptr_nonnull(f);
    bool truncated;
    struct cursor subject = described_subject(&d, f, &truncated);
    ck_assert_uint_eq(cur_len(subject), 7 + 20 * 64); /* cut at 1023 before */
    ck_assert(!truncated);

    /* the same certificate in a server Certificate message: the close line keeps 255 bytes */
    uint8_t body[4096];
    size_t n = (size_t)d.len;
    ck_assert_uint_le(n + 6, sizeof(body));
    body[0] = (uint8_t)((n + 3) >> 16); /* RFC 5246 7.4.2: certificate_list<0..2^24-1> */
    body[1] = (uint8_t)((n + 3) >> 8);
    body[2] = (uint8_t)(n + 3);
    body[3] = (uint8_t)(n >> 16); /* ASN.1Cert<1..2^24-1> */
    body[4] = (uint8_t)(n >> 8);
    body[5] = (uint8_t)n;
    memcpy(body + 6, d.bytes, n);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    struct tls_sink sink = vec_sink(&ev);
    hs_dissect_message(&st, DIR_S2C, 11, cur_make(body, n + 6), 0, 1, &sink);
    ck_assert(!ev.any_malformed);
    ck_assert(st.server_cert.subject_truncated && st.server_cert.issuer_truncated);
    fields_init(f, "close", NULL);
    flow_negotiated(&st, f);
    sink.emit(sink.ctx, DIR_C2S, f);
    const char *close = vec_line(&ev, ev.n - 1);
    /* RFC 2253 order, last RDN first: ",OU=" and 60 'u's per OU, then ",CN=long" */
    char name[20 * 64 + 16] = "";
    for (int i = 0; i < 20; i++) {
        strcat(name, i == 0 ? "OU=" : ",OU=");
        strcat(name, "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu");
    }
    /* the first 255 bytes of the name, then the text form's escape for each '=' */
    char cut[20 * 64 + 16] = "";
    for (size_t i = 0; i < 255; i++) {
        strcat(cut, name[i] == '=' ? "\\x3d" : (char[2]){name[i], '\0'});
    }
    char want[600];
    snprintf(want, sizeof(want),
             "server_subject=%s... server_subject_truncated=true server_issuer=", cut);
    ck_assert_msg(strstr(close, want) != NULL, "%s", close);
    ck_assert_ptr_nonnull(strstr(close, "... server_issuer_truncated=true"));
    vec_events_free(&ev);
    tls_state_free(&st);

    /* past what one x509 line holds (4096 bytes), the x509 line itself marks the cut */
    OPENSSL_free(d.bytes);
    d = make_long_named_cert(key, 80);
    subject = described_subject(&d, f, &truncated);
    ck_assert(truncated);
    ck_assert_uint_eq(cur_len(subject), 4096 + 3);
    uint8_t tail[3];
    struct cursor end = subject;
    ck_assert(cur_skip(&end, 4096));
    cur_copy(end, tail);
    ck_assert(memcmp(tail, "...", 3) == 0);
    OPENSSL_free(d.bytes);
    free(f);
    EVP_PKEY_free(key);
}
END_TEST

/* OpenSSL 3.0 cannot decode an ML-DSA key (RFC 9881): the key is named from its
 * SubjectPublicKeyInfo algorithm, id-ml-dsa-44 (2.16.840.1.101.3.4.3.17), not "unknown", and
 * the signature algorithm likewise. The certificate is an EC one whose key and outer signature
 * algorithm are swapped for ML-DSA-44's before encoding (RFC 9881 4: parameters absent; an
 * ML-DSA-44 public key is 1312 bytes). */
START_TEST(ml_dsa_key_and_signature_are_named_without_libcrypto_support)
{
    EVP_PKEY *key = test_key();
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ck_assert_ptr_nonnull(x);
    ck_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"pq",
                                         -1, -1, 0) == 1);
    ck_assert(X509_set_version(x, 2) == 1);
    ck_assert(X509_set_subject_name(x, name) == 1);
    ck_assert(X509_set_issuer_name(x, name) == 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key) == 1);
    unsigned char *pub = OPENSSL_malloc(1312);
    ck_assert_ptr_nonnull(pub);
    memset(pub, 0x5a, 1312);
    ASN1_OBJECT *ml_dsa_44 = OBJ_txt2obj("2.16.840.1.101.3.4.3.17", 1);
    ck_assert_ptr_nonnull(ml_dsa_44);
    ck_assert(X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), ml_dsa_44, V_ASN1_UNDEF, NULL, pub,
                                     1312) == 1);
    ck_assert(X509_sign(x, key, EVP_sha256()) > 0);
    const X509_ALGOR *sigalg = NULL;
    X509_get0_signature(NULL, &sigalg, x);
    ck_assert(X509_ALGOR_set0((X509_ALGOR *)sigalg, OBJ_txt2obj("2.16.840.1.101.3.4.3.17", 1),
                              V_ASN1_UNDEF, NULL) == 1);
    struct der d = {NULL, 0};
    d.len = i2d_X509(x, &d.bytes);
    ck_assert_int_gt(d.len, 0);
    struct fields *f = malloc(sizeof(*f));
    ck_assert_ptr_nonnull(f);
    fields_init(f, "x509", NULL);
    ck_assert(x509_describe(cur_make(d.bytes, (size_t)d.len), f));
    ck_assert(!f->malformed);
    const struct field *fd = fields_find(f, "key");
    ck_assert_ptr_nonnull(fd);
    struct cursor v = fields_value(f, fd);
    ck_assert(cur_equal(v, (const uint8_t *)"ml-dsa-44", 9) && cur_len(v) == 9);
    fd = fields_find(f, "signature");
    ck_assert_ptr_nonnull(fd);
    v = fields_value(f, fd);
    ck_assert(cur_equal(v, (const uint8_t *)"ML-DSA-44", 9) && cur_len(v) == 9);
    free(f);
    OPENSSL_free(d.bytes);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(key);
}
END_TEST

Suite *suite_x509(void)
{
    Suite *s = suite_create("x509");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, cache_gives_every_certificate_its_own_description);
    tcase_add_test(tc, version_exponent_constraints_and_other_names);
    tcase_add_test(tc, long_names_are_whole_on_the_x509_line_and_marked_on_the_close_line);
    tcase_add_test(tc, ml_dsa_key_and_signature_are_named_without_libcrypto_support);
    suite_add_tcase(s, tc);
    return s;
}
