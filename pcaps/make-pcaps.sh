#!/usr/bin/env bash
# make-pcaps.sh: record real TLS handshakes on loopback into small capture files.
#
# Usage: sudo pcaps/make-pcaps.sh [NAME...]     (NAME with or without .pcap)
#        sudo pcaps/make-pcaps.sh diff-cert-a     (either half of a diff pair makes both)
#        pcaps/make-pcaps.sh --list | --help
#        pcaps/make-pcaps.sh --describe [FILE...]  what tshark sees in each capture
#        sudo KEEP_TMP=1 pcaps/make-pcaps.sh ...   keeps keys, logs and captures in /tmp
#
# Every capture is a real handshake between OpenSSL 3.0 `s_server` and `s_client`
# (Debian 12; one uses gnutls-cli as the client, two put a small python3 relay in the
# middle, the starttls-* ones have pcaps/starttls-server.py as the server, the tunnel-*
# ones are curl through pcaps/tunnel-proxy.py, gtpu-tls13 is wrapped in GTP-U by
# pcaps/gtpu-wrap.py, and the
# midstream-* ones lose their first packets once checked; dtls12 and dtls1 are DTLS over
# UDP; of the cause-* and weak-* ones, three have gnutls-serv as the server, two a client
# under faketime, two a Python peer that gives up mid-handshake), recorded with tcpdump on lo
# (one capture on `any`). Each scenario has its own
# ports in 44300-44399 (server on 443xx, relay on 443xx+50; cause-* and weak-* in
# 44480-44519, the issue-20 diff pairs in 44520-44549) and a capture filter on them, so nothing else lands in the file. The keylog-* captures (44400-44449) also keep
# the key log their client wrote, in pcaps/keylogs/NAME.keylog (one also as a pcapng file
# with the secrets inside); they can be made alone: sudo pcaps/make-pcaps.sh keylog-tls13-full The two halves of a pair for hsdump diff
# (diff-*-a, diff-*-b, written to pcaps/diff/) share their server port, since the port is
# part of diff's default pairing key, and are always made in the same run, so they
# share keys and certificates and differ only where the scenario says. The structure of every handshake is pinned
# down by explicit options (versions, cipher suites, groups, tickets), so a rerun gives
# the same message sequence; randoms, keys, client ports and timestamps differ, so the
# bytes do not (the golden outputs in tests/golden/ must then be regenerated and
# reviewed).
#
# Per scenario: start the server, wait until it listens (ss), start tcpdump, wait until
# it says "listening on", run the client(s) with a little stdin, wait for the server to
# exit (-naccept), stop tcpdump with SIGINT and wait for it, then check the file (number
# of connections, SYN and SYN/ACK present, scenario-specific properties) before it
# replaces pcaps/NAME.pcap. A failed check retries the scenario, at most 3 times.
# Every process runs under `timeout`, so the script cannot hang.
#
# Keys and certificates are made fresh in a temporary directory on each run and deleted
# on exit. pcaps/README.md describes what each capture contains.

set -euo pipefail

OUT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly OUT_DIR
readonly SNI=server.hsdump.test
readonly TMO=20          # hard limit in seconds for every server, client and proxy
readonly ATTEMPTS=3      # tries per scenario before giving up

# Scenario name -> server port. Relays listen on port+50. All within 44300-44399, except the
# key-logged captures (keylog-*), in 44400-44449.
declare -A PORT=(
    [tls12-full]=44301 [tls13-full]=44302 [tls12-resume-sessionid]=44303
    [tls12-resume-ticket]=44304 [alert-handshake-failure]=44305
    [alert-protocol-version]=44306 [ipv6-tls13]=44307 [sll2-any]=44308
    [split-clienthello]=44309 [interleaved]=44310        # interleaved also uses 44311
    [tls13-hrr]=44312 [tls13-psk-resume]=44313 [tls13-early-data]=44314
    [tls12-mutual]=44315 [tls13-mutual]=44316 [tls12-renegotiation]=44317
    [tls12-dhe]=44318 [tls12-rsa-kx]=44319 [tls12-ecdsa]=44320
    [alert-cert-expired]=44321 [alert-unknown-ca]=44322 [tls12-chain3]=44323
    [tls13-close-notify]=44324 [tls13-gnutls-client]=44325
    # hsdump diff pairs, 44330-44349: both halves on one port (diff-extra also uses +1, +2)
    [diff-same-a]=44330 [diff-same-b]=44330 [diff-cipher-a]=44331 [diff-cipher-b]=44331
    [diff-version-a]=44332 [diff-version-b]=44332 [diff-cert-a]=44333 [diff-cert-b]=44333
    [diff-alpn-a]=44334 [diff-alpn-b]=44334 [diff-resume-a]=44335 [diff-resume-b]=44335
    [diff-extra-a]=44336 [diff-extra-b]=44336
    # hsdump diff pairs with several connections a half (issue 20), 44520-44549
    [diff-no-tls12-a]=44520 [diff-no-tls12-b]=44520
    [diff-no-tickets-a]=44521 [diff-no-tickets-b]=44521
    [diff-new-cert-a]=44522 [diff-new-cert-b]=44522
    [diff-alpn-h2-a]=44523 [diff-alpn-h2-b]=44523
    [diff-cipher-pref-a]=44524 [diff-cipher-pref-b]=44524
    [diff-cert-expired-a]=44525 [diff-cert-expired-b]=44525
    [diff-client-upgrade-a]=44526 [diff-client-upgrade-b]=44526
    [diff-same-mix-a]=44527 [diff-same-mix-b]=44527
    # captures that start after the TCP handshake, and STARTTLS: 44361-44370
    [midstream-tls12]=44361 [midstream-tls13]=44362
    [starttls-smtp]=44363 [starttls-imap]=44364 [starttls-pop3]=44365 [starttls-ftp]=44366
    [starttls-xmpp]=44367 [starttls-ldap]=44368 [starttls-postgres]=44369
    [starttls-mysql]=44370
    # partial connections (one direction, a late start, a lost first segment, two
    # SYN/ACKs), 44371-44380: partial-lost-clienthello's relay listens on 44379
    [partial-client-only]=44371 [partial-server-only]=44372 [partial-synack-first]=44373
    [partial-lost-clienthello]=44374 [partial-synack-conflict]=44375
    [partial-client-only-tls13]=44376 [partial-server-only-tls13]=44377
    # DTLS over UDP, 44350-44355
    [dtls12]=44350 [dtls1]=44351
    # client certificates asked for and not given, or refused: 44381-44390
    [tls12-cert-requested]=44381 [tls13-cert-requested]=44382 [tls13-cert-rejected]=44383
    # TLS inside other protocols, 44391-44395: proxies on 44392-44394 (their server on
    # 44391), IRC on 44395; the GTP-U capture wraps a connection to 44391
    [tunnel-http-connect]=44391 [tunnel-socks4]=44391 [tunnel-socks4a]=44391
    [tunnel-socks5]=44391 [starttls-irc]=44395 [gtpu-tls13]=44391
    # a Certificate message past 256 KiB (issue 16): 44396
    [tls12-huge-cert]=44396
    # key-logged captures (issue 17), 44400-44449: TLS 1.3 44400-44414, TLS 1.2 and older
    # 44415-44429, DTLS 44430, other clients 44435-44439
    [keylog-tls13-full]=44400 [keylog-tls13-aes256]=44401 [keylog-tls13-chacha20]=44402
    [keylog-tls13-ccm]=44403 [keylog-tls13-ccm8]=44404 [keylog-tls13-hrr]=44405
    [keylog-tls13-psk-resume]=44406 [keylog-tls13-early-data]=44407
    [keylog-tls13-mutual]=44408 [keylog-tls13-cert-rejected]=44409
    [keylog-tls13-key-update]=44410 [keylog-tls13-post-handshake-auth]=44411
    [keylog-tls12-gcm]=44415 [keylog-tls12-cbc]=44416 [keylog-tls12-cbc-no-etm]=44417
    [keylog-tls12-rsa-kx]=44418 [keylog-tls12-chacha20]=44419 [keylog-tls12-ccm]=44420
    [keylog-tls12-ccm8]=44421 [keylog-tls11-cbc]=44422 [keylog-tls10-cbc]=44423
    [keylog-tls12-renegotiation]=44424 [keylog-tls12-hello-request]=44425
    [keylog-tls12-alert]=44426
    [keylog-dtls12]=44430
    [keylog-gnutls-tls13]=44435 [keylog-curl-tls12]=44436 [keylog-python-tls13]=44437
    # certificate checks (issue 18 part 2), 44450-44479: CAs from tests/certs/
    [cert-not-yet-valid]=44450 [cert-hostname-mismatch]=44451 [cert-sha1]=44452
    [cert-rsa1024]=44453 [cert-self-signed]=44454 [cert-resigned]=44455
    [cert-expiring]=44456
    # why handshakes fail and what is weak (issue 18), 44480-44519: failures 44480-44499,
    # weak negotiations 44500-44519
    [cause-version-tls13-client]=44480 [cause-no-shared-cipher-tls13]=44481
    [cause-no-shared-group]=44482 [cause-clock-ahead]=44483 [cause-clock-behind]=44484
    [cause-cert-required]=44485 [cause-cert-rejected-tls12]=44486
    [cause-alpn-refused]=44487 [cause-unrecognized-name]=44488
    [cause-inappropriate-fallback]=44489 [cause-aborted-by-client]=44490
    [cause-aborted-by-server]=44491 [cause-hostname-mismatch]=44492
    [cause-bad-record-mac]=44493 [cause-decrypt-error]=44494   # their relays on +20
    [cause-tls13-unknown-ca]=44495
    [weak-dh1024-sha1]=44500 [weak-3des-rsa]=44501 [weak-null-anon]=44502
    # the HTML report (issue 21 part 2), 44530-44539
    [html-markup-sni]=44530
)
# Scenario -> proxy port (tunnel-*).
declare -A PROXY_PORT=(
    [tunnel-http-connect]=44392 [tunnel-socks4]=44393 [tunnel-socks4a]=44393
    [tunnel-socks5]=44394
)
# Order of generation: the required captures first, then the follow-up ones.
readonly ALL=(
    tls12-full tls13-full tls12-resume-sessionid tls12-resume-ticket
    alert-handshake-failure alert-protocol-version ipv6-tls13 sll2-any
    split-clienthello interleaved
    tls13-hrr tls13-psk-resume tls13-early-data tls12-mutual tls13-mutual
    tls12-renegotiation tls12-dhe tls12-rsa-kx tls12-ecdsa alert-cert-expired
    alert-unknown-ca tls12-chain3 tls13-close-notify tls13-gnutls-client
    diff-same-a diff-same-b diff-cipher-a diff-cipher-b diff-version-a diff-version-b
    diff-cert-a diff-cert-b diff-alpn-a diff-alpn-b diff-resume-a diff-resume-b
    diff-extra-a diff-extra-b
    diff-no-tls12-a diff-no-tls12-b diff-no-tickets-a diff-no-tickets-b
    diff-new-cert-a diff-new-cert-b diff-alpn-h2-a diff-alpn-h2-b
    diff-cipher-pref-a diff-cipher-pref-b diff-cert-expired-a diff-cert-expired-b
    diff-client-upgrade-a diff-client-upgrade-b diff-same-mix-a diff-same-mix-b
    midstream-tls12 midstream-tls13
    starttls-smtp starttls-imap starttls-pop3 starttls-ftp starttls-xmpp starttls-ldap
    starttls-postgres starttls-mysql
    dtls12 dtls1
    tls12-cert-requested tls13-cert-requested tls13-cert-rejected
    partial-client-only partial-server-only partial-synack-first partial-lost-clienthello
    partial-synack-conflict partial-client-only-tls13 partial-server-only-tls13
    tunnel-http-connect tunnel-socks4 tunnel-socks4a tunnel-socks5 starttls-irc gtpu-tls13
    tls12-huge-cert
    keylog-tls13-full keylog-tls13-aes256 keylog-tls13-chacha20 keylog-tls13-ccm
    keylog-tls13-ccm8 keylog-tls13-hrr keylog-tls13-psk-resume keylog-tls13-early-data
    keylog-tls13-mutual keylog-tls13-cert-rejected keylog-tls13-key-update
    keylog-tls13-post-handshake-auth
    keylog-tls12-gcm keylog-tls12-cbc keylog-tls12-cbc-no-etm keylog-tls12-rsa-kx
    keylog-tls12-chacha20 keylog-tls12-ccm keylog-tls12-ccm8 keylog-tls11-cbc keylog-tls10-cbc
    keylog-tls12-renegotiation keylog-tls12-hello-request keylog-tls12-alert
    keylog-dtls12
    keylog-gnutls-tls13 keylog-curl-tls12 keylog-python-tls13
    cert-not-yet-valid cert-hostname-mismatch cert-sha1 cert-rsa1024 cert-self-signed
    cert-resigned cert-expiring
    cause-version-tls13-client cause-no-shared-cipher-tls13 cause-no-shared-group
    cause-clock-ahead cause-clock-behind cause-cert-required cause-cert-rejected-tls12
    cause-alpn-refused cause-unrecognized-name cause-inappropriate-fallback
    cause-aborted-by-client cause-aborted-by-server cause-hostname-mismatch
    cause-bad-record-mac cause-decrypt-error cause-tls13-unknown-ca
    weak-dh1024-sha1 weak-3des-rsa weak-null-anon
    html-markup-sni
)

usage() {
    cat <<EOF
Usage: sudo $0 [NAME...]
Records real TLS handshakes on loopback into $OUT_DIR/NAME.pcap (diff pairs into
$OUT_DIR/diff/). Without NAME, makes every capture; NAME (with or without .pcap) remakes
just that one, or both halves of a diff pair (diff-*-a, diff-*-b).
  -l, --list                list capture names
  -d, --describe [FILE...]  print what tshark sees in each capture (default: all in
                            $OUT_DIR), one line per TCP segment carrying TLS or a
                            SYN/FIN/RST; no root needed
  -h, --help                this text
EOF
}

die() { echo "make-pcaps: $*" >&2; exit 1; }
say() { echo "make-pcaps: $*" >&2; }

# ---------------------------------------------------------------- arguments, prerequisites

