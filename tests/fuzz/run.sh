#!/bin/sh
# make fuzz: seeds the corpora from pcaps/ and runs each fuzzer for FUZZ_SECONDS (default 60).
# Crashes, leaks and timeouts are written to tests/fuzz/findings/ in the build tree; each one
# found must become a regression vector in the unit tests (tests/test_*.c).
set -eu
srcdir=${srcdir:-.}
seconds=${FUZZ_SECONDS:-60}
work=tests/fuzz/work
mkdir -p "$work" tests/fuzz/findings
# pcapng and gzip-compressed captures seed fuzz_capture only (make_seeds.py reads pcap frames)
python3 "$srcdir/tests/fuzz/make_seeds.py" "$work/seeds" "$srcdir"/pcaps/*.pcap \
    "$srcdir"/pcaps/*.pcapng "$srcdir"/pcaps/*.gz
for name in record link capture datagram; do
    corpus="$work/corpus-$name"
    mkdir -p "$corpus"
    echo "== fuzz_$name: $seconds s, corpus $corpus"
    tests/fuzz/fuzz_$name -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=tests/fuzz/findings/"$name"- -print_final_stats=1 \
        "$corpus" "$work/seeds/$name" 2>&1 | grep -E "INITED|DONE|stat::|ERROR|SUMMARY|Test unit written"
done
