/* Client and server fingerprints of hello messages: JA3 and JA3S (Salesforce, README of
 * github.com/salesforce/ja3: "How it works", "JA3S") and JA4, the TLS client fingerprint of
 * JA4+ (FoxIO, technical_details/JA4.md, BSD-3-Clause; the other JA4+ methods are not here). */
#include "crypto/digest.h"
#include "tls/fingerprint.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cache_ways.h"
#include "base/fields.h"
#include "base/fnv.h"
#include "base/names.h"
#include "tls/tls.h"

#define RANDOM_LEN 32

/* Code points kept per list. Real hellos list far fewer (JA4 caps its counts at 99, a number
 * "there should never be" more of); the cap bounds the buffers below, which live on the
 * stack (dissectors allocate nothing). A hello past it gets
 * fingerprint_skipped=too_many_values rather than a fingerprint of part of it. */
#define FP_VALUES_MAX 512
#define JA4_A_LEN 10
#define JA4_HASH_HEX 12
/* JA4.md: ciphers and extension counts are two digits, "99" when there are more. */
#define JA4_COUNT_MAX 99
/* Room for the strings: a value takes at most 6 characters with its separator in JA3
 * ("65535-"), 5 in JA4 ("ffff,"); JA3 has four lists, JA4 two plus the signature algorithms. */
#define JA3_TEXT_MAX (6 + 4 * 6 * FP_VALUES_MAX)
#define JA4_LIST_TEXT_MAX (5 * FP_VALUES_MAX)
#define JA4_RAW_TEXT_MAX (JA4_A_LEN + 3 + 3 * JA4_LIST_TEXT_MAX)

struct u16_list {
    uint16_t v[FP_VALUES_MAX];
    size_t n;
    bool full; /* a value did not fit */
};

static void list_add(struct u16_list *l, uint16_t value)
{
    if (l->n == FP_VALUES_MAX) {
        l->full = true;
        return;
    }
    l->v[l->n++] = value;
}

/* All three methods leave GREASE (RFC 8701) out of every list. */
static void list_add_u16s(struct u16_list *l, struct cursor c)
{
    uint16_t value;
    while (cur_get_u16(&c, &value)) {
        if (!names_is_grease_u16(value)) {
            list_add(l, value);
        }
    }
}

static int compare_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* What the fingerprints read from a ClientHello; extension bodies from their first copy. */
struct client_facts {
    enum tls_transport transport; /* JA4's first character; DTLS hellos have a cookie */
    uint16_t legacy_version;
    struct u16_list ciphers;
    struct u16_list extensions; /* types, in wire order */
    struct u16_list groups;
    struct u16_list point_formats; /* one-byte values */
    struct u16_list sigalgs;
    uint16_t top_version; /* highest in supported_versions; 0 when none */
    bool has_sni;
    bool has_alpn;
    struct cursor alpn_first; /* the first protocol name, maybe empty */
    bool seen_groups, seen_point_formats, seen_sigalgs, seen_versions;
};

/* Everything zero but the lists' values, which are read only up to their counts (clearing
 * five lists of FP_VALUES_MAX was a sixth of a fingerprint's cost). */
static void facts_init(struct client_facts *h, enum tls_transport transport)
{
    struct u16_list *lists[] = {&h->ciphers, &h->extensions, &h->groups, &h->point_formats,
                                &h->sigalgs};
    h->transport = transport;
    h->legacy_version = 0;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        lists[i]->n = 0;
        lists[i]->full = false;
    }
    h->top_version = 0;
    h->has_sni = h->has_alpn = false;
    h->alpn_first = cur_make(NULL, 0);
    h->seen_groups = h->seen_point_formats = h->seen_sigalgs = h->seen_versions = false;
}

static bool too_many(const struct client_facts *h)
{
    return h->ciphers.full || h->extensions.full || h->groups.full || h->point_formats.full ||
           h->sigalgs.full;
}

/* DTLS numbers its versions downwards (RFC 9147 5.3: 1.0 0xfeff, 1.2 0xfefd, 1.3 0xfefc):
 * "highest" in JA4.md means newest. */
