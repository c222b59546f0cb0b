/*
 * render_html.c - the report as one self-contained HTML page for a browser.
 * Owns: markup, the inline stylesheet, the SVG charts and HTML escaping.
 * In:   struct report_sections. Out: one UTF-8 document on a FILE.
 * Never: queries the database, emits a script, loads anything (a CSP meta tag forbids
 *        both), or writes a byte from the wire unescaped: every string passes esc().
 *
 * Stable hooks for tests: section ids capture/status/latency/violations/anomalies/series;
 * <td class="count" data-class="2xx" data-count="N"> per class; <tr class="status"
 * data-code>; <li class="anomaly" data-kind="..."> per anomaly; <rect class="anomaly-band"
 * data-kind> in the series chart; #loss-warning when the capture lost data.
 */
#include "render_html.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#define URI_MAX 160  /* bytes of a URI or endpoint shown in a table cell */
#define TEXT_MAX 400 /* bytes of any other string from the wire */

static const char *const kind_names[] = {
#define X(id, name) name,
    REPORT_ANOMALY_KINDS(X)
#undef X
};

static const char *const class_colors[REPORT_NCLASSES] = {
    "#64748b", "#16a34a", "#2563eb", "#d97706", "#dc2626", "#7c3aed", "#9f1239",
};

static const char *kind_name(enum report_anomaly_kind k)
{
    return (int)k >= 0 && k < ANOMALY_KIND_COUNT ? kind_names[k] : "unknown";
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, unsigned *cp_out)
{
    unsigned char c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp_out = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *cp_out = cp;
    return n;
}

/*
 * s as HTML text or a quoted attribute value: & < > " ' as character references, invalid
 * UTF-8 as U+FFFD, tab/CR/LF as a space, other C0/C1 controls, DEL and bidi overrides
 * dropped (they could reorder what the reader sees). At most max input bytes, then an
 * ellipsis. NULL prints as fallback (a constant of ours, written as is).
 */
