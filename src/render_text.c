/*
 * render_text.c - the report as text for an 80-column terminal or a mail, colour optional.
 * Owns: layout, terminal sanitising (every character passes one gate, safe_cp()), the
 *       column count of each line, sparklines. In: struct report_sections. Out: a FILE.
 * Never: queries the database; writes a line wider than 80 columns; lets a control
 *        character from the wire through (only sgr() writes ESC, and only our own codes).
 */
#include "render_text.h"
#include "utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#define WIDTH 80
#define LINE_CAP 1024 /* 80 columns of up to 4 bytes plus colour codes */
#define BAR_WIDTH 36
#define WRAP_LINES 12 /* a wrapped text longer than this is cut, ending in "…" */
#define MAX_SOURCES 10 /* capture sources listed before "... and N more" */

/* One output line being built: bytes, and the display columns they take. */
struct tty {
    FILE *out;
    int colour;
    int painted;      /* a colour code is open on this line */
    char pending[16]; /* a colour to open before the next visible character */
    char buf[LINE_CAP];
    size_t len;
    int cols;
};


/* Columns a printable code point takes: 2 for the East Asian wide and emoji blocks, else 1
 * (combining marks count 1 too: a line may come out short, never long). */
static int cp_width(int32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                   (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                   (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                   (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
                   (cp >= 0x20000 && cp <= 0x3fffd)
               ? 2
               : 1;
}

/* The gate: one character of s as it may be shown. Returns the bytes read from s; rep gets
 * the bytes to write (*nrep), *w their columns. Controls become '?', bad UTF-8 U+FFFD. */
static int safe_cp(const char *s, char rep[4], int *nrep, int *w)
{
    int32_t cp;
    int n = utf8_decode(s, &cp);
    if (cp < 0) {
        memcpy(rep, "\xef\xbf\xbd", 3);
        *nrep = 3;
        *w = 1;
    } else if (utf8_is_control(cp)) {
        rep[0] = '?';
        *nrep = 1;
        *w = 1;
    } else {
        memcpy(rep, s, (size_t)n);
        *nrep = n;
        *w = cp_width(cp);
    }
    return n;
}

/* Append one shown character if the line has room for it; 0 when it has not. */
static int put_cp(struct tty *t, const char *rep, int nrep, int w)
{
    if (t->cols + w > WIDTH || t->len + (size_t)nrep + 8 + sizeof t->pending > sizeof t->buf)
        return 0;
    if (t->pending[0] && !(nrep == 1 && rep[0] == ' ')) {
        t->len += (size_t)snprintf(t->buf + t->len, sizeof t->buf - t->len, "\x1b[%sm",
                                   t->pending);
        t->pending[0] = '\0';
        t->painted = 1;
    }
    memcpy(t->buf + t->len, rep, (size_t)nrep);
    t->len += (size_t)nrep;
    t->cols += w;
    return 1;
}

/* Display columns of s once sanitised. */
static int width_of(const char *s)
{
    int cols = 0;
    char rep[4];
    int nrep;
    int w;
    while (*s) {
        s += safe_cp(s, rep, &nrep, &w);
        cols += w;
    }
    return cols;
}

/* Append s (NULL shows as "-") through the gate, in at most max columns (max < 0: the rest
 * of the line); a longer s is cut and ends in "…". pad != 0 fills up to max with spaces. */
static void text(struct tty *t, const char *s, int max, int pad)
{
    if (!s)
        s = "-";
    if (max < 0 || max > WIDTH - t->cols)
        max = WIDTH - t->cols;
    int total = width_of(s);
    int room = total <= max ? max : max - 1;
    int used = 0;
    char rep[4];
    int nrep;
    int w;
    while (*s) {
        int n = safe_cp(s, rep, &nrep, &w);
        if (used + w > room || !put_cp(t, rep, nrep, w))
            break;
        used += w;
        s += n;
    }
    if (*s && put_cp(t, "\xe2\x80\xa6", 3, 1))
        used++;
    while (pad && used < max && put_cp(t, " ", 1, 1))
        used++;
}

/* Append formatted text (our layout, also through the gate). */
static void textf(struct tty *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void textf(struct tty *t, const char *fmt, ...)
{
    char b[LINE_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    text(t, b, -1, 0);
}

/* Colour what follows with an ANSI SGR code (e.g. "1;31") when colour is on. The code is
 * written by put_cp() before the next visible character: put_cp() is the only writer of
 * ESC, and a line without visible coloured text carries no code. */
static void sgr(struct tty *t, const char *code)
{
    if (t->colour)
        snprintf(t->pending, sizeof t->pending, "%s", code);
}

static void sgr_off(struct tty *t)
{
    t->pending[0] = '\0';
    if (t->painted) {
        memcpy(t->buf + t->len, "\x1b[0m", 4);
        t->len += 4;
        t->painted = 0;
    }
}

/* End the line: write it out. */
static void nl(struct tty *t)
{
    while (t->len > 0 && t->buf[t->len - 1] == ' ')
        t->len--;
    sgr_off(t);
    t->buf[t->len++] = '\n';
    fwrite(t->buf, 1, t->len, t->out);
    t->len = 0;
    t->cols = 0;
}

static void line(struct tty *t, const char *s)
{
    text(t, s, -1, 0);
    nl(t);
}

static void heading(struct tty *t, const char *s)
{
    nl(t);
    sgr(t, "1");
    text(t, s, -1, 0);
    nl(t);
}

/* Word-wrap s through the gate: the first line starts with label padded to indent columns,
 * the next ones with indent spaces. Words wider than a line are split; after WRAP_LINES
 * lines the rest is cut and the last line ends in "…". */
static void wrap(struct tty *t, int indent, const char *label, const char *s)
{
    if (!s)
        s = "-";
    text(t, label, indent, 1);
    int room = WIDTH - indent;
    int cur = 0;
    int lines = 1;
    char rep[4];
    int nrep;
    int w;
    for (;;) {
        while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
            s++;
        if (!*s)
            break;
        const char *e = s;
        int ww = 0;
        while (*e && *e != ' ' && *e != '\n' && *e != '\t' && *e != '\r') {
            e += safe_cp(e, rep, &nrep, &w);
            ww += w;
        }
        int split = cur > 0 && cur + 1 + ww > room;
        if (split && lines == WRAP_LINES)
            break;
        if (split) {
            nl(t);
            text(t, "", indent, 1);
            cur = 0;
            lines++;
        } else if (cur > 0) {
            put_cp(t, " ", 1, 1);
            cur++;
        }
        while (s < e) {
            int n = safe_cp(s, rep, &nrep, &w);
            if (cur + w > room) {
                if (lines == WRAP_LINES)
                    break;
                nl(t);
                text(t, "", indent, 1);
                cur = 0;
                lines++;
            }
            put_cp(t, rep, nrep, w);
            cur += w;
            s += n;
        }
        if (s < e)
            break;
    }
    if (*s) { /* cut: make room for the ellipsis */
        while (t->cols >= WIDTH && t->len > 0) {
            do
                t->len--;
            while (t->len > 0 && ((unsigned char)t->buf[t->len] & 0xc0) == 0x80);
            t->cols--; /* the wide-character case leaves one spare column: harmless */
        }
        put_cp(t, "\xe2\x80\xa6", 3, 1);
    }
    nl(t);
}

static double pct(int64_t n, int64_t total)
{
    return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

/* A latency in ms in at most 8 characters, "-" when not finite or absent. */
static void fmt_ms(char *b, size_t cap, int has, double v)
{
    double a = fabs(v);
    if (!has || !isfinite(v))
        snprintf(b, cap, "-");
    else if (a < 10)
        snprintf(b, cap, "%.3f", v);
    else if (a < 100)
        snprintf(b, cap, "%.2f", v);
    else if (a < 99999.95)
        snprintf(b, cap, "%.1f", v);
    else if (a < 99999999.5)
        snprintf(b, cap, "%.0f", v);
    else
        snprintf(b, cap, "%.2e", v);
}

void render_text_iso(char *b, size_t cap, int64_t ns)
{
    int64_t sec = ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
    time_t s = (time_t)sec;
    struct tm tm;
    char d[32];
    if (gmtime_r(&s, &tm) && strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm) > 0)
        snprintf(b, cap, "%s.%03dZ", d, (int)((ns - sec * 1000000000) / 1000000));
    else
        snprintf(b, cap, "%" PRId64 " ns", ns);
}

/* A bucket width as "500 ms", "15 s", "5 min", "6 h", "7 d". */
static void fmt_width(char *b, size_t cap, int64_t ns)
{
    static const struct {
        int64_t ns;
        const char *unit;
    } u[] = {{86400000000000, "d"}, {3600000000000, "h"}, {60000000000, "min"},
             {1000000000, "s"},     {1000000, "ms"},      {1000, "us"}};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        if (ns >= u[i].ns && ns % u[i].ns == 0) {
            snprintf(b, cap, "%" PRId64 " %s", ns / u[i].ns, u[i].unit);
            return;
        }
    }
    snprintf(b, cap, "%" PRId64 " ns", ns);
}

/* The colour of a status class by its name. */
static const char *class_colour(const char *name)
{
    static const char *const map[][2] = {{"1xx", "34"}, {"2xx", "32"},        {"3xx", "36"},
                                         {"4xx", "33"}, {"5xx", "31"},        {"unanswered", "35"},
                                         {"invalid", "1;31"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(name, map[i][0]) == 0)
            return map[i][1];
    }
    return "0";
}

/* Append formatted text at *n of b (cap bytes), keeping *n inside b when it is cut. */
static void append(char *b, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *b, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b + *n, cap - *n, fmt, ap);
    va_end(ap);
    *n = k < 0 ? *n : *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}

void render_text_limits(const struct report_capture *c, char *b, size_t cap)
{
    size_t n = 0;
    b[0] = '\0';
    if (c->limit_runs == 0 && c->runs > 0) {
        append(b, cap, &n, "not recorded (databases older than table capture_limits)");
        return;
    }
    for (int i = 0; i < c->nlimits; i++) {
        const struct report_limit *l = &c->limits[i];
        if (l->hits <= 0)
            continue;
        append(b, cap, &n, "%s%.64s (%" PRId64, n ? ", " : "", l->name ? l->name : "?",
               l->min_value);
        if (l->value != l->min_value)
            append(b, cap, &n, " to %" PRId64, l->value);
        if (l->hits == 1)
            append(b, cap, &n, ") once");
        else
            append(b, cap, &n, ") %" PRId64 " times", l->hits);
    }
    if (n == 0)
        append(b, cap, &n, "none");
    if (c->limit_runs < c->runs)
        append(b, cap, &n, "; recorded by %" PRId64 " of %" PRId64 " runs", c->limit_runs,
               c->runs);
}

/* "sensor NAME", or with several "sensors" and one line each with its runs. */
static void sensor_lines(const struct report_capture *c, struct tty *t)
{
    for (int i = 0; i < c->nsensors && i < MAX_SOURCES; i++) {
        text(t, i ? "" : c->nsensors > 1 ? "  sensors" : "  sensor", 16, 1);
        text(t, c->sensor_list[i].name, c->nsensors > 1 ? WIDTH - 16 - 12 : -1, 0);
        if (c->nsensors > 1)
            textf(t, " (%" PRId64 " run%s)", c->sensor_list[i].runs,
                  c->sensor_list[i].runs == 1 ? "" : "s");
        nl(t);
    }
    if (c->nsensors > MAX_SOURCES) {
        textf(t, "                ... and %d more", c->nsensors - MAX_SOURCES);
        nl(t);
    }
}

static void capture_section(const struct report_sections *r, struct tty *t)
{
    const struct report_capture *c = &r->capture;
    if (c->loss_warning) {
        sgr(t, "1;31");
        wrap(t, 9, "WARNING:",
             c->warning ? c->warning : "capture loss makes these numbers unreliable");
        nl(t);
    }
    sgr(t, "1");
    line(t, "== 1 Capture ==");
    if (r->ndbs > 1) {
        textf(t, "  databases     %d", r->ndbs);
        nl(t);
    }
    if (r->filter_text)
        wrap(t, 16, "  filters", r->filter_text);
    for (int64_t i = 0; i < c->runs && i < MAX_SOURCES; i++) {
        text(t, "  source", 16, 1);
        text(t, c->sources ? c->sources[i] : NULL, -1, 0);
        nl(t);
    }
    if (c->runs > MAX_SOURCES) {
        textf(t, "                ... and %" PRId64 " more", c->runs - MAX_SOURCES);
        nl(t);
    }
    sensor_lines(c, t);
    if (c->has_span) {
        textf(t, "  first packet  %s", c->first_iso ? c->first_iso : "-");
        nl(t);
        textf(t, "  last packet   %s", c->last_iso ? c->last_iso : "-");
        nl(t);
        textf(t, "  span          %.3f s", (double)(c->last_ns - c->first_ns) / 1e9);
        nl(t);
    } else {
        line(t, "  span          (no packet times)");
    }
    textf(t, "  packets       %" PRId64, c->packets);
    nl(t);
    textf(t, "  bytes         %" PRId64, c->bytes);
    nl(t);
    textf(t, "  connections   %" PRId64, c->connections);
    nl(t);
    textf(t, "  transactions  %" PRId64 " (%" PRId64 " reported)", c->transactions, c->reported);
    nl(t);
    if (c->has_drops) {
        textf(t, "  drops         kernel %" PRId64 ", interface %" PRId64, c->kernel_drops,
              c->interface_drops);
        nl(t);
    }
    textf(t, "  gap bytes     %" PRId64 " of %" PRId64 " TCP bytes (%.2f%%)", c->gap_bytes,
          c->tcp_bytes, pct(c->gap_bytes, c->tcp_bytes));
    nl(t);
    char lim[RENDER_LIMITS_CAP];
    render_text_limits(c, lim, sizeof lim);
    wrap(t, 16, "  limits hit", lim);
    textf(t, "  truncated     %" PRId64 " input(s)", c->truncated);
    nl(t);
}

static void status_section(const struct report_sections *r, struct tty *t)
{
    char b[64];
    snprintf(b, sizeof b, "== 2 Status classes (%" PRId64 " transactions) ==", r->answered_total);
    heading(t, b);
    int64_t most = 0;
    for (int i = 0; i < REPORT_NCLASSES; i++)
        most = r->classes[i].count > most ? r->classes[i].count : most;
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        const struct report_class *k = &r->classes[i];
        char name[sizeof k->name + 1];
        memcpy(name, k->name, sizeof k->name);
        name[sizeof k->name] = '\0';
        int w = most > 0 ? (int)((k->count * BAR_WIDTH + most - 1) / most) : 0;
        char bar[BAR_WIDTH + 1];
        memset(bar, '#', (size_t)w);
        bar[w] = '\0';
        textf(t, "  %-10s %10" PRId64 " %6.1f%%  ", name, k->count,
              pct(k->count, r->answered_total));
        sgr(t, class_colour(name));
        text(t, bar, -1, 0);
        nl(t);
    }
    nl(t);
    textf(t, "  %-4s %-50s %10s %7s", "code", "reason", "count", "share");
    nl(t);
    for (int i = 0; i < r->nstatuses; i++) {
        const struct report_status *s = &r->statuses[i];
        textf(t, "  %-4d ", s->code);
        if (s->is_registered) {
            text(t, s->reason, 50, 1);
        } else {
            char eff[16];
            snprintf(eff, sizeof eff, "%d ", s->effective);
            text(t, "(unregistered; clients: ", -1, 0);
            text(t, eff, -1, 0);
            text(t, s->effective_reason, 50 - 24 - (int)strlen(eff) - 1, 0);
            text(t, ")", -1, 0);
            while (t->cols < 57)
                text(t, " ", -1, 0);
        }
        textf(t, " %10" PRId64 " %6.1f%%", s->count, pct(s->count, r->answered_total));
        nl(t);
    }
}

/* One latency row: label in 26 columns (own line when longer), then ttfb and total rows. */
static void latency_rows(struct tty *t, const char *prefix, const char *key,
                         const struct report_latency *l)
{
    char label[LINE_CAP];
    snprintf(label, sizeof label, "%s%s", prefix, key);
    int own_line = width_of(label) > 26;
    if (own_line) {
        text(t, "  ", -1, 0);
        text(t, label, -1, 0);
        nl(t);
    }
    for (int m = 0; m < 2; m++) {
        int64_t n = m == 0 ? l->n_ttfb : l->n_total;
        const double *v = m == 0 ? &l->ttfb_p50 : &l->total_p50;
        const double q[4] = {v[0], v[1], v[2], v[3]};
        char f[4][24];
        for (int k = 0; k < 4; k++)
            fmt_ms(f[k], sizeof f[k], n > 0, q[k]);
        text(t, "  ", -1, 0);
        text(t, m == 0 && !own_line ? label : "", 26, 1);
        textf(t, " %-5s %7" PRId64 " %8s %8s %8s %8s", m == 0 ? "ttfb" : "total", n, f[0], f[1],
              f[2], f[3]);
        nl(t);
    }
}

static void latency_section(const struct report_sections *r, struct tty *t)
{
    heading(t, "== 3 Latency (ms, nearest-rank percentiles) ==");
    textf(t, "  %-26s %-5s %7s %8s %8s %8s %8s", "group", "", "n", "p50", "p90", "p99", "max");
    nl(t);
    int last = -1;
    int nhosts = 0;
    int nends = 0;
    for (int i = 0; i < r->nlatency; i++) {
        nhosts += r->latency[i].scope == REPORT_HOST;
        nends += r->latency[i].scope == REPORT_ENDPOINT;
    }
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        if ((int)l->scope != last && l->scope != REPORT_ALL) {
            if (l->scope == REPORT_CLASS)
                textf(t, "  by class");
            else if (l->scope == REPORT_HOST)
                textf(t, "  by host (top %d)", nhosts);
            else
                textf(t, "  by endpoint (top %d of %" PRId64 ")", nends, r->endpoints);
            nl(t);
        }
        last = (int)l->scope;
        if (l->scope == REPORT_ALL)
            latency_rows(t, "", "all", l);
        else if (l->scope == REPORT_CLASS)
            latency_rows(t, "  ", l->key ? l->key : "-", l);
        else if (l->scope == REPORT_HOST)
            latency_rows(t, "  ", l->key ? l->key : "(no host)", l);
        else
            latency_rows(t, "  ", l->key ? l->key : "(no request)", l);
    }
    char b[64];
    snprintf(b, sizeof b, "  Slowest %d by ttfb", r->top);
    nl(t);
    line(t, b);
    if (r->nslowest == 0)
        line(t, "  (none)");
    for (int i = 0; i < r->nslowest; i++) {
        const struct report_slow *s = &r->slowest[i];
        char tt[24];
        char tot[24];
        char st[16] = "-";
        fmt_ms(tt, sizeof tt, 1, s->ttfb_ms);
        fmt_ms(tot, sizeof tot, s->has_total, s->total_ms);
        if (s->has_status)
            snprintf(st, sizeof st, "%d", s->status);
        textf(t, "  %3d. ttfb %8s ms  total %8s ms  %-4s ", i + 1, tt, tot, st);
        text(t, s->time, -1, 0);
        nl(t);
        text(t, "       ", -1, 0);
        text(t, s->method, 10, 0);
        text(t, " ", -1, 0);
        text(t, s->host, 24, 0);
        text(t, " ", -1, 0);
        text(t, s->uri, -1, 0);
        nl(t);
        if (s->request_id) {
            text(t, "       request-id ", -1, 0);
            text(t, s->request_id, -1, 0);
            nl(t);
        }
    }
}

/* An example transaction in two lines after an indent. */
static void example_lines(struct tty *t, const char *label, const struct report_example *e)
{
    text(t, label, 13, 1);
    text(t, e->time, 30, 0);
    textf(t, "  transaction #%" PRId64, e->id);
    nl(t);
    text(t, "", 13, 1);
    text(t, e->client, 32, 0);
    text(t, " > ", -1, 0);
    text(t, e->server, -1, 0);
    nl(t);
    text(t, "", 13, 1);
    char st[16] = "-";
    if (e->has_status)
        snprintf(st, sizeof st, "%d", e->status);
    textf(t, "%-3s ", st);
    text(t, e->method, 10, 0);
    text(t, " ", -1, 0);
    text(t, e->uri, -1, 0);
    nl(t);
    if (e->request_id) {
        text(t, "", 13, 1);
        text(t, "request-id ", -1, 0);
        text(t, e->request_id, -1, 0);
        nl(t);
    }
}

static void rules_section(const struct report_sections *r, struct tty *t)
{
    heading(t, "== 4 Violations per rule ==");
    if (r->nrules == 0)
        line(t, "  (none)");
    for (int i = 0; i < r->nrules; i++) {
        const struct report_rule *u = &r->rules[i];
        if (i > 0)
            nl(t);
        text(t, "  ", -1, 0);
        sgr(t, "1");
        text(t, u->rule, 44, 1);
        sgr_off(t);
        const char *sev = u->severity ? u->severity : "-";
        text(t, " ", -1, 0);
        sgr(t, strcmp(sev, "error") == 0 ? "31" : strcmp(sev, "warning") == 0 ? "33" : "0");
        text(t, sev, 8, 1);
        sgr_off(t);
        textf(t, " %7" PRId64 " %5" PRId64 " host%s", u->count, u->hosts, u->hosts == 1 ? "" : "s");
        nl(t);
        if (u->reference || u->summary) {
            char b[LINE_CAP];
            snprintf(b, sizeof b, "%s%s%s", u->reference ? u->reference : "",
                     u->reference && u->summary ? ": " : "", u->summary ? u->summary : "");
            wrap(t, 13, "    rule", b);
        }
        if (u->nhost_names > 0) {
            text(t, "    hosts", 13, 1);
            for (int k = 0; k < u->nhost_names; k++) {
                if (k > 0)
                    text(t, ", ", -1, 0);
                text(t, u->host_names[k], 30, 0);
            }
            if (u->hosts > u->nhost_names)
                textf(t, " (+%" PRId64 " more)", u->hosts - u->nhost_names);
            nl(t);
        }
        if (u->has_example)
            example_lines(t, "    example", &u->example);
        if (u->hint)
            wrap(t, 13, "    hint", u->hint);
    }
}

static void anomalies_section(const struct report_sections *r, struct tty *t)
{
    heading(t, "== 5 Anomalies ==");
    if (r->nanomalies == 0)
        line(t, "  (none)");
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        if (i > 0)
            nl(t);
        text(t, "  ", -1, 0);
        sgr(t, "1;33");
        text(t, report_anomaly_name(a->kind), -1, 0);
        sgr_off(t);
        text(t, "  ", -1, 0);
        text(t, a->subject, -1, 0);
        nl(t);
        wrap(t, 13, "    evidence", a->evidence);
        wrap(t, 13, "    meaning", a->message);
        for (int k = 0; k < a->nexamples && k < REPORT_MAX_EXAMPLES; k++) {
            const struct report_example *e = &a->examples[k];
            text(t, k == 0 ? "    examples" : "", 13, 1);
            if (e->request_id) {
                text(t, e->request_id, 40, 1);
            } else {
                char b[32];
                snprintf(b, sizeof b, "#%" PRId64, e->id);
                text(t, b, 40, 1);
            }
            text(t, " ", -1, 0);
            text(t, e->time, -1, 0);
            nl(t);
        }
    }
}

