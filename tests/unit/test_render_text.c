/*
 * test_render_text.c - the text, Markdown and JSON renderers on a hand-built report full of
 * hostile strings (ANSI escapes, C1 controls, invalid UTF-8, HTML, table pipes, bidi
 * overrides, wide characters, a 3000-byte URI). Drives render_text.h, render_md.h and
 * render_json.h; no database. With an argument DIR it also writes DIR/hostile.json and
 * DIR/empty.json for tests/e2e/test_report_schema.py to validate.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_json.h"
#include "render_md.h"
#include "render_text.h"
#include "utf8.h"
#include "testhelp.h"

#define EVIL_LIT "a\x1b[31mred\x9b" "2J\xc2\x9b" "1m<script>|x|`*_[]</script>\xff\xfe\xe2\x80\xae" \
             "\x07\x7f\r\nend \xe4\xb8\xad\xe6\x96\x87"
#define EVIL S(EVIL_LIT)

static char long_uri[3000];

/* Mutable copies of string literals (the report owns char *), freed by release(). */
static char *kept[256];
static int nkept;

static char *S(const char *s)
{
    char *d = strdup(s);
    if (d && nkept < (int)(sizeof kept / sizeof kept[0]))
        kept[nkept++] = d;
    return d;
}

static void release(void)
{
    while (nkept > 0)
        free(kept[--nkept]);
}

static struct report_example example(int64_t id)
{
    struct report_example e = {id, EVIL, S("192.168.100.200:65535"), S("[2001:db8::1]:8080"), EVIL,
                               long_uri, 1, 299, id % 2 ? EVIL : NULL};
    return e;
}

