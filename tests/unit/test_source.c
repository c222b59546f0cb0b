/*
 * test_source.c - source.c driven through source.h on capture files written here
 * byte by byte (pcap in both byte orders and precisions, pcapng), plus the public
 * captures of ../shared/pcaps when present: error messages, timestamps and their
 * clamping, filters, stdin, counters, truncation. Links decode.o (link type check).
 */
#include <stdlib.h>
#include <unistd.h>

#include "decode.h"
#include "source.h"
#include "testhelp.h"

#define PCAPS "../shared/pcaps"

static char dir[] = "/tmp/test_source.XXXXXX";
static char path[256];
static uint8_t file[4096];
static size_t file_len;

/* An Ethernet/IPv4/TCP frame (54 bytes) and an Ethernet/IPv4/UDP one (42 bytes). */
static const uint8_t tcp_frame[54] = {
    0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x00,
    0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};
static const uint8_t udp_frame[42] = {
    0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x00,
    0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x14, 0xe9, 0, 53, 0, 8, 0, 0,
};

static void put32(uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        file[file_len++] = (uint8_t)(big ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(unsigned v, int big)
{
    file[file_len++] = (uint8_t)(big ? v >> 8 : v);
    file[file_len++] = (uint8_t)(big ? v : v >> 8);
}

static void putn(const void *p, size_t n)
{
    memcpy(file + file_len, p, n);
    file_len += n;
}

static void pcap_head(uint32_t magic, int big, unsigned linktype)
{
    file_len = 0;
    put32(magic, big);
    put16(2, big);
    put16(4, big);
    put32(0, big);
    put32(0, big);
    put32(65535, big);
    put32(linktype, big);
}

static void pcap_rec(uint32_t sec, uint32_t frac, const void *p, uint32_t caplen,
                     uint32_t wirelen, int big)
{
    put32(sec, big);
    put32(frac, big);
    put32(caplen, big);
    put32(wirelen, big);
    putn(p, caplen);
}

/* Write file[0..file_len) to dir/name; path then names it. */
static const char *save(const char *name)
{
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "wb");
    if (!fp || fwrite(file, 1, file_len, fp) != file_len || fclose(fp) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    return path;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void expect_open_error(const char *p, const char *filter, const char *want)
{
    char err[HTTPCAP_ERRBUF] = "";
    struct source *s = source_open_file(p, filter, err);

    CHECK(s == NULL);
    source_close(s);
    CHECK_STR(err, want);
}

static void test_open_errors(void)
{
    char want[HTTPCAP_ERRBUF + 300];
    char err[HTTPCAP_ERRBUF] = "";
    struct source *s;

    expect_open_error("/nonexistent/x.pcap", NULL,
                      "/nonexistent/x.pcap: No such file or directory");

    file_len = 0;
    putn("hello, world\n", 13);
    snprintf(want, sizeof want, "%s: not a pcap or pcapng capture (bad magic)", save("t.txt"));
    expect_open_error(path, NULL, want);

    file_len = 0;
    snprintf(want, sizeof want, "%s: empty file, not a pcap or pcapng capture", save("empty"));
    expect_open_error(path, NULL, want);

    pcap_head(0xa1b2c3d4, 0, 7);
    snprintf(want, sizeof want, "%s: link type 7 (ARCNET) is not supported", save("arc.pcap"));
    expect_open_error(path, NULL, want);

    pcap_head(0xa1b2c3d4, 0, 1);
    save("ok.pcap");
    s = source_open_file(path, "tcp porrt 80", err);
    CHECK(s == NULL);
    source_close(s);
    CHECK(starts_with(err, "bad filter 'tcp porrt 80': "));
    CHECK(strlen(err) > strlen("bad filter 'tcp porrt 80': "));
    source_close(NULL);
}

/* Little-endian microsecond pcap: times, lengths, counters, clean end. */
static void test_read_micro(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    struct source_packet pkt;
    struct source_stats st;
    struct source *s;

    pcap_head(0xa1b2c3d4, 0, 1);
    pcap_rec(1700000000, 123456, tcp_frame, 54, 54, 0);
    pcap_rec(1700000001, 999999, udp_frame, 40, 60, 0);
    s = source_open_file(save("micro.pcap"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_linktype(s), 1);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 1700000000123456000LL);
    CHECK_INT(pkt.ts_clamped, 0);
    CHECK_INT(pkt.caplen, 54);
    CHECK_INT(pkt.wirelen, 54);
    CHECK_INT(pkt.linktype, 1);
    CHECK_INT(pkt.index, 1);
    CHECK(memcmp(pkt.data, tcp_frame, 54) == 0);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 1700000001999999000LL);
    CHECK_INT(pkt.caplen, 40);
    CHECK_INT(pkt.wirelen, 60);
    CHECK_INT(pkt.index, 2);
    CHECK_INT(source_next(s, &pkt, err), 0);
    source_stats(s, &st);
    CHECK_INT(st.packets, 2);
    CHECK_INT(st.bytes, 114);
    CHECK_INT(st.kernel_drops, 0);
    source_close(s);
}

/* Big-endian nanosecond pcap: exact ns; a fraction of 1 s or more is clamped. */
static void test_read_nano(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    struct source_packet pkt;
    struct source *s;

    pcap_head(0xa1b23c4d, 1, 1);
    pcap_rec(0xffffffffu, 5, tcp_frame, 54, 54, 1); /* 2106: late but sane */
    pcap_rec(1700000000, 123456789, tcp_frame, 54, 54, 1);
    pcap_rec(1700000001, 0xffffffffu, tcp_frame, 54, 54, 1);
    s = source_open_file(save("nano.pcap"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 4294967295000000005LL);
    CHECK_INT(pkt.ts_clamped, 0);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 1700000000123456789LL);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_clamped, 1);
    CHECK_INT(pkt.ts_ns, 1700000000123456789LL); /* the previous sane time */
    CHECK_INT(source_next(s, &pkt, err), 0);
    source_close(s);
}

static void pcapng_epb(uint64_t ts_us, const void *p, uint32_t n)
{
    uint32_t pad = (4 - n % 4) % 4;
    static const uint8_t zero[4];

    put32(6, 0);
    put32(32 + n + pad, 0);
    put32(0, 0);
    put32((uint32_t)(ts_us >> 32), 0);
    put32((uint32_t)ts_us, 0);
    put32(n, 0);
    put32(n, 0);
    putn(p, n);
    putn(zero, pad);
    put32(32 + n + pad, 0);
}

/* pcapng with a time 1.8e22 ns after the epoch, as one public capture has. */
static void test_pcapng_clamp(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    struct source_packet pkt;
    struct source *s;

    file_len = 0;
    put32(0x0a0d0d0a, 0); /* section header block */
    put32(28, 0);
    put32(0x1a2b3c4d, 0);
    put16(1, 0);
    put16(0, 0);
    put32(0xffffffff, 0);
    put32(0xffffffff, 0);
    put32(28, 0);
    put32(1, 0); /* interface description block: Ethernet, microseconds */
    put32(20, 0);
    put16(1, 0);
    put16(0, 0);
    put32(65535, 0);
    put32(20, 0);
    pcapng_epb(18000000000000000000ULL, udp_frame, 42);
    pcapng_epb(1700000000000001ULL, tcp_frame, 54);
    pcapng_epb(18000000000000000000ULL, udp_frame, 42);
    s = source_open_file(save("clamp.pcapng"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_clamped, 1);
    CHECK_INT(pkt.ts_ns, 0); /* nothing sane yet */
    CHECK_INT(pkt.caplen, 42);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_clamped, 0);
    CHECK_INT(pkt.ts_ns, 1700000000000001000LL);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_clamped, 1);
    CHECK_INT(pkt.ts_ns, 1700000000000001000LL);
    CHECK_INT(source_next(s, &pkt, err), 0);
    source_close(s);
}

