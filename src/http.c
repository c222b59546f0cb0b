/*
 * http.c - the HTTP/1.x session of one TCP connection: where its messages start.
 * Owns: what each side carries (http_detect.c; a client start that is not HTTP waits
 *       for the server's), which side is the client, hunting for a message start after
 *       a mid-stream start, a gap or a parse error, stepping over gaps inside bodies of
 *       known extent, the session's life.
 * In:   in-order bytes and gaps of each side (http_data, http_gap), each call starting
 *       at a TCP segment's start.
 * Out:  message bytes to http_parse.c, which emits finished transactions.
 * Never: keeps a body or a pointer into the caller's data; allocates per packet.
 */
#include "http.h"

#include <stdlib.h>
#include <string.h>

#include "http_session.h"

#define HUNT_GIVE_UP_BYTES (64u * 1024u) /* unknown connection: stop looking after this */
#define FILL_CHUNK 4096u

static const uint8_t zeros[FILL_CHUNK];

static void look(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts);

/* ---- detection and hunting ---- */

static void start_parsers(struct http_session *s)
{
    for (int i = 0; i < 2; i++) {
        struct http_side *sd = &s->side[i];
        sd->is_request = (uint8_t)(i == s->client);
        http_parse_reset(sd);
    }
}

static unsigned wanted(const struct http_side *sd)
{
    const struct http_session *s = sd->s;
    unsigned w;
    if (s->side[1 - sd->idx].mode == HTTP_MODE_WAIT)
        w = HTTP_WANT_RESPONSE; /* the waiting side is the client */
    else if (s->client < 0)
        w = HTTP_WANT_REQUEST | HTTP_WANT_RESPONSE;
    else
        w = sd->idx == s->client ? HTTP_WANT_REQUEST : HTTP_WANT_RESPONSE;
    if (s->proto == HTTP_PROTO_UNKNOWN)
        w |= HTTP_WANT_TLS;
    if (sd->mode == HTTP_MODE_HUNT)
        w |= HTTP_WANT_STRICT;
    return w;
}

static void free_pre(struct http_side *sd)
{
    free(sd->pre);
    sd->pre = NULL;
    sd->pre_len = 0;
}

static void set_proto(struct http_session *s, enum http_protocol proto)
{
    s->proto = (uint8_t)proto;
    if (proto == HTTP_PROTO_HTTP)
        return;
    http_parse_stop(s);
    free_pre(&s->side[0]);
    free_pre(&s->side[1]);
}

/* Bytes of one call to the parser; after a request rejected inside its line, the
 * rest of that line (the rest of the call is no message start). */
static void feed(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    if (sd->mode == HTTP_MODE_PARSE)
        http_parse_feed(sd, p, n, ts);
    else
        http_parse_line_rest(sd, p, n);
}

/* Parse from here on: first the kept prefix (call by call, with their times), then
 * p[0..n). */
static void start_parsing(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    struct http_pre pre;
    size_t len = sd->pre_len;
    if (len > 0)
        pre = *sd->pre;
    free_pre(sd); /* a parsing side needs it again only after a loss */
    sd->mode = HTTP_MODE_PARSE;
    for (size_t i = 0; i < len;) {
        size_t k = i + 1;
        while (k < len && pre.ts[k] == pre.ts[i])
            k++;
        feed(sd, pre.b + i, k - i, pre.ts[i]);
        i = k;
    }
    if (n > 0)
        feed(sd, p, n, ts);
}

/*
 * The server side spoke HTTP: the waiting client's start is a malformed request.
 * llhttp reads the kept bytes and says what is wrong with them; when it finds nothing
 * wrong there, the request is cut where the kept bytes end.
 */
static void end_wait(struct http_side *sd)
{
    uint32_t gap = sd->wait_gap ? TXN_GAP : 0;
    uint64_t dropped = sd->held_bytes;
    sd->held_bytes = 0;
    sd->wait_gap = 0;
    start_parsing(sd, NULL, 0, sd->last_ts);
    if (dropped > 0)
        http_parse_line_end(sd); /* the rest of a rejected line was not kept */
    if (sd->mode == HTTP_MODE_PARSE && dropped > 0) {
        sd->ts = sd->last_ts;
        http_parse_cut(sd, TXN_TRUNCATED | gap);
        http_parse_reset(sd);
        sd->mode = HTTP_MODE_HUNT;
        sd->resync = TXN_MIDSTREAM;
    }
    sd->resync |= gap;
}

