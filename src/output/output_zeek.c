/* -T zeek: Zeek's ssl.log and x509.log in its ASCII (TSV) format: the header lines, the
 * columns and types of scripts/base/protocols/ssl/main.zeek and files.zeek (Zeek 6) with
 * ja3 and ja3s as the JA3 package adds them, and of scripts/base/files/x509/main.zeek;
 * values escaped as Zeek's ASCII writer does (src/threading/formatters/Ascii.cc, Desc.cc). */
#define _DEFAULT_SOURCE /* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fields.h"
#include "base/names.h"
#include "output/ecosystem_conn.h"
#include "output/output.h"
#include "tls/tls.h"

static const char ssl_fields[] =
    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\tserver_name\t"
    "resumed\tlast_alert\tnext_protocol\testablished\tssl_history\tcert_chain_fps\t"
    "client_cert_chain_fps\tsni_matches_cert\tja3\tja3s";
static const char ssl_types[] =
    "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tstring\t"
    "string\tbool\tstring\tvector[string]\tvector[string]\tbool\tstring\tstring";
static const char x509_fields[] =
    "ts\tfingerprint\tcertificate.version\tcertificate.serial\tcertificate.subject\t"
    "certificate.issuer\tcertificate.not_valid_before\tcertificate.not_valid_after\t"
    "certificate.key_alg\tcertificate.sig_alg\tcertificate.key_type\tcertificate.key_length\t"
    "certificate.exponent\tcertificate.curve\tsan.dns\tsan.uri\tsan.email\tsan.ip\t"
    "basic_constraints.ca\tbasic_constraints.path_len\thost_cert\tclient_cert";
static const char x509_types[] =
    "time\tstring\tcount\tstring\tstring\tstring\ttime\ttime\tstring\tstring\tstring\tcount\t"
    "string\tstring\tvector[string]\tvector[string]\tvector[string]\tvector[addr]\tbool\t"
    "count\tbool\tbool";

static void zraw(struct eco_line *z, const char *s, size_t n)
{
    eco_put(z, s, n);
}

static void zstr_raw(struct eco_line *z, const char *s)
{
    zraw(z, s, strlen(s));
}

static void ztab(struct eco_line *z)
{
    zraw(z, "\t", 1);
}

static void zunset(struct eco_line *z)
{
    zraw(z, "-", 1);
}

/* One string value: empty as "(empty)"; a value equal to "-" or "(empty)" with its first
 * byte escaped; bytes outside printable ASCII, the backslash, and in a set or vector the
 * ',' as \xNN (lower-case hex). */
static void zvalue(struct eco_line *z, struct cursor v, bool in_set)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = cur_len(v);
    const uint8_t *b = cur_data(v);
    if (n == 0) {
        zstr_raw(z, "(empty)");
        return;
    }
    bool reserved = (n == 1 && b[0] == '-') || (n == 7 && memcmp(b, "(empty)", 7) == 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i];
        if ((i == 0 && reserved) || c < 0x20 || c > 0x7e || c == '\\' || (in_set && c == ',')) {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
            zraw(z, esc, 4);
        } else {
            zraw(z, (const char *)&c, 1);
        }
    }
}

static void zcstr(struct eco_line *z, const char *s)
{
    zvalue(z, cur_make((const uint8_t *)s, strlen(s)), false);
}

static void zfield(struct eco_line *z, const struct fields *f, const char *key)
{
    const struct field *fd = fields_find(f, key);
    if (fd == NULL) {
        zunset(z);
    } else {
        zvalue(z, fields_scalar(f, fd), false);
    }
}

/* A count column from a number field: "-" when it is not there. */
static void zcount(struct eco_line *z, const struct fields *f, const char *key)
{
    const struct field *fd = fields_find(f, key);
    if (fd == NULL || fd->type != FIELD_UINT) {
        zunset(z);
        return;
    }
    char digits[FIELDS_UINT_TEXT];
    zraw(z, digits, fields_format_uint(fd->num, digits));
}

static void zbool(struct eco_line *z, bool v)
{
    zraw(z, v ? "T" : "F", 1);
}

static void ztime(struct eco_line *z, struct timeval tv)
{
    char text[40];
    snprintf(text, sizeof(text), "%lld.%06ld", (long long)tv.tv_sec, (long)tv.tv_usec);
    zstr_raw(z, text);
}

static void zuint(struct eco_line *z, uint64_t v)
{
    char digits[FIELDS_UINT_TEXT];
    zraw(z, digits, fields_format_uint(v, digits));
}

