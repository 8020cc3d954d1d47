/* ClientHello and ServerHello (RFC 8446 4.1.2-4.1.4, RFC 5246 7.4.1), HelloRetryRequest, and the
 * SSLv2-format ClientHello (RFC 5246 E.2). */
#include "tls/hello.h"

#include <stdio.h>
#include <string.h>

#include "checks/diagnosis.h"
#include "ext/extensions.h"
#include "base/fields.h"
#include "tls/fingerprint.h"
#include "base/names.h"

#define RANDOM_LEN 32
#define SESSION_ID_MAX 32

/* RFC 8446 4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest") is an HRR. */
static const uint8_t hrr_random[RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.2: opaque legacy_session_id<0..32>; the client's is kept to tell a
 * session-ID resumption (RFC 5246 7.4.1.2: the server echoes it) from a full handshake. */
static bool parse_session_id(struct cursor *msg, struct tls_state *st, enum dir d,
                             struct fields *f)
{
    struct cursor session_id;
    if (!cur_get_vec8(msg, &session_id)) {
        return fields_malformed(f, "legacy_session_id", "u8-prefixed session id inside message");
    }
    if (cur_len(session_id) > SESSION_ID_MAX) {
        return fields_malformed(f, "legacy_session_id", "at most 32 bytes");
    }
    fields_add_uint(f, "session_id_length", cur_len(session_id));
    if (d == DIR_C2S) {
        cur_copy(session_id, st->client_session_id);
        st->client_session_id_len = cur_len(session_id);
    } else {
        st->session_id_echoed = cur_len(session_id) > 0 &&
                                cur_equal(session_id, st->client_session_id,
                                          st->client_session_id_len);
    }
    return true;
}

/* RFC 6347 4.2.1: opaque cookie<0..2^8-1>; a DTLS ClientHello's field between
 * legacy_session_id and cipher_suites, empty until a HelloVerifyRequest gave one. */
static bool parse_cookie(struct cursor *msg, struct fields *f)
{
    struct cursor cookie;
    if (!cur_get_vec8(msg, &cookie)) {
        return fields_malformed(f, "cookie", "u8-prefixed cookie inside message");
    }
    fields_add_uint(f, "cookie_length", cur_len(cookie));
    return true;
}

/* One offered suite into the offer's facts (tls.h struct offer_facts). */
static void offer_suite(struct offer_facts *o, uint16_t suite)
{
    if (suite == CIPHER_TLS_FALLBACK_SCSV) {
        o->fallback_scsv = true;
        return;
    }
    if (suite == CIPHER_TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
        o->renegotiation_info = true;
        return;
    }
    if (names_is_grease_u16(suite)) {
        return;
    }
    uint32_t props = suite_properties(suite);
    o->groupless_suite |= (props & (SUITE_TLS13 | SUITE_ECDHE | SUITE_DHE)) == 0;
    o->suites |= props;
    if (o->suite_count < UINT16_MAX) {
        o->suite_count++;
    }
}

/* RFC 8446 4.1.2: CipherSuite cipher_suites<2..2^16-2>; */
static bool parse_cipher_suites(struct cursor *msg, struct tls_state *st, struct fields *f)
{
    struct cursor list;
    if (!cur_get_vec16(msg, &list)) {
        return fields_malformed(f, "cipher_suites", "u16-prefixed list inside message");
    }
    if (cur_len(list) < 2 || cur_len(list) % 2 != 0) {
        return fields_malformed(f, "cipher_suites", "even length >= 2");
    }
    fields_list_begin(f, "cipher_suites");
    fields_list_names_u16(f, NAMES_CIPHER, list);
    fields_list_end(f);
    uint16_t suite;
    while (cur_get_u16(&list, &suite)) {
        offer_suite(&st->offer, suite);
    }
    return true;
}

/* RFC 8446 4.1.2: opaque legacy_compression_methods<1..2^8-1>; */
static bool parse_compression_methods(struct cursor *msg, struct tls_state *st,
                                      struct fields *f)
{
    struct cursor list;
    uint8_t method;
    if (!cur_get_vec8(msg, &list) || cur_len(list) == 0) {
        return fields_malformed(f, "compression_methods", "u8-prefixed list of 1..255 methods");
    }
    fields_list_begin(f, "compression_methods");
    while (cur_get_u8(&list, &method)) {
        fields_list_name(f, NAMES_COMPRESSION, method);
        if (method != 0) {
            st->offer.compression = true; /* RFC 3749 DEFLATE or another: RFC 7457 2.6 */
        }
    }
    fields_list_end(f);
    return true;
}

/* RFC 5246 7.4.1.2: extensions are optional before TLS 1.3; nothing left means none. */
static bool parse_optional_extensions(struct cursor *msg, struct ext_context *ctx)
{
    if (cur_len(*msg) == 0) {
        return true;
    }
    if (!ext_parse_block(msg, ctx)) {
        return false;
    }
    if (cur_len(*msg) != 0) {
        const char *where = ctx->message == EXT_IN_CLIENT_HELLO ? "client_hello" : "server_hello";
        return fields_malformed(ctx->f, where, "end of message after extensions");
    }
    return true;
}

/* RFC 8446 4.1.2: struct { ProtocolVersion legacy_version; Random random;
 *   opaque legacy_session_id<0..32>; CipherSuite cipher_suites<2..2^16-2>;
 *   opaque legacy_compression_methods<1..2^8-1>; Extension extensions<8..2^16-1>; } */
bool dissect_client_hello(struct cursor body, struct tls_state *st, struct fields *f)
{
    const struct cursor whole = body;
    uint16_t legacy_version;
    /* A ClientHello after this side's Finished is a renegotiation (RFC 5246 7.4.1.2). */
    if (st->dir[DIR_C2S].finished) {
        st->renegotiated = true;
    }
    st->client_hello_seen = true;
    memset(&st->offer, 0, sizeof(st->offer)); /* the last ClientHello's offer */
    struct cursor random;
    if (!cur_get_u16(&body, &legacy_version) || !cur_get_bytes(&body, RANDOM_LEN, &random)) {
        return fields_malformed(f, "client_hello", "legacy_version and 32-byte random");
    }
    if (st->keys != NULL) {
        /* what the key log's lines are keyed by (keylog.h) */
        cur_copy(random, st->client_random);
        st->randoms_known = false; /* until the ServerHello answering this one */
    }
    fields_add_name(f, "legacy_version", NAMES_VERSION, legacy_version);
    st->offer.legacy_version = legacy_version;
    if (!parse_session_id(&body, st, DIR_C2S, f) ||
        (st->transport == TRANSPORT_DTLS && !parse_cookie(&body, f)) ||
        !parse_cipher_suites(&body, st, f) || !parse_compression_methods(&body, st, f)) {
        return false;
    }
    struct ext_context ctx = {EXT_IN_CLIENT_HELLO, st, f, 0};
    if (!parse_optional_extensions(&body, &ctx)) {
        return false;
    }
    fingerprint_client_hello(whole, st, f);
    return true;
}

/* Negotiated state from a real ServerHello: TLS 1.3 protects everything after it. */
static void server_hello_state(struct tls_state *st, uint16_t version, uint16_t suite,
                               uint8_t compression)
{
    st->server_hello_seen = true;
    st->version = version;
    st->cipher_suite = suite;
    memset(&st->kx, 0, sizeof(st->kx)); /* this handshake's key exchange from here */
    st->kx.compression = compression;
    if (tls_version_is_tls13(version)) {
        st->is_tls13 = true;
        st->dir[DIR_C2S].encrypted = true;
        st->dir[DIR_S2C].encrypted = true;
    }
}

/* RFC 8446 4.1.3: struct { ProtocolVersion legacy_version; Random random;
 *   opaque legacy_session_id_echo<0..32>; CipherSuite cipher_suite;
 *   uint8 legacy_compression_method; Extension extensions<6..2^16-1>; }
 * draft-ietf-tls-tls13-21 4.1.3 and earlier drafts: struct { ProtocolVersion version;
 *   Random random; CipherSuite cipher_suite; Extension extensions<6..2^16-1>; } ServerHello;
 * told apart by the version in the first field, the negotiated draft itself there. */
bool dissect_server_hello(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint16_t legacy_version, suite;
    uint8_t compression = 0;
    struct cursor random;
    if (!cur_get_u16(&body, &legacy_version) || !cur_get_bytes(&body, RANDOM_LEN, &random)) {
        return fields_malformed(f, "server_hello", "legacy_version and 32-byte random");
    }
    bool is_hrr = cur_equal(random, hrr_random, sizeof(hrr_random));
    if (is_hrr) {
        f->name = "hello_retry_request";
        st->hrr_seen = true;
    } else if (st->keys != NULL && st->client_hello_seen) {
        cur_copy(random, st->server_random);
        st->randoms_known = true;
    }
    fields_add_name(f, "legacy_version", NAMES_VERSION, legacy_version);
    bool draft_layout = tls13_server_hello_without_session_id(legacy_version);
    if (draft_layout) {
        if (!cur_get_u16(&body, &suite)) {
            return fields_malformed(f, "server_hello", "cipher_suite (draft TLS 1.3 layout)");
        }
        fields_add_name(f, "cipher_suite", NAMES_CIPHER, suite);
    } else {
        if (!parse_session_id(&body, st, DIR_S2C, f)) {
            return false;
        }
        if (!cur_get_u16(&body, &suite) || !cur_get_u8(&body, &compression)) {
            return fields_malformed(f, "server_hello", "cipher_suite and compression_method");
        }
        fields_add_name(f, "cipher_suite", NAMES_CIPHER, suite);
        fields_add_name(f, "compression_method", NAMES_COMPRESSION, compression);
    }
    const struct cursor extensions = body;
    struct ext_context ctx = {is_hrr ? EXT_IN_HELLO_RETRY_REQUEST : EXT_IN_SERVER_HELLO, st, f, 0};
    bool ok = parse_optional_extensions(&body, &ctx);
    uint16_t version = ctx.selected_version ? ctx.selected_version : legacy_version;
    fields_add_name(f, "version", NAMES_VERSION, version);
    if (!is_hrr) {
        server_hello_state(st, version, suite, compression);
    } else if (tls_version_is_tls13(version)) {
        /* RFC 8446 4.1.4: still plaintext, but TLS 1.3 rules (a middlebox CCS) apply now. */
        st->is_tls13 = true;
    }
    if (ok) {
        fingerprint_server_hello(legacy_version, suite, extensions, is_hrr, st, f);
    }
    return ok;
}

/* The HelloRetryRequest of the TLS 1.3 drafts before 22, a message of its own (type 6, which
 * IANA now lists as hello_retry_request_RESERVED):
 *   draft-ietf-tls-tls13-18 4.1.4: struct { ProtocolVersion server_version;
 *     Extension extensions<2..2^16-1>; } HelloRetryRequest;
 *   the later drafts: struct { ProtocolVersion server_version; CipherSuite cipher_suite;
 *     Extension extensions<2..2^16-1>; } HelloRetryRequest;
 * told apart by which of the two the bytes fill exactly. */
bool dissect_draft_hello_retry_request(struct cursor body, struct tls_state *st,
                                       struct fields *f)
{
    uint16_t server_version, suite, block_len;
    f->name = "hello_retry_request";
    st->hrr_seen = true;
    if (!cur_get_u16(&body, &server_version)) {
        return fields_malformed(f, "hello_retry_request", "server_version");
    }
    fields_add_name(f, "server_version", NAMES_VERSION, server_version);
    struct cursor probe = body;
    bool without_suite = cur_get_u16(&probe, &block_len) && block_len == cur_len(probe);
    if (!without_suite) {
        if (!cur_get_u16(&body, &suite)) {
            return fields_malformed(f, "hello_retry_request", "cipher_suite and extensions");
        }
        fields_add_name(f, "cipher_suite", NAMES_CIPHER, suite);
    }
    struct ext_context ctx = {EXT_IN_HELLO_RETRY_REQUEST, st, f, 0};
    if (!ext_parse_block(&body, &ctx)) {
        return false;
    }
    if (cur_len(body) != 0) {
        return fields_malformed(f, "hello_retry_request", "end of message after extensions");
    }
    if (tls_version_is_tls13(server_version)) {
        st->is_tls13 = true; /* still plaintext: the second ClientHello follows */
    }
    return true;
}

/* RFC 6347 4.2.1: struct { ProtocolVersion server_version; opaque cookie<0..2^8-1>; }
 *   HelloVerifyRequest; */
bool dissect_hello_verify_request(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint16_t server_version;
    (void)st;
    if (!cur_get_u16(&body, &server_version)) {
        return fields_malformed(f, "hello_verify_request", "server_version and cookie");
    }
    fields_add_name(f, "server_version", NAMES_VERSION, server_version);
    if (!parse_cookie(&body, f)) {
        return false;
    }
    if (cur_len(body) != 0) {
        return fields_malformed(f, "hello_verify_request", "end of message after cookie");
    }
    return true;
}

/* RFC 5246 E.2: uint8 msg_type; Version version; uint16 cipher_spec_length;
 *   uint16 session_id_length; uint16 challenge_length;
 *   V2CipherSpec cipher_specs[cipher_spec_length]; opaque session_id[session_id_length];
 *   opaque challenge[challenge_length]; (the 2-byte record header is already gone) */
bool dissect_sslv2_client_hello(struct cursor body, struct tls_state *st, struct fields *f)
{
    const struct cursor whole = body;
    uint8_t msg_type;
    uint16_t version, spec_len, session_id_len, challenge_len;
    struct cursor specs, session_id, challenge;
    st->client_hello_seen = true;
    memset(&st->offer, 0, sizeof(st->offer));
    fields_add_token(f, "format", "sslv2");
    fields_add_uint(f, "length", cur_len(body));
    if (!cur_get_u8(&body, &msg_type) || !cur_get_u16(&body, &version) ||
        !cur_get_u16(&body, &spec_len) || !cur_get_u16(&body, &session_id_len) ||
        !cur_get_u16(&body, &challenge_len)) {
        return fields_malformed(f, "client_hello", "SSLv2 header fields (9 bytes)");
    }
    fields_add_name(f, "legacy_version", NAMES_VERSION, version);
    st->offer.legacy_version = version;
    if (spec_len % 3 != 0) {
        return fields_malformed(f, "cipher_specs", "length a multiple of 3");
    }
    if (!cur_get_bytes(&body, spec_len, &specs) ||
        !cur_get_bytes(&body, session_id_len, &session_id) ||
        !cur_get_bytes(&body, challenge_len, &challenge)) {
        return fields_malformed(f, "client_hello", "cipher_specs, session_id and challenge inside message");
    }
    fields_add_uint(f, "session_id_length", session_id_len);
    fields_list_begin(f, "cipher_suites");
    uint8_t kind;
    uint16_t low;
    while (cur_get_u8(&specs, &kind) && cur_get_u16(&specs, &low)) {
        if (kind == 0) {
            fields_list_name(f, NAMES_CIPHER, low);
            offer_suite(&st->offer, low);
        } else {
            /* An SSL 2.0 cipher kind: no TLS name, printed as its 3-byte code. */
            char hex[16];
            snprintf(hex, sizeof(hex), "0x%02x%04x", kind, low);
            fields_list_token(f, hex);
        }
    }
    fields_list_end(f);
    fields_add_uint(f, "challenge_length", challenge_len);
    if (cur_len(body) != 0) {
        return fields_malformed(f, "client_hello", "end of message after challenge");
    }
    fingerprint_sslv2_client_hello(whole, st, f);
    return true;
}
