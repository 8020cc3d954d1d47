/* The table of TCP connections by 4-tuple and the choice of their path (paths.h). A tuple
 * whose SYN goes by is libnids'; libnids follows it only if it also sees the SYN/ACK, in
 * order, then the first bytes of each side. What libnids would drop without a word goes to
 * the keyless path instead, decided here on the packet that shows it:
 * - payload before any SYN/ACK (the server's side not captured, or its SYN/ACK lost);
 * - a SYN/ACK, or payload, on a tuple without a SYN (the start not captured);
 * - a second SYN/ACK with another initial sequence number before the handshake completed
 *   (libnids keeps the first, and the client's ACK of the other never matches);
 * - a first payload segment that starts past its side's initial sequence number + 1
 *   (libnids would wait for the missing bytes forever), while nothing was delivered yet.
 * Open addressing with a per-run seed, grown at half full; a slot holds the path and the
 * follower's entry, so a packet of a connection past its handshake touches one slot. */
#include "tcp/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "age_list.h"
#include "stats.h"
#include "tcp/bypass.h"
#include "tcp/partial.h"
#include "tcp/reassembly.h"

#define INITIAL_SLOTS 1024

/* A libnids connection as the table sees it: its TCP handshake, and its place in the list
 * of those not yet established or the list of those closed (both bounded). */
struct nids_conn {
    struct tuple_key key;
    struct age_link age;
    bool on_closed; /* which list age is on, if any */
    bool on_pending;
    bool established;
    bool synack_seen;
    bool syn_data; /* the SYN carried bytes (TCP Fast Open): its first data seq differs */
    uint8_t client_sender;
    uint32_t isn[2]; /* by sender */
    struct timeval syn_ts; /* its first SYN: the connection's start= */
};

struct path_slot {
    struct tuple_key key;
    uint8_t path; /* enum tcp_path; PATH_NONE: empty */
    /* PATH_LIBNIDS: the first payload went by the checks, so that later packets need not
     * read the nids_conn */
    bool checked;
    void *follower; /* struct nids_conn, bypass_flow or partial_conn by path */
};

struct tcp_paths {
    struct conn_env *env;
    struct bypass *bypass;
    struct partial *partial;
    struct path_slot *slots;
    size_t mask; /* slots - 1 */
    size_t n;
    uint32_t seed;
    struct age_list pending; /* libnids connections before JUST_EST, oldest first */
    size_t n_pending;
    size_t max_pending;
    struct age_list closed; /* ended libnids connections, oldest first */
    size_t n_closed;
};

static size_t home_of(const struct tcp_paths *p, const struct tuple_key *k)
{
    return tuple_key_hash(k, p->seed) & p->mask;
}

/* The slot of k, or the empty slot where it would go. */
static struct path_slot *slot_of(const struct tcp_paths *p, const struct tuple_key *k)
{
    for (size_t i = home_of(p, k);; i = (i + 1) & p->mask) {
        struct path_slot *s = &p->slots[i];
        if (s->path == PATH_NONE || tuple_key_equal(&s->key, k)) {
            return s;
        }
    }
}

