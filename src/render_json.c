/*
 * render_json.c - the report as one JSON object, the machine-readable twin of the text.
 * Owns: JSON syntax and RFC 8259 escaping. In: struct report_sections. Out: a FILE.
 * Never: queries the database. Invalid UTF-8 from the wire becomes U+FFFD.
 *
 * Keys (stable; times ms as numbers, counts as integers, absent values null):
 *   capture:    {runs, sources: [text], first_packet, last_packet (ISO-8601 UTC or null),
 *                first_packet_ns, last_packet_ns, packets, bytes, connections,
 *                transactions, gap_bytes, truncated_inputs, warning (text or null)}
 *   classes:    [{class: "1xx".."5xx"|"unanswered", count, pct}]   (pct of all transactions)
 *   statuses:   [{code, reason (registered phrase or null), count, pct, registered (bool),
 *                effective_status, effective_reason}]
 *   latency:    [{scope: "all"|"class"|"host", key (class, host or null), metric:
 *                "ttfb_ms"|"total_ms", n, p50, p90, p99, max}]
 *   slowest:    {top, transactions: [{id, time, method, host, uri, status, ttfb_ms,
 *                total_ms, request_id}]}   (sorted by ttfb_ms, largest first)
 *   violations: [{rule, severity, count, hosts, hint}]
 */
#include "render_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
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
    return n;
}

void render_json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", out);
                p++;
            } else {
                fwrite(p, 1, n, out);
                p += n;
            }
        }
    }
    fputc('"', out);
}

/* A double that reads back as the same value (shortest of %.15g / %.17g). */
static void jnum(FILE *out, double v)
{
    char b[40];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    snprintf(b, sizeof b, "%.15g", v);
    if (strtod(b, NULL) != v)
        snprintf(b, sizeof b, "%.17g", v);
    fputs(b, out);
}

static double pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

static void capture_json(const struct report_sections *r, FILE *out)
{
    const struct report_capture *c = &r->capture;
    fprintf(out, "  \"capture\": {\n    \"runs\": %" PRId64 ",\n    \"sources\": [", c->runs);
    for (int64_t i = 0; i < c->runs; i++) {
        fputs(i ? ", " : "", out);
        render_json_string(out, c->sources[i]);
    }
    fputs("],\n    \"first_packet\": ", out);
    render_json_string(out, c->first_iso);
    fputs(",\n    \"last_packet\": ", out);
    render_json_string(out, c->last_iso);
    if (c->has_span)
        fprintf(out, ",\n    \"first_packet_ns\": %" PRId64 ",\n    \"last_packet_ns\": %" PRId64,
                c->first_ns, c->last_ns);
    else
        fputs(",\n    \"first_packet_ns\": null,\n    \"last_packet_ns\": null", out);
    fprintf(out,
            ",\n    \"packets\": %" PRId64 ",\n    \"bytes\": %" PRId64
            ",\n    \"connections\": %" PRId64 ",\n    \"transactions\": %" PRId64
            ",\n    \"gap_bytes\": %" PRId64 ",\n    \"truncated_inputs\": %" PRId64
            ",\n    \"warning\": ",
            c->packets, c->bytes, c->connections, c->transactions, c->gap_bytes, c->truncated);
    if (c->gap_bytes > 0)
        fprintf(out, "\"capture loss: %" PRId64 " bytes never captured; numbers undercount\"",
                c->gap_bytes);
    else if (c->truncated > 0)
        fprintf(out, "\"%" PRId64 " input(s) truncated; numbers undercount\"", c->truncated);
    else
        fputs("null", out);
    fputs("\n  },\n", out);
}

