/*
 * http_parse.c - llhttp parsing of one session's messages into transactions.
 * Owns: the feed loop that finds exact message offsets (http_callbacks.c pauses it),
 *       message sizes and timestamps, pairing of responses with queued requests (in
 *       order, or by time after response bytes were lost), 1xx, HEAD, CONNECT, Upgrade,
 *       parse errors (a rejected request line is kept as sent), obs-fold, cut bodies,
 *       bytes after a bodyless response (which waits for them before it is emitted).
 * In:   bytes of a side known to be at (or inside) HTTP messages, from http.c.
 * Out:  finished transactions through http_txq.c.
 * Never: decides where messages start after a loss (http.c hunts); keeps a body.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http_session.h"

static struct http_side *request_side(struct http_session *s)
{
    return s->client < 0 ? NULL : &s->side[s->client];
}

static struct http_side *response_side(struct http_session *s)
{
    return s->client < 0 ? NULL : &s->side[1 - s->client];
}

void http_parse_reset(struct http_side *sd)
{
    llhttp_init(&sd->parser, sd->is_request ? HTTP_REQUEST : HTTP_RESPONSE, &http_settings);
    sd->parser.data = sd;
    /* RFC 9112 §6.3 (3): Transfer-Encoding overrides Content-Length in a response; the
     * breach is recorded by rules.c (n_content_length and has_transfer_encoding) */
    if (!sd->is_request)
        llhttp_set_lenient_chunked_length(&sd->parser, 1);
    sd->cl_dup = 0;
    sd->cl_dup_bad = 0;
    sd->deferred = 0;
    sd->off = 0;
    sd->event = HTTP_EV_NONE;
    sd->in_msg = 0;
    sd->hstate = HTTP_HS_NONE;
    sd->body_left = 0;
    sd->eof_body = 0;
    sd->closed = 0;
    sd->after_close = 0;
    sd->in_line = 0;
    sd->line_len = 0;
    sd->skip_field = 0;
    sd->cur = NULL;
}

/* The client side waits no longer: go on parsing requests. */
static void release_held(struct http_session *s)
{
    struct http_side *sd = request_side(s);
    s->held = NULL;
    if (!sd || sd->mode != HTTP_MODE_HELD)
        return;
    if (sd->held_bytes == 0) {
        llhttp_resume_after_upgrade(&sd->parser);
        sd->mode = HTTP_MODE_PARSE;
        return;
    }
    /* bytes went by unparsed: find the next request start */
    http_parse_reset(sd);
    sd->mode = HTTP_MODE_HUNT;
    sd->resync |= TXN_MIDSTREAM;
    sd->held_bytes = 0;
}

/* The raw line of a rejected request is complete, or will not be: split it. */
void http_parse_line_end(struct http_side *sd)
{
    struct http_pend *pd = sd->line_pd;
    sd->line_pd = NULL;
    if (pd)
        http_strs_split_line(&pd->strs, &pd->t.flags, http_uri_max(sd->s));
}

size_t http_parse_line_rest(struct http_side *sd, const uint8_t *p, size_t n)
{
    struct http_pend *pd = sd->line_pd;
    if (!pd || n == 0)
        return 0;
    const uint8_t *lf = memchr(p, '\n', n);
    size_t take = lf ? (size_t)(lf - p) + 1 : n;
    http_strs_append(&pd->strs, HTTP_STR_LINE, (const char *)p, take, HTTP_LINE_MAX - 1);
    if (lf)
        http_parse_line_end(sd);
    return take;
}

/* The bytes after the bodyless response are counted: it may be emitted. */
static void finish_bodyless(struct http_session *s)
{
    struct http_pend *pd = s->bodyless;
    pd->t.facts.bytes_after_bodyless = s->bodyless_bytes;
    pd->wait_after = 0;
    s->bodyless = NULL;
    s->bodyless_orphan = 0;
    s->bodyless_bytes = 0;
}

/* Hand one transaction over; nothing may point at it afterwards. */
static void emit(struct http_session *s, struct http_pend *pd)
{
    if (pd == s->held)
        release_held(s);
    if (pd == s->bodyless)
        finish_bodyless(s);
    for (int i = 0; i < 2; i++) {
        if (s->side[i].cur == pd)
            s->side[i].cur = NULL;
        if (s->side[i].line_pd == pd)
            http_parse_line_end(&s->side[i]); /* what came of the line is all there is */
    }
    http_txq_emit(&s->q, pd);
}

