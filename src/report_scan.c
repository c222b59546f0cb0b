/*
 * report_scan.c - the one pass over every reported transaction (report_scan.h).
 * Owns: one 40-byte record per transaction, the interned hosts and endpoints, counters per
 *       connection, a heap of the :top slowest by ttfb.
 * In:   rows of the "@scan" statement of sql/report_tables.sql, one database at a time.
 * Out:  rows of the small TEMP tables of report_tables.sql; percentiles in r->latency and
 *       bucket medians in r->series.
 * Never: keeps a row's strings other than interned hosts and endpoints; writes to an
 *        attached database.
 */
#include "report_scan.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "endpoint.h"
#include "report_db.h"
#include "report_hash.h"
#include "report_latency.h"
#include "report_scan_sort.h"

#define NO_ID UINT32_MAX
#define CLASS_5XX 4
#define CLASS_UNANSWERED 5
#define CLASS_INVALID 6
/* Record arrays this large ask the kernel for 2 MiB pages: 512 times fewer page faults
 * (each one was costly on the virtual machines measured) when they are first written. */
#define HUGE_ARRAY_BYTES (4u << 20)
#define HUGE_PAGE_BYTES ((uintptr_t)2 << 20)
/* Most records report_scan_lend() makes room for (10 GiB): a range of more ids has gaps
 * (no report holds that many transactions in memory), so its scans are merged by copying. */
#define LEND_MAX_RECORDS ((uint64_t)1 << 28)

/* Requests without a response, responses without a request, truncated transactions of
 * one connection: the input of the "servers" query of sql/anomalies.sql. */
struct conn_counts {
    int64_t last_unanswered; /* seq of the last request without a response (when
                                unanswered > 0) */
    int32_t n, unanswered, orphan, truncated, truncated_answered; /* one connection's
                                 transactions: far below 2^31 */
};

/* One of the slowest by ttfb; the heap keeps the worst of them at its root. */
struct slow {
    double ttfb_ms;
    int64_t id;       /* offset id: the report's order among equal ttfb */
    int64_t local_id; /* the id in its own database */
    int db;
};

struct report_scan {
    struct scan_tx *tx;          /* the records, ntx of them (room for captx) */
    size_t ntx, captx;
    size_t limit;                /* records it may hold: SIZE_MAX, or while its array is
                                    shared (report_scan_lend) ntx plus the ids that
                                    report_scan_allow() gave it and it has not used */
    size_t shared_end;           /* while limit is not SIZE_MAX: the end of the shared
                                    records, which limit never passes */
    int is_borrowed;             /* tx lies in another scan's array, filled from its top
                                    down (tx[captx - 1] first): never grown or freed */
    struct report_strings hosts; /* Host values */
    struct report_strings endpoints;
    struct conn_counts *direct;  /* counters of offset connection ids 1..ndirect, by id;
                                    calloc'd, so ids never seen cost no memory */
    int64_t ndirect;
    struct report_keys conns;    /* any other connection id -> index into conn */
    struct conn_counts *conn;
    uint32_t capconn;
    struct slow *heap;           /* nheap of at most top */
    int nheap, capheap, top;
    int has_span;                /* some record has a time: the params below are set */
    int64_t first_ns, last_ns;   /* the span of the records' times */
    int64_t origin_ns, bucket_ns, nbuckets; /* as in rparams */
    int64_t split_ns;            /* start of the second half of the span */
    pthread_t sorter;            /* sorts by ttfb while SQL runs, when is_sorting */
    int is_sorting;              /* the sorter runs: join it before touching tx */
    size_t nsorted;              /* records with a ttfb, sorted first (after the join) */
};

static const char *const class_names[REPORT_NCLASSES] = {"1xx", "2xx", "3xx", "4xx",
                                                         "5xx", "unanswered", "invalid"};

struct report_scan *report_scan_new(int top, int64_t conn_ids)
{
    struct report_scan *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->top = top;
    s->limit = SIZE_MAX;
    if (conn_ids > 0 && (uint64_t)conn_ids < SIZE_MAX / sizeof *s->direct - 1)
        s->direct = calloc((size_t)conn_ids + 1, sizeof *s->direct);
    s->ndirect = s->direct ? conn_ids : 0; /* without it, every id goes to the hash */
    return s;
}

