/* libFuzzer harness: the record and handshake layers, fed one byte stream per direction.
 * Input: chunks of [direction byte][u16 length][bytes]; each chunk is appended to that
 * direction's stream and rec_consume() takes what it can, as libnids delivers data. Every event
 * is rendered as text and JSON so the output path is fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "render.h"
#include "tls/tls.h"

#define FUZZ_BUDGET 8192

#define STREAM_MAX (1 << 20)

struct direction {
    uint8_t *bytes;
    size_t len;
};

static void feed(struct tls_state *st, enum dir d, struct direction *s,
                 const struct tls_sink *sink)
{
    size_t used = rec_consume(st, d, cur_make(s->bytes, s->len), sink);
    memmove(s->bytes, s->bytes + used, s->len - used);
    s->len -= used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct direction dirs[2];
    if (dirs[0].bytes == NULL) {
        dirs[0].bytes = malloc(STREAM_MAX);
        dirs[1].bytes = malloc(STREAM_MAX);
    }
    dirs[0].len = dirs[1].len = 0;
    struct tls_state st;
    struct tls_sink sink = {fuzz_render, NULL};
    tls_state_init(&st);
    /* a small handshake budget, so that its drops are fuzzed too */
    struct budget budget;
    budget_init(&budget, FUZZ_BUDGET, NULL);
    st.budget = &budget;
    struct cursor in = cur_make(data, size);
    uint8_t which;
    uint16_t len;
    while (cur_get_u8(&in, &which) && cur_get_u16(&in, &len)) {
        struct cursor chunk = cur_take_upto(&in, len);
        enum dir d = (which & 1) ? DIR_S2C : DIR_C2S;
        struct direction *s = &dirs[d];
        if (cur_len(chunk) > STREAM_MAX - s->len) {
            break;
        }
        cur_copy(chunk, s->bytes + s->len);
        s->len += cur_len(chunk);
        feed(&st, d, s, &sink);
    }
    rec_finish(&st, DIR_C2S, cur_make(dirs[0].bytes, dirs[0].len), &sink);
    rec_finish(&st, DIR_S2C, cur_make(dirs[1].bytes, dirs[1].len), &sink);
    tls_state_free(&st);
    return 0;
}
