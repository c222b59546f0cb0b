/*
 * test_pcapng.c - pcapng.c driven through pcapng.h, one block at a time, each block at
 * the end of a page followed by an inaccessible one (guard.h): block lengths, both byte
 * orders, sections, interface options and time units (exact and saturated), simple and
 * obsolete packet blocks, bodies cut at every length, the interface cap, random damage.
 */
#include <stdint.h>
#include <stdlib.h>

#include "guard.h"
#include "pcapng.h"
#include "testhelp.h"

static uint8_t blk[1024];
static size_t blk_len;
static int big; /* byte order of the blocks being written */

static void put8(unsigned v)
{
    blk[blk_len++] = (uint8_t)v;
}

static void put16(unsigned v)
{
    put8(big ? v >> 8 : v);
    put8(big ? v : v >> 8);
}

static void put32(uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put8((unsigned)(big ? v >> (24 - 8 * i) : v >> (8 * i)));
}

static void putn(const void *p, size_t n)
{
    memcpy(blk + blk_len, p, n);
    blk_len += n;
}

static void begin(uint32_t type)
{
    blk_len = 0;
    put32(type);
    put32(0);
}

/* Pad to 4, write the trailing length and patch the leading one. */
static void end(void)
{
    size_t keep;

    while (blk_len % 4)
        put8(0);
    keep = blk_len + 4;
    put32((uint32_t)keep);
    blk_len = 4;
    put32((uint32_t)keep);
    blk_len = keep;
}

static void shb(int is_big)
{
    big = is_big;
    begin(PCAPNG_SHB_TYPE);
    put32(0x1a2b3c4d);
    put16(1);
    put16(0);
    put32(0xffffffff);
    put32(0xffffffff);
    end();
}

static void opt(unsigned code, const void *v, unsigned n)
{
    put16(code);
    put16(n);
    putn(v, n);
    while (blk_len % 4)
        put8(0);
}

/* tsresol < 0: no option; has_offset: if_tsoffset of offset seconds. */
static void idb(unsigned linktype, uint32_t snaplen, int tsresol, int has_offset,
                int64_t offset)
{
    uint8_t res = (uint8_t)tsresol;
    uint64_t off = (uint64_t)offset;

    begin(1);
    put16(linktype);
    put16(0);
    put32(snaplen);
    if (tsresol >= 0)
        opt(9, &res, 1);
    if (has_offset) {
        put16(14);
        put16(8);
        put32((uint32_t)(big ? off >> 32 : off));
        put32((uint32_t)(big ? off : off >> 32));
    }
    put32(0);
    end();
}

static void epb(uint32_t iface, uint64_t ticks, const void *p, uint32_t caplen,
                uint32_t wirelen)
{
    begin(6);
    put32(iface);
    put32((uint32_t)(ticks >> 32));
    put32((uint32_t)ticks);
    put32(caplen);
    put32(wirelen);
    putn(p, caplen);
    end();
}

static struct pcapng_packet pkt;
static char err[HTTPCAP_ERRBUF];
static int out_of_bounds; /* packets whose bytes lie outside their block */

/* Length check and parse of blk[0..n) placed before a guard page: 1, 0 or -1. */
static int feed_n(struct pcapng *ng, size_t n)
{
    const uint8_t *p = guard_copy(blk, n);
    uint32_t len;
    int rc;

    if (!p) {
        fprintf(stderr, "guard_copy failed\n");
        exit(2);
    }
    err[0] = '\0';
    if (pcapng_block_length(ng, p, n, &len, err) != 0)
        return -1;
    if (len > n) {
        snprintf(err, sizeof err, "length %u past the %zu bytes", len, n);
        return -1;
    }
    memset(&pkt, 0, sizeof pkt);
    rc = pcapng_block(ng, p, len, &pkt, err);
    if (rc == 1 && (pkt.data < p || pkt.caplen > len || (size_t)(pkt.data - p) > len - pkt.caplen))
        out_of_bounds++;
    return rc;
}

