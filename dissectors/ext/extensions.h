/* Extension blocks: walk, duplicate and misplacement checks, dispatch to body decoders. */
#ifndef HSDUMP_DISSECTORS_EXTENSIONS_H
#define HSDUMP_DISSECTORS_EXTENSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"
#include "tls/tls.h"

struct fields;

/* The message an extension block belongs to (RFC 8446 4.2 table columns). */
enum ext_message {
    EXT_IN_CLIENT_HELLO,
    EXT_IN_SERVER_HELLO,
    EXT_IN_HELLO_RETRY_REQUEST,
    EXT_IN_ENCRYPTED_EXTENSIONS,
    EXT_IN_CERTIFICATE_REQUEST,
    EXT_IN_CERTIFICATE,
    EXT_IN_NEW_SESSION_TICKET,
};

struct ext_context {
    enum ext_message message;
    struct tls_state *st;
    struct fields *f;
    uint16_t selected_version; /* ServerHello/HRR: from supported_versions, else 0 */
};

/* Reads Extension extensions<0..2^16-1> from msg: lists the types (extensions=), flags
 * duplicates (dup_ext=), then decodes each known body in wire order. False if malformed. */
bool ext_parse_block(struct cursor *msg, struct ext_context *ctx);

#endif
