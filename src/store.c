/*
 * store.c - the SQLite database: schema, prepared statements, batched commits.
 * Owns: the sqlite3 handle, its prepared statements, the open write transaction,
 *       the next connection id.
 * In:   store_capture, store_conn and txn records (copied while binding).
 * Out:  rows in connections, transactions, violations, headers (the capture row and its
 *       side tables are store_capture.c's).
 * Never: parses HTTP or packets; keeps a bound pointer after a call returns.
 */
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "outpath.h"
#include "store_private.h"
#include "store_stage.h"
#include "rules.h"
#include "sql_embed.h"


/* Rows per write transaction: large batches make inserts cheap (one fsync each). */
#define STORE_BATCH_ROWS 50000

/* SQLite's page cache for the writing connection (16 MiB): a batch of transactions (about
 * 250 bytes a row) fits, so SQLite need not spill dirty pages into the WAL before the
 * commit and read them back (its default of 2 MiB spilled: 55,000 writes and 25,000 reads
 * of 4 KiB pages per 200 MB of heavy capture instead of 33,000 and 18,000). */
#define STORE_CACHE_PRAGMA "PRAGMA cache_size=-16384"

/* The page size of a database this program creates (SQLite's default is 4 KiB; an
 * existing database keeps its own): a quarter as many pages to fill, balance, write into
 * the WAL and copy back, each a system call. Reading 1 GB of heavy capture went from
 * 2.97 to 2.66 s and from 5.05 to 4.52 s of CPU (medians of five alternating rounds), the
 * report of its database from 0.50 to 0.45 s; 32 KiB was no faster and used 55 MB
 * instead of 44 MB. Before journal_mode, whose switch to WAL writes the first page. */
#define STORE_PAGE_PRAGMA "PRAGMA page_size=16384"

/* For the index build at the end, SQLite's default cache (2 MiB) and two sorter threads:
 * with the 16 MiB cache the sorter keeps larger runs in memory and CREATE INDEX on the
 * transactions of 1 GB of heavy capture took 0.64 s instead of 0.41 s (sqlite3 shell).
 * Inside `httpcap read` of that capture the build took 0.45-0.49 s (0.58-0.59 s with one
 * sorter thread) and the peak RSS fell from 48 to 38 MB, in 4 KiB pages; in 16 KiB pages
 * it takes 0.34-0.37 s, and -1000, -8000 or temp_store=MEMORY (0.65-0.83 s) are no
 * better. */
#define STORE_INDEX_PRAGMA "PRAGMA cache_size=-2000; PRAGMA threads=2"

/* How long to wait for another process's lock on the database (ms), and the variable
 * that changes it (tests use a short wait). */
#define STORE_BUSY_MS 10000
#define STORE_BUSY_MAX_MS 3600000
#define STORE_BUSY_ENV "HTTPCAP_BUSY_TIMEOUT_MS"
#define STORE_SCHEMA_MIN_VERSION 1 /* the oldest version upgraded in place */

/* The columns of the staged inserts, in the order store_put_txn and store_put_conn stage
 * them (0-based: TXN_* below). */
#define TXN_COLUMNS                                                                          \
    "capture_id, connection_id, seq, method, host, uri, request_version, status, reason,"    \
    " response_version, interim, request_start_ns, request_end_ns, response_start_ns,"       \
    " response_end_ns, request_header_bytes, request_body_bytes, request_body_wire_bytes,"   \
    " response_header_bytes, response_body_bytes, response_body_wire_bytes, content_type,"  \
    " content_encoding, server, location, user_agent, request_id, violations, flags, id"
#define TXN_N_COLUMNS 30
#define CONN_COLUMNS                                                                         \
    "id, capture_id, ip_version, client_ip, client_port, server_ip, server_port, protocol,"  \
    " roles_known, saw_syn, first_ns, last_ns, end_reason, client_packets, server_packets,"  \
    " client_bytes, server_bytes, client_retransmits, server_retransmits,"                  \
    " client_out_of_order, server_out_of_order, client_gap_bytes, server_gap_bytes,"        \
    " overlap_conflicts, transactions, truncated, truncated_with_status"
