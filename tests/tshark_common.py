"""What the tshark oracles (tshark_compare.py, ja3_tshark.py) share: running a command, and
the tshark options that make it decode TLS on the ports hsdump found it on."""
import functools
import re
import subprocess


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


# A STARTTLS connection (hsdump's starttls=) is decoded by its plaintext protocol's dissector,
# which hands what follows the upgrade to tshark's TLS dissector.
STARTTLS_DISSECTORS = {"smtp": "smtp", "imap": "imap", "pop3": "pop", "ftp": "ftp",
                       "xmpp": "xmpp", "ldap": "ldap", "postgres": "pgsql", "mysql": "mysql"}


@functools.lru_cache(maxsize=None)
def starttls_ports(binary, pcap):
    """Server port -> tshark dissector, for the STARTTLS connections hsdump found in pcap."""
    found = {}
    for line in run([binary, "-S", "-r", pcap]).splitlines():
        m = re.search(r":(\d+) close .* starttls=(\w+)", line)
        if m:
            found[m.group(1)] = STARTTLS_DISSECTORS.get(m.group(2), "tls")
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
