/*
 * pg.c - PostgreSQL through libpq (see pg.h).
 * Owns: the PGconn, the public (password-free) form of its URL, the COPY block.
 * In:   a URL, SQL, values. Out: statements and COPY data sent; one-line errors.
 * Never: prints, logs or stores a password (errors name the public URL only).
 */
#include "pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define COPY_BLOCK (256u * 1024) /* bytes sent to the server at a time */

struct pg {
    PGconn *conn;
    char url[PG_URL_MAX];      /* public: no password */
    char *buf;                 /* the COPY block being filled */
    size_t len, cap;
    int fields;                /* fields in the current row */
    int failed;                /* an allocation or a send failed during the COPY */
};

int pg_is_url(const char *s)
{
    return s && (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0);
}

/* Where the user:password@ part of url ends ('@'), or NULL when it has none. */
static const char *userinfo_end(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return NULL;
    p += 3;
    size_t host = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < host; i++)
        if (p[i] == '@')
            at = p + i;
    return at;
}

/* Append the query string q (after '?') without its password parameters. */
static size_t append_query(char *out, size_t n, size_t cap, const char *q)
{
    int first = 1;
    while (*q) {
        size_t len = strcspn(q, "&");
        if (!(len >= 9 && strncmp(q, "password=", 9) == 0)) {
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%.*s", first ? "?" : "&",
                                  (int)len, q);
            first = 0;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return n;
}

void pg_url_public(const char *url, char out[PG_URL_MAX])
{
    const char *scheme_end = strstr(url, "://");
    const char *at = userinfo_end(url);
    size_t n = 0;
    if (!scheme_end) {
        snprintf(out, PG_URL_MAX, "postgresql://");
        return;
    }
    const char *p = scheme_end + 3;
    if (at) {
        size_t user = strcspn(p, ":@");
        n = (size_t)snprintf(out, PG_URL_MAX, "%.*s%.*s@", (int)(p - url), url, (int)user, p);
        p = at + 1;
    } else {
        n = (size_t)snprintf(out, PG_URL_MAX, "%.*s", (int)(p - url), url);
    }
    size_t rest = strcspn(p, "?");
    if (n < PG_URL_MAX)
        n += (size_t)snprintf(out + n, PG_URL_MAX - n, "%.*s", (int)rest, p);
    if (p[rest] == '?' && n < PG_URL_MAX)
        append_query(out, n, PG_URL_MAX, p + rest + 1);
}

void pg_url_hide_password(char *url)
{
    const char *at = userinfo_end(url);
    char *p = strstr(url, "://");
    if (at && p) {
        char *colon = memchr(p + 3, ':', (size_t)(at - (p + 3)));
        for (char *c = colon ? colon + 1 : NULL; c && c < at; c++)
            *c = 'x';
    }
    for (char *q = strstr(url, "password="); q; q = strstr(q, "password=")) {
        if (q > url && q[-1] != '?' && q[-1] != '&') {
            q++;
            continue;
        }
        for (q += 9; *q && *q != '&'; q++)
            *q = 'x';
    }
}

/* The first line of libpq's message, without its "FATAL:  " or "ERROR:  " prefix. */
static void first_line(const char *msg, char *out, size_t cap)
{
    const char *m = msg ? msg : "unknown error";
    const char *fatal = strstr(m, "FATAL:  ");
    if (fatal)
        m = fatal + 8;
    else if (strncmp(m, "ERROR:  ", 8) == 0)
        m += 8;
    snprintf(out, cap, "%.*s", (int)strcspn(m, "\n"), m);
}

void pg_set_err(struct pg *pg, const char *what, char err[HTTPCAP_ERRBUF])
{
    char line[400];
    first_line(pq.PQerrorMessage(pg->conn), line, sizeof line);
    snprintf(err, HTTPCAP_ERRBUF, "%.120s: %s%s%.300s", pg->url, what ? what : "",
             what ? ": " : "", line);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

struct pg *pg_connect(const char *url, char err[HTTPCAP_ERRBUF])
{
    struct pg *pg = calloc(1, sizeof *pg);
    if (!pg) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return NULL;
    }
    pg_url_public(url, pg->url);
    if (pq_load(err) != 0) {
        free(pg);
        return NULL;
    }
    /* earlier keywords are defaults: what the URL says overrides them */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"10", "httpcap", url, NULL};
    pg->conn = pq.PQconnectdbParams(keys, vals, 1);
    if (!pg->conn || pq.PQstatus(pg->conn) != CONNECTION_OK) {
        if (pg->conn)
            pg_set_err(pg, NULL, err);
        else
            snprintf(err, HTTPCAP_ERRBUF, "%.300s: out of memory", pg->url);
        pg_close(pg);
        return NULL;
    }
    pq.PQsetNoticeProcessor(pg->conn, ignore_notice, NULL); /* "already exists, skipping" */
    if (pq.PQsetClientEncoding(pg->conn, "UTF8") != 0 ||
        pg_exec(pg, "SET TIME ZONE 'UTC'", "setting up the session", err) != 0) {
        pg_set_err(pg, "setting up the session", err);
        pg_close(pg);
        return NULL;
    }
    return pg;
}

void pg_close(struct pg *pg)
{
    if (!pg)
        return;
    if (pg->conn)
        pq.PQfinish(pg->conn);
    free(pg->buf);
    free(pg);
}

PGconn *pg_conn(struct pg *pg)
{
    return pg->conn;
}

int pg_ok(struct pg *pg)
{
    return pg && pq.PQstatus(pg->conn) == CONNECTION_OK;
}

