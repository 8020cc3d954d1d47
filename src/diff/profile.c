/* hsdump diff's profiles (issue 20): each handshake summary (summary.h) is counted into the
 * profile of its server (or client, or JA4) as sets of values and counts, so that two
 * captures of any size compare in the memory of their distinct servers, not of their
 * handshakes; two profiles compare aspect by aspect, one line per aspect that changed. */
#include "diff/profile.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/fnv.h"

static const char *const aspect_names[ASPECT_COUNT] = {
    [ASPECT_VERSIONS] = "versions",
    [ASPECT_CIPHER_SUITES] = "cipher_suites",
    [ASPECT_GROUPS] = "groups",
    [ASPECT_SIGNATURE_SCHEMES] = "signature_schemes",
    [ASPECT_ALPN] = "alpn",
    [ASPECT_CERTIFICATE] = "certificate",
    [ASPECT_FLOWS] = "flows",
    [ASPECT_TICKETS_ISSUED] = "tickets_issued",
    [ASPECT_TICKET_LIFETIME] = "ticket_lifetime",
    [ASPECT_HRR] = "hrr",
    [ASPECT_FAILURES] = "failures",
    [ASPECT_OFFERED_VERSIONS] = "offered_versions",
    [ASPECT_OFFERED_CIPHER_SUITES] = "offered_cipher_suites",
    [ASPECT_OFFERED_GROUPS] = "offered_groups",
    [ASPECT_OFFERED_ALPN] = "offered_alpn",
    [ASPECT_JA4] = "ja4",
};

static const char *const by_names[] = {"server", "client", "ja4"};

/* Separates the items of one certificate's description inside one set value. */
#define ITEM_SEP '\x1f'

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n == 0 ? 1 : n);
    if (p == NULL) {
        abort(); /* out of memory */
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL) {
        abort();
    }
    return d;
}

const char *profile_aspect_name(enum profile_aspect a)
{
    return a < ASPECT_COUNT ? aspect_names[a] : "?";
}

bool profile_aspect_parse(const char *name, enum profile_aspect *a)
{
    for (size_t i = 0; i < ASPECT_COUNT; i++) {
        if (strcmp(name, aspect_names[i]) == 0) {
            *a = (enum profile_aspect)i;
            return true;
        }
    }
    return false;
}

bool profile_aspect_applies(enum profile_aspect a, enum profile_by by)
{
    if (a == ASPECT_JA4) {
        return by != PROFILE_BY_JA4; /* there it is the profile's name */
    }
    bool client_side = a >= ASPECT_OFFERED_VERSIONS && a <= ASPECT_OFFERED_ALPN;
    return client_side == (by != PROFILE_BY_SERVER);
}

bool profile_by_parse(const char *name, enum profile_by *by)
{
    for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
        if (strcmp(name, by_names[i]) == 0) {
            *by = (enum profile_by)i;
            return true;
        }
    }
    return false;
}

const char *profile_by_name(enum profile_by by)
{
    return by_names[by];
}

/* ---- building ---- */

void profile_set_init(struct profile_set *ps, enum profile_by by)
{
    memset(ps, 0, sizeof(*ps));
    ps->by = by;
}

static void profile_free(struct profile *p)
{
    for (size_t a = 0; a < ASPECT_COUNT; a++) {
        for (size_t i = 0; i < p->values[a].n; i++) {
            free(p->values[a].v[i]);
        }
        free(p->values[a].v);
        free(p->values[a].count);
    }
    free(p->name);
    free(p);
}

void profile_set_free(struct profile_set *ps)
{
    for (size_t i = 0; i < ps->cap; i++) {
        if (ps->table[i] != NULL) {
            profile_free(ps->table[i]);
        }
    }
    free(ps->table);
    memset(ps, 0, sizeof(*ps));
}

static size_t name_slot(struct profile *const *table, size_t cap, const char *name)
{
    size_t j = (size_t)fnv1a64(FNV1A64_BASIS, name, strlen(name)) & (cap - 1);
    while (table[j] != NULL && strcmp(table[j]->name, name) != 0) {
        j = (j + 1) & (cap - 1);
    }
    return j;
}

static void grow(struct profile_set *ps)
{
    size_t cap = ps->cap == 0 ? 64 : 2 * ps->cap;
    struct profile **t = xmalloc(cap * sizeof(*t));
    for (size_t i = 0; i < ps->cap; i++) {
        if (ps->table[i] != NULL) {
            t[name_slot(t, cap, ps->table[i]->name)] = ps->table[i];
        }
    }
    free(ps->table);
    ps->table = t;
    ps->cap = cap;
}

