/* The display filter language of -Y and --conn-filter (man page, DISPLAY FILTERS):
 *
 *   expr    = and { ("or" | "||") and }
 *   and     = unary { ("and" | "&&") unary }
 *   unary   = ("not" | "!") unary | primary
 *   primary = "(" expr ")" | "exists" NAME | NAME "exists"
 *           | NAME ("==" | "=" | "!=" | "<" | "<=" | ">" | ">=") VALUE
 *           | NAME ("~" | "matches") VALUE | NAME "contains" VALUE
 *   VALUE   = WORD | "..." | '...'      (in quotes only \" \' and \\ are escapes)
 *
 * Compiled once into a node array; regular expressions are POSIX EREs (regcomp(3),
 * REG_EXTENDED), matched against the value's bytes with REG_STARTEND so a NUL from the wire
 * is a byte like any other. Evaluation looks each name up in the event (a few dozen key
 * comparisons) and allocates nothing. */
#define _GNU_SOURCE /* memmem, REG_STARTEND */
#include "output/filter.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fields.h"
#include "messages.h"
#include "output/output.h"

/* ---- names and values ---- */

static const char *const pseudo_names[] = {
    [PSEUDO_TIME] = "time",       [PSEUDO_CONN] = "conn",   [PSEUDO_CLIENT] = "client",
    [PSEUDO_SERVER] = "server",   [PSEUDO_SRC] = "src",     [PSEUDO_DST] = "dst",
    [PSEUDO_DIR] = "dir",         [PSEUDO_EVENT] = "event", [PSEUDO_MESSAGE] = "message",
    [PSEUDO_OVERFLOW] = "fields_overflow",
};

enum out_pseudo out_pseudo_of(const char *name)
{
    for (size_t i = 1; i < sizeof(pseudo_names) / sizeof(pseudo_names[0]); i++) {
        if (strcmp(name, pseudo_names[i]) == 0) {
            return (enum out_pseudo)i;
        }
    }
    return PSEUDO_NONE;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

bool out_ref_name_ok(const char *name, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!name_char(name[i])) {
            return false;
        }
    }
    return true;
}

bool out_ref_known(const char *name)
{
    /* The declared key list (--list-fields, issue 19 part 5) is built elsewhere; until it
     * is merged every well-formed name is accepted and an unknown one is simply absent. */
    (void)name;
    return true;
}

static struct cursor text_of(const char *s)
{
    return cur_make((const uint8_t *)s, strlen(s));
}

static struct out_value text_value(struct cursor text)
{
    struct out_value v = {VALUE_TEXT, text, {NULL, 0}, FIELD_STRING};
    return v;
}

/* ISO 8601 UTC with microseconds, as the default time column. */
static struct cursor iso_time(struct timeval ts, char *buf, size_t cap)
{
    struct tm tm;
    time_t secs = ts.tv_sec;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(buf + n, cap - n, ".%06ldZ", (long)ts.tv_usec);
    return cur_make((const uint8_t *)buf, n < cap ? n : cap - 1);
}

static struct cursor copy_text(const char *s, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", s);
    return text_of(buf);
}

static struct out_value pseudo_value(enum out_pseudo which, const struct event_prefix *p,
                                     const struct fields *f, const char *time, char *buf,
                                     size_t cap)
{
    struct out_value absent = {VALUE_ABSENT, {NULL, 0}, {NULL, 0}, FIELD_STRING};
    char ep[ENDPOINT_STR_MAX];
    bool c2s = p->d == DIR_C2S;
    switch (which) {
    case PSEUDO_TIME:
        if (time != NULL && time[0] != '\0') {
            return text_value(copy_text(time, buf, cap));
        }
        return text_value(iso_time(p->ts, buf, cap));
    case PSEUDO_CONN: {
        struct out_value v =
            text_value(cur_make((const uint8_t *)buf, fields_format_uint(p->conn_id, buf)));
        v.type = FIELD_UINT;
        return v;
    }
    case PSEUDO_CLIENT:
    case PSEUDO_SRC:
    case PSEUDO_SERVER:
    case PSEUDO_DST: {
        bool client = which == PSEUDO_CLIENT || (which == PSEUDO_SRC && c2s) ||
                      (which == PSEUDO_DST && !c2s);
        const char *s = client ? out_prefix_client(p, ep) : out_prefix_server(p, ep);
        return text_value(copy_text(s, buf, cap));
    }
    case PSEUDO_DIR:
        return text_value(text_of(c2s ? "c2s" : "s2c"));
    case PSEUDO_EVENT:
        return text_value(text_of(f->event));
    case PSEUDO_MESSAGE:
        return f->name != NULL ? text_value(text_of(f->name)) : absent;
    case PSEUDO_OVERFLOW: {
        struct out_value v = text_value(text_of("true"));
        v.type = FIELD_BOOL;
        return f->overflow ? v : absent;
    }
    case PSEUDO_NONE:
    default:
        return absent;
    }
}

