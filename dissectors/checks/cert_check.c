/* Certificate checks (cert_check.h): what a client would check of the chain it is sent, made
 * from the capture alone at the packet's time. Rules and anchors: hsdump.1, CERTIFICATE
 * CHECKS. Costly steps (decoding, signatures, X509_verify_cert) run once per distinct chain:
 * results are cached by the chain's certificates (the decoded objects of x509.c's cache,
 * held here), and the trust verdict is reused while the packet time falls in the same place
 * against every certificate's validity window. */
#include "checks/cert_check.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cache_ways.h"
#include "base/fields.h"
#include "base/fnv.h"
#include "crypto/x509.h"

const char *cert_issue_name(enum cert_issue issue)
{
    static const char *const names[CERT_ISSUE_COUNT] = {
        "expired",         "not_yet_valid",  "expiring",
        "hostname_mismatch", "self_signed",  "chain_order",
        "issuer_mismatch", "bad_signature",  "weak_key",
        "weak_signature_hash", "basic_constraints", "key_usage",
    };
    return (unsigned)issue < CERT_ISSUE_COUNT ? names[issue] : "unknown";
}

const char *cert_hostname_name(enum cert_hostname h)
{
    switch (h) {
    case CERT_HOSTNAME_MATCH:
        return "match";
    case CERT_HOSTNAME_MISMATCH:
        return "mismatch";
    case CERT_HOSTNAME_NO_SNI:
        return "no_sni";
    default:
        return "not_checked";
    }
}

#define BIT(issue) (1u << (issue))

/* ------------------------------------------------------------------ configuration, store */

static struct {
    const char *ca_file;
    const char *ca_path;
    bool user_store; /* --ca-file or --ca-path: client chains get a verdict too */
    int64_t expiry_seconds;
    X509_STORE *store; /* NULL until the first chain is checked (system store) */
    bool store_failed;
} config = {NULL, NULL, false, (int64_t)CERT_EXPIRY_WARNING_DEFAULT * 86400, NULL, false};

static bool load_user_store(char *err, size_t err_cap)
{
    config.store = X509_STORE_new();
    if (config.store == NULL) {
        snprintf(err, err_cap, "out of memory");
        return false;
    }
    if (config.ca_file != NULL && X509_STORE_load_file(config.store, config.ca_file) != 1) {
        snprintf(err, err_cap, "--ca-file: '%s': no PEM certificate could be read from it",
                 config.ca_file);
        ERR_clear_error();
        return false;
    }
    if (config.ca_path != NULL && X509_STORE_load_path(config.store, config.ca_path) != 1) {
        snprintf(err, err_cap, "--ca-path: '%s': not a directory libcrypto can look up",
                 config.ca_path);
        ERR_clear_error();
        return false;
    }
    return true;
}

bool cert_check_configure(const char *ca_file, const char *ca_path, unsigned expiry_days,
                          char *err, size_t err_cap)
{
    X509_STORE_free(config.store); /* a store loaded before, by an earlier call */
    config.store = NULL;
    config.store_failed = false;
    config.ca_file = ca_file;
    config.ca_path = ca_path;
    config.user_store = ca_file != NULL || ca_path != NULL;
    config.expiry_seconds = (int64_t)expiry_days * 86400;
    return !config.user_store || load_user_store(err, err_cap);
}

/* A directory of certificates named by subject hash (openssl-rehash(1): 8 hex digits, a dot,
 * a digit), as libcrypto's by_dir lookup reads them. */
static bool hashed_directory(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    bool found = false;
    while (d != NULL && !found && (entry = readdir(d)) != NULL) {
        const char *n = entry->d_name;
        found = strlen(n) == 10 && strspn(n, "0123456789abcdef") == 8 && n[8] == '.' &&
                n[9] >= '0' && n[9] <= '9';
    }
    if (d != NULL) {
        closedir(d);
    }
    return found;
}

/* The system's store, the first time a chain needs it (a run without certificates never
 * reads it): OpenSSL's default certificate directory ($SSL_CERT_DIR, else OPENSSLDIR/certs)
 * when it is hashed, whose certificates libcrypto reads one by one as issuers are looked up;
 * else X509_STORE_set_default_paths(), which also parses the whole default bundle
 * (OPENSSLDIR/cert.pem: some 150 certificates, 200 million instructions) up front. NULL if
 * it cannot be made (no memory). */
