/*
 * genbench.c - writes the reproducible captures of `make bench` (issue 6).
 * Owns: 4,096 concurrent keep-alive connections interleaved at random, each doing a
 *       geometric number (mean 30) of exchanges, with handshakes, delayed ACKs and FINs;
 *       a finished connection is replaced by a new one.
 * In:   OUT.pcap --profile heavy|large [--bytes N] [--seed S]  (N may end in K, M or G)
 * Out:  a nanosecond Ethernet pcap of about N bytes (heavy 1 GiB, large 512 MiB by
 *       default), identical for a seed, and one ground-truth line on stdout.
 * Never: allocates per packet; leaves an exchange or a connection half written.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "genutil.h"
#include "pcapw.h"

#define CONCURRENT 4096
#define MSS 1460
#define MSG_CAP 8192         /* a whole small response, or a large one's header section */
#define REQ_CAP 1024
#define FILLER_LEN 65536u    /* body bytes repeat with this period (a power of two) */
#define FLIGHT_SEGS 16       /* server segments per turn of a large response */
#define LARGE_MIN 30720u     /* large profile: 30 KiB .. 300 KiB bodies */
#define LARGE_MAX 307200u

enum gstate { G_EMPTY, G_IDLE, G_WAIT, G_STREAM, G_CLOSE };
enum method { M_GET, M_POST, M_HEAD };
enum status { S_200, S_204, S_302, S_304, S_404, S_500, S_COUNT };

static const int status_code[S_COUNT] = {200, 204, 302, 304, 404, 500};
static const char *const status_line[S_COUNT] = {
    "200 OK", "204 No Content", "302 Found", "304 Not Modified", "404 Not Found",
    "500 Internal Server Error"};
static const char *const method_name[3] = {"GET", "POST", "HEAD"};

struct gconn {
    struct pw_conn c;
    enum gstate state;
    uint32_t left;          /* exchanges still to start */
    enum method method;     /* of the pending request */
    enum status status;     /* the pending request's answer, drawn with the request */
    uint8_t client_closes;
    uint64_t req_id;        /* X-Request-ID of the pending exchange */
    uint32_t msg_len;       /* bytes of msg[] that start the response */
    uint32_t body_len;      /* bytes that follow msg[], taken from the filler */
    uint32_t body_src;      /* filler offset of the first of them */
    uint32_t head_len;      /* header section length (split point of some responses) */
    uint32_t sent;          /* response bytes written so far */
    uint32_t unacked;       /* server segments the client has not ACKed yet (0..1) */
    uint8_t split_head;     /* header section and body go in separate segments */
    char msg[MSG_CAP];
};

struct totals {
    uint64_t connections;
    uint64_t transactions;
    uint64_t status[S_COUNT];
    uint64_t method[3];
    uint64_t chunked;
    uint64_t large;
    uint64_t request_body_bytes;
    uint64_t response_body_bytes;   /* decoded: what the body carries, without framing */
};

struct gen {
    struct pw_file *f;
    struct rng r;
    int is_large_profile;
    int64_t now_ns;
    uint64_t next_conn;     /* number of the next connection (gives its addresses) */
    uint64_t pending_bytes; /* response bytes drawn but not yet written, all connections */
    struct totals tot;
    struct date_cache date; /* the Date header of the current second */
    char filler[FILLER_LEN + MSG_CAP];  /* body and cookie bytes; the tail repeats the head */
    uint8_t seg[MSS];
};

/* True with probability pct/100. */
static int chance(struct rng *r, uint32_t pct)
{
    return rnd(r) % 100 < pct;
}

/* Advance the capture clock by 1 ns .. 20 µs and return it. */
static int64_t tick(struct gen *g)
{
    g->now_ns += 1 + (int64_t)(rnd(&g->r) % 20000);
    return g->now_ns;
}

/* Advance the clock by a wire gap of 1 .. 12 µs (one segment at 1 Gbit/s). */
static int64_t wire(struct gen *g)
{
    g->now_ns += 1000 + (int64_t)(rnd(&g->r) % 11000);
    return g->now_ns;
}

static const char *date_line(struct gen *g)
{
    return date_line_at(&g->date, g->now_ns);
}

/* Append printf output to buf (cap bytes), keeping *n at the end (cut at the cap). */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t cap, int *n,
                                                       const char *fmt, ...);

static void put(char *buf, size_t cap, int *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, cap - (size_t)*n, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += k;
    if ((size_t)*n >= cap)
        *n = (int)cap - 1;
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
    pw_conn_init(&gc->c, g->f, cli, (uint16_t)(10000 + n % 50000), srv, 80);
    pw_conn_set_isn(&gc->c, (uint32_t)rnd(&g->r), (uint32_t)rnd(&g->r));
    /* geometric with mean 30: after each exchange the connection goes on with p 29/30 */
    gc->left = 1;
    while (gc->left < 1000 && rnd(&g->r) % 30 != 0)
        gc->left++;
    gc->client_closes = rnd(&g->r) & 1;
}

