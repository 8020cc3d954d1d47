/* Lifecycle of the per-connection TLS state. */
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "tls/decrypt.h"
#include "tls/tls.h"

void tls_state_init(struct tls_state *st)
{
    memset(st, 0, sizeof(*st));
}

void tls_state_free(struct tls_state *st)
{
    if (st == NULL) {
        return;
    }
    decrypt_free(st);
    for (size_t d = 0; d < 2; d++) {
        budget_release(st->budget, &st->dir[d].hs_entry);
        budget_release(st->budget, &st->dir[d].rec_entry);
        free(st->dir[d].rec_buf);
        st->dir[d].rec_buf = NULL;
        st->dir[d].rec_len = 0;
        st->dir[d].rec_cap = 0;
        free(st->dir[d].hs_buf);
        st->dir[d].hs_buf = NULL;
        st->dir[d].hs_len = 0;
        st->dir[d].hs_cap = 0;
    }
}

bool tls_version_at_least_1_2(uint16_t version)
{
    if ((version >> 8) == 0xfe) {
        return version <= VERSION_DTLSv1_2;
    }
    return version >= VERSION_TLSv1_2;
}

/* 0x7f00 | NN: draft-ietf-tls-tls13-NN, 0 for any other version. */
static unsigned draft_number(uint16_t version)
{
    return (version >> 8) == 0x7f ? (version & 0xffu) : 0;
}

static bool is_google_experiment(uint16_t version)
{
    return version == VERSION_TLSv1_3_experiment1_google ||
           version == VERSION_TLSv1_3_experiment2_google ||
           version == VERSION_TLSv1_3_experiment3_google;
}

bool tls_version_is_tls13(uint16_t version)
{
    return version == VERSION_TLSv1_3 || version == VERSION_DTLSv1_3 ||
           draft_number(version) != 0 || is_google_experiment(version) ||
           version == VERSION_TLSv1_3_draft23_fb || version == VERSION_TLSv1_3_draft26_fb;
}

bool tls13_server_hello_without_session_id(uint16_t version)
{
    /* the experiments are draft 18 with this very change tried out first */
    return draft_number(version) != 0 && draft_number(version) < 22;
}

bool tls13_end_of_early_data_is_alert(uint16_t version)
{
    return (draft_number(version) != 0 && draft_number(version) < 21) ||
           is_google_experiment(version);
}

bool tls_handshake_done(const struct tls_state *st)
{
    const struct tls_dir *c = &st->dir[DIR_C2S];
    const struct tls_dir *s = &st->dir[DIR_S2C];
    if (!st->server_hello_seen || c->desync || s->desync) {
        return false;
    }
    if (!st->is_tls13) {
        return false; /* skimmed to the end instead: a renegotiation may come (record.c) */
    }
    /* TLS 1.3 hides its flights. Past both, the client's next record ends the tickets
     * (tls13_flight.c), and the server's first record after the client's flight says
     * whether it took that flight (an alert or not); the records a flight has do not
     * count (three with a client certificate, more with early data). A server silent for
     * TLS13_ANSWER_WAIT client records is not waited for any longer. */
    if (!c->flight_over || !s->flight_over || c->after_flight == 0) {
        return false;
    }
    return !tls13_answer_pending(st) || c->after_flight >= TLS13_ANSWER_WAIT;
}

bool tls13_answer_pending(const struct tls_state *st)
{
    if (!st->is_tls13) {
        return false;
    }
    return !st->dir[DIR_C2S].flight_over || st->server_after_client_flight == 0 ||
           st->dir[DIR_S2C].flight_len > 0;
}
