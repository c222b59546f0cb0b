/*
 * http_fields.c - capped copies of the header values a transaction keeps, and the
 * --store-headers lines of one transaction.
 * Owns: name matching, OWS trimming, NUL replacement, cut flags, the line buffer.
 * In:   name and value pieces from llhttp callbacks, split anywhere.
 * Out:  strings in struct txn; struct txn_header lists.
 * Never: keeps a pointer into the caller's data; grows past a cap.
 */
#include "http_fields.h"

#include <stdlib.h>
#include <string.h>

#define HSTORE_FIRST_ALLOC 512u

struct field_name {
    const char *name; /* lower case */
    uint8_t field;    /* enum http_field */
    uint8_t is_response;
};

/* The request-id sources appear in priority order, as in enum http_field. */
static const struct field_name field_names[] = {
    {"host", HTTP_FIELD_HOST, 0},
    {"user-agent", HTTP_FIELD_USER_AGENT, 0},
    {"x-request-id", HTTP_FIELD_RID_FIRST, 0},
    {"x-correlation-id", HTTP_FIELD_RID_CORRELATION, 0},
    {"traceparent", HTTP_FIELD_RID_TRACEPARENT, 0},
    {"x-amzn-trace-id", HTTP_FIELD_RID_AMZN, 0},
    {"x-b3-traceid", HTTP_FIELD_RID_B3, 0},
    {"cf-ray", HTTP_FIELD_RID_LAST, 0},
    {"content-type", HTTP_FIELD_CONTENT_TYPE, 1},
    {"content-encoding", HTTP_FIELD_CONTENT_ENCODING, 1},
    {"server", HTTP_FIELD_SERVER, 1},
    {"location", HTTP_FIELD_LOCATION, 1},
};

#define RESPONSE_FIELD_BITS                                                          \
    ((1u << HTTP_FIELD_CONTENT_TYPE) | (1u << HTTP_FIELD_CONTENT_ENCODING) |        \
     (1u << HTTP_FIELD_SERVER) | (1u << HTTP_FIELD_LOCATION))

/* RFC 9110 §5.6.3: OWS = *( SP / HTAB ) */
static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

void http_name_reset(struct http_name *nm)
{
    nm->len = 0;
}

/* Count every byte: a name longer than the buffer must not match a short one. */
void http_name_add(struct http_name *nm, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (nm->len < HTTP_NAME_MAX)
            nm->buf[nm->len] = p[i];
        if (nm->len < UINT32_MAX)
            nm->len++;
    }
}

/* RFC 9110 §5.1: field names are case-insensitive. */
enum http_field http_field_lookup(const struct http_name *nm, int is_response)
{
    if (nm->len == 0 || nm->len > HTTP_NAME_MAX)
        return HTTP_FIELD_NONE;
    for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
        const struct field_name *f = &field_names[i];
        if ((f->is_response != 0) != (is_response != 0) || strlen(f->name) != nm->len)
            continue;
        size_t k = 0;
        while (k < nm->len && lower(nm->buf[k]) == f->name[k])
            k++;
        if (k == nm->len)
            return (enum http_field)f->field;
    }
    return HTTP_FIELD_NONE;
}

void http_value_reset(struct http_value *v)
{
    v->len = 0;
    v->total = 0;
    v->keep = 0;
}

/*
 * Pieces arrive split anywhere (segments, llhttp spans, obs-fold). Keep the first
 * bytes and count all, so a cut is known even when the cut part is only OWS.
 */
void http_value_add(struct http_value *v, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (v->total == 0 && is_ows(c))
            continue; /* RFC 9110 §5.5: leading OWS is not part of the value */
        if (v->len < sizeof(v->buf))
            v->buf[v->len++] = c == '\0' ? '?' : c;
        v->total++;
        if (!is_ows(c))
            v->keep = v->total;
    }
}

/* Copy the trimmed value into dst (cap bytes with its NUL); 1 when cut. */
static int copy_value(char *dst, size_t cap, const struct http_value *v)
{
    size_t want = v->keep > v->len ? v->len : (size_t)v->keep;
    size_t n = want < cap - 1 ? want : cap - 1;
    memcpy(dst, v->buf, n);
    dst[n] = '\0';
    return v->keep > cap - 1;
}

static void store(struct txn *t, char *dst, size_t cap, const struct http_value *v)
{
    if (copy_value(dst, cap, v))
        t->flags |= TXN_FIELD_CUT;
}

/* The first request-id source present wins by list position, not by arrival. */
static void apply_request_id(struct txn *t, struct http_field_seen *seen, enum http_field f,
                             const struct http_value *v)
{
    uint8_t rank = (uint8_t)(f - HTTP_FIELD_RID_FIRST + 1);
    if (seen->rid_rank != 0 && seen->rid_rank <= rank)
        return;
    seen->rid_rank = rank;
    store(t, t->request_id, sizeof(t->request_id), v);
}

