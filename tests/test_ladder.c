/* Tests for src/output/ladder.c: what the bundled captures do not hold (the row bound, a
 * hostile SNI long enough to wrap and cut, colours, -Y picking connections); the captures'
 * drawings are golden files (tests/ladder.sh). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "output/filter.h"
#include "output/ladder.h"
#include "output/output.h"
#include "printed.h"
#include "suites.h"

struct harness {
    char *text;
    size_t size;
    FILE *fp;
    struct output o;
};

static void harness_open(struct harness *h, bool colour, struct filter *display)
{
    struct ladder_style style = {false, colour, 80};
    struct output_style os = {FORMAT_LADDER, TIME_NONE, 0, false};
    h->text = NULL;
    h->size = 0;
    h->fp = open_memstream(&h->text, &h->size);
    ck_assert_ptr_nonnull(h->fp);
    out_init(&h->o, h->fp, false, &os);
    h->o.ladder = ladder_new(&style, display);
    ck_assert_ptr_nonnull(h->o.ladder);
}

static void harness_close(struct harness *h)
{
    ladder_free(h->o.ladder);
    fclose(h->fp);
}

/* Past LADDER_ROWS_MAX rows the rest are counted on one row, inside the frame. */
START_TEST(rows_bounded)
{
    struct harness h;
    harness_open(&h, false, NULL);
    struct fields f;
    for (int i = 0; i < LADDER_ROWS_MAX + 6; i++) {
        struct event_prefix p = printed_prefix(1, 2000 + i, i % 2 ? DIR_S2C : DIR_C2S);
        fields_init(&f, "change_cipher_spec", NULL);
        out_event(&h.o, &p, &f);
    }
    printed_close_line(&h.o, 1, "established", NULL);
    harness_close(&h);
    ck_assert_uint_eq(printed_count(h.text, "ChangeCipherSpec"), LADDER_ROWS_MAX);
    ck_assert_ptr_nonnull(strstr(h.text, "|    6 more not drawn (at most 64 rows)"));
    /* every row of the frame is 80 columns */
    for (char *line = strtok(h.text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == ' ' && line[strlen(line) - 1] == '|') {
            ck_assert_uint_eq(strlen(line), 80);
        }
    }
    free(h.text);
}
END_TEST

/* A 300-byte SNI of control bytes, spaces and UTF-8: escaped, wrapped onto its own row and cut
 * there with "...", the frame intact. */
START_TEST(hostile_sni_stays_in_frame)
{
    uint8_t sni[300];
    for (size_t i = 0; i < sizeof(sni); i++) {
        sni[i] = (uint8_t)("a\n\x1b[31m \xc3\xa9|"[i % 11]);
    }
    struct harness h;
    harness_open(&h, false, NULL);
    printed_hello(&h.o, 7, (const char *)sni, sizeof(sni));
    printed_close_line(&h.o, 7, "incomplete", NULL);
    harness_close(&h);
    for (const unsigned char *c = (const unsigned char *)h.text; *c != '\0'; c++) {
        ck_assert(*c == '\n' || (*c >= 0x20 && *c < 0x7f));
    }
    ck_assert_ptr_nonnull(strstr(h.text, "|    sni=a\\x0a\\x1b[31m\\x20\\xc3\\xa9|a"));
    ck_assert_ptr_nonnull(strstr(h.text, "...  |\n"));
    for (char *line = strtok(h.text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == ' ' && line[strlen(line) - 1] == '|') {
            ck_assert_uint_eq(strlen(line), 80);
        }
    }
    free(h.text);
}
END_TEST

/* Colour: a fatal alert and a failed status red, an inferred record dim, reset before the
 * lifeline. */
START_TEST(colours)
{
    struct harness h;
    harness_open(&h, true, NULL);
    struct fields f;
    struct event_prefix p = printed_prefix(2, 3000, DIR_S2C);
    fields_init(&f, "encrypted", NULL);
    fields_list_begin(&f, "inferred");
    fields_list_token(&f, "certificate");
    fields_list_end(&f);
    out_event(&h.o, &p, &f);
    p.d = DIR_C2S;
    fields_init(&f, "alert", NULL);
    fields_add_token(&f, "level", "fatal");
    fields_add_token(&f, "description", "bad_certificate");
    out_event(&h.o, &p, &f);
    printed_close_line(&h.o, 2, "failed", NULL);
    harness_close(&h);
    ck_assert_ptr_nonnull(strstr(h.text, "|\033[2m<"));
    ck_assert_ptr_nonnull(strstr(h.text, " {Certificate}? -\033[0m|"));
    ck_assert_ptr_nonnull(strstr(h.text, "|\033[31m- Alert level=fatal description=bad_certificate"));
    ck_assert_ptr_nonnull(strstr(h.text, "\033[31mstatus=failed duration=0.900000\033[0m\n"));
    free(h.text);
}
END_TEST

/* -Y draws the connections one of whose events matches, whole. */
START_TEST(display_filter_picks_connections)
{
    char err[128];
    size_t column;
    struct filter *flt = filter_compile("sni == b.example", err, sizeof(err), &column);
    ck_assert_ptr_nonnull(flt);
    struct harness h;
    harness_open(&h, false, flt);
    printed_hello(&h.o, 1, "a.example", 9);
    printed_hello(&h.o, 2, "b.example", 9);
    printed_close_line(&h.o, 1, "established", NULL);
    printed_close_line(&h.o, 2, "established", NULL);
    harness_close(&h);
    ck_assert_ptr_null(strstr(h.text, "a.example"));
    ck_assert_ptr_nonnull(strstr(h.text, "c2 192.0.2.1:40000 -> 192.0.2.2:443\n"));
    ck_assert_ptr_nonnull(strstr(h.text, "ClientHello sni=b.example"));
    free(h.text);
}
END_TEST

Suite *suite_ladder(void)
{
    Suite *s = suite_create("ladder");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rows_bounded);
    tcase_add_test(tc, hostile_sni_stays_in_frame);
    tcase_add_test(tc, colours);
    tcase_add_test(tc, display_filter_picks_connections);
    suite_add_tcase(s, tc);
    return s;
}