/* Emit the oldest transactions whose request and response are both over. */
static void try_emit(struct http_session *s)
{
    struct http_pend *pd;
    while ((pd = http_txq_head(&s->q)) != NULL && pd->req_done && pd->resp_done &&
           !pd->wait_after)
        emit(s, http_txq_pop(&s->q));
}

void http_parse_bodyless_end(struct http_session *s)
{
    struct http_pend *pd = s->bodyless;
    struct http_side *sd = response_side(s);
    if (!pd)
        return;
    if (sd && sd->deferred) { /* the start of a message that never showed "HTTP/" */
        s->bodyless_bytes += sd->off - sd->msg_start;
        sd->deferred = 0;
    }
    if (s->bodyless_orphan) {
        emit(s, pd);
        return;
    }
    finish_bodyless(s);
    try_emit(s);
}

void http_parse_skipped(struct http_side *sd, uint64_t n)
{
    if (sd->s->bodyless && sd->s->client >= 0 && sd->idx != sd->s->client)
        sd->s->bodyless_bytes += n;
}

static void response_cut_short(struct http_side *rs, struct http_pend *pd);

/* Queue a request; the oldest goes out unanswered beyond max_pending. */
static int queue_push(struct http_session *s, struct http_pend *pd)
{
    struct http_pend *old = NULL;
    int rc = http_txq_push(&s->q, pd, &old);
    if (old) {
        if (s->cfg.hits)
            s->cfg.hits->pending++;
        struct http_side *rs = response_side(s);
        if (rs && rs->cur == old)
            response_cut_short(rs, old);
        emit(s, old);
    }
    return rc;
}

/* Nothing more is parsed on this connection (TLS, other, a tunnel); a message in
 * progress keeps the sizes seen so far (a request body the tunnel interrupted). */
void http_parse_stop(struct http_session *s)
{
    /* a message still in progress on either side ends here: keep what was seen of it */
    for (int i = 0; i < 2; i++) {
        if (s->side[i].mode == HTTP_MODE_PARSE && s->side[i].in_msg)
            http_parse_cut(&s->side[i], TXN_TRUNCATED);
    }
    s->done = 1;
    for (int i = 0; i < 2; i++)
        s->side[i].mode = HTTP_MODE_OFF;
}

/* ---- message events, at exact offsets ---- */

/* Clear what a previous (1xx) response left; the final one fills it again. */
static void reset_response(struct http_pend *pd)
{
    struct txn *t = &pd->t;
    t->status = 0;
    http_strs_drop(&pd->strs, HTTP_STR_REASON);
    t->resp_major = 0;
    t->resp_minor = 0;
    t->response_complete = 0;
    t->response_start_ns = 0;
    t->response_end_ns = 0;
    t->response_header_bytes = 0;
    t->response_body_bytes = 0;
    t->response_body_wire_bytes = 0;
    http_strs_drop(&pd->strs, HTTP_STR_CONTENT_TYPE);
    http_strs_drop(&pd->strs, HTTP_STR_CONTENT_ENCODING);
    http_strs_drop(&pd->strs, HTTP_STR_SERVER);
    http_strs_drop(&pd->strs, HTTP_STR_LOCATION);
    http_strs_drop(&pd->strs, HTTP_STR_RESP_UPGRADE);
    http_field_forget_response(&pd->seen);
    /* the facts of a final response; what 1xx carried and the request's stay */
    t->facts.resp_has = 0;
    t->facts.n_content_length = 0;
    t->facts.content_length_invalid = 0;
    t->facts.content_length_differ = 0;
    t->facts.has_transfer_encoding = 0;
    t->facts.obs_fold = 0;
    t->facts.body_truncated = 0;
    t->facts.bytes_after_bodyless = 0;
}

static struct http_pend *request_begin(struct http_side *sd)
{
    struct http_session *s = sd->s;
    struct http_pend *pd = http_txq_get(&s->q);
    if (!pd)
        return NULL;
    pd->t.has_request = 1;
    pd->t.request_start_ns = sd->ts;
    if (queue_push(s, pd) != 0) {
        http_txq_put(&s->q, pd); /* no ring at all: out of memory */
        return NULL;
    }
    return pd;
}

