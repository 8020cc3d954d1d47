#!/bin/sh
# valgrind memcheck over every bundled capture (and the hostile ones, and two files in one run,
# which makes two libnids rounds): no invalid access, no uninitialised use, no leak.
# Skips when valgrind is absent; runs only the sanitizer-free build (ASan and valgrind clash).
. "${srcdir:-.}/tests/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed"
if nm "$HSDUMP" 2>/dev/null | grep -q __asan_init; then
    skip_all "built with sanitizers (--enable-sanitizers): valgrind cannot run it"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

memcheck() {
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --quiet \
        "$HSDUMP" "$@" >/dev/null 2>"$tmp/vg"
}

for pcap in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng "$srcdir"/pcaps/*.gz \
    "$srcdir"/pcaps/hostile/*.pcap; do
    [ -f "$pcap" ] || continue
    what=$(echo "$pcap" | sed "s|^$srcdir/||")
    if memcheck -vv -T json -r "$pcap"; then
        ok "$what: no memcheck errors or leaks"
    else
        not_ok "$what: memcheck reported problems"
        grep '^==' "$tmp/vg" | head -30 | sed 's/^/# /'
    fi
done
# The paths the parts of issue 16 added, with the options that reach their other code: the
# summary, -w (frames held back, then written or dropped) and a budget small enough to drop
# held records and messages.
for pcap in "$srcdir"/pcaps/partial-*.pcap "$srcdir"/pcaps/gtpu-*.pcap \
    "$srcdir"/pcaps/tunnel-*.pcap "$srcdir"/pcaps/tls12-huge-cert.pcap \
    "$srcdir"/pcaps/tls13-cert-rejected.pcap "$srcdir"/pcaps/tls12-full.pcap.gz \
    "$srcdir"/pcaps/hostile/certificate-16mib.pcap; do
    [ -f "$pcap" ] || continue
    what=$(echo "$pcap" | sed "s|^$srcdir/||")
    if memcheck -S -w "$tmp/w.pcap" --max-handshake-memory 64K --max-conns 1 -r "$pcap"; then
        ok "$what -S -w --max-handshake-memory 64K --max-conns 1: no memcheck errors or leaks"
    else
        not_ok "$what -S -w --max-handshake-memory 64K --max-conns 1: memcheck reported problems"
        grep '^==' "$tmp/vg" | head -30 | sed 's/^/# /'
    fi
done
if memcheck -r "$srcdir/pcaps/tls12-full.pcap" -r "$srcdir/pcaps/tls13-full.pcap"; then
    ok "two files in one run: no memcheck errors or leaks"
else
    not_ok "two files in one run: memcheck reported problems"
    grep '^==' "$tmp/vg" | head -30 | sed 's/^/# /'
fi
done_testing
