/* Tests for dissectors/quic/quic.c and quic_crypto.c: the sample packets of RFC 9001 Appendix A
 * (QUIC v1) and RFC 9369 Appendix A (v2) -- keys, header protection, the client's Initial
 * decrypting to the published CRYPTO frame, the server's to its ACK and CRYPTO frames -- then
 * Initial packets sealed here with those keys: CRYPTO frames split, reordered and repeated,
 * coalesced packets, garbage and truncated datagrams; RFC 9001 A.5 (ChaCha20-Poly1305) and
 * Handshake packets sealed here with handshake traffic secrets, opened with a key log table.
 *
 * The hex strings below are the RFCs' own (Appendix A.2-A.3 of each), unchanged. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "quic/quic.h"
#include "crypto/keylog.h"
#include "crypto/quic_crypto.h"
#include "quic_seal.h"
#include "suites.h"
#include "tls/tls.h"
#include "vectors.h"

static const char rfc9001_client_packet[] =
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";

static const char rfc9001_server_packet[] =
    "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
    "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
    "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
    "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
    "2158407dd074ee";

static const char rfc9001_crypto_frame[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

static const char rfc9001_server_payload[] =
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
    "020304";

static const char rfc9369_client_packet[] =
    "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
    "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
    "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
    "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
    "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
    "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
    "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
    "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
    "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
    "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
    "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
    "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
    "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
    "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
    "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
    "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
    "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
    "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
    "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
    "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
    "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
    "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
    "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
    "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
    "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
    "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
    "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
    "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
    "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
    "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
    "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
    "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
    "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
    "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
    "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
    "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
    "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
    "a18b2faa745b6fe189cf772a9f84cbfc";

static const char rfc9369_server_packet[] =
    "dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"
    "baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"
    "f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"
    "c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"
    "4bed8521e2e140";

#define PACKET_MAX 1500

/* The client's Destination Connection ID of both appendices. */
static const uint8_t rfc_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    ck_assert_uint_le(n, cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void assert_hex(const uint8_t *bytes, size_t len, const char *hex)
{
    uint8_t want[PACKET_MAX];
    size_t n = from_hex(hex, want, sizeof(want));
    ck_assert_uint_eq(len, n);
    ck_assert_msg(memcmp(bytes, want, n) == 0, "bytes differ from %s", hex);
}

static void feed_bytes(struct quic_state *q, struct tls_state *st, enum dir d, const uint8_t *b,
                       size_t n, struct vec_events *ev)
{
    struct tls_sink sink = vec_sink(ev);
    quic_datagram(q, st, d, cur_make(b, n), &sink);
}

static void feed_hex(struct quic_state *q, struct tls_state *st, enum dir d, const char *hex,
                     struct vec_events *ev)
{
    uint8_t buf[PACKET_MAX];
    size_t n = from_hex(hex, buf, sizeof(buf));
    feed_bytes(q, st, d, buf, n, ev);
}

static void start(struct quic_state *q, struct tls_state *st, struct vec_events *ev)
{
    quic_state_init(q);
    tls_state_init(st);
    st->transport = TRANSPORT_QUIC;
    vec_events_init(ev);
}

static void stop(struct quic_state *q, struct tls_state *st, struct vec_events *ev)
{
    vec_events_free(ev);
    quic_state_free(q);
    tls_state_free(st);
}

START_TEST(v1_initial_secrets_and_keys_match_rfc9001_a1)
{
    uint8_t client[QUIC_SECRET_LEN], server[QUIC_SECRET_LEN];
    struct quic_keys k;
    ck_assert(quic_initial_secrets(QUIC_VERSION_1, cur_make(rfc_dcid, 8), client, server));
    assert_hex(client, 32, "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
    assert_hex(server, 32, "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b");
    ck_assert(quic_packet_keys(QUIC_VERSION_1, client, &k));
    assert_hex(k.key, QUIC_KEY_LEN, "1f369613dd76d5467730efcbe3b1a22d");
    assert_hex(k.iv, QUIC_IV_LEN, "fa044b2f42a3fd3b46fb255c");
    assert_hex(k.hp, QUIC_HP_LEN, "9f50449e04a0e810283a1e9933adedd2");
    ck_assert(quic_packet_keys(QUIC_VERSION_1, server, &k));
    assert_hex(k.key, QUIC_KEY_LEN, "cf3a5331653c364c88f0f379b6067e37");
    assert_hex(k.iv, QUIC_IV_LEN, "0ac1493ca1905853b0bba03e");
    assert_hex(k.hp, QUIC_HP_LEN, "c206b8d9b9f0f37644430b490eeaa314");
}
END_TEST

START_TEST(v2_initial_secrets_and_keys_match_rfc9369_a1)
{
    uint8_t client[QUIC_SECRET_LEN], server[QUIC_SECRET_LEN];
    struct quic_keys k;
    ck_assert(quic_initial_secrets(QUIC_VERSION_2, cur_make(rfc_dcid, 8), client, server));
    assert_hex(client, 32, "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
    assert_hex(server, 32, "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1");
    ck_assert(quic_packet_keys(QUIC_VERSION_2, client, &k));
    assert_hex(k.key, QUIC_KEY_LEN, "8b1a0bc121284290a29e0971b5cd045d");
    assert_hex(k.iv, QUIC_IV_LEN, "91f73e2351d8fa91660e909f");
    assert_hex(k.hp, QUIC_HP_LEN, "45b95e15235d6f45a6b19cbcb0294ba9");
    ck_assert(quic_packet_keys(QUIC_VERSION_2, server, &k));
    assert_hex(k.key, QUIC_KEY_LEN, "82db637861d55e1d011f19ea71d5d2a7");
    assert_hex(k.iv, QUIC_IV_LEN, "dd13c276499c0249d3310652");
    assert_hex(k.hp, QUIC_HP_LEN, "edf6d05c83121201b436e16877593c3a");
    ck_assert(!quic_initial_secrets(0xff00001d, cur_make(rfc_dcid, 8), client, server));
}
END_TEST

/* Both appendices' Initial headers end 18 bytes in: the Packet Number field starts there. */
#define RFC_PN_OFFSET 18

/* Removes header protection and opens one sample packet step by step with the public
 * functions, checking the RFC's mask and unprotected header; returns the plaintext length. */
static size_t open_sample(uint32_t version, bool client, const char *packet_hex,
                          const char *mask_hex, const char *header_hex, uint8_t *plain)
{
    uint8_t pkt[PACKET_MAX];
    size_t len = from_hex(packet_hex, pkt, sizeof(pkt));
    struct quic_keys ck, sk;
    ck_assert(quic_initial_keys(version, cur_make(rfc_dcid, 8), &ck, &sk));
    const struct quic_keys *k = client ? &ck : &sk;
    uint8_t mask[QUIC_MASK_LEN];
    ck_assert(quic_header_mask(k, cur_make(pkt + RFC_PN_OFFSET + 4, QUIC_SAMPLE_LEN), mask));
    assert_hex(mask, QUIC_MASK_LEN, mask_hex);
    pkt[0] ^= mask[0] & 0x0f;
    size_t pn_len = (size_t)(pkt[0] & 3) + 1;
    uint64_t pn = 0;
    for (size_t i = 0; i < pn_len; i++) {
        pkt[RFC_PN_OFFSET + i] ^= mask[1 + i];
        pn = (pn << 8) | pkt[RFC_PN_OFFSET + i];
    }
    size_t header_len = RFC_PN_OFFSET + pn_len;
    assert_hex(pkt, header_len, header_hex);
    ck_assert(quic_open_payload(k, pn, cur_make(pkt, header_len),
                                cur_make(pkt + header_len, len - header_len), plain));
    /* one flipped bit of the ciphertext fails the tag */
    pkt[header_len + 3] ^= 0x01;
    uint8_t scratch[PACKET_MAX];
    ck_assert(!quic_open_payload(k, pn, cur_make(pkt, header_len),
                                 cur_make(pkt + header_len, len - header_len), scratch));
    return len - header_len - QUIC_TAG_LEN;
}

/* The client's plaintext: the CRYPTO frame, then PADDING (zeros) up to 1162 bytes. */
static void assert_client_plaintext(const uint8_t *plain, size_t len)
{
    uint8_t frame[PACKET_MAX];
    size_t n = from_hex(rfc9001_crypto_frame, frame, sizeof(frame));
    ck_assert_uint_eq(len, 1162);
    ck_assert(memcmp(plain, frame, n) == 0);
    for (size_t i = n; i < len; i++) {
        ck_assert_uint_eq(plain[i], 0);
    }
}

START_TEST(v1_client_initial_unprotects_to_the_crypto_frame_of_rfc9001_a2)
{
    uint8_t plain[PACKET_MAX];
    size_t len = open_sample(QUIC_VERSION_1, true, rfc9001_client_packet, "437b9aec36",
                             "c300000001088394c8f03e5157080000449e00000002", plain);
    assert_client_plaintext(plain, len);
}
END_TEST

START_TEST(v1_server_initial_unprotects_to_the_payload_of_rfc9001_a3)
{
    uint8_t plain[PACKET_MAX];
    size_t len = open_sample(QUIC_VERSION_1, false, rfc9001_server_packet, "2ec0d8356a",
                             "c1000000010008f067a5502a4262b50040750001", plain);
    assert_hex(plain, len, rfc9001_server_payload);
}
END_TEST

START_TEST(v2_client_initial_unprotects_to_the_crypto_frame_of_rfc9369_a2)
{
    uint8_t plain[PACKET_MAX];
    size_t len = open_sample(QUIC_VERSION_2, true, rfc9369_client_packet, "94a0c95e80",
                             "d36b3343cf088394c8f03e5157080000449e00000002", plain);
    assert_client_plaintext(plain, len);
}
END_TEST

START_TEST(v2_server_initial_unprotects_to_the_payload_of_rfc9369_a3)
{
    uint8_t plain[PACKET_MAX];
    size_t len = open_sample(QUIC_VERSION_2, false, rfc9369_server_packet, "4dd92e91ea",
                             "d16b3343cf0008f067a5502a4262b50040750001", plain);
    /* RFC 9369 A.3 sends the same frames as RFC 9001 A.3 */
    assert_hex(plain, len, rfc9001_server_payload);
}
END_TEST

/* The ClientHello of the samples, as hsdump prints it from the CRYPTO stream. */
static void assert_sample_client_hello(const char *line)
{
    ck_assert_msg(strncmp(line, "handshake client_hello length=237 legacy_version=TLSv1.2 ", 57) ==
                      0,
                  "%s", line);
    ck_assert_ptr_null(strstr(line, "record_version"));
    ck_assert_ptr_nonnull(strstr(line, " sni=example.com "));
    ck_assert_ptr_nonnull(strstr(line, " alpn=alpn "));
    ck_assert_ptr_nonnull(strstr(line, " quic_transport_parameters_length=50 "));
    ck_assert_ptr_nonnull(
        strstr(line, " quic_transport_parameters=initial_max_data,"
                     "initial_max_stream_data_bidi_local,initial_max_stream_data_uni,"
                     "initial_max_streams_bidi,max_idle_timeout,initial_max_streams_uni,"
                     "initial_source_connection_id,initial_max_stream_data_bidi_remote "));
    /* 2 suites, 11 extensions, ALPN "alpn" */
    ck_assert_msg(strstr(line, " ja4=q13d0211an_") != NULL, "%s", line);
}

START_TEST(client_and_server_initials_give_hello_lines_v1)
{
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    uint8_t pkt[PACKET_MAX];
    size_t n = from_hex(rfc9001_client_packet, pkt, sizeof(pkt));
    ck_assert(quic_looks_like_client_initial(cur_make(pkt, n)));
    ck_assert_uint_eq(quic_datagram_version(cur_make(pkt, n)), QUIC_VERSION_1);
    feed_bytes(&q, &st, DIR_C2S, pkt, n, &ev);
    ck_assert_uint_eq(ev.n, 1);
    assert_sample_client_hello(vec_line(&ev, 0));
    ck_assert_str_eq(st.sni, "example.com");
    ck_assert_uint_eq(q.dir[DIR_C2S].initial, 1);
    ck_assert_uint_eq(q.dir[DIR_C2S].largest_pn, 2);

    n = from_hex(rfc9001_server_packet, pkt, sizeof(pkt));
    ck_assert(!quic_looks_like_client_initial(cur_make(pkt, n)));
    feed_bytes(&q, &st, DIR_S2C, pkt, n, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_msg(strncmp(vec_line(&ev, 1),
                          "handshake server_hello length=86 legacy_version=TLSv1.2 "
                          "session_id_length=0 cipher_suite=TLS_AES_128_GCM_SHA256 ",
                          102) == 0,
                  "%s", vec_line(&ev, 1));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), " version=TLSv1.3 "));
    ck_assert(st.server_hello_seen && st.is_tls13);
    ck_assert_uint_eq(q.dir[DIR_S2C].initial, 1);
    ck_assert_uint_eq(q.dir[DIR_S2C].undecryptable, 0);
    stop(&q, &st, &ev);
}
END_TEST

START_TEST(client_and_server_initials_give_hello_lines_v2)
{
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_hex(&q, &st, DIR_C2S, rfc9369_client_packet, &ev);
    feed_hex(&q, &st, DIR_S2C, rfc9369_server_packet, &ev);
    ck_assert_uint_eq(ev.n, 2);
    assert_sample_client_hello(vec_line(&ev, 0));
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "handshake server_hello "));
    ck_assert_uint_eq(q.version, QUIC_VERSION_2);
    ck_assert_uint_eq(q.dir[DIR_C2S].initial + q.dir[DIR_S2C].initial, 2);
    stop(&q, &st, &ev);
}
END_TEST

