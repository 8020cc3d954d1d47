/* The keyless inference checked against decryption (inference_check.h). */
#include "tls/inference_check.h"

#include <stdlib.h>
#include <string.h>

#include "base/budget.h"
#include "base/fields.h"
#include "base/names.h"
#include "tls/tls13_flight.h"

/* Records decrypted and not yet labelled by the shadow, per direction: a flight is at most
 * TLS13_FLIGHT_MAX records, plus the one record held after it (tls13_flight.c). */
#define PENDING_MAX (2 * TLS13_FLIGHT_MAX)

struct record_facts {
    uint8_t inner_type;
    uint32_t message_types;
};

struct pending {
    struct record_facts r[PENDING_MAX];
    size_t head, len;
};

struct inference_check {
    struct tls_state shadow;
    struct pending pending[2];
    uint32_t disagreements;
};

/* The handshake message an inferred= label names, or -1 for the labels that name a content
 * type instead ("alert", "early_data", "handshake"). */
static int label_message(const char *label, size_t len)
{
    static const struct {
        const char *label;
        int type;
    } table[] = {
        {"encrypted_extensions", HS_encrypted_extensions},
        {"certificate_request", HS_certificate_request},
        {"certificate", HS_certificate},
        {"certificate_verify", HS_certificate_verify},
        {"finished", HS_finished},
        {"end_of_early_data", HS_end_of_early_data},
        {"new_session_ticket", HS_new_session_ticket},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strlen(table[i].label) == len && memcmp(label, table[i].label, len) == 0) {
            return table[i].type;
        }
    }
    return -1;
}

static bool label_is(const char *label, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(label, name, len) == 0;
}

static bool label_agrees(const char *label, size_t len, const struct record_facts *r)
{
    int message = label_message(label, len);
    if (message >= 0) {
        uint32_t meant = 1u << message;
        if (message == HS_certificate) {
            meant |= 1u << HS_compressed_certificate; /* the same chain, compressed (RFC 8879) */
        }
        return r->inner_type == CONTENT_handshake && (r->message_types & meant) != 0;
    }
    if (label_is(label, len, "handshake")) {
        return r->inner_type == CONTENT_handshake;
    }
    if (label_is(label, len, "alert")) {
        return r->inner_type == CONTENT_alert;
    }
    if (label_is(label, len, "early_data")) {
        return r->inner_type == CONTENT_application_data;
    }
    return true; /* a label this check does not know is not a disagreement */
}

/* The inferred= token of a shadow event (its bytes in f->buf, not NUL-terminated), or NULL. */
static const char *inferred_label(const struct fields *f, size_t *len)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct field *fd = &f->f[i];
        if (fd->type == FIELD_LIST && fd->key_len == 8 && memcmp(fd->key, "inferred", 8) == 0) {
            struct cursor items = fields_value(f, fd);
            enum field_type type;
            struct cursor item;
            if (!fields_next_item(&items, &type, &item)) {
                return NULL;
            }
            *len = cur_len(item);
            return (const char *)item.p;
        }
    }
    return NULL;
}

/* Each shadow event is one protected record of d, in order: its label against its facts. */
static void shadow_emit(void *ctx, enum dir d, const struct fields *f)
{
    struct inference_check *check = ctx;
    struct pending *p = &check->pending[d];
    if (p->len == 0) {
        return; /* an event for a record not recorded (more were held than PENDING_MAX) */
    }
    const struct record_facts *r = &p->r[p->head];
    p->head = (p->head + 1) % PENDING_MAX;
    p->len--;
    size_t len = 0;
    const char *label = inferred_label(f, &len);
    if (label != NULL && !label_agrees(label, len, r)) {
        check->disagreements++;
    }
}

static struct tls_sink shadow_sink(struct inference_check *check)
{
    struct tls_sink sink = {shadow_emit, check};
    return sink;
}

struct inference_check *inference_check_new(const struct tls_state *st)
{
    struct inference_check *check = calloc(1, sizeof(*check));
    if (check == NULL) {
        return NULL;
    }
    /* The facts only: no buffer, budget entry or key of the real state is shared. */
    check->shadow = *st;
    struct tls_state *s = &check->shadow;
    s->budget = NULL;
    s->keys = NULL;
    s->decrypt = NULL;
    for (int d = 0; d < 2; d++) {
        s->dir[d].hs_buf = NULL;
        s->dir[d].hs_len = 0;
        s->dir[d].hs_cap = 0;
        s->dir[d].rec_buf = NULL;
        s->dir[d].rec_len = 0;
        s->dir[d].rec_cap = 0;
        memset(&s->dir[d].hs_entry, 0, sizeof(s->dir[d].hs_entry));
        memset(&s->dir[d].rec_entry, 0, sizeof(s->dir[d].rec_entry));
    }
    return check;
}

void inference_check_record(struct inference_check *check, enum dir d, uint8_t type,
                            size_t length, uint8_t inner_type, uint32_t message_types)
{
    struct tls_sink sink = shadow_sink(check);
    struct tls_state *s = &check->shadow;
    struct pending *p = &check->pending[d];
    if (p->len == PENDING_MAX) {
        p->head = (p->head + 1) % PENDING_MAX; /* the oldest goes unchecked */
        p->len--;
    }
    p->r[(p->head + p->len) % PENDING_MAX] = (struct record_facts){inner_type, message_types};
    p->len++;
    tls13_flush_flight(s, d == DIR_C2S ? DIR_S2C : DIR_C2S, &sink); /* as record.c does */
    s->dir[d].records++;
    s->dir[d].encrypted_records++;
    tls13_protected_record(s, d, type, length, &sink);
}

void inference_check_plaintext(struct inference_check *check, enum dir d)
{
    struct tls_sink sink = shadow_sink(check);
    tls13_flush_flight(&check->shadow, d == DIR_C2S ? DIR_S2C : DIR_C2S, &sink);
    tls13_flush_flight(&check->shadow, d, &sink);
}

bool inference_check_settled(const struct inference_check *check)
{
    return tls_handshake_done(&check->shadow);
}

uint32_t inference_check_finish(struct inference_check *check, const struct tls_state *real,
                                bool closed)
{
    struct tls_sink sink = shadow_sink(check);
    struct tls_state *s = &check->shadow;
    if (closed) {
        tls13_closed(s, &sink);
    }
    tls13_flush_flight(s, DIR_C2S, &sink);
    tls13_flush_flight(s, DIR_S2C, &sink);
    /* the flags the shadow inferred against the ones read (flow.c prints both alike) */
    check->disagreements += s->client_auth_inferred && real->cert_count[DIR_C2S] == 0;
    check->disagreements += s->cert_requested_inferred && !real->cert_requested;
    check->disagreements += s->tickets_inferred > 0 && s->tickets_inferred != real->tickets;
    check->disagreements += s->alert_inferred && !real->fatal_alert_seen;
    check->disagreements += s->early_data_accepted && !real->early_data_accepted;
    return check->disagreements;
}

void inference_check_free(struct inference_check *check)
{
    free(check);
}
