/* Tests for src/output/output_text.c: the line prefix and the value escaping rules (man page,
 * OUTPUT). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/endpoint.h"
#include "base/fields.h"
#include "output/output.h"
#include "suites.h"

static const char *render(const struct fields *f, enum dir d, bool v6)
{
    static char line[4 * FIELDS_BUF + 1024];
    static const struct endpoint c4 = {4, {192, 0, 2, 10}, 51514};
    static const struct endpoint s4 = {4, {198, 51, 100, 5}, 443};
    static const struct endpoint c6 = {6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 40000};
    static const struct endpoint s6 = {6, {[15] = 1}, 8443};
    struct event_prefix p = {{1795341600, 123456}, 7, v6 ? &c6 : &c4, v6 ? &s6 : &s4, d,
                             NULL, NULL, NULL, 0, 0};
    size_t n = out_text_line(NULL, "2026-11-22T10:00:00.123456Z", &p, f, line, sizeof(line));
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(line[n - 1], '\n');
    line[n - 1] = '\0';
    return line;
}

START_TEST(prefix_has_time_id_endpoints_and_arrow)
{
    struct fields f;
    fields_init(&f, "alert", NULL);
    fields_add_token(&f, "level", "fatal");
    ck_assert_str_eq(render(&f, DIR_S2C, false),
                     "2026-11-22T10:00:00.123456Z c7 192.0.2.10:51514 <- 198.51.100.5:443 alert "
                     "level=fatal");
    ck_assert_str_eq(render(&f, DIR_C2S, true),
                     "2026-11-22T10:00:00.123456Z c7 [2001:db8::1]:40000 -> [::1]:8443 alert "
                     "level=fatal");
}
END_TEST

/* A connection's head made once (out_event_head) gives the same line as the pieces, both
 * ways and for IPv6 too. */
START_TEST(kept_head_gives_the_same_prefix)
{
    static const struct endpoint c6 = {6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 40000};
    static const struct endpoint s4 = {4, {198, 51, 100, 5}, 443};
    char ct[ENDPOINT_STR_MAX], st[ENDPOINT_STR_MAX], head[EVENT_HEAD_MAX];
    static char with_head[1024], without[1024];
    endpoint_format(&c6, ct, sizeof(ct));
    endpoint_format(&s4, st, sizeof(st));
    size_t arrow;
    size_t len = out_event_head(1234567, ct, st, head, &arrow);
    ck_assert_str_eq(head, "c1234567 [2001:db8::1]:40000 -> 198.51.100.5:443");
    ck_assert_uint_eq(len, strlen(head));
    struct fields f;
    fields_init(&f, "alert", NULL);
    fields_add_token(&f, "level", "fatal");
    for (int d = DIR_C2S; d <= DIR_S2C; d++) {
        struct event_prefix a = {{0, 0}, 1234567, &c6, &s4, (enum dir)d,
                                 ct, st, head, len, arrow};
        struct event_prefix b = {{0, 0}, 1234567, &c6, &s4, (enum dir)d, NULL, NULL, NULL, 0, 0};
        size_t na = out_text_line(NULL, "T", &a, &f, with_head, sizeof(with_head));
        size_t nb = out_text_line(NULL, "T", &b, &f, without, sizeof(without));
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(with_head, without, na) == 0);
    }
    ck_assert(strstr(with_head, " <- ") != NULL); /* the last one was server to client */
}
END_TEST

START_TEST(wire_strings_are_escaped_without_quotes)
{
    struct fields f;
    static const uint8_t sni[] = {'a', ' ', '"', '\\', '=', ',', 0xff, '\n', 'z'};
    fields_init(&f, "handshake", "client_hello");
    fields_add_string(&f, "sni", cur_make(sni, sizeof(sni)));
    fields_add_string(&f, "empty", cur_make(NULL, 0));
    fields_add_string(&f, "plain", cur_make((const uint8_t *)"example.com", 11));
    fields_add_cstring(&f, "subject", "CN=server.example, O=Example");
    fields_add_cstring(&f, "utf8", "caf\xc3\xa9");
    ck_assert_str_eq(strstr(render(&f, DIR_C2S, false), "handshake"),
                     "handshake client_hello sni=a\\x20\\x22\\\\\\x3d,\\xff\\x0az empty=\"\" "
                     "plain=example.com subject=CN\\x3dserver.example,\\x20O\\x3dExample "
                     "utf8=caf\\xc3\\xa9");
}
END_TEST

