/*
 * render_html.h - `httpcap report --format html`: the sections as one self-contained HTML
 * page (inline CSS and SVG charts, no script, no network; a CSP meta tag forbids both).
 * Every string from the database is escaped as text; see render_html.c for the ids and
 * data attributes that tests read from the DOM.
 */
#ifndef HTTPCAP_RENDER_HTML_H
#define HTTPCAP_RENDER_HTML_H

#include <stdio.h>

#include "report.h"

/* Write r to out as an HTML document. r is only read. Cannot fail (write errors stay in
 * out, for the caller's ferror()). */
void render_html(const struct report_sections *r, FILE *out);

#endif