static int feed(struct pcapng *ng)
{
    return feed_n(ng, blk_len);
}

static void test_lengths(void)
{
    struct pcapng *ng = pcapng_create();
    uint32_t len;

    for (int b = 0; b <= 1; b++) {
        shb(b);
        CHECK_INT(pcapng_block_length(ng, blk, blk_len, &len, err), 0);
        CHECK_INT(len, 28);
        CHECK_INT(feed(ng), 0);
        CHECK_INT(pcapng_interfaces(ng), 0);
        blk[8] ^= 0xff;
        CHECK_INT(feed(ng), -1);
        CHECK_STR(err, "corrupt pcapng section header (bad byte-order magic)");
    }
    shb(0);
    feed(ng);
    begin(0x0bad);
    end();
    CHECK_INT(feed(ng), 0); /* an empty unknown block */
    CHECK_INT(feed_n(ng, 7), -1);
    CHECK_STR(err, "truncated pcapng block header");
    blk[4] = 8;
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng block (length 8, less than 12)");
    blk[4] = 14;
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng block (length 14, not a multiple of 4)");
    blk[4] = 0;
    blk[7] = 0x01; /* 16 MiB exactly: allowed */
    CHECK_INT(pcapng_block_length(ng, blk, 12, &len, err), 0);
    CHECK_INT(len, 16u << 20);
    blk[4] = 4;
    CHECK_INT(pcapng_block_length(ng, blk, 12, &len, err), -1);
    CHECK_STR(err, "corrupt pcapng block (length 16777220, more than the 16 MiB cap)");
    begin(0x0bad);
    end();
    blk[8] = 16; /* trailing length */
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng block (length 12, trailing length 16)");

    shb(0);
    blk[12] = 2;
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "unsupported pcapng version 2.0");
    pcapng_destroy(ng);
    pcapng_destroy(NULL);
}

struct tcase {
    int tsresol;     /* -1: none */
    int64_t offset;  /* if_tsoffset, 0 for none */
    uint64_t ticks;
    int64_t sec;
    uint32_t nsec;
};

static void test_times(void)
{
    static const struct tcase cases[] = {
        {-1, 0, 1700000000123456ULL, 1700000000, 123456000},
        {6, -1000, 1700000000123456ULL, 1699999000, 123456000},
        {9, 0, 1700000000123456789ULL, 1700000000, 123456789},
        {0, 0, 5, 5, 0},
        {3, 100, 1700000000999ULL, 1700000100, 999000000},
        {19, 0, UINT64_MAX, 1, 844674407},             /* 10^19 units: 128-bit path */
        {0x80 | 10, 0, 3 * 1024 + 1, 3, 976562},       /* 1/1024 s */
        {0x80 | 63, 0, UINT64_MAX, 1, 999999999},
        {0x80 | 63, 0, ((uint64_t)1 << 62), 0, 500000000},
        {0x80 | 0, 0, 7, 7, 0},
        {0, INT64_MAX, UINT64_MAX, INT64_MAX, 0},      /* saturated, never wrapped */
        {0, INT64_MIN, 0, INT64_MIN, 0},
        {0, INT64_MIN, UINT64_MAX, INT64_MAX, 0},
    };
    static const uint8_t data[4] = {1, 2, 3, 4};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pcapng *ng = pcapng_create();
        const struct tcase *c = &cases[i];

        for (int b = 0; b <= 1; b++) {
            shb(b);
            CHECK_INT(feed(ng), 0);
            idb(1, 0, c->tsresol, c->offset != 0, c->offset);
            CHECK_INT(feed(ng), 0);
            epb(0, c->ticks, data, 4, 4);
            CHECK_INT(feed(ng), 1);
            if (pkt.sec != c->sec || pkt.nsec != c->nsec)
                fprintf(stderr, "time case %zu, %s-endian\n", i, b ? "big" : "little");
            CHECK_INT(pkt.has_ts, 1);
            CHECK_INT(pkt.sec, c->sec);
            CHECK_INT(pkt.nsec, c->nsec);
            CHECK_INT(pkt.caplen, 4);
            CHECK(pkt.caplen == 4 && memcmp(pkt.data, data, 4) == 0);
        }
        pcapng_destroy(ng);
    }
    for (int res = 0; res < 256; res++) {
        struct pcapng *ng = pcapng_create();
        int usable = res <= 19 || (res >= 0x80 && res <= 0x80 + 63);

        shb(1);
        feed(ng);
        idb(1, 0, res, 0, 0);
        if (feed(ng) != (usable ? 0 : -1))
            fprintf(stderr, "if_tsresol 0x%02x\n", res);
        CHECK_INT(pcapng_interfaces(ng), usable);
        pcapng_destroy(ng);
    }
}

