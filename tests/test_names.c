/* Tests for dissectors/base/names.c and registry.def: sorted unique tables, IANA names, GREASE by
 * rule, hex for the unknown, and agreement with OpenSSL's IANA-style cipher names. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/names.h"
#include "output/output.h"
#include "suites.h"

static const char *format(enum name_kind kind, uint32_t value)
{
    static char buf[NAMES_BUF];
    return names_format(kind, value, buf, sizeof(buf));
}

START_TEST(every_kind_is_strictly_ascending)
{
    for (int k = 0; k < NAMES_KIND_COUNT; k++) {
        size_t n = names_count((enum name_kind)k);
        ck_assert_msg(n > 0, "kind %d has no entries", k);
        uint32_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t value;
            const char *name;
            ck_assert(names_entry((enum name_kind)k, i, &value, &name));
            ck_assert_msg(i == 0 || value > prev,
                          "kind %d: %s (0x%04x) follows 0x%04x; registry.def lines out of order",
                          k, name, (unsigned)value, (unsigned)prev);
            prev = value;
        }
    }
}
END_TEST

START_TEST(names_are_unique_and_nonempty_within_each_kind)
{
    for (int k = 0; k < NAMES_KIND_COUNT; k++) {
        size_t n = names_count((enum name_kind)k);
        for (size_t i = 0; i < n; i++) {
            uint32_t vi, vj;
            const char *ni, *nj;
            ck_assert(names_entry((enum name_kind)k, i, &vi, &ni));
            ck_assert_msg(ni != NULL && ni[0] != '\0', "kind %d: empty name at 0x%04x", k,
                          (unsigned)vi);
            for (size_t j = i + 1; j < n; j++) {
                ck_assert(names_entry((enum name_kind)k, j, &vj, &nj));
                ck_assert_msg(strcmp(ni, nj) != 0, "kind %d: \"%s\" names both 0x%04x and 0x%04x",
                              k, ni, (unsigned)vi, (unsigned)vj);
            }
        }
    }
}
END_TEST

/* Text output copies names it was told are bare (FIELD_NAME) without looking at them: REG
 * and REGS names and every value names_format writes itself (hex, grease, drafts) must be
 * shown as they are, also as list items, and REGQ names must not. */
static bool is_bare(const char *name)
{
    return out_text_is_plain(cur_make((const uint8_t *)name, strlen(name)), true);
}

START_TEST(names_said_bare_are_bare)
{
    char buf[NAMES_BUF];
    for (int k = 0; k < NAMES_KIND_COUNT; k++) {
        for (uint32_t v = 0; v <= 0xffff; v++) {
            size_t len;
            bool bare;
            const char *name = names_lookup_len((enum name_kind)k, v, &len, &bare);
            if (name == NULL) {
                name = names_format((enum name_kind)k, v, buf, sizeof(buf));
                bare = true; /* what fields.c assumes of a formatted value */
            }
            /* registered: exactly (REGQ marks the others); formatted: always */
            ck_assert_msg(bare == is_bare(name), "kind %d value 0x%04x: \"%s\" is %sbare", k,
                          (unsigned)v, name, bare ? "not " : "");
        }
    }
    size_t len;
    bool bare;
    ck_assert_ptr_nonnull(names_lookup_len(NAMES_EXT, 0x0035, &len, &bare));
    ck_assert(!bare); /* "connection_id (deprecated)": its space is escaped in text */
}
END_TEST

START_TEST(every_entry_round_trips_through_lookup_and_reverse_lookup)
{
    for (int k = 0; k < NAMES_KIND_COUNT; k++) {
        size_t n = names_count((enum name_kind)k);
        for (size_t i = 0; i < n; i++) {
            uint32_t value, back = 0;
            const char *name;
            ck_assert(names_entry((enum name_kind)k, i, &value, &name));
            const char *found = names_lookup((enum name_kind)k, value);
            ck_assert_msg(found != NULL && strcmp(found, name) == 0,
                          "kind %d: lookup of 0x%04x gave %s, want %s", k, (unsigned)value,
                          found != NULL ? found : "NULL", name);
            ck_assert(names_value((enum name_kind)k, name, &back));
            ck_assert_uint_eq(back, value);
            size_t len = 0;
            bool bare;
            ck_assert_ptr_eq(names_lookup_len((enum name_kind)k, value, &len, &bare), found);
            ck_assert_uint_eq(len, strlen(name)); /* the length kept beside the name */
        }
    }
}
END_TEST