static bool grow(struct tcp_paths *p)
{
    size_t old_count = p->mask + 1;
    struct path_slot *old = p->slots;
    struct path_slot *slots = calloc(old_count * 2, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    p->slots = slots;
    p->mask = old_count * 2 - 1;
    for (size_t i = 0; i < old_count; i++) {
        if (old[i].path != PATH_NONE) {
            *slot_of(p, &old[i].key) = old[i];
        }
    }
    free(old);
    return true;
}

/* A new slot for k (not in the table); NULL when out of memory. */
static struct path_slot *insert(struct tcp_paths *p, const struct tuple_key *k,
                                enum tcp_path path, void *follower)
{
    if ((p->n + 1) * 2 > p->mask + 1 && !grow(p)) {
        return NULL;
    }
    struct path_slot *s = slot_of(p, k);
    s->key = *k;
    s->path = (uint8_t)path;
    s->checked = false;
    s->follower = follower;
    p->n++;
    return s;
}

/* Backward-shift deletion keeps every probe sequence unbroken without tombstones. */
static void remove_slot(struct tcp_paths *p, struct path_slot *gone)
{
    size_t hole = (size_t)(gone - p->slots);
    for (size_t i = (hole + 1) & p->mask; p->slots[i].path != PATH_NONE; i = (i + 1) & p->mask) {
        size_t home = home_of(p, &p->slots[i].key);
        /* the entry at i may move to the hole unless its home lies in (hole, i] */
        if (((i - home) & p->mask) >= ((i - hole) & p->mask)) {
            p->slots[hole] = p->slots[i];
            hole = i;
        }
    }
    p->slots[hole].path = PATH_NONE;
    p->slots[hole].follower = NULL;
    p->n--;
}

static struct path_slot *find(const struct tcp_paths *p, const struct tuple_key *k)
{
    struct path_slot *s = slot_of(p, k);
    return s->path != PATH_NONE ? s : NULL;
}

/* ---- libnids' connections */

static void unlist(struct tcp_paths *p, struct nids_conn *nc)
{
    if (nc->on_pending) {
        age_list_remove(&p->pending, &nc->age);
        p->n_pending--;
    } else if (nc->on_closed) {
        age_list_remove(&p->closed, &nc->age);
        p->n_closed--;
    }
    nc->on_pending = nc->on_closed = false;
}

/* Drops a libnids connection's slot and entry. */
static void drop_nids(struct tcp_paths *p, struct nids_conn *nc)
{
    struct path_slot *s = find(p, &nc->key);
    unlist(p, nc);
    if (s != NULL && s->follower == nc) {
        remove_slot(p, s);
    }
    free(nc);
}

/* A SYN went by on k: a new libnids connection, listed as not yet established (the oldest
 * of those is forgotten past --max-conns, as libnids itself evicts). */
static void nids_start(struct tcp_paths *p, struct path_slot *slot, const struct tuple_key *k,
                       uint8_t sender, const struct segment *s, struct timeval ts)
{
    struct nids_conn *nc;
    if (slot != NULL && (slot->path == PATH_LIBNIDS || slot->path == PATH_CLOSED)) {
        nc = slot->follower;
        unlist(p, nc);
    } else {
        nc = calloc(1, sizeof(*nc));
        if (nc == NULL) {
            return; /* libnids still gets it; the table just does not know it */
        }
        nc->key = *k;
        slot = insert(p, k, PATH_LIBNIDS, nc);
        if (slot == NULL) {
            free(nc);
            return;
        }
    }
    slot->path = PATH_LIBNIDS;
    slot->checked = false;
    memset(&nc->age, 0, sizeof(nc->age));
    nc->established = nc->synack_seen = false;
    nc->client_sender = sender;
    nc->syn_ts = ts;
    nc->isn[sender] = s->seq;
    nc->syn_data = cur_len(s->payload) > 0;
    age_list_append(&p->pending, &nc->age);
    nc->on_pending = true;
    if (++p->n_pending > p->max_pending) {
        drop_nids(p, AGE_ENTRY(p->pending.oldest, struct nids_conn, age));
    }
}

static void nids_closed(struct tcp_paths *p, struct path_slot *slot)
{
    struct nids_conn *nc = slot->follower;
    unlist(p, nc);
    slot->path = PATH_CLOSED;
    age_list_append(&p->closed, &nc->age);
    nc->on_closed = true;
    if (++p->n_closed > PATHS_CLOSED_MAX) {
        drop_nids(p, AGE_ENTRY(p->closed.oldest, struct nids_conn, age));
    }
}

/* ---- the keyless path */

/* The tuple goes to the keyless path with what was known of it; libnids forgets it. */
static void to_partial(struct tcp_paths *p, struct path_slot *slot, const struct tuple_key *k,
                       const struct partial_start *start, struct timeval ts)
{
    if (slot != NULL) {
        struct nids_conn *nc = slot->follower;
        struct tcp_tuple t = {k->addr[0], k->addr[1], k->port[0], k->port[1]};
        reassembly_forget(&t);
        unlist(p, nc);
        free(nc);
        remove_slot(p, slot);
    }
    struct partial_conn *e = partial_open(p->partial, k, start, ts); /* may evict: slots move */
    if (e != NULL && insert(p, k, PATH_PARTIAL, e) == NULL) {
        p->env->stats->partial_unstarted++;
        partial_drop(p->partial, e);
    }
}

static struct partial_start start_of(const struct nids_conn *nc, enum conn_capture why)
{
    struct partial_start st;
    memset(&st, 0, sizeof(st));
    st.why = why;
    st.syn_seen = true;
    st.synack_seen = nc->synack_seen;
    st.client_sender = nc->client_sender;
    st.isn_known[nc->client_sender] = true;
    st.isn_known[1 - nc->client_sender] = nc->synack_seen;
    st.isn[0] = nc->isn[0];
    st.isn[1] = nc->isn[1];
    st.has_first = true;
    st.first = nc->syn_ts;
    return st;
}

/* A packet of a libnids connection that may show libnids will not follow it: a SYN/ACK
 * (recorded, or a second one with another ISN), or its first payload. True when the tuple
 * went to the keyless path (and the packet with it). */
static bool nids_leaves(struct tcp_paths *p, struct tcp_route *r, struct timeval ts,
                        const struct segment *s)
{
    struct path_slot *slot = r->slot;
    struct nids_conn *nc = slot->follower;
    uint8_t server = (uint8_t)(1 - nc->client_sender);
    if ((s->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
        if (r->sender != server || s->ack != nc->isn[nc->client_sender] + 1 || nc->established) {
            return false; /* not an answer to this SYN: libnids ignores it too */
        }
        if (!nc->synack_seen) {
            nc->synack_seen = true;
            nc->isn[server] = s->seq;
            return false;
        }
        if (s->seq == nc->isn[server]) {
            return false; /* retransmitted */
        }
        struct partial_start st = start_of(nc, CAPTURE_ISN_CONFLICT);
        st.isn_known[server] = false; /* which of the two is real, only the client knows */
        to_partial(p, slot, &r->key, &st, ts);
        return true;
    }
    if (cur_len(s->payload) == 0 || (s->flags & TCP_SYN)) {
        return false;
    }
    if (!nc->synack_seen) {
        struct partial_start st = start_of(nc, CAPTURE_WHOLE);
        to_partial(p, slot, &r->key, &st, ts);
        return true;
    }
    uint32_t first = nc->isn[r->sender] + 1;
    if (nc->syn_data || s->seq == first) {
        slot->checked = true; /* libnids delivers from here */
        return false;
    }
    if (tcp_seq_before(s->seq, first)) {
        return false; /* a keep-alive probe's byte, a stray: libnids ignores it */
    }
    struct partial_start st = start_of(nc, CAPTURE_GAP);
    to_partial(p, slot, &r->key, &st, ts);
    return true;
}

/* ---- per packet */

static inline void route(const struct tcp_paths *p, const struct segment *s, struct tcp_route *r)
{
    r->key = tuple_key_of(&s->t, &r->sender);
    r->slot = find(p, &r->key);
}

enum tcp_path paths_route(struct tcp_paths *p, const struct segment *s, struct tcp_route *r)
{
    route(p, s, r);
    return r->slot != NULL ? (enum tcp_path)r->slot->path : PATH_NONE;
}

/* A SYN without ACK: libnids' from now on. A SYN with another initial sequence number on a
 * tuple libnids has not established yet replaces it there too (libnids would keep the old
 * one and ignore the new handshake). */
static void follow_syn(struct tcp_paths *p, struct tcp_route *r, struct timeval ts,
                       struct cursor ipv4, const struct segment *s)
{
    struct path_slot *slot = r->slot;
    if (slot != NULL && slot->path == PATH_LIBNIDS) {
        struct nids_conn *nc = slot->follower;
        if (!nc->established && (r->sender != nc->client_sender || s->seq != nc->isn[r->sender])) {
            reassembly_forget(&s->t);
        }
    }
    reassembly_feed(ts, ipv4, s);
    /* libnids may have closed the tuple's old connection (end=reused), moving slots */
    slot = find(p, &r->key);
    if (slot != NULL && slot->path == PATH_LIBNIDS) {
        struct nids_conn *nc = slot->follower;
        if (nc->established || (r->sender == nc->client_sender && s->seq == nc->isn[r->sender])) {
            return; /* a retransmitted SYN, or one libnids ignores */
        }
    }
    nids_start(p, slot, &r->key, r->sender, s, ts);
}

static void follow_none(struct tcp_paths *p, struct tcp_route *r, struct timeval ts,
                        const struct segment *s)
{
    bool synack = (s->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
    if (!synack && cur_len(s->payload) == 0) {
        return; /* an ACK, FIN or RST of a tuple nobody follows: nothing to start */
    }
    struct partial_start st;
    memset(&st, 0, sizeof(st));
    if (synack) {
        st.synack_seen = true;
        st.client_sender = (uint8_t)(1 - r->sender);
        st.isn_known[r->sender] = true;
        st.isn[r->sender] = s->seq;
    }
    to_partial(p, NULL, &r->key, &st, ts);
    r->slot = find(p, &r->key);
    if (r->slot != NULL) {
        (void)partial_packet(p->partial, r->slot->follower, r->sender, ts, s);
    }
}

/* Every packet but those follow() takes on its own. Not inlined, so that the common cases
 * need no stack frame of their own. */
__attribute__((noinline)) static void follow_other(struct tcp_paths *p, struct tcp_route *r,
                                                   struct timeval ts, struct cursor ipv4,
                                                   const struct segment *s)
{
    struct path_slot *slot = r->slot;
    enum tcp_path path = slot != NULL ? (enum tcp_path)slot->path : PATH_NONE;
    bool syn = (s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
    switch (path) {
    case PATH_BYPASS:
        if (bypass_packet(p->bypass, slot->follower, r->sender, ts, s)) {
            return;
        }
        r->slot = NULL; /* a new SYN closed it (end=reused) */
        follow_syn(p, r, ts, ipv4, s);
        return;
    case PATH_PARTIAL:
        if (partial_packet(p->partial, slot->follower, r->sender, ts, s)) {
            return;
        }
        r->slot = NULL; /* a SYN ended it (end=reused) */
        follow_syn(p, r, ts, ipv4, s);
        return;
    case PATH_LIBNIDS:
        if (syn) {
            follow_syn(p, r, ts, ipv4, s);
            return;
        }
        /* past its first payload, only a SYN/ACK or RST needs a look */
        if ((!slot->checked || (s->flags & (TCP_SYN | TCP_RST))) && nids_leaves(p, r, ts, s)) {
            r->slot = find(p, &r->key);
            if (r->slot != NULL) {
                (void)partial_packet(p->partial, r->slot->follower, r->sender, ts, s);
            }
            return;
        }
        reassembly_feed(ts, ipv4, s);
        if ((s->flags & TCP_RST) && (slot = find(p, &r->key)) != NULL &&
            slot->path == PATH_LIBNIDS && !((struct nids_conn *)slot->follower)->established) {
            nids_closed(p, slot); /* libnids drops a stream before JUST_EST on a RST */
        }
        return;
    case PATH_CLOSED:
        if (syn) {
            follow_syn(p, r, ts, ipv4, s);
        }
        return; /* the last packets of a connection that ended */
    case PATH_NONE:
    default:
        if (syn) {
            follow_syn(p, r, ts, ipv4, s);
        } else {
            follow_none(p, r, ts, s);
        }
        return;
    }
}

/* Most packets belong to a connection past its handshake (the bypass's: only a SYN without
 * ACK may end it, and bypass_packet() is true for anything else) or to a libnids connection
 * past its first payload (only a SYN/ACK or RST needs a look): those go straight on. */
static inline void follow(struct tcp_paths *p, struct tcp_route *r, struct timeval ts,
                          struct cursor ipv4, const struct segment *s)
{
    const struct path_slot *slot = r->slot;
    if (slot != NULL && slot->path == PATH_BYPASS && (s->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN) {
        (void)bypass_packet(p->bypass, slot->follower, r->sender, ts, s);
    } else if (slot != NULL && slot->path == PATH_LIBNIDS && slot->checked &&
               (s->flags & (TCP_SYN | TCP_RST)) == 0) {
        reassembly_feed(ts, ipv4, s);
    } else {
        follow_other(p, r, ts, ipv4, s);
    }
}

void paths_follow(struct tcp_paths *p, struct tcp_route *r, struct timeval ts,
                  struct cursor ipv4, const struct segment *s)
{
    follow(p, r, ts, ipv4, s);
}

void paths_packet(struct tcp_paths *p, struct timeval ts, struct cursor ipv4,
                  const struct segment *s)
{
    if (p == NULL) {
        return;
    }
    if (s == NULL) {
        reassembly_feed(ts, ipv4, NULL); /* a fragment, a cut header: libnids' checks */
        return;
    }
    struct tcp_route r;
    route(p, s, &r);
    follow(p, &r, ts, ipv4, s);
}

void paths_datagram(struct tcp_paths *p, struct timeval ts, const struct segment *s)
{
    struct tcp_route r;
    switch (paths_route(p, s, &r)) {
    case PATH_BYPASS:
        (void)bypass_packet(p->bypass, r.slot->follower, r.sender, ts, s);
        break;
    case PATH_PARTIAL:
        (void)partial_packet(p->partial, r.slot->follower, r.sender, ts, s);
        break;
    default:
        break; /* libnids' TCP layer takes it next */
    }
}

enum conn_kind paths_kind_of(struct tcp_paths *p, const struct tcp_tuple *t)
{
    uint8_t sender;
    struct tuple_key k = tuple_key_of(t, &sender);
    struct path_slot *s = p != NULL ? find(p, &k) : NULL;
    switch (s != NULL ? (enum tcp_path)s->path : PATH_NONE) {
    case PATH_BYPASS:
        return CONN_TLS;
    case PATH_PARTIAL:
        return partial_kind_of(s->follower);
    case PATH_LIBNIDS:
        return reassembly_kind_of(t);
    default:
        return CONN_NOT_TLS;
    }
}

enum conn_kind paths_kind_of_ctx(void *ctx, const struct tcp_tuple *t)
{
    return paths_kind_of(ctx, t);
}

void paths_settle(struct tcp_paths *p)
{
    if (p != NULL) {
        partial_settle(p->partial);
    }
}

/* ---- from reassembly.c, bypass.c and partial.c */

void paths_libnids_established(struct tcp_paths *p, const struct tcp_tuple *t,
                               struct timeval *syn_ts)
{
    uint8_t sender;
    struct tuple_key k = tuple_key_of(t, &sender);
    struct path_slot *s = find(p, &k);
    if (s != NULL && s->path == PATH_LIBNIDS) {
        struct nids_conn *nc = s->follower;
        unlist(p, nc);
        nc->established = true;
        *syn_ts = nc->syn_ts;
    }
}

void paths_libnids_gone(struct tcp_paths *p, const struct tcp_tuple *t)
{
    uint8_t sender;
    struct tuple_key k = tuple_key_of(t, &sender);
    struct path_slot *s = find(p, &k);
    if (s != NULL && s->path == PATH_LIBNIDS) {
        nids_closed(p, s);
    }
}

bool paths_hand_over(struct tcp_paths *p, const struct bypass_handover *h)
{
    if (p->bypass == NULL) {
        return false;
    }
    uint8_t sender;
    struct tuple_key k = tuple_key_of(&h->client, &sender);
    /* the slot first, so that nothing can fail once the bypass owns the connection */
    if (find(p, &k) == NULL && insert(p, &k, PATH_BYPASS, NULL) == NULL) {
        return false;
    }
    struct bypass_flow *f = bypass_adopt(p->bypass, h); /* may evict another: slots move */
    struct path_slot *s = find(p, &k);
    if (f == NULL) {
        if (s->path == PATH_BYPASS) {
            remove_slot(p, s); /* the placeholder */
        }
        return false;
    }
    if (s->path == PATH_LIBNIDS || s->path == PATH_CLOSED) {
        struct nids_conn *nc = s->follower;
        unlist(p, nc);
        free(nc);
    }
    s->path = PATH_BYPASS;
    s->follower = f;
    return true;
}

void paths_forget(struct tcp_paths *p, const struct tuple_key *k)
{
    struct path_slot *s = find(p, k);
    if (s != NULL && (s->path == PATH_BYPASS || s->path == PATH_PARTIAL)) {
        remove_slot(p, s);
    }
}

/* ---- a round */

struct tcp_paths *paths_begin(const struct reassembly_opts *o, struct conn_env *env,
                              struct v6map *v6, char *err, size_t errlen)
{
    struct tcp_paths *p = calloc(1, sizeof(*p));
    if (p != NULL) {
        p->slots = calloc(INITIAL_SLOTS, sizeof(*p->slots));
        p->partial = partial_new(env, p, v6);
    }
    if (p == NULL || p->slots == NULL || p->partial == NULL) {
        snprintf(err, errlen, "out of memory");
        paths_end(p);
        return NULL;
    }
    p->env = env;
    p->mask = INITIAL_SLOTS - 1;
    p->max_pending = o->max_conns > 0 ? (size_t)o->max_conns : 1;
    if (getrandom(&p->seed, sizeof(p->seed), 0) != (ssize_t)sizeof(p->seed)) {
        p->seed = 0x9e3779b9u;
    }
    /* NULL bypass: every connection stays libnids' (it alone verifies checksums) */
    p->bypass = o->verify_checksums ? NULL : bypass_new(env, p, o->max_conns);
    if (!reassembly_begin(o, env, v6, p, err, errlen)) {
        bypass_end(p->bypass);
        p->bypass = NULL;
        paths_end(p);
        return NULL;
    }
    return p;
}

void paths_end(struct tcp_paths *p)
{
    if (p == NULL) {
        return;
    }
    /* the same order with -w or without: what the keyless path found is reported first */
    paths_settle(p);
    reassembly_end(); /* libnids' connections first (nids_exit); no-op if not begun */
    bypass_end(p->bypass);
    partial_end(p->partial);
    if (p->slots != NULL) {
        for (size_t i = 0; i <= p->mask; i++) {
            if (p->slots[i].path == PATH_LIBNIDS || p->slots[i].path == PATH_CLOSED) {
                free(p->slots[i].follower);
            }
        }
    }
    free(p->slots);
    free(p);
}
