/* The typed key/value list of one output event; text and JSON are both rendered from it. */
#ifndef HSDUMP_DISSECTORS_FIELDS_H
#define HSDUMP_DISSECTORS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/cursor.h"
#include "base/names.h"

/* Enough for the longest line a real ClientHello yields (hundreds of list items); past it a
 * field is dropped and fields_overflow=true is reported rather than silently cut. */
#define FIELDS_MAX 64
#define FIELDS_BUF 16384

enum field_type {
    FIELD_TOKEN,  /* a name we chose or a formatted number: safe, printed as is */
    FIELD_UINT,   /* decimal number (a JSON number) */
    FIELD_STRING, /* bytes from the wire: always through the escaper */
    FIELD_HEX,    /* opaque bytes, lowercase hex */
    FIELD_BOOL,
    FIELD_LIST,   /* items of type TOKEN, NAME, UINT or STRING */
    FIELD_NAME,   /* a token text output shows as it is, in lists too: a registry name or
                   * a formatted code point (fields_add_name, names tests), or a digest
                   * (fields_add_bare) */
    FIELD_DECIMAL, /* a number with a fraction we formatted ("0.004211"): a JSON number */
};

struct field {
    const char *key; /* static storage: keys are interface, documented in hsdump.1 */
    uint8_t key_len; /* strlen(key), known when the key is a literal (see FIELD_KEY) */
    enum field_type type;
    uint64_t num;   /* FIELD_UINT, FIELD_BOOL */
    uint32_t off;   /* FIELD_TOKEN, STRING, HEX, LIST: bytes in buf */
    uint32_t len;
    uint32_t items; /* FIELD_LIST */
    uint8_t level;  /* shown from this verbosity on (0 always, 1 with -v, 2 with -vv) */
};

struct fields {
    const char *event; /* "handshake", "alert", "close", ... */
    const char *name;  /* message name after the event ("client_hello"), or NULL */
    size_t n;
    bool overflow;
    bool malformed; /* some malformed=, truncated= or desync was recorded */
    bool list_open;
    uint8_t level; /* given to the fields added next */
    struct field f[FIELDS_MAX];
    size_t used;
    uint8_t buf[FIELDS_BUF];
};

/* -vv shows undecoded bodies up to this many bytes each (body=, undecoded=). */
#define FIELDS_UNDECODED_MAX 512

/* A list item in buf: one tag byte (enum field_type), a u16 length, then the bytes. */
#define FIELDS_ITEM_HEADER 3

void fields_init(struct fields *f, const char *event, const char *name);
/* dst becomes a copy of src, copying only the slots and bytes src uses (a struct fields is
 * 17 KB; most events use a few hundred bytes of it). */
void fields_copy(struct fields *dst, const struct fields *src);

/* Fields added from now on are shown only at this verbosity or above (detail, -v; hex of
 * undecoded bytes, -vv). Malformed reports are always shown: they reset nothing. */
void fields_set_level(struct fields *f, uint8_t level);
/* A key and its length: the adders below are inline so that strlen of a literal key is
 * folded at compile time, and the writers copy keys without looking for their end. */
struct field_key {
    const char *s;
    uint8_t len;
};
#define FIELD_KEY(key) ((struct field_key){(key), (uint8_t)strlen(key)})

void fields_add_uint_k(struct fields *f, struct field_key key, uint64_t value);
void fields_add_bool_k(struct fields *f, struct field_key key, bool value);
void fields_add_token_k(struct fields *f, struct field_key key, const char *token);
void fields_add_bare_k(struct fields *f, struct field_key key, const char *token);
void fields_add_name_k(struct fields *f, struct field_key key, enum name_kind kind,
                       uint32_t value);
void fields_add_string_k(struct fields *f, struct field_key key, struct cursor bytes);
/* The first bytes of a longer wire string: kept, then "...", then cut_key=true. */
void fields_add_string_cut_k(struct fields *f, struct field_key key, struct field_key cut_key,
                             struct cursor kept);
/* The whole string if it has at most max bytes, else its first max bytes cut as above. */
void fields_add_string_max_k(struct fields *f, struct field_key key, struct field_key cut_key,
                             struct cursor bytes, size_t max);
void fields_add_hex_k(struct fields *f, struct field_key key, struct cursor bytes);
void fields_add_decimal_k(struct fields *f, struct field_key key, const char *digits);
void fields_list_begin_k(struct fields *f, struct field_key key);

static inline void fields_add_uint(struct fields *f, const char *key, uint64_t value)
{
    fields_add_uint_k(f, FIELD_KEY(key), value);
}

static inline void fields_add_bool(struct fields *f, const char *key, bool value)
{
    fields_add_bool_k(f, FIELD_KEY(key), value);
}

