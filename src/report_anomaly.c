/*
 * report_anomaly.c - section 5 of `httpcap report`: detecting anomalies (their wording,
 *        evidence lines and advice come from report_anomaly_text.c; their examples, order
 *        and freeing from report_anomaly_list.c).
 * Owns: r->anomalies, the TEMP table ranomaly_keys while it runs.
 * In:   the grouped tables (and rt for examples) through sql/anomalies.sql; r->series.
 * Out:  struct report_anomaly entries in kind order, then time, then subject.
 * Never: reads transactions one by one in C (only grouped rows and <= 5 examples each),
 *        writes to an attached database.
 */
#include "report_anomaly.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_anomaly_text.h"
#include "sql_embed.h"

#define MIN_BURST_ERRORS 5     /* errors in a bucket before a burst can fire */
#define BURST_Z 3.0            /* z-score above which a bucket's error share is a burst */
#define MIN_LATENCY_VALUES 5   /* ttfb values in a bucket before its median counts */
#define LATENCY_RATIO 3.0      /* bucket median vs report median */
#define LATENCY_MIN_EXTRA_MS 10.0 /* and at least this much slower: 0.3 ms against 0.1 ms
                                     on a loopback is no spike anyone would chase */
#define RARE_MIN_TOTAL 100     /* "rare" means little among fewer transactions, unless the
                                  code is unregistered or invalid */
#define CLASS_5XX 4            /* indexes into the 7 classes of report.h */
#define CLASS_4XX 3
#define CLASS_INVALID 6

int report_anomaly_prepare(sqlite3 *db, const char *name, sqlite3_stmt **q,
                           char err[HTTPCAP_ERRBUF])
{
    *q = NULL;
    const char *sql = sql_embedded("anomalies.sql");
    if (!sql) {
        snprintf(err, HTTPCAP_ERRBUF, "anomalies.sql is not built in");
        return -1;
    }
    static const char marker[] = "-- @query ";
    size_t nlen = strlen(name);
    const char *p = sql;
    const char *start = NULL;
    while ((p = strstr(p, marker)) != NULL) {
        p += sizeof marker - 1;
        if (strncmp(p, name, nlen) == 0 && (p[nlen] == '\n' || p[nlen] == '\r')) {
            start = p + nlen;
            break;
        }
    }
    if (!start) {
        snprintf(err, HTTPCAP_ERRBUF, "anomalies.sql has no query %s", name);
        return -1;
    }
    const char *end = strstr(start, marker);
    int len = (int)(end ? (size_t)(end - start) : strlen(start));
    if (sqlite3_prepare_v2(db, start, len, q, NULL) != SQLITE_OK || !*q) {
        snprintf(err, HTTPCAP_ERRBUF, "anomalies query %s: %s", name, sqlite3_errmsg(db));
        sqlite3_finalize(*q);
        *q = NULL;
        return -1;
    }
    return 0;
}

/* The state of one report_anomalies_load(). */
struct ctx {
    sqlite3 *db;
    struct report_sections *r;
    sqlite3_stmt *keys;            /* keys_insert, NULL until the table exists */
    int nomem;                     /* an allocation failed */
    int64_t total;                 /* transactions in the buckets */
    int64_t errors[2];             /* 5xx(+invalid) and 4xx of them */
    struct anomaly_clock clock;    /* how its times are written */
};

/* A new anomaly of kind k at the end of r->anomalies, or NULL (nomem set). */
static struct report_anomaly *add(struct ctx *c, enum report_anomaly_kind k, const char *subject)
{
    struct report_sections *r = c->r;
    struct report_anomaly *a = realloc(r->anomalies, (size_t)(r->nanomalies + 1) * sizeof *a);
    if (!a) {
        c->nomem = 1;
        return NULL;
    }
    r->anomalies = a;
    a = &a[r->nanomalies++];
    memset(a, 0, sizeof *a);
    a->kind = k;
    a->first_bucket = -1;
    a->last_bucket = -1;
    a->subject = strdup(subject);
    a->message = strdup(anomaly_message(k));
    if (!a->subject || !a->message)
        c->nomem = 1;
    return a;
}

