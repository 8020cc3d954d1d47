/* libFuzzer harness: the record and handshake layers, fed one byte stream per direction,
 * without and with the user's keys (dissectors/tls/decrypt.c).
 *
 * Input: a mode byte, then chunks of [flags byte][u16 length][bytes]; each chunk is appended
 * to the stream of its direction (flags bit 0) and rec_consume() takes what it can, as libnids
 * delivers data. Every event is rendered as text and JSON so the output path is fuzzed too,
 * and the connection ends with its close line's flow fields.
 *
 * Mode bit 0: keys. The tls_state gets a key table holding, for the client random of each
 * ClientHello read, a fixed secret under each label (CLIENT_RANDOM, the early, handshake and
 * first application traffic secrets); bit 1: a key log follows the mode byte as [u16
 * length][text] and is read into the table first (the seeds of the bundled key-logged
 * captures carry theirs, so their records open as captured); bit 2: the early secret is of a
 * SHA-384 suite, else bits 5-6 pick its SHA-256 suite; bit 3: the fixed secrets come only
 * from the fifth chunk on (a live key log's come late); bit 4: the connection ends with a FIN;
 * bit 7: a handshake budget of 1 MiB rather than 8 KiB, room for brotli's and zstd's decoders
 * (RFC 8879 compressed certificates).
 *
 * With keys, a chunk with flags bit 1 is the content of one protected record, sealed here
 * (tests/tls_seal.c) before it is appended: TLS 1.3 under the suite the ServerHello chose and
 * the secret of the phase its sender is in (early before the ServerHello, handshake, then
 * application after its Finished, the next one after each KeyUpdate, RFC 8446 7.1-7.2), TLS
 * 1.2 and older under the keys of the master secret once that side's ChangeCipherSpec went by
 * (RFC 5246 6.3). Flags bits 2-3 pick the content type: handshake, alert, application data,
 * and 3: ChangeCipherSpec in TLS 1.2, in TLS 1.3 the inner type is the chunk's first byte.
 * Bit 4 pads a TLS 1.3 record, bit 5 spoils the record's last byte, bit 6 keeps a client on
 * its early secret past the ServerHello (0-RTT accepted, until its EndOfEarlyData), bit 7
 * delivers the record in two halves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "base/fields.h"
#include "base/names.h"
#include "crypto/keylog.h"
#include "render.h"
#include "tls/decrypt.h"
#include "tls/flow.h"
#include "tls/tls.h"
#include "tls_seal.h"

#define FUZZ_BUDGET 8192
#define FUZZ_BIG_BUDGET (1 << 20)

#define STREAM_MAX (1 << 20)

#define MODE_KEYS 0x01
#define MODE_KEYLOG 0x02
#define MODE_EARLY_SHA384 0x04
#define MODE_LATE_SECRETS 0x08
#define MODE_CLOSED 0x10
#define MODE_EARLY_SUITE_SHIFT 5
#define MODE_BIG_BUDGET 0x80
#define LATE_CHUNKS 4

#define FLAG_S2C 0x01
#define FLAG_SEALED 0x02
#define FLAG_TYPE_SHIFT 2
#define FLAG_PADDED 0x10
#define FLAG_SPOILED 0x20
#define FLAG_STAY_EARLY 0x40
#define FLAG_SPLIT 0x80

#define PADDING 32

struct direction {
    uint8_t *bytes;
    size_t len;
};

/* TLS 1.3 key phases of one sender, as decrypt.c follows them. */
enum seal_phase { SEAL_NONE, SEAL_EARLY, SEAL_HANDSHAKE, SEAL_APPLICATION };

/* What the harness seals one direction's records with. */
struct sealing {
    enum seal_phase phase;
    bool tls13_ready;
    struct tls13_sealer tls13;
    bool tls12_ready;
    struct tls12_sealer tls12;
    bool ccs_seen; /* the direction's ChangeCipherSpec had gone by when last looked */
};

struct run {
    uint8_t mode;
    struct keylog_table *table;
    struct sealing seal[2];
    struct direction *dirs;
    struct tls_state st;
    struct tls_sink sink;
};

