/*
 * report.c - runs the queries of sql/report.sql (sections 1-4) and hands the connection
 * to report_series.c / report_anomaly.c (sections 5-6).
 * Owns: struct report_sections and everything in it, the connection for report_load.
 * Order: the series (report_series.c) first, then report.sql, whose latency groups tell
 *        the percentile walk of report_scan.c which ranks to keep (it also fills each
 *        bucket's median); then the anomalies, which read all of it.
 * In:   struct report_options; limits_table.h for the order of the capture limits.
 * Out:  struct report_sections, plain values and owned strings.
 * Never: writes to a database file, formats output.
 */
#include "report.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits_table.h"
#include "report_anomaly.h"
#include "report_db.h"
#include "report_scan.h"
#include "sql_embed.h"

/* The classes in report order; rt.class holds these names. */
static const char *const class_names[REPORT_NCLASSES] = {"1xx", "2xx", "3xx", "4xx",
                                                         "5xx", "unanswered", "invalid"};

/* A column's text copied, or NULL for SQL NULL; returns -1 when out of memory. */
static int col_str(sqlite3_stmt *q, int i, char **out)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    *out = NULL;
    if (!s)
        return 0;
    *out = strdup((const char *)s);
    return *out ? 0 : -1;
}

/* Room for one more element of size at the end of *p (n elements now); NULL when out of
 * memory, leaving *p as it was. */
static void *append(void *p, int n, size_t size)
{
    void **pp = p;
    char *a = realloc(*pp, (size_t)(n + 1) * size);
    if (!a)
        return NULL;
    *pp = a;
    memset(a + (size_t)n * size, 0, size);
    return a + (size_t)n * size;
}

static int read_totals(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_capture *c = &r->capture;
    c->runs = sqlite3_column_int64(q, 0);
    c->has_span = sqlite3_column_type(q, 1) != SQLITE_NULL;
    c->first_ns = sqlite3_column_int64(q, 1);
    c->last_ns = sqlite3_column_int64(q, 2);
    if (col_str(q, 3, &c->first_iso) != 0 || col_str(q, 4, &c->last_iso) != 0)
        return -1;
    c->packets = sqlite3_column_int64(q, 5);
    c->bytes = sqlite3_column_int64(q, 6);
    c->connections = sqlite3_column_int64(q, 7);
    c->transactions = sqlite3_column_int64(q, 8);
    c->gap_bytes = sqlite3_column_int64(q, 9);
    c->truncated = sqlite3_column_int64(q, 10);
    c->kernel_drops = sqlite3_column_int64(q, 11);
    c->interface_drops = sqlite3_column_int64(q, 12);
    c->has_drops = sqlite3_column_int64(q, 13) > 0;
    c->tcp_bytes = sqlite3_column_int64(q, 14);
    c->reported = sqlite3_column_int64(q, 16);
    int64_t rc_gaps = sqlite3_column_int64(q, 15);
    c->sources = calloc((size_t)c->runs + 1, sizeof *c->sources);
    c->sensors = calloc((size_t)c->runs + 1, sizeof *c->sensors);
    c->sensor_list = calloc((size_t)c->runs + 1, sizeof *c->sensor_list);
    if (!c->sources || !c->sensors || !c->sensor_list)
        return -1;
    /* Loss makes the numbers unreliable past 0.1% of packets or TCP bytes. */
    int64_t drops = c->kernel_drops + c->interface_drops;
    int drop_loss = drops > 0 && drops * 1000 > c->packets + drops;
    int gap_loss = rc_gaps > 0 && rc_gaps * 1000 > c->tcp_bytes + rc_gaps;
    if (!drop_loss && !gap_loss && c->truncated == 0)
        return 0;
    c->loss_warning = 1;
    char w[512];
    int n = snprintf(w, sizeof w, "Capture loss makes these numbers unreliable:");
    if (drop_loss)
        n += snprintf(w + n, sizeof w - (size_t)n, " %lld packets dropped by the capture;",
                      (long long)drops);
    if (gap_loss)
        n += snprintf(w + n, sizeof w - (size_t)n,
                      " %lld TCP bytes never captured (%.2f%% of the HTTP streams);",
                      (long long)rc_gaps, 100.0 * (double)rc_gaps / (double)(c->tcp_bytes + rc_gaps));
    if (c->truncated > 0)
        snprintf(w + n, sizeof w - (size_t)n, " %lld input file(s) cut short;",
                 (long long)c->truncated);
    size_t len = strlen(w);
    w[len - 1] = '.';
    c->warning = strdup(w);
    return c->warning ? 0 : -1;
}