/* ---- packets sealed here (tests/quic_seal.c): the inverse of what hsdump does ---- */

static size_t crypto_frame(size_t offset, const uint8_t *data, size_t len, uint8_t *out)
{
    ck_assert_uint_lt(offset, 16384);
    ck_assert_uint_lt(len, 16384);
    return quic_seal_crypto_frame(offset, data, len, out);
}

/* One Initial packet whose keys come from the sample's DCID, padded to pad_to bytes. */
static size_t seal_initial(uint32_t version, bool from_client, uint32_t pn, const uint8_t *frames,
                           size_t frames_len, size_t pad_to, uint8_t *out)
{
    size_t n = quic_seal_initial(version, rfc_dcid, from_client, pn, frames, frames_len, pad_to,
                                 out);
    ck_assert_uint_gt(n, 0);
    return n;
}

/* The ClientHello carried by the sample's CRYPTO frame (after 06 00 40f1). */
static size_t sample_client_hello(uint8_t *out)
{
    uint8_t frame[PACKET_MAX];
    size_t n = from_hex(rfc9001_crypto_frame, frame, sizeof(frame));
    memcpy(out, frame + 4, n - 4);
    return n - 4;
}

/* The line the sample packet gives, to compare reassembled ones with. */
static void reference_line(char *out, size_t cap)
{
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_hex(&q, &st, DIR_C2S, rfc9001_client_packet, &ev);
    ck_assert_uint_eq(ev.n, 1);
    snprintf(out, cap, "%s", vec_line(&ev, 0));
    stop(&q, &st, &ev);
}

