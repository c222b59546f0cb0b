/*
 * test_report_anomaly.c - sections 5 and 6 of `httpcap report` on hand-built working tables.
 * Drives report_anomaly.h: an in-memory SQLite with TEMP rt/rc/rparams holding 60 one-minute
 * buckets of ordinary traffic and one planted case per anomaly kind (limit-reached: a limit
 * of the capture runs planted in r->capture); checks that each detector fires exactly where
 * planted and nowhere else, and the series numbers.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_anomaly.h"
#include "report_latency.h"
#include "sql_embed.h"
#include "testhelp.h"

#define ORIGIN_NS 1795860000000000000LL /* 2026-11-28T10:00:00Z */
#define MINUTE_NS 60000000000LL

/* rt as a table (in httpcap a view over the databases read); rc, rparams and the grouped
 * tables come from the first part of report_tables.sql. */
static const char schema[] =
    "CREATE TEMP TABLE rt (id INTEGER PRIMARY KEY, capture_id INTEGER, connection_id INTEGER,"
    " seq INTEGER, t_ns INTEGER, time TEXT, method TEXT, host TEXT, uri TEXT, endpoint TEXT,"
    " status INTEGER, class TEXT, ttfb_ms REAL, total_ms REAL,"
    " request_id TEXT, flags TEXT, violations INTEGER, response_body_bytes INTEGER);";

/* The grouped tables report_scan.c fills, computed here in SQL from rt (a reference for
 * what the scan does; the e2e tests check the two agree on whole reports). */
static const char grouped_sql[] =
    "INSERT INTO rgroups"
    " SELECT (t.t_ns - p.origin_ns) / p.bucket_ns, t.class, t.status,"
    "  CASE WHEN t.ttfb_ms IS NULL THEN NULL WHEN t.ttfb_ms < 0.125 THEN 0"
    "   ELSE min(23, CAST(floor(log2(t.ttfb_ms)) AS INTEGER) + 4) END,"
    "  count(*), count(t.total_ms)"
    " FROM rt t, rparams p GROUP BY 1, 2, 3, 4;"
    "INSERT INTO rhosts SELECT host, count(*), count(ttfb_ms), count(total_ms)"
    " FROM rt GROUP BY host;"
    "INSERT INTO rendpoints SELECT endpoint, count(*), count(ttfb_ms), count(total_ms),"
    "  sum(class IN ('5xx', 'invalid')), sum(h = 0),"
    "  sum(h = 0 AND class = '1xx'), sum(h = 0 AND class = '2xx'),"
    "  sum(h = 0 AND class = '3xx'), sum(h = 0 AND class = '4xx'),"
    "  sum(h = 0 AND class = '5xx'), sum(h = 0 AND class = 'unanswered'),"
    "  sum(h = 0 AND class = 'invalid'), sum(h = 1),"
    "  sum(h = 1 AND class = '1xx'), sum(h = 1 AND class = '2xx'),"
    "  sum(h = 1 AND class = '3xx'), sum(h = 1 AND class = '4xx'),"
    "  sum(h = 1 AND class = '5xx'), sum(h = 1 AND class = 'unanswered'),"
    "  sum(h = 1 AND class = 'invalid')"
    " FROM (SELECT *, t_ns >= (SELECT origin_ns + nbuckets * bucket_ns / 2 FROM rparams)"
    "  AS h FROM rt WHERE endpoint IS NOT NULL) GROUP BY endpoint;"
    "INSERT INTO rconn SELECT connection_id, count(*),"
    "  sum(status IS NULL AND method IS NOT NULL),"
    "  max(CASE WHEN status IS NULL AND method IS NOT NULL THEN seq END),"
    "  sum(status IS NOT NULL AND method IS NULL), sum(instr(flags, 'truncated') > 0),"
    "  sum(status IS NOT NULL AND instr(flags, 'truncated') > 0)"
    " FROM rt GROUP BY connection_id;";

