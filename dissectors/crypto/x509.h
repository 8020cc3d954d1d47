/* Certificate details through libcrypto, the only file that uses it (x509.c). */
#ifndef HSDUMP_DISSECTORS_X509_H
#define HSDUMP_DISSECTORS_X509_H

#include <stdbool.h>

#include "base/cursor.h"

struct fields;

/* Certificates up to this size are kept (decoded and described) in x509.c's cache. */
#define X509_CACHED_DER_MAX 16384

/* Adds subject, issuer, serial, not_before, not_after, san_dns, san_ip, san_uri, san_email,
 * key, signature, sha256, x509_version, key_exponent, ca and path_len of one DER certificate;
 * false (malformed=certificate) when the DER does not parse. */
bool x509_describe(struct cursor der, struct fields *f);

/* The certificate decoded (from the same cache), with a reference the caller releases with
 * X509_free(); NULL when the DER does not parse. For the checks of cert_check.c. */
struct x509_st;
struct x509_st *x509_decoded(struct cursor der);

#endif