struct piece {
    size_t from;
    size_t to;
};

/* Sends the ClientHello as CRYPTO frames, one packet per group of pieces, packets in the
 * order given; every order and split must give the sample's line. */
static void send_pieces(const struct piece *pieces, const size_t *per_packet, size_t packets,
                        const uint32_t *pns)
{
    char want[VEC_LINE_MAX];
    reference_line(want, sizeof(want));
    uint8_t ch[PACKET_MAX];
    size_t ch_len = sample_client_hello(ch);
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    size_t next = 0;
    for (size_t p = 0; p < packets; p++) {
        uint8_t frames[PACKET_MAX], pkt[PACKET_MAX];
        size_t n = 0;
        for (size_t i = 0; i < per_packet[p]; i++, next++) {
            size_t to = pieces[next].to < ch_len ? pieces[next].to : ch_len;
            n += crypto_frame(pieces[next].from, ch + pieces[next].from, to - pieces[next].from,
                              frames + n);
        }
        size_t len = seal_initial(QUIC_VERSION_1, true, pns[p], frames, n, 1200, pkt);
        ck_assert_uint_eq(ev.n, 0);
        feed_bytes(&q, &st, DIR_C2S, pkt, len, &ev);
    }
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), want);
    ck_assert_uint_eq(q.dir[DIR_C2S].initial, packets);
    ck_assert_uint_eq(q.dir[DIR_C2S].undecryptable, 0);
    stop(&q, &st, &ev);
}

START_TEST(client_hello_split_across_initial_packets_out_of_order_is_joined)
{
    /* the end first, then the start with an overlapping repeat, then the middle */
    static const struct piece pieces[] = {{150, 999}, {0, 60}, {40, 80}, {60, 150}};
    static const size_t per_packet[] = {1, 2, 1};
    static const uint32_t pns[] = {0, 1, 2};
    send_pieces(pieces, per_packet, 3, pns);
}
END_TEST

START_TEST(crypto_frames_reversed_inside_one_packet_are_joined)
{
    /* several frames of one packet in descending offsets, as Chrome sends them */
    static const struct piece pieces[] = {{200, 999}, {120, 200}, {7, 120}, {0, 7}};
    static const size_t per_packet[] = {4};
    static const uint32_t pns[] = {0};
    send_pieces(pieces, per_packet, 1, pns);
}
END_TEST

START_TEST(packets_arriving_in_reverse_number_order_still_decrypt)
{
    static const struct piece pieces[] = {{160, 999}, {80, 160}, {0, 80}};
    static const size_t per_packet[] = {1, 1, 1};
    static const uint32_t pns[] = {7, 6, 5};
    send_pieces(pieces, per_packet, 3, pns);
}
END_TEST

START_TEST(every_prefix_of_the_client_initial_is_reported_not_read)
{
    uint8_t pkt[PACKET_MAX];
    size_t len = from_hex(rfc9001_client_packet, pkt, sizeof(pkt));
    for (size_t n = 1; n < len; n++) {
        struct quic_state q;
        struct tls_state st;
        struct vec_events ev;
        start(&q, &st, &ev);
        feed_bytes(&q, &st, DIR_C2S, pkt, n, &ev);
        const struct quic_dir *qd = &q.dir[DIR_C2S];
        ck_assert_msg(qd->malformed + qd->undecryptable == 1, "prefix %zu", n);
        ck_assert_uint_eq(qd->initial, 0);
        ck_assert(!vec_contains(&ev, "client_hello"));
        struct tls_sink sink = vec_sink(&ev);
        quic_finish(&q, &st, &sink);
        stop(&q, &st, &ev);
    }
}
END_TEST

START_TEST(garbage_initial_is_counted_undecryptable)
{
    uint8_t pkt[PACKET_MAX];
    size_t len = from_hex(rfc9001_client_packet, pkt, sizeof(pkt));
    /* the header stays, the protected payload becomes noise */
    for (size_t i = 40; i < len; i++) {
        pkt[i] = (uint8_t)(i * 37 + 11);
    }
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_bytes(&q, &st, DIR_C2S, pkt, len, &ev);
    feed_bytes(&q, &st, DIR_C2S, pkt, len, &ev);
    ck_assert_uint_eq(ev.n, 0);
    ck_assert_uint_eq(q.dir[DIR_C2S].undecryptable, 2);
    ck_assert(!st.client_hello_seen);
    struct fields f;
    fields_init(&f, "close", NULL);
    quic_describe(&q, &f);
    ck_assert_uint_eq(fields_find(&f, "undecryptable_c2s")->num, 2);
    ck_assert_uint_eq(fields_find(&f, "initial_c2s")->num, 0);
    stop(&q, &st, &ev);
}
END_TEST

