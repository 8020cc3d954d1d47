/* Flow hash for -j: read through the cursor like every other packet path (linklayer.c finds
 * the IP packet; RFC 791 and RFC 8200 give the headers walked here). */
#include "parallel/flow_hash.h"

#include <string.h>

#include "capture/linklayer.h"

#define PROTO_TCP 6
#define PROTO_UDP 17

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser (Steele, Lea, Flood 2014): every input bit moves every output bit */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* An endpoint folded into one word, cheaply: the final mix64 does the spreading. The address
 * is read in 8-byte words, the last one zero-filled; the two lengths routing sees are read
 * with loads of a fixed size (a copy of a variable length into a word is a call and a stalled
 * load, a third of the reader's hashing on bench capture A). */
static uint64_t endpoint_word(const uint8_t *addr, size_t addr_len, uint16_t port)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t w = port;
    if (addr_len == 4) {
        uint32_t v4;
        memcpy(&v4, addr, sizeof(v4));
        return (w ^ v4) * k;
    }
    if (addr_len == 16) {
        uint64_t hi, lo;
        memcpy(&hi, addr, sizeof(hi));
        memcpy(&lo, addr + 8, sizeof(lo));
        return (((w ^ hi) * k) ^ lo) * k;
    }
    for (size_t i = 0; i < addr_len; i += 8) {
        uint64_t chunk = 0;
        memcpy(&chunk, addr + i, addr_len - i < 8 ? addr_len - i : 8);
        w = (w ^ chunk) * k;
    }
    return w;
}

static uint64_t endpoint_hash(const uint8_t *addr, size_t addr_len, uint16_t port)
{
    return mix64(endpoint_word(addr, addr_len, port));
}

uint32_t flow_hash_pair(const uint8_t *a, uint16_t port_a, const uint8_t *b, uint16_t port_b,
                        size_t addr_len, uint8_t proto)
{
    uint64_t wa = endpoint_word(a, addr_len, port_a);
    uint64_t wb = endpoint_word(b, addr_len, port_b);
    /* + and ^ do not care which side is which; one mix64 spreads the pair */
    return (uint32_t)(mix64((wa + wb) ^ ((wa ^ wb) << 17 | (wa ^ wb) >> 47) ^ proto) >> 32);
}

void flow_router_init(struct flow_router *r, uint32_t workers)
{
    memset(r, 0, sizeof(*r));
    r->workers = workers == 0 ? 1 : workers;
}

static uint32_t worker_of(const struct flow_router *r, uint32_t hash)
{
    return (uint32_t)(((uint64_t)hash * r->workers) >> 32);
}

/* What routing needs of one IP packet. */
struct ip_facts {
    const uint8_t *src, *dst; /* within the frame's bytes, addr_len each */
    uint8_t raw_src[16], raw_dst[16];
    size_t addr_len;
    uint8_t proto;
    bool fragment;       /* part of a fragmented datagram */
    bool first_fragment; /* ... its first part, which carries the ports */
    uint32_t id;
    bool have_ports;
    uint16_t sport, dport;
};

static void ports_of(struct cursor transport, struct ip_facts *f)
{
    if ((f->proto == PROTO_TCP || f->proto == PROTO_UDP) && cur_get_u16(&transport, &f->sport) &&
        cur_get_u16(&transport, &f->dport)) {
        f->have_ports = true;
    }
}

static bool ipv4_facts(struct cursor ip, struct ip_facts *f)
{
    uint8_t vhl;
    uint16_t id, frag;
    struct cursor addrs;
    struct cursor probe = ip;
    if (!cur_peek_u8(ip, 0, &vhl) || !cur_peek_u16(ip, 4, &id) || !cur_peek_u16(ip, 6, &frag) ||
        !cur_peek_u8(ip, 9, &f->proto) || !cur_skip(&probe, 12) ||
        !cur_get_bytes(&probe, 8, &addrs)) {
        return false;
    }
    cur_copy(addrs, f->raw_src);
    memcpy(f->raw_dst, f->raw_src + 4, 4);
    f->addr_len = 4;
    f->id = id;
    f->fragment = (frag & 0x3fff) != 0; /* MF or an offset */
    f->first_fragment = f->fragment && (frag & 0x1fff) == 0;
    struct cursor transport = ip;
    if ((frag & 0x1fff) == 0 && cur_skip(&transport, (size_t)(vhl & 0x0f) * 4)) {
        ports_of(transport, f);
    }
    return true;
}