void http_field_apply(struct txn *t, struct http_field_seen *seen, enum http_field f,
                      const struct http_value *v)
{
    if (f == HTTP_FIELD_NONE)
        return;
    if (f >= HTTP_FIELD_RID_FIRST && f <= HTTP_FIELD_RID_LAST) {
        apply_request_id(t, seen, f, v);
        return;
    }
    if (seen->bits & (1u << f))
        return;
    seen->bits |= 1u << f;
    switch (f) {
    case HTTP_FIELD_HOST:
        store(t, t->host, sizeof(t->host), v);
        break;
    case HTTP_FIELD_USER_AGENT:
        store(t, t->user_agent, sizeof(t->user_agent), v);
        break;
    case HTTP_FIELD_CONTENT_TYPE:
        store(t, t->content_type, sizeof(t->content_type), v);
        break;
    case HTTP_FIELD_CONTENT_ENCODING:
        store(t, t->content_encoding, sizeof(t->content_encoding), v);
        break;
    case HTTP_FIELD_SERVER:
        store(t, t->server, sizeof(t->server), v);
        break;
    case HTTP_FIELD_LOCATION:
        store(t, t->location, sizeof(t->location), v);
        break;
    default:
        break;
    }
}

void http_field_forget_response(struct http_field_seen *seen)
{
    seen->bits &= ~RESPONSE_FIELD_BITS;
}

/* dst is our own copy and always NUL-terminated, so strnlen is safe here. */
int http_append(char *dst, size_t cap, const char *p, size_t n)
{
    size_t len = strnlen(dst, cap - 1);
    size_t room = cap - 1 - len;
    size_t k = n < room ? n : room;
    for (size_t i = 0; i < k; i++)
        dst[len + i] = p[i] == '\0' ? '?' : p[i];
    dst[len + k] = '\0';
    return k < n;
}

void http_hstore_start(struct http_hstore *h, int on, uint32_t max)
{
    h->on = (uint8_t)(on != 0);
    h->len = 0;
    h->max = max;
    h->n = 0;
    h->mark = 0;
    h->vstart = 0;
    h->open = 0;
    h->cut = 0;
}

/* Drop the entry being written: the cap is reached, nothing later is kept. */
static void hstore_overflow(struct http_hstore *h)
{
    h->len = h->mark;
    h->open = 0;
    h->cut = 1;
}

/* Make room for n more bytes within the cap, doubling (first 512 bytes) so most
 * transactions never allocate more than once; 0 on success. */
static int hstore_room(struct http_hstore *h, size_t n)
{
    if (n > (size_t)(h->max - h->len))
        return -1;
    if (h->len + n <= h->alloc)
        return 0;
    uint32_t want = h->alloc ? h->alloc : HSTORE_FIRST_ALLOC;
    while (want < h->len + n)
        want = want > h->max / 2 ? h->max : want * 2;
    if (want > h->max)
        want = h->max;
    char *nb = realloc(h->buf, want);
    if (!nb)
        return -1;
    h->buf = nb;
    h->alloc = want;
    return 0;
}

static void hstore_put(struct http_hstore *h, const char *p, size_t n)
{
    if (hstore_room(h, n) != 0) {
        hstore_overflow(h);
        return;
    }
    for (size_t i = 0; i < n; i++)
        h->buf[h->len + i] = p[i] == '\0' ? '?' : p[i];
    h->len += (uint32_t)n;
}

/* End a name or a value with its NUL (a terminator, unlike NUL bytes from the wire). */
static void hstore_nul(struct http_hstore *h)
{
    if (hstore_room(h, 1) != 0) {
        hstore_overflow(h);
        return;
    }
    h->buf[h->len++] = '\0';
}

void http_hstore_begin(struct http_hstore *h, int is_response)
{
    if (!h->on || h->cut)
        return;
    if (h->open)
        h->len = h->mark; /* an unfinished line: cannot happen with llhttp */
    h->mark = h->len;
    h->vstart = 0;
    h->open = 1;
    if (hstore_room(h, 1) != 0) {
        hstore_overflow(h);
        return;
    }
    h->buf[h->len++] = is_response ? 1 : 0;
}

void http_hstore_add(struct http_hstore *h, const char *p, size_t n)
{
    if (!h->open)
        return;
    if (h->vstart != 0 && h->len == h->vstart) {
        while (n > 0 && is_ows(*p)) { /* leading OWS, as for kept values */
            p++;
            n--;
        }
    }
    hstore_put(h, p, n);
}

void http_hstore_value(struct http_hstore *h)
{
    if (!h->open)
        return;
    hstore_nul(h);
    if (h->open)
        h->vstart = h->len;
}

void http_hstore_end(struct http_hstore *h)
{
    if (!h->open)
        return;
    if (h->vstart == 0)
        http_hstore_value(h); /* a name without a value: cannot happen with llhttp */
    if (!h->open)
        return;
    while (h->len > h->vstart && is_ows(h->buf[h->len - 1]))
        h->len--;
    hstore_nul(h);
    if (!h->open)
        return;
    h->open = 0;
    h->n++;
}

/* Entries are self-delimiting (flag, name NUL, value NUL): walk them with memchr. */
uint32_t http_hstore_list(const struct http_hstore *h, struct txn_header *out, uint32_t max)
{
    uint32_t k = 0;
    size_t pos = 0;
    size_t end = h->open ? h->mark : h->len;
    while (k < max && k < h->n && pos < end) {
        const char *name = h->buf + pos + 1;
        const char *nul = memchr(name, '\0', end - pos - 1);
        if (!nul)
            break;
        const char *value = nul + 1;
        const char *vnul = memchr(value, '\0', end - (size_t)(value - h->buf));
        if (!vnul)
            break;
        out[k].is_response = (uint8_t)h->buf[pos];
        out[k].name = name;
        out[k].value = value;
        k++;
        pos = (size_t)(vnul + 1 - h->buf);
    }
    return k;
}

void http_hstore_free(struct http_hstore *h)
{
    free(h->buf);
    h->buf = NULL;
    h->alloc = 0;
    h->len = 0;
    h->n = 0;
}
