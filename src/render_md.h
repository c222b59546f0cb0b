/*
 * render_md.h - `httpcap report --format md`: the sections as GitHub-flavoured Markdown
 * tables. Every string from the database is escaped so it stays inside its table cell and
 * shows as the text it is: | ` * _ ~ [ ] \ are backslash-escaped, < > & become entities,
 * control characters show as \xNN / \uNNNN, invalid UTF-8 as U+FFFD.
 */
#ifndef HTTPCAP_RENDER_MD_H
#define HTTPCAP_RENDER_MD_H

#include <stdio.h>

#include "report.h"

/* Write the report of r to out as Markdown. r is only read. Cannot fail (write errors
 * stay in out). */
void render_md(const struct report_sections *r, FILE *out);

#endif
