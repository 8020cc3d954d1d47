/* Counters for the end-of-run report on stderr: nothing is dropped silently. */
#ifndef HSDUMP_SRC_STATS_H
#define HSDUMP_SRC_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tcp/ipv6map.h"
#include "capture/linklayer.h"

#define STATS_CAPTURE_KINDS 6 /* enum conn_capture (conn.h) */
#define STATS_NIDS_WARN_KINDS 10 /* libnids warning codes 0..9 (NIDS_WARN_UNDEFINED..TCP_BADFLAGS) */

/* flow= labels, in the order the report lists them (flow.c names them). */
#define STATS_FLOW_KINDS 5
extern const char *const stats_flow_names[STATS_FLOW_KINDS];

struct stats {
    uint64_t frames;
    uint64_t link_skipped[LINK_RESULT_COUNT]; /* index LINK_IPV4/LINK_IPV6 unused */
    uint64_t v6_skipped[V6_RESULT_COUNT];     /* index V6_OK unused */
    uint64_t ipv4_not_tcp;
    uint64_t tcp_connections;
    uint64_t tls_connections;
    uint64_t not_tls_connections;
    uint64_t reused_tuples;
    /* TLS connections followed by the keyless path (tcp/partial.c), by capture= kind
     * (enum conn_capture; index CAPTURE_WHOLE unused) */
    uint64_t partial_connections[STATS_CAPTURE_KINDS];
    uint64_t partial_not_tls;   /* ... tuples with payload but no TLS record header found */
    uint64_t partial_evicted;   /* ... tuples dropped unfinished (PARTIAL_MAX_TUPLES) */
    uint64_t partial_unstarted; /* ... TLS connections that could not be followed (memory) */
    uint64_t malformed_events;
    uint64_t nids_warnings[STATS_NIDS_WARN_KINDS]; /* by libnids warning type */
    uint64_t class_e_collisions;                   /* real 240/4 addresses seen */
    uint64_t bytes;                                /* captured frame bytes */
    uint64_t frames_clipped; /* IPv4 packets cut by the snapshot length, fed as far as captured */
    uint64_t evicted_connections; /* closed by --max-conns */
    uint64_t idle_connections;    /* closed by --idle-timeout */
    uint64_t events_suppressed;                    /* lines past CONN_EVENTS_MAX per connection */
    uint64_t handshakes_established;               /* connections whose handshake completed */
    uint64_t handed_over; /* followed past their handshake without libnids (src/tcp/bypass.c) */
    uint64_t flows[STATS_FLOW_KINDS];              /* closed TLS connections by flow= label */
    uint64_t quic_connections;     /* UDP flows recognised as QUIC (src/udp/udp.c) */
    uint64_t dtls_connections;     /* UDP flows recognised as DTLS */
    uint64_t udp_flows_evicted;    /* closed to make room (UDP_MAX_FLOWS) */
    uint64_t udp_flows_idle;       /* closed after UDP_IDLE_TIMEOUT without datagrams */
    uint64_t gtpu_packets;         /* GTP-U G-PDUs whose inner packet was taken (udp/gtpu.h) */
    uint64_t budget_dropped; /* handshake messages dropped by --max-handshake-memory */
    /* Decryption with the user's secrets (dissectors/tls/decrypt.h): reported once secrets
     * were given to a connection. */
    uint64_t decrypted_connections; /* closed with at least one record decrypted */
    uint64_t decrypted_records;
    uint64_t decrypt_failed_connections; /* a record the secrets given did not open */
    uint64_t inference_contradicted; /* keyless inferences decryption proved wrong */
    /* -w */
    uint64_t frames_written;
    uint64_t write_evicted; /* frames held back for an undecided connection, then dropped */
    /* Live capture: the kernel's counters (pcap_stats), filled in just before a report. */
    uint64_t kernel_received;
    uint64_t kernel_dropped;
    uint64_t kernel_if_dropped;
    /* Secrets (capture/secrets.h), filled in just before a report; shown when some were given
     * or found. */
    uint64_t secrets_loaded;
    uint64_t secrets_randoms;
    uint64_t secrets_bad_lines;
    uint64_t secrets_dropped;
    uint64_t secrets_blocks_tls;
    uint64_t secrets_blocks_other;
    /* Flags last: everything before them is a uint64_t counter (stats_add). */
    bool decrypting;    /* secrets were given to some connection */
    bool writing;       /* -w */
    bool kernel_known;  /* live: the kernel_* counters are filled in */
    bool secrets_known; /* the secrets_* counters are shown */
};

/* Counts a closed TLS connection under its flow= label (full, resumed, ticket, psk, unknown). */
void stats_count_flow(struct stats *s, const char *flow);

struct tls_state;
/* Counts what decryption did for a closed connection or flow. */
void stats_count_decryption(struct stats *s, const struct tls_state *st);

/* Adds src's counters to dst's and ORs its flags (-j: the workers' counters summed). */
void stats_add(struct stats *dst, const struct stats *src);
/* Writes "hsdump: skipped ..." lines for every non-zero skip counter. */
void stats_report_skipped(const struct stats *s, FILE *fp);
/* Writes the full counters, one "hsdump: <counter>: <value>" line each (live capture end,
 * --stats, SIGUSR1). */
void stats_report(const struct stats *s, FILE *fp);

#endif
