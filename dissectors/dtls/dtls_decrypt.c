/* DTLS decryption with the user's keys (dtls_decrypt.h). Only the hellos' randoms, suite and
 * version are kept per epoch; the master secret is looked up when the epoch's keys are made,
 * copied for that moment only and cleared. */
#include "dtls/dtls_decrypt.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keylog.h"
#include "crypto/tls12_keys.h"

/* One direction's current epoch: what its ChangeCipherSpec fixed, and the keys once found. */
struct epoch_keys {
    bool set;
    uint16_t epoch;
    uint16_t version;
    uint16_t suite;
    bool etm;
    uint8_t client_random[TLS12_RANDOM_LEN];
    uint8_t server_random[TLS12_RANDOM_LEN];
    struct tls12_protection *prot; /* NULL until the master secret is found */
    struct keylog_lookup lookup;
};

struct dtls_decrypt {
    struct epoch_keys dir[2];
};

/* One record's plaintext at a time (dissection is single-threaded). */
static uint8_t plaintext_buf[TLS12_FRAGMENT_MAX];

static void epoch_clear(struct epoch_keys *k)
{
    tls12_protection_free(k->prot);
    OPENSSL_cleanse(k, sizeof(*k));
}

/* The keys of k from the master secret of its client random, when the table has it. */
static void epoch_make_keys(struct epoch_keys *k, const struct tls_state *st, enum dir d)
{
    if (k->prot != NULL) {
        return;
    }
    uint8_t master[KEYLOG_SECRET_MAX];
    size_t len = 0;
    if (keylog_lookup(&k->lookup, st->keys, k->client_random, KEYLOG_CLIENT_RANDOM, master,
                      &len) &&
        len == TLS12_MASTER_SECRET_LEN) {
        k->prot = tls12_protection_new(k->version, k->suite, k->etm, master, k->client_random,
                                       k->server_random, d == DIR_C2S);
    }
    OPENSSL_cleanse(master, sizeof(master));
}

void dtls_decrypt_change_cipher_spec(struct dtls_decrypt **dc, const struct tls_state *st,
                                     enum dir d, uint16_t epoch)
{
    if (!st->randoms_known || epoch == UINT16_MAX ||
        !tls12_suite_supported(st->version, st->cipher_suite)) {
        return;
    }
    if (*dc == NULL) {
        *dc = calloc(1, sizeof(**dc));
        if (*dc == NULL) {
            return;
        }
    }
    struct epoch_keys *k = &(*dc)->dir[d];
    if (k->set && k->epoch == epoch + 1) {
        return; /* RFC 6347 4.2.4: a retransmitted flight repeats its ChangeCipherSpec */
    }
    epoch_clear(k);
    k->set = true;
    k->epoch = (uint16_t)(epoch + 1);
    k->version = st->version;
    k->suite = st->cipher_suite;
    k->etm = st->etm_offered && st->etm_accepted;
    memcpy(k->client_random, st->client_random, TLS12_RANDOM_LEN);
    memcpy(k->server_random, st->server_random, TLS12_RANDOM_LEN);
    epoch_make_keys(k, st, d);
}

enum dtls_decrypt_result dtls_decrypt_record(struct dtls_decrypt *dc, const struct tls_state *st,
                                             enum dir d, uint8_t type, uint16_t version,
                                             uint16_t epoch, uint64_t seq48,
                                             struct cursor fragment, struct cursor *plaintext)
{
    struct epoch_keys *k = &dc->dir[d];
    if (!k->set || k->epoch != epoch) {
        return DTLS_DECRYPT_KEYLESS; /* no ChangeCipherSpec said where this epoch began */
    }
    epoch_make_keys(k, st, d); /* the secret may have come since the ChangeCipherSpec */
    if (k->prot == NULL) {
        return DTLS_DECRYPT_KEYLESS;
    }
    /* RFC 6347 4.1.2.1: the MAC and the AEAD's additional data take epoch + sequence_number
     * where TLS has its implicit 64-bit sequence number */
    uint64_t seq = (uint64_t)epoch << 48 | (seq48 & 0xffffffffffffull);
    size_t len = 0;
    if (tls12_open_record(k->prot, seq, type, version, fragment, plaintext_buf,
                          sizeof(plaintext_buf), &len) != TLS12_OPEN_OK) {
        return DTLS_DECRYPT_FAILED;
    }
    *plaintext = cur_make(plaintext_buf, len);
    return DTLS_DECRYPT_OK;
}

void dtls_decrypt_drop(struct dtls_decrypt *dc, enum dir d)
{
    if (dc != NULL) {
        epoch_clear(&dc->dir[d]);
    }
}

void dtls_decrypt_free(struct dtls_decrypt *dc)
{
    if (dc == NULL) {
        return;
    }
    epoch_clear(&dc->dir[DIR_C2S]);
    epoch_clear(&dc->dir[DIR_S2C]);
    free(dc);
}
