/*
 * gencases.c - writes the crafted capture of every end-to-end case in tests/cases/.
 * Owns: the bytes and the capture time of every packet of every case.
 * In:   an output directory, optionally the names of the cases to write.
 * Out:  OUTDIR/<case>.pcap or .pcapng, one per case; tests/cases/<case>/expected.out
 *       is derived by hand from what is written here (times are T0 + the offsets below).
 * Never: runs httpcap or reads anything back.
 *
 * usage: gencases OUTDIR [CASE...]     gencases --list
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casegen.h"
#include "pcapw.h"

/* 2023-11-14 22:13:20.123456789 UTC: a time whose every ns digit shows. */
#define T0 1700000000123456789LL
/* The same second, µs-aligned, for µs files (they cannot hold the last 3 digits). */
#define T0U 1700000000123456000LL

#define CLI "192.0.2.10"
#define SRV "198.51.100.20"
#define DATE "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"

static void sends(struct pw_conn *c, int from_client, const char *s, int64_t t)
{
    pw_send(c, from_client, s, (uint32_t)strlen(s), t);
}

/* A plain 200 with a text body, the response most cases need. */
static void send_ok(struct pw_conn *c, const char *body, int64_t t)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    sends(c, 0, buf, t);
}

static void conn(struct pw_conn *c, struct pw_file *f, uint16_t cport, uint16_t sport)
{
    pw_conn_init(c, f, CLI, cport, SRV, sport);
}

static void reordered_segments(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50001, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /reorder HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    pw_ack(&c, 0, T0 + 1500002);
    const char *r = "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\nContent-Length: 26\r\n"
                    "\r\nabcdefghijklmnopqrstuvwxyz";
    uint32_t a = (uint32_t)(strstr(r, "Type:") - r);
    uint32_t b = (uint32_t)(strstr(r, "gth:") - r);
    uint32_t e = (uint32_t)strlen(r);
    uint32_t d = e - 16;
    /* captured in the order 1, 3, 2, 4: the header only parses when put back in order */
    pw_send_seg(&c, 0, 0, r, a, T0 + 3000003);
    pw_send_seg(&c, 0, b, r + b, d - b, T0 + 3100004);
    pw_send_seg(&c, 0, a, r + a, b - a, T0 + 3200005);
    pw_send_seg(&c, 0, d, r + d, e - d, T0 + 3300006);
    pw_ack(&c, 1, T0 + 3400007);
    pw_teardown(&c, 1, T0 + 5000000);
}

