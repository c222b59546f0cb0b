/*
 * jsonl.c - the --jsonl stream (see jsonl.h): a transaction and its violations as one
 * JSON line whose keys, values and types are those of its v_transactions row.
 * Owns: the output descriptor, a fixed write buffer, the first write error.
 * In:   txn, txn_violations, jsonl_row. Out: bytes on the descriptor.
 * Never: touches SQLite; allocates per line; writes a byte that makes the line invalid
 *        JSON (bytes that are not UTF-8 become U+FFFD, one per maximal invalid subpart).
 */
#include "jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outpath.h"
#include "rules.h"
#include "status.h"
#include "store.h"
#include "utf8.h"

struct jsonl {
    int fd;
    uint8_t is_stdout;            /* fd 1: flushed at close, not closed */
    uint8_t line_by_line;         /* write each line as soon as it is complete */
    int state;                    /* 0 ok, 1 reader gone (EPIPE), -1 write error */
    int err_no;                   /* errno of the failed write */
    char path[200];               /* for messages */
    size_t len;                   /* bytes in buf, <= JSONL_BUFFER_BYTES */
    char buf[JSONL_BUFFER_BYTES];
};

/* ---- output ---- */

/* Write the buffer out; on failure remember why and drop what is buffered. */
static void drain(struct jsonl *j)
{
    size_t off = 0;
    while (off < j->len && j->state == 0) {
        ssize_t n = write(j->fd, j->buf + off, j->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            j->err_no = n < 0 ? errno : EIO;
            j->state = j->err_no == EPIPE ? 1 : -1;
            break;
        }
        off += (size_t)n;
    }
    j->len = 0;
}

static void put(struct jsonl *j, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        if (j->len == sizeof j->buf)
            drain(j);
        size_t room = sizeof j->buf - j->len;
        size_t k = n < room ? n : room;
        memcpy(j->buf + j->len, s, k);
        j->len += k;
        s += k;
        n -= k;
    }
}

static void put_lit(struct jsonl *j, const char *s)
{
    put(j, s, strlen(s));
}

/* ---- JSON values ---- */

static void put_key_text(struct jsonl *j, const char *name)
{
    put(j, ",\"", 2);
    put_lit(j, name);
    put(j, "\":", 2);
}

/* The separator and key before every value but the first ("id"); keys are ours: ASCII. */
#define put_key(j, name) put((j), ",\"" name "\":", sizeof(",\"" name "\":") - 1)

static void put_int(struct jsonl *j, int64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u && i > 1);
    if (v < 0)
        tmp[--i] = '-';
    put(j, tmp + i, sizeof tmp - i);
}

static void put_opt_int(struct jsonl *j, int present, int64_t v)
{
    if (present)
        put_int(j, v);
    else
        put_lit(j, "null");
}

/*
 * Length of the maximal subpart of an ill-formed sequence at p (Unicode §3.9, U+FFFD
 * substitution as WHATWG and Python's 'replace' do it): the lead byte and the
 * continuation bytes that could still have begun a valid sequence. At least 1; never
 * reads past a NUL (which is no continuation byte).
 */
static size_t bad_prefix_len(const unsigned char *p)
{
    unsigned char c = p[0];
    int need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2
                                         : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range (RFC 3629 §4) */
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    size_t n = 1;
    for (int i = 1; i <= need; i++) {
        unsigned char b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b & 0xc0) != 0x80)
            break;
        n++;
    }
    return n;
}

/* One character that is not plain printable ASCII; returns the bytes it took. */
static size_t put_special(struct jsonl *j, const unsigned char *p)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};
    if (*p == '"' || *p == '\\') {
        char e[2] = {'\\', (char)*p};
        put(j, e, 2);
        return 1;
    }
    if (*p == '\n' || *p == '\r' || *p == '\t') {
        put_lit(j, *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : "\\t");
        return 1;
    }
    int32_t cp;
    int n = utf8_decode((const char *)p, &cp);
    if (cp < 0) {
        put_lit(j, "\\ufffd");
        return bad_prefix_len(p);
    }
    if (!utf8_is_control(cp)) {
        put(j, p, (size_t)n);
        return (size_t)n;
    }
    /* controls, DEL, C1 and invisible format marks stay escaped (as render_json does):
     * the same string to a JSON reader, and safe to cat to a terminal; all are < U+10000 */
    esc[2] = hex[(cp >> 12) & 0xf];
    esc[3] = hex[(cp >> 8) & 0xf];
    put(j, esc, 4);
    esc[0] = hex[(cp >> 4) & 0xf];
    esc[1] = hex[cp & 0xf];
    put(j, esc, 2);
    return (size_t)n;
}

