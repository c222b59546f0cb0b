/*
 * genanomaly.c - writes the capture whose anomalies `httpcap report` must find, no more.
 * Owns: one hour of HTTP/1.1 keep-alive traffic from 2026-01-01T10:00:00Z, 100
 *       transactions a minute (one per 600 ms slot, none overlapping), and the planted
 *       anomalies listed below; every value comes from the slot number (no state, no clock).
 * In:   OUT.pcap [--part 1/2|2/2]: the whole hour, or only its first / second half (every
 *       connection closes at 10:30, so the two halves read together equal the whole).
 * Out:  a nanosecond Ethernet pcap and one summary line on stdout (counts of the whole
 *       hour, also with --part).
 * Never: reads anything back or runs httpcap.
 *
 * Planted (tests/e2e/test_report_golden.py checks that the report finds exactly these):
 *   error-burst-5xx   minute 20: 40 of its 90 non-checkout responses are 503 (+3 checkout 500)
 *   latency-spike     minute 40: every ttfb is 10x its usual 20-45 ms
 *   failing-endpoint  POST api.example.com /api/checkout: 500 for 3 of every 10, all hour
 *   unanswered        2 requests to 10.1.0.1:80 (minutes 12 and 47), then the client FINs
 *   reset-mid-resp    1 response on 10.1.0.2:8080 (minute 27): Content-Length 5000, 2920
 *                     body bytes, then RST from the server
 *   rare-status       599 once (minute 33), unregistered: clients fall back to 500
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcapw.h"

#define T0_NS 1767261600000000000LL /* 2026-01-01T10:00:00Z */
#define MINUTE_NS 60000000000LL
#define MINUTES 60
#define SLOTS 100                    /* transactions a minute */
#define SLOT_NS 600000000LL          /* 60 s / SLOTS */
#define HALF_MINUTE 30               /* every connection closes before this minute */
#define NCLIENTS 24
#define MSS 1460
#define MAX_MSG 16384

/* The planted anomalies: minute and slot. */
#define BURST_MINUTE 20
#define SPIKE_MINUTE 40
#define SPIKE_FACTOR 10
#define UNANSWERED1_MINUTE 12
#define UNANSWERED1_SLOT 41
#define UNANSWERED2_MINUTE 47
#define UNANSWERED2_SLOT 68
#define RESET_MINUTE 27
#define RESET_SLOT 22
#define RARE_MINUTE 33
#define RARE_SLOT 24
#define RARE_CODE 599

enum endpoint { E_USERS, E_ORDERS, E_APPJS, E_CSS, E_PRODUCTS, E_CHECKOUT, E_COUNT };
enum special { S_NONE, S_UNANSWERED, S_RESET };

/* The endpoint of slot j of every minute: 20 slots repeated 5 times, giving per minute
 * users 30, orders 25, app.js 15, style.css 10, products 10, checkout 10. */
static const enum endpoint pattern[20] = {
    E_USERS, E_ORDERS, E_APPJS, E_USERS,  E_PRODUCTS, E_ORDERS, E_USERS,    E_CHECKOUT,
    E_ORDERS, E_APPJS, E_USERS, E_CSS,    E_ORDERS,   E_USERS,  E_PRODUCTS, E_APPJS,
    E_USERS,  E_CHECKOUT, E_ORDERS, E_CSS};

struct conn {
    struct pw_conn c;
    int is_open;
    int left;                        /* exchanges before it closes */
};

struct gen {
    struct pw_file *files[2];        /* first half, second half (the same when whole) */
    struct conn conns[NCLIENTS][2];  /* keep-alive connection of each client to each server */
    uint16_t next_port[NCLIENTS];
    unsigned long transactions, connections, status[6]; /* 2xx,304,404,5xx(500/503),599,none */
};

