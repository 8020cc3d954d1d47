#!/bin/sh
# Live capture: hsdump -i lo prints a TLS handshake made by openssl on 127.0.0.1 while it
# runs, and SIGINT stops it with exit 0. Also: SIGUSR1 prints the counters without stopping,
# -c 1 stops by itself, -w writes a file that reads back the same, -Z nobody captures as
# nobody, --duration stops on the wall clock, a key log growing while hsdump runs is read as it
# grows. Needs root (capture permission); skips otherwise.
. "${srcdir:-.}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "not root"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
ip link show lo >/dev/null 2>&1 || skip_all "no loopback interface"

tmp=$(mktemp -d)
port=44591
cleanup() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null
    [ -n "${hsdump_pid:-}" ] && kill "$hsdump_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for TENTHS COMMAND...: polls COMMAND every 0.1 s, at most TENTHS times.
wait_for() {
    tries=$1
    shift
    i=0
    while ! "$@" && [ $i -lt "$tries" ]; do sleep 0.1; i=$((i + 1)); done
    "$@"
}

running() {
    kill -0 "$1" 2>/dev/null
}

stopped() {
    ! kill -0 "$1" 2>/dev/null
}

# start_hsdump NAME ARGS...: hsdump -i lo in the background, output in $tmp/NAME.{out,err};
# returns once it says it is listening (as tcpdump does) once the capture is open.
start_hsdump() {
    name=$1
    shift
    "$HSDUMP" -i lo "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    hsdump_pid=$!
    wait_for 50 grep -qs 'listening on lo' "$tmp/$name.err"
}

# handshake PORT: one TLS 1.2 connection from openssl s_client to s_server on 127.0.0.1:PORT.
handshake() {
    openssl s_server -accept "127.0.0.1:$1" -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
        -tls1_2 -naccept 1 -quiet >/dev/null 2>&1 &
    server_pid=$!
    if command -v ss >/dev/null 2>&1; then
        wait_for 50 port_open "$1"
    else
        sleep 0.5
    fi
    (printf 'ping\n'; sleep 0.5) | timeout 10 openssl s_client -connect "127.0.0.1:$1" \
        -servername live.hsdump.test -tls1_2 -quiet >/dev/null 2>&1
    wait_for 20 stopped "$server_pid" || kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
}

port_open() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# finish: SIGINT to the running hsdump; sets status to its exit status.
finish() {
    kill -INT "$hsdump_pid"
    wait "$hsdump_pid"
    status=$?
    hsdump_pid=
}

