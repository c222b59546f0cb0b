/*
 * render_md.c - the report as GitHub-flavoured Markdown: the sections of the text report
 * as tables, for a pull request, an issue or a wiki page.
 * Owns: Markdown layout and escaping (every database string passes md_str()).
 * In: struct report_sections. Out: a FILE.
 * Never: queries the database; lets a wire string close a table cell, open a tag or link,
 *        or carry a control character (those show as \xNN / \uNNNN text).
 */
#include "render_md.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "render_text.h"
#include "utf8.h"

/* s escaped for a table cell; "-" for NULL. */
static void md_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("-", out);
        return;
    }
    while (*s) {
        int32_t cp;
        int n = utf8_decode(s, &cp);
        if (cp < 0)
            fputs("\xef\xbf\xbd", out);
        else if (cp == '\n')
            fputs("\\n", out);
        else if (cp == '\r')
            fputs("\\r", out);
        else if (cp == '\t')
            fputs("\\t", out);
        else if (utf8_is_control(cp))
            fprintf(out, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
        else if (cp == '<')
            fputs("&lt;", out);
        else if (cp == '>')
            fputs("&gt;", out);
        else if (cp == '&')
            fputs("&amp;", out);
        else if (strchr("|`*_[]\\~", (int)cp) && cp != 0)
            fprintf(out, "\\%c", (char)cp);
        else
            fwrite(s, 1, (size_t)n, out);
        s += n;
    }
}

/* A latency cell: ms with 3 decimals, "-" when absent. */
static void md_ms(FILE *out, int has, double v)
{
    if (has && isfinite(v))
        fprintf(out, " %.3f |", v);
    else
        fputs(" - |", out);
}

static double pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

/* The name of class k, NUL-terminated, only [0-9a-z] (class names are ours, but they go
 * into a code fence and table headers unescaped). */
static void class_name(char *b, const struct report_sections *r, int k)
{
    size_t n = 0;
    for (; n < sizeof r->classes[k].name && r->classes[k].name[n]; n++) {
        char c = r->classes[k].name[n];
        b[n] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '?';
    }
    b[n] = '\0';
}

/* "status" or "-". */
static void md_status(FILE *out, int has, int status)
{
    if (has)
        fprintf(out, " %d |", status);
    else
        fputs(" - |", out);
}

/* An example transaction in one cell. */
static void md_example(FILE *out, const struct report_example *e)
{
    md_str(out, e->time);
    fputs(", ", out);
    md_str(out, e->client);
    fputs(" → ", out);
    md_str(out, e->server);
    fputs(", ", out);
    md_str(out, e->method);
    fputc(' ', out);
    md_str(out, e->uri);
    if (e->has_status)
        fprintf(out, ", %d", e->status);
    if (e->request_id) {
        fputs(", request ID ", out);
        md_str(out, e->request_id);
    }
    fprintf(out, " (transaction %" PRId64 ")", e->id);
}

