/* DTLS records of a UDP flow (RFC 6347 4.1-4.2, RFC 9147 4-5): plaintext records read,
 * handshake fragments joined by message_seq and fragment_offset, records of a later epoch and
 * DTLS 1.3 unified-header records counted as protected. */
#include "dtls/dtls.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "dtls/dtls_decrypt.h"
#include "tls/decrypted_sink.h"
#include "tls/flow.h"
#include "tls/handshake.h"
#include "base/names.h"

void dtls_state_init(struct dtls_state *ds)
{
    memset(ds, 0, sizeof(*ds));
}

/* Frees what the message being joined holds and gives it back to the budget. */
static void forget_bytes(struct dtls_message *m)
{
    for (size_t i = 0; i < m->n_spans; i++) {
        free(m->spans[i].bytes);
    }
    free(m->spans);
    m->spans = NULL;
    m->n_spans = 0;
    m->spans_cap = 0;
    m->heap = 0;
    budget_release(m->budget, &m->entry);
}

void dtls_state_free(struct dtls_state *ds)
{
    if (ds == NULL) {
        return;
    }
    for (size_t d = 0; d < 2; d++) {
        struct dtls_message *m = &ds->dir[d].msg;
        forget_bytes(m);
        memset(m, 0, sizeof(*m));
    }
    dtls_decrypt_free(ds->decrypt);
    ds->decrypt = NULL;
}

/* RFC 6347 4.1 (ContentType as in TLS, plus RFC 9146 tls12_cid and RFC 9147 ack) and the
 * one's-complement DTLS versions (major 254). */
static bool plausible_header(uint8_t type, uint16_t version, uint16_t length)
{
    return type >= CONTENT_change_cipher_spec && type <= CONTENT_ack && (version >> 8) == 0xfe &&
           length <= TLS_RECORD_MAX;
}

/* RFC 6347 4.1: struct { ContentType type; ProtocolVersion version; uint16 epoch;
 *   uint48 sequence_number; uint16 length; opaque fragment[DTLSPlaintext.length]; } */
struct record {
    uint8_t type;
    uint16_t version;
    uint16_t epoch;
    uint64_t seq; /* the 48-bit sequence_number */
    struct cursor body;
};

static bool read_record_header(struct cursor *c, struct record *r, uint16_t *length)
{
    uint16_t seq_high;
    uint32_t seq_low;
    if (!cur_get_u8(c, &r->type) || !cur_get_u16(c, &r->version) ||
        !cur_get_u16(c, &r->epoch) || !cur_get_u16(c, &seq_high) ||
        !cur_get_u32(c, &seq_low) || !cur_get_u16(c, length)) {
        return false;
    }
    r->seq = (uint64_t)seq_high << 32 | seq_low;
    return true;
}

bool dtls_looks_like_client_hello(struct cursor datagram)
{
    struct record r;
    uint16_t length;
    uint8_t msg_type;
    if (!read_record_header(&datagram, &r, &length) || !cur_peek_u8(datagram, 0, &msg_type)) {
        return false;
    }
    /* RFC 9147 5.1: a DTLS 1.3 client's first record may still say DTLS 1.0 (0xfeff). */
    return r.type == CONTENT_handshake &&
           (r.version == VERSION_DTLSv1_0 || r.version == VERSION_DTLSv1_2) && r.epoch == 0 &&
           length <= cur_len(datagram) && msg_type == HS_client_hello;
}

static void emit(const struct tls_sink *sink, enum dir d, const struct fields *f)
{
    sink->emit(sink->ctx, d, f);
}

/* The line of a message that will not complete: truncated=where, with how much of it came. */
static void report_cut(const struct dtls_message *m, const char *where,
                       const struct tls_sink *sink, enum dir d)
{
    struct fields f;
    char name[NAMES_BUF];
    fields_init(&f, "handshake", names_format(NAMES_HS, m->type, name, sizeof(name)));
    fields_add_uint(&f, "message_seq", m->message_seq);
    fields_truncated(&f, where, m->received, m->length);
    emit(sink, d, &f);
}

