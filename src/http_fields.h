/*
 * http_fields.h - capped copies of the header values a transaction keeps, and the
 * --store-headers lines of one transaction.
 * Owns: header-name matching (case-insensitive), OWS trimming, NUL replacement, cut
 *       flags, and one line buffer per transaction grown up to its cap.
 * In:   pieces of names and values in any split, as llhttp hands them over.
 * Out:  NUL-terminated strings in struct txn; struct txn_header lists at emit time.
 * Never: keeps a pointer into the caller's data; grows a buffer past its cap.
 */
#ifndef HTTPCAP_HTTP_FIELDS_H
#define HTTPCAP_HTTP_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "txn.h"

/* The headers a transaction keeps. Request-id sources are in priority order. */
enum http_field {
    HTTP_FIELD_NONE,
    HTTP_FIELD_HOST,
    HTTP_FIELD_USER_AGENT,
    HTTP_FIELD_RID_FIRST, /* X-Request-ID: highest priority */
    HTTP_FIELD_RID_CORRELATION,
    HTTP_FIELD_RID_TRACEPARENT,
    HTTP_FIELD_RID_AMZN,
    HTTP_FIELD_RID_B3,
    HTTP_FIELD_RID_LAST, /* CF-Ray: lowest priority */
    HTTP_FIELD_CONTENT_TYPE,
    HTTP_FIELD_CONTENT_ENCODING,
    HTTP_FIELD_SERVER,
    HTTP_FIELD_LOCATION
};

#define HTTP_NAME_MAX 32 /* longer names match no kept field */

/* A header name gathered from pieces; len counts every byte, buf holds the first. */
struct http_name {
    char buf[HTTP_NAME_MAX];
    uint32_t len;
};

/* A header value gathered from pieces, leading OWS dropped. */
struct http_value {
    char buf[TXN_LOCATION_MAX]; /* first bytes of the value, NUL replaced by '?' */
    uint32_t len;               /* bytes in buf */
    uint64_t total;             /* value bytes seen after leading OWS */
    uint64_t keep;              /* total up to the last non-OWS byte (trailing OWS cut) */
};

/* Which kept fields a transaction already has (first occurrence wins). */
struct http_field_seen {
    uint32_t bits;    /* 1 << enum http_field */
    uint8_t rid_rank; /* rank of the stored request id, 0 when none */
};

/* --store-headers lines of one transaction: entries of flag byte, name NUL, value NUL. */
struct http_hstore {
    char *buf;      /* owned; grown up to max */
    uint32_t len;   /* bytes used */
    uint32_t alloc; /* bytes allocated */
    uint32_t max;   /* cap in bytes (config.max_header_bytes) */
    uint32_t n;     /* complete entries */
    uint32_t mark;  /* start of the entry being written */
    uint32_t vstart;/* start of its value, 0 while in the name */
    uint8_t on;     /* lines are kept (--store-headers) */
    uint8_t open;   /* an entry is being written */
    uint8_t cut;    /* the cap was hit: later lines are not kept */
};

void http_name_reset(struct http_name *nm);
void http_name_add(struct http_name *nm, const char *p, size_t n);
/* The kept field this name is, for a request (is_response 0) or response header. */
enum http_field http_field_lookup(const struct http_name *nm, int is_response);

void http_value_reset(struct http_value *v);
void http_value_add(struct http_value *v, const char *p, size_t n);

/*
 * Store a completed value of field f into t unless an earlier one wins (first
 * occurrence; request ids by priority). A cut sets TXN_FIELD_CUT. Cannot fail.
 */
void http_field_apply(struct txn *t, struct http_field_seen *seen, enum http_field f,
                      const struct http_value *v);

/* Forget the response fields (a final response follows a 1xx). Cannot fail. */
void http_field_forget_response(struct http_field_seen *seen);

/*
 * Append n bytes of p to the NUL-terminated string in dst (cap bytes with the NUL),
 * NUL bytes becoming '?'. Returns 1 when bytes did not fit (the copy is cut), else 0.
 */
int http_append(char *dst, size_t cap, const char *p, size_t n);

/* Empty the store for a new transaction; keep lines when on, at most max bytes. */
void http_hstore_start(struct http_hstore *h, int on, uint32_t max);
/* Begin a line; add name pieces; http_hstore_value() between name and value pieces;
 * http_hstore_end() completes it. Past the cap the line is dropped and cut is set. */
void http_hstore_begin(struct http_hstore *h, int is_response);
void http_hstore_add(struct http_hstore *h, const char *p, size_t n);
void http_hstore_value(struct http_hstore *h);
void http_hstore_end(struct http_hstore *h);
/* Fill out[0..max) with pointers into h->buf (valid until h changes); returns the count. */
uint32_t http_hstore_list(const struct http_hstore *h, struct txn_header *out, uint32_t max);
/* Free the buffer. Cannot fail. */
void http_hstore_free(struct http_hstore *h);

#endif
