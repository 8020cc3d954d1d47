/* -T ecs: one JSON object per connection with Elastic Common Schema field names (ECS 8.x,
 * https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html: base, event,
 * source, destination, network, tls, x509), written as nested objects as ECS documents
 * them ({"tls":{"client":{"ja3":...}}}), and hsdump's close-line fields under "hsdump". */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fields.h"
#include "base/names.h"
#include "output/ecosystem_conn.h"
#include "output/output.h"
#include "tls/tls.h"

#define ECS_VERSION "8.12.0"

/* ---- nested objects from dotted paths given in an order that keeps each object's members
 * together ("event.start", "event.end", "source.ip"...). */

#define NJ_DEPTH 8

struct nj {
    struct eco_line l;
    bool comma;             /* the open object has a member already */
    size_t depth;           /* objects open below the outermost */
    const char *open[NJ_DEPTH]; /* their names, as prefixes of the last path */
    size_t open_len[NJ_DEPTH];
};

static void nj_raw(struct nj *j, const char *s, size_t n)
{
    eco_put(&j->l, s, n);
}

static void nj_cstr_raw(struct nj *j, const char *s)
{
    nj_raw(j, s, strlen(s));
}

static void nj_begin(struct nj *j, char *buf, size_t cap)
{
    memset(j, 0, sizeof(*j));
    j->l.buf = buf;
    j->l.cap = cap;
    nj_raw(j, "{", 1);
}

static void nj_name(struct nj *j, const char *s, size_t n)
{
    if (j->comma) {
        nj_raw(j, ",", 1);
    }
    nj_raw(j, "\"", 1);
    nj_raw(j, s, n);
    nj_raw(j, "\":", 2);
}

/* Closes the objects the path leaves, opens the ones it enters, writes its last name. */
static void nj_key(struct nj *j, const char *path)
{
    const char *segs[NJ_DEPTH + 1];
    size_t lens[NJ_DEPTH + 1], n = 0;
    for (const char *s = path; n <= NJ_DEPTH;) {
        const char *dot = strchr(s, '.');
        segs[n] = s;
        lens[n++] = dot != NULL ? (size_t)(dot - s) : strlen(s);
        if (dot == NULL) {
            break;
        }
        s = dot + 1;
    }
    size_t common = 0;
    while (common < j->depth && common + 1 < n && lens[common] == j->open_len[common] &&
           memcmp(segs[common], j->open[common], lens[common]) == 0) {
        common++;
    }
    while (j->depth > common) {
        nj_raw(j, "}", 1);
        j->depth--;
        j->comma = true;
    }
    for (; j->depth + 1 < n && j->depth < NJ_DEPTH; j->depth++) {
        nj_name(j, segs[j->depth], lens[j->depth]);
        nj_raw(j, "{", 1);
        j->open[j->depth] = segs[j->depth];
        j->open_len[j->depth] = lens[j->depth];
        j->comma = false;
    }
    nj_name(j, segs[n - 1], lens[n - 1]);
    j->comma = true;
}

/* The object closed, with a newline when line is set; its length, 0 if it did not fit. */
static size_t nj_end(struct nj *j, bool line)
{
    while (j->depth > 0) {
        nj_raw(j, "}", 1);
        j->depth--;
    }
    nj_raw(j, line ? "}\n" : "}", line ? 2 : 1);
    return j->l.full ? 0 : j->l.len;
}

static void nj_wire(struct nj *j, struct cursor bytes)
{
    if (j->l.full) {
        return;
    }
    size_t n = out_json_string(bytes, j->l.buf + j->l.len, j->l.cap - j->l.len);
    if (n == 0) {
        j->l.full = true;
        return;
    }
    j->l.len += n;
}

static void nj_str(struct nj *j, const char *s)
{
    nj_wire(j, cur_make((const uint8_t *)s, strlen(s)));
}

static void nj_uint(struct nj *j, uint64_t v)
{
    char digits[FIELDS_UINT_TEXT];
    nj_raw(j, digits, fields_format_uint(v, digits));
}

static void nj_bool(struct nj *j, bool v)
{
    nj_cstr_raw(j, v ? "true" : "false");
}

/* A field's value as -T json writes it. */
static void nj_field(struct nj *j, const struct fields *f, const struct field *fd)
{
    if (j->l.full) {
        return;
    }
    size_t n = out_json_value(f, fd, j->l.buf + j->l.len, j->l.cap - j->l.len);
    if (n == 0) {
        j->l.full = true;
        return;
    }
    j->l.len += n;
}

