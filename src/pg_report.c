/*
 * pg_report.c - what `httpcap report postgresql://...` reads, copied into a temporary
 * SQLite database (see pg_report.h).
 * Owns: the temporary file and both connections during the copy.
 * In:   a URL, the report's filters. Out: a database of the normal schema, ids as in
 *       PostgreSQL (the report code then runs on it unchanged).
 * Never: writes to PostgreSQL; holds more than PG_REPORT_FETCH_TEXT rows in memory.
 */
#include "pg_report.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg.h"
#include "pg_schema.h"
#include "store.h"

#define PG_REPORT_FETCH_TEXT "10000" /* rows per FETCH */

/* What a copy needs: both ends and the WHERE clause of reported transactions ("t"). */
struct fetch {
    struct pg *pg;
    sqlite3 *db;
    const char *path;
    char txn_where[1024];
    long version; /* PostgreSQL's schema version */
};

/* The filters of o as SQL on transactions t (a superset of the report's own filters,
 * which it applies again: PostgreSQL's lower() is not SQLite's). */
static int build_where(struct fetch *f, const struct report_options *o,
                       char err[HTTPCAP_ERRBUF])
{
    size_t n = (size_t)snprintf(f->txn_where, sizeof f->txn_where, "TRUE");
    const char *start = "coalesce(t.request_start_ns, t.response_start_ns)";
    if (o->has_since)
        n += (size_t)snprintf(f->txn_where + n, sizeof f->txn_where - n, " AND %s >= %" PRId64,
                              start, o->since_ns);
    if (o->has_until)
        n += (size_t)snprintf(f->txn_where + n, sizeof f->txn_where - n, " AND %s < %" PRId64,
                              start, o->until_ns);
    if (o->host) {
        char *lit = pq.PQescapeLiteral(pg_conn(f->pg), o->host, strlen(o->host));
        if (!lit || strlen(lit) > 400) {
            pq.PQfreemem(lit);
            snprintf(err, HTTPCAP_ERRBUF, "--host: cannot be used in a query");
            return -1;
        }
        snprintf(f->txn_where + n, sizeof f->txn_where - n,
                 " AND left(lower(t.host), length(%s)) = lower(%s)", lit, lit);
        pq.PQfreemem(lit);
    }
    return 0;
}

/* The columns of SQLite table name that PostgreSQL has, comma-separated, and how many;
 * NULL when SQLite fails or runs out of memory. A database of schema version 1 or 2
 * lacks connections.truncated and truncated_with_status (sql/pg/schema.sql adds them at
 * the next push): they keep their defaults here, and stamp_version says that version. */
static char *columns_of(const struct fetch *f, const char *name, int *n)
{
    sqlite3_stmt *q = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(f->db,
                           "SELECT group_concat(name, ', '), count(*) FROM pragma_table_info(?1)"
                           " WHERE NOT (?2 < 3 AND ?1 = 'connections'"
                           " AND name IN ('truncated', 'truncated_with_status'))",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, f->version);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
            out = strdup((const char *)sqlite3_column_text(q, 0));
            *n = sqlite3_column_int(q, 1);
        }
    }
    sqlite3_finalize(q);
    return out;
}

/* INSERT INTO name (cols) VALUES (?, ...). */
static sqlite3_stmt *insert_stmt(sqlite3 *db, const char *name, const char *cols, int n)
{
    size_t len = strlen(cols) + 3 * (size_t)n + 64;
    char *sql = malloc(len);
    sqlite3_stmt *q = NULL;
    if (!sql)
        return NULL;
    size_t k = (size_t)snprintf(sql, len, "INSERT INTO %s (%s) VALUES (", name, cols);
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(sql + k, len - k, "%s?", i ? "," : "");
    snprintf(sql + k, len - k, ")");
    sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    free(sql);
    return q;
}

/* One FETCH's rows into q (values as text: the columns' affinity makes integers of them). */
static int insert_rows(struct fetch *f, PGresult *res, sqlite3_stmt *q, char err[HTTPCAP_ERRBUF])
{
    for (int r = 0; r < pq.PQntuples(res); r++) {
        for (int c = 0; c < pq.PQnfields(res); c++) {
            if (pq.PQgetisnull(res, r, c))
                sqlite3_bind_null(q, c + 1);
            else
                sqlite3_bind_text(q, c + 1, pq.PQgetvalue(res, r, c), pq.PQgetlength(res, r, c),
                                  SQLITE_STATIC);
        }
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            snprintf(err, HTTPCAP_ERRBUF, "%s: %s", f->path, sqlite3_errmsg(f->db));
            return -1;
        }
    }
    return 0;
}

