/*
 * fuzz_http.c - libFuzzer target for the HTTP session (http.h): one connection's bytes.
 * Owns: the input layout: byte 0 the session's setup (client side, which streams start
 *       at their first byte, store_headers, max_pending), byte 1 max_header_bytes, then
 *       records: a control byte (bit 0 the side; bits 1-2: 0-1 data with a 1-byte length,
 *       2 data with a 2-byte length, 3 an event: bits 3-5 say gap / big gap / set client /
 *       close / repeat, which feeds one chunk up to 256 times so that caps are reached)
 *       and the bytes. Each chunk goes to http_data() in a buffer of its exact size.
 * Out:  crashes on bad memory (every string of every txn is read, every txn goes
 *       through rules_check as in the pipeline) or a broken contract.
 * Never: keeps state between inputs.
 */
#include <string.h>

#include "fuzz.h"
#include "http.h"
#include "rules.h"

#define CONN_ID 7

static const uint32_t pendings[8] = {1, 2, 3, 4, 8, 16, 64, 1024};

struct run {
    struct http_session *s;
    uint32_t emitted;    /* txns received by on_txn */
    uint32_t truncated, truncated_with_status; /* of those, flagged truncated; answered */
    int64_t now_ns;
    uint64_t fed;        /* bytes given to http_data, both sides */
    uint64_t lost;       /* bytes declared lost through http_gap, both sides */
    uint64_t accounted;  /* header and wire body bytes of the txns so far */
    uint32_t uri_max;    /* the session's max_uri_bytes (0: TXN_URI_MAX - 1) */
    struct http_limit_hits hits; /* the session counts its limits here */
};

/* strlen of a txn string, which must exist and stay under its cap. */
static size_t touch(const char *s, size_t cap)
{
    FUZZ_CHECK(s != NULL);
    size_t n = strlen(s);
    FUZZ_CHECK(n < cap);
    return n;
}

static void touch_strings(const struct txn *t)
{
    touch(t->method, TXN_METHOD_MAX);
    touch(t->host, TXN_HOST_MAX);
    touch(t->uri, TXN_URI_MAX);
    touch(t->user_agent, TXN_VALUE_MAX);
    touch(t->request_id, TXN_VALUE_MAX);
    touch(t->reason, TXN_REASON_MAX);
    touch(t->content_type, TXN_VALUE_MAX);
    touch(t->content_encoding, TXN_VALUE_MAX);
    touch(t->server, TXN_VALUE_MAX);
    touch(t->location, TXN_LOCATION_MAX);
    touch(t->request_error, TXN_ERROR_MAX);
    touch(t->response_error, TXN_ERROR_MAX);
    touch(t->facts.req_upgrade, TXN_VALUE_MAX);
    touch(t->facts.resp_upgrade, TXN_VALUE_MAX);
    FUZZ_CHECK(t->n_headers == 0 || t->headers != NULL);
    for (uint32_t i = 0; i < t->n_headers; i++) {
        touch(t->headers[i].name, SIZE_MAX);
        touch(t->headers[i].value, SIZE_MAX);
        FUZZ_CHECK(t->headers[i].is_response <= 1);
    }
}

static void on_txn(void *user, struct txn *t)
{
    struct run *u = user;
    u->emitted++;
    u->truncated += (t->flags & TXN_TRUNCATED) != 0;
    u->truncated_with_status += (t->flags & TXN_TRUNCATED) && t->has_response;
    FUZZ_CHECK(t->connection_id == CONN_ID);
    FUZZ_CHECK(t->seq == u->emitted);
    FUZZ_CHECK(t->n_interim <= TXN_MAX_INTERIM);
    if (t->request_complete)
        FUZZ_CHECK(t->request_start_ns <= t->request_end_ns);
    if (t->response_complete)
        FUZZ_CHECK(t->response_start_ns <= t->response_end_ns);
    FUZZ_CHECK(t->request_end_ns <= u->now_ns && t->response_end_ns <= u->now_ns);
    FUZZ_CHECK(t->request_end_ns == 0 || t->request_end_ns >= t->request_start_ns);
    FUZZ_CHECK(t->response_end_ns == 0 || t->response_end_ns >= t->response_start_ns);
    /* store.c writes no response fields without has_response: none may be lost there */
    FUZZ_CHECK(t->has_response || t->status == 0);
    FUZZ_CHECK(t->has_request || t->method[0] == '\0');
    /* No byte is counted in two messages, nor one that never came. */
    u->accounted += t->request_header_bytes + t->request_body_wire_bytes +
                    t->response_header_bytes + t->response_body_wire_bytes;
    FUZZ_CHECK(u->accounted <= u->fed + u->lost);
    FUZZ_CHECK(t->request_body_bytes <= t->request_body_wire_bytes);
    FUZZ_CHECK(t->response_body_bytes <= t->response_body_wire_bytes);
    touch_strings(t);
    FUZZ_CHECK(strlen(t->uri) <= (u->uri_max ? u->uri_max : TXN_URI_MAX - 1));
    FUZZ_CHECK(u->hits.pending <= u->emitted); /* each one pushed out was emitted */
    struct txn_violations v;
    rules_check(t, &v);
    FUZZ_CHECK(v.n <= TXN_MAX_VIOLATIONS);
    for (unsigned i = 0; i < v.n; i++) {
        FUZZ_CHECK(rules_get((enum rule_id)v.v[i].rule) != NULL);
        touch(v.v[i].detail, TXN_DETAIL_MAX);
    }
}

