/* --html FILE (html.h; hsdump.1, HTML REPORT). Each connection's close adds one table row
 * and, within the bounds, one SVG ladder diagram, both spooled to temporary files; the
 * charts' counts stay in memory. At the end the page is written in one go: head and style,
 * summary charts, the table, the diagrams, the script.
 *
 * Escaping: every value shown is first in the text output's form (out_text_value: printable
 * ASCII, anything else as \xHH), then escaped for HTML (html_escape: & < > " '), in text and
 * attribute values alike; nothing from the wire goes into the script or the style, which
 * are constants. HTML Living Standard 13.1.2.6 (restrictions on the contents of raw text
 * elements) and 13.2.5 (character references): escaped this way a value can neither end
 * an element nor open one. */
#define _DEFAULT_SOURCE
#include "output/html.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "output/filter.h"
#include "output/ladder_model.h"
#include "output/output.h"

/* ---- escaping and a growing buffer ---- */

size_t html_escape(const char *s, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        char one[2] = {s[i], '\0'};
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            rep = one;
            break;
        }
        size_t r = s[i] == '\0' ? 1 : strlen(rep);
        if (r > cap - 1 - len) {
            break;
        }
        memcpy(out + len, rep, r);
        len += r;
    }
    out[len] = '\0';
    return len;
}

struct sbuf {
    char *buf;
    size_t len, cap;
    bool failed; /* out of memory: what followed was dropped */
};

static bool sb_room(struct sbuf *b, size_t n)
{
    if (b->failed) {
        return false;
    }
    if (n + 1 > b->cap - b->len || b->cap == 0) {
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        while (cap - b->len < n + 1) {
            cap *= 2;
        }
        char *buf = realloc(b->buf, cap);
        if (buf == NULL) {
            b->failed = true;
            return false;
        }
        b->buf = buf;
        b->cap = cap;
    }
    return true;
}

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (sb_room(b, n)) {
        memcpy(b->buf + b->len, s, n);
        b->len += n;
        b->buf[b->len] = '\0';
    }
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) {
        sb_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    }
}

/* n bytes of s, escaped */
static void sb_esc(struct sbuf *b, const char *s, size_t n)
{
    if (sb_room(b, 6 * n)) {
        b->len += html_escape(s, n, b->buf + b->len, b->cap - b->len);
    }
}

static void sb_escs(struct sbuf *b, const char *s)
{
    sb_esc(b, s, strlen(s));
}

/* ---- the charts' counts ---- */

struct tally_entry {
    char key[HTML_TALLY_KEY_MAX];
    uint64_t count;
    uint64_t drawn; /* diagrams of this server (the servers' tally) */
};

struct tally {
    const char *title;
    struct tally_entry *e; /* n used, grown up to HTML_TALLY_KEYS */
    size_t n, cap;
    uint32_t *slots; /* 2 * HTML_TALLY_KEYS, index + 1 into e (0: empty) */
    uint64_t other;  /* values past HTML_TALLY_KEYS */
};

static uint64_t key_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *s != '\0'; s++) {
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    }
    return h;
}

/* The entry of key (made at its first count); NULL past the bound or without memory, the
 * value then counted in other. */
static struct tally_entry *tally_add(struct tally *t, const char *key)
{
    char k[HTML_TALLY_KEY_MAX];
    size_t len = strlen(key) < sizeof(k) - 1 ? strlen(key) : sizeof(k) - 1;
    memcpy(k, key, len);
    k[len] = '\0';
    if (t->slots == NULL && (t->slots = calloc(2 * HTML_TALLY_KEYS, sizeof(*t->slots))) == NULL) {
        t->other++;
        return NULL;
    }
    size_t mask = 2 * HTML_TALLY_KEYS - 1, i = key_hash(k) & mask;
    for (; t->slots[i] != 0; i = (i + 1) & mask) {
        struct tally_entry *e = &t->e[t->slots[i] - 1];
        if (strcmp(e->key, k) == 0) {
            e->count++;
            return e;
        }
    }
    if (t->n == HTML_TALLY_KEYS) {
        t->other++;
        return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap == 0 ? 16 : t->cap * 2;
        struct tally_entry *e = realloc(t->e, cap * sizeof(*e));
        if (e == NULL) {
            t->other++;
            return NULL;
        }
        t->e = e;
        t->cap = cap;
    }
    struct tally_entry *e = &t->e[t->n++];
    memcpy(e->key, k, sizeof(k));
    e->count = 1;
    e->drawn = 0;
    t->slots[i] = (uint32_t)t->n;
    return e;
}

