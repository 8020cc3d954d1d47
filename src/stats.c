/* End-of-run counters on stderr. */
#include "stats.h"

#include <string.h>

#include <inttypes.h>

#include "reassembly.h"

void stats_report_skipped(const struct stats *s, FILE *fp)
{
    for (int r = 0; r < LINK_RESULT_COUNT; r++) {
        if (r != LINK_IPV4 && r != LINK_IPV6 && s->link_skipped[r] > 0) {
            fprintf(fp, "hsdump: skipped %" PRIu64 " frames: %s\n", s->link_skipped[r],
                    link_result_name((enum link_result)r));
        }
    }
    if (s->ipv4_not_tcp > 0) {
        fprintf(fp, "hsdump: skipped %" PRIu64 " frames: ipv4_not_tcp\n", s->ipv4_not_tcp);
    }
    for (int r = 0; r < V6_RESULT_COUNT; r++) {
        if (r != V6_OK && s->v6_skipped[r] > 0) {
            fprintf(fp, "hsdump: skipped %" PRIu64 " frames: %s\n", s->v6_skipped[r],
                    v6map_result_name((enum v6_result)r));
        }
    }
}

void stats_report(const struct stats *s, FILE *fp)
{
    fprintf(fp,
            "hsdump: %" PRIu64 " frames, %" PRIu64 " TCP connections, %" PRIu64
            " TLS connections, %" PRIu64 " not TLS, %" PRIu64 " reused tuples, %" PRIu64
            " malformed events\n",
            s->frames, s->tcp_connections, s->tls_connections, s->not_tls_connections,
            s->reused_tuples, s->malformed_events);
    for (int w = 0; w < STATS_NIDS_WARN_KINDS; w++) {
        if (s->nids_warnings[w] > 0) {
            fprintf(fp, "hsdump: libnids warning %s: %" PRIu64 "\n", reassembly_warning_name(w),
                    s->nids_warnings[w]);
        }
    }
    stats_report_skipped(s, fp);
}

const char *const stats_flow_names[STATS_FLOW_KINDS] = {"full", "resumed", "ticket", "psk",
                                                        "unknown"};

void stats_count_flow(struct stats *s, const char *flow)
{
    for (size_t i = 0; i < STATS_FLOW_KINDS; i++) {
        if (strcmp(flow, stats_flow_names[i]) == 0) {
            s->flows[i]++;
            return;
        }
    }
    s->flows[STATS_FLOW_KINDS - 1]++;
}
