/*
 * test_flow.c - the connection table, driven through flow.h with hand-made segments.
 * Every event is written to one log line, so a test states the whole story it
 * expects: opens, data and gaps per side, closes and why. Payloads sit at the end
 * of a guard page.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "guard.h"
#include "testhelp.h"

#define A 1 /* host 10.0.0.1 */
#define B 2 /* host 10.0.0.2 */
#define SEC 1000000000LL

/* ---- recorder ---- */

struct rec {
    char log[8192];
    size_t log_len;
    uint64_t next_id;
    struct flow_conn *last_open;
    uint64_t closed_packets[2]; /* counters seen by the last close */
    uint64_t closed_bytes[2];
    int closes;
    int after_close;  /* events for a connection after its close */
    uint64_t closed_ids[64];
};

static struct rec R;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>
static void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(R.log + R.log_len, sizeof(R.log) - R.log_len, fmt, ap);
    va_end(ap);
    if (k > 0)
        R.log_len += (size_t)k < sizeof(R.log) - R.log_len ? (size_t)k
                                                           : sizeof(R.log) - 1 - R.log_len;
}

static int was_closed(uint64_t id)
{
    for (int i = 0; i < R.closes && i < 64; i++) {
        if (R.closed_ids[i] == id)
            return 1;
    }
    return 0;
}

static void ev_open(void *user, struct flow_conn *c)
{
    (void)user;
    c->id = ++R.next_id;
    R.last_open = c;
    logf_("O%llu(c%d) ", (unsigned long long)c->id, c->client);
}

static void ev_data(void *user, struct flow_conn *c, int side, const uint8_t *p, size_t n,
                    int64_t ts)
{
    (void)user;
    (void)ts;
    if (was_closed(c->id))
        R.after_close++;
    logf_("D%llu.%d[%.*s] ", (unsigned long long)c->id, side, (int)n, (const char *)p);
}

static void ev_gap(void *user, struct flow_conn *c, int side, uint64_t bytes, int64_t ts)
{
    (void)user;
    (void)ts;
    if (was_closed(c->id))
        R.after_close++;
    logf_("G%llu.%d<%llu> ", (unsigned long long)c->id, side, (unsigned long long)bytes);
}

static void ev_close(void *user, struct flow_conn *c, enum flow_end why, int64_t ts)
{
    (void)user;
    (void)ts;
    if (was_closed(c->id))
        R.after_close++;
    logf_("C%llu:%s ", (unsigned long long)c->id, flow_end_name(why));
    for (int i = 0; i < 2; i++) {
        R.closed_packets[i] = c->packets[i];
        R.closed_bytes[i] = c->bytes[i];
    }
    if (R.closes < 64)
        R.closed_ids[R.closes] = c->id;
    R.closes++;
    if (R.last_open == c)
        R.last_open = NULL;
}

static const struct flow_events EV = {ev_open, ev_data, ev_gap, ev_close, NULL, NULL};

static struct flow_table *make(uint32_t max_conns, int64_t idle_ns)
{
    memset(&R, 0, sizeof(R));
    struct flow_config cfg = {max_conns, idle_ns, 1 << 20, 0, 0};
    struct flow_table *t = flow_create(&cfg, &EV);
    CHECK(t != NULL);
    return t;
}

/* ---- segments ---- */

/* A segment into the table, with its hash as the pipeline computes it. */
static void feed(struct flow_table *t, const struct segment *s)
{
    flow_input(t, s, flow_hash(t, s));
}

static void addr4(uint8_t out[16], int host)
{
    memset(out, 0, 16);
    out[0] = 10;
    out[3] = (uint8_t)host;
}

/* One IPv4 segment from host:sport to host:dport, its payload on a guard page. */
static void send4(struct flow_table *t, int64_t ts, int src, uint16_t sport, int dst,
                  uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
    struct segment s;
    memset(&s, 0, sizeof(s));
    s.ts_ns = ts;
    s.ip_version = 4;
    addr4(s.src, src);
    addr4(s.dst, dst);
    s.sport = sport;
    s.dport = dport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    size_t n = data ? strlen(data) : 0;
    s.payload = n ? guard_copy(data, n) : NULL;
    s.payload_len = (uint32_t)n;
    feed(t, &s);
}

#define SYN TCP_SYN
#define ACK TCP_ACK
#define FIN TCP_FIN
#define RST TCP_RST
#define PSH TCP_PSH

/* ---- tests ---- */

