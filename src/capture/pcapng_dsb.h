/* pcapng Decryption Secrets Blocks (draft-ietf-opsawg-pcapng section 4.7), found in the bytes
 * of a pcapng stream as they pass, whoever reads its packets: libpcap skips these blocks and
 * hands nothing of them over, so the stream is watched on its way to it. Pure: bytes in,
 * secrets handed to a callback; nothing here reads files or knows a key table. */
#ifndef HSDUMP_SRC_CAPTURE_PCAPNG_DSB_H
#define HSDUMP_SRC_CAPTURE_PCAPNG_DSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

#define PCAPNG_DSB_BLOCK_TYPE 0x0000000Au
/* Secrets Type (section 4.7): the NSS key log text, as in an SSLKEYLOGFILE. */
#define PCAPNG_SECRETS_TLS 0x544c534bu       /* 'TLSK' */
#define PCAPNG_SECRETS_WIREGUARD 0x57474b4cu /* 'WGKL': skipped, as any type but TLSK */
/* The largest Decryption Secrets Block gathered; libpcap reads no block longer either
 * (MAX_BLOCKSIZE_MAX in sf-pcapng.c). A longer one is skipped and counted malformed. */
#define PCAPNG_DSB_MAX (16u * 1024 * 1024)

/* Section 4.7, the block's body between its two Block Total Length fields:
 *   Secrets Type (32 bits), Secrets Length (32 bits), Secret Data padded to 32 bits, options.
 * False when Secrets Length runs past the body. The options are not read. */
bool pcapng_dsb_parse(struct cursor body, bool little_endian, uint32_t *secrets_type,
                      struct cursor *secrets);

/* One well-formed block: its offset in the stream, its type and its Secret Data, valid during
 * the call only (the caller clears nothing: the walker clears its copy afterwards). */
typedef void (*pcapng_secrets_fn)(void *ctx, uint64_t offset, uint32_t secrets_type,
                                  struct cursor secrets);

struct pcapng_dsb_counters {
    uint64_t blocks;    /* Decryption Secrets Blocks handed to the callback */
    uint64_t malformed; /* lengths that disagree, Secrets Length past the block, too long */
    bool lost;          /* a block length that cannot be a block's: the rest is not looked at */
};

/* Follows block boundaries from the first byte of a pcapng stream (a Section Header Block),
 * each section in its own byte order; gathers only Decryption Secrets Blocks. */
struct pcapng_dsb_walker;

/* NULL when out of memory. */
struct pcapng_dsb_walker *pcapng_dsb_walker_new(pcapng_secrets_fn fn, void *ctx);
/* Bytes as they come, in pieces of any size. */
void pcapng_dsb_walker_feed(struct pcapng_dsb_walker *w, const uint8_t *data, size_t len);
/* The same stream again from its first byte (read a second time by another reader): blocks
 * that ended within the bytes already seen are not handed over twice. */
void pcapng_dsb_walker_restart(struct pcapng_dsb_walker *w);
const struct pcapng_dsb_counters *pcapng_dsb_walker_counters(const struct pcapng_dsb_walker *w);
/* Clears a block being gathered (secrets) and frees; NULL is fine. */
void pcapng_dsb_walker_free(struct pcapng_dsb_walker *w);

#endif
