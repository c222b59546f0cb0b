/*
 * test_http.c - drives the HTTP session (http.h) directly: unit cases with exact call
 * boundaries and capture times, and the transcripts of tests/http/ replayed whole,
 * split in two at every offset, and byte by byte. Run from the repository root.
 * Every http_data() call gets its bytes through guard_copy(), so an over-read crashes.
 *
 * Transcript format (tests/http/NAME.t), read line by line ('\n' ends a line):
 *   - Before the first block: blank lines, '#' comments, and options "@key=value":
 *       @client=0|1        side that carries the client's bytes (default 0)
 *       @learn=1           http_open() gets client_side -1: the session must find it
 *       @start_client=0    the client's stream did not start at its first byte (also
 *       @start_server=0    for the server); default 1
 *       @store_headers=1, @max_pending=N, @max_stored_header_bytes=N,
 *       @max_header_section=N, @max_headers=N, @max_uri_bytes=N   (struct http_config)
 *   - ">>>" alone on a line starts a block of client bytes, "<<<" of server bytes.
 *     Every following line up to the next marker line gives its bytes and then CR LF,
 *     except a line ending in a lone backslash, which gives no line end. Escapes:
 *     "\\" a backslash, "\xHH" one byte, "\r" CR, "\n" LF. A block is one
 *     http_data() call in the whole replay; consecutive blocks of a side are
 *     consecutive calls (segments).
 *   - "!!! > N" or "!!! < N": N bytes of the client's (>) or server's (<) stream were
 *     lost: http_gap().
 *   - "===" starts the expectations, one per line: "txns=N", "proto=NAME",
 *     "client=CLIENT|SERVER|-1" (which wire side the session says is the client,
 *     read before http_close), and "SEQ key=value key=value ..." comparing fields of
 *     the SEQ-th emitted transaction (keys: see key_names[]). A value holding spaces is
 *     written "in double quotes"; "key^=value" compares a prefix only.
 * Each call of a replay is given its own capture time (1000 ns apart); transcripts
 * compare no times (tests below do), only that start <= end within each message.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "http.h"
#include "http_detect.h"
#include "http_fields.h"
#include "testhelp.h"

/* ---- one emitted transaction as text fields ---- */

#define KEYS(X)                                                                            \
    X(K_HAS_REQ, "has_req") X(K_HAS_RESP, "has_resp") X(K_METHOD, "method")                \
    X(K_HOST, "host") X(K_URI, "uri") X(K_UA, "ua") X(K_RID, "rid")                         \
    X(K_REQ_VER, "req_ver") X(K_REQ_COMPLETE, "req_complete") X(K_REQ_HDR, "req_hdr")      \
    X(K_REQ_BODY, "req_body") X(K_REQ_WIRE, "req_wire") X(K_STATUS, "status")              \
    X(K_REASON, "reason") X(K_RESP_VER, "resp_ver") X(K_RESP_COMPLETE, "resp_complete")    \
    X(K_INTERIM, "interim") X(K_RESP_HDR, "resp_hdr") X(K_RESP_BODY, "resp_body")          \
    X(K_RESP_WIRE, "resp_wire") X(K_CTYPE, "ctype") X(K_CENC, "cenc")                       \
    X(K_SERVER, "server") X(K_LOCATION, "location") X(K_REQ_ERR, "req_err")                \
    X(K_RESP_ERR, "resp_err") X(K_FLAGS, "flags") X(K_NHDR, "nhdr") X(K_HDRS, "hdrs")      \
    X(K_REQ_HAS, "req_has") X(K_RESP_HAS, "resp_has") X(K_REQ_UPG, "req_upgrade")          \
    X(K_RESP_UPG, "resp_upgrade") X(K_I_CL, "interim_cl") X(K_I_TE, "interim_te")          \
    X(K_N_CL, "n_cl") X(K_CL_INVALID, "cl_invalid") X(K_CL_DIFFER, "cl_differ")            \
    X(K_HAS_TE, "has_te") X(K_OBS_FOLD, "obs_fold") X(K_BODY_TRUNC, "body_truncated")      \
    X(K_AFTER_BODYLESS, "after_bodyless")

enum key {
#define KEY_ENUM(id, name) id,
    KEYS(KEY_ENUM)
#undef KEY_ENUM
        K_COUNT
};

static const char *const key_names[K_COUNT] = {
#define KEY_NAME(id, name) name,
    KEYS(KEY_NAME)
#undef KEY_NAME
};

struct rec {
    char *v[K_COUNT];
    struct txn t; /* a copy; t.headers is NULL, its strings point into v */
};

struct result {
    struct rec *recs;
    size_t n, cap;
    int seq_bad;  /* a txn came with a wrong seq or connection id, or http_close counted
                     other transactions than came */
    size_t truncated, truncated_with_status; /* txns flagged truncated, of those answered */
    int time_bad; /* a message ended before it began */
    int proto;
    int client;
};

#define CONN_ID 77

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *out = NULL;
    va_start(ap, f);
    if (vasprintf(&out, f, ap) < 0)
        out = NULL;
    va_end(ap);
    return out;
}

static char *flags_text(uint32_t flags)
{
    char buf[512] = "";
#define FLAG_NAME(id, bit, name)                            \
    if (flags & id) {                                       \
        if (buf[0])                                         \
            strncat(buf, ",", sizeof(buf) - strlen(buf) - 1); \
        strncat(buf, name, sizeof(buf) - strlen(buf) - 1);  \
    }
    TXN_FLAGS(FLAG_NAME)
#undef FLAG_NAME
    return fmt("%s", buf);
}

/* TXN_H_* bits as their names, comma-separated, in bit order. */
static char *has_text(uint32_t has)
{
    char buf[512] = "";
#define HAS_NAME(id, bit, name)                              \
    if (has & id) {                                          \
        if (buf[0])                                          \
            strncat(buf, ",", sizeof(buf) - strlen(buf) - 1); \
        strncat(buf, name, sizeof(buf) - strlen(buf) - 1);   \
    }
    TXN_HEADERS_SEEN(HAS_NAME)
#undef HAS_NAME
    return fmt("%s", buf);
}

static char *headers_text(const struct txn *t)
{
    size_t cap = 64, len = 0;
    char *out = calloc(1, cap);
    for (uint32_t i = 0; out && i < t->n_headers; i++) {
        const struct txn_header *h = &t->headers[i];
        size_t need = strlen(h->name) + strlen(h->value) + 8;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            out = realloc(out, cap);
            if (!out)
                break;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%c:%s:%s", i ? "|" : "",
                                h->is_response ? 's' : 'q', h->name, h->value);
    }
    return out;
}

