/*
 * genload.c - writes a big synthetic HTTP/1.1 capture for load and scale tests.
 * Owns: C concurrent keep-alive connections interleaved at random, each doing 1-20
 *       request/response exchanges (realistic sizes, some chunked, some 304/404/500),
 *       with handshakes and FINs; finished connections are replaced.
 * In:   OUT.pcap --bytes N --concurrent C [--seed S]  (N may end in K, M or G: 2^10...)
 * Out:  a nanosecond Ethernet pcap of at least N bytes, deterministic for a seed, and one
 *       summary line on stdout with what was written (to compare with the database).
 * Never: allocates per packet; leaves an exchange or a connection half written.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "genutil.h"
#include "pcapw.h"

#define MSS 1460
#define MAX_MSG 4096

enum gstate { G_EMPTY, G_NEW, G_IDLE, G_WAIT, G_CLOSE };

struct gconn {
    struct pw_conn c;
    enum gstate state;
    uint32_t left;      /* exchanges still to do */
    uint8_t is_post;    /* the pending request was a POST */
    uint8_t client_closes;
    uint64_t req_id;    /* X-Request-ID of the pending exchange */
};

struct totals {
    uint64_t connections;
    uint64_t transactions;
    uint64_t status[4];  /* 200, 304, 404, 500 */
    uint64_t chunked;
    uint64_t request_body_bytes;
    uint64_t response_body_bytes;
};

struct gen {
    struct pw_file *f;
    struct rng r;
    int64_t now_ns;
    uint64_t next_conn;  /* number of the next connection (gives its addresses) */
    struct totals tot;
    struct date_cache date; /* the Date header of the current second */
    char filler[65536];  /* body and cookie bytes */
};

/* Advance the capture clock by 1 ns .. 20 µs and return it. */
static int64_t tick(struct gen *g)
{
    g->now_ns += 1 + (int64_t)(rnd(&g->r) % 20000);
    return g->now_ns;
}

static const char *date_line(struct gen *g)
{
    return date_line_at(&g->date, g->now_ns);
}

static void open_conn(struct gen *g, struct gconn *gc)
{
    char cli[32];
    char srv[32];
    uint64_t n = g->next_conn++;
    uint64_t block = n / 50000 + 1;
    snprintf(cli, sizeof cli, "10.%u.%u.%u", (unsigned)(block >> 16 & 255),
             (unsigned)(block >> 8 & 255), (unsigned)(block & 255));
    snprintf(srv, sizeof srv, "172.16.0.%u", (unsigned)(1 + n % 8));
    pw_conn_init(&gc->c, g->f, cli, (uint16_t)(10000 + n % 50000), srv, n % 5 == 4 ? 8080 : 80);
    pw_conn_set_isn(&gc->c, (uint32_t)rnd(&g->r), (uint32_t)rnd(&g->r));
    gc->state = G_NEW;
    gc->left = between(&g->r, 1, 20);
    gc->client_closes = rnd(&g->r) & 1;
}

static uint32_t build_request(struct gen *g, struct gconn *gc, char *buf)
{
    struct rng *r = &g->r;
    char path[128];
    uint32_t body = 0;
    random_path(r, path, sizeof path);
    gc->is_post = rnd(r) % 10 == 0;
    gc->req_id = rnd(r);
    if (gc->is_post)
        body = between(r, 20, 200);
    int n = snprintf(buf, MAX_MSG,
                     "%s %s HTTP/1.1\r\nHost: shop%u.example.com\r\nUser-Agent: %s\r\n"
                     "Accept: text/html,application/json;q=0.9,*/*;q=0.8\r\n"
                     "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n"
                     "Connection: keep-alive\r\nX-Request-ID: %016" PRIx64 "\r\nCookie: sid=",
                     gc->is_post ? "POST" : "GET", path, (unsigned)(gc->c.addr[1][3]),
                     random_agent(r), gc->req_id);
    /* pad the cookie so the header section is 300..600 bytes */
    uint32_t target = between(r, 300, 600);
    uint32_t tail = gc->is_post ? 60 : 4;
    uint32_t cookie = (uint32_t)n + tail + 8 < target ? target - (uint32_t)n - tail : 8;
    memcpy(buf + n, g->filler + rnd(r) % 32768, cookie);
    n += (int)cookie;
    if (gc->is_post)
        n += snprintf(buf + n, MAX_MSG - (size_t)n,
                      "\r\nContent-Type: application/json\r\nContent-Length: %u\r\n\r\n", body);
    else
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "\r\n\r\n");
    memcpy(buf + n, g->filler + rnd(r) % 32768, body);
    g->tot.request_body_bytes += body;
    return (uint32_t)n + body;
}