#define CONN_N_COLUMNS 27

static const char *const stmt_sql[ST_COUNT] = {
    [ST_VIOLATION] = "INSERT INTO violations (transaction_id, rule, severity, detail, id)"
                     " VALUES (?,?,?,?,?)",
    [ST_HEADER] = "INSERT INTO headers (transaction_id, direction, position, name, value)"
                  " VALUES (?,?,?,?,?)",
};

/* The lock wait in ms: STORE_BUSY_ENV when set, else STORE_BUSY_MS; -1 when the variable
 * is not a number from 0 to STORE_BUSY_MAX_MS. */
static long busy_timeout_ms(void)
{
    const char *v = getenv(STORE_BUSY_ENV);
    if (!v)
        return STORE_BUSY_MS;
    char *end = NULL;
    errno = 0;
    long ms = strtol(v, &end, 10);
    if (end == v || *end != '\0' || errno != 0 || ms < 0 || ms > STORE_BUSY_MAX_MS)
        return -1;
    return ms;
}

/* What to do about an SQLite error, by its code: "" when SQLite's message says it all. */
static void error_hint(sqlite3 *db, char *hint, size_t cap)
{
    int ext = sqlite3_extended_errcode(db);
    int sys = sqlite3_system_errno(db);
    hint[0] = '\0';
    switch (ext & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(hint, cap, " by another process (waited %.1f s; %s sets the wait)",
                 (double)busy_timeout_ms() / 1000, STORE_BUSY_ENV);
        break;
    case SQLITE_FULL:
        snprintf(hint, cap, " (rows committed before this are kept; free some space)");
        break;
    case SQLITE_READONLY:
        snprintf(hint, cap, " (check that you may write the file, its directory and its -wal "
                            "and -shm files)");
        break;
    case SQLITE_NOTADB:
        snprintf(hint, cap, " (httpcap leaves it alone: give a new file or an httpcap database)");
        break;
    case SQLITE_CANTOPEN:
        if (ext == SQLITE_CANTOPEN_SYMLINK)
            snprintf(hint, cap, " (it became a symbolic link after it was checked)");
        else if (sys)
            snprintf(hint, cap, " (%s)", strerror(sys));
        break;
    case SQLITE_IOERR:
        if (sys)
            snprintf(hint, cap, " (%s)", strerror(sys));
        break;
    default:
        break;
    }
}

/* err = "what: SQLite's message (what to do about it)"; what may be NULL. */
void store_set_err(char err[HTTPCAP_ERRBUF], const char *what, sqlite3 *db)
{
    char hint[200];
    if (!db) {
        snprintf(err, HTTPCAP_ERRBUF, "%s%sout of memory", what ? what : "", what ? ": " : "");
        return;
    }
    error_hint(db, hint, sizeof hint);
    snprintf(err, HTTPCAP_ERRBUF, "%.100s%s%.200s%s", what ? what : "", what ? ": " : "",
             sqlite3_errmsg(db), hint);
}

static int exec_sql(struct store *st, const char *sql, const char *what,
                    char err[HTTPCAP_ERRBUF])
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_set_err(err, what, st->db);
        st->has_failed = 1;
        return -1;
    }
    return 0;
}

int64_t store_wall_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One integer from a query; -1 + err when it cannot be read. */
static int query_int(struct store *st, const char *sql, int *out, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        store_set_err(err, NULL, st->db);
        sqlite3_finalize(q);
        return -1;
    }
    *out = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return 0;
}

/* The schema_version in meta: 1 with *version (-1 when it is not a plain number), 0 when
 * there is none, -1 + err when it cannot be read. */
