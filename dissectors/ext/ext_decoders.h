/* Body decoders for single extensions, called from the table in extensions.c. */
#ifndef HSDUMP_DISSECTORS_EXT_DECODERS_H
#define HSDUMP_DISSECTORS_EXT_DECODERS_H

#include <stdbool.h>

#include "base/cursor.h"
#include "base/names.h"

struct ext_context;
struct fields;

/* Each takes the whole extension_data and returns false after recording malformed=. */
bool ext_server_name(struct cursor body, struct ext_context *ctx);
bool ext_alpn(struct cursor body, struct ext_context *ctx);
bool ext_supported_versions(struct cursor body, struct ext_context *ctx);
bool ext_supported_groups(struct cursor body, struct ext_context *ctx);
bool ext_ec_point_formats(struct cursor body, struct ext_context *ctx);
bool ext_signature_algorithms(struct cursor body, struct ext_context *ctx);
bool ext_signature_algorithms_cert(struct cursor body, struct ext_context *ctx);
bool ext_delegated_credential(struct cursor body, struct ext_context *ctx);
bool ext_key_share(struct cursor body, struct ext_context *ctx);
bool ext_psk_key_exchange_modes(struct cursor body, struct ext_context *ctx);
bool ext_pre_shared_key(struct cursor body, struct ext_context *ctx);
bool ext_early_data(struct cursor body, struct ext_context *ctx);
bool ext_session_ticket(struct cursor body, struct ext_context *ctx);
bool ext_extended_master_secret(struct cursor body, struct ext_context *ctx);
bool ext_empty_body(struct cursor body, struct ext_context *ctx);
bool ext_encrypt_then_mac(struct cursor body, struct ext_context *ctx);
bool ext_renegotiation_info(struct cursor body, struct ext_context *ctx);
bool ext_padding(struct cursor body, struct ext_context *ctx);
bool ext_record_size_limit(struct cursor body, struct ext_context *ctx);
bool ext_max_fragment_length(struct cursor body, struct ext_context *ctx);
bool ext_status_request(struct cursor body, struct ext_context *ctx);
bool ext_signed_certificate_timestamp(struct cursor body, struct ext_context *ctx);
bool ext_cookie(struct cursor body, struct ext_context *ctx);
bool ext_heartbeat(struct cursor body, struct ext_context *ctx);
bool ext_compress_certificate(struct cursor body, struct ext_context *ctx);
bool ext_quic_transport_parameters(struct cursor body, struct ext_context *ctx);
bool ext_application_settings(struct cursor body, struct ext_context *ctx);
bool ext_encrypted_client_hello(struct cursor body, struct ext_context *ctx);

/* A u16-prefixed list of u16 code points printed by name under key (supported_groups...). */
bool ext_u16_name_list(struct cursor body, struct fields *f, const char *key, enum name_kind kind);

#endif
