/*
 * geninject.c - writes a capture whose wire strings are SQL injection attempts, for
 * tests/e2e/test_db_faults.py (stored verbatim, no table dropped, reports still work).
 * Owns: the bytes and times of one case, "inject": 4 exchanges with 198.51.100.30:80 whose
 *       URI, Host, User-Agent and X-Request-Id carry quotes, backslashes, a tab,
 *       `'); DROP TABLE transactions; --` and `"; DELETE FROM connections; --`; the third
 *       also carries the control bytes 0x01 and 0x1f, which llhttp refuses in a field
 *       value (a parse-error). The test holds the same strings, in the same order.
 * In:   an output directory. Out: OUTDIR/inject.pcap.
 * Never: runs httpcap or reads anything back.
 */
#include <stdio.h>
#include <string.h>

#include "casegen.h"
#include "pcapw.h"

#define T0 1700000000000000000LL /* 2023-11-14T22:13:20Z */
#define SEC 1000000000LL
#define CLI "192.0.2.77"
#define SRV "198.51.100.30"

/* One exchange's request fields, as they go on the wire. */
struct inject {
    const char *uri, *host, *user_agent, *request_id;
};

static const struct inject exchanges[] = {
    {"/x');%20DROP%20TABLE%20transactions;%20--", "db'\"\\.example",
     "\"; DELETE FROM connections; --", "rid-'); DROP TABLE transactions; --"},
    {"/x');DROP/**/TABLE/**/transactions;--", "\"; DELETE FROM connections; --",
     "ua\\'\"\\\\\tafter-tab", "rid-\\\"'\\x00-not-a-nul"},
    {"/q?id=1'%20OR%20'1'='1&u=\\\"", "ctl\x01\x1f.example",
     "ctl\x01-\x1f-end", "rid\x01\"; DELETE FROM connections; --\x1f"},
    {"/'||(SELECT%20sqlite_version())||'", "x');DROP TABLE headers;--",
     "Robert'); DROP TABLE transactions;--", "\\'\\\"\\\\"},
};

static void sends(struct pw_conn *c, int from_client, const char *s, int64_t t)
{
    pw_send(c, from_client, s, (uint32_t)strlen(s), t);
}

/* One connection, one request with e's strings, one 200 response. */
static void exchange(struct pw_file *f, uint16_t port, const struct inject *e, int64_t t)
{
    char req[1024];
    struct pw_conn c;
    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nX-Request-Id: %s\r\n\r\n", e->uri,
             e->host, e->user_agent, e->request_id);
    pw_conn_init(&c, f, CLI, port, SRV, 80);
    pw_handshake(&c, t);
    sends(&c, 1, req, t + SEC / 100);
    pw_ack(&c, 0, t + SEC / 50);
    sends(&c, 0,
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
          t + SEC / 10);
    pw_ack(&c, 1, t + SEC / 5);
    pw_teardown(&c, 1, t + SEC / 2);
}

static void inject(struct pw_file *f)
{
    for (size_t i = 0; i < sizeof exchanges / sizeof exchanges[0]; i++)
        exchange(f, (uint16_t)(41000 + i), &exchanges[i], T0 + (int64_t)i * SEC);
}

static const struct casegen_case cases[] = {
    {"inject", PW_PCAP_US, PW_LINK_ETHERNET, inject},
};

int main(int argc, char **argv)
{
    return casegen_main("geninject", cases, sizeof cases / sizeof cases[0], NULL, argc, argv);
}