/* When a queued request was over: its last byte, or its first when it was cut short. */
static int64_t request_over_ns(const struct http_pend *pd)
{
    return pd->t.request_complete ? pd->t.request_end_ns : pd->t.request_start_ns;
}

/*
 * Response bytes were lost (a gap, or hunting since the last complete response), and
 * with them maybe whole responses: the one found answers the newest queued request that
 * was over when it began, and the older ones, whose answers were lost, go out
 * unanswered. When none was over yet, order decides (RFC 9112 §9.3).
 */
static void skip_lost_answers(struct http_session *s, int64_t start_ns)
{
    uint32_t pick = s->q.count - 1;
    while (pick > 0 && request_over_ns(http_txq_at(&s->q, pick)) > start_ns)
        pick--;
    while (pick-- > 0) {
        struct http_pend *old = http_txq_pop(&s->q);
        old->t.flags |= TXN_GAP;
        emit(s, old);
    }
}

/* A response answers the oldest request without one (RFC 9112 §9.3), else none. */
static struct http_pend *response_begin(struct http_side *sd)
{
    struct http_session *s = sd->s;
    struct http_pend *pd = sd->cur;
    struct http_pend *head = http_txq_head(&s->q);
    if (!pd && head && !head->resp_done && sd->resync && s->q.count > 1) {
        skip_lost_answers(s, sd->ts);
        head = http_txq_head(&s->q);
    }
    if (!pd && head && !head->resp_done)
        pd = head;
    if (!pd && !s->orphan)
        s->orphan = http_txq_get(&s->q);
    if (!pd)
        pd = s->orphan;
    if (pd) {
        reset_response(pd);
        pd->t.response_start_ns = sd->ts;
    }
    return pd;
}

/* A header section past --max-header-bytes: llhttp has no such error, Node calls it
 * HPE_HEADER_OVERFLOW; it travels as HPE_USER, which no callback here returns. */
#define HTTP_ERR_HEADER_OVERFLOW HPE_USER

/* "HPE_NAME: reason (byte N)", N counted from the message's first byte; sd->cur set. */
static void record_error(struct http_side *sd, llhttp_errno_t err, const char *reason,
                         uint64_t at)
{
    struct http_pend *pd = sd->cur;
    char msg[TXN_ERROR_MAX];
    const char *name =
        err == HTTP_ERR_HEADER_OVERFLOW ? "HPE_HEADER_OVERFLOW" : llhttp_errno_name(err);
    snprintf(msg, sizeof(msg), "%s: %s (byte %llu)", name,
             reason ? reason : "", (unsigned long long)at); /* llhttp's texts fit */
    http_strs_set(&pd->strs, sd->is_request ? HTTP_STR_REQUEST_ERROR : HTTP_STR_RESPONSE_ERROR,
                  msg, strlen(msg), sizeof(msg) - 1);
    pd->t.flags |= TXN_PARSE_ERROR;
}

static void attach(struct http_side *sd);

static void on_begin(struct http_side *sd)
{
    sd->in_msg = 1;
    sd->msg_start = sd->off;
    sd->hdr_measured = 0;
    sd->hdr_bytes = 0;
    sd->status_seen = 0;
    sd->is_interim = 0;
    sd->eof_body = 0;
    sd->body_left = 0;
    sd->hstate = HTTP_HS_NONE;
    sd->in_line = sd->is_request;
    sd->line_len = 0;
    sd->fold_lf = 0;
    sd->fold_lines = 0;
    sd->n_fields = 0;
    sd->fields_over = 0;
    sd->skip_field = 0;
    memset(&sd->cl, 0, sizeof(sd->cl));
    if (!sd->is_request && sd->s->bodyless) { /* more content, or the next response? */
        sd->deferred = 1;
        sd->deferred_ts = sd->ts;
        sd->cur = NULL;
        return;
    }
    attach(sd);
}