static inline void fields_add_token(struct fields *f, const char *key, const char *token)
{
    fields_add_token_k(f, FIELD_KEY(key), token);
}

/* A token the caller made of letters, digits and '_' only (hex digests, JA4): text output
 * copies it without looking for bytes to escape. */
static inline void fields_add_bare(struct fields *f, const char *key, const char *token)
{
    fields_add_bare_k(f, FIELD_KEY(key), token);
}

static inline void fields_add_name(struct fields *f, const char *key, enum name_kind kind,
                                   uint32_t value)
{
    fields_add_name_k(f, FIELD_KEY(key), kind, value);
}

static inline void fields_add_string(struct fields *f, const char *key, struct cursor bytes)
{
    fields_add_string_k(f, FIELD_KEY(key), bytes);
}

static inline void fields_add_cstring(struct fields *f, const char *key, const char *s)
{
    fields_add_string_k(f, FIELD_KEY(key), cur_make((const uint8_t *)s, strlen(s)));
}

/* Values are never cut silently (hsdump.1): a shortened one ends in "..." and is followed by
 * cut_key=true, conventionally "<key>_truncated". */
static inline void fields_add_string_cut(struct fields *f, const char *key, const char *cut_key,
                                         struct cursor kept)
{
    fields_add_string_cut_k(f, FIELD_KEY(key), FIELD_KEY(cut_key), kept);
}
static inline void fields_add_string_max(struct fields *f, const char *key, const char *cut_key,
                                         struct cursor bytes, size_t max)
{
    fields_add_string_max_k(f, FIELD_KEY(key), FIELD_KEY(cut_key), bytes, max);
}
static inline void fields_add_hex(struct fields *f, const char *key, struct cursor bytes)
{
    fields_add_hex_k(f, FIELD_KEY(key), bytes);
}

/* A number the caller formatted, [-]digits[.digits] (seconds with microseconds): shown as it
 * is, in JSON as a number. */
static inline void fields_add_decimal(struct fields *f, const char *key, const char *digits)
{
    fields_add_decimal_k(f, FIELD_KEY(key), digits);
}

/* Lists are shown whole at every verbosity (hsdump.1, OUTPUT), so that grep and -Y see
 * every offered item. */
static inline void fields_list_begin(struct fields *f, const char *key)
{
    fields_list_begin_k(f, FIELD_KEY(key));
}

void fields_list_token(struct fields *f, const char *token);
void fields_list_name(struct fields *f, enum name_kind kind, uint32_t value);
void fields_list_uint(struct fields *f, uint64_t value);
/* One named item per big-endian u16 of wire (a trailing odd byte is ignored), the same as
 * fields_list_name for each; lists met before are copied from a cache of their items. */
void fields_list_names_u16(struct fields *f, enum name_kind kind, struct cursor wire);
/* Decimal text of value, NUL-terminated (printf is the slow part of busy output paths). */
#define FIELDS_UINT_TEXT 24
size_t fields_format_uint(uint64_t value, char buf[FIELDS_UINT_TEXT]);
void fields_list_string(struct fields *f, struct cursor bytes);
void fields_list_end(struct fields *f);

/* Records malformed=<where> expected="<what>" [at=<offset>]; always returns false so a parser
 * can `return fields_malformed(...)`. */
bool fields_malformed(struct fields *f, const char *where, const char *expected);
bool fields_malformed_at(struct fields *f, const char *where, const char *expected, size_t at);
/* Records truncated=<where> have=N need=M; always returns false. */
bool fields_truncated(struct fields *f, const char *where, size_t have, size_t need);

/* Adds every field of from (a finished list, e.g. a cached certificate description) after
 * those of f, with their levels. */
void fields_append(struct fields *f, const struct fields *from);

/* Lookup for tests and summaries: the field with this key, or NULL. */
const struct field *fields_find(const struct fields *f, const char *key);
/* The bytes of a TOKEN, STRING or HEX field (its raw stored form). */
struct cursor fields_value(const struct fields *f, const struct field *fd);
/* The bytes of a TOKEN, STRING or HEX field, or of a LIST field's first item (the close
 * line's alpn is a list of the one protocol chosen): for writers that take one value. */
struct cursor fields_scalar(const struct fields *f, const struct field *fd);
/* Walks the items of a LIST field: *it starts as fields_value(); false when done. Inline:
 * the writers call it for every item of every list printed. */
static inline bool fields_next_item(struct cursor *it, enum field_type *type,
                                    struct cursor *item)
{
    struct cursor probe = *it;
    uint8_t tag;
    uint16_t n;
    if (!cur_get_u8(&probe, &tag) || !cur_get_u16(&probe, &n) ||
        !cur_get_bytes(&probe, n, item)) {
        return false;
    }
    *type = (enum field_type)tag;
    *it = probe;
    return true;
}

#endif
