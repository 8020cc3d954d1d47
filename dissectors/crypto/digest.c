/* One EVP_MD_fetch per digest for the whole run (see digest.h); never freed, like the
 * provider that owns them. */
#include "crypto/digest.h"

const EVP_MD *digest_md5(void)
{
    static EVP_MD *md;
    if (md == NULL) {
        md = EVP_MD_fetch(NULL, "MD5", NULL);
    }
    return md;
}

const EVP_MD *digest_sha256(void)
{
    static EVP_MD *md;
    if (md == NULL) {
        md = EVP_MD_fetch(NULL, "SHA256", NULL);
    }
    return md;
}
