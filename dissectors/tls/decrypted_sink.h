/* A sink that marks every event passing through it as decrypted: what a dissector read from
 * bytes hsdump decrypted with the user's keys says so on its line (decrypted=true), while the
 * dissectors themselves stay the ones that read plaintext. */
#ifndef HSDUMP_DISSECTORS_DECRYPTED_SINK_H
#define HSDUMP_DISSECTORS_DECRYPTED_SINK_H

#include "tls/tls.h"

struct decrypted_sink {
    struct tls_sink sink; /* hand &ds.sink to the dissectors */
    const struct tls_sink *inner;
};

/* ds->sink forwards to inner each event with decrypted=true added; ds must outlive its use. */
void decrypted_sink_init(struct decrypted_sink *ds, const struct tls_sink *inner);

#endif
