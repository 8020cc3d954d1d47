#!/bin/sh
# -T ladder (issue 21 part 1): golden diagrams, ASCII (--ascii) and UTF-8 (LC_ALL=C.UTF-8),
# of captures chosen for their flows (tests/golden/<capture>.ladder.txt and .ladder-utf8.txt);
# regenerate with
#   HSDUMP=src/hsdump tests/ladder.sh --update
# and read the diff before committing. Then: a forged SNI cannot break the drawing, -Y picks
# connections, -c stops, and no byte outside printable ASCII but the glyphs is written.
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# standard output is a file here: 80 columns, no colour, whatever the caller's terminal
unset COLUMNS

# golden CAPTURE OPTION...: the ASCII and the UTF-8 ladder of one capture
golden() {
    pcap="$1"
    base=$(basename "$1")
    shift
    if ! LC_ALL=C "$HSDUMP" -T ladder --ascii "$@" -r "$pcap" >"$tmp/ascii" 2>"$tmp/err"; then
        not_ok "$base --ascii: exit status: $(head -c 300 "$tmp/err")"
    fi
    compare_golden "$base -T ladder --ascii" "$tmp/ascii" "$srcdir/tests/golden/$base.ladder.txt"
    if ! LC_ALL=C.UTF-8 "$HSDUMP" -T ladder "$@" -r "$pcap" >"$tmp/utf8" 2>"$tmp/err"; then
        not_ok "$base UTF-8: exit status: $(head -c 300 "$tmp/err")"
    fi
    compare_golden "$base -T ladder (UTF-8)" "$tmp/utf8" "$srcdir/tests/golden/$base.ladder-utf8.txt"
}

p="$srcdir/pcaps"
golden "$p/tls12-full.pcap"
golden "$p/tls12-resume-sessionid.pcap"
golden "$p/tls12-resume-ticket.pcap"
golden "$p/tls13-full.pcap"
golden "$p/tls13-hrr.pcap"
golden "$p/tls13-psk-resume.pcap"
golden "$p/tls13-early-data.pcap"
golden "$p/tls13-mutual.pcap"
golden "$p/alert-cert-expired.pcap"
golden "$p/dtls12.pcap"
golden "$p/keylog-tls13-full.pcap" --keylog "$p/keylogs/keylog-tls13-full.keylog"
golden "$p/hostile/forged-fields.pcap"
# QUIC: the public capture with its secrets (absent in a bare clone)
quic="$srcdir/../shared/pcaps-public/ja4/chrome-cloudflare-quic-with-secrets.pcapng"
if [ -f "$quic" ]; then
    golden "$quic"
else
    skip "QUIC ladder" "no public QUIC capture at $quic"
    skip "QUIC ladder (UTF-8)" "no public QUIC capture at $quic"
fi
[ "$update" = yes ] && exit 0

# The drawing's frame holds whatever the wire says: every line of every bundled capture's
# ASCII ladder is printable ASCII, and every row between the lifelines is 80 columns wide.
bad=0
for pcap in "$p"/*.pcap "$p"/*.pcapng "$p"/hostile/*.pcap; do
    [ -f "$pcap" ] || continue
    LC_ALL=C "$HSDUMP" -T ladder --ascii -r "$pcap" >"$tmp/out" 2>/dev/null
    if LC_ALL=C grep -n '[^ -~]' "$tmp/out" >"$tmp/faults" ||
        LC_ALL=C awk '/^ .*\|$/ && length($0) != 80' "$tmp/out" |
            grep . >"$tmp/faults"; then
        bad=$((bad + 1))
        echo "# $(basename "$pcap"):"
        sed 's/^/#   /' "$tmp/faults" | head -3
    fi
done
check "every bundled capture: ASCII ladders printable, rows 80 columns" test "$bad" -eq 0

# UTF-8 rows are 80 characters too (the glyphs are one column each).
LC_ALL=C.UTF-8 "$HSDUMP" -T ladder -r "$p/tls13-hrr.pcap" >"$tmp/utf8"
if command -v python3 >/dev/null 2>&1; then
    check "UTF-8 rows are 80 characters" python3 -c '
import sys
rows = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if "\u2502" in l or "\u2524" in l]
sys.exit(not rows or any(len(l) != 80 for l in rows))' "$tmp/utf8"
else
    skip "UTF-8 rows are 80 characters" "python3 not installed"
fi

# COLUMNS is read only on a terminal: piped, 80 columns.
COLUMNS=120 "$HSDUMP" -T ladder --ascii -r "$p/tls13-full.pcap" >"$tmp/cols"
check "COLUMNS ignored when not a terminal" cmp -s "$tmp/cols" "$srcdir/tests/golden/tls13-full.pcap.ladder.txt"

# No colour when not a terminal, whatever NO_COLOR says.
"$HSDUMP" -T ladder -r "$p/alert-cert-expired.pcap" >"$tmp/plain"
check "no escape sequences in a pipe" sh -c "! grep -q \"$(printf '\033')\" '$tmp/plain'"

# -Y picks whole connections: one of whose events matches.
"$HSDUMP" -T ladder --ascii -Y 'flow == ticket' -r "$p/tls12-resume-ticket.pcap" >"$tmp/y"
check "-Y 'flow == ticket': one ladder, the resumed connection" \
    sh -c "test \$(grep -c '^[^ ].* c[0-9]* ' '$tmp/y') -eq 1 && grep -q '^[^ ].* c2 ' '$tmp/y'"
"$HSDUMP" -T ladder --ascii -Y 'message == new_session_ticket' -r "$p/tls12-resume-ticket.pcap" >"$tmp/y"
check "-Y on a message: the whole ladder of its connection" \
    sh -c "grep -q 'ClientHello' '$tmp/y' && grep -q '^[^ ].* c1 ' '$tmp/y' && ! grep -q '^[^ ].* c2 ' '$tmp/y'"

# -c 1: the first completed handshake's connection, then the rest closed end=eof.
"$HSDUMP" -T ladder --ascii -c 1 -r "$p/tls12-resume-ticket.pcap" >"$tmp/c"
check "-c 1 draws the first connection" grep -q '^[^ ].* c1 ' "$tmp/c"

# A forged SNI stays one escaped value inside the frame.
LC_ALL=C "$HSDUMP" -T ladder --ascii -r "$p/hostile/forged-fields.pcap" >"$tmp/forged"
check "forged SNI escaped" grep -q 'sni=a\\x20sni\\x3dbank.example\\x20status\\x3destablished' "$tmp/forged"

done_testing