WANT=()
MODE=record
if [[ ${1:-} == -d || ${1:-} == --describe ]]; then
    MODE=describe
    shift
    [[ $# -gt 0 ]] || set -- "$OUT_DIR"/*.pcap
    WANT=("$@")
    command -v tshark >/dev/null || die "--describe needs tshark"
fi
for arg in "$@"; do
    [[ $MODE == record ]] || break
    case $arg in
        -h|--help) usage; exit 0 ;;
        -l|--list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
        -*) usage >&2; exit 2 ;;
        *) name=${arg%.pcap}; name=${name##*/}
           [[ -n ${PORT[$name]:-} ]] || die "unknown capture '$arg' (see --list)"
           WANT+=("$name") ;;
    esac
done
[[ ${#WANT[@]} -gt 0 ]] || WANT=("${ALL[@]}")
# Both halves of a diff pair, or neither: halves from different runs would have different
# certificates, and diff would report them.
if [[ $MODE == record ]]; then
    PAIRED=()
    for name in "${WANT[@]}"; do
        case $name in
            diff-*-a|diff-*-b) halves=("${name%-?}-a" "${name%-?}-b") ;;
            *) halves=("$name") ;;
        esac
        for half in "${halves[@]}"; do
            [[ " ${PAIRED[*]} " == *" $half "* ]] || PAIRED+=("$half")
        done
    done
    WANT=("${PAIRED[@]}")
fi

HAVE_TSHARK=no
command -v tshark >/dev/null && HAVE_TSHARK=yes
if [[ $MODE == record ]]; then
    [[ $(id -u) -eq 0 ]] || die "must run as root (tcpdump needs it): sudo $0"
    for tool in openssl tcpdump python3 ss timeout; do
        command -v "$tool" >/dev/null ||
            die "$tool not found: apt-get install openssl tcpdump python3 iproute2 coreutils"
    done
    openssl version | grep -q '^OpenSSL 3\.' || die "need OpenSSL 3.x, have: $(openssl version)"
    [[ $HAVE_TSHARK == yes ]] || say "tshark not found: the TLS-level checks are skipped"
fi

# ---------------------------------------------------------------- temporary directory

TMP=$(mktemp -d /tmp/hsdump-pcaps.XXXXXX)
cleanup() {
    exec 9>&- 2>/dev/null || true
    if [[ -n ${KEEP_TMP:-} ]]; then say "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Servers get stdin from this FIFO, held open read-write on fd 9: s_server ends a
# connection without close_notify when its stdin reaches EOF, so stdin must never end.
mkfifo "$TMP/idle.fifo"
exec 9<>"$TMP/idle.fifo"

# ---------------------------------------------------------------- keys and certificates

PKI=$TMP/pki
make_pki() {
    mkdir -p "$PKI"
    cat >"$PKI/openssl.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$SNI
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server_ec ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$SNI
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# Only for the expired certificate: "openssl x509" in 3.0 cannot set past dates.
[ ca ]
default_ca = expired_ca
[ expired_ca ]
database = $PKI/index.txt
serial = $PKI/serial
new_certs_dir = $PKI
certificate = $PKI/root.pem
private_key = $PKI/root.key
default_md = sha256
policy = any_name
unique_subject = no
[ any_name ]
commonName = supplied
EOF
    : >"$PKI/index.txt"
    echo 1000 >"$PKI/serial"
    local cnf=$PKI/openssl.cnf
    (
        cd "$PKI"
        # Self-signed roots: the trusted one and an untrusted one (for unknown_ca).
        openssl req -x509 -config "$cnf" -extensions v3_root -newkey rsa:2048 -nodes \
            -keyout root.key -out root.pem -days 3650 -sha256 -subj "/CN=hsdump Test Root CA"
        openssl req -x509 -config "$cnf" -extensions v3_root -newkey rsa:2048 -nodes \
            -keyout rogue.key -out rogue.pem -days 3650 -sha256 -subj "/CN=hsdump Untrusted CA"
        # sign NAME ISSUER EXTENSIONS SERIAL: certificate NAME.pem from NAME.csr
        sign() {
            openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "$4" \
                -days 365 -sha256 -extfile "$cnf" -extensions "$3" -out "$1.pem"
        }
        csr() {  # csr NAME CN KEYSPEC...
            local name=$1 cn=$2; shift 2
            openssl req -new -config "$cnf" -newkey "$@" -nodes -keyout "$name.key" \
                -out "$name.csr" -subj "/CN=$cn"
        }
        csr inter "hsdump Test Intermediate CA" rsa:2048
        sign inter root v3_intermediate 2
        csr leaf "$SNI" rsa:2048;                            sign leaf root v3_server 3
        csr ecleaf "$SNI" ec -pkeyopt ec_paramgen_curve:P-256; sign ecleaf root v3_server_ec 4
        csr chainleaf "$SNI" rsa:2048;                       sign chainleaf inter v3_server 5
        csr rogueleaf "$SNI" rsa:2048;                       sign rogueleaf rogue v3_server 6
        csr client client.hsdump.test rsa:2048;              sign client root v3_client 7
        csr expired "$SNI" rsa:2048
        openssl ca -config "$cnf" -batch -notext -extensions v3_server \
            -startdate 20200101000000Z -enddate 20210101000000Z \
            -in expired.csr -out expired.pem
        cat inter.pem root.pem >chain.pem        # sent after chainleaf: 3 certificates
        # A second trusted root and an RSA-3072 leaf under it (diff-new-cert-b).
        openssl req -x509 -config "$cnf" -extensions v3_root -newkey rsa:2048 -nodes \
            -keyout root2.key -out root2.pem -days 3650 -sha256 \
            -subj "/CN=hsdump Test Root CA 2"
        csr leaf3072 "$SNI" rsa:3072;                        sign leaf3072 root2 v3_server 8
        cat root.pem root2.pem >roots.pem
    ) >"$PKI/log" 2>&1 || { cat "$PKI/log" >&2; die "making certificates failed"; }
}

# ---------------------------------------------------------------- process helpers
# These run inside one scenario attempt (a subshell, see attempt()); BG holds the pids it
# started, and the subshell's EXIT trap stops whatever is still running.

BG=()
stop_all() {
    local pid
    for pid in "${BG[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BG[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    BG=()
}

# wait_listen PORT: until something listens on PORT (not by connecting, which a server
# with -naccept 1 would count as its one connection).
wait_listen() {
    local i
    for ((i = 0; i < 100; i++)); do
        [[ -n $(ss -Hltn "sport = :$1") ]] && return 0
        sleep 0.05
    done
    die "$NAME: nothing listens on port $1 after 5 s"
}

# wait_listen_udp PORT: the same for a UDP socket (DTLS servers).
wait_listen_udp() {
    local i
    for ((i = 0; i < 100; i++)); do
        [[ -n $(ss -Hlun "sport = :$1") ]] && return 0
        sleep 0.05
    done
    die "$NAME: nothing listens on UDP port $1 after 5 s"
}

# ep PORT [HOST]: the endpoint HOST:PORT (HOST 127.0.0.1 by default, IPv6 in brackets).
ep() {
    local host=${2:-127.0.0.1}
    [[ $host == *:* ]] && host="[$host]"
    echo "$host:$1"
}

# server LOG ENDPOINT ARGS...: openssl s_server in the background; sets SRV (the pid).
# Unless ARGS name a -CAfile, no CA store is loaded, so the server sends exactly the
# chain it is given (OpenSSL would otherwise build a chain from its store and add the
# root).
server() {
    local log=$W/$1 endpoint=$2; shift 2
    local store=(-no-CAfile -no-CApath -no-CAstore)
    [[ " $* " != *" -CAfile "* ]] || store=()
    timeout "$TMO" openssl s_server -accept "$endpoint" "${store[@]}" "$@" \
        <&9 >"$log" 2>&1 &
    SRV=$!
    BG+=("$SRV")
}

# wait_exit PID [SECONDS]: let a process end by itself, else stop it.
wait_exit() {
    local pid=$1 i limit=$(( ${2:-5} * 20 ))
    for ((i = 0; i < limit; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# feed SECONDS LINE...: client stdin. A 0.2 s wait, so the handshake and any TLS 1.3
# tickets are over before the first data (else their order varies from run to run),
# then each line followed by a pause, then EOF, at which s_client sends close_notify,
# half-closes and reads the server's reply for up to 0.5 s.
feed() {
    local pause=$1; shift
    local line
    sleep 0.2
    for line in "$@"; do
        printf '%s\n' "$line"
        sleep "$pause"
    done
}

# client LOG EXPECT PAUSE LINES -- ENDPOINT S_CLIENT_ARGS...: runs s_client in the
# foreground, with SNI and our root CA. EXPECT is ok (must exit 0) or fail (must not:
# the alert scenarios), or any (a TLS 1.3 client learns of a refusal only after its
# Finished, and s_client's exit status then depends on timing).
client() {
    local log=$W/$1 expect=$2 pause=$3; shift 3
    local lines=()
    while [[ $1 != -- ]]; do lines+=("$1"); shift; done
    local endpoint=$2; shift 2
    local rc=0
    feed "$pause" "${lines[@]}" | timeout "$TMO" openssl s_client -connect "$endpoint" \
        -servername "$SNI" -CAfile "$PKI/root.pem" "$@" >"$log" 2>&1 || rc=$?
    if [[ $expect == ok && $rc -ne 0 ]]; then
        say "$NAME: s_client exited $rc:"; tail -n 20 "$log" >&2; return 1
    fi
    if [[ $expect == fail && $rc -eq 0 ]]; then
        say "$NAME: s_client succeeded but should have failed"; return 1
    fi
    return 0
}

# capture IFACE FILTER: start tcpdump and return once it is really listening.
# --immediate-mode: deliver every packet at once, so none is left in the ring at SIGINT.
# Under `timeout` like everything else (timeout passes our SIGINT on to tcpdump).
capture() {
    CAP=$W/$NAME.pcap
    timeout 120 tcpdump -i "$1" -n -s 0 -U --immediate-mode -w "$CAP" "$2" \
        2>"$W/tcpdump.log" &
    CAP_PID=$!
    BG+=("$CAP_PID")
    local i
    for ((i = 0; i < 200; i++)); do
        grep -qs 'listening on' "$W/tcpdump.log" && return 0
        kill -0 "$CAP_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$W/tcpdump.log" >&2
    die "$NAME: tcpdump did not start"
}

# capture_end: let the last FIN/ACKs arrive, then SIGINT so tcpdump closes the file.
capture_end() {
    sleep 0.3
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    grep -qs 'packets captured' "$W/tcpdump.log" || { say "$NAME: tcpdump did not finish"; return 1; }
}

# ---------------------------------------------------------------- the relay (python3)

PROXY=$TMP/proxy.py
cat >"$PROXY" <<'PY'
"""TCP relay for make-pcaps.sh, placed between s_client and s_server.

--split 7,50,60: the first TLS record from the client (the ClientHello) goes upstream in
pieces of these sizes, then the rest, with TCP_NODELAY and --gap seconds between sends,
so each piece is its own TCP segment.
--delay S: every chunk, either way, is held S seconds before it is forwarded (to make
two connections interleave in a fixed order).
Serves --count connections, then exits."""
import argparse
import socket
import struct
import threading
import time


def read_record(sock):
    """Reads one whole TLS record (5-byte header + body), or what came before EOF."""
    buf, need = b"", 5
    while len(buf) < need:
        chunk = sock.recv(need - len(buf))
        if not chunk:
            break
        buf += chunk
        if need == 5 and len(buf) == 5:
            need = 5 + struct.unpack("!H", buf[3:5])[0]
    return buf


def pump(src, dst, split, gap, delay):
    try:
        if split:
            data, pos = read_record(src), 0
            for size in split:
                if pos >= len(data):
                    break
                dst.sendall(data[pos:pos + size])
                pos += size
                time.sleep(gap)
            if pos < len(data):
                dst.sendall(data[pos:])
        while True:
            data = src.recv(65536)
            if not data:
                break
            if delay:
                time.sleep(delay)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--to", type=int, nargs="+", required=True,
                    help="upstream port per connection (the last one repeats)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--split", default="")
    ap.add_argument("--gap", type=float, default=0.05)
    ap.add_argument("--delay", type=float, default=0.0)
    a = ap.parse_args()
    split = [int(x) for x in a.split.split(",") if x]

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.listen))
    ls.listen(8)
    conns = []
    for i in range(a.count):
        down, _ = ls.accept()
        up = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for s in (down, up):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        up.connect((a.host, a.to[min(i, len(a.to) - 1)]))
        threads = [threading.Thread(target=pump, args=(down, up, split, a.gap, a.delay)),
                   threading.Thread(target=pump, args=(up, down, [], 0, a.delay))]
        for t in threads:
            t.start()
        conns.append((threads, down, up))
    ls.close()
    for threads, down, up in conns:
        for t in threads:
            t.join()
        down.close()
        up.close()


main()
PY

# ---------------------------------------------------------------- the summariser (python3)

DESCRIBE=$TMP/describe.py
cat >"$DESCRIBE" <<'PY'
"""Summarises a capture: one line per TCP segment that carries TLS records or a
SYN/FIN/RST, from tshark's JSON output. With a key log (--keylog FILE, else
keylogs/NAME.keylog beside a capture NAME.pcap when there is one), tshark decrypts, and the
messages it decrypted are shown as plaintext ones.

"#N" is tshark's frame number; connections are numbered c0, c1... in order of their
SYN; C>S is client to server. Ports and times are left out. Encrypted records show
their length in brackets. The TLS message sequence is the same after a regeneration;
frame numbers, pure ACKs and the order of FINs against the last records may not be."""
import json
import os
import signal
import subprocess
import sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # quiet under `| head`

VERSIONS = {0x0301: "TLS1.0", 0x0302: "TLS1.1", 0x0303: "TLS1.2", 0x0304: "TLS1.3"}
SUITES = {
    0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA", 0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x009e: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x00ff: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
    0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256",
    0x1305: "TLS_AES_128_CCM_8_SHA256",
    0xc02b: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xc02f: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
}
GROUPS = {23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 29: "x25519", 30: "x448",
          256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144",
          260: "ffdhe8192"}
HANDSHAKE = {0: "hello_request", 1: "client_hello", 2: "server_hello",
             4: "new_session_ticket", 5: "end_of_early_data", 8: "encrypted_extensions",
             11: "certificate", 12: "server_key_exchange", 13: "certificate_request",
             14: "server_hello_done", 15: "certificate_verify", 16: "client_key_exchange",
             20: "finished", 24: "key_update"}
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
          40: "handshake_failure", 42: "bad_certificate", 45: "certificate_expired",
          46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
          50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
          80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
          109: "missing_extension", 112: "unrecognized_name",
          116: "certificate_required", 120: "no_application_protocol"}
HRR_RANDOM = "cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c"


def aslist(v):
    return v if isinstance(v, list) else [v]


def find(obj, key):
    """Every value of key anywhere inside obj, in document order."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.extend(aslist(v))
            else:
                out.extend(find(v, key))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(find(v, key))
    return out


def name(table, value):
    n = int(value, 0)
    return table.get(n, f"0x{n:04x}")


def extensions(hs):
    return [k.split(" ")[1] for k in hs if k.startswith("Extension: ")]


def describe_hello(hs, kind):
    f = []
    legacy = int(hs["tls.handshake.version"], 16)
    sv = [int(v, 16) for v in find(hs, "tls.handshake.extensions.supported_version")]
    if kind == "client_hello":
        f.append("version=" + VERSIONS.get(legacy, hex(legacy)))
        if sv:
            f.append("supported_versions=" + ",".join(VERSIONS.get(v, hex(v)) for v in sv))
        f.append("session_id_len=" + hs.get("tls.handshake.session_id_length", "0"))
        f.append("suites=" + ",".join(name(SUITES, s) for s in find(hs, "tls.handshake.ciphersuite")))
        sni = find(hs, "tls.handshake.extensions_server_name")
        if sni:
            f.append("sni=" + ",".join(sni))
        alpn = find(hs, "tls.handshake.extensions_alpn_str")
        if alpn:
            f.append("alpn=" + ",".join(alpn))
        groups = find(hs, "tls.handshake.extensions_supported_group")
        if groups:
            f.append("groups=" + ",".join(name(GROUPS, g) for g in groups))
        shares = find(hs, "tls.handshake.extensions_key_share_group")
        if shares:
            f.append("key_share=" + ",".join(name(GROUPS, g) for g in shares))
        for key, ext in hs.items():
            if key.startswith("Extension: session_ticket") and ext.get(
                    "tls.handshake.extension.len", "0") != "0":
                f.append("ticket_len=" + ext["tls.handshake.extension.len"])
        ids = find(hs, "tls.handshake.extensions.psk.identity.identity_length")
        if ids:
            f.append(f"psk_identities={len(ids)}")
    else:
        version = sv[0] if sv else legacy
        f.append("version=" + VERSIONS.get(version, hex(version)))
        f.append("session_id_len=" + hs.get("tls.handshake.session_id_length", "0"))
        f.append("suite=" + name(SUITES, hs["tls.handshake.ciphersuite"]))
        alpn = find(hs, "tls.handshake.extensions_alpn_str")
        if alpn:
            f.append("alpn=" + ",".join(alpn))
        shares = find(hs, "tls.handshake.extensions_key_share_selected_group") + \
            find(hs, "tls.handshake.extensions_key_share_group")
        if shares:
            f.append("key_share=" + name(GROUPS, shares[0]))
    f.append("ext=" + ",".join(extensions(hs)))
    return f


def describe_handshake(hs):
    t = int(hs["tls.handshake.type"])
    kind = HANDSHAKE.get(t, f"handshake_{t}")
    f = []
    if t == 2 and hs.get("tls.handshake.random") == HRR_RANDOM:
        kind = "hello_retry_request"
    if t in (1, 2):
        f = describe_hello(hs, kind)
    elif t == 11:
        f.append(f"certs={len(find(hs, 'tls.handshake.certificate_length'))}")
    elif t == 12:
        curve = find(hs, "tls.handshake.server_named_curve")
        if curve:
            f.append("group=" + name(GROUPS, curve[0]))
        elif find(hs, "tls.handshake.p_len"):
            f.append(f"dh_p_bits={8 * int(find(hs, 'tls.handshake.p_len')[0])}")
    elif t == 13:
        cas = find(hs, "tls.handshake.dname_len")
        f.append(f"ca_names={len(cas)}")
    elif t == 4:
        f.append("ticket_len=" + (find(hs, "tls.handshake.session_ticket_length") or ["?"])[0])
    return kind + (f"({' '.join(f)})" if f else "")


def describe_record(rec, encrypted):
    """encrypted: a change_cipher_spec went this way before, so handshake records that
    tshark cannot parse are encrypted rather than fragments of a longer message."""
    ct = int(rec["tls.record.content_type"]) if "tls.record.content_type" in rec else \
        int(rec.get("tls.record.opaque_type", "0"))
    length = rec.get("tls.record.length", "?")
    if ct == 20:
        return ["change_cipher_spec"]
    if ct == 21:
        if find(rec, "tls.alert_message.desc"):
            level = find(rec, "tls.alert_message.level")[0]
            desc = find(rec, "tls.alert_message.desc")[0]
            return [f"alert({'fatal' if level == '2' else 'warning'},{name(ALERTS, desc)})"]
        return [f"encrypted_alert[{length}]"]
    if ct == 22:
        msgs = [h for h in aslist(rec.get("tls.handshake", ""))
                if isinstance(h, dict) and "tls.handshake.type" in h]
        if not msgs:
            return [f"{'encrypted_handshake' if encrypted else 'handshake_fragment'}[{length}]"]
        out = [describe_handshake(h) for h in msgs]
        frags = find(rec, "tls.handshake.fragment.count")
        if frags:
            out[-1] += f" [reassembled from {frags[0]} records]"
        return out
    if ct == 23:
        return [f"application_data[{length}]"]
    return [f"content_type_{ct}[{length}]"]


def run(args):
    return subprocess.run(["tshark", "-n"] + args, capture_output=True, text=True,
                          check=True).stdout


def describe(path, keylog):
    syns = run(["-r", path, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "-T", "fields",
                "-e", "tcp.stream", "-e", "tcp.dstport"])
    ports = sorted({line.split("\t")[1] for line in syns.splitlines() if line})
    servers = {}
    order = []
    for line in syns.splitlines():
        stream, port = line.split("\t")
        if stream not in servers:
            servers[stream] = port
            order.append(stream)
    decode = [a for p in ports for a in ("-d", f"tcp.port=={p},tls")]
    if keylog:
        decode += ["-o", f"tls.keylog_file:{keylog}"]
    frames = json.loads(run(["-r", path, "--no-duplicate-keys", "-T", "json"] + decode) or "[]")
    linktype = run(["-r", path, "-c", "1", "-T", "fields", "-e", "frame.protocols"]).split(":")[0]
    print(f"{path.rsplit('/', 1)[-1]}: first layer {linktype}, {len(frames)} packets, "
          f"{len(order)} connection(s)")
    ccs_seen = set()
    for frame in frames:
        layers = frame["_source"]["layers"]
        tcp = layers.get("tcp")
        if tcp is None:
            continue
        stream = tcp["tcp.stream"]
        conn = f"c{order.index(stream)}" if stream in order else f"s{stream}"
        way = "C>S" if tcp["tcp.dstport"] == servers.get(stream) else "S>C"
        num = layers["frame"]["frame.number"]
        flags = int(tcp["tcp.flags"], 16)
        events = []
        for tls in aslist(layers.get("tls", [])):
            if not isinstance(tls, dict):
                continue
            for rec in aslist(tls.get("tls.record", [])):
                if isinstance(rec, dict):
                    events.extend(describe_record(rec, (stream, way) in ccs_seen))
                    if rec.get("tls.record.content_type") == "20":
                        ccs_seen.add((stream, way))
        segs = find(layers.get("tcp.segments", {}), "tcp.segment.count")
        if events and segs and int(segs[0]) > 1:
            events.append(f"[reassembled from {segs[0]} TCP segments]")
        tcp_flags = "".join(n for bit, n in ((2, "SYN"), (1, "FIN"), (4, "RST")) if flags & bit)
        if tcp_flags:
            events.insert(0, tcp_flags + ("/ACK" if flags & 16 and flags & 2 else ""))
        if events:
            print(f"  #{num} {conn} {way} {' '.join(events)}")


args = sys.argv[1:]
given = None
if args[:1] == ["--keylog"]:
    given, args = args[1], args[2:]
for p in args:
    beside = os.path.join(os.path.dirname(p), "keylogs",
                          os.path.basename(p).rsplit(".", 1)[0] + ".keylog")
    describe(p, given or (beside if os.path.isfile(beside) else None))
PY

# ---------------------------------------------------------------- the cutter (python3)

MIDCUT=$TMP/midcut.py
cat >"$MIDCUT" <<'PY'
"""Cuts packets out of a pcap file, as a capture that started late or saw one side only
would have them (midstream-*, partial-*).

--drop N: drops the first N packets.
--from-appdata PORT: keeps the packets from the first one sent to PORT whose TCP payload
starts with a TLS application_data record header (17 03 03).
--sent-to PORT: keeps only the packets sent to PORT (one direction of a SPAN port).
--sent-from PORT: keeps only the packets sent from PORT.
--drop-first-data-to PORT: drops the first packet sent to PORT that carries payload (a lost
first segment of the ClientHello).
--dup-synack DELTA: puts before the SYN/ACK a copy of it whose sequence number is DELTA
higher (a second SYN/ACK with another initial sequence number), TCP checksum recomputed.
Ethernet and IPv4 only."""
import argparse
import struct
import sys


def tcp_of(frame):
    """(ip header length, TCP header and payload) of an Ethernet/IPv4 frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 6:
        return None
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:total]
    return (ihl, tcp) if len(tcp) >= 20 else None


def ports(frame):
    t = tcp_of(frame)
    return struct.unpack("!HH", t[1][0:4]) if t else (None, None)


def payload_to(frame, port):
    """The TCP payload of an Ethernet/IPv4 frame sent to port, else None."""
    t = tcp_of(frame)
    if t is None or struct.unpack("!H", t[1][2:4])[0] != port:
        return None
    tcp = t[1]
    return tcp[(tcp[12] >> 4) * 4:]


def is_synack(frame):
    t = tcp_of(frame)
    return t is not None and t[1][13] & 0x12 == 0x12


def with_seq_added(record, delta):
    """A copy of a pcap record (header + Ethernet/IPv4/TCP frame) whose TCP sequence number
    is delta higher, with the TCP checksum of RFC 9293 3.1 over the pseudo-header."""
    rec = bytearray(record)
    ihl, tcp = tcp_of(bytes(rec[16:]))
    ip_at, tcp_at = 16 + 14, 16 + 14 + ihl
    seq = (struct.unpack("!I", tcp[4:8])[0] + delta) & 0xFFFFFFFF
    rec[tcp_at + 4:tcp_at + 8] = struct.pack("!I", seq)
    rec[tcp_at + 16:tcp_at + 18] = b"\0\0"
    seg = bytes(rec[tcp_at:tcp_at + len(tcp)])
    pseudo = bytes(rec[ip_at + 12:ip_at + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    data = pseudo + seg + (b"\0" if len(seg) % 2 else b"")
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    rec[tcp_at + 16:tcp_at + 18] = struct.pack("!H", ~total & 0xFFFF)
    return bytes(rec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--drop", type=int, default=0)
    ap.add_argument("--from-appdata", type=int, default=0)
    ap.add_argument("--sent-to", type=int, default=0)
    ap.add_argument("--sent-from", type=int, default=0)
    ap.add_argument("--drop-first-data-to", type=int, default=0)
    ap.add_argument("--dup-synack", type=int, default=0)
    a = ap.parse_args()
    data = open(a.src, "rb").read()
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
             b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(data[:4])
    if order is None or struct.unpack(order + "I", data[20:24])[0] != 1:
        sys.exit("midcut: not a pcap file of Ethernet frames")
    records, pos = [], 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[pos + 8:pos + 12])[0]
        records.append(data[pos:pos + 16 + caplen])
        pos += 16 + caplen
    start = a.drop
    if a.from_appdata:
        starts = [i for i, r in enumerate(records)
                  if (payload_to(r[16:], a.from_appdata) or b"")[:3] == b"\x17\x03\x03"]
        if not starts:
            sys.exit("midcut: no application_data record sent to that port")
        start = starts[0]
    kept = records[start:]
    if a.sent_to:
        kept = [r for r in kept if ports(r[16:])[1] == a.sent_to]
    if a.sent_from:
        kept = [r for r in kept if ports(r[16:])[0] == a.sent_from]
    if a.drop_first_data_to:
        first = [i for i, r in enumerate(kept) if payload_to(r[16:], a.drop_first_data_to)]
        if not first:
            sys.exit("midcut: no payload sent to that port")
        del kept[first[0]]
    if a.dup_synack:
        at = [i for i, r in enumerate(kept) if is_synack(r[16:])]
        if len(at) != 1:
            sys.exit("midcut: want exactly one SYN/ACK")
        kept.insert(at[0], with_seq_added(kept[at[0]], a.dup_synack))
    with open(a.dst, "wb") as out:
        out.write(data[:24])
        out.writelines(kept)
    print(f"midcut: {len(records)} packets in, {len(kept)} out")


main()
PY

# proxy ARGS...: start the relay in the background and wait until it listens.
proxy() {
    timeout "$TMO" python3 "$PROXY" "$@" >"$W/proxy.log" 2>&1 &
    PROXY_PID=$!
    BG+=("$PROXY_PID")
    wait_listen "$2"     # "$1 $2" is always "--listen PORT"
}

# ---------------------------------------------------------------- checks

# packets FILE: one line per packet, "SRC DST FLAGS LEN", from tcpdump's own reader.
packets() {
    tcpdump -nn -r "$1" 2>/dev/null |
        sed -nE 's/.* IP6? ([^ ]+) > ([^ ]+): Flags \[([^]]*)\].* length ([0-9]+).*/\1 \2 \3 \4/p'
}

# check_conns FILE N PORT...: exactly N TCP connections, each to one of PORT... (a stray
# connection that matched the filter makes us retry), with N SYNs, N SYN/ACKs, a FIN
# each way on each connection and no RST.
check_conns() {
    local file=$1 want=$2; shift 2
    local syn synack fin rst conns bad
    syn=$(packets "$file" | awk '$3 == "S"' | wc -l)
    synack=$(packets "$file" | awk '$3 == "S."' | wc -l)
    fin=$(packets "$file" | awk '$3 ~ /F/' | wc -l)
    rst=$(packets "$file" | awk '$3 ~ /R/' | wc -l)
    conns=$(packets "$file" | awk '{ a = $1; b = $2; if (a > b) { t = a; a = b; b = t }
                                   print a, b }' | sort -u | wc -l)
    bad=$(packets "$file" | awk -v ports="$*" '
        BEGIN { n = split(ports, p, " "); for (i = 1; i <= n; i++) ok[p[i]] = 1 }
        { s = $1; sub(/.*\./, "", s); d = $2; sub(/.*\./, "", d)
          if (!(s in ok) && !(d in ok)) print }' | wc -l)
    if [[ $syn -ne $want || $synack -ne $want || $conns -ne $want || $bad -ne 0 ||
          $fin -ne $((2 * want)) || $rst -ne 0 ]]; then
        say "$NAME: want $want connections; have $conns (SYN $syn, SYN/ACK $synack," \
            "FIN $fin, RST $rst, foreign packets $bad)"
        return 1
    fi
}

# expect WHAT REGEX: the capture's summary (see describe.py above) must match REGEX,
# an extended regular expression, else the check fails saying WHAT was missing.
# expect_n WHAT N REGEX: exactly N summary lines must match.
# Without tshark both pass: only the tcpdump-based checks run then.
summary() {
    local keylog=()
    [[ ! -s ${KEYLOG:-} ]] || keylog=(--keylog "$KEYLOG")
    [[ -s $W/summary.txt ]] || python3 "$DESCRIBE" "${keylog[@]}" "$CAP" >"$W/summary.txt"
}
expect() {
    [[ $HAVE_TSHARK == yes ]] || return 0
    summary
    grep -Eq -- "$2" "$W/summary.txt" && return 0
    say "$NAME: expected $1"
    return 1
}
expect_n() {
    [[ $HAVE_TSHARK == yes ]] || return 0
    summary
    local n
    n=$(grep -Ec -- "$3" "$W/summary.txt" || true)
    [[ $n -eq $2 ]] && return 0
    say "$NAME: expected $2 x $1, found $n"
    return 1
}

# ---------------------------------------------------------------- scenarios
# Each scn_NAME runs in the attempt subshell with W (a fresh work dir), NAME and P (the
# server port) set. It leaves the capture in $CAP and returns 0 only if it checks out.
# Summary lines look like "#5 c0 S>C server_hello(...) certificate(certs=1) ...".

readonly T12=(-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups x25519)
readonly T13=(-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups x25519)
readonly LEAF=(-cert "$PKI/leaf.pem" -key "$PKI/leaf.key")

# simple SERVER_OPTS -- CLIENT_OPTS: the usual shape of a scenario: one s_server on
# 127.0.0.1:$P, one s_client saying "hello". EXPECT=fail for a handshake that must fail.
simple() {
    local sopts=()
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    server srv.log "$(ep "$P")" -naccept 1 "${sopts[@]}"
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log "$EXPECT" 0.5 hello -- "$(ep "$P")" "$@"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
}
EXPECT=ok

scn_tls12-full() {
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -alpn http/1.1 -- "${T12[@]}" -alpn http/1.1
    expect "SNI and ALPN offered" 'c0 C>S client_hello\(.* sni=server.hsdump.test alpn=http/1.1 ' &&
    expect "ALPN chosen" 'c0 S>C server_hello\(version=TLS1.2 .*suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 alpn=http/1.1 ' &&
    expect "the server's first flight" 'S>C server_hello\(.*\) certificate\(certs=1\) server_key_exchange\(group=x25519\) server_hello_done$' &&
    expect "the client's close_notify" 'C>S encrypted_alert' &&
    expect "the server's close_notify" 'S>C encrypted_alert'
}

scn_tls13-full() {
    simple "${LEAF[@]}" "${T13[@]}" -alpn h2 -- "${T13[@]}" -alpn h2
    grep -q 'ALPN protocol: h2' "$W/cli.log" || { say "$NAME: ALPN h2 not chosen"; return 1; }
    expect "SNI and ALPN offered" 'c0 C>S client_hello\(.*supported_versions=TLS1.3 .*sni=server.hsdump.test alpn=h2 groups=x25519 key_share=x25519 ' &&
    expect "a TLS 1.3 server_hello" 'c0 S>C server_hello\(version=TLS1.3 .*suite=TLS_AES_128_GCM_SHA256 key_share=x25519'
}

# resume_pair SERVER_OPTS -- CLIENT_OPTS: two connections to one server; the first
# writes its session (-sess_out), the second offers it (-sess_in) and must resume.
resume_pair() {
    local sopts=()
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    server srv.log "$(ep "$P")" -naccept 2 "${LEAF[@]}" "${sopts[@]}"
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli1.log ok 0.5 hello -- "$(ep "$P")" "$@" -sess_out "$W/sess.pem"
    [[ -s $W/sess.pem ]] || { say "$NAME: no session written"; return 1; }
    client cli2.log ok 0.5 again -- "$(ep "$P")" "$@" -sess_in "$W/sess.pem"
    wait_exit "$SRV"
    capture_end
    if ! grep -q '^New,' "$W/cli1.log" || ! grep -q '^Reused,' "$W/cli2.log"; then
        say "$NAME: second connection did not resume"
        return 1
    fi
    check_conns "$CAP" 2 "$P"
}

scn_tls12-resume-sessionid() {
    resume_pair "${T12[@]}" -no_ticket -- "${T12[@]}"
    expect "a session ID offered" 'c1 C>S client_hello\(version=TLS1.2 session_id_len=32 ' &&
    expect "an abbreviated handshake" 'c1 S>C server_hello\(.*\) change_cipher_spec encrypted_handshake\[40\]$' &&
    expect_n "new_session_ticket" 0 'new_session_ticket'
}

scn_tls12-resume-ticket() {
    resume_pair "${T12[@]}" -- "${T12[@]}"
    expect "a ticket issued" 'c0 S>C new_session_ticket\(.*\) change_cipher_spec encrypted_handshake\[40\]$' &&
    expect "the ticket offered" 'c1 C>S client_hello\(.* ticket_len=[0-9]+ ' &&
    expect "an abbreviated handshake" 'c1 S>C server_hello\(.*\) (new_session_ticket\(.*\) )?change_cipher_spec encrypted_handshake\[40\]$'
}

scn_alert-handshake-failure() {
    EXPECT=fail
    # the client offers only a suite the server does not enable
    simple "${LEAF[@]}" "${T12[@]}" -- -tls1_2 -cipher AES256-SHA
    expect "alert handshake_failure" 'c0 S>C alert\(fatal,handshake_failure\)'
}

scn_alert-protocol-version() {
    EXPECT=fail
    simple "${LEAF[@]}" "${T13[@]}" -- "${T12[@]}"
    expect "alert protocol_version" 'c0 S>C alert\(fatal,protocol_version\)'
}

scn_ipv6-tls13() {
    server srv.log "$(ep "$P" ::1)" -naccept 1 "${LEAF[@]}" "${T13[@]}"
    wait_listen "$P"
    capture lo "ip6 and tcp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$P" ::1)" "${T13[@]}"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    [[ $(packets "$CAP" | grep -vc '^::1\.') -eq 0 ]] || { say "$NAME: not all IPv6"; return 1; }
    expect "a TLS 1.3 server_hello" 'c0 S>C server_hello\(version=TLS1.3 '
}

scn_sll2-any() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    capture any "tcp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$P")" "${T12[@]}"
    wait_exit "$SRV"
    capture_end
    tcpdump -r "$CAP" -c 1 2>&1 >/dev/null | grep -q 'link-type LINUX_SLL2' ||
        { say "$NAME: link type is not LINUX_SLL2"; return 1; }
    check_conns "$CAP" 1 "$P"
    expect "sll2 framing" 'first layer sll' &&
    expect "a TLS 1.2 server_hello" 'c0 S>C server_hello\(version=TLS1.2 '
}

scn_split-clienthello() {
    local front=$((P + 50))
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    proxy --listen "$front" --to "$P" --split 7,50,60 --gap 0.05
    capture lo "tcp port $P"           # only the relay -> server leg
    client cli.log ok 0.5 hello -- "$(ep "$front")" "${T12[@]}"
    wait_exit "$SRV"
    wait_exit "$PROXY_PID"
    capture_end
    check_conns "$CAP" 1 "$P"
    # the ClientHello record (about 155 bytes) goes as 7, 50, 60 and the rest: the first
    # segment ends inside the handshake header, the others inside the hello body
    local sizes
    sizes=$(packets "$CAP" | awk -v re="[.]$P\$" '$2 ~ re && $4 > 0 && n++ < 3 { print $4 }' |
        tr '\n' ' ')
    [[ $sizes == "7 50 60 " ]] || { say "$NAME: first segments are '$sizes'"; return 1; }
    expect "a ClientHello over 4 segments" 'c0 C>S client_hello\(.*\) \[reassembled from 4 TCP segments\]'
}

# Two clients, one server address: the relay listens on $P+50 and hands its first
# connection to a TLS 1.2 s_server on $P, its second to a TLS 1.3 s_server on $P+1
# (s_server serves one connection at a time). The relay holds every chunk 0.15 s (so a
# round trip through it takes 0.3 s, still inside the 0.5 s s_client waits for the
# server's close_notify) and the second client starts 0.05 s after the first. On the
# captured client <-> relay leg that gives, 50 ms apart: hello A, hello B, server flight
# A and A's answer, server flight B and B's answer, and so on to both closes.
scn_interleaved() {
    local p2=$((P + 1)) front=$((P + 50))
    server srv1.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    local srv1=$SRV
    server srv2.log "$(ep "$p2")" -naccept 1 "${LEAF[@]}" "${T13[@]}" -num_tickets 1
    local srv2=$SRV
    wait_listen "$P"
    wait_listen "$p2"
    proxy --listen "$front" --to "$P" "$p2" --count 2 --delay 0.15
    capture lo "tcp port $front"
    client cli1.log ok 3 hello -- "$(ep "$front")" "${T12[@]}" &
    local c1=$!
    BG+=("$c1")
    sleep 0.05
    client cli2.log ok 3 hello -- "$(ep "$front")" "${T13[@]}" || return 1
    wait "$c1" || return 1
    wait_exit "$srv1"; wait_exit "$srv2"; wait_exit "$PROXY_PID"
    capture_end
    check_conns "$CAP" 2 "$front"
    # how often consecutive packets switch from one connection to the other
    local switches
    switches=$(packets "$CAP" | awk '
        { c = ($1 ~ /[.]'"$front"'$/) ? $2 : $1
          if (NR > 1 && c != last) n++; last = c }
        END { print n + 0 }')
    [[ $switches -ge 8 ]] || { say "$NAME: only $switches switches between streams"; return 1; }
    # both hellos before any server_hello; B's server_hello before A's handshake ends
    [[ $HAVE_TSHARK == no ]] || summary
    [[ $HAVE_TSHARK == no ]] || [[ $(awk '
        /^  #/ && !($2 $3 $4 in first) { first[$2 $3 $4] = NR }
        END { print (first["c0C>Sclient_hello(version=TLS1.2"] > 0 &&
                     first["c0C>Sclient_hello(version=TLS1.2"] < first["c1C>Sclient_hello(version=TLS1.2"] &&
                     first["c1C>Sclient_hello(version=TLS1.2"] < first["c0S>Cserver_hello(version=TLS1.2"] &&
                     first["c0S>Cserver_hello(version=TLS1.2"] < first["c1S>Cserver_hello(version=TLS1.3"] &&
                     first["c1S>Cserver_hello(version=TLS1.3"] < first["c0S>Cchange_cipher_spec"]) }' \
        "$W/summary.txt") == 1 ]] || { say "$NAME: the handshakes do not overlap"; return 1; }
}

scn_tls13-hrr() {
    # the client's key_share holds x25519 only (its first group); P-256 is merely listed
    simple "${LEAF[@]}" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups P-256 -- \
        -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups x25519:P-256
    expect "a hello_retry_request for secp256r1" 'c0 S>C hello_retry_request\(.*key_share=secp256r1' &&
    expect "a second client_hello with a P-256 share" 'c0 C>S (change_cipher_spec )?client_hello\(.*key_share=secp256r1 ' &&
    expect_n "client_hello" 2 'client_hello'
}

scn_tls13-psk-resume() {
    resume_pair "${T13[@]}" -num_tickets 1 -- "${T13[@]}"
    expect "a pre_shared_key offered" 'c1 C>S client_hello\(.*psk_identities=1 .*pre_shared_key\)' &&
    expect "a pre_shared_key accepted" 'c1 S>C server_hello\(.*pre_shared_key'
}

scn_tls13-early-data() {
    printf 'early hello\n' >"$W/early.txt"
    server srv.log "$(ep "$P")" -naccept 2 "${LEAF[@]}" "${T13[@]}" -num_tickets 1 -early_data
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli1.log ok 0.5 hello -- "$(ep "$P")" "${T13[@]}" -sess_out "$W/sess.pem"
    client cli2.log ok 0.5 again -- "$(ep "$P")" "${T13[@]}" \
        -sess_in "$W/sess.pem" -early_data "$W/early.txt"
    wait_exit "$SRV"
    capture_end
    grep -q 'Early data was accepted' "$W/cli2.log" ||
        { say "$NAME: early data not accepted"; return 1; }
    check_conns "$CAP" 2 "$P"
    expect "early_data offered" 'c1 C>S client_hello\(.*early_data.*\) (change_cipher_spec )?application_data' &&
    expect "a pre_shared_key accepted" 'c1 S>C server_hello\(.*pre_shared_key'
}

# mutual SERVER_OPTS -- CLIENT_OPTS: the server requires a client certificate. Both sides
# load the root with -CAfile, so the server names it in certificate_authorities, and
# both auto-chain from that store: each sends its leaf followed by the root.
mutual() {
    local sopts=()
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" -CAfile "$PKI/root.pem" \
        -Verify 1 -verify_return_error "${sopts[@]}"
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$P")" -cert "$PKI/client.pem" \
        -key "$PKI/client.key" "$@"
    wait_exit "$SRV"
    capture_end
    grep -q 'client.hsdump.test' "$W/srv.log" ||
        { say "$NAME: server saw no client certificate"; return 1; }
    check_conns "$CAP" 1 "$P"
}

scn_tls12-mutual() {
    mutual "${T12[@]}" -no_ticket -- "${T12[@]}"
    expect "a certificate_request" 'c0 S>C server_hello.* certificate\(certs=2\) server_key_exchange\(group=x25519\) certificate_request\(ca_names=1\) server_hello_done$' &&
    expect "the client's certificate" 'c0 C>S certificate\(certs=2\) client_key_exchange certificate_verify change_cipher_spec encrypted_handshake'
}

scn_tls13-mutual() {
    mutual "${T13[@]}" -num_tickets 1 -- "${T13[@]}"
}

# cert_requested SERVER_OPTS -- CLIENT_OPTS: the server asks for a client certificate but
# does not require one (-verify, not -Verify); the client has none, so it answers with an
# empty Certificate (RFC 5246 7.4.6, RFC 8446 4.4.2) and the handshake completes.
cert_requested() {
    local sopts=()
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    simple "${LEAF[@]}" -CAfile "$PKI/root.pem" -verify 1 "${sopts[@]}" -- "$@"
    grep -q '^CIPHER is' "$W/srv.log" || { say "$NAME: no handshake"; return 1; }
    ! grep -q 'client.hsdump.test' "$W/srv.log" ||
        { say "$NAME: the server saw a client certificate"; return 1; }
}

scn_tls12-cert-requested() {
    cert_requested "${T12[@]}" -no_ticket -- "${T12[@]}"
    expect "a certificate_request" 'c0 S>C server_hello.* certificate_request\(ca_names=1\) server_hello_done$' &&
    expect "an empty client certificate" 'c0 C>S certificate\(certs=0\) client_key_exchange change_cipher_spec encrypted_handshake'
}

scn_tls13-cert-requested() {
    cert_requested "${T13[@]}" -num_tickets 1 -- "${T13[@]}"
    expect "the client flight: empty certificate (25) and finished (53)" 'c0 C>S change_cipher_spec application_data\[25\] application_data\[53\]$'
}

# TLS 1.3, the server requires a client certificate issued by the untrusted CA (-Verify 1
# -CAfile rogue.pem); the client's is from the root, so the server refuses it: it answers
# the client's flight with an encrypted alert (unknown_ca) and closes. The server closes
# with the client's Finished still unread, so the kernel may send a RST instead of a FIN.
scn_tls13-cert-rejected() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" -CAfile "$PKI/rogue.pem" \
        -Verify 1 -verify_return_error "${T13[@]}" -num_tickets 1
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log any 0.5 hello -- "$(ep "$P")" -cert "$PKI/client.pem" \
        -key "$PKI/client.key" "${T13[@]}"
    wait_exit "$SRV"
    capture_end
    grep -q 'unknown ca' "$W/cli.log" ||
        { say "$NAME: the client got no unknown_ca alert"; tail -n 20 "$W/cli.log" >&2; return 1; }
    [[ $(packets "$CAP" | awk '$3 == "S"' | wc -l) -eq 1 ]] ||
        { say "$NAME: want exactly one connection"; return 1; }
    expect "the client flight: certificate, certificate_verify, finished" 'c0 C>S change_cipher_spec application_data\[[0-9]+\] application_data\[281\] application_data\[53\]$' &&
    expect_n "the server's one record after it: the alert" 1 'c0 S>C application_data\[19\]' &&
    expect_n "no other server record after the client's flight" 2 'c0 S>C .*application_data'
}

# Client-initiated secure renegotiation: s_client renegotiates on a line starting with
# R; OpenSSL 3.0 servers refuse that unless -client_renegotiation is given. -msg makes
# s_client log each message so the second handshake can be counted.
scn_tls12-renegotiation() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket \
        -client_renegotiation
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log ok 0.5 hello R again -- "$(ep "$P")" "${T12[@]}" -msg
    wait_exit "$SRV"
    capture_end
    [[ $(grep -c '^>>> .*Handshake.*ClientHello' "$W/cli.log") -eq 2 ]] ||
        { say "$NAME: client did not send a second ClientHello"; return 1; }
    [[ $(grep -c '^<<< .*Handshake.*Finished' "$W/cli.log") -eq 2 ]] ||
        { say "$NAME: renegotiation did not finish"; return 1; }
    check_conns "$CAP" 1 "$P"
}

scn_tls12-dhe() {
    local c=(-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256)
    simple "${LEAF[@]}" "${c[@]}" -no_ticket -- "${c[@]}" -verify_return_error
    expect "a DHE server_key_exchange" 'c0 S>C .*server_key_exchange\(dh_p_bits=2048\)'
}

scn_tls12-rsa-kx() {
    local c=(-tls1_2 -cipher AES128-GCM-SHA256)
    simple "${LEAF[@]}" "${c[@]}" -no_ticket -- "${c[@]}" -verify_return_error
    expect "no server_key_exchange" 'c0 S>C server_hello\(.*\) certificate\(certs=1\) server_hello_done$'
}

scn_tls12-ecdsa() {
    local c=(-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256)
    simple -cert "$PKI/ecleaf.pem" -key "$PKI/ecleaf.key" "${c[@]}" -no_ticket -- \
        "${c[@]}" -verify_return_error
    expect "an ECDSA suite" 'c0 S>C server_hello\(.*suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 .*server_key_exchange\(group=secp256r1\)'
}

scn_tls12-chain3() {
    simple -cert "$PKI/chainleaf.pem" -key "$PKI/chainleaf.key" -cert_chain "$PKI/chain.pem" \
        -max_send_frag 512 "${T12[@]}" -no_ticket -- "${T12[@]}" -verify_return_error
    expect "3 certificates in several records" 'c0 S>C .* certificate\(certs=3\) \[reassembled from [0-9]+ records\]'
}

# A leaf certificate of about 340 KB, by a private extension (OID under the example arc of
# a private enterprise number) of 340,000 bytes: a Certificate message past the 256 KiB that
# hsdump once capped, as public traces of servers with huge chains have. TLS 1.2, so the
# Certificate is in clear. OpenSSL's client refuses a certificate list past 100 KiB
# (max_cert_list: illegal_parameter, "excessive message size") once it has read the
# message header, but the server has its flight under way: the capture holds all of it.
scn_tls12-huge-cert() {
    local cnf=$W/huge.cnf
    {
        printf '[ v3_huge ]\nbasicConstraints = critical, CA:FALSE\n'
        printf 'subjectAltName = DNS:%s\n1.3.6.1.4.1.55555.1 = DER:' "$SNI"
        head -c 340000 /dev/zero | tr '\0' 'Z' | od -An -v -tx1 | tr -d ' \n'
        printf '\n'
    } >"$cnf"
    openssl req -new -config "$PKI/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -nodes -keyout "$W/huge.key" -out "$W/huge.csr" -subj "/CN=$SNI" 2>"$W/huge.log"
    openssl x509 -req -in "$W/huge.csr" -CA "$PKI/root.pem" -CAkey "$PKI/root.key" \
        -set_serial 8 -days 365 -sha256 -extfile "$cnf" -extensions v3_huge \
        -out "$W/huge.pem" 2>>"$W/huge.log"
    local c=(-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256)
    server srv.log "$(ep "$P")" -naccept 1 -cert "$W/huge.pem" -key "$W/huge.key" \
        "${c[@]}" -no_ticket
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log fail 0.5 hello -- "$(ep "$P")" "${c[@]}"
    wait_exit "$SRV"
    capture_end
    grep -q 'excessive message size' "$W/cli.log" ||
        { say "$NAME: the client did not refuse the certificate list"; return 1; }
    [[ $(packets "$CAP" | awk '$3 == "S"' | wc -l) -eq 1 ]] ||
        { say "$NAME: want exactly one connection"; return 1; }
    local server_bytes
    server_bytes=$(packets "$CAP" | awk -v p=".$P" 'index($1, p) == length($1) - length(p) + 1 \
        { n += $4 } END { print n + 0 }')
    ((server_bytes > 340000)) ||
        { say "$NAME: only $server_bytes bytes from the server"; return 1; }
}

# alert_cert CERT KEY ALERT: the client rejects the server's certificate. TLS 1.2, so
# the client's alert is still in plaintext.
alert_cert() {
    EXPECT=fail
    simple -cert "$1" -key "$2" "${T12[@]}" -no_ticket -- "${T12[@]}" -verify_return_error
    expect "alert $3 from the client" "c0 C>S alert\\(fatal,$3\\)"
}

scn_alert-cert-expired() {
    alert_cert "$PKI/expired.pem" "$PKI/expired.key" certificate_expired
}

scn_alert-unknown-ca() {
    alert_cert "$PKI/rogueleaf.pem" "$PKI/rogueleaf.key" unknown_ca
}

# -rev: the server echoes each line reversed, so application data flows both ways; no
# tickets, so after the handshake there is only data, then a close_notify each way.
scn_tls13-close-notify() {
    simple "${LEAF[@]}" "${T13[@]}" -num_tickets 0 -rev -- "${T13[@]}"
    grep -q olleh "$W/cli.log" || { say "$NAME: no reply from the server"; return 1; }
    expect "the client's close_notify before its FIN" 'c0 C>S application_data\[[0-9]+\]$' &&
    expect_n "records after the handshake" 2 'c0 S>C application_data\[[0-9]+\]$'
}

# A different TLS stack's ClientHello: gnutls-cli (gnutls-bin) with its default
# priorities restricted to TLS 1.3. It offers more suites and groups than OpenSSL, two
# key shares (secp256r1 and x25519) and status_request; s_server picks x25519.
scn_tls13-gnutls-client() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T13[@]}"
    wait_listen "$P"
    capture lo "tcp port $P"
    local rc=0
    feed 0.5 hello | timeout "$TMO" gnutls-cli --port "$P" --sni-hostname "$SNI" \
        --verify-hostname "$SNI" --x509cafile "$PKI/root.pem" \
        --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' 127.0.0.1 >"$W/cli.log" 2>&1 || rc=$?
    [[ $rc -eq 0 ]] || { say "$NAME: gnutls-cli exited $rc"; tail -n 20 "$W/cli.log" >&2; return 1; }
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    expect "gnutls' two key shares" 'c0 C>S client_hello\(.*sni=server.hsdump.test .*key_share=secp256r1,x25519 ' &&
    expect "a TLS 1.3 server_hello" 'c0 S>C server_hello\(version=TLS1.3 .*key_share=x25519 '
}

# ---------------------------------------------------------------- certificate checks
# Servers with one certificate issue each (issue 18 part 2). Their CAs are committed in
# tests/certs/ (made by tests/certs/make-certs.sh), so these captures validate with
# --ca-file tests/certs/root.pem; certificates whose dates matter are signed here, now.

readonly CERTS=$OUT_DIR/../tests/certs
readonly WEAK=(-tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' -groups x25519)

# cert_leaf NAME ARGS...: $W/NAME.pem and .key for server.hsdump.test, signed by the
# committed root with `openssl ca` (which, unlike `openssl x509` in 3.0, takes any dates),
# its configuration in tests/certs/openssl.cnf.
cert_leaf() {
    local name=$1; shift
    : >"$W/index.txt"
    echo 2000 >"$W/serial"
    {
        openssl req -new -newkey rsa:2048 -nodes -keyout "$W/$name.key" -out "$W/$name.csr" \
            -subj "/CN=$SNI"
        CA_DIR=$W CERTS_DIR=$CERTS openssl ca -config "$CERTS/openssl.cnf" -batch -notext \
            -extensions v3_server "$@" \
            -in "$W/$name.csr" -out "$W/$name.pem"
    } >"$W/pki.log" 2>&1 || { cat "$W/pki.log" >&2; return 1; }
}

# cert_client EXPECT SERVERNAME -- S_CLIENT_ARGS...: s_client trusting the committed root,
# naming SERVERNAME in the SNI.
cert_client() {
    local expect=$1 name=$2 rc=0; shift 3
    feed 0.5 hello | timeout "$TMO" openssl s_client -connect "$(ep "$P")" -servername "$name" \
        -CAfile "$CERTS/root.pem" "$@" >>"$W/cli.log" 2>&1 || rc=$?
    if [[ $expect == ok && $rc -ne 0 ]]; then
        say "$NAME: s_client exited $rc:"; tail -n 20 "$W/cli.log" >&2; return 1
    fi
    if [[ $expect == fail && $rc -eq 0 ]]; then
        say "$NAME: s_client succeeded but should have failed"; return 1
    fi
    return 0
}

# cert_scenario CERT KEY EXPECT SERVERNAME -- CLIENT_ARGS...: one TLS 1.2 connection (its
# certificate in the clear) to a server with CERT. CERT_OPTS (both sides) is T12 unless
# a scenario lowers the security level (WEAK).
CERT_OPTS=("${T12[@]}")
cert_scenario() {
    local cert=$1 key=$2 expect=$3 name=$4; shift 5
    server srv.log "$(ep "$P")" -naccept 1 -cert "$cert" -key "$key" -no_ticket "${CERT_OPTS[@]}"
    wait_listen "$P"
    capture lo "tcp port $P"
    cert_client "$expect" "$name" -- "${CERT_OPTS[@]}" "$@"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
}

scn_cert-not-yet-valid() {
    cert_leaf notyet -startdate 20400101000000Z -enddate 20410101000000Z
    cert_scenario "$W/notyet.pem" "$W/notyet.key" fail "$SNI" -- -verify_return_error
    expect "the client's alert" 'c0 C>S alert\(fatal,'
}

scn_cert-expiring() {
    cert_leaf soon -days 10
    cert_scenario "$W/soon.pem" "$W/soon.key" ok "$SNI" -- -verify_return_error
}

# The certificate names server.hsdump.test; the client asks for other.hsdump.test.
scn_cert-hostname-mismatch() {
    cert_scenario "$CERTS/good.pem" "$CERTS/good.key" fail other.hsdump.test -- \
        -verify_hostname other.hsdump.test -verify_return_error
    expect "the client's alert" 'c0 C>S alert\(fatal,'
}

# SHA-1 signatures and 1024-bit keys are refused at OpenSSL 3's default security level 1,
# so both sides go down to 0.
scn_cert-sha1() {
    CERT_OPTS=("${WEAK[@]}")
    cert_scenario "$CERTS/sha1.pem" "$CERTS/sha1.key" ok "$SNI" -- -verify_return_error
}

scn_cert-rsa1024() {
    CERT_OPTS=("${WEAK[@]}")
    cert_scenario "$CERTS/rsa1024.pem" "$CERTS/rsa1024.key" ok "$SNI" -- -verify_return_error
}

# s_client without -verify_return_error goes on past a certificate it cannot verify.
scn_cert-self-signed() {
    cert_scenario "$CERTS/self.pem" "$CERTS/self.key" ok "$SNI" --
    grep -q 'self-signed certificate' "$W/cli.log" ||
        { say "$NAME: s_client did not find the certificate self-signed"; return 1; }
}

# Two connections to the same name: the first gets the real chain, the second one issued by
# another CA, as a TLS-intercepting middlebox re-signs it (the client goes on regardless).
scn_cert-resigned() {
    capture lo "tcp port $P"
    server srv.log "$(ep "$P")" -naccept 1 -cert "$CERTS/good.pem" -key "$CERTS/good.key" \
        -no_ticket "${T12[@]}"
    wait_listen "$P"
    cert_client ok "$SNI" -- "${T12[@]}" -verify_return_error
    wait_exit "$SRV"
    server srv2.log "$(ep "$P")" -naccept 1 -cert "$CERTS/rogueleaf.pem" \
        -key "$CERTS/rogueleaf.key" -no_ticket "${T12[@]}"
    wait_listen "$P"
    cert_client ok "$SNI" -- "${T12[@]}"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 2 "$P"
}

# ---------------------------------------------------------------- pairs for hsdump diff
# Each pair is two captures on the same server port; tests/golden/diff/ holds what
# `hsdump diff A B` says about them.

scn_diff-same-a() {
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -- "${T12[@]}"
    expect "a TLS 1.2 server_hello" 'c0 S>C server_hello\(version=TLS1.2 .*suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 '
}
scn_diff-same-b() { scn_diff-same-a; }

# The client offers two suites; the server prefers (-serverpref) the first of its own list.
readonly DIFF_SUITES=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384
diff_cipher() {
    simple "${LEAF[@]}" -tls1_2 -cipher "$1" -serverpref -groups x25519 -no_ticket -- \
        -tls1_2 -cipher "$DIFF_SUITES" -groups x25519
    expect "suite $2 chosen" "c0 S>C server_hello\\(version=TLS1.2 .*suite=$2 "
}
scn_diff-cipher-a() {
    diff_cipher "$DIFF_SUITES" TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
}
scn_diff-cipher-b() {
    # describe.py has no name for TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    diff_cipher ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256 0xc030
}

# One client offering TLS 1.2 and 1.3; a TLS 1.2-only server, then a TLS 1.3-only one.
readonly DIFF_BOTH=(-cipher ECDHE-RSA-AES128-GCM-SHA256 -ciphersuites TLS_AES_128_GCM_SHA256
    -groups x25519)
scn_diff-version-a() {
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -- "${DIFF_BOTH[@]}"
    expect "TLS 1.3 offered" 'c0 C>S client_hello\(.*supported_versions=TLS1.3,TLS1.2' &&
    expect "a TLS 1.2 server_hello" 'c0 S>C server_hello\(version=TLS1.2 '
}
scn_diff-version-b() {
    simple "${LEAF[@]}" "${T13[@]}" -num_tickets 0 -- "${DIFF_BOTH[@]}"
    expect "TLS 1.3 offered" 'c0 C>S client_hello\(.*supported_versions=TLS1.3,TLS1.2' &&
    expect "a TLS 1.3 server_hello" 'c0 S>C server_hello\(version=TLS1.3 '
}

# Another server certificate: the leaf under the intermediate CA, sent with its chain.
scn_diff-cert-a() {
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -- "${T12[@]}" -verify_return_error
    expect "1 certificate" 'c0 S>C .* certificate\(certs=1\) '
}
scn_diff-cert-b() {
    simple -cert "$PKI/chainleaf.pem" -key "$PKI/chainleaf.key" -cert_chain "$PKI/chain.pem" \
        "${T12[@]}" -no_ticket -- "${T12[@]}" -verify_return_error
    expect "3 certificates" 'c0 S>C .* certificate\(certs=3\) '
}

# The client offers one ALPN protocol; the server accepts either.
diff_alpn() {
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -alpn h2,http/1.1 -- "${T12[@]}" -alpn "$1"
    grep -q "ALPN protocol: $1" "$W/cli.log" || { say "$NAME: ALPN $1 not chosen"; return 1; }
    expect "ALPN $1 chosen" "c0 S>C server_hello\\(.* alpn=$1 "
}
scn_diff-alpn-a() { diff_alpn h2; }
scn_diff-alpn-b() { diff_alpn http/1.1; }

# Two connections, the second offering the first one's session (a ticket). a: one server
# resumes it. b: the server is restarted between them with -no_cache -no_ticket, so the
# same offer gets a full handshake and no new ticket.
scn_diff-resume-a() {
    resume_pair "${T12[@]}" -- "${T12[@]}"
    expect "the ticket offered" 'c1 C>S client_hello\(.* ticket_len=[0-9]+ ' &&
    expect "an abbreviated handshake" 'c1 S>C server_hello\(.*\) (new_session_ticket\(.*\) )?change_cipher_spec encrypted_handshake\[40\]$'
}
scn_diff-resume-b() {
    server srv1.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}"
    local srv1=$SRV
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli1.log ok 0.5 hello -- "$(ep "$P")" "${T12[@]}" -sess_out "$W/sess.pem"
    [[ -s $W/sess.pem ]] || { say "$NAME: no session written"; return 1; }
    wait_exit "$srv1"
    server srv2.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_cache -no_ticket
    wait_listen "$P"
    client cli2.log ok 0.5 again -- "$(ep "$P")" "${T12[@]}" -sess_in "$W/sess.pem"
    wait_exit "$SRV"
    capture_end
    grep -q '^New,' "$W/cli2.log" || { say "$NAME: the second connection resumed"; return 1; }
    check_conns "$CAP" 2 "$P"
    expect "the ticket offered" 'c1 C>S client_hello\(.* ticket_len=[0-9]+ ' &&
    expect "a full second handshake" 'c1 S>C server_hello\(.*\) certificate\(certs=1\) '
}

# Two servers, one connection each: a talks to $P and $P+1, b to $P and $P+2.
diff_extra() {
    local second=$1
    server srv1.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    local srv1=$SRV
    server srv2.log "$(ep "$second")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    local srv2=$SRV
    wait_listen "$P"
    wait_listen "$second"
    capture lo "tcp portrange $P-$((P + 2))"
    client cli1.log ok 0.5 hello -- "$(ep "$P")" "${T12[@]}"
    client cli2.log ok 0.5 hello -- "$(ep "$second")" "${T12[@]}"
    wait_exit "$srv1"
    wait_exit "$srv2"
    capture_end
    check_conns "$CAP" 2 "$P" "$second"
}
scn_diff-extra-a() { diff_extra $((P + 1)); }
scn_diff-extra-b() { diff_extra $((P + 2)); }

# ---------------------------------------------------------------- pairs with several connections
# (issue 20) One server on $P for the whole half, several s_client runs against it, so a
# profile (versions, flows, tickets, failures...) has shares to compare. The clients are
# the same commands in both halves unless the pair is about the client.

# both_start N SERVER_OPTS...: the server (for N connections, TLS 1.2 and 1.3 with one
# suite each and x25519, the usual leaf unless SERVER_OPTS name another) and the capture.
readonly BOTH=(-cipher ECDHE-RSA-AES128-GCM-SHA256 -ciphersuites TLS_AES_128_GCM_SHA256
    -groups x25519)
both_start() {
    CONNS=$1; shift
    local cert=("${LEAF[@]}")
    [[ " $* " != *" -cert "* ]] || cert=()
    server srv.log "$(ep "$P")" -naccept "$CONNS" "${cert[@]}" "${BOTH[@]}" "$@"
    wait_listen "$P"
    capture lo "tcp port $P"
    CI=0
}
# conn EXPECT S_CLIENT_ARGS...: the next connection (log cliN.log, N from 1).
conn() {
    local expect=$1; shift
    CI=$((CI + 1))
    client "cli$CI.log" "$expect" 0.5 hello -- "$(ep "$P")" "$@"
}
# both_end: the server ends after its N connections; N whole connections captured.
both_end() {
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" "$CONNS" "$P"
}
# TLS 1.2 turned off: two TLS 1.3 clients and one TLS 1.2 client; b refuses the last.
diff_no_tls12() {
    EXPECT=$1; shift
    both_start 3 -no_ticket -num_tickets 0 "$@"
    conn ok "${T13[@]}"
    conn ok "${T13[@]}"
    conn "$EXPECT" "${T12[@]}"
    both_end
    expect_n "TLS 1.3 server_hellos" 2 'S>C server_hello\(version=TLS1.3 '
}
scn_diff-no-tls12-a() {
    diff_no_tls12 ok
    expect "a TLS 1.2 server_hello" 'c2 S>C server_hello\(version=TLS1.2 '
}
scn_diff-no-tls12-b() {
    # -no_tls1_2 alone leaves a hole (TLS 1.0 and 1.1 below it still count as enabled)
    # and OpenSSL 3.0's s_server then fails every handshake with "no ciphers available"
    # for the TLS 1.2 -cipher list; -min_protocol TLSv1.3 closes it.
    diff_no_tls12 fail -no_tls1_2 -min_protocol TLSv1.3
    expect "alert protocol_version" 'c2 S>C alert\(fatal,protocol_version\)'
}

# Tickets turned off. TLS 1.2: a full handshake that saves its session, then one that
# offers it; then a full TLS 1.3 handshake. a: the server issues tickets (TLS 1.2 and two
# TLS 1.3 ones) and resumes the TLS 1.2 session with its ticket. b: -no_ticket
# -num_tickets 0: no tickets, the TLS 1.2 session is resumed by its session ID (the
# server's cache). No TLS 1.3 resumption: b would have no ticket to offer, so the client's
# ClientHello (its pre_shared_key) and JA4 would change too.
diff_no_tickets() {
    both_start 3 "$@"
    local s12=$W/sess12.pem
    conn ok "${T12[@]}" -sess_out "$s12"
    conn ok "${T12[@]}" -sess_in "$s12"
    conn ok "${T13[@]}"
    both_end
    grep -q '^Reused,' "$W/cli2.log" || { say "$NAME: TLS 1.2 not resumed"; return 1; }
}
scn_diff-no-tickets-a() {
    diff_no_tickets
    expect "a TLS 1.2 ticket" 'c0 S>C new_session_ticket\(' &&
    expect "TLS 1.2 ticket resumption" 'c1 C>S client_hello\(.* ticket_len=[0-9]+ '
}
scn_diff-no-tickets-b() {
    diff_no_tickets -no_ticket -num_tickets 0
    expect_n "new_session_ticket" 0 'new_session_ticket' &&
    expect "a session ID offered" 'c1 C>S client_hello\(version=TLS1.2 session_id_len=32 '
}

# A new certificate: RSA 3072 under "hsdump Test Root CA 2" in b. The clients trust both
# roots and verify. Two TLS 1.3 connections (the certificate encrypted) and one TLS 1.2.
diff_new_cert() {
    both_start 3 -no_ticket -num_tickets 0 "$@"
    local verify=(-CAfile "$PKI/roots.pem" -verify_return_error)
    conn ok "${T13[@]}" "${verify[@]}"
    conn ok "${T13[@]}" "${verify[@]}"
    conn ok "${T12[@]}" "${verify[@]}"
    both_end
}
scn_diff-new-cert-a() {
    diff_new_cert
    grep -q 'issuer=CN = hsdump Test Root CA$' "$W/cli3.log" || { say "$NAME: issuer"; return 1; }
}
scn_diff-new-cert-b() {
    diff_new_cert -cert "$PKI/leaf3072.pem" -key "$PKI/leaf3072.key"
    grep -q 'issuer=CN = hsdump Test Root CA 2$' "$W/cli3.log" || { say "$NAME: issuer"; return 1; }
    grep -q 'Server public key is 3072 bit' "$W/cli3.log" || { say "$NAME: key size"; return 1; }
}

# ALPN h2 added: the clients offer h2,http/1.1; a's server knows only http/1.1, b's
# h2,http/1.1 (s_server picks the first of its own list that the client offers).
diff_alpn_h2() {
    both_start 3 -no_ticket -num_tickets 0 -alpn "$1"
    conn ok "${T13[@]}" -alpn h2,http/1.1
    conn ok "${T13[@]}" -alpn h2,http/1.1
    conn ok "${T12[@]}" -alpn h2,http/1.1
    both_end
    local n
    n=$(grep -c "ALPN protocol: $2\$" "$W"/cli?.log | awk -F: '{ s += $2 } END { print s }')
    [[ $n -eq 3 ]] || { say "$NAME: ALPN $2 chosen $n times, not 3"; return 1; }
}
scn_diff-alpn-h2-a() { diff_alpn_h2 http/1.1 http/1.1; }
scn_diff-alpn-h2-b() { diff_alpn_h2 h2,http/1.1 h2; }

# Cipher preference changed: the TLS 1.2 clients offer three suites; the server prefers
# its own order (-serverpref), AES-128-GCM first in a, ChaCha20-Poly1305 first in b. The
# TLS 1.3 connection is the same in both.
readonly PREF_OFFER=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305
diff_cipher_pref() {
    server srv.log "$(ep "$P")" -naccept 3 "${LEAF[@]}" -cipher "$1" -serverpref \
        -ciphersuites TLS_AES_128_GCM_SHA256 -groups x25519 -no_ticket -num_tickets 0
    CONNS=3
    wait_listen "$P"
    capture lo "tcp port $P"
    CI=0
    conn ok -tls1_2 -cipher "$PREF_OFFER" -groups x25519
    conn ok -tls1_2 -cipher "$PREF_OFFER" -groups x25519
    conn ok "${T13[@]}"
    both_end
    expect_n "suite $2 chosen" 2 "S>C server_hello\\(version=TLS1.2 .*suite=$2 "
}
scn_diff-cipher-pref-a() {
    diff_cipher_pref "$PREF_OFFER" TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
}
scn_diff-cipher-pref-b() {
    # describe.py has no name for TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    diff_cipher_pref ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384 0xcca8
}

# The certificate expires: b's server presents the expired leaf and the verifying TLS 1.2
# clients reject it (alert certificate_expired, in plaintext in TLS 1.2).
diff_cert_expired() {
    EXPECT=$1; shift
    both_start 3 -no_ticket -num_tickets 0 "$@"
    conn "$EXPECT" "${T12[@]}" -verify_return_error
    conn "$EXPECT" "${T12[@]}" -verify_return_error
    conn "$EXPECT" "${T12[@]}" -verify_return_error
    both_end
}
scn_diff-cert-expired-a() { diff_cert_expired ok; }
scn_diff-cert-expired-b() {
    diff_cert_expired fail -cert "$PKI/expired.pem" -key "$PKI/expired.key"
    expect_n "alert certificate_expired" 3 'C>S alert\(fatal,certificate_expired\)'
}

# A client upgrade: the same server (TLS 1.2 and 1.3, its default suites, groups and
# signature schemes), three connections of one client. a offers TLS 1.3 and 1.2 with
# few suites, groups and signature schemes; b more of each, in an order that makes the
# server choose the same (TLS 1.3, TLS_AES_128_GCM_SHA256, x25519, rsa_pss_rsae_sha256).
readonly OLD_CLIENT=(-cipher ECDHE-RSA-AES128-GCM-SHA256 -ciphersuites TLS_AES_128_GCM_SHA256
    -groups x25519:P-256 -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256)
readonly NEW_CLIENT=(
    -cipher ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305
    -ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
    -groups x25519:P-256:X448:P-384
    -sigalgs rsa_pss_rsae_sha256:ecdsa_secp256r1_sha256:rsa_pss_rsae_sha384:rsa_pkcs1_sha256)
diff_client_upgrade() {
    server srv.log "$(ep "$P")" -naccept 3 "${LEAF[@]}" -no_ticket -num_tickets 0
    CONNS=3
    wait_listen "$P"
    capture lo "tcp port $P"
    CI=0
    conn ok "$@"
    conn ok "$@"
    conn ok "$@"
    both_end
    expect_n "TLS 1.3 with x25519" 3 'S>C server_hello\(version=TLS1.3 .*suite=TLS_AES_128_GCM_SHA256 key_share=x25519'
}
scn_diff-client-upgrade-a() { diff_client_upgrade "${OLD_CLIENT[@]}"; }
scn_diff-client-upgrade-b() { diff_client_upgrade "${NEW_CLIENT[@]}"; }

# Nothing changed: the same four connections twice (TLS 1.2 full and resumed by ticket,
# TLS 1.3 full and resumed by PSK), so tickets, session IDs and PSK identities differ
# between the halves, and the profiles must not.
scn_diff-same-mix-a() {
    both_start 4
    local s12=$W/sess12.pem s13=$W/sess13.pem
    conn ok "${T12[@]}" -sess_out "$s12"
    conn ok "${T12[@]}" -sess_in "$s12"
    conn ok "${T13[@]}" -sess_out "$s13"
    conn ok "${T13[@]}" -sess_in "$s13"
    both_end
    grep -q '^Reused,' "$W/cli2.log" || { say "$NAME: TLS 1.2 not resumed"; return 1; }
    expect "TLS 1.2 ticket resumption" 'c1 C>S client_hello\(.* ticket_len=[0-9]+ ' &&
    expect "a pre_shared_key accepted" 'c3 S>C server_hello\(.*pre_shared_key'
}
scn_diff-same-mix-b() { scn_diff-same-mix-a; }

# ---------------------------------------------------------------- DTLS over UDP
# No connection to check (no SYN or FIN): check_dtls looks at the datagrams instead.

# check_dtls FILE PORT: at least 6 datagrams, all on PORT; with tshark, exactly one
# HelloVerifyRequest, two ClientHellos (the second with the cookie) and a message the
# server sent in fragments (tshark reassembled it).
check_dtls() {
    local file=$1 port=$2 all foreign
    all=$(tcpdump -nn -r "$file" 2>/dev/null | wc -l)
    foreign=$(tcpdump -nn -r "$file" "not udp port $port" 2>/dev/null | wc -l)
    if [[ $all -lt 6 || $foreign -ne 0 ]]; then
        say "$NAME: want 6 or more datagrams on port $port; have $all, $foreign foreign"
        return 1
    fi
    [[ $HAVE_TSHARK == yes ]] || return 0
    local hvr ch frag
    hvr=$(tshark -n -r "$file" -Y 'dtls.handshake.type == 3' 2>/dev/null | wc -l)
    ch=$(tshark -n -r "$file" -Y 'dtls.handshake.type == 1' 2>/dev/null | wc -l)
    frag=$(tshark -n -r "$file" -Y 'dtls.fragments' 2>/dev/null | wc -l)
    if [[ $hvr -ne 1 || $ch -ne 2 || $frag -lt 1 ]]; then
        say "$NAME: want 1 HelloVerifyRequest, 2 ClientHellos and a fragmented message;" \
            "have $hvr, $ch and $frag"
        return 1
    fi
}

# dtls OPTIONS...: one s_server on UDP 127.0.0.1:$P and one s_client, both with OPTIONS.
# -listen: the server answers the first ClientHello with a HelloVerifyRequest (RFC 6347
# 4.2.1); -mtu 500: it sends its Certificate in fragments (RFC 6347 4.2.3).
dtls() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" -listen -mtu 500 "$@"
    wait_listen_udp "$P"
    capture lo "udp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$P")" "$@"
    wait_exit "$SRV"
    capture_end
    check_dtls "$CAP" "$P"
}

