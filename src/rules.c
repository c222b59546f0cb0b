/*
 * rules.c - the rule catalogue and the checks on a finished transaction.
 * Owns: the hint text of each rule and the check functions.
 * In:   a struct txn from http.c.
 * Out:  the txn's violations array, filled in place.
 * Never: sees packets, parsers or SQL; every check is a pure function of the txn.
 */
#include "rules.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"


static const struct rule_info rule_table[RULE_COUNT] = {
#define RULE_ROW(e, id, sev, ref, oldref, summary, hint) [e] = {id, sev, ref, oldref, summary, hint},
    RULES_TABLE(RULE_ROW)
#undef RULE_ROW
};

const struct rule_info *rules_get(enum rule_id r)
{
    if ((unsigned)r >= RULE_COUNT)
        return NULL;
    return &rule_table[r];
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
    __attribute__((format(printf, 3, 4)));

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

/* txn.h promises "" for an absent string; take NULL as "" all the same. */
static const char *str(const char *s)
{
    return s ? s : "";
}

static int lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* 1 when the n bytes at a equal the NUL-terminated b, ignoring ASCII case. */
static int span_is(const char *a, size_t n, const char *b)
{
    size_t i = 0;
    for (; i < n && b[i]; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    }
    return i == n && b[i] == '\0';
}

static int is_method(const struct txn *t, const char *m)
{
    /* RFC 9110 §9.1: method names are case-sensitive */
    return t->has_request && strcmp(str(t->method), m) == 0;
}

/* The request said HTTP/1.0: it knows no 1xx and no chunked coding. Exactly 1.0: a
 * request rejected before its version (0.0 here) says nothing about the client. */
static int request_is_http10(const struct txn *t)
{
    return t->has_request && t->req_major == 1 && t->req_minor == 0;
}

static int resp_has(const struct txn *t, uint32_t h)
{
    return (t->facts.resp_has & h) != 0;
}

static int resp_has_upgrade(const struct txn *t)
{
    return resp_has(t, TXN_H_UPGRADE) || str(t->facts.resp_upgrade)[0];
}

static int req_has_upgrade(const struct txn *t)
{
    return (t->facts.req_has & TXN_H_UPGRADE) || str(t->facts.req_upgrade)[0];
}

/*
 * The final response's header section may have been seen only in part: it ended (gap,
 * close, parse error) before the body and before it completed. Checks that a header is
 * missing would then report what was lost, not what was sent, so they stay quiet.
 */
static int response_headers_whole(const struct txn *t)
{
    if (t->response_complete || t->facts.body_truncated || t->response_body_wire_bytes > 0)
        return 1;
    return !str(t->response_error)[0] && !(t->flags & (TXN_GAP | TXN_TRUNCATED));
}

/* status-invalid, status-unregistered, status-deprecated, reason-nonstandard. */
static void check_status_line(const struct txn *t, struct txn_violations *out)
{
    int st = t->status;
    /* RFC 9110 §15: a code outside 100..599 is invalid; a client treats it as 5xx */
    if (st < 100 || st > 599) {
        add_violation(out, RULE_STATUS_INVALID, "status %d outside 100..599 (treated as 500)",
                      st);
        return;
    }
    const struct status_code *sc = status_lookup(st);
    /* RFC 9110 §15: an unrecognized code is understood as the x00 of its class */
    if (!sc) {
        add_violation(out, RULE_STATUS_UNREGISTERED, "status %d (treated as %d)", st,
                      status_effective(st));
        return;
    }
    /* RFC 9110 §15.4.6, §15.4.7: 305 is deprecated, 306 reserved and unused */
    if (st == 305 || st == 306)
        add_violation(out, RULE_STATUS_DEPRECATED, "status %d %s", st,
                      st == 305 ? "Use Proxy (deprecated)" : "(unused, reserved)");
    /* RFC 9112 §4: the phrase is a recommendation; "(Unused)" codes have none to compare */
    const char *reason = str(t->reason);
    if (sc->is_unused || status_reason_is_standard(sc, reason))
        return;
    if (sc->reason_2616 && span_is(reason, strlen(reason), sc->reason_2616))
        add_violation(out, RULE_REASON_NONSTANDARD,
                      "%d \"%s\": the RFC 2616 name; registered: \"%s\"", st, reason, sc->reason);
    else
        add_violation(out, RULE_REASON_NONSTANDARD, "%d \"%.100s\" (registered: \"%s\")", st,
                      reason, sc->reason);
}

/* 1xx-to-http10: RFC 9110 §15.2, HTTP/1.0 defined no 1xx, so a server MUST NOT send one. */
static void check_1xx_to_http10(const struct txn *t, struct txn_violations *out)
{
    if (!request_is_http10(t))
        return;
    int code = 0;
    if (t->n_interim > 0)
        code = t->interim[0];
    else if (t->has_response && t->status >= 100 && t->status <= 199)
        code = t->status;
    if (code)
        add_violation(out, RULE_1XX_TO_HTTP10, "%d to an HTTP/%u.%u request", code,
                      (unsigned)t->req_major, (unsigned)t->req_minor);
}

/*
 * Cut the next protocol from an Upgrade list (RFC 9110 §7.8: #protocol, protocol =
 * protocol-name ["/" protocol-version]); empty list elements are skipped (§5.6.1).
 * Sets the name and version spans (version length 0 when absent) and returns the rest,
 * or NULL at the end of the list.
 */
static const char *next_protocol(const char *p, const char **name, size_t *name_len,
                                 const char **ver, size_t *ver_len)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            return NULL;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end == start)
            continue;
        const char *slash = memchr(start, '/', (size_t)(end - start));
        *name = start;
        *name_len = (size_t)((slash ? slash : end) - start);
        *ver = slash ? slash + 1 : end;
        *ver_len = (size_t)(end - *ver);
        return p;
    }
}

