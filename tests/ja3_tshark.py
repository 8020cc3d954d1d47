"""Compares the JA3 and JA3S hashes hsdump prints with tshark's (TAP on stdout).

Per TCP connection, DTLS flow or QUIC connection hsdump printed hellos for: the ja3 of each
ClientHello and the ja3s of each ServerHello or HelloRetryRequest, in order, must equal
tshark's tls.handshake.ja3 and tls.handshake.ja3s (dtls.handshake.* for DTLS; QUIC's are tls.*
fields of UDP frames). Connections only tshark decodes (hsdump needs the connection start) are
counted in a closing comment."""
import ipaddress
import os
import re
import sys

import hsdump_text
from tshark_common import innermost, run, tshark_args

LINE = re.compile(r"^\S+ c\d+ (\S+) (->|<-) (\S+) handshake (client_hello|server_hello|"
                  r"hello_retry_request)((?: .*)?)$")
# {p} is the protocol (tls over TCP, dtls over UDP), {t} the transport.
TSHARK_FIELDS = ["ip.src", "ipv6.src", "{t}.srcport", "ip.dst", "ipv6.dst", "{t}.dstport",
                 "{p}.handshake.ja3", "{p}.handshake.ja3s"]


def endpoint(host, port):
    return f"{ipaddress.ip_address(host.strip('[]'))}:{int(port)}"


def split_endpoint(text):
    host, port = text.rsplit(":", 1)
    return endpoint(host, port)


def hsdump_conns(binary, pcap):
    conns = {}
    for line in run([binary, "-r", pcap]).splitlines():
        m = LINE.match(line)
        if not m:
            continue
        client, _, server, name, rest = m.groups()
        fields = dict(hsdump_text.fields(rest))
        conn = conns.setdefault((split_endpoint(client), split_endpoint(server)),
                                {"ja3": [], "ja3s": []})
        key = "ja3" if name == "client_hello" else "ja3s"
        conn[key].append(fields.get(key, "(none)"))
    return conns


def tshark_conns(pcap, ports):
    conns = tshark_pass(pcap, ports, "tls", "tcp")
    conns.update(tshark_pass(pcap, ports, "dtls", "udp"))
    conns.update(tshark_pass(pcap, ports, "tls", "udp", "quic"))
    return conns


def tshark_pass(pcap, ports, proto, transport, carrier=None):
    """carrier: quic, whose CRYPTO frames tshark hands to its TLS dissector itself."""
    fields = [f.format(p=proto, t=transport) for f in TSHARK_FIELDS]
    args = tshark_args(sys.argv[1], pcap, ports if carrier is None else (), proto, transport)
    wanted = f"{proto}.handshake.ja3 || {proto}.handshake.ja3s"
    if carrier is not None:
        wanted = f"{carrier} && ({wanted})"
    args += ["-Y", wanted, "-T", "fields",
             "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
    for field in fields:
        args += ["-e", field]
    conns = {}
    for line in run(args).splitlines():
        f = dict(zip(fields, line.split("|")))
        if len(f) < len(fields) or not f[f"{transport}.srcport"]:
            continue
        src = endpoint(innermost(f["ip.src"] or f["ipv6.src"]),
                       innermost(f[f"{transport}.srcport"]))
        dst = endpoint(innermost(f["ip.dst"] or f["ipv6.dst"]),
                       innermost(f[f"{transport}.dstport"]))
        for key, conn_id in (("ja3", (src, dst)), ("ja3s", (dst, src))):
            values = [v for v in f[f"{proto}.handshake.{key}"].split(";") if v]
            if values:
                conns.setdefault(conn_id, {"ja3": [], "ja3s": []})[key] += values
    return conns


def main():
    binary = sys.argv[1]
    pcaps = [p for p in sys.argv[2:] if os.path.isfile(p)]
    n = failed = only_tshark = 0
    for pcap in pcaps:
        ours = hsdump_conns(binary, pcap)
        ports = {k[1].rsplit(":", 1)[1] for k in ours}
        theirs = tshark_conns(pcap, ports)
        only_tshark += len(set(theirs) - set(ours))
        for key, conn in sorted(ours.items()):
            n += 1
            name = f"{os.path.basename(pcap)} {key[0]} -> {key[1]}"
            if key not in theirs and not conn["ja3"]:
                # socks4-https.pcap: the client's segment with its ClientHello was lost;
                # hsdump still reads the server's hello, tshark decodes no TLS after it
                print(f"ok {n} - {name}: # SKIP no ClientHello captured, and tshark decodes "
                      "none of the connection")
                continue
            other = theirs.get(key, {"ja3": [], "ja3s": []})
            diffs = [f"{k}: hsdump {conn[k]} tshark {other[k]}" for k in ("ja3", "ja3s")
                     if conn[k] != other[k]]
            if diffs:
                failed += 1
                print(f"not ok {n} - {name}")
                for d in diffs:
                    print(f"# {d}")
            else:
                print(f"ok {n} - {name}: {len(conn['ja3'])} ja3 and {len(conn['ja3s'])} ja3s "
                      "as tshark")
    print(f"# connections only tshark fingerprinted (their start was not captured): "
          f"{only_tshark}")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
