/* Handshake layer (RFC 8446 4, RFC 5246 7.4): messages joined across records, several per
 * record, each dispatched by type. */
#include "tls/handshake.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "tls/cert_decompress.h"
#include "tls/flow.h"
#include "tls/hello.h"
#include "tls/messages.h"
#include "base/names.h"
#include "crypto/x509.h"

#define HS_HEADER 4 /* msg_type u8, length u24 */
/* The smallest join buffer: a few records' worth of small messages without a realloc. */
#define HS_JOIN_MIN 64

typedef bool (*message_dissector)(struct cursor body, struct tls_state *st, struct fields *f);

struct message_entry {
    uint8_t type;
    message_dissector dissect;
};

/* Messages with a decoder; every other type is printed by name (or number) and length. */
static const struct message_entry message_table[] = {
    {HS_hello_request, dissect_hello_request},
    {HS_client_hello, dissect_client_hello},
    {HS_server_hello, dissect_server_hello},
    {HS_hello_verify_request, dissect_hello_verify_request},
    {HS_hello_retry_request_RESERVED, dissect_draft_hello_retry_request},
    {HS_new_session_ticket, dissect_new_session_ticket},
    {HS_end_of_early_data, dissect_end_of_early_data},
    {HS_encrypted_extensions, dissect_encrypted_extensions},
    {HS_certificate, dissect_certificate},
    {HS_server_key_exchange, dissect_server_key_exchange},
    {HS_certificate_request, dissect_certificate_request},
    {HS_server_hello_done, dissect_server_hello_done},
    {HS_certificate_verify, dissect_certificate_verify},
    {HS_client_key_exchange, dissect_client_key_exchange},
    {HS_finished, dissect_finished},
    {HS_certificate_status, dissect_certificate_status},
    {HS_key_update, dissect_key_update},
    {HS_compressed_certificate, dissect_compressed_certificate},
};

static message_dissector find_dissector(uint8_t type)
{
    for (size_t i = 0; i < sizeof(message_table) / sizeof(message_table[0]); i++) {
        if (message_table[i].type == type) {
            return message_table[i].dissect;
        }
    }
    return NULL;
}

/* History letter and the flow facts a message's mere presence gives. */
static void note_flow(struct tls_state *st, enum dir d, uint8_t type, const struct fields *f)
{
    /* dissect_server_hello renames the event when the random marks an HRR; the drafts' HRR
     * had a type of its own */
    bool is_hrr = (type == HS_server_hello && strcmp(f->name, "hello_retry_request") == 0) ||
                  type == HS_hello_retry_request_RESERVED;
    flow_note(st, d, is_hrr ? FLOW_HRR : type);
    if (type == HS_server_hello && !is_hrr && st->psk_accepted) {
        flow_note(st, d, FLOW_PSK_ACCEPTED);
    }
    if (d == DIR_S2C && (type == HS_certificate || type == HS_server_key_exchange)) {
        st->server_auth_seen = true;
    }
}

/* The field's key is key (of length len): lengths first (struct field keeps its key's). */
static bool key_is(const struct field *fd, const char *key, size_t len)
{
    return fd->key_len == len && memcmp(fd->key, key, len) == 0;
}

#define NAME_KEY(s) {s, sizeof(s) - 1, s "_truncated", sizeof(s "_truncated") - 1}

/* Keeps the first certificate's subject and issuer for the connection summary: the first
 * TLS_NAME_MAX bytes, marked when the name was longer (or already cut on the x509 line). One
 * pass over the line's fields finds both, each with its _truncated key, which
 * fields_add_string_max() puts right after it; it stops once both are found (they come early
 * on the line). */
static void remember_names(struct tls_state *st, const struct fields *f)
{
    static const struct {
        const char *key;
        size_t len;
        const char *cut_key;
        size_t cut_len;
    } keys[2] = {NAME_KEY("subject"), NAME_KEY("issuer")};
    struct cert_names *names = &st->server_cert;
    char *dst[2] = {names->subject, names->issuer};
    bool *truncated[2] = {&names->subject_truncated, &names->issuer_truncated};
    const struct field *value[2] = {NULL, NULL};
    bool cut[2] = {false, false};
    for (size_t i = 0; i < f->n && (value[0] == NULL || value[1] == NULL); i++) {
        for (size_t k = 0; k < 2; k++) {
            if (value[k] == NULL && key_is(&f->f[i], keys[k].key, keys[k].len)) {
                value[k] = &f->f[i];
                cut[k] = i + 1 < f->n && key_is(&f->f[i + 1], keys[k].cut_key, keys[k].cut_len);
            }
        }
    }
    for (size_t i = 0; i < 2; i++) {
        dst[i][0] = '\0';
        *truncated[i] = false;
        if (value[i] != NULL) {
            struct cursor v = fields_value(f, value[i]);
            struct cursor kept = cur_take_upto(&v, TLS_NAME_MAX);
            cur_copy(kept, (uint8_t *)dst[i]);
            dst[i][cur_len(kept)] = '\0';
            *truncated[i] = cur_len(v) > 0 || cut[i];
        }
    }
    names->known = true;
}

