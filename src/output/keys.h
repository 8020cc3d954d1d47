/* The declared list of output keys (keys.def): one JSON type per key, the events that carry
 * it, and its meaning; --list-fields prints it, man/hsdump.schema.json is made from it. */
#ifndef HSDUMP_SRC_OUTPUT_KEYS_H
#define HSDUMP_SRC_OUTPUT_KEYS_H

#include <stddef.h>
#include <stdio.h>

enum key_type {
    KEY_TOKEN,
    KEY_STRING,
    KEY_HEX,
    KEY_UINT,
    KEY_DECIMAL,
    KEY_BOOL,
    KEY_LIST,
    KEY_UINTS,
    KEY_COUNTS,
    KEY_TYPE_COUNT
};

struct key_info {
    const char *name;
    enum key_type type;
    const char *events; /* space-separated event names; "*": every event of a connection */
    const char *meaning;
};

extern const struct key_info keys_table[];
extern const size_t keys_count;
/* Every event of a connection, then the --report objects' events; NULL-terminated. */
extern const char *const keys_events[];
extern const char *const keys_report_events[];

/* "token", "string", ...: the type column of --list-fields. */
const char *keys_type_name(enum key_type type);
/* The declared key, or NULL. */
const struct key_info *keys_find(const char *name);
/* Whether the list declares key, for event, with the JSON type field values of type ftype (an
 * enum field_type of base/fields.h) render as: NULL when it does, else what is wrong (for
 * tests; not on the output path). */
struct field;
struct fields;
const char *keys_check(const struct fields *f, const struct field *fd);
/* --list-fields: name, type, events and meaning, tab-separated, one key a line. */
void keys_print(FILE *fp);

#endif
