/* hsdump diff: loads two captures (or saved JSON Lines) into handshake summaries, pairs
 * them by a key and reports the stable fields that differ (issue 6). Exit status as
 * diff(1): 0 same, 1 different, 2 trouble. */
#include "diff/diff.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "capture/secrets.h"
#include "messages.h"
#include "output/utf8.h"

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size);
    if (p == NULL) {
        abort(); /* out of memory */
    }
    return p;
}

void diff_options_init(struct diff_options *o)
{
    memset(o, 0, sizeof(*o));
    o->key = SUMMARY_KEY_SNI;
    o->by = PROFILE_BY_SERVER;
}

bool diff_add_fields(struct diff_options *o, const char *list, bool only, char *err,
                     size_t errlen)
{
    const char *p = list;
    while (true) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char name[40];
        if (len >= sizeof(name)) {
            snprintf(err, errlen, "%.60s: unknown field", p);
            return false;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        enum profile_aspect aspect;
        if (len > 0) {
            if (!summary_field_pattern_valid(name) && !profile_aspect_parse(name, &aspect)) {
                snprintf(err, errlen, "%s: unknown field", name);
                return false;
            }
            size_t *n = only ? &o->n_only : &o->n_ignore;
            if (*n == DIFF_MAX_FIELDS) {
                snprintf(err, errlen, "more than %d field names", DIFF_MAX_FIELDS);
                return false;
            }
            memcpy(only ? o->only[*n] : o->ignore[*n], name, len + 1);
            (*n)++;
        }
        if (comma == NULL) {
            return true;
        }
        p = comma + 1;
    }
}

static bool selected(const struct diff_options *o, const char *name)
{
    bool in = o->n_only == 0;
    for (size_t i = 0; i < o->n_only && !in; i++) {
        in = summary_field_pattern_matches(o->only[i], name);
    }
    for (size_t i = 0; i < o->n_ignore && in; i++) {
        in = !summary_field_pattern_matches(o->ignore[i], name);
    }
    return in;
}

bool diff_aspect_selected(enum profile_aspect a, const void *options)
{
    return selected(options, profile_aspect_name(a));
}

/* ---- pairing ---- */

struct entry {
    const struct summary *s;
    const char *key;
    size_t order; /* position in its input */
    size_t n;     /* index within its key, from 1 */
    size_t pair;  /* index of the partner in the other input, or SIZE_MAX */
};

static int by_key_order(const void *pa, const void *pb)
{
    const struct entry *a = *(const struct entry *const *)pa;
    const struct entry *b = *(const struct entry *const *)pb;
    int c = strcmp(a->key, b->key);
    if (c != 0) {
        return c;
    }
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Entries of one input in order, numbered within their key; *sorted by (key, n). */
static struct entry *entries(const struct summary_set *set, enum summary_key key,
                             struct entry ***sorted)
{
    struct entry *e = xcalloc(set->n, sizeof(*e));
    struct entry **p = xcalloc(set->n, sizeof(*p));
    for (size_t i = 0; i < set->n; i++) {
        e[i] = (struct entry){&set->s[i], set->s[i].keys[key], i, 0, SIZE_MAX};
        p[i] = &e[i];
    }
    qsort(p, set->n, sizeof(*p), by_key_order);
    for (size_t i = 0; i < set->n; i++) {
        p[i]->n = i > 0 && strcmp(p[i]->key, p[i - 1]->key) == 0 ? p[i - 1]->n + 1 : 1;
    }
    *sorted = p;
    return e;
}

static int by_key_n(const void *pk, const void *pe)
{
    const struct entry *k = pk;
    const struct entry *e = *(const struct entry *const *)pe;
    int c = strcmp(k->key, e->key);
    if (c != 0) {
        return c;
    }
    return k->n < e->n ? -1 : k->n > e->n;
}

/* ---- output ---- */

/* A file name in the form values are kept in (its characters, a byte that is not UTF-8 as
 * \xHH, as JSON carries wire strings), so text and JSON escape it like any value. */
static char *name_value(const char *raw)
{
    static const char hex[] = "0123456789abcdef";
    char *s = xcalloc(4 * strlen(raw) + 1, 1);
    char *w = s;
    struct cursor rest = cur_make((const uint8_t *)raw, strlen(raw));
    while (cur_len(rest) > 0) {
        uint32_t cp;
        uint8_t c;
        size_t n = utf8_sequence(rest, &cp);
        if (n > 0) {
            cur_copy(cur_take_upto(&rest, n), (uint8_t *)w);
            w += n;
        } else if (cur_get_u8(&rest, &c) && c < 0x80) {
            *w++ = (char)c;
        } else {
            *w++ = '\\';
            *w++ = 'x';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 0xf];
        }
    }
    return s;
}

