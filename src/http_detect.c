/*
 * http_detect.c - tell an HTTP/1.x request line, a status line or a TLS record from
 * anything else, by content alone (any port).
 * Owns: the patterns; nothing else.
 * In:   a short prefix of a stream or segment and the starts the caller wants.
 * Out:  a verdict (http_detect.h).
 * Never: reads past n; uses str* on the bytes (they carry no NUL).
 */
#include "http_detect.h"

#include <string.h>

/* RFC 9110 §9.1: method = token. Real methods are upper case; llhttp knows no other. */
#define METHOD_MAX 24
#define TLS_RECORD_MAX (16384u + 2048u)

/* Methods llhttp 8.1 accepts; hunting mid-stream insists on one of them. */
static const char *const known_methods[] = {
    "GET",    "HEAD",      "POST",     "PUT",       "DELETE", "CONNECT", "OPTIONS",
    "TRACE",  "PATCH",     "PROPFIND", "PROPPATCH", "MKCOL",  "COPY",    "MOVE",
    "LOCK",   "UNLOCK",    "SEARCH",   "REPORT",    "PURGE",  "MKCALENDAR", "LINK",
    "UNLINK", "SUBSCRIBE", "UNSUBSCRIBE", "NOTIFY", "M-SEARCH", "MERGE", "CHECKOUT",
    "MKACTIVITY", "BIND", "REBIND", "UNBIND", "ACL", "SOURCE", "QUERY",
};

static int is_method_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int is_known_method(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++) {
        const char *m = known_methods[i];
        size_t len = strlen(m);
        if (len == n && memcmp(m, p, n) == 0)
            return 1;
    }
    return 0;
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF. */
static enum http_detect_verdict request_line(const uint8_t *p, size_t n, int strict)
{
    size_t i = 0;
    while (i < n && i <= METHOD_MAX && is_method_char(p[i]))
        i++;
    if (i > METHOD_MAX)
        return HTTP_DETECT_NONE;
    if (i == n)
        return HTTP_DETECT_MORE;
    if (i == 0 || p[i] != ' ')
        return HTTP_DETECT_NONE;
    if (strict && !is_known_method(p, i))
        return HTTP_DETECT_NONE;
    if (i + 1 == n)
        return HTTP_DETECT_MORE;
    uint8_t c = p[i + 1];
    if (c < 0x21 || c > 0x7e)
        return HTTP_DETECT_NONE;
    /* RFC 9113 §3.4: the HTTP/2 preface looks like a request line; it is not HTTP/1.x */
    if (i == 3 && memcmp(p, "PRI", 3) == 0 && c == '*')
        return HTTP_DETECT_H2;
    return HTTP_DETECT_REQUEST;
}

/* RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. */
static enum http_detect_verdict status_line(const uint8_t *p, size_t n, int strict)
{
    /* loose: "HTTP/" DIGIT; strict: "HTTP/1." DIGIT SP DIGIT */
    static const char loose[] = "HTTP/#";
    static const char tight[] = "HTTP/1.# #";
    const char *pat = strict ? tight : loose;
    size_t len = strict ? sizeof(tight) - 1 : sizeof(loose) - 1;
    for (size_t i = 0; i < len; i++) {
        if (i == n)
            return HTTP_DETECT_MORE;
        int ok = pat[i] == '#' ? (p[i] >= '0' && p[i] <= '9') : p[i] == (uint8_t)pat[i];
        if (!ok)
            return HTTP_DETECT_NONE;
    }
    return HTTP_DETECT_RESPONSE;
}

/*
 * RFC 8446 §5.1: a record starts with its content type, then legacy_record_version
 * 0x03 0x0N. At a stream start only a handshake (22) is plausible; mid-stream any of
 * change_cipher_spec (20), alert (21), handshake (22), application_data (23), and the
 * length must fit a record (RFC 5246 §6.2.3: at most 2^14 + 2048).
 */
static enum http_detect_verdict tls_record(const uint8_t *p, size_t n, int strict)
{
    if (n == 0)
        return HTTP_DETECT_MORE;
    int type_ok = strict ? (p[0] >= 0x14 && p[0] <= 0x17) : p[0] == 0x16;
    if (!type_ok)
        return HTTP_DETECT_NONE;
    if (n < 2)
        return HTTP_DETECT_MORE;
    if (p[1] != 0x03)
        return HTTP_DETECT_NONE;
    if (n < 3)
        return HTTP_DETECT_MORE;
    if (p[2] > 0x04)
        return HTTP_DETECT_NONE;
    if (!strict)
        return HTTP_DETECT_TLS;
    if (n < 5)
        return HTTP_DETECT_MORE;
    unsigned len = (unsigned)p[3] << 8 | p[4];
    return len > 0 && len <= TLS_RECORD_MAX ? HTTP_DETECT_TLS : HTTP_DETECT_NONE;
}

enum http_detect_verdict http_detect(const uint8_t *p, size_t n, unsigned want)
{
    int strict = (want & HTTP_WANT_STRICT) != 0;
    enum http_detect_verdict v[3] = {HTTP_DETECT_NONE, HTTP_DETECT_NONE, HTTP_DETECT_NONE};
    if (n == 0)
        return HTTP_DETECT_MORE;
    if (n > HTTP_DETECT_MAX)
        n = HTTP_DETECT_MAX;
    if (want & HTTP_WANT_REQUEST)
        v[0] = request_line(p, n, strict);
    if (want & HTTP_WANT_RESPONSE)
        v[1] = status_line(p, n, strict);
    if (want & HTTP_WANT_TLS)
        v[2] = tls_record(p, n, strict);
    int more = 0;
    for (int i = 0; i < 3; i++) {
        if (v[i] == HTTP_DETECT_MORE)
            more = 1;
        else if (v[i] != HTTP_DETECT_NONE)
            return v[i];
    }
    return more ? HTTP_DETECT_MORE : HTTP_DETECT_NONE;
}