START_TEST(no_registered_value_is_grease)
{
    /* A registered GREASE value would be hidden by the rule, so the registry must not list one. */
    for (int k = 0; k < NAMES_KIND_COUNT; k++) {
        size_t n = names_count((enum name_kind)k);
        for (size_t i = 0; i < n; i++) {
            uint32_t value;
            const char *name;
            ck_assert(names_entry((enum name_kind)k, i, &value, &name));
            ck_assert_msg(!names_is_grease((enum name_kind)k, value), "kind %d: %s is GREASE", k,
                          name);
        }
    }
}
END_TEST

START_TEST(known_code_points_have_iana_names)
{
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0x1301), "TLS_AES_128_GCM_SHA256");
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0x5600), "TLS_FALLBACK_SCSV");
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0x1307), "TLS_AEGIS_128L_SHA256");
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0xc0b4), "TLS_SHA256_SHA256");
    ck_assert_str_eq(names_lookup(NAMES_CIPHER, 0xc0b5), "TLS_SHA384_SHA384");
    ck_assert_str_eq(names_lookup(NAMES_GROUP, 29), "x25519");
    ck_assert_str_eq(names_lookup(NAMES_GROUP, 30), "x448");
    ck_assert_str_eq(names_lookup(NAMES_GROUP, 0x11ec), "X25519MLKEM768");
    ck_assert_str_eq(names_lookup(NAMES_GROUP, 0x6399), "X25519Kyber768Draft00");
    ck_assert_str_eq(names_lookup(NAMES_SIGSCHEME, 0x0804), "rsa_pss_rsae_sha256");
    ck_assert_str_eq(names_lookup(NAMES_EXT, 0xff01), "renegotiation_info");
    ck_assert_str_eq(names_lookup(NAMES_EXT, 0xfe0d), "encrypted_client_hello");
    ck_assert_str_eq(names_lookup(NAMES_EXT, 0x0035), "connection_id (deprecated)");
    ck_assert_str_eq(names_lookup(NAMES_ALERT, 40), "handshake_failure");
    ck_assert_str_eq(names_lookup(NAMES_ALERT_LEVEL, 2), "fatal");
    ck_assert_str_eq(names_lookup(NAMES_VERSION, 0x0303), "TLSv1.2");
    ck_assert_str_eq(names_lookup(NAMES_VERSION, 0xfefd), "DTLSv1.2");
    ck_assert_str_eq(names_lookup(NAMES_HS, 254), "message_hash");
    ck_assert_str_eq(names_lookup(NAMES_CONTENT, 22), "handshake");
    ck_assert_str_eq(names_lookup(NAMES_MAX_FRAGMENT, 1), "2^9");
    ck_assert_str_eq(names_lookup(NAMES_PSK_MODE, 1), "psk_dhe_ke");
    ck_assert_str_eq(names_lookup(NAMES_CERT_COMPRESSION, 3), "zstd");
}
END_TEST

START_TEST(constants_carry_the_registry_values)
{
    ck_assert_int_eq(EXT_server_name, 0);
    ck_assert_int_eq(EXT_application_settings, 0x4469);
    ck_assert_int_eq(HS_client_hello, 1);
    ck_assert_int_eq(HS_compressed_certificate, 25);
    ck_assert_int_eq(CONTENT_handshake, 22);
    ck_assert_int_eq(VERSION_TLSv1_2, 0x0303);
    ck_assert_int_eq(ALERT_close_notify, 0);
    ck_assert_int_eq(CIPHER_TLS_AES_128_GCM_SHA256, 0x1301);
    ck_assert_str_eq(format(NAMES_EXT, EXT_renegotiation_info), "renegotiation_info");
}
END_TEST