static json_t *json_value(const struct summary_item *it)
{
    if (it == NULL) {
        return json_null();
    }
    if (!it->is_list) {
        return json_string(it->values[0]);
    }
    json_t *a = json_array();
    for (size_t i = 0; i < it->n; i++) {
        json_array_append_new(a, json_string(it->values[i]));
    }
    return a;
}

static json_t *json_list(char *const *values, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(values[i]));
    }
    return a;
}

/* Every line is built in memory and written with one call. */
static void emit_json(FILE *out, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s != NULL) {
        fprintf(out, "%s\n", s);
        free(s);
    }
    json_decref(o);
}

struct line {
    char *buf;
    size_t len;
    FILE *fp;
};

static FILE *line_open(struct line *l)
{
    l->buf = NULL;
    l->len = 0;
    l->fp = open_memstream(&l->buf, &l->len);
    if (l->fp == NULL) {
        abort();
    }
    return l->fp;
}

static void line_emit(struct line *l, FILE *out)
{
    fputc('\n', l->fp);
    fclose(l->fp);
    fwrite(l->buf, 1, l->len, out);
    free(l->buf);
}

static void put_scalar(FILE *fp, const char *key, const char *value)
{
    char *v = (char *)value;
    fprintf(fp, " %s=", key);
    summary_put_text_value(fp, &v, 1, false);
}

static void put_item(FILE *fp, const char *key, const struct summary_item *it)
{
    fprintf(fp, " %s=", key);
    if (it == NULL) {
        summary_put_text_value(fp, NULL, 0, false);
    } else {
        summary_put_text_value(fp, it->values, it->n, it->is_list);
    }
}

/* What changed between two lists: items added and removed (as multisets), or only their
 * order. */
struct list_change {
    char **added;
    size_t n_added;
    char **removed;
    size_t n_removed;
    bool reordered;
};

static struct list_change list_change(const struct summary_item *a, const struct summary_item *b)
{
    static char *const none[1] = {NULL};
    char *const *av = a != NULL ? a->values : none;
    char *const *bv = b != NULL ? b->values : none;
    size_t an = a != NULL ? a->n : 0, bn = b != NULL ? b->n : 0;
    struct list_change c = {xcalloc(bn, sizeof(char *)), 0, xcalloc(an, sizeof(char *)), 0,
                            false};
    bool *used = xcalloc(an, sizeof(bool));
    for (size_t j = 0; j < bn; j++) {
        size_t i = 0;
        while (i < an && (used[i] || strcmp(av[i], bv[j]) != 0)) {
            i++;
        }
        if (i < an) {
            used[i] = true;
        } else {
            c.added[c.n_added++] = bv[j];
        }
    }
    for (size_t i = 0; i < an; i++) {
        if (!used[i]) {
            c.removed[c.n_removed++] = av[i];
        }
    }
    free(used);
    c.reordered = c.n_added == 0 && c.n_removed == 0 && a != NULL && b != NULL;
    return c;
}

