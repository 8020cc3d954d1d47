/* Decryption with the user's secrets (decrypt.h).
 *
 * TLS 1.3 (RFC 8446 7.1-7.3): each direction goes through its traffic secrets in order:
 * the client's early secret for 0-RTT records (4.2.10), both handshake secrets after the
 * ServerHello, the application secrets after each side's Finished, the next generation after
 * each KeyUpdate (4.6.3). The key log names every secret but the updated ones; the sequence
 * number restarts at 0 with each key (5.3).
 * TLS 1.2 and older (RFC 5246 6.1, 7.1): each side's ChangeCipherSpec moves it to the keys
 * of the hellos just exchanged, from the master secret of the CLIENT_RANDOM line. */
#include "tls/decrypt.h"

#include <stdlib.h>

#include <openssl/crypto.h>

#include "base/names.h"
#include "crypto/keylog.h"
#include "crypto/tls12_keys.h"
#include "crypto/tls13_keys.h"
#include "tls/inference_check.h"

/* TLS 1.3 key phases of one direction, in the order they come. */
enum phase {
    PHASE_NONE,        /* plaintext, or keys not (yet) known */
    PHASE_EARLY,       /* client: CLIENT_EARLY_TRAFFIC_SECRET */
    PHASE_HANDSHAKE,   /* [sender]_HANDSHAKE_TRAFFIC_SECRET */
    PHASE_APPLICATION, /* [sender]_TRAFFIC_SECRET_0, then its KeyUpdate successors */
};

struct dir_keys {
    struct tls13_protection *tls13;
    struct tls12_protection *tls12;
    enum phase phase;
    uint64_t seq;      /* records opened (or skipped) under the current key */
    uint32_t updates;  /* KeyUpdates applied to the application secret */
};

struct tls_decrypt {
    struct dir_keys dir[2];
    struct keylog_lookup lookup;
    struct inference_check *check; /* TLS 1.3: made at the first record decrypted */
    bool check_tried;
    uint32_t keyless_records; /* protected records that found no secret */
};

/* While the table is growing (a key log followed live), a connection whose secrets are not in
 * it yet is still followed for this many protected records: the client appends its secrets
 * during the handshake and they are read every 100 ms, so they often come a little after the
 * first records, and still open the tickets and closing alerts. Past it, or when the table is
 * complete (files read whole), the connection is let go as without keys. */
#define DECRYPT_WAIT_RECORDS 64

/* One record's plaintext at a time (dissection is single-threaded); every TLS 1.3 and TLS 1.2
 * record's plaintext fits. */
static uint8_t plaintext[TLS12_FRAGMENT_MAX > TLS13_PLAINTEXT_MAX ? TLS12_FRAGMENT_MAX
                                                                 : TLS13_PLAINTEXT_MAX];
/* Bytes of plaintext holds from the last record opened: cleared once it was read
 * (decrypt_after_record), so no application data stays in memory. */
static size_t plaintext_used;

/* The last record's plaintext is read: cleared (OPENSSL_cleanse), application data above all. */
static void forget_plaintext(void)
{
    if (plaintext_used > 0) {
        OPENSSL_cleanse(plaintext, plaintext_used < sizeof(plaintext) ? plaintext_used
                                                                      : sizeof(plaintext));
        plaintext_used = 0;
    }
}

static struct tls_decrypt *state_of(struct tls_state *st)
{
    if (st->decrypt == NULL) {
        st->decrypt = calloc(1, sizeof(*st->decrypt));
    }
    return st->decrypt;
}

static void drop_keys(struct dir_keys *k)
{
    tls13_protection_free(k->tls13);
    tls12_protection_free(k->tls12);
    k->tls13 = NULL;
    k->tls12 = NULL;
}

