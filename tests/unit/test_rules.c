/*
 * test_rules.c - the rule catalogue and the checks of rules.c on hand-built transactions.
 * Drives rules.h (and the registry of status.h it uses); no packets, no parser, no SQL.
 */
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "status.h"
#include "testhelp.h"

/* An empty transaction whose strings are "" (never NULL), as http.c hands them over. */
static void blank(struct txn *t)
{
    memset(t, 0, sizeof *t);
    t->method = t->host = t->uri = t->user_agent = t->request_id = "";
    t->reason = t->content_type = t->content_encoding = t->server = t->location = "";
    t->request_error = t->response_error = "";
    t->facts.req_upgrade = t->facts.resp_upgrade = "";
}

static void answered(struct txn *t, const char *method, int status)
{
    blank(t);
    t->has_request = 1;
    t->has_response = 1;
    t->method = method;
    t->uri = "/";
    t->req_major = t->resp_major = 1;
    t->req_minor = t->resp_minor = 1;
    t->status = status;
    t->reason = "";
    t->response_complete = 1;
    t->facts.resp_has = TXN_H_DATE; /* a clean response from an origin server with a clock */
}

/* 1 when v holds a violation of rule r. */
static int has_rule(const struct txn_violations *v, enum rule_id r)
{
    for (unsigned i = 0; i < v->n; i++) {
        if (v->v[i].rule == r)
            return 1;
    }
    return 0;
}

#define END_RULES RULE_COUNT

/*
 * Run the checks on t and assert that exactly the listed rules fire, each as often as
 * listed (order free). Prints both sets on failure. Returns the violations (static).
 */
static const struct txn_violations *expect_at(int line, const struct txn *t,
                                              const enum rule_id *want)
{
    static struct txn_violations v;
    rules_check(t, &v);
    int ok = v.dropped == 0;
    unsigned n_want = 0;
    while (want[n_want] != END_RULES)
        n_want++;
    ok = ok && v.n == n_want;
    for (unsigned i = 0; ok && i < n_want; i++) {
        unsigned in_want = 0;
        unsigned in_got = 0;
        for (unsigned k = 0; k < n_want; k++)
            in_want += want[k] == want[i];
        for (unsigned k = 0; k < v.n; k++)
            in_got += v.v[k].rule == want[i];
        ok = in_want == in_got;
    }
    if (ok) {
        test_passed++;
        return &v;
    }
    test_failed++;
    fprintf(stderr, "%s:%d: FAILED: violations: got {", __FILE__, line);
    for (unsigned k = 0; k < v.n; k++)
        fprintf(stderr, " %s (%s)", rules_get((enum rule_id)v.v[k].rule)->id, v.v[k].detail);
    fprintf(stderr, " }, want {");
    for (unsigned k = 0; k < n_want; k++)
        fprintf(stderr, " %s", rules_get(want[k])->id);
    fprintf(stderr, " }\n");
    return &v;
}

/* EXPECT(&t, RULE_A, RULE_B) or EXPECT(&t) for "no violation at all". */
#define EXPECT(t, ...) expect_at(__LINE__, (t), (const enum rule_id[]){__VA_ARGS__ END_RULES})
#define R(r) RULE_##r,

/* The detail of the first violation of rule r in v, or "" when there is none. */
static const char *detail(const struct txn_violations *v, enum rule_id r)
{
    for (unsigned i = 0; i < v->n; i++) {
        if (v->v[i].rule == r)
            return v->v[i].detail;
    }
    return "";
}

static void test_catalogue(void)
{
    const char *seen[RULE_COUNT];
    for (int r = 0; r < RULE_COUNT; r++) {
        const struct rule_info *ri = rules_get((enum rule_id)r);
        CHECK(ri != NULL);
        if (!ri)
            continue;
        CHECK(ri->id && ri->id[0]);
        CHECK(ri->reference && strncmp(ri->reference, "RFC ", 4) == 0);
        CHECK(ri->reference_old && strncmp(ri->reference_old, "RFC 7", 5) == 0);
        CHECK(ri->summary && ri->summary[0]);
        CHECK(ri->hint && strlen(ri->hint) > 20);
        for (int k = 0; k < r; k++)
            CHECK(strcmp(seen[k], ri->id) != 0);
        seen[r] = ri->id;
    }
    CHECK(rules_get(RULE_COUNT) == NULL);
    CHECK(rules_get((enum rule_id)-1) == NULL);
    CHECK_STR(rules_get(RULE_PARSE_ERROR)->id, "parse-error");
    CHECK_STR(rules_severity_name(rules_get(RULE_PARSE_ERROR)->severity), "error");
    CHECK_STR(rules_severity_name(rules_get(RULE_REQUEST_WITHOUT_RESPONSE)->severity), "warning");
    CHECK_STR(rules_severity_name(rules_get(RULE_STATUS_UNREGISTERED)->severity), "info");
}