static void report_field(FILE *out, const struct diff_options *o, const struct entry *e,
                         const char *name, const struct summary_item *a,
                         const struct summary_item *b)
{
    bool is_list = (a != NULL && a->is_list) || (b != NULL && b->is_list);
    struct list_change c = {0};
    if (is_list) {
        c = list_change(a, b);
    }
    if (o->json) {
        json_t *j = json_object();
        json_object_set_new(j, "event", json_string("diff"));
        json_object_set_new(j, "key", json_string(e->key));
        json_object_set_new(j, "n", json_integer((json_int_t)e->n));
        json_object_set_new(j, "field", json_string(name));
        json_object_set_new(j, "a", json_value(a));
        json_object_set_new(j, "b", json_value(b));
        if (c.n_added > 0) {
            json_object_set_new(j, "added", json_list(c.added, c.n_added));
        }
        if (c.n_removed > 0) {
            json_object_set_new(j, "removed", json_list(c.removed, c.n_removed));
        }
        if (c.reordered) {
            json_object_set_new(j, "reordered", json_true());
        }
        emit_json(out, j);
    } else {
        struct line l;
        FILE *fp = line_open(&l);
        fputs("diff", fp);
        put_scalar(fp, "key", e->key);
        fprintf(fp, " n=%zu", e->n);
        put_scalar(fp, "field", name);
        put_item(fp, "a", a);
        put_item(fp, "b", b);
        if (c.n_added > 0) {
            fputs(" added=", fp);
            summary_put_text_value(fp, c.added, c.n_added, true);
        }
        if (c.n_removed > 0) {
            fputs(" removed=", fp);
            summary_put_text_value(fp, c.removed, c.n_removed, true);
        }
        if (c.reordered) {
            fputs(" reordered=true", fp);
        }
        line_emit(&l, out);
    }
    free(c.added);
    free(c.removed);
}

/* Walks both summaries' fields in canonical order; reports each selected one that differs
 * when out is not NULL. Returns how many differ. */
static size_t compare_pair(const struct entry *e, const struct summary *a,
                           const struct summary *b, const struct diff_options *o, FILE *out)
{
    size_t i = 0, j = 0, differ = 0;
    while (i < a->n || j < b->n) {
        const struct summary_item *ia = i < a->n ? &a->items[i] : NULL;
        const struct summary_item *ib = j < b->n ? &b->items[j] : NULL;
        if (ia != NULL && ib != NULL && ia->rank != ib->rank) {
            if (ia->rank < ib->rank) {
                ib = NULL;
            } else {
                ia = NULL;
            }
        }
        i += ia != NULL;
        j += ib != NULL;
        const char *name = ia != NULL ? ia->name : ib->name;
        if (!selected(o, name) || summary_items_equal(ia, ib)) {
            continue;
        }
        differ++;
        if (out != NULL) {
            report_field(out, o, e, name, ia, ib);
        }
    }
    return differ;
}

static void report_only(FILE *out, const struct diff_options *o, const char *which,
                        const struct entry *e)
{
    static const char *const shown[] = {"sni", "version", "cipher_suite", "flow", "status"};
    if (o->json) {
        json_t *j = json_object();
        json_object_set_new(j, "event", json_string(which));
        json_object_set_new(j, "key", json_string(e->key));
        json_object_set_new(j, "n", json_integer((json_int_t)e->n));
        for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++) {
            const struct summary_item *it = summary_find(e->s, shown[k]);
            if (it != NULL) {
                json_object_set_new(j, shown[k], json_value(it));
            }
        }
        emit_json(out, j);
        return;
    }
    struct line l;
    FILE *fp = line_open(&l);
    fputs(which, fp);
    put_scalar(fp, "key", e->key);
    fprintf(fp, " n=%zu", e->n);
    for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++) {
        const struct summary_item *it = summary_find(e->s, shown[k]);
        if (it != NULL) {
            put_item(fp, shown[k], it);
        }
    }
    line_emit(&l, out);
}

