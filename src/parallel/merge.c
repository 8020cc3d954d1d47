/* The merger: the workers' records back in capture order (the ordinal each carries), events
 * rendered with the run's connection ids, frames written to -w's file, handshakes counted. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "capture/pcap_writer.h"
#include "checks/cert_check.h"
#include "conn.h"
#include "output/output.h"
#include "parallel/lanes.h"
#include "parallel/records.h"
#include "parallel/ring.h"

/* ------------------------------------------------------------------ connection ids */

/* (worker, worker's id) -> the run's id and the texts every line of it starts with: one
 * entry per connection that printed and has not closed, as many as one process keeps. */
struct id_entry {
    uint64_t key; /* local id * POOL_WORKERS_MAX + worker; 0: free */
    uint64_t id;
    char client_text[ENDPOINT_STR_MAX];
    char server_text[ENDPOINT_STR_MAX];
    char head[EVENT_HEAD_MAX];
    size_t head_len;
    size_t head_arrow;
    bool texts; /* the three above are made: at the first line rendered here (texts_of) */
};

struct id_map {
    struct id_entry *slots;
    size_t cap; /* a power of two */
    size_t used;
};

#define ID_MAP_FIRST 1024

struct id_map *id_map_new(void)
{
    struct id_map *m = calloc(1, sizeof(*m));
    if (m != NULL && (m->slots = calloc(ID_MAP_FIRST, sizeof(m->slots[0]))) == NULL) {
        free(m);
        return NULL;
    }
    if (m != NULL) {
        m->cap = ID_MAP_FIRST;
    }
    return m;
}

void id_map_free(struct id_map *m)
{
    if (m != NULL) {
        free(m->slots);
        free(m);
    }
}

static size_t home_of(const struct id_map *m, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (m->cap - 1);
}

static struct id_entry *find_slot(struct id_map *m, uint64_t key)
{
    size_t i = home_of(m, key);
    while (m->slots[i].key != 0 && m->slots[i].key != key) {
        i = (i + 1) & (m->cap - 1);
    }
    return &m->slots[i];
}

static bool grow(struct id_map *m)
{
    struct id_map bigger = {calloc(m->cap * 2, sizeof(m->slots[0])), m->cap * 2, m->used};
    if (bigger.slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key != 0) {
            *find_slot(&bigger, m->slots[i].key) = m->slots[i];
        }
    }
    free(m->slots);
    *m = bigger;
    return true;
}

/* Linear probing's deletion: the entries after the hole that may not be skipped move up. */
static void remove_slot(struct id_map *m, struct id_entry *e)
{
    size_t hole = (size_t)(e - m->slots);
    size_t i = hole;
    m->slots[hole].key = 0;
    for (;;) {
        i = (i + 1) & (m->cap - 1);
        if (m->slots[i].key == 0) {
            break;
        }
        size_t home = home_of(m, m->slots[i].key);
        bool movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
        if (movable) {
            m->slots[hole] = m->slots[i];
            m->slots[i].key = 0;
            hole = i;
        }
    }
    m->used--;
}

uint64_t id_map_open_of(const struct id_map *m, unsigned w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->cap; i++) {
        n += m->slots[i].key != 0 && m->slots[i].key % POOL_WORKERS_MAX == w;
    }
    return n;
}

/* The entry of a connection, made at its first line (NULL when out of memory). */
static struct id_entry *entry_of(struct pool *p, unsigned w, uint64_t local_id)
{
    struct id_map *m = p->ids;
    uint64_t key = local_id * POOL_WORKERS_MAX + w;
    struct id_entry *s = find_slot(m, key);
    if (s->key == key) {
        return s;
    }
    if ((m->used + 1) * 2 > m->cap) {
        if (!grow(m)) {
            return NULL;
        }
        s = find_slot(m, key);
    }
    s->key = key;
    s->id = ++p->c.env->next_id;
    s->texts = false;
    m->used++;
    return s;
}

/* The entry's endpoint texts and head, made when a line is first rendered here rather than by
 * its worker (most connections have none: their lines come rendered). */
static void texts_of(struct id_entry *s, const struct endpoint *client,
                     const struct endpoint *server)
{
    if (!s->texts) {
        endpoint_format(client, s->client_text, sizeof(s->client_text));
        endpoint_format(server, s->server_text, sizeof(s->server_text));
        s->head_len =
            out_event_head(s->id, s->client_text, s->server_text, s->head, &s->head_arrow);
        s->texts = true;
    }
}

/* ------------------------------------------------------------------ records */

/* 17 KiB: one, not on the stack of every call */
static struct fields rebuilt;

