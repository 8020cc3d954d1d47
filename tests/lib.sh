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

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}
