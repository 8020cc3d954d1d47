"""What the tshark oracles (tshark_compare.py, ja3_tshark.py) share: running a command, and
the tshark options that make it decode TLS on the ports hsdump found it on."""
import functools
import re
import subprocess


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


# A STARTTLS connection (hsdump's starttls=) is decoded by its plaintext protocol's dissector,
# which hands what follows the upgrade to tshark's TLS dissector.
# A proxy's tunnel (hsdump's tunnel=) likewise, by the proxy protocol's dissector; GTP-U
# carries the inner packet, whose port is decoded as usual.
STARTTLS_DISSECTORS = {"smtp": "smtp", "imap": "imap", "pop3": "pop", "ftp": "ftp",
                       "xmpp": "xmpp", "ldap": "ldap", "postgres": "pgsql", "mysql": "mysql",
                       "http_connect": "http", "socks4": "socks", "socks4a": "socks",
                       "socks5": "socks"}


@functools.lru_cache(maxsize=None)
def starttls_ports(binary, pcap):
    """Server port -> tshark dissector, for the STARTTLS and tunnelled connections hsdump
    found in pcap."""
    found = {}
    for line in run([binary, "-S", "-r", pcap]).splitlines():
        for m in re.finditer(r":(\d+) close .* (?:starttls|tunnel)=([\w,]+)", line):
            proto = m.group(2).split(",")[-1]
            if proto in STARTTLS_DISSECTORS:
                found[m.group(1)] = STARTTLS_DISSECTORS[proto]
    return found


@functools.lru_cache(maxsize=None)
def captured_in_part(binary, pcap):
    """Whether hsdump followed a connection of pcap on its keyless path (capture=)."""
    return re.search(r" capture=\w+$", run([binary, "-S", "-r", pcap]), re.M) is not None


def tshark_args(binary, pcap, ports, proto, transport):
    """tshark reading pcap with TCP and TLS reassembly on, and ports decoded as proto (or as
    the plaintext protocol a STARTTLS connection on it began with). For a connection
    captured in part (one side, two SYN/ACKs with different ISNs), tshark's sequence analysis
    waits for bytes that were never captured, so it is turned off there."""
    args = ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:TRUE",
            "-o", "tls.desegment_ssl_records:TRUE"]
    if transport == "tcp" and captured_in_part(binary, pcap):
        args += ["-o", "tcp.analyze_sequence_numbers:FALSE"]
    upgraded = starttls_ports(binary, pcap) if transport == "tcp" else {}
    for port in sorted(ports):
        args += ["-d", f"{transport}.port=={port},{upgraded.get(port, proto)}"]
    return args


def innermost(value):
    """A field tshark printed once per header (occurrence=a, aggregator ';'): the last one,
    the innermost header's, for packets carried in a tunnel such as GTP-U."""
    return value.split(";")[-1]


def registry(binary):
    """hsdump's name registry: (kind, name) to number."""
    values = {}
    for line in run([binary, "--list-names"]).splitlines():
        kind, value, name = line.split("\t")
        values[(kind, name)] = int(value, 16)
    return values


def endpoint(text):
    """An hsdump endpoint as tshark writes it: IPv6 without brackets."""
    return text.replace("[", "").replace("]", "")


def aslist(v):
    return v if isinstance(v, list) else [v]


def find(obj, key):
    """Every value of key anywhere inside obj (tshark's JSON), in document order."""
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