struct out_value out_ref_value(const struct out_ref *ref, const struct event_prefix *p,
                               const struct fields *f, const char *time, char *buf,
                               size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    struct out_value v = {VALUE_ABSENT, {NULL, 0}, {NULL, 0}, FIELD_STRING};
    if (ref->pseudo != PSEUDO_NONE) {
        return pseudo_value(ref->pseudo, p, f, time, buf, cap);
    }
    const struct field *fd = NULL;
    for (size_t i = f->n; i-- > 0;) {
        if (strcmp(f->f[i].key, ref->name) == 0) {
            fd = &f->f[i];
            break;
        }
    }
    if (fd == NULL) {
        return v;
    }
    v.type = fd->type;
    switch (fd->type) {
    case FIELD_UINT:
        v.kind = VALUE_TEXT;
        v.text = cur_make((const uint8_t *)buf, fields_format_uint(fd->num, buf));
        return v;
    case FIELD_BOOL:
        v.kind = VALUE_TEXT;
        v.text = text_of(fd->num ? "true" : "false");
        return v;
    case FIELD_HEX: {
        struct cursor bytes = fields_value(f, fd);
        size_t n = 0;
        uint8_t c;
        while (n + 2 < cap && cur_get_u8(&bytes, &c)) {
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 0xf];
        }
        v.kind = VALUE_TEXT;
        v.text = cur_make((const uint8_t *)buf, n);
        return v;
    }
    case FIELD_LIST:
        v.kind = VALUE_LIST;
        v.items = fields_value(f, fd);
        return v;
    case FIELD_TOKEN:
    case FIELD_STRING:
    case FIELD_NAME:
    default:
        v.kind = VALUE_TEXT;
        v.text = fields_value(f, fd);
        return v;
    }
}

/* ---- numbers and versions ---- */

/* A number in decimal (digits, an optional fraction) or 0x hex, normalised: the integer
 * digits without leading zeros, the fraction without trailing ones. */
#define NUM_DIGITS 40
struct num {
    char whole[NUM_DIGITS + 1];
    size_t whole_len;
    char frac[NUM_DIGITS + 1];
    size_t frac_len;
};

