/* libFuzzer harness: the whole path from a capture file (libpcap reading, link layer, IPv6
 * mapping, GTP-U, UDP flows, libnids reassembly, dissectors, text output to /dev/null). The input is written to a
 * file in /dev/shm because libpcap reads files, exactly as hsdump -r does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "conn.h"
#include "tcp/ipv6map.h"
#include "output/output.h"
#include "capture/packet.h"
#include "tcp/reassembly.h"
#include "stats.h"
#include "udp/udp.h"

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
    struct conn_env env = {.out = &out, .stats = &stats};
    pc.stats = &stats;
    pc.out = &out;
    /* few streams: nids_init allocates them all on every input */
    struct reassembly_opts ro = {768, 300, false};
    if (reassembly_begin(&ro, &env, pc.v6, err, sizeof(err))) {
        pc.udp = udp_new(&env);
        capture_run(cap, packet_frame, &pc, err, sizeof(err));
        reassembly_end();
        udp_end(pc.udp);
        pc.udp = NULL;
    }
    capture_close(cap);
    return 0;
}