static void put_string(struct jsonl *j, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    put(j, "\"", 1);
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
            p++;
        put(j, run, (size_t)(p - run));
        if (*p)
            p += put_special(j, p);
    }
    put(j, "\"", 1);
}

/* As store.c binds text: NULL for an absent or empty string. */
static void put_text_or_null(struct jsonl *j, int present, const char *s)
{
    if (present && s && s[0])
        put_string(j, s);
    else
        put_lit(j, "null");
}

void jsonl_format_double(double d, char out[40])
{
    if (!isfinite(d)) {
        snprintf(out, 40, "null");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    if (!strpbrk(out, ".eE"))
        strncat(out, ".0", 40 - strlen(out) - 1);
}

/* Up to 2^53 ns, d / 1e6 is exact in the numerator and correctly rounded, so the decimal
 * d / 10^6 (at most 6 fraction digits) reads back as that same double: no printf. */
#define EXACT_NS ((int64_t)1 << 53)

static void put_ns_as_ms(struct jsonl *j, int64_t d)
{
    char frac[8];
    uint64_t u = d < 0 ? (uint64_t)(-d) : (uint64_t)d;
    uint32_t f = (uint32_t)(u % 1000000);
    int n = 6;
    for (int i = 5; i >= 0; i--, f /= 10)
        frac[i] = (char)('0' + f % 10);
    while (n > 1 && frac[n - 1] == '0')
        n--;
    if (d < 0)
        put(j, "-", 1);
    put_int(j, (int64_t)(u / 1000000));
    put(j, ".", 1);
    put(j, frac, (size_t)n);
}

/* (a - b) / 1e6 as SQLite computes it: integer subtraction, or doubles on overflow. */
static void put_ms_between(struct jsonl *j, int present, int64_t a, int64_t b)
{
    if (!present) {
        put_lit(j, "null");
        return;
    }
    int64_t d;
    int is_overflow = __builtin_sub_overflow(a, b, &d);
    if (!is_overflow && d < EXACT_NS && d > -EXACT_NS) {
        put_ns_as_ms(j, d);
        return;
    }
    char text[40];
    jsonl_format_double((is_overflow ? (double)a - (double)b : (double)d) / 1e6, text);
    put_lit(j, text);
}

/*
 * SQLite 3.x date.c: a number with 'unixepoch' becomes a Julian day in ms as
 * (int64)(s * 1000.0 + 210866760000000.0 + 0.5), out of range is NULL, and the date is
 * Meeus' algorithm (Astronomical Algorithms, ch. 7) on that day number.
 */
int jsonl_format_time(int64_t ns, char out[32])
{
    double s = (double)ns / 1e9;
    double r = s * 1000.0;
    r += 210866760000000.0; /* two statements: no fused multiply-add */
    if (!(r >= 0.0 && r < 464269060800000.0))
        return -1;
    int64_t jd_ms = (int64_t)(r + 0.5);
    int z = (int)((jd_ms + 43200000) / 86400000);
    int a = (int)((z - 1867216.25) / 36524.25);
    a = z + 1 + a - (a / 4);
    int b = a + 1524;
    int c = (int)((b - 122.1) / 365.25);
    int d = (36525 * (c & 32767)) / 100;
    int e = (int)((b - d) / 30.6001);
    int day = b - d - (int)(30.6001 * e);
    int month = e < 14 ? e - 1 : e - 13;
    int year = month > 2 ? c - 4716 : c - 4715;
    int day_ms = (int)((jd_ms + 43200000) % 86400000);
    const int fields[7] = {year, month, day, day_ms / 3600000, day_ms / 60000 % 60,
                           day_ms / 1000 % 60, day_ms % 1000};
    static const int widths[7] = {4, 2, 2, 2, 2, 2, 3};
    static const char after[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
    int n = 0;
    for (int i = 0; i < 7; i++) { /* "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" without printf */
        for (int k = widths[i] - 1, v = fields[i]; k >= 0; k--, v /= 10)
            out[n + k] = (char)('0' + v % 10);
        n += widths[i];
        out[n++] = after[i];
    }
    out[n] = '\0';
    return 0;
}

/* ---- the row ---- */

static void put_endpoints(struct jsonl *j, const struct jsonl_row *row)
{
    static const char *const keys[2][2] = {{"client_ip", "client_port"},
                                          {"server_ip", "server_port"}};
    for (int i = 0; i < 2; i++) {
        char ip[46];
        put_key_text(j, keys[i][0]);
        if (row->has_endpoints) {
            store_format_ip(row->ip_version, row->ip[i], ip);
            put_string(j, ip);
        } else {
            put_lit(j, "null");
        }
        put_key_text(j, keys[i][1]);
        put_opt_int(j, row->has_endpoints, row->port[i]);
    }
}

static void put_request(struct jsonl *j, const struct txn *t)
{
    char version[8];
    int has = t->has_request;
    store_format_version(t->req_major, t->req_minor, version);
    put_key(j, "method");
    put_text_or_null(j, has, t->method);
    put_key(j, "host");
    put_text_or_null(j, has, t->host);
    put_key(j, "uri");
    put_text_or_null(j, has, t->uri);
    put_key(j, "request_version");
    put_text_or_null(j, has, version);
}

/* status .. interim: the status line and what v_transactions derives from it. */
static void put_status(struct jsonl *j, const struct txn *t)
{
    char version[8], interim[STORE_INTERIM_MAX];
    int has = t->has_response;
    int st = t->status;
    int is_valid = st >= 100 && st <= 599;
    int is_registered = status_lookup(st) != NULL;
    put_key(j, "status");
    put_opt_int(j, has, st);
    put_key(j, "reason");
    if (has)
        put_string(j, t->reason ? t->reason : ""); /* bound even when empty */
    else
        put_lit(j, "null");
    put_key(j, "class");
    char class_text[4] = {(char)('0' + (is_valid ? st / 100 : 5)), 'x', 'x', '\0'};
    put_text_or_null(j, has, class_text);
    put_key(j, "registered");
    put_opt_int(j, has, is_registered);
    store_format_version(t->resp_major, t->resp_minor, version);
    put_key(j, "response_version");
    put_text_or_null(j, has, version);
    store_format_interim(t, interim, sizeof interim);
    put_key(j, "interim");
    put_text_or_null(j, 1, interim);
}

static void put_times(struct jsonl *j, const struct txn *t)
{
    int req = t->has_request, resp = t->has_response;
    int req_end = req && t->request_complete;
    put_key(j, "request_start_ns");
    put_opt_int(j, req, t->request_start_ns);
    put_key(j, "request_end_ns");
    put_opt_int(j, req_end, t->request_end_ns);
    put_key(j, "response_start_ns");
    put_opt_int(j, resp, t->response_start_ns);
    put_key(j, "response_end_ns");
    put_opt_int(j, resp, t->response_end_ns);
    put_key(j, "ttfb_ms");
    put_ms_between(j, resp && req_end, t->response_start_ns, t->request_end_ns);
    put_key(j, "total_ms");
    put_ms_between(j, resp && req, t->response_end_ns, t->request_start_ns);
}

static void put_sizes(struct jsonl *j, const struct txn *t)
{
    int req = t->has_request, resp = t->has_response;
    put_key(j, "request_body_bytes");
    put_opt_int(j, req, (int64_t)t->request_body_bytes);
    put_key(j, "response_body_bytes");
    put_opt_int(j, resp, (int64_t)t->response_body_bytes);
    put_key(j, "request_body_wire_bytes");
    put_opt_int(j, req, (int64_t)t->request_body_wire_bytes);
    put_key(j, "response_body_wire_bytes");
    put_opt_int(j, resp, (int64_t)t->response_body_wire_bytes);
    put_key(j, "request_header_bytes");
    put_opt_int(j, req, (int64_t)t->request_header_bytes);
    put_key(j, "response_header_bytes");
    put_opt_int(j, resp, (int64_t)t->response_header_bytes);
}

static void put_values(struct jsonl *j, const struct txn *t)
{
    int req = t->has_request, resp = t->has_response;
    put_key(j, "content_type");
    put_text_or_null(j, resp, t->content_type);
    put_key(j, "content_encoding");
    put_text_or_null(j, resp, t->content_encoding);
    put_key(j, "server");
    put_text_or_null(j, resp, t->server);
    put_key(j, "location");
    put_text_or_null(j, resp, t->location);
    put_key(j, "user_agent");
    put_text_or_null(j, req, t->user_agent);
    put_key(j, "request_id");
    put_text_or_null(j, req, t->request_id);
}

/* violations .. effective_status. */
static void put_tail(struct jsonl *j, const struct txn *t, const struct txn_violations *v)
{
    char flags[STORE_FLAGS_MAX], when[32];
    int st = t->status;
    put_key(j, "violations");
    put_int(j, v->n);
    store_format_flags(t->flags, flags, sizeof flags);
    put_key(j, "flags");
    put_string(j, flags);
    put_key(j, "time");
    int has_time = t->has_request || t->has_response;
    int64_t ns = t->has_request ? t->request_start_ns : t->response_start_ns;
    if (has_time && jsonl_format_time(ns, when) == 0)
        put_string(j, when);
    else
        put_lit(j, "null");
    put_key(j, "effective_status");
    put_opt_int(j, t->has_response, status_effective(st));
}

/* The rows of `violations` for this transaction, in the order store.c inserts them. */
static void put_violation_list(struct jsonl *j, const struct txn_violations *v)
{
    put_key(j, "violation_list");
    put(j, "[", 1);
    int is_first = 1;
    for (unsigned i = 0; i < v->n && i < TXN_MAX_VIOLATIONS; i++) {
        const struct rule_info *ri = rules_get((enum rule_id)v->v[i].rule);
        if (!ri)
            continue;
        put_lit(j, is_first ? "{\"rule\":" : ",{\"rule\":");
        is_first = 0;
        put_string(j, ri->id);
        put_lit(j, ",\"severity\":");
        put_string(j, rules_severity_name(ri->severity));
        put_lit(j, ",\"detail\":");
        put_text_or_null(j, 1, v->v[i].detail);
        put(j, "}", 1);
    }
    put(j, "]", 1);
}

int jsonl_put(struct jsonl *j, const struct jsonl_row *row, const struct txn *t,
              const struct txn_violations *v, char err[HTTPCAP_ERRBUF])
{
    if (j->state == 0) {
        put(j, "{\"id\":", 6);
        put_int(j, (int64_t)row->id);
        put_key(j, "capture_id");
        put_int(j, row->capture_id);
        put_key(j, "connection_id");
        put_int(j, (int64_t)t->connection_id);
        put_key(j, "seq");
        put_int(j, t->seq);
        put_endpoints(j, row);
        put_request(j, t);
        put_status(j, t);
        put_times(j, t);
        put_sizes(j, t);
        put_values(j, t);
        put_tail(j, t, v);
        put_violation_list(j, v);
        put(j, "}\n", 2);
        if (j->line_by_line)
            drain(j);
    }
    if (j->state < 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s: write failed: %s", j->path, strerror(j->err_no));
    return j->state;
}

/* ---- opening and closing ---- */

/* Whether lines should go out one by one: someone may be watching (a terminal, a pipe
 * into jq, a socket); a regular file or /dev/null gets full blocks. */
static int is_watched(int fd)
{
    struct stat sb;
    if (isatty(fd))
        return 1;
    return fstat(fd, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode));
}

static int open_path(const char *path, char err[HTTPCAP_ERRBUF])
{
    char why[HTTPCAP_ERRBUF];
    int kind = outpath_check(path, why);
    if (kind == OUTPATH_REFUSED) {
        snprintf(err, HTTPCAP_ERRBUF, "%s", why);
        return -1;
    }
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (kind == OUTPATH_PLAIN ? O_NOFOLLOW : 0);
    int fd = open(path, flags, 0666);
    if (fd < 0)
        snprintf(err, HTTPCAP_ERRBUF, "%.300s: cannot write: %s", path, strerror(errno));
    return fd;
}

struct jsonl *jsonl_open(const char *path, int is_live, char err[HTTPCAP_ERRBUF])
{
    struct jsonl *j = malloc(sizeof *j);
    if (!j) {
        snprintf(err, HTTPCAP_ERRBUF, "%.300s: out of memory", path);
        return NULL;
    }
    memset(j, 0, offsetof(struct jsonl, buf));
    j->is_stdout = strcmp(path, "-") == 0;
    j->fd = j->is_stdout ? STDOUT_FILENO : open_path(path, err);
    if (j->fd < 0) {
        free(j);
        return NULL;
    }
    snprintf(j->path, sizeof j->path, "%s", j->is_stdout ? "standard output" : path);
    struct stat sb;
    if (fstat(j->fd, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)))
        signal(SIGPIPE, SIG_IGN); /* a reader that leaves is EPIPE: stop cleanly, not die */
    j->line_by_line = is_live || is_watched(j->fd);
    return j;
}

int jsonl_close(struct jsonl *j, char err[HTTPCAP_ERRBUF])
{
    if (!j)
        return 0;
    drain(j);
    if (!j->is_stdout && close(j->fd) != 0 && j->state == 0) {
        j->err_no = errno;
        j->state = -1;
    }
    int rc = j->state;
    if (rc < 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s: write failed: %s", j->path, strerror(j->err_no));
    free(j);
    return rc;
}
