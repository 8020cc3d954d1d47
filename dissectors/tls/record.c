/* Record layer (RFC 5246 6.2, RFC 8446 5): framing, content types, plaintext vs encrypted. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/fields.h"
#include "tls/flow.h"
#include "tls/handshake.h"
#include "tls/hello.h"
#include "base/names.h"
#include "tls/tls.h"
#include "tls/tls13_flight.h"
#include "tls/decrypt.h"

/* RFC 5246 6.2.1 / RFC 8446 5.1: the content types a TLS (not DTLS) stream carries. */
static bool known_content_type(uint8_t type)
{
    return type >= CONTENT_change_cipher_spec && type <= CONTENT_heartbeat;
}

/* SSL 3.0 to TLS 1.3 all put major version 3 on the record (RFC 8446 5.1 legacy_record_version). */
static bool plausible_record_version(uint16_t version)
{
    return (version >> 8) == 3 && (version & 0xff) <= 4;
}

/* RFC 5246 E.2: an SSLv2-format ClientHello: msg_length with the top bit set, msg_type 1,
 * then a version of SSL 2.0 or 3.x. */
static bool looks_like_sslv2_hello(struct cursor c, bool *need_more)
{
    uint8_t len_hi, msg_type, major, minor;
    *need_more = false;
    if (!cur_peek_u8(c, 0, &len_hi) || !cur_peek_u8(c, 2, &msg_type) ||
        !cur_peek_u8(c, 3, &major) || !cur_peek_u8(c, 4, &minor)) {
        *need_more = true;
        return false;
    }
    return (len_hi & 0x80) != 0 && msg_type == 1 && (major == 3 || (major == 0 && minor == 2));
}

bool rec_looks_like_tls(struct cursor first, bool *need_more)
{
    uint8_t type;
    uint16_t version;
    bool sslv2_more;
    if (looks_like_sslv2_hello(first, &sslv2_more)) {
        *need_more = false;
        return true;
    }
    if (!cur_peek_u8(first, 0, &type) || !cur_peek_u16(first, 1, &version)) {
        *need_more = true;
        return false;
    }
    *need_more = false;
    return known_content_type(type) && plausible_record_version(version);
}

static void emit(const struct tls_sink *sink, enum dir d, const struct fields *f)
{
    sink->emit(sink->ctx, d, f);
}

void rec_encrypted_fields(struct fields *f, uint8_t type, size_t length)
{
    if (type == CONTENT_alert) {
        /* TLS 1.2 and older show the outer type: an alert whose level and description are
         * protected. */
        fields_init(f, "alert", NULL);
        fields_add_bool(f, "encrypted", true);
    } else {
        fields_init(f, "encrypted", NULL);
        fields_add_name(f, "content_type", NAMES_CONTENT, type);
    }
    fields_add_uint(f, "length", length);
}

void rec_emit_encrypted(enum dir d, uint8_t type, size_t length, const char *inferred,
                        const struct tls_sink *sink)
{
    struct fields f;
    rec_encrypted_fields(&f, type, length);
    if (inferred != NULL) {
        /* a list of one, as the close line's inferred= (one type per key, hsdump.schema.json) */
        fields_list_begin(&f, "inferred");
        fields_list_token(&f, inferred);
        fields_list_end(&f);
    }
    emit(sink, d, &f);
}

/* A protected record of TLS 1.2 or older: only its outer type and length are visible. */
static void tls12_protected_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                                   const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    const char *inferred = NULL;
    if (type == CONTENT_handshake) {
        if (td->ccs_seen && !td->finished) {
            /* RFC 5246 7.4.9: the first handshake record under new keys is Finished. */
            inferred = "finished";
            td->finished = true;
        } else if (td->finished) {
            /* A protected handshake record after Finished is a renegotiation (RFC 5746 1). */
            st->renegotiated = true;
            inferred = "renegotiation";
        }
    }
    rec_emit_encrypted(d, type, length, inferred, sink);
}

/* Early data (RFC 8446 4.2.10): protected client records sent before any ServerHello. */
static void early_data_record(struct tls_state *st, uint8_t type, size_t length,
                              const struct tls_sink *sink)
{
    const char *inferred = NULL;
    if (st->early_data_offered) {
        inferred = "early_data";
        st->early_data_records++;
    }
    rec_emit_encrypted(DIR_C2S, type, length, inferred, sink);
}

