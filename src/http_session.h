/*
 * http_session.h - the inside of one HTTP session, shared by http.c (where messages
 * start: detection, hunting, gaps, the public interface), http_parse.c (llhttp
 * parsing of messages into transactions) and http_callbacks.c (what llhttp's callbacks
 * record of the current message). Nothing else includes it.
 * Owns: the definitions of struct http_session and struct http_side.
 * Never: appears in another stage; pipeline.c sees only http.h.
 */
#ifndef HTTPCAP_HTTP_SESSION_H
#define HTTPCAP_HTTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "http_detect.h"
#include "http_fields.h"
#include "http_txq.h"
#include "llhttp.h"

enum http_side_mode {
    HTTP_MODE_DETECT, /* at the stream's first byte: decide what it carries */
    HTTP_MODE_HUNT,   /* position unknown: look for a message start at each call start */
    HTTP_MODE_PARSE,  /* bytes go to llhttp */
    HTTP_MODE_HELD,   /* a request asked for Upgrade/CONNECT: wait for its response */
    HTTP_MODE_WAIT,   /* the client's start is no request line: the server side decides
                         whether it was a malformed request (HTTP) or another protocol;
                         its first bytes wait in pre, the rest is counted in held_bytes */
    HTTP_MODE_OFF     /* nothing more is parsed on this side */
};

/* What paused the parser (struct http_side event): set by a callback, handled by the
 * feed loop in http_parse.c at the exact offset. */
enum http_side_event { HTTP_EV_NONE, HTTP_EV_BEGIN, HTTP_EV_VERSION, HTTP_EV_HEADERS,
                       HTTP_EV_COMPLETE };

/* Where the header callbacks are in a field line (struct http_side hstate). */
enum http_header_state { HTTP_HS_NONE, HTTP_HS_NAME, HTTP_HS_VALUE };

/* Bytes kept while a start is undecided, with their capture times; allocated only then. */
struct http_pre {
    uint8_t b[HTTP_DETECT_MAX];
    int64_t ts[HTTP_DETECT_MAX]; /* ns */
};

struct http_side {
    struct http_session *s;
    llhttp_t parser;
    uint8_t idx;          /* 0 or 1, as in flow.h */
    uint8_t mode;         /* enum http_side_mode */
    uint8_t is_request;   /* parser type; valid once roles are known */
    uint8_t event;        /* enum http_side_event: what paused the parser */
    uint8_t in_msg;       /* between a message's first byte and its end */
    uint8_t hdr_measured; /* hdr_bytes of the current message is known */
    uint8_t status_seen;  /* response: the status line is parsed */
    uint8_t is_interim;   /* response: the current message is a 1xx (not 101) */
    uint8_t eof_body;     /* response: the body runs until the connection closes */
    uint8_t hstate;       /* enum http_header_state */
    uint8_t pre_len;      /* bytes in pre; 0 when pre is NULL */
    uint8_t closed;       /* the last message ended the connection (RFC 9112 §9.6) */
    uint8_t after_close;  /* the next message came after such a message */
    uint8_t in_line;      /* request: its line is being copied raw (until its LF) */
    uint8_t wait_gap;     /* bytes were lost while waiting (HTTP_MODE_WAIT) */
    uint8_t cl_dup;       /* response: llhttp was let past a second Content-Length */
    uint8_t cl_dup_bad;   /* ... whose value differs: the parser was stopped */
    uint8_t fold_lf;      /* header section: the last byte fed was an LF */
    uint8_t fold_lines;   /* header section: line ends seen (saturates at 2) */
    uint8_t fields_over;  /* the current message has more fields than max_headers */
    uint8_t skip_field;   /* the field line being read is past max_headers: ignored */
    uint8_t deferred;     /* response: a message began after a bodyless response; its
                             transaction is chosen once its status line shows "HTTP/" */
    int64_t deferred_ts;  /* capture time of that message's first byte, ns */
    uint32_t resync;      /* TXN_* flags for the next message found by hunting */
    uint32_t n_fields;    /* field lines of the current message examined so far */
    uint64_t off;         /* bytes fed to the parser since it was initialised */
    uint64_t msg_start;   /* off of the current message's first byte */
    uint64_t hdr_bytes;   /* start line and header section of the current message */
    uint64_t body_left;   /* Content-Length body bytes still to come */
    uint64_t held_bytes;  /* bytes dropped while held or waiting */
    uint64_t line_len;    /* request: bytes of its line looked at, up to its LF */
    int64_t ts;           /* capture time of the bytes being fed, ns */
    int64_t last_ts;      /* capture time of the last byte seen on this side, ns */
    struct http_pend *cur;     /* transaction receiving the current message, or NULL */
    struct http_pend *line_pd; /* request rejected inside its line, whose rest is still
                                  copied into its raw line (HTTP_STR_LINE), or NULL */
    struct http_pre *pre;      /* owned; from the first kept byte until parsing starts */
    struct http_name name;     /* the header name being read */
    struct http_value val;     /* the header value being read (its bytes go to cur) */
    struct http_scan scan;     /* the same value, for struct txn_facts */
    struct http_cl_seen cl;    /* Content-Length values of the current message */
};