int render_text_series_row(const struct report_series *s, int row,
                           double v[RENDER_SPARK_WIDTH])
{
    if (s->nbuckets <= 0 || !s->buckets)
        return 0;
    int group = (s->nbuckets + RENDER_SPARK_WIDTH - 1) / RENDER_SPARK_WIDTH;
    int ncols = (s->nbuckets + group - 1) / group;
    for (int c = 0; c < ncols; c++) {
        int64_t sum = 0;
        double med = 0;
        for (int b = c * group; b < (c + 1) * group && b < s->nbuckets; b++) {
            const struct report_bucket *k = &s->buckets[b];
            if (row == RENDER_ROW_ALL)
                sum += k->count;
            else if (row == RENDER_ROW_ERRORS)
                sum += k->classes[3] + k->classes[4] + k->classes[6];
            else if (row >= 0 && row < REPORT_NCLASSES)
                sum += k->classes[row];
            else if (k->has_median && isfinite(k->ttfb_median) && k->ttfb_median > med)
                med = k->ttfb_median; /* the worst bucket of a column */
        }
        v[c] = row == RENDER_ROW_TTFB ? med : (double)sum;
    }
    return ncols;
}

void render_text_sparkline(char *dst, const double *v, int n)
{
    static const char *const blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                          "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                          "\xe2\x96\x87", "\xe2\x96\x88"};
    double peak = 0;
    for (int c = 0; c < n; c++)
        peak = v[c] > peak ? v[c] : peak;
    for (int c = 0; c < n && c < RENDER_SPARK_WIDTH; c++) {
        if (!(v[c] > 0) || !(peak > 0)) {
            *dst++ = ' '; /* an empty bucket stays visibly empty */
            continue;
        }
        int lv = (int)ceil(v[c] * 8 / peak) - 1;
        lv = lv < 0 ? 0 : lv > 7 ? 7 : lv;
        memcpy(dst, blocks[lv], 3);
        dst += 3;
    }
    *dst = '\0';
}

