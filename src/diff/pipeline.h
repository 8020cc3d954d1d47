/* The capture pipeline run for another consumer than the terminal (hsdump diff, --canonical). */
#ifndef HSDUMP_SRC_PIPELINE_H
#define HSDUMP_SRC_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Runs the capture at path through hsdump's pipeline (BPF filter may be NULL) and writes its
 * events as JSON Lines (with -v detail) to out. On failure returns false with the reason in
 * err (without the path). A file cut off mid-packet is read up to the cut, like -r. */
bool pipeline_capture_to_json(const char *path, const char *filter, FILE *out, char *err,
                              size_t errlen);

#endif
