/* ClientHello, ServerHello and HelloRetryRequest dissectors. */
#ifndef HSDUMP_DISSECTORS_HELLO_H
#define HSDUMP_DISSECTORS_HELLO_H

#include <stdbool.h>

#include "base/cursor.h"
#include "tls/tls.h"

struct fields;

bool dissect_client_hello(struct cursor body, struct tls_state *st, struct fields *f);
/* Also recognises a HelloRetryRequest by its fixed random and renames the event. */
bool dissect_server_hello(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_sslv2_client_hello(struct cursor body, struct tls_state *st, struct fields *f);
/* TLS 1.3 drafts before 22: handshake type 6, printed as hello_retry_request. */
bool dissect_draft_hello_retry_request(struct cursor body, struct tls_state *st,
                                       struct fields *f);
/* DTLS only (RFC 6347 4.2.1): the server's cookie for the client's second ClientHello. */
bool dissect_hello_verify_request(struct cursor body, struct tls_state *st, struct fields *f);

#endif