/* 1 when the span a equals the span b ignoring ASCII case. */
static int spans_same(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    }
    return 1;
}

/* 1 when the request's Upgrade list offers protocol name[/ver]: same name ignoring case,
 * and the same version when both sides name one ("websocket" offers "WebSocket/13"). */
static int offered(const char *list, const char *name, size_t name_len, const char *ver,
                   size_t ver_len)
{
    const char *n;
    const char *v;
    size_t nl;
    size_t vl;
    const char *p = list;
    while ((p = next_protocol(p, &n, &nl, &v, &vl)) != NULL) {
        if (spans_same(n, nl, name, name_len) &&
            (vl == 0 || ver_len == 0 || spans_same(v, vl, ver, ver_len)))
            return 1;
    }
    return 0;
}

/* 101-missing-upgrade, 101-unrequested-upgrade (a final 101 only). */
static void check_101(const struct txn *t, struct txn_violations *out)
{
    if (t->status != 101)
        return;
    /* RFC 9110 §15.2.2: the server MUST send Upgrade naming the protocol(s) switched to */
    if (!resp_has_upgrade(t) && response_headers_whole(t))
        add_violation(out, RULE_101_MISSING_UPGRADE, "101 without Upgrade");
    if (!t->has_request)
        return;
    /* RFC 9110 §7.8: a server MUST NOT switch to a protocol the request did not offer */
    if (!req_has_upgrade(t)) {
        add_violation(out, RULE_101_UNREQUESTED_UPGRADE, "101 to a request without Upgrade");
        return;
    }
    if (t->flags & TXN_FIELD_CUT)
        return; /* the stored request list may be cut short: no safe comparison */
    const char *req = str(t->facts.req_upgrade);
    const char *n;
    const char *v;
    size_t nl;
    size_t vl;
    const char *p = str(t->facts.resp_upgrade);
    while ((p = next_protocol(p, &n, &nl, &v, &vl)) != NULL) {
        if (offered(req, n, nl, v, vl))
            continue;
        size_t len = (size_t)((vl ? v + vl : n + nl) - n); /* name[/version] */
        add_violation(out, RULE_101_UNREQUESTED_UPGRADE,
                      "101 switched to \"%.*s\"; the request offered \"%.60s\"",
                      (int)(len > 60 ? 60 : len), n, req);
        return;
    }
}

/* What the final response is when it may carry no framing header (a 1xx, a 204, a 2xx
 * to CONNECT), for the detail; else NULL. */
static const char *no_framing_allowed(const struct txn *t)
{
    if (!t->has_response)
        return NULL;
    if (t->status >= 100 && t->status <= 199)
        return "a 1xx response";
    if (t->status == 204)
        return "a 204 response";
    if (t->status >= 200 && t->status <= 299 && is_method(t, "CONNECT"))
        return "a 2xx response to CONNECT";
    return NULL;
}

/* content-length-forbidden, transfer-encoding-forbidden: RFC 9110 §8.6 and RFC 9112 §6.1
 * forbid both fields in a 1xx or 204 response and in a 2xx response to CONNECT. */