static void nj_time(struct nj *j, struct timeval tv)
{
    struct tm tm;
    time_t secs = tv.tv_sec;
    char date[40], text[64];
    gmtime_r(&secs, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(text, sizeof(text), "\"%s.%06ldZ\"", date, (long)tv.tv_usec);
    nj_cstr_raw(j, text);
}

static void nj_hex(struct nj *j, const uint8_t *b, size_t n, bool upper)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    nj_raw(j, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char pair[2] = {hex[b[i] >> 4], hex[b[i] & 0xf]};
        nj_raw(j, pair, 2);
    }
    nj_raw(j, "\"", 1);
}

/* ---- the certificate object (ECS x509 fields) */

/* RFC 4514 2.4: a value's escapes are '\' and a special character, or two hex digits. */
static int hex_digit(uint8_t c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

bool dn_next(struct cursor *dn, char *type, size_t type_cap, char *val, size_t val_cap,
             size_t *val_len)
{
    uint8_t c;
    size_t t = 0, v = 0;
    if (cur_len(*dn) == 0) {
        return false;
    }
    while (cur_get_u8(dn, &c) && c != '=') {
        if (t + 1 < type_cap) {
            type[t++] = (char)c;
        }
    }
    type[t] = '\0';
    while (cur_get_u8(dn, &c) && c != ',' && c != '+') {
        if (c == '\\') {
            uint8_t a, b;
            struct cursor probe = *dn;
            if (cur_get_u8(&probe, &a) && cur_get_u8(&probe, &b) && hex_digit(a) >= 0 &&
                hex_digit(b) >= 0) {
                c = (uint8_t)(hex_digit(a) << 4 | hex_digit(b));
                *dn = probe;
            } else if (!cur_get_u8(dn, &c)) {
                break;
            }
        }
        if (v + 1 < val_cap) {
            val[v++] = (char)c;
        }
    }
    val[v] = '\0';
    *val_len = v;
    return true;
}

/* One ECS name object: the attribute lists ECS names, and the whole name. */
static void name_object(struct nj *j, const char *path, const struct fields *f,
                        const char *key)
{
    static const struct {
        const char *type;
        const char *ecs;
    } attrs[] = {
        {"CN", "common_name"},  {"C", "country"},
        {"L", "locality"},      {"O", "organization"},
        {"OU", "organizational_unit"}, {"ST", "state_or_province"},
    };
    const struct field *fd = fields_find(f, key);
    if (fd == NULL) {
        return;
    }
    struct cursor whole = fields_value(f, fd);
    char name[128], type[32], val[1024];
    size_t val_len;
    for (size_t a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
        struct cursor dn = whole;
        bool any = false;
        while (dn_next(&dn, type, sizeof(type), val, sizeof(val), &val_len)) {
            if (strcmp(type, attrs[a].type) != 0) {
                continue;
            }
            if (!any) {
                snprintf(name, sizeof(name), "%s.%s", path, attrs[a].ecs);
                nj_key(j, name);
                nj_raw(j, "[", 1);
            } else {
                nj_raw(j, ",", 1);
            }
            any = true;
            nj_wire(j, cur_make((const uint8_t *)val, val_len));
        }
        if (any) {
            nj_raw(j, "]", 1);
        }
    }
    snprintf(name, sizeof(name), "%s.distinguished_name", path);
    nj_key(j, name);
    nj_wire(j, whole);
}

/* key=rsa:2048, ec:prime256v1, ed25519... as ECS public_key_algorithm, _curve, _size. */
static void key_fields(struct nj *j, const struct fields *f)
{
    static const struct {
        const char *hsdump;
        const char *ecs;
        unsigned bits;
    } algorithms[] = {
        {"rsa", "RSA", 0}, {"rsa-pss", "RSA-PSS", 0}, {"dsa", "DSA", 0}, {"dh", "DH", 0},
        {"ec", "ECDSA", 0}, {"ed25519", "Ed25519", 256}, {"ed448", "Ed448", 456},
    };
    static const struct {
        const char *openssl;
        const char *ecs;
        unsigned bits;
    } curves[] = {
        {"prime256v1", "nistp256", 256}, {"secp384r1", "nistp384", 384},
        {"secp521r1", "nistp521", 521}, {"secp224r1", "nistp224", 224},
        {"secp256k1", "secp256k1", 256},
    };
    char key[96];
    if (!eco_field_text(f, "key", key, sizeof(key))) {
        return;
    }
    char *param = strchr(key, ':');
    if (param != NULL) {
        *param++ = '\0';
    }
    const char *name = NULL;
    unsigned bits = 0;
    for (size_t i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++) {
        if (strcmp(key, algorithms[i].hsdump) == 0) {
            name = algorithms[i].ecs;
            bits = algorithms[i].bits;
        }
    }
    nj_key(j, "public_key_algorithm");
    if (name != NULL) {
        nj_str(j, name);
    } else {
        nj_str(j, key);
    }
    if (param != NULL && strcmp(key, "ec") == 0) {
        const char *curve = param;
        for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
            if (strcmp(param, curves[i].openssl) == 0) {
                curve = curves[i].ecs;
                bits = curves[i].bits;
            }
        }
        nj_key(j, "public_key_curve");
        nj_str(j, curve);
    } else if (param != NULL) {
        bits = (unsigned)strtoul(param, NULL, 10);
    }
    const struct field *exponent = fields_find(f, "key_exponent");
    if (exponent != NULL && exponent->type == FIELD_UINT) {
        nj_key(j, "public_key_exponent");
        nj_uint(j, exponent->num);
    }
    if (bits > 0) {
        nj_key(j, "public_key_size");
        nj_uint(j, bits);
    }
}