static struct rec rec_of(const struct txn *t)
{
    struct rec r;
    char interim[64] = "";
    for (int i = 0; i < t->n_interim && i < TXN_MAX_INTERIM; i++)
        snprintf(interim + strlen(interim), sizeof(interim) - strlen(interim), "%s%u",
                 i ? "," : "", t->interim[i]);
    r.v[K_HAS_REQ] = fmt("%u", t->has_request);
    r.v[K_HAS_RESP] = fmt("%u", t->has_response);
    r.v[K_METHOD] = fmt("%s", t->method);
    r.v[K_HOST] = fmt("%s", t->host);
    r.v[K_URI] = fmt("%s", t->uri);
    r.v[K_UA] = fmt("%s", t->user_agent);
    r.v[K_RID] = fmt("%s", t->request_id);
    r.v[K_REQ_VER] = fmt("%u.%u", t->req_major, t->req_minor);
    r.v[K_REQ_COMPLETE] = fmt("%u", t->request_complete);
    r.v[K_REQ_HDR] = fmt("%llu", (unsigned long long)t->request_header_bytes);
    r.v[K_REQ_BODY] = fmt("%llu", (unsigned long long)t->request_body_bytes);
    r.v[K_REQ_WIRE] = fmt("%llu", (unsigned long long)t->request_body_wire_bytes);
    r.v[K_STATUS] = fmt("%d", t->status);
    r.v[K_REASON] = fmt("%s", t->reason);
    r.v[K_RESP_VER] = fmt("%u.%u", t->resp_major, t->resp_minor);
    r.v[K_RESP_COMPLETE] = fmt("%u", t->response_complete);
    r.v[K_INTERIM] = fmt("%s", interim);
    r.v[K_RESP_HDR] = fmt("%llu", (unsigned long long)t->response_header_bytes);
    r.v[K_RESP_BODY] = fmt("%llu", (unsigned long long)t->response_body_bytes);
    r.v[K_RESP_WIRE] = fmt("%llu", (unsigned long long)t->response_body_wire_bytes);
    r.v[K_CTYPE] = fmt("%s", t->content_type);
    r.v[K_CENC] = fmt("%s", t->content_encoding);
    r.v[K_SERVER] = fmt("%s", t->server);
    r.v[K_LOCATION] = fmt("%s", t->location);
    r.v[K_REQ_ERR] = fmt("%s", t->request_error);
    r.v[K_RESP_ERR] = fmt("%s", t->response_error);
    r.v[K_FLAGS] = flags_text(t->flags);
    r.v[K_NHDR] = fmt("%u", t->n_headers);
    r.v[K_HDRS] = headers_text(t);
    const struct txn_facts *f = &t->facts;
    if (!f->req_upgrade || !f->resp_upgrade)
        abort(); /* never NULL at emit time */
    r.v[K_REQ_HAS] = has_text(f->req_has);
    r.v[K_RESP_HAS] = has_text(f->resp_has);
    r.v[K_REQ_UPG] = fmt("%s", f->req_upgrade);
    r.v[K_RESP_UPG] = fmt("%s", f->resp_upgrade);
    r.v[K_I_CL] = fmt("%u", f->interim_content_length);
    r.v[K_I_TE] = fmt("%u", f->interim_transfer_encoding);
    r.v[K_N_CL] = fmt("%u", f->n_content_length);
    r.v[K_CL_INVALID] = fmt("%u", f->content_length_invalid);
    r.v[K_CL_DIFFER] = fmt("%u", f->content_length_differ);
    r.v[K_HAS_TE] = fmt("%u", f->has_transfer_encoding);
    r.v[K_OBS_FOLD] = fmt("%u", f->obs_fold);
    r.v[K_BODY_TRUNC] = fmt("%u", f->body_truncated);
    r.v[K_AFTER_BODYLESS] = fmt("%llu", (unsigned long long)f->bytes_after_bodyless);
    r.t = *t; /* its strings live only during the callback: point them at the copies */
    r.t.headers = NULL;
    r.t.method = r.v[K_METHOD];
    r.t.host = r.v[K_HOST];
    r.t.uri = r.v[K_URI];
    r.t.user_agent = r.v[K_UA];
    r.t.request_id = r.v[K_RID];
    r.t.reason = r.v[K_REASON];
    r.t.content_type = r.v[K_CTYPE];
    r.t.content_encoding = r.v[K_CENC];
    r.t.server = r.v[K_SERVER];
    r.t.location = r.v[K_LOCATION];
    r.t.request_error = r.v[K_REQ_ERR];
    r.t.response_error = r.v[K_RESP_ERR];
    r.t.facts.req_upgrade = r.v[K_REQ_UPG];
    r.t.facts.resp_upgrade = r.v[K_RESP_UPG];
    return r;
}

static void on_txn(void *user, struct txn *t)
{
    struct result *res = user;
    if (t->seq != res->n + 1 || t->connection_id != CONN_ID)
        res->seq_bad = 1;
    if (t->request_complete && t->request_end_ns < t->request_start_ns)
        res->time_bad = 1;
    if (t->response_complete && t->response_end_ns < t->response_start_ns)
        res->time_bad = 1;
    res->truncated += (t->flags & TXN_TRUNCATED) != 0;
    res->truncated_with_status += (t->flags & TXN_TRUNCATED) && t->has_response;
    if (res->n == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 8;
        res->recs = realloc(res->recs, res->cap * sizeof(*res->recs));
        if (!res->recs)
            abort();
    }
    res->recs[res->n++] = rec_of(t);
}

static void result_free(struct result *res)
{
    for (size_t i = 0; i < res->n; i++)
        for (int k = 0; k < K_COUNT; k++)
            free(res->recs[i].v[k]);
    free(res->recs);
    memset(res, 0, sizeof(*res));
}

/* ---- a session driven by hand ---- */

struct drive {
    struct http_session *s;
    struct result res;
};

static void drive_open(struct drive *d, const struct http_config *cfg, int client,
                       uint8_t start0, uint8_t start1)
{
    struct http_config def = {.max_pending = 1024, .max_stored_header_bytes = 65536};
    struct http_events ev = {on_txn, NULL};
    uint8_t start[2] = {start0, start1};
    memset(&d->res, 0, sizeof(d->res));
    ev.user = &d->res;
    d->s = http_open(cfg ? cfg : &def, &ev, CONN_ID, client, start);
    if (!d->s)
        abort();
}

static void put(struct drive *d, int side, const void *p, size_t n, int64_t ts)
{
    const uint8_t *g = guard_copy(p, n);
    if (!g)
        abort();
    http_data(d->s, side, g, n, ts);
}

static void puts_(struct drive *d, int side, const char *text, int64_t ts)
{
    put(d, side, text, strlen(text), ts);
}

static void drive_close(struct drive *d, int64_t ts)
{
    d->res.proto = http_protocol(d->s);
    d->res.client = http_client_side(d->s);
    struct http_counts counts = {0, 0, 0};
    http_close(d->s, ts, &counts);
    d->s = NULL;
    if (counts.transactions != d->res.n || counts.truncated != d->res.truncated ||
        counts.truncated_with_status != d->res.truncated_with_status)
        d->res.seq_bad = 1;
}

static const char *field(const struct result *r, size_t seq, enum key k)
{
    if (seq == 0 || seq > r->n)
        return "(no such txn)";
    return r->recs[seq - 1].v[k];
}

/* ---- transcripts ---- */

enum step_kind { STEP_DATA, STEP_GAP };

struct step {
    int kind;
    int from_client;
    uint8_t *bytes;
    size_t n;
    uint64_t gap;
};

struct transcript {
    char name[256];
    int client, learn, start_client, start_server;
    struct http_config cfg;
    struct step *steps;
    size_t n_steps;
    char **expect;
    size_t n_expect;
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Append one transcript line's bytes to st; -1 on a bad escape. */
static int add_line(struct step *st, const char *line, size_t len)
{
    int crlf = 1;
    st->bytes = realloc(st->bytes, st->n + len + 2);
    if (!st->bytes)
        abort();
    for (size_t i = 0; i < len; i++) {
        if (line[i] != '\\') {
            st->bytes[st->n++] = (uint8_t)line[i];
            continue;
        }
        if (i + 1 == len) {
            crlf = 0;
            break;
        }
        char c = line[++i];
        if (c == '\\')
            st->bytes[st->n++] = '\\';
        else if (c == 'r')
            st->bytes[st->n++] = '\r';
        else if (c == 'n')
            st->bytes[st->n++] = '\n';
        else if (c == 'x' && i + 2 < len + 0 && hexval(line[i + 1]) >= 0 &&
                 hexval(line[i + 2]) >= 0) {
            st->bytes[st->n++] = (uint8_t)(hexval(line[i + 1]) * 16 + hexval(line[i + 2]));
            i += 2;
        } else {
            return -1;
        }
    }
    if (crlf) {
        st->bytes[st->n++] = '\r';
        st->bytes[st->n++] = '\n';
    }
    return 0;
}

static struct step *new_step(struct transcript *tr, int kind, int from_client)
{
    tr->steps = realloc(tr->steps, (tr->n_steps + 1) * sizeof(*tr->steps));
    if (!tr->steps)
        abort();
    struct step *st = &tr->steps[tr->n_steps++];
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    st->from_client = from_client;
    return st;
}

static int set_option(struct transcript *tr, const char *opt)
{
    const char *eq = strchr(opt, '=');
    if (!eq)
        return -1;
    long v = strtol(eq + 1, NULL, 10);
    size_t k = (size_t)(eq - opt);
    if (k == 6 && memcmp(opt, "client", 6) == 0)
        tr->client = (int)v;
    else if (k == 5 && memcmp(opt, "learn", 5) == 0)
        tr->learn = (int)v;
    else if (k == 12 && memcmp(opt, "start_client", 12) == 0)
        tr->start_client = (int)v;
    else if (k == 12 && memcmp(opt, "start_server", 12) == 0)
        tr->start_server = (int)v;
    else if (k == 13 && memcmp(opt, "store_headers", 13) == 0)
        tr->cfg.store_headers = (uint8_t)v;
    else if (k == 11 && memcmp(opt, "max_pending", 11) == 0)
        tr->cfg.max_pending = (uint32_t)v;
    else if (k == 23 && memcmp(opt, "max_stored_header_bytes", 23) == 0)
        tr->cfg.max_stored_header_bytes = (uint32_t)v;
    else if (k == 18 && memcmp(opt, "max_header_section", 18) == 0)
        tr->cfg.max_header_section = (uint32_t)v;
    else if (k == 11 && memcmp(opt, "max_headers", 11) == 0)
        tr->cfg.max_headers = (uint32_t)v;
    else if (k == 13 && memcmp(opt, "max_uri_bytes", 13) == 0)
        tr->cfg.max_uri_bytes = (uint32_t)v;
    else
        return -1;
    return 0;
}

static int parse_line(struct transcript *tr, char *line, size_t len, int *in_expect,
                      struct step **cur)
{
    if (*in_expect) {
        if (len == 0)
            return 0;
        tr->expect = realloc(tr->expect, (tr->n_expect + 1) * sizeof(*tr->expect));
        tr->expect[tr->n_expect++] = strndup(line, len);
        return 0;
    }
    if (strcmp(line, ">>>") == 0 || strcmp(line, "<<<") == 0) {
        *cur = new_step(tr, STEP_DATA, line[0] == '>');
        return 0;
    }
    if (strncmp(line, "!!! ", 4) == 0 && (line[4] == '>' || line[4] == '<')) {
        struct step *st = new_step(tr, STEP_GAP, line[4] == '>');
        st->gap = strtoull(line + 5, NULL, 10);
        *cur = NULL;
        return 0;
    }
    if (strcmp(line, "===") == 0) {
        *in_expect = 1;
        return 0;
    }
    if (*cur)
        return add_line(*cur, line, len);
    if (len == 0 || line[0] == '#')
        return 0;
    if (line[0] == '@')
        return set_option(tr, line + 1);
    return -1;
}

static int load_transcript(const char *path, struct transcript *tr)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    memset(tr, 0, sizeof(*tr));
    snprintf(tr->name, sizeof(tr->name), "%s", path);
    tr->start_client = tr->start_server = 1;
    tr->cfg.max_pending = 1024; /* the defaults of limits_table.h */
    tr->cfg.max_stored_header_bytes = 65536;
    tr->cfg.max_header_section = 65536;
    tr->cfg.max_headers = 256;
    tr->cfg.max_uri_bytes = 2048;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int in_expect = 0, rc = 0;
    struct step *cur = NULL;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        rc = parse_line(tr, line, len, &in_expect, &cur);
    }
    free(line);
    fclose(f);
    return rc;
}