/* A report whose every string is hostile and every section has rows. */
static void build(struct report_sections *r, char **sources, struct report_status *st,
                  struct report_latency *lat, struct report_slow *slow, struct report_rule *rule,
                  char **hosts, struct report_anomaly *an, struct report_bucket *b)
{
    static const char *const names[REPORT_NCLASSES] = {"1xx", "2xx",        "3xx",    "4xx",
                                                       "5xx", "unanswered", "invalid"};
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < sizeof long_uri - 1; i++)
        long_uri[i] = "/abc|<>\x1b"[i % 8];
    long_uri[sizeof long_uri - 1] = '\0';
    struct report_capture *c = &r->capture;
    c->runs = 2;
    c->sources = sources;
    sources[0] = EVIL;
    sources[1] = long_uri;
    static char *sensors[2];
    static struct report_sensor sensor_list[2];
    sensors[0] = EVIL;
    sensors[1] = long_uri;
    c->sensors = sensors;
    sensor_list[0] = (struct report_sensor){sensors[0], 1};
    sensor_list[1] = (struct report_sensor){sensors[1], 1};
    c->sensor_list = sensor_list;
    c->nsensors = 2;
    c->has_span = 1;
    c->first_ns = 1700000000000000000;
    c->last_ns = 1700000060000000000;
    c->first_iso = S("2023-11-14T22:13:20.000Z");
    c->last_iso = S("2023-11-14T22:14:20.000Z");
    c->packets = 123456789012;
    c->bytes = 9223372036854775807;
    c->connections = 3;
    c->transactions = 100;
    c->has_drops = 1;
    c->kernel_drops = 5;
    c->gap_bytes = 77;
    c->tcp_bytes = 1000;
    c->truncated = 1;
    c->reported = 90;
    c->loss_warning = 1;
    c->warning = S("capture loss: " EVIL_LIT);
    static struct report_limit limits[4];
    limits[0] = (struct report_limit){S("max-connections"), 2, 2, 1, 1};
    limits[1] = (struct report_limit){S("max-pending"), 1024, 1024, 0, 0};
    limits[2] = (struct report_limit){EVIL, 300, 3, 67, 1};
    limits[3] = (struct report_limit){long_uri, 1, 1, 9223372036854775807, 1};
    c->limits = limits;
    c->nlimits = 4;
    c->limit_runs = 1; /* of 2: one database predates capture_limits */
    c->limit_hits = 68;
    r->ndbs = 3;
    r->filter_text = S("host " EVIL_LIT);
    r->answered_total = 90;
    for (int i = 0; i < REPORT_NCLASSES; i++) {
        snprintf(r->classes[i].name, sizeof r->classes[i].name, "%s", names[i]);
        r->classes[i].count = i * 5;
    }
    st[0] = (struct report_status){200, S("OK"), 50, 1, 200, S("OK")};
    st[1] = (struct report_status){299, NULL, 2, 0, 200, EVIL};
    st[2] = (struct report_status){999, NULL, 1, 0, 0, NULL};
    r->statuses = st;
    r->nstatuses = 3;
    lat[0] = (struct report_latency){REPORT_ALL, NULL, 90, 80, 70, 1.5, 12.25, 99.999999, 1e9,
                                     2, 3, 4, 5};
    lat[1] = (struct report_latency){REPORT_CLASS, S("2xx"), 50, 50, 0, 0.001, 0.002, 0.003, 0.004,
                                     0, 0, 0, 0};
    lat[2] = (struct report_latency){REPORT_HOST, EVIL, 5, 5, 5, 1, 2, 3, 4, 1, 2, 3, 4};
    lat[3] = (struct report_latency){REPORT_HOST, NULL, 5, 5, 5, 1, 2, 3, 4, 1, 2, 3, 4};
    lat[4] = (struct report_latency){REPORT_ENDPOINT, long_uri, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    r->latency = lat;
    r->nlatency = 5;
    r->endpoints = 42;
    for (int i = 0; i < REPORT_HIST_BINS; i++)
        r->histogram.bins[i] = i;
    slow[0] = (struct report_slow){7, EVIL, EVIL, EVIL, long_uri, EVIL, 1, 503, 123456.789, 1,
                                   1e12, EVIL};
    slow[1] = (struct report_slow){8, NULL, NULL, NULL, NULL, NULL, 0, 0, 0.5, 0, 0, NULL};
    r->slowest = slow;
    r->nslowest = 2;
    r->top = 10;
    hosts[0] = EVIL;
    hosts[1] = S("b.example");
    *rule = (struct report_rule){EVIL,     S("error"), S("RFC 9110 \xc2\xa7" "15.5.6"),
                                 EVIL,     12,         7,
                                 hosts,    2,          1,
                                 example(9), S("hint: " EVIL_LIT " " EVIL_LIT " " EVIL_LIT)};
    r->rules = rule;
    r->nrules = 1;
    for (int i = 0; i < 2; i++) {
        struct report_anomaly *a = &an[i];
        memset(a, 0, sizeof *a);
        a->kind = i == 0 ? ANOMALY_ERROR_BURST_5XX : ANOMALY_RARE_STATUS;
        a->subject = EVIL;
        a->has_window = i == 0;
        a->start_ns = c->first_ns;
        a->end_ns = c->first_ns + 2000000000;
        a->start_iso = i == 0 ? S("2023-11-14T22:13:20.000Z") : NULL;
        a->first_bucket = i == 0 ? 3 : -1;
        a->last_bucket = i == 0 ? 5 : -1;
        a->count = 9;
        a->total = 12;
        a->value = 0.75;
        a->baseline = 1.0 / 3.0;
        a->score = i == 0 ? 0.0 / 0.0 : 4.2; /* NaN must become null */
        a->evidence = EVIL;
        a->message = long_uri;
        a->nexamples = i == 0 ? REPORT_MAX_EXAMPLES : 0;
        for (int k = 0; k < a->nexamples; k++)
            a->examples[k] = example(100 + k);
    }
    r->anomalies = an;
    r->nanomalies = 2;
    r->series.bucket_ns = 1000000000;
    r->series.origin_ns = c->first_ns;
    r->series.nbuckets = 61; /* one more than fits: two buckets per column */
    r->series.buckets = b;
    for (int i = 0; i < 61; i++) {
        memset(&b[i], 0, sizeof b[i]);
        b[i].start_ns = c->first_ns + (int64_t)i * 1000000000;
        b[i].count = i;
        b[i].classes[1] = i;
        b[i].classes[4] = i == 4 ? 9 : 0;
        b[i].has_median = i % 3 != 0;
        b[i].ttfb_median = i * 1.5;
    }
}

