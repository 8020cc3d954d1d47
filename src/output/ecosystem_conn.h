/* What -T ecs and -T zeek keep of one connection between its first event and its close, and
 * the renderers' entry points (ecosystem.c gathers, output_ecs.c and output_zeek.c write). */
#ifndef HSDUMP_SRC_OUTPUT_ECOSYSTEM_CONN_H
#define HSDUMP_SRC_OUTPUT_ECOSYSTEM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "base/cursor.h"
#include "output/ecosystem.h"

struct output;
struct event_prefix;
struct fields;

/* A connection id's home slot in a table of cap (a power of two) slots: splitmix64's
 * finaliser, so consecutive ids spread (-T ecs, -T zeek and -T ladder's tables). */
static inline size_t eco_slot_of(uint64_t id, size_t cap)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id & (cap - 1);
}

struct eco_conn {
    uint64_t id;
    struct timeval start; /* its first event: Zeek's ts, ECS event.start */
    /* ECS tls.client.supported_ciphers: the first ClientHello's suites as JA3 lists them
     * (GREASE left out), at most ECO_CIPHERS_MAX (owned) */
    uint16_t *ciphers;
    uint16_t n_ciphers;
    bool have_ciphers;
    bool ciphers_cut;
    /* ECS tls.client.x509 / tls.server.x509 of each side's first certificate, as JSON
     * (owned), and its SHA-256 */
    char *cert_json[2];
    bool cert_omitted[2]; /* longer than ECO_CERT_JSON_MAX (or no memory): left out, said */
    bool have_leaf[2];
    uint8_t leaf_sha256[2][32];
    /* Zeek cert_chain_fps, client_cert_chain_fps (owned), by side */
    uint8_t (*fps[2])[32];
    uint8_t n_fps[2];
    /* Zeek: the SNI of the first ClientHello (owned) until the server's certificate is
     * matched against it: -1 unset, 0 F, 1 T */
    uint8_t *sni;
    uint16_t sni_len;
    int8_t sni_matches;
    char history[ZEEK_HISTORY_MAX + 1];
    uint8_t history_len;
    int last_alert; /* plaintext alert description, -1 none */
};

/* A line built in a buffer of cap bytes: full (and left as it was) once a piece did not
 * fit. */
struct eco_line {
    char *buf;
    size_t cap;
    size_t len;
    bool full;
};
void eco_put(struct eco_line *l, const char *s, size_t n);
/* The value of the field key as a NUL-terminated string in buf; false when the field is
 * absent or its value does not fit in cap - 1 bytes. */
bool eco_field_text(const struct fields *f, const char *key, char *buf, size_t cap);
/* The x509 event's serial in upper-case hex (as ECS and Zeek write it) into buf. */
bool eco_serial(const struct fields *x509, char *buf, size_t cap);
/* The field key is there with exactly this value. */
bool eco_token_is(const struct fields *f, const char *key, const char *value);

/* Each close writes one line (at most cap bytes, with its newline) into buf; returns its
 * length, 0 when it did not fit. */
size_t ecs_record(const struct eco_conn *c, const struct event_prefix *p,
                  const struct fields *close, char *buf, size_t cap);
/* The ECS x509 object of one x509 event; returns a malloc'd string or NULL. */
char *ecs_cert_json(const struct fields *x509);

/* Zeek: ssl.log's header (path "ssl") and one ssl.log line. */
size_t zeek_header(const char *path, struct timeval open, char *buf, size_t cap);
size_t zeek_close(struct timeval close, char *buf, size_t cap);
size_t zeek_ssl_record(const struct eco_conn *c, const struct event_prefix *p,
                       const struct fields *close, char *buf, size_t cap);
/* One x509.log line for an x509 event; client: sent by the client. */
size_t zeek_x509_record(struct timeval ts, const struct fields *x509, bool client, char *buf,
                        size_t cap);
/* Zeek's sni_matches_cert: the name matches a subjectAltName dNSName of the certificate (or
 * its subject's CN when it has none), a '*' standing for the whole leftmost label. */
bool zeek_name_matches(struct cursor name, const struct fields *x509);

/* The subject or issuer text of an x509 event (RFC 4514, as X509_NAME_print_ex writes it):
 * the next attribute of the name, its type (CN, O, ...) and its value unescaped into val
 * (cap bytes, cut there); false at the end. */
bool dn_next(struct cursor *dn, char *type, size_t type_cap, char *val, size_t val_cap,
             size_t *val_len);

#endif
