/* Tests for dissectors/tls/flow.c: the flow label, flags, status and history of the close line, from
 * tls_state values set directly and from handshakes fed through the record layer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "tls/flow.h"
#include "base/names.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

#define BYTES4(b) b, b, b, b
#define BYTES8(b) BYTES4(b), BYTES4(b)
#define BYTES16(b) BYTES8(b), BYTES8(b)
#define BYTES32(b) BYTES16(b), BYTES16(b)

/* The close line's flow fields for st, as "close flow=... status=... history=...". */
static void check_close(const struct tls_state *st, const char *want)
{
    struct fields *f = malloc(sizeof(*f));
    struct vec_events ev;
    ck_assert_ptr_nonnull(f);
    vec_events_init(&ev);
    fields_init(f, "close", NULL);
    flow_describe(st, f);
    struct tls_sink sink = vec_sink(&ev);
    sink.emit(sink.ctx, DIR_C2S, f);
    ck_assert_str_eq(vec_line(&ev, 0), want);
    vec_events_free(&ev);
    free(f);
}

/* The whole close line for st (flow fields and negotiated values) into ev as its last event. */
static void close_line(const struct tls_state *st, struct vec_events *ev)
{
    struct fields *f = malloc(sizeof(*f));
    ck_assert_ptr_nonnull(f);
    fields_init(f, "close", NULL);
    flow_describe(st, f);
    flow_negotiated(st, f);
    struct tls_sink sink = vec_sink(ev);
    sink.emit(sink.ctx, DIR_C2S, f);
    free(f);
}

/* True when the last event line holds needle. */
static bool last_has(const struct vec_events *ev, const char *needle)
{
    return ev->n > 0 && strstr(vec_line(ev, ev->n - 1), needle) != NULL;
}

/* One direction's bytes: whole records appended in wire order. */
struct stream {
    uint8_t bytes[2048];
    size_t len;
};

static void add_record(struct stream *s, uint8_t type, const uint8_t *body, size_t len)
{
    ck_assert_uint_le(s->len + 5 + len, sizeof(s->bytes));
    uint8_t *p = s->bytes + s->len;
    p[0] = type;
    p[1] = 0x03; /* legacy_record_version TLS 1.2 */
    p[2] = 0x03;
    p[3] = (uint8_t)(len >> 8);
    p[4] = (uint8_t)len;
    if (body != NULL) {
        memcpy(p + 5, body, len);
    } else {
        memset(p + 5, 0xa5, len); /* a protected record: opaque bytes */
    }
    s->len += 5 + len;
}

/* One handshake message in a record of its own. */
static void add_handshake(struct stream *s, uint8_t type, const uint8_t *body, size_t len)
{
    uint8_t msg[600];
    ck_assert_uint_le(4 + len, sizeof(msg));
    msg[0] = type;
    msg[1] = (uint8_t)(len >> 16);
    msg[2] = (uint8_t)(len >> 8);
    msg[3] = (uint8_t)len;
    if (len > 0) {
        memcpy(msg + 4, body, len);
    }
    add_record(s, CONTENT_handshake, msg, 4 + len);
}

static const uint8_t ccs_body[] = {0x01}; /* ChangeCipherSpec: change_cipher_spec(1) */

static void add_ccs(struct stream *s)
{
    add_record(s, CONTENT_change_cipher_spec, ccs_body, sizeof(ccs_body));
}

/* A Finished (or any record) under the new keys: opaque, 40 bytes. */
static void add_protected(struct stream *s, uint8_t type)
{
    add_record(s, type, NULL, 40);
}

static void feed(struct tls_state *st, enum dir d, const struct stream *s, struct vec_events *ev)
{
    vec_feed(st, d, s->bytes, s->len, 0, ev);
}

/* TLS 1.2 messages (RFC 5246 7.4). */

static const uint8_t ch_full[] = {
    0x03, 0x03,                   /* legacy_version TLS 1.2 */
    BYTES32(0x11),                /* random */
    0x00,                         /* legacy_session_id: empty */
    0x00, 0x02, 0xc0, 0x2f,       /* cipher_suites: ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    0x01, 0x00,                   /* compression_methods: null */
    0x00, 0x09,                   /* extensions length 9 */
    0x00, 0x17, 0x00, 0x00,       /* extended_main_secret */
    0xff, 0x01, 0x00, 0x01, 0x00, /* renegotiation_info: empty renegotiated_connection */
};

static const uint8_t sh_full[] = {
    0x03, 0x03,                   /* legacy_version TLS 1.2 */
    BYTES32(0x22),                /* random */
    0x00,                         /* session id: none */
    0xc0, 0x2f,                   /* cipher_suite ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    0x00,                         /* compression null */
    0x00, 0x09,                   /* extensions length 9 */
    0x00, 0x17, 0x00, 0x00,       /* extended_main_secret */
    0xff, 0x01, 0x00, 0x01, 0x00, /* renegotiation_info: empty */
};

/* (an empty certificate_list: what the flow reads is that a Certificate came) */
static const uint8_t no_certificates[] = {0x00, 0x00, 0x00};

static const uint8_t ske_ecdhe[] = {
    0x03, 0x00, 0x1d,         /* named_curve x25519 */
    0x20, BYTES32(0x42),      /* point */
    0x08, 0x04,               /* rsa_pss_rsae_sha256 */
    0x00, 0x04, BYTES4(0x5a), /* signature */
};

static const uint8_t cke_ecdhe[] = {0x20, BYTES32(0x24)}; /* point length 32, point */

static const uint8_t cr_tls12[] = {
    0x01, 0x40,             /* certificate_types: ecdsa_sign */
    0x00, 0x02, 0x04, 0x03, /* signature algorithms: ecdsa_secp256r1_sha256 */
    0x00, 0x00,             /* certificate_authorities: none */
};

static const uint8_t cv_tls12[] = {0x04, 0x03, 0x00, 0x04, BYTES4(0x5a)}; /* scheme, sig */

/* Client: ClientHello. Server: ServerHello, Certificate, ServerKeyExchange, [CertificateRequest,]
 * ServerHelloDone. Client: [Certificate,] ClientKeyExchange, [CertificateVerify,] CCS, Finished.
 * Server: CCS, Finished. */
