/*
 * report.c - runs the queries of sql/report.sql against an httpcap database.
 * Owns: the read-only SQLite handle (for the length of report_load) and the sections.
 * In:   a database path and the --top count.
 * Out:  struct report_sections, plain values and owned strings.
 * Never: writes to the database, formats output.
 */
#include "report.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_embed.h"
#include "store.h"


/* A column's text copied, or NULL for SQL NULL; returns -1 when out of memory. */
static int col_str(sqlite3_stmt *q, int i, char **out)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    *out = NULL;
    if (!s)
        return 0;
    *out = strdup((const char *)s);
    return *out ? 0 : -1;
}

static void *grow(void *p, int n, size_t size)
{
    return realloc(p, (size_t)(n + 1) * size);
}

/* Each reader takes one row of its query; returns 0, or -1 when out of memory. */
static int read_totals(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_capture *c = &r->capture;
    c->runs = sqlite3_column_int64(q, 0);
    c->has_span = sqlite3_column_type(q, 1) != SQLITE_NULL;
    c->first_ns = sqlite3_column_int64(q, 1);
    c->last_ns = sqlite3_column_int64(q, 2);
    if (col_str(q, 3, &c->first_iso) != 0 || col_str(q, 4, &c->last_iso) != 0)
        return -1;
    c->packets = sqlite3_column_int64(q, 5);
    c->bytes = sqlite3_column_int64(q, 6);
    c->connections = sqlite3_column_int64(q, 7);
    c->transactions = sqlite3_column_int64(q, 8);
    c->gap_bytes = sqlite3_column_int64(q, 9);
    c->truncated = sqlite3_column_int64(q, 10);
    c->sources = calloc((size_t)c->runs + 1, sizeof *c->sources);
    return c->sources ? 0 : -1;
}

static int read_source(sqlite3_stmt *q, struct report_sections *r, int row)
{
    if (row >= r->capture.runs) /* a run added while we read: ignore it */
        return 0;
    return col_str(q, 1, &r->capture.sources[row]);
}

static int read_class(sqlite3_stmt *q, struct report_sections *r, int row)
{
    if (row >= 6)
        return 0;
    const unsigned char *s = sqlite3_column_text(q, 0);
    snprintf(r->classes[row].name, sizeof r->classes[row].name, "%s", s ? (const char *)s : "");
    r->classes[row].count = sqlite3_column_int64(q, 1);
    r->answered_total += r->classes[row].count;
    return 0;
}

static int read_status(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_status *a = grow(r->statuses, r->nstatuses, sizeof *a);
    if (!a)
        return -1;
    r->statuses = a;
    struct report_status *s = &a[r->nstatuses++];
    memset(s, 0, sizeof *s);
    s->code = sqlite3_column_int(q, 0);
    s->count = sqlite3_column_int64(q, 2);
    s->is_registered = sqlite3_column_int(q, 3);
    s->effective = sqlite3_column_int(q, 4);
    return col_str(q, 1, &s->reason) | col_str(q, 5, &s->effective_reason);
}

static int read_latency(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_latency *a = grow(r->latency, r->nlatency, sizeof *a);
    if (!a)
        return -1;
    r->latency = a;
    struct report_latency *l = &a[r->nlatency++];
    memset(l, 0, sizeof *l);
    l->scope = (enum report_scope)sqlite3_column_int(q, 0);
    const unsigned char *m = sqlite3_column_text(q, 2);
    snprintf(l->metric, sizeof l->metric, "%s", m ? (const char *)m : "");
    l->n = sqlite3_column_int64(q, 3);
    l->p50 = sqlite3_column_double(q, 4);
    l->p90 = sqlite3_column_double(q, 5);
    l->p99 = sqlite3_column_double(q, 6);
    l->max = sqlite3_column_double(q, 7);
    return col_str(q, 1, &l->key);
}

static int read_slow(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_slow *a = grow(r->slowest, r->nslowest, sizeof *a);
    if (!a)
        return -1;
    r->slowest = a;
    struct report_slow *s = &a[r->nslowest++];
    memset(s, 0, sizeof *s);
    s->has_status = sqlite3_column_type(q, 4) != SQLITE_NULL;
    s->status = sqlite3_column_int(q, 4);
    s->ttfb_ms = sqlite3_column_double(q, 5);
    s->has_total = sqlite3_column_type(q, 6) != SQLITE_NULL;
    s->total_ms = sqlite3_column_double(q, 6);
    s->id = sqlite3_column_int64(q, 8);
    return col_str(q, 0, &s->time) | col_str(q, 1, &s->method) | col_str(q, 2, &s->host) |
           col_str(q, 3, &s->uri) | col_str(q, 7, &s->request_id);
}

