/*
 * genrules.c - writes one crafted capture per rule of the shared RULES.md catalogue (rule-<id>).
 * Owns: the bytes of every packet of every rule case; each capture holds the exchange(s)
 *       that must trigger its rule and near misses that must not.
 * In:   an output directory, optionally the names of the cases to write.
 * Out:  OUTDIR/rule-<id>.pcap, one per rule; tests/cases/rule-<id>/expected.out is derived
 *       by hand from the RFC semantics of what is written here (not from running httpcap).
 * Never: runs httpcap or reads anything back.
 * Every response is otherwise clean (Date, registered reason phrase, correct framing) so
 * only the intended rule fires; times only grow, in steps of 1 ms (values not asserted).
 *
 * usage: genrules OUTDIR [CASE...]     genrules --list
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casegen.h"
#include "pcapw.h"

#define T0 1700000000123456789LL
#define CLI "192.0.2.10"
#define SRV "198.51.100.20"
#define DATE "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
#define H "Host: example.com\r\n"

static int64_t now = T0;

static int64_t tick(void)
{
    now += 1000000;
    return now;
}

static void sends(struct pw_conn *c, int from_client, const char *s)
{
    pw_send(c, from_client, s, (uint32_t)strlen(s), tick());
}

static void open_conn(struct pw_conn *c, struct pw_file *f, uint16_t cport, uint16_t sport)
{
    pw_conn_init(c, f, CLI, cport, SRV, sport);
    pw_handshake(c, tick());
}

/* A request from the client, bare TCP ACK from the server. */
static void req(struct pw_conn *c, const char *s)
{
    sends(c, 1, s);
    pw_ack(c, 0, tick());
}

/* Raw response bytes from the server, acked by the client. */
static void raw(struct pw_conn *c, const char *s)
{
    sends(c, 0, s);
    pw_ack(c, 1, tick());
}

/* head: status line and headers without Content-Length and without the blank line. */
static void resp(struct pw_conn *c, const char *head, const char *body)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%sContent-Length: %zu\r\n\r\n%s", head, strlen(body), body);
    raw(c, buf);
}

static void get(struct pw_conn *c, const char *uri)
{
    char buf[512];
    snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\n" H "\r\n", uri);
    req(c, buf);
}

static void ok(struct pw_conn *c)
{
    resp(c, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\n", "ok");
}

static void client_close(struct pw_conn *c)
{
    pw_teardown(c, 1, tick());
    tick();
}

static void server_close(struct pw_conn *c)
{
    pw_teardown(c, 0, tick());
    tick();
}

/* ---- status line and class ---- */

static void status_invalid(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51001, 80);
    get(&c, "/ok");
    ok(&c);
    get(&c, "/six-hundred");
    resp(&c, "HTTP/1.1 600 \r\n" DATE, "");
    get(&c, "/zero-nine-nine");
    resp(&c, "HTTP/1.1 099 \r\n" DATE, "");
    get(&c, "/five-nine-nine");
    resp(&c, "HTTP/1.1 599 \r\n" DATE, "");
    get(&c, "/one-hundred");
    raw(&c, "HTTP/1.1 100 Continue\r\n\r\n");
    ok(&c);
    client_close(&c);
}

static void status_unregistered(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51002, 80);
    get(&c, "/unregistered");
    resp(&c, "HTTP/1.1 471 \r\n" DATE, "");
    get(&c, "/legal");
    resp(&c, "HTTP/1.1 451 Unavailable For Legal Reasons\r\n" DATE, "");
    get(&c, "/early");
    resp(&c, "HTTP/1.1 425 Too Early\r\n" DATE, "");
    get(&c, "/gone");
    resp(&c, "HTTP/1.1 410 Gone\r\n" DATE, "");
    client_close(&c);
}

static void status_deprecated(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51003, 80);
    get(&c, "/use-proxy");
    resp(&c, "HTTP/1.1 305 Use Proxy\r\n" DATE "Location: http://proxy.example.com:3128/\r\n", "");
    get(&c, "/unused");
    resp(&c, "HTTP/1.1 306 \r\n" DATE, "");
    get(&c, "/choices");
    resp(&c, "HTTP/1.1 300 Multiple Choices\r\n" DATE, "");
    get(&c, "/temporary");
    resp(&c, "HTTP/1.1 307 Temporary Redirect\r\n" DATE "Location: /elsewhere\r\n", "");
    client_close(&c);
}