static void tls12_full_handshake(struct tls_state *st, bool mutual, struct vec_events *ev)
{
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0}, s2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch_full, sizeof(ch_full));
    add_handshake(&s1, HS_server_hello, sh_full, sizeof(sh_full));
    add_handshake(&s1, HS_certificate, no_certificates, sizeof(no_certificates));
    add_handshake(&s1, HS_server_key_exchange, ske_ecdhe, sizeof(ske_ecdhe));
    if (mutual) {
        add_handshake(&s1, HS_certificate_request, cr_tls12, sizeof(cr_tls12));
        add_handshake(&c2, HS_certificate, no_certificates, sizeof(no_certificates));
    }
    add_handshake(&s1, HS_server_hello_done, NULL, 0);
    add_handshake(&c2, HS_client_key_exchange, cke_ecdhe, sizeof(cke_ecdhe));
    if (mutual) {
        add_handshake(&c2, HS_certificate_verify, cv_tls12, sizeof(cv_tls12));
    }
    add_ccs(&c2);
    add_protected(&c2, CONTENT_handshake);
    add_ccs(&s2);
    add_protected(&s2, CONTENT_handshake);
    feed(st, DIR_C2S, &c1, ev);
    feed(st, DIR_S2C, &s1, ev);
    feed(st, DIR_C2S, &c2, ev);
    feed(st, DIR_S2C, &s2, ev);
}

START_TEST(tls12_full_handshake_is_full_established_with_history)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    tls12_full_handshake(&st, false, &ev);
    ck_assert(!ev.any_malformed);
    ck_assert_str_eq(flow_label(&st), "full");
    ck_assert_str_eq(flow_status(&st), "established");
    check_close(&st, "close flow=full flags=ems,secure_renegotiation status=established "
                     "history=CsxknGIDid");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 5246 7.4.6: a client without a certificate answers the request with an empty list: the
 * server asked, the client presented nothing (pcaps/tls12-cert-requested.pcap is a real one). */
START_TEST(tls12_request_answered_by_empty_certificate_is_cert_requested)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    tls12_full_handshake(&st, true, &ev);
    ck_assert(!ev.any_malformed);
    check_close(&st, "close flow=full flags=cert_requested,ems,secure_renegotiation "
                     "status=established history=CsxkrnXGYIDid");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 5746 1: a handshake record under the keys of a finished handshake is a renegotiation. */
START_TEST(tls12_encrypted_handshake_after_finished_is_renegotiated)
{
    struct tls_state st;
    struct vec_events ev;
    struct stream later = {.len = 0};
    tls_state_init(&st);
    vec_events_init(&ev);
    tls12_full_handshake(&st, false, &ev);
    add_protected(&later, CONTENT_application_data);
    add_protected(&later, CONTENT_handshake); /* the client's new ClientHello, protected */
    feed(&st, DIR_C2S, &later, &ev);
    ck_assert(st.renegotiated);
    check_close(&st, "close flow=full flags=renegotiated,ems,secure_renegotiation "
                     "status=established history=CsxknGIDidD");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 5246 7.3: an abbreviated handshake; the server echoes the client's session id and goes
 * straight to ChangeCipherSpec, without Certificate or ServerKeyExchange. */
static const uint8_t ch_with_session_id[] = {
    0x03, 0x03,             /* legacy_version TLS 1.2 */
    BYTES32(0x11),          /* random */
    0x20,                   /* legacy_session_id length 32 */
    BYTES32(0x5e),          /* session id to resume */
    0x00, 0x02, 0xc0, 0x2f, /* cipher_suites */
    0x01, 0x00,             /* compression_methods: null */
};

static const uint8_t sh_echo[] = {
    0x03, 0x03,    /* legacy_version TLS 1.2 */
    BYTES32(0x22), /* random */
    0x20,          /* session id length 32 */
    BYTES32(0x5e), /* the client's, echoed */
    0xc0, 0x2f,    /* cipher_suite */
    0x00,          /* compression null */
};

static void abbreviated_handshake(struct tls_state *st, const uint8_t *ch, size_t ch_len,
                                  const uint8_t *sh, size_t sh_len, bool ticket,
                                  struct vec_events *ev)
{
    static const uint8_t nst[] = {
        0x00, 0x00, 0x1c, 0x20,   /* ticket_lifetime_hint 7200 */
        0x00, 0x04, BYTES4(0x7e), /* ticket length 4, ticket */
    };
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch, ch_len);
    add_handshake(&s1, HS_server_hello, sh, sh_len);
    if (ticket) {
        add_handshake(&s1, HS_new_session_ticket, nst, sizeof(nst));
    }
    add_ccs(&s1);
    add_protected(&s1, CONTENT_handshake);
    add_ccs(&c2);
    add_protected(&c2, CONTENT_handshake);
    feed(st, DIR_C2S, &c1, ev);
    feed(st, DIR_S2C, &s1, ev);
    feed(st, DIR_C2S, &c2, ev);
}

