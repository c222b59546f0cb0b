/*
 * test_live.c - live.c through live.h: error messages, the interface list, and (when we
 * may capture on "lo") filter errors, the read timeout on a quiet interface, live_break,
 * packets sent to ourselves and the --write-pcap file; a PACKET_FANOUT group of two
 * handles: packets sprayed while it forms are delivered at most once, then every packet
 * of many two-way flows exactly once, both directions of a flow to the same handle, each
 * handle getting some. Without the privilege the capture checks are skipped with a note
 * on stderr.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* ---- the fanout group ---- */

#define GROUP_FLOWS 64          /* two-way flows after the group formed */
#define SPRAY_MAX (1 << 20)        /* sequence numbers of packets sent while it forms */
#define UDP_PAYLOAD_AT 42       /* Ethernet 14 + IPv4 20 + UDP 8 on lo */

struct group_seen {
    uint8_t spray[2][SPRAY_MAX];        /* [handle][seq]: times delivered */
    uint8_t flow[2][GROUP_FLOWS][2];    /* [handle][flow][direction]: times delivered */
    int packets[2];
    int handle;                         /* the handle being read */
    int odd;                            /* packets not of this test */
};

/* Payload "S" + 4-byte seq (sprayed), or "F" + flow + direction. */
static void on_group_packet(void *ctx, const struct source_packet *pkt)
{
    struct group_seen *g = ctx;
    const uint8_t *p = pkt->data + UDP_PAYLOAD_AT;
    uint32_t seq;

    g->packets[g->handle]++;
    if (pkt->caplen >= UDP_PAYLOAD_AT + 5 && p[0] == 'S') {
        memcpy(&seq, p + 1, 4);
        if (seq < SPRAY_MAX) {
            g->spray[g->handle][seq]++;
            return;
        }
    } else if (pkt->caplen >= UDP_PAYLOAD_AT + 3 && p[0] == 'F' && p[1] < GROUP_FLOWS &&
               p[2] < 2) {
        g->flow[g->handle][p[1]][p[2]]++;
        return;
    }
    g->odd++;
}

struct sprayer {
    int fd;
    struct sockaddr_in to;
    atomic_int stop;
    uint32_t sent;
};

/* Send "S" + seq to the receiver as fast as it goes until told to stop. */
static void *spray(void *arg)
{
    struct sprayer *s = arg;
    uint8_t msg[5] = {'S'};

    while (!atomic_load(&s->stop) && s->sent < SPRAY_MAX) {
        memcpy(msg + 1, &s->sent, 4);
        if (sendto(s->fd, msg, sizeof msg, 0, (struct sockaddr *)&s->to, sizeof s->to) > 0)
            s->sent++;
    }
    return NULL;
}

/* Read both handles until neither has delivered anything for 300 ms. */
static void read_group(struct live **l, struct group_seen *g)
{
    char err[HTTPCAP_ERRBUF];
    double quiet = now_s(CLOCK_MONOTONIC);

    while (now_s(CLOCK_MONOTONIC) - quiet < 0.3) {
        for (int h = 0; h < 2; h++) {
            g->handle = h;
            int n = live_dispatch(l[h], 0, on_group_packet, g, err);
            CHECK(n >= 0);
            if (n > 0)
                quiet = now_s(CLOCK_MONOTONIC);
        }
    }
}

/* Flow i sends "F" i 0 from a[i] to b[i], and b[i] answers "F" i 1. */
static void send_flows(int a[GROUP_FLOWS], int b[GROUP_FLOWS],
                       struct sockaddr_in addr_a[GROUP_FLOWS],
                       struct sockaddr_in addr_b[GROUP_FLOWS])
{
    for (int i = 0; i < GROUP_FLOWS; i++) {
        uint8_t there[3] = {'F', (uint8_t)i, 0}, back[3] = {'F', (uint8_t)i, 1};
        CHECK_INT(sendto(a[i], there, 3, 0, (struct sockaddr *)&addr_b[i], sizeof addr_b[i]), 3);
        CHECK_INT(sendto(b[i], back, 3, 0, (struct sockaddr *)&addr_a[i], sizeof addr_a[i]), 3);
    }
}