static int read_version(struct store *st, long *version, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema_version'",
                                -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_set_err(err, "reading schema version", st->db);
        sqlite3_finalize(q);
        return -1;
    }
    const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
    char *end = NULL;
    errno = 0;
    *version = text ? strtol(text, &end, 10) : -1;
    if (!text || end == text || *end != '\0' || errno != 0 || *version < 0)
        *version = -1;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW;
}

/* -1 + err unless version is this program's or one it upgrades in place. */
static int version_error(long version, char err[HTTPCAP_ERRBUF])
{
    if (version >= STORE_SCHEMA_MIN_VERSION && version <= STORE_SCHEMA_VERSION)
        return 0;
    if (version > STORE_SCHEMA_VERSION)
        snprintf(err, HTTPCAP_ERRBUF,
                 "database has schema version %ld, this httpcap knows version %d: use a newer "
                 "httpcap or another database",
                 version, STORE_SCHEMA_VERSION);
    else if (version >= 0)
        snprintf(err, HTTPCAP_ERRBUF,
                 "database has schema version %ld, this httpcap knows version %d and cannot "
                 "upgrade it: use another database",
                 version, STORE_SCHEMA_VERSION);
    else
        snprintf(err, HTTPCAP_ERRBUF,
                 "database has an unreadable schema version, this httpcap knows version %d: "
                 "use another database",
                 STORE_SCHEMA_VERSION);
    return -1;
}

/*
 * Before anything is written (even the switch to WAL): the file must be empty, or an
 * httpcap database of this schema version. Another program's database, a damaged one and
 * a file that is not a database are refused unchanged.
 */
static int check_identity(struct store *st, char err[HTTPCAP_ERRBUF])
{
    int kind = 0; /* 0 empty, 1 something else's, 2 has a meta table */
    long version = -1;
    if (query_int(st,
                  "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM sqlite_master) THEN 0"
                  " WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table'"
                  " AND name = 'meta') THEN 2 ELSE 1 END",
                  &kind, err) != 0)
        return -1;
    st->was_empty = kind == 0;
    if (kind == 0)
        return 0;
    int found = kind == 2 ? read_version(st, &version, err) : 0;
    if (found < 0)
        return -1;
    if (!found) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "an SQLite database but not httpcap's (%s): httpcap leaves it alone; give a "
                 "new file or an httpcap database",
                 kind == 2 ? "no schema_version in meta" : "no meta table");
        return -1;
    }
    return version_error(version, err);
}

/* Version 3's per-connection counts of truncated transactions, added to an older
 * database and counted from the flags of its rows (one scan of transactions, once). */
#define STORE_UPGRADE_3                                                                      \
    "ALTER TABLE connections ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;"              \
    " ALTER TABLE connections ADD COLUMN truncated_with_status INTEGER NOT NULL DEFAULT 0;" \
    " " STORE_COUNT_TRUNCATED_SQL

/* Inside the schema transaction (another process may have created the file meanwhile):
 * refuse another version, upgrade an older one we know, stamp ours on a new database.
 * Version 1 lacked captures.sensor (NULL in its old rows), version 2 the truncated
 * counts of connections. */
static int check_schema_version(struct store *st, char err[HTTPCAP_ERRBUF])
{
    long version = -1;
    int found = read_version(st, &version, err);
    if (found < 0 || (found && version_error(version, err) != 0))
        return -1;
    if (found && version < 2 &&
        exec_sql(st, "ALTER TABLE captures ADD COLUMN sensor TEXT", "upgrading to version 2",
                 err) != 0)
        return -1;
    if (found && version < 3 &&
        exec_sql(st, STORE_UPGRADE_3, "upgrading to version 3", err) != 0)
        return -1;
    char sql[128];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '%d')",
             STORE_SCHEMA_VERSION);
    return exec_sql(st, sql, "writing schema version", err);
}