static void report_header(FILE *out, const struct diff_options *o, const char *name_a,
                          const char *name_b, const struct diff_counts *c)
{
    char *a = name_value(name_a), *b = name_value(name_b);
    if (o->json) {
        json_t *j = json_object();
        json_object_set_new(j, "event", json_string("diff"));
        json_object_set_new(j, "a", json_string(a));
        json_object_set_new(j, "b", json_string(b));
        json_object_set_new(j, "key", json_string(summary_key_name(o->key)));
        json_object_set_new(j, "paired", json_integer((json_int_t)c->paired));
        json_object_set_new(j, "identical", json_integer((json_int_t)c->identical));
        json_object_set_new(j, "different", json_integer((json_int_t)c->different));
        json_object_set_new(j, "only_a", json_integer((json_int_t)c->only_a));
        json_object_set_new(j, "only_b", json_integer((json_int_t)c->only_b));
        emit_json(out, j);
    } else {
        struct line l;
        FILE *fp = line_open(&l);
        fputs("diff", fp);
        put_scalar(fp, "a", a);
        put_scalar(fp, "b", b);
        put_scalar(fp, "key", summary_key_name(o->key));
        fprintf(fp, " paired=%zu identical=%zu different=%zu only_a=%zu only_b=%zu", c->paired,
                c->identical, c->different, c->only_a, c->only_b);
        line_emit(&l, out);
    }
    free(a);
    free(b);
}

int diff_sets(const struct summary_set *a, const struct summary_set *b, const char *name_a,
              const char *name_b, const struct diff_options *o, FILE *out,
              struct diff_counts *counts)
{
    struct entry **sa, **sb;
    struct entry *ea = entries(a, o->key, &sa);
    struct entry *eb = entries(b, o->key, &sb);
    struct diff_counts c = {0};
    for (size_t i = 0; i < a->n; i++) {
        struct entry **hit = bsearch(&ea[i], sb, b->n, sizeof(*sb), by_key_n);
        if (hit == NULL) {
            c.only_a++;
            continue;
        }
        ea[i].pair = (*hit)->order;
        (*hit)->pair = i;
        c.paired++;
        if (compare_pair(&ea[i], ea[i].s, (*hit)->s, o, NULL) == 0) {
            c.identical++;
        } else {
            c.different++;
        }
    }
    c.only_b = b->n - c.paired;
    report_header(out, o, name_a, name_b, &c);
    for (size_t i = 0; i < a->n; i++) {
        if (ea[i].pair != SIZE_MAX) {
            compare_pair(&ea[i], ea[i].s, eb[ea[i].pair].s, o, out);
        }
    }
    for (size_t i = 0; i < a->n; i++) {
        if (ea[i].pair == SIZE_MAX) {
            report_only(out, o, "only_a", &ea[i]);
        }
    }
    for (size_t j = 0; j < b->n; j++) {
        if (eb[j].pair == SIZE_MAX) {
            report_only(out, o, "only_b", &eb[j]);
        }
    }
    free(ea);
    free(eb);
    free(sa);
    free(sb);
    if (counts != NULL) {
        *counts = c;
    }
    return c.different == 0 && c.only_a == 0 && c.only_b == 0 ? 0 : 1;
}

/* ---- command line ---- */

