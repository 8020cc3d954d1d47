"""Sockets for the python3 peers of make-pcaps.sh (starttls-server.py, tunnel-proxy.py).

Both serve one connection, and read the client's plaintext byte by byte, so that none of its
TLS bytes are taken before TLS (or the relay) gets the socket."""
import socket


def log(*args):
    print(*args, flush=True)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError(f"peer closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def recv_until(sock, end):
    """Bytes up to and including end, one at a time (never past it)."""
    buf = b""
    while not buf.endswith(end):
        buf += recv_exact(sock, 1)
    return buf


def accept_one(port):
    """The one connection to 127.0.0.1:port, with a 10 s timeout; the listener is closed."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    sock, peer = ls.accept()
    ls.close()
    sock.settimeout(10)
    log("connection from", peer)
    return sock
