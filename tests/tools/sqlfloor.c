/*
 * sqlfloor.c - the storage floor of `make bench`: SQLite alone storing the rows of a read.
 * Owns: an in-memory copy of one database's per-row tables, and the timing of inserting
 *       it into a new database the way the speed issue measures "SQLite alone": one
 *       prepared INSERT per table with bound values, WAL, synchronous=NORMAL, 10,000 rows
 *       per transaction, no secondary index until the rows are in; then the indexes. The
 *       pages are 16 KiB, as in the databases httpcap creates (src/store.c): the floor
 *       of the same storage (with SQLite's 4 KiB it is about 20% slower).
 * In:   SRC (a database written by httpcap read), OUT (the file to write; replaced),
 *       SCHEMA (sql/schema.sql) and INDEXES (sql/indexes.sql).
 * Out:  one line on stdout: rows=N insert_ns=... index_ns=... ns=... (ns: both together).
 * Never: counts loading SRC or checkpointing (httpcap checkpoints on another thread), so
 *        ns is a lower bound of what storing these rows in SQLite costs one thread.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbfiles.h"

#define ROWS_PER_COMMIT 10000
#define MAX_COLUMNS 64
#define SQL_MAX (1u << 20) /* the largest SCHEMA or INDEXES file read */

/* The tables httpcap writes a row to per connection, transaction, breach or header. */
static const char *const tables[] = {"connections", "transactions", "violations", "headers"};
#define N_TABLES (sizeof tables / sizeof tables[0])

/* One table's rows, packed: per value a type byte, then an int64, a double, or a
 * uint32 length and that many bytes (text or blob); NULL has no payload. */
struct table_copy {
    const char *name;
    int n_cols;
    uint64_t n_rows;
    unsigned char *buf;
    size_t len, cap;
};

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "sqlfloor: %s: %s\n", what, detail);
    exit(1);
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void put(struct table_copy *t, const void *p, size_t n)
{
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap : 1u << 20;
        while (cap < t->len + n)
            cap *= 2;
        unsigned char *b = realloc(t->buf, cap);
        if (!b)
            die(t->name, "out of memory");
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

static void put_value(struct table_copy *t, sqlite3_stmt *q, int col)
{
    unsigned char type = (unsigned char)sqlite3_column_type(q, col);
    put(t, &type, 1);
    if (type == SQLITE_INTEGER) {
        int64_t v = sqlite3_column_int64(q, col);
        put(t, &v, sizeof v);
    } else if (type == SQLITE_FLOAT) {
        double v = sqlite3_column_double(q, col);
        put(t, &v, sizeof v);
    } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
        const void *p = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(q, col)
                                            : sqlite3_column_blob(q, col);
        uint32_t n = (uint32_t)sqlite3_column_bytes(q, col);
        put(t, &n, sizeof n);
        put(t, p, n);
    }
}

static void load(sqlite3 *src, struct table_copy *t)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY rowid", t->name);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(src, sql, -1, &q, NULL) != SQLITE_OK)
        die(t->name, sqlite3_errmsg(src));
    t->n_cols = sqlite3_column_count(q);
    if (t->n_cols > MAX_COLUMNS)
        die(t->name, "too many columns");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int c = 0; c < t->n_cols; c++)
            put_value(t, q, c);
        t->n_rows++;
    }
    if (rc != SQLITE_DONE)
        die(t->name, sqlite3_errmsg(src));
    sqlite3_finalize(q);
}

/* Bind the next row of t at *pos to ins; returns the position after it. */
static size_t bind_row(const struct table_copy *t, size_t pos, sqlite3_stmt *ins)
{
    for (int c = 1; c <= t->n_cols; c++) {
        unsigned char type = t->buf[pos++];
        if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
            int64_t i;
            double d;
            if (type == SQLITE_INTEGER) {
                memcpy(&i, t->buf + pos, sizeof i);
                sqlite3_bind_int64(ins, c, i);
            } else {
                memcpy(&d, t->buf + pos, sizeof d);
                sqlite3_bind_double(ins, c, d);
            }
            pos += 8;
        } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
            uint32_t n;
            memcpy(&n, t->buf + pos, sizeof n);
            pos += sizeof n;
            const void *p = t->buf + pos;
            if (type == SQLITE_TEXT)
                sqlite3_bind_text(ins, c, p, (int)n, SQLITE_STATIC);
            else
                sqlite3_bind_blob(ins, c, p, (int)n, SQLITE_STATIC);
            pos += n;
        } else {
            sqlite3_bind_null(ins, c);
        }
    }
    return pos;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die(sql, msg ? msg : sqlite3_errmsg(db));
}

static void insert(sqlite3 *db, const struct table_copy *t)
{
    char sql[64 + MAX_COLUMNS * 2];
    int n = snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (?", t->name);
    for (int c = 1; c < t->n_cols; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ",?");
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK)
        die(t->name, sqlite3_errmsg(db));
    size_t pos = 0;
    for (uint64_t r = 0; r < t->n_rows; r++) {
        if (r % ROWS_PER_COMMIT == 0)
            exec(db, "BEGIN");
        pos = bind_row(t, pos, ins);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die(t->name, sqlite3_errmsg(db));
        sqlite3_reset(ins);
        if (r % ROWS_PER_COMMIT == ROWS_PER_COMMIT - 1 || r + 1 == t->n_rows)
            exec(db, "COMMIT");
    }
    sqlite3_finalize(ins);
}

static char *read_sql(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, "cannot open");
    char *b = malloc(SQL_MAX + 1);
    if (!b)
        die(path, "out of memory");
    size_t n = fread(b, 1, SQL_MAX + 1, f);
    fclose(f);
    if (n > SQL_MAX)
        die(path, "too large");
    b[n] = '\0';
    return b;
}

/* A new, empty OUT: the file and any -wal or -shm beside it are removed first. */
static sqlite3 *create(const char *path, const char *schema)
{
    remove_db_files(path);
    sqlite3 *db;
    /* as httpcap's writer: one thread uses the connection, so no per-call mutex */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    exec(db, "PRAGMA page_size=16384");
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0");
    exec(db, schema);
    return db;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: sqlfloor SRC.db OUT.db SCHEMA.sql INDEXES.sql\n");
        return 2;
    }
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* no global statistics mutex per malloc */
    sqlite3 *src;
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(argv[1], &src, flags, NULL) != SQLITE_OK)
        die(argv[1], sqlite3_errmsg(src));
    struct table_copy copy[N_TABLES] = {0};
    uint64_t rows = 0;
    for (size_t i = 0; i < N_TABLES; i++) {
        copy[i].name = tables[i];
        load(src, &copy[i]);
        rows += copy[i].n_rows;
    }
    sqlite3_close(src);
    char *schema = read_sql(argv[3]);
    char *indexes = read_sql(argv[4]);
    sqlite3 *db = create(argv[2], schema);

    int64_t t0 = now_ns();
    for (size_t i = 0; i < N_TABLES; i++)
        insert(db, &copy[i]);
    int64_t t1 = now_ns();
    exec(db, indexes);
    int64_t t2 = now_ns();
    if (sqlite3_close(db) != SQLITE_OK)
        die(argv[2], "close failed");
    printf("rows=%" PRIu64 " insert_ns=%" PRId64 " index_ns=%" PRId64 " ns=%" PRId64 "\n", rows,
           t1 - t0, t2 - t1, t2 - t0);
    for (size_t i = 0; i < N_TABLES; i++)
        free(copy[i].buf);
    free(schema);
    free(indexes);
    return 0;
}