static void usage(FILE *fp)
{
    fputs("Usage: hsdump diff [options] A B [filter expression]\n"
          "       hsdump diff [options] A1 A2 ... -- B1 B2 ...\n"
          "Reduces each side to one profile per server (or client) and prints one line per\n"
          "changed aspect: <profile> <aspect> <a> -> <b>, then profiles only in one side,\n"
          "then a totals line; nothing when nothing changed.\n"
          "A and B are capture files (pcap, pcapng) or JSON Lines saved with hsdump -T json\n"
          "(\"-\" is standard input, for one of them); the filter applies to captures.\n"
          "  --by server|client|ja4\n"
          "                       profile servers (default: SNI, else address, and port),\n"
          "                       clients (address) or client fingerprints (JA4)\n"
          "  -v, --verbose        pair handshakes one by one and print every field that\n"
          "                       differs (the report before profiles)\n"
          "  --key sni|server|client-hello\n"
          "                       with -v: pair handshakes with the same key, in\n"
          "                       order within it:\n"
          "                       sni (default: SNI, else the server address, plus\n"
          "                       \":\" and the server port), server (address:port), or\n"
          "                       client-hello (JA4, else a hash of the offer);\n"
          "                       sni and server keys end in /quic or /dtls for\n"
          "                       handshakes over those transports\n"
          "  --only NAME,...      compare only these aspects (with -v: fields; repeatable)\n"
          "  --ignore NAME,...    leave these aspects (fields) out (repeatable)\n"
          "  --keylog FILE        decrypt handshakes of A and B with the secrets of an\n"
          "                       NSS key log (SSLKEYLOGFILE); repeatable\n"
          "  -T, --format FORMAT  text (default) or json (one object per line)\n"
          "  -h, --help           this text\n"
          "Aspects: ",
          fp);
    for (size_t a = 0; a < ASPECT_COUNT; a++) {
        fprintf(fp, "%s%s", a > 0 ? ", " : "", profile_aspect_name((enum profile_aspect)a));
    }
    fputs(".\nFields (-v): ", fp);
    summary_field_patterns_list(fp);
    fputs(".\nExit status: 0 nothing changed (or output pipe closed), 1 changes or profiles\n"
          "(with -v: handshakes) on one side only, 2 trouble.\n",
          fp);
}

enum { OPT_KEY = 256, OPT_ONLY, OPT_IGNORE, OPT_KEYLOG, OPT_BY };

static const struct option long_options[] = {
    {"by", required_argument, NULL, OPT_BY},
    {"verbose", no_argument, NULL, 'v'},
    {"format", required_argument, NULL, 'T'},
    {"help", no_argument, NULL, 'h'},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"key", required_argument, NULL, OPT_KEY},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"only", required_argument, NULL, OPT_ONLY},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *what, const char *why)
{
    errorf("diff: %s: %s (see hsdump diff --help)", what, why);
    return EXIT_USAGE;
}

static void print_field_list_error(const char *what, const char *why)
{
    char *list = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&list, &len);
    if (fp == NULL) {
        abort();
    }
    summary_field_patterns_list(fp);
    fclose(fp);
    /* errorf keeps 1 KiB; the list of names is longer, so the line is written here. */
    fflush(stdout);
    fprintf(stderr, "hsdump: diff: %s: %s; valid aspects:", what, why);
    for (size_t a = 0; a < ASPECT_COUNT; a++) {
        fprintf(stderr, "%s %s", a > 0 ? "," : "", profile_aspect_name((enum profile_aspect)a));
    }
    fprintf(stderr, "; valid fields (-v): %s\n", list);
    free(list);
}

/* The arguments that are not options, in order; after_dash: the index of the first one
 * that followed a "--" (n when none did). */
struct operands {
    const char *v[DIFF_MAX_INPUTS * 2 + 256];
    size_t n;
    size_t after_dash;
};

