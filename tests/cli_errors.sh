#!/bin/sh
# Invocation errors give one clear stderr line and exit 2; --help and --version exit 0;
# a capture cut mid-packet prints what came before it, warns, and exits 0.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcap="$srcdir/pcaps/tls12-full.pcap"

# expect_error NAME PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN, no stdout.
expect_error() {
    name=$1
    pattern=$2
    shift 2
    "$HSDUMP" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    lines=$(wc -l <"$tmp/err")
    if [ $status -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$tmp/err" &&
        [ ! -s "$tmp/out" ]; then
        ok "$name"
    else
        not_ok "$name (status $status, $lines stderr lines)"
        sed 's/^/# /' "$tmp/err"
    fi
}

# -T ecs and -T zeek (issue 19 part 6)
expect_error "--x509-log without -T zeek" '^hsdump: --x509-log: only with -T zeek' \
    -T ecs --x509-log "$tmp/x509.log" -r "$pcap"
expect_error "--x509-log -" '^hsdump: --x509-log -: standard output carries ssl.log' \
    -T zeek --x509-log - -r "$pcap"
expect_error "--html -" '^hsdump: --html -: standard output carries the event lines' \
    --html - -r "$pcap"
expect_error "--html unwritable" "^hsdump: --html $tmp/none/report.html: No such file" \
    --html "$tmp/none/report.html" -r "$pcap"
expect_error "--html with --canonical" '^hsdump: --html: not with --canonical' \
    --canonical --html "$tmp/report.html" -r "$pcap"
expect_error "--x509-log unwritable" "^hsdump: --x509-log $tmp/none/x509.log: No such file" \
    -T zeek --x509-log "$tmp/none/x509.log" -r "$pcap"
expect_error "--report with -T zeek" '^hsdump: --report: not with -T ecs or -T zeek' \
    -T zeek --report -r "$pcap"

expect_error "missing file" '^hsdump: /nonexistent.pcap: No such file or directory$' \
    -r /nonexistent.pcap
printf 'this is not a capture file\n' >"$tmp/junk"
expect_error "not a capture file" "^hsdump: $tmp/junk: " -r "$tmp/junk"
expect_error "bad filter" '^hsdump: .*filter.*syntax error' -r "$pcap" 'port port'
expect_error "unknown option" '^hsdump: .*unknown option' --no-such-option
expect_error "missing option argument" '^hsdump: -r: missing argument' -r
expect_error "no input" '^hsdump: nothing to read' 
expect_error "bad snaplen" '^hsdump: -s: invalid snapshot length' -s abc -r "$pcap"
expect_error "bad handshake memory size" \
    "^hsdump: --max-handshake-memory: invalid size '12Q': expected 1K to 1024G\$" \
    --max-handshake-memory 12Q -r "$pcap"
expect_error "stdin twice" '^hsdump: -r -: standard input can be read only once' -r - -r -
expect_error "-r with -i" '^hsdump: -r and -i cannot be combined' -r "$pcap" -i lo
expect_error "second file missing fails before any output" '^hsdump: /nonexistent2: No such' \
    -r "$pcap" -r /nonexistent2
if [ "$(id -u)" -eq 0 ]; then
    expect_error "unknown interface" '^hsdump: nosuchif0: ' -i nosuchif0
else
    skip "unknown interface" "not root"
fi
expect_error "bad -B" \
    "^hsdump: -B: invalid buffer size 'abc': expected a positive number of KiB\$" -B abc -i lo
expect_error "-B 0" "^hsdump: -B: invalid buffer size '0': expected a positive number of KiB\$" \
    -B 0 -i lo
expect_error "-c 0" "^hsdump: -c: invalid count '0': expected a positive number\$" -c 0 -r "$pcap"
expect_error "--ca-file missing" \
    "^hsdump: --ca-file: cannot read '/nonexistent.pem': No such file or directory\$" \
    --ca-file /nonexistent.pem -r "$pcap"
expect_error "--ca-file a directory" \
    "^hsdump: --ca-file: cannot read '$tmp': a directory (use --ca-path)\$" --ca-file "$tmp" -r "$pcap"
expect_error "--ca-file without certificates" \
    "^hsdump: --ca-file: '$pcap': no PEM certificate could be read from it\$" \
    --ca-file "$pcap" -r "$pcap"
expect_error "--ca-path not a directory" \
    "^hsdump: --ca-path: '$pcap' is not a readable directory\$" --ca-path "$pcap" -r "$pcap"
expect_error "--expiry-warning x" \
    "^hsdump: --expiry-warning: invalid number of days 'x': expected 0 to 36500\$" \
    --expiry-warning x -r "$pcap"
expect_error "--expiry-warning -1" \
    "^hsdump: --expiry-warning: invalid number of days '-1': expected 0 to 36500\$" \
    --expiry-warning -1 -r "$pcap"
expect_error "--duration x" \
    "^hsdump: --duration: invalid duration 'x': expected a positive number of seconds\$" \
    --duration x -r "$pcap"
# tcpdump's options: the ones hsdump does not take say why in one line; rotation needs -w.
for opt in -A -x -X -q -d -E -M -f -H -b -u -O -I -L -y -J -Q -z -m; do
    expect_error "tcpdump $opt refused with a reason" "^hsdump: $opt: not taken: ..........*" \
        "$opt" -r "$pcap"
done
expect_error "-G without -w" \
    '^hsdump: -G: rotates the -w file (as tcpdump); give -w FILE, or --duration SECONDS to stop after SECONDS$' \
    -G 60 -r "$pcap"
expect_error "-C without -w" '^hsdump: -C: rotates the -w file (as tcpdump); give -w FILE$' \
    -C 1 -r "$pcap"
expect_error "-W alone" '^hsdump: -W: limits the files of -C or -G rotation; give -C or -G$' \
    -W 3 -w "$tmp/x.pcap" -r "$pcap"
expect_error "-C 0" "^hsdump: -C: invalid file size '0': expected a positive number of millions of" \
    -C 0 -w "$tmp/x.pcap" -r "$pcap"
expect_error "-G 0" "^hsdump: -G: invalid rotation period '0': expected a positive number of" \
    -G 0 -w "$tmp/x.pcap" -r "$pcap"
expect_error "-W 0" "^hsdump: -W: invalid number of files '0': expected 1 to 1000000\$" \
    -W 0 -C 1 -w "$tmp/x.pcap" -r "$pcap"
echo "$pcap" >"$tmp/list"
expect_error "-V with -r" '^hsdump: -V and -r: give the inputs one way' -V "$tmp/list" -r "$pcap"
: >"$tmp/empty-list"
expect_error "-V of an empty list" "^hsdump: -V $tmp/empty-list: no file names in it\$" \
    -V "$tmp/empty-list"
expect_error "-V missing" '^hsdump: -V /nonexistent: No such file or directory$' -V /nonexistent
echo 'port 443' >"$tmp/filter"
expect_error "-F with an expression too" \
    "^hsdump: -F: the filter comes from $tmp/filter; remove the expression 'port' from the" \
    -F "$tmp/filter" -r "$pcap" port 443
expect_error "-F missing" '^hsdump: -F /nonexistent: No such file or directory$' \
    -F /nonexistent -r "$pcap"
expect_error "-T xml" \
    "^hsdump: -T: unknown format 'xml': expected text, json, fields, csv, ecs, zeek or ladder\$" \
    -T xml -r "$pcap"
# -e, -Y, --conn-filter (issue 19): bad names and expressions are refused before any output,
# the expression's error with its column and the expression with a caret.
expect_error "-T fields without -e" \
    '^hsdump: -T fields: give the fields to print with -e (e.g. -e time,conn,sni)$' -T fields -r "$pcap"
expect_error "-T csv without -e" '^hsdump: -T csv: give the fields to print with -e' -T csv -r "$pcap"
expect_error "-e with an empty name" "^hsdump: -e: empty field name in 'sni,,alpn'\$" \
    -e sni,,alpn -r "$pcap"
expect_error "-e with a bad name" "^hsdump: -e: bad field name in 'sni alpn': " -e 'sni alpn' -r "$pcap"
expect_error "-Y without a value" \
    "^hsdump: -Y: column 10: expected a value, found '==': status== ^==x\$" -Y 'status== ==x' -r "$pcap"
expect_error "-Y unbalanced parenthesis" \
    "^hsdump: -Y: column 16: expected ')', 'and' or 'or', found the end: (status==failed^\$" \
    -Y '(status==failed' -r "$pcap"
expect_error "-Y bare field" '^hsdump: -Y: column 4: expected an operator (== != < <= > >= ~ contains exists), found the end: sni^$' \
    -Y sni -r "$pcap"
expect_error "-Y bad regular expression" '^hsdump: -Y: column 7: bad regular expression: .*: sni ~ ^"(("$' \
    -Y 'sni ~ "(("' -r "$pcap"
expect_error "-Y unterminated string" \
    "^hsdump: -Y: column 8: string not terminated: sni == ^\"abc\$" -Y 'sni == "abc' -r "$pcap"
expect_error "-Y empty" '^hsdump: -Y: column 1: empty expression: ^$' -Y '' -r "$pcap"
expect_error "--conn-filter bad" \
    "^hsdump: --conn-filter: column 8: expected an operator .*, found 'failed': status ^failed\$" \
    --conn-filter 'status failed' -r "$pcap"
expect_error "--conn-filter-hold without --conn-filter" \
    '^hsdump: --conn-filter-hold: only with --conn-filter$' --conn-filter-hold 1M -r "$pcap"
expect_error "--conn-filter-hold too small" \
    "^hsdump: --conn-filter-hold: invalid size '10': expected 1K to 1024G\$" \
    --conn-filter 'status==failed' --conn-filter-hold 10 -r "$pcap"
expect_error "--canonical with -Y" '^hsdump: --canonical: not with -e, -Y or --conn-filter' \
    --canonical -Y 'status==failed' -r "$pcap"
expect_error "-T ecs with -Y" \
    '^hsdump: -T ecs: not with -e, -Y or --conn-filter (its records have fields of their own)$' \
    -T ecs -Y 'status==failed' -r "$pcap"
# -T ladder (issue 21 part 1): it draws whole connections
ladder_msg='^hsdump: -T ladder: not with -e, --conn-filter or --canonical (it draws whole connections; -Y picks which)$'
expect_error "-T ladder with -e" "$ladder_msg" -T ladder -e sni -r "$pcap"
expect_error "-T ladder with --conn-filter" "$ladder_msg" -T ladder --conn-filter 'status==failed' -r "$pcap"
expect_error "--ascii without -T ladder" '^hsdump: --ascii: only with -T ladder$' --ascii -r "$pcap"
expect_error "-T ladder with a bad -Y" '^hsdump: -Y: column ' -T ladder -Y 'status==' -r "$pcap"
expect_error "-tttttt" '^hsdump: -t: at most five (-ttttt)$' -tttttt -r "$pcap"
modes="absolute, none, epoch, delta, date or since-first"
expect_error "--time-format bogus" \
    "^hsdump: --time-format: unknown mode 'bogus': expected $modes\$" --time-format bogus -r "$pcap"
expect_error "-Z without -i" '^hsdump: -Z: only with -i (reading files needs no privileges)$' \
    -Z nobody -r "$pcap"
if [ "$(id -u)" -eq 0 ]; then
    expect_error "-Z unknown user" '^hsdump: -Z nobodyx: no such user$' -Z nobodyx -i lo
else
    skip "-Z unknown user" "not root"
fi
expect_error "-w into a missing directory fails before any output" \
    '^hsdump: /nonexistent/dir/out.pcap: No such file or directory$' \
    -w /nonexistent/dir/out.pcap -r "$pcap"
expect_error "-w - is refused (standard output carries the events)" '^hsdump: -w -: ' \
    -w - -r "$pcap"
types="EN10MB and LINUX_SLL2"
expect_error "--keylog of a missing file" \
    '^hsdump: --keylog /nonexistent.keylog: No such file or directory$' \
    --keylog /nonexistent.keylog -r "$pcap"
expect_error "--keylog of a directory" "^hsdump: --keylog $tmp: Is a directory\$" \
    --keylog "$tmp" -r "$pcap"
expect_error "--canonical --keylog of a missing file" \
    '^hsdump: --keylog /nonexistent.keylog: No such file or directory$' \
    --canonical --keylog /nonexistent.keylog -r "$pcap"
expect_error "hsdump diff --keylog of a missing file" \
    '^hsdump: --keylog /nonexistent.keylog: No such file or directory$' \
    diff --keylog /nonexistent.keylog "$pcap" "$pcap"
expect_error "--report-top 0" \
    "^hsdump: --report-top: invalid number '0': expected 1 to 100000\$" --report-top 0 -r "$pcap"
expect_error "--report-top past its maximum" "^hsdump: --report-top: invalid number '100001'" \
    --report-top 100001 -r "$pcap"
expect_error "--report with --canonical" '^hsdump: --report: not with --canonical' \
    --report --canonical -r "$pcap"
expect_error "hsdump diff --report is refused" \
    '^hsdump: diff: --report: not supported by hsdump diff' diff --report "$pcap" "$pcap"
expect_error "hsdump diff --by with an unknown profile" \
    '^hsdump: diff: bogus: unknown profile (server, client or ja4)' diff --by bogus "$pcap" "$pcap"
expect_error "-w with inputs of two link types" \
    "^hsdump: $tmp/two.pcap: one pcap file holds one link type, the inputs have $types\$" \
    -w "$tmp/two.pcap" -r "$pcap" -r "$srcdir/pcaps/sll2-any.pcap"

"$HSDUMP" -D >"$tmp/out" 2>"$tmp/err"
status=$?
check "-D exits 0 with nothing on stderr" test $status -eq 0 -a ! -s "$tmp/err"
check "-D lists lo, numbered as tcpdump -D" grep -Eq '^[0-9]+\.lo( |$)' "$tmp/out"
if command -v tcpdump >/dev/null 2>&1 && tcpdump -D >"$tmp/tcpdump-D" 2>/dev/null; then
    check "-D prints what tcpdump -D prints" cmp -s "$tmp/out" "$tmp/tcpdump-D"
else
    skip "-D prints what tcpdump -D prints" "tcpdump -D not available"
fi

"$HSDUMP" --help >"$tmp/out" 2>"$tmp/err"
check "--help exits 0 with usage on stdout" \
    test $? -eq 0 -a ! -s "$tmp/err" -a -n "$(grep '^Usage: hsdump' "$tmp/out")"
"$HSDUMP" --version >"$tmp/out" 2>&1
check "--version prints the version" grep -q '^hsdump [0-9]' "$tmp/out"
# --list-fields: one tab-separated line per output key (name, type, events, meaning), exit 0
"$HSDUMP" --list-fields >"$tmp/out" 2>"$tmp/err"
check "--list-fields exits 0 with the fields on stdout" \
    test $? -eq 0 -a ! -s "$tmp/err" -a "$(wc -l <"$tmp/out")" -gt 100
check "--list-fields gives cipher_suites as a list of handshake lines" \
    grep -q "^cipher_suites$(printf '\t')list$(printf '\t')handshake$(printf '\t')" "$tmp/out"
check "--list-fields: every line has four columns and a known type" awk -F '\t' \
    'NF != 4 || $2 !~ /^(token|string|hex|uint|decimal|bool|list|uint_list|counts)$/ { bad = 1 }
     END { exit bad }' "$tmp/out"

if [ -f "$pcap" ]; then
    size=$(wc -c <"$pcap")
    head -c $((size - 7)) "$pcap" >"$tmp/cut.pcap"
    "$HSDUMP" -r "$tmp/cut.pcap" >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "truncated capture exits 0" test $status -eq 0
    check "truncated capture prints a warning" grep -q '^hsdump: warning: .*truncated' "$tmp/err"
    check "truncated capture still prints the handshake" grep -q 'handshake client_hello' "$tmp/out"
    "$HSDUMP" -r - <"$pcap" >"$tmp/stdin.out" 2>&1
    "$HSDUMP" -r "$pcap" >"$tmp/file.out" 2>&1
    check "-r - reads standard input like a file" cmp -s "$tmp/stdin.out" "$tmp/file.out"
    "$HSDUMP" -r "$pcap" -r "$pcap" >"$tmp/twice.out" 2>&1
    check "several -r are read in order" \
        test "$(grep -c 'handshake client_hello' "$tmp/twice.out")" -eq \
        "$((2 * $(grep -c 'handshake client_hello' "$tmp/file.out")))"
    "$HSDUMP" -r "$pcap" 'tcp port 1' >"$tmp/out" 2>&1
    check "a filter that matches nothing prints nothing" test ! -s "$tmp/out"
    set --
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do set -- "$@" -r "$pcap"; done
    { "$HSDUMP" "$@" 2>"$tmp/err"; echo $? >"$tmp/status"; } | head -1 >"$tmp/out"
    check "a closed pipe ends quietly" test ! -s "$tmp/err" -a "$(cat "$tmp/status")" -eq 0
    # A pipe whose reader is already gone, so the first write fails whatever the timing.
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
sys.stdout.write(p.stderr.decode())
sys.exit(p.returncode)' "$HSDUMP" --stats "$@" >"$tmp/err"
        status=$?
        packets=$(sed -n 's/^hsdump: packets: //p' "$tmp/err")
        check "a closed pipe stops reading: status 0, fewer packets than 20 files hold" \
            test $status -eq 0 -a "${packets:-999999}" -lt $((20 * 19))
        check "a closed pipe: no message but the counters" \
            test -z "$(grep -v '^hsdump: [^:]*: [0-9]*$' "$tmp/err")"
    else
        skip "a closed pipe stops reading" "python3 not installed"
    fi
else
    skip "truncated capture" "no $pcap"
fi

# A TLS 1.3 alert is inferred from its size only when the close follows it: without the
# FINs (filtered out), the capture just ends after it, and nothing is claimed.
rejected="$srcdir/pcaps/tls13-cert-rejected.pcap"
if [ -f "$rejected" ]; then
    "$HSDUMP" -r "$rejected" --stats >"$tmp/out" 2>"$tmp/err"
    check "a refused TLS 1.3 client flight: inferred=alert, status=failed, not counted" \
        test "$(grep -c ' inferred=alert$' "$tmp/out")" -eq 1 -a \
        "$(grep -c ' close end=fin .* status=failed ' "$tmp/out")" -eq 1 -a \
        "$(sed -n 's/^hsdump: handshakes completed: //p' "$tmp/err")" = 0
    "$HSDUMP" -r "$rejected" --stats 'not tcp[tcpflags] & (tcp-fin|tcp-rst) != 0' \
        >"$tmp/out" 2>"$tmp/err"
    check "the same without its close: no alert claimed, established at the end" \
        test "$(grep -c 'inferred=alert' "$tmp/out")" -eq 0 -a \
        "$(grep -c ' close end=eof .* status=established ' "$tmp/out")" -eq 1 -a \
        "$(sed -n 's/^hsdump: handshakes completed: //p' "$tmp/err")" = 1
else
    skip "inferred TLS 1.3 alert" "no $rejected"
fi

# Stopping early in files: -c counts completed handshakes, --duration packet time from the first
# packet.
two="$srcdir/pcaps/interleaved.pcap" # two connections, 3.5 s long, the first done after 0.6 s
if [ -f "$two" ]; then
    "$HSDUMP" -r "$two" -S >"$tmp/all" 2>&1
    "$HSDUMP" -r "$two" -S -c 1 >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "-c 1 on a file exits 0" test $status -eq 0 -a ! -s "$tmp/err"
    check "-c 1 closes the connections still open as end=eof" \
        test "$(grep -c ' close end=eof ' "$tmp/out")" -eq 2
    check "without -c both connections end with fin" \
        test "$(grep -c ' close end=fin ' "$tmp/all")" -eq 2
    "$HSDUMP" -r "$two" -S -c 2 >"$tmp/out" 2>&1
    check "-c 2 stops at the second handshake, before either FIN" \
        test "$(grep -c ' close end=eof ' "$tmp/out")" -eq 2
    "$HSDUMP" -r "$two" --duration 1 --stats >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "--duration 1 on a file stops at 1 s of packet time" \
        test $status -eq 0 -a "$(grep -c ' close end=eof ' "$tmp/out")" -eq 2
    check "--duration 1 reads fewer packets than the file holds" \
        test "$(sed -n 's/^hsdump: packets: //p' "$tmp/err")" -lt 40
    "$HSDUMP" -r "$two" >"$tmp/all" 2>&1
    "$HSDUMP" -r "$two" --duration 10 >"$tmp/out" 2>&1
    check "--duration longer than the file changes nothing" cmp -s "$tmp/out" "$tmp/all"
else
    skip "-c and --duration on files" "no $two"
fi

# -w keeps the frames of TLS connections, with their TCP handshakes, and nothing else.
# Also DTLS (UDP), STARTTLS (the plaintext before the upgrade) and connections captured in
# part (no SYN, one side, two SYN/ACKs, a lost first segment): every frame of those
# captures belongs to TLS.
frames_written() { sed -n 's/^hsdump: frames written: //p' "$tmp/err"; }
frames_read() { sed -n 's/^hsdump: packets: //p' "$tmp/err"; }
for cap in "$srcdir/pcaps/interleaved.pcap" "$srcdir/pcaps/ipv6-tls13.pcap" \
    "$srcdir/pcaps/dtls12.pcap" "$srcdir/pcaps/starttls-imap.pcap" \
    "$srcdir/pcaps/midstream-tls12.pcap" "$srcdir/pcaps/partial-server-only.pcap" \
    "$srcdir/pcaps/partial-client-only.pcap" \
    "$srcdir/pcaps/partial-synack-conflict.pcap" "$srcdir/pcaps/partial-lost-clienthello.pcap" \
    "$srcdir/pcaps/hostile/http-on-443.pcap"; do
    [ -f "$cap" ] || continue
    capname=$(basename "$cap")
    "$HSDUMP" -r "$cap" -w "$tmp/w.pcap" --stats >"$tmp/live.out" 2>"$tmp/err"
    status=$?
    "$HSDUMP" -r "$tmp/w.pcap" >"$tmp/back.out" 2>&1
    same=$(cmp "$tmp/live.out" "$tmp/back.out" && echo yes)
    check "-w $capname: exit 0, read back with the same output" \
        test $status -eq 0 -a -s "$tmp/back.out" -a "$same" = yes
    case $capname in
    dtls* | starttls* | midstream* | partial*)
        check "-w $capname: every frame written" test "$(frames_written)" = "$(frames_read)"
        ;;
    http-on-443*)
        check "-w leaves out the connection that is not TLS" \
            test "$(frames_written)" -lt "$(frames_read)"
        ;;
    esac
