#!/bin/sh
# Cross-checks the name registry (hsdump --list-names) with openssl -stdname and tshark -G values.
. "${srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
if ! command -v openssl >/dev/null 2>&1 && ! command -v tshark >/dev/null 2>&1; then
    skip_all "neither openssl nor tshark installed"
fi
exec python3 "$srcdir/tests/names_crosscheck.py" "$HSDUMP"
