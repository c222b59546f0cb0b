/*
 * test_store_stage.c - staged inserts (store_stage.c) against a real SQLite database:
 * every value kind round-trips (NULL, '' and text apart, 64-bit integers exact), a full
 * stage says so at STAGE_MAX_ROWS rows and at STAGE_MAX_BYTES of strings, rows staged
 * after a flush go in with the next one, a constraint failure comes back as SQLite's code
 * with the rows before it inserted (INSERT OR FAIL) and all of that flush gone once its
 * transaction is rolled back, and the module leaves no trace in the file.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_stage.h"
#include "sqlcount.h"
#include "testhelp.h"

static sqlite3 *db;


static void test_values(struct store_stage *sg)
{
    stage_row(sg);
    stage_int(sg, 0, 1);
    stage_text(sg, 1, "");                   /* '' stays '' */
    stage_text_or_null(sg, 2, "");           /* NULL */
    stage_int(sg, 3, INT64_MIN);
    stage_opt_int(sg, 4, 0, 7);              /* NULL */
    CHECK_INT(stage_row_done(sg), 0);
    stage_row(sg);
    stage_int(sg, 0, 2);
    stage_text(sg, 1, "a\tb");
    stage_text_or_null(sg, 2, "x");
    stage_int(sg, 3, INT64_MAX);
    stage_opt_int(sg, 4, 1, -5);
    CHECK_INT(stage_row_done(sg), 0);
    stage_row(sg);
    stage_int(sg, 0, 3);
    stage_text(sg, 1, NULL);                 /* NULL */
    CHECK_INT(stage_row_done(sg), 0);
    CHECK_INT(stage_rows(sg), 3);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 0); /* nothing before the flush */
    CHECK_INT(stage_flush(sg), SQLITE_OK);
    CHECK_INT(stage_rows(sg), 0);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 3);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t WHERE id = 1 AND a = '' AND typeof(b) = 'null'"
                    " AND n = -9223372036854775807 - 1 AND typeof(m) = 'null'"), 1);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t WHERE id = 2 AND a = 'a' || char(9) || 'b'"
                    " AND b = 'x' AND n = 9223372036854775807 AND m = -5"), 1);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t WHERE id = 3 AND typeof(a) = 'null'"
                    " AND typeof(b) = 'null' AND typeof(n) = 'null'"), 1);
    CHECK_INT(stage_flush(sg), SQLITE_OK); /* an empty flush does nothing */
}

static void test_full(struct store_stage *sg)
{
    int full = 0, n = 0;
    while (!full && n < 10 * STAGE_MAX_ROWS) {
        stage_row(sg);
        stage_int(sg, 0, 1000 + n);
        stage_text(sg, 1, "row");
        full = stage_row_done(sg);
        n++;
    }
    CHECK_INT(n, STAGE_MAX_ROWS);
    CHECK_INT(stage_flush(sg), SQLITE_OK);
    /* strings: full once STAGE_MAX_BYTES of them are staged */
    static char big[64 * 1024 + 1];
    memset(big, 'z', sizeof big - 1);
    full = 0;
    n = 0;
    while (!full && n < STAGE_MAX_ROWS) {
        stage_row(sg);
        stage_int(sg, 0, 5000 + n);
        stage_text(sg, 1, big);
        full = stage_row_done(sg);
        n++;
    }
    CHECK_INT(n, (int)(STAGE_MAX_BYTES / (sizeof big - 1)));
    CHECK_INT(stage_flush(sg), SQLITE_OK);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t WHERE id >= 5000 AND length(a) = 65536"), n);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), 3 + STAGE_MAX_ROWS + n);
}

/* What store.c relies on: a failed flush inside a transaction leaves the rows before the
 * failing one in it (INSERT OR FAIL keeps no statement journal to undo them), and rolling
 * the transaction back removes all of them. */
static void test_failure(struct store_stage *sg)
{
    long long before = sql_count(db, "SELECT count(*) FROM t");
    CHECK_INT(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    stage_row(sg);
    stage_int(sg, 0, 90000);
    stage_text(sg, 1, "fine");
    stage_row_done(sg);
    stage_row(sg);
    stage_int(sg, 0, 1); /* a duplicate id */
    stage_row_done(sg);
    stage_row(sg);
    stage_int(sg, 0, 90002); /* after the failing row: never inserted */
    stage_row_done(sg);
    CHECK_INT(stage_flush(sg) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT(stage_rows(sg), 0);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), before + 1);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t WHERE id = 90002"), 0);
    CHECK_INT(sqlite3_get_autocommit(db), 0); /* FAIL leaves the transaction open */
    CHECK_INT(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), before); /* the flush undone whole */
    stage_row(sg);
    stage_int(sg, 0, 90001);
    stage_row_done(sg);
    CHECK_INT(stage_flush(sg), SQLITE_OK); /* and the stage goes on */
    CHECK_INT(sql_count(db, "SELECT count(*) FROM t"), before + 1);
}

int main(void)
{
    char path[] = "/tmp/test_store_stage.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "cannot open a database\n");
        return 2;
    }
    close(fd);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT,"
                               " n INTEGER, m INTEGER)", NULL, NULL, NULL), SQLITE_OK);
    char err[HTTPCAP_ERRBUF] = "";
    struct store_stage *sg = stage_open(db, "staged_t", "t", "id, a, b, n, m", 5, err);
    CHECK(sg != NULL);
    CHECK(stage_open(db, "staged_u", "no_such_table", "id", 1, err) == NULL);
    CHECK(strstr(err, "no_such_table") != NULL);
    if (sg) {
        test_values(sg);
        test_full(sg);
        test_failure(sg);
        stage_close(sg);
    }
    CHECK_INT(sql_count(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'staged%'"), 0);
    sqlite3_close(db);
    unlink(path);
    return TEST_REPORT();
}