static void check_group(const struct group_seen *g, uint32_t sprayed)
{
    int twice = 0, after = 0, split = 0, lost = 0;

    for (uint32_t i = 0; i < sprayed; i++) {
        twice += g->spray[0][i] + g->spray[1][i] > 1;
        after += g->spray[0][i] + g->spray[1][i] > 0;
    }
    for (int f = 0; f < GROUP_FLOWS; f++) {
        for (int d = 0; d < 2; d++)
            lost += g->flow[0][f][d] + g->flow[1][f][d] != 1;
        split += g->flow[0][f][0] != g->flow[0][f][1];
    }
    CHECK_INT(twice, 0);  /* nothing from before the group formed is delivered twice */
    CHECK(after > 0);     /* the spray went on after it formed */
    CHECK_INT(lost, 0);
    CHECK_INT(split, 0);
    CHECK_INT(g->odd, 0);
    CHECK(g->packets[0] > 0 && g->packets[1] > 0);
}

static void test_group(void)
{
    static struct group_seen g;
    struct live_options o;
    struct live *l[2] = {NULL, NULL};
    char err[HTTPCAP_ERRBUF] = "";
    char filter[64];
    int a[GROUP_FLOWS], b[GROUP_FLOWS];
    struct sockaddr_in addr_a[GROUP_FLOWS], addr_b[GROUP_FLOWS];
    struct sprayer sp = {.sent = 0};
    pthread_t th;
    int fd_to = udp_socket(&sp.to);

    sp.fd = udp_socket(&addr_a[0]);
    CHECK(fd_to >= 0 && sp.fd >= 0);
    live_defaults(&o);
    o.iface = "lo";
    o.write_pcap = "x.pcap";
    CHECK_INT(live_open_group(&o, 2, l, err), -1);  /* no dump file with a group */
    o.write_pcap = NULL;
    CHECK_INT(live_open_group(&o, 1, l, err), -1);
    CHECK_INT(live_open_group(&o, LIVE_MAX_GROUP + 1, l, err), -1);
    o.filter = "tcp port";
    CHECK_INT(live_open_group(&o, 2, l, err), -1);
    CHECK(starts_with(err, "bad filter 'tcp port': "));
    CHECK(l[0] == NULL && l[1] == NULL);

    snprintf(filter, sizeof filter, "udp port %u", (unsigned)ntohs(sp.to.sin_port));
    o.filter = filter;
    o.timeout_ms = 50;
    atomic_init(&sp.stop, 0);
    CHECK_INT(pthread_create(&th, NULL, spray, &sp), 0);
    int rc = live_open_group(&o, 2, l, err);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "live_open_group: %s\n", err);
    struct timespec more = {0, 100000000};
    nanosleep(&more, NULL);
    atomic_store(&sp.stop, 1);
    pthread_join(th, NULL);
    close(sp.fd);
    if (rc != 0) {
        close(fd_to);
        return;
    }
    for (int i = 0; i < GROUP_FLOWS; i++) {
        a[i] = udp_socket(&addr_a[i]);
        b[i] = i == 0 ? fd_to : udp_socket(&addr_b[i]);
        if (i == 0)
            addr_b[0] = sp.to;
        CHECK(a[i] >= 0 && b[i] >= 0);
    }
    /* every flow's b side is on the filtered port: flows differ by a's port only */
    for (int i = 1; i < GROUP_FLOWS; i++) {
        close(b[i]);
        b[i] = fd_to;
        addr_b[i] = sp.to;
    }
    send_flows(a, b, addr_a, addr_b);
    read_group(l, &g);
    check_group(&g, sp.sent);
    for (int i = 0; i < GROUP_FLOWS; i++)
        close(a[i]);
    close(fd_to);
    live_close(l[0]);
    live_close(l[1]);
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
        test_group();
    }
    return TEST_REPORT();
}
