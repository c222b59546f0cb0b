/*
 * render_json.c - the report as one JSON object, the machine-readable twin of every section
 * (every field of report.h appears). Schema: tests/report.schema.json.
 * Owns: JSON syntax, RFC 8259 escaping, the key names below. In: struct report_sections.
 * Out: a FILE. Never: queries the database. Invalid UTF-8 from the wire becomes U+FFFD.
 *
 * Stable keys, always present, in this order. Counts are integers; ms, shares and scores are
 * numbers with up to 6 decimals; a missing value is null (never NaN or Inf). Arrays keep
 * the report order (which is deterministic).
 *   version: 2, databases: n, filter: text|null, top: n (the --top asked for)
 *   capture: {runs, sources: [text], sensors: [text or null, one per source], first_packet, last_packet (ISO-8601 UTC or null),
 *     first_packet_ns, last_packet_ns (null without packet times), packets, bytes,
 *     connections, transactions (in the databases), reported (passing the filters),
 *     kernel_drops, interface_drops (null when no run recorded drops), gap_bytes, tcp_bytes,
 *     truncated_inputs, loss_warning: bool, warning: text|null, limit_runs (runs that
 *     recorded their limits), limit_hits (summed), limits: [{name, value (the largest over
 *     the runs), min_value, hits (summed), runs_hit}] (limits_table.h order; [] when no run
 *     recorded any)}
 *   answered_total: n (transactions counted in classes)
 *   classes: [{class: "1xx".."5xx"|"unanswered"|"invalid", count, pct}] (7, report order)
 *   statuses: [{code, reason (registered phrase or null), count, pct, registered: bool,
 *     effective_status (the x00 fallback), effective_reason}]
 *   latency: [{scope: "all"|"class"|"host"|"endpoint", key (null for all / no Host), count,
 *     ttfb: {n, p50, p90, p99, max}, total: {n, p50, p90, p99, max}}] (null figures at n 0)
 *   endpoints: n (distinct; latency lists the busiest --top)
 *   histogram: [{lo_ms, hi_ms, count}] (24 log bins of ttfb; lo_ms of the first and hi_ms
 *     of the last are null: open-ended)
 *   slowest: [{id, time, method, host, uri, endpoint, status, ttfb_ms, total_ms,
 *     request_id}] (largest ttfb first)
 *   violations: [{rule, severity, reference, summary, count, hosts, host_names: [text],
 *     example: EXAMPLE|null, hint}]
 *   anomalies: [{kind (report_anomaly_name), subject, start (ISO or null), start_ns,
 *     end_ns (null without a window), first_bucket, last_bucket (null when none), count,
 *     total, value, baseline, score, evidence, message, examples: [EXAMPLE]}]
 *     (limit-reached: subject is the limit's name, count its hits over the runs, total 0)
 *   series: {bucket_ns, origin_ns, nbuckets, buckets: [{start_ns, count, classes:
 *     {"1xx", "2xx", "3xx", "4xx", "5xx", "unanswered", "invalid": n}, ttfb_median}]}
 *   EXAMPLE: {id, time, client, server, method, uri, status, request_id}
 */
#include "render_json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "utf8.h"

/* Class keys of a series bucket, in report.h order. */
static const char *const class_keys[REPORT_NCLASSES] = {"1xx", "2xx",        "3xx",    "4xx",
                                                        "5xx", "unanswered", "invalid"};

void render_json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        int32_t scp = 0;
        size_t n = (size_t)utf8_decode((const char *)p, &scp);
        unsigned cp = (unsigned)scp;
        if (scp < 0) {
            fputs("\\ufffd", out);
            p++;
            continue;
        }
        if (cp == '"' || cp == '\\')
            fprintf(out, "\\%c", (char)cp);
        else if (cp == '\n')
            fputs("\\n", out);
        else if (cp == '\r')
            fputs("\\r", out);
        else if (cp == '\t')
            fputs("\\t", out);
        else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
                 (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
                 cp == 0xfeff)
            fprintf(out, "\\u%04x", cp); /* C0, DEL, C1, bidi and invisible format marks
                                            stay escaped: safe to cat to a terminal */
        else
            fwrite(p, 1, n, out);
        p += n;
    }
    fputc('"', out);
}

/* The writer: commas, newlines and indent. Objects opened compact stay on one line. */
struct jw {
    FILE *out;
    int depth;
    int first;        /* nothing written yet in the innermost container */
    int compact_from; /* depth of the outermost compact container, 0 when none */
};