static int hex_digit(uint8_t c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static bool parse_num(struct cursor s, struct num *n)
{
    uint8_t c0, c1;
    n->whole_len = n->frac_len = 0;
    if (cur_len(s) > 2 && cur_peek_u8(s, 0, &c0) && cur_peek_u8(s, 1, &c1) && c0 == '0' &&
        (c1 == 'x' || c1 == 'X')) {
        if (!cur_skip(&s, 2) || cur_len(s) > 16) {
            return false;
        }
        uint64_t v = 0;
        uint8_t c;
        while (cur_get_u8(&s, &c)) {
            int d = hex_digit(c);
            if (d < 0) {
                return false;
            }
            v = v << 4 | (uint64_t)d;
        }
        if (v > 0) {
            n->whole_len = fields_format_uint(v, n->whole);
        }
        return true;
    }
    bool in_frac = false, digits = false;
    uint8_t c;
    while (cur_get_u8(&s, &c)) {
        if (c == '.' && !in_frac && digits) {
            in_frac = true;
            continue;
        }
        if (c < '0' || c > '9') {
            return false;
        }
        digits = true;
        if (in_frac) {
            if (n->frac_len == NUM_DIGITS) {
                return false;
            }
            n->frac[n->frac_len++] = (char)c;
        } else if (n->whole_len > 0 || c != '0') {
            if (n->whole_len == NUM_DIGITS) {
                return false;
            }
            n->whole[n->whole_len++] = (char)c;
        }
    }
    if (!digits || (in_frac && n->frac_len == 0)) {
        return false; /* "" or "1." */
    }
    while (n->frac_len > 0 && n->frac[n->frac_len - 1] == '0') {
        n->frac_len--;
    }
    return true;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Strings of digits as fractions: a prefix is the smaller one. */
static int digits_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? sign(c) : sign((int)(alen > blen) - (int)(alen < blen));
}

static int num_cmp(const struct num *a, const struct num *b)
{
    if (a->whole_len != b->whole_len) {
        return a->whole_len < b->whole_len ? -1 : 1;
    }
    int c = memcmp(a->whole, b->whole, a->whole_len);
    return c != 0 ? sign(c) : digits_cmp(a->frac, a->frac_len, b->frac, b->frac_len);
}

/* A protocol version's place in the order SSLv2 < SSLv3 < TLSv1.0 < TLSv1.1 < TLSv1.2 <
 * TLSv1.3 drafts < TLSv1.3. A DTLS version ranks with the TLS version it is made from
 * (RFC 4347 section 1: DTLS 1.0 from TLS 1.1; RFC 6347: 1.2; RFC 9147: 1.3). -1 when s
 * is no version name hsdump prints (registry.def, VERSION). */
static int version_rank(struct cursor s)
{
    static const struct {
        const char *name;
        int rank;
    } exact[] = {
        {"SSLv2", 100},    {"SSLv3", 200},    {"TLSv1.0", 300},  {"TLSv1.1", 400},
        {"TLSv1.2", 500},  {"TLSv1.3", 600},  {"DTLSv1.0", 400}, {"DTLSv1.2", 500},
        {"DTLSv1.3", 600},
    };
    char text[40];
    size_t n = cur_len(s);
    if (n >= sizeof(text)) {
        return -1;
    }
    cur_copy(s, (uint8_t *)text);
    text[n] = '\0';
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (strcmp(text, exact[i].name) == 0) {
            return exact[i].rank;
        }
    }
    /* pre-standard TLS 1.3: TLSv1.3-draftNN[-fb] (draft NN), TLSv1.3-experimentN-google
     * (draft 18 with changes) */
    unsigned draft;
    char rest[8];
    int used = 0;
    if (sscanf(text, "TLSv1.3-draft%2u%n", &draft, &used) == 1 &&
        (text[used] == '\0' || strcmp(text + used, "-fb") == 0)) {
        return 500 + (int)draft;
    }
    if (sscanf(text, "TLSv1.3-experiment%1u-googl%1[e]", &draft, rest) == 2) {
        return 518;
    }
    return -1;
}

/* ---- compiled form ---- */

enum node_kind { N_OR, N_AND, N_NOT, N_EXISTS, N_CMP, N_CONTAINS, N_MATCH };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct node {
    enum node_kind kind;
    enum cmp_op op;
    size_t left, right; /* N_OR, N_AND: both; N_NOT: left */
    struct out_ref ref;
    /* the value compared with, and what it is also read as */
    char *text;
    size_t text_len;
    bool is_num;
    struct num num;
    int version; /* -1: not a version name */
    bool have_re;
    regex_t re;
};

struct filter {
    struct node *nodes;
    size_t n, cap;
    size_t root;
};

static int compare_ordered(struct cursor v, bool hex, const struct node *nd)
{
    if (nd->version >= 0) {
        int rank = version_rank(v);
        if (rank >= 0) {
            return sign(rank - nd->version);
        }
    }
    struct num n;
    if (nd->is_num && !hex && parse_num(v, &n)) {
        return num_cmp(&n, &nd->num);
    }
    uint8_t bytes[256];
    size_t vlen = cur_len(v);
    size_t common = vlen < nd->text_len ? vlen : nd->text_len;
    /* memcmp over a copy of at most 256 bytes at a time: the cursor owns the pointer */
    for (size_t done = 0; done < common;) {
        struct cursor part = v;
        if (!cur_skip(&part, done)) {
            break;
        }
        part = cur_take_upto(&part, common - done < sizeof(bytes) ? common - done
                                                                  : sizeof(bytes));
        cur_copy(part, bytes);
        int c = memcmp(bytes, nd->text + done, cur_len(part));
        if (c != 0) {
            return sign(c);
        }
        done += cur_len(part);
    }
    return sign((int)(vlen > nd->text_len) - (int)(vlen < nd->text_len));
}