/* Options into o, operands into ops; -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct diff_options *o, struct operands *ops)
{
    extern int optind, opterr, optopt;
    optind = 0; /* glibc: 0 restarts getopt (main may have used it) */
    opterr = 0;
    int c;
    ops->n = 0;
    /* "-": operands come back in order (as 1), so those before a "--" are told apart */
    while ((c = getopt_long(argc, argv, "-:T:hv", long_options, NULL)) != -1) {
        char err[200];
        switch (c) {
        case 1:
            if (ops->n == sizeof(ops->v) / sizeof(ops->v[0])) {
                return usage_error(optarg, "too many arguments");
            }
            ops->v[ops->n++] = optarg;
            break;
        case 'v':
            o->verbose = true;
            break;
        case OPT_BY:
            if (profile_by_parse(optarg, &o->by)) {
                break;
            }
            return usage_error(optarg, "unknown profile (server, client or ja4)");
        case 'h':
            usage(stdout);
            return 0;
        case 'T':
            if (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0) {
                o->json = strcmp(optarg, "json") == 0;
                break;
            }
            return usage_error(optarg, "unknown format (text or json)");
        case OPT_KEY:
            if (summary_key_parse(optarg, &o->key)) {
                break;
            }
            return usage_error(optarg, "unknown key (sni, server or client-hello)");
        case OPT_KEYLOG:
            if (o->n_keylogs == DIFF_MAX_KEYLOGS) {
                return usage_error(optarg, "too many --keylog files (at most 16)");
            }
            o->keylogs[o->n_keylogs++] = optarg;
            break;
        case OPT_ONLY:
        case OPT_IGNORE:
            if (diff_add_fields(o, optarg, c == OPT_ONLY, err, sizeof(err))) {
                break;
            }
            print_field_list_error(c == OPT_ONLY ? "--only" : "--ignore", err);
            return EXIT_USAGE;
        case ':':
            return usage_error(argv[optind - 1], "option needs a value");
        case '?':
        default:
            if (optopt != 0) {
                char opt[3] = {'-', (char)optopt, '\0'};
                return usage_error(opt, "unknown option");
            }
            if (strncmp(argv[optind - 1], "--report", 8) == 0) {
                /* the report reads one run's connections; a diff pairs two runs' */
                return usage_error(argv[optind - 1], "not supported by hsdump diff (run "
                                                     "hsdump --report -r FILE on each capture)");
            }
            return usage_error(argv[optind - 1], "unknown option");
        }
    }
    bool dash = optind > 0 && optind <= argc && strcmp(argv[optind - 1], "--") == 0;
    ops->after_dash = dash && ops->n > 0 ? ops->n : SIZE_MAX;
    for (int i = optind; i < argc; i++) {
        if (ops->n == sizeof(ops->v) / sizeof(ops->v[0])) {
            return usage_error(argv[i], "too many arguments");
        }
        ops->v[ops->n++] = argv[i];
    }
    return -1;
}

/* Operands from first on joined with spaces, as tcpdump does; NULL if none. */
static char *join_filter(const struct operands *ops, size_t first)
{
    if (first >= ops->n) {
        return NULL;
    }
    size_t len = 1;
    for (size_t i = first; i < ops->n; i++) {
        len += strlen(ops->v[i]) + 1;
    }
    char *f = xcalloc(len, 1);
    for (size_t i = first; i < ops->n; i++) {
        if (i > first) {
            strcat(f, " ");
        }
        strcat(f, ops->v[i]);
    }
    return f;
}

/* The input names of one side joined with commas, for the report. */
static char *join_names(const char *const *paths, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        len += strlen(paths[i]) + 1;
    }
    char *s = xcalloc(len, 1);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            strcat(s, ",");
        }
        strcat(s, paths[i]);
    }
    return s;
}

/* One side's inputs into set (with a sink: into its profiles). */
static bool load_side(const char *const *paths, size_t n, const char *filter,
                      struct summary_set *set)
{
    for (size_t i = 0; i < n; i++) {
        char err[512];
        if (!summary_load(paths[i], filter, set, err, sizeof(err))) {
            errorf("diff: %s: %s", paths[i], err);
            return false;
        }
    }
    return true;
}

/* The inputs of both sides and the filter, from the operands; -1 to go on, else the exit
 * status. */
static int split_operands(const struct operands *ops, const char **a, size_t *na,
                          const char **b, size_t *nb, char **filter)
{
    *filter = NULL;
    if (ops->after_dash != SIZE_MAX) {
        *na = ops->after_dash;
        *nb = ops->n - ops->after_dash;
        if (*nb == 0) {
            return usage_error("--", "no input after it (A1 A2 ... -- B1 B2 ...)");
        }
        if (*na > DIFF_MAX_INPUTS || *nb > DIFF_MAX_INPUTS) {
            return usage_error("inputs", "more than 64 on one side");
        }
        memcpy(a, ops->v, *na * sizeof(*a));
        memcpy(b, ops->v + *na, *nb * sizeof(*b));
    } else {
        if (ops->n < 2) {
            return usage_error("arguments", "need two inputs, A and B");
        }
        *na = *nb = 1;
        a[0] = ops->v[0];
        b[0] = ops->v[1];
        *filter = join_filter(ops, 2);
    }
    size_t stdin_uses = 0;
    for (size_t i = 0; i < *na; i++) {
        stdin_uses += strcmp(a[i], "-") == 0;
    }
    for (size_t i = 0; i < *nb; i++) {
        stdin_uses += strcmp(b[i], "-") == 0;
    }
    if (stdin_uses > 1) {
        free(*filter);
        *filter = NULL;
        return usage_error("-", "standard input can be only one of the inputs");
    }
    return -1;
}