/* Render to memory with one of the three renderers (0 text, 1 text+colour, 2 md, 3 json). */
static char *render(const struct report_sections *r, int how, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    if (how < 2)
        render_text(r, f, how);
    else if (how == 2)
        render_md(r, f);
    else
        render_json(r, f);
    fclose(f);
    return buf;
}

/* Strip our SGR codes; 0 when an ESC is followed by anything else. */
static int strip_sgr(char *s)
{
    char *w = s;
    for (char *p = s; *p;) {
        if (*p == '\x1b') {
            if (p[1] != '[')
                return 0;
            p += 2;
            while ((*p >= '0' && *p <= '9') || *p == ';')
                p++;
            if (*p != 'm')
                return 0;
            p++;
            continue;
        }
        *w++ = *p++;
    }
    *w = '\0';
    return 1;
}

/* 1 when s is valid UTF-8 with no C0 (but \n), DEL, C1, or bidi control. */
static int clean_utf8(const char *s, int allow_esc)
{
    while (*s) {
        int32_t cp;
        int n = utf8_decode(s, &cp);
        if (cp < 0)
            return 0;
        if (cp != '\n' && !(allow_esc && cp == 0x1b) && utf8_is_control(cp))
            return 0;
        s += n;
    }
    return 1;
}

/* Widest line in display columns (wide CJK counts 2). */
static int widest(const char *s)
{
    int most = 0;
    int cols = 0;
    while (*s) {
        int32_t cp;
        int n = utf8_decode(s, &cp);
        if (cp == '\n') {
            cols = 0;
        } else {
            cols += cp >= 0x4e00 && cp <= 0x9fff ? 2 : 1;
            most = cols > most ? cols : most;
        }
        s += n;
    }
    return most;
}

/* Count unescaped '|' in one Markdown line. */
static int pipes(const char *l, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (l[i] == '\\')
            i++;
        else if (l[i] == '|')
            k++;
    }
    return k;
}

static void check_md(const char *md)
{
    CHECK(clean_utf8(md, 0));
    CHECK(strstr(md, "<script>") == NULL);
    CHECK(strstr(md, "&lt;script&gt;") != NULL);
    CHECK(strstr(md, "\\|x\\|") != NULL);
    CHECK(strstr(md, "\\x1b\\[31mred") != NULL);
    CHECK(strstr(md, "\\u009b") != NULL);
    CHECK(strstr(md, "## 6 Time series") != NULL);
    CHECK(strstr(md, "| Limits hit | max-connections (2) once, a\\x1b\\[31mred") != NULL);
    /* every table row has as many cell borders as its header */
    int header = -1;
    int bad = 0;
    for (const char *l = md; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (n > 0 && l[0] == '|') {
            int k = pipes(l, n);
            if (header < 0)
                header = k;
            else if (k != header)
                bad++;
        } else {
            header = -1;
        }
        l += n + (e != NULL);
    }
    CHECK_INT(bad, 0);
}

static void check_json(const char *js)
{
    CHECK(clean_utf8(js, 0));
    CHECK(strstr(js, "\\u001b[31mred") != NULL);
    CHECK(strstr(js, "\\ufffd") != NULL);
    CHECK(strstr(js, "\\u009b") != NULL);
    CHECK(strstr(js, "\"score\": null") != NULL);
    CHECK(strstr(js, "\"value\": 0.75") != NULL);
    CHECK(strstr(js, "\"baseline\": 0.333333,") != NULL);
    CHECK(strstr(js, "\"max\": 1000000000}") != NULL);
    CHECK(strstr(js, "\"kind\": \"error-burst-5xx\"") != NULL);
    CHECK(strstr(js, "\"limit_runs\": 1,\n    \"limit_hits\": 68,\n    \"limits\": [\n"
                     "      {\"name\": \"max-connections\", \"value\": 2, \"min_value\": 2,"
                     " \"hits\": 1, \"runs_hit\": 1},") != NULL);
    CHECK(strstr(js, ": nan") == NULL && strstr(js, ": inf") == NULL);
    CHECK(strstr(js, ": -nan") == NULL && strstr(js, ": -inf") == NULL);
}

