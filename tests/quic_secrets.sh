#!/bin/sh
# QUIC Handshake packets decrypted with a key log (RFC 9001 5.1): the public capture
# chrome-cloudflare-quic-with-secrets.pcapng in ../shared/pcaps-public/ja4, read with the
# secrets of its Decryption Secrets Block as extracted into tests/chrome-cloudflare-quic.keylog.
# The server's EncryptedExtensions, brotli CompressedCertificate (RFC 8879 4: decompressed,
# with an x509 line per certificate), CertificateVerify and both Finished must appear with
# decrypted=true, and, when tshark is installed, as the same messages and lengths tshark
# decrypts, and the same certificates (their bytes as tshark decompresses them, named by
# openssl x509). The capture's TLS-over-TCP connection to the same server sends its
# certificates compressed too. Skips when the folder is absent.
. "${srcdir:-.}/tests/lib.sh"

pcap="$srcdir/../shared/pcaps-public/ja4/chrome-cloudflare-quic-with-secrets.pcapng"
keys="$srcdir/tests/chrome-cloudflare-quic.keylog"
[ -f "$pcap" ] || skip_all "no public capture $pcap"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# Without its Decryption Secrets Blocks (pcapng block type 0x0000000A, draft-ietf-opsawg-pcapng
# 4.7), so that only --keylog brings the secrets: editcap and tshark 4.0 refuse to rewrite
# this file, so the blocks are dropped here (each block: type u32, total length u32, body,
# total length again; the section header's byte-order magic tells the byte order).
input="$pcap"
if command -v python3 >/dev/null 2>&1 && python3 - "$pcap" "$tmp/nosecrets.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out, i, order = bytearray(), 0, "<"
while i + 12 <= len(data):
    if data[i:i + 4] == b"\x0a\x0d\x0d\x0a":
        order = "<" if data[i + 8:i + 12] == b"\x4d\x3c\x2b\x1a" else ">"
    kind, length = struct.unpack_from(order + "II", data, i)
    if length < 12 or i + length > len(data):
        sys.exit(1)
    if kind != 0x0000000A:
        out += data[i:i + length]
    i += length
open(sys.argv[2], "wb").write(out)
PY
then
    input="$tmp/nosecrets.pcapng"
fi

"$HSDUMP" -r "$input" >"$tmp/keyless.txt" 2>&1
"$HSDUMP" --keylog "$keys" -r "$input" >"$tmp/keyed.txt" 2>&1
grep ' transport=quic ' "$tmp/keyed.txt" | grep ' decrypted=true' >"$tmp/decrypted.txt"

has() {
    grep -q -- "$1" "$tmp/decrypted.txt"
}

if [ "$input" != "$pcap" ]; then
    check "without keys no QUIC line is decrypted" \
        sh -c "! grep -q 'decrypted=true' '$tmp/keyless.txt'"
else
    skip "without keys no QUIC line is decrypted" "python3 not installed to drop the secrets"
fi
quic='transport=quic quic_version=v1'
check "encrypted_extensions with transport parameters decrypted" \
    has "handshake encrypted_extensions $quic length=94 .* alpn=h3 quic_transport_parameters_length=75 "
chain='certificates=2 certificate_lengths=1351,977'
check "compressed certificate decrypted and decompressed" \
    has "handshake compressed_certificate $quic length=1628 algorithm=brotli \
uncompressed_length=2342 compressed_length=1620 $chain "
# hsdump escapes '=' and ' ' in a subject as \x3d and \x20
check "x509 line of each decompressed certificate" \
    sh -c "grep -q 'x509 $quic index=0 subject=CN.x3dsni.cloudflaressl.com,' '$tmp/decrypted.txt' &&
           grep -q 'x509 $quic index=1 subject=CN.x3dCloudflare.x20Inc' '$tmp/decrypted.txt'"
