#!/bin/bash
# Parallel dissection benchmark (issue 22 parts 4 and 5). On capture A (bench/run.sh's, made by
# bench/gen.py when missing), in alternating rounds: the bare libpcap loop, and hsdump text and
# -S with -j 1, 2, 3, 4; tshark text once. Every run goes through bench/proc_tree.c, which reads
# each process's own CPU time and peak RSS (VmHWM) at its exit, so the reader's cost per packet
# and the workers' are measured apart (and checked against /usr/bin/time's totals). Then live:
# bench/live.sh -j 2 at tcpreplay --topspeed on lo, text and -S, a few times each, with the
# kernel's drop count. Each round also runs hsdump text -j 2 without proc_tree, to show what
# tracing costs. Prints Markdown tables (bench/parallel_report.py) on stdout and keeps
# them in DATA/parallel-last-run.md, the raw figures beside them (parallel-last-run.*.tsv).
# Usage: bench/parallel.sh --help.
set -eu

usage() {
    cat <<'EOF'
Usage: bench/parallel.sh [options]
  --rounds N      timed rounds, each running the bare loop and every hsdump run once (default 3)
  --jobs LIST     comma-separated worker counts for hsdump -j (default 1,2,3,4)
  --slow MODE     tshark text: once (default: in the first round), every (every round) or skip
  --live N        live runs of each mode (text, -S): bench/live.sh -j 2 at tcpreplay
                  --topspeed on lo (default 3; 0 skips them; needs root and tcpreplay)
  --live-jobs N   hsdump -j of the live runs (default 2)
  --no-check      skip the check that every -j N writes the bytes -j 1 writes (one untimed run
                  of each, through md5sum)
  --scale F       capture A's connection count times F (default 1; 0.1 for a quick run)
  --data DIR      where captures and results go (default bench/data)
  -h, --help      this text
Environment: HSDUMP (default src/hsdump), CC (default cc), PYTHON (default python3),
NICE (default, as root: nice -n -10, so the timed tools run ahead of other work).
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
rounds=3
jobs=1,2,3,4
slow=once
live=3
live_jobs=2
scale=1
check=1
data=$here/data
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --slow) slow=$2; shift 2 ;;
    --live) live=$2; shift 2 ;;
    --live-jobs) live_jobs=$2; shift 2 ;;
    --no-check) check=0; shift ;;
    --scale) scale=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
case $slow in once | every | skip) ;; *) usage >&2; exit 2 ;; esac
for n in $rounds $live $live_jobs ${jobs//,/ }; do
    case $n in '' | *[!0-9]*) usage >&2; exit 2 ;; esac
done

HSDUMP=${HSDUMP:-$top/src/hsdump}
CC=${CC:-cc}
PYTHON=${PYTHON:-python3}
TIME=/usr/bin/time
NICE=${NICE-$([ "$(id -u)" = 0 ] && echo nice -n -10)}
die() { echo "bench/parallel.sh: $*" >&2; exit 2; }
log() { echo "bench/parallel.sh: $*" >&2; }

