/* The progress line: "\r" and the text, erased with the ECMA-48 "erase in line" sequence
 * (CSI K, ECMA-48 8.3.41), which every terminal emulator in use understands. */
#define _GNU_SOURCE /* CLOCK_MONOTONIC_COARSE */
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    /* The coarse clock costs no system call and ticks every few milliseconds: plenty here. */
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
    }
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool progress_wanted(int fd)
{
    return isatty(fd) == 1;
}

void progress_start(struct progress *p, FILE *fp, int fd)
{
    struct winsize ws;
    memset(p, 0, sizeof(*p));
    p->fp = fp;
    p->width = ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    p->start_ms = now_ms();
    p->last_ms = p->start_ms;
}

/* n bytes in decimal units ("812.3 MB"), as du --si and ls --si count them. */
static void format_bytes(uint64_t n, char *buf, size_t cap)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)n;
    size_t u = 0;
    while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, cap, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

void progress_format(const struct progress_counts *c, int64_t elapsed_ms, char *buf,
                     size_t cap)
{
    char done[32], total[32], rate[32];
    double seconds = elapsed_ms > 0 ? (double)elapsed_ms / 1000.0 : 0.0;
    format_bytes(c->bytes_done, done, sizeof(done));
    if (c->bytes_total > 0) {
        format_bytes(c->bytes_total, total, sizeof(total));
        format_bytes(seconds > 0 ? (uint64_t)((double)c->bytes_done / seconds) : 0, rate,
                     sizeof(rate));
        snprintf(buf, cap, "%s of %s (%u%%), %llu connections, %llu handshakes, %s/s", done,
                 total, (unsigned)(c->bytes_done * 100 / c->bytes_total),
                 (unsigned long long)c->connections, (unsigned long long)c->handshakes, rate);
    } else {
        snprintf(buf, cap, "%llu packets, %llu connections, %llu handshakes, %.0f packets/s",
                 (unsigned long long)c->frames, (unsigned long long)c->connections,
                 (unsigned long long)c->handshakes,
                 seconds > 0 ? (double)c->frames / seconds : 0.0);
    }
}

void progress_update(struct progress *p, const struct progress_counts *c)
{
    if (p->fp == NULL) {
        return;
    }
    int64_t now = now_ms();
    if (now - p->last_ms < 1000 / PROGRESS_PER_SECOND) {
        return;
    }
    p->last_ms = now;
    char line[256];
    progress_format(c, now - p->start_ms, line, sizeof(line));
    int room = p->width - 9; /* "hsdump: " and the cursor's column */
    fprintf(p->fp, "\rhsdump: %.*s\033[K", room > 0 ? room : 0, line);
    fflush(p->fp);
    p->shown = true;
}

void progress_clear(struct progress *p)
{
    if (p->fp != NULL && p->shown) {
        fputs("\r\033[K", p->fp);
        fflush(p->fp);
        p->shown = false;
    }
}