START_TEST(truncated_length_is_reported_with_have_and_need)
{
    uint8_t pkt[PACKET_MAX];
    size_t len = from_hex(rfc9001_client_packet, pkt, sizeof(pkt));
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_bytes(&q, &st, DIR_C2S, pkt, len - 100, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "packet packet_type=initial truncated=packet have=1100 "
                                       "need=1200");
    stop(&q, &st, &ev);
}
END_TEST

START_TEST(coalesced_initial_handshake_and_short_packets_are_each_counted)
{
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_hex(&q, &st, DIR_C2S, rfc9001_client_packet, &ev);
    uint8_t dgram[PACKET_MAX];
    size_t n = from_hex(rfc9001_server_packet, dgram, sizeof(dgram));
    /* RFC 9000 17.2.4: a Handshake packet: type 2, version 1, empty CIDs, Length 20 */
    static const uint8_t handshake[] = {0xe1, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x14};
    memcpy(dgram + n, handshake, sizeof(handshake));
    n += sizeof(handshake);
    memset(dgram + n, 0xab, 20);
    n += 20;
    /* RFC 9000 17.3.1: a 1-RTT packet, to the end of the datagram */
    dgram[n++] = 0x41;
    memset(dgram + n, 0xcd, 30);
    n += 30;
    feed_bytes(&q, &st, DIR_S2C, dgram, n, &ev);
    ck_assert_uint_eq(ev.n, 2);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev, 1), "handshake server_hello "));
    const struct quic_dir *s = &q.dir[DIR_S2C];
    ck_assert_uint_eq(s->initial, 1);
    ck_assert_uint_eq(s->handshake, 1);
    ck_assert_uint_eq(s->one_rtt, 1);
    ck_assert_uint_eq(st.dir[DIR_S2C].encrypted_records, 2);
    /* the client's 1-RTT packets are what says its handshake is over */
    static const uint8_t short_packet[] = {0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                           15, 16, 17, 18, 19, 20};
    feed_bytes(&q, &st, DIR_C2S, short_packet, sizeof(short_packet), &ev);
    ck_assert_uint_eq(st.dir[DIR_C2S].encrypted_records, 1);
    stop(&q, &st, &ev);
}
END_TEST

START_TEST(connection_close_in_an_initial_is_an_event_with_its_alert)
{
    /* RFC 9000 19.19: CONNECTION_CLOSE 0x1c, error 0x128 (CRYPTO_ERROR + handshake_failure),
     * frame type 6 (CRYPTO), reason "no" */
    static const uint8_t frames[] = {0x1c, 0x41, 0x28, 0x06, 0x02, 'n', 'o'};
    uint8_t pkt[PACKET_MAX];
    size_t n = seal_initial(QUIC_VERSION_1, true, 0, frames, sizeof(frames), 1200, pkt);
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_bytes(&q, &st, DIR_C2S, pkt, n, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "connection_close error_code=0x128 "
                                       "alert=handshake_failure frame_type=6 reason=no");
    ck_assert(q.closed);
    ck_assert(st.fatal_alert_seen);
    stop(&q, &st, &ev);
}
END_TEST

START_TEST(a_frame_not_allowed_in_initial_packets_is_malformed)
{
    /* PING, then STREAM (0x08), which RFC 9000 12.4 does not allow at this level */
    static const uint8_t frames[] = {0x01, 0x08, 0x00, 0x01, 'x'};
    uint8_t pkt[PACKET_MAX];
    size_t n = seal_initial(QUIC_VERSION_1, true, 0, frames, sizeof(frames), 1200, pkt);
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_bytes(&q, &st, DIR_C2S, pkt, n, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "packet packet_type=initial malformed=frame "
                                       "expected=PADDING,\\x20PING,\\x20ACK,\\x20CRYPTO"
                                       "\\x20or\\x20CONNECTION_CLOSE\\x20frame");
    ck_assert_uint_eq(q.dir[DIR_C2S].malformed, 1);
    stop(&q, &st, &ev);
}
END_TEST

/* Only what is not yet dissected is held, charged to the budget; over it the older flow's
 * stream is dropped with truncated=budget, and the buffer is freed once all is read. */
START_TEST(held_crypto_bytes_are_charged_and_dropped_over_budget)
{
    uint8_t ch[PACKET_MAX], frames[PACKET_MAX], first[PACKET_MAX], rest[PACKET_MAX];
    size_t ch_len = sample_client_hello(ch);
    size_t n = crypto_frame(0, ch, 60, frames);
    size_t first_len = seal_initial(QUIC_VERSION_1, true, 0, frames, n, 1200, first);
    n = crypto_frame(60, ch + 60, ch_len - 60, frames);
    size_t rest_len = seal_initial(QUIC_VERSION_1, true, 1, frames, n, 1200, rest);
    struct budget b;
    uint64_t dropped = 0;
    budget_init(&b, 6000, &dropped); /* one 4 KiB buffer and its map, not two */
    struct quic_state q[2];
    struct tls_state st[2];
    struct vec_events ev[2];
    for (size_t i = 0; i < 2; i++) {
        start(&q[i], &st[i], &ev[i]);
        st[i].budget = &b;
    }
    feed_bytes(&q[0], &st[0], DIR_C2S, first, first_len, &ev[0]);
    ck_assert_uint_eq(b.used, budget_heap_size(4096) + budget_heap_size(512));
    feed_bytes(&q[1], &st[1], DIR_C2S, first, first_len, &ev[1]);
    ck_assert_uint_eq(dropped, 1);
    ck_assert_uint_eq(ev[0].n, 1);
    char want[128];
    snprintf(want, sizeof(want), "handshake client_hello truncated=budget have=60 need=%zu",
             ch_len);
    ck_assert_str_eq(vec_line(&ev[0], 0), want);
    /* the dropped stream ignores the rest; the other one completes and holds nothing */
    feed_bytes(&q[0], &st[0], DIR_C2S, rest, rest_len, &ev[0]);
    feed_bytes(&q[1], &st[1], DIR_C2S, rest, rest_len, &ev[1]);
    ck_assert_uint_eq(ev[0].n, 1);
    ck_assert_uint_eq(ev[1].n, 1);
    ck_assert_ptr_nonnull(strstr(vec_line(&ev[1], 0), "handshake client_hello "));
    ck_assert_uint_eq(b.used, 0);
    ck_assert_ptr_null(q[1].dir[DIR_C2S].crypto.buf);
    struct tls_sink sink = vec_sink(&ev[0]);
    quic_finish(&q[0], &st[0], &sink);
    ck_assert_uint_eq(ev[0].n, 1);
    for (size_t i = 0; i < 2; i++) {
        stop(&q[i], &st[i], &ev[i]);
    }
}
END_TEST