static void status_json(const struct report_sections *r, FILE *out)
{
    fputs("  \"classes\": [", out);
    for (int i = 0; i < 6; i++) {
        const struct report_class *k = &r->classes[i];
        fprintf(out, "%s\n    {\"class\": ", i ? "," : "");
        render_json_string(out, k->name);
        fprintf(out, ", \"count\": %" PRId64 ", \"pct\": ", k->count);
        jnum(out, pct(k->count, r->answered_total));
        fputc('}', out);
    }
    fputs("\n  ],\n  \"statuses\": [", out);
    for (int i = 0; i < r->nstatuses; i++) {
        const struct report_status *s = &r->statuses[i];
        fprintf(out, "%s\n    {\"code\": %d, \"reason\": ", i ? "," : "", s->code);
        render_json_string(out, s->is_registered ? s->reason : NULL);
        fprintf(out, ", \"count\": %" PRId64 ", \"pct\": ", s->count);
        jnum(out, pct(s->count, r->answered_total));
        fprintf(out, ", \"registered\": %s, \"effective_status\": %d, \"effective_reason\": ",
                s->is_registered ? "true" : "false", s->effective);
        render_json_string(out, s->effective_reason);
        fputc('}', out);
    }
    fputs(r->nstatuses ? "\n  ],\n" : "],\n", out);
}

static void latency_json(const struct report_sections *r, FILE *out)
{
    static const char *const scopes[] = {"all", "class", "host"};
    fputs("  \"latency\": [", out);
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        int sc = l->scope >= REPORT_ALL && l->scope <= REPORT_HOST ? (int)l->scope : 0;
        fprintf(out, "%s\n    {\"scope\": \"%s\", \"key\": ", i ? "," : "", scopes[sc]);
        render_json_string(out, l->key);
        fputs(", \"metric\": ", out);
        render_json_string(out, l->metric);
        fprintf(out, ", \"n\": %" PRId64 ", \"p50\": ", l->n);
        jnum(out, l->p50);
        fputs(", \"p90\": ", out);
        jnum(out, l->p90);
        fputs(", \"p99\": ", out);
        jnum(out, l->p99);
        fputs(", \"max\": ", out);
        jnum(out, l->max);
        fputc('}', out);
    }
    fputs(r->nlatency ? "\n  ],\n" : "],\n", out);
    fprintf(out, "  \"slowest\": {\"top\": %d, \"transactions\": [", r->top);
    for (int i = 0; i < r->nslowest; i++) {
        const struct report_slow *s = &r->slowest[i];
        fprintf(out, "%s\n    {\"id\": %" PRId64 ", \"time\": ", i ? "," : "", s->id);
        render_json_string(out, s->time);
        fputs(", \"method\": ", out);
        render_json_string(out, s->method);
        fputs(", \"host\": ", out);
        render_json_string(out, s->host);
        fputs(", \"uri\": ", out);
        render_json_string(out, s->uri);
        if (s->has_status)
            fprintf(out, ", \"status\": %d", s->status);
        else
            fputs(", \"status\": null", out);
        fputs(", \"ttfb_ms\": ", out);
        jnum(out, s->ttfb_ms);
        fputs(", \"total_ms\": ", out);
        if (s->has_total)
            jnum(out, s->total_ms);
        else
            fputs("null", out);
        fputs(", \"request_id\": ", out);
        render_json_string(out, s->request_id);
        fputc('}', out);
    }
    fputs(r->nslowest ? "\n  ]},\n" : "]},\n", out);
}

static void rules_json(const struct report_sections *r, FILE *out)
{
    fputs("  \"violations\": [", out);
    for (int i = 0; i < r->nrules; i++) {
        const struct report_rule *u = &r->rules[i];
        fprintf(out, "%s\n    {\"rule\": ", i ? "," : "");
        render_json_string(out, u->rule);
        fputs(", \"severity\": ", out);
        render_json_string(out, u->severity);
        fprintf(out, ", \"count\": %" PRId64 ", \"hosts\": %" PRId64 ", \"hint\": ", u->count,
                u->hosts);
        render_json_string(out, u->hint);
        fputc('}', out);
    }
    fputs(r->nrules ? "\n  ]\n" : "]\n", out);
}

void render_json(const struct report_sections *r, FILE *out)
{
    fputs("{\n", out);
    capture_json(r, out);
    status_json(r, out);
    latency_json(r, out);
    rules_json(r, out);
    fputs("}\n", out);
}
