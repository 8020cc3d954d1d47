#!/bin/bash
# Memory under attack (issue 16): peak RSS of hsdump on captures made by bench/gen_memory.py,
# each a crowd of peers whose handshake messages claim 256 KiB and bring little:
#   dtls          4096 DTLS flows (the UDP flow table), 20 one-byte fragments each way
#   tcp           65,536 TCP connections (--max-conns), each 8 records of 1400 bytes of one
#                 ClientHello, one record per segment
#   tcp-partial   65,536 TCP connections, each the first 12,000 bytes of a 16 KiB record, in
#                 segments of 1448 bytes: records held in part
# Captures go to bench/data/ (not committed: the TCP ones are about 800 MB) and are reused.
# Target: peak RSS under 256 MiB with the default --max-handshake-memory. Prints a Markdown
# table; exit status 1 if a target is missed. Usage: bench/memory.sh [--base HSDUMP] [CASE...]
# (--base: also measure an older build, for comparison).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
hsdump=${HSDUMP:-$top/src/hsdump}
python=${PYTHON:-python3}
data=${DATA:-$here/data}
base=""
if [ "${1:-}" = "--base" ]; then
    base=$2
    shift 2
fi
cases=${*:-dtls tcp tcp-partial}
target_kib=$((256 * 1024))
mkdir -p "$data"

capture() {
    local name=$1 file="$data/memory-$1.pcap"
    if [ ! -s "$file" ]; then
        case $name in
        dtls) "$python" "$here/gen_memory.py" dtls "$file" >&2 ;;
        tcp) "$python" "$here/gen_memory.py" tcp "$file" >&2 ;;
        tcp-partial)
            "$python" "$here/gen_memory.py" tcp "$file" --records 1 --record-size 16384 \
                --mss 1448 --last-bytes 12000 >&2
            ;;
        *)
            echo "memory.sh: unknown case '$name'" >&2
            exit 2
            ;;
        esac
    fi
    echo "$file"
}

# peak KiB, seconds, dropped messages of one run
measure() {
    local bin=$1 file=$2
    shift 2
    /usr/bin/time -f '%M %e' -o "$data/memory-time" "$bin" --stats "$@" -r "$file" \
        >/dev/null 2>"$data/memory-stats"
    local dropped
    dropped=$(sed -n 's/^hsdump: handshake messages dropped (--max-handshake-memory): //p' \
        "$data/memory-stats")
    echo "$(cat "$data/memory-time") ${dropped:--}"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

status=0
echo "| case | build | budget | peak RSS MiB | wall s | messages dropped | target |"
echo "| --- | --- | --- | ---: | ---: | ---: | --- |"
for name in $cases; do
    file=$(capture "$name")
    for bin in $base "$hsdump"; do
        label=$([ "$bin" = "$hsdump" ] && echo "this tree" || echo "--base")
        read -r kib secs dropped <<<"$(measure "$bin" "$file")"
        verdict="-"
        if [ "$bin" = "$hsdump" ]; then
            verdict=$([ "$kib" -lt "$target_kib" ] && echo "met (< 256)" || echo "MISSED")
            [ "$kib" -lt "$target_kib" ] || status=1
        fi
        printf '| %s | %s | default | %s | %s | %s | %s |\n' "$name" "$label" \
            "$(mib "$kib")" "$secs" "$dropped" "$verdict"
    done
    # what is not the budget's: the same run with a budget of 1 MiB
    read -r kib secs dropped <<<"$(measure "$hsdump" "$file" --max-handshake-memory 1M)"
    printf '| %s | this tree | 1M | %s | %s | %s | - |\n' "$name" "$(mib "$kib")" "$secs" \
        "$dropped"
done
rm -f "$data/memory-time" "$data/memory-stats"
exit $status
