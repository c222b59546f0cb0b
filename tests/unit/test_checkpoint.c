/*
 * test_checkpoint.c - WAL checkpoints on their own thread (checkpoint.c) against a real
 * SQLite database: a commit that leaves 1,000 pages or more in the WAL wakes the thread, which
 * copies the whole WAL into the database file, so the next write starts the WAL over and it
 * stays the size of one commit; smaller commits wake nothing; stopping gives the writing
 * connection SQLite's own checkpoints back and the rows are all there afterwards. Once the
 * WAL holds 32 MiB, checkpointer_restart_ready() asks for a short commit, after which the
 * WAL starts over; a writer that never pauses writes 256 MB with a WAL under 96 MiB.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "sqlcount.h"
#include "testhelp.h"

#define PAGE 4096
#define BIG_ROWS 1100 /* one row per page: a commit of more than 1,000 WAL pages */

static char dir[] = "/tmp/httpcap-ckpt-XXXXXX";
static char path[256], wal[300];

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        exit(1);
    }
}


/* One transaction of n rows of 3,000 bytes (about one page each). */
static void commit_rows(sqlite3 *db, int n)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d)"
             " INSERT INTO t SELECT randomblob(3000) FROM s",
             n);
    exec(db, "BEGIN");
    exec(db, sql);
    exec(db, "COMMIT");
}

static long long file_size(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Wait up to 10 s for the thread's count of whole checkpoints to pass `was`. */
static unsigned long wait_done(struct checkpointer *c, unsigned long was)
{
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < 10000 && checkpointer_done(c) <= was; i++)
        nanosleep(&ms, NULL);
    return checkpointer_done(c);
}

static void test_checkpoints_behind(void)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
             " CREATE TABLE t (b BLOB)");
    struct checkpointer *c = checkpointer_start(db, path);
    CHECK(c != NULL);
    if (!c) {
        sqlite3_close(db);
        return;
    }
    CHECK_INT(checkpointer_done(c), 0);

    /* 10 small commits, about 500 pages in all: nothing to do yet */
    for (int i = 0; i < 10; i++)
        commit_rows(db, 50);
    struct timespec pause = {0, 100000000};
    nanosleep(&pause, NULL);
    CHECK_INT(checkpointer_done(c), 0);

    /* each large commit is checkpointed; the next one starts the WAL over */
    unsigned long done = 0;
    long long wal_max = 0;
    for (int i = 0; i < 6; i++) {
        commit_rows(db, BIG_ROWS);
        unsigned long now = wait_done(c, done);
        CHECK(now > done);
        done = now;
        long long w = file_size(wal);
        if (w > wal_max)
            wal_max = w;
    }
    /* the WAL holds the 500 small pages plus one large commit at most, not six of them */
    CHECK(wal_max > 1000LL * PAGE);
    CHECK(wal_max < 1800LL * PAGE);

    checkpointer_stop(c);
    CHECK_INT(sql_count(db, "PRAGMA wal_autocheckpoint"), 1000); /* SQLite's own again */
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 10 * 50 + 6 * BIG_ROWS);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
    CHECK_INT(file_size(wal), -1); /* the close checkpointed the rest and removed it */

    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 10 * 50 + 6 * BIG_ROWS);
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* The WAL header's first salt (bytes 16-19, big-endian), which SQLite adds one to each
 * time it writes the WAL from its start again; 0 when there is no WAL. */
static uint32_t wal_salt(const char *wal_path)
{
    uint8_t h[20] = {0};
    FILE *f = fopen(wal_path, "rb");
    if (f) {
        if (fread(h, 1, sizeof h, f) != sizeof h)
            memset(h, 0, sizeof h);
        fclose(f);
    }
    return (uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19];
}

/* A new WAL database dir/name (its path in p, its WAL's in p_wal) with an empty table t,
 * open in *db, with a checkpointer started on it (NULL when that failed). */
static struct checkpointer *open_new(const char *name, char p[300], char p_wal[310],
                                     sqlite3 **db)
{
    snprintf(p, 300, "%s/%s", dir, name);
    snprintf(p_wal, 310, "%s-wal", p);
    *db = NULL;
    CHECK_INT(sqlite3_open(p, db), SQLITE_OK);
    exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (b BLOB)");
    struct checkpointer *c = checkpointer_start(*db, p);
    CHECK(c != NULL);
    return c;
}