static void sep(struct jw *w, const char *key)
{
    if (!w->first)
        fputc(',', w->out);
    if (w->compact_from && w->depth >= w->compact_from) {
        if (!w->first)
            fputc(' ', w->out);
    } else if (w->depth > 0) {
        fprintf(w->out, "\n%*s", 2 * w->depth, "");
    }
    w->first = 0;
    if (key)
        fprintf(w->out, "\"%s\": ", key); /* keys are ours: plain ASCII */
}

static void open_(struct jw *w, const char *key, char brace, int compact)
{
    sep(w, key);
    fputc(brace, w->out);
    w->depth++;
    w->first = 1;
    if (compact && !w->compact_from)
        w->compact_from = w->depth;
}

static void close_(struct jw *w, char brace)
{
    int was_compact = w->compact_from && w->depth >= w->compact_from;
    int empty = w->first;
    if (w->compact_from == w->depth)
        w->compact_from = 0;
    w->depth--;
    if (!was_compact && !empty)
        fprintf(w->out, "\n%*s", 2 * w->depth, "");
    fputc(brace, w->out);
    w->first = 0;
}

static void j_int(struct jw *w, const char *key, int64_t v)
{
    sep(w, key);
    fprintf(w->out, "%" PRId64, v);
}

static void j_null(struct jw *w, const char *key)
{
    sep(w, key);
    fputs("null", w->out);
}

static void j_bool(struct jw *w, const char *key, int v)
{
    sep(w, key);
    fputs(v ? "true" : "false", w->out);
}

static void j_str(struct jw *w, const char *key, const char *s)
{
    sep(w, key);
    render_json_string(w->out, s);
}

/* A number with up to 6 decimals (trailing zeros dropped); null when !has or not finite. */
static void j_num(struct jw *w, const char *key, int has, double v)
{
    sep(w, key);
    if (!has || !isfinite(v)) {
        fputs("null", w->out);
        return;
    }
    char b[64];
    if (fabs(v) >= 1e15) {
        snprintf(b, sizeof b, "%.17g", v);
    } else {
        snprintf(b, sizeof b, "%.6f", v);
        char *e = b + strlen(b);
        while (e[-1] == '0')
            *--e = '\0';
        if (e[-1] == '.')
            *--e = '\0';
        if (strcmp(b, "-0") == 0)
            memcpy(b, "0", 2);
    }
    fputs(b, w->out);
}

static void j_status(struct jw *w, const char *key, int has, int status)
{
    if (has)
        j_int(w, key, status);
    else
        j_null(w, key);
}

static double pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

static void example_json(struct jw *w, const char *key, const struct report_example *e)
{
    open_(w, key, '{', 1);
    j_int(w, "id", e->id);
    j_str(w, "time", e->time);
    j_str(w, "client", e->client);
    j_str(w, "server", e->server);
    j_str(w, "method", e->method);
    j_str(w, "uri", e->uri);
    j_status(w, "status", e->has_status, e->status);
    j_str(w, "request_id", e->request_id);
    close_(w, '}');
}

static void capture_json(const struct report_sections *r, struct jw *w)
{
    const struct report_capture *c = &r->capture;
    open_(w, "capture", '{', 0);
    j_int(w, "runs", c->runs);
    open_(w, "sources", '[', 0);
    for (int64_t i = 0; c->sources && i < c->runs; i++)
        j_str(w, NULL, c->sources[i]);
    close_(w, ']');
    open_(w, "sensors", '[', 0);
    for (int64_t i = 0; c->sensors && i < c->runs; i++)
        j_str(w, NULL, c->sensors[i]);
    close_(w, ']');
    j_str(w, "first_packet", c->has_span ? c->first_iso : NULL);
    j_str(w, "last_packet", c->has_span ? c->last_iso : NULL);
    if (c->has_span) {
        j_int(w, "first_packet_ns", c->first_ns);
        j_int(w, "last_packet_ns", c->last_ns);
    } else {
        j_null(w, "first_packet_ns");
        j_null(w, "last_packet_ns");
    }
    j_int(w, "packets", c->packets);
    j_int(w, "bytes", c->bytes);
    j_int(w, "connections", c->connections);
    j_int(w, "transactions", c->transactions);
    j_int(w, "reported", c->reported);
    if (c->has_drops) {
        j_int(w, "kernel_drops", c->kernel_drops);
        j_int(w, "interface_drops", c->interface_drops);
    } else {
        j_null(w, "kernel_drops");
        j_null(w, "interface_drops");
    }
    j_int(w, "gap_bytes", c->gap_bytes);
    j_int(w, "tcp_bytes", c->tcp_bytes);
    j_int(w, "truncated_inputs", c->truncated);
    j_bool(w, "loss_warning", c->loss_warning);
    j_str(w, "warning", c->warning);
    j_int(w, "limit_runs", c->limit_runs);
    j_int(w, "limit_hits", c->limit_hits);
    open_(w, "limits", '[', 0);
    for (int i = 0; i < c->nlimits; i++) {
        const struct report_limit *l = &c->limits[i];
        open_(w, NULL, '{', 1);
        j_str(w, "name", l->name);
        j_int(w, "value", l->value);
        j_int(w, "min_value", l->min_value);
        j_int(w, "hits", l->hits);
        j_int(w, "runs_hit", l->runs_hit);
        close_(w, '}');
    }
    close_(w, ']');
    close_(w, '}');
}