/* One row of rt; class and time are derived in SQL. The server of a row is that of its
 * connection in rc (the :server argument documents it; rc rows are inserted by hand). */
static const char insert_sql[] =
    "INSERT INTO rt (capture_id, connection_id, seq, t_ns, time, method, host,"
    " uri, endpoint, status, class, ttfb_ms, request_id, flags,"
    " violations) VALUES (1, :conn, :seq, :t,"
    " strftime('%Y-%m-%dT%H:%M:%fZ', :t / 1e9, 'unixepoch'), :method, 'api', '/', :endpoint,"
    " :status,"
    " CASE WHEN :status IS NULL THEN 'unanswered' WHEN :status NOT BETWEEN 100 AND 599"
    "  THEN 'invalid' ELSE (:status / 100) || 'xx' END,"
    " :ttfb, :rid, :flags, 0)";

static sqlite3_stmt *ins;

static void row(int conn, int seq, int64_t t_ns, const char *server, const char *method,
                const char *endpoint, int status, double ttfb, const char *rid,
                const char *flags)
{
    sqlite3_bind_int(ins, sqlite3_bind_parameter_index(ins, ":conn"), conn);
    sqlite3_bind_int(ins, sqlite3_bind_parameter_index(ins, ":seq"), seq);
    sqlite3_bind_int64(ins, sqlite3_bind_parameter_index(ins, ":t"), t_ns);
    (void)server;
    if (method)
        sqlite3_bind_text(ins, sqlite3_bind_parameter_index(ins, ":method"), method, -1,
                          SQLITE_STATIC);
    if (endpoint)
        sqlite3_bind_text(ins, sqlite3_bind_parameter_index(ins, ":endpoint"), endpoint, -1,
                          SQLITE_STATIC);
    if (status)
        sqlite3_bind_int(ins, sqlite3_bind_parameter_index(ins, ":status"), status);
    if (ttfb >= 0)
        sqlite3_bind_double(ins, sqlite3_bind_parameter_index(ins, ":ttfb"), ttfb);
    if (rid)
        sqlite3_bind_text(ins, sqlite3_bind_parameter_index(ins, ":rid"), rid, -1,
                          SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, sqlite3_bind_parameter_index(ins, ":flags"), flags ? flags : "", -1,
                      SQLITE_STATIC);
    int rc = sqlite3_step(ins);
    if (rc != SQLITE_DONE)
        fprintf(stderr, "insert: %s\n", sqlite3_errmsg(sqlite3_db_handle(ins)));
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "exec: %s\n", msg ? msg : "?");
        test_failed++;
    }
    sqlite3_free(msg);
}

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return NULL;
    exec(db, sql_embedded("status_codes.sql"));
    const char *tables = sql_embedded("report_tables.sql");
    const char *scan = strstr(tables, "-- @scan");
    CHECK(scan != NULL);
    char *once = sqlite3_mprintf("%.*s", scan ? (int)(scan - tables) : 0, tables);
    exec(db, once);
    sqlite3_free(once);
    exec(db, schema);
    if (sqlite3_prepare_v2(db, insert_sql, -1, &ins, NULL) != SQLITE_OK)
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
    return db;
}

static const char *const items[10] = {
    "GET api /items/{id}/a", "GET api /items/{id}/b", "GET api /items/{id}/c",
    "GET api /items/{id}/d", "GET api /items/{id}/e", "GET api /items/{id}/f",
    "GET api /items/{id}/g", "GET api /items/{id}/h", "GET api /items/{id}/i",
    "GET api /items/{id}/j",
};

