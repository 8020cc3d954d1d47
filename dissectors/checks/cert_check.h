/* A client's checks of the server's certificate chain, made passively (issue 18 part 2):
 * validity at the packet's time, the SNI against the leaf's names, chain order and issuer
 * linkage, signatures, trust, weak keys and hashes, constraints. Filled by cert_check.c
 * when a chain is read; read by the close line, the failure causes and the report. */
#ifndef HSDUMP_DISSECTORS_CERT_CHECK_H
#define HSDUMP_DISSECTORS_CERT_CHECK_H

#include <stdbool.h>
#include <stdint.h>

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

struct chain_check {
    bool checked;
    uint32_t issues;       /* 1u << enum cert_issue */
    enum cert_trust trust;
    int verify_error;      /* X509_V_ERR_* from X509_verify_cert when untrusted, else 0 */
    /* Earlier connections of the capture to the same SNI got a chain from another issuer, or
     * validated while this one does not: a middlebox may have re-signed it (a guess). */
    bool interception_suspected;
};

const char *cert_issue_name(enum cert_issue issue);

#endif
