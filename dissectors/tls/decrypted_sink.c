/* Marks events read from decrypted bytes (decrypted_sink.h). */
#include "tls/decrypted_sink.h"

#include "base/fields.h"

static void emit_decrypted(void *ctx, enum dir d, const struct fields *f)
{
    const struct decrypted_sink *ds = ctx;
    /* static: one event at a time passes (dissection is single-threaded and a dissector never
     * emits from inside an emit), and 17 KB is too much for every call's stack frame */
    static struct fields marked;
    fields_copy(&marked, f);
    fields_set_level(&marked, 0);
    fields_add_bool(&marked, "decrypted", true);
    ds->inner->emit(ds->inner->ctx, d, &marked);
}

void decrypted_sink_init(struct decrypted_sink *ds, const struct tls_sink *inner)
{
    ds->inner = inner;
    ds->sink.emit = emit_decrypted;
    ds->sink.ctx = ds;
}
