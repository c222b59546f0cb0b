/*
 * txn.h - the transaction record: one request and its final response, as plain values.
 * Owns: nothing; a struct txn is filled by http.c, completed by rules.c, stored by store.c.
 * Strings are NUL-terminated, never NULL ("" when absent), at most their TXN_*_MAX - 1
 * bytes (a cut sets a flag), and like every pointer here valid only during the callback
 * that hands the txn over; times are ns since the epoch; sizes are bytes.
 */
#ifndef HTTPCAP_TXN_H
#define HTTPCAP_TXN_H

#include <stdint.h>

/* String caps in bytes, the NUL included (so at most MAX - 1 bytes of text). */
#define TXN_METHOD_MAX 32
#define TXN_HOST_MAX 256
#define TXN_URI_MAX 8193       /* --max-uri-bytes goes up to 8192 */
#define TXN_REASON_MAX 128
#define TXN_VALUE_MAX 256       /* content type, server, user agent, request id... */
#define TXN_LOCATION_MAX 1024
#define TXN_ERROR_MAX 192
#define TXN_MAX_INTERIM 8
#define TXN_MAX_VIOLATIONS 16
#define TXN_DETAIL_MAX 160

/* Flags of a transaction; one table gives the bits and the names in `flags`. */
#define TXN_FLAGS(X)                                                            \
    X(TXN_GAP, 0, "gap")                 /* bytes of this exchange were lost */  \
    X(TXN_TRUNCATED, 1, "truncated")     /* a message ended before its end */    \
    X(TXN_URI_CUT, 2, "uri-cut")         /* uri longer than --max-uri-bytes */  \
    X(TXN_FIELD_CUT, 3, "field-cut")     /* another stored value was cut */      \
    X(TXN_UPGRADE, 4, "upgrade")         /* 101: the connection changed protocol */ \
    X(TXN_TUNNEL, 5, "tunnel")           /* 2xx to CONNECT: a tunnel follows */  \
    X(TXN_PARSE_ERROR, 6, "parse-error") /* a parser rejected a message */       \
    X(TXN_MIDSTREAM, 7, "midstream")     /* parsing resynchronised before it */  \
    X(TXN_TS_CLAMPED, 8, "ts-clamped")   /* an absurd capture time was clamped */\
    X(TXN_HEADERS_CUT, 9, "headers-cut") /* --store-headers hit its cap */

enum txn_flag_bit {
#define TXN_FLAG_ENUM(id, bit, name) id = 1u << (bit),
    TXN_FLAGS(TXN_FLAG_ENUM)
#undef TXN_FLAG_ENUM
};

/* One header line, for --store-headers; name and value point into http.c's buffer. */
struct txn_header {
    uint8_t is_response;    /* 0 request, 1 response */
    const char *name;       /* NUL-terminated */
    const char *value;      /* NUL-terminated */
};

struct txn_violation {
    uint16_t rule;                  /* enum rule_id (rules.h) */
    char detail[TXN_DETAIL_MAX];    /* what exactly was seen */
};

/* Headers whose presence a rule checks; bits of txn_facts.resp_has / req_has. */
#define TXN_HEADERS_SEEN(X)                        \
    X(TXN_H_LOCATION, 0, "location")                \
    X(TXN_H_WWW_AUTHENTICATE, 1, "www-authenticate") \
    X(TXN_H_ALLOW, 2, "allow")                      \
    X(TXN_H_PROXY_AUTHENTICATE, 3, "proxy-authenticate") \
    X(TXN_H_CONTENT_RANGE, 4, "content-range")      \
    X(TXN_H_UPGRADE, 5, "upgrade")                  \
    X(TXN_H_DATE, 6, "date")                        \
    X(TXN_H_RETRY_AFTER, 7, "retry-after")          \
    X(TXN_H_RANGE, 8, "range")                      \
    X(TXN_H_EXPECT_CONTINUE, 9, "expect")           \
    X(TXN_H_CONNECTION_CLOSE, 10, "connection")     /* Connection: close */

enum txn_header_bit {
#define TXN_H_ENUM(id, bit, name) id = 1u << (bit),
    TXN_HEADERS_SEEN(TXN_H_ENUM)
#undef TXN_H_ENUM
};