static bool newer_version(uint16_t a, uint16_t b)
{
    uint32_t rank_a = (a >> 8) == 0xfe ? 0x10000u + (0xffu - (a & 0xffu)) : a;
    uint32_t rank_b = (b >> 8) == 0xfe ? 0x10000u + (0xffu - (b & 0xffu)) : b;
    return b == 0 || rank_a > rank_b;
}

/* The extension bodies the fingerprints read; their grammar was checked by the decoders. */
static bool read_extension(struct client_facts *h, uint16_t type, struct cursor body)
{
    struct cursor list;
    uint8_t format;
    uint16_t version;
    switch (type) {
    case EXT_server_name:
        h->has_sni = true; /* JA4.md: the extension's presence, whatever it holds */
        return true;
    case EXT_application_layer_protocol_negotiation:
        if (h->has_alpn) {
            return true;
        }
        h->has_alpn = true;
        h->alpn_first = cur_make(NULL, 0);
        /* RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>; */
        if (!cur_get_vec16(&body, &list)) {
            return false;
        }
        return cur_len(list) == 0 || cur_get_vec8(&list, &h->alpn_first);
    case EXT_supported_groups:
        if (h->seen_groups) {
            return true;
        }
        h->seen_groups = true;
        /* RFC 8446 4.2.7: NamedGroup named_group_list<2..2^16-1>; */
        if (!cur_get_vec16(&body, &list)) {
            return false;
        }
        list_add_u16s(&h->groups, list);
        return true;
    case EXT_ec_point_formats:
        if (h->seen_point_formats) {
            return true;
        }
        h->seen_point_formats = true;
        /* RFC 8422 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1> */
        if (!cur_get_vec8(&body, &list)) {
            return false;
        }
        while (cur_get_u8(&list, &format)) {
            list_add(&h->point_formats, format);
        }
        return true;
    case EXT_signature_algorithms:
        if (h->seen_sigalgs) {
            return true;
        }
        h->seen_sigalgs = true;
        /* RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>; */
        if (!cur_get_vec16(&body, &list)) {
            return false;
        }
        list_add_u16s(&h->sigalgs, list);
        return true;
    case EXT_supported_versions:
        if (h->seen_versions) {
            return true;
        }
        h->seen_versions = true;
        /* RFC 8446 4.2.1: ProtocolVersion versions<2..254>; (in a ClientHello) */
        if (!cur_get_vec8(&body, &list)) {
            return false;
        }
        while (cur_get_u16(&list, &version)) {
            if (!names_is_grease_u16(version) && newer_version(version, h->top_version)) {
                h->top_version = version;
            }
        }
        return true;
    default:
        return true;
    }
}

/* RFC 8446 4.1.2: struct { ProtocolVersion legacy_version; Random random;
 *   opaque legacy_session_id<0..32>; CipherSuite cipher_suites<2..2^16-2>;
 *   opaque legacy_compression_methods<1..2^8-1>; Extension extensions<8..2^16-1>; } */
static bool read_client_hello(struct cursor body, struct client_facts *h)
{
    struct cursor session_id, cookie, suites, compression, block, ext;
    uint16_t type;
    /* RFC 6347 4.2.1: DTLS adds opaque cookie<0..2^8-1> after the session id. */
    if (!cur_get_u16(&body, &h->legacy_version) || !cur_skip(&body, RANDOM_LEN) ||
        !cur_get_vec8(&body, &session_id) ||
        (h->transport == TRANSPORT_DTLS && !cur_get_vec8(&body, &cookie)) ||
        !cur_get_vec16(&body, &suites) || !cur_get_vec8(&body, &compression)) {
        return false;
    }
    list_add_u16s(&h->ciphers, suites);
    if (cur_len(body) == 0) {
        return true; /* RFC 5246 7.4.1.2: extensions are optional before TLS 1.3 */
    }
    if (!cur_get_vec16(&body, &block)) {
        return false;
    }
    while (cur_len(block) > 0) {
        if (!cur_get_u16(&block, &type) || !cur_get_vec16(&block, &ext)) {
            return false;
        }
        if (names_is_grease_u16(type)) {
            continue;
        }
        list_add(&h->extensions, type);
        if (!read_extension(h, type, ext)) {
            return false;
        }
    }
    return true;
}

/* A fingerprint string under construction in a caller's buffer; cut (never expected, the
 * buffers are sized for FP_VALUES_MAX) when it outgrows it. */
