#!/usr/bin/env python3
"""Turns bench/parallel.sh's raw figures into Markdown tables: times side by side, CPU time and
peak RSS per stage (the reader, each worker), the check of that method against /usr/bin/time,
the live runs, issue 22's part 4 targets and part 5's scaling model.

Usage: parallel_report.py RAW.tsv PROCS.tsv META.tsv LIVE.txt
  RAW: tool round wall_s peak_rss_kib exit_status cpu_s load1 (one line per timed run)
  PROCS: tool round pid ppid depth user_s sys_s cpu_s vmhwm_kib anon_kib file_kib shmem_kib
         children_s comm (one line per process of a run, read by bench/proc_tree.c at its exit)
  META: key value
  LIVE: bench/live.sh's result lines (key=value words)"""
import math
import statistics
import sys

TEXT_LIMIT = 2.5      # text -j 2 within 2.5x the bare loop
SUMMARY_LIMIT = 2.0   # -S -j 2 within 2x
TSHARK_FACTOR = 40    # at least 40x faster than tshark text
MEAN_PACKET_BYTES = (700, 800, 900)  # average TLS traffic on a 10 Gbit/s link
LINK_BPS = 10e9


def load(raw_path, procs_path, meta_path, live_path):
    runs = {}
    with open(raw_path) as f:
        for line in f:
            tool, rnd, secs, rss, status, cpu, load1 = line.rstrip("\n").split("\t")
            runs.setdefault(tool, []).append(dict(
                round=int(rnd), wall=float(secs), rss=int(rss), status=int(status),
                cpu=float(cpu), load=float(load1)))
    procs = {}
    with open(procs_path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            (tool, rnd, pid, _ppid, depth, user, sys_, cpu, hwm, anon, file_, shmem,
             children) = fields[:13]
            procs.setdefault((tool, int(rnd)), []).append(dict(
                pid=int(pid), depth=int(depth), user=float(user), sys=float(sys_),
                cpu=float(cpu), hwm=int(hwm), anon=int(anon), file=int(file_),
                shmem=int(shmem), children=float(children)))
    meta = {}
    with open(meta_path) as f:
        for line in f:
            key, value = line.rstrip("\n").split("\t", 1)
            meta[key] = value
    lives = []
    with open(live_path) as f:
        for line in f:
            words = dict(w.split("=", 1) for w in line.split() if "=" in w)
            if words:
                lives.append(words)
    return runs, procs, meta, lives


def med(values):
    return statistics.median(values) if values else float("nan")


def mib(kib):
    return kib / 1024.0


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def table(header, rows, right_from=1):
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join(["---"] * right_from + ["---:"] * (len(header) - right_from)) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


class Stage:
    """One hsdump configuration's figures per stage, medians over its rounds."""

    def __init__(self, tool, runs, procs, packets):
        self.tool = tool
        rounds = [r["round"] for r in runs[tool]]
        per = [procs.get((tool, r), []) for r in rounds]
        readers = [[p for p in ps if p["depth"] == 0] for ps in per]
        workers = [[p for p in ps if p["depth"] >= 1] for ps in per]
        self.n_workers = max((len(w) for w in workers), default=0)
        self.reader_cpu = med([sum(p["cpu"] for p in r) for r in readers])
        self.reader_user = med([sum(p["user"] for p in r) for r in readers])
        self.reader_sys = med([sum(p["sys"] for p in r) for r in readers])
        self.workers_cpu = med([sum(p["cpu"] for p in w) for w in workers])
        # the workers' user+sys in ticks, as they read themselves and as their reader's
        # cutime+cstime counts them when it reaps them
        self.workers_ticks = med([sum(p["user"] + p["sys"] for p in w) for w in workers])
        self.reaped = med([sum(p["children"] for p in r) for r in readers])
        each = [p["cpu"] for w in workers for p in w]
        self.worker_cpu_range = (min(each), max(each)) if each else None
        self.reader_hwm = max((p["hwm"] for r in readers for p in r), default=0)
        self.worker_hwm = [p["hwm"] for w in workers for p in w]
        self.worker_shmem = max((p["shmem"] for w in workers for p in w), default=0)
        self.tree_cpu = med([sum(p["cpu"] for p in ps) for ps in per])
        self.tree_hwm = max((p["hwm"] for ps in per for p in ps), default=0)
        self.time_cpu = med([r["cpu"] for r in runs[tool]])
        self.time_rss = max(r["rss"] for r in runs[tool])
        self.wall = med([r["wall"] for r in runs[tool]])
        self.packets = packets
        # per-packet costs in microseconds of CPU
        self.r_us = self.reader_cpu / packets * 1e6
        self.w_us = self.workers_cpu / packets * 1e6 if self.n_workers else 0.0


def predict(r_us, w_us, n, cores):
    """Packets/s with one reader (r_us per packet) and n workers (w_us per packet in all) on
    `cores` cores: the reader's core, the workers' n cores, and all of it on the cores there
    are."""
    limits = [1e6 / r_us]
    if n:
        limits.append(n * 1e6 / w_us)
        limits.append(cores * 1e6 / (r_us + w_us))
    else:
        limits = [1e6 / r_us]  # one process does it all, on one core
    return min(limits)


def main():
    runs, procs, meta, lives = load(*sys.argv[1:5])
    packets = int(meta["packets"])
    cores = int(meta["cores"])
    jobs = [int(j) for j in meta["jobs"].split(",")]
    size = int(meta["size"])
    out = []
    say = out.append

    say("Capture `%s`: %s connections, %s packets, %.2f GB; %d cores; hsdump %s." % (
        meta["file"], fmt_int(int(meta["connections"])), fmt_int(packets), size / 1e9, cores,
        meta["commit"]))
    say("")

    # 1. Side by side
    names = [("bare", "bare libpcap loop")]
    for mode, label in (("text", "hsdump text"), ("summary", "hsdump -S")):
        names += [("%s_j%d" % (mode, n), "%s -j %d" % (label, n)) for n in jobs]
    names.append(("tshark_text", "tshark text"))
    bare = runs.get("bare")
    bare_wall = med([r["wall"] for r in bare]) if bare else float("nan")
    bare_cpu = med([r["cpu"] for r in bare]) if bare else float("nan")
    rows = []
    for tool, label in names:
        if tool not in runs:
            continue
        rs = runs[tool]
        walls = [r["wall"] for r in rs]
        w = med(walls)
        c = med([r["cpu"] for r in rs])
        bad = [r["status"] for r in rs if r["status"] != 0]
        rows.append([label + (" (exit %s)" % bad[0] if bad else ""), len(rs), "%.3f" % w,
                     "%.3f-%.3f" % (min(walls), max(walls)), "%.2f" % (w / bare_wall),
                     "%.2f" % c, "%.2f" % (c / bare_cpu), fmt_int(packets / w),
                     "%.1f" % mib(max(r["rss"] for r in rs))])
    say("### Side by side")
    say("")
    say(table(["tool", "runs", "median wall s", "min-max wall s", "x bare loop", "median CPU s",
               "x bare (CPU)", "packets/s", "peak RSS MiB (largest process)"], rows))
    say("")
    loads = [r["load"] for rs in runs.values() for r in rs]
    say("1-minute load average before each run: %.2f to %.2f. CPU s: user+system of the whole "
        "process tree (/usr/bin/time: hsdump and the workers it reaped)." % (min(loads),
                                                                            max(loads)))
    say("")

    stages = {t: Stage(t, runs, procs, packets) for t, _ in names[1:-1] if t in runs}

    # 2. Per stage
    rows = []
    for tool, label in names[1:-1]:
        s = stages.get(tool)
        if s is None:
            continue
        if s.n_workers == 0:
            rows.append([label, "one process", "%.2f" % s.reader_cpu, "%.3f" % s.r_us,
                         fmt_int(1e6 / s.r_us), "", "", "", "", fmt_int(packets / s.wall)])
            continue
        lo, hi = s.worker_cpu_range
        rows.append([label, "reader + %d" % s.n_workers,
                     "%.2f (user %.2f, sys %.2f)" % (s.reader_cpu, s.reader_user, s.reader_sys),
                     "%.3f" % s.r_us, fmt_int(1e6 / s.r_us), "%.2f" % s.workers_cpu,
                     "%.2f-%.2f" % (lo, hi), "%.3f" % s.w_us, fmt_int(1e6 / s.w_us),
                     fmt_int(packets / s.wall)])
    say("### CPU time per stage")
    say("")
    say(table(["run", "processes", "reader CPU s", "R: reader us/packet",
               "reader packets/s (one core)", "workers CPU s (sum)", "each worker CPU s",
               "W: workers us/packet (sum)", "workers packets/s per core", "packets/s (wall)"],
              rows))
    say("")
    say("CPU s per process: the kernel's run time of that process (/proc/PID/schedstat), read "
        "at its exit by bench/proc_tree.c; medians over the rounds. The reader's includes "
        "merging the workers' events and writing the output; `-j 1` is one process doing "
        "everything. packets/s of a stage: %s packets over its CPU time." % fmt_int(packets))
    say("")

    # 3. Memory
    rows = []
    for mode, label in (("text", "text"), ("summary", "-S")):
        single = stages.get("%s_j1" % mode)
        for n in jobs:
            s = stages.get("%s_j%d" % (mode, n))
            if s is None or s.n_workers == 0:
                continue
            base = single.reader_hwm if single else 0
            top = max(s.worker_hwm)
            rows.append([label, n, "%.1f" % mib(base) if base else "", "%.1f" % mib(s.reader_hwm),
                         "%.1f-%.1f" % (mib(min(s.worker_hwm)), mib(top)),
                         "%.2f" % (top / base) if base else "", "%.1f" % mib(s.worker_shmem)])
    say("### Peak RSS per process")
    say("")
    say(table(["mode", "N", "one process (-j 1) MiB", "reader MiB", "each worker MiB",
               "largest worker / one process", "worker's shared memory at exit MiB"], rows))
    say("")
    say("VmHWM of each process (/proc/PID/status, read at its exit), the largest over the "
        "rounds. Shared memory (the rings to and from the reader, the frames it shares) is "
        "counted in the RSS of every process that touched it.")
    say("")

    # 4. The method, checked
    rows = []
    for tool, label in names[1:-1]:
        s = stages.get(tool)
        if s is None:
            continue
        rows.append([label, "%.2f" % s.tree_cpu, "%.2f" % s.time_cpu,
                     "%+.1f%%" % ((s.tree_cpu / s.time_cpu - 1) * 100) if s.time_cpu else "",
                     "%.2f / %.2f" % (s.workers_ticks, s.reaped) if s.n_workers else "",
                     "%.1f" % mib(s.tree_hwm), "%.1f" % mib(s.time_rss)])
    untraced = runs.get("text_j2_untraced")
    say("### The per-process figures against /usr/bin/time")
    say("")
    say(table(["run", "sum of the processes' CPU s", "/usr/bin/time user+sys s", "difference",
               "workers' user+sys s: their own / their reader's cutime+cstime",
               "largest VmHWM MiB", "/usr/bin/time max RSS MiB"], rows))
    say("")
    say("/usr/bin/time counts the same tree (getrusage of the children it waited for, which "
        "include the workers hsdump reaped) in clock ticks; its max RSS is the largest "
        "process's. The reader's cutime+cstime (/proc/PID/stat fields 16 and 17, at its exit) "
        "is what the kernel added up when it reaped its workers.")
    if untraced and "text_j2" in runs:
        plain = med([r["wall"] for r in untraced])
        traced = med([r["wall"] for r in runs["text_j2"]])
        say("The cost of tracing: hsdump text -j 2 run without bench/proc_tree in the same "
            "rounds, median %.3f s wall and %.2f s CPU, against %.3f s and %.2f s under it "
            "(%+.1f%% wall)." % (plain, med([r["cpu"] for r in untraced]), traced,
                                 med([r["cpu"] for r in runs["text_j2"]]),
                                 (traced / plain - 1) * 100))
    say("")

    # 5. Live
    if lives:
        rows = []
        for i, l in enumerate(lives, 1):
            rows.append([l.get("mode", "?"), l.get("jobs", "?"), i,
                         fmt_int(float(l.get("replay_pps", "nan") or "nan"))
                         if l.get("replay_pps") else "?", l.get("sent", "?"),
                         l.get("captured", "?"), l.get("kernel_dropped", "?"),
                         l.get("interface_dropped", "?"),
                         "%s / %s" % (l.get("printed", "?"), l.get("expected", "?"))])
        say("### Live: tcpreplay --topspeed on lo, hsdump -i lo -j %s" % meta["live_jobs"])
        say("")
        say(table(["mode", "-j", "run", "replay packets/s", "sent", "captured", "kernel dropped",
                   "interface dropped", "lines printed / expected"], rows, right_from=2))
        say("")
        say("`bench/live.sh -j %s [-S] %s`; the lines counted are client_hello (text) and close "
            "(-S), expected from the same file read offline." % (
                meta["live_jobs"], "L-c10000-b8192-k1000-v0.2-s1.pcap"))
        say("")

    checks = {k[len("check_"):]: v.split() for k, v in meta.items() if k.startswith("check_")}
    if checks:
        crows = []
        for mode, label in (("text", "text"), ("summary", "-S")):
            one = checks.get("%s_j1" % mode)
            for n in jobs:
                got = checks.get("%s_j%d" % (mode, n))
                if got is None or one is None:
                    continue
                crows.append([label, n, fmt_int(int(got[1])), got[0],
                             "same" if got == one else "**differs**"])
        say("### Output of -j N against -j 1 (untimed runs)")
        say("")
        say(table(["mode", "N", "lines", "md5 of the output", "against -j 1"], crows,
                  right_from=2))
        say("")
    # 6. Targets
    rows = []
    j2t, j2s = stages.get("text_j2"), stages.get("summary_j2")
    if j2t:
        ratio = j2t.wall / bare_wall
        rows.append(["hsdump text -j 2 within %.1fx of the bare loop" % TEXT_LIMIT,
                     "%.2fx" % ratio, "met" if ratio <= TEXT_LIMIT else "**not met**"])
    if j2s:
        ratio = j2s.wall / bare_wall
        rows.append(["hsdump -S -j 2 within %.1fx of the bare loop" % SUMMARY_LIMIT,
                     "%.2fx" % ratio, "met" if ratio <= SUMMARY_LIMIT else "**not met**"])
    if j2t and "tshark_text" in runs:
        ts = med([r["wall"] for r in runs["tshark_text"]])
        factor = ts / j2t.wall
        rows.append(["hsdump text -j 2 >= %dx faster than tshark text" % TSHARK_FACTOR,
                     "%.1fx" % factor, "met" if factor >= TSHARK_FACTOR else "**not met**"])
    for mode, label in (("text", "text"), ("summary", "-S")):
        single, par = stages.get("%s_j1" % mode), stages.get("%s_j2" % mode)
        if single and par and par.worker_hwm:
            top = max(par.worker_hwm)
            rows.append(["%s -j 2: peak RSS of each worker <= one process's" % label,
                         "%.1f MiB <= %.1f MiB" % (mib(top), mib(single.reader_hwm))
                         if top <= single.reader_hwm else
                         "%.1f MiB > %.1f MiB" % (mib(top), mib(single.reader_hwm)),
                         "met" if top <= single.reader_hwm else "**not met**"])
    for mode in ("text", "summary"):
        ls = [l for l in lives if l.get("mode") == mode]
        if ls:
            drops = [int(l.get("kernel_dropped") or -1) for l in ls]
            ok = all(d == 0 for d in drops)
            rows.append(["live %s -j %s: no kernel drop" % ("text" if mode == "text" else "-S",
                                                           meta["live_jobs"]),
                         "%d of %d runs without drops (drops: %s)" % (
                             sum(d == 0 for d in drops), len(drops),
                             ", ".join(str(d) for d in drops)),
                         "met" if ok else "**not met**"])
    say("### Targets (issue 22 part 4)")
    say("")
    say(table(["target", "measured", ""], rows, right_from=3))
    say("")

    # 7. Model
    say("### Scaling model (issue 22 part 5)")
    say("")
    rows = []
    for mode, label in (("text", "text"), ("summary", "-S")):
        for n in jobs:
            s = stages.get("%s_j%d" % (mode, n))
            if s is None:
                continue
            ref = stages.get("%s_j2" % mode)
            own = predict(s.r_us, s.w_us, s.n_workers, cores)
            from2 = predict(ref.r_us, ref.w_us, n, cores) if ref and n > 1 else own
            meas = packets / s.wall
            rows.append([label, n, "%.3f" % s.r_us, "%.3f" % s.w_us if s.n_workers else "",
                         fmt_int(own), fmt_int(from2), fmt_int(meas), "%.2f" % (meas / own)])
    say(table(["mode", "N", "R us", "W us", "model, own R and W", "model, R and W of N = 2",
               "measured packets/s", "measured / model"], rows))
    say("")
    say("Model: pps(N) = min(1/R, N/W, C/(R+W)) on C cores (here C = %d): the reader alone "
        "on one core, the N workers on N cores, and the whole tree's CPU on the cores there "
        "are when N + 1 > C. `-j 1` is one process: 1/(its CPU per packet)." % cores)
    say("")
    rows = []
    for mode, label in (("text", "text"), ("summary", "-S")):
        ref = stages.get("%s_j2" % mode)
        if ref is None or not ref.n_workers:
            continue
        nstar = ref.w_us / ref.r_us
        for sz in MEAN_PACKET_BYTES:
            pps = LINK_BPS / 8 / sz
            rows.append([label, "%.3f" % ref.r_us, "%.3f" % ref.w_us, "%.1f" % nstar,
                         fmt_int(1e6 / ref.r_us), sz, fmt_int(pps),
                         "%.2f" % (pps * ref.r_us / 1e6), math.ceil(pps * ref.w_us / 1e6),
                         math.ceil(pps * ref.w_us / 1e6) + math.ceil(pps * ref.r_us / 1e6)])
    say(table(["mode", "R us", "W us", "N* = W/R", "one reader's limit packets/s",
               "mean packet bytes", "10 Gbit/s packets/s", "readers needed (pps x R)",
               "workers needed (pps x W)", "cores"], rows))
    say("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
