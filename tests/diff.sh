#!/bin/sh
# hsdump diff on the capture pairs in pcaps/diff/ (made by pcaps/make-pcaps.sh, see
# pcaps/README.md): each profile report must equal tests/golden/diff/<pair>.txt and each
# per-handshake report (-v) tests/golden/diff/<pair>-v.txt, the exit status must be 0 for
# diff-same (which prints nothing) and 1 for the others, the same JSON Lines saved with
# -T json must give the same report as the captures, and -T json must give one object per
# text line with the stable keys.
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

# Same counts line, whichever files were read: the report names A and B.
same_but_names() {
    sed 's/^diff a=[^ ]* b=[^ ]* /diff a=A b=B /' "$1" >"$1.n"
    sed 's/^diff a=[^ ]* b=[^ ]* /diff a=A b=B /' "$2" >"$2.n"
    diff -u "$1.n" "$2.n" >"$tmp/jdiff"
}

# -T json objects: profile, aspect, a, b (strings) on aspect lines; profile, only_in and
# handshakes on the others; event "diff" with the counts last.
json_ok() {
    python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
for o in objs[:-1]:
    if "aspect" in o:
        assert set(o) - {"cause"} == {"profile", "aspect", "a", "b"}, o
        assert all(isinstance(o[k], str) for k in o), o
    else:
        assert set(o) == {"profile", "only_in", "handshakes"} and o["only_in"] in "ab", o
if objs:
    t = objs[-1]
    assert t["event"] == "diff" and {"profiles", "changed", "aspects", "only_a", "only_b",
        "handshakes_a", "handshakes_b", "a", "b", "by"} <= set(t), t
PY
}

# The first seven pairs are issue 6's; the others (issue 20, recorded by pcaps/make-pcaps.sh
# on the h-diffpcaps branch) have several connections a half: TLS 1.2 turned off, tickets
# off, a new certificate, ALPN h2 added, the cipher preference changed, an expired
# certificate, a client upgrade, nothing changed.
for run in profile verbose; do
for pair in same cipher version cert alpn resume extra \
    no-tls12 no-tickets new-cert alpn-h2 cipher-pref cert-expired client-upgrade same-mix; do
    [ -f "$pairs/diff-$pair-a.pcap" ] || continue
    name=diff-$pair
    if [ $run = profile ]; then
        golden=$goldens/$name.txt
        set --
    else
        golden=$goldens/$name-v.txt
        set -- -v
        name="$name -v"
    fi
    (cd "$pairs" && "$HSDUMP" diff "$@" "diff-$pair-a.pcap" "diff-$pair-b.pcap") >"$tmp/out" 2>"$tmp/err"
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

    "$HSDUMP" -T json -r "$pairs/diff-$pair-a.pcap" >"$tmp/a.json" &&
        "$HSDUMP" -T json -r "$pairs/diff-$pair-b.pcap" >"$tmp/b.json"
    (cd "$tmp" && "$HSDUMP" diff "$@" a.json b.json) >"$tmp/jout" 2>"$tmp/jerr"
    jstatus=$?
    if [ $jstatus -eq $status ] && same_but_names "$tmp/out" "$tmp/jout"; then
        ok "$name: JSON Lines input gives the same report"
    else
        not_ok "$name: JSON Lines input: exit status $jstatus: $(head -n 1 "$tmp/jerr")"
        sed 's/^/# /' "$tmp/jdiff" | head -20
    fi

    (cd "$pairs" && "$HSDUMP" diff "$@" -T json "diff-$pair-a.pcap" "diff-$pair-b.pcap") >"$tmp/json"
    if [ "$(wc -l <"$tmp/json")" -eq "$(wc -l <"$tmp/out")" ] &&
        ! grep -qv '^{.*}$' "$tmp/json" && { [ $run = verbose ] || json_ok "$tmp/json"; }; then
        ok "$name -T json: one object per text line"
    else
        not_ok "$name -T json: not one object per text line"
    fi
done
done
[ "$update" = yes ] && exit 0

for pair in same same-mix; do
    if [ ! -f "$pairs/diff-$pair-a.pcap" ]; then
        skip "diff-$pair: nothing printed" "no capture pair"
    elif [ ! -s "$goldens/diff-$pair.txt" ]; then
        ok "diff-$pair: nothing printed"
    else
        not_ok "diff-$pair: printed $(head -n 1 "$goldens/diff-$pair.txt")"
    fi
