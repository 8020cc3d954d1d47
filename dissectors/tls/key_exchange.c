/* ServerKeyExchange, ClientKeyExchange, ServerHelloDone (RFC 5246 7.4.3, 7.4.5, 7.4.7;
 * RFC 8422 5.4, 5.7 for ECDHE; RFC 4279 for PSK). Their layout follows the negotiated suite. */
#include <string.h>

#include "base/fields.h"
#include "tls/messages.h"
#include "base/names.h"

enum key_exchange {
    KX_UNKNOWN,
    KX_RSA,
    KX_DHE,
    KX_DH_ANON,
    KX_ECDHE,
    KX_ECDH_ANON,
    KX_DH_STATIC,
    KX_ECDH_STATIC,
    KX_PSK,
    KX_DHE_PSK,
    KX_ECDHE_PSK,
    KX_RSA_PSK,
    KX_SRP,
};

struct kx_prefix {
    const char *prefix;
    enum key_exchange kx;
    const char *name;
};

/* IANA suite names start with their key exchange; longer prefixes first. */
static const struct kx_prefix kx_prefixes[] = {
    {"TLS_ECDHE_PSK_", KX_ECDHE_PSK, "ecdhe_psk"}, {"TLS_DHE_PSK_", KX_DHE_PSK, "dhe_psk"},
    {"TLS_RSA_PSK_", KX_RSA_PSK, "rsa_psk"},       {"TLS_ECDHE_", KX_ECDHE, "ecdhe"},
    {"TLS_ECDH_anon_", KX_ECDH_ANON, "ecdh_anon"}, {"TLS_ECDH_", KX_ECDH_STATIC, "ecdh"},
    {"TLS_DHE_", KX_DHE, "dhe"},                   {"TLS_DH_anon_", KX_DH_ANON, "dh_anon"},
    {"TLS_DH_", KX_DH_STATIC, "dh"},               {"TLS_PSK_", KX_PSK, "psk"},
    {"TLS_SRP_", KX_SRP, "srp"},                   {"TLS_RSA_", KX_RSA, "rsa"},
};

static const struct kx_prefix *suite_key_exchange(uint16_t suite)
{
    const char *name = names_lookup(NAMES_CIPHER, suite);
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(kx_prefixes) / sizeof(kx_prefixes[0]); i++) {
        if (strncmp(name, kx_prefixes[i].prefix, strlen(kx_prefixes[i].prefix)) == 0) {
            return &kx_prefixes[i];
        }
    }
    return NULL;
}

/* Bits of a big-endian unsigned number, leading zero bits not counted. */
static size_t bit_length(struct cursor n)
{
    uint8_t b = 0;
    bool found = false;
    while (!found && cur_get_u8(&n, &b)) {
        found = b != 0;
    }
    if (!found) {
        return 0;
    }
    size_t bits = (cur_len(n) + 1) * 8;
    for (uint8_t mask = 0x80; (b & mask) == 0; mask >>= 1) {
        bits--;
    }
    return bits;
}

/* RFC 5246 7.4.3: digitally-signed struct; TLS 1.2 prefixes SignatureAndHashAlgorithm. */
static bool parse_signature(struct cursor *msg, struct tls_state *st, struct fields *f)
{
    struct cursor sig;
    if (tls_version_at_least_1_2(st->version)) {
        uint16_t scheme;
        if (!cur_get_u16(msg, &scheme)) {
            return fields_malformed(f, "signature_scheme", "2-byte SignatureAndHashAlgorithm");
        }
        fields_add_name(f, "signature_scheme", NAMES_SIGSCHEME, scheme);
        st->kx.sig_scheme = scheme;
        st->kx.has_sig_scheme = true;
    } else {
        /* RFC 4346 7.4.3: MD5 and SHA-1 (RSA), SHA-1 (DSA): both weak hashes */
        st->kx.signed_legacy = true;
    }
    if (!cur_get_vec16(msg, &sig)) {
        return fields_malformed(f, "signature", "u16-prefixed signature inside message");
    }
    fields_add_uint(f, "signature_length", cur_len(sig));
    return true;
}