static void protected_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                             const struct tls_sink *sink)
{
    st->dir[d].encrypted_records++;
    flow_note(st, d, type == CONTENT_alert ? FLOW_ALERT : FLOW_ENCRYPTED);
    if (d == DIR_C2S && !st->server_hello_seen && st->tls13_offered &&
        type == CONTENT_application_data) {
        early_data_record(st, type, length, sink);
    } else if (st->is_tls13) {
        tls13_protected_record(st, d, type, length, sink);
    } else {
        tls12_protected_record(st, d, type, length, sink);
    }
}

/* A renegotiation's ChangeCipherSpec travels under the old keys (RFC 5246 6.1); the next
 * handshake record of this side is the new Finished. */
static void encrypted_ccs(struct tls_state *st, enum dir d, size_t length,
                          const struct tls_sink *sink)
{
    struct fields f;
    fields_init(&f, "change_cipher_spec", NULL);
    fields_add_bool(&f, "encrypted", true);
    fields_add_uint(&f, "length", length);
    st->dir[d].finished = false;
    flow_note(st, d, FLOW_CCS);
    emit(sink, d, &f);
}

/* RFC 5246 7.1: struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec; */
static void dissect_ccs(struct tls_state *st, enum dir d, struct cursor body,
                        const struct tls_sink *sink)
{
    struct fields f;
    uint8_t value;
    if (st->dir[d].encrypted && !st->is_tls13) {
        encrypted_ccs(st, d, cur_len(body), sink);
        return;
    }
    fields_init(&f, "change_cipher_spec", NULL);
    if (!cur_get_u8(&body, &value) || value != 1 || cur_len(body) != 0) {
        fields_malformed(&f, "change_cipher_spec", "one byte of value 1");
    }
    /* RFC 8446 D.4: a plaintext CCS in TLS 1.3 is only middlebox camouflage; a client offering
     * TLS 1.3 may send it straight after its ClientHello, before any ServerHello. */
    bool camouflage = st->is_tls13 ||
                      (d == DIR_C2S && !st->server_hello_seen && st->tls13_offered);
    if (camouflage) {
        fields_add_bool(&f, "middlebox_compat", true);
    } else {
        st->dir[d].encrypted = true;
        if (st->keys != NULL) {
            decrypt_change_cipher_spec(st, d);
        }
    }
    st->dir[d].ccs_seen = true;
    flow_note(st, d, FLOW_CCS);
    emit(sink, d, &f);
}

/* RFC 6520 4: struct { HeartbeatMessageType type; uint16 payload_length;
 *   opaque payload[HeartbeatMessage.payload_length]; opaque padding[padding_length]; } */
void dissect_heartbeat(enum dir d, struct cursor body, const struct tls_sink *sink)
{
    struct fields f;
    uint8_t type;
    uint16_t payload_length;
    fields_init(&f, "heartbeat", NULL);
    if (!cur_get_u8(&body, &type) || !cur_get_u16(&body, &payload_length)) {
        fields_truncated(&f, "heartbeat", cur_len(body), 3);
    } else {
        fields_add_name(&f, "type", NAMES_HEARTBEAT_MSG, type);
        fields_add_uint(&f, "payload_length", payload_length);
        /* RFC 6520 4: padding_length MUST be at least 16; a longer claimed payload than the
         * record holds is the Heartbleed over-read request. */
        if ((size_t)payload_length + 16 > cur_len(body)) {
            fields_malformed(&f, "payload_length", "payload plus 16 bytes padding inside record");
        }
    }
    emit(sink, d, &f);
}

/* RFC 8446 5.2: TLS 1.3 protects every record under the outer type application_data, so
 * other outer types stay plaintext (the middlebox ChangeCipherSpec, a plaintext alert). In
 * TLS 1.2 and older, everything after this side's ChangeCipherSpec is protected. */
static bool record_is_protected(const struct tls_state *st, enum dir d, uint8_t type)
{
    if (type == CONTENT_application_data) {
        return true;
    }
    return !st->is_tls13 && st->dir[d].encrypted;
}

static void dissect_record(struct tls_state *st, enum dir d, uint8_t type, uint16_t version,
                           struct cursor whole, struct cursor body, const struct tls_sink *sink)
{
    if (record_is_protected(st, d, type)) {
        if (st->keys != NULL && rec_read_decrypted(st, d, type, version, whole, sink)) {
            return;
        }
        if (type != CONTENT_change_cipher_spec) {
            protected_record(st, d, type, cur_len(body), sink);
            return;
        }
    }
    tls13_flush_flight(st, d, sink); /* a plaintext record ends what this side held */
    if (st->decrypt != NULL) {
        decrypt_check_plaintext(st, d);
    }
    switch (type) {
    case CONTENT_change_cipher_spec:
        dissect_ccs(st, d, body, sink);
        break;
    case CONTENT_alert:
        flow_note(st, d, FLOW_ALERT);
        dissect_alert(st, d, body, sink);
        break;
    case CONTENT_handshake:
        hs_consume(st, d, body, version, sink);
        break;
    case CONTENT_heartbeat:
        flow_note(st, d, FLOW_HEARTBEAT);
        dissect_heartbeat(d, body, sink);
        break;
    default:
        break; /* rejected by the header check */
    }
}