/* The fixed secret of a label: one base, its first byte marked with the label. */
static void fixed_secret(enum keylog_label label, uint8_t out[KEYLOG_SECRET_MAX])
{
    static const uint8_t base[KEYLOG_SECRET_MAX] = {
        0x3b, 0x91, 0x5e, 0x07, 0xc4, 0x28, 0xfa, 0x63, 0x1d, 0x8e, 0x42, 0xb9, 0x70, 0x0c,
        0xd5, 0x36, 0xa1, 0x4f, 0x98, 0x2e, 0x67, 0xcb, 0x13, 0x80, 0x5a, 0xe9, 0x24, 0x7d,
        0xb6, 0x01, 0xfe, 0x49, 0x92, 0x3c, 0x6f, 0xd0, 0x15, 0xa8, 0x57, 0xe2, 0x0b, 0x74,
        0xc9, 0x36, 0x8d, 0xf1, 0x20, 0x5b,
    };
    memcpy(out, base, KEYLOG_SECRET_MAX);
    out[0] ^= (uint8_t)(label + 1);
}

static size_t early_len(uint8_t mode)
{
    return (mode & MODE_EARLY_SHA384) ? 48 : 32;
}

static uint16_t early_suite(uint8_t mode)
{
    static const uint16_t sha256_suites[4] = {0x1301, 0x1303, 0x1304, 0x1305};
    return (mode & MODE_EARLY_SHA384) ? 0x1302 : sha256_suites[(mode >> MODE_EARLY_SUITE_SHIFT) & 3];
}

/* The length a label's fixed secret has for this connection. */
static size_t secret_len(const struct run *r, enum keylog_label label)
{
    if (label == KEYLOG_CLIENT_RANDOM) {
        return 48;
    }
    if (label == KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET) {
        return early_len(r->mode);
    }
    size_t len = tls_seal_tls13_secret_len(r->st.cipher_suite);
    return len == 0 ? 32 : len;
}

/* The secret the peers used: the table's for the connection's client random, else the fixed
 * one the table gets (now or, with MODE_LATE_SECRETS, later). */
static size_t secret_for(const struct run *r, enum keylog_label label,
                         uint8_t out[KEYLOG_SECRET_MAX])
{
    size_t len = 0;
    if (keylog_table_find(r->table, r->st.client_random, label, out, &len)) {
        return len;
    }
    fixed_secret(label, out);
    return secret_len(r, label);
}

static void put_missing(struct run *r, enum keylog_label label)
{
    uint8_t secret[KEYLOG_SECRET_MAX];
    size_t len = 0;
    if (!keylog_table_find(r->table, r->st.client_random, label, secret, &len)) {
        fixed_secret(label, secret);
        (void)keylog_table_put(r->table, r->st.client_random, label, secret,
                               secret_len(r, label));
    }
    OPENSSL_cleanse(secret, sizeof(secret));
}

