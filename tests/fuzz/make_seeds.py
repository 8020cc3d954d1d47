#!/usr/bin/env python3
"""Seed corpora for the fuzzers, from the bundled captures (pcap format).

  make_seeds.py OUTDIR CAPTURE...

writes OUTDIR/capture/ (each capture file as is), OUTDIR/link/ (each frame prefixed with the
fuzz_link index of its link type), OUTDIR/record/ (each TCP connection's payload as the
fuzz_record chunks: direction byte, u16 length, bytes, in capture order, after the keyless mode
byte; a key-logged capture's, pcaps/keylog-NAME.pcap, once more with keys and its key log
pcaps/keylogs/keylog-NAME.keylog; and handshakes whose protected records fuzz_record seals
itself: TLS 1.3 with a compressed certificate, tickets, KeyUpdates, 0-RTT and alerts, TLS 1.2
with AEAD and CBC suites and a renegotiation) and
OUTDIR/datagram/ for fuzz_datagram: each UDP flow's datagrams as a DTLS input, and each TCP
connection's first ClientHello and ServerHello as the CRYPTO frames of a QUIC input."""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import zlib

# fuzz_link.c's link_types[] order
LINK_INDEX = {1: 0, 113: 1, 276: 2, 12: 8, 101: 9, 228: 4, 229: 5, 0: 6, 108: 7}


