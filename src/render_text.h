/*
 * render_text.h - `httpcap report --format text`: the sections for a terminal or a mail.
 * Every line fits 80 display columns; ANSI colour only when the caller asks. Every string
 * from the database is sanitised: no byte < 0x20, no 0x7f, no C1 control (U+0080..U+009F)
 * and no bidi override reaches the output, and invalid UTF-8 becomes U+FFFD, so no escape
 * sequence from captured traffic reaches a terminal.
 */
#ifndef HTTPCAP_RENDER_TEXT_H
#define HTTPCAP_RENDER_TEXT_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* Write the report of r to out; colour != 0 adds ANSI colours (main asks only for a TTY).
 * r is only read. Cannot fail (write errors stay in out). */
void render_text(const struct report_sections *r, FILE *out, int colour);

/* The sparkline rows of the time series: every transaction, errors (4xx + 5xx + invalid),
 * one class (0 .. REPORT_NCLASSES-1, report_sections.classes order), the ttfb median. */
#define RENDER_SPARK_WIDTH 60
#define RENDER_ROW_ALL (-2)
#define RENDER_ROW_ERRORS (-1)
#define RENDER_ROW_TTFB REPORT_NCLASSES

/* Fill v with one row of s, one value per column; a column sums ceil(nbuckets / 60)
 * buckets (the ttfb row takes the worst bucket median). Returns the columns (0..60).
 * s is only read. Cannot fail. */
int render_text_series_row(const struct report_series *s, int row,
                           double v[RENDER_SPARK_WIDTH]);

/* Write n (<= 60) values as a sparkline of U+2581..U+2588 scaled to their maximum, a space
 * for zero, into dst (3 * 60 + 1 bytes), NUL-terminated. Cannot fail. */
void render_text_sparkline(char *dst, const double *v, int n);

/* ns since the epoch as ISO-8601 UTC to the millisecond ("2026-11-28T10:00:00.000Z") into
 * b (cap >= 32); a time gmtime cannot show is written as "N ns". Cannot fail. */
void render_text_iso(char *b, size_t cap, int64_t ns);

/* The limit hits of c in one line, into b (cap >= 256): "max-connections (2) once,
 * max-headers (3) 67 times", "none", or "not recorded (...)" when no run recorded its
 * limits; "; recorded by K of N runs" when only some did. Limit names are copied as they
 * are: the caller sanitises or escapes b. Cannot fail. */
#define RENDER_LIMITS_CAP 1024
void render_text_limits(const struct report_capture *c, char *b, size_t cap);

#endif
