#!/usr/bin/env python3
"""Seed corpora for the fuzzers, from the bundled captures (pcap format).

  make_seeds.py OUTDIR CAPTURE...

writes OUTDIR/capture/ (each capture file as is), OUTDIR/link/ (each frame prefixed with the
fuzz_link index of its link type), OUTDIR/record/ (each TCP connection's payload as the
fuzz_record chunks: direction byte, u16 length, bytes, in capture order) and
OUTDIR/datagram/ for fuzz_datagram: each UDP flow's datagrams as a DTLS input, and each TCP
connection's first ClientHello and ServerHello as the CRYPTO frames of a QUIC input."""
import hashlib
import os
import struct
import sys

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
        for blob in streams.values():
            save(os.path.join(outdir, "record"), bytes(blob))
            hellos = first_hellos(blob)
            if hellos:
                save(os.path.join(outdir, "datagram"), quic_seed(hellos))
        for _, blob in flows.values():
            save(os.path.join(outdir, "datagram"), bytes(blob))


if __name__ == "__main__":
    main()