[ -x "$HSDUMP" ] || die "$HSDUMP: not built (make -j2 first)"
[ -x "$TIME" ] || die "$TIME missing (apt-get install time)"
if [ "$live" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "the live runs need root (--live 0 to skip them)"
    command -v tcpreplay >/dev/null || die "the live runs need tcpreplay (apt-get install tcpreplay; --live 0 to skip them)"
fi
have_tshark=0
[ "$slow" != skip ] && command -v tshark >/dev/null 2>&1 && have_tshark=1
[ "$slow" != skip ] && [ "$have_tshark" = 0 ] && log "tshark not found: its run is skipped"

mkdir -p "$data"
work=$data/parallel.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

loop=$data/pcap_loop
tree=$data/proc_tree
# shellcheck disable=SC2046
"$CC" -O2 -Wall -Wextra -o "$loop" "$here/pcap_loop.c" $(pkg-config --cflags --libs libpcap) ||
    die "cannot build bench/pcap_loop.c"
"$CC" -O2 -Wall -Wextra -o "$tree" "$here/proc_tree.c" || die "cannot build bench/proc_tree.c"

# Capture A as bench/run.sh names and makes it.
conns=$("$PYTHON" -c "import sys; print(max(1, round(100000 * float(sys.argv[1]))))" "$scale")
file=$data/A-c$conns-b8192-k1000-v0.2-s1.pcap
if [ ! -f "$file" ]; then
    log "generating $file"
    "$PYTHON" "$here/gen.py" --connections "$conns" --concurrency 1000 --app-bytes 8192 \
        --ipv6-share 0.2 --seed 1 "$file"
fi
cat "$file" >/dev/null # warm the page cache: every tool reads from memory
packets=$("$loop" "$file" | sed 's/^packets=\([0-9]*\).*/\1/')

meta=$work/meta.tsv # key value
{
    printf 'file\t%s\nconnections\t%s\npackets\t%s\nsize\t%s\n' "$(basename "$file")" "$conns" \
        "$packets" "$(stat -c %s "$file")"
    printf 'cores\t%s\nrounds\t%s\njobs\t%s\nlive_jobs\t%s\n' "$(nproc)" "$rounds" "$jobs" \
        "$live_jobs"
    printf 'hsdump\t%s\ncommit\t%s\n' "$HSDUMP" "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
} >"$meta"

# raw.tsv, one line per timed run: tool round wall_s peak_rss_kib exit_status cpu_s load1
# (wall from bash's clock; peak RSS, user+system CPU from /usr/bin/time, which counts the
# process and every child it reaped). procs.tsv, one line per process of each run, from
# proc_tree: tool round pid ppid depth user_s sys_s cpu_s vmhwm_kib anon_kib file_kib
# shmem_kib comm.
raw=$work/raw.tsv
procs=$work/procs.tsv
: >"$raw"
: >"$procs"
# timed TOOL ROUND CMD...: one run under proc_tree; TRACE= (empty) runs it without, as a check
# of what tracing costs.
timed() {
    local tool=$1 round=$2 status=0 load
    shift 2
    local trace=("$tree" -o "$work/tree" --)
    [ -n "${TRACE-1}" ] || { trace=(); echo "wall" >"$work/tree"; }
    load=$(cut -d' ' -f1 /proc/loadavg)
    local t0=$EPOCHREALTIME
    $NICE "$TIME" -f '%e %M %U %S' -o "$work/time" "${trace[@]}" "$@" \
        >/dev/null 2>>"$work/$tool.stderr" || status=$?
    local t1=$EPOCHREALTIME
    read -r _ rss user sys < <(tail -n 1 "$work/time")
    read -r secs cpu < <("$PYTHON" -c 'import sys; a = [float(x) for x in sys.argv[1:]]
print("%.3f %.2f" % (a[1] - a[0], a[2] + a[3]))' "$t0" "$t1" "$user" "$sys")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$round" "$secs" "$rss" "$status" "$cpu" \
        "$load" >>"$raw"
    grep -v '^wall' "$work/tree" | sed "s/^/$tool\t$round\t/" >>"$procs"
    log "round $round $tool: ${secs}s (cpu ${cpu}s) ${rss}KiB status $status load $load," \
        "$(grep -vc '^wall' "$work/tree") processes"
}

for round in $(seq 1 "$rounds"); do
    timed bare "$round" "$loop" "$file"
    for n in ${jobs//,/ }; do
        timed "text_j$n" "$round" "$HSDUMP" -j "$n" -r "$file"
        timed "summary_j$n" "$round" "$HSDUMP" -j "$n" -S -r "$file"
    done
    TRACE='' timed text_j2_untraced "$round" "$HSDUMP" -j 2 -r "$file"

    if [ "$have_tshark" = 1 ] && { [ "$slow" = every ] || [ "$round" = 1 ]; }; then
        timed tshark_text "$round" tshark -r "$file" -Y tls.handshake
    fi
done

# The outputs, untimed: every -j N's bytes against -j 1's (meta: check_MODE_jN md5 lines).
if [ "$check" = 1 ]; then
    for n in ${jobs//,/ }; do
        for mode in text summary; do
            flag=()
            [ "$mode" = summary ] && flag=(-S)
            sum=$("$HSDUMP" -j "$n" "${flag[@]}" -r "$file" 2>/dev/null | "$PYTHON" -c '
import hashlib, sys
h, lines = hashlib.md5(), 0
for block in iter(lambda: sys.stdin.buffer.read(1 << 20), b""):
    h.update(block)
    lines += block.count(b"\n")
print(h.hexdigest(), lines)')
            printf 'check_%s_j%s\t%s\n' "$mode" "$n" "$sum" >>"$meta"
        done
    done
fi

# Live: one result line of bench/live.sh per run, text and -S alternating.
lives=$work/live.txt
: >"$lives"
lfile=$data/L-c10000-b8192-k1000-v0.2-s1.pcap
for _ in $(seq 1 "$live"); do
    for mode in text summary; do
        flag=()
        [ "$mode" = summary ] && flag=(-S)
        line=$(HSDUMP=$HSDUMP "$here/live.sh" -j "$live_jobs" "${flag[@]}" "$lfile" 2>>"$work/live.stderr" |
            tail -n 1)
        echo "$line" >>"$lives"
        log "$line"
    done
done

{
    echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ), $rounds rounds, tshark: $slow, hsdump: $HSDUMP" \
        "($(sed -n 's/^commit\t//p' "$meta")), timed under: ${NICE:-no nice};" \
        "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    "$PYTHON" "$here/parallel_report.py" "$raw" "$procs" "$meta" "$lives"
} | tee "$data/parallel-last-run.md"
cp "$raw" "$data/parallel-last-run.tsv"
cp "$procs" "$data/parallel-last-run.procs.tsv"
cp "$meta" "$data/parallel-last-run.meta.tsv"
cp "$lives" "$data/parallel-last-run.live.txt"
# parallel_report.py parallel-last-run.tsv .procs.tsv .meta.tsv .live.txt: the tables again