static void found(struct http_side *sd, enum http_detect_verdict v, const uint8_t *p, size_t n,
                  int64_t ts)
{
    struct http_session *s = sd->s;
    struct http_side *other = &s->side[1 - sd->idx];
    if (s->client < 0) {
        s->client = v == HTTP_DETECT_REQUEST ? sd->idx : 1 - sd->idx;
        start_parsers(s);
    }
    s->proto = HTTP_PROTO_HTTP;
    if (other->mode == HTTP_MODE_WAIT)
        end_wait(other); /* its request comes first: the response answers it */
    start_parsing(sd, p, n, ts);
}

static void hunt_skip(struct http_side *sd, size_t n)
{
    struct http_session *s = sd->s;
    http_parse_skipped(sd, n);
    if (s->proto != HTTP_PROTO_UNKNOWN)
        return; /* a known HTTP connection: hunt as long as it lasts */
    s->hunt_bytes += n;
    if (s->hunt_bytes >= HUNT_GIVE_UP_BYTES)
        set_proto(s, HTTP_PROTO_OTHER);
}

/* Keep p[0..n) (it fits) while the start is undecided; -1 without memory. */
static int keep_pre(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    size_t old = sd->pre_len;
    if (!sd->pre && !(sd->pre = malloc(sizeof(*sd->pre))))
        return -1;
    memcpy(sd->pre->b + old, p, n);
    for (size_t i = 0; i < n; i++)
        sd->pre->ts[old + i] = ts;
    sd->pre_len = (uint8_t)(old + n);
    return 0;
}

/*
 * A client's start that is no request line may still be a malformed request: that is
 * known when the server answers with a status line. HTTP servers never speak first, so
 * a server's start that is not HTTP (an FTP, SMTP or SSH banner) settles it as another
 * protocol, as does a second side that is not HTTP.
 */
static int may_wait(const struct http_side *sd)
{
    const struct http_session *s = sd->s;
    const struct http_side *other = &s->side[1 - sd->idx];
    if (s->client >= 0 && s->client != sd->idx)
        return 0;
    return other->mode == HTTP_MODE_DETECT || other->mode == HTTP_MODE_HUNT;
}

/* While waiting, the stream's first HTTP_DETECT_MAX bytes are kept, the rest counted. */
static void wait_more(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    size_t room = sd->held_bytes ? 0 : HTTP_DETECT_MAX - sd->pre_len;
    size_t keep = n < room ? n : room;
    if (keep > 0 && keep_pre(sd, p, keep, ts) != 0) {
        set_proto(sd->s, HTTP_PROTO_OTHER);
        return;
    }
    sd->held_bytes += n - keep;
}

static void wait_other(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    sd->mode = HTTP_MODE_WAIT;
    sd->held_bytes = 0;
    sd->wait_gap = 0;
    wait_more(sd, p, n, ts);
}

static void not_found(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    struct http_session *s = sd->s;
    size_t old = sd->pre_len;
    if (sd->mode == HTTP_MODE_DETECT) {
        if (s->proto == HTTP_PROTO_HTTP)
            start_parsing(sd, p, n, ts); /* llhttp says what is wrong */
        else if (s->proto == HTTP_PROTO_UNKNOWN && may_wait(sd))
            wait_other(sd, p, n, ts);
        else
            set_proto(s, HTTP_PROTO_OTHER);
        return;
    }
    sd->pre_len = 0;
    hunt_skip(sd, old);
    if (old > 0 && s->proto != HTTP_PROTO_OTHER) {
        look(sd, p, n, ts); /* that candidate began earlier: this call is a start too */
        return;
    }
    hunt_skip(sd, n);
}

/* Keep the start of an undecided message; without memory it is a loss. */
static void keep_more(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    if (keep_pre(sd, p, n, ts) != 0) {
        sd->mode = HTTP_MODE_HUNT;
        sd->resync |= TXN_MIDSTREAM;
        hunt_skip(sd, n);
    }
}

