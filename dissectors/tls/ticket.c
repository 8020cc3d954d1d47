/* NewSessionTicket (RFC 5077 3.3; RFC 8446 4.6.1). */
#include "ext/extensions.h"
#include "base/fields.h"
#include "tls/messages.h"

/* RFC 5077 3.3: struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; }
 * RFC 8446 4.6.1: uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>;
 *   opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>; */
bool dissect_new_session_ticket(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint32_t lifetime, age_add;
    struct cursor nonce, ticket;
    st->ticket_issued = true;
    if (!cur_get_u32(&body, &lifetime)) {
        return fields_malformed(f, "ticket_lifetime", "4 bytes");
    }
    if (!st->is_tls13) {
        fields_add_uint(f, "ticket_lifetime_hint", lifetime);
        if (!cur_get_vec16(&body, &ticket) || cur_len(body) != 0) {
            return fields_malformed(f, "ticket", "u16-prefixed ticket ending the message");
        }
        fields_add_uint(f, "ticket_length", cur_len(ticket));
        return true;
    }
    st->tickets++; /* TLS 1.3 sends several (RFC 8446 4.6.1): counted for the close line */
    fields_add_uint(f, "ticket_lifetime", lifetime);
    if (!cur_get_u32(&body, &age_add) || !cur_get_vec8(&body, &nonce) ||
        !cur_get_vec16(&body, &ticket)) {
        return fields_malformed(f, "new_session_ticket",
                                "ticket_age_add, u8-prefixed nonce, u16-prefixed ticket");
    }
    fields_add_uint(f, "ticket_length", cur_len(ticket));
    struct ext_context ctx = {EXT_IN_NEW_SESSION_TICKET, st, f, 0};
    bool ok = ext_parse_block(&body, &ctx);
    if (ok && cur_len(body) != 0) {
        return fields_malformed(f, "new_session_ticket", "end of message after extensions");
    }
    return ok;
}
