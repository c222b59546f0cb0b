/*
 * report_anomaly_list.c - section 5 of `httpcap report` once detected: each anomaly's
 *        example transactions, the order of the list, and freeing it.
 * Owns: the strings of r->anomalies' examples; the order of r->anomalies (kind, then time,
 *       then subject; limits in the order of limits_table.h); freeing r->anomalies and
 *       r->series.
 * In:   the examples query of sql/anomalies.sql (ranomaly_keys, filled by report_anomaly.c,
 *       and the view rt). Out: r->anomalies with examples, sorted.
 * Never: decides what is an anomaly (report_anomaly.c) or words it (report_anomaly_text.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_anomaly.h"
#include "report_anomaly_text.h"

/* Column i of q copied into *out (NULL for SQL NULL); *nomem set when out of memory. */
static void col_dup(int *nomem, sqlite3_stmt *q, int i, char **out)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    *out = s ? strdup((const char *)s) : NULL;
    if (s && !*out)
        *nomem = 1;
}

int anomaly_load_examples(sqlite3 *db, struct report_sections *r, int *nomem,
                          char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(db, "examples", &q, err) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int ai = sqlite3_column_int(q, 0);
        if (ai < 0 || ai >= r->nanomalies)
            continue;
        struct report_anomaly *a = &r->anomalies[ai];
        if (a->nexamples >= REPORT_MAX_EXAMPLES)
            continue;
        struct report_example *e = &a->examples[a->nexamples++];
        memset(e, 0, sizeof *e);
        e->id = sqlite3_column_int64(q, 1);
        col_dup(nomem, q, 2, &e->time);
        col_dup(nomem, q, 3, &e->client);
        col_dup(nomem, q, 4, &e->server);
        col_dup(nomem, q, 5, &e->method);
        col_dup(nomem, q, 6, &e->uri);
        e->has_status = sqlite3_column_type(q, 7) != SQLITE_NULL;
        e->status = sqlite3_column_int(q, 7);
        col_dup(nomem, q, 8, &e->request_id);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, HTTPCAP_ERRBUF, "anomalies query examples: %s", sqlite3_errmsg(db));
        sqlite3_finalize(q);
        return -1;
    }
    sqlite3_finalize(q);
    return 0;
}

/* Status codes sort as numbers, other subjects byte by byte. */
static int subject_cmp(const char *x, const char *y)
{
    size_t lx = strspn(x, "0123456789"), ly = strspn(y, "0123456789");
    if (lx && ly && !x[lx] && !y[ly] && lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x, y);
}

static int anomaly_before(const struct report_anomaly *x, const struct report_anomaly *y)
{
    if (x->kind != y->kind)
        return x->kind < y->kind;
    if (x->kind == ANOMALY_LIMIT_REACHED)
        return 0; /* detection order: that of limits_table.h */
    if (x->has_window && y->has_window && x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns;
    return subject_cmp(x->subject ? x->subject : "", y->subject ? y->subject : "") < 0;
}

/* Insertion sort: few anomalies, and it keeps equal ones in detection order. */
void anomaly_sort(struct report_sections *r)
{
    for (int i = 1; i < r->nanomalies; i++) {
        struct report_anomaly t = r->anomalies[i];
        int j = i;
        while (j > 0 && anomaly_before(&t, &r->anomalies[j - 1])) {
            r->anomalies[j] = r->anomalies[j - 1];
            j--;
        }
        r->anomalies[j] = t;
    }
}

void report_example_free(struct report_example *e)
{
    free(e->time);
    free(e->client);
    free(e->server);
    free(e->method);
    free(e->uri);
    free(e->request_id);
}

void report_anomalies_free(struct report_sections *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nanomalies; i++) {
        struct report_anomaly *a = &r->anomalies[i];
        free(a->subject);
        free(a->start_iso);
        free(a->evidence);
        free(a->message);
        for (int j = 0; j < a->nexamples; j++)
            report_example_free(&a->examples[j]);
    }
    free(r->anomalies);
    r->anomalies = NULL;
    r->nanomalies = 0;
    free(r->series.buckets);
    memset(&r->series, 0, sizeof r->series);
}

