# Shared helpers for the shell tests: TAP output and locating the binary and data.
# shellcheck shell=sh
srcdir=${srcdir:-.}
HSDUMP=${HSDUMP:-$srcdir/src/hsdump}
tap_n=0
tap_failed=0

ok() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1"
}

not_ok() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $1"
}

skip() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1 # SKIP $2"
}

# check NAME COMMAND...: one TAP result from a command's exit status.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# compare_golden NAME FILE GOLDEN: one result, the diff on failure; with update=yes, FILE
# becomes GOLDEN. Needs $tmp.
compare_golden() {
    if [ "${update:-no}" = yes ]; then
        cp "$2" "$3"
    elif [ ! -f "$3" ]; then
        not_ok "$1: no golden file $(basename "$3")"
    elif diff -u "$3" "$2" >"$tmp/diff"; then
        ok "$1 matches $(basename "$3")"
    else
        not_ok "$1 differs from $(basename "$3")"
        sed 's/^/# /' "$tmp/diff" | head -40
    fi
}

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}
