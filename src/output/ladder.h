/* -T ladder: each connection drawn at its close as a message sequence diagram, client on the
 * left, server on the right, as RFC 8446 section 2 and RFC 5246 section 7.3 draw handshakes
 * (hsdump.1, LADDER DIAGRAMS). */
#ifndef HSDUMP_SRC_OUTPUT_LADDER_H
#define HSDUMP_SRC_OUTPUT_LADDER_H

#include <stdbool.h>

struct ladder;
struct output;
struct event_prefix;
struct fields;
struct filter;

/* What is kept of a connection until its close is bounded: at most LADDER_ROWS_MAX rows
 * (the rest counted, "... N more"), each row's facts at most LADDER_FACTS_MAX bytes (cut,
 * ending in "..."), for at most LADDER_CONNS_MAX connections at once (one past the bound
 * is drawn from its close line alone). */
#define LADDER_ROWS_MAX 64
#define LADDER_FACTS_MAX 240
#define LADDER_CONNS_MAX (1u << 18)
/* Width bounds: COLUMNS outside them is taken as the nearest. */
#define LADDER_WIDTH_MIN 60
#define LADDER_WIDTH_MAX 300

struct ladder_style {
    bool utf8;   /* box-drawing characters, else ASCII */
    bool colour; /* ANSI colours: alerts and failures red, inferred rows dim */
    int width;   /* columns */
};

/* The style for standard output: UTF-8 when the locale's codeset is (and not ascii), colour
 * on a terminal without NO_COLOR, width from COLUMNS or the terminal, 80 when not one. */
struct ladder_style ladder_style_for_stdout(bool ascii);
/* display (-Y, may be NULL) picks the connections drawn: one of whose events it matches. The
 * ladder owns it. NULL when out of memory. */
struct ladder *ladder_new(const struct ladder_style *style, struct filter *display);
void ladder_event(struct ladder *l, struct output *o, const struct event_prefix *p,
                  const struct fields *f);
void ladder_free(struct ladder *l);

#endif
