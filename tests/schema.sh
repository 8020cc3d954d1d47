#!/bin/sh
# One JSON schema (issue 19 part 5): man/hsdump.schema.json is what man/make-schema.py makes
# of src/output/keys.def, and every line hsdump -T json -vv prints for every bundled capture
# (the key-logged ones also with their key logs, the hostile ones too), and the objects
# --report adds, validate against it: each key declared for its event, with its one type.
# Needs python3-jsonschema (Debian); skipped without it.
. "${srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "no python3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
schema="$srcdir/man/hsdump.schema.json"

python3 "$srcdir/man/make-schema.py" "$srcdir/src/output/keys.def" >"$tmp/schema.json"
if cmp -s "$tmp/schema.json" "$schema"; then
    ok "man/hsdump.schema.json is made from src/output/keys.def"
else
    not_ok "man/hsdump.schema.json is stale: python3 man/make-schema.py > man/hsdump.schema.json"
fi

# --list-fields prints the same keys, in the same order, with the same events.
"$HSDUMP" --list-fields >"$tmp/fields" 2>"$tmp/err"
status=$?
if [ $status -eq 0 ] && [ ! -s "$tmp/err" ] &&
    [ "$(cut -f1 "$tmp/fields")" = "$(sed -n 's/^KEY(\([a-z0-9_]*\),.*/\1/p' \
        "$srcdir/src/output/keys.def")" ]; then
    ok "--list-fields prints every declared key, exit 0"
else
    not_ok "--list-fields: exit $status, or not the keys of keys.def"
fi

if ! python3 -c 'import jsonschema' 2>/dev/null; then
    skip "every JSON line validates against the schema" "no python3-jsonschema"
    done_testing
    exit $?
fi

n=0
for pcap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng "$srcdir"/pcaps/hostile/*.pcap; do
    [ -f "$pcap" ] || continue
    n=$((n + 1))
    "$HSDUMP" -T json -vv -r "$pcap" >"$tmp/out.$n.json" 2>/dev/null
    base=$(basename "$pcap" .pcap)
    keylog="$srcdir/pcaps/keylogs/$base.keylog"
    case $base in keylog-*)
        if [ -f "$keylog" ]; then
            n=$((n + 1))
            "$HSDUMP" -T json -vv -r "$pcap" --keylog "$keylog" >"$tmp/out.$n.json" 2>/dev/null
        fi
    esac
done

# --report's objects follow the events of one run over every capture.
all=""
for pcap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng; do
    [ -f "$pcap" ] && all="$all -r $pcap"
done
n=$((n + 1))
# shellcheck disable=SC2086
"$HSDUMP" -T json --report $all >"$tmp/out.$n.json" 2>/dev/null

python3 - "$schema" "$tmp"/out.*.json <<'PY' >"$tmp/report"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
lines = bad = 0
for path in sys.argv[2:]:
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        lines += 1
        for e in v.iter_errors(json.loads(line)):
            bad += 1
            if bad <= 20:
                o = json.loads(line)
                print(f"# {o.get('event')}: {e.message} at {list(e.absolute_path)}")
print(f"lines={lines} bad={bad}")
PY
if tail -1 "$tmp/report" | grep -q ' bad=0$' && ! tail -1 "$tmp/report" | grep -q '^lines=0 '; then
    ok "every JSON line of $n runs over the bundled captures validates ($(tail -1 "$tmp/report"))"
else
    not_ok "JSON lines that do not validate against man/hsdump.schema.json"
    sed '$d' "$tmp/report"
    tail -1 "$tmp/report" | sed 's/^/# /'
fi
done_testing