static X509_STORE *trust_store(void)
{
    if (config.store == NULL && !config.store_failed) {
        const char *dir = getenv(X509_get_default_cert_dir_env());
        dir = dir != NULL ? dir : X509_get_default_cert_dir();
        config.store = X509_STORE_new();
        config.store_failed = config.store == NULL;
        /* a system without a store has an empty one: nothing validates there, as in a client
         * on it (unable_to_get_local_issuer_certificate), and the run goes on */
        if (config.store != NULL) {
            (void)(hashed_directory(dir) ? X509_STORE_load_path(config.store, dir)
                                         : X509_STORE_set_default_paths(config.store));
        }
        ERR_clear_error(); /* a missing default file is no error of the capture's */
    }
    return config.store;
}

/* ------------------------------------------------------------------ host names */

static char lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

static bool equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool cert_dns_name_matches(const char *pattern, size_t plen, const char *host, size_t hlen)
{
    /* RFC 6125 6.4.1 (DNS labels compared without case; a fully qualified name's trailing
     * dot is not part of it) */
    if (plen > 0 && pattern[plen - 1] == '.') {
        plen--;
    }
    if (hlen > 0 && host[hlen - 1] == '.') {
        hlen--;
    }
    if (plen == 0 || hlen == 0 || memchr(host, '*', hlen) != NULL) {
        return false;
    }
    if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
        /* RFC 6125 6.4.3, as RFC 9525 6.3 narrows it: '*' is the whole left-most label and
         * stands for exactly one label; "*.com" (one label after it) matches nothing. */
        const char *rest = pattern + 1; /* ".example.com" */
        size_t rest_len = plen - 1;
        if (memchr(rest + 1, '.', rest_len - 1) == NULL || memchr(rest, '*', rest_len)) {
            return false;
        }
        const char *dot = memchr(host, '.', hlen);
        if (dot == NULL || dot == host) {
            return false;
        }
        size_t tail = hlen - (size_t)(dot - host);
        return tail == rest_len && equal_nocase(dot, rest, rest_len);
    }
    /* Partial wildcards (f*.example.com, xn--*.example.com) are not honoured: a '*' anywhere
     * else is compared as a character, which no host name has. */
    return plen == hlen && equal_nocase(pattern, host, hlen);
}

/* ------------------------------------------------------------------ trust error names */

const char *cert_trust_error_name(int e)
{
    static const struct {
        int code;
        const char *name;
    } table[] = {
        {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "unable_to_get_issuer_certificate"},
        {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unable_to_get_local_issuer_certificate"},
        {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, "unable_to_verify_leaf_signature"},
        {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, "certificate_signature_failure"},
        {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, "unable_to_decode_issuer_public_key"},
        {X509_V_ERR_CERT_SIGNATURE_FAILURE, "certificate_signature_failure"},
        {X509_V_ERR_CERT_NOT_YET_VALID, "certificate_not_yet_valid"},
        {X509_V_ERR_CERT_HAS_EXPIRED, "certificate_has_expired"},
        {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, "invalid_not_before"},
        {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, "invalid_not_after"},
        {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self_signed_certificate"},
        {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "self_signed_certificate_in_chain"},
        {X509_V_ERR_CERT_CHAIN_TOO_LONG, "certificate_chain_too_long"},
        {X509_V_ERR_INVALID_CA, "invalid_ca"},
        {X509_V_ERR_PATH_LENGTH_EXCEEDED, "path_length_exceeded"},
        {X509_V_ERR_INVALID_PURPOSE, "invalid_purpose"},
        {X509_V_ERR_CERT_UNTRUSTED, "certificate_untrusted"},
        {X509_V_ERR_CERT_REJECTED, "certificate_rejected"},
        {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, "key_usage_no_certsign"},
        {X509_V_ERR_INVALID_EXTENSION, "invalid_extension"},
        {X509_V_ERR_INVALID_NON_CA, "invalid_non_ca"},
        {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, "unhandled_critical_extension"},
        {X509_V_ERR_PERMITTED_VIOLATION, "name_constraints_violation"},
        {X509_V_ERR_EXCLUDED_VIOLATION, "name_constraints_violation"},
        {X509_V_ERR_EE_KEY_TOO_SMALL, "key_too_small"},
        {X509_V_ERR_CA_KEY_TOO_SMALL, "ca_key_too_small"},
        {X509_V_ERR_CA_MD_TOO_WEAK, "ca_md_too_weak"},
        {X509_V_ERR_OUT_OF_MEM, "out_of_memory"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].code == e) {
            return table[i].name;
        }
    }
    return "other";
}

/* ------------------------------------------------------------------ one certificate */

static int64_t asn1_seconds(const ASN1_TIME *t, bool *ok)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        *ok = false;
        return 0;
    }
    *ok = true;
    return (int64_t)timegm(&tm);
}

