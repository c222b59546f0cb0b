/*
 * pg_schema.c - sql/pg/schema.sql and sql/pg/views.sql applied, rules and status_codes
 * copied in (see pg_schema.h).
 * Owns: the in-memory SQLite database status_codes.sql is read from, during the call.
 * In:   an open connection. Out: tables, views, rows of rules, status_codes and meta.
 * Never: deletes captured rows.
 */
#include "pg_schema.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "sql_embed.h"
#include "store.h"

static int copy_str(struct pg *pg, const char *s)
{
    if (s)
        pg_copy_text(pg, s, strlen(s));
    else
        pg_copy_null(pg);
    return 0;
}

/* The built-in rule table into stage_rules. */
static int copy_rules(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    if (pg_copy_begin(pg, "COPY stage_rules (id, severity, reference, reference_old, summary,"
                          " hint) FROM STDIN", err) != 0)
        return -1;
    int rc = 0;
    for (int r = 0; r < RULE_COUNT && rc == 0; r++) {
        const struct rule_info *ri = rules_get((enum rule_id)r);
        copy_str(pg, ri->id);
        copy_str(pg, rules_severity_name(ri->severity));
        copy_str(pg, ri->reference);
        copy_str(pg, ri->reference_old);
        copy_str(pg, ri->summary);
        copy_str(pg, ri->hint);
        rc = pg_copy_row(pg, err);
    }
    return pg_copy_end(pg, err) == 0 ? rc : -1;
}

#define STATUS_COLUMNS                                                                     \
    "code, reason, reason_rfc7231, class, registered, status, cacheable, reference, meaning," \
    " hint"

/* Every row of q (columns of STATUS_COLUMNS) into stage_status_codes. */
static int copy_status_rows(struct pg *pg, sqlite3_stmt *q, char err[HTTPCAP_ERRBUF])
{
    if (pg_copy_begin(pg, "COPY stage_status_codes (" STATUS_COLUMNS ") FROM STDIN", err) != 0)
        return -1;
    int rc = 0;
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(q); i++) {
            if (sqlite3_column_type(q, i) == SQLITE_INTEGER)
                pg_copy_int(pg, sqlite3_column_int64(q, i));
            else
                copy_str(pg, (const char *)sqlite3_column_text(q, i));
        }
        rc = pg_copy_row(pg, err);
    }
    return pg_copy_end(pg, err) == 0 ? rc : -1;
}

/* sql/status_codes.sql, run in an in-memory SQLite database, into stage_status_codes. */
static int copy_status_codes(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    sqlite3 *mem = NULL;
    sqlite3_stmt *q = NULL;
    const char *sql = sql_embedded("status_codes.sql");
    int rc = -1;
    if (sql && sqlite3_open(":memory:", &mem) == SQLITE_OK &&
        sqlite3_exec(mem, sql, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(mem, "SELECT " STATUS_COLUMNS " FROM status_codes ORDER BY code", -1,
                           &q, NULL) == SQLITE_OK)
        rc = copy_status_rows(pg, q, err);
    else
        snprintf(err, HTTPCAP_ERRBUF, "status_codes.sql: %s", mem ? sqlite3_errmsg(mem) : "?");
    sqlite3_finalize(q);
    sqlite3_close(mem);
    return rc;
}

long pg_schema_version(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    PGresult *res = pg_query(pg, "SELECT value FROM meta WHERE key = 'schema_version'", 0, NULL,
                             "reading the schema version", err);
    if (!res)
        return -1;
    long v = pq.PQntuples(res) > 0 ? strtol(pq.PQgetvalue(res, 0, 0), NULL, 10) : 0;
    pq.PQclear(res);
    return v;
}

static int apply_locked(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    const char *schema = sql_embedded("pg/schema.sql");
    const char *views = sql_embedded("pg/views.sql");
    if (!schema || !views) {
        snprintf(err, HTTPCAP_ERRBUF, "sql/pg/ is not built in");
        return -1;
    }
    if (pg_exec(pg, schema, "creating tables (sql/pg/schema.sql)", err) != 0)
        return -1;
    long v = pg_schema_version(pg, err);
    if (v < 0)
        return -1;
    if (v > STORE_SCHEMA_VERSION) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "the database has schema version %ld, this httpcap knows version %d: use a "
                 "newer httpcap or another database", v, STORE_SCHEMA_VERSION);
        return -1;
    }
    /* version 3's counts: pg/schema.sql added the columns (0 in older rows) */
    if (v > 0 && v < 3 &&
        pg_exec(pg, STORE_COUNT_TRUNCATED_SQL, "upgrading to version 3", err) != 0)
        return -1;
    char meta[160];
    snprintf(meta, sizeof meta,
             "INSERT INTO meta (key, value) VALUES ('schema_version', '%d')"
             " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", STORE_SCHEMA_VERSION);
    if (pg_exec(pg, views, "creating views (sql/pg/views.sql)", err) != 0 ||
        pg_exec(pg, meta, "writing the schema version", err) != 0 ||
        pg_exec(pg, "CREATE TEMP TABLE stage_rules (LIKE rules) ON COMMIT DROP;"
                    " CREATE TEMP TABLE stage_status_codes (LIKE status_codes) ON COMMIT DROP",
                "staging", err) != 0 ||
        copy_rules(pg, err) != 0 || copy_status_codes(pg, err) != 0)
        return -1;
    return pg_exec(pg,
                   "INSERT INTO rules SELECT * FROM stage_rules ON CONFLICT (id) DO UPDATE SET"
                   " (severity, reference, reference_old, summary, hint) = (EXCLUDED.severity,"
                   " EXCLUDED.reference, EXCLUDED.reference_old, EXCLUDED.summary,"
                   " EXCLUDED.hint);"
                   " INSERT INTO status_codes SELECT * FROM stage_status_codes"
                   " ON CONFLICT (code) DO UPDATE SET (" STATUS_COLUMNS ") = (EXCLUDED.code,"
                   " EXCLUDED.reason, EXCLUDED.reason_rfc7231, EXCLUDED.class,"
                   " EXCLUDED.registered, EXCLUDED.status, EXCLUDED.cacheable,"
                   " EXCLUDED.reference, EXCLUDED.meaning, EXCLUDED.hint)",
                   "writing rules and status_codes", err);
}

int pg_schema_apply(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    if (pg_exec(pg, "BEGIN; SELECT pg_advisory_xact_lock(" PG_SCHEMA_LOCK ")",
                "starting the schema update", err) != 0)
        return -1;
    if (apply_locked(pg, err) != 0) {
        char ignore[HTTPCAP_ERRBUF];
        pg_exec(pg, "ROLLBACK", NULL, ignore);
        return -1;
    }
    return pg_exec(pg, "COMMIT", "committing the schema", err);
}
