#include "printed.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"

void printed_open(struct printed *p)
{
    struct output_style style = {FORMAT_TEXT, TIME_NONE, 0, false};
    memset(p, 0, sizeof(*p));
    p->fp = open_memstream(&p->text, &p->len);
    ck_assert_ptr_nonnull(p->fp);
    out_init(&p->out, p->fp, false, &style);
    p->env.out = &p->out;
    p->env.stats = &p->stats;
}

const char *printed_text(struct printed *p)
{
    fflush(p->fp);
    return p->text != NULL ? p->text : "";
}

void printed_close(struct printed *p)
{
    fclose(p->fp);
    free(p->text);
}

size_t printed_count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *at = strstr(text, what); at != NULL; at = strstr(at + 1, what)) {
        n++;
    }
    return n;
}

static const struct endpoint event_client = {4, {192, 0, 2, 1}, 40000};
static const struct endpoint event_server = {4, {192, 0, 2, 2}, 443};

struct event_prefix printed_prefix(uint64_t id, long usec, enum dir d)
{
    struct event_prefix p = {{1700000000, usec}, id, &event_client, &event_server, d,
                             NULL, NULL, NULL, 0, 0};
    return p;
}

void printed_hello(struct output *o, uint64_t id, const char *sni, size_t sni_len)
{
    struct fields f;
    struct event_prefix p = printed_prefix(id, 1000, DIR_C2S);
    fields_init(&f, "handshake", "client_hello");
    fields_add_string(&f, "sni", cur_make((const uint8_t *)sni, sni_len));
    out_event(o, &p, &f);
}

void printed_close_line(struct output *o, uint64_t id, const char *status, const char *sni)
{
    struct fields f;
    struct event_prefix p = printed_prefix(id, 900000, DIR_C2S);
    fields_init(&f, "close", NULL);
    fields_add_decimal(&f, "duration", "0.900000");
    fields_add_token(&f, "status", status);
    if (sni != NULL) {
        fields_add_string(&f, "sni", cur_make((const uint8_t *)sni, strlen(sni)));
    }
    out_event(o, &p, &f);
}
