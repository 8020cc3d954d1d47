/* key_share (RFC 8446 4.2.8): the client's shares, the server's share, the HRR's group. */
#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"
#include "base/names.h"

/* RFC 8446 4.2.8: struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 *   ClientHello: KeyShareEntry client_shares<0..2^16-1>;
 *   HelloRetryRequest: NamedGroup selected_group;   ServerHello: KeyShareEntry server_share; */
/* The server's one group, a list of one like the client's offer (one type per key,
 * hsdump.schema.json). */
static void add_selected_group(struct fields *f, uint16_t group)
{
    fields_list_begin(f, "key_share");
    fields_list_name(f, NAMES_GROUP, group);
    fields_list_end(f);
}

bool ext_key_share(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    uint16_t group;
    struct cursor key;
    if (ctx->message == EXT_IN_HELLO_RETRY_REQUEST) {
        if (!cur_get_u16(&body, &group) || cur_len(body) != 0) {
            return fields_malformed(f, "key_share", "2-byte selected_group");
        }
        add_selected_group(f, group);
        return true;
    }
    if (ctx->message == EXT_IN_SERVER_HELLO) {
        if (!cur_get_u16(&body, &group) || !cur_get_vec16(&body, &key) || cur_len(body) != 0 ||
            cur_len(key) == 0) {
            return fields_malformed(f, "key_share", "one KeyShareEntry: group, u16-prefixed key");
        }
        add_selected_group(f, group);
        fields_add_uint(f, "key_share_length", cur_len(key));
        ctx->st->group = group;
        ctx->st->has_group = true;
        return true;
    }
    struct cursor list, walk;
    if (!cur_get_vec16(&body, &list) || cur_len(body) != 0) {
        return fields_malformed(f, "key_share", "u16-prefixed client_shares");
    }
    walk = list;
    while (cur_len(walk) > 0) {
        struct cursor entry = walk;
        if (!cur_get_u16(&walk, &group) || !cur_get_vec16(&walk, &key) || cur_len(key) == 0) {
            return fields_malformed_at(f, "key_share", "KeyShareEntry: group, u16-prefixed key",
                                       cur_offset(list, entry));
        }
    }
    fields_list_begin(f, "key_share");
    walk = list;
    while (cur_get_u16(&walk, &group) && cur_get_vec16(&walk, &key)) {
        fields_list_name(f, NAMES_GROUP, group);
    }
    fields_list_end(f);
    fields_list_begin(f, "key_share_lengths");
    walk = list;
    while (cur_get_u16(&walk, &group) && cur_get_vec16(&walk, &key)) {
        fields_list_uint(f, cur_len(key));
    }
    fields_list_end(f);
    return true;
}
