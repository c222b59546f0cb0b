/*
 * render_html.c - the report as one self-contained HTML page for a browser.
 * Owns: markup, the inline stylesheet and HTML escaping (the SVG charts are in
 *       render_html_chart.c).
 * In:   struct report_sections. Out: one UTF-8 document on a FILE.
 * Never: queries the database, emits a script, loads anything (a CSP meta tag forbids
 *        both), or writes a byte from the wire unescaped: every string passes html_esc().
 *
 * Stable hooks for tests: section ids capture/status/latency/violations/anomalies/series;
 * <td class="count" data-class="2xx" data-count="N"> per class; <tr class="status"
 * data-code>; <li class="anomaly" data-kind="..."> per anomaly; <rect class="anomaly-band"
 * data-kind> in the series chart; #loss-warning when the capture lost data; <td
 * id="limit-hits" data-hits="N"> with the capture limits reached.
 */
#include "render_html.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "render_html_chart.h"
#include "utf8.h"

static const char *const kind_names[] = {
#define X(id, name) name,
    REPORT_ANOMALY_KINDS(X)
#undef X
};

const char *const html_class_colors[REPORT_NCLASSES] = {
    "#64748b", "#16a34a", "#2563eb", "#d97706", "#dc2626", "#7c3aed", "#9f1239",
};

const char *html_kind_name(enum report_anomaly_kind k)
{
    return (int)k >= 0 && k < ANOMALY_KIND_COUNT ? kind_names[k] : "unknown";
}

/*
 * s as HTML text or a quoted attribute value: & < > " ' as character references, invalid
 * UTF-8 as U+FFFD, tab/CR/LF as a space, other C0/C1 controls, DEL and bidi overrides
 * dropped (they could reorder what the reader sees). At most max input bytes, then an
 * ellipsis. NULL prints as fallback (a constant of ours, written as is).
 */
void html_esc_cut(FILE *out, const char *s, size_t max, const char *fallback)
{
    if (!s) {
        fputs(fallback, out);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *start = p;
    while (*p) {
        if ((size_t)(p - start) >= max) {
            fputs("\xe2\x80\xa6", out);
            return;
        }
        int32_t scp = 0;
        size_t n = (size_t)utf8_decode((const char *)p, &scp);
        unsigned cp = (unsigned)scp;
        if (scp < 0) {
            fputs("\xef\xbf\xbd", out);
            p++;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t':
        case '\n':
        case '\r': fputc(' ', out); break;
        default:
            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
                (cp >= 0x2066 && cp <= 0x2069))
                break;
            fwrite(p, 1, n, out);
        }
        p += n;
    }
}

void html_esc(FILE *out, const char *s)
{
    html_esc_cut(out, s, TEXT_MAX, "\xe2\x80\x93");
}

/* An integer with thousands separators. */
void html_put_int(FILE *out, int64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, v);
    int neg = digits[0] == '-';
    for (int i = 0; i < n; i++) {
        fputc(digits[i], out);
        int left = n - 1 - i;
        if (i >= neg && left > 0 && left % 3 == 0)
            fputc(',', out);
    }
}

/* A latency in ms with as many decimals as its size deserves. */
void html_put_ms(FILE *out, double v)
{
    if (!isfinite(v))
        fputs("\xe2\x80\x93", out);
    else if (v < 1)
        fprintf(out, "%.3f", v);
    else if (v < 100)
        fprintf(out, "%.2f", v);
    else
        fprintf(out, "%.1f", v);
}

double html_pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

static void put_bytes(FILE *out, int64_t v)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double d = (double)v;
    int u = 0;
    while (d >= 1000 && u < 4) {
        d /= 1000;
        u++;
    }
    html_put_int(out, v);
    if (u > 0)
        fprintf(out, " <span class=\"muted\">(%.1f %s)</span>", d, units[u]);
}

