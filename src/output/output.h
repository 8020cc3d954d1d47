/* The one output path: every event line goes through out_event(). */
#ifndef HSDUMP_SRC_OUTPUT_H
#define HSDUMP_SRC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "output/endpoint.h"
#include "options.h"
#include "tls/tls.h"

struct endpoint;
struct field;
struct fields;

/* What every line starts with: when, which connection, who to whom. */
struct event_prefix {
    struct timeval ts;
    uint64_t conn_id;
    const struct endpoint *client;
    const struct endpoint *server;
    enum dir d;
    /* The two endpoints already formatted (endpoint_format), or NULL: a connection formats
     * them once for all its lines. */
    const char *client_text;
    const char *server_text;
    /* The text line's "c<id> <client> -> <server>" as the connection keeps it, or NULL; for
     * the other direction the two bytes at head_arrow become "<-". */
    const char *head;
    size_t head_len;
    size_t head_arrow;
};
/* Room for a connection's head: "c" and 20 digits, two endpoints, " -> ". */
#define EVENT_HEAD_MAX (1 + 20 + 1 + 2 * ENDPOINT_STR_MAX + 4)
/* Fills head (EVENT_HEAD_MAX bytes) for the given id and endpoint texts; returns its length
 * and sets *arrow to the offset of "->". */
size_t out_event_head(uint64_t id, const char *client_text, const char *server_text,
                      char *head, size_t *arrow);

/* The prefix's endpoints as text: the cached text, else formatted into buf. */
const char *out_prefix_client(const struct event_prefix *p, char buf[ENDPOINT_STR_MAX]);
const char *out_prefix_server(const struct event_prefix *p, char buf[ENDPOINT_STR_MAX]);

/* How events are rendered, from the command line (-T, -t, -v, -S). */
struct output_style {
    enum out_format format;
    enum time_mode time;
    int verbosity;  /* 0: the main fields; 1: also detail; 2: also undecoded hex */
    bool summary;   /* only close events */
};

/* stdout's buffer when it is a file or pipe (not a terminal, not --immediate-mode). */
#define OUTPUT_WRITE_BUFFER (64 * 1024)
/* out_gather_lines(): lines are written once this many are gathered, as stdio would. */
#define OUT_BLOCK_BYTES OUTPUT_WRITE_BUFFER

/* The longest date strftime writes for "%Y-%m-%dT%H:%M:%S" (a 64-bit time_t's years). */
#define STAMP_DATE_MAX 31

/* An absolute time kept as text: the date and time to the second are made once per second
 * (strftime), the fraction once per microsecond value. */
struct stamp_cache {
    bool have_second;
    time_t second;
    /* its date to the second (second_len bytes; 0 when strftime found it too long), then
     * ".uuuuuuZ" for usec and a NUL */
    char text[STAMP_DATE_MAX + 9];
    size_t second_len;
    long usec; /* -1: the fraction is not written yet */
};

struct output {
    FILE *fp;
    /* Lines gathered here and written in blocks (out_gather_lines), built in place: without
     * it each line goes to fp alone. */
    char *block;
    size_t block_len;
    bool line_buffered; /* live capture: each line reaches the reader at once */
    bool failed;        /* a write failed (closed pipe): stop quietly */
    struct output_style style;
    bool have_first;     /* first packet time, for -tttt */
    struct timeval first;
    bool have_prev;      /* previous line's time, for -ttt */
    struct timeval prev;
    /* The last absolute time of the lines, and of the close lines' start= (a connection's
     * first packet, seconds away from the lines around it: its own cache, so neither
     * undoes the other's). */
    struct stamp_cache line_stamp;
    struct stamp_cache start_stamp;
    /* -e, -Y, --conn-filter, -T fields/csv (select.h); NULL when none is given, and then
     * out_event() takes its usual path untouched. */
    struct out_select *select;
    /* -T ecs and -T zeek (ecosystem.h): events are gathered per connection, one record
     * written at its close; NULL for text and JSON. Owned by the caller. */
    struct eco *eco;
    /* -T ladder (ladder.h): events gathered per connection, drawn at its close; NULL
     * otherwise. Owned by the caller. */
    struct ladder *ladder;
    /* -j: a worker process hands every event to the merging process (parallel/worker.c)
     * instead of rendering it; NULL in the process that renders. */
    void (*forward)(void *ctx, const struct event_prefix *p, const struct fields *f);
    void *forward_ctx;
    /* --html (html.h): every event also feeds the report, whatever stdout shows; NULL
     * otherwise. Owned by the caller. */
    struct html *html;
};

