/* Implementation of the byte-vector helpers. */
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>

#define VEC_PREFIX "c1 192.0.2.1:1000 -> 192.0.2.2:443 "

static void collect(void *ctx, enum dir d, const struct fields *f)
{
    struct vec_events *ev = ctx;
    static const struct endpoint client = {4, {192, 0, 2, 1}, 1000};
    static const struct endpoint server = {4, {192, 0, 2, 2}, 443};
    struct event_prefix p = {{946684800, 0}, 1, &client, &server, DIR_C2S, NULL, NULL, NULL, 0, 0};
    if (ev->n == VEC_EVENTS_MAX) {
        return;
    }
    char *line = malloc(VEC_LINE_MAX);
    ck_assert_ptr_nonnull(line);
    size_t n = out_text_line(NULL, "", &p, f, line, VEC_LINE_MAX);
    line[n - 1] = '\0';
    ev->dirs[ev->n] = d;
    ev->lines[ev->n++] = line;
    ev->any_malformed |= f->malformed;
}

void vec_events_init(struct vec_events *ev)
{
    memset(ev, 0, sizeof(*ev));
}

void vec_events_free(struct vec_events *ev)
{
    for (size_t i = 0; i < ev->n; i++) {
        free(ev->lines[i]);
    }
    ev->n = 0;
}

struct tls_sink vec_sink(struct vec_events *ev)
{
    struct tls_sink s = {collect, ev};
    return s;
}

const char *vec_line(const struct vec_events *ev, size_t i)
{
    ck_assert_uint_lt(i, ev->n);
    return ev->lines[i] + strlen(VEC_PREFIX);
}

bool vec_contains(const struct vec_events *ev, const char *needle)
{
    for (size_t i = 0; i < ev->n; i++) {
        if (strstr(ev->lines[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

void vec_feed(struct tls_state *st, enum dir d, const uint8_t *bytes, size_t len, size_t chunk,
              struct vec_events *ev)
{
    struct tls_sink sink = vec_sink(ev);
    uint8_t *pending = malloc(len + 1);
    size_t have = 0;
    size_t fed = 0;
    ck_assert_ptr_nonnull(pending);
    while (fed < len) {
        size_t n = (chunk == 0 || len - fed < chunk) ? len - fed : chunk;
        memcpy(pending + have, bytes + fed, n);
        have += n;
        fed += n;
        size_t used = rec_consume(st, d, cur_make(pending, have), &sink);
        ck_assert_uint_le(used, have);
        memmove(pending, pending + used, have - used);
        have -= used;
    }
    rec_finish(st, d, cur_make(pending, have), &sink);
    free(pending);
}

uint8_t *vec_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n > 0 ? n : 1);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    *len = n;
    return out;
}
