/*
 * report_series.c - section 6 of `httpcap report`: transactions per time bucket.
 * Owns: r->series.buckets (allocated here, freed by report_anomalies_free()).
 * In:   rstat and rparams through the query series_counts of sql/anomalies.sql.
 * Out:  per bucket: start, transactions, the 7 classes, the ttfb values (whose median the
 *       latency walk of report_latency.c fills in afterwards).
 * Never: reads single transactions; every number comes grouped from SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_anomaly.h"

/* Steps q to its end; returns 0, or -1 with err when the step fails. */
static int finish(sqlite3 *db, sqlite3_stmt *q, int rc, const char *name,
                  char err[HTTPCAP_ERRBUF])
{
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return 0;
    snprintf(err, HTTPCAP_ERRBUF, "anomalies query %s: %s", name, sqlite3_errmsg(db));
    return -1;
}

static int read_params(sqlite3 *db, struct report_series *s, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(db, "params", &q, err) != 0)
        return -1;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        s->origin_ns = sqlite3_column_int64(q, 0);
        s->bucket_ns = sqlite3_column_int64(q, 1);
        int64_t n = sqlite3_column_int64(q, 2);
        /* rparams gives about 60; anything past INT_MAX-ish would be a broken rparams */
        if (sqlite3_column_type(q, 0) == SQLITE_NULL || s->bucket_ns <= 0 || n <= 0)
            n = 0;
        if (n > 1000000) {
            sqlite3_finalize(q);
            snprintf(err, HTTPCAP_ERRBUF, "time series: %lld buckets is too many",
                     (long long)n);
            return -1;
        }
        s->nbuckets = (int)n;
        rc = SQLITE_DONE;
    }
    return finish(db, q, rc, "params", err);
}

int report_series_load(sqlite3 *db, struct report_sections *r, char err[HTTPCAP_ERRBUF])
{
    struct report_series *s = &r->series;
    free(s->buckets);
    memset(s, 0, sizeof *s);
    if (read_params(db, s, err) != 0)
        return -1;
    if (s->nbuckets == 0)
        return 0;
    s->buckets = calloc((size_t)s->nbuckets, sizeof *s->buckets);
    if (!s->buckets) {
        s->nbuckets = 0;
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    for (int i = 0; i < s->nbuckets; i++)
        s->buckets[i].start_ns = s->origin_ns + (int64_t)i * s->bucket_ns;

    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(db, "series_counts", &q, err) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(q, 0);
        if (b < 0 || b >= s->nbuckets) /* cannot happen: rparams spans rt */
            continue;
        struct report_bucket *k = &s->buckets[b];
        k->count = sqlite3_column_int64(q, 1);
        for (int c = 0; c < REPORT_NCLASSES; c++)
            k->classes[c] = sqlite3_column_int64(q, 2 + c);
        k->n_ttfb = sqlite3_column_int64(q, 2 + REPORT_NCLASSES);
    }
    return finish(db, q, rc, "series_counts", err);
}