/* The key log learns the connection's secrets once its hellos are in, as a live one would. */
static void log_secrets(struct run *r)
{
    if (!r->st.client_hello_seen) {
        return;
    }
    put_missing(r, KEYLOG_CLIENT_RANDOM);
    put_missing(r, KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET);
    if (r->st.server_hello_seen) {
        put_missing(r, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET);
        put_missing(r, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
        put_missing(r, KEYLOG_CLIENT_TRAFFIC_SECRET_0);
        put_missing(r, KEYLOG_SERVER_TRAFFIC_SECRET_0);
    }
}

/* RFC 8446 7.1: the traffic secret of each phase of direction d. */
static enum keylog_label phase_label(enum dir d, enum seal_phase phase)
{
    switch (phase) {
    case SEAL_EARLY:
        return KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET;
    case SEAL_HANDSHAKE:
        return d == DIR_C2S ? KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                            : KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET;
    default:
        return d == DIR_C2S ? KEYLOG_CLIENT_TRAFFIC_SECRET_0 : KEYLOG_SERVER_TRAFFIC_SECRET_0;
    }
}

static void tls13_phase_keys(struct run *r, enum dir d, enum seal_phase phase)
{
    struct sealing *s = &r->seal[d];
    uint8_t secret[KEYLOG_SECRET_MAX];
    size_t len = secret_for(r, phase_label(d, phase), secret);
    uint16_t suite = phase == SEAL_EARLY ? early_suite(r->mode) : r->st.cipher_suite;
    s->phase = phase;
    s->tls13_ready = tls13_sealer_init(&s->tls13, suite, secret, len);
    OPENSSL_cleanse(secret, sizeof(secret));
}

/* RFC 5246 6.3, 7.1: the keys a ChangeCipherSpec of direction d switches to. */
static void tls12_keys(struct run *r, enum dir d)
{
    struct sealing *s = &r->seal[d];
    uint8_t master[KEYLOG_SECRET_MAX];
    s->tls12_ready = false;
    if (r->st.randoms_known && secret_for(r, KEYLOG_CLIENT_RANDOM, master) == 48) {
        s->tls12_ready = tls12_sealer_init(
            &s->tls12, r->st.version, r->st.cipher_suite, r->st.etm_offered && r->st.etm_accepted,
            master, r->st.client_random, r->st.server_random, d == DIR_C2S);
    }
    OPENSSL_cleanse(master, sizeof(master));
}

/* decrypt.c's test for records read with TLS 1.3's protection. */
static bool tls13_record(const struct tls_state *st, enum dir d)
{
    return st->is_tls13 || (d == DIR_C2S && !st->server_hello_seen && st->tls13_offered);
}

/* The chunk's content as one protected record of direction d into out; 0 when it cannot be
 * sealed (then it goes in as it is). */
static size_t seal_chunk(struct run *r, enum dir d, uint8_t flags, struct cursor content,
                         uint8_t *out)
{
    static uint8_t plain[TLS_SEAL_CONTENT_MAX];
    static const uint8_t types[3] = {CONTENT_handshake, CONTENT_alert, CONTENT_application_data};
    struct sealing *s = &r->seal[d];
    unsigned type_pick = (flags >> FLAG_TYPE_SHIFT) & 3;
    uint8_t type = type_pick < 3 ? types[type_pick] : CONTENT_change_cipher_spec;
    if (tls13_record(&r->st, d)) {
        if (type_pick == 3 && !cur_get_u8(&content, &type)) {
            return 0;
        }
        enum seal_phase want = s->phase;
        if (d == DIR_C2S && !r->st.server_hello_seen) {
            want = SEAL_EARLY;
        } else if (s->phase == SEAL_EARLY && !(flags & FLAG_STAY_EARLY)) {
            want = SEAL_HANDSHAKE; /* RFC 8446 4.2.10: 0-RTT rejected, or over */
        } else if (s->phase == SEAL_NONE) {
            want = r->st.dir[d].finished ? SEAL_APPLICATION : SEAL_HANDSHAKE;
        }
        if (want != s->phase || !s->tls13_ready) {
            tls13_phase_keys(r, d, want);
        }
        if (!s->tls13_ready || cur_len(content) > sizeof(plain)) {
            return 0;
        }
        cur_copy(content, plain);
        return tls13_seal_record(&s->tls13, type, plain, cur_len(content),
                                 (flags & FLAG_PADDED) ? PADDING : 0, out);
    }
    if (!s->tls12_ready) {
        tls12_keys(r, d);
    }
    if (!s->tls12_ready || cur_len(content) > sizeof(plain)) {
        return 0;
    }
    cur_copy(content, plain);
    return tls12_seal_record(&s->tls12, type, plain, cur_len(content), out);
}

static void feed(struct run *r, enum dir d)
{
    struct direction *s = &r->dirs[d];
    size_t used = rec_consume(&r->st, d, cur_make(s->bytes, s->len), &r->sink);
    memmove(s->bytes, s->bytes + used, s->len - used);
    s->len -= used;
}

static bool append(struct run *r, enum dir d, struct cursor bytes)
{
    struct direction *s = &r->dirs[d];
    if (cur_len(bytes) > STREAM_MAX - s->len) {
        return false;
    }
    cur_copy(bytes, s->bytes + s->len);
    s->len += cur_len(bytes);
    feed(r, d);
    return true;
}

/* After a sealed TLS 1.3 record was read: the key changes its messages call for, as the
 * decryptor makes them (RFC 8446 4.4.4 and 7.1, 4.5, 4.6.3 and 7.2). */
static void tls13_after_record(struct run *r, enum dir d, uint32_t messages_before)
{
    struct sealing *s = &r->seal[d];
    if (r->st.dir[d].messages == messages_before) {
        return;
    }
    switch (r->st.dir[d].last_message) {
    case HS_finished:
        if (s->phase != SEAL_APPLICATION) {
            tls13_phase_keys(r, d, SEAL_APPLICATION);
        }
        break;
    case HS_end_of_early_data:
        tls13_phase_keys(r, d, SEAL_HANDSHAKE);
        break;
    case HS_key_update:
        if (s->tls13_ready) {
            s->tls13_ready = tls13_sealer_update(&s->tls13);
        }
        break;
    default:
        break;
    }
}

/* One chunk; false when the stream is full. */
static bool chunk(struct run *r, uint8_t flags, struct cursor bytes)
{
    static uint8_t record[TLS_SEAL_RECORD_MAX];
    enum dir d = (flags & FLAG_S2C) ? DIR_S2C : DIR_C2S;
    if (r->table == NULL || !(flags & FLAG_SEALED)) {
        return append(r, d, bytes);
    }
    bool tls13 = tls13_record(&r->st, d);
    uint32_t messages_before = r->st.dir[d].messages;
    size_t n = seal_chunk(r, d, flags, bytes, record);
    if (n == 0) {
        return append(r, d, bytes);
    }
    if (flags & FLAG_SPOILED) {
        record[n - 1] ^= 0x01;
    }
    size_t half = (flags & FLAG_SPLIT) ? n / 2 : n;
    if (!append(r, d, cur_make(record, half)) || !append(r, d, cur_make(record + half, n - half))) {
        return false;
    }
    if (tls13) {
        tls13_after_record(r, d, messages_before);
    } else if (((flags >> FLAG_TYPE_SHIFT) & 3) == 3) {
        tls12_keys(r, d); /* a renegotiation's ChangeCipherSpec: the new hellos' keys */
    }
    return true;
}

/* The key table, and the key log of the input read into it. */
static struct keylog_table *keys_of(uint8_t mode, struct cursor *in)
{
    if (!(mode & MODE_KEYS)) {
        return NULL;
    }
    struct keylog_table *table = keylog_table_new(0);
    uint16_t len;
    if (table != NULL && (mode & MODE_KEYLOG) && cur_get_u16(in, &len)) {
        static uint8_t text[65536];
        struct cursor log = cur_take_upto(in, len);
        struct keylog_parser parser;
        keylog_parser_init(&parser);
        cur_copy(log, text);
        keylog_parser_feed(&parser, table, text, cur_len(log), NULL, NULL);
        keylog_parser_finish(&parser, table, NULL, NULL);
        keylog_parser_clear(&parser);
        OPENSSL_cleanse(text, cur_len(log));
    }
    return table;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct direction dirs[2];
    if (dirs[0].bytes == NULL) {
        dirs[0].bytes = malloc(STREAM_MAX);
        dirs[1].bytes = malloc(STREAM_MAX);
    }
    dirs[0].len = dirs[1].len = 0;
    struct cursor in = cur_make(data, size);
    struct run r;
    memset(&r, 0, sizeof(r));
    if (!cur_get_u8(&in, &r.mode)) {
        return 0;
    }
    r.dirs = dirs;
    r.sink = (struct tls_sink){fuzz_render, NULL};
    tls_state_init(&r.st);
    /* a small handshake budget, so that its drops are fuzzed too */
    struct budget budget;
    budget_init(&budget, (r.mode & MODE_BIG_BUDGET) ? FUZZ_BIG_BUDGET : FUZZ_BUDGET, NULL);
    r.st.budget = &budget;
    r.table = keys_of(r.mode, &in);
    r.st.keys = r.table;
    uint8_t flags;
    uint16_t len;
    for (unsigned n = 0; cur_get_u8(&in, &flags) && cur_get_u16(&in, &len); n++) {
        if (!chunk(&r, flags, cur_take_upto(&in, len))) {
            break;
        }
        for (int d = 0; r.table != NULL && d < 2; d++) {
            /* the first ChangeCipherSpec of a TLS 1.2 side switches its keys (RFC 5246 7.1) */
            if (!r.seal[d].ccs_seen && r.st.dir[d].ccs_seen && !r.st.is_tls13) {
                tls12_keys(&r, (enum dir)d);
            }
            r.seal[d].ccs_seen = r.st.dir[d].ccs_seen;
        }
        if (r.table != NULL && (!(r.mode & MODE_LATE_SECRETS) || n + 1 >= LATE_CHUNKS)) {
            log_secrets(&r);
        }
    }
    bool closed = (r.mode & MODE_CLOSED) != 0;
    if (closed) {
        tls13_closed(&r.st, &r.sink);
    }
    if (r.st.decrypt != NULL) {
        decrypt_check_finish(&r.st, closed);
    }
    rec_finish(&r.st, DIR_C2S, cur_make(dirs[0].bytes, dirs[0].len), &r.sink);
    rec_finish(&r.st, DIR_S2C, cur_make(dirs[1].bytes, dirs[1].len), &r.sink);
    struct fields f;
    fields_init(&f, "close", NULL);
    flow_describe(&r.st, &f);
    fuzz_render(NULL, DIR_C2S, &f);
    tls_state_free(&r.st);
    keylog_table_free(r.table);
    for (int d = 0; d < 2; d++) {
        tls13_sealer_clear(&r.seal[d].tls13);
        tls12_sealer_clear(&r.seal[d].tls12);
    }
    return 0;
}
