/*
 * test_decode.c - decode.c driven through decode.h with hand-built frames.
 * Covers every link type (ARCNET's split and exception headers too), VLAN/QinQ, MPLS,
 * PPPoE, IPv4 options and padding, IPv6 extension headers, fragments, tunnels, snaplen
 * cuts and every truncation of each frame. Each input sits at the end of a page followed
 * by an inaccessible one (guard.h), so reading one byte too far crashes the test.
 */
#include <limits.h>
#include <pcap/dlt.h>
#include <stdlib.h>

#include "decode.h"
#include "guard.h"
#include "testhelp.h"

#define TS 1700000000123456789LL
#define SPORT 40000
#define DPORT 80
#define SEQ 0x11223344u
#define ACK 0x55667788u

static const char PAYLOAD[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
#define PL (sizeof PAYLOAD - 1)

static const uint8_t V4_SRC[4] = {10, 0, 0, 1};
static const uint8_t V4_DST[4] = {10, 0, 0, 2};
static const uint8_t V6_SRC[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t V6_DST[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* ---- frame building ---- */

struct fbuf {
    uint8_t d[70000];
    size_t n;
};

static struct fbuf fb; /* the frame under construction */

static void put8(unsigned v)
{
    fb.d[fb.n++] = (uint8_t)v;
}

static void put16(unsigned v)
{
    put8(v >> 8);
    put8(v);
}

static void put32(uint32_t v)
{
    put16(v >> 16);
    put16(v & 0xffff);
}

static void putle16(unsigned v)
{
    put8(v);
    put8(v >> 8);
}

static void putn(const void *p, size_t n)
{
    if (n)
        memcpy(fb.d + fb.n, p, n);
    fb.n += n;
}

static void putfill(unsigned byte, size_t n)
{
    memset(fb.d + fb.n, (int)byte, n);
    fb.n += n;
}

static void set16(size_t at, unsigned v)
{
    fb.d[at] = (uint8_t)(v >> 8);
    fb.d[at + 1] = (uint8_t)v;
}

static void reset(void)
{
    fb.n = 0;
}

static void put_eth(unsigned type)
{
    static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10};
    putn(macs, sizeof macs);
    put16(type);
}

/* TCP header with optlen bytes of NOP options (checksum deliberately wrong), then n bytes. */
static void put_tcp_flags(size_t optlen, unsigned flags, const void *payload, size_t n)
{
    put16(SPORT);
    put16(DPORT);
    put32(SEQ);
    put32(ACK);
    put8((unsigned)((20 + optlen) / 4) << 4);
    put8(flags);
    put16(65535);
    put16(0xdead);
    put16(0);
    putfill(0x01, optlen);
    putn(payload, n);
}

static void put_tcp(void)
{
    put_tcp_flags(0, TCP_PSH | TCP_ACK, PAYLOAD, PL);
}

#define TCP_LEN (20 + PL)

/* IPv4 header for a body of body_len bytes; total length written as given by total. */
static void put_ipv4_raw(size_t optlen, unsigned proto, unsigned frag, unsigned total)
{
    put8(0x40 | (unsigned)((20 + optlen) / 4));
    put8(0);
    put16(total);
    put16(0x1234);
    put16(frag);
    put8(64);
    put8(proto);
    put16(0xbeef);
    putn(V4_SRC, 4);
    putn(V4_DST, 4);
    putfill(0x01, optlen);
}

static void put_ipv4(size_t optlen, unsigned proto, unsigned frag, size_t body_len)
{
    put_ipv4_raw(optlen, proto, frag, (unsigned)(20 + optlen + body_len));
}

static void put_ipv6(unsigned nh, size_t plen)
{
    put32(0x60000000);
    put16((unsigned)plen);
    put8(nh);
    put8(64);
    putn(V6_SRC, 16);
    putn(V6_DST, 16);
}

static void put_v4_tcp(void)
{
    put_ipv4(0, 6, 0, TCP_LEN);
    put_tcp();
}

static void put_v6_tcp(void)
{
    put_ipv6(6, TCP_LEN);
    put_tcp();
}

/* ---- running and checking ---- */

static struct segment seg;
static int out_of_bounds; /* segments whose payload lies outside the frame */

static enum decode_reason run(int lt, size_t caplen, size_t wirelen)
{
    const uint8_t *p = guard_copy(fb.d, caplen);
    enum decode_reason r;

    if (!p) {
        fprintf(stderr, "guard_copy failed\n");
        exit(2);
    }
    r = decode_packet(lt, p, (uint32_t)caplen, (uint32_t)wirelen, TS, &seg);
    if (r == DECODE_OK && (seg.payload < p || seg.payload_len > caplen ||
                           (size_t)(seg.payload - p) + seg.payload_len > caplen))
        out_of_bounds++;
    return r;
}

/* The whole frame decodes to the canonical segment over IP version v. */
static void expect_ok(const char *what, int lt, int v)
{
    enum decode_reason r = run(lt, fb.n, fb.n);

    if (r != DECODE_OK) {
        fprintf(stderr, "%s: got %s\n", what, decode_reason_name(r));
        CHECK_INT(r, DECODE_OK);
        return;
    }
    CHECK_INT(seg.ip_version, v);
    CHECK(memcmp(seg.src, v == 4 ? V4_SRC : V6_SRC, v == 4 ? 4 : 16) == 0);
    CHECK(memcmp(seg.dst, v == 4 ? V4_DST : V6_DST, v == 4 ? 4 : 16) == 0);
    if (v == 4) {
        static const uint8_t zero[12];
        CHECK(memcmp(seg.src + 4, zero, 12) == 0 && memcmp(seg.dst + 4, zero, 12) == 0);
    }
    CHECK_INT(seg.sport, SPORT);
    CHECK_INT(seg.dport, DPORT);
    CHECK_INT(seg.seq, SEQ);
    CHECK_INT(seg.ack, ACK);
    CHECK_INT(seg.flags, TCP_PSH | TCP_ACK);
    CHECK_INT(seg.ts_ns, TS);
    CHECK_INT(seg.payload_len, PL);
    CHECK_INT(seg.payload_missing, 0);
    CHECK(seg.payload_len == PL && memcmp(seg.payload, PAYLOAD, PL) == 0);
}

static void expect(const char *what, int lt, enum decode_reason want)
{
    enum decode_reason r = run(lt, fb.n, fb.n);

    if (r != want)
        fprintf(stderr, "%s: got %s, want %s\n", what, decode_reason_name(r),
                decode_reason_name(want));
    CHECK_INT(r, want);
}

/* Frame lengths below `upto` decode to reason r; the last entry ends the headers. */
struct cut {
    size_t upto;
    enum decode_reason r;
};

/*
 * Decode the frame cut to every length 0..n as a snaplen would (wirelen stays n):
 * each cut inside a header gives that header's short reason, each cut in the
 * payload a segment with the rest counted as missing.
 */
static void check_cuts(const char *what, int lt, const struct cut *cuts, size_t ncuts)
{
    size_t hdrs = cuts[ncuts - 1].upto;
    int bad = 0;

    for (size_t len = 0; len <= fb.n; len++) {
        enum decode_reason want = DECODE_OK;
        enum decode_reason r;
        for (size_t i = 0; i < ncuts; i++) {
            if (len < cuts[i].upto) {
                want = cuts[i].r;
                break;
            }
        }
        r = run(lt, len, fb.n);
        if (r == DECODE_OK && want == DECODE_OK &&
            (seg.payload_len != len - hdrs || seg.payload_missing != fb.n - len))
            r = DECODE_REASON_COUNT;
        if (r != want && bad++ < 3)
            fprintf(stderr, "%s cut at %zu of %zu: got %s, want %s\n", what, len, fb.n,
                    decode_reason_name(r), decode_reason_name(want));
    }
    CHECK_INT(bad, 0);
}

/* The common shape: link header, IP header, TCP header. */
static void check_cuts3(const char *what, int lt, size_t link, size_t ip)
{
    struct cut cuts[] = {
        {link, DECODE_SHORT_LINK},
        {link + ip, DECODE_SHORT_IP},
        {link + ip + 20, DECODE_SHORT_TCP},
    };
    check_cuts(what, lt, link ? cuts : cuts + 1, link ? 3 : 2);
}

/* ---- link types ---- */

static void test_ethernet(void)
{
    reset();
    put_eth(0x0800);
    put_v4_tcp();
    expect_ok("eth v4", DLT_EN10MB, 4);
    check_cuts3("eth v4", DLT_EN10MB, 14, 20);

    reset();
    put_eth(0x86dd);
    put_v6_tcp();
    expect_ok("eth v6", DLT_EN10MB, 6);
    check_cuts3("eth v6", DLT_EN10MB, 14, 40);

    reset();
    put_eth(0x0806);
    putfill(0, 28);
    expect("arp", DLT_EN10MB, DECODE_NOT_IP);
}

static void test_vlan(void)
{
    static const unsigned outer[] = {0x8100, 0x88a8, 0x9100};

    reset();
    put_eth(0x8100);
    put16(0x0064);
    put16(0x0800);
    put_v4_tcp();
    expect_ok("802.1Q", DLT_EN10MB, 4);
    check_cuts3("802.1Q", DLT_EN10MB, 18, 20);

    for (size_t i = 0; i < 3; i++) {
        reset();
        put_eth(outer[i]);
        put16(0x0010);
        put16(0x8100);
        put16(0x0020);
        put16(0x86dd);
        put_v6_tcp();
        expect_ok("QinQ", DLT_EN10MB, 6);
    }
    check_cuts3("QinQ", DLT_EN10MB, 22, 40);

    for (int tags = 8; tags <= 9; tags++) {
        reset();
        put_eth(0x8100);
        for (int t = 1; t < tags; t++) {
            put16((unsigned)t);
            put16(0x8100);
        }
        put16(0);
        put16(0x0800);
        put_v4_tcp();
        if (tags == 8)
            expect_ok("8 tags", DLT_EN10MB, 4);
        else
            expect("9 tags", DLT_EN10MB, DECODE_BAD_LINK);
    }
}

static void test_mpls(void)
{
    struct cut pw_cuts[] = {
        {18, DECODE_SHORT_LINK}, {19, DECODE_SHORT_IP}, {36, DECODE_SHORT_LINK},
        {56, DECODE_SHORT_IP}, {76, DECODE_SHORT_TCP},
    };

    reset();
    put_eth(0x8847);
    put32(0x00010140); /* label 16, S=1, TTL 64 */
    put_v4_tcp();
    expect_ok("mpls", DLT_EN10MB, 4);

    reset();
    put_eth(0x8847);
    put32(0x00010040); /* S=0 */
    put32(0x00020140);
    put_v6_tcp();
    expect_ok("mpls 2 labels", DLT_EN10MB, 6);
    check_cuts3("mpls 2 labels", DLT_EN10MB, 22, 40);

    /* RFC 4448 Ethernet pseudowire with its control word */
    reset();
    put_eth(0x8847);
    put32(0x00010140);
    put32(0x00000000);
    put_eth(0x0800);
    put_v4_tcp();
    expect_ok("mpls pw", DLT_EN10MB, 4);
    /* cut right after the stack, nothing says what would have followed */
    check_cuts("mpls pw", DLT_EN10MB, pw_cuts, 5);

    reset();
    put_eth(0x8847);
    for (int i = 0; i < 16; i++)
        put32(0x00010040);
    put32(0x00010140);
    put_v4_tcp();
    expect("17 labels", DLT_EN10MB, DECODE_BAD_LINK);

    reset();
    put_eth(0x8847);
    put32(0x00010140);
    put8(0x51);
    putfill(0, 40);
    expect("mpls not ip", DLT_EN10MB, DECODE_NOT_IP);
}

static void test_pppoe(void)
{
    size_t len_at;

    /* PPP protocol field compressed to 0x21 (RFC 1661 §6.5), as real captures have */
    reset();
    put_eth(0x8864);
    put8(0x11);
    put8(0);
    put16(0x002d);
    len_at = fb.n;
    put16(0);
    put8(0x21);
    put_v4_tcp();
    set16(len_at, (unsigned)(fb.n - len_at - 2));
    expect_ok("pppoe pfc", DLT_EN10MB, 4);
    check_cuts3("pppoe pfc", DLT_EN10MB, 21, 20);

    reset();
    put_eth(0x8864);
    put8(0x11);
    put8(0);
    put16(0x002d);
    len_at = fb.n;
    put16(0);
    put16(0x0057);
    put_v6_tcp();
    set16(len_at, (unsigned)(fb.n - len_at - 2));
    expect_ok("pppoe v6", DLT_EN10MB, 6);

    fb.d[len_at + 2] = 0xc0; /* LCP 0xc021 */
    fb.d[len_at + 3] = 0x21;
    expect("pppoe lcp", DLT_EN10MB, DECODE_NOT_IP);
    fb.d[14] = 0x12;
    expect("pppoe version", DLT_EN10MB, DECODE_BAD_LINK);
}

static void test_sll(void)
{
    reset();
    put16(0);      /* to us */
    put16(1);      /* ARPHRD_ETHER */
    put16(6);
    putfill(0xaa, 8);
    put16(0x0800);
    put_v4_tcp();
    expect_ok("sll", DLT_LINUX_SLL, 4);
    check_cuts3("sll", DLT_LINUX_SLL, 16, 20);

    reset();
    put16(0x86dd);
    put16(0);
    put32(3);      /* ifindex */
    put16(1);
    put8(4);       /* outgoing */
    put8(6);
    putfill(0xbb, 8);
    put_v6_tcp();
    expect_ok("sll2", DLT_LINUX_SLL2, 6);
    check_cuts3("sll2", DLT_LINUX_SLL2, 20, 40);
}

static void put_family(int big_endian, uint32_t fam)
{
    if (big_endian)
        put32(fam);
    else {
        putle16(fam & 0xffff);
        putle16(fam >> 16);
    }
}

static void test_null_loop(void)
{
    static const uint32_t inet6[] = {10, 23, 24, 28, 30};

    for (int be = 0; be <= 1; be++) {
        reset();
        put_family(be, 2);
        put_v4_tcp();
        expect_ok("null v4", DLT_NULL, 4);
        expect_ok("loop v4", DLT_LOOP, 4);
        check_cuts3("null v4", DLT_NULL, 4, 20);
        for (size_t i = 0; i < sizeof inet6 / sizeof inet6[0]; i++) {
            reset();
            put_family(be, inet6[i]);
            put_v6_tcp();
            expect_ok("null v6", DLT_NULL, 6);
            expect_ok("loop v6", DLT_LOOP, 6);
        }
        reset();
        put_family(be, 7);
        put_v4_tcp();
        expect("null family 7", DLT_NULL, DECODE_NOT_IP);
    }
}

static void test_raw(void)
{
    static const int raw[] = {DLT_RAW, 101};

    for (size_t i = 0; i < 2; i++) {
        reset();
        put_v4_tcp();
        expect_ok("raw v4", raw[i], 4);
        check_cuts3("raw v4", raw[i], 0, 20);
        reset();
        put_v6_tcp();
        expect_ok("raw v6", raw[i], 6);
        check_cuts3("raw v6", raw[i], 0, 40);
        reset();
        put8(0x50);
        putfill(0, 39);
        expect("raw v5", raw[i], DECODE_NOT_IP);
    }
    reset();
    put_v4_tcp();
    expect_ok("ipv4", DLT_IPV4, 4);
    expect("v4 on the IPV6 link", DLT_IPV6, DECODE_BAD_IP);
    check_cuts3("ipv4", DLT_IPV4, 0, 20);
    reset();
    put_v6_tcp();
    expect_ok("ipv6", DLT_IPV6, 6);
    expect("v6 on the IPV4 link", DLT_IPV4, DECODE_BAD_IP);
    check_cuts3("ipv6", DLT_IPV6, 0, 40);
}

static void test_chdlc(void)
{
    reset();
    put8(0x0f);
    put8(0x00);
    put16(0x0800);
    put_v4_tcp();
    expect_ok("chdlc v4", DLT_C_HDLC, 4);
    check_cuts3("chdlc", DLT_C_HDLC, 4, 20);

    reset();
    put8(0x8f);
    put8(0x00);
    put16(0x86dd);
    put_v6_tcp();
    expect_ok("chdlc v6", DLT_C_HDLC, 6);

    reset();
    put8(0x8f);
    put8(0x00);
    put16(0x8035); /* SLARP */
    putfill(0, 20);
    expect("chdlc slarp", DLT_C_HDLC, DECODE_NOT_IP);
}

/* NFLOG TLV: little-endian length (header included) and type, value, padding to 4. */
static void put_tlv(unsigned type, const void *v, size_t n)
{
    putle16((unsigned)(4 + n));
    putle16(type);
    putn(v, n);
    putfill(0, (4 - n % 4) % 4);
}

static void put_nflog_head(unsigned family)
{
    static const uint8_t hdr[4] = {0x08, 0x00, 3, 0}; /* hw protocol, hook, pad */
    put8(family);
    put8(0);
    put16(1);
    put_tlv(1, hdr, sizeof hdr);
    put_tlv(10, "http\0", 5); /* prefix: padded from 9 to 12 */
    put_tlv(0x8000 | 11, "\0\0\0\1", 4);
}

static void test_nflog(void)
{
    uint8_t ip[200];
    size_t iplen;

    reset();
    put_v4_tcp();
    iplen = fb.n;
    memcpy(ip, fb.d, iplen);

    reset();
    put_nflog_head(2);
    putle16((unsigned)(4 + iplen));
    putle16(9);
    putn(ip, iplen);
    expect_ok("nflog", DLT_NFLOG, 4);
    check_cuts3("nflog", DLT_NFLOG, 4 + 8 + 12 + 8 + 4, 20);
    putfill(0, (4 - iplen % 4) % 4);
    expect_ok("nflog padded", DLT_NFLOG, 4);

    reset();
    put_nflog_head(10);
    putle16(4 + 40 + TCP_LEN);
    putle16(9);
    put_v6_tcp();
    expect_ok("nflog v6", DLT_NFLOG, 6);

    reset();
    put_nflog_head(2);
    expect("nflog no payload", DLT_NFLOG, DECODE_NOT_IP);
    putle16(2);
    putle16(9);
    expect("nflog tlv len 2", DLT_NFLOG, DECODE_BAD_LINK);
}

/* Radiotap with a length of rt_len (odd on purpose), then an 802.11 data header. */
static void put_wifi(size_t rt_len, unsigned fc0, unsigned fc1)
{
    put8(0);
    put8(0);
    putle16((unsigned)rt_len);
    putfill(0, rt_len - 4);
    put8(fc0);
    put8(fc1);
    put16(0);              /* duration */
    putfill(0x11, 18);     /* three addresses */
    putle16(0x0120);       /* sequence 18, fragment 0 */
    if ((fc1 & 3) == 3)
        putfill(0x22, 6);
    if (fc0 & 0x80)
        put16(0x0000);     /* QoS control */
    if ((fc0 & 0x80) && (fc1 & 0x80))
        put32(0);          /* HT control */
}

static void put_snap(unsigned type)
{
    static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};
    putn(snap, 6);
    put16(type);
}

static void test_radiotap(void)
{
    reset();
    put_wifi(8, 0x08, 0x01);
    put_snap(0x0800);
    put_v4_tcp();
    expect_ok("wifi data", DLT_IEEE802_11_RADIO, 4);
    check_cuts3("wifi data", DLT_IEEE802_11_RADIO, 8 + 24 + 8, 20);
    put32(0xcafebabe); /* FCS */
    expect_ok("wifi data fcs", DLT_IEEE802_11_RADIO, 4);

    reset();
    put_wifi(25, 0x88, 0x02); /* QoS data, FromDS */
    put_snap(0x86dd);
    put_v6_tcp();
    expect_ok("wifi qos", DLT_IEEE802_11_RADIO, 6);
    check_cuts3("wifi qos", DLT_IEEE802_11_RADIO, 25 + 26 + 8, 40);

    reset();
    put_wifi(18, 0x88, 0x83); /* QoS, 4 addresses, +HTC */
    put_snap(0x0800);
    put_v4_tcp();
    expect_ok("wifi 4addr htc", DLT_IEEE802_11_RADIO, 4);

    reset();
    put_wifi(8, 0x08, 0x41);
    put_snap(0x0800);
    put_v4_tcp();
    expect("wifi protected", DLT_IEEE802_11_RADIO, DECODE_NOT_IP);
    fb.d[8] = 0x80; /* beacon */
    fb.d[9] = 0x00;
    expect("wifi beacon", DLT_IEEE802_11_RADIO, DECODE_NOT_IP);
    fb.d[8] = 0x48; /* null function */
    expect("wifi null", DLT_IEEE802_11_RADIO, DECODE_NOT_IP);
    fb.d[8] = 0x08;
    fb.d[9] = 0x05; /* more fragments */
    expect("wifi fragment", DLT_IEEE802_11_RADIO, DECODE_FRAGMENT);
    fb.d[9] = 0x01;
    fb.d[8 + 24] = 0x42; /* not SNAP */
    expect("wifi no snap", DLT_IEEE802_11_RADIO, DECODE_NOT_IP);
    fb.d[0] = 1;
    expect("radiotap version 1", DLT_IEEE802_11_RADIO, DECODE_BAD_LINK);
}

/* ARCNET: station ids, on Linux a 2-byte offset, protocol id, RFC 1201 split header. */
static void put_arcnet(int is_linux, unsigned proto, int split_flag)
{
    put8(0xbe);
    put8(0x50);
    if (is_linux)
        put16(0xa8e7); /* offset: meaningless in captures */
    put8(proto);
    if (split_flag >= 0) {
        put8((unsigned)split_flag);
        put16(0x0166);
    }
}

static void test_arcnet(void)
{
    reset();
    put_arcnet(1, 0xd4, 0);
    put_v4_tcp();
    expect_ok("arcnet linux", DLT_ARCNET_LINUX, 4);
    check_cuts3("arcnet linux", DLT_ARCNET_LINUX, 8, 20);
    fb.d[5] = 0x03; /* Linux hands over reassembled packets: the flag means nothing */
    expect_ok("arcnet linux split flag", DLT_ARCNET_LINUX, 4);
    fb.d[4] = 0xd5;
    expect("arcnet linux arp", DLT_ARCNET_LINUX, DECODE_NOT_IP);

    reset();
    put_arcnet(1, 0xc4, 0); /* RFC 2497 */
    put_v6_tcp();
    expect_ok("arcnet linux v6", DLT_ARCNET_LINUX, 6);
    check_cuts3("arcnet linux v6", DLT_ARCNET_LINUX, 8, 40);

    reset();
    put_arcnet(1, 0xf0, -1); /* RFC 1051: no split header */
    put_v4_tcp();
    expect_ok("arcnet linux rfc1051", DLT_ARCNET_LINUX, 4);
    check_cuts3("arcnet linux rfc1051", DLT_ARCNET_LINUX, 5, 20);
    fb.d[4] = 0xf1;
    expect("arcnet linux rfc1051 arp", DLT_ARCNET_LINUX, DECODE_NOT_IP);

    reset();
    put_arcnet(0, 0xd4, 0);
    put_v4_tcp();
    expect_ok("arcnet", DLT_ARCNET, 4);
    check_cuts3("arcnet", DLT_ARCNET, 6, 20);
    for (unsigned flag = 1; flag <= 2; flag++) {
        fb.d[3] = (uint8_t)flag; /* first piece of a split packet, then a later one */
        expect("arcnet split", DLT_ARCNET, DECODE_FRAGMENT);
    }

    /* RFC 1201 §2.1 exception frame: FF, two FF pads, protocol id and the real flag */
    reset();
    put_arcnet(0, 0xd4, 0xff);
    fb.n -= 2;
    put16(0xffff);
    put8(0xd4);
    put8(0);
    put16(0x0166);
    put_v4_tcp();
    expect_ok("arcnet exception", DLT_ARCNET, 4);
    check_cuts3("arcnet exception", DLT_ARCNET, 10, 20);
    fb.d[7] = 3;
    expect("arcnet exception split", DLT_ARCNET, DECODE_FRAGMENT);

    reset();
    put_arcnet(0, 0xf0, -1);
    put_v4_tcp();
    expect_ok("arcnet rfc1051", DLT_ARCNET, 4);
    check_cuts3("arcnet rfc1051", DLT_ARCNET, 3, 20);
}

/* ---- IP ---- */

static void test_ipv4(void)
{
    reset();
    put_eth(0x0800);
    put_ipv4(40, 6, 0, TCP_LEN);
    put_tcp();
    expect_ok("v4 options", DLT_EN10MB, 4);
    check_cuts3("v4 options", DLT_EN10MB, 14, 60);

    reset();
    put_eth(0x0800);
    put_ipv4(0, 6, 0x4000, TCP_LEN);
    put_tcp();
    expect_ok("v4 DF", DLT_EN10MB, 4);
    set16(14 + 6, 0x2000);
    expect("v4 MF", DLT_EN10MB, DECODE_FRAGMENT);
    set16(14 + 6, 0x00b9);
    expect("v4 offset", DLT_EN10MB, DECODE_FRAGMENT);
    set16(14 + 6, 0);
    fb.d[14] = 0x44;
    expect("v4 ihl 4", DLT_EN10MB, DECODE_BAD_IP);
    fb.d[14] = 0x55;
    expect("v4 version 5", DLT_EN10MB, DECODE_BAD_IP);
    fb.d[14] = 0x45;
    set16(14 + 2, 19);
    expect("v4 total < ihl", DLT_EN10MB, DECODE_BAD_IP);

    reset();
    put_eth(0x0800);
    put_ipv4(0, 17, 0, 8 + 12);
    put16(5353);
    put16(53);
    put16(20);
    put16(0);
    putfill(0, 12);
    expect("udp", DLT_EN10MB, DECODE_NOT_TCP);
    fb.d[14 + 9] = 1;
    expect("icmp", DLT_EN10MB, DECODE_NOT_TCP);
}

/* Ethernet pads short frames and may carry an FCS: neither becomes payload. */
static void test_padding(void)
{
    reset();
    put_eth(0x0800);
    put_ipv4(0, 6, 0, 20);
    put_tcp_flags(0, TCP_SYN, NULL, 0);
    putfill(0xee, 6);
    CHECK_INT(fb.n, 60);
    CHECK_INT(run(DLT_EN10MB, fb.n, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, 0);
    CHECK_INT(seg.flags, TCP_SYN);

    reset();
    put_eth(0x0800);
    put_v4_tcp();
    put32(0x12345678);
    expect_ok("v4 fcs", DLT_EN10MB, 4);

    reset();
    put_eth(0x86dd);
    put_ipv6(6, 20);
    put_tcp_flags(0, TCP_SYN | TCP_ACK, NULL, 0);
    putfill(0xee, 10);
    CHECK_INT(run(DLT_EN10MB, fb.n, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, 0);
    CHECK_INT(seg.flags, TCP_SYN | TCP_ACK);
}

/* Payload the snaplen cut off is counted, but never more than the frame lost. */
static void test_snaplen(void)
{
    static uint8_t body[1000];

    reset();
    put_eth(0x0800);
    put_ipv4(0, 6, 0, 20 + sizeof body);
    put_tcp_flags(0, TCP_ACK, body, sizeof body);
    CHECK_INT(run(DLT_EN10MB, 54 + 100, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, 100);
    CHECK_INT(seg.payload_missing, 900);
    /* the IP length claims more than the wire carried: no bytes are invented */
    CHECK_INT(run(DLT_EN10MB, 54 + 100, 54 + 100), DECODE_OK);
    CHECK_INT(seg.payload_missing, 0);
    CHECK_INT(run(DLT_EN10MB, 54 + 100, 54 + 400), DECODE_OK);
    CHECK_INT(seg.payload_missing, 300);

    reset();
    put_eth(0x86dd);
    put_ipv6(6, 20 + sizeof body);
    put_tcp_flags(0, TCP_ACK, body, sizeof body);
    CHECK_INT(run(DLT_EN10MB, 74 + 1, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, 1);
    CHECK_INT(seg.payload_missing, 999);
}

/* Loopback frames reach 65,549 bytes; TSO super-segments carry total length 0. */
static void test_big(void)
{
    static uint8_t body[65535 - 40];
    static uint8_t tso[3000];

    reset();
    put_eth(0x0800);
    put_ipv4(0, 6, 0, 20 + sizeof body);
    put_tcp_flags(0, TCP_ACK, body, sizeof body);
    CHECK_INT(fb.n, 65549);
    CHECK_INT(run(DLT_EN10MB, fb.n, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, sizeof body);

    reset();
    put_eth(0x0800);
    put_ipv4_raw(0, 6, 0, 0);
    put_tcp_flags(0, TCP_ACK, tso, sizeof tso);
    CHECK_INT(run(DLT_EN10MB, fb.n, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, sizeof tso);
    CHECK_INT(seg.payload_missing, 0);
    CHECK_INT(run(DLT_EN10MB, fb.n - 1000, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, sizeof tso - 1000);
    CHECK_INT(seg.payload_missing, 1000);

    reset(); /* IPv6 payload length 0: jumbogram or TSO */
    put_ipv6(6, 0);
    put_tcp_flags(0, TCP_ACK, tso, sizeof tso);
    CHECK_INT(run(DLT_RAW, fb.n, fb.n), DECODE_OK);
    CHECK_INT(seg.payload_len, sizeof tso);
}

static void put_ext(unsigned nh, unsigned len_field, size_t total)
{
    put8(nh);
    put8(len_field);
    putfill(0, total - 2);
}

static void put_frag6(unsigned nh, unsigned offset_flags)
{
    put8(nh);
    put8(0);
    put16(offset_flags);
    put32(0xabcdef01);
}

static void test_ipv6_ext(void)
{
    size_t ext = 8 + 16 + 24 + 24 + 8 + 8;
    size_t frag_at;

    reset();
    put_eth(0x86dd);
    put_ipv6(0, ext + TCP_LEN);
    put_ext(60, 0, 8);   /* hop-by-hop -> dest opts */
    put_ext(43, 1, 16);  /* dest opts -> routing */
    put_ext(51, 2, 24);  /* routing -> AH */
    put_ext(44, 4, 24);  /* AH (len 4: 24 bytes) -> fragment */
    frag_at = fb.n;
    put_frag6(135, 0);   /* atomic fragment -> mobility */
    put_ext(6, 0, 8);    /* mobility -> TCP */
    put_tcp();
    expect_ok("v6 ext", DLT_EN10MB, 6);
    check_cuts3("v6 ext", DLT_EN10MB, 14, 40 + ext);

    set16(frag_at + 2, 0x0001);
    expect("v6 frag M", DLT_EN10MB, DECODE_FRAGMENT);
    set16(frag_at + 2, 0x0100);
    expect("v6 frag offset", DLT_EN10MB, DECODE_FRAGMENT);
    set16(frag_at + 2, 0x0006); /* reserved bits only: still atomic */
    expect_ok("v6 frag res", DLT_EN10MB, 6);

    for (int n = 16; n <= 17; n++) {
        reset();
        put_ipv6(60, (size_t)n * 8 + TCP_LEN);
        for (int i = 1; i < n; i++)
            put_ext(60, 0, 8);
        put_ext(6, 0, 8);
        put_tcp();
        if (n == 16)
            expect_ok("16 ext headers", DLT_RAW, 6);
        else
            expect("17 ext headers", DLT_RAW, DECODE_BAD_IP);
    }

    reset();
    put_ipv6(50, 40);
    putfill(0x77, 40);
    expect("esp", DLT_RAW, DECODE_NOT_TCP);
    fb.d[6] = 59;
    expect("no next header", DLT_RAW, DECODE_NOT_TCP);
    fb.d[0] = 0x40;
    expect("v6 header says 4", DLT_IPV6, DECODE_BAD_IP);
}

/* ---- tunnels ---- */

/* Ethernet, IPv4, UDP to dport: the outer part of a UDP tunnel around inner_len bytes. */
static void put_udp_outer(unsigned sport, unsigned dport, size_t inner_len)
{
    put_eth(0x0800);
    put_ipv4(0, 17, 0, 8 + inner_len);
    put16(sport);
    put16(dport);
    put16((unsigned)(8 + inner_len));
    put16(0);
}

static void put_vxlan(size_t inner_len)
{
    put_udp_outer(51000, 4789, 8 + inner_len);
    put32(0x08000000);
    put32(0x00000100);
}

static void test_vxlan(void)
{
    size_t inner = 14 + 20 + TCP_LEN;
    struct cut cuts[] = {
        {14, DECODE_SHORT_LINK}, {34, DECODE_SHORT_IP}, {42, DECODE_NOT_TCP},
        {64, DECODE_SHORT_LINK}, {84, DECODE_SHORT_IP}, {104, DECODE_SHORT_TCP},
    };

    reset();
    put_vxlan(inner);
    put_eth(0x0800);
    put_v4_tcp();
    expect_ok("vxlan", DLT_EN10MB, 4);
    check_cuts("vxlan", DLT_EN10MB, cuts, 6);
    fb.d[42] = 0;
    expect("vxlan no I flag", DLT_EN10MB, DECODE_NOT_TCP);

    reset();
    put_vxlan(50 + inner);
    put_vxlan(inner);
    put_eth(0x0800);
    put_v4_tcp();
    expect_ok("vxlan in vxlan", DLT_EN10MB, 4);

    reset();
    put_vxlan(100 + inner);
    put_vxlan(50 + inner);
    put_vxlan(inner);
    put_eth(0x0800);
    put_v4_tcp();
    expect("three tunnels", DLT_EN10MB, DECODE_NOT_TCP);
}

static void test_teredo(void)
{
    size_t inner = 40 + TCP_LEN;

    reset();
    put_udp_outer(3544, 50000, 8 + inner);
    put16(0x0000); /* origin indication */
    put16(0xffff);
    put32(0xffffffff);
    put_v6_tcp();
    expect_ok("teredo origin", DLT_EN10MB, 6);

    reset();
    put_udp_outer(50000, 3544, 4 + 2 + 3 + 9 + 8 + inner);
    put16(0x0001); /* authentication: id-len 2, au-len 3, nonce, confirmation */
    put8(2);
    put8(3);
    putfill(0x33, 2 + 3 + 9);
    put16(0x0000);
    put16(0xffff);
    put32(0xffffffff);
    put_v6_tcp();
    expect_ok("teredo auth+origin", DLT_EN10MB, 6);

    reset();
    put_udp_outer(3544, 50000, inner);
    put_v6_tcp();
    expect_ok("teredo bare", DLT_EN10MB, 6);

    reset();
    put_udp_outer(3544, 53, 12);
    putfill(0x12, 12);
    expect("udp 3544 not teredo", DLT_EN10MB, DECODE_NOT_TCP);
}

static void test_ip_in_ip(void)
{
    reset();
    put_ipv6(4, 20 + TCP_LEN); /* 4in6 */
    put_v4_tcp();
    expect_ok("4in6", DLT_RAW, 4);

    reset();
    put_ipv4(0, 41, 0, 40 + TCP_LEN); /* 6in4 */
    put_v6_tcp();
    expect_ok("6in4", DLT_RAW, 6);

    reset();
    put_ipv4(0, 4, 0, 40 + 20 + TCP_LEN);
    put_ipv4(0, 4, 0, 20 + 20 + TCP_LEN);
    put_ipv4(0, 4, 0, 20 + TCP_LEN);
    put_v4_tcp();
    expect("4in4in4in4", DLT_RAW, DECODE_NOT_TCP);
}

/* ---- TCP ---- */

static void test_tcp(void)
{
    struct cut cuts[] = {{20, DECODE_SHORT_IP}, {80, DECODE_SHORT_TCP}};

    reset();
    put_ipv4(0, 6, 0, 60 + PL);
    put_tcp_flags(40, TCP_PSH | TCP_ACK, PAYLOAD, PL);
    expect_ok("tcp options", DLT_RAW, 4);
    check_cuts("tcp options", DLT_RAW, cuts, 2);

    reset();
    put_ipv4(0, 6, 0, TCP_LEN);
    put_tcp();
    fb.d[20 + 12] = 0x40;
    expect("tcp doff 4", DLT_RAW, DECODE_BAD_TCP);
    fb.d[20 + 12] = 0xf0; /* 60-byte header in a 47-byte IP body */
    expect("tcp doff past ip", DLT_RAW, DECODE_SHORT_TCP);
    fb.d[20 + 12] = 0x50;
    fb.d[20 + 13] = 0xff;
    CHECK_INT(run(DLT_RAW, fb.n, fb.n), DECODE_OK);
    CHECK_INT(seg.flags, 0xff);
}

/* ---- the table ---- */

static void test_names(void)
{
    const uint8_t *p = guard_copy("", 0);
    int ints[] = {-1, 1000, 65535, INT_MAX, INT_MIN};

    CHECK_STR(decode_reason_name(DECODE_OK), "ok");
    CHECK_STR(decode_reason_name(DECODE_FRAGMENT), "ip-fragment");
    CHECK_STR(decode_reason_name(DECODE_BAD_LINK), "bad-link-header");
    CHECK_STR(decode_reason_name(DECODE_REASON_COUNT), "unknown");
    CHECK_STR(decode_reason_name((enum decode_reason)-1), "unknown");
    CHECK_STR(decode_link_name(DLT_EN10MB), "EN10MB");
    CHECK_STR(decode_link_name(DLT_LINUX_SLL2), "LINUX_SLL2");
    CHECK_STR(decode_link_name(DLT_ARCNET), "ARCNET");
    CHECK_STR(decode_link_name(DLT_ARCNET_LINUX), "ARCNET_LINUX");
    CHECK_STR(decode_link_name(DLT_IEEE802), "unknown");
    CHECK_INT(decode_link_supported(DLT_IEEE802), 0);
    CHECK_INT(decode_packet(DLT_IEEE802, p, 0, 0, TS, &seg), DECODE_UNKNOWN_LINK);

    /* decode_link_supported() and decode_packet() agree on every link type */
    int disagree = 0, supported = 0;
    for (int lt = -2; lt < 300; lt++) {
        int known = decode_packet(lt, p, 0, 0, TS, &seg) != DECODE_UNKNOWN_LINK;
        disagree += known != decode_link_supported(lt);
        supported += known;
        disagree += known == !strcmp(decode_link_name(lt), "unknown");
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        disagree += decode_link_supported(ints[i]);
    CHECK_INT(disagree, 0);
    CHECK_INT(supported, 14);
    /* an empty frame, even without a buffer, is short, never a segment */
    CHECK_INT(decode_packet(DLT_EN10MB, NULL, 0, 60, TS, &seg), DECODE_SHORT_LINK);
    CHECK_INT(decode_packet(DLT_RAW, NULL, 0, 0, TS, &seg), DECODE_SHORT_IP);
}

/* Random damage to valid frames of each link type: no crash, no read past the end. */
static void test_mutations(void)
{
    static const int lts[] = {DLT_EN10MB, DLT_RAW, DLT_NFLOG, DLT_IEEE802_11_RADIO, DLT_ARCNET};
    uint8_t orig[512];
    size_t n;
    unsigned seed = 12345;
    int ok = 0;

    for (size_t k = 0; k < sizeof lts / sizeof lts[0]; k++) {
        reset();
        if (lts[k] == DLT_EN10MB) {
            put_vxlan(14 + 40 + 16 + 20 + TCP_LEN);
            put_eth(0x86dd);
            put_ipv6(0, 16 + 20 + TCP_LEN);
            put_ext(44, 0, 8);
            put_frag6(4, 0); /* IPv4 in IPv6: the second tunnel */
            put_v4_tcp();
        } else if (lts[k] == DLT_NFLOG) {
            put_nflog_head(2);
            putle16(4 + 20 + TCP_LEN);
            putle16(9);
            put_v4_tcp();
        } else if (lts[k] == DLT_IEEE802_11_RADIO) {
            put_wifi(12, 0x88, 0x83);
            put_snap(0x0800);
            put_v4_tcp();
        } else if (lts[k] == DLT_ARCNET) {
            put_arcnet(0, 0xd4, 0xff);
            fb.n -= 2;
            put16(0xffff);
            put8(0xd4);
            put8(0);
            put16(1);
            put_v4_tcp();
        } else {
            put_v6_tcp();
        }
        n = fb.n;
        memcpy(orig, fb.d, n);
        for (int i = 0; i < 20000; i++) {
            memcpy(fb.d, orig, n);
            for (int m = 0; m < 1 + i % 4; m++) {
                seed = seed * 1103515245u + 12345u;
                fb.d[(seed >> 8) % n] = (uint8_t)(seed >> 20);
            }
            seed = seed * 1103515245u + 12345u;
            size_t len = (i & 1) ? n : (seed >> 8) % (n + 1);
            ok += run(lts[k], len, n) == DECODE_OK;
        }
    }
    CHECK(ok > 0); /* some mutations leave a decodable frame */
}

int main(void)
{
    test_ethernet();
    test_vlan();
    test_mpls();
    test_pppoe();
    test_sll();
    test_null_loop();
    test_raw();
    test_chdlc();
    test_nflog();
    test_radiotap();
    test_arcnet();
    test_ipv4();
    test_padding();
    test_snaplen();
    test_big();
    test_ipv6_ext();
    test_vxlan();
    test_teredo();
    test_ip_in_ip();
    test_tcp();
    test_names();
    test_mutations();
    CHECK_INT(out_of_bounds, 0);
    guard_release();
    return TEST_REPORT();
}