static void esc_cut(FILE *out, const char *s, size_t max, const char *fallback)
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
        unsigned cp = 0;
        size_t n = utf8_len(p, &cp);
        if (n == 0) {
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

static void esc(FILE *out, const char *s)
{
    esc_cut(out, s, TEXT_MAX, "\xe2\x80\x93");
}

/* An integer with thousands separators. */
static void put_int(FILE *out, int64_t v)
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
static void put_ms(FILE *out, double v)
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

static double pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

/* A round gridline step (1, 2, 2.5 or 5 times a power of ten) giving at most 5 steps up to
 * v >= 1; *ticks is the number of steps. */
static int64_t axis_step(int64_t v, int *ticks)
{
    static const int64_t tenths[4] = {10, 20, 25, 50};
    int64_t step = 1;
    for (int64_t p = 1; (v + step - 1) / step > 5; p *= 10) {
        for (int i = 0; i < 4; i++) {
            step = tenths[i] * p / 10;
            if (step > 0 && (v + step - 1) / step <= 5)
                break;
        }
    }
    *ticks = (int)((v + step - 1) / step);
    if (*ticks < 1)
        *ticks = 1;
    return step;
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
    put_int(out, v);
    if (u > 0)
        fprintf(out, " <span class=\"muted\">(%.1f %s)</span>", d, units[u]);
}

/* A bucket start as a clock label fitting the bucket width. */
static void clock_label(char *b, size_t cap, int64_t ns, int64_t step_ns)
{
    int64_t sec = ns / 1000000000;
    int64_t frac = ns % 1000000000;
    if (frac < 0) {
        sec--;
        frac += 1000000000;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(b, cap, "?");
        return;
    }
    if (step_ns >= 86400000000000LL)
        strftime(b, cap, "%Y-%m-%d", &tm);
    else if (step_ns >= 3600000000000LL)
        strftime(b, cap, "%m-%d %H:%M", &tm);
    else if (step_ns >= 1000000000)
        strftime(b, cap, "%H:%M:%S", &tm);
    else {
        char hms[16];
        strftime(hms, sizeof hms, "%H:%M:%S", &tm);
        snprintf(b, cap, "%s.%03d", hms, (int)(frac / 1000000));
    }
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
    put_int(out, r->capture.reported);
    fputs(" transactions reported from ", out);
    put_int(out, r->ndbs);
    fputs(r->ndbs == 1 ? " database" : " databases", out);
    if (r->capture.first_iso) {
        fputs(", ", out);
        esc(out, r->capture.first_iso);
        fputs(" \xe2\x80\x93 ", out);
        esc(out, r->capture.last_iso);
    }
    if (r->filter_text) {
        fputs("; filter: <code>", out);
        esc(out, r->filter_text);
        fputs("</code>", out);
    }
    fputs("</p>\n</header>\n<nav><a href=\"#capture\">Capture</a><a href=\"#status\">Status</a>"
          "<a href=\"#latency\">Latency</a><a href=\"#violations\">Violations</a>"
          "<a href=\"#anomalies\">Anomalies</a><a href=\"#series\">Time series</a></nav>\n",
          out);
    if (r->capture.loss_warning) {
        fputs("<div class=\"banner warn\" id=\"loss-warning\" role=\"alert\">\xe2\x9a\xa0 ", out);
        esc_cut(out, r->capture.warning, TEXT_MAX,
                "The capture lost data: the numbers below undercount.");
        fputs("</div>\n", out);
    }
}

static void stat_card(FILE *out, const char *key, int64_t v)
{
    fprintf(out, "<div class=\"stat\"><div class=\"v\">");
    put_int(out, v);
    fprintf(out, "</div><div class=\"k\">%s</div></div>\n", key);
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
    fputs("</div>\n<table class=\"kv\"><tbody>\n<tr><th>Sources</th><td class=\"wrap\">", out);
    int64_t shown = c->runs < 20 ? c->runs : 20;
    for (int64_t i = 0; c->sources && i < shown; i++) {
        fputs(i ? "<br><code>" : "<code>", out);
        esc(out, c->sources[i]);
        fputs("</code>", out);
    }
    if (c->runs > shown) {
        fputs("<br><span class=\"muted\">and ", out);
        put_int(out, c->runs - shown);
        fputs(" more</span>", out);
    }
    fputs("</td></tr>\n<tr><th>Capture runs / databases</th><td>", out);
    put_int(out, c->runs);
    fputs(" / ", out);
    put_int(out, r->ndbs);
    fputs("</td></tr>\n<tr><th>First packet</th><td>", out);
    esc(out, c->first_iso);
    fputs("</td></tr>\n<tr><th>Last packet</th><td>", out);
    esc(out, c->last_iso);
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
            pct(c->gap_bytes, c->tcp_bytes));
    if (c->has_drops) {
        fputs("</td></tr>\n<tr><th>Dropped (kernel / interface)</th><td>", out);
        put_int(out, c->kernel_drops);
        fputs(" / ", out);
        put_int(out, c->interface_drops);
    }
    fputs("</td></tr>\n<tr><th>Truncated inputs</th><td>", out);
    put_int(out, c->truncated);
    fputs("</td></tr>\n<tr><th>Filter</th><td>", out);
    esc_cut(out, r->filter_text, TEXT_MAX, "none");
    fputs("</td></tr>\n</tbody></table>\n</section>\n", out);
}