/* RFC 8200 4: the extension headers before the upper layer, a few deep. */
static bool ipv6_facts(struct cursor ip, struct ip_facts *f)
{
    uint8_t next;
    struct cursor addrs;
    struct cursor rest = ip;
    if (!cur_peek_u8(ip, 6, &next) || !cur_skip(&rest, 8) || !cur_get_bytes(&rest, 32, &addrs)) {
        return false;
    }
    uint8_t both[32];
    cur_copy(addrs, both);
    memcpy(f->raw_src, both, 16);
    memcpy(f->raw_dst, both + 16, 16);
    f->addr_len = 16;
    for (int depth = 0; depth < 8; depth++) {
        uint8_t after, hdr_len;
        uint16_t offset_flags;
        uint32_t id;
        switch (next) {
        case 0:  /* hop-by-hop options */
        case 43: /* routing */
        case 60: /* destination options: (length + 1) * 8 bytes */
            if (!cur_peek_u8(rest, 0, &after) || !cur_peek_u8(rest, 1, &hdr_len) ||
                !cur_skip(&rest, ((size_t)hdr_len + 1) * 8)) {
                f->proto = next;
                return true;
            }
            next = after;
            continue;
        case 44: /* fragment: 8 bytes, RFC 8200 4.5 */
            if (!cur_peek_u8(rest, 0, &after) || !cur_peek_u16(rest, 2, &offset_flags) ||
                !cur_skip(&rest, 4) || !cur_get_u32(&rest, &id)) {
                f->proto = next;
                return true;
            }
            f->fragment = true;
            f->first_fragment = (offset_flags & 0xfff8) == 0;
            f->id = id;
            next = after;
            if (!f->first_fragment) {
                f->proto = next;
                return true;
            }
            continue;
        default:
            f->proto = next;
            ports_of(rest, f);
            return true;
        }
    }
    f->proto = next;
    return true;
}

static uint64_t fragment_key(const struct ip_facts *f)
{
    uint64_t h = endpoint_hash(f->raw_src, f->addr_len, 0);
    h = mix64(h ^ endpoint_hash(f->raw_dst, f->addr_len, 1));
    h = mix64(h ^ ((uint64_t)f->id << 8) ^ f->proto);
    return h == 0 ? 1 : h;
}

uint32_t flow_route(struct flow_router *r, int dlt, struct cursor frame, time_t now)
{
    if (r->workers == 1) {
        return 0;
    }
    struct cursor ip;
    enum link_result l = link_decode(dlt, frame, &ip);
    struct ip_facts f;
    memset(&f, 0, sizeof(f));
    if (!(l == LINK_IPV4 ? ipv4_facts(ip, &f) : l == LINK_IPV6 ? ipv6_facts(ip, &f) : false)) {
        return 0;
    }
    uint32_t hash = f.have_ports ? flow_hash_pair(f.raw_src, f.sport, f.raw_dst, f.dport,
                                                  f.addr_len, f.proto)
                                 : flow_hash_pair(f.raw_src, 0, f.raw_dst, 0, f.addr_len, 0);
    if (f.fragment) {
        uint64_t key = fragment_key(&f);
        struct fragment_slot *s = &r->fragments[key % FLOW_FRAGMENT_SLOTS];
        if (f.first_fragment && f.have_ports) {
            s->key = key;
            s->seen = now;
            s->hash = hash;
        } else if (!f.first_fragment && s->key == key && now - s->seen <= FLOW_FRAGMENT_SECONDS) {
            hash = s->hash;
        }
    }
    return worker_of(r, hash);
}
