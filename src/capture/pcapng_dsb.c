/* Decryption Secrets Blocks picked out of a pcapng byte stream (draft-ietf-opsawg-pcapng
 * sections 3.1, 4.1 and 4.7). Only block boundaries are followed: every block starts with
 * Block Type and Block Total Length, so all but the secrets blocks are passed over unread. */
#include "capture/pcapng_dsb.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define BYTE_ORDER_MAGIC_SWAPPED 0x4D3C2B1Au
/* Block Type and Block Total Length; a Section Header Block's byte-order magic follows. */
#define HEAD_LEN 8u
#define SHB_HEAD_LEN 12u
/* Block Type, Block Total Length ... Block Total Length (section 3.1). */
#define BLOCK_OVERHEAD 12u
#define BODY_START_CAP 4096u

enum walk_state {
    WALK_HEAD,   /* gathering a block's first bytes */
    WALK_SKIP,   /* passing over the rest of a block */
    WALK_GATHER, /* keeping the rest of a Decryption Secrets Block */
    WALK_LOST,   /* a length no block has: where the next block starts is unknown */
};

struct pcapng_dsb_walker {
    pcapng_secrets_fn fn;
    void *ctx;
    enum walk_state state;
    uint64_t offset;      /* bytes seen since the stream's first */
    uint64_t block_start; /* offset of the block being walked */
    uint64_t seen_before; /* after a restart: blocks ending here or before were handled */
    uint8_t head[SHB_HEAD_LEN];
    size_t head_len;
    size_t head_need;
    bool little_endian; /* of the current section */
    bool have_section;
    uint32_t block_len;
    uint64_t remaining; /* bytes of the block still to come */
    uint8_t *body;      /* a secrets block from its Secrets Type to its trailing length */
    size_t body_len;
    size_t body_cap;
    struct pcapng_dsb_counters counters;
};