const struct profile *profile_find(const struct profile_set *ps, const char *name)
{
    return ps->cap == 0 ? NULL : ps->table[name_slot(ps->table, ps->cap, name)];
}

static struct profile *profile_get(struct profile_set *ps, const char *name)
{
    if (4 * (ps->n + 1) > 3 * ps->cap) {
        grow(ps);
    }
    size_t j = name_slot(ps->table, ps->cap, name);
    if (ps->table[j] == NULL) {
        if (ps->n >= PROFILE_MAX_PROFILES && strcmp(name, PROFILE_OTHER) != 0) {
            return profile_get(ps, PROFILE_OTHER); /* made past the cap, once */
        }
        ps->table[j] = xmalloc(sizeof(struct profile));
        ps->table[j]->name = xstrdup(name);
        ps->n++;
    }
    return ps->table[j];
}

static void count_value(struct profile_values *pv, const char *value)
{
    for (size_t i = 0; i < pv->n; i++) {
        if (strcmp(pv->v[i], value) == 0) {
            pv->count[i]++;
            return;
        }
    }
    if (pv->n == PROFILE_MAX_VALUES) {
        pv->other++;
        return;
    }
    if (pv->n == pv->cap) {
        pv->cap = pv->cap == 0 ? 2 : 2 * pv->cap;
        pv->v = realloc(pv->v, pv->cap * sizeof(*pv->v));
        pv->count = realloc(pv->count, pv->cap * sizeof(*pv->count));
        if (pv->v == NULL || pv->count == NULL) {
            abort(); /* out of memory */
        }
    }
    pv->v[pv->n] = xstrdup(value);
    pv->count[pv->n++] = 1;
}

static const char *scalar(const struct summary *s, const char *name)
{
    const struct summary_item *it = summary_find(s, name);
    return it != NULL && it->n == 1 ? it->values[0] : NULL;
}

static void count_scalar(struct profile *p, enum profile_aspect a, const char *value)
{
    if (value != NULL) {
        count_value(&p->values[a], value);
    }
}

/* Every item of a list field. */
static void count_items(struct profile *p, enum profile_aspect a, const struct summary *s,
                        const char *name)
{
    const struct summary_item *it = summary_find(s, name);
    for (size_t i = 0; it != NULL && i < it->n; i++) {
        count_value(&p->values[a], it->values[i]);
    }
}

static void append(char **buf, size_t *len, const char *prefix, const char *value)
{
    size_t add = strlen(prefix) + strlen(value) + 1;
    char *b = realloc(*buf, *len + add + 1);
    if (b == NULL) {
        abort();
    }
    if (*len > 0) {
        b[(*len)++] = ITEM_SEP;
    }
    *len += (size_t)sprintf(b + *len, "%s%s", prefix, value);
    *buf = b;
}

/* The server's certificate as one value: key, signature algorithm, subject, issuer, SANs,
 * not_after (the day), the first 16 hex digits of its SHA-256 and the chain length; for an
 * encrypted TLS 1.3 chain, the size of the record inferred to carry it. NULL: none seen. */
static char *certificate(const struct summary *s)
{
    char *buf = NULL;
    size_t len = 0;
    const char *chain = scalar(s, "chain_length");
    if (chain != NULL) {
        static const char *const attrs[][2] = {
            {"cert0.key", ""}, {"signature", ""}, {"cert0.subject", ""}, {"cert0.issuer", "issuer:"},
        };
        for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
            const char *v = i == 1 ? s->extra.cert_signature : scalar(s, attrs[i][0]);
            if (v != NULL) {
                append(&buf, &len, attrs[i][1], v);
            }
        }
        const struct summary_item *san = summary_find(s, "cert0.san_dns");
        for (size_t i = 0; san != NULL && i < san->n; i++) {
            append(&buf, &len, "san:", san->values[i]);
        }
        const char *not_after = scalar(s, "cert0.not_after");
        if (not_after != NULL) {
            char day[11];
            snprintf(day, sizeof(day), "%s", not_after);
            append(&buf, &len, "not_after:", day);
        }
        const char *sha = scalar(s, "cert0.sha256");
        if (sha != NULL) {
            char head[17];
            snprintf(head, sizeof(head), "%s", sha);
            append(&buf, &len, "sha256:", head);
        }
        append(&buf, &len, "chain:", chain);
    } else if (s->extra.cert_record_size >= 0) {
        char size[32];
        snprintf(size, sizeof(size), "%ld", s->extra.cert_record_size);
        append(&buf, &len, "certificate_record_size:", size);
    }
    return buf;
}

