#!/usr/bin/env python3
"""STARTTLS peer for make-pcaps.sh: the server half of `openssl s_client -starttls PROTO`.

Serves one connection on 127.0.0.1:PORT. It speaks just enough of PROTO's plaintext part
for s_client (greeting, capabilities, the upgrade command and its success reply), then
wraps the socket with Python's ssl module as the TLS server, reads until the client's
close_notify, answers with its own and closes. It reads the plaintext byte by byte, so
none of the client's TLS bytes are taken before the ssl module gets the socket.

Usage: starttls-server.py --proto smtp|imap|pop3|ftp|xmpp|ldap|postgres|mysql|irc --port N
                          --cert leaf.pem --key leaf.key --tls 1.2|1.3
Prints one line per step to stdout; exits 0 only if the TLS part finished."""
import argparse
import ssl
import struct
import sys

from peer_io import accept_one, log, recv_exact, recv_until

NAME = b"server.hsdump.test"
XMPP_TLS_NS = b"urn:ietf:params:xml:ns:xmpp-tls"
LDAP_STARTTLS_OID = b"1.3.6.1.4.1.1466.20037"


def command(sock):
    line = recv_until(sock, b"\n")
    log("C:", line.rstrip().decode("ascii", "replace"))
    return line.rstrip(b"\r\n")


def send(sock, data):
    log("S:", data.rstrip().decode("ascii", "replace").replace("\r\n", " | "))
    sock.sendall(data)


def smtp(sock):
    send(sock, b"220 " + NAME + b" ESMTP hsdump test server\r\n")
    while True:
        verb = command(sock).split(b" ")[0].upper()
        if verb in (b"EHLO", b"HELO"):
            send(sock, b"250-" + NAME + b"\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 STARTTLS\r\n")
        elif verb == b"STARTTLS":
            send(sock, b"220 2.0.0 Ready to start TLS\r\n")
            return
        else:
            send(sock, b"502 5.5.1 Not implemented here\r\n")