static uint32_t load32(const uint8_t *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static bool get32(struct cursor *c, bool le, uint32_t *v)
{
    uint32_t be;
    if (!cur_get_u32(c, &be)) {
        return false;
    }
    *v = le ? __builtin_bswap32(be) : be;
    return true;
}

bool pcapng_dsb_parse(struct cursor body, bool little_endian, uint32_t *secrets_type,
                      struct cursor *secrets)
{
    uint32_t length;
    /* The padding to 32 bits needs no check: the body's length is a multiple of 4 (section
     * 3.1), so Secret Data that fits leaves room for its padding. */
    return get32(&body, little_endian, secrets_type) && get32(&body, little_endian, &length) &&
           cur_get_bytes(&body, length, secrets);
}

struct pcapng_dsb_walker *pcapng_dsb_walker_new(pcapng_secrets_fn fn, void *ctx)
{
    struct pcapng_dsb_walker *w = calloc(1, sizeof(*w));
    if (w != NULL) {
        w->fn = fn;
        w->ctx = ctx;
        w->head_need = HEAD_LEN;
    }
    return w;
}

static void forget_body(struct pcapng_dsb_walker *w)
{
    if (w->body != NULL) {
        OPENSSL_cleanse(w->body, w->body_len);
    }
    w->body_len = 0;
}

void pcapng_dsb_walker_free(struct pcapng_dsb_walker *w)
{
    if (w == NULL) {
        return;
    }
    forget_body(w);
    free(w->body);
    free(w);
}

const struct pcapng_dsb_counters *pcapng_dsb_walker_counters(const struct pcapng_dsb_walker *w)
{
    return &w->counters;
}

void pcapng_dsb_walker_restart(struct pcapng_dsb_walker *w)
{
    forget_body(w);
    if (w->offset > w->seen_before) {
        w->seen_before = w->offset;
    }
    w->offset = 0;
    w->block_start = 0;
    w->state = WALK_HEAD;
    w->head_len = 0;
    w->head_need = HEAD_LEN;
    w->have_section = false;
    w->counters.lost = false;
}

/* Counted once, even when the stream is walked again. */
static bool first_time(const struct pcapng_dsb_walker *w)
{
    return w->block_start + w->block_len > w->seen_before;
}

static void next_block(struct pcapng_dsb_walker *w)
{
    w->state = WALK_HEAD;
    w->head_len = 0;
    w->head_need = HEAD_LEN;
    w->block_start = w->offset;
}

/* The block's head is in: its type and length tell what to do with the rest. */
static void begin_block(struct pcapng_dsb_walker *w)
{
    uint32_t raw_type = load32(w->head, false);
    if (raw_type == BT_SHB) {
        if (w->head_need == HEAD_LEN) {
            w->head_need = SHB_HEAD_LEN; /* section 4.1: the magic tells the byte order */
            return;
        }
        uint32_t magic = load32(w->head + HEAD_LEN, false);
        if (magic != BYTE_ORDER_MAGIC && magic != BYTE_ORDER_MAGIC_SWAPPED) {
            w->state = WALK_LOST;
            w->counters.lost = true;
            return;
        }
        w->little_endian = magic == BYTE_ORDER_MAGIC_SWAPPED;
        w->have_section = true;
    }
    uint32_t type = load32(w->head, w->little_endian);
    w->block_len = load32(w->head + 4, w->little_endian);
    /* Section 3.1: a length is a multiple of 4 and covers at least the block's own fields. */
    if (!w->have_section || w->block_len < BLOCK_OVERHEAD || w->block_len % 4 != 0 ||
        w->block_len < w->head_len) {
        w->state = WALK_LOST;
        w->counters.lost = true;
        return;
    }
    w->remaining = w->block_len - w->head_len;
    w->state = WALK_SKIP;
    if (type == PCAPNG_DSB_BLOCK_TYPE && raw_type != BT_SHB) {
        if (w->block_len > PCAPNG_DSB_MAX) {
            w->counters.malformed += first_time(w) ? 1 : 0;
        } else {
            w->state = WALK_GATHER;
            w->body_len = 0;
        }
    }
    if (w->remaining == 0) {
        next_block(w);
    }
}

/* Room for n more body bytes. The buffer grows with the bytes that came, not with what the
 * length claims; it is copied and cleared rather than realloc'd, which could leave secrets
 * behind in freed memory. */
static bool body_room(struct pcapng_dsb_walker *w, size_t n)
{
    if (w->body_len + n <= w->body_cap) {
        return true;
    }
    size_t cap = w->body_cap != 0 ? w->body_cap : BODY_START_CAP;
    while (cap < w->body_len + n) {
        cap *= 2;
    }
    uint8_t *grown = malloc(cap);
    if (grown == NULL) {
        return false;
    }
    if (w->body != NULL) {
        memcpy(grown, w->body, w->body_len);
        OPENSSL_cleanse(w->body, w->body_len);
        free(w->body);
    }
    w->body = grown;
    w->body_cap = cap;
    return true;
}

/* The whole block is in: its trailing length must repeat the first (section 3.1). */
static void end_secrets_block(struct pcapng_dsb_walker *w)
{
    struct cursor whole = cur_make(w->body, w->body_len);
    struct cursor body;
    struct cursor secrets;
    uint32_t trailing_len;
    uint32_t secrets_type;
    bool ok = cur_get_bytes(&whole, w->body_len - 4, &body) &&
              get32(&whole, w->little_endian, &trailing_len) && trailing_len == w->block_len &&
              pcapng_dsb_parse(body, w->little_endian, &secrets_type, &secrets);
    if (first_time(w)) {
        if (!ok) {
            w->counters.malformed++;
        } else {
            w->counters.blocks++;
            w->fn(w->ctx, w->block_start, secrets_type, secrets);
        }
    }
    forget_body(w);
}

/* The common case, a run of whole blocks inside data, none a section header or a secrets
 * block: hopped over by their lengths, two loads a block. Returns the bytes hopped over;
 * anything else is left to the byte-by-byte states. */
static size_t hop_whole_blocks(struct pcapng_dsb_walker *w, const uint8_t *data, size_t len)
{
    size_t done = 0;
    while (len - done >= HEAD_LEN) {
        const uint8_t *head = data + done;
        uint32_t raw_type = load32(head, false);
        uint32_t block_len = load32(head + 4, w->little_endian);
        if (raw_type == BT_SHB || load32(head, w->little_endian) == PCAPNG_DSB_BLOCK_TYPE ||
            block_len < BLOCK_OVERHEAD || block_len % 4 != 0 || block_len > len - done) {
            break;
        }
        done += block_len;
    }
    return done;
}

void pcapng_dsb_walker_feed(struct pcapng_dsb_walker *w, const uint8_t *data, size_t len)
{
    while (len > 0 && w->state != WALK_LOST) {
        if (w->state == WALK_HEAD && w->head_len == 0 && w->have_section) {
            size_t hopped = hop_whole_blocks(w, data, len);
            data += hopped;
            len -= hopped;
            w->offset += hopped;
            w->block_start = w->offset;
            if (len == 0) {
                break;
            }
        }
        size_t take = len;
        switch (w->state) {
        case WALK_HEAD:
            take = w->head_need - w->head_len < len ? w->head_need - w->head_len : len;
            memcpy(w->head + w->head_len, data, take);
            w->head_len += take;
            break;
        case WALK_SKIP:
        case WALK_GATHER:
            take = w->remaining < len ? (size_t)w->remaining : len;
            if (w->state == WALK_GATHER) {
                if (body_room(w, take)) {
                    memcpy(w->body + w->body_len, data, take);
                    w->body_len += take;
                } else {
                    forget_body(w); /* out of memory: the block is passed over */
                    w->counters.malformed += first_time(w) ? 1 : 0;
                    w->state = WALK_SKIP;
                }
            }
            w->remaining -= take;
            break;
        case WALK_LOST:
        default:
            return;
        }
        data += take;
        len -= take;
        w->offset += take;
        if (w->state == WALK_HEAD && w->head_len == w->head_need) {
            begin_block(w);
        } else if (w->state != WALK_HEAD && w->remaining == 0) {
            if (w->state == WALK_GATHER) {
                end_secrets_block(w);
            }
            next_block(w);
        }
    }
}