static void test_clean_exchange(void)
{
    struct txn t;
    struct txn_violations v;
    answered(&t, "GET", 200);
    rules_check(&t, &v);
    CHECK_INT(v.n, 0);
    CHECK_INT(v.dropped, 0);
}

static void test_pairing(void)
{
    struct txn t;
    struct txn_violations v;
    answered(&t, "GET", 200);
    t.has_request = 0;
    t.method = "";
    rules_check(&t, &v);
    CHECK_INT(v.n, 1);
    CHECK(has_rule(&v, RULE_RESPONSE_WITHOUT_REQUEST));
    CHECK(strstr(v.v[0].detail, "200") != NULL);

    answered(&t, "POST", 0);
    t.has_response = 0;
    rules_check(&t, &v);
    CHECK_INT(v.n, 1);
    CHECK(has_rule(&v, RULE_REQUEST_WITHOUT_RESPONSE));
    CHECK(strstr(v.v[0].detail, "POST") != NULL);

    /* RFC 9110 §15.2: an interim response is not an answer */
    t.n_interim = 1;
    t.interim[0] = 100;
    rules_check(&t, &v);
    CHECK_INT(v.n, 2);
    CHECK(has_rule(&v, RULE_REQUEST_WITHOUT_RESPONSE));
    CHECK(has_rule(&v, RULE_1XX_WITHOUT_FINAL));
}

static void test_parse_errors(void)
{
    struct txn t;
    struct txn_violations v;
    answered(&t, "GET", 200);
    t.response_error = "HPE_INVALID_STATUS: Invalid status code (byte 9)";
    rules_check(&t, &v);
    CHECK_INT(v.n, 1);
    CHECK(has_rule(&v, RULE_PARSE_ERROR));
    CHECK_STR(v.v[0].detail, "response: HPE_INVALID_STATUS: Invalid status code (byte 9)");

    t.request_error = "HPE_INVALID_METHOD: Invalid method encountered (byte 0)";
    rules_check(&t, &v);
    CHECK_INT(v.n, 2);
    CHECK(strncmp(v.v[0].detail, "request: HPE_INVALID_METHOD", 27) == 0);
}


static void test_registry(void)
{
    int n = 0;
    for (int c = 0; c < 1000; c++) {
        const struct status_code *sc = status_lookup(c);
        if (!sc)
            continue;
        n++;
        CHECK_INT(sc->code, c);
        CHECK(sc->reason && sc->reason[0]);
        CHECK_INT(status_effective(c), c);
    }
    CHECK_INT(n, 64); /* RULES.md: the IANA registry as of 2024 */
    CHECK_STR(status_lookup(413)->reason, "Content Too Large");
    CHECK_STR(status_lookup(413)->reason_7231, "Payload Too Large");
    CHECK_STR(status_lookup(422)->reason_7231, "Unprocessable Entity");
    CHECK(status_lookup(416)->reason_7231 == NULL); /* same name in RFC 7231 and 9110 */
    CHECK(status_lookup(104) != NULL);
    CHECK(status_lookup(419) == NULL);
    CHECK(status_lookup(509) == NULL);
    CHECK_INT(status_lookup(306)->is_unused, 1);
    CHECK_INT(status_lookup(418)->is_unused, 1);
    CHECK_INT(status_effective(471), 400);
    CHECK_INT(status_effective(299), 200);
    CHECK_INT(status_effective(599), 500);
    CHECK_INT(status_effective(100), 100);
    CHECK_INT(status_effective(99), 500);
    CHECK_INT(status_effective(600), 500);
    CHECK_INT(status_effective(-1), 500);
    const struct status_code *s413 = status_lookup(413);
    CHECK(status_reason_is_standard(s413, "content too large"));
    CHECK(status_reason_is_standard(s413, "PAYLOAD TOO LARGE"));
    CHECK(status_reason_is_standard(s413, ""));
    CHECK(status_reason_is_standard(s413, NULL));
    CHECK(!status_reason_is_standard(s413, "Request Entity Too Large"));
    CHECK(!status_reason_is_standard(s413, "Content Too Larg"));
    CHECK(!status_reason_is_standard(s413, "Content Too Large "));
}