/* Horizontal bars, one per class, scaled to the largest. */
static void class_chart(const struct report_sections *r, FILE *out)
{
    const int w = 1100, row = 30, left = 110, right = 170;
    int64_t most = 0;
    for (int i = 0; i < REPORT_NCLASSES; i++)
        most = r->classes[i].count > most ? r->classes[i].count : most;
    int h = row * REPORT_NCLASSES + 10;
    fprintf(out,
            "<svg class=\"chart\" id=\"class-chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"transactions per status class\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            w, h);
    int span = w - left - right;
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        const struct report_class *k = &r->classes[i];
        int y = 5 + i * row;
        double bw = most > 0 ? (double)span * (double)k->count / (double)most : 0;
        if (k->count > 0 && bw < 2)
            bw = 2;
        fputs("<g class=\"bar\" data-class=\"", out);
        esc(out, k->name);
        fprintf(out, "\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 10, y + 19);
        esc(out, k->name);
        fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\" "
                     "fill=\"#f1f3f5\"/>",
                left, y + 4, span, row - 8);
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\">",
                left, y + 4, bw, row - 8, class_colors[i]);
        fputs("<title>", out);
        esc(out, k->name);
        fprintf(out, ": %" PRId64 " (%.1f%%)</title></rect>", k->count,
                pct(k->count, r->answered_total));
        fprintf(out, "<text x=\"%d\" y=\"%d\">", left + span + 10, y + 19);
        put_int(out, k->count);
        fprintf(out, " \xc2\xb7 %.1f%%</text></g>\n", pct(k->count, r->answered_total));
    }
    fputs("</svg>\n", out);
}

static void status_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"status\">\n<h2>2. Status classes</h2>\n", out);
    class_chart(r, out);
    fputs("<table id=\"classes\" class=\"narrow\"><thead><tr><th>class</th>"
          "<th class=\"num\">count</th><th class=\"num\">share</th></tr></thead><tbody>\n",
          out);
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        const struct report_class *k = &r->classes[i];
        fputs("<tr data-class=\"", out);
        esc(out, k->name);
        fprintf(out, "\"><th><span class=\"swatch\" style=\"background:%s\"></span>",
                class_colors[i]);
        esc(out, k->name);
        fputs("</th><td class=\"count num\" data-class=\"", out);
        esc(out, k->name);
        fprintf(out, "\" data-count=\"%" PRId64 "\">", k->count);
        put_int(out, k->count);
        fprintf(out, "</td><td class=\"pct num\">%.1f%%</td></tr>\n",
                pct(k->count, r->answered_total));
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
            esc(out, s->reason);
        } else {
            fprintf(out, "<span class=\"unregistered\">unregistered</span> \xe2\x80\x94 "
                         "clients treat it as <strong>%d</strong> ",
                    s->effective);
            esc_cut(out, s->effective_reason, TEXT_MAX, "");
        }
        fputs("</td><td class=\"num\">", out);
        put_int(out, s->count);
        fprintf(out, "</td><td class=\"num\">%.1f%%</td></tr>\n", pct(s->count, r->answered_total));
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
            esc_cut(out, l->key, URI_MAX, "(none)");
            fputs("</code></td>", out);
        }
        fputs("<td class=\"num\">", out);
        put_int(out, l->count);
        const double t[2][4] = {{l->ttfb_p50, l->ttfb_p90, l->ttfb_p99, l->ttfb_max},
                                {l->total_p50, l->total_p90, l->total_p99, l->total_max}};
        const int64_t nv[2] = {l->n_ttfb, l->n_total};
        for (int m = 0; m < 2; m++) {
            fputs("</td><td class=\"num\">", out);
            put_int(out, nv[m]);
            for (int q = 0; q < 4; q++) {
                fputs("</td><td class=\"num\">", out);
                if (nv[m] > 0)
                    put_ms(out, t[m][q]);
                else
                    fputs("\xe2\x80\x93", out);
            }
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

/* Label of the bin boundary 2^(j-4) ms. */
static void bin_edge(char *b, size_t cap, int j)
{
    double ms = ldexp(1.0, j - 4);
    if (ms < 1)
        snprintf(b, cap, "%g ms", ms);
    else if (ms < 1000)
        snprintf(b, cap, "%.0f ms", ms);
    else
        snprintf(b, cap, "%.3g s", ms / 1000);
}

/* ttfb histogram: REPORT_HIST_BINS log-spaced bars (see report.h for the bins). */
static void histogram_chart(const struct report_sections *r, FILE *out)
{
    const int w = 1100, h = 260, left = 56, right = 14, top = 18, bottom = 44;
    int64_t most = 0;
    int64_t sum = 0;
    for (int i = 0; i < REPORT_HIST_BINS; i++) {
        most = r->histogram.bins[i] > most ? r->histogram.bins[i] : most;
        sum += r->histogram.bins[i];
    }
    fputs("<h3>Time to first byte, histogram</h3>\n", out);
    if (sum == 0) {
        fputs("<p class=\"muted\">No time-to-first-byte values.</p>\n", out);
        return;
    }
    int ph = h - top - bottom;
    double bw = (double)(w - left - right) / REPORT_HIST_BINS;
    int ticks;
    int64_t step = axis_step(most, &ticks);
    most = step * ticks;
    fprintf(out,
            "<svg class=\"chart\" id=\"latency-histogram\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"ttfb histogram\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            w, h);
    for (int g = 0; g <= ticks; g++) {
        int y = top + ph - ph * g / ticks;
        fprintf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", left,
                w - right, y, y);
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64 "</text>\n",
                left - 6, y + 4, step * g);
    }
    for (int i = 0; i < REPORT_HIST_BINS; i++) {
        int64_t n = r->histogram.bins[i];
        double x = left + i * bw;
        double bh = most > 0 ? (double)ph * (double)n / (double)most : 0;
        char lo[24], hi[24];
        bin_edge(lo, sizeof lo, i);
        bin_edge(hi, sizeof hi, i + 1);
        fprintf(out, "<rect class=\"bin\" data-bin=\"%d\" data-count=\"%" PRId64 "\" x=\"%.1f\" "
                     "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b82f6\"><title>",
                i, n, x + 2, top + ph - bh, bw - 4, bh);
        if (i == 0)
            fprintf(out, "&lt; %s", hi);
        else if (i == REPORT_HIST_BINS - 1)
            fprintf(out, "\xe2\x89\xa5 %s", lo);
        else
            fprintf(out, "%s \xe2\x80\x93 %s", lo, hi);
        fprintf(out, ": %" PRId64 "</title></rect>", n);
        if (n > 0)
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%" PRId64 "</text>",
                    x + bw / 2, top + ph - bh - 4, n);
        fputc('\n', out);
    }
    fprintf(out, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", left,
            w - right, top + ph, top + ph);
    for (int j = 1; j < REPORT_HIST_BINS; j += 2) {
        char lab[24];
        bin_edge(lab, sizeof lab, j);
        double x = left + j * bw;
        fprintf(out, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>", x, x,
                top + ph, top + ph + 5);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
                top + ph + 19, lab);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"muted\">time to first "
                 "byte (log scale)</text>\n</svg>\n",
            left + (w - left - right) / 2, h - 6);
}