static void capture_md(const struct report_sections *r, FILE *out)
{
    const struct report_capture *c = &r->capture;
    fputs("# httpcap report\n\n", out);
    if (c->loss_warning) {
        fputs("> **Warning:** ", out);
        md_str(out, c->warning ? c->warning : "capture loss makes these numbers unreliable");
        fputs("\n\n", out);
    }
    fputs("## 1 Capture\n\n| Field | Value |\n|---|---|\n", out);
    fprintf(out, "| Databases | %d |\n", r->ndbs);
    if (r->filter_text) {
        fputs("| Filters | ", out);
        md_str(out, r->filter_text);
        fputs(" |\n", out);
    }
    fputs("| Sources | ", out);
    for (int64_t i = 0; i < c->runs; i++) {
        fputs(i ? ", " : "", out);
        md_str(out, c->sources ? c->sources[i] : NULL);
    }
    fputs(" |\n", out);
    if (c->nsensors > 0) {
        fputs(c->nsensors > 1 ? "| Sensors | " : "| Sensor | ", out);
        for (int i = 0; i < c->nsensors; i++) {
            fputs(i ? ", " : "", out);
            md_str(out, c->sensor_list[i].name);
            if (c->nsensors > 1)
                fprintf(out, " (%" PRId64 " run%s)", c->sensor_list[i].runs,
                        c->sensor_list[i].runs == 1 ? "" : "s");
        }
        fputs(" |\n", out);
    }
    fputs("| First packet | ", out);
    md_str(out, c->has_span ? c->first_iso : NULL);
    fputs(" |\n| Last packet | ", out);
    md_str(out, c->has_span ? c->last_iso : NULL);
    fputs(" |\n", out);
    if (c->has_span)
        fprintf(out, "| Span | %.3f s |\n", (double)(c->last_ns - c->first_ns) / 1e9);
    fprintf(out,
            "| Packets | %" PRId64 " |\n| Bytes | %" PRId64 " |\n| Connections | %" PRId64
            " |\n| Transactions | %" PRId64 " (%" PRId64 " reported) |\n",
            c->packets, c->bytes, c->connections, c->transactions, c->reported);
    if (c->has_drops)
        fprintf(out, "| Kernel drops | %" PRId64 " |\n| Interface drops | %" PRId64 " |\n",
                c->kernel_drops, c->interface_drops);
    fprintf(out, "| Gap bytes | %" PRId64 " of %" PRId64 " TCP bytes (%.2f%%) |\n| Limits hit | ",
            c->gap_bytes, c->tcp_bytes, pct(c->gap_bytes, c->tcp_bytes));
    char lim[RENDER_LIMITS_CAP];
    render_text_limits(c, lim, sizeof lim);
    md_str(out, lim);
    fprintf(out, " |\n| Truncated inputs | %" PRId64 " |\n\n", c->truncated);
}

static void status_md(const struct report_sections *r, FILE *out)
{
    fprintf(out, "## 2 Status classes\n\n%" PRId64 " transactions.\n\n", r->answered_total);
    fputs("| Class | Count | Share |\n|---|--:|--:|\n", out);
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        const struct report_class *k = &r->classes[i];
        char name[sizeof k->name + 1];
        class_name(name, r, i);
        fprintf(out, "| %s | %" PRId64 " | %.1f%% |\n", name, k->count,
                pct(k->count, r->answered_total));
    }
    fputs("\n### Status codes\n\n", out);
    fputs("| Code | Reason | Count | Share | Registered | Clients act on |\n", out);
    fputs("|--:|---|--:|--:|---|---|\n", out);
    for (int i = 0; i < r->nstatuses; i++) {
        const struct report_status *s = &r->statuses[i];
        fprintf(out, "| %d | ", s->code);
        md_str(out, s->is_registered ? s->reason : "(unregistered)");
        fprintf(out, " | %" PRId64 " | %.1f%% | %s | %d ", s->count,
                pct(s->count, r->answered_total), s->is_registered ? "yes" : "no", s->effective);
        md_str(out, s->effective_reason);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

static void latency_md(const struct report_sections *r, FILE *out)
{
    static const char *const scopes[] = {"all", "class", "host", "endpoint"};
    fprintf(out, "## 3 Latency\n\nNearest-rank percentiles in ms; %" PRId64
                 " distinct endpoints (the busiest listed).\n\n",
            r->endpoints);
    fputs("| Scope | Group | Count | TTFB n | TTFB p50 | TTFB p90 | TTFB p99 | TTFB max "
          "| Total n | Total p50 | Total p90 | Total p99 | Total max |\n",
          out);
    fputs("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", out);
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        int sc = l->scope >= REPORT_ALL && l->scope <= REPORT_ENDPOINT ? (int)l->scope : 0;
        fprintf(out, "| %s | ", scopes[sc]);
        md_str(out, l->scope == REPORT_ALL ? "all" : l->key);
        fprintf(out, " | %" PRId64 " | %" PRId64 " |", l->count, l->n_ttfb);
        md_ms(out, l->n_ttfb > 0, l->ttfb_p50);
        md_ms(out, l->n_ttfb > 0, l->ttfb_p90);
        md_ms(out, l->n_ttfb > 0, l->ttfb_p99);
        md_ms(out, l->n_ttfb > 0, l->ttfb_max);
        fprintf(out, " %" PRId64 " |", l->n_total);
        md_ms(out, l->n_total > 0, l->total_p50);
        md_ms(out, l->n_total > 0, l->total_p90);
        md_ms(out, l->n_total > 0, l->total_p99);
        md_ms(out, l->n_total > 0, l->total_max);
        fputc('\n', out);
    }
    fprintf(out, "\n### Slowest %d by TTFB\n\n", r->top);
    if (r->nslowest == 0) {
        fputs("(none)\n\n", out);
        return;
    }
    fputs("| # | Time | Method | Host | URI | Endpoint | Status | TTFB ms | Total ms "
          "| Request ID | Transaction |\n|--:|---|---|---|---|---|--:|--:|--:|---|--:|\n",
          out);
    for (int i = 0; i < r->nslowest; i++) {
        const struct report_slow *s = &r->slowest[i];
        fprintf(out, "| %d | ", i + 1);
        md_str(out, s->time);
        fputs(" | ", out);
        md_str(out, s->method);
        fputs(" | ", out);
        md_str(out, s->host);
        fputs(" | ", out);
        md_str(out, s->uri);
        fputs(" | ", out);
        md_str(out, s->endpoint);
        fputs(" |", out);
        md_status(out, s->has_status, s->status);
        md_ms(out, 1, s->ttfb_ms);
        md_ms(out, s->has_total, s->total_ms);
        fputc(' ', out);
        md_str(out, s->request_id);
        fprintf(out, " | %" PRId64 " |\n", s->id);
    }
    fputc('\n', out);
}

