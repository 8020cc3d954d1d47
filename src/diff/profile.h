/* hsdump diff's profiles (issue 20): the handshakes of a capture reduced to one bounded
 * summary per server (or per client, or per client fingerprint), made of sets of values and
 * counts, and the comparison of two such reductions into one line per changed aspect. */
#ifndef HSDUMP_SRC_DIFF_PROFILE_H
#define HSDUMP_SRC_DIFF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diff/summary.h"

/* Distinct values kept per aspect of a profile; further ones are counted as "other". */
#define PROFILE_MAX_VALUES 32
/* Profiles kept per side; handshakes of further servers (clients) go to one more, "(other)". */
#define PROFILE_MAX_PROFILES 65536
#define PROFILE_OTHER "(other)"
/* A share (flows, tickets_issued, hrr, failures) is reported as changed when it appears,
 * vanishes or moves by at least this many percentage points. */
#define PROFILE_SHARE_POINTS 10

enum profile_by {
    PROFILE_BY_SERVER, /* SNI (else server address) and port, /quic /dtls, /<starttls> */
    PROFILE_BY_CLIENT, /* client address */
    PROFILE_BY_JA4,    /* the ClientHello's JA4, else ch_ and a hash of the offer */
};

enum profile_aspect {
    ASPECT_VERSIONS,
    ASPECT_CIPHER_SUITES,
    ASPECT_GROUPS,
    ASPECT_SIGNATURE_SCHEMES,
    ASPECT_ALPN,
    ASPECT_CERTIFICATE,
    ASPECT_FLOWS,
    ASPECT_TICKETS_ISSUED,
    ASPECT_TICKET_LIFETIME,
    ASPECT_HRR,
    ASPECT_FAILURES,
    ASPECT_OFFERED_VERSIONS,
    ASPECT_OFFERED_CIPHER_SUITES,
    ASPECT_OFFERED_GROUPS,
    ASPECT_OFFERED_ALPN,
    ASPECT_JA4,
    ASPECT_COUNT
};

/* A set of values with a count each (in the form summary values are kept), grown as values
 * come, up to PROFILE_MAX_VALUES. */
struct profile_values {
    char **v;
    size_t *count;
    size_t n, cap;
    size_t other; /* values beyond PROFILE_MAX_VALUES */
};

struct profile {
    char *name;
    size_t handshakes;
    size_t tickets_issued; /* handshakes where the server sent a NewSessionTicket */
    size_t hrr;            /* handshakes with a HelloRetryRequest */
    size_t failures;       /* handshakes with status=failed */
    /* versions ... ja4; flows holds flow names, failures the causes */
    struct profile_values values[ASPECT_COUNT];
};

struct profile_set {
    enum profile_by by;
    struct profile **table; /* open addressing by name */
    size_t cap;
    size_t n;
    size_t handshakes;
};

const char *profile_aspect_name(enum profile_aspect a);
bool profile_aspect_parse(const char *name, enum profile_aspect *a);
/* Whether the aspect is one of the side's (--by server, or --by client/ja4). */
bool profile_aspect_applies(enum profile_aspect a, enum profile_by by);
bool profile_by_parse(const char *name, enum profile_by *by);
const char *profile_by_name(enum profile_by by);

void profile_set_init(struct profile_set *ps, enum profile_by by);
void profile_set_free(struct profile_set *ps);
/* Counts one handshake into its profile. */
void profile_add(struct profile_set *ps, const struct summary *s);
/* profile_add as a summary_set sink (ctx: the profile_set). */
void profile_sink(const struct summary *s, void *ctx);
/* The profile of that name, or NULL. */
const struct profile *profile_find(const struct profile_set *ps, const char *name);

struct profile_report {
    bool json;
    bool (*selected)(enum profile_aspect a, const void *ctx); /* NULL: all */
    const void *selected_ctx;
    const char *name_a, *name_b; /* on the totals line */
};

struct profile_counts {
    size_t profiles, changed, lines, only_a, only_b;
};

/* Writes one line per changed aspect of each profile in both sets (sorted by profile, then
 * aspect), then one per profile only in one, then the totals line; nothing at all when
 * nothing changed. Returns 0 (same) or 1 (differ); stops writing once out fails. */
int profile_compare(const struct profile_set *a, const struct profile_set *b,
                    const struct profile_report *r, FILE *out, struct profile_counts *counts);

#endif