static const char style[] =
    ":root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f5f6f8;--card:#fff;"
    "--accent:#2563eb}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
    "main{max-width:1200px;margin:0 auto;padding:24px 32px 48px}\n"
    "header h1{margin:0;font-size:26px}\n"
    "header p{margin:4px 0 0;color:var(--muted)}\n"
    "nav{margin:16px 0;display:flex;gap:8px;flex-wrap:wrap}\n"
    "nav a{color:var(--accent);text-decoration:none;padding:4px 10px;border:1px solid "
    "var(--line);border-radius:999px;background:var(--card);font-size:13px}\n"
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:18px 22px;margin:18px 0}\n"
    "h2{margin:0 0 12px;font-size:19px}\n"
    "h3{margin:18px 0 8px;font-size:15px}\n"
    ".banner{border-radius:10px;padding:12px 16px;margin:16px 0;font-weight:600}\n"
    ".warn{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b}\n"
    ".stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px;"
    "margin-bottom:14px}\n"
    ".stat{border:1px solid var(--line);border-radius:8px;padding:8px 12px}\n"
    ".stat .v{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}\n"
    ".stat .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    "table{border-collapse:collapse;width:100%;margin:6px 0 10px}\n"
    "th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "thead th{font-size:12px;color:var(--muted);text-transform:uppercase;"
    "letter-spacing:.03em;border-bottom:2px solid var(--line)}\n"
    "tbody tr:nth-child(even){background:#fafafb}\n"
    "thead th.group{text-align:center;border-bottom:1px solid var(--line)}\n"
    "table.narrow{width:auto;min-width:520px}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.wrap{overflow-wrap:anywhere;max-width:420px}\n"
    "table.kv th{width:190px;color:var(--muted);font-weight:500}\n"
    "code,.mono{font-family:'DejaVu Sans Mono',ui-monospace,Menlo,Consolas,monospace;"
    "font-size:12.5px}\n"
    ".muted{color:var(--muted)}\n"
    ".swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;"
    "font-weight:600;background:#eef2ff;color:#3730a3}\n"
    ".sev-error{background:#fee2e2;color:#991b1b}.sev-warning{background:#fef3c7;"
    "color:#92400e}\n"
    ".unregistered{color:#9f1239}\n"
    "tr.hint td{color:var(--muted);font-size:13px;border-bottom:2px solid var(--line)}\n"
    "ol.anomalies{list-style:none;padding:0;margin:0}\n"
    "li.anomaly{border:1px solid var(--line);border-left:4px solid #dc2626;border-radius:8px;"
    "padding:10px 14px;margin:10px 0}\n"
    "li.anomaly h3{margin:0 0 4px}\n"
    "li.anomaly p{margin:4px 0}\n"
    ".evidence{font-weight:500}\n"
    ".message{color:#374151}\n"
    ".legend{display:flex;gap:16px;flex-wrap:wrap;font-size:13px;color:var(--muted);"
    "margin:4px 0}\n"
    "svg.chart{width:100%;height:auto;display:block;margin:6px 0 12px}\n"
    "svg text{font-family:system-ui,'DejaVu Sans',sans-serif;font-size:12px;fill:#374151}\n"
    "svg .axis{stroke:#9ca3af;stroke-width:1}\n"
    "svg .grid{stroke:#eceef1;stroke-width:1}\n"
    "footer{color:var(--muted);font-size:12px;text-align:center}\n";

static void head(const struct report_sections *r, FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>httpcap report</title>\n<style>\n",
          out);
    fputs(style, out);
    fputs("</style>\n</head>\n<body>\n<main>\n<header>\n<h1>httpcap report</h1>\n<p>", out);
    html_put_int(out, r->capture.reported);
    fputs(" transactions reported from ", out);
    html_put_int(out, r->ndbs);
    fputs(r->ndbs == 1 ? " database" : " databases", out);
    if (r->capture.first_iso) {
        fputs(", ", out);
        html_esc(out, r->capture.first_iso);
        fputs(" \xe2\x80\x93 ", out);
        html_esc(out, r->capture.last_iso);
    }
    if (r->filter_text) {
        fputs("; filter: <code>", out);
        html_esc(out, r->filter_text);
        fputs("</code>", out);
    }
    fputs("</p>\n</header>\n<nav><a href=\"#capture\">Capture</a><a href=\"#status\">Status</a>"
          "<a href=\"#latency\">Latency</a><a href=\"#violations\">Violations</a>"
          "<a href=\"#anomalies\">Anomalies</a><a href=\"#series\">Time series</a></nav>\n",
          out);
    if (r->capture.loss_warning) {
        fputs("<div class=\"banner warn\" id=\"loss-warning\" role=\"alert\">\xe2\x9a\xa0 ", out);
        html_esc_cut(out, r->capture.warning, TEXT_MAX,
                     "The capture lost data: the numbers below undercount.");
        fputs("</div>\n", out);
    }
}