static void report_desync(struct tls_dir *td, enum dir d, struct cursor header,
                          const struct tls_sink *sink)
{
    struct fields f;
    uint8_t type = 0;
    uint16_t version = 0, length = 0;
    fields_init(&f, "desync", NULL);
    if (cur_get_u8(&header, &type) && cur_get_u16(&header, &version) &&
        cur_get_u16(&header, &length)) {
        fields_add_name(&f, "content_type", NAMES_CONTENT, type);
        fields_add_name(&f, "record_version", NAMES_VERSION, version);
        fields_add_uint(&f, "length", length);
    }
    fields_malformed_at(&f, "record_header", "content type 20-24, version 3.x, length <= 18432",
                        td->consumed);
    td->desync = true;
    emit(sink, d, &f);
}

/* RFC 5246 E.2: the SSLv2 record header is 2 bytes; its body is the whole ClientHello. */
static bool consume_sslv2_hello(struct tls_state *st, struct cursor *rest,
                                const struct tls_sink *sink)
{
    struct cursor probe = *rest;
    uint16_t header;
    struct cursor body;
    if (!cur_get_u16(&probe, &header) || !cur_get_bytes(&probe, header & 0x7fff, &body)) {
        return false;
    }
    struct tls_dir *td = &st->dir[DIR_C2S];
    td->started = true;
    td->records++;
    td->record_bytes += 2 + cur_len(body);
    td->consumed += 2 + cur_len(body);
    *rest = probe;
    struct fields f;
    fields_init(&f, "handshake", "client_hello");
    flow_note(st, DIR_C2S, HS_client_hello);
    dissect_sslv2_client_hello(body, st, &f);
    emit(sink, DIR_C2S, &f);
    return true;
}

static bool plausible_header(uint8_t type, uint16_t version, uint16_t length)
{
    return known_content_type(type) && plausible_record_version(version) &&
           length <= TLS_RECORD_MAX;
}

/* One record header read while skimming: application data is only counted; the other types
 * (a renegotiation's handshake and ChangeCipherSpec, alerts) are all protected by now. */
static void skim_record(struct tls_state *st, enum dir d, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    struct cursor header = cur_make(td->skim_header, TLS_RECORD_HEADER);
    struct cursor probe = header;
    uint8_t type = 0;
    uint16_t version = 0, length = 0;
    td->skim_header_len = 0;
    if (!cur_get_u8(&probe, &type) || !cur_get_u16(&probe, &version) ||
        !cur_get_u16(&probe, &length) || !plausible_header(type, version, length)) {
        report_desync(td, d, header, sink);
        return;
    }
    td->records++;
    td->record_bytes += TLS_RECORD_HEADER + (size_t)length;
    td->consumed += TLS_RECORD_HEADER;
    td->skim_left = length;
    if (type == CONTENT_application_data) {
        st->dir[d].encrypted_records++;
    } else if (type == CONTENT_change_cipher_spec) {
        encrypted_ccs(st, d, length, sink);
    } else {
        protected_record(st, d, type, length, sink);
    }
}

static size_t skim(struct tls_state *st, enum dir d, struct cursor data,
                   const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    size_t total = cur_len(data);
    while (cur_len(data) > 0 && !td->desync) {
        if (td->skim_left > 0) {
            struct cursor body = cur_take_upto(&data, td->skim_left);
            td->skim_left -= cur_len(body);
            td->consumed += cur_len(body);
            continue;
        }
        struct cursor part = cur_take_upto(&data, TLS_RECORD_HEADER - td->skim_header_len);
        cur_copy(part, td->skim_header + td->skim_header_len);
        td->skim_header_len += cur_len(part);
        if (td->skim_header_len == TLS_RECORD_HEADER) {
            skim_record(st, d, sink);
        }
    }
    if (td->desync) {
        td->consumed += cur_len(data);
    }
    return total;
}

enum step {
    STEP_RECORD,  /* a whole record was read */
    STEP_PARTIAL, /* the record at the front has not all come */
    STEP_DESYNC,  /* an implausible header: the direction is counted from here on */
    STEP_SKIM,    /* the handshake is over: only record headers are read from here on */
};

