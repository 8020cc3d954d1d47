/* Helpers for byte-vector tests: run a dissector into captured events, every-prefix loops. */
#ifndef HSDUMP_TESTS_VECTORS_H
#define HSDUMP_TESTS_VECTORS_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/fields.h"
#include "output/output.h"
#include "output/endpoint.h"
#include "tls/tls.h"

#define VEC_EVENTS_MAX 64
#define VEC_LINE_MAX (4 * FIELDS_BUF + 1024)

/* Collects the text of every emitted event, without the time/id/endpoint prefix. */
struct vec_events {
    size_t n;
    enum dir dirs[VEC_EVENTS_MAX];
    char *lines[VEC_EVENTS_MAX];
    bool any_malformed;
};

void vec_events_init(struct vec_events *ev);
void vec_events_free(struct vec_events *ev);
struct tls_sink vec_sink(struct vec_events *ev);
/* The event text after the endpoints, e.g. "handshake client_hello length=...". */
const char *vec_line(const struct vec_events *ev, size_t i);
/* True when some event line contains needle. */
bool vec_contains(const struct vec_events *ev, const char *needle);

/* Feeds a whole stream of one direction to the record layer, split into pieces of at most
 * chunk bytes (0: all at once), keeping unconsumed bytes like libnids does. */
void vec_feed(struct tls_state *st, enum dir d, const uint8_t *bytes, size_t len, size_t chunk,
              struct vec_events *ev);

/* A real certificate (CN=t.example, P-256, self-signed) for Certificate messages. */
extern const uint8_t vec_cert_der[385];

/* Hex to freshly allocated bytes of exactly that length (so ASan sees any over-read). */
uint8_t *vec_unhex(const char *hex, size_t *len);

#endif
