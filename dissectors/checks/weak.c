/* Weak negotiations and offers (issue 18 part 3; hsdump.1 WEAK ITEMS): the version, the
 * suite's properties, the key exchange's group and signature, extended master secret, secure
 * renegotiation and compression, from the facts the hellos and ServerKeyExchange recorded. */
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/names.h"
#include "checks/diagnosis.h"
#include "tls/tls.h"

/* ---- cipher suite properties, from their IANA names (registry.def) */

static bool has(const char *s, const char *part)
{
    return strstr(s, part) != NULL;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* RFC 5246 A.5 names suites TLS_<key exchange>_WITH_<cipher>_<mac>; TLS 1.3 suites (RFC 8446
 * B.4) name only TLS_<AEAD>_<hash>; the signalling values end in _SCSV. */
static uint32_t properties_of_name(const char *name)
{
    if (has(name, "_SCSV")) {
        return 0;
    }
    const char *with = strstr(name, "_WITH_");
    uint32_t p = 0;
    if (with == NULL) {
        p |= SUITE_TLS13 | SUITE_AEAD;
        /* RFC 9150: TLS_SHA256_SHA256, TLS_SHA384_SHA384 authenticate without encrypting */
        if (starts(name, "TLS_SHA")) {
            p = SUITE_TLS13 | SUITE_NULL;
        }
        return p;
    }
    p |= SUITE_LEGACY;
    size_t kx_len = (size_t)(with - name);
    char kx[64];
    if (kx_len >= sizeof(kx)) {
        kx_len = sizeof(kx) - 1;
    }
    memcpy(kx, name, kx_len);
    kx[kx_len] = '\0';
    const char *cipher = with + strlen("_WITH_");
    if (has(kx, "_anon") || strcmp(kx, "TLS_NULL") == 0) {
        p |= SUITE_ANON;
    }
    if (has(name, "EXPORT")) {
        p |= SUITE_EXPORT;
    }
    if (has(kx, "PSK")) {
        p |= SUITE_PSK;
    }
    if (starts(kx, "TLS_ECDHE_")) {
        p |= SUITE_ECDHE;
    } else if (starts(kx, "TLS_DHE_")) {
        p |= SUITE_DHE;
    } else if ((starts(kx, "TLS_DH_") || starts(kx, "TLS_ECDH_")) && !(p & SUITE_ANON)) {
        p |= SUITE_STATIC_DH;
    } else if (strcmp(kx, "TLS_RSA") == 0 || starts(kx, "TLS_RSA_EXPORT")) {
        p |= SUITE_RSA_KX;
    }
    if (starts(cipher, "NULL")) {
        p |= SUITE_NULL;
    } else if (has(cipher, "RC4")) {
        p |= SUITE_RC4;
    } else if (has(cipher, "3DES")) {
        p |= SUITE_3DES | SUITE_CBC;
    } else if (starts(cipher, "DES")) {
        p |= SUITE_DES | SUITE_CBC;
    } else if (has(cipher, "_GCM") || has(cipher, "_CCM") || has(cipher, "CHACHA20_POLY1305")) {
        p |= SUITE_AEAD;
    } else if (has(cipher, "_CBC")) {
        p |= SUITE_CBC;
    }
    return p;
}

/* Built once from the registry, in its ascending order: a binary search per offered suite. */
#define SUITE_TABLE_MAX 1024
static struct {
    bool built;
    size_t n;
    uint16_t value[SUITE_TABLE_MAX];
    uint32_t props[SUITE_TABLE_MAX];
} suites;

static void build_suites(void)
{
    size_t count = names_count(NAMES_CIPHER);
    for (size_t i = 0; i < count && suites.n < SUITE_TABLE_MAX; i++) {
        uint32_t value;
        const char *name;
        if (names_entry(NAMES_CIPHER, i, &value, &name) && value <= 0xffff) {
            suites.value[suites.n] = (uint16_t)value;
            suites.props[suites.n] = properties_of_name(name);
            suites.n++;
        }
    }
    suites.built = true;
}

uint32_t suite_properties(uint16_t suite)
{
    if (!suites.built) {
        build_suites();
    }
    size_t lo = 0, hi = suites.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (suites.value[mid] == suite) {
            return suites.props[mid];
        }
        if (suites.value[mid] < suite) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return 0;
}

const char *suite_property_name(unsigned bit)
{
    static const char *const names[SUITE_PROPERTY_COUNT] = {
        "tls13", "legacy", "null", "anon", "export", "rc4", "des", "3des",
        "cbc", "aead", "rsa_kx", "ecdhe", "dhe", "psk", "static_dh",
    };
    return bit < SUITE_PROPERTY_COUNT ? names[bit] : "unknown";
}

uint8_t offer_version_bit(uint16_t version)
{
    switch (version) {
    case VERSION_SSLv3:
        return OFFER_V_SSL3;
    case VERSION_TLSv1_0:
        return OFFER_V_TLS10;
    case VERSION_TLSv1_1:
        return OFFER_V_TLS11;
    case VERSION_TLSv1_2:
        return OFFER_V_TLS12;
    case VERSION_DTLSv1_0:
        return OFFER_V_DTLS10;
    case VERSION_DTLSv1_2:
        return OFFER_V_DTLS12;
    case VERSION_DTLSv1_3:
        return OFFER_V_DTLS13;
    default:
        return tls_version_is_tls13(version) ? OFFER_V_TLS13 : 0;
    }
}

/* ---- weak items */

/* Elliptic curves under 224 bits (sect163*, sect193*, secp160*, secp192*: under the 112-bit
 * security NIST SP 800-57 requires) and the finite-field groups, all >= 2048 bits, never. */
bool weak_group(uint16_t group)
{
    return (group >= GROUP_sect163k1 && group <= GROUP_sect193r2) ||
           (group >= GROUP_secp160k1 && group <= GROUP_secp192r1);
}

/* Which weak item a suite property or an OFFER_V_* version bit is. */
struct weak_map {
    uint32_t bit;
    enum weak_item item;
};

static const struct weak_map suite_weak[] = {
    {SUITE_NULL, WEAK_NULL_CIPHER}, {SUITE_ANON, WEAK_ANONYMOUS}, {SUITE_EXPORT, WEAK_EXPORT},
    {SUITE_RC4, WEAK_RC4},          {SUITE_DES, WEAK_DES},        {SUITE_3DES, WEAK_3DES},
    {SUITE_RSA_KX, WEAK_STATIC_RSA}, {SUITE_STATIC_DH, WEAK_STATIC_DH},
};

static const struct weak_map version_weak[] = {
    {OFFER_V_SSL3, WEAK_SSL3},
    {OFFER_V_TLS10, WEAK_TLS10},
    {OFFER_V_TLS11, WEAK_TLS11},
    {OFFER_V_DTLS10, WEAK_DTLS10},
};

static uint32_t weak_of(const struct weak_map *map, size_t n, uint32_t bits)
{
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (bits & map[i].bit) {
            w |= 1u << map[i].item;
        }
    }
    return w;
}