def frames(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        endian = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        endian = ">"
    else:
        return None, []
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0fffffff
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, out


def ip_of(linktype, frame):
    if linktype == 1:
        ethertype, off = struct.unpack(">H", frame[12:14])[0], 14
        while ethertype in (0x8100, 0x88a8, 0x9100):
            ethertype, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
        return frame[off:]
    if linktype == 113:
        return frame[16:]
    if linktype == 276:
        return frame[20:]
    if linktype in (0, 108):
        return frame[4:]
    return frame


def transport_of(ip, proto):
    """(source, destination, transport header and payload) of an IP packet carrying proto."""
    if not ip:
        return None
    if ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        if ip[9] != proto:
            return None
        return ip[12:16], ip[16:20], ip[ihl:]
    if ip[0] >> 4 == 6:
        if ip[6] != proto:
            return None
        return ip[8:24], ip[24:40], ip[40:]
    return None


def tcp_of(ip):
    t = transport_of(ip, 6)
    if t is None:
        return None
    src, dst, tcp = t
    sport, dport = struct.unpack(">HH", tcp[:4])
    flags, off = tcp[13], (tcp[12] >> 4) * 4
    return (src, sport), (dst, dport), flags, tcp[off:]


def udp_of(ip):
    t = transport_of(ip, 17)
    if t is None:
        return None
    src, dst, udp = t
    sport, dport = struct.unpack(">HH", udp[:4])
    return (src, sport), (dst, dport), udp[8:]


def chunk(flags, body):
    return bytes([flags]) + struct.pack(">H", len(body)) + body


def first_hellos(blob):
    """The first handshake message of each direction of a fuzz_record stream, from records
    that begin with one: the ClientHello and the ServerHello."""
    out, i = {}, 0
    while i + 3 <= len(blob):
        d, n = blob[i], struct.unpack(">H", blob[i + 1:i + 3])[0]
        payload = blob[i + 3:i + 3 + n]
        i += 3 + n
        if d not in out and len(payload) >= 9 and payload[0] == 22:
            length = struct.unpack(">I", b"\0" + payload[6:9])[0]
            out[d] = payload[5:9 + length]
    return out


def quic_seed(hellos):
    """fuzz_datagram input: QUIC v1, one Initial each way with the hello as a CRYPTO frame."""
    blob = bytes([0])
    for d in (0, 1):
        msg = hellos.get(d)
        if msg is not None and len(msg) < 1200:
            frame = bytes([6, 0x40, 0]) + struct.pack(">H", 0x4000 | len(msg)) + msg
            blob += chunk(d, frame)
    return blob


# fuzz_record's mode byte and chunk flags (tests/fuzz/fuzz_record.c)
MODE_KEYLESS, MODE_KEYS, MODE_KEYLOG, MODE_EARLY_SHA384, MODE_LATE, MODE_CLOSED = 0, 1, 2, 4, 8, 16
MODE_BIG_BUDGET = 0x80
C2S, S2C, SEALED = 0, 1, 2
HANDSHAKE, ALERT, APPDATA, OTHER = 0, 4, 8, 12  # flags bits 2-3: the sealed content type
PADDED, SPOILED, STAY_EARLY, SPLIT = 0x10, 0x20, 0x40, 0x80


def keyed_capture_seed(blob, keylog):
    """A key-logged capture's connection with its key log: its records open as captured."""
    return bytes([MODE_KEYS | MODE_KEYLOG | MODE_CLOSED]) + struct.pack(">H", len(keylog)) + \
        keylog + blob


def u8v(b):
    return bytes([len(b)]) + b


def u16v(b):
    return struct.pack(">H", len(b)) + b


def u24v(b):
    return struct.pack(">I", len(b))[1:] + b


def ext(kind, body):
    return struct.pack(">H", kind) + u16v(body)


def hs(kind, body):
    return bytes([kind]) + u24v(body)


def rec(kind, body, version=0x0303):
    return bytes([kind]) + struct.pack(">H", version) + u16v(body)


def first_certificate(captures):
    """The first certificate of a plaintext TLS 1.2 Certificate message in the captures."""
    for path in captures:
        linktype, fs = frames(path)
        if linktype is None or "tls12" not in os.path.basename(path):
            continue
        server, port = bytearray(), None
        for frame in fs:
            seg = tcp_of(ip_of(linktype, frame))
            if seg is None or not seg[3]:
                continue
            if port is None and seg[3][:1] == b"\x16" and seg[3][5:6] == b"\x02":
                port = seg[0][1]  # the ServerHello's sender
            if seg[0][1] == port:
                server.extend(seg[3])
        msgs, i = bytearray(), 0
        while i + 5 <= len(server):
            n = struct.unpack(">H", server[i + 3:i + 5])[0]
            if server[i] == 22:
                msgs.extend(server[i + 5:i + 5 + n])
            i += 5 + n
        j = 0
        while j + 4 <= len(msgs):
            n = struct.unpack(">I", b"\0" + msgs[j + 1:j + 4])[0]
            if msgs[j] == 11 and n > 6:
                first = struct.unpack(">I", b"\0" + msgs[j + 7:j + 10])[0]
                return bytes(msgs[j + 10:j + 10 + first])
            j += 4 + n
    return bytes(range(256)) * 2  # not DER, still a certificate to read


def tls13_client_hello(random, early=False, suites=(0x1301, 0x1302, 0x1303, 0x1304, 0x1305)):
    exts = ext(0x0000, u16v(b"\0" + u16v(b"example.com")))
    exts += ext(0x000a, u16v(struct.pack(">H", 0x001d)))
    exts += ext(0x000d, u16v(struct.pack(">HH", 0x0804, 0x0403)))
    exts += ext(0x0010, u16v(u8v(b"h2")))
    exts += ext(0x001b, u8v(struct.pack(">HH", 1, 2)))  # compress_certificate: zlib, brotli
    exts += ext(0x002b, u8v(struct.pack(">HH", 0x0304, 0x0303)))
    exts += ext(0x002d, u8v(b"\x01"))
    exts += ext(0x0033, u16v(struct.pack(">H", 0x001d) + u16v(bytes(range(32)))))
    if early:
        exts += ext(0x002a, b"")
        identity = u16v(bytes(range(48))) + struct.pack(">I", 12345)
        exts += ext(0x0029, u16v(identity) + u16v(u8v(bytes(32))))
    body = struct.pack(">H", 0x0303) + random + u8v(bytes(32)) + \
        u16v(b"".join(struct.pack(">H", x) for x in suites)) + u8v(b"\0") + u16v(exts)
    return rec(22, hs(1, body), 0x0301)


def tls13_server_hello(suite, psk=False):
    exts = ext(0x002b, struct.pack(">H", 0x0304))
    exts += ext(0x0033, struct.pack(">H", 0x001d) + u16v(bytes(range(32, 64))))
    if psk:
        exts += ext(0x0029, struct.pack(">H", 0))
    body = struct.pack(">H", 0x0303) + bytes(range(100, 132)) + u8v(bytes(32)) + \
        struct.pack(">HB", suite, 0) + u16v(exts)
    return rec(22, hs(2, body))


def certificate13(cert):
    return u8v(b"") + u24v(u24v(cert) + u16v(b""))


def tls13_seeds(cert):
    """fuzz_record inputs with the protected records sealed by the harness."""
    random = bytes(range(1, 33))
    ee = hs(8, u16v(ext(0x0000, b"") + ext(0x0010, u16v(u8v(b"h2")))))
    body = certificate13(cert)
    compressed = hs(25, struct.pack(">H", 1) + struct.pack(">I", len(body))[1:] +
                    u24v(zlib.compress(body)))
    verify = hs(15, struct.pack(">H", 0x0804) + u16v(bytes(range(256))))
    finished = hs(20, bytes(range(32)))
    ticket = hs(4, struct.pack(">II", 7200, 99) + u8v(b"\0") + u16v(bytes(64)) +
                u16v(ext(0x002a, struct.pack(">I", 16384))))
    seeds = []
    for suite, mode in ((0x1301, 0), (0x1302, 0), (0x1303, MODE_LATE), (0x1304, 0),
                        (0x1305, 0)):
        blob = bytes([MODE_KEYS | MODE_CLOSED | mode])
        blob += chunk(C2S, tls13_client_hello(random))
        blob += chunk(S2C, tls13_server_hello(suite))
        blob += chunk(S2C, rec(20, b"\x01"))
        blob += chunk(S2C | SEALED, ee)
        blob += chunk(S2C | SEALED | PADDED, compressed)
        blob += chunk(S2C | SEALED | SPLIT, verify + finished)
        blob += chunk(C2S, rec(20, b"\x01"))
        blob += chunk(C2S | SEALED, finished)
        blob += chunk(S2C | SEALED, ticket + ticket)
        blob += chunk(C2S | SEALED | APPDATA, b"GET / HTTP/1.1\r\n\r\n")
        blob += chunk(S2C | SEALED, hs(24, b"\x01"))
        blob += chunk(S2C | SEALED | APPDATA, b"HTTP/1.1 200 OK\r\n\r\n")
        blob += chunk(C2S | SEALED, hs(24, b"\x00"))
        blob += chunk(S2C | SEALED, hs(13, u8v(b"\x07") + u16v(
            ext(0x000d, u16v(struct.pack(">H", 0x0804))))))
        blob += chunk(C2S | SEALED, hs(11, u8v(b"\x07") + u24v(b"")) + finished)
        blob += chunk(C2S | SEALED | ALERT, b"\x01\x00")
        blob += chunk(S2C | SEALED | ALERT, b"\x01\x00")
        seeds.append(blob)
    # RFC 8879 3: brotli (2) and zstd (3) too, when their command-line tools are installed
    for algorithm, tool in ((2, ["brotli", "-c"]), (3, ["zstd", "-q", "-c", "--zstd=wlog=10"])):
        if shutil.which(tool[0]) is None:
            continue
        packed = subprocess.run(tool, input=body, stdout=subprocess.PIPE, check=True).stdout
        blob = bytes([MODE_KEYS | MODE_CLOSED | MODE_BIG_BUDGET])
        blob += chunk(C2S, tls13_client_hello(random))
        blob += chunk(S2C, tls13_server_hello(0x1301))
        blob += chunk(S2C | SEALED, ee + hs(25, struct.pack(">H", algorithm) +
                                           struct.pack(">I", len(body))[1:] + u24v(packed)))
        seeds.append(blob)
    # a plain Certificate, and a client certificate the server refuses with an alert
    blob = bytes([MODE_KEYS | MODE_CLOSED])
    blob += chunk(C2S, tls13_client_hello(random))
    blob += chunk(S2C, tls13_server_hello(0x1301))
    blob += chunk(S2C | SEALED, ee + hs(13, u8v(b"") + u16v(
        ext(0x000d, u16v(struct.pack(">H", 0x0804))))) + hs(11, body) + verify + finished)
    blob += chunk(C2S | SEALED, hs(11, body) + verify + finished)
    blob += chunk(S2C | SEALED | ALERT, b"\x02\x2a")
    seeds.append(blob)
    # 0-RTT accepted: early data, EndOfEarlyData, then the handshake keys
    for mode in (0, MODE_EARLY_SHA384, 1 << 5, 2 << 5):
        blob = bytes([MODE_KEYS | MODE_CLOSED | mode])
        blob += chunk(C2S, tls13_client_hello(random, early=True))
        blob += chunk(C2S | SEALED | APPDATA, b"GET /early HTTP/1.1\r\n\r\n")
        blob += chunk(S2C, tls13_server_hello(0x1302 if mode & MODE_EARLY_SHA384 else 0x1301,
                                              psk=True))
        blob += chunk(S2C | SEALED, hs(8, u16v(ext(0x002a, b""))) + finished)
        blob += chunk(C2S | SEALED | APPDATA | STAY_EARLY, b"more early data")
        blob += chunk(C2S | SEALED | STAY_EARLY, hs(5, b""))
        blob += chunk(C2S | SEALED, finished)
        blob += chunk(S2C | SEALED | APPDATA, b"HTTP/1.1 200 OK\r\n\r\n")
        seeds.append(blob)
    # 0-RTT rejected: the client's next records are under its handshake secret; a bad record
    blob = bytes([MODE_KEYS | MODE_CLOSED])
    blob += chunk(C2S, tls13_client_hello(random, early=True))
    blob += chunk(C2S | SEALED | APPDATA, b"GET /early HTTP/1.1\r\n\r\n")
    blob += chunk(S2C, tls13_server_hello(0x1301))
    blob += chunk(S2C | SEALED, ee + finished)
    blob += chunk(C2S | SEALED, finished)
    blob += chunk(S2C | SEALED | SPOILED, ticket)
    seeds.append(blob)
    return seeds


def tls12_seeds(cert):
    seeds = []
    for suite, version in ((0xc02f, 0x0303), (0xc030, 0x0303), (0xcca8, 0x0303),
                           (0xc0ac, 0x0303), (0xc0ae, 0x0303), (0x009c, 0x0303),
                           (0xc013, 0x0303), (0xc028, 0x0303), (0x002f, 0x0302),
                           (0x000a, 0x0301), (0x002f, 0x0301)):
        for etm in (False, True):
            blob = bytes([MODE_KEYS | MODE_CLOSED])
            for renegotiation in (False, True):
                cexts = ext(0xff01, u8v(b"")) + ext(0x0017, b"")
                if etm:
                    cexts += ext(0x0016, b"")
                random = bytes([renegotiation]) * 32
                ch = hs(1, struct.pack(">H", version) + random + u8v(b"") +
                        u16v(struct.pack(">HH", suite, 0x00ff)) + u8v(b"\0") + u16v(cexts))
                sh = hs(2, struct.pack(">H", version) + bytes([7 + renegotiation]) * 32 +
                        u8v(bytes(32)) + struct.pack(">HB", suite, 0) + u16v(cexts))
                rest = hs(11, u24v(u24v(cert))) + hs(14, b"")
                cke = hs(16, u16v(bytes(range(256))))
                finished = hs(20, bytes(12))
                if not renegotiation:
                    blob += chunk(C2S, rec(22, ch, version))
                    blob += chunk(S2C, rec(22, sh + rest, version))
                    blob += chunk(C2S, rec(22, cke, version) + rec(20, b"\x01", version))
                    blob += chunk(C2S | SEALED, finished)
                    blob += chunk(S2C, rec(20, b"\x01", version))
                    blob += chunk(S2C | SEALED | SPLIT, finished)
                    blob += chunk(C2S | SEALED | APPDATA, b"GET / HTTP/1.1\r\n\r\n")
                    blob += chunk(S2C | SEALED, hs(0, b""))
                else:
                    blob += chunk(C2S | SEALED, ch)
                    blob += chunk(S2C | SEALED, sh + rest)
                    blob += chunk(C2S | SEALED, cke)
                    blob += chunk(C2S | SEALED | OTHER, b"\x01")
                    blob += chunk(C2S | SEALED, finished)
                    blob += chunk(S2C | SEALED | OTHER, b"\x01")
                    blob += chunk(S2C | SEALED, finished)
            blob += chunk(S2C | SEALED | ALERT, b"\x01\x00")
            blob += chunk(C2S | SEALED | ALERT, b"\x02\x28")
            seeds.append(blob)
    return seeds


def save(directory, blob):
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(blob)


def main():
    outdir, captures = sys.argv[1], sys.argv[2:]
    for path in captures:
        save(os.path.join(outdir, "capture"), open(path, "rb").read())
        linktype, fs = frames(path)
        if linktype is None:
            continue
        streams, clients, flows = {}, {}, {}
        for frame in fs:
            if linktype in LINK_INDEX:
                save(os.path.join(outdir, "link"), bytes([LINK_INDEX[linktype]]) + frame)
            dgram = udp_of(ip_of(linktype, frame))
            if dgram is not None:
                a, b, payload = dgram
                key = tuple(sorted([a, b]))
                first = flows.setdefault(key, [a, bytearray([1])])
                first[1].extend(chunk(0 if first[0] == a else 1, payload))
                continue
            seg = tcp_of(ip_of(linktype, frame))
            if seg is None:
                continue
            a, b, flags, payload = seg
            key = tuple(sorted([a, b]))
            if flags & 0x02 and not flags & 0x10:  # SYN: a is the client
                clients[key] = a
            if payload:
                d = 0 if clients.get(key, a) == a else 1
                streams.setdefault(key, bytearray()).extend(
                    bytes([d]) + struct.pack(">H", len(payload)) + payload)
        name = os.path.basename(path)
        keylog = os.path.join(os.path.dirname(path), "keylogs", name[:-len(".pcap")] + ".keylog")
        if not (name.startswith("keylog-") and name.endswith(".pcap") and os.path.exists(keylog)):
            keylog = None
        for blob in streams.values():
            save(os.path.join(outdir, "record"), bytes([MODE_KEYLESS]) + bytes(blob))
            if keylog is not None:
                save(os.path.join(outdir, "record"),
                     keyed_capture_seed(bytes(blob), open(keylog, "rb").read()))
            hellos = first_hellos(blob)
            if hellos:
                save(os.path.join(outdir, "datagram"), quic_seed(hellos))
        for _, blob in flows.values():
            save(os.path.join(outdir, "datagram"), bytes(blob))
    cert = first_certificate(captures)
    for blob in tls13_seeds(cert) + tls12_seeds(cert):
        save(os.path.join(outdir, "record"), blob)


if __name__ == "__main__":
    main()