static void ev_warm(void *user, const struct flow_conn *c, int side)
{
    (void)user;
    logf_("W%llu.%d ", (unsigned long long)c->id, side);
}

/* The warm hint comes for each segment with payload of a connection already known, just
 * before its data (or queueing); never for the segment that opens a connection, nor for
 * one without payload. */
static void test_warm(void)
{
    struct flow_events ev = EV;
    ev.warm = ev_warm;
    memset(&R, 0, sizeof(R));
    struct flow_config cfg = {100, 60 * SEC, 1 << 20, 0, 0};
    struct flow_table *t = flow_create(&cfg, &ev);
    CHECK(t != NULL);
    if (!t)
        return;
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 101, 501, ACK, NULL);
    send4(t, 4, A, 40000, B, 80, 101, 501, ACK | PSH, "GET / HTTP/1.1\r\n\r\n");
    send4(t, 5, B, 80, A, 40000, 501, 119, ACK, NULL);
    send4(t, 6, B, 80, A, 40000, 506, 119, ACK | PSH, "1.1 200 OK\r\n\r\n"); /* early */
    send4(t, 7, B, 80, A, 40000, 501, 119, ACK | PSH, "HTTP/");
    send4(t, 8, A, 40000, B, 80, 119, 520, FIN | ACK, NULL);
    send4(t, 9, B, 80, A, 40000, 520, 120, FIN | ACK, NULL);
    /* no SYN: the first data segment opens the connection, the next one is warmed */
    send4(t, 10, A, 40001, B, 80, 7, 9, ACK | PSH, "a");
    send4(t, 11, A, 40001, B, 80, 8, 9, ACK | PSH, "b");
    CHECK_STR(R.log, "O1(c0) W1.0 D1.0[GET / HTTP/1.1\r\n\r\n] W1.1 W1.1 D1.1[HTTP/] "
                     "D1.1[1.1 200 OK\r\n\r\n] C1:fin O2(c-1) D2.0[a] W2.0 D2.0[b] ");
    flow_destroy(t);
}

static void test_handshake_fin(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    struct flow_stats st;
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    CHECK(R.last_open != NULL);
    CHECK(R.last_open && R.last_open->half[0].saw_syn && !R.last_open->half[1].saw_syn);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    CHECK(R.last_open && R.last_open->half[1].saw_syn);
    send4(t, 3, A, 40000, B, 80, 101, 501, ACK, NULL);
    send4(t, 4, A, 40000, B, 80, 101, 501, ACK | PSH, "GET / HTTP/1.1\r\n\r\n");
    send4(t, 5, B, 80, A, 40000, 501, 119, ACK | PSH, "HTTP/1.1 200 OK\r\n\r\n");
    send4(t, 6, A, 40000, B, 80, 119, 520, FIN | ACK, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 1);
    send4(t, 7, B, 80, A, 40000, 520, 120, FIN | ACK, NULL);
    CHECK_STR(R.log, "O1(c0) D1.0[GET / HTTP/1.1\r\n\r\n] D1.1[HTTP/1.1 200 OK\r\n\r\n] C1:fin ");
    CHECK_INT(R.closed_packets[0], 4);
    CHECK_INT(R.closed_packets[1], 3);
    CHECK_INT(R.closed_bytes[0], 18);
    CHECK_INT(R.closed_bytes[1], 19);
    /* The last ACK belongs to a closed connection: ignored, no new one. */
    send4(t, 8, A, 40000, B, 80, 120, 521, ACK, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.opened, 1);
    CHECK_INT(st.closed[FLOW_END_FIN], 1);
    CHECK_INT(st.active, 0);
    CHECK_INT(st.peak_active, 1);
    CHECK_INT(st.ignored_segments, 1);
    CHECK_INT(R.after_close, 0);
    flow_destroy(t);
}