/* The transaction of the message that began: a new request, or the one answered. */
static void attach(struct http_side *sd)
{
    sd->cur = sd->is_request ? request_begin(sd) : response_begin(sd);
    if (sd->cur)
        sd->cur->t.flags |= sd->resync;
    sd->resync = 0;
    if (sd->after_close && sd->cur) /* what strict llhttp reports; the message is kept */
        record_error(sd, HPE_CLOSED_CONNECTION, "Data after `Connection: close`", 0);
    sd->after_close = 0;
}

static void set_sizes(struct http_side *sd, struct txn *t)
{
    uint64_t total = sd->off - sd->msg_start;
    uint64_t hdr = sd->hdr_measured ? sd->hdr_bytes : total;
    if (sd->is_request) {
        t->request_header_bytes = hdr;
        t->request_body_wire_bytes = total - hdr;
    } else {
        t->response_header_bytes = hdr;
        t->response_body_wire_bytes = total - hdr;
    }
}

static void on_headers(struct http_side *sd)
{
    sd->hdr_bytes = sd->off - sd->msg_start;
    sd->hdr_measured = 1;
    sd->in_line = 0;
    if (sd->cur && sd->is_request)
        http_strs_drop(&sd->cur->strs, HTTP_STR_LINE); /* llhttp took the line */
    if (sd->cur)
        set_sizes(sd, &sd->cur->t);
}

static void request_complete(struct http_side *sd)
{
    struct http_session *s = sd->s;
    struct http_pend *pd = sd->cur;
    sd->cur = NULL;
    if (!pd)
        return;
    pd->t.request_complete = 1;
    pd->t.request_end_ns = sd->ts;
    pd->req_done = 1;
    /* Upgrade or CONNECT: what follows may not be HTTP; wait for the answer */
    if (llhttp_get_upgrade(&sd->parser) && !pd->resp_done)
        s->held = pd;
    try_emit(s);
}

/* The final response of pd is over: emit it if its request is over too. */
static void response_over(struct http_session *s, struct http_pend *pd)
{
    pd->resp_done = 1;
    if (pd == s->held)
        release_held(s);
    if (pd == s->orphan) {
        s->orphan = NULL;
        if (!pd->wait_after)
            emit(s, pd);
        return;
    }
    try_emit(s);
}

static void add_interim(struct txn *t, int status)
{
    if (t->n_interim < TXN_MAX_INTERIM)
        t->interim[t->n_interim++] = (uint16_t)status;
    else
        t->flags |= TXN_FIELD_CUT;
}

/* pd goes out while rs parses its response: the rest of that is not kept, what was seen
 * is, as http_parse_cut() keeps it (a 1xx becomes interim), but rs itself goes on. */
static void response_cut_short(struct http_side *rs, struct http_pend *pd)
{
    pd->t.flags |= TXN_TRUNCATED;
    if (!rs->in_msg)
        return; /* between a 1xx and its final response: nothing is cut */
    if (rs->is_interim) {
        add_interim(&pd->t, pd->t.status);
        reset_response(pd);
        return;
    }
    set_sizes(rs, &pd->t);
    pd->t.has_response = rs->status_seen;
    pd->t.response_end_ns = rs->ts;
}

static void response_complete(struct http_side *sd)
{
    struct http_session *s = sd->s;
    struct http_pend *pd = sd->cur;
    int status = sd->parser.status_code;
    int tunnel = status == 101 || (pd && pd->kind == HTTP_KIND_CONNECT && status / 100 == 2);
    if (pd && sd->is_interim) {
        add_interim(&pd->t, status);
        reset_response(pd);
        return; /* the transaction waits for its final response; cur stays */
    }
    sd->cur = NULL;
    if (pd) {
        pd->t.has_response = 1;
        pd->t.response_complete = 1;
        pd->t.response_end_ns = sd->ts;
        if (status == 101)
            pd->t.flags |= TXN_UPGRADE;
        else if (tunnel)
            pd->t.flags |= TXN_TUNNEL;
        /* RFC 9112 §6.3 (1): these end at the blank line; what the server sends before
         * the next status line is counted for them, so they wait until it is known */
        if (!tunnel && (status == 204 || status == 304 || pd->kind == HTTP_KIND_HEAD)) {
            http_parse_bodyless_end(s);
            pd->wait_after = 1;
            s->bodyless = pd;
            s->bodyless_bytes = 0;
            s->bodyless_orphan = pd == s->orphan;
        }
    }
    if (tunnel)
        http_parse_stop(s);
    if (pd)
        response_over(s, pd);
}