/* Drops the message being joined; with report, says how much of it came. */
static void abandon_message(struct dtls_message *m, enum dir d, bool report,
                            const struct tls_sink *sink)
{
    if (report && m->active) {
        report_cut(m, "handshake", sink, d);
    }
    forget_bytes(m);
    m->active = false;
}

/* The budget took the message's memory: its line says so, and its other fragments are
 * ignored (the message cannot complete any more). */
static void drop_message(struct dtls_message *m)
{
    report_cut(m, "budget", &m->sink, m->side);
    m->dropped = true;
    m->dropped_seq = m->message_seq;
    forget_bytes(m); /* its entry is out of the budget already */
    m->active = false;
}

static void evicted(struct budget_entry *e)
{
    drop_message((struct dtls_message *)((char *)e - offsetof(struct dtls_message, entry)));
}

static void start_message(struct dtls_message *m, uint8_t type, uint32_t length, uint16_t seq,
                          uint16_t record_version)
{
    m->active = true;
    m->type = type;
    m->length = length;
    m->message_seq = seq;
    m->record_version = record_version;
    m->fragments = 0;
    m->received = 0;
}

static uint32_t span_end(const struct dtls_span *sp)
{
    return sp->start + sp->len;
}

/* Appends bytes to a span, its room doubling but never past the message's end. */
static bool span_append(struct dtls_message *m, struct dtls_span *sp, struct cursor bytes)
{
    uint32_t need = sp->len + (uint32_t)cur_len(bytes);
    if (need > sp->cap) {
        uint32_t cap = sp->cap * 2 < m->length - sp->start ? sp->cap * 2 : m->length - sp->start;
        if (cap < need) {
            cap = need;
        }
        uint8_t *grown = realloc(sp->bytes, cap);
        if (grown == NULL) {
            return false;
        }
        m->heap += budget_heap_size(cap) - budget_heap_size(sp->cap);
        sp->bytes = grown;
        sp->cap = cap;
    }
    cur_copy(bytes, sp->bytes + sp->len);
    sp->len = need;
    return true;
}

/* A new empty span at index i, starting at start. */
static bool span_insert(struct dtls_message *m, size_t i, uint32_t start)
{
    if (m->n_spans == m->spans_cap) {
        size_t cap = m->spans_cap != 0 ? m->spans_cap * 2 : 2;
        struct dtls_span *grown = realloc(m->spans, cap * sizeof(*grown));
        if (grown == NULL) {
            return false;
        }
        m->heap += budget_heap_size(cap * sizeof(*grown)) -
                   budget_heap_size(m->spans_cap * sizeof(*grown));
        m->spans = grown;
        m->spans_cap = cap;
    }
    memmove(m->spans + i + 1, m->spans + i, (m->n_spans - i) * sizeof(*m->spans));
    m->spans[i] = (struct dtls_span){start, 0, 0, NULL};
    m->n_spans++;
    return true;
}

/* Span i reached span i + 1: one span from now on. */
static bool span_merge_next(struct dtls_message *m, size_t i)
{
    struct dtls_span *next = &m->spans[i + 1];
    if (!span_append(m, &m->spans[i], cur_make(next->bytes, next->len))) {
        return false;
    }
    m->heap -= budget_heap_size(next->cap);
    free(next->bytes);
    memmove(next, next + 1, (m->n_spans - i - 2) * sizeof(*m->spans));
    m->n_spans--;
    return true;
}

/* Stores the bytes of a fragment at offset that no earlier fragment brought (RFC 6347
 * 4.2.3: fragments may overlap, repeat and come in any order). */