/* CA/B Forum Baseline Requirements 6.1.5 (RSA 2048 bits; ECDSA P-256 and up), Zeek's
 * weak-keys.zeek and RFC 8446 4.2.7's curves: RSA, DSA and DH under 2048 bits, an EC key on
 * a curve under 224 bits or on explicit parameters (no named curve). */
static bool weak_key(X509 *cert)
{
    EVP_PKEY *key = X509_get0_pubkey(cert);
    if (key == NULL) {
        ERR_clear_error();
        return false;
    }
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
    case EVP_PKEY_DSA:
    case EVP_PKEY_DH:
        return EVP_PKEY_get_bits(key) < 2048;
    case EVP_PKEY_EC: {
        char group[64];
        size_t len = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) {
            ERR_clear_error();
            return true;
        }
        return EVP_PKEY_get_bits(key) < 224;
    }
    default:
        return false;
    }
}

/* RFC 6151 (MD5), RFC 9155 and the CA/B Forum's SHA-1 sunset: MD2, MD4, MD5 and SHA-1. */
static bool weak_signature_hash(const X509 *cert)
{
    int md = NID_undef;
    if (X509_get_signature_info((X509 *)cert, &md, NULL, NULL, NULL) != 1) {
        ERR_clear_error();
        return false;
    }
    return md == NID_md5 || md == NID_sha1 || md == NID_md4 || md == NID_md2 ||
           md == NID_md5_sha1;
}

/* issuer issued subject: names, key identifiers (X509_check_issued); a missing keyCertSign
 * still links them, and is reported as key_usage on the issuer. */
static bool issued(X509 *issuer, X509 *subject)
{
    int r = X509_check_issued(issuer, subject);
    return r == X509_V_OK || r == X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
}

/* ------------------------------------------------------------------ chains, cached */

#define PATH_MAX_CERTS 32 /* the chain X509_verify_cert builds: sent ones and the anchor */
#define CHAIN_SETS 16
#define CHAIN_WAYS 4
#define IPS_MAX 32 /* the leaf's first iPAddress names kept (an SNI holds none: RFC 6066 3) */

struct chain_entry {
    struct cache_way way;
    size_t n;
    bool from_server;
    X509 *certs[CERT_CHAIN_MAX]; /* one reference each, owned */
    uint32_t fixed[CERT_CHAIN_MAX]; /* the issues that do not depend on time or SNI */
    int64_t not_before[CERT_CHAIN_MAX];
    int64_t not_after[CERT_CHAIN_MAX];
    bool times_ok[CERT_CHAIN_MAX];
    uint64_t top_issuer; /* hash of the last certificate's issuer name (interception) */
    uint32_t leaf_key_usage; /* KU_* bits of its keyUsage, all ones without one */
    /* the leaf's names: NUL-separated DNS names (SAN dNSNames, else the CN), IP addresses */
    char *names; /* owned; as large as the leaf's DER, which holds them all */
    size_t names_len;
    size_t names_cap;
    uint8_t ips[IPS_MAX][16];
    uint8_t ip_lens[IPS_MAX];
    size_t n_ips;
    /* the last SNI compared with them and what it gave: most connections repeat it */
    char last_sni[256];
    size_t last_sni_len; /* 0: none yet */
    enum cert_hostname last_hostname;
    /* The last verdict and the chain it was found on, with the validity windows of that
     * chain's certificates: it holds for any time that is in the same place against each. */
    bool verdict_known;
    enum cert_trust trust;
    int verify_error;
    size_t path_n;
    int64_t path_from[PATH_MAX_CERTS];
    int64_t path_to[PATH_MAX_CERTS];
    uint64_t verdict_time_class;
};

