/* Protected records read with the user's keys (decrypt.h): their inner content goes through
 * the dissectors that read plaintext, each line marked decrypted=true. */
#include <stddef.h>

#include "base/fields.h"
#include "base/names.h"
#include "tls/decrypt.h"
#include "tls/decrypted_sink.h"
#include "tls/flow.h"
#include "tls/handshake.h"
#include "tls/tls.h"
#include "tls/tls13_flight.h"

/* A record the user's keys did not open: shown as without keys, and said so; the direction
 * goes on keyless. */
static void undecryptable_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                                 const struct tls_sink *sink)
{
    struct fields f;
    st->dir[d].encrypted_records++;
    flow_note(st, d, type == CONTENT_alert ? FLOW_ALERT : FLOW_ENCRYPTED);
    rec_encrypted_fields(&f, type, length);
    fields_add_token(&f, "decrypt", "failed");
    sink->emit(sink->ctx, d, &f);
}

/* Application data read with the user's keys: only its length and inner type are used. It
 * has a line, as without keys, until both sides finished their handshake (0-RTT data, data
 * before the peer's Finished); after, it is only counted. */
static void decrypted_application_data(struct tls_state *st, enum dir d, size_t length,
                                       bool opened, const struct tls_sink *sink)
{
    bool early = d == DIR_C2S && !st->server_hello_seen;
    flow_note(st, d, FLOW_ENCRYPTED);
    if (early) {
        st->early_data_records++;
    }
    if (st->dir[DIR_C2S].finished && st->dir[DIR_S2C].finished) {
        return;
    }
    struct fields f;
    fields_init(&f, "encrypted", NULL);
    fields_add_name(&f, "content_type", NAMES_CONTENT, CONTENT_application_data);
    fields_add_uint(&f, "length", length);
    if (opened) {
        /* TLS 1.3: the inner type was read (RFC 8446 5.2) */
        fields_add_name(&f, "inner_content_type", NAMES_CONTENT, CONTENT_application_data);
        if (early) {
            fields_add_bool(&f, "early_data_record", true);
        }
        fields_add_bool(&f, "decrypted", true);
    }
    sink->emit(sink->ctx, d, &f);
}

/* TLS 1.3 bookkeeping a decrypted record keeps as the keyless flights do (tls.h): records
 * after each side's flight, and the server's answer to the client's. */
static void count_after_flight(struct tls_state *st, enum dir d)
{
    if (!st->is_tls13 || !st->dir[d].flight_over) {
        return;
    }
    st->dir[d].after_flight++;
    if (d == DIR_S2C && st->dir[DIR_C2S].flight_over) {
        st->server_after_client_flight++;
    }
}

/* The handshake messages a decrypted record held: those it completed and the one it began or
 * continued, still being joined. */
static uint32_t record_message_types(const struct tls_state *st, enum dir d)
{
    const struct tls_dir *td = &st->dir[d];
    uint32_t types = td->message_types;
    uint8_t pending;
    if (cur_peek_u8(cur_make(td->hs_buf, td->hs_len), 0, &pending) && pending < 32) {
        types |= 1u << pending;
    }
    return types;
}

/* The inner content of a record opened with the user's keys, through the dissectors that read
 * plaintext, each line marked decrypted=true. */
static void dissect_decrypted(struct tls_state *st, enum dir d, uint8_t type, uint16_t version,
                              size_t length, const struct decrypted_record *inner,
                              const struct tls_sink *sink)
{
    struct decrypted_sink marked;
    decrypted_sink_init(&marked, sink);
    uint32_t messages_before = st->dir[d].messages;
    st->dir[d].message_types = 0;
    st->dir[d].encrypted_records++;
    count_after_flight(st, d);
    switch (inner->type) {
    case CONTENT_handshake:
        st->dir[d].reading_decrypted = true;
        hs_consume(st, d, inner->plaintext, version, &marked.sink);
        st->dir[d].reading_decrypted = false;
        break;
    case CONTENT_alert:
        flow_note(st, d, FLOW_ALERT);
        dissect_alert(st, d, inner->plaintext, &marked.sink);
        break;
    case CONTENT_application_data:
        decrypted_application_data(st, d, length, st->is_tls13 || !st->server_hello_seen, sink);
        break;
    case CONTENT_heartbeat:
        flow_note(st, d, FLOW_HEARTBEAT);
        dissect_heartbeat(d, inner->plaintext, &marked.sink);
        break;
    case CONTENT_change_cipher_spec:
        if (!st->is_tls13) {
            /* a renegotiation's, under the old keys (RFC 5246 6.1): the new ones follow */
            struct fields f;
            fields_init(&f, "change_cipher_spec", NULL);
            fields_add_bool(&f, "decrypted", true);
            st->dir[d].finished = false;
            flow_note(st, d, FLOW_CCS);
            sink->emit(sink->ctx, d, &f);
            decrypt_change_cipher_spec(st, d);
            break;
        }
        /* RFC 8446 5 never protects a ChangeCipherSpec */
        __attribute__((fallthrough));
    default: {
        struct fields f;
        fields_init(&f, "encrypted", NULL);
        fields_add_name(&f, "content_type", NAMES_CONTENT, CONTENT_application_data);
        fields_add_uint(&f, "length", length);
        fields_add_name(&f, "inner_content_type", NAMES_CONTENT, inner->type);
        fields_malformed(&f, "inner_content_type", "handshake, alert or application_data");
        fields_add_bool(&f, "decrypted", true);
        sink->emit(sink->ctx, d, &f);
        break;
    }
    }
    decrypt_check_record(st, d, type, length, inner->type, record_message_types(st, d));
    decrypt_after_record(st, d, messages_before);
}

bool rec_read_decrypted(struct tls_state *st, enum dir d, uint8_t type, uint16_t version,
                        struct cursor whole, const struct tls_sink *sink)
{
    struct decrypted_record inner;
    size_t length = cur_len(whole) - TLS_RECORD_HEADER;
    switch (decrypt_record(st, d, type, version, whole, &inner)) {
    case DECRYPT_KEYLESS:
        return false;
    case DECRYPT_FAILED:
        tls13_flush_flight(st, d, sink);
        undecryptable_record(st, d, type, length, sink);
        return true;
    case DECRYPT_OK:
        break;
    }
    tls13_flush_flight(st, d, sink);
    dissect_decrypted(st, d, type, version, length, &inner, sink);
    return true;
}
