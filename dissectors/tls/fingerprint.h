/* JA3 and JA3S (Salesforce) and JA4 (FoxIO, the TLS client fingerprint) of hello messages. */
#ifndef HSDUMP_DISSECTORS_FINGERPRINT_H
#define HSDUMP_DISSECTORS_FINGERPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/cursor.h"

struct fields;
struct tls_state;

/* Each takes a hello its dissector found well-formed and adds the fingerprint fields; the
 * first ClientHello's ja3 and ja4 and the first ServerHello's ja3s are also kept in st for
 * the close line. */
void fingerprint_client_hello(struct cursor body, struct tls_state *st, struct fields *f);
/* The ServerHello's first field, cipher suite and what follows them (its extension block, or
 * nothing); a HelloRetryRequest gets its ja3s fields but is not the ServerHello kept in st. */
void fingerprint_server_hello(uint16_t legacy_version, uint16_t suite, struct cursor extensions,
                              bool is_hrr, struct tls_state *st, struct fields *f);
/* JA3 only, of the TLS cipher suites (no extensions exist in this format); JA4 does not
 * define this format. */
void fingerprint_sslv2_client_hello(struct cursor body, struct tls_state *st, struct fields *f);

#endif
