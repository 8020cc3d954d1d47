"""Compares what hsdump decrypts with what tshark decrypts, given the same keys (TAP on stdout).

  decrypt_tshark.py HSDUMP CAPTURE...            each capture with its key log
  decrypt_tshark.py HSDUMP --no-keys CAPTURE...  no keys on either side (a check of this
                                                 script on plaintext captures)

With keys, a capture pcaps/NAME.pcap is read with pcaps/keylogs/NAME.keylog: `hsdump -v
--keylog K -r P` against `tshark -o tls.keylog_file:K`. A pcapng file is read with no key
option at all: both programs take the secrets of its Decryption Secrets Blocks.

Per TCP connection or UDP flow and direction, in order: every handshake message (its type and
its length, hsdump's length= against tls.handshake.length: the message body, without its
4-byte header) and every alert whose level and description are known (hsdump's alert
level= description=, tshark's tls.alert_message); and, in order too, the SHA-256 of each
certificate (hsdump -v's x509 sha256=, tshark's tls.handshake.certificate bytes hashed).
Encrypted records that a side could not read are not events: a message one side decrypts and
the other does not is a difference. With keys, each capture must also give at least one
decrypted=true line (else a capture without any decryption could pass) and no
decrypt=failed line."""
import hashlib
import json
import os
import re
import sys

import hsdump_text
from tshark_common import innermost, run, tshark_args

LINE = re.compile(r"^\S+ c\d+ (\S+) (->|<-) (\S+) (\S+)(?: (.*))?$")

# Printed names that are not a registry name of their code point.
EXTRA_HANDSHAKE_NAMES = {"hello_retry_request": 2}

# What tshark 4.0 does not decrypt and hsdump must, by capture: (direction, event). After a
# TLS 1.3 post-handshake authentication (RFC 8446 4.6.2), tshark derives the client's
# application traffic keys again at the client's Finished and loses its record sequence
# number, so it reads none of the client's later records: here its close_notify.
TSHARK_MISSES = {
    "keylog-tls13-post-handshake-auth.pcap": [("c", ("alert", 1, 0))],
}


def registry(binary):
    values = {}
    for line in run([binary, "--list-names"]).splitlines():
        kind, value, name = line.split("\t")
        values[(kind, name)] = int(value, 16)
    return values


def code(values, kind, name):
    """A printed code point back to its number: a registry name, or 0x... when unnamed."""
    if name.startswith("0x"):
        return int(name, 16)
    if kind == "handshake" and name in EXTRA_HANDSHAKE_NAMES:
        return EXTRA_HANDSHAKE_NAMES[name]
    return values.get((kind, name), name)


def endpoint(text):
    return text.replace("[", "").replace("]", "")


class Conn:
    """One connection's events and certificate fingerprints, per direction (c: client to
    server, s: server to client)."""

    def __init__(self):
        self.events = {"c": [], "s": []}
        self.certs = {"c": [], "s": []}


class HsdumpRun:
    def __init__(self):
        self.conns = {}
        self.decrypted = 0
        self.failed = []
        self.ports = {"tcp": set(), "udp": set()}


def hsdump_conns(binary, pcap, keylog, values):
    """hsdump's connections, keyed by (client, server) endpoints."""
    args = [binary, "-v"] + (["--keylog", keylog] if keylog else []) + ["-r", pcap]
    out = HsdumpRun()
    for line in run(args).splitlines():
        m = LINE.match(line)
        if not m:
            continue
        client, arrow, server, event, rest = m.groups()
        rest = rest or ""
        name = rest.split(" ", 1)[0] if rest and "=" not in rest.split(" ", 1)[0] else None
        fields = dict(hsdump_text.fields(rest))
        if fields.get("decrypted") == "true":
            out.decrypted += 1
        if "decrypt" in fields:
            out.failed.append(line)
        key = (endpoint(client), endpoint(server))
        conn = out.conns.setdefault(key, Conn())
        out.ports["udp" if fields.get("transport") == "dtls" else "tcp"].add(
            key[1].rsplit(":", 1)[1])
        d = "c" if arrow == "->" else "s"
        if event == "handshake" and name and "length" in fields \
                and "malformed" not in fields and "truncated" not in fields:
            conn.events[d].append(("handshake", code(values, "handshake", name),
                                   int(fields["length"])))
        elif event == "alert" and "level" in fields and "description" in fields:
            conn.events[d].append(("alert", code(values, "alert_level", fields["level"]),
                                   code(values, "alert", fields["description"])))
        elif event == "x509" and "sha256" in fields:
            conn.certs[d].append(fields["sha256"])
    return out


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