/* RFC 9110 §15: 100..599 are valid, the rest is treated as 5xx; unknown codes as x00. */
static void test_status_codes(void)
{
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 99);
    v = EXPECT(&t, R(STATUS_INVALID));
    CHECK_STR(detail(v, RULE_STATUS_INVALID), "status 99 outside 100..599 (treated as 500)");
    answered(&t, "GET", 600);
    v = EXPECT(&t, R(STATUS_INVALID));
    CHECK_STR(detail(v, RULE_STATUS_INVALID), "status 600 outside 100..599 (treated as 500)");
    t.facts.resp_has = 0; /* an invalid code is no 2xx..4xx: Date is not asked for */
    EXPECT(&t, R(STATUS_INVALID));
    answered(&t, "GET", 100);
    EXPECT(&t);
    answered(&t, "GET", 599);
    v = EXPECT(&t, R(STATUS_UNREGISTERED));
    CHECK_STR(detail(v, RULE_STATUS_UNREGISTERED), "status 599 (treated as 500)");
    answered(&t, "GET", 471);
    t.reason = "Whatever";
    v = EXPECT(&t, R(STATUS_UNREGISTERED)); /* no reason-nonstandard for unknown codes */
    CHECK_STR(detail(v, RULE_STATUS_UNREGISTERED), "status 471 (treated as 400)");
    answered(&t, "GET", 451);
    EXPECT(&t);
    answered(&t, "GET", 305);
    t.facts.resp_has |= TXN_H_LOCATION;
    v = EXPECT(&t, R(STATUS_DEPRECATED));
    CHECK_STR(detail(v, RULE_STATUS_DEPRECATED), "status 305 Use Proxy (deprecated)");
    answered(&t, "GET", 306);
    t.reason = "Switch Proxy"; /* "(Unused)" codes have no phrase to compare with */
    EXPECT(&t, R(STATUS_DEPRECATED));
    answered(&t, "GET", 304);
    EXPECT(&t);
}

/* RFC 9112 §4: phrases are recommendations; registered or RFC 7231 names, any case. */
static void test_reason_phrases(void)
{
    static const struct {
        int status;
        const char *reason;
        int is_standard;
    } cases[] = {
        {200, "OK", 1},
        {200, "ok", 1},
        {200, "", 1},
        {200, "Okay", 0},
        {200, "OK ", 0},
        {404, "NOT FOUND", 1},
        {404, "Not Found!", 0},
        {413, "Content Too Large", 1},
        {413, "Payload Too Large", 1},
        {413, "payload too large", 1},
        {413, "Request Entity Too Large", 0},
        {414, "URI Too Long", 1},
        {414, "Request-URI Too Long", 0},
        {416, "Range Not Satisfiable", 1},
        {416, "Requested Range Not Satisfiable", 0},
        {422, "Unprocessable Content", 1},
        {422, "Unprocessable Entity", 1},
        {302, "Found", 1},
        {302, "Moved Temporarily", 0},
        {408, "Request Timeout", 1},
        {408, "Request Time-out", 0},
        {504, "Gateway Time-out", 0},
        {418, "I'm a teapot", 1},
        {503, "Service Unavailable", 1},
        {503, "Service Temporarily Unavailable", 0},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct txn t;
        answered(&t, "GET", cases[i].status);
        t.reason = cases[i].reason;
        t.facts.resp_has |= TXN_H_LOCATION | TXN_H_RETRY_AFTER | TXN_H_CONNECTION_CLOSE;
        if (cases[i].is_standard) {
            EXPECT(&t);
        } else {
            EXPECT(&t, R(REASON_NONSTANDARD));
        }
    }
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 413);
    t.reason = "Request Entity Too Large";
    v = EXPECT(&t, R(REASON_NONSTANDARD));
    CHECK_STR(detail(v, RULE_REASON_NONSTANDARD),
              "413 \"Request Entity Too Large\": the RFC 2616 name; registered: \"Content Too "
              "Large\"");
    answered(&t, "GET", 408);
    t.reason = "Request Time-out";
    t.facts.resp_has |= TXN_H_CONNECTION_CLOSE;
    v = EXPECT(&t, R(REASON_NONSTANDARD));
    CHECK_STR(detail(v, RULE_REASON_NONSTANDARD),
              "408 \"Request Time-out\": the RFC 2616 name; registered: \"Request Timeout\"");
    answered(&t, "GET", 200);
    t.reason = "Okay";
    v = EXPECT(&t, R(REASON_NONSTANDARD));
    CHECK_STR(detail(v, RULE_REASON_NONSTANDARD), "200 \"Okay\" (registered: \"OK\")");
}