static void reason_nonstandard(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51004, 80);
    get(&c, "/ok-lower");
    resp(&c, "HTTP/1.1 200 Ok\r\n" DATE, "ok");
    get(&c, "/fine");
    resp(&c, "HTTP/1.1 200 Fine\r\n" DATE, "ok");
    get(&c, "/empty");
    resp(&c, "HTTP/1.1 404 \r\n" DATE, "");
    get(&c, "/old-413");
    resp(&c, "HTTP/1.1 413 Payload Too Large\r\n" DATE, "");
    get(&c, "/old-422");
    resp(&c, "HTTP/1.1 422 Unprocessable Entity\r\n" DATE, "");
    get(&c, "/not-here");
    resp(&c, "HTTP/1.1 404 Not Here\r\n" DATE, "");
    get(&c, "/new-413");
    resp(&c, "HTTP/1.1 413 CONTENT TOO LARGE\r\n" DATE, "");
    client_close(&c);
}

/* ---- interim responses ---- */

static void r_1xx_to_http10(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51005, 80);
    get(&c, "/hints-11");
    raw(&c, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
    ok(&c);
    client_close(&c);
    open_conn(&c, f, 51006, 80);
    req(&c, "GET /plain-10 HTTP/1.0\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "Connection: close\r\n", "ok");
    server_close(&c);
    open_conn(&c, f, 51007, 80);
    req(&c, "GET /hints-10 HTTP/1.0\r\n" H "\r\n");
    raw(&c, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "Connection: close\r\n", "ok");
    server_close(&c);
}

static void upgrade_req(struct pw_conn *c, const char *uri, const char *upgrade)
{
    char buf[512];
    if (upgrade != NULL)
        snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\n" H "Connection: Upgrade\r\nUpgrade: %s\r\n\r\n",
                 uri, upgrade);
    else
        snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\n" H "\r\n", uri);
    req(c, buf);
}