done
# The client upgrade seen from the client side: its offer and its JA4.
if [ -f "$pairs/diff-client-upgrade-a.pcap" ]; then
    (cd "$pairs" && "$HSDUMP" diff --by client diff-client-upgrade-a.pcap \
        diff-client-upgrade-b.pcap) >"$tmp/out"
    if grep -q '^127.0.0.1 ja4 t13d031000_938715873a05_28b4886dc754 -> t13d071000_08f7b8478700_3afa3567d030$' "$tmp/out" &&
        grep -q '^127.0.0.1 offered_groups secp256r1,x25519 -> secp256r1,secp384r1,x25519,x448$' "$tmp/out" &&
        [ "$(grep -vc '^diff ' "$tmp/out")" -le 3 ]; then
        ok "diff-client-upgrade --by client: the new offer and JA4"
    else
        not_ok "diff-client-upgrade --by client: $(cat "$tmp/out")"
    fi
fi

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
    (cd "$tmp" && "$HSDUMP" diff -v --only version,cipher_suite,ja4 a.json b.json) >"$tmp/out"
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
    (cd "$tmp" && "$HSDUMP" diff -v --only transport,starttls a.json b.json) >"$tmp/out"
    status=$?
    if [ $status -eq 1 ] &&
        grep -qx 'diff key=server.hsdump.test:44363 n=1 field=starttls a=smtp b=pop3' "$tmp/out"
    then
        ok "STARTTLS SMTP against POP3: field=starttls differs"
    else
        not_ok "STARTTLS SMTP against POP3: exit status $status: $(tail -n 1 "$tmp/out")"
    fi
    (cd "$tmp" && "$HSDUMP" diff a.json b.json) >"$tmp/out"
    if grep -qx 'server.hsdump.test:44363/smtp only_in a handshakes=1' "$tmp/out" &&
        grep -qx 'server.hsdump.test:44363/pop3 only_in b handshakes=1' "$tmp/out"; then
        ok "STARTTLS SMTP against POP3: two profiles, /smtp and /pop3"
    else
        not_ok "STARTTLS SMTP against POP3 profiles: $(head -n 2 "$tmp/out")"
    fi
fi

# QUIC: the public captures (absent in a bare clone). One capture holds a browser's TCP and
# QUIC connections to one server: they are two series, never paired with each other.
quic=$top/../shared/pcaps-public/ja4
if [ -f "$quic/chrome-cloudflare-quic-with-secrets.pcapng" ]; then
    f=$quic/chrome-cloudflare-quic-with-secrets.pcapng
    "$HSDUMP" diff -v "$f" "$f" >"$tmp/out"
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

# One capture against a copy of itself (there is no second recording of tls12-full): the
# same handshakes at the same times; and the two recordings of diff-same (other randoms,
# client ports and times): nothing printed, exit status 0.
cp "$top/pcaps/tls12-full.pcap" "$tmp/copy.pcap"
"$HSDUMP" diff "$top/pcaps/tls12-full.pcap" "$tmp/copy.pcap" >"$tmp/out" 2>&1
status=$?
if [ $status -eq 0 ] && [ ! -s "$tmp/out" ]; then
    ok "a capture against its copy: nothing printed, exit status 0"
else
    not_ok "a capture against its copy: exit status $status: $(head -n 1 "$tmp/out")"
fi

# A reader that is gone before the first line (| head -1 after its line): EPIPE, not
# SIGPIPE; exit status 0 and nothing on stderr, as for hsdump itself.
{ sleep 0.3; (cd "$pairs" && "$HSDUMP" diff diff-cert-a.pcap diff-cert-b.pcap) 2>"$tmp/err"
    echo $? >"$tmp/status"; } | true
if [ "$(cat "$tmp/status")" = 0 ] && [ ! -s "$tmp/err" ]; then
    ok "closed output pipe: exit status 0, quietly"
else
    not_ok "closed output pipe: exit status $(cat "$tmp/status"): $(cat "$tmp/err")"
fi
(cd "$pairs" && "$HSDUMP" diff diff-version-a.pcap diff-version-b.pcap) | head -n 1 >"$tmp/out"
set -- $(cat "$tmp/out")
if [ "$*" = "server.hsdump.test:44332 versions TLSv1.2 -> TLSv1.3" ]; then
    ok "| head -1: the first changed aspect"
else
    not_ok "| head -1: $(cat "$tmp/out")"
