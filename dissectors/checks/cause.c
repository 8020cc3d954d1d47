/* Why a handshake failed (issue 18 part 1; hsdump.1 FAILURE CAUSES): the fatal alert and who
 * sent it, read against the offers, the messages each side sent, the server chain's checks
 * (cert_check.h) and how the connection ended. The most specific cause the evidence supports,
 * a "_suspected" one where it is a guess, "unknown" where nothing does. */
#include <string.h>

#include "base/fields.h"
#include "base/names.h"
#include "checks/diagnosis.h"
#include "tls/flow.h"
#include "tls/tls.h"

const char *cause_name(enum tls_cause cause)
{
    static const char *const names[CAUSE_COUNT] = {
        [CAUSE_NONE] = "none",
        [CAUSE_VERSION_MISMATCH] = "version_mismatch",
        [CAUSE_NO_SHARED_CIPHER] = "no_shared_cipher",
        [CAUSE_NO_SHARED_GROUP] = "no_shared_group",
        [CAUSE_NO_SHARED_SIGNATURE_ALGORITHM] = "no_shared_signature_algorithm",
        [CAUSE_CERTIFICATE_EXPIRED] = "certificate_expired",
        [CAUSE_CERTIFICATE_NOT_YET_VALID] = "certificate_not_yet_valid",
        [CAUSE_CLOCK_SKEW_SUSPECTED] = "clock_skew_suspected",
        [CAUSE_UNKNOWN_CA] = "unknown_ca",
        [CAUSE_HOSTNAME_MISMATCH] = "hostname_mismatch",
        [CAUSE_CLIENT_CERTIFICATE_REQUIRED] = "client_certificate_required",
        [CAUSE_CLIENT_CERTIFICATE_REJECTED] = "client_certificate_rejected",
        [CAUSE_NO_APPLICATION_PROTOCOL] = "no_application_protocol",
        [CAUSE_UNRECOGNIZED_NAME] = "unrecognized_name",
        [CAUSE_DECRYPT_ERROR] = "decrypt_error",
        [CAUSE_BAD_RECORD_MAC] = "bad_record_mac",
        [CAUSE_INAPPROPRIATE_FALLBACK] = "inappropriate_fallback",
        [CAUSE_INTERCEPTION_SUSPECTED] = "interception_suspected",
        [CAUSE_ABORTED_BY_CLIENT] = "aborted_by_client",
        [CAUSE_ABORTED_BY_SERVER] = "aborted_by_server",
        [CAUSE_TIMEOUT] = "timeout",
        [CAUSE_UNKNOWN] = "unknown",
        [CAUSE_CERTIFICATE_REJECTED] = "certificate_rejected",
        [CAUSE_CAPTURE_ENDED] = "capture_ended",
    };
    return (unsigned)cause < CAUSE_COUNT ? names[cause] : "unknown";
}

static bool chain_has(const struct tls_state *st, enum cert_issue issue)
{
    return st->server_chain.checked && (st->server_chain.issues & (1u << issue)) != 0;
}

/* What the chain checks say a client would reject the server's chain for; CAUSE_NONE when
 * they found nothing (or did not run). Most specific first: a re-signed chain explains an
 * untrusted root, expiry and not-yet-valid explain themselves, then the name, then trust. */
static enum tls_cause chain_cause(const struct tls_state *st)
{
    const struct chain_check *c = &st->server_chain;
    if (!c->checked) {
        return CAUSE_NONE;
    }
    if (c->interception_suspected) {
        return CAUSE_INTERCEPTION_SUSPECTED;
    }
    if (chain_has(st, CERT_ISSUE_EXPIRED)) {
        return CAUSE_CERTIFICATE_EXPIRED;
    }
    if (chain_has(st, CERT_ISSUE_NOT_YET_VALID)) {
        return CAUSE_CERTIFICATE_NOT_YET_VALID;
    }
    if (chain_has(st, CERT_ISSUE_HOSTNAME_MISMATCH)) {
        return CAUSE_HOSTNAME_MISMATCH;
    }
    if (c->trust == CERT_TRUST_UNTRUSTED) {
        return CAUSE_UNKNOWN_CA;
    }
    return CAUSE_NONE;
}

/* Issues a client may reject a certificate for besides its time and name: not EXPIRING (still
 * valid) nor SELF_SIGNED (a trust matter). */
#define REJECTABLE_ISSUES                                                                        \
    ((1u << CERT_ISSUE_CHAIN_ORDER) | (1u << CERT_ISSUE_ISSUER_MISMATCH) |                       \
     (1u << CERT_ISSUE_BAD_SIGNATURE) | (1u << CERT_ISSUE_WEAK_KEY) |                            \
     (1u << CERT_ISSUE_WEAK_SIGNATURE_HASH) | (1u << CERT_ISSUE_BASIC_CONSTRAINTS) |             \
     (1u << CERT_ISSUE_KEY_USAGE))