static bool has_item(const struct summary *s, const char *name, const char *value)
{
    const struct summary_item *it = summary_find(s, name);
    for (size_t i = 0; it != NULL && i < it->n; i++) {
        if (strcmp(it->values[i], value) == 0) {
            return true;
        }
    }
    return false;
}

/* The ALPN protocol chosen, "none" when the message that would carry it came without, NULL
 * when unseen: TLS 1.3 chooses in EncryptedExtensions, encrypted without keys. */
static const char *alpn_chosen(const struct summary *s, const char *suite)
{
    const char *alpn = scalar(s, "alpn_chosen");
    if (alpn != NULL || s->extra.ee_alpn != NULL) {
        return alpn != NULL ? alpn : s->extra.ee_alpn;
    }
    const char *version = scalar(s, "version");
    bool tls13 = version != NULL && strcmp(version, "TLSv1.3") == 0;
    if (s->extra.saw_ee || (suite != NULL && !tls13)) {
        return "none";
    }
    return NULL;
}

static const char *profile_name(const struct profile_set *ps, const struct summary *s,
                                char *buf, size_t cap)
{
    switch (ps->by) {
    case PROFILE_BY_CLIENT:
        return s->extra.client != NULL ? s->extra.client : "unknown";
    case PROFILE_BY_JA4:
        return s->keys[SUMMARY_KEY_CLIENT_HELLO];
    case PROFILE_BY_SERVER:
    default: {
        const char *starttls = scalar(s, "starttls");
        if (starttls == NULL) {
            return s->keys[SUMMARY_KEY_SNI];
        }
        snprintf(buf, cap, "%s/%s", s->keys[SUMMARY_KEY_SNI], starttls);
        return buf;
    }
    }
}

void profile_add(struct profile_set *ps, const struct summary *s)
{
    char name[600];
    struct profile *p = profile_get(ps, profile_name(ps, s, name, sizeof(name)));
    p->handshakes++;
    ps->handshakes++;
    const char *suite = scalar(s, "cipher_suite");
    count_scalar(p, ASPECT_VERSIONS, scalar(s, "version"));
    count_scalar(p, ASPECT_CIPHER_SUITES, suite);
    count_scalar(p, ASPECT_GROUPS, scalar(s, "group"));
    count_scalar(p, ASPECT_SIGNATURE_SCHEMES, s->extra.signature_scheme);
    count_scalar(p, ASPECT_ALPN, alpn_chosen(s, suite));
    char *cert = certificate(s);
    count_scalar(p, ASPECT_CERTIFICATE, cert);
    free(cert);
    const char *status = scalar(s, "status");
    bool failed = status != NULL && strcmp(status, "failed") == 0;
    if (!failed) { /* a failed handshake has no flow to speak of: failures counts it */
        count_scalar(p, ASPECT_FLOWS, scalar(s, "flow"));
    }
    if (s->extra.tickets > 0 || has_item(s, "flags", "ticket_issued")) {
        p->tickets_issued++;
    }
    count_scalar(p, ASPECT_TICKET_LIFETIME, s->extra.ticket_lifetime);
    if (summary_find(s, "hrr_group") != NULL) {
        p->hrr++;
    }
    if (failed) {
        p->failures++;
        count_value(&p->values[ASPECT_FAILURES],
                    s->extra.cause != NULL ? s->extra.cause : "unknown");
    }
    if (summary_find(s, "offered_versions") != NULL) {
        count_items(p, ASPECT_OFFERED_VERSIONS, s, "offered_versions");
    } else {
        count_scalar(p, ASPECT_OFFERED_VERSIONS, scalar(s, "offered_legacy_version"));
    }
    count_items(p, ASPECT_OFFERED_CIPHER_SUITES, s, "offered_cipher_suites");
    count_items(p, ASPECT_OFFERED_GROUPS, s, "groups");
    count_items(p, ASPECT_OFFERED_ALPN, s, "alpn_offered");
    count_scalar(p, ASPECT_JA4, scalar(s, "ja4"));
}