/* RFC 9110 §15.2: no 1xx to an HTTP/1.0 request, interim or final. */
static void test_1xx_to_http10(void)
{
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "POST", 200);
    t.n_interim = 1;
    t.interim[0] = 100;
    EXPECT(&t);
    t.req_minor = 0;
    v = EXPECT(&t, R(1XX_TO_HTTP10));
    CHECK_STR(detail(v, RULE_1XX_TO_HTTP10), "100 to an HTTP/1.0 request");
    t.n_interim = 0;
    EXPECT(&t);

    answered(&t, "GET", 101); /* a final 1xx */
    t.req_minor = 0;
    t.facts.req_upgrade = "websocket";
    t.facts.resp_upgrade = "websocket";
    t.facts.req_has = TXN_H_UPGRADE;
    t.facts.resp_has = TXN_H_UPGRADE;
    v = EXPECT(&t, R(1XX_TO_HTTP10));
    CHECK_STR(detail(v, RULE_1XX_TO_HTTP10), "101 to an HTTP/1.0 request");
    t.req_minor = 1;
    EXPECT(&t);

    answered(&t, "POST", 0); /* a 103 and then nothing */
    t.has_response = 0;
    t.req_minor = 0;
    t.n_interim = 1;
    t.interim[0] = 103;
    EXPECT(&t, R(1XX_TO_HTTP10) R(REQUEST_WITHOUT_RESPONSE) R(1XX_WITHOUT_FINAL));
    t.req_minor = 1;
    EXPECT(&t, R(REQUEST_WITHOUT_RESPONSE) R(1XX_WITHOUT_FINAL));
    t.req_major = 0; /* version unknown (request rejected before it): not 1.0 */
    t.req_minor = 0;
    EXPECT(&t, R(REQUEST_WITHOUT_RESPONSE) R(1XX_WITHOUT_FINAL));
}

static void upgrade(struct txn *t, const char *offered, const char *chosen)
{
    answered(t, "GET", 101);
    t->facts.resp_has = 0; /* Date is not required on a 1xx */
    t->facts.req_upgrade = offered;
    t->facts.resp_upgrade = chosen;
    if (offered[0])
        t->facts.req_has |= TXN_H_UPGRADE;
    if (chosen[0])
        t->facts.resp_has |= TXN_H_UPGRADE;
}

/* RFC 9110 §15.2.2, §7.8: a 101 names the protocol, one the request offered. */
static void test_101(void)
{
    struct txn t;
    const struct txn_violations *v;
    upgrade(&t, "websocket", "WebSocket");
    EXPECT(&t);
    upgrade(&t, "websocket", "websocket/13");
    EXPECT(&t);
    upgrade(&t, "HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11", "irc/6.9");
    EXPECT(&t);
    upgrade(&t, " , websocket ,", "websocket");
    EXPECT(&t);
    upgrade(&t, "HTTP/2.0, SHTTP/1.3", "HTTP/3.0");
    v = EXPECT(&t, R(101_UNREQUESTED_UPGRADE));
    CHECK_STR(detail(v, RULE_101_UNREQUESTED_UPGRADE),
              "101 switched to \"HTTP/3.0\"; the request offered \"HTTP/2.0, SHTTP/1.3\"");
    upgrade(&t, "websocket", "h2c");
    v = EXPECT(&t, R(101_UNREQUESTED_UPGRADE));
    CHECK_STR(detail(v, RULE_101_UNREQUESTED_UPGRADE),
              "101 switched to \"h2c\"; the request offered \"websocket\"");
    upgrade(&t, "websocket", "websocket, h2c");
    EXPECT(&t, R(101_UNREQUESTED_UPGRADE));
    upgrade(&t, "websockets", "websocket");
    EXPECT(&t, R(101_UNREQUESTED_UPGRADE));
    t.flags |= TXN_FIELD_CUT; /* the stored request list may be cut short */
    EXPECT(&t);
    upgrade(&t, "", "websocket");
    v = EXPECT(&t, R(101_UNREQUESTED_UPGRADE));
    CHECK_STR(detail(v, RULE_101_UNREQUESTED_UPGRADE), "101 to a request without Upgrade");
    upgrade(&t, "websocket", "");
    v = EXPECT(&t, R(101_MISSING_UPGRADE));
    CHECK_STR(detail(v, RULE_101_MISSING_UPGRADE), "101 without Upgrade");
    upgrade(&t, "", "");
    EXPECT(&t, R(101_MISSING_UPGRADE) R(101_UNREQUESTED_UPGRADE));
    upgrade(&t, "websocket", "websocket");
    t.has_request = 0; /* nothing to compare with: only the pairing is reported */
    EXPECT(&t, R(RESPONSE_WITHOUT_REQUEST));
    /* 101 is a 1xx: no Content-Length (RFC 9110 §8.6) */
    upgrade(&t, "websocket", "websocket");
    t.facts.n_content_length = 1;
    v = EXPECT(&t, R(CONTENT_LENGTH_FORBIDDEN));
    CHECK_STR(detail(v, RULE_CONTENT_LENGTH_FORBIDDEN), "Content-Length in a 1xx response (101)");
}

