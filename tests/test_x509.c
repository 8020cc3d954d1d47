/* x509.c's description cache: more certificates than it holds, described round after round,
 * must each get their own description back (a stale or colliding slot would print another
 * certificate's names). */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "suites.h"
#include "vectors.h"
#include "crypto/x509.h"

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
static void check_subject(const struct der *d, int i)
{
    char want[48];
    struct fields f;
    struct vec_events ev;
    vec_events_init(&ev);
    fields_init(&f, "x509", NULL);
    ck_assert(x509_describe(cur_make(d->bytes, (size_t)d->len), &f));
    struct tls_sink sink = vec_sink(&ev);
    sink.emit(sink.ctx, DIR_S2C, &f);
    snprintf(want, sizeof(want), "subject=CN\\x3dcache%d ", i);
    ck_assert_msg(strstr(vec_line(&ev, 0), want) != NULL, "certificate %d: %s", i,
                  vec_line(&ev, 0));
    vec_events_free(&ev);
}

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

Suite *suite_x509(void)
{
    Suite *s = suite_create("x509");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, cache_gives_every_certificate_its_own_description);
    suite_add_tcase(s, tc);
    return s;
}
