/* X.509 certificate fields (RFC 5280) decoded by libcrypto: subject, issuer, validity, SANs,
 * key, signature algorithm, SHA-256 fingerprint. */
#include "crypto/x509.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cache_ways.h"
#include "crypto/digest.h"
#include "base/fields.h"
#include "base/fnv.h"

/* A name longer than this (real ones stay far below) is cut, with key_truncated=true: the
 * line has room for both names and the rest of the certificate's fields. */
#define DN_MAX 4096

/* RFC 4514 form, one line, e.g. "CN=example.com,O=Example". */
static void add_name(struct fields *f, const char *key, const char *cut_key,
                     const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) {
        return;
    }
    char *text = NULL;
    long n = 0;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        n = BIO_get_mem_data(bio, &text);
    }
    struct cursor whole = cur_make((const uint8_t *)text, text != NULL && n > 0 ? (size_t)n : 0);
    fields_add_string_max(f, key, cut_key, whole, DN_MAX);
    BIO_free(bio);
}

static void add_time(struct fields *f, const char *key, const ASN1_TIME *t)
{
    struct tm tm;
    char buf[32];
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return;
    }
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fields_add_token(f, key, buf);
}

static void add_serial(struct fields *f, const X509 *cert)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex != NULL) {
        for (char *p = hex; *p != '\0'; p++) {
            *p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
        }
        fields_add_token(f, "serial", hex);
    }
    OPENSSL_free(hex);
    BN_free(bn);
}

/* RFC 5280 4.2.1.6: an iPAddress is 4 (IPv4) or 16 (IPv6) octets in network order. */
static void add_ip(struct fields *f, const ASN1_OCTET_STRING *ip)
{
    char text[INET6_ADDRSTRLEN];
    int len = ASN1_STRING_length(ip);
    int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
    if (family == 0 || inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof(text)) == NULL) {
        fields_list_token(f, "invalid");
        return;
    }
    fields_list_token(f, text);
}

/* One list of the GeneralNames of a type whose value is an IA5String (dNSName, URI,
 * rfc822Name), when the certificate has any. */
static void add_name_list(struct fields *f, const char *key, GENERAL_NAMES *names, int type)
{
    int count = sk_GENERAL_NAME_num(names);
    bool any = false;
    for (int i = 0; i < count; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != type) {
            continue;
        }
        if (!any) {
            fields_list_begin(f, key);
            any = true;
        }
        /* GEN_DNS, GEN_URI, GEN_EMAIL: all an ASN1_IA5STRING (RFC 5280 4.2.1.6) */
        const ASN1_IA5STRING *s = gn->d.ia5;
        fields_list_string(f, cur_make(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s)));
    }
    if (any) {
        fields_list_end(f);
    }
}

static void add_sans(struct fields *f, X509 *cert)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) {
        return;
    }
    int count = sk_GENERAL_NAME_num(names);
    add_name_list(f, "san_dns", names, GEN_DNS);
    bool any_ip = false;
    for (int i = 0; i < count; i++) {
        any_ip |= sk_GENERAL_NAME_value(names, i)->type == GEN_IPADD;
    }
    if (any_ip) {
        fields_list_begin(f, "san_ip");
        for (int i = 0; i < count; i++) {
            const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
            if (gn->type == GEN_IPADD) {
                add_ip(f, gn->d.iPAddress);
            }
        }
        fields_list_end(f);
    }
    add_name_list(f, "san_uri", names, GEN_URI);
    add_name_list(f, "san_email", names, GEN_EMAIL);
    GENERAL_NAMES_free(names);
}

/* -v details that Zeek's x509.log and ECS's x509 fields carry: the X.509 version (RFC 5280
 * 4.1.2.1: v1 to v3), an RSA key's public exponent, and basicConstraints (4.2.1.9). */
