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

# Forged fields (pcaps/make-hostile.py forged-fields): the SNI, ALPN names and certificate
# names carry " sni=bank.example status=established", quotes, a newline and bytes that are not
# UTF-8. Neither grep nor awk can take any of it for a field of its own.
forged="$srcdir/pcaps/hostile/forged-fields.pcap"
"$HSDUMP" -vv -r "$forged" >"$tmp/forged" 2>/dev/null
check "forged fields: grep sni=bank.example finds no line" \
    test "$(grep -c 'sni=bank.example' "$tmp/forged")" -eq 0
check "forged fields: grep -w status=established finds only the good connection" \
    test "$(grep -w 'status=established' "$tmp/forged" | grep -vc ' 10.0.0.2:8443 close ')" -eq 0
check "forged fields: every line is one event (the newline did not split one)" \
    test "$(grep -vc '^2025-[0-9-]*T[0-9:.]*Z c[0-9]* ' "$tmp/forged")" -eq 0
# awk's whitespace split: after the six prefix words and the event's own words, every word is
# one key=value whose key (up to the first '=') is a name, never a forged one
check "forged fields: awk finds no word sni=bank.example or status=established from a value" \
    test -z "$(awk '{ for (i = 1; i <= NF; i++) if ($i == "sni=bank.example" ||
        ($i == "status=established" && $3 != "10.0.0.1:50001")) print }' "$tmp/forged")"
check "forged fields: every word with '=' starts with a key" \
    test -z "$(awk '{ for (i = 7; i <= NF; i++) if ($i ~ /=/ && $i !~ /^[a-z0-9_]+=/) print $i }' \
        "$tmp/forged")"
# the man page's recipe gives the value back: the field's word, the key cut off, GNU printf %b
sni=$(awk '$6 == "close" { for (i = 7; i <= NF; i++) if (index($i, "sni=") == 1) {
    print substr($i, 5); exit } }' "$tmp/forged")
check "forged fields: the sni field decodes to the wire's SNI" \
    test "$(env printf '%b' "$sni")" = "a sni=bank.example status=established"

command -v python3 >/dev/null 2>&1 || { done_testing; exit 0; }
# JSON carries the characters the wire carried: the SNI whole, the RFC 4514 escaped comma
# of a certificate name as a backslash, a byte that is not UTF-8 as \xHH
"$HSDUMP" -T json -r "$forged" >"$tmp/forged.json" 2>/dev/null
check "forged fields: JSON strings carry the wire's characters" python3 -c '
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
hello = lines[0]
assert hello["sni"] == "a sni=bank.example status=established", hello["sni"]
assert hello["alpn"] == ["a sni=bank.example status=established", "q\"uote\\back,comma",
                         "line\nstatus=established", "caf\u00e9\\xff"], hello["alpn"]
x509 = [o for o in lines if o["event"] == "x509"][0]
assert "O=GitHub\\, Inc." in x509["subject"], x509["subject"]
assert x509["san_dns"][2] == "\\xff,x=y", x509["san_dns"]
' "$tmp/forged.json"

# peak RSS in KiB of "$@" reading the generator's pipe, when GNU time is there
# Peak RSS of a command. Under AddressSanitizer (--enable-sanitizers) freed blocks wait in a
# quarantine of 256 MiB by default before reuse, which a run that frees a record buffer per
# record fills: a small quarantine keeps the figure hsdump's own (no effect without ASan).
rss_of() {
    if [ -x /usr/bin/time ]; then
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
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
