/* Dissectors of the handshake messages other than the hellos (RFC 5246 7.4, RFC 8446 4). */
#ifndef HSDUMP_DISSECTORS_MESSAGES_H
#define HSDUMP_DISSECTORS_MESSAGES_H

#include <stdbool.h>

#include "base/cursor.h"
#include "tls/tls.h"

struct fields;
struct cert_decompressed;

/* certificate.c */
bool dissect_certificate(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_certificate_request(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_certificate_verify(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_certificate_status(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_compressed_certificate(struct cursor body, struct tls_state *st, struct fields *f);
/* After dissect_compressed_certificate: the Certificate message inside, decompressed into inner
 * (initialised by the caller, who frees it after the x509 lines) and read by
 * dissect_certificate onto the same line. True, with inner empty, for an algorithm without a
 * decoder. */
bool dissect_compressed_certificate_message(struct cursor body, struct tls_state *st,
                                            struct fields *f, struct cert_decompressed *inner);
/* Opens a Certificate body's certificate_list and walks its DER certificates in order. */
bool cert_open_list(struct cursor body, bool tls13, struct cursor *list);
bool cert_next_der(struct cursor *list, bool tls13, struct cursor *der);

/* key_exchange.c */
bool dissect_server_key_exchange(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_client_key_exchange(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_server_hello_done(struct cursor body, struct tls_state *st, struct fields *f);

/* ticket.c */
bool dissect_new_session_ticket(struct cursor body, struct tls_state *st, struct fields *f);

/* simple_messages.c: messages with an empty or fixed body */
bool dissect_hello_request(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_finished(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_key_update(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_end_of_early_data(struct cursor body, struct tls_state *st, struct fields *f);
bool dissect_encrypted_extensions(struct cursor body, struct tls_state *st, struct fields *f);

#endif
