#!/usr/bin/env python3
"""Builds large pcap captures for the benchmark by replaying the real handshakes in pcaps/.

Every TCP connection of every pcaps/*.pcap (IPv4 and IPv6, Ethernet and SLL2) becomes a
template: its payload bytes per direction, in the order the two directions sent them.
Each generated connection takes one template (seeded choice) and replays it on a fresh
4-tuple (a client address and port of its own, server port 443) over IPv4 or IPv6
(--ipv6-share), with its own SYN, SYN/ACK, ACK, correct sequence and acknowledgement numbers,
delayed ACKs (one per two data segments), segments of at most 1448 bytes, --app-bytes of
TLS application_data each way after the handshake, and a FIN, FIN/ACK, ACK close. IPv4
header and TCP checksums are correct. --concurrency connections are open at once, their
packets interleaved at random; timestamps increase by 20 us per packet.

The same arguments always give the same bytes. Standard library only."""
import argparse
import glob
import os
import random
import struct
import sys

MSS = 1448
APP_RECORD_MAX = 16384          # RFC 8446 5.1: TLSPlaintext.length MUST NOT exceed 2^14
SERVER_PORT = 443               # the port every tool decodes as TLS without being told
WINDOW = 65535
TICK_US = 20
EPOCH = 1798761600              # 2027-01-01T00:00:00Z
FLUSH_BYTES = 16 << 20

FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10
CLIENT, SERVER = 0, 1

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)  # DLT_EN10MB
REC = struct.Struct("<IIII")
IP4_TCP = struct.Struct(">BBHHHBBH4s4sHHIIBBHHH")
IP6_TCP = struct.Struct(">IHBB16s16sHHIIBBHHH")
MAC = {CLIENT: bytes.fromhex("020000000001"), SERVER: bytes.fromhex("020000000002")}
ETH4 = {d: MAC[1 - d] + MAC[d] + b"\x08\x00" for d in (CLIENT, SERVER)}
ETH6 = {d: MAC[1 - d] + MAC[d] + b"\x86\xdd" for d in (CLIENT, SERVER)}
SYN_OPTIONS = struct.pack(">BBH", 2, 4, 1460)     # MSS; the rest of the handshake has none


