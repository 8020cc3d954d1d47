#!/bin/sh
# Oracle test: the ja3 and ja3s hsdump prints for each connection must equal tshark's
# tls.handshake.ja3 and tls.handshake.ja3s, on the captures in pcaps/ and, when present, the
# public ones in ../shared/pcaps-public/ja4. Skips when tshark is absent.
. "${srcdir:-.}/tests/lib.sh"

command -v tshark >/dev/null 2>&1 || skip_all "tshark not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
exec python3 "$srcdir/tests/ja3_tshark.py" "$HSDUMP" "$srcdir"/pcaps/*.pcap \
    "$srcdir"/pcaps/*.pcapng "$srcdir"/../shared/pcaps-public/ja4/*.pcap \
    "$srcdir"/../shared/pcaps-public/ja4/*.pcapng
