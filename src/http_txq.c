/*
 * http_txq.c - the transactions of one connection: record pool, request FIFO, emission.
 * Owns: the records (a spare one reused), the ring (grown up to max_pending),
 *       the header list of the transaction being handed over.
 * In:   records from http.c.
 * Out:  struct txn through http_events.txn, seq numbered in emit order.
 * Never: parses; allocates per message while requests are not pipelined.
 */
#include "http_txq.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_PENDING 1024u
#define FIRST_RING 4u

void http_txq_init(struct http_txq *q, const struct http_events *ev, uint64_t connection_id,
                   const struct http_config *cfg)
{
    memset(q, 0, sizeof(*q));
    if (ev)
        q->ev = *ev;
    q->connection_id = connection_id;
    q->max_pending = cfg->max_pending ? cfg->max_pending : DEFAULT_MAX_PENDING;
    q->store_headers = cfg->store_headers;
    q->header_bytes = cfg->max_stored_header_bytes;
}

struct http_pend *http_txq_get(struct http_txq *q)
{
    struct http_pend *pd = q->free_list;
    if (pd) {
        q->free_list = pd->next_free;
        q->n_free--;
    } else if (!(pd = calloc(1, sizeof(*pd))))
        return NULL;
    memset(&pd->t, 0, sizeof(pd->t)); /* a record is zeroed for every use */
    http_strs_clear(&pd->strs);
    http_strs_fill(&pd->strs, &pd->t);
    http_hstore_start(&pd->hs, q->store_headers, q->header_bytes);
    memset(&pd->seen, 0, sizeof(pd->seen));
    pd->kind = HTTP_KIND_OTHER;
    pd->req_done = 0;
    pd->resp_done = 0;
    pd->wait_after = 0;
    pd->next_free = NULL;
    return pd;
}

static void free_pend(struct http_pend *pd)
{
    http_strs_free(&pd->strs);
    http_hstore_free(&pd->hs);
    free(pd);
}

/* Keep what a keep-alive connection reuses for its next request, and no more. */
void http_txq_put(struct http_txq *q, struct http_pend *pd)
{
    if (q->n_free >= HTTP_TXQ_SPARE) {
        free_pend(pd);
        return;
    }
    http_strs_shrink(&pd->strs, HTTP_TXQ_SPARE_BYTES);
    if (pd->hs.alloc > HTTP_TXQ_SPARE_BYTES)
        http_hstore_free(&pd->hs);
    pd->next_free = q->free_list;
    q->free_list = pd;
    q->n_free++;
}

struct http_pend *http_txq_head(const struct http_txq *q)
{
    return q->count ? q->ring[q->head] : NULL;
}

struct http_pend *http_txq_at(const struct http_txq *q, uint32_t i)
{
    return i < q->count ? q->ring[(q->head + i) % q->ring_cap] : NULL;
}

struct http_pend *http_txq_pop(struct http_txq *q)
{
    if (q->count == 0)
        return NULL;
    struct http_pend *pd = q->ring[q->head];
    q->head = (q->head + 1) % q->ring_cap;
    q->count--;
    return pd;
}

/* Double the ring (up to max_pending); 0 on success. */
static int grow(struct http_txq *q)
{
    if (q->ring_cap >= q->max_pending)
        return -1;
    uint32_t cap = q->ring_cap ? q->ring_cap * 2 : FIRST_RING;
    cap = cap > q->max_pending ? q->max_pending : cap;
    struct http_pend **nr = malloc(cap * sizeof(*nr));
    if (!nr)
        return -1;
    for (uint32_t i = 0; i < q->count; i++)
        nr[i] = q->ring[(q->head + i) % q->ring_cap];
    free(q->ring);
    q->ring = nr;
    q->ring_cap = cap;
    q->head = 0;
    return 0;
}

int http_txq_push(struct http_txq *q, struct http_pend *pd, struct http_pend **evicted)
{
    *evicted = NULL;
    if (q->count >= q->ring_cap && grow(q) != 0) {
        if (q->count == 0)
            return -1;
        *evicted = http_txq_pop(q); /* the cap: the oldest goes out unanswered */
    }
    q->ring[(q->head + q->count) % q->ring_cap] = pd;
    q->count++;
    return 0;
}

/* Point t->headers at pd's stored lines, in a list kept by q until the next call. */
static void list_headers(struct http_txq *q, struct http_pend *pd)
{
    struct txn *t = &pd->t;
    if (pd->hs.n > q->hdrs_cap) {
        struct txn_header *nh = realloc(q->hdrs, pd->hs.n * sizeof(*nh));
        if (nh) {
            q->hdrs = nh;
            q->hdrs_cap = pd->hs.n;
        }
    }
    t->n_headers = q->hdrs ? http_hstore_list(&pd->hs, q->hdrs, q->hdrs_cap) : 0;
    t->headers = t->n_headers ? q->hdrs : NULL;
    if (t->n_headers < pd->hs.n)
        t->flags |= TXN_HEADERS_CUT;
}

void http_txq_emit(struct http_txq *q, struct http_pend *pd)
{
    struct txn *t = &pd->t;
    t->connection_id = q->connection_id;
    t->seq = ++q->emitted;
    t->headers = NULL;
    t->n_headers = 0;
    if (pd->hs.cut)
        t->flags |= TXN_HEADERS_CUT;
    if (pd->hs.n > 0)
        list_headers(q, pd);
    http_strs_fill(&pd->strs, t);
    q->truncated += (t->flags & TXN_TRUNCATED) != 0;
    q->truncated_with_status += (t->flags & TXN_TRUNCATED) && t->has_response;
    if (q->ev.txn)
        q->ev.txn(q->ev.user, t);
    t->headers = NULL;
    http_txq_put(q, pd);
}

void http_txq_free(struct http_txq *q)
{
    struct http_pend *pd;
    while ((pd = http_txq_pop(q)) != NULL)
        free_pend(pd);
    while ((pd = q->free_list) != NULL) {
        q->free_list = pd->next_free;
        free_pend(pd);
    }
    q->n_free = 0;
    free(q->ring);
    free(q->hdrs);
    q->ring = NULL;
    q->hdrs = NULL;
    q->ring_cap = 0;
    q->hdrs_cap = 0;
}
