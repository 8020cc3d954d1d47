/* QUIC packets of a UDP flow (RFC 9000 12.2, 17; RFC 9001 5; RFC 9369 3): coalesced packets
 * split, Initial packets unprotected and their frames read (RFC 9000 19), CRYPTO data joined by
 * offset and handed to the handshake layer. Handshake packets are read likewise when the user's
 * key log holds the connection's handshake traffic secrets, and counted otherwise; 0-RTT and
 * 1-RTT packets are counted. */
#include "quic/quic.h"

#include <inttypes.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/fields.h"
#include "crypto/keylog.h"
#include "tls/flow.h"
#include "tls/handshake.h"
#include "base/names.h"

#define HS_HEADER 4 /* RFC 8446 4: msg_type u8, length u24 */

enum packet_type { PACKET_INITIAL, PACKET_ZERO_RTT, PACKET_HANDSHAKE, PACKET_RETRY };

/* RFC 9000 17.2 (Table 5) and RFC 9369 3.2: what the two Long Packet Type bits mean. */
static enum packet_type long_packet_type(uint32_t version, uint8_t first)
{
    static const enum packet_type v1[4] = {PACKET_INITIAL, PACKET_ZERO_RTT, PACKET_HANDSHAKE,
                                           PACKET_RETRY};
    static const enum packet_type v2[4] = {PACKET_RETRY, PACKET_INITIAL, PACKET_ZERO_RTT,
                                           PACKET_HANDSHAKE};
    unsigned bits = (first >> 4) & 3u;
    return version == QUIC_VERSION_2 ? v2[bits] : v1[bits];
}

static const char *packet_type_name(enum packet_type t)
{
    switch (t) {
    case PACKET_INITIAL:
        return "initial";
    case PACKET_ZERO_RTT:
        return "0rtt";
    case PACKET_HANDSHAKE:
        return "handshake";
    case PACKET_RETRY:
        return "retry";
    default:
        return "unknown";
    }
}

void quic_state_init(struct quic_state *q)
{
    memset(q, 0, sizeof(*q));
}

/* Frees the bytes held of a CRYPTO stream and gives them back to the budget. */
static void forget_held(struct quic_crypto *c)
{
    free(c->buf);
    free(c->have);
    c->buf = NULL;
    c->have = NULL;
    c->cap = 0;
    budget_release(c->budget, &c->entry);
}

void quic_state_free(struct quic_state *q)
{
    if (q == NULL) {
        return;
    }
    for (size_t d = 0; d < 2; d++) {
        struct quic_crypto *c = &q->dir[d].crypto;
        forget_held(c);
        memset(c, 0, sizeof(*c));
    }
    struct quic_handshake_space *hs = q->handshake;
    if (hs != NULL) {
        for (size_t d = 0; d < 2; d++) {
            forget_held(&hs->crypto[d]);
        }
        OPENSSL_cleanse(hs, sizeof(*hs)); /* the keys, and what the streams held */
        free(hs);
        q->handshake = NULL;
    }
}

/* The parts of a long header packet (RFC 9000 17.2) the dissector uses. */
struct long_header {
    uint8_t first;
    uint32_t version;
    enum packet_type type;
    struct cursor dcid;
    struct cursor scid;
    size_t pn_offset;     /* bytes before the Packet Number field */
    struct cursor packet; /* the whole packet, header to the end of its payload */
};

/* RFC 9000 17.2: Long Header Packet { Header Form (1) = 1, Fixed Bit (1) = 1,
 *   Long Packet Type (2), Type-Specific Bits (4), Version (32),
 *   Destination Connection ID Length (8), Destination Connection ID (0..160),
 *   Source Connection ID Length (8), Source Connection ID (0..160), Type-Specific Payload (..) }
 * Reads the fields up to the connection IDs; false when they are not all there. */
static bool read_long_prefix(struct cursor *c, struct long_header *h)
{
    return cur_get_u8(c, &h->first) && cur_get_u32(c, &h->version) && cur_get_vec8(c, &h->dcid) &&
           cur_get_vec8(c, &h->scid);
}