static void test_synack_first(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    /* The capture missed the SYN: the SYN+ACK's sender is the server. */
    send4(t, 1, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    CHECK_STR(R.log, "O1(c1) ");
    struct flow_conn *c = R.last_open;
    CHECK(c && c->half[0].saw_syn && c->half[1].saw_syn); /* client ISN from the ACK */
    CHECK(c && c->port[0] == 80 && c->port[1] == 40000);
    send4(t, 2, A, 40000, B, 80, 101, 501, ACK, "req");
    send4(t, 3, B, 80, A, 40000, 501, 104, ACK, "resp");
    CHECK_STR(R.log, "O1(c1) D1.1[req] D1.0[resp] ");
    flow_flush_all(t, 10);
    CHECK_STR(R.log, "O1(c1) D1.1[req] D1.0[resp] C1:end-of-capture ");
    flow_destroy(t);
}

static void test_no_syn(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    /* Mid-connection: the first packet seen (server data) makes side 0; client unknown. */
    send4(t, 1, B, 80, A, 40000, 7000, 3000, ACK, "HTTP/1.1 200");
    CHECK_STR(R.log, "O1(c-1) D1.0[HTTP/1.1 200] ");
    struct flow_conn *c = R.last_open;
    CHECK(c && c->client == -1 && !c->saw_syn);
    if (c) {
        flow_set_client(c, 1);
        CHECK_INT(c->client, 1);
        flow_set_client(c, 7); /* not a side: ignored */
        CHECK_INT(c->client, 1);
    }
    send4(t, 2, A, 40000, B, 80, 3000, 7012, ACK, "GET");
    send4(t, 3, B, 80, A, 40000, 7012, 3003, ACK, " OK");
    CHECK_STR(R.log, "O1(c-1) D1.0[HTTP/1.1 200] D1.1[GET] D1.0[ OK] ");
    flow_destroy(t);
}

static void test_rst(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 101, 501, ACK, "aaa");
    send4(t, 4, A, 40000, B, 80, 110, 501, ACK, "ccc"); /* [104,110) never captured */
    CHECK_STR(R.log, "O1(c0) D1.0[aaa] ");
    /* The RST closes it; first the queue is delivered, holes as gaps. */
    send4(t, 5, B, 80, A, 40000, 501, 0, RST, NULL);
    CHECK_STR(R.log, "O1(c0) D1.0[aaa] G1.0<6> D1.0[ccc] C1:rst ");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.closed[FLOW_END_RST], 1);
    CHECK_INT(st.active, 0);
    flow_destroy(t);
}

static void test_gap_by_ack(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 101, 501, ACK, "0123456789");
    send4(t, 4, A, 40000, B, 80, 121, 501, ACK, "KLMNOPQRST"); /* [111,121) lost */
    CHECK_STR(R.log, "O1(c0) D1.0[0123456789] ");
    /* The server's ACK covers the hole: it is a gap of side 0 now. */
    send4(t, 5, B, 80, A, 40000, 501, 131, ACK, NULL);
    CHECK_STR(R.log, "O1(c0) D1.0[0123456789] G1.0<10> D1.0[KLMNOPQRST] ");
    /* Data in the FIN segment, the FIN ACKed: no gap at the end. */
    send4(t, 6, A, 40000, B, 80, 131, 501, FIN | ACK, "end");
    send4(t, 7, B, 80, A, 40000, 501, 135, ACK, NULL);
    send4(t, 8, B, 80, A, 40000, 501, 135, FIN | ACK, "bye");
    CHECK_STR(R.log, "O1(c0) D1.0[0123456789] G1.0<10> D1.0[KLMNOPQRST] D1.0[end] "
                     "D1.1[bye] C1:fin ");
    flow_destroy(t);
}

static void test_fin_with_hole(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    /* The client half-closes; the server's last data segment before its FIN is missing. */
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 101, 501, FIN | ACK, "GET");
    send4(t, 4, B, 80, A, 40000, 501, 105, ACK, "aaaa");
    send4(t, 5, B, 80, A, 40000, 509, 105, FIN | ACK, "cccc"); /* [505,509) not yet seen */
    CHECK_STR(R.log, "O1(c0) D1.0[GET] D1.1[aaaa] ");
    /* The retransmission fills the hole: everything is delivered, then it closes. */
    send4(t, 6, B, 80, A, 40000, 505, 105, ACK, "bbbb");
    CHECK_STR(R.log, "O1(c0) D1.0[GET] D1.1[aaaa] D1.1[bbbb] D1.1[cccc] C1:fin ");
    flow_destroy(t);

    /* Never retransmitted: the client's ACK of the FIN settles it as a gap. */
    t = make(100, 60 * SEC);
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 101, 501, FIN | ACK, "GET");
    send4(t, 4, B, 80, A, 40000, 501, 105, ACK, "aaaa");
    send4(t, 5, B, 80, A, 40000, 509, 105, FIN | ACK, "cccc");
    send4(t, 6, A, 40000, B, 80, 105, 514, ACK, NULL);
    CHECK_STR(R.log, "O1(c0) D1.0[GET] D1.1[aaaa] G1.1<4> D1.1[cccc] C1:fin ");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.ignored_segments, 0);
    flow_destroy(t);

    /* Neither: the end of the capture closes it, still as a FIN close. */
    t = make(100, 60 * SEC);
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, B, 80, A, 40000, 500, 101, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 101, 501, FIN | ACK, "GET");
    send4(t, 4, B, 80, A, 40000, 509, 105, FIN | ACK, "cccc");
    flow_flush_all(t, 9);
    CHECK_STR(R.log, "O1(c0) D1.0[GET] G1.1<8> D1.1[cccc] C1:fin ");
    flow_get_stats(t, &st);
    CHECK_INT(st.closed[FLOW_END_FIN], 1);
    CHECK_INT(st.closed[FLOW_END_CAPTURE_END], 0);
    flow_destroy(t);
}