/* 60 buckets x 100 ordinary rows (2% 500s, ttfb 10-14 ms) and one plant per kind. */
static void plant(sqlite3 *db)
{
    exec(db, "BEGIN");
    int seq = 0;
    char rid[32];
    for (int b = 0; b < 60; b++) {
        for (int i = 0; i < 100; i++) {
            int64_t t = ORIGIN_NS + b * MINUTE_NS + (int64_t)i * 500000000LL;
            int status = 200;
            if (i % 50 == 0 || (b == 3 && i < 40))
                status = 500; /* bucket 3: 40% 5xx */
            else if ((b == 20 || b == 21) && i <= 30)
                status = 404; /* buckets 20-21: 30% 4xx */
            double ttfb = b == 40 ? 500 + i % 5 : 10 + i % 5; /* bucket 40: slow */
            snprintf(rid, sizeof rid, "req-%d-%d", b, i);
            row(1, ++seq, t, "10.0.0.2:80", "GET", items[(i + b) % 10], status, ttfb,
                i % 2 ? rid : NULL, NULL);
        }
    }
    /* failing endpoint: 5 of 10 POSTs 502, one a bucket */
    for (int b = 0; b < 10; b++)
        row(1, ++seq, ORIGIN_NS + b * MINUTE_NS + 1000, "10.0.0.2:80", "POST",
            "POST api /pay", b % 2 ? 200 : 502, 10, NULL, NULL);
    /* status mix: 20 x 200 in buckets 0-19, 20 x 404 in buckets 40-59 */
    for (int b = 0; b < 20; b++) {
        row(1, ++seq, ORIGIN_NS + b * MINUTE_NS + 2000, "10.0.0.2:80", "GET", "GET api /mix",
            200, 10, NULL, NULL);
        row(1, ++seq, ORIGIN_NS + (40 + b) * MINUTE_NS + 2000, "10.0.0.2:80", "GET",
            "GET api /mix", 404, 10, NULL, NULL);
    }
    /* rare: one 599; new: four 503 in the last buckets */
    row(1, ++seq, ORIGIN_NS + 10 * MINUTE_NS + 3000, "10.0.0.2:80", "GET", items[0], 599, 10,
        "rare-1", NULL);
    row(1, ++seq, ORIGIN_NS + 57 * MINUTE_NS + 3000, "10.0.0.2:80", "GET", items[1], 503, 10,
        NULL, NULL);
    row(1, ++seq, ORIGIN_NS + 58 * MINUTE_NS + 3000, "10.0.0.2:80", "GET", items[1], 503, 10,
        NULL, NULL);
    row(1, ++seq, ORIGIN_NS + 58 * MINUTE_NS + 4000, "10.0.0.2:80", "GET", items[2], 503, 10,
        NULL, NULL);
    row(1, ++seq, ORIGIN_NS + 59 * MINUTE_NS + 3000, "10.0.0.2:80", "GET", items[3], 503, 10,
        NULL, NULL);
    /* unanswered: two on a closed connection, one still in flight (not counted) */
    row(2, 1, ORIGIN_NS + 5 * MINUTE_NS, "10.0.0.3:8080", "GET", "GET x /slow", 0, -1,
        "lost-1", NULL);
    row(2, 2, ORIGIN_NS + 6 * MINUTE_NS, "10.0.0.3:8080", "GET", "GET x /slow", 0, -1, NULL,
        NULL);
    row(3, 1, ORIGIN_NS + 59 * MINUTE_NS, "10.0.0.3:8080", "GET", "GET x /slow", 0, -1, NULL,
        NULL);
    /* a response without request; a reset mid-response; a truncated body */
    row(4, 1, ORIGIN_NS + 7 * MINUTE_NS, "10.0.0.4:80", NULL, NULL, 200, -1, NULL, NULL);
    row(5, 1, ORIGIN_NS + 8 * MINUTE_NS, "10.0.0.5:80", "GET", "GET y /big", 200, 10, NULL,
        "truncated");
    row(6, 1, ORIGIN_NS + 9 * MINUTE_NS, "10.0.0.6:80", "GET", "GET z /big", 200, 10, NULL,
        "gap,truncated");
    /* retransmissions: the only row of 10.0.0.7:80, whose URI was also cut (the example of
     * limit-reached max-uri-bytes, planted in r->capture by test_planted) */
    row(7, 1, ORIGIN_NS + 11 * MINUTE_NS, "10.0.0.7:80", "GET", "GET w /", 200, 10, NULL,
        "uri-cut");
    exec(db, "INSERT INTO rc (id, server, end_reason, client_packets, server_packets,"
             " client_bytes, server_bytes, client_retransmits, server_retransmits,"
             " client_gap_bytes, server_gap_bytes, transactions) VALUES"
             " (1, '10.0.0.2:80', 'fin', 50000, 50000, 1000000, 9000000, 1, 0, 0, 0, 6065),"
             " (2, '10.0.0.3:8080', 'fin', 5, 5, 100, 0, 0, 0, 0, 0, 2),"
             " (3, '10.0.0.3:8080', 'end-of-capture', 5, 5, 100, 0, 0, 0, 0, 0, 1),"
             " (4, '10.0.0.4:80', 'fin', 5, 5, 0, 100, 0, 0, 0, 0, 1),"
             " (5, '10.0.0.5:80', 'rst', 5, 5, 100, 100, 0, 0, 0, 0, 1),"
             " (6, '10.0.0.6:80', 'fin', 5, 5, 100, 900, 0, 0, 0, 100, 1),"
             " (7, '10.0.0.7:80', 'fin', 50, 50, 100, 900, 5, 15, 0, 0, 1)");
    exec(db, "UPDATE rc SET client = '10.0.0.1:5000'");
    exec(db, "INSERT INTO rparams SELECT min(t_ns), max(t_ns), 1795860000000000000,"
             " 60000000000, 60 FROM rt");
    exec(db, "COMMIT");
}

