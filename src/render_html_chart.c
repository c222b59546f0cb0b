/*
 * render_html_chart.c - the SVG charts of the HTML report.
 * Owns: the status-class bars, the ttfb histogram and the time series (stacked counts and
 *       median ttfb, with anomaly bands): their geometry, axes, ticks and colours.
 * In:   struct report_sections. Out: inline <svg> elements (and the series legend) on a FILE.
 * Never: writes a string from the wire unescaped (they pass html_esc() of render_html.c),
 *        emits a script or a link to anything outside the page.
 */
#include "render_html_chart.h"

#include <inttypes.h>
#include <math.h>
#include <time.h>

/* The parts of a series bucket, stacked from the bottom, and their colours. */
static const char *const series_parts[4] = {"ok (1xx-3xx)", "4xx", "5xx + invalid",
                                            "unanswered"};
static const char *const series_colors[4] = {"#94a3b8", "#d97706", "#dc2626", "#7c3aed"};

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

/* Horizontal bars, one per class, scaled to the largest. */
void html_class_chart(const struct report_sections *r, FILE *out)
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
        html_esc(out, k->name);
        fprintf(out, "\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 10, y + 19);
        html_esc(out, k->name);
        fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\" "
                     "fill=\"#f1f3f5\"/>",
                left, y + 4, span, row - 8);
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\">",
                left, y + 4, bw, row - 8, html_class_colors[i]);
        fputs("<title>", out);
        html_esc(out, k->name);
        fprintf(out, ": %" PRId64 " (%.1f%%)</title></rect>", k->count,
                html_pct(k->count, r->answered_total));
        fprintf(out, "<text x=\"%d\" y=\"%d\">", left + span + 10, y + 19);
        html_put_int(out, k->count);
        fprintf(out, " \xc2\xb7 %.1f%%</text></g>\n", html_pct(k->count, r->answered_total));
    }
    fputs("</svg>\n", out);
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
void html_histogram_chart(const struct report_sections *r, FILE *out)
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

/* Shaded rects behind the buckets of each windowed anomaly: latency spikes only when
 * latency_only, every other kind otherwise. */
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
        const char *k = html_kind_name(a->kind);
        double x = left + a->first_bucket * bw;
        double wd = (last - a->first_bucket + 1) * bw;
        fprintf(out, "<rect class=\"anomaly-band\" data-kind=\"%s\" data-anomaly=\"anomaly-%d\" "
                     "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                     "fill-opacity=\"0.16\"><title>%s: ",
                k, i + 1, x, top, wd, ph, latency_only ? "#d97706" : "#dc2626", k);
        html_esc_cut(out, a->subject, URI_MAX, "");
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

/* The line under the section title and the legend of the stacked bars. */
static void series_legend(const struct report_series *s, FILE *out)
{
    fprintf(out, "<p class=\"muted\">%d buckets of %.3g s from ", s->nbuckets,
            (double)s->bucket_ns / 1e9);
    char lab[32];
    clock_label(lab, sizeof lab, s->origin_ns, 86400000000000LL);
    fputs(lab, out);
    clock_label(lab, sizeof lab, s->origin_ns, 1);
    fprintf(out, " %s UTC; shaded: the buckets of an anomaly.</p>\n", lab);
    fputs("<div class=\"legend\">", out);
    for (int p = 0; p < 4; p++)
        fprintf(out, "<span><span class=\"swatch\" style=\"background:%s\"></span>%s</span>",
                series_colors[p], series_parts[p]);
    fputs("</div>\n", out);
}

/* One bucket of the count chart: its parts stacked up from the baseline. */
static void series_bucket(const struct report_series *s, FILE *out, int b, double bw,
                          int left, int top, int ph, int64_t most)
{
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
                x, y, wd, hh, series_colors[p]);
    }
    fputs("</g>\n", out);
}

/* Transactions per bucket as stacked bars, errors on top. */
static void series_counts(const struct report_sections *r, FILE *out)
{
    const struct report_series *s = &r->series;
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
    for (int b = 0; b < s->nbuckets; b++)
        series_bucket(s, out, b, bw, left, top, ph, most);
    fprintf(out, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", left,
            w - right, top + ph, top + ph);
    series_ticks(s, out, left, bw, top + ph);
    fputs("</svg>\n", out);
}

/* The median ttfb per bucket as a line, broken where a bucket has no value. */
static void series_ttfb_line(const struct report_series *s, FILE *out, int left, double bw,
                             int top, int ph2, double hi)
{
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
        html_put_ms(out, s->buckets[b].ttfb_median);
        fputs(" ms</title></circle>\n", out);
    }
}

/* Median ttfb per bucket, under the count chart and on its x scale; nothing without one. */
static void series_ttfb(const struct report_sections *r, FILE *out)
{
    const struct report_series *s = &r->series;
    double hi = 0;
    for (int b = 0; b < s->nbuckets; b++)
        if (s->buckets[b].has_median && s->buckets[b].ttfb_median > hi)
            hi = s->buckets[b].ttfb_median;
    if (hi <= 0 || !isfinite(hi))
        return;
    const int w = 1100, left = 56, right = 14, top = 40, bottom = 34, h2 = 190;
    double bw = (double)(w - left - right) / s->nbuckets;
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
        html_put_ms(out, hi * g / 2);
        fputs("</text>\n", out);
    }
    anomaly_bands(r, out, left, bw, top, ph2, 1);
    series_ttfb_line(s, out, left, bw, top, ph2, hi);
    fprintf(out, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", left,
            w - right, top + ph2, top + ph2);
    series_ticks(s, out, left, bw, top + ph2);
    fputs("</svg>\n", out);
}

void html_series_charts(const struct report_sections *r, FILE *out)
{
    const struct report_series *s = &r->series;
    if (s->nbuckets <= 0 || !s->buckets || s->bucket_ns <= 0) {
        fputs("<p class=\"muted\">No transactions.</p>\n", out);
        return;
    }
    series_legend(s, out);
    series_counts(r, out);
    series_ttfb(r, out);
}