static void rules_md(const struct report_sections *r, FILE *out)
{
    fputs("## 4 Violations per rule\n\n", out);
    if (r->nrules == 0) {
        fputs("(none)\n\n", out);
        return;
    }
    fputs("| Rule | Severity | Reference | Summary | Count | Hosts | Affected hosts "
          "| First example | Hint |\n|---|---|---|---|--:|--:|---|---|---|\n",
          out);
    for (int i = 0; i < r->nrules; i++) {
        const struct report_rule *u = &r->rules[i];
        fputs("| ", out);
        md_str(out, u->rule);
        fputs(" | ", out);
        md_str(out, u->severity);
        fputs(" | ", out);
        md_str(out, u->reference);
        fputs(" | ", out);
        md_str(out, u->summary);
        fprintf(out, " | %" PRId64 " | %" PRId64 " | ", u->count, u->hosts);
        for (int k = 0; k < u->nhost_names; k++) {
            fputs(k ? ", " : "", out);
            md_str(out, u->host_names[k]);
        }
        if (u->nhost_names == 0)
            fputc('-', out);
        fputs(" | ", out);
        if (u->has_example)
            md_example(out, &u->example);
        else
            fputc('-', out);
        fputs(" | ", out);
        md_str(out, u->hint);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

static void anomalies_md(const struct report_sections *r, FILE *out)
{
    fputs("## 5 Anomalies\n\n", out);
    if (r->nanomalies == 0) {
        fputs("(none)\n\n", out);
        return;
    }
    fputs("| Kind | Subject | Evidence | What it means | Example request IDs |\n"
          "|---|---|---|---|---|\n",
          out);
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        fputs("| ", out);
        md_str(out, report_anomaly_name(a->kind));
        fputs(" | ", out);
        md_str(out, a->subject);
        fputs(" | ", out);
        md_str(out, a->evidence);
        fputs(" | ", out);
        md_str(out, a->message);
        fputs(" | ", out);
        for (int k = 0; k < a->nexamples && k < REPORT_MAX_EXAMPLES; k++) {
            fputs(k ? ", " : "", out);
            if (a->examples[k].request_id)
                md_str(out, a->examples[k].request_id);
            else
                fprintf(out, "transaction %" PRId64, a->examples[k].id);
        }
        if (a->nexamples == 0)
            fputc('-', out);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

/* One line of the sparkline block, "label spark", without trailing blanks. */
static void spark_line(FILE *out, const char *label, const char *spark)
{
    char line[16 + 3 * RENDER_SPARK_WIDTH + 2];
    int n = snprintf(line, sizeof line, "%-10s %s", label, spark);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    while (len > 0 && line[len - 1] == ' ')
        len--;
    fprintf(out, "%.*s\n", (int)len, line);
}

static void series_md(const struct report_sections *r, FILE *out)
{
    const struct report_series *s = &r->series;
    fputs("## 6 Time series\n\n", out);
    if (s->nbuckets <= 0 || !s->buckets) {
        fputs("(no transactions)\n", out);
        return;
    }
    char b[40];
    render_text_iso(b, sizeof b, s->origin_ns);
    fprintf(out, "%d buckets of %.3f s from %s; errors = 4xx + 5xx + invalid; ^ marks the "
                 "buckets of anomalies.\n\n```text\n",
            s->nbuckets, (double)s->bucket_ns / 1e9, b);
    double v[RENDER_SPARK_WIDTH];
    char spark[3 * RENDER_SPARK_WIDTH + 1];
    for (int row = RENDER_ROW_ALL; row <= RENDER_ROW_TTFB; row++) {
        int n = render_text_series_row(s, row, v);
        render_text_sparkline(spark, v, n);
        char name[sizeof r->classes[0].name + 1] = "";
        if (row >= 0 && row < REPORT_NCLASSES)
            class_name(name, r, row);
        spark_line(out,
                   row == RENDER_ROW_ALL      ? "all"
                   : row == RENDER_ROW_ERRORS ? "errors"
                   : row == RENDER_ROW_TTFB   ? "ttfb p50"
                                              : name,
                   spark);
    }
    int group = (s->nbuckets + RENDER_SPARK_WIDTH - 1) / RENDER_SPARK_WIDTH;
    int ncols = (s->nbuckets + group - 1) / group;
    char marks[RENDER_SPARK_WIDTH + 1];
    memset(marks, ' ', RENDER_SPARK_WIDTH);
    marks[ncols] = '\0';
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        if (a->first_bucket < 0 || a->first_bucket >= s->nbuckets)
            continue;
        int lastb = a->last_bucket < a->first_bucket ? a->first_bucket : a->last_bucket;
        lastb = lastb >= s->nbuckets ? s->nbuckets - 1 : lastb;
        for (int k = a->first_bucket; k <= lastb; k++)
            marks[k / group] = '^';
    }
    spark_line(out, "anomalies", marks);
    fputs("```\n\n| # | Start | Transactions |", out);
    for (int k = 0; k < REPORT_NCLASSES; k++) {
        char name[sizeof r->classes[0].name + 1];
        class_name(name, r, k);
        fprintf(out, " %s |", name);
    }
    fputs(" TTFB median ms |\n|--:|---|--:|", out);
    for (int k = 0; k < REPORT_NCLASSES; k++)
        fputs("--:|", out);
    fputs("--:|\n", out);
    for (int i = 0; i < s->nbuckets; i++) {
        const struct report_bucket *k = &s->buckets[i];
        render_text_iso(b, sizeof b, k->start_ns);
        fprintf(out, "| %d | %s | %" PRId64 " |", i, b, k->count);
        for (int c = 0; c < REPORT_NCLASSES; c++)
            fprintf(out, " %" PRId64 " |", k->classes[c]);
        md_ms(out, k->has_median, k->ttfb_median);
        fputc('\n', out);
    }
}

void render_md(const struct report_sections *r, FILE *out)
{
    capture_md(r, out);
    status_md(r, out);
    latency_md(r, out);
    rules_md(r, out);
    anomalies_md(r, out);
    series_md(r, out);
}