static void check_forbidden_framing(const struct txn *t, struct txn_violations *out)
{
    const char *what = no_framing_allowed(t);
    if (t->facts.interim_content_length)
        add_violation(out, RULE_CONTENT_LENGTH_FORBIDDEN, "Content-Length in an interim 1xx");
    else if (what && t->facts.n_content_length > 0)
        add_violation(out, RULE_CONTENT_LENGTH_FORBIDDEN, "Content-Length in %s (%d)", what,
                      t->status);
    if (t->facts.interim_transfer_encoding)
        add_violation(out, RULE_TRANSFER_ENCODING_FORBIDDEN,
                      "Transfer-Encoding in an interim 1xx");
    else if (what && t->facts.has_transfer_encoding)
        add_violation(out, RULE_TRANSFER_ENCODING_FORBIDDEN, "Transfer-Encoding in %s (%d)",
                      what, t->status);
}

/* transfer-encoding-to-http10, content-length-with-transfer-encoding, content-length-invalid */
static void check_length_fields(const struct txn *t, struct txn_violations *out)
{
    const struct txn_facts *f = &t->facts;
    /* RFC 9112 §6.1: a server MUST NOT send Transfer-Encoding to an HTTP/1.0 request */
    if (f->has_transfer_encoding && request_is_http10(t))
        add_violation(out, RULE_TRANSFER_ENCODING_TO_HTTP10,
                      "Transfer-Encoding in a %d response to an HTTP/%u.%u request", t->status,
                      (unsigned)t->req_major, (unsigned)t->req_minor);
    /* RFC 9112 §6.2: a sender MUST NOT send Content-Length with Transfer-Encoding; §6.3:
     * Transfer-Encoding wins, which is what the body was framed by here */
    if (f->n_content_length > 0 && f->has_transfer_encoding)
        add_violation(out, RULE_CL_WITH_TE,
                      "Content-Length and Transfer-Encoding in a %d response (framed by "
                      "Transfer-Encoding)",
                      t->status);
    /* RFC 9110 §8.6, RFC 9112 §6.3: one decimal value, or duplicates that all agree */
    if (f->content_length_invalid)
        add_violation(out, RULE_CONTENT_LENGTH_INVALID,
                      "a Content-Length value that is not a decimal number");
    else if (f->content_length_differ)
        add_violation(out, RULE_CONTENT_LENGTH_INVALID,
                      "%u Content-Length fields with different values",
                      (unsigned)f->n_content_length);
}

/* no-content-has-body, 205-has-content, body-truncated, obs-fold */
static void check_body(const struct txn *t, struct txn_violations *out)
{
    const struct txn_facts *f = &t->facts;
    /* RFC 9112 §6.3: 204, 304 and any response to HEAD end at the blank line */
    if (f->bytes_after_bodyless > 0) {
        if (is_method(t, "HEAD"))
            add_violation(out, RULE_NO_CONTENT_HAS_BODY,
                          "%" PRIu64 " bytes after a %d response to HEAD",
                          f->bytes_after_bodyless, t->status);
        else if (t->status == 204 || t->status == 304)
            add_violation(out, RULE_NO_CONTENT_HAS_BODY, "%" PRIu64 " bytes after a %d",
                          f->bytes_after_bodyless, t->status);
    }
    /* RFC 9110 §15.3.6: a 205 carries no content */
    if (t->status == 205 && t->response_body_bytes > 0)
        add_violation(out, RULE_205_HAS_CONTENT, "205 with %" PRIu64 " bytes of content",
                      t->response_body_bytes);
    /* RFC 9112 §6.3, §8: a message that ends before its announced length is incomplete */
    if (f->body_truncated)
        add_violation(out, RULE_BODY_TRUNCATED,
                      "%d response closed after %" PRIu64 " bytes of content, before its end",
                      t->status, t->response_body_bytes);
    /* RFC 9112 §5.2: obs-fold is not allowed outside message/http */
    if (f->obs_fold)
        add_violation(out, RULE_OBS_FOLD, "a header line of the %d response was folded",
                      t->status);
}

/* 1 when the media type in ct (parameters allowed) is type, ignoring case. */
static int media_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (!span_is(ct, strnlen(ct, n), type))
        return 0;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

