/*
 * genattack.c - writes hostile captures, one per attack, for tests/e2e/test_hostile.py.
 * Owns: the bytes and times of ten cases (what each holds is said above its function):
 *       synflood, header10mb, endless-chunked, overflow, pipeline10k, random80, overlap,
 *       seqjump, holes, ooo-falling. --scale N divides the big sizes (SYNs, header, body, random
 *       bytes) by N.
 * In:   OUTDIR [--scale N] [CASE...]   (or --list)
 * Out:  OUTDIR/<case>.pcap, deterministic for a scale, and one line per case on stdout
 *       saying what was written ("synflood syns=1000000"), for the test to compare with.
 * Never: runs httpcap, reads the clock or anything back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casegen.h"
#include "genutil.h"
#include "pcapw.h"

#define T0 1700000000000000000LL /* 2023-11-14T22:13:20Z */
#define SEC 1000000000LL
#define MS 1000000LL
#define US 1000LL
#define MSS 1460u
#define SRV "198.51.100.80"
#define DATE "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"

/* The divisor of the big sizes, set once by main before any case is written (the case
 * functions of casegen take no argument). */
static uint32_t scale = 1;

/* ---- a byte stream cut into MSS segments, the receiver ACKing every second one ---- */

struct seg_out {
    struct pw_conn *c;
    int from_client;
    int64_t t;          /* time of the next packet, ns */
    int64_t step_ns;    /* between two packets */
    uint64_t segs;      /* segments written */
    uint32_t len;       /* bytes waiting in buf */
    uint8_t buf[MSS];
};

static void out_init(struct seg_out *o, struct pw_conn *c, int from_client, int64_t t,
                     int64_t step_ns)
{
    memset(o, 0, sizeof *o);
    o->c = c;
    o->from_client = from_client;
    o->t = t;
    o->step_ns = step_ns;
}

/* Send what waits as one segment; RFC 9293 §3.8.6.3: an ACK for at least every second. */
static void out_flush(struct seg_out *o)
{
    if (o->len == 0)
        return;
    pw_send(o->c, o->from_client, o->buf, o->len, o->t);
    o->t += o->step_ns;
    o->len = 0;
    if (++o->segs % 2 == 0) {
        pw_ack(o->c, !o->from_client, o->t);
        o->t += o->step_ns;
    }
}

static void out_put(struct seg_out *o, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        size_t k = MSS - o->len < n ? MSS - o->len : n;
        memcpy(o->buf + o->len, b, k);
        o->len += (uint32_t)k;
        b += k;
        n -= k;
        if (o->len == MSS)
            out_flush(o);
    }
}

static void out_str(struct seg_out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* n copies of byte c. */
static void out_fill(struct seg_out *o, uint8_t c, uint64_t n)
{
    uint8_t block[MSS];
    memset(block, c, sizeof block);
    while (n > 0) {
        size_t k = n < sizeof block ? (size_t)n : sizeof block;
        out_put(o, block, k);
        n -= k;
    }
}

/* Flush, then the receiver ACKs everything; returns the time after it. */
static int64_t out_end(struct seg_out *o)
{
    out_flush(o);
    pw_ack(o->c, !o->from_client, o->t);
    return o->t + o->step_ns;
}

static void sends(struct pw_conn *c, int from_client, const char *s, int64_t t)
{
    pw_send(c, from_client, s, (uint32_t)strlen(s), t);
}

/* A connection from 192.0.2.<host>:port to SRV:80 with its handshake at t. */
static void open_conn(struct pw_conn *c, struct pw_file *f, int host, uint16_t port, int64_t t)
{
    char cli[32];
    snprintf(cli, sizeof cli, "192.0.2.%d", host);
    pw_conn_init(c, f, cli, port, SRV, 80);
    pw_handshake(c, t);
}

/* ---- the cases ---- */

/*
 * synflood: 1,000,000 SYNs (divided by the scale), each from its own client address and
 * port, to SRV:80, none answered, spread evenly over 4 s (far inside the 300 s idle
 * timeout, so only the table's cap can make room). Raw IP link: 56 bytes a SYN.
 */
static void synflood(struct pw_file *f)
{
    uint32_t n = 1000000u / scale;
    struct pw_conn c;
    pw_conn_init(&c, f, "10.0.0.1", 1024, SRV, 80);
    int64_t step = 4 * SEC / n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t host = i / 60000u;
        c.addr[PW_CLIENT][1] = (uint8_t)(host >> 8);
        c.addr[PW_CLIENT][2] = (uint8_t)host;
        c.port[PW_CLIENT] = (uint16_t)(1024u + i % 60000u);
        pw_write_tcp(&c, 1, i * 2654435761u, 0, PW_SYN, NULL, 0, T0 + (int64_t)i * step);
    }
    printf("synflood syns=%u\n", n);
}