/* Give a the time window of buckets b0..b1; its subject is that range. */
static struct report_anomaly *add_window(struct ctx *c, enum report_anomaly_kind k, int b0,
                                         int b1)
{
    const struct report_series *s = &c->r->series;
    int64_t start = s->buckets[b0].start_ns;
    int64_t end = s->buckets[b1].start_ns + s->bucket_ns;
    char t0[64], t1[64], subject[140];
    anomaly_fmt_time(&c->clock, start, 'S', t0, sizeof t0);
    anomaly_fmt_time(&c->clock, end, 'S', t1, sizeof t1);
    snprintf(subject, sizeof subject, "%s/%s", t0, t1);
    struct report_anomaly *a = add(c, k, subject);
    if (!a)
        return NULL;
    a->has_window = 1;
    a->start_ns = start;
    a->end_ns = end;
    a->first_bucket = b0;
    a->last_bucket = b1;
    anomaly_fmt_time(&c->clock, start, 'I', t0, sizeof t0);
    a->start_iso = strdup(t0);
    if (!a->start_iso)
        c->nomem = 1;
    return a;
}

/* Remember what anomaly number a is about, for the examples query. */
static int add_key(struct ctx *c, enum report_anomaly_kind k, int is_text, int64_t ikey,
                   const char *tkey, const char *targ, double darg, int has_darg, int a)
{
    sqlite3_stmt *q = c->keys;
    sqlite3_bind_int(q, 1, (int)k);
    if (is_text)
        sqlite3_bind_text(q, 2, tkey, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(q, 2, ikey);
    if (targ)
        sqlite3_bind_text(q, 3, targ, -1, SQLITE_STATIC);
    else if (has_darg)
        sqlite3_bind_double(q, 3, darg);
    else
        sqlite3_bind_null(q, 3);
    sqlite3_bind_int(q, 4, a);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int sql_fail(struct ctx *c, sqlite3_stmt *q, const char *name, char err[HTTPCAP_ERRBUF])
{
    snprintf(err, HTTPCAP_ERRBUF, "anomalies query %s: %s", name, sqlite3_errmsg(c->db));
    sqlite3_finalize(q);
    return -1;
}

/* The end of a detector's pass over q: finalize q; -1 with err when the detector failed
 * (status != 0: out of memory or a SQLite error of ours) or the step did (rc). */
static int end_pass(struct ctx *c, sqlite3_stmt *q, int status, int rc, const char *name,
                    char err[HTTPCAP_ERRBUF])
{
    if (status != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "anomalies: %s",
                 c->nomem ? "out of memory" : sqlite3_errmsg(c->db));
        sqlite3_finalize(q);
        return -1;
    }
    if (rc != SQLITE_DONE)
        return sql_fail(c, q, name, err);
    sqlite3_finalize(q);
    return 0;
}

/* z-score of k errors in n against share p; *fires says whether it is a burst. */
static double burst_z(int64_t k, int64_t n, double p, int *fires)
{
    *fires = 0;
    if (n <= 0 || k < MIN_BURST_ERRORS)
        return 0;
    if (p <= 0) { /* no errors elsewhere: any 5 are news */
        *fires = 1;
        return 0;
    }
    if (p >= 1)
        return 0;
    double np = (double)n * p;
    double z = ((double)k - np) / sqrt(np * (1 - p));
    *fires = z > BURST_Z;
    return z;
}

static int64_t bucket_errors(const struct report_bucket *b, int which)
{
    return which == 0 ? b->classes[CLASS_5XX] + b->classes[CLASS_INVALID]
                      : b->classes[CLASS_4XX];
}

/* error-burst-5xx (which 0) and error-burst-4xx (which 1) from the series' class counts. */
static int detect_bursts(struct ctx *c, int which)
{
    const struct report_series *s = &c->r->series;
    enum report_anomaly_kind kind = which == 0 ? ANOMALY_ERROR_BURST_5XX : ANOMALY_ERROR_BURST_4XX;
    double p = c->total > 0 ? (double)c->errors[which] / (double)c->total : 0;
    for (int b = 0; b < s->nbuckets; b++) {
        int fires;
        double z = burst_z(bucket_errors(&s->buckets[b], which), s->buckets[b].count, p, &fires);
        if (!fires)
            continue;
        int b1 = b;
        int64_t k = bucket_errors(&s->buckets[b], which);
        int64_t n = s->buckets[b].count;
        double zmax = z;
        for (;;) {
            if (b1 + 1 >= s->nbuckets)
                break;
            const struct report_bucket *nx = &s->buckets[b1 + 1];
            int next_fires;
            double zn = burst_z(bucket_errors(nx, which), nx->count, p, &next_fires);
            if (!next_fires)
                break;
            b1++;
            k += bucket_errors(nx, which);
            n += nx->count;
            if (zn > zmax)
                zmax = zn;
        }
        struct report_anomaly *a = add_window(c, kind, b, b1);
        if (!a)
            return -1;
        a->count = k;
        a->total = n;
        a->value = (double)k / (double)n;
        a->baseline = p;
        a->score = p > 0 ? zmax : 0;
        a->evidence = anomaly_burst_evidence(&c->nomem, &c->clock, a);
        for (int i = b; i <= b1; i++)
            if (add_key(c, kind, 0, i, NULL, NULL, 0, 0, c->r->nanomalies - 1) != 0)
                return -1;
        b = b1;
    }
    return 0;
}

/* The report's median ttfb: report.sql's, when it was loaded first, or our own query. */
static int overall_median(struct ctx *c, double *median, int64_t *n, char err[HTTPCAP_ERRBUF])
{
    const struct report_sections *r = c->r;
    *n = 0;
    if (r->nlatency > 0 && r->latency[0].scope == REPORT_ALL && r->latency[0].n_ttfb > 0) {
        *median = r->latency[0].ttfb_p50;
        *n = r->latency[0].n_ttfb;
        return 0;
    }
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, "median_ttfb", &q, err) != 0)
        return -1;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *median = sqlite3_column_double(q, 0);
        *n = sqlite3_column_int64(q, 1);
        rc = SQLITE_DONE;
    }
    if (rc != SQLITE_DONE)
        return sql_fail(c, q, "median_ttfb", err);
    sqlite3_finalize(q);
    return 0;
}

