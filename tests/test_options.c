/* Tests for src/options.c: parsing, usage errors, and that every option is documented. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "suites.h"

static int parse(struct options *o, int argc, const char **argv)
{
    extern int optind;
    optind = 0; /* glibc: 0 restarts getopt completely */
    return opt_parse(argc, (char **)argv, o);
}

START_TEST(files_and_trailing_filter_are_collected)
{
    struct options o;
    const char *argv[] = {"hsdump", "-r", "a.pcap", "-r", "-", "tcp", "port", "443", NULL};
    ck_assert_int_eq(parse(&o, 8, argv), -1);
    ck_assert_uint_eq(o.n_files, 2);
    ck_assert_str_eq(o.files[0], "a.pcap");
    ck_assert_str_eq(o.files[1], "-");
    ck_assert_str_eq(o.filter, "tcp port 443");
    opt_free(&o);
}
END_TEST

START_TEST(bad_values_are_usage_errors)
{
    struct options o;
    const char *snap[] = {"hsdump", "-s", "0", "-i", "lo", NULL};
    const char *none[] = {"hsdump", NULL};
    const char *unknown[] = {"hsdump", "--bogus", NULL};
    ck_assert_int_eq(parse(&o, 5, snap), 2);
    ck_assert_int_eq(parse(&o, 1, none), 2);
    ck_assert_int_eq(parse(&o, 2, unknown), 2);
}
END_TEST

START_TEST(output_options_are_parsed)
{
    struct options o;
    const char *argv[] = {"hsdump", "-T", "json", "-S", "-vvv", "-ttt", "--canonical",
                          "-c", "3", "--duration", "10", "-B", "4096", "-w", "out.pcap",
                          "-i", "lo", "-Z", "nobody", "--immediate-mode", NULL};
    ck_assert_int_eq(parse(&o, 20, argv), -1);
    ck_assert_int_eq(o.format, FORMAT_JSON);
    ck_assert(o.summary);
    ck_assert_int_eq(o.verbosity, 2); /* -vvv is -vv */
    ck_assert_int_eq(o.time, TIME_DELTA);
    ck_assert(o.canonical);
    ck_assert_uint_eq(o.count, 3);
    ck_assert_uint_eq(o.duration, 10);
    ck_assert_int_eq(o.buffer_kib, 4096);
    ck_assert(o.immediate);
    ck_assert_str_eq(o.write_file, "out.pcap");
    ck_assert_str_eq(o.user, "nobody");
    opt_free(&o);
}
END_TEST

START_TEST(handshake_memory_sizes_take_binary_suffixes)
{
    static const struct {
        const char *arg;
        size_t bytes;
    } cases[] = {
        {"1024", 1024}, {"1K", 1024}, {"64M", 64u << 20}, {"2g", (size_t)2 << 30},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct options o;
        const char *argv[] = {"hsdump", "--max-handshake-memory", cases[i].arg, "-r", "x", NULL};
        ck_assert_int_eq(parse(&o, 5, argv), -1);
        ck_assert_msg(o.max_handshake_memory == cases[i].bytes, "%s", cases[i].arg);
        opt_free(&o);
    }
    struct options o;
    const char *defaults[] = {"hsdump", "-r", "x", NULL};
    ck_assert_int_eq(parse(&o, 3, defaults), -1);
    ck_assert_uint_eq(o.max_handshake_memory, 32u << 20);
    opt_free(&o);
    static const char *const bad[] = {"0", "1023", "M", "12Q", "-5M", "2048G", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[] = {"hsdump", "--max-handshake-memory", bad[i], "-r", "x", NULL};
        ck_assert_msg(parse(&o, 5, argv) == 2, "'%s' accepted", bad[i]);
    }
}
END_TEST

START_TEST(time_modes_by_count_and_by_name)
{
    static const struct {
        const char *arg;
        enum time_mode mode;
    } cases[] = {
        {"-t", TIME_NONE},          {"-tt", TIME_EPOCH},
        {"-ttt", TIME_DELTA},       {"-tttt", TIME_DATE},
        {"-ttttt", TIME_SINCE_FIRST}, {"--time-format=date", TIME_DATE},
        {"--time-format=absolute", TIME_ABSOLUTE}, {"--time-format=since-first", TIME_SINCE_FIRST},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct options o;
        const char *argv[] = {"hsdump", cases[i].arg, "-r", "x", NULL};
        ck_assert_int_eq(parse(&o, 4, argv), -1);
        ck_assert_msg(o.time == cases[i].mode, "%s", cases[i].arg);
        opt_free(&o);
    }
}
END_TEST