/* RFC 9110 §8.6, RFC 9112 §6.1: no framing fields in 1xx, 204, 2xx to CONNECT. */
static void test_forbidden_framing(void)
{
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 204);
    t.facts.n_content_length = 1;
    v = EXPECT(&t, R(CONTENT_LENGTH_FORBIDDEN));
    CHECK_STR(detail(v, RULE_CONTENT_LENGTH_FORBIDDEN), "Content-Length in a 204 response (204)");
    answered(&t, "GET", 200);
    t.facts.n_content_length = 1;
    EXPECT(&t);
    answered(&t, "GET", 205);
    t.facts.n_content_length = 1;
    EXPECT(&t);
    answered(&t, "POST", 200);
    t.n_interim = 1;
    t.interim[0] = 100;
    t.facts.interim_content_length = 1;
    v = EXPECT(&t, R(CONTENT_LENGTH_FORBIDDEN));
    CHECK_STR(detail(v, RULE_CONTENT_LENGTH_FORBIDDEN), "Content-Length in an interim 1xx");
    answered(&t, "CONNECT", 200);
    t.facts.n_content_length = 1;
    v = EXPECT(&t, R(CONTENT_LENGTH_FORBIDDEN));
    CHECK_STR(detail(v, RULE_CONTENT_LENGTH_FORBIDDEN),
              "Content-Length in a 2xx response to CONNECT (200)");
    answered(&t, "CONNECT", 407); /* a refused CONNECT frames its content as usual */
    t.facts.n_content_length = 1;
    t.facts.resp_has |= TXN_H_PROXY_AUTHENTICATE;
    EXPECT(&t);
    answered(&t, "connect", 200); /* methods are case-sensitive: this is not CONNECT */
    t.facts.n_content_length = 1;
    EXPECT(&t);

    answered(&t, "GET", 204);
    t.facts.has_transfer_encoding = 1;
    v = EXPECT(&t, R(TRANSFER_ENCODING_FORBIDDEN));
    CHECK_STR(detail(v, RULE_TRANSFER_ENCODING_FORBIDDEN),
              "Transfer-Encoding in a 204 response (204)");
    answered(&t, "GET", 200);
    t.facts.has_transfer_encoding = 1;
    EXPECT(&t);
    answered(&t, "POST", 201);
    t.facts.interim_transfer_encoding = 1;
    EXPECT(&t, R(TRANSFER_ENCODING_FORBIDDEN));
    answered(&t, "CONNECT", 200);
    t.facts.has_transfer_encoding = 1;
    EXPECT(&t, R(TRANSFER_ENCODING_FORBIDDEN));
    answered(&t, "CONNECT", 502);
    t.facts.has_transfer_encoding = 1;
    EXPECT(&t);
}

/* RFC 9112 §6.1-§6.3, RFC 9110 §8.6: length fields that contradict each other. */
static void test_length_fields(void)
{
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 200);
    t.req_minor = 0;
    t.facts.has_transfer_encoding = 1;
    v = EXPECT(&t, R(TRANSFER_ENCODING_TO_HTTP10));
    CHECK_STR(detail(v, RULE_TRANSFER_ENCODING_TO_HTTP10),
              "Transfer-Encoding in a 200 response to an HTTP/1.0 request");
    t.req_minor = 1;
    EXPECT(&t);
    t.req_major = 0; /* a request rejected before its version: version unknown */
    t.req_minor = 0;
    t.request_error = "HPE_INVALID_METHOD: Expected space after method (byte 7)";
    EXPECT(&t, R(PARSE_ERROR));
    t.request_error = "";
    t.req_major = 1;
    t.facts.has_transfer_encoding = 0;
    EXPECT(&t);

    answered(&t, "GET", 200);
    t.facts.n_content_length = 1;
    t.facts.has_transfer_encoding = 1;
    v = EXPECT(&t, R(CL_WITH_TE));
    CHECK_STR(detail(v, RULE_CL_WITH_TE),
              "Content-Length and Transfer-Encoding in a 200 response (framed by "
              "Transfer-Encoding)");
    t.facts.n_content_length = 0;
    EXPECT(&t);

    answered(&t, "GET", 200);
    t.facts.n_content_length = 1;
    t.facts.content_length_invalid = 1;
    v = EXPECT(&t, R(CONTENT_LENGTH_INVALID));
    CHECK_STR(detail(v, RULE_CONTENT_LENGTH_INVALID),
              "a Content-Length value that is not a decimal number");
    answered(&t, "GET", 200);
    t.facts.n_content_length = 2;
    t.facts.content_length_differ = 1;
    v = EXPECT(&t, R(CONTENT_LENGTH_INVALID));
    CHECK_STR(detail(v, RULE_CONTENT_LENGTH_INVALID),
              "2 Content-Length fields with different values");
    t.facts.content_length_differ = 0; /* duplicates that agree are allowed (§8.6) */
    EXPECT(&t);
}