START_TEST(crypto_beyond_the_buffer_cap_is_counted_and_the_message_reported_cut)
{
    /* a ClientHello header claiming 70000 bytes, then a frame far past QUIC_CRYPTO_MAX */
    static const uint8_t header[] = {0x01, 0x01, 0x11, 0x70};
    uint8_t frames[PACKET_MAX], pkt[PACKET_MAX];
    size_t n = crypto_frame(0, header, sizeof(header), frames);
    frames[n++] = 0x06;
    frames[n++] = 0x80; /* offset 0x10000 as a 4-byte varint */
    frames[n++] = 0x01;
    frames[n++] = 0x00;
    frames[n++] = 0x00;
    frames[n++] = 0x02;
    frames[n++] = 0xaa;
    frames[n++] = 0xbb;
    size_t len = seal_initial(QUIC_VERSION_1, true, 0, frames, n, 1200, pkt);
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    feed_bytes(&q, &st, DIR_C2S, pkt, len, &ev);
    ck_assert(q.dir[DIR_C2S].crypto.overflow);
    struct tls_sink sink = vec_sink(&ev);
    quic_finish(&q, &st, &sink);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_str_eq(vec_line(&ev, 0), "handshake client_hello truncated=handshake have=4 "
                                       "need=70004");
    stop(&q, &st, &ev);
}
END_TEST

START_TEST(retry_makes_the_next_client_initial_choose_the_keys)
{
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    start(&q, &st, &ev);
    /* a first client Initial with another DCID, then a Retry (v1 type 3) */
    uint8_t pkt[PACKET_MAX];
    size_t n = from_hex(rfc9001_client_packet, pkt, sizeof(pkt));
    pkt[6] ^= 0xff; /* first DCID byte: other keys, so this one does not decrypt */
    feed_bytes(&q, &st, DIR_C2S, pkt, n, &ev);
    ck_assert_uint_eq(q.dir[DIR_C2S].undecryptable, 1);
    static const uint8_t retry[] = {0xf0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 1, 2, 3, 4, 5, 6,
                                    7, 8, 't', 'o', 'k', 'e', 'n'};
    feed_bytes(&q, &st, DIR_S2C, retry, sizeof(retry), &ev);
    ck_assert(q.retry_seen);
    feed_hex(&q, &st, DIR_C2S, rfc9001_client_packet, &ev);
    ck_assert_uint_eq(ev.n, 1);
    ck_assert_uint_eq(q.dir[DIR_S2C].retry, 1);
    ck_assert_uint_eq(q.dir[DIR_C2S].initial, 1);
    stop(&q, &st, &ev);
}
END_TEST

/* ---- Handshake packets opened with the key log's secrets (RFC 9001 5.1-5.4) ---- */

/* RFC 9001 A.5: the ChaCha20-Poly1305 sample, a short header packet whose protection is that
 * of any packet under a TLS_CHACHA20_POLY1305_SHA256 traffic secret: keys, mask, payload. */
