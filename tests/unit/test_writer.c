/*
 * test_writer.c - the writer thread: what goes in through writer_put_* comes out of SQLite
 * unchanged (every string member of struct txn, violations, --store-headers lines,
 * connections), in order, across many batches, with commits, syncs and a clean stop;
 * then several producer threads at once, one lane each (one lane left idle): every
 * record stored once, each lane's in the order it was put; and a failed insert, whose
 * partial rows no commit keeps.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dbfiles.h"
#include "rules.h"
#include "store.h"
#include "sqlcount.h"
#include "testhelp.h"
#include "writer.h"

#define N_TXN 20000 /* enough for several 512 KiB batches */

/* Fill s with n bytes of a pattern that depends on i, and a NUL. */
static void pattern(char *s, size_t n, unsigned i, char base)
{
    for (size_t k = 0; k < n; k++)
        s[k] = (char)(base + (char)((i + k) % 26));
    s[n] = '\0';
}

struct strings {
    char method[8], host[64], uri[TXN_URI_MAX], ua[TXN_VALUE_MAX], rid[40], reason[16];
    char ctype[32], location[TXN_LOCATION_MAX], detail[TXN_DETAIL_MAX];
    char hname[3][16], hvalue[3][64];
};

/* The i-th transaction: strings of varying length, up to their caps, some absent. */
static void make_txn(unsigned i, struct strings *x, struct txn *t, struct txn_violations *v,
                     struct txn_header h[3])
{
    memset(t, 0, sizeof *t);
    memset(v, 0, sizeof *v);
    snprintf(x->method, sizeof x->method, "%s", i % 3 ? "GET" : "POST");
    pattern(x->host, 1 + i % 60, i, 'a');
    pattern(x->uri, i % 97 == 0 ? TXN_URI_MAX - 1 : 1 + i % 300, i, 'A');
    x->uri[0] = '/';
    pattern(x->ua, i % 5 ? 20 : TXN_VALUE_MAX - 1, i, 'b');
    pattern(x->rid, i % 4 ? 36 : 0, i, 'c');
    snprintf(x->reason, sizeof x->reason, "%s", i % 7 ? "OK" : "");
    pattern(x->ctype, 10, i, 'd');
    pattern(x->location, i % 11 ? 0 : TXN_LOCATION_MAX - 1, i, 'e');
    t->connection_id = 1 + i / 10;
    t->seq = 1 + i % 10;
    t->has_request = t->has_response = 1;
    t->flags = i % 13 ? 0 : TXN_GAP | TXN_TRUNCATED;
    t->method = x->method;
    t->host = x->host;
    t->uri = x->uri;
    t->user_agent = x->ua;
    t->request_id = x->rid;
    t->req_major = t->resp_major = 1;
    t->req_minor = t->resp_minor = (uint8_t)(i % 2);
    t->request_complete = t->response_complete = 1;
    t->request_start_ns = 1700000000000000000LL + (int64_t)i * 1000;
    t->request_end_ns = t->request_start_ns + 10;
    t->response_start_ns = t->request_end_ns + 100 + i;
    t->response_end_ns = t->response_start_ns + 5;
    t->status = 200 + (int)(i % 5);
    t->reason = x->reason;
    t->response_body_bytes = i * 7u;
    t->content_type = x->ctype;
    t->content_encoding = "";
    t->server = i % 2 ? "nginx" : "";
    t->location = x->location;
    t->request_error = "";
    t->response_error = "";
    t->facts.req_upgrade = "";
    t->facts.resp_upgrade = "";
    if (i % 9 == 0) {
        v->n = 2;
        v->v[0].rule = RULE_STATUS_UNREGISTERED;
        pattern(v->v[0].detail, TXN_DETAIL_MAX - 1, i, 'f');
        v->v[1].rule = RULE_REASON_NONSTANDARD;
        snprintf(v->v[1].detail, sizeof v->v[1].detail, "detail %u", i);
    }
    if (i % 8 == 0) {
        for (int k = 0; k < 3; k++) {
            snprintf(x->hname[k], sizeof x->hname[k], "X-H%d", k);
            pattern(x->hvalue[k], 5 + (size_t)k * 20, i + (unsigned)k, 'g');
            h[k].is_response = (uint8_t)(k == 2);
            h[k].name = x->hname[k];
            h[k].value = x->hvalue[k];
        }
        t->headers = h;
        t->n_headers = 3;
    }
}

/* Column `col` of the transaction with id i + 1, as text ("" for NULL). */
static void column(sqlite3 *db, const char *col, unsigned i, char *out, size_t cap)
{
    char sql[128];
    sqlite3_stmt *q;
    snprintf(sql, sizeof sql, "SELECT %s FROM transactions WHERE id = %u", col, i + 1);
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
}