void profile_sink(const struct summary *s, void *ctx)
{
    profile_add(ctx, s);
}

/* ---- comparing ---- */

/* One side's value of an aspect: items (in the form values are kept) and, for failures,
 * the causes. */
struct value {
    char **items;
    size_t n;
    char *owned; /* the text items point into, if any */
};

static void value_push(struct value *v, char *item)
{
    char **items = realloc(v->items, (v->n + 1) * sizeof(*items));
    if (items == NULL) {
        abort();
    }
    items[v->n++] = item;
    v->items = items;
}

static void value_free(struct value *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i]);
    }
    free(v->items);
    memset(v, 0, sizeof(*v));
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct values, sorted. */
static char **sorted_values(const struct profile_values *pv)
{
    char **v = xmalloc((pv->n + 1) * sizeof(*v));
    for (size_t i = 0; i < pv->n; i++) {
        v[i] = pv->v[i];
    }
    qsort(v, pv->n, sizeof(*v), str_cmp);
    return v;
}

/* All values counted (the handshakes with a flow, for flows). */
static size_t total(const struct profile_values *pv)
{
    size_t t = pv->other;
    for (size_t i = 0; i < pv->n; i++) {
        t += pv->count[i];
    }
    return t;
}

static unsigned percent(size_t part, size_t whole)
{
    return whole == 0 ? 0 : (unsigned)((100 * part + whole / 2) / whole);
}

static char *printf_dup(const char *fmt, size_t a, size_t b, unsigned pct)
{
    char buf[96];
    if (fmt[0] == 's') { /* share: 50%(1/2) */
        snprintf(buf, sizeof(buf), "%u%%(%zu/%zu)", pct, a, b);
    } else { /* ratio: 1/2 */
        snprintf(buf, sizeof(buf), "%zu/%zu", a, b);
    }
    return xstrdup(buf);
}

/* The text of a set aspect: its values sorted (a certificate's description split into its
 * items, two certificates apart by an item "|"), "other" when some were not kept, "none"
 * when empty. Flows get their share each, as full:50%(1). */
static struct value set_value(const struct profile *p, enum profile_aspect a)
{
    const struct profile_values *pv = &p->values[a];
    struct value v = {0};
    char **sorted = sorted_values(pv);
    for (size_t i = 0; i < pv->n; i++) {
        if (a == ASPECT_CERTIFICATE) {
            if (i > 0) {
                value_push(&v, xstrdup("|"));
            }
            const char *s = sorted[i];
            while (true) {
                const char *sep = strchr(s, ITEM_SEP);
                size_t len = sep != NULL ? (size_t)(sep - s) : strlen(s);
                char *item = xmalloc(len + 1);
                memcpy(item, s, len);
                value_push(&v, item);
                if (sep == NULL) {
                    break;
                }
                s = sep + 1;
            }
        } else if (a == ASPECT_FLOWS) {
            size_t k = 0;
            while (pv->v[k] != sorted[i]) {
                k++;
            }
            char buf[64];
            snprintf(buf, sizeof(buf), "%u%%(%zu)", percent(pv->count[k], total(pv)),
                     pv->count[k]);
            char *item = xmalloc(strlen(sorted[i]) + strlen(buf) + 2);
            sprintf(item, "%s:%s", sorted[i], buf);
            value_push(&v, item);
        } else {
            value_push(&v, xstrdup(sorted[i]));
        }
    }
    free(sorted);
    if (pv->other > 0) {
        value_push(&v, xstrdup("other"));
    }
    if (v.n == 0) {
        value_push(&v, xstrdup("none"));
    }
    return v;
}

static bool same_set(const struct profile_values *a, const struct profile_values *b)
{
    if (a->n != b->n || (a->other > 0) != (b->other > 0)) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        size_t j = 0;
        while (j < b->n && strcmp(a->v[i], b->v[j]) != 0) {
            j++;
        }
        if (j == b->n) {
            return false;
        }
    }
    return true;
}

/* A share changed: it appeared, vanished or moved by PROFILE_SHARE_POINTS or more. */
static bool share_changed(size_t pa, size_t na, size_t pb, size_t nb)
{
    if ((pa == 0) != (pb == 0)) {
        return true;
    }
    unsigned x = percent(pa, na), y = percent(pb, nb);
    return (x > y ? x - y : y - x) >= PROFILE_SHARE_POINTS;
}

