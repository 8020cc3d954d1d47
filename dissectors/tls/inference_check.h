/* With the user's keys, hsdump still runs its keyless inference on a shadow of the
 * connection's state, fed only what a keyless run sees (the protected records' types and
 * sizes), and checks each label it gives (inferred=) and each flag it infers against what
 * decryption read. A disagreement is counted (--stats, the close line): there should be none,
 * and a capture with one shows where the inference must be mended. Runs only for TLS 1.3
 * connections being decrypted. */
#ifndef HSDUMP_DISSECTORS_INFERENCE_CHECK_H
#define HSDUMP_DISSECTORS_INFERENCE_CHECK_H

#include <stdint.h>

#include "tls/tls.h"

struct inference_check;

/* A shadow of st as it is now (its hellos read, no protected record yet); NULL when out of
 * memory, and then nothing is checked. */
struct inference_check *inference_check_new(const struct tls_state *st);

/* One protected record of direction d as a keyless run sees it (type, length), and what
 * decryption found in it: its inner content type and, for handshake records, a bit (1 << type)
 * for each handshake message type it holds in whole or in part. */
void inference_check_record(struct inference_check *check, enum dir d, uint8_t type,
                            size_t length, uint8_t inner_type, uint32_t message_types);

/* A plaintext record of direction d went by (it ends what the shadow holds of d's flight). */
void inference_check_plaintext(struct inference_check *check, enum dir d);

/* The shadow's handshake is over as a keyless run sees it (tls_handshake_done): it would infer
 * nothing more, so it can be finished and freed while the connection goes on. */
bool inference_check_settled(const struct inference_check *check);

/* The connection closed: the shadow's last held records and inferred flags are checked
 * against the real ones. Returns the disagreements found in all. */
uint32_t inference_check_finish(struct inference_check *check, const struct tls_state *real,
                                bool closed);

void inference_check_free(struct inference_check *check);

#endif