static void r_101_missing_upgrade(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51008, 80);
    upgrade_req(&c, "/with-upgrade", "websocket");
    raw(&c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    client_close(&c);
    open_conn(&c, f, 51009, 80);
    upgrade_req(&c, "/without-upgrade", "websocket");
    raw(&c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n");
    client_close(&c);
}

static void r_101_unrequested_upgrade(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51010, 80);
    upgrade_req(&c, "/offered-list", "h2c, websocket");
    raw(&c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    client_close(&c);
    open_conn(&c, f, 51011, 80);
    upgrade_req(&c, "/not-offered", NULL);
    raw(&c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    client_close(&c);
    open_conn(&c, f, 51012, 80);
    upgrade_req(&c, "/other-protocol", "h2c");
    raw(&c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    client_close(&c);
}

static void r_1xx_without_final(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51013, 80);
    req(&c, "POST /upload HTTP/1.1\r\n" H "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    raw(&c, "HTTP/1.1 100 Continue\r\n\r\n");
    sends(&c, 1, "data");
    resp(&c, "HTTP/1.1 201 Created\r\n" DATE "Location: /upload/1\r\n", "");
    req(&c, "POST /upload HTTP/1.1\r\n" H "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    raw(&c, "HTTP/1.1 100 Continue\r\n\r\n");
    sends(&c, 1, "data");
    pw_ack(&c, 0, tick());
    server_close(&c);
}

/* ---- framing ---- */

static void content_length_forbidden(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51014, 80);
    get(&c, "/no-content");
    raw(&c, "HTTP/1.1 204 No Content\r\n" DATE "\r\n");
    get(&c, "/no-content-cl");
    raw(&c, "HTTP/1.1 204 No Content\r\n" DATE "Content-Length: 0\r\n\r\n");
    req(&c, "GET /cached HTTP/1.1\r\n" H "If-None-Match: \"v1\"\r\n\r\n");
    raw(&c, "HTTP/1.1 304 Not Modified\r\n" DATE "ETag: \"v1\"\r\nContent-Length: 5\r\n\r\n");
    get(&c, "/hints-cl");
    raw(&c, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nContent-Length: 0\r\n\r\n");
    ok(&c);
    client_close(&c);
    open_conn(&c, f, 51015, 3128);
    req(&c, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    resp(&c, "HTTP/1.1 407 Proxy Authentication Required\r\n" DATE
         "Proxy-Authenticate: Basic realm=\"proxy\"\r\n", "");
    req(&c, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
        "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 0\r\n\r\n");
    client_close(&c);
    open_conn(&c, f, 51016, 3128);
    req(&c, "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "\r\n");
    client_close(&c);
}

static void transfer_encoding_forbidden(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51017, 80);
    get(&c, "/chunked");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    req(&c, "HEAD /chunked HTTP/1.1\r\n" H "\r\n");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n");
    req(&c, "GET /cached HTTP/1.1\r\n" H "If-None-Match: \"v1\"\r\n\r\n");
    raw(&c, "HTTP/1.1 304 Not Modified\r\n" DATE "ETag: \"v1\"\r\nTransfer-Encoding: chunked\r\n\r\n");
    get(&c, "/no-content-te");
    raw(&c, "HTTP/1.1 204 No Content\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n");
    get(&c, "/hints-te");
    raw(&c, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    ok(&c);
    client_close(&c);
    open_conn(&c, f, 51018, 3128);
    req(&c, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    raw(&c, "HTTP/1.1 407 Proxy Authentication Required\r\n" DATE
        "Proxy-Authenticate: Basic realm=\"proxy\"\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nauth\r\n0\r\n\r\n");
    req(&c, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
        "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n");
    client_close(&c);
}

static void transfer_encoding_to_http10(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51019, 80);
    get(&c, "/chunked-11");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    client_close(&c);
    open_conn(&c, f, 51020, 80);
    req(&c, "GET /length-10 HTTP/1.0\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "Connection: close\r\n", "ok");
    server_close(&c);
    open_conn(&c, f, 51021, 80);
    req(&c, "GET /chunked-10 HTTP/1.0\r\n" H "\r\n");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\nok\r\n0\r\n\r\n");
    server_close(&c);
}

static void content_length_with_transfer_encoding(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51022, 80);
    get(&c, "/chunked");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    get(&c, "/length");
    ok(&c);
    get(&c, "/both");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\nok\r\n0\r\n\r\n");
    server_close(&c);
}

static void content_length_invalid(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51023, 80);
    get(&c, "/single");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 2\r\n\r\nok");
    get(&c, "/identical-duplicate");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 2\r\nContent-Length: 2\r\n\r\nok");
    get(&c, "/differing-duplicate");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 2\r\nContent-Length: 3\r\n\r\nok");
    server_close(&c);
    open_conn(&c, f, 51024, 80);
    get(&c, "/not-a-number");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: two\r\n\r\nok");
    server_close(&c);
}

static void no_content_has_body(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51025, 80);
    get(&c, "/no-content");
    raw(&c, "HTTP/1.1 204 No Content\r\n" DATE "\r\n");
    req(&c, "HEAD /big HTTP/1.1\r\n" H "\r\n");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 12345\r\n\r\n");
    req(&c, "GET /cached HTTP/1.1\r\n" H "If-None-Match: \"v1\"\r\n\r\n");
    raw(&c, "HTTP/1.1 304 Not Modified\r\n" DATE "ETag: \"v1\"\r\n\r\n");
    get(&c, "/body-text");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\n",
         "HTTP/1.1 200 OK\r\n\r\n");
    get(&c, "/no-content-stray");
    raw(&c, "HTTP/1.1 204 No Content\r\n" DATE "\r\nstray bytes");
    server_close(&c);
}

static void r_205_has_content(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51026, 80);
    req(&c, "POST /form HTTP/1.1\r\n" H "Content-Length: 3\r\n\r\na=1");
    resp(&c, "HTTP/1.1 205 Reset Content\r\n" DATE, "");
    req(&c, "POST /form HTTP/1.1\r\n" H "Content-Length: 3\r\n\r\na=2");
    resp(&c, "HTTP/1.1 205 Reset Content\r\n" DATE "Content-Type: text/plain\r\n", "reset");
    get(&c, "/after");
    ok(&c);
    client_close(&c);
}

static void body_truncated(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51027, 80);
    get(&c, "/complete");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\n", "0123456789");
    get(&c, "/cut-length");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
        "only forty bytes of the hundred promised");
    server_close(&c);
    open_conn(&c, f, 51028, 80);
    get(&c, "/cut-chunked");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    pw_rst(&c, 0, tick());
    tick();
    open_conn(&c, f, 51029, 80);
    get(&c, "/close-delimited");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Connection: close\r\n\r\nuntil the end");
    server_close(&c);
}

