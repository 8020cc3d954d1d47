/* The declared list of output keys (keys.def): one JSON type per key, the events that carry
 * it, and its meaning; --list-fields prints it, man/hsdump.schema.json is made from it. */
#ifndef HSDUMP_SRC_OUTPUT_KEYS_H
#define HSDUMP_SRC_OUTPUT_KEYS_H

#include <stddef.h>
#include <stdio.h>

struct field;
struct fields;

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
/* The events of a connection's lines, and those of --report's objects; NULL-terminated. */
extern const char *const keys_events[];
extern const char *const keys_report_events[];

/* "token", "string", ...: the type column of --list-fields. */
const char *keys_type_name(enum key_type type);
/* The declared key, or NULL. */
const struct key_info *keys_find(const char *name);
/* NULL when the list declares fd's key for f's event with the JSON type fd renders as, else
 * what is wrong. For tests (tests/vectors.c checks every event they dissect); a lookup per
 * field has no place on the output path. */
const char *keys_check(const struct fields *f, const struct field *fd);
/* --list-fields: name, type, events and meaning, tab-separated, one key a line. */
void keys_print(FILE *fp);

#endif