/* The rules table mirrors the built-in catalogue (rules.h). */
static int fill_rules(struct store *st, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO rules (id, severity, reference, reference_old,"
                           " summary, hint) VALUES (?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK) {
        store_set_err(err, "preparing rules", st->db);
        return -1;
    }
    int rc = 0;
    for (int r = 0; r < RULE_COUNT && rc == 0; r++) {
        const struct rule_info *ri = rules_get((enum rule_id)r);
        sqlite3_bind_text(q, 1, ri->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, rules_severity_name(ri->severity), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, ri->reference, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, ri->reference_old, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, ri->summary, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, ri->hint, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) {
            store_set_err(err, "writing rules", st->db);
            rc = -1;
        }
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    sqlite3_finalize(q);
    return rc;
}

static const char *const schema_files[] = {"schema.sql", "status_codes.sql", "views.sql"};

/* FNV-1a of s and its NUL (so that "ab", "c" and "a", "bc" differ), on from h. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    do
        h = (h ^ *p) * 0x100000001b3ULL;
    while (*p++);
    return h;
}

/* What apply_schema writes, as 16 hex digits: the schema version (as text), the embedded
 * SQL and the rules catalogue. */
static void schema_fingerprint(const char *version, char out[17])
{
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, version);
    for (size_t i = 0; i < sizeof schema_files / sizeof schema_files[0]; i++)
        h = fnv1a(h, sql_embedded(schema_files[i]));
    for (int r = 0; r < RULE_COUNT; r++) {
        const struct rule_info *ri = rules_get((enum rule_id)r);
        const char *fields[] = {ri->id, rules_severity_name(ri->severity), ri->reference,
                                ri->reference_old, ri->summary, ri->hint};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            h = fnv1a(h, fields[i]);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* 1 when meta says this program's schema is already in place (schema_version and the
 * fingerprint of the last apply_schema both match), else 0 (also for a new file). */
static int schema_is_current(struct store *st, const char *version, const char *fingerprint)
{
    sqlite3_stmt *q = NULL;
    int current = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FROM meta WHERE (key = 'schema_version' AND"
                           " value = ?1) OR (key = 'schema_fingerprint' AND value = ?2)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, version, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, fingerprint, -1, SQLITE_STATIC);
        current = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 2;
    }
    sqlite3_finalize(q);
    return current;
}

/* Create or upgrade the tables and views and refresh the status codes and rules; skipped
 * when the database already holds exactly that (4 of the 14 ms a small read takes). */
static int apply_schema(struct store *st, char err[HTTPCAP_ERRBUF])
{
    char version[16], fingerprint[17];
    snprintf(version, sizeof version, "%d", STORE_SCHEMA_VERSION);
    schema_fingerprint(version, fingerprint);
    if (schema_is_current(st, version, fingerprint))
        return 0;
    if (exec_sql(st, "BEGIN IMMEDIATE", "starting schema update", err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof schema_files / sizeof schema_files[0]; i++) {
        const char *sql = sql_embedded(schema_files[i]);
        if (sql && exec_sql(st, sql, schema_files[i], err) != 0)
            goto fail;
    }
    char sql[128];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_fingerprint', '%s')",
             fingerprint);
    if (check_schema_version(st, err) != 0 || fill_rules(st, err) != 0 ||
        exec_sql(st, sql, "writing the schema fingerprint", err) != 0)
        goto fail;
    return exec_sql(st, "COMMIT", "committing schema", err);
fail:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int prepare_all(struct store *st, char err[HTTPCAP_ERRBUF])
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
                               NULL) != SQLITE_OK) {
            store_set_err(err, "preparing statements", st->db);
            return -1;
        }
    }
    char why[HTTPCAP_ERRBUF];
    st->txns = stage_open(st->db, "httpcap_staged_transactions", "transactions", TXN_COLUMNS,
                          TXN_N_COLUMNS, why);
    if (st->txns)
        st->conns = stage_open(st->db, "httpcap_staged_connections", "connections",
                               CONN_COLUMNS, CONN_N_COLUMNS, why);
    if (!st->conns) {
        snprintf(err, HTTPCAP_ERRBUF, "preparing statements: %.400s", why);
        return -1;
    }
    return store_spool_load(st, err);
}