static void obs_fold(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51030, 80);
    get(&c, "/spaces");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "X-Note: a value  with\tinner spaces\r\n", "ok");
    get(&c, "/folded");
    resp(&c, "HTTP/1.1 200 OK\r\n" DATE "X-Note: first line\r\n  continued\r\n", "ok");
    server_close(&c);
}

static void parse_error(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51031, 80);
    get(&c, "/fine");
    ok(&c);
    get(&c, "/bad-chunk");
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    server_close(&c);
    open_conn(&c, f, 51032, 80);
    get(&c, "/four-digits");
    raw(&c, "HTTP/1.1 2000 OK\r\n" DATE "Content-Length: 0\r\n\r\n");
    server_close(&c);
}

/* ---- headers a status code requires ---- */

static void redirect_missing_location(struct pw_file *f)
{
    static const char *const with[] = {
        "HTTP/1.1 301 Moved Permanently\r\n", "HTTP/1.1 302 Found\r\n",
        "HTTP/1.1 303 See Other\r\n", "HTTP/1.1 307 Temporary Redirect\r\n",
        "HTTP/1.1 308 Permanent Redirect\r\n"};
    struct pw_conn c;
    char head[512];
    open_conn(&c, f, 51033, 80);
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++) {
        char uri[32];
        snprintf(uri, sizeof uri, "/with-%.3s", with[i] + 9);
        get(&c, uri);
        snprintf(head, sizeof head, "%s" DATE "Location: /target\r\n", with[i]);
        resp(&c, head, "");
    }
    get(&c, "/found-no-location");
    resp(&c, "HTTP/1.1 302 Found\r\n" DATE, "");
    get(&c, "/permanent-no-location");
    resp(&c, "HTTP/1.1 308 Permanent Redirect\r\n" DATE, "");
    get(&c, "/choices-no-location");
    resp(&c, "HTTP/1.1 300 Multiple Choices\r\n" DATE, "");
    client_close(&c);
}

static void r_206_missing_content_range(struct pw_file *f)
{
    static const char multi[] =
        "--SEP\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\nab\r\n"
        "--SEP\r\nContent-Type: text/plain\r\nContent-Range: bytes 8-9/10\r\n\r\nij\r\n"
        "--SEP--\r\n";
    struct pw_conn c;
    open_conn(&c, f, 51034, 80);
    req(&c, "GET /file HTTP/1.1\r\n" H "Range: bytes=0-1\r\n\r\n");
    resp(&c, "HTTP/1.1 206 Partial Content\r\n" DATE "Content-Range: bytes 0-1/10\r\n", "ab");
    req(&c, "GET /file HTTP/1.1\r\n" H "Range: bytes=0-1,8-9\r\n\r\n");
    resp(&c, "HTTP/1.1 206 Partial Content\r\n" DATE
         "Content-Type: multipart/byteranges; boundary=SEP\r\n", multi);
    req(&c, "GET /file HTTP/1.1\r\n" H "Range: bytes=0-1\r\n\r\n");
    resp(&c, "HTTP/1.1 206 Partial Content\r\n" DATE, "ab");
    req(&c, "GET /file HTTP/1.1\r\n" H "Range: bytes=0-1,8-9\r\n\r\n");
    resp(&c, "HTTP/1.1 206 Partial Content\r\n" DATE
         "Content-Type: multipart/mixed; boundary=SEP\r\n", multi);
    client_close(&c);
}

static void r_401_missing_www_authenticate(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51035, 80);
    get(&c, "/private-challenge");
    resp(&c, "HTTP/1.1 401 Unauthorized\r\n" DATE "WWW-Authenticate: Basic realm=\"x\"\r\n", "");
    get(&c, "/private-bare");
    resp(&c, "HTTP/1.1 401 Unauthorized\r\n" DATE, "");
    get(&c, "/forbidden");
    resp(&c, "HTTP/1.1 403 Forbidden\r\n" DATE, "");
    client_close(&c);
}

static void r_405_missing_allow(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51036, 80);
    req(&c, "DELETE /with-allow HTTP/1.1\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 405 Method Not Allowed\r\n" DATE "Allow: GET, HEAD\r\n", "");
    req(&c, "DELETE /empty-allow HTTP/1.1\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 405 Method Not Allowed\r\n" DATE "Allow: \r\n", "");
    req(&c, "DELETE /no-allow HTTP/1.1\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 405 Method Not Allowed\r\n" DATE, "");
    client_close(&c);
}