START_TEST(grease_formats_as_grease_for_each_applicable_kind)
{
    static const enum name_kind u16_kinds[] = {NAMES_CIPHER, NAMES_GROUP, NAMES_SIGSCHEME,
                                               NAMES_EXT, NAMES_VERSION};
    static const uint8_t psk_grease[] = {0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4};

    for (size_t k = 0; k < sizeof(u16_kinds) / sizeof(u16_kinds[0]); k++) {
        for (uint32_t hi = 0x0a; hi <= 0xfa; hi += 0x10) {
            uint32_t v = hi << 8 | hi;
            ck_assert_msg(names_is_grease(u16_kinds[k], v), "kind %d 0x%04x", u16_kinds[k],
                          (unsigned)v);
            ck_assert_ptr_null(names_lookup(u16_kinds[k], v));
            ck_assert_str_eq(format(u16_kinds[k], v), "grease");
        }
    }
    for (size_t i = 0; i < sizeof(psk_grease); i++) {
        ck_assert(names_is_grease(NAMES_PSK_MODE, psk_grease[i]));
        ck_assert_str_eq(format(NAMES_PSK_MODE, psk_grease[i]), "grease");
    }
}
END_TEST

START_TEST(grease_rule_matches_exactly_the_rfc_8701_values)
{
    unsigned count = 0;
    for (uint32_t v = 0; v <= 0xffff; v++) {
        count += names_is_grease_u16((uint16_t)v);
    }
    ck_assert_uint_eq(count, 16);
    ck_assert(!names_is_grease_u16(0x0a1a));
    ck_assert(!names_is_grease_u16(0x0b0b));
    ck_assert(!names_is_grease_u16(0xa0a0));
    ck_assert(!names_is_grease(NAMES_CIPHER, 0x10a0a)); /* wider than the wire field */
    ck_assert(!names_is_grease(NAMES_PSK_MODE, 0x0c));
    ck_assert(!names_is_grease(NAMES_PSK_MODE, 0x0a0a));
    ck_assert(!names_is_grease(NAMES_CERT_COMPRESSION, 0x0a0a));
    ck_assert_str_eq(format(NAMES_CERT_COMPRESSION, 0x0a0a), "0x0a0a");
    ck_assert(!names_is_grease(NAMES_ALERT, 0x0b));
    ck_assert_str_eq(format(NAMES_ALERT, 0x0b), "0x0b");
}
END_TEST

START_TEST(unknown_code_points_format_as_hex_of_their_width)
{
    ck_assert_ptr_null(names_lookup(NAMES_EXT, 0x1234));
    ck_assert_str_eq(format(NAMES_EXT, 0x1234), "0x1234");
    ck_assert_str_eq(format(NAMES_EXT, 0x002e), "0x002e"); /* Reserved: draft TLS 1.3's 46 */
    ck_assert_str_eq(format(NAMES_CIPHER, 0xfefe), "0xfefe");
    ck_assert_str_eq(format(NAMES_GROUP, 0x0000), "0x0000");
    ck_assert_str_eq(format(NAMES_VERSION, 0x0305), "0x0305");
    ck_assert_str_eq(format(NAMES_COMPRESSION, 0x77), "0x77");
    ck_assert_str_eq(format(NAMES_HS, 7), "0x07");
    ck_assert_str_eq(format(NAMES_CONTENT, 0xff), "0xff");
}
END_TEST