static void transcript_free(struct transcript *tr)
{
    for (size_t i = 0; i < tr->n_steps; i++)
        free(tr->steps[i].bytes);
    for (size_t i = 0; i < tr->n_expect; i++)
        free(tr->expect[i]);
    free(tr->steps);
    free(tr->expect);
}

enum replay_mode { REPLAY_WHOLE, REPLAY_SPLIT, REPLAY_BYTES };

/* Replay tr; in REPLAY_SPLIT, data step split_step is cut in two at split_at. */
static void replay(const struct transcript *tr, enum replay_mode mode, size_t split_step,
                   size_t split_at, struct result *out)
{
    struct drive d;
    int client_side = tr->client;
    drive_open(&d, &tr->cfg, tr->learn ? -1 : client_side,
               (uint8_t)(client_side == 0 ? tr->start_client : tr->start_server),
               (uint8_t)(client_side == 0 ? tr->start_server : tr->start_client));
    int64_t ts = 0;
    for (size_t i = 0; i < tr->n_steps; i++) {
        const struct step *st = &tr->steps[i];
        int side = st->from_client ? client_side : 1 - client_side;
        if (st->kind == STEP_GAP) {
            http_gap(d.s, side, st->gap, ts += 1000);
        } else if (mode == REPLAY_BYTES) {
            for (size_t k = 0; k < st->n; k++)
                put(&d, side, st->bytes + k, 1, ts += 1000);
        } else if (mode == REPLAY_SPLIT && i == split_step) {
            put(&d, side, st->bytes, split_at, ts += 1000);
            put(&d, side, st->bytes + split_at, st->n - split_at, ts += 1000);
        } else if (st->n > 0) {
            put(&d, side, st->bytes, st->n, ts += 1000);
        }
    }
    drive_close(&d, ts + 1000);
    *out = d.res;
}

/* 1 when both replays emitted the same transactions (times aside). */
static int same_result(const struct result *a, const struct result *b, const char *what,
                       const char *name)
{
    const char *why = NULL;
    size_t at = 0;
    int key = 0;
    if (a->n != b->n)
        why = "transaction count";
    else if (a->proto != b->proto || a->client != b->client)
        why = "protocol or client side";
    for (at = 0; !why && at < a->n; at++)
        for (key = 0; !why && key < K_COUNT; key++)
            if (strcmp(a->recs[at].v[key], b->recs[at].v[key]) != 0)
                why = key_names[key];
    if (!why)
        return 1;
    fprintf(stderr, "%s: %s differs from whole replay: %s (txn %zu: \"%s\" vs \"%s\")\n", name,
            what, why, at, at && at <= a->n && key ? a->recs[at - 1].v[key - 1] : "",
            at && at <= b->n && key ? b->recs[at - 1].v[key - 1] : "");
    return 0;
}

static void check_expect_line(const struct transcript *tr, const struct result *r,
                              const char *line)
{
    if (strncmp(line, "txns=", 5) == 0) {
        long want = strtol(line + 5, NULL, 10);
        if ((long)r->n != want)
            fprintf(stderr, "%s: txns: got %zu, want %ld\n", tr->name, r->n, want);
        CHECK_INT(r->n, want);
        return;
    }
    if (strncmp(line, "proto=", 6) == 0) {
        CHECK_STR(http_protocol_name((enum http_protocol)r->proto), line + 6);
        return;
    }
    if (strncmp(line, "client=", 7) == 0) {
        const char *w = line + 7;
        int want = strcmp(w, "CLIENT") == 0 ? tr->client
                   : strcmp(w, "SERVER") == 0 ? 1 - tr->client
                                              : (int)strtol(w, NULL, 10);
        CHECK_INT(r->client, want);
        return;
    }
    char *end;
    size_t seq = strtoul(line, &end, 10);
    const char *p = end;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *eq = strchr(p, '=');
        if (!eq) {
            fprintf(stderr, "%s: bad expectation \"%s\"\n", tr->name, line);
            CHECK(0);
            return;
        }
        int prefix = eq > p && eq[-1] == '^';
        char key[32];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - p - prefix), p);
        const char *v = eq + 1;
        char val[4096];
        size_t vl = 0;
        if (*v == '"') {
            v++;
            while (*v && *v != '"' && vl + 1 < sizeof(val))
                val[vl++] = *v++;
            if (*v == '"')
                v++;
        } else {
            while (*v && *v != ' ' && vl + 1 < sizeof(val))
                val[vl++] = *v++;
        }
        val[vl] = '\0';
        p = v;
        int k = 0;
        while (k < K_COUNT && strcmp(key_names[k], key) != 0)
            k++;
        if (k == K_COUNT) {
            fprintf(stderr, "%s: unknown key %s\n", tr->name, key);
            CHECK(0);
            continue;
        }
        const char *got = field(r, seq, (enum key)k);
        int ok = prefix ? strncmp(got, val, vl) == 0 : strcmp(got, val) == 0;
        if (!ok)
            fprintf(stderr, "%s: txn %zu %s: got \"%s\", want %s\"%s\"\n", tr->name, seq, key,
                    got, prefix ? "prefix " : "", val);
        CHECK(ok);
    }
}

static uint32_t rnd(void);

/* The transcript with flipped bytes, random segments and random gaps: no crash, seq kept. */
static void replay_mutated(const struct transcript *tr, int rounds)
{
    int bad = 0;
    for (int r = 0; r < rounds; r++) {
        struct drive d;
        drive_open(&d, &tr->cfg, tr->learn ? -1 : tr->client, (uint8_t)(rnd() & 1),
                   (uint8_t)(rnd() % 4 != 0));
        int64_t ts = 0;
        for (size_t i = 0; i < tr->n_steps; i++) {
            const struct step *st = &tr->steps[i];
            int side = st->from_client ? tr->client : 1 - tr->client;
            if (st->kind == STEP_GAP || rnd() % 20 == 0)
                http_gap(d.s, side, st->kind == STEP_GAP ? st->gap : 1 + rnd() % 64, ts += 7);
            if (st->kind == STEP_GAP || st->n == 0)
                continue;
            uint8_t *copy = malloc(st->n);
            memcpy(copy, st->bytes, st->n);
            for (size_t k = 0; k < st->n; k++)
                if (rnd() % 64 == 0)
                    copy[k] = (uint8_t)rnd();
            for (size_t off = 0; off < st->n;) {
                size_t part = 1 + rnd() % (st->n - off);
                put(&d, side, copy + off, part, ts += 7);
                off += part;
            }
            free(copy);
        }
        drive_close(&d, ts + 7);
        bad |= d.res.seq_bad;
        result_free(&d.res);
    }
    CHECK(!bad);
}