done
# Key logs: a bad line is warned about with its file and line number, never fatal; past 10
# a file, bad lines are counted and one line says how many more.
keylog="$srcdir/pcaps/keylogs/openssl-s_client.keylog"
{
    echo "# a comment, then a line of each kind of mistake"
    echo "NO_SUCH_LABEL 0011 2233"
    echo "CLIENT_RANDOM 00 11"
    sed -n 's/^CLIENT_RANDOM \([0-9a-f]*\) .*/CLIENT_RANDOM \1 abc/p' "$keylog"
    cat "$keylog"
} >"$tmp/bad.keylog"
"$HSDUMP" --stats --keylog "$tmp/bad.keylog" -r "$pcap" >"$tmp/out" 2>"$tmp/err"
status=$?
check "a key log with bad lines: exit 0, the capture read" \
    test $status -eq 0 -a -n "$(grep 'handshake client_hello' "$tmp/out")"
check "a key log with bad lines: each warned with its line number" \
    test "$(grep -c "^hsdump: warning: $tmp/bad.keylog:[234]: not a key log line: expected " \
        "$tmp/err")" -eq 3
check "a key log with bad lines: counted, the good ones loaded" \
    test "$(sed -n 's/^hsdump: key log lines not understood: //p' "$tmp/err")" = 3 -a \
    "$(sed -n 's/^hsdump: secrets loaded: //p' "$tmp/err")" = 11
