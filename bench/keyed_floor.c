/* The libcrypto work alone of decrypting one connection of bench capture K (issue 17's cost
 * target), timed without hsdump: what its TLS 1.3 decryption asks of libcrypto for each
 * connection, in the same calls, with the same reuse (one HKDF context per digest and mode,
 * the ciphers fetched once, one cipher context per direction kept across phases):
 * - four key schedules (client and server, handshake and application traffic secrets): a key
 *   and an IV each by HKDF-Expand-Label (RFC 8446 7.1, 7.3) through EVP_KDF "HKDF", then the
 *   AES-128-GCM key installed in the direction's context;
 * - nine records opened (RFC 8446 5.2), of K's sizes: EncryptedExtensions, Certificate,
 *   CertificateVerify, both Finished, two NewSessionTickets, a close_notify each way;
 * - two application data records' inner type read from the keystream of their last block
 *   (NIST SP 800-38D 7.2), one AES-128-ECB context per direction keyed per phase.
 * The same with HMAC through EVP_MAC (a keyed context duplicated for "key" and "iv") shows
 * what the EVP_KDF costs. Build and run: cc -O2 -o keyed_floor bench/keyed_floor.c
 * -lcrypto && ./keyed_floor [connections]. Prints microseconds per connection. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(const char *what)
{
    fprintf(stderr, "keyed_floor: %s failed\n", what);
    exit(1);
}

/* RFC 8446 7.1 HkdfLabel with an empty context */
static size_t hkdf_label(const char *label, size_t out_len, unsigned char *info)
{
    size_t n = 0, l = strlen(label);
    info[n++] = (unsigned char)(out_len >> 8);
    info[n++] = (unsigned char)out_len;
    info[n++] = (unsigned char)(6 + l);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, l);
    n += l;
    info[n++] = 0;
    return n;
}

static EVP_KDF_CTX *hkdf;

/* key and iv from secret through EVP_KDF, as hsdump's crypto/hkdf.c does */
static void keys_kdf(const unsigned char secret[32], unsigned char key[16], unsigned char iv[12])
{
    static const unsigned char zeros[32];
    unsigned char info[64];
    OSSL_PARAM p[3];
    size_t info_len = hkdf_label("key", 16, info);
    p[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, info_len);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, 32);
    p[2] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(hkdf, key, 16, p) != 1) {
        die("EVP_KDF_derive");
    }
    info_len = hkdf_label("iv", 12, info);
    p[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, info_len);
    p[1] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(hkdf, iv, 12, p) != 1) {
        die("EVP_KDF_derive");
    }
    p[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)zeros, 32);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)zeros, 0);
    p[2] = OSSL_PARAM_construct_end();
    EVP_KDF_CTX_set_params(hkdf, p);
}

static EVP_MAC *hmac;

/* the same two outputs with HMAC through EVP_MAC: HKDF-Expand of at most one hash length is
 * T(1) = HMAC(secret, info || 0x01) (RFC 5869 2.3) */
static void keys_mac(const unsigned char secret[32], unsigned char key[16], unsigned char iv[12])
{
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                       OSSL_PARAM_construct_end()};
    EVP_MAC_CTX *base = EVP_MAC_CTX_new(hmac);
    if (base == NULL || EVP_MAC_init(base, secret, 32, p) != 1) {
        die("EVP_MAC_init");
    }
    const char *labels[2] = {"key", "iv"};
    unsigned char *outs[2] = {key, iv};
    size_t lens[2] = {16, 12};
    for (int i = 0; i < 2; i++) {
        unsigned char info[64], t[32];
        size_t n = hkdf_label(labels[i], lens[i], info), tl;
        info[n++] = 1;
        EVP_MAC_CTX *c = i == 1 ? base : EVP_MAC_CTX_dup(base);
        if (c == NULL || EVP_MAC_update(c, info, n) != 1 || EVP_MAC_final(c, t, &tl, 32) != 1) {
            die("EVP_MAC");
        }
        memcpy(outs[i], t, lens[i]);
        if (c != base) {
            EVP_MAC_CTX_free(c);
        }
    }
    EVP_MAC_CTX_free(base);
}

static EVP_CIPHER *gcm, *ecb;

static void open_record(EVP_CIPHER_CTX *ctx, const unsigned char iv[12], unsigned seq,
                        const unsigned char *rec, size_t len, unsigned char *out)
{
    unsigned char nonce[12], tag[16];
    memcpy(nonce, iv, 12);
    nonce[11] ^= (unsigned char)seq;
    memcpy(tag, rec + len - 16, 16);
    int n = 0;
    /* the tag does not match (random bytes): the work is the same up to the final check */
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
        EVP_DecryptUpdate(ctx, NULL, &n, rec, 5) != 1 ||
        EVP_DecryptUpdate(ctx, out, &n, rec + 5, (int)(len - 5 - 16)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1) {
        die("open");
    }
    (void)EVP_DecryptFinal_ex(ctx, out + n, &n);
}