static void add_details(struct fields *f, X509 *cert)
{
    fields_add_uint(f, "x509_version", (uint64_t)X509_get_version(cert) + 1);
    EVP_PKEY *key = X509_get0_pubkey(cert);
    BIGNUM *e = NULL;
    if (key != NULL && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
        EVP_PKEY_get_bn_param(key, "e", &e) == 1 && BN_num_bits(e) <= 64) {
        fields_add_uint(f, "key_exponent", BN_get_word(e));
    }
    BN_free(e);
    ERR_clear_error();
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, NULL, NULL);
    if (bc != NULL) {
        fields_add_bool(f, "ca", bc->ca != 0);
        long path_len = bc->pathlen != NULL ? ASN1_INTEGER_get(bc->pathlen) : -1;
        if (path_len >= 0) {
            fields_add_uint(f, "path_len", (uint64_t)path_len);
        }
        BASIC_CONSTRAINTS_free(bc);
    }
    ERR_clear_error();
}

/* Short, stable algorithm names for key=: OpenSSL's short names are mixed case and vary. */
static const char *key_algorithm(int id)
{
    switch (id) {
    case EVP_PKEY_RSA:
        return "rsa";
    case EVP_PKEY_RSA_PSS:
        return "rsa-pss";
    case EVP_PKEY_DSA:
        return "dsa";
    case EVP_PKEY_DH:
        return "dh";
    case EVP_PKEY_ED25519:
        return "ed25519";
    case EVP_PKEY_ED448:
        return "ed448";
    default:
        return NULL;
    }
}

/* Algorithms this libcrypto may not know (OpenSSL 3.0 has neither ML-DSA nor SLH-DSA nor
 * ML-KEM): their OIDs from NIST's Computer Security Objects Register, as RFC 9881 (ML-DSA),
 * RFC 9909 (SLH-DSA) and draft-ietf-lamps-kyber-certificates (ML-KEM) assign them, with the
 * names libcrypto gives them where it has them (OpenSSL 3.5). */
static const struct {
    const char *oid;
    const char *name;
} pq_algorithms[] = {
    {"2.16.840.1.101.3.4.3.17", "ML-DSA-44"},
    {"2.16.840.1.101.3.4.3.18", "ML-DSA-65"},
    {"2.16.840.1.101.3.4.3.19", "ML-DSA-87"},
    {"2.16.840.1.101.3.4.3.20", "SLH-DSA-SHA2-128s"},
    {"2.16.840.1.101.3.4.3.21", "SLH-DSA-SHA2-128f"},
    {"2.16.840.1.101.3.4.3.22", "SLH-DSA-SHA2-192s"},
    {"2.16.840.1.101.3.4.3.23", "SLH-DSA-SHA2-192f"},
    {"2.16.840.1.101.3.4.3.24", "SLH-DSA-SHA2-256s"},
    {"2.16.840.1.101.3.4.3.25", "SLH-DSA-SHA2-256f"},
    {"2.16.840.1.101.3.4.3.26", "SLH-DSA-SHAKE-128s"},
    {"2.16.840.1.101.3.4.3.27", "SLH-DSA-SHAKE-128f"},
    {"2.16.840.1.101.3.4.3.28", "SLH-DSA-SHAKE-192s"},
    {"2.16.840.1.101.3.4.3.29", "SLH-DSA-SHAKE-192f"},
    {"2.16.840.1.101.3.4.3.30", "SLH-DSA-SHAKE-256s"},
    {"2.16.840.1.101.3.4.3.31", "SLH-DSA-SHAKE-256f"},
    {"2.16.840.1.101.3.4.4.1", "ML-KEM-512"},
    {"2.16.840.1.101.3.4.4.2", "ML-KEM-768"},
    {"2.16.840.1.101.3.4.4.3", "ML-KEM-1024"},
};

/* The name of an algorithm identifier: libcrypto's long name when it knows the OID, else
 * the table above, else the dotted OID itself; never "unknown" when an OID was there. */
