/* libFuzzer harness: QUIC Initial packets and DTLS datagrams (dissectors/quic/quic.c, dtls.c).
 * Input: one byte choosing the protocol (bit 0: DTLS, else QUIC; bit 1: QUIC version 2), then
 * chunks of [flags byte][u16 length][bytes]; flags bit 0 is the direction. For DTLS a chunk is
 * one datagram. For QUIC a chunk is the frames of an Initial packet, sealed here with the
 * Initial keys (tests/quic_seal.c) so that the fuzzer reaches the frame and CRYPTO parsers past
 * the AEAD; with flags bit 1 it is a raw datagram instead, for the header parser. */
#include <stdint.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "dtls/dtls.h"
#include "base/fields.h"
#include "quic/quic.h"
#include "crypto/quic_crypto.h"
#include "quic_seal.h"
#include "render.h"
#include "tls/tls.h"

#define FUZZ_BUDGET 8192

static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

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
    size_t len = quic_seal_initial(version, dcid, d == DIR_C2S, pn, frames, n,
                                   d == DIR_C2S ? 1200 : 0, packet);
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
    quic_state_init(&q);
    dtls_state_init(&ds);
    for (uint32_t pn = 0; cur_get_u8(&in, &flags) && cur_get_u16(&in, &len); pn++) {
        struct cursor chunk = cur_take_upto(&in, len);
        if (dtls) {
            dtls_datagram(&ds, &st, (flags & 1) ? DIR_S2C : DIR_C2S, chunk, &sink);
        } else {
            quic_chunk(&q, &st, version, flags, pn, chunk, &sink);
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
    return 0;
}