/* latency-spike: bucket medians (from the series) above 3x the report's median. */
static int detect_latency(struct ctx *c, char err[HTTPCAP_ERRBUF])
{
    const struct report_series *s = &c->r->series;
    double median = 0;
    int64_t nvalues = 0;
    if (overall_median(c, &median, &nvalues, err) != 0)
        return -1;
    if (nvalues == 0 || median <= 0) /* no ratio to speak of */
        return 0;
    double thr = LATENCY_RATIO * median;
    if (thr < median + LATENCY_MIN_EXTRA_MS)
        thr = median + LATENCY_MIN_EXTRA_MS;
    int any = 0;
    for (int b = 0; b < s->nbuckets; b++)
        any |= s->buckets[b].has_median && s->buckets[b].ttfb_median > thr;
    if (!any) /* the common case: skip the counting pass */
        return 0;
    int64_t *nv = calloc((size_t)s->nbuckets * 2, sizeof *nv);
    if (!nv) {
        c->nomem = 1;
        return -1;
    }
    int64_t *slow = nv + s->nbuckets;
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, "bucket_latency", &q, err) != 0) {
        free(nv);
        return -1;
    }
    sqlite3_bind_double(q, sqlite3_bind_parameter_index(q, ":thr"), thr);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t b = sqlite3_column_int64(q, 0);
        if (b < 0 || b >= s->nbuckets)
            continue;
        nv[b] = sqlite3_column_int64(q, 1);
        slow[b] = sqlite3_column_int64(q, 2);
    }
    if (rc != SQLITE_DONE) {
        free(nv);
        return sql_fail(c, q, "bucket_latency", err);
    }
    sqlite3_finalize(q);
