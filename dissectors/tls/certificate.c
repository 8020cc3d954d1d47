/* Certificate, CertificateRequest, CertificateVerify, CertificateStatus, CompressedCertificate
 * (RFC 5246 7.4.2, 7.4.4, 7.4.8; RFC 8446 4.3.2, 4.4.2, 4.4.3; RFC 6066 8; RFC 8879 4). */
#include "base/fields.h"
#include "ext/extensions.h"
#include "tls/messages.h"
#include "base/names.h"
#include "tls/cert_decompress.h"

/* Walks a certificate_list; TLS 1.3 entries carry extensions after each certificate. */
static bool walk_certificates(struct cursor list, bool tls13, struct fields *f, size_t *count)
{
    struct cursor walk = list;
    struct cursor der, exts;
    *count = 0;
    while (cur_len(walk) > 0) {
        struct cursor entry = walk;
        if (!cur_get_vec24(&walk, &der) || cur_len(der) == 0 ||
            (tls13 && !cur_get_vec16(&walk, &exts))) {
            return fields_malformed_at(f, "certificate_list",
                                       tls13 ? "CertificateEntry: u24-prefixed cert_data, "
                                               "u16-prefixed extensions"
                                             : "u24-prefixed ASN.1Cert of 1..2^24-1 bytes",
                                       cur_offset(list, entry));
        }
        (*count)++;
    }
    fields_add_uint(f, "certificates", *count);
    fields_list_begin(f, "certificate_lengths");
    walk = list;
    while (cur_get_vec24(&walk, &der) && (!tls13 || cur_get_vec16(&walk, &exts))) {
        fields_list_uint(f, cur_len(der));
    }
    fields_list_end(f);
    return true;
}

/* RFC 5246 7.4.2: opaque ASN.1Cert<1..2^24-1>; struct { ASN.1Cert certificate_list<0..2^24-1>; }
 * RFC 8446 4.4.2: opaque certificate_request_context<0..2^8-1>;
 *                 CertificateEntry certificate_list<0..2^24-1>; */
bool dissect_certificate(struct cursor body, struct tls_state *st, struct fields *f)
{
    struct cursor context, list;
    size_t count;
    if (st->is_tls13 && !cur_get_vec8(&body, &context)) {
        return fields_malformed(f, "certificate_request_context", "u8-prefixed context");
    }
    if (!cur_get_vec24(&body, &list)) {
        return fields_malformed(f, "certificate_list", "u24-prefixed list inside message");
    }
    if (!walk_certificates(list, st->is_tls13, f, &count)) {
        return false;
    }
    if (cur_len(body) != 0) {
        return fields_malformed(f, "certificate", "end of message after certificate_list");
    }
    return true;
}

/* The DER certificates of a Certificate message body, in order, for per-entry lines. */
bool cert_next_der(struct cursor *list, bool tls13, struct cursor *der)
{
    struct cursor probe = *list;
    struct cursor exts;
    if (!cur_get_vec24(&probe, der) || (tls13 && !cur_get_vec16(&probe, &exts))) {
        return false;
    }
    *list = probe;
    return true;
}

bool cert_open_list(struct cursor body, bool tls13, struct cursor *list)
{
    struct cursor context;
    return (!tls13 || cur_get_vec8(&body, &context)) && cur_get_vec24(&body, list);
}

/* RFC 5246 7.4.4: ClientCertificateType certificate_types<1..2^8-1>;
 *   SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>; (TLS 1.2 only)
 *   DistinguishedName certificate_authorities<0..2^16-1>;
 * RFC 8446 4.3.2: opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>; */
bool dissect_certificate_request(struct cursor body, struct tls_state *st, struct fields *f)
{
    struct cursor types, algs, cas, dn;
    uint8_t type;
    uint16_t scheme;
    st->cert_requested = true;
    if (st->is_tls13) {
        struct cursor context;
        if (!cur_get_vec8(&body, &context)) {
            return fields_malformed(f, "certificate_request_context", "u8-prefixed context");
        }
        fields_add_uint(f, "context_length", cur_len(context));
        struct ext_context ctx = {EXT_IN_CERTIFICATE_REQUEST, st, f, 0};
        bool ok = ext_parse_block(&body, &ctx);
        if (ok && cur_len(body) != 0) {
            return fields_malformed(f, "certificate_request", "end of message after extensions");
        }
        return ok;
    }
    if (!cur_get_vec8(&body, &types) || cur_len(types) == 0) {
        return fields_malformed(f, "certificate_types", "u8-prefixed list of 1..255 types");
    }
    fields_list_begin(f, "certificate_types");
    while (cur_get_u8(&types, &type)) {
        fields_list_name(f, NAMES_CERT_TYPE, type);
    }
    fields_list_end(f);
    if (tls_version_at_least_1_2(st->version)) {
        if (!cur_get_vec16(&body, &algs) || cur_len(algs) % 2 != 0) {
            return fields_malformed(f, "signature_algorithms", "u16-prefixed list of even length");
        }
        fields_list_begin(f, "signature_algorithms");
        while (cur_get_u16(&algs, &scheme)) {
            fields_list_name(f, NAMES_SIGSCHEME, scheme);
        }
        fields_list_end(f);
    }
    if (!cur_get_vec16(&body, &cas)) {
        return fields_malformed(f, "certificate_authorities", "u16-prefixed list");
    }
    size_t count = 0;
    while (cur_len(cas) > 0) {
        if (!cur_get_vec16(&cas, &dn) || cur_len(dn) == 0) {
            return fields_malformed(f, "certificate_authorities",
                                    "u16-prefixed DistinguishedNames of 1..2^16-1 bytes");
        }
        count++;
    }
    fields_add_uint(f, "certificate_authorities", count);
    if (cur_len(body) != 0) {
        return fields_malformed(f, "certificate_request", "end of message");
    }
    return true;
}