static size_t count_of(const struct profile_values *pv, const char *value)
{
    for (size_t i = 0; i < pv->n; i++) {
        if (strcmp(pv->v[i], value) == 0) {
            return pv->count[i];
        }
    }
    return 0;
}

static bool flows_changed(const struct profile *a, const struct profile *b)
{
    const struct profile_values *fa = &a->values[ASPECT_FLOWS], *fb = &b->values[ASPECT_FLOWS];
    if (!same_set(fa, fb)) {
        return true;
    }
    for (size_t i = 0; i < fa->n; i++) {
        if (share_changed(fa->count[i], total(fa), count_of(fb, fa->v[i]), total(fb))) {
            return true;
        }
    }
    return false;
}

static size_t share_count(const struct profile *p, enum profile_aspect a)
{
    return a == ASPECT_TICKETS_ISSUED ? p->tickets_issued : a == ASPECT_HRR ? p->hrr : p->failures;
}

/* Whether a certificate set holds a plaintext chain (else record sizes only). */
static bool has_chain(const struct profile *p)
{
    const struct profile_values *pv = &p->values[ASPECT_CERTIFICATE];
    for (size_t i = 0; i < pv->n; i++) {
        if (strncmp(pv->v[i], "certificate_record_size:", 24) != 0) {
            return true;
        }
    }
    return false;
}

/* A chain seen on one side and only an encrypted record's size on the other (TLS 1.2 against
 * TLS 1.3 without keys) are not compared: the versions line says what changed. */
static bool comparable_certificates(const struct profile *a, const struct profile *b)
{
    const struct profile_values *ca = &a->values[ASPECT_CERTIFICATE];
    const struct profile_values *cb = &b->values[ASPECT_CERTIFICATE];
    return ca->n > 0 && cb->n > 0 && has_chain(a) == has_chain(b);
}

/* Whether the aspect differs between a and b, and if so both values. */
static bool aspect_changed(const struct profile *a, const struct profile *b,
                           enum profile_aspect asp, struct value *va, struct value *vb)
{
    bool changed;
    switch (asp) {
    case ASPECT_FLOWS:
        /* all failed on one side: the failures line says so */
        changed = a->values[asp].n > 0 && b->values[asp].n > 0 && flows_changed(a, b);
        break;
    case ASPECT_TICKETS_ISSUED:
    case ASPECT_HRR:
    case ASPECT_FAILURES: {
        size_t ca = share_count(a, asp), cb = share_count(b, asp);
        changed = share_changed(ca, a->handshakes, cb, b->handshakes) ||
                  (asp == ASPECT_FAILURES && !same_set(&a->values[asp], &b->values[asp]));
        if (changed) {
            const char *fmt = asp == ASPECT_FAILURES ? "ratio" : "share";
            value_push(va, printf_dup(fmt, ca, a->handshakes, percent(ca, a->handshakes)));
            value_push(vb, printf_dup(fmt, cb, b->handshakes, percent(cb, b->handshakes)));
        }
        return changed;
    }
    case ASPECT_CERTIFICATE:
        changed = comparable_certificates(a, b) && !same_set(&a->values[asp], &b->values[asp]);
        break;
    case ASPECT_OFFERED_VERSIONS:
    case ASPECT_OFFERED_CIPHER_SUITES:
    case ASPECT_OFFERED_GROUPS:
    case ASPECT_OFFERED_ALPN:
        /* a ClientHello is in clear: nothing offered is "none" */
        changed = !same_set(&a->values[asp], &b->values[asp]);
        break;
    default:
        /* Unseen is not "none" (a TLS 1.3 value encrypted without keys, every handshake
         * failing before it): a set is compared when both sides saw a value. */
        changed = a->values[asp].n + a->values[asp].other > 0 &&
                  b->values[asp].n + b->values[asp].other > 0 &&
                  !same_set(&a->values[asp], &b->values[asp]);
        break;
    }
    if (changed) {
        *va = set_value(a, asp);
        *vb = set_value(b, asp);
    }
    return changed;
}

/* ---- writing ---- */

static void put_text(FILE *fp, char *const *items, size_t n, bool is_list)
{
    summary_put_text_value(fp, items, n, is_list);
}

/* Items joined by commas, for JSON. */
static char *joined(const struct value *v)
{
    size_t len = 1;
    for (size_t i = 0; i < v->n; i++) {
        len += strlen(v->items[i]) + 1;
    }
    char *s = xmalloc(len);
    for (size_t i = 0; i < v->n; i++) {
        if (i > 0) {
            strcat(s, ",");
        }
        strcat(s, v->items[i]);
    }
    return s;
}

