/* IPv6/TCP to synthetic IPv4/TCP (libnids 1.26 reads IPv4 only): extension headers walked per RFC
 * 8200 4, each IPv6 address mapped one-to-one into 240.0.0.0/4 (RFC 1112 4: reserved, never
 * routed), the TCP checksum adjusted incrementally per RFC 1624 so it verifies exactly when the
 * original did. A mapping is reused for another address only once no connection holds it
 * (v6map_hold) and no packet carried it for V6MAP_GRACE_SECONDS: libnids may still have a stream on
 * it that never got as far as a connection (a handshake cut short), and two flows must not merge
 * there. Without reuse a day of IPv6 clients would grow the map without bound. */
#include "tcp/ipv6map.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcp/tcp_segment.h"

#define V6_ADDR_LEN 16
#define IPV4_HEADER_LEN 20
#define TCP_HEADER_MIN 20
#define TCP_CHECKSUM_AT 16
/* What an IPv4 Total Length (16 bits, header included) can carry. */
#define TCP_MAX_LEN (V6MAP_OUT_MAX - IPV4_HEADER_LEN)

/* Index i is 240.0.0.0 + 1 + i, up to 255.255.255.254: 255.255.255.255 stays broadcast. */
#define MAP_FIRST 0xf0000001u
#define MAP_LAST 0xfffffffeu
#define MAP_MAX_ENTRIES ((size_t)(MAP_LAST - MAP_FIRST) + 1)

#define INITIAL_SLOTS 256 /* a power of two */
#define INITIAL_ADDRS 128
/* Old mappings looked at per new address: enough to keep pace, bounded per packet. */
#define RECLAIM_LOOKS 4

/* RFC 8200 4 and the IANA Protocol Numbers registry. */
enum {
    NH_HOP_BY_HOP = 0,
    NH_TCP = 6,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_DEST_OPTS = 60,
};

/* Per index: who holds it and when a packet last carried it. */
struct v6_use {
    uint32_t holds;
    uint32_t last_seen; /* seconds of packet time */
};

struct v6map {
    uint32_t *slots;   /* open addressing, linear probing: 0 is empty, else index + 1 */
    size_t slot_count; /* a power of two, kept above twice n so probes stay short */
    uint8_t (*addrs)[V6_ADDR_LEN]; /* index -> IPv6 address */
    struct v6_use *uses;           /* index -> its use */
    size_t n;
    size_t addr_cap;
    uint64_t seed;
    uint32_t now;  /* seconds of packet time (v6map_clock) */
    uint32_t hand; /* the next index reclaim() looks at, going round all of them */
};

/* The parts of an IPv6/TCP packet the IPv4 one is built from. */
struct v6_packet {
    uint8_t traffic_class;
    uint8_t hop_limit;
    uint8_t src[V6_ADDR_LEN];
    uint8_t dst[V6_ADDR_LEN]; /* the final destination (RFC 8200 8.1) */
    struct cursor tcp;
};

/* MurmurHash3's 64-bit finaliser: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static size_t hash_addr(const struct v6map *m, const uint8_t a[V6_ADDR_LEN])
{
    uint64_t hi;
    uint64_t lo;
    memcpy(&hi, a, 8);
    memcpy(&lo, a + 8, 8);
    return (size_t)mix64(mix64(hi ^ m->seed) ^ lo);
}

/* The slot holding a, or the empty slot where it belongs; one exists as the table is never
 * more than half full. */
static size_t probe(const struct v6map *m, const uint8_t a[V6_ADDR_LEN])
{
    size_t mask = m->slot_count - 1;
    size_t i = hash_addr(m, a) & mask;
    while (m->slots[i] != 0 && memcmp(m->addrs[m->slots[i] - 1], a, V6_ADDR_LEN) != 0) {
        i = (i + 1) & mask;
    }
    return i;
}

