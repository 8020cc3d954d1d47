/* Names each connection's handshake flow from the facts the dissectors recorded, and keeps a
 * compact history string (Zeek's ssl_history letters, extended; see hsdump.1). */
#include "tls/flow.h"

#include <string.h>

#include "base/fields.h"
#include "base/names.h"

char flow_letter(int event)
{
    switch (event) {
    case HS_hello_request:
        return 'H';
    case HS_client_hello:
        return 'C';
    case HS_server_hello:
        return 'S';
    case HS_hello_verify_request:
        return 'V';
    case HS_new_session_ticket:
        return 'T';
    case HS_end_of_early_data:
        return 'E';
    case HS_encrypted_extensions:
        return 'O';
    case HS_certificate:
        return 'X';
    case HS_server_key_exchange:
        return 'K';
    case HS_certificate_request:
        return 'R';
    case HS_server_hello_done:
        return 'N';
    case HS_certificate_verify:
        return 'Y';
    case HS_client_key_exchange:
        return 'G';
    case HS_finished:
        return 'F';
    case HS_certificate_url:
        return 'W';
    case HS_certificate_status:
        return 'U';
    case HS_supplemental_data:
        return 'A';
    case HS_key_update:
        return 'P';
    case HS_message_hash:
        return 'M';
    case FLOW_CCS:
        return 'I';
    case FLOW_ALERT:
        return 'L';
    case FLOW_ENCRYPTED:
        return 'D';
    case FLOW_HEARTBEAT:
        return 'B';
    case FLOW_HRR:
        return 'J';
    default:
        return 'Z'; /* any other handshake type */
    }
}

void flow_note(struct tls_state *st, enum dir d, int event)
{
    /* A run of encrypted records from one side is one letter: only its start says something. */
    bool repeat = event == FLOW_ENCRYPTED && st->last_history_event == FLOW_ENCRYPTED &&
                  st->last_history_dir == d && st->history_len > 0;
    st->last_history_event = event;
    st->last_history_dir = d;
    if (repeat) {
        return;
    }
    if (st->history_len == TLS_HISTORY_MAX) {
        st->history_truncated = true;
        return;
    }
    char c = event == FLOW_PSK_ACCEPTED ? '+' : flow_letter(event);
    if (d == DIR_S2C && c >= 'A' && c <= 'Z') {
        c = (char)(c - 'A' + 'a');
    }
    st->history[st->history_len++] = c;
    st->history[st->history_len] = '\0';
}

const char *flow_label(const struct tls_state *st)
{
    if (!st->server_hello_seen) {
        return "unknown";
    }
    if (st->is_tls13) {
        return st->psk_accepted ? "psk" : "full";
    }
    if (st->server_auth_seen) {
        return "full";
    }
    /* An abbreviated handshake: the server went straight to ChangeCipherSpec (RFC 5246 7.3).
     * A client that offered a ticket was resumed from it (RFC 5077 3.4), else from the id. */
    if (st->dir[DIR_S2C].ccs_seen) {
        if (st->client_ticket_len > 0) {
            return "ticket";
        }
        if (st->session_id_echoed) {
            return "resumed";
        }
    }
    return "unknown";
}

static bool tls13_established(const struct tls_state *st)
{
    return st->is_tls13 && st->dir[DIR_C2S].encrypted_records > 0 &&
           st->dir[DIR_S2C].encrypted_records > 0;
}

const char *flow_status(const struct tls_state *st)
{
    if (st->fatal_alert_seen || st->alert_inferred) {
        return "failed";
    }
    if (tls_handshake_done(st) || tls13_established(st)) {
        return "established";
    }
    if (!st->is_tls13 && st->dir[DIR_C2S].finished && st->dir[DIR_S2C].finished) {
        return "established";
    }
    return "incomplete";
}

