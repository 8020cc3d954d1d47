#!/bin/sh
# Capture files as people store them: gzip-compressed (told by content, from a file or a pipe)
# and pcapng files whose interfaces have different link types (pcaps/make-derived.sh). Each
# gives the output of its plain counterpart (tests/golden/); broken ones end with one warning,
# the frames before the damage still reported, never a crash.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pcaps="$srcdir/pcaps"
golden="$srcdir/tests/golden"
mixed="$pcaps/mixed-link-types.pcapng"

# same NAME GOLDEN COMMAND...: COMMAND prints exactly GOLDEN, nothing on stderr, exit 0.
same() {
    name=$1
    file=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$file" "$tmp/out"; then
        ok "$name"
    else
        not_ok "$name (status $status)"
        head -3 "$tmp/err" | sed 's/^/# /'
        diff "$file" "$tmp/out" | head -10 | sed 's/^/# /'
    fi
}

# broken NAME STATUS STDERR FILE [OPTION...]: exit STATUS, stderr exactly the line STDERR.
broken() {
    name=$1
    want_status=$2
    want_err=$3
    file=$4
    shift 4
    "$HSDUMP" -r "$file" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status -eq "$want_status" ] && [ "$(cat "$tmp/err")" = "$want_err" ]; then
        ok "$name"
    else
        not_ok "$name (status $status)"
        sed 's/^/# /' "$tmp/err"
    fi
}