/* Every string of a few transactions, each compared with what went in. */
static void check_strings(sqlite3 *db)
{
    static const unsigned picks[] = {0, 1, 8, 9, 97, 1234, 9999, N_TXN - 1};
    static struct strings x;
    static char got[TXN_URI_MAX + 16];
    struct txn t;
    struct txn_violations v;
    struct txn_header h[3];
    for (size_t p = 0; p < sizeof picks / sizeof picks[0]; p++) {
        unsigned i = picks[p];
        make_txn(i, &x, &t, &v, h);
        column(db, "uri", i, got, sizeof got);
        CHECK_STR(got, x.uri);
        column(db, "host", i, got, sizeof got);
        CHECK_STR(got, x.host);
        column(db, "user_agent", i, got, sizeof got);
        CHECK_STR(got, x.ua);
        column(db, "coalesce(request_id, '')", i, got, sizeof got);
        CHECK_STR(got, x.rid);
        column(db, "coalesce(location, '')", i, got, sizeof got);
        CHECK_STR(got, x.location);
        column(db, "method || ' ' || status || ' ' || response_start_ns", i, got, sizeof got);
        char want[64];
        snprintf(want, sizeof want, "%s %d %lld", x.method, t.status,
                 (long long)t.response_start_ns);
        CHECK_STR(got, want);
        column(db, "flags", i, got, sizeof got);
        CHECK_STR(got, t.flags ? "gap,truncated" : "");
    }
}

/* A fresh database file name (the file itself removed). */
static int temp_path(char *path)
{
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(path);
    return 0;
}

/* A new store under a fresh temporary name with one capture begun: what a test writes
 * into. */
struct fixture {
    char path[64];
    struct store_capture cap;
    int64_t cid;
    struct store *st;
};

/* 0, or -1 when the store or its capture could not be made (the checks say so). */
static int fixture_open(struct fixture *f)
{
    char err[HTTPCAP_ERRBUF];
    snprintf(f->path, sizeof f->path, "/tmp/httpcap-test-writer-XXXXXX");
    if (temp_path(f->path) != 0)
        return -1;
    f->st = store_open(f->path, err);
    CHECK(f->st != NULL);
    if (!f->st)
        return -1;
    f->cap = (struct store_capture){.source = "test", .link_type = 1,
                                    .link_type_name = "EN10MB"};
    f->cid = store_capture_begin(f->st, &f->cap, err);
    CHECK(f->cid > 0);
    return 0;
}

static void test_one_lane(void)
{
    struct fixture f;
    if (fixture_open(&f) != 0)
        return;
    struct store *st = f.st;
    int64_t cid = f.cid;
    char err[HTTPCAP_ERRBUF];

    CHECK(writer_start(st, 0, err) == NULL);
    CHECK(writer_start(st, WRITER_MAX_LANES + 1, err) == NULL);
    struct writer *w = writer_start(st, 1, err);
    CHECK(w != NULL);
    if (!w)
        return;
    struct writer_lane *l = writer_lane(w, 0);
    static struct strings x;
    struct txn t;
    struct txn_violations v;
    struct txn_header h[3];
    int rc = 0;
    for (unsigned i = 0; i < N_TXN && rc == 0; i++) {
        make_txn(i, &x, &t, &v, h);
        rc = writer_put_txn(l, cid, &t, &v, err);
        if (i % 10 == 9) {
            struct store_conn c = {.id = 1 + i / 10, .ip_version = 4, .protocol = "http",
                                   .end_reason = (i / 10) % 2 ? "fin" : "rst", .transactions = 10};
            c.port[0] = 40000;
            c.port[1] = 80;
            rc |= writer_put_conn(l, cid, &c, err);
        }
        if (i == N_TXN / 2)
            rc |= writer_commit(l, err);
    }
    CHECK_INT(rc, 0);
    CHECK_INT(writer_sync(w, err), 0);
    /* after a sync the caller may use the store itself */
    CHECK_INT(store_capture_end(st, cid, &f.cap, err), 0);
    CHECK_INT(writer_stop(w, err), 0);
    CHECK_INT(writer_stop(NULL, err), 0);
    CHECK_INT(store_close(st, err), 0);

    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(f.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM transactions"), N_TXN);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM connections"), N_TXN / 10);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM connections WHERE end_reason = 'rst'"),
              N_TXN / 20);
    /* in order: ids follow the calls */
    CHECK_INT(sql_count(db, "SELECT count(*) FROM transactions WHERE id != "
                        "(connection_id - 1) * 10 + seq"),
              0);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM violations"), 2 * ((N_TXN + 8) / 9));
    CHECK_INT(sql_count(db, "SELECT count(*) FROM violations WHERE rule = 'status-unregistered' "
                        "AND length(detail) = 159"),
              (N_TXN + 8) / 9);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM violations WHERE rule = 'reason-nonstandard' "
                        "AND detail = 'detail ' || (transaction_id - 1)"),
              (N_TXN + 8) / 9);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM headers"), 3 * (N_TXN / 8));
    CHECK_INT(sql_count(db, "SELECT count(*) FROM headers WHERE direction = 'response' "
                        "AND name = 'X-H2' AND length(value) = 45"),
              N_TXN / 8);
    CHECK_INT(sql_count(db, "SELECT sum(response_body_bytes) FROM transactions"),
              7LL * N_TXN * (N_TXN - 1) / 2);
    check_strings(db);
    sqlite3_close(db);
    remove_db_files(f.path);
}