/* Count the run's sensor in the list of distinct ones (runs entries at most). */
static void count_sensor(struct report_capture *c, const char *name)
{
    int i = 0;
    while (i < c->nsensors && strcmp(c->sensor_list[i].name, name) != 0)
        i++;
    if (i == c->nsensors)
        c->sensor_list[c->nsensors++].name = name;
    c->sensor_list[i].runs++;
}

static int read_source(sqlite3_stmt *q, struct report_sections *r, int row)
{
    struct report_capture *c = &r->capture;
    if (row >= c->runs)
        return 0;
    if (col_str(q, 1, &c->sources[row]) != 0 || col_str(q, 2, &c->sensors[row]) != 0)
        return -1;
    if (c->sensors[row])
        count_sensor(c, c->sensors[row]);
    return 0;
}

static int read_class(sqlite3_stmt *q, struct report_sections *r)
{
    const unsigned char *s = sqlite3_column_text(q, 0);
    for (int i = 0; s && i < REPORT_NCLASSES; i++) {
        if (strcmp((const char *)s, class_names[i]) == 0) {
            r->classes[i].count = sqlite3_column_int64(q, 1);
            r->answered_total += r->classes[i].count;
        }
    }
    return 0;
}

static int read_status(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_status *s = append(&r->statuses, r->nstatuses, sizeof *s);
    if (!s)
        return -1;
    r->nstatuses++;
    s->code = sqlite3_column_int(q, 0);
    s->count = sqlite3_column_int64(q, 2);
    s->is_registered = sqlite3_column_int(q, 3);
    s->effective = sqlite3_column_int(q, 4);
    return col_str(q, 1, &s->reason) | col_str(q, 5, &s->effective_reason);
}

static int read_group(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_latency *l = append(&r->latency, r->nlatency, sizeof *l);
    if (!l)
        return -1;
    r->nlatency++;
    l->scope = (enum report_scope)sqlite3_column_int(q, 0);
    l->count = sqlite3_column_int64(q, 2);
    l->n_ttfb = sqlite3_column_int64(q, 3);
    l->n_total = sqlite3_column_int64(q, 4);
    r->endpoints = sqlite3_column_int64(q, 5);
    return col_str(q, 1, &l->key);
}

static int same_key(const char *a, const unsigned char *b)
{
    if (!a || !b)
        return !a && !b;
    return strcmp(a, (const char *)b) == 0;
}

static int read_bin(sqlite3_stmt *q, struct report_sections *r)
{
    int bin = sqlite3_column_int(q, 0);
    if (bin >= 0 && bin < REPORT_HIST_BINS)
        r->histogram.bins[bin] = sqlite3_column_int64(q, 1);
    return 0;
}

static int read_slow(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_slow *s = append(&r->slowest, r->nslowest, sizeof *s);
    if (!s)
        return -1;
    r->nslowest++;
    s->has_status = sqlite3_column_type(q, 4) != SQLITE_NULL;
    s->status = sqlite3_column_int(q, 4);
    s->ttfb_ms = sqlite3_column_double(q, 5);
    s->has_total = sqlite3_column_type(q, 6) != SQLITE_NULL;
    s->total_ms = sqlite3_column_double(q, 6);
    s->id = sqlite3_column_int64(q, 8);
    return col_str(q, 0, &s->time) | col_str(q, 1, &s->method) | col_str(q, 2, &s->host) |
           col_str(q, 3, &s->uri) | col_str(q, 7, &s->request_id) | col_str(q, 9, &s->endpoint);
}

/* An example transaction from columns first..first+7: id, time, client, server, method,
 * uri, status, request id. */
static int read_example(sqlite3_stmt *q, int first, struct report_example *e)
{
    e->id = sqlite3_column_int64(q, first);
    e->has_status = sqlite3_column_type(q, first + 6) != SQLITE_NULL;
    e->status = sqlite3_column_int(q, first + 6);
    return col_str(q, first + 1, &e->time) | col_str(q, first + 2, &e->client) |
           col_str(q, first + 3, &e->server) | col_str(q, first + 4, &e->method) |
           col_str(q, first + 5, &e->uri) | col_str(q, first + 7, &e->request_id);
}

