#!/bin/sh
# --report (issue 18 part 4): the tables after a merged run over several captures, as text,
# as JSON Lines and past --report-top, compared with tests/golden/report/; every JSON line
# parses; the event lines before the report are those of a run without it; every connection
# is in exactly one row of each table. After a reviewed change of output, regenerate with
#   HSDUMP=src/hsdump tests/report.sh --update
# and read the diff before committing.
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir="$srcdir/tests/golden/report"
have_python=no
command -v python3 >/dev/null 2>&1 && have_python=yes

# A few captures with different servers, versions, transports and outcomes, read in one run.
some=""
for p in alert-cert-expired alert-handshake-failure alert-protocol-version alert-unknown-ca \
         dtls12 ipv6-tls13 partial-server-only starttls-smtp tls12-full tls12-resume-sessionid \
         tls12-rsa-kx tls13-psk-resume keylog-tls10-cbc; do
    some="$some -r $srcdir/pcaps/$p.pcap"
done
all=""
for p in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng; do
    [ -f "$p" ] && all="$all -r $p"
done

# golden NAME OPTION...: hsdump's report compared with tests/golden/report/NAME
golden() {
    name=$1
    shift
    # shellcheck disable=SC2086
    "$HSDUMP" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    # only the report: the close lines before it have goldens of their own (golden.sh)
    sed -n '/^report: /,$p; /^{"event":"report/p' "$tmp/out" >"$tmp/$name"
    if [ "$update" = yes ]; then
        mkdir -p "$dir"
        cp "$tmp/$name" "$dir/$name"
        return
    fi
    if [ $status -ne 0 ]; then
        not_ok "$name: exit status $status: $(head -c 300 "$tmp/err")"
    elif diff -u "$dir/$name" "$tmp/$name" >"$tmp/diff"; then
        ok "$name matches"
    else
        not_ok "$name differs"
        sed 's/^/# /' "$tmp/diff" | head -40
    fi
}

# shellcheck disable=SC2086
golden some.txt -S --report $some
# shellcheck disable=SC2086
golden some.json -S -T json --report $some
# shellcheck disable=SC2086
golden some-top3.txt -S --report-top 3 $some
# shellcheck disable=SC2086
golden some-top3.json -S -T json --report-top 3 $some
[ "$update" = yes ] && exit 0

# The events are those of a run without --report; the report only follows them.
# shellcheck disable=SC2086
"$HSDUMP" $some >"$tmp/plain" 2>/dev/null
# shellcheck disable=SC2086
"$HSDUMP" --report $some >"$tmp/with" 2>/dev/null
lines=$(wc -l <"$tmp/plain")
check "the event lines are unchanged by --report" \
    sh -c "head -n $lines '$tmp/with' | cmp -s - '$tmp/plain'"
check "the report follows the events" \
    sh -c "sed -n '$((lines + 1))p' '$tmp/with' | grep -q '^report: connections='"

if [ "$have_python" = yes ]; then
    # Every line is a JSON object; the report rows count every connection once per table.
    rows_add_up() {
        python3 -c '
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert all(isinstance(o, dict) for o in rows)
head = [o for o in rows if o.get("event") == "report"]
assert len(head) == 1, "one report line"
closes = [o for o in rows if o.get("event") == "close"]
assert head[0]["connections"] == len(closes), (head[0], len(closes))
for kind in ("report_server", "report_client"):
    total = sum(o["handshakes"] for o in rows if o.get("event") == kind)
    assert total == head[0]["connections"], (kind, total)
for o in rows:
    if o.get("event") == "report_server":
        assert sum(o["versions"].values()) <= o["handshakes"]
        assert o["failures"] == sum(o["causes"].values())
' "$1"
    }
    # shellcheck disable=SC2086
    "$HSDUMP" -S -T json --report $all >"$tmp/all.json" 2>/dev/null
    check "-T json --report over every capture: JSON objects, rows add up" \
        rows_add_up "$tmp/all.json"
    hostile=""
    for p in "$srcdir"/pcaps/hostile/*.pcap; do
        [ -f "$p" ] && hostile="$hostile -r $p"
    done
    # shellcheck disable=SC2086
    "$HSDUMP" -S -T json --report $hostile >"$tmp/hostile.json" 2>/dev/null
    check "-T json --report over the hostile captures (names from the wire escaped)" \
        rows_add_up "$tmp/hostile.json"
    # shellcheck disable=SC2086
    "$HSDUMP" -S -T json --report-top 3 $all >"$tmp/top3.json" 2>/dev/null
    check "-T json --report-top 3 over every capture: JSON objects, rows add up" \
        rows_add_up "$tmp/top3.json"
else
    skip "JSON checks" "no python3"
fi
done_testing