static const char *algorithm_name(const ASN1_OBJECT *obj, char *buf, size_t cap)
{
    int nid = obj != NULL ? OBJ_obj2nid(obj) : NID_undef;
    if (nid != NID_undef) {
        return OBJ_nid2ln(nid);
    }
    if (obj == NULL || OBJ_obj2txt(buf, (int)cap, obj, 1) <= 0) {
        return "unknown";
    }
    for (size_t i = 0; i < sizeof(pq_algorithms) / sizeof(pq_algorithms[0]); i++) {
        if (strcmp(buf, pq_algorithms[i].oid) == 0) {
            return pq_algorithms[i].name;
        }
    }
    return buf;
}

static void lowercase(char *s)
{
    for (; *s != '\0'; s++) {
        *s = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    }
}

/* A key libcrypto cannot decode: named by its SubjectPublicKeyInfo algorithm (RFC 5280
 * 4.1.2.7), lowercase like the others (ml-dsa-44). */
static void add_undecoded_key(struct fields *f, X509 *cert)
{
    ASN1_OBJECT *obj = NULL;
    char oid[96], buf[96];
    X509_PUBKEY *spki = X509_get_X509_PUBKEY(cert);
    if (spki == NULL || X509_PUBKEY_get0_param(&obj, NULL, NULL, NULL, spki) != 1) {
        fields_add_token(f, "key", "unknown");
        return;
    }
    snprintf(buf, sizeof(buf), "%s", algorithm_name(obj, oid, sizeof(oid)));
    lowercase(buf);
    fields_add_token(f, "key", buf);
}

/* key=rsa:2048, key=ec:prime256v1, key=ed25519, libcrypto's name of others (lowercase), or
 * the SubjectPublicKeyInfo's algorithm when libcrypto cannot decode the key. */
static void add_key(struct fields *f, X509 *cert)
{
    EVP_PKEY *key = X509_get0_pubkey(cert);
    char buf[96];
    if (key == NULL) {
        ERR_clear_error(); /* the decoder's complaint is ours to report, not the next call's */
        add_undecoded_key(f, cert);
        return;
    }
    int id = EVP_PKEY_get_base_id(key);
    const char *name = key_algorithm(id);
    if (id == EVP_PKEY_EC) {
        char group[64];
        size_t len = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) {
            snprintf(group, sizeof(group), "unknown");
        }
        snprintf(buf, sizeof(buf), "ec:%s", group);
    } else if (name != NULL && id != EVP_PKEY_ED25519 && id != EVP_PKEY_ED448) {
        snprintf(buf, sizeof(buf), "%s:%d", name, EVP_PKEY_get_bits(key));
    } else if (name != NULL) {
        snprintf(buf, sizeof(buf), "%s", name);
    } else {
        const char *type = EVP_PKEY_get0_type_name(key);
        snprintf(buf, sizeof(buf), "%s", type != NULL ? type : OBJ_nid2sn(id));
        lowercase(buf);
    }
    fields_add_token(f, "key", buf);
}

static void add_signature(struct fields *f, const X509 *cert)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    char oid[96];
    X509_get0_signature(NULL, &alg, cert);
    if (alg != NULL) {
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
    }
    fields_add_cstring(f, "signature", algorithm_name(obj, oid, sizeof(oid)));
}

static void add_fingerprint(struct fields *f, const X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (digest_sha256() != NULL && X509_digest(cert, digest_sha256(), md, &len) == 1) {
        fields_add_hex(f, "sha256", cur_make(md, len));
    }
}

static X509 *decode(struct cursor der)
{
    const unsigned char *p = cur_data(der);
    return d2i_X509(NULL, &p, (long)cur_len(der));
}