/* What the sender's key does in this connection, for its keyUsage (cert_check.h): IANA suite
 * names start with their key exchange (RFC 5246 A.5, RFC 4492 6). */
static enum cert_key_use key_use(const struct tls_state *st, enum dir d)
{
    if (d == DIR_C2S || st->is_tls13) {
        return CERT_KEY_USE_SIGN; /* CertificateVerify; TLS 1.3 always signs */
    }
    if (!st->server_hello_seen) {
        return CERT_KEY_USE_ANY;
    }
    /* the name of the last suite asked about, read again only when another one comes */
    static uint32_t memo_suite = UINT32_MAX;
    static enum cert_key_use memo_use;
    if (memo_suite == st->cipher_suite) {
        return memo_use;
    }
    const char *suite = names_lookup(NAMES_CIPHER, st->cipher_suite);
    enum cert_key_use use = CERT_KEY_USE_SIGN;
    if (suite == NULL) {
        use = CERT_KEY_USE_ANY;
    } else if (strncmp(suite, "TLS_RSA_", 8) == 0) {
        use = CERT_KEY_USE_ENCIPHER;
    } else if ((strncmp(suite, "TLS_ECDH_", 9) == 0 && strncmp(suite, "TLS_ECDH_anon_", 14) != 0) ||
               (strncmp(suite, "TLS_DH_", 7) == 0 && strncmp(suite, "TLS_DH_anon_", 12) != 0)) {
        use = CERT_KEY_USE_AGREE;
    }
    memo_suite = st->cipher_suite;
    memo_use = use;
    return use;
}

/* One x509 line per certificate of the chain, so each is grep-able on its own, with what a
 * client's checks find in it (cert_check.h): the chain is checked first, then described. */
static void emit_certificates(struct tls_state *st, enum dir d, struct cursor body,
                              const struct tls_sink *sink)
{
    struct cursor list, der;
    struct cursor ders[CERT_CHAIN_MAX];
    uint32_t issues[CERT_CHAIN_MAX];
    struct chain_check check;
    size_t index = 0, n = 0;
    if (!cert_open_list(body, st->is_tls13, &list)) {
        return;
    }
    struct cursor walk = list;
    while (n < CERT_CHAIN_MAX && cert_next_der(&walk, st->is_tls13, &ders[n])) {
        n++;
    }
    bool from_server = d == DIR_S2C;
    cert_check_chain(ders, n, from_server, key_use(st, d), st->has_sni ? st->sni : NULL,
                     st->sni_len, st->packet_time, &check, issues);
    if (from_server) {
        st->server_chain = check;
    }
    st->cert_count[d] = 0;
    while (cert_next_der(&list, st->is_tls13, &der)) {
        struct fields f;
        fields_init(&f, "x509", NULL);
        fields_add_uint(&f, "index", index);
        fields_set_level(&f, 1);
        fields_add_uint(&f, "length", cur_len(der));
        fields_set_level(&f, 0);
        if (x509_describe(der, &f) && index == 0 && !f.malformed && from_server) {
            remember_names(st, &f);
        }
        if (index < n && check.checked) {
            cert_check_add_issues(&f, "issues", issues[index]);
        }
        if (index == 0 && check.checked && from_server) {
            fields_add_token(&f, "hostname", cert_hostname_name(check.hostname));
        } else if (index == 0 && check.checked) {
            cert_check_add_trust(&f, &check); /* a client's chain, with --ca-file/--ca-path */
        }
        sink->emit(sink->ctx, d, &f);
        index++;
    }
    st->cert_count[d] = index;
}

/* Messages whose fields feed the close line and the fingerprints. */
static bool sets_negotiated_values(uint8_t type)
{
    return type == HS_client_hello || type == HS_server_hello ||
           type == HS_server_key_exchange;
}

