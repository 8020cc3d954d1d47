/* -Y and --conn-filter: a small expression language over one event's fields (man page,
 * DISPLAY FILTERS), compiled once and evaluated per event without allocating. */
#ifndef HSDUMP_SRC_OUTPUT_FILTER_H
#define HSDUMP_SRC_OUTPUT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "base/fields.h"

struct event_prefix;
struct fields;

/* A name -e or a filter refers to: one of the line prefix's pseudo-fields, or a field key. */
enum out_pseudo {
    PSEUDO_NONE, /* a field of the event */
    PSEUDO_TIME,
    PSEUDO_CONN,
    PSEUDO_CLIENT,
    PSEUDO_SERVER,
    PSEUDO_SRC,
    PSEUDO_DST,
    PSEUDO_DIR,
    PSEUDO_EVENT,
    PSEUDO_MESSAGE,
    PSEUDO_OVERFLOW,
};

struct out_ref {
    const char *name; /* NUL-terminated, owned by whoever made the ref */
    enum out_pseudo pseudo;
};

/* The pseudo-field this name stands for, or PSEUDO_NONE. */
enum out_pseudo out_pseudo_of(const char *name);
/* A name is made of letters, digits, '_' and '.' (every key hsdump prints is). */
bool out_ref_name_ok(const char *name, size_t len);
/* Whether a field of this name can appear on some line. Every well-formed name is accepted
 * until the declared key list (--list-fields) is there to check against. */
bool out_ref_known(const char *name);

/* One value as the filter and -e see it: a text (wire bytes unescaped, numbers in decimal,
 * hex as lowercase digits, booleans as true/false) or a list of such items. */
enum out_value_kind { VALUE_ABSENT, VALUE_TEXT, VALUE_LIST };
struct out_value {
    enum out_value_kind kind;
    struct cursor text;  /* VALUE_TEXT */
    struct cursor items; /* VALUE_LIST: walk with fields_next_item() */
    /* the field's type (FIELD_UINT for conn, FIELD_STRING for the other pseudo-fields):
     * JSON writes numbers and booleans bare; a FIELD_HEX text is compared as text, never
     * as a number */
    enum field_type type;
};
/* The value of ref on the line (p, f); a repeated key gives its last value, as in JSON.
 * time is the line's time column, or NULL for ISO 8601 UTC. Texts made here live in buf
 * (cap at least 2 * FIELDS_BUF + 64 for a hex field) until the next call with it. */
struct out_value out_ref_value(const struct out_ref *ref, const struct event_prefix *p,
                               const struct fields *f, const char *time, char *buf,
                               size_t cap);
#define OUT_VALUE_BUF (2 * 16384 + 64)

struct filter;

/* Compiles expr. NULL on a bad expression, with the message in err (without the column) and
 * the 1-based column where the problem is in *column; NULL with *column 0 when out of
 * memory. */
struct filter *filter_compile(const char *expr, char *err, size_t errcap, size_t *column);
/* Whether the line (p, f) matches. */
bool filter_match(const struct filter *flt, const struct event_prefix *p,
                  const struct fields *f);
void filter_free(struct filter *flt); /* accepts NULL */

/* Compiles expr given to option (e.g. "-Y"); on a bad one prints the one line
 * "hsdump: OPTION: column N: MESSAGE: EXPR-WITH-CARET" on stderr and returns NULL. */
struct filter *filter_compile_option(const char *option, const char *expr);

#endif
