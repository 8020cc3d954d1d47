/* Per-connection TLS state and the dissector entry points: bytes plus state in, events out. */
#ifndef HSDUMP_DISSECTORS_TLS_H
#define HSDUMP_DISSECTORS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/budget.h"
#include "base/cursor.h"
#include "base/names.h"
#include "checks/cert_check.h"

struct fields;
struct keylog_table;
struct tls_decrypt;

enum dir { DIR_C2S = 0, DIR_S2C = 1 };

/* RFC 8446 5.1: TLSPlaintext.length MUST NOT exceed 2^14; TLSCiphertext may add 2^11 (RFC
 * 5246 6.2.3). A header claiming more cannot be TLS, so the direction is desynchronised. */
#define TLS_RECORD_MAX (16384 + 2048)
#define TLS_RECORD_HEADER 5

/* SSL 3.0 to TLS 1.3 all put major version 3 on a record (RFC 8446 5.1
 * legacy_record_version) and in a hello's legacy_version. */
static inline bool tls_version_is_3x(uint16_t version)
{
    return (version >> 8) == 3 && (version & 0xff) <= 4;
}

/* A record header that can be TLS: content type change_cipher_spec to heartbeat (20-24),
 * version 3.x, a length TLSCiphertext allows. */
static inline bool tls_record_header_plausible(uint8_t type, uint16_t version, uint16_t length)
{
    return type >= CONTENT_change_cipher_spec && type <= CONTENT_heartbeat &&
           tls_version_is_3x(version) && length <= TLS_RECORD_MAX;
}
/* A handshake message length real ones (certificate chains) stay far below: a plausibility
 * bound for picking up a stream mid-way, not a limit on what is joined (budget.h bounds that;
 * RFC 8446 4 allows 2^24-1 bytes). */
#define TLS_HS_MESSAGE_MAX (256 * 1024)
#define TLS_SNI_MAX 255  /* kept for the close line; longer ones are cut and marked */
#define TLS_ALPN_MAX 255 /* RFC 7301 3.1: ProtocolName<1..2^8-1>, so never cut */
#define TLS_NAME_MAX 255 /* kept certificate subject/issuer, cut and marked beyond */
#define TLS_HISTORY_MAX 64
#define TLS_SESSION_ID_MAX 32
#define TLS_JA3_LEN 32 /* JA3 and JA3S: MD5 in hex */
#define TLS_JA4_LEN 36 /* JA4 a_b_c: 10 + 1 + 12 + 1 + 12 characters */
/* TLS 1.3 protected records held until their flight can be labelled (tls13_flight.c): a flight
 * of separate records is at most EndOfEarlyData..Finished or EncryptedExtensions..Finished. */
#define TLS13_FLIGHT_MAX 8
/* TLS 1.3 client records after its flight that the server's answer is waited for: a server
 * that rejects the flight does so within a round trip, not after an upload. */
#define TLS13_ANSWER_WAIT 8

/* Where events go: the connection glue adds time, id and endpoints. */
struct tls_sink {
    void (*emit)(void *ctx, enum dir d, const struct fields *f);
    void *ctx;
};

struct tls_dir {
    bool started;      /* a first record was seen: decided the stream is TLS */
    bool desync;       /* an implausible record header: later bytes are counted, not parsed */
    bool encrypted;    /* records from this side are protected from now on */
    bool ccs_seen;
    bool finished;     /* its Finished (TLS 1.2: first encrypted handshake record) went by */
    uint32_t records;
    uint64_t record_bytes;
    uint64_t consumed; /* stream bytes taken by whole records so far (for at=) */
    uint32_t encrypted_records;
    uint32_t messages;     /* handshake messages dissected (handshake.c), and the last one's */
    uint8_t last_message;  /* type: what decryption's key changes follow (decrypt.c) */
    uint32_t decrypted_records;
    uint32_t message_types; /* bit 1 << type of each handshake message dissected (< 32) */
    bool decrypt_failed;   /* a record did not open with the keys given: keyless from there */
    bool reading_decrypted; /* the handshake bytes being read were decrypted (record.c), so
                             * every message in them is plaintext */
    /* A handshake message split across records is joined here (owned, see tls_state_free);
     * the buffer follows the bytes that came, and is charged to the budget once the message
     * header is in. */
    uint8_t *hs_buf;
    size_t hs_len;
    size_t hs_cap;
    uint32_t hs_fragments; /* records the pending message has come in */
    struct budget_entry hs_entry;
    size_t hs_skip; /* bytes still to come of a message the budget dropped */
    /* TLS 1.3 protected records of this side's handshake flight, not yet emitted. */
    struct held_record {
        uint8_t type;
        uint32_t length;
    } flight[TLS13_FLIGHT_MAX];
    size_t flight_len;
    uint32_t after_flight; /* TLS 1.3 protected records sent after the flight */
    /* The flight was emitted; later records are not held, except one: the server's first
     * record after the client's Finished, when it has an alert's size, waits in flight[0]
     * for what follows (tls13_flight.c). */
    bool flight_over;
    /* A record that came in part (owned; rec.c): held here rather than in the reassembly's
     * buffer, growing with the bytes that came and charged to the budget once its header is
     * in. Over the budget the direction is given up (abandoned): later bytes are counted. */
    uint8_t *rec_buf;
    uint32_t rec_len;
    uint32_t rec_cap;
    struct budget_entry rec_entry;
    bool abandoned;
    /* Where a drop by the budget (of either buffer) is reported, and as which side: set when
     * a buffer is charged. */
    struct tls_sink budget_sink;
    enum dir side;
    /* Skimming (TLS 1.2 after the handshake): a record header split across segments, and the
     * bytes of the current record body still to pass over. */
    uint8_t skim_header[TLS_RECORD_HEADER];
    size_t skim_header_len;
    size_t skim_left;
};

