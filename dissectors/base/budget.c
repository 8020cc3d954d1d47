/* The handshake memory budget: a list of holders, oldest message first, and their total. */
#include "base/budget.h"

void budget_init(struct budget *b, size_t limit, uint64_t *dropped)
{
    b->limit = limit;
    b->used = 0;
    b->oldest = b->newest = NULL;
    b->dropped = dropped;
}

size_t budget_heap_size(size_t n)
{
    if (n == 0) {
        return 0;
    }
    size_t chunk = (n + 8 + 15) & ~(size_t)15;
    return chunk < 32 ? 32 : chunk;
}

static void unlink_entry(struct budget *b, struct budget_entry *e)
{
    if (e->older != NULL) {
        e->older->newer = e->newer;
    } else {
        b->oldest = e->newer;
    }
    if (e->newer != NULL) {
        e->newer->older = e->older;
    } else {
        b->newest = e->older;
    }
    e->older = e->newer = NULL;
    e->listed = false;
    b->used -= e->charged;
    e->charged = 0;
}

void budget_release(struct budget *b, struct budget_entry *e)
{
    if (b == NULL || !e->listed) {
        e->charged = 0;
        return;
    }
    unlink_entry(b, e);
}

bool budget_charge(struct budget *b, struct budget_entry *e, size_t charge, budget_evict_fn evict)
{
    if (b == NULL) {
        return true;
    }
    if (!e->listed) {
        e->listed = true;
        e->charged = 0;
        e->older = b->newest;
        e->newer = NULL;
        if (b->newest != NULL) {
            b->newest->newer = e;
        } else {
            b->oldest = e;
        }
        b->newest = e;
    }
    e->evict = evict;
    b->used = b->used - e->charged + charge;
    e->charged = charge;
    while (b->used > b->limit) {
        struct budget_entry *victim = b->oldest;
        if (b->dropped != NULL) {
            (*b->dropped)++;
        }
        unlink_entry(b, victim);
        if (victim == e) {
            return false;
        }
        victim->evict(victim);
    }
    return true;
}

bool budget_charge_within(struct budget *b, struct budget_entry *e, size_t charge,
                          budget_evict_fn evict)
{
    if (b == NULL) {
        return true;
    }
    size_t others = b->used - (e->listed ? e->charged : 0);
    if (charge > b->limit || others > b->limit - charge) {
        if (b->dropped != NULL) {
            (*b->dropped)++;
        }
        return false;
    }
    return budget_charge(b, e, charge, evict);
}
