/* NSS key log parsing and the secrets table (see keylog.h for the format and its sources). */
#include "crypto/keylog.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"

#define STRINGIFY(x) #x
#define TEXT_OF(x) STRINGIFY(x)
#define LINE_MAX_TEXT TEXT_OF(KEYLOG_LINE_MAX)

static const char *const label_names[KEYLOG_LABEL_COUNT] = {
    [KEYLOG_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [KEYLOG_CLIENT_TRAFFIC_SECRET_0] = "CLIENT_TRAFFIC_SECRET_0",
    [KEYLOG_SERVER_TRAFFIC_SECRET_0] = "SERVER_TRAFFIC_SECRET_0",
    [KEYLOG_EXPORTER_SECRET] = "EXPORTER_SECRET",
};

const char *keylog_label_name(enum keylog_label label)
{
    return (unsigned)label < KEYLOG_LABEL_COUNT ? label_names[label] : "?";
}

struct keylog_entry {
    uint8_t random[KEYLOG_RANDOM_LEN];
    uint8_t secret_len[KEYLOG_LABEL_COUNT]; /* 0: no secret for this label */
    uint8_t secret[KEYLOG_LABEL_COUNT][KEYLOG_SECRET_MAX];
};

/* Entries live in one array grown by doubling; an open-addressing index (linear probing, load
 * at most one half) maps a client random to its entry. The key log is the user's own file,
 * so a fixed hash is enough. */
struct keylog_table {
    struct keylog_entry *entries;
    size_t count, capacity, max_entries;
    uint32_t *slots; /* entry index + 1; 0 is empty */
    size_t slot_count; /* a power of two, or 0 before the first entry */
    uint64_t dropped;
    uint64_t generation; /* secrets stored so far: a connection that found none looks again
                          * only when this moved */
    bool growing;        /* more secrets may come (a key log still being written) */
};

struct keylog_table *keylog_table_new(size_t max_entries)
{
    struct keylog_table *table = calloc(1, sizeof(*table));
    if (table != NULL) {
        table->max_entries = max_entries != 0 ? max_entries : KEYLOG_DEFAULT_MAX_ENTRIES;
        if (table->max_entries > UINT32_MAX / 4) {
            table->max_entries = UINT32_MAX / 4;
        }
    }
    return table;
}

void keylog_table_free(struct keylog_table *table)
{
    if (table == NULL) {
        return;
    }
    if (table->entries != NULL) {
        OPENSSL_cleanse(table->entries, table->capacity * sizeof(*table->entries));
    }
    free(table->entries);
    free(table->slots);
    free(table);
}

size_t keylog_table_entries(const struct keylog_table *table)
{
    return table->count;
}

uint64_t keylog_table_dropped(const struct keylog_table *table)
{
    return table->dropped;
}

static size_t random_hash(const uint8_t random[KEYLOG_RANDOM_LEN])
{
    uint64_t h = 14695981039346656037u; /* FNV-1a 64 */
    for (size_t i = 0; i < KEYLOG_RANDOM_LEN; i++) {
        h = (h ^ random[i]) * 1099511628211u;
    }
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding random, or the empty slot where it would go. slot_count must be > 0. */
static size_t find_slot(const struct keylog_table *table, const uint8_t random[KEYLOG_RANDOM_LEN])
{
    size_t mask = table->slot_count - 1;
    size_t i = random_hash(random) & mask;
    while (table->slots[i] != 0 &&
           memcmp(table->entries[table->slots[i] - 1].random, random, KEYLOG_RANDOM_LEN) != 0) {
        i = (i + 1) & mask;
    }
    return i;
}

static bool grow_slots(struct keylog_table *table)
{
    size_t new_count = table->slot_count != 0 ? table->slot_count * 2 : 16;
    uint32_t *slots = calloc(new_count, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    free(table->slots);
    table->slots = slots;
    table->slot_count = new_count;
    for (size_t e = 0; e < table->count; e++) {
        table->slots[find_slot(table, table->entries[e].random)] = (uint32_t)(e + 1);
    }
    return true;
}

/* realloc would leave a copy of the secrets in freed memory: copy, clear, free instead. */
static bool grow_entries(struct keylog_table *table)
{
    size_t new_cap = table->capacity != 0 ? table->capacity * 2 : 16;
    if (new_cap > table->max_entries) {
        new_cap = table->max_entries;
    }
    struct keylog_entry *entries = calloc(new_cap, sizeof(*entries));
    if (entries == NULL) {
        return false;
    }
    if (table->entries != NULL) {
        memcpy(entries, table->entries, table->count * sizeof(*entries));
        OPENSSL_cleanse(table->entries, table->capacity * sizeof(*table->entries));
        free(table->entries);
    }
    table->entries = entries;
    table->capacity = new_cap;
    return true;
}

static const struct keylog_entry *find_entry(const struct keylog_table *table,
                                             const uint8_t random[KEYLOG_RANDOM_LEN])
{
    if (table->slot_count == 0) {
        return NULL;
    }
    uint32_t slot = table->slots[find_slot(table, random)];
    return slot != 0 ? &table->entries[slot - 1] : NULL;
}

bool keylog_table_put(struct keylog_table *table, const uint8_t random[KEYLOG_RANDOM_LEN],
                      enum keylog_label label, const uint8_t *secret, size_t secret_len)
{
    if ((unsigned)label >= KEYLOG_LABEL_COUNT || secret_len == 0 ||
        secret_len > KEYLOG_SECRET_MAX) {
        return false;
    }
    struct keylog_entry *entry = (struct keylog_entry *)find_entry(table, random);
    if (entry == NULL) {
        if (table->count >= table->max_entries ||
            (table->count == table->capacity && !grow_entries(table)) ||
            (2 * (table->count + 1) > table->slot_count && !grow_slots(table))) {
            table->dropped++;
            return false;
        }
        entry = &table->entries[table->count++];
        memcpy(entry->random, random, KEYLOG_RANDOM_LEN);
        table->slots[find_slot(table, random)] = (uint32_t)table->count;
    }
    OPENSSL_cleanse(entry->secret[label], KEYLOG_SECRET_MAX);
    memcpy(entry->secret[label], secret, secret_len);
    entry->secret_len[label] = (uint8_t)secret_len;
    table->generation++;
    return true;
}


bool keylog_lookup(struct keylog_lookup *memo, const struct keylog_table *table,
                   const uint8_t random[KEYLOG_RANDOM_LEN], enum keylog_label label,
                   uint8_t out[KEYLOG_SECRET_MAX], size_t *len)
{
    if (table->generation != memo->generation) {
        memo->generation = table->generation;
        memo->missing = 0;
    }
    if ((memo->missing & (1u << label)) != 0) {
        return false;
    }
    if (keylog_table_find(table, random, label, out, len)) {
        return true;
    }
    memo->missing |= (uint8_t)(1u << label);
    return false;
}

void keylog_table_set_growing(struct keylog_table *table, bool growing)
{
    table->growing = growing;
}

bool keylog_table_growing(const struct keylog_table *table)
{
    return table->growing;
}

bool keylog_table_find(const struct keylog_table *table, const uint8_t random[KEYLOG_RANDOM_LEN],
                       enum keylog_label label, uint8_t out[KEYLOG_SECRET_MAX], size_t *len)
{
    if ((unsigned)label >= KEYLOG_LABEL_COUNT) {
        return false;
    }
    const struct keylog_entry *entry = find_entry(table, random);
    if (entry == NULL || entry->secret_len[label] == 0) {
        return false;
    }
    memcpy(out, entry->secret[label], entry->secret_len[label]);
    *len = entry->secret_len[label];
    return true;
}

void keylog_parser_init(struct keylog_parser *parser)
{
    memset(parser, 0, sizeof(*parser));
}

void keylog_parser_clear(struct keylog_parser *parser)
{
    OPENSSL_cleanse(parser->line, sizeof(parser->line));
    parser->len = 0;
    parser->overlong = false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One field: [*start, *end) after skipping blanks from *pos; empty at the end of the line. */
static void next_field(const char *line, size_t len, size_t *pos, size_t *start, size_t *end)
{
    size_t i = *pos;
    while (i < len && is_blank(line[i])) {
        i++;
    }
    *start = i;
    while (i < len && !is_blank(line[i])) {
        i++;
    }
    *end = i;
    *pos = i;
}

/* Decodes hex of exactly 2 * out_len digits, or up to out_cap bytes when out_len is 0;
 * returns the byte count or 0 when not hex of an acceptable length. */
static size_t decode_hex(const char *hex, size_t digits, uint8_t *out, size_t out_cap)
{
    if (digits == 0 || digits % 2 != 0 || digits / 2 > out_cap) {
        return 0;
    }
    for (size_t i = 0; i < digits / 2; i++) {
        int hi = hex_digit_value(hex[2 * i]);
        int lo = hex_digit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return 0;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return digits / 2;
}

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (hex_digit_value(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

/* Labels real clients write that decryption does not need, skipped without a warning: NSS's
 * RSA pre-master secrets (keyed by encrypted pre-master, not client random: CLIENT_RANDOM
 * lines give the same connections' master secrets), the early exporter secret
 * (draft-ietf-tls-keylogfile 3: EARLY_EXPORTER_MASTER_SECRET, OpenSSL's
 * EARLY_EXPORTER_SECRET), ECH's (ECH_SECRET, ECH_CONFIG), and the TLS 1.3 secrets after a
 * KeyUpdate some stacks log (CLIENT_TRAFFIC_SECRET_N...: hsdump derives them, RFC 8446 7.2). */
static bool label_not_used(const char *label, size_t len)
{
    static const char *const unused[] = {
        "RSA", "EARLY_EXPORTER_SECRET", "EARLY_EXPORTER_MASTER_SECRET", "ECH_SECRET",
        "ECH_CONFIG", "CLIENT_TRAFFIC_SECRET_N", "SERVER_TRAFFIC_SECRET_N",
    };
    for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++) {
        if (strlen(unused[i]) == len && memcmp(unused[i], label, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Parses one line (line end removed); NULL when it is fine, else what was expected. */
static const char *parse_line(const char *line, size_t len, struct keylog_table *table,
                              bool *stored)
{
    size_t pos = 0, start, end;
    next_field(line, len, &pos, &start, &end);
    if (start == end || line[start] == '#') {
        return NULL; /* blank line or comment */
    }
    enum keylog_label label = KEYLOG_LABEL_COUNT;
    for (unsigned l = 0; l < KEYLOG_LABEL_COUNT; l++) {
        if (strlen(label_names[l]) == end - start &&
            memcmp(label_names[l], line + start, end - start) == 0) {
            label = (enum keylog_label)l;
        }
    }
    if (label == KEYLOG_LABEL_COUNT) {
        if (label_not_used(line + start, end - start)) {
            return NULL; /* a real client's line hsdump needs nothing of */
        }
        return "a known label (CLIENT_RANDOM, *_TRAFFIC_SECRET*, EXPORTER_SECRET)";
    }
    uint8_t random[KEYLOG_RANDOM_LEN];
    next_field(line, len, &pos, &start, &end);
    if (end - start != 2 * KEYLOG_RANDOM_LEN ||
        decode_hex(line + start, end - start, random, sizeof(random)) != KEYLOG_RANDOM_LEN) {
        return "64 hex digits of client random";
    }
    next_field(line, len, &pos, &start, &end);
    size_t digits = end - start;
    const char *hex = line + start;
    size_t after_start, after_end;
    next_field(line, len, &pos, &after_start, &after_end);
    if (after_start != after_end) {
        return "end of line after the secret";
    }
    if (digits == 0 || digits % 2 != 0 || !all_hex(hex, digits)) {
        return "secret as an even number of hex digits";
    }
    bool master = label == KEYLOG_CLIENT_RANDOM;
    if (master ? digits != 96 : digits != 64 && digits != 96) {
        return master ? "48-byte master secret (96 hex digits)"
                      : "32- or 48-byte secret (64 or 96 hex digits)";
    }
    uint8_t secret[KEYLOG_SECRET_MAX];
    size_t secret_len = decode_hex(hex, digits, secret, sizeof(secret));
    *stored = keylog_table_put(table, random, label, secret, secret_len);
    OPENSSL_cleanse(secret, sizeof(secret));
    return *stored ? NULL : "room in the key table (full: line dropped)";
}

static void end_line(struct keylog_parser *parser, struct keylog_table *table,
                     keylog_report_fn report, void *ctx)
{
    parser->line_no++;
    size_t len = parser->len;
    if (len > 0 && parser->line[len - 1] == '\r') {
        len--; /* CRLF: the CR is part of the line end, not of the line's length */
    }
    bool stored = false;
    const char *expected = parser->overlong || len > KEYLOG_LINE_MAX
                               ? "a line of at most " LINE_MAX_TEXT " bytes"
                               : parse_line(parser->line, len, table, &stored);
    if (expected != NULL) {
        parser->bad_lines++;
        if (report != NULL) {
            report(ctx, parser->line_no, expected);
        }
    } else if (stored) {
        parser->secrets++;
    }
    keylog_parser_clear(parser);
}

void keylog_parser_feed(struct keylog_parser *parser, struct keylog_table *table,
                        const void *data, size_t len, keylog_report_fn report, void *ctx)
{
    const char *bytes = data;
    while (len > 0) {
        const char *newline = memchr(bytes, '\n', len);
        size_t take = newline != NULL ? (size_t)(newline - bytes) : len;
        if (!parser->overlong) {
            if (take > sizeof(parser->line) - parser->len) {
                parser->overlong = true;
            } else {
                memcpy(parser->line + parser->len, bytes, take);
                parser->len += take;
            }
        }
        if (newline == NULL) {
            return;
        }
        end_line(parser, table, report, ctx);
        bytes += take + 1;
        len -= take + 1;
    }
}

void keylog_parser_finish(struct keylog_parser *parser, struct keylog_table *table,
                          keylog_report_fn report, void *ctx)
{
    if (parser->len > 0 || parser->overlong) {
        end_line(parser, table, report, ctx);
    }
}
