/* UTF-8 as RFC 3629 section 4 defines it: JSON strings carry wire text whole when it is valid. */
#ifndef HSDUMP_SRC_OUTPUT_UTF8_H
#define HSDUMP_SRC_OUTPUT_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

/* The length (2 to 4) of the well-formed multi-byte UTF-8 sequence s starts with, its code
 * point in *code_point; 0 when s does not start with one (an ASCII byte, a stray continuation
 * byte, an overlong form, a surrogate, a code point past U+10FFFF, or a sequence cut short). */
size_t utf8_sequence(struct cursor s, uint32_t *code_point);

#endif
