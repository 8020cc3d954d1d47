/* The secrets the user gave, in one table for every connection: key log files (--keylog)
 * and, for pcapng input, Decryption Secrets Blocks. Connection owners hand secrets_table() to
 * their dissector state (tls.h keys); the dissectors only look up. */
#ifndef HSDUMP_SRC_SECRETS_H
#define HSDUMP_SRC_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

struct keylog_table;

/* Reads every key log file whole; false after one error line (exit status 2) when one cannot
 * be opened or read. */
bool secrets_open_keylogs(const char *const *paths, size_t n);

/* The table, or NULL while no secret source was given or found. */
struct keylog_table *secrets_table(void);

/* Clears every secret (OPENSSL_cleanse) and closes the files. */
void secrets_close(void);

#endif