static void tally_free(struct tally *t)
{
    free(t->e);
    free(t->slots);
}

enum { T_STATUS, T_CAUSE, T_VERSION, T_SUITE, T_GROUP, T_SERVER, T_JA4, T_COUNT };

/* ---- the report ---- */

struct html {
    char *path;
    FILE *fp;
    FILE *rows;     /* the table's rows, spooled */
    FILE *diagrams; /* the diagrams, spooled */
    struct ladder_model *model;
    /* formats the times: absolute (UTC), whatever -t says for standard output */
    struct output clock;
    struct tally t[T_COUNT];
    uint64_t conns, drawn, left_out;
    struct sbuf b;
};

bool html_keep_diagram(uint64_t seen, bool failed, uint64_t server_drawn, uint64_t kept)
{
    if (kept >= HTML_DIAGRAMS_MAX) {
        return false;
    }
    return seen <= HTML_FULL_CONNS || failed || server_drawn < HTML_SAMPLE_PER_SERVER;
}

struct html *html_open(const char *path, struct filter *display, char *err, size_t cap)
{
    static const char *const titles[T_COUNT] = {
        "Handshakes (status)", "Failures by cause", "Versions", "Cipher suites", "Groups",
        "Top servers", "Top client fingerprints (JA4)"};
    struct html *h = calloc(1, sizeof(*h));
    if (h == NULL || (h->path = strdup(path)) == NULL ||
        (h->model = ladder_model_new(display)) == NULL) {
        snprintf(err, cap, "--html %s: out of memory", path);
        if (h != NULL && h->model == NULL) {
            filter_free(display);
        }
        html_free(h);
        return NULL;
    }
    for (int i = 0; i < T_COUNT; i++) {
        h->t[i].title = titles[i];
    }
    struct output_style absolute = {FORMAT_TEXT, TIME_ABSOLUTE, 0, false};
    out_init(&h->clock, NULL, false, &absolute);
    if ((h->fp = fopen(path, "w")) == NULL) {
        snprintf(err, cap, "--html %s: %s", path, strerror(errno));
        html_free(h);
        return NULL;
    }
    if ((h->rows = tmpfile()) == NULL || (h->diagrams = tmpfile()) == NULL) {
        snprintf(err, cap, "--html %s: cannot make a temporary file: %s", path,
                 strerror(errno));
        html_free(h);
        return NULL;
    }
    return h;
}

void html_free(struct html *h)
{
    if (h == NULL) {
        return;
    }
    if (h->fp != NULL) {
        fclose(h->fp);
    }
    if (h->rows != NULL) {
        fclose(h->rows);
    }
    if (h->diagrams != NULL) {
        fclose(h->diagrams);
    }
    for (int i = 0; i < T_COUNT; i++) {
        tally_free(&h->t[i]);
    }
    ladder_model_free(h->model);
    free(h->b.buf);
    free(h->path);
    free(h);
}

/* ---- one connection's ladder in SVG ---- */

/* The drawing in character cells, as the terminal's: COLS columns, a MARGIN-column time
 * margin, lifelines at CLIENT_COL and SERVER_COL; one cell is CELL_W by LINE_H pixels
 * (12px monospace). */
#define COLS 110
#define CLIENT_COL 10
#define SERVER_COL (COLS - 1)
#define CELL_W 7.25
#define LINE_H 16
#define PX(col) ((col) * CELL_W)

static void svg_text(struct sbuf *b, double x, int y, const char *anchor, const char *cls,
                     const char *text, size_t n)
{
    sb_printf(b, "<text x=\"%.1f\" y=\"%d\"", x, y);
    if (anchor != NULL) {
        sb_printf(b, " text-anchor=\"%s\"", anchor);
    }
    if (cls != NULL) {
        sb_printf(b, " class=\"%s\"", cls);
    }
    sb_str(b, ">");
    sb_esc(b, text, n);
    sb_str(b, "</text>");
}

/* words wrapped at the drawing's width, the first line after lead, the others indented by
 * two (as the terminal's header and footer); *y moves down a line each */
