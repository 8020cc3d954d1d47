/* Certificate details through libcrypto, the only file that uses it (x509.c). */
#ifndef HSDUMP_DISSECTORS_X509_H
#define HSDUMP_DISSECTORS_X509_H

#include <stdbool.h>

#include "base/cursor.h"

struct fields;

/* Adds subject, issuer, serial, not_before, not_after, san_dns, san_ip, san_uri, san_email,
 * key, signature, sha256, x509_version, key_exponent, ca and path_len of one DER certificate; false (malformed=certificate) when the DER does not parse. */
bool x509_describe(struct cursor der, struct fields *f);

#endif