START_TEST(echoed_session_id_without_certificate_is_resumed)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    abbreviated_handshake(&st, ch_with_session_id, sizeof(ch_with_session_id), sh_echo,
                          sizeof(sh_echo), false, &ev);
    ck_assert(!ev.any_malformed);
    ck_assert(st.session_id_echoed);
    check_close(&st, "close flow=resumed status=established history=CsidID");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(new_session_id_without_certificate_is_unknown)
{
    uint8_t sh_other[sizeof(sh_echo)];
    memcpy(sh_other, sh_echo, sizeof(sh_echo));
    sh_other[2 + 32 + 1] = 0x5f; /* the session id's first byte differs: a new session */
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    abbreviated_handshake(&st, ch_with_session_id, sizeof(ch_with_session_id), sh_other,
                          sizeof(sh_other), false, &ev);
    ck_assert(!st.session_id_echoed);
    check_close(&st, "close flow=unknown status=established history=CsidID");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 5077 3.1: the client offers a ticket, the server takes it, issues a new one and goes
 * straight to ChangeCipherSpec. */
START_TEST(offered_ticket_without_certificate_is_ticket)
{
    static const uint8_t ch_ticket[] = {
        0x03, 0x03,             /* legacy_version TLS 1.2 */
        BYTES32(0x11),          /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x02, 0xc0, 0x2f, /* cipher_suites */
        0x01, 0x00,             /* compression_methods: null */
        0x00, 0x08,             /* extensions length 8 */
        0x00, 0x23, 0x00, 0x04, /* session_ticket, length 4 */
        BYTES4(0x7e),           /* the ticket */
    };
    static const uint8_t sh_ticket[] = {
        0x03, 0x03,             /* legacy_version TLS 1.2 */
        BYTES32(0x22),          /* random */
        0x00,                   /* session id: none */
        0xc0, 0x2f,             /* cipher_suite */
        0x00,                   /* compression null */
        0x00, 0x04,             /* extensions length 4 */
        0x00, 0x23, 0x00, 0x00, /* session_ticket: empty (a new ticket follows) */
    };
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    abbreviated_handshake(&st, ch_ticket, sizeof(ch_ticket), sh_ticket, sizeof(sh_ticket), true,
                          &ev);
    ck_assert(!ev.any_malformed);
    ck_assert_uint_eq(st.client_ticket_len, 4);
    check_close(&st, "close flow=ticket flags=ticket_issued status=established "
                     "history=CstidID");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* TLS 1.3 (RFC 8446 2.2): PSK resumption with and without an (EC)DHE share. */

static const uint8_t ch_psk_dhe[] = {
    0x03, 0x03,             /* legacy_version TLS 1.2 */
    BYTES32(0x11),          /* random */
    0x00,                   /* legacy_session_id: empty */
    0x00, 0x02, 0x13, 0x01, /* cipher_suites: TLS_AES_128_GCM_SHA256 */
    0x01, 0x00,             /* compression_methods: null */
    0x00, 0x6a,             /* extensions length 106 */
    0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
    0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,       /* psk_key_exchange_modes: psk_dhe_ke */
    0x00, 0x33, 0x00, 0x26, 0x00, 0x24,       /* key_share, client_shares length 36 */
    0x00, 0x1d, 0x00, 0x20, BYTES32(0x24),    /* x25519, 32 bytes */
    0x00, 0x29, 0x00, 0x2f,                   /* pre_shared_key, length 47 */
    0x00, 0x0a,                               /* identities length 10 */
    0x00, 0x04, BYTES4(0x1d),                 /* identity */
    0x00, 0x00, 0x00, 0x64,                   /* obfuscated_ticket_age */
    0x00, 0x21, 0x20, BYTES32(0xb1),          /* binders: one of 32 bytes */
};
#define CH_PSK_MODE_AT (2 + 32 + 1 + 4 + 2 + 2 + 7 + 5) /* the offered mode's byte */

static const uint8_t sh_psk_dhe[] = {
    0x03, 0x03,                               /* legacy_version TLS 1.2 */
    BYTES32(0x22),                            /* random */
    0x00,                                     /* legacy_session_id_echo: empty */
    0x13, 0x01,                               /* cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00,                                     /* compression null */
    0x00, 0x34,                               /* extensions length 52 */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,       /* supported_versions: TLS 1.3 */
    0x00, 0x29, 0x00, 0x02, 0x00, 0x00,       /* pre_shared_key: selected_identity 0 */
    0x00, 0x33, 0x00, 0x24,                   /* key_share, length 36 */
    0x00, 0x1d, 0x00, 0x20, BYTES32(0x25),    /* x25519, 32 bytes */
};

static const uint8_t sh_psk_only[] = {
    0x03, 0x03,                         /* legacy_version TLS 1.2 */
    BYTES32(0x22),                      /* random */
    0x00,                               /* legacy_session_id_echo: empty */
    0x13, 0x01,                         /* cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00,                               /* compression null */
    0x00, 0x0c,                         /* extensions length 12 */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
    0x00, 0x29, 0x00, 0x02, 0x00, 0x00, /* pre_shared_key: selected_identity 0, no key_share */
};

/* ClientHello; ServerHello and one protected record; one protected client record. */
static void tls13_handshake(struct tls_state *st, const uint8_t *ch, size_t ch_len,
                            const uint8_t *sh, size_t sh_len, struct vec_events *ev)
{
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch, ch_len);
    add_handshake(&s1, HS_server_hello, sh, sh_len);
    add_protected(&s1, CONTENT_application_data);
    add_protected(&c2, CONTENT_application_data);
    feed(st, DIR_C2S, &c1, ev);
    feed(st, DIR_S2C, &s1, ev);
    feed(st, DIR_C2S, &c2, ev);
}

START_TEST(tls13_psk_with_key_share_is_psk_dhe_ke)
{
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    tls13_handshake(&st, ch_psk_dhe, sizeof(ch_psk_dhe), sh_psk_dhe, sizeof(sh_psk_dhe), &ev);
    ck_assert(!ev.any_malformed);
    ck_assert(st.psk_accepted);
    check_close(&st, "close flow=psk psk_mode=psk_dhe_ke status=established history=Cs+dD");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(tls13_psk_without_key_share_is_psk_ke)
{
    uint8_t ch_psk_ke[sizeof(ch_psk_dhe)];
    memcpy(ch_psk_ke, ch_psk_dhe, sizeof(ch_psk_dhe));
    ck_assert_uint_eq(ch_psk_ke[CH_PSK_MODE_AT], 0x01);
    ch_psk_ke[CH_PSK_MODE_AT] = 0x00; /* offer psk_ke instead */
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    tls13_handshake(&st, ch_psk_ke, sizeof(ch_psk_ke), sh_psk_only, sizeof(sh_psk_only), &ev);
    ck_assert(!ev.any_malformed);
    ck_assert_uint_eq(st.psk_modes, 1);
    check_close(&st, "close flow=psk psk_mode=psk_ke status=established history=Cs+dD");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Pre-standard TLS 1.3, bytes written from draft-ietf-tls-tls13-18 (its sections cited per
 * field): the ClientHello has RFC 8446's layout, the ServerHello has neither session id nor
 * compression method (draft-18 4.1.3), key_share is extension 40 until draft 23 renumbered it
 * (draft-18 4.2.5), and 0-RTT ends with an end_of_early_data alert (draft-18 6.1). */
static const uint8_t ch_draft18[] = {
    0x03, 0x03,                               /* 4.1.2 legacy_version TLS 1.2 */
    BYTES32(0x11),                            /* 4.1.2 random */
    0x00,                                     /* 4.1.2 legacy_session_id: empty */
    0x00, 0x02, 0x13, 0x01,                   /* 4.1.2 cipher_suites: TLS_AES_128_GCM_SHA256 */
    0x01, 0x00,                               /* 4.1.2 legacy_compression_methods: null */
    0x00, 0x6e,                               /* extensions length 110 */
    0x00, 0x2b, 0x00, 0x03, 0x02, 0x7f, 0x12, /* 4.2.1 supported_versions: 0x7f00 | 18 */
    0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,       /* 4.2.7 psk_key_exchange_modes: psk_dhe_ke */
    0x00, 0x28, 0x00, 0x26, 0x00, 0x24,       /* 4.2.5 key_share (40), client_shares of 36 */
    0x00, 0x1d, 0x00, 0x20, BYTES32(0x24),    /*   x25519, 32-byte key_exchange */
    0x00, 0x2a, 0x00, 0x00,                   /* 4.2.8 early_data: empty in a ClientHello */
    0x00, 0x29, 0x00, 0x2f,                   /* 4.2.6 pre_shared_key (last), length 47 */
    0x00, 0x0a,                               /*   identities length 10 */
    0x00, 0x04, BYTES4(0x1d),                 /*   identity */
    0x00, 0x00, 0x00, 0x64,                   /*   obfuscated_ticket_age */
    0x00, 0x21, 0x20, BYTES32(0xb1),          /*   binders: one of 32 bytes */
};

static const uint8_t sh_draft18[] = {
    0x7f, 0x12,                            /* 4.1.3 version: draft 18 itself */
    BYTES32(0x22),                         /* 4.1.3 random */
    0x13, 0x01,                            /* 4.1.3 cipher_suite TLS_AES_128_GCM_SHA256 */
    0x00, 0x2e,                            /* 4.1.3 extensions length 46 */
    0x00, 0x29, 0x00, 0x02, 0x00, 0x00,    /* 4.2.6 pre_shared_key: selected_identity 0 */
    0x00, 0x28, 0x00, 0x24,                /* 4.2.5 key_share (40): server_share of 36 */
    0x00, 0x1d, 0x00, 0x20, BYTES32(0x25), /*   x25519, 32-byte key_exchange */
};

/* 5.2: a protected record is its plaintext, one content-type byte and a 16-byte AES-GCM tag. */
#define FINISHED_RECORD (4 + 32 + 1 + 16)    /* 4.4.4 Finished, SHA-256 verify_data */
#define EOED_ALERT_RECORD (2 + 1 + 16)       /* 6.1 end_of_early_data(1), a warning alert */

START_TEST(draft18_server_hello_layout_key_share_40_and_early_data_accepted)
{
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch_draft18, sizeof(ch_draft18));
    add_record(&c1, CONTENT_application_data, NULL, 30); /* 0-RTT data */
    add_handshake(&s1, HS_server_hello, sh_draft18, sizeof(sh_draft18));
    add_record(&s1, CONTENT_application_data, NULL, 40);              /* EncryptedExtensions */
    add_record(&s1, CONTENT_application_data, NULL, FINISHED_RECORD); /* Finished */
    add_record(&c2, CONTENT_application_data, NULL, EOED_ALERT_RECORD);
    add_record(&c2, CONTENT_application_data, NULL, FINISHED_RECORD);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    feed(&st, DIR_C2S, &c2, &ev);
    ck_assert(!ev.any_malformed);
    ck_assert(vec_contains(&ev, "extensions=supported_versions,psk_key_exchange_modes,"
                                "key_share_draft,early_data,pre_shared_key "
                                "supported_versions=TLSv1.3-draft18"));
    ck_assert(vec_contains(&ev, "handshake server_hello record_version=TLSv1.2 length=84 "
                                "legacy_version=TLSv1.3-draft18 "
                                "cipher_suite=TLS_AES_128_GCM_SHA256 "
                                "extensions=pre_shared_key,key_share_draft "
                                "psk_selected_identity=0 key_share=x25519 "
                                "key_share_length=32 version=TLSv1.3-draft18 ja3s="));
    ck_assert(vec_contains(&ev, "inferred=end_of_early_data"));
    close_line(&st, &ev);
    ck_assert(last_has(&ev, "close flow=psk psk_mode=psk_dhe_ke flags=early_data "
                            "early_data=accepted early_data_records=1 inferred=early_data "
                            "status=established"));
    ck_assert(last_has(&ev, " version=TLSv1.3-draft18 cipher_suite=TLS_AES_128_GCM_SHA256 "
                            "group=x25519 ja3="));
    ck_assert(last_has(&ev, " ja3s="));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Before draft 22 the HelloRetryRequest was a message of its own, type 6: draft-18 4.1.4 has
 * server_version and extensions; later drafts put a cipher_suite between them. */
START_TEST(draft_hello_retry_request_is_read_in_both_layouts)
{
    static const uint8_t hrr18[] = {
        0x7f, 0x12,                         /* server_version: draft 18 */
        0x00, 0x06,                         /* extensions length 6 */
        0x00, 0x28, 0x00, 0x02, 0x00, 0x1d, /* key_share (40): selected_group x25519 */
    };
    static const uint8_t hrr21[] = {
        0x7f, 0x15,                         /* server_version: draft 21 */
        0x13, 0x01,                         /* cipher_suite TLS_AES_128_GCM_SHA256 */
        0x00, 0x06,                         /* extensions length 6 */
        0x00, 0x28, 0x00, 0x02, 0x00, 0x17, /* key_share (40): selected_group secp256r1 */
    };
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0}, s2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch_draft18, sizeof(ch_draft18));
    add_handshake(&s1, HS_hello_retry_request_RESERVED, hrr18, sizeof(hrr18));
    add_handshake(&c2, HS_client_hello, ch_draft18, sizeof(ch_draft18));
    add_handshake(&s2, HS_hello_retry_request_RESERVED, hrr21, sizeof(hrr21));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    feed(&st, DIR_C2S, &c2, &ev);
    feed(&st, DIR_S2C, &s2, &ev);
    ck_assert(!ev.any_malformed);
    ck_assert_str_eq(vec_line(&ev, 1), "handshake hello_retry_request length=10 "
                                       "server_version=TLSv1.3-draft18 "
                                       "extensions=key_share_draft key_share=x25519");
    ck_assert_str_eq(vec_line(&ev, 3), "handshake hello_retry_request length=12 "
                                       "server_version=TLSv1.3-draft21 "
                                       "cipher_suite=TLS_AES_128_GCM_SHA256 "
                                       "extensions=key_share_draft key_share=secp256r1");
    ck_assert(st.hrr_seen && st.is_tls13);
    check_close(&st, "close flow=unknown flags=hrr,early_data early_data=offered "
                     "status=incomplete history=CjCj");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Fizz's 0xfb1a: draft 26 (RFC 8446's layouts, key_share 51) under Facebook's own version. */
START_TEST(facebook_draft26_is_tls13_with_its_wire_version)
{
    static const uint8_t ch[] = {
        0x03, 0x03,                               /* legacy_version TLS 1.2 */
        BYTES32(0x11),                            /* random */
        0x00,                                     /* legacy_session_id: empty */
        0x00, 0x02, 0x13, 0x02,                   /* cipher_suites: TLS_AES_256_GCM_SHA384 */
        0x01, 0x00,                               /* compression_methods: null */
        0x00, 0x33,                               /* extensions length 51 */
        0x00, 0x2b, 0x00, 0x05, 0x04, 0xfb, 0x1a, /* supported_versions: 0xfb1a, */
        0x7f, 0x1a,                               /*   draft 26 */
        0x00, 0x33, 0x00, 0x26, 0x00, 0x24,       /* key_share (51), client_shares of 36 */
        0x00, 0x1d, 0x00, 0x20, BYTES32(0x24),    /*   x25519 */
    };
    static const uint8_t sh[] = {
        0x03, 0x03,                            /* legacy_version TLS 1.2 */
        BYTES32(0x22),                         /* random */
        0x00,                                  /* legacy_session_id_echo: empty */
        0x13, 0x02,                            /* cipher_suite TLS_AES_256_GCM_SHA384 */
        0x00,                                  /* legacy_compression_method */
        0x00, 0x2e,                            /* extensions length 46 */
        0x00, 0x2b, 0x00, 0x02, 0xfb, 0x1a,    /* supported_versions: selected 0xfb1a */
        0x00, 0x33, 0x00, 0x24,                /* key_share: server_share of 36 */
        0x00, 0x1d, 0x00, 0x20, BYTES32(0x25), /*   x25519 */
    };
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch, sizeof(ch));
    add_handshake(&s1, HS_server_hello, sh, sizeof(sh));
    add_record(&s1, CONTENT_application_data, NULL, 1500); /* the whole server flight */
    add_record(&c2, CONTENT_application_data, NULL, 4 + 48 + 1 + 16); /* Finished, SHA-384 */
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    feed(&st, DIR_C2S, &c2, &ev);
    ck_assert(!ev.any_malformed);
    ck_assert(st.is_tls13);
    ck_assert(vec_contains(&ev, "supported_versions=TLSv1.3-draft26-fb,TLSv1.3-draft26"));
    close_line(&st, &ev);
    ck_assert(last_has(&ev, "close flow=full status=established history=Csd"));
    ck_assert(last_has(&ev, " version=TLSv1.3-draft26-fb cipher_suite=TLS_AES_256_GCM_SHA384 "
                            "group=x25519 ja3="));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* A value read from a message marked malformed never reaches the close line or a fingerprint:
 * the fields before the fault parsed (and show on the message's own line), then an extension
 * breaks its grammar. */
START_TEST(malformed_hellos_leave_no_values_on_the_close_line)
{
    static const uint8_t ch[] = {
        0x03, 0x03,                         /* legacy_version TLS 1.2 */
        BYTES32(0x11),                      /* random */
        0x00,                               /* legacy_session_id: empty */
        0x00, 0x02, 0x13, 0x01,             /* cipher_suites: TLS_AES_128_GCM_SHA256 */
        0x01, 0x00,                         /* compression_methods: null */
        0x00, 0x19,                         /* extensions length 25 */
        0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, /* server_name, list of 12 */
        0x00, 0x00, 0x09,                   /*   host_name, 9 bytes */
        'e', 'v', 'i', 'l', '.', 't', 'e', 's', 't',
        0x00, 0x2b, 0x00, 0x03, 0x01, 0x03, /* supported_versions: odd list length 1 */
        0x04,                               /*   (RFC 8446 4.2.1: versions<2..254>) */
    };
    static const uint8_t sh[] = {
        0x03, 0x03,                            /* legacy_version TLS 1.2 */
        BYTES32(0x22),                         /* random */
        0x00,                                  /* legacy_session_id_echo: empty */
        0x13, 0x01,                            /* cipher_suite TLS_AES_128_GCM_SHA256 */
        0x00,                                  /* legacy_compression_method */
        0x00, 0x38,                            /* extensions length 56 */
        0x00, 0x10, 0x00, 0x05, 0x00, 0x03,    /* alpn, protocol_name_list of 3 */
        0x02, 'h', '2',                        /*   "h2" */
        0x00, 0x33, 0x00, 0x24,                /* key_share: server_share of 36 */
        0x00, 0x1d, 0x00, 0x20, BYTES32(0x25), /*   x25519 */
        0x00, 0x2b, 0x00, 0x03, 0x03, 0x04,    /* supported_versions: 3 bytes, not 2 */
        0x00,                                  /*   (RFC 8446 4.2.1: selected_version) */
    };
    struct stream c1 = {.len = 0}, s1 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch, sizeof(ch));
    add_handshake(&s1, HS_server_hello, sh, sizeof(sh));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    ck_assert_uint_eq(ev.n, 2);
    /* each line keeps what it read, and says where it broke */
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 0), "sni=evil.test malformed=supported_versions"));
    ck_assert_ptr_null(strstr(vec_line(&ev, 0), "ja3="));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "alpn=h2 key_share=x25519"));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "malformed=supported_versions"));
    ck_assert_ptr_null(strstr(vec_line(&ev, 1), "ja3s="));
    close_line(&st, &ev);
    ck_assert_str_eq(vec_line(&ev, 2), "close flow=unknown status=incomplete history=Cs "
                                       "malformed_messages=client_hello,server_hello");
    ck_assert(!st.has_sni && !st.has_alpn && !st.has_group);
    ck_assert(st.server_hello_seen); /* still followed as the ServerHello said */
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* A ServerKeyExchange whose named group parsed but whose signature is cut short. */
START_TEST(malformed_server_key_exchange_leaves_no_group)
{
    static const uint8_t ske_cut[] = {
        0x03, 0x00, 0x1d,    /* named_curve x25519 */
        0x20, BYTES32(0x42), /* point */
        0x08, 0x04,          /* rsa_pss_rsae_sha256 */
        0x00, 0x40, 0x5a,    /* signature claims 64 bytes, has 1 */
    };
    struct stream c1 = {.len = 0}, s1 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch_full, sizeof(ch_full));
    add_handshake(&s1, HS_server_hello, sh_full, sizeof(sh_full));
    add_handshake(&s1, HS_server_key_exchange, ske_cut, sizeof(ske_cut));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    ck_assert(vec_contains(&ev, "named_group=x25519"));
    close_line(&st, &ev);
    ck_assert(last_has(&ev, "malformed_messages=server_key_exchange version=TLSv1.2 "
                            "cipher_suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ja3="));
    ck_assert(!last_has(&ev, "group="));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Values are never cut without a marker: a 300-byte SNI is kept whole on the ClientHello's
 * line and cut at 255 bytes with sni_truncated on the close line; a 100-byte ALPN holding a
 * NUL is carried whole (escaped) to the close line. */