static void test_tfo(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    /* TCP Fast Open: data in the SYN starts at isn + 1, after open. */
    send4(t, 1, A, 40000, B, 80, 0xffffffffu, 0, SYN, "GET /");
    send4(t, 2, B, 80, A, 40000, 500, 5, SYN | ACK, NULL);
    send4(t, 3, A, 40000, B, 80, 5, 501, ACK, " HTTP/1.1");
    CHECK_STR(R.log, "O1(c0) D1.0[GET /] D1.0[ HTTP/1.1] ");
    /* The SYN retransmitted with its data is no port reuse and no new data. */
    send4(t, 4, A, 40000, B, 80, 0xffffffffu, 0, SYN, "GET /");
    CHECK_STR(R.log, "O1(c0) D1.0[GET /] D1.0[ HTTP/1.1] ");
    flow_destroy(t);
}

static void test_idle_timeout(void)
{
    struct flow_table *t = make(100, 10 * SEC);
    send4(t, 0, A, 1001, B, 80, 1, 0, SYN, NULL);         /* conn 1 */
    send4(t, 5 * SEC, A, 1002, B, 80, 1, 0, SYN, NULL);   /* conn 2 */
    send4(t, 6 * SEC, B, 80, A, 1001, 9, 2, SYN | ACK, NULL); /* conn 1 active again */
    /* At 15.5 s conn 2 has been idle 10.5 s, conn 1 only 9.5 s. */
    send4(t, 15 * SEC + SEC / 2, A, 1003, B, 80, 1, 0, SYN, NULL);
    CHECK_STR(R.log, "O1(c0) O2(c0) C2:timeout O3(c0) ");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.closed[FLOW_END_TIMEOUT], 1);
    CHECK_INT(st.active, 2);
    /* Time going backwards closes nothing. */
    send4(t, 1, A, 1004, B, 80, 1, 0, SYN, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 3);
    /* An absurd time far ahead closes all idle ones without overflow. */
    send4(t, INT64_MAX, A, 1005, B, 80, 1, 0, SYN, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 1);
    CHECK_INT(st.closed[FLOW_END_TIMEOUT], 4);
    send4(t, INT64_MIN, A, 1006, B, 80, 1, 0, SYN, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 2);
    flow_destroy(t);

    /* A timeout of 0 never closes anything. */
    t = make(100, 0);
    send4(t, 0, A, 1001, B, 80, 1, 0, SYN, NULL);
    send4(t, 1000 * SEC, A, 1002, B, 80, 1, 0, SYN, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 2);
    flow_destroy(t);
}

static void test_eviction(void)
{
    struct flow_table *t = make(2, 60 * SEC);
    send4(t, 1, A, 1001, B, 80, 1, 0, SYN, NULL);
    send4(t, 2, A, 1002, B, 80, 1, 0, SYN, NULL);
    send4(t, 3, A, 1001, B, 80, 2, 0, ACK, "x"); /* conn 1 is the most recent now */
    send4(t, 4, A, 1003, B, 80, 1, 0, SYN, NULL);
    CHECK_STR(R.log, "O1(c0) O2(c0) D1.0[x] C2:evicted O3(c0) ");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.closed[FLOW_END_EVICTED], 1);
    CHECK_INT(st.active, 2);
    CHECK_INT(st.peak_active, 2);
    CHECK_INT(st.opened, 3);
    flow_destroy(t);

    /* max_conns 0 still holds one connection. */
    t = make(0, 60 * SEC);
    send4(t, 1, A, 1001, B, 80, 1, 0, SYN, NULL);
    send4(t, 2, A, 1002, B, 80, 1, 0, SYN, NULL);
    CHECK_STR(R.log, "O1(c0) C1:evicted O2(c0) ");
    flow_destroy(t);
}