static bool put_fragment(struct dtls_message *m, uint32_t offset, struct cursor fragment)
{
    uint32_t pos = offset, end = offset + (uint32_t)cur_len(fragment);
    size_t i = 0;
    while (i < m->n_spans && span_end(&m->spans[i]) < offset) {
        i++;
    }
    while (pos < end) {
        struct dtls_span *sp = i < m->n_spans ? &m->spans[i] : NULL;
        if (sp != NULL && sp->start <= pos && span_end(sp) > pos) {
            pos = span_end(sp) < end ? span_end(sp) : end; /* already there */
            continue;
        }
        if (sp == NULL || sp->start > pos) {
            if (!span_insert(m, i, pos)) {
                return false;
            }
            sp = &m->spans[i];
        }
        /* sp ends at pos: the new bytes extend it up to the next span or the fragment's end */
        uint32_t stop = i + 1 < m->n_spans && m->spans[i + 1].start < end ? m->spans[i + 1].start
                                                                          : end;
        struct cursor rest = fragment;
        if (!cur_skip(&rest, pos - offset) ||
            !span_append(m, sp, cur_take_upto(&rest, stop - pos))) {
            return false;
        }
        m->received += stop - pos;
        pos = stop;
        if (i + 1 < m->n_spans && span_end(&m->spans[i]) == m->spans[i + 1].start &&
            !span_merge_next(m, i)) {
            return false;
        }
    }
    return true;
}

static void fragment_malformed(struct dtls_dir *dd, enum dir d, uint8_t type, const char *where,
                               const char *expected, const struct tls_sink *sink)
{
    struct fields f;
    char name[NAMES_BUF];
    fields_init(&f, "handshake", names_format(NAMES_HS, type, name, sizeof(name)));
    fields_malformed(&f, where, expected);
    dd->malformed++;
    emit(sink, d, &f);
}

/* One fragment: its bytes placed at fragment_offset; the message is dissected once every
 * byte of it arrived, whatever the order and overlap of the fragments. */
static void take_fragment(struct dtls_dir *dd, struct tls_state *st, enum dir d, uint8_t type,
                          uint32_t length, uint16_t seq, uint32_t offset, struct cursor fragment,
                          uint16_t record_version, const struct tls_sink *sink)
{
    struct dtls_message *m = &dd->msg;
    /* RFC 6347 4.2.4: a retransmitted flight repeats messages already taken */
    if (dd->any_message && (uint16_t)(seq - dd->next_seq) >= 0x8000) {
        dd->retransmitted++;
        return;
    }
    if (m->active && m->message_seq != seq) {
        /* a later message began: the one being joined lost a fragment for good */
        abandon_message(m, d, true, sink);
    }
    if (m->active && (m->type != type || m->length != length)) {
        fragment_malformed(dd, d, type, "fragment",
                           "the msg_type and length of the message's other fragments", sink);
        return;
    }
    if (m->dropped && m->dropped_seq == seq) {
        return;
    }
    if (!m->active) {
        start_message(m, type, length, seq, record_version);
        m->budget = st->budget;
    }
    m->fragments++;
    if (!put_fragment(m, offset, fragment)) {
        abandon_message(m, d, true, sink);
        return;
    }
    if (m->received < m->length) {
        m->sink = *sink;
        m->side = d;
        if (!budget_charge(m->budget, &m->entry, m->heap, evicted)) {
            drop_message(m);
        }
        return;
    }
    m->active = false;
    dd->any_message = true;
    dd->next_seq = (uint16_t)(seq + 1);
    budget_release(m->budget, &m->entry); /* whole: nothing may drop it while it is read */
    struct cursor body = m->n_spans == 1 ? cur_make(m->spans[0].bytes, m->length)
                                         : cur_make(NULL, 0);
    hs_dissect_message(st, d, m->type, body, m->record_version, m->fragments, sink);
    forget_bytes(m);
}

/* RFC 6347 4.2.2: struct { HandshakeType msg_type; uint24 length; uint16 message_seq;
 *   uint24 fragment_offset; uint24 fragment_length; opaque fragment[fragment_length]; }
 * (the body's bytes fragment_offset .. +fragment_length); several may share a record. */
