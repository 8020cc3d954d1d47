/* TLS 1.3 hides its flights after the ServerHello (RFC 8446 2). Without keys, the messages can
 * still be named when each travels in its own record, as common stacks do: a flight ends with
 * Finished, whose protected size is fixed by the cipher suite, and the messages before it come in
 * the order RFC 8446 4.4 prescribes. Every such label is printed as inferred=. */
#include "tls/tls13_flight.h"

#include <stdbool.h>

#include "base/names.h"

/* RFC 8446 5.2: a protected record is the message, one content-type byte and the AEAD tag. */
static size_t aead_tag_length(uint16_t suite)
{
    return suite == CIPHER_TLS_AES_128_CCM_8_SHA256 ? 8 : 16;
}

/* RFC 8446 4.4.4: verify_data is as long as the suite's hash (B.4: SHA-384 only for 0x1302). */
static size_t finished_record_length(uint16_t suite)
{
    size_t hash = suite == CIPHER_TLS_AES_256_GCM_SHA384 ? 48 : 32;
    return 4 + hash + 1 + aead_tag_length(suite);
}

/* RFC 8446 4.5: EndOfEarlyData has an empty body. The drafts before 21 ended early data with
 * an end_of_early_data(1) alert instead (draft-ietf-tls-tls13-20 6: "end_of_early_data" in
 * AlertDescription, a two-byte Alert in the early traffic key). */
static size_t end_of_early_data_record_length(uint16_t version, uint16_t suite)
{
    size_t message = tls13_end_of_early_data_is_alert(version) ? 2 : 4;
    return message + 1 + aead_tag_length(suite);
}

/* RFC 8446 4.4.2: a client asked for a certificate that has none sends an empty Certificate:
 * an empty certificate_request_context (4.3.2: so in the handshake) and an empty list. */
static size_t empty_certificate_record_length(uint16_t suite)
{
    return 4 + 1 + 3 + 1 + aead_tag_length(suite);
}

/* RFC 8446 4.4 server flight: EncryptedExtensions, [CertificateRequest], Certificate,
 * CertificateVerify, Finished; with a PSK only EncryptedExtensions and Finished. */
static void label_server_flight(struct tls_state *st, const char **labels, size_t n)
{
    labels[0] = "encrypted_extensions";
    labels[n - 1] = "finished";
    if (st->psk_accepted || n < 4 || n > 5) {
        return; /* messages share records: only the ends are sure */
    }
    if (n == 5) {
        labels[1] = "certificate_request";
        st->cert_requested = true;
        st->cert_requested_inferred = true;
    }
    labels[n - 3] = "certificate";
    labels[n - 2] = "certificate_verify";
}

/* RFC 8446 4.4 client flight: [EndOfEarlyData], [Certificate, [CertificateVerify]], Finished. */
static void label_client_flight(struct tls_state *st, const struct tls_dir *td,
                                const char **labels, size_t n)
{
    size_t first = 0;
    if (n >= 2 && st->early_data_offered &&
        td->flight[0].length == end_of_early_data_record_length(st->version, st->cipher_suite)) {
        labels[0] = "end_of_early_data";
        st->early_data_accepted = true; /* 4.5: sent only when the server accepted 0-RTT */
        first = 1;
    }
    labels[n - 1] = "finished";
    size_t middle = n - 1 - first;
    if (middle == 1 || middle == 2) {
        labels[first] = "certificate";
        st->client_cert_inferred = true;
        if (middle == 2) {
            labels[first + 1] = "certificate_verify";
            st->client_auth_inferred = true; /* 4.4.3: a CertificateVerify follows a certificate */
        } else if (td->flight[first].length !=
                   empty_certificate_record_length(st->cipher_suite)) {
            st->client_auth_inferred = true; /* not empty: its CertificateVerify shares it */
        }
    }
}