static size_t zend(struct eco_line *z)
{
    zraw(z, "\n", 1);
    return z->full ? 0 : z->len;
}

static void zdate(char *buf, size_t cap, struct timeval tv)
{
    struct tm tm;
    time_t secs = tv.tv_sec;
    gmtime_r(&secs, &tm);
    strftime(buf, cap, "%Y-%m-%d-%H-%M-%S", &tm);
}

size_t zeek_header(const char *path, struct timeval open, char *buf, size_t cap)
{
    char date[40];
    zdate(date, sizeof(date), open);
    bool ssl = strcmp(path, "ssl") == 0;
    int n = snprintf(buf, cap,
                     "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                     "#unset_field\t-\n#path\t%s\n#open\t%s\n#fields\t%s\n#types\t%s\n",
                     path, date, ssl ? ssl_fields : x509_fields, ssl ? ssl_types : x509_types);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t zeek_close(struct timeval close, char *buf, size_t cap)
{
    char date[40];
    zdate(date, sizeof(date), close);
    int n = snprintf(buf, cap, "#close\t%s\n", date);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* A version, suite, group or alert as Zeek's consts.zeek names it: hsdump's IANA names but
 * versions written TLSv12 (version_strings), and an unknown code point (hsdump's 0x....) as
 * "unknown-N" in decimal (their &default). */
static void zname(struct eco_line *z, const struct fields *f, const char *key, bool version)
{
    char text[NAMES_BUF];
    if (!eco_field_text(f, key, text, sizeof(text))) {
        zfield(z, f, key); /* absent, or longer than any name: as it is */
        return;
    }
    if (text[0] == '0' && text[1] == 'x') {
        char unknown[40];
        snprintf(unknown, sizeof(unknown), "unknown-%lu", strtoul(text + 2, NULL, 16));
        zcstr(z, unknown);
        return;
    }
    char *dot = version ? strchr(text, '.') : NULL;
    if (dot != NULL && dot > text && dot[-1] >= '0' && dot[-1] <= '9') {
        memmove(dot, dot + 1, strlen(dot + 1) + 1); /* TLSv1.2 -> TLSv12 */
    }
    zcstr(z, text);
}

static void zendpoint(struct eco_line *z, const char *text)
{
    const char *colon = strrchr(text, ':');
    size_t n = colon != NULL ? (size_t)(colon - text) : strlen(text);
    if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
        text++;
        n -= 2;
    }
    zraw(z, text, n);
    ztab(z);
    zstr_raw(z, colon != NULL ? colon + 1 : "0");
}

static void zfps(struct eco_line *z, uint8_t (*fps)[32], size_t n, bool chain_seen)
{
    static const char hex[] = "0123456789abcdef";
    if (n == 0) {
        /* Zeek makes both vectors at the first certificate of either side */
        zstr_raw(z, chain_seen ? "(empty)" : "-");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            zraw(z, ",", 1);
        }
        for (size_t k = 0; k < 32; k++) {
            char pair[2] = {hex[fps[i][k] >> 4], hex[fps[i][k] & 0xf]};
            zraw(z, pair, 2);
        }
    }
}

size_t zeek_ssl_record(const struct eco_conn *c, const struct event_prefix *p,
                       const struct fields *f, char *buf, size_t cap)
{
    char ep[ENDPOINT_STR_MAX], uid[32];
    struct eco_line z = {buf, cap, 0, false};
    ztime(&z, c->start);
    ztab(&z);
    /* Zeek's uids are random; this one is the connection id, so it is the same on every run
     * over the same capture and leads back to hsdump's lines of it */
    snprintf(uid, sizeof(uid), "C%017llu", (unsigned long long)p->conn_id);
    zstr_raw(&z, uid);
    ztab(&z);
    zendpoint(&z, out_prefix_client(p, ep));
    ztab(&z);
    zendpoint(&z, out_prefix_server(p, ep));
    ztab(&z);
    zname(&z, f, "version", true);
    ztab(&z);
    zname(&z, f, "cipher_suite", false);
    ztab(&z);
    zname(&z, f, "group", false);
    ztab(&z);
    zfield(&z, f, "sni");
    ztab(&z);
    zbool(&z, eco_token_is(f, "flow", "resumed") || eco_token_is(f, "flow", "ticket") ||
                  eco_token_is(f, "flow", "psk"));
    ztab(&z);
    if (c->last_alert >= 0) {
        char unknown[40];
        const char *known = names_lookup(NAMES_ALERT, (uint32_t)c->last_alert);
        snprintf(unknown, sizeof(unknown), "unknown-%d", c->last_alert);
        zcstr(&z, known != NULL ? known : unknown);
    } else {
        zunset(&z);
    }
    ztab(&z);
    zfield(&z, f, "alpn");
    ztab(&z);
    zbool(&z, eco_token_is(f, "status", "established"));
    ztab(&z);
    if (c->history_len > 0) {
        zcstr(&z, c->history);
    } else {
        zstr_raw(&z, "(empty)"); /* &default="" */
    }
    ztab(&z);
    bool chain_seen = c->n_fps[0] > 0 || c->n_fps[1] > 0;
    zfps(&z, c->fps[DIR_S2C], c->n_fps[DIR_S2C], chain_seen);
    ztab(&z);
    zfps(&z, c->fps[DIR_C2S], c->n_fps[DIR_C2S], chain_seen);
    ztab(&z);
    if (c->sni_matches < 0) {
        zunset(&z);
    } else {
        zbool(&z, c->sni_matches == 1);
    }
    ztab(&z);
    zfield(&z, f, "ja3");
    ztab(&z);
    zfield(&z, f, "ja3s");
    return zend(&z);
}

/* A vector column from list fields: "-" when none is there. */
static void zlist(struct eco_line *z, const struct fields *f, const char *key)
{
    const struct field *fd = fields_find(f, key);
    if (fd == NULL || fd->type != FIELD_LIST || fd->items == 0) {
        zunset(z);
        return;
    }
    struct cursor items = fields_value(f, fd), item;
    enum field_type type;
    bool first = true;
    while (fields_next_item(&items, &type, &item)) {
        if (!first) {
            zraw(z, ",", 1);
        }
        first = false;
        zvalue(z, item, true);
    }
}

/* not_before= 2026-11-22T22:19:52Z as Zeek's time: seconds since 1970. */
static void zcert_time(struct eco_line *z, const struct fields *f, const char *key)
{
    struct tm tm;
    char text[40];
    memset(&tm, 0, sizeof(tm));
    if (!eco_field_text(f, key, text, sizeof(text))) {
        zunset(z);
        return;
    }
    int used = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used != (int)strlen(text)) {
        zunset(z);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    struct timeval tv = {timegm(&tm), 0};
    ztime(z, tv);
}

/* key=rsa:2048, ec:prime256v1, ed25519 as Zeek's key_alg (OpenSSL's long name of the key's
 * algorithm), key_type (rsa, dsa, ecdsa; unset for others), key_length and curve. */
static void zkey(struct eco_line *z, const struct fields *f)
{
    static const struct {
        const char *hsdump;
        const char *alg;
        const char *type;
    } keys[] = {
        {"rsa", "rsaEncryption", "rsa"},   {"rsa-pss", "rsassaPss", "rsa"},
        {"dsa", "dsaEncryption", "dsa"},   {"ec", "id-ecPublicKey", "ecdsa"},
        {"ed25519", "ED25519", NULL},      {"ed448", "ED448", NULL},
        {"dh", "dhKeyAgreement", NULL},
    };
    static const struct {
        const char *name;
        unsigned bits;
    } curves[] = {{"prime256v1", 256}, {"secp384r1", 384}, {"secp521r1", 521},
                  {"secp224r1", 224}, {"secp256k1", 256}};
    char key[96];
    if (!eco_field_text(f, "key", key, sizeof(key))) {
        zstr_raw(z, "-\t");
        zfield(z, f, "signature");
        zstr_raw(z, "\t-\t-\t-\t-");
        return;
    }
    char *param = strchr(key, ':');
    if (param != NULL) {
        *param++ = '\0';
    }
    const char *alg = key, *type = NULL;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i].hsdump) == 0) {
            alg = keys[i].alg;
            type = keys[i].type;
        }
    }
    unsigned bits = 0;
    bool ec = strcmp(key, "ec") == 0;
    for (size_t i = 0; ec && param != NULL && i < sizeof(curves) / sizeof(curves[0]); i++) {
        if (strcmp(param, curves[i].name) == 0) {
            bits = curves[i].bits;
        }
    }
    if (!ec && param != NULL) {
        bits = (unsigned)strtoul(param, NULL, 10);
    }
    zcstr(z, alg); /* key_alg */
    ztab(z);
    zfield(z, f, "signature"); /* sig_alg */
    ztab(z);
    if (type != NULL) {
        zcstr(z, type);
    } else {
        zunset(z);
    }
    ztab(z);
    if (bits > 0) {
        zuint(z, bits);
    } else {
        zunset(z);
    }
    ztab(z);
    const struct field *exponent = fields_find(f, "key_exponent");
    if (exponent != NULL && exponent->type == FIELD_UINT) { /* a string in Zeek's record */
        zuint(z, exponent->num);
    } else {
        zunset(z);
    }
    ztab(z);
    if (ec && param != NULL) {
        zcstr(z, param);
    } else {
        zunset(z);
    }
}

