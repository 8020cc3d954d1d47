/* Extensions with an empty, one-value or opaque body: extended_master_secret (RFC 7627),
 * encrypt_then_mac (RFC 7366), renegotiation_info (RFC 5746), padding (RFC 7685),
 * record_size_limit (RFC 8449), max_fragment_length and status_request (RFC 6066),
 * signed_certificate_timestamp (RFC 6962), cookie and post_handshake_auth (RFC 8446),
 * heartbeat (RFC 6520), compress_certificate (RFC 8879), quic_transport_parameters
 * (RFC 9001), application_settings (draft-vvv-tls-alps). */
#include "ext/ext_decoders.h"

#include <stdio.h>

#include "ext/extensions.h"
#include "base/fields.h"
#include "base/names.h"

static bool expect_empty(struct cursor body, struct fields *f, const char *key)
{
    if (cur_len(body) != 0) {
        return fields_malformed(f, key, "empty body");
    }
    return true;
}

/* RFC 7627 5.1: extension_data is empty. */
bool ext_extended_master_secret(struct cursor body, struct ext_context *ctx)
{
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        ctx->st->ems_offered = true;
    } else if (ctx->st->ems_offered) {
        ctx->st->ems_accepted = true;
    }
    return expect_empty(body, ctx->f, "extended_master_secret");
}

/* RFC 7366 2: empty; a ServerHello echoing it switches block cipher suites to
 * encrypt-then-MAC, which decryption must know (tls12_keys.h). */
bool ext_encrypt_then_mac(struct cursor body, struct ext_context *ctx)
{
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        ctx->st->etm_offered = true;
        ctx->st->etm_accepted = false;
    } else if (ctx->message == EXT_IN_SERVER_HELLO && ctx->st->etm_offered) {
        ctx->st->etm_accepted = true;
    }
    return expect_empty(body, ctx->f, "extension");
}

/* RFC 8446 4.2.6: empty. */
bool ext_empty_body(struct cursor body, struct ext_context *ctx)
{
    return expect_empty(body, ctx->f, "extension");
}

/* RFC 5746 3.2: opaque renegotiated_connection<0..255>; */
bool ext_renegotiation_info(struct cursor body, struct ext_context *ctx)
{
    struct cursor verify;
    if (!cur_get_vec8(&body, &verify) || cur_len(body) != 0) {
        return fields_malformed(ctx->f, "renegotiation_info", "u8-prefixed renegotiated_connection");
    }
    fields_add_uint(ctx->f, "renegotiation_info_length", cur_len(verify));
    if (ctx->message == EXT_IN_SERVER_HELLO) {
        ctx->st->secure_renegotiation = true;
    } else if (ctx->message == EXT_IN_CLIENT_HELLO) {
        ctx->st->offer.renegotiation_info = true;
    }
    return true;
}

/* RFC 7685 3: zero bytes of padding. */
bool ext_padding(struct cursor body, struct ext_context *ctx)
{
    fields_add_uint(ctx->f, "padding_length", cur_len(body));
    uint8_t b;
    while (cur_get_u8(&body, &b)) {
        if (b != 0) {
            return fields_malformed(ctx->f, "padding", "zero bytes");
        }
    }
    return true;
}

/* RFC 8449 4: uint16 RecordSizeLimit; values below 64 are invalid. */
bool ext_record_size_limit(struct cursor body, struct ext_context *ctx)
{
    uint16_t limit;
    if (!cur_get_u16(&body, &limit) || cur_len(body) != 0) {
        return fields_malformed(ctx->f, "record_size_limit", "2-byte limit");
    }
    fields_add_uint(ctx->f, "record_size_limit", limit);
    if (limit < 64) {
        return fields_malformed(ctx->f, "record_size_limit", "a limit of at least 64");
    }
    return true;
}

/* RFC 6066 4: enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength; */
bool ext_max_fragment_length(struct cursor body, struct ext_context *ctx)
{
    uint8_t code;
    if (!cur_get_u8(&body, &code) || cur_len(body) != 0) {
        return fields_malformed(ctx->f, "max_fragment_length", "1-byte code");
    }
    fields_add_name(ctx->f, "max_fragment_length", NAMES_MAX_FRAGMENT, code);
    return true;
}

/* RFC 6066 8: struct { CertificateStatusType status_type; select (status_type) {
 *   case ocsp: OCSPStatusRequest; } request; }  (empty from the server in TLS 1.2) */
bool ext_status_request(struct cursor body, struct ext_context *ctx)
{
    uint8_t type;
    if (cur_len(body) == 0 && ctx->message != EXT_IN_CLIENT_HELLO) {
        fields_add_bool(ctx->f, "status_request_ack", true);
        return true;
    }
    if (!cur_get_u8(&body, &type)) {
        return fields_malformed(ctx->f, "status_request", "1-byte status_type");
    }
    fields_add_name(ctx->f, "status_request", NAMES_CERT_STATUS, type);
    /* RFC 6066 8: ocsp carries ResponderID responder_id_list<0..2^16-1> and
     * Extensions request_extensions<0..2^16-1>; other types are opaque to us. */
    struct cursor responders, extensions;
    if (type == 1 && (!cur_get_vec16(&body, &responders) || !cur_get_vec16(&body, &extensions) ||
                      cur_len(body) != 0)) {
        return fields_malformed(ctx->f, "status_request",
                                "OCSPStatusRequest: u16-prefixed responder_id_list and "
                                "request_extensions");
    }
    return true;
}

