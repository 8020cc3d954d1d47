/* TLS 1.3 protected handshake flights, labelled without keys from their order and sizes. */
#ifndef HSDUMP_DISSECTORS_TLS13_FLIGHT_H
#define HSDUMP_DISSECTORS_TLS13_FLIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "tls/tls.h"

/* Takes a protected record of direction d after the ServerHello. Records of a flight are held
 * until the flight's Finished (recognised by its exact size) lets them be labelled, then
 * emitted in order; later records are emitted at once. */
void tls13_protected_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                            const struct tls_sink *sink);
/* Emits what direction d holds (at least one record), labelled if its flight is
 * recognisable. */
void tls13_emit_held(struct tls_state *st, enum dir d, const struct tls_sink *sink);
/* The same when d holds anything; called when the other side speaks (the flight is over) and
 * at end of stream. Inline: it is called for every record, and most find nothing held. */
static inline void tls13_flush_flight(struct tls_state *st, enum dir d,
                                      const struct tls_sink *sink)
{
    if (st->dir[d].flight_len > 0) {
        tls13_emit_held(st, d, sink);
    }
}

#endif
