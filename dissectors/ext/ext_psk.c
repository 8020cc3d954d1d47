/* pre_shared_key, psk_key_exchange_modes, early_data (RFC 8446 4.2.9-4.2.11) and
 * session_ticket (RFC 5077 3.2). */
#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"
#include "base/names.h"

/* RFC 8446 4.2.9: PskKeyExchangeMode ke_modes<1..255>; */
bool ext_psk_key_exchange_modes(struct cursor body, struct ext_context *ctx)
{
    struct cursor list;
    uint8_t mode;
    if (!cur_get_vec8(&body, &list) || cur_len(body) != 0 || cur_len(list) == 0) {
        return fields_malformed(ctx->f, "psk_key_exchange_modes", "u8-prefixed list of 1..255");
    }
    fields_list_begin(ctx->f, "psk_key_exchange_modes");
    while (cur_get_u8(&list, &mode)) {
        fields_list_name(ctx->f, NAMES_PSK_MODE, mode);
        if (mode <= 1) {
            ctx->st->psk_modes |= (uint8_t)(1u << mode);
        }
    }
    fields_list_end(ctx->f);
    return true;
}

/* RFC 8446 4.2.11: struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; }
 *   PskIdentity; opaque PskBinderEntry<32..255>;
 *   ClientHello: PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>;
 *   ServerHello: uint16 selected_identity; */
bool ext_pre_shared_key(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    if (ctx->message == EXT_IN_SERVER_HELLO) {
        uint16_t selected;
        if (!cur_get_u16(&body, &selected) || cur_len(body) != 0) {
            return fields_malformed(f, "pre_shared_key", "2-byte selected_identity");
        }
        fields_add_uint(f, "psk_selected_identity", selected);
        ctx->st->psk_accepted = true;
        return true;
    }
    struct cursor identities, binders, walk, item;
    uint32_t age;
    /* identities<7..2^16-1>, binders<33..2^16-1>: at least one of each */
    if (!cur_get_vec16(&body, &identities) || !cur_get_vec16(&body, &binders) ||
        cur_len(body) != 0 || cur_len(identities) < 7 || cur_len(binders) < 33) {
        return fields_malformed(f, "pre_shared_key",
                                "u16-prefixed identities (7 bytes or more) and binders (33 or "
                                "more)");
    }
    size_t n_ids = 0, n_binders = 0;
    walk = identities;
    while (cur_len(walk) > 0) {
        if (!cur_get_vec16(&walk, &item) || !cur_get_u32(&walk, &age) || cur_len(item) == 0) {
            return fields_malformed(f, "pre_shared_key", "PskIdentity: u16-prefixed identity, u32 age");
        }
        n_ids++;
    }
    walk = binders;
    while (cur_len(walk) > 0) {
        if (!cur_get_vec8(&walk, &item) || cur_len(item) < 32) {
            return fields_malformed(f, "pre_shared_key", "u8-prefixed binders of 32..255 bytes");
        }
        n_binders++;
    }
    fields_add_uint(f, "psk_identities", n_ids);
    fields_list_begin(f, "psk_identity_lengths");
    walk = identities;
    while (cur_get_vec16(&walk, &item) && cur_get_u32(&walk, &age)) {
        fields_list_uint(f, cur_len(item));
    }
    fields_list_end(f);
    fields_list_begin(f, "psk_binder_lengths");
    walk = binders;
    while (cur_get_vec8(&walk, &item)) {
        fields_list_uint(f, cur_len(item));
    }
    fields_list_end(f);
    ctx->st->psk_offered = true;
    if (n_ids != n_binders) {
        return fields_malformed(f, "pre_shared_key", "one binder per identity");
    }
    return true;
}

/* RFC 8446 4.2.10: empty in ClientHello and EncryptedExtensions; in NewSessionTicket
 * uint32 max_early_data_size. */
bool ext_early_data(struct cursor body, struct ext_context *ctx)
{
    if (ctx->message == EXT_IN_NEW_SESSION_TICKET) {
        uint32_t max;
        if (!cur_get_u32(&body, &max) || cur_len(body) != 0) {
            return fields_malformed(ctx->f, "early_data", "4-byte max_early_data_size");
        }
        fields_add_uint(ctx->f, "max_early_data_size", max);
        return true;
    }
    if (cur_len(body) != 0) {
        return fields_malformed(ctx->f, "early_data", "empty body");
    }
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        ctx->st->early_data_offered = true;
    }
    return true;
}

/* RFC 5077 3.2: the client's extension holds the ticket (empty to ask for one); the server's
 * is empty. */
bool ext_session_ticket(struct cursor body, struct ext_context *ctx)
{
    fields_add_uint(ctx->f, "session_ticket_length", cur_len(body));
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        ctx->st->client_ticket_len = cur_len(body);
    } else if (cur_len(body) != 0) {
        return fields_malformed(ctx->f, "session_ticket", "empty body from the server");
    }
    return true;
}
