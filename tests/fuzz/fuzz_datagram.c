/* libFuzzer harness: QUIC Initial packets and DTLS datagrams (dissectors/quic/quic.c, dtls.c).
 * Input: one byte choosing the protocol (bit 0: DTLS, else QUIC; bit 1: QUIC version 2; bit 2:
 * with a key log), then chunks of [flags byte][u16 length][bytes]; flags bit 0 is the
 * direction. For DTLS a chunk is one datagram. For QUIC a chunk is the frames of an Initial
 * packet, sealed here with the Initial keys (tests/quic_seal.c) so that the fuzzer reaches the
 * frame and CRYPTO parsers past the AEAD; with flags bit 2 (and a key log) the frames of a
 * Handshake packet sealed with the handshake secret the key log holds for the connection's
 * ClientHello random; with flags bit 1 a raw datagram instead, for the header parser. */
#include <stdint.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "dtls/dtls.h"
#include "base/fields.h"
#include "quic/quic.h"
#include "crypto/keylog.h"
#include "crypto/quic_crypto.h"
#include "crypto/tls13_keys.h"
#include "quic_seal.h"
#include "render.h"
#include "tls/tls.h"

#define FUZZ_BUDGET 8192

static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

/* The one handshake traffic secret of every connection (both labels), cut to the suite's
 * hash length. */
static const uint8_t handshake_secret[48] = {
    0x9a, 0xc3, 0x12, 0xa7, 0xf8, 0x77, 0x46, 0x8e, 0xbe, 0x69, 0x42, 0x27, 0x48, 0xad, 0x00, 0xa1,
    0x54, 0x43, 0xf1, 0x82, 0x03, 0xa0, 0x7d, 0x60, 0x60, 0xf6, 0x88, 0xf3, 0x0f, 0x21, 0x63, 0x2b,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static uint16_t handshake_suite(const struct tls_state *st)
{
    return quic_suite_supported(st->cipher_suite) ? st->cipher_suite
                                                  : TLS13_AES_128_GCM_SHA256;
}

/* The key log learns the connection's secrets once its hellos are in, as a live one would. */
static void log_secrets(struct keylog_table *table, const struct tls_state *st)
{
    uint8_t found[KEYLOG_SECRET_MAX];
    size_t len;
    if (table == NULL || !st->randoms_known ||
        keylog_table_find(table, st->client_random, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                          found, &len)) {
        return;
    }
    size_t secret_len = tls13_secret_len(handshake_suite(st));
    keylog_table_put(table, st->client_random, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
                     handshake_secret, secret_len);
    keylog_table_put(table, st->client_random, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                     handshake_secret, secret_len);
}

static void quic_chunk(struct quic_state *q, struct tls_state *st, uint32_t version, uint8_t flags,
                       uint32_t pn, struct cursor bytes, const struct tls_sink *sink)
{
    enum dir d = (flags & 1) ? DIR_S2C : DIR_C2S;
    if (flags & 2) {
        quic_datagram(q, st, d, bytes, sink);
        return;
    }
    uint8_t frames[QUIC_SEAL_MAX], packet[QUIC_SEAL_MAX];
    size_t n = cur_len(bytes);
    if (n > sizeof(frames)) {
        return;
    }
    cur_copy(bytes, frames);
    size_t len;
    if ((flags & 4) && st->keys != NULL) {
        uint16_t suite = handshake_suite(st);
        len = quic_seal_handshake(version, suite, handshake_secret, tls13_secret_len(suite), pn,
                                  frames, n, packet);
    } else {
        len = quic_seal_initial(version, dcid, d == DIR_C2S, pn, frames, n,
                                d == DIR_C2S ? 1200 : 0, packet);
    }
    if (len > 0) {
        quic_datagram(q, st, d, cur_make(packet, len), sink);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cursor in = cur_make(data, size);
    uint8_t protocol, flags;
    uint16_t len;
    if (!cur_get_u8(&in, &protocol)) {
        return 0;
    }
    bool dtls = protocol & 1;
    uint32_t version = (protocol & 2) ? QUIC_VERSION_2 : QUIC_VERSION_1;
    struct tls_sink sink = {fuzz_render, NULL};
    struct tls_state st;
    struct quic_state q;
    struct dtls_state ds;
    tls_state_init(&st);
    /* a small handshake budget, so that its drops are fuzzed too */
    struct budget budget;
    budget_init(&budget, FUZZ_BUDGET, NULL);
    st.budget = &budget;
    st.transport = dtls ? TRANSPORT_DTLS : TRANSPORT_QUIC;
    struct keylog_table *table = (protocol & 4) && !dtls ? keylog_table_new(0) : NULL;
    st.keys = table;
    quic_state_init(&q);
    dtls_state_init(&ds);
    for (uint32_t pn = 0; cur_get_u8(&in, &flags) && cur_get_u16(&in, &len); pn++) {
        struct cursor chunk = cur_take_upto(&in, len);
        if (dtls) {
            dtls_datagram(&ds, &st, (flags & 1) ? DIR_S2C : DIR_C2S, chunk, &sink);
        } else {
            quic_chunk(&q, &st, version, flags, pn, chunk, &sink);
            log_secrets(table, &st);
        }
    }
    struct fields f;
    fields_init(&f, "close", NULL);
    if (dtls) {
        dtls_finish(&ds, &st, &sink);
        dtls_describe(&ds, &st, &f);
    } else {
        quic_finish(&q, &st, &sink);
        quic_describe(&q, &f);
    }
    fuzz_render(NULL, DIR_C2S, &f);
    quic_state_free(&q);
    dtls_state_free(&ds);
    tls_state_free(&st);
    keylog_table_free(table);
    return 0;
}