/* The server's first certificate, kept for the connection summary. */
struct cert_names {
    bool known;
    char subject[TLS_NAME_MAX + 1];
    char issuer[TLS_NAME_MAX + 1];
    bool subject_truncated; /* longer than TLS_NAME_MAX (or than the x509 line shows) */
    bool issuer_truncated;
};

/* What carries the handshake messages: TLS records over TCP, QUIC CRYPTO frames (RFC 9001 4)
 * or DTLS records (RFC 6347, RFC 9147), whose ClientHello has a cookie (RFC 6347 4.2.1). */
enum tls_transport { TRANSPORT_TCP = 0, TRANSPORT_QUIC, TRANSPORT_DTLS };

struct tls_state {
    enum tls_transport transport; /* set by the owner before the first message; 0 is TCP */
    struct budget *budget; /* set by the owner: what its joined messages are charged to */
    /* Secrets the user gave (--keylog, a pcapng's Decryption Secrets Blocks), set by the owner;
     * NULL without them, and then nothing of decryption runs. */
    const struct keylog_table *keys;
    struct tls_decrypt *decrypt; /* made once the connection's hellos are in (decrypt.c) */
    bool randoms_known;          /* client_random and server_random below hold the hellos' */
    uint8_t client_random[32];
    uint8_t server_random[32];
    bool etm_offered;            /* encrypt_then_mac (RFC 7366) in the ClientHello ... */
    bool etm_accepted;           /* ... and in the ServerHello */
    struct tls_dir dir[2];
    size_t cert_count[2]; /* certificates in each side's last chain, by sender */
    /* Only the server's names reach the close line: the client's chain is counted, not kept
     * (512 bytes less per connection). */
    struct cert_names server_cert;
    struct chain_check server_chain; /* what a client's checks find in it (cert_check.h) */
    /* Seconds since 1970 of the packet whose bytes are being fed, set by the owner (conn.c,
     * udp.c) before each call: the certificate checks' "now". Dissectors read no clock. */
    int64_t packet_time;
    /* What sni_len and alpn_len (below) say of them is valid while has_sni, has_alpn. */
    char sni[TLS_SNI_MAX + 1];
    uint8_t alpn[TLS_ALPN_MAX]; /* chosen by the server: wire bytes, NUL included */
    /* From here to the end: all a ClientHello, ServerHello or ServerKeyExchange may set,
     * with the valid part of sni and alpn (handshake.c saves these around them; they write
     * nothing else above but the dirs' encrypted, which stays). */
    bool client_hello_seen;
    bool server_hello_seen;
    bool hrr_seen;
    bool is_tls13;
    bool tls13_offered;    /* the ClientHello listed TLS 1.3 in supported_versions */
    uint16_t version;      /* negotiated, 0 until ServerHello */
    uint16_t cipher_suite; /* chosen by the server */
    uint16_t group;        /* key exchange group (key_share or ServerKeyExchange) */
    bool has_group;
    size_t sni_len;
    bool has_sni;
    bool sni_truncated;
    size_t alpn_len;
    bool has_alpn;
    /* Facts for the flow label (flow.c), filled by the dissectors. */
    uint8_t client_session_id[TLS_SESSION_ID_MAX];
    size_t client_session_id_len;
    bool session_id_echoed;    /* ServerHello echoed the client's non-empty session id */
    size_t client_ticket_len;  /* session_ticket extension the client offered (RFC 5077) */
    bool psk_offered;
    bool psk_accepted;         /* pre_shared_key in the ServerHello (RFC 8446 4.2.11) */
    uint8_t psk_modes;         /* bit 0 psk_ke, bit 1 psk_dhe_ke, as offered */
    bool early_data_offered;
    bool early_data_accepted;  /* inferred: the client sent EndOfEarlyData (RFC 8446 4.5) */
    uint32_t early_data_records; /* protected client records before the ServerHello */
    bool ems_offered;
    bool ems_accepted;
    bool secure_renegotiation; /* renegotiation_info from both sides (RFC 5746) */
    bool server_auth_seen;     /* Certificate or ServerKeyExchange from the server */
    bool renegotiated;
    /* TLS 1.2 and older past both Finished: only record headers are read from here on, so a
     * renegotiation or a closing alert is still seen while nothing is buffered. */
    bool skimming;
    char history[TLS_HISTORY_MAX + 1];
    size_t history_len;
    bool history_truncated;
    int last_history_event;
    enum dir last_history_dir;
    bool cert_requested;       /* CertificateRequest seen */
    bool cert_requested_inferred;  /* TLS 1.3: from the size of the server flight */
    bool client_cert_inferred;     /* TLS 1.3: the client flight holds a Certificate */
    bool client_auth_inferred;     /* TLS 1.3: ... not an empty one (a CertificateVerify) */
    bool client_spoke_after_flight;
    uint32_t tickets_inferred;     /* TLS 1.3 server records right after the client Finished */
    uint32_t server_after_client_flight; /* TLS 1.3 server records after the client's flight */
    bool client_may_have_closed; /* ... and its last record after it has an alert's size */
    bool alert_inferred; /* TLS 1.3: the server answered the client's Finished with an
                          * alert-sized record, then the connection closed */
    bool ticket_issued;    /* NewSessionTicket seen (plaintext) */
    uint32_t tickets;      /* TLS 1.3 NewSessionTickets read (decrypted) */
    uint32_t inference_disagreements; /* keyless inferences decryption contradicted */
    bool fatal_alert_seen;
    uint8_t fatal_alert;
    enum dir fatal_alert_from;
    /* Hellos and key exchanges found malformed: the values they set were taken back
     * (handshake.c), so the close line says which messages it could not use. */
    bool client_hello_malformed;
    bool server_hello_malformed;
    bool server_key_exchange_malformed;
    /* Fingerprints (fingerprint.c) of the first ClientHello that got one and of the first
     * ServerHello (not an HRR); "" until then. */
    char ja3[TLS_JA3_LEN + 1];
    char ja4[TLS_JA4_LEN + 1];
    char ja3s[TLS_JA3_LEN + 1];
    /* Compact facts of the client's offer and the server's key exchange that the failure
     * causes and weak items read (checks/diagnosis.h): set by hello.c, the extension decoders
     * and key_exchange.c, from the last ClientHello and ServerKeyExchange. */
    struct offer_facts {
        uint8_t versions;        /* OFFER_V_* bits of supported_versions, when listed */
        bool versions_listed;    /* else the client accepts legacy_version or lower */
        uint16_t legacy_version;
        uint32_t suites;         /* SUITE_* properties (diagnosis.h) of any offered suite */
        bool groupless_suite;    /* a suite needing no (EC)DHE group (RSA, PSK, unknown) */
        uint16_t suite_count;    /* offered suites, GREASE and signalling values not counted */
        bool fallback_scsv;      /* TLS_FALLBACK_SCSV (RFC 7507) */
        bool renegotiation_info; /* the extension or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC
                                  * 5746 3.3) */
        bool compression;        /* a compression method other than null (RFC 3749) */
        bool groups_listed;      /* supported_groups sent: groups counts it, */
        uint8_t groups;          /* (capped at 255) */
        bool groups_mandatory;   /* secp256r1 or x25519 in it (RFC 8446 9.1) */
        bool groups_weak;        /* a curve under 224 bits or a DH group under 2048 */
        bool sigalgs_listed;     /* signature_algorithms sent: sigalgs counts it, */
        uint8_t sigalgs;         /* (capped at 255) */
        bool sigalgs_mandatory;  /* an RFC 8446 9.1 scheme (rsa_pkcs1/rsa_pss_rsae/ecdsa P-256
                                  * with SHA-256) in it */
        bool sigalgs_weak;       /* a SHA-1 or MD5 scheme in it */
    } offer;
    struct kx_facts {
        uint16_t dh_p_bits;      /* ServerKeyExchange dh_p (RFC 5246 7.4.3), 0 when none */
        uint16_t sig_scheme;     /* its TLS 1.2 SignatureAndHashAlgorithm, when signed */
        bool signed_legacy;      /* signed before TLS 1.2: MD5+SHA-1 (RFC 4346 7.4.3) */
        bool has_sig_scheme;
        uint8_t compression;     /* the ServerHello's compression_method */
    } kx;
};