/* What report_db.c and report.c do once rt, rc and rparams are filled: the grouped tables
 * (here in SQL), the "@after" part of report_tables.sql, the series, and the sorted ttfb
 * pass that fills the bucket medians. Returns report_series_load()'s result. */
static int load_series(sqlite3 *db, struct report_sections *r, char err[HTTPCAP_ERRBUF])
{
    exec(db, grouped_sql);
    const char *after = strstr(sql_embedded("report_tables.sql"), "-- @after");
    const char *view = after ? strstr(after, "-- @rt-view") : NULL;
    CHECK(view != NULL);
    if (view) {
        char *part = sqlite3_mprintf("%.*s", (int)(view - after), after);
        exec(db, part);
        sqlite3_free(part);
    }
    int rc = report_series_load(db, r, err);
    struct latency_walk w;
    sqlite3_stmt *q = NULL;
    if (rc != 0 || latency_walk_begin(&w, r, 0) != 0)
        return rc;
    sqlite3_prepare_v2(db,
                       "SELECT t.ttfb_ms, t.class, t.host, t.endpoint,"
                       " (t.t_ns - p.origin_ns) / p.bucket_ns"
                       " FROM rt t, rparams p WHERE t.ttfb_ms IS NOT NULL ORDER BY t.ttfb_ms",
                       -1, &q, NULL);
    while (q && sqlite3_step(q) == SQLITE_ROW)
        latency_walk_value(&w, sqlite3_column_double(q, 0), NULL, NULL, NULL,
                           sqlite3_column_int64(q, 4));
    sqlite3_finalize(q);
    latency_walk_end(&w);
    return rc;
}

static const struct report_anomaly *find(const struct report_sections *r,
                                         enum report_anomaly_kind k)
{
    for (int i = 0; i < r->nanomalies; i++)
        if (r->anomalies[i].kind == k)
            return &r->anomalies[i];
    return NULL;
}

static int count_kind(const struct report_sections *r, enum report_anomaly_kind k)
{
    int n = 0;
    for (int i = 0; i < r->nanomalies; i++)
        n += r->anomalies[i].kind == k;
    return n;
}