static int read_rule(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_rule *a = grow(r->rules, r->nrules, sizeof *a);
    if (!a)
        return -1;
    r->rules = a;
    struct report_rule *u = &a[r->nrules++];
    memset(u, 0, sizeof *u);
    u->count = sqlite3_column_int64(q, 2);
    u->hosts = sqlite3_column_int64(q, 3);
    return col_str(q, 0, &u->rule) | col_str(q, 1, &u->severity) | col_str(q, 4, &u->hint);
}

/* Query number k (0-based, the order of report.sql) hands row number row to its reader. */
static int read_row(int k, sqlite3_stmt *q, struct report_sections *r, int row)
{
    switch (k) {
    case 0:
        return row == 0 ? read_totals(q, r) : 0;
    case 1:
        return read_source(q, r, row);
    case 2:
        return read_class(q, r, row);
    case 3:
        return read_status(q, r);
    case 4:
        return read_latency(q, r);
    case 5:
        return read_slow(q, r);
    case 6:
        return read_rule(q, r);
    default:
        return 0;
    }
}

/* The meta table and a known schema version make a database an httpcap one. */
static int check_httpcap(sqlite3 *db, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &q,
                           NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "not an httpcap database (%s)", sqlite3_errmsg(db));
        return -1;
    }
    int rc = sqlite3_step(q);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW) {
        snprintf(err, HTTPCAP_ERRBUF, "not an httpcap database (no schema_version in meta)");
        return -1;
    }
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "database has schema version %d, this httpcap knows %d: use a newer httpcap",
                 version, STORE_SCHEMA_VERSION);
        return -1;
    }
    return 0;
}

static int run_queries(sqlite3 *db, int top, struct report_sections *r,
                       char err[HTTPCAP_ERRBUF])
{
    const char *sql = sql_embedded("report.sql");
    if (!sql) {
        snprintf(err, HTTPCAP_ERRBUF, "report.sql is not built in");
        return -1;
    }
    for (int k = 0; *sql; k++) {
        sqlite3_stmt *q = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &q, &tail) != SQLITE_OK) {
            snprintf(err, HTTPCAP_ERRBUF, "report query %d: %s", k + 1, sqlite3_errmsg(db));
            return -1;
        }
        sql = tail;
        if (!q) /* only comments or blanks were left */
            break;
        int idx = sqlite3_bind_parameter_index(q, ":top");
        if (idx > 0)
            sqlite3_bind_int(q, idx, top);
        int rc;
        int row = 0;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (read_row(k, q, r, row++) != 0) {
                sqlite3_finalize(q);
                snprintf(err, HTTPCAP_ERRBUF, "out of memory");
                return -1;
            }
        }
        if (rc != SQLITE_DONE) {
            snprintf(err, HTTPCAP_ERRBUF, "report query %d: %s", k + 1, sqlite3_errmsg(db));
            sqlite3_finalize(q);
            return -1;
        }
        sqlite3_finalize(q);
    }
    return 0;
}

int report_load(const char *path, int top, struct report_sections *r, char err[HTTPCAP_ERRBUF])
{
    memset(r, 0, sizeof *r);
    r->top = top;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot open: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    char why[HTTPCAP_ERRBUF];
    int rc = check_httpcap(db, why);
    if (rc == 0)
        rc = run_queries(db, top, r, why);
    if (rc != 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s: %.300s", path, why);
    sqlite3_close(db);
    return rc;
}

void report_free(struct report_sections *r)
{
    if (!r)
        return;
    if (r->capture.sources) {
        for (int64_t i = 0; i < r->capture.runs; i++)
            free(r->capture.sources[i]);
    }
    free(r->capture.sources);
    free(r->capture.first_iso);
    free(r->capture.last_iso);
    for (int i = 0; i < r->nstatuses; i++) {
        free(r->statuses[i].reason);
        free(r->statuses[i].effective_reason);
    }
    free(r->statuses);
    for (int i = 0; i < r->nlatency; i++)
        free(r->latency[i].key);
    free(r->latency);
    for (int i = 0; i < r->nslowest; i++) {
        free(r->slowest[i].time);
        free(r->slowest[i].method);
        free(r->slowest[i].host);
        free(r->slowest[i].uri);
        free(r->slowest[i].request_id);
    }
    free(r->slowest);
    for (int i = 0; i < r->nrules; i++) {
        free(r->rules[i].rule);
        free(r->rules[i].severity);
        free(r->rules[i].hint);
    }
    free(r->rules);
    memset(r, 0, sizeof *r);
}