# The lines a file read back must repeat: hellos and closes, without the per-run details.
hellos_and_closes() {
    grep -E ' handshake (client|server)_hello | close ' "$1"
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -days 2 -subj /CN=live.hsdump.test >/dev/null 2>&1

# 1. Events while running; SIGUSR1 prints the counters and hsdump goes on; SIGINT ends it
# (and prints the --report tables after the events).
start_hsdump run --report "tcp port $port"
check "hsdump announces the live capture" grep -q 'listening on lo' "$tmp/run.err"
handshake $port
wait_for 50 grep -q ' close ' "$tmp/run.out"
# stdout is a file here, fully buffered: hsdump flushes it after each block of packets.
check "lines reach a file while hsdump runs" grep -q ' close ' "$tmp/run.out"
kill -USR1 "$hsdump_pid"
wait_for 30 grep -q '^hsdump: packets: ' "$tmp/run.err"
check "SIGUSR1 prints the counters on stderr" grep -q '^hsdump: handshakes completed: 1$' \
    "$tmp/run.err"
check "SIGUSR1 prints the kernel counters" grep -q '^hsdump: kernel dropped: ' "$tmp/run.err"
sleep 0.2
check "hsdump keeps running after SIGUSR1" running "$hsdump_pid"
finish
check "SIGINT ends hsdump with status 0" test $status -eq 0
check "client_hello printed with its SNI while running" \
    grep -q -e "-> 127.0.0.1:$port handshake client_hello .*sni=live.hsdump.test" "$tmp/run.out"
check "server_hello printed" grep -q "<- 127.0.0.1:$port handshake server_hello .*version=TLSv1.2" "$tmp/run.out"
check "close line printed" grep -q " close .*status=established" "$tmp/run.out"
check "statistics on stderr at the end" grep -q 'TLS connections' "$tmp/run.err"
check "--report: the tables follow the events on SIGINT" \
    sh -c "tail -n 7 '$tmp/run.out' | head -n 1 | grep -q '^report: connections=1 '"
check "--report: the server's row" \
    grep -Eq "^live.hsdump.test +$port +1 +0 +0 +- +TLSv1.2:1 " "$tmp/run.out"
check "statistics twice: SIGUSR1, then the end" \
    test "$(grep -c '^hsdump: packets: ' "$tmp/run.err")" -eq 2
sed 's/^/# /' "$tmp/run.out" "$tmp/run.err"

# 2. -c 1: stops by itself after the first completed handshake.
start_hsdump count -c 1 "tcp port 44592"
handshake 44592
wait_for 50 stopped "$hsdump_pid"
if stopped "$hsdump_pid"; then
    wait "$hsdump_pid"
    status=$?
    hsdump_pid=
    check "-c 1 stops by itself with status 0" test $status -eq 0
else
    finish
    not_ok "-c 1 stops by itself with status 0 (still running)"
fi
check "-c 1 printed the handshake" grep -q ' handshake server_hello ' "$tmp/count.out"
check "-c 1 printed the close line" grep -q ' close ' "$tmp/count.out"
check "-c 1 printed the counters" grep -q '^hsdump: handshakes completed: 1$' "$tmp/count.err"

# 3. -w: the file holds the connection, which reads back with the same lines.
start_hsdump write -w "$tmp/live.pcap" "tcp port 44593"
handshake 44593
wait_for 50 grep -q ' close ' "$tmp/write.out"
finish
check "-w: status 0" test $status -eq 0
"$HSDUMP" -r "$tmp/live.pcap" >"$tmp/back.out" 2>"$tmp/back.err"
check "-w: the file reads back" test $? -eq 0 -a -s "$tmp/back.out"
hellos_and_closes "$tmp/write.out" >"$tmp/write.lines"
hellos_and_closes "$tmp/back.out" >"$tmp/back.lines"
check "-w: the file gives the same client_hello, server_hello and close lines" \
    test -s "$tmp/write.lines" -a -n "$(cmp "$tmp/write.lines" "$tmp/back.lines" && echo same)"
check "-w: counts the frames written" grep -q '^hsdump: frames written: [1-9]' "$tmp/write.err"

# 4. -Z nobody: runs as nobody once the capture is open, and still captures.
nobody=$(id -u nobody 2>/dev/null)
if [ -n "$nobody" ]; then
    start_hsdump user -Z nobody "tcp port 44594"
    uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$hsdump_pid/status" 2>/dev/null)
    check "-Z nobody: real, effective, saved and fs uid are nobody's" \
        test "$uids" = "$nobody $nobody $nobody $nobody"
    handshake 44594
    wait_for 50 grep -q ' close ' "$tmp/user.out"
    finish
    check "-Z nobody: status 0" test $status -eq 0
    check "-Z nobody: the handshake is printed" grep -q ' handshake server_hello ' "$tmp/user.out"
else
    skip "-Z nobody" "no user nobody"
fi

# 5. --duration 1: stops on the wall clock even with no traffic at all.
start_hsdump duration --duration 1 "tcp port 44595"
wait_for 50 stopped "$hsdump_pid"
if stopped "$hsdump_pid"; then
    wait "$hsdump_pid"
    status=$?
    hsdump_pid=
    check "--duration 1 stops by itself with status 0" test $status -eq 0
else
    finish
    not_ok "--duration 1 stops by itself with status 0 (still running)"
fi
check "--duration 1 printed the counters" grep -q '^hsdump: packets: ' "$tmp/duration.err"

# 7. --keylog on a key log the client writes while hsdump runs: hsdump reads it again as it
# grows, and the TLS 1.3 connection's records after its secrets came are decrypted.
: >"$tmp/live.keylog"
start_hsdump keylog --keylog "$tmp/live.keylog" "tcp port 44597"
# the server's stdin stays open: at end of input s_server closes the connection, which could
# then end before hsdump read the client's secrets (they are read every 100 ms)
sleep 5 | openssl s_server -accept 127.0.0.1:44597 -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
    -tls1_3 -naccept 1 -quiet >/dev/null 2>&1 &
server_pid=$!
if command -v ss >/dev/null 2>&1; then wait_for 50 port_open 44597; else sleep 0.5; fi
(printf 'ping\n'; sleep 1) | timeout 10 openssl s_client -connect 127.0.0.1:44597 \
    -servername live.hsdump.test -tls1_3 -keylogfile "$tmp/live.keylog" -quiet >/dev/null 2>&1
wait_for 20 stopped "$server_pid" || kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=
wait_for 50 grep -q ' close ' "$tmp/keylog.out"
finish
check "live key log: the client wrote its secrets" grep -q '^CLIENT_TRAFFIC_SECRET_0 ' \
    "$tmp/live.keylog"
check "live key log: records after the secrets came are decrypted" \
    grep -q ' alert level=warning description=close_notify decrypted=true' "$tmp/keylog.out"
check "live key log: nothing failed to open" test -z "$(grep 'decrypt=failed' "$tmp/keylog.out")"
sed 's/^/# /' "$tmp/keylog.out"

# 6. Standard output is a pipe whose reader is gone: the first event line fails to be written
# and hsdump ends by itself, quietly, with status 0.
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import os, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
os.close(w)
os.execvp(sys.argv[1], sys.argv[1:])' "$HSDUMP" -i lo "tcp port 44596" 2>"$tmp/pipe.err" &
    hsdump_pid=$!
    wait_for 50 grep -qs 'listening on lo' "$tmp/pipe.err"
    handshake 44596
    wait_for 50 stopped "$hsdump_pid"
    if stopped "$hsdump_pid"; then
        wait "$hsdump_pid"
        status=$?
        hsdump_pid=
        check "closed pipe: hsdump stops by itself with status 0" test $status -eq 0
    else
        finish
        not_ok "closed pipe: hsdump stops by itself with status 0 (still running)"
    fi
    check "closed pipe: no message on stderr but the notice and the counters" \
        test -z "$(grep -v -e '^hsdump: [^:]*: [0-9]*$' -e '^hsdump: listening on' "$tmp/pipe.err")"
else
    skip "closed pipe" "python3 not installed"
fi
# 8. -j 2 live: the workers dissect, the reader prints the lines as they come; SIGUSR1 sums
# the workers' counters; SIGINT ends all with status 0 and no process left.
start_hsdump jobs -j 2 "tcp port 44598"
# The kernel's capture buffer (libpcap's TPACKET ring, mapped as the socket) is 32 MiB by
# default with -j, not libpcap's 2 MiB.
ring=$(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) .* socket:.*/\1 \2/p' "/proc/$hsdump_pid/maps" | head -1)
ring_bytes=0
[ -n "$ring" ] && ring_bytes=$(( 0x${ring#* } - 0x${ring% *} ))
check "-j 2 live: a 32 MiB capture buffer without -B ($ring_bytes bytes mapped)" \
    test "$ring_bytes" -eq $((32 * 1024 * 1024))
handshake 44598
wait_for 50 grep -q ' close ' "$tmp/jobs.out"
check "-j 2 live: the close line while running" grep -q " close .*status=established" \
    "$tmp/jobs.out"
kill -USR1 "$hsdump_pid"
wait_for 30 grep -q '^hsdump: handshakes completed: ' "$tmp/jobs.err"
check "-j 2 live: SIGUSR1 counts the workers' handshake" \
    grep -q '^hsdump: handshakes completed: 1$' "$tmp/jobs.err"
jobs_pid=$hsdump_pid
finish
check "-j 2 live: SIGINT ends it with status 0" test $status -eq 0
check "-j 2 live: the client_hello with its SNI" \
    grep -q -e "-> 127.0.0.1:44598 handshake client_hello .*sni=live.hsdump.test" "$tmp/jobs.out"
check "-j 2 live: no worker left" sh -c "! pgrep -P $jobs_pid >/dev/null"
done_testing
