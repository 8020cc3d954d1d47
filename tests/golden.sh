#!/bin/sh
# Golden outputs: hsdump's exact output for the captures in pcaps/ must equal the files in
# tests/golden/. Every capture is checked in the default text form (<capture>.txt), with -vv
# (<capture>.vv.txt), as JSON Lines (<capture>.json, each line also parsed as JSON)
# and as a summary (<capture>.S.txt); the key-logged ones also with their key logs
# (<capture>.keylog.*); one capture is also checked in every timestamp mode and
# with --canonical (<capture>.<mode>.txt). After a reviewed change of output, regenerate with
#   HSDUMP=src/hsdump tests/golden.sh --update
# and read the diff before committing.
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_python=no
command -v python3 >/dev/null 2>&1 && have_python=yes

# golden NAME SUFFIX PCAP OPTION...: one output compared with tests/golden/NAME.SUFFIX
golden() {
    file="$srcdir/tests/golden/$1.$2"
    what="$1 ${4:+$(echo "$@" | cut -d' ' -f4-)}"
    pcap=$3
    shift 3
    "$HSDUMP" "$@" -r "$pcap" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$update" = yes ]; then
        cp "$tmp/out" "$file"
        return
    fi
    if [ $status -ne 0 ]; then
        not_ok "$what: exit status $status: $(head -c 300 "$tmp/err")"
    elif [ ! -f "$file" ]; then
        not_ok "$what: no golden file $file"
    elif diff -u "$file" "$tmp/out" >"$tmp/diff"; then
        ok "$what matches $(basename "$file")"
    else
        not_ok "$what differs from $(basename "$file")"
        sed 's/^/# /' "$tmp/diff" | head -40
    fi
}

# Every line of a -T json output must be one JSON object with the prefix keys.
valid_json() {
    python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    assert isinstance(o, dict), f"line {n}: not an object"
    for key in ("conn", "client", "dir", "server", "event"):
        assert key in o, f"line {n}: no {key}"
' "$1"
}

found=no
for pcap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng; do
    [ -f "$pcap" ] || continue
    found=yes
    base=$(basename "$pcap")
    golden "$base" txt "$pcap"
    golden "$base" vv.txt "$pcap" -vv
    golden "$base" json "$pcap" -T json
    if [ "$update" = no ] && [ "$have_python" = yes ]; then
        check "$base -T json: every line parses as a JSON object" valid_json "$tmp/out"
    fi
    golden "$base" S.txt "$pcap" -S
done
[ "$found" = yes ] || not_ok "no captures found in $srcdir/pcaps"

# The key-logged captures again with their key logs: every handshake decrypted (issue 17).
for pcap in "$srcdir"/pcaps/keylog-*.pcap; do
    [ -f "$pcap" ] || continue
    base=$(basename "$pcap")
    keylog="$srcdir/pcaps/keylogs/${base%.pcap}.keylog"
    golden "$base" keylog.txt "$pcap" --keylog "$keylog"
    golden "$base" keylog.vv.txt "$pcap" -vv --keylog "$keylog"
    golden "$base" keylog.json "$pcap" -T json --keylog "$keylog"
    golden "$base" keylog.S.txt "$pcap" -S --keylog "$keylog"
done
# --canonical reads a decrypted chain as a plaintext one: both chains of a mutual TLS 1.3
# handshake, with the key log and, with none, from the secrets inside the pcapng.
golden keylog-tls13-mutual.pcap keylog.canonical.txt "$srcdir/pcaps/keylog-tls13-mutual.pcap" \
    --canonical --keylog "$srcdir/pcaps/keylogs/keylog-tls13-mutual.keylog"
golden keylog-tls13-mutual.pcapng canonical.txt "$srcdir/pcaps/keylog-tls13-mutual.pcapng" \
    --canonical

# Timestamp modes and --canonical, on a capture with two connections.
pcap="$srcdir/pcaps/tls13-psk-resume.pcap"
base=$(basename "$pcap")
golden "$base" t.txt "$pcap" -t
golden "$base" tt.txt "$pcap" -tt
golden "$base" ttt.txt "$pcap" -ttt
golden "$base" ttttt.txt "$pcap" -ttttt
# -tttt: the local date and time, as tcpdump -tttt; a POSIX TZ string (UTC+9, no summer time,
# no tzdata needed) keeps the file the same everywhere.
old_tz=${TZ-}
TZ=JST-9
export TZ
golden "$base" tttt.txt "$pcap" -tttt
if [ -n "$old_tz" ]; then TZ=$old_tz; else unset TZ; fi
golden "$base" canonical.txt "$pcap" --canonical