static void test_port_reuse(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    send4(t, 1, A, 40000, B, 80, 100, 0, SYN, NULL);
    send4(t, 2, A, 40000, B, 80, 777, 0, SYN, NULL); /* a new attempt before any data */
    send4(t, 3, B, 80, A, 40000, 500, 778, SYN | ACK, NULL);
    send4(t, 4, A, 40000, B, 80, 778, 501, ACK, "one");
    send4(t, 5, A, 40000, B, 80, 777, 0, SYN, NULL); /* same ISN again: a retransmission */
    CHECK_STR(R.log, "O1(c0) D1.0[one] ");
    /* A SYN with a new ISN after data: the ports carry a new connection. */
    send4(t, 6, A, 40000, B, 80, 9000, 0, SYN, NULL);
    send4(t, 7, B, 80, A, 40000, 100, 9001, SYN | ACK, NULL);
    send4(t, 8, A, 40000, B, 80, 9001, 101, ACK, "two");
    CHECK_STR(R.log, "O1(c0) D1.0[one] C1:port-reused O2(c0) D2.0[two] ");
    /* The old connection's half-sent FIN state does not linger. */
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.closed[FLOW_END_REUSED], 1);
    CHECK_INT(st.active, 1);
    /* Reuse after only a FIN (no data), from the other side this time. */
    send4(t, 9, A, 40000, B, 80, 9004, 101, FIN | ACK, NULL);
    send4(t, 10, B, 80, A, 40000, 5555, 0, SYN, NULL);
    CHECK_STR(R.log, "O1(c0) D1.0[one] C1:port-reused O2(c0) D2.0[two] C2:port-reused O3(c0) ");
    CHECK(R.last_open && R.last_open->port[0] == 80);
    flow_destroy(t);

    /* Mid-connection start: a plain SYN from the side that never spoke is a new one. */
    t = make(100, 60 * SEC);
    send4(t, 1, A, 40000, B, 80, 300, 900, ACK, "old");
    send4(t, 2, B, 80, A, 40000, 42, 0, SYN, NULL);
    CHECK_STR(R.log, "O1(c-1) D1.0[old] C1:port-reused O2(c0) ");
    flow_destroy(t);
}

static void test_flush_all_order(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    send4(t, 1, A, 1001, B, 80, 1, 0, SYN, NULL);
    send4(t, 2, A, 1002, B, 80, 1, 0, SYN, NULL);
    send4(t, 3, A, 1003, B, 80, 1, 0, SYN, NULL);
    send4(t, 4, B, 80, A, 1001, 5, 2, SYN | ACK, NULL);
    send4(t, 5, A, 1002, B, 80, 2, 0, ACK, "q"); /* then [3,10) lost, [10,11) queued */
    send4(t, 6, A, 1002, B, 80, 10, 0, ACK, "z");
    flow_flush_all(t, 100);
    CHECK_STR(R.log, "O1(c0) O2(c0) O3(c0) D2.0[q] C3:end-of-capture C1:end-of-capture "
                     "G2.0<7> D2.0[z] C2:end-of-capture ");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.closed[FLOW_END_CAPTURE_END], 3);
    CHECK_INT(st.active, 0);
    CHECK_INT(R.after_close, 0);
    /* The table is usable afterwards. */
    send4(t, 200, A, 1001, B, 80, 1, 0, SYN, NULL);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 1);
    flow_destroy(t);
}

static void test_ignored(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    send4(t, 1, A, 1001, B, 80, 1, 2, ACK, NULL);
    send4(t, 2, A, 1001, B, 80, 1, 2, FIN | ACK, NULL);
    send4(t, 3, A, 1001, B, 80, 1, 0, RST, NULL);
    CHECK_STR(R.log, "");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.ignored_segments, 3);
    CHECK_INT(st.opened, 0);
    /* A segment whose payload was all cut by the snaplen does start one. */
    struct segment s;
    memset(&s, 0, sizeof(s));
    s.ip_version = 4;
    addr4(s.src, A);
    addr4(s.dst, B);
    s.sport = 1001;
    s.dport = 80;
    s.seq = 50;
    s.flags = ACK;
    s.payload_missing = 20;
    feed(t, &s);
    CHECK_STR(R.log, "O1(c-1) G1.0<20> ");
    CHECK(R.last_open && R.last_open->bytes[0] == 20);
    flow_destroy(t);
}