/*
 * header10mb: a request whose one header line (X-Big) holds 10 MiB (divided by the
 * scale) in 1460-byte segments, ACKed, then a normal 200 response and a close.
 */
static void header10mb(struct pw_file *f)
{
    struct pw_conn c;
    struct seg_out o;
    uint64_t big = (10ull << 20) / scale;
    open_conn(&c, f, 10, 41000, T0);
    out_init(&o, &c, 1, T0 + MS, 20 * US);
    out_str(&o, "GET /big-header HTTP/1.1\r\nHost: example.com\r\nX-Big: ");
    out_fill(&o, 'a', big);
    out_str(&o, "\r\nAccept: */*\r\n\r\n");
    int64_t t = out_end(&o);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 2\r\n\r\nok", t + 10 * MS);
    pw_ack(&c, 1, t + 11 * MS);
    pw_teardown(&c, 1, t + 20 * MS);
    printf("header10mb header_value_bytes=%llu\n", (unsigned long long)big);
}

/*
 * endless-chunked: a chunked 200 response sending 4096-byte chunks for 50 MiB (divided
 * by the scale) that never ends: no last chunk, no FIN, the capture just stops.
 */
static void endless_chunked(struct pw_file *f)
{
    struct pw_conn c;
    struct seg_out o;
    uint64_t want = (50ull << 20) / scale;
    uint64_t chunks = 0;
    uint8_t chunk[4096 + 8];
    open_conn(&c, f, 11, 41100, T0);
    sends(&c, 1, "GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + MS);
    pw_ack(&c, 0, T0 + 2 * MS);
    out_init(&o, &c, 0, T0 + 3 * MS, 30 * US);
    out_str(&o, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/event-stream\r\n"
                "Transfer-Encoding: chunked\r\n\r\n");
    memcpy(chunk, "1000\r\n", 6);
    memset(chunk + 6, 'z', 4096);
    memcpy(chunk + 6 + 4096, "\r\n", 2);
    for (; chunks * 4096 < want; chunks++)
        out_put(&o, chunk, sizeof chunk);
    out_end(&o);
    printf("endless-chunked body_bytes=%llu chunks=%llu\n",
           (unsigned long long)(chunks * 4096), (unsigned long long)chunks);
}

/*
 * overflow: four connections, each a valid GET answered by a response whose length does
 * not fit in 64 bits: Content-Length 2^64, Content-Length 10^23 - 1, a chunk size of 18
 * hex digits; and, for the boundary, Content-Length 2^64 - 1 (valid, cut by the close).
 */
static void overflow(struct pw_file *f)
{
    static const char *const heads[] = {
        "Content-Length: 18446744073709551616\r\n\r\n0123456789",
        "Content-Length: 99999999999999999999999\r\n\r\n0123456789",
        "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n0123456789\r\n0\r\n\r\n",
        "Content-Length: 18446744073709551615\r\n\r\n0123456789",
    };
    for (int i = 0; i < 4; i++) {
        struct pw_conn c;
        char req[128];
        char resp[256];
        int64_t t = T0 + i * SEC;
        open_conn(&c, f, 20 + i, (uint16_t)(41200 + i), t);
        snprintf(req, sizeof req, "GET /overflow/%d HTTP/1.1\r\nHost: example.com\r\n\r\n", i + 1);
        snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n" DATE "%s", heads[i]);
        sends(&c, 1, req, t + MS);
        sends(&c, 0, resp, t + 5 * MS);
        pw_ack(&c, 1, t + 6 * MS);
        pw_teardown(&c, 1, t + 100 * MS);
    }
    printf("overflow connections=4\n");
}

/* pipeline10k: one connection, 10,000 pipelined GETs in full segments, never answered
 * (the server only ACKs), then the client closes. */
static void pipeline10k(struct pw_file *f)
{
    struct pw_conn c;
    struct seg_out o;
    char req[96];
    open_conn(&c, f, 30, 41300, T0);
    out_init(&o, &c, 1, T0 + MS, 50 * US);
    for (int i = 0; i < 10000; i++) {
        snprintf(req, sizeof req, "GET /p/%05d HTTP/1.1\r\nHost: example.com\r\n\r\n", i);
        out_str(&o, req);
    }
    int64_t t = out_end(&o);
    pw_teardown(&c, 1, t + SEC);
    printf("pipeline10k requests=10000\n");
}

static void random_bytes(struct rng *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd(r);
}

/* TCP segments with random flags, sequence numbers and payloads on a few tuples to :80. */
static int64_t random_segments(struct pw_file *f, struct rng *r, int64_t t, int n)
{
    uint8_t data[MSS];
    struct pw_conn c;
    pw_conn_init(&c, f, "192.0.2.81", 40000, SRV, 80);
    for (int i = 0; i < n; i++) {
        uint32_t len = rnd(r) % 3 == 0 ? 0 : between(r, 1, MSS);
        random_bytes(r, data, len);
        c.port[PW_CLIENT] = (uint16_t)(40000 + rnd(r) % 8);
        pw_write_tcp(&c, (int)(rnd(r) & 1), (uint32_t)rnd(r), (uint32_t)rnd(r),
                     (uint8_t)(rnd(r) & 0x3f), data, len, t += 100 * US);
    }
    return t;
}

/* IPv4/TCP packets whose IHL, total length, data offset and flags are random. */
static int64_t random_headers(struct pw_file *f, struct rng *r, int64_t t, int n)
{
    uint8_t ip[40 + MSS];
    for (int i = 0; i < n; i++) {
        uint32_t len = 40 + between(r, 0, 64);
        random_bytes(r, ip, len);
        ip[0] = (uint8_t)(0x40 | (rnd(r) & 15)); /* IPv4, any header length */
        ip[9] = 6;                                /* TCP */
        memcpy(ip + 12, "\xc0\x00\x02\x52\xc6\x33\x64\x50", 8); /* 192.0.2.82 -> SRV */
        ip[22] = 0;
        ip[23] = 80;
        pw_write_ip(f, t += 100 * US, NULL, ip, len);
    }
    return t;
}

/*
 * random80: a connection to port 80 with its handshake carrying 5 MiB (divided by the
 * scale) of random bytes both ways in random-sized segments, closed by FINs; then 2000
 * TCP segments with random flags, numbers and lengths, and 1000 IPv4 packets with random
 * header lengths.
 */
static void random80(struct pw_file *f)
{
    struct rng r = {0x8080808080808080ull};
    uint8_t data[MSS];
    struct pw_conn c;
    uint64_t total = (5ull << 20) / scale;
    uint64_t sent = 0;
    int64_t t = T0 + MS;
    open_conn(&c, f, 80, 40080, T0);
    while (sent < total) {
        int from_client = (int)(rnd(&r) & 1);
        uint32_t len = between(&r, 1, MSS);
        random_bytes(&r, data, len);
        pw_send(&c, from_client, data, len, t += 20 * US);
        if (rnd(&r) % 4 == 0)
            pw_ack(&c, !from_client, t += 20 * US);
        sent += len;
    }
    t = pw_teardown(&c, 1, t + MS);
    t = random_segments(f, &r, t + MS, 2000);
    random_headers(f, &r, t + MS, 1000);
    printf("random80 bytes=%llu odd_segments=2000 odd_headers=1000\n",
           (unsigned long long)sent);
}

/*
 * overlap: the first exchange's request and response arrive as pieces that overlap
 * earlier ones, some with different bytes: retransmissions partly and wholly repeating
 * delivered bytes (with other content where they repeat), and copies overlapping queued
 * out-of-order bytes with other content (3 such conflicts: 2 client, 1 server). The
 * first copy always says "/overlap", "overlap-test", "200" and "first"; the later ones
 * "/EVIL!!!", "EVIL-EVIL-EV", "500" and "EVIL!". Then a normal exchange, and FINs.
 */
static void overlap(struct pw_file *f)
{
    static const char req[] = "GET /overlap HTTP/1.1\r\nHost: example.com\r\n"
                              "User-Agent: overlap-test\r\n\r\n";
    static const char evil_req[] = "GET /EVIL!!! HTTP/1.1\r\nHost: example.com\r\n"
                                   "User-Agent: EVIL-EVIL-EV\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 5\r\n\r\nfirst";
    static const char evil_resp[] = "HTTP/1.1 500 OK\r\n" DATE "Content-Length: 5\r\n\r\nEVIL!";
    const uint32_t rl = sizeof req - 1;
    const uint32_t sl = sizeof resp - 1;
    struct pw_conn c;
    int64_t t = T0 + MS;
    open_conn(&c, f, 7, 40007, T0);
    pw_send_seg(&c, 1, 0, req, 20, t += MS);                  /* delivered */
    pw_send_seg(&c, 1, 10, evil_req + 10, 20, t += MS);       /* partial repeat, new 20..30 */
    pw_send_seg(&c, 1, 0, evil_req, 20, t += MS);             /* whole repeat, other bytes */
    pw_send_seg(&c, 1, 40, req + 40, rl - 40, t += MS);       /* ahead of a hole: queued */
    pw_send_seg(&c, 1, 40, evil_req + 40, rl - 40, t += MS);  /* same span, conflict */
    pw_send_seg(&c, 1, 35, evil_req + 35, 25, t += MS);       /* partly queued, conflict */
    pw_send_seg(&c, 1, 30, req + 30, 8, t += MS);             /* fills the hole */
    pw_ack(&c, 0, t += MS);
    pw_send_seg(&c, 0, 0, resp, 12, t += MS);                 /* "HTTP/1.1 200" */
    pw_send_seg(&c, 0, 5, evil_resp + 5, 12, t += MS);        /* partial repeat, other code */
    pw_send_seg(&c, 0, 30, resp + 30, sl - 30, t += MS);      /* queued */
    pw_send_seg(&c, 0, 30, evil_resp + 30, sl - 30, t += MS); /* same span, conflict */
    pw_send_seg(&c, 0, 12, resp + 12, 18, t += MS);           /* fills the hole */
    pw_ack(&c, 1, t += MS);
    sends(&c, 1, "GET /after HTTP/1.1\r\nHost: example.com\r\n\r\n", t += MS);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 5\r\n\r\nafter", t += MS);
    pw_ack(&c, 1, t += MS);
    pw_teardown(&c, 1, t + MS);
    printf("overlap conflicts=3\n");
}

/* One exchange: a request with a 200-byte header, a 200 response with a 1000-byte body. */
static int64_t jump_exchange(struct pw_conn *c, const char *path, int64_t t)
{
    char req[512];
    char resp[1200];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: example.com\r\nX-Pad: %0200d\r\n\r\n", path, 0);
    pw_send(c, 1, req, (uint32_t)n, t += MS);
    pw_ack(c, 0, t += MS);
    n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 1000\r\n\r\n");
    memset(resp + n, 'b', 1000);
    pw_send(c, 0, resp, (uint32_t)n + 1000, t += MS);
    pw_ack(c, 1, t += MS);
    return t;
}

/*
 * seqjump: two connections whose initial sequence numbers make both directions wrap
 * past 2^32 inside the first exchange ("/wrap"). Then both sides' numbers jump, by 2^31
 * on the first connection and by 2^32 - 1 (one byte back) on the second, and two more
 * exchanges follow in the new numbering ("/jumped", "/after"), then FINs.
 */
static void seqjump(struct pw_file *f)
{
    static const uint32_t jumps[2] = {1u << 31, 0xffffffffu};
    for (int i = 0; i < 2; i++) {
        struct pw_conn c;
        int64_t t = T0 + i * SEC;
        char cli[32];
        snprintf(cli, sizeof cli, "192.0.2.%d", 40 + i);
        pw_conn_init(&c, f, cli, (uint16_t)(41400 + i), SRV, 80);
        pw_conn_set_isn(&c, 0xffffff00u, 0xfffffff0u);
        t = pw_handshake(&c, t);
        t = jump_exchange(&c, "/wrap", t);
        c.next_seq[PW_CLIENT] += jumps[i];
        c.next_seq[PW_SERVER] += jumps[i];
        t = jump_exchange(&c, "/jumped", t);
        t = jump_exchange(&c, "/after", t);
        pw_teardown(&c, 1, t + MS);
    }
    printf("seqjump connections=2\n");
}

/*
 * holes: a 200 response with Content-Length 2^64 - 1 whose server then jumps 2^30 - 2
 * bytes ahead 10,000 times, the client ACKing each jump before its byte comes: 10 TiB
 * of announced loss inside one body, in 20,000 small packets.
 */
static void holes(struct pw_file *f)
{
    struct pw_conn c;
    int64_t t = T0 + MS;
    open_conn(&c, f, 50, 41500, T0);
    sends(&c, 1, "GET /holes HTTP/1.1\r\nHost: example.com\r\n\r\n", t);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 18446744073709551615\r\n\r\nab",
          t += MS);
    for (int i = 0; i < 10000; i++) {
        pw_skip(&c, PW_SERVER, (1u << 30) - 2);
        pw_ack(&c, 1, t += 10 * US);
        pw_send(&c, 0, "x", 1, t += 10 * US);
    }
    printf("holes jumps=10000 hole_bytes=%llu\n", 10000ull * ((1u << 30) - 2));
}

