/*
 * render_html_chart.h - the inside of the HTML report, shared by render_html.c (markup,
 * escaping and number helpers) and render_html_chart.c (the SVG charts). Nothing else
 * includes it.
 * Owns: the cut lengths of wire strings and the one implementation of HTML escaping.
 * Never: appears in another renderer; report.c sees only render_html.h.
 */
#ifndef HTTPCAP_RENDER_HTML_CHART_H
#define HTTPCAP_RENDER_HTML_CHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

#define URI_MAX 160  /* bytes of a URI or endpoint shown in a table cell */
#define TEXT_MAX 400 /* bytes of any other string from the wire */

/* In render_html.c. */

/* The colour of each status class, in report.h's class order. */
extern const char *const html_class_colors[REPORT_NCLASSES];

/* The name of kind k ("unknown" when out of range). */
const char *html_kind_name(enum report_anomaly_kind k);

/*
 * s as HTML text or a quoted attribute value: & < > " ' as character references, invalid
 * UTF-8 as U+FFFD, tab/CR/LF as a space, other C0/C1 controls, DEL and bidi overrides
 * dropped. At most max input bytes, then an ellipsis. NULL prints as fallback (a constant
 * of ours, written as is).
 */
void html_esc_cut(FILE *out, const char *s, size_t max, const char *fallback);

/* html_esc_cut() with TEXT_MAX, NULL as an en dash. */
void html_esc(FILE *out, const char *s);

/* An integer with thousands separators. */
void html_put_int(FILE *out, int64_t v);

/* A latency in ms with as many decimals as its size deserves (an en dash if not finite). */
void html_put_ms(FILE *out, double v);

/* n as a percentage of total (0 when total is 0). */
double html_pct(int64_t n, int64_t total);

/* In render_html_chart.c. Each writes only to out and cannot fail. */

/* Horizontal bars, one per status class (svg#class-chart). */
void html_class_chart(const struct report_sections *r, FILE *out);

/* The ttfb histogram under an <h3> (svg#latency-histogram), or a line saying there is none. */
void html_histogram_chart(const struct report_sections *r, FILE *out);

/* The body of the time-series section: legend, svg#series-chart and, when any bucket has a
 * median, svg#series-ttfb; or a line saying there are no transactions. */
void html_series_charts(const struct report_sections *r, FILE *out);

#endif