/* 92% GET, 6% POST, 2% HEAD; the status is drawn now so a 304 gets its If-None-Match. */
static void draw_exchange(struct gen *g, struct gconn *gc)
{
    uint32_t m = (uint32_t)(rnd(&g->r) % 100);
    gc->method = m < 92 ? M_GET : m < 98 ? M_POST : M_HEAD;
    uint32_t s = (uint32_t)(rnd(&g->r) % 100);
    gc->status = s < 88 ? S_200 : s < 94 ? S_304 : s < 97 ? S_404 : s < 98 ? S_500
                 : s < 99 ? S_302 : S_204;
    if (gc->method == M_POST && gc->status == S_304)
        gc->status = S_200; /* no conditional POSTs */
    gc->req_id = rnd(&g->r);
}

/* A request of 300..600 bytes in all with 8..10 header fields (POST body included). */
static uint32_t build_request(struct gen *g, struct gconn *gc, char *buf)
{
    struct rng *r = &g->r;
    char path[128];
    random_path(r, path, sizeof path);
    int is_post = gc->method == M_POST;
    uint32_t body = is_post ? between(r, 40, 200) : 0;
    int n = 0;
    put(buf, REQ_CAP, &n,
        "%s %s HTTP/1.1\r\nHost: shop%u.example.com\r\nUser-Agent: %s\r\n"
        "Accept: text/html,application/json;q=0.9,*/*;q=0.8\r\n"
        "Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n"
        "X-Request-ID: %016" PRIx64 "\r\n",
        method_name[gc->method], path, (unsigned)gc->c.addr[1][3], random_agent(r),
        gc->req_id);
    if (!is_post || chance(r, 50))
        put(buf, REQ_CAP, &n, "Accept-Language: en-US,en;q=0.9\r\n");
    if (is_post) {
        put(buf, REQ_CAP, &n, "Content-Type: application/json\r\nContent-Length: %u\r\n", body);
    } else {
        if (chance(r, 50))
            put(buf, REQ_CAP, &n, "Referer: https://shop.example.com/\r\n");
        if (gc->status == S_304 || chance(r, 3))
            put(buf, REQ_CAP, &n, "If-None-Match: \"%08x\"\r\n", (unsigned)rnd(r));
    }
    /* the cookie pads the request to its drawn size */
    uint32_t target = between(r, 300, 600);
    uint32_t fixed = (uint32_t)n + 8 + 4 + body; /* "Cookie: " + CRLF + CRLF + body */
    uint32_t cookie = fixed + 8 < target ? target - fixed : 8;
    put(buf, REQ_CAP, &n, "Cookie: ");
    memcpy(buf + n, g->filler + rnd(r) % 32768, cookie);
    n += (int)cookie;
    memcpy(buf + n, "\r\n\r\n", 4);
    n += 4;
    memcpy(buf + n, g->filler + rnd(r) % 32768, body);
    g->tot.request_body_bytes += body;
    g->tot.method[gc->method]++;
    return (uint32_t)n + body;
}

/*
 * The answer to the pending request, 9..11 header fields, into gc->msg (whole) or, for a
 * large body, the header section into gc->msg and the body as filler bytes that follow.
 */
