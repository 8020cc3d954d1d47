#!/usr/bin/env bash
# make-derived.sh: captures made from recorded ones with standard tools, for the ways people
# store captures. No root needed; make-pcaps.sh runs it after recording.
#
#   mixed-link-types.pcapng     mergecap of sll2-any.pcap (LINUX_SLL2, microseconds) and
#                               tls12-full.pcap stored with nanosecond timestamps (editcap -F
#                               nsecpcap): one file, two interfaces of different link types and
#                               timestamp resolutions, which libpcap refuses to read
#   mixed-link-types.pcapng.gz  the same, gzip-compressed
#   tls12-full.pcap.gz          tls12-full.pcap, gzip-compressed
#
# gzip -n leaves out the name and time, so a rerun with the same tools gives the same bytes.
# Needs gzip, editcap and mergecap (Debian's wireshark-common, which tshark pulls in).

set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly DIR

for tool in gzip editcap mergecap; do
    command -v "$tool" >/dev/null ||
        { echo "make-derived: $tool not found: apt-get install gzip wireshark-common" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/hsdump-derived.XXXXXX)
trap 'rm -rf -- "$TMP"' EXIT

editcap -F nsecpcap "$DIR/tls12-full.pcap" "$TMP/tls12-full-nsec.pcap"
mergecap -F pcapng -w "$TMP/mixed-link-types.pcapng" \
    "$DIR/sll2-any.pcap" "$TMP/tls12-full-nsec.pcap"
install -m 0644 "$TMP/mixed-link-types.pcapng" "$DIR/mixed-link-types.pcapng"

for name in mixed-link-types.pcapng tls12-full.pcap; do
    gzip -n -9 -c "$DIR/$name" >"$TMP/$name.gz"
    install -m 0644 "$TMP/$name.gz" "$DIR/$name.gz"
done
for name in mixed-link-types.pcapng mixed-link-types.pcapng.gz tls12-full.pcap.gz; do
    echo "make-derived: $name: $(wc -c <"$DIR/$name") bytes" >&2
done