bool quic_looks_like_client_initial(struct cursor datagram)
{
    struct long_header h;
    struct cursor c = datagram;
    if (cur_len(datagram) < QUIC_CLIENT_INITIAL_MIN || !read_long_prefix(&c, &h)) {
        return false;
    }
    /* RFC 9000 7.2: the client's first Destination Connection ID is at least 8 bytes. */
    return (h.first & 0xc0) == 0xc0 && quic_version_known(h.version) &&
           long_packet_type(h.version, h.first) == PACKET_INITIAL && cur_len(h.dcid) >= 8 &&
           cur_len(h.dcid) <= QUIC_CID_MAX && cur_len(h.scid) <= QUIC_CID_MAX;
}

uint32_t quic_datagram_version(struct cursor datagram)
{
    struct long_header h;
    if (!read_long_prefix(&datagram, &h) || (h.first & 0x80) == 0) {
        return 0;
    }
    return h.version;
}

/* A line about one packet whose grammar broke: the rest of its datagram is not read. */
static void report_packet(enum dir d, const char *type, const struct tls_sink *sink,
                          const char *where, const char *expected, size_t have, size_t need)
{
    struct fields f;
    fields_init(&f, "packet", NULL);
    fields_add_token(&f, "packet_type", type);
    if (expected != NULL) {
        fields_malformed(&f, where, expected);
    } else {
        fields_truncated(&f, where, have, need);
    }
    sink->emit(sink->ctx, d, &f);
}

/* RFC 9000 A.3: the full packet number nearest to the next expected one of its space. */
static uint64_t decode_packet_number(bool has_pn, uint64_t largest_pn, uint64_t truncated,
                                     unsigned bits)
{
    uint64_t expected = has_pn ? largest_pn + 1 : 0;
    uint64_t win = (uint64_t)1 << bits;
    uint64_t hwin = win / 2;
    uint64_t candidate = (expected & ~(win - 1)) | truncated;
    if (candidate + hwin <= expected && candidate < ((uint64_t)1 << 62) - win) {
        return candidate + win;
    }
    if (candidate > expected + hwin && candidate >= win) {
        return candidate - win;
    }
    return candidate;
}

/* Both directions' Initial keys for a packet of this version (a server may answer v1 with v2,
 * RFC 9369 4.1: the keys then come from the same connection ID under v2's salt and labels). */
static bool ensure_keys(struct quic_state *q, uint32_t version)
{
    struct quic_dir *c = &q->dir[DIR_C2S], *s = &q->dir[DIR_S2C];
    if (!q->have_dcid) {
        return false;
    }
    if (c->has_keys && c->keys_version == version) {
        return true;
    }
    c->has_keys = s->has_keys = false;
    if (!quic_initial_keys(version, cur_make(q->dcid, q->dcid_len), &c->keys, &s->keys)) {
        return false;
    }
    c->has_keys = s->has_keys = true;
    c->keys_version = s->keys_version = version;
    return true;
}

/* Grows a direction's CRYPTO buffer (and its bitmap) to hold offsets [base, base + need). */
static bool crypto_reserve(struct quic_crypto *c, size_t need)
{
    if (need <= c->cap) {
        return true;
    }
    size_t cap = c->cap != 0 ? c->cap : 4096;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > QUIC_CRYPTO_MAX) {
        cap = QUIC_CRYPTO_MAX;
    }
    uint8_t *buf = realloc(c->buf, cap);
    if (buf == NULL) {
        return false;
    }
    c->buf = buf;
    uint8_t *have = realloc(c->have, cap / 8);
    if (have == NULL) {
        return false;
    }
    memset(have + c->cap / 8, 0, (cap - c->cap) / 8);
    c->have = have;
    c->cap = cap;
    return true;
}

static bool crypto_has(const struct quic_crypto *c, size_t offset)
{
    size_t i = offset - c->base;
    return (c->have[i / 8] & (1u << (i % 8))) != 0;
}

