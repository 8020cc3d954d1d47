#!/bin/bash
# Throughput and memory benchmark (issue 8). Generates the reference captures into bench/data/
# (once; they are reused while their parameters match), then times, in alternating rounds, the
# bare libpcap loop, hsdump text, -T json and -S, and once each (by default) ssldump and tshark;
# checks hsdump's client_hello count against tshark's ClientHello count; measures hsdump -S peak
# RSS on 10k, 100k and 1M connections. With --only K (issue 17), the cost of decryption: capture
# A's shape with every connection TLS 1.3 and its secrets in a key log, timed without and with
# --keylog. Prints Markdown tables on stdout and keeps them in bench/data/last-run.md.
# Usage: bench/run.sh --help.
set -eu

usage() {
    cat <<'EOF'
Usage: bench/run.sh [options]
  --scale F       multiply every connection count by F (default 1; 0.1 for a quick run)
  --rounds N      timed rounds of the fast tools, each running every tool once (default 5)
  --slow MODE     ssldump and tshark: once (default: in the first round), every (every round)
                  or skip
  --no-check      skip the client_hello count check against tshark
  --no-flat       skip the memory-flatness series
  --only LIST     comma-separated subset of captures to time: A,B,K (default A,B); K is A's
                  shape with every connection TLS 1.3, timed without and with --keylog
                  (generating it needs the Python module cryptography)
  --data DIR      where captures and results go (default bench/data)
  -h, --help      this text
Environment: HSDUMP (default src/hsdump), CC (default cc), PYTHON (default python3),
NICE (default, as root: nice -n -10, so the timed tools run ahead of other work),
HSDUMP_BASE (another hsdump binary timed beside HSDUMP on A and B, text and -S).
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
scale=1
rounds=5
slow=once
check=1
flat=1
only=A,B
data=$here/data
while [ $# -gt 0 ]; do
    case $1 in
    --scale) scale=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --slow) slow=$2; shift 2 ;;
    --no-check) check=0; shift ;;
    --no-flat) flat=0; shift ;;
    --only) only=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
case $slow in once | every | skip) ;; *) usage >&2; exit 2 ;; esac

HSDUMP=${HSDUMP:-$top/src/hsdump}
HSDUMP_BASE=${HSDUMP_BASE:-}
CC=${CC:-cc}
PYTHON=${PYTHON:-python3}
TIME=/usr/bin/time
# The machine is shared: as root, run the timed tools ahead of other work (NICE= to turn off).
NICE=${NICE-$([ "$(id -u)" = 0 ] && echo nice -n -10)}
die() { echo "bench/run.sh: $*" >&2; exit 2; }
log() { echo "bench/run.sh: $*" >&2; }

[ -x "$HSDUMP" ] || die "$HSDUMP: not built (make -j2 first)"
[ -z "$HSDUMP_BASE" ] || [ -x "$HSDUMP_BASE" ] || die "$HSDUMP_BASE: not executable"
[ -x "$TIME" ] || die "$TIME missing (apt-get install time)"
mkdir -p "$data"
work=$data/run.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

loop=$data/pcap_loop
# shellcheck disable=SC2046
"$CC" -O2 -Wall -Wextra -o "$loop" "$here/pcap_loop.c" $(pkg-config --cflags --libs libpcap) ||
    die "cannot build bench/pcap_loop.c"

have_ssldump=0; command -v ssldump >/dev/null 2>&1 && have_ssldump=1
have_tshark=0; command -v tshark >/dev/null 2>&1 && have_tshark=1
[ "$slow" = skip ] && { have_ssldump=0; have_tshark=0; }

scaled() { "$PYTHON" -c "import sys; print(max(1, round($1 * float(sys.argv[1]))))" "$scale"; }

# capture NAME CONNECTIONS APP_BYTES: the file's path; the parameters are in its name so a
# capture is regenerated only when they change.
capture_path() { echo "$data/$1-c$2-b$3-k1000-v0.2-s1.pcap"; }
gen_args() { echo "--connections $1 --concurrency 1000 --app-bytes $2 --ipv6-share 0.2 --seed 1"; }
# K's key log sits beside it; gen.py writes both.
keylog_path() { echo "${1%.pcap}.keylog"; }
keyed_args() { [ "$1" = K ] && echo "--keylog-out $(keylog_path "$2")"; true; }

