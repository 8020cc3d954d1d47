/* hsdump diff: compare the handshakes of two captures (issue 6). */
#ifndef HSDUMP_SRC_DIFF_H
#define HSDUMP_SRC_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diff/profile.h"
#include "diff/summary.h"

#define DIFF_MAX_FIELDS 64 /* --only / --ignore names in all */
#define DIFF_MAX_KEYLOGS 16 /* --keylog files, as for hsdump itself */

#define DIFF_MAX_INPUTS 64 /* capture files a side */

struct diff_options {
    enum summary_key key; /* --key, default sni (-v) */
    enum profile_by by;   /* --by, default server */
    bool verbose;         /* -v: today's per-handshake pairing instead of profiles */
    bool json;            /* -T json */
    char only[DIFF_MAX_FIELDS][40];
    size_t n_only;
    char ignore[DIFF_MAX_FIELDS][40];
    size_t n_ignore;
    const char *keylogs[DIFF_MAX_KEYLOGS]; /* --keylog, for both captures */
    size_t n_keylogs;
};

struct diff_counts {
    size_t paired, identical, different, only_a, only_b;
};

void diff_options_init(struct diff_options *o);
/* Adds a comma-separated --only (only true) or --ignore list of field names (-v) or aspect
 * names (profiles); false with err naming the first unknown one. */
bool diff_add_fields(struct diff_options *o, const char *list, bool only, char *err,
                     size_t errlen);

/* Pairs the handshakes of a and b and writes the report to out (names a and b go in its
 * header). Returns 0 when every handshake is paired and identical, else 1; counts may be
 * NULL. */
int diff_sets(const struct summary_set *a, const struct summary_set *b, const char *name_a,
              const char *name_b, const struct diff_options *o, FILE *out,
              struct diff_counts *counts);

/* Whether --only and --ignore let a profile aspect through. */
bool diff_aspect_selected(enum profile_aspect a, const void *options);

/* hsdump diff [options] A B [filter expression], or A1 A2 ... -- B1 B2 ..., argv[0] being
 * "diff"; the report goes to
 * out. Returns the exit status: 0 same, 1 different, 2 trouble (one line on stderr). */
int diff_run(int argc, char **argv, FILE *out);
/* diff_run onto standard output: what src/main.c calls for `hsdump diff ...`. */
int diff_main(int argc, char **argv);

#endif