def record_events(rec, proto):
    """A record's handshake messages and alerts, in order, and its certificates' SHA-256.
    A DTLS message sent in fragments counts once, at its first fragment; tshark puts the
    reassembled message, with its certificates, where the fragments end."""
    events, certs = [], []
    for hs in aslist(rec.get(f"{proto}.handshake", [])):
        if not isinstance(hs, dict) or f"{proto}.handshake.type" not in hs:
            continue
        first = int(hs.get(f"{proto}.handshake.fragment_offset", "0")) == 0
        if first:
            events.append(("handshake", int(hs[f"{proto}.handshake.type"]),
                           int(hs[f"{proto}.handshake.length"])))
        for der in find(hs, f"{proto}.handshake.certificate"):
            if isinstance(der, str) and der:
                certs.append(hashlib.sha256(bytes.fromhex(der.replace(":", ""))).hexdigest())
    for alert in aslist(rec.get(f"{proto}.alert_message", [])):
        if isinstance(alert, dict) and f"{proto}.alert_message.desc" in alert:
            events.append(("alert", int(alert[f"{proto}.alert_message.level"]),
                           int(alert[f"{proto}.alert_message.desc"])))
    return events, certs


def layer_value(layers, names):
    for name in names:
        if name in layers:
            return innermost(";".join(aslist(layers[name])))
    return None


def tshark_conns(binary, pcap, keylog, ports):
    """tshark's connections, keyed by (client, server); the client is the side that sent
    the first ClientHello."""
    args = tshark_args(binary, pcap, ports["tcp"], "tls", "tcp")
    for port in sorted(ports["udp"]):
        args += ["-d", f"udp.port=={port},dtls"]
    if keylog:
        args += ["-o", f"tls.keylog_file:{keylog}"]
    args += ["-Y", "tls || dtls", "--no-duplicate-keys", "-T", "json"]
    frames = json.loads(run(args) or "[]")
    flows = {}      # (src, dst) -> ([events], [certs]) in frame order
    clients = {}    # frozenset of both endpoints -> the client's endpoint
    for frame in frames:
        layers = frame["_source"]["layers"]
        transport = "tcp" if "tcp" in layers else "udp"
        proto = "tls" if transport == "tcp" else "dtls"
        ip = {k: v for layer in ("ip", "ipv6") for k, v in _flat(layers.get(layer)).items()}
        t = layers.get(transport, {})
        src = f"{layer_value(ip, ['ip.src', 'ipv6.src'])}:{t.get(f'{transport}.srcport')}"
        dst = f"{layer_value(ip, ['ip.dst', 'ipv6.dst'])}:{t.get(f'{transport}.dstport')}"
        flow = flows.setdefault((src, dst), ([], []))
        for layer in aslist(layers.get(proto, [])):
            if not isinstance(layer, dict):
                continue
            for rec in aslist(layer.get(f"{proto}.record", [])):
                if not isinstance(rec, dict):
                    continue
                events, certs = record_events(rec, proto)
                # the first hello says which side is the client (a capture of the
                # server's side alone starts with a ServerHello)
                types = [e[1] for e in events if e[0] == "handshake"]
                if 1 in types:
                    clients.setdefault(frozenset((src, dst)), src)
                elif 2 in types:
                    clients.setdefault(frozenset((src, dst)), dst)
                flow[0].extend(events)
                flow[1].extend(certs)
    conns = {}
    for (src, dst), (events, certs) in flows.items():
        client = clients.get(frozenset((src, dst)), src)
        server = dst if client == src else src
        conn = conns.setdefault((client, server), Conn())
        d = "c" if client == src else "s"
        conn.events[d] = events
        conn.certs[d] = certs
    return conns