static void free_store(struct store *st)
{
    checkpointer_stop(st->ckpt);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    stage_close(st->txns);
    stage_close(st->conns);
    sqlite3_close(st->db);
    free(st);
}

/* When path does not exist, say why it could not be created (SQLite's errno is that of its
 * last, read-only attempt): 0 and why, or -1 when the file exists. */
static int explain_create(const char *path, char *why, size_t cap)
{
    struct stat sb;
    char dir[PATH_MAX];
    if (lstat(path, &sb) == 0 || errno != ENOENT)
        return -1;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir ? 1 : 0] = '\0';
    if (euidaccess(dir, W_OK | X_OK) == 0)
        return -1;
    snprintf(why, cap, "cannot create the database in the directory %.200s: %s", dir,
             strerror(errno));
    return 0;
}

/* Open the file; a path with no symbolic link in it is opened with SQLITE_OPEN_NOFOLLOW, so
 * a link planted after outpath_check is refused too. */
static int open_file(struct store *st, const char *path, char err[HTTPCAP_ERRBUF])
{
    int kind = outpath_check_db(path, err);
    if (kind == OUTPATH_REFUSED)
        return -1;
    long busy_ms = busy_timeout_ms();
    if (busy_ms < 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: not a number of milliseconds from 0 to %d",
                 STORE_BUSY_ENV, STORE_BUSY_MAX_MS);
        return -1;
    }
    /* one thread uses the connection: no per-call mutex */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (kind == OUTPATH_PLAIN)
        flags |= SQLITE_OPEN_NOFOLLOW;
    char inner[HTTPCAP_ERRBUF];
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        if (explain_create(path, inner, sizeof inner) != 0)
            store_set_err(inner, "cannot open database", st->db);
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", path, inner);
        return -1;
    }
    sqlite3_busy_timeout(st->db, (int)busy_ms);
    return 0;
}

/* PRAGMA synchronous for the connection: OFF for a bulk load into a new database. */
static const char *sync_pragma(const struct store *st, int bulk)
{
    return bulk && st->was_empty ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL";
}

static struct store *open_store(const char *path, int bulk, char err[HTTPCAP_ERRBUF])
{
    struct store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", path);
        return NULL;
    }
    if (open_file(st, path, err) != 0) {
        free_store(st);
        return NULL;
    }
    char inner[HTTPCAP_ERRBUF];
    if (check_identity(st, inner) != 0 ||
        exec_sql(st, STORE_PAGE_PRAGMA, NULL, inner) != 0 ||
        exec_sql(st, sync_pragma(st, bulk), NULL, inner) != 0 || /* before the switch to WAL */
        exec_sql(st, "PRAGMA journal_mode=WAL", NULL, inner) != 0 ||
        exec_sql(st, STORE_CACHE_PRAGMA, NULL, inner) != 0 ||
        apply_schema(st, inner) != 0 || prepare_all(st, inner) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", path, inner);
        free_store(st);
        return NULL;
    }
    return st;
}

struct store *store_open(const char *path, char err[HTTPCAP_ERRBUF])
{
    return open_store(path, 0, err);
}

struct store *store_open_bulk(const char *path, char err[HTTPCAP_ERRBUF])
{
    return open_store(path, 1, err);
}

/* Open a write transaction when none is open. */
int store_begin_batch(struct store *st, char err[HTTPCAP_ERRBUF])
{
    if (st->in_txn)
        return 0;
    if (exec_sql(st, "BEGIN", "starting a write transaction", err) != 0)
        return -1;
    st->in_txn = 1;
    st->batch_rows = 0;
    return 0;
}

/* Insert the staged rows. 0, or -1 + err (the store has failed). */
static int flush_stages(struct store *st, char err[HTTPCAP_ERRBUF])
{
    const char *what = NULL;
    if (stage_flush(st->txns) != SQLITE_OK)
        what = "writing a transaction";
    else if (stage_flush(st->conns) != SQLITE_OK)
        what = "writing a connection";
    if (!what)
        return 0;
    store_set_err(err, what, st->db);
    st->has_failed = 1;
    return -1;
}