static bool equal(struct cursor v, bool hex, const struct node *nd)
{
    struct num n;
    if (nd->is_num && !hex && parse_num(v, &n)) {
        return num_cmp(&n, &nd->num) == 0;
    }
    return cur_equal(v, (const uint8_t *)nd->text, nd->text_len);
}

static bool contains_text(struct cursor v, const struct node *nd)
{
    static uint8_t bytes[FIELDS_BUF];
    struct cursor all = cur_take_upto(&v, sizeof(bytes));
    cur_copy(all, bytes);
    return nd->text_len == 0 ||
           memmem(bytes, cur_len(all), nd->text, nd->text_len) != NULL;
}

static bool regex_matches(struct cursor v, const struct node *nd)
{
    static char bytes[FIELDS_BUF + 1];
    struct cursor all = cur_take_upto(&v, sizeof(bytes) - 1);
    cur_copy(all, (uint8_t *)bytes);
    bytes[cur_len(all)] = '\0';
    regmatch_t m = {0, (regoff_t)cur_len(all)};
    return regexec(&nd->re, bytes, 1, &m, REG_STARTEND) == 0;
}

/* One text against one node's test (!= is handled by its caller as "not ==" ). */
static bool test_text(struct cursor v, bool hex, const struct node *nd)
{
    switch (nd->kind) {
    case N_MATCH:
        return regex_matches(v, nd);
    case N_CONTAINS:
        return contains_text(v, nd);
    case N_CMP:
    default:
        break;
    }
    switch (nd->op) {
    case OP_EQ:
    case OP_NE:
        return equal(v, hex, nd);
    case OP_LT:
        return compare_ordered(v, hex, nd) < 0;
    case OP_LE:
        return compare_ordered(v, hex, nd) <= 0;
    case OP_GT:
        return compare_ordered(v, hex, nd) > 0;
    case OP_GE:
    default:
        return compare_ordered(v, hex, nd) >= 0;
    }
}

/* A comparison on a field: false when the field is absent; on a list, true when some item
 * passes (contains: some item is equal), and for != when no item is equal. */
static bool test_field(const struct node *nd, const struct event_prefix *p,
                       const struct fields *f)
{
    static char buf[OUT_VALUE_BUF];
    struct out_value v = out_ref_value(&nd->ref, p, f, NULL, buf, sizeof(buf));
    if (v.kind == VALUE_ABSENT) {
        return false;
    }
    bool negate = nd->kind == N_CMP && nd->op == OP_NE;
    if (v.kind == VALUE_TEXT) {
        return test_text(v.text, v.type == FIELD_HEX, nd) != negate;
    }
    enum field_type type;
    struct cursor item;
    struct cursor items = v.items;
    while (fields_next_item(&items, &type, &item)) {
        bool pass = nd->kind == N_CONTAINS ? equal(item, false, nd) : test_text(item, false, nd);
        if (pass) {
            return !negate;
        }
    }
    return negate;
}

static bool eval(const struct filter *flt, size_t i, const struct event_prefix *p,
                 const struct fields *f)
{
    const struct node *nd = &flt->nodes[i];
    switch (nd->kind) {
    case N_OR:
        return eval(flt, nd->left, p, f) || eval(flt, nd->right, p, f);
    case N_AND:
        return eval(flt, nd->left, p, f) && eval(flt, nd->right, p, f);
    case N_NOT:
        return !eval(flt, nd->left, p, f);
    case N_EXISTS: {
        static char buf[OUT_VALUE_BUF];
        return out_ref_value(&nd->ref, p, f, NULL, buf, sizeof(buf)).kind != VALUE_ABSENT;
    }
    case N_CMP:
    case N_CONTAINS:
    case N_MATCH:
    default:
        return test_field(nd, p, f);
    }
}

bool filter_match(const struct filter *flt, const struct event_prefix *p,
                  const struct fields *f)
{
    return eval(flt, flt->root, p, f);
}

void filter_free(struct filter *flt)
{
    if (flt == NULL) {
        return;
    }
    for (size_t i = 0; i < flt->n; i++) {
        free((char *)flt->nodes[i].ref.name);
        free(flt->nodes[i].text);
        if (flt->nodes[i].have_re) {
            regfree(&flt->nodes[i].re);
        }
    }
    free(flt->nodes);
    free(flt);
}

/* ---- lexer ---- */