void report_scan_free(struct report_scan *s)
{
    if (!s)
        return;
    if (s->is_sorting)
        pthread_join(s->sorter, NULL);
    if (!s->is_borrowed)
        free(s->tx);
    report_strings_free(&s->hosts);
    report_strings_free(&s->endpoints);
    free(s->direct);
    report_keys_free(&s->conns);
    free(s->conn);
    free(s->heap);
    free(s);
}

static int worse(const struct slow *a, const struct slow *b)
{
    return a->ttfb_ms < b->ttfb_ms || (a->ttfb_ms == b->ttfb_ms && a->id > b->id);
}

static void swap_slow(struct slow *a, struct slow *b)
{
    struct slow t = *a;
    *a = *b;
    *b = t;
}

static void sift_down(struct slow *h, int n, int i)
{
    for (;;) {
        int w = i, l = 2 * i + 1, r = 2 * i + 2;
        if (l < n && worse(&h[l], &h[w]))
            w = l;
        if (r < n && worse(&h[r], &h[w]))
            w = r;
        if (w == i)
            return;
        swap_slow(&h[i], &h[w]);
        i = w;
    }
}

/* Keep x when it is among the top slowest so far. 0, or -1 out of memory. */
static int offer_slow(struct report_scan *s, const struct slow *x)
{
    if (s->nheap == s->top) {
        if (s->top > 0 && worse(&s->heap[0], x)) {
            s->heap[0] = *x;
            sift_down(s->heap, s->nheap, 0);
        }
        return 0;
    }
    if (s->nheap == s->capheap) {
        int cap = s->capheap ? s->capheap * 2 : 16;
        struct slow *h = realloc(s->heap, (size_t)cap * sizeof *h);
        if (!h)
            return -1;
        s->heap = h;
        s->capheap = cap;
    }
    int i = s->nheap++;
    s->heap[i] = *x;
    while (i > 0 && worse(&s->heap[i], &s->heap[(i - 1) / 2])) {
        swap_slow(&s->heap[i], &s->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    return 0;
}

/* The counters of connection conn_id (offset), zeroed when new; NULL out of memory. */
static struct conn_counts *conn_of(struct report_scan *s, int64_t conn_id)
{
    if (conn_id >= 1 && conn_id <= s->ndirect)
        return &s->direct[conn_id];
    uint32_t i;
    int rc = report_keys_add(&s->conns, (uint64_t)conn_id, &i);
    if (rc < 0)
        return NULL;
    if (rc == 1) {
        if (i >= s->capconn) {
            uint32_t cap = s->capconn ? s->capconn * 2 : 256;
            struct conn_counts *c = realloc(s->conn, cap * sizeof *c);
            if (!c)
                return NULL;
            s->conn = c;
            s->capconn = cap;
        }
        memset(&s->conn[i], 0, sizeof s->conn[i]);
    }
    return &s->conn[i];
}

/* Count one transaction in its connection's counters. 0, or -1 out of memory. */
static int count_conn(struct report_scan *s, int64_t conn_id, int64_t seq, int has_method,
                      int has_status, int truncated)
{
    struct conn_counts *c = conn_of(s, conn_id);
    if (!c)
        return -1;
    c->n++;
    if (!has_status && has_method) {
        if (c->unanswered == 0 || seq > c->last_unanswered)
            c->last_unanswered = seq;
        c->unanswered++;
    }
    c->orphan += has_status && !has_method;
    c->truncated += truncated != 0;
    c->truncated_answered += has_status && truncated;
    return 0;
}

/* The text of a column, NULL for SQL NULL; -1 when SQLite is out of memory. */
static int column_text(sqlite3_stmt *q, int col, const char **text)
{
    *text = NULL;
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return 0;
    *text = (const char *)sqlite3_column_text(q, col);
    return *text ? 0 : -1;
}

/* Make s->tx hold cap records (cap > s->captx). 0, or -1 out of memory. */
static int grow_records(struct report_scan *s, size_t cap)
{
    if (s->is_borrowed || cap > SIZE_MAX / sizeof *s->tx)
        return -1;
    struct scan_tx *a = realloc(s->tx, cap * sizeof *a);
    if (!a)
        return -1;
    size_t bytes = cap * sizeof *a;
    if (bytes >= HUGE_ARRAY_BYTES) { /* the whole 2 MiB pages inside it; only advice */
        uintptr_t from = ((uintptr_t)a + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
        uintptr_t to = ((uintptr_t)a + bytes) & ~(HUGE_PAGE_BYTES - 1);
        if (to > from)
            madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
    s->tx = a;
    s->captx = cap;
    return 0;
}

static int next_record(struct report_scan *s, struct scan_tx **t)
{
    if (s->ntx == s->limit) /* sharing: more rows than ids, which cannot be */
        return -1;
    if (s->ntx == s->captx && grow_records(s, s->captx ? s->captx * 2 : 4096) != 0)
        return -1;
    *t = s->is_borrowed ? &s->tx[s->captx - 1 - s->ntx] : &s->tx[s->ntx];
    s->ntx++;
    memset(*t, 0, sizeof **t);
    return 0;
}

static uint8_t class_of(int has_status, int64_t status)
{
    if (!has_status)
        return CLASS_UNANSWERED;
    if (status < 100 || status > 599)
        return CLASS_INVALID;
    return (uint8_t)(status / 100 - 1);
}

/* One row of the scan statement (columns in the order of "@scan"). */
static int add_row(struct report_scan *s, sqlite3_stmt *q, int db, int64_t tx_off,
                   int64_t conn_off)
{
    struct scan_tx *t;
    if (next_record(s, &t) != 0)
        return -1;
    int64_t id = sqlite3_column_int64(q, 0);
    if (sqlite3_column_type(q, 3) != SQLITE_NULL) {
        t->bits |= SCAN_HAS_T;
        t->t_ns = sqlite3_column_int64(q, 3);
    }
    int has_status = sqlite3_column_type(q, 7) != SQLITE_NULL;
    int64_t status = sqlite3_column_int64(q, 7);
    t->bits |= has_status ? SCAN_HAS_STATUS : 0;
    t->status = (int32_t)status;
    t->cls = class_of(has_status, status);
    if (sqlite3_column_type(q, 8) != SQLITE_NULL) {
        t->bits |= SCAN_HAS_TTFB;
        t->ttfb_ms = sqlite3_column_double(q, 8);
    }
    if (sqlite3_column_type(q, 9) != SQLITE_NULL) {
        t->bits |= SCAN_HAS_TOTAL;
        t->total_ms = sqlite3_column_double(q, 9);
    }
    const char *method, *host, *uri;
    if (column_text(q, 4, &method) != 0 || column_text(q, 5, &host) != 0 ||
        column_text(q, 6, &uri) != 0)
        return -1;
    t->host = NO_ID;
    if (host && report_strings_add(&s->hosts, host, (size_t)sqlite3_column_bytes(q, 5),
                                   &t->host) < 0)
        return -1;
    t->endpoint = NO_ID;
    if (method) {
        char key[ENDPOINT_KEY_CAP];
        size_t len = endpoint_key(method, host, uri, key);
        if (report_strings_add(&s->endpoints, key, len, &t->endpoint) < 0)
            return -1;
    }
    if (count_conn(s, sqlite3_column_int64(q, 1) + conn_off, sqlite3_column_int64(q, 2),
                   method != NULL, has_status, sqlite3_column_int(q, 10)) != 0)
        return -1;
    if (!(t->bits & SCAN_HAS_TTFB) || s->top <= 0)
        return 0;
    struct slow x = {t->ttfb_ms, id + tx_off, id, db};
    return offer_slow(s, &x);
}

int report_scan_add(struct report_scan *s, sqlite3_stmt *q, int db, int64_t tx_off,
                    int64_t conn_off, char err[HTTPCAP_ERRBUF])
{
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (add_row(s, q, db, tx_off, conn_off) != 0) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            return -1;
        }
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, HTTPCAP_ERRBUF, "reading transactions: %s",
                 sqlite3_errmsg(sqlite3_db_handle(q)));
        return -1;
    }
    return 0;
}

/* The ids in into of every string of from (NULL when out of memory). */
static uint32_t *remap(struct report_strings *into, const struct report_strings *from)
{
    uint32_t *ids = malloc(((size_t)from->n + 1) * sizeof *ids);
    for (uint32_t i = 0; ids && i < from->n; i++) {
        if (report_strings_add(into, from->strs[i], from->lens[i], &ids[i]) < 0) {
            free(ids);
            return NULL;
        }
    }
    return ids;
}

/* The host and endpoint ids in into of from's strings (both NULL when out of memory). */
static int id_maps(struct report_scan *into, const struct report_scan *from, uint32_t **hosts,
                   uint32_t **endpoints)
{
    *hosts = remap(&into->hosts, &from->hosts);
    *endpoints = *hosts ? remap(&into->endpoints, &from->endpoints) : NULL;
    if (*endpoints)
        return 0;
    free(*hosts);
    *hosts = NULL;
    return -1;
}

/* t with its host and endpoint ids mapped by id_maps(). */
static struct scan_tx remapped(struct scan_tx t, const uint32_t *hosts,
                               const uint32_t *endpoints)
{
    t.host = t.host == NO_ID ? NO_ID : hosts[t.host];
    t.endpoint = t.endpoint == NO_ID ? NO_ID : endpoints[t.endpoint];
    return t;
}

#define MERGE_CHUNK 65536 /* records moved between two shrinks of the source */

/* from's records moved to the end of into's, with host and endpoint ids made into's; from
 * shrinks as they go, so that the two never both hold all of them. */
static int merge_records(struct report_scan *into, struct report_scan *from)
{
    uint32_t *hosts, *endpoints;
    if (id_maps(into, from, &hosts, &endpoints) != 0)
        return -1;
    size_t need = into->ntx + from->ntx;
    int rc = need <= into->captx || grow_records(into, need) == 0 ? 0 : -1;
    while (rc == 0 && from->ntx > 0) {
        size_t n = from->ntx < MERGE_CHUNK ? from->ntx : MERGE_CHUNK;
        for (size_t i = from->ntx - n; i < from->ntx; i++)
            into->tx[into->ntx++] = remapped(from->tx[i], hosts, endpoints);
        from->ntx -= n;
        struct scan_tx *a = realloc(from->tx, (from->ntx ? from->ntx : 1) * sizeof *a);
        if (a) { /* a failed shrink only keeps the memory a little longer */
            from->tx = a;
            from->captx = from->ntx ? from->ntx : 1;
        }
    }
    free(hosts);
    free(endpoints);
    return rc;
}

/* Add f, the counters of connection id in another scan, to s's. 0, or -1 out of memory. */
static int add_counts(struct report_scan *s, int64_t id, const struct conn_counts *f)
{
    struct conn_counts *c = conn_of(s, id);
    if (!c)
        return -1;
    if (f->unanswered > 0 && (c->unanswered == 0 || f->last_unanswered > c->last_unanswered))
        c->last_unanswered = f->last_unanswered;
    c->n += f->n;
    c->unanswered += f->unanswered;
    c->orphan += f->orphan;
    c->truncated += f->truncated;
    c->truncated_answered += f->truncated_answered;
    return 0;
}

int report_scan_lend(struct report_scan *s, uint64_t n, struct report_scan *to)
{
    if (to->tx || s->limit != SIZE_MAX || n > LEND_MAX_RECORDS ||
        s->ntx > SIZE_MAX - LEND_MAX_RECORDS)
        return -1;
    size_t need = s->ntx + (size_t)n;
    if (need > s->captx && grow_records(s, need) != 0)
        return -1;
    s->limit = s->ntx;
    s->shared_end = need;
    to->tx = s->tx + s->ntx;
    to->captx = to->shared_end = (size_t)n;
    to->limit = 0;
    to->is_borrowed = 1;
    return 0;
}

int report_scan_allow(struct report_scan *s, uint64_t n)
{
    if (s->limit == SIZE_MAX)
        return 0;
    if (n > s->shared_end - s->limit)
        return -1;
    s->limit += (size_t)n;
    return 0;
}

/* from's records, at the top of the array lent by into, moved down to follow into's, with
 * host and endpoint ids made into's; into may grow again. */
static int merge_lent(struct report_scan *into, struct report_scan *from)
{
    uint32_t *hosts, *endpoints;
    if (id_maps(into, from, &hosts, &endpoints) != 0)
        return -1;
    const struct scan_tx *src = from->tx + (from->captx - from->ntx);
    struct scan_tx *to = into->tx + into->ntx; /* at or before src, the two having filled
                                                  one array from its ends: copying forward
                                                  reads every record before overwriting it */
    for (size_t i = 0; i < from->ntx; i++)
        to[i] = remapped(src[i], hosts, endpoints);
    into->ntx += from->ntx;
    into->limit = SIZE_MAX;
    from->tx = NULL;
    from->ntx = from->captx = 0;
    from->is_borrowed = 0;
    free(hosts);
    free(endpoints);
    return 0;
}

int report_scan_merge(struct report_scan *into, struct report_scan *from)
{
    if ((from->is_borrowed ? merge_lent(into, from) : merge_records(into, from)) != 0)
        return -1;
    for (int64_t id = 1; id <= from->ndirect; id++)
        if (from->direct[id].n > 0 && add_counts(into, id, &from->direct[id]) != 0)
            return -1;
    for (uint32_t i = 0; i < from->conns.n; i++)
        if (add_counts(into, (int64_t)from->conns.keys[i], &from->conn[i]) != 0)
            return -1;
    for (int i = 0; i < from->nheap; i++)
        if (offer_slow(into, &from->heap[i]) != 0)
            return -1;
    return 0;
}

/* The buckets of the time series over the span of the records, as rparams holds them. */
static void set_params(struct report_scan *s)
{
    int64_t first = 0, last = 0;
    s->has_span = 0;
    for (size_t i = 0; i < s->ntx; i++) {
        const struct scan_tx *t = &s->tx[i];
        if (!(t->bits & SCAN_HAS_T))
            continue;
        if (!s->has_span || t->t_ns < first)
            first = t->t_ns;
        if (!s->has_span || t->t_ns > last)
            last = t->t_ns;
        s->has_span = 1;
    }
    if (!s->has_span) {
        s->bucket_ns = report_bucket_width(0);
        s->nbuckets = 0;
        return;
    }
    int64_t width = report_bucket_width(last - first);
    s->bucket_ns = width;
    s->origin_ns = first / width * width - (first % width < 0 ? width : 0);
    s->nbuckets = (last - s->origin_ns) / width + 1;
    s->split_ns = s->origin_ns + s->nbuckets * width / 2;
    s->first_ns = first;
    s->last_ns = last;
}

/* Step an INSERT once and make it ready for the next row. 0, or -1. */
static int insert_row(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **q)
{
    return sqlite3_prepare_v2(db, sql, -1, q, NULL) == SQLITE_OK ? 0 : -1;
}

static int write_params(const struct report_scan *s, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    if (prepare(db, "INSERT INTO rparams VALUES (?1, ?2, ?3, ?4, ?5)", &q) != 0)
        return -1;
    if (s->has_span) {
        sqlite3_bind_int64(q, 1, s->first_ns);
        sqlite3_bind_int64(q, 2, s->last_ns);
        sqlite3_bind_int64(q, 3, s->origin_ns);
    }
    sqlite3_bind_int64(q, 4, s->bucket_ns);
    sqlite3_bind_int64(q, 5, s->nbuckets);
    int rc = insert_row(q);
    sqlite3_finalize(q);
    return rc;
}

/* The histogram bin of a ttfb, as SQLite computes floor(log2(ms)): log(ms) / ln 2. */
static int ttfb_bin(double ms)
{
    if (ms < 0.125)
        return 0;
    int64_t b = (int64_t)floor(log(ms) / M_LN2) + 4;
    return b > 23 ? 23 : (int)b;
}

static int64_t bucket_of(const struct report_scan *s, const struct scan_tx *t)
{
    return (t->t_ns - s->origin_ns) / s->bucket_ns;
}

/* The group of a record in rgroups, packed: bucket + 1 (0: none) from bit 41, status from
 * bit 9, has-status at bit 8, bin + 1 (0: none) from bit 3, class in bits 0-2. */
static uint64_t group_key(const struct report_scan *s, const struct scan_tx *t)
{
    uint64_t b = t->bits & SCAN_HAS_T ? (uint64_t)bucket_of(s, t) + 1 : 0;
    uint64_t bin = t->bits & SCAN_HAS_TTFB ? (uint64_t)ttfb_bin(t->ttfb_ms) + 1 : 0;
    uint64_t has_status = (t->bits & SCAN_HAS_STATUS) != 0;
    return b << 41 | (uint64_t)(uint32_t)t->status << 9 | has_status << 8 | bin << 3 |
           t->cls;
}

/* The records' groups and their counts (rgroups), counted on a thread of their own while
 * the other tables are written. */
struct group_count {
    const struct report_scan *s;
    struct report_keys keys; /* id -> group key, in order of first sight */
    int64_t *n;              /* per id: transactions, those with a total */
    uint32_t cap;            /* ids n has room for */
    int rc;                  /* 0, or -1 out of memory */
};

static void count_groups(struct group_count *g)
{
    const struct report_scan *s = g->s;
    g->rc = 0;
    for (size_t i = 0; i < s->ntx && g->rc == 0; i++) {
        uint32_t id;
        g->rc = report_keys_add(&g->keys, group_key(s, &s->tx[i]), &id) < 0 ? -1 : 0;
        if (g->rc == 0 && id >= g->cap) {
            uint32_t cap = g->cap ? g->cap * 2 : 256;
            int64_t *a = realloc(g->n, (size_t)cap * 2 * sizeof *a);
            g->rc = a ? 0 : -1;
            if (a) {
                memset(a + 2 * (size_t)g->cap, 0, (size_t)(cap - g->cap) * 2 * sizeof *a);
                g->n = a;
                g->cap = cap;
            }
        }
        if (g->rc == 0) {
            g->n[2 * id]++;
            g->n[2 * id + 1] += (s->tx[i].bits & SCAN_HAS_TOTAL) != 0;
        }
    }
}

static void *count_groups_run(void *p)
{
    count_groups(p);
    return NULL;
}

static int write_groups(const struct group_count *g, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int rc = g->rc == 0 ? prepare(db, "INSERT INTO rgroups VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &q)
                        : -1;
    for (uint32_t id = 0; rc == 0 && id < g->keys.n; id++) {
        uint64_t k = g->keys.keys[id];
        if (k >> 41)
            sqlite3_bind_int64(q, 1, (int64_t)(k >> 41) - 1);
        sqlite3_bind_text(q, 2, class_names[k & 7], -1, SQLITE_STATIC);
        if (k >> 8 & 1)
            sqlite3_bind_int(q, 3, (int32_t)(uint32_t)(k >> 9));
        if (k >> 3 & 31)
            sqlite3_bind_int(q, 4, (int)(k >> 3 & 31) - 1);
        sqlite3_bind_int64(q, 5, g->n[2 * id]);
        sqlite3_bind_int64(q, 6, g->n[2 * id + 1]);
        rc = insert_row(q);
    }
    sqlite3_finalize(q);
    return rc;
}

static int write_hosts(const struct report_scan *s, sqlite3 *db)
{
    uint32_t nh = s->hosts.n;
    int64_t *n = calloc(((size_t)nh + 1) * 3, sizeof *n); /* n, n_ttfb, n_total; the last
                                                             for no Host */
    if (!n)
        return -1;
    for (size_t i = 0; i < s->ntx; i++) {
        const struct scan_tx *t = &s->tx[i];
        int64_t *c = &n[3 * (size_t)(t->host == NO_ID ? nh : t->host)];
        c[0]++;
        c[1] += (t->bits & SCAN_HAS_TTFB) != 0;
        c[2] += (t->bits & SCAN_HAS_TOTAL) != 0;
    }
    sqlite3_stmt *q = NULL;
    int rc = prepare(db, "INSERT INTO rhosts VALUES (?1, ?2, ?3, ?4)", &q);
    for (uint32_t h = 0; rc == 0 && h <= nh; h++) {
        const int64_t *c = &n[3 * (size_t)h];
        if (c[0] == 0)
            continue;
        if (h < nh)
            sqlite3_bind_text(q, 1, s->hosts.strs[h], (int)s->hosts.lens[h], SQLITE_STATIC);
        for (int k = 0; k < 3; k++)
            sqlite3_bind_int64(q, 2 + k, c[k]);
        rc = insert_row(q);
    }
    sqlite3_finalize(q);
    free(n);
    return rc;
}

#define EP_COLS 20 /* n, n_ttfb, n_total, n_5xx, h0 and its 7 classes, h1 and its 7 */

static int write_endpoints(const struct report_scan *s, sqlite3 *db)
{
    uint32_t ne = s->endpoints.n;
    int64_t *n = calloc((size_t)ne * EP_COLS + 1, sizeof *n);
    if (!n)
        return -1;
    for (size_t i = 0; i < s->ntx; i++) {
        const struct scan_tx *t = &s->tx[i];
        if (t->endpoint == NO_ID)
            continue;
        int64_t *c = &n[(size_t)t->endpoint * EP_COLS];
        c[0]++;
        c[1] += (t->bits & SCAN_HAS_TTFB) != 0;
        c[2] += (t->bits & SCAN_HAS_TOTAL) != 0;
        c[3] += t->cls == CLASS_5XX || t->cls == CLASS_INVALID;
        if (!(t->bits & SCAN_HAS_T)) /* in neither half */
            continue;
        int64_t *h = c + (t->t_ns >= s->split_ns ? 12 : 4);
        h[0]++;
        h[1 + t->cls]++;
    }
    sqlite3_stmt *q = NULL;
    int rc = prepare(db, "INSERT INTO rendpoints VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                         " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                     &q);
    for (uint32_t e = 0; rc == 0 && e < ne; e++) {
        sqlite3_bind_text(q, 1, s->endpoints.strs[e], (int)s->endpoints.lens[e],
                          SQLITE_STATIC);
        for (int k = 0; k < EP_COLS; k++)
            sqlite3_bind_int64(q, 2 + k, n[(size_t)e * EP_COLS + (size_t)k]);
        rc = insert_row(q);
    }
    sqlite3_finalize(q);
    free(n);
    return rc;
}

/* One row of rconn. 0, or -1. */
static int write_conn(sqlite3_stmt *q, int64_t id, const struct conn_counts *c)
{
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, c->n);
    sqlite3_bind_int64(q, 3, c->unanswered);
    if (c->unanswered > 0)
        sqlite3_bind_int64(q, 4, c->last_unanswered);
    sqlite3_bind_int64(q, 5, c->orphan);
    sqlite3_bind_int64(q, 6, c->truncated);
    sqlite3_bind_int64(q, 7, c->truncated_answered);
    return insert_row(q);
}

static int write_conns(const struct report_scan *s, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int rc = prepare(db, "INSERT INTO rconn VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &q);
    for (int64_t id = 1; rc == 0 && id <= s->ndirect; id++)
        if (s->direct[id].n > 0)
            rc = write_conn(q, id, &s->direct[id]);
    for (uint32_t i = 0; rc == 0 && i < s->conns.n; i++)
        rc = write_conn(q, (int64_t)s->conns.keys[i], &s->conn[i]);
    sqlite3_finalize(q);
    return rc;
}

static int write_picks(const struct report_scan *s, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int rc = prepare(db, "INSERT OR IGNORE INTO rpick VALUES (?1, ?2)", &q);
    for (int i = 0; rc == 0 && i < s->nheap; i++) {
        sqlite3_bind_int(q, 1, s->heap[i].db);
        sqlite3_bind_int64(q, 2, s->heap[i].local_id);
        rc = insert_row(q);
    }
    sqlite3_finalize(q);
    return rc;
}

int report_scan_write(struct report_scan *s, sqlite3 *db, char err[HTTPCAP_ERRBUF])
{
    set_params(s);
    if (sqlite3_exec(db, "SAVEPOINT report_scan", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "report tables: %s", sqlite3_errmsg(db));
        return -1;
    }
    /* the groups (a hash lookup per record) are counted meanwhile on a second thread */
    struct group_count g = {.s = s};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, count_groups_run, &g) == 0;
    int rc = write_params(s, db);
    if (rc == 0)
        rc = write_hosts(s, db);
    if (rc == 0)
        rc = write_endpoints(s, db);
    if (rc == 0)
        rc = write_conns(s, db);
    if (rc == 0)
        rc = write_picks(s, db);
    if (threaded)
        pthread_join(t, NULL);
    else
        count_groups(&g);
    if (rc == 0)
        rc = write_groups(&g, db);
    free(g.n);
    report_keys_free(&g.keys);
    if (rc != 0)
        snprintf(err, HTTPCAP_ERRBUF, "report tables: %s",
                 sqlite3_errcode(db) == SQLITE_OK ? "out of memory" : sqlite3_errmsg(db));
    sqlite3_exec(db, "RELEASE report_scan", NULL, NULL, NULL);
    return rc;
}

/* For each id of t, its entry in the walk (scope, -1 when none); NULL out of memory. */
static int *entries_of(const struct latency_walk *w, const struct report_strings *t,
                       enum report_scope scope)
{
    int *e = malloc(((size_t)t->n + 1) * sizeof *e);
    for (uint32_t i = 0; e && i < t->n; i++)
        e[i] = latency_walk_entry(w, scope, t->strs[i]);
    return e;
}

/* The records with a ttfb to the front, sorted (the ttfb walk's order). */
static void sort_ttfb(struct report_scan *s)
{
    s->nsorted = scan_partition(s->tx, s->ntx, SCAN_HAS_TTFB);
    scan_sort(s->tx, s->nsorted, 0);
}

static void *sorter_run(void *p)
{
    sort_ttfb(p);
    return NULL;
}

void report_scan_presort(struct report_scan *s)
{
    if (!s->is_sorting)
        s->is_sorting = pthread_create(&s->sorter, NULL, sorter_run, s) == 0;
}

/* One metric's walk over the m sorted records that have it. 0, or -1 out of memory. */
static int walk(struct report_scan *s, struct report_sections *r, int is_total, size_t m)
{
    struct latency_walk w;
    if (latency_walk_begin(&w, r, is_total) != 0)
        return -1;
    int *hosts = entries_of(&w, &s->hosts, REPORT_HOST);
    int *endpoints = entries_of(&w, &s->endpoints, REPORT_ENDPOINT);
    int classes[REPORT_NCLASSES];
    for (int c = 0; c < REPORT_NCLASSES; c++)
        classes[c] = latency_walk_entry(&w, REPORT_CLASS, class_names[c]);
    int null_host = latency_walk_entry(&w, REPORT_HOST, NULL);
    for (size_t i = 0; hosts && endpoints && i < m; i++) {
        const struct scan_tx *t = &s->tx[i];
        int64_t b = !is_total && (t->bits & SCAN_HAS_T) ? bucket_of(s, t) : -1;
        latency_walk_value_at(&w, is_total ? t->total_ms : t->ttfb_ms, classes[t->cls],
                              t->host == NO_ID ? null_host : hosts[t->host],
                              t->endpoint == NO_ID ? -1 : endpoints[t->endpoint], b);
    }
    int rc = hosts && endpoints ? 0 : -1;
    free(hosts);
    free(endpoints);
    latency_walk_end(&w);
    return rc;
}

int report_scan_latency(struct report_scan *s, struct report_sections *r)
{
    if (s->is_sorting) {
        pthread_join(s->sorter, NULL);
        s->is_sorting = 0;
    } else {
        sort_ttfb(s);
    }
    if (walk(s, r, 0, s->nsorted) != 0)
        return -1;
    size_t m = scan_partition(s->tx, s->ntx, SCAN_HAS_TOTAL);
    scan_sort(s->tx, m, 1);
    return walk(s, r, 1, m);
}