struct text {
    char *s;
    size_t cap;
    size_t len;
    bool cut;
};

static void text_init(struct text *t, char *buf, size_t cap)
{
    t->s = buf;
    t->cap = cap;
    t->s[0] = '\0';
    t->len = 0;
    t->cut = false;
}

__attribute__((format(printf, 2, 3))) static void text_printf(struct text *t, const char *fmt,
                                                                ...)
{
    if (t->cut) {
        return;
    }
    size_t room = t->cap - t->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        t->s[t->len] = '\0';
        t->cut = true;
        return;
    }
    t->len += (size_t)n;
}

/* Appends n bytes; these lists run into hundreds of values per hello, too many for printf. */
static void text_put(struct text *t, const char *bytes, size_t n)
{
    if (t->cut || n >= t->cap - t->len) {
        t->cut = true;
        return;
    }
    memcpy(t->s + t->len, bytes, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* One decimal value, then sep (JA3's version and cipher fields; printf cost more than the
 * rest of a ServerHello's JA3S). */
static void text_decimal(struct text *t, unsigned value, char sep)
{
    char digits[FIELDS_UINT_TEXT + 1];
    size_t n = fields_format_uint(value, digits);
    digits[n++] = sep;
    text_put(t, digits, n);
}

/* JA3: decimal values, '-' between them. */
static void text_decimal_list(struct text *t, const struct u16_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        char digits[8];
        size_t n = sizeof(digits);
        unsigned v = l->v[i];
        do {
            digits[--n] = (char)('0' + v % 10);
            v /= 10;
        } while (v > 0);
        if (i > 0) {
            digits[--n] = '-';
        }
        text_put(t, digits + n, sizeof(digits) - n);
    }
}

/* JA4: four lowercase hex digits, ',' between them. */
static void text_hex_list(struct text *t, const struct u16_list *l)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < l->n; i++) {
        unsigned v = l->v[i];
        char item[5] = {',', hex[v >> 12 & 15], hex[v >> 8 & 15], hex[v >> 4 & 15], hex[v & 15]};
        text_put(t, i == 0 ? item + 1 : item, i == 0 ? 4 : 5);
    }
}

/* The first hex_len lowercase hex digits of the digest of t (EVP: MD5 for JA3, SHA-256 for
 * JA4); false when libcrypto cannot make it (MD5 is missing from a FIPS-only provider). */
static bool digest_hex(const EVP_MD *md, const struct text *t, char *out, size_t hex_len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (md == NULL || EVP_Digest(t->s, t->len, d, &n, md, NULL) != 1 || hex_len > 2 * (size_t)n) {
        return false;
    }
    for (size_t i = 0; i < hex_len; i++) {
        uint8_t byte = d[i / 2];
        out[i] = hex[i % 2 == 0 ? byte >> 4 : byte & 0xf];
    }
    out[hex_len] = '\0';
    return true;
}

/* JA3 strings seen before, with their MD5: a server answers every client of a kind alike,
 * so JA3S strings repeat as much as ClientHellos do (client ones are cached whole above). */
#define MD5_MEMO_SETS 16
#define MD5_MEMO_WAYS 4
#define MD5_MEMO_TEXT_MAX 120 /* longer strings are hashed each time */

static struct md5_memo {
    struct cache_way way;
    size_t len;
    char text[MD5_MEMO_TEXT_MAX];
    char md5[TLS_JA3_LEN + 1];
} md5_memo[MD5_MEMO_SETS][MD5_MEMO_WAYS];
static uint64_t md5_clock;

static bool holds_text(const void *entry, const void *key)
{
    const struct md5_memo *e = entry;
    const struct text *t = key;
    return e->len == t->len && memcmp(e->text, t->s, t->len) == 0;
}

static bool ja3_md5(const struct text *t, char md5[TLS_JA3_LEN + 1])
{
    if (t->len > MD5_MEMO_TEXT_MAX) {
        return digest_hex(digest_md5(), t, md5, TLS_JA3_LEN);
    }
    bool hit;
    uint32_t h = (uint32_t)fnv1a64_words(FNV1A64_BASIS, t->s, t->len);
    struct md5_memo *m = cache_pick(md5_memo[h % MD5_MEMO_SETS], MD5_MEMO_WAYS,
                                    sizeof(md5_memo[0][0]), holds_text, t, &md5_clock, &hit);
    if (!hit) {
        if (!digest_hex(digest_md5(), t, m->md5, TLS_JA3_LEN)) {
            m->way.last_used = 0;
            return false;
        }
        m->len = t->len;
        memcpy(m->text, t->s, t->len);
    }
    memcpy(md5, m->md5, TLS_JA3_LEN + 1);
    return true;
}