static uint64_t mix(uint64_t x)
{
    /* splitmix64 finaliser: a fixed function of the slot, not a stream */
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static uint64_t h(int g, int salt)
{
    return mix((uint64_t)g * 64 + (uint64_t)salt);
}

static int is_static(enum endpoint e)
{
    return e == E_APPJS || e == E_CSS;
}

static struct pw_file *file_for(struct gen *g, int minute)
{
    return g->files[minute >= HALF_MINUTE];
}

static void open_conn(struct gen *g, struct conn *k, int client, int server, int minute,
                      int64_t t)
{
    char cli[32];
    snprintf(cli, sizeof cli, "10.0.0.%d", client + 1);
    uint16_t port = (uint16_t)(40000 + g->next_port[client]++);
    pw_conn_init(&k->c, file_for(g, minute), cli, port, server ? "10.1.0.2" : "10.1.0.1",
                 server ? 8080 : 80);
    uint64_t isn = mix(((uint64_t)client << 16) | port);
    pw_conn_set_isn(&k->c, (uint32_t)isn, (uint32_t)(isn >> 32));
    k->c.hs_step_ns = 150000;
    pw_handshake(&k->c, t);
    k->is_open = 1;
    g->connections++;
}

static void date_line(char *out, size_t cap, int64_t t)
{
    time_t sec = (time_t)(t / 1000000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int request(char *buf, enum endpoint e, int g, int closing)
{
    static const char *const agents[] = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "okhttp/4.12.0",
        "python-requests/2.31.0",
    };
    char target[96];
    uint64_t r = h(g, 1);
    const char *host = is_static(e) ? "static.example.com:8080" : "api.example.com";
    switch (e) {
    case E_USERS:
        snprintf(target, sizeof target, "/api/users/%u", (unsigned)(1 + r % 99999));
        break;
    case E_ORDERS:
        snprintf(target, sizeof target, "/api/orders/%08x-%04x-4%03x-a%03x-%012llx",
                 (unsigned)(r >> 32), (unsigned)(r >> 16 & 0xffff), (unsigned)(r >> 4 & 0xfff),
                 (unsigned)(h(g, 2) & 0xfff), (unsigned long long)(h(g, 3) & 0xffffffffffffull));
        break;
    case E_APPJS:
        snprintf(target, sizeof target, "/static/app.js");
        break;
    case E_CSS:
        snprintf(target, sizeof target, "/static/style.css");
        break;
    case E_PRODUCTS:
        snprintf(target, sizeof target, "/api/products?page=%u&size=20", (unsigned)(1 + r % 9));
        break;
    default:
        snprintf(target, sizeof target, "/api/checkout");
        break;
    }
    int n = snprintf(buf, MAX_MSG,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: %s\r\n"
                     "X-Request-ID: req-%06d\r\n%s",
                     e == E_CHECKOUT ? "POST" : "GET", target, host, agents[h(g, 4) % 3],
                     is_static(e) ? "*/*" : "application/json", g + 1,
                     closing ? "Connection: close\r\n" : "");
    if (e == E_CHECKOUT) {
        char body[96];
        int b = snprintf(body, sizeof body, "{\"cart\":\"c%06u\",\"items\":%u}",
                         (unsigned)(h(g, 5) % 1000000), (unsigned)(1 + h(g, 6) % 5));
        n += snprintf(buf + n, MAX_MSG - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", b, body);
    } else if (e == E_APPJS || e == E_CSS) {
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "If-None-Match: \"v42\"\r\n\r\n");
    } else {
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "\r\n");
    }
    return n;
}

/* The status of a normal slot: the anomaly plan of the header comment. */
static int status_of(int minute, int slot, enum endpoint e)
{
    int idx = 0;  /* this endpoint's index among the minute's slots */
    int q = 0;    /* the slot's index among the minute's non-checkout slots */
    for (int j = 0; j < slot; j++) {
        idx += pattern[j % 20] == e;
        q += pattern[j % 20] != E_CHECKOUT;
    }
    if (e == E_CHECKOUT)
        return idx % 10 == 1 || idx % 10 == 4 || idx % 10 == 7 ? 500 : 201;
    if (minute == BURST_MINUTE && q % 9 % 2 == 0 && q % 9 < 8)
        return 503;
    if (minute == RARE_MINUTE && slot == RARE_SLOT)
        return RARE_CODE;
    if (e == E_USERS && idx == minute * 7 % 30)
        return 404;
    if (e == E_APPJS && idx % 3 == 2)
        return 304;
    if (e == E_CSS && idx % 2 == 1)
        return 304;
    return 200;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 304:
        return "Not Modified";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Network Connect Timeout Error";
    }
}

