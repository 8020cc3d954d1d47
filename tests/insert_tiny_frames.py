#!/usr/bin/env python3
"""Copies a classic pcap file (pcap-savefile(5), little-endian) with a burst of tiny frames
inserted after record AFTER: COUNT Ethernet headers alone (14 bytes, EtherType 0x88B5, IEEE
802 local experimental), STEP_US microseconds apart, the records after them shifted by the
burst's length so that time never goes back. For tests/parallel.sh: a 512 KiB read of 30-byte
records holds more frames than -j lists to a worker in one ring record, and the burst crosses
several seconds of packet time.
Usage: insert_tiny_frames.py IN OUT AFTER COUNT STEP_US"""
import struct
import sys


def main():
    src, dst, after, count, step = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    data = open(src, "rb").read()
    out = bytearray(data[:24])
    at, n, shift = 24, 0, 0
    frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x88\xb5"
    while at + 16 <= len(data):
        sec, usec, caplen, wire = struct.unpack_from("<IIII", data, at)
        t = sec * 1000000 + usec + shift
        out += struct.pack("<IIII", t // 1000000, t % 1000000, caplen, wire)
        out += data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        n += 1
        if n == after:
            for k in range(1, count + 1):
                u = t + k * step
                out += struct.pack("<IIII", u // 1000000, u % 1000000, len(frame), len(frame))
                out += frame
            shift += (count + 1) * step
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
