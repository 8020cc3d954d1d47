/* The fuzzers' tls_sink: every event rendered as text (default and -vv) and as JSON, so the
 * output path is fuzzed with whatever the dissectors make of the input. */
#ifndef HSDUMP_FUZZ_RENDER_H
#define HSDUMP_FUZZ_RENDER_H

#include "base/fields.h"
#include "tls/tls.h"

void fuzz_render(void *ctx, enum dir d, const struct fields *f);

#endif