START_TEST(chacha20_keys_mask_and_payload_match_rfc9001_a5)
{
    uint8_t secret[32];
    from_hex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", secret,
             sizeof(secret));
    struct quic_keys k;
    ck_assert(quic_suite_keys(QUIC_VERSION_1, 0x1303, secret, sizeof(secret), &k));
    ck_assert_uint_eq(k.aead, QUIC_AEAD_CHACHA20_POLY1305);
    assert_hex(k.key, k.key_len,
               "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
    assert_hex(k.iv, QUIC_IV_LEN, "e0459b3474bdd0e44a41c144");
    assert_hex(k.hp, k.key_len,
               "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
    uint8_t pkt[64];
    size_t len = from_hex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", pkt, sizeof(pkt));
    /* RFC 9001 5.4.2: the sample starts 4 bytes after the Packet Number field (byte 1) */
    uint8_t mask[QUIC_MASK_LEN];
    ck_assert(quic_header_mask(&k, cur_make(pkt + 5, QUIC_SAMPLE_LEN), mask));
    assert_hex(mask, QUIC_MASK_LEN, "aefefe7d03");
    pkt[0] ^= mask[0] & 0x1f; /* RFC 9001 5.4.1: 5 bits of a short header */
    size_t pn_len = (size_t)(pkt[0] & 3) + 1;
    for (size_t i = 0; i < pn_len; i++) {
        pkt[1 + i] ^= mask[1 + i];
    }
    assert_hex(pkt, 1 + pn_len, "4200bff4");
    uint8_t plain[64];
    ck_assert(quic_open_payload(&k, 654360564, cur_make(pkt, 4), cur_make(pkt + 4, len - 4),
                                plain));
    assert_hex(plain, len - 4 - QUIC_TAG_LEN, "01");
    pkt[4] ^= 0x01;
    ck_assert(!quic_open_payload(&k, 654360564, cur_make(pkt, 4), cur_make(pkt + 4, len - 4),
                                 plain));
}
END_TEST

/* RFC 9001 5.3: AES_128_CCM_8 is not for QUIC; a secret must have the suite's hash length. */
START_TEST(suite_keys_refuse_ccm_8_unknown_suites_and_wrong_secret_lengths)
{
    uint8_t secret[48] = {1};
    struct quic_keys k;
    ck_assert(!quic_suite_keys(QUIC_VERSION_1, 0x1305, secret, 32, &k));
    ck_assert(!quic_suite_keys(QUIC_VERSION_1, 0xc02f, secret, 32, &k));
    ck_assert(!quic_suite_keys(QUIC_VERSION_1, 0x1301, secret, 48, &k));
    ck_assert(!quic_suite_keys(QUIC_VERSION_1, 0x1302, secret, 32, &k));
    ck_assert(quic_suite_keys(QUIC_VERSION_1, 0x1302, secret, 48, &k));
    ck_assert_uint_eq(k.key_len, 32);
    ck_assert(quic_suite_keys(QUIC_VERSION_1, 0x1304, secret, 32, &k));
    ck_assert_uint_eq(k.aead, QUIC_AEAD_AES_128_CCM);
    ck_assert_uint_eq(k.key_len, 16);
    /* RFC 9369 3.3.2: v2's labels give other keys from the same secret */
    struct quic_keys k2;
    ck_assert(quic_suite_keys(QUIC_VERSION_2, 0x1304, secret, 32, &k2));
    ck_assert(memcmp(k.key, k2.key, 16) != 0);
}
END_TEST

/* A connection whose user gave a key log: the sample client Initial (its ClientHello's random
 * keys the log), then what the server sends under suite. */
struct keyed_conn {
    struct quic_state q;
    struct tls_state st;
    struct vec_events ev;
    struct keylog_table *table;
    uint8_t random[32];
    uint16_t suite;
    uint8_t secret[2][48]; /* the handshake traffic secrets: client's, server's */
    size_t secret_len;
};

static void keyed_start(struct keyed_conn *c, uint32_t version, uint16_t suite)
{
    start(&c->q, &c->st, &c->ev);
    c->table = keylog_table_new(0);
    ck_assert_ptr_nonnull(c->table);
    c->st.keys = c->table;
    c->suite = suite;
    c->secret_len = suite == 0x1302 ? 48 : 32;
    for (size_t i = 0; i < 48; i++) {
        c->secret[0][i] = (uint8_t)(0x10 + i);
        c->secret[1][i] = (uint8_t)(0xa0 + i);
    }
    uint8_t ch[PACKET_MAX];
    sample_client_hello(ch);
    memcpy(c->random, ch + 6, 32); /* msg_type, length, legacy_version, then random */
    feed_hex(&c->q, &c->st, DIR_C2S,
             version == QUIC_VERSION_2 ? rfc9369_client_packet : rfc9001_client_packet, &c->ev);
    ck_assert_uint_eq(c->ev.n, 1);
}

static void keyed_stop(struct keyed_conn *c)
{
    stop(&c->q, &c->st, &c->ev);
    keylog_table_free(c->table);
}

static void keyed_put(struct keyed_conn *c, enum dir d)
{
    ck_assert(keylog_table_put(c->table, c->random,
                               d == DIR_C2S ? KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET
                                            : KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                               c->secret[d], c->secret_len));
}

/* RFC 8446 4.1.3: a ServerHello choosing suite and TLS 1.3 (supported_versions), as a CRYPTO
 * frame in a server Initial; returns the packet's length in out. */
static size_t server_hello_initial(uint32_t version, uint16_t suite, uint8_t *out)
{
    uint8_t sh[4 + 2 + 32 + 1 + 2 + 1 + 2 + 6] = {0x02, 0x00, 0x00, 46, 0x03, 0x03};
    memset(sh + 6, 0x5a, 32);
    size_t n = 6 + 32;
    sh[n++] = 0; /* legacy_session_id_echo */
    sh[n++] = (uint8_t)(suite >> 8);
    sh[n++] = (uint8_t)suite;
    sh[n++] = 0; /* legacy_compression_method */
    static const uint8_t extensions[] = {0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04};
    memcpy(sh + n, extensions, sizeof(extensions));
    n += sizeof(extensions);
    ck_assert_uint_eq(n, sizeof(sh));
    uint8_t frames[PACKET_MAX];
    size_t f = crypto_frame(0, sh, n, frames);
    return seal_initial(version, false, 0, frames, f, 0, out);
}

/* RFC 8446 4.3.1 EncryptedExtensions: ALPN "h3" (RFC 7301) and quic_transport_parameters
 * (RFC 9001 8.2) holding max_idle_timeout (RFC 9000 18.2, id 0x01) = 30000 ms. */
static const uint8_t encrypted_extensions[] = {
    0x08, 0x00, 0x00, 0x15, 0x00, 0x13,
    0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '3',
    0x00, 0x39, 0x00, 0x06, 0x01, 0x04, 0x80, 0x00, 0x75, 0x30,
};


/* RFC 8446 4.4.2: a Certificate with an empty context and vec_cert_der as its one entry. */
static size_t certificate_message(uint8_t *out)
{
    size_t n = sizeof(vec_cert_der);
    size_t body = 1 + 3 + 3 + n + 2;
    size_t i = 0;
    out[i++] = 0x0b;
    out[i++] = (uint8_t)(body >> 16);
    out[i++] = (uint8_t)(body >> 8);
    out[i++] = (uint8_t)body;
    out[i++] = 0; /* certificate_request_context */
    size_t list = 3 + n + 2;
    out[i++] = (uint8_t)(list >> 16);
    out[i++] = (uint8_t)(list >> 8);
    out[i++] = (uint8_t)list;
    out[i++] = (uint8_t)(n >> 16);
    out[i++] = (uint8_t)(n >> 8);
    out[i++] = (uint8_t)n;
    memcpy(out + i, vec_cert_der, n);
    i += n;
    out[i++] = 0; /* extensions */
    out[i++] = 0;
    return i;
}

/* RFC 8446 4.4.4: a Finished of a SHA-256 suite. */
static size_t finished_message(uint8_t *out)
{
    out[0] = 0x14;
    out[1] = 0;
    out[2] = 0;
    out[3] = 32;
    memset(out + 4, 0x77, 32);
    return 36;
}

static size_t seal_handshake(const struct keyed_conn *c, uint32_t version, enum dir d,
                             uint32_t pn, const uint8_t *frames, size_t frames_len, uint8_t *out)
{
    size_t n = quic_seal_handshake(version, c->suite, c->secret[d], c->secret_len, pn, frames,
                                   frames_len, out);
    ck_assert_uint_gt(n, 0);
    return n;
}

/* One server datagram: the ServerHello's Initial, then a Handshake packet with the
 * EncryptedExtensions and the Certificate, then one with the Finished (RFC 9000 12.2). */
static size_t server_flight(const struct keyed_conn *c, uint32_t version, uint8_t *dgram)
{
    size_t n = server_hello_initial(version, c->suite, dgram);
    uint8_t msgs[PACKET_MAX], frames[PACKET_MAX];
    size_t m = 0;
    memcpy(msgs, encrypted_extensions, sizeof(encrypted_extensions));
    m += sizeof(encrypted_extensions);
    m += certificate_message(msgs + m);
    size_t f = crypto_frame(0, msgs, m, frames);
    n += seal_handshake(c, version, DIR_S2C, 0, frames, f, dgram + n);
    uint8_t fin[64];
    size_t fin_len = finished_message(fin);
    f = crypto_frame(m, fin, fin_len, frames);
    n += seal_handshake(c, version, DIR_S2C, 1, frames, f, dgram + n);
    return n;
}

static void assert_decrypted_flight(const struct keyed_conn *c, size_t first)
{
    const struct vec_events *ev = &c->ev;
    ck_assert_uint_eq(ev->n, first + 4);
    ck_assert_str_eq(vec_line(ev, first),
                     "handshake encrypted_extensions length=21 "
                     "extensions=application_layer_protocol_negotiation,"
                     "quic_transport_parameters alpn=h3 quic_transport_parameters_length=6 "
                     "quic_transport_parameters=max_idle_timeout decrypted=true");
    ck_assert_str_eq(vec_line(ev, first + 1), "handshake certificate length=394 certificates=1 "
                                              "certificate_lengths=385 decrypted=true");
    ck_assert_msg(strncmp(vec_line(ev, first + 2),
                          "x509 index=0 length=385 subject=CN\\x3dt.example ", 47) == 0,
                  "%s", vec_line(ev, first + 2));
    ck_assert_ptr_nonnull(strstr(vec_line(ev, first + 2), " decrypted=true"));
    ck_assert_str_eq(vec_line(ev, first + 3),
                     "handshake finished length=32 verify_data_length=32 decrypted=true");
    ck_assert_str_eq(c->st.server_cert.subject, "CN=t.example");
}

/* Every suite QUIC allows (RFC 9001 5.3): the server's Handshake packets, coalesced after its
 * Initial, open with the key log's secret and read as plaintext handshakes are. */
static void server_flight_opens_with(uint16_t suite)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, suite);
    keyed_put(&c, DIR_S2C);
    keyed_put(&c, DIR_C2S);
    uint8_t dgram[QUIC_DATAGRAM_MAX];
    size_t n = server_flight(&c, QUIC_VERSION_1, dgram);
    feed_bytes(&c.q, &c.st, DIR_S2C, dgram, n, &c.ev);
    ck_assert_ptr_nonnull(strstr(vec_line(&c.ev, 1), "handshake server_hello "));
    assert_decrypted_flight(&c, 2);
    ck_assert_ptr_nonnull(c.q.handshake);
    ck_assert_uint_eq(c.q.handshake->decrypted[DIR_S2C], 2);
    ck_assert_uint_eq(c.q.dir[DIR_S2C].handshake, 2);
    /* the client's Finished in its own Handshake packet */
    uint8_t fin[64], frames[PACKET_MAX], pkt[PACKET_MAX];
    size_t f = crypto_frame(0, fin, finished_message(fin), frames);
    n = seal_handshake(&c, QUIC_VERSION_1, DIR_C2S, 0, frames, f, pkt);
    feed_bytes(&c.q, &c.st, DIR_C2S, pkt, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 7);
    ck_assert_uint_eq(c.ev.dirs[6], DIR_C2S);
    ck_assert_str_eq(vec_line(&c.ev, 6),
                     "handshake finished length=32 verify_data_length=32 decrypted=true");
    keyed_stop(&c);
}