static void stat_card(FILE *out, const char *key, int64_t v)
{
    fprintf(out, "<div class=\"stat\"><div class=\"v\">");
    html_put_int(out, v);
    fprintf(out, "</div><div class=\"k\">%s</div></div>\n", key);
}

/* The limit hits of c: "<code>max-headers</code> (3) 67 times, ...", "none", or "not
 * recorded" when no run recorded its limits (databases older than capture_limits). */
static void limit_cells(const struct report_capture *c, FILE *out)
{
    fprintf(out, "</td></tr>\n<tr><th>Limits reached</th><td id=\"limit-hits\" "
                 "data-hits=\"%" PRId64 "\">",
            c->limit_hits);
    if (c->limit_runs == 0 && c->runs > 0)
        fputs("not recorded <span class=\"muted\">(databases older than table "
              "capture_limits)</span>",
              out);
    else if (c->limit_hits == 0)
        fputs("none", out);
    int n = 0;
    for (int i = 0; i < c->nlimits && c->limit_runs > 0; i++) {
        const struct report_limit *l = &c->limits[i];
        if (l->hits <= 0)
            continue;
        fputs(n++ ? ", <code>" : "<code>", out);
        html_esc_cut(out, l->name, 64, "?");
        fprintf(out, "</code> (%" PRId64, l->min_value);
        if (l->value != l->min_value)
            fprintf(out, " to %" PRId64, l->value);
        if (l->hits == 1) {
            fputs(") once", out);
        } else {
            fputs(") ", out);
            html_put_int(out, l->hits);
            fputs(" times", out);
        }
    }
    if (c->limit_runs > 0 && c->limit_runs < c->runs)
        fprintf(out, " <span class=\"muted\">(recorded by %" PRId64 " of %" PRId64
                     " runs)</span>",
                c->limit_runs, c->runs);
}