/* Adds key=<MD5 of t> and key_string=<t> (the latter from -v on); the hash is also kept in
 * keep (TLS_JA3_LEN + 1 bytes) unless keep is NULL or already holds one. */
static void add_ja3(struct fields *f, const char *key, const char *string_key,
                    const struct text *t, char *keep)
{
    char md5[TLS_JA3_LEN + 1];
    if (ja3_md5(t, md5)) {
        fields_add_bare(f, key, md5);
        if (keep != NULL && keep[0] == '\0') {
            memcpy(keep, md5, sizeof(md5));
        }
    }
    fields_set_level(f, 1);
    fields_add_token(f, string_key, t->s);
    fields_set_level(f, 0);
}

/* JA3 = SSLVersion,Cipher,SSLExtension,EllipticCurve,EllipticCurvePointFormat; a field with
 * no values is left empty ("769,4-5-10,,,"). */
static void ja3_string(const struct client_facts *h, struct text *t)
{
    text_decimal(t, h->legacy_version, ',');
    text_decimal_list(t, &h->ciphers);
    text_put(t, ",", 1);
    text_decimal_list(t, &h->extensions);
    text_put(t, ",", 1);
    text_decimal_list(t, &h->groups);
    text_put(t, ",", 1);
    text_decimal_list(t, &h->point_formats);
}

