/*
 * store_stage.h - rows of one table gathered in memory, then inserted together by one
 * statement, INSERT OR FAIL INTO table (...) SELECT * FROM a virtual table that reads them:
 * SQLite runs its statement once per few hundred rows instead of once per row (about 40%
 * fewer instructions a row than binding and stepping each row).
 * Owns: the staged values (strings copied into the stage's own buffer), the eponymous
 *       virtual table module that hands them to SQLite.
 * In:   column values from store.c, row by row.
 * Out:  rows in the table; SQLite's error on a failed insert.
 * Never: keeps a pointer to the caller's strings; holds more than STAGE_MAX_ROWS rows or
 *        about STAGE_MAX_BYTES of strings before inserting them.
 */
#ifndef HTTPCAP_STORE_STAGE_H
#define HTTPCAP_STORE_STAGE_H

#include <sqlite3.h>
#include <stdint.h>

#include "errbuf.h"

#define STAGE_MAX_ROWS 512
#define STAGE_MAX_BYTES (1u << 20)

struct store_stage;

/* A stage for `INSERT INTO table (columns) SELECT ...` on db, with n_cols columns named
 * in columns (comma-separated); name: the virtual table's name (unique per db). NULL +
 * err (SQLite's message) on failure. */
struct store_stage *stage_open(sqlite3 *db, const char *name, const char *table,
                               const char *columns, int n_cols, char err[HTTPCAP_ERRBUF]);

/* Start a row: every column NULL. */
void stage_row(struct store_stage *sg);

/* Column i (0-based) of the row being staged. stage_text copies s ('' stays '', NULL is
 * NULL),
 * stage_text_or_null stores NULL for NULL or "", stage_opt_int NULL unless present. */
void stage_int(struct store_stage *sg, int i, int64_t v);
void stage_opt_int(struct store_stage *sg, int i, int present, int64_t v);
void stage_text(struct store_stage *sg, int i, const char *s);
void stage_text_or_null(struct store_stage *sg, int i, const char *s);

/* End the row. 1 when the stage is full (flush it now), else 0; -1 when out of memory
 * for its strings (the row is dropped and the stage should be flushed and the run failed). */
int stage_row_done(struct store_stage *sg);

/* Rows staged and not yet inserted. */
uint32_t stage_rows(const struct store_stage *sg);

/* Insert every staged row (one statement, INSERT OR FAIL) and empty the stage. 0, or
 * SQLite's result code: the caller reports the error from the db handle and must not
 * commit, since the rows before the failing one stay in the open transaction (a
 * statement that could undo only its own rows would need a statement journal, 100 MB of
 * temporary file per GB of heavy capture); rolling back removes them. */
int stage_flush(struct store_stage *sg);

/* Free the stage (its statement too); staged rows are dropped. NULL does nothing. */
void stage_close(struct store_stage *sg);

#endif