/* Large commits until the WAL holds 32 MiB; once the checkpoint of the last one is done,
 * checkpointer_restart_ready() says 1; after a short commit, whose hook waits for its
 * own checkpoint, the WAL has started over (its header has a new salt). */
static void test_restart_asked(void)
{
    char p[300], p_wal[310];
    sqlite3 *db;
    struct checkpointer *c = open_new("ask.db", p, p_wal, &db);
    if (!c) {
        sqlite3_close(db);
        return;
    }
    /* each commit begins before the previous one's checkpoint is done: the WAL grows to
     * 8,800 pages of 4 KiB, past 32 MiB */
    for (int i = 0; i < 8; i++)
        commit_rows(db, BIG_ROWS);
    uint32_t salt = wal_salt(p_wal);
    CHECK(salt != 0);
    CHECK(file_size(p_wal) > 32LL << 20);
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < 10000 && !checkpointer_restart_ready(c); i++)
        nanosleep(&ms, NULL);
    CHECK_INT(checkpointer_restart_ready(c), 1);
    /* the short batch: its hook waits for its checkpoint, so that the next batch starts
     * the WAL over (this one may already, as the writer paused here before it began) */
    commit_rows(db, 10);
    CHECK_INT(checkpointer_restart_ready(c), 0);
    commit_rows(db, 10);
    CHECK(wal_salt(p_wal) != salt);
    checkpointer_stop(c);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 8 * BIG_ROWS + 20);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
    unlink(p);
}

/* A writer that never waits: 64 batches of up to 1,000 rows of about a page each (256 MB),
 * one INSERT per row, asking checkpointer_restart_ready() after each row as store.c does. */
static void test_restarts_while_busy(void)
{
    char busy[300], busy_wal[310];
    sqlite3 *db;
    struct checkpointer *c = open_new("busy.db", busy, busy_wal, &db);
    sqlite3_stmt *ins = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (randomblob(3000))", -1, &ins, NULL),
              SQLITE_OK);
    if (!c || !ins) {
        sqlite3_finalize(ins);
        checkpointer_stop(c);
        sqlite3_close(db);
        return;
    }
    long long wal_max = 0;
    int rows = 0, commits = 0, early = 0, failed_inserts = 0;
    /* each batch begins (and takes its snapshot) right after the last commit, leaving a
     * checkpoint no time to end in between (a deferred BEGIN and a stat() first let the
     * WAL start over now and then even without the early commits) */
    exec(db, "BEGIN IMMEDIATE");
    for (int i = 0; i < 64 * 1000; i++) {
        failed_inserts += sqlite3_step(ins) != SQLITE_DONE;
        sqlite3_reset(ins);
        int ready = checkpointer_restart_ready(c);
        if (++rows < 1000 && !ready)
            continue;
        exec(db, "COMMIT; BEGIN IMMEDIATE");
        commits++;
        early += rows < 1000;
        rows = 0;
        long long w = file_size(busy_wal);
        if (w > wal_max)
            wal_max = w;
    }
    exec(db, "COMMIT");
    sqlite3_finalize(ins);
    checkpointer_stop(c);
    CHECK_INT(failed_inserts, 0);
    /* past the checkpoint threshold, but started over (at twice 32 MiB plus a batch at
     * most; 40-62 MB seen) */
    CHECK(wal_max > 16LL << 20);
    CHECK(wal_max < 96LL << 20);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 64 * 1000);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
    CHECK_INT(file_size(busy_wal), -1);
    printf("busy writer: %d commits (%d early), WAL at most %lld bytes\n", commits, early,
           wal_max);
    unlink(busy);
}

static void test_cannot_start(void)
{
    sqlite3 *db = NULL;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir.db", dir);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK(checkpointer_start(db, missing) == NULL);
    CHECK_INT(sql_count(db, "PRAGMA wal_autocheckpoint"), 1000); /* untouched */
    sqlite3_close(db);
    checkpointer_stop(NULL); /* a no-op */
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/t.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    test_checkpoints_behind();
    test_restart_asked();
    test_restarts_while_busy();
    test_cannot_start();
    unlink(path);
    rmdir(dir);
    return TEST_REPORT();
}