static void check_series(const struct report_sections *r)
{
    const struct report_series *s = &r->series;
    CHECK_INT(s->nbuckets, 60);
    CHECK_INT(s->bucket_ns, MINUTE_NS);
    CHECK_INT(s->origin_ns, ORIGIN_NS);
    if (s->nbuckets != 60)
        return;
    CHECK_INT(s->buckets[3].start_ns, ORIGIN_NS + 3 * MINUTE_NS);
    CHECK_INT(s->buckets[3].count, 102);     /* 100 + one POST + one /mix */
    CHECK_INT(s->buckets[3].classes[4], 41); /* rows 0..39 and 50 */
    CHECK_INT(s->buckets[3].classes[1], 61);
    CHECK_INT(s->buckets[20].classes[3], 30);
    CHECK_INT(s->buckets[10].classes[4], 3); /* two 500s and the 599 (in 100..599) */
    CHECK_INT(s->buckets[10].classes[6], 0);
    CHECK_INT(s->buckets[5].classes[5], 1);  /* unanswered */
    CHECK(s->buckets[40].has_median);
    /* bucket 40: 100 values 500..504 (20 each) plus the /mix row's 10 */
    CHECK(s->buckets[40].ttfb_median >= 500 && s->buckets[40].ttfb_median <= 504);
    /* bucket 1: 100 values 10..14 (20 each) + POST 10 + mix 10 = 102 values; rank 51 */
    CHECK(s->buckets[1].ttfb_median == 12);
    int64_t total = 0;
    for (int b = 0; b < 60; b++)
        total += s->buckets[b].count;
    CHECK_INT(total, 6000 + 10 + 40 + 5 + 3 + 3 + 1);
}

