/* Values of RFC 8448 section 3 (Simple 1-RTT Handshake), as hex strings exactly as printed
 * there: the traffic secrets ("derive secret for handshake/application ...: expanded"), the
 * handshake messages ("construct a ... handshake message") and the protected records
 * ("send ... record: complete record"). Shared by the tests of record protection
 * (test_tls13_keys.c) and of decryption (test_decrypt.c). */
#ifndef HSDUMP_TESTS_RFC8448_H
#define HSDUMP_TESTS_RFC8448_H

extern const char rfc8448_server_hs_secret[];
extern const char rfc8448_client_hs_secret[];
extern const char rfc8448_server_ap_secret[];
extern const char rfc8448_client_ap_secret[];
extern const char rfc8448_encrypted_extensions[];
extern const char rfc8448_certificate[];
extern const char rfc8448_certificate_verify[];
extern const char rfc8448_server_finished[];
extern const char rfc8448_server_flight_record[];
extern const char rfc8448_client_finished[];
extern const char rfc8448_client_finished_record[];
extern const char rfc8448_server_app_record[];
extern const char rfc8448_client_app_record[];

#endif