enum tok_kind {
    T_END,
    T_LPAREN,
    T_RPAREN,
    T_AND,
    T_OR,
    T_NOT,
    T_OP, /* a comparison: op says which */
    T_MATCH,
    T_CONTAINS,
    T_EXISTS,
    T_WORD,
    T_STRING,
    T_BAD, /* an unterminated string or a character that starts nothing */
};

struct token {
    enum tok_kind kind;
    enum cmp_op op;
    size_t pos, len; /* where in the expression */
};

struct parser {
    const char *s;
    size_t at;
    struct token tok;
    struct filter *flt;
    const char *err;
    char err_buf[160];
    size_t err_pos;
    bool failed;
    int depth;
};

/* Bytes a bare word may hold: anything printable but the spaces, parentheses, quotes and
 * the characters operators are made of. */
static bool word_char(char c)
{
    return c > ' ' && c <= '~' && strchr("()\"'=!<>~&|", c) == NULL;
}

static void next(struct parser *ps)
{
    const char *s = ps->s;
    size_t i = ps->at;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
        i++;
    }
    struct token t = {T_END, OP_EQ, i, 0};
    char c = s[i];
    if (c == '\0') {
        ps->tok = t;
        ps->at = i;
        return;
    }
    static const struct {
        const char *text;
        enum tok_kind kind;
        enum cmp_op op;
    } symbols[] = {
        {"==", T_OP, OP_EQ}, {"!=", T_OP, OP_NE}, {"<=", T_OP, OP_LE}, {">=", T_OP, OP_GE},
        {"&&", T_AND, OP_EQ}, {"||", T_OR, OP_EQ}, {"=", T_OP, OP_EQ}, {"<", T_OP, OP_LT},
        {">", T_OP, OP_GT},  {"~", T_MATCH, OP_EQ}, {"!", T_NOT, OP_EQ}, {"(", T_LPAREN, OP_EQ},
        {")", T_RPAREN, OP_EQ},
    };
    for (size_t k = 0; k < sizeof(symbols) / sizeof(symbols[0]); k++) {
        size_t n = strlen(symbols[k].text);
        if (strncmp(s + i, symbols[k].text, n) == 0) {
            t.kind = symbols[k].kind;
            t.op = symbols[k].op;
            t.len = n;
            ps->tok = t;
            ps->at = i + n;
            return;
        }
    }
    if (c == '"' || c == '\'') {
        size_t j = i + 1;
        while (s[j] != '\0' && s[j] != c) {
            j += s[j] == '\\' && s[j + 1] != '\0' ? 2 : 1;
        }
        t.kind = s[j] == c ? T_STRING : T_BAD;
        t.len = j + (s[j] == c) - i;
        ps->tok = t;
        ps->at = i + t.len;
        return;
    }
    size_t j = i;
    while (word_char(s[j])) {
        j++;
    }
    if (j == i) {
        t.kind = T_BAD;
        t.len = 1;
        ps->tok = t;
        ps->at = i + 1;
        return;
    }
    static const struct {
        const char *word;
        enum tok_kind kind;
    } keywords[] = {{"and", T_AND},          {"or", T_OR},           {"not", T_NOT},
                    {"contains", T_CONTAINS}, {"exists", T_EXISTS}, {"matches", T_MATCH}};
    t.kind = T_WORD;
    t.len = j - i;
    for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
        if (strlen(keywords[k].word) == t.len && strncmp(s + i, keywords[k].word, t.len) == 0) {
            t.kind = keywords[k].kind;
        }
    }
    ps->tok = t;
    ps->at = j;
}

/* ---- parser ---- */

#define FILTER_DEPTH_MAX 64

static void fail_at(struct parser *ps, size_t pos, const char *msg)
{
    if (!ps->failed) {
        ps->failed = true;
        ps->err = msg;
        ps->err_pos = pos;
    }
}

/* "expected X, found 'tok'" at the current token. */
static void fail_expected(struct parser *ps, const char *what)
{
    const struct token *t = &ps->tok;
    if (t->kind == T_END) {
        snprintf(ps->err_buf, sizeof(ps->err_buf), "expected %s, found the end", what);
    } else if (t->kind == T_BAD && (ps->s[t->pos] == '"' || ps->s[t->pos] == '\'')) {
        snprintf(ps->err_buf, sizeof(ps->err_buf), "string not terminated");
    } else {
        int len = t->len > 40 ? 40 : (int)t->len;
        snprintf(ps->err_buf, sizeof(ps->err_buf), "expected %s, found '%.*s'", what, len,
                 ps->s + t->pos);
    }
    fail_at(ps, t->pos, ps->err_buf);
}

