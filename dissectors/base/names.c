/* Lookups over registry.def: one sorted table per kind, searched by binary search; GREASE
 * (RFC 8701) by rule. */
#include "base/names.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct name_entry {
    uint32_t value;
    const char *name;
    uint16_t len; /* strlen(name), known at compile time */
    bool bare;    /* text output shows it as it is (REG, REGS; tests check) */
};

/* registry.def is expanded once per kind, keeping only the lines whose kind equals NAMES_TABLE.
 * The preprocessor cannot compare tokens, so equality is "is NAMES_EQ_<a>_<b> defined": only
 * the matching pairs below are, and they expand to two arguments, which moves the 1 into
 * NAMES_SECOND's second place; any other pasted name stays one argument and yields the 0. */
#define NAMES_SECOND(first, second, ...) second
#define NAMES_PROBE(...) NAMES_SECOND(__VA_ARGS__, 0, 0)
#define NAMES_EQ(a, b) NAMES_EQ_PASTE(a, b)
#define NAMES_EQ_PASTE(a, b) NAMES_PROBE(NAMES_EQ_##a##_##b)
#define NAMES_IF(condition) NAMES_IF_PASTE(condition)
#define NAMES_IF_PASTE(condition) NAMES_IF_##condition
#define NAMES_IF_0(...)
#define NAMES_IF_1(...) __VA_ARGS__

#define NAMES_EQ_CIPHER_CIPHER ~, 1
#define NAMES_EQ_GROUP_GROUP ~, 1
#define NAMES_EQ_SIGSCHEME_SIGSCHEME ~, 1
#define NAMES_EQ_EXT_EXT ~, 1
#define NAMES_EQ_ALERT_ALERT ~, 1
#define NAMES_EQ_ALERT_LEVEL_ALERT_LEVEL ~, 1
#define NAMES_EQ_VERSION_VERSION ~, 1
#define NAMES_EQ_HS_HS ~, 1
#define NAMES_EQ_CONTENT_CONTENT ~, 1
#define NAMES_EQ_COMPRESSION_COMPRESSION ~, 1
#define NAMES_EQ_CERT_TYPE_CERT_TYPE ~, 1
#define NAMES_EQ_PSK_MODE_PSK_MODE ~, 1
#define NAMES_EQ_EC_POINT_FORMAT_EC_POINT_FORMAT ~, 1
#define NAMES_EQ_CERT_STATUS_CERT_STATUS ~, 1
#define NAMES_EQ_CERT_COMPRESSION_CERT_COMPRESSION ~, 1
#define NAMES_EQ_HEARTBEAT_MSG_HEARTBEAT_MSG ~, 1
#define NAMES_EQ_HEARTBEAT_MODE_HEARTBEAT_MODE ~, 1
#define NAMES_EQ_MAX_FRAGMENT_MAX_FRAGMENT ~, 1
#define NAMES_EQ_QUIC_TP_QUIC_TP ~, 1

#define REG(kind, value, id) NAMES_ENTRY(kind, value, #id, true)
#define REGS(kind, value, id, name) NAMES_ENTRY(kind, value, name, true)
#define REGQ(kind, value, id, name) NAMES_ENTRY(kind, value, name, false)
#define NAMES_ENTRY(kind, value, name, bare)                                                  \
    NAMES_IF(NAMES_EQ(kind, NAMES_TABLE))({value, name, sizeof(name) - 1, bare},)

#define NAMES_TABLE CIPHER
static const struct name_entry cipher_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE GROUP
static const struct name_entry group_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE SIGSCHEME
static const struct name_entry sigscheme_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE EXT
static const struct name_entry ext_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE ALERT
static const struct name_entry alert_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE ALERT_LEVEL
static const struct name_entry alert_level_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE VERSION
static const struct name_entry version_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE HS
static const struct name_entry hs_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE CONTENT
static const struct name_entry content_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE COMPRESSION
static const struct name_entry compression_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE CERT_TYPE
static const struct name_entry cert_type_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE PSK_MODE
static const struct name_entry psk_mode_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE EC_POINT_FORMAT
static const struct name_entry ec_point_format_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE CERT_STATUS
static const struct name_entry cert_status_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE CERT_COMPRESSION
static const struct name_entry cert_compression_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE HEARTBEAT_MSG
static const struct name_entry heartbeat_msg_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE HEARTBEAT_MODE
static const struct name_entry heartbeat_mode_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE MAX_FRAGMENT
static const struct name_entry max_fragment_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#define NAMES_TABLE QUIC_TP
static const struct name_entry quic_tp_names[] = {
#include "base/registry.def"
};
#undef NAMES_TABLE