/* The bytes that arrived without a hole and are not dissected yet. */
static struct cursor crypto_pending(const struct quic_crypto *c)
{
    if (c->buf == NULL) {
        return cur_make(NULL, 0);
    }
    return cur_make(c->buf + (c->parsed - c->base), c->contiguous - c->parsed);
}

/* Dissects every whole handshake message at the front of what arrived without a hole. */
static void crypto_dissect(struct quic_crypto *c, struct tls_state *st, enum dir d,
                           const struct tls_sink *sink)
{
    for (;;) {
        struct cursor avail = crypto_pending(c);
        uint8_t type;
        uint32_t length;
        struct cursor body;
        if (!cur_get_u8(&avail, &type) || !cur_get_u24(&avail, &length) ||
            !cur_get_bytes(&avail, length, &body)) {
            return;
        }
        c->parsed += HS_HEADER + (size_t)length;
        hs_dissect_message(st, d, type, body, 0, 1, sink);
    }
}

/* The line of the message still incomplete in a CRYPTO stream: truncated=where. */
static void report_pending(const struct quic_crypto *c, enum dir d, const char *where,
                           const struct tls_sink *sink)
{
    struct cursor pending = crypto_pending(c);
    uint8_t type = 0;
    uint32_t length = 0;
    char name[NAMES_BUF];
    bool have_header = cur_get_u8(&pending, &type) && cur_get_u24(&pending, &length);
    struct fields f;
    fields_init(&f, "handshake",
                have_header ? names_format(NAMES_HS, type, name, sizeof(name)) : "unknown");
    fields_truncated(&f, where, c->contiguous - c->parsed,
                     have_header ? HS_HEADER + (size_t)length : HS_HEADER);
    sink->emit(sink->ctx, d, &f);
}

/* The budget took what the stream held: its line says so, later frames are ignored. */
static void drop_held(struct quic_crypto *c)
{
    report_pending(c, c->side, "budget", &c->sink);
    c->dropped = true;
    forget_held(c); /* its entry is out of the budget already: releasing it changes nothing */
}

static void evicted(struct budget_entry *e)
{
    drop_held((struct quic_crypto *)((char *)e - offsetof(struct quic_crypto, entry)));
}

/* RFC 9000 19.6: CRYPTO Frame { Type (i) = 0x06, Offset (i), Length (i), Crypto Data (..) }
 * The data is placed at its offset; frames may repeat, overlap or come in any order. */