/* OpenSSL's long names of common signature algorithms as ECS writes them (SHA256-RSA, the
 * names of Go's crypto/x509 that Beats fill the field with); others as OpenSSL names them. */
static void signature_field(struct nj *j, const struct fields *f)
{
    static const struct {
        const char *openssl;
        const char *ecs;
    } names[] = {
        {"md5WithRSAEncryption", "MD5-RSA"},     {"sha1WithRSAEncryption", "SHA1-RSA"},
        {"sha256WithRSAEncryption", "SHA256-RSA"}, {"sha384WithRSAEncryption", "SHA384-RSA"},
        {"sha512WithRSAEncryption", "SHA512-RSA"}, {"ecdsa-with-SHA1", "ECDSA-SHA1"},
        {"ecdsa-with-SHA256", "ECDSA-SHA256"},   {"ecdsa-with-SHA384", "ECDSA-SHA384"},
        {"ecdsa-with-SHA512", "ECDSA-SHA512"},   {"ED25519", "Ed25519"},
        {"dsaWithSHA1", "DSA-SHA1"},             {"dsa_with_SHA256", "DSA-SHA256"},
    };
    const struct field *fd = fields_find(f, "signature");
    if (fd == NULL) {
        return;
    }
    struct cursor v = fields_value(f, fd);
    nj_key(j, "signature_algorithm");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (cur_equal(v, (const uint8_t *)names[i].openssl, strlen(names[i].openssl))) {
            nj_str(j, names[i].ecs);
            return;
        }
    }
    nj_wire(j, v);
}

static void list_of(struct nj *j, const struct fields *f, const char *const keys[], size_t n)
{
    bool any = false;
    for (size_t k = 0; k < n; k++) {
        const struct field *fd = fields_find(f, keys[k]);
        if (fd == NULL || fd->type != FIELD_LIST) {
            continue;
        }
        struct cursor items = fields_value(f, fd), item;
        enum field_type type;
        while (fields_next_item(&items, &type, &item)) {
            nj_raw(j, any ? "," : "[", 1);
            any = true;
            nj_wire(j, item);
        }
    }
    if (any) {
        nj_raw(j, "]", 1);
    }
}

char *ecs_cert_json(const struct fields *x)
{
    static const char *const sans[] = {"san_dns", "san_ip"};
    char buf[ECO_CERT_JSON_MAX];
    struct nj j;
    nj_begin(&j, buf, sizeof(buf) - 1);
    if (fields_find(x, "san_dns") != NULL || fields_find(x, "san_ip") != NULL) {
        nj_key(&j, "alternative_names");
        list_of(&j, x, sans, 2);
    }
    name_object(&j, "issuer", x, "issuer");
    const struct field *fd;
    if ((fd = fields_find(x, "not_after")) != NULL) {
        nj_key(&j, "not_after");
        nj_wire(&j, fields_value(x, fd));
    }
    if ((fd = fields_find(x, "not_before")) != NULL) {
        nj_key(&j, "not_before");
        nj_wire(&j, fields_value(x, fd));
    }
    key_fields(&j, x);
    char serial[128];
    if (eco_serial(x, serial, sizeof(serial))) {
        nj_key(&j, "serial_number");
        nj_str(&j, serial);
    }
    signature_field(&j, x);
    name_object(&j, "subject", x, "subject");
    if ((fd = fields_find(x, "x509_version")) != NULL && fd->type == FIELD_UINT) {
        char digits[FIELDS_UINT_TEXT];
        fields_format_uint(fd->num, digits);
        nj_key(&j, "version_number");
        nj_str(&j, digits); /* a keyword in ECS */
    }
    size_t n = nj_end(&j, false);
    char *copy = n > 0 ? malloc(n + 1) : NULL;
    if (copy != NULL) {
        memcpy(copy, buf, n);
        copy[n] = '\0';
    }
    return copy;
}