static void take_probe(struct lane *l, const unsigned char *rec)
{
    struct rec_probe probe;
    memcpy(&probe, rec, sizeof(probe));
    bool suspected = cert_check_interception_guess(probe.sni, probe.sni_len, probe.issuer,
                                                   probe.trusted);
    if (l->verdict == NULL) {
        l->verdict_number = calloc(VERDICTS_KEPT, sizeof(l->verdict_number[0]));
        l->verdict = calloc(VERDICTS_KEPT, sizeof(l->verdict[0]));
        if (l->verdict_number == NULL || l->verdict == NULL) {
            free(l->verdict_number);
            free(l->verdict);
            l->verdict_number = NULL;
            l->verdict = NULL;
            return;
        }
    }
    l->verdict_number[probe.number % VERDICTS_KEPT] = (uint32_t)probe.number;
    l->verdict[probe.number % VERDICTS_KEPT] = suspected;
}

/* interception=<probe number> becomes interception=suspected, or goes, as the guess says;
 * false when the line was made for the other verdict (one of a pair: conn.c) and goes. */
static bool settle_probe(const struct lane *l, size_t slot)
{
    struct field *fd = &rebuilt.f[slot];
    uint32_t number = (uint32_t)fd->num & CERT_PROBE_NUMBER_MAX;
    static const char suspected[] = "suspected";
    bool keep = l->verdict != NULL && l->verdict_number[number % VERDICTS_KEPT] == number &&
                l->verdict[number % VERDICTS_KEPT];
    if ((fd->num & CERT_PROBE_PAIRED) != 0 && keep != ((fd->num & CERT_PROBE_SUSPECTED) != 0)) {
        return false;
    }
    if (keep && rebuilt.used + sizeof(suspected) - 1 <= FIELDS_BUF) {
        fd->type = FIELD_TOKEN;
        fd->off = (uint32_t)rebuilt.used;
        fd->len = sizeof(suspected) - 1;
        memcpy(rebuilt.buf + rebuilt.used, suspected, fd->len);
        rebuilt.used += fd->len;
        return true;
    }
    memmove(&rebuilt.f[slot], &rebuilt.f[slot + 1], (rebuilt.n - slot - 1) * sizeof(*fd));
    rebuilt.n--;
    return true;
}

static void render_event(struct pool *p, unsigned w, const unsigned char *rec, size_t len)
{
    struct rec_event e;
    memcpy(&e, rec, sizeof(e));
    size_t slots = (size_t)e.n * sizeof(rebuilt.f[0]);
    if (e.n > FIELDS_MAX || e.used > FIELDS_BUF || len < sizeof(e) + slots + e.used) {
        return; /* cannot happen: a worker of this image wrote it */
    }
    rebuilt.event = e.event;
    static char name[sizeof(e.name)];
    memcpy(name, e.name, sizeof(name));
    name[sizeof(name) - 1] = '\0';
    rebuilt.name = e.has_name ? name : NULL;
    rebuilt.n = e.n;
    rebuilt.used = e.used;
    rebuilt.overflow = e.overflow;
    rebuilt.malformed = e.malformed;
    rebuilt.list_open = e.list_open;
    rebuilt.level = e.level;
    memcpy(rebuilt.f, rec + sizeof(e), slots);
    memcpy(rebuilt.buf, rec + sizeof(e) + slots, e.used);
    if (e.probe_slot != 0 && e.probe_slot <= e.n && !settle_probe(&p->lanes[w], e.probe_slot - 1)) {
        return; /* made for the verdict the guess did not give */
    }
    struct id_entry *s = entry_of(p, w, e.local_id);
    if (s == NULL || e.id_only) {
        return;
    }
    texts_of(s, &e.client, &e.server);
    struct event_prefix prefix = {{(time_t)e.sec, (suseconds_t)e.usec},
                                  s->id,
                                  &e.client,
                                  &e.server,
                                  (enum dir)e.dir,
                                  s->client_text,
                                  s->server_text,
                                  s->head,
                                  s->head_len,
                                  s->head_arrow};
    out_event(p->c.env->out, &prefix, &rebuilt);
    if (strcmp(e.event, "close") == 0) {
        remove_slot(p->ids, s);
    }
}