static void status_json(const struct report_sections *r, struct jw *w)
{
    j_int(w, "answered_total", r->answered_total);
    open_(w, "classes", '[', 0);
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        const struct report_class *k = &r->classes[i];
        char name[sizeof k->name + 1];
        memcpy(name, k->name, sizeof k->name);
        name[sizeof k->name] = '\0';
        open_(w, NULL, '{', 1);
        j_str(w, "class", name[0] ? name : class_keys[i]);
        j_int(w, "count", k->count);
        j_num(w, "pct", 1, pct(k->count, r->answered_total));
        close_(w, '}');
    }
    close_(w, ']');
    open_(w, "statuses", '[', 0);
    for (int i = 0; i < r->nstatuses; i++) {
        const struct report_status *s = &r->statuses[i];
        open_(w, NULL, '{', 1);
        j_int(w, "code", s->code);
        j_str(w, "reason", s->is_registered ? s->reason : NULL);
        j_int(w, "count", s->count);
        j_num(w, "pct", 1, pct(s->count, r->answered_total));
        j_bool(w, "registered", s->is_registered);
        j_int(w, "effective_status", s->effective);
        j_str(w, "effective_reason", s->effective_reason);
        close_(w, '}');
    }
    close_(w, ']');
}

static void percentiles(struct jw *w, const char *key, int64_t n, const double v[4])
{
    open_(w, key, '{', 1);
    j_int(w, "n", n);
    j_num(w, "p50", n > 0, v[0]);
    j_num(w, "p90", n > 0, v[1]);
    j_num(w, "p99", n > 0, v[2]);
    j_num(w, "max", n > 0, v[3]);
    close_(w, '}');
}

static void latency_json(const struct report_sections *r, struct jw *w)
{
    static const char *const scopes[] = {"all", "class", "host", "endpoint"};
    open_(w, "latency", '[', 0);
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        int sc = l->scope >= REPORT_ALL && l->scope <= REPORT_ENDPOINT ? (int)l->scope : 0;
        const double t[4] = {l->ttfb_p50, l->ttfb_p90, l->ttfb_p99, l->ttfb_max};
        const double z[4] = {l->total_p50, l->total_p90, l->total_p99, l->total_max};
        open_(w, NULL, '{', 1);
        j_str(w, "scope", scopes[sc]);
        j_str(w, "key", l->scope == REPORT_ALL ? NULL : l->key);
        j_int(w, "count", l->count);
        percentiles(w, "ttfb", l->n_ttfb, t);
        percentiles(w, "total", l->n_total, z);
        close_(w, '}');
    }
    close_(w, ']');
    j_int(w, "endpoints", r->endpoints);
    open_(w, "histogram", '[', 0);
    for (int i = 0; i < REPORT_HIST_BINS; i++) {
        open_(w, NULL, '{', 1);
        j_num(w, "lo_ms", i > 0, ldexp(1.0, i - 4));
        j_num(w, "hi_ms", i < REPORT_HIST_BINS - 1, ldexp(1.0, i - 3));
        j_int(w, "count", r->histogram.bins[i]);
        close_(w, '}');
    }
    close_(w, ']');
    open_(w, "slowest", '[', 0);
    for (int i = 0; i < r->nslowest; i++) {
        const struct report_slow *s = &r->slowest[i];
        open_(w, NULL, '{', 1);
        j_int(w, "id", s->id);
        j_str(w, "time", s->time);
        j_str(w, "method", s->method);
        j_str(w, "host", s->host);
        j_str(w, "uri", s->uri);
        j_str(w, "endpoint", s->endpoint);
        j_status(w, "status", s->has_status, s->status);
        j_num(w, "ttfb_ms", 1, s->ttfb_ms);
        j_num(w, "total_ms", s->has_total, s->total_ms);
        j_str(w, "request_id", s->request_id);
        close_(w, '}');
    }
    close_(w, ']');
}

