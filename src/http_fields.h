/*
 * http_fields.h - capped copies of the strings a transaction keeps (request line, reason,
 * kept header values, parse errors), the --store-headers lines of one transaction, and
 * the header facts of struct txn_facts (checked headers present, Content-Length list).
 * Owns: header-name matching (case-insensitive), OWS trimming, NUL replacement, cut
 *       flags, one string buffer and one line buffer per transaction, each grown on
 *       demand up to its cap.
 * In:   pieces of names and values in any split, as llhttp hands them over.
 * Out:  NUL-terminated strings for struct txn and struct txn_header lists at emit time.
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
    HTTP_FIELD_LOCATION,
    HTTP_FIELD_REQ_UPGRADE,
    HTTP_FIELD_RESP_UPGRADE
};

#define HTTP_NAME_MAX 32 /* longer names match no kept field */

/* A header name gathered from pieces; len counts every byte, buf holds the first. */
struct http_name {
    char buf[HTTP_NAME_MAX]; /* its first bytes, lower-cased */
    uint32_t len;
};

/*
 * The strings of one transaction. The first ones are those of struct txn; each side
 * also has a slot where a kept header value gathers until it is complete (it may
 * lose to an earlier or better one).
 */
#define HTTP_STR_FIELDS(X)                                          \
    X(HTTP_STR_METHOD, method, TXN_METHOD_MAX)                      \
    X(HTTP_STR_HOST, host, TXN_HOST_MAX)                            \
    X(HTTP_STR_URI, uri, TXN_URI_MAX)                               \
    X(HTTP_STR_USER_AGENT, user_agent, TXN_VALUE_MAX)               \
    X(HTTP_STR_REQUEST_ID, request_id, TXN_VALUE_MAX)               \
    X(HTTP_STR_REASON, reason, TXN_REASON_MAX)                      \
    X(HTTP_STR_CONTENT_TYPE, content_type, TXN_VALUE_MAX)           \
    X(HTTP_STR_CONTENT_ENCODING, content_encoding, TXN_VALUE_MAX)   \
    X(HTTP_STR_SERVER, server, TXN_VALUE_MAX)                       \
    X(HTTP_STR_LOCATION, location, TXN_LOCATION_MAX)                \
    X(HTTP_STR_REQUEST_ERROR, request_error, TXN_ERROR_MAX)         \
    X(HTTP_STR_RESPONSE_ERROR, response_error, TXN_ERROR_MAX)       \
    X(HTTP_STR_REQ_UPGRADE, facts.req_upgrade, TXN_VALUE_MAX)       \
    X(HTTP_STR_RESP_UPGRADE, facts.resp_upgrade, TXN_VALUE_MAX)

enum http_str {
#define HTTP_STR_ENUM(id, member, cap) id,
    HTTP_STR_FIELDS(HTTP_STR_ENUM)
#undef HTTP_STR_ENUM
    HTTP_STR_VALUE_REQ,  /* a request header value being read (< TXN_LOCATION_MAX) */
    HTTP_STR_VALUE_RESP, /* a response header value being read (< TXN_LOCATION_MAX) */
    HTTP_STR_LINE,       /* the request line as sent, until its headers (< HTTP_LINE_MAX) */
    HTTP_STR_COUNT
};

/* Bytes of a request line kept raw, the NUL included. */
#define HTTP_LINE_MAX TXN_URI_MAX

/* The most a transaction's strings take, NULs included: the sum of their caps. */
#define HTTP_STR_CAP_SUM(id, member, cap) +(cap)
#define HTTP_STRS_MAX \
    (0 HTTP_STR_FIELDS(HTTP_STR_CAP_SUM) + 2 * TXN_LOCATION_MAX + HTTP_LINE_MAX)

/*
 * The strings of one transaction in one buffer, packed in no particular order, each
 * followed by its NUL. Positions are offsets because the buffer moves when it grows.
 * Invariant: len is the sum of n[i] + 1 over the present strings, len <= cap.
 */
