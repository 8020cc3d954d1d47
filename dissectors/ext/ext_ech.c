/* encrypted_client_hello (draft-ietf-tls-esni-22 5, 7): what the outer hello shows. */
#include <stdio.h>

#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"

/* enum { outer(0), inner(1) } ECHClientHelloType;
 * struct { ECHClientHelloType type; select (type) { case outer: HpkeSymmetricCipherSuite
 *   cipher_suite; uint8 config_id; opaque enc<0..2^16-1>; opaque payload<1..2^16-1>;
 *   case inner: Empty; }; } ECHClientHello;
 * EncryptedExtensions: ECHConfigList retry_configs; HelloRetryRequest: opaque confirmation[8]; */
bool ext_encrypted_client_hello(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    if (ctx->message == EXT_IN_HELLO_RETRY_REQUEST) {
        if (cur_len(body) != 8) {
            return fields_malformed(f, "encrypted_client_hello", "8-byte confirmation");
        }
        fields_add_bool(f, "ech_confirmation", true);
        return true;
    }
    if (ctx->message != EXT_IN_CLIENT_HELLO) {
        fields_add_uint(f, "ech_retry_configs_length", cur_len(body));
        return true;
    }
    uint8_t type, config_id;
    uint16_t kdf, aead;
    struct cursor enc, payload;
    if (!cur_get_u8(&body, &type)) {
        return fields_malformed(f, "encrypted_client_hello", "1-byte type");
    }
    if (type == 1) {
        fields_add_token(f, "ech_type", "inner");
        return cur_len(body) == 0 ||
               fields_malformed(f, "encrypted_client_hello", "empty body after type inner");
    }
    if (type != 0) {
        char code[8]; /* a string like inner and outer: one type per key (hsdump.schema.json) */
        snprintf(code, sizeof(code), "0x%02x", type);
        fields_add_token(f, "ech_type", code);
        return fields_malformed(f, "encrypted_client_hello", "type outer (0) or inner (1)");
    }
    fields_add_token(f, "ech_type", "outer");
    if (!cur_get_u16(&body, &kdf) || !cur_get_u16(&body, &aead) ||
        !cur_get_u8(&body, &config_id) || !cur_get_vec16(&body, &enc) ||
        !cur_get_vec16(&body, &payload) || cur_len(body) != 0 || cur_len(payload) == 0) {
        return fields_malformed(f, "encrypted_client_hello",
                                "kdf_id, aead_id, config_id, u16-prefixed enc and payload");
    }
    fields_add_uint(f, "ech_kdf_id", kdf);
    fields_add_uint(f, "ech_aead_id", aead);
    fields_add_uint(f, "ech_config_id", config_id);
    fields_add_uint(f, "ech_enc_length", cur_len(enc));
    fields_add_uint(f, "ech_payload_length", cur_len(payload));
    return true;
}