static void run_transcript(const char *path)
{
    struct transcript tr;
    if (load_transcript(path, &tr) != 0) {
        fprintf(stderr, "%s: cannot parse\n", path);
        CHECK(0);
        transcript_free(&tr);
        return;
    }
    struct result whole, other;
    replay(&tr, REPLAY_WHOLE, 0, 0, &whole);
    CHECK(!whole.seq_bad);
    CHECK(!whole.time_bad);
    for (size_t i = 0; i < tr.n_expect; i++)
        check_expect_line(&tr, &whole, tr.expect[i]);
    int split_ok = 1;
    for (size_t i = 0; i < tr.n_steps && split_ok; i++) {
        for (size_t k = 1; tr.steps[i].kind == STEP_DATA && k < tr.steps[i].n && split_ok; k++) {
            replay(&tr, REPLAY_SPLIT, i, k, &other);
            char what[64];
            snprintf(what, sizeof(what), "split of block %zu at %zu", i + 1, k);
            split_ok = same_result(&whole, &other, what, tr.name) && !other.seq_bad &&
                       !other.time_bad;
            result_free(&other);
        }
    }
    CHECK(split_ok);
    replay(&tr, REPLAY_BYTES, 0, 0, &other);
    CHECK(same_result(&whole, &other, "byte-by-byte replay", tr.name));
    CHECK(!other.seq_bad && !other.time_bad);
    result_free(&other);
    result_free(&whole);
    replay_mutated(&tr, 50);
    transcript_free(&tr);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_transcripts(void)
{
    DIR *dir = opendir("tests/http");
    if (!dir) {
        fprintf(stderr, "tests/http not found: run from the repository root\n");
        CHECK(0);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".t") != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = fmt("tests/http/%s", e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof(*names), by_name);
    CHECK(n >= 25);
    for (size_t i = 0; i < n; i++) {
        int failed_before = test_failed;
        run_transcript(names[i]);
        if (test_failed != failed_before)
            fprintf(stderr, "  ^ in %s\n", names[i]);
        free(names[i]);
    }
    free(names);
}

/* ---- unit cases: exact call boundaries and times ---- */

static const struct txn *txn_at(const struct drive *d, size_t seq)
{
    static struct txn none = {.method = "", .host = "", .uri = "", .user_agent = "",
                              .request_id = "", .reason = "", .content_type = "",
                              .content_encoding = "", .server = "", .location = "",
                              .request_error = "", .response_error = ""};
    return seq >= 1 && seq <= d->res.n ? &d->res.recs[seq - 1].t : &none;
}

/* The four times: a byte's time is that of the call that delivered it. */
static void test_timestamps(void)
{
    struct drive d;
    const char *req1 = "GET /ts HTTP/1.1\r\nHo", *req2 = "st: a\r\n\r\n";
    const char *resp1 = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab";
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, req1, 1000);
    puts_(&d, 0, req2, 2000);
    puts_(&d, 1, resp1, 5000);
    puts_(&d, 1, "cd", 7000);
    drive_close(&d, 9000);
    const struct txn *t = txn_at(&d, 1);
    CHECK_INT(d.res.n, 1);
    CHECK_INT(t->request_start_ns, 1000);
    CHECK_INT(t->request_end_ns, 2000);
    CHECK_INT(t->response_start_ns, 5000);
    CHECK_INT(t->response_end_ns, 7000);
    CHECK_INT(t->request_header_bytes, strlen(req1) + strlen(req2));
    CHECK_INT(t->request_body_wire_bytes, 0);
    CHECK_INT(t->response_header_bytes, strlen(resp1) - 2);
    CHECK_INT(t->response_body_bytes, 4);
    CHECK_INT(t->response_body_wire_bytes, 4);
    CHECK_STR(t->host, "a");
    CHECK_INT(t->request_complete, 1);
    CHECK_INT(t->response_complete, 1);
    result_free(&d.res);
}

/* A start found one byte per call keeps the time of its first byte. */
static void test_timestamps_bytewise_detection(void)
{
    struct drive d;
    const char *req = "GET / HTTP/1.1\r\n\r\n";
    drive_open(&d, NULL, -1, 1, 1);
    for (size_t i = 0; i < strlen(req); i++)
        put(&d, 0, req + i, 1, 1000 * (int64_t)(i + 1));
    puts_(&d, 1, "HTTP/1.1 204 No Content\r\n\r\n", 100000);
    drive_close(&d, 200000);
    const struct txn *t = txn_at(&d, 1);
    CHECK_INT(d.res.n, 1);
    CHECK_INT(d.res.client, 0);
    CHECK_INT(t->request_start_ns, 1000);
    CHECK_INT(t->request_end_ns, 1000 * (int64_t)strlen(req));
    CHECK_INT(t->status, 204);
    result_free(&d.res);
}

/* RFC 9112 §6.3 (8): a close-delimited body ends with its last byte, not the FIN. */
static void test_close_delimited_time(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET /c HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc", 5000);
    puts_(&d, 1, "def", 6000);
    drive_close(&d, 90000);
    const struct txn *t = txn_at(&d, 1);
    CHECK_INT(d.res.n, 1);
    CHECK_INT(t->response_end_ns, 6000);
    CHECK_INT(t->response_complete, 1);
    CHECK_INT(t->response_body_bytes, 6);
    CHECK_INT(t->response_body_wire_bytes, 6);
    CHECK_STR(t->content_type, "text/plain");
    CHECK_INT(t->flags, 0);
    result_free(&d.res);
}

/* 100-continue: the final status line's first byte starts the response. */
static void test_continue_times(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "POST /u HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 100 Continue\r\nServer: interim\r\n\r\n", 2000);
    puts_(&d, 0, "hello", 3000);
    puts_(&d, 1, "HTTP/1.1 2", 4000);
    puts_(&d, 1, "01 Created\r\nContent-Length: 0\r\n\r\n", 4500);
    drive_close(&d, 9000);
    const struct txn *t = txn_at(&d, 1);
    CHECK_INT(d.res.n, 1);
    CHECK_INT(t->request_end_ns, 3000);
    CHECK_INT(t->response_start_ns, 4000);
    CHECK_INT(t->response_end_ns, 4500);
    CHECK_INT(t->n_interim, 1);
    CHECK_INT(t->interim[0], 100);
    CHECK_INT(t->status, 201);
    CHECK_STR(t->reason, "Created");
    CHECK_STR(t->server, ""); /* the 1xx's headers are not the final response's */
    CHECK_INT(t->request_body_bytes, 5);
    result_free(&d.res);
}

/* RFC 9112 §6.3 (1): a bodyless response waits until the bytes after it are counted
 * (the next status line or the close), and keeps its own times. */
static void test_bodyless_wait(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "HEAD /a HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 5000);
    puts_(&d, 1, "junk!", 6000);
    CHECK_INT(d.res.n, 0);
    puts_(&d, 0, "GET /b HTTP/1.1\r\n\r\n", 7000);
    puts_(&d, 1, "HTTP/1.1 204 No Content\r\n\r\n", 8000);
    CHECK_INT(d.res.n, 1);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    const struct txn *t = txn_at(&d, 1);
    CHECK_INT(t->response_start_ns, 5000);
    CHECK_INT(t->response_end_ns, 5000);
    CHECK_INT(t->facts.bytes_after_bodyless, 5);
    CHECK_INT(t->flags, 0);
    t = txn_at(&d, 2);
    CHECK_INT(t->status, 204);
    CHECK_INT(t->response_start_ns, 8000);
    CHECK_INT(t->response_end_ns, 8000);
    CHECK_INT(t->facts.bytes_after_bodyless, 0);
    CHECK_INT(t->flags, 0);
    result_free(&d.res);
}

/* Mid-stream: only a call's start may begin a message. */
static void test_hunt_at_call_starts(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 0, 0);
    puts_(&d, 0, "rest of an earlier body", 1000);
    puts_(&d, 1, "y bytes HTTP/1.1 200 OK\r\n\r\n", 2000);
    puts_(&d, 1, "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx", 3000);
    puts_(&d, 0, "GET /found HTTP/1.1\r\n\r\n", 4000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_STATUS), "404");
    CHECK_STR(field(&d.res, 1, K_HAS_REQ), "0");
    CHECK_STR(field(&d.res, 1, K_FLAGS), "midstream");
    CHECK_STR(field(&d.res, 2, K_URI), "/found");
    CHECK_STR(field(&d.res, 2, K_STATUS), "200");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "midstream");
    CHECK_INT(d.res.proto, HTTP_PROTO_HTTP);
    result_free(&d.res);
}