static void on_complete(struct http_side *sd)
{
    sd->in_msg = 0;
    sd->closed = !sd->is_interim && !llhttp_should_keep_alive(&sd->parser);
    if (sd->cur)
        set_sizes(sd, &sd->cur->t);
    if (sd->is_request)
        request_complete(sd);
    else
        response_complete(sd);
}

/*
 * The current message ends before its end (gap, parse error, close): keep what was
 * seen, add flags, and let the transaction go when both halves are over.
 */
void http_parse_cut(struct http_side *sd, uint32_t flags)
{
    struct http_session *s = sd->s;
    struct http_pend *pd = sd->cur;
    sd->cur = NULL;
    if (!pd || !sd->in_msg)
        return; /* between a 1xx and its final response: nothing is cut */
    if (sd->hstate == HTTP_HS_VALUE) { /* llhttp waits for the next line (obs-fold) */
        sd->cur = pd;
        http_header_value_complete(&sd->parser);
        sd->cur = NULL;
    }
    pd->t.flags |= flags;
    set_sizes(sd, &pd->t);
    sd->in_msg = 0;
    if (sd->is_request) {
        pd->t.request_end_ns = sd->ts;
        pd->req_done = 1;
        try_emit(s);
        return;
    }
    if (sd->is_interim) { /* a cut 1xx: the final response may still come */
        add_interim(&pd->t, pd->t.status);
        reset_response(pd);
        return;
    }
    /* RFC 9112 §6.3, §8: the connection ended (or bytes were lost) inside a body of
     * announced length; a close-delimited body is never cut short */
    if ((flags & TXN_TRUNCATED) && sd->hdr_measured && !sd->eof_body &&
        (sd->body_left > 0 || (sd->parser.flags & F_CHUNKED)))
        pd->t.facts.body_truncated = 1;
    pd->t.has_response = sd->status_seen;
    pd->t.response_end_ns = sd->ts;
    response_over(s, pd);
}

/* ---- feeding llhttp ---- */

/* RFC 9112 §2.2 leaves a recipient no way on after a syntax error: record, resync. */
static void on_error(struct http_side *sd, llhttp_errno_t err, const char *reason, size_t rest)
{
    struct http_session *s = sd->s;
    if (!sd->is_request && s->bodyless && (sd->deferred || !sd->in_msg)) {
        /* no status line after a bodyless response: its bytes (and the rest of the
         * call, which hunting skips) are content it must not have, not an exchange */
        s->bodyless_bytes += (sd->in_msg ? sd->off - sd->msg_start : 0) + rest;
        http_parse_reset(sd);
        sd->mode = HTTP_MODE_HUNT;
        sd->resync = 0;
        return;
    }
    if (sd->cl_dup_bad) { /* what llhttp itself says of a repeated Content-Length */
        err = HPE_UNEXPECTED_CONTENT_LENGTH;
        reason = "Duplicate Content-Length";
    }
    uint64_t at = sd->in_msg ? sd->off - sd->msg_start : 0;
    int in_line = sd->in_msg && sd->is_request && (sd->in_line || at < sd->line_len);
    if (!sd->in_msg)
        on_begin(sd); /* outside a message (e.g. data after "close"): a txn carries it */
    struct http_pend *pd = sd->cur;
    if (pd && in_line) {
        sd->line_pd = pd; /* rejected in its line: keep it as sent, to its end */
        if (!sd->in_line)
            http_parse_line_end(sd);
    }
    if (pd)
        record_error(sd, err, reason, at);
    http_parse_cut(sd, TXN_PARSE_ERROR);
    http_parse_reset(sd);
    sd->mode = HTTP_MODE_HUNT;
    sd->resync = TXN_MIDSTREAM;
}

/* A response starts after a bodyless one: that one's trailing bytes are all counted. */
static void on_version(struct http_side *sd)
{
    int64_t ts = sd->ts;
    sd->deferred = 0;
    http_parse_bodyless_end(sd->s);
    sd->ts = sd->deferred_ts; /* the message began there */
    attach(sd);
    sd->ts = ts;
}

