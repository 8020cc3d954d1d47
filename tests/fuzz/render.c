#include "render.h"

#include "output/endpoint.h"
#include "output/output.h"

static char line[6 * FIELDS_BUF + 1024];

void fuzz_render(void *ctx, enum dir d, const struct fields *f)
{
    (void)ctx;
    struct endpoint client = {4, {192, 0, 2, 1}, 1000};
    struct endpoint server = {4, {192, 0, 2, 2}, 443};
    struct event_prefix p = {{0, 0}, 1, &client, &server, d, NULL, NULL, NULL, 0, 0};
    struct output_style style = {FORMAT_TEXT, TIME_NONE, 0, false};
    out_text_line(&style, "", &p, f, line, sizeof(line));
    style.verbosity = 2;
    out_text_line(&style, "", &p, f, line, sizeof(line));
    out_json_line(&style, "", &p, f, line, sizeof(line));
}