static uint32_t build_response(struct gen *g, struct gconn *gc, char *buf)
{
    struct rng *r = &g->r;
    uint32_t pick = (uint32_t)(rnd(r) % 100);
    int si = pick < 80 ? 0 : pick < 88 ? 1 : pick < 95 ? 2 : 3;
    static const char *const lines[4] = {"200 OK", "304 Not Modified", "404 Not Found",
                                         "500 Internal Server Error"};
    uint32_t body = si == 1 ? 0 : si == 0 ? between(r, 50, 600) : between(r, 50, 200);
    int chunked = si == 0 && rnd(r) % 5 == 0;
    int n = snprintf(buf, MAX_MSG,
                     "HTTP/1.1 %s\r\n%sServer: nginx/1.24.0\r\nCache-Control: max-age=%u\r\n"
                     "ETag: \"%08x\"\r\nLast-Modified: Mon, 13 Nov 2023 08:00:00 GMT\r\n"
                     "Vary: Accept-Encoding\r\nX-Request-ID: %016" PRIx64 "\r\n"
                     "Connection: keep-alive\r\n",
                     lines[si], date_line(g), between(r, 0, 86400), (unsigned)rnd(r), gc->req_id);
    if (si != 1)
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "Content-Type: %s\r\n",
                      si == 0 ? "application/json" : "text/html; charset=utf-8");
    if (chunked) {
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "Transfer-Encoding: chunked\r\n\r\n");
        uint32_t done = 0;
        uint32_t parts = between(r, 1, 3);
        for (uint32_t i = 0; i < parts; i++) {
            uint32_t rest = body - done;
            uint32_t k = i + 1 == parts ? rest : between(r, 1, rest - (parts - i - 1));
            n += snprintf(buf + n, MAX_MSG - (size_t)n, "%x\r\n", k);
            memcpy(buf + n, g->filler + rnd(r) % 32768, k);
            n += (int)k;
            memcpy(buf + n, "\r\n", 2);
            n += 2;
            done += k;
        }
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "0\r\n\r\n");
        g->tot.chunked++;
    } else {
        if (si != 1)
            n += snprintf(buf + n, MAX_MSG - (size_t)n, "Content-Length: %u\r\n", body);
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "\r\n");
        memcpy(buf + n, g->filler + rnd(r) % 32768, body);
        n += (int)body;
    }
    g->tot.status[si]++;
    g->tot.response_body_bytes += body;
    g->tot.transactions++;
    return (uint32_t)n;
}