static void build_response(struct gen *g, struct gconn *gc)
{
    struct rng *r = &g->r;
    char *buf = gc->msg;
    enum status st = gc->status;
    int is_head = gc->method == M_HEAD;
    int has_body = st != S_204 && st != S_304;   /* RFC 9110 §15.3.5, §15.4.5 */
    uint32_t body = 0;
    int is_large = 0;
    int is_chunked = 0;
    if (st == S_200) {
        body = chance(r, 95) ? between(r, 50, 600) : between(r, 601, 4000);
        if (g->is_large_profile && !is_head && chance(r, 17)) {
            body = between(r, LARGE_MIN, LARGE_MAX);
            is_large = 1;
        }
        is_chunked = !is_head && !is_large && chance(r, 7);
    } else if (has_body) {
        body = between(r, 50, 200);
    }
    int n = 0;
    put(buf, MSG_CAP, &n,
        "HTTP/1.1 %s\r\n%sServer: nginx/1.24.0\r\nCache-Control: max-age=%u\r\n"
        "Vary: Accept-Encoding\r\nX-Request-ID: %016" PRIx64 "\r\nConnection: keep-alive\r\n",
        status_line[st], date_line(g), between(r, 0, 86400), gc->req_id);
    if (st == S_200 || st == S_304)
        put(buf, MSG_CAP, &n, "ETag: \"%08x\"\r\nLast-Modified: Mon, 13 Nov 2023 08:00:00 GMT\r\n",
            (unsigned)rnd(r));
    if (st != S_200)
        put(buf, MSG_CAP, &n, "%s",
            st == S_302 ? "Location: https://shop.example.com/login\r\n"
                        : "Expires: Thu, 01 Jan 1970 00:00:01 GMT\r\n");
    if (st == S_204)
        put(buf, MSG_CAP, &n, "Access-Control-Allow-Origin: *\r\n");
    if (chance(r, 50) || st == S_204)
        put(buf, MSG_CAP, &n, "X-Cache: HIT\r\n");
    if (has_body)
        put(buf, MSG_CAP, &n, "Content-Type: %s\r\n",
            st == S_200 ? "application/json" : "text/html; charset=utf-8");
    gc->body_len = 0;
    gc->body_src = (uint32_t)(rnd(r) % FILLER_LEN);
    if (is_chunked) {
        put(buf, MSG_CAP, &n, "Transfer-Encoding: chunked\r\n\r\n");
        gc->head_len = (uint32_t)n;
        uint32_t done = 0;
        uint32_t parts = between(r, 1, 3);
        for (uint32_t i = 0; i < parts; i++) {
            uint32_t rest = body - done;
            uint32_t k = i + 1 == parts ? rest : between(r, 1, rest - (parts - i - 1));
            put(buf, MSG_CAP, &n, "%x\r\n", k);
            memcpy(buf + n, g->filler + rnd(r) % 32768, k);
            n += (int)k;
            memcpy(buf + n, "\r\n", 2);
            n += 2;
            done += k;
        }
        put(buf, MSG_CAP, &n, "0\r\n\r\n");
        g->tot.chunked++;
    } else {
        if (has_body)
            put(buf, MSG_CAP, &n, "Content-Length: %u\r\n", body);
        put(buf, MSG_CAP, &n, "\r\n");
        gc->head_len = (uint32_t)n;
        if (is_large) {
            gc->body_len = body;
            g->tot.large++;
        } else if (!is_head) {
            memcpy(buf + n, g->filler + rnd(r) % 32768, body);
            n += (int)body;
        }
    }
    gc->msg_len = (uint32_t)n;
    gc->sent = 0;
    g->pending_bytes += gc->msg_len + gc->body_len;
    gc->unacked = 0;
    gc->split_head = chance(r, 25);
    if (is_head)
        body = 0; /* RFC 9112 §6.3: a response to HEAD ends at the blank line */
    g->tot.status[st]++;
    g->tot.response_body_bytes += body;
    g->tot.transactions++;
}

/*
 * Up to max_segs server segments of the pending response (ACK, PSH on the last one of
 * the message), the client ACKing every second segment and a lone last one at the end.
 * Returns 1 when the response is complete.
 */
static int send_response(struct gen *g, struct gconn *gc, int max_segs)
{
    struct pw_conn *c = &gc->c;
    uint32_t total = gc->msg_len + gc->body_len;
    for (int i = 0; i < max_segs && gc->sent < total; i++) {
        uint32_t len = total - gc->sent < MSS ? total - gc->sent : MSS;
        if (gc->split_head && gc->sent < gc->head_len && gc->head_len - gc->sent < len)
            len = gc->head_len - gc->sent;
        uint32_t from_msg = 0;
        if (gc->sent < gc->msg_len) {
            from_msg = gc->msg_len - gc->sent < len ? gc->msg_len - gc->sent : len;
            memcpy(g->seg, gc->msg + gc->sent, from_msg);
        }
        if (from_msg < len) {
            /* filler[] repeats its first MSG_CAP bytes at its end: no wrap inside a segment */
            uint32_t off = (gc->body_src + gc->sent + from_msg - gc->msg_len) % FILLER_LEN;
            memcpy(g->seg + from_msg, g->filler + off, len - from_msg);
        }
        int is_last = gc->sent + len == total;
        uint8_t flags = PW_ACK | (is_last ? PW_PSH : 0);
        pw_write_tcp(c, 0, c->next_seq[PW_SERVER], c->next_seq[PW_CLIENT], flags, g->seg, len,
                     wire(g));
        c->next_seq[PW_SERVER] += len;
        gc->sent += len;
        g->pending_bytes -= len;
        if (++gc->unacked == 2) {
            pw_ack(c, 1, wire(g));
            gc->unacked = 0;
        }
    }
    if (gc->sent < total)
        return 0;
    if (gc->unacked > 0)
        pw_ack(c, 1, tick(g)); /* the client's delayed ACK of what is left */
    gc->unacked = 0;
    return 1;
}

static void step(struct gen *g, struct gconn *gc, int draining);