static void write_file(const char *dir, const char *name, const char *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    struct report_sections r;
    char *sources[2];
    struct report_status st[3];
    struct report_latency lat[5];
    struct report_slow slow[2];
    struct report_rule rule;
    char *hosts[2];
    struct report_anomaly an[2];
    static struct report_bucket b[61];
    build(&r, sources, st, lat, slow, &rule, hosts, an, b);

    size_t n;
    char *txt = render(&r, 0, &n);
    if (getenv("RENDER_SHOW"))
        fputs(txt, stdout);
    CHECK(txt != NULL);
    CHECK(clean_utf8(txt, 0));
    CHECK_INT(widest(txt), 80);
    CHECK(strncmp(txt, "WARNING: capture loss: a?[31mred", 32) == 0);
    CHECK(strstr(txt, "<script>|x|") != NULL); /* text shows it as text */
    CHECK(strstr(txt, "\n  sensors       ") != NULL); /* each sensor, cut to fit its runs */
    CHECK(strstr(txt, "/ab\xe2\x80\xa6 (1 run)\n") != NULL); /* cut with an ellipsis */
    CHECK(strstr(txt, "(unregistered; clients: 200 ") != NULL);
    CHECK(strstr(txt, "\n  limits hit    max-connections (2) once,\n"
                      "                a?[31mred\xef\xbf\xbd" "2J?1m<script>") != NULL);
    CHECK(strstr(txt, "300) 67 times,\n                /abc|<>?/abc") != NULL);
    CHECK(strstr(txt, "/abc|<>?\n                (1) 9223372036854775807 times; recorded by 1 "
                      "of 2 runs\n  truncated") != NULL); /* names cut at 64 bytes */
    CHECK(strstr(txt, "== 6 Time series ==") != NULL);
    CHECK(strstr(txt, "  anomalies       1  ^^\n") != NULL);
    CHECK(strstr(txt, "error-burst-5xx") != NULL && strstr(txt, "rare-status") != NULL);
    CHECK(strstr(txt, "\xe2\x96\x88") != NULL); /* a full block in the sparklines */
    static const char *const heads[] = {"== 1 Capture ==", "== 2 Status classes",
                                        "== 3 Latency", "== 4 Violations per rule ==",
                                        "== 5 Anomalies ==", "== 6 Time series =="};
    const char *at = txt;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        const char *h = strstr(at, heads[i]);
        CHECK(h != NULL); /* present and in order */
        at = h ? h : at;
    }
    char *col = render(&r, 1, &n);
    CHECK(col != NULL && strchr(col, '\x1b') != NULL);
    CHECK(col && clean_utf8(col, 1));
    CHECK(col && strip_sgr(col));
    CHECK(col && strcmp(col, txt) == 0); /* colour adds codes, nothing else */
    char *md = render(&r, 2, &n);
    check_md(md);
    char *js = render(&r, 3, &n);
    check_json(js);
    CHECK(strstr(js, "\"sensors\": [") != NULL);
    if (argc > 1)
        write_file(argv[1], "hostile.json", js);
    free(txt);
    free(col);
    free(md);
    free(js);

    /* the empty report: "(none)" everywhere, no buckets, nothing NULL dereferenced */
    struct report_sections e;
    memset(&e, 0, sizeof e);
    txt = render(&e, 0, &n);
    CHECK(strstr(txt, "== 5 Anomalies ==\n  (none)") != NULL);
    CHECK(strstr(txt, "(no transactions)") != NULL);
    CHECK(strstr(txt, "WARNING") == NULL);
    CHECK(strstr(txt, "  limits hit    none\n") != NULL); /* no runs: nothing unrecorded */
    md = render(&e, 2, &n);
    CHECK(clean_utf8(md, 0));
    CHECK(strstr(md, "## 5 Anomalies\n\n(none)") != NULL);
    js = render(&e, 3, &n);
    CHECK(strstr(js, "\"anomalies\": []") != NULL);
    if (argc > 1)
        write_file(argv[1], "empty.json", js);
    free(txt);
    free(md);
    free(js);
    release();
    return TEST_REPORT();
}

/* report_anomaly.c is another stage's; this test links only the renderers. */
const char *report_anomaly_name(enum report_anomaly_kind kind)
{
    static const char *const names[] = {
#define X(id, name) name,
        REPORT_ANOMALY_KINDS(X)
#undef X
    };
    return kind >= 0 && kind < ANOMALY_KIND_COUNT ? names[kind] : "?";
}
