#!/usr/bin/env python3
"""GTP-U wrapper for make-pcaps.sh: puts each IP packet of a loopback capture inside
outer Ethernet/IPv4/UDP/GTP-U headers, as a mobile network's user plane carries it
(3GPP TS 29.281).

Usage: gtpu-wrap.py IN.pcap OUT.pcap SERVER_PORT

IN is a classic pcap with Ethernet frames (tcpdump on lo). Packets to SERVER_PORT are
uplink: base station 10.0.0.1 -> core gateway 10.0.0.2, TEID 0x00000001, with a PDU
Session Container extension header (TS 29.281 5.2.1, type 0x85; TS 38.415 5.5.2.2, UL PDU
SESSION INFORMATION, QFI 9). The others are downlink: 10.0.0.2 -> 10.0.0.1, TEID
0x00000002, with a sequence number (TS 29.281 5.1, S flag). Both over UDP port 2152
(4.4.2.3). Times and inner packets are kept as they are."""
import struct
import sys

GTPU_PORT = 2152
G_PDU = 0xFF
PDU_SESSION_CONTAINER = 0x85
BASE_STATION = bytes([10, 0, 0, 1])
GATEWAY = bytes([10, 0, 0, 2])


def checksum(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def gtpu(inner, uplink, seq):
    """TS 29.281 5.1: flags (version 1, PT 1, E, S, PN), type, length, TEID; with E or S
    set, sequence number, N-PDU number and next extension header type follow."""
    if uplink:
        # E set: one extension header of 1 x 4 octets (5.2.1): length, PDU type 1 (UL
        # PDU SESSION INFORMATION) in the high nibble, QFI 9, next type 0 (no more)
        options = struct.pack("!HBB", 0, 0, PDU_SESSION_CONTAINER) + bytes([1, 0x10, 9, 0])
        flags, teid = 0x34, 1
    else:
        options = struct.pack("!HBB", seq & 0xFFFF, 0, 0)
        flags, teid = 0x32, 2
    return struct.pack("!BBHI", flags, G_PDU, len(options) + len(inner), teid) + options + inner


def outer(payload, uplink, ident):
    src, dst = (BASE_STATION, GATEWAY) if uplink else (GATEWAY, BASE_STATION)
    udp = struct.pack("!HHHH", GTPU_PORT, GTPU_PORT, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident & 0xFFFF, 0x4000, 64, 17,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    ether = bytes(6) + bytes(6) + b"\x08\x00"
    return ether + ip + udp


def main():
    src, dst, server_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, "rb") as f:
        data = f.read()
    magic, = struct.unpack("<I", data[:4])
    if magic != 0xA1B2C3D4:
        sys.exit(f"{src}: not a little-endian microsecond pcap")
    link, = struct.unpack("<I", data[20:24])
    if link != 1:
        sys.exit(f"{src}: link type {link}, want Ethernet (1)")
    out = [data[:24]]
    pos, seq, count = 24, 0, 0
    while pos + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack("<IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        inner = frame[14:]
        ihl = (inner[0] & 0x0F) * 4
        dport, = struct.unpack("!H", inner[ihl + 2:ihl + 4])
        uplink = dport == server_port
        seq += not uplink
        wrapped = outer(gtpu(inner, uplink, seq), uplink, count)
        out.append(struct.pack("<IIII", sec, usec, len(wrapped), len(wrapped)) + wrapped)
        count += 1
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    print(f"wrapped {count} packets")


if __name__ == "__main__":
    main()
