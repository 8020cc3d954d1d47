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

expect_error "missing file" '^hsdump: /nonexistent.pcap: No such file or directory$' \
    -r /nonexistent.pcap
printf 'this is not a capture file\n' >"$tmp/junk"
expect_error "not a capture file" "^hsdump: $tmp/junk: " -r "$tmp/junk"
expect_error "bad filter" '^hsdump: .*filter.*syntax error' -r "$pcap" 'port port'
expect_error "unknown option" '^hsdump: .*unknown option' --no-such-option
expect_error "missing option argument" '^hsdump: -r: missing argument' -r
expect_error "no input" '^hsdump: nothing to read' 
expect_error "bad snaplen" '^hsdump: -s: invalid snapshot length' -s abc -r "$pcap"
expect_error "stdin twice" '^hsdump: -r -: standard input can be read only once' -r - -r -
expect_error "-r with -i" '^hsdump: -r and -i cannot be combined' -r "$pcap" -i lo
expect_error "second file missing fails before any output" '^hsdump: /nonexistent2: No such' \
    -r "$pcap" -r /nonexistent2
if [ "$(id -u)" -eq 0 ]; then
    expect_error "unknown interface" '^hsdump: nosuchif0: ' -i nosuchif0
else
    skip "unknown interface" "not root"
fi

"$HSDUMP" --help >"$tmp/out" 2>"$tmp/err"
check "--help exits 0 with usage on stdout" \
    test $? -eq 0 -a ! -s "$tmp/err" -a -n "$(grep '^Usage: hsdump' "$tmp/out")"
"$HSDUMP" --version >"$tmp/out" 2>&1
check "--version prints the version" grep -q '^hsdump [0-9]' "$tmp/out"

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
else
    skip "truncated capture" "no $pcap"
fi
done_testing