scn_dtls12() {
    dtls -dtls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups x25519
}

# DTLS 1.0 needs security level 0 in OpenSSL 3.0 (its PRF uses MD5 and SHA-1).
scn_dtls1() {
    dtls -dtls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' -groups x25519
}

# ---------------------------------------------------------------- mid-stream and STARTTLS

# midstream CUT SERVER_OPTS -- CLIENT_OPTS: a connection as in simple(), checked whole, then
# its capture loses its start (CUT: midcut.py options), as if tcpdump had begun after the
# TCP handshake; libnids never sees such a connection (it needs the SYN and SYN/ACK).
midstream() {
    local cut=$1
    shift
    simple "$@"
    # shellcheck disable=SC2086 # CUT is several words
    python3 "$MIDCUT" $cut "$CAP" "$W/cut.pcap" >"$W/midcut.log" ||
        { cat "$W/midcut.log" >&2; return 1; }
    mv "$W/cut.pcap" "$CAP"
    [[ $(packets "$CAP" | awk '$3 ~ /S/' | wc -l) -eq 0 ]] || { say "$NAME: a SYN is left"; return 1; }
}

# The capture starts right after the TCP handshake: its first packet is the ClientHello.
scn_midstream-tls12() {
    midstream "--drop 3" "${LEAF[@]}" "${T12[@]}" -no_ticket -- "${T12[@]}"
    [[ $(packets "$CAP" | head -n 1 | awk '{ print ($2 ~ /[.]'"$P"'$/ && $4 > 0) }') == 1 ]] ||
        { say "$NAME: the capture does not start with the client's first data"; return 1; }
}

