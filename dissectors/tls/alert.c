/* Alert protocol (RFC 5246 7.2, RFC 8446 6): level and description by name. */
#include "base/fields.h"
#include "base/names.h"
#include "tls/tls.h"

/* RFC 8446 6: struct { AlertLevel level; AlertDescription description; } Alert;
 * A record may carry several alerts; each gets its own line. */
void dissect_alert(struct tls_state *st, enum dir d, struct cursor body, const struct tls_sink *sink)
{
    struct fields f;
    if (cur_len(body) == 0) {
        fields_init(&f, "alert", NULL);
        fields_malformed(&f, "alert", "2 bytes: level, description");
        sink->emit(sink->ctx, d, &f);
        return;
    }
    while (cur_len(body) > 0) {
        uint8_t level, description;
        fields_init(&f, "alert", NULL);
        if (!cur_get_u8(&body, &level) || !cur_get_u8(&body, &description)) {
            fields_truncated(&f, "alert", 1, 2);
            sink->emit(sink->ctx, d, &f);
            return;
        }
        fields_add_name(&f, "level", NAMES_ALERT_LEVEL, level);
        fields_add_name(&f, "description", NAMES_ALERT, description);
        /* RFC 8446 6: in TLS 1.3 the level is ignored: closure alerts (close_notify,
         * user_canceled) never fail a connection, every other alert does. */
        bool closure = description == ALERT_close_notify || description == ALERT_user_canceled;
        bool fatal = st->is_tls13 ? !closure : level == 2;
        if (fatal && !st->fatal_alert_seen) {
            st->fatal_alert_seen = true;
            st->fatal_alert = description;
            st->fatal_alert_from = d;
        }
        sink->emit(sink->ctx, d, &f);
    }
}
