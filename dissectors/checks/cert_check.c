/* Certificate checks (cert_check.h). */
#include "checks/cert_check.h"

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
