/*
 * rules.c - the rule catalogue and the checks on a finished transaction.
 * Owns: the hint text of each rule and the check functions.
 * In:   a struct txn from http.c.
 * Out:  the txn's violations array, filled in place.
 * Never: sees packets, parsers or SQL; every check is a pure function of the txn.
 */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Troubleshooting hints, in catalogue order: what usually causes it, what to check. */
static const char *const rule_hints[RULE_COUNT] = {
    [RULE_STATUS_INVALID] = "The server or a middlebox sent a status outside 100..599: check "
                            "custom error pages and proxies rewriting status lines.",
    [RULE_STATUS_UNREGISTERED] = "A non-standard code (often from a framework or CDN); clients "
                                 "handle it as the class's x00. Check that callers cope.",
    [RULE_STATUS_DEPRECATED] = "305/306 are not used any more; clients ignore them. Check which "
                               "component emits them.",
    [RULE_REASON_NONSTANDARD] = "Harmless to clients; often a custom server or proxy. Check it "
                                "if you match on reason phrases.",
    [RULE_1XX_TO_HTTP10] = "HTTP/1.0 clients cannot handle interim responses: check the server's "
                           "Expect/100-continue and Early Hints handling.",
    [RULE_101_MISSING_UPGRADE] = "A 101 must name the new protocol: check the WebSocket/upgrade "
                                 "handler of the server or proxy.",
    [RULE_101_UNREQUESTED_UPGRADE] = "The server switched protocols the client did not ask for: "
                                     "check upgrade routing in the proxy.",
    [RULE_1XX_WITHOUT_FINAL] = "The server sent 100/103 then went away: check for crashes or "
                               "timeouts while the request body was uploading.",
    [RULE_CONTENT_LENGTH_FORBIDDEN] = "Framework adds Content-Length where none is allowed; "
                                      "some clients then hang. Check the response writer.",
    [RULE_TRANSFER_ENCODING_FORBIDDEN] = "Transfer-Encoding where the response has no content; "
                                         "check the server's chunking logic.",
    [RULE_TRANSFER_ENCODING_TO_HTTP10] = "HTTP/1.0 clients cannot decode chunked: check that the "
                                         "server honours the request version.",
    [RULE_CL_WITH_TE] = "Both framings at once is how request smuggling starts: check every proxy "
                        "hop for header rewriting.",
    [RULE_CONTENT_LENGTH_INVALID] = "Conflicting lengths make clients and proxies disagree on "
                                    "framing: check for duplicated headers added by a proxy.",
    [RULE_NO_CONTENT_HAS_BODY] = "Bytes after a bodyless response corrupt the next response on "
                                 "the connection: check HEAD/204/304 handling.",
    [RULE_205_HAS_CONTENT] = "205 must be empty: check the handler returning it.",
    [RULE_BODY_TRUNCATED] = "The connection closed mid-body: check server crashes, timeouts, "
                            "proxy buffer limits, or capture loss at that time.",
    [RULE_OBS_FOLD] = "Folded header lines are rejected by modern parsers: check legacy "
                      "servers or header injection.",
    [RULE_PARSE_ERROR] = "The message is not valid HTTP/1.x: check the detail (parser error and "
                         "offset), the software that produced it, and capture loss.",
    [RULE_REDIRECT_MISSING_LOCATION] = "Clients cannot follow a redirect without Location: check "
                                       "the redirect rule's target.",
    [RULE_206_MISSING_CONTENT_RANGE] = "Range responses need Content-Range: check the range "
                                       "handler or caching proxy.",
    [RULE_401_MISSING_WWW_AUTHENTICATE] = "Clients cannot know how to authenticate: check the "
                                          "auth middleware's challenge.",
    [RULE_405_MISSING_ALLOW] = "Say which methods are allowed: check the router's 405 path.",
    [RULE_407_MISSING_PROXY_AUTHENTICATE] = "Proxy auth without a challenge: check the proxy's "
                                            "authentication config.",
    [RULE_408_MISSING_CONNECTION_CLOSE] = "After a 408 the server should close: check idle "
                                          "timeouts and keep-alive handling.",
    [RULE_416_MISSING_CONTENT_RANGE] = "Say the current length in Content-Range: check the "
                                       "range handler.",
    [RULE_426_MISSING_UPGRADE] = "Say which protocol to upgrade to: check the server's "
                                 "TLS/HTTP2 redirect logic.",
    [RULE_MISSING_DATE] = "Origin servers with a clock must send Date: check the server or "
                          "framework configuration.",
    [RULE_RETRY_AFTER_MISSING] = "Without Retry-After clients retry blindly and amplify load: "
                                 "set it on 429/503.",
    [RULE_RESPONSE_WITHOUT_REQUEST] = "The request was not captured (capture started late, "
                                      "loss, asymmetric routing): check capture drops and "
                                      "whether both directions pass the sensor.",
    [RULE_REQUEST_WITHOUT_RESPONSE] = "No answer before the connection or capture ended: check "
                                      "server timeouts, crashes and upstream health, and "
                                      "whether the capture stopped early.",
};

static const struct rule_info rule_table[RULE_COUNT] = {
#define RULE_ROW(e, id, sev, ref, oldref, summary) [e] = {id, sev, ref, oldref, summary, NULL},
    RULES_TABLE(RULE_ROW)
#undef RULE_ROW
};

const struct rule_info *rules_get(enum rule_id r)
{
    static struct rule_info with_hint;
    if ((unsigned)r >= RULE_COUNT)
        return NULL;
    with_hint = rule_table[r];
    with_hint.hint = rule_hints[r];
    return &with_hint;
}

const char *rules_severity_name(enum rule_severity s)
{
    switch (s) {
    case RULE_ERROR:
        return "error";
    case RULE_WARNING:
        return "warning";
    case RULE_INFO:
        return "info";
    }
    return "unknown";
}

/* Append one violation with a printf-style detail; counts it when the array is full. */
static void add_violation(struct txn_violations *out, enum rule_id r, const char *fmt, ...)
{
    if (out->n >= TXN_MAX_VIOLATIONS) {
        out->dropped++;
        return;
    }
    struct txn_violation *v = &out->v[out->n++];
    v->rule = (uint16_t)r;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
}

/* parse-error: either parser rejected a message; the detail is llhttp's error. */
static void check_parse_errors(const struct txn *t, struct txn_violations *out)
{
    if (t->request_error[0])
        add_violation(out, RULE_PARSE_ERROR, "request: %s", t->request_error);
    if (t->response_error[0])
        add_violation(out, RULE_PARSE_ERROR, "response: %s", t->response_error);
}

/* RFC 9112 §9.3: responses pair with requests in order; a missing half is reported. */
static void check_pairing(const struct txn *t, struct txn_violations *out)
{
    if (t->has_response && !t->has_request)
        add_violation(out, RULE_RESPONSE_WITHOUT_REQUEST, "status %d with no request seen",
                      t->status);
    if (t->has_request && !t->has_response)
        add_violation(out, RULE_REQUEST_WITHOUT_RESPONSE, "%s request got no response",
                      t->method[0] ? t->method : "a");
    if (t->has_request && !t->has_response && t->n_interim > 0)
        add_violation(out, RULE_1XX_WITHOUT_FINAL, "interim %u then no final response",
                      (unsigned)t->interim[0]);
}

void rules_check(const struct txn *t, struct txn_violations *out)
{
    out->n = 0;
    out->dropped = 0;
    check_parse_errors(t, out);
    check_pairing(t, out);
}
