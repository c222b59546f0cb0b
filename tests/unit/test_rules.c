/*
 * test_rules.c - the rule catalogue and the checks of rules.c on hand-built transactions.
 * Drives rules.h only; no packets, no parser, no SQL.
 */
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "testhelp.h"

/* An empty transaction whose strings are "" (never NULL), as http.c hands them over. */
static void blank(struct txn *t)
{
    memset(t, 0, sizeof *t);
    t->method = t->host = t->uri = t->user_agent = t->request_id = "";
    t->reason = t->content_type = t->content_encoding = t->server = t->location = "";
    t->request_error = t->response_error = "";
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
    t->reason = "OK";
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

int main(void)
{
    test_catalogue();
    test_clean_exchange();
    test_pairing();
    test_parse_errors();
    return TEST_REPORT();
}
