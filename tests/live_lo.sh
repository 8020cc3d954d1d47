#!/bin/sh
# Live capture: hsdump -i lo prints a TLS handshake made by openssl on 127.0.0.1 while it
# runs, and SIGINT stops it with exit 0. Needs root (capture permission); skips otherwise.
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

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -days 2 -subj /CN=live.hsdump.test >/dev/null 2>&1
"$HSDUMP" -i lo "tcp port $port" >"$tmp/out" 2>"$tmp/err" &
hsdump_pid=$!
# hsdump says it is listening (as tcpdump does) once the capture is open.
i=0
while ! grep -q 'listening on lo' "$tmp/err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "hsdump announces the live capture" grep -q 'listening on lo' "$tmp/err"

openssl s_server -accept "127.0.0.1:$port" -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
    -tls1_2 -naccept 1 -quiet >/dev/null 2>&1 &
server_pid=$!
sleep 0.5
(printf 'ping\n'; sleep 0.5) | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
    -servername live.hsdump.test -tls1_2 -quiet >/dev/null 2>&1
i=0
while ! grep -q ' close ' "$tmp/out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT "$hsdump_pid"
wait "$hsdump_pid"
status=$?
hsdump_pid=

check "SIGINT ends hsdump with status 0" test $status -eq 0
check "client_hello printed with its SNI while running" \
    grep -q -e "-> 127.0.0.1:$port handshake client_hello .*sni=live.hsdump.test" "$tmp/out"
check "server_hello printed" grep -q "<- 127.0.0.1:$port handshake server_hello .*version=TLSv1.2" "$tmp/out"
check "close line printed" grep -q " close .*status=established" "$tmp/out"
check "statistics on stderr at the end" grep -q 'TLS connections' "$tmp/err"
sed 's/^/# /' "$tmp/out" "$tmp/err"
done_testing
