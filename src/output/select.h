/* What reaches the output and how much of it: -e FIELD (text, JSON, -T fields, -T csv),
 * -Y EXPR and --conn-filter EXPR (man page, FIELDS and DISPLAY FILTERS). Only used when one
 * of them is given: out_event() then hands every event to out_select_event(). */
#ifndef HSDUMP_SRC_OUTPUT_SELECT_H
#define HSDUMP_SRC_OUTPUT_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct output;
struct event_prefix;
struct fields;
struct options;

/* --conn-filter holds a connection's lines until its close line: at most this many bytes
 * of lines per connection (--conn-filter-hold) and this many, or the per-connection bound
 * if larger, for all connections together; past either, the connection's later lines are
 * dropped and a held_dropped line says how many. */
#define HOLD_CONN_BYTES (256 * 1024)
#define HOLD_TOTAL_BYTES (64 * 1024 * 1024)
/* -e: at most this many fields. */
#define SELECT_FIELDS_MAX 64

/* Whether the options ask for any of it. */
bool out_select_wanted(const struct options *o);
/* Parses -e and compiles -Y and --conn-filter. NULL after printing the one error line on
 * stderr (bad field name or expression, out of memory). */
struct out_select *out_select_new(const struct options *o);
/* Attaches s to o (which owns it from now on); -T csv writes its header line here. */
void out_select_attach(struct output *o, struct out_select *s);
/* At the end of the run: lines held for connections that never closed are dropped (they
 * had no close line to match), and a warning on stderr counts the lines the bounds dropped
 * from connections that matched. */
void out_select_finish(struct output *o);
void out_select_free(struct out_select *s); /* accepts NULL */

void out_select_event(struct output *o, const struct event_prefix *p, const struct fields *f);

/* -e's comma lists split into names: false with a message in err for an empty or bad name
 * or more than SELECT_FIELDS_MAX of them. Repeated names are kept once. */
struct out_ref;
bool select_parse_fields(const char *const *args, size_t n_args, struct out_ref *refs,
                         size_t *n_refs, char *err, size_t errcap);

#endif
