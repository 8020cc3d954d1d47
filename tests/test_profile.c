/* Tests for src/diff/profile.c: handshakes reduced to per-server (per-client, per-JA4)
 * profiles of sets and counts, and two sets of profiles compared aspect by aspect. The
 * handshakes are hand-built JSON Lines as hsdump -T json writes them. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "diff/profile.h"
#include "diff/summary.h"
#include "suites.h"

/* One handshake: client_hello (sni, ja4, offered groups), server_hello, an optional extra
 * event line (without conn, client, server: added here) and the close event's members. */
struct hs {
    int conn;
    int client_port;
    const char *server; /* "192.0.2.9:443" */
    const char *sni;
    const char *ja4;
    const char *groups;  /* inside of a JSON array */
    const char *suite;   /* chosen, NULL: no server_hello */
    const char *version;
    const char *extra;   /* one more event's members, or NULL */
    const char *close;   /* close members after status */
    const char *status;
};

/* The members every event starts with; time and port vary as they would. */
static void put_head(FILE *fp, const struct hs *h)
{
    fprintf(fp, "{\"time\":\"2026-12-07T10:00:%02d.%06dZ\",\"conn\":%d,"
                "\"client\":\"198.51.100.%d:%d\",\"server\":\"%s\",",
            h->client_port % 60, h->client_port * 7 % 1000000, h->conn, h->conn % 3 + 1,
            h->client_port, h->server);
}

static void put_hs(FILE *fp, const struct hs *h)
{
    put_head(fp, h);
    fprintf(fp, "\"dir\":\"c2s\",\"event\":\"handshake\",\"message\":\"client_hello\","
                "\"random\":\"%08x\",\"cipher_suites\":[\"TLS_AES_128_GCM_SHA256\"],"
                "\"supported_groups\":[%s],\"sni\":\"%s\",\"ja4\":\"%s\"}\n",
            (unsigned)h->client_port * 2654435761u, h->groups != NULL ? h->groups : "\"x25519\"",
            h->sni, h->ja4 != NULL ? h->ja4 : "t13d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb");
    if (h->suite != NULL) {
        put_head(fp, h);
        fprintf(fp, "\"dir\":\"s2c\",\"event\":\"handshake\",\"message\":\"server_hello\","
                    "\"cipher_suite\":\"%s\",\"version\":\"%s\"}\n",
                h->suite, h->version);
    }
    if (h->extra != NULL) {
        put_head(fp, h);
        fprintf(fp, "%s}\n", h->extra);
    }
    put_head(fp, h);
    fprintf(fp, "\"dir\":\"c2s\",\"event\":\"close\",\"start\":\"2026-12-07T10:00:00Z\","
                "\"duration\":0.%03d,\"status\":\"%s\"%s%s%s%s}\n",
            h->client_port % 1000, h->status != NULL ? h->status : "established",
            h->version != NULL ? ",\"version\":\"" : "", h->version != NULL ? h->version : "",
            h->version != NULL ? "\"" : "", h->close != NULL ? h->close : "");
}

/* The handshakes into a profile set, through summary_read_json with the profile sink. */
static void reduce(const struct hs *hs, size_t n, enum profile_by by, struct profile_set *ps)
{
    char *json = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&json, &len);
    ck_assert_ptr_nonnull(fp);
    for (size_t i = 0; i < n; i++) {
        put_hs(fp, &hs[i]);
    }
    fclose(fp);
    profile_set_init(ps, by);
    struct summary_set set;
    summary_set_init(&set);
    set.sink = profile_sink;
    set.sink_ctx = ps;
    FILE *in = fmemopen(json, len, "r");
    char err[256];
    ck_assert_msg(summary_read_json(in, &set, err, sizeof(err)), "%s", err);
    ck_assert_uint_eq(set.n, 0); /* nothing kept per handshake */
    fclose(in);
    summary_set_free(&set);
    free(json);
}