static struct chain_entry chains[CHAIN_SETS][CHAIN_WAYS];
static uint64_t chain_clock;

struct chain_key {
    X509 *const *certs;
    size_t n;
    bool from_server;
};

static bool holds_chain(const void *entry, const void *key)
{
    const struct chain_entry *e = entry;
    const struct chain_key *k = key;
    return e->n == k->n && e->from_server == k->from_server &&
           memcmp(e->certs, k->certs, k->n * sizeof(k->certs[0])) == 0;
}

/* A name with a NUL in it (no IA5String dNSName or CN has one) is left out: it would read as
 * a shorter name (the "null prefix" certificates). */
static void add_name(struct chain_entry *e, const unsigned char *name, int len)
{
    if (len <= 0 || memchr(name, '\0', (size_t)len) != NULL ||
        e->names_len + (size_t)len + 1 > e->names_cap) {
        return;
    }
    memcpy(e->names + e->names_len, name, (size_t)len);
    e->names_len += (size_t)len;
    e->names[e->names_len++] = '\0';
}

/* RFC 6125 6.4.4: the CN only when there is no SAN dNSName. */
static void keep_leaf_names(struct chain_entry *e, X509 *leaf)
{
    int der_len = i2d_X509(leaf, NULL);
    e->names = der_len > 0 ? malloc((size_t)der_len) : NULL;
    e->names_cap = e->names != NULL ? (size_t)der_len : 0;
    GENERAL_NAMES *sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        if (gn->type == GEN_DNS) {
            add_name(e, ASN1_STRING_get0_data(gn->d.dNSName), ASN1_STRING_length(gn->d.dNSName));
        } else if (gn->type == GEN_IPADD && e->n_ips < IPS_MAX) {
            int len = ASN1_STRING_length(gn->d.iPAddress);
            if (len == 4 || len == 16) {
                memcpy(e->ips[e->n_ips], ASN1_STRING_get0_data(gn->d.iPAddress), (size_t)len);
                e->ip_lens[e->n_ips++] = (uint8_t)len;
            }
        }
    }
    GENERAL_NAMES_free(sans);
    if (e->names_len == 0) {
        const X509_NAME *subject = X509_get_subject_name(leaf);
        int last = -1, i;
        while ((i = X509_NAME_get_index_by_NID(subject, NID_commonName, last)) >= 0) {
            last = i; /* the most specific (last) CN, as OpenSSL's X509_check_host reads it */
        }
        if (last >= 0) {
            const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, last));
            add_name(e, ASN1_STRING_get0_data(cn), ASN1_STRING_length(cn));
        }
    }
    ERR_clear_error();
}

/* The issues of each certificate that depend on the chain alone (RFC 5280 4.1.2.4, 6.1.3,
 * 4.2.1.3, 4.2.1.9, 4.2.1.12). */
