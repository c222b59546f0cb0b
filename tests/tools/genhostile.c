/*
 * genhostile.c - writes a capture whose wire strings try to inject markup into the HTML
 * report (tests/e2e/test_report_html.py).
 * Owns: the bytes and times of one case, "hostile": 12 exchanges with 198.51.100.20:80 over
 *       two minutes whose URI, Host and X-Request-Id carry <script>, <img onerror>, quotes,
 *       invalid UTF-8; 5 of the 10 hostile-endpoint responses are 500 (failing-endpoint),
 *       one 599 (rare-status, unregistered), one 999 (invalid class), one request that is
 *       never answered before the client closes (unanswered-requests).
 * In:   an output directory. Out: OUTDIR/hostile.pcap.
 * Never: runs httpcap or reads anything back.
 */
#include <stdio.h>
#include <string.h>

#include "casegen.h"
#include "pcapw.h"

#define T0 1700000000000000000LL /* 2023-11-14T22:13:20Z */
#define SEC 1000000000LL
#define CLI "192.0.2.66"
#define SRV "198.51.100.20"

#define SCRIPT "<script>document.title='PWNED'</script>"
#define IMG "<img src=x onerror=document.title='PWNED'>"

static void sends(struct pw_conn *c, int from_client, const char *s, int64_t t)
{
    pw_send(c, from_client, s, (uint32_t)strlen(s), t);
}

static void respond(struct pw_conn *c, int status, int64_t t)
{
    char buf[256];
    snprintf(buf, sizeof buf,
             "HTTP/1.1 %d Whatever\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
             "Content-Length: 2\r\n\r\nok",
             status);
    sends(c, 0, buf, t);
}

/* One connection, one exchange (status 0: no response, the client closes). */
static void exchange(struct pw_file *f, uint16_t port, const char *req, int status, int64_t t)
{
    struct pw_conn c;
    pw_conn_init(&c, f, CLI, port, SRV, 80);
    pw_handshake(&c, t);
    sends(&c, 1, req, t + SEC / 100);
    pw_ack(&c, 0, t + SEC / 50);
    if (status)
        respond(&c, status, t + SEC / 10 + (int64_t)port * 1000);
    pw_ack(&c, 1, t + SEC / 5);
    pw_teardown(&c, 1, t + SEC / 2);
}

static void hostile(struct pw_file *f)
{
    char req[512];
    for (int i = 0; i < 10; i++) {
        snprintf(req, sizeof req,
                 "GET /" SCRIPT "/%d HTTP/1.1\r\nHost: " IMG "\r\nX-Request-Id: " SCRIPT
                 "-%d\r\n\r\n",
                 i + 1, i);
        exchange(f, (uint16_t)(40000 + i), req, i % 2 ? 500 : 200, T0 + i * 10 * SEC);
    }
    exchange(f, 40100,
             "GET /q?a=\"x\"&b='y'&c=<b>bold</b> HTTP/1.1\r\nHost: quote\"s.example\r\n"
             "X-Request-Id: rid-\xff\xfe-\"'&<>\r\n\r\n",
             599, T0 + 100 * SEC);
    exchange(f, 40101,
             "POST /<img/src=x/onerror=document.title='PWNED'> HTTP/1.1\r\nHost: example.com\r\n"
             "Content-Length: 0\r\n"
             "X-Request-Id: " IMG "\r\n\r\n",
             999, T0 + 105 * SEC);
    exchange(f, 40102,
             "GET /never-answered HTTP/1.1\r\nHost: example.com\r\nX-Request-Id: " SCRIPT
             "\r\n\r\n",
             0, T0 + 110 * SEC);
}

static const struct casegen_case cases[] = {
    {"hostile", PW_PCAP_US, PW_LINK_ETHERNET, hostile},
};

int main(int argc, char **argv)
{
    return casegen_main("genhostile", cases, sizeof cases / sizeof cases[0], NULL, argc, argv);
}