static void emit_held(struct tls_state *st, enum dir d, bool flight_complete,
                      const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    const char *labels[TLS13_FLIGHT_MAX] = {0};
    size_t n = td->flight_len;
    if (flight_complete && n > 0) {
        for (size_t i = 0; i < n; i++) {
            labels[i] = "handshake"; /* before Finished, a flight holds only handshake messages */
        }
        if (d == DIR_S2C) {
            label_server_flight(st, labels, n);
        } else {
            label_client_flight(st, td, labels, n);
        }
        td->finished = true;
    }
    for (size_t i = 0; i < n; i++) {
        rec_emit_encrypted(d, td->flight[i].type, td->flight[i].length, labels[i], sink);
    }
    td->flight_len = 0;
    td->flight_over = true;
}

void tls13_emit_held(struct tls_state *st, enum dir d, const struct tls_sink *sink)
{
    emit_held(st, d, false, sink);
}

/* RFC 8446 5.2, 6: an alert is two bytes, protected with its content type and the tag
 * (and no padding, as common stacks send it). */
static size_t alert_record_length(uint16_t suite)
{
    return 2 + 1 + aead_tag_length(suite);
}

/* A server record after the client's flight. RFC 8446 4.6.1: servers commonly send
 * NewSessionTicket right after the client's Finished, before the client has anything more
 * to say. A server that rejects the client's flight (its certificate, say) answers with an
 * alert instead (RFC 8446 6.2) and closes: its first record has an alert's size then, and
 * waits for what follows to tell (tls13_closed()), unless the client may have closed first. */
static void server_answer(struct tls_state *st, uint8_t type, size_t length,
                          const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[DIR_S2C];
    const char *label = NULL;
    if (st->dir[DIR_C2S].finished) {
        st->server_after_client_flight++;
        if (st->server_after_client_flight == 1 && !st->client_may_have_closed &&
            type == CONTENT_application_data && length == alert_record_length(st->cipher_suite)) {
            td->flight[0].type = type;
            td->flight[0].length = (uint32_t)length;
            td->flight_len = 1;
            return;
        }
        if (!st->client_spoke_after_flight) {
            st->tickets_inferred++;
            label = "new_session_ticket";
        }
    } else if (st->dir[DIR_C2S].flight_over) {
        st->server_after_client_flight++; /* after a flight whose Finished was not seen */
    }
    rec_emit_encrypted(DIR_S2C, type, length, label, sink);
}

/* A record after its side's flight was emitted. */
static void post_flight_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                               const struct tls_sink *sink)
{
    st->dir[d].after_flight++;
    if (d == DIR_S2C) {
        server_answer(st, type, length, sink);
        return;
    }
    st->client_spoke_after_flight = true;
    /* its close_notify (RFC 8446 6.1) would make the server's alert-sized answer one too */
    st->client_may_have_closed = length == alert_record_length(st->cipher_suite);
    rec_emit_encrypted(d, type, length, NULL, sink);
}

void tls13_protected_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                            const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    if (td->flight_over || type != CONTENT_application_data) {
        if (td->flight_over) {
            tls13_flush_flight(st, d, sink); /* a held alert-sized record was not the last */
        }
        post_flight_record(st, d, type, length, sink);
        return;
    }
    td->flight[td->flight_len].type = type;
    td->flight[td->flight_len].length = length > UINT32_MAX ? UINT32_MAX : (uint32_t)length;
    td->flight_len++;
    if (length == finished_record_length(st->cipher_suite)) {
        emit_held(st, d, true, sink);
    } else if (td->flight_len == TLS13_FLIGHT_MAX) {
        emit_held(st, d, false, sink); /* longer than any flight we can name */
    }
}

/* The server's alert-sized answer was its last record, and the connection closed: the
 * server refused the client's flight. Anything else in between (a record from either
 * side) has flushed it unlabelled already. */
void tls13_closed(struct tls_state *st, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[DIR_S2C];
    if (!st->is_tls13 || !td->flight_over || td->flight_len != 1) {
        return;
    }
    st->alert_inferred = true;
    rec_emit_encrypted(DIR_S2C, td->flight[0].type, td->flight[0].length, "alert", sink);
    td->flight_len = 0;
}