static void check_fixed(struct chain_entry *e)
{
    size_t n = e->n;
    bool self_issued[CERT_CHAIN_MAX];
    for (size_t i = 0; i < n; i++) {
        X509 *c = e->certs[i];
        self_issued[i] = issued(c, c);
        e->fixed[i] = 0;
        e->not_before[i] = asn1_seconds(X509_get0_notBefore(c), &e->times_ok[i]);
        bool ok_after;
        e->not_after[i] = asn1_seconds(X509_get0_notAfter(c), &ok_after);
        e->times_ok[i] = e->times_ok[i] && ok_after;
        if (weak_key(c)) {
            e->fixed[i] |= BIT(CERT_ISSUE_WEAK_KEY);
        }
        /* a self-signed certificate's own signature is no part of trust (RFC 5280 6.1:
         * the trust anchor is taken as it is), so its hash is not an issue */
        if (!self_issued[i] && weak_signature_hash(c)) {
            e->fixed[i] |= BIT(CERT_ISSUE_WEAK_SIGNATURE_HASH);
        }
    }
    for (size_t i = 0; i < n; i++) {
        X509 *c = e->certs[i];
        if (self_issued[i]) {
            if (i == 0) {
                e->fixed[i] |= BIT(CERT_ISSUE_SELF_SIGNED);
                EVP_PKEY *own = X509_get0_pubkey(c);
                if (own == NULL || X509_verify(c, own) != 1) {
                    e->fixed[i] |= BIT(CERT_ISSUE_BAD_SIGNATURE);
                }
            }
            continue;
        }
        size_t j = n;
        if (i + 1 < n && issued(e->certs[i + 1], c)) {
            j = i + 1;
        } else {
            for (size_t k = 0; k < n && j == n; k++) {
                j = k != i && issued(e->certs[k], c) ? k : n;
            }
            if (j < n) {
                e->fixed[i] |= BIT(CERT_ISSUE_CHAIN_ORDER); /* RFC 8446 4.4.2, RFC 5246 7.4.2 */
            } else if (i + 1 < n) {
                e->fixed[i] |= BIT(CERT_ISSUE_ISSUER_MISMATCH);
            }
        }
        if (j == n) {
            continue; /* its issuer is not in the chain: X509_verify_cert looks in the store */
        }
        X509 *issuer = e->certs[j];
        EVP_PKEY *key = X509_get0_pubkey(issuer);
        if (key == NULL || X509_verify(c, key) != 1) {
            e->fixed[i] |= BIT(CERT_ISSUE_BAD_SIGNATURE);
        }
        /* RFC 5280 4.2.1.9: a v3 certificate that issues others asserts cA; 4.2.1.3:
         * keyCertSign when it has a keyUsage */
        if (X509_get_version(issuer) == X509_VERSION_3 &&
            (X509_get_extension_flags(issuer) & EXFLAG_CA) == 0) {
            e->fixed[j] |= BIT(CERT_ISSUE_BASIC_CONSTRAINTS);
        }
        if ((X509_get_key_usage(issuer) & KU_KEY_CERT_SIGN) == 0) {
            e->fixed[j] |= BIT(CERT_ISSUE_KEY_USAGE);
        }
    }
    /* The end-entity certificate: not a CA (unless self-signed, which says more), and a
     * keyUsage allowing what the connection does with its key (per connection: key_usage_bits),
     * an extendedKeyUsage with serverAuth or clientAuth as it was sent
     * (RFC 5280 4.2.1.12). X509_get_key_usage() and ..._extended_key_usage() are all ones
     * without the extension. */
    X509 *leaf = e->certs[0];
    if (e->from_server && !self_issued[0] && (X509_get_extension_flags(leaf) & EXFLAG_CA) != 0) {
        e->fixed[0] |= BIT(CERT_ISSUE_BASIC_CONSTRAINTS);
    }
    e->leaf_key_usage = X509_get_key_usage(leaf);
    uint32_t purpose = e->from_server ? XKU_SSL_SERVER : XKU_SSL_CLIENT;
    if ((X509_get_extended_key_usage(leaf) & (purpose | XKU_ANYEKU)) == 0) {
        e->fixed[0] |= BIT(CERT_ISSUE_KEY_USAGE);
    }
    const X509_NAME *top_issuer = X509_get_issuer_name(e->certs[n - 1]);
    const unsigned char *der = NULL;
    size_t der_len = 0;
    e->top_issuer = X509_NAME_get0_der((X509_NAME *)top_issuer, &der, &der_len) == 1
                        ? fnv1a64(FNV1A64_BASIS, der, der_len)
                        : 0;
    if (e->from_server) {
        keep_leaf_names(e, leaf);
    }
    ERR_clear_error();
}

static void chain_entry_clear(struct chain_entry *e)
{
    for (size_t i = 0; i < e->n; i++) {
        X509_free(e->certs[i]);
    }
    free(e->names);
    memset(e, 0, sizeof(*e));
}

static void chain_fill(struct chain_entry *e, X509 *const *certs, size_t n, bool from_server)
{
    uint64_t used = e->way.last_used;
    chain_entry_clear(e);
    e->way.last_used = used;
    e->n = n;
    e->from_server = from_server;
    for (size_t i = 0; i < n; i++) {
        X509_up_ref(certs[i]);
        e->certs[i] = certs[i];
    }
    check_fixed(e);
}

