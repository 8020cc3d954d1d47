/* Command-line options, parsed once into a const struct options. */
#ifndef HSDUMP_SRC_OPTIONS_H
#define HSDUMP_SRC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OPT_MAX_FILES 256

struct options {
    const char *files[OPT_MAX_FILES]; /* -r, in order; "-" is standard input */
    size_t n_files;
    const char *iface; /* -i */
    char *filter;      /* trailing arguments joined by spaces (tcpdump style), or NULL */
    int snaplen;       /* -s */
    bool promisc;      /* cleared by -p */
    bool verify_checksums;
    bool print_stats;
};

/* Parses argv into o. Returns -1 to go on, or the exit status to leave with (0 after --help
 * or --version, 2 after a usage error, already reported on stderr). */
int opt_parse(int argc, char **argv, struct options *o);
void opt_free(struct options *o);
void opt_usage(FILE *fp);
/* The long options, for the test that checks each one is documented. */
size_t opt_long_names(const char **names, size_t cap);

#endif
