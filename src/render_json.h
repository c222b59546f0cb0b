/*
 * render_json.h - `httpcap report --format json`: the sections as one JSON object
 * (key names documented at the top of render_json.c; RFC 8259 escaping).
 */
#ifndef HTTPCAP_RENDER_JSON_H
#define HTTPCAP_RENDER_JSON_H

#include <stdio.h>

#include "report.h"

/* Write r to out as JSON. r is only read. Cannot fail (write errors stay in out). */
void render_json(const struct report_sections *r, FILE *out);

/* s as a JSON string (RFC 8259 escapes; invalid UTF-8 becomes U+FFFD), or null when s
 * is NULL. Cannot fail. */
void render_json_string(FILE *out, const char *s);

#endif
