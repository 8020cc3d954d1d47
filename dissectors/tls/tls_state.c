/* Lifecycle of the per-connection TLS state. */
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
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
    /* TLS 1.3 hides its flights: the server's flight plus a later record (a ticket or data),
     * and the client's Finished plus a later record, leave nothing plaintext to come. */
    return c->flight_over && s->flight_over && c->encrypted_records >= 2 &&
           s->encrypted_records >= 2;
}
