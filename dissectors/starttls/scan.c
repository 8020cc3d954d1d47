/* What the STARTTLS and tunnel scanners share: ASCII words and lines, read through the
 * cursor, and the verdict that says where TLS begins. */
#include "starttls/scan.h"

#include <string.h>

static uint8_t ascii_lower(uint8_t b)
{
    return b >= 'A' && b <= 'Z' ? (uint8_t)(b - 'A' + 'a') : b;
}

/* True when the first min(len(c), strlen(text)) bytes of c equal text's, ignoring ASCII case:
 * c may still turn out to start with text. */
bool scan_agrees(struct cursor c, const char *text)
{
    uint8_t b;
    for (size_t i = 0; text[i] != '\0' && cur_peek_u8(c, i, &b); i++) {
        if (ascii_lower(b) != ascii_lower((uint8_t)text[i])) {
            return false;
        }
    }
    return true;
}

bool scan_has_prefix(struct cursor c, const char *text)
{
    return cur_len(c) >= strlen(text) && scan_agrees(c, text);
}

bool scan_word_is(struct cursor word, const char *text)
{
    return cur_len(word) == strlen(text) && scan_agrees(word, text);
}

bool scan_word_in(struct cursor word, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        if (scan_word_is(word, list[i])) {
            return true;
        }
    }
    return false;
}

bool scan_find_byte(struct cursor c, uint8_t byte, size_t *at)
{
    uint8_t b;
    for (size_t i = 0; cur_peek_u8(c, i, &b); i++) {
        if (b == byte) {
            *at = i;
            return true;
        }
    }
    return false;
}

/* Takes one whole line (through its LF) off *c into *line, without its CR LF; false, taking
 * nothing, while the LF has not arrived. */
bool scan_take_line(struct cursor *c, struct cursor *line)
{
    size_t lf;
    uint8_t b;
    struct cursor whole;
    if (!scan_find_byte(*c, '\n', &lf) || !cur_get_bytes(c, lf + 1, &whole)) {
        return false;
    }
    bool cr = lf > 0 && cur_peek_u8(whole, lf - 1, &b) && b == '\r';
    *line = cur_take_upto(&whole, cr ? lf - 1 : lf);
    return true;
}

/* The first space-separated word of *line; *line keeps what follows the space. */
struct cursor scan_take_word(struct cursor *line)
{
    uint8_t b;
    size_t n = 0;
    while (cur_peek_u8(*line, n, &b) && b != ' ') {
        n++;
    }
    struct cursor word = cur_take_upto(line, n);
    (void)cur_take_upto(line, 1); /* the space */
    return word;
}

/* Offset of the first text at or after from, or false. */
bool scan_find_text(struct cursor hay, size_t from, const char *text, size_t *at)
{
    size_t n = strlen(text);
    for (size_t i = from; i + n <= cur_len(hay); i++) {
        struct cursor probe = hay;
        if (cur_skip(&probe, i) && scan_has_prefix(probe, text)) {
            *at = i;
            return true;
        }
    }
    return false;
}

enum starttls_verdict scan_upgrade_at(size_t c2s, size_t s2c, struct starttls_result *res)
{
    res->tls_start[DIR_C2S] = c2s;
    res->tls_start[DIR_S2C] = s2c;
    return STARTTLS_UPGRADE;
}