/* Nothing found in 64 KiB of an unknown connection: other. HTTP: hunt on. */
static void test_hunt_give_up(void)
{
    struct drive d;
    char junk[1024];
    memset(junk, 'z', sizeof(junk));
    drive_open(&d, NULL, -1, 0, 0);
    for (int i = 0; i < 70; i++)
        put(&d, i & 1, junk, sizeof(junk), 1000 * i);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_OTHER);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 99000);
    drive_close(&d, 100000);
    CHECK_INT(d.res.n, 0);
    CHECK_INT(d.res.proto, HTTP_PROTO_OTHER);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 2000);
    http_gap(d.s, 1, 100, 3000);
    for (int i = 0; i < 100; i++)
        put(&d, 1, junk, sizeof(junk), 4000 + i);
    puts_(&d, 0, "GET /2 HTTP/1.1\r\n\r\n", 5000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 6000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap,truncated");
    CHECK_STR(field(&d.res, 1, K_RESP_COMPLETE), "0");
    CHECK_STR(field(&d.res, 1, K_RESP_BODY), "2");
    CHECK_STR(field(&d.res, 2, K_URI), "/2");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "gap,midstream");
    CHECK_INT(d.res.proto, HTTP_PROTO_HTTP);
    result_free(&d.res);
}

/* After a parse error the rest of that call is skipped; the next call may start. */
static void test_error_resync_segments(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET /a HTTP/1.1\r\nBad\r\n\r\nGET /lost HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 0, "GET /b HTTP/1.1\r\n\r\n", 2000);
    puts_(&d, 1, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 3000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_URI), "/a");
    CHECK_STR(field(&d.res, 1, K_FLAGS), "parse-error");
    CHECK_STR(field(&d.res, 1, K_REQ_ERR),
              "HPE_INVALID_HEADER_TOKEN: Invalid header token (byte 20)");
    CHECK_STR(field(&d.res, 1, K_REQ_COMPLETE), "0");
    CHECK_STR(field(&d.res, 1, K_STATUS), "400");
    CHECK_STR(field(&d.res, 2, K_URI), "/b");
    CHECK_STR(field(&d.res, 2, K_STATUS), "200");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "midstream");
    result_free(&d.res);

    /* a broken status line: the error goes on the paired request's transaction */
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET /x HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 2x0 Odd\r\n\r\n", 2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "0");
    CHECK_STR(field(&d.res, 1, K_FLAGS), "parse-error");
    CHECK(strncmp(field(&d.res, 1, K_RESP_ERR), "HPE_INVALID_STATUS: ", 20) == 0);
    result_free(&d.res);

    /* an error with no request to pair: a response-only transaction carries it */
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_HAS_REQ), "0");
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "1");
    CHECK_STR(field(&d.res, 1, K_STATUS), "200");
    CHECK(strncmp(field(&d.res, 1, K_RESP_ERR), "HPE_INVALID_CONTENT_LENGTH: ", 28) == 0);
    result_free(&d.res);
}

/* Beyond max_pending the oldest request goes out unanswered; pairing goes on. */
static void test_max_pending(void)
{
    struct drive d;
    struct http_config cfg = {.max_pending = 2};
    drive_open(&d, &cfg, 0, 1, 1);
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", 1000);
    CHECK_INT(d.res.n, 1);
    puts_(&d, 1,
          "HTTP/1.1 201 A\r\nContent-Length: 0\r\n\r\nHTTP/1.1 202 B\r\nContent-Length: 0\r\n\r\n"
          "HTTP/1.1 203 C\r\nContent-Length: 0\r\n\r\n",
          2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 4);
    CHECK_STR(field(&d.res, 1, K_URI), "/1");
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "0");
    CHECK_STR(field(&d.res, 2, K_URI), "/2");
    CHECK_STR(field(&d.res, 2, K_STATUS), "201");
    CHECK_STR(field(&d.res, 3, K_STATUS), "202");
    CHECK_STR(field(&d.res, 4, K_HAS_REQ), "0");
    CHECK_STR(field(&d.res, 4, K_STATUS), "203");
    CHECK(!d.res.seq_bad);
    result_free(&d.res);
}

static void test_null_and_bad_args(void)
{
    struct drive d;
    http_close(NULL, 0, NULL);
    http_data(NULL, 0, (const uint8_t *)"x", 1, 0);
    http_gap(NULL, 0, 1, 0);
    http_set_client(NULL, 0);
    CHECK_INT(http_client_side(NULL), -1);
    CHECK_INT(http_protocol(NULL), HTTP_PROTO_UNKNOWN);
    CHECK_STR(http_protocol_name(HTTP_PROTO_TLS), "tls");
    CHECK_STR(http_protocol_name(HTTP_PROTO_OTHER), "other");
    CHECK_STR(http_protocol_name(HTTP_PROTO_HTTP), "http");
    CHECK_STR(http_protocol_name((enum http_protocol)99), "unknown");
    struct http_session *s = http_open(NULL, NULL, 1, 5, NULL); /* no events, no starts */
    CHECK(s != NULL);
    http_data(s, 2, (const uint8_t *)"GET", 3, 0);
    http_data(s, -1, (const uint8_t *)"GET", 3, 0);
    http_data(s, 0, NULL, 3, 0);
    http_data(s, 0, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\n", 19, 0);
    CHECK_INT(http_client_side(s), 1);
    http_close(s, 0, NULL);
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET / HTTP/1.1\r\n\r\n", 1);
    CHECK_INT(d.res.n, 0);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2);
    CHECK_INT(d.res.n, 1);
    drive_close(&d, 3);
    result_free(&d.res);
}

static void test_client_side(void)
{
    struct drive d;
    drive_open(&d, NULL, -1, 1, 1);
    http_set_client(d.s, 1);
    http_set_client(d.s, 0); /* ignored: known already */
    CHECK_INT(http_client_side(d.s), 1);
    puts_(&d, 1, "GET /late HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_URI), "/late");
    CHECK_STR(field(&d.res, 1, K_STATUS), "200");
    result_free(&d.res);

    /* a side that starts with a status line is the server */
    drive_open(&d, NULL, -1, 1, 1);
    puts_(&d, 0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1000);
    CHECK_INT(http_client_side(d.s), 1);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_HAS_REQ), "0");
    result_free(&d.res);
}