static int body_size(enum endpoint e, int status, int g)
{
    uint64_t r = h(g, 7);
    if (status == 304)
        return 0;
    if (status >= 400)
        return 60 + (int)(r % 40);
    switch (e) {
    case E_USERS:
        return 180 + (int)(r % 220);
    case E_ORDERS:
        return 500 + (int)(r % 400);
    case E_APPJS:
        return 6200;
    case E_CSS:
        return 2400;
    case E_PRODUCTS:
        return 1500 + (int)(r % 1500);
    default:
        return 90 + (int)(r % 30);
    }
}

static int response(char *buf, enum endpoint e, int status, int g, int64_t t, int closing,
                    int body)
{
    static const char fill[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char date[64];
    date_line(date, sizeof date, t);
    int n = snprintf(buf, MAX_MSG,
                     "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: nginx/1.24.0\r\n"
                     "X-Request-ID: req-%06d\r\n%s",
                     status, reason_of(status), date, g + 1,
                     closing ? "Connection: close\r\n" : "");
    if (status == 201)
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "Location: /api/orders/%08x\r\n",
                      (unsigned)h(g, 8));
    if (status == 503)
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "Retry-After: 5\r\n");
    if (status == 304) {
        n += snprintf(buf + n, MAX_MSG - (size_t)n, "ETag: \"v42\"\r\n\r\n");
        return n;
    }
    n += snprintf(buf + n, MAX_MSG - (size_t)n, "Content-Type: %s\r\nContent-Length: %d\r\n\r\n",
                  e == E_APPJS   ? "application/javascript"
                  : e == E_CSS ? "text/css"
                               : "application/json",
                  body);
    uint64_t r = h(g, 9);
    for (int i = 0; i < body; i++)
        buf[n + i] = fill[(r + (uint64_t)i * 7) % (sizeof fill - 1)];
    return n + body;
}

/* ttfb in ns: 20-30 ms static, 25-40 ms API, 30-45 ms checkout; 10x in the spike minute. */
static int64_t ttfb_of(enum endpoint e, int minute, int g)
{
    int64_t lo = is_static(e) ? 20000 : e == E_CHECKOUT ? 30000 : 25000;
    int64_t span = is_static(e) ? 10000 : 15000;
    int64_t us = lo + (int64_t)(h(g, 10) % (uint64_t)span);
    if (minute == SPIKE_MINUTE)
        us *= SPIKE_FACTOR;
    return us * 1000 + (int64_t)(h(g, 11) % 1000);
}

/* One slot: its transaction from request to the client's ACK, on a kept-alive connection
 * (opened when there is none) or, for the planted specials, on a connection of its own. */
