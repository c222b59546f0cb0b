/*
 * test_live.c - live.c through live.h: error messages, the interface list, and (when we
 * may capture on "lo") filter errors, the read timeout on a quiet interface, live_break,
 * packets sent to ourselves and the --write-pcap file. Without the privilege the capture
 * checks are skipped with a note on stderr.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "testhelp.h"

#define PAYLOAD_BYTES 100
#define LO_FRAME_BYTES (14 + 20 + 8 + PAYLOAD_BYTES) /* Ethernet + IPv4 + UDP + payload */

struct seen {
    int packets;
    uint64_t last_index;
    uint32_t caplen;
    uint32_t wirelen;
    int linktype;
    int64_t ts_ns;
    int ts_clamped;
};

static void on_packet(void *ctx, const struct source_packet *pkt)
{
    struct seen *s = ctx;

    s->packets++;
    s->last_index = pkt->index;
    s->caplen = pkt->caplen;
    s->wirelen = pkt->wirelen;
    s->linktype = pkt->linktype;
    s->ts_ns = pkt->ts_ns;
    s->ts_clamped = pkt->ts_clamped;
}

static double now_s(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_defaults(void)
{
    struct live_options o;

    live_defaults(&o);
    CHECK(o.iface == NULL);
    CHECK(o.filter == NULL);
    CHECK(o.write_pcap == NULL);
    CHECK_INT(o.snaplen, 262144);
    CHECK_INT(o.buffer_mib, 64);
    CHECK_INT(o.promisc, 1);
    CHECK_INT(o.timeout_ms, 100);
}

static void test_no_such_interface(void)
{
    struct live_options o;
    char err[HTTPCAP_ERRBUF] = "";
    struct live *l;

    live_defaults(&o);
    o.iface = "no-such-if0";
    l = live_open(&o, err);
    CHECK(l == NULL);
    if (strcmp(err, "no-such-if0: no such interface") != 0)
        CHECK_STR(err, "no-such-if0: permission denied (capturing needs root or CAP_NET_RAW)");
    else
        CHECK_STR(err, "no-such-if0: no such interface");
    live_close(l);
    live_close(NULL);
}

static void test_list_interfaces(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    char line[512];
    FILE *f = tmpfile();
    int has_lo = 0;

    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_INT(live_list_interfaces(f, err), 0);
    rewind(f);
    while (fgets(line, sizeof line, f)) {
        if (starts_with(line, "lo  ")) {
            has_lo = 1;
            CHECK(strstr(line, "loopback") != NULL);
        }
    }
    CHECK(has_lo);
    fclose(f);
}

/* 1 when this process may capture on lo, else a note and 0. */
static int can_capture(void)
{
    struct live_options o;
    char err[HTTPCAP_ERRBUF] = "";
    struct live *l;

    live_defaults(&o);
    o.iface = "lo";
    l = live_open(&o, err);
    if (!l) {
        fprintf(stderr, "test_live: capture checks skipped: %s\n", err);
        return 0;
    }
    CHECK_INT(live_linktype(l), 1); /* DLT_EN10MB */
    live_close(l);
    return 1;
}

static void test_bad_filter_and_file(void)
{
    struct live_options o;
    char err[HTTPCAP_ERRBUF] = "";

    live_defaults(&o);
    o.iface = "lo";
    o.filter = "tcp port";
    CHECK(live_open(&o, err) == NULL);
    CHECK(starts_with(err, "bad filter 'tcp port': "));
    CHECK(strchr(err, '\n') == NULL);

    o.filter = NULL;
    o.write_pcap = "/nonexistent-dir/x.pcap";
    CHECK(live_open(&o, err) == NULL);
    CHECK_STR(err, "/nonexistent-dir/x.pcap: cannot write: No such file or directory");
}

/* A quiet interface must not hold live_dispatch past the read timeout (TPACKET_V3). */
static void test_timeout_and_break(void)
{
    struct live_options o;
    char err[HTTPCAP_ERRBUF] = "";
    struct seen s;
    struct live *l;
    double t0;

    memset(&s, 0, sizeof s);
    live_defaults(&o);
    o.iface = "lo";
    o.filter = "udp port 9 and host 192.0.2.1";
    o.timeout_ms = 50;
    l = live_open(&o, err);
    CHECK(l != NULL);
    if (!l)
        return;
    t0 = now_s(CLOCK_MONOTONIC);
    CHECK_INT(live_dispatch(l, 0, on_packet, &s, err), 0);
    CHECK(now_s(CLOCK_MONOTONIC) - t0 < 1.0);

    live_break(l);
    t0 = now_s(CLOCK_MONOTONIC);
    CHECK_INT(live_dispatch(l, 0, on_packet, &s, err), 0);
    CHECK(now_s(CLOCK_MONOTONIC) - t0 < 0.04);
    CHECK_INT(s.packets, 0);
    live_close(l);
}

static int udp_socket(struct sockaddr_in *addr)
{
    socklen_t len = sizeof *addr;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static long file_size(const char *path, uint8_t magic[4])
{
    FILE *f = fopen(path, "rb");
    long n;

    if (!f)
        return -1;
    if (fread(magic, 1, 4, f) != 4)
        memset(magic, 0, 4);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fclose(f);
    return n;
}

static void test_packets_and_dump(void)
{
    struct live_options o;
    char err[HTTPCAP_ERRBUF] = "";
    char filter[64];
    char path[] = "/tmp/test_live_XXXXXX";
    uint8_t payload[PAYLOAD_BYTES];
    uint8_t magic[4];
    struct sockaddr_in addr;
    struct source_stats st;
    struct seen s;
    struct live *l;
    double t0;
    int fd = udp_socket(&addr);
    int tmp = mkstemp(path);

    CHECK(fd >= 0);
    CHECK(tmp >= 0);
    if (fd < 0 || tmp < 0)
        return;
    close(tmp);
    memset(&s, 0, sizeof s);
    memset(payload, 'x', sizeof payload);
    snprintf(filter, sizeof filter, "udp dst port %u", (unsigned)ntohs(addr.sin_port));
    live_defaults(&o);
    o.iface = "lo";
    o.filter = filter;
    o.timeout_ms = 20;
    o.write_pcap = path;
    l = live_open(&o, err);
    CHECK(l != NULL);
    if (!l) {
        fprintf(stderr, "live_open: %s\n", err);
        close(fd);
        return;
    }
    for (int i = 0; i < 3; i++)
        CHECK_INT(sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&addr, sizeof addr),
                  PAYLOAD_BYTES);
    t0 = now_s(CLOCK_MONOTONIC);
    while (s.packets < 3 && now_s(CLOCK_MONOTONIC) - t0 < 3.0)
        CHECK(live_dispatch(l, 0, on_packet, &s, err) >= 0);
    CHECK_INT(s.packets, 3);
    CHECK_INT(s.last_index, 3);
    CHECK_INT(s.caplen, LO_FRAME_BYTES);
    CHECK_INT(s.wirelen, LO_FRAME_BYTES);
    CHECK_INT(s.linktype, 1);
    CHECK_INT(s.ts_clamped, 0);
    CHECK(s.ts_ns / 1e9 > now_s(CLOCK_REALTIME) - 10 && s.ts_ns / 1e9 < now_s(CLOCK_REALTIME) + 1);
    live_stats(l, &st);
    CHECK_INT(st.packets, 3);
    CHECK_INT(st.bytes, 3 * LO_FRAME_BYTES);
    CHECK_INT(st.kernel_drops, 0);
    live_close(l);
    close(fd);

    /* A classic pcap file: 24-byte header, then 16 bytes + frame per packet. */
    CHECK_INT(file_size(path, magic), 24 + 3 * (16 + LO_FRAME_BYTES));
    CHECK((magic[0] == 0x4d && magic[1] == 0x3c) || (magic[0] == 0xd4 && magic[1] == 0xc3));
    unlink(path);
}

int main(void)
{
    test_defaults();
    test_no_such_interface();
    test_list_interfaces();
    if (can_capture()) {
        test_bad_filter_and_file();
        test_timeout_and_break();
        test_packets_and_dump();
    }
    return TEST_REPORT();
}