static void test_truncated(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    char want[HTTPCAP_ERRBUF + 300];
    struct source_packet pkt;
    struct source *s;

    pcap_head(0xa1b2c3d4, 0, 1);
    pcap_rec(1700000000, 0, tcp_frame, 54, 54, 0);
    pcap_rec(1700000000, 1, tcp_frame, 54, 54, 0);
    file_len -= 44; /* the second record keeps 10 of its 54 bytes */
    s = source_open_file(save("trunc.pcap"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(source_next(s, &pkt, err), -1);
    snprintf(want, sizeof want, "%s: offset %zu: truncated", path, file_len);
    if (!starts_with(err, want))
        fprintf(stderr, "got \"%s\", want it to start with \"%s\"\n", err, want);
    CHECK(starts_with(err, want));
    source_close(s);
}

static void test_filter_and_stdin(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    struct source_packet pkt;
    struct source_stats st;
    struct source *s;

    pcap_head(0xa1b2c3d4, 0, 1);
    pcap_rec(1, 0, udp_frame, 42, 42, 0);
    pcap_rec(2, 0, tcp_frame, 54, 54, 0);
    pcap_rec(3, 0, udp_frame, 42, 42, 0);
    s = source_open_file(save("mixed.pcap"), "tcp", err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 2000000000LL);
    CHECK_INT(pkt.caplen, 54);
    CHECK_INT(source_next(s, &pkt, err), 0);
    source_stats(s, &st);
    CHECK_INT(st.packets, 1);
    source_close(s);

    if (!freopen(path, "rb", stdin)) {
        CHECK(!"freopen stdin");
        return;
    }
    s = source_open_file("-", "udp", err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 1000000000LL);
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(pkt.ts_ns, 3000000000LL);
    CHECK_INT(source_next(s, &pkt, err), 0);
    source_close(s);
}

struct expected {
    const char *file;
    int packets;  /* all packets read */
    int segments; /* of which decode to TCP (tshark -Y tcp agrees) */
};

/* Public captures of every link type and encapsulation: counts match tshark's. */
static void test_public_captures(void)
{
    static const struct expected cases[] = {
        {"suricata-decode-sll2-02.pcap", 159, 159},
        {"ndpi-quickplay.pcap", 155, 155},
        {"ndpi-hls.pcapng", 13, 13},
        {"pcapplusplus-four_ipv6_http_streams.pcap", 81, 81},
        {"zeek-http-basic-auth-with-colon.pcap", 12, 12},
        {"zeek-nflog-http.pcap", 13, 13},
        {"arkime-80211http.pcap", 26, 26},
        {"suricata-decode-chdlc-01-hdlc-http.pcap", 17, 17},
        {"suricata-pppoe-session-http.pcap", 30, 30},
        {"zeek-mixed-vlan-mpls.pcap", 47, 47},
        {"zeek-tunnels-vxlan-encapsulated-http.pcap", 12, 12},
        {"zeek-tunnels-Teredo.pcap", 78, 33},
        {"suricata-http-ipv6.pcap", 14, 14},
        {"pcapplusplus-nanosecs_big_endian.pcap", 10, 10},
        {"pcapplusplus-example2.pcap", 4709, 4321},
    };
    char p[512], err[HTTPCAP_ERRBUF];

    if (access(PCAPS, R_OK) != 0) {
        printf("skipped: %s not found, public captures not checked\n", PCAPS);
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct source_packet pkt;
        struct segment seg;
        struct source *s;
        int packets = 0, segments = 0, rc;

        snprintf(p, sizeof p, "%s/%s", PCAPS, cases[i].file);
        s = source_open_file(p, NULL, err);
        if (!s) {
            fprintf(stderr, "%s\n", err);
            CHECK(s != NULL);
            continue;
        }
        while ((rc = source_next(s, &pkt, err)) == 1) {
            packets++;
            segments += decode_packet(pkt.linktype, pkt.data, pkt.caplen, pkt.wirelen,
                                      pkt.ts_ns, &seg) == DECODE_OK;
        }
        if (packets != cases[i].packets || segments != cases[i].segments)
            fprintf(stderr, "%s: %d packets, %d segments\n", cases[i].file, packets, segments);
        CHECK_INT(rc, 0);
        CHECK_INT(packets, cases[i].packets);
        CHECK_INT(segments, cases[i].segments);
        source_close(s);
    }

    /* ARCNET: refused at open, naming the link type */
    snprintf(p, sizeof p, "%s/tcpdump-arcnet-rfc1201-arp-icmp-http.pcap", PCAPS);
    CHECK(source_open_file(p, NULL, err) == NULL);
    CHECK(strstr(err, ": link type 129 (ARCNET_LINUX) is not supported") != NULL);
}

/* libpcap 1.10 stops at a second pcapng interface of another link type. */
static void test_pcapng_two_linktypes(void)
{
    char p[512], err[HTTPCAP_ERRBUF];
    struct source_packet pkt;
    struct source *s;
    int packets = 0, rc;

    snprintf(p, sizeof p, "%s/pcapplusplus-pcapng-example.pcapng", PCAPS);
    if (access(p, R_OK) != 0) {
        printf("skipped: %s not found\n", p);
        return;
    }
    s = source_open_file(p, NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    while ((rc = source_next(s, &pkt, err)) == 1)
        packets++;
    CHECK_INT(rc, -1);
    CHECK_INT(packets, 59);
    CHECK(starts_with(err, p) && strstr(err, ": offset ") && strstr(err, "different"));
    source_close(s);
}

static void cleanup(void)
{
    static const char *const names[] = {"t.txt",    "empty",          "arc.pcap",
                                        "ok.pcap",  "micro.pcap",     "nano.pcap",
                                        "trunc.pcap", "clamp.pcapng", "mixed.pcap"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_open_errors();
    test_read_micro();
    test_read_nano();
    test_pcapng_clamp();
    test_truncated();
    test_filter_and_stdin();
    test_public_captures();
    test_pcapng_two_linktypes();
    cleanup();
    return TEST_REPORT();
}