static void slot(struct gen *g, int minute, int j)
{
    static char req[MAX_MSG];
    static char resp[MAX_MSG];
    int gi = minute * SLOTS + j;
    enum endpoint e = pattern[j % 20];
    int client = gi % NCLIENTS;
    int server = is_static(e);
    enum special sp = S_NONE;
    if ((minute == UNANSWERED1_MINUTE && j == UNANSWERED1_SLOT) ||
        (minute == UNANSWERED2_MINUTE && j == UNANSWERED2_SLOT))
        sp = S_UNANSWERED;
    if (minute == RESET_MINUTE && j == RESET_SLOT)
        sp = S_RESET;
    int64_t t = T0_NS + minute * MINUTE_NS + j * SLOT_NS + (int64_t)(h(gi, 0) % 100000000);
    struct conn own;
    struct conn *k = sp == S_NONE ? &g->conns[client][server] : &own;
    if (sp != S_NONE)
        k->is_open = 0;
    if (!k->is_open) {
        open_conn(g, k, client, server, minute, t);
        k->left = 3 + (int)(h(gi, 12) % 6);
        t += 500000;
    }
    int closing = sp == S_NONE && k->left == 1;
    int n = request(req, e, gi, closing);
    pw_send(&k->c, 1, req, (uint32_t)n, t);
    g->transactions++;
    if (sp == S_UNANSWERED) {
        /* the server ACKs and never answers; the client gives up after 250 ms */
        pw_ack(&k->c, 0, t + 300000);
        pw_teardown(&k->c, 1, t + 250000000);
        g->status[5]++;
        return;
    }
    int status = sp == S_RESET ? 200 : status_of(minute, j, e);
    int body = body_size(e, status, gi);
    t += ttfb_of(e, minute, gi);
    if (sp == S_RESET) {
        /* Content-Length 5000, two full segments of it, then the server resets */
        n = response(resp, e, status, gi, t, 0, 5000);
        uint32_t head = (uint32_t)(n - 5000);
        t = pw_send_mss(&k->c, 0, resp, head + 2 * MSS, MSS, t, 30000);
        pw_rst(&k->c, 0, t + 2000000);
        g->status[0]++;
        return;
    }
    n = response(resp, e, status, gi, t, closing, body);
    t = pw_send_mss(&k->c, 0, resp, (uint32_t)n, MSS, t, 30000);
    pw_ack(&k->c, 1, t + 120000);
    g->status[status == 304   ? 1
             : status == 404  ? 2
             : status == 599  ? 4
             : status >= 500  ? 3
                              : 0]++;
    if (--k->left == 0) {
        pw_teardown(&k->c, 0, t + 400000);
        k->is_open = 0;
    }
}

/* The clients close their idle keep-alive connections, one every 1 ms from t. */
static void close_all(struct gen *g, int64_t t)
{
    for (int c = 0; c < NCLIENTS; c++) {
        for (int s = 0; s < 2; s++) {
            if (g->conns[c][s].is_open) {
                pw_teardown(&g->conns[c][s].c, 1, t);
                g->conns[c][s].is_open = 0;
                t += 1000000;
            }
        }
    }
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    int part = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--part") == 0 && i + 1 < argc) {
            i++;
            part = strcmp(argv[i], "1/2") == 0 ? 1 : strcmp(argv[i], "2/2") == 0 ? 2 : -1;
        } else if (out == NULL && argv[i][0] != '-') {
            out = argv[i];
        } else {
            part = -1;
        }
    }
    if (out == NULL || part < 0) {
        fprintf(stderr, "usage: genanomaly OUT.pcap [--part 1/2|2/2]\n");
        return 2;
    }
    char err[PW_ERRBUF];
    struct gen *g = calloc(1, sizeof *g);
    if (g == NULL) {
        fprintf(stderr, "genanomaly: out of memory\n");
        return 1;
    }
    /* the half not asked for is written to the null device, so both halves are the
     * same bytes as in the whole capture */
    for (int i = 0; i < 2; i++) {
        const char *path = part == 0 || part == i + 1 ? out : "/dev/null";
        g->files[i] = i == 1 && part == 0 ? g->files[0]
                                          : pw_open(path, PW_PCAP_NS, PW_LINK_ETHERNET, 0, err);
        if (g->files[i] == NULL) {
            fprintf(stderr, "genanomaly: %s: %s\n", path, err);
            if (i == 1)
                pw_close(g->files[0], err);
            free(g);
            return 1;
        }
    }
    for (int m = 0; m < MINUTES; m++) {
        if (m == HALF_MINUTE)
            close_all(g, T0_NS + m * MINUTE_NS - 300000000);
        for (int j = 0; j < SLOTS; j++)
            slot(g, m, j);
    }
    close_all(g, T0_NS + MINUTES * MINUTE_NS - 300000000);
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        if ((i == 0 || part != 0) && pw_close(g->files[i], err) < 0) {
            fprintf(stderr, "genanomaly: %s: %s\n", out, err);
            rc = 1;
        }
    }
    if (rc == 0)
        printf("connections=%lu transactions=%lu 2xx=%lu 304=%lu 404=%lu 500+503=%lu "
               "599=%lu unanswered=%lu\n",
               g->connections, g->transactions, g->status[0], g->status[1], g->status[2],
               g->status[3], g->status[4], g->status[5]);
    free(g);
    return rc;
}