#undef REGQ
#undef REGS
#undef REG

struct name_table {
    const struct name_entry *entries;
    size_t count;
};

#define NAMES_TABLE_OF(array) {(array), sizeof(array) / sizeof((array)[0])}

static const struct name_table tables[NAMES_KIND_COUNT] = {
    [NAMES_CIPHER] = NAMES_TABLE_OF(cipher_names),
    [NAMES_GROUP] = NAMES_TABLE_OF(group_names),
    [NAMES_SIGSCHEME] = NAMES_TABLE_OF(sigscheme_names),
    [NAMES_EXT] = NAMES_TABLE_OF(ext_names),
    [NAMES_ALERT] = NAMES_TABLE_OF(alert_names),
    [NAMES_ALERT_LEVEL] = NAMES_TABLE_OF(alert_level_names),
    [NAMES_VERSION] = NAMES_TABLE_OF(version_names),
    [NAMES_HS] = NAMES_TABLE_OF(hs_names),
    [NAMES_CONTENT] = NAMES_TABLE_OF(content_names),
    [NAMES_COMPRESSION] = NAMES_TABLE_OF(compression_names),
    [NAMES_CERT_TYPE] = NAMES_TABLE_OF(cert_type_names),
    [NAMES_PSK_MODE] = NAMES_TABLE_OF(psk_mode_names),
    [NAMES_EC_POINT_FORMAT] = NAMES_TABLE_OF(ec_point_format_names),
    [NAMES_CERT_STATUS] = NAMES_TABLE_OF(cert_status_names),
    [NAMES_CERT_COMPRESSION] = NAMES_TABLE_OF(cert_compression_names),
    [NAMES_HEARTBEAT_MSG] = NAMES_TABLE_OF(heartbeat_msg_names),
    [NAMES_HEARTBEAT_MODE] = NAMES_TABLE_OF(heartbeat_mode_names),
    [NAMES_MAX_FRAGMENT] = NAMES_TABLE_OF(max_fragment_names),
    [NAMES_QUIC_TP] = NAMES_TABLE_OF(quic_tp_names),
};

static const char *const kind_names[NAMES_KIND_COUNT] = {
    [NAMES_CIPHER] = "cipher_suite",
    [NAMES_GROUP] = "group",
    [NAMES_SIGSCHEME] = "signature_scheme",
    [NAMES_EXT] = "extension",
    [NAMES_ALERT] = "alert",
    [NAMES_ALERT_LEVEL] = "alert_level",
    [NAMES_VERSION] = "version",
    [NAMES_HS] = "handshake",
    [NAMES_CONTENT] = "content_type",
    [NAMES_COMPRESSION] = "compression_method",
    [NAMES_CERT_TYPE] = "certificate_type",
    [NAMES_PSK_MODE] = "psk_key_exchange_mode",
    [NAMES_EC_POINT_FORMAT] = "ec_point_format",
    [NAMES_CERT_STATUS] = "certificate_status_type",
    [NAMES_CERT_COMPRESSION] = "certificate_compression",
    [NAMES_HEARTBEAT_MSG] = "heartbeat_message_type",
    [NAMES_HEARTBEAT_MODE] = "heartbeat_mode",
    [NAMES_MAX_FRAGMENT] = "max_fragment_length",
    [NAMES_QUIC_TP] = "quic_transport_parameter",
};

const char *names_kind_name(enum name_kind kind)
{
    return (unsigned)kind < NAMES_KIND_COUNT ? kind_names[kind] : NULL;
}

/* NULL for a kind outside the enum, so a bad cast reads as "unknown", not out of bounds. */
static const struct name_table *table_of(enum name_kind kind)
{
    if ((unsigned)kind >= NAMES_KIND_COUNT) {
        return NULL;
    }
    return &tables[kind];
}

/* The wire width decides how unknown values are printed. */
static bool is_one_byte(enum name_kind kind)
{
    switch (kind) {
    case NAMES_CIPHER:
    case NAMES_GROUP:
    case NAMES_SIGSCHEME:
    case NAMES_EXT:
    case NAMES_VERSION:
    case NAMES_CERT_COMPRESSION:
    case NAMES_QUIC_TP:
        return false;
    default:
        return true;
    }
}

