#!/bin/sh
# Oracle test: the ja4 hsdump prints for each connection of the public captures in
# ../shared/pcaps-public/ja4 must equal FoxIO's expected values (expected/*.snap), for TCP
# and for QUIC (UDP) streams alike. TCP streams hsdump cannot see yet (connection start not
# captured) are skipped with the reason; TLS after an HTTP CONNECT or SOCKS handshake is
# followed, so those streams count. Skips when the folder
# is absent.
. "${srcdir:-.}/tests/lib.sh"

dir="$srcdir/../shared/pcaps-public/ja4"
[ -d "$dir/expected" ] || skip_all "no public JA4 captures in $dir"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
exec python3 "$srcdir/tests/ja4_public.py" "$HSDUMP" "$dir"