static int read_rule(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_rule *u = append(&r->rules, r->nrules, sizeof *u);
    if (!u)
        return -1;
    r->nrules++;
    u->count = sqlite3_column_int64(q, 4);
    u->hosts = sqlite3_column_int64(q, 5);
    u->has_example = sqlite3_column_type(q, 7) != SQLITE_NULL;
    int rc = u->has_example ? read_example(q, 7, &u->example) : 0;
    return rc | col_str(q, 0, &u->rule) | col_str(q, 1, &u->severity) |
           col_str(q, 2, &u->reference) | col_str(q, 3, &u->summary) | col_str(q, 6, &u->hint);
}

static int read_rule_host(sqlite3_stmt *q, struct report_sections *r)
{
    const unsigned char *rule = sqlite3_column_text(q, 0);
    for (int i = 0; i < r->nrules; i++) {
        struct report_rule *u = &r->rules[i];
        if (!same_key(u->rule, rule) || u->nhost_names >= 5)
            continue;
        char **slot = append(&u->host_names, u->nhost_names, sizeof *slot);
        if (!slot)
            return -1;
        u->nhost_names++;
        return col_str(q, 1, slot);
    }
    return 0;
}

/* Where limit name goes in the list: the order of limits_table.h, unknown names last. */
static int limit_rank(const char *name)
{
    int i = name ? limits_find(name) : -1;
    return i >= 0 ? i : LIMIT_COUNT;
}

/* One limit of the capture runs (report.sql orders by name; here they take the order of
 * limits_table.h, so an unknown name from a newer httpcap lands last, still by name). */
static int read_limit(sqlite3_stmt *q, struct report_sections *r)
{
    struct report_capture *c = &r->capture;
    struct report_limit *l = append(&c->limits, c->nlimits, sizeof *l);
    if (!l)
        return -1;
    c->nlimits++;
    if (col_str(q, 0, &l->name) != 0)
        return -1;
    l->value = sqlite3_column_int64(q, 1);
    l->min_value = sqlite3_column_int64(q, 2);
    l->hits = sqlite3_column_int64(q, 3);
    l->runs_hit = sqlite3_column_int64(q, 4);
    c->limit_runs = sqlite3_column_int64(q, 5);
    c->limit_hits += l->hits;
    struct report_limit t = *l;
    int j = c->nlimits - 1;
    for (; j > 0 && limit_rank(c->limits[j - 1].name) > limit_rank(t.name); j--)
        c->limits[j] = c->limits[j - 1];
    c->limits[j] = t;
    return 0;
}

/* Query number k (0-based, the order of report.sql) hands row number row to its reader. */
static int read_row(int k, sqlite3_stmt *q, struct report_sections *r, int row)
{
    switch (k) {
    case 0:
        return row == 0 ? read_totals(q, r) : 0;
    case 1:
        return read_source(q, r, row);
    case 2:
        return read_class(q, r);
    case 3:
        return read_status(q, r);
    case 4:
        return read_group(q, r);
    case 5:
        return read_bin(q, r);
    case 6:
        return read_slow(q, r);
    case 7:
        return read_rule(q, r);
    case 8:
        return read_rule_host(q, r);
    case 9:
        return read_limit(q, r);
    default:
        return 0;
    }
}

static int run_queries(sqlite3 *db, struct report_sections *r, char err[HTTPCAP_ERRBUF])
{
    const char *sql = sql_embedded("report.sql");
    if (!sql) {
        snprintf(err, HTTPCAP_ERRBUF, "report.sql is not built in");
        return -1;
    }
    for (int k = 0; *sql; k++) {
        sqlite3_stmt *q = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &q, &tail) != SQLITE_OK) {
            snprintf(err, HTTPCAP_ERRBUF, "report query %d: %s", k + 1, sqlite3_errmsg(db));
            return -1;
        }
        sql = tail;
        if (!q) /* only comments or blanks were left */
            break;
        int idx = sqlite3_bind_parameter_index(q, ":top");
        if (idx > 0)
            sqlite3_bind_int(q, idx, r->top);
        int rc;
        int row = 0;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (read_row(k, q, r, row++) != 0) {
                sqlite3_finalize(q);
                snprintf(err, HTTPCAP_ERRBUF, "out of memory");
                return -1;
            }
        }
        if (rc != SQLITE_DONE) {
            snprintf(err, HTTPCAP_ERRBUF, "report query %d: %s", k + 1,
                     rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
            sqlite3_finalize(q);
            return -1;
        }
        sqlite3_finalize(q);
    }
    return 0;
}

