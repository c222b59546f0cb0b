/*
 * test_jsonl.c - jsonl.c through its header: `time` as SQLite's strftime writes it (the
 * expected strings come from sqlite3 3.40), doubles that read back exactly, and the
 * escaping of hostile strings (bad UTF-8 as one U+FFFD per maximal subpart, controls,
 * quotes) in a whole line written to a file.
 */
#include <stdlib.h>
#include <unistd.h>

#include "jsonl.h"
#include "rules.h"
#include "testhelp.h"

static void test_time(void)
{
    static const struct {
        int64_t ns;
        const char *want; /* sqlite3: strftime('%Y-%m-%dT%H:%M:%fZ', ns / 1e9, 'unixepoch') */
    } cases[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {999500000, "1970-01-01T00:00:01.000Z"},
        {1700000000999500000, "2023-11-14T22:13:21.000Z"},
        {1700000000000499999, "2023-11-14T22:13:20.001Z"}, /* the double rounds up */
        {4294967295999999999, "2106-02-07T06:28:16.000Z"},
        {8589934591999999999, "2242-03-16T12:56:32.000Z"},
        {-1000000, "1969-12-31T23:59:59.999Z"},
        {951782400999999999, "2000-02-29T00:00:01.000Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        CHECK_INT(jsonl_format_time(cases[i].ns, out), 0);
        CHECK_STR(out, cases[i].want);
    }
}

static void test_double(void)
{
    static const double values[] = {0.1, 1.0, -0.5, 1e-06, 123.456789, 1e300, 2.0 / 3.0,
                                    9007199254.740993};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char out[40];
        jsonl_format_double(values[i], out);
        CHECK(strtod(out, NULL) == values[i]);
        CHECK(strpbrk(out, ".eE") != NULL);
    }
    char out[40];
    jsonl_format_double(12.0, out);
    CHECK_STR(out, "12.0");
}

/* One line for a txn whose uri is `uri`, read back from a file. */
static void line_for(const char *uri, char *line, size_t cap)
{
    char path[] = "/tmp/test_jsonl_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char err[HTTPCAP_ERRBUF];
    struct jsonl *j = jsonl_open(path, 0, err);
    CHECK(j != NULL);
    struct txn t;
    memset(&t, 0, sizeof t);
    t.has_request = 1;
    t.method = "GET";
    t.host = t.user_agent = t.request_id = "";
    t.uri = uri;
    struct txn_violations v = {.n = 1};
    v.v[0].rule = RULE_PARSE_ERROR;
    snprintf(v.v[0].detail, sizeof v.v[0].detail, "%s", uri);
    struct jsonl_row row = {.id = 7, .capture_id = 1};
    CHECK_INT(jsonl_put(j, &row, &t, &v, err), 0);
    CHECK_INT(jsonl_close(j, err), 0);
    FILE *f = fopen(path, "r");
    line[0] = '\0';
    if (f && !fgets(line, (int)cap, f))
        line[0] = '\0';
    if (f)
        fclose(f);
    unlink(path);
}

static void test_escaping(void)
{
    static const struct {
        const char *uri;
        const char *want; /* as JSON text */
    } cases[] = {
        {"/a\"b\\c", "\"/a\\\"b\\\\c\""},
        {"/\t\r\n\x01\x1f\x7f", "\"/\\t\\r\\n\\u0001\\u001f\\u007f\""},
        {"/\xc0\xaf", "\"/\\ufffd\\ufffd\""},               /* overlong: C0 never starts */
        {"/\xe2\x82", "\"/\\ufffd\""},                      /* cut short: one subpart */
        {"/\xe2\x82x", "\"/\\ufffdx\""},
        {"/\xf0\x9f\x98", "\"/\\ufffd\""},
        {"/\xed\xa0\x80", "\"/\\ufffd\\ufffd\\ufffd\""},    /* surrogate */
        {"/\xf4\x90\x80\x80", "\"/\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* past U+10FFFF */
        {"/\xe2\x82\xac\xf0\x9f\x98\x80", "\"/\xe2\x82\xac\xf0\x9f\x98\x80\""}, /* as is */
        {"/\xe2\x80\xae\xc2\x85", "\"/\\u202e\\u0085\""},   /* bidi override, C1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[4096], want[256];
        line_for(cases[i].uri, line, sizeof line);
        snprintf(want, sizeof want, "\"uri\":%s,", cases[i].want);
        if (!strstr(line, want)) {
            test_failed++;
            fprintf(stderr, "FAILED: case %zu: no %s in %s", i, want, line);
        } else {
            test_passed++;
        }
        snprintf(want, sizeof want, "\"detail\":%s}]}\n", cases[i].want);
        CHECK(strstr(line, want) != NULL);
    }
}

int main(void)
{
    test_time();
    test_double();
    test_escaping();
    return TEST_REPORT();
}