# Every capture of this run: name, connections, app bytes each way.
specs=()
case ",$only," in *,A,*) specs+=("A $(scaled 100000) 8192") ;; esac
case ",$only," in *,B,*) specs+=("B $(scaled 10000) 65536") ;; esac
case ",$only," in *,K,*) specs+=("K $(scaled 100000) 8192") ;; esac
flat_specs=()
if [ "$flat" = 1 ]; then
    flat_specs=("F10k $(scaled 10000) 0" "F100k $(scaled 100000) 0" "F1M $(scaled 1000000) 0")
fi

# Disk space: size a 1000-connection sample of each shape, scale up, compare with df.
need=0
for spec in "${specs[@]}" "${flat_specs[@]}"; do
    set -- $spec
    f=$(capture_path "$1" "$2" "$3")
    [ -f "$f" ] && continue
    # shellcheck disable=SC2046
    sample=$("$PYTHON" "$here/gen.py" $(gen_args 1000 "$3") \
        $(keyed_args "$1" "$work/sample.pcap") - 2>/dev/null | wc -c)
    need=$((need + sample * $2 / 1000))
done
avail=$(($(df -Pk "$data" | awk 'NR == 2 {print $4}') * 1024))
log "disk: need $((need >> 20)) MiB for new captures, $((avail >> 20)) MiB free in $data"
[ "$need" -lt "$avail" ] || die "not enough disk space: try --scale 0.1 or --no-flat"

for spec in "${specs[@]}" "${flat_specs[@]}"; do
    set -- $spec
    f=$(capture_path "$1" "$2" "$3")
    if [ ! -f "$f" ] || { [ "$1" = K ] && [ ! -f "$(keylog_path "$f")" ]; }; then
        log "generating $f"
        start=$(date +%s.%N)
        # shellcheck disable=SC2046
        "$PYTHON" "$here/gen.py" $(gen_args "$2" "$3") $(keyed_args "$1" "$f") "$f"
        log "generated in $("$PYTHON" -c "import sys,time; print('%.1f s' % (time.time() - float(sys.argv[1])))" "$start")"
    fi
done

