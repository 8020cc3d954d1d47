#!/bin/sh
# The benchmark captures stay the ones bench/RESULTS.md was measured on: bench/gen.py takes its
# templates from the 29 connections of the captures it names (pcaps/ at 75d6729), whatever is
# added to pcaps/ since, and the same arguments give the same bytes. A 300-connection capture
# with capture A's arguments is compared with the one 75d6729's gen.py made from 75d6729's
# pcaps/ (its MD5 below; the whole capture A, 3,019,947 packets, has MD5
# f19b904f9a193bfc0d1c8e406a2da858 both ways).
. "${srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "no python3"
command -v md5sum >/dev/null 2>&1 || skip_all "no md5sum"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen="$srcdir/bench/gen.py"

if python3 "$gen" --pcaps "$srcdir/pcaps" --list-templates >"$tmp/list" 2>"$tmp/err"; then
    count=$(wc -l <"$tmp/list")
    captures=$(sed 's|/c[0-9]*  *.*||' "$tmp/list" | sort -u | wc -l)
    if [ "$count" -eq 29 ] && [ "$captures" -eq 24 ]; then
        ok "bench/gen.py: 29 templates from 24 captures, as at 75d6729"
    else
        not_ok "bench/gen.py: $count templates from $captures captures (29 from 24 expected)"
        sed 's/^/# /' "$tmp/list"
    fi
else
    not_ok "bench/gen.py --list-templates failed"
    sed 's/^/# /' "$tmp/err"
fi

python3 "$gen" --pcaps "$srcdir/pcaps" --connections 300 --concurrency 1000 --app-bytes 8192 \
    --ipv6-share 0.2 --seed 1 "$tmp/a300.pcap" >/dev/null 2>"$tmp/err"
sum=$(md5sum <"$tmp/a300.pcap" | cut -d' ' -f1)
if [ "$sum" = c6fb65a77d7006f76ed9b79a5ef689aa ]; then
    ok "capture A's arguments, 300 connections: the bytes 75d6729 made"
else
    not_ok "capture A's arguments, 300 connections: MD5 $sum, not the bytes 75d6729 made"
    sed 's/^/# /' "$tmp/err"
fi
done_testing