def word_sum(data):
    """One's-complement-style sum of big-endian 16-bit words (odd tail padded), unfolded."""
    if len(data) % 2:
        data += b"\x00"
    return sum(struct.unpack(">%dH" % (len(data) // 2), data))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


# ---- reading the templates ----

def read_pcap(path):
    """Yields (linktype, frame bytes) for each record of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise ValueError("%s: not a classic pcap file" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def network_layer(linktype, frame):
    """(ethertype, bytes after the link header) or None."""
    if linktype == 1:                               # Ethernet, with any 802.1Q/802.1ad tags
        off, etype = 14, struct.unpack(">H", frame[12:14])[0]
        while etype in (0x8100, 0x88A8, 0x9100) and len(frame) >= off + 4:
            etype = struct.unpack(">H", frame[off + 2:off + 4])[0]
            off += 4
        return etype, frame[off:]
    if linktype == 276:                             # LINUX_SLL2: protocol type first
        return struct.unpack(">H", frame[0:2])[0], frame[20:]
    if linktype == 113:                             # LINUX_SLL: protocol type at 14
        return struct.unpack(">H", frame[14:16])[0], frame[16:]
    if linktype in (101, 12, 14):                   # raw IP
        return (0x86DD if frame[0] >> 4 == 6 else 0x0800), frame
    if linktype in (0, 108):                        # BSD null / loopback
        return (0x86DD if frame[4] >> 4 == 6 else 0x0800), frame[4:]
    return None


def tcp_segment(linktype, frame):
    """(src, dst, sport, dport, seq, flags, payload) of a TCP segment, else None."""
    net = network_layer(linktype, frame)
    if net is None:
        return None
    etype, ip = net
    if etype == 0x0800 and len(ip) >= 20 and ip[9] == 6:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:total]
    elif etype == 0x86DD and len(ip) >= 40 and ip[6] == 6:   # no extension headers in pcaps/
        plen = struct.unpack(">H", ip[4:6])[0]
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", tcp[0:8])
    doff = (tcp[12] >> 4) * 4
    return src, dst, sport, dport, seq, tcp[13], tcp[doff:]


def connections(path):
    """Each TCP connection of one capture: list of (direction, payload) in capture order,
    retransmitted bytes dropped. A connection starts at its SYN; its sender is the client."""
    open_conns, done = {}, []
    for linktype, frame in read_pcap(path):
        seg = tcp_segment(linktype, frame)
        if seg is None:
            continue
        src, dst, sport, dport, seq, flags, payload = seg
        a, b = (src, sport), (dst, dport)
        key = (min(a, b), max(a, b))
        if flags & SYN and not flags & ACK:
            if key in open_conns:
                done.append(open_conns.pop(key))
            open_conns[key] = {"client": a, "next": {CLIENT: (seq + 1) & 0xFFFFFFFF},
                               "script": []}
            continue
        conn = open_conns.get(key)
        if conn is None:
            continue
        d = CLIENT if a == conn["client"] else SERVER
        if flags & SYN:
            conn["next"][d] = (seq + 1) & 0xFFFFFFFF
            continue
        if not payload or d not in conn["next"]:
            continue
        skip = (conn["next"][d] - seq) & 0xFFFFFFFF
        if skip >= 0x80000000:                      # a hole: pcaps/ has none, keep the bytes
            skip = 0
        if skip >= len(payload):
            continue                                # retransmission
        payload = payload[skip:]
        conn["next"][d] = (seq + skip + len(payload)) & 0xFFFFFFFF
        conn["script"].append((d, payload))
    done.extend(open_conns.values())
    return [c["script"] for c in done if c["script"]]


def records(stream):
    """Content types of the TLS records framed in one direction's byte stream."""
    types, off = [], 0
    while off + 5 <= len(stream):
        types.append(stream[off])
        off += 5 + struct.unpack(">H", stream[off + 3:off + 5])[0]
    return types


def chunked(d, payload):
    return [(d, payload[i:i + MSS], word_sum(payload[i:i + MSS]))
            for i in range(0, len(payload), MSS)]


def make_template(name, script):
    """Splits segments to the MSS and finds where application data goes: before the client's
    last segment (its close_notify), when the client sends application data at all; failed
    handshakes (no client record of type 23) get none."""
    items = []
    for d, payload in script:
        items.extend(chunked(d, payload))
    client_stream = b"".join(p for d, p in script if d == CLIENT)
    has_app = 23 in records(client_stream)
    last_client = max(i for i, it in enumerate(items) if it[0] == CLIENT)
    split = last_client if has_app else len(items)
    return {"name": name, "head": items[:split], "tail": items[split:], "has_app": has_app}


# Left out, so that the benchmark captures stay the ones the results in RESULTS.md were
# measured on (TLS from the first byte of every whole connection, the 29 templates of
# 75d6729): captures whose connections begin with a plaintext exchange (STARTTLS, proxy
# tunnels), were cut on purpose (one side, a lost segment, two SYN/ACKs), or were added by
# issue 16 for one rare case each (a 340 KB certificate, client certificates asked for).
EXCLUDED = ("starttls-", "partial-", "tunnel-", "tls12-huge-cert", "tls12-cert-requested",
            "tls13-cert-requested", "tls13-cert-rejected")


def load_templates(pcap_dir):
    templates = []
    for path in sorted(glob.glob(os.path.join(pcap_dir, "*.pcap"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name.startswith(EXCLUDED):
            continue
        for n, script in enumerate(connections(path)):
            templates.append(make_template("%s/c%d" % (name, n), script))
    if not templates:
        sys.exit("gen.py: no TCP connections in %s/*.pcap" % pcap_dir)
    return templates


def app_items(app_bytes, d, rng):
    """app_bytes of application_data record bodies from d: records of up to 2^14 bytes,
    the stream cut into MSS-sized segments. Same bytes for every connection, so the payload
    sums are computed once."""
    stream = bytearray()
    left = app_bytes
    while left > 0:
        n = min(left, APP_RECORD_MAX)
        stream += struct.pack(">BHH", 23, 0x0303, n) + rng.randbytes(n)
        left -= n
    return chunked(d, bytes(stream))


# ---- writing ----

def addr_sum(a):
    return word_sum(a)


def conn_packets(i, tmpl, app, is_v6, rng):
    """Generator of Ethernet frames for generated connection i."""
    if is_v6:
        caddr = bytes.fromhex("20010db8c0000000") + struct.pack(">Q", i + 1)
        saddr = bytes.fromhex("20010db8044300000000000000000000")[:15] + bytes([1 + i % 16])
    else:
        caddr = struct.pack(">I", 0x0A000001 + i)                 # 10/8, unique to 16.7M
        saddr = bytes([198, 51, 100, 1 + i % 16])
    cport = 1024 + (i * 7919) % 64000
    addr = {CLIENT: (caddr, saddr, cport, SERVER_PORT), SERVER: (saddr, caddr, SERVER_PORT, cport)}
    pseudo = addr_sum(caddr) + addr_sum(saddr) + 6
    seq = {CLIENT: rng.getrandbits(32), SERVER: rng.getrandbits(32)}
    ipid = {CLIENT: rng.getrandbits(16), SERVER: rng.getrandbits(16)}
    port_sum = cport + SERVER_PORT

    def frame(d, flags, payload=b"", psum=0, options=b"", osum=0):
        src, dst, sport, dport = addr[d]
        s, a = seq[d], (seq[1 - d] if flags & ACK else 0)
        hlen = 20 + len(options)
        tlen = hlen + len(payload)
        doff = (hlen // 4) << 4
        csum = (pseudo + tlen + port_sum + (s >> 16) + (s & 0xFFFF) + (a >> 16) + (a & 0xFFFF)
                + (doff << 8 | flags) + WINDOW + psum + osum)
        csum = ~fold(csum) & 0xFFFF
        if is_v6:
            hdr = ETH6[d] + IP6_TCP.pack(0x60000000, tlen, 6, 64, src, dst, sport, dport, s,
                                         a, doff, flags, WINDOW, csum, 0)
        else:
            ident = ipid[d]
            ipid[d] = (ident + 1) & 0xFFFF
            total = 20 + tlen
            ipsum = ~fold(0x4500 + total + ident + 0x4000 + 0x4006 + pseudo - 6) & 0xFFFF
            hdr = ETH4[d] + IP4_TCP.pack(0x45, 0, total, ident, 0x4000, 64, 6, ipsum, src, dst,
                                         sport, dport, s, a, doff, flags,
                                         WINDOW, csum, 0)
        seq[d] = (s + len(payload) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        return hdr + options + payload

    osum = word_sum(SYN_OPTIONS)
    yield frame(CLIENT, SYN, options=SYN_OPTIONS, osum=osum)
    yield frame(SERVER, SYN | ACK, options=SYN_OPTIONS, osum=osum)
    yield frame(CLIENT, ACK)

    items = tmpl["head"] + (app if tmpl["has_app"] else []) + tmpl["tail"]
    unacked = [0, 0]
    last = len(items) - 1
    for n, (d, payload, psum) in enumerate(items):
        yield frame(d, PSH | ACK, payload, psum)
        unacked[1 - d] = 0
        unacked[d] += 1
        # Delayed ACK: every second segment, and at the end if nothing else will carry it.
        if unacked[d] >= 2 or n == last:
            yield frame(1 - d, ACK)
            unacked[d] = 0
    yield frame(CLIENT, FIN | ACK)
    yield frame(SERVER, FIN | ACK)
    yield frame(CLIENT, ACK)


def generate(args, out):
    rng = random.Random(args.seed)
    templates = load_templates(args.pcaps)
    app = []
    if args.app_bytes > 0:
        app_rng = random.Random(args.seed ^ 0x5EED)
        app = app_items(args.app_bytes, CLIENT, app_rng) + app_items(args.app_bytes, SERVER,
                                                                      app_rng)

    def start(i):
        tmpl = templates[int(rng.random() * len(templates))]
        is_v6 = rng.random() < args.ipv6_share
        return conn_packets(i, tmpl, app, is_v6, random.Random(args.seed * 1000003 + i))

    active = []
    started = 0
    while started < min(args.concurrency, args.connections):
        active.append(start(started))
        started += 1
    buf, size, t_us, packets = [], 0, 0, 0
    rec_pack = REC.pack
    rand = rng.random
    out.write(PCAP_HEADER)
    while active:
        k = int(rand() * len(active))
        pkt = next(active[k], None)
        if pkt is None:
            if started < args.connections:
                active[k] = start(started)
                started += 1
            else:
                active[k] = active[-1]
                active.pop()
            continue
        t_us += TICK_US
        n = len(pkt)
        buf.append(rec_pack(EPOCH + t_us // 1000000, t_us % 1000000, n, n))
        buf.append(pkt)
        size += n + 16
        packets += 1
        if size >= FLUSH_BYTES:
            out.write(b"".join(buf))
            buf, size = [], 0
    out.write(b"".join(buf))
    return packets, len(templates)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connections", type=int, default=1000, help="connections (default 1000)")
    p.add_argument("--concurrency", type=int, default=100,
                   help="connections open and interleaved at a time (default 100)")
    p.add_argument("--app-bytes", type=int, default=0,
                   help="application_data bytes (record bodies) each way after the handshake")
    p.add_argument("--ipv6-share", type=float, default=0.2,
                   help="fraction of connections over IPv6 (default 0.2)")
    p.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    p.add_argument("--pcaps", default=os.path.join(here, "..", "pcaps"),
                   help="directory of template captures (default: the repository's pcaps/)")
    p.add_argument("--list-templates", action="store_true",
                   help="print the template connections and exit")
    p.add_argument("output", nargs="?", help="pcap file to write ('-' for stdout)")
    args = p.parse_args()
    if args.list_templates:
        for t in load_templates(args.pcaps):
            print("%-36s segments=%d app=%s" % (t["name"], len(t["head"]) + len(t["tail"]),
                                                 "yes" if t["has_app"] else "no"))
        return 0
    if args.output is None:
        p.error("an output file is required")
    if args.connections < 1 or args.concurrency < 1 or args.app_bytes < 0:
        p.error("--connections and --concurrency must be >= 1, --app-bytes >= 0")
    if args.connections > 16000000:
        p.error("--connections: at most 16000000 (one IPv4 client address each in 10/8)")
    if args.output == "-":
        packets, n = generate(args, sys.stdout.buffer)
    else:
        tmp = args.output + ".tmp"
        with open(tmp, "wb", buffering=0) as out:
            packets, n = generate(args, out)
        os.replace(tmp, args.output)
    print("gen.py: %s: %d connections from %d templates, %d packets" %
          (args.output, args.connections, n, packets), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