/* RFC 9112 §6.3, RFC 9110 §15.3.6, RFC 9112 §5.2: body and header-line anomalies. */
static void test_body(void)
{
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 204);
    t.facts.bytes_after_bodyless = 5;
    v = EXPECT(&t, R(NO_CONTENT_HAS_BODY));
    CHECK_STR(detail(v, RULE_NO_CONTENT_HAS_BODY), "5 bytes after a 204");
    answered(&t, "GET", 304);
    t.facts.bytes_after_bodyless = 7;
    EXPECT(&t, R(NO_CONTENT_HAS_BODY));
    t.facts.bytes_after_bodyless = 0;
    EXPECT(&t);
    answered(&t, "HEAD", 200);
    t.facts.bytes_after_bodyless = 12;
    v = EXPECT(&t, R(NO_CONTENT_HAS_BODY));
    CHECK_STR(detail(v, RULE_NO_CONTENT_HAS_BODY), "12 bytes after a 200 response to HEAD");
    answered(&t, "GET", 200); /* not a bodyless response: the fact does not apply */
    t.facts.bytes_after_bodyless = 12;
    EXPECT(&t);

    answered(&t, "POST", 205);
    t.response_body_bytes = 3;
    v = EXPECT(&t, R(205_HAS_CONTENT));
    CHECK_STR(detail(v, RULE_205_HAS_CONTENT), "205 with 3 bytes of content");
    t.response_body_bytes = 0;
    t.facts.n_content_length = 1; /* Content-Length: 0 is allowed */
    EXPECT(&t);

    answered(&t, "GET", 200);
    t.response_complete = 0;
    t.response_body_bytes = 100;
    t.response_body_wire_bytes = 100;
    t.facts.body_truncated = 1;
    v = EXPECT(&t, R(BODY_TRUNCATED));
    CHECK_STR(detail(v, RULE_BODY_TRUNCATED),
              "200 response closed after 100 bytes of content, before its end");
    t.facts.body_truncated = 0;
    EXPECT(&t);

    answered(&t, "GET", 200);
    t.facts.obs_fold = 1;
    v = EXPECT(&t, R(OBS_FOLD));
    CHECK_STR(detail(v, RULE_OBS_FOLD), "a header line of the 200 response was folded");
    t.facts.obs_fold = 0;
    EXPECT(&t);
}

/* RFC 9110 §10.2.2, §15.4: every redirect but 300/304/305/306 needs Location. */
static void test_redirects(void)
{
    static const int needs[] = {301, 302, 303, 307, 308};
    struct txn t;
    const struct txn_violations *v;
    for (unsigned i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        answered(&t, "GET", needs[i]);
        v = EXPECT(&t, R(REDIRECT_MISSING_LOCATION));
        char want[64];
        snprintf(want, sizeof want, "%d without Location", needs[i]);
        CHECK_STR(detail(v, RULE_REDIRECT_MISSING_LOCATION), want);
        t.facts.resp_has |= TXN_H_LOCATION;
        EXPECT(&t);
        t.facts.resp_has &= ~(uint32_t)TXN_H_LOCATION;
        t.location = "/elsewhere"; /* the stored value counts too */
        EXPECT(&t);
    }
    answered(&t, "GET", 300);
    EXPECT(&t);
    answered(&t, "GET", 304);
    EXPECT(&t);
}

