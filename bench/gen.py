#!/usr/bin/env python3
"""Builds large pcap captures for the benchmark by replaying the real handshakes in pcaps/.

Every TCP connection of the pcaps/*.pcap that TEMPLATE_CAPTURES names (IPv4 and IPv6,
Ethernet and SLL2) becomes a template: its payload bytes per direction, in the order the two
directions sent them. Each generated connection takes one template (seeded choice) and
replays it on a fresh 4-tuple (a client address and port of its own, server port 443) over
IPv4 or IPv6 (--ipv6-share), with its own SYN, SYN/ACK, ACK, correct sequence and
acknowledgement numbers, delayed ACKs (one per two data segments), segments of at most 1448
bytes, --app-bytes of TLS application_data each way after the handshake, and a FIN, FIN/ACK,
ACK close. IPv4 header and TCP checksums are correct. --concurrency connections are open at
once, their packets interleaved at random; timestamps increase by 20 us per packet.

With --keylog-out FILE every connection is instead a TLS 1.3 handshake synthesized around
the hellos of pcaps/tls13-full.pcap, protected with random per-connection traffic secrets that
FILE gets in the NSS key log format (see keyed_connection), for measuring decryption.

The same arguments always give the same bytes. Standard library only, except that
--keylog-out needs the `cryptography` module (Debian: python3-cryptography) for AES-GCM."""
import argparse
import glob
import hashlib
import hmac
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


# The captures whose connections are the templates: those of pcaps/ at 75d6729, which every
# benchmark capture in RESULTS.md was made from (29 templates: TLS from the first byte of
# every whole connection; the STARTTLS captures of that time left out, their connections
# begin in plaintext; the DTLS captures give none). Named one by one rather than by what to
# leave out, so that a capture added to pcaps/ later (a rare case, a cut connection, a failure
# cause) does not change capture A. tests/gen_templates.sh checks the list.
TEMPLATE_CAPTURES = (
    "alert-cert-expired", "alert-handshake-failure", "alert-protocol-version",
    "alert-unknown-ca", "dtls1", "dtls12", "interleaved", "ipv6-tls13", "midstream-tls12",
    "midstream-tls13", "sll2-any", "split-clienthello", "tls12-chain3", "tls12-dhe",
    "tls12-ecdsa", "tls12-full", "tls12-mutual", "tls12-renegotiation",
    "tls12-resume-sessionid", "tls12-resume-ticket", "tls12-rsa-kx", "tls13-close-notify",
    "tls13-early-data", "tls13-full", "tls13-gnutls-client", "tls13-hrr", "tls13-mutual",
    "tls13-psk-resume",
)