static void svg_words(struct sbuf *b, int *y, const char *lead, const char *words,
                      const char *cls)
{
    char line[2 * COLS + 8];
    size_t len = strlen(lead) < COLS ? strlen(lead) : COLS;
    bool pending = len > 0; /* the line holds what is not written yet */
    memcpy(line, lead, len);
    const char *w = words;
    while (*w != '\0') {
        if (*w == ' ') {
            w++;
            continue;
        }
        size_t sep = len > 0 ? 1 : 0;
        size_t room = len + sep < COLS ? COLS - len - sep : 0;
        const char *next;
        bool cut;
        if (strcspn(w, " ") > room && len > 2) { /* on the next line */
            *y += LINE_H;
            svg_text(b, 0, *y, NULL, cls, line, len);
            memcpy(line, "  ", 2);
            len = 2;
            continue;
        }
        size_t n = ladder_take_words(w, room, &next, &cut);
        if (sep > 0) {
            line[len++] = ' ';
        }
        memcpy(line + len, w, n);
        len += n;
        if (cut) {
            memcpy(line + len, "...", 3);
            len += 3;
        }
        w = next;
        *y += LINE_H;
        svg_text(b, 0, *y, NULL, cls, line, len);
        memcpy(line, "  ", 2);
        len = 2;
        pending = false;
    }
    if (pending) {
        *y += LINE_H;
        svg_text(b, 0, *y, NULL, cls, line, len);
    }
}

static void svg_ladder(struct sbuf *b, const struct ladder_view *v)
{
    struct sbuf body = {NULL, 0, 0, false};
    int y = 0;
    svg_words(&body, &y, v->head, v->facts, "hd");
    y += LINE_H;
    int top = y + 4;
    svg_text(&body, PX(CLIENT_COL), y, "middle", "who", "client", 6);
    svg_text(&body, PX(SERVER_COL), y, "middle", "who", "server", 6);
    y += 6;
    for (size_t i = 0; i < (v->c != NULL ? v->c->n : 0); i++) {
        const struct ladder_row *r = &v->c->rows[i];
        char gap[32];
        bool c2s = r->dir == DIR_C2S;
        if (ladder_view_gap(v, i, gap, sizeof(gap))) {
            y += LINE_H / 2;
        }
        const char *cls = r->flags & LADDER_ROW_ALERT      ? "al"
                          : r->flags & LADDER_ROW_INFERRED ? "inf"
                                                           : NULL;
        const char *text = r->text;
        bool first = true;
        while (first || *text != '\0') {
            const char *next;
            bool cut;
            size_t n = ladder_take_words(text, SERVER_COL - CLIENT_COL - 4, &next, &cut);
            char line[SERVER_COL - CLIENT_COL + 8];
            memcpy(line, text, n);
            if (cut) {
                memcpy(line + n, "...", 3);
                n += 3;
            }
            y += LINE_H;
            if (first && gap[0] != '\0') {
                svg_text(&body, PX(CLIENT_COL - 1), y + 4, "end", "gap", gap, strlen(gap));
            }
            svg_text(&body, PX(c2s ? CLIENT_COL + 2 : SERVER_COL - 2), y, c2s ? NULL : "end",
                     cls, line, n);
            text = next;
            first = false;
        }
        /* the arrow, under its text */
        y += 5;
        double from = PX(c2s ? CLIENT_COL : SERVER_COL), to = PX(c2s ? SERVER_COL : CLIENT_COL);
        double tip = c2s ? to - 8 : to + 8;
        sb_printf(&body, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"ar%s%s\"/>",
                  from, y, tip, y, cls != NULL ? " " : "", cls != NULL ? cls : "");
        sb_printf(&body, "<polygon points=\"%.1f,%d %.1f,%d %.1f,%d\" class=\"hd%s%s\"/>", to, y,
                  tip, y - 4, tip, y + 4, cls != NULL ? " " : "", cls != NULL ? cls : "");
    }
    if (v->more[0] != '\0') {
        y += LINE_H;
        svg_text(&body, PX(CLIENT_COL + 2), y, NULL, "inf", v->more, strlen(v->more));
    }
    y += LINE_H / 2;
    int bottom = y;
    sb_printf(&body, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"life\"/>",
              PX(CLIENT_COL), top, PX(CLIENT_COL), bottom);
    sb_printf(&body, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"life\"/>",
              PX(SERVER_COL), top, PX(SERVER_COL), bottom);
    svg_words(&body, &y, "", v->status, v->failed ? "al" : NULL);
    if (v->counts[0] != '\0') {
        svg_words(&body, &y, "", v->counts, NULL);
    }
    y += 6;
    sb_printf(b, "<svg class=\"ladder\" width=\"%.0f\" height=\"%d\" viewBox=\"0 0 %.0f %d\" "
                 "role=\"img\">",
              PX(COLS + 4), y, PX(COLS + 4), y);
    if (body.buf != NULL) {
        sb_put(b, body.buf, body.len);
    }
    b->failed = b->failed || body.failed;
    free(body.buf);
    sb_str(b, "</svg>");
}