static void test_ipv6_and_sides(void)
{
    struct flow_table *t = make(100, 60 * SEC);
    struct segment s;
    memset(&s, 0, sizeof(s));
    s.ip_version = 6;
    s.src[0] = 0x20;
    s.src[1] = 0x01;
    s.src[15] = 9;
    s.dst[0] = 0x20;
    s.dst[1] = 0x01;
    s.dst[15] = 1;
    s.sport = 5555;
    s.dport = 8080;
    s.seq = 10;
    s.flags = SYN;
    feed(t, &s);
    s.flags = ACK;
    s.seq = 11;
    s.payload = guard_copy("v6 request", 10);
    s.payload_len = 10;
    feed(t, &s);
    /* The reply: addresses and ports swapped. */
    struct segment r = s;
    memcpy(r.src, s.dst, 16);
    memcpy(r.dst, s.src, 16);
    r.sport = s.dport;
    r.dport = s.sport;
    r.seq = 70;
    r.payload = guard_copy("v6 reply", 8);
    r.payload_len = 8;
    feed(t, &r);
    /* The same ports over IPv4 are another connection. */
    send4(t, 4, A, 5555, B, 8080, 11, 0, ACK, "v4");
    CHECK_STR(R.log, "O1(c0) D1.0[v6 request] D1.1[v6 reply] O2(c-1) D2.0[v4] ");
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 2);
    flow_destroy(t);
}

/* Many connections at once: the table grows, and every packet finds its own connection. */
static int many_bad;

static void many_open(void *user, struct flow_conn *c)
{
    (void)user;
    c->id = c->port[0];
}

static void many_data(void *user, struct flow_conn *c, int side, const uint8_t *p, size_t n,
                      int64_t ts)
{
    (void)user;
    (void)ts;
    /* The payload names the connection's client port. */
    char want[16];
    int k = snprintf(want, sizeof(want), "%u", (unsigned)(side == 0 ? c->port[0] : c->port[1]));
    if ((size_t)k != n || memcmp(p, want, n) != 0 || c->id != c->port[side == 0 ? 0 : 1])
        many_bad++;
}

static int many_closed;

static void many_close(void *user, struct flow_conn *c, enum flow_end why, int64_t ts)
{
    (void)user;
    (void)c;
    (void)ts;
    if (why == FLOW_END_CAPTURE_END)
        many_closed++;
}

static void test_many(void)
{
    struct flow_events ev = {many_open, many_data, NULL, many_close, NULL, NULL};
    struct flow_config cfg = {50000, 60 * SEC, 4096, 0, 0};
    struct flow_table *t = flow_create(&cfg, &ev);
    CHECK(t != NULL);
    if (!t)
        return;
    many_bad = 0;
    many_closed = 0;
    for (int round = 0; round < 2; round++) {
        for (unsigned port = 1024; port < 1024 + 30000; port++) {
            char msg[16];
            snprintf(msg, sizeof(msg), "%u", port);
            struct segment s;
            memset(&s, 0, sizeof(s));
            s.ts_ns = round;
            s.ip_version = 4;
            addr4(s.src, A);
            addr4(s.dst, B);
            s.sport = (uint16_t)port;
            s.dport = 80;
            s.seq = 1000 + (uint32_t)round * (uint32_t)strlen(msg);
            s.flags = ACK;
            s.payload = (const uint8_t *)msg;
            s.payload_len = (uint32_t)strlen(msg);
            feed(t, &s);
        }
    }
    struct flow_stats st;
    flow_get_stats(t, &st);
    CHECK_INT(st.opened, 30000);
    CHECK_INT(st.active, 30000);
    CHECK_INT(many_bad, 0);
    flow_flush_all(t, 5);
    CHECK_INT(many_closed, 30000);
    /* Callbacks left NULL are skipped. */
    flow_destroy(t);

    /* Destroying a table with live connections and queued data frees everything. */
    t = flow_create(&cfg, &ev);
    CHECK(t != NULL);
    if (!t)
        return;
    for (unsigned port = 2000; port < 2100; port++) {
        struct segment s;
        memset(&s, 0, sizeof(s));
        s.ip_version = 4;
        addr4(s.src, A);
        addr4(s.dst, B);
        s.sport = (uint16_t)port;
        s.dport = 80;
        s.seq = 1;
        s.flags = ACK;
        s.payload = (const uint8_t *)"ab";
        s.payload_len = 2;
        feed(t, &s);
        s.seq = 100; /* queued out of order */
        feed(t, &s);
    }
    flow_destroy(t);
    flow_destroy(NULL);
}

/* Random segments over a few tuples with every flag mix: the lifecycle stays sound. */
#define RND_MAX_IDS 200000
static uint8_t rnd_state_of[RND_MAX_IDS]; /* 0 unseen, 1 open, 2 closed */
static uint64_t rnd_ids;
static int rnd_bad;

