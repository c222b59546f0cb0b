/*
 * report_anomaly_text.c - the words of section 5: kind names, advice and evidence lines.
 * Owns: the troubleshooting message of each kind and the wording of every evidence line.
 * In:   a filled struct report_anomaly (counts, shares, window) and a few extra figures.
 * Out:  constant strings, or evidence strings the caller owns (NULL and *nomem = 1 when
 *       out of memory).
 * Never: decides whether something is an anomaly, touches the database.
 */
#include "report_anomaly_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const anomaly_names[] = {
#define X(id, name) name,
    REPORT_ANOMALY_KINDS(X)
#undef X
};

const char *report_anomaly_name(enum report_anomaly_kind kind)
{
    if ((int)kind < 0 || kind >= ANOMALY_KIND_COUNT)
        return "?";
    return anomaly_names[kind];
}

/* What each kind means, its likely causes and what to check next, for the on-call reader. */
static const char *const anomaly_messages[ANOMALY_KIND_COUNT] = {
    [ANOMALY_ERROR_BURST_5XX] =
        "The server or something behind it failed for a while. Likely causes: a deploy or "
        "restart, a crashed or overloaded upstream, exhausted connection or thread pools, a "
        "database outage. Check the server's error log and upstream health for that window, "
        "and look up the request IDs below.",
    [ANOMALY_ERROR_BURST_4XX] =
        "Clients were refused much more often than usual for a while. Likely causes: expired "
        "or rotated credentials (401/403), a client release calling removed or renamed URLs "
        "(404), rate limiting (429), a validation change rejecting requests (400/422), a "
        "crawler or scanner. Check which client (User-Agent, source address) sent them and "
        "what changed at that time; look up the request IDs below.",
    [ANOMALY_LATENCY_SPIKE] =
        "Responses were much slower than usual for a while. Likely causes: an overloaded "
        "server or upstream, a slow database query or lock, garbage-collection pauses, a "
        "cold cache after a restart, a batch job competing for resources. Check CPU, memory "
        "and pool saturation of the server and its dependencies for that window; look up "
        "the slowest request IDs below.",
    [ANOMALY_FAILING_ENDPOINT] =
        "This endpoint fails a large share of its requests, not just now and then. Likely "
        "causes: a bug in its handler, a broken dependency only it uses, bad input it cannot "
        "handle, a misrouted path. Check the server's error log for this path and the "
        "request IDs below; compare with the endpoint's last working version.",
    [ANOMALY_STATUS_MIX_CHANGED] =
        "This endpoint answered differently in the second half of the capture than in the "
        "first. Likely causes: a deploy or configuration change, a feature flag, a cache "
        "being flushed or filled, a dependency going down or coming back. Check what "
        "changed around the middle of the capture; the examples are from the second half.",
    [ANOMALY_UNANSWERED] =
        "Requests to this server got no response before the connection ended. Likely "
        "causes: the server crashed or timed out the request, a proxy or load balancer "
        "dropped the connection, the client gave up first, or the capture missed the "
        "response (see capture gaps). Check the server and proxy logs for these request IDs "
        "and for timeouts or worker restarts.",
    [ANOMALY_ORPHAN_RESPONSES] =
        "Responses came from this server with no request seen before them. Likely causes: "
        "the capture started in the middle of the connection, lost packets (capture gaps or "
        "drops), or a server sending more responses than requests (a framing bug, request "
        "smuggling). Check for capture gaps on the same server; if there are none, inspect "
        "the connection with the transactions below.",
    [ANOMALY_RESET_MID_RESPONSE] =
        "The connection was reset (TCP RST) while a response was still being sent, so "
        "clients got a cut body. Likely causes: the server process crashed or was killed, a "
        "proxy or firewall timed the connection out, a response larger than a limit, the "
        "client aborting. Check the server and proxy logs for these transactions and for "
        "idle or body-size limits.",
    [ANOMALY_TRUNCATED_BODIES] =
        "Message bodies ended before their announced length. Likely causes: the connection "
        "closed early (server crash, timeout, proxy limit), a wrong Content-Length from the "
        "application, or the capture lost the rest (see capture gaps and retransmissions). "
        "Check the transactions below against the server's own access log sizes.",
    [ANOMALY_CAPTURE_GAPS] =
        "Part of the TCP data to or from this server was never captured, so some requests "
        "or responses here may be missing or cut. Likely causes: packet drops in the "
        "capture (busy interface, small buffer), a capture started mid-connection, "
        "asymmetric routing. Treat the numbers for this server with care; capture with a "
        "larger buffer or closer to the server.",
    [ANOMALY_LIMIT_REACHED] =
        "A limit of the capture run was reached, so some data was left out of this "
        "analysis. See the README's Limits for what the limit bounds and which option "
        "raises it; read the capture again with a larger value if memory allows.",
    [ANOMALY_RETRANSMISSIONS] =
        "Many TCP segments to or from this server were sent twice. Likely causes: packet "
        "loss on the path, a congested or faulty link or NIC, an overloaded server that "
        "answers late, a too small receive window. Check interface error and drop counters "
        "and the path between client and server; expect higher latency here.",
    [ANOMALY_RARE_STATUS] =
        "A status code turned up only once or twice. Often harmless, but rare codes are "
        "where unhandled paths show: a code no client expects, a proxy's own error page, a "
        "typo in the application. Check the transactions below and what the client did "
        "with the response.",
    [ANOMALY_NEW_STATUS] =
        "A status code appeared near the end of the capture and never before. Likely "
        "causes: a deploy or configuration change, a dependency failing, a rate limit or "
        "quota being reached. Check what changed at that time and the request IDs below.",
};