/* " since 2026-11-28T10:00:00Z" style: label and the time (seconds, UTC) appended at n. */
static size_t add_time(char *text, size_t cap, size_t n, const char *label, int64_t ns)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int k = snprintf(text + n, cap - n, "%s%s %s", n ? ", " : "", label, when);
    return k < 0 ? n : n + (size_t)k < cap ? n + (size_t)k : cap - 1;
}

/* The filters as one line of text, for the report's header; 0, or -1 out of memory. */
static int describe_filters(const struct report_options *o, struct report_sections *r)
{
    char text[512] = "";
    size_t n = 0;
    if (o->has_since)
        n = add_time(text, sizeof text, n, "since", o->since_ns);
    if (o->has_until)
        n = add_time(text, sizeof text, n, "until", o->until_ns);
    if (o->host)
        snprintf(text + n, sizeof text - n, "%shost %.200s", n ? ", " : "", o->host);
    if (!text[0])
        return 0;
    r->filter_text = strdup(text);
    return r->filter_text ? 0 : -1;
}

int report_load(const struct report_options *o, struct report_sections *r,
                char err[HTTPCAP_ERRBUF])
{
    memset(r, 0, sizeof *r);
    r->top = o->top;
    r->ndbs = o->npaths;
    for (int i = 0; i < REPORT_NCLASSES; i++)
        snprintf(r->classes[i].name, sizeof r->classes[i].name, "%s", class_names[i]);
    if (describe_filters(o, r) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    sqlite3 *db = NULL;
    struct report_scan *scan = NULL;
    if (report_db_open(o, &db, &scan, err) != 0)
        return -1;
    char why[HTTPCAP_ERRBUF] = "";
    int rc = report_series_load(db, r, why); /* first: the latency walk fills its medians */
    if (rc == 0)
        rc = run_queries(db, r, why);
    if (rc == 0 && report_scan_latency(scan, r) != 0) {
        snprintf(why, sizeof why, "out of memory");
        rc = -1;
    }
    report_scan_free(scan);
    if (rc == 0)
        rc = report_anomalies_load(db, r, why);
    if (rc != 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s: %.300s", o->npaths > 0 ? o->paths[0] : "report", why);
    sqlite3_close(db);
    return rc;
}

static void free_rules(struct report_sections *r)
{
    for (int i = 0; i < r->nrules; i++) {
        struct report_rule *u = &r->rules[i];
        free(u->rule);
        free(u->severity);
        free(u->reference);
        free(u->summary);
        free(u->hint);
        for (int k = 0; k < u->nhost_names; k++)
            free(u->host_names[k]);
        free(u->host_names);
        report_example_free(&u->example);
    }
    free(r->rules);
}

void report_free(struct report_sections *r)
{
    if (!r)
        return;
    for (int64_t i = 0; i < r->capture.runs; i++) {
        if (r->capture.sources)
            free(r->capture.sources[i]);
        if (r->capture.sensors)
            free(r->capture.sensors[i]);
    }
    free(r->capture.sources);
    free(r->capture.sensors);
    free(r->capture.sensor_list);
    free(r->capture.first_iso);
    free(r->capture.last_iso);
    free(r->capture.warning);
    for (int i = 0; i < r->capture.nlimits; i++)
        free(r->capture.limits[i].name);
    free(r->capture.limits);
    free(r->filter_text);
    for (int i = 0; i < r->nstatuses; i++) {
        free(r->statuses[i].reason);
        free(r->statuses[i].effective_reason);
    }
    free(r->statuses);
    for (int i = 0; i < r->nlatency; i++)
        free(r->latency[i].key);
    free(r->latency);
    for (int i = 0; i < r->nslowest; i++) {
        struct report_slow *s = &r->slowest[i];
        free(s->time);
        free(s->method);
        free(s->host);
        free(s->uri);
        free(s->endpoint);
        free(s->request_id);
    }
    free(r->slowest);
    free_rules(r);
    report_anomalies_free(r);
    memset(r, 0, sizeof *r);
}