struct http_session {
    int client;                /* client side, -1 unknown (first: read by every packet) */
    uint8_t proto;             /* enum http_protocol */
    uint8_t done;              /* nothing more is parsed: tls, other, tunnel, upgrade */
    struct http_config cfg;
    struct http_txq q;         /* transactions: pool, FIFO of requests, emission */
    uint64_t hunt_bytes;       /* bytes skipped while hunting on an unknown connection */
    struct http_side side[2];
    struct http_pend *orphan;  /* a response with no request, being parsed */
    struct http_pend *held;    /* the Upgrade/CONNECT request the client side waits on */
    struct http_pend *bodyless;/* a 204, 304 or HEAD response whose emission waits for
                                  the count of server bytes after it, or NULL */
    uint8_t bodyless_orphan;   /* it answered no request (not queued) */
    uint64_t bodyless_bytes;   /* server bytes after it so far (RFC 9112 §6.3 (1)) */
};

/* Bytes of a uri kept: the configured cap, at most TXN_URI_MAX - 1. */
static inline size_t http_uri_max(const struct http_session *s)
{
    uint32_t m = s->cfg.max_uri_bytes;
    return m == 0 || m > TXN_URI_MAX - 1 ? TXN_URI_MAX - 1 : m;
}

/* http_callbacks.c */

/* The llhttp callbacks; parser.data must point at the struct http_side being fed. */
extern const llhttp_settings_t http_settings;

/* The header field value in progress is complete (its callback, also called when a
 * message is cut inside a value). Returns -1 when a repeated Content-Length differs
 * (the parser must stop), else 0. */
int http_header_value_complete(llhttp_t *p);

/* http_parse.c */

/* (Re)initialise the side's parser for its role; forgets the message in progress. */
void http_parse_reset(struct http_side *sd);

/* Parse n bytes captured at ts; the side's mode may change (error, held, off). */
void http_parse_feed(struct http_side *sd, const uint8_t *p, size_t n, int64_t ts);

/* End the message in progress before its end (gap, error, close), adding flags; a
 * transaction whose halves are both over is emitted. Between messages: no-op. */
void http_parse_cut(struct http_side *sd, uint32_t flags);

/* The side's stream ended: a close-delimited body completes, other messages are cut. */
void http_parse_end(struct http_side *sd);

/* Nothing more is parsed on the connection (TLS, other, tunnel, upgrade). */
void http_parse_stop(struct http_session *s);

/*
 * A request rejected inside its line goes on in p[0..n) (the side hunts meanwhile):
 * its bytes up to the LF are copied, then the line is split into method and uri.
 * Returns the bytes that belonged to the line; 0 when no line is open.
 */
size_t http_parse_line_rest(struct http_side *sd, const uint8_t *p, size_t n);

/* The rest of an open rejected line will not come (a loss): split what came. */
void http_parse_line_end(struct http_side *sd);

/* The count of bytes after a bodyless response ends here (a loss, the close): the
 * transaction waiting for it may go. No-op when none waits. */
void http_parse_bodyless_end(struct http_session *s);

/* Bytes skipped on side sd while hunting: they count after a bodyless response. */
void http_parse_skipped(struct http_side *sd, uint64_t n);

/* Emit every transaction still held (close), in order. */
void http_parse_flush(struct http_session *s);

#endif