int pg_exec(struct pg *pg, const char *sql, const char *what, char err[HTTPCAP_ERRBUF])
{
    PGresult *res = pq.PQexec(pg->conn, sql);
    ExecStatusType st = res ? pq.PQresultStatus(res) : PGRES_FATAL_ERROR;
    pq.PQclear(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 0;
    pg_set_err(pg, what, err);
    return -1;
}

PGresult *pg_query(struct pg *pg, const char *sql, int n, const char *const *params,
                   const char *what, char err[HTTPCAP_ERRBUF])
{
    PGresult *res = pq.PQexecParams(pg->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = res ? pq.PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    pq.PQclear(res);
    pg_set_err(pg, what, err);
    return NULL;
}

/* ---- COPY ---- */

static int room(struct pg *pg, size_t n)
{
    if (pg->cap - pg->len >= n)
        return 0;
    size_t want = pg->cap ? pg->cap : COPY_BLOCK + 4096;
    while (want - pg->len < n)
        want *= 2;
    char *b = realloc(pg->buf, want);
    if (!b) {
        pg->failed = 1;
        return -1;
    }
    pg->buf = b;
    pg->cap = want;
    return 0;
}

static void put(struct pg *pg, const char *s, size_t n)
{
    if (room(pg, n) != 0)
        return;
    memcpy(pg->buf + pg->len, s, n);
    pg->len += n;
}

static void separate(struct pg *pg)
{
    if (pg->fields++ > 0)
        put(pg, "\t", 1);
}

int pg_copy_begin(struct pg *pg, const char *sql, char err[HTTPCAP_ERRBUF])
{
    PGresult *res = pq.PQexec(pg->conn, sql);
    int ok = res && pq.PQresultStatus(res) == PGRES_COPY_IN;
    pq.PQclear(res);
    pg->len = 0;
    pg->fields = 0;
    pg->failed = 0;
    if (!ok) {
        pg_set_err(pg, "starting COPY", err);
        return -1;
    }
    return 0;
}

void pg_copy_null(struct pg *pg)
{
    separate(pg);
    put(pg, "\\N", 2);
}

void pg_copy_int(struct pg *pg, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    separate(pg);
    put(pg, num, (size_t)n);
}

void pg_copy_double(struct pg *pg, double v)
{
    char num[40];
    int n = snprintf(num, sizeof num, "%.17g", v);
    separate(pg);
    put(pg, num, (size_t)n);
}

/* One character of s (at most n bytes, NUL-terminated) escaped for COPY text; returns the
 * bytes of s it used. */
static size_t put_char(struct pg *pg, const char *s, size_t n)
{
    static const char esc[][3] = {['\\'] = "\\\\", ['\t'] = "\\t", ['\n'] = "\\n",
                                  ['\r'] = "\\r"};
    unsigned char c = (unsigned char)s[0];
    if (c < sizeof esc / sizeof esc[0] && esc[c][0]) {
        put(pg, esc[c], 2);
        return 1;
    }
    if (c < 0x80) {
        put(pg, s, 1);
        return 1;
    }
    int32_t cp;
    size_t len = (size_t)utf8_decode(s, &cp);
    if (cp < 0 || len > n) {
        put(pg, "\xef\xbf\xbd", 3); /* U+FFFD */
        return 1;
    }
    put(pg, s, len);
    return len;
}

void pg_copy_text(struct pg *pg, const char *s, size_t n)
{
    separate(pg);
    for (size_t i = 0; i < n && s[i];) {
        size_t plain = i;
        while (plain < n && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x80 &&
               s[plain] != '\\')
            plain++;
        if (plain > i) {
            put(pg, s + i, plain - i);
            i = plain;
            continue;
        }
        i += put_char(pg, s + i, n - i);
    }
}

static int send_block(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    if (pg->failed) {
        snprintf(err, HTTPCAP_ERRBUF, "%.300s: out of memory", pg->url);
        return -1;
    }
    if (pg->len && pq.PQputCopyData(pg->conn, pg->buf, (int)pg->len) != 1) {
        pg_set_err(pg, "sending COPY data", err);
        return -1;
    }
    pg->len = 0;
    return 0;
}

int pg_copy_row(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    put(pg, "\n", 1);
    pg->fields = 0;
    if (pg->len >= COPY_BLOCK || pg->failed)
        return send_block(pg, err);
    return 0;
}

/* The COPY's results, until none is left: 0 when all say it worked. */
static int copy_results(struct pg *pg)
{
    int rc = 0;
    PGresult *res;
    while ((res = pq.PQgetResult(pg->conn)) != NULL) {
        if (pq.PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = -1;
        pq.PQclear(res);
    }
    return rc;
}

int pg_copy_end(struct pg *pg, char err[HTTPCAP_ERRBUF])
{
    int rc = send_block(pg, err);
    if (pq.PQputCopyEnd(pg->conn, rc == 0 ? NULL : "httpcap: COPY abandoned") != 1 && rc == 0) {
        pg_set_err(pg, "ending COPY", err);
        rc = -1;
    }
    if (copy_results(pg) != 0 && rc == 0) { /* PQerrorMessage keeps the server's message */
        pg_set_err(pg, "COPY", err);
        rc = -1;
    }
    return rc;
}

void pg_copy_abandon(struct pg *pg)
{
    pg->len = 0;
    pq.PQputCopyEnd(pg->conn, "httpcap: COPY abandoned");
    copy_results(pg);
}