#define SPIKE(i) \
    (nv[i] >= MIN_LATENCY_VALUES && s->buckets[i].has_median && s->buckets[i].ttfb_median > thr)
    int status = 0;
    for (int b = 0; b < s->nbuckets && status == 0; b++) {
        if (!SPIKE(b))
            continue;
        int b1 = b;
        while (b1 + 1 < s->nbuckets && SPIKE(b1 + 1))
            b1++;
        int64_t k = 0, n = 0;
        double top = 0;
        for (int i = b; i <= b1; i++) {
            k += slow[i];
            n += nv[i];
            if (s->buckets[i].ttfb_median > top)
                top = s->buckets[i].ttfb_median;
        }
        struct report_anomaly *a = add_window(c, ANOMALY_LATENCY_SPIKE, b, b1);
        if (!a) {
            status = -1;
            break;
        }
        a->count = k;
        a->total = n;
        a->value = top;
        a->baseline = median;
        a->score = top / median;
        a->evidence = anomaly_latency_evidence(&c->nomem, &c->clock, a, thr);
        for (int i = b; i <= b1 && status == 0; i++)
            status = add_key(c, ANOMALY_LATENCY_SPIKE, 0, i, NULL, NULL, thr, 1,
                             c->r->nanomalies - 1);
        b = b1;
    }
#undef SPIKE
    free(nv);
    return status;
}

static const char *const class_names[REPORT_NCLASSES] = {
    "1xx", "2xx", "3xx", "4xx", "5xx", "unanswered", "invalid",
};

/* status-mix-changed for one endpoint's halves; h0/h1 are the 8 counts of each half. */
static int status_mix(struct ctx *c, const char *endpoint, const int64_t h0[8],
                      const int64_t h1[8])
{
    int64_t n0 = h0[0], n1 = h1[0];
    if (n0 < 10 || n1 < 10)
        return 0;
    /* total variation distance 1/2 sum |a/n0 - b/n1| >= 0.3, in exact integers */
    int64_t sum = 0;
    int grown = 0;
    int64_t best = INT64_MIN;
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        int64_t d = h1[1 + i] * n0 - h0[1 + i] * n1;
        sum += d < 0 ? -d : d;
        if (d > best) {
            best = d;
            grown = i;
        }
    }
    if (10 * sum < 6 * n0 * n1)
        return 0;
    const struct report_series *s = &c->r->series;
    int b0 = s->nbuckets / 2;
    int64_t split = s->origin_ns + (int64_t)s->nbuckets * s->bucket_ns / 2;
    if (s->nbuckets < 2)
        return 0; /* one bucket has no halves worth comparing (cannot have 10 in each) */
    struct report_anomaly *a = add(c, ANOMALY_STATUS_MIX_CHANGED, endpoint);
    if (!a)
        return -1;
    a->has_window = 1;
    a->start_ns = split;
    a->end_ns = s->origin_ns + (int64_t)s->nbuckets * s->bucket_ns;
    a->first_bucket = b0;
    a->last_bucket = s->nbuckets - 1;
    char t[64];
    anomaly_fmt_time(&c->clock, split, 'I', t, sizeof t);
    a->start_iso = strdup(t);
    if (!a->start_iso)
        c->nomem = 1;
    a->count = h1[1 + grown];
    a->total = n1;
    a->value = (double)h1[1 + grown] / (double)n1;
    a->baseline = (double)h0[1 + grown] / (double)n0;
    a->score = (double)sum / (2.0 * (double)n0 * (double)n1);
    a->evidence = anomaly_mix_evidence(&c->nomem, &c->clock, a, class_names[grown], n0);
    return add_key(c, ANOMALY_STATUS_MIX_CHANGED, 1, 0, endpoint, class_names[grown], 0, 0,
                   c->r->nanomalies - 1);
}