# A handshake budget too small for the 340 KB Certificate: it is dropped with
# truncated=budget, and the messages after it are read.
pcap="$srcdir/pcaps/tls12-huge-cert.pcap"
golden "$(basename "$pcap")" budget64k.txt "$pcap" --max-handshake-memory 64K
# The same Certificate seen from the server side only: the keyless path hands it to the
# record layer, whose held record and message the budget drops.
pcap="$srcdir/pcaps/partial-server-only-huge.pcap"
golden "$(basename "$pcap")" budget64k.txt "$pcap" --max-handshake-memory 64K
# The certificate-check captures against their own CA (tests/certs/root.pem): trusted,
# unless the certificate says otherwise; the expiring one again with a shorter warning, and
# the keyless TLS 1.3 mutual capture's client chain (trust only with a CA given).
for pcap in "$srcdir"/pcaps/cert-*.pcap; do
    [ -f "$pcap" ] || continue
    golden "$(basename "$pcap")" cafile.txt "$pcap" --ca-file "$srcdir/tests/certs/root.pem"
done
pcap="$srcdir/pcaps/cert-expiring.pcap"
golden "$(basename "$pcap")" expiry5.txt "$pcap" --expiry-warning 5
# --ca-path: the same root in a hashed directory gives the same output as --ca-file.
if command -v openssl >/dev/null 2>&1; then
    mkdir "$tmp/ca" && cp "$srcdir/tests/certs/root.pem" "$tmp/ca/" &&
        openssl rehash "$tmp/ca" >/dev/null 2>&1
    pcap="$srcdir/pcaps/cert-resigned.pcap"
    golden "$(basename "$pcap")" cafile.txt "$pcap" --ca-path "$tmp/ca"
fi

# Field selection and filters (issue 19 parts 1 and 2): -e in every format, -Y, --conn-filter.
p="$srcdir/pcaps"
pcap="$p/interleaved.pcap"
base=$(basename "$pcap")
golden "$base" fields.txt "$pcap" -T fields \
    -e time,conn,src,dst,dir,event,message,version,cipher_suites -e sni,fields_overflow
golden "$base" csv "$pcap" -T csv -e conn,client,server,event,message,cipher_suites,sni
golden "$base" e.txt "$pcap" -e conn,event,message,cipher_suite,status
golden "$base" e.json "$pcap" -T json -e conn,dir,event,message,supported_versions,records_c2s
golden "$base" e.S.csv "$pcap" -S -T csv -e conn,status,version,cipher_suite,ja4,bytes_s2c
golden "$base" Y-version.txt "$pcap" -Y 'version < TLSv1.3'
golden "$base" Y-list.txt "$pcap" -t -Y 'supported_versions contains TLSv1.3 or ec_point_formats ~ "^ansiX962"'
golden "$base" conn-filter.txt "$pcap" -t --conn-filter 'version == TLSv1.3'
golden "$base" conn-filter-Y.fields.txt "$pcap" -T fields -e conn,event,message \
    --conn-filter 'version >= TLSv1.2 and not flags contains ems' -Y 'event != encrypted'
# two captures read in turn: one failed handshake among established ones
pcap="$p/alert-handshake-failure.pcap"
base=$(basename "$pcap")
golden "$base" Y-failed.txt "$pcap" -r "$p/tls12-full.pcap" -Y 'status == failed'
golden "$base" conn-filter-failed.json "$pcap" -r "$p/tls12-full.pcap" -T json \
    --conn-filter 'status == failed'
golden "$base" Y-contains.fields.txt "$pcap" -r "$p/tls12-full.pcap" -T fields \
    -e conn,event,message,cipher_suites -Y 'cipher_suites contains TLS_RSA_WITH_AES_256_CBC_SHA'
# certificate names (spaces, '=' and commas) in CSV; a regular expression on the SNI
pcap="$p/tls12-chain3.pcap"
base=$(basename "$pcap")
golden "$base" x509.csv "$pcap" -T csv -e conn,index,subject,issuer,san_dns -Y 'event == x509'
golden "$base" Y-regex.fields.txt "$pcap" -T fields -e conn,event,message,sni \
    -Y 'sni ~ "\.hsdump\.test$"'
# A ClientHello of 28 suites, 7 shown without -v: -Y sees the last one, -e prints them all.
pcap="$p/keylog-curl-tls12.pcap"
golden "$(basename "$pcap")" Y-whole-list.txt "$pcap" \
    -Y 'cipher_suites contains TLS_EMPTY_RENEGOTIATION_INFO_SCSV'
golden "$(basename "$pcap")" e-whole-list.fields.txt "$pcap" -T fields -e conn,cipher_suites \
    -Y 'message == client_hello'
# --conn-filter past its bound: a held_dropped line before the close
pcap="$p/tls12-full.pcap"
golden "$(basename "$pcap")" conn-filter-hold.txt "$pcap" --conn-filter 'status == established' \
    --conn-filter-hold 1K
[ "$update" = yes ] && exit 0
done_testing