static void test_interfaces(void)
{
    struct pcapng *ng = pcapng_create();
    static const uint8_t data[60];
    uint8_t res = 3;

    shb(0);
    feed(ng);
    begin(1); /* an unknown option, if_tsresol, and the list ends without opt_endofopt */
    put16(113);
    put16(0);
    put32(0);
    opt(2, "lo", 2);
    opt(9, &res, 1);
    end();
    CHECK_INT(feed(ng), 0);
    CHECK_INT(pcapng_interfaces(ng), 1);
    CHECK_INT(pcapng_linktype(ng, 0), 113);
    CHECK_INT(pcapng_linktype(ng, 1), -1);
    epb(0, 1234, data, 8, 8);
    CHECK_INT(feed(ng), 1);
    CHECK_INT(pkt.sec, 1);
    CHECK_INT(pkt.nsec, 234000000);
    CHECK_INT(pkt.linktype, 113);

    begin(1); /* an option longer than the block */
    put16(1);
    put16(0);
    put32(0);
    put16(2);
    put16(200);
    put32(0);
    end();
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng interface description block (an option runs past the block)");

    /* simple packet blocks: interface 0, no time, the least of length, snaplen, room */
    shb(1);
    feed(ng);
    CHECK_INT(pcapng_interfaces(ng), 0); /* a new section forgets the interfaces */
    begin(3);
    put32(10);
    putn(data, 12);
    end();
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng block (packet of interface 0, the section has 0)");
    idb(1, 8, -1, 0, 0);
    CHECK_INT(feed(ng), 0);
    begin(3);
    put32(10);
    putn(data, 12);
    end();
    CHECK_INT(feed(ng), 1);
    CHECK_INT(pkt.has_ts, 0);
    CHECK_INT(pkt.caplen, 8);
    CHECK_INT(pkt.wirelen, 10);

    shb(1);
    feed(ng);
    idb(1, 0, -1, 0, 0); /* no snaplen */
    CHECK_INT(feed(ng), 0);
    begin(3);
    put32(100);
    putn(data, 12);
    end();
    CHECK_INT(feed(ng), 1);
    CHECK_INT(pkt.caplen, 12); /* only 12 bytes are there */
    CHECK_INT(pkt.wirelen, 100);
    begin(3);
    put32(5);
    putn(data, 8);
    end();
    CHECK_INT(feed(ng), 1);
    CHECK_INT(pkt.caplen, 5); /* the rest is padding */

    /* the obsolete packet block: 16-bit interface id and a drop count */
    begin(2);
    put16(0);
    put16(9);
    put32(0);
    put32(2000000);
    put32(6);
    put32(6);
    putn(data, 6);
    end();
    CHECK_INT(feed(ng), 1);
    CHECK_INT(pkt.sec, 2);
    CHECK_INT(pkt.caplen, 6);
    blk[9] = 1; /* interface 1, big-endian */
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng block (packet of interface 1, the section has 1)");

    epb(0, 0, data, 6, 6);
    blk[20 + 3] = 9; /* caplen 9 in an 8-byte room */
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "corrupt pcapng block (captured length 9, the block holds 8)");
    pcapng_destroy(ng);

    ng = pcapng_create();
    shb(0);
    feed(ng);
    idb(1, 0, -1, 0, 0);
    for (uint32_t i = 0; i < PCAPNG_MAX_INTERFACES; i++)
        pcapng_block(ng, blk, (uint32_t)blk_len, &pkt, err); /* no guard page: quick */
    CHECK_INT(pcapng_interfaces(ng), PCAPNG_MAX_INTERFACES);
    CHECK_INT(feed(ng), -1);
    CHECK_STR(err, "pcapng section with more than 65536 interfaces");
    pcapng_destroy(ng);
}

