/* Handshake messages with an empty or fixed body: HelloRequest, Finished, KeyUpdate,
 * EndOfEarlyData, EncryptedExtensions (RFC 5246 7.4.1.1, 7.4.9; RFC 8446 4.3.1, 4.4.4, 4.5, 4.6.3). */
#include <stdio.h>

#include "ext/extensions.h"
#include "base/fields.h"
#include "tls/messages.h"

static bool empty_body(struct cursor body, struct fields *f, const char *where)
{
    if (cur_len(body) != 0) {
        return fields_malformed(f, where, "empty message body");
    }
    return true;
}

/* RFC 5246 7.4.1.1: struct { } HelloRequest; */
bool dissect_hello_request(struct cursor body, struct tls_state *st, struct fields *f)
{
    (void)st;
    return empty_body(body, f, "hello_request");
}

/* RFC 8446 4.5: struct {} EndOfEarlyData; */
bool dissect_end_of_early_data(struct cursor body, struct tls_state *st, struct fields *f)
{
    (void)st;
    return empty_body(body, f, "end_of_early_data");
}

/* RFC 5246 7.4.9: opaque verify_data[verify_data_length]; (12 bytes unless the suite says) */
bool dissect_finished(struct cursor body, struct tls_state *st, struct fields *f)
{
    (void)st;
    if (cur_len(body) == 0) {
        return fields_malformed(f, "verify_data", "at least 1 byte");
    }
    fields_add_uint(f, "verify_data_length", cur_len(body));
    return true;
}

/* RFC 8446 4.6.3: struct { KeyUpdateRequest request_update; } KeyUpdate; */
bool dissect_key_update(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint8_t request;
    (void)st;
    if (!cur_get_u8(&body, &request) || cur_len(body) != 0) {
        return fields_malformed(f, "request_update", "exactly 1 byte");
    }
    if (request > 1) {
        char code[8]; /* a string like the names: one type per key (hsdump.schema.json) */
        snprintf(code, sizeof(code), "0x%02x", request);
        fields_add_token(f, "request_update", code);
        return fields_malformed(f, "request_update", "update_not_requested (0) or update_requested (1)");
    }
    fields_add_token(f, "request_update", request == 0 ? "update_not_requested" : "update_requested");
    return true;
}

/* RFC 8446 4.3.1: struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; */
bool dissect_encrypted_extensions(struct cursor body, struct tls_state *st, struct fields *f)
{
    struct ext_context ctx = {EXT_IN_ENCRYPTED_EXTENSIONS, st, f, 0};
    if (!ext_parse_block(&body, &ctx)) {
        return false;
    }
    return empty_body(body, f, "encrypted_extensions");
}
