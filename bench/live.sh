#!/usr/bin/env bash
# Live capture at the highest rate this machine can replay (issue 8, item 4): tcpreplay
# --topspeed sends a capture on the loopback interface while `hsdump -i lo` dissects it, then
# hsdump's counters say how many packets the kernel dropped (pcap_stats) and how many
# ClientHellos it printed, against the same file read offline.
#
# Usage: bench/live.sh [-B KIB] [-S] [-j N] [-p PPS] [FILE]   (as root; FILE defaults to a
# 10,000-connection capture made by bench/gen.py into bench/data/). -B is hsdump's kernel buffer
# (default: hsdump's, libpcap's 2 MiB, or 32 MiB with -j 2 or more), -S runs hsdump in summary
# mode, -j N dissects in N worker processes (hsdump -j, issue 22; default 1), -p replays at PPS
# packets/s instead of --topspeed. Prints one result line per run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
hsdump=${HSDUMP:-$top/src/hsdump}
buffer=
mode=text
jobs=1
speed=(--topspeed)
while getopts "B:Sj:p:" opt; do
    case $opt in
    B) buffer=$OPTARG ;;
    S) mode=summary ;;
    j) jobs=$OPTARG ;;
    p) speed=(--pps="$OPTARG") ;;
    *) echo "usage: bench/live.sh [-B KIB] [-S] [-j N] [-p PPS] [FILE]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ "$(id -u)" -eq 0 ] || { echo "bench/live.sh: needs root (capture and replay on lo)" >&2; exit 2; }
command -v tcpreplay >/dev/null || { echo "bench/live.sh: needs tcpreplay (apt-get install tcpreplay)" >&2; exit 2; }

file=${1:-$here/data/L-c10000-b8192-k1000-v0.2-s1.pcap}
if [ ! -f "$file" ]; then
    mkdir -p "$(dirname "$file")"
    python3 "$here/gen.py" --connections 10000 --concurrency 1000 --app-bytes 8192 \
        --ipv6-share 0.2 --seed 1 "$file" >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args=(-i lo -Z root --stats -j "$jobs")
[ -n "$buffer" ] && args+=(-B "$buffer")
[ "$mode" = summary ] && args+=(-S)
want=$("$hsdump" -r "$file" | grep -c ' handshake client_hello ' || true)

# The filter keeps hsdump to the replayed traffic (server port 443, as gen.py writes it).
"$hsdump" "${args[@]}" 'tcp port 443' >"$work/out" 2>"$work/err" &
pid=$!
sleep 1
tcpreplay -i lo "${speed[@]}" "$file" >"$work/replay" 2>&1
# hsdump reads this file offline in about a second: five are enough to drain the buffer.
sleep 5
kill -INT "$pid"
wait "$pid" || true

rate=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$work/replay")
sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$work/replay")
seen=$(sed -n 's/^hsdump: packets: //p' "$work/err" | tail -n 1)
dropped=$(sed -n 's/^hsdump: kernel dropped: //p' "$work/err" | tail -n 1)
if_dropped=$(sed -n 's/^hsdump: interface dropped: //p' "$work/err" | tail -n 1)
got=$(grep -c ' handshake client_hello ' "$work/out" || true)
[ "$mode" = summary ] && got=$(grep -c ' close ' "$work/out" || true) &&
    want=$("$hsdump" -S -r "$file" | grep -c ' close ' || true)
echo "live mode=$mode jobs=$jobs speed=${speed[*]} buffer_kib=${buffer:-default} file=$(basename "$file") sent=$sent" \
    "replay_pps=$rate captured=$seen kernel_dropped=$dropped interface_dropped=$if_dropped" \
    "printed=$got expected=$want"
