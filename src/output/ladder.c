/* -T ladder: each connection drawn at its close on the terminal, as the model
 * (ladder_model.h) says: a header, one arrow per message, the time between flights in the
 * left margin, a footer from the close line (hsdump.1, LADDER DIAGRAMS). The model's text is
 * printable ASCII: the columns counted here are the bytes, but for the glyphs. */
#define _DEFAULT_SOURCE
#include "output/ladder.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/fields.h"
#include "output/ladder_model.h"
#include "output/output.h"

struct ladder {
    struct ladder_style style;
    struct ladder_model *model;
};

struct ladder_style ladder_style_for_stdout(bool ascii)
{
    struct ladder_style s = {false, false, 80};
    if (!ascii) {
        /* the codeset of the user's locale, then back to "C": nothing else changes */
        if (setlocale(LC_CTYPE, "") != NULL) {
            s.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
        }
        setlocale(LC_CTYPE, "C");
    }
    if (isatty(STDOUT_FILENO)) {
        const char *no_colour = getenv("NO_COLOR"); /* no-color.org: set and not empty */
        s.colour = no_colour == NULL || no_colour[0] == '\0';
        const char *cols = getenv("COLUMNS");
        struct winsize ws;
        if (cols != NULL && atoi(cols) > 0) {
            s.width = atoi(cols);
        } else if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
            s.width = ws.ws_col;
        }
    }
    s.width = s.width < LADDER_WIDTH_MIN   ? LADDER_WIDTH_MIN
              : s.width > LADDER_WIDTH_MAX ? LADDER_WIDTH_MAX
                                           : s.width;
    return s;
}

struct ladder *ladder_new(const struct ladder_style *style, struct filter *display)
{
    struct ladder *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->model = ladder_model_new(display)) == NULL) {
        free(l);
        return NULL;
    }
    l->style = *style;
    return l;
}

void ladder_free(struct ladder *l)
{
    if (l != NULL) {
        ladder_model_free(l->model);
        free(l);
    }
}

/* ---- drawing ---- */

struct glyphs {
    const char *v, *h, *right, *left, *from_client, *from_server;
};
static const struct glyphs utf8_glyphs = {"\u2502", "\u2500", "\u25b6", "\u25c0",
                                          "\u251c", "\u2524"};
static const struct glyphs ascii_glyphs = {"|", "-", ">", "<", "|", "|"};

#define RED "\033[31m"
#define DIM "\033[2m"
#define RESET "\033[0m"
#define MARGIN 9 /* the time column, then a space, then the client's lifeline */

/* One output line: bytes, and columns counted apart (glyphs are several bytes). */
struct dline {
    char buf[4 * LADDER_WIDTH_MAX + 256];
    size_t len;
};

static void dput(struct dline *d, const char *s, size_t n)
{
    if (n > sizeof(d->buf) - 1 - d->len) {
        n = sizeof(d->buf) - 1 - d->len;
    }
    memcpy(d->buf + d->len, s, n);
    d->len += n;
}

static void dstr(struct dline *d, const char *s)
{
    dput(d, s, strlen(s));
}

static void drepeat(struct dline *d, const char *s, int times)
{
    for (int i = 0; i < times; i++) {
        dstr(d, s);
    }
}

static void dend(struct dline *d, struct output *o)
{
    dput(d, "\n", 1);
    out_write(o, d->buf, d->len);
    d->len = 0;
}

static void margin(struct dline *d, const char *text)
{
    int n = (int)strlen(text);
    drepeat(d, " ", MARGIN - n > 0 ? MARGIN - n : 0);
    dstr(d, text);
    dstr(d, " ");
}

/* The lifelines alone: between flights, and before the footer. */
static void empty_row(const struct ladder *l, struct output *o, struct dline *d)
{
    const struct glyphs *g = l->style.utf8 ? &utf8_glyphs : &ascii_glyphs;
    margin(d, "");
    dstr(d, g->v);
    drepeat(d, " ", l->style.width - MARGIN - 3);
    dstr(d, g->v);
    dend(d, o);
}