static void r_407_missing_proxy_authenticate(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51037, 3128);
    req(&c, "GET http://example.com/a HTTP/1.1\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 407 Proxy Authentication Required\r\n" DATE
         "Proxy-Authenticate: Basic realm=\"proxy\"\r\n", "");
    req(&c, "GET http://example.com/b HTTP/1.1\r\n" H "\r\n");
    resp(&c, "HTTP/1.1 407 Proxy Authentication Required\r\n" DATE
         "WWW-Authenticate: Basic realm=\"proxy\"\r\n", "");
    client_close(&c);
}

static void r_408_missing_connection_close(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51038, 80);
    get(&c, "/slow-keepalive");
    resp(&c, "HTTP/1.1 408 Request Timeout\r\n" DATE, "");
    get(&c, "/slow-close");
    resp(&c, "HTTP/1.1 408 Request Timeout\r\n" DATE "Connection: close\r\n", "");
    server_close(&c);
}

static void r_416_missing_content_range(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51039, 80);
    req(&c, "GET /file HTTP/1.1\r\n" H "Range: bytes=500-600\r\n\r\n");
    resp(&c, "HTTP/1.1 416 Range Not Satisfiable\r\n" DATE "Content-Range: bytes */10\r\n", "");
    get(&c, "/file");
    resp(&c, "HTTP/1.1 416 Range Not Satisfiable\r\n" DATE, "");
    req(&c, "GET /file HTTP/1.1\r\n" H "Range: bytes=500-600\r\n\r\n");
    resp(&c, "HTTP/1.1 416 Range Not Satisfiable\r\n" DATE, "");
    client_close(&c);
}

static void r_426_missing_upgrade(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51040, 80);
    get(&c, "/needs-tls");
    resp(&c, "HTTP/1.1 426 Upgrade Required\r\n" DATE "Upgrade: TLS/1.3\r\nConnection: Upgrade\r\n",
         "");
    get(&c, "/needs-something");
    resp(&c, "HTTP/1.1 426 Upgrade Required\r\n" DATE, "");
    client_close(&c);
}

static void missing_date(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51041, 80);
    get(&c, "/dated");
    ok(&c);
    get(&c, "/undated-200");
    resp(&c, "HTTP/1.1 200 OK\r\n", "ok");
    get(&c, "/undated-301");
    resp(&c, "HTTP/1.1 301 Moved Permanently\r\nLocation: /target\r\n", "");
    get(&c, "/undated-404");
    resp(&c, "HTTP/1.1 404 Not Found\r\n", "");
    get(&c, "/undated-500");
    resp(&c, "HTTP/1.1 500 Internal Server Error\r\n", "");
    get(&c, "/undated-503");
    resp(&c, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 60\r\n", "");
    get(&c, "/undated-103");
    raw(&c, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
    ok(&c);
    client_close(&c);
}

static void retry_after_missing(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51042, 80);
    get(&c, "/busy-seconds");
    resp(&c, "HTTP/1.1 503 Service Unavailable\r\n" DATE "Retry-After: 120\r\n", "");
    get(&c, "/busy-bare");
    resp(&c, "HTTP/1.1 503 Service Unavailable\r\n" DATE, "");
    get(&c, "/limit-date");
    resp(&c, "HTTP/1.1 429 Too Many Requests\r\n" DATE
         "Retry-After: Tue, 14 Nov 2023 22:14:20 GMT\r\n", "");
    get(&c, "/limit-bare");
    resp(&c, "HTTP/1.1 429 Too Many Requests\r\n" DATE, "");
    get(&c, "/error");
    resp(&c, "HTTP/1.1 500 Internal Server Error\r\n" DATE, "");
    client_close(&c);
}

/* ---- pairing ---- */

static void response_without_request(struct pw_file *f)
{
    struct pw_conn c;
    pw_conn_init(&c, f, CLI, 51043, SRV, 80);
    pw_skip(&c, PW_CLIENT, 45);
    pw_skip(&c, PW_SERVER, 1200);
    raw(&c, "HTTP/1.1 200 OK\r\n" DATE "Content-Length: 6\r\n\r\norphan");
    get(&c, "/after");
    ok(&c);
    client_close(&c);
}