/* JA4.md "TLS and DTLS Version": two characters, "00" for anything else (drafts too). */
static const char *ja4_version(uint16_t version)
{
    switch (version) {
    case VERSION_TLSv1_3:
        return "13";
    case VERSION_TLSv1_2:
        return "12";
    case VERSION_TLSv1_1:
        return "11";
    case VERSION_TLSv1_0:
        return "10";
    case VERSION_SSLv3:
        return "s3";
    case VERSION_SSLv2:
        return "s2";
    case VERSION_DTLSv1_0:
        return "d1";
    case VERSION_DTLSv1_2:
        return "d2";
    case VERSION_DTLSv1_3:
        return "d3";
    default:
        return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* JA4.md "ALPN Extension Value": the first and last characters of the first ALPN value ("00"
 * when there is none or it is empty; a one-byte value is both). If either byte is not ASCII
 * alphanumeric, the first and last characters of the value's hex form instead: the high
 * nibble of the first byte and the low nibble of the last. */
static void ja4_alpn(const struct client_facts *h, char out[2])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = cur_len(h->alpn_first);
    uint8_t first, last;
    if (!h->has_alpn || n == 0 || !cur_peek_u8(h->alpn_first, 0, &first) ||
        !cur_peek_u8(h->alpn_first, n - 1, &last)) {
        out[0] = out[1] = '0';
    } else if (is_alnum(first) && is_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hex[first >> 4];
        out[1] = hex[last & 0xf];
    }
}

static void two_digits(char *out, size_t count)
{
    if (count > JA4_COUNT_MAX) {
        count = JA4_COUNT_MAX;
    }
    out[0] = (char)('0' + count / 10);
    out[1] = (char)('0' + count % 10);
}

/* JA4_a: protocol ('t' TCP, 'q' QUIC, 'd' DTLS), version, SNI or not, cipher count, extension
 * count (SNI and ALPN counted), ALPN. */
static void ja4_a(const struct client_facts *h, char a[JA4_A_LEN + 1])
{
    /* JA4.md: the highest supported_versions entry, else the ClientHello's version; a
     * supported_versions holding only GREASE falls back the same way. */
    uint16_t version = h->top_version != 0 ? h->top_version : h->legacy_version;
    memcpy(a + 1, ja4_version(version), 2);
    a[0] = h->transport == TRANSPORT_QUIC ? 'q' : h->transport == TRANSPORT_DTLS ? 'd' : 't';
    a[3] = h->has_sni ? 'd' : 'i';
    two_digits(a + 4, h->ciphers.n);
    two_digits(a + 6, h->extensions.n);
    ja4_alpn(h, a + 8);
    a[JA4_A_LEN] = '\0';
}

/* JA4.md "Cipher hash", "Extension hash": the first 12 hex digits of the SHA-256 of a list,
 * or twelve zeros for an empty list so that "no values" stays visible. */
static bool ja4_hash(const struct text *t, bool empty, char out[JA4_HASH_HEX + 1])
{
    if (empty) {
        memset(out, '0', JA4_HASH_HEX);
        out[JA4_HASH_HEX] = '\0';
        return true;
    }
    return digest_hex(digest_sha256(), t, out, JA4_HASH_HEX);
}

/* Buffers of one JA4 variant. */
struct ja4_work {
    struct u16_list ciphers;
    struct u16_list extensions;
    struct text b;
    struct text c;
    struct text raw;
    char b_buf[JA4_LIST_TEXT_MAX + 1];
    char c_buf[2 * JA4_LIST_TEXT_MAX + 2];
    char raw_buf[JA4_RAW_TEXT_MAX + 1];
};

/* One variant of JA4. Sorted (ja4, ja4_r): ciphers and extensions in hex order, SNI and ALPN
 * left out of the extensions (section a has them). Original (ja4_o, ja4_ro): both lists as
 * sent, SNI and ALPN included (JA4.md "Raw Output"). Signature algorithms keep their order.
 * Fills w->raw and hashed; false if a digest failed or a string was cut. */
static bool ja4_variant(const struct client_facts *h, const char *a, bool sorted,
                        struct ja4_work *w, char hashed[TLS_JA4_LEN + 1])
{
    w->ciphers = h->ciphers;
    w->extensions.n = 0;
    w->extensions.full = false;
    for (size_t i = 0; i < h->extensions.n; i++) {
        uint16_t type = h->extensions.v[i];
        if (!sorted ||
            (type != EXT_server_name && type != EXT_application_layer_protocol_negotiation)) {
            list_add(&w->extensions, type);
        }
    }
    if (sorted) {
        qsort(w->ciphers.v, w->ciphers.n, sizeof(w->ciphers.v[0]), compare_u16);
        qsort(w->extensions.v, w->extensions.n, sizeof(w->extensions.v[0]), compare_u16);
    }
    text_init(&w->b, w->b_buf, sizeof(w->b_buf));
    text_hex_list(&w->b, &w->ciphers);
    text_init(&w->c, w->c_buf, sizeof(w->c_buf));
    text_hex_list(&w->c, &w->extensions);
    /* JA4.md: with no signature algorithms the string ends without the underscore. */
    if (h->sigalgs.n > 0) {
        text_printf(&w->c, "_");
        text_hex_list(&w->c, &h->sigalgs);
    }
    text_init(&w->raw, w->raw_buf, sizeof(w->raw_buf));
    text_printf(&w->raw, "%s_%s_%s", a, w->b.s, w->c.s);
    char b_hash[JA4_HASH_HEX + 1], c_hash[JA4_HASH_HEX + 1];
    if (w->b.cut || w->c.cut || w->raw.cut || !ja4_hash(&w->b, w->ciphers.n == 0, b_hash) ||
        !ja4_hash(&w->c, w->extensions.n == 0, c_hash)) {
        return false;
    }
    snprintf(hashed, TLS_JA4_LEN + 1, "%.10s_%.12s_%.12s", a, b_hash, c_hash);
    return true;
}

/* ja4 and ja4_r, then ja4_o and ja4_ro; the hashed ones at level 0, the raw ones from -v. */
static void add_ja4(const struct client_facts *h, char keep[TLS_JA4_LEN + 1], struct fields *f)
{
    char a[JA4_A_LEN + 1];
    char hashed[TLS_JA4_LEN + 1];
    struct ja4_work work;
    struct ja4_work *w = &work;
    ja4_a(h, a);
    if (ja4_variant(h, a, true, w, hashed)) {
        fields_add_bare(f, "ja4", hashed);
        fields_set_level(f, 1);
        fields_add_token(f, "ja4_r", w->raw.s);
        fields_set_level(f, 0);
        if (keep[0] == '\0') {
            memcpy(keep, hashed, sizeof(hashed));
        }
    }
    if (ja4_variant(h, a, false, w, hashed)) {
        fields_set_level(f, 1);
        fields_add_bare(f, "ja4_o", hashed);
        fields_add_token(f, "ja4_ro", w->raw.s);
        fields_set_level(f, 0);
    }
}

static void add_client_ja3(const struct client_facts *h, char keep[TLS_JA3_LEN + 1],
                           struct fields *f)
{
    char buf[JA3_TEXT_MAX + 1];
    struct text t;
    text_init(&t, buf, sizeof(buf));
    ja3_string(h, &t);
    if (!t.cut) {
        add_ja3(f, "ja3", "ja3_string", &t, keep);
    }
}

/* ---- the same offers again: most clients send the same ClientHello shape every time, and
 * JA3 and JA4 (one MD5, four SHA-256, two sorts) are most of the cost of dissecting one. The
 * fields are kept in sets chosen by an FNV-1a hash of every fact they are made of, and found
 * again by comparing those facts whole; a set holds several, so that a few dozen client
 * kinds do not evict each other. */

#define FP_CACHE_SETS 16
#define FP_CACHE_WAYS 4
#define FP_KEY_MAX 2048 /* facts of larger offers are not cached */

struct fp_key {
    uint8_t b[FP_KEY_MAX];
    size_t len;
    bool cut;
};

static void key_put(struct fp_key *k, const void *bytes, size_t n)
{
    if (k->cut || n > FP_KEY_MAX - k->len) {
        k->cut = true;
        return;
    }
    memcpy(k->b + k->len, bytes, n);
    k->len += n;
}

static void key_list(struct fp_key *k, const struct u16_list *l)
{
    key_put(k, &l->n, sizeof(l->n));
    key_put(k, l->v, l->n * sizeof(l->v[0]));
}

/* Everything ja3_string, ja4_a and ja4_variant read, flags included. */
static void facts_key(const struct client_facts *h, struct fp_key *k)
{
    uint8_t alpn[256]; /* a protocol name is at most 255 bytes (RFC 7301 3.1) */
    struct cursor rest = h->alpn_first;
    struct cursor name = cur_take_upto(&rest, sizeof(alpn));
    size_t alpn_len = cur_len(name);
    bool flags[] = {h->has_sni,    h->has_alpn,         h->seen_groups,
                    h->seen_sigalgs, h->seen_point_formats, h->seen_versions};
    k->len = 0;
    k->cut = false;
    key_put(k, &h->transport, sizeof(h->transport));
    key_put(k, &h->legacy_version, sizeof(h->legacy_version));
    key_put(k, &h->top_version, sizeof(h->top_version));
    key_put(k, flags, sizeof(flags));
    cur_copy(name, alpn);
    key_put(k, &alpn_len, sizeof(alpn_len));
    key_put(k, alpn, alpn_len);
    key_list(k, &h->ciphers);
    key_list(k, &h->extensions);
    key_list(k, &h->groups);
    key_list(k, &h->point_formats);
    key_list(k, &h->sigalgs);
}

static uint64_t key_hash(const struct fp_key *k)
{
    return fnv1a64_words(FNV1A64_BASIS, k->b, k->len);
}

static struct fp_cached {
    struct cache_way way;
    struct fp_key key;
    char ja3[TLS_JA3_LEN + 1];
    char ja4[TLS_JA4_LEN + 1];
    struct fields fields;
} fp_cache[FP_CACHE_SETS][FP_CACHE_WAYS];
static uint64_t fp_clock;

static bool holds_facts(const void *entry, const void *key)
{
    const struct fp_key *a = &((const struct fp_cached *)entry)->key;
    const struct fp_key *b = key;
    return a->len == b->len && memcmp(a->b, b->b, b->len) == 0;
}

/* The JA3 and JA4 fields of h into f; the connection keeps its first ja3 and ja4. */
static void add_client_fingerprints(const struct client_facts *h, struct tls_state *st,
                                    struct fields *f)
{
    struct fp_key key;
    facts_key(h, &key);
    if (key.cut) {
        add_client_ja3(h, st->ja3, f);
        add_ja4(h, st->ja4, f);
        return;
    }
    bool hit;
    struct fp_cached *slot = cache_pick(fp_cache[key_hash(&key) % FP_CACHE_SETS], FP_CACHE_WAYS,
                                        sizeof(fp_cache[0][0]), holds_facts, &key, &fp_clock,
                                        &hit);
    if (!hit) {
        fields_init(&slot->fields, NULL, NULL);
        slot->ja3[0] = slot->ja4[0] = '\0';
        add_client_ja3(h, slot->ja3, &slot->fields);
        add_ja4(h, slot->ja4, &slot->fields);
        slot->key.len = key.len;
        memcpy(slot->key.b, key.b, key.len);
    }
    fields_append(f, &slot->fields);
    if (st->ja3[0] == '\0') {
        memcpy(st->ja3, slot->ja3, sizeof(st->ja3));
    }
    if (st->ja4[0] == '\0') {
        memcpy(st->ja4, slot->ja4, sizeof(st->ja4));
    }
}

void fingerprint_client_hello(struct cursor body, struct tls_state *st, struct fields *f)
{
    struct client_facts h;
    facts_init(&h, st->transport);
    if (!read_client_hello(body, &h)) {
        return;
    }
    if (too_many(&h)) {
        fields_add_token(f, "fingerprint_skipped", "too_many_values");
        return;
    }
    add_client_fingerprints(&h, st, f);
}

/* JA3S = SSLVersion,Cipher,SSLExtension: the ServerHello's first field, its cipher suite and
 * its extension types; extensions is what follows the cipher suite (and the compression method
 * where the layout has one): the u16-prefixed block or nothing, checked by the dissector. */
void fingerprint_server_hello(uint16_t legacy_version, uint16_t suite, struct cursor extensions,
                              bool is_hrr, struct tls_state *st, struct fields *f)
{
    uint16_t type;
    struct cursor block, ext;
    struct u16_list types;
    types.n = 0;
    types.full = false;
    if (cur_len(extensions) > 0) {
        if (!cur_get_vec16(&extensions, &block)) {
            return;
        }
        while (cur_len(block) > 0) {
            if (!cur_get_u16(&block, &type) || !cur_get_vec16(&block, &ext)) {
                return;
            }
            if (!names_is_grease_u16(type)) {
                list_add(&types, type);
            }
        }
    }
    if (types.full) {
        fields_add_token(f, "fingerprint_skipped", "too_many_values");
        return;
    }
    char buf[JA3_TEXT_MAX + 1];
    struct text t;
    text_init(&t, buf, sizeof(buf));
    text_decimal(&t, legacy_version, ',');
    text_decimal(&t, suite, ',');
    text_decimal_list(&t, &types);
    if (!t.cut) {
        add_ja3(f, "ja3s", "ja3s_string", &t, is_hrr ? NULL : st->ja3s);
    }
}

/* RFC 5246 E.2: uint8 msg_type; Version version; uint16 cipher_spec_length;
 *   uint16 session_id_length; uint16 challenge_length;
 *   V2CipherSpec cipher_specs[cipher_spec_length]; ...
 * A V2CipherSpec of kind 0 carries a TLS cipher suite in its low two bytes; the SSL 2.0
 * kinds have no JA3 value and are left out, and there are no extensions ("769,4-5,,,"). */
void fingerprint_sslv2_client_hello(struct cursor body, struct tls_state *st, struct fields *f)
{
    uint8_t msg_type, kind;
    uint16_t version, spec_len, session_id_len, challenge_len, low;
    struct cursor specs;
    struct client_facts h;
    facts_init(&h, TRANSPORT_TCP); /* SSL 2.0 hellos come over TCP only */
    if (!cur_get_u8(&body, &msg_type) || !cur_get_u16(&body, &version) ||
        !cur_get_u16(&body, &spec_len) || !cur_get_u16(&body, &session_id_len) ||
        !cur_get_u16(&body, &challenge_len) || !cur_get_bytes(&body, spec_len, &specs)) {
        return;
    }
    h.legacy_version = version;
    while (cur_get_u8(&specs, &kind) && cur_get_u16(&specs, &low)) {
        if (kind == 0 && !names_is_grease_u16(low)) {
            list_add(&h.ciphers, low);
        }
    }
    if (too_many(&h)) {
        fields_add_token(f, "fingerprint_skipped", "too_many_values");
        return;
    }
    add_client_ja3(&h, st->ja3, f);
}