size_t zeek_x509_record(struct timeval ts, const struct fields *f, bool client, char *buf,
                        size_t cap)
{
    struct eco_line z = {buf, cap, 0, false};
    const struct field *index = fields_find(f, "index");
    ztime(&z, ts);
    ztab(&z);
    const struct field *sha = fields_find(f, "sha256");
    if (sha != NULL && sha->type == FIELD_HEX) {
        static const char hex[] = "0123456789abcdef";
        struct cursor v = fields_value(f, sha);
        uint8_t c;
        while (cur_get_u8(&v, &c)) {
            char pair[2] = {hex[c >> 4], hex[c & 0xf]};
            zraw(&z, pair, 2);
        }
    } else {
        zunset(&z);
    }
    ztab(&z);
    zcount(&z, f, "x509_version");
    ztab(&z);
    char serial[128];
    if (eco_serial(f, serial, sizeof(serial))) {
        zcstr(&z, serial);
    } else {
        zunset(&z);
    }
    ztab(&z);
    zfield(&z, f, "subject");
    ztab(&z);
    zfield(&z, f, "issuer");
    ztab(&z);
    zcert_time(&z, f, "not_before");
    ztab(&z);
    zcert_time(&z, f, "not_after");
    ztab(&z);
    zkey(&z, f);
    ztab(&z);
    zlist(&z, f, "san_dns");
    ztab(&z);
    zlist(&z, f, "san_uri");
    ztab(&z);
    zlist(&z, f, "san_email");
    ztab(&z);
    zlist(&z, f, "san_ip");
    ztab(&z);
    const struct field *ca = fields_find(f, "ca");
    if (ca != NULL && ca->type == FIELD_BOOL) {
        zbool(&z, ca->num != 0);
    } else {
        zunset(&z);
    }
    ztab(&z);
    zcount(&z, f, "path_len");
    ztab(&z);
    /* host_cert: Zeek marks the first certificate of each side's chain */
    zbool(&z, index != NULL && index->num == 0);
    ztab(&z);
    zbool(&z, client);
    return zend(&z);
}

