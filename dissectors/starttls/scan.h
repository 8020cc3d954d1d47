/* What the STARTTLS (starttls.c) and tunnel (tunnel.c) scanners share: ASCII words and
 * lines read through the cursor, each function true only for a whole match. Internal to
 * dissectors/starttls/. */
#ifndef HSDUMP_DISSECTORS_STARTTLS_SCAN_H
#define HSDUMP_DISSECTORS_STARTTLS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "starttls/starttls.h"

/* How far one message of a scanned protocol got. */
enum reply { REPLY_OK, REPLY_MORE, REPLY_BAD };

/* The first min(len(c), strlen(text)) bytes of c equal text's, ignoring ASCII case: c may
 * still turn out to start with text. */
bool scan_agrees(struct cursor c, const char *text);
bool scan_has_prefix(struct cursor c, const char *text);
bool scan_word_is(struct cursor word, const char *text);
bool scan_word_in(struct cursor word, const char *const *list); /* list ends with NULL */
/* Offset of the first byte of c equal to byte, or false. */
bool scan_find_byte(struct cursor c, uint8_t byte, size_t *at);
/* Takes one whole line (through its LF) off *c into *line, without its CR LF; false, taking
 * nothing, while the LF has not arrived. */
bool scan_take_line(struct cursor *c, struct cursor *line);
/* The first space-separated word of *line; *line keeps what follows the space. */
struct cursor scan_take_word(struct cursor *line);
/* Offset of the first text at or after from, or false. */
bool scan_find_text(struct cursor hay, size_t from, const char *text, size_t *at);
/* Both sides agreed: TLS begins at these offsets of c2s and s2c. */
enum starttls_verdict scan_upgrade_at(size_t c2s, size_t s2c, struct starttls_result *res);

#endif