check "TLS over TCP: compressed certificate decompressed" \
    grep -q "handshake compressed_certificate length=1823 algorithm=brotli \
uncompressed_length=2629 compressed_length=1815 $chain decrypted=true" "$tmp/keyed.txt"
check "certificate_verify decrypted" \
    has "handshake certificate_verify $quic length=74 signature_scheme=ecdsa_secp256r1_sha256 "
check "both finished decrypted" \
    test "$(grep -c 'handshake finished transport=quic .*length=32 ' "$tmp/decrypted.txt")" -eq 2
check "close line counts the decrypted packets, none failed" \
    sh -c "grep ' close transport=quic ' '$tmp/keyed.txt' |
               grep -q 'decrypted_handshake_c2s=2 decrypted_handshake_s2c=3' &&
           ! grep -q 'decrypt=failed\|decrypt_failed' '$tmp/keyed.txt'"

# tshark's decryption of the same packets: message types and lengths outside the hellos and
# the 1-RTT NewSessionTicket (RFC 8446 4.6.1), which hsdump does not decrypt.
if command -v tshark >/dev/null 2>&1; then
    tshark -r "$input" -o "tls.keylog_file:$keys" -Y quic -T fields \
        -e tls.handshake.type -e tls.handshake.length 2>/dev/null |
        awk -F'\t' '$1 != "" { n = split($1, t, ","); split($2, l, ",");
            for (i = 1; i <= n; i++) if (t[i] != 1 && t[i] != 2 && t[i] != 4) print t[i], l[i] }' \
        >"$tmp/tshark.txt"
    sed -n 's/.* handshake \([a-z_]*\) transport=quic .* length=\([0-9]*\) .*/\1 \2/p' \
        "$tmp/decrypted.txt" |
        awk '{ split("encrypted_extensions 8 certificate 11 certificate_request 13 " \
                     "certificate_verify 15 finished 20 compressed_certificate 25", m, " ");
               for (i = 1; i < 12; i += 2) if (m[i] == $1) print m[i + 1], $2 }' \
        >"$tmp/hsdump.txt"
    check "decrypted messages and lengths match tshark's" \
        sh -c "[ -s '$tmp/tshark.txt' ] && cmp -s '$tmp/tshark.txt' '$tmp/hsdump.txt'"
    # Each certificate of both connections' CompressedCertificates, in order: SHA-256 and
    # subject of the bytes tshark decompressed (openssl), against hsdump's -v x509 lines (its
    # escapes undone: \xHH and \\).
    "$HSDUMP" -v --keylog "$keys" -r "$input" 2>/dev/null |
        sed -n 's/.* x509 .* subject=\([^ ]*\) .* sha256=\([0-9a-f]*\) .*/\2 \1/p' |
        perl -pe 's/\\(?:x([0-9a-f]{2})|(\\))/defined $1 ? chr hex $1 : "\\"/ge' \
        >"$tmp/hsdump_certs.txt"
    tshark -r "$input" -o "tls.keylog_file:$keys" -Y 'tls.handshake.type == 25' -T fields \
        -e tls.handshake.certificate 2>/dev/null | tr ',' '\n' | grep . |
        while read -r hex; do
            printf '%s' "$hex" | perl -ne 'print pack("H*", $_)' >"$tmp/cert.der"
            digest=$(openssl dgst -sha256 -r "$tmp/cert.der" | cut -d' ' -f1)
            subject=$(openssl x509 -inform DER -in "$tmp/cert.der" -noout -subject \
                -nameopt RFC2253 | sed 's/^subject=//')
            echo "$digest $subject"
        done >"$tmp/tshark_certs.txt"
    check "decompressed certificates match tshark's (SHA-256 and subject by openssl)" \
        sh -c "[ \$(wc -l <'$tmp/tshark_certs.txt') -eq 4 ] &&
               cmp -s '$tmp/tshark_certs.txt' '$tmp/hsdump_certs.txt'"
else
    skip "decrypted messages and lengths match tshark's" "tshark not installed"
    skip "decompressed certificates match tshark's (SHA-256 and subject by openssl)" \
        "tshark not installed"
fi
done_testing
