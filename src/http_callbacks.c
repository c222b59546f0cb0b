/*
 * http_callbacks.c - the llhttp callbacks of one side: what the current message records.
 * Owns: http_settings; copying the request line, status line and header fields into the
 *       transaction in sd->cur, header facts (Content-Length repeats), body byte counts,
 *       and telling the response parser which answers carry no body.
 * In:   llhttp callbacks while http_parse.c runs llhttp_execute on a struct http_side.
 * Out:  fields of sd->cur and of sd; events (sd->event) that pause the parser.
 * Never: picks a transaction, emits one, or moves the parse offset (http_parse.c does).
 */
#include <string.h>

#include "http_session.h"

static int cb_message_begin(llhttp_t *p)
{
    ((struct http_side *)p->data)->event = HTTP_EV_BEGIN;
    return HPE_PAUSED; /* the loop in feed() learns the exact offset */
}

/* Append a piece of the request line or status line to string i of the transaction. */
static void keep_piece(llhttp_t *p, enum http_str i, const char *at, size_t n, size_t cap,
                       uint32_t cut_flag)
{
    struct http_pend *pd = ((struct http_side *)p->data)->cur;
    if (pd && http_strs_append(&pd->strs, i, at, n, cap - 1))
        pd->t.flags |= cut_flag;
}

static int cb_method(llhttp_t *p, const char *at, size_t n)
{
    keep_piece(p, HTTP_STR_METHOD, at, n, TXN_METHOD_MAX, TXN_FIELD_CUT);
    return 0;
}

static int cb_url(llhttp_t *p, const char *at, size_t n)
{
    struct http_side *sd = p->data;
    keep_piece(p, HTTP_STR_URI, at, n, http_uri_max(sd->s) + 1, TXN_URI_CUT);
    return 0;
}

/* What the response needs to know of its request's method. */
static uint8_t method_kind(const llhttp_t *p)
{
    return p->method == HTTP_HEAD      ? HTTP_KIND_HEAD
           : p->method == HTTP_CONNECT ? HTTP_KIND_CONNECT
                                       : HTTP_KIND_OTHER;
}

/* The method is known once the target follows it, even if the request fails later:
 * a server answering it (e.g. 400 to a bad header) knows it too (RFC 9112 §6.3 (1)). */
static int cb_url_complete(llhttp_t *p)
{
    struct http_side *sd = p->data;
    if (sd->cur && sd->is_request)
        sd->cur->kind = method_kind(p);
    return 0;
}

/* After a bodyless response, "HTTP/x.y" shows that a response starts, not more content. */
static int cb_version_complete(llhttp_t *p)
{
    struct http_side *sd = p->data;
    if (!sd->deferred)
        return 0;
    sd->event = HTTP_EV_VERSION;
    return HPE_PAUSED;
}

static int cb_status(llhttp_t *p, const char *at, size_t n)
{
    keep_piece(p, HTTP_STR_REASON, at, n, TXN_REASON_MAX, TXN_FIELD_CUT);
    return 0;
}

static int cb_status_complete(llhttp_t *p)
{
    struct http_side *sd = p->data;
    int status = p->status_code;
    sd->status_seen = 1;
    /* RFC 9110 §15.2: 1xx are interim; 101 ends HTTP/1.x on the connection */
    sd->is_interim = status / 100 == 1 && status != 101;
    if (sd->cur)
        sd->cur->t.status = status;
    return 0;
}

/* A field line starts: 1 when it is past max_headers (counted once per message, the
 * transaction flagged field-cut); such a line is not examined or stored. */
static int field_past_cap(struct http_side *sd)
{
    uint32_t cap = sd->s->cfg.max_headers;
    if (cap == 0 || sd->n_fields < cap) {
        sd->n_fields++;
        return 0;
    }
    if (!sd->fields_over) {
        sd->fields_over = 1;
        if (sd->s->cfg.hits)
            sd->s->cfg.hits->headers++;
        if (sd->cur)
            sd->cur->t.flags |= TXN_FIELD_CUT;
    }
    return 1;
}

static int cb_header_field(llhttp_t *p, const char *at, size_t n)
{
    struct http_side *sd = p->data;
    if (sd->hstate != HTTP_HS_NAME) {
        sd->hstate = HTTP_HS_NAME;
        sd->skip_field = (uint8_t)field_past_cap(sd);
        if (sd->skip_field)
            return 0;
        http_name_reset(&sd->name);
        if (sd->cur)
            http_hstore_begin(&sd->cur->hs, !sd->is_request);
    } else if (sd->skip_field) {
        return 0;
    }
    http_name_add(&sd->name, at, n);
    if (sd->cur)
        http_hstore_add(&sd->cur->hs, at, n);
    return 0;
}

static int cb_header_field_complete(llhttp_t *p)
{
    struct http_side *sd = p->data;
    sd->hstate = HTTP_HS_VALUE;
    if (sd->skip_field)
        return 0;
    http_value_begin(&sd->val, sd->cur ? &sd->cur->strs : NULL,
                     http_field_lookup(&sd->name, !sd->is_request), !sd->is_request);
    http_scan_begin(&sd->scan, &sd->name);
    if (sd->hdr_measured)
        sd->scan.kind = HTTP_SCAN_NONE; /* a trailer field: not the header section */
    /* RFC 9110 §8.6: a repeated Content-Length with the same value may be accepted, but
     * llhttp rejects any repeat; let it read this one, and check the value when done */
    if (!sd->is_request && sd->scan.kind == HTTP_SCAN_CONTENT_LENGTH &&
        (p->flags & F_CONTENT_LENGTH)) {
        p->flags = (uint16_t)(p->flags & ~F_CONTENT_LENGTH);
        p->content_length = 0; /* llhttp adds the digits to what it holds */
        sd->cl_dup = 1;
    }
    if (sd->cur)
        http_hstore_value(&sd->cur->hs);
    return 0;
}