struct http_strs {
    char *buf;                    /* owned; NULL until the first string */
    uint32_t len;                 /* bytes used */
    uint32_t cap;                 /* bytes allocated, at most HTTP_STRS_MAX */
    uint16_t off[HTTP_STR_COUNT]; /* where string i starts in buf, when present */
    uint16_t n[HTTP_STR_COUNT];   /* its length in bytes, without the NUL */
    uint32_t has;                 /* bit i: string i is present */
};

/* A header value being read into a transaction's slot, leading OWS dropped. */
struct http_value {
    uint64_t total; /* value bytes seen after leading OWS */
    uint64_t keep;  /* total up to the last non-OWS byte (trailing OWS cut) */
    uint16_t max;   /* bytes the field keeps (its cap without the NUL) */
    uint8_t field;  /* enum http_field, HTTP_FIELD_NONE when not kept */
    uint8_t slot;   /* enum http_str where its bytes gather */
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
    uint32_t max;   /* cap in bytes (config.max_stored_header_bytes) */
    uint32_t n;     /* complete entries */
    uint32_t mark;  /* start of the entry being written */
    uint32_t vstart;/* start of its value, 0 while in the name */
    uint8_t on;     /* lines are kept (--store-headers) */
    uint8_t open;   /* an entry is being written */
    uint8_t cut;    /* the cap was hit: later lines are not kept */
};

void http_name_reset(struct http_name *nm);
/* Add a piece of the name (pieces may split it anywhere); buf keeps it lower-cased, for
 * http_field_lookup and http_scan_begin. Cannot fail. */
void http_name_add(struct http_name *nm, const char *p, size_t n);
/* The kept field this name is, for a request (is_response 0) or response header. */
enum http_field http_field_lookup(const struct http_name *nm, int is_response);

/* 0 when the by-length indexes of the name tables list every name exactly once under
 * its length, -1 otherwise (for the unit tests). */
int http_fields_selfcheck(void);

/* Forget every string; the buffer stays for reuse. Cannot fail. */
void http_strs_clear(struct http_strs *a);

/* Forget string i; the strings after it move down. Cannot fail. */
void http_strs_drop(struct http_strs *a, enum http_str i);

/*
 * Append n bytes of p to string i (made the last in the buffer first), NUL bytes
 * becoming '?', keeping at most max bytes in it. Returns 1 when bytes were not kept
 * (past max, or no memory to grow the buffer), else 0. p is not kept.
 */
int http_strs_append(struct http_strs *a, enum http_str i, const char *p, size_t n, size_t max);

/* Replace string i by n bytes of p, as http_strs_append. */
int http_strs_set(struct http_strs *a, enum http_str i, const char *p, size_t n, size_t max);

/* String i, NUL-terminated, "" when absent; valid until a changes. */
const char *http_strs_get(const struct http_strs *a, enum http_str i);

/*
 * The request line kept raw in HTTP_STR_LINE (because llhttp rejected it) becomes the
 * method, as sent up to the first SP or line end, and the uri, up to the next SP or
 * line end, of which at most uri_max bytes are kept. The raw copy is dropped; without
 * one nothing changes. A method or uri that runs to the end of the copy (its cap, or a
 * line whose end never came) may be cut: TXN_FIELD_CUT or TXN_URI_CUT is set in *flags.
 * Cannot fail.
 */
void http_strs_split_line(struct http_strs *a, uint32_t *flags, size_t uri_max);

/* Point the string fields of t at the strings of a (valid until a changes). */
void http_strs_fill(const struct http_strs *a, struct txn *t);

/* Free the buffer when more than keep bytes are allocated; the strings are lost. */
void http_strs_shrink(struct http_strs *a, uint32_t keep);

/* Free the buffer. Cannot fail. */
void http_strs_free(struct http_strs *a);