const char *anomaly_message(enum report_anomaly_kind kind)
{
    if ((int)kind < 0 || kind >= ANOMALY_KIND_COUNT)
        return "";
    return anomaly_messages[kind];
}

/* Floor division: ns before 1970 still give the right calendar second. */
static void split_ns(int64_t ns, time_t *sec, int *ms)
{
    int64_t s = ns / 1000000000;
    int64_t rem = ns % 1000000000;
    if (rem < 0) {
        s--;
        rem += 1000000000;
    }
    *sec = (time_t)s;
    *ms = (int)(rem / 1000000);
}

void anomaly_clock_set(struct anomaly_clock *k, const struct report_series *s)
{
    memset(k, 0, sizeof *k);
    if (s->nbuckets <= 0)
        return;
    time_t t0, t1;
    int ms;
    split_ns(s->origin_ns, &t0, &ms);
    split_ns(s->origin_ns + (int64_t)s->nbuckets * s->bucket_ns - 1, &t1, &ms);
    k->same_day = t0 / 86400 == t1 / 86400;
    k->subsecond = s->bucket_ns % 1000000000 != 0;
}

void anomaly_fmt_time(const struct anomaly_clock *k, int64_t ns, char fmt, char *buf,
                      size_t size)
{
    time_t sec;
    int ms;
    split_ns(ns, &sec, &ms);
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(buf, size, "%lld ns", (long long)ns);
        return;
    }
    char base[48];
    if (fmt == 'C' && k->same_day)
        snprintf(base, sizeof base, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(base, sizeof base, "%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, fmt == 'C' ? ' ' : 'T', tm.tm_hour, tm.tm_min,
                 tm.tm_sec);
    if (fmt == 'I')
        snprintf(buf, size, "%.48s.%03dZ", base, ms);
    else if (k->subsecond)
        snprintf(buf, size, "%.48s.%03d%s", base, ms, fmt == 'S' ? "Z" : "");
    else
        snprintf(buf, size, "%.48s%s", base, fmt == 'S' ? "Z" : "");
}

/* The window of a as "10:03:00-10:04:00 UTC". */
static void window_text(const struct anomaly_clock *k, const struct report_anomaly *a,
                        char *buf, size_t size)
{
    char t0[64], t1[64];
    anomaly_fmt_time(k, a->start_ns, 'C', t0, sizeof t0);
    anomaly_fmt_time(k, a->end_ns, 'C', t1, sizeof t1);
    snprintf(buf, size, "%s-%s UTC", t0, t1);
}

