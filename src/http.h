/*
 * http.h - the HTTP/1.x session of one TCP connection.
 * Owns: a request parser and a response parser (llhttp), protocol detection by
 *       content (HTTP, TLS, other), the queue of requests awaiting responses
 *       (pipelining), 1xx handling, HEAD/CONNECT/Upgrade, capped copies of
 *       interesting headers, the four timestamps, resynchronisation after gaps.
 * In:   in-order bytes and gaps of each side of one connection (side 0/1 as in flow.h).
 * Out:  finished transactions (struct txn) through struct http_events.
 * Never: sees packets or SQL; keeps a body; keeps a pointer into the caller's data.
 */
#ifndef HTTPCAP_HTTP_H
#define HTTPCAP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "txn.h"

/* What runs on the connection, as found by content. */
#define HTTP_PROTOCOLS(X)            \
    X(HTTP_PROTO_UNKNOWN, "unknown") \
    X(HTTP_PROTO_HTTP, "http")       \
    X(HTTP_PROTO_TLS, "tls")         \
    X(HTTP_PROTO_OTHER, "other")

enum http_protocol {
#define HTTP_PROTO_ENUM(id, name) id,
    HTTP_PROTOCOLS(HTTP_PROTO_ENUM)
#undef HTTP_PROTO_ENUM
};

/* How often the session's limits were reached (limits_table.h), summed over sessions. */
struct http_limit_hits {
    uint64_t pending;          /* requests pushed out of a full queue unanswered */
    uint64_t header_section;   /* messages whose header section passed its cap */
    uint64_t headers;          /* messages with more header fields than examined */
};

struct http_config {
    uint8_t store_headers;     /* keep every header line for txn.headers */
    uint32_t max_pending;      /* requests awaiting a response per connection (oldest
                                  is emitted unanswered beyond it); 0: 1024 */
    uint32_t max_stored_header_bytes; /* header lines kept per transaction for
                                         store_headers */
    uint32_t max_header_section; /* bytes of a message's start line and header section;
                                    past them the message is a parse error (0: no cap) */
    uint32_t max_headers;      /* header fields examined per message; the rest are
                                  ignored and the transaction flagged field-cut (0: all) */
    uint32_t max_uri_bytes;    /* uri bytes kept, at most TXN_URI_MAX - 1 (0: that) */
    struct http_limit_hits *hits; /* counted here when not NULL; owned by the caller,
                                     valid while any session lives */
};

struct http_events {
    /* A finished transaction; t and everything it points to are valid only during
     * the call. Transactions of one connection come in seq order. */
    void (*txn)(void *user, struct txn *t);
    void *user;
};

struct http_session;

/*
 * A session for one connection. client_side is 0 or 1 when the caller knows which
 * side is the client (a SYN was seen), -1 otherwise (found from content then).
 * saw_start[i] is 1 when side i's stream is known from its first byte (no need to
 * hunt for a message start). Returns NULL when out of memory. cfg and ev are copied.
 */
struct http_session *http_open(const struct http_config *cfg, const struct http_events *ev,
                               uint64_t connection_id, int client_side,
                               const uint8_t saw_start[2]);

/* Prefetch the state of side (0 or 1) that its next http_data() reads and writes first:
 * a hint with no other effect, for a caller that knows data is coming (s may be NULL). */
void http_warm(const struct http_session *s, int side);

/* In-order bytes sent by side; ts_ns is their capture time. Cannot fail. */
void http_data(struct http_session *s, int side, const uint8_t *p, size_t n, int64_t ts_ns);

/* Bytes of side were lost: the message they hit is flagged and parsing of that side
 * resynchronises at the next message start. Cannot fail. */
void http_gap(struct http_session *s, int side, uint64_t bytes, int64_t ts_ns);

/* The client side now known by the caller (e.g. learned late); -1 ignored. */
void http_set_client(struct http_session *s, int client_side);

/* The client side as the session knows it (from the caller or content), or -1. */
int http_client_side(const struct http_session *s);

/*
 * The protocol found on the connection. A connection is HTTP when either side starts
 * with HTTP, except that a server speaking first with something else makes it "other".
 * While a client's start that is no request line waits for the server's first bytes
 * (which may still make it a malformed HTTP request), the answer is "other".
 */
enum http_protocol http_protocol(const struct http_session *s);
const char *http_protocol_name(enum http_protocol p);

/* What a session emitted in all: the counts of its connection's row. */
struct http_counts {
    uint32_t transactions;
    uint32_t truncated;             /* flagged truncated (TXN_TRUNCATED) */
    uint32_t truncated_with_status; /* of those, with a final status */
};

/*
 * The connection ended at ts_ns: finish close-delimited bodies, emit what is
 * pending (requests without response, truncated messages), fill *counts when not NULL,
 * free the session. NULL does nothing (and leaves *counts alone).
 */
void http_close(struct http_session *s, int64_t ts_ns, struct http_counts *counts);

#endif
