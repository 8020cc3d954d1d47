#!/bin/bash
# tcpdump's habits (issue 19 part 4): -l through a pipe, -G/-C/-W rotation of -w with
# tcpdump's names and numbers (-C checked byte for byte against tcpdump itself), -G on the
# wall clock (driven by libfaketime), -tttt/-ttttt, -F, -V, -n; and the progress line.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    [ -n "$KEEP" ] || rm -rf "$tmp"; [ -z "$KEEP" ] || echo "# kept $tmp"
}
trap cleanup EXIT
srcdir=$(cd "$srcdir" && pwd) # the tests change directory
pcap="$srcdir/pcaps/tls12-full.pcap"
HSDUMP=$(cd "$(dirname "$HSDUMP")" && pwd)/$(basename "$HSDUMP")

# split IN N: $tmp/part1.pcap holds the first N frames, $tmp/part2.raw the rest without the
# pcap file header (24 bytes, pcap-savefile(5)), to be sent after part1 on one stream.
split() {
    editcap -F pcap -r "$1" "$tmp/part1.pcap" "1-$2" &&
        editcap -F pcap -r "$1" "$tmp/part2.pcap" "$(($2 + 1))-100000" &&
        tail -c +25 "$tmp/part2.pcap" >"$tmp/part2.raw"
}

# 1. -l: a line is readable while the input is still open.
if command -v editcap >/dev/null && split "$pcap" 4; then
    first_line_within() { # SECONDS OPTIONS...: the first line's wait, the input held 4 s open
        local wait=$1 line
        shift
        exec 3< <( (cat "$tmp/part1.pcap"; sleep 4; cat "$tmp/part2.raw") 2>/dev/null |
            "$HSDUMP" "$@" -r - 2>/dev/null)
        pids="$pids $!"
        read -r -t "$wait" -u 3 line
        local status=$?
        exec 3<&-
        [ $status -eq 0 ] && [ -n "$line" ]
    }
    check "-l: the first line comes through a pipe before the input ends" first_line_within 3 -l
    if first_line_within 1; then
        not_ok "without -l a pipe gets lines in blocks (the test would prove nothing)"
    else
        ok "without -l a pipe gets lines in blocks (the test would prove nothing)"
    fi
    check "-U without -w: the first line comes at once too (tcpdump -U)" first_line_within 3 -U
else
    skip "-l through a pipe" "no editcap (wireshark-common)"
fi

# 2. -C and -W: tcpdump's names (file, file1, file2; with -W file0..) and contents.
mkdir "$tmp/c" && cd "$tmp/c" || exit 1
"$HSDUMP" -r "$pcap" -C 1k -w rot.pcap >/dev/null 2>"$tmp/err"
check "-C 1k: rot.pcap rot.pcap1 rot.pcap2" test "$(echo rot.pcap*)" = "rot.pcap rot.pcap1 rot.pcap2"
check "-C 1k: each file but the last is over 1024 bytes" \
    test "$(stat -c %s rot.pcap)" -gt 1024 -a "$(stat -c %s rot.pcap1)" -gt 1024
frames=0
for f in rot.pcap*; do
    frames=$((frames + $(tcpdump -r "$f" 2>/dev/null | wc -l)))
done
check "-C: the files hold every frame once (19)" test "$frames" -eq 19
"$HSDUMP" -r "$pcap" -C 1k -W 2 -w w.pcap >/dev/null 2>"$tmp/err"
check "-C 1k -W 2: w.pcap0 w.pcap1, the first reused" test "$(echo w.pcap*)" = "w.pcap0 w.pcap1"
check "-C 1k -W 2: w.pcap0 is the third file (270 bytes)" test "$(stat -c %s w.pcap0)" -eq 270
cd "$OLDPWD" || exit 1

