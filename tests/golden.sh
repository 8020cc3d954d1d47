#!/bin/sh
# Golden outputs: hsdump's exact output for every capture in pcaps/ must equal
# tests/golden/<capture>.txt. After a reviewed change of output, regenerate them with
#   HSDUMP=src/hsdump tests/golden.sh --update
# and read the diff before committing.
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

found=no
for pcap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng; do
    [ -f "$pcap" ] || continue
    found=yes
    name=$(basename "$pcap")
    golden="$srcdir/tests/golden/$name.txt"
    "$HSDUMP" -r "$pcap" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$update" = yes ]; then
        cp "$tmp/out" "$golden"
        continue
    fi
    if [ $status -ne 0 ]; then
        not_ok "$name: exit status $status: $(head -c 300 "$tmp/err")"
    elif [ ! -f "$golden" ]; then
        not_ok "$name: no golden file $golden"
    elif diff -u "$golden" "$tmp/out" >"$tmp/diff"; then
        ok "$name matches its golden output"
    else
        not_ok "$name differs from its golden output"
        sed 's/^/# /' "$tmp/diff" | head -40
    fi
done
[ "$found" = yes ] || not_ok "no captures found in $srcdir/pcaps"
[ "$update" = yes ] && exit 0
done_testing
