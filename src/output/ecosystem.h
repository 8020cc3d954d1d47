/* The ecosystem's formats: -T ecs (one Elastic Common Schema JSON object per connection) and
 * -T zeek (Zeek's ssl.log, and x509.log with --x509-log), made at each connection's close
 * from its events as they pass through the output path (hsdump.1, ECS AND ZEEK). */
#ifndef HSDUMP_SRC_OUTPUT_ECOSYSTEM_H
#define HSDUMP_SRC_OUTPUT_ECOSYSTEM_H

#include <stdio.h>

#include "options.h"

struct eco;
struct output;
struct event_prefix;
struct fields;

/* What is kept of a connection until its close is bounded: at most ECO_CONNS_MAX connections
 * at once (--max-conns is 65536 by default; one past the bound gets a record from its close
 * line alone), ECO_CIPHERS_MAX offered
 * cipher suites, ECO_CHAIN_MAX certificate fingerprints per side, and the first certificate
 * of each side rendered once (its size, at most ECO_CERT_JSON_MAX bytes): a few hundred bytes
 * per connection for ordinary certificates. */
#define ECO_CONNS_MAX (1u << 18)
#define ECO_CIPHERS_MAX 256
#define ECO_CHAIN_MAX 16
#define ECO_CERT_JSON_MAX 16384
/* Zeek's SSL::max_ssl_history_length. */
#define ZEEK_HISTORY_MAX 100
/* x509.log is written once per certificate (fingerprint, host_cert, client_cert), as Zeek's
 * X509::known_log_certs deduplicates; past this many the set starts again. */
#define ZEEK_X509_SEEN_MAX 65536

/* format is FORMAT_ECS or FORMAT_ZEEK; x509_log (Zeek only, may be NULL) receives x509.log.
 * NULL when out of memory. */
struct eco *eco_new(enum out_format format, FILE *x509_log);
/* One event of a connection; its close writes the connection's record through o. */
void eco_event(struct eco *e, struct output *o, const struct event_prefix *p,
               const struct fields *f);
/* The end of the output: Zeek's #close lines (ssl.log through o, x509.log to its file).
 * False when writing x509.log failed. */
bool eco_end(struct eco *e, struct output *o);
void eco_free(struct eco *e);

#endif