START_TEST(handshake_packets_open_with_aes_128_gcm)
{
    server_flight_opens_with(0x1301);
}
END_TEST

START_TEST(handshake_packets_open_with_aes_256_gcm_sha384)
{
    server_flight_opens_with(0x1302);
}
END_TEST

START_TEST(handshake_packets_open_with_chacha20_poly1305)
{
    server_flight_opens_with(0x1303);
}
END_TEST

START_TEST(handshake_packets_open_with_aes_128_ccm)
{
    server_flight_opens_with(0x1304);
}
END_TEST

/* RFC 9369 3.3.2: a v2 connection's keys come from the "quicv2" labels. */
START_TEST(v2_handshake_packets_open_with_the_v2_labels)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_2, 0x1301);
    keyed_put(&c, DIR_S2C);
    uint8_t dgram[QUIC_DATAGRAM_MAX];
    size_t n = server_flight(&c, QUIC_VERSION_2, dgram);
    feed_bytes(&c.q, &c.st, DIR_S2C, dgram, n, &c.ev);
    assert_decrypted_flight(&c, 2);
    keyed_stop(&c);
}
END_TEST

/* No key log: Handshake packets are counted as before, nothing is made or printed. */
START_TEST(without_keys_handshake_packets_are_only_counted)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, 0x1301);
    c.st.keys = NULL;
    uint8_t dgram[QUIC_DATAGRAM_MAX];
    size_t n = server_flight(&c, QUIC_VERSION_1, dgram);
    feed_bytes(&c.q, &c.st, DIR_S2C, dgram, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 2);
    ck_assert_ptr_null(c.q.handshake);
    ck_assert_uint_eq(c.q.dir[DIR_S2C].handshake, 2);
    ck_assert_uint_eq(c.st.dir[DIR_S2C].encrypted_records, 2);
    keyed_stop(&c);
}
END_TEST

/* Secrets that come later (a key log read as it grows): the table is searched again once it
 * changed, and the next Handshake packets open. */
START_TEST(secrets_arriving_later_open_the_next_handshake_packets)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, 0x1301);
    uint8_t dgram[QUIC_DATAGRAM_MAX];
    size_t n = server_flight(&c, QUIC_VERSION_1, dgram);
    feed_bytes(&c.q, &c.st, DIR_S2C, dgram, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 2); /* no secret: nothing opened, nothing failed */
    ck_assert_uint_eq(c.q.handshake->decrypted[DIR_S2C], 0);
    ck_assert_uint_eq(c.q.handshake->failed[DIR_S2C], 0);
    keyed_put(&c, DIR_S2C);
    /* the server retransmits its handshake flight (RFC 9002 6.2.1) in new packets */
    uint8_t msgs[PACKET_MAX], frames[PACKET_MAX], pkt[PACKET_MAX];
    size_t m = sizeof(encrypted_extensions);
    memcpy(msgs, encrypted_extensions, m);
    m += certificate_message(msgs + m);
    m += finished_message(msgs + m);
    size_t f = crypto_frame(0, msgs, m, frames);
    n = seal_handshake(&c, QUIC_VERSION_1, DIR_S2C, 2, frames, f, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    assert_decrypted_flight(&c, 2);
    keyed_stop(&c);
}
END_TEST

/* Keys that do not open a packet: decrypt=failed on its line, and the connection goes on. */
START_TEST(a_wrong_secret_gives_decrypt_failed_and_the_flow_goes_on)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, 0x1301);
    keyed_put(&c, DIR_S2C);
    uint8_t dgram[QUIC_DATAGRAM_MAX];
    c.secret[DIR_S2C][0] ^= 0xff; /* sealed with another secret than the log's */
    size_t n = server_flight(&c, QUIC_VERSION_1, dgram);
    feed_bytes(&c.q, &c.st, DIR_S2C, dgram, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 4);
    ck_assert_ptr_nonnull(strstr(vec_line(&c.ev, 1), "handshake server_hello "));
    ck_assert_str_eq(vec_line(&c.ev, 2), "packet packet_type=handshake decrypt=failed");
    ck_assert_str_eq(vec_line(&c.ev, 3), "packet packet_type=handshake decrypt=failed");
    ck_assert_uint_eq(c.q.handshake->failed[DIR_S2C], 2);
    ck_assert_uint_eq(c.q.dir[DIR_S2C].handshake, 2);
    ck_assert_uint_eq(c.st.dir[DIR_S2C].encrypted_records, 2);
    ck_assert(!c.q.closed);
    keyed_stop(&c);
}
END_TEST