int store_commit(struct store *st, char err[HTTPCAP_ERRBUF])
{
    if (st->has_failed) { /* its transaction may hold part of a failed insert */
        snprintf(err, HTTPCAP_ERRBUF, "a write failed earlier: nothing more is committed");
        return -1;
    }
    if (!st->in_txn)
        return 0;
    if (flush_stages(st, err) != 0)
        return -1;
    st->in_txn = 0;
    return exec_sql(st, "COMMIT", "committing", err);
}

/* Count a row; commit once the batch is full, or early when the checkpoint thread asks
 * for a short batch so that the WAL can start over (see checkpoint.c). */
static int row_written(struct store *st, char err[HTTPCAP_ERRBUF])
{
    if (++st->batch_rows >= STORE_BATCH_ROWS || checkpointer_restart_ready(st->ckpt))
        return store_commit(st, err);
    return 0;
}

void store_bind_opt_int64(sqlite3_stmt *q, int col, int present, int64_t v)
{
    if (present)
        sqlite3_bind_int64(q, col, v);
    else
        sqlite3_bind_null(q, col);
}

/* Bind a NUL-terminated string, NULL when empty. */
void store_bind_text_or_null(sqlite3_stmt *q, int col, const char *s)
{
    if (s && s[0])
        sqlite3_bind_text(q, col, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, col);
}

/* Step, reset and clear: no statement keeps a pointer past the call. */
static int step_done(struct store *st, sqlite3_stmt *q, const char *what,
                     char err[HTTPCAP_ERRBUF])
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE) {
        store_set_err(err, what, st->db);
        st->has_failed = 1;
        return -1;
    }
    return 0;
}

/* Append name to out (comma-separated), as long as it fits with its NUL. */
static size_t append_item(char *out, size_t n, size_t cap, const char *name, size_t len)
{
    if (n + (n ? 1 : 0) + len + 1 > cap)
        return n;
    if (n)
        out[n++] = ',';
    memcpy(out + n, name, len);
    n += len;
    out[n] = '\0';
    return n;
}

void store_format_flags(uint32_t flags, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
#define FLAG_NAME(id, bit, name)                                                    \
    if (flags & (id))                                                               \
        n = append_item(out, n, cap, name, sizeof(name) - 1);
    TXN_FLAGS(FLAG_NAME)
#undef FLAG_NAME
}

void store_format_interim(const struct txn *t, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < t->n_interim && i < TXN_MAX_INTERIM; i++) {
        char code[8];
        int len = snprintf(code, sizeof code, "%u", (unsigned)t->interim[i]);
        n = append_item(out, n, cap, code, (size_t)len);
    }
}

void store_format_version(uint8_t major, uint8_t minor, char version[8])
{
    version[0] = (char)('0' + major % 10);
    version[1] = '.';
    version[2] = (char)('0' + minor % 10);
    version[3] = '\0';
}

static void stage_request(struct store_stage *sg, const struct txn *t)
{
    char version[8];
    if (!t->has_request)
        return;
    store_format_version(t->req_major, t->req_minor, version);
    stage_text_or_null(sg, 3, t->method);
    stage_text_or_null(sg, 4, t->host);
    stage_text_or_null(sg, 5, t->uri);
    stage_text(sg, 6, version);
    stage_int(sg, 11, t->request_start_ns);
    stage_opt_int(sg, 12, t->request_complete, t->request_end_ns);
    stage_int(sg, 15, (int64_t)t->request_header_bytes);
    stage_int(sg, 16, (int64_t)t->request_body_bytes);
    stage_int(sg, 17, (int64_t)t->request_body_wire_bytes);
    stage_text_or_null(sg, 25, t->user_agent);
    stage_text_or_null(sg, 26, t->request_id);
}