/* The server's turn: start or continue the response; back to idle when it is complete. */
static void respond(struct gen *g, struct gconn *gc, int draining)
{
    int segs = draining ? 1 << 30 : FLIGHT_SEGS;
    if (gc->state == G_WAIT) {
        if (chance(&g->r, 20))
            pw_ack(&gc->c, 0, tick(g)); /* the server's delayed ACK of the request */
        tick(g);
    }
    if (!send_response(g, gc, segs)) {
        gc->state = G_STREAM;
        return;
    }
    gc->left--;
    gc->state = G_IDLE;
    if (draining)
        step(g, gc, draining);
}

/* One turn of one connection: its handshake, a request, a flight of the response, or
 * its close. Draining finishes what is under way and closes without starting anything. */
static void step(struct gen *g, struct gconn *gc, int draining)
{
    char req[REQ_CAP];
    switch (gc->state) {
    case G_EMPTY:
        if (draining)
            return;
        open_conn(g, gc);
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
        draw_exchange(g, gc);
        pw_send(&gc->c, 1, req, build_request(g, gc, req), tick(g));
        /* drawn now, so that pending_bytes knows its size */
        build_response(g, gc);
        gc->state = G_WAIT;
        return;
    case G_WAIT:
    case G_STREAM:
        respond(g, gc, draining);
        return;
    case G_CLOSE:
        g->now_ns = pw_teardown(&gc->c, gc->client_closes, tick(g));
        gc->state = G_EMPTY;
        return;
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: genbench OUT.pcap --profile heavy|large [--bytes N[K|M|G]] "
                    "[--seed S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t bytes = 0;
    uint64_t seed = 1;
    const char *out = NULL;
    const char *profile = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &bytes) < 0 || bytes == 0)
                return usage();
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &seed) < 0)
                return usage();
        } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            profile = argv[++i];
        } else if (out == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            out = argv[i];
        } else {
            return usage();
        }
    }
    if (out == NULL || profile == NULL)
        return usage();
    int is_large = strcmp(profile, "large") == 0;
    if (!is_large && strcmp(profile, "heavy") != 0)
        return usage();
    if (bytes == 0)
        bytes = is_large ? 512ull << 20 : 1ull << 30;

    char err[PW_ERRBUF];
    struct gen *g = calloc(1, sizeof *g);
    struct gconn *slots = calloc(CONCURRENT, sizeof *slots);
    if (g == NULL || slots == NULL) {
        fprintf(stderr, "genbench: out of memory\n");
        return 1;
    }
    g->f = pw_open(out, PW_PCAP_NS, PW_LINK_ETHERNET, 0, err);
    if (g->f == NULL) {
        fprintf(stderr, "genbench: %s\n", err);
        return 1;
    }
    g->is_large_profile = is_large;
    /* splitmix64 of the seed, never 0 (xorshift's fixed point) */
    uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    g->r.s = (z ^ (z >> 31)) | 1;
    g->now_ns = 1700000000123456789LL;
    g->date.sec = -1;
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < FILLER_LEN; i++)
        g->filler[i] = alnum[rnd(&g->r) % 62];
    memcpy(g->filler + FILLER_LEN, g->filler, MSG_CAP);

    /* stop early enough that finishing the responses under way (packet headers and ACKs
     * add about a tenth) ends near the size asked */
    while (pw_file_bytes(g->f) + g->pending_bytes + g->pending_bytes / 10 < bytes)
        step(g, &slots[rnd(&g->r) % CONCURRENT], 0);
    for (size_t i = 0; i < CONCURRENT; i++)
        step(g, &slots[i], 1);

    uint64_t packets = pw_packets(g->f);
    uint64_t size = pw_file_bytes(g->f);
    if (pw_close(g->f, err) < 0) {
        fprintf(stderr, "genbench: %s: %s\n", out, err);
        return 1;
    }
    const struct totals *t = &g->tot;
    printf("profile=%s seed=%" PRIu64 " packets=%" PRIu64 " connections=%" PRIu64
           " transactions=%" PRIu64 " bytes=%" PRIu64,
           profile, seed, packets, t->connections, t->transactions, size);
    for (int s = 0; s < S_COUNT; s++)
        printf(" status_%d=%" PRIu64, status_code[s], t->status[s]);
    printf(" get=%" PRIu64 " post=%" PRIu64 " head=%" PRIu64 " chunked=%" PRIu64
           " large=%" PRIu64 " request_body_bytes=%" PRIu64 " response_body_bytes=%" PRIu64 "\n",
           t->method[M_GET], t->method[M_POST], t->method[M_HEAD], t->chunked, t->large,
           t->request_body_bytes, t->response_body_bytes);
    free(slots);
    free(g);
    return 0;
}
