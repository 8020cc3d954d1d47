/* An intrusive list in order of age (creation or last activity), oldest first: the bounded
 * tables (connections for --idle-timeout, UDP flows, partly captured tuples, -w's held frames)
 * close or evict from its old end in O(1). A struct embeds a struct age_link and finds
 * itself again with AGE_ENTRY. */
#ifndef HSDUMP_AGE_LIST_H
#define HSDUMP_AGE_LIST_H

#include <stddef.h>
#include <stdint.h>

struct age_link {
    struct age_link *older;
    struct age_link *newer;
    uint64_t stamp; /* age_clock when appended or last touched */
};

/* The number of the frame being processed (packet.c; with -j the reader's ordinal): every
 * append and touch stamps the entry with it, so a list's order is its stamps' order, which
 * lets -j's merger put the closes of several workers' lists in one process's order. */
extern uint64_t age_clock;

struct age_list {
    struct age_link *oldest;
    struct age_link *newest;
};

/* The struct of type holding link as its member, or NULL for a NULL link. */
#define AGE_ENTRY(link, type, member)                                                         \
    ((link) != NULL ? (type *)(void *)((char *)(link) - offsetof(type, member)) : (type *)NULL)

/* Takes n out of l; harmless when n is not on it. */
static inline void age_list_remove(struct age_list *l, struct age_link *n)
{
    if (n->older != NULL) {
        n->older->newer = n->newer;
    } else if (l->oldest == n) {
        l->oldest = n->newer;
    }
    if (n->newer != NULL) {
        n->newer->older = n->older;
    } else if (l->newest == n) {
        l->newest = n->older;
    }
    n->older = n->newer = NULL;
}

/* Puts n (not on the list) at the new end. */
static inline void age_list_append(struct age_list *l, struct age_link *n)
{
    n->older = l->newest;
    n->newer = NULL;
    if (l->newest != NULL) {
        l->newest->newer = n;
    } else {
        l->oldest = n;
    }
    l->newest = n;
    n->stamp = age_clock;
}

/* Moves n, listed or not, to the new end. */
static inline void age_list_touch(struct age_list *l, struct age_link *n)
{
    age_list_remove(l, n);
    age_list_append(l, n);
}

#endif