static void capture_section(const struct report_sections *r, FILE *out)
{
    const struct report_capture *c = &r->capture;
    fputs("<section id=\"capture\">\n<h2>1. Capture</h2>\n<div class=\"stats\">\n", out);
    stat_card(out, "packets", c->packets);
    stat_card(out, "connections", c->connections);
    stat_card(out, "transactions", c->transactions);
    stat_card(out, "reported", c->reported);
    stat_card(out, "gap bytes", c->gap_bytes);
    if (c->has_drops)
        stat_card(out, "dropped packets", c->kernel_drops + c->interface_drops);
    if (c->limit_hits > 0)
        stat_card(out, "limit hits", c->limit_hits);
    fputs("</div>\n<table class=\"kv\"><tbody>\n<tr><th>Sources</th><td class=\"wrap\">", out);
    int64_t shown = c->runs < 20 ? c->runs : 20;
    for (int64_t i = 0; c->sources && i < shown; i++) {
        fputs(i ? "<br><code>" : "<code>", out);
        html_esc(out, c->sources[i]);
        fputs("</code>", out);
    }
    if (c->runs > shown) {
        fputs("<br><span class=\"muted\">and ", out);
        html_put_int(out, c->runs - shown);
        fputs(" more</span>", out);
    }
    fputs("</td></tr>\n<tr><th>Capture runs / databases</th><td>", out);
    html_put_int(out, c->runs);
    fputs(" / ", out);
    html_put_int(out, r->ndbs);
    if (c->nsensors > 0) {
        fputs(c->nsensors > 1 ? "</td></tr>\n<tr><th>Sensors</th><td class=\"wrap\">"
                              : "</td></tr>\n<tr><th>Sensor</th><td class=\"wrap\">",
              out);
        for (int i = 0; i < c->nsensors; i++) {
            fputs(i ? ", <code>" : "<code>", out);
            html_esc(out, c->sensor_list[i].name);
            fputs("</code>", out);
            if (c->nsensors > 1) {
                fputs(" <span class=\"muted\">(", out);
                html_put_int(out, c->sensor_list[i].runs);
                fputs(c->sensor_list[i].runs == 1 ? " run)</span>" : " runs)</span>", out);
            }
        }
    }
    fputs("</td></tr>\n<tr><th>First packet</th><td>", out);
    html_esc(out, c->first_iso);
    fputs("</td></tr>\n<tr><th>Last packet</th><td>", out);
    html_esc(out, c->last_iso);
    fputs("</td></tr>\n<tr><th>Duration</th><td>", out);
    if (c->has_span)
        fprintf(out, "%.3f s", (double)(c->last_ns - c->first_ns) / 1e9);
    else
        fputs("\xe2\x80\x93", out);
    fputs("</td></tr>\n<tr><th>Bytes on the wire</th><td>", out);
    put_bytes(out, c->bytes);
    fputs("</td></tr>\n<tr><th>TCP payload bytes</th><td>", out);
    put_bytes(out, c->tcp_bytes);
    fputs("</td></tr>\n<tr><th>Bytes never captured</th><td>", out);
    put_bytes(out, c->gap_bytes);
    fprintf(out, " <span class=\"muted\">(%.3f%% of TCP bytes)</span>",
            html_pct(c->gap_bytes, c->tcp_bytes));
    if (c->has_drops) {
        fputs("</td></tr>\n<tr><th>Dropped (kernel / interface)</th><td>", out);
        html_put_int(out, c->kernel_drops);
        fputs(" / ", out);
        html_put_int(out, c->interface_drops);
    }
    limit_cells(c, out);
    fputs("</td></tr>\n<tr><th>Truncated inputs</th><td>", out);
    html_put_int(out, c->truncated);
    fputs("</td></tr>\n<tr><th>Filter</th><td>", out);
    html_esc_cut(out, r->filter_text, TEXT_MAX, "none");
    fputs("</td></tr>\n</tbody></table>\n</section>\n", out);
}

static void status_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"status\">\n<h2>2. Status classes</h2>\n", out);
    html_class_chart(r, out);
    fputs("<table id=\"classes\" class=\"narrow\"><thead><tr><th>class</th>"
          "<th class=\"num\">count</th><th class=\"num\">share</th></tr></thead><tbody>\n",
          out);
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        const struct report_class *k = &r->classes[i];
        fputs("<tr data-class=\"", out);
        html_esc(out, k->name);
        fprintf(out, "\"><th><span class=\"swatch\" style=\"background:%s\"></span>",
                html_class_colors[i]);
        html_esc(out, k->name);
        fputs("</th><td class=\"count num\" data-class=\"", out);
        html_esc(out, k->name);
        fprintf(out, "\" data-count=\"%" PRId64 "\">", k->count);
        html_put_int(out, k->count);
        fprintf(out, "</td><td class=\"pct num\">%.1f%%</td></tr>\n",
                html_pct(k->count, r->answered_total));
    }
    fputs("</tbody></table>\n<h3>Status codes</h3>\n", out);
    if (r->nstatuses == 0) {
        fputs("<p class=\"muted\">No responses.</p>\n</section>\n", out);
        return;
    }
    fputs("<table id=\"statuses\" class=\"narrow\"><thead><tr><th class=\"num\">code</th>"
          "<th>reason</th><th class=\"num\">count</th><th class=\"num\">share</th></tr>"
          "</thead><tbody>\n",
          out);
    for (int i = 0; i < r->nstatuses; i++) {
        const struct report_status *s = &r->statuses[i];
        fprintf(out, "<tr class=\"status%s\" data-code=\"%d\"><td class=\"num\">%d</td><td>",
                s->is_registered ? "" : " unregistered", s->code, s->code);
        if (s->is_registered) {
            html_esc(out, s->reason);
        } else {
            fprintf(out, "<span class=\"unregistered\">unregistered</span> \xe2\x80\x94 "
                         "clients treat it as <strong>%d</strong> ",
                    s->effective);
            html_esc_cut(out, s->effective_reason, TEXT_MAX, "");
        }
        fputs("</td><td class=\"num\">", out);
        html_put_int(out, s->count);
        fprintf(out, "</td><td class=\"num\">%.1f%%</td></tr>\n",
                html_pct(s->count, r->answered_total));
    }
    fputs("</tbody></table>\n</section>\n", out);
}