/* RFC 8422 5.4: ECCurveType curve_type; select (curve_type) { case named_curve: NamedCurve
 * namedcurve; } ECParameters; opaque point <1..2^8-1>; */
static bool parse_ecdh_params(struct cursor *msg, struct tls_state *st, struct fields *f)
{
    uint8_t curve_type;
    uint16_t group;
    struct cursor point;
    if (!cur_get_u8(msg, &curve_type)) {
        return fields_malformed(f, "curve_type", "1 byte");
    }
    if (curve_type != 3) {
        /* explicit_prime (1) and explicit_char2 (2) are deprecated (RFC 8422 5.4). */
        fields_add_uint(f, "curve_type", curve_type);
        return fields_malformed(f, "curve_type", "named_curve (3)");
    }
    if (!cur_get_u16(msg, &group) || !cur_get_vec8(msg, &point) || cur_len(point) == 0) {
        return fields_malformed(f, "ec_params", "named group and u8-prefixed point of 1..255 bytes");
    }
    fields_add_name(f, "named_group", NAMES_GROUP, group);
    fields_add_uint(f, "public_length", cur_len(point));
    st->group = group;
    st->has_group = true;
    return true;
}

/* RFC 5246 7.4.3: opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>; opaque dh_Ys<1..2^16-1>; */
static bool parse_dh_params(struct cursor *msg, struct tls_state *st, struct fields *f)
{
    struct cursor p, g, ys;
    if (!cur_get_vec16(msg, &p) || !cur_get_vec16(msg, &g) || !cur_get_vec16(msg, &ys) ||
        cur_len(p) == 0 || cur_len(g) == 0 || cur_len(ys) == 0) {
        return fields_malformed(f, "dh_params", "dh_p, dh_g, dh_Ys: u16-prefixed, non-empty");
    }
    size_t p_bits = bit_length(p);
    fields_add_uint(f, "dh_p_bits", p_bits);
    st->kx.dh_p_bits = p_bits > UINT16_MAX ? UINT16_MAX : (uint16_t)p_bits;
    uint32_t small_g = 0;
    uint8_t b;
    if (cur_len(g) <= 4) {
        while (cur_get_u8(&g, &b)) {
            small_g = (small_g << 8) | b;
        }
        fields_add_uint(f, "dh_g", small_g);
    } else {
        fields_add_uint(f, "dh_g_bits", bit_length(g));
    }
    fields_add_uint(f, "public_length", cur_len(ys));
    return true;
}

/* RFC 4279 2: opaque psk_identity_hint<0..2^16-1>; */
static bool parse_psk_hint(struct cursor *msg, struct fields *f)
{
    struct cursor hint;
    if (!cur_get_vec16(msg, &hint)) {
        return fields_malformed(f, "psk_identity_hint", "u16-prefixed hint");
    }
    fields_add_uint(f, "psk_identity_hint_length", cur_len(hint));
    return true;
}

/* Bytes left after the last field: reported at their offset in the message. */
static bool expect_end(struct cursor start, struct cursor rest, struct fields *f, const char *where)
{
    if (cur_len(rest) != 0) {
        return fields_malformed_at(f, where, "end of message", cur_offset(start, rest));
    }
    return true;
}

bool dissect_server_key_exchange(struct cursor body, struct tls_state *st, struct fields *f)
{
    const struct cursor start = body;
    const struct kx_prefix *kx = suite_key_exchange(st->cipher_suite);
    if (kx == NULL) {
        fields_add_token(f, "kx", "unknown");
        return true; /* layout unknown without the suite: length only */
    }
    fields_add_token(f, "kx", kx->name);
    bool ok;
    switch (kx->kx) {
    case KX_ECDHE:
        ok = parse_ecdh_params(&body, st, f) && parse_signature(&body, st, f);
        break;
    case KX_ECDH_ANON:
        ok = parse_ecdh_params(&body, st, f);
        break;
    case KX_DHE:
        ok = parse_dh_params(&body, st, f) && parse_signature(&body, st, f);
        break;
    case KX_DH_ANON:
        ok = parse_dh_params(&body, st, f);
        break;
    case KX_PSK:
    case KX_RSA_PSK:
        ok = parse_psk_hint(&body, f);
        break;
    case KX_DHE_PSK:
        ok = parse_psk_hint(&body, f) && parse_dh_params(&body, st, f);
        break;
    case KX_ECDHE_PSK:
        ok = parse_psk_hint(&body, f) && parse_ecdh_params(&body, st, f);
        break;
    case KX_RSA: {
        /* RFC 4346 7.4.3: only export suites send a temporary RSA key, then a signature. */
        struct cursor modulus, exponent;
        ok = cur_get_vec16(&body, &modulus) && cur_get_vec16(&body, &exponent);
        if (!ok) {
            return fields_malformed(f, "rsa_params", "u16-prefixed modulus and exponent");
        }
        fields_add_uint(f, "rsa_modulus_bits", bit_length(modulus));
        ok = parse_signature(&body, st, f);
        break;
    }
    default:
        return true; /* SRP and static DH: length only */
    }
    return ok && expect_end(start, body, f, "server_key_exchange");
}