static size_t new_node(struct parser *ps, enum node_kind kind)
{
    struct filter *flt = ps->flt;
    if (flt->n == flt->cap) {
        size_t cap = flt->cap == 0 ? 8 : 2 * flt->cap;
        struct node *nodes = realloc(flt->nodes, cap * sizeof(*nodes));
        if (nodes == NULL) {
            fail_at(ps, 0, NULL);
            return SIZE_MAX;
        }
        flt->nodes = nodes;
        flt->cap = cap;
    }
    memset(&flt->nodes[flt->n], 0, sizeof(flt->nodes[0]));
    flt->nodes[flt->n].kind = kind;
    flt->nodes[flt->n].version = -1;
    return flt->n++;
}

static char *copy_range(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c != NULL) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

/* The current token as a field name, into node i. */
static bool take_name(struct parser *ps, size_t i)
{
    const struct token *t = &ps->tok;
    if (t->kind != T_WORD || !out_ref_name_ok(ps->s + t->pos, t->len)) {
        fail_expected(ps, "a field name");
        return false;
    }
    char *name = copy_range(ps->s + t->pos, t->len);
    if (name == NULL) {
        fail_at(ps, 0, NULL);
        return false;
    }
    ps->flt->nodes[i].ref.name = name;
    ps->flt->nodes[i].ref.pseudo = out_pseudo_of(name);
    if (ps->flt->nodes[i].ref.pseudo == PSEUDO_NONE && !out_ref_known(name)) {
        snprintf(ps->err_buf, sizeof(ps->err_buf), "unknown field '%s' (see --list-fields)",
                 name);
        fail_at(ps, t->pos, ps->err_buf);
        return false;
    }
    next(ps);
    return true;
}

/* The current token as the value compared with, into node i: a word as it is, a quoted
 * string with \" \' \\ made one character and any other backslash kept (so "\." reaches
 * a regular expression as it was typed). */
static bool take_value(struct parser *ps, size_t i)
{
    const struct token *t = &ps->tok;
    struct node *nd = &ps->flt->nodes[i];
    if (t->kind != T_WORD && t->kind != T_STRING) {
        fail_expected(ps, "a value");
        return false;
    }
    const char *src = ps->s + t->pos;
    size_t len = t->len;
    char *text = malloc(len + 1);
    if (text == NULL) {
        fail_at(ps, 0, NULL);
        return false;
    }
    size_t n = 0;
    if (t->kind == T_WORD) {
        memcpy(text, src, len);
        n = len;
    } else {
        for (size_t k = 1; k + 1 < len; k++) {
            if (src[k] == '\\' && strchr("\"'\\", src[k + 1]) != NULL) {
                k++;
            }
            text[n++] = src[k];
        }
    }
    text[n] = '\0';
    nd->text = text;
    nd->text_len = n;
    struct cursor c = cur_make((const uint8_t *)text, n);
    nd->is_num = parse_num(c, &nd->num);
    nd->version = version_rank(c);
    if (nd->kind == N_MATCH) {
        int rc = regcomp(&nd->re, text, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[100];
            regerror(rc, &nd->re, msg, sizeof(msg));
            snprintf(ps->err_buf, sizeof(ps->err_buf), "bad regular expression: %s", msg);
            fail_at(ps, t->pos, ps->err_buf);
            return false;
        }
        nd->have_re = true;
    }
    next(ps);
    return true;
}

static size_t parse_or(struct parser *ps);

