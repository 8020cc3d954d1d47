/* supported_groups (RFC 8446 4.2.7, RFC 8422 5.1.1) and ec_point_formats (RFC 8422 5.1.2). */
#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"
#include "base/names.h"
#include "checks/diagnosis.h"

/* A u16-prefixed list of u16 code points, printed by name: RFC 8446 4.2.7
 * NamedGroup named_group_list<2..2^16-1>; (and every list of that shape) */
bool ext_u16_name_list(struct cursor body, struct fields *f, const char *key, enum name_kind kind)
{
    struct cursor list;
    if (!cur_get_vec16(&body, &list) || cur_len(body) != 0) {
        return fields_malformed(f, key, "one u16-prefixed list");
    }
    if (cur_len(list) < 2 || cur_len(list) % 2 != 0) {
        return fields_malformed(f, key, "even length >= 2");
    }
    fields_list_begin(f, key);
    fields_list_names_u16(f, kind, list);
    fields_list_end(f);
    return true;
}

/* The client's list into its offer's facts (tls.h struct offer_facts). */
static void offer_groups(struct cursor body, struct offer_facts *o)
{
    struct cursor list;
    uint16_t group;
    if (!cur_get_vec16(&body, &list)) {
        return;
    }
    o->groups_listed = true;
    while (cur_get_u16(&list, &group)) {
        if (names_is_grease_u16(group)) {
            continue;
        }
        o->groups += o->groups < UINT8_MAX;
        /* RFC 8446 9.1: secp256r1 MUST, x25519 SHOULD be implemented */
        o->groups_mandatory |= group == GROUP_secp256r1 || group == GROUP_x25519;
        o->groups_weak |= weak_group(group);
    }
}

bool ext_supported_groups(struct cursor body, struct ext_context *ctx)
{
    bool ok = ext_u16_name_list(body, ctx->f, "supported_groups", NAMES_GROUP);
    if (ok && ctx->message == EXT_IN_CLIENT_HELLO) {
        offer_groups(body, &ctx->st->offer);
    }
    return ok;
}

/* RFC 8422 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1> */
bool ext_ec_point_formats(struct cursor body, struct ext_context *ctx)
{
    struct cursor list;
    uint8_t format;
    if (!cur_get_vec8(&body, &list) || cur_len(body) != 0 || cur_len(list) == 0) {
        return fields_malformed(ctx->f, "ec_point_formats", "u8-prefixed list of 1..255 formats");
    }
    fields_list_begin(ctx->f, "ec_point_formats");
    while (cur_get_u8(&list, &format)) {
        fields_list_name(ctx->f, NAMES_EC_POINT_FORMAT, format);
    }
    fields_list_end(ctx->f);
    return true;
}