static void crypto_frame(struct quic_crypto *c, struct tls_state *st, enum dir d, uint64_t offset,
                         struct cursor data, const struct tls_sink *sink)
{
    if (cur_len(data) == 0 || c->dropped) {
        return;
    }
    if (offset >= QUIC_CRYPTO_MAX) {
        c->overflow = true;
        return;
    }
    struct cursor kept = cur_take_upto(&data, QUIC_CRYPTO_MAX - (size_t)offset);
    if (cur_len(data) > 0) {
        c->overflow = true;
    }
    size_t start = (size_t)offset, end = start + cur_len(kept);
    if (end <= c->parsed) {
        return; /* dissected already: a retransmission */
    }
    if (start < c->parsed) {
        (void)cur_take_upto(&kept, c->parsed - start);
        start = c->parsed;
    }
    if (!crypto_reserve(c, end - c->base)) {
        c->overflow = true;
        return;
    }
    cur_copy(kept, c->buf + (start - c->base));
    for (size_t i = start - c->base; i < end - c->base; i++) {
        c->have[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    if (end > c->highest) {
        c->highest = end;
    }
    while (c->contiguous < c->base + c->cap && crypto_has(c, c->contiguous)) {
        c->contiguous++;
    }
    crypto_dissect(c, st, d, sink);
    c->budget = st->budget;
    if (c->parsed == c->highest) {
        /* nothing left to join: the next frame starts a buffer at the stream's offset */
        forget_held(c);
        c->base = c->parsed;
        return;
    }
    c->sink = *sink;
    c->side = d;
    size_t held = budget_heap_size(c->cap) + budget_heap_size(c->cap / 8);
    if (!budget_charge(c->budget, &c->entry, held, evicted)) {
        drop_held(c);
    }
}

/* RFC 9000 19.3: ACK Frame { Type (i) = 0x02..0x03, Largest Acknowledged (i), ACK Delay (i),
 *   ACK Range Count (i), First ACK Range (i), ACK Range (..) ..., [ECN Counts (..)] }
 * with ACK Range { Gap (i), ACK Range Length (i) } and ECN Counts of three varints. */
static bool skip_ack(struct cursor *frames, uint64_t type)
{
    uint64_t v, count;
    if (!cur_get_varint(frames, &v) || !cur_get_varint(frames, &v) ||
        !cur_get_varint(frames, &count) || !cur_get_varint(frames, &v)) {
        return false;
    }
    /* each range takes at least two bytes, so a bogus count ends with the bytes */
    for (uint64_t i = 0; i < count; i++) {
        if (!cur_get_varint(frames, &v) || !cur_get_varint(frames, &v)) {
            return false;
        }
    }
    if (type == 0x03) {
        return cur_get_varint(frames, &v) && cur_get_varint(frames, &v) &&
               cur_get_varint(frames, &v);
    }
    return true;
}

/* RFC 9000 19.19: CONNECTION_CLOSE Frame { Type (i) = 0x1c..0x1d, Error Code (i),
 *   [Frame Type (i)], Reason Phrase Length (i), Reason Phrase (..) }
 * In an Initial packet only 0x1c may appear (RFC 9000 12.4); 0x1d is reported as seen. */
static bool connection_close(struct quic_state *q, struct tls_state *st, enum dir d,
                             struct cursor *frames, uint64_t type, const struct tls_sink *sink)
{
    uint64_t error, frame_type = 0, reason_len;
    struct cursor reason;
    if (!cur_get_varint(frames, &error) || (type == 0x1c && !cur_get_varint(frames, &frame_type)) ||
        !cur_get_varint(frames, &reason_len) || reason_len > cur_len(*frames) ||
        !cur_get_bytes(frames, (size_t)reason_len, &reason)) {
        return false;
    }
    struct fields f;
    char hex[24];
    fields_init(&f, "connection_close", NULL);
    snprintf(hex, sizeof(hex), "0x%" PRIx64, error);
    fields_add_token(&f, "error_code", hex);
    if (type == 0x1d) {
        fields_add_bool(&f, "application", true);
    } else if (error >= 0x100 && error <= 0x1ff) {
        /* RFC 9001 4.8: CRYPTO_ERROR 0x100 + the TLS alert the handshake ended with */
        uint8_t alert = (uint8_t)(error - 0x100);
        fields_add_name(&f, "alert", NAMES_ALERT, alert);
        if (!st->fatal_alert_seen) {
            st->fatal_alert_seen = true;
            st->fatal_alert = alert;
            st->fatal_alert_from = d;
        }
    }
    if (type == 0x1c) {
        fields_add_uint(&f, "frame_type", frame_type);
    }
    if (cur_len(reason) > 0) {
        fields_add_string(&f, "reason", reason);
    }
    q->closed = true;
    sink->emit(sink->ctx, d, &f);
    return true;
}

/* RFC 9000 12.4, Table 3: Initial and Handshake packets carry PADDING, PING, ACK, CRYPTO and
 * CONNECTION_CLOSE frames; any other type ends the reading of the packet. CRYPTO data goes to
 * stream, the one of the packet's encryption level. */
static void read_frames(struct quic_state *q, struct tls_state *st, enum dir d,
                        const char *type_name, struct quic_crypto *stream, struct cursor frames,
                        const struct tls_sink *sink)
{
    struct quic_dir *qd = &q->dir[d];
    while (cur_len(frames) > 0) {
        struct cursor start = frames;
        uint64_t type, offset, length;
        struct cursor data;
        bool ok;
        if (!cur_get_varint(&frames, &type)) {
            break;
        }
        switch (type) {
        case 0x00: /* PADDING */
        case 0x01: /* PING */
            ok = true;
            break;
        case 0x02:
        case 0x03:
            ok = skip_ack(&frames, type);
            break;
        case 0x06:
            ok = cur_get_varint(&frames, &offset) && cur_get_varint(&frames, &length) &&
                 length <= cur_len(frames) && cur_get_bytes(&frames, (size_t)length, &data);
            if (ok) {
                qd->crypto_frames++;
                crypto_frame(stream, st, d, offset, data, sink);
            }
            break;
        case 0x1c:
        case 0x1d:
            ok = connection_close(q, st, d, &frames, type, sink);
            break;
        default:
            qd->malformed++;
            report_packet(d, type_name, sink, "frame",
                          "PADDING, PING, ACK, CRYPTO or CONNECTION_CLOSE frame", 0, 0);
            return;
        }
        if (!ok) {
            qd->malformed++;
            report_packet(d, type_name, sink, "frame", "whole frame inside packet payload", 0,
                          cur_offset(start, frames));
            return;
        }
    }
}

/* The largest packet number opened in one packet number space (RFC 9000 12.3). */
struct pn_space {
    bool *has_pn;
    uint64_t *largest_pn;
};

/* RFC 9001 5.4.1-5.4.2: header protection removed (first byte's low 4 bits, packet number)
 * with the mask from the 16 bytes 4 past the Packet Number field's start; then 5.3: the
 * payload opened. work holds the whole packet and is rewritten in place; *payload gets the
 * plaintext frames. */
static bool open_packet(const struct quic_keys *keys, struct pn_space space,
                        const struct long_header *h, uint8_t *work, struct cursor *payload)
{
    size_t len = cur_len(h->packet);
    cur_copy(h->packet, work);
    struct cursor w = cur_make(work, len);
    struct cursor after = w, sample;
    uint8_t mask[QUIC_MASK_LEN];
    if (!cur_skip(&after, h->pn_offset + 4) || !cur_get_bytes(&after, QUIC_SAMPLE_LEN, &sample) ||
        !quic_header_mask(keys, sample, mask)) {
        return false;
    }
    work[0] ^= mask[0] & 0x0f;
    size_t pn_len = (size_t)(work[0] & 0x03) + 1;
    uint64_t truncated = 0;
    for (size_t i = 0; i < pn_len; i++) {
        work[h->pn_offset + i] ^= mask[1 + i];
        uint8_t byte = 0;
        if (!cur_peek_u8(w, h->pn_offset + i, &byte)) {
            return false;
        }
        truncated = (truncated << 8) | byte;
    }
    uint64_t pn = decode_packet_number(*space.has_pn, *space.largest_pn, truncated,
                                       (unsigned)(8 * pn_len));
    struct cursor rest = w;
    struct cursor header = cur_take_upto(&rest, h->pn_offset + pn_len);
    if (cur_len(rest) < QUIC_TAG_LEN) {
        return false;
    }
    uint8_t *plain = work + cur_len(header);
    if (!quic_open_payload(keys, pn, header, rest, plain)) {
        return false;
    }
    if (!*space.has_pn || pn > *space.largest_pn) {
        *space.largest_pn = pn;
        *space.has_pn = true;
    }
    *payload = cur_make(plain, cur_len(rest) - QUIC_TAG_LEN);
    return true;
}

static void initial_packet(struct quic_state *q, struct tls_state *st, enum dir d,
                           const struct long_header *h, const struct tls_sink *sink)
{
    struct quic_dir *qd = &q->dir[d];
    /* The keys come from the Destination Connection ID of the client's first Initial, or of
     * its first one after a Retry (RFC 9001 5.2; RFC 9000 17.2.5.2). */
    if (d == DIR_C2S && !q->have_dcid && cur_len(h->dcid) <= QUIC_CID_MAX) {
        cur_copy(h->dcid, q->dcid);
        q->dcid_len = cur_len(h->dcid);
        q->have_dcid = true;
        q->dir[DIR_C2S].has_keys = q->dir[DIR_S2C].has_keys = false;
        if (q->version == 0) {
            q->version = h->version;
        }
    }
    uint8_t work[QUIC_DATAGRAM_MAX];
    struct cursor payload;
    struct pn_space space = {&qd->has_pn, &qd->largest_pn};
    if (cur_len(h->packet) > sizeof(work) || !ensure_keys(q, h->version) ||
        !open_packet(&qd->keys, space, h, work, &payload)) {
        qd->undecryptable++;
        return;
    }
    qd->initial++;
    read_frames(q, st, d, "initial", &qd->crypto, payload, sink);
}

/* The Handshake space of a connection with keys, made once the ServerHello chose the suite
 * whose hash and AEAD the keys need (RFC 9001 5.1, 5.3); NULL before, or out of memory. */
static struct quic_handshake_space *handshake_space(struct quic_state *q,
                                                    const struct tls_state *st)
{
    if (q->handshake == NULL && st->randoms_known && st->server_hello_seen && st->is_tls13 &&
        quic_suite_supported(st->cipher_suite)) {
        q->handshake = calloc(1, sizeof(*q->handshake));
    }
    return q->handshake;
}

/* The keys of the key log's handshake traffic secrets (RFC 9001 5.1), by the ClientHello's
 * random, for the directions that have none yet; the table is searched again only once it
 * changed (secrets may arrive while hsdump runs). */
static void find_handshake_keys(struct quic_handshake_space *hs, uint32_t version,
                                const struct tls_state *st)
{
    static const enum keylog_label labels[2] = {KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
                                                KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET};
    for (size_t d = 0; d < 2; d++) {
        uint8_t secret[KEYLOG_SECRET_MAX];
        size_t len = 0;
        if (!hs->has_keys[d] &&
            keylog_lookup(&hs->lookup, st->keys, st->client_random, labels[d], secret, &len)) {
            hs->has_keys[d] =
                quic_suite_keys(version, st->cipher_suite, secret, len, &hs->keys[d]);
        }
        OPENSSL_cleanse(secret, sizeof(secret));
    }
}

/* RFC 9000 17.2.4: a Handshake packet opened with the key log's keys; its frames are read as
 * an Initial's are, into the Handshake level's CRYPTO stream, and every line they give says
 * decrypted=true. Without keys for it the packet is only counted; keys that do not open it
 * give a decrypt=failed line, and the connection goes on as without keys. */
static void handshake_packet(struct quic_state *q, struct tls_state *st, enum dir d,
                             const struct long_header *h, const struct tls_sink *sink)
{
    struct quic_handshake_space *hs = handshake_space(q, st);
    if (hs == NULL) {
        return;
    }
    find_handshake_keys(hs, h->version, st);
    if (!hs->has_keys[d]) {
        return;
    }
    uint8_t work[QUIC_DATAGRAM_MAX];
    struct cursor payload;
    struct pn_space space = {&hs->has_pn[d], &hs->largest_pn[d]};
    if (cur_len(h->packet) > sizeof(work) || !open_packet(&hs->keys[d], space, h, work, &payload)) {
        /* libcrypto writes the plaintext out before the tag is checked */
        OPENSSL_cleanse(work, sizeof(work));
        hs->failed[d]++;
        struct fields f;
        fields_init(&f, "packet", NULL);
        fields_add_token(&f, "packet_type", "handshake");
        fields_add_token(&f, "decrypt", "failed");
        sink->emit(sink->ctx, d, &f);
        return;
    }
    hs->decrypted[d]++;
    hs->inner = *sink;
    decrypted_sink_init(&hs->marked, &hs->inner);
    read_frames(q, st, d, "handshake", &hs->crypto[d], payload, &hs->marked.sink);
    OPENSSL_cleanse(work, cur_len(h->packet)); /* the plaintext frames */
}

/* Protected packets of the later levels: counted, and taken for the encrypted flights that
 * tell whether a handshake completed (flow.c): the server's Handshake and 1-RTT packets, and
 * the client's 1-RTT packets, which it sends only once its handshake is over (RFC 9001 4.1.1). */
static void protected_packet(struct quic_dir *qd, struct tls_state *st, enum dir d,
                             bool one_rtt)
{
    if (one_rtt || d == DIR_S2C) {
        st->dir[d].encrypted_records++;
    }
    /* one history letter per side: its protected packets interleave with the peer's for the
     * whole connection, which hsdump follows to the end */
    if (!qd->noted_encrypted) {
        qd->noted_encrypted = true;
        flow_note(st, d, FLOW_ENCRYPTED);
    }
}

/* RFC 9000 17.2.1: the Version Negotiation packet; 17.2.5: Retry, no Length field. Both fill
 * the rest of the datagram. */
static void whole_datagram_packet(struct quic_state *q, enum dir d, const struct long_header *h)
{
    struct quic_dir *qd = &q->dir[d];
    if (h->version == 0) {
        qd->version_negotiation++;
        return;
    }
    qd->retry++;
    if (d == DIR_S2C) {
        /* RFC 9000 17.2.5.2: the client's next Initial is sent to the Retry's Source
         * Connection ID, and its keys come from that (RFC 9001 5.2). */
        q->retry_seen = true;
        q->have_dcid = false;
    }
}

/* One long header packet at the front of *rest; false when the datagram's remainder cannot
 * be read further. */
static bool long_header_packet(struct quic_state *q, struct tls_state *st, enum dir d,
                               struct cursor *rest, const struct tls_sink *sink)
{
    struct quic_dir *qd = &q->dir[d];
    const struct cursor start = *rest;
    struct cursor c = *rest;
    struct long_header h;
    memset(&h, 0, sizeof(h));
    if (!read_long_prefix(&c, &h)) {
        qd->malformed++;
        report_packet(d, "unknown", sink, "long_header", NULL, cur_len(start), 7);
        return false;
    }
    if (h.version == 0 || (quic_version_known(h.version) &&
                           long_packet_type(h.version, h.first) == PACKET_RETRY)) {
        whole_datagram_packet(q, d, &h);
        return false;
    }
    if (!quic_version_known(h.version)) {
        qd->undecryptable++; /* another version's packets: no keys, nothing to read */
        return false;
    }
    if (d == DIR_S2C) {
        q->version = h.version; /* RFC 9369 4.1: the server's version is the negotiated one */
    }
    h.type = long_packet_type(h.version, h.first);
    const char *name = packet_type_name(h.type);
    uint64_t token_len = 0, length;
    struct cursor token;
    /* RFC 9000 17.2.2: an Initial adds Token Length (i) and Token (..) before Length (i). */
    if (h.type == PACKET_INITIAL &&
        (!cur_get_varint(&c, &token_len) || token_len > cur_len(c) ||
         !cur_get_bytes(&c, (size_t)token_len, &token))) {
        qd->malformed++;
        report_packet(d, name, sink, "token", "varint length and token inside datagram", 0, 0);
        return false;
    }
    if (!cur_get_varint(&c, &length)) {
        qd->malformed++;
        report_packet(d, name, sink, "length", "varint Length field inside datagram", 0, 0);
        return false;
    }
    h.pn_offset = cur_offset(start, c);
    if (length > cur_len(c)) {
        qd->malformed++;
        report_packet(d, name, sink, "packet", NULL, cur_len(start), h.pn_offset + length);
        return false;
    }
    struct cursor whole = start;
    if (!cur_get_bytes(&whole, h.pn_offset + (size_t)length, &h.packet)) {
        return false;
    }
    *rest = whole;
    switch (h.type) {
    case PACKET_INITIAL:
        initial_packet(q, st, d, &h, sink);
        break;
    case PACKET_ZERO_RTT:
        qd->zero_rtt++;
        if (st->early_data_offered) {
            st->early_data_records++;
        }
        protected_packet(qd, st, d, false);
        break;
    case PACKET_HANDSHAKE:
        qd->handshake++;
        protected_packet(qd, st, d, false);
        if (st->keys != NULL) {
            handshake_packet(q, st, d, &h, sink);
        }
        break;
    case PACKET_RETRY:
    default:
        break; /* taken above */
    }
    return true;
}

void quic_datagram(struct quic_state *q, struct tls_state *st, enum dir d, struct cursor datagram,
                   const struct tls_sink *sink)
{
    struct cursor rest = datagram;
    while (cur_len(rest) > 0) {
        uint8_t first;
        if (!cur_peek_u8(rest, 0, &first)) {
            return;
        }
        if ((first & 0x80) == 0) {
            /* RFC 9000 17.3: a short header (1-RTT) packet has no length and ends the
             * datagram; without the fixed bit (0x40) the bytes are no QUIC packet at all
             * (trailing padding some stacks add after coalesced packets). */
            if ((first & 0x40) != 0) {
                q->dir[d].one_rtt++;
                protected_packet(&q->dir[d], st, d, true);
            }
            return;
        }
        if (!long_header_packet(q, st, d, &rest, sink)) {
            return;
        }
    }
}

void quic_finish(struct quic_state *q, struct tls_state *st, const struct tls_sink *sink)
{
    (void)st;
    for (size_t i = 0; i < 2; i++) {
        const struct quic_crypto *c = &q->dir[i].crypto;
        if (c->highest > c->parsed && !c->dropped) {
            report_pending(c, (enum dir)i, "handshake", sink);
        }
    }
    if (q->handshake == NULL) {
        return;
    }
    struct decrypted_sink marked;
    decrypted_sink_init(&marked, sink);
    for (size_t i = 0; i < 2; i++) {
        const struct quic_crypto *c = &q->handshake->crypto[i];
        if (c->highest > c->parsed && !c->dropped) {
            report_pending(c, (enum dir)i, "handshake", &marked.sink);
        }
    }
}

/* name_c2s=N name_s2c=M; both only when either is non-zero unless always is set. */
static void add_pair(struct fields *f, const char *key_c2s, const char *key_s2c, uint32_t c2s,
                     uint32_t s2c, bool always)
{
    if (always || c2s != 0 || s2c != 0) {
        fields_add_uint(f, key_c2s, c2s);
        fields_add_uint(f, key_s2c, s2c);
    }
}

void quic_describe(const struct quic_state *q, struct fields *f)
{
    const struct quic_dir *c = &q->dir[DIR_C2S], *s = &q->dir[DIR_S2C];
    add_pair(f, "initial_c2s", "initial_s2c", c->initial, s->initial, true);
    add_pair(f, "handshake_c2s", "handshake_s2c", c->handshake, s->handshake, true);
    add_pair(f, "zero_rtt_c2s", "zero_rtt_s2c", c->zero_rtt, s->zero_rtt, false);
    add_pair(f, "one_rtt_c2s", "one_rtt_s2c", c->one_rtt, s->one_rtt, true);
    add_pair(f, "retry_c2s", "retry_s2c", c->retry, s->retry, false);
    add_pair(f, "version_negotiation_c2s", "version_negotiation_s2c", c->version_negotiation,
             s->version_negotiation, false);
    add_pair(f, "undecryptable_c2s", "undecryptable_s2c", c->undecryptable, s->undecryptable,
             false);
    add_pair(f, "malformed_c2s", "malformed_s2c", c->malformed, s->malformed, false);
    const struct quic_handshake_space *hs = q->handshake;
    if (hs != NULL) {
        add_pair(f, "decrypted_handshake_c2s", "decrypted_handshake_s2c",
                 hs->decrypted[DIR_C2S], hs->decrypted[DIR_S2C], false);
        add_pair(f, "decrypt_failed_c2s", "decrypt_failed_s2c", hs->failed[DIR_C2S],
                 hs->failed[DIR_S2C], false);
    }
    /* either level's stream, Initial or Handshake */
    bool overflow_c2s = c->crypto.overflow || (hs != NULL && hs->crypto[DIR_C2S].overflow);
    bool overflow_s2c = s->crypto.overflow || (hs != NULL && hs->crypto[DIR_S2C].overflow);
    if (overflow_c2s || overflow_s2c) {
        fields_list_begin(f, "crypto_overflow");
        if (overflow_c2s) {
            fields_list_token(f, "c2s");
        }
        if (overflow_s2c) {
            fields_list_token(f, "s2c");
        }
        fields_list_end(f);
    }
}
