/* -Z: give up root once the capture (and the -w file) is open, as tcpdump does. */
#ifndef HSDUMP_SRC_PRIVILEGES_H
#define HSDUMP_SRC_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

/* Switches the process to user's uid, gid and supplementary groups for good. On failure
 * returns false with err "-Z <user>: <why>", e.g. "-Z nobodyx: no such user"; the process
 * may then hold some of the new ids and must exit. */
bool priv_drop(const char *user, char *err, size_t errlen);

/* Who a root live capture runs as without -Z. */
#define PRIV_DEFAULT_USER "nobody"

#endif
