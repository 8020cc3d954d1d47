#!/bin/sh
# Oracle test for decryption (issue 17): every key-logged capture pcaps/keylog-*.pcap, read
# with its key log pcaps/keylogs/NAME.keylog (hsdump --keylog, tshark -o tls.keylog_file),
# and every pcaps/keylog-*.pcapng, read with the secrets inside it, must show per connection
# and direction the same handshake messages with the same lengths, the same alerts and the
# same certificate fingerprints in hsdump as in tshark, and hsdump must mark what it
# decrypted (decrypted=true). Skips when tshark is absent.
. "${srcdir:-.}/tests/lib.sh"

command -v tshark >/dev/null 2>&1 || skip_all "tshark not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
exec python3 "$srcdir/tests/decrypt_tshark.py" "$HSDUMP" "$srcdir"/pcaps/keylog-*.pcap \
    "$srcdir"/pcaps/keylog-*.pcapng