/*
 * What the HTTP stage saw of the framing and headers of an exchange, beyond the values
 * kept above: the facts rules.c needs (RULES.md). All zero / "" when not seen.
 */
struct txn_facts {
    uint32_t req_has;               /* TXN_H_* bits present in the request */
    uint32_t resp_has;              /* TXN_H_* bits present in the final response */
    const char *req_upgrade;        /* the request's Upgrade value, "" when none (capped) */
    const char *resp_upgrade;       /* the final response's Upgrade value, "" when none */
    uint8_t interim_content_length; /* a 1xx response carried Content-Length */
    uint8_t interim_transfer_encoding; /* a 1xx response carried Transfer-Encoding */
    uint8_t n_content_length;       /* Content-Length fields in the final response (saturates) */
    uint8_t content_length_invalid; /* a Content-Length value is not a decimal number */
    uint8_t content_length_differ;  /* several Content-Length values that differ */
    uint8_t has_transfer_encoding;  /* the final response carried Transfer-Encoding */
    uint8_t obs_fold;               /* a header line of the final response was folded */
    uint8_t body_truncated;         /* the connection ended before the announced body
                                       (Content-Length or last chunk) arrived */
    uint64_t bytes_after_bodyless;  /* bytes after a 204, 304 or HEAD response, before the
                                       next status line (RFC 9112 §6.3) */
};

struct txn {
    uint64_t id;             /* row id in transactions, set by the pipeline before storing
                                (after store_last_ids); 0: SQLite picks it */
    uint64_t connection_id;  /* the connection's id (set by the caller of http_open) */
    uint32_t seq;            /* 1-based order of this exchange on its connection */
    uint8_t has_request;     /* a request was seen (its fields below are valid) */
    uint8_t has_response;    /* a final response was seen */
    uint32_t flags;          /* TXN_* bits */

    /* request */
    const char *method;               /* < TXN_METHOD_MAX bytes */
    const char *host;                 /* < TXN_HOST_MAX bytes */
    const char *uri;                  /* at most --max-uri-bytes bytes */
    const char *user_agent;           /* < TXN_VALUE_MAX bytes */
    const char *request_id;           /* first of X-Request-ID, X-Correlation-ID, ... */
    uint8_t req_major, req_minor;     /* HTTP version of the request */
    uint8_t request_complete;         /* the request message ended normally */
    int64_t request_start_ns;         /* first byte of the request */
    int64_t request_end_ns;           /* last byte of the request; valid when complete */
    uint64_t request_header_bytes;    /* request line and header section */
    uint64_t request_body_bytes;      /* body after removing chunked framing */
    uint64_t request_body_wire_bytes; /* body as sent, with chunked framing */

    /* final response */
    int status;                       /* final status code (as parsed) */
    const char *reason;               /* < TXN_REASON_MAX bytes */
    uint8_t resp_major, resp_minor;
    uint8_t response_complete;        /* the response message ended normally */
    uint16_t interim[TXN_MAX_INTERIM];/* 1xx codes seen before the final response */
    uint8_t n_interim;
    int64_t response_start_ns;        /* first byte of the final status line */
    int64_t response_end_ns;          /* last byte of the response (or last seen) */
    uint64_t response_header_bytes;
    uint64_t response_body_bytes;
    uint64_t response_body_wire_bytes;
    const char *content_type;         /* < TXN_VALUE_MAX bytes, as the next two */
    const char *content_encoding;
    const char *server;
    const char *location;             /* < TXN_LOCATION_MAX bytes */

    /* what went wrong while parsing, for rules.c */
    const char *request_error;  /* "HPE_NAME: reason" from the request parser, or "" */
    const char *response_error; /* same for the response parser; < TXN_ERROR_MAX bytes */

    /* framing and header facts the HTTP stage saw, for rules.c (RULES.md) */
    struct txn_facts facts;

    /* --store-headers: valid only during the callback that hands the txn over */
    const struct txn_header *headers;
    uint32_t n_headers;
};

/* The rule breaches of one transaction, filled by rules.c (kept apart from struct txn
 * so that transactions waiting for their response stay small). */
struct txn_violations {
    struct txn_violation v[TXN_MAX_VIOLATIONS];
    uint8_t n;
    uint32_t dropped;                 /* violations beyond TXN_MAX_VIOLATIONS */
};

#endif