/* RFC 6962 3.3.1: empty from the client; SignedCertificateTimestampList from the server. */
bool ext_signed_certificate_timestamp(struct cursor body, struct ext_context *ctx)
{
    if (ctx->message == EXT_IN_CLIENT_HELLO) {
        return expect_empty(body, ctx->f, "signed_certificate_timestamp");
    }
    fields_add_uint(ctx->f, "sct_list_length", cur_len(body));
    return true;
}

/* RFC 8446 4.2.2: struct { opaque cookie<1..2^16-1>; } Cookie; */
bool ext_cookie(struct cursor body, struct ext_context *ctx)
{
    struct cursor cookie;
    if (!cur_get_vec16(&body, &cookie) || cur_len(body) != 0 || cur_len(cookie) == 0) {
        return fields_malformed(ctx->f, "cookie", "u16-prefixed cookie of 1..2^16-1 bytes");
    }
    fields_add_uint(ctx->f, "cookie_length", cur_len(cookie));
    return true;
}

/* RFC 6520 2: struct { HeartbeatMode mode; } HeartbeatExtension; */
bool ext_heartbeat(struct cursor body, struct ext_context *ctx)
{
    uint8_t mode;
    if (!cur_get_u8(&body, &mode) || cur_len(body) != 0) {
        return fields_malformed(ctx->f, "heartbeat", "1-byte mode");
    }
    fields_add_name(ctx->f, "heartbeat_mode", NAMES_HEARTBEAT_MODE, mode);
    return true;
}

/* RFC 8879 3: CertificateCompressionAlgorithm algorithms<2..2^8-2>; */
bool ext_compress_certificate(struct cursor body, struct ext_context *ctx)
{
    struct cursor list;
    uint16_t algorithm;
    if (!cur_get_vec8(&body, &list) || cur_len(body) != 0 || cur_len(list) < 2 ||
        cur_len(list) % 2 != 0) {
        return fields_malformed(ctx->f, "compress_certificate", "u8-prefixed even list of 2..254");
    }
    fields_list_begin(ctx->f, "compress_certificate");
    while (cur_get_u16(&list, &algorithm)) {
        fields_list_name(ctx->f, NAMES_CERT_COMPRESSION, algorithm);
    }
    fields_list_end(ctx->f);
    return true;
}

/* RFC 9001 8.2: the QUIC transport parameters, opaque to TLS; their ids are listed.
 * RFC 9000 18: Transport Parameter { Transport Parameter ID (i), Transport Parameter Length (i),
 *   Transport Parameter Value (..) } */
bool ext_quic_transport_parameters(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    struct cursor walk = body, value;
    uint64_t id, length;
    fields_add_uint(f, "quic_transport_parameters_length", cur_len(body));
    while (cur_len(walk) > 0) {
        if (!cur_get_varint(&walk, &id) || !cur_get_varint(&walk, &length) ||
            length > cur_len(walk) || !cur_get_bytes(&walk, (size_t)length, &value)) {
            return fields_malformed_at(f, "quic_transport_parameters",
                                       "varint id, varint length and value inside extension",
                                       cur_offset(body, walk));
        }
    }
    fields_list_begin(f, "quic_transport_parameters");
    while (cur_get_varint(&body, &id) && cur_get_varint(&body, &length) &&
           cur_get_bytes(&body, (size_t)length, &value)) {
        if (id <= UINT32_MAX) {
            fields_list_name(f, NAMES_QUIC_TP, (uint32_t)id);
        } else {
            char hex[24];
            snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)id);
            fields_list_token(f, id % 31 == 27 ? "grease" : hex);
        }
    }
    fields_list_end(f);
    return true;
}

/* draft-vvv-tls-alps 3: the client lists ProtocolName supported_protocols<2..2^16-1>; the
 * server's (in EncryptedExtensions) is opaque settings. */
bool ext_application_settings(struct cursor body, struct ext_context *ctx)
{
    struct fields *f = ctx->f;
    if (ctx->message != EXT_IN_CLIENT_HELLO) {
        fields_add_uint(f, "application_settings_length", cur_len(body));
        return true;
    }
    struct cursor list, walk, name;
    if (!cur_get_vec16(&body, &list) || cur_len(body) != 0) {
        return fields_malformed(f, "application_settings", "u16-prefixed protocol list");
    }
    walk = list;
    while (cur_len(walk) > 0) {
        if (!cur_get_vec8(&walk, &name) || cur_len(name) == 0) {
            return fields_malformed(f, "application_settings", "u8-prefixed protocol names");
        }
    }
    fields_list_begin(f, "application_settings");
    while (cur_get_vec8(&list, &name)) {
        fields_list_string(f, name);
    }
    fields_list_end(f);
    return true;
}