/* A line a worker rendered, with the run's id written where the worker's placeholder is. */
static void write_line(struct pool *p, unsigned w, const unsigned char *rec, size_t len)
{
    struct rec_line h;
    memcpy(&h, rec, sizeof(h));
    if (len < sizeof(h) + h.len || h.id_at + LINE_ID_DIGITS > h.len) {
        return; /* cannot happen: a worker of this image wrote it */
    }
    struct id_entry *s = entry_of(p, w, h.local_id);
    struct output *out = p->c.env->out;
    if (s == NULL || out->failed) {
        return;
    }
    const unsigned char *line = rec + sizeof(h);
    char digits[FIELDS_UINT_TEXT];
    size_t nd = fields_format_uint(s->id, digits);
    size_t cap;
    char *dst = out_line_begin(out, &cap);
    size_t n = h.len - LINE_ID_DIGITS + nd;
    if (n <= cap) {
        memcpy(dst, line, h.id_at);
        memcpy(dst + h.id_at, digits, nd);
        memcpy(dst + h.id_at + nd, line + h.id_at + LINE_ID_DIGITS,
               h.len - h.id_at - LINE_ID_DIGITS);
        out_line_end(out, n);
    }
    if (h.close) {
        remove_slot(p->ids, s);
    }
}

static void write_frame(struct pool *p, const unsigned char *rec, size_t len)
{
    struct rec_packet h;
    memcpy(&h, rec, sizeof(h));
    if (p->c.writer != NULL && len >= sizeof(h) + h.caplen) {
        struct timeval ts = {(time_t)h.sec, (suseconds_t)h.usec};
        writer_write_frame(p->c.writer, ts, h.wire_len, cur_make(rec + sizeof(h), h.caplen));
    }
}

static void process(struct pool *p, unsigned w, uint32_t type, const unsigned char *rec,
                    size_t len)
{
    switch (type) {
    case REC_EVENT:
        render_event(p, w, rec, len);
        break;
    case REC_FRAME:
        write_frame(p, rec, len);
        break;
    case REC_LINE:
        write_line(p, w, rec, len);
        break;
    case REC_PROBE:
        take_probe(&p->lanes[w], rec);
        break;
    case REC_ESTABLISHED:
        if (p->c.env->on_established != NULL) {
            p->c.env->on_established(p->c.env->hook_ctx);
        }
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ the merge */

struct head {
    const unsigned char *rec;
    uint32_t type;
    size_t len;
    uint64_t ordinal;
    uint64_t sub; /* events and frames: close_order_key; else 0 */
};

static bool before(const struct head *a, const struct head *b)
{
    return a->ordinal < b->ordinal || (a->ordinal == b->ordinal && a->sub < b->sub);
}

/* The lane's first record that is not a mark (marks are taken on the way), if any. */
static bool head_of(struct lane *l, struct head *h)
{
    for (;;) {
        h->rec = ring_peek(l->from_worker, &h->type, &h->len);
        if (h->rec == NULL) {
            return false;
        }
        memcpy(&h->ordinal, h->rec, sizeof(h->ordinal));
        h->sub = 0;
        _Static_assert(offsetof(struct rec_event, sub) == offsetof(struct rec_line, sub), "sub");
        if (h->type == REC_EVENT || h->type == REC_LINE) {
            memcpy(&h->sub, h->rec + offsetof(struct rec_event, sub), sizeof(h->sub));
        } else if (h->type == REC_FRAME) {
            memcpy(&h->sub, h->rec + offsetof(struct rec_packet, sub), sizeof(h->sub));
        }
        if (h->type == REC_DONE) {
            l->progress = h->ordinal;
        } else if (h->type == REC_BYE) {
            l->progress = UINT64_MAX;
            l->bye = true;
        } else {
            return true;
        }
        ring_release(l->from_worker);
    }
}

static void drain_lanes(struct pool *p);

void merge_drain(struct pool *p)
{
    drain_lanes(p);
    /* what was read is room again for the workers, which may be waiting for it */
    for (unsigned w = 0; w < p->n; w++) {
        ring_release_flush(p->lanes[w].from_worker);
    }
}

static void drain_lanes(struct pool *p)
{
    struct head heads[POOL_WORKERS_MAX];
    bool have[POOL_WORKERS_MAX];
    for (unsigned w = 0; w < p->n; w++) {
        have[w] = head_of(&p->lanes[w], &heads[w]);
    }
    for (;;) {
        unsigned best = p->n;
        for (unsigned w = 0; w < p->n; w++) {
            if (have[w] && (best == p->n || before(&heads[w], &heads[best]))) {
                best = w;
            }
        }
        if (best == p->n) {
            return;
        }
        uint64_t o = heads[best].ordinal;
        for (unsigned w = 0; w < p->n; w++) {
            struct lane *l = &p->lanes[w];
            /* another worker may still send something older, unless it said it is past o */
            if (w != best && !have[w] && !l->bye && !lane_dead(l) && l->progress < o) {
                return;
            }
        }
        process(p, best, heads[best].type, heads[best].rec, heads[best].len);
        ring_release(p->lanes[best].from_worker);
        have[best] = head_of(&p->lanes[best], &heads[best]);
    }
}
