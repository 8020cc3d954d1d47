#!/usr/bin/env python3
"""Builds the two captures of the memory benchmark (issue 16): handshake messages that claim
much and bring little, from many peers at once, so that what hsdump buffers for them shows.

  dtls: --flows DTLS flows (default 4096, hsdump's UDP flow table) whose client sends
        --fragments one-byte ClientHello fragments and whose server sends as many one-byte
        Certificate fragments, each fragment header claiming a 262144-byte message
        (RFC 6347 4.2.2), at offsets far apart so no two bytes ever join. The flows take
        turns, one fragment each, so every flow is open until the end.
  tcp:  --connections TCP connections (default 65536, hsdump's --max-conns) that each open
        with SYN, SYN/ACK, ACK, then dribble one ClientHello claiming 262144 bytes: its first
        --records handshake records of --record-size bytes each, one TCP segment per record
        (or segments of --mss bytes), the last record cut after --last-bytes bytes if given,
        so that it stays incomplete too. The connections take turns, one segment each, and
        none ever completes its message.

Ethernet, IPv4 with correct header checksums; UDP without checksum (allowed over IPv4, RFC
768); TCP checksums zero (hsdump, like Wireshark, does not check them by default).
Timestamps grow by 1 us per packet. The same arguments always give the same bytes. Standard
library only."""
import argparse
import struct
import sys

EPOCH = 1798761600                  # 2027-01-01T00:00:00Z
CLAIMED = 256 * 1024                # the length every handshake header claims
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)  # DLT_EN10MB
REC = struct.Struct("<IIII")
IP4 = struct.Struct(">BBHHHBBH4s4s")
UDP = struct.Struct(">HHHH")
TCP = struct.Struct(">HHIIBBHHH")
ETH = bytes.fromhex("020000000002" "020000000001" "0800")
SYN, ACK, PSH = 0x02, 0x10, 0x08
SERVER = bytes([10, 255, 0, 1])


def ip_checksum(header):
    s = sum(struct.unpack(">10H", header))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Writer:
    def __init__(self, out):
        self.out = out
        self.chunks = [PCAP_HEADER]
        self.size = len(PCAP_HEADER)
        self.packets = 0
        self.us = 0

    def packet(self, src, dst, proto, l4):
        header = IP4.pack(0x45, 0, 20 + len(l4), self.packets & 0xFFFF, 0x4000, 64, proto, 0,
                          src, dst)
        csum = ip_checksum(header)
        ip = header[:10] + struct.pack(">H", csum) + header[12:]
        frame = ETH + ip + l4
        self.us += 1
        self.chunks.append(REC.pack(EPOCH + self.us // 1000000, self.us % 1000000, len(frame),
                                    len(frame)))
        self.chunks.append(frame)
        self.packets += 1
        self.size += 16 + len(frame)
        if len(self.chunks) > 65536:
            self.flush()

    def flush(self):
        self.out.write(b"".join(self.chunks))
        self.chunks = []


def client_address(i):
    return bytes([10, 1 + (i >> 16), (i >> 8) & 0xFF, i & 0xFF])


def dtls_fragment(msg_type, offset, seq_number):
    """A DTLS 1.2 plaintext handshake record (RFC 6347 4.1) holding one fragment (4.2.2) of
    one byte at offset of a message claiming CLAIMED bytes."""
    fragment = struct.pack(">B3sH3s3sB", msg_type, CLAIMED.to_bytes(3, "big"), 0,
                           offset.to_bytes(3, "big"), (1).to_bytes(3, "big"), 0x5A)
    return struct.pack(">BHHHIH", 22, 0xFEFD, 0, seq_number >> 32, seq_number & 0xFFFFFFFF,
                       len(fragment)) + fragment


def gen_dtls(w, flows, fragments):
    step = CLAIMED // fragments
    for r in range(fragments):
        offset = CLAIMED - 1 - r * step          # the last byte first, then ever lower
        for i in range(flows):
            client, port = client_address(i), 20000 + (i % 40000)
            c2s = dtls_fragment(1, offset, r)
            w.packet(client, SERVER, 17, UDP.pack(port, 4433, 8 + len(c2s), 0) + c2s)
            s2c = dtls_fragment(11, offset, r)
            w.packet(SERVER, client, 17, UDP.pack(4433, port, 8 + len(s2c), 0) + s2c)


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return TCP.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0,
                    0) + payload


def gen_tcp(w, connections, records, record_size, mss, last_bytes):
    message = bytes([1]) + CLAIMED.to_bytes(3, "big")     # client_hello, length 262144
    stream = b""
    for r in range(records):
        fill = (message if r == 0 else b"") + bytes([0x42]) * (record_size - (4 if r == 0 else 0))
        record = struct.pack(">BHH", 22, 0x0301, len(fill)) + fill
        if r == records - 1 and last_bytes:
            record = record[:last_bytes]
        stream += record
    step = mss or (5 + record_size)
    segments = [stream[at:at + step] for at in range(0, len(stream), step)]
    for i in range(connections):
        client, port = client_address(i), 1024 + (i % 60000)
        isn_c, isn_s = 1000 + i, 5000000 + i
        w.packet(client, SERVER, 6, tcp(port, 443, isn_c, 0, SYN))
        w.packet(SERVER, client, 6, tcp(443, port, isn_s, isn_c + 1, SYN | ACK))
        w.packet(client, SERVER, 6, tcp(port, 443, isn_c + 1, isn_s + 1, ACK))
    at = 0
    for segment in segments:
        for i in range(connections):
            client, port = client_address(i), 1024 + (i % 60000)
            isn_c, isn_s = 1000 + i, 5000000 + i
            w.packet(client, SERVER, 6, tcp(port, 443, isn_c + 1 + at, isn_s + 1, PSH | ACK,
                                            segment))
        at += len(segment)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=["dtls", "tcp"])
    p.add_argument("output")
    p.add_argument("--flows", type=int, default=4096)
    p.add_argument("--fragments", type=int, default=20)
    p.add_argument("--connections", type=int, default=65536)
    p.add_argument("--records", type=int, default=8)
    p.add_argument("--record-size", type=int, default=1400)
    p.add_argument("--mss", type=int, default=0, help="segment size (default: one per record)")
    p.add_argument("--last-bytes", type=int, default=0,
                   help="send only this many bytes of the last record")
    a = p.parse_args()
    if a.connections > 65536 * 200 or a.flows > 65536 * 200:
        sys.exit("gen_memory.py: too many peers for the 10.1.0.0/8 addresses")
    if not 4 < a.record_size <= 16384:
        sys.exit("gen_memory.py: --record-size must be 5 to 16384 (RFC 8446 5.1)")
    with open(a.output, "wb") as out:
        w = Writer(out)
        if a.kind == "dtls":
            gen_dtls(w, a.flows, a.fragments)
        else:
            gen_tcp(w, a.connections, a.records, a.record_size, a.mss, a.last_bytes)
        w.flush()
    print("%s: %d packets, %d bytes" % (a.output, w.packets, w.size))


if __name__ == "__main__":
    main()
