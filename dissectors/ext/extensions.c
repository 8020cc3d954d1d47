/* Extension block walk (RFC 8446 4.2): names in wire order, duplicates, per-type decoders. */
#include "ext/extensions.h"

#include <string.h>

#include "ext/ext_decoders.h"
#include "base/fields.h"
#include "base/names.h"

typedef bool (*ext_decoder)(struct cursor body, struct ext_context *ctx);

/* Where RFC 8446 4.2 (and later RFCs' "TLS 1.3" column in the IANA registry) allows an
 * extension in TLS 1.3; 0 means the table does not speak of it (TLS 1.2-only or unknown). */
enum {
    IN_CH = 1 << EXT_IN_CLIENT_HELLO,
    IN_SH = 1 << EXT_IN_SERVER_HELLO,
    IN_HRR = 1 << EXT_IN_HELLO_RETRY_REQUEST,
    IN_EE = 1 << EXT_IN_ENCRYPTED_EXTENSIONS,
    IN_CR = 1 << EXT_IN_CERTIFICATE_REQUEST,
    IN_CT = 1 << EXT_IN_CERTIFICATE,
    IN_NST = 1 << EXT_IN_NEW_SESSION_TICKET,
};

struct ext_entry {
    uint16_t type;
    ext_decoder decode; /* NULL: listed by name only */
    unsigned tls13_messages;
};

/* Sorted by type. */
static const struct ext_entry ext_table[] = {
    {EXT_server_name, ext_server_name, IN_CH | IN_EE},
    {EXT_max_fragment_length, ext_max_fragment_length, IN_CH | IN_EE},
    {EXT_status_request, ext_status_request, IN_CH | IN_CR | IN_CT},
    {EXT_supported_groups, ext_supported_groups, IN_CH | IN_EE},
    {EXT_ec_point_formats, ext_ec_point_formats, 0},
    {EXT_signature_algorithms, ext_signature_algorithms, IN_CH | IN_CR},
    {EXT_use_srtp, NULL, IN_CH | IN_EE},
    {EXT_heartbeat, ext_heartbeat, IN_CH | IN_EE},
    {EXT_application_layer_protocol_negotiation, ext_alpn, IN_CH | IN_EE},
    {EXT_signed_certificate_timestamp, ext_signed_certificate_timestamp, IN_CH | IN_CR | IN_CT},
    {EXT_client_certificate_type, NULL, IN_CH | IN_EE},
    {EXT_server_certificate_type, NULL, IN_CH | IN_EE},
    {EXT_padding, ext_padding, IN_CH},
    {EXT_encrypt_then_mac, ext_encrypt_then_mac, 0},
    {EXT_extended_main_secret, ext_extended_master_secret, 0},
    {EXT_compress_certificate, ext_compress_certificate, IN_CH | IN_CR},
    {EXT_record_size_limit, ext_record_size_limit, IN_CH | IN_EE},
    {EXT_delegated_credential, ext_delegated_credential, IN_CH | IN_CR | IN_CT},
    {EXT_session_ticket, ext_session_ticket, 0},
    {EXT_key_share_draft, ext_key_share, IN_CH | IN_SH | IN_HRR},
    {EXT_pre_shared_key, ext_pre_shared_key, IN_CH | IN_SH},
    {EXT_early_data, ext_early_data, IN_CH | IN_EE | IN_NST},
    {EXT_supported_versions, ext_supported_versions, IN_CH | IN_SH | IN_HRR},
    {EXT_cookie, ext_cookie, IN_CH | IN_HRR},
    {EXT_psk_key_exchange_modes, ext_psk_key_exchange_modes, IN_CH},
    {EXT_certificate_authorities, NULL, IN_CH | IN_CR},
    {EXT_oid_filters, NULL, IN_CR},
    {EXT_post_handshake_auth, ext_empty_body, IN_CH},
    {EXT_signature_algorithms_cert, ext_signature_algorithms_cert, IN_CH | IN_CR},
    {EXT_key_share, ext_key_share, IN_CH | IN_SH | IN_HRR},
    {EXT_quic_transport_parameters, ext_quic_transport_parameters, IN_CH | IN_EE},
    {EXT_application_settings, ext_application_settings, IN_CH | IN_EE},
    {EXT_application_settings_new, ext_application_settings, IN_CH | IN_EE},
    {EXT_encrypted_client_hello, ext_encrypted_client_hello, IN_CH | IN_HRR | IN_EE},
    {EXT_renegotiation_info, ext_renegotiation_info, 0},
};

