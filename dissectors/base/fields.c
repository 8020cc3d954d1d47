/* Building the typed field list of one event; rendering lives in src/output_*.c. */
#include "base/fields.h"

#include <stdio.h>
#include <string.h>

#include "base/cache_ways.h"
#include "base/fnv.h"

void fields_init(struct fields *f, const char *event, const char *name)
{
    f->event = event;
    f->name = name;
    f->n = 0;
    f->overflow = false;
    f->malformed = false;
    f->list_open = false;
    f->level = 0;
    f->used = 0;
}

void fields_copy(struct fields *dst, const struct fields *src)
{
    dst->event = src->event;
    dst->name = src->name;
    dst->n = src->n;
    dst->overflow = src->overflow;
    dst->malformed = src->malformed;
    dst->list_open = src->list_open;
    dst->level = src->level;
    dst->used = src->used;
    memcpy(dst->f, src->f, src->n * sizeof(src->f[0]));
    memcpy(dst->buf, src->buf, src->used);
}

void fields_set_level(struct fields *f, uint8_t level)
{
    f->level = level;
}

/* Reserves a field slot; NULL (and overflow noted) when the event has no room left. */
static struct field *new_field(struct fields *f, struct field_key key, enum field_type type)
{
    if (f->list_open || f->n == FIELDS_MAX) {
        f->overflow = true;
        return NULL;
    }
    struct field *fd = &f->f[f->n];
    fd->key = key.s;
    fd->key_len = key.len;
    fd->type = type;
    fd->num = 0;
    fd->off = (uint32_t)f->used;
    fd->len = 0;
    fd->items = 0;
    fd->level = f->level;
    return fd;
}

static bool room_for(struct fields *f, size_t n)
{
    if (n > FIELDS_BUF - f->used) {
        f->overflow = true;
        return false;
    }
    return true;
}

static void add_bytes_field(struct fields *f, struct field_key key, enum field_type type,
                            struct cursor bytes)
{
    struct field *fd = new_field(f, key, type);
    if (fd == NULL || !room_for(f, cur_len(bytes))) {
        return;
    }
    cur_copy(bytes, f->buf + f->used);
    f->used += cur_len(bytes);
    fd->len = (uint32_t)cur_len(bytes);
    f->n++;
}

void fields_add_uint_k(struct fields *f, struct field_key key, uint64_t value)
{
    struct field *fd = new_field(f, key, FIELD_UINT);
    if (fd != NULL) {
        fd->num = value;
        f->n++;
    }
}

void fields_add_bool_k(struct fields *f, struct field_key key, bool value)
{
    struct field *fd = new_field(f, key, FIELD_BOOL);
    if (fd != NULL) {
        fd->num = value;
        f->n++;
    }
}

void fields_add_token_k(struct fields *f, struct field_key key, const char *token)
{
    add_bytes_field(f, key, FIELD_TOKEN, cur_make((const uint8_t *)token, strlen(token)));
}

void fields_add_bare_k(struct fields *f, struct field_key key, const char *token)
{
    add_bytes_field(f, key, FIELD_NAME, cur_make((const uint8_t *)token, strlen(token)));
}

/* A registered name is used where it is (no copy, length known); others are formatted into
 * buf, in hex, "grease" or a draft version: bare (names tests). *type says whether text
 * output may copy it without a look (FIELD_NAME) or must treat it as a token. */
static inline struct cursor name_text(enum name_kind kind, uint32_t value,
                                      char buf[NAMES_BUF], enum field_type *type)
{
    size_t len;
    bool bare;
    const char *name = names_lookup_len(kind, value, &len, &bare);
    if (name == NULL) {
        name = names_format(kind, value, buf, NAMES_BUF);
        len = strlen(name);
        bare = true;
    }
    *type = bare ? FIELD_NAME : FIELD_TOKEN;
    return cur_make((const uint8_t *)name, len);
}

void fields_add_name_k(struct fields *f, struct field_key key, enum name_kind kind,
                       uint32_t value)
{
    char buf[NAMES_BUF];
    enum field_type type;
    struct cursor name = name_text(kind, value, buf, &type);
    add_bytes_field(f, key, type, name);
}

void fields_add_string_k(struct fields *f, struct field_key key, struct cursor bytes)
{
    add_bytes_field(f, key, FIELD_STRING, bytes);
}

void fields_add_string_cut_k(struct fields *f, struct field_key key, struct field_key cut_key,
                             struct cursor kept)
{
    static const char marker[] = "...";
    struct field *fd = new_field(f, key, FIELD_STRING);
    size_t n = cur_len(kept);
    if (fd == NULL || !room_for(f, n + sizeof(marker) - 1)) {
        return;
    }
    cur_copy(kept, f->buf + f->used);
    memcpy(f->buf + f->used + n, marker, sizeof(marker) - 1);
    f->used += n + sizeof(marker) - 1;
    fd->len = (uint32_t)(n + sizeof(marker) - 1);
    f->n++;
    fields_add_bool_k(f, cut_key, true);
}

