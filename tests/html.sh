#!/bin/sh
# --html FILE (issue 21 part 2; hsdump.1, HTML REPORT): the page of several bundled captures
# and one public capture is well-formed, refers to nothing outside itself, has one table row
# per connection (as many as -S close lines) and shows every SNI and certificate CN only
# escaped (tests/html_check.py); the ladder diagrams hold the -T ladder rows; -Y picks
# connections; an uncreatable file is one error line and exit 2 before any packet is read;
# past 2000 connections the diagrams are bounded. Rendering: tests/html_chromium.sh.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p="$srcdir/pcaps"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

# page NAME OPTION...: the report of a run into $tmp/NAME.html; its events on stdout as usual
page() {
    name=$1
    shift
    if ! "$HSDUMP" "$@" --html "$tmp/$name.html" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        not_ok "$name: exit status: $(head -c 300 "$tmp/$name.err")"
        return 1
    fi
}

# report PCAP OPTION...: the page of one capture checked against hsdump -S and the values
# of its ladder (sni=, cn= words in their text form, as the page shows them)
report() {
    pcap=$1
    name=$(basename "$pcap")
    shift
    page "$name" "$@" -r "$pcap" || return
    conns=$("$HSDUMP" "$@" -S -r "$pcap" 2>/dev/null | grep -c ' close ')
    LC_ALL=C "$HSDUMP" -T ladder --ascii "$@" -r "$pcap" 2>/dev/null |
        tr ' ' '\n' | sed -n 's/^\(sni\|cn\)=//p' | grep -v '\.\.\.$' | sort -u >"$tmp/values"
    if python3 "$srcdir/tests/html_check.py" "$tmp/$name.html" "$conns" "$tmp/values" \
        >"$tmp/faults"; then
        ok "$name: well-formed, self-contained, $conns rows, $(wc -l <"$tmp/values") values escaped"
    else
        not_ok "$name: the page"
        sed 's/^/#   /' "$tmp/faults"
    fi
}

report "$p/tls12-resume-ticket.pcap"
report "$p/tls13-hrr.pcap"
report "$p/alert-cert-expired.pcap"
report "$p/interleaved.pcap"
report "$p/dtls12.pcap"
report "$p/html-markup-sni.pcap"
report "$p/hostile/forged-fields.pcap"
report "$p/keylog-tls13-full.pcap" --keylog "$p/keylogs/keylog-tls13-full.keylog"
public="$srcdir/../shared/pcaps-public/ja4"
for cap in tls-sni.pcapng chrome-cloudflare-quic-with-secrets.pcapng; do
    if [ -f "$public/$cap" ]; then
        report "$public/$cap"
    else
        skip "$cap" "no public capture at $public/$cap"
    fi
done

# The markup SNI of a real client: escaped in the table and in the diagram, never a tag.
h="$tmp/html-markup-sni.pcap.html"
check "markup SNI: escaped in its table cell" \
    grep -q "<td>&lt;script&gt;alert(\\\\x22sni\\\\x22)&lt;/script&gt;&amp;x&#39;y</td>" "$h"
check "markup SNI: escaped in the diagram's header" \
    grep -q "sni=&lt;script&gt;alert(\\\\x22sni\\\\x22)&lt;/script&gt;&amp;x&#39;y" "$h"
check "markup SNI: one <script> element, the report's own" \
    test "$(grep -o '<script' "$h" | wc -l)" -eq 1

# Event lines go to stdout as -T says, the report beside them.
"$HSDUMP" -r "$p/tls13-full.pcap" >"$tmp/plain.out"
page stdout -r "$p/tls13-full.pcap" && check "stdout unchanged by --html" \
    cmp -s "$tmp/plain.out" "$tmp/stdout.out"

# The diagrams hold the -T ladder rows: the message names on the terminal's arrows are the
# SVG's (its row texts start at x > 0; the header and footer at x=0).
LC_ALL=C "$HSDUMP" -T ladder --ascii -r "$p/tls13-hrr.pcap" | grep -e '>|$' -e '^ *[^ ]* *|<' |
    grep -o ' [{]\{0,1\}[A-Z][A-Za-z]*[}]\{0,1\}?\{0,1\} ' | sort >"$tmp/rows"
grep -o '<text x="[1-9][0-9.]*" y="[0-9]*"[^>]*>[{]\{0,1\}[A-Z][A-Za-z]*[}]\{0,1\}?\{0,1\}[ <]' \
    "$tmp/tls13-hrr.pcap.html" | sed 's/<text[^>]*>/ /; s/[ <]$/ /' | sort >"$tmp/svgrows"