/* 206-missing-content-range: RFC 9110 §15.3.7 */
static void check_206(const struct txn *t, struct txn_violations *out)
{
    const char *ct = str(t->content_type);
    if (span_is(ct, strnlen(ct, 10), "multipart/")) {
        /* §15.3.7.2: several ranges travel as multipart/byteranges and nothing else */
        if (!media_type_is(ct, "multipart/byteranges"))
            add_violation(out, RULE_206_MISSING_CONTENT_RANGE,
                          "multipart 206 of type \"%.80s\", not multipart/byteranges", ct);
        return;
    }
    /* §15.3.7.1: a single part carries Content-Range */
    if (!resp_has(t, TXN_H_CONTENT_RANGE))
        add_violation(out, RULE_206_MISSING_CONTENT_RANGE, "206 without Content-Range");
}

/* The headers a status code requires (RULES.md "Headers a status code requires"). */
static void check_required_headers(const struct txn *t, struct txn_violations *out)
{
    int st = t->status;
    if (!response_headers_whole(t))
        return;
    /* RFC 9110 §10.2.2, §15.4: redirects name their target in Location */
    if ((st >= 301 && st <= 303) || st == 307 || st == 308) {
        if (!resp_has(t, TXN_H_LOCATION) && !str(t->location)[0])
            add_violation(out, RULE_REDIRECT_MISSING_LOCATION, "%d without Location", st);
    }
    if (st == 206)
        check_206(t, out);
    /* RFC 9110 §15.5.2: a 401 MUST carry a WWW-Authenticate challenge */
    if (st == 401 && !resp_has(t, TXN_H_WWW_AUTHENTICATE))
        add_violation(out, RULE_401_MISSING_WWW_AUTHENTICATE, "401 without WWW-Authenticate");
    /* RFC 9110 §15.5.6: a 405 MUST list the allowed methods in Allow */
    if (st == 405 && !resp_has(t, TXN_H_ALLOW))
        add_violation(out, RULE_405_MISSING_ALLOW, "405 without Allow");
    /* RFC 9110 §15.5.8: a 407 MUST carry a Proxy-Authenticate challenge */
    if (st == 407 && !resp_has(t, TXN_H_PROXY_AUTHENTICATE))
        add_violation(out, RULE_407_MISSING_PROXY_AUTHENTICATE,
                      "407 without Proxy-Authenticate");
    /* RFC 9110 §15.5.9: the server SHOULD send close and then close */
    if (st == 408 && !resp_has(t, TXN_H_CONNECTION_CLOSE))
        add_violation(out, RULE_408_MISSING_CONNECTION_CLOSE, "408 without Connection: close");
    /* RFC 9110 §15.5.17: a 416 to a byte-range request SHOULD say the current length */
    if (st == 416 && (t->facts.req_has & TXN_H_RANGE) && !resp_has(t, TXN_H_CONTENT_RANGE))
        add_violation(out, RULE_416_MISSING_CONTENT_RANGE,
                      "416 to a Range request without Content-Range");
    /* RFC 9110 §15.5.22: a 426 MUST name the protocol(s) to upgrade to */
    if (st == 426 && !resp_has_upgrade(t))
        add_violation(out, RULE_426_MISSING_UPGRADE, "426 without Upgrade");
    /* RFC 9110 §6.6.1: an origin server with a clock MUST send Date in 2xx..4xx; a 2xx
     * to CONNECT comes from the proxy opening the tunnel, not from an origin server */
    int is_tunnel_ok = st <= 299 && is_method(t, "CONNECT");
    if (st >= 200 && st <= 499 && !is_tunnel_ok && !resp_has(t, TXN_H_DATE))
        add_violation(out, RULE_MISSING_DATE, "%d without Date", st);
    /* RFC 9110 §15.6.4 (MAY), RFC 6585 §4: say when to come back */
    if ((st == 503 || st == 429) && !resp_has(t, TXN_H_RETRY_AFTER))
        add_violation(out, RULE_RETRY_AFTER_MISSING, "%d without Retry-After", st);
}

/* parse-error: either parser rejected a message; the detail is llhttp's error. */
static void check_parse_errors(const struct txn *t, struct txn_violations *out)
{
    if (str(t->request_error)[0])
        add_violation(out, RULE_PARSE_ERROR, "request: %s", t->request_error);
    if (str(t->response_error)[0])
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
                      str(t->method)[0] ? t->method : "a");
    /* RFC 9110 §15.2: an interim response is not an answer */
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
    check_1xx_to_http10(t, out);
    check_forbidden_framing(t, out);
    if (!t->has_response)
        return;
    check_status_line(t, out);
    check_101(t, out);
    check_length_fields(t, out);
    check_body(t, out);
    check_required_headers(t, out);
}