/*
 * At a stream start (DETECT) or a call start (HUNT): is this a message start? Bytes
 * are kept (at most HTTP_DETECT_MAX) while the answer needs more of them.
 */
static void look(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    uint8_t buf[HTTP_DETECT_MAX];
    size_t old = sd->pre_len;
    size_t take = n < sizeof(buf) - old ? n : sizeof(buf) - old;
    if (old > 0)
        memcpy(buf, sd->pre->b, old);
    memcpy(buf + old, p, take);
    enum http_detect_verdict v = http_detect(buf, old + take, wanted(sd));
    if (v == HTTP_DETECT_MORE && take == n) {
        keep_more(sd, p, n, ts);
        return;
    }
    if (v == HTTP_DETECT_REQUEST || v == HTTP_DETECT_RESPONSE)
        found(sd, v, p, n, ts);
    else if (v == HTTP_DETECT_TLS)
        set_proto(sd->s, HTTP_PROTO_TLS);
    else if (v == HTTP_DETECT_H2 && sd->s->proto == HTTP_PROTO_UNKNOWN)
        set_proto(sd->s, HTTP_PROTO_OTHER);
    else
        not_found(sd, p, n, ts);
}

/* ---- gaps ---- */

/* Step over a gap inside a body of known extent: llhttp ignores body content. */
static void fill(struct http_side *sd, uint64_t bytes, int64_t ts)
{
    if (sd->eof_body) { /* a close-delimited body takes every byte: just count */
        sd->off += bytes;
        if (sd->cur)
            sd->cur->t.response_body_bytes += bytes;
        return;
    }
    /* llhttp counts an identity body down in content_length, never reading it: when that
     * agrees with our count, skip all but the last byte by arithmetic, so a hole of 2^30
     * bytes costs no more than a small one; the last byte goes through llhttp, which
     * then ends the message itself */
    if (bytes > 1 && sd->parser.content_length == sd->body_left) {
        uint64_t skip = bytes - 1;
        sd->parser.content_length -= skip;
        sd->body_left -= skip;
        sd->off += skip;
        if (sd->cur && sd->is_request)
            sd->cur->t.request_body_bytes += skip;
        else if (sd->cur)
            sd->cur->t.response_body_bytes += skip;
        bytes -= skip;
    }
    while (bytes > 0 && sd->mode == HTTP_MODE_PARSE && sd->in_msg) {
        size_t k = bytes < FILL_CHUNK ? (size_t)bytes : FILL_CHUNK;
        http_parse_feed(sd, zeros, k, ts);
        bytes -= k;
    }
}

static void parse_gap(struct http_side *sd, uint64_t bytes, int64_t ts)
{
    sd->ts = ts;
    if (sd->cur)
        sd->cur->t.flags |= TXN_GAP;
    if (sd->in_msg && sd->hdr_measured && (sd->eof_body || bytes <= sd->body_left)) {
        fill(sd, bytes, ts);
        return;
    }
    /* headers, chunked framing or between messages: the position is lost */
    http_parse_cut(sd, TXN_GAP | TXN_TRUNCATED);
    http_parse_reset(sd);
    sd->mode = HTTP_MODE_HUNT;
    sd->resync = TXN_GAP | TXN_MIDSTREAM;
}

/* ---- public interface ---- */

struct http_session *http_open(const struct http_config *cfg, const struct http_events *ev,
                               uint64_t connection_id, int client_side,
                               const uint8_t saw_start[2])
{
    struct http_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (cfg)
        s->cfg = *cfg;
    http_txq_init(&s->q, ev, connection_id, &s->cfg);
    s->client = client_side == 0 || client_side == 1 ? client_side : -1;
    s->proto = HTTP_PROTO_UNKNOWN;
    for (int i = 0; i < 2; i++) {
        struct http_side *sd = &s->side[i];
        sd->s = s;
        sd->idx = (uint8_t)i;
        sd->mode = saw_start && saw_start[i] ? HTTP_MODE_DETECT : HTTP_MODE_HUNT;
        sd->resync = sd->mode == HTTP_MODE_HUNT ? TXN_MIDSTREAM : 0;
    }
    if (s->client >= 0)
        start_parsers(s);
    return s;
}