static void handshake_record(struct dtls_dir *dd, struct tls_state *st, enum dir d,
                             const struct record *r, const struct tls_sink *sink)
{
    struct cursor body = r->body;
    while (cur_len(body) > 0) {
        uint8_t type = 0;
        uint32_t length, offset, fragment_length;
        uint16_t seq;
        struct cursor fragment;
        if (!cur_get_u8(&body, &type) || !cur_get_u24(&body, &length) ||
            !cur_get_u16(&body, &seq) || !cur_get_u24(&body, &offset) ||
            !cur_get_u24(&body, &fragment_length) ||
            !cur_get_bytes(&body, fragment_length, &fragment)) {
            fragment_malformed(dd, d, type, "fragment",
                               "12-byte fragment header and fragment_length bytes inside record",
                               sink);
            return;
        }
        if ((uint64_t)offset + fragment_length > length) {
            fragment_malformed(dd, d, type, "fragment_offset",
                               "fragment_offset + fragment_length <= length", sink);
            continue;
        }
        take_fragment(dd, st, d, type, length, seq, offset, fragment, r->version, sink);
    }
}

/* RFC 6347 4.1: epoch 0 is plaintext; every later epoch is protected by keys hsdump does not
 * have. The first protected handshake record after a side's ChangeCipherSpec is its Finished
 * (RFC 5246 7.4.9); application data is only counted, like TCP's after the handshake. */
static void protected_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                             const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    td->encrypted_records++;
    flow_note(st, d, type == CONTENT_alert ? FLOW_ALERT : FLOW_ENCRYPTED);
    if (type == CONTENT_handshake) {
        const char *inferred = NULL;
        if (td->ccs_seen && !td->finished) {
            inferred = "finished";
            td->finished = true;
        }
        rec_emit_encrypted(d, type, length, inferred, sink);
    } else if (type == CONTENT_alert) {
        rec_emit_encrypted(d, type, length, NULL, sink);
    }
}

/* RFC 5246 7.1: struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec; */
static void change_cipher_spec(struct tls_state *st, enum dir d, struct cursor body,
                               const struct tls_sink *sink)
{
    struct fields f;
    uint8_t value;
    fields_init(&f, "change_cipher_spec", NULL);
    if (!cur_get_u8(&body, &value) || value != 1 || cur_len(body) != 0) {
        fields_malformed(&f, "change_cipher_spec", "one byte of value 1");
    }
    st->dir[d].ccs_seen = true;
    st->dir[d].encrypted = true;
    flow_note(st, d, FLOW_CCS);
    emit(sink, d, &f);
}

static void plaintext_record(struct dtls_dir *dd, struct tls_state *st, enum dir d,
                             const struct record *r, const struct tls_sink *sink)
{
    switch (r->type) {
    case CONTENT_change_cipher_spec:
        change_cipher_spec(st, d, r->body, sink);
        break;
    case CONTENT_alert:
        flow_note(st, d, FLOW_ALERT);
        dissect_alert(st, d, r->body, sink);
        break;
    case CONTENT_handshake:
        handshake_record(dd, st, d, r, sink);
        break;
    default:
        /* application data, tls12_cid and ack records are protected in any epoch */
        protected_record(st, d, r->type, cur_len(r->body), sink);
        break;
    }
}

/* A sink adding decrypt=failed to each event: a record the user's keys did not open keeps the
 * line it has without keys, and says so. */
struct failed_sink {
    struct tls_sink sink;
    const struct tls_sink *inner;
};

static void emit_failed(void *ctx, enum dir d, const struct fields *f)
{
    const struct failed_sink *fs = ctx;
    static struct fields marked; /* one event at a time, as in decrypted_sink.c */
    fields_copy(&marked, f);
    fields_set_level(&marked, 0);
    fields_add_token(&marked, "decrypt", "failed");
    fs->inner->emit(fs->inner->ctx, d, &marked);
}

/* A ChangeCipherSpec of direction d in epoch: with keys, its next epoch's keys are made. */
static void ccs_keys(struct dtls_state *ds, struct tls_state *st, enum dir d, uint16_t epoch)
{
    if (st->keys != NULL && !st->dir[d].decrypt_failed) {
        dtls_decrypt_change_cipher_spec(&ds->decrypt, st, d, epoch);
    }
}

/* RFC 6347 4.2.2: the first message of each handshake has message_seq 0, a renegotiation's
 * too. A decrypted ClientHello (or HelloRequest) with message_seq 0 after this side's Finished
 * begins one: both sides count their messages from 0 again, once until this side's next
 * ChangeCipherSpec (a retransmitted one is then a retransmission again). */
