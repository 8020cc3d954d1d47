/* What a ladder diagram shows, apart from how it is drawn: each connection's events kept as
 * rows (direction, time, message name and its key facts in text form), and at its close the
 * whole drawing's content (header, rows with the time between flights, the row bound's
 * note, footer). One model for both renderers: the terminal's (ladder.c, -T ladder) and the
 * HTML report's SVG (html.c, --html); hsdump.1, LADDER DIAGRAMS. */
#ifndef HSDUMP_SRC_OUTPUT_LADDER_MODEL_H
#define HSDUMP_SRC_OUTPUT_LADDER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "output/ladder.h"
#include "output/output.h"

struct fields;
struct filter;

enum {
    LADDER_ROW_BRACES = 1,   /* protected on the wire: drawn in {braces} */
    LADDER_ROW_INFERRED = 2, /* named from its size and position, not read: "?" after it */
    LADDER_ROW_ALERT = 4,    /* an alert, a malformed or lost unit: red */
};

struct ladder_row {
    struct timeval ts;
    uint8_t dir; /* enum dir */
    uint8_t flags;
    /* "Label fact fact ...": no value holds a space once escaped (out_text_value), and
     * every byte is printable ASCII */
    char text[LADDER_FACTS_MAX + 48];
};

struct ladder_conn {
    uint64_t id;
    struct ladder_row *rows;
    uint16_t n, cap;
    uint32_t more; /* rows past LADDER_ROWS_MAX */
    bool matched;  /* -Y matched one of its events */
};

struct ladder_model;

/* display (-Y, may be NULL) picks the connections drawn; the model owns it. NULL when out
 * of memory. */
struct ladder_model *ladder_model_new(struct filter *display);
void ladder_model_free(struct ladder_model *m);
/* Keeps one event. At a close line returns true when the connection is to be drawn (-Y
 * matched it) and sets *c to its rows (NULL when none were kept); the caller draws it,
 * then calls ladder_model_forget(). */
bool ladder_model_event(struct ladder_model *m, const struct event_prefix *p,
                        const struct fields *f, const struct ladder_conn **c);
void ladder_model_forget(struct ladder_model *m, uint64_t id);

#define LADDER_LINE_TEXT 4096

/* The drawing of one closed connection, every value already in text form. */
struct ladder_view {
    const struct ladder_conn *c; /* its rows, or NULL */
    struct timeval start;
    char head[EVENT_HEAD_MAX + 80];  /* "[start] c<id> <client> -> <server>" */
    char facts[LADDER_LINE_TEXT];    /* "version=... cipher_suite=..." or "" */
    char status[LADDER_LINE_TEXT];   /* "status=... cause=... end=... duration=..." */
    char counts[LADDER_LINE_TEXT];   /* "records_c2s=... bytes_c2s=..." or "" */
    char more[96];                   /* "N more not drawn (at most 64 rows)" or "" */
    bool failed;                     /* status=failed */
};

/* Fills v from the connection's rows and its close line (p, f); the start time is written
 * as the output's time mode writes it (o). */
void ladder_view_make(struct ladder_view *v, struct output *o, const struct ladder_conn *c,
                      const struct event_prefix *p, const struct fields *f);
/* The left margin of row i: true when it starts a flight (the other direction spoke
 * before, or it is the first), with the time since the previous row ("+1.7ms") in buf. */
bool ladder_view_gap(const struct ladder_view *v, size_t i, char *buf, size_t cap);

/* A field's value as the text output writes it (escaped, list items joined by ','), cut
 * with "..." to cap bytes; "" and false when the event has no such field. */
bool ladder_field_text(const struct fields *f, const char *key, char *buf, size_t cap);

/* The next words of text that fit in room columns (at least one word, cut with "..." when
 * it alone is longer: *cut set): its length, and *next past it. */
size_t ladder_take_words(const char *text, size_t room, const char **next, bool *cut);

#endif
