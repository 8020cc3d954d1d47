/* Why a connection's handshake failed (cause.c, issue 18 part 1) and what it negotiated that
 * is weak (weak.c, part 3): pure functions of the connection's state and how it ended. */
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
    CAUSE_COUNT
};

/* How the connection ended, as the close line's glue knows it. */
enum close_kind { CLOSE_FIN, CLOSE_RESET, CLOSE_TIMEOUT, CLOSE_EOF, CLOSE_OTHER };
struct close_facts {
    enum close_kind kind;
    int closer; /* DIR_C2S or DIR_S2C: who sent the first FIN or the RST; -1 unknown */
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
    WEAK_COUNT
};

uint32_t weak_negotiated(const struct tls_state *st);
const char *weak_name(enum weak_item item);

#endif
