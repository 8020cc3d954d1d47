/* Why a connection's handshake failed (cause.c, issue 18 part 1) and what it negotiated that
 * is weak (weak.c, part 3): pure functions of the connection's state and how it ended. The
 * rules, with the RFC sections that define the same things, are in hsdump.1 (CAUSES, WEAK). */
#ifndef HSDUMP_DISSECTORS_DIAGNOSIS_H
#define HSDUMP_DISSECTORS_DIAGNOSIS_H

#include <stdbool.h>
#include <stdint.h>

struct tls_state;
struct fields;

enum tls_cause {
    CAUSE_NONE = 0, /* the handshake completed */
    CAUSE_VERSION_MISMATCH,
    CAUSE_NO_SHARED_CIPHER,
    CAUSE_NO_SHARED_GROUP,
    CAUSE_NO_SHARED_SIGNATURE_ALGORITHM,
    CAUSE_CERTIFICATE_EXPIRED,
    CAUSE_CERTIFICATE_NOT_YET_VALID,
    CAUSE_CLOCK_SKEW_SUSPECTED,
    CAUSE_UNKNOWN_CA,
    CAUSE_HOSTNAME_MISMATCH,
    CAUSE_CLIENT_CERTIFICATE_REQUIRED,
    CAUSE_CLIENT_CERTIFICATE_REJECTED,
    CAUSE_NO_APPLICATION_PROTOCOL,
    CAUSE_UNRECOGNIZED_NAME,
    CAUSE_DECRYPT_ERROR,
    CAUSE_BAD_RECORD_MAC,
    CAUSE_INAPPROPRIATE_FALLBACK,
    CAUSE_INTERCEPTION_SUSPECTED,
    CAUSE_ABORTED_BY_CLIENT,
    CAUSE_ABORTED_BY_SERVER,
    CAUSE_TIMEOUT,
    CAUSE_UNKNOWN,
    /* The client rejected the server's certificate (bad_certificate, unsupported_certificate,
     * certificate_revoked, certificate_unknown) and the chain checks found no reason. */
    CAUSE_CERTIFICATE_REJECTED,
    /* The capture ended (end=eof) mid-handshake: not a failure the peers saw. */
    CAUSE_CAPTURE_ENDED,
    CAUSE_COUNT
};

/* How the connection ended, as the close line's glue knows it. */
enum close_kind { CLOSE_FIN, CLOSE_RESET, CLOSE_TIMEOUT, CLOSE_EOF, CLOSE_OTHER };
struct close_facts {
    enum close_kind kind;
    int closer; /* DIR_C2S or DIR_S2C: who sent the first FIN or the RST; -1 unknown */
    bool partial; /* a side or the start was not captured (capture= other than whole) */
};

/* CAUSE_NONE when the handshake completed. */
enum tls_cause cause_of(const struct tls_state *st, const struct close_facts *end);
const char *cause_name(enum tls_cause cause);

/* One bit per weak item (1u << enum weak_item); names from weak_name(). */
enum weak_item {
    WEAK_SSL3 = 0,
    WEAK_TLS10,
    WEAK_TLS11,
    WEAK_NULL_CIPHER,
    WEAK_ANONYMOUS,
    WEAK_EXPORT,
    WEAK_RC4,
    WEAK_DES,
    WEAK_3DES,
    WEAK_CBC_TLS10,
    WEAK_STATIC_RSA,
    WEAK_DH_SMALL,
    WEAK_CURVE,
    WEAK_KX_SIGNATURE_HASH,
    WEAK_NO_EMS,
    WEAK_NO_SECURE_RENEGOTIATION,
    WEAK_COMPRESSION,
    WEAK_DTLS10,    /* DTLS 1.0, TLS 1.1's counterpart (RFC 8996 5) */
    WEAK_STATIC_DH, /* static (EC)DH key exchange: TLS_DH_, TLS_ECDH_ (no forward secrecy) */
    WEAK_COUNT
};

uint32_t weak_negotiated(const struct tls_state *st);
const char *weak_name(enum weak_item item);
/* The weak items the client's last ClientHello offered (the -v close line's weak_offered=):
 * versions in its range, suites, compression, groups and signature schemes. */
uint32_t weak_offered(const struct tls_state *st);

/* Properties of a cipher suite, read from its IANA name (registry.def) once per code point. */
enum suite_property {
    SUITE_TLS13 = 1u << 0,   /* a TLS 1.3 suite (RFC 8446 B.4) */
    SUITE_LEGACY = 1u << 1,  /* a suite of TLS 1.2 and older */
    SUITE_NULL = 1u << 2,    /* no encryption: _WITH_NULL_ (RFC 5246 A.5), integrity-only */
    SUITE_ANON = 1u << 3,    /* _anon_: no authentication (RFC 5246 A.5) */
    SUITE_EXPORT = 1u << 4,  /* _EXPORT (RFC 4346 A.5) */
    SUITE_RC4 = 1u << 5,     /* RC4 (RFC 7465) */
    SUITE_DES = 1u << 6,     /* single DES and DES40 */
    SUITE_3DES = 1u << 7,    /* 3DES_EDE */
    SUITE_CBC = 1u << 8,     /* a CBC block cipher */
    SUITE_AEAD = 1u << 9,    /* GCM, CCM, CHACHA20_POLY1305, the TLS 1.3 suites */
    SUITE_RSA_KX = 1u << 10, /* static RSA key transport: TLS_RSA_ (no forward secrecy) */
    SUITE_ECDHE = 1u << 11,
    SUITE_DHE = 1u << 12,
    SUITE_PSK = 1u << 13,
    SUITE_STATIC_DH = 1u << 14, /* TLS_DH_ / TLS_ECDH_ (not anon): no forward secrecy */
};
#define SUITE_PROPERTY_COUNT 15
uint32_t suite_properties(uint16_t suite); /* 0 for unknown, GREASE and the SCSVs */
const char *suite_property_name(unsigned bit); /* "tls13", "cbc"... for 1u << bit */
/* A group under 112-bit security (elliptic curves under 224 bits), a signature scheme hashing
 * with MD5 or SHA-1: for the offers (hello.c, extension decoders) and the negotiation. */
bool weak_group(uint16_t group);
static inline bool weak_scheme(uint16_t scheme)
{
    /* SignatureAndHashAlgorithm (RFC 5246 7.4.1.4.1): the high byte is the hash, md5 (1) or
     * sha1 (2); TLS 1.3 SignatureSchemes with SHA-1 keep that layout (RFC 8446 4.2.3) */
    return (scheme >> 8) == 1 || (scheme >> 8) == 2;
}
/* key=a,b,... of the weak items' names, nothing when items is 0. */
void weak_list(struct fields *f, const char *key, uint32_t items);
/* The OFFER_V_* bit (tls.h) of a version, 0 for others. */
uint8_t offer_version_bit(uint16_t version);

/* The close line's diagnosis (hsdump.1): cause= and its evidence when the handshake did not
 * complete, weak= when anything negotiated is weak, and at detail level (-v) weak_offered=. */
void diagnosis_describe(const struct tls_state *st, const struct close_facts *end,
                        struct fields *f);

#endif
