/*
 * sqlcount.h - the unit tests' one-number SQL query, for the tests that check rows in a
 * real SQLite database. Include after <sqlite3.h>.
 */
#ifndef HTTPCAP_SQLCOUNT_H
#define HTTPCAP_SQLCOUNT_H

#include <sqlite3.h>

/* The first column of sql's first row as an integer; -1 when it fails or has no row. */
static inline long long sql_count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

#endif
