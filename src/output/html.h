/* --html FILE: one self-contained HTML report written at the end of the run (hsdump.1, HTML
 * REPORT): a summary as inline SVG bar charts, a table of the connections (sorted and
 * filtered by a little inline JavaScript), and each connection's ladder diagram in SVG,
 * drawn from the same model as -T ladder (ladder_model.h). No external reference of any
 * kind; every value from the wire is escaped for HTML. */
#ifndef HSDUMP_SRC_OUTPUT_HTML_H
#define HSDUMP_SRC_OUTPUT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct html;
struct event_prefix;
struct fields;
struct filter;

/* Bounds (hsdump.1, HTML REPORT). Up to HTML_FULL_CONNS connections every one is drawn;
 * past it only the failed ones and the first HTML_SAMPLE_PER_SERVER of each server, and
 * never more than HTML_DIAGRAMS_MAX diagrams in all; the page says how many were left
 * out. Every connection keeps its row in the table. Rows and diagrams are spooled to
 * temporary files (tmpfile(3)), not kept in memory; what memory holds is the charts'
 * counts: at most HTML_TALLY_KEYS distinct values per chart (the rest counted as
 * "(other)"), each cut to HTML_TALLY_KEY_MAX bytes, and the ladder model's rows of the
 * connections still open (ladder.h). */
#define HTML_FULL_CONNS 2000
#define HTML_SAMPLE_PER_SERVER 3
#define HTML_DIAGRAMS_MAX 20000
#define HTML_TALLY_KEYS 4096
#define HTML_TALLY_KEY_MAX 128
/* Bars per chart: the most frequent values. */
#define HTML_CHART_BARS 10

/* Creates path now (before any packet is read) and the temporary files; display (-Y, may be
 * NULL, owned by the report) picks the connections reported. NULL with the reason in err
 * when one cannot be created. */
struct html *html_open(const char *path, struct filter *display, char *err, size_t cap);
/* Every event of the run, as out_event() sees it. */
void html_event(struct html *h, const struct event_prefix *p, const struct fields *f);
/* Writes the page and closes the file; false when a write failed. */
bool html_finish(struct html *h);
void html_free(struct html *h);

/* s (n bytes) escaped for HTML text and attribute values: & < > " ' as character references,
 * every other byte as is. Written into out (cap bytes, NUL-terminated), cut before an
 * escape that does not fit; returns the length written. */
size_t html_escape(const char *s, size_t n, char *out, size_t cap);
/* Whether the seen-th connection (counting from 1) gets its diagram: kept diagrams drawn so
 * far, and server_drawn of its server's. */
bool html_keep_diagram(uint64_t seen, bool failed, uint64_t server_drawn, uint64_t kept);

#endif