/* RFC 9110 §15.3.7: one part with Content-Range, several as multipart/byteranges. */
static void test_206(void)
{
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 206);
    v = EXPECT(&t, R(206_MISSING_CONTENT_RANGE));
    CHECK_STR(detail(v, RULE_206_MISSING_CONTENT_RANGE), "206 without Content-Range");
    t.facts.resp_has |= TXN_H_CONTENT_RANGE;
    EXPECT(&t);
    answered(&t, "GET", 206);
    t.content_type = "multipart/byteranges; boundary=THIS_STRING_SEPARATES";
    EXPECT(&t);
    t.content_type = "Multipart/ByteRanges;boundary=x";
    EXPECT(&t);
    t.content_type = "multipart/byteranges";
    EXPECT(&t);
    t.content_type = "multipart/mixed; boundary=x";
    v = EXPECT(&t, R(206_MISSING_CONTENT_RANGE));
    CHECK_STR(detail(v, RULE_206_MISSING_CONTENT_RANGE),
              "multipart 206 of type \"multipart/mixed; boundary=x\", not multipart/byteranges");
    t.content_type = "multipart/byterangesx";
    EXPECT(&t, R(206_MISSING_CONTENT_RANGE));
    t.content_type = "multipart/mixed";
    t.facts.resp_has |= TXN_H_CONTENT_RANGE; /* a Content-Range does not make it byteranges */
    EXPECT(&t, R(206_MISSING_CONTENT_RANGE));
    t.content_type = "text/plain";
    EXPECT(&t);
}

/* The 4xx/5xx codes that name a header they must (or should) carry. */
static void test_required_headers(void)
{
    static const struct {
        int status;
        uint32_t header;
        enum rule_id rule;
        const char *detail;
    } cases[] = {
        {401, TXN_H_WWW_AUTHENTICATE, RULE_401_MISSING_WWW_AUTHENTICATE,
         "401 without WWW-Authenticate"},
        {405, TXN_H_ALLOW, RULE_405_MISSING_ALLOW, "405 without Allow"},
        {407, TXN_H_PROXY_AUTHENTICATE, RULE_407_MISSING_PROXY_AUTHENTICATE,
         "407 without Proxy-Authenticate"},
        {408, TXN_H_CONNECTION_CLOSE, RULE_408_MISSING_CONNECTION_CLOSE,
         "408 without Connection: close"},
        {426, TXN_H_UPGRADE, RULE_426_MISSING_UPGRADE, "426 without Upgrade"},
        {503, TXN_H_RETRY_AFTER, RULE_RETRY_AFTER_MISSING, "503 without Retry-After"},
        {429, TXN_H_RETRY_AFTER, RULE_RETRY_AFTER_MISSING, "429 without Retry-After"},
    };
    struct txn t;
    const struct txn_violations *v;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        answered(&t, "GET", cases[i].status);
        v = EXPECT(&t, cases[i].rule, );
        CHECK_STR(detail(v, cases[i].rule), cases[i].detail);
        t.facts.resp_has |= cases[i].header;
        EXPECT(&t);
    }
    answered(&t, "GET", 426);
    t.facts.resp_upgrade = "TLS/1.2, HTTP/1.1"; /* the value counts as the header */
    EXPECT(&t);
    answered(&t, "GET", 400); /* 4xx without a header of its own */
    EXPECT(&t);
    answered(&t, "GET", 502);
    EXPECT(&t);

    /* RFC 9110 §15.5.17: only a 416 to a byte-range request is asked for Content-Range */
    answered(&t, "GET", 416);
    EXPECT(&t);
    t.facts.req_has |= TXN_H_RANGE;
    v = EXPECT(&t, R(416_MISSING_CONTENT_RANGE));
    CHECK_STR(detail(v, RULE_416_MISSING_CONTENT_RANGE),
              "416 to a Range request without Content-Range");
    t.facts.resp_has |= TXN_H_CONTENT_RANGE;
    EXPECT(&t);
}

/* RFC 9110 §6.6.1: Date in 2xx, 3xx and 4xx; optional in 1xx and 5xx. */
static void test_missing_date(void)
{
    static const struct {
        int status;
        int needs_date;
    } cases[] = {{100, 0}, {199, 0}, {200, 1}, {204, 1}, {304, 1}, {404, 1},
                 {499, 1}, {500, 0}, {599, 0}, {600, 0}, {99, 0}};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct txn t;
        answered(&t, "GET", cases[i].status);
        t.facts.resp_has = 0;
        struct txn_violations v;
        rules_check(&t, &v);
        CHECK_INT(has_rule(&v, RULE_MISSING_DATE), cases[i].needs_date);
    }
    struct txn t;
    const struct txn_violations *v;
    answered(&t, "GET", 200);
    t.facts.resp_has = 0;
    v = EXPECT(&t, R(MISSING_DATE));
    CHECK_STR(detail(v, RULE_MISSING_DATE), "200 without Date");
    answered(&t, "GET", 471);
    t.facts.resp_has = 0;
    EXPECT(&t, R(STATUS_UNREGISTERED) R(MISSING_DATE));
    answered(&t, "CONNECT", 200); /* the proxy's own "Connection Established" */
    t.facts.resp_has = 0;
    EXPECT(&t);
    answered(&t, "CONNECT", 403); /* a refusal is a response like any other */
    t.facts.resp_has = 0;
    EXPECT(&t, R(MISSING_DATE));
}