static void stage_response(struct store_stage *sg, const struct txn *t)
{
    char version[8];
    if (!t->has_response)
        return;
    store_format_version(t->resp_major, t->resp_minor, version);
    stage_int(sg, 7, t->status);
    stage_text(sg, 8, t->reason);
    stage_text(sg, 9, version);
    stage_int(sg, 13, t->response_start_ns);
    stage_int(sg, 14, t->response_end_ns);
    stage_int(sg, 18, (int64_t)t->response_header_bytes);
    stage_int(sg, 19, (int64_t)t->response_body_bytes);
    stage_int(sg, 20, (int64_t)t->response_body_wire_bytes);
    stage_text_or_null(sg, 21, t->content_type);
    stage_text_or_null(sg, 22, t->content_encoding);
    stage_text_or_null(sg, 23, t->server);
    stage_text_or_null(sg, 24, t->location);
}

/* Violation ids come from the store's counter, not SQLite's rowid: a spool deletes shipped
 * rows, and a reused id would collide with one already in PostgreSQL. */
static int put_violations(struct store *st, int64_t txn_id, const struct txn_violations *v,
                          char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = st->stmt[ST_VIOLATION];
    for (unsigned i = 0; i < v->n && i < TXN_MAX_VIOLATIONS; i++) {
        const struct rule_info *ri = rules_get((enum rule_id)v->v[i].rule);
        if (!ri)
            continue;
        sqlite3_bind_int64(q, 1, txn_id);
        sqlite3_bind_text(q, 2, ri->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, rules_severity_name(ri->severity), -1, SQLITE_STATIC);
        store_bind_text_or_null(q, 4, v->v[i].detail);
        sqlite3_bind_int64(q, 5, (int64_t)++st->next_viol_id);
        if (step_done(st, q, "writing a violation", err) != 0)
            return -1;
    }
    return 0;
}

static int put_headers(struct store *st, int64_t txn_id, const struct txn *t,
                       char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = st->stmt[ST_HEADER];
    int pos[2] = {0, 0};
    for (uint32_t i = 0; i < t->n_headers; i++) {
        const struct txn_header *h = &t->headers[i];
        int dir = h->is_response ? 1 : 0;
        sqlite3_bind_int64(q, 1, txn_id);
        sqlite3_bind_text(q, 2, dir ? "response" : "request", -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, ++pos[dir]);
        sqlite3_bind_text(q, 4, h->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, h->value, -1, SQLITE_STATIC);
        if (step_done(st, q, "writing a header", err) != 0)
            return -1;
    }
    return 0;
}

/* End a staged row of sg; insert the staged rows when the stage is full or now is set.
 * 0, or -1 + err ("what: SQLite's message"). */
static int end_staged_row(struct store *st, struct store_stage *sg, int now, const char *what,
                          char err[HTTPCAP_ERRBUF])
{
    int full = stage_row_done(sg);
    if (full < 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", what);
        st->has_failed = 1;
        return -1;
    }
    if ((full || now) && stage_flush(sg) != SQLITE_OK) {
        store_set_err(err, what, st->db);
        st->has_failed = 1;
        return -1;
    }
    return 0;
}

int store_put_txn(struct store *st, int64_t capture_id, const struct txn *t,
                  const struct txn_violations *v, char err[HTTPCAP_ERRBUF])
{
    if (store_begin_batch(st, err) != 0)
        return -1;
    struct store_stage *sg = st->txns;
    char flags[STORE_FLAGS_MAX], interim[STORE_INTERIM_MAX];
    store_format_flags(t->flags, flags, sizeof flags);
    store_format_interim(t, interim, sizeof interim);
    stage_row(sg);
    stage_int(sg, 0, capture_id);
    stage_int(sg, 1, (int64_t)t->connection_id);
    stage_int(sg, 2, t->seq);
    stage_request(sg, t);
    stage_response(sg, t);
    stage_text_or_null(sg, 10, interim);
    stage_int(sg, 27, v->n);
    stage_text(sg, 28, flags);
    stage_opt_int(sg, 29, t->id != 0, (int64_t)t->id);
    /* without an id SQLite picks it: insert now to learn it */
    if (end_staged_row(st, sg, t->id == 0, "writing a transaction", err) != 0)
        return -1;
    int64_t id = t->id != 0 ? (int64_t)t->id : sqlite3_last_insert_rowid(st->db);
    if (put_violations(st, id, v, err) != 0 || put_headers(st, id, t, err) != 0)
        return -1;
    return row_written(st, err);
}