/* failing-endpoint and status-mix-changed from one GROUP BY endpoint. */
static int detect_endpoints(struct ctx *c, char err[HTTPCAP_ERRBUF])
{
    double p = c->total > 0 ? (double)c->errors[0] / (double)c->total : 0;
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, "endpoints", &q, err) != 0)
        return -1;
    int rc;
    int status = 0;
    while (status == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *e = (const char *)sqlite3_column_text(q, 0);
        int64_t n = sqlite3_column_int64(q, 1);
        int64_t k = sqlite3_column_int64(q, 2);
        if (!e)
            continue;
        if (n >= 5 && 5 * k >= n) { /* share >= 20% */
            struct report_anomaly *a = add(c, ANOMALY_FAILING_ENDPOINT, e);
            if (!a)
                return sql_fail(c, q, "endpoints", err);
            a->count = k;
            a->total = n;
            a->value = (double)k / (double)n;
            a->baseline = p;
            int fires;
            double z = burst_z(k, n, p, &fires);
            a->score = p > 0 && p < 1 ? z : 0;
            a->evidence = anomaly_failing_evidence(&c->nomem, a);
            status = add_key(c, ANOMALY_FAILING_ENDPOINT, 1, 0, e, NULL, 0, 0,
                             c->r->nanomalies - 1);
            continue;
        }
        int64_t h[2][8];
        for (int i = 0; i < 16; i++)
            h[i / 8][i % 8] = sqlite3_column_int64(q, 3 + i);
        status = status_mix(c, e, h[0], h[1]);
    }
    if (status != 0) {
        sqlite3_finalize(q);
        if (!c->nomem)
            snprintf(err, HTTPCAP_ERRBUF, "anomalies: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    if (rc != SQLITE_DONE)
        return sql_fail(c, q, "endpoints", err);
    sqlite3_finalize(q);
    return 0;
}

/* The per-server kinds of the servers query, in its column order (2..5). */
static const enum report_anomaly_kind server_kinds[4] = {
    ANOMALY_UNANSWERED, ANOMALY_ORPHAN_RESPONSES, ANOMALY_RESET_MID_RESPONSE,
    ANOMALY_TRUNCATED_BODIES,
};

/* Set the baseline of every anomaly of kind k from index from on. */
static void set_baseline(struct ctx *c, int from, enum report_anomaly_kind k, double v)
{
    for (int i = from; i < c->r->nanomalies; i++)
        if (c->r->anomalies[i].kind == k)
            c->r->anomalies[i].baseline = v;
}

static int detect_servers(struct ctx *c, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, "servers", &q, err) != 0)
        return -1;
    int from = c->r->nanomalies;
    int64_t sums[4] = {0, 0, 0, 0};
    int64_t all = 0;
    int rc;
    int status = 0;
    while (status == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *server = (const char *)sqlite3_column_text(q, 0);
        int64_t n = sqlite3_column_int64(q, 1);
        all += n;
        for (int i = 0; i < 4 && server && status == 0; i++) {
            int64_t k = sqlite3_column_int64(q, 2 + i);
            sums[i] += k;
            if (k < 1)
                continue;
            struct report_anomaly *a = add(c, server_kinds[i], server);
            if (!a) {
                status = -1;
                break;
            }
            a->count = k;
            a->total = n;
            a->value = (double)k / (double)n;
            a->evidence = anomaly_server_evidence(&c->nomem, server_kinds[i], k, n, server);
            status = add_key(c, server_kinds[i], 1, 0, server, NULL, 0, 0,
                             c->r->nanomalies - 1);
        }
    }
    if (end_pass(c, q, status, rc, "servers", err) != 0)
        return -1;
    for (int i = 0; i < 4; i++)
        set_baseline(c, from, server_kinds[i], all > 0 ? (double)sums[i] / (double)all : 0);
    return 0;
}