START_TEST(list_items_are_escaped_commas_too)
{
    struct fields f;
    fields_init(&f, "handshake", NULL);
    fields_list_begin(&f, "alpn");
    fields_list_string(&f, cur_make((const uint8_t *)"h2", 2));
    fields_list_string(&f, cur_make((const uint8_t *)"a,b c=d", 7));
    fields_list_string(&f, cur_make(NULL, 0));
    fields_list_end(&f);
    fields_list_begin(&f, "bare");
    fields_list_token(&f, "x");
    fields_list_uint(&f, 3);
    fields_list_end(&f);
    fields_list_begin(&f, "none");
    fields_list_end(&f);
    fields_list_begin(&f, "one_empty");
    fields_list_string(&f, cur_make(NULL, 0));
    fields_list_end(&f);
    ck_assert_str_eq(strstr(render(&f, DIR_C2S, false), "handshake"),
                     "handshake alpn=h2,a\\x2cb\\x20c\\x3dd,\"\" bare=x,3 none= one_empty=\"\"");
}
END_TEST

/* The value's bytes back from its text form: \\ and \xHH, as the man page tells scripts. */
static size_t decode_value(const char *text, size_t n, uint8_t *out)
{
    size_t len = 0;
    if (n == 2 && text[0] == '"' && text[1] == '"') {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\\' && i + 1 < n && text[i + 1] == '\\') {
            out[len++] = '\\';
            i++;
        } else if (text[i] == '\\' && i + 3 < n && text[i + 1] == 'x') {
            char hex[3] = {text[i + 2], text[i + 3], '\0'};
            out[len++] = (uint8_t)strtoul(hex, NULL, 16);
            i += 3;
        } else {
            out[len++] = (uint8_t)text[i];
        }
    }
    return len;
}

/* A hostile value carrying fields, quotes, backslashes, newlines and bytes that are not
 * UTF-8: grep finds none of the fields it carries, awk's split gives one word per field whose
 * first '=' ends the key, and each word decodes back to the wire bytes. */
START_TEST(a_value_never_passes_for_a_field)
{
    static const char *const hostile[] = {
        "a sni=bank.example status=established",
        "x\" sni=\"bank.example",
        "x\\ status=established\\",
        "x\nstatus=established",
        "x\tsni=bank.example\r",
        "caf\xc3\xa9 sni=\xe9\xff\xfe=",
        "=",
        " ",
    };
    for (size_t h = 0; h < sizeof(hostile) / sizeof(hostile[0]); h++) {
        struct fields f;
        const uint8_t *wire = (const uint8_t *)hostile[h];
        size_t wire_len = strlen(hostile[h]);
        fields_init(&f, "handshake", "client_hello");
        fields_add_string(&f, "sni", cur_make(wire, wire_len));
        fields_list_begin(&f, "alpn");
        fields_list_string(&f, cur_make(wire, wire_len));
        fields_list_string(&f, cur_make((const uint8_t *)"h2", 2));
        fields_list_end(&f);
        fields_add_string(&f, "subject", cur_make(wire, wire_len));
        const char *line = render(&f, DIR_C2S, false);
        ck_assert_ptr_null(strstr(line, "sni=bank.example"));
        ck_assert_ptr_null(strstr(line, "status=established"));
        ck_assert_ptr_null(strchr(line, '\n'));
        ck_assert_ptr_null(strchr(line, '\t'));
        const char *fields = strstr(line, " client_hello ") + strlen(" client_hello ");
        static const char *const keys[] = {"sni", "alpn", "subject"};
        size_t k = 0;
        for (const char *w = fields; *w != '\0'; k++) {
            size_t n = strcspn(w, " ");
            const char *eq = memchr(w, '=', n);
            ck_assert_uint_lt(k, 3);
            ck_assert_ptr_nonnull(eq);
            ck_assert_uint_eq((size_t)(eq - w), strlen(keys[k]));
            ck_assert(memcmp(w, keys[k], strlen(keys[k])) == 0);
            uint8_t back[256];
            const char *value = eq + 1;
            size_t value_len = n - (size_t)(value - w);
            if (k == 1) {
                value_len = strcspn(value, ","); /* the first item: no comma left in it */
                ck_assert(strncmp(value + value_len, ",h2", 3) == 0);
            }
            ck_assert_uint_eq(decode_value(value, value_len, back), wire_len);
            ck_assert(memcmp(back, wire, wire_len) == 0);
            w += n + (w[n] == ' ');
        }
        ck_assert_uint_eq(k, 3);
    }
}
END_TEST

