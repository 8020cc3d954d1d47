#include "printed.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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