fi

# Bundled captures of other scenarios, B's server port rewritten to A's so that the
# profiles meet (pair_json above).
expect_out() { # expect_out WHAT STATUS: exit status 1 and $tmp/out equal to $tmp/want
    if [ "$2" -eq 1 ] && diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"; then
        ok "$1"
    else
        not_ok "$1: exit status $2"
        sed 's/^/# /' "$tmp/diff" | head -20
    fi
}
expect_profile() { # expect_profile WHAT OPTIONS...: diff a.json b.json against $tmp/want
    what=$1
    shift
    (cd "$tmp" && "$HSDUMP" diff "$@" a.json b.json) >"$tmp/out"
    expect_out "$what" $?
}
# A server starting to fail: one line with its cause (tls12-full's client offers ALPN,
# alert-cert-expired's does not, hence alpn and ja4).
if pair_json tls12-full.pcap alert-cert-expired.pcap 44321 44301; then
    cat >"$tmp/want" <<'WANT'
server.hsdump.test:44301 failures 0/1 -> 1/1 cause=certificate_expired
diff a=a.json b=b.json by=server profiles=1 changed=1 aspects=1 only_a=0 only_b=0 handshakes_a=1 handshakes_b=1
WANT
    expect_profile "newly failing server: one failures line with cause=" --only failures
    (cd "$tmp" && "$HSDUMP" diff a.json b.json) >"$tmp/out"
    if [ "$(grep -c ' failures ' "$tmp/out")" = 1 ] && ! grep -q 'alerts\|cert0' "$tmp/out"; then
        ok "newly failing server: no field lines"
    else
        not_ok "newly failing server: $(cat "$tmp/out")"
    fi
fi
# HelloRetryRequest: its share, the group, and the other client's fingerprint.
if pair_json tls13-full.pcap tls13-hrr.pcap 44312 44302; then
    cat >"$tmp/want" <<'WANT'
server.hsdump.test:44302 groups x25519 -> secp256r1
server.hsdump.test:44302 hrr 0%(0/1) -> 100%(1/1)
server.hsdump.test:44302 ja4 t13d0211h2_ec078ce24869_78f1d400d464 -> t13d021000_ec078ce24869_78f1d400d464
diff a=a.json b=b.json by=server profiles=1 changed=1 aspects=3 only_a=0 only_b=0 handshakes_a=1 handshakes_b=1
WANT
    expect_profile "HRR: groups, hrr share and ja4"
    cat >"$tmp/want" <<'WANT'
127.0.0.1 offered_groups x25519 -> secp256r1,x25519
127.0.0.1 offered_alpn h2 -> none
127.0.0.1 ja4 t13d0211h2_ec078ce24869_78f1d400d464 -> t13d021000_ec078ce24869_78f1d400d464
diff a=a.json b=b.json by=client profiles=1 changed=1 aspects=3 only_a=0 only_b=0 handshakes_a=1 handshakes_b=1
WANT
    expect_profile "--by client: the client's offer and fingerprint" --by client
    cat >"$tmp/want" <<'WANT'
t13d0211h2_ec078ce24869_78f1d400d464 only_in a handshakes=1
t13d021000_ec078ce24869_78f1d400d464 only_in b handshakes=1
diff a=a.json b=b.json by=ja4 profiles=0 changed=0 aspects=0 only_a=1 only_b=1 handshakes_a=1 handshakes_b=1
WANT
    expect_profile "--by ja4: one fingerprint vanished, one appeared" --by ja4
fi
# Several inputs a side: the profile gathers both captures' handshakes.
(cd "$pairs" && "$HSDUMP" diff diff-resume-a.pcap diff-resume-a.pcap -- diff-resume-b.pcap) \
    >"$tmp/out"
status=$?
cat >"$tmp/want" <<'WANT'
server.hsdump.test:44335 flows full:50%(2),ticket:50%(2) -> full:100%(2)
diff a=diff-resume-a.pcap,diff-resume-a.pcap b=diff-resume-b.pcap by=server profiles=1 changed=1 aspects=1 only_a=0 only_b=0 handshakes_a=4 handshakes_b=2
WANT
expect_out "A1 A2 -- B: one profile of both captures" $status

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
    grep -q '^hsdump: diff: --ignore: bogus: unknown field; valid aspects: versions, ' "$tmp/err" &&
    grep -q '; valid fields (-v): transport, ' "$tmp/err"; then
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
