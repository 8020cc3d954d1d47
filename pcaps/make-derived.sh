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
#   gtpu-partial-client-only.pcap   partial-client-only.pcap inside GTP-U (gtpu-wrap.py): a
#                               one-sided connection that the keyless path reports at the end
#                               of input, when no tunnelled packet is being read
#   gtpu-midstream-tls12.pcap   midstream-tls12.pcap inside GTP-U: its first segments are held
#                               by the keyless path, then replayed while a later packet (of the
#                               other direction, another TEID) is being read
#   partial-server-only-huge.pcap   tls12-huge-cert.pcap's packets from the server only
#                               (tcpdump 'tcp src port 44396'): a one-sided connection whose
#                               340 KB Certificate comes in loopback segments of up to 64 KiB,
#                               more than the keyless path holds before it reports
#
# gzip -n leaves out the name and time, so a rerun with the same tools gives the same bytes.
# Needs gzip, tcpdump, editcap and mergecap (Debian's wireshark-common, which tshark pulls in).

set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly DIR

for tool in gzip editcap mergecap tcpdump; do
    command -v "$tool" >/dev/null ||
        { echo "make-derived: $tool not found: apt-get install gzip wireshark-common tcpdump" >&2
      exit 1; }
done

TMP=$(mktemp -d /tmp/hsdump-derived.XXXXXX)
trap 'rm -rf -- "$TMP"' EXIT

editcap -F nsecpcap "$DIR/tls12-full.pcap" "$TMP/tls12-full-nsec.pcap"
mergecap -F pcapng -w "$TMP/mixed-link-types.pcapng" \
    "$DIR/sll2-any.pcap" "$TMP/tls12-full-nsec.pcap"
install -m 0644 "$TMP/mixed-link-types.pcapng" "$DIR/mixed-link-types.pcapng"

python3 "$DIR/gtpu-wrap.py" "$DIR/partial-client-only.pcap" "$TMP/gtpu-partial-client-only.pcap" \
    44371 >/dev/null
python3 "$DIR/gtpu-wrap.py" "$DIR/midstream-tls12.pcap" "$TMP/gtpu-midstream-tls12.pcap" \
    44361 >/dev/null
tcpdump -r "$DIR/tls12-huge-cert.pcap" -w "$TMP/partial-server-only-huge.pcap" \
    'tcp src port 44396' 2>/dev/null
for name in gtpu-partial-client-only.pcap gtpu-midstream-tls12.pcap partial-server-only-huge.pcap; do
    install -m 0644 "$TMP/$name" "$DIR/$name"
done

for name in mixed-link-types.pcapng tls12-full.pcap; do
    gzip -n -9 -c "$DIR/$name" >"$TMP/$name.gz"
    install -m 0644 "$TMP/$name.gz" "$DIR/$name.gz"
done
for name in mixed-link-types.pcapng mixed-link-types.pcapng.gz tls12-full.pcap.gz \
    gtpu-partial-client-only.pcap gtpu-midstream-tls12.pcap partial-server-only-huge.pcap; do
    echo "make-derived: $name: $(wc -c <"$DIR/$name") bytes" >&2
done