START_TEST(long_sni_is_marked_and_alpn_is_whole_on_the_close_line)
{
    uint8_t ch[2 + 32 + 1 + 4 + 2 + 2 + 9 + 300];
    size_t n = 0;
    static const uint8_t head[] = {
        0x03, 0x03,             /* legacy_version TLS 1.2 */
        BYTES32(0x11),          /* random */
        0x00,                   /* legacy_session_id: empty */
        0x00, 0x02, 0xc0, 0x2f, /* cipher_suites */
        0x01, 0x00,             /* compression_methods: null */
        0x01, 0x35,             /* extensions length 309 */
        0x00, 0x00, 0x01, 0x31, /* server_name, length 305 */
        0x01, 0x2f,             /*   server_name_list of 303 */
        0x00, 0x01, 0x2c,       /*   host_name, 300 bytes (RFC 6066 3: HostName<1..2^16-1>) */
    };
    memcpy(ch, head, sizeof(head));
    n = sizeof(head);
    memset(ch + n, 'a', 300);
    n += 300;
    ck_assert_uint_eq(n, sizeof(ch));
    uint8_t sh[2 + 32 + 1 + 2 + 1 + 2 + 4 + 2 + 1 + 100];
    static const uint8_t sh_head[] = {
        0x03, 0x03,             /* legacy_version TLS 1.2 */
        BYTES32(0x22),          /* random */
        0x00,                   /* session id: none */
        0xc0, 0x2f,             /* cipher_suite */
        0x00,                   /* compression null */
        0x00, 0x6b,             /* extensions length 107 */
        0x00, 0x10, 0x00, 0x67, /* alpn, length 103 */
        0x00, 0x65,             /*   protocol_name_list of 101 */
        0x64,                   /*   one ProtocolName of 100 bytes: */
        'h', '2', 0x00, 'z',    /*   "h2", a NUL, "z", then 96 'q' */
    };
    memcpy(sh, sh_head, sizeof(sh_head));
    memset(sh + sizeof(sh_head), 'q', 96);
    ck_assert_uint_eq(sizeof(sh_head) + 96, sizeof(sh));
    struct stream c1 = {.len = 0}, s1 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch, sizeof(ch));
    add_handshake(&s1, HS_server_hello, sh, sizeof(sh));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    ck_assert(!ev.any_malformed);
    char a300[301], a255[256], q96[97];
    memset(a300, 'a', 300);
    a300[300] = '\0';
    memset(a255, 'a', 255);
    a255[255] = '\0';
    memset(q96, 'q', 96);
    q96[96] = '\0';
    char want[512];
    snprintf(want, sizeof(want), " sni=%s ", a300);
    ck_assert(vec_contains(&ev, want)); /* the hello's own line: whole */
    snprintf(want, sizeof(want), "alpn=h2\\x00z%s", q96);
    ck_assert(vec_contains(&ev, want));
    close_line(&st, &ev);
    snprintf(want, sizeof(want), " sni=%s... sni_truncated=true alpn=h2\\x00z%s ", a255, q96);
    ck_assert_msg(last_has(&ev, want), "%s", vec_line(&ev, ev.n - 1));
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* RFC 8446 4.1.4: a HelloRetryRequest, a second ClientHello, then a full TLS 1.3 handshake. */
START_TEST(tls13_hello_retry_request_is_flagged_hrr)
{
    static const uint8_t ch[] = {
        0x03, 0x03,                               /* legacy_version TLS 1.2 */
        BYTES32(0x11),                            /* random */
        0x00,                                     /* legacy_session_id: empty */
        0x00, 0x02, 0x13, 0x01,                   /* cipher_suites: TLS_AES_128_GCM_SHA256 */
        0x01, 0x00,                               /* compression_methods: null */
        0x00, 0x0d,                               /* extensions length 13 */
        0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
        0x00, 0x33, 0x00, 0x02, 0x00, 0x00,       /* key_share: no shares */
    };
    static const uint8_t hrr[] = {
        0x03, 0x03, /* legacy_version */
        /* random = SHA-256("HelloRetryRequest") */
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8,
        0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,
        0x33, 0x9c,
        0x00,                               /* legacy_session_id_echo: empty */
        0x13, 0x01,                         /* cipher_suite */
        0x00,                               /* compression */
        0x00, 0x0c,                         /* extensions length 12 */
        0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
        0x00, 0x33, 0x00, 0x02, 0x00, 0x1d, /* key_share: selected_group x25519 */
    };
    static const uint8_t sh[] = {
        0x03, 0x03,                            /* legacy_version */
        BYTES32(0x22),                         /* random */
        0x00,                                  /* legacy_session_id_echo */
        0x13, 0x01,                            /* cipher_suite */
        0x00,                                  /* compression */
        0x00, 0x2e,                            /* extensions length 46 */
        0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,    /* supported_versions: TLS 1.3 */
        0x00, 0x33, 0x00, 0x24,                /* key_share, length 36 */
        0x00, 0x1d, 0x00, 0x20, BYTES32(0x25), /* x25519 */
    };
    struct stream c1 = {.len = 0}, s1 = {.len = 0}, c2 = {.len = 0}, s2 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch, sizeof(ch));
    add_handshake(&s1, HS_server_hello, hrr, sizeof(hrr));
    add_handshake(&c2, HS_client_hello, ch, sizeof(ch)); /* (would carry the x25519 share) */
    add_handshake(&s2, HS_server_hello, sh, sizeof(sh));
    add_protected(&s2, CONTENT_application_data);
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    feed(&st, DIR_C2S, &c2, &ev);
    feed(&st, DIR_S2C, &s2, &ev);
    ck_assert(!ev.any_malformed);
    check_close(&st, "close flow=full flags=hrr status=incomplete history=CjCsd");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* Alerts: a fatal one fails the connection, a closure alert does not. */