/* A Handshake packet before the ServerHello: no suite yet, so it is only counted. */
START_TEST(a_handshake_packet_before_the_server_hello_is_only_counted)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, 0x1301);
    keyed_put(&c, DIR_S2C);
    uint8_t frames[PACKET_MAX], pkt[PACKET_MAX];
    size_t f = crypto_frame(0, encrypted_extensions, sizeof(encrypted_extensions), frames);
    size_t n = seal_handshake(&c, QUIC_VERSION_1, DIR_S2C, 0, frames, f, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 1);
    ck_assert_ptr_null(c.q.handshake);
    ck_assert_uint_eq(c.q.dir[DIR_S2C].handshake, 1);
    keyed_stop(&c);
}
END_TEST

/* The Handshake level's CRYPTO stream is joined by offset as the Initial's: a message split
 * over two packets arriving in reverse order, in their own datagrams; its packet numbers
 * decode against the largest of the Handshake space (RFC 9000 A.3). */
START_TEST(handshake_crypto_split_over_packets_in_reverse_order_is_joined)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, 0x1301);
    keyed_put(&c, DIR_S2C);
    uint8_t pkt[PACKET_MAX];
    size_t n = server_hello_initial(QUIC_VERSION_1, 0x1301, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    uint8_t msgs[PACKET_MAX], frames[PACKET_MAX];
    size_t m = sizeof(encrypted_extensions);
    memcpy(msgs, encrypted_extensions, m);
    m += certificate_message(msgs + m);
    m += finished_message(msgs + m);
    size_t half = 200;
    size_t f = crypto_frame(half, msgs + half, m - half, frames);
    n = seal_handshake(&c, QUIC_VERSION_1, DIR_S2C, 1, frames, f, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 2);
    f = crypto_frame(0, msgs, half, frames);
    n = seal_handshake(&c, QUIC_VERSION_1, DIR_S2C, 0, frames, f, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    assert_decrypted_flight(&c, 2);
    ck_assert_uint_eq(c.q.handshake->largest_pn[DIR_S2C], 1);
    keyed_stop(&c);
}
END_TEST

/* A message the Handshake stream never completes is reported at the end, marked decrypted. */
START_TEST(an_incomplete_decrypted_message_is_reported_at_the_end)
{
    struct keyed_conn c;
    keyed_start(&c, QUIC_VERSION_1, 0x1301);
    keyed_put(&c, DIR_S2C);
    uint8_t pkt[PACKET_MAX];
    size_t n = server_hello_initial(QUIC_VERSION_1, 0x1301, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    uint8_t frames[PACKET_MAX];
    size_t f = crypto_frame(0, encrypted_extensions, 10, frames);
    n = seal_handshake(&c, QUIC_VERSION_1, DIR_S2C, 0, frames, f, pkt);
    feed_bytes(&c.q, &c.st, DIR_S2C, pkt, n, &c.ev);
    ck_assert_uint_eq(c.ev.n, 2);
    struct tls_sink sink = vec_sink(&c.ev);
    quic_finish(&c.q, &c.st, &sink);
    ck_assert_uint_eq(c.ev.n, 3);
    ck_assert_str_eq(vec_line(&c.ev, 2), "handshake encrypted_extensions truncated=handshake "
                                         "have=10 need=25 decrypted=true");
    keyed_stop(&c);
}
END_TEST

Suite *suite_quic(void)
{
    Suite *s = suite_create("quic");
    TCase *tc = tcase_create("rfc_vectors");
    tcase_add_test(tc, v1_initial_secrets_and_keys_match_rfc9001_a1);
    tcase_add_test(tc, v2_initial_secrets_and_keys_match_rfc9369_a1);
    tcase_add_test(tc, v1_client_initial_unprotects_to_the_crypto_frame_of_rfc9001_a2);
    tcase_add_test(tc, v1_server_initial_unprotects_to_the_payload_of_rfc9001_a3);
    tcase_add_test(tc, v2_client_initial_unprotects_to_the_crypto_frame_of_rfc9369_a2);
    tcase_add_test(tc, v2_server_initial_unprotects_to_the_payload_of_rfc9369_a3);
    tcase_add_test(tc, client_and_server_initials_give_hello_lines_v1);
    tcase_add_test(tc, client_and_server_initials_give_hello_lines_v2);
    suite_add_tcase(s, tc);
    tc = tcase_create("datagrams");
    tcase_add_test(tc, client_hello_split_across_initial_packets_out_of_order_is_joined);
    tcase_add_test(tc, crypto_frames_reversed_inside_one_packet_are_joined);
    tcase_add_test(tc, packets_arriving_in_reverse_number_order_still_decrypt);
    tcase_add_test(tc, every_prefix_of_the_client_initial_is_reported_not_read);
    tcase_add_test(tc, garbage_initial_is_counted_undecryptable);
    tcase_add_test(tc, truncated_length_is_reported_with_have_and_need);
    tcase_add_test(tc, coalesced_initial_handshake_and_short_packets_are_each_counted);
    tcase_add_test(tc, connection_close_in_an_initial_is_an_event_with_its_alert);
    tcase_add_test(tc, a_frame_not_allowed_in_initial_packets_is_malformed);
    tcase_add_test(tc, crypto_beyond_the_buffer_cap_is_counted_and_the_message_reported_cut);
    tcase_add_test(tc, held_crypto_bytes_are_charged_and_dropped_over_budget);
    tcase_add_test(tc, retry_makes_the_next_client_initial_choose_the_keys);
    suite_add_tcase(s, tc);
    tc = tcase_create("handshake_keys");
    tcase_add_test(tc, chacha20_keys_mask_and_payload_match_rfc9001_a5);
    tcase_add_test(tc, suite_keys_refuse_ccm_8_unknown_suites_and_wrong_secret_lengths);
    tcase_add_test(tc, handshake_packets_open_with_aes_128_gcm);
    tcase_add_test(tc, handshake_packets_open_with_aes_256_gcm_sha384);
    tcase_add_test(tc, handshake_packets_open_with_chacha20_poly1305);
    tcase_add_test(tc, handshake_packets_open_with_aes_128_ccm);
    tcase_add_test(tc, v2_handshake_packets_open_with_the_v2_labels);
    tcase_add_test(tc, without_keys_handshake_packets_are_only_counted);
    tcase_add_test(tc, secrets_arriving_later_open_the_next_handshake_packets);
    tcase_add_test(tc, a_wrong_secret_gives_decrypt_failed_and_the_flow_goes_on);
    tcase_add_test(tc, a_handshake_packet_before_the_server_hello_is_only_counted);
    tcase_add_test(tc, handshake_crypto_split_over_packets_in_reverse_order_is_joined);
    tcase_add_test(tc, an_incomplete_decrypted_message_is_reported_at_the_end);
    suite_add_tcase(s, tc);
    return s;
}