static const struct ext_entry *find_entry(uint16_t type)
{
    size_t lo = 0, hi = sizeof(ext_table) / sizeof(ext_table[0]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ext_table[mid].type == type) {
            return &ext_table[mid];
        }
        if (ext_table[mid].type < type) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* RFC 8446 4.2: in TLS 1.3, an extension recognised but not specified for the message is an
 * error for a TLS stack; a dissector reports it. The ClientHello (shared with TLS 1.2) and a
 * TLS 1.2 ServerHello are not judged by the TLS 1.3 table. */
static bool judged_by_tls13_table(const struct ext_context *ctx)
{
    return ctx->message != EXT_IN_CLIENT_HELLO &&
           (ctx->message != EXT_IN_SERVER_HELLO || ctx->selected_version == VERSION_TLSv1_3);
}

static bool unexpected_in(const struct ext_entry *e, const struct ext_context *ctx)
{
    return e != NULL && (e->tls13_messages & (1u << ctx->message)) == 0;
}

/* RFC 8446 4.2 forbids two extensions of the same type. A 1024-bit filter (type mod 1024)
 * answers for the usual block; only a block with two types alike there pays for clearing
 * the 8 KiB bitmap of every type, once, to tell a true duplicate from a collision. */
#define QUICK_BITS 1024

struct ext_seen {
    uint64_t bits[65536 / 64];
};

static bool test_and_set(uint64_t *bits, unsigned bit)
{
    uint64_t mask = (uint64_t)1 << (bit % 64);
    bool was = (bits[bit / 64] & mask) != 0;
    bits[bit / 64] |= mask;
    return was;
}

/* Lists the types met again, in order; block was walked whole by list_types. */
static void list_duplicates(struct cursor block, struct fields *f)
{
    struct ext_seen seen;
    bool any = false;
    uint16_t type;
    struct cursor body;
    memset(&seen, 0, sizeof(seen));
    while (cur_get_u16(&block, &type) && cur_get_vec16(&block, &body)) {
        if (test_and_set(seen.bits, type)) {
            if (!any) {
                fields_list_begin(f, "dup_ext");
                any = true;
            }
            fields_list_name(f, NAMES_EXT, type);
        }
    }
    if (any) {
        fields_list_end(f);
    }
}

/* Types gathered as they are on the wire, so that a block met before is named from the
 * named-list cache (fields_list_names_u16) in one copy; longer blocks are named in parts. */
#define TYPES_AT_ONCE 64

/* RFC 8446 4.1.2: struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } */
static bool list_types(struct cursor block, struct fields *f)
{
    uint64_t quick[QUICK_BITS / 64] = {0};
    uint8_t types[2 * TYPES_AT_ONCE];
    size_t n = 0;
    bool maybe_dup = false;
    struct cursor walk = block;
    uint16_t type;
    struct cursor body;
    fields_list_begin(f, "extensions");
    while (cur_len(walk) > 0) {
        struct cursor start = walk;
        if (!cur_get_u16(&walk, &type) || !cur_get_vec16(&walk, &body)) {
            fields_list_names_u16(f, NAMES_EXT, cur_make(types, n));
            return fields_malformed_at(f, "extension", "type and u16-prefixed body inside block",
                                       cur_offset(block, start));
        }
        if (n == sizeof(types)) {
            fields_list_names_u16(f, NAMES_EXT, cur_make(types, n));
            n = 0;
        }
        types[n++] = (uint8_t)(type >> 8);
        types[n++] = (uint8_t)type;
        maybe_dup |= test_and_set(quick, type % QUICK_BITS);
    }
    fields_list_names_u16(f, NAMES_EXT, cur_make(types, n));
    fields_list_end(f);
    if (maybe_dup) {
        list_duplicates(block, f);
    }
    return true;
}

/* -vv: type:hex for every non-empty extension body no decoder read (unknown types too). */
static void list_undecoded(struct cursor block, struct fields *f)
{
    static const char hex[] = "0123456789abcdef";
    char item[NAMES_BUF + 2 + 2 * FIELDS_UNDECODED_MAX];
    uint16_t type;
    struct cursor body;
    fields_set_level(f, 2);
    fields_list_begin(f, "undecoded");
    while (cur_get_u16(&block, &type) && cur_get_vec16(&block, &body)) {
        const struct ext_entry *e = find_entry(type);
        if ((e != NULL && e->decode != NULL) || cur_len(body) == 0) {
            continue;
        }
        names_format(NAMES_EXT, type, item, NAMES_BUF);
        size_t n = strlen(item);
        item[n++] = ':';
        struct cursor shown = cur_take_upto(&body, FIELDS_UNDECODED_MAX);
        uint8_t c;
        while (cur_get_u8(&shown, &c)) {
            item[n++] = hex[c >> 4];
            item[n++] = hex[c & 0xf];
        }
        item[n] = '\0';
        fields_list_token(f, item);
    }
    fields_list_end(f);
    fields_set_level(f, 0);
}

/* Types the TLS 1.3 table does not allow in this message, in order; judged after every
 * decoder ran (supported_versions sets the version the table applies to). */
static void list_unexpected(struct cursor block, struct ext_context *ctx)
{
    bool any = false;
    uint16_t type;
    struct cursor body;
    while (cur_get_u16(&block, &type) && cur_get_vec16(&block, &body)) {
        if (unexpected_in(find_entry(type), ctx)) {
            if (!any) {
                fields_list_begin(ctx->f, "unexpected_ext");
                any = true;
            }
            fields_list_name(ctx->f, NAMES_EXT, type);
        }
    }
    if (any) {
        fields_list_end(ctx->f);
    }
}

bool ext_parse_block(struct cursor *msg, struct ext_context *ctx)
{
    struct cursor block;
    if (!cur_get_vec16(msg, &block)) {
        return fields_malformed(ctx->f, "extensions", "u16-prefixed extension block inside message");
    }
    if (!list_types(block, ctx->f)) {
        return false;
    }
    /* One walk decodes and notes whether -vv's undecoded list has anything to show. */
    bool ok = true;
    bool any_undecoded = false;
    uint16_t type;
    struct cursor body;
    struct cursor walk = block;
    while (cur_get_u16(&walk, &type) && cur_get_vec16(&walk, &body)) {
        const struct ext_entry *e = find_entry(type);
        if (e != NULL && e->decode != NULL) {
            if (!e->decode(body, ctx)) {
                ok = false; /* keep decoding the others: each failure is its own field */
            }
        } else if (cur_len(body) > 0) {
            any_undecoded = true;
        }
    }
    if (judged_by_tls13_table(ctx)) {
        list_unexpected(block, ctx);
    }
    if (any_undecoded) {
        list_undecoded(block, ctx->f);
    }
    return ok;
}