static struct chain_entry *chain_lookup(X509 *const *certs, size_t n, bool from_server)
{
    struct chain_key key = {certs, n, from_server};
    uint32_t h = fnv1a32(FNV1A32_BASIS ^ (uint32_t)n ^ (from_server ? 0x80u : 0),
                         certs, n * sizeof(certs[0]));
    bool hit;
    struct chain_entry *e = cache_pick(chains[h % CHAIN_SETS], CHAIN_WAYS, sizeof(chains[0][0]),
                                       holds_chain, &key, &chain_clock, &hit);
    if (!hit) {
        chain_fill(e, certs, n, from_server);
    }
    return e;
}

/* The keyUsage bits the leaf needs for what the connection does with its key (RFC 5280
 * 4.2.1.3; RFC 5246 7.4.2, 7.4.8; RFC 4492 2; RFC 8446 4.4.2.2): any one of them. */
static uint32_t key_usage_bits(enum cert_key_use use)
{
    switch (use) {
    case CERT_KEY_USE_SIGN:
        return KU_DIGITAL_SIGNATURE;
    case CERT_KEY_USE_ENCIPHER:
        return KU_KEY_ENCIPHERMENT;
    case CERT_KEY_USE_AGREE:
        return KU_KEY_AGREEMENT;
    default:
        return KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT;
    }
}

/* Where t falls against [from, to]: 0 inside, 1 before, 2 after; two bits per window. */
static uint64_t time_class(const int64_t *from, const int64_t *to, size_t n, int64_t t)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c = (c << 2) | (t < from[i] ? 1u : t > to[i] ? 2u : 0u);
    }
    return c;
}

/* X509_verify_cert (RFC 5280 6.1) at the packet's time, for a TLS server or client purpose. */
static void verify(struct chain_entry *e, int64_t now)
{
    X509_STORE *store = trust_store();
    e->verdict_known = true;
    e->trust = CERT_TRUST_UNTRUSTED;
    e->verify_error = X509_V_ERR_UNSPECIFIED;
    e->path_n = 0;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    for (size_t i = 1; untrusted != NULL && i < e->n; i++) {
        (void)sk_X509_push(untrusted, e->certs[i]);
    }
    if (store != NULL && untrusted != NULL && ctx != NULL &&
        X509_STORE_CTX_init(ctx, store, e->certs[0], untrusted) == 1) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(param, (time_t)now);
        X509_VERIFY_PARAM_set_depth(param, PATH_MAX_CERTS - 2);
        X509_STORE_CTX_set_purpose(ctx, e->from_server ? X509_PURPOSE_SSL_SERVER
                                                       : X509_PURPOSE_SSL_CLIENT);
        bool ok = X509_verify_cert(ctx) == 1;
        e->trust = ok ? CERT_TRUST_TRUSTED : CERT_TRUST_UNTRUSTED;
        e->verify_error = ok ? 0 : X509_STORE_CTX_get_error(ctx);
        STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
        for (int i = 0; i < sk_X509_num(path) && e->path_n < PATH_MAX_CERTS; i++) {
            bool ok_from, ok_to;
            X509 *c = sk_X509_value(path, i);
            e->path_from[e->path_n] = asn1_seconds(X509_get0_notBefore(c), &ok_from);
            e->path_to[e->path_n++] = asn1_seconds(X509_get0_notAfter(c), &ok_to);
        }
    }
    /* the certificates sent count too: a failure may have stopped before some of them */
    for (size_t i = 0; i < e->n && e->path_n < PATH_MAX_CERTS; i++) {
        e->path_from[e->path_n] = e->not_before[i];
        e->path_to[e->path_n++] = e->not_after[i];
    }
    e->verdict_time_class = time_class(e->path_from, e->path_to, e->path_n, now);
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    ERR_clear_error();
}

/* ------------------------------------------------------------------ interception guess */

/* SNI -> the issuer of the top certificate its first chain came with, and whether a chain
 * for it validated: a bounded table, INTERCEPT_SETS x INTERCEPT_WAYS names, the least
 * recently used of a set replaced. */
#define INTERCEPT_SETS 256
#define INTERCEPT_WAYS 4
#define SNI_KEPT 255

static struct sni_entry {
    struct cache_way way;
    uint8_t len;
    char sni[SNI_KEPT];
    uint64_t issuer;
    bool trusted;
} sni_table[INTERCEPT_SETS][INTERCEPT_WAYS];
static uint64_t sni_clock;

struct sni_key {
    const char *sni;
    size_t len;
};