/* Dotted decimal by hand: glibc's inet_ntop formats an IPv4 address through sprintf,
 * about 1,700 instructions, and each connection row needs two. */
static void format_ipv4(const uint8_t ip[4], char out[16])
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = ip[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

void store_format_ip(uint8_t ip_version, const uint8_t ip[16], char out[46])
{
    if (ip_version != 6)
        format_ipv4(ip, out);
    else if (!inet_ntop(AF_INET6, ip, out, 46))
        snprintf(out, 46, "?");
}

int store_put_conn(struct store *st, int64_t capture_id, const struct store_conn *c,
                   char err[HTTPCAP_ERRBUF])
{
    if (store_begin_batch(st, err) != 0)
        return -1;
    struct store_stage *sg = st->conns;
    char ip[2][46];
    store_format_ip(c->ip_version, c->ip[0], ip[0]);
    store_format_ip(c->ip_version, c->ip[1], ip[1]);
    stage_row(sg);
    int col = 0;
    stage_int(sg, col++, (int64_t)c->id);
    stage_int(sg, col++, capture_id);
    stage_int(sg, col++, c->ip_version);
    stage_text(sg, col++, ip[0]);
    stage_int(sg, col++, c->port[0]);
    stage_text(sg, col++, ip[1]);
    stage_int(sg, col++, c->port[1]);
    stage_text(sg, col++, c->protocol);
    stage_int(sg, col++, c->roles_known);
    stage_int(sg, col++, c->saw_syn);
    stage_int(sg, col++, c->first_ns);
    stage_int(sg, col++, c->last_ns);
    stage_text(sg, col++, c->end_reason);
    const uint64_t *pairs[] = {c->packets, c->bytes, c->retransmits, c->out_of_order,
                               c->gap_bytes};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        stage_int(sg, col++, (int64_t)pairs[i][0]);
        stage_int(sg, col++, (int64_t)pairs[i][1]);
    }
    stage_int(sg, col++, (int64_t)c->overlap_conflicts);
    stage_int(sg, col++, c->transactions);
    stage_int(sg, col++, c->truncated);
    stage_int(sg, col++, c->truncated_with_status);
    if (end_staged_row(st, sg, 0, "writing a connection", err) != 0)
        return -1;
    return row_written(st, err);
}

void store_last_ids(const struct store *st, uint64_t *conn, uint64_t *txn)
{
    *conn = st->next_conn_id;
    *txn = st->next_txn_id;
}

void store_checkpoint_behind(struct store *st)
{
    const char *path = sqlite3_db_filename(st->db, "main");
    if (!st->ckpt && path && *path)
        st->ckpt = checkpointer_start(st->db, path);
}

int store_close(struct store *st, char err[HTTPCAP_ERRBUF])
{
    if (!st)
        return 0;
    if (st->has_failed) {
        /* a half-written batch is not committed (the failed call already said why) */
        if (!sqlite3_get_autocommit(st->db))
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        free_store(st);
        snprintf(err, HTTPCAP_ERRBUF, "a write failed earlier: rows after the last commit "
                                      "were rolled back");
        return -1;
    }
    int rc = store_commit(st, err);
    const char *idx = sql_embedded("indexes.sql");
    if (rc == 0 && idx)
        rc = exec_sql(st, STORE_INDEX_PRAGMA, "building indexes", err);
    if (rc == 0 && idx)
        rc = exec_sql(st, idx, "building indexes", err);
    /* only now: the checkpoint thread's last copy overlapped the index build */
    free_store(st);
    return rc;
}