/* ---- the record */

/* "192.0.2.1:443" or "[2001:db8::1]:443" into ip and port. */
static void split_endpoint(const char *text, char *ip, size_t cap, unsigned *port)
{
    const char *colon = strrchr(text, ':');
    size_t n = colon != NULL ? (size_t)(colon - text) : strlen(text);
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
        text++;
        n -= 2;
    }
    n = n < cap ? n : cap - 1;
    memcpy(ip, text, n);
    ip[n] = '\0';
    *port = colon != NULL ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
}

static void endpoint_object(struct nj *j, const char *which, const char *text,
                            const struct fields *f, const char *bytes_key)
{
    char ip[64], path[32];
    unsigned port;
    split_endpoint(text, ip, sizeof(ip), &port);
    const struct field *bytes = fields_find(f, bytes_key);
    if (bytes != NULL && bytes->type == FIELD_UINT) {
        snprintf(path, sizeof(path), "%s.bytes", which);
        nj_key(j, path);
        nj_uint(j, bytes->num);
    }
    snprintf(path, sizeof(path), "%s.ip", which);
    nj_key(j, path);
    nj_str(j, ip);
    snprintf(path, sizeof(path), "%s.port", which);
    nj_key(j, path);
    nj_uint(j, port);
}

/* "TLSv1.2" as ECS splits it: version "1.2", protocol "tls"; SSLv3 "3.0" "ssl". */
static void version_fields(struct nj *j, const struct fields *f)
{
    char v[64];
    if (!eco_field_text(f, "version", v, sizeof(v))) {
        return;
    }
    const char *protocol = strncmp(v, "DTLSv", 5) == 0 ? "dtls"
                           : strncmp(v, "TLSv", 4) == 0 ? "tls"
                           : strncmp(v, "SSLv", 4) == 0 ? "ssl"
                                                         : NULL;
    if (protocol == NULL) {
        return; /* an unknown code point (0x....): no version to parse */
    }
    const char *number = v + strlen(protocol) + 1;
    nj_key(j, "tls.version");
    nj_str(j, strcmp(v, "SSLv3") == 0 ? "3.0" : strcmp(v, "SSLv2") == 0 ? "2.0" : number);
    nj_key(j, "tls.version_protocol");
    nj_str(j, protocol);
}

static void copy_string(struct nj *j, const char *path, const struct fields *f, const char *key)
{
    const struct field *fd = fields_find(f, key);
    if (fd != NULL) {
        nj_key(j, path);
        nj_wire(j, fields_scalar(f, fd));
    }
}

static void side_object(struct nj *j, const struct eco_conn *c, enum dir side,
                        const struct fields *f)
{
    bool client = side == DIR_C2S;
    if (c->have_leaf[side]) {
        nj_key(j, client ? "tls.client.hash.sha256" : "tls.server.hash.sha256");
        nj_hex(j, c->leaf_sha256[side], 32, true);
    }
    if (client) {
        copy_string(j, "tls.client.ja3", f, "ja3");
        copy_string(j, "tls.client.server_name", f, "sni");
        if (c->have_ciphers) {
            char buf[NAMES_BUF];
            nj_key(j, "tls.client.supported_ciphers");
            for (size_t i = 0; i < c->n_ciphers; i++) {
                nj_raw(j, i == 0 ? "[" : ",", 1);
                nj_str(j, names_format(NAMES_CIPHER, c->ciphers[i], buf, sizeof(buf)));
            }
            nj_raw(j, c->n_ciphers == 0 ? "[]" : "]", c->n_ciphers == 0 ? 2 : 1);
        }
    } else {
        copy_string(j, "tls.server.issuer", f, "server_issuer");
        copy_string(j, "tls.server.ja3s", f, "ja3s");
        copy_string(j, "tls.server.subject", f, "server_subject");
    }
    if (c->cert_json[side] != NULL) {
        nj_key(j, client ? "tls.client.x509" : "tls.server.x509");
        nj_cstr_raw(j, c->cert_json[side]);
    }
}