/* One flight of one connection: its handshake, a request, a response or its close. */
static void step(struct gen *g, struct gconn *gc, int draining)
{
    char msg[MAX_MSG];
    uint32_t n;
    switch (gc->state) {
    case G_EMPTY:
        if (draining)
            return;
        open_conn(g, gc);
        /* fall through */
    case G_NEW:
        if (draining) {
            gc->state = G_EMPTY;
            return;
        }
        gc->c.hs_step_ns = 1 + (int64_t)(rnd(&g->r) % 200000);
        g->now_ns = pw_handshake(&gc->c, tick(g));
        g->tot.connections++;
        gc->state = G_IDLE;
        return;
    case G_IDLE:
        if (draining || gc->left == 0) {
            gc->state = G_CLOSE;
            step(g, gc, draining);
            return;
        }
        n = build_request(g, gc, msg);
        pw_send(&gc->c, 1, msg, n, tick(g));
        gc->state = G_WAIT;
        return;
    case G_WAIT:
        n = build_response(g, gc, msg);
        if (n > 200 && rnd(&g->r) % 4 == 0) {
            /* headers and body in separate segments now and then */
            uint32_t cut = between(&g->r, 100, n - 50);
            pw_send_mss(&gc->c, 0, msg, cut, MSS, tick(g), 1);
            g->now_ns = pw_send_mss(&gc->c, 0, msg + cut, n - cut, MSS, tick(g), 1000);
        } else {
            g->now_ns = pw_send_mss(&gc->c, 0, msg, n, MSS, tick(g), 1000);
        }
        pw_ack(&gc->c, 1, tick(g));
        gc->left--;
        gc->state = G_IDLE;
        if (draining)
            step(g, gc, draining);
        return;
    case G_CLOSE:
        g->now_ns = pw_teardown(&gc->c, gc->client_closes, tick(g));
        gc->state = G_EMPTY;
        return;
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: genload OUT.pcap --bytes N[K|M|G] --concurrent C [--seed S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t bytes = 0;
    uint64_t conc = 0;
    uint64_t seed = 1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &bytes) < 0)
                return usage();
        } else if (strcmp(argv[i], "--concurrent") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &conc) < 0)
                return usage();
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &seed) < 0)
                return usage();
        } else if (out == NULL && argv[i][0] != '-') {
            out = argv[i];
        } else if (out == NULL && strcmp(argv[i], "-") == 0) {
            out = argv[i];
        } else {
            return usage();
        }
    }
    if (out == NULL || bytes == 0 || conc == 0 || conc > 1000000)
        return usage();

    char err[PW_ERRBUF];
    struct gen *g = calloc(1, sizeof *g);
    struct gconn *slots = calloc(conc, sizeof *slots);
    if (g == NULL || slots == NULL) {
        fprintf(stderr, "genload: out of memory\n");
        return 1;
    }
    g->f = pw_open(out, PW_PCAP_NS, PW_LINK_ETHERNET, 0, err);
    if (g->f == NULL) {
        fprintf(stderr, "genload: %s\n", err);
        return 1;
    }
    /* splitmix64 of the seed, never 0 (xorshift's fixed point) */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    g->r.s = (z ^ (z >> 31)) | 1;
    g->now_ns = 1700000000123456789LL;
    g->date.sec = -1;
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < sizeof g->filler; i++)
        g->filler[i] = alnum[rnd(&g->r) % 62];

    while (pw_file_bytes(g->f) < bytes)
        step(g, &slots[rnd(&g->r) % conc], 0);
    for (uint64_t i = 0; i < conc; i++)
        step(g, &slots[i], 1);

    uint64_t packets = pw_packets(g->f);
    uint64_t size = pw_file_bytes(g->f);
    if (pw_close(g->f, err) < 0) {
        fprintf(stderr, "genload: %s: %s\n", out, err);
        return 1;
    }
    printf("packets=%" PRIu64 " connections=%" PRIu64 " transactions=%" PRIu64
           " bytes=%" PRIu64 " status_200=%" PRIu64 " status_304=%" PRIu64
           " status_404=%" PRIu64 " status_500=%" PRIu64 " chunked=%" PRIu64
           " request_body_bytes=%" PRIu64 " response_body_bytes=%" PRIu64 "\n",
           packets, g->tot.connections, g->tot.transactions, size, g->tot.status[0],
           g->tot.status[1], g->tot.status[2], g->tot.status[3], g->tot.chunked,
           g->tot.request_body_bytes, g->tot.response_body_bytes);
    free(slots);
    free(g);
    return 0;
}