/* Describes cert (decoded from der, NULL when it did not decode) into f; cert stays. */
static bool describe(X509 *cert, struct cursor der, struct fields *f)
{
    if (cert == NULL) {
        return fields_malformed(f, "certificate", "DER X.509 certificate (RFC 5280)");
    }
    add_name(f, "subject", "subject_truncated", X509_get_subject_name(cert));
    add_name(f, "issuer", "issuer_truncated", X509_get_issuer_name(cert));
    /* Default output keeps what identifies a certificate; -v adds the details. */
    fields_set_level(f, 1);
    add_serial(f, cert);
    add_time(f, "not_before", X509_get0_notBefore(cert));
    fields_set_level(f, 0);
    add_time(f, "not_after", X509_get0_notAfter(cert));
    add_sans(f, cert);
    add_key(f, cert);
    fields_set_level(f, 1);
    add_signature(f, cert);
    add_fingerprint(f, cert);
    add_details(f, cert);
    fields_set_level(f, 0);
    /* d2i stops at the end of the certificate: bytes after it in the entry are not DER. The
     * length of the (cached) original encoding says where it ended. */
    int der_length = i2d_X509(cert, NULL);
    if (der_length < 0 || (size_t)der_length != cur_len(der)) {
        fields_malformed(f, "certificate", "one DER certificate filling its entry");
    }
    return true;
}

/* The same few certificates come back on thousands of connections, and OpenSSL 3 decodes
 * each one's public key through its provider machinery, the slowest step of a handshake by
 * far: descriptions are kept in sets chosen by the end of the DER entry (the signature, as
 * good as random) and compared whole, which costs far less than hashing every byte. A set
 * holds several so that a few dozen busy certificates do not evict each other. */
#define CACHE_SETS 16
#define CACHE_WAYS 8
#define CACHE_DER_MAX X509_CACHED_DER_MAX /* larger entries are described each time */
#define CACHE_INDEX_BYTES 16

static struct cached_description {
    struct cache_way way;
    bool ok;
    uint8_t *der; /* a copy of the entry described (owned) */
    size_t der_len;
    X509 *cert; /* decoded from it (one reference owned), NULL when it did not decode */
    struct fields fields;
} cache[CACHE_SETS][CACHE_WAYS];
static uint64_t cache_clock;

static size_t cache_set(struct cursor der)
{
    uint8_t tail[CACHE_INDEX_BYTES];
    struct cursor end = der;
    (void)cur_take_upto(&end, cur_len(der) - CACHE_INDEX_BYTES);
    cur_copy(end, tail);
    return fnv1a32(FNV1A32_BASIS ^ (uint32_t)cur_len(der), tail, sizeof(tail)) % CACHE_SETS;
}

static bool holds_der(const void *entry, const void *key)
{
    const struct cached_description *e = entry;
    return cur_equal(*(const struct cursor *)key, e->der, e->der_len);
}

/* The cache's entry for der, filled on a miss; NULL when der is not cached (too short or
 * long, or no memory), then the caller decodes it itself. */
static struct cached_description *cache_entry(struct cursor der)
{
    size_t len = cur_len(der);
    if (len < CACHE_INDEX_BYTES || len > CACHE_DER_MAX) {
        return NULL;
    }
    bool hit;
    struct cached_description *slot = cache_pick(cache[cache_set(der)], CACHE_WAYS,
                                                 sizeof(cache[0][0]), holds_der, &der,
                                                 &cache_clock, &hit);
    if (!hit) {
        uint8_t *copy = realloc(slot->der, len);
        X509_free(slot->cert);
        slot->cert = NULL;
        if (copy == NULL) {
            slot->way.last_used = 0; /* empty again: its old copy no longer matches */
            return NULL;
        }
        cur_copy(der, copy);
        slot->der = copy;
        slot->der_len = len;
        slot->cert = decode(der);
        fields_init(&slot->fields, NULL, NULL);
        slot->ok = describe(slot->cert, der, &slot->fields);
    }
    return slot;
}

bool x509_describe(struct cursor der, struct fields *f)
{
    struct cached_description *slot = cache_entry(der);
    if (slot == NULL) {
        X509 *cert = decode(der);
        bool ok = describe(cert, der, f);
        X509_free(cert);
        return ok;
    }
    fields_append(f, &slot->fields);
    return slot->ok;
}

X509 *x509_decoded(struct cursor der)
{
    struct cached_description *slot = cache_entry(der);
    if (slot == NULL) {
        return decode(der);
    }
    if (slot->cert != NULL) {
        X509_up_ref(slot->cert);
    }
    return slot->cert;
}
