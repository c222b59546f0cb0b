/*
 * http_txq.h - the transactions of one connection: a spare record reused without
 * allocating per message, the FIFO of requests awaiting responses (pipelining,
 * RFC 9112 §9.3), and emission in seq order with the strings and --store-headers list.
 * Owns: every struct http_pend of a connection, the ring, the header list handed over.
 * In:   records filled by http.c.
 * Out:  struct txn through http_events.txn.
 * Never: parses; reads a record after it went back to the pool.
 */
#ifndef HTTPCAP_HTTP_TXQ_H
#define HTTPCAP_HTTP_TXQ_H

#include <stdint.h>

#include "http.h"
#include "http_fields.h"
#include "txn.h"

enum http_req_kind { HTTP_KIND_OTHER, HTTP_KIND_HEAD, HTTP_KIND_CONNECT };

/* One transaction being built: a request and its response, or either alone. */
struct http_pend {
    struct txn t;                /* its strings are pointed into strs at emission */
    struct http_pend *next_free; /* pool link while unused */
    struct http_strs strs;       /* the strings of t, and header values being read */
    struct http_hstore hs;       /* --store-headers lines */
    struct http_field_seen seen; /* kept fields already stored */
    uint8_t kind;                /* enum http_req_kind of the request */
    uint8_t req_done;            /* no more request bytes will come for it */
    uint8_t resp_done;           /* its final response is over (complete or cut) */
    uint8_t wait_after;          /* a bodyless response: emission waits until the bytes
                                    after it are counted (bytes_after_bodyless) */
};

struct http_txq {
    struct http_events ev;
    uint64_t connection_id;
    uint32_t emitted;           /* transactions handed over (the last seq) */
    uint32_t truncated;         /* of those, flagged TXN_TRUNCATED */
    uint32_t truncated_with_status; /* of those, with a final status */
    uint32_t max_pending;       /* most requests in the ring */
    uint8_t store_headers;      /* keep header lines (--store-headers) */
    uint32_t header_bytes;      /* their cap per transaction, bytes */
    struct http_pend **ring;    /* requests awaiting a final response, oldest at head */
    uint32_t ring_cap, head, count;
    struct http_pend *free_list; /* spare records, linked by next_free */
    uint32_t n_free;             /* their number, at most HTTP_TXQ_SPARE */
    struct txn_header *hdrs;    /* txn.headers during the hand-over */
    uint32_t hdrs_cap;
};

/* An empty queue (nothing allocated yet); cfg->max_pending 0 means 1024. Cannot fail. */
void http_txq_init(struct http_txq *q, const struct http_events *ev, uint64_t connection_id,
                   const struct http_config *cfg);

/* What an idle connection keeps: free records, and bytes of a record's buffers. */
#define HTTP_TXQ_SPARE 1u
#define HTTP_TXQ_SPARE_BYTES 4096u

/* A zeroed record (no strings, t's strings "") from the pool, or NULL when out of
 * memory. Owned by q. */
struct http_pend *http_txq_get(struct http_txq *q);

/* Give back a record that was never queued nor emitted: kept as a spare (its buffers
 * freed when larger than HTTP_TXQ_SPARE_BYTES) or freed. Cannot fail. */
void http_txq_put(struct http_txq *q, struct http_pend *pd);

/* The oldest queued request, or NULL. */
struct http_pend *http_txq_head(const struct http_txq *q);

/* The queued request at position i (0 is the oldest), or NULL past the newest. */
struct http_pend *http_txq_at(const struct http_txq *q, uint32_t i);

/* Remove and return the oldest queued request; NULL when empty. */
struct http_pend *http_txq_pop(struct http_txq *q);

/*
 * Queue pd as the newest request. When max_pending requests wait already, the
 * oldest is removed into *evicted for the caller to emit. Returns -1 (pd not
 * queued) only when no ring can be allocated at all.
 */
int http_txq_push(struct http_txq *q, struct http_pend *pd, struct http_pend **evicted);

/* Set connection_id, seq, the strings and the header list, call ev.txn, recycle pd.
 * Cannot fail. */
void http_txq_emit(struct http_txq *q, struct http_pend *pd);

/* Free every record (queued ones are dropped unemitted) and the ring. */
void http_txq_free(struct http_txq *q);

#endif