bool names_is_grease(enum name_kind kind, uint32_t value)
{
    /* RFC 8701 2: the PskKeyExchangeMode values, a u8 registry, are listed one by one. */
    static const uint8_t psk_mode_grease[] = {0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4};

    switch (kind) {
    case NAMES_CIPHER:
    case NAMES_GROUP:
    case NAMES_SIGSCHEME:
    case NAMES_EXT:
    case NAMES_VERSION:
        return value <= UINT16_MAX && names_is_grease_u16((uint16_t)value);
    case NAMES_PSK_MODE:
        for (size_t i = 0; i < sizeof(psk_mode_grease); i++) {
            if (value == psk_mode_grease[i]) {
                return true;
            }
        }
        return false;
    case NAMES_QUIC_TP:
        /* RFC 9000 18.1: ids of the form 31 * N + 27 are reserved to exercise the rule that
         * unknown parameters are ignored. */
        return value >= 27 && (value - 27) % 31 == 0;
    default:
        return false;
    }
}

const char *names_lookup_len(enum name_kind kind, uint32_t value, size_t *len, bool *bare)
{
    const struct name_table *table = table_of(kind);
    if (table == NULL || names_is_grease(kind, value)) {
        return NULL;
    }
    /* Binary search written out (bsearch's comparison through a function pointer was most
     * of the cost of naming a ClientHello's lists) and without branches on the data: the
     * halving picks its side by a conditional move, as the values named come in no order
     * a predictor could learn. */
    const struct name_entry *base = table->entries;
    size_t n = table->count;
    if (n == 0) {
        return NULL;
    }
    while (n > 1) {
        size_t half = n / 2;
        base = base[half].value <= value ? base + half : base;
        n -= half;
    }
    if (base->value != value) {
        return NULL;
    }
    *len = base->len;
    *bare = base->bare;
    return base->name;
}

const char *names_lookup(enum name_kind kind, uint32_t value)
{
    size_t len;
    bool bare;
    return names_lookup_len(kind, value, &len, &bare);
}

/* "0x" and value in at least width hex digits, as printf's "0x%0*x", for the common unnamed
 * case without printf. */
static void format_hex(uint32_t value, unsigned width, char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    char text[2 + 8 + 1] = {'0', 'x'};
    unsigned digits = width;
    while (digits < 8 && (value >> (4 * digits)) != 0) {
        digits++;
    }
    for (unsigned i = 0; i < digits; i++) {
        text[2 + i] = hex[(value >> (4 * (digits - 1 - i))) & 0xf];
    }
    text[2 + digits] = '\0';
    size_t n = strnlen(text, cap - 1);
    memcpy(buf, text, n);
    buf[n] = '\0';
}

const char *names_format(enum name_kind kind, uint32_t value, char *buf, size_t cap)
{
    assert(buf != NULL && cap > 0);
    const char *name = names_lookup(kind, value);
    if (name == NULL && names_is_grease(kind, value)) {
        /* One word for every GREASE value keeps output diffable across connections. */
        name = "grease";
    }
    if (name != NULL) {
        /* the common case, once per list item: a plain copy, no printf */
        size_t n = strnlen(name, cap - 1);
        memcpy(buf, name, n);
        buf[n] = '\0';
    } else if (kind == NAMES_VERSION && (value >> 8) == 0x7f) {
        /* draft-ietf-tls-tls13-NN versions were 0x7f00 | NN until RFC 8446 fixed 0x0304. */
        snprintf(buf, cap, "TLSv1.3-draft%" PRIu32, value & 0xff);
    } else if (is_one_byte(kind)) {
        format_hex(value, 2, buf, cap);
    } else {
        format_hex(value, 4, buf, cap);
    }
    return buf;
}

bool names_value(enum name_kind kind, const char *name, uint32_t *value)
{
    const struct name_table *table = table_of(kind);
    if (table == NULL || name == NULL) {
        return false;
    }
    /* Linear: only tests and option parsing ask, never the per-packet path. */
    for (size_t i = 0; i < table->count; i++) {
        if (strcmp(table->entries[i].name, name) == 0) {
            *value = table->entries[i].value;
            return true;
        }
    }
    return false;
}

size_t names_count(enum name_kind kind)
{
    const struct name_table *table = table_of(kind);
    return table != NULL ? table->count : 0;
}

bool names_entry(enum name_kind kind, size_t i, uint32_t *value, const char **name)
{
    const struct name_table *table = table_of(kind);
    if (table == NULL || i >= table->count) {
        return false;
    }
    *value = table->entries[i].value;
    *name = table->entries[i].name;
    return true;
}
