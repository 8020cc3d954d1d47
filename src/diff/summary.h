/* Handshake summaries read back from JSON Lines (hsdump -T json): per connection, only the
 * fields that stay the same when the same handshake is recorded again. Used by hsdump diff
 * and by --canonical. */
#ifndef HSDUMP_SRC_SUMMARY_H
#define HSDUMP_SRC_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diff/pipeline.h"

/* The stable fields, in their canonical order (the order of --canonical lines and of diff
 * output). The name printed is on each line; (list) marks arrays. Lists have "grease" items
 * removed, so random GREASE values (RFC 8701) never differ. Everything else an event carries
 * (time, conn, client endpoint and port, lengths, byte and record counts, end=, randoms) is
 * left out. */
enum summary_field {
    /* How the handshake was carried, from the close event. */
    SUMMARY_TRANSPORT, /* transport: tcp, quic or dtls */
    SUMMARY_STARTTLS,  /* starttls: the plaintext protocol upgraded (smtp, imap, ...) */
    /* From the first client_hello. */
    SUMMARY_OFFERED_LEGACY_VERSION, /* offered_legacy_version: legacy_version */
    SUMMARY_OFFERED_VERSIONS,       /* offered_versions: supported_versions (list) */
    SUMMARY_OFFERED_CIPHER_SUITES,  /* offered_cipher_suites: cipher_suites (list) */
    SUMMARY_EXTENSIONS,             /* extensions: types in wire order (list) */
    SUMMARY_GROUPS,                 /* groups: supported_groups (list) */
    SUMMARY_SIGNATURE_ALGORITHMS,   /* signature_algorithms (list) */
    SUMMARY_KEY_SHARE_GROUPS,       /* key_share_groups: key_share (list) */
    SUMMARY_EC_POINT_FORMATS,       /* ec_point_formats (list) */
    SUMMARY_COMPRESSION_METHODS,    /* compression_methods (list) */
    SUMMARY_PSK_KEY_EXCHANGE_MODES, /* psk_key_exchange_modes (list) */
    SUMMARY_ALPN_OFFERED,           /* alpn_offered: alpn (list) */
    SUMMARY_SNI,                    /* sni */
    SUMMARY_JA3,                    /* ja3 */
    SUMMARY_JA4,                    /* ja4 (when present) */
    /* From the client_hello answering a hello_retry_request, only where it differs from the
     * first one. */
    SUMMARY_HRR_OFFERED_CIPHER_SUITES, /* hrr_offered_cipher_suites (list) */
    SUMMARY_HRR_EXTENSIONS,            /* hrr_extensions (list) */
    SUMMARY_HRR_KEY_SHARE_GROUPS,      /* hrr_key_share_groups (list) */
    /* From the (first) server_hello. */
    SUMMARY_CIPHER_SUITE,      /* cipher_suite */
    SUMMARY_SERVER_EXTENSIONS, /* server_extensions: extensions (list) */
    SUMMARY_ALPN_CHOSEN,       /* alpn_chosen: alpn */
    SUMMARY_JA3S,              /* ja3s */
    /* From the hello_retry_request. */
    SUMMARY_HRR_GROUP, /* hrr_group: key_share, the group the server asked for */
    /* From the x509 events of the first plaintext Certificate message of the server: its
     * certificate count, then cert<i>.<attribute> for each certificate i (0: the server's
     * own), attributes subject, issuer, san_dns (list), san_ip (list), not_before, not_after,
     * key, sha256. */
    SUMMARY_CHAIN_LENGTH, /* chain_length, cert0.subject, ... */
    /* The same from the client: client_chain_length, client_cert0.subject, ... */
    SUMMARY_CLIENT_CHAIN_LENGTH,
    /* Every alert event in order as from:level:description (from is client or server), an
     * encrypted one as from:encrypted. */
    SUMMARY_ALERTS, /* alerts (list) */
    /* From the close event. */
    SUMMARY_VERSION,    /* version (negotiated) */
    SUMMARY_GROUP,      /* group */
    SUMMARY_FLOW,       /* flow */
    SUMMARY_PSK_MODE,   /* psk_mode */
    SUMMARY_FLAGS,      /* flags (list) */
    SUMMARY_EARLY_DATA, /* early_data */
    SUMMARY_STATUS,     /* status */
    SUMMARY_HISTORY,    /* history */
    SUMMARY_ALERT,      /* alert: the first fatal alert */
    SUMMARY_FIELD_COUNT
};

/* How handshakes of two inputs are paired. */
enum summary_key {
    SUMMARY_KEY_SNI,    /* sni: SNI (else the server address) + ":" + server port */
    SUMMARY_KEY_SERVER, /* server: server address:port */
    /* Both followed by "/quic" or "/dtls" for those transports: a browser's QUIC and TCP
     * connections to one server are two series. */
    SUMMARY_KEY_CLIENT_HELLO, /* client-hello: ja4, else ch_ + a hash of the offer */
    SUMMARY_KEY_COUNT
};