START_TEST(fatal_alert_fails_the_flow)
{
    static const uint8_t fatal[] = {0x02, 0x28}; /* fatal, handshake_failure */
    struct stream c1 = {.len = 0}, s1 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch_full, sizeof(ch_full));
    add_record(&s1, CONTENT_alert, fatal, sizeof(fatal));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    ck_assert_str_eq(flow_status(&st), "failed");
    check_close(&st, "close flow=unknown status=failed history=Cl");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

START_TEST(close_notify_is_not_a_failure)
{
    static const uint8_t close_notify[] = {0x01, 0x00}; /* warning, close_notify */
    struct stream c1 = {.len = 0}, s1 = {.len = 0};
    add_handshake(&c1, HS_client_hello, ch_full, sizeof(ch_full));
    add_record(&s1, CONTENT_alert, close_notify, sizeof(close_notify));
    struct tls_state st;
    struct vec_events ev;
    tls_state_init(&st);
    vec_events_init(&ev);
    feed(&st, DIR_C2S, &c1, &ev);
    feed(&st, DIR_S2C, &s1, &ev);
    ck_assert(!st.fatal_alert_seen);
    check_close(&st, "close flow=unknown status=incomplete history=Cl");
    vec_events_free(&ev);
    tls_state_free(&st);
}
END_TEST