/* Profiles of both sides compared: sets and counts, no state per handshake. */
static int run_profiles(const struct diff_options *o, const char *const *pa, size_t na,
                        const char *const *pb, size_t nb, const char *filter, FILE *out)
{
    struct profile_set a, b;
    profile_set_init(&a, o->by);
    profile_set_init(&b, o->by);
    struct summary_set sa, sb;
    summary_set_init(&sa);
    summary_set_init(&sb);
    sa.sink = sb.sink = profile_sink;
    sa.sink_ctx = &a;
    sb.sink_ctx = &b;
    int status = EXIT_USAGE;
    if (load_side(pa, na, filter, &sa) && load_side(pb, nb, filter, &sb)) {
        char *name_a = join_names(pa, na), *name_b = join_names(pb, nb);
        char *va = name_value(name_a), *vb = name_value(name_b);
        struct profile_report r = {o->json, diff_aspect_selected, o, va, vb};
        status = profile_compare(&a, &b, &r, out, NULL);
        free(va);
        free(vb);
        free(name_a);
        free(name_b);
    }
    profile_set_free(&a);
    profile_set_free(&b);
    return status;
}

/* -v: every handshake kept, paired by --key, every differing field printed. */
static int run_pairs(const struct diff_options *o, const char *const *pa, size_t na,
                     const char *const *pb, size_t nb, const char *filter, FILE *out)
{
    struct summary_set a, b;
    summary_set_init(&a);
    summary_set_init(&b);
    int status = EXIT_USAGE;
    if (load_side(pa, na, filter, &a) && load_side(pb, nb, filter, &b)) {
        char *name_a = join_names(pa, na), *name_b = join_names(pb, nb);
        status = diff_sets(&a, &b, name_a, name_b, o, out, NULL);
        free(name_a);
        free(name_b);
    }
    summary_set_free(&a);
    summary_set_free(&b);
    return status;
}

int diff_run(int argc, char **argv, FILE *out)
{
    struct diff_options o;
    diff_options_init(&o);
    static struct operands ops;
    int status = parse_options(argc, argv, &o, &ops);
    if (status >= 0) {
        return status;
    }
    const char *pa[DIFF_MAX_INPUTS], *pb[DIFF_MAX_INPUTS];
    size_t na, nb;
    char *filter;
    status = split_operands(&ops, pa, &na, pb, &nb, &filter);
    if (status >= 0) {
        return status;
    }
    /* Read whole before either capture: one table for both (connections take it when they
     * are created, src/conn.c). */
    if (!secrets_open_keylogs(o.keylogs, o.n_keylogs, false)) {
        secrets_close();
        free(filter);
        return EXIT_USAGE;
    }
    status = o.verbose ? run_pairs(&o, pa, na, pb, nb, filter, out)
                       : run_profiles(&o, pa, na, pb, nb, filter, out);
    /* A closed pipe (| head) ends the report quietly, as for hsdump itself (exit 0). */
    if (status != EXIT_USAGE && (fflush(out) != 0 || ferror(out))) {
        if (errno == EPIPE) {
            status = 0;
        } else {
            errorf("diff: output: %s", strerror(errno));
            status = EXIT_USAGE;
        }
    }
    free(filter);
    secrets_close();
    return status;
}

int diff_main(int argc, char **argv)
{
    /* A reader that goes away (| head) is an EPIPE write, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    return diff_run(argc, argv, stdout);
}