big="$srcdir/pcaps/tls12-huge-cert.pcap" # 345 kB, all TLS: hsdump writes every frame
if command -v tcpdump >/dev/null && command -v mergecap >/dev/null && [ -f "$big" ]; then
    mkdir "$tmp/t" "$tmp/h"
    for i in 0 1 2 3 4 5 6 7 8; do
        editcap -F pcap -t $((i * 100)) "$big" "$tmp/s$i.pcap"
    done
    mergecap -a -F pcap -w "$tmp/big.pcap" "$tmp"/s?.pcap
    (cd "$tmp/t" && tcpdump -Z root -r ../big.pcap -C 1 -W 3 -w x 2>/dev/null)
    (cd "$tmp/h" && "$HSDUMP" -r ../big.pcap -C 1 -W 3 -w x >/dev/null 2>&1)
    check "-C 1 -W 3 on 3.1 MB: the files tcpdump writes, byte for byte" \
        diff -r "$tmp/t" "$tmp/h"
    check "-C 1 -W 3: x0 x1 x2" test "$(cd "$tmp/h" && echo x*)" = "x0 x1 x2"
else
    skip "-C against tcpdump" "no tcpdump or mergecap"
fi

# 3. -G: the wall clock when a frame is written, names through strftime, -W stops the run.
# libfaketime reads the time from a file at each call, so the test sets it between parts.
faketime_lib=$(find /usr/lib -name libfaketime.so.1 2>/dev/null | head -n 1)
if [ -n "$faketime_lib" ] && command -v editcap >/dev/null; then
    editcap -F pcap -r "$pcap" "$tmp/g1.pcap" 1-4
    editcap -F pcap -r "$pcap" "$tmp/g2.pcap" 5-10
    editcap -F pcap -r "$pcap" "$tmp/g3.pcap" 11-100
    tail -c +25 "$tmp/g2.pcap" >"$tmp/g2.raw"
    tail -c +25 "$tmp/g3.pcap" >"$tmp/g3.raw"
    g2_size=$(stat -c %s "$tmp/g2.pcap")
    # wait_for FILE SIZE: until -U has written that much of FILE (at most 10 s)
    wait_for() {
        local i
        for i in $(seq 1 100); do
            [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
            sleep 0.1
        done
        return 1
    }
    # rotate_run DIR FILE1 SIZE1 FILE2 SIZE2 OPTIONS...: three parts at 12:00:00, :05 and :10,
    # the clock moved once the part before is written (FILE1 and FILE2 reach their sizes)
    rotate_run() {
        local dir=$1 file1=$2 size1=$3 file2=$4 size2=$5
        shift 5
        mkdir "$dir"
        echo "2026-01-01 12:00:00" >"$tmp/clock"
        mkfifo "$tmp/feed"
        # an ASan build wants its runtime first in the library list: libfaketime preloaded
        # before it is allowed (verify_asan_link_order=0, ASan's flags)
        exec 3< <(cd "$dir" && TZ=UTC LD_PRELOAD=$faketime_lib FAKETIME_NO_CACHE=1 \
            ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
            FAKETIME_TIMESTAMP_FILE="$tmp/clock" "$HSDUMP" -U -r - "$@" <"$tmp/feed" \
            2>"$dir.err"; echo "status=$?")
        exec 4>"$tmp/feed"
        cat "$tmp/g1.pcap" >&4
        wait_for "$dir/$file1" "$size1"
        echo "2026-01-01 12:00:05" >"$tmp/clock"
        cat "$tmp/g2.raw" >&4
        wait_for "$dir/$file2" "$size2"
        echo "2026-01-01 12:00:10" >"$tmp/clock"
        cat "$tmp/g3.raw" >&4 2>/dev/null
        exec 4>&-
        cat <&3 >"$dir.out"
        exec 3<&-
        rm -f "$tmp/feed"
    }
    rotate_run "$tmp/g" tls-120000.pcap 538 tls-120005.pcap "$g2_size" \
        -G 2 -w 'tls-%H%M%S.pcap'
    check "-G 2: one file per period, named by strftime at its start" \
        test "$(cd "$tmp/g" && echo *)" = "tls-120000.pcap tls-120005.pcap tls-120010.pcap"
    check "-G 2: each file holds the frames of its period (4, 6, 9)" \
        test "$(for f in "$tmp"/g/*; do tcpdump -r "$f" 2>/dev/null | wc -l; done | xargs)" \
        = "4 6 9"
    rotate_run "$tmp/w" tls-120000.pcap 538 tls-120005.pcap "$g2_size" \
        -G 2 -W 2 -w 'tls-%H%M%S.pcap'
    check "-G 2 -W 2: two files, then the run stops" \
        test "$(cd "$tmp/w" && echo *)" = "tls-120000.pcap tls-120005.pcap"
    check "-G 2 -W 2: says so" grep -qx 'hsdump: maximum file limit reached: 2 (-W)' "$tmp/w.err"
    check "-G 2 -W 2: exit status 0" grep -qx 'status=0' "$tmp/w.out"
    check "-G 2 -W 2: the open connection gets its close line" grep -q ' close end=eof ' "$tmp/w.out"
    rotate_run "$tmp/gc" tls-00.pcap0 538 tls-05.pcap1 496 -G 2 -C 1k -W 3 -w 'tls-%S.pcap'
    check "-G with -C: numbered from 0 again in each period, one digit for -W 3" \
        test "$(cd "$tmp/gc" && echo *)" = "tls-00.pcap0 tls-05.pcap0 tls-05.pcap1 tls-10.pcap0"
else
    skip "-G rotation" "no libfaketime or editcap"
fi

# 4. -tttt and -ttttt (tcpdump's date and time; since the first packet).
line=$(TZ=UTC "$HSDUMP" -tttt -r "$pcap" | head -n 1)
check "-tttt: the date and time as tcpdump -tttt" \
    test "${line%% c1 *}" = "2026-11-22 22:19:54.612341"
line=$(TZ=Asia/Tokyo "$HSDUMP" -tttt -r "$pcap" | head -n 1)
check "-tttt: in local time" test "${line%% c1 *}" = "2026-11-23 07:19:54.612341"
line=$("$HSDUMP" -ttttt -r "$pcap" | head -n 1)
check "-ttttt: since the first packet (the SYN, 263 us before)" \
    test "${line%% c1 *}" = "0.000263"

# 5. -F, -V and -n.
printf '# TLS only\nport 44301 # the test server\n' >"$tmp/filter"
"$HSDUMP" -r "$pcap" port 44301 >"$tmp/expected"
"$HSDUMP" -n -F "$tmp/filter" -r "$pcap" >"$tmp/out"
check "-F: the filter from a file with comments, -n accepted" cmp -s "$tmp/out" "$tmp/expected"
printf '%s\n\n%s\n' "$pcap" "$pcap" >"$tmp/list"
"$HSDUMP" -r "$pcap" -r "$pcap" >"$tmp/expected"
"$HSDUMP" -V "$tmp/list" >"$tmp/out"
check "-V: the files of the list, as with -r each" cmp -s "$tmp/out" "$tmp/expected"

# 6. The progress line: only with stderr on a terminal, never into stdout. It is drawn between
# batches of 1024 frames, at most 4 times a second: 2280 frames, a pause, 2280 more.
"$HSDUMP" -r "$pcap" >"$tmp/out" 2>"$tmp/err"
check "no progress line when stderr is not a terminal" test ! -s "$tmp/err"
if command -v script >/dev/null; then
    tail -c +25 "$pcap" >"$tmp/records"
    head -c 24 "$pcap" >"$tmp/chunk1"
    for i in $(seq 1 120); do cat "$tmp/records"; done >"$tmp/chunk2"
    cat "$tmp/chunk2" >>"$tmp/chunk1"
    script -qec "(cat '$tmp/chunk1'; sleep 0.6; cat '$tmp/chunk2') | '$HSDUMP' -r - >'$tmp/out'" \
        /dev/null >"$tmp/tty" </dev/null
    check "a terminal gets the progress line on stderr (packets, from a pipe)" \
        grep -aq 'hsdump: [0-9]* packets, [0-9]* connections, [0-9]* handshakes, [0-9]* packets/s' \
        "$tmp/tty"
    check "the progress line is erased at the end" \
        sh -c "tail -c 4 '$tmp/tty' | od -An -c | tr -d ' ' | grep -qx '\\\\r033\\[K'"
    check "never into stdout" sh -c "! grep -aq 'packets/s' '$tmp/out'"
    script -qec "(cat '$tmp/chunk1'; sleep 0.6; cat '$tmp/chunk2') | '$HSDUMP' --no-progress \
        -r - >/dev/null" /dev/null >"$tmp/tty" </dev/null
    check "--no-progress: none" test ! -s "$tmp/tty"
else
    skip "progress line" "no script(1)"
fi

done_testing
