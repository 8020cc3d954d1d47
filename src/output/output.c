/* The one output path: every event goes through out_event(), which picks the renderer, the
 * time column and what -S lets through, then writes the line in one call. */
#define _DEFAULT_SOURCE /* fwrite_unlocked */
#include "output/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fields.h"
#include "output/ecosystem.h"
#include "output/html.h"
#include "output/ladder.h"
#include "output/select.h"

#define LINE_MAX_BYTES OUT_LINE_MAX
_Static_assert(OUT_LINE_MAX >= 6 * FIELDS_BUF + 1024, "a line of a full field list fits");
/* A block holds what is gathered before it is written, plus the longest line. */
#define BLOCK_CAPACITY (OUT_BLOCK_BYTES + LINE_MAX_BYTES)

void out_init(struct output *o, FILE *fp, bool line_buffered, const struct output_style *style)
{
    memset(o, 0, sizeof(*o));
    o->fp = fp;
    o->line_buffered = line_buffered;
    if (style != NULL) {
        o->style = *style;
    }
}

bool out_gather_lines(struct output *o)
{
    char *block = malloc(BLOCK_CAPACITY);
    if (block == NULL) {
        return false;
    }
    o->block = block;
    o->block_len = 0;
    return true;
}

/* Writes the gathered lines with write(2), after whatever stdio holds: fwrite copied most of
 * a block into the stream's buffer first (glibc fills the buffer before it writes around it),
 * which was an eighth of the -j merger's instructions in text mode. A closed pipe (EPIPE,
 * SIGPIPE being ignored) or any other error ends the output, as ferror() did. */
static void write_block(struct output *o)
{
    int fd = fileno(o->fp);
    if (fd < 0) { /* a stream without a descriptor (open_memstream): through stdio */
        if (o->block_len > 0 && !o->failed &&
            (fwrite_unlocked(o->block, 1, o->block_len, o->fp) != o->block_len ||
             ferror(o->fp))) {
            o->failed = true;
        }
        o->block_len = 0;
        return;
    }
    if (o->block_len > 0 && !o->failed && (fflush(o->fp) != 0 || ferror(o->fp))) {
        o->failed = true;
    }
    for (size_t done = 0; done < o->block_len && !o->failed;) {
        ssize_t n = write(fd, o->block + done, o->block_len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n == 0 || errno != EINTR) {
            o->failed = true;
        }
    }
    o->block_len = 0;
}

void out_flush(struct output *o)
{
    write_block(o);
    if (fflush(o->fp) != 0) {
        o->failed = true;
    }
}

void out_free(struct output *o)
{
    free(o->block);
    o->block = NULL;
    out_select_free(o->select);
    o->select = NULL;
}

void out_packet_time(struct output *o, struct timeval ts)
{
    if (!o->have_first) {
        o->first = ts;
        o->have_first = true;
    }
}