static void note_rehandshake(struct dtls_state *ds, struct tls_state *st, enum dir d,
                             struct cursor plaintext)
{
    uint8_t type;
    uint16_t message_seq;
    if (!st->dir[d].finished || ds->dir[d].rehandshake || !cur_peek_u8(plaintext, 0, &type) ||
        !cur_peek_u16(plaintext, 4, &message_seq) || message_seq != 0 ||
        type != (d == DIR_C2S ? HS_client_hello : HS_hello_request)) {
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        ds->dir[i].any_message = false;
        ds->dir[i].next_seq = 0;
    }
    ds->dir[d].rehandshake = true;
}

/* The content of a record opened with the user's keys, through the dissectors of plaintext
 * records, its lines marked decrypted=true. */
static void dissect_decrypted(struct dtls_state *ds, struct tls_state *st, enum dir d,
                              const struct record *r, struct cursor plaintext,
                              const struct tls_sink *sink)
{
    struct decrypted_sink marked;
    decrypted_sink_init(&marked, sink);
    struct tls_dir *td = &st->dir[d];
    td->encrypted_records++;
    td->decrypted_records++;
    struct record inner = *r;
    inner.body = plaintext;
    uint32_t messages_before = td->messages;
    switch (r->type) {
    case CONTENT_handshake:
        note_rehandshake(ds, st, d, plaintext);
        handshake_record(&ds->dir[d], st, d, &inner, &marked.sink);
        if (td->messages != messages_before && td->last_message == HS_finished) {
            td->finished = true; /* what the keyless path infers, here read */
        }
        break;
    case CONTENT_alert:
        flow_note(st, d, FLOW_ALERT);
        dissect_alert(st, d, plaintext, &marked.sink);
        break;
    default:
        /* a renegotiation's ChangeCipherSpec, under the old keys (RFC 5246 6.1; RFC 6347
         * 4.1: the epoch moves on with each); the new Finished follows */
        change_cipher_spec(st, d, plaintext, &marked.sink);
        td->finished = false;
        ds->dir[d].rehandshake = false;
        ccs_keys(ds, st, d, r->epoch);
        break;
    }
}

/* A record of a later epoch, opened when the user's keys allow: true when it was read so or
 * failed to open (then its keyless line says decrypt=failed and d goes on keyless).
 * Application data is never opened (only counted, as without keys). */
static bool decrypted_record(struct dtls_state *ds, struct tls_state *st, enum dir d,
                             const struct record *r, const struct tls_sink *sink)
{
    if (ds->decrypt == NULL || st->dir[d].decrypt_failed ||
        (r->type != CONTENT_handshake && r->type != CONTENT_alert &&
         r->type != CONTENT_change_cipher_spec)) {
        return false;
    }
    struct cursor plaintext;
    switch (dtls_decrypt_record(ds->decrypt, st, d, r->type, r->version, r->epoch, r->seq,
                                r->body, &plaintext)) {
    case DTLS_DECRYPT_KEYLESS:
        return false;
    case DTLS_DECRYPT_FAILED: {
        struct failed_sink failed = {{emit_failed, &failed}, sink};
        st->dir[d].decrypt_failed = true;
        dtls_decrypt_drop(ds->decrypt, d);
        protected_record(st, d, r->type, cur_len(r->body), &failed.sink);
        return true;
    }
    case DTLS_DECRYPT_OK:
        break;
    }
    dissect_decrypted(ds, st, d, r, plaintext, sink);
    return true;
}

static void record_malformed(struct dtls_dir *dd, enum dir d, const char *where,
                             const char *expected, size_t at, const struct tls_sink *sink)
{
    struct fields f;
    fields_init(&f, "record", NULL);
    fields_malformed_at(&f, where, expected, at);
    dd->malformed++;
    emit(sink, d, &f);
}

/* RFC 9147 4: the unified header, 0 0 1 C S L E E, then Connection ID (when C, of a length
 * only the endpoints know), an 8- or 16-bit sequence number (S) and a 16-bit length (when L;
 * else the record fills the datagram). Its content type is inside the protection. Returns
 * false when the rest of the datagram is taken. */
