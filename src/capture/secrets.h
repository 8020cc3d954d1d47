/* The secrets the user gave, in one table for every connection: key log files (--keylog)
 * and, for pcapng input, Decryption Secrets Blocks. Connection owners hand secrets_table() to
 * their dissector state (tls.h keys); the dissectors only look up. */
#ifndef HSDUMP_SRC_SECRETS_H
#define HSDUMP_SRC_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "base/cursor.h"

struct keylog_table;

/* Bad lines warned about one by one, per key log file (and for all secrets blocks together);
 * past this they are counted and one line at the end says how many. */
#define SECRETS_WARNINGS_MAX 10
/* A followed key log is looked at no more often than this (wall time). */
#define SECRETS_POLL_INTERVAL_US 100000

/* Opens every key log file and reads what it holds, in order. A regular file stays open when
 * follow is set (live capture, standard input): secrets_poll() reads what is appended to it,
 * and a line counts once its newline is written. Otherwise, and for pipes, each file is read
 * to its end, its last line counting even without a newline. False after one error line
 * ("--keylog <path>: <why>", exit status 2) when a file cannot be opened or read: a missing
 * key log is a mistake on the command line, as for ssldump -l, not something to wait for. */
bool secrets_open_keylogs(const char *const *paths, size_t n, bool follow);

/* Whether secrets_poll() has any file to look at. */
bool secrets_following(void);

/* Reads what was appended to the followed key logs since the last look, at most once every
 * SECRETS_POLL_INTERVAL_US of now (a wall-clock time: a live packet's timestamp will do);
 * cheap when called more often. A file that shrank was rewritten: it is read again from its
 * start (secrets already taken stay). */
void secrets_poll(struct timeval now);

/* One pcapng Decryption Secrets Block (pcapng_dsb.h) of the capture named source, found at
 * offset: TLS key log text goes to the table, parsed as a whole; other types are counted. */
void secrets_take_pcapng_block(const char *source, uint64_t offset, uint32_t secrets_type,
                               struct cursor secrets);

/* The table, or NULL while no secret source was given or found. */
struct keylog_table *secrets_table(void);

struct secrets_counters {
    bool any;               /* a key log was given or a secrets block found */
    uint64_t loaded;        /* secrets stored (a line for a secret already held counts again) */
    uint64_t randoms;       /* distinct client randoms with secrets */
    uint64_t bad_lines;     /* lines not understood, each warned about or counted */
    uint64_t dropped;       /* lines dropped: the table was full */
    uint64_t blocks_tls;    /* pcapng secrets blocks of key log text */
    uint64_t blocks_other;  /* ... of other types (WireGuard keys ...), skipped */
};
void secrets_get_counters(struct secrets_counters *k);

/* Says how many bad lines were not shown, clears every secret (OPENSSL_cleanse) and closes
 * the files. */
void secrets_close(void);

#endif
