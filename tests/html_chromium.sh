#!/bin/sh
# --html in a browser (issue 21 part 2): Debian's chromium, headless, renders the report
# (a non-empty PNG screenshot) and runs its script: the DOM after JavaScript counts the
# table's rows (#shown), a diagram opens from the address (#c<id>), and a capture's markup
# SNI stays text. The whole test is skipped (TAP's "1..0 # SKIP", automake's exit 77 for a
# TAP test) when chromium is not installed.
. "${srcdir:-.}/tests/lib.sh"

chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || skip_all "chromium not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p="$srcdir/pcaps"
"$HSDUMP" -r "$p/html-markup-sni.pcap" --html "$tmp/markup.html" >/dev/null
"$HSDUMP" -r "$p/tls12-resume-ticket.pcap" --html "$tmp/resume.html" >/dev/null
run_chromium() {
    HOME="$tmp" timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
        --no-first-run --user-data-dir="$tmp/profile" "$@" 2>>"$tmp/chromium.err"
}
run_chromium --screenshot="$tmp/shot.png" --window-size=1200,1000 "file://$tmp/markup.html#c1" >/dev/null
check "chromium renders the page (a PNG screenshot)" \
    sh -c "test -s '$tmp/shot.png' && head -c 8 '$tmp/shot.png' | od -An -c | grep -q 'P   N   G'"
run_chromium --dump-dom "file://$tmp/resume.html#c2" >"$tmp/dom"
check "chromium ran the script: 2 rows shown, connection 2's diagram open" \
    sh -c "grep -q 'data-ready=\"1\"' '$tmp/dom' && grep -q '<span id=\"shown\">2</span>' '$tmp/dom' &&
           grep -q '<div class=\"lad\" id=\"lad-2\">' '$tmp/dom' &&
           grep -q '<div class=\"lad\" id=\"lad-1\" hidden' '$tmp/dom'"
run_chromium --dump-dom "file://$tmp/markup.html" >"$tmp/dom"
check "chromium: the markup SNI stayed text (one script element, no alert)" \
    sh -c "test \$(grep -o '<script' '$tmp/dom' | wc -l) -eq 1 &&
           grep -q '&lt;script&gt;alert' '$tmp/dom'"

# A public capture's report (issue 21: "opens offline, renders in headless Chromium"): the
# rows the script shows are the connections -S counts.
public="$srcdir/../shared/pcaps-public/ja4/tls-sni.pcapng"
if [ -f "$public" ]; then
    "$HSDUMP" -r "$public" --html "$tmp/public.html" >/dev/null 2>&1
    want=$("$HSDUMP" -S -r "$public" 2>/dev/null | grep -c ' close ')
    run_chromium --dump-dom "file://$tmp/public.html" >"$tmp/dom"
    check "chromium: the public capture's report shows its $want connections" \
        grep -q "<span id=\"shown\">$want</span>" "$tmp/dom"
    check "the public capture's report has connections ($want)" test "$want" -gt 0
else
    skip "a public capture in chromium" "no $public"
fi

done_testing