/* struct offer_facts versions bits. */
#define OFFER_V_SSL3 0x01
#define OFFER_V_TLS10 0x02
#define OFFER_V_TLS11 0x04
#define OFFER_V_TLS12 0x08
#define OFFER_V_TLS13 0x10 /* 0x0304, a draft or an experiment */
#define OFFER_V_DTLS10 0x20
#define OFFER_V_DTLS12 0x40
#define OFFER_V_DTLS13 0x80

/* Records of both directions read with the user's keys, and whether either direction had one
 * they did not open: what the close line and the statistics say of decryption. */
static inline uint64_t tls_decrypted_records(const struct tls_state *st)
{
    return (uint64_t)st->dir[DIR_C2S].decrypted_records + st->dir[DIR_S2C].decrypted_records;
}

static inline bool tls_decrypt_failed(const struct tls_state *st)
{
    return st->dir[DIR_C2S].decrypt_failed || st->dir[DIR_S2C].decrypt_failed;
}

/* The initial state is all zero bytes: memory from calloc() is in it already. */
void tls_state_init(struct tls_state *st);
void tls_state_free(struct tls_state *st); /* frees reassembly buffers; the struct stays */

/* Recognises the first bytes of a stream as TLS: a plausible record header or an SSLv2-format
 * ClientHello. Sets *need_more when too few bytes arrived to tell. */