# The capture starts at the client's first application data, after the handshake. The
# client binds a port above the ephemeral range, so the server has the lower port.
scn_midstream-tls13() {
    midstream "--from-appdata $P" "${LEAF[@]}" "${T13[@]}" -num_tickets 0 -rev -- \
        "${T13[@]}" -bind "127.0.0.1:$((61000 + RANDOM % 4000))"
    grep -q olleh "$W/cli.log" || { say "$NAME: no reply from the server"; return 1; }
}

# cut CUT: the capture, checked whole, loses packets as midcut.py's options CUT say.
cut() {
    # shellcheck disable=SC2086 # CUT is several words
    python3 "$MIDCUT" $1 "$CAP" "$W/cut.pcap" >"$W/midcut.log" ||
        { cat "$W/midcut.log" >&2; return 1; }
    mv "$W/cut.pcap" "$CAP"
}

# first_flags FILE: tcpdump's flags of the first packet ("S", "S.", "P.", ...).
first_flags() {
    packets "$1" | head -n 1 | awk '{ print $3 }'
}

# A SPAN port that sees the client's packets only: TLS 1.2 with a ticket, so the client's
# ClientKeyExchange and ChangeCipherSpec are in clear.
scn_partial-client-only() {
    simple "${LEAF[@]}" "${T12[@]}" -- "${T12[@]}"
    cut "--sent-to $P"
    [[ $(packets "$CAP" | awk -v re="[.]$P\$" '$2 !~ re' | wc -l) -eq 0 ]] ||
        { say "$NAME: a packet from the server is left"; return 1; }
}