static bool want_plain(unsigned b, int in_list)
{
    return b > ' ' && b < 0x7f && b != '"' && b != '=' && b != '\\' && !(in_list && b == ',');
}

/* The rules of the man page, byte by byte, as a reference for the writer's tables. */
static size_t reference_text(const uint8_t *v, size_t n, bool in_list, char *out)
{
    size_t len = 0;
    if (n == 0) {
        return (size_t)sprintf(out, "\"\"");
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = v[i];
        if (c == '\\') {
            len += (size_t)sprintf(out + len, "\\\\");
        } else if (c > ' ' && c < 0x7f && c != '"' && c != '=' && !(in_list && c == ',')) {
            out[len++] = (char)c;
        } else {
            len += (size_t)sprintf(out + len, "\\x%02x", c);
        }
    }
    out[len] = '\0';
    return len;
}

/* Every byte, alone and between others, in and out of lists; and a line with too little room
 * left is cut exactly where the whole text would be. */
START_TEST(every_byte_is_written_as_the_rules_say)
{
    for (int in_list = 0; in_list <= 1; in_list++) {
        for (unsigned b = 0; b < 256; b++) {
            uint8_t v[] = {'a', (uint8_t)b, 'z', (uint8_t)b, (uint8_t)b, 'q'};
            char want[64], got[64];
            for (size_t n = 1; n <= sizeof(v); n++) {
                const uint8_t *start = n == 1 ? v + 1 : v;
                size_t want_len = reference_text(start, n, in_list, want);
                size_t got_len = out_text_value(cur_make(start, n), in_list, got, sizeof(got));
                ck_assert_str_eq(got, want);
                ck_assert_uint_eq(got_len, want_len);
                for (size_t cap = 1; cap < want_len + 1; cap++) {
                    out_text_value(cur_make(start, n), in_list, got, cap);
                    ck_assert_uint_eq(strlen(got), cap - 1);
                    ck_assert(strncmp(got, want, cap - 1) == 0);
                }
            }
            ck_assert(out_text_is_plain(cur_make(v + 1, 1), in_list) == (want_plain(b, in_list)));
        }
    }
}
END_TEST

START_TEST(hex_bool_and_numbers)
{
    struct fields f;
    static const uint8_t id[] = {0x0a, 0xff};
    fields_init(&f, "close", NULL);
    fields_add_hex(&f, "id", cur_make(id, sizeof(id)));
    fields_add_bool(&f, "flag", true);
    fields_add_uint(&f, "n", 18446744073709551615ULL);
    ck_assert_str_eq(strstr(render(&f, DIR_C2S, false), "close"),
                     "close id=0aff flag=true n=18446744073709551615");
}
END_TEST

/* Alert number i, the same event for every output the gathering tests compare. */
static void out_alert(struct output *o, uint64_t i)
{
    static const struct endpoint c = {4, {192, 0, 2, 10}, 51514};
    static const struct endpoint sv = {4, {198, 51, 100, 5}, 443};
    struct fields f;
    struct event_prefix p = {{1795341600, (long)i}, i, &c, &sv, DIR_C2S, NULL, NULL, NULL, 0, 0};
    fields_init(&f, "alert", NULL);
    fields_add_uint(&f, "index", i);
    out_event(o, &p, &f);
}

/* out_gather_lines(): lines are built in a block and reach the stream in writes of
 * OUT_BLOCK_BYTES or at out_flush(), byte for byte what line-by-line output gives. */
START_TEST(gathered_lines_reach_the_stream_in_blocks_unchanged)
{
    struct output_style style = {FORMAT_TEXT, TIME_ABSOLUTE, 0, false};
    char *direct_text = NULL, *gathered_text = NULL;
    size_t direct_len = 0, gathered_len = 0;
    FILE *direct = open_memstream(&direct_text, &direct_len);
    FILE *gathered = open_memstream(&gathered_text, &gathered_len);
    ck_assert_ptr_nonnull(direct);
    ck_assert_ptr_nonnull(gathered);
    struct output a, b;
    out_init(&a, direct, false, &style);
    out_init(&b, gathered, false, &style);
    ck_assert(out_gather_lines(&b));
    bool written_before_flush = false;
    for (uint64_t i = 1; i <= 2000; i++) {
        out_alert(&a, i);
        out_alert(&b, i);
        fflush(gathered);
        if (i == 1) {
            ck_assert_uint_eq(gathered_len, 0); /* held in the block */
        }
        written_before_flush |= gathered_len > 0;
    }
    ck_assert(written_before_flush); /* 2000 lines are more than a block */
    out_flush(&a);
    out_flush(&b);
    ck_assert(!a.failed && !b.failed);
    ck_assert_uint_gt(direct_len, OUT_BLOCK_BYTES);
    ck_assert_uint_eq(gathered_len, direct_len);
    ck_assert(memcmp(gathered_text, direct_text, direct_len) == 0);
    out_free(&b);
    fclose(direct);
    fclose(gathered);
    free(direct_text);
    free(gathered_text);
}
END_TEST