/* Compares two handshake lists; the report in *out (free it). */
static int compare(const struct hs *a, size_t na, const struct hs *b, size_t nb,
                   enum profile_by by, bool json, char **out)
{
    struct profile_set pa, pb;
    reduce(a, na, by, &pa);
    reduce(b, nb, by, &pb);
    size_t len = 0;
    FILE *fp = open_memstream(out, &len);
    struct profile_report r = {json, NULL, NULL, "a", "b"};
    int status = profile_compare(&pa, &pb, &r, fp, NULL);
    fclose(fp);
    profile_set_free(&pa);
    profile_set_free(&pb);
    return status;
}

#define TLS13 "TLS_AES_128_GCM_SHA256", "TLSv1.3"
#define TLS12 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2"
#define WWW "192.0.2.9:443", "www.example.com"
#define API "192.0.2.10:443", "api.example.com"

START_TEST(handshakes_reduce_to_one_profile_per_server)
{
    const struct hs hs[] = {
        {1, 50001, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\",\"tickets\":2", NULL},
        {2, 50002, WWW, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL},
        {3, 50003, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"psk\",\"tickets\":1", NULL},
        {4, 50004, API, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL},
        {5, 50005, API, NULL, NULL, TLS12, NULL,
         ",\"flow\":\"full\",\"alert\":\"certificate_expired\",\"cause\":\"certificate_expired\"",
         "failed"},
    };
    struct profile_set ps;
    reduce(hs, 5, PROFILE_BY_SERVER, &ps);
    ck_assert_uint_eq(ps.n, 2);
    ck_assert_uint_eq(ps.handshakes, 5);
    const struct profile *www = profile_find(&ps, "www.example.com:443");
    ck_assert_ptr_nonnull(www);
    ck_assert_uint_eq(www->handshakes, 3);
    ck_assert_uint_eq(www->values[ASPECT_VERSIONS].n, 2);
    ck_assert_uint_eq(www->values[ASPECT_FLOWS].n, 2); /* full twice, psk once */
    ck_assert_uint_eq(www->tickets_issued, 2);
    ck_assert_uint_eq(www->failures, 0);
    const struct profile *api = profile_find(&ps, "api.example.com:443");
    ck_assert_ptr_nonnull(api);
    ck_assert_uint_eq(api->failures, 1);
    ck_assert_str_eq(api->values[ASPECT_FAILURES].v[0], "certificate_expired");
    ck_assert_uint_eq(api->values[ASPECT_FLOWS].n, 1); /* the failed one has no flow */
    ck_assert_ptr_null(profile_find(&ps, "192.0.2.9:443"));
    profile_set_free(&ps);
}
END_TEST

