#!/usr/bin/env python3
"""Proxy peer for make-pcaps.sh: the proxy between curl and openssl s_server.

Serves one connection on 127.0.0.1:PORT as an HTTP CONNECT proxy (RFC 9110 9.3.6), a
SOCKS 4 or 4A proxy, or a SOCKS 5 proxy (RFC 1928; with --user, the username/password
method of RFC 1929). It reads the client's request byte by byte, so none of the client's
TLS bytes are taken early, connects to 127.0.0.1 at the port the client asked for (any
host name stands for 127.0.0.1), answers success, then relays bytes both ways until both
sides have closed.

Usage: tunnel-proxy.py --proto http|socks4|socks5 --port N [--user NAME:PASSWORD]
Prints one line per step to stdout; exits 0 only if bytes went both ways."""
import argparse
import socket
import struct
import sys
import threading

from peer_io import accept_one, log, recv_exact, recv_until


def http_connect(sock, args):
    head = recv_until(sock, b"\r\n\r\n")
    log("C:", head.decode("ascii", "replace").replace("\r\n", " | "))
    method, target, _ = head.split(b"\r\n")[0].split(b" ", 2)
    if method != b"CONNECT":
        raise ValueError("not a CONNECT request")
    port = int(target.rsplit(b":", 1)[1])
    return port, b"HTTP/1.1 200 Connection established\r\n\r\n"


def socks4(sock, args):
    version, command, port = struct.unpack("!BBH", recv_exact(sock, 4))
    ip = recv_exact(sock, 4)
    user = recv_until(sock, b"\x00")
    name = b""
    if ip[:3] == b"\x00\x00\x00" and ip[3] != 0:  # SOCKS 4A: a host name follows
        name = recv_until(sock, b"\x00")
    log("C:", version, command, port, socket.inet_ntoa(ip), user, name)
    if version != 4 or command != 1:
        raise ValueError("not a SOCKS 4 CONNECT")
    return port, struct.pack("!BBH4s", 0, 90, 0, b"\x00" * 4)


def socks5(sock, args):
    version, count = recv_exact(sock, 2)
    methods = recv_exact(sock, count)
    log("C: methods", methods.hex())
    method = 0x02 if args.user else 0x00
    if version != 5 or method not in methods:
        sock.sendall(b"\x05\xff")
        raise ValueError("no acceptable method")
    sock.sendall(bytes([5, method]))
    if method == 0x02:
        version, ulen = recv_exact(sock, 2)
        user = recv_exact(sock, ulen)
        (plen,) = recv_exact(sock, 1)
        password = recv_exact(sock, plen)
        ok = version == 1 and user + b":" + password == args.user.encode()
        log("C: login", user, "accepted" if ok else "refused")
        sock.sendall(bytes([1, 0 if ok else 1]))
        if not ok:
            raise ValueError("login refused")
    version, command, _, atyp = recv_exact(sock, 4)
    if atyp == 1:
        host = socket.inet_ntoa(recv_exact(sock, 4))
    elif atyp == 3:
        host = recv_exact(sock, recv_exact(sock, 1)[0]).decode("ascii", "replace")
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, recv_exact(sock, 16))
    else:
        raise ValueError(f"address type {atyp}")
    (port,) = struct.unpack("!H", recv_exact(sock, 2))
    log("C: connect", host, port)
    if version != 5 or command != 1:
        raise ValueError("not a SOCKS 5 CONNECT")
    return port, bytes([5, 0, 0, 1, 127, 0, 0, 1]) + struct.pack("!H", 0)


PROTOCOLS = {"http": http_connect, "socks4": socks4, "socks5": socks5}


def pump(src, dst, counts, key):
    """Copies src to dst until EOF, then half-closes dst."""
    while True:
        data = src.recv(65536)
        if not data:
            break
        counts[key] += len(data)
        dst.sendall(data)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", choices=sorted(PROTOCOLS), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", help="NAME:PASSWORD for SOCKS 5 (RFC 1929)")
    args = ap.parse_args()

    client = accept_one(args.port)
    port, answer = PROTOCOLS[args.proto](client, args)
    upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
    log("connected to port", port)
    client.sendall(answer)
    counts = {"c2s": 0, "s2c": 0}
    threads = [threading.Thread(target=pump, args=(client, upstream, counts, "c2s")),
               threading.Thread(target=pump, args=(upstream, client, counts, "s2c"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.close()
    upstream.close()
    log("relay ended:", counts)
    return 0 if counts["c2s"] and counts["s2c"] else 1


if __name__ == "__main__":
    sys.exit(main())