/* What a ClientHello, ServerHello or ServerKeyExchange may set: st from client_hello_seen on
 * (tls.h), and the part of sni and alpn in use. Saved around those dissectors, this only: the
 * whole state (the record layer's buffers, the certificate names, the name buffers, over
 * 2 KB) cost more to copy than the message to read. */
#define NEGOTIABLE_FROM offsetof(struct tls_state, client_hello_seen)

struct negotiable {
    unsigned char bytes[sizeof(struct tls_state) - NEGOTIABLE_FROM];
    char sni[TLS_SNI_MAX + 1];
    uint8_t alpn[TLS_ALPN_MAX];
};

static void save_negotiable(const struct tls_state *st, struct negotiable *n)
{
    memcpy(n->bytes, (const unsigned char *)st + NEGOTIABLE_FROM, sizeof(n->bytes));
    if (st->has_sni) {
        memcpy(n->sni, st->sni, st->sni_len + 1);
    }
    if (st->has_alpn) {
        memcpy(n->alpn, st->alpn, st->alpn_len);
    }
}

static void restore_negotiable(struct tls_state *st, const struct negotiable *n)
{
    memcpy((unsigned char *)st + NEGOTIABLE_FROM, n->bytes, sizeof(n->bytes));
    if (st->has_sni) {
        memcpy(st->sni, n->sni, st->sni_len + 1);
    }
    if (st->has_alpn) {
        memcpy(st->alpn, n->alpn, st->alpn_len);
    }
}

/* A malformed message leaves no value behind for the close line or a fingerprint: st is put
 * back as it was before, except for what the message's presence alone says and what following
 * the rest of the connection needs (the version and suite a ServerHello chose, whether TLS 1.3
 * now protects everything: the dirs' encrypted, never saved). Its own line keeps what was
 * read, with malformed=. */
static void take_back(struct tls_state *st, const struct negotiable *before, uint8_t type)
{
    struct tls_state after = *st;
    restore_negotiable(st, before);
    switch (type) {
    case HS_client_hello:
        st->client_hello_seen = true;
        st->renegotiated = after.renegotiated;
        st->client_hello_malformed = true;
        break;
    case HS_server_hello:
        st->server_hello_seen = after.server_hello_seen;
        st->hrr_seen = after.hrr_seen;
        st->version = after.version;
        st->cipher_suite = after.cipher_suite;
        st->is_tls13 = after.is_tls13;
        st->server_hello_malformed = true;
        break;
    default:
        st->server_key_exchange_malformed = true;
        break;
    }
}

/* The message's line, after the flow and the message counts took it in. */
static void emit_message(struct tls_state *st, enum dir d, uint8_t type, const struct fields *f,
                         const struct tls_sink *sink)
{
    note_flow(st, d, type, f);
    st->dir[d].messages++;
    st->dir[d].last_message = type;
    st->dir[d].message_types |= type < 32 ? 1u << type : 0;
    sink->emit(sink->ctx, d, f);
}

/* A CompressedCertificate read with keys: its line with what the Certificate inside adds,
 * then that Certificate's x509 lines. */
static void emit_compressed_chain(struct tls_state *st, enum dir d, struct cursor body,
                                  struct fields *f, const struct tls_sink *sink)
{
    struct cert_decompressed inner;
    cert_decompressed_init(&inner, st->budget);
    bool ok = dissect_compressed_certificate_message(body, st, f, &inner);
    emit_message(st, d, HS_compressed_certificate, f, sink);
    if (ok && inner.len > 0) {
        emit_certificates(st, d, cert_decompressed_bytes(&inner), sink);
    }
    cert_decompressed_free(&inner);
}

