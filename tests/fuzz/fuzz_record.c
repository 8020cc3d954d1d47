/* libFuzzer harness: the record and handshake layers, fed one byte stream per direction.
 * Input: chunks of [direction byte][u16 length][bytes]; each chunk is appended to that
 * direction's stream and rec_consume() takes what it can, as libnids delivers data. Every event
 * is rendered as text and JSON so the output path is fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "endpoint.h"
#include "fields.h"
#include "output.h"
#include "tls.h"

#define STREAM_MAX (1 << 20)

static char line[6 * FIELDS_BUF + 1024];

static void render(void *ctx, enum dir d, const struct fields *f)
{
    (void)ctx;
    struct endpoint client = {4, {192, 0, 2, 1}, 1000};
    struct endpoint server = {4, {192, 0, 2, 2}, 443};
    struct event_prefix p = {{0, 0}, 1, &client, &server, d};
    struct output_style style = {FORMAT_TEXT, TIME_NONE, 0, false};
    out_text_line(&style, "", &p, f, line, sizeof(line));
    style.verbosity = 2;
    out_text_line(&style, "", &p, f, line, sizeof(line));
    out_json_line(&style, "", &p, f, line, sizeof(line));
}

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
    struct tls_sink sink = {render, NULL};
    tls_state_init(&st);
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