START_TEST(tls13_draft_versions_format_with_their_draft_number)
{
    ck_assert_str_eq(format(NAMES_VERSION, 0x7f17), "TLSv1.3-draft23");
    ck_assert_str_eq(format(NAMES_VERSION, 0x7f1c), "TLSv1.3-draft28");
    /* the drafts stacks shipped are in the registry; the others follow the same rule */
    ck_assert_str_eq(names_lookup(NAMES_VERSION, 0x7f0e), "TLSv1.3-draft14");
    ck_assert_ptr_null(names_lookup(NAMES_VERSION, 0x7f0d));
    ck_assert_str_eq(format(NAMES_VERSION, 0x7f0d), "TLSv1.3-draft13");
    ck_assert_str_eq(format(NAMES_VERSION, 0x7f1d), "TLSv1.3-draft29");
    /* the experiment versions that shipped in browsers and Facebook's apps */
    ck_assert_str_eq(format(NAMES_VERSION, 0x7e02), "TLSv1.3-experiment2-google");
    ck_assert_str_eq(format(NAMES_VERSION, 0xfb17), "TLSv1.3-draft23-fb");
    ck_assert_str_eq(format(NAMES_VERSION, 0xfb1a), "TLSv1.3-draft26-fb");
    ck_assert_str_eq(format(NAMES_EXT, 0x0028), "key_share_draft");
    /* only versions have drafts */
    ck_assert_str_eq(format(NAMES_CIPHER, 0x7f17), "0x7f17");
}
END_TEST

START_TEST(format_stays_within_capacity)
{
    char buf[5];
    memset(buf, 'x', sizeof(buf));
    ck_assert_ptr_eq(names_format(NAMES_CIPHER, 0x1301, buf, sizeof(buf)), buf);
    ck_assert_str_eq(buf, "TLS_");
}
END_TEST

START_TEST(unnamed_values_print_as_hex_of_the_registry_width)
{
    /* Two-byte registries: at least 4 digits; one-byte ones: at least 2; wider values whole
     * (QUIC transport parameter ids are varints). Unnamed and not GREASE: */
    ck_assert_str_eq(format(NAMES_CIPHER, 0x0a0b), "0x0a0b");
    ck_assert_str_eq(format(NAMES_EXT, 0xfe0b), "0xfe0b");
    ck_assert_str_eq(format(NAMES_QUIC_TP, 0x2ab3), "0x2ab3");
    ck_assert_str_eq(format(NAMES_QUIC_TP, 0x1234567), "0x1234567");
    ck_assert_str_eq(format(NAMES_QUIC_TP, 0xffffffff), "0xffffffff");
    ck_assert_str_eq(format(NAMES_HS, 0xfd), "0xfd");
    ck_assert_str_eq(format(NAMES_HS, 0x7), "0x07");
    char buf[4];
    ck_assert_str_eq(names_format(NAMES_CIPHER, 0x0a0b, buf, sizeof(buf)), "0x0");
}
END_TEST

START_TEST(reverse_lookup_finds_printed_names_only)
{
    uint32_t v = 0;
    ck_assert(names_value(NAMES_CIPHER, "TLS_AES_128_GCM_SHA256", &v));
    ck_assert_uint_eq(v, 0x1301);
    ck_assert(names_value(NAMES_VERSION, "TLSv1.2", &v));
    ck_assert_uint_eq(v, 0x0303);
    ck_assert(names_value(NAMES_EXT, "connection_id (deprecated)", &v));
    ck_assert_uint_eq(v, 0x0035);
    ck_assert(names_value(NAMES_GROUP, "x25519", &v));
    ck_assert_uint_eq(v, 29);

    v = 7;
    ck_assert(!names_value(NAMES_VERSION, "TLSv1_2", &v));    /* identifier, not name */
    ck_assert(!names_value(NAMES_GROUP, "TLS_AES_128_GCM_SHA256", &v)); /* other kind */
    ck_assert(!names_value(NAMES_CIPHER, "grease", &v));
    ck_assert(!names_value(NAMES_CIPHER, NULL, &v));
    ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(kind_outside_enum_is_unknown)
{
    enum name_kind bad = NAMES_KIND_COUNT;
    uint32_t v = 7;
    const char *name = NULL;
    ck_assert_ptr_null(names_lookup(bad, 0));
    ck_assert_uint_eq(names_count(bad), 0);
    ck_assert(!names_entry(bad, 0, &v, &name));
    ck_assert(!names_entry(NAMES_CIPHER, names_count(NAMES_CIPHER), &v, &name));
    ck_assert(!names_value(bad, "x25519", &v));
    ck_assert_uint_eq(v, 7);
    ck_assert_str_eq(format(bad, 0x12), "0x12");
}
END_TEST

static bool on_path(const char *program)
{
    const char *path = getenv("PATH");
    if (path == NULL) {
        return false;
    }
    while (*path != '\0') {
        size_t len = strcspn(path, ":");
        char candidate[4096];
        int n = snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)len, path, program);
        if (n > 0 && (size_t)n < sizeof(candidate) && access(candidate, X_OK) == 0) {
            return true;
        }
        path += len;
        if (*path == ':') {
            path++;
        }
    }
    return false;
}