/* A secret of this connection from the table; false (and no copy) when it has none. */
static bool find_secret(struct tls_state *st, struct tls_decrypt *dc, enum keylog_label label,
                        uint8_t out[KEYLOG_SECRET_MAX], size_t *len)
{
    return keylog_lookup(&dc->lookup, st->keys, st->client_random, label, out, len);
}

static enum keylog_label tls13_label(enum dir d, enum phase phase)
{
    switch (phase) {
    case PHASE_EARLY:
        return KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET;
    case PHASE_HANDSHAKE:
        return d == DIR_C2S ? KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                            : KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET;
    default:
        return d == DIR_C2S ? KEYLOG_CLIENT_TRAFFIC_SECRET_0 : KEYLOG_SERVER_TRAFFIC_SECRET_0;
    }
}

/* Keys for phase of direction d under suite: from the key log, then as many KeyUpdates as
 * the direction made; in the previous phase's protection (reuse, freed when no secret is
 * found) when there is one. */
static struct tls13_protection *tls13_keys_for(struct tls_state *st, struct tls_decrypt *dc,
                                               enum dir d, enum phase phase, uint16_t suite,
                                               struct tls13_protection *reuse)
{
    uint8_t secret[KEYLOG_SECRET_MAX];
    size_t len = 0;
    struct tls13_protection *prot = NULL;
    if (find_secret(st, dc, tls13_label(d, phase), secret, &len)) {
        if (reuse != NULL && tls13_protection_reset(reuse, suite, secret, len)) {
            prot = reuse;
        } else {
            tls13_protection_free(reuse); /* another suite (0-RTT's may differ), or failed */
            prot = tls13_protection_new(suite, secret, len);
        }
        reuse = NULL;
        for (uint32_t i = 0; prot != NULL && phase == PHASE_APPLICATION &&
                             i < dc->dir[d].updates; i++) {
            if (!tls13_protection_update(prot)) {
                tls13_protection_free(prot);
                prot = NULL;
            }
        }
    }
    tls13_protection_free(reuse); /* no secret for this phase */
    OPENSSL_cleanse(secret, sizeof(secret));
    return prot;
}

static enum decrypt_result tls13_open(struct tls13_protection *prot, uint64_t seq,
                                      struct cursor whole, struct decrypted_record *inner)
{
    struct tls13_plaintext result;
    switch (tls13_open_record(prot, seq, whole, plaintext, sizeof(plaintext), &result)) {
    case TLS13_OPEN_OK:
        inner->type = result.content_type;
        inner->plaintext = cur_make(plaintext, result.len);
        plaintext_used = cur_len(whole);
        return DECRYPT_OK;
    default:
        return DECRYPT_FAILED;
    }
}

/* The phase direction d is in when its keys are first needed: what it sent so far says. */
static enum phase tls13_first_phase(const struct tls_state *st, enum dir d)
{
    if (d == DIR_C2S && !st->server_hello_seen) {
        return PHASE_EARLY;
    }
    return st->dir[d].finished ? PHASE_APPLICATION : PHASE_HANDSHAKE;
}

/* RFC 8446 4.2.10: 0-RTT data is protected under the suite of the PSK, which the ServerHello
 * has not named yet; the early secret's length leaves the suites of its hash to try. */
static const uint16_t tls13_suites[] = {
    TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
    TLS13_AES_128_CCM_SHA256, TLS13_AES_128_CCM_8_SHA256,
};

