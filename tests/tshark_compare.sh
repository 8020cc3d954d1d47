#!/bin/sh
# Oracle test: for every capture in pcaps/, each connection's sequence of plaintext handshake
# messages, alerts and ChangeCipherSpecs must equal tshark's. Skips when tshark is absent.
. "${srcdir:-.}/tests/lib.sh"

command -v tshark >/dev/null 2>&1 || skip_all "tshark not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
exec python3 "$srcdir/tests/tshark_compare.py" "$HSDUMP" "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng
