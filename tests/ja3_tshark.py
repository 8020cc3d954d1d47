"""Compares the JA3 and JA3S hashes hsdump prints with tshark's (TAP on stdout).

Per TCP connection hsdump printed hellos for: the ja3 of each ClientHello and the ja3s of each
ServerHello or HelloRetryRequest, in order, must equal tshark's tls.handshake.ja3 and
tls.handshake.ja3s. Connections only tshark decodes (hsdump needs the connection start) are
counted in a closing comment."""
import ipaddress
import os
import re
import subprocess
import sys

LINE = re.compile(r"^\S+ c\d+ (\S+) (->|<-) (\S+) handshake (client_hello|server_hello|"
                  r"hello_retry_request)((?: .*)?)$")
FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')
TSHARK_FIELDS = ["ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
                 "tls.handshake.ja3", "tls.handshake.ja3s"]


def endpoint(host, port):
    return f"{ipaddress.ip_address(host.strip('[]'))}:{int(port)}"


def split_endpoint(text):
    host, port = text.rsplit(":", 1)
    return endpoint(host, port)


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def hsdump_conns(binary, pcap):
    conns = {}
    for line in run([binary, "-r", pcap]).splitlines():
        m = LINE.match(line)
        if not m:
            continue
        client, _, server, name, rest = m.groups()
        fields = dict(FIELD.findall(rest))
        conn = conns.setdefault((split_endpoint(client), split_endpoint(server)),
                                {"ja3": [], "ja3s": []})
        key = "ja3" if name == "client_hello" else "ja3s"
        conn[key].append(fields.get(key, "(none)"))
    return conns


def tshark_conns(pcap, ports):
    args = ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:TRUE",
            "-o", "tls.desegment_ssl_records:TRUE"]
    for port in sorted(ports):
        args += ["-d", f"tcp.port=={port},tls"]
    args += ["-Y", "tls.handshake.ja3 || tls.handshake.ja3s", "-T", "fields",
             "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
    for field in TSHARK_FIELDS:
        args += ["-e", field]
    conns = {}
    for line in run(args).splitlines():
        f = dict(zip(TSHARK_FIELDS, line.split("|")))
        if len(f) < len(TSHARK_FIELDS) or not f["tcp.srcport"]:
            continue  # QUIC carries its hellos over UDP: hsdump does not read it yet
        src = endpoint(f["ip.src"] or f["ipv6.src"], f["tcp.srcport"])
        dst = endpoint(f["ip.dst"] or f["ipv6.dst"], f["tcp.dstport"])
        for key, conn_id in (("ja3", (src, dst)), ("ja3s", (dst, src))):
            values = [v for v in f[f"tls.handshake.{key}"].split(";") if v]
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
    print(f"# connections only tshark fingerprinted (their start was not captured, or TLS "
          f"follows a proxy handshake): {only_tshark}")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
