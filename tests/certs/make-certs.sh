#!/bin/bash
# Test certificates of the certificate checks (dissectors/checks/cert_check.c): one CA, one
# "rogue" CA, and leaves that each have one issue, made once with openssl and committed, so
# tests/test_cert_check.c checks real certificates at fixed times, and pcaps/make-pcaps.sh's
# cert-* scenarios sign their servers' certificates with the same CAs (their captures then
# validate with --ca-file tests/certs/root.pem). Private keys are test keys: never trust them.
#
# Usage: tests/certs/make-certs.sh   (rewrites every file here; the goldens of the cert-*
# captures and the times in test_cert_check.c assume the committed ones).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
SNI=server.hsdump.test
cat >openssl.cnf <<CNF
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
[ v3_noca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$SNI, DNS:*.wild.hsdump.test, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_server_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = DNS:$SNI
[ v3_client_only ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:$SNI
[ v3_cn_only ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
[ v3_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$SNI
# pcaps/make-pcaps.sh's certificates with chosen dates (openssl ca): CA_DIR, its work
# directory, and CERTS_DIR, this one, come from the environment.
[ ca ]
default_ca = cc
[ cc ]
database = \$ENV::CA_DIR/index.txt
serial = \$ENV::CA_DIR/serial
new_certs_dir = \$ENV::CA_DIR
certificate = \$ENV::CERTS_DIR/root.pem
private_key = \$ENV::CERTS_DIR/root.key
default_md = sha256
policy = any_name
unique_subject = no
[ any_name ]
commonName = supplied
CNF
cnf=$PWD/openssl.cnf
export CA_DIR=$PWD CERTS_DIR=$PWD # the [ cc ] section needs them to load
# Roots for 30 years from when this ran: the captures are checked at their packet times.
openssl req -x509 -config "$cnf" -extensions v3_root -newkey rsa:2048 -nodes -keyout root.key \
    -out root.pem -days 10950 -sha256 -subj "/CN=hsdump Cert Checks Root CA"
openssl req -x509 -config "$cnf" -extensions v3_root -newkey rsa:2048 -nodes -keyout rogue.key \
    -out rogue.pem -days 10950 -sha256 -subj "/CN=hsdump Intercepting Proxy CA"
# leaf NAME CN ISSUER EXTENSIONS SERIAL DIGEST KEYSPEC...
leaf() {
    local name=$1 cn=$2 issuer=$3 ext=$4 serial=$5 md=$6; shift 6
    openssl req -new -config "$cnf" -newkey "$@" -nodes -keyout "$name.key" -out "$name.csr" \
        -subj "/CN=$cn"
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -set_serial "$serial" \
        -days 3650 "-$md" -extfile "$cnf" -extensions "$ext" -out "$name.pem"
    rm -f "$name.csr"
}
leaf good "$SNI" root v3_server 1 sha256 rsa:2048
leaf sha1 "$SNI" root v3_server 2 sha1 rsa:2048
leaf rsa1024 "$SNI" root v3_server 3 sha256 rsa:1024
leaf ec192 "$SNI" root v3_server 4 sha256 ec -pkeyopt ec_paramgen_curve:prime192v1
leaf leafca "$SNI" root v3_server_ca 5 sha256 rsa:2048
leaf clientonly "$SNI" root v3_client_only 6 sha256 rsa:2048
leaf cnonly cn.hsdump.test root v3_cn_only 7 sha256 rsa:2048
leaf noca "hsdump Not A CA" root v3_noca 8 sha256 rsa:2048
leaf undernoca "$SNI" noca v3_server 9 sha256 rsa:2048
leaf rogueleaf "$SNI" rogue v3_server 10 sha256 rsa:2048
openssl req -x509 -config "$cnf" -extensions v3_self -newkey rsa:2048 -nodes -keyout self.key \
    -out self.pem -days 3650 -sha256 -subj "/CN=$SNI"
rm -f ./*.srl
