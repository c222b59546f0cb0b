/*
 * pcaploop.c - the floor of `make bench`: a bare pcap_next_ex() loop over a capture.
 * Owns: nothing but its counters.
 * In:   FILE (pcap or pcapng; "-" is standard input).
 * Out:  one line on stdout: packets, captured bytes and wire bytes read.
 * Never: looks inside a packet.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: pcaploop FILE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (p == NULL) {
        fprintf(stderr, "pcaploop: %s\n", err);
        return 1;
    }
    uint64_t packets = 0;
    uint64_t caplen_bytes = 0;
    uint64_t wire_bytes = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        caplen_bytes += h->caplen;
        wire_bytes += h->len;
    }
    int status = 0;
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcaploop: %s: %s\n", argv[1], pcap_geterr(p));
        status = 1;
    }
    pcap_close(p);
    printf("packets=%" PRIu64 " caplen_bytes=%" PRIu64 " wire_bytes=%" PRIu64 "\n", packets,
           caplen_bytes, wire_bytes);
    return status;
}