/*
 * Each block with its body cut to every multiple of 4 (lengths kept consistent, as a
 * writer that lies would): an error or a packet inside the block, never a read past it.
 */
static void test_short_bodies(void)
{
    static const uint8_t data[64];
    int errors = 0;

    for (int kind = 0; kind < 5; kind++) {
        size_t full;

        shb(kind % 2);
        if (kind == 0)
            shb(0);
        else if (kind == 1)
            idb(1, 0, 9, 1, -5);
        else if (kind == 2)
            epb(0, 1, data, 40, 40);
        else if (kind == 3) {
            begin(3);
            put32(40);
            putn(data, 40);
            end();
        } else {
            begin(2);
            put16(0);
            put16(0);
            put32(0);
            put32(1);
            put32(40);
            put32(40);
            putn(data, 40);
            end();
        }
        full = blk_len;
        for (size_t n = 12; n <= full; n += 4) {
            static uint8_t copy[1024];
            struct pcapng *ng = pcapng_create();
            int rc;

            memcpy(copy, blk, full);
            shb(kind % 2);
            feed(ng);
            idb(1, 0, -1, 0, 0);
            feed(ng);
            memcpy(blk, copy, n - 4);
            blk_len = n - 4;
            put32((uint32_t)n);
            blk_len = 4;
            put32((uint32_t)n);
            blk_len = n;
            rc = feed(ng);
            errors += rc < 0;
            pcapng_destroy(ng);
            memcpy(blk, copy, full);
            blk_len = full;
        }
    }
    CHECK(errors > 0);
}

/* Random damage to a section's blocks: no crash, no read outside (guard page, ASan). */
static void test_mutations(void)
{
    static const uint8_t data[48] = {0x45};
    uint8_t orig[4][256];
    size_t lens[4];
    unsigned seed = 777;
    int packets = 0;

    shb(1);
    memcpy(orig[0], blk, lens[0] = blk_len);
    idb(1, 100, 9, 1, 3);
    memcpy(orig[1], blk, lens[1] = blk_len);
    epb(0, 99, data, sizeof data, 60);
    memcpy(orig[2], blk, lens[2] = blk_len);
    begin(3);
    put32(48);
    putn(data, 48);
    end();
    memcpy(orig[3], blk, lens[3] = blk_len);
    for (int i = 0; i < 20000; i++) {
        struct pcapng *ng = pcapng_create();

        for (int k = 0; k < 4; k++) {
            memcpy(blk, orig[k], lens[k]);
            blk_len = lens[k];
            if ((i + k) % 3 == 0) {
                seed = seed * 1103515245u + 12345u;
                blk[(seed >> 8) % blk_len] = (uint8_t)(seed >> 20);
            }
            seed = seed * 1103515245u + 12345u;
            if (feed_n(ng, (seed >> 9) % 5 == 0 ? (seed >> 12) % (blk_len + 1) : blk_len) < 0)
                break;
            packets += k >= 2;
        }
        pcapng_destroy(ng);
    }
    CHECK(packets > 0);
}

int main(void)
{
    test_lengths();
    test_times();
    test_interfaces();
    test_short_bodies();
    test_mutations();
    CHECK_INT(out_of_bounds, 0);
    guard_release();
    return TEST_REPORT();
}
