/* cert_check.c: RFC 6125 host name rules, and each check on real certificates (made by
 * tests/certs/make-certs.sh, valid 2026-12-07 to 2036-12-04) at fixed times, with
 * tests/certs/root.pem as the only trust anchor. */
#include <check.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/cert_check.h"
#include "suites.h"

#define T_BEFORE 1577836800   /* 2020-01-01: before every test certificate */
#define T_VALID 1893456000    /* 2030-01-01 */
#define T_EXPIRING 2110752000 /* 2036-11-20: 14 days before their notAfter */
#define T_AFTER 2208988800    /* 2040-01-01 */
#define SNI "server.hsdump.test"

#define BIT(issue) (1u << (issue))

static const char *srcdir(void)
{
    return getenv("srcdir") != NULL ? getenv("srcdir") : ".";
}

static void use_test_root(void)
{
    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/tests/certs/root.pem", srcdir());
    ck_assert_msg(cert_check_configure(path, NULL, CERT_EXPIRY_WARNING_DEFAULT, err,
                                       sizeof(err)),
                  "%s", err);
}

/* The DER copies der_of() made, freed after each test (the cursors point into them). */
static unsigned char *made[64];
static size_t n_made;

static void free_made(void)
{
    while (n_made > 0) {
        OPENSSL_free(made[--n_made]);
    }
    cert_check_free();
}

/* tests/certs/NAME.pem in DER. */
static struct cursor der_of(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/certs/%s.pem", srcdir(), name);
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "%s", path);
    X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    ck_assert_ptr_nonnull(x);
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    X509_free(x);
    ck_assert_int_gt(len, 0);
    ck_assert_uint_lt(n_made, sizeof(made) / sizeof(made[0]));
    made[n_made++] = der;
    return cur_make(der, (size_t)len);
}

struct result {
    struct chain_check c;
    uint32_t issues[CERT_CHAIN_MAX];
};

static struct result check_chain_for(const struct cursor *ders, size_t n, bool from_server,
                                     enum cert_key_use use, const char *sni, int64_t now)
{
    struct result r;
    cert_check_chain(ders, n, from_server, use, sni, sni != NULL ? strlen(sni) : 0, now, &r.c,
                     r.issues);
    ck_assert(r.c.checked);
    return r;
}

static struct result check_chain(const struct cursor *ders, size_t n, bool from_server,
                                 const char *sni, int64_t now)
{
    return check_chain_for(ders, n, from_server, CERT_KEY_USE_SIGN, sni, now);
}

static struct result check_one(const char *name, const char *sni, int64_t now)
{
    struct cursor der = der_of(name);
    return check_chain(&der, 1, true, sni, now);
}

static bool matches(const char *pattern, const char *host)
{
    return cert_dns_name_matches(pattern, strlen(pattern), host, strlen(host));
}

/* RFC 6125 6.4.3's examples, and the choices hsdump.1 states. */
START_TEST(rfc6125_wildcard_is_one_whole_left_most_label)
{
    ck_assert(matches("*.example.com", "foo.example.com"));
    ck_assert(!matches("*.example.com", "bar.foo.example.com"));
    ck_assert(!matches("*.example.com", "example.com"));
    ck_assert(!matches("*.com", "example.com")); /* no wildcard over a single label */
    ck_assert(!matches("foo.*.example.com", "foo.bar.example.com"));
    ck_assert(!matches("*.example.com", ".example.com"));
}
END_TEST

/* Partial wildcards (baz*.example.net, *baz.example.net, b*z.example.net in RFC 6125 6.4.3)
 * are not honoured, as RFC 9525 6.3 and the CA/B Forum's Baseline Requirements have it; and
 * so never inside an IDNA A-label either (RFC 6125 6.4.3's last paragraph). */
START_TEST(partial_wildcards_and_a_labels)
{
    ck_assert(!matches("f*.example.com", "foo.example.com"));
    ck_assert(!matches("*oo.example.com", "foo.example.com"));
    ck_assert(!matches("xn--*.example.com", "xn--bcher-kva.example.com"));
    ck_assert(matches("*.example.com", "xn--bcher-kva.example.com"));
    ck_assert(matches("xn--bcher-kva.example.com", "XN--BCHER-KVA.example.com"));
}
END_TEST

START_TEST(case_and_trailing_dot)
{
    ck_assert(matches("WWW.Example.COM", "www.example.com"));
    ck_assert(matches("*.EXAMPLE.com", "Foo.example.COM"));
    ck_assert(matches("www.example.com.", "www.example.com"));
    ck_assert(matches("www.example.com", "www.example.com."));
    ck_assert(!matches("www.example.com", "www.example.co"));
    ck_assert(!matches("www.example.com", "*.example.com")); /* a '*' in the host matches nothing */
    ck_assert(!matches("", "example.com"));
}
END_TEST