size_t ecs_record(const struct eco_conn *c, const struct event_prefix *p,
                  const struct fields *f, char *buf, size_t cap)
{
    char client[ENDPOINT_STR_MAX], server[ENDPOINT_STR_MAX];
    const char *transport = "tcp", *protocol = "tls";
    if (eco_token_is(f, "transport", "quic")) {
        transport = "udp";
        protocol = "quic";
    } else if (eco_token_is(f, "transport", "dtls")) {
        transport = "udp";
        protocol = "dtls";
    }
    bool established = eco_token_is(f, "status", "established");
    struct nj j;
    nj_begin(&j, buf, cap);
    nj_key(&j, "@timestamp");
    nj_time(&j, c->start);
    endpoint_object(&j, "destination", out_prefix_server(p, server), f, "bytes_s2c");
    nj_key(&j, "ecs.version");
    nj_str(&j, ECS_VERSION);
    nj_key(&j, "event.category");
    nj_cstr_raw(&j, "[\"network\"]");
    nj_key(&j, "event.dataset");
    nj_str(&j, "hsdump.tls");
    long long ns = ((long long)p->ts.tv_sec - (long long)c->start.tv_sec) * 1000000000LL +
                   ((long long)p->ts.tv_usec - (long long)c->start.tv_usec) * 1000LL;
    nj_key(&j, "event.duration");
    nj_uint(&j, ns > 0 ? (uint64_t)ns : 0);
    nj_key(&j, "event.end");
    nj_time(&j, p->ts);
    nj_key(&j, "event.kind");
    nj_str(&j, "event");
    nj_key(&j, "event.module");
    nj_str(&j, "hsdump");
    nj_key(&j, "event.outcome");
    nj_str(&j, established                       ? "success"
               : eco_token_is(f, "status", "failed") ? "failure"
                                                 : "unknown");
    nj_key(&j, "event.start");
    nj_time(&j, c->start);
    nj_key(&j, "event.type");
    nj_cstr_raw(&j, "[\"connection\",\"protocol\"]");
    /* hsdump's own facts: every field of the close line, as -T json writes it */
    nj_key(&j, "hsdump.conn");
    nj_uint(&j, p->conn_id);
    for (size_t i = 0; i < f->n; i++) {
        char path[80];
        if (f->f[i].key_len > sizeof(path) - 8) {
            continue;
        }
        snprintf(path, sizeof(path), "hsdump.%s", f->f[i].key);
        /* a repeated key (none on close lines) would open "hsdump" twice: first value;
         * start= follows the time column's -t format: event.start has it as an ECS date */
        if (fields_find(f, f->f[i].key) != &f->f[i] || strcmp(f->f[i].key, "start") == 0) {
            continue;
        }
        nj_key(&j, path);
        nj_field(&j, f, &f->f[i]);
    }
    if (c->cert_omitted[DIR_C2S]) {
        nj_key(&j, "hsdump.client_x509_omitted");
        nj_bool(&j, true);
    }
    if (c->cert_omitted[DIR_S2C]) {
        nj_key(&j, "hsdump.server_x509_omitted");
        nj_bool(&j, true);
    }
    if (c->ciphers_cut) {
        nj_key(&j, "hsdump.supported_ciphers_truncated");
        nj_bool(&j, true);
    }
    nj_key(&j, "network.protocol");
    nj_str(&j, protocol);
    nj_key(&j, "network.transport");
    nj_str(&j, transport);
    endpoint_object(&j, "source", out_prefix_client(p, client), f, "bytes_c2s");
    copy_string(&j, "tls.cipher", f, "cipher_suite");
    side_object(&j, c, DIR_C2S, f);
    copy_string(&j, "tls.curve", f, "group");
    nj_key(&j, "tls.established");
    nj_bool(&j, established);
    copy_string(&j, "tls.next_protocol", f, "alpn");
    nj_key(&j, "tls.resumed");
    nj_bool(&j, eco_token_is(f, "flow", "resumed") || eco_token_is(f, "flow", "ticket") ||
                    eco_token_is(f, "flow", "psk"));
    side_object(&j, c, DIR_S2C, f);
    version_fields(&j, f);
    return nj_end(&j, true);
}
