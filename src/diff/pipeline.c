/* One capture file through link layer, reassembly and dissectors into JSON Lines, with none
 * of the terminal's options: what hsdump diff and --canonical compare. */
#include "diff/pipeline.h"

#include <string.h>

#include "base/budget.h"
#include "capture/capture.h"
#include "conn.h"
#include "tcp/ipv6map.h"
#include "tcp/paths.h"
#include "output/output.h"
#include "capture/packet.h"
#include "tcp/reassembly.h"
#include "stats.h"
#include "udp/udp.h"

bool pipeline_capture_to_json(const char *path, const char *filter, FILE *out, char *err,
                              size_t errlen)
{
    struct capture *cap = capture_open_file(path, err, errlen);
    if (cap == NULL) {
        return false;
    }
    bool ok = capture_set_filter(cap, filter, err, errlen);
    struct stats stats;
    struct output o;
    struct output_style style = {FORMAT_JSON, TIME_ABSOLUTE, 1, false};
    struct packet_ctx pc;
    memset(&stats, 0, sizeof(stats));
    memset(&pc, 0, sizeof(pc));
    out_init(&o, out, false, &style);
    pc.stats = &stats;
    pc.out = &o;
    pc.v6 = v6map_new();
    struct budget budget;
    budget_init(&budget, BUDGET_DEFAULT_BYTES, &stats.budget_dropped);
    struct conn_env env = {.out = &o, .stats = &stats, .budget = &budget};
    struct reassembly_opts ro = {REASSEMBLY_DEFAULT_MAX_CONNS, REASSEMBLY_DEFAULT_IDLE_TIMEOUT,
                                 false};
    if (ok && pc.v6 == NULL) {
        snprintf(err, errlen, "out of memory");
        ok = false;
    }
    if (ok && (pc.paths = paths_begin(&ro, &env, pc.v6, err, errlen)) != NULL) {
        pc.udp = udp_new(&env);
        enum capture_end end = capture_run(cap, packet_frame, &pc, err, errlen);
        paths_end(pc.paths);
        udp_end(pc.udp);
        ok = end != CAPTURE_ERROR;
    } else {
        ok = false;
    }
    v6map_free(pc.v6);
    capture_close(cap);
    return ok && !o.failed;
}