void out_init(struct output *o, FILE *fp, bool line_buffered, const struct output_style *style);
/* From now on lines are built straight into a block and written when OUT_BLOCK_BYTES are
 * gathered, skipping stdio's copy; out_flush() writes what is gathered and flushes fp, and
 * must come before anything else is written to fp or read from it. False (and nothing
 * changed) when out of memory. */
bool out_gather_lines(struct output *o);
void out_flush(struct output *o);
void out_free(struct output *o);
/* Where the next line is built (*cap bytes of room), and the line of n bytes built there
 * handed over: gathered into the block or written at once. */
char *out_line_begin(struct output *o, size_t *cap);
void out_line_end(struct output *o, size_t n);
/* Called for every captured packet: the first one is the origin of -tttt. */
void out_packet_time(struct output *o, struct timeval ts);
void out_event(struct output *o, const struct event_prefix *p, const struct fields *f);
/* The line out_event() would write for the event (text or JSON, with its time), into buf. */
size_t out_render(struct output *o, const struct event_prefix *p, const struct fields *f,
                  char *buf, size_t cap);
/* -j: whether a line depends on nothing but its event (no -e/-Y, -T ecs/zeek/ladder,
 * --html, and a time column that is not relative to another line): then a worker renders it
 * and the merger only writes it. */
bool out_renders_alone(const struct output *o);
/* Writes one finished line (or several) the way out_event() writes its own. */
void out_write(struct output *o, const char *line, size_t n);
/* Big enough for the largest line of any renderer (FIELDS_BUF bytes, each escaped to 6). */
#define OUT_LINE_MAX (6 * 16384 + 1024)

/* The time column for ts under the output's mode ("" for -t); updates the -ttt origin. */
void out_format_time(struct output *o, struct timeval ts, char *buf, size_t cap);
/* A start time (start= on close lines) as the time column shows ts, the date and time under
 * -ttt; false under -t (no times). Leaves the -ttt origin alone. */
bool out_format_start(struct output *o, struct timeval ts, char *buf, size_t cap);
/* a - b in seconds as "S.UUUUUU"; a negative difference (out-of-order timestamps) keeps
 * its sign. */
void out_format_interval(struct timeval a, struct timeval b, char *buf, size_t cap);

/* One value in its text form (man page, OUTPUT), shared with hsdump diff: printable ASCII
 * but the space, '"', '=' and '\' (and in a list item ',') as is, the backslash as \\, any
 * other byte as \xHH, the empty value as "". Writes it into buf, NUL-terminated, cut at
 * cap - 1; returns its length. */
size_t out_text_value(struct cursor value, bool in_list, char *buf, size_t cap);
/* True when the text form of the value is its bytes: not empty, nothing to escape. */
bool out_text_is_plain(struct cursor value, bool in_list);

/* Wire bytes as a JSON string, quotes included, as event lines write them: written into buf,
 * NUL-terminated; returns its length, 0 if it did not fit. */
size_t out_json_string(struct cursor value, char *buf, size_t cap);

/* One field's value as -T json writes it (a JSON number, boolean, string or array) into buf;
 * returns its length, 0 if it did not fit. */
size_t out_json_value(const struct fields *f, const struct field *fd, char *buf, size_t cap);

/* Renders one event as a text line (with '\n') into buf; returns its length (< cap). A NULL
 * style means full detail; time is the time column ("" for none). */
size_t out_text_line(const struct output_style *style, const char *time,
                     const struct event_prefix *p, const struct fields *f, char *buf, size_t cap);
/* The same event as one JSON object (with '\n'); returns its length, 0 if it did not fit. */
size_t out_json_line(const struct output_style *style, const char *time,
                     const struct event_prefix *p, const struct fields *f, char *buf, size_t cap);

#endif