/* ---- one connection's row ---- */

static void cell(struct sbuf *b, const char *text)
{
    sb_str(b, "<td>");
    sb_escs(b, text);
    sb_str(b, "</td>");
}

static void close_event(struct html *h, const struct ladder_conn *c,
                        const struct event_prefix *p, const struct fields *f)
{
    static struct ladder_view v;
    char val[T_COUNT][HTML_TALLY_KEY_MAX + 8];
    static const char *const keys[T_COUNT] = {"status", "cause", "version", "cipher_suite",
                                              "group", "sni", "ja4"};
    char server[ENDPOINT_STR_MAX], client[ENDPOINT_STR_MAX], start[64], duration[40];
    struct tally_entry *e[T_COUNT];
    h->conns++;
    for (int i = 0; i < T_COUNT; i++) {
        ladder_field_text(f, keys[i], val[i], sizeof(val[i]));
        e[i] = NULL;
        if (val[i][0] != '\0' || i == T_SERVER) {
            /* the server by its name, else its address */
            e[i] = tally_add(&h->t[i], i == T_SERVER && val[i][0] == '\0'
                                           ? out_prefix_server(p, server)
                                           : val[i]);
        }
    }
    ladder_field_text(f, "duration", duration, sizeof(duration));
    ladder_view_make(&v, &h->clock, c, p, f);
    out_format_start(&h->clock, v.start, start, sizeof(start));
    bool failed = v.failed || val[T_CAUSE][0] != '\0';
    uint64_t server_drawn = e[T_SERVER] != NULL ? e[T_SERVER]->drawn : HTML_SAMPLE_PER_SERVER;
    bool keep = html_keep_diagram(h->conns, failed, server_drawn, h->drawn);
    struct sbuf *b = &h->b;
    b->len = 0;
    b->failed = false;
    sb_printf(b, "<tr data-c=\"%llu\"%s><td>%llu</td>", (unsigned long long)p->conn_id,
              keep ? "" : " class=\"nod\"", (unsigned long long)p->conn_id);
    cell(b, start);
    cell(b, out_prefix_client(p, client));
    cell(b, out_prefix_server(p, server));
    for (int i = 0; i < T_COUNT; i++) {
        if (i != T_STATUS && i != T_CAUSE) {
            cell(b, i == T_SERVER ? val[T_SERVER] : val[i]);
        }
    }
    cell(b, val[T_STATUS]);
    cell(b, val[T_CAUSE]);
    cell(b, duration);
    sb_str(b, "</tr>\n");
    if (!b->failed) {
        fwrite(b->buf, 1, b->len, h->rows);
    }
    if (!keep) {
        h->left_out++;
        return;
    }
    h->drawn++;
    if (e[T_SERVER] != NULL) {
        e[T_SERVER]->drawn++;
    }
    b->len = 0;
    b->failed = false;
    sb_printf(b, "<div class=\"lad\" id=\"lad-%llu\" hidden>", (unsigned long long)p->conn_id);
    svg_ladder(b, &v);
    sb_str(b, "</div>\n");
    if (!b->failed) {
        fwrite(b->buf, 1, b->len, h->diagrams);
    }
}

void html_event(struct html *h, const struct event_prefix *p, const struct fields *f)
{
    const struct ladder_conn *c = NULL;
    if (ladder_model_event(h->model, p, f, &c)) {
        close_event(h, c, p, f);
    }
    if (strcmp(f->event, "close") == 0) {
        ladder_model_forget(h->model, p->conn_id);
    }
}

/* ---- the page ---- */