static size_t parse_primary(struct parser *ps)
{
    if (ps->tok.kind == T_LPAREN) {
        size_t open = ps->tok.pos;
        if (++ps->depth > FILTER_DEPTH_MAX) {
            fail_at(ps, open, "parentheses nested too deep");
            return SIZE_MAX;
        }
        next(ps);
        size_t inner = parse_or(ps);
        if (ps->failed) {
            return SIZE_MAX;
        }
        if (ps->tok.kind != T_RPAREN) {
            fail_expected(ps, "')', 'and' or 'or'");
            return SIZE_MAX;
        }
        ps->depth--;
        next(ps);
        return inner;
    }
    if (ps->tok.kind == T_EXISTS) {
        next(ps);
        size_t i = new_node(ps, N_EXISTS);
        return !ps->failed && take_name(ps, i) ? i : SIZE_MAX;
    }
    size_t i = new_node(ps, N_CMP);
    if (ps->failed || !take_name(ps, i)) {
        return SIZE_MAX;
    }
    struct node *nd = &ps->flt->nodes[i];
    switch (ps->tok.kind) {
    case T_EXISTS:
        nd->kind = N_EXISTS;
        next(ps);
        return i;
    case T_OP:
        nd->op = ps->tok.op;
        break;
    case T_MATCH:
        nd->kind = N_MATCH;
        break;
    case T_CONTAINS:
        nd->kind = N_CONTAINS;
        break;
    default:
        fail_expected(ps, "an operator (== != < <= > >= ~ contains exists)");
        return SIZE_MAX;
    }
    next(ps);
    return take_value(ps, i) ? i : SIZE_MAX;
}

static size_t parse_unary(struct parser *ps)
{
    if (ps->tok.kind != T_NOT) {
        return parse_primary(ps);
    }
    if (++ps->depth > FILTER_DEPTH_MAX) {
        fail_at(ps, ps->tok.pos, "'not' nested too deep");
        return SIZE_MAX;
    }
    next(ps);
    size_t operand = parse_unary(ps);
    ps->depth--;
    if (ps->failed) {
        return SIZE_MAX;
    }
    size_t i = new_node(ps, N_NOT);
    if (!ps->failed) {
        ps->flt->nodes[i].left = operand;
    }
    return i;
}

/* left (op right)* for and/or, left-associative. */
static size_t parse_binary(struct parser *ps, enum tok_kind op, enum node_kind kind,
                           size_t (*operand)(struct parser *))
{
    size_t left = operand(ps);
    while (!ps->failed && ps->tok.kind == op) {
        next(ps);
        size_t right = operand(ps);
        if (ps->failed) {
            return SIZE_MAX;
        }
        size_t i = new_node(ps, kind);
        if (ps->failed) {
            return SIZE_MAX;
        }
        ps->flt->nodes[i].left = left;
        ps->flt->nodes[i].right = right;
        left = i;
    }
    return left;
}

static size_t parse_and(struct parser *ps)
{
    return parse_binary(ps, T_AND, N_AND, parse_unary);
}

static size_t parse_or(struct parser *ps)
{
    return parse_binary(ps, T_OR, N_OR, parse_and);
}

struct filter *filter_compile(const char *expr, char *err, size_t errcap, size_t *column)
{
    struct parser ps;
    memset(&ps, 0, sizeof(ps));
    ps.s = expr;
    ps.flt = calloc(1, sizeof(*ps.flt));
    *column = 0;
    if (ps.flt == NULL) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    next(&ps);
    if (ps.tok.kind == T_END) {
        fail_at(&ps, ps.tok.pos, "empty expression");
    } else {
        ps.flt->root = parse_or(&ps);
        if (!ps.failed && ps.tok.kind != T_END) {
            fail_expected(&ps, "'and', 'or' or the end");
        }
    }
    if (ps.failed) {
        if (ps.err == NULL) {
            snprintf(err, errcap, "out of memory");
        } else {
            snprintf(err, errcap, "%s", ps.err);
            *column = ps.err_pos + 1;
        }
        filter_free(ps.flt);
        return NULL;
    }
    return ps.flt;
}

struct filter *filter_compile_option(const char *option, const char *expr)
{
    char err[200];
    size_t column;
    struct filter *flt = filter_compile(expr, err, sizeof(err), &column);
    if (flt == NULL) {
        if (column == 0) {
            errorf("%s: %s", option, err);
        } else {
            /* one line: the expression, its line breaks and tabs as spaces (the lexer's
             * whitespace, so the column stays right), with a caret before the column */
            char shown[512];
            snprintf(shown, sizeof(shown), "%s", expr);
            for (char *c = shown; *c != '\0'; c++) {
                *c = (unsigned char)*c < ' ' ? ' ' : *c;
            }
            int before = (int)(column - 1 < strlen(shown) ? column - 1 : strlen(shown));
            errorf("%s: column %zu: %s: %.*s^%s", option, column, err, before, shown,
                   shown + before);
        }
    }
    return flt;
}