static bool holds_sni(const void *entry, const void *key)
{
    const struct sni_entry *e = entry;
    const struct sni_key *k = key;
    return e->len == k->len && memcmp(e->sni, k->sni, k->len) == 0; /* both lower case */
}

static cert_interception_hook interception_hook;

void cert_check_defer_interception(cert_interception_hook hook)
{
    interception_hook = hook;
}

bool cert_check_interception_guess(const char *sni, size_t len, uint64_t issuer, bool trusted)
{
    char low[SNI_KEPT];
    len = len < SNI_KEPT ? len : SNI_KEPT;
    for (size_t i = 0; i < len; i++) {
        low[i] = lower(sni[i]);
    }
    struct sni_key key = {low, len};
    bool hit;
    struct sni_entry *e = cache_pick(sni_table[fnv1a32(FNV1A32_BASIS, low, len) % INTERCEPT_SETS],
                                     INTERCEPT_WAYS, sizeof(sni_table[0][0]), holds_sni, &key,
                                     &sni_clock, &hit);
    if (!hit) {
        e->len = (uint8_t)len;
        memcpy(e->sni, low, len);
        e->issuer = issuer;
        e->trusted = trusted;
        return false;
    }
    bool suspected = e->issuer != issuer || (e->trusted && !trusted);
    e->trusted |= trusted;
    return suspected;
}

/* ------------------------------------------------------------------ per connection */

static enum cert_hostname check_hostname(const struct chain_entry *e, const char *sni,
                                         size_t sni_len)
{
    if (sni == NULL) {
        return CERT_HOSTNAME_NO_SNI;
    }
    /* RFC 6066 3 forbids an IP literal in server_name; a client that sends one anyway is
     * answered as RFC 6125 6.2.1 (iPAddress) would. A DNS name's last label is never all
     * digits (RFC 3696 2), an IPv4 address's is, and an IPv6 one has colons. */
    char text[64];
    uint8_t addr[16];
    char last = sni_len > 0 ? sni[sni_len - 1] : '\0';
    if (sni_len < sizeof(text) && ((last >= '0' && last <= '9') || memchr(sni, ':', sni_len))) {
        memcpy(text, sni, sni_len);
        text[sni_len] = '\0';
        int len = inet_pton(AF_INET, text, addr) == 1    ? 4
                  : inet_pton(AF_INET6, text, addr) == 1 ? 16
                                                         : 0;
        if (len != 0) {
            for (size_t i = 0; i < e->n_ips; i++) {
                if (e->ip_lens[i] == len && memcmp(e->ips[i], addr, (size_t)len) == 0) {
                    return CERT_HOSTNAME_MATCH;
                }
            }
            return CERT_HOSTNAME_MISMATCH;
        }
    }
    for (size_t at = 0; at < e->names_len;) {
        const char *name = e->names + at;
        size_t len = strlen(name);
        if (cert_dns_name_matches(name, len, sni, sni_len)) {
            return CERT_HOSTNAME_MATCH;
        }
        at += len + 1;
    }
    return CERT_HOSTNAME_MISMATCH;
}