/* One sparkline row: label, peak, then the blocks. */
static void spark_row(struct tty *t, const char *label, const struct report_series *s, int row,
                      const char *colour)
{
    double v[RENDER_SPARK_WIDTH];
    int n = render_text_series_row(s, row, v);
    double peak = 0;
    for (int c = 0; c < n; c++)
        peak = v[c] > peak ? v[c] : peak;
    char p[32];
    if (row == RENDER_ROW_TTFB)
        fmt_ms(p, sizeof p, 1, peak);
    else
        snprintf(p, sizeof p, "%.0f", peak);
    char spark[3 * RENDER_SPARK_WIDTH + 1];
    render_text_sparkline(spark, v, n);
    textf(t, "  %-10s %6s ", label, p);
    sgr(t, colour);
    text(t, spark, -1, 0);
    nl(t);
}

static void series_section(const struct report_sections *r, struct tty *t)
{
    const struct report_series *s = &r->series;
    heading(t, "== 6 Time series ==");
    if (s->nbuckets <= 0 || !s->buckets) {
        line(t, "  (no transactions)");
        return;
    }
    int group = (s->nbuckets + RENDER_SPARK_WIDTH - 1) / RENDER_SPARK_WIDTH;
    int ncols = (s->nbuckets + group - 1) / group;
    char w[32];
    char from[40];
    char to[40];
    fmt_width(w, sizeof w, s->bucket_ns * group);
    render_text_iso(from, sizeof from, s->origin_ns);
    render_text_iso(to, sizeof to, s->origin_ns + s->bucket_ns * s->nbuckets);
    textf(t, "  %d x %s from %s to %s", ncols, w, from, to);
    nl(t);
    textf(t, "  %-10s %6s %s", "", "peak", "");
    nl(t);
    spark_row(t, "all", s, RENDER_ROW_ALL, "1");
    spark_row(t, "errors", s, RENDER_ROW_ERRORS, "31");
    for (int k = 0; k < REPORT_NCLASSES; k++) {
        char name[sizeof r->classes[k].name + 1];
        memcpy(name, r->classes[k].name, sizeof r->classes[k].name);
        name[sizeof r->classes[k].name] = '\0';
        spark_row(t, name, s, k, class_colour(name));
    }
    spark_row(t, "ttfb p50", s, RENDER_ROW_TTFB, "36");
    char marks[RENDER_SPARK_WIDTH + 1];
    memset(marks, ' ', RENDER_SPARK_WIDTH);
    marks[ncols] = '\0';
    int n = 0;
    for (int i = 0; i < r->nanomalies; i++) {
        const struct report_anomaly *a = &r->anomalies[i];
        if (a->first_bucket < 0 || a->first_bucket >= s->nbuckets)
            continue;
        int lastb = a->last_bucket < a->first_bucket ? a->first_bucket : a->last_bucket;
        lastb = lastb >= s->nbuckets ? s->nbuckets - 1 : lastb;
        for (int b = a->first_bucket; b <= lastb; b++)
            marks[b / group] = '^';
        n++;
    }
    textf(t, "  %-10s %6d ", "anomalies", n);
    sgr(t, "1;31");
    text(t, marks, -1, 0);
    nl(t);
    line(t, "  errors = 4xx + 5xx + invalid; ttfb p50 = worst bucket median (ms);");
    line(t, "  ^ = a bucket with an anomaly of section 5");
}

void render_text(const struct report_sections *r, FILE *out, int colour)
{
    static struct tty zero;
    struct tty t = zero;
    t.out = out;
    t.colour = colour;
    capture_section(r, &t);
    status_section(r, &t);
    latency_section(r, &t);
    rules_section(r, &t);
    anomalies_section(r, &t);
    series_section(r, &t);
}