/* States set directly: each fact the dissectors record, alone or together. */

START_TEST(nothing_seen_is_unknown_and_incomplete)
{
    struct tls_state st;
    tls_state_init(&st);
    ck_assert_str_eq(flow_label(&st), "unknown");
    ck_assert_str_eq(flow_status(&st), "incomplete");
    check_close(&st, "close flow=unknown status=incomplete");
    /* a TLS 1.2 ServerHello with neither authentication nor a ChangeCipherSpec yet */
    st.server_hello_seen = true;
    st.version = VERSION_TLSv1_2;
    ck_assert_str_eq(flow_label(&st), "unknown");
}
END_TEST

START_TEST(every_flag_in_its_order)
{
    struct tls_state st;
    tls_state_init(&st);
    st.server_hello_seen = true;
    st.server_auth_seen = true;
    st.hrr_seen = true;
    st.cert_requested = true;
    st.early_data_offered = true;
    st.renegotiated = true;
    st.ticket_issued = true;
    st.ems_accepted = true;
    st.secure_renegotiation = true;
    check_close(&st, "close flow=full "
                     "flags=hrr,cert_requested,early_data,renegotiated,ticket_issued,ems,"
                     "secure_renegotiation early_data=offered status=incomplete");
    st.cert_count[DIR_C2S] = 1; /* the request answered with a certificate */
    check_close(&st, "close flow=full "
                     "flags=hrr,mutual,early_data,renegotiated,ticket_issued,ems,"
                     "secure_renegotiation early_data=offered status=incomplete");
}
END_TEST