static const char style[] =
    "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}"
    ".charts{display:flex;flex-wrap:wrap;gap:1em}"
    ".chart{border:1px solid #ddd;padding:.5em;border-radius:4px}"
    ".chart text{font:12px monospace;fill:#222}.chart rect{fill:#4a78b5}"
    "table{border-collapse:collapse;font:12px monospace}"
    "th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;white-space:nowrap}"
    "th{background:#eee;cursor:pointer;position:sticky;top:0}"
    "th[data-dir=a]::after{content:' \\25b2'}th[data-dir=d]::after{content:' \\25bc'}"
    "tbody tr{cursor:pointer}tbody tr:hover{background:#f3f6fb}tr.sel{background:#dde8f7}"
    "tr.nod td:first-child{color:#888}"
    "#filter{font:14px monospace;width:40em;margin:.5em 0}"
    ".lad{margin:.5em 0;overflow-x:auto}"
    "svg.ladder{background:#fcfcfc;border:1px solid #ddd}"
    "svg.ladder text{font:12px monospace;fill:#222;white-space:pre}"
    "svg.ladder .hd{fill:#222}svg.ladder .who{font-weight:bold}"
    "svg.ladder .gap{fill:#666}svg.ladder .al{fill:#c00}svg.ladder .inf{fill:#888}"
    "svg.ladder line.life{stroke:#444;stroke-width:1.5}"
    "svg.ladder line.ar{stroke:#222}svg.ladder line.ar.al{stroke:#c00}"
    "svg.ladder line.ar.inf{stroke:#999;stroke-dasharray:4 3}"
    "svg.ladder polygon.hd.inf{fill:#999}svg.ladder polygon.hd.al{fill:#c00}";

/* Sorting (a header's click), filtering (typing), a row's diagram (its click). Nothing from
 * the wire is in here: it reads the table's cells. */
static const char script[] =
    "(function(){"
    "var tb=document.querySelector('#conns tbody'),rows=Array.prototype.slice.call(tb.rows),"
    "f=document.getElementById('filter'),shown=document.getElementById('shown'),cur=null;"
    "function count(){var n=0;for(var i=0;i<rows.length;i++){if(!rows[i].hidden){n++;}}"
    "shown.textContent=String(n);}"
    "f.addEventListener('input',function(){var q=f.value.toLowerCase();"
    "for(var i=0;i<rows.length;i++){var r=rows[i];"
    "r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;}count();});"
    "var num=/^-?[0-9]+(\\.[0-9]+)?$/;"
    "var ths=document.querySelectorAll('#conns th');"
    "Array.prototype.forEach.call(ths,function(th,k){th.addEventListener('click',function(){"
    "var up=th.getAttribute('data-dir')!=='a';"
    "Array.prototype.forEach.call(ths,function(t){t.removeAttribute('data-dir');});"
    "th.setAttribute('data-dir',up?'a':'d');"
    "rows.sort(function(a,b){var x=a.cells[k].textContent,y=b.cells[k].textContent,c;"
    "if(num.test(x)&&num.test(y)){c=parseFloat(x)-parseFloat(y);}"
    "else{c=x<y?-1:x>y?1:0;}return up?c:-c;});"
    "var fr=document.createDocumentFragment();"
    "rows.forEach(function(r){fr.appendChild(r);});tb.appendChild(fr);});});"
    "function show(r){if(cur){cur.hidden=true;}"
    "rows.forEach(function(x){x.classList.remove('sel');});r.classList.add('sel');"
    "cur=document.getElementById('lad-'+r.getAttribute('data-c'))||"
    "document.getElementById('nodiagram');"
    "cur.hidden=false;cur.scrollIntoView({block:'nearest'});}"
    "tb.addEventListener('click',function(e){var r=e.target.closest('tr');if(r){show(r);}});"
    /* #c<id> in the address opens that connection's diagram */
    "var m=/^#c([0-9]+)$/.exec(location.hash);"
    "if(m){rows.forEach(function(r){if(r.getAttribute('data-c')===m[1]){show(r);}});}"
    "count();document.body.setAttribute('data-ready','1');"
    "})();";

static int by_count(const void *a, const void *b)
{
    const struct tally_entry *x = a, *y = b;
    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return strcmp(x->key, y->key);
}