/* capture-gaps and retransmissions from the connections (rc) per server. */
static int detect_connections(struct ctx *c, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, "conn_servers", &q, err) != 0)
        return -1;
    int from = c->r->nanomalies;
    int64_t gap_all = 0, bytes_all = 0, re_all = 0, pk_all = 0;
    int rc;
    int status = 0;
    while (status == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *server = (const char *)sqlite3_column_text(q, 0);
        int64_t conns = sqlite3_column_int64(q, 1);
        int64_t gap_conns = sqlite3_column_int64(q, 2);
        int64_t gap = sqlite3_column_int64(q, 3);
        int64_t bytes = sqlite3_column_int64(q, 4);
        int64_t re = sqlite3_column_int64(q, 5);
        int64_t pk = sqlite3_column_int64(q, 6);
        gap_all += gap;
        bytes_all += bytes;
        re_all += re;
        pk_all += pk;
        if (!server)
            continue;
        if (gap > 0) {
            struct report_anomaly *a = add(c, ANOMALY_CAPTURE_GAPS, server);
            if (!a) {
                status = -1;
                break;
            }
            a->count = gap;
            a->total = gap + bytes;
            a->value = (double)gap / (double)(gap + bytes);
            a->evidence = anomaly_gaps_evidence(&c->nomem, a, gap_conns, conns, server);
            status = add_key(c, ANOMALY_CAPTURE_GAPS, 1, 0, server, NULL, 0, 0,
                             c->r->nanomalies - 1);
        }
        if (status == 0 && re >= 10 && pk > 0 && 50 * re >= pk) { /* >= 2% */
            struct report_anomaly *a = add(c, ANOMALY_RETRANSMISSIONS, server);
            if (!a) {
                status = -1;
                break;
            }
            a->count = re;
            a->total = pk;
            a->value = (double)re / (double)pk;
            a->evidence = anomaly_retrans_evidence(&c->nomem, a, server);
            status = add_key(c, ANOMALY_RETRANSMISSIONS, 1, 0, server, NULL, 0, 0,
                             c->r->nanomalies - 1);
        }
    }
    if (end_pass(c, q, status, rc, "conn_servers", err) != 0)
        return -1;
    double gap_base = gap_all + bytes_all > 0 ? (double)gap_all / (double)(gap_all + bytes_all) : 0;
    double re_base = pk_all > 0 ? (double)re_all / (double)pk_all : 0;
    set_baseline(c, from, ANOMALY_CAPTURE_GAPS, gap_base);
    set_baseline(c, from, ANOMALY_RETRANSMISSIONS, re_base);
    for (int i = from; i < c->r->nanomalies; i++) {
        struct report_anomaly *a = &c->r->anomalies[i];
        if (a->kind == ANOMALY_RETRANSMISSIONS && re_base > 0)
            a->score = a->value / re_base;
    }
    return 0;
}

/* limit-reached: each cap of the capture runs (r->capture.limits) reached at least once.
 * Counted per run, not per transaction: the filters do not narrow it. */
static int detect_limits(struct ctx *c)
{
    const struct report_capture *cap = &c->r->capture;
    for (int i = 0; i < cap->nlimits; i++) {
        const struct report_limit *l = &cap->limits[i];
        if (l->hits <= 0 || !l->name)
            continue;
        struct report_anomaly *a = add(c, ANOMALY_LIMIT_REACHED, l->name);
        if (!a)
            return -1;
        a->count = l->hits;
        free(a->message);
        a->message = strdup(anomaly_limit_message(l->name));
        if (!a->message)
            c->nomem = 1;
        a->evidence = anomaly_limit_evidence(&c->nomem, l, cap->limit_runs,
                                             c->r->filter_text != NULL);
        if (add_key(c, ANOMALY_LIMIT_REACHED, 1, 0, l->name, NULL, 0, 0,
                    c->r->nanomalies - 1) != 0)
            return -1;
    }
    return 0;
}