/* RFC 6125 6.4.3 as Zeek's x509_check_cert_hostname applies it: a '*' as the whole leftmost
 * label matches one label; names compare without case. */
static bool name_match(struct cursor pattern, struct cursor name)
{
    const uint8_t *pb = cur_data(pattern), *nb = cur_data(name);
    size_t pn = cur_len(pattern), nn = cur_len(name);
    if (pn >= 2 && pb[0] == '*' && pb[1] == '.') {
        const uint8_t *dot = memchr(nb, '.', nn);
        if (dot == NULL || dot == nb) {
            return false;
        }
        size_t skip = (size_t)(dot - nb);
        pb++;
        pn--;
        nb += skip;
        nn -= skip;
    }
    if (pn != nn) {
        return false;
    }
    for (size_t i = 0; i < pn; i++) {
        uint8_t a = pb[i], b = nb[i];
        a = (uint8_t)(a >= 'A' && a <= 'Z' ? a + 32 : a);
        b = (uint8_t)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        if (a != b) {
            return false;
        }
    }
    return true;
}

bool zeek_name_matches(struct cursor name, const struct fields *x509)
{
    const struct field *sans = fields_find(x509, "san_dns");
    if (sans != NULL && sans->type == FIELD_LIST) {
        struct cursor items = fields_value(x509, sans), item;
        enum field_type type;
        while (fields_next_item(&items, &type, &item)) {
            if (name_match(item, name)) {
                return true;
            }
        }
        return false;
    }
    const struct field *subject = fields_find(x509, "subject");
    if (subject == NULL) {
        return false;
    }
    struct cursor dn = fields_value(x509, subject);
    char type[32], val[1024];
    size_t len;
    while (dn_next(&dn, type, sizeof(type), val, sizeof(val), &len)) {
        if (strcmp(type, "CN") == 0 && name_match(cur_make((const uint8_t *)val, len), name)) {
            return true;
        }
    }
    return false;
}