static void on_event(struct http_side *sd)
{
    uint8_t ev = sd->event;
    sd->event = HTTP_EV_NONE;
    if (ev == HTTP_EV_BEGIN)
        on_begin(sd);
    else if (ev == HTTP_EV_VERSION)
        on_version(sd);
    else if (ev == HTTP_EV_HEADERS)
        on_headers(sd);
    else if (ev == HTTP_EV_COMPLETE)
        on_complete(sd);
}

/* llhttp stops after a message asking for Upgrade/CONNECT (or a 101 / tunnel). */
static int on_upgrade_pause(struct http_side *sd, size_t rest)
{
    struct http_session *s = sd->s;
    if (!sd->is_request || s->done)
        return 0;
    if (s->held) {
        sd->mode = HTTP_MODE_HELD;
        sd->held_bytes = rest;
        return 0;
    }
    llhttp_resume_after_upgrade(&sd->parser); /* its answer came already: go on */
    return 1;
}

/*
 * Copy the request line as sent, from the bytes at the parse position (some may have
 * been copied by an earlier turn of the feed loop), so that a line llhttp rejects can
 * still be stored as sent.
 */
static void keep_line(struct http_side *sd, const uint8_t *p, size_t n)
{
    uint64_t at = sd->off - sd->msg_start; /* the message offset of p[0] */
    if (at < sd->line_len) {
        uint64_t seen = sd->line_len - at;
        if (seen >= n)
            return;
        p += seen;
        n -= (size_t)seen;
    }
    const uint8_t *lf = memchr(p, '\n', n);
    size_t take = lf ? (size_t)(lf - p) + 1 : n;
    if (sd->cur && sd->line_len < HTTP_LINE_MAX - 1)
        http_strs_append(&sd->cur->strs, HTTP_STR_LINE, (const char *)p, take,
                         HTTP_LINE_MAX - 1);
    sd->line_len += take;
    sd->in_line = lf == NULL;
}

/*
 * After a message that closes the connection llhttp (loose build) would swallow all
 * that follows. Skip CR/LF; anything else starts a message parsed afresh and marked.
 * Returns the bytes skipped; n - off when only line ends came.
 */
static size_t after_close(struct http_side *sd, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n'))
        i++;
    sd->off += i;
    if (i < n) {
        http_parse_reset(sd);
        sd->after_close = 1;
    }
    return i;
}

/*
 * RFC 9112 §5.2: a header line starting with SP or HTAB continues the previous one
 * (obs-fold). llhttp accepts it without saying so: look at the bytes it took.
 */
static void fold_check(struct http_side *sd, uint8_t after_lf)
{
    if (sd->fold_lines > 0 && (after_lf == ' ' || after_lf == '\t') && sd->cur)
        sd->cur->t.facts.obs_fold = 1;
}

static void scan_fold(struct http_side *sd, const uint8_t *p, size_t n)
{
    if (sd->is_request || !sd->in_msg || sd->hdr_measured || n == 0)
        return;
    if (sd->fold_lf) /* the previous bytes ended with a LF */
        fold_check(sd, p[0]);
    const uint8_t *q = p;
    const uint8_t *end = p + n;
    const uint8_t *lf;
    while ((lf = memchr(q, '\n', (size_t)(end - q))) != NULL) { /* memchr: fast on long lines */
        if (sd->fold_lines < 2)
            sd->fold_lines++;
        if (lf + 1 < end)
            fold_check(sd, lf[1]);
        q = lf + 1;
    }
    sd->fold_lf = end[-1] == '\n';
}

/* Bytes between messages after a bodyless response count for it. */
static void count_between(struct http_side *sd, size_t n)
{
    if (!sd->is_request && sd->s->bodyless && !sd->in_msg)
        sd->s->bodyless_bytes += n;
}

/* Bytes llhttp may take before the current message's start line and header section
 * pass their cap (--max-header-bytes); SIZE_MAX when no cap applies now. */
static size_t header_room(const struct http_side *sd)
{
    uint32_t cap = sd->s->cfg.max_header_section;
    if (cap == 0 || !sd->in_msg || sd->hdr_measured)
        return SIZE_MAX;
    uint64_t used = sd->off - sd->msg_start;
    return used >= cap ? 0 : (size_t)(cap - used);
}