check "tls13-hrr: the SVG's rows are the ladder's ($(wc -l <"$tmp/rows") rows)" \
    sh -c "test -s '$tmp/rows' && cmp -s '$tmp/rows' '$tmp/svgrows'"

# -Y picks the connections reported, as for -T ladder.
page y -Y 'flow == ticket' -r "$p/tls12-resume-ticket.pcap" &&
    check "-Y 'flow == ticket': one row, the resumed connection" \
        sh -c "test \$(grep -c '<tr data-c=' '$tmp/y.html') -eq 1 && grep -q '<tr data-c=\"2\"' '$tmp/y.html'"
# -c stops the run; the page is written all the same, with the connections closed at the end.
page c -c 1 -r "$p/tls12-resume-ticket.pcap" &&
    check "-c 1: a page with its connections" \
        python3 "$srcdir/tests/html_check.py" "$tmp/c.html" \
        "$("$HSDUMP" -c 1 -S -r "$p/tls12-resume-ticket.pcap" | grep -c ' close ')"
# SIGINT: the page is written all the same (the input here a FIFO kept open).
if mkfifo "$tmp/fifo" 2>/dev/null; then
    "$HSDUMP" -r "$tmp/fifo" --html "$tmp/sigint.html" >/dev/null 2>&1 &
    pid=$!
    (cat "$p/tls12-resume-ticket.pcap"; sleep 3) >"$tmp/fifo" &
    writer=$!
    sleep 1
    kill -INT $pid
    wait $pid
    status=$?
    kill $writer 2>/dev/null
    check "SIGINT: exit 0, the page written whole" \
        sh -c "test $status -eq 0 && python3 '$srcdir/tests/html_check.py' '$tmp/sigint.html' any"
else
    skip "SIGINT" "mkfifo failed"
fi
# With -T ladder on stdout, -T json -t, -S: the report is the same (times always in UTC).
page ladder -T ladder -r "$p/tls13-hrr.pcap" && page json -T json -t -r "$p/tls13-hrr.pcap" &&
    page summary -S -ttt -r "$p/tls13-hrr.pcap" &&
    check "the page does not depend on -T, -t or -S" \
        sh -c "cmp -s '$tmp/ladder.html' '$tmp/json.html' && cmp -s '$tmp/ladder.html' '$tmp/summary.html'"

# A file that cannot be created: one line, exit 2, nothing read.
"$HSDUMP" -r "$p/tls13-full.pcap" --html "$tmp/no/such/dir.html" >"$tmp/out" 2>"$tmp/err"
status=$?
check "--html in a missing directory: exit 2, one line, no output" \
    sh -c "test $status -eq 2 && test \$(wc -l <'$tmp/err') -eq 1 && test ! -s '$tmp/out' &&
           grep -q -- '--html $tmp/no/such/dir.html: No such file or directory' '$tmp/err'"
"$HSDUMP" -r "$p/tls13-full.pcap" --html - >"$tmp/out" 2>"$tmp/err"
check "--html -: exit 2" test $? -eq 2

# Past HTML_FULL_CONNS (2000) connections: every row kept, diagrams only for the failed
# ones and the first 3 of each server; the page says how many were left out. 2100 copies
# of one connection (mergecap -a keeps them apart by time) need tshark's mergecap.
if command -v mergecap >/dev/null 2>&1; then
    i=0
    set --
    while [ $i -lt 30 ]; do
        set -- "$@" "$p/tls12-resume-ticket.pcap" "$p/alert-cert-expired.pcap"
        i=$((i + 1))
    done
    mergecap -a -w "$tmp/60.pcap" "$@" 2>/dev/null
    set --
    i=0
    while [ $i -lt 40 ]; do
        set -- "$@" "$tmp/60.pcap"
        i=$((i + 1))
    done
    mergecap -a -w "$tmp/big.pcap" "$@" 2>/dev/null
    # the same 4-tuples again and again: each a new connection once the previous closed
    page big -r "$tmp/big.pcap"
    n=$("$HSDUMP" -S -r "$tmp/big.pcap" | grep -c ' close ')
    failed=$("$HSDUMP" -S -r "$tmp/big.pcap" | grep -c ' status=failed')
    drawn=$(grep -c '<div class="lad"' "$tmp/big.html")
    check "$n connections: all rows, $drawn diagrams, the rest said left out" \
        sh -c "python3 '$srcdir/tests/html_check.py' '$tmp/big.html' $n &&
               test $n -gt 2000 && test $drawn -lt $n &&
               grep -q '<span id=\"leftout\">$((n - drawn)) left out</span>' '$tmp/big.html'"
else
    skip "past 2000 connections" "mergecap (tshark) not installed"
fi

done_testing