/* Table name's rows matching where (on alias a) from PostgreSQL into SQLite. */
static int copy_table(struct fetch *f, const char *name, const char *a, const char *where,
                      char err[HTTPCAP_ERRBUF])
{
    int n = 0;
    char *cols = columns_of(f, name, &n);
    sqlite3_stmt *q = cols ? insert_stmt(f->db, name, cols, n) : NULL;
    size_t len = (cols ? strlen(cols) : 0) + strlen(where) + 200;
    char *sql = malloc(len);
    int rc = -1;
    if (!cols || !q || !sql) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", f->path, f->db ? sqlite3_errmsg(f->db) : "?");
        goto out;
    }
    snprintf(sql, len, "DECLARE rows NO SCROLL CURSOR FOR SELECT %s FROM %s %s WHERE %s", cols,
             name, a, where);
    if (pg_exec(f->pg, sql, name, err) != 0)
        goto out;
    for (;;) {
        PGresult *res = pg_query(f->pg, "FETCH " PG_REPORT_FETCH_TEXT " FROM rows", 0, NULL, name, err);
        int got = res ? pq.PQntuples(res) : -1;
        rc = got > 0 ? insert_rows(f, res, q, err) : got < 0 ? -1 : 0;
        pq.PQclear(res);
        if (rc != 0 || got == 0)
            break;
    }
    if (rc == 0)
        rc = pg_exec(f->pg, "CLOSE rows", name, err);
out:
    sqlite3_finalize(q);
    free(sql);
    free(cols);
    return rc;
}

static int copy_all(struct fetch *f, char err[HTTPCAP_ERRBUF])
{
    char where[1200];
    if (copy_table(f, "captures", "", "TRUE", err) != 0 ||
        copy_table(f, "capture_limits", "", "TRUE", err) != 0 ||
        copy_table(f, "capture_skips", "", "TRUE", err) != 0 ||
        copy_table(f, "capture_workers", "", "TRUE", err) != 0 ||
        copy_table(f, "transactions", "t", f->txn_where, err) != 0)
        return -1;
    snprintf(where, sizeof where, "EXISTS (SELECT 1 FROM transactions t WHERE"
                                  " t.connection_id = c.id AND %s)", f->txn_where);
    if (copy_table(f, "connections", "c", strcmp(f->txn_where, "TRUE") ? where : "TRUE",
                   err) != 0)
        return -1;
    snprintf(where, sizeof where, "EXISTS (SELECT 1 FROM transactions t WHERE"
                                  " t.id = v.transaction_id AND %s)", f->txn_where);
    return copy_table(f, "violations", "v", strcmp(f->txn_where, "TRUE") ? where : "TRUE", err);
}

/* A copy of an older PostgreSQL database says its version (see columns_of). 0, or -1 +
 * err. */
static int stamp_version(struct fetch *f, char err[HTTPCAP_ERRBUF])
{
    if (f->version >= STORE_SCHEMA_VERSION)
        return 0;
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE meta SET value = '%ld' WHERE key = 'schema_version'",
             f->version > 0 ? f->version : 1);
    if (sqlite3_exec(f->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    snprintf(err, HTTPCAP_ERRBUF, "%s: %s", f->path, sqlite3_errmsg(f->db));
    return -1;
}

/* A new empty file in $TMPDIR with the normal schema; 0 or -1 + err. */
static int make_database(char path[PG_REPORT_PATH_MAX], char err[HTTPCAP_ERRBUF])
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, PG_REPORT_PATH_MAX, "%s/httpcap-report-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot create a temporary database", path);
        return -1;
    }
    close(fd);
    struct store *st = store_open(path, err);
    if (!st || store_close(st, err) != 0) {
        pg_report_done(path);
        return -1;
    }
    return 0;
}

int pg_report_fetch(const char *url, const struct report_options *o,
                    char path[PG_REPORT_PATH_MAX], char err[HTTPCAP_ERRBUF])
{
    struct fetch f = {0};
    if (make_database(path, err) != 0)
        return -1;
    f.path = path;
    f.pg = pg_connect(url, err);
    int rc = f.pg ? build_where(&f, o, err) : -1;
    if (rc == 0 && sqlite3_open_v2(path, &f.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot open the temporary database", path);
        rc = -1;
    }
    if (rc == 0)
        rc = pg_exec(f.pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "reading", err);
    if (rc == 0 && sqlite3_exec(f.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = -1;
    if (rc == 0) {
        f.version = pg_schema_version(f.pg, err);
        rc = f.version < 0 ? -1 : 0;
    }
    if (rc == 0)
        rc = copy_all(&f, err);
    if (rc == 0)
        rc = stamp_version(&f, err);
    if (rc == 0 && sqlite3_exec(f.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", path, sqlite3_errmsg(f.db));
        rc = -1;
    }
    sqlite3_close(f.db);
    pg_close(f.pg);
    if (rc != 0)
        pg_report_done(path);
    return rc;
}

void pg_report_done(const char *path)
{
    char side[PG_REPORT_PATH_MAX + 8];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}