/* A response cut inside its header section: missing headers may just be unseen. */
static void test_cut_headers(void)
{
    struct txn t;
    answered(&t, "GET", 401);
    t.facts.resp_has = 0;
    t.response_complete = 0;
    t.flags = TXN_TRUNCATED;
    EXPECT(&t);
    t.flags = TXN_GAP;
    EXPECT(&t);
    t.response_body_wire_bytes = 10; /* the body began: the header section was whole */
    EXPECT(&t, R(401_MISSING_WWW_AUTHENTICATE) R(MISSING_DATE));
    t.response_body_wire_bytes = 0;
    t.flags = 0;
    t.response_error = "HPE_INVALID_HEADER_TOKEN: Invalid header token (byte 30)";
    EXPECT(&t, R(PARSE_ERROR));
    t.flags = TXN_TRUNCATED;
    t.response_error = "";
    t.status = 101;
    t.facts.req_has = TXN_H_UPGRADE;
    t.facts.req_upgrade = "websocket";
    EXPECT(&t);
}

/* txn.h promises "" for absent strings; NULL must not crash the checks. */
static void test_null_strings(void)
{
    struct txn t;
    struct txn_violations v;
    memset(&t, 0, sizeof t);
    t.has_request = 1;
    t.has_response = 1;
    t.req_major = t.resp_major = 1;
    t.req_minor = t.resp_minor = 1;
    t.status = 206;
    t.response_complete = 1;
    rules_check(&t, &v);
    CHECK(has_rule(&v, RULE_206_MISSING_CONTENT_RANGE));
    CHECK(has_rule(&v, RULE_MISSING_DATE));
    CHECK_INT(v.n, 2);
    t.status = 101;
    t.facts.req_has = TXN_H_UPGRADE;
    t.facts.resp_has = TXN_H_UPGRADE;
    rules_check(&t, &v);
    CHECK_INT(v.n, 0);
    t.has_response = 0;
    rules_check(&t, &v);
    CHECK_INT(v.n, 1);
    CHECK_STR(v.v[0].detail, "a request got no response");
}

/* Many breaches in one exchange: each rule reports once, nothing is dropped. */
static void test_many_at_once(void)
{
    struct txn t;
    answered(&t, "CONNECT", 204);
    t.req_minor = 0;
    t.n_interim = 1;
    t.interim[0] = 100;
    t.reason = "Nothing";
    t.request_error = "HPE_X: x";
    t.response_error = "HPE_Y: y";
    t.facts.resp_has = 0;
    t.facts.n_content_length = 2;
    t.facts.content_length_differ = 1;
    t.facts.has_transfer_encoding = 1;
    t.facts.bytes_after_bodyless = 1;
    t.facts.body_truncated = 1;
    t.facts.obs_fold = 1;
    EXPECT(&t, R(PARSE_ERROR) R(PARSE_ERROR) R(1XX_TO_HTTP10) R(CONTENT_LENGTH_FORBIDDEN)
                   R(TRANSFER_ENCODING_FORBIDDEN) R(REASON_NONSTANDARD)
                       R(TRANSFER_ENCODING_TO_HTTP10) R(CL_WITH_TE) R(CONTENT_LENGTH_INVALID)
                           R(NO_CONTENT_HAS_BODY) R(BODY_TRUNCATED) R(OBS_FOLD));
    t.method = "GET"; /* no longer a tunnel answer: missing-date, not the CONNECT framing */
    EXPECT(&t, R(PARSE_ERROR) R(PARSE_ERROR) R(1XX_TO_HTTP10) R(CONTENT_LENGTH_FORBIDDEN)
                   R(TRANSFER_ENCODING_FORBIDDEN) R(REASON_NONSTANDARD)
                       R(TRANSFER_ENCODING_TO_HTTP10) R(CL_WITH_TE) R(CONTENT_LENGTH_INVALID)
                           R(NO_CONTENT_HAS_BODY) R(BODY_TRUNCATED) R(OBS_FOLD) R(MISSING_DATE));
}

int main(void)
{
    test_catalogue();
    test_clean_exchange();
    test_pairing();
    test_parse_errors();
    test_registry();
    test_status_codes();
    test_reason_phrases();
    test_1xx_to_http10();
    test_101();
    test_forbidden_framing();
    test_length_fields();
    test_body();
    test_redirects();
    test_206();
    test_required_headers();
    test_missing_date();
    test_cut_headers();
    test_null_strings();
    test_many_at_once();
    return TEST_REPORT();
}