START_TEST(bad_output_and_stop_values_are_usage_errors)
{
    static const char *const bad[][4] = {
        {"-T", "xml"},  {"-c", "0"},  {"-c", "-1"},  {"-G", "1x"},
        {"-B", "0"},    {"-s", "abc"}, {"--time-format", "bogus"}, {"-tttttt", NULL},
        {"-G", "0"},    {"-C", "0"},   {"-C", "1x"}, {"-W", "0"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct options o;
        const char *argv[] = {"hsdump", bad[i][0], bad[i][1], "-r", "x", NULL};
        int argc = bad[i][1] == NULL ? 2 : 3;
        if (bad[i][1] == NULL) {
            argv[2] = "-r";
            argv[3] = "x";
            argv[4] = NULL;
        }
        ck_assert_msg(parse(&o, argc + 2, argv) == 2, "%s %s accepted", bad[i][0],
                      bad[i][1] ? bad[i][1] : "");
    }
    struct options o;
    const char *z[] = {"hsdump", "-Z", "nobody", "-r", "x", NULL};
    ck_assert_int_eq(parse(&o, 5, z), 2); /* -Z only makes sense live */
}
END_TEST

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* groff escapes '-' as '\-' in the man page source. */
static bool man_mentions(const char *man, const char *name)
{
    char want[128];
    char *w = want;
    w += sprintf(w, "\\-\\-");
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '-') {
            *w++ = '\\';
        }
        *w++ = *p;
    }
    *w = '\0';
    return strstr(man, want) != NULL;
}

START_TEST(tcpdump_rotation_and_buffering_options)
{
    struct options o;
    const char *argv[] = {"hsdump", "-l", "-U", "-n", "-G", "60", "-C", "2", "-W", "5",
                          "-w", "rot-%H.pcap", "-r", "x", NULL};
    ck_assert_int_eq(parse(&o, 14, argv), -1);
    ck_assert(o.line_buffered && o.packet_buffered);
    ck_assert_uint_eq(o.rotate_seconds, 60);
    ck_assert_uint_eq(o.rotate_bytes, 2000000); /* tcpdump -C: millions of bytes */
    ck_assert_uint_eq(o.rotate_files, 5);
    ck_assert_uint_eq(o.duration, 0);
    opt_free(&o);
    const char *k[] = {"hsdump", "-C", "3k", "-w", "x.pcap", "-r", "x", NULL};
    ck_assert_int_eq(parse(&o, 7, k), -1);
    ck_assert_uint_eq(o.rotate_bytes, 3072);
    opt_free(&o);
    const char *no_w[] = {"hsdump", "-G", "60", "-r", "x", NULL};
    ck_assert_int_eq(parse(&o, 5, no_w), 2); /* -G rotates -w: --duration stops */
}
END_TEST

START_TEST(every_long_option_is_in_man_page_and_help)
{
    const char *names[64];
    size_t n = opt_long_names(names, 64);
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    char path[4096];
    snprintf(path, sizeof(path), "%s/man/hsdump.1", srcdir);
    char *man = slurp(path);
    char *help = NULL;
    size_t help_len = 0;
    FILE *fp = open_memstream(&help, &help_len);
    opt_usage(fp);
    fclose(fp);
    ck_assert_uint_gt(n, 5);
    for (size_t i = 0; i < n; i++) {
        char dashed[80];
        snprintf(dashed, sizeof(dashed), "--%s", names[i]);
        ck_assert_msg(man_mentions(man, names[i]), "--%s missing from man/hsdump.1", names[i]);
        ck_assert_msg(strstr(help, dashed) != NULL, "%s missing from --help", dashed);
    }
    free(man);
    free(help);
}
END_TEST

/* -e collects its arguments in order (select.c splits the comma lists); -T fields and csv
 * need one; -Y and --conn-filter keep their expressions (compiled by select.c). */
START_TEST(field_and_filter_options)
{
    struct options o;
    const char *argv[] = {"hsdump", "-T", "csv", "-e", "time,conn", "--field", "sni",
                          "-Y", "status == failed", "--conn-filter", "version < TLSv1.2",
                          "--conn-filter-hold", "1M", "-r", "a.pcap", NULL};
    ck_assert_int_eq(parse(&o, 15, argv), -1);
    ck_assert_int_eq(o.format, FORMAT_CSV);
    ck_assert_uint_eq(o.n_field_args, 2);
    ck_assert_str_eq(o.field_args[0], "time,conn");
    ck_assert_str_eq(o.field_args[1], "sni");
    ck_assert_str_eq(o.display_filter, "status == failed");
    ck_assert_str_eq(o.conn_filter, "version < TLSv1.2");
    ck_assert_uint_eq(o.conn_hold_bytes, 1024 * 1024);
    opt_free(&o);
    const char *no_fields[] = {"hsdump", "-T", "fields", "-r", "a.pcap", NULL};
    ck_assert_int_eq(parse(&o, 5, no_fields), 2);
    const char *hold_alone[] = {"hsdump", "--conn-filter-hold", "1M", "-r", "a.pcap", NULL};
    ck_assert_int_eq(parse(&o, 5, hold_alone), 2);
}
END_TEST

Suite *suite_options(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, files_and_trailing_filter_are_collected);
    tcase_add_test(tc, bad_values_are_usage_errors);
    tcase_add_test(tc, handshake_memory_sizes_take_binary_suffixes);
    tcase_add_test(tc, output_options_are_parsed);
    tcase_add_test(tc, time_modes_by_count_and_by_name);
    tcase_add_test(tc, bad_output_and_stop_values_are_usage_errors);
    tcase_add_test(tc, tcpdump_rotation_and_buffering_options);
    tcase_add_test(tc, every_long_option_is_in_man_page_and_help);
    tcase_add_test(tc, field_and_filter_options);
    suite_add_tcase(s, tc);
    return s;
}