# ... and the server's packets only: its ServerHello, Certificate, ServerKeyExchange and
# NewSessionTicket in clear.
scn_partial-server-only() {
    simple "${LEAF[@]}" "${T12[@]}" -- "${T12[@]}"
    cut "--sent-from $P"
    [[ $(packets "$CAP" | awk -v re="[.]$P\$" '$1 !~ re' | wc -l) -eq 0 ]] ||
        { say "$NAME: a packet from the client is left"; return 1; }
    expect "a ticket issued" 'S>C .*new_session_ticket'
}

# The same for TLS 1.3: the client's side shows its ClientHello in clear, the server's side
# its ServerHello, then records whose sizes tell its flight (one ticket, after the data).
scn_partial-client-only-tls13() {
    simple "${LEAF[@]}" "${T13[@]}" -num_tickets 1 -- "${T13[@]}"
    cut "--sent-to $P"
    [[ $(packets "$CAP" | awk -v re="[.]$P\$" '$2 !~ re' | wc -l) -eq 0 ]] ||
        { say "$NAME: a packet from the server is left"; return 1; }
}

scn_partial-server-only-tls13() {
    simple "${LEAF[@]}" "${T13[@]}" -num_tickets 1 -- "${T13[@]}"
    cut "--sent-from $P"
    [[ $(packets "$CAP" | awk -v re="[.]$P\$" '$1 !~ re' | wc -l) -eq 0 ]] ||
        { say "$NAME: a packet from the client is left"; return 1; }
}

