/* End-of-run counters on stderr. */
#include "stats.h"

#include <stddef.h>

#include "tls/tls.h"

#include <string.h>

#include <inttypes.h>

#include "conn.h"
#include "tcp/reassembly.h"

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
    if (s->frames_clipped > 0) {
        fprintf(fp,
                "hsdump: warning: %" PRIu64 " packets were cut by the capture's snapshot "
                "length; their connections are reported up to the cut (capture with a larger "
                "snaplen)\n",
                s->frames_clipped);
    }
}

static void counter(FILE *fp, const char *name, uint64_t value)
{
    fprintf(fp, "hsdump: %s: %" PRIu64 "\n", name, value);
}

/* One counter of a family: "closed flow=" "full". */
static void counter_of(FILE *fp, const char *family, const char *label, uint64_t value)
{
    fprintf(fp, "hsdump: %s%s: %" PRIu64 "\n", family, label, value);
}

void stats_report(const struct stats *s, FILE *fp)
{
    counter(fp, "packets", s->frames);
    counter(fp, "bytes", s->bytes);
    counter(fp, "TCP connections", s->tcp_connections);
    counter(fp, "TLS connections", s->tls_connections);
    counter(fp, "not TLS connections", s->not_tls_connections);
    counter(fp, "QUIC connections", s->quic_connections);
    counter(fp, "DTLS connections", s->dtls_connections);
    counter(fp, "GTP-U packets unwrapped", s->gtpu_packets);
    counter(fp, "handshakes completed", s->handshakes_established);
    counter(fp, "connections past their handshake, no longer reassembled", s->handed_over);
    for (size_t i = 0; i < STATS_FLOW_KINDS; i++) {
        counter_of(fp, "closed flow=", stats_flow_names[i], s->flows[i]);
    }
    counter(fp, "reused tuples", s->reused_tuples);
    for (int k = 1; k < STATS_CAPTURE_KINDS; k++) {
        counter_of(fp, "partial TLS connections capture=", conn_capture_name((enum conn_capture)k),
                   s->partial_connections[k]);
    }
    counter(fp, "partial tuples without a TLS record header", s->partial_not_tls);
    counter(fp, "partial tuples evicted unfinished (4096 at once)", s->partial_evicted);
    counter(fp, "partial TLS connections not followed (out of memory)", s->partial_unstarted);
    counter(fp, "malformed events", s->malformed_events);
    counter(fp, "connections evicted (--max-conns)", s->evicted_connections);
    counter(fp, "connections closed idle (--idle-timeout)", s->idle_connections);
    counter(fp, "UDP flows evicted (4096 at once)", s->udp_flows_evicted);
    counter(fp, "UDP flows closed idle (300 s)", s->udp_flows_idle);
    counter(fp, "lines suppressed (per-connection cap)", s->events_suppressed);
    counter(fp, "handshake messages dropped (--max-handshake-memory)", s->budget_dropped);
    counter(fp, "packets cut by the snapshot length", s->frames_clipped);
    for (int w = 0; w < STATS_NIDS_WARN_KINDS; w++) {
        if (s->nids_warnings[w] > 0) {
            fprintf(fp, "hsdump: libnids warning %s: %" PRIu64 "\n", reassembly_warning_name(w),
                    s->nids_warnings[w]);
        }
    }
    stats_report_skipped(s, fp);
    if (s->writing) {
        counter(fp, "frames written", s->frames_written);
        counter(fp, "frames evicted before writing", s->write_evicted);
    }
    if (s->kernel_known) {
        counter(fp, "kernel received", s->kernel_received);
        counter(fp, "kernel dropped", s->kernel_dropped);
        counter(fp, "interface dropped", s->kernel_if_dropped);
    }
    if (s->secrets_known || s->decrypting) {
        counter(fp, "secrets loaded", s->secrets_loaded);
        counter(fp, "client randoms with secrets", s->secrets_randoms);
        counter(fp, "key log lines not understood", s->secrets_bad_lines);
        counter(fp, "key log lines dropped (key table full)", s->secrets_dropped);
        counter(fp, "pcapng secrets blocks read", s->secrets_blocks_tls);
        counter(fp, "pcapng secrets blocks skipped (not TLS)", s->secrets_blocks_other);
        counter(fp, "connections decrypted", s->decrypted_connections);
        counter(fp, "records decrypted", s->decrypted_records);
        counter(fp, "connections with records the secrets did not open",
                s->decrypt_failed_connections);
        counter(fp, "keyless inferences contradicted by decryption", s->inference_contradicted);
    }
    fflush(fp);
}

const char *const stats_flow_names[STATS_FLOW_KINDS] = {"full", "resumed", "ticket", "psk",
                                                        "unknown"};

void stats_count_decryption(struct stats *s, const struct tls_state *st)
{
    if (st->keys == NULL) {
        return;
    }
    s->decrypting = true;
    uint64_t records = tls_decrypted_records(st);
    s->decrypted_records += records;
    s->decrypted_connections += records > 0;
    s->decrypt_failed_connections += tls_decrypt_failed(st);
    s->inference_contradicted += st->inference_disagreements;
}

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

void stats_add(struct stats *dst, const struct stats *src)
{
    /* every member before the flags is a uint64_t counter, with no padding between */
    _Static_assert(offsetof(struct stats, decrypting) % sizeof(uint64_t) == 0,
                   "struct stats: counters first");
    uint64_t *to = (uint64_t *)(void *)dst;
    const uint64_t *from = (const uint64_t *)(const void *)src;
    for (size_t i = 0; i < offsetof(struct stats, decrypting) / sizeof(uint64_t); i++) {
        to[i] += from[i];
    }
    dst->decrypting |= src->decrypting;
    dst->writing |= src->writing;
    dst->kernel_known |= src->kernel_known;
    dst->secrets_known |= src->secrets_known;
}
