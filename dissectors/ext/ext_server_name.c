/* server_name (RFC 6066 3). */
#include <string.h>

#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"

/* RFC 6066 3: struct { NameType name_type; select (name_type) { case host_name: HostName; } name; }
 * ServerName; opaque HostName<1..2^16-1>; struct { ServerName server_name_list<1..2^16-1> } */
bool ext_server_name(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    struct tls_state *st = ctx->st;
    if (ctx->message != EXT_IN_CLIENT_HELLO) {
        /* RFC 6066 3: the server's extension_data is empty when it used the name. */
        if (cur_len(body) != 0) {
            return fields_malformed(f, "server_name", "empty body in a server's extension");
        }
        fields_add_bool(f, "sni_ack", true);
        return true;
    }
    struct cursor list;
    if (!cur_get_vec16(&body, &list) || cur_len(body) != 0) {
        return fields_malformed(f, "server_name", "one u16-prefixed server_name_list");
    }
    if (cur_len(list) == 0) {
        return fields_malformed(f, "server_name", "server_name_list of at least one name");
    }
    while (cur_len(list) > 0) {
        uint8_t name_type;
        struct cursor name;
        if (!cur_get_u8(&list, &name_type) || !cur_get_vec16(&list, &name)) {
            return fields_malformed(f, "server_name", "name_type and u16-prefixed name");
        }
        if (name_type != 0) {
            fields_add_uint(f, "sni_name_type", name_type);
            continue;
        }
        if (cur_len(name) == 0) {
            return fields_malformed(f, "server_name", "HostName of 1..2^16-1 bytes");
        }
        fields_add_string(f, "sni", name);
        if (!st->has_sni) {
            struct cursor kept = cur_take_upto(&name, TLS_SNI_MAX);
            cur_copy(kept, (uint8_t *)st->sni);
            st->sni[cur_len(kept)] = '\0';
            st->sni_len = cur_len(kept);
            st->sni_truncated = cur_len(name) > 0;
            st->has_sni = true;
        }
    }
    return true;
}
