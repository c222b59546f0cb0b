/*
 * test_render_html.c - render_html() on hand-built report sections full of hostile strings.
 * Checks: every tag written is one the renderer means to write (no script, img, iframe),
 * no event-handler attribute, the hostile text shows escaped, invalid UTF-8 becomes
 * U+FFFD, control bytes vanish, the output is valid UTF-8, the stable DOM hooks exist,
 * and empty or odd sections (no buckets, out-of-range anomaly buckets) render.
 */
#include <stdlib.h>
#include <string.h>

#include "render_html.h"
#include "testhelp.h"

#define EVIL_SCRIPT "<script>document.title='PWNED'</script>"
#define EVIL_IMG "<img src=x onerror=\"document.title='PWNED'\">"
#define EVIL_ATTR "\" onmouseover=\"alert(1)"
#define EVIL_BYTES "a\x01" "b\x1b[31m\xff\xfe" "c\x7f" "d\xc2\x85" "e\xe2\x80\xae" "f"

static char evil_script[] = EVIL_SCRIPT;
static char evil_bytes[] = EVIL_BYTES;
static char evil_img[] = EVIL_IMG;
static char evil_endpoint[] = "GET " EVIL_SCRIPT;
static char ok_reason[] = "OK";
static char ise[] = "Internal Server Error";
static char when[] = "2024-01-01T00:00:00Z";
static char get[] = "GET";
static char evil_uri[] = "/" EVIL_SCRIPT;
static char client6[] = "[::1]:5000";
static char evil_attr[] = EVIL_ATTR;
static char sev_error[] = "error";
static char code_599[] = "599";

static char *render(const struct report_sections *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    render_html(r, f);
    fclose(f);
    return buf;
}

static int valid_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                              : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (k == 0 || k > n - i)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

static const char *const allowed_tags[] = {
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "header", "h1",
    "h2", "h3", "p", "nav", "a", "div", "section", "table", "thead", "tbody", "tr", "th",
    "td", "code", "span", "br", "strong", "ol", "li", "svg", "g", "rect", "text", "line",
    "polyline", "circle", "footer",
};

/* Every tag is an allowed one, and no tag carries an on* attribute outside its quoted
 * values. Returns the number of offending tags (printed). */
static int bad_tags(const char *html)
{
    int bad = 0;
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1;
        if (*q == '/')
            q++;
        size_t n = strcspn(q, " >/\n");
        int ok = 0;
        for (size_t i = 0; i < sizeof allowed_tags / sizeof allowed_tags[0]; i++)
            if (strlen(allowed_tags[i]) == n && strncmp(q, allowed_tags[i], n) == 0)
                ok = 1;
        const char *end = strchr(p, '>');
        if (!end) {
            ok = 0;
            end = p + strlen(p);
        }
        int quoted = 0;
        for (const char *s = q + n; ok && s < end; s++) {
            if (*s == '"')
                quoted = !quoted;
            else if (!quoted && (s[0] == ' ') && (s[1] == 'o' || s[1] == 'O') &&
                     (s[2] == 'n' || s[2] == 'N'))
                ok = 0;
        }
        if (!ok) {
            bad++;
            fprintf(stderr, "bad tag: %.60s\n", p);
        }
    }
    return bad;
}