static void rnd_open(void *user, struct flow_conn *c)
{
    (void)user;
    c->id = ++rnd_ids;
    if (c->id < RND_MAX_IDS)
        rnd_state_of[c->id] = 1;
}

static void rnd_data(void *user, struct flow_conn *c, int side, const uint8_t *p, size_t n,
                     int64_t ts)
{
    (void)user;
    (void)ts;
    if (c->id >= RND_MAX_IDS || rnd_state_of[c->id] != 1 || (side != 0 && side != 1) || !n ||
        !p)
        rnd_bad++;
}

static void rnd_gap(void *user, struct flow_conn *c, int side, uint64_t bytes, int64_t ts)
{
    (void)user;
    (void)ts;
    if (c->id >= RND_MAX_IDS || rnd_state_of[c->id] != 1 || (side != 0 && side != 1) || !bytes)
        rnd_bad++;
}

static void rnd_close(void *user, struct flow_conn *c, enum flow_end why, int64_t ts)
{
    (void)user;
    (void)ts;
    if (c->id >= RND_MAX_IDS || rnd_state_of[c->id] != 1 || (unsigned)why >= FLOW_END_COUNT)
        rnd_bad++;
    else
        rnd_state_of[c->id] = 2;
}

static void test_random(void)
{
    struct flow_events ev = {rnd_open, rnd_data, rnd_gap, rnd_close, NULL, NULL};
    struct flow_config cfg = {6, 2 * SEC, 3000, 0, 0};
    struct flow_table *t = flow_create(&cfg, &ev);
    CHECK(t != NULL);
    if (!t)
        return;
    uint64_t x = 88172645463325252ULL;
    static const uint8_t flag_mix[] = {SYN, SYN | ACK, ACK, ACK | PSH, FIN | ACK, RST,
                                       RST | ACK, ACK, ACK, ACK | PSH, SYN | FIN, 0};
    uint32_t base[2][16];
    for (int h = 0; h < 2; h++) {
        for (int i = 0; i < 16; i++)
            base[h][i] = (uint32_t)(i * 0x10000000u + 0xffff0000u);
    }
    char payload[1600];
    memset(payload, 'p', sizeof(payload));
    int64_t ts = 0;
    struct flow_stats st;
    int counts_ok = 1;
    for (int i = 0; i < 60000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int from = (int)(x & 1);
        int port = (int)((x >> 1) % 12);
        uint8_t flags = flag_mix[(x >> 8) % sizeof(flag_mix)];
        uint32_t len = (uint32_t)((x >> 16) % 4 == 0 ? 0 : (x >> 20) % 1500);
        uint32_t seq = base[from][port] + (uint32_t)((x >> 32) % 3000);
        uint32_t ack = base[1 - from][port] + (uint32_t)((x >> 44) % 3000);
        if ((x >> 56) % 5 == 0)
            base[from][port] += len;
        ts += (int64_t)((x >> 40) % (SEC / 4));
        if ((x >> 24) % 500 == 0)
            ts += 3 * SEC; /* a quiet spell: everything times out */
        payload[len] = 0;
        struct segment s;
        memset(&s, 0, sizeof(s));
        s.ts_ns = ts;
        s.ip_version = 4;
        addr4(s.src, from ? B : A);
        addr4(s.dst, from ? A : B);
        s.sport = (uint16_t)(from ? 80 : 40000 + port);
        s.dport = (uint16_t)(from ? 40000 + port : 80);
        s.seq = seq;
        s.ack = ack;
        s.flags = flags;
        s.payload = len ? guard_copy(payload, len) : NULL;
        s.payload_len = len;
        s.payload_missing = (x >> 60) == 0 ? 100 : 0;
        payload[len] = 'p';
        feed(t, &s);
        flow_get_stats(t, &st);
        uint64_t closed = 0;
        for (int k = 0; k < FLOW_END_COUNT; k++)
            closed += st.closed[k];
        if (st.opened - closed != st.active || st.active > 6)
            counts_ok = 0;
    }
    CHECK(counts_ok);
    flow_flush_all(t, ts);
    flow_get_stats(t, &st);
    CHECK_INT(st.active, 0);
    CHECK(st.opened > 100);
    CHECK(st.closed[FLOW_END_EVICTED] > 0);
    CHECK(st.closed[FLOW_END_RST] > 0);
    CHECK(st.closed[FLOW_END_FIN] > 0);
    CHECK(st.closed[FLOW_END_REUSED] > 0);
    CHECK(st.closed[FLOW_END_TIMEOUT] > 0);
    CHECK_INT(rnd_bad, 0);
    int all_closed = 1;
    for (uint64_t id = 1; id <= rnd_ids && id < RND_MAX_IDS; id++) {
        if (rnd_state_of[id] != 2)
            all_closed = 0;
    }
    CHECK(all_closed);
    flow_destroy(t);
}

