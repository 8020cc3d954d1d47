#!/bin/sh
# hsdump diff on the capture pairs in pcaps/diff/ (made by pcaps/make-pcaps.sh, see
# pcaps/README.md): each report must equal tests/golden/diff/<pair>.txt, the exit status
# must be 0 for diff-same and diff-same-mix and 1 for the others, the same JSON Lines
# saved with -T json must give the same report as the captures, and -T json must give one
# object per text line.
# After a reviewed change of output, or after regenerating the pairs, run
#   HSDUMP=src/hsdump tests/diff.sh --update
# and read the diff before committing.
. "${srcdir:-.}/tests/lib.sh"

update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The reports name their inputs, so hsdump runs inside pcaps/diff with bare file names.
top=$(cd "$srcdir" && pwd)
case $HSDUMP in
    /*) ;;
    *) HSDUMP=$(pwd)/$HSDUMP ;;
esac
pairs=$top/pcaps/diff
goldens=$top/tests/golden/diff
[ -f "$pairs/diff-same-a.pcap" ] || skip_all "no capture pairs in $pairs"

# Until src/main.c calls diff_main(), `hsdump diff` either is no command at all or loads
# no capture ("not wired yet"): skip then rather than fail.
(cd "$pairs" && "$HSDUMP" diff diff-same-a.pcap diff-same-b.pcap) >"$tmp/probe" 2>"$tmp/probe.err"
status=$?
if [ $status -eq 2 ]; then
    why=$(head -n 1 "$tmp/probe.err")
    if grep -q 'not wired yet' "$tmp/probe.err" || ! grep -q '^hsdump: diff: ' "$tmp/probe.err"
    then
        [ "$update" = no ] || { echo "hsdump diff does not run: $why" >&2; exit 2; }
        skip_all "hsdump diff is not wired yet: $why"
    fi
fi

# Same header, whichever files were read: the report names A and B.
same_but_names() {
    sed '1s/ a=[^ ]* b=[^ ]* / a=A b=B /' "$1" >"$1.n"
    sed '1s/ a=[^ ]* b=[^ ]* / a=A b=B /' "$2" >"$2.n"
    diff -u "$1.n" "$2.n" >"$tmp/jdiff"
}

# The first seven pairs are issue 6's; the others (issue 20) have several connections a
# half: TLS 1.2 turned off, tickets off, a new certificate, ALPN h2 added, the cipher
# preference changed, an expired certificate, a client upgrade, nothing changed.
for pair in same cipher version cert alpn resume extra \
    no-tls12 no-tickets new-cert alpn-h2 cipher-pref cert-expired client-upgrade same-mix; do
    name=diff-$pair
    golden=$goldens/$name.txt
    (cd "$pairs" && "$HSDUMP" diff "$name-a.pcap" "$name-b.pcap") >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$update" = yes ]; then
        if [ $status -ge 2 ]; then
            echo "$name: exit status $status: $(head -n 1 "$tmp/err")" >&2
            exit 2
        fi
        mkdir -p "$goldens"
        cp "$tmp/out" "$golden"
        continue
    fi

    want=1
    case $pair in same|same-mix) want=0 ;; esac
    if [ $status -eq $want ]; then
        ok "$name: exit status $want"
    else
        not_ok "$name: exit status $status, want $want: $(head -n 1 "$tmp/err")"
    fi

    if [ ! -f "$golden" ]; then
        not_ok "$name: no golden file $golden"
    elif diff -u "$golden" "$tmp/out" >"$tmp/diff"; then
        ok "$name matches $(basename "$golden")"
    else
        not_ok "$name differs from $(basename "$golden")"
        sed 's/^/# /' "$tmp/diff" | head -40
    fi

    "$HSDUMP" -T json -r "$pairs/$name-a.pcap" >"$tmp/a.json" &&
        "$HSDUMP" -T json -r "$pairs/$name-b.pcap" >"$tmp/b.json"
    (cd "$tmp" && "$HSDUMP" diff a.json b.json) >"$tmp/jout" 2>"$tmp/jerr"
    jstatus=$?
    if [ $jstatus -eq $status ] && same_but_names "$tmp/out" "$tmp/jout"; then
        ok "$name: JSON Lines input gives the same report"
    else
        not_ok "$name: JSON Lines input: exit status $jstatus: $(head -n 1 "$tmp/jerr")"
        sed 's/^/# /' "$tmp/jdiff" | head -20
    fi

    (cd "$pairs" && "$HSDUMP" diff -T json "$name-a.pcap" "$name-b.pcap") >"$tmp/json"
    if [ "$(wc -l <"$tmp/json")" -eq "$(wc -l <"$tmp/out")" ] &&
        ! grep -qv '^{.*}$' "$tmp/json"; then
        ok "$name -T json: one object per text line"
    else
        not_ok "$name -T json: not one object per text line"
    fi
done
[ "$update" = yes ] && exit 0

# The pair recorded twice from one client and server: identical canonical summaries.
"$HSDUMP" --canonical -r "$pairs/diff-same-a.pcap" >"$tmp/ca" 2>/dev/null
"$HSDUMP" --canonical -r "$pairs/diff-same-b.pcap" >"$tmp/cb" 2>/dev/null
if ! grep -q '^key=' "$tmp/ca"; then
    skip "--canonical gives identical summaries for diff-same" "--canonical is not wired yet"
elif cmp -s "$tmp/ca" "$tmp/cb"; then
    ok "--canonical gives identical summaries for diff-same"
else
    not_ok "--canonical differs for diff-same"
    diff -u "$tmp/ca" "$tmp/cb" | sed 's/^/# /' | head -20
fi

# Handshakes over DTLS and after STARTTLS: the bundled captures use one server port per
# scenario, so B's saved JSON takes A's port to pair with it.
pair_json() { # pair_json A.pcap B.pcap B_PORT A_PORT: writes a.json, b.json in $tmp
    "$HSDUMP" -T json -r "$top/pcaps/$1" >"$tmp/a.json" &&
        "$HSDUMP" -T json -r "$top/pcaps/$2" | sed "s/:$3\"/:$4\"/g" >"$tmp/b.json"
}
if pair_json dtls12.pcap dtls1.pcap 44351 44350; then
    (cd "$tmp" && "$HSDUMP" diff --only version,cipher_suite,ja4 a.json b.json) >"$tmp/out"
    status=$?
    cat >"$tmp/want" <<'WANT'
diff a=a.json b=b.json key=sni paired=1 identical=0 different=1 only_a=0 only_b=0
diff key=server.hsdump.test:44350/dtls n=1 field=ja4 a=dd2d020700_b06afd972a5c_e7e480e5a997 b=dd1d020600_a0546e0689fc_195413a0cc0f
diff key=server.hsdump.test:44350/dtls n=1 field=cipher_suite a=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 b=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
diff key=server.hsdump.test:44350/dtls n=1 field=version a=DTLSv1.2 b=DTLSv1.0
WANT
    if [ $status -eq 1 ] && diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"; then
        ok "DTLS 1.2 against DTLS 1.0: version, suite and JA4 (d prefix) differ under a /dtls key"
    else
        not_ok "DTLS 1.2 against DTLS 1.0: exit status $status"
        sed 's/^/# /' "$tmp/diff" | head -20
    fi
fi
if pair_json starttls-smtp.pcap starttls-pop3.pcap 44365 44363; then
    (cd "$tmp" && "$HSDUMP" diff --only transport,starttls a.json b.json) >"$tmp/out"
    status=$?
    if [ $status -eq 1 ] &&
        grep -qx 'diff key=server.hsdump.test:44363 n=1 field=starttls a=smtp b=pop3' "$tmp/out"
    then
        ok "STARTTLS SMTP against POP3: field=starttls differs"
    else
        not_ok "STARTTLS SMTP against POP3: exit status $status: $(tail -n 1 "$tmp/out")"
    fi
fi

# QUIC: the public captures (absent in a bare clone). One capture holds a browser's TCP and
# QUIC connections to one server: they are two series, never paired with each other.
quic=$top/../shared/pcaps-public/ja4
if [ -f "$quic/chrome-cloudflare-quic-with-secrets.pcapng" ]; then
    f=$quic/chrome-cloudflare-quic-with-secrets.pcapng
    "$HSDUMP" diff "$f" "$f" >"$tmp/out"
    status=$?
    if [ $status -eq 0 ] && grep -q ' paired=2 identical=2 ' "$tmp/out"; then
        ok "QUIC capture against itself: identical"
    else
        not_ok "QUIC capture against itself: exit status $status: $(head -n 1 "$tmp/out")"
    fi
    "$HSDUMP" --canonical -r "$f" >"$tmp/canon"
    if grep -q '^key=cloudflare-quic.com:443/quic n=1 transport=quic ' "$tmp/canon" &&
        grep -q '^key=cloudflare-quic.com:443 n=1 transport=tcp ' "$tmp/canon"; then
        ok "QUIC and TCP to one server: separate keys, transport= on each"
    else
        not_ok "QUIC and TCP to one server: $(cut -c 1-80 "$tmp/canon")"
    fi
else
    skip "QUIC capture against itself" "no public QUIC captures in $quic"
    skip "QUIC and TCP to one server" "no public QUIC captures in $quic"
fi

"$HSDUMP" diff "$pairs/diff-same-a.pcap" "$tmp/missing.pcap" >/dev/null 2>"$tmp/err"
status=$?
if [ $status -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^hsdump: diff: $tmp/missing.pcap: " "$tmp/err"; then
    ok "unreadable input: exit status 2 and one line on stderr"
else
    not_ok "unreadable input: exit status $status: $(cat "$tmp/err")"
fi

printf '{"conn":1,"event":"close"}\n{nope\n' >"$tmp/bad.json"
"$HSDUMP" diff "$tmp/bad.json" "$tmp/bad.json" >/dev/null 2>"$tmp/err"
status=$?
if [ $status -eq 2 ] && grep -q "^hsdump: diff: $tmp/bad.json: line 2: " "$tmp/err"; then
    ok "bad JSON: exit status 2 naming the line"
else
    not_ok "bad JSON: exit status $status: $(cat "$tmp/err")"
fi

"$HSDUMP" diff --ignore bogus a b >/dev/null 2>"$tmp/err"
status=$?
if [ $status -eq 2 ] &&
    grep -q '^hsdump: diff: --ignore: bogus: unknown field; valid fields: ' "$tmp/err"; then
    ok "unknown field: exit status 2 listing the valid ones"
else
    not_ok "unknown field: exit status $status: $(cat "$tmp/err")"
fi

"$HSDUMP" diff --help >"$tmp/help" 2>&1
status=$?
if [ $status -eq 0 ] && grep -q -- '--ignore' "$tmp/help" && grep -q -- '--key' "$tmp/help"; then
    ok "diff --help: usage on stdout, exit status 0"
else
    not_ok "diff --help: exit status $status"
fi
done_testing
