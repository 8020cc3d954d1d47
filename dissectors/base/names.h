/* Names of TLS code points, all from registry.def: lookups, formatting and the constants code
 * branches on, so grep finds the same IANA name in code and in output. */
#ifndef HSDUMP_DISSECTORS_NAMES_H
#define HSDUMP_DISSECTORS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum name_kind {
    NAMES_CIPHER,
    NAMES_GROUP,
    NAMES_SIGSCHEME,
    NAMES_EXT,
    NAMES_ALERT,
    NAMES_ALERT_LEVEL,
    NAMES_VERSION,
    NAMES_HS,
    NAMES_CONTENT,
    NAMES_COMPRESSION,
    NAMES_CERT_TYPE,
    NAMES_PSK_MODE,
    NAMES_EC_POINT_FORMAT,
    NAMES_CERT_STATUS,
    NAMES_CERT_COMPRESSION,
    NAMES_HEARTBEAT_MSG,
    NAMES_HEARTBEAT_MODE,
    NAMES_MAX_FRAGMENT,
    NAMES_QUIC_TP,
    NAMES_KIND_COUNT
};

/* <KIND>_<identifier> = value for every registry line: EXT_server_name, HS_client_hello,
 * CIPHER_TLS_AES_128_GCM_SHA256, VERSION_TLSv1_2, ALERT_close_notify, CONTENT_handshake. */
enum names_constant {
#define REG(kind, value, id) kind##_##id = (value),
#define REGS(kind, value, id, name) kind##_##id = (value),
#define REGQ(kind, value, id, name) kind##_##id = (value),
#include "base/registry.def"
#undef REGQ
#undef REGS
#undef REG
};

/* Room names_format() needs for any name, "grease" or hex. */
#define NAMES_BUF 96

/* The IANA name, or NULL when the code point is unknown or GREASE. */
const char *names_lookup(enum name_kind kind, uint32_t value);
/* The same, with the name's length (for the per-item hot path: no strlen) and whether it is
 * shown as it is in text values, in lists too (REG and REGS lines; not REGQ ones such as
 * "connection_id (deprecated)"). */
const char *names_lookup_len(enum name_kind kind, uint32_t value, size_t *len, bool *bare);

/* RFC 8701 GREASE, matched by rule: 0x?a?a (both bytes equal) for the u16 kinds that RFC
 * reserves values in, and its eight listed values for PSK_MODE; no other kind has GREASE. */
bool names_is_grease(enum name_kind kind, uint32_t value);
static inline bool names_is_grease_u16(uint16_t value)
{
    /* RFC 8701 2: {0x0A,0x0A}, {0x1A,0x1A}, ..., {0xFA,0xFA}; inline: every item of every
     * offered list is asked */
    return (value >> 8) == (value & 0xff) && (value & 0x0f) == 0x0a;
}

/* Writes into buf (cap >= NAMES_BUF) the name, "grease", a TLS 1.3 draft version as
 * "TLSv1.3-draftN" (0x7fNN), or an unknown code point as 0x%04x (0x%02x for one-byte kinds);
 * returns buf. */
const char *names_format(enum name_kind kind, uint32_t value, char *buf, size_t cap);

/* Reverse lookup (tests, future filters): the value with that exact name; false if none. */
bool names_value(enum name_kind kind, const char *name, uint32_t *value);

/* Entries of a kind, and the i-th (value, name) in ascending value order. */
size_t names_count(enum name_kind kind);
bool names_entry(enum name_kind kind, size_t i, uint32_t *value, const char **name);
/* The registry a kind is (cipher_suite, group, extension...), as --list-names prints it. */
const char *names_kind_name(enum name_kind kind);

#endif
