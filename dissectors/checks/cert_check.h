/* A client's checks of the server's certificate chain, made passively (issue 18 part 2):
 * validity at the packet's time, the SNI against the leaf's names, chain order and issuer
 * linkage, signatures, trust, weak keys and hashes, constraints. Filled by cert_check.c
 * when a chain is read; read by the close line, the failure causes and the report. */
#ifndef HSDUMP_DISSECTORS_CERT_CHECK_H
#define HSDUMP_DISSECTORS_CERT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

struct fields;

/* One bit per issue; names from cert_issue_name(). */
enum cert_issue {
    CERT_ISSUE_EXPIRED = 0,
    CERT_ISSUE_NOT_YET_VALID,
    CERT_ISSUE_EXPIRING,
    CERT_ISSUE_HOSTNAME_MISMATCH,
    CERT_ISSUE_SELF_SIGNED,
    CERT_ISSUE_CHAIN_ORDER,
    CERT_ISSUE_ISSUER_MISMATCH,
    CERT_ISSUE_BAD_SIGNATURE,
    CERT_ISSUE_WEAK_KEY,
    CERT_ISSUE_WEAK_SIGNATURE_HASH,
    CERT_ISSUE_BASIC_CONSTRAINTS,
    CERT_ISSUE_KEY_USAGE,
    CERT_ISSUE_COUNT
};

enum cert_trust {
    CERT_TRUST_NOT_CHECKED = 0, /* no chain read */
    CERT_TRUST_TRUSTED,
    CERT_TRUST_UNTRUSTED,
};

/* The SNI against the leaf's names (RFC 6125 6.4). */
enum cert_hostname {
    CERT_HOSTNAME_NOT_CHECKED = 0,
    CERT_HOSTNAME_MATCH,
    CERT_HOSTNAME_MISMATCH,
    CERT_HOSTNAME_NO_SNI, /* the client sent none: nothing to compare */
};

struct chain_check {
    bool checked;
    uint32_t issues;       /* 1u << enum cert_issue */
    enum cert_trust trust;
    int verify_error;      /* X509_V_ERR_* from X509_verify_cert when untrusted, else 0 */
    /* Earlier connections of the capture to the same SNI got a chain from another issuer, or
     * validated while this one does not: a middlebox may have re-signed it (a guess). */
    bool interception_suspected;
    /* -j: the guess is the merging process's (cert_check_defer_interception): this is the
     * number the worker's hook gave it, 0 when none was asked */
    uint32_t interception_probe;
    bool interception_paired; /* the close line is made for each verdict (conn.c) */
    enum cert_hostname hostname; /* server chains only */
};

/* What the connection does with the leaf's key, for its keyUsage: signs (ECDHE, DHE, TLS 1.3,
 * a client's CertificateVerify), decrypts the premaster secret (RSA key exchange), or agrees on
 * it (static ECDH, DH); ANY when not known (any one of the three will do). */
enum cert_key_use {
    CERT_KEY_USE_ANY = 0,
    CERT_KEY_USE_SIGN,
    CERT_KEY_USE_ENCIPHER,
    CERT_KEY_USE_AGREE,
};

/* Certificates of one chain checked; later ones are still described, not checked. */
#define CERT_CHAIN_MAX 16
/* Days before notAfter from which a certificate is reported expiring (--expiry-warning). */
#define CERT_EXPIRY_WARNING_DEFAULT 30

const char *cert_issue_name(enum cert_issue issue);

/* The trust store: ca_file and/or ca_path (both NULL: the system's default store, loaded the
 * first time a chain is checked). A file or directory given is loaded now: false with a
 * message in err when it holds no certificate libcrypto can read. */
bool cert_check_configure(const char *ca_file, const char *ca_path, unsigned expiry_days,
                          char *err, size_t err_cap);
/* Frees the store and the caches (for leak checkers at exit). */
void cert_check_free(void);

/* Checks one chain as sent (ders[0] the sender's own certificate), at time now (seconds
 * since 1970, the packet's): per-certificate issues in issues[i] (i < n, n at most
 * CERT_CHAIN_MAX), the chain's union, trust and, for a server's chain, the SNI (sni NULL
 * when the client sent none) and the interception guess in *out. A client's chain gets a
 * trust verdict only when the user gave --ca-file or --ca-path. */
void cert_check_chain(const struct cursor *ders, size_t n, bool from_server,
                      enum cert_key_use key_use, const char *sni, size_t sni_len, int64_t now,
                      struct chain_check *out, uint32_t *issues);

/* The interception guess compares a connection with the earlier ones of the capture, and a
 * -j worker sees only its share of them: with a hook set, each guess's facts go to it, the
 * hook returns a number for them (1 to CERT_PROBE_NUMBER_MAX) and the trust fields carry
 * interception=<number> (a FIELD_UINT; with CERT_PROBE_SUSPECTED when made for the verdict
 * "suspected", CERT_PROBE_PAIRED when a line is made for each verdict) for the merging process
 * to turn into interception=suspected or drop, after asking cert_check_interception_guess()
 * in capture order. */
#define CERT_PROBE_NUMBER_MAX 0x3fffffffu
#define CERT_PROBE_PAIRED 0x40000000u
#define CERT_PROBE_SUSPECTED 0x80000000u
typedef uint32_t (*cert_interception_hook)(const char *sni, size_t sni_len, uint64_t issuer,
                                           bool trusted);
void cert_check_defer_interception(cert_interception_hook hook);
bool cert_check_interception_guess(const char *sni, size_t sni_len, uint64_t issuer,
                                   bool trusted);

/* key=list of the issue names in issues (nothing when none). */
void cert_check_add_issues(struct fields *f, const char *key, uint32_t issues);
/* trust= and, when untrusted, trust_error=; interception=suspected when it is. */
void cert_check_add_trust(struct fields *f, const struct chain_check *c);
const char *cert_hostname_name(enum cert_hostname h);

/* RFC 6125 6.4: does the presented DNS name (a SAN dNSName or CN) cover host? Both without
 * case, one trailing dot ignored; a wildcard only as the whole left-most label, matching
 * exactly one label, and only with two labels or more after it. */
bool cert_dns_name_matches(const char *pattern, size_t pattern_len, const char *host,
                           size_t host_len);
/* A short stable token for an X509_V_ERR_* code (hsdump.1 lists them). */
const char *cert_trust_error_name(int verify_error);

#endif