#define N_LANES 5            /* the last one stays idle */
#define LANE_TXN 6000        /* per busy lane: several batches each */
#define LANE_ID(lane, k) ((uint64_t)(lane) * 1000000 + (k) + 1)

struct producer {
    struct writer_lane *lane;
    int64_t capture_id;
    int index;
    int rc;
};

/* One producer thread: LANE_TXN transactions with ids LANE_ID(index, k), a connection
 * row every 10, a commit now and then. */
static void *produce(void *arg)
{
    struct producer *p = arg;
    struct strings *x = malloc(sizeof *x);
    struct txn t;
    struct txn_violations v;
    struct txn_header h[3];
    char err[HTTPCAP_ERRBUF];
    p->rc = x ? 0 : -1;
    for (unsigned k = 0; k < LANE_TXN && p->rc == 0; k++) {
        make_txn(k, x, &t, &v, h);
        t.id = LANE_ID(p->index, k);
        t.connection_id = LANE_ID(p->index, k / 10);
        p->rc = writer_put_txn(p->lane, p->capture_id, &t, &v, err);
        if (k % 10 == 9) {
            struct store_conn c = {.id = t.connection_id, .ip_version = 4, .protocol = "http",
                                   .end_reason = "fin", .transactions = 10};
            p->rc |= writer_put_conn(p->lane, p->capture_id, &c, err);
        }
        if (k % 1000 == 999)
            p->rc |= writer_commit(p->lane, err);
    }
    free(x);
    return NULL;
}

static void test_lanes(void)
{
    struct fixture f;
    if (fixture_open(&f) != 0)
        return;
    struct store *st = f.st;
    int64_t cid = f.cid;
    char err[HTTPCAP_ERRBUF];
    struct writer *w = writer_start(st, N_LANES, err);
    CHECK(w != NULL);
    if (!w)
        return;
    pthread_t th[N_LANES - 1];
    struct producer p[N_LANES - 1];
    for (int i = 0; i < N_LANES - 1; i++) {
        p[i] = (struct producer){writer_lane(w, i), cid, i, -1};
        CHECK_INT(pthread_create(&th[i], NULL, produce, &p[i]), 0);
    }
    for (int i = 0; i < N_LANES - 1; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(p[i].rc, 0);
    }
    CHECK_INT(writer_sync(w, err), 0);
    CHECK_INT(writer_stop(w, err), 0);
    CHECK_INT(store_close(st, err), 0);

    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(f.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM transactions"), (N_LANES - 1) * LANE_TXN);
    CHECK_INT(sql_count(db, "SELECT count(DISTINCT id / 1000000) FROM transactions"), N_LANES - 1);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM connections"), (N_LANES - 1) * LANE_TXN / 10);
    /* each lane in its order: violation rows (numbered as stored) follow the ids */
    CHECK_INT(sql_count(db, "SELECT count(*) FROM (SELECT transaction_id AS t, lag(transaction_id)"
                        " OVER (PARTITION BY transaction_id / 1000000 ORDER BY id) AS prev"
                        " FROM violations) WHERE prev > t"),
              0);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM violations"),
              (N_LANES - 1) * 2 * ((LANE_TXN + 8) / 9));
    sqlite3_close(db);
    remove_db_files(f.path);
}

/* A staged insert that fails (a duplicate id) fails the store: the rows its statement
 * put in before the failing one are never committed, by that commit or any later one,
 * and the rows of earlier commits stay. */
static void test_failed_insert(void)
{
    struct fixture f;
    if (fixture_open(&f) != 0)
        return;
    char err[HTTPCAP_ERRBUF];
    static struct strings x;
    struct txn t;
    struct txn_violations v;
    struct txn_header h[3];
    static const uint64_t ids[] = {1, 2, 3, 2}; /* the batch 3, 2 fails at its 2 */
    int rc = 0;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        make_txn((unsigned)i, &x, &t, &v, h);
        t.id = ids[i];
        rc |= store_put_txn(f.st, f.cid, &t, &v, err);
        if (i == 1)
            CHECK_INT(store_commit(f.st, err), 0);
    }
    CHECK_INT(rc, 0);
    CHECK_INT(store_commit(f.st, err), -1);
    CHECK(strstr(err, "UNIQUE") != NULL || strstr(err, "constraint") != NULL);
    CHECK_INT(store_commit(f.st, err), -1); /* nothing more is committed */
    CHECK_INT(store_close(f.st, err), -1);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(f.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM transactions"), 2);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM transactions WHERE id = 3"), 0);
    sqlite3_close(db);
    remove_db_files(f.path);
}

int main(void)
{
    test_one_lane();
    test_lanes();
    test_failed_insert();
    return TEST_REPORT();
}