/* Reads the whole record at the front of *rest, if it is all there. */
static enum step one_record(struct tls_state *st, enum dir d, struct cursor *rest,
                            const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    struct cursor probe = *rest;
    uint8_t type;
    uint16_t version, length;
    struct cursor body;
    if (!cur_get_u8(&probe, &type) || !cur_get_u16(&probe, &version) ||
        !cur_get_u16(&probe, &length)) {
        return STEP_PARTIAL;
    }
    if (!plausible_header(type, version, length)) {
        report_desync(td, d, *rest, sink);
        td->consumed += cur_len(*rest);
        *rest = cur_make(NULL, 0);
        return STEP_DESYNC;
    }
    if (!cur_get_bytes(&probe, length, &body)) {
        return STEP_PARTIAL;
    }
    struct cursor whole = cur_take_upto(rest, TLS_RECORD_HEADER + (size_t)length);
    *rest = probe;
    tls13_flush_flight(st, d == DIR_C2S ? DIR_S2C : DIR_C2S, sink);
    td->started = true;
    td->records++;
    td->record_bytes += TLS_RECORD_HEADER + (size_t)length;
    td->consumed += TLS_RECORD_HEADER + (size_t)length;
    dissect_record(st, d, type, version, whole, body, sink);
    if (!st->is_tls13 && st->dir[DIR_C2S].finished && st->dir[DIR_S2C].finished &&
        (st->keys == NULL || !decrypt_active(st))) {
        st->skimming = true;
        return STEP_SKIM;
    }
    return STEP_RECORD;
}

/* The smallest buffer for a record held in part. */
#define REC_HELD_MIN 64

static void forget_held(struct tls_state *st, struct tls_dir *td)
{
    budget_release(st->budget, &td->rec_entry);
    free(td->rec_buf);
    td->rec_buf = NULL;
    td->rec_len = 0;
    td->rec_cap = 0;
}

void rec_forget_held(struct tls_state *st)
{
    forget_held(st, &st->dir[DIR_C2S]);
    forget_held(st, &st->dir[DIR_S2C]);
}

/* The length the held record's header gives, or 0 before the header is in. */
static size_t held_record_end(const struct tls_dir *td)
{
    uint16_t length;
    if (!cur_peek_u16(cur_make(td->rec_buf, td->rec_len), 3, &length)) {
        return 0;
    }
    return TLS_RECORD_HEADER + (size_t)length;
}

/* The budget took the held record's memory: the direction is given up, its line says so. */
static void abandon_direction(struct tls_dir *td)
{
    struct cursor held = cur_make(td->rec_buf, td->rec_len);
    uint8_t type = 0;
    uint16_t length = 0;
    struct fields f;
    fields_init(&f, "record", NULL);
    if (cur_peek_u8(held, 0, &type) && cur_peek_u16(held, 3, &length)) {
        fields_add_name(&f, "content_type", NAMES_CONTENT, type);
        fields_add_uint(&f, "length", length);
    }
    fields_truncated(&f, "budget", td->rec_len, TLS_RECORD_HEADER + (size_t)length);
    fields_add_uint(&f, "at", td->consumed);
    td->abandoned = true;
    td->consumed += td->rec_len;
    free(td->rec_buf); /* its entry is out of the budget already */
    td->rec_buf = NULL;
    td->rec_len = 0;
    td->rec_cap = 0;
    emit(&td->budget_sink, td->side, &f);
}

static void held_evicted(struct budget_entry *e)
{
    abandon_direction((struct tls_dir *)((char *)e - offsetof(struct tls_dir, rec_entry)));
}

/* Adds bytes to the held record: first exactly the bytes that came, then room for twice the
 * bytes held (so never more than twice what came, and a record of n segments moved about
 * log2(n) times), never past the record's own end. */
static bool hold_more(struct tls_dir *td, struct cursor bytes)
{
    size_t need = td->rec_len + cur_len(bytes);
    if (need > td->rec_cap) {
        size_t cap = td->rec_cap == 0 ? need : need * 2;
        if (cap < REC_HELD_MIN) {
            cap = REC_HELD_MIN;
        }
        size_t end = held_record_end(td);
        if (end != 0 && cap > end) {
            cap = end;
        }
        if (cap < need) {
            cap = need;
        }
        uint8_t *grown = realloc(td->rec_buf, cap);
        if (grown == NULL) {
            return false;
        }
        td->rec_buf = grown;
        td->rec_cap = (uint32_t)cap; /* a record is at most 5 + 18432 bytes (plausible_header) */
    }
    cur_copy(bytes, td->rec_buf + td->rec_len);
    td->rec_len = (uint32_t)need;
    return true;
}