bool rec_looks_like_tls(struct cursor first, bool *need_more);

/* Dissects every whole record in data (the unconsumed bytes of direction d) and returns how
 * many bytes it consumed; the caller keeps the rest for the next call. Once the stream is
 * recognised as TLS all bytes are consumed: a record that came in part is held in st. */
size_t rec_consume(struct tls_state *st, enum dir d, struct cursor data,
                   const struct tls_sink *sink);

/* End of stream for direction d with rest still unconsumed: reports what was cut off. */
void rec_finish(struct tls_state *st, enum dir d, struct cursor rest, const struct tls_sink *sink);

/* Frees a record held in part in either direction, silently: for a connection no longer
 * followed. */
void rec_forget_held(struct tls_state *st);

/* The fields of a protected record as without keys: its outer type and length. */
void rec_encrypted_fields(struct fields *f, uint8_t type, size_t length);
/* Emits one protected record, with the message it is inferred to hold (or NULL). */
void rec_emit_encrypted(enum dir d, uint8_t type, size_t length, const char *inferred,
                        const struct tls_sink *sink);

/* A protected record (whole: its header included), opened with the user's keys when they
 * allow (decrypted_record.c): true when it was read so, or shown as not opening
 * (decrypt=failed); false to read it as without keys. */
bool rec_read_decrypted(struct tls_state *st, enum dir d, uint8_t type, uint16_t version,
                        struct cursor whole, const struct tls_sink *sink);

/* Dissects the body of a heartbeat record (RFC 6520 4). */
void dissect_heartbeat(enum dir d, struct cursor body, const struct tls_sink *sink);

/* Dissects the plaintext body of an alert record (RFC 8446 6). */
void dissect_alert(struct tls_state *st, enum dir d, struct cursor body, const struct tls_sink *sink);

/* TLS 1.2 or later, DTLS 1.2 (TLS 1.2's counterpart, RFC 6347 1) or later included: the
 * versions whose signatures name their algorithm. DTLS counts down from 0xfeff. */
bool tls_version_at_least_1_2(uint16_t version);

/* TLS 1.3 by any of its wire versions: 0x0304, DTLS 1.3, a draft (0x7fNN) or one of the
 * pre-standard experiment versions named in registry.def. */
bool tls_version_is_tls13(uint16_t version);

/* draft-ietf-tls-tls13-21 4.1.3 and the drafts before it: the ServerHello had no
 * legacy_session_id_echo and no legacy_compression_method (draft 22 put both back). */
bool tls13_server_hello_without_session_id(uint16_t version);

/* Before draft-ietf-tls-tls13-21 (and in the experiments built on draft 18) the client ended
 * its 0-RTT data with an end_of_early_data alert, not the EndOfEarlyData message. */
bool tls13_end_of_early_data_is_alert(uint16_t version);

/* True once both sides are past their handshake, so the stream need not be followed. */
bool tls_handshake_done(const struct tls_state *st);

/* TLS 1.3: the server's answer to the client's flight (its first record after it, an
 * alert or not) has not come yet, so the outcome is not known. */
bool tls13_answer_pending(const struct tls_state *st);

/* TLS 1.3: the connection was closed (FIN or RST) with no byte of it left unconsumed:
 * decides what waited for the close (tls13_flight.c); call before rec_finish(). */
void tls13_closed(struct tls_state *st, const struct tls_sink *sink);

#endif
