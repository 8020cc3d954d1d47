#!/usr/bin/env python3
"""Hostile and broken captures for hsdump's robustness tests (issue: hardening).

  pcaps/make-hostile.py            writes every small case to pcaps/hostile/NAME.pcap
  pcaps/make-hostile.py --list     names and what each holds
  pcaps/make-hostile.py syn-flood [N]        writes a pcap of N SYNs (default 1000000) to stdout
  pcaps/make-hostile.py handshake-flood [MB] writes one connection sending MB (default 100) MB of
                                             handshake-type records to stdout

Each small capture holds the hostile connection and, after it, a normal TLS 1.2 handshake
(the payload of pcaps/tls12-full.pcap replayed on another port), so a test can check that
hsdump reports the bad one precisely and still dissects the good one. Everything is built
from fixed bytes: rerunning gives identical files."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT, SERVER = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
T0 = 1764000000


def pcap_header(snaplen=262144, linktype=1):
    return struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def ether(ip):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip


class Capture:
    """Frames with increasing timestamps (1 ms apart)."""

    def __init__(self, snaplen=262144):
        self.snaplen = snaplen
        self.frames = []
        self.usec = 0

    def add(self, frame):
        self.usec += 1000
        ts = T0 + self.usec // 1000000
        caplen = min(len(frame), self.snaplen)
        self.frames.append(struct.pack("<IIII", ts, self.usec % 1000000, caplen, len(frame))
                           + frame[:caplen])

    def bytes(self):
        return pcap_header(self.snaplen) + b"".join(self.frames)


class Conn:
    """One TCP connection between CLIENT:cport and SERVER:sport, with sequence numbers kept."""

    def __init__(self, cap, cport, sport=443):
        self.cap, self.cport, self.sport = cap, cport, sport
        self.seq = [1000, 5000]  # next sequence number, client and server

    def segment(self, d, payload, flags=0x18, seq=None):
        src, dst = (CLIENT, SERVER) if d == 0 else (SERVER, CLIENT)
        sp, dp = (self.cport, self.sport) if d == 0 else (self.sport, self.cport)
        s = self.seq[d] if seq is None else seq
        frame = ether(ipv4_tcp(src, dst, sp, dp, s, self.seq[1 - d], flags, payload))
        if seq is None:
            self.seq[d] += len(payload) + (1 if flags & 0x03 else 0)
        return frame

    def send(self, d, payload, flags=0x18):
        self.cap.add(self.segment(d, payload, flags))

    def open(self):
        self.seq = [999, 4999]
        self.send(0, b"", 0x02)
        self.send(1, b"", 0x12)
        self.send(0, b"", 0x10)

    def close(self):
        self.send(0, b"", 0x11)
        self.send(1, b"", 0x11)
        self.send(0, b"", 0x10)


def tls12_full_streams(name="tls12-full.pcap"):
    """The client's and server's TCP payload segments of pcaps/tls12-full.pcap (or another
    bundled capture of one connection), in order."""
    data = open(os.path.join(HERE, name), "rb").read()
    linktype = struct.unpack("<I", data[20:24])[0]
    off, segments, client = 24, [], None
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ip = frame[14:] if linktype == 1 else frame[16:] if linktype == 113 else frame[4:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        sport = struct.unpack("!H", tcp[:2])[0]
        flags, payload = tcp[13], tcp[(tcp[12] >> 4) * 4:]
        if flags & 0x02 and not flags & 0x10:
            client = sport
        if payload:
            segments.append((0 if sport == client else 1, payload))
    return segments


def good_connection(cap, cport=50001):
    conn = Conn(cap, cport, 8443)
    conn.open()
    for d, payload in tls12_full_streams():
        conn.send(d, payload)
    conn.close()


def record(content_type, body, version=0x0303, length=None):
    n = len(body) if length is None else length
    return struct.pack("!BHH", content_type, version, n) + body


def handshake(msg_type, body, length=None):
    n = len(body) if length is None else length
    return struct.pack("!B", msg_type) + n.to_bytes(3, "big") + body


def client_hello(extensions=b"", ext_block_length=None):
    body = (struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + struct.pack("!H", 2)
            + b"\xc0\x2f" + b"\x01\x00")
    n = len(extensions) if ext_block_length is None else ext_block_length
    return handshake(1, body + struct.pack("!H", n) + extensions)


def sni(name):
    entry = b"\x00" + struct.pack("!H", len(name)) + name
    lst = struct.pack("!H", len(entry)) + entry
    return struct.pack("!HH", 0, len(lst)) + lst


def one_sided(cap, payloads, server_payloads=()):
    """A hostile connection on port 443 (client 40000), then the good one."""
    conn = Conn(cap, 40000)
    conn.open()
    for p in payloads:
        conn.send(0, p)
    for p in server_payloads:
        conn.send(1, p)
    conn.close()
    good_connection(cap)


CASES = {}


def case(description):
    def register(fn):
        CASES[fn.__name__.replace("_", "-")] = (description, fn)
        return fn
    return register


@case("a capture file cut off in the middle of a packet")
def cut_mid_packet():
    cap = Capture()
    good_connection(cap)
    data = cap.bytes()
    return data[:len(data) - 700]


@case("the TLS 1.2 handshake captured with snaplen 64: every frame cut in its TCP payload")
def snaplen_64():
    cap = Capture(64)
    good_connection(cap)
    return cap.bytes()


@case("the TLS 1.2 handshake captured with snaplen 200")
def snaplen_200():
    cap = Capture(200)
    good_connection(cap)
    return cap.bytes()


@case("a zero-length handshake record, then a record longer than 2^14 + 2048")
def zero_and_oversized_records():
    cap = Capture()
    one_sided(cap, [record(22, b""), record(22, bytes(100), length=18433)])
    return cap.bytes()


@case("a ClientHello whose handshake length (65000) exceeds everything the stream carries")
def handshake_longer_than_stream():
    cap = Capture()
    one_sided(cap, [record(22, handshake(1, bytes(60), length=65000))])
    return cap.bytes()


@case("a ClientHello whose extension block length overruns the message, and one whose "
      "server_name length overruns its extension")
def extension_overrun():
    cap = Capture()
    bad_block = client_hello(sni(b"a.example"), ext_block_length=200)
    bad_sni = client_hello(struct.pack("!HH", 0, 9) + b"\x00\x20\x00\x00\x40" + b"abcd")
    one_sided(cap, [record(22, bad_block)])
    conn = Conn(cap, 40002)
    conn.open()
    conn.send(0, record(22, bad_sni))
    conn.close()
    return cap.bytes()


@case("a server Certificate message claiming 16 MiB, its chain never arriving")
def certificate_16mib():
    cap = Capture()
    hello = client_hello(sni(b"big.example"))
    server_hello = handshake(2, struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + b"\xc0\x2f"
                             + b"\x00")
    # the largest lengths 24 bits hold: 16 MiB - 1 for the message, 3 less for its list
    cert = handshake(11, (16 * 1024 * 1024 - 4).to_bytes(3, "big") + bytes(1000),
                     length=16 * 1024 * 1024 - 1)
    one_sided(cap, [record(22, hello)], [record(22, server_hello), record(22, cert)])
    return cap.bytes()


@case("a valid record header followed by random bytes instead of a handshake message, "
      "then garbage where the next header should be")
def random_after_header():
    cap = Capture()
    rnd = bytes((i * 97 + 13) % 256 for i in range(300))
    one_sided(cap, [record(22, rnd[:120]) + rnd[120:]])
    return cap.bytes()


@case("plain HTTP on port 443")
def http_on_443():
    cap = Capture()
    one_sided(cap, [b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"],
              [b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"])
    return cap.bytes()


@case("an SSLv2-format header (top bit set, type 1) followed by garbage")
def sslv2_garbage():
    cap = Capture()
    one_sided(cap, [b"\x80\x40\x01\x03\x01" + bytes((i * 31) % 256 for i in range(59))])
    return cap.bytes()


def der(tag, body):
    n = len(body)
    size = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + \
        n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + size + body


def der_seq(*parts):
    return der(0x30, b"".join(parts))


def der_name(*rdns):
    """An X.501 Name, one attribute per RDN: (OID bytes, ASN.1 string tag, value bytes)."""
    return der_seq(*(der(0x31, der_seq(der(0x06, oid), der(tag, value)))
                     for oid, tag, value in rdns))


OID_CN, OID_O = bytes([0x55, 0x04, 0x03]), bytes([0x55, 0x04, 0x0a])
OID_ED25519 = bytes([0x2b, 0x65, 0x70])
OID_SAN = bytes([0x55, 0x1d, 0x11])
UTF8STRING = 0x0c


def hostile_certificate(subject, issuer, dns_names):
    """An Ed25519 certificate (RFC 5280 4.1, RFC 8410) with the given names; the signature is
    not valid (hsdump never verifies one), every field is well-formed DER."""
    san = der_seq(*(der(0x82, name) for name in dns_names))
    extensions = der(0xa3, der_seq(der_seq(der(0x06, OID_SAN), der(0x04, san))))
    tbs = der_seq(der(0xa0, der(0x02, b"\x02")), der(0x02, b"\x01\x02\x03\x04"),
                  der_seq(der(0x06, OID_ED25519)), issuer,
                  der_seq(der(0x17, b"260101000000Z"), der(0x17, b"360101000000Z")), subject,
                  der_seq(der_seq(der(0x06, OID_ED25519)), der(0x03, b"\x00" + bytes(range(32)))),
                  extensions)
    return der_seq(tbs, der_seq(der(0x06, OID_ED25519)), der(0x03, b"\x00" + bytes(64)))


# What a hostile peer can put in names that reach the output: fields of the line, quotes,
# backslashes, a list's comma, a newline, UTF-8, and bytes that are not UTF-8.
FORGED = b"a sni=bank.example status=established"


def alpn(names):
    lst = b"".join(struct.pack("!B", len(n)) + n for n in names)
    body = struct.pack("!H", len(lst)) + lst
    return struct.pack("!HH", 16, len(body)) + body


@case("a TLS 1.2 handshake whose SNI, ALPN names and certificate names carry forged fields "
      "(a sni=bank.example status=established), quotes, backslashes, commas, a newline, UTF-8 "
      "and bytes that are not UTF-8")
def forged_fields():
    cap = Capture()
    offered = [FORGED, b'q"uote\\back,comma', b"line\nstatus=established", b"caf\xc3\xa9\xff"]
    hello = client_hello(sni(FORGED) + alpn(offered))
    chosen = alpn([FORGED])
    server_hello = handshake(2, struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + b"\xc0\x2f"
                             + b"\x00" + struct.pack("!H", len(chosen)) + chosen)
    subject = der_name((OID_CN, UTF8STRING, FORGED), (OID_O, UTF8STRING, b"GitHub, Inc."),
                       (OID_O, UTF8STRING, b'x" sni=\\"bank.example\ncaf\xc3\xa9'))
    issuer = der_name((OID_CN, UTF8STRING, b"CN=server.example, O=Example"))
    cert = hostile_certificate(subject, issuer, [FORGED, b"ok.example", b"\xff,x=y"])
    chain = (len(cert) + 3).to_bytes(3, "big") + len(cert).to_bytes(3, "big") + cert
    one_sided(cap, [record(22, hello)],
              [record(22, server_hello + handshake(11, chain) + handshake(14, b""))])
    return cap.bytes()


def after_prelude(cap, cport, sport, prelude):
    """A connection whose TLS 1.2 handshake (tls12-full's payloads) follows a plaintext
    exchange: prelude is a list of (direction, bytes)."""
    conn = Conn(cap, cport, sport)
    conn.open()
    for d, payload in prelude + tls12_full_streams():
        conn.send(d, payload)
    conn.close()


# MS-RDPBCGR 2.2.1.1: TPKT (T.123 8), X.224 Connection Request (X.224 13.3), a routing
# cookie, RDP_NEG_REQ (2.2.1.1.1) asking for PROTOCOL_SSL | PROTOCOL_HYBRID.
RDP_COOKIE = b"Cookie: mstshash=hsdump\r\n"
RDP_NEG_REQ = struct.pack("<BBHI", 0x01, 0x00, 8, 0x03)
RDP_REQUEST = (struct.pack("!BBHB", 3, 0, 4 + 1 + 6 + len(RDP_COOKIE) + 8,
                           6 + len(RDP_COOKIE) + 8)
               + b"\xe0\x00\x00\x00\x00\x00" + RDP_COOKIE + RDP_NEG_REQ)


def rdp_confirm(neg_type, value):
    """2.2.1.2: TPKT, X.224 Connection Confirm (13.4), then RDP_NEG_RSP (2.2.1.2.1: the
    selected protocol) or RDP_NEG_FAILURE (2.2.1.2.2: a failure code)."""
    return (struct.pack("!BBHB", 3, 0, 19, 14) + b"\xd0\x00\x00\x12\x34\x00"
            + struct.pack("<BBHI", neg_type, 0x00, 8, value))


@case("RDP negotiation (X.224 Connection Request/Confirm, MS-RDPBCGR 2.2.1.1-2) choosing "
      "PROTOCOL_HYBRID, then TLS; then one refused with RDP_NEG_FAILURE")
def rdp_negotiation():
    cap = Capture()
    after_prelude(cap, 40000, 3389, [(0, RDP_REQUEST), (1, rdp_confirm(0x02, 0x02))])
    conn = Conn(cap, 40001, 3389)
    conn.open()
    conn.send(0, RDP_REQUEST)
    conn.send(1, rdp_confirm(0x03, 0x05))  # HYBRID_REQUIRED_BY_SERVER
    conn.close()
    good_connection(cap)
    return cap.bytes()


@case("tunnels whose target is hostile: a SOCKS 5 host name holding ' sni=' and "
      "' status=', an HTTP CONNECT target of 300 bytes")
def tunnel_hostile_targets():
    cap = Capture()
    name = b"a sni=bank.example status=established"
    after_prelude(cap, 40000, 1080, [
        (0, b"\x05\x01\x00"), (1, b"\x05\x00"),
        (0, b"\x05\x01\x00\x03" + bytes([len(name)]) + name + b"\x01\xbb"),
        (1, b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")])
    after_prelude(cap, 40001, 3128, [
        (0, b"CONNECT " + b"x" * 296 + b":443 HTTP/1.1\r\n\r\n"),
        (1, b"HTTP/1.1 200 OK\r\n\r\n")])
    good_connection(cap)
    return cap.bytes()


def tls12_conn_with(cap, reorder):
    conn = Conn(cap, 40000, 443)
    conn.open()
    frames = []
    for d, payload in tls12_full_streams():
        frames.append(conn.segment(d, payload))
    for f in reorder(frames, conn):
        cap.add(f)
    conn.close()


@case("the TLS 1.2 handshake with the server's first flight in three segments sent out of "
      "order, one retransmitted and one overlapping resend")
def reordered_retransmitted_overlapping():
    cap = Capture()
    conn = Conn(cap, 40000, 443)
    conn.open()
    for i, (d, payload) in enumerate(tls12_full_streams()):
        if d == 1 and i == 1:
            base = conn.seq[1]
            a, b = len(payload) // 3, 2 * len(payload) // 3
            parts = [(base + b, payload[b:]), (base, payload[:a]), (base, payload[:a]),
                     (base + a // 2, payload[a // 2:b])]
            for seq, data in parts:
                cap.add(conn.segment(1, data, seq=seq))
            conn.seq[1] += len(payload)
        else:
            conn.send(d, payload)
    conn.close()
    good_connection(cap)
    return cap.bytes()


@case("the TLS 1.2 handshake with the server's second segment lost (a gap)")
def gap_in_handshake():
    cap = Capture()

    def drop(frames, conn):
        return [f for i, f in enumerate(frames) if i != 2]
    tls12_conn_with(cap, drop)
    good_connection(cap)
    return cap.bytes()


@case("a connection whose ClientHello stops half-way and never closes, then a good connection "
      "400 s later in packet time (past the 300 s idle timeout)")
def idle_connection():
    cap = Capture()
    conn = Conn(cap, 40000)
    conn.open()
    conn.send(0, record(22, client_hello(sni(b"idle.example")))[:40])
    cap.usec += 400 * 1000000
    good_connection(cap)
    return cap.bytes()


def after_handshake(cap, name="tls12-full.pcap", cport=40000):
    """A connection of a bundled capture up to the end of its handshake (its last two payload
    segments, the encrypted close_notify alerts, left out): what follows is the case's."""
    conn = Conn(cap, cport, 443)
    conn.open()
    for d, payload in tls12_full_streams(name)[:-2]:
        conn.send(d, payload)
    return conn


def protected(content_type, n, seed):
    return record(content_type, bytes((seed + i * 37) % 256 for i in range(n)))


@case("after a TLS 1.2 handshake: application data in three segments sent out of order with "
      "a retransmission, an alert whose header is split across segments, and the server's FIN "
      "ahead of its last segment")
def after_handshake_reordered():
    cap = Capture()
    conn = after_handshake(cap)
    data = protected(23, 3000, 1) + protected(21, 26, 2)
    base = conn.seq[1]
    cut = [0, 1000, 2000, 3004, len(data)]  # 3004: two bytes into the alert's header
    parts = [(base + cut[i], data[cut[i]:cut[i + 1]]) for i in range(4)]
    for i in (2, 0, 1, 0):
        cap.add(conn.segment(1, parts[i][1], seq=parts[i][0]))
    cap.add(conn.segment(1, b"", 0x11, seq=base + len(data)))
    cap.add(conn.segment(1, parts[3][1], seq=parts[3][0]))
    conn.seq[1] = base + len(data) + 1
    conn.send(0, protected(21, 26, 3))
    conn.send(0, b"", 0x11)
    conn.send(1, b"", 0x10)
    conn.send(0, b"", 0x10)
    good_connection(cap)
    return cap.bytes()


@case("after a TLS 1.2 handshake: the client resets the connection mid-record")
def after_handshake_reset():
    cap = Capture()
    conn = after_handshake(cap)
    conn.send(0, protected(23, 100, 4)[:50])
    conn.send(0, b"", 0x14)
    good_connection(cap)
    return cap.bytes()


@case("after a TLS 1.2 handshake: a lost server segment, then an alert behind it that never "
      "reaches the record layer, and no close")
def after_handshake_gap():
    cap = Capture()
    conn = after_handshake(cap)
    conn.seq[1] += 700  # never captured
    conn.send(1, protected(21, 26, 5))
    conn.send(0, protected(23, 40, 6))
    good_connection(cap)
    return cap.bytes()


@case("after a TLS 1.2 handshake: a new SYN on the same addresses and ports starts another "
      "connection, whose handshake is dissected too")
def after_handshake_reused():
    cap = Capture()
    after_handshake(cap)
    conn = Conn(cap, 40000, 443)
    conn.seq = [70000, 90000]
    conn.send(0, b"", 0x02)
    conn.send(1, b"", 0x12)
    conn.send(0, b"", 0x10)
    for d, payload in tls12_full_streams():
        conn.send(d, payload)
    conn.close()
    good_connection(cap)
    return cap.bytes()


@case("after a TLS 1.3 handshake: the server's FIN ahead of its last segment, a duplicate "
      "FIN, then the client's FIN")
def after_handshake_tls13_fin():
    cap = Capture()
    conn = after_handshake(cap, "tls13-full.pcap")
    base = conn.seq[1]
    data = protected(23, 500, 7) + protected(23, 300, 8)
    cap.add(conn.segment(1, data[:505], seq=base))
    cap.add(conn.segment(1, b"", 0x11, seq=base + len(data)))
    cap.add(conn.segment(1, data[505:], seq=base + 505))
    cap.add(conn.segment(1, b"", 0x11, seq=base + len(data)))
    conn.seq[1] = base + len(data) + 1
    conn.send(0, b"", 0x11)
    conn.send(1, b"", 0x10)
    good_connection(cap)
    return cap.bytes()


def ipv4_fragments(frame, at):
    """The Ethernet frame's IPv4 packet as two fragments, the first carrying `at` bytes (a
    multiple of 8) of its payload; header checksums recomputed."""
    ip = frame[14:]
    header, payload = ip[:20], ip[20:]
    frames = []
    for offset, part, more in ((0, payload[:at], True), (at, payload[at:], False)):
        h = bytearray(header)
        h[2:4] = struct.pack("!H", 20 + len(part))
        h[6:8] = struct.pack("!H", (0x2000 if more else 0) | (offset // 8))
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack("!H", checksum(bytes(h)))
        frames.append(frame[:14] + bytes(h) + part)
    return frames


@case("after a TLS 1.2 handshake: the client's encrypted alert in an IPv4 packet cut into "
      "two fragments (its record header in the second)")
def after_handshake_fragmented():
    cap = Capture()
    conn = after_handshake(cap)
    for f in ipv4_fragments(conn.segment(0, protected(21, 26, 9)), 24):
        cap.add(f)
    conn.close()
    good_connection(cap)
    return cap.bytes()


@case("three TLS 1.2 connections past their handshake at once, then closed in order (with "
      "--max-conns 2 the least recently active is evicted)")
def after_handshake_three():
    cap = Capture()
    conns = [after_handshake(cap, cport=40000 + i) for i in range(3)]
    for conn in conns:
        conn.close()
    good_connection(cap)
    return cap.bytes()


@case("a connection whose ClientHello trickles in a byte every 200 s for 70 minutes, then "
      "(past libnids' one-hour flow timeout) the same SYN again, same sequence number, and a "
      "whole handshake")
def syn_after_flow_timeout():
    cap = Capture()
    conn = Conn(cap, 40000)
    conn.open()
    hello = record(22, client_hello(sni(b"first.example")))
    for i in range(21):  # never the whole record: the first connection stays in its handshake
        conn.send(0, hello[i:i + 1])
        cap.usec += 200 * 1000000
    again = Conn(cap, 40000)
    again.open()
    for d, payload in tls12_full_streams():
        again.send(d, payload)
    again.close()
    good_connection(cap)
    return cap.bytes()


def syn_flood(n):
    out = sys.stdout.buffer
    out.write(pcap_header())
    for i in range(n):
        src = bytes([10, 1 + (i >> 16) % 200, (i >> 8) & 255, i & 255])
        frame = ether(ipv4_tcp(src, SERVER, 1024 + i % 64000, 443, i, 0, 0x02, b""))
        out.write(struct.pack("<IIII", T0 + i // 1000000, i % 1000000, len(frame), len(frame))
                  + frame)
    cap = Capture()
    good_connection(cap)
    out.write(cap.bytes()[24:])


def handshake_flood(megabytes):
    out = sys.stdout.buffer
    out.write(pcap_header())
    cap = Capture()
    conn = Conn(cap, 40000)
    conn.open()
    out.write(cap.bytes()[24:])
    chunk = record(22, handshake(99, bytes(16000))) * 4   # 64 KB of unknown handshake messages
    sent = 0
    while sent < megabytes * 1024 * 1024:
        cap = Capture()
        cap.usec = conn.cap.usec
        conn.cap = cap
        for i in range(0, len(chunk), 1400):
            conn.send(0, chunk[i:i + 1400])
            if i % 14000 == 0:
                conn.send(1, b"", 0x10)  # the server acknowledges: data stays in its window
        out.write(cap.bytes()[24:])
        sent += len(chunk)
    cap = Capture()
    cap.usec = conn.cap.usec
    conn.cap = cap
    conn.close()
    good_connection(cap)
    out.write(cap.bytes()[24:])


def main(argv):
    if argv[1:2] == ["--list"]:
        for name, (description, _) in CASES.items():
            print(f"{name}: {description}")
        return 0
    if argv[1:2] == ["syn-flood"]:
        syn_flood(int(argv[2]) if len(argv) > 2 else 1000000)
        return 0
    if argv[1:2] == ["handshake-flood"]:
        handshake_flood(int(argv[2]) if len(argv) > 2 else 100)
        return 0
    names = argv[1:] or list(CASES)
    os.makedirs(os.path.join(HERE, "hostile"), exist_ok=True)
    for name in names:
        data = CASES[name][1]()
        with open(os.path.join(HERE, "hostile", name + ".pcap"), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