void fields_add_string_max_k(struct fields *f, struct field_key key, struct field_key cut_key,
                             struct cursor bytes, size_t max)
{
    if (cur_len(bytes) <= max) {
        fields_add_string_k(f, key, bytes);
        return;
    }
    fields_add_string_cut_k(f, key, cut_key, cur_take_upto(&bytes, max));
}

void fields_add_hex_k(struct fields *f, struct field_key key, struct cursor bytes)
{
    add_bytes_field(f, key, FIELD_HEX, bytes);
}

void fields_add_decimal_k(struct fields *f, struct field_key key, const char *digits)
{
    add_bytes_field(f, key, FIELD_DECIMAL, cur_make((const uint8_t *)digits, strlen(digits)));
}

void fields_list_begin_k(struct fields *f, struct field_key key)
{
    struct field *fd = new_field(f, key, FIELD_LIST);
    if (fd != NULL) {
        f->n++;
        f->list_open = true;
    }
}

static void list_item(struct fields *f, enum field_type type, struct cursor bytes)
{
    if (!f->list_open) {
        return;
    }
    size_t n = cur_len(bytes);
    if (n > UINT16_MAX || !room_for(f, FIELDS_ITEM_HEADER + n)) {
        f->overflow = true;
        return;
    }
    struct field *fd = &f->f[f->n - 1];
    uint8_t *dst = f->buf + f->used;
    dst[0] = (uint8_t)type;
    dst[1] = (uint8_t)(n >> 8);
    dst[2] = (uint8_t)n;
    cur_copy(bytes, dst + FIELDS_ITEM_HEADER);
    f->used += FIELDS_ITEM_HEADER + n;
    fd->len += (uint32_t)(FIELDS_ITEM_HEADER + n);
    fd->items++;
}

void fields_list_token(struct fields *f, const char *token)
{
    list_item(f, FIELD_TOKEN, cur_make((const uint8_t *)token, strlen(token)));
}

void fields_list_name(struct fields *f, enum name_kind kind, uint32_t value)
{
    char buf[NAMES_BUF];
    enum field_type type;
    struct cursor name = name_text(kind, value, buf, &type);
    list_item(f, type, name);
}

/* ---- lists of u16 code points named again: clients of a kind offer the same cipher suites,
 * groups and signature schemes every time, and naming them one by one (a search and a copy
 * per item) was the largest cost of a ClientHello after its fingerprints. The items a list's
 * wire bytes became are kept by kind and bytes, in sets picked by a hash of both, and found
 * again by comparing both whole. */

#define NAMED_SETS 16
#define NAMED_WAYS 4
#define NAMED_WIRE_MAX 128  /* 64 code points; longer lists are named each time */
#define NAMED_ITEMS_MAX 2048

struct named_key {
    enum name_kind kind;
    struct cursor wire;
};

static struct named_list {
    struct cache_way way;
    enum name_kind kind;
    size_t wire_len;
    uint8_t wire[NAMED_WIRE_MAX];
    uint32_t items;
    size_t items_len;
    uint8_t item_bytes[NAMED_ITEMS_MAX];
} named_cache[NAMED_SETS][NAMED_WAYS];
static uint64_t named_clock;

static bool holds_list(const void *entry, const void *key)
{
    const struct named_list *e = entry;
    const struct named_key *k = key;
    return e->kind == k->kind && cur_equal(k->wire, e->wire, e->wire_len);
}

static void name_each(struct fields *f, enum name_kind kind, struct cursor wire)
{
    uint16_t value;
    while (cur_get_u16(&wire, &value)) {
        fields_list_name(f, kind, value);
    }
}

