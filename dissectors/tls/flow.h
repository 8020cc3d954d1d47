/* The handshake flow of a connection: history letters as events pass, a label at the end. */
#ifndef HSDUMP_DISSECTORS_FLOW_H
#define HSDUMP_DISSECTORS_FLOW_H

#include <stdint.h>

#include "tls/tls.h"

struct fields;

/* History letters (Zeek's ssl_history alphabet, upper case from the client, lower case from
 * the server), documented in hsdump.1. */
enum flow_event {
    FLOW_CCS = 256,       /* I */
    FLOW_ALERT,           /* L */
    FLOW_ENCRYPTED,       /* D: a run of encrypted records counts once */
    FLOW_HEARTBEAT,       /* B */
    FLOW_HRR,             /* J */
    FLOW_PSK_ACCEPTED,    /* '+' after the ServerHello letter */
};

/* The upper-case history letter of a handshake message type (0..255) or a flow_event but
 * FLOW_PSK_ACCEPTED: Zeek's ssl_history letter ('Z' for a type without one). */
char flow_letter(int event);
/* Records a handshake message type (0..255) or a flow_event from direction d. */
void flow_note(struct tls_state *st, enum dir d, int event);
/* Adds flow=, flags=, status= and history= for the close line. */
void flow_describe(const struct tls_state *st, struct fields *f);
/* Adds what the handshake negotiated (version, cipher_suite, sni, alpn, group, fingerprints,
 * the server's certificate names, the fatal alert) for the close line: only values read from
 * messages that parsed cleanly. */
void flow_negotiated(const struct tls_state *st, struct fields *f);
/* With the user's secrets: records decrypted, and decrypt=failed when some did not open. */
void flow_decryption(const struct tls_state *st, struct fields *f);
/* full, resumed, ticket, psk or unknown. */
const char *flow_label(const struct tls_state *st);
/* established, failed or incomplete. */
const char *flow_status(const struct tls_state *st);

#endif