/* A segment between two IPv4 endpoints, only its tuple filled in. */
static struct segment tuple4(int src, uint16_t sport, int dst, uint16_t dport)
{
    struct segment s;
    memset(&s, 0, sizeof(s));
    s.ip_version = 4;
    addr4(s.src, src);
    addr4(s.dst, dst);
    s.sport = sport;
    s.dport = dport;
    return s;
}

/* The tuple hash: one value for both directions, the same in every table of one key (the
 * shares of a read agree), another under another key, and spread well over chains and
 * shares even when only the client port moves. */
static void test_hash(void)
{
    struct flow_config cfg = {1024, 0, 1 << 20, 0, 0x1234567890abcdefULL};
    struct flow_table *t1 = flow_create(&cfg, &EV);
    struct flow_table *t2 = flow_create(&cfg, &EV);
    cfg.hash_key = 0xfedcba0987654321ULL;
    struct flow_table *t3 = flow_create(&cfg, &EV);
    CHECK(t1 && t2 && t3);
    if (!t1 || !t2 || !t3)
        return;
    struct segment ab = tuple4(A, 40000, B, 80), ba = tuple4(B, 80, A, 40000);
    CHECK(flow_hash(t1, &ab) == flow_hash(t1, &ba));
    CHECK(flow_hash(t1, &ab) == flow_hash(t2, &ab));
    CHECK(flow_hash(t1, &ab) != flow_hash(t3, &ab));
    struct segment swapped = tuple4(A, 80, B, 40000); /* the ports on the other hosts */
    CHECK(flow_hash(t1, &ab) != flow_hash(t1, &swapped));
    struct segment v6 = ab;
    v6.ip_version = 6;
    CHECK(flow_hash(t1, &ab) != flow_hash(t1, &v6));

    enum { PORTS = 65536, CHAINS = 4096 };
    static uint16_t load[CHAINS];
    memset(load, 0, sizeof(load));
    uint32_t share1 = 0, most = 0;
    for (uint32_t port = 0; port < PORTS; port++) {
        struct segment s = tuple4(A, (uint16_t)port, B, 80);
        uint64_t h = flow_hash(t1, &s);
        uint16_t *slot = &load[(uint32_t)h % CHAINS];
        if (++*slot > most)
            most = *slot;
        share1 += flow_share(h, 2);
    }
    CHECK(most <= 40); /* 16 a chain on average; a fair hash stays far below 40 */
    CHECK(share1 > PORTS * 45 / 100 && share1 < PORTS * 55 / 100);
    CHECK(flow_share(flow_hash(t1, &ab), 1) == 0);
    CHECK(flow_share(UINT64_MAX, 3) < 3);
    CHECK(flow_random_key() != 0 && flow_random_key() != flow_random_key());
    flow_destroy(t1);
    flow_destroy(t2);
    flow_destroy(t3);
}

static void test_names(void)
{
    CHECK_STR(flow_end_name(FLOW_END_FIN), "fin");
    CHECK_STR(flow_end_name(FLOW_END_RST), "rst");
    CHECK_STR(flow_end_name(FLOW_END_TIMEOUT), "timeout");
    CHECK_STR(flow_end_name(FLOW_END_CAPTURE_END), "end-of-capture");
    CHECK_STR(flow_end_name(FLOW_END_EVICTED), "evicted");
    CHECK_STR(flow_end_name(FLOW_END_REUSED), "port-reused");
    CHECK_STR(flow_end_name(FLOW_END_COUNT), "unknown");
    CHECK_STR(flow_end_name((enum flow_end)-1), "unknown");
}

int main(void)
{
    test_handshake_fin();
    test_synack_first();
    test_no_syn();
    test_rst();
    test_gap_by_ack();
    test_fin_with_hole();
    test_tfo();
    test_idle_timeout();
    test_eviction();
    test_port_reuse();
    test_flush_all_order();
    test_ignored();
    test_ipv6_and_sides();
    test_many();
    test_random();
    test_hash();
    test_names();
    test_warm();
    guard_release();
    return TEST_REPORT();
}