void fields_list_names_u16(struct fields *f, enum name_kind kind, struct cursor wire)
{
    size_t len = cur_len(wire);
    if (!f->list_open || len > NAMED_WIRE_MAX) {
        name_each(f, kind, wire);
        return;
    }
    uint8_t bytes[NAMED_WIRE_MAX];
    cur_copy(wire, bytes);
    struct named_key key = {kind, wire};
    uint64_t h = fnv1a64_words(FNV1A64_BASIS ^ (uint64_t)kind, bytes, len);
    bool hit;
    struct named_list *e = cache_pick(named_cache[h % NAMED_SETS], NAMED_WAYS,
                                      sizeof(named_cache[0][0]), holds_list, &key,
                                      &named_clock, &hit);
    struct field *fd = &f->f[f->n - 1];
    if (hit && e->items_len <= FIELDS_BUF - f->used) {
        memcpy(f->buf + f->used, e->item_bytes, e->items_len);
        f->used += e->items_len;
        fd->len += (uint32_t)e->items_len;
        fd->items += e->items;
        return;
    }
    /* named here, then kept when whole: what this list added is the tail of buf */
    size_t start = f->used;
    uint32_t items_before = fd->items;
    bool overflow_before = f->overflow;
    name_each(f, kind, wire);
    size_t added = f->used - start;
    if (hit || f->overflow != overflow_before || added > NAMED_ITEMS_MAX) {
        if (!hit) {
            e->way.last_used = 0; /* nothing kept: empty again */
        }
        return;
    }
    e->kind = kind;
    e->wire_len = len;
    memcpy(e->wire, bytes, len);
    e->items = fd->items - items_before;
    e->items_len = added;
    memcpy(e->item_bytes, f->buf + start, added);
}

/* Two digits at a time from a table of the hundred pairs, from the end of a scratch buffer
 * (a division per two digits, not per digit: every number of every line goes through here). */
size_t fields_format_uint(uint64_t value, char buf[FIELDS_UINT_TEXT])
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                "31323334353637383940414243444546474849505152535455565758596061"
                                "62636465666768697071727374757677787980818283848586878889909192"
                                "93949596979899";
    char digits[FIELDS_UINT_TEXT];
    size_t at = sizeof(digits);
    while (value >= 100) {
        unsigned pair = (unsigned)(value % 100);
        value /= 100;
        at -= 2;
        memcpy(digits + at, pairs + 2 * pair, 2);
    }
    if (value >= 10) {
        at -= 2;
        memcpy(digits + at, pairs + 2 * value, 2);
    } else {
        digits[--at] = (char)('0' + value);
    }
    size_t n = sizeof(digits) - at;
    memcpy(buf, digits + at, n);
    buf[n] = '\0';
    return n;
}

void fields_list_uint(struct fields *f, uint64_t value)
{
    char buf[FIELDS_UINT_TEXT];
    size_t n = fields_format_uint(value, buf);
    list_item(f, FIELD_UINT, cur_make((const uint8_t *)buf, n));
}

void fields_list_string(struct fields *f, struct cursor bytes)
{
    list_item(f, FIELD_STRING, bytes);
}

void fields_list_end(struct fields *f)
{
    f->list_open = false;
}

/* Problems are shown at every verbosity, whatever level the fields around them have. */
bool fields_malformed_at(struct fields *f, const char *where, const char *expected, size_t at)
{
    fields_malformed(f, where, expected);
    uint8_t level = f->level;
    f->level = 0;
    fields_add_uint(f, "at", at);
    f->level = level;
    return false;
}

bool fields_malformed(struct fields *f, const char *where, const char *expected)
{
    uint8_t level = f->level;
    fields_list_end(f);
    f->malformed = true;
    f->level = 0;
    fields_add_token(f, "malformed", where);
    fields_add_cstring(f, "expected", expected);
    f->level = level;
    return false;
}

bool fields_truncated(struct fields *f, const char *where, size_t have, size_t need)
{
    uint8_t level = f->level;
    fields_list_end(f);
    f->malformed = true;
    f->level = 0;
    fields_add_token(f, "truncated", where);
    fields_add_uint(f, "have", have);
    fields_add_uint(f, "need", need);
    f->level = level;
    return false;
}

void fields_append(struct fields *f, const struct fields *from)
{
    fields_list_end(f);
    for (size_t i = 0; i < from->n; i++) {
        const struct field *src = &from->f[i];
        struct field *fd = new_field(f, (struct field_key){src->key, src->key_len}, src->type);
        if (fd == NULL || !room_for(f, src->len)) {
            return;
        }
        *fd = *src;
        fd->off = (uint32_t)f->used;
        memcpy(f->buf + f->used, from->buf + src->off, src->len);
        f->used += src->len;
        f->n++;
    }
    f->malformed |= from->malformed;
    f->overflow |= from->overflow;
}

const struct field *fields_find(const struct fields *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->f[i].key, key) == 0) {
            return &f->f[i];
        }
    }
    return NULL;
}

struct cursor fields_value(const struct fields *f, const struct field *fd)
{
    return cur_make(f->buf + fd->off, fd->len);
}


struct cursor fields_scalar(const struct fields *f, const struct field *fd)
{
    struct cursor value = fields_value(f, fd);
    if (fd->type != FIELD_LIST) {
        return value;
    }
    enum field_type type;
    struct cursor item;
    return fields_next_item(&value, &type, &item) ? item : cur_make(NULL, 0);
}
