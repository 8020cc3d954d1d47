/* Tests for src/output/html.c: the escaper, the diagram bound, the charts' bound ("(other)"
 * past HTML_TALLY_KEYS values), a hostile SNI and certificate name in the page. -Y is the
 * ladder model's (test_ladder.c, tests/html.sh); the pages of the bundled captures are
 * checked by tests/html.sh and tests/html_chromium.sh. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fields.h"
#include "output/filter.h"
#include "output/html.h"
#include "output/output.h"
#include "printed.h"
#include "suites.h"

START_TEST(escape_markup)
{
    char out[64];
    const char *in = "<a href='x'>\"&amp;\"</a>";
    size_t n = html_escape(in, strlen(in), out, sizeof(out));
    ck_assert_str_eq(out, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;amp;&quot;&lt;/a&gt;");
    ck_assert_uint_eq(n, strlen(out));
    /* plain text as is */
    ck_assert_uint_eq(html_escape("server.example", 14, out, sizeof(out)), 14);
    ck_assert_str_eq(out, "server.example");
}
END_TEST

/* Cut before an escape that does not fit, never in the middle of one. */
START_TEST(escape_cut_whole)
{
    char out[8];
    ck_assert_uint_eq(html_escape("ab<cd", 5, out, sizeof(out)), 7);
    ck_assert_str_eq(out, "ab&lt;c");
    ck_assert_uint_eq(html_escape("abcd&", 5, out, sizeof(out)), 4);
    ck_assert_str_eq(out, "abcd");
    ck_assert_uint_eq(html_escape("x", 1, out, 1), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(diagram_bound)
{
    /* up to HTML_FULL_CONNS: every one */
    ck_assert(html_keep_diagram(1, false, 100, 0));
    ck_assert(html_keep_diagram(HTML_FULL_CONNS, false, 100, HTML_FULL_CONNS - 1));
    /* past it: failed ones, and the first HTML_SAMPLE_PER_SERVER of each server */
    ck_assert(!html_keep_diagram(HTML_FULL_CONNS + 1, false, HTML_SAMPLE_PER_SERVER, 5));
    ck_assert(html_keep_diagram(HTML_FULL_CONNS + 1, false, HTML_SAMPLE_PER_SERVER - 1, 5));
    ck_assert(html_keep_diagram(HTML_FULL_CONNS + 1, true, 1000, 5));
    /* never past HTML_DIAGRAMS_MAX */
    ck_assert(!html_keep_diagram(HTML_FULL_CONNS + 1, true, 0, HTML_DIAGRAMS_MAX));
}
END_TEST

struct page {
    char path[64];
    struct output o;
    FILE *devnull;
};

static void page_open(struct page *pg, struct filter *display)
{
    char err[256];
    struct output_style os = {FORMAT_TEXT, TIME_NONE, 0, false};
    snprintf(pg->path, sizeof(pg->path), "/tmp/hsdump-test-html-XXXXXX");
    int fd = mkstemp(pg->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    pg->devnull = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(pg->devnull);
    out_init(&pg->o, pg->devnull, false, &os);
    pg->o.html = html_open(pg->path, display, err, sizeof(err));
    ck_assert_msg(pg->o.html != NULL, "%s", err);
}

/* The page's text (malloc'd). */
static char *page_close(struct page *pg)
{
    ck_assert(html_finish(pg->o.html));
    html_free(pg->o.html);
    fclose(pg->devnull);
    FILE *fp = fopen(pg->path, "r");
    ck_assert_ptr_nonnull(fp);
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', fp);
    ck_assert_int_gt(n, 0);
    fclose(fp);
    unlink(pg->path);
    return text;
}

/* A hostile SNI and certificate CN: in the table and the diagram only as escaped text. */
START_TEST(hostile_values_escaped)
{
    static const char sni[] = "<img src=x onerror='alert(1)'>\"&";
    struct page pg;
    page_open(&pg, NULL);
    printed_hello(&pg.o, 1, sni, sizeof(sni) - 1);
    struct fields f;
    struct event_prefix p = printed_prefix(1, 2000, DIR_S2C);
    fields_init(&f, "handshake", "certificate");
    out_event(&pg.o, &p, &f);
    fields_init(&f, "x509", NULL);
    fields_add_uint(&f, "index", 0);
    fields_add_string(&f, "subject", cur_make((const uint8_t *)"CN=</svg><script>x</script>", 27));
    out_event(&pg.o, &p, &f);
    printed_close_line(&pg.o, 1, "failed", sni);
    char *text = page_close(&pg);
    ck_assert_ptr_null(strstr(text, "<img"));
    ck_assert_ptr_null(strstr(text, "<script>x"));
    ck_assert_uint_eq(printed_count(text, "<script>"), 1);
    ck_assert_uint_eq(printed_count(text, "</svg>"), printed_count(text, "<svg "));
    /* the text form (space as \x20), then HTML-escaped */
    ck_assert_ptr_nonnull(
        strstr(text, "<td>&lt;img\\x20src\\x3dx\\x20onerror\\x3d&#39;alert(1)&#39;&gt;"
                     "\\x22&amp;</td>"));
    ck_assert_ptr_nonnull(strstr(text, "sni=&lt;img\\x20src"));
    ck_assert_ptr_nonnull(strstr(text, "cn=&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;"));
    /* a failed status: red in the diagram */
    ck_assert_ptr_nonnull(strstr(text, "class=\"al\">status=failed"));
    free(text);
}
END_TEST

/* Past HTML_TALLY_KEYS distinct servers, the rest are one "(other)" bar; past
 * HTML_FULL_CONNS connections, diagrams for the first of each server only, the rest said
 * left out. */
START_TEST(bounds_in_the_page)
{
    struct page pg;
    page_open(&pg, NULL);
    char sni[32];
    uint64_t n = HTML_TALLY_KEYS + 10;
    for (uint64_t id = 1; id <= n; id++) {
        snprintf(sni, sizeof(sni), "s%llu.example", (unsigned long long)id);
        printed_close_line(&pg.o, id, "established", sni);
    }
    char *text = page_close(&pg);
    ck_assert_uint_eq(printed_count(text, "<tr data-c="), n);
    ck_assert_ptr_nonnull(strstr(text, ">(other)</text>"));
    /* each server is new: past HTML_FULL_CONNS each still gets its first diagram */
    ck_assert_uint_eq(printed_count(text, "<div class=\"lad\""), HTML_TALLY_KEYS);
    char said[64];
    snprintf(said, sizeof(said), "<span id=\"leftout\">%d left out</span>", 10);
    ck_assert_ptr_nonnull(strstr(text, said));
    free(text);
}
END_TEST

Suite *suite_html(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, escape_markup);
    tcase_add_test(tc, escape_cut_whole);
    tcase_add_test(tc, diagram_bound);
    tcase_add_test(tc, hostile_values_escaped);
    tcase_add_test(tc, bounds_in_the_page);
    suite_add_tcase(s, tc);
    return s;
}
