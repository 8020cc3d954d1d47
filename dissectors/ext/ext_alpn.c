/* application_layer_protocol_negotiation (RFC 7301 3.1). */
#include <string.h>

#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"

/* RFC 7301 3.1: opaque ProtocolName<1..2^8-1>;
 * struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList; */
bool ext_alpn(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    struct cursor list;
    if (!cur_get_vec16(&body, &list) || cur_len(body) != 0) {
        return fields_malformed(f, "alpn", "one u16-prefixed protocol_name_list");
    }
    struct cursor walk = list;
    struct cursor name;
    size_t count = 0;
    while (cur_len(walk) > 0) {
        if (!cur_get_vec8(&walk, &name) || cur_len(name) == 0) {
            return fields_malformed(f, "alpn", "u8-prefixed protocol names of 1..255 bytes");
        }
        count++;
    }
    if (count == 0) {
        return fields_malformed(f, "alpn", "at least one protocol name");
    }
    fields_list_begin(f, "alpn");
    while (cur_get_vec8(&list, &name)) {
        fields_list_string(f, name);
    }
    fields_list_end(f);
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        return true;
    }
    /* RFC 7301 3.1: the server's list MUST contain exactly one name. */
    if (count != 1) {
        return fields_malformed(f, "alpn", "exactly one protocol name from the server");
    }
    struct tls_state *st = ctx->st;
    struct cursor kept = cur_take_upto(&name, TLS_ALPN_MAX); /* all of it: at most 255 bytes */
    cur_copy(kept, st->alpn);
    st->alpn_len = cur_len(kept);
    st->has_alpn = true;
    return true;
}