static int cb_header_value(llhttp_t *p, const char *at, size_t n)
{
    struct http_side *sd = p->data;
    if (sd->skip_field)
        return 0;
    http_value_add(&sd->val, sd->cur ? &sd->cur->strs : NULL, at, n);
    http_scan_add(&sd->scan, at, n);
    if (sd->cur)
        http_hstore_add(&sd->cur->hs, at, n);
    return 0;
}

int http_header_value_complete(llhttp_t *p)
{
    struct http_side *sd = p->data;
    if (sd->skip_field) {
        sd->skip_field = 0;
        sd->hstate = HTTP_HS_NONE;
        return 0;
    }
    struct txn_facts spare_facts;
    enum http_scan_where where = sd->is_request   ? HTTP_SCAN_REQUEST
                                 : sd->is_interim ? HTTP_SCAN_INTERIM
                                                  : HTTP_SCAN_FINAL;
    int differs;
    if (sd->cur) {
        http_field_apply(&sd->cur->strs, &sd->cur->t.flags, &sd->cur->seen, &sd->val);
        http_hstore_end(&sd->cur->hs);
        differs = http_scan_end(&sd->scan, where, &sd->cur->t.facts, &sd->cl);
    } else {
        memset(&spare_facts, 0, sizeof(spare_facts));
        differs = http_scan_end(&sd->scan, where, &spare_facts, &sd->cl);
    }
    sd->hstate = HTTP_HS_NONE;
    sd->val.field = HTTP_FIELD_NONE;
    if (sd->cl_dup) {
        sd->cl_dup = 0;
        p->flags |= F_CONTENT_LENGTH;
        if (differs) { /* RFC 9112 §6.3 (5): unrecoverable; llhttp's error is kept */
            sd->cl_dup_bad = 1;
            return -1;
        }
    }
    return 0;
}

/* Content-Length of an identity body, so a gap inside it can be stepped over. */
static uint64_t identity_length(const llhttp_t *p)
{
    if ((p->flags & F_CONTENT_LENGTH) && !(p->flags & (F_CHUNKED | F_TRANSFER_ENCODING)))
        return p->content_length;
    return 0;
}

static int request_headers_complete(llhttp_t *p, struct http_side *sd)
{
    struct http_pend *pd = sd->cur;
    if (pd) {
        pd->t.req_major = p->http_major;
        pd->t.req_minor = p->http_minor;
        pd->kind = method_kind(p);
    }
    sd->body_left = identity_length(p);
    sd->event = HTTP_EV_HEADERS;
    return HPE_PAUSED;
}

/*
 * The response parser cannot know what it answers: tell it. 1 = no body, 2 = no body
 * and the rest of the connection is another protocol, HPE_PAUSED = measure the header.
 */
static int response_headers_complete(llhttp_t *p, struct http_side *sd)
{
    struct http_pend *pd = sd->cur;
    int status = p->status_code;
    uint8_t kind = pd ? pd->kind : HTTP_KIND_OTHER;
    if (pd) {
        pd->t.resp_major = p->http_major;
        pd->t.resp_minor = p->http_minor;
    }
    if (status / 100 == 1 && status != 101)
        return 1; /* RFC 9110 §15.2: a 1xx ends at its header section */
    if (status == 101)
        return 2; /* RFC 9110 §15.2.2: the new protocol starts after the blank line */
    if (kind == HTTP_KIND_CONNECT && status / 100 == 2)
        return 2; /* RFC 9110 §9.3.6: a 2xx to CONNECT turns the connection into a tunnel */
    if (kind == HTTP_KIND_HEAD || status == 204 || status == 304)
        return 1; /* RFC 9112 §6.3 (1): these end at the blank line, whatever the headers */
    sd->body_left = identity_length(p);
    sd->eof_body = (uint8_t)llhttp_message_needs_eof(p); /* RFC 9112 §6.3 (8) */
    sd->event = HTTP_EV_HEADERS;
    return HPE_PAUSED;
}

static int cb_headers_complete(llhttp_t *p)
{
    struct http_side *sd = p->data;
    return sd->is_request ? request_headers_complete(p, sd) : response_headers_complete(p, sd);
}

static int cb_body(llhttp_t *p, const char *at, size_t n)
{
    struct http_side *sd = p->data;
    struct txn *t = sd->cur ? &sd->cur->t : NULL;
    (void)at;
    if (t && sd->is_request)
        t->request_body_bytes += n;
    else if (t)
        t->response_body_bytes += n;
    sd->body_left -= n < sd->body_left ? n : sd->body_left;
    return 0;
}

static int cb_message_complete(llhttp_t *p)
{
    ((struct http_side *)p->data)->event = HTTP_EV_COMPLETE;
    return HPE_PAUSED;
}

const llhttp_settings_t http_settings = {
    .on_message_begin = cb_message_begin,
    .on_url = cb_url,
    .on_url_complete = cb_url_complete,
    .on_status = cb_status,
    .on_method = cb_method,
    .on_header_field = cb_header_field,
    .on_header_value = cb_header_value,
    .on_headers_complete = cb_headers_complete,
    .on_body = cb_body,
    .on_message_complete = cb_message_complete,
    .on_status_complete = cb_status_complete,
    .on_version_complete = cb_version_complete,
    .on_header_field_complete = cb_header_field_complete,
    .on_header_value_complete = http_header_value_complete,
};