START_TEST(mutual_from_a_client_certificate_alone)
{
    struct tls_state st;
    tls_state_init(&st);
    st.cert_count[DIR_C2S] = 1;
    check_close(&st, "close flow=unknown flags=mutual status=incomplete");
}
END_TEST

/* TLS 1.3 hides the messages: what was read from record sizes is marked inferred. */
START_TEST(inferred_flags_are_listed_as_inferred)
{
    struct tls_state st;
    tls_state_init(&st);
    st.server_hello_seen = true;
    st.is_tls13 = true;
    st.cert_requested = st.cert_requested_inferred = true; /* a 5-record server flight */
    st.tickets_inferred = 2;
    check_close(&st, "close flow=full flags=cert_requested,ticket_issued tickets=2 "
                     "inferred=cert_requested,ticket_issued status=incomplete");
    st.client_cert_inferred = true; /* the client flight holds an empty Certificate */
    check_close(&st, "close flow=full flags=cert_requested,ticket_issued tickets=2 "
                     "inferred=cert_requested,ticket_issued status=incomplete");
    st.client_auth_inferred = true; /* ... a CertificateVerify follows it */
    check_close(&st, "close flow=full flags=mutual,ticket_issued tickets=2 "
                     "inferred=mutual,ticket_issued status=incomplete");
    st.cert_count[DIR_C2S] = 1; /* a client Certificate read in the clear outweighs both */
    st.ticket_issued = true;
    check_close(&st, "close flow=full flags=mutual,ticket_issued tickets=2 "
                     "status=incomplete");
}
END_TEST

/* A TLS 1.3 client's flight of an empty Certificate and Finished: asked, nothing presented. */
START_TEST(tls13_empty_client_certificate_alone_is_cert_requested)
{
    struct tls_state st;
    tls_state_init(&st);
    st.server_hello_seen = true;
    st.is_tls13 = true;
    st.client_cert_inferred = true;
    check_close(&st, "close flow=full flags=cert_requested inferred=cert_requested "
                     "status=incomplete");
}
END_TEST

/* The server's alert-sized answer to the client's Finished, then the close (tls13_closed()). */
START_TEST(inferred_alert_fails_the_flow_and_says_so)
{
    struct tls_state st;
    tls_state_init(&st);
    st.server_hello_seen = true;
    st.is_tls13 = true;
    st.dir[DIR_C2S].encrypted_records = 3;
    st.dir[DIR_S2C].encrypted_records = 6;
    ck_assert_str_eq(flow_status(&st), "established");
    st.alert_inferred = true;
    check_close(&st, "close flow=full inferred=status status=failed");
    st.fatal_alert_seen = true; /* read in the clear: nothing inferred about the status */
    check_close(&st, "close flow=full status=failed");
}
END_TEST

/* RFC 8446 4.5: EndOfEarlyData says the server took the early data; a client Finished
 * without it says the data was rejected. */