/* One transaction as table cells: id, time, client -> server, request, status, request id. */
static void example_cells(const struct report_example *e, FILE *out)
{
    fprintf(out, "<td class=\"num\">%" PRId64 "</td><td class=\"mono\">", e->id);
    esc(out, e->time);
    fputs("</td><td class=\"mono\">", out);
    esc(out, e->client);
    fputs(" \xe2\x86\x92 ", out);
    esc(out, e->server);
    fputs("</td><td class=\"wrap\"><code>", out);
    esc(out, e->method);
    fputc(' ', out);
    esc_cut(out, e->uri, URI_MAX, "\xe2\x80\x93");
    fputs("</code></td><td class=\"num\">", out);
    if (e->has_status)
        fprintf(out, "%d", e->status);
    else
        fputs("\xe2\x80\x93", out);
    fputs("</td><td class=\"wrap\"><code class=\"rid\">", out);
    esc(out, e->request_id);
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
        esc(out, s->time);
        fputs("</td><td class=\"wrap\"><code>", out);
        esc(out, s->method);
        fputc(' ', out);
        esc_cut(out, s->host, URI_MAX, "-");
        fputc(' ', out);
        esc_cut(out, s->uri, URI_MAX, "\xe2\x80\x93");
        fputs("</code></td><td class=\"num\">", out);
        if (s->has_status)
            fprintf(out, "%d", s->status);
        else
            fputs("\xe2\x80\x93", out);
        fputs("</td><td class=\"num\">", out);
        put_ms(out, s->ttfb_ms);
        fputs("</td><td class=\"num\">", out);
        if (s->has_total)
            put_ms(out, s->total_ms);
        else
            fputs("\xe2\x80\x93", out);
        fputs("</td><td class=\"wrap\"><code class=\"rid\">", out);
        esc(out, s->request_id);
        fputs("</code></td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void latency_section(const struct report_sections *r, FILE *out)
{
    fputs("<section id=\"latency\">\n<h2>3. Latency</h2>\n<p class=\"muted\">Milliseconds, "
          "nearest-rank percentiles; ttfb = request start to first response byte, total = "
          "to the last response byte.</p>\n",
          out);
    latency_table(r, out, REPORT_ALL, "latency-all", "Overall", NULL);
    latency_table(r, out, REPORT_CLASS, "latency-class", "Per status class", "class");
    latency_table(r, out, REPORT_HOST, "latency-host", "Per host", "host");
    char title[96];
    snprintf(title, sizeof title, "Per endpoint (busiest, of %" PRId64 ")", r->endpoints);
    latency_table(r, out, REPORT_ENDPOINT, "latency-endpoint", title, "endpoint");
    histogram_chart(r, out);
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
        esc(out, u->rule);
        fputs("\"><td><code>", out);
        esc(out, u->rule);
        fputs("</code>", out);
        if (u->summary) {
            fputs("<br><span class=\"muted\">", out);
            esc(out, u->summary);
            fputs("</span>", out);
        }
        const char *sev = u->severity ? u->severity : "";
        fprintf(out, "</td><td><span class=\"badge%s\">",
                strcmp(sev, "error") == 0     ? " sev-error"
                : strcmp(sev, "warning") == 0 ? " sev-warning"
                                              : "");
        esc(out, u->severity);
        fputs("</span></td><td>", out);
        esc(out, u->reference);
        fputs("</td><td class=\"num\">", out);
        put_int(out, u->count);
        fputs("</td><td class=\"wrap\">", out);
        put_int(out, u->hosts);
        for (int j = 0; u->host_names && j < u->nhost_names; j++) {
            fputs(j ? ", <code>" : ": <code>", out);
            esc_cut(out, u->host_names[j], URI_MAX, "(none)");
            fputs("</code>", out);
        }
        fputs("</td><td class=\"wrap\">", out);
        if (u->has_example) {
            const struct report_example *e = &u->example;
            fprintf(out, "#%" PRId64 " <span class=\"mono\">", e->id);
            esc(out, e->time);
            fputs("</span><br><code>", out);
            esc(out, e->method);
            fputc(' ', out);
            esc_cut(out, e->uri, URI_MAX, "\xe2\x80\x93");
            fputs("</code>", out);
            if (e->has_status)
                fprintf(out, " \xe2\x86\x92 %d", e->status);
            if (e->request_id) {
                fputs("<br>request id <code class=\"rid\">", out);
                esc(out, e->request_id);
                fputs("</code>", out);
            }
        } else {
            fputs("\xe2\x80\x93", out);
        }
        fputs("</td></tr>\n", out);
        if (u->hint) {
            fputs("<tr class=\"hint\"><td colspan=\"6\">", out);
            esc(out, u->hint);
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
        const char *k = kind_name(a->kind);
        fprintf(out, "<li class=\"anomaly\" id=\"anomaly-%d\" data-kind=\"%s\">\n<h3><span "
                     "class=\"badge sev-error kind\">%s</span> ",
                i + 1, k, k);
        esc_cut(out, a->subject, URI_MAX, "");
        fputs("</h3>\n<p class=\"muted\">", out);
        if (a->has_window) {
            fputs("from ", out);
            esc(out, a->start_iso);
            fprintf(out, " for %.3f s \xc2\xb7 ", (double)(a->end_ns - a->start_ns) / 1e9);
        }
        if (a->count > 0 || a->total > 0)
            put_int(out, a->count);
        if (a->total > 0) {
            fputs(" of ", out);
            put_int(out, a->total);
        }
        if (a->value != 0 || a->baseline != 0)
            fprintf(out, " \xc2\xb7 value %.4g, baseline %.4g", a->value, a->baseline);
        if (a->score != 0)
            fprintf(out, " \xc2\xb7 score %.2f", a->score);
        fputs("</p>\n<p class=\"evidence\">", out);
        esc(out, a->evidence);
        fputs("</p>\n<p class=\"message\">", out);
        esc(out, a->message);
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

/* Shaded rects behind the buckets of each windowed anomaly whose kind passes keep(). */
static void anomaly_bands(const struct report_sections *r, FILE *out, int left, double bw,
                          int top, int ph, int latency_only)
{
    int nb = r->series.nbuckets;
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        if (a->first_bucket < 0 || a->first_bucket >= nb)
            continue;
        if (latency_only != (a->kind == ANOMALY_LATENCY_SPIKE))
            continue;
        int last = a->last_bucket < a->first_bucket ? a->first_bucket
                   : a->last_bucket >= nb           ? nb - 1
                                                    : a->last_bucket;
        const char *k = kind_name(a->kind);
        double x = left + a->first_bucket * bw;
        double wd = (last - a->first_bucket + 1) * bw;
        fprintf(out, "<rect class=\"anomaly-band\" data-kind=\"%s\" data-anomaly=\"anomaly-%d\" "
                     "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                     "fill-opacity=\"0.16\"><title>%s: ",
                k, i + 1, x, top, wd, ph, latency_only ? "#d97706" : "#dc2626", k);
        esc_cut(out, a->subject, URI_MAX, "");
        fprintf(out, "</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
                     "style=\"fill:#991b1b\">%s</text>\n",
                x + 1, top - 26 + 12 * (i % 2), k);
    }
}

/* x-axis tick labels under a series panel: about 8 of them. */
static void series_ticks(const struct report_series *s, FILE *out, int left, double bw, int y)
{
    int every = (s->nbuckets + 7) / 8;
    for (int b = 0; b < s->nbuckets; b += every) {
        char lab[32];
        clock_label(lab, sizeof lab, s->origin_ns + (int64_t)b * s->bucket_ns, s->bucket_ns);
        double x = left + b * bw;
        fprintf(out, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                     "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
                x, x, y, y + 5, x, y + 18, lab);
    }
}

static void series_section(const struct report_sections *r, FILE *out)
{
    const struct report_series *s = &r->series;
    fputs("<section id=\"series\">\n<h2>6. Time series</h2>\n", out);
    if (s->nbuckets <= 0 || !s->buckets || s->bucket_ns <= 0) {
        fputs("<p class=\"muted\">No transactions.</p>\n</section>\n", out);
        return;
    }
    fprintf(out, "<p class=\"muted\">%d buckets of %.3g s from ", s->nbuckets,
            (double)s->bucket_ns / 1e9);
    char lab[32];
    clock_label(lab, sizeof lab, s->origin_ns, 86400000000000LL);
    fputs(lab, out);
    clock_label(lab, sizeof lab, s->origin_ns, 1);
    fprintf(out, " %s UTC; shaded: the buckets of an anomaly.</p>\n", lab);
    fputs("<div class=\"legend\">", out);
    static const char *const parts[4] = {"ok (1xx-3xx)", "4xx", "5xx + invalid", "unanswered"};
    static const char *const colors[4] = {"#94a3b8", "#d97706", "#dc2626", "#7c3aed"};
    for (int p = 0; p < 4; p++)
        fprintf(out, "<span><span class=\"swatch\" style=\"background:%s\"></span>%s</span>",
                colors[p], parts[p]);
    fputs("</div>\n", out);

    const int w = 1100, h = 320, left = 56, right = 14, top = 40, bottom = 34;
    int ph = h - top - bottom;
    double bw = (double)(w - left - right) / s->nbuckets;
    int64_t most = 1;
    for (int b = 0; b < s->nbuckets; b++)
        most = s->buckets[b].count > most ? s->buckets[b].count : most;
    int ticks;
    int64_t step = axis_step(most, &ticks);
    most = step * ticks;
    fprintf(out,
            "<svg class=\"chart\" id=\"series-chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"transactions and errors per bucket\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n",
            w, h);
    for (int g = 0; g <= ticks; g++) {
        int y = top + ph - ph * g / ticks;
        fprintf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>"
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64 "</text>\n",
                left, w - right, y, y, left - 6, y + 4, step * g);
    }
    anomaly_bands(r, out, left, bw, top, ph, 0);
    for (int b = 0; b < s->nbuckets; b++) {
        const struct report_bucket *k = &s->buckets[b];
        int64_t part[4] = {k->classes[0] + k->classes[1] + k->classes[2], k->classes[3],
                           k->classes[4] + k->classes[6], k->classes[5]};
        double x = left + b * bw + (bw > 6 ? 1 : 0);
        double wd = bw > 6 ? bw - 2 : bw;
        double y = top + ph;
        char t[32];
        clock_label(t, sizeof t, s->origin_ns + (int64_t)b * s->bucket_ns, s->bucket_ns);
        fprintf(out, "<g class=\"bucket\" data-bucket=\"%d\" data-count=\"%" PRId64
                     "\" data-errors=\"%" PRId64 "\"><title>%s: %" PRId64 " transactions, %" PRId64
                     " 4xx, %" PRId64 " 5xx/invalid, %" PRId64 " unanswered</title>",
                b, k->count, part[1] + part[2], t, k->count, part[1], part[2], part[3]);
        for (int p = 0; p < 4; p++) {
            if (part[p] <= 0)
                continue;
            double hh = (double)ph * (double)part[p] / (double)most;
            y -= hh;
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                         "fill=\"%s\"/>",
                    x, y, wd, hh, colors[p]);
        }
        fputs("</g>\n", out);
    }
    fprintf(out, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", left,
            w - right, top + ph, top + ph);
    series_ticks(s, out, left, bw, top + ph);
    fputs("</svg>\n", out);

    /* median ttfb per bucket: a line, broken where a bucket has no value */
    double hi = 0;
    for (int b = 0; b < s->nbuckets; b++)
        if (s->buckets[b].has_median && s->buckets[b].ttfb_median > hi)
            hi = s->buckets[b].ttfb_median;
    if (hi <= 0 || !isfinite(hi)) {
        fputs("</section>\n", out);
        return;
    }
    const int h2 = 190;
    int ph2 = h2 - top - bottom;
    fputs("<h3>Median time to first byte per bucket (ms)</h3>\n", out);
    fprintf(out,
            "<svg class=\"chart\" id=\"series-ttfb\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"median ttfb per bucket\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            w, h2);
    for (int g = 0; g <= 2; g++) {
        int y = top + ph2 - ph2 * g / 2;
        fprintf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>"
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                left, w - right, y, y, left - 6, y + 4);
        put_ms(out, hi * g / 2);
        fputs("</text>\n", out);
    }
    anomaly_bands(r, out, left, bw, top, ph2, 1);
    int open = 0;
    for (int b = 0; b <= s->nbuckets; b++) {
        int has = b < s->nbuckets && s->buckets[b].has_median &&
                  isfinite(s->buckets[b].ttfb_median);
        if (!has) {
            if (open)
                fputs("\"/>\n", out);
            open = 0;
            continue;
        }
        double x = left + (b + 0.5) * bw;
        double y = top + ph2 - ph2 * s->buckets[b].ttfb_median / hi;
        if (!open)
            fputs("<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\" points=\"", out);
        fprintf(out, "%.1f,%.1f ", x, y);
        open = 1;
    }
    for (int b = 0; b < s->nbuckets; b++) {
        if (!s->buckets[b].has_median || !isfinite(s->buckets[b].ttfb_median))
            continue;
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#2563eb\"><title>",
                left + (b + 0.5) * bw, top + ph2 - ph2 * s->buckets[b].ttfb_median / hi);
        put_ms(out, s->buckets[b].ttfb_median);
        fputs(" ms</title></circle>\n", out);
    }
    fprintf(out, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", left,
            w - right, top + ph2, top + ph2);
    series_ticks(s, out, left, bw, top + ph2);
    fputs("</svg>\n</section>\n", out);
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
