/* The benchmark's baseline: libpcap reading a capture file and touching each packet, nothing
 * else. hsdump's time is reported as a ratio to this loop's (bench/run.sh). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct tally {
    uint64_t packets;
    uint64_t bytes;
    uint64_t first_bytes; /* reads a payload byte so the packet data is really touched */
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct tally *t = (struct tally *)user;

    t->packets++;
    t->bytes += h->caplen;
    if (h->caplen > 0) {
        t->first_bytes += bytes[h->caplen - 1];
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap_loop: %s\n", errbuf);
        return 2;
    }
    struct tally t = {0, 0, 0};
    if (pcap_loop(p, -1, on_packet, (u_char *)&t) == PCAP_ERROR) {
        fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 2;
    }
    pcap_close(p);
    printf("packets=%llu bytes=%llu check=%llu\n", (unsigned long long)t.packets,
           (unsigned long long)t.bytes, (unsigned long long)t.first_bytes);
    return 0;
}
