/* Stubs of the diagnosis API (diagnosis.h), replaced by cause.c and weak.c. */
#include "checks/diagnosis.h"

enum tls_cause cause_of(const struct tls_state *st, const struct close_facts *end)
{
    (void)st;
    (void)end;
    return CAUSE_NONE;
}

const char *cause_name(enum tls_cause cause)
{
    (void)cause;
    return "unknown";
}

uint32_t weak_negotiated(const struct tls_state *st)
{
    (void)st;
    return 0;
}

const char *weak_name(enum weak_item item)
{
    (void)item;
    return "unknown";
}
