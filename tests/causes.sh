#!/bin/sh
# Failure causes and weak items on the close line (hsdump.1 FAILURE CAUSES, WEAK ITEMS): every
# connection of the bundled captures whose handshake did not complete has a cause=, and the
# captures recorded for each cause and weak item (pcaps/README.md) give exactly these values.
. "${srcdir:-.}/tests/lib.sh"

pcaps="$srcdir/pcaps"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every failed or incomplete connection of every capture has a cause; no completed one has.
for pcap in "$pcaps"/*.pcap "$pcaps"/*.pcapng "$pcaps"/diff/*.pcap; do
    [ -f "$pcap" ] || continue
    name=$(basename "$pcap")
    "$HSDUMP" -S -r "$pcap" >"$tmp/out" 2>/dev/null
    missing=$(grep ' close ' "$tmp/out" | grep -v ' status=established' | grep -vc ' cause=')
    extra=$(grep ' close ' "$tmp/out" | grep ' status=established' | grep -c ' cause=')
    if [ "$missing" -eq 0 ] && [ "$extra" -eq 0 ]; then
        ok "$name: a cause for each unfinished handshake, none for the others"
    else
        not_ok "$name: $missing unfinished without cause=, $extra established with one"
    fi
done

# expect CAPTURE FIELDS...: the first close line of CAPTURE (with -v) has each key=value, and
# the cause=, weak= and weak_offered= keys it has are all named in FIELDS (exact values).
# key=a|b accepts either value: the causes the server chain's checks (cert_check.c) refine,
# without them and with them.
expect() {
    pcap="$pcaps/$1"
    shift
    line=$("$HSDUMP" -v -S -r "$pcap" 2>/dev/null | grep ' close ' | head -1)
    bad=
    allowed=
    for field in "$@"; do
        key=${field%%=*}
        found=no
        for value in $(echo "${field#*=}" | tr '|' ' '); do
            allowed="$allowed $key=$value"
            case " $line " in
                *" $key=$value "*) found=yes ;;
            esac
        done
        [ "$found" = yes ] || bad="$bad $field"
    done
    for key in cause weak weak_offered; do
        got=$(printf '%s\n' "$line" | tr ' ' '\n' | grep "^$key=" || true)
        [ -z "$got" ] && continue
        case "$allowed " in
            *" $got "*) ;;
            *) bad="$bad (unexpected $got)" ;;
        esac
    done
    if [ -z "$bad" ]; then
        ok "$(basename "$pcap"): $*"
    else
        not_ok "$(basename "$pcap"): missing$bad"
    fi
}

expect alert-protocol-version.pcap cause=version_mismatch offered_version_max=TLSv1.2
expect cause-version-tls13-client.pcap cause=version_mismatch offered_versions=TLSv1.3
expect alert-handshake-failure.pcap cause=no_shared_cipher offered_suite_classes=legacy,cbc,rsa_kx \
    weak_offered=static_rsa
expect cause-no-shared-cipher-tls13.pcap cause=no_shared_cipher offered_suite_classes=tls13,aead
expect cause-no-shared-group.pcap cause=no_shared_group offered_groups=1
# Without the chain checks the clients' alerts are all the evidence; with them, a certificate
# valid at the capture's time makes the clients' clocks suspect.
expect alert-cert-expired.pcap cause=certificate_expired alert_from=client
expect cause-clock-ahead.pcap cause=clock_skew_suspected alert=certificate_expired \
    alert_from=client
expect cause-clock-behind.pcap cause=clock_skew_suspected alert=bad_certificate
expect alert-unknown-ca.pcap cause=unknown_ca
expect cause-tls13-unknown-ca.pcap cause=unknown_ca alert_from=client
expect cause-hostname-mismatch.pcap cause=hostname_mismatch alert=bad_certificate \
    sni=other.hsdump.test
expect cause-cert-required.pcap cause=client_certificate_required alert=handshake_failure
expect cause-cert-rejected-tls12.pcap cause=client_certificate_rejected alert=unknown_ca
expect tls13-cert-rejected.pcap cause=client_certificate_rejected cause_inferred=true
expect cause-alpn-refused.pcap cause=no_application_protocol
expect cause-unrecognized-name.pcap cause=unrecognized_name
expect cause-bad-record-mac.pcap cause=bad_record_mac alert_from=server
expect cause-decrypt-error.pcap cause=decrypt_error alert_from=server
expect cause-inappropriate-fallback.pcap cause=inappropriate_fallback offered_fallback_scsv=true
expect cause-aborted-by-client.pcap end=reset cause=aborted_by_client closed_by=client
expect cause-aborted-by-server.pcap cause=aborted_by_server closed_by=server
expect partial-client-only.pcap end=eof cause=capture_ended
expect tls12-huge-cert.pcap alert=illegal_parameter cause=unknown
expect weak-dh1024-sha1.pcap weak=dh_small,kx_signature_hash weak_offered=kx_signature_hash
expect weak-3des-rsa.pcap weak=tls10,3des,cbc_tls10,static_rsa \
    weak_offered=tls10,3des,cbc_tls10,static_rsa
expect weak-null-anon.pcap weak=null_cipher,anonymous \
    weak_offered=null_cipher,anonymous,kx_signature_hash
expect keylog-tls10-cbc.pcap weak=tls10,cbc_tls10,kx_signature_hash weak_offered=tls10,cbc_tls10
expect keylog-tls11-cbc.pcap weak=tls11,kx_signature_hash weak_offered=tls11
expect tls12-rsa-kx.pcap weak=static_rsa weak_offered=static_rsa
expect dtls1.pcap weak=kx_signature_hash,dtls10 weak_offered=dtls10
expect tls12-full.pcap status=established

done_testing