/* One present field. Values are kept as hsdump's JSON writes them (bytes outside printable
 * ASCII, and the backslash, as the four characters \xHH), so equal text means equal bytes. */
struct summary_item {
    char name[40]; /* "cipher_suite", "cert0.subject" */
    uint64_t rank; /* canonical order: field << 32 | certificate << 8 | attribute */
    bool is_list;
    size_t n;      /* items; a scalar has exactly 1 */
    char **values;
};

/* Facts that hsdump diff's profiles (src/diff/profile.h) count but that are not compared
 * field by field (nor printed by --canonical). Strings in the form values are kept; NULL or
 * -1 when not seen. */
struct summary_extra {
    char *client;           /* client address, without its port */
    char *cause;            /* close cause=, else its alert= */
    char *signature_scheme; /* the server's, from ServerKeyExchange or CertificateVerify */
    char *ticket_lifetime;  /* the first NewSessionTicket's lifetime (hint), seconds */
    char *cert_signature;   /* signature algorithm of the server's certificate 0 */
    char *ee_alpn;          /* ALPN of a (decrypted) EncryptedExtensions, TLS 1.3 */
    bool saw_ee;            /* an EncryptedExtensions was read (decrypted) */
    long tickets;           /* close tickets= (NewSessionTickets seen), -1 when absent */
    long cert_record_size;  /* length of the server's encrypted record inferred to be its
                             * Certificate (TLS 1.3 without keys), -1 when none */
};

struct summary {
    struct summary_item *items; /* present fields only, in canonical order */
    size_t n;
    char *keys[SUMMARY_KEY_COUNT];
    uint64_t conn; /* its connection id in the input (not compared) */
    struct summary_extra extra;
};

/* The connections of one or more inputs, in order of their first event. With a sink, each
 * finished summary goes to it instead (then freed), and the set stays empty: memory then
 * follows the connections open at a time, not all of them. */
struct summary_set {
    struct summary *s;
    size_t n;
    size_t cap;
    void (*sink)(const struct summary *s, void *ctx);
    void *sink_ctx;
};

/* Captures are read through pipeline_capture_to_json() (src/diff/pipeline.h). */

/* Same kind and same values in the same order; two absent items are equal. */
bool summary_items_equal(const struct summary_item *a, const struct summary_item *b);

void summary_set_init(struct summary_set *set);
void summary_set_free(struct summary_set *set);

/* Appends the connections of a JSON Lines stream (hsdump -T json) to set; connection ids
 * are matched within this one call. false with err ("line N: why") on unusable input. */
bool summary_read_json(FILE *in, struct summary_set *set, char *err, size_t errlen);

/* Appends the connections of a capture file or of a JSON Lines file (recognised by its
 * first non-blank byte, '{'); "-" is standard input. A filter needs a capture file. */
bool summary_load(const char *path, const char *filter, struct summary_set *set, char *err,
                  size_t errlen);

/* The item of that name, or NULL when the field is absent. */
const struct summary_item *summary_find(const struct summary *s, const char *name);

/* "sni", "server", "client-hello" and back. */
const char *summary_key_name(enum summary_key key);
bool summary_key_parse(const char *name, enum summary_key *key);

/* Field names as accepted by diff --only and --ignore: every name above, cert<i> and
 * client_cert<i> (all attributes of that certificate), cert<i>.<attribute>, and the groups
 * cert or certificates (every certificate field of both sides, chain lengths included) and
 * client_cert (the client's). */
bool summary_field_pattern_valid(const char *pattern);
bool summary_field_pattern_matches(const char *pattern, const char *name);
/* The accepted names, for a usage error. */
void summary_field_patterns_list(FILE *out);

/* Writes a value as hsdump's text output does (out_text_value): a list's items joined by
 * commas, each escaped as a list item; nothing there (n == 0) is "". */
void summary_put_text_value(FILE *out, char *const *values, size_t n, bool is_list);

/* One line per connection, sorted by the key and then by order of appearance:
 * key=<key> n=<index within key, from 1> then every present field as name=value in the
 * canonical order. Equivalent captures give identical output, for plain diff(1). */
void summary_print_canonical(const struct summary_set *set, enum summary_key key, FILE *out);

/* hsdump --canonical -r FILE...: loads every path into one set and prints it with
 * summary_print_canonical. Returns the exit status: 0, or 2 after one line on stderr. */
int summary_canonical_run(const char *const *paths, size_t n_paths, const char *filter,
                          enum summary_key key, FILE *out);

#endif
