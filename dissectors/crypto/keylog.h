/* The NSS key log format (SSLKEYLOGFILE) and a table of the secrets it carries, as pure
 * functions: bytes in, entries keyed by client random out. Nothing here reads files or knows
 * connections; the caller feeds what it read and looks a connection's secrets up.
 *
 * Format: "NSS Key Log Format" (security/nss/doc/rst/legacy/key_log_format in NSS) and
 * draft-ietf-tls-keylogfile: one secret a line, "<Label> <ClientRandom> <Secret>", the client
 * random as 64 hex digits (the 32-byte ClientHello.random), the secret in hex; lines starting
 * with '#' are comments. Blank lines and CRLF line ends are tolerated, fields may be separated
 * by several spaces or tabs, hex digits may be of either case. Labels read here:
 *   CLIENT_RANDOM                    48-byte master secret (TLS 1.2 and older)
 *   CLIENT_EARLY_TRAFFIC_SECRET      TLS 1.3 secrets, 32 bytes (SHA-256 suites)
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET    or 48 bytes (SHA-384)
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET
 *   CLIENT_TRAFFIC_SECRET_0
 *   SERVER_TRAFFIC_SECRET_0
 *   EXPORTER_SECRET
 * Labels real clients write that decryption does not need (RSA, EARLY_EXPORTER_SECRET, ECH_*,
 * *_TRAFFIC_SECRET_N) are skipped quietly; any other label is reported as a bad line. */
#ifndef HSDUMP_DISSECTORS_KEYLOG_H
#define HSDUMP_DISSECTORS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYLOG_RANDOM_LEN 32
#define KEYLOG_SECRET_MAX 48
/* The longest line accepted, line end (LF or CRLF) excluded: the longest label (31
 * characters), 64 + 96 hex digits and two separators need 193; the rest is room for blanks.
 * A longer line is reported and skipped up to its newline, so one line never holds more. */
#define KEYLOG_LINE_MAX 512
/* Entries (distinct client randoms) a table holds unless the caller gives another cap; each
 * takes about 380 bytes, so the default bounds a table at about 38 MB. */
#define KEYLOG_DEFAULT_MAX_ENTRIES 100000

enum keylog_label {
    KEYLOG_CLIENT_RANDOM,
    KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET,
    KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
    KEYLOG_CLIENT_TRAFFIC_SECRET_0,
    KEYLOG_SERVER_TRAFFIC_SECRET_0,
    KEYLOG_EXPORTER_SECRET,
    KEYLOG_LABEL_COUNT,
};

/* The label as written in the file. */
const char *keylog_label_name(enum keylog_label label);

/* Secrets by client random. A later line for the same client random and label replaces the
 * earlier secret (the earlier one is cleared): a client rewriting a secret means the newer one,
 * and Wireshark also keeps the last. */
struct keylog_table;

/* max_entries 0 means KEYLOG_DEFAULT_MAX_ENTRIES. NULL when out of memory. The table starts
 * empty and grows with the entries the input brings. */
struct keylog_table *keylog_table_new(size_t max_entries);
/* Clears every secret (OPENSSL_cleanse) and frees; NULL is fine. */
void keylog_table_free(struct keylog_table *table);

/* Distinct client randoms held. */
size_t keylog_table_entries(const struct keylog_table *table);
/* Lines for a new client random dropped because the table was full (or out of memory). */
uint64_t keylog_table_dropped(const struct keylog_table *table);

/* Stores one secret (secret_len must be 1..KEYLOG_SECRET_MAX). False when dropped: table full
 * or out of memory (counted in keylog_table_dropped). */
bool keylog_table_put(struct keylog_table *table, const uint8_t random[KEYLOG_RANDOM_LEN],
                      enum keylog_label label, const uint8_t *secret, size_t secret_len);

/* Whether more secrets may still come (a key log followed as a client writes it): a connection
 * without secrets is then followed a while longer, for secrets that come late. Off at first. */
void keylog_table_set_growing(struct keylog_table *table, bool growing);
bool keylog_table_growing(const struct keylog_table *table);

/* Copies the secret for (random, label) into out (KEYLOG_SECRET_MAX bytes) and its length into
 * *len; false when the table has none. The caller clears its copy when done. Copying keeps no
 * pointer into the table alive across later input, which may move entries. */
bool keylog_table_find(const struct keylog_table *table, const uint8_t random[KEYLOG_RANDOM_LEN],
                       enum keylog_label label, uint8_t out[KEYLOG_SECRET_MAX], size_t *len);

/* A connection's lookups that found nothing: a label is searched for again only once the table
 * gained secrets (a live key log grows). All zero at first. */
struct keylog_lookup {
    uint64_t generation; /* of the table when missing was last cleared */
    uint8_t missing;     /* labels (bit per enum keylog_label) looked for in vain since */
};

/* keylog_table_find, remembered in memo: false at once for a label already missing while the
 * table has not changed. */
bool keylog_lookup(struct keylog_lookup *memo, const struct keylog_table *table,
                   const uint8_t random[KEYLOG_RANDOM_LEN], enum keylog_label label,
                   uint8_t out[KEYLOG_SECRET_MAX], size_t *len);

/* Called once per bad line with its 1-based number and what was expected there, e.g.
 * "64 hex digits of client random"; the caller prints it (one stderr warning a line). */
typedef void (*keylog_report_fn)(void *ctx, uint64_t line_no, const char *expected);

/* Incremental parser: input arrives in chunks of any size (a file read as it grows), so the
 * unfinished last line is kept, at most KEYLOG_LINE_MAX bytes, until its newline arrives. */
struct keylog_parser {
    char line[KEYLOG_LINE_MAX + 1]; /* + 1: the CR of a CRLF line end */
    size_t len;        /* bytes of the unfinished line held in line */
    bool overlong;     /* the unfinished line passed KEYLOG_LINE_MAX: skip to its newline */
    uint64_t line_no;  /* lines finished so far */
    uint64_t secrets;  /* lines that gave a secret to the table */
    uint64_t bad_lines;
};

void keylog_parser_init(struct keylog_parser *parser);

/* Parses every line that ends in data; bad lines go to report (may be NULL) and are skipped,
 * the next lines are still read. Never fails. */
void keylog_parser_feed(struct keylog_parser *parser, struct keylog_table *table,
                        const void *data, size_t len, keylog_report_fn report, void *ctx);

/* End of input (a whole file read, not a live one): parses a last line without a newline. */
void keylog_parser_finish(struct keylog_parser *parser, struct keylog_table *table,
                          keylog_report_fn report, void *ctx);

/* Clears the held partial line (it may hold part of a secret). */
void keylog_parser_clear(struct keylog_parser *parser);

#endif