void cert_check_chain(const struct cursor *ders, size_t n, bool from_server,
                      enum cert_key_use key_use, const char *sni, size_t sni_len, int64_t now,
                      struct chain_check *out, uint32_t *issues)
{
    X509 *certs[CERT_CHAIN_MAX];
    size_t m = 0;
    memset(out, 0, sizeof(*out));
    n = n < CERT_CHAIN_MAX ? n : CERT_CHAIN_MAX;
    for (size_t i = 0; i < n; i++) {
        issues[i] = 0;
    }
    /* the certificates up to the first that does not decode (its line says malformed) */
    while (m < n && (certs[m] = x509_decoded(ders[m])) != NULL) {
        m++;
    }
    if (m == 0) {
        return;
    }
    /* A chain with a certificate x509.c does not cache (over X509_CACHED_DER_MAX) is checked
     * in a scratch entry released at the end: the cache keeps no certificate larger. */
    static struct chain_entry scratch;
    bool cacheable = true;
    for (size_t i = 0; i < m; i++) {
        cacheable = cacheable && cur_len(ders[i]) <= X509_CACHED_DER_MAX;
    }
    struct chain_entry *e = &scratch;
    if (cacheable) {
        e = chain_lookup(certs, m, from_server);
    } else {
        chain_fill(e, certs, m, from_server);
    }
    for (size_t i = 0; i < m; i++) {
        X509_free(certs[i]); /* the entry holds its own references */
    }
    out->checked = true;
    for (size_t i = 0; i < m; i++) {
        issues[i] = e->fixed[i];
        if (!e->times_ok[i]) {
            continue;
        }
        /* RFC 5280 4.1.2.5: valid from notBefore to notAfter, both included */
        if (now > e->not_after[i]) {
            issues[i] |= BIT(CERT_ISSUE_EXPIRED);
        } else if (now < e->not_before[i]) {
            issues[i] |= BIT(CERT_ISSUE_NOT_YET_VALID);
        } else if (e->not_after[i] - now < config.expiry_seconds) {
            issues[i] |= BIT(CERT_ISSUE_EXPIRING);
        }
    }
    if ((e->leaf_key_usage & key_usage_bits(key_use)) == 0) {
        issues[0] |= BIT(CERT_ISSUE_KEY_USAGE);
    }
    if (from_server && sni != NULL && sni_len > 0 && sni_len == e->last_sni_len &&
        memcmp(sni, e->last_sni, sni_len) == 0) {
        out->hostname = e->last_hostname;
    } else if (from_server) {
        out->hostname = check_hostname(e, sni, sni_len);
        if (sni != NULL && sni_len > 0 && sni_len <= sizeof(e->last_sni)) {
            memcpy(e->last_sni, sni, sni_len);
            e->last_sni_len = sni_len;
            e->last_hostname = out->hostname;
        }
    }
    if (from_server) {
        if (out->hostname == CERT_HOSTNAME_MISMATCH) {
            issues[0] |= BIT(CERT_ISSUE_HOSTNAME_MISMATCH);
        }
    }
    for (size_t i = 0; i < m; i++) {
        out->issues |= issues[i];
    }
    if (from_server || config.user_store) {
        if (!e->verdict_known ||
            time_class(e->path_from, e->path_to, e->path_n, now) != e->verdict_time_class) {
            verify(e, now);
        }
        out->trust = e->trust;
        out->verify_error = e->verify_error;
    }
    if (from_server && sni != NULL) {
        bool trusted = out->trust == CERT_TRUST_TRUSTED;
        if (interception_hook != NULL) {
            out->interception_probe = interception_hook(sni, sni_len, e->top_issuer, trusted);
        } else {
            out->interception_suspected =
                cert_check_interception_guess(sni, sni_len, e->top_issuer, trusted);
        }
    }
    if (e == &scratch) {
        chain_entry_clear(e);
    }
}

void cert_check_add_issues(struct fields *f, const char *key, uint32_t issues)
{
    if (issues == 0) {
        return;
    }
    fields_list_begin(f, key);
    for (int i = 0; i < CERT_ISSUE_COUNT; i++) {
        if (issues & BIT(i)) {
            fields_list_token(f, cert_issue_name((enum cert_issue)i));
        }
    }
    fields_list_end(f);
}

void cert_check_add_trust(struct fields *f, const struct chain_check *c)
{
    if (c->trust == CERT_TRUST_NOT_CHECKED) {
        return;
    }
    fields_add_token(f, "trust", c->trust == CERT_TRUST_TRUSTED ? "trusted" : "untrusted");
    if (c->trust == CERT_TRUST_UNTRUSTED) {
        fields_add_token(f, "trust_error", cert_trust_error_name(c->verify_error));
    }
    if (c->interception_probe != 0) {
        fields_add_uint(f, "interception",
                        c->interception_probe |
                            (c->interception_paired ? CERT_PROBE_PAIRED : 0) |
                            (c->interception_suspected ? CERT_PROBE_SUSPECTED : 0));
    } else if (c->interception_suspected) {
        fields_add_token(f, "interception", "suspected");
    }
}

void cert_check_free(void)
{
    for (size_t s = 0; s < CHAIN_SETS; s++) {
        for (size_t w = 0; w < CHAIN_WAYS; w++) {
            chain_entry_clear(&chains[s][w]);
        }
    }
    X509_STORE_free(config.store);
    config.store = NULL;
}
