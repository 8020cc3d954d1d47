/* One Check suite per source file; check_main.c runs them all. */
#ifndef HSDUMP_TESTS_SUITES_H
#define HSDUMP_TESTS_SUITES_H

#include <check.h>

Suite *suite_cursor(void);
Suite *suite_fields(void);
Suite *suite_keys(void);
Suite *suite_names(void);
Suite *suite_record(void);
Suite *suite_hello(void);
Suite *suite_fingerprint(void);
Suite *suite_linklayer(void);
Suite *suite_pcap_writer(void);
Suite *suite_ipv6map(void);
Suite *suite_output_text(void);
Suite *suite_output_json(void);
Suite *suite_options(void);
Suite *suite_progress(void);
Suite *suite_protected(void);
Suite *suite_starttls(void);
Suite *suite_partial(void);
Suite *suite_diff(void);
Suite *suite_profile(void);
Suite *suite_messages(void);
Suite *suite_extensions(void);
Suite *suite_flow(void);
Suite *suite_quic(void);
Suite *suite_dtls(void);
Suite *suite_udp(void);
Suite *suite_gtpu(void);
Suite *suite_x509(void);
Suite *suite_pcapng(void);
Suite *suite_budget(void);
Suite *suite_tls13_keys(void);
Suite *suite_decrypt(void);
Suite *suite_tls12_keys(void);
Suite *suite_keylog(void);
Suite *suite_secrets(void);
Suite *suite_cert_decompress(void);
Suite *suite_top_table(void);
Suite *suite_report(void);
Suite *suite_cert_check(void);
Suite *suite_filter(void);
Suite *suite_select(void);
Suite *suite_diagnosis(void);
Suite *suite_ecosystem(void);
Suite *suite_ladder(void);
Suite *suite_html(void);
Suite *suite_parallel(void);

#endif