/* A stream with a descriptor (stdout on a file or pipe): blocks go out with write(2), after
 * what stdio already holds, and the bytes are those one line at a time gives. */
START_TEST(gathered_blocks_on_a_descriptor_keep_their_place_after_stdio)
{
    struct output_style style = {FORMAT_TEXT, TIME_ABSOLUTE, 0, false};
    char *direct_text = NULL;
    size_t direct_len = 0;
    FILE *direct = open_memstream(&direct_text, &direct_len);
    FILE *file = tmpfile();
    ck_assert_ptr_nonnull(direct);
    ck_assert_ptr_nonnull(file);
    ck_assert_int_ge(fileno(file), 0);
    struct output a, b;
    out_init(&a, direct, false, &style);
    out_init(&b, file, false, &style);
    ck_assert(out_gather_lines(&b));
    fputs("a header written through stdio first\n", direct);
    fputs("a header written through stdio first\n", file);
    for (uint64_t i = 1; i <= 2000; i++) {
        out_alert(&a, i);
        out_alert(&b, i);
    }
    out_flush(&a);
    out_flush(&b);
    ck_assert(!a.failed && !b.failed);
    ck_assert_uint_gt(direct_len, 2 * OUT_BLOCK_BYTES);
    static char back[4 * OUT_BLOCK_BYTES];
    ck_assert_uint_lt(direct_len, sizeof(back));
    rewind(file);
    ck_assert_uint_eq(fread(back, 1, sizeof(back), file), direct_len);
    ck_assert(memcmp(back, direct_text, direct_len) == 0);
    out_free(&b);
    fclose(direct);
    fclose(file);
    free(direct_text);
}
END_TEST

/* endpoint_format writes IPv6 by hand: the same text as inet_ntop for every pattern of zero,
 * short, long and 0xffff groups (compression, ties, embedded IPv4). */
START_TEST(ipv6_endpoints_print_as_inet_ntop)
{
    srand(1);
    for (int mask = 0; mask < 256; mask++) {
        for (int k = 0; k < 100; k++) {
            struct endpoint e;
            memset(&e, 0, sizeof(e));
            e.family = 6;
            e.port = 443;
            for (int g = 0; g < 8; g++) {
                unsigned v = 0;
                if (mask & (1 << g)) {
                    int r = rand() % 4;
                    v = r == 0 ? (unsigned)rand() & 0xffff
                        : r == 1 ? (unsigned)rand() & 0xf
                        : r == 2 ? 0xffff
                                 : ((unsigned)rand() & 0xff) << 8;
                }
                e.addr[2 * g] = (uint8_t)(v >> 8);
                e.addr[2 * g + 1] = (uint8_t)v;
            }
            char addr[INET6_ADDRSTRLEN], want[ENDPOINT_STR_MAX], got[ENDPOINT_STR_MAX];
            ck_assert_ptr_nonnull(inet_ntop(AF_INET6, e.addr, addr, sizeof(addr)));
            snprintf(want, sizeof(want), "[%s]:443", addr);
            endpoint_format(&e, got, sizeof(got));
            ck_assert_str_eq(got, want);
        }
    }
}
END_TEST

Suite *suite_output_text(void)
{
    Suite *s = suite_create("output_text");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, prefix_has_time_id_endpoints_and_arrow);
    tcase_add_test(tc, ipv6_endpoints_print_as_inet_ntop);
    tcase_add_test(tc, kept_head_gives_the_same_prefix);
    tcase_add_test(tc, wire_strings_are_escaped_without_quotes);
    tcase_add_test(tc, list_items_are_escaped_commas_too);
    tcase_add_test(tc, a_value_never_passes_for_a_field);
    tcase_add_test(tc, every_byte_is_written_as_the_rules_say);
    tcase_add_test(tc, hex_bool_and_numbers);
    tcase_add_test(tc, gathered_lines_reach_the_stream_in_blocks_unchanged);
    tcase_add_test(tc, gathered_blocks_on_a_descriptor_keep_their_place_after_stdio);
    suite_add_tcase(s, tc);
    return s;
}