void flow_describe(const struct tls_state *st, struct fields *f)
{
    fields_add_token(f, "flow", flow_label(st));
    if (st->is_tls13 && st->psk_accepted) {
        /* RFC 8446 4.2.9: psk_ke has no (EC)DHE share; a key_share in the ServerHello says dhe */
        fields_add_token(f, "psk_mode", st->has_group ? "psk_dhe_ke" : "psk_ke");
    }
    const char *flags[8];
    const char *inferred[5];
    size_t n = 0, n_inferred = 0;
    if (st->hrr_seen) {
        flags[n++] = "hrr";
    }
    /* mutual: the client presented a certificate. Read: a non-empty Certificate. TLS 1.3:
     * a CertificateVerify in its flight, which follows only a non-empty one (RFC 8446
     * 4.4.3). A request answered without one (RFC 5246 7.4.6, RFC 8446 4.4.2: an empty
     * Certificate) is cert_requested. */
    bool mutual_read = st->cert_count[DIR_C2S] > 0;
    bool mutual = mutual_read || st->client_auth_inferred;
    bool requested_read = st->cert_requested && !st->cert_requested_inferred;
    bool requested = st->cert_requested || st->client_cert_inferred;
    if (mutual || requested) {
        flags[n++] = mutual ? "mutual" : "cert_requested";
        if (mutual ? !mutual_read : !requested_read) {
            inferred[n_inferred++] = mutual ? "mutual" : "cert_requested";
        }
    }
    if (st->early_data_offered) {
        flags[n++] = "early_data";
    }
    if (st->renegotiated) {
        flags[n++] = "renegotiated";
    }
    if (st->ticket_issued || st->tickets_inferred > 0) {
        flags[n++] = "ticket_issued";
        if (!st->ticket_issued) {
            inferred[n_inferred++] = "ticket_issued";
        }
    }
    if (st->ems_accepted) {
        flags[n++] = "ems";
    }
    if (st->secure_renegotiation) {
        flags[n++] = "secure_renegotiation";
    }
    if (n > 0) {
        fields_list_begin(f, "flags");
        for (size_t i = 0; i < n; i++) {
            fields_list_token(f, flags[i]);
        }
        fields_list_end(f);
    }
    if (st->early_data_offered) {
        /* RFC 8446 4.5: a client sends EndOfEarlyData only when the server took its 0-RTT data;
         * its flight without one means the data was rejected. Both are read from sizes. */
        const char *fate = "offered";
        if (st->early_data_accepted) {
            fate = "accepted";
        } else if (st->is_tls13 && st->dir[DIR_C2S].finished) {
            fate = "rejected";
        }
        fields_add_token(f, "early_data", fate);
        if (st->early_data_records > 0) {
            fields_add_uint(f, "early_data_records", st->early_data_records);
        }
        /* read, not inferred, when the client's flight was decrypted (EndOfEarlyData or not) */
        if (strcmp(fate, "offered") != 0 && st->dir[DIR_C2S].decrypted_records == 0) {
            inferred[n_inferred++] = "early_data";
        }
    }
    if (st->tickets > 0) {
        fields_add_uint(f, "tickets", st->tickets);
    } else if (st->tickets_inferred > 0) {
        fields_add_uint(f, "tickets", st->tickets_inferred);
    }
    if (st->alert_inferred && !st->fatal_alert_seen) {
        inferred[n_inferred++] = "status";
    }
    if (n_inferred > 0) {
        fields_list_begin(f, "inferred");
        for (size_t i = 0; i < n_inferred; i++) {
            fields_list_token(f, inferred[i]);
        }
        fields_list_end(f);
    }
    fields_add_token(f, "status", flow_status(st));
    if (st->history_len > 0) {
        fields_add_token(f, "history", st->history);
    }
    if (st->history_truncated) {
        fields_add_bool(f, "history_truncated", true);
    }
}

static void add_name(struct fields *f, const char *key, const char *cut_key, const char *name,
                     bool truncated)
{
    struct cursor kept = cur_make((const uint8_t *)name, strlen(name));
    if (truncated) {
        fields_add_string_cut(f, key, cut_key, kept);
    } else {
        fields_add_string(f, key, kept);
    }
}

void flow_negotiated(const struct tls_state *st, struct fields *f)
{
    if (st->client_hello_malformed || st->server_hello_malformed ||
        st->server_key_exchange_malformed) {
        /* their values were taken back (handshake.c); what remains came from other messages */
        fields_list_begin(f, "malformed_messages");
        if (st->client_hello_malformed) {
            fields_list_token(f, "client_hello");
        }
        if (st->server_hello_malformed) {
            fields_list_token(f, "server_hello");
        }
        if (st->server_key_exchange_malformed) {
            fields_list_token(f, "server_key_exchange");
        }
        fields_list_end(f);
    }
    if (st->server_hello_seen && !st->server_hello_malformed) {
        fields_add_name(f, "version", NAMES_VERSION, st->version);
        fields_add_name(f, "cipher_suite", NAMES_CIPHER, st->cipher_suite);
    }
    if (st->has_sni && st->sni_truncated) {
        fields_add_string_cut(f, "sni", "sni_truncated",
                              cur_make((const uint8_t *)st->sni, st->sni_len));
    } else if (st->has_sni) {
        fields_add_string(f, "sni", cur_make((const uint8_t *)st->sni, st->sni_len));
    }
    if (st->has_alpn) {
        /* the server's one protocol, a list of one as on its hello (hsdump.schema.json) */
        fields_list_begin(f, "alpn");
        fields_list_string(f, cur_make(st->alpn, st->alpn_len));
        fields_list_end(f);
    }
    if (st->has_group) {
        fields_add_name(f, "group", NAMES_GROUP, st->group);
    }
    if (st->ja3[0] != '\0') {
        fields_add_bare(f, "ja3", st->ja3);
    }
    if (st->ja4[0] != '\0') {
        fields_add_bare(f, "ja4", st->ja4);
    }
    if (st->ja3s[0] != '\0') {
        fields_add_bare(f, "ja3s", st->ja3s);
    }
    if (st->server_cert.known) {
        add_name(f, "server_subject", "server_subject_truncated", st->server_cert.subject,
                 st->server_cert.subject_truncated);
        add_name(f, "server_issuer", "server_issuer_truncated", st->server_cert.issuer,
                 st->server_cert.issuer_truncated);
    }
    if (st->server_chain.checked) {
        cert_check_add_issues(f, "cert_issues", st->server_chain.issues);
        cert_check_add_trust(f, &st->server_chain);
    }
    if (st->cert_count[DIR_C2S] > 0) {
        fields_add_uint(f, "client_certificates", st->cert_count[DIR_C2S]);
    }
    if (st->fatal_alert_seen) {
        fields_add_name(f, "alert", NAMES_ALERT, st->fatal_alert);
        fields_add_token(f, "alert_from", st->fatal_alert_from == DIR_C2S ? "client" : "server");
    }
}

void flow_decryption(const struct tls_state *st, struct fields *f)
{
    if (st->keys == NULL) {
        return;
    }
    uint64_t records = tls_decrypted_records(st);
    if (records > 0) {
        fields_add_uint(f, "decrypted_records", records);
    }
    if (tls_decrypt_failed(st)) {
        fields_add_token(f, "decrypt", "failed");
    }
    if (st->inference_disagreements > 0) {
        fields_add_uint(f, "inference_contradicted", st->inference_disagreements);
    }
}
