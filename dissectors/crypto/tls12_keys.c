/* Placeholder until the TLS 1.2 record protection lands: no suite is supported, so TLS 1.2
 * connections stay keyless. */
#include "crypto/tls12_keys.h"

bool tls12_suite_supported(uint16_t version, uint16_t suite)
{
    (void)version;
    (void)suite;
    return false;
}

struct tls12_protection *tls12_protection_new(uint16_t version, uint16_t suite,
                                              bool encrypt_then_mac,
                                              const uint8_t master[TLS12_MASTER_SECRET_LEN],
                                              const uint8_t client_random[TLS12_RANDOM_LEN],
                                              const uint8_t server_random[TLS12_RANDOM_LEN],
                                              bool from_client)
{
    (void)version, (void)suite, (void)encrypt_then_mac, (void)master, (void)client_random;
    (void)server_random, (void)from_client;
    return NULL;
}

void tls12_protection_free(struct tls12_protection *prot)
{
    (void)prot;
}

enum tls12_open_status tls12_open_record(struct tls12_protection *prot, uint64_t seq,
                                         uint8_t type, uint16_t version, struct cursor fragment,
                                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)prot, (void)seq, (void)type, (void)version, (void)fragment, (void)out, (void)out_cap;
    (void)out_len;
    return TLS12_OPEN_AUTH_FAILED;
}

void tls12_skip_record(struct tls12_protection *prot, struct cursor fragment)
{
    (void)prot, (void)fragment;
}
