/* Tests for src/progress.c: the line's text, and that it stays off a file and erases itself. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "progress.h"
#include "suites.h"

START_TEST(bytes_of_total_connections_handshakes_rate)
{
    char line[256];
    struct progress_counts c = {.bytes_done = 812300000, .bytes_total = 1900000000,
                                .frames = 99, .connections = 12034, .handshakes = 11020};
    progress_format(&c, 2000, line, sizeof(line));
    ck_assert_str_eq(line, "812.3 MB of 1.9 GB (42%), 12034 connections, 11020 handshakes, "
                           "406.1 MB/s");
}
END_TEST

START_TEST(packets_when_the_size_is_unknown)
{
    char line[256];
    struct progress_counts c = {.frames = 3000, .connections = 2, .handshakes = 1};
    progress_format(&c, 1500, line, sizeof(line));
    ck_assert_str_eq(line, "3000 packets, 2 connections, 1 handshakes, 2000 packets/s");
    progress_format(&c, 0, line, sizeof(line)); /* no time yet: no division by zero */
    ck_assert_str_eq(line, "3000 packets, 2 connections, 1 handshakes, 0 packets/s");
}
END_TEST

START_TEST(a_file_is_no_terminal_and_clearing_what_was_never_shown_writes_nothing)
{
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    ck_assert(!progress_wanted(fileno(fp)));
    struct progress p;
    progress_start(&p, fp, fileno(fp));
    progress_clear(&p);
    ck_assert_int_eq(ftell(fp), 0);
    struct progress_counts c = {.frames = 1};
    progress_update(&p, &c); /* within the first quarter second: not drawn */
    ck_assert_int_eq(ftell(fp), 0);
    p.last_ms -= 1000; /* as if a second had passed */
    progress_update(&p, &c);
    progress_clear(&p);
    char buf[256] = "";
    rewind(fp);
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\rhsdump: 1 packets, "));
    ck_assert_str_eq(buf + n - 4, "\r\033[K"); /* erased at the end */
    fclose(fp);
}
END_TEST

Suite *suite_progress(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, bytes_of_total_connections_handshakes_rate);
    tcase_add_test(tc, packets_when_the_size_is_unknown);
    tcase_add_test(tc, a_file_is_no_terminal_and_clearing_what_was_never_shown_writes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