# The compressed copies read like the captures they compress, also through a pipe.
for gz in "$pcaps"/*.gz; do
    [ -f "$gz" ] || continue
    base=$(basename "$gz" .gz)
    same "$base.gz: the text output of $base" "$golden/$base.txt" "$HSDUMP" -r "$gz"
    same "$base.gz: the JSON output of $base" "$golden/$base.json" "$HSDUMP" -T json -r "$gz"
    same "$base.gz on standard input" "$golden/$base.txt" sh -c 'cat "$1" | "$2" -r -' sh \
        "$gz" "$HSDUMP"
done

# A pcapng file of one link type is still libpcap's, also from a pipe, which cannot seek back
# to where hsdump looked at its interfaces.
if command -v editcap >/dev/null 2>&1; then
    editcap -F pcapng "$pcaps/tls13-full.pcap" "$tmp/one.pcapng"
    same "pcapng of one link type" "$golden/tls13-full.pcap.txt" "$HSDUMP" -r "$tmp/one.pcapng"
    same "pcapng of one link type on standard input" "$golden/tls13-full.pcap.txt" \
        sh -c '"$1" -r - <"$2"' sh "$HSDUMP" "$tmp/one.pcapng"
    same "pcapng of one link type through a pipe" "$golden/tls13-full.pcap.txt" \
        sh -c 'cat "$2" | "$1" -r -' sh "$HSDUMP" "$tmp/one.pcapng"
else
    skip "pcapng of one link type" "editcap not installed (wireshark-common)"
fi

# Several link types: every frame with its own interface's, through a pipe too.
same "pcapng of two link types through a pipe" "$golden/mixed-link-types.pcapng.txt" \
    sh -c 'cat "$2" | "$1" -r -' sh "$HSDUMP" "$mixed"
"$HSDUMP" -r "$mixed" >"$tmp/mixed" 2>&1
check "pcapng of two link types: the Linux cooked connection (port 44308)" \
    grep -q ' -> 127.0.0.1:44308 handshake client_hello ' "$tmp/mixed"
check "pcapng of two link types: the Ethernet one (port 44301)" \
    grep -q ' -> 127.0.0.1:44301 handshake client_hello ' "$tmp/mixed"
# Its Ethernet interface has nanosecond timestamps: the same times as the microsecond capture.
grep ':44301 ' "$tmp/mixed" | cut -d' ' -f1,3- >"$tmp/eth"
cut -d' ' -f1,3- "$golden/tls12-full.pcap.txt" >"$tmp/eth-plain"
check "pcapng of two link types: Ethernet lines as in tls12-full.pcap (if_tsresol 9)" \
    cmp -s "$tmp/eth" "$tmp/eth-plain"
"$HSDUMP" -r "$mixed" 'tcp port 44308' >"$tmp/out" 2>"$tmp/err"
check "a filter applies to every link type" \
    test -s "$tmp/out" -a ! -s "$tmp/err" -a -z "$(grep -v ':44308 ' "$tmp/out")"
broken "a filter that means nothing on one link type: its frames fail it, counted" 0 \
    "hsdump: warning: $mixed: pcapng: skipped 19 frames of a link type the filter does not $(
    )compile for" \
    "$mixed" 'ether host 00:00:00:00:00:00'
check "... and the frames of the other link type pass it" grep -q ':44301 ' "$tmp/out"
broken "a filter that compiles for no link type" 2 \
    "hsdump: filter: can't parse filter expression: syntax error" "$mixed" 'port port'
broken "-w refuses a file of two link types" 2 \
    "hsdump: $tmp/w.pcap: one pcap file holds one link type, the inputs have LINUX_SLL2 and $(
    )EN10MB" \
    "$mixed" -w "$tmp/w.pcap"

# An interface may be described anywhere before its first packet (draft-ietf-opsawg-pcapng
# 4.2), as writers that add interfaces as they see them do: the Ethernet IDB moved after the
# first Linux cooked packets. libpcap stops there; a file opened by name is read again.
if command -v python3 >/dev/null 2>&1; then
    python3 - "$mixed" "$tmp/late.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
blocks, off = [], 0
while off < len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    blocks.append((btype, data[off:off + blen]))
    off += blen
second_idb = blocks.pop([i for i, b in enumerate(blocks) if b[0] == 1][1])
first_use = [i for i, b in enumerate(blocks)
             if b[0] == 6 and struct.unpack_from("<I", b[1], 8)[0] == 1][0]
blocks.insert(first_use, second_idb)
open(sys.argv[2], "wb").write(b"".join(b for _, b in blocks))
PY
    same "an interface of another link type after the first packet" \
        "$golden/mixed-link-types.pcapng.txt" "$HSDUMP" -r "$tmp/late.pcapng"
    gzip -c "$tmp/late.pcapng" >"$tmp/late.pcapng.gz"
    same "... and from its gzip-compressed copy" \
        "$golden/mixed-link-types.pcapng.txt" "$HSDUMP" -r "$tmp/late.pcapng.gz"
    why="an interface has a type 1 different from the type of the first interface"
    broken "... but not from standard input, which cannot be read again" 2 \
        "hsdump: -: $why (hsdump reads such a file by name, not from standard input)" - \
        <"$tmp/late.pcapng"
    broken "... nor with -w, which took the first link type" 2 \
        "hsdump: $tmp/late.pcapng: $why (hsdump reads such a file by name, without -w)" \
        "$tmp/late.pcapng" -w "$tmp/late.pcap"
else
    skip "an interface of another link type after the first packet" "python3 not installed"
fi

# Broken gzip streams: a warning, what came before counts.
gz="$pcaps/tls12-full.pcap.gz"
size=$(wc -c <"$gz")
head -c $((size - 100)) "$gz" >"$tmp/cut.pcap.gz"
broken "gzip cut short: one warning, exit 0" 0 \
    "hsdump: warning: $tmp/cut.pcap.gz: gzip: the compressed data ends early (truncated file)" \
    "$tmp/cut.pcap.gz"
check "gzip cut short: the handshake before the cut is reported" \
    grep -q 'handshake client_hello' "$tmp/out"
head -c 20 "$gz" >"$tmp/cut-header.pcap.gz"
broken "gzip cut before the capture's header: exit 2 as for a capture cut there" 2 \
    "hsdump: $tmp/cut-header.pcap.gz: gzip: the compressed data ends early (truncated file)" \
    "$tmp/cut-header.pcap.gz"
# The last 8 bytes are the CRC-32 and length of the uncompressed data (RFC 1952 2.3.1).
{ head -c $((size - 8)) "$gz"; printf '\0\0\0\0'; tail -c 4 "$gz"; } >"$tmp/crc.pcap.gz"
broken "gzip with a wrong CRC-32" 0 \
    "hsdump: warning: $tmp/crc.pcap.gz: gzip: incorrect data check" \
    "$tmp/crc.pcap.gz"
# Bytes 10.. are the deflate data (no FNAME with gzip -n): BTYPE 11 is reserved (RFC 1951 3.2.3).
{ head -c 10 "$gz"; printf '\007'; tail -c +12 "$gz"; } >"$tmp/btype.pcap.gz"
broken "gzip with a reserved block type" 2 "hsdump: $tmp/btype.pcap.gz: gzip: invalid block type" \
    "$tmp/btype.pcap.gz"
printf '\037\000not gzip' >"$tmp/magic.gz"
broken "gzip's first magic byte alone" 2 "hsdump: $tmp/magic.gz: unknown file format" \
    "$tmp/magic.gz"

# Broken pcapng blocks (offsets from the file: draft-ietf-opsawg-pcapng 3.1, little-endian).
if command -v python3 >/dev/null 2>&1; then
    python3 - "$mixed" "$tmp" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out = sys.argv[2]
blocks, off = [], 0
while off < len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    blocks.append((off, btype, blen))
    off += blen
epbs = [b for b in blocks if b[1] == 6]  # Enhanced Packet Blocks
off, _, blen = epbs[3]
def write(name, patch=None, cut=None):
    d = bytearray(data[:cut] if cut else data)
    if patch:
        struct.pack_into("<I", d, *patch)
    open(f"{out}/{name}", "wb").write(d)
late, _, late_len = epbs[-8]  # after both handshakes
write("cut.pcapng", cut=late + 30)
write("len7.pcapng", patch=(off + 4, 7))
write("len2g.pcapng", patch=(off + 4, 0x7FFFFF00))
write("iface.pcapng", patch=(off + 8, 9))
write("trailer.pcapng", patch=(off + blen - 4, blen + 4))
write("caplen.pcapng", patch=(off + 20, 100000))
open(f"{out}/epb", "w").write(f"{off} {blen} {late} {late_len}\n")
PY
    read -r off blen late late_len <"$tmp/epb"
    at="pcapng: block at offset $off"
    not_block="is not a block's (12 to 16777216, a multiple of 4)"
    broken "pcapng cut mid-block: one warning, exit 0" 0 \
        "hsdump: warning: $tmp/cut.pcapng: pcapng: block at offset $late: truncated file: $(
        )the block claims $late_len bytes, 30 follow" \
        "$tmp/cut.pcapng" -S
    check "pcapng cut mid-block: the connections before the cut are closed" \
        test "$(grep -c ' close ' "$tmp/out")" -eq 2
    broken "pcapng block length 7: the file ends there" 0 \
        "hsdump: warning: $tmp/len7.pcapng: $at: length 7 $not_block" \
        "$tmp/len7.pcapng"
    broken "pcapng block length 2 GiB: the file ends there" 0 \
        "hsdump: warning: $tmp/len2g.pcapng: $at: length 2147483392 $not_block" \
        "$tmp/len2g.pcapng"
    broken "pcapng packet of an interface no block described: counted, the rest read" 0 \
        "hsdump: warning: $tmp/iface.pcapng: pcapng: skipped 1 packets of an interface no $(
        )valid block described" \
        "$tmp/iface.pcapng"
    check "... both connections still reported" test "$(grep -c ' close ' "$tmp/out")" -eq 2
    broken "pcapng block whose two lengths differ: counted" 0 \
        "hsdump: warning: $tmp/trailer.pcapng: pcapng: skipped 1 malformed blocks" \
        "$tmp/trailer.pcapng"
    broken "pcapng packet longer than its block: counted" 0 \
        "hsdump: warning: $tmp/caplen.pcapng: pcapng: skipped 1 malformed blocks" \
        "$tmp/caplen.pcapng"
    # A block that claims 16 MiB in a short file costs what arrived, not what it claims.
    python3 - "$mixed" "$tmp/claim.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(data + struct.pack("<II", 6, 16 * 1024 * 1024) + bytes(100))
PY
    if command -v /usr/bin/time >/dev/null 2>&1; then
        /usr/bin/time -f '%M' -o "$tmp/rss0" "$HSDUMP" -r "$mixed" >/dev/null 2>&1
        /usr/bin/time -f '%M' -o "$tmp/rss" "$HSDUMP" -r "$tmp/claim.pcapng" >/dev/null 2>&1
        more=$(($(cat "$tmp/rss") - $(cat "$tmp/rss0")))
        check "a block claiming 16 MiB in a short file: under 1 MiB more peak RSS ($more KiB)" \
            test "$more" -lt 1024
    else
        skip "a block claiming 16 MiB in a short file" "no /usr/bin/time"
    fi
else
    skip "broken pcapng blocks" "python3 not installed"
fi

done_testing
