/* The one output path: every event goes through out_event(), which picks the renderer, the
 * time column and what -S lets through, then writes the line in one call. */
#define _DEFAULT_SOURCE /* fwrite_unlocked */
#include "output/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fields.h"
#include "output/ecosystem.h"
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

/* Writes the gathered lines (one fwrite, which stdio passes straight through). */
static void write_block(struct output *o)
{
    if (o->block_len > 0 && !o->failed &&
        (fwrite_unlocked(o->block, 1, o->block_len, o->fp) != o->block_len || ferror(o->fp))) {
        o->failed = true;
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
    const char *sign = us < 0 ? "-" : "";
    if (us < 0) {
        us = -us;
    }
    snprintf(buf, cap, "%s%lld.%06lld", sign, us / 1000000LL, us % 1000000LL);
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
    default: {
        /* Lines come in bursts: the date part is made once per second, the fraction once
         * per packet time, and the whole kept text copied for every line. */
        bool local = o->style.time == TIME_DATE;
        if (!o->have_second || o->second != ts.tv_sec) {
            struct tm tm;
            time_t secs = ts.tv_sec;
            if (local) {
                localtime_r(&secs, &tm);
            } else {
                gmtime_r(&secs, &tm);
            }
            o->second_len = strftime(o->second_text, STAMP_DATE_MAX + 1,
                                     local ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S", &tm);
            o->second = ts.tv_sec;
            o->have_second = true;
            o->stamp_usec = -1;
        }
        if (o->stamp_usec != (long)ts.tv_usec) {
            long usec = (long)ts.tv_usec;
            char *frac = o->second_text + o->second_len;
            memcpy(frac, local ? ".000000\0" : ".000000Z", 9);
            for (int i = 6; i >= 1 && usec > 0; i--, usec /= 10) {
                frac[i] = (char)('0' + usec % 10);
            }
            o->stamp_usec = (long)ts.tv_usec;
        }
        if (cap >= sizeof(o->second_text)) {
            memcpy(buf, o->second_text, sizeof(o->second_text)); /* fixed size: no length */
        } else if (cap > o->second_len + 8) {
            memcpy(buf, o->second_text, o->second_len + 9);
        }
        break;
    }
    }
    o->prev = ts;
    o->have_prev = true;
}

bool out_format_start(struct output *o, struct timeval ts, char *buf, size_t cap)
{
    enum time_mode mode = o->style.time;
    if (mode == TIME_NONE) {
        return false;
    }
    /* a time since the line before means nothing for a start: the date and time instead */
    struct output_style style = o->style;
    struct timeval prev = o->prev;
    bool have_prev = o->have_prev;
    if (mode == TIME_DELTA) {
        o->style.time = TIME_ABSOLUTE;
    }
    out_format_time(o, ts, buf, cap);
    o->style = style;
    o->prev = prev;
    o->have_prev = have_prev;
    return true;
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
    char time[48];
    if (o->failed) {
        return;
    }
    if (o->eco != NULL) {
        eco_event(o->eco, o, p, f); /* -T ecs, -T zeek: one record per connection */
        return;
    }
    if (o->style.summary && strcmp(f->event, "close") != 0) {
        return;
    }
    if (o->select != NULL) {
        out_select_event(o, p, f); /* -e, -Y, --conn-filter, -T fields/csv */
        return;
    }
    out_format_time(o, p->ts, time, sizeof(time));
    size_t cap;
    char *at = out_line_begin(o, &cap);
    size_t n = o->style.format == FORMAT_JSON ? out_json_line(&o->style, time, p, f, at, cap)
                                              : out_text_line(&o->style, time, p, f, at, cap);
    out_line_end(o, n);
}