/* The client sent its certificate: a non-empty Certificate read, or TLS 1.3 keyless a
 * CertificateVerify in its flight (tls.h client_auth_inferred). */
static bool client_sent_certificate(const struct tls_state *st)
{
    return st->cert_count[DIR_C2S] > 0 || st->client_auth_inferred;
}

/* A certificate was requested and the client answered without one: an empty Certificate
 * (RFC 5246 7.4.6, RFC 8446 4.4.2), read or TLS 1.3 inferred from its flight's size. */
static bool client_sent_no_certificate(const struct tls_state *st)
{
    if (!(st->cert_requested || st->client_cert_inferred) || client_sent_certificate(st)) {
        return false;
    }
    bool certificate_read = (st->dir[DIR_C2S].message_types & (1u << HS_certificate)) != 0;
    return certificate_read || st->client_cert_inferred ||
           (st->dir[DIR_C2S].message_types & (1u << HS_client_key_exchange)) != 0;
}

/* RFC 8446 9.1's mandatory-to-implement suite, or for an offer of older suites any with
 * (EC)DHE or RSA key exchange and an AEAD or CBC cipher: the offer was not odd in its suites. */
static bool suites_ordinary(const struct offer_facts *o)
{
    return (o->suites & (SUITE_TLS13 | SUITE_ECDHE | SUITE_DHE | SUITE_RSA_KX)) != 0;
}

/* handshake_failure or insufficient_security answering the ClientHello (RFC 8446 6.2: "unable
 * to negotiate an acceptable set of security parameters"): which part had nothing in common
 * is said only where the offer lacks the mandatory-to-implement values of that part (RFC
 * 8446 9.1) while having them in the others; otherwise the suites, the usual reason. */
static enum tls_cause negotiation_cause(const struct tls_state *st)
{
    const struct offer_facts *o = &st->offer;
    if (suites_ordinary(o) && !o->groupless_suite && o->groups_listed && !o->groups_mandatory &&
        (!o->sigalgs_listed || o->sigalgs_mandatory)) {
        return CAUSE_NO_SHARED_GROUP;
    }
    if (suites_ordinary(o) && o->sigalgs_listed && !o->sigalgs_mandatory &&
        (!o->groups_listed || o->groups_mandatory)) {
        return CAUSE_NO_SHARED_SIGNATURE_ALGORITHM;
    }
    return CAUSE_NO_SHARED_CIPHER;
}

/* The server's reply selects a version the client did not list (RFC 8446 4.2.1): it aborts. */
static bool version_outside_offer(const struct tls_state *st)
{
    const struct offer_facts *o = &st->offer;
    if (!st->client_hello_seen || !st->server_hello_seen || st->server_hello_malformed ||
        st->client_hello_malformed || !o->versions_listed) {
        return false;
    }
    uint8_t bit = offer_version_bit(st->version);
    return bit != 0 && (o->versions & bit) == 0;
}

/* A certificate alert: who sent it says whose certificate (RFC 8446 6.2, RFC 5246 7.2.2). */
static enum tls_cause certificate_alert_cause(const struct tls_state *st, uint8_t alert)
{
    if (st->fatal_alert_from == DIR_S2C) {
        /* the server rejects the client's certificate, or its absence */
        if (client_sent_certificate(st)) {
            return CAUSE_CLIENT_CERTIFICATE_REJECTED;
        }
        return client_sent_no_certificate(st) ? CAUSE_CLIENT_CERTIFICATE_REQUIRED : CAUSE_UNKNOWN;
    }
    enum tls_cause chain = chain_cause(st);
    switch (alert) {
    case ALERT_certificate_expired:
        /* the client's clock, when the chain is valid at the packet's time (whether hsdump's
         * trust store knows its root or not: a private CA says nothing of time) */
        if (chain_has(st, CERT_ISSUE_NOT_YET_VALID)) {
            return CAUSE_CERTIFICATE_NOT_YET_VALID;
        }
        if (st->server_chain.checked && !chain_has(st, CERT_ISSUE_EXPIRED)) {
            return CAUSE_CLOCK_SKEW_SUSPECTED;
        }
        return CAUSE_CERTIFICATE_EXPIRED;
    case ALERT_unknown_ca:
        return chain == CAUSE_INTERCEPTION_SUSPECTED ? chain : CAUSE_UNKNOWN_CA;
    case ALERT_bad_certificate:
        /* not unknown_ca, so not the trust (RFC 8446 6.2): the time, the name, a re-signed
         * chain, another issue the checks found; none of them: the client's clock (OpenSSL
         * sends bad_certificate for X509_V_ERR_CERT_NOT_YET_VALID) */
        if (!st->server_chain.checked) {
            return CAUSE_CERTIFICATE_REJECTED;
        }
        if (chain != CAUSE_NONE && chain != CAUSE_UNKNOWN_CA) {
            return chain;
        }
        return (st->server_chain.issues & REJECTABLE_ISSUES) != 0 ? CAUSE_CERTIFICATE_REJECTED
                                                                 : CAUSE_CLOCK_SKEW_SUSPECTED;
    default: /* unsupported_certificate, certificate_revoked, certificate_unknown */
        return chain != CAUSE_NONE ? chain : CAUSE_CERTIFICATE_REJECTED;
    }
}

