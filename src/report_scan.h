/*
 * report_scan.h - the one pass of `httpcap report` over every reported transaction: the
 * rows of the "@scan" statement of sql/report_tables.sql, one database after the other,
 * kept as compact records (40 bytes each) and reduced in C to the small tables of
 * report_tables.sql (rparams, rgroups, rhosts, rendpoints, rconn, rpick) and, once the
 * latency groups are known, to every group's exact nearest-rank percentiles.
 */
#ifndef HTTPCAP_REPORT_SCAN_H
#define HTTPCAP_REPORT_SCAN_H

#include <sqlite3.h>
#include <stdint.h>

#include "errbuf.h"
#include "report.h"

struct report_scan;

/* A new, empty scan that keeps the top slowest transactions by ttfb (top <= 0: none);
 * conn_ids: the largest offset connection id of the databases (their counters go in an
 * array by id, others in a hash). NULL when out of memory. Free it with
 * report_scan_free(). */
struct report_scan *report_scan_new(int top, int64_t conn_ids);

/*
 * Step q (the "@scan" statement of database number db, prepared and bound by the caller,
 * who finalizes it) to its end and add its rows; tx_off and conn_off are the database's id
 * offsets. Returns 0, or -1 with one line in err (SQLite error or out of memory).
 */
int report_scan_add(struct report_scan *s, sqlite3_stmt *q, int db, int64_t tx_off,
                    int64_t conn_off, char err[HTTPCAP_ERRBUF]);

/*
 * Before two threads scan one database in pieces of its ids: make room in s's array for n
 * more records (n: the ids of the database), which s fills from the bottom up and to, a new
 * scan, from the top down (no copy when they are merged). Until report_scan_merge(s, to),
 * s's array does not grow and each scan holds no more records than report_scan_allow()
 * gave it ids. Returns 0, or -1 when out of memory or n > 2^28 (nothing changed:
 * report_scan_merge() then copies to's records).
 */
int report_scan_lend(struct report_scan *s, uint64_t n, struct report_scan *to);

/*
 * Before stepping a range of n ids into s: while s shares an array (report_scan_lend), n
 * more records may come (a range of unique ids holds no more rows). Returns 0, or -1 when
 * s would then hold more records than the shared array. The two scans' ranges must not
 * overlap: their records would meet inside the array.
 */
int report_scan_allow(struct report_scan *s, uint64_t n);

/*
 * Add everything that from has scanned to into (two scans of one database's id ranges, run
 * by two threads, become one). from's records move (its memory for them shrinks as they
 * do, or they move down inside into's array when into lent it); from keeps its strings
 * until report_scan_free(from). Returns 0, or -1 when out of memory (into is then partly
 * merged: give up the report).
 */
int report_scan_merge(struct report_scan *into, struct report_scan *from);

/*
 * After the last database: fill the TEMP tables rparams, rgroups, rhosts, rendpoints,
 * rconn and rpick of db (created empty by report_tables.sql). Returns 0, or -1 with one
 * line in err.
 */
int report_scan_write(struct report_scan *s, sqlite3 *db, char err[HTTPCAP_ERRBUF]);

/*
 * After report_scan_write(): start sorting the records by ttfb in a thread of its own,
 * while the caller runs SQL (the percentiles need r->latency first). Does nothing when no
 * thread can be had: report_scan_latency() then sorts. Cannot fail.
 */
void report_scan_presort(struct report_scan *s);

/*
 * The percentiles of every group of r->latency (whose sizes sql/report.sql has filled)
 * and the ttfb median of every bucket of r->series, from the values of the scan. Reorders
 * the scan's records. Returns 0, or -1 when out of memory.
 */
int report_scan_latency(struct report_scan *s, struct report_sections *r);

/* Free the scan; s may be NULL. Cannot fail. */
void report_scan_free(struct report_scan *s);

#endif
