/* TCP reassembly by libnids; the only file that includes nids.h is reassembly.c. */
#ifndef HSDUMP_SRC_REASSEMBLY_H
#define HSDUMP_SRC_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include "cursor.h"

struct conn_env;
struct v6map;

/* PLATFORM-NOTES 4: libnids keeps 3/4*n+1 streams; this gives room for 65536 at once. */
#define REASSEMBLY_DEFAULT_STREAMS 87382

struct reassembly_opts {
    int n_tcp_streams;
    bool verify_checksums;
};

/* Starts a reassembly round (one per input); v6 maps synthetic addresses back to IPv6. */
bool reassembly_begin(const struct reassembly_opts *o, struct conn_env *env,
                      const struct v6map *v6, char *err, size_t errlen);
/* Feeds one bare IPv4 packet captured at ts. */
void reassembly_feed(struct timeval ts, struct cursor ipv4);
/* End of input: every open connection is reported (end=eof) and freed. */
void reassembly_end(void);
/* libnids' text for a warning code (index into struct stats nids_warnings). */
const char *reassembly_warning_name(int code);

#endif