static enum decrypt_result tls13_open_early(struct tls_state *st, struct tls_decrypt *dc,
                                            struct cursor whole, struct decrypted_record *inner)
{
    struct dir_keys *k = &dc->dir[DIR_C2S];
    if (k->tls13 != NULL) {
        return tls13_open(k->tls13, k->seq, whole, inner);
    }
    uint8_t secret[KEYLOG_SECRET_MAX];
    size_t len = 0;
    k->phase = PHASE_EARLY;
    if (!find_secret(st, dc, KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, secret, &len)) {
        return DECRYPT_KEYLESS;
    }
    enum decrypt_result result = DECRYPT_FAILED;
    for (size_t i = 0; i < sizeof(tls13_suites) / sizeof(tls13_suites[0]); i++) {
        if (tls13_secret_len(tls13_suites[i]) != len) {
            continue;
        }
        struct tls13_protection *prot = tls13_protection_new(tls13_suites[i], secret, len);
        if (prot != NULL && tls13_open(prot, 0, whole, inner) == DECRYPT_OK) {
            k->tls13 = prot;
            k->phase = PHASE_EARLY;
            result = DECRYPT_OK;
            break;
        }
        tls13_protection_free(prot);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return result;
}

/* Moves direction d to phase's keys; false when the key log lacks them. The sequence number
 * restarts when the change was seen (a Finished, EndOfEarlyData); keys found late for records
 * that went by keyless keep counting them. */
static bool tls13_next_phase(struct tls_state *st, struct tls_decrypt *dc, enum dir d,
                             enum phase phase, bool restart)
{
    struct dir_keys *k = &dc->dir[d];
    struct tls13_protection *previous = k->tls13;
    k->tls13 = NULL;
    drop_keys(k);
    k->phase = phase;
    if (restart) {
        k->seq = 0;
    }
    k->tls13 = tls13_keys_for(st, dc, d, phase, st->cipher_suite, previous);
    return k->tls13 != NULL;
}

static enum decrypt_result tls13_record(struct tls_state *st, struct tls_decrypt *dc, enum dir d,
                                        struct cursor whole, struct decrypted_record *inner)
{
    struct dir_keys *k = &dc->dir[d];
    if (d == DIR_C2S && !st->server_hello_seen) {
        return tls13_open_early(st, dc, whole, inner);
    }
    if (!tls13_suite_known(st->cipher_suite)) {
        return DECRYPT_KEYLESS;
    }
    if (k->tls13 == NULL) {
        /* no keys yet: records went by keyless, counted under the phase they were in */
        enum phase phase = tls13_first_phase(st, d);
        if (phase != k->phase) {
            k->seq = 0;
        }
        if (!tls13_next_phase(st, dc, d, phase, false)) {
            return DECRYPT_KEYLESS;
        }
    }
    if (k->phase == PHASE_APPLICATION && st->dir[DIR_C2S].finished &&
        st->dir[DIR_S2C].finished) {
        /* Past both Finished, application data has no line (decrypted_record.c): only its
         * inner type is read, from the keystream of its last bytes, as TLS 1.2's is never
         * opened; every other type is opened, and so authenticated, below. */
        uint8_t peeked;
        if (tls13_peek_inner_type(k->tls13, k->seq, whole, &peeked) &&
            peeked == CONTENT_application_data) {
            inner->type = peeked;
            inner->plaintext = cur_make(NULL, 0);
            return DECRYPT_OK;
        }
    }
    enum decrypt_result result = tls13_open(k->tls13, k->seq, whole, inner);
    if (result == DECRYPT_FAILED && k->phase == PHASE_EARLY) {
        /* RFC 8446 4.2.10: the server rejected the 0-RTT data (or the client gave up on it,
         * after an HRR): the client's next records are under its handshake keys. */
        if (tls13_next_phase(st, dc, d, PHASE_HANDSHAKE, true)) {
            result = tls13_open(k->tls13, k->seq, whole, inner);
        } else {
            result = DECRYPT_KEYLESS;
        }
    }
    return result;
}

/* The keys of direction d from the master secret of the current hellos. */
static void tls12_make_keys(struct tls_state *st, struct tls_decrypt *dc, enum dir d)
{
    struct dir_keys *k = &dc->dir[d];
    uint8_t master[KEYLOG_SECRET_MAX];
    size_t len = 0;
    drop_keys(k);
    if (!st->randoms_known || !tls12_suite_supported(st->version, st->cipher_suite)) {
        return;
    }
    if (find_secret(st, dc, KEYLOG_CLIENT_RANDOM, master, &len) &&
        len == TLS12_MASTER_SECRET_LEN) {
        bool etm = st->etm_offered && st->etm_accepted;
        k->tls12 = tls12_protection_new(st->version, st->cipher_suite, etm, master,
                                        st->client_random, st->server_random, d == DIR_C2S);
    }
    OPENSSL_cleanse(master, sizeof(master));
}

/* TLS 1.2 and older: the keys of direction d since its ChangeCipherSpec. */
static enum decrypt_result tls12_record(struct tls_state *st, struct tls_decrypt *dc, enum dir d,
                                        uint8_t type, uint16_t version, struct cursor whole,
                                        struct decrypted_record *inner)
{
    struct dir_keys *k = &dc->dir[d];
    struct cursor fragment = whole;
    if (!cur_skip(&fragment, TLS_RECORD_HEADER)) {
        return DECRYPT_FAILED;
    }
    if (k->tls12 == NULL) {
        if (k->phase == PHASE_NONE) {
            return DECRYPT_KEYLESS; /* no ChangeCipherSpec seen: where keys start is unknown */
        }
        tls12_make_keys(st, dc, d); /* the secret may have come since */
        if (k->tls12 == NULL) {
            return DECRYPT_KEYLESS;
        }
    }
    if (type == CONTENT_application_data) {
        /* never read: only what later records depend on is kept */
        tls12_skip_record(k->tls12, fragment);
        inner->type = type;
        inner->plaintext = cur_make(NULL, 0);
        return DECRYPT_OK;
    }
    size_t len = 0;
    if (tls12_open_record(k->tls12, k->seq, type, version, fragment, plaintext,
                          sizeof(plaintext), &len) != TLS12_OPEN_OK) {
        return DECRYPT_FAILED;
    }
    inner->type = type;
    inner->plaintext = cur_make(plaintext, len);
    plaintext_used = cur_len(fragment);
    return DECRYPT_OK;
}

/* The shadow starts from the state before the first protected record after the ServerHello
 * is read (inference_check.h): called before it is dissected. */
static void start_check(struct tls_state *st, struct tls_decrypt *dc)
{
    if (!dc->check_tried && st->is_tls13) {
        dc->check_tried = true;
        dc->check = inference_check_new(st);
    }
}

enum decrypt_result decrypt_record(struct tls_state *st, enum dir d, uint8_t type,
                                   uint16_t version, struct cursor whole,
                                   struct decrypted_record *inner)
{
    if (st->keys == NULL || st->dir[d].decrypt_failed || !st->client_hello_seen) {
        return DECRYPT_KEYLESS;
    }
    struct tls_decrypt *dc = state_of(st);
    if (dc == NULL) {
        return DECRYPT_KEYLESS;
    }
    enum decrypt_result result;
    if (st->is_tls13 || (d == DIR_C2S && !st->server_hello_seen && st->tls13_offered)) {
        result = tls13_record(st, dc, d, whole, inner);
    } else {
        result = tls12_record(st, dc, d, type, version, whole, inner);
    }
    if (result == DECRYPT_OK) {
        start_check(st, dc);
        dc->dir[d].seq++;
        st->dir[d].decrypted_records++;
    } else if (result == DECRYPT_KEYLESS) {
        dc->dir[d].seq++; /* counted, for keys that come later */
        dc->keyless_records++;
    } else if (result == DECRYPT_FAILED) {
        forget_plaintext();
        st->dir[d].decrypt_failed = true;
        drop_keys(&dc->dir[d]);
    }
    return result;
}

void decrypt_after_record(struct tls_state *st, enum dir d, uint32_t messages_before)
{
    forget_plaintext();
    struct tls_decrypt *dc = st->decrypt;
    struct tls_dir *td = &st->dir[d];
    if (dc == NULL || td->messages == messages_before) {
        return;
    }
    uint8_t last = td->last_message;
    if (!st->is_tls13) {
        if (last == HS_finished) {
            td->finished = true;
        }
        return;
    }
    struct dir_keys *k = &dc->dir[d];
    switch (last) {
    case HS_finished:
        if (k->phase != PHASE_APPLICATION) {
            td->finished = true;
            td->flight_over = true;
            (void)tls13_next_phase(st, dc, d, PHASE_APPLICATION, true);
        }
        break;
    case HS_end_of_early_data:
        st->early_data_accepted = true;
        (void)tls13_next_phase(st, dc, d, PHASE_HANDSHAKE, true);
        break;
    case HS_key_update:
        /* RFC 8446 4.6.3: the sender's next records are under application_traffic_secret_N+1 */
        k->updates++;
        k->seq = 0;
        if (k->tls13 != NULL && !tls13_protection_update(k->tls13)) {
            drop_keys(k);
        }
        break;
    default:
        break;
    }
}

void decrypt_change_cipher_spec(struct tls_state *st, enum dir d)
{
    if (st->keys == NULL || st->is_tls13 || st->dir[d].decrypt_failed) {
        return;
    }
    struct tls_decrypt *dc = state_of(st);
    if (dc != NULL) {
        dc->dir[d].seq = 0; /* RFC 5246 6.1: each ChangeCipherSpec restarts it */
        dc->dir[d].phase = PHASE_APPLICATION;
        tls12_make_keys(st, dc, d);
    }
}

bool decrypt_active(const struct tls_state *st)
{
    const struct tls_decrypt *dc = st->decrypt;
    if (dc == NULL) {
        return false;
    }
    for (int d = 0; d < 2; d++) {
        if ((dc->dir[d].tls13 != NULL || dc->dir[d].tls12 != NULL) &&
            !st->dir[d].decrypt_failed) {
            return true;
        }
    }
    return !tls_decrypt_failed(st) && keylog_table_growing(st->keys) &&
           dc->keyless_records < DECRYPT_WAIT_RECORDS;
}

void decrypt_check_record(struct tls_state *st, enum dir d, uint8_t type, size_t length,
                          uint8_t inner_type, uint32_t message_types)
{
    struct tls_decrypt *dc = st->decrypt;
    if (dc == NULL || !st->is_tls13 || dc->check == NULL) {
        return;
    }
    inference_check_record(dc->check, d, type, length, inner_type, message_types);
    if (inference_check_settled(dc->check)) {
        /* a keyless run infers nothing past here: the shadow's 2 KiB go now, not at close */
        st->inference_disagreements += inference_check_finish(dc->check, st, false);
        inference_check_free(dc->check);
        dc->check = NULL;
    }
}

void decrypt_check_plaintext(struct tls_state *st, enum dir d)
{
    struct tls_decrypt *dc = st->decrypt;
    if (dc != NULL && dc->check != NULL) {
        inference_check_plaintext(dc->check, d);
    }
}

void decrypt_check_finish(struct tls_state *st, bool closed)
{
    struct tls_decrypt *dc = st->decrypt;
    if (dc != NULL && dc->check != NULL) {
        st->inference_disagreements += inference_check_finish(dc->check, st, closed);
        inference_check_free(dc->check);
        dc->check = NULL;
    }
}

bool decrypt_past_handshake(const struct tls_state *st)
{
    return st->dir[DIR_C2S].finished && st->dir[DIR_S2C].finished && decrypt_active(st);
}

void decrypt_free(struct tls_state *st)
{
    if (st->decrypt == NULL) {
        return;
    }
    inference_check_free(st->decrypt->check);
    drop_keys(&st->decrypt->dir[DIR_C2S]);
    drop_keys(&st->decrypt->dir[DIR_S2C]);
    OPENSSL_cleanse(st->decrypt, sizeof(*st->decrypt));
    free(st->decrypt);
    st->decrypt = NULL;
}