/* The header section passed its cap: the message is rejected as a parser would
 * (Node's HPE_HEADER_OVERFLOW), and the side hunts for the next message. */
static void header_overflow(struct http_side *sd, size_t rest)
{
    char reason[64];
    snprintf(reason, sizeof reason, "Header section larger than %u bytes",
             (unsigned)sd->s->cfg.max_header_section);
    if (sd->s->cfg.hits)
        sd->s->cfg.hits->header_section++;
    on_error(sd, HTTP_ERR_HEADER_OVERFLOW, reason, rest);
}

/*
 * Run llhttp over p[0..n). Every callback that needs an offset pauses the parser;
 * the error position then tells exactly how many bytes belong before the event.
 */
void http_parse_feed(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts)
{
    size_t off = 0;
    sd->ts = ts;
    while (sd->mode == HTTP_MODE_PARSE) {
        if (sd->closed) {
            size_t skipped = after_close(sd, p + off, n - off);
            count_between(sd, skipped);
            off += skipped;
            if (off == n)
                return;
        }
        if (sd->in_line)
            keep_line(sd, p + off, n - off);
        size_t len = n - off;
        size_t room = header_room(sd);
        if (room == 0) {
            header_overflow(sd, len);
            return;
        }
        if (len > room)
            len = room;
        const char *at = (const char *)p + off;
        llhttp_errno_t err = llhttp_execute(&sd->parser, at, len);
        if (err == HPE_OK) {
            scan_fold(sd, p + off, len);
            count_between(sd, len);
            sd->off += len;
            off += len;
            if (off == n)
                return;
            continue; /* stopped at the cap: header_room says what next */
        }
        const char *pos = llhttp_get_error_pos(&sd->parser);
        size_t used = pos && pos >= at ? (size_t)(pos - at) : len;
        used = used > len ? len : used;
        scan_fold(sd, p + off, used);
        count_between(sd, used);
        sd->off += used;
        off += used;
        if (err == HPE_PAUSED) {
            llhttp_resume(&sd->parser);
            on_event(sd);
        } else if (err == HPE_PAUSED_UPGRADE) {
            if (!on_upgrade_pause(sd, n - off))
                return;
        } else {
            /* the value's scan stops where llhttp did: a comma starts a list (RFC 9110
             * §8.6 allows one of identical values), anything else is no number */
            if (err == HPE_INVALID_CONTENT_LENGTH && sd->hstate == HTTP_HS_VALUE && !sd->skip_field &&
                sd->scan.kind == HTTP_SCAN_CONTENT_LENGTH && !(off < n && p[off] == ','))
                sd->scan.cl_bad = 1;
            on_error(sd, err, llhttp_get_error_reason(&sd->parser), n - off);
            return;
        }
    }
}

/* End of the stream on one side: a close-delimited body completes, others are cut. */
void http_parse_end(struct http_side *sd)
{
    if (sd->mode != HTTP_MODE_PARSE || !sd->in_msg)
        return;
    if (sd->deferred) { /* content after a bodyless response, to the end */
        http_parse_bodyless_end(sd->s);
        sd->in_msg = 0;
        return;
    }
    sd->ts = sd->last_ts; /* RFC 9112 §6.3 (8): the body ended with the last byte */
    sd->event = HTTP_EV_NONE;
    llhttp_finish(&sd->parser);
    if (sd->event == HTTP_EV_COMPLETE) {
        sd->event = HTTP_EV_NONE;
        on_complete(sd);
    } else {
        http_parse_cut(sd, TXN_TRUNCATED);
    }
}

void http_parse_flush(struct http_session *s)
{
    http_parse_bodyless_end(s);
    s->held = NULL;
    struct http_pend *head = http_txq_head(&s->q);
    if (head && head->resp_done) /* answered early, its request cut: first in order */
        emit(s, http_txq_pop(&s->q));
    if (s->orphan) {
        struct http_pend *o = s->orphan;
        s->orphan = NULL;
        emit(s, o);
    }
    struct http_pend *pd;
    while ((pd = http_txq_pop(&s->q)) != NULL) /* requests without a final response */
        emit(s, pd);
}