static void test_detection(void)
{
    struct drive d;
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
    drive_open(&d, NULL, 0, 1, 1);
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(http_protocol(d.s), HTTP_PROTO_UNKNOWN);
        put(&d, 0, hello + i, 1, 1000);
    }
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_TLS);
    puts_(&d, 0, "GET / HTTP/1.1\r\n\r\n", 2000); /* ignored from now on */
    drive_close(&d, 3000);
    CHECK_INT(d.res.n, 0);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* a server speaking first: not HTTP */
    puts_(&d, 1, "SSH-2.0-OpenSSH_9.2\r\n", 1000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_OTHER);
    drive_close(&d, 3000);
    result_free(&d.res);

    drive_open(&d, NULL, -1, 1, 1); /* RFC 9113 §3.4 preface */
    puts_(&d, 0, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 1000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_OTHER);
    drive_close(&d, 3000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 0, 0); /* mid-stream TLS application data */
    put(&d, 1, "\x17\x03\x03\x01\x00zzzz", 9, 1000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_TLS);
    drive_close(&d, 3000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 0, 0); /* a body segment that only looks like one: no */
    put(&d, 1, "\x17\x03\x03\xff\xffzzzz", 9, 1000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_UNKNOWN);
    drive_close(&d, 3000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 0, 0);
    put(&d, 1, "\x17\x03\x03\x01\x00zzzz", 9, 1000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_TLS);
    drive_close(&d, 3000);
    result_free(&d.res);

    CHECK_INT(http_detect((const uint8_t *)"GET", 3, HTTP_WANT_REQUEST), HTTP_DETECT_MORE);
    CHECK_INT(http_detect((const uint8_t *)"GET /", 5, HTTP_WANT_REQUEST), HTTP_DETECT_REQUEST);
    CHECK_INT(http_detect((const uint8_t *)"FOO /", 5, HTTP_WANT_REQUEST), HTTP_DETECT_REQUEST);
    CHECK_INT(http_detect((const uint8_t *)"FOO /", 5, HTTP_WANT_REQUEST | HTTP_WANT_STRICT),
              HTTP_DETECT_NONE);
    CHECK_INT(http_detect((const uint8_t *)"get /", 5, HTTP_WANT_REQUEST), HTTP_DETECT_NONE);
    CHECK_INT(http_detect((const uint8_t *)"GET  ", 5, HTTP_WANT_REQUEST), HTTP_DETECT_NONE);
    CHECK_INT(http_detect((const uint8_t *)"HTTP/2", 6, HTTP_WANT_RESPONSE), HTTP_DETECT_RESPONSE);
    CHECK_INT(http_detect((const uint8_t *)"HTTP/2 200", 10, HTTP_WANT_RESPONSE | HTTP_WANT_STRICT),
              HTTP_DETECT_NONE);
    CHECK_INT(http_detect((const uint8_t *)"HTTP/1.1 2", 10, HTTP_WANT_RESPONSE | HTTP_WANT_STRICT),
              HTTP_DETECT_RESPONSE);
    CHECK_INT(http_detect((const uint8_t *)"HTTP/1.1 200", 12, HTTP_WANT_REQUEST),
              HTTP_DETECT_NONE);
    CHECK_INT(http_detect((const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAA /", 27, HTTP_WANT_REQUEST),
              HTTP_DETECT_NONE);
    CHECK_INT(http_detect(NULL, 0, HTTP_WANT_REQUEST), HTTP_DETECT_MORE);
}

/* A client start that is no request line waits for the server to decide. */
static void test_wait_for_server(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "HELLO/", 1000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_OTHER); /* so far */
    http_gap(d.s, 0, 100, 1500);
    puts_(&d, 0, "more", 1800);
    puts_(&d, 1, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 2000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_HTTP);
    puts_(&d, 0, "GET /next HTTP/1.1\r\n\r\n", 3000);
    puts_(&d, 1, "HTTP/1.1 204 No Content\r\n\r\n", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_METHOD), "HELLO/"); /* its line never ended: maybe cut */
    CHECK_STR(field(&d.res, 1, K_FLAGS), "field-cut,parse-error");
    CHECK_STR(field(&d.res, 1, K_REQ_ERR),
              "HPE_INVALID_METHOD: Invalid method encountered (byte 2)");
    CHECK_STR(field(&d.res, 1, K_STATUS), "400");
    CHECK_INT(txn_at(&d, 1)->request_start_ns, 1000);
    CHECK_STR(field(&d.res, 2, K_URI), "/next");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "gap,midstream");
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* the server starts TLS: not HTTP */
    puts_(&d, 0, "hello", 1000);
    put(&d, 1, "\x16\x03\x03\x00\x10", 5, 2000);
    CHECK_INT(http_protocol(d.s), HTTP_PROTO_TLS);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 0);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 0); /* a server found by hunting decides too */
    puts_(&d, 0, "brew /pot HTCPCP/1.0\r\n\r\n", 1000);
    puts_(&d, 1, "tail of something", 1500);
    puts_(&d, 1, "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n", 2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_METHOD), "brew");
    CHECK_STR(field(&d.res, 1, K_URI), "/pot");
    CHECK_STR(field(&d.res, 1, K_STATUS), "418");
    CHECK_INT(d.res.proto, HTTP_PROTO_HTTP);
    result_free(&d.res);
}

/* Gaps: stepped over inside a Content-Length or close-delimited body, else resync. */
static void test_gaps(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1); /* the gap ends the body exactly */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123", 2000);
    http_gap(d.s, 1, 6, 3000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap");
    CHECK_STR(field(&d.res, 1, K_RESP_COMPLETE), "1");
    CHECK_STR(field(&d.res, 1, K_RESP_BODY), "10");
    CHECK_INT(txn_at(&d, 1)->response_end_ns, 3000);
    CHECK_STR(field(&d.res, 2, K_FLAGS), "");
    CHECK_STR(field(&d.res, 2, K_RESP_BODY), "1");
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* the gap runs past the body: position lost */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123", 2000);
    http_gap(d.s, 1, 20, 3000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap,truncated");
    CHECK_STR(field(&d.res, 1, K_RESP_COMPLETE), "0");
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "1");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "gap,midstream");
    CHECK_STR(field(&d.res, 2, K_STATUS), "200");
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* inside a close-delimited body: counted */
    puts_(&d, 0, "GET /1 HTTP/1.0\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.0 200 OK\r\n\r\nab", 2000);
    http_gap(d.s, 1, 1000, 3000);
    puts_(&d, 1, "cd", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap");
    CHECK_STR(field(&d.res, 1, K_RESP_BODY), "1004");
    CHECK_STR(field(&d.res, 1, K_RESP_WIRE), "1004");
    CHECK_STR(field(&d.res, 1, K_RESP_COMPLETE), "1");
    CHECK_INT(txn_at(&d, 1)->response_end_ns, 4000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* in request headers: cut, the response still pairs */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\nHost: a\r\n", 1000);
    http_gap(d.s, 0, 5, 2000);
    puts_(&d, 0, "\r\n", 3000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap,truncated");
    CHECK_STR(field(&d.res, 1, K_REQ_COMPLETE), "0");
    CHECK_STR(field(&d.res, 1, K_STATUS), "200");
    CHECK_STR(field(&d.res, 1, K_HOST), "a");
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* in a request body of known length */
    puts_(&d, 0, "POST /p HTTP/1.1\r\nContent-Length: 8\r\n\r\nab", 1000);
    http_gap(d.s, 0, 4, 2000);
    puts_(&d, 0, "gh", 3000);
    puts_(&d, 1, "HTTP/1.1 204 No Content\r\n\r\n", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap");
    CHECK_STR(field(&d.res, 1, K_REQ_COMPLETE), "1");
    CHECK_STR(field(&d.res, 1, K_REQ_BODY), "8");
    CHECK_INT(txn_at(&d, 1)->request_end_ns, 3000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* before detection: hunt, then flag what is found */
    http_gap(d.s, 1, 100, 500);
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap,midstream");
    result_free(&d.res);
}

/*
 * After response bytes were lost, a response answers the newest queued request that was
 * over (its last byte, or its first when incomplete) when the response began; older
 * ones go out unanswered with "gap". When none was over yet, and without a loss, order
 * decides.
 */
static void test_pairing_after_loss(void)
{
    struct drive d;
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    drive_open(&d, NULL, 0, 1, 1); /* /3 ended after the response began: /2 it is */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 0, "GET /2 HTTP/1.1\r\n\r\n", 2000);
    puts_(&d, 0, "GET /3 HTTP/1.1\r\n\r\n", 4000);
    http_gap(d.s, 1, 500, 2500);
    puts_(&d, 1, ok, 3000);
    puts_(&d, 1, ok, 5000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 3);
    CHECK_STR(field(&d.res, 1, K_URI), "/1");
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "0");
    CHECK_STR(field(&d.res, 1, K_FLAGS), "gap");
    CHECK_STR(field(&d.res, 2, K_URI), "/2");
    CHECK_INT(txn_at(&d, 2)->response_start_ns, 3000);
    CHECK_STR(field(&d.res, 2, K_FLAGS), "gap,midstream");
    CHECK_STR(field(&d.res, 3, K_URI), "/3");
    CHECK_INT(txn_at(&d, 3)->response_start_ns, 5000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* no request over before the response: order */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\n", 5000);
    puts_(&d, 0, "GET /2 HTTP/1.1\r\n\r\n", 6000);
    http_gap(d.s, 1, 500, 2000);
    puts_(&d, 1, ok, 3000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_URI), "/1");
    CHECK_STR(field(&d.res, 1, K_STATUS), "200");
    CHECK_STR(field(&d.res, 2, K_URI), "/2");
    CHECK_STR(field(&d.res, 2, K_HAS_RESP), "0");
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* a request still being sent counts from its start */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 0, "POST /2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nab", 2000);
    http_gap(d.s, 1, 500, 2500);
    puts_(&d, 1, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n", 3000);
    puts_(&d, 0, "cd", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "0");
    CHECK_STR(field(&d.res, 2, K_URI), "/2");
    CHECK_STR(field(&d.res, 2, K_STATUS), "413");
    CHECK_STR(field(&d.res, 2, K_REQ_COMPLETE), "1");
    CHECK_INT(txn_at(&d, 2)->request_end_ns, 4000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* no loss: pipelined responses pair in order */
    puts_(&d, 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 1, ok, 3000);
    puts_(&d, 1, ok, 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_URI), "/1");
    CHECK_INT(txn_at(&d, 1)->response_start_ns, 3000);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "");
    CHECK_STR(field(&d.res, 2, K_URI), "/2");
    CHECK_INT(txn_at(&d, 2)->response_start_ns, 4000);
    result_free(&d.res);
}

/* Upgrade: the client side waits; a refusal lets it go on, a 101 ends HTTP. */
static void test_upgrade_hold(void)
{
    struct drive d;
    const char *up = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, up, 1000);
    puts_(&d, 0, "early bytes", 1500); /* held, not parsed */
    puts_(&d, 1, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n", 2000);
    puts_(&d, 0, "GET /next HTTP/1.1\r\n\r\n", 3000);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_STATUS), "426");
    CHECK_STR(field(&d.res, 2, K_URI), "/next");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "midstream");
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1); /* pipelined: only the Upgrade's own answer releases */
    puts_(&d, 0, "GET /a HTTP/1.1\r\n\r\n", 1000);
    puts_(&d, 0, up, 1100);
    puts_(&d, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2000);
    puts_(&d, 0, "\x81\x05hello", 2100); /* not parsed: still held */
    puts_(&d, 1, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\n\r\n\x81\x02hi", 3000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 2);
    CHECK_STR(field(&d.res, 1, K_URI), "/a");
    CHECK_STR(field(&d.res, 2, K_STATUS), "101");
    CHECK_STR(field(&d.res, 2, K_FLAGS), "upgrade");
    result_free(&d.res);
}