/* One chunk of want bytes (what is left of the input at most), fed times times. */
static void data(struct run *u, struct fuzz_in *in, int side, size_t want, unsigned times)
{
    size_t n;
    uint8_t *p = fuzz_take(in, want, &n);
    for (unsigned i = 0; i < times; i++) {
        u->fed += n;
        http_data(u->s, side, p, n, u->now_ns);
        u->now_ns += 1000;
    }
    free(p);
}

/* An event record; returns 1 when the session was closed. */
static int event(struct run *u, struct fuzz_in *in, unsigned ctl)
{
    int side = ctl & 1;
    switch (ctl >> 3 & 7) {
    case 0:
    case 1: {
        uint64_t bytes = (ctl >> 3 & 7) == 0 ? fuzz_u16(in) : (uint64_t)fuzz_u32(in) << 8;
        u->lost += bytes;
        http_gap(u->s, side, bytes, u->now_ns);
        return 0;
    }
    case 2:
        http_set_client(u->s, side);
        FUZZ_CHECK(http_client_side(u->s) >= 0);
        return 0;
    case 3:
        return 1;
    default: {
        unsigned times = fuzz_u8(in) + 1;
        data(u, in, side, fuzz_u8(in), times);
        return 0;
    }
    }
}

static struct http_session *open_session(struct run *u, struct fuzz_in *in)
{
    unsigned setup = fuzz_u8(in);
    unsigned hdr = fuzz_u8(in);
    static const int clients[4] = {-1, 0, 1, -1};
    struct http_config cfg = {
        .store_headers = (uint8_t)(setup >> 4 & 1),
        .max_pending = pendings[setup >> 5 & 7],
        .max_stored_header_bytes = hdr == 255 ? 65536 : hdr * 16,
        /* the limits of limits_table.h, small enough to be reached, or off */
        .max_header_section = (hdr & 7) ? 40u << (hdr & 7) : 0,
        .max_headers = (hdr >> 3 & 3) * 3,
        .max_uri_bytes = (hdr >> 5) ? 4u << (hdr >> 5) : 0,
        .hits = &u->hits,
    };
    u->uri_max = cfg.max_uri_bytes;
    struct http_events ev = {on_txn, u};
    const uint8_t saw_start[2] = {(uint8_t)(setup >> 2 & 1), (uint8_t)(setup >> 3 & 1)};
    return http_open(&cfg, &ev, CONN_ID, clients[setup & 3], saw_start);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
    struct fuzz_in in = {buf, size};
    struct run u = {.now_ns = 1000};
    u.s = open_session(&u, &in);
    if (!u.s)
        return 0;
    int closing = 0;
    while (in.left > 0 && !closing) {
        unsigned ctl = fuzz_u8(&in);
        u.now_ns += 1000;
        unsigned op = ctl >> 1 & 3;
        if (op < 2)
            data(&u, &in, ctl & 1, fuzz_u8(&in), 1);
        else if (op == 2)
            data(&u, &in, ctl & 1, fuzz_u16(&in), 1);
        else
            closing = event(&u, &in, ctl);
        FUZZ_CHECK(strcmp(http_protocol_name(http_protocol(u.s)), "unknown") != 0 ||
                   http_protocol(u.s) == HTTP_PROTO_UNKNOWN);
    }
    u.now_ns += 1000;
    struct http_counts counts = {0, 0, 0};
    http_close(u.s, u.now_ns, &counts);
    FUZZ_CHECK(counts.transactions == u.emitted && counts.truncated == u.truncated &&
               counts.truncated_with_status == u.truncated_with_status);
    return 0;
}
