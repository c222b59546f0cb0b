/*
 * http_detect.h - what the first bytes of a stream (or of a segment, while hunting)
 * say it carries: an HTTP/1.x request line, a status line, a TLS record, or else.
 * Owns: nothing; pure functions over the caller's bytes.
 * In:   a prefix of at most HTTP_DETECT_MAX bytes, and which verdicts are wanted.
 * Out:  a verdict, or HTTP_DETECT_MORE when the prefix is too short to tell.
 * Never: reads past n, keeps a pointer.
 */
#ifndef HTTPCAP_HTTP_DETECT_H
#define HTTPCAP_HTTP_DETECT_H

#include <stddef.h>
#include <stdint.h>

/* Every verdict is reached within this many bytes (longest: a 24-byte method + SP + 1). */
#define HTTP_DETECT_MAX 32

/* Which starts the caller accepts (bits). */
#define HTTP_WANT_REQUEST 0x1u  /* a request line */
#define HTTP_WANT_RESPONSE 0x2u /* a status line */
#define HTTP_WANT_TLS 0x4u      /* a TLS record header */
#define HTTP_WANT_STRICT 0x8u   /* hunting mid-stream: demand more before saying yes */

enum http_detect_verdict {
    HTTP_DETECT_MORE,     /* could still be a wanted start: give more bytes */
    HTTP_DETECT_NONE,     /* not a wanted start */
    HTTP_DETECT_REQUEST,  /* a request line begins here */
    HTTP_DETECT_RESPONSE, /* a status line begins here */
    HTTP_DETECT_TLS,      /* a TLS record begins here */
    HTTP_DETECT_H2        /* the HTTP/2 connection preface ("PRI * HTTP/2.0") */
};

/*
 * Classify the n bytes at p against the starts in want (HTTP_WANT_* bits).
 * Loose (stream start): method token [A-Z0-9_-]{1,24} SP and a visible byte;
 * "HTTP/" and a digit; TLS handshake 0x16 0x03 0x00..0x04.
 * Strict (hunting): a method llhttp knows; "HTTP/1.d d"; a TLS record of type 20..23
 * with a plausible length.
 * Cannot fail; p may be NULL when n is 0.
 */
enum http_detect_verdict http_detect(const uint8_t *p, size_t n, unsigned want);

#endif
