/*
 * report_anomaly.h - sections 5 (anomalies) and 6 (time series) of `httpcap report`.
 * Owns: r->anomalies and r->series of a struct report_sections, and every string in them.
 * In:   a SQLite connection holding the TEMP working tables rparams, rstat, rendpoints,
 *       rconn, rc and the view rt (sql/report_tables.sql, src/report_db.c); the queries of
 *       sql/anomalies.sql.
 * Out:  plain values in struct report_sections for the renderers.
 * Never: writes to an attached database (it creates and drops one TEMP table of its own).
 */
#ifndef HTTPCAP_REPORT_ANOMALY_H
#define HTTPCAP_REPORT_ANOMALY_H

#include <sqlite3.h>

#include "errbuf.h"
#include "report.h"

/*
 * Fill r->series (its buckets array is allocated here, owned by r) from rt and rparams.
 * An empty rt gives nbuckets 0 and no array. Returns 0, or -1 with one line in err (SQL
 * error or out of memory); r->series may then be partly filled: report_anomalies_free()
 * releases it either way.
 */
int report_series_load(sqlite3 *db, struct report_sections *r, char err[HTTPCAP_ERRBUF]);

/*
 * Fill r->anomalies from rt, rc and rparams; r->series must have been filled first (its
 * buckets give first_bucket/last_bucket, its medians the latency figures). Uses
 * r->latency's overall ttfb median when report.sql has filled it, or else computes it.
 * Returns 0, or -1 with one line in err; partial results are freed by
 * report_anomalies_free().
 */
int report_anomalies_load(sqlite3 *db, struct report_sections *r, char err[HTTPCAP_ERRBUF]);

/* Free r->anomalies and r->series and zero them; r may be NULL. Cannot fail. */
void report_anomalies_free(struct report_sections *r);

/*
 * Prepare the statement of sql/anomalies.sql that follows the marker "-- @query NAME".
 * *q is the caller's to finalize. Returns 0, or -1 with one line in err (*q NULL).
 */
int report_anomaly_prepare(sqlite3 *db, const char *name, sqlite3_stmt **q,
                           char err[HTTPCAP_ERRBUF]);

/* Free the strings of one example transaction (violations and anomalies); e may hold
 * NULLs. Cannot fail. */
void report_example_free(struct report_example *e);

#endif