static enum tls_cause alert_cause(const struct tls_state *st)
{
    uint8_t alert = st->fatal_alert;
    bool from_server = st->fatal_alert_from == DIR_S2C;
    switch (alert) {
    case ALERT_protocol_version:
        return CAUSE_VERSION_MISMATCH;
    case ALERT_inappropriate_fallback:
        return CAUSE_INAPPROPRIATE_FALLBACK;
    case ALERT_handshake_failure:
    case ALERT_insufficient_security:
        if (from_server && !st->server_hello_seen && st->client_hello_seen) {
            return negotiation_cause(st);
        }
        if (!from_server && st->server_chain.checked && chain_cause(st) != CAUSE_NONE) {
            /* a client whose alert names no certificate problem, after a chain the checks
             * fault: the chain's fault is the evidence there is */
            return chain_cause(st);
        }
        if (from_server && client_sent_no_certificate(st)) {
            return CAUSE_CLIENT_CERTIFICATE_REQUIRED; /* RFC 5246 7.4.6 */
        }
        if (from_server && client_sent_certificate(st)) {
            return CAUSE_CLIENT_CERTIFICATE_REJECTED;
        }
        if (version_outside_offer(st)) {
            return CAUSE_VERSION_MISMATCH;
        }
        return CAUSE_UNKNOWN;
    case ALERT_certificate_required:
        return CAUSE_CLIENT_CERTIFICATE_REQUIRED;
    case ALERT_bad_certificate:
    case ALERT_unsupported_certificate:
    case ALERT_certificate_revoked:
    case ALERT_certificate_expired:
    case ALERT_certificate_unknown:
    case ALERT_unknown_ca:
        return certificate_alert_cause(st, alert);
    case ALERT_access_denied:
        return from_server && client_sent_certificate(st) ? CAUSE_CLIENT_CERTIFICATE_REJECTED
                                                          : CAUSE_UNKNOWN;
    case ALERT_no_application_protocol:
        return CAUSE_NO_APPLICATION_PROTOCOL;
    case ALERT_unrecognized_name:
        return CAUSE_UNRECOGNIZED_NAME;
    case ALERT_decrypt_error:
        return CAUSE_DECRYPT_ERROR;
    case ALERT_bad_record_mac:
    case ALERT_decryption_failed_RESERVED:
        return CAUSE_BAD_RECORD_MAC;
    default:
        return version_outside_offer(st) ? CAUSE_VERSION_MISMATCH : CAUSE_UNKNOWN;
    }
}

enum tls_cause cause_of(const struct tls_state *st, const struct close_facts *end)
{
    const char *status = flow_status(st);
    if (strcmp(status, "established") == 0) {
        return CAUSE_NONE;
    }
    if (st->fatal_alert_seen && end != NULL && !end->partial && end->closer >= 0 &&
        end->closer != (int)st->fatal_alert_from && st->dir[end->closer].records == 0) {
        /* the side that closed first had sent nothing: the other's alert answered its close
         * (s_client sends decode_error on a connection closed before the ServerHello) */
        return end->closer == DIR_C2S ? CAUSE_ABORTED_BY_CLIENT : CAUSE_ABORTED_BY_SERVER;
    }
    if (st->fatal_alert_seen) {
        return alert_cause(st);
    }
    if (st->alert_inferred) {
        /* TLS 1.3 keyless: the server answered the client's flight with an alert-sized record
         * and the connection closed (tls13_flight.c); what was in that flight says why. */
        if (client_sent_certificate(st)) {
            return CAUSE_CLIENT_CERTIFICATE_REJECTED;
        }
        return client_sent_no_certificate(st) ? CAUSE_CLIENT_CERTIFICATE_REQUIRED : CAUSE_UNKNOWN;
    }
    if (version_outside_offer(st)) {
        return CAUSE_VERSION_MISMATCH;
    }
    if (end == NULL) {
        return CAUSE_UNKNOWN;
    }
    switch (end->kind) {
    case CLOSE_TIMEOUT:
        return CAUSE_TIMEOUT;
    case CLOSE_EOF:
        return CAUSE_CAPTURE_ENDED;
    case CLOSE_FIN:
    case CLOSE_RESET:
        if (end->partial || end->closer < 0) {
            return CAUSE_UNKNOWN;
        }
        if (end->closer == DIR_C2S) {
            /* a client that closes on the server's chain without an alert: the chain's fault
             * if the checks found one in the chain itself (its time, its names, another
             * issuer than before); not hsdump's own trust verdict, which says nothing of the
             * client's store (trust= is on the line) */
            enum tls_cause chain = chain_cause(st);
            return chain != CAUSE_NONE && chain != CAUSE_UNKNOWN_CA ? chain
                                                                    : CAUSE_ABORTED_BY_CLIENT;
        }
        return CAUSE_ABORTED_BY_SERVER;
    default:
        return CAUSE_UNKNOWN;
    }
}