bool dissect_client_key_exchange(struct cursor body, struct tls_state *st, struct fields *f)
{
    const struct cursor start = body;
    const struct kx_prefix *kx = suite_key_exchange(st->cipher_suite);
    struct cursor v;
    if (kx == NULL) {
        fields_add_token(f, "kx", "unknown");
        return true;
    }
    fields_add_token(f, "kx", kx->name);
    if (kx->kx == KX_PSK || kx->kx == KX_DHE_PSK || kx->kx == KX_ECDHE_PSK ||
        kx->kx == KX_RSA_PSK) {
        /* RFC 4279 2: opaque psk_identity<0..2^16-1>; */
        if (!cur_get_vec16(&body, &v)) {
            return fields_malformed(f, "psk_identity", "u16-prefixed identity");
        }
        fields_add_uint(f, "psk_identity_length", cur_len(v));
    }
    switch (kx->kx) {
    case KX_RSA:
    case KX_RSA_PSK:
        /* RFC 5246 7.4.7.1: public-key-encrypted PreMasterSecret; SSL 3.0 has no prefix. */
        if (st->version == VERSION_SSLv3 && kx->kx == KX_RSA) {
            fields_add_uint(f, "encrypted_premaster_length", cur_len(body));
            return true;
        }
        if (!cur_get_vec16(&body, &v)) {
            return fields_malformed(f, "encrypted_premaster", "u16-prefixed EncryptedPreMasterSecret");
        }
        fields_add_uint(f, "encrypted_premaster_length", cur_len(v));
        break;
    case KX_ECDHE:
    case KX_ECDH_ANON:
    case KX_ECDHE_PSK:
    case KX_ECDH_STATIC:
        /* RFC 8422 5.7: opaque point <1..2^8-1>; empty when implicit in a fixed cert. */
        if (cur_len(body) == 0 && kx->kx == KX_ECDH_STATIC) {
            fields_add_token(f, "public", "implicit");
            return true;
        }
        if (!cur_get_vec8(&body, &v) || cur_len(v) == 0) {
            return fields_malformed(f, "public", "u8-prefixed point of 1..255 bytes");
        }
        fields_add_uint(f, "public_length", cur_len(v));
        break;
    case KX_DHE:
    case KX_DH_ANON:
    case KX_DHE_PSK:
    case KX_DH_STATIC:
        /* RFC 5246 7.4.7.2: opaque dh_Yc<1..2^16-1>; empty when implicit. */
        if (cur_len(body) == 0 && kx->kx == KX_DH_STATIC) {
            fields_add_token(f, "public", "implicit");
            return true;
        }
        if (!cur_get_vec16(&body, &v) || cur_len(v) == 0) {
            return fields_malformed(f, "public", "u16-prefixed dh_Yc of 1..65535 bytes");
        }
        fields_add_uint(f, "public_length", cur_len(v));
        break;
    default:
        return true;
    }
    return expect_end(start, body, f, "client_key_exchange");
}

/* RFC 5246 7.4.5: struct { } ServerHelloDone; */
bool dissect_server_hello_done(struct cursor body, struct tls_state *st, struct fields *f)
{
    (void)st;
    return expect_end(body, body, f, "server_hello_done");
}