# The capture starts between the SYN and the SYN/ACK: its first packet is the SYN/ACK.
scn_partial-synack-first() {
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -- "${T12[@]}"
    cut "--drop 1"
    [[ $(first_flags "$CAP") == S. ]] ||
        { say "$NAME: the capture does not start with the SYN/ACK"; return 1; }
}

# The ClientHello goes as 60 bytes and the rest (through a relay, whose leg to the server
# is captured), and the 60-byte segment is lost: a hole before the client's first record.
scn_partial-lost-clienthello() {
    local front=44379
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    proxy --listen "$front" --to "$P" --split 60 --gap 0.05
    capture lo "tcp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$front")" "${T12[@]}"
    wait_exit "$SRV"
    wait_exit "$PROXY_PID"
    capture_end
    check_conns "$CAP" 1 "$P"
    local sizes
    sizes=$(packets "$CAP" | awk -v re="[.]$P\$" '$2 ~ re && $4 > 0 && n++ < 1 { print $4 }')
    [[ $sizes == 60 ]] || { say "$NAME: first segment is '$sizes' bytes"; return 1; }
    cut "--drop-first-data-to $P"
}

# A second SYN/ACK with another initial sequence number comes before the real one (a
# middlebox's, or one from a server that restarted): the client acknowledges the real one.
scn_partial-synack-conflict() {
    simple "${LEAF[@]}" "${T13[@]}" -num_tickets 0 -- "${T13[@]}"
    cut "--dup-synack 1000000"
    [[ $(packets "$CAP" | awk '$3 == "S."' | wc -l) -eq 2 ]] ||
        { say "$NAME: want two SYN/ACKs"; return 1; }
}

# starttls PROTO VERSION CLIENT_OPTS...: `s_client -starttls PROTO` against
# starttls-server.py, which speaks the plaintext part of PROTO, then TLS VERSION (1.2 or
# 1.3) with the usual leaf. tshark would need a dissector per protocol, so the checks are
# the server's log (TLS up, the client's line received) and the TCP ones.
starttls() {
    local proto=$1 version=$2
    shift 2
    timeout "$TMO" python3 "$OUT_DIR/starttls-server.py" --proto "$proto" --port "$P" \
        --cert "$PKI/leaf.pem" --key "$PKI/leaf.key" --tls "$version" >"$W/srv.log" 2>&1 &
    SRV=$!
    BG+=("$SRV")
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$P")" -starttls "$proto" "$@"
    wait_exit "$SRV"
    capture_end
    grep -q "^TLS established: TLSv$version " "$W/srv.log" &&
        grep -q "^received: b'hello" "$W/srv.log" ||
        { say "$NAME: no TLS $version data at the server:"; tail -n 5 "$W/srv.log" >&2; return 1; }
    check_conns "$CAP" 1 "$P"
}

scn_starttls-smtp() { starttls smtp 1.2 "${T12[@]}"; }
scn_starttls-imap() { starttls imap 1.3 "${T13[@]}"; }
scn_starttls-pop3() { starttls pop3 1.2 "${T12[@]}"; }
scn_starttls-ftp() { starttls ftp 1.3 "${T13[@]}"; }
scn_starttls-xmpp() { starttls xmpp 1.2 "${T12[@]}" -name "$SNI"; }
scn_starttls-ldap() { starttls ldap 1.3 "${T13[@]}"; }
scn_starttls-postgres() { starttls postgres 1.3 "${T13[@]}"; }
scn_starttls-mysql() { starttls mysql 1.2 "${T12[@]}"; }
scn_starttls-irc() { starttls irc 1.3 "${T13[@]}"; }

# ---------------------------------------------------------------- proxies and GTP-U

# tunnel PROTO PROXY_OPTS -- CURL_OPTS...: curl fetches https://$SNI:$P/ from openssl
# s_server -www (TLS 1.3) through tunnel-proxy.py speaking PROTO on ${PROXY_PORT[$NAME]};
# any host name reaches 127.0.0.1. Only the client's connection to the proxy is captured
# (the proxy's own connection to the server is TLS from its first byte, like any other).
tunnel() {
    local proto=$1 pport=${PROXY_PORT[$NAME]} popts=()
    shift
    while [[ $1 != -- ]]; do popts+=("$1"); shift; done
    shift
    server srv.log "$(ep "$P")" -naccept 1 -www "${LEAF[@]}" "${T13[@]}" -num_tickets 0
    timeout "$TMO" python3 "$OUT_DIR/tunnel-proxy.py" --proto "$proto" --port "$pport" \
        "${popts[@]}" >"$W/proxy.log" 2>&1 &
    local proxy=$!
    BG+=("$proxy")
    wait_listen "$P"
    wait_listen "$pport"
    capture lo "tcp port $pport"
    timeout "$TMO" curl -sS --cacert "$PKI/root.pem" --tlsv1.3 --no-sessionid \
        --resolve "$SNI:$P:127.0.0.1" -o "$W/body" "$@" "https://$SNI:$P/" >"$W/cli.log" 2>&1 ||
        { say "$NAME: curl failed:"; cat "$W/cli.log" >&2; return 1; }
    wait_exit "$proxy"
    wait_exit "$SRV"
    capture_end
    grep -q "^relay ended" "$W/proxy.log" && grep -qs "s_server" "$W/body" ||
        { say "$NAME: no page through the proxy:"; tail -n 5 "$W/proxy.log" >&2; return 1; }
    check_conns "$CAP" 1 "$pport"
}

scn_tunnel-http-connect() { tunnel http -- --proxy "http://127.0.0.1:${PROXY_PORT[$NAME]}"; }
scn_tunnel-socks4() { tunnel socks4 -- --socks4 "127.0.0.1:${PROXY_PORT[$NAME]}"; }
scn_tunnel-socks4a() { tunnel socks4 -- --socks4a "127.0.0.1:${PROXY_PORT[$NAME]}"; }
scn_tunnel-socks5() {
    tunnel socks5 --user hsdump:secret -- \
        --proxy "socks5h://hsdump:secret@127.0.0.1:${PROXY_PORT[$NAME]}"
}

# A TLS 1.3 connection as in simple(), its packets then carried in GTP-U (3GPP TS 29.281)
# by gtpu-wrap.py: each IP packet inside outer IPv4/UDP 2152 headers between a base
# station (10.0.0.1) and a core gateway (10.0.0.2), uplink TEID 0x00000001 with a PDU
# Session Container extension header (TS 29.281 5.2.1), downlink TEID 0x00000002 with a
# sequence number (5.1).
scn_gtpu-tls13() {
    simple "${LEAF[@]}" "${T13[@]}" -num_tickets 0 -- "${T13[@]}"
    python3 "$OUT_DIR/gtpu-wrap.py" "$CAP" "$W/gtpu.pcap" "$P" >"$W/wrap.log" ||
        { cat "$W/wrap.log" >&2; return 1; }
    mv "$W/gtpu.pcap" "$CAP"
    [[ $(tcpdump -nn -r "$CAP" 'udp port 2152' 2>/dev/null | wc -l) -ge 10 ]] ||
        { say "$NAME: fewer than 10 GTP-U packets"; return 1; }
}

# ---------------------------------------------------------------- key-logged captures
# Each keylog-NAME capture comes with the NSS key log its client wrote while it was recorded
# (s_client -keylogfile, SSLKEYLOGFILE for gnutls-cli and curl, SSLContext.keylog_filename
# for Python's ssl), installed as pcaps/keylogs/NAME.keylog: a capture that hsdump --keylog
# must decrypt as tshark does (tests/decrypt_tshark.sh). Test keys only, made by make_pki
# and deleted on exit like all the others. The summary is tshark's with the key log
# (describe.py --keylog), so the checks below see the decrypted messages: a capture that
# tshark cannot decrypt fails them. Unless a scenario ends in a fatal alert, its client ends
# at EOF on its stdin, so the connection closes with an encrypted close_notify each way.

# decrypted WHAT N FIELD VALUE...: with the key log, tshark decodes exactly N handshake
# messages or alerts whose FIELD (tls.handshake.type, tls.alert_message.desc, or their
# dtls.* twins) is one of VALUE..., counted one per message, not per frame.
decrypted() {
    [[ $HAVE_TSHARK == yes ]] || return 0
    local what=$1 want=$2 field=$3 decode=(-d "tcp.port==$P,tls") n
    shift 3
    [[ $field != dtls.* ]] || decode=(-d "udp.port==$P,dtls")
    n=$(tshark -n -r "$CAP" "${decode[@]}" -o "tls.keylog_file:$KEYLOG" -Y "${field%%.*}" \
        -T fields -e "$field" 2>/dev/null | tr ',' '\n' |
        grep -cxF "$(printf '%s\n' "$@")" || true)
    [[ $n -eq $want ]] && return 0
    say "$NAME: expected $want x $what decrypted, tshark found $n"
    return 1
}

# finished N: N Finished messages decrypted (TLS 1.3: each one; TLS 1.2: each one after a
# ChangeCipherSpec), the sign that tshark found every connection's keys in the key log.
finished() {
    [[ -s $KEYLOG ]] || { say "$NAME: the client wrote no key log"; return 1; }
    decrypted "Finished" "$1" tls.handshake.type 20
}

readonly KL13=(-tls1_3 -groups x25519)

# keylog13 SUITE SERVER_OPTS -- CLIENT_OPTS: one TLS 1.3 connection with SUITE, the server
# echoing the line reversed (-rev) and issuing one ticket.
keylog13() {
    local suite=$1 sopts=()
    shift
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    simple "${LEAF[@]}" "${KL13[@]}" -ciphersuites "$suite" -num_tickets 1 -rev "${sopts[@]}" \
        -- "${KL13[@]}" -ciphersuites "$suite" -keylogfile "$KEYLOG" "$@"
    grep -q olleh "$W/cli.log" || { say "$NAME: no reply from the server"; return 1; }
    finished 2 &&
    decrypted "EncryptedExtensions" 1 tls.handshake.type 8 &&
    decrypted "NewSessionTicket" 1 tls.handshake.type 4 &&
    decrypted "close_notify" 2 tls.alert_message.desc 0 &&
    expect "the suite $suite" "c0 S>C server_hello\\(version=TLS1.3 .*suite=$suite"
}

scn_keylog-tls13-full() {
    keylog13 TLS_AES_128_GCM_SHA256 -alpn h2 -- -alpn h2 &&
    decrypted "Certificate and CertificateVerify" 2 tls.handshake.type 11 15
}
scn_keylog-tls13-aes256() { keylog13 TLS_AES_256_GCM_SHA384 --; }
scn_keylog-tls13-chacha20() { keylog13 TLS_CHACHA20_POLY1305_SHA256 --; }
scn_keylog-tls13-ccm() { keylog13 TLS_AES_128_CCM_SHA256 --; }
scn_keylog-tls13-ccm8() { keylog13 TLS_AES_128_CCM_8_SHA256 --; }

# The client's key_share holds x25519 only; the server takes P-256 only: a HelloRetryRequest.
scn_keylog-tls13-hrr() {
    simple "${LEAF[@]}" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups P-256 \
        -num_tickets 1 -- -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups x25519:P-256 \
        -keylogfile "$KEYLOG"
    finished 2 &&
    expect "a hello_retry_request" 'c0 S>C hello_retry_request\(' &&
    expect_n "client_hello" 2 'client_hello'
}

# A full handshake, then PSK resumption with its ticket: two connections in one key log.
scn_keylog-tls13-psk-resume() {
    resume_pair "${T13[@]}" -num_tickets 1 -- "${T13[@]}" -keylogfile "$KEYLOG"
    finished 4 &&
    decrypted "Certificate (the full handshake's only)" 1 tls.handshake.type 11 &&
    expect "a pre_shared_key accepted" 'c1 S>C server_hello\(.*pre_shared_key'
}