/* The side's whole struct, line by line (its parser, mode, offsets, the current record's
 * pointer and the field being read): with 4,096 connections it is rarely in the cache,
 * and these loads no longer wait one after the other inside llhttp's callbacks (200 MB
 * of heavy on one CPU: 0.88 s -> 0.83 s; README, Speed). */
void http_warm(const struct http_session *s, int side)
{
    if (!s || side < 0 || side > 1)
        return;
    uintptr_t at = (uintptr_t)&s->side[side] & ~(uintptr_t)63;
    uintptr_t end = (uintptr_t)(&s->side[side] + 1);
    for (; at < end; at += 64)
        __builtin_prefetch((const void *)at, 1);
}

void http_data(struct http_session *s, int side, const uint8_t *p, size_t n, int64_t ts_ns)
{
    if (!s || side < 0 || side > 1 || !p || n == 0)
        return;
    struct http_side *sd = &s->side[side];
    sd->last_ts = ts_ns;
    if (s->done)
        return;
    if (sd->line_pd)
        http_parse_line_rest(sd, p, n); /* what follows its end is no call start */
    else if (sd->mode == HTTP_MODE_PARSE)
        http_parse_feed(sd, p, n, ts_ns);
    else if (sd->mode == HTTP_MODE_DETECT || sd->mode == HTTP_MODE_HUNT)
        look(sd, p, n, ts_ns);
    else if (sd->mode == HTTP_MODE_WAIT)
        wait_more(sd, p, n, ts_ns);
    else if (sd->mode == HTTP_MODE_HELD)
        sd->held_bytes += n;
}

void http_gap(struct http_session *s, int side, uint64_t bytes, int64_t ts_ns)
{
    if (!s || side < 0 || side > 1 || bytes == 0 || s->done)
        return;
    struct http_side *sd = &s->side[side];
    http_parse_line_end(sd);
    if (s->client >= 0 && side != s->client)
        http_parse_bodyless_end(s); /* what came after a bodyless response is all known */
    if (sd->mode == HTTP_MODE_DETECT || sd->mode == HTTP_MODE_HUNT) {
        sd->pre_len = 0;
        sd->mode = HTTP_MODE_HUNT;
        sd->resync |= TXN_GAP | TXN_MIDSTREAM;
    } else if (sd->mode == HTTP_MODE_HELD) {
        sd->held_bytes += bytes;
    } else if (sd->mode == HTTP_MODE_WAIT) {
        sd->held_bytes += bytes;
        sd->wait_gap = 1;
    } else if (sd->mode == HTTP_MODE_PARSE) {
        parse_gap(sd, bytes, ts_ns);
    }
}

void http_set_client(struct http_session *s, int client_side)
{
    if (!s || s->client >= 0 || (client_side != 0 && client_side != 1))
        return;
    s->client = client_side;
    start_parsers(s);
}

int http_client_side(const struct http_session *s)
{
    return s ? s->client : -1;
}

enum http_protocol http_protocol(const struct http_session *s)
{
    if (!s)
        return HTTP_PROTO_UNKNOWN;
    int waiting = s->side[0].mode == HTTP_MODE_WAIT || s->side[1].mode == HTTP_MODE_WAIT;
    if (s->proto == HTTP_PROTO_UNKNOWN && waiting)
        return HTTP_PROTO_OTHER; /* so far: the client spoke, not HTTP */
    return (enum http_protocol)s->proto;
}

const char *http_protocol_name(enum http_protocol p)
{
    switch (p) {
#define HTTP_PROTO_NAME(id, name) \
    case id:                      \
        return name;
        HTTP_PROTOCOLS(HTTP_PROTO_NAME)
#undef HTTP_PROTO_NAME
    }
    return "unknown";
}

void http_close(struct http_session *s, int64_t ts_ns, struct http_counts *counts)
{
    (void)ts_ns; /* times come from the bytes; the close itself ends nothing */
    if (!s)
        return;
    if (!s->done && s->client >= 0) {
        http_parse_end(&s->side[s->client]); /* requests first: they come first */
        http_parse_end(&s->side[1 - s->client]);
    }
    http_parse_flush(s);
    if (counts)
        *counts = (struct http_counts){s->q.emitted, s->q.truncated, s->q.truncated_with_status};
    http_txq_free(&s->q);
    free(s->side[0].pre);
    free(s->side[1].pre);
    free(s);
}