int main(int argc, char **argv)
{
    long conns = argc > 1 ? atol(argv[1]) : 100000;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    hkdf = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM p[3] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
                       OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
                       OSSL_PARAM_construct_end()};
    if (hkdf == NULL || EVP_KDF_CTX_set_params(hkdf, p) != 1) {
        die("HKDF setup");
    }
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    if (hmac == NULL || gcm == NULL || ecb == NULL) {
        die("fetch");
    }
    EVP_CIPHER_CTX *dir[2], *stream[2];
    for (int d = 0; d < 2; d++) {
        dir[d] = EVP_CIPHER_CTX_new();
        stream[d] = EVP_CIPHER_CTX_new();
        if (dir[d] == NULL || stream[d] == NULL ||
            EVP_DecryptInit_ex(dir[d], gcm, NULL, NULL, NULL) != 1 ||
            EVP_CIPHER_CTX_ctrl(dir[d], EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1) {
            die("cipher setup");
        }
    }
    /* K's protected records, by their length on the wire (header, sealed bytes, tag) */
    static const size_t sizes[9] = {5 + 32, 5 + 878, 5 + 281, 5 + 53, 5 + 53,
                                    5 + 234, 5 + 234, 5 + 19,  5 + 19};
    static const int sender[9] = {1, 1, 1, 1, 0, 1, 1, 1, 0};
    static unsigned char rec[2048], out[2048];
    for (size_t i = 0; i < sizeof(rec); i++) {
        rec[i] = (unsigned char)(i * 131 + 7);
    }
    rec[0] = 23;
    unsigned char secret[4][32], key[16], iv[2][12], ks[16];
    /* each part in a loop of its own over every connection, timed once: a floor, with the
     * caches as warm as they can be */
    double t[6];
    t[0] = now_us();
    for (long c = 0; c < conns; c++) {
        for (int s = 0; s < 4; s++) {
            memset(secret[s], (int)(c * 4 + s), sizeof(secret[s]));
            keys_kdf(secret[s], key, iv[s & 1]);
        }
    }
    t[1] = now_us();
    for (long c = 0; c < conns; c++) {
        for (int s = 0; s < 4; s++) {
            memset(secret[s], (int)(c * 4 + s), sizeof(secret[s]));
            keys_mac(secret[s], key, iv[s & 1]);
        }
    }
    t[2] = now_us();
    for (long c = 0; c < conns; c++) {
        for (int s = 0; s < 4; s++) {
            key[0] = (unsigned char)(c + s);
            if (EVP_DecryptInit_ex(dir[s & 1], NULL, NULL, key, NULL) != 1) {
                die("keying");
            }
        }
    }
    t[3] = now_us();
    for (long c = 0; c < conns; c++) {
        for (int r = 0; r < 9; r++) {
            open_record(dir[sender[r]], iv[sender[r]], (unsigned)r, rec, sizes[r], out);
        }
    }
    t[4] = now_us();
    for (long c = 0; c < conns; c++) {
        for (int d = 0; d < 2; d++) {
            int n = 0;
            unsigned char counter[16];
            memcpy(counter, iv[d], 12);
            counter[12] = 0, counter[13] = 0, counter[14] = 2, counter[15] = 2;
            key[0] = (unsigned char)(c + d);
            if (EVP_EncryptInit_ex(stream[d], ecb, NULL, key, NULL) != 1 ||
                EVP_EncryptUpdate(stream[d], ks, &n, counter, 16) != 1) {
                die("peek");
            }
        }
    }
    t[5] = now_us();
    double t_kdf = t[1] - t[0], t_mac = t[2] - t[1], t_keying = t[3] - t[2];
    double t_open = t[4] - t[3], t_peek = t[5] - t[4];
    printf("connections %ld (libcrypto %s), microseconds per connection:\n", conns,
           OpenSSL_version(OPENSSL_VERSION));
    printf("hkdf_evp_kdf %.2f\n", t_kdf / conns);
    printf("hkdf_evp_mac %.2f\n", t_mac / conns);
    printf("cipher_keying %.2f\n", t_keying / conns);
    printf("records_opened %.2f\n", t_open / conns);
    printf("inner_type_peeks %.2f\n", t_peek / conns);
    printf("total_with_evp_kdf %.2f\n", (t_kdf + t_keying + t_open + t_peek) / conns);
    printf("total_with_evp_mac %.2f\n", (t_mac + t_keying + t_open + t_peek) / conns);
    return 0;
}
