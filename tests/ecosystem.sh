#!/bin/sh
# The ecosystem's formats (issue 19 part 6): -T ecs and -T zeek (--x509-log).
#  - golden outputs (tests/golden/<capture>.ecs.json, .zeek.log, .zeek-x509.log) of captures
#    chosen for what they exercise; regenerate with
#      HSDUMP=src/hsdump tests/ecosystem.sh --update
#    and read the diff before committing;
#  - every bundled capture's -T ecs records checked against the ECS field list
#    (tests/ecosystem/ecs_check.py: names, types, arrays, allowed values, valid JSON);
#  - every bundled capture's ssl.log and x509.log read by a zeek-cut equivalent
#    (tests/ecosystem/zeek_cut.py --check) against the columns and types Zeek declares.
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tools="$srcdir/tests/ecosystem"

# golden CAPTURE OPTION...: -T ecs, and -T zeek with its x509.log, of one capture
golden() {
    pcap="$srcdir/pcaps/$1"
    base=$(basename "$1")
    shift
    if ! "$HSDUMP" -T ecs "$@" -r "$pcap" >"$tmp/ecs" 2>"$tmp/err"; then
        not_ok "$base -T ecs: exit status: $(head -c 300 "$tmp/err")"
    fi
    compare_golden "$base -T ecs" "$tmp/ecs" "$srcdir/tests/golden/$base.ecs.json"
    rm -f "$tmp/x509"
    if ! "$HSDUMP" -T zeek --x509-log "$tmp/x509" "$@" -r "$pcap" >"$tmp/zeek" 2>"$tmp/err"; then
        not_ok "$base -T zeek: exit status: $(head -c 300 "$tmp/err")"
    fi
    compare_golden "$base -T zeek" "$tmp/zeek" "$srcdir/tests/golden/$base.zeek.log"
    compare_golden "$base --x509-log" "$tmp/x509" "$srcdir/tests/golden/$base.zeek-x509.log"
}

golden tls12-full.pcap
golden tls13-full.pcap
golden tls12-chain3.pcap
golden tls12-ecdsa.pcap
golden tls12-mutual.pcap
golden tls12-resume-sessionid.pcap
golden tls13-psk-resume.pcap
golden tls13-hrr.pcap
golden alert-unknown-ca.pcap
golden dtls12.pcap
golden ipv6-tls13.pcap
golden starttls-smtp.pcap
golden partial-client-only.pcap
golden hostile/forged-fields.pcap
golden keylog-tls13-mutual.pcapng
golden keylog-tls12-alert.pcap --keylog "$srcdir/pcaps/keylogs/keylog-tls12-alert.keylog"
[ "$update" = yes ] && exit 0

if ! command -v python3 >/dev/null 2>&1; then
    skip "ECS and Zeek checks" "python3 not installed"
    done_testing
    exit
fi

# Every capture: ECS records valid against the field list, ssl.log and x509.log as Zeek
# declares them.
ecs_bad=0
zeek_bad=0
records=0
for pcap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng "$srcdir"/pcaps/hostile/*.pcap; do
    [ -f "$pcap" ] || continue
    "$HSDUMP" -T ecs -r "$pcap" >"$tmp/ecs" 2>/dev/null
    if [ -s "$tmp/ecs" ] && ! python3 "$tools/ecs_check.py" "$tmp/ecs" >"$tmp/faults"; then
        ecs_bad=$((ecs_bad + 1))
        echo "# $(basename "$pcap"):"
        sed 's/^/#   /' "$tmp/faults" | head -5
    fi
    records=$((records + $(wc -l <"$tmp/ecs")))
    rm -f "$tmp/x509"
    "$HSDUMP" -T zeek --x509-log "$tmp/x509" -r "$pcap" >"$tmp/zeek" 2>/dev/null
    for log in ssl x509; do
        file="$tmp/zeek"
        [ $log = x509 ] && file="$tmp/x509"
        [ -s "$file" ] || continue
        if ! python3 "$tools/zeek_cut.py" --check $log <"$file" >/dev/null 2>"$tmp/faults"; then
            zeek_bad=$((zeek_bad + 1))
            echo "# $(basename "$pcap") $log.log:"
            sed 's/^/#   /' "$tmp/faults" | head -5
        fi
    done
done
check "-T ecs of every capture: $records records, each valid ECS (ecs_fields.csv)" \
    test "$ecs_bad" -eq 0 -a "$records" -gt 100
check "-T zeek of every capture: ssl.log and x509.log as Zeek declares them" \
    test "$zeek_bad" -eq 0

# -S, -v and -t change nothing in the records.
pcap="$srcdir/pcaps/tls12-chain3.pcap"
for format in ecs zeek; do
    "$HSDUMP" -T $format -r "$pcap" >"$tmp/plain"
    "$HSDUMP" -T $format -S -vv -tt -r "$pcap" >"$tmp/options"
    check "-T $format: -S -vv -tt change nothing" cmp -s "$tmp/plain" "$tmp/options"
done

# What a Zeek user types: columns by name, whatever their place.
"$HSDUMP" -T zeek -r "$srcdir/pcaps/tls12-full.pcap" |
    python3 "$tools/zeek_cut.py" id.orig_h id.resp_p version server_name established \
        ssl_history >"$tmp/cut"
printf '127.0.0.1\t44301\tTLSv12\tserver.hsdump.test\tT\tCsxknGIi\n' >"$tmp/expected"
check "zeek-cut columns of tls12-full's ssl.log" cmp -s "$tmp/cut" "$tmp/expected"

# A forged SNI (spaces, '=') stays one value; the certificate's tab-free bytes outside
# printable ASCII are \xNN; the ECS record carries the same strings, unescaped.
"$HSDUMP" -T zeek --x509-log "$tmp/x509" -r "$srcdir/pcaps/hostile/forged-fields.pcap" |
    python3 "$tools/zeek_cut.py" server_name next_protocol | head -1 >"$tmp/cut"
printf 'a sni=bank.example status=established\ta sni=bank.example status=established\n' \
    >"$tmp/expected"
check "forged SNI and ALPN: one ssl.log value each" cmp -s "$tmp/cut" "$tmp/expected"
python3 "$tools/zeek_cut.py" san.dns <"$tmp/x509" | head -1 >"$tmp/cut"
printf 'a sni=bank.example status=established,ok.example,\\xff\\x2cx=y\n' >"$tmp/expected"
check "x509.log san.dns: a byte outside ASCII and ',' in an item escaped" cmp -s "$tmp/cut" "$tmp/expected"
"$HSDUMP" -T ecs -r "$srcdir/pcaps/hostile/forged-fields.pcap" | head -1 | python3 -c '
import json, sys
o = json.load(sys.stdin)["tls"]["server"]["x509"]["subject"]
assert o["organization"] == ["x\" sni=\\\"bank.example\ncaf\u00e9", "GitHub, Inc."], o
assert o["common_name"] == ["a sni=bank.example status=established"], o
' && ok "ECS subject: RFC 4514 escapes undone, one list item per O" ||
    not_ok "ECS subject: RFC 4514 escapes undone, one list item per O"

done_testing