START_TEST(early_data_fate_offered_accepted_rejected)
{
    struct tls_state st;
    tls_state_init(&st);
    st.early_data_offered = true;
    check_close(&st, "close flow=unknown flags=early_data early_data=offered "
                     "status=incomplete");
    st.server_hello_seen = true;
    st.is_tls13 = true;
    st.early_data_records = 2;
    st.dir[DIR_C2S].finished = true;
    check_close(&st, "close flow=full flags=early_data early_data=rejected "
                     "early_data_records=2 inferred=early_data status=incomplete");
    st.early_data_accepted = true;
    check_close(&st, "close flow=full flags=early_data early_data=accepted "
                     "early_data_records=2 inferred=early_data status=incomplete");
}
END_TEST

START_TEST(tls13_psk_mode_follows_the_server_key_share)
{
    struct tls_state st;
    tls_state_init(&st);
    st.server_hello_seen = true;
    st.is_tls13 = true;
    st.psk_accepted = true;
    check_close(&st, "close flow=psk psk_mode=psk_ke status=incomplete");
    st.has_group = true;
    st.group = GROUP_x25519;
    check_close(&st, "close flow=psk psk_mode=psk_dhe_ke status=incomplete");
    st.psk_accepted = false;
    ck_assert_str_eq(flow_label(&st), "full");
}
END_TEST

START_TEST(status_established_failed_incomplete)
{
    struct tls_state st;
    tls_state_init(&st);
    st.server_hello_seen = true;
    st.version = VERSION_TLSv1_2;
    st.dir[DIR_C2S].finished = true;
    ck_assert_str_eq(flow_status(&st), "incomplete"); /* one side only */
    st.dir[DIR_S2C].finished = true;
    ck_assert_str_eq(flow_status(&st), "established");
    st.fatal_alert_seen = true;
    ck_assert_str_eq(flow_status(&st), "failed"); /* a fatal alert outweighs both Finished */

    tls_state_init(&st);
    st.server_hello_seen = true;
    st.is_tls13 = true;
    st.dir[DIR_S2C].encrypted_records = 3;
    ck_assert_str_eq(flow_status(&st), "incomplete"); /* the client never answered */
    st.dir[DIR_C2S].encrypted_records = 1;
    ck_assert_str_eq(flow_status(&st), "established");
}
END_TEST

START_TEST(history_collapses_encrypted_runs_and_marks_truncation)
{
    struct tls_state st;
    tls_state_init(&st);
    flow_note(&st, DIR_C2S, HS_client_hello);
    flow_note(&st, DIR_S2C, HS_server_hello);
    flow_note(&st, DIR_S2C, FLOW_ENCRYPTED);
    flow_note(&st, DIR_S2C, FLOW_ENCRYPTED); /* same side again: one letter */
    flow_note(&st, DIR_C2S, FLOW_ENCRYPTED);
    flow_note(&st, DIR_S2C, FLOW_ENCRYPTED); /* the other side in between: a new letter */
    flow_note(&st, DIR_C2S, FLOW_HEARTBEAT);
    flow_note(&st, DIR_C2S, HS_key_update);
    flow_note(&st, DIR_S2C, 99); /* a type without a letter */
    ck_assert_str_eq(st.history, "CsdDdBPz");
    while (st.history_len < TLS_HISTORY_MAX) {
        flow_note(&st, DIR_C2S, FLOW_ALERT);
    }
    ck_assert(!st.history_truncated);
    flow_note(&st, DIR_S2C, FLOW_ALERT);
    ck_assert(st.history_truncated);
    ck_assert_uint_eq(strlen(st.history), TLS_HISTORY_MAX);
    struct fields *f = malloc(sizeof(*f));
    ck_assert_ptr_nonnull(f);
    fields_init(f, "close", NULL);
    flow_describe(&st, f);
    const struct field *fd = fields_find(f, "history_truncated");
    ck_assert_ptr_nonnull(fd);
    ck_assert_uint_eq(fd->num, 1);
    free(f);
}
END_TEST

Suite *suite_flow(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("fed");
    tcase_add_test(tc, tls12_full_handshake_is_full_established_with_history);
    tcase_add_test(tc, tls12_request_answered_by_empty_certificate_is_cert_requested);
    tcase_add_test(tc, tls12_encrypted_handshake_after_finished_is_renegotiated);
    tcase_add_test(tc, echoed_session_id_without_certificate_is_resumed);
    tcase_add_test(tc, new_session_id_without_certificate_is_unknown);
    tcase_add_test(tc, offered_ticket_without_certificate_is_ticket);
    tcase_add_test(tc, tls13_psk_with_key_share_is_psk_dhe_ke);
    tcase_add_test(tc, tls13_psk_without_key_share_is_psk_ke);
    tcase_add_test(tc, tls13_hello_retry_request_is_flagged_hrr);
    tcase_add_test(tc, draft18_server_hello_layout_key_share_40_and_early_data_accepted);
    tcase_add_test(tc, facebook_draft26_is_tls13_with_its_wire_version);
    tcase_add_test(tc, draft_hello_retry_request_is_read_in_both_layouts);
    tcase_add_test(tc, malformed_hellos_leave_no_values_on_the_close_line);
    tcase_add_test(tc, malformed_server_key_exchange_leaves_no_group);
    tcase_add_test(tc, long_sni_is_marked_and_alpn_is_whole_on_the_close_line);
    tcase_add_test(tc, fatal_alert_fails_the_flow);
    tcase_add_test(tc, close_notify_is_not_a_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("direct");
    tcase_add_test(tc, nothing_seen_is_unknown_and_incomplete);
    tcase_add_test(tc, every_flag_in_its_order);
    tcase_add_test(tc, mutual_from_a_client_certificate_alone);
    tcase_add_test(tc, inferred_flags_are_listed_as_inferred);
    tcase_add_test(tc, tls13_empty_client_certificate_alone_is_cert_requested);
    tcase_add_test(tc, inferred_alert_fails_the_flow_and_says_so);
    tcase_add_test(tc, early_data_fate_offered_accepted_rejected);
    tcase_add_test(tc, tls13_psk_mode_follows_the_server_key_share);
    tcase_add_test(tc, status_established_failed_incomplete);
    tcase_add_test(tc, history_collapses_encrypted_runs_and_marks_truncation);
    suite_add_tcase(s, tc);
    return s;
}
