/*
 * test_source.c - source.c driven through source.h on capture files written here
 * byte by byte (pcap in both byte orders and precisions, pcapng with several sections,
 * interfaces, link types and time units), plus the public captures of ../shared/pcaps
 * when present: error messages, timestamps and their clamping, filters per link type,
 * stdin, counters, truncation at every offset, corrupt blocks. Links decode.o (link
 * type check) and pcapng.o.
 */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <unistd.h>

#include "decode.h"
#include "source.h"
#include "testhelp.h"

#define PCAPS "../shared/pcaps"

static char dir[] = "/tmp/test_source.XXXXXX";
static char path[256];
static uint8_t file[3 << 20]; /* room for one block larger than the read buffer */
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

    pcap_head(0xa1b2c3d4, 0, 6);
    snprintf(want, sizeof want, "%s: link type 6 (IEEE802) is not supported", save("tr.pcap"));
    expect_open_error(path, NULL, want);

    file_len = 0;
    put16(0xc3d4, 0);
    snprintf(want, sizeof want, "%s: not a pcap or pcapng capture (2 bytes)", save("t.txt"));
    expect_open_error(path, NULL, want);

    pcap_head(0xa1b2c3d4, 0, 1);
    file_len = 20;
    snprintf(want, sizeof want, "%s: offset 0: truncated pcap file header (20 of 24 bytes)",
             save("t.txt"));
    expect_open_error(path, NULL, want);

    pcap_head(0xa1b2c3d4, 1, 1);
    file[5] = 3;
    snprintf(want, sizeof want, "%s: unsupported pcap version 3.4", save("t.txt"));
    expect_open_error(path, NULL, want);

    snprintf(want, sizeof want, "%s: Is a directory", dir);
    expect_open_error(dir, NULL, want);

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
    CHECK_INT(st.file_bytes, 24 + 16 + 54 + 16 + 40); /* the whole file */
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
    file_len -= 44; /* the second record, at offset 94, keeps 10 of its 54 bytes */
    s = source_open_file(save("trunc.pcap"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(source_next(s, &pkt, err), -1);
    snprintf(want, sizeof want, "%s: offset 94: truncated packet record (10 of 54 bytes)", path);
    CHECK_STR(err, want);
    CHECK_INT(source_next(s, &pkt, err), -1); /* stays failed */
    source_close(s);

    file_len = 94 + 5; /* a record header cut after 5 bytes */
    s = source_open_file(save("trunc.pcap"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(source_next(s, &pkt, err), -1);
    snprintf(want, sizeof want, "%s: offset 94: truncated packet record header (5 of 16 bytes)",
             path);
    CHECK_STR(err, want);
    source_close(s);
}

/* source_limit: a file that grows while it is read ends where the limit says, at a record
 * boundary or inside a record, for a limit set before the first packet; packets appended
 * after the open are not read. */
static void test_limit(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    struct source_packet pkt;
    struct source *s;

    pcap_head(0xa1b2c3d4, 0, 1);
    for (int i = 0; i < 3; i++)
        pcap_rec(1700000000, (uint32_t)i, tcp_frame, 54, 54, 0);
    const char *p = save("limit.pcap");
    size_t whole = file_len;
    static const struct { uint64_t limit; int packets; int rc; } cases[] = {
        {24 + 70, 1, 0},      /* after the first record */
        {24 + 140, 2, 0},     /* after the second */
        {24 + 100, 1, -1},    /* inside the second: truncated there */
        {0, 3, 0},            /* no limit */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        s = source_open_file(p, NULL, err);
        CHECK(s != NULL);
        if (!s)
            return;
        source_limit(s, cases[k].limit);
        int n = 0, rc;
        while ((rc = source_next(s, &pkt, err)) == 1)
            n++;
        CHECK_INT(n, cases[k].packets);
        CHECK_INT(rc, cases[k].rc);
        source_close(s);
    }
    /* the file grows after the open: the limit taken before holds */
    s = source_open_file(p, NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    source_limit(s, whole);
    FILE *f = fopen(p, "ab");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(fwrite(file + 24, 1, 70, f), 70);
        fclose(f);
    }
    int n = 0;
    while (source_next(s, &pkt, err) == 1)
        n++;
    CHECK_INT(n, 3);
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

/* Classic pcap variants libpcap reads: Kuznetzov's records, swapped lengths, LINKTYPE_RAW. */
static void test_pcap_variants(void)
{
    char err[HTTPCAP_ERRBUF] = "";
    char want[HTTPCAP_ERRBUF + 300];
    struct source_packet pkt;
    struct source *s;

    pcap_head(0xa1b2cd34, 1, 1); /* 24-byte records: ifindex, protocol, type, pad */
    put32(1700000000, 1);
    put32(5, 1);
    put32(54, 1);
    put32(54, 1);
    put32(2, 1);
    put32(0x08000400, 1);
    putn(tcp_frame, 54);
    s = source_open_file(save("t.txt"), NULL, err);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(source_next(s, &pkt, err), 1);
        CHECK_INT(pkt.ts_ns, 1700000000000005000LL);
        CHECK_INT(pkt.caplen, 54);
        CHECK(memcmp(pkt.data, tcp_frame, 54) == 0);
        CHECK_INT(source_next(s, &pkt, err), 0);
        source_close(s);
    }

    /* before 2.3 caplen and len were the other way round; in 2.3 only maybe */
    for (unsigned minor = 2; minor <= 4; minor++) {
        pcap_head(0xa1b2c3d4, 0, 0x04000000u | 101); /* FCS bits, then LINKTYPE_RAW */
        file[6] = (uint8_t)minor;
        pcap_rec(1, 0, tcp_frame + 14, 40, 40, 0);
        file_len -= 48;
        put32(minor == 4 ? 40 : 60, 0);
        put32(minor == 4 ? 60 : 40, 0);
        putn(tcp_frame + 14, 40);
        s = source_open_file(save("t.txt"), "tcp", err);
        CHECK(s != NULL);
        if (!s)
            continue;
        CHECK_INT(source_linktype(s), DLT_RAW);
        CHECK_INT(source_next(s, &pkt, err), 1);
        CHECK_INT(pkt.linktype, DLT_RAW);
        CHECK_INT(pkt.caplen, 40);
        CHECK_INT(pkt.wirelen, 60);
        CHECK_INT(source_next(s, &pkt, err), 0);
        source_close(s);
    }

    pcap_head(0xa1b2c3d4, 0, 1);
    pcap_rec(1, 0, tcp_frame, 54, 54, 0);
    put32(2, 0);
    put32(0, 0);
    put32(262145, 0); /* more than any packet: damage */
    put32(262145, 0);
    s = source_open_file(save("t.txt"), NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(source_next(s, &pkt, err), 1);
    CHECK_INT(source_next(s, &pkt, err), -1);
    snprintf(want, sizeof want,
             "%s: offset 94: corrupt packet record (captured length 262145, more than 262144)",
             path);
    CHECK_STR(err, want);
    source_close(s);
}

/* ---- pcapng writing ---- */

static int ng_big;       /* byte order of the section being written */
static size_t blk_at;    /* offset of the block being written */
static size_t ends[64];  /* where each block written ends */
static int is_pkt[64];   /* 1 when that block is a packet */
static int n_blocks;

static void blk_begin(uint32_t type)
{
    blk_at = file_len;
    put32(type, ng_big);
    put32(0, ng_big);
}

static void blk_end(int packet)
{
    size_t len, at;

    while (file_len % 4)
        file[file_len++] = 0;
    len = file_len + 4 - blk_at;
    put32((uint32_t)len, ng_big);
    at = file_len;
    file_len = blk_at + 4;
    put32((uint32_t)len, ng_big);
    file_len = at;
    if (n_blocks < 64) {
        ends[n_blocks] = file_len;
        is_pkt[n_blocks++] = packet;
    }
}

static void ng_shb(int big)
{
    if (file_len == 0)
        n_blocks = 0;
    ng_big = big;
    blk_begin(0x0a0d0d0a);
    put32(0x1a2b3c4d, big);
    put16(1, big);
    put16(0, big);
    put32(0xffffffff, big); /* section length: unknown */
    put32(0xffffffff, big);
    blk_end(0);
}

static void ng_opt(unsigned code, const void *v, unsigned n)
{
    static const uint8_t zero[4];

    put16(code, ng_big);
    put16(n, ng_big);
    putn(v, n);
    putn(zero, (4 - n % 4) % 4);
}

/* An interface; tsresol < 0 leaves microseconds, offset 0 writes no if_tsoffset. */
static void ng_idb(unsigned linktype, uint32_t snaplen, int tsresol, int64_t offset)
{
    uint8_t res = (uint8_t)tsresol;
    uint64_t off = (uint64_t)offset;

    blk_begin(1);
    put16(linktype, ng_big);
    put16(0, ng_big);
    put32(snaplen, ng_big);
    ng_opt(2, "eth0", 4); /* if_name: ignored */
    if (tsresol >= 0)
        ng_opt(9, &res, 1);
    if (offset) {
        put16(14, ng_big);
        put16(8, ng_big);
        put32((uint32_t)(ng_big ? off >> 32 : off), ng_big);
        put32((uint32_t)(ng_big ? off : off >> 32), ng_big);
    }
    put32(0, ng_big); /* opt_endofopt */
    blk_end(0);
}

static void ng_epb(uint32_t iface, uint64_t ticks, const void *p, uint32_t caplen,
                   uint32_t wirelen)
{
    blk_begin(6);
    put32(iface, ng_big);
    put32((uint32_t)(ticks >> 32), ng_big);
    put32((uint32_t)ticks, ng_big);
    put32(caplen, ng_big);
    put32(wirelen, ng_big);
    putn(p, caplen);
    blk_end(1);
}

/* The obsolete packet block: 16-bit interface id and drop count. */
static void ng_pb(unsigned iface, uint64_t ticks, const void *p, uint32_t caplen)
{
    blk_begin(2);
    put16(iface, ng_big);
    put16(7, ng_big);
    put32((uint32_t)(ticks >> 32), ng_big);
    put32((uint32_t)ticks, ng_big);
    put32(caplen, ng_big);
    put32(caplen, ng_big);
    putn(p, caplen);
    blk_end(1);
}

static void ng_spb(uint32_t wirelen, const void *p, uint32_t n)
{
    blk_begin(3);
    put32(wirelen, ng_big);
    putn(p, n);
    blk_end(1);
}

static void ng_other(uint32_t type, size_t body)
{
    blk_begin(type);
    memset(file + file_len, 0x5a, body);
    file_len += body;
    blk_end(0);
}

/*
 * Two sections of opposite byte orders. The first: Ethernet in microseconds, raw IP in
 * milliseconds 100 s late with a 30-byte snaplen, Ethernet in 1/1024 s; packets in
 * enhanced, simple and obsolete blocks between blocks to skip. The second: raw IP
 * in nanoseconds, interface 0 again.
 */
static void write_sections(int big)
{
    file_len = 0;
    ng_shb(big);
    ng_other(0x40000bad, 8); /* custom block before any interface */
    ng_idb(1, 0, -1, 0);
    ng_idb(101, 30, 3, 100);
    ng_idb(1, 0, 0x80 | 10, 0);
    ng_epb(0, 1700000000123456ULL, tcp_frame, 54, 54);
    ng_other(4, 12); /* name resolution */
    ng_other(5, 20); /* interface statistics */
    ng_other(10, 16); /* decryption secrets */
    ng_epb(1, 1700000000123ULL, tcp_frame + 14, 40, 40);
    ng_epb(2, (1700000000ULL << 10) + 512, udp_frame, 42, 60);
    ng_spb(54, tcp_frame, 54);
    ng_pb(1, 1700000000999ULL, tcp_frame + 14, 40);
    ng_shb(!big);
    ng_idb(101, 0, 9, 0);
    ng_epb(0, 1700000001000000001ULL, tcp_frame + 14, 40, 40);
}

static void test_pcapng_sections(void)
{
    static const struct {
        int64_t ts_ns;
        uint32_t caplen, wirelen;
        int linktype;
    } want[] = {
        {1700000000123456000LL, 54, 54, 1},
        {1700000100123000000LL, 40, 40, DLT_RAW},
        {1700000000500000000LL, 42, 60, 1},
        {1700000000500000000LL, 54, 54, 1}, /* simple block: the previous time */
        {1700000100999000000LL, 40, 40, DLT_RAW},
        {1700000001000000001LL, 40, 40, DLT_RAW},
    };
    char err[HTTPCAP_ERRBUF] = "";
    char msg[HTTPCAP_ERRBUF + 300];
    struct source_packet pkt;
    struct source *s;
    size_t bad_at;
    int rc;

    for (int big = 0; big <= 1; big++) {
        write_sections(big);
        s = source_open_file(save("t.pcapng"), NULL, err);
        CHECK(s != NULL);
        if (!s)
            return;
        CHECK_INT(source_linktype(s), 1);
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            CHECK_INT(source_next(s, &pkt, err), 1);
            CHECK_INT(pkt.ts_ns, want[i].ts_ns);
            CHECK_INT(pkt.ts_clamped, 0);
            CHECK_INT(pkt.caplen, want[i].caplen);
            CHECK_INT(pkt.wirelen, want[i].wirelen);
            CHECK_INT(pkt.linktype, want[i].linktype);
            CHECK_INT(pkt.index, i + 1);
            CHECK(memcmp(pkt.data, want[i].linktype == 1 ? (i == 2 ? udp_frame : tcp_frame)
                                                        : tcp_frame + 14,
                         pkt.caplen) == 0);
        }
        CHECK_INT(source_next(s, &pkt, err), 0);
        source_close(s);

        /* the second section has forgotten the first one's interface 1 */
        bad_at = file_len;
        ng_epb(1, 0, tcp_frame + 14, 40, 40);
        s = source_open_file(save("t.pcapng"), NULL, err);
        CHECK(s != NULL);
        if (!s)
            return;
        while ((rc = source_next(s, &pkt, err)) == 1)
            continue;
        CHECK_INT(rc, -1);
        snprintf(msg, sizeof msg,
                 "%s: offset %zu: corrupt pcapng block (packet of interface 1, the section has 1)",
                 path, bad_at);
        CHECK_STR(err, msg);
        source_close(s);
    }
}

/* A filter is compiled per link type; one that means nothing on a link type drops it. */
static void test_pcapng_filter_and_stdin(void)
{
    static const struct {
        const char *filter;
        int packets;
    } cases[] = {{"tcp", 5}, {"udp", 1}, {"ether src 00:06:07:08:09:0a", 3}, {"ip", 6}};
    char err[HTTPCAP_ERRBUF] = "";
    struct source_packet pkt;
    struct source *s;
    int n;

    write_sections(1);
    save("t.pcapng");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s = source_open_file(path, cases[i].filter, err);
        CHECK(s != NULL);
        if (!s)
            return;
        for (n = 0; source_next(s, &pkt, err) == 1; n++)
            continue;
        if (n != cases[i].packets)
            fprintf(stderr, "filter '%s'\n", cases[i].filter);
        CHECK_INT(n, cases[i].packets);
        source_close(s);
    }

    if (!freopen(path, "rb", stdin)) {
        CHECK(!"freopen stdin");
        return;
    }
    s = source_open_file("-", NULL, err);
    CHECK(s != NULL);
    if (!s)
        return;
    for (n = 0; source_next(s, &pkt, err) == 1; n++)
        continue;
    CHECK_INT(n, 6);
    source_close(s);
}

/* Write file as is, open and read it; err gets the first error; returns packets read. */
static int read_file(const char *name, const char *filter, char err[HTTPCAP_ERRBUF], int *rc)
{
    struct source_packet pkt;
    struct source *s;
    int n = 0;

    err[0] = '\0';
    s = source_open_file(save(name), filter, err);
    *rc = -2;
    if (!s)
        return -1;
    while ((*rc = source_next(s, &pkt, err)) == 1)
        n++;
    source_close(s);
    return n;
}

static void expect_read_error(const char *what, size_t offset, const char *reason)
{
    char err[HTTPCAP_ERRBUF], want[HTTPCAP_ERRBUF + 300];
    int rc;

    read_file("t.pcapng", NULL, err, &rc);
    snprintf(want, sizeof want, "%s: offset %zu: %s", path, offset, reason);
    if (strcmp(err, want) != 0)
        fprintf(stderr, "%s\n", what);
    CHECK_STR(err, want);
}

static void put_at(size_t at, uint32_t v)
{
    size_t keep = file_len;

    file_len = at;
    put32(v, 0);
    file_len = keep;
}

static void test_pcapng_corrupt(void)
{
    static uint8_t big[(2u << 20) + 1];
    char err[HTTPCAP_ERRBUF];
    size_t at;
    int rc;

    file_len = 0;
    ng_shb(0);
    ng_idb(1, 0, -1, 0);
    at = file_len;
    ng_epb(0, 1, tcp_frame, 54, 54);
    put_at(file_len - 4, 92);
    expect_read_error("trailer", at, "corrupt pcapng block (length 88, trailing length 92)");
    put_at(at + 4, 90);
    expect_read_error("odd length", at, "corrupt pcapng block (length 90, not a multiple of 4)");
    put_at(at + 4, 8);
    expect_read_error("short", at, "corrupt pcapng block (length 8, less than 12)");
    put_at(at + 4, (16u << 20) + 4);
    expect_read_error("huge", at,
                      "corrupt pcapng block (length 16777220, more than the 16 MiB cap)");
    put_at(at + 4, 88);
    put_at(file_len - 4, 88);
    put_at(at + 20, 57);
    expect_read_error("caplen", at,
                      "corrupt pcapng block (captured length 57, the block holds 56)");
    put_at(at + 20, 54);
    CHECK_INT(read_file("t.pcapng", NULL, err, &rc), 1);
    CHECK_INT(rc, 0);
    file_len -= 1;
    expect_read_error("cut", at, "truncated pcapng block (87 of 88 bytes)");
    file_len -= 80;
    expect_read_error("cut header", at, "truncated pcapng block header (7 of 12 bytes)");

    /* a block larger than the read buffer: the buffer grows, the data is intact */
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    file_len = at;
    ng_epb(0, 1, big, sizeof big, sizeof big);
    ng_epb(0, 2, tcp_frame, 54, 54);
    {
        struct source_packet pkt;
        struct source *s = source_open_file(save("t.pcapng"), NULL, err);

        CHECK(s != NULL);
        if (!s)
            return;
        CHECK_INT(source_next(s, &pkt, err), 1);
        CHECK_INT(pkt.caplen, sizeof big);
        CHECK(pkt.caplen == sizeof big && memcmp(pkt.data, big, sizeof big) == 0);
        CHECK_INT(source_next(s, &pkt, err), 1);
        CHECK(memcmp(pkt.data, tcp_frame, 54) == 0);
        CHECK_INT(source_next(s, &pkt, err), 0);
        source_close(s);
    }
}

/* What is wrong before the first interface is an open error. */
static void test_pcapng_open_errors(void)
{
    char want[HTTPCAP_ERRBUF + 300];
    struct source *s;

    file_len = 0;
    ng_shb(0);
    snprintf(want, sizeof want, "%s: pcapng file without an interface description block",
             save("t.pcapng"));
    expect_open_error(path, NULL, want);

    ng_epb(0, 1, tcp_frame, 54, 54);
    snprintf(want, sizeof want,
             "%s: offset 28: corrupt pcapng block (packet of interface 0, the section has 0)",
             save("t.pcapng"));
    expect_open_error(path, NULL, want);

    file_len = 28;
    ng_idb(1, 0, 20, 0); /* 10^-20 s does not fit 64 bits */
    snprintf(want, sizeof want,
             "%s: offset 28: corrupt pcapng interface description block (if_tsresol 0x14)",
             save("t.pcapng"));
    expect_open_error(path, NULL, want);

    file[8] = 0x1b;
    snprintf(want, sizeof want,
             "%s: offset 0: corrupt pcapng section header (bad byte-order magic)",
             save("t.pcapng"));
    expect_open_error(path, NULL, want);

    file[8] = 0x4d;
    file[12] = 2;
    snprintf(want, sizeof want, "%s: offset 0: unsupported pcapng version 2.0", save("t.pcapng"));
    expect_open_error(path, NULL, want);

    file_len = 0;
    ng_shb(1);
    ng_idb(7, 0, -1, 0);
    s = source_open_file(save("t.pcapng"), NULL, want);
    CHECK(s != NULL);
    if (s)
        CHECK_INT(source_linktype(s), 7); /* ARCNET, decodable since decode.c knows it */
    source_close(s);
}

/*
 * Cut a file at every length: it opens once the first interface is whole, returns
 * every packet before the cut, and ends cleanly exactly at block boundaries, else
 * with the offset of the block that was cut.
 */
static void check_cuts(const char *what, size_t first, const size_t *blk_ends,
                       const int *blk_is_pkt, int nblk)
{
    static uint8_t whole[sizeof file];
    size_t n = file_len;
    int bad = 0;

    memcpy(whole, file, n);
    for (size_t len = 0; len <= n; len++) {
        char err[HTTPCAP_ERRBUF], want[HTTPCAP_ERRBUF + 300];
        size_t start = 0;
        int packets = 0, at_boundary = len == 0, was_bad = bad, rc, got;

        for (int b = 0; b < nblk && blk_ends[b] <= len; b++) {
            packets += blk_is_pkt[b];
            at_boundary = blk_ends[b] == len;
            start = blk_ends[b];
        }
        memcpy(file, whole, len);
        file_len = len;
        got = read_file("cut", NULL, err, &rc);
        snprintf(want, sizeof want, "%s: offset %zu: truncated", path, start);
        if (len < first) {
            bad += got != -1;
        } else {
            bad += got != packets || rc != (at_boundary ? 0 : -1);
            bad += !at_boundary && !starts_with(err, want);
        }
        if (bad > was_bad && was_bad == 0)
            fprintf(stderr, "%s cut at %zu of %zu: %d packets, rc %d, %s\n", what, len, n,
                    got, rc, err);
    }
    memcpy(file, whole, n);
    file_len = n;
    CHECK_INT(bad, 0);
}

static void test_cuts(void)
{
    size_t pcap_ends[4] = {24, 24 + 70, 24 + 70 + 58, 24 + 70 + 58 + 70};
    int pcap_pkt[4] = {0, 1, 1, 1};

    for (int big = 0; big <= 1; big++) {
        write_sections(big);
        check_cuts("pcapng", ends[2], ends, is_pkt, n_blocks);
    }
    pcap_head(0xa1b23c4d, 1, 1);
    pcap_rec(1, 0, tcp_frame, 54, 54, 1);
    pcap_rec(2, 0, udp_frame, 42, 42, 1);
    pcap_rec(3, 0, tcp_frame, 54, 54, 1);
    check_cuts("pcap", 24, pcap_ends, pcap_pkt, 4);
}

/* Random damage to a valid pcapng: no crash, no read outside the buffer (ASan). */
static void test_pcapng_mutations(void)
{
    static uint8_t orig[sizeof file];
    unsigned seed = 4242;
    size_t n;
    int packets = 0, rc;

    write_sections(0);
    n = file_len;
    memcpy(orig, file, n);
    for (int i = 0; i < 3000; i++) {
        char err[HTTPCAP_ERRBUF];

        memcpy(file, orig, n);
        for (int m = 0; m < 1 + i % 3; m++) {
            seed = seed * 1103515245u + 12345u;
            file[(seed >> 8) % n] = (uint8_t)(seed >> 20);
        }
        file_len = n;
        packets += read_file("t.pcapng", i % 2 ? "tcp" : NULL, err, &rc) > 0;
    }
    CHECK(packets > 0);
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
        {"tcpdump-arcnet-rfc1201-arp-icmp-http.pcap", 26, 14},
        {"pcapplusplus-pcapng-example.pcapng", 159, 159},
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
}

/*
 * Ethernet then Linux cooked interfaces in one pcapng (libpcap 1.10 stops at the second):
 * every packet carries its own link type, and a filter is compiled for each. tshark
 * counts 159 packets, 59 on interface 0, 59 on TCP port 3306 and 91 on port 6000.
 */
static void test_pcapng_two_linktypes(void)
{
    static const struct {
        const char *filter;
        int packets;
    } filters[] = {{NULL, 159}, {"tcp", 159}, {"tcp port 3306", 59}, {"tcp port 6000", 91}};
    char p[512], err[HTTPCAP_ERRBUF];
    struct source_packet pkt;
    struct source *s;

    snprintf(p, sizeof p, "%s/pcapplusplus-pcapng-example.pcapng", PCAPS);
    if (access(p, R_OK) != 0) {
        printf("skipped: %s not found\n", p);
        return;
    }
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        int packets = 0, ether = 0, sll = 0, rc;

        s = source_open_file(p, filters[i].filter, err);
        CHECK(s != NULL);
        if (!s)
            return;
        CHECK_INT(source_linktype(s), 1);
        while ((rc = source_next(s, &pkt, err)) == 1) {
            packets++;
            ether += pkt.linktype == 1;
            sll += pkt.linktype == 113;
        }
        CHECK_INT(rc, 0);
        CHECK_INT(packets, filters[i].packets);
        if (!filters[i].filter) {
            CHECK_INT(ether, 59);
            CHECK_INT(sll, 100);
        }
        source_close(s);
    }
}

static void cleanup(void)
{
    static const char *const names[] = {"t.txt",    "empty",          "tr.pcap",
                                        "ok.pcap",  "micro.pcap",     "nano.pcap",
                                        "trunc.pcap", "clamp.pcapng", "mixed.pcap",
                                        "t.pcapng", "cut"};
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
    test_limit();
    test_filter_and_stdin();
    test_pcap_variants();
    test_pcapng_sections();
    test_pcapng_filter_and_stdin();
    test_pcapng_corrupt();
    test_pcapng_open_errors();
    test_cuts();
    test_pcapng_mutations();
    test_public_captures();
    test_pcapng_two_linktypes();
    cleanup();
    return TEST_REPORT();
}