/* ---- the close line */

static void add_offered_versions(const struct tls_state *st, struct fields *f)
{
    const struct offer_facts *o = &st->offer;
    if (!o->versions_listed) {
        fields_add_name(f, "offered_version_max", NAMES_VERSION, o->legacy_version);
        return;
    }
    static const struct {
        uint8_t bit;
        uint16_t version;
    } order[] = {
        {OFFER_V_SSL3, VERSION_SSLv3},     {OFFER_V_TLS10, VERSION_TLSv1_0},
        {OFFER_V_TLS11, VERSION_TLSv1_1},  {OFFER_V_TLS12, VERSION_TLSv1_2},
        {OFFER_V_TLS13, VERSION_TLSv1_3},  {OFFER_V_DTLS10, VERSION_DTLSv1_0},
        {OFFER_V_DTLS12, VERSION_DTLSv1_2}, {OFFER_V_DTLS13, VERSION_DTLSv1_3},
    };
    fields_list_begin(f, "offered_versions");
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (o->versions & order[i].bit) {
            fields_list_name(f, NAMES_VERSION, order[i].version);
        }
    }
    fields_list_end(f);
}

static void add_offer(const struct tls_state *st, struct fields *f, enum tls_cause cause)
{
    const struct offer_facts *o = &st->offer;
    if (!st->client_hello_seen || st->client_hello_malformed) {
        return;
    }
    add_offered_versions(st, f);
    if (cause == CAUSE_VERSION_MISMATCH || cause == CAUSE_INAPPROPRIATE_FALLBACK) {
        if (o->fallback_scsv) {
            fields_add_bool(f, "offered_fallback_scsv", true);
        }
        return;
    }
    if (o->suites != 0) {
        fields_list_begin(f, "offered_suite_classes");
        for (unsigned i = 0; i < SUITE_PROPERTY_COUNT; i++) {
            if (o->suites & (1u << i)) {
                fields_list_token(f, suite_property_name(i));
            }
        }
        fields_list_end(f);
    }
    fields_add_uint(f, "offered_suites", o->suite_count);
    if (o->groups_listed) {
        fields_add_uint(f, "offered_groups", o->groups);
    }
    if (o->sigalgs_listed) {
        fields_add_uint(f, "offered_signature_algorithms", o->sigalgs);
    }
}

void diagnosis_describe(const struct tls_state *st, const struct close_facts *end,
                        struct fields *f)
{
    enum tls_cause cause = cause_of(st, end);
    if (cause != CAUSE_NONE) {
        fields_add_token(f, "cause", cause_name(cause));
        if (!st->fatal_alert_seen && st->alert_inferred) {
            fields_add_bool(f, "cause_inferred", true);
        }
        if (end != NULL && end->closer >= 0 && !end->partial) {
            fields_add_token(f, "closed_by", end->closer == DIR_C2S ? "client" : "server");
        }
        switch (cause) {
        case CAUSE_VERSION_MISMATCH:
        case CAUSE_NO_SHARED_CIPHER:
        case CAUSE_NO_SHARED_GROUP:
        case CAUSE_NO_SHARED_SIGNATURE_ALGORITHM:
        case CAUSE_INAPPROPRIATE_FALLBACK:
            add_offer(st, f, cause);
            break;
        default:
            break;
        }
    }
    weak_list(f, "weak", weak_negotiated(st));
    uint32_t offered = weak_offered(st);
    if (offered != 0) {
        fields_set_level(f, 1);
        weak_list(f, "weak_offered", offered);
        fields_set_level(f, 0);
    }
}
