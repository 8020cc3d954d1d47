#!/bin/sh
# DTLS 1.2 and 1.0 decrypted with a key log (tests/dtls_keylog/README.md): both sides'
# Finished and close_notify alerts read through the plaintext dissectors and marked
# decrypted=true; application data never shown; a wrong master secret gives decrypt=failed
# and the rest keyless; a key log without the connection's line changes nothing; a
# renegotiation read whole.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir="$srcdir/tests/dtls_keylog"

# quiet FILE...: every FILE is empty
quiet() {
    for f in "$@"; do
        [ ! -s "$f" ] || return 1
    done
}

# has FILE PATTERN COUNT: grep -c PATTERN FILE is COUNT
has() {
    [ "$(grep -c -- "$2" "$1")" -eq "$3" ]
}

for capture in dtls12-gcm dtls12-cbc dtls12-cbc-no-etm dtls10-cbc; do
    pcap="$dir/$capture.pcap"
    keylog="$dir/$capture.keylog"
    "$HSDUMP" -r "$pcap" >"$tmp/keyless" 2>"$tmp/err0"
    "$HSDUMP" --keylog "$keylog" -r "$pcap" >"$tmp/keyed" 2>"$tmp/err1"
    check "$capture: runs cleanly" quiet "$tmp/err0" "$tmp/err1"
    check "$capture: client Finished decrypted" \
        has "$tmp/keyed" '-> .* handshake finished transport=dtls length=12 .*decrypted=true' 1
    check "$capture: server Finished decrypted" \
        has "$tmp/keyed" '<- .* handshake finished transport=dtls length=12 .*decrypted=true' 1
    check "$capture: both close_notify alerts decrypted" has "$tmp/keyed" \
        'alert transport=dtls level=warning description=close_notify decrypted=true' 2
    check "$capture: no protected record left unread but application data" \
        has "$tmp/keyed" 'encrypted transport=dtls\|encrypted=true' 0
    check "$capture: close line counts the decrypted records" \
        has "$tmp/keyed" ' close .*status=established.* decrypted_records=4' 1
    check "$capture: keyless output knows nothing of decryption" \
        has "$tmp/keyless" 'decrypt' 0
    # every line but the four read records is the same with keys
    grep -v 'decrypted=true\|inferred=finished\|alert transport=dtls encrypted=true' \
        "$tmp/keyless" | sed 's/ history=[^ ]*//' >"$tmp/keyless.rest"
    grep -v 'decrypted=true' "$tmp/keyed" | sed 's/ history=[^ ]*//; s/ decrypted_records=4//' \
        >"$tmp/keyed.rest"
    check "$capture: other lines unchanged by keys" cmp -s "$tmp/keyless.rest" "$tmp/keyed.rest"

    # a key log without this connection: exactly the keyless output
    awk '/^CLIENT_RANDOM/ {gsub(/./, "f", $2)} {print}' "$keylog" >"$tmp/other.keylog"
    "$HSDUMP" --keylog "$tmp/other.keylog" -r "$pcap" >"$tmp/other" 2>/dev/null
    check "$capture: another connection's key log changes nothing" \
        cmp -s "$tmp/keyless" "$tmp/other"

    # the right client random with a wrong master secret: the Finished lines as keyless plus
    # decrypt=failed, then keyless
    awk '/^CLIENT_RANDOM/ {print $1, $2, "00" substr($3, 3); next} {print}' "$keylog" \
        >"$tmp/wrong.keylog"
    "$HSDUMP" --keylog "$tmp/wrong.keylog" -r "$pcap" >"$tmp/wrong" 2>/dev/null
    check "$capture: wrong master secret: Finished lines say decrypt=failed" \
        has "$tmp/wrong" \
        'content_type=handshake length=[0-9]* inferred=finished decrypt=failed$' 2
    check "$capture: wrong master secret: nothing decrypted, the flow says so" \
        has "$tmp/wrong" 'decrypted=true' 0
    check "$capture: wrong master secret: close line says decrypt=failed" \
        has "$tmp/wrong" ' close .* decrypt=failed' 1
done

# A renegotiation (epoch 1 carries the second handshake, epoch 2 its Finished and the alerts)
pcap="$dir/dtls12-renegotiation.pcap"
"$HSDUMP" --keylog "$dir/dtls12-renegotiation.keylog" -r "$pcap" >"$tmp/reneg" 2>"$tmp/err"
check "renegotiation: runs cleanly" quiet "$tmp/err"
check "renegotiation: the second ClientHello decrypted" \
    has "$tmp/reneg" '-> .* handshake client_hello .*decrypted=true' 1
check "renegotiation: the second server flight decrypted" \
    has "$tmp/reneg" '<- .* handshake server_hello_done .*decrypted=true' 1
check "renegotiation: both ChangeCipherSpec under epoch 1 decrypted" \
    has "$tmp/reneg" 'change_cipher_spec transport=dtls decrypted=true' 2
check "renegotiation: four Finished decrypted" \
    has "$tmp/reneg" 'handshake finished transport=dtls .*decrypted=true' 4
check "renegotiation: close_notify under epoch 2 decrypted" \
    has "$tmp/reneg" 'alert transport=dtls level=warning description=close_notify decrypted=true' 2
check "renegotiation: the flow says renegotiated, established" \
    has "$tmp/reneg" ' close .*flags=renegotiated.*status=established' 1

done_testing
