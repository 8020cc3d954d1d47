/* supported_versions (RFC 8446 4.2.1). */
#include "ext/ext_decoders.h"
#include "ext/extensions.h"
#include "base/fields.h"
#include "base/names.h"
#include "checks/diagnosis.h"

/* RFC 8446 4.2.1: struct { select (Handshake.msg_type) {
 *   case client_hello: ProtocolVersion versions<2..254>;
 *   case server_hello: ProtocolVersion selected_version; }; } SupportedVersions; */
bool ext_supported_versions(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        struct cursor list;
        uint16_t version;
        if (!cur_get_vec8(&body, &list) || cur_len(body) != 0) {
            return fields_malformed(f, "supported_versions", "one u8-prefixed version list");
        }
        if (cur_len(list) < 2 || cur_len(list) % 2 != 0) {
            return fields_malformed(f, "supported_versions", "even length of 2..254");
        }
        fields_list_begin(f, "supported_versions");
        ctx->st->offer.versions_listed = true;
        while (cur_get_u16(&list, &version)) {
            fields_list_name(f, NAMES_VERSION, version);
            ctx->st->offer.versions |= offer_version_bit(version);
            if (tls_version_is_tls13(version)) {
                ctx->st->tls13_offered = true;
            }
        }
        fields_list_end(f);
        return true;
    }
    uint16_t selected;
    if (!cur_get_u16(&body, &selected) || cur_len(body) != 0) {
        return fields_malformed(f, "supported_versions", "one 2-byte selected_version");
    }
    /* RFC 8446 4.2.1: selected_version, shown as a list of one like the client's list (one
     * type per key, hsdump.schema.json) */
    fields_list_begin(f, "supported_versions");
    fields_list_name(f, NAMES_VERSION, selected);
    fields_list_end(f);
    ctx->selected_version = selected;
    return true;
}