/* One chart: the HTML_CHART_BARS most frequent values as horizontal bars. */
static void chart(struct sbuf *b, struct tally *t)
{
    enum { LABEL_COLS = 36, BAR_X = 270, BAR_W = 150, ROW = 18 };
    if (t->n == 0 && t->other == 0) {
        return;
    }
    qsort(t->e, t->n, sizeof(*t->e), by_count);
    size_t bars = t->n < HTML_CHART_BARS ? t->n : HTML_CHART_BARS;
    uint64_t rest = t->other;
    for (size_t i = bars; i < t->n; i++) {
        rest += t->e[i].count;
    }
    uint64_t max = rest;
    for (size_t i = 0; i < bars; i++) {
        max = t->e[i].count > max ? t->e[i].count : max;
    }
    size_t n = bars + (rest > 0);
    sb_str(b, "<div class=\"chart\"><h2>");
    sb_escs(b, t->title);
    sb_printf(b, "</h2><svg width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\">",
              BAR_X + BAR_W + 70, n * ROW + 4, BAR_X + BAR_W + 70, n * ROW + 4);
    for (size_t i = 0; i < n; i++) {
        const char *key = i < bars ? t->e[i].key : "(other)";
        uint64_t count = i < bars ? t->e[i].count : rest;
        size_t len = strlen(key);
        int y = (int)(i * ROW);
        double w = max > 0 ? (double)count * BAR_W / (double)max : 0;
        sb_printf(b, "<text x=\"0\" y=\"%d\">", y + 13);
        sb_esc(b, key, len > LABEL_COLS ? LABEL_COLS - 3 : len);
        if (len > LABEL_COLS) { /* cut: the whole value as its tooltip */
            sb_str(b, "...<title>");
            sb_esc(b, key, len);
            sb_str(b, "</title>");
        }
        sb_str(b, "</text>");
        sb_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>", BAR_X, y + 3,
                  w < 1 ? 1 : w, ROW - 5);
        sb_printf(b, "<text x=\"%.1f\" y=\"%d\">%llu</text>", BAR_X + (w < 1 ? 1 : w) + 4,
                  y + 13, (unsigned long long)count);
    }
    sb_str(b, "</svg></div>\n");
}

/* The spooled file's bytes, copied to the page. */
static bool copy_spool(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0) {
        return false;
    }
    while ((n = fread(buf, 1, sizeof(buf), from)) > 0) {
        if (fwrite(buf, 1, n, to) != n) {
            return false;
        }
    }
    return !ferror(from);
}

static bool flush_sb(struct html *h)
{
    bool ok = !h->b.failed && fwrite(h->b.buf, 1, h->b.len, h->fp) == h->b.len;
    h->b.len = 0;
    return ok;
}

bool html_finish(struct html *h)
{
    struct sbuf *b = &h->b;
    b->len = 0;
    b->failed = false;
    sb_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              "<title>hsdump report</title><style>");
    sb_str(b, style);
    sb_str(b, "</style></head>\n<body>\n<h1>hsdump report</h1>\n");
    sb_printf(b, "<p id=\"overview\">Connections: <span id=\"total\">%llu</span>; "
                 "ladder diagrams: %llu",
              (unsigned long long)h->conns, (unsigned long long)h->drawn);
    if (h->left_out > 0) {
        sb_printf(b, ", <span id=\"leftout\">%llu left out</span> (past %d connections only "
                     "the failed ones and the first %d of each server are drawn, at most %d "
                     "in all)",
                  (unsigned long long)h->left_out, HTML_FULL_CONNS, HTML_SAMPLE_PER_SERVER,
                  HTML_DIAGRAMS_MAX);
    }
    sb_str(b, ".</p>\n<div class=\"charts\">\n");
    for (int i = 0; i < T_COUNT; i++) {
        chart(b, &h->t[i]);
    }
    sb_str(b, "</div>\n<h2>Connections</h2>\n<p><input id=\"filter\" type=\"search\" "
              "placeholder=\"filter: server, version, status, cause...\"> "
              "<span id=\"shown\">0</span> shown. Click a column to sort, a row to see "
              "its ladder diagram.</p>\n<div id=\"diagrams\">\n<p id=\"nodiagram\" hidden>"
              "This connection's diagram was left out (see above).</p>\n");
    bool ok = flush_sb(h) && copy_spool(h->diagrams, h->fp);
    sb_str(b, "</div>\n<table id=\"conns\"><thead><tr><th>conn</th><th>start</th>"
              "<th>client</th><th>server</th><th>version</th><th>cipher suite</th>"
              "<th>group</th><th>sni</th><th>ja4</th><th>status</th><th>cause</th>"
              "<th>duration</th></tr></thead>\n<tbody>\n");
    ok = ok && flush_sb(h) && copy_spool(h->rows, h->fp);
    sb_str(b, "</tbody></table>\n<script>");
    sb_str(b, script);
    sb_str(b, "</script>\n</body></html>\n");
    ok = ok && flush_sb(h);
    ok = fclose(h->fp) == 0 && ok;
    h->fp = NULL;
    return ok;
}
