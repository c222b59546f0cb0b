/*
 * render_text.c - the report as text for a terminal or a mail: 80 columns, no colour.
 * Owns: layout only. In: struct report_sections. Out: lines on a FILE.
 * Never: queries the database; lets a control byte from the wire through (every line
 *        passes emit(), which turns bytes < 0x20 and 0x7f into '?' and cuts at 80 columns).
 */
#include "render_text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#define WIDTH 80
#define BAR_WIDTH 40

/* One line: formatted, sanitised, cut to WIDTH bytes at a UTF-8 boundary. */
static void emit(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(FILE *out, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch == 0x7f)
            line[i] = '?';
    }
    if (len > WIDTH) {
        len = WIDTH;
        while (len > 0 && ((unsigned char)line[len] & 0xc0) == 0x80)
            len--;
    }
    fwrite(line, 1, len, out);
    fputc('\n', out);
}

/* s, or a placeholder for NULL, cut to at most max bytes (into buf). */
static const char *cut(char *buf, size_t cap, const char *s, size_t max)
{
    if (!s)
        s = "-";
    size_t n = strlen(s);
    if (max >= cap)
        max = cap - 1;
    if (n <= max)
        return s;
    size_t k = max > 3 ? max - 3 : 0;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    memcpy(buf, s, k);
    memcpy(buf + k, "...", 4);
    return buf;
}

/* Word-wrap text after an indent so no line passes WIDTH. */
static void wrap(FILE *out, const char *indent, const char *text)
{
    size_t room = WIDTH - strlen(indent);
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        if (n == 0)
            break;
        size_t take = n;
        if (n > room) {
            take = room;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = room;
        }
        emit(out, "%s%.*s", indent, (int)take, p);
        p += take;
    }
}

static double pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

static void capture_section(const struct report_sections *r, FILE *out)
{
    const struct report_capture *c = &r->capture;
    if (c->gap_bytes > 0 || c->truncated > 0) {
        if (c->gap_bytes > 0)
            emit(out, "WARNING: capture loss: %" PRId64 " bytes never captured; numbers undercount",
                 c->gap_bytes);
        if (c->truncated > 0)
            emit(out, "WARNING: %" PRId64 " input(s) truncated; numbers undercount", c->truncated);
        emit(out, "%s", "");
    }
    emit(out, "== Capture ==");
    char b[WIDTH];
    for (int64_t i = 0; i < c->runs; i++)
        emit(out, "  source        %s", cut(b, sizeof b, c->sources[i], 62));
    emit(out, "  first packet  %s", c->first_iso ? c->first_iso : "-");
    emit(out, "  last packet   %s", c->last_iso ? c->last_iso : "-");
    if (c->has_span)
        emit(out, "  duration      %.3f s", (double)(c->last_ns - c->first_ns) / 1e9);
    emit(out, "  packets       %" PRId64, c->packets);
    emit(out, "  bytes         %" PRId64, c->bytes);
    emit(out, "  connections   %" PRId64, c->connections);
    emit(out, "  transactions  %" PRId64, c->transactions);
    emit(out, "  gap bytes     %" PRId64, c->gap_bytes);
    emit(out, "  truncated     %" PRId64, c->truncated);
}

static void status_section(const struct report_sections *r, FILE *out)
{
    emit(out, "%s", "");
    emit(out, "== Status classes ==");
    int64_t most = 0;
    for (int i = 0; i < 6; i++)
        most = r->classes[i].count > most ? r->classes[i].count : most;
    for (int i = 0; i < 6; i++) {
        const struct report_class *k = &r->classes[i];
        int w = most > 0 ? (int)((k->count * BAR_WIDTH + most - 1) / most) : 0;
        char bar[BAR_WIDTH + 1];
        memset(bar, '#', (size_t)w);
        bar[w] = '\0';
        emit(out, "  %-10s %8" PRId64 " %6.1f%%  %s", k->name, k->count,
             pct(k->count, r->answered_total), bar);
    }
    emit(out, "%s", "");
    emit(out, "== Status codes ==");
    emit(out, "  %-4s %-34s %8s %7s", "code", "reason", "count", "share");
    char b[64];
    for (int i = 0; i < r->nstatuses; i++) {
        const struct report_status *s = &r->statuses[i];
        char label[64];
        if (s->is_registered)
            snprintf(label, sizeof label, "%s", cut(b, sizeof b, s->reason, 34));
        else
            snprintf(label, sizeof label, "(unregistered, as %d %s)", s->effective,
                     cut(b, sizeof b, s->effective_reason, 14));
        emit(out, "  %-4d %-34s %8" PRId64 " %6.1f%%", s->code, label, s->count,
             pct(s->count, r->answered_total));
    }
}

static void latency_section(const struct report_sections *r, FILE *out)
{
    emit(out, "%s", "");
    emit(out, "== Latency (ms, nearest-rank percentiles) ==");
    emit(out, "  %-20s %-5s %6s %9s %9s %9s %9s", "group", "", "n", "p50", "p90", "p99", "max");
    char b[32];
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        const char *g = l->scope == REPORT_ALL ? "all"
                        : l->key               ? cut(b, sizeof b, l->key, 20)
                                               : "(no host)";
        const char *m = strcmp(l->metric, "ttfb_ms") == 0 ? "ttfb" : "total";
        emit(out, "  %-20s %-5s %6" PRId64 " %9.1f %9.1f %9.1f %9.1f", g, m, l->n, l->p50,
             l->p90, l->p99, l->max);
    }
    emit(out, "%s", "");
    emit(out, "== Slowest %d by ttfb ==", r->top);
    if (r->nslowest == 0)
        emit(out, "  (none)");
    char h[48], u[80], q[80];
    for (int i = 0; i < r->nslowest; i++) {
        const struct report_slow *s = &r->slowest[i];
        char st[8] = "-";
        if (s->has_status)
            snprintf(st, sizeof st, "%d", s->status % 1000);
        emit(out, "  %2d. %10.1f ms  %-3s  %-24s %s", i + 1, s->ttfb_ms, st,
             s->time ? s->time : "-", cut(h, sizeof h, s->method, 12));
        emit(out, "      host %s", cut(h, sizeof h, s->host, 40));
        emit(out, "      uri  %s", cut(u, sizeof u, s->uri, 69));
        if (s->request_id)
            emit(out, "      request-id %s", cut(q, sizeof q, s->request_id, 63));
    }
}

static void rules_section(const struct report_sections *r, FILE *out)
{
    emit(out, "%s", "");
    emit(out, "== Violations per rule ==");
    if (r->nrules == 0)
        emit(out, "  (none)");
    char b[48];
    for (int i = 0; i < r->nrules; i++) {
        const struct report_rule *u = &r->rules[i];
        emit(out, "  %-38s %-8s %8" PRId64 " %6" PRId64 " host(s)",
             cut(b, sizeof b, u->rule, 38), u->severity ? u->severity : "-", u->count,
             u->hosts);
        if (u->hint)
            wrap(out, "      ", u->hint);
    }
}

void render_text(const struct report_sections *r, FILE *out)
{
    capture_section(r, out);
    status_section(r, out);
    latency_section(r, out);
    rules_section(r, out);
}