/* One line built in memory and written with one call; false once out failed. */
static bool emit(FILE *out, char *buf, size_t len)
{
    bool ok = fwrite(buf, 1, len, out) == len && !ferror(out);
    free(buf);
    return ok;
}

static bool emit_json(FILE *out, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    if (s == NULL) {
        abort();
    }
    size_t len = strlen(s);
    char *line = xmalloc(len + 2);
    memcpy(line, s, len);
    line[len] = '\n';
    free(s);
    return emit(out, line, len + 1);
}

static FILE *line_open(char **buf, size_t *len)
{
    FILE *fp = open_memstream(buf, len);
    if (fp == NULL) {
        abort();
    }
    return fp;
}

static bool line_close(FILE *fp, char **buf, size_t *len, FILE *out)
{
    fputc('\n', fp);
    fclose(fp);
    return emit(out, *buf, *len);
}

static bool write_aspect(FILE *out, const struct profile_report *r, const char *profile,
                         enum profile_aspect asp, struct value *va, struct value *vb,
                         const struct profile *pb, const struct profile *pa)
{
    /* failures: the causes of the side that fails, B's first */
    const struct profile *failing = pb->failures > 0 ? pb : pa;
    struct value causes = {0};
    if (asp == ASPECT_FAILURES && failing->failures > 0) {
        causes = set_value(failing, ASPECT_FAILURES);
    }
    bool ok;
    if (r->json) {
        json_t *j = json_object();
        json_object_set_new(j, "profile", json_string(profile));
        json_object_set_new(j, "aspect", json_string(profile_aspect_name(asp)));
        char *a = joined(va), *b = joined(vb);
        json_object_set_new(j, "a", json_string(a));
        json_object_set_new(j, "b", json_string(b));
        free(a);
        free(b);
        if (causes.n > 0) {
            char *c = joined(&causes);
            json_object_set_new(j, "cause", json_string(c));
            free(c);
        }
        ok = emit_json(out, j);
    } else {
        char *buf;
        size_t len;
        FILE *fp = line_open(&buf, &len);
        char *name = (char *)profile;
        put_text(fp, &name, 1, false);
        fprintf(fp, " %s ", profile_aspect_name(asp));
        put_text(fp, va->items, va->n, true);
        fputs(" -> ", fp);
        put_text(fp, vb->items, vb->n, true);
        if (causes.n > 0) {
            fputs(" cause=", fp);
            put_text(fp, causes.items, causes.n, true);
        }
        ok = line_close(fp, &buf, &len, out);
    }
    value_free(&causes);
    return ok;
}

static bool write_only(FILE *out, const struct profile_report *r, const struct profile *p,
                       const char *side)
{
    if (r->json) {
        json_t *j = json_object();
        json_object_set_new(j, "profile", json_string(p->name));
        json_object_set_new(j, "only_in", json_string(side));
        json_object_set_new(j, "handshakes", json_integer((json_int_t)p->handshakes));
        return emit_json(out, j);
    }
    char *buf;
    size_t len;
    FILE *fp = line_open(&buf, &len);
    char *name = p->name;
    put_text(fp, &name, 1, false);
    fprintf(fp, " only_in %s handshakes=%zu", side, p->handshakes);
    return line_close(fp, &buf, &len, out);
}

static bool write_totals(FILE *out, const struct profile_report *r, const struct profile_set *a,
                         const struct profile_set *b, const struct profile_counts *c)
{
    if (r->json) {
        json_t *j = json_object();
        json_object_set_new(j, "event", json_string("diff"));
        json_object_set_new(j, "a", json_string(r->name_a));
        json_object_set_new(j, "b", json_string(r->name_b));
        json_object_set_new(j, "by", json_string(profile_by_name(a->by)));
        json_object_set_new(j, "profiles", json_integer((json_int_t)c->profiles));
        json_object_set_new(j, "changed", json_integer((json_int_t)c->changed));
        json_object_set_new(j, "aspects", json_integer((json_int_t)c->lines));
        json_object_set_new(j, "only_a", json_integer((json_int_t)c->only_a));
        json_object_set_new(j, "only_b", json_integer((json_int_t)c->only_b));
        json_object_set_new(j, "handshakes_a", json_integer((json_int_t)a->handshakes));
        json_object_set_new(j, "handshakes_b", json_integer((json_int_t)b->handshakes));
        return emit_json(out, j);
    }
    char *buf;
    size_t len;
    FILE *fp = line_open(&buf, &len);
    char *na = (char *)r->name_a, *nb = (char *)r->name_b;
    fputs("diff a=", fp);
    put_text(fp, &na, 1, false);
    fputs(" b=", fp);
    put_text(fp, &nb, 1, false);
    fprintf(fp,
            " by=%s profiles=%zu changed=%zu aspects=%zu only_a=%zu only_b=%zu"
            " handshakes_a=%zu handshakes_b=%zu",
            profile_by_name(a->by), c->profiles, c->changed, c->lines, c->only_a, c->only_b,
            a->handshakes, b->handshakes);
    return line_close(fp, &buf, &len, out);
}

