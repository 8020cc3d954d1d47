/* Message digests for fingerprints and certificates, fetched from libcrypto once: an implicit
 * fetch per call (EVP_sha256()) costs a provider lookup under locks, more than the hash. */
#ifndef HSDUMP_DISSECTORS_DIGEST_H
#define HSDUMP_DISSECTORS_DIGEST_H

#include <openssl/evp.h>

/* NULL when the provider has no such digest (MD5 under a FIPS-only configuration). */
const EVP_MD *digest_md5(void);
const EVP_MD *digest_sha256(void);

#endif