void hs_dissect_message(struct tls_state *st, enum dir d, uint8_t type, struct cursor body,
                        uint16_t record_version, uint32_t fragments, const struct tls_sink *sink)
{
    struct fields f;
    char name[NAMES_BUF];
    fields_init(&f, "handshake", names_format(NAMES_HS, type, name, sizeof(name)));
    /* QUIC carries handshake messages in CRYPTO frames, with no record layer: 0 then. */
    if ((type == HS_client_hello || type == HS_server_hello) && record_version != 0) {
        fields_add_name(&f, "record_version", NAMES_VERSION, record_version);
    }
    fields_add_uint(&f, "length", cur_len(body));
    if (fragments > 1) {
        fields_add_uint(&f, "records", fragments);
    }
    message_dissector dissect = find_dissector(type);
    bool ok = true;
    if (dissect != NULL && sets_negotiated_values(type)) {
        struct negotiable before;
        save_negotiable(st, &before);
        ok = dissect(body, st, &f);
        if (!ok) {
            take_back(st, &before, type);
        }
    } else if (dissect != NULL) {
        ok = dissect(body, st, &f);
    }
    /* RFC 8879 4: the Certificate inside a CompressedCertificate is read as a plain one, when
     * the user gave keys. Compression is TLS 1.3's (RFC 8879 3), whose certificates are always
     * protected: one in the clear comes from a broken or hostile peer, which would make a
     * keyless run, whose output must not change, spend up to 2^24 bytes of work on each. */
    if (type == HS_compressed_certificate && ok && st->keys != NULL) {
        emit_compressed_chain(st, d, body, &f, sink);
        return;
    }
    if (dissect == NULL && cur_len(body) > 0) {
        /* -vv: the bytes of a message hsdump cannot decode, capped like undecoded= */
        fields_set_level(&f, 2);
        fields_add_hex(&f, "body", cur_take_upto(&body, FIELDS_UNDECODED_MAX));
        fields_set_level(&f, 0);
    }
    emit_message(st, d, type, &f, sink);
    if (type == HS_certificate && ok) {
        emit_certificates(st, d, body, sink);
    }
}

/* The join buffer's first HS_HEADER + length bytes are one message: its type and length. */
static void pending_header(const struct tls_dir *td, uint8_t *type, uint32_t *length)
{
    struct cursor pending = cur_make(td->hs_buf, td->hs_len);
    *type = 0;
    *length = 0;
    if (!cur_get_u8(&pending, type) || !cur_get_u24(&pending, length)) {
        *length = 0;
    }
}

static void forget_pending(struct tls_state *st, struct tls_dir *td)
{
    budget_release(st->budget, &td->hs_entry);
    free(td->hs_buf);
    td->hs_buf = NULL;
    td->hs_len = 0;
    td->hs_cap = 0;
    td->hs_fragments = 0;
}

/* The budget took the pending message's memory: its line says so, and the rest of it is
 * skipped as it comes. Only messages whose header is in are charged, so its size is known. */
static void drop_pending(struct tls_dir *td)
{
    uint8_t type;
    uint32_t length;
    pending_header(td, &type, &length);
    struct fields f;
    char name[NAMES_BUF];
    fields_init(&f, "handshake", names_format(NAMES_HS, type, name, sizeof(name)));
    fields_add_uint(&f, "length", length);
    fields_truncated(&f, "budget", td->hs_len, HS_HEADER + (size_t)length);
    td->hs_skip = HS_HEADER + (size_t)length - td->hs_len;
    free(td->hs_buf); /* its entry is out of the budget already */
    td->hs_buf = NULL;
    td->hs_len = 0;
    td->hs_cap = 0;
    td->hs_fragments = 0;
    td->budget_sink.emit(td->budget_sink.ctx, td->side, &f);
}

static void evicted(struct budget_entry *e)
{
    drop_pending((struct tls_dir *)((char *)e - offsetof(struct tls_dir, hs_entry)));
}

/* Charges the buffer once the message header is in; false when the budget dropped it. */
static bool charge_pending(struct tls_state *st, enum dir d, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    if (td->hs_len < HS_HEADER) {
        return true; /* a few bytes of a header, not charged (see the man page's bound) */
    }
    td->budget_sink = *sink;
    td->side = d;
    if (budget_charge(st->budget, &td->hs_entry, budget_heap_size(td->hs_cap), evicted)) {
        return true;
    }
    drop_pending(td);
    return false;
}

/* Grows the join buffer to hold need bytes: doubling, but never past the pending message's
 * own end, so it follows the bytes that came rather than the length the header claims. */
static bool reserve(struct tls_dir *td, size_t need)
{
    if (need <= td->hs_cap) {
        return true;
    }
    size_t cap = td->hs_cap * 2 > HS_JOIN_MIN ? td->hs_cap * 2 : HS_JOIN_MIN;
    uint8_t type;
    uint32_t length;
    pending_header(td, &type, &length);
    if (td->hs_len >= HS_HEADER && cap > HS_HEADER + (size_t)length) {
        cap = HS_HEADER + (size_t)length;
    }
    if (cap < need) {
        cap = need;
    }
    uint8_t *grown = realloc(td->hs_buf, cap);
    if (grown == NULL) {
        return false;
    }
    td->hs_buf = grown;
    td->hs_cap = cap;
    return true;
}