/* A final response before the request ended: both halves are kept, in order. */
static void test_early_response(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "POST /up HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 1000);
    puts_(&d, 1, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n", 2000);
    CHECK_INT(d.res.n, 0);
    puts_(&d, 0, "defghij", 3000);
    CHECK_INT(d.res.n, 1);
    drive_close(&d, 9000);
    CHECK_STR(field(&d.res, 1, K_STATUS), "413");
    CHECK_STR(field(&d.res, 1, K_REQ_COMPLETE), "1");
    CHECK_INT(txn_at(&d, 1)->request_end_ns, 3000);
    result_free(&d.res);

    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "POST /up HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 1000);
    puts_(&d, 1, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n", 2000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "truncated");
    CHECK_STR(field(&d.res, 1, K_REQ_COMPLETE), "0");
    CHECK_STR(field(&d.res, 1, K_REQ_BODY), "3");
    CHECK_STR(field(&d.res, 1, K_STATUS), "413");
    CHECK_INT(d.res.truncated_with_status, 1); /* cut at the close: http_close counted it */
    CHECK(!d.res.seq_bad);
    result_free(&d.res);
}

/* The helpers behind the kept fields. */
static void test_fields(void)
{
    static struct http_strs a;
    CHECK_INT(http_strs_append(&a, HTTP_STR_URI, "a\0b", 3, 7), 0);
    CHECK_STR(http_strs_get(&a, HTTP_STR_URI), "a?b");
    CHECK_INT(http_strs_append(&a, HTTP_STR_URI, "cdefgh", 6, 7), 1);
    CHECK_STR(http_strs_get(&a, HTTP_STR_URI), "a?bcdef");
    http_strs_clear(&a);

    struct http_name nm;
    http_name_reset(&nm);
    http_name_add(&nm, "X-ReQuEsT", 9);
    http_name_add(&nm, "-iD", 3);
    CHECK_INT(http_field_lookup(&nm, 0), HTTP_FIELD_RID_FIRST);
    CHECK_INT(http_field_lookup(&nm, 1), HTTP_FIELD_NONE);
    CHECK_INT(http_fields_selfcheck(), 0); /* the by-length indexes list every name */
    static const struct { const char *name; int resp; enum http_field f; } kept[] = {
        {"Host", 0, HTTP_FIELD_HOST}, {"CF-RAY", 0, HTTP_FIELD_RID_LAST},
        {"Server", 1, HTTP_FIELD_SERVER}, {"server", 0, HTTP_FIELD_NONE},
        {"Upgrade", 0, HTTP_FIELD_REQ_UPGRADE}, {"upgrade", 1, HTTP_FIELD_RESP_UPGRADE},
        {"Content-Encoding", 1, HTTP_FIELD_CONTENT_ENCODING},
        {"X-Correlation-Id", 0, HTTP_FIELD_RID_CORRELATION},
        {"Content-Length", 1, HTTP_FIELD_NONE}, {"Hostx", 0, HTTP_FIELD_NONE},
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        http_name_reset(&nm);
        http_name_add(&nm, kept[i].name, strlen(kept[i].name));
        CHECK_INT(http_field_lookup(&nm, kept[i].resp), kept[i].f);
    }
    /* http_name_add lower-cases 'A'..'Z' and nothing else, whatever the byte's place in
     * its word and however the name is split (whole words, a partial word, byte by byte
     * after a split inside a word): every byte value at every position, for names of
     * every length cut at a few places */
    static const int cuts[] = {0, 1, 7, 8, 13, 16};
    for (int len = 1; len <= HTTP_NAME_MAX; len++) {
        for (size_t ci = 0; ci < sizeof cuts / sizeof cuts[0]; ci++) {
            int cut = cuts[ci] < len ? cuts[ci] : len;
            for (int pos = 0; pos < len; pos++) {
                for (int b = 0; b < 256; b++) {
                    char name[HTTP_NAME_MAX + 8];
                    for (int k = 0; k < (int)sizeof name; k++)
                        name[k] = (char)(k == pos ? b : (k % 2 ? 'Q' : 0xC1));
                    http_name_reset(&nm);
                    http_name_add(&nm, name, (size_t)cut);
                    http_name_add(&nm, name + cut, (size_t)(len - cut));
                    int ok = nm.len == (uint32_t)len;
                    for (int k = 0; k < len; k++) {
                        unsigned char c = (unsigned char)name[k];
                        unsigned char want = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
                        ok &= (unsigned char)nm.buf[k] == want;
                    }
                    if (!ok) /* names the failing length, cut, position and byte */
                        CHECK_INT(((len * 100 + cut) * 100 + pos) * 256 + b, -1);
                }
            }
        }
    }
    CHECK(1);
    /* past HTTP_NAME_MAX: counted, not kept, and never matched */
    http_name_reset(&nm);
    http_name_add(&nm, "host", 4);
    for (int i = 0; i < HTTP_NAME_MAX; i++)
        http_name_add(&nm, "x", 1);
    CHECK_INT(nm.len, 4 + HTTP_NAME_MAX);
    CHECK_INT(http_field_lookup(&nm, 0), HTTP_FIELD_NONE);

    static struct http_value v;
    static struct txn t;
    struct http_field_seen seen = {0, 0};
    http_value_begin(&v, &a, HTTP_FIELD_SERVER, 1);
    http_value_add(&v, &a, " \t a", 4);
    http_value_add(&v, &a, "\0b \t", 4);
    http_field_apply(&a, &t.flags, &seen, &v);
    http_strs_fill(&a, &t);
    CHECK_STR(t.server, "a?b");
    http_value_begin(&v, &a, HTTP_FIELD_SERVER, 1);
    http_value_add(&v, &a, "second", 6);
    http_field_apply(&a, &t.flags, &seen, &v);
    http_strs_fill(&a, &t);
    CHECK_STR(t.server, "a?b"); /* the first one wins */
    http_value_begin(&v, &a, HTTP_FIELD_HOST, 0);
    for (int i = 0; i < 300; i++)
        http_value_add(&v, &a, "x", 1);
    http_value_add(&v, &a, "   ", 3);
    http_field_apply(&a, &t.flags, &seen, &v);
    http_strs_fill(&a, &t);
    CHECK_INT(strlen(t.host), TXN_HOST_MAX - 1);
    CHECK(t.flags & TXN_FIELD_CUT);
    http_strs_free(&a);

    struct http_hstore h = {0};
    struct txn_header list[4];
    http_hstore_start(&h, 1, 20);
    http_hstore_begin(&h, 0);
    http_hstore_add(&h, "A", 1);
    http_hstore_value(&h);
    http_hstore_add(&h, "  1  ", 5);
    http_hstore_end(&h);
    http_hstore_begin(&h, 1);
    http_hstore_add(&h, "Long-Name", 9);
    http_hstore_value(&h);
    http_hstore_add(&h, "too long", 8);
    http_hstore_end(&h);
    CHECK_INT(h.cut, 1);
    CHECK_INT(http_hstore_list(&h, list, 4), 1);
    CHECK_STR(list[0].name, "A");
    CHECK_STR(list[0].value, "1");
    http_hstore_start(&h, 1, 0); /* a zero cap keeps nothing, and says so */
    http_hstore_begin(&h, 0);
    CHECK_INT(h.cut, 1);
    http_hstore_start(&h, 0, 0); /* off: nothing kept, nothing cut */
    http_hstore_begin(&h, 0);
    CHECK_INT(h.cut, 0);
    CHECK_INT(h.n, 0);
    http_hstore_free(&h);
}

/* Header values split across calls are gathered whole. */
static void test_split_values(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET / HTTP/1.1\r\nX-Request-ID: ab", 1000);
    puts_(&d, 0, "c", 2000);
    puts_(&d, 0, "d   \r\nUser-", 3000);
    puts_(&d, 0, "Agent:   t/1\r\n\r\n", 4000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_RID), "abcd");
    CHECK_STR(field(&d.res, 1, K_UA), "t/1");
    CHECK_STR(field(&d.res, 1, K_HAS_RESP), "0");
    result_free(&d.res);

    static const char nul_reason[] = "HTTP/1.1 200 O\0K\r\nContent-Length: 0\r\n\r\n";
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET / HTTP/1.1\r\n\r\n", 1000);
    put(&d, 1, nul_reason, sizeof(nul_reason) - 1, 2000);
    drive_close(&d, 9000);
    CHECK_STR(field(&d.res, 1, K_REASON), "O?K");
    result_free(&d.res);
}

/* Both sides fill one transaction's strings in turns: each piece lands on its own string. */
static void test_interleaved_strings(void)
{
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, "GET /aa", 1000);
    puts_(&d, 1, "HTTP/1.1 200 O", 2000);
    puts_(&d, 0, "bb HTTP/1.1\r\nX-Request-ID: ab", 3000);
    puts_(&d, 1, "K\r\nServer: s1", 4000);
    puts_(&d, 0, "c  ", 5000);
    puts_(&d, 1, "x \t", 6000);
    puts_(&d, 0, "\r\nUser-Agent: u\r\n\r\n", 7000);
    puts_(&d, 1, "\r\nContent-Length: 0\r\n\r\n", 8000);
    drive_close(&d, 9000);
    CHECK_INT(d.res.n, 1);
    CHECK_STR(field(&d.res, 1, K_URI), "/aabb");
    CHECK_STR(field(&d.res, 1, K_REASON), "OK");
    CHECK_STR(field(&d.res, 1, K_RID), "abc");
    CHECK_STR(field(&d.res, 1, K_SERVER), "s1x");
    CHECK_STR(field(&d.res, 1, K_UA), "u");
    CHECK_STR(field(&d.res, 1, K_FLAGS), "");
    result_free(&d.res);

    static struct http_strs a;
    http_strs_append(&a, HTTP_STR_HOST, "h", 1, 9);
    http_strs_append(&a, HTTP_STR_URI, "/u", 2, 9);
    http_strs_append(&a, HTTP_STR_HOST, "ost", 3, 9);
    http_strs_set(&a, HTTP_STR_URI, "/v", 2, 9);
    http_strs_append(&a, HTTP_STR_SERVER, "", 0, 9);
    http_strs_drop(&a, HTTP_STR_HOST);
    http_strs_append(&a, HTTP_STR_HOST, "again", 5, 9);
    CHECK_STR(http_strs_get(&a, HTTP_STR_URI), "/v");
    CHECK_STR(http_strs_get(&a, HTTP_STR_HOST), "again");
    CHECK_STR(http_strs_get(&a, HTTP_STR_SERVER), "");
    CHECK_STR(http_strs_get(&a, HTTP_STR_METHOD), "");
    CHECK_INT(a.len, 3 + 6 + 1); /* packed: each string and its NUL, no holes */
    http_strs_free(&a);
}