static void hostile(void)
{
    char *sources[2] = {evil_script, evil_bytes};
    char *sensors[2] = {evil_attr, evil_img};
    struct report_sensor sensor_list[2] = {{evil_attr, 3}, {evil_img, 1}};
    char *hosts[2] = {evil_img, NULL};
    struct report_latency lat[3] = {
        {.scope = REPORT_ALL, .count = 3, .n_ttfb = 3, .ttfb_p50 = 1.5, .ttfb_max = 900},
        {.scope = REPORT_HOST, .key = evil_img, .count = 2, .n_ttfb = 2},
        {.scope = REPORT_ENDPOINT, .key = evil_endpoint, .count = 1},
    };
    struct report_status st[2] = {
        {.code = 200, .reason = ok_reason, .count = 2, .is_registered = 1, .effective = 200},
        {.code = 599, .count = 1, .effective = 500,
         .effective_reason = ise},
    };
    struct report_slow slow = {.id = 7, .time = when,
                               .method = get, .host = evil_img,
                               .uri = evil_uri, .has_status = 1,
                               .status = 500, .ttfb_ms = 900,
                               .request_id = evil_bytes};
    struct report_example ex = {.id = 7, .client = client6,
                                .server = evil_attr, .method = evil_script,
                                .uri = evil_img, .request_id = evil_script};
    struct report_rule rule = {.rule = evil_attr, .severity = sev_error,
                               .reference = evil_img, .count = 3, .hosts = 1,
                               .host_names = hosts, .nhost_names = 1, .has_example = 1,
                               .example = ex, .hint = evil_script};
    struct report_anomaly an[3] = {
        {.kind = ANOMALY_ERROR_BURST_5XX, .subject = evil_script, .has_window = 1,
         .first_bucket = 1, .last_bucket = 2, .count = 5, .total = 6,
         .evidence = evil_img, .message = evil_bytes, .nexamples = 1,
         .examples = {ex}},
        {.kind = ANOMALY_LATENCY_SPIKE, .first_bucket = 0, .last_bucket = 99},
        {.kind = ANOMALY_RARE_STATUS, .subject = code_599, .first_bucket = -1,
         .last_bucket = -1},
    };
    struct report_bucket buckets[3] = {
        {.start_ns = 0, .count = 2, .classes = {0, 2}, .has_median = 1, .ttfb_median = 1},
        {.start_ns = 1000000000, .count = 6, .classes = {0, 1, 0, 0, 5}},
        {.start_ns = 2000000000, .count = 1, .classes = {0, 0, 0, 0, 0, 0, 1},
         .has_median = 1, .ttfb_median = 800},
    };
    struct report_limit limits[2] = {
        {.name = evil_script, .value = 9, .min_value = 3, .hits = 1234, .runs_hit = 1},
        {.name = evil_attr, .value = 5, .min_value = 5, .hits = 1, .runs_hit = 1},
    };
    struct report_sections r = {
        .capture = {.runs = 2, .sources = sources, .sensors = sensors,
                    .sensor_list = sensor_list, .nsensors = 2, .has_span = 1,
                    .last_ns = 3000000000,
                    .first_iso = evil_script, .last_iso = evil_attr,
                    .packets = 1234567, .reported = 9, .loss_warning = 1,
                    .warning = evil_img, .limit_runs = 1, .limits = limits, .nlimits = 2,
                    .limit_hits = 1235},
        .ndbs = 2,
        .filter_text = evil_attr,
        .answered_total = 9,
        .classes = {{"1xx", 0}, {"2xx", 3}, {"3xx", 0}, {"4xx", 0}, {"5xx", 5},
                    {"unanswered", 0}, {"invalid", 1}},
        .statuses = st, .nstatuses = 2,
        .latency = lat, .nlatency = 3, .endpoints = 1,
        .histogram = {.bins = {[0] = 1, [10] = 2, [23] = 4}},
        .slowest = &slow, .nslowest = 1, .top = 10,
        .rules = &rule, .nrules = 1,
        .anomalies = an, .nanomalies = 3,
        .series = {.bucket_ns = 1000000000, .nbuckets = 3, .buckets = buckets},
    };
    size_t len = 0;
    char *html = render(&r, &len);
    CHECK(html != NULL);
    if (!html)
        return;
    CHECK_INT(strlen(html), len);
    CHECK_INT(bad_tags(html), 0);
    CHECK(strstr(html, "<script") == NULL);
    CHECK(strstr(html, "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;") != NULL);
    CHECK(strstr(html, "&lt;img src=x onerror=&quot;document.title=&#39;PWNED&#39;&quot;&gt;"));
    CHECK(strstr(html, "&quot; onmouseover=&quot;alert(1)") != NULL);
    CHECK(strstr(html, "ab[31m\xef\xbf\xbd\xef\xbf\xbd" "cdef") != NULL);
    CHECK(valid_utf8((const unsigned char *)html, len));
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)html[i] < 0x20 && html[i] != '\n') {
            CHECK_INT((unsigned char)html[i], '\n');
            break;
        }
    CHECK(strstr(html, "<th>Sensors</th>") != NULL);
    CHECK(strstr(html, "(3 runs)</span>, <code>&lt;img src=x") != NULL);
    CHECK(strstr(html, "Content-Security-Policy") != NULL);
    CHECK(strstr(html, "<title>httpcap report</title>") != NULL);
    CHECK(strstr(html, "id=\"loss-warning\"") != NULL);
    CHECK(strstr(html, "<td class=\"count num\" data-class=\"5xx\" data-count=\"5\">") != NULL);
    CHECK(strstr(html, "data-class=\"invalid\" data-count=\"1\"") != NULL);
    CHECK(strstr(html, "<li class=\"anomaly\" id=\"anomaly-1\" data-kind=\"error-burst-5xx\"")
          != NULL);
    CHECK(strstr(html, "data-kind=\"rare-status\"") != NULL);
    CHECK(strstr(html, "<rect class=\"anomaly-band\" data-kind=\"error-burst-5xx\"") != NULL);
    CHECK(strstr(html, "<rect class=\"anomaly-band\" data-kind=\"latency-spike\"") != NULL);
    CHECK(strstr(html, "1,234,567") != NULL);
    CHECK(strstr(html, "<td id=\"limit-hits\" data-hits=\"1235\"><code>&lt;script&gt;"
                       "document.title=&#39;PWNED&#39;&lt;/script&gt;</code> (3 to 9) 1,234 "
                       "times, <code>&quot; onmouseover=&quot;alert(1)</code> (5) once "
                       "<span class=\"muted\">(recorded by 1 of 2 runs)</span></td>") != NULL);
    CHECK(strstr(html, "<div class=\"v\">1,235</div><div class=\"k\">limit hits</div>"));
    CHECK(strstr(html, "clients treat it as <strong>500</strong>") != NULL);
    CHECK(strstr(html, "</html>\n") != NULL);
    free(html);
}

static void empty(void)
{
    struct report_sections r;
    memset(&r, 0, sizeof r);
    size_t len = 0;
    char *html = render(&r, &len);
    CHECK(html != NULL);
    if (!html)
        return;
    CHECK_INT(bad_tags(html), 0);
    CHECK(strstr(html, "id=\"no-anomalies\"") != NULL);
    CHECK(strstr(html, "No transactions.") != NULL);
    CHECK(strstr(html, "loss-warning") == NULL);
    CHECK(strstr(html, "data-hits=\"0\">none</td>") != NULL);
    CHECK(strstr(html, "limit hits") == NULL); /* the stat card only when a limit was hit */
    CHECK(strstr(html, "</html>\n") != NULL);
    free(html);
}

int main(void)
{
    hostile();
    empty();
    return TEST_REPORT();
}
