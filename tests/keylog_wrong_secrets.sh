#!/bin/sh
# TLS 1.3 application data past the handshake is read for its inner type alone, from the
# keystream of its last bytes, without its tag (man page, DECRYPTION): wrong application
# traffic secrets must still be found out. With the key logs of pcaps/keylogs/ whose
# CLIENT_TRAFFIC_SECRET_0 and SERVER_TRAFFIC_SECRET_0 are replaced by wrong values of the
# same length, the handshake is still read in the clear, and each side that sent a record
# after its Finished gives decrypt=failed; with the right key log, nothing fails.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# has FILE PATTERN COUNT: grep -c PATTERN FILE is COUNT
has() {
    [ "$(grep -c -- "$2" "$1")" -eq "$3" ]
}

for capture in keylog-tls13-full keylog-tls13-chacha20 keylog-tls13-ccm keylog-tls13-aes256; do
    pcap="$srcdir/pcaps/$capture.pcap"
    keylog="$srcdir/pcaps/keylogs/$capture.keylog"
    awk '$1 ~ /^(CLIENT|SERVER)_TRAFFIC_SECRET_0$/ { s = $3; gsub(/[0-9a-f]/, "7", s); $3 = s }
         { print }' "$keylog" >"$tmp/wrong.keylog"
    "$HSDUMP" --keylog "$keylog" -r "$pcap" >"$tmp/right" 2>&1
    "$HSDUMP" --keylog "$tmp/wrong.keylog" -r "$pcap" >"$tmp/wrong" 2>&1
    check "$capture: right secrets: nothing fails" has "$tmp/right" 'decrypt=failed' 0
    check "$capture: wrong application secrets: both Finished still decrypted" \
        has "$tmp/wrong" 'handshake finished .*decrypted=true' 2
    check "$capture: wrong application secrets: the first record of each side fails" \
        has "$tmp/wrong" ' encrypted content_type=application_data length=[0-9]* decrypt=failed' 2
    check "$capture: wrong application secrets: the close line says so" \
        has "$tmp/wrong" ' close .* decrypt=failed' 1
done
done_testing