/* Charges the held record once its header is in; false when the budget gave it up. */
static bool charge_held(struct tls_state *st, enum dir d, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    if (td->rec_len < TLS_RECORD_HEADER) {
        return true; /* a few bytes of a header, not charged (see the man page's bound) */
    }
    td->budget_sink = *sink;
    td->side = d;
    if (budget_charge(st->budget, &td->rec_entry, budget_heap_size(td->rec_cap), held_evicted)) {
        return true;
    }
    abandon_direction(td);
    return false;
}

/* Completes the held record from the front of *data and reads it once whole. */
static enum step continue_held(struct tls_state *st, enum dir d, struct cursor *data,
                               const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    for (;;) {
        size_t end = held_record_end(td);
        uint8_t type = 0;
        uint16_t version = 0;
        bool plausible = end == 0 || (cur_peek_u8(cur_make(td->rec_buf, td->rec_len), 0, &type) &&
                                      cur_peek_u16(cur_make(td->rec_buf, td->rec_len), 1,
                                                   &version) &&
                                      plausible_header(type, version,
                                                       (uint16_t)(end - TLS_RECORD_HEADER)));
        size_t want = end == 0 ? TLS_RECORD_HEADER - td->rec_len
                               : plausible ? end - td->rec_len : 0;
        if (want == 0) {
            break;
        }
        if (cur_len(*data) == 0) {
            return charge_held(st, d, sink) ? STEP_PARTIAL : STEP_DESYNC;
        }
        if (!hold_more(td, cur_take_upto(data, want))) {
            forget_held(st, td);
            td->abandoned = true; /* out of memory: its place in the stream is lost */
            return STEP_DESYNC;
        }
    }
    /* whole: out of the budget before reading it, so no eviction can free it meanwhile */
    budget_release(st->budget, &td->rec_entry);
    struct cursor held = cur_make(td->rec_buf, td->rec_len);
    enum step step = one_record(st, d, &held, sink);
    forget_held(st, td);
    return step;
}

/* Keeps the start of a record that has not all come. */
static void hold(struct tls_state *st, enum dir d, struct cursor rest, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    if (cur_len(rest) == 0) {
        return;
    }
    if (!hold_more(td, rest)) {
        forget_held(st, td);
        return;
    }
    (void)charge_held(st, d, sink);
}

size_t rec_consume(struct tls_state *st, enum dir d, struct cursor data,
                   const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    struct cursor rest = data;
    bool need_more;
    if (td->desync || td->abandoned) {
        td->consumed += cur_len(data);
        return cur_len(data);
    }
    if (st->skimming) {
        if (td->rec_len > 0) {
            /* begun before the other side's Finished started the skimming */
            (void)skim(st, d, cur_make(td->rec_buf, td->rec_len), sink);
            forget_held(st, td);
        }
        return skim(st, d, data, sink);
    }
    enum step step = STEP_RECORD;
    if (td->rec_len > 0) {
        step = continue_held(st, d, &rest, sink);
    } else if (d == DIR_C2S && td->records == 0 && looks_like_sslv2_hello(rest, &need_more)) {
        consume_sslv2_hello(st, &rest, sink);
    }
    while (step == STEP_RECORD) {
        step = one_record(st, d, &rest, sink);
    }
    switch (step) {
    case STEP_PARTIAL:
        hold(st, d, rest, sink);
        break;
    case STEP_SKIM:
        (void)skim(st, d, rest, sink);
        break;
    default:
        td->consumed += cur_len(rest); /* given up: counted, not parsed */
        break;
    }
    return cur_len(data);
}

void rec_finish(struct tls_state *st, enum dir d, struct cursor rest, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    if (td->rec_len > 0) {
        rest = cur_make(td->rec_buf, td->rec_len); /* all else was consumed */
    }
    if (td->abandoned) {
        rest = cur_make(NULL, 0); /* its line was printed when it was given up */
    }
    if (!td->desync && (td->skim_left > 0 || td->skim_header_len > 0)) {
        struct fields f;
        fields_init(&f, "record", NULL);
        fields_add_token(&f, "truncated", "record");
        fields_add_uint(&f, "at", td->consumed);
        emit(sink, d, &f);
    }
    if (!td->desync && cur_len(rest) > 0) {
        struct fields f;
        uint16_t length = 0;
        size_t need = TLS_RECORD_HEADER;
        if (cur_peek_u16(rest, 3, &length)) {
            need += length;
        }
        fields_init(&f, "record", NULL);
        fields_truncated(&f, "record", cur_len(rest), need);
        fields_add_uint(&f, "at", td->consumed);
        emit(sink, d, &f);
    }
    tls13_flush_flight(st, d, sink);
    hs_finish(st, d, sink);
    forget_held(st, td);
}