/* Every string at its cap at once: the buffer holds them all, each cut and flagged. */
static void test_strings_at_caps(void)
{
    static char req[16384], resp[8192], big[TXN_URI_MAX + 100];
    memset(big, 'a', sizeof(big) - 1);
    snprintf(req, sizeof(req),
             "GET /%s HTTP/1.1\r\nHost: %.300s\r\nUser-Agent: %.300s\r\n"
             "X-Request-ID: %.300s\r\n\r\n", big, big, big, big);
    snprintf(resp, sizeof(resp),
             "HTTP/1.1 200 %.200s\r\nContent-Type: %.300s\r\nContent-Encoding: %.300s\r\n"
             "Server: %.300s\r\nLocation: %.1100s\r\nContent-Length: 0\r\n\r\n",
             big, big, big, big, big);
    struct drive d;
    drive_open(&d, NULL, 0, 1, 1);
    puts_(&d, 0, req, 1000);
    puts_(&d, 1, resp, 2000);
    drive_close(&d, 9000);
    const struct txn *t = txn_at(&d, 1);
    CHECK_INT(d.res.n, 1);
    CHECK_INT(strlen(t->uri), TXN_URI_MAX - 1);
    CHECK_INT(strlen(t->host), TXN_HOST_MAX - 1);
    CHECK_INT(strlen(t->user_agent), TXN_VALUE_MAX - 1);
    CHECK_INT(strlen(t->request_id), TXN_VALUE_MAX - 1);
    CHECK_INT(strlen(t->reason), TXN_REASON_MAX - 1);
    CHECK_INT(strlen(t->content_type), TXN_VALUE_MAX - 1);
    CHECK_INT(strlen(t->content_encoding), TXN_VALUE_MAX - 1);
    CHECK_INT(strlen(t->server), TXN_VALUE_MAX - 1);
    CHECK_INT(strlen(t->location), TXN_LOCATION_MAX - 1);
    CHECK_STR(field(&d.res, 1, K_FLAGS), "uri-cut,field-cut");
    result_free(&d.res);
}

/* Random input in random pieces must never crash nor break the seq order. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void test_fuzz(void)
{
    static const char *const pieces[] = {
        "GET / HTTP/1.1\r\n", "HEAD /h HTTP/1.1\r\n", "CONNECT a:1 HTTP/1.1\r\n",
        "POST /p HTTP/1.0\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 100 Continue\r\n",
        "HTTP/1.1 101 Switching\r\n", "HTTP/1.0 304 NM\r\n", "Content-Length: 5\r\n",
        "Transfer-Encoding: chunked\r\n", "Upgrade: x\r\nConnection: upgrade\r\n",
        "Host: h\r\n", "X-Request-ID: r\r\n", "\r\n", "5\r\nhello\r\n", "0\r\n\r\n", "hello",
        "\x16\x03\x01", "\x00\xff", "HTTP/1.", "GET", " ", "Content-Length: 99999999999\r\n",
    };
    uint8_t buf[2048];
    int bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        struct drive d;
        struct http_config cfg = {.store_headers = (uint8_t)(rnd() & 1),
                                  .max_pending = 1 + rnd() % 4,
                                  .max_stored_header_bytes = rnd() % 200,
                                  .max_header_section = rnd() % 3 ? 0 : 40 + rnd() % 400,
                                  .max_headers = rnd() % 3 ? 0 : 1 + rnd() % 8,
                                  .max_uri_bytes = rnd() % 3 ? 0 : 1 + rnd() % 64};
        drive_open(&d, &cfg, (int)(rnd() % 3) - 1, (uint8_t)(rnd() % 4 != 0),
                   (uint8_t)(rnd() % 4 != 0));
        int64_t ts = 0;
        for (int step = 0; step < 40; step++) {
            size_t n = 0;
            int k = 1 + (int)(rnd() % 6);
            for (int j = 0; j < k; j++) {
                const char *pc = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
                size_t len = strlen(pc) ? strlen(pc) : 2;
                if (rnd() % 8 == 0) {
                    len = 1 + rnd() % 64;
                    for (size_t b = 0; b < len && n + b < sizeof(buf); b++)
                        buf[n + b] = (uint8_t)rnd();
                } else if (n + len <= sizeof(buf)) {
                    memcpy(buf + n, pc, len);
                }
                n = n + len > sizeof(buf) ? sizeof(buf) : n + len;
            }
            int side = (int)(rnd() & 1);
            if (rnd() % 16 == 0)
                http_gap(d.s, side, 1 + rnd() % 5000, ts += 10);
            for (size_t off = 0; off < n;) {
                size_t part = 1 + rnd() % (n - off);
                put(&d, side, buf + off, part, ts += 10);
                off += part;
            }
        }
        drive_close(&d, ts + 10);
        bad |= d.res.seq_bad;
        result_free(&d.res);
    }
    CHECK(!bad);
}

static void run_unit_cases(void)
{
    test_timestamps();
    test_timestamps_bytewise_detection();
    test_close_delimited_time();
    test_continue_times();
    test_bodyless_wait();
    test_hunt_at_call_starts();
    test_hunt_give_up();
    test_error_resync_segments();
    test_max_pending();
    test_null_and_bad_args();
    test_client_side();
    test_detection();
    test_wait_for_server();
    test_gaps();
    test_pairing_after_loss();
    test_upgrade_hold();
    test_early_response();
    test_fields();
    test_split_values();
    test_interleaved_strings();
    test_strings_at_caps();
    test_fuzz();
}

int main(void)
{
    test_transcripts();
    run_unit_cases();
    guard_release();
    return TEST_REPORT();
}