/* OpenSSL is an independent source of IANA names: its -stdname column is the registry's name. */
START_TEST(openssl_stdnames_match_registry)
{
    if (!on_path("openssl")) {
        fprintf(stderr, "openssl_stdnames_match_registry: skipped, openssl not on PATH\n");
        return;
    }
    FILE *p = popen("openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null",
                    "r");
    ck_assert_ptr_nonnull(p);

    char line[512];
    char report[2048] = "";
    size_t used = 0;
    unsigned checked = 0, mismatched = 0;
    while (fgets(line, sizeof(line), p) != NULL) {
        /* "          0x13,0x01 - TLS_AES_128_GCM_SHA256 - TLS_AES_128_GCM_SHA256 TLSv1.3 ..." */
        unsigned hi, lo;
        char stdname[128];
        if (sscanf(line, " 0x%2x,0x%2x - %127s", &hi, &lo, stdname) != 3) {
            continue;
        }
        uint32_t value = hi << 8 | lo;
        const char *ours = names_lookup(NAMES_CIPHER, value);
        checked++;
        if (ours == NULL || strcmp(ours, stdname) != 0) {
            mismatched++;
            if (used < sizeof(report)) {
                int n = snprintf(report + used, sizeof(report) - used,
                                 " 0x%04x openssl=%s ours=%s;", (unsigned)value, stdname,
                                 ours != NULL ? ours : "(none)");
                used += n > 0 ? (size_t)n : 0;
            }
        }
    }
    int status = pclose(p);
    ck_assert_msg(status == 0, "openssl ciphers exited with status %d", status);
    ck_assert_msg(checked > 0, "no cipher lines parsed from openssl ciphers -V -stdname");
    ck_assert_msg(mismatched == 0, "%u of %u openssl names differ:%s", mismatched, checked,
                  report);
}
END_TEST

Suite *suite_names(void)
{
    Suite *s = suite_create("names");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_kind_is_strictly_ascending);
    tcase_add_test(tc, names_are_unique_and_nonempty_within_each_kind);
    tcase_add_test(tc, names_said_bare_are_bare);
    tcase_add_test(tc, every_entry_round_trips_through_lookup_and_reverse_lookup);
    tcase_add_test(tc, no_registered_value_is_grease);
    tcase_add_test(tc, known_code_points_have_iana_names);
    tcase_add_test(tc, constants_carry_the_registry_values);
    tcase_add_test(tc, grease_formats_as_grease_for_each_applicable_kind);
    tcase_add_test(tc, grease_rule_matches_exactly_the_rfc_8701_values);
    tcase_add_test(tc, unknown_code_points_format_as_hex_of_their_width);
    tcase_add_test(tc, tls13_draft_versions_format_with_their_draft_number);
    tcase_add_test(tc, format_stays_within_capacity);
    tcase_add_test(tc, reverse_lookup_finds_printed_names_only);
    tcase_add_test(tc, kind_outside_enum_is_unknown);
    tcase_add_test(tc, openssl_stdnames_match_registry);
    tcase_add_test(tc, unnamed_values_print_as_hex_of_the_registry_width);
    suite_add_tcase(s, tc);
    return s;
}