static void retransmissions(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50002, 80);
    pw_handshake(&c, T0);
    const char *q = "GET /retrans HTTP/1.1\r\nHost: example.com\r\n\r\n";
    sends(&c, 1, q, T0 + 1000001);
    pw_send_seg(&c, 1, 0, q, (uint32_t)strlen(q), T0 + 1200002);
    pw_ack(&c, 0, T0 + 1300003);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\n"
          "Content-Length: 20\r\n\r\n", T0 + 2000004);
    uint32_t off = pw_offset(&c, PW_SERVER);
    sends(&c, 0, "01234567890123456789", T0 + 2100005);
    pw_send_seg(&c, 0, off, "01234567890123456789", 20, T0 + 2300006);
    pw_ack(&c, 1, T0 + 2400007);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void overlapping_segments(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50003, 80);
    pw_handshake(&c, T0);
    /* the tail of the request arrives first; the head that follows overlaps "/first"
     * with "/xxxxx": the first copy captured wins, so the uri stays /first */
    const char *q = "GET /first HTTP/1.1\r\nHost: example.com\r\n\r\n";
    pw_send_seg(&c, 1, 4, q + 4, (uint32_t)strlen(q) - 4, T0 + 1000001);
    pw_send_seg(&c, 1, 0, "GET /xxxxx", 10, T0 + 1100002);
    pw_ack(&c, 0, T0 + 1200003);
    /* the response's middle arrives in two overlapping segments ahead of a hole: the
     * second repeats "text/html\r\n" as "image/png\r\n"; then the head fills the hole */
    const char *r = "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/html\r\nContent-Length: 5\r\n"
                    "\r\nhello";
    uint32_t a = (uint32_t)(strstr(r, "Content-Type") - r);
    uint32_t b = (uint32_t)(strstr(r, "Content-Length") - r);
    char t[128];
    snprintf(t, sizeof t, "image/png\r\n%s", r + b);
    pw_send_seg(&c, 0, a, r + a, b - a, T0 + 2000004);
    pw_send_seg(&c, 0, b - 11, t, (uint32_t)strlen(t), T0 + 2100005);
    pw_send_seg(&c, 0, 0, r, a, T0 + 2150006);
    pw_ack(&c, 1, T0 + 2200006);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void one_byte_segments(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50004, 80);
    pw_handshake(&c, T0);
    const char *q = "GET /tiny HTTP/1.1\r\nHost: a\r\n\r\n";
    const char *r = "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 3\r\n\r\nabc";
    /* byte i of the request at T0 + 1000000 + 1001 i, of the response at T0 + 2000000 + 1003 i */
    for (size_t i = 0; q[i] != '\0'; i++)
        pw_send(&c, 1, q + i, 1, T0 + 1000000 + 1001 * (int64_t)i);
    for (size_t i = 0; r[i] != '\0'; i++)
        pw_send(&c, 0, r + i, 1, T0 + 2000000 + 1003 * (int64_t)i);
    pw_ack(&c, 1, T0 + 2500000);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void lost_segment_gap(struct pw_file *f)
{
    struct pw_conn c;
    static char body[1000];
    conn(&c, f, 50005, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: application/octet-stream\r\n"
          "Content-Length: 3000\r\n\r\n", T0 + 2000002);
    memset(body, 'a', sizeof body);
    pw_send(&c, 0, body, 1000, T0 + 2100003);
    pw_skip(&c, PW_SERVER, 1000); /* bytes 1000..1999 of the body never reach the capture */
    memset(body, 'c', sizeof body);
    pw_send(&c, 0, body, 1000, T0 + 2300005);
    pw_ack(&c, 1, T0 + 2400006);  /* the client has them all: the hole is final */
    sends(&c, 1, "GET /small HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 3000007);
    send_ok(&c, "small", T0 + 3500008);
    pw_ack(&c, 1, T0 + 3600009);
    pw_teardown(&c, 1, T0 + 5000000);
}

static void capture_starts_mid_connection(struct pw_file *f)
{
    struct pw_conn c;
    static char tail[500];
    conn(&c, f, 50006, 80);
    /* no handshake: 120 request bytes and 3500 response bytes went by before the capture */
    pw_skip(&c, PW_CLIENT, 120);
    pw_skip(&c, PW_SERVER, 3500);
    memset(tail, 'x', sizeof tail);
    pw_send(&c, 0, tail, 500, T0 + 1000001); /* the last 500 bytes of a body */
    pw_ack(&c, 1, T0 + 1100002);
    sends(&c, 1, "GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 2000003);
    send_ok(&c, "next", T0 + 2500004);
    pw_ack(&c, 1, T0 + 2600005);
    sends(&c, 1, "GET /again HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 3000006);
    send_ok(&c, "again", T0 + 3400007);
    pw_ack(&c, 1, T0 + 3500008);
    pw_teardown(&c, 1, T0 + 5000000);
}

static void sequence_wraparound(struct pw_file *f)
{
    struct pw_conn c;
    char body[201];
    conn(&c, f, 50007, 80);
    /* client data starts at 0xffffffe1 (wraps 31 bytes in), server at 0xffffff01 */
    pw_conn_set_isn(&c, 0xFFFFFFE0u, 0xFFFFFF00u);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /wrap HTTP/1.1\r\nHost: example.com\r\nUser-Agent: pcapw/1.0\r\n\r\n",
          T0 + 1000001);
    for (int i = 0; i < 200; i++)
        body[i] = (char)('a' + i % 26);
    body[200] = '\0';
    char r[512];
    snprintf(r, sizeof r,
             "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\nContent-Length: 200\r\n\r\n%s",
             body);
    pw_send(&c, 0, r, 200, T0 + 2000002);
    pw_send(&c, 0, r + 200, (uint32_t)strlen(r) - 200, T0 + 2100003); /* crosses 2^32 */
    pw_ack(&c, 1, T0 + 2200004);
    sends(&c, 1, "GET /after-wrap HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 3000005);
    send_ok(&c, "wrapped", T0 + 3500006);
    pw_ack(&c, 1, T0 + 3600007);
    pw_teardown(&c, 1, T0 + 5000000);
}

static void three_pipelined_requests_one_segment(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50008, 80);
    pw_handshake(&c, T0);
    sends(&c, 1,
          "GET /one HTTP/1.1\r\nHost: example.com\r\n\r\n"
          "GET /two HTTP/1.1\r\nHost: example.com\r\n\r\n"
          "GET /three HTTP/1.1\r\nHost: example.com\r\n\r\n",
          T0 + 1000001);
    pw_ack(&c, 0, T0 + 1100002);
    send_ok(&c, "one", T0 + 2000003);
    sends(&c, 0, "HTTP/1.1 404 Not Found\r\n" DATE "Content-Type: text/plain\r\n"
          "Content-Length: 9\r\n\r\nnot found", T0 + 2500004);
    send_ok(&c, "three", T0 + 3000005);
    pw_ack(&c, 1, T0 + 3100006);
    pw_teardown(&c, 1, T0 + 5000000);
}

static void expect_100_continue(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50009, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\n"
          "Content-Length: 16\r\nExpect: 100-continue\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 100 Continue\r\n\r\n", T0 + 1500002);
    sends(&c, 1, "0123456789abcdef", T0 + 1600003);
    sends(&c, 0, "HTTP/1.1 201 Created\r\n" DATE "Location: /upload/1\r\nContent-Length: 0\r\n\r\n",
          T0 + 2500004);
    pw_ack(&c, 1, T0 + 2600005);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void head_with_content_length(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50010, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "HEAD /big.bin HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: application/octet-stream\r\n"
          "Content-Length: 12345\r\n\r\n", T0 + 1500002);
    pw_ack(&c, 1, T0 + 1600003);
    sends(&c, 1, "GET /small.txt HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 2000004);
    send_ok(&c, "small", T0 + 2500005);
    pw_ack(&c, 1, T0 + 2600006);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void not_modified_304(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50011, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /logo.png HTTP/1.1\r\nHost: example.com\r\nIf-None-Match: \"v1\"\r\n\r\n",
          T0 + 1000001);
    /* RFC 9110 §8.6 lets a 304 carry the Content-Length a 200 would have had */
    sends(&c, 0, "HTTP/1.1 304 Not Modified\r\n" DATE "ETag: \"v1\"\r\n"
          "Content-Length: 1234\r\n\r\n", T0 + 1500002);
    pw_ack(&c, 1, T0 + 1600003);
    sends(&c, 1, "GET /style.css HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 2000004);
    send_ok(&c, "body{}", T0 + 2500005);
    pw_ack(&c, 1, T0 + 2600006);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void chunked_with_trailers(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50012, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /chunked HTTP/1.1\r\nHost: example.com\r\nTE: trailers\r\n\r\n",
          T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\n"
          "Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n", T0 + 2000002);
    sends(&c, 0, "5\r\nhello\r\n", T0 + 2100003);
    sends(&c, 0, "7\r\n, world\r\n", T0 + 2200004);
    sends(&c, 0, "10\r\n0123456789abcdef\r\n", T0 + 2300005);
    sends(&c, 0, "0\r\nX-Checksum: 9f86d081\r\n\r\n", T0 + 2400006);
    pw_ack(&c, 1, T0 + 2500007);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void close_delimited_body(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50013, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\nConnection: close\r\n\r\n"
          "first part of the body\n", T0 + 2000002);
    sends(&c, 0, "second part\n", T0 + 2500003);
    pw_ack(&c, 1, T0 + 2600004);
    pw_teardown(&c, 0, T0 + 3500005); /* the server's FIN ends the body */
}

static void connect_tunnel(struct pw_file *f)
{
    static const uint8_t hello[] = {
        0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7,
        8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
        30, 31, 32, 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00};
    static const uint8_t appdata[] = {0x17, 0x03, 0x03, 0x00, 0x08, 0xde, 0xad, 0xbe,
                                      0xef, 0x47, 0x45, 0x54, 0x20};
    struct pw_conn c;
    conn(&c, f, 50014, 3128);
    pw_handshake(&c, T0);
    sends(&c, 1, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
          "User-Agent: pcapw/1.0\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 200 Connection established\r\n" DATE "\r\n", T0 + 1500002);
    pw_send(&c, 1, hello, sizeof hello, T0 + 1600003);
    pw_send(&c, 0, appdata, sizeof appdata, T0 + 1700004);
    pw_send(&c, 1, appdata, sizeof appdata, T0 + 1800005);
    pw_ack(&c, 0, T0 + 1900006);
    pw_teardown(&c, 1, T0 + 3000000);
}

static void websocket_upgrade_101(struct pw_file *f)
{
    /* RFC 6455 §5.7: a masked "Hello" from the client, an unmasked one back */
    static const uint8_t c_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                      0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t s_hello[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    static const uint8_t c_close[] = {0x88, 0x82, 0x37, 0xfa, 0x21, 0x3d, 0x34, 0x12};
    static const uint8_t s_close[] = {0x88, 0x02, 0x03, 0xe8};
    struct pw_conn c;
    conn(&c, f, 50015, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", T0 + 1500002);
    pw_send(&c, 1, c_hello, sizeof c_hello, T0 + 1600003);
    pw_send(&c, 0, s_hello, sizeof s_hello, T0 + 1700004);
    pw_send(&c, 1, c_close, sizeof c_close, T0 + 1800005);
    pw_send(&c, 0, s_close, sizeof s_close, T0 + 1900006);
    pw_teardown(&c, 0, T0 + 2000007);
}

static void ipv6(struct pw_file *f)
{
    struct pw_conn c;
    pw_conn_init(&c, f, "2001:db8::1", 50016, "2001:db8::80", 80);
    pw_handshake(&c, T0);
    c.ipv6_hbh = 1; /* the request packet carries a hop-by-hop header before TCP */
    sends(&c, 1, "GET /v6 HTTP/1.1\r\nHost: [2001:db8::80]\r\n\r\n", T0 + 1000001);
    c.ipv6_hbh = 0;
    send_ok(&c, "ipv6", T0 + 1500002);
    pw_ack(&c, 1, T0 + 1600003);
    pw_teardown(&c, 1, T0 + 3000000);
}

static void vlan_8021q(struct pw_file *f)
{
    struct pw_conn a, b;
    pw_set_eth_padding(f, 1); /* short frames padded to 60 bytes, as on a switch port */
    pw_conn_init(&a, f, "192.0.2.10", 50017, SRV, 80);
    a.n_vlan = 1;
    a.vlan[0] = 100;
    pw_conn_init(&b, f, "192.0.2.11", 50018, SRV, 80);
    b.n_vlan = 2; /* QinQ: 802.1ad outer 200, 802.1Q inner 300 */
    b.vlan[0] = 200;
    b.vlan[1] = 300;
    pw_handshake(&a, T0);
    pw_handshake(&b, T0 + 50000);
    sends(&a, 1, "GET /vlan100 HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    sends(&b, 1, "GET /qinq HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1100002);
    send_ok(&a, "tagged", T0 + 1500003);
    send_ok(&b, "double tagged", T0 + 1600004);
    pw_ack(&a, 1, T0 + 1700005);
    pw_ack(&b, 1, T0 + 1800006);
    pw_teardown(&a, 1, T0 + 3000000);
    pw_teardown(&b, 1, T0 + 3300000);
}

/* One plain exchange; for the link-type cases. */
static void simple_exchange(struct pw_file *f, uint16_t cport, const char *uri, int64_t t0,
                            int64_t req, int64_t resp)
{
    struct pw_conn c;
    char q[256];
    conn(&c, f, cport, 80);
    c.ifindex = 2;
    pw_handshake(&c, t0);
    snprintf(q, sizeof q, "GET %s HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n", uri);
    sends(&c, 1, q, t0 + req);
    send_ok(&c, uri, t0 + resp);
    pw_ack(&c, 1, t0 + resp + 100000);
    pw_teardown(&c, 1, t0 + resp + 1000000);
}

static void linux_sll(struct pw_file *f)
{
    simple_exchange(f, 50019, "/sll", T0U, 1001000, 1503000); /* a µs file: µs times */
}

static void linux_sll2(struct pw_file *f)
{
    simple_exchange(f, 50020, "/sll2", T0, 1000001, 1500002);
}

static void pcapng_nanosecond(struct pw_file *f)
{
    /* interface 0 has ns resolution; interface 1 (same link type) only µs */
    pw_add_interface(f, PW_LINK_ETHERNET, 0, 6);
    simple_exchange(f, 50021, "/ns", T0, 1000001, 1000999);
    pw_set_interface(f, 1);
    simple_exchange(f, 50022, "/us", T0U + 10000000, 1001000, 1502000);
}

static void tls_connection_skipped(struct pw_file *f)
{
    static const uint8_t client_hello[] = {
        0x16, 0x03, 0x01, 0x00, 0x45, 0x01, 0x00, 0x00, 0x41, 0x03, 0x03,
        0x5a, 0x2f, 0x10, 0x8e, 0x71, 0x93, 0x04, 0xcc, 0x0b, 0xd2, 0x6e, 0x11, 0x42, 0x9a, 0x3c,
        0x77, 0x01, 0x88, 0xe5, 0x2d, 0x6f, 0x40, 0x90, 0x13, 0xab, 0x5c, 0x21, 0x0e, 0xf7, 0x66,
        0x38, 0xd4, /* random */
        0x00,                   /* session id */
        0x00, 0x04, 0xc0, 0x2f, 0x13, 0x01, /* cipher suites */
        0x01, 0x00,             /* compression */
        0x00, 0x14,             /* extensions */
        0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, /* server_name */
        'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'};
    static const uint8_t server_hello[] = {
        0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x03,
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0,
        0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef,
        0xf1, 0x02, /* random */
        0x00,       /* session id */
        0xc0, 0x2f, /* cipher suite */
        0x00,       /* compression */
        0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00}; /* renegotiation_info */
    struct pw_conn c;
    conn(&c, f, 50023, 443);
    pw_handshake(&c, T0);
    pw_send(&c, 1, client_hello, sizeof client_hello, T0 + 1000001);
    pw_send(&c, 0, server_hello, sizeof server_hello, T0 + 1500002);
    pw_ack(&c, 1, T0 + 1600003);
    pw_teardown(&c, 1, T0 + 3000000);
}

static void status_line_split_across_segments(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50024, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /split HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    sends(&c, 0, "HTTP/1.", T0 + 2000002);
    sends(&c, 0, "1 2", T0 + 2100003);
    sends(&c, 0, "00 OK\r\n" DATE "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nsplit",
          T0 + 2200004);
    pw_ack(&c, 1, T0 + 2300005);
    pw_teardown(&c, 1, T0 + 4000000);
}

static void http10_keepalive_off(struct pw_file *f)
{
    struct pw_conn a, b;
    /* a µs file: µs-aligned times. Each HTTP/1.0 exchange gets its own connection,
     * which the server closes. */
    conn(&a, f, 50025, 80);
    pw_handshake(&a, T0U);
    sends(&a, 1, "GET /old1 HTTP/1.0\r\nHost: example.com\r\nUser-Agent: pcapw/1.0\r\n\r\n",
          T0U + 1001000);
    sends(&a, 0, "HTTP/1.0 200 OK\r\n" DATE "Content-Type: text/html\r\nContent-Length: 13\r\n"
          "\r\n<p>hello</p>\n", T0U + 1502000);
    pw_teardown(&a, 0, T0U + 1603000);
    conn(&b, f, 50026, 80);
    pw_handshake(&b, T0U + 2000000);
    sends(&b, 1, "GET /old2 HTTP/1.0\r\nHost: example.com\r\nUser-Agent: pcapw/1.0\r\n\r\n",
          T0U + 3004000);
    /* no Content-Length: the body runs to the server's FIN */
    sends(&b, 0, "HTTP/1.0 404 Not Found\r\n" DATE "Content-Type: text/html\r\n\r\n<p>no</p>\n",
          T0U + 3505000);
    pw_teardown(&b, 0, T0U + 3706000);
}

static void request_without_response(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50027, 80);
    pw_handshake(&c, T0);
    sends(&c, 1, "GET /answered HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 1000001);
    send_ok(&c, "ok", T0 + 1500002);
    pw_ack(&c, 1, T0 + 1600003);
    sends(&c, 1, "GET /unanswered HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 2000003);
    pw_ack(&c, 0, T0 + 2100004);
    /* the capture ends here */
}

static void response_without_request(struct pw_file *f)
{
    struct pw_conn c;
    conn(&c, f, 50028, 80);
    /* no handshake: the capture starts with a response whose request it missed */
    pw_skip(&c, PW_CLIENT, 45);
    pw_skip(&c, PW_SERVER, 1200);
    send_ok(&c, "orphan", T0 + 1000001);
    pw_ack(&c, 1, T0 + 1100002);
    sends(&c, 1, "GET /after HTTP/1.1\r\nHost: example.com\r\n\r\n", T0 + 2000003);
    send_ok(&c, "after", T0 + 2500004);
    pw_ack(&c, 1, T0 + 2600005);
    pw_teardown(&c, 1, T0 + 4000000);
}

static const struct casegen_case cases[] = {
    {"reordered-segments", PW_PCAP_NS, PW_LINK_ETHERNET, reordered_segments},
    {"retransmissions", PW_PCAP_NS, PW_LINK_ETHERNET, retransmissions},
    {"overlapping-segments", PW_PCAP_NS, PW_LINK_ETHERNET, overlapping_segments},
    {"one-byte-segments", PW_PCAP_NS, PW_LINK_ETHERNET, one_byte_segments},
    {"lost-segment-gap", PW_PCAP_NS, PW_LINK_ETHERNET, lost_segment_gap},
    {"capture-starts-mid-connection", PW_PCAP_NS, PW_LINK_ETHERNET,
     capture_starts_mid_connection},
    {"sequence-wraparound", PW_PCAP_NS, PW_LINK_ETHERNET, sequence_wraparound},
    {"three-pipelined-requests-one-segment", PW_PCAP_NS, PW_LINK_ETHERNET,
     three_pipelined_requests_one_segment},
    {"expect-100-continue", PW_PCAP_NS, PW_LINK_ETHERNET, expect_100_continue},
    {"head-with-content-length", PW_PCAP_NS, PW_LINK_ETHERNET, head_with_content_length},
    {"not-modified-304", PW_PCAP_NS, PW_LINK_ETHERNET, not_modified_304},
    {"chunked-with-trailers", PW_PCAP_NS, PW_LINK_ETHERNET, chunked_with_trailers},
    {"close-delimited-body", PW_PCAP_NS, PW_LINK_ETHERNET, close_delimited_body},
    {"connect-tunnel", PW_PCAP_NS, PW_LINK_ETHERNET, connect_tunnel},
    {"websocket-upgrade-101", PW_PCAP_NS, PW_LINK_ETHERNET, websocket_upgrade_101},
    {"ipv6", PW_PCAP_NS, PW_LINK_ETHERNET, ipv6},
    {"vlan-8021q", PW_PCAP_NS, PW_LINK_ETHERNET, vlan_8021q},
    {"linux-sll", PW_PCAP_US, PW_LINK_SLL, linux_sll},
    {"linux-sll2", PW_PCAP_NS, PW_LINK_SLL2, linux_sll2},
    {"pcapng-nanosecond", PW_PCAPNG_NS, PW_LINK_ETHERNET, pcapng_nanosecond},
    {"tls-connection-skipped", PW_PCAP_NS, PW_LINK_ETHERNET, tls_connection_skipped},
    {"status-line-split-across-segments", PW_PCAP_NS, PW_LINK_ETHERNET,
     status_line_split_across_segments},
    {"http10-keepalive-off", PW_PCAP_US, PW_LINK_ETHERNET, http10_keepalive_off},
    {"request-without-response", PW_PCAP_NS, PW_LINK_ETHERNET, request_without_response},
    {"response-without-request", PW_PCAP_NS, PW_LINK_ETHERNET, response_without_request},
};

int main(int argc, char **argv)
{
    return casegen_main("gencases", cases, sizeof cases / sizeof cases[0], NULL, argc, argv);
}