static uint32_t weak_of_suite(uint32_t props)
{
    return weak_of(suite_weak, sizeof(suite_weak) / sizeof(suite_weak[0]), props);
}

static uint32_t weak_of_versions(uint8_t bits)
{
    return weak_of(version_weak, sizeof(version_weak) / sizeof(version_weak[0]), bits);
}

uint32_t weak_negotiated(const struct tls_state *st)
{
    if (!st->server_hello_seen || st->server_hello_malformed) {
        return 0;
    }
    uint8_t version = offer_version_bit(st->version);
    uint32_t props = suite_properties(st->cipher_suite);
    uint32_t w = weak_of_versions(version) | weak_of_suite(props);
    if ((props & SUITE_CBC) && (version & (OFFER_V_SSL3 | OFFER_V_TLS10))) {
        w |= 1u << WEAK_CBC_TLS10; /* predictable IVs: RFC 7457 2.3 (BEAST) */
    }
    if (st->kx.dh_p_bits > 0 && st->kx.dh_p_bits < 2048) {
        w |= 1u << WEAK_DH_SMALL;
    }
    if (st->has_group && weak_group(st->group)) {
        w |= 1u << WEAK_CURVE;
    }
    if (st->kx.signed_legacy || (st->kx.has_sig_scheme && weak_scheme(st->kx.sig_scheme))) {
        w |= 1u << WEAK_KX_SIGNATURE_HASH;
    }
    if ((version & (OFFER_V_TLS12 | OFFER_V_DTLS12)) && !st->ems_accepted) {
        w |= 1u << WEAK_NO_EMS;
    }
    if (!st->is_tls13 && !st->secure_renegotiation) {
        w |= 1u << WEAK_NO_SECURE_RENEGOTIATION;
    }
    if (st->kx.compression != 0) {
        w |= 1u << WEAK_COMPRESSION;
    }
    return w;
}

