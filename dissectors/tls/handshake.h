/* Handshake message framing across records and dispatch to the message dissectors. */
#ifndef HSDUMP_DISSECTORS_HANDSHAKE_H
#define HSDUMP_DISSECTORS_HANDSHAKE_H

#include <stdint.h>

#include "base/cursor.h"
#include "tls/tls.h"

/* Takes the plaintext body of one handshake record of direction d. */
void hs_consume(struct tls_state *st, enum dir d, struct cursor fragment, uint16_t record_version,
                const struct tls_sink *sink);
/* End of direction d: reports a handshake message left incomplete. */
void hs_finish(struct tls_state *st, enum dir d, const struct tls_sink *sink);
/* Dissects one whole handshake message (type, body) and emits its line. */
void hs_dissect_message(struct tls_state *st, enum dir d, uint8_t type, struct cursor body,
                        uint16_t record_version, uint32_t fragments, const struct tls_sink *sink);

#endif