static void check_anomalies(const struct report_sections *r)
{
    /* exactly one of each kind, in kind order */
    CHECK_INT(r->nanomalies, ANOMALY_KIND_COUNT);
    for (int k = 0; k < ANOMALY_KIND_COUNT; k++) {
        CHECK_INT(count_kind(r, (enum report_anomaly_kind)k), 1);
        if (k < r->nanomalies)
            CHECK_INT(r->anomalies[k].kind, k);
    }
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        CHECK(a->subject && a->evidence && a->message && a->message[0]);
        CHECK(a->nexamples >= 1 && a->nexamples <= REPORT_MAX_EXAMPLES);
        for (int j = 1; j < a->nexamples; j++) /* by time */
            CHECK(strcmp(a->examples[j - 1].time, a->examples[j].time) <= 0);
        if (!a->evidence || !a->subject)
            continue;
        printf("  %-26s %-42s %s\n", report_anomaly_name(a->kind), a->subject, a->evidence);
    }

    const struct report_anomaly *a = find(r, ANOMALY_ERROR_BURST_5XX);
    if (a) {
        CHECK_STR(a->subject, "2026-11-28T10:03:00Z/2026-11-28T10:04:00Z");
        CHECK_STR(a->start_iso, "2026-11-28T10:03:00.000Z");
        CHECK_INT(a->first_bucket, 3);
        CHECK_INT(a->last_bucket, 3);
        CHECK_INT(a->count, 41);
        CHECK_INT(a->total, 102);
        CHECK(a->score > 10);
        CHECK(strstr(a->evidence, "41 of 102 transactions 5xx (40.2%) in 10:03:00-10:04:00 UTC"));
        /* 5 examples, all with request IDs (odd rows), all 5xx, by time */
        CHECK_INT(a->nexamples, 5);
        for (int j = 0; j < a->nexamples; j++) {
            CHECK(a->examples[j].request_id != NULL);
            CHECK_INT(a->examples[j].status, 500);
            CHECK_STR(a->examples[j].server, "10.0.0.2:80");
            CHECK_STR(a->examples[j].client, "10.0.0.1:5000");
        }
        CHECK_STR(a->examples[0].request_id, "req-3-1");
    }
    a = find(r, ANOMALY_ERROR_BURST_4XX);
    if (a) {
        CHECK_INT(a->first_bucket, 20); /* two buckets merged */
        CHECK_INT(a->last_bucket, 21);
        CHECK_INT(a->count, 60);
        CHECK_INT(a->end_ns - a->start_ns, 2 * MINUTE_NS);
        CHECK_INT(a->examples[0].status, 404);
    }
    a = find(r, ANOMALY_LATENCY_SPIKE);
    if (a) {
        CHECK_INT(a->first_bucket, 40);
        CHECK_INT(a->last_bucket, 40);
        CHECK(a->baseline == 12);
        CHECK_INT(a->count, 100);
        CHECK(a->score > 40);
    }
    a = find(r, ANOMALY_FAILING_ENDPOINT);
    if (a) {
        CHECK_STR(a->subject, "POST api /pay");
        CHECK_INT(a->count, 5);
        CHECK_INT(a->total, 10);
        CHECK_INT(a->nexamples, 5);
        CHECK_INT(a->examples[0].status, 502);
    }
    a = find(r, ANOMALY_STATUS_MIX_CHANGED);
    if (a) {
        CHECK_STR(a->subject, "GET api /mix");
        CHECK(a->score > 0.99);
        CHECK_INT(a->first_bucket, 30);
        CHECK_INT(a->examples[0].status, 404);
    }
    a = find(r, ANOMALY_UNANSWERED);
    if (a) {
        CHECK_STR(a->subject, "10.0.0.3:8080");
        CHECK_INT(a->count, 2); /* the in-flight one is not counted */
        CHECK_INT(a->nexamples, 2);
        CHECK_STR(a->examples[0].request_id, "lost-1");
        CHECK(!a->examples[0].has_status);
    }
    a = find(r, ANOMALY_ORPHAN_RESPONSES);
    if (a)
        CHECK_STR(a->subject, "10.0.0.4:80");
    a = find(r, ANOMALY_RESET_MID_RESPONSE);
    if (a)
        CHECK_STR(a->subject, "10.0.0.5:80");
    a = find(r, ANOMALY_TRUNCATED_BODIES);
    if (a)
        CHECK_STR(a->subject, "10.0.0.6:80");
    a = find(r, ANOMALY_CAPTURE_GAPS);
    if (a) {
        CHECK_STR(a->subject, "10.0.0.6:80");
        CHECK_INT(a->count, 100);
    }
    a = find(r, ANOMALY_LIMIT_REACHED);
    if (a) {
        CHECK_STR(a->subject, "max-uri-bytes"); /* max-connections was not reached */
        CHECK_INT(a->count, 3);
        CHECK_STR(a->evidence, "max-uri-bytes (1024 to 2048) was reached 3 times in 2 of 3 "
                               "capture runs: 3 URIs were stored cut (flag uri-cut)");
        CHECK(strncmp(a->message, "Request URIs longer than --max-uri-bytes", 40) == 0);
        CHECK(!a->has_window && a->first_bucket == -1);
        CHECK_INT(a->nexamples, 1);
        CHECK_STR(a->examples[0].server, "10.0.0.7:80");
    }
    a = find(r, ANOMALY_RETRANSMISSIONS);
    if (a) {
        CHECK_STR(a->subject, "10.0.0.7:80");
        CHECK_INT(a->count, 20);
        CHECK_INT(a->total, 100);
    }
    a = find(r, ANOMALY_RARE_STATUS);
    if (a) {
        CHECK_STR(a->subject, "599");
        CHECK(strstr(a->evidence, "500") != NULL);
        CHECK_STR(a->examples[0].request_id, "rare-1");
    }
    a = find(r, ANOMALY_NEW_STATUS);
    if (a) {
        CHECK_STR(a->subject, "503");
        CHECK_INT(a->count, 4);
        CHECK_INT(a->first_bucket, 57);
        CHECK_INT(a->last_bucket, 59);
        CHECK_INT(a->nexamples, 4);
    }
}

/* Finish the open transaction with 30 one-minute buckets from the first rt row, load the
 * series and the anomalies, and check that there are 30 buckets and no anomaly. */