# Resumption with 0-RTT data: the key log has the CLIENT_EARLY_TRAFFIC_SECRET, which gives
# the early data and the EndOfEarlyData message.
scn_keylog-tls13-early-data() {
    printf 'early hello\n' >"$W/early.txt"
    server srv.log "$(ep "$P")" -naccept 2 "${LEAF[@]}" "${T13[@]}" -num_tickets 1 -early_data
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli1.log ok 0.5 hello -- "$(ep "$P")" "${T13[@]}" -sess_out "$W/sess.pem" \
        -keylogfile "$KEYLOG"
    client cli2.log ok 0.5 again -- "$(ep "$P")" "${T13[@]}" \
        -sess_in "$W/sess.pem" -early_data "$W/early.txt" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    grep -q 'Early data was accepted' "$W/cli2.log" ||
        { say "$NAME: early data not accepted"; return 1; }
    grep -q '^CLIENT_EARLY_TRAFFIC_SECRET ' "$KEYLOG" ||
        { say "$NAME: no early traffic secret logged"; return 1; }
    check_conns "$CAP" 2 "$P"
    finished 4 &&
    decrypted "EndOfEarlyData" 1 tls.handshake.type 5
}

# A client certificate required and given: the Certificate and CertificateVerify of both
# sides, and a CertificateRequest. The capture is also stored as a pcapng file with the key
# log inside it, in a Decryption Secrets Block (editcap --inject-secrets).
scn_keylog-tls13-mutual() {
    mutual "${T13[@]}" -num_tickets 1 -- "${T13[@]}" -keylogfile "$KEYLOG"
    finished 2 &&
    decrypted "CertificateRequest" 1 tls.handshake.type 13 &&
    decrypted "Certificate and CertificateVerify, both sides" 4 tls.handshake.type 11 15 ||
        return 1
    if command -v editcap >/dev/null; then
        editcap --inject-secrets "tls,$KEYLOG" "$CAP" "$W/$NAME.pcapng" ||
            { say "$NAME: editcap --inject-secrets failed"; return 1; }
        [[ $HAVE_TSHARK == no ]] || [[ $(tshark -n -r "$W/$NAME.pcapng" -d "tcp.port==$P,tls" \
            -Y 'tls.handshake.type == 20' 2>/dev/null | wc -l) -eq 2 ]] ||
            { say "$NAME: tshark does not decrypt the pcapng by its own secrets"; return 1; }
    fi
}

# The server requires a client certificate from the untrusted CA: it refuses the client's
# with an encrypted fatal alert (unknown_ca) after the client's Finished. The server closes
# with the client's Finished unread, so the kernel may send a RST instead of a FIN.
scn_keylog-tls13-cert-rejected() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" -CAfile "$PKI/rogue.pem" \
        -Verify 1 -verify_return_error "${T13[@]}" -num_tickets 1
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log any 0.5 hello -- "$(ep "$P")" -cert "$PKI/client.pem" \
        -key "$PKI/client.key" "${T13[@]}" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    grep -q 'unknown ca' "$W/cli.log" ||
        { say "$NAME: the client got no unknown_ca alert"; tail -n 20 "$W/cli.log" >&2; return 1; }
    [[ $(packets "$CAP" | awk '$3 == "S"' | wc -l) -eq 1 ]] ||
        { say "$NAME: want exactly one connection"; return 1; }
    finished 2 &&
    decrypted "the fatal alert unknown_ca" 1 tls.alert_message.desc 48
}

# s_client's line commands (s_client(1), "CONNECTED COMMANDS"): 'k' sends a KeyUpdate,
# 'K' one that asks the server for one too (RFC 8446 4.6.3); -rev answers each data line.
scn_keylog-tls13-key-update() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T13[@]}" -num_tickets 1 -rev
    wait_listen "$P"
    capture lo "tcp port $P"
    # s_server -rev sleeps 1 s when a read gives no data, as after a KeyUpdate
    client cli.log ok 1.3 hello k again K bye -- "$(ep "$P")" "${T13[@]}" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    [[ $(grep -c '^KEYUPDATE' "$W/cli.log") -eq 2 ]] ||
        { say "$NAME: s_client did not send two KeyUpdates"; return 1; }
    grep -q eyb "$W/cli.log" || { say "$NAME: no reply after the key updates"; return 1; }
    check_conns "$CAP" 1 "$P"
    finished 2 &&
    decrypted "KeyUpdate: the client's two and the server's answer to K" 3 \
        tls.handshake.type 24 &&
    decrypted "close_notify, under the updated keys" 2 tls.alert_message.desc 0
}

# server_fed LOG ENDPOINT ARGS...: server() with a FIFO of its own as stdin, open on fd 8,
# through which the scenario types s_server's line commands (s_server(1), "CONNECTED
# COMMANDS"); s_server reads them in sv_body, so not with -rev.
server_fed() {
    local log=$W/$1 endpoint=$2; shift 2
    local store=(-no-CAfile -no-CApath -no-CAstore)
    [[ " $* " != *" -CAfile "* ]] || store=()
    mkfifo "$W/srv.in"
    exec 8<>"$W/srv.in"
    timeout "$TMO" openssl s_server -accept "$endpoint" "${store[@]}" "$@" \
        <&8 >"$log" 2>&1 &
    SRV=$!
    BG+=("$SRV")
}

# type_later SECONDS LINE: the line typed to the server_fed server after SECONDS.
type_later() {
    (sleep "$1"; printf '%s\n' "$2" >&8) &
    BG+=("$!")
}

# Post-handshake client authentication (RFC 8446 4.6.2): the client offers it
# (-enable_pha), the server asks for nothing in the handshake, then (line command 'c') sends
# a CertificateRequest; the client answers with Certificate, CertificateVerify, Finished.
scn_keylog-tls13-post-handshake-auth() {
    server_fed srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" -CAfile "$PKI/root.pem" \
        "${T13[@]}" -num_tickets 0
    wait_listen "$P"
    capture lo "tcp port $P"
    type_later 0.8 c
    client cli.log ok 1.2 hello again -- "$(ep "$P")" "${T13[@]}" -enable_pha \
        -cert "$PKI/client.pem" -key "$PKI/client.key" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    grep -q 'client.hsdump.test' "$W/srv.log" ||
        { say "$NAME: server saw no client certificate"; tail -n 20 "$W/srv.log" >&2; return 1; }
    check_conns "$CAP" 1 "$P"
    finished 3 &&
    decrypted "CertificateRequest" 1 tls.handshake.type 13 &&
    decrypted "Certificate and CertificateVerify, both sides" 4 tls.handshake.type 11 15
}

# keylog12 VERSION CIPHER SERVER_OPTS -- CLIENT_OPTS: one TLS 1.2 (or older) connection, the
# server echoing the line reversed, no ticket. Its Finished messages and close_notify alerts
# are encrypted.
keylog12() {
    local version=$1 cipher=$2 sopts=()
    shift 2
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    # P-256 for the ECDSA certificate's curve (RFC 8422 5.1), x25519 for the key exchange
    simple "$version" -cipher "$cipher" -groups x25519:P-256 -rev "${sopts[@]}" -- \
        "$version" -cipher "$cipher" -groups x25519:P-256 -keylogfile "$KEYLOG" "$@"
    grep -q olleh "$W/cli.log" || { say "$NAME: no reply from the server"; return 1; }
    finished 2 &&
    decrypted "close_notify" 2 tls.alert_message.desc 0
}

scn_keylog-tls12-gcm() {
    keylog12 -tls1_2 ECDHE-RSA-AES128-GCM-SHA256 "${LEAF[@]}" -- &&
    expect "a ticket" 'c0 S>C new_session_ticket'
}
# CBC with encrypt_then_mac (RFC 7366), which OpenSSL offers and accepts by default, and
# without it (-no_etm on the client: MAC-then-encrypt)
scn_keylog-tls12-cbc() {
    keylog12 -tls1_2 ECDHE-RSA-AES128-SHA256 "${LEAF[@]}" -no_ticket -- &&
    expect "encrypt_then_mac accepted" 'c0 S>C server_hello\(.*ext=.*encrypt_then_mac'
}
scn_keylog-tls12-cbc-no-etm() {
    keylog12 -tls1_2 ECDHE-RSA-AES128-SHA256 "${LEAF[@]}" -no_ticket -- -no_etm &&
    expect_n "encrypt_then_mac" 0 'encrypt_then_mac'
}
scn_keylog-tls12-rsa-kx() {
    keylog12 -tls1_2 AES256-SHA256 "${LEAF[@]}" -no_ticket -- &&
    expect "no server_key_exchange" 'c0 S>C server_hello\(.*\) certificate\(certs=1\) server_hello_done$'
}
scn_keylog-tls12-chacha20() {
    keylog12 -tls1_2 ECDHE-RSA-CHACHA20-POLY1305 "${LEAF[@]}" -no_ticket --
}
# AES-CCM needs an ECDSA certificate (the suites of RFC 7251)
scn_keylog-tls12-ccm() {
    keylog12 -tls1_2 ECDHE-ECDSA-AES128-CCM -cert "$PKI/ecleaf.pem" -key "$PKI/ecleaf.key" \
        -no_ticket --
}
scn_keylog-tls12-ccm8() {
    keylog12 -tls1_2 ECDHE-ECDSA-AES128-CCM8 -cert "$PKI/ecleaf.pem" -key "$PKI/ecleaf.key" \
        -no_ticket --
}
# TLS 1.1 and 1.0 need security level 0 in OpenSSL 3.0 (their PRF uses MD5 and SHA-1); both
# have CBC with an explicit IV (1.1) or the previous record's last block (1.0)
scn_keylog-tls11-cbc() {
    keylog12 -tls1_1 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' "${LEAF[@]}" -no_ticket --
}
scn_keylog-tls10-cbc() {
    keylog12 -tls1 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' "${LEAF[@]}" -no_ticket --
}

# Client-initiated renegotiation (s_client line command 'R', as in tls12-renegotiation): the
# second handshake is encrypted from its ClientHello on.
scn_keylog-tls12-renegotiation() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket \
        -client_renegotiation
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log ok 0.5 hello R again -- "$(ep "$P")" "${T12[@]}" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    finished 4 &&
    decrypted "ClientHello" 2 tls.handshake.type 1 &&
    decrypted "Certificate" 2 tls.handshake.type 11
}

# Server-initiated renegotiation (s_server line command 'r'): an encrypted HelloRequest,
# then a second handshake, encrypted.
scn_keylog-tls12-hello-request() {
    server_fed srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    capture lo "tcp port $P"
    type_later 0.8 r
    client cli.log ok 1.2 hello again -- "$(ep "$P")" "${T12[@]}" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    finished 4 &&
    decrypted "HelloRequest" 1 tls.handshake.type 0 &&
    decrypted "ClientHello" 2 tls.handshake.type 1
}

# A renegotiation the server refuses: OpenSSL 3.0 servers refuse a client's unless
# -client_renegotiation, with a warning no_renegotiation alert (RFC 5246 7.2.2), to which
# s_client answers with a fatal handshake_failure; both are encrypted.
scn_keylog-tls12-alert() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log fail 0.5 hello R again -- "$(ep "$P")" "${T12[@]}" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    finished 2 &&
    decrypted "the second ClientHello" 2 tls.handshake.type 1 &&
    decrypted "the warning no_renegotiation" 1 tls.alert_message.desc 100 &&
    decrypted "the fatal handshake_failure" 1 tls.alert_message.desc 40
}

scn_keylog-dtls12() {
    local c=(-dtls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups x25519)
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" -listen -mtu 500 "${c[@]}"
    wait_listen_udp "$P"
    capture lo "udp port $P"
    client cli.log ok 0.5 hello -- "$(ep "$P")" "${c[@]}" -keylogfile "$KEYLOG"
    wait_exit "$SRV"
    capture_end
    check_dtls "$CAP" "$P"
    [[ -s $KEYLOG ]] || { say "$NAME: the client wrote no key log"; return 1; }
    decrypted "Finished" 2 dtls.handshake.type 20 &&
    decrypted "close_notify" 2 dtls.alert_message.desc 0
}

# gnutls-cli (GnuTLS 3.7 writes SSLKEYLOGFILE) against s_server, TLS 1.3.
scn_keylog-gnutls-tls13() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T13[@]}" -num_tickets 1 -rev
    wait_listen "$P"
    capture lo "tcp port $P"
    local rc=0
    feed 0.5 hello | SSLKEYLOGFILE=$KEYLOG timeout "$TMO" gnutls-cli --port "$P" \
        --sni-hostname "$SNI" --verify-hostname "$SNI" --x509cafile "$PKI/root.pem" \
        --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' 127.0.0.1 >"$W/cli.log" 2>&1 || rc=$?
    [[ $rc -eq 0 ]] || { say "$NAME: gnutls-cli exited $rc"; tail -n 20 "$W/cli.log" >&2; return 1; }
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    finished 2 &&
    decrypted "NewSessionTicket" 1 tls.handshake.type 4
}

# curl (7.88 with OpenSSL writes SSLKEYLOGFILE) fetching a one-line file from s_server -WWW,
# TLS 1.2 with AES-256-GCM, whose PRF is SHA-384.
scn_keylog-curl-tls12() {
    local c=(-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384 -groups x25519)
    cd "$W"                  # s_server -WWW serves files from its working directory
    printf 'hello\n' >hello.txt
    server srv.log "$(ep "$P")" -naccept 1 -WWW "${LEAF[@]}" "${c[@]}" -no_ticket
    wait_listen "$P"
    capture lo "tcp port $P"
    SSLKEYLOGFILE=$KEYLOG timeout "$TMO" curl -sS --cacert "$PKI/root.pem" --tlsv1.2 \
        --tls-max 1.2 --no-sessionid --resolve "$SNI:$P:127.0.0.1" -o "$W/body" \
        "https://$SNI:$P/hello.txt" >"$W/cli.log" 2>&1 ||
        { say "$NAME: curl failed:"; cat "$W/cli.log" >&2; return 1; }
    wait_exit "$SRV"
    capture_end
    grep -qx hello "$W/body" || { say "$NAME: curl got no file"; return 1; }
    check_conns "$CAP" 1 "$P"
    finished 2
}

# Python's ssl module (SSLContext.keylog_filename) as the client, TLS 1.3 AES-256-GCM:
# a line, the reply, then unwrap() (close_notify, and the server's awaited).
scn_keylog-python-tls13() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${KL13[@]}" \
        -ciphersuites TLS_AES_256_GCM_SHA384 -num_tickets 1 -rev
    wait_listen "$P"
    capture lo "tcp port $P"
    timeout "$TMO" python3 - "$P" "$SNI" "$PKI/root.pem" "$KEYLOG" >"$W/cli.log" 2>&1 <<'PY' ||
import socket
import ssl
import sys
import time

port, sni, cafile, keylog = sys.argv[1:]
ctx = ssl.create_default_context(cafile=cafile)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.keylog_filename = keylog
with socket.create_connection(("127.0.0.1", int(port))) as raw:
    tls = ctx.wrap_socket(raw, server_hostname=sni)
    time.sleep(0.2)
    tls.sendall(b"hello\n")
    print(tls.recv(100))
    tls.unwrap()
PY
        { say "$NAME: the python client failed:"; cat "$W/cli.log" >&2; return 1; }
    wait_exit "$SRV"
    capture_end
    grep -q olleh "$W/cli.log" || { say "$NAME: no reply from the server"; return 1; }
    check_conns "$CAP" 1 "$P"
    finished 2 &&
    decrypted "close_notify" 2 tls.alert_message.desc 0
}

# ---------------------------------------------------------------- why handshakes fail
# (issue 18): each a failure hsdump's cause= names, with the evidence it reads. The ones
# with an openssl client and server use simple() (one connection, FIN both ways).

# The reverse of alert-protocol-version: a TLS 1.3-only client, a TLS 1.2-only server.
scn_cause-version-tls13-client() {
    EXPECT=fail
    simple "${LEAF[@]}" "${T12[@]}" -- "${T13[@]}"
    expect "alert protocol_version" 'c0 S>C alert\(fatal,protocol_version\)'
}

# TLS 1.3 with no suite in common: the client offers only TLS_AES_256_GCM_SHA384.
scn_cause-no-shared-cipher-tls13() {
    EXPECT=fail
    simple "${LEAF[@]}" "${T13[@]}" -- -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -groups x25519
    expect "alert handshake_failure" 'c0 S>C alert\(fatal,handshake_failure\)'
}

# TLS 1.3 with no group in common: the client offers only secp384r1 (neither RFC 8446 9.1
# mandatory group), the server accepts only x25519.
scn_cause-no-shared-group() {
    EXPECT=fail
    simple "${LEAF[@]}" "${T13[@]}" -- -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups secp384r1
    expect "alert handshake_failure" 'c0 S>C alert\(fatal,handshake_failure\)'
}

# clock_client OFFSET ALERT: a client whose clock is OFFSET (faketime -f) from the capture's
# rejects the server's certificate, valid at the capture's time, with ALERT.
clock_client() {
    EXPECT=fail
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    capture lo "tcp port $P"
    local rc=0
    feed 0.5 hello | timeout "$TMO" faketime -f "$1" openssl s_client -connect "$(ep "$P")" \
        -servername "$SNI" -CAfile "$PKI/root.pem" -verify_return_error "${T12[@]}" \
        >"$W/cli.log" 2>&1 || rc=$?
    [[ $rc -ne 0 ]] || { say "$NAME: s_client succeeded but should have failed"; return 1; }
    wait_exit "$SRV"
    capture_end
    check_conns "$CAP" 1 "$P"
    expect "alert $2 from the client" "c0 C>S alert\\(fatal,$2\\)"
}