static bool grow_slots(struct v6map *m)
{
    size_t count = m->slot_count * 2;
    uint32_t *slots = calloc(count, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    free(m->slots);
    m->slots = slots;
    m->slot_count = count;
    for (size_t k = 0; k < m->n; k++) {
        m->slots[probe(m, m->addrs[k])] = (uint32_t)(k + 1);
    }
    return true;
}

static bool grow_addrs(struct v6map *m)
{
    size_t cap = m->addr_cap * 2;
    void *addrs = realloc(m->addrs, cap * sizeof(m->addrs[0]));
    if (addrs == NULL) {
        return false;
    }
    m->addrs = addrs;
    void *uses = realloc(m->uses, cap * sizeof(m->uses[0]));
    if (uses == NULL) {
        return false;
    }
    m->uses = uses;
    m->addr_cap = cap;
    return true;
}

/* A packet carried index k: its time only, so that a packet touches no other entry. */
static void seen(struct v6map *m, uint32_t k)
{
    m->uses[k].last_seen = m->now;
}

/* Takes index k's address out of the hash table; backward-shift deletion keeps every probe
 * sequence unbroken. */
static void unhash(struct v6map *m, uint32_t k)
{
    size_t mask = m->slot_count - 1;
    size_t hole = probe(m, m->addrs[k]);
    for (size_t i = (hole + 1) & mask; m->slots[i] != 0; i = (i + 1) & mask) {
        size_t home = hash_addr(m, m->addrs[m->slots[i] - 1]) & mask;
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    m->slots[hole] = 0;
}

/* An index no connection holds and no packet carried for the grace period, if one of the
 * next few the hand comes to is: a clock going round every index, so each is looked at once
 * a round (a new one at the end of it), and held or busy ones do not block the rest. */
static bool reclaim(struct v6map *m, uint32_t *k)
{
    for (int look = 0; look < RECLAIM_LOOKS && m->n > 0; look++) {
        uint32_t at = m->hand;
        m->hand = (uint32_t)((m->hand + 1) % m->n);
        if (m->uses[at].holds == 0 && m->now - m->uses[at].last_seen >= V6MAP_GRACE_SECONDS) {
            unhash(m, at);
            *k = at;
            return true;
        }
    }
    return false;
}

/* The IPv4 address (as a host number) standing for a; false when no more can be made. */
static bool map_address(struct v6map *m, const uint8_t a[V6_ADDR_LEN], uint32_t *v4)
{
    size_t i = probe(m, a);
    if (m->slots[i] == 0) {
        uint32_t k;
        if (reclaim(m, &k)) {
            i = probe(m, a);
        } else {
            if (m->n == MAP_MAX_ENTRIES) {
                return false;
            }
            if (m->n == m->addr_cap && !grow_addrs(m)) {
                return false;
            }
            if (2 * (m->n + 1) > m->slot_count) {
                if (!grow_slots(m)) {
                    return false;
                }
                i = probe(m, a);
            }
            k = (uint32_t)m->n++;
        }
        memcpy(m->addrs[k], a, V6_ADDR_LEN);
        m->uses[k].holds = 0;
        m->slots[i] = k + 1;
    }
    seen(m, m->slots[i] - 1);
    *v4 = MAP_FIRST + (m->slots[i] - 1);
    return true;
}

struct v6map *v6map_new(void)
{
    struct v6map *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->slots = calloc(INITIAL_SLOTS, sizeof(*m->slots));
    m->addrs = malloc(INITIAL_ADDRS * sizeof(m->addrs[0]));
    m->uses = malloc(INITIAL_ADDRS * sizeof(m->uses[0]));
    if (m->slots == NULL || m->addrs == NULL || m->uses == NULL) {
        v6map_free(m);
        return NULL;
    }
    m->slot_count = INITIAL_SLOTS;
    m->addr_cap = INITIAL_ADDRS;
    /* A per-run seed keeps a crafted capture from piling every address onto one probe chain;
     * the mapping itself follows the order of first appearance, not the hash. */
    m->seed = mix64((uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)m);
    return m;
}

void v6map_free(struct v6map *m)
{
    if (m == NULL) {
        return;
    }
    free(m->slots);
    free(m->addrs);
    free(m->uses);
    free(m);
}

/* RFC 8200 8.1: the pseudo-header holds the final destination; while segments are left it is
 * in the routing header: the last address for types 0 (RFC 2460 4.4) and 2 (RFC 6275 6.4),
 * Segment List[0] for type 4 (RFC 8754 2). Mapping it, not the next hop, also keeps both
 * directions of a connection on one tuple. hdr is the whole routing header. */
static void routing_final_destination(struct cursor hdr, uint8_t dst[V6_ADDR_LEN])
{
    uint8_t hdr_ext_len;
    uint8_t routing_type;
    uint8_t segments_left;
    size_t at;
    struct cursor addr;
    if (!cur_peek_u8(hdr, 1, &hdr_ext_len) || !cur_peek_u8(hdr, 2, &routing_type) ||
        !cur_peek_u8(hdr, 3, &segments_left) || segments_left == 0) {
        return;
    }
    switch (routing_type) {
    case 0:
    case 2:
        if (hdr_ext_len < 2) {
            return;
        }
        at = 8 + (size_t)V6_ADDR_LEN * (hdr_ext_len / 2 - 1);
        break;
    case 4:
        at = 8;
        break;
    default:
        return; /* a receiver discards unknown types with segments left */
    }
    if (cur_skip(&hdr, at) && cur_get_bytes(&hdr, V6_ADDR_LEN, &addr)) {
        cur_copy(addr, dst);
    }
}

/* Steps over one extension header at the front of payload, updating *next. */
static enum v6_result skip_extension(struct cursor *payload, uint8_t *next,
                                     struct v6_packet *pk)
{
    uint8_t hdr_ext_len;
    uint16_t offset_flags;
    struct cursor hdr;
    switch (*next) {
    case NH_HOP_BY_HOP:
    case NH_ROUTING:
    case NH_DEST_OPTS:
        /* RFC 8200 4.3-4.6: Next Header(1) Hdr Ext Len(1) in 8-octet units after the first 8. */
        if (!cur_peek_u8(*payload, 1, &hdr_ext_len) ||
            !cur_get_bytes(payload, ((size_t)hdr_ext_len + 1) * 8, &hdr)) {
            return V6_SKIP_TRUNCATED;
        }
        if (*next == NH_ROUTING) {
            routing_final_destination(hdr, pk->dst);
        }
        return cur_peek_u8(hdr, 0, next) ? V6_OK : V6_SKIP_TRUNCATED;
    case NH_FRAGMENT:
        /* RFC 8200 4.5: Next Header(1) Reserved(1) Fragment Offset(13 bits) Res(2) M(1)
         * Identification(4). Offset 0 without M is an atomic fragment, a whole packet that
         * RFC 6946 4 says to process as such. */
        if (!cur_peek_u8(*payload, 0, next) || !cur_peek_u16(*payload, 2, &offset_flags) ||
            !cur_skip(payload, 8)) {
            return V6_SKIP_TRUNCATED;
        }
        return (offset_flags & 0xfff9) == 0 ? V6_OK : V6_SKIP_FRAGMENT;
    default:
        return V6_SKIP_NOT_TCP;
    }
}

/* Reads the fixed header, walks the extension headers and finds the TCP segment. */
static enum v6_result parse_ipv6(struct cursor ip6, struct v6_packet *pk)
{
    uint32_t version_class_flow;
    uint16_t payload_length;
    uint8_t next;
    struct cursor src;
    struct cursor dst;
    /* RFC 8200 3: Version(4) Traffic Class(8) Flow Label(20) Payload Length(16)
     * Next Header(8) Hop Limit(8) Source Address(128) Destination Address(128) */
    if (!cur_get_u32(&ip6, &version_class_flow) || !cur_get_u16(&ip6, &payload_length) ||
        !cur_get_u8(&ip6, &next) || !cur_get_u8(&ip6, &pk->hop_limit) ||
        !cur_get_bytes(&ip6, V6_ADDR_LEN, &src) || !cur_get_bytes(&ip6, V6_ADDR_LEN, &dst)) {
        return V6_SKIP_TRUNCATED;
    }
    pk->traffic_class = (uint8_t)(version_class_flow >> 20);
    cur_copy(src, pk->src);
    cur_copy(dst, pk->dst);
    /* Payload Length 0 with bytes following: a jumbogram (RFC 2675) or an offloaded segment,
     * longer than 65535 either way. */
    if (payload_length == 0 && cur_len(ip6) > 0) {
        return V6_SKIP_TOO_BIG;
    }
    bool is_whole = cur_len(ip6) >= payload_length;
    struct cursor payload = cur_take_upto(&ip6, payload_length);
    while (next != NH_TCP) {
        enum v6_result r = skip_extension(&payload, &next, pk);
        if (r != V6_OK) {
            return r;
        }
    }
    /* A partial segment is no use to libnids either: it would take it for the whole. */
    if (!is_whole || cur_len(payload) < TCP_HEADER_MIN) {
        return V6_SKIP_TRUNCATED;
    }
    if (cur_len(payload) > TCP_MAX_LEN) {
        return V6_SKIP_TOO_BIG;
    }
    pk->tcp = payload;
    return V6_OK;
}

/* RFC 1071: one's-complement sum of big-endian 16-bit words; n is even. Our buffers only. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    }
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16 != 0) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)sum;
}

/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): the IPv6 addresses leave the pseudo-header sum and
 * the IPv4 ones enter. Length and protocol add up the same in both pseudo-headers
 * (RFC 8200 8.1, RFC 9293 3.1), so nothing else changes. */
static uint16_t adjusted_checksum(uint16_t old, const struct v6_packet *pk,
                                  const uint8_t v4_addrs[8])
{
    uint32_t s = (uint16_t)~old;
    s += (uint16_t)~fold(sum16(pk->src, V6_ADDR_LEN, sum16(pk->dst, V6_ADDR_LEN, 0)));
    s += fold(sum16(v4_addrs, 8, 0));
    return (uint16_t)~fold(s);
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    put_u16(p, (uint16_t)(v >> 16));
    put_u16(p + 2, (uint16_t)v);
}

/* RFC 791 3.1, no options. DF because the IPv6 packet was not fragmented either; ID 0 is then
 * allowed (RFC 6864 4.1). */
static void write_ipv4_header(uint8_t *h, const struct v6_packet *pk, uint32_t src, uint32_t dst)
{
    h[0] = 0x45; /* version 4, IHL 5 words */
    h[1] = pk->traffic_class;
    put_u16(h + 2, (uint16_t)(IPV4_HEADER_LEN + cur_len(pk->tcp)));
    put_u16(h + 4, 0);      /* identification */
    put_u16(h + 6, 0x4000); /* DF, offset 0 */
    h[8] = pk->hop_limit;
    h[9] = NH_TCP;
    put_u16(h + 10, 0);
    put_u32(h + 12, src);
    put_u32(h + 16, dst);
    put_u16(h + 10, (uint16_t)~fold(sum16(h, IPV4_HEADER_LEN, 0)));
}

enum v6_result v6map_translate(struct v6map *m, struct cursor ip6, uint8_t *out, size_t cap,
                               size_t *out_len)
{
    struct v6_packet pk;
    uint32_t src;
    uint32_t dst;
    uint16_t old_checksum;
    enum v6_result r = parse_ipv6(ip6, &pk);
    if (r != V6_OK) {
        return r;
    }
    size_t len = IPV4_HEADER_LEN + cur_len(pk.tcp);
    if (len > cap) {
        return V6_SKIP_TOO_BIG;
    }
    if (!cur_peek_u16(pk.tcp, TCP_CHECKSUM_AT, &old_checksum)) {
        return V6_SKIP_TRUNCATED; /* not reached: parse_ipv6 checked the TCP header length */
    }
    if (!map_address(m, pk.src, &src) || !map_address(m, pk.dst, &dst)) {
        return V6_SKIP_MAP_FULL;
    }
    write_ipv4_header(out, &pk, src, dst);
    cur_copy(pk.tcp, out + IPV4_HEADER_LEN);
    uint16_t checksum = adjusted_checksum(old_checksum, &pk, out + 12);
    put_u16(out + IPV4_HEADER_LEN + TCP_CHECKSUM_AT, checksum);
    *out_len = len;
    return V6_OK;
}

/* A host number as the 4 wire-order bytes memcpy'd into a uint32_t. */
static uint32_t wire_order(uint32_t host)
{
    const uint8_t b[4] = {(uint8_t)(host >> 24), (uint8_t)(host >> 16), (uint8_t)(host >> 8),
                          (uint8_t)host};
    uint32_t wire;
    memcpy(&wire, b, 4);
    return wire;
}

enum v6_result v6map_segment(struct v6map *m, struct cursor ip6, struct segment *s)
{
    struct v6_packet pk;
    uint32_t src;
    uint32_t dst;
    enum v6_result r = parse_ipv6(ip6, &pk);
    if (r != V6_OK) {
        return r;
    }
    if (IPV4_HEADER_LEN + cur_len(pk.tcp) > V6MAP_OUT_MAX) {
        return V6_SKIP_TOO_BIG;
    }
    if (!tcp_header_parse(pk.tcp, s)) {
        return V6_SKIP_TRUNCATED;
    }
    if (!map_address(m, pk.src, &src) || !map_address(m, pk.dst, &dst)) {
        return V6_SKIP_MAP_FULL;
    }
    s->t.saddr = wire_order(src);
    s->t.daddr = wire_order(dst);
    return V6_OK;
}

/* The address as a host number, from its wire-order bytes. */
static uint32_t host_number(uint32_t addr_v4_wire_order)
{
    uint8_t b[4];
    memcpy(b, &addr_v4_wire_order, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The index behind a mapped address, if it is one in use. */
static bool index_of(const struct v6map *m, uint32_t addr_v4_wire_order, uint32_t *k)
{
    uint32_t v4 = host_number(addr_v4_wire_order);
    if (m == NULL || v4 < MAP_FIRST || v4 - MAP_FIRST >= m->n) {
        return false;
    }
    *k = v4 - MAP_FIRST;
    return true;
}

bool v6map_lookup(const struct v6map *m, uint32_t addr_v4_wire_order, uint8_t out[16])
{
    uint32_t k;
    if (!index_of(m, addr_v4_wire_order, &k)) {
        return false;
    }
    memcpy(out, m->addrs[k], V6_ADDR_LEN);
    return true;
}

void v6map_clock(struct v6map *m, struct timeval now)
{
    m->now = (uint32_t)now.tv_sec;
}

bool v6map_hold(struct v6map *m, uint32_t addr_v4_wire_order)
{
    uint32_t k;
    if (!index_of(m, addr_v4_wire_order, &k)) {
        return false;
    }
    m->uses[k].holds++;
    return true;
}

void v6map_release(struct v6map *m, uint32_t addr_v4_wire_order)
{
    uint32_t k;
    if (index_of(m, addr_v4_wire_order, &k) && m->uses[k].holds > 0) {
        m->uses[k].holds--;
    }
}

bool v6map_collides(uint32_t addr_v4_wire_order)
{
    uint32_t v4 = host_number(addr_v4_wire_order);
    return v4 >= MAP_FIRST && v4 <= MAP_LAST;
}

const char *v6map_result_name(enum v6_result r)
{
    static const char *const names[V6_RESULT_COUNT] = {
        [V6_OK] = "ok",
        [V6_SKIP_NOT_TCP] = "ipv6_not_tcp",
        [V6_SKIP_FRAGMENT] = "ipv6_fragment",
        [V6_SKIP_TRUNCATED] = "ipv6_truncated",
        [V6_SKIP_TOO_BIG] = "ipv6_too_big",
        [V6_SKIP_MAP_FULL] = "ipv6_map_full",
    };
    if ((unsigned)r >= V6_RESULT_COUNT) {
        return "unknown";
    }
    return names[r];
}