awk 'BEGIN { for (i = 1; i <= 25; i++) print "NOT_A_LABEL " i }' >"$tmp/many.keylog"
"$HSDUMP" --keylog "$tmp/many.keylog" -r "$pcap" >/dev/null 2>"$tmp/err"
status=$?
check "25 bad lines: 10 warnings, then one line for the other 15, exit 0" \
    test $status -eq 0 -a "$(grep -c 'not a key log line' "$tmp/err")" -eq 10 -a \
    "$(grep -c "^hsdump: warning: $tmp/many.keylog: 15 more bad lines not shown" "$tmp/err")" \
    -eq 1 -a "$(wc -l <"$tmp/err")" -eq 11

# A pcapng file's Decryption Secrets Block is read with no option (editcap --inject-secrets
# puts it before the packets); these secrets are for other connections, so the events are
# those of the same capture without them, and -w writes no secret.
tls13="$srcdir/pcaps/tls13-full.pcap"
if command -v editcap >/dev/null 2>&1 &&
    editcap --inject-secrets "tls,$keylog" "$tls13" "$tmp/dsb.pcapng" 2>/dev/null; then
    "$HSDUMP" --stats -r "$tmp/dsb.pcapng" -w "$tmp/dsb-w.pcap" >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "pcapng secrets block: exit 0, its 11 secrets loaded" \
        test $status -eq 0 -a "$(sed -n 's/^hsdump: secrets loaded: //p' "$tmp/err")" = 11 -a \
        "$(sed -n 's/^hsdump: pcapng secrets blocks read: //p' "$tmp/err")" = 1
    "$HSDUMP" -r "$tls13" >"$tmp/plain.out" 2>&1
    check "pcapng secrets block for other connections: same events" \
        cmp -s "$tmp/out" "$tmp/plain.out"
    check "-w writes no secret" test -z "$(grep -a -l 'SECRET' "$tmp/dsb-w.pcap")"
    gzip -c "$tmp/dsb.pcapng" | "$HSDUMP" --stats -r - >/dev/null 2>"$tmp/err"
    check "pcapng secrets block through gzip and standard input" \
        test "$(sed -n 's/^hsdump: secrets loaded: //p' "$tmp/err")" = 11
    # The same block moved after the first packet (blocks: section, interface, secrets, ...):
    # read all the same, by libpcap, which passes over it.
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$tmp/dsb.pcapng" "$tmp/dsb-late.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
blocks, at = [], 0
while at < len(data):
    (length,) = struct.unpack_from("<I", data, at + 4)
    blocks.append(data[at:at + length])
    at += length