uint32_t weak_offered(const struct tls_state *st)
{
    const struct offer_facts *o = &st->offer;
    if (!st->client_hello_seen || st->client_hello_malformed) {
        return 0;
    }
    /* Without supported_versions the client takes legacy_version or lower (RFC 5246 E.1):
     * only a weak maximum is known to be offered. */
    uint8_t versions = o->versions_listed ? o->versions : offer_version_bit(o->legacy_version);
    uint32_t w = weak_of_versions(versions) | weak_of_suite(o->suites);
    if ((o->suites & SUITE_CBC) && (versions & (OFFER_V_SSL3 | OFFER_V_TLS10))) {
        w |= 1u << WEAK_CBC_TLS10;
    }
    if (o->groups_weak) {
        w |= 1u << WEAK_CURVE;
    }
    if (o->sigalgs_weak) {
        w |= 1u << WEAK_KX_SIGNATURE_HASH;
    }
    bool offers_legacy = (o->suites & SUITE_LEGACY) != 0;
    if (offers_legacy && !st->ems_offered) {
        w |= 1u << WEAK_NO_EMS;
    }
    if (offers_legacy && !o->renegotiation_info) {
        w |= 1u << WEAK_NO_SECURE_RENEGOTIATION;
    }
    if (o->compression) {
        w |= 1u << WEAK_COMPRESSION;
    }
    return w;
}

const char *weak_name(enum weak_item item)
{
    static const char *const names[WEAK_COUNT] = {
        [WEAK_SSL3] = "ssl3",
        [WEAK_TLS10] = "tls10",
        [WEAK_TLS11] = "tls11",
        [WEAK_NULL_CIPHER] = "null_cipher",
        [WEAK_ANONYMOUS] = "anonymous",
        [WEAK_EXPORT] = "export",
        [WEAK_RC4] = "rc4",
        [WEAK_DES] = "des",
        [WEAK_3DES] = "3des",
        [WEAK_CBC_TLS10] = "cbc_tls10",
        [WEAK_STATIC_RSA] = "static_rsa",
        [WEAK_DH_SMALL] = "dh_small",
        [WEAK_CURVE] = "weak_curve",
        [WEAK_KX_SIGNATURE_HASH] = "kx_signature_hash",
        [WEAK_NO_EMS] = "no_ems",
        [WEAK_NO_SECURE_RENEGOTIATION] = "no_secure_renegotiation",
        [WEAK_COMPRESSION] = "compression",
        [WEAK_DTLS10] = "dtls10",
        [WEAK_STATIC_DH] = "static_dh",
    };
    return (unsigned)item < WEAK_COUNT ? names[item] : "unknown";
}

void weak_list(struct fields *f, const char *key, uint32_t items)
{
    if (items == 0) {
        return;
    }
    fields_list_begin(f, key);
    for (unsigned i = 0; i < WEAK_COUNT; i++) {
        if (items & (1u << i)) {
            fields_list_token(f, weak_name((enum weak_item)i));
        }
    }
    fields_list_end(f);
}