START_TEST(randoms_ports_times_and_order_change_nothing)
{
    const struct hs a[] = {
        {1, 50001, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL},
        {2, 50002, API, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL},
    };
    const struct hs b[] = {
        {7, 61234, API, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL},
        {9, 40321, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL},
    };
    char *out;
    ck_assert_int_eq(compare(a, 2, b, 2, PROFILE_BY_SERVER, false, &out), 0);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

START_TEST(newly_failing_server_is_one_line_with_its_cause)
{
    const struct hs a[] = {
        {1, 50001, API, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL},
        {2, 50002, API, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL},
    };
    const struct hs b[] = {
        {1, 50001, API, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL},
        {2, 50002, API, NULL, NULL, TLS12, NULL,
         ",\"flow\":\"full\",\"alert\":\"certificate_expired\",\"cause\":\"certificate_expired\"",
         "failed"},
    };
    char *out;
    ck_assert_int_eq(compare(a, 2, b, 2, PROFILE_BY_SERVER, false, &out), 1);
    ck_assert_str_eq(out, "api.example.com:443 failures 0/2 -> 1/2 cause=certificate_expired\n"
                          "diff a=a b=b by=server profiles=1 changed=1 aspects=1 only_a=0 "
                          "only_b=0 handshakes_a=2 handshakes_b=2\n");
    free(out);
}
END_TEST

START_TEST(versions_tickets_and_only_in_lines)
{
    const struct hs a[] = {
        {1, 50001, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\",\"tickets\":2", NULL},
        {2, 50002, WWW, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\",\"flags\":[\"ticket_issued\"]",
         NULL},
        {3, 50003, API, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL},
    };
    const struct hs b[] = {
        {1, 50001, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL},
        {2, 50002, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL},
        {3, 50003, "192.0.2.11:8443", "new.example.com", NULL, NULL, TLS13, NULL,
         ",\"flow\":\"full\"", NULL},
    };
    char *out;
    ck_assert_int_eq(compare(a, 3, b, 3, PROFILE_BY_SERVER, false, &out), 1);
    ck_assert_str_eq(out,
                     "www.example.com:443 versions TLSv1.2,TLSv1.3 -> TLSv1.3\n"
                     "www.example.com:443 cipher_suites TLS_AES_128_GCM_SHA256,"
                     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -> TLS_AES_128_GCM_SHA256\n"
                     "www.example.com:443 tickets_issued 100%(2/2) -> 0%(0/2)\n"
                     "api.example.com:443 only_in a handshakes=1\n"
                     "new.example.com:8443 only_in b handshakes=1\n"
                     "diff a=a b=b by=server profiles=1 changed=1 aspects=3 only_a=1 only_b=1 "
                     "handshakes_a=3 handshakes_b=3\n");
    free(out);
}
END_TEST

/* Shares move by sample: under PROFILE_SHARE_POINTS they are the same. */
START_TEST(shares_report_appearing_vanishing_and_large_moves)
{
    struct hs a[20], b[20];
    for (int i = 0; i < 20; i++) {
        a[i] = (struct hs){i + 1, 50000 + i, WWW, NULL, NULL, TLS13, NULL,
                           i < 10 ? ",\"flow\":\"full\"" : ",\"flow\":\"psk\"", NULL};
        b[i] = a[i];
        b[i].close = i < 11 ? ",\"flow\":\"full\"" : ",\"flow\":\"psk\""; /* 50% -> 55% */
    }
    char *out;
    ck_assert_int_eq(compare(a, 20, b, 20, PROFILE_BY_SERVER, false, &out), 0);
    free(out);
    for (int i = 0; i < 20; i++) {
        b[i].close = i < 14 ? ",\"flow\":\"full\"" : ",\"flow\":\"psk\""; /* 50% -> 70% */
    }
    ck_assert_int_eq(compare(a, 20, b, 20, PROFILE_BY_SERVER, false, &out), 1);
    ck_assert_ptr_nonnull(
        strstr(out, "www.example.com:443 flows full:50%(10),psk:50%(10) -> full:70%(14),psk:30%(6)\n"));
    free(out);
}
END_TEST

START_TEST(values_beyond_the_cap_are_counted_as_other)
{
    struct hs hs[PROFILE_MAX_VALUES + 8];
    char suites[PROFILE_MAX_VALUES + 8][32];
    for (int i = 0; i < PROFILE_MAX_VALUES + 8; i++) {
        snprintf(suites[i], sizeof(suites[i]), "0x%04x", i);
        hs[i] = (struct hs){i + 1, 50000 + i, WWW, NULL, NULL, suites[i], "TLSv1.3", NULL,
                            ",\"flow\":\"full\"", NULL};
    }
    struct profile_set ps;
    reduce(hs, PROFILE_MAX_VALUES + 8, PROFILE_BY_SERVER, &ps);
    const struct profile *p = profile_find(&ps, "www.example.com:443");
    ck_assert_uint_eq(p->values[ASPECT_CIPHER_SUITES].n, PROFILE_MAX_VALUES);
    ck_assert_uint_eq(p->values[ASPECT_CIPHER_SUITES].other, 8);
    profile_set_free(&ps);
    char *out;
    ck_assert_int_eq(compare(hs, PROFILE_MAX_VALUES + 8, hs, 1, PROFILE_BY_SERVER, false, &out),
                     1);
    ck_assert_ptr_nonnull(strstr(out, ",0x001f,other -> 0x0000\n"));
    free(out);
}
END_TEST

/* TLS 1.3 without keys: the Certificate record's size; a chain on one side and only a size
 * on the other are not compared. */
START_TEST(encrypted_certificate_compares_by_record_size)
{
    const char *rec878 = "\"dir\":\"s2c\",\"event\":\"encrypted\",\"length\":878,"
                         "\"inferred\":[\"certificate\"]";
    const char *rec1008 = "\"dir\":\"s2c\",\"event\":\"encrypted\",\"length\":1008,"
                          "\"inferred\":[\"certificate\"]";
    const char *x509 = "\"dir\":\"s2c\",\"event\":\"x509\",\"index\":0,\"subject\":\"CN=www\","
                       "\"key\":\"rsa:2048\",\"signature\":\"sha256WithRSAEncryption\"";
    const struct hs a[] = {{1, 50001, WWW, NULL, NULL, TLS13, rec878, ",\"flow\":\"full\"", NULL}};
    const struct hs b[] = {{1, 50001, WWW, NULL, NULL, TLS13, rec1008, ",\"flow\":\"full\"", NULL}};
    const struct hs c[] = {{1, 50001, WWW, NULL, NULL, TLS12, x509, ",\"flow\":\"full\"", NULL}};
    char *out;
    ck_assert_int_eq(compare(a, 1, b, 1, PROFILE_BY_SERVER, false, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "www.example.com:443 certificate certificate_record_size:878"
                                      " -> certificate_record_size:1008\n"));
    free(out);
    ck_assert_int_eq(compare(a, 1, c, 1, PROFILE_BY_SERVER, false, &out), 1);
    ck_assert_ptr_null(strstr(out, " certificate "));
    ck_assert_ptr_nonnull(strstr(out, " versions TLSv1.3 -> TLSv1.2\n"));
    free(out);
}
END_TEST

/* TLS 1.3 chooses ALPN in EncryptedExtensions: without keys unseen, which is no change. */
START_TEST(unseen_values_are_not_none)
{
    const char *ee_h2 = "\"dir\":\"s2c\",\"event\":\"handshake\",\"message\":"
                        "\"encrypted_extensions\",\"alpn\":\"h2\",\"decrypted\":true";
    const char *ee_h1 = "\"dir\":\"s2c\",\"event\":\"handshake\",\"message\":"
                        "\"encrypted_extensions\",\"alpn\":\"http/1.1\",\"decrypted\":true";
    const struct hs a[] = {{1, 50001, WWW, NULL, NULL, TLS13, ee_h2, ",\"flow\":\"full\"", NULL}};
    const struct hs b[] = {{1, 50001, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL}};
    const struct hs c[] = {{1, 50001, WWW, NULL, NULL, TLS13, ee_h1, ",\"flow\":\"full\"", NULL}};
    char *out;
    ck_assert_int_eq(compare(a, 1, b, 1, PROFILE_BY_SERVER, false, &out), 0);
    free(out);
    ck_assert_int_eq(compare(a, 1, c, 1, PROFILE_BY_SERVER, false, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "www.example.com:443 alpn h2 -> http/1.1\n"));
    free(out);
}
END_TEST

START_TEST(client_side_profiles_by_address_and_ja4)
{
    const struct hs a[] = {{3, 50001, WWW, "t13d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb", "\"x25519\"",
                            TLS13, NULL, ",\"flow\":\"full\"", NULL}};
    const struct hs b[] = {{3, 50001, WWW, "t13d0102h2_cccccccccccc_dddddddddddd",
                            "\"x25519\",\"secp256r1\"", TLS13, NULL, ",\"flow\":\"full\"", NULL}};
    char *out;
    ck_assert_int_eq(compare(a, 1, b, 1, PROFILE_BY_CLIENT, false, &out), 1);
    ck_assert_str_eq(out, "198.51.100.1 offered_groups x25519 -> secp256r1,x25519\n"
                          "198.51.100.1 ja4 t13d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb -> "
                          "t13d0102h2_cccccccccccc_dddddddddddd\n"
                          "diff a=a b=b by=client profiles=1 changed=1 aspects=2 only_a=0 "
                          "only_b=0 handshakes_a=1 handshakes_b=1\n");
    free(out);
    ck_assert_int_eq(compare(a, 1, b, 1, PROFILE_BY_JA4, false, &out), 1);
    ck_assert_str_eq(out, "t13d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb only_in a handshakes=1\n"
                          "t13d0102h2_cccccccccccc_dddddddddddd only_in b handshakes=1\n"
                          "diff a=a b=b by=ja4 profiles=0 changed=0 aspects=0 only_a=1 "
                          "only_b=1 handshakes_a=1 handshakes_b=1\n");
    free(out);
}
END_TEST

START_TEST(json_has_one_object_per_changed_aspect)
{
    const struct hs a[] = {{1, 50001, WWW, NULL, NULL, TLS12, NULL, ",\"flow\":\"full\"", NULL}};
    const struct hs b[] = {{1, 50001, WWW, NULL, NULL, TLS13, NULL, ",\"flow\":\"full\"", NULL}};
    char *out;
    ck_assert_int_eq(compare(a, 1, b, 1, PROFILE_BY_SERVER, true, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, "{\"profile\":\"www.example.com:443\",\"aspect\":\"versions\","
                                      "\"a\":\"TLSv1.2\",\"b\":\"TLSv1.3\"}\n"));
    ck_assert_ptr_nonnull(strstr(out, "{\"event\":\"diff\",\"a\":\"a\",\"b\":\"b\",\"by\":\"server\","
                                      "\"profiles\":1,\"changed\":1,\"aspects\":2,"));
    free(out);
}
END_TEST

START_TEST(only_and_ignore_take_aspect_names)
{
    struct diff_options o;
    diff_options_init(&o);
    char err[200];
    ck_assert(diff_add_fields(&o, "versions,failures", true, err, sizeof(err)));
    ck_assert(diff_aspect_selected(ASPECT_VERSIONS, &o));
    ck_assert(!diff_aspect_selected(ASPECT_CERTIFICATE, &o));
    ck_assert(diff_add_fields(&o, "failures", false, err, sizeof(err)));
    ck_assert(!diff_aspect_selected(ASPECT_FAILURES, &o));
    ck_assert(!diff_add_fields(&o, "bogus", false, err, sizeof(err)));
    enum profile_aspect asp;
    ck_assert(profile_aspect_parse("tickets_issued", &asp));
    ck_assert_int_eq(asp, ASPECT_TICKETS_ISSUED);
    ck_assert(profile_aspect_applies(ASPECT_JA4, PROFILE_BY_SERVER));
    ck_assert(!profile_aspect_applies(ASPECT_JA4, PROFILE_BY_JA4));
    ck_assert(!profile_aspect_applies(ASPECT_OFFERED_GROUPS, PROFILE_BY_SERVER));
    ck_assert(profile_aspect_applies(ASPECT_OFFERED_GROUPS, PROFILE_BY_CLIENT));
}
END_TEST

Suite *suite_profile(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, handshakes_reduce_to_one_profile_per_server);
    tcase_add_test(tc, randoms_ports_times_and_order_change_nothing);
    tcase_add_test(tc, newly_failing_server_is_one_line_with_its_cause);
    tcase_add_test(tc, versions_tickets_and_only_in_lines);
    tcase_add_test(tc, shares_report_appearing_vanishing_and_large_moves);
    tcase_add_test(tc, values_beyond_the_cap_are_counted_as_other);
    tcase_add_test(tc, encrypted_certificate_compares_by_record_size);
    tcase_add_test(tc, unseen_values_are_not_none);
    tcase_add_test(tc, client_side_profiles_by_address_and_ja4);
    tcase_add_test(tc, json_has_one_object_per_changed_aspect);
    tcase_add_test(tc, only_and_ignore_take_aspect_names);
    suite_add_tcase(s, tc);
    return s;
}