secrets = [b for b in blocks if struct.unpack_from("<I", b)[0] == 0x0A]
others = [b for b in blocks if struct.unpack_from("<I", b)[0] != 0x0A]
first_packet = next(i for i, b in enumerate(others) if struct.unpack_from("<I", b)[0] == 6)
out = others[:first_packet + 1] + secrets + others[first_packet + 1:]
open(sys.argv[2], "wb").write(b"".join(out))
PY
        packets=$("$HSDUMP" --stats -r "$tls13" 2>&1 >/dev/null | sed -n 's/^hsdump: packets: //p')
        "$HSDUMP" --stats -r "$tmp/dsb-late.pcapng" >"$tmp/out" 2>"$tmp/err"
        check "pcapng secrets block after a packet: its secrets loaded, every packet read" \
            test "$(sed -n 's/^hsdump: secrets loaded: //p' "$tmp/err")" = 11 -a \
            "$(sed -n 's/^hsdump: packets: //p' "$tmp/err")" = "$packets"
        check "pcapng secrets block after a packet: same events" cmp -s "$tmp/out" "$tmp/plain.out"
    else
        skip "pcapng secrets block after a packet" "python3 not installed"
    fi
    "$HSDUMP" -r "$tls13" --stats >/dev/null 2>"$tmp/err"
    check "no secrets, no secrets counters" test -z "$(grep -i secret "$tmp/err")"
else
    skip "pcapng secrets block" "editcap --inject-secrets not available"
fi

done_testing