static void request_without_response(struct pw_file *f)
{
    struct pw_conn c;
    open_conn(&c, f, 51044, 80);
    get(&c, "/answered");
    ok(&c);
    get(&c, "/closed-unanswered");
    server_close(&c);
    open_conn(&c, f, 51045, 80);
    get(&c, "/answered-too");
    ok(&c);
    get(&c, "/capture-ends");
    /* the capture ends here */
}

static const struct casegen_case cases[] = {
    {"rule-status-invalid", PW_PCAP_NS, PW_LINK_ETHERNET, status_invalid},
    {"rule-status-unregistered", PW_PCAP_NS, PW_LINK_ETHERNET, status_unregistered},
    {"rule-status-deprecated", PW_PCAP_NS, PW_LINK_ETHERNET, status_deprecated},
    {"rule-reason-nonstandard", PW_PCAP_NS, PW_LINK_ETHERNET, reason_nonstandard},
    {"rule-1xx-to-http10", PW_PCAP_NS, PW_LINK_ETHERNET, r_1xx_to_http10},
    {"rule-101-missing-upgrade", PW_PCAP_NS, PW_LINK_ETHERNET, r_101_missing_upgrade},
    {"rule-101-unrequested-upgrade", PW_PCAP_NS, PW_LINK_ETHERNET, r_101_unrequested_upgrade},
    {"rule-1xx-without-final", PW_PCAP_NS, PW_LINK_ETHERNET, r_1xx_without_final},
    {"rule-content-length-forbidden", PW_PCAP_NS, PW_LINK_ETHERNET, content_length_forbidden},
    {"rule-transfer-encoding-forbidden", PW_PCAP_NS, PW_LINK_ETHERNET, transfer_encoding_forbidden},
    {"rule-transfer-encoding-to-http10", PW_PCAP_NS, PW_LINK_ETHERNET, transfer_encoding_to_http10},
    {"rule-content-length-with-transfer-encoding", PW_PCAP_NS, PW_LINK_ETHERNET, content_length_with_transfer_encoding},
    {"rule-content-length-invalid", PW_PCAP_NS, PW_LINK_ETHERNET, content_length_invalid},
    {"rule-no-content-has-body", PW_PCAP_NS, PW_LINK_ETHERNET, no_content_has_body},
    {"rule-205-has-content", PW_PCAP_NS, PW_LINK_ETHERNET, r_205_has_content},
    {"rule-body-truncated", PW_PCAP_NS, PW_LINK_ETHERNET, body_truncated},
    {"rule-obs-fold", PW_PCAP_NS, PW_LINK_ETHERNET, obs_fold},
    {"rule-parse-error", PW_PCAP_NS, PW_LINK_ETHERNET, parse_error},
    {"rule-redirect-missing-location", PW_PCAP_NS, PW_LINK_ETHERNET, redirect_missing_location},
    {"rule-206-missing-content-range", PW_PCAP_NS, PW_LINK_ETHERNET, r_206_missing_content_range},
    {"rule-401-missing-www-authenticate", PW_PCAP_NS, PW_LINK_ETHERNET, r_401_missing_www_authenticate},
    {"rule-405-missing-allow", PW_PCAP_NS, PW_LINK_ETHERNET, r_405_missing_allow},
    {"rule-407-missing-proxy-authenticate", PW_PCAP_NS, PW_LINK_ETHERNET, r_407_missing_proxy_authenticate},
    {"rule-408-missing-connection-close", PW_PCAP_NS, PW_LINK_ETHERNET, r_408_missing_connection_close},
    {"rule-416-missing-content-range", PW_PCAP_NS, PW_LINK_ETHERNET, r_416_missing_content_range},
    {"rule-426-missing-upgrade", PW_PCAP_NS, PW_LINK_ETHERNET, r_426_missing_upgrade},
    {"rule-missing-date", PW_PCAP_NS, PW_LINK_ETHERNET, missing_date},
    {"rule-retry-after-missing", PW_PCAP_NS, PW_LINK_ETHERNET, retry_after_missing},
    {"rule-response-without-request", PW_PCAP_NS, PW_LINK_ETHERNET, response_without_request},
    {"rule-request-without-response", PW_PCAP_NS, PW_LINK_ETHERNET, request_without_response},
};

/* Every case's clock starts at T0. */
static void reset_clock(void)
{
    now = T0;
}

int main(int argc, char **argv)
{
    return casegen_main("genrules", cases, sizeof cases / sizeof cases[0], reset_clock, argc,
                        argv);
}
