/* QUIC packets sealed as a peer would (RFC 9001 5: the AEAD of the keys, then header
 * protection): Initial packets with the Initial keys of a Destination Connection ID, Handshake
 * packets with a handshake traffic secret of a TLS 1.3 suite. The inverse of what
 * dissectors/quic/quic.c opens, for the unit tests and the datagram fuzzer. */
#ifndef HSDUMP_TESTS_QUIC_SEAL_H
#define HSDUMP_TESTS_QUIC_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUIC_SEAL_MAX 1500 /* the largest packet sealed */

/* RFC 9000 19.6: a CRYPTO frame with 2-byte varints (offset and len below 16384) into out;
 * returns its length. */
size_t quic_seal_crypto_frame(size_t offset, const uint8_t *data, size_t len, uint8_t *out);

/* One Initial packet (4-byte packet number, no token, no Source Connection ID; the client's
 * carries dcid) whose payload is frames, padded with PADDING to pad_to bytes when longer.
 * Returns its length in out (QUIC_SEAL_MAX bytes), 0 when frames do not fit or libcrypto
 * fails. */
size_t quic_seal_initial(uint32_t version, const uint8_t dcid[8], bool from_client, uint32_t pn,
                         const uint8_t *frames, size_t frames_len, size_t pad_to, uint8_t *out);

/* One Handshake packet (RFC 9000 17.2.4; 4-byte packet number, empty connection IDs) whose
 * payload is frames, protected with the keys of secret (a handshake traffic secret of suite,
 * RFC 9001 5.1). Returns its length in out (QUIC_SEAL_MAX bytes), 0 on failure. */
size_t quic_seal_handshake(uint32_t version, uint16_t suite, const uint8_t *secret,
                           size_t secret_len, uint32_t pn, const uint8_t *frames,
                           size_t frames_len, uint8_t *out);

#endif