static void expect_no_anomaly(sqlite3 *db)
{
    exec(db, "INSERT INTO rparams SELECT min(t_ns), max(t_ns), 1795860000000000000,"
             " 60000000000, 30 FROM rt");
    exec(db, "COMMIT");
    struct report_sections r;
    memset(&r, 0, sizeof r);
    char err[HTTPCAP_ERRBUF] = "";
    CHECK_INT(load_series(db, &r, err), 0);
    CHECK_INT(report_anomalies_load(db, &r, err), 0);
    CHECK_INT(r.series.nbuckets, 30);
    CHECK_INT(r.nanomalies, 0);
    for (int i = 0; i < r.nanomalies; i++)
        fprintf(stderr, "  unexpected %s %s\n", report_anomaly_name(r.anomalies[i].kind),
                r.anomalies[i].subject);
    report_anomalies_free(&r);
}

static void test_planted(void)
{
    sqlite3 *db = open_db();
    plant(db);
    struct report_sections r;
    memset(&r, 0, sizeof r);
    char err[HTTPCAP_ERRBUF] = "";
    CHECK_INT(load_series(db, &r, err), 0);
    check_series(&r);
    char conns[] = "max-connections", uris[] = "max-uri-bytes";
    struct report_limit limits[2] = {{conns, 5, 5, 0, 0}, {uris, 2048, 1024, 3, 2}};
    r.capture.limits = limits;
    r.capture.nlimits = 2;
    r.capture.limit_runs = 3;
    int rc = report_anomalies_load(db, &r, err);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "report_anomalies_load: %s\n", err);
    check_anomalies(&r);
    /* the helper table is gone again */
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(db, "SELECT * FROM ranomaly_keys", -1, &q, NULL) != SQLITE_OK);
    sqlite3_finalize(q);
    report_anomalies_free(&r);
    CHECK_INT(r.nanomalies, 0);
    CHECK(r.anomalies == NULL && r.series.buckets == NULL);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