# One line per timed run: capture tool round wall_s peak_rss_kib exit_status cpu_s load1.
# wall_s comes from bash's clock around /usr/bin/time (whose %e has 10 ms steps, too coarse
# for the bare loop); cpu_s is user+system time, less disturbed by other work on the machine.
raw=$work/raw.tsv
: >"$raw"
# timed CAPTURE TOOL ROUND CMD...: one run, stdout to /dev/null, stderr to the run's log.
timed() {
    local cap=$1 tool=$2 round=$3 status=0 load
    shift 3
    load=$(cut -d' ' -f1 /proc/loadavg)
    local t0=$EPOCHREALTIME
    $NICE "$TIME" -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>>"$work/$tool.stderr" ||
        status=$?
    local t1=$EPOCHREALTIME
    # The last line: a failing tool gets "Command exited with non-zero status N" before it.
    read -r _ rss user sys < <(tail -n 1 "$work/time")
    read -r secs cpu < <("$PYTHON" -c 'import sys; a = [float(x) for x in sys.argv[1:]]
print("%.3f %.2f" % (a[1] - a[0], a[2] + a[3]))' "$t0" "$t1" "$user" "$sys")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cap" "$tool" "$round" "$secs" "$rss" "$status" \
        "$cpu" "$load" >>"$raw"
    log "$cap round $round $tool: ${secs}s (cpu ${cpu}s) ${rss}KiB status $status load $load"
}

meta=$work/meta.tsv # capture key value
: >"$meta"
for spec in "${specs[@]}"; do
    set -- $spec
    f=$(capture_path "$1" "$2" "$3")
    cat "$f" >/dev/null # warm the page cache: every tool reads from memory
    packets=$("$loop" "$f" | sed 's/^packets=\([0-9]*\).*/\1/')
    printf '%s\tfile\t%s\n%s\tconnections\t%s\n%s\tapp_bytes\t%s\n%s\tpackets\t%s\n%s\tsize\t%s\n' \
        "$1" "$(basename "$f")" "$1" "$2" "$1" "$3" "$1" "$packets" "$1" "$(stat -c %s "$f")" \
        >>"$meta"
    if [ "$1" = K ]; then
        keys=$(keylog_path "$f")
        cat "$keys" >/dev/null
        printf '%s\tkeylog\t%s\n%s\tkeylog_size\t%s\n%s\tkeylog_lines\t%s\n' "$1" \
            "$(basename "$keys")" "$1" "$(stat -c %s "$keys")" "$1" "$(grep -vc '^#' "$keys")" \
            >>"$meta"
    fi
    for round in $(seq 1 "$rounds"); do
        timed "$1" bare "$round" "$loop" "$f"
        timed "$1" hsdump_text "$round" "$HSDUMP" -r "$f"
        if [ "$1" = K ]; then
            # Side by side: the same capture without keys (above) and with every secret.
            timed "$1" hsdump_text_keys "$round" "$HSDUMP" --keylog "$keys" -r "$f"
            timed "$1" hsdump_summary "$round" "$HSDUMP" -S -r "$f"
            timed "$1" hsdump_summary_keys "$round" "$HSDUMP" --keylog "$keys" -S -r "$f"
            continue
        fi
        timed "$1" hsdump_json "$round" "$HSDUMP" -T json -r "$f"
        timed "$1" hsdump_summary "$round" "$HSDUMP" -S -r "$f"
        if [ -n "$HSDUMP_BASE" ]; then
            timed "$1" base_text "$round" "$HSDUMP_BASE" -r "$f"
            timed "$1" base_summary "$round" "$HSDUMP_BASE" -S -r "$f"
        fi
        if [ "$slow" = every ] || { [ "$slow" = once ] && [ "$round" = 1 ]; }; then
            [ "$have_ssldump" = 1 ] && timed "$1" ssldump "$round" ssldump -r "$f" -n
            [ "$have_tshark" = 1 ] && timed "$1" tshark_text "$round" tshark -r "$f" -Y tls.handshake
        fi
    done
    if [ "$1" = K ]; then
        # Every record must open: the --stats counters of a keyed run.
        "$HSDUMP" --keylog "$keys" -S --stats -r "$f" 2>"$work/stats" >/dev/null || true
        # a label may carry a note in parentheses, e.g. "connections decrypted (...)"
        stat_of() { sed -n -E "s/^hsdump: $1( \([^)]*\))?: //p" "$work/stats"; }
        printf '%s\tdecrypted_conns\t%s\n%s\tdecrypted_records\t%s\n%s\tfailed_conns\t%s\n' \
            "$1" "$(stat_of 'connections decrypted')" \
            "$1" "$(stat_of 'records decrypted')" \
            "$1" "$(stat_of 'connections with records the secrets did not open')" >>"$meta"
        # issue 17 part 5: a decrypted message that contradicts the keyless inference
        printf '%s\tcontradicted\t%s\n' "$1" \
            "$(stat_of 'keyless inferences contradicted by decryption')" >>"$meta"
    elif [ "$check" = 1 ] && command -v tshark >/dev/null 2>&1; then
        log "$1: counting ClientHellos (hsdump text, tshark with desegmentation defaults)"
        hs=$("$HSDUMP" -r "$f" | grep -c ' handshake client_hello ' || true)
        ts=$(tshark -r "$f" -Y 'tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null |
            wc -l)
        printf '%s\tcheck_hsdump\t%s\n%s\tcheck_tshark\t%s\n' "$1" "$hs" "$1" "$ts" >>"$meta"
    fi
done

for spec in "${flat_specs[@]}"; do
    set -- $spec
    f=$(capture_path "$1" "$2" "$3")
    cat "$f" >/dev/null
    packets=$("$loop" "$f" | sed 's/^packets=\([0-9]*\).*/\1/')
    printf '%s\tconnections\t%s\n%s\tpackets\t%s\n%s\tsize\t%s\n' \
        "$1" "$2" "$1" "$packets" "$1" "$(stat -c %s "$f")" >>"$meta"
    timed "$1" hsdump_summary 1 "$HSDUMP" -S -r "$f"
done

{
    echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ), scale $scale, $rounds rounds, slow tools: $slow," \
        "hsdump: $HSDUMP,${HSDUMP_BASE:+ base: $HSDUMP_BASE,} timed under: ${NICE:-no nice};" \
        "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    "$PYTHON" "$here/report.py" "$raw" "$meta"
} | tee "$data/last-run.md"
cp "$raw" "$data/last-run.tsv"
cp "$meta" "$data/last-run-meta.tsv" # report.py last-run.tsv last-run-meta.tsv: the tables again