/* Dissects the whole messages at the front of msgs; returns the incomplete tail. */
static struct cursor dissect_whole_messages(struct tls_state *st, enum dir d, struct cursor msgs,
                                            uint16_t record_version, uint32_t fragments,
                                            const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    for (;;) {
        struct cursor probe = msgs;
        uint8_t type;
        uint32_t length;
        struct cursor body;
        if (!cur_get_u8(&probe, &type) || !cur_get_u24(&probe, &length) ||
            !cur_get_bytes(&probe, length, &body)) {
            return msgs;
        }
        msgs = probe;
        hs_dissect_message(st, d, type, body, record_version, fragments, sink);
        fragments = 1;
        /* A record may hold the last plaintext message before the keys change (RFC 8446 5.1:
         * not across a key change); nothing after ServerHello in TLS 1.3 is plaintext. */
        if (td->encrypted && !td->reading_decrypted) {
            return cur_make(NULL, 0);
        }
    }
}

/* Keeps the incomplete tail of what was read, in a buffer of its own size: a new message. */
static void keep_tail(struct tls_state *st, enum dir d, struct cursor tail,
                      const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    size_t n = cur_len(tail);
    if (n == 0) {
        forget_pending(st, td);
        return;
    }
    uint8_t *kept = malloc(n > HS_JOIN_MIN ? n : HS_JOIN_MIN);
    if (kept == NULL) {
        forget_pending(st, td);
        return;
    }
    cur_copy(tail, kept);
    forget_pending(st, td); /* the tail may have pointed into the old buffer: copied first */
    td->hs_buf = kept;
    td->hs_cap = n > HS_JOIN_MIN ? n : HS_JOIN_MIN;
    td->hs_len = n;
    td->hs_fragments = 1;
    (void)charge_pending(st, d, sink);
}

void hs_consume(struct tls_state *st, enum dir d, struct cursor fragment, uint16_t record_version,
                const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    if (cur_len(fragment) == 0) {
        struct fields f;
        fields_init(&f, "record", NULL);
        fields_add_name(&f, "content_type", NAMES_CONTENT, CONTENT_handshake);
        /* RFC 8446 5.1: zero-length fragments of Handshake types MUST NOT be sent. */
        fields_malformed(&f, "length", "handshake record with at least 1 byte");
        sink->emit(sink->ctx, d, &f);
        return;
    }
    td->hs_skip -= cur_len(cur_take_upto(&fragment, td->hs_skip));
    if (cur_len(fragment) == 0) {
        return;
    }
    if (td->hs_len == 0) {
        struct cursor tail = dissect_whole_messages(st, d, fragment, record_version, 1, sink);
        if (cur_len(tail) > 0) {
            keep_tail(st, d, tail, sink);
        }
        return;
    }
    if (!reserve(td, td->hs_len + cur_len(fragment))) {
        forget_pending(st, td);
        return;
    }
    cur_copy(fragment, td->hs_buf + td->hs_len);
    td->hs_len += cur_len(fragment);
    td->hs_fragments++;
    struct cursor joined = cur_make(td->hs_buf, td->hs_len);
    struct cursor tail =
        dissect_whole_messages(st, d, joined, record_version, td->hs_fragments, sink);
    if (cur_offset(joined, tail) > 0) {
        keep_tail(st, d, tail, sink);
    } else {
        (void)charge_pending(st, d, sink);
    }
}

void hs_finish(struct tls_state *st, enum dir d, const struct tls_sink *sink)
{
    struct tls_dir *td = &st->dir[d];
    td->hs_skip = 0; /* a message the budget dropped already had its line */
    if (td->hs_len == 0) {
        return;
    }
    struct fields f;
    uint8_t type;
    uint32_t length;
    char name[NAMES_BUF];
    bool have_header = td->hs_len >= HS_HEADER;
    pending_header(td, &type, &length);
    fields_init(&f, "handshake",
                have_header ? names_format(NAMES_HS, type, name, sizeof(name)) : "unknown");
    fields_truncated(&f, "handshake", td->hs_len, have_header ? HS_HEADER + length : HS_HEADER);
    forget_pending(st, td);
    sink->emit(sink->ctx, d, &f);
}