void out_format_interval(struct timeval a, struct timeval b, char *buf, size_t cap)
{
    long long us = ((long long)a.tv_sec - (long long)b.tv_sec) * 1000000LL +
                   ((long long)a.tv_usec - (long long)b.tv_usec);
    /* "-S.UUUUUU": at most 1 + 20 + 1 + 6 bytes and a NUL; digits written backwards, no
     * printf on the close line's path */
    char text[32];
    size_t n = sizeof(text);
    unsigned long long v = (unsigned long long)(us < 0 ? -us : us);
    text[--n] = '\0';
    for (int i = 0; i < 6; i++, v /= 10) {
        text[--n] = (char)('0' + v % 10);
    }
    text[--n] = '.';
    do {
        text[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    if (us < 0) {
        text[--n] = '-';
    }
    size_t len = sizeof(text) - n;
    if (cap >= len) {
        memcpy(buf, text + n, len);
    } else if (cap > 0) {
        buf[0] = '\0';
    }
}

/* "YYYY-MM-DD?HH:MM:SS" of tm into text (STAMP_DATE_MAX + 1 bytes), ? being sep; its length.
 * Digits written directly: strftime cost more than the rest of a close line's start=. Years
 * outside 0-9999 go through strftime. */
static size_t date_text(const struct tm *tm, char sep, char *text)
{
    int year = tm->tm_year + 1900;
    if (year < 0 || year > 9999) {
        return strftime(text, STAMP_DATE_MAX + 1,
                        sep == ' ' ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S", tm);
    }
    const int parts[6] = {year, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec};
    static const char after[6] = {'-', '-', 0, ':', ':', 0};
    size_t n = 0;
    for (int i = 0; i < 6; i++) {
        int v = parts[i];
        if (i == 0) {
            text[n++] = (char)('0' + v / 1000);
            text[n++] = (char)('0' + v / 100 % 10);
        }
        text[n++] = (char)('0' + v / 10 % 10);
        text[n++] = (char)('0' + v % 10);
        if (i < 5) {
            text[n++] = i == 2 ? sep : after[i];
        }
    }
    text[n] = '\0';
    return n;
}

/* ts as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (UTC) or, local, "YYYY-MM-DD HH:MM:SS.uuuuuu" (tcpdump
 * -tttt), through the cache c. Lines come in bursts: the date part is made once per second,
 * the fraction once per packet time, and the whole kept text copied for every line. */
static void format_stamp(struct stamp_cache *c, bool local, struct timeval ts, char *buf,
                         size_t cap)
{
    if (!c->have_second || c->second != ts.tv_sec) {
        struct tm tm;
        time_t secs = ts.tv_sec;
        if (local) {
            localtime_r(&secs, &tm);
        } else {
            gmtime_r(&secs, &tm);
        }
        c->second_len = date_text(&tm, local ? ' ' : 'T', c->text);
        c->second = ts.tv_sec;
        c->have_second = true;
        c->usec = -1;
    }
    if (c->usec != (long)ts.tv_usec) {
        long usec = (long)ts.tv_usec;
        char *frac = c->text + c->second_len;
        memcpy(frac, local ? ".000000\0" : ".000000Z", 9);
        for (int i = 6; i >= 1 && usec > 0; i--, usec /= 10) {
            frac[i] = (char)('0' + usec % 10);
        }
        c->usec = (long)ts.tv_usec;
    }
    if (cap >= sizeof(c->text)) {
        memcpy(buf, c->text, sizeof(c->text)); /* fixed size: no length */
    } else if (cap > c->second_len + 8) {
        memcpy(buf, c->text, c->second_len + 9);
    }
}

void out_format_time(struct output *o, struct timeval ts, char *buf, size_t cap)
{
    buf[0] = '\0';
    switch (o->style.time) {
    case TIME_NONE:
        break;
    case TIME_EPOCH:
        snprintf(buf, cap, "%lld.%06ld", (long long)ts.tv_sec, (long)ts.tv_usec);
        break;
    case TIME_DELTA:
        out_format_interval(ts, o->have_prev ? o->prev : ts, buf, cap);
        break;
    case TIME_SINCE_FIRST:
        out_format_interval(ts, o->have_first ? o->first : ts, buf, cap);
        break;
    case TIME_DATE: /* tcpdump -tttt: local time, "2026-12-07 15:37:31.123456" */
    case TIME_ABSOLUTE:
    default:
        format_stamp(&o->line_stamp, o->style.time == TIME_DATE, ts, buf, cap);
        break;
    }
    o->prev = ts;
    o->have_prev = true;
}

bool out_format_start(struct output *o, struct timeval ts, char *buf, size_t cap)
{
    switch (o->style.time) {
    case TIME_NONE:
        return false;
    case TIME_EPOCH:
        snprintf(buf, cap, "%lld.%06ld", (long long)ts.tv_sec, (long)ts.tv_usec);
        return true;
    case TIME_SINCE_FIRST:
        out_format_interval(ts, o->have_first ? o->first : ts, buf, cap);
        return true;
    case TIME_DATE:
        format_stamp(&o->start_stamp, true, ts, buf, cap);
        return true;
    case TIME_DELTA: /* a time since the line before means nothing for a start */
    case TIME_ABSOLUTE:
    default:
        format_stamp(&o->start_stamp, false, ts, buf, cap);
        return true;
    }
}

size_t out_event_head(uint64_t id, const char *client_text, const char *server_text,
                      char *head, size_t *arrow)
{
    size_t n = 0;
    size_t client_len = strlen(client_text), server_len = strlen(server_text);
    head[n++] = 'c';
    n += fields_format_uint(id, head + n);
    head[n++] = ' ';
    memcpy(head + n, client_text, client_len);
    n += client_len;
    *arrow = n + 1;
    memcpy(head + n, " -> ", 4);
    n += 4;
    memcpy(head + n, server_text, server_len);
    n += server_len;
    head[n] = '\0';
    return n;
}

const char *out_prefix_client(const struct event_prefix *p, char buf[ENDPOINT_STR_MAX])
{
    return p->client_text != NULL ? p->client_text
                                  : endpoint_format(p->client, buf, ENDPOINT_STR_MAX);
}

const char *out_prefix_server(const struct event_prefix *p, char buf[ENDPOINT_STR_MAX])
{
    return p->server_text != NULL ? p->server_text
                                  : endpoint_format(p->server, buf, ENDPOINT_STR_MAX);
}

/* The line buffer: the block being gathered, or one static line. */
static char line[LINE_MAX_BYTES];

char *out_line_begin(struct output *o, size_t *cap)
{
    if (o->block != NULL) {
        *cap = LINE_MAX_BYTES;
        return o->block + o->block_len; /* block_len < OUT_BLOCK_BYTES: a line fits */
    }
    *cap = sizeof(line);
    return line;
}

void out_line_end(struct output *o, size_t n)
{
    if (o->block != NULL) {
        o->block_len += n;
        if (o->block_len >= OUT_BLOCK_BYTES) {
            write_block(o);
        }
        return;
    }
    if (n == 0) {
        return;
    }
    /* glibc's line-buffered fwrite can report success after the write under it failed
     * (EPIPE): ferror() is what tells a closed pipe. */
    /* unlocked: one thread writes, and a million lines paid a lock each */
    if (fwrite_unlocked(line, 1, n, o->fp) != n || (o->line_buffered && fflush(o->fp) != 0) ||
        ferror(o->fp)) {
        o->failed = true;
    }
}

void out_write(struct output *o, const char *text, size_t n)
{
    if (o->failed || n == 0) {
        return;
    }
    if (o->block != NULL) {
        while (n > 0) {
            size_t room = OUT_BLOCK_BYTES + LINE_MAX_BYTES - o->block_len;
            size_t part = n < room ? n : room;
            memcpy(o->block + o->block_len, text, part);
            o->block_len += part;
            text += part;
            n -= part;
            if (o->block_len >= OUT_BLOCK_BYTES) {
                write_block(o);
            }
        }
        return;
    }
    if (fwrite_unlocked(text, 1, n, o->fp) != n || (o->line_buffered && fflush(o->fp) != 0) ||
        ferror(o->fp)) {
        o->failed = true;
    }
}

void out_event(struct output *o, const struct event_prefix *p, const struct fields *f)
{
    if (o->forward != NULL) {
        o->forward(o->forward_ctx, p, f);
        return;
    }
    if (o->html != NULL) {
        html_event(o->html, p, f); /* --html: the report, beside what stdout shows */
    }
    if (o->failed) {
        return;
    }
    if (o->eco != NULL) {
        eco_event(o->eco, o, p, f); /* -T ecs, -T zeek: one record per connection */
        return;
    }
    if (o->ladder != NULL) {
        ladder_event(o->ladder, o, p, f); /* -T ladder: one diagram per connection */
        return;
    }
    if (o->style.summary && strcmp(f->event, "close") != 0) {
        return;
    }
    if (o->select != NULL) {
        out_select_event(o, p, f); /* -e, -Y, --conn-filter, -T fields/csv */
        return;
    }
    size_t cap;
    char *at = out_line_begin(o, &cap);
    out_line_end(o, out_render(o, p, f, at, cap));
}

size_t out_render(struct output *o, const struct event_prefix *p, const struct fields *f,
                  char *buf, size_t cap)
{
    char time[48];
    out_format_time(o, p->ts, time, sizeof(time));
    return o->style.format == FORMAT_JSON ? out_json_line(&o->style, time, p, f, buf, cap)
                                          : out_text_line(&o->style, time, p, f, buf, cap);
}

bool out_renders_alone(const struct output *o)
{
    bool timeless = o->style.time == TIME_ABSOLUTE || o->style.time == TIME_NONE ||
                    o->style.time == TIME_EPOCH || o->style.time == TIME_DATE;
    return timeless && o->select == NULL && o->eco == NULL && o->ladder == NULL &&
           o->html == NULL && (o->style.format == FORMAT_TEXT || o->style.format == FORMAT_JSON);
}