static void latency_table(const struct report_sections *r, FILE *out, enum report_scope scope,
                          const char *id, const char *title, const char *keyname)
{
    int n = 0;
    for (int i = 0; i < r->nlatency; i++)
        n += r->latency[i].scope == scope;
    if (n == 0)
        return;
    fprintf(out, "<h3>%s</h3>\n<table id=\"%s\"><thead><tr>%s<th></th><th colspan=\"5\" "
                 "class=\"group\">time to first byte</th><th colspan=\"5\" class=\"group\">"
                 "total</th></tr>\n<tr>",
            title, id, keyname ? "<th></th>" : "");
    if (keyname)
        fprintf(out, "<th>%s</th>", keyname);
    fputs("<th class=\"num\">count</th><th class=\"num\">ttfb n</th><th class=\"num\">p50</th>"
          "<th class=\"num\">p90</th><th class=\"num\">p99</th><th class=\"num\">max</th>"
          "<th class=\"num\">total n</th><th class=\"num\">p50</th><th class=\"num\">p90</th>"
          "<th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead><tbody>\n",
          out);
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        if (l->scope != scope)
            continue;
        fputs("<tr>", out);
        if (keyname) {
            fputs("<td class=\"wrap\"><code>", out);
            html_esc_cut(out, l->key, URI_MAX, "(none)");
            fputs("</code></td>", out);
        }
        fputs("<td class=\"num\">", out);
        html_put_int(out, l->count);
        const double t[2][4] = {{l->ttfb_p50, l->ttfb_p90, l->ttfb_p99, l->ttfb_max},
                                {l->total_p50, l->total_p90, l->total_p99, l->total_max}};
        const int64_t nv[2] = {l->n_ttfb, l->n_total};
        for (int m = 0; m < 2; m++) {
            fputs("</td><td class=\"num\">", out);
            html_put_int(out, nv[m]);
            for (int q = 0; q < 4; q++) {
                fputs("</td><td class=\"num\">", out);
                if (nv[m] > 0)
                    html_put_ms(out, t[m][q]);
                else
                    fputs("\xe2\x80\x93", out);
            }
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

/* One transaction as table cells: id, time, client -> server, request, status, request id. */
static void example_cells(const struct report_example *e, FILE *out)
{
    fprintf(out, "<td class=\"num\">%" PRId64 "</td><td class=\"mono\">", e->id);
    html_esc(out, e->time);
    fputs("</td><td class=\"mono\">", out);
    html_esc(out, e->client);
    fputs(" \xe2\x86\x92 ", out);
    html_esc(out, e->server);
    fputs("</td><td class=\"wrap\"><code>", out);
    html_esc(out, e->method);
    fputc(' ', out);
    html_esc_cut(out, e->uri, URI_MAX, "\xe2\x80\x93");
    fputs("</code></td><td class=\"num\">", out);
    if (e->has_status)
        fprintf(out, "%d", e->status);
    else
        fputs("\xe2\x80\x93", out);
    fputs("</td><td class=\"wrap\"><code class=\"rid\">", out);
    html_esc(out, e->request_id);
    fputs("</code></td>", out);
}

static const char example_head[] =
    "<thead><tr><th class=\"num\">id</th><th>time</th><th>client \xe2\x86\x92 server</th>"
    "<th>request</th><th class=\"num\">status</th><th>request id</th></tr></thead>";

static void slowest_table(const struct report_sections *r, FILE *out)
{
    fprintf(out, "<h3>Slowest %d by time to first byte</h3>\n", r->top);
    if (r->nslowest == 0) {
        fputs("<p class=\"muted\">None.</p>\n", out);
        return;
    }
    fputs("<table id=\"slowest\"><thead><tr><th class=\"num\">#</th><th class=\"num\">id</th>"
          "<th>time</th><th>request</th><th class=\"num\">status</th><th class=\"num\">ttfb "
          "ms</th><th class=\"num\">total ms</th><th>request id</th></tr></thead><tbody>\n",
          out);
    for (int i = 0; i < r->nslowest; i++) {
        const struct report_slow *s = &r->slowest[i];
        fprintf(out, "<tr><td class=\"num\">%d</td><td class=\"num\">%" PRId64
                     "</td><td class=\"mono\">",
                i + 1, s->id);
        html_esc(out, s->time);
        fputs("</td><td class=\"wrap\"><code>", out);
        html_esc(out, s->method);
        fputc(' ', out);
        html_esc_cut(out, s->host, URI_MAX, "-");
        fputc(' ', out);
        html_esc_cut(out, s->uri, URI_MAX, "\xe2\x80\x93");
        fputs("</code></td><td class=\"num\">", out);
        if (s->has_status)
            fprintf(out, "%d", s->status);
        else
            fputs("\xe2\x80\x93", out);
        fputs("</td><td class=\"num\">", out);
        html_put_ms(out, s->ttfb_ms);
        fputs("</td><td class=\"num\">", out);
        if (s->has_total)
            html_put_ms(out, s->total_ms);
        else
            fputs("\xe2\x80\x93", out);
        fputs("</td><td class=\"wrap\"><code class=\"rid\">", out);
        html_esc(out, s->request_id);
        fputs("</code></td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void latency_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"latency\">\n<h2>3. Latency</h2>\n<p class=\"muted\">Milliseconds, "
          "nearest-rank percentiles; ttfb = end of the request to the first response byte, "
          "total = first request byte to the last response byte.</p>\n",
          out);
    latency_table(r, out, REPORT_ALL, "latency-all", "Overall", NULL);
    latency_table(r, out, REPORT_CLASS, "latency-class", "Per status class", "class");
    latency_table(r, out, REPORT_HOST, "latency-host", "Per host", "host");
    char title[96];
    snprintf(title, sizeof title, "Per endpoint (busiest, of %" PRId64 ")", r->endpoints);
    latency_table(r, out, REPORT_ENDPOINT, "latency-endpoint", title, "endpoint");
    html_histogram_chart(r, out);
    slowest_table(r, out);
    fputs("</section>\n", out);
}

static void rules_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"violations\">\n<h2>4. Violations per rule</h2>\n", out);
    if (r->nrules == 0) {
        fputs("<p class=\"muted\">No protocol violations.</p>\n</section>\n", out);
        return;
    }
    fputs("<table id=\"rules\"><thead><tr><th>rule</th><th>severity</th><th>reference</th>"
          "<th class=\"num\">count</th><th>hosts</th><th>first example</th></tr></thead>"
          "<tbody>\n",
          out);
    for (int i = 0; i < r->nrules; i++) {
        const struct report_rule *u = &r->rules[i];
        fputs("<tr class=\"rule\" data-rule=\"", out);
        html_esc(out, u->rule);
        fputs("\"><td><code>", out);
        html_esc(out, u->rule);
        fputs("</code>", out);
        if (u->summary) {
            fputs("<br><span class=\"muted\">", out);
            html_esc(out, u->summary);
            fputs("</span>", out);
        }
        const char *sev = u->severity ? u->severity : "";
        fprintf(out, "</td><td><span class=\"badge%s\">",
                strcmp(sev, "error") == 0     ? " sev-error"
                : strcmp(sev, "warning") == 0 ? " sev-warning"
                                              : "");
        html_esc(out, u->severity);
        fputs("</span></td><td>", out);
        html_esc(out, u->reference);
        fputs("</td><td class=\"num\">", out);
        html_put_int(out, u->count);
        fputs("</td><td class=\"wrap\">", out);
        html_put_int(out, u->hosts);
        for (int j = 0; u->host_names && j < u->nhost_names; j++) {
            fputs(j ? ", <code>" : ": <code>", out);
            html_esc_cut(out, u->host_names[j], URI_MAX, "(none)");
            fputs("</code>", out);
        }
        fputs("</td><td class=\"wrap\">", out);
        if (u->has_example) {
            const struct report_example *e = &u->example;
            fprintf(out, "#%" PRId64 " <span class=\"mono\">", e->id);
            html_esc(out, e->time);
            fputs("</span><br><code>", out);
            html_esc(out, e->method);
            fputc(' ', out);
            html_esc_cut(out, e->uri, URI_MAX, "\xe2\x80\x93");
            fputs("</code>", out);
            if (e->has_status)
                fprintf(out, " \xe2\x86\x92 %d", e->status);
            if (e->request_id) {
                fputs("<br>request id <code class=\"rid\">", out);
                html_esc(out, e->request_id);
                fputs("</code>", out);
            }
        } else {
            fputs("\xe2\x80\x93", out);
        }
        fputs("</td></tr>\n", out);
        if (u->hint) {
            fputs("<tr class=\"hint\"><td colspan=\"6\">", out);
            html_esc(out, u->hint);
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</tbody></table>\n</section>\n", out);
}

static void anomalies_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"anomalies\">\n<h2>5. Anomalies</h2>\n", out);
    if (r->nanomalies == 0) {
        fputs("<p class=\"muted\" id=\"no-anomalies\">No anomalies detected.</p>\n</section>\n",
              out);
        return;
    }
    fputs("<ol class=\"anomalies\">\n", out);
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        const char *k = html_kind_name(a->kind);
        fprintf(out, "<li class=\"anomaly\" id=\"anomaly-%d\" data-kind=\"%s\">\n<h3><span "
                     "class=\"badge sev-error kind\">%s</span> ",
                i + 1, k, k);
        html_esc_cut(out, a->subject, URI_MAX, "");
        fputs("</h3>\n<p class=\"muted\">", out);
        if (a->has_window) {
            fputs("from ", out);
            html_esc(out, a->start_iso);
            fprintf(out, " for %.3f s \xc2\xb7 ", (double)(a->end_ns - a->start_ns) / 1e9);
        }
        if (a->count > 0 || a->total > 0)
            html_put_int(out, a->count);
        if (a->total > 0) {
            fputs(" of ", out);
            html_put_int(out, a->total);
        }
        if (a->value != 0 || a->baseline != 0)
            fprintf(out, " \xc2\xb7 value %.4g, baseline %.4g", a->value, a->baseline);
        if (a->score != 0)
            fprintf(out, " \xc2\xb7 score %.2f", a->score);
        fputs("</p>\n<p class=\"evidence\">", out);
        html_esc(out, a->evidence);
        fputs("</p>\n<p class=\"message\">", out);
        html_esc(out, a->message);
        fputs("</p>\n", out);
        int n = a->nexamples < REPORT_MAX_EXAMPLES ? a->nexamples : REPORT_MAX_EXAMPLES;
        if (n > 0) {
            fprintf(out, "<table class=\"examples\">%s<tbody>\n", example_head);
            for (int j = 0; j < n; j++) {
                fputs("<tr>", out);
                example_cells(&a->examples[j], out);
                fputs("</tr>\n", out);
            }
            fputs("</tbody></table>\n", out);
        }
        fputs("</li>\n", out);
    }
    fputs("</ol>\n</section>\n", out);
}

static void series_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"series\">\n<h2>6. Time series</h2>\n", out);
    html_series_charts(r, out);
    fputs("</section>\n", out);
}

void render_html(const struct report_sections *r, FILE *out)
{
    head(r, out);
    capture_section(r, out);
    status_section(r, out);
    latency_section(r, out);
    rules_section(r, out);
    anomalies_section(r, out);
    series_section(r, out);
    fputs("<footer>generated by httpcap report \xc2\xb7 static page: no script, no network"
          "</footer>\n</main>\n</body>\n</html>\n",
          out);
}
