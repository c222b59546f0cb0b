/*
 * pg_report.h - `httpcap report postgresql://...`: the rows a report reads, copied from
 * PostgreSQL into a temporary SQLite database of the normal schema (ids as in
 * PostgreSQL), which the report then reads like any other database.
 * Owns: the temporary file, until pg_report_done removes it.
 * In:   a URL and the report's filters (pushed down as WHERE clauses).
 * Out:  the path of the temporary database.
 * Never: writes to PostgreSQL; keeps more than one batch of rows in memory.
 */
#ifndef HTTPCAP_PG_REPORT_H
#define HTTPCAP_PG_REPORT_H

#include "errbuf.h"
#include "report.h"

#define PG_REPORT_PATH_MAX 4096

/*
 * Copy the captures, their limits and skips, and the transactions passing o's --since,
 * --until and --host (with their connections and violations) from url into a new
 * database in $TMPDIR (or /tmp); its path into path. 0, or -1 + err (nothing is left
 * behind).
 */
int pg_report_fetch(const char *url, const struct report_options *o,
                    char path[PG_REPORT_PATH_MAX], char err[HTTPCAP_ERRBUF]);

/* Remove the temporary database at path (and its side files). Cannot fail. */
void pg_report_done(const char *path);

#endif