START_TEST(valid_chain_is_trusted_at_the_packet_time)
{
    use_test_root();
    struct result r = check_one("good", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, 0);
    ck_assert_int_eq(r.c.trust, CERT_TRUST_TRUSTED);
    ck_assert_int_eq(r.c.hostname, CERT_HOSTNAME_MATCH);
    /* the same chain later: the cached verdict is not reused outside its time class */
    r = check_one("good", SNI, T_AFTER);
    ck_assert_uint_eq(r.issues[0], BIT(CERT_ISSUE_EXPIRED));
    ck_assert_int_eq(r.c.trust, CERT_TRUST_UNTRUSTED);
    ck_assert_str_eq(cert_trust_error_name(r.c.verify_error), "certificate_has_expired");
    r = check_one("good", SNI, T_BEFORE);
    ck_assert_uint_eq(r.issues[0], BIT(CERT_ISSUE_NOT_YET_VALID));
    ck_assert_str_eq(cert_trust_error_name(r.c.verify_error), "certificate_not_yet_valid");
    r = check_one("good", SNI, T_EXPIRING);
    ck_assert_uint_eq(r.issues[0], BIT(CERT_ISSUE_EXPIRING));
    ck_assert_int_eq(r.c.trust, CERT_TRUST_TRUSTED);
    r = check_one("good", SNI, T_VALID);
    ck_assert_int_eq(r.c.trust, CERT_TRUST_TRUSTED);
}
END_TEST

START_TEST(hostnames_against_san_ip_and_cn)
{
    use_test_root();
    ck_assert_int_eq(check_one("good", "a.wild.hsdump.test", T_VALID).c.hostname,
                     CERT_HOSTNAME_MATCH);
    struct result r = check_one("good", "x.y.wild.hsdump.test", T_VALID);
    ck_assert_int_eq(r.c.hostname, CERT_HOSTNAME_MISMATCH);
    ck_assert_uint_eq(r.issues[0], BIT(CERT_ISSUE_HOSTNAME_MISMATCH));
    ck_assert_int_eq(r.c.trust, CERT_TRUST_TRUSTED); /* trust says nothing of the name */
    ck_assert_int_eq(check_one("good", "127.0.0.1", T_VALID).c.hostname, CERT_HOSTNAME_MATCH);
    ck_assert_int_eq(check_one("good", "127.0.0.2", T_VALID).c.hostname, CERT_HOSTNAME_MISMATCH);
    r = check_one("good", NULL, T_VALID);
    ck_assert_int_eq(r.c.hostname, CERT_HOSTNAME_NO_SNI);
    ck_assert_uint_eq(r.c.issues, 0);
    /* the CN counts only without a SAN dNSName (RFC 6125 6.4.4) */
    ck_assert_int_eq(check_one("cnonly", "cn.hsdump.test", T_VALID).c.hostname,
                     CERT_HOSTNAME_MATCH);
    ck_assert_int_eq(check_one("cnonly", SNI, T_VALID).c.hostname, CERT_HOSTNAME_MISMATCH);
}
END_TEST

START_TEST(weak_keys_and_hashes)
{
    use_test_root();
    struct result r = check_one("sha1", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, BIT(CERT_ISSUE_WEAK_SIGNATURE_HASH));
    r = check_one("rsa1024", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, BIT(CERT_ISSUE_WEAK_KEY));
    r = check_one("ec192", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, BIT(CERT_ISSUE_WEAK_KEY));
    /* a self-signed root's own SHA-256 or SHA-1 signature: never an issue (anchor) */
    struct cursor chain[2] = {der_of("good"), der_of("root")};
    r = check_chain(chain, 2, true, SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, 0);
    ck_assert_int_eq(r.c.trust, CERT_TRUST_TRUSTED);
}
END_TEST

START_TEST(constraints_and_key_usage)
{
    use_test_root();
    struct result r = check_one("leafca", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, BIT(CERT_ISSUE_BASIC_CONSTRAINTS));
    r = check_one("clientonly", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, BIT(CERT_ISSUE_KEY_USAGE));
    struct cursor client = der_of("clientonly");
    r = check_chain(&client, 1, false, NULL, T_VALID); /* a client's: clientAuth is right */
    ck_assert_uint_eq(r.c.issues, 0);
    ck_assert_int_eq(r.c.trust, CERT_TRUST_TRUSTED);
    /* keyUsage digitalSignature only: right for ECDHE, not for the RSA key exchange */
    struct cursor ec = der_of("ec192");
    ck_assert_uint_eq(check_chain_for(&ec, 1, true, CERT_KEY_USE_SIGN, SNI, T_VALID).issues[0],
                      BIT(CERT_ISSUE_WEAK_KEY));
    ck_assert_uint_eq(check_chain_for(&client, 1, true, CERT_KEY_USE_ENCIPHER, SNI, T_VALID)
                          .issues[0],
                      BIT(CERT_ISSUE_KEY_USAGE));
    struct cursor good = der_of("good"); /* digitalSignature and keyEncipherment */
    ck_assert_uint_eq(check_chain_for(&good, 1, true, CERT_KEY_USE_ENCIPHER, SNI, T_VALID)
                          .issues[0],
                      0);
    ck_assert_uint_eq(check_chain_for(&good, 1, true, CERT_KEY_USE_AGREE, SNI, T_VALID).issues[0],
                      BIT(CERT_ISSUE_KEY_USAGE));
    struct cursor chain[2] = {der_of("undernoca"), der_of("noca")};
    r = check_chain(chain, 2, true, SNI, T_VALID);
    ck_assert_uint_eq(r.issues[0], 0);
    ck_assert_uint_eq(r.issues[1], BIT(CERT_ISSUE_BASIC_CONSTRAINTS));
    ck_assert_int_eq(r.c.trust, CERT_TRUST_UNTRUSTED);
    ck_assert_str_eq(cert_trust_error_name(r.c.verify_error), "invalid_ca");
}
END_TEST