def load_templates(pcap_dir):
    templates = []
    for path in sorted(glob.glob(os.path.join(pcap_dir, "*.pcap"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name not in TEMPLATE_CAPTURES:
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


# ---- keyed TLS 1.3 connections (--keylog-out) ----
#
# Each connection is the exchange of pcaps/tls13-full.pcap (TLS_AES_128_GCM_SHA256, middlebox
# compatibility mode) rebuilt with secrets of its own: the template's plaintext ClientHello and
# ServerHello with a fresh client random, server random and session id; then every protected
# record sealed per RFC 8446 5.2 under keys derived per RFC 8446 7.3 from four random traffic
# secrets, written to the key log under the connection's client random. The messages inside
# have the template's sizes: EncryptedExtensions (ALPN h2), Certificate (the real server
# certificate of pcaps/tls12-full.pcap, the same one tls13-full's server sent),
# CertificateVerify (rsa_pss_rsae_sha256, random signature), Finished (random verify_data) each
# way, two NewSessionTickets, --app-bytes of application data each way in records as long as
# capture A's, and a close_notify each way.

KEYED_SUITE = 0x1301                # TLS_AES_128_GCM_SHA256 (RFC 8446 B.4)
KEYED_HASH_LEN = 32                 # SHA-256: the suite's secrets' length
AEAD_TAG = 16                       # RFC 5116 5.1: AES-128-GCM's tag
TLS13_LABELS = ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0")
HS_ENCRYPTED_EXTENSIONS, HS_CERTIFICATE, HS_CERTIFICATE_VERIFY = 8, 11, 15
HS_FINISHED, HS_NEW_SESSION_TICKET = 20, 4
RSA_PSS_RSAE_SHA256 = 0x0804
AESGCM = None                       # cryptography's, imported only for --keylog-out


def load_aead():
    global AESGCM
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM as aesgcm
    except ImportError:
        sys.exit("gen.py: --keylog-out needs the Python module cryptography "
                 "(Debian: apt-get install python3-cryptography; or pip install cryptography)")
    AESGCM = aesgcm


def word_sum_mod(data):
    """word_sum modulo 0xFFFF: the checksum folds to the same value (2^16 = 1 mod 0xFFFF, and
    every TCP sum has the nonzero pseudo-header in it), at a fraction of the cost."""
    if len(data) % 2:
        data += b"\x00"
    return int.from_bytes(data, "big") % 0xFFFF


def hkdf_expand_label(secret, label, length):
    """RFC 8446 7.1 HKDF-Expand-Label with an empty context, SHA-256, length <= 32 (one
    block of RFC 5869 2.3)."""
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


class Sealer:
    """One direction's record protection under one traffic secret (RFC 8446 5.2, 5.3)."""

    def __init__(self, secret):
        self.aead = AESGCM(hkdf_expand_label(secret, b"key", 16))
        self.iv = int.from_bytes(hkdf_expand_label(secret, b"iv", 12), "big")
        self.seq = 0

    def seal(self, content_type, content):
        inner = content + bytes([content_type])               # TLSInnerPlaintext, no padding
        header = struct.pack(">BHH", 23, 0x0303, len(inner) + AEAD_TAG)
        nonce = (self.iv ^ self.seq).to_bytes(12, "big")
        self.seq += 1
        return header + self.aead.encrypt(nonce, inner, header)


def handshake(msg_type, body):
    return struct.pack(">B", msg_type) + len(body).to_bytes(3, "big") + body


def handshake_record(stream, msg_type):
    """The first handshake record (RFC 8446 5.1) of one direction's byte stream whose first
    message is of msg_type."""
    off = 0
    while off + 6 <= len(stream):
        end = off + 5 + struct.unpack(">H", stream[off + 3:off + 5])[0]
        if stream[off] == 22 and stream[off + 5] == msg_type:
            return stream[off:end]
        off = end
    raise ValueError("no handshake record starting with message type %d" % msg_type)


def keyed_templates(pcap_dir):
    """The hellos of tls13-full.pcap and the server certificate chain of tls12-full.pcap."""
    def streams(name):
        script = connections(os.path.join(pcap_dir, name))[0]
        return [b"".join(p for d, p in script if d == side) for side in (CLIENT, SERVER)]
    client, server = streams("tls13-full.pcap")
    client_hello = handshake_record(client, 1)
    server_hello = handshake_record(server, 2)
    if (client_hello[43] != 32 or server_hello[43] != 32 or
            server_hello[76:78] != struct.pack(">H", KEYED_SUITE)):
        raise ValueError("tls13-full.pcap: not the hellos expected")
    # RFC 5246 7.4.2 certificate_list -> RFC 8446 4.4.2 CertificateEntry list, no extensions
    cert12 = handshake_record(streams("tls12-full.pcap")[SERVER], HS_CERTIFICATE)
    chain, off, end = b"", 12, 12 + int.from_bytes(cert12[9:12], "big")
    while off < end:
        n = int.from_bytes(cert12[off:off + 3], "big")
        chain += cert12[off:off + 3 + n] + b"\x00\x00"
        off += 3 + n
    certificate = handshake(HS_CERTIFICATE, b"\x00" + len(chain).to_bytes(3, "big") + chain)
    alpn = struct.pack(">HHH", 16, 5, 3) + b"\x02h2"          # RFC 7301 3.1: h2 chosen
    encrypted_extensions = handshake(HS_ENCRYPTED_EXTENSIONS, struct.pack(">H", len(alpn)) + alpn)
    return {"client_hello": client_hello, "server_hello": server_hello,
            "certificate": certificate, "encrypted_extensions": encrypted_extensions}


def app_lengths(app_bytes):
    """Capture A's application_data record lengths (app_items), as TLSCiphertext lengths:
    each plaintext is its record's length less the content type byte and the tag."""
    lengths, left = [], app_bytes
    while left > 0:
        lengths.append(min(left, APP_RECORD_MAX))
        left -= lengths[-1]
    return lengths


def keyed_connection(seed, i, kt, app_lengths_, app_plain, keylog):
    """Connection i's segments as a template ({"head", "tail", "has_app"}), its four secrets
    appended to keylog."""
    rng = random.Random("keyed/%d/%d" % (seed, i))
    client_random, server_random = rng.randbytes(32), rng.randbytes(32)
    session_id = rng.randbytes(32)
    secrets = [rng.randbytes(KEYED_HASH_LEN) for _ in TLS13_LABELS]
    for label, secret in zip(TLS13_LABELS, secrets):
        keylog.append("%s %s %s\n" % (label, client_random.hex(), secret.hex()))
    c_hs, s_hs, c_app, s_app = (Sealer(s) for s in secrets)
    ch, sh = kt["client_hello"], kt["server_hello"]
    client_hello = ch[:11] + client_random + ch[43:44] + session_id + ch[76:]
    server_hello = sh[:11] + server_random + sh[43:44] + session_id + sh[76:]
    ccs = b"\x14\x03\x03\x00\x01\x01"
    verify = handshake(HS_CERTIFICATE_VERIFY,
                       struct.pack(">HH", RSA_PSS_RSAE_SHA256, 256) + rng.randbytes(256))
    server_flight = (server_hello + ccs + s_hs.seal(22, kt["encrypted_extensions"]) +
                     s_hs.seal(22, kt["certificate"]) + s_hs.seal(22, verify) +
                     s_hs.seal(22, handshake(HS_FINISHED, rng.randbytes(KEYED_HASH_LEN))))
    client_flight = ccs + c_hs.seal(22, handshake(HS_FINISHED, rng.randbytes(KEYED_HASH_LEN)))
    tickets = []
    for nonce in range(2):      # RFC 8446 4.6.1, the sizes OpenSSL's have in the template
        body = (struct.pack(">II", 7200, rng.getrandbits(32)) + b"\x08" +
                nonce.to_bytes(8, "big") + struct.pack(">H", 192) + rng.randbytes(192) +
                b"\x00\x00")
        tickets.append(s_app.seal(22, handshake(HS_NEW_SESSION_TICKET, body)))
    app = {}
    for d, sealer in ((CLIENT, c_app), (SERVER, s_app)):
        app[d] = b"".join(sealer.seal(23, app_plain[:max(0, n - 1 - AEAD_TAG)])
                          for n in app_lengths_)
    close_notify = b"\x01\x00"                                  # RFC 8446 6.1: warning(1), 0
    script = [(CLIENT, client_hello), (SERVER, server_flight), (CLIENT, client_flight),
              (SERVER, tickets[0]), (SERVER, tickets[1]), (CLIENT, app[CLIENT]),
              (SERVER, app[SERVER]), (CLIENT, c_app.seal(21, close_notify)),
              (SERVER, s_app.seal(21, close_notify))]
    head = []
    for d, payload in script:
        head.extend((d, payload[k:k + MSS], word_sum_mod(payload[k:k + MSS]))
                    for k in range(0, len(payload), MSS))
    return {"head": head, "tail": [], "has_app": False}


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


def generate(args, out, keylog=None):
    """Writes the capture to out; with keylog (a list), the keyed TLS 1.3 connections of
    --keylog-out, their key log lines appended to it."""
    rng = random.Random(args.seed)
    templates = load_templates(args.pcaps)
    app = []
    if args.app_bytes > 0:
        app_rng = random.Random(args.seed ^ 0x5EED)
        app = app_items(args.app_bytes, CLIENT, app_rng) + app_items(args.app_bytes, SERVER,
                                                                      app_rng)
    if keylog is not None:
        kt = keyed_templates(args.pcaps)
        lengths = app_lengths(args.app_bytes)
        app_plain = random.Random(args.seed ^ 0x5EED).randbytes(APP_RECORD_MAX)

    def start(i):
        tmpl = templates[int(rng.random() * len(templates))]   # drawn either way: the same
        is_v6 = rng.random() < args.ipv6_share                  # connections are IPv6
        if keylog is not None:
            tmpl = keyed_connection(args.seed, i, kt, lengths, app_plain, keylog)
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
    p.add_argument("--keylog-out", metavar="FILE",
                   help="make every connection TLS 1.3 (TLS_AES_128_GCM_SHA256) with random "
                        "secrets, written to FILE as an NSS key log (needs the Python module "
                        "cryptography)")
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
    keylog = None
    if args.keylog_out is not None:
        load_aead()
        keylog = []
    if args.output == "-":
        packets, n = generate(args, sys.stdout.buffer, keylog)
    else:
        tmp = args.output + ".tmp"
        with open(tmp, "wb", buffering=0) as out:
            packets, n = generate(args, out, keylog)
        os.replace(tmp, args.output)
    if keylog is not None:
        tmp = args.keylog_out + ".tmp"
        with open(tmp, "w") as f:
            f.write("# TLS secrets of %s, written by bench/gen.py\n" % args.output)
            f.writelines(keylog)
        os.replace(tmp, args.keylog_out)
    source = ("TLS 1.3 with the secrets in %s" % args.keylog_out if keylog is not None
              else "from %d templates" % n)
    print("gen.py: %s: %d connections %s, %d packets" %
          (args.output, args.connections, source, packets), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