/*
 * Start reading a value of field f (a request header when is_response is 0) into the
 * side's slot of a, which is emptied; a may be NULL (the value is only measured).
 */
void http_value_begin(struct http_value *v, struct http_strs *a, enum http_field f,
                      int is_response);

/* Add a piece of the value; its bytes go to a (the same as at begin, or NULL). */
void http_value_add(struct http_value *v, struct http_strs *a, const char *p, size_t n);

/*
 * The value is complete: it becomes its field's string in a unless an earlier one wins
 * (first occurrence; request ids by priority), and the slot is emptied. A cut sets
 * TXN_FIELD_CUT in *flags. Cannot fail.
 */
void http_field_apply(struct http_strs *a, uint32_t *flags, struct http_field_seen *seen,
                      const struct http_value *v);

/* Forget the response fields (a final response follows a 1xx). Cannot fail. */
void http_field_forget_response(struct http_field_seen *seen);

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

/* ---- header facts for struct txn_facts (RULES.md) ---- */

enum http_scan_kind {
    HTTP_SCAN_NONE,           /* a header no fact depends on */
    HTTP_SCAN_PRESENT,        /* its presence sets bit */
    HTTP_SCAN_TOKEN,          /* bit when a comma-list element equals tok (no case) */
    HTTP_SCAN_CONTENT_LENGTH, /* RFC 9110 §8.6 */
    HTTP_SCAN_TRANSFER_ENCODING
};

/* One header value being scanned. */
struct http_scan {
    uint8_t kind;      /* enum http_scan_kind */
    uint32_t bit;      /* TXN_H_* set by PRESENT, or by TOKEN on a match */
    const char *tok;   /* TOKEN: the element looked for, lower case */
    uint32_t tok_want; /* TOKEN: strlen(tok) */
    uint32_t tok_len;  /* TOKEN: non-OWS bytes of the current element (saturating) */
    uint8_t tok_ok;    /* TOKEN: the current element matches tok so far */
    uint8_t tok_sp;    /* TOKEN: OWS came after the element's bytes */
    uint8_t hit;       /* TOKEN: an element equalled tok */
    uint8_t cl_state;  /* CONTENT_LENGTH: 0 before digits, 1 in digits, 2 after them */
    uint8_t cl_bad;    /* CONTENT_LENGTH: not a list of decimal numbers (or overflow) */
    uint8_t cl_differ; /* CONTENT_LENGTH: two numbers of the list differ */
    uint8_t cl_have;   /* CONTENT_LENGTH: cl_first holds the list's first number */
    uint64_t cl_cur;   /* CONTENT_LENGTH: the number being read */
    uint64_t cl_first; /* CONTENT_LENGTH: the first number of the value */
};

/* Content-Length values already seen in one message (several fields may carry one). */
struct http_cl_seen {
    uint64_t value; /* the first valid value */
    uint8_t have;   /* value is set */
};

/* Start scanning the value of the header named nm. Cannot fail. */
void http_scan_begin(struct http_scan *sc, const struct http_name *nm);

/* Scan a piece of the value. Cannot fail. */
void http_scan_add(struct http_scan *sc, const char *p, size_t n);

/* Where a complete header goes. */
enum http_scan_where {
    HTTP_SCAN_REQUEST, /* req_has */
    HTTP_SCAN_INTERIM, /* interim_content_length / interim_transfer_encoding */
    HTTP_SCAN_FINAL    /* resp_has, Content-Length and Transfer-Encoding facts */
};

/*
 * The value is complete: add what it says to f. cl carries the message's earlier
 * Content-Length values. Returns 1 when this is a Content-Length whose value differs
 * from an earlier one (or is invalid) in the same message, else 0. Cannot fail.
 */
int http_scan_end(struct http_scan *sc, enum http_scan_where where, struct txn_facts *f,
                  struct http_cl_seen *cl);

#endif
