/*
 * render_text.h - `httpcap report --format text`: the sections as plain text, no colour.
 * Every line fits 80 columns; bytes < 0x20 and 0x7f from the database become '?', so no
 * escape sequence from the wire reaches a terminal.
 */
#ifndef HTTPCAP_RENDER_TEXT_H
#define HTTPCAP_RENDER_TEXT_H

#include <stdio.h>

#include "report.h"

/* Write the report of r to out. r is only read. Cannot fail (write errors stay in out). */
void render_text(const struct report_sections *r, FILE *out);

#endif