def imap(sock):
    send(sock, b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hsdump test server\r\n")
    while True:
        tag, _, rest = command(sock).partition(b" ")
        verb = rest.split(b" ")[0].upper()
        if verb == b"CAPABILITY":
            send(sock, b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n" + tag +
                 b" OK CAPABILITY completed\r\n")
        elif verb == b"STARTTLS":
            send(sock, tag + b" OK Begin TLS negotiation now\r\n")
            return
        else:
            send(sock, tag + b" BAD not here\r\n")


def pop3(sock):
    send(sock, b"+OK hsdump test server ready\r\n")
    while True:
        verb = command(sock).split(b" ")[0].upper()
        if verb == b"CAPA":
            send(sock, b"+OK Capability list follows\r\nSTLS\r\nUSER\r\n.\r\n")
        elif verb == b"STLS":
            send(sock, b"+OK Begin TLS negotiation\r\n")
            return
        else:
            send(sock, b"-ERR not here\r\n")


def ftp(sock):
    send(sock, b"220 hsdump test FTP server ready\r\n")
    while True:
        line = command(sock)
        if line.upper() in (b"AUTH TLS", b"AUTH SSL"):
            send(sock, b"234 AUTH TLS successful\r\n")
            return
        send(sock, b"502 Not implemented here\r\n")


def xmpp(sock):
    header = recv_until(sock, b">")
    if header.startswith(b"<?xml"):
        header += recv_until(sock, b">")
    log("C:", header.decode("ascii", "replace"))
    if b"<stream:stream" not in header:
        raise ValueError("no stream header")
    send(sock, b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
         b"xmlns:stream='http://etherx.jabber.org/streams' id='hsdump-1' from='" + NAME +
         b"' version='1.0'><stream:features><starttls xmlns='" + XMPP_TLS_NS +
         b"'><required/></starttls></stream:features>")
    request = recv_until(sock, b"/>")
    log("C:", request.decode("ascii", "replace"))
    if not request.startswith(b"<starttls") or XMPP_TLS_NS not in request:
        raise ValueError("no starttls element")
    send(sock, b"<proceed xmlns='" + XMPP_TLS_NS + b"'/>")


def ber_length(sock):
    first = recv_exact(sock, 1)[0]
    if first < 0x80:
        return first
    return int.from_bytes(recv_exact(sock, first & 0x7F), "big")


def ber(tag, value):
    if len(value) < 0x80:
        return bytes([tag, len(value)]) + value
    return bytes([tag, 0x81, len(value)]) + value


def ldap(sock):
    # RFC 4511 4.14: LDAPMessage { messageID, ExtendedRequest { [0] requestName } }
    if recv_exact(sock, 1) != b"\x30":
        raise ValueError("not an LDAPMessage")
    message = recv_exact(sock, ber_length(sock))
    log("C:", message.hex())
    if message[0] != 0x02 or LDAP_STARTTLS_OID not in message:
        raise ValueError("not a StartTLS ExtendedRequest")
    message_id = message[2:2 + message[1]]
    response = ber(0x78, ber(0x0A, b"\x00") + ber(0x04, b"") + ber(0x04, b"") +
                   ber(0x8A, LDAP_STARTTLS_OID))
    send_raw(sock, ber(0x30, ber(0x02, message_id) + response))


def irc(sock):
    # IRCv3 tls extension: STARTTLS answered by 670 (RPL_STARTTLS). s_client reads every
    # line's second word as a numeric, so the greeting is numeric 020 (RPL_HELLO of some
    # servers), not a NOTICE.
    send(sock, b":" + NAME + b" 020 * :Please wait while we process your connection.\r\n")
    while True:
        verb = command(sock).split(b" ")[0].upper()
        if verb == b"STARTTLS":
            send(sock, b":" + NAME + b" 670 * :STARTTLS successful, go ahead with TLS handshake\r\n")
            return
        send(sock, b":" + NAME + b" 421 * " + verb + b" :Unknown command\r\n")


def send_raw(sock, data):
    log("S:", data.hex())
    sock.sendall(data)


def postgres(sock):
    request = recv_exact(sock, 8)
    log("C:", request.hex())
    if request != struct.pack("!II", 8, 80877103):
        raise ValueError("not an SSLRequest")
    send_raw(sock, b"S")


def mysql(sock):
    # HandshakeV10 with CLIENT_LONG_PASSWORD, PROTOCOL_41, SSL, SECURE_CONNECTION, PLUGIN_AUTH
    caps = 0x00000001 | 0x00000200 | 0x00000800 | 0x00008000 | 0x00080000
    salt = bytes(range(0x41, 0x41 + 20))
    payload = (b"\x0a" + b"8.0.36-hsdump\x00" + struct.pack("<I", 7) + salt[:8] + b"\x00" +
               struct.pack("<H", caps & 0xFFFF) + b"\x21" + struct.pack("<H", 0x0002) +
               struct.pack("<H", caps >> 16) + bytes([21]) + bytes(10) + salt[8:] + b"\x00" +
               b"mysql_native_password\x00")
    send_raw(sock, struct.pack("<I", len(payload))[:3] + b"\x00" + payload)
    header = recv_exact(sock, 4)
    length = int.from_bytes(header[:3], "little")
    request = recv_exact(sock, length)
    log("C:", (header + request).hex())
    if header[3] != 1 or length != 32 or not struct.unpack("<I", request[:4])[0] & 0x800:
        raise ValueError("not an SSL Request")


PROTOCOLS = {"smtp": smtp, "imap": imap, "pop3": pop3, "ftp": ftp, "xmpp": xmpp,
             "ldap": ldap, "postgres": postgres, "mysql": mysql, "irc": irc}


def tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.tls == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
        ctx.options |= ssl.OP_NO_TICKET
    else:
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        ctx.num_tickets = 0
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", choices=sorted(PROTOCOLS), required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--tls", choices=("1.2", "1.3"), default="1.3")
    args = ap.parse_args()
    ctx = tls_context(args)

    sock = accept_one(args.port)
    PROTOCOLS[args.proto](sock)
    tls = ctx.wrap_socket(sock, server_side=True)
    log("TLS established:", tls.version(), tls.cipher()[0])
    received = b""
    while True:
        data = tls.recv(4096)
        if not data:
            break
        received += data
    log("received:", received)
    tls.unwrap().close()
    log("closed")
    return 0 if received else 1


if __name__ == "__main__":
    sys.exit(main())