# A year and a half ahead: the 365-day certificate has expired for the client.
scn_cause-clock-ahead() {
    clock_client +540d certificate_expired
}

# Two days behind: not yet valid for the client, which OpenSSL reports as bad_certificate
# (ssl/statem/statem_lib.c ssl_x509err2alert: X509_V_ERR_CERT_NOT_YET_VALID).
scn_cause-clock-behind() {
    clock_client -2d bad_certificate
}

# TLS 1.2: the server requires a client certificate (-Verify 1), the client has none and
# sends an empty Certificate; the server fails the handshake (RFC 5246 7.4.6).
scn_cause-cert-required() {
    EXPECT=fail
    simple "${LEAF[@]}" -CAfile "$PKI/root.pem" -Verify 1 -verify_return_error "${T12[@]}" \
        -no_ticket -- "${T12[@]}"
    expect "an empty client certificate" 'c0 C>S certificate\(certs=0\)' &&
    expect "the server's alert" 'c0 S>C alert\(fatal,handshake_failure\)'
}

# TLS 1.2: the client's certificate is not issued by a CA the server trusts.
scn_cause-cert-rejected-tls12() {
    EXPECT=fail
    simple "${LEAF[@]}" -CAfile "$PKI/rogue.pem" -Verify 1 -verify_return_error "${T12[@]}" \
        -no_ticket -- "${T12[@]}" -cert "$PKI/client.pem" -key "$PKI/client.key"
    expect "a client certificate" 'c0 C>S certificate\(certs=[1-9]\)' &&
    expect "the server's alert" 'c0 S>C alert\(fatal,unknown_ca\)'
}

# gserver ARGS...: gnutls-serv (gnutls-bin) with the leaf certificate in the background, on
# port P; sets SRV. It serves until stopped (no -naccept): wait_exit stops it.
gserver() {
    timeout "$TMO" gnutls-serv --port "$P" --x509certfile "$PKI/leaf.pem" \
        --x509keyfile "$PKI/leaf.key" "$@" <&9 >"$W/srv.log" 2>&1 &
    SRV=$!
    BG+=("$SRV")
}

# gnutls_refuses ARGS -- S_CLIENT_ARGS: gnutls-serv with ARGS refuses what an s_client
# TLS 1.2 client asks for.
gnutls_refuses() {
    local sopts=()
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    gserver "${sopts[@]}"
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log fail 0.5 hello -- "$(ep "$P")" "${T12[@]}" "$@"
    wait_exit "$SRV" 1
    capture_end
    check_conns "$CAP" 1 "$P"
}

# ALPN refused: gnutls-serv knows only http/1.1 and fails on a mismatch (--alpn-fatal,
# RFC 7301 3.2); s_server never sends the alert (it ignores an ALPN it does not share).
scn_cause-alpn-refused() {
    gnutls_refuses --alpn=http/1.1 --alpn-fatal -- -alpn h2
    expect "alert no_application_protocol" 'c0 S>C alert\(fatal,no_application_protocol\)'
}

# A name the server does not serve: gnutls-serv answers only for another name and fails on
# a mismatch (--sni-hostname-fatal, RFC 6066 3).
scn_cause-unrecognized-name() {
    gnutls_refuses --sni-hostname=other.hsdump.test --sni-hostname-fatal --
    expect "alert unrecognized_name" 'c0 S>C alert\(fatal,unrecognized_name\)'
}

# A client naming its server with markup (RFC 6066 section 3 wants a DNS host name, but
# nothing on the wire enforces it and OpenSSL sends what it is given): the SNI
# <script>alert("sni")</script>&x'y tests the HTML report's escaping (--html) on a real
# peer's bytes. The server ignores the name and completes a TLS 1.3 handshake.
readonly MARKUP_SNI="<script>alert(\"sni\")</script>&x'y"
scn_html-markup-sni() {
    simple "${LEAF[@]}" "${T13[@]}" -- "${T13[@]}" -servername "$MARKUP_SNI"
    expect "the markup SNI" 'c0 C>S client_hello\(.*sni=<script>alert'
}

# A client retrying at a lower version says so (TLS_FALLBACK_SCSV) to a server that could
# have done TLS 1.3: the server refuses the downgrade (RFC 7507 3).
scn_cause-inappropriate-fallback() {
    EXPECT=fail
    simple "${LEAF[@]}" -cipher ECDHE-RSA-AES128-GCM-SHA256 -ciphersuites TLS_AES_128_GCM_SHA256 \
        -groups x25519 -- "${T12[@]}" -fallback_scsv
    expect "alert inappropriate_fallback" 'c0 S>C alert\(fatal,inappropriate_fallback\)'
}

# A client that sends its ClientHello (Python's ssl module, TLS 1.2), reads the server's
# first flight and resets the connection (SO_LINGER 0) without an alert.
scn_cause-aborted-by-client() {
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket
    wait_listen "$P"
    capture lo "tcp port $P"
    timeout "$TMO" python3 - "$P" "$SNI" >"$W/cli.log" 2>&1 <<'PY' ||
import socket
import ssl
import struct
import sys
import time

port, sni = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    pass
raw = socket.create_connection(("127.0.0.1", port))
raw.sendall(outgoing.read())
time.sleep(0.3)
print(len(raw.recv(65536)), "bytes of the server's flight")
raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
raw.close()
PY
        { say "$NAME: the python client failed:"; cat "$W/cli.log" >&2; return 1; }
    wait_exit "$SRV"
    capture_end
    [[ $(packets "$CAP" | awk '$3 ~ /R/' | head -1 | awk '{ print $2 }') == *".$P" ]] ||
        { say "$NAME: want the client's RST first"; return 1; }
    expect "the server's first flight" 'c0 S>C server_hello.* server_hello_done$'
}

# A server that reads the ClientHello and closes (FIN) without an alert: a Python listener.
scn_cause-aborted-by-server() {
    timeout "$TMO" python3 - "$P" >"$W/srv.log" 2>&1 <<'PY' &
import socket
import sys
import time

lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", int(sys.argv[1])))
lsock.listen(1)
conn, _ = lsock.accept()
print(len(conn.recv(65536)), "bytes of the ClientHello")
time.sleep(0.2)
conn.close()
time.sleep(0.5)
PY
    SRV=$!
    BG+=("$SRV")
    wait_listen "$P"
    capture lo "tcp port $P"
    client cli.log fail 0.5 hello -- "$(ep "$P")" "${T12[@]}"
    wait_exit "$SRV"
    capture_end
    # s_client's reply to the closed socket may draw a RST: not check_conns
    [[ $(packets "$CAP" | awk '$3 == "S"' | wc -l) -eq 1 ]] ||
        { say "$NAME: want exactly one connection"; return 1; }
    [[ $(packets "$CAP" | awk '$3 ~ /[FR]/' | head -1 | awk '{ print $1 }') == *".$P" ]] ||
        { say "$NAME: want the server's FIN first"; return 1; }
    expect "a client_hello only" 'c0 C>S client_hello'
}

# TLS 1.2, a client asking for another name (SNI other.hsdump.test) and checking the
# certificate against it (-verify_hostname): OpenSSL sends bad_certificate for it
# (ssl_x509err2alert: X509_V_ERR_HOSTNAME_MISMATCH). The SNI on the wire is what lets a passive
# observer see the mismatch.
scn_cause-hostname-mismatch() {
    EXPECT=fail
    simple "${LEAF[@]}" "${T12[@]}" -no_ticket -- "${T12[@]}" -servername other.hsdump.test \
        -verify_hostname other.hsdump.test -verify_return_error
    expect "the client's alert" 'c0 C>S alert\(fatal,bad_certificate\)'
}

# corrupt_relay MODE: a one-connection relay on P+20 (in this range) to P that flips the last byte of one
# record of the client's: the one right before its ChangeCipherSpec (MODE before-ccs: in a
# TLS 1.2 flight with a client certificate, the CertificateVerify's signature) or right after
# it (after-ccs: the encrypted Finished, so its record does not authenticate).
corrupt_relay() {
    timeout "$TMO" python3 - "$((P + 20))" "$P" "$1" >"$W/relay.log" 2>&1 <<'PY' &
import socket
import struct
import sys
import threading

listen, to, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen))
ls.listen(1)
down, _ = ls.accept()
up = socket.create_connection(("127.0.0.1", to))


def client_to_server():
    pending, done = b"", False
    while True:
        data = down.recv(65536)
        if not data:
            break
        pending += data
        # the whole records in what came (a flight comes in one write)
        spans, pos = [], 0
        while pos + 5 <= len(pending):
            end = pos + 5 + struct.unpack("!H", pending[pos + 3:pos + 5])[0]
            if end > len(pending):
                break
            spans.append((pos, end))
            pos = end
        out = bytearray(pending[:pos])
        for i, (start, end) in enumerate(spans):
            if done or out[start] != 20:
                continue
            j = i - 1 if mode == "before-ccs" else i + 1
            if 0 <= j < len(spans):
                out[spans[j][1] - 1] ^= 0x01
                done = True
                print("flipped the last byte of record", j)
        up.sendall(bytes(out))
        pending = pending[pos:]
    up.shutdown(socket.SHUT_WR)


def server_to_client():
    while True:
        data = up.recv(65536)
        if not data:
            break
        down.sendall(data)
    down.shutdown(socket.SHUT_WR)


threads = [threading.Thread(target=client_to_server), threading.Thread(target=server_to_client)]
for t in threads:
    t.start()
for t in threads:
    t.join()
PY
    PROXY_PID=$!
    BG+=("$PROXY_PID")
    wait_listen "$((P + 20))"
}

# relayed_failure MODE ALERT SERVER_ARGS -- CLIENT_ARGS: s_server and s_client with a
# corrupt_relay MODE between them; the server answers with ALERT. Only the relay -> server
# leg is captured.
relayed_failure() {
    local mode=$1 alert=$2 sopts=()
    shift 2
    while [[ $1 != -- ]]; do sopts+=("$1"); shift; done
    shift
    server srv.log "$(ep "$P")" -naccept 1 "${LEAF[@]}" "${T12[@]}" -no_ticket "${sopts[@]}"
    wait_listen "$P"
    corrupt_relay "$mode"
    capture lo "tcp port $P"
    client cli.log fail 0.5 hello -- "$(ep "$((P + 20))")" "${T12[@]}" "$@"
    wait_exit "$SRV"
    wait_exit "$PROXY_PID"
    capture_end
    grep -q flipped "$W/relay.log" || { say "$NAME: the relay flipped nothing"; return 1; }
    check_conns "$CAP" 1 "$P"
    expect "alert $alert" "c0 S>C alert\\(fatal,$alert\\)"
}

# TLS 1.2: the relay corrupts the client's encrypted Finished; the server's record layer
# rejects it (RFC 5246 6.2.3.3: bad_record_mac).
scn_cause-bad-record-mac() {
    relayed_failure after-ccs bad_record_mac --
}

# TLS 1.2 with a client certificate: the relay corrupts the CertificateVerify's signature;
# the server cannot verify it (RFC 5246 7.2.2: decrypt_error).
scn_cause-decrypt-error() {
    relayed_failure before-ccs decrypt_error -CAfile "$PKI/root.pem" -Verify 1 -- \
        -cert "$PKI/client.pem" -key "$PKI/client.key"
}

# TLS 1.3: the client rejects the server's chain (issued by "hsdump Untrusted CA"). OpenSSL
# 3.0 sends its alert in plaintext: it has not switched to its handshake keys for writing.
scn_cause-tls13-unknown-ca() {
    EXPECT=fail
    simple -cert "$PKI/rogueleaf.pem" -key "$PKI/rogueleaf.key" "${T13[@]}" -- "${T13[@]}" \
        -verify_return_error
    grep -q 'unable to get local issuer certificate' "$W/cli.log" ||
        { say "$NAME: the client did not fail on the CA"; tail -n 20 "$W/cli.log" >&2; return 1; }
    expect "the client's alert" 'c0 C>S alert\(fatal,unknown_ca\)'
}

# ---------------------------------------------------------------- weak negotiations

# TLS 1.2 DHE with a 1024-bit group (-dhparam, allowed at @SECLEVEL=0) and the
# ServerKeyExchange signed with SHA-1 (the client offers only rsa_pkcs1_sha1).
scn_weak-dh1024-sha1() {
    openssl dhparam -out "$W/dh1024.pem" 1024 >"$W/dhparam.log" 2>&1
    local suite='DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'
    simple "${LEAF[@]}" -tls1_2 -cipher "$suite" -dhparam "$W/dh1024.pem" -no_ticket -- \
        -tls1_2 -cipher "$suite" -sigalgs RSA+SHA1
    expect "a 1024-bit group, signed with SHA-1" 'c0 S>C .*server_key_exchange'
}

# TLS 1.2 with neither encryption nor authentication: AECDH-NULL-SHA (anonymous ECDH, NULL
# cipher), enabled only at @SECLEVEL=0; the server sends no Certificate.
scn_weak-null-anon() {
    local suite='AECDH-NULL-SHA:@SECLEVEL=0'
    simple -tls1_2 -cipher "$suite" -nocert -no_ticket -- -tls1_2 -cipher "$suite"
    expect "AECDH-NULL-SHA chosen" 'c0 S>C server_hello\(version=TLS1.2 .*suite=0xc015'
}

# TLS 1.0 with 3DES and static RSA key exchange between GnuTLS peers: Debian's OpenSSL 3.0
# no longer offers 3DES at any security level, GnuTLS 3.7 does when the priority names it.
scn_weak-3des-rsa() {
    local prio='NONE:+VERS-TLS1.0:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CTYPE-X509'
    gserver --priority "$prio"
    wait_listen "$P"
    capture lo "tcp port $P"
    local rc=0
    feed 0.5 hello | timeout "$TMO" gnutls-cli --port "$P" --sni-hostname "$SNI" \
        --verify-hostname "$SNI" --x509cafile "$PKI/root.pem" --priority "$prio" 127.0.0.1 >"$W/cli.log" 2>&1 || rc=$?
    [[ $rc -eq 0 ]] || { say "$NAME: gnutls-cli exited $rc"; tail -n 20 "$W/cli.log" >&2; return 1; }
    wait_exit "$SRV" 1
    capture_end
    [[ $(packets "$CAP" | awk '$3 == "S"' | wc -l) -eq 1 ]] ||
        { say "$NAME: want exactly one connection"; return 1; }
    expect "TLS_RSA_WITH_3DES_EDE_CBC_SHA chosen" 'c0 S>C server_hello\(version=TLS1.0 .*suite=0x000a'
}

# ---------------------------------------------------------------- driver

# attempt NAME: one try, in a subshell with its own EXIT trap (which stops the processes
# it started). Call it as a plain command with set +e around it, never from `if`, `&&`
# or `||`: there bash would ignore set -e inside it, and a failed step would go unseen.
attempt() {
    (
        set -e
        NAME=$1
        P=${PORT[$1]}
        W=$TMP/run/$1
        KEYLOG=$W/$1.keylog      # the key log of a keylog-* scenario's client
        rm -rf "$W"
        mkdir -p "$W"
        trap stop_all EXIT
        "scn_$1"
    )
}

main() {
    make_pki
    local name try rc dest start=$SECONDS failed=() recorded=no
    for name in "${WANT[@]}"; do
        if [[ $name == *gnutls* ]] && ! command -v gnutls-cli >/dev/null; then
            say "$name: skipped, gnutls-cli not found (apt-get install gnutls-bin)"
            continue
        fi
        if [[ " cause-alpn-refused cause-unrecognized-name weak-3des-rsa " == *" $name "* ]] &&
            ! command -v gnutls-serv >/dev/null; then
            say "$name: skipped, gnutls-serv not found (apt-get install gnutls-bin)"
            continue
        fi
        if [[ $name == cause-clock-* ]] && ! command -v faketime >/dev/null; then
            say "$name: skipped, faketime not found (apt-get install faketime)"
            continue
        fi
        if [[ $name == tunnel-* || $name == *curl* ]] && ! command -v curl >/dev/null; then
            say "$name: skipped, curl not found (apt-get install curl)"
            continue
        fi
        for ((try = 1; try <= ATTEMPTS; try++)); do
            set +e
            attempt "$name"
            rc=$?
            set -e
            if ((rc == 0)); then
                dest=$OUT_DIR/$name.pcap
                if [[ $name == diff-* ]]; then
                    mkdir -p "$OUT_DIR/diff"
                    dest=$OUT_DIR/diff/$name.pcap
                fi
                install -m 0644 "$TMP/run/$name/$name.pcap" "$dest"
                say "${dest#"$OUT_DIR"/}: $(wc -c <"$dest") bytes"
                if [[ $name == keylog-* ]]; then
                    install -m 0644 "$TMP/run/$name/$name.keylog" "$OUT_DIR/keylogs/"
                    if [[ -f $TMP/run/$name/$name.pcapng ]]; then
                        install -m 0644 "$TMP/run/$name/$name.pcapng" "$OUT_DIR/"
                    fi
                elif [[ $name != diff-* ]]; then
                    recorded=yes
                fi
                break
            fi
            say "$name: attempt $try of $ATTEMPTS failed; logs:"
            tail -n 5 "$TMP/run/$name"/*.log >&2 2>/dev/null || true
        done
        ((try <= ATTEMPTS)) || failed+=("$name")
    done
    # gzip-compressed and pcapng copies of what was just recorded (none come from keylog-*
    # or diff-*)
    if [[ $recorded == no ]]; then
        :
    elif command -v mergecap >/dev/null && command -v editcap >/dev/null; then
        "$OUT_DIR/make-derived.sh"
    else
        say "mergecap or editcap not found: derived captures not remade (make-derived.sh)"
    fi
    say "done in $((SECONDS - start)) s"
    [[ ${#failed[@]} -eq 0 ]] || die "failed: ${failed[*]}"
}

if [[ $MODE == describe ]]; then
    python3 "$DESCRIBE" "${WANT[@]}"
else
    main
fi