static int profile_cmp(const void *pa, const void *pb)
{
    const struct profile *a = *(const struct profile *const *)pa;
    const struct profile *b = *(const struct profile *const *)pb;
    return strcmp(a->name, b->name);
}

/* The profiles of a set sorted by name. */
static const struct profile **sorted_profiles(const struct profile_set *ps)
{
    const struct profile **v = xmalloc((ps->n + 1) * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < ps->cap; i++) {
        if (ps->table[i] != NULL) {
            v[n++] = ps->table[i];
        }
    }
    qsort(v, n, sizeof(*v), profile_cmp);
    return v;
}

/* Walks both sorted lists; with out NULL only counts. */
static bool compare_all(const struct profile_set *a, const struct profile_set *b,
                        const struct profile *const *sa, const struct profile *const *sb,
                        const struct profile_report *r, FILE *out, struct profile_counts *c)
{
    size_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        int cmp = strcmp(sa[i]->name, sb[j]->name);
        if (cmp != 0) {
            cmp < 0 ? i++ : j++;
            continue;
        }
        c->profiles++;
        bool any = false;
        for (size_t k = 0; k < ASPECT_COUNT; k++) {
            enum profile_aspect asp = (enum profile_aspect)k;
            struct value va = {0}, vb = {0};
            if (!profile_aspect_applies(asp, a->by) ||
                (r->selected != NULL && !r->selected(asp, r->selected_ctx)) ||
                !aspect_changed(sa[i], sb[j], asp, &va, &vb)) {
                continue;
            }
            any = true;
            c->lines++;
            bool ok = out == NULL || write_aspect(out, r, sa[i]->name, asp, &va, &vb, sb[j], sa[i]);
            value_free(&va);
            value_free(&vb);
            if (!ok) {
                return false;
            }
        }
        c->changed += any;
        i++;
        j++;
    }
    return true;
}

static bool write_only_all(const struct profile_set *a, const struct profile_set *b,
                           const struct profile *const *sa, const struct profile *const *sb,
                           const struct profile_report *r, FILE *out, struct profile_counts *c)
{
    for (size_t i = 0; i < a->n; i++) {
        if (profile_find(b, sa[i]->name) == NULL) {
            c->only_a++;
            if (out != NULL && !write_only(out, r, sa[i], "a")) {
                return false;
            }
        }
    }
    for (size_t j = 0; j < b->n; j++) {
        if (profile_find(a, sb[j]->name) == NULL) {
            c->only_b++;
            if (out != NULL && !write_only(out, r, sb[j], "b")) {
                return false;
            }
        }
    }
    return true;
}

int profile_compare(const struct profile_set *a, const struct profile_set *b,
                    const struct profile_report *r, FILE *out, struct profile_counts *counts)
{
    const struct profile **sa = sorted_profiles(a), **sb = sorted_profiles(b);
    struct profile_counts c = {0};
    compare_all(a, b, sa, sb, r, NULL, &c);
    write_only_all(a, b, sa, sb, r, NULL, &c);
    int status = c.lines == 0 && c.only_a == 0 && c.only_b == 0 ? 0 : 1;
    if (status != 0 && out != NULL) {
        struct profile_counts w = {0};
        (void)(compare_all(a, b, sa, sb, r, out, &w) &&
               write_only_all(a, b, sa, sb, r, out, &w) && write_totals(out, r, a, b, &c));
    }
    free(sa);
    free(sb);
    if (counts != NULL) {
        *counts = c;
    }
    return status;
}