/* rare-status and new-status from one GROUP BY status. */
static int detect_statuses(struct ctx *c, char err[HTTPCAP_ERRBUF])
{
    const struct report_series *s = &c->r->series;
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, "statuses", &q, err) != 0)
        return -1;
    int late = s->nbuckets - (s->nbuckets / 10 > 1 ? s->nbuckets / 10 : 1);
    int rc;
    int status = 0;
    while (status == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int code = sqlite3_column_int(q, 0);
        int64_t n = sqlite3_column_int64(q, 1);
        int has_b = sqlite3_column_type(q, 2) != SQLITE_NULL;
        int64_t b0 = sqlite3_column_int64(q, 2);
        int registered = sqlite3_column_int(q, 4);
        int effective = sqlite3_column_int(q, 5);
        char subject[32];
        snprintf(subject, sizeof subject, "%d", code);
        struct report_anomaly *a = NULL;
        int is_odd = !registered || code < 100 || code > 599;
        if (n < 3 && (c->total >= RARE_MIN_TOTAL || is_odd)) {
            a = add(c, ANOMALY_RARE_STATUS, subject);
            if (!a) {
                status = -1;
                break;
            }
            a->count = n;
            a->total = c->total;
            a->value = c->total > 0 ? (double)n / (double)c->total : 0;
            a->evidence = anomaly_rare_evidence(&c->nomem, a, code, registered, effective);
        } else if (n >= 3 && s->nbuckets >= 10 && has_b && b0 >= late && b0 < s->nbuckets) {
            a = add_window(c, ANOMALY_NEW_STATUS, (int)b0, s->nbuckets - 1);
            if (!a) {
                status = -1;
                break;
            }
            free(a->subject);
            a->subject = strdup(subject);
            if (!a->subject)
                c->nomem = 1;
            int64_t in = 0;
            for (int i = (int)b0; i < s->nbuckets; i++)
                in += s->buckets[i].count;
            a->count = n;
            a->total = in;
            a->value = in > 0 ? (double)n / (double)in : 0;
            a->evidence = anomaly_new_status_evidence(&c->nomem, &c->clock, a, code,
                                                      s->nbuckets);
        }
        if (a)
            status = add_key(c, a->kind, 0, code, NULL, NULL, 0, 0, c->r->nanomalies - 1);
    }
    if (end_pass(c, q, status, rc, "statuses", err) != 0)
        return -1;
    return 0;
}

static int run_sql(struct ctx *c, const char *name, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (report_anomaly_prepare(c->db, name, &q, err) != 0)
        return -1;
    if (sqlite3_step(q) != SQLITE_DONE)
        return sql_fail(c, q, name, err);
    sqlite3_finalize(q);
    return 0;
}

static int detect_all(struct ctx *c, char err[HTTPCAP_ERRBUF])
{
    const struct report_series *s = &c->r->series;
    for (int b = 0; b < s->nbuckets; b++) {
        c->total += s->buckets[b].count;
        c->errors[0] += bucket_errors(&s->buckets[b], 0);
        c->errors[1] += bucket_errors(&s->buckets[b], 1);
    }
    anomaly_clock_set(&c->clock, s);
    if (run_sql(c, "keys_drop", err) != 0 || run_sql(c, "keys_create", err) != 0 ||
        report_anomaly_prepare(c->db, "keys_insert", &c->keys, err) != 0)
        return -1;
    if (detect_bursts(c, 0) != 0 || detect_bursts(c, 1) != 0)
        goto fail;
    if (detect_latency(c, err) != 0 || detect_endpoints(c, err) != 0 ||
        detect_servers(c, err) != 0 || detect_connections(c, err) != 0 ||
        detect_statuses(c, err) != 0)
        return -1;
    if (detect_limits(c) != 0)
        goto fail;
    if (c->nomem)
        goto fail;
    if (c->r->nanomalies > 0 && anomaly_load_examples(c->db, c->r, &c->nomem, err) != 0)
        return -1;
    return 0;
fail:
    snprintf(err, HTTPCAP_ERRBUF, "anomalies: %s",
             c->nomem ? "out of memory" : sqlite3_errmsg(c->db));
    return -1;
}

int report_anomalies_load(sqlite3 *db, struct report_sections *r, char err[HTTPCAP_ERRBUF])
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.r = r;
    int rc = detect_all(&c, err);
    sqlite3_finalize(c.keys);
    char ignored[HTTPCAP_ERRBUF];
    run_sql(&c, "keys_drop", ignored);
    if (rc == 0 && c.nomem) {
        snprintf(err, HTTPCAP_ERRBUF, "anomalies: out of memory");
        rc = -1;
    }
    if (rc == 0)
        anomaly_sort(r);
    return rc;
}
