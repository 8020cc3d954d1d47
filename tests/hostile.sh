#!/bin/sh
# Hostile and broken input (pcaps/make-hostile.py): every small case must give exactly its
# golden output (tests/golden/hostile/NAME.txt: standard output, then standard error after a
# "# stderr" line) and exit 0; the good connection replayed after each must still be dissected.
# Two large cases are generated on the fly into a pipe: 1,000,000 SYNs from distinct ports and a
# connection sending 100 MB of handshake records; both must leave the good connection's
# handshake intact and stay within a memory bound. Regenerate the goldens after a reviewed
# change with: HSDUMP=src/hsdump tests/hostile.sh --update
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen="$srcdir/pcaps/make-hostile.py"

for pcap in "$srcdir"/pcaps/hostile/*.pcap; do
    cname=$(basename "$pcap" .pcap)
    golden="$srcdir/tests/golden/hostile/$cname.txt"
    "$HSDUMP" -vv -r "$pcap" >"$tmp/out" 2>"$tmp/err"
    status=$?
    { cat "$tmp/out"; echo "# stderr"; sed "s|$srcdir/||" "$tmp/err"; } >"$tmp/all"
    if [ "$update" = yes ]; then
        cp "$tmp/all" "$golden"
        continue
    fi
    check "$cname: exit status 0" [ "$status" -eq 0 ]
    if diff -u "$golden" "$tmp/all" >"$tmp/diff"; then
        ok "$cname: output matches its golden file"
    else
        not_ok "$cname: output differs from $golden"
        sed 's/^/# /' "$tmp/diff" | head -30
    fi
    # Past the handshake, connections leave libnids (src/tcp/bypass.c), which must change nothing:
    # with --verify-checksums libnids follows every connection to its end (the generator
    # writes correct checksums; the cut captures have none to verify).
    case $cname in
    cut-mid-packet | snaplen-*) ;;
    *)
        "$HSDUMP" -vv --verify-checksums -r "$pcap" >"$tmp/libnids" 2>/dev/null
        if diff -u "$tmp/libnids" "$tmp/out" >"$tmp/diff"; then
            ok "$cname: the same lines as with libnids to the end of every connection"
        else
            not_ok "$cname: the bypass past the handshake changed lines"
            sed 's/^/# /' "$tmp/diff" | head -30
        fi
        ;;
    esac
    case $cname in
    after-handshake-*)
        "$HSDUMP" --stats -r "$pcap" 2>&1 >/dev/null |
            grep '^hsdump: connections past their handshake, no longer reassembled: ' >"$tmp/stat"
        check "$cname: its connections left libnids after the handshake" \
            grep -q ': [1-9]' "$tmp/stat"
        ;;
    esac
    case $cname in
    cut-mid-packet | snaplen-*) ;; # the good connection is the damaged one here
    *) check "$cname: the good connection after it is still established" \
        grep -q ' 10.0.0.2:8443 close .*status=established' "$tmp/out" ;;
    esac
done
[ "$update" = yes ] && exit 0

# --max-conns bounds the connections past their handshake too: the least recently active of
# three goes when the third is handed over, the other two close normally.
three="$srcdir/pcaps/hostile/after-handshake-three.pcap"
"$HSDUMP" --max-conns 2 --stats -r "$three" >"$tmp/three" 2>"$tmp/three.err"
check "max-conns 2: the least recently active connection past its handshake is evicted" \
    grep -q ' 10.0.0.1:40000 -> 10.0.0.2:443 close end=evicted .*status=established' "$tmp/three"
check "max-conns 2: the two others close normally" \
    [ "$(grep -c ' 10.0.0.1:4000[12] -> 10.0.0.2:443 close end=fin ' "$tmp/three")" -eq 2 ]
check "max-conns 2: one eviction counted" \
    grep -q '^hsdump: connections evicted (--max-conns): 1$' "$tmp/three.err"

command -v python3 >/dev/null 2>&1 || { done_testing; exit 0; }
# peak RSS in KiB of "$@" reading the generator's pipe, when GNU time is there
rss_of() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$tmp/rss" "$@"
    else
        "$@"
        echo 0 >"$tmp/rss"
    fi
}

python3 "$gen" syn-flood 1000000 | rss_of "$HSDUMP" -S -r - >"$tmp/syn" 2>"$tmp/syn.err"
check "syn flood: the good connection is established" \
    grep -q ' 10.0.0.2:8443 close .*status=established' "$tmp/syn"
check "syn flood: peak RSS under 256 MiB ($(cat "$tmp/rss") KiB)" [ "$(cat "$tmp/rss")" -lt 262144 ]

python3 "$gen" handshake-flood 100 | rss_of "$HSDUMP" -r - >"$tmp/flood" 2>"$tmp/flood.err"
check "handshake flood: lines capped per connection" \
    [ "$(grep -c ' 10.0.0.2:443 ' "$tmp/flood")" -le 1001 ]
check "handshake flood: the close line counts the suppressed events" \
    grep -q ' 10.0.0.2:443 close .*events_suppressed=[0-9]' "$tmp/flood"
check "handshake flood: all 100 MB were read (bytes_c2s)" \
    grep -q ' 10.0.0.2:443 close .*bytes_c2s=104[0-9]\{6\}' "$tmp/flood"
check "handshake flood: the good connection is established" \
    grep -q ' 10.0.0.2:8443 close .*status=established' "$tmp/flood"
check "handshake flood: peak RSS under 128 MiB ($(cat "$tmp/rss") KiB)" [ "$(cat "$tmp/rss")" -lt 131072 ]
done_testing
