/* libFuzzer harness: the whole path from a capture file (libpcap reading, link layer, IPv6
 * mapping, GTP-U, UDP flows, libnids reassembly, dissectors, text output to /dev/null), with
 * the secrets of a pcapng input's Decryption Secrets Blocks. The input is written to a
 * file in /dev/shm because libpcap reads files, exactly as hsdump -r does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/budget.h"
#include "capture/capture.h"
#include "conn.h"
#include "tcp/ipv6map.h"
#include "output/output.h"
#include "capture/packet.h"
#include "capture/secrets.h"
#include "tcp/paths.h"
#include "tcp/reassembly.h"
#include "stats.h"
#include "udp/udp.h"

/* a small handshake budget (as in fuzz_record), so that drops are reached on every path */
#define FUZZ_BUDGET 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static FILE *devnull;
    static struct packet_ctx pc;
    if (devnull == NULL) {
        snprintf(path, sizeof(path), "/dev/shm/hsdump-fuzz-%d.pcap", (int)getpid());
        devnull = fopen("/dev/null", "w");
        pc.v6 = v6map_new();
    }
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(data, 1, size, fp) != size) {
        if (fp != NULL) {
            fclose(fp);
        }
        return 0;
    }
    fclose(fp);
    char err[512];
    struct capture *cap = capture_open_file(path, err, sizeof(err));
    if (cap == NULL) {
        return 0;
    }
    struct stats stats;
    struct output out;
    struct output_style style = {FORMAT_TEXT, TIME_ABSOLUTE, 2, false};
    memset(&stats, 0, sizeof(stats));
    out_init(&out, devnull, false, &style);
    struct budget budget;
    budget_init(&budget, FUZZ_BUDGET, &stats.budget_dropped);
    struct conn_env env = {.out = &out, .stats = &stats, .budget = &budget};
    pc.stats = &stats;
    pc.out = &out;
    /* few streams: nids_init allocates them all on every input */
    struct reassembly_opts ro = {768, 300, false};
    pc.paths = paths_begin(&ro, &env, pc.v6, err, sizeof(err));
    if (pc.paths != NULL) {
        pc.udp = udp_new(&env);
        capture_run(cap, packet_frame, &pc, err, sizeof(err));
        paths_end(pc.paths);
        pc.paths = NULL;
        udp_end(pc.udp);
        pc.udp = NULL;
        /* every connection and flow is gone: none may still be charged */
        if (budget.used != 0 || budget.oldest != NULL) {
            abort();
        }
    }
    capture_close(cap);
    /* secrets an input's pcapng Decryption Secrets Blocks brought are for its connections only */
    secrets_close();
    return 0;
}