static char *dup_printf(int *nomem, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *dup_printf(int *nomem, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *s = strdup(buf);
    if (!s)
        *nomem = 1;
    return s;
}

char *anomaly_burst_evidence(int *nomem, const struct anomaly_clock *k,
                             const struct report_anomaly *a)
{
    char w[160], zs[48];
    window_text(k, a, w, sizeof w);
    if (a->baseline > 0)
        snprintf(zs, sizeof zs, ", z = %.1f", a->score);
    else
        snprintf(zs, sizeof zs, " (none elsewhere)");
    return dup_printf(nomem, "%lld of %lld transactions %s (%.1f%%) in %s vs %.1f%% baseline%s",
                      (long long)a->count, (long long)a->total,
                      a->kind == ANOMALY_ERROR_BURST_5XX ? "5xx" : "4xx", 100.0 * a->value, w,
                      100.0 * a->baseline, zs);
}

char *anomaly_latency_evidence(int *nomem, const struct anomaly_clock *k,
                               const struct report_anomaly *a, double thr)
{
    char w[160];
    window_text(k, a, w, sizeof w);
    return dup_printf(nomem, "median time to first byte %.1f ms in %s vs %.1f ms overall "
                             "(%.1fx); %lld of %lld responses slower than %.1f ms",
                      a->value, w, a->baseline, a->score, (long long)a->count,
                      (long long)a->total, thr);
}

char *anomaly_mix_evidence(int *nomem, const struct anomaly_clock *k,
                           const struct report_anomaly *a, const char *class_name, int64_t n0)
{
    char t[64];
    anomaly_fmt_time(k, a->start_ns, 'C', t, sizeof t);
    return dup_printf(nomem, "%s went from %.1f%% to %.1f%% of the transactions after %s UTC "
                             "(%lld before, %lld after; total variation %.2f)",
                      class_name, 100.0 * a->baseline, 100.0 * a->value, t, (long long)n0,
                      (long long)a->total, a->score);
}

char *anomaly_failing_evidence(int *nomem, const struct report_anomaly *a)
{
    return dup_printf(nomem, "%lld of %lld requests answered 5xx (%.1f%%) vs %.1f%% over the "
                             "whole report",
                      (long long)a->count, (long long)a->total, 100.0 * a->value,
                      100.0 * a->baseline);
}

char *anomaly_server_evidence(int *nomem, enum report_anomaly_kind kind, int64_t k, int64_t n,
                              const char *server)
{
    double pct = 100.0 * (double)k / (double)n;
    switch (kind) {
    case ANOMALY_UNANSWERED:
        return dup_printf(nomem, "%lld of %lld requests to %s got no response (%.1f%%; "
                                 "requests still open at the end of the capture are not "
                                 "counted)",
                          (long long)k, (long long)n, server, pct);
    case ANOMALY_ORPHAN_RESPONSES:
        return dup_printf(nomem, "%lld of %lld transactions with %s are responses without a "
                                 "request (%.1f%%)",
                          (long long)k, (long long)n, server, pct);
    case ANOMALY_RESET_MID_RESPONSE:
        return dup_printf(nomem, "%lld of %lld responses from %s were cut by a connection "
                                 "reset (%.1f%%)",
                          (long long)k, (long long)n, server, pct);
    default:
        return dup_printf(nomem, "%lld of %lld transactions with %s have a truncated body "
                                 "(%.1f%%)",
                          (long long)k, (long long)n, server, pct);
    }
}

char *anomaly_gaps_evidence(int *nomem, const struct report_anomaly *a, int64_t gap_conns,
                            int64_t conns, const char *server)
{
    return dup_printf(nomem, "%lld bytes on %lld of %lld connections with %s were never "
                             "captured (%.2f%% of their TCP payload)",
                      (long long)a->count, (long long)gap_conns, (long long)conns, server,
                      100.0 * a->value);
}

char *anomaly_retrans_evidence(int *nomem, const struct report_anomaly *a, const char *server)
{
    return dup_printf(nomem, "%lld of %lld TCP segments to and from %s were retransmissions "
                             "(%.1f%%)",
                      (long long)a->count, (long long)a->total, server, 100.0 * a->value);
}

char *anomaly_rare_evidence(int *nomem, const struct report_anomaly *a, int code,
                            int registered, int effective)
{
    char why[128];
    if (code < 100 || code > 599)
        snprintf(why, sizeof why, "; it is not a valid status code (outside 100-599): "
                                  "clients treat it as 500");
    else if (!registered)
        snprintf(why, sizeof why, "; it is not a registered code: clients treat it as %d",
                 effective);
    else
        why[0] = '\0';
    return dup_printf(nomem, "status %d seen %s in %lld transactions%s", code,
                      a->count == 1 ? "once" : "twice", (long long)a->total, why);
}

char *anomaly_new_status_evidence(int *nomem, const struct anomaly_clock *k,
                                  const struct report_anomaly *a, int code, int nbuckets)
{
    char t[64];
    anomaly_fmt_time(k, a->start_ns, 'C', t, sizeof t);
    return dup_printf(nomem, "status %d seen %lld times (%.1f%% of %lld transactions), all "
                             "since %s UTC (the last %d of %d buckets), never before",
                      code, (long long)a->count, 100.0 * a->value, (long long)a->total, t,
                      nbuckets - a->first_bucket, nbuckets);
}

/* What a hit of each limit (limits_table.h) left out: the thing a hit counts (NULL when
 * hits are events, not things), what happened to one / several of them, and the advice. */
static const struct limit_words {
    const char *name;
    const char *one, *many;
    const char *did_one, *did_many;
    const char *message;
} limit_words[] = {
    {"max-connections", "connection", "connections", "was closed early to make room",
     "were closed early to make room",
     "httpcap's connection table was full, so it closed the idlest connections early to "
     "make room (end_reason 'evicted'): their later requests and responses may be missing "
     "or show as unanswered, and traffic that went on was picked up mid-stream. Likely "
     "causes: a very busy link, a SYN flood or port scan, many idle keep-alive "
     "connections. If memory allows (about 2 KB per open connection), read the capture "
     "again with a larger --max-connections N; or keep only the traffic that matters with "
     "a BPF filter (-f 'host 10.0.0.1 and port 80')."},
    {"max-header-bytes", "message", "messages",
     "was rejected as a parse error (HPE_HEADER_OVERFLOW)",
     "were rejected as parse errors (HPE_HEADER_OVERFLOW)",
     "A client or server sent a start line and header section larger than "
     "--max-header-bytes; each such message was stored as a parse error and the connection "
     "was parsed again from the next message on. Likely causes: an attack (header "
     "flooding, a smuggling or overflow attempt), an oversized or ever-growing cookie, a "
     "proxy adding headers in a loop, a misconfigured client. Most servers refuse such "
     "messages too (431 or 400): check which client sent them and what the server "
     "answered. To analyse them anyway, read again with a larger --max-header-bytes N."},
    {"max-headers", "message", "messages",
     "had its header fields past the cap ignored (flag field-cut)",
     "had their header fields past the cap ignored (flag field-cut)",
     "Messages carried more header fields than --max-headers; the fields past the cap were "
     "not examined (the message framing still was), so a Host, Content-Type or request ID "
     "among them is missing here and their rule checks were skipped. Likely causes: a "
     "header-flooding attack or a fuzzer, a proxy chain adding many headers, a "
     "misconfigured client. Check who sent them; read again with a larger --max-headers N "
     "to examine every field."},
    {"max-uri-bytes", "URI", "URIs", "was stored cut (flag uri-cut)",
     "were stored cut (flag uri-cut)",
     "Request URIs longer than --max-uri-bytes were stored cut: the transactions are all "
     "counted, but their stored URI is a prefix and their endpoint may group differently. "
     "Likely causes: huge query strings (tracking parameters, state serialized into a "
     "GET), a scanner or an injection attempt, a redirect loop that keeps growing the URI. "
     "Check the clients of these requests; read again with a larger --max-uri-bytes (up to "
     "8192) to keep more of them."},
    {"max-pending", "pipelined request", "pipelined requests",
     "was stored unanswered to make room", "were stored unanswered to make room",
     "A client pipelined more than --max-pending requests on one connection without "
     "getting answers, so the oldest were stored as unanswered to make room: some of the "
     "unanswered requests in this report are httpcap's doing, and later responses may pair "
     "with the wrong request. Likely causes: a request flood or slow-read attack, a server "
     "that stopped answering a connection, lost server-side packets (see capture gaps). "
     "Check the clients with the most requests per connection; read again with a larger "
     "--max-pending N if memory allows."},
    {"max-ooo-bytes", NULL, NULL,
     "each time a hole in one TCP direction was given up (a gap) or an out-of-order segment "
     "dropped", NULL,
     "One direction of a TCP connection held more out-of-order data than --max-ooo-bytes "
     "while waiting for a missing segment, so httpcap gave up the hole (a gap: the "
     "exchanges it touches are flagged gap and may be cut) or dropped the segment. Likely "
     "causes: heavy packet loss in the capture or on the path, packets reordered by merging "
     "captures of several interfaces, or an attack sending data far ahead of a hole to "
     "exhaust memory. Check kernel drops, capture gaps and retransmissions; read again with "
     "a larger --max-ooo-bytes if memory allows."},
    {"max-reasm-bytes", NULL, NULL,
     "each time a hole was given up (a gap) or an out-of-order segment dropped on the "
     "stream that needed room", NULL,
     "All connections together held more out-of-order data than --max-reasm-bytes, so "
     "holes were given up (gaps: the exchanges they touch are flagged gap) or segments "
     "dropped on the streams that needed room. Likely causes: heavy packet loss on many "
     "connections (a capture dropping packets under load), or an attack opening holes on "
     "many connections to exhaust memory. Capture with a larger buffer or closer to the "
     "server, and check drops and capture gaps; read again with a larger --max-reasm-bytes "
     "if memory allows, or with a BPF filter (-f) for fewer connections."},
    {"max-stored-header-bytes", "transaction", "transactions",
     "had its stored header lines cut (flag headers-cut)",
     "had their stored header lines cut (flag headers-cut)",
     "With --store-headers, the header lines of some transactions went past "
     "--max-stored-header-bytes and the rest were not stored in table headers; the "
     "analysis itself saw every line. Likely causes: large cookies or tokens, many "
     "Set-Cookie lines, an attack padding its headers. Read again with a larger "
     "--max-stored-header-bytes if you need the full headers in the database."},
};

/* The words of limit name, NULL for a limit this httpcap does not know. */
static const struct limit_words *words_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof limit_words / sizeof limit_words[0]; i++)
        if (strcmp(limit_words[i].name, name) == 0)
            return &limit_words[i];
    return NULL;
}