static void draw_row(const struct ladder *l, struct output *o, struct dline *d,
                     const struct ladder_row *r, const char *gap)
{
    const struct glyphs *g = l->style.utf8 ? &utf8_glyphs : &ascii_glyphs;
    int inner = l->style.width - MARGIN - 3;
    bool c2s = r->dir == DIR_C2S;
    const char *colour = !l->style.colour          ? NULL
                         : r->flags & LADDER_ROW_ALERT    ? RED
                         : r->flags & LADDER_ROW_INFERRED ? DIM
                                                   : NULL;
    const char *text = r->text;
    bool first = true;
    while (first || *text != '\0') {
        size_t room = (size_t)(first ? inner - 5 : inner - 6);
        const char *next;
        bool cut;
        size_t n = ladder_take_words(text, room, &next, &cut);
        size_t shown = n + (cut ? 3 : 0);
        margin(d, first ? gap : "");
        dstr(d, first && c2s ? g->from_client : g->v);
        if (colour != NULL) {
            dstr(d, colour);
        }
        int fill = inner - (int)shown - (first ? 4 : 6); /* the arrow's or the pad's length */
        if (first && c2s) {
            dstr(d, g->h);
            dstr(d, " ");
            dput(d, text, n);
            dstr(d, cut ? "..." : "");
            dstr(d, " ");
            drepeat(d, g->h, fill);
            dstr(d, g->right);
        } else if (first) {
            dstr(d, g->left);
            drepeat(d, g->h, fill);
            dstr(d, " ");
            dput(d, text, n);
            dstr(d, cut ? "..." : "");
            dstr(d, " ");
            dstr(d, g->h);
        } else {
            drepeat(d, " ", c2s ? 4 : fill + 2);
            dput(d, text, n);
            dstr(d, cut ? "..." : "");
            drepeat(d, " ", c2s ? fill + 2 : 4);
        }
        if (colour != NULL) {
            dstr(d, RESET);
        }
        dstr(d, first && !c2s ? g->from_server : g->v);
        dend(d, o);
        text = next;
        first = false;
    }
}

/* Words wrapped at the width, the first line after lead, the others indented by two. */
static void draw_words(const struct ladder *l, struct output *o, struct dline *d,
                       const char *lead, const char *words, const char *colour)
{
    size_t col = strlen(lead);
    size_t width = (size_t)l->style.width;
    dstr(d, lead);
    if (colour != NULL) {
        dstr(d, colour);
    }
    const char *w = words;
    while (*w != '\0') {
        const char *sp = strchr(w, ' ');
        size_t n = sp != NULL ? (size_t)(sp - w) : strlen(w);
        if (n > 0) {
            if (col > 2 && col + 1 + n > width) {
                if (colour != NULL) {
                    dstr(d, RESET);
                }
                dend(d, o);
                dstr(d, "  ");
                if (colour != NULL) {
                    dstr(d, colour);
                }
                col = 2;
            } else if (col > 0) {
                dstr(d, " ");
                col++;
            }
            size_t room = width > col ? width - col : 0;
            if (n > room && room > 3) {
                dput(d, w, room - 3);
                dstr(d, "...");
                col = width;
            } else {
                dput(d, w, n);
                col += n;
            }
        }
        w += n + (sp != NULL);
    }
    if (colour != NULL) {
        dstr(d, RESET);
    }
    dend(d, o);
}

static void draw(struct ladder *l, struct output *o, const struct ladder_view *v)
{
    static struct dline d;
    const struct glyphs *g = l->style.utf8 ? &utf8_glyphs : &ascii_glyphs;
    /* header: who, then what was negotiated */
    draw_words(l, o, &d, v->head, v->facts, NULL);
    margin(&d, "");
    dstr(&d, "client");
    drepeat(&d, " ", l->style.width - MARGIN - 1 - 12);
    dstr(&d, "server");
    dend(&d, o);
    for (size_t i = 0; i < (v->c != NULL ? v->c->n : 0); i++) {
        char gap[32];
        if (ladder_view_gap(v, i, gap, sizeof(gap))) {
            empty_row(l, o, &d);
        }
        draw_row(l, o, &d, &v->c->rows[i], gap);
    }
    if (v->more[0] != '\0') {
        char buf[128];
        int more = snprintf(buf, sizeof(buf), "    %s", v->more);
        margin(&d, "");
        dstr(&d, g->v);
        dstr(&d, buf);
        drepeat(&d, " ", l->style.width - MARGIN - 3 - more);
        dstr(&d, g->v);
        dend(&d, o);
    }
    empty_row(l, o, &d);
    /* footer: how it ended, then the counts each way */
    draw_words(l, o, &d, "", v->status, l->style.colour && v->failed ? RED : NULL);
    if (v->counts[0] != '\0') {
        draw_words(l, o, &d, "", v->counts, NULL);
    }
    dend(&d, o); /* a blank line between connections */
}

void ladder_event(struct ladder *l, struct output *o, const struct event_prefix *p,
                  const struct fields *f)
{
    const struct ladder_conn *c = NULL;
    if (ladder_model_event(l->model, p, f, &c)) {
        static struct ladder_view v;
        ladder_view_make(&v, o, c, p, f);
        draw(l, o, &v);
    }
    if (strcmp(f->event, "close") == 0) {
        ladder_model_forget(l->model, p->conn_id);
    }
}
