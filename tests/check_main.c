/* Runs every unit-test suite; fork mode (Check's default) keeps a crash to one test. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    Suite *(*const suites[])(void) = {
        suite_cursor, suite_fields, suite_keys, suite_names, suite_record, suite_hello, suite_fingerprint,
        suite_linklayer, suite_ipv6map, suite_output_text, suite_output_json, suite_options, suite_protected,
        suite_diff, suite_profile, suite_pcap_writer, suite_starttls, suite_partial,
        suite_messages, suite_extensions, suite_flow,
        suite_quic, suite_dtls, suite_udp, suite_gtpu, suite_x509, suite_pcapng, suite_budget,
        suite_tls13_keys, suite_tls12_keys, suite_keylog, suite_decrypt, suite_secrets,
        suite_cert_decompress, suite_top_table, suite_report, suite_cert_check, suite_progress,
        suite_filter, suite_select,
        suite_diagnosis, suite_ecosystem, suite_ladder, suite_html, suite_parallel,
    };
    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        srunner_add_suite(runner, suites[i]());
    }
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