const char *anomaly_limit_message(const char *name)
{
    const struct limit_words *w = words_of(name);
    return w ? w->message : anomaly_message(ANOMALY_LIMIT_REACHED);
}

char *anomaly_limit_evidence(int *nomem, const struct report_limit *l, int64_t limit_runs,
                             int filtered)
{
    const struct limit_words *w = words_of(l->name);
    char cap[64], times[48], runs[64], what[320];
    if (l->min_value == l->value)
        snprintf(cap, sizeof cap, "%lld", (long long)l->value);
    else
        snprintf(cap, sizeof cap, "%lld to %lld", (long long)l->min_value, (long long)l->value);
    if (l->hits == 1)
        snprintf(times, sizeof times, "once");
    else
        snprintf(times, sizeof times, "%lld times", (long long)l->hits);
    runs[0] = '\0';
    if (limit_runs > 1)
        snprintf(runs, sizeof runs, " in %lld of %lld capture runs", (long long)l->runs_hit,
                 (long long)limit_runs);
    if (!w)
        snprintf(what, sizeof what, "data was left out of the analysis each time");
    else if (!w->one)
        snprintf(what, sizeof what, "%s", w->did_one);
    else
        snprintf(what, sizeof what, "%lld %s %s", (long long)l->hits,
                 l->hits == 1 ? w->one : w->many, l->hits == 1 ? w->did_one : w->did_many);
    return dup_printf(nomem, "%.64s (%s) was reached %s%s: %s%s", l->name ? l->name : "?",
                      cap, times, runs, what,
                      filtered ? "; counted over whole capture runs, which the filters do "
                                 "not narrow"
                               : "");
}