static void rules_json(const struct report_sections *r, struct jw *w)
{
    open_(w, "violations", '[', 0);
    for (int i = 0; i < r->nrules; i++) {
        const struct report_rule *u = &r->rules[i];
        open_(w, NULL, '{', 0);
        j_str(w, "rule", u->rule);
        j_str(w, "severity", u->severity);
        j_str(w, "reference", u->reference);
        j_str(w, "summary", u->summary);
        j_int(w, "count", u->count);
        j_int(w, "hosts", u->hosts);
        open_(w, "host_names", '[', 1);
        for (int k = 0; u->host_names && k < u->nhost_names; k++)
            j_str(w, NULL, u->host_names[k]);
        close_(w, ']');
        if (u->has_example)
            example_json(w, "example", &u->example);
        else
            j_null(w, "example");
        j_str(w, "hint", u->hint);
        close_(w, '}');
    }
    close_(w, ']');
}

static void anomalies_json(const struct report_sections *r, struct jw *w)
{
    open_(w, "anomalies", '[', 0);
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        open_(w, NULL, '{', 0);
        j_str(w, "kind", report_anomaly_name(a->kind));
        j_str(w, "subject", a->subject);
        j_str(w, "start", a->has_window ? a->start_iso : NULL);
        if (a->has_window) {
            j_int(w, "start_ns", a->start_ns);
            j_int(w, "end_ns", a->end_ns);
        } else {
            j_null(w, "start_ns");
            j_null(w, "end_ns");
        }
        j_status(w, "first_bucket", a->first_bucket >= 0, a->first_bucket);
        j_status(w, "last_bucket", a->last_bucket >= 0, a->last_bucket);
        j_int(w, "count", a->count);
        j_int(w, "total", a->total);
        j_num(w, "value", 1, a->value);
        j_num(w, "baseline", 1, a->baseline);
        j_num(w, "score", 1, a->score);
        j_str(w, "evidence", a->evidence);
        j_str(w, "message", a->message);
        open_(w, "examples", '[', 0);
        for (int k = 0; k < a->nexamples && k < REPORT_MAX_EXAMPLES; k++)
            example_json(w, NULL, &a->examples[k]);
        close_(w, ']');
        close_(w, '}');
    }
    close_(w, ']');
}

static void series_json(const struct report_sections *r, struct jw *w)
{
    const struct report_series *s = &r->series;
    open_(w, "series", '{', 0);
    j_int(w, "bucket_ns", s->bucket_ns);
    j_int(w, "origin_ns", s->origin_ns);
    j_int(w, "nbuckets", s->buckets ? s->nbuckets : 0);
    open_(w, "buckets", '[', 0);
    for (int i = 0; s->buckets && i < s->nbuckets; i++) {
        const struct report_bucket *b = &s->buckets[i];
        open_(w, NULL, '{', 1);
        j_int(w, "start_ns", b->start_ns);
        j_int(w, "count", b->count);
        open_(w, "classes", '{', 1);
        for (int k = 0; k < REPORT_NCLASSES; k++)
            j_int(w, class_keys[k], b->classes[k]);
        close_(w, '}');
        j_num(w, "ttfb_median", b->has_median, b->ttfb_median);
        close_(w, '}');
    }
    close_(w, ']');
    close_(w, '}');
}

void render_json(const struct report_sections *r, FILE *out)
{
    struct jw w = {out, 0, 1, 0};
    open_(&w, NULL, '{', 0);
    j_int(&w, "version", 2);
    j_int(&w, "databases", r->ndbs);
    j_str(&w, "filter", r->filter_text);
    j_int(&w, "top", r->top);
    capture_json(r, &w);
    status_json(r, &w);
    latency_json(r, &w);
    rules_json(r, &w);
    anomalies_json(r, &w);
    series_json(r, &w);
    close_(&w, '}');
    fputc('\n', out);
}