/* RFC 5246 7.4.8: digitally-signed struct { opaque handshake_messages[..]; } (TLS 1.2 adds
 * the SignatureAndHashAlgorithm); RFC 8446 4.4.3: SignatureScheme algorithm; opaque
 * signature<0..2^16-1>; */
bool dissect_certificate_verify(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint16_t scheme;
    struct cursor sig;
    if (tls_version_at_least_1_2(st->version) || st->is_tls13) {
        if (!cur_get_u16(&body, &scheme)) {
            return fields_malformed(f, "signature_scheme", "2-byte SignatureScheme");
        }
        fields_add_name(f, "signature_scheme", NAMES_SIGSCHEME, scheme);
    }
    if (!cur_get_vec16(&body, &sig) || cur_len(body) != 0) {
        return fields_malformed(f, "signature", "u16-prefixed signature ending the message");
    }
    fields_add_uint(f, "signature_length", cur_len(sig));
    return true;
}

/* RFC 6066 8: struct { CertificateStatusType status_type; select (status_type) {
 *   case ocsp: OCSPResponse; } response; } opaque OCSPResponse<1..2^24-1>; */
bool dissect_certificate_status(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint8_t type;
    struct cursor response;
    (void)st;
    if (!cur_get_u8(&body, &type)) {
        return fields_malformed(f, "status_type", "1 byte");
    }
    fields_add_name(f, "status_type", NAMES_CERT_STATUS, type);
    if (!cur_get_vec24(&body, &response) || cur_len(body) != 0 || cur_len(response) == 0) {
        return fields_malformed(f, "response", "u24-prefixed response of 1..2^24-1 bytes "
                                               "ending the message");
    }
    fields_add_uint(f, "response_length", cur_len(response));
    return true;
}

/* RFC 8879 4: struct { CertificateCompressionAlgorithm algorithm; uint24 uncompressed_length;
 *   opaque compressed_certificate_message<1..2^24-1>; } CompressedCertificate; */
static bool read_compressed_certificate(struct cursor body, uint16_t *algorithm,
                                        uint32_t *uncompressed, struct cursor *compressed)
{
    return cur_get_u16(&body, algorithm) && cur_get_u24(&body, uncompressed) &&
           cur_get_vec24(&body, compressed) && cur_len(body) == 0 && cur_len(*compressed) > 0;
}

bool dissect_compressed_certificate(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint16_t algorithm;
    uint32_t uncompressed;
    struct cursor compressed;
    (void)st;
    if (!read_compressed_certificate(body, &algorithm, &uncompressed, &compressed)) {
        return fields_malformed(f, "compressed_certificate",
                                "algorithm, uncompressed_length, u24-prefixed message of "
                                "1..2^24-1 bytes");
    }
    fields_add_name(f, "algorithm", NAMES_CERT_COMPRESSION, algorithm);
    fields_add_uint(f, "uncompressed_length", uncompressed);
    fields_add_uint(f, "compressed_length", cur_len(compressed));
    return true;
}

/* RFC 8879 4: compressed_certificate_message is "the encoded Certificate message" compressed,
 * the Certificate structure without its 4-byte handshake header (RFC 8879 erratum 8753, as
 * BoringSSL and Wireshark read it). "If, after decompression, the specified length does not
 * match the actual length", and if it cannot be decompressed, the receiver aborts with
 * bad_certificate: malformed here. */
bool dissect_compressed_certificate_message(struct cursor body, struct tls_state *st,
                                            struct fields *f, struct cert_decompressed *inner)
{
    uint16_t algorithm;
    uint32_t uncompressed;
    struct cursor compressed;
    if (!read_compressed_certificate(body, &algorithm, &uncompressed, &compressed)) {
        return false; /* dissect_compressed_certificate said why */
    }
    switch (cert_decompress(inner, algorithm, compressed, uncompressed)) {
    case CERT_DECOMPRESS_OK:
        return dissect_certificate(cert_decompressed_bytes(inner), st, f);
    case CERT_DECOMPRESS_UNSUPPORTED:
        return true; /* the algorithm's name (or number) is all there is to say */
    case CERT_DECOMPRESS_BUDGET:
        return fields_truncated(f, "budget", inner->len, uncompressed);
    case CERT_DECOMPRESS_TOO_SHORT:
    case CERT_DECOMPRESS_TOO_LONG:
        return fields_malformed(f, "compressed_certificate",
                                "exactly uncompressed_length bytes once decompressed");
    case CERT_DECOMPRESS_CORRUPT:
    default:
        return fields_malformed(f, "compressed_certificate",
                                "compressed data its algorithm decodes, ending with the message");
    }
}
