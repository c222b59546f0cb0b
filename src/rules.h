/*
 * rules.h - the rule catalogue of RULES.md and the checks run on each transaction.
 * Owns: the table of rules (id, severity, references, summary, hint) from which the
 *       enum, `httpcap rules` and the `rules` table rows are made.
 * In:   a finished struct txn (request side, interim responses, final response,
 *       framing facts the HTTP stage saw).
 * Out:  the same txn with its violations filled in.
 * Never: sees packets, parsers or SQL.
 */
#ifndef HTTPCAP_RULES_H
#define HTTPCAP_RULES_H

#include "txn.h"

enum rule_severity { RULE_ERROR, RULE_WARNING, RULE_INFO };

/* X(enum, id, severity, reference (RFC 9110/9112), older reference (RFC 7230-7235), summary,
 *   troubleshooting hint: what usually causes it and what to check) */
#define RULES_TABLE(X) \
    X(RULE_STATUS_INVALID, "status-invalid", RULE_ERROR, "RFC 9110 §15", "RFC 7231 §6", \
      "status code outside 100..599 (a client SHOULD treat it as 5xx)", \
      "Clients treat it as 500. Usually an application setting a numeric error code as the HTTP " \
      "status, or a proxy rewriting status lines: find the handler from the URI and Server header.") \
    X(RULE_STATUS_UNREGISTERED, "status-unregistered", RULE_INFO, "RFC 9110 §15", "RFC 7231 §6", \
      "status code not in the IANA registry; clients treat it as x00 of its class", \
      "Clients treat it as the class's x00 (471 as 400; see effective_status in v_transactions). " \
      "Often a framework or CDN code (e.g. Cloudflare 520-527): check callers cope with that.") \
    X(RULE_STATUS_DEPRECATED, "status-deprecated", RULE_INFO, "RFC 9110 §15.4.6, §15.4.7", "RFC 7231 §6.4.5, §6.4.6", \
      "305 Use Proxy (deprecated) or 306 (unused, reserved)", \
      "305/306 are not used any more and clients ignore them: find the component that emits them " \
      "(Server header) and replace the code.") \
    X(RULE_REASON_NONSTANDARD, "reason-nonstandard", RULE_INFO, "RFC 9112 §4", "RFC 7230 §3.1.2", \
      "reason phrase differs from the registered one", \
      "Harmless to clients, which ignore the phrase; often a custom server or proxy. Only matters " \
      "to scripts that match on phrases.") \
    X(RULE_1XX_TO_HTTP10, "1xx-to-http10", RULE_ERROR, "RFC 9110 §15.2", "RFC 7231 §6.2", \
      "1xx response to an HTTP/1.0 request", \
      "HTTP/1.0 clients cannot handle interim responses and may read the 100/103 as the answer: " \
      "check the server's Expect: 100-continue and Early Hints handling for 1.0 clients.") \
    X(RULE_101_MISSING_UPGRADE, "101-missing-upgrade", RULE_ERROR, "RFC 9110 §15.2.2", "RFC 7231 §6.2.2", \
      "101 without an Upgrade header", \
      "A 101 must name the new protocol: check the WebSocket/upgrade handler of the server, or a " \
      "proxy dropping the Upgrade header.") \
    X(RULE_101_UNREQUESTED_UPGRADE, "101-unrequested-upgrade", RULE_ERROR, "RFC 9110 §7.8", "RFC 7230 §6.7", \
      "101 to a request that did not offer that protocol", \
      "The server switched to a protocol the client did not offer, so the client cannot read what " \
      "follows: compare the request's and response's Upgrade; check upgrade routing in the proxy.") \
    X(RULE_1XX_WITHOUT_FINAL, "1xx-without-final", RULE_WARNING, "RFC 9110 §15.2", "RFC 7231 §6.2", \
      "the connection ended after a 1xx with no final response", \
      "The server sent 100/103 then went away: check for crashes or timeouts while the request body " \
      "was uploading.") \
    X(RULE_CONTENT_LENGTH_FORBIDDEN, "content-length-forbidden", RULE_ERROR, "RFC 9110 §8.6", "RFC 7230 §3.3.2", \
      "Content-Length in a 1xx or 204 response, or a 2xx to CONNECT", \
      "Content-Length where none is allowed (1xx, 204, 2xx to CONNECT), even \"0\"; some clients " \
      "then wait for a body or misframe. Check the framework's response writer.") \
    X(RULE_TRANSFER_ENCODING_FORBIDDEN, "transfer-encoding-forbidden", RULE_ERROR, "RFC 9112 §6.1", "RFC 7230 §3.3.1", \
      "Transfer-Encoding in a 1xx or 204 response, or a 2xx to CONNECT", \
      "Transfer-Encoding on a response that has no content (1xx, 204, tunnel): clients may eat the " \
      "next response. Check the server's chunking logic.") \
    X(RULE_TRANSFER_ENCODING_TO_HTTP10, "transfer-encoding-to-http10", RULE_ERROR, "RFC 9112 §6.1", "RFC 7230 §3.3.1", \
      "Transfer-Encoding in a response to HTTP/1.0", \
      "HTTP/1.0 clients cannot decode chunked and see chunk sizes in the body: check that the " \
      "server or proxy honours the request version.") \
    X(RULE_CL_WITH_TE, "content-length-with-transfer-encoding", RULE_ERROR, "RFC 9112 §6.2, §6.3", "RFC 7230 §3.3.3", \
      "both Content-Length and Transfer-Encoding (request-smuggling risk)", \
      "Two framings at once is how request smuggling starts (hops disagree on where the message " \
      "ends): check every proxy hop for header rewriting.") \
    X(RULE_CONTENT_LENGTH_INVALID, "content-length-invalid", RULE_ERROR, "RFC 9110 §8.6, RFC 9112 §6.3", "RFC 7230 §3.3.2", \
      "Content-Length not a number, or several differing values", \
      "Hops may disagree on where the body ends (smuggling, truncated bodies): check for a proxy " \
      "duplicating Content-Length or an app writing it by hand.") \
    X(RULE_NO_CONTENT_HAS_BODY, "no-content-has-body", RULE_ERROR, "RFC 9110 §15.3.5, §15.4.5, RFC 9112 §6.3", "RFC 7230 §3.3.3", \
      "content after a 204, 304 or a response to HEAD", \
      "Bytes after a bodyless response corrupt the next response on the connection: check " \
      "HEAD/204/304 handling (often a body written for HEAD).") \
    X(RULE_205_HAS_CONTENT, "205-has-content", RULE_ERROR, "RFC 9110 §15.3.6", "RFC 7231 §6.3.6", \
      "205 Reset Content with non-empty content", \
      "205 must be empty: check the handler returning it.") \
    X(RULE_BODY_TRUNCATED, "body-truncated", RULE_WARNING, "RFC 9112 §6.3, §8", "RFC 7230 §3.3.3", \
      "connection closed before the announced body arrived", \
      "The connection closed mid-body: check server crashes, timeouts, proxy buffer limits, or " \
      "capture loss at that time (gap flags).") \
    X(RULE_OBS_FOLD, "obs-fold", RULE_ERROR, "RFC 9112 §5.2", "RFC 7230 §3.2.4", \
      "a header line continued by obsolete line folding", \
      "Folded header lines are rejected by modern parsers: check legacy servers, or a header value " \
      "with an embedded CRLF (header injection).") \
    X(RULE_PARSE_ERROR, "parse-error", RULE_ERROR, "RFC 9112 §2-§7", "RFC 7230 §3", \
      "the parser rejected a message", \
      "The message is not valid HTTP/1.x: check the detail (parser error and offset), the software " \
      "that produced it, and capture loss.") \
    X(RULE_REDIRECT_MISSING_LOCATION, "redirect-missing-location", RULE_WARNING, "RFC 9110 §15.4.2-§15.4.9, §10.2.2", "RFC 7231 §6.4, §7.1.2", \
      "301, 302, 303, 307 or 308 without Location", \
      "Clients cannot follow a redirect without Location: check the redirect rule's target (an " \
      "empty variable?).") \
    X(RULE_206_MISSING_CONTENT_RANGE, "206-missing-content-range", RULE_ERROR, "RFC 9110 §15.3.7", "RFC 7233 §4.1", \
      "206 without Content-Range or multipart/byteranges", \
      "Clients cannot place the bytes: check the range handler or caching proxy (single part needs " \
      "Content-Range, several need multipart/byteranges).") \
    X(RULE_401_MISSING_WWW_AUTHENTICATE, "401-missing-www-authenticate", RULE_ERROR, "RFC 9110 §15.5.2, §11.6.1", "RFC 7235 §3.1", \
      "401 without WWW-Authenticate", \
      "Clients cannot know how to authenticate: check the auth middleware's challenge, or a proxy " \
      "stripping it.") \
    X(RULE_405_MISSING_ALLOW, "405-missing-allow", RULE_ERROR, "RFC 9110 §15.5.6, §10.2.1", "RFC 7231 §6.5.5", \
      "405 without Allow", \
      "Say which methods are allowed: check the router's 405 path.") \
    X(RULE_407_MISSING_PROXY_AUTHENTICATE, "407-missing-proxy-authenticate", RULE_ERROR, "RFC 9110 §15.5.8, §11.7.1", "RFC 7235 §3.2", \
      "407 without Proxy-Authenticate", \
      "Proxy auth without a challenge: check the proxy's authentication config.") \
    X(RULE_408_MISSING_CONNECTION_CLOSE, "408-missing-connection-close", RULE_WARNING, "RFC 9110 §15.5.9", "RFC 7231 §6.5.7", \
      "408 without Connection: close", \
      "After a 408 the server should close: check idle timeouts and keep-alive handling.") \
    X(RULE_416_MISSING_CONTENT_RANGE, "416-missing-content-range", RULE_WARNING, "RFC 9110 §15.5.17", "RFC 7233 §4.4", \
      "416 to a byte-range request without Content-Range", \
      "Say the current length in Content-Range (bytes */LEN) so the client can retry a valid range: " \
      "check the range handler.") \
    X(RULE_426_MISSING_UPGRADE, "426-missing-upgrade", RULE_ERROR, "RFC 9110 §15.5.22", "RFC 7231 §6.5.15", \
      "426 without Upgrade", \
      "Say which protocol to upgrade to: check the server's TLS/HTTP2 redirect logic.") \
    X(RULE_MISSING_DATE, "missing-date", RULE_WARNING, "RFC 9110 §6.6.1", "RFC 7231 §7.1.1.2", \
      "2xx, 3xx or 4xx response without Date", \
      "Origin servers with a clock must send Date (caches need it for age): check the server or " \
      "framework configuration.") \
    X(RULE_RETRY_AFTER_MISSING, "retry-after-missing", RULE_INFO, "RFC 9110 §15.6.4, RFC 6585 §4", "RFC 7231 §6.6.4", \
      "503 or 429 without Retry-After", \
      "Without Retry-After clients retry blindly and amplify load: set it on 429/503 at the rate " \
      "limiter or maintenance page.") \
    X(RULE_RESPONSE_WITHOUT_REQUEST, "response-without-request", RULE_WARNING, "RFC 9112 §9.3", "RFC 7230 §6.3", \
      "a response with no request before it on the connection", \
      "The request was not captured (capture started late, loss, asymmetric routing): check capture " \
      "drops and whether both directions pass the sensor.") \
    X(RULE_REQUEST_WITHOUT_RESPONSE, "request-without-response", RULE_WARNING, "RFC 9112 §9.3", "RFC 7230 §6.3", \
      "a request that got no final response", \
      "No answer before the connection or capture ended: check server timeouts, crashes and " \
      "upstream health, and whether the capture stopped early.")

enum rule_id {
#define RULE_ENUM(e, id, sev, ref, oldref, summary, hint) e,
    RULES_TABLE(RULE_ENUM)
#undef RULE_ENUM
    RULE_COUNT
};

struct rule_info {
    const char *id;         /* stable public id, e.g. "parse-error" */
    enum rule_severity severity;
    const char *reference;  /* RFC 9110 / 9112 section */
    const char *reference_old; /* RFC 7230-7235 section */
    const char *summary;    /* one line */
    const char *hint;       /* what usually causes it and what to check */
};

/* The catalogue entry of a rule; NULL for an out-of-range value. */
const struct rule_info *rules_get(enum rule_id r);

/* "error", "warning" or "info". */
const char *rules_severity_name(enum rule_severity s);

/* Run every check on t and fill *out with its violations. Cannot fail: past
 * TXN_MAX_VIOLATIONS, violations are counted in out->dropped. */
void rules_check(const struct txn *t, struct txn_violations *out);

#endif