def _flat(layer):
    """An ip or ipv6 layer as a dict (GTP-U gives a list: outer header, inner header)."""
    if isinstance(layer, list):
        merged = {}
        for item in layer:
            for k, v in (item or {}).items():
                merged.setdefault(k, []).extend(aslist(v))
        return merged
    return layer or {}


def keylog_of(pcap):
    """The key log of pcaps/NAME.pcap: pcaps/keylogs/NAME.keylog; a pcapng has its own."""
    if pcap.endswith(".pcapng"):
        return None
    stem = os.path.basename(pcap).rsplit(".", 1)[0]
    return os.path.join(os.path.dirname(pcap), "keylogs", stem + ".keylog")


def describe(event):
    kind, a, b = event
    return f"{kind}({a},{b})" if kind == "alert" else f"hs{a}[{b}]"


def compare(binary, pcap, keys, values, n):
    """TAP results for one capture, numbered from n + 1; returns (count, failures)."""
    base = os.path.basename(pcap)
    keylog = keylog_of(pcap) if keys else None
    if keylog and not os.path.isfile(keylog):
        print(f"not ok {n + 1} - {base}: no key log {keylog}")
        return 1, 1
    ours = hsdump_conns(binary, pcap, keylog, values)
    theirs = tshark_conns(binary, pcap, keylog, ours.ports)
    count = failed = 0
    if keys:
        count += 1
        if ours.decrypted == 0 or ours.failed:
            failed += 1
            print(f"not ok {n + count} - {base}: {ours.decrypted} decrypted=true lines, "
                  f"{len(ours.failed)} decrypt= failures")
            for line in ours.failed[:5]:
                print(f"# {line}")
        else:
            print(f"ok {n + count} - {base}: {ours.decrypted} decrypted=true lines, "
                  "no decrypt= failure")
    for key, conn in sorted(ours.conns.items()):
        count += 1
        name = f"{base} {key[0]} -> {key[1]}"
        other = theirs.get(key, Conn())
        for d, event in TSHARK_MISSES.get(base, []) if keys else []:
            if event in conn.events[d]:
                at = len(conn.events[d]) - 1 - conn.events[d][::-1].index(event)
                del conn.events[d][at]
                name += f" (without the {describe(event)} tshark does not decrypt)"
        diffs = []
        for d in ("c", "s"):
            if conn.events[d] != other.events[d]:
                diffs.append(f"{d} events: hsdump {' '.join(map(describe, conn.events[d]))}"
                             f" | tshark {' '.join(map(describe, other.events[d]))}")
            if conn.certs[d] != other.certs[d]:
                diffs.append(f"{d} certificates: hsdump {conn.certs[d]} | tshark "
                             f"{other.certs[d]}")
        if keys and not any(conn.events.values()):
            diffs.append("no handshake message at all")
        if diffs:
            failed += 1
            print(f"not ok {n + count} - {name}")
            for line in diffs:
                print(f"# {line}")
        else:
            total = sum(len(v) for v in conn.events.values())
            certs = sum(len(v) for v in conn.certs.values())
            print(f"ok {n + count} - {name}: same {total} messages and alerts, lengths, "
                  f"{certs} certificate fingerprints")
    return count, failed


def main():
    binary = sys.argv[1]
    args = sys.argv[2:]
    keys = True
    if args[:1] == ["--no-keys"]:
        keys, args = False, args[1:]
    pcaps = [p for p in args if os.path.isfile(p)]
    values = registry(binary)
    n = failed = 0
    for pcap in pcaps:
        count, bad = compare(binary, pcap, keys, values, n)
        n += count
        failed += bad
    if n == 0:
        print("not ok 1 - no captures to compare")
        n, failed = 1, 1
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
