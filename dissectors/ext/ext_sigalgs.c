/* signature_algorithms, signature_algorithms_cert (RFC 8446 4.2.3) and delegated_credential
 * (RFC 9345 4.1.1): lists of SignatureScheme. */
#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"
#include "base/names.h"
#include "checks/diagnosis.h"

/* RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>; */
bool ext_signature_algorithms(struct cursor body, struct ext_context *ctx)
{
    bool ok = ext_u16_name_list(body, ctx->f, "signature_algorithms", NAMES_SIGSCHEME);
    struct cursor list;
    uint16_t scheme;
    if (!ok || ctx->message != EXT_IN_CLIENT_HELLO || !cur_get_vec16(&body, &list)) {
        return ok;
    }
    struct offer_facts *o = &ctx->st->offer;
    o->sigalgs_listed = true;
    while (cur_get_u16(&list, &scheme)) {
        if (names_is_grease_u16(scheme)) {
            continue;
        }
        o->sigalgs += o->sigalgs < UINT8_MAX;
        /* RFC 8446 9.1: the mandatory-to-implement signature schemes */
        o->sigalgs_mandatory |= scheme == SIGSCHEME_rsa_pkcs1_sha256 ||
                                scheme == SIGSCHEME_rsa_pss_rsae_sha256 ||
                                scheme == SIGSCHEME_ecdsa_secp256r1_sha256;
        o->sigalgs_weak |= weak_scheme(scheme);
    }
    return ok;
}

bool ext_signature_algorithms_cert(struct cursor body, struct ext_context *ctx)
{
    return ext_u16_name_list(body, ctx->f, "signature_algorithms_cert", NAMES_SIGSCHEME);
}

/* RFC 9345 4.1.1: the client sends SignatureSchemeList; in a Certificate entry the server
 * sends the credential itself, shown by length. */
bool ext_delegated_credential(struct cursor body, struct ext_context *ctx)
{
    if (ctx->message == EXT_IN_CLIENT_HELLO || ctx->message == EXT_IN_CERTIFICATE_REQUEST) {
        return ext_u16_name_list(body, ctx->f, "delegated_credential", NAMES_SIGSCHEME);
    }
    fields_add_uint(ctx->f, "delegated_credential_length", cur_len(body));
    return true;
}