START_TEST(order_linkage_signature_self_signed)
{
    use_test_root();
    struct cursor wrong_order[3] = {der_of("undernoca"), der_of("root"), der_of("noca")};
    struct result r = check_chain(wrong_order, 3, true, SNI, T_VALID);
    ck_assert(r.issues[0] & BIT(CERT_ISSUE_CHAIN_ORDER));
    struct cursor unlinked[2] = {der_of("good"), der_of("rogue")};
    r = check_chain(unlinked, 2, true, SNI, T_VALID);
    ck_assert_uint_eq(r.issues[0], BIT(CERT_ISSUE_ISSUER_MISMATCH));
    /* one bit of the signature flipped: the root's key no longer verifies it */
    struct cursor good = der_of("good");
    uint8_t *bad = malloc(cur_len(good));
    memcpy(bad, cur_data(good), cur_len(good));
    bad[cur_len(good) - 1] ^= 1;
    struct cursor tampered[2] = {cur_make(bad, cur_len(good)), der_of("root")};
    r = check_chain(tampered, 2, true, SNI, T_VALID);
    ck_assert_uint_eq(r.issues[0], BIT(CERT_ISSUE_BAD_SIGNATURE));
    ck_assert_int_eq(r.c.trust, CERT_TRUST_UNTRUSTED);
    ck_assert_str_eq(cert_trust_error_name(r.c.verify_error), "certificate_signature_failure");
    r = check_one("self", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, BIT(CERT_ISSUE_SELF_SIGNED));
    ck_assert_str_eq(cert_trust_error_name(r.c.verify_error), "self_signed_certificate");
    r = check_one("rogueleaf", SNI, T_VALID);
    ck_assert_uint_eq(r.c.issues, 0);
    ck_assert_str_eq(cert_trust_error_name(r.c.verify_error),
                     "unable_to_get_local_issuer_certificate");
    free(bad);
}
END_TEST

START_TEST(interception_is_suspected_for_another_issuer_of_the_same_name)
{
    use_test_root();
    ck_assert(!check_one("good", "mitm.hsdump.test", T_VALID).c.interception_suspected);
    ck_assert(!check_one("good", "mitm.hsdump.test", T_VALID).c.interception_suspected);
    ck_assert(check_one("rogueleaf", "MITM.hsdump.test", T_VALID).c.interception_suspected);
    ck_assert(!check_one("good", "mitm.hsdump.test", T_VALID).c.interception_suspected);
    /* a first chain for another name sets nothing */
    ck_assert(!check_one("rogueleaf", "other.hsdump.test", T_VALID).c.interception_suspected);
    ck_assert(!check_one("good", NULL, T_VALID).c.interception_suspected);
}
END_TEST

/* A client's chain gets a trust verdict only with --ca-file/--ca-path. */
START_TEST(client_chain_trust_needs_a_ca_given)
{
    char err[64];
    ck_assert(cert_check_configure(NULL, NULL, 30, err, sizeof(err)));
    struct cursor client = der_of("clientonly");
    struct result r = check_chain(&client, 1, false, NULL, T_VALID);
    ck_assert_int_eq(r.c.trust, CERT_TRUST_NOT_CHECKED);
    ck_assert_int_eq(r.c.hostname, CERT_HOSTNAME_NOT_CHECKED);
    ck_assert(cert_check_configure(NULL, NULL, 0, err, sizeof(err)));
    ck_assert_uint_eq(check_one("good", SNI, T_EXPIRING).issues[0], 0); /* 0: never expiring */
}
END_TEST

Suite *suite_cert_check(void)
{
    Suite *s = suite_create("cert_check");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, free_made);
    tcase_add_test(tc, rfc6125_wildcard_is_one_whole_left_most_label);
    tcase_add_test(tc, partial_wildcards_and_a_labels);
    tcase_add_test(tc, case_and_trailing_dot);
    tcase_add_test(tc, valid_chain_is_trusted_at_the_packet_time);
    tcase_add_test(tc, hostnames_against_san_ip_and_cn);
    tcase_add_test(tc, weak_keys_and_hashes);
    tcase_add_test(tc, constraints_and_key_usage);
    tcase_add_test(tc, order_linkage_signature_self_signed);
    tcase_add_test(tc, interception_is_suspected_for_another_issuer_of_the_same_name);
    tcase_add_test(tc, client_chain_trust_needs_a_ca_given);
    suite_add_tcase(s, tc);
    return s;
}
