/* Tests for src/capture/pcap_writer.c (-w): frames held per 4-tuple until the connection is decided,
 * written in order when it is TLS, dropped when it is not, bounded per tuple and in total. The
 * file is read back through src/capture/capture.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "base/cursor.h"
#include "capture/pcap_writer.h"
#include "tcp/reassembly.h"
#include "stats.h"
#include "suites.h"

/* A writer on a fresh file, with the link type of a bundled Ethernet capture. */
struct fixture {
    char path[64];
    struct capture *input;
    struct writer *w;
    struct stats stats;
};

static void open_fixture(struct fixture *fx)
{
    char err[512] = "";
    char pcap[4096];
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    snprintf(pcap, sizeof(pcap), "%s/pcaps/tls12-full.pcap", srcdir);
    memset(&fx->stats, 0, sizeof(fx->stats));
    snprintf(fx->path, sizeof(fx->path), "/tmp/hsdump-writer-XXXXXX");
    int fd = mkstemp(fx->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    fx->input = capture_open_file(pcap, err, sizeof(err));
    ck_assert_msg(fx->input != NULL, "%s", err);
    struct capture_dump *d = capture_dump_open(&fx->input, 1, fx->path, NULL, err, sizeof(err));
    ck_assert_msg(d != NULL, "%s", err);
    fx->w = writer_new(d, &fx->stats);
    ck_assert_ptr_nonnull(fx->w);
    ck_assert(fx->stats.writing);
}

struct read_back {
    size_t n;
    uint8_t marks[64]; /* the first byte of each frame, in file order */
    uint32_t wire_lens[64];
};

static void remember(void *ctx, const struct capture_frame *f)
{
    struct read_back *rb = ctx;
    uint8_t first = 0;
    if (rb->n < 64 && cur_peek_u8(f->data, 0, &first)) {
        rb->marks[rb->n] = first;
        rb->wire_lens[rb->n] = f->wire_len;
    }
    rb->n++;
}

/* Closes the writer and reads the file back. */
static void close_fixture(struct fixture *fx, struct read_back *rb)
{
    char err[512] = "";
    ck_assert_msg(writer_close(fx->w, err, sizeof(err)), "%s", err);
    memset(rb, 0, sizeof(*rb));
    struct capture *c = capture_open_file(fx->path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_datalink(c), capture_datalink(fx->input));
    ck_assert_int_eq(capture_run(c, remember, rb, err, sizeof(err)), CAPTURE_EOF);
    capture_close(c);
    capture_close(fx->input);
    unlink(fx->path);
}

/* One frame of 60 bytes whose first byte is mark, so the read-back order shows. */
static void frame(struct fixture *fx, const struct tcp_tuple *t, uint8_t mark, bool was_tls,
                  enum conn_kind now)
{
    static uint8_t bytes[60];
    memset(bytes, 0, sizeof(bytes));
    bytes[0] = mark;
    struct capture_frame f = {{1000 + mark, 0}, 1, cur_make(bytes, sizeof(bytes)), 100};
    writer_frame(fx->w, t, &f, was_tls, now);
}

static struct tcp_tuple tuple(uint32_t n)
{
    struct tcp_tuple t = {0x0100000a, 0x0200000a + (n << 8), (uint16_t)(40000 + n), 443};
    return t;
}

static struct tcp_tuple reversed(struct tcp_tuple t)
{
    struct tcp_tuple r = {t.daddr, t.saddr, t.dport, t.sport};
    return r;
}

START_TEST(held_frames_are_written_in_order_when_the_connection_is_tls)
{
    struct fixture fx;
    struct read_back rb;
    open_fixture(&fx);
    struct tcp_tuple c2s = tuple(1);
    struct tcp_tuple s2c = reversed(c2s);
    frame(&fx, &c2s, 1, false, CONN_UNDECIDED); /* SYN */
    frame(&fx, &s2c, 2, false, CONN_UNDECIDED); /* SYN-ACK: same connection, other way */
    frame(&fx, &c2s, 3, false, CONN_UNDECIDED); /* ACK */
    ck_assert_uint_eq(fx.stats.frames_written, 0);
    frame(&fx, &c2s, 4, false, CONN_TLS); /* ClientHello */
    frame(&fx, &s2c, 5, true, CONN_TLS);
    frame(&fx, &s2c, 6, true, CONN_NOT_TLS); /* the last ACK: libnids freed the stream */
    ck_assert_uint_eq(fx.stats.frames_written, 6);
    ck_assert_uint_eq(fx.stats.write_evicted, 0);
    close_fixture(&fx, &rb);
    ck_assert_uint_eq(rb.n, 6);
    for (uint8_t i = 0; i < 6; i++) {
        ck_assert_uint_eq(rb.marks[i], i + 1);
        ck_assert_uint_eq(rb.wire_lens[i], 100);
    }
}
END_TEST

START_TEST(frames_of_a_connection_that_is_not_tls_are_dropped)
{
    struct fixture fx;
    struct read_back rb;
    open_fixture(&fx);
    struct tcp_tuple http = tuple(1);
    struct tcp_tuple tls = tuple(2);
    frame(&fx, &http, 1, false, CONN_UNDECIDED);
    frame(&fx, &tls, 2, false, CONN_UNDECIDED);
    frame(&fx, &http, 3, false, CONN_NOT_TLS); /* GET / */
    frame(&fx, &http, 4, false, CONN_NOT_TLS); /* later frames: no stream any more */
    frame(&fx, &tls, 5, false, CONN_TLS);
    ck_assert_uint_eq(fx.stats.frames_written, 2);
    ck_assert_uint_eq(fx.stats.write_evicted, 0);
    close_fixture(&fx, &rb);
    ck_assert_uint_eq(rb.n, 2);
    ck_assert_uint_eq(rb.marks[0], 2);
    ck_assert_uint_eq(rb.marks[1], 5);
}
END_TEST

START_TEST(ninth_held_frame_of_one_connection_is_evicted)
{
    struct fixture fx;
    struct read_back rb;
    open_fixture(&fx);
    struct tcp_tuple t = tuple(1);
    for (uint8_t i = 1; i <= WRITER_TUPLE_FRAMES + 1; i++) {
        frame(&fx, &t, i, false, CONN_UNDECIDED);
    }
    ck_assert_uint_eq(fx.stats.write_evicted, 1);
    frame(&fx, &t, 20, false, CONN_TLS);
    close_fixture(&fx, &rb);
    ck_assert_uint_eq(rb.n, WRITER_TUPLE_FRAMES + 1);
    ck_assert_uint_eq(rb.marks[WRITER_TUPLE_FRAMES - 1], WRITER_TUPLE_FRAMES);
    ck_assert_uint_eq(rb.marks[WRITER_TUPLE_FRAMES], 20);
}
END_TEST

START_TEST(oldest_connection_is_evicted_when_everything_is_full)
{
    struct fixture fx;
    struct read_back rb;
    open_fixture(&fx);
    uint32_t tuples = WRITER_PENDING_FRAMES / WRITER_TUPLE_FRAMES;
    for (uint32_t n = 0; n < tuples; n++) {
        struct tcp_tuple t = tuple(n);
        for (uint8_t i = 0; i < WRITER_TUPLE_FRAMES; i++) {
            frame(&fx, &t, (uint8_t)(10 + i), false, CONN_UNDECIDED);
        }
    }
    ck_assert_uint_eq(fx.stats.write_evicted, 0);
    struct tcp_tuple newcomer = tuple(tuples);
    frame(&fx, &newcomer, 1, false, CONN_UNDECIDED);
    ck_assert_uint_eq(fx.stats.write_evicted, WRITER_TUPLE_FRAMES); /* all of tuple 0 */
    struct tcp_tuple first = tuple(0);
    struct tcp_tuple second = tuple(1);
    frame(&fx, &first, 2, false, CONN_TLS);  /* recognised after losing its start */
    frame(&fx, &second, 3, false, CONN_TLS); /* kept whole */
    close_fixture(&fx, &rb);
    ck_assert_uint_eq(rb.n, 1 + WRITER_TUPLE_FRAMES + 1);
    ck_assert_uint_eq(rb.marks[0], 2);
    ck_assert_uint_eq(rb.marks[1], 10);
    ck_assert_uint_eq(rb.marks[WRITER_TUPLE_FRAMES + 1], 3);
}
END_TEST

START_TEST(frames_still_held_at_the_end_of_an_input_are_dropped)
{
    struct fixture fx;
    struct read_back rb;
    open_fixture(&fx);
    struct tcp_tuple t = tuple(1);
    frame(&fx, &t, 1, false, CONN_UNDECIDED);
    writer_drop_pending(fx.w);
    frame(&fx, &t, 2, false, CONN_TLS); /* the same tuple in the next file */
    close_fixture(&fx, &rb);
    ck_assert_uint_eq(rb.n, 1);
    ck_assert_uint_eq(rb.marks[0], 2);
    ck_assert_uint_eq(fx.stats.write_evicted, 0);
}
END_TEST

START_TEST(inputs_of_two_link_types_cannot_share_a_file)
{
    char err[512] = "";
    char a[4096], b[4096];
    const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
    snprintf(a, sizeof(a), "%s/pcaps/tls12-full.pcap", srcdir);
    snprintf(b, sizeof(b), "%s/pcaps/sll2-any.pcap", srcdir);
    struct capture *in[2] = {capture_open_file(a, err, sizeof(err)),
                             capture_open_file(b, err, sizeof(err))};
    ck_assert(in[0] != NULL && in[1] != NULL);
    ck_assert_ptr_null(capture_dump_open(in, 2, "/tmp/hsdump-never-written.pcap", NULL, err,
                                         sizeof(err)));
    ck_assert_str_eq(err, "/tmp/hsdump-never-written.pcap: one pcap file holds one link type, "
                          "the inputs have EN10MB and LINUX_SLL2");
    ck_assert_int_ne(access("/tmp/hsdump-never-written.pcap", F_OK), 0);
    ck_assert_ptr_null(capture_dump_open(in, 1, "/nonexistent/dir/x.pcap", NULL, err,
                                         sizeof(err)));
    ck_assert_str_eq(err, "/nonexistent/dir/x.pcap: No such file or directory");
    capture_close(in[0]);
    capture_close(in[1]);
}
END_TEST

Suite *suite_pcap_writer(void)
{
    Suite *s = suite_create("pcap_writer");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, held_frames_are_written_in_order_when_the_connection_is_tls);
    tcase_add_test(tc, frames_of_a_connection_that_is_not_tls_are_dropped);
    tcase_add_test(tc, ninth_held_frame_of_one_connection_is_evicted);
    tcase_add_test(tc, oldest_connection_is_evicted_when_everything_is_full);
    tcase_add_test(tc, frames_still_held_at_the_end_of_an_input_are_dropped);
    tcase_add_test(tc, inputs_of_two_link_types_cannot_share_a_file);
    suite_add_tcase(s, tc);
    return s;
}