/* Ordinary traffic only: nothing fires. Also no error anywhere (p == 0 path). */
static void test_quiet(void)
{
    sqlite3 *db = open_db();
    exec(db, "BEGIN");
    for (int b = 0; b < 30; b++)
        for (int i = 0; i < 50; i++)
            row(1, b * 50 + i + 1, ORIGIN_NS + b * MINUTE_NS + i * 1000000LL, "10.0.0.2:80",
                "GET", items[i % 10], 200, 10 + i % 7, NULL, NULL);
    exec(db, "INSERT INTO rc (id, server, end_reason, client_packets, server_packets,"
             " client_bytes, server_bytes, client_retransmits, server_retransmits,"
             " client_gap_bytes, server_gap_bytes, transactions) VALUES"
             " (1, '10.0.0.2:80', 'end-of-capture', 5000, 5000, 1, 1, 0, 0, 0, 0, 1500)");
    expect_no_anomaly(db);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

/* Fewer than 100 transactions: a registered code seen twice, only at the end, is neither
 * rare (too few transactions to say) nor new (seen fewer than 3 times). */
static void test_small_late_code(void)
{
    sqlite3 *db = open_db();
    exec(db, "BEGIN");
    for (int b = 0; b < 30; b++)
        for (int i = 0; i < 3; i++)
            row(1, b * 3 + i + 1, ORIGIN_NS + b * MINUTE_NS + i * 1000000LL, "10.0.0.2:80",
                "GET", items[i], 200, 10, NULL, NULL);
    row(1, 91, ORIGIN_NS + 29 * MINUTE_NS + 5000000LL, "10.0.0.2:80", "POST", items[3], 201,
        10, NULL, NULL);
    row(1, 92, ORIGIN_NS + 29 * MINUTE_NS + 6000000LL, "10.0.0.2:80", "POST", items[3], 201,
        10, NULL, NULL);
    exec(db, "INSERT INTO rc (id, client, server, end_reason, client_packets, server_packets,"
             " client_bytes, server_bytes, client_retransmits, server_retransmits,"
             " client_gap_bytes, server_gap_bytes, transactions) VALUES"
             " (1, '10.0.0.1:5000', '10.0.0.2:80', 'fin', 500, 500, 1, 1, 0, 0, 0, 0, 92)");
    expect_no_anomaly(db);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

/* An empty rt: no buckets, no anomalies, no error. */
static void test_empty(void)
{
    sqlite3 *db = open_db();
    exec(db, "INSERT INTO rparams VALUES (NULL, NULL, NULL, 1000000, 0)");
    struct report_sections r;
    memset(&r, 0, sizeof r);
    char err[HTTPCAP_ERRBUF] = "";
    CHECK_INT(load_series(db, &r, err), 0);
    CHECK_INT(report_anomalies_load(db, &r, err), 0);
    CHECK_INT(r.series.nbuckets, 0);
    CHECK(r.series.buckets == NULL);
    CHECK_INT(r.nanomalies, 0);
    report_anomalies_free(&r);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

/* limit-reached without any transaction: per run, so filters do not hide it (and the
 * evidence says so); a limit this httpcap does not know gets the generic advice. */
static void test_limits_only(void)
{
    sqlite3 *db = open_db();
    exec(db, "INSERT INTO rparams VALUES (NULL, NULL, NULL, 1000000, 0)");
    struct report_sections r;
    memset(&r, 0, sizeof r);
    char conns[] = "max-connections", future[] = "max-future", filter[] = "host x";
    struct report_limit limits[2] = {{conns, 2, 2, 1, 1}, {future, 9, 9, 4, 1}};
    r.capture.limits = limits;
    r.capture.nlimits = 2;
    r.capture.limit_runs = 1;
    r.filter_text = filter;
    char err[HTTPCAP_ERRBUF] = "";
    CHECK_INT(load_series(db, &r, err), 0);
    CHECK_INT(report_anomalies_load(db, &r, err), 0);
    CHECK_INT(r.nanomalies, 2);
    if (r.nanomalies == 2) {
        const struct report_anomaly *a = &r.anomalies[0];
        CHECK_INT(a->kind, ANOMALY_LIMIT_REACHED);
        CHECK_STR(a->subject, "max-connections");
        CHECK_STR(a->evidence, "max-connections (2) was reached once: 1 connection was closed "
                               "early to make room; counted over whole capture runs, which "
                               "the filters do not narrow");
        CHECK(strstr(a->message, "--max-connections N") && strstr(a->message, "-f '"));
        CHECK_INT(a->nexamples, 0);
        a = &r.anomalies[1];
        CHECK_STR(a->subject, "max-future");
        CHECK(strncmp(a->evidence, "max-future (9) was reached 4 times: data was left out", 53)
              == 0);
        CHECK(strncmp(a->message, "A limit of the capture run was reached", 38) == 0);
    }
    report_anomalies_free(&r);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

static void test_names(void)
{
    CHECK_STR(report_anomaly_name(ANOMALY_ERROR_BURST_5XX), "error-burst-5xx");
    CHECK_STR(report_anomaly_name(ANOMALY_NEW_STATUS), "new-status");
    CHECK_STR(report_anomaly_name(ANOMALY_LIMIT_REACHED), "limit-reached");
    CHECK_STR(report_anomaly_name(ANOMALY_KIND_COUNT), "?");
    sqlite3 *db = NULL;
    sqlite3_open(":memory:", &db);
    sqlite3_stmt *q = NULL;
    char err[HTTPCAP_ERRBUF] = "";
    CHECK_INT(report_anomaly_prepare(db, "no_such_query", &q, err), -1);
    CHECK(q == NULL && strstr(err, "no_such_query"));
    CHECK_INT(report_anomaly_prepare(db, "series", &q, err), -1); /* a prefix is no name */
    /* no working tables: an error, not a crash */
    struct report_sections r;
    memset(&r, 0, sizeof r);
    CHECK_INT(report_series_load(db, &r, err), -1);
    CHECK(strstr(err, "rparams") != NULL);
    report_anomalies_free(&r);
    sqlite3_close(db);
}

int main(void)
{
    test_names();
    test_empty();
    test_limits_only();
    test_small_late_code();
    test_quiet();
    test_planted();
    return TEST_REPORT();
}
