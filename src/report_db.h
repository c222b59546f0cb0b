/*
 * report_db.h - the SQLite connection a report reads: every database ATTACHed read-only
 * under one in-memory main database, seen through TEMP views named like the tables
 * (ids offset so several databases read as one), plus the working tables of
 * sql/report_tables.sql (rparams, rstat, rendpoints, rhosts, rconn, rc, rsel, rv and the
 * view rt), already filtered by --since/--until/--host, and the scan (report_scan.h) whose
 * records the percentiles still need.
 */
#ifndef HTTPCAP_REPORT_DB_H
#define HTTPCAP_REPORT_DB_H

#include <sqlite3.h>

#include "errbuf.h"
#include "report.h"
#include "report_scan.h"

/*
 * Open the databases of o and build the working tables. On success *db is the connection
 * (the caller closes it with sqlite3_close), *scan the scan of every reported transaction
 * (the caller frees it with report_scan_free) and 0 is returned; on failure -1 with one
 * line in err naming the file, and both are NULL.
 */
int report_db_open(const struct report_options *o, sqlite3 **db, struct report_scan **scan,
                   char err[HTTPCAP_ERRBUF]);

/* The bucket width (ns) of the time series: the smallest round width that gives at most
 * 60 buckets over span_ns. Cannot fail. */
int64_t report_bucket_width(int64_t span_ns);

#endif