static bool unified_header_record(struct tls_state *st, enum dir d, struct cursor *rest)
{
    uint8_t flags, seq8;
    uint16_t seq16, length;
    struct cursor body;
    struct cursor c = *rest;
    st->dir[d].records++;
    st->dir[d].encrypted_records++;
    flow_note(st, d, FLOW_ENCRYPTED);
    if (!cur_get_u8(&c, &flags) || (flags & 0x10) != 0 || (flags & 0x04) == 0) {
        *rest = cur_make(NULL, 0);
        return false;
    }
    bool seq_ok = (flags & 0x08) != 0 ? cur_get_u16(&c, &seq16) : cur_get_u8(&c, &seq8);
    if (!seq_ok || !cur_get_u16(&c, &length) || !cur_get_bytes(&c, length, &body)) {
        *rest = cur_make(NULL, 0);
        return false;
    }
    *rest = c;
    return true;
}

void dtls_datagram(struct dtls_state *ds, struct tls_state *st, enum dir d,
                   struct cursor datagram, const struct tls_sink *sink)
{
    struct dtls_dir *dd = &ds->dir[d];
    struct cursor rest = datagram;
    while (cur_len(rest) > 0) {
        uint8_t first;
        if (!cur_peek_u8(rest, 0, &first)) {
            return;
        }
        if ((first & 0xe0) == 0x20) {
            if (!unified_header_record(st, d, &rest)) {
                return;
            }
            continue;
        }
        struct record r;
        uint16_t length;
        struct cursor c = rest;
        size_t at = cur_offset(datagram, rest);
        if (!read_record_header(&c, &r, &length)) {
            record_malformed(dd, d, "record_header", "13-byte DTLS record header", at, sink);
            return;
        }
        if (!plausible_header(r.type, r.version, length)) {
            record_malformed(dd, d, "record_header",
                             "content type 20-26, version 254.x, length <= 18432", at, sink);
            return;
        }
        if (!cur_get_bytes(&c, length, &r.body)) {
            struct fields f;
            fields_init(&f, "record", NULL);
            fields_add_name(&f, "content_type", NAMES_CONTENT, r.type);
            fields_truncated(&f, "record", cur_len(c), length);
            dd->malformed++;
            emit(sink, d, &f);
            return;
        }
        rest = c;
        st->dir[d].records++;
        st->dir[d].record_bytes += DTLS_RECORD_HEADER + (size_t)length;
        if (r.epoch > 0) {
            if (st->keys == NULL || !decrypted_record(ds, st, d, &r, sink)) {
                protected_record(st, d, r.type, length, sink);
            }
        } else {
            plaintext_record(dd, st, d, &r, sink);
            if (r.type == CONTENT_change_cipher_spec) {
                ccs_keys(ds, st, d, r.epoch);
            }
        }
    }
}

void dtls_finish(struct dtls_state *ds, struct tls_state *st, const struct tls_sink *sink)
{
    (void)st;
    for (size_t d = 0; d < 2; d++) {
        abandon_message(&ds->dir[d].msg, (enum dir)d, true, sink);
    }
}

void dtls_describe(const struct dtls_state *ds, const struct tls_state *st, struct fields *f)
{
    fields_add_uint(f, "records_c2s", st->dir[DIR_C2S].records);
    fields_add_uint(f, "records_s2c", st->dir[DIR_S2C].records);
    fields_add_uint(f, "encrypted_c2s", st->dir[DIR_C2S].encrypted_records);
    fields_add_uint(f, "encrypted_s2c", st->dir[DIR_S2C].encrypted_records);
    const struct dtls_dir *c = &ds->dir[DIR_C2S], *s = &ds->dir[DIR_S2C];
    if (c->retransmitted != 0 || s->retransmitted != 0) {
        fields_add_uint(f, "retransmitted_c2s", c->retransmitted);
        fields_add_uint(f, "retransmitted_s2c", s->retransmitted);
    }
    if (c->malformed != 0 || s->malformed != 0) {
        fields_add_uint(f, "malformed_c2s", c->malformed);
        fields_add_uint(f, "malformed_s2c", s->malformed);
    }
}