/*
 * ooo-falling: after a handshake, 100,000 one-byte segments each ahead of the stream
 * and below the one before (every other byte, falling), none ever filled in.
 */
static void ooo_falling(struct pw_file *f)
{
    struct pw_conn c;
    int64_t t = T0 + MS;
    open_conn(&c, f, 60, 41600, T0);
    for (uint32_t i = 100000; i >= 1; i--)
        pw_send_seg(&c, 1, 2 * i, "x", 1, t += 10 * US);
    printf("ooo-falling segments=100000\n");
}

static const struct casegen_case cases[] = {
    {"synflood", PW_PCAP_US, PW_LINK_RAW, synflood},
    {"header10mb", PW_PCAP_US, PW_LINK_ETHERNET, header10mb},
    {"endless-chunked", PW_PCAP_US, PW_LINK_ETHERNET, endless_chunked},
    {"overflow", PW_PCAP_US, PW_LINK_ETHERNET, overflow},
    {"pipeline10k", PW_PCAP_US, PW_LINK_ETHERNET, pipeline10k},
    {"random80", PW_PCAP_US, PW_LINK_ETHERNET, random80},
    {"overlap", PW_PCAP_US, PW_LINK_ETHERNET, overlap},
    {"seqjump", PW_PCAP_US, PW_LINK_ETHERNET, seqjump},
    {"holes", PW_PCAP_US, PW_LINK_ETHERNET, holes},
    {"ooo-falling", PW_PCAP_US, PW_LINK_ETHERNET, ooo_falling},
};

int main(int argc, char **argv)
{
    /* take "--scale N" out; casegen reads the rest */
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], NULL, 10);
            if (v < 1 || v > 1000) {
                fprintf(stderr, "genattack: --scale wants 1..1000\n");
                return 2;
            }
            scale = (uint32_t)v;
            continue;
        }
        argv[n++] = argv[i];
    }
    return casegen_main("genattack", cases, sizeof cases / sizeof cases[0], NULL, n, argv);
}
