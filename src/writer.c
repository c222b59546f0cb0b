/*
 * writer.c - SQLite on its own thread (see writer.h).
 * Owns: the thread, a bounded pool of batches (byte buffers of packed records), the queue
 *       of filled batches, one lane (the batch being filled) per producer, the first
 *       store error.
 * In:   records from the producers' threads, packed with memcpy into their own lane's
 *       batch without a lock (no pointer survives).
 * Out:  store_put_txn / store_put_conn / store_commit calls on the writer thread.
 * Never: lets two threads use the store at once; takes its mutex more than once per
 *        batch on a producer's path; grows past WRITER_BATCHES - 1 + lanes batches.
 */
#include "writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_BATCHES 32             /* batches in flight with one lane: the memory bound
                                         (16 MiB); each further lane adds one. Deep enough
                                         for the parsers to go on while SQLite pauses (a
                                         restart of the WAL, a burst of large rows) */
#define WRITER_BATCH_BYTES (1u << 19) /* a batch is handed over once this full */

enum record_kind { REC_TXN = 1, REC_CONN = 2 };

struct batch {
    uint8_t *buf;
    size_t len, cap;
    int commit;          /* commit once this batch is stored */
    struct batch *next;
};

/* A producer's batch being filled; on its own cache line, so lanes used by different
 * threads do not share one. */
struct writer_lane {
    _Alignas(64) struct writer *w;
    struct batch *cur;         /* NULL until the first put after a hand-over */
};

struct writer {
    struct store *st;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;   /* the writer waits here for a batch or quit */
    pthread_cond_t done;   /* the caller waits here for a free batch or an idle writer */
    struct batch *head, *tail; /* filled batches, oldest first */
    struct batch *free_list;
    int allocated;             /* batches in existence, <= max_batches */
    int max_batches;           /* WRITER_BATCHES - 1 + n_lanes */
    int busy;                  /* the writer is storing a batch */
    int quit;
    struct writer_lane *lanes; /* n_lanes of them */
    int n_lanes;
    atomic_int failed;         /* set (after err) by whichever thread fails first */
    char err[HTTPCAP_ERRBUF];
    struct txn_header *hdrs;   /* the writer's unpacked headers */
    size_t hdrs_cap;
    _Atomic uint64_t *txn_ids; /* numbers transactions put with id 0; NULL: none */
};

/* The string members of struct txn, packed in this order. */
static const size_t txn_string_offsets[] = {
    offsetof(struct txn, method),          offsetof(struct txn, host),
    offsetof(struct txn, uri),             offsetof(struct txn, user_agent),
    offsetof(struct txn, request_id),      offsetof(struct txn, reason),
    offsetof(struct txn, content_type),    offsetof(struct txn, content_encoding),
    offsetof(struct txn, server),          offsetof(struct txn, location),
    offsetof(struct txn, request_error),   offsetof(struct txn, response_error),
    offsetof(struct txn, facts.req_upgrade), offsetof(struct txn, facts.resp_upgrade),
};
#define TXN_STRINGS (sizeof txn_string_offsets / sizeof txn_string_offsets[0])

/* String member i of t, to set (unpacking). */
static const char **txn_string(struct txn *t, size_t i)
{
    return (const char **)(void *)((char *)t + txn_string_offsets[i]);
}

/* String member i of t, to read (packing). */
static const char *txn_string_of(const struct txn *t, size_t i)
{
    const char *const *p = (const char *const *)(const void *)((const char *)t +
                                                               txn_string_offsets[i]);
    return *p;
}

/* ---- failing ---- */

/* Record the first error (either thread); later ones are dropped. */
static void fail(struct writer *w, const char *msg)
{
    pthread_mutex_lock(&w->mu);
    if (!atomic_load(&w->failed)) {
        snprintf(w->err, sizeof w->err, "%s", msg);
        atomic_store(&w->failed, 1);
    }
    pthread_mutex_unlock(&w->mu);
}

static int failed(struct writer *w, char err[HTTPCAP_ERRBUF])
{
    if (!atomic_load(&w->failed))
        return 0;
    pthread_mutex_lock(&w->mu);
    snprintf(err, HTTPCAP_ERRBUF, "%s", w->err);
    pthread_mutex_unlock(&w->mu);
    return 1;
}

/* ---- packing (caller's thread) ---- */

static int reserve(struct batch *b, size_t n)
{
    if (b->cap - b->len >= n)
        return 0;
    size_t want = b->cap ? b->cap : WRITER_BATCH_BYTES + (WRITER_BATCH_BYTES >> 2);
    while (want - b->len < n)
        want *= 2;
    uint8_t *p = realloc(b->buf, want);
    if (!p)
        return -1;
    b->buf = p;
    b->cap = want;
    return 0;
}

static void put_bytes(struct batch *b, const void *p, size_t n)
{
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static size_t str_size(const char *s)
{
    return sizeof(uint32_t) + (s ? strlen(s) : 0) + 1;
}

/* A string of known length as its length (uint32), its bytes and a NUL. */
static void put_str_len(struct batch *b, const char *s, uint32_t n)
{
    put_bytes(b, &n, sizeof n);
    if (n)
        put_bytes(b, s, n);
    b->buf[b->len++] = '\0';
}

/* A string as its length (uint32), its bytes and a NUL. */
static void put_str(struct batch *b, const char *s)
{
    put_str_len(b, s, s ? (uint32_t)strlen(s) : 0);
}

/* The record's size; lens gets the length of each string of struct txn. */
static size_t txn_record_size(const struct txn *t, const struct txn_violations *v,
                              uint32_t lens[TXN_STRINGS])
{
    size_t n = 1 + sizeof(int64_t) + sizeof *t;
    for (size_t i = 0; i < TXN_STRINGS; i++) {
        const char *s = txn_string_of(t, i);
        lens[i] = s ? (uint32_t)strlen(s) : 0;
        n += sizeof(uint32_t) + lens[i] + 1;
    }
    n += 1 + sizeof v->dropped;
    for (unsigned i = 0; i < v->n && i < TXN_MAX_VIOLATIONS; i++)
        n += sizeof v->v[i].rule + str_size(v->v[i].detail);
    n += sizeof t->n_headers;
    for (uint32_t i = 0; i < t->n_headers; i++)
        n += 1 + str_size(t->headers[i].name) + str_size(t->headers[i].value);
    return n;
}

static void pack_txn(struct batch *b, int64_t capture_id, const struct txn *t,
                     const struct txn_violations *v, const uint32_t lens[TXN_STRINGS])
{
    b->buf[b->len++] = REC_TXN;
    put_bytes(b, &capture_id, sizeof capture_id);
    put_bytes(b, t, sizeof *t);
    for (size_t i = 0; i < TXN_STRINGS; i++)
        put_str_len(b, txn_string_of(t, i), lens[i]);
    uint8_t n = v->n < TXN_MAX_VIOLATIONS ? v->n : TXN_MAX_VIOLATIONS;
    b->buf[b->len++] = n;
    put_bytes(b, &v->dropped, sizeof v->dropped);
    for (unsigned i = 0; i < n; i++) {
        put_bytes(b, &v->v[i].rule, sizeof v->v[i].rule);
        put_str(b, v->v[i].detail);
    }
    put_bytes(b, &t->n_headers, sizeof t->n_headers);
    for (uint32_t i = 0; i < t->n_headers; i++) {
        b->buf[b->len++] = t->headers[i].is_response;
        put_str(b, t->headers[i].name);
        put_str(b, t->headers[i].value);
    }
}

/* ---- unpacking (writer thread); the records were packed by this process ---- */

struct cursor {
    const uint8_t *p;
};

static void get_bytes(struct cursor *c, void *out, size_t n)
{
    memcpy(out, c->p, n);
    c->p += n;
}

static const char *get_str(struct cursor *c)
{
    uint32_t n;
    get_bytes(c, &n, sizeof n);
    const char *s = (const char *)c->p;
    c->p += n + 1;
    return s;
}

static int header_room(struct writer *w, uint32_t n)
{
    if (n <= w->hdrs_cap)
        return 0;
    struct txn_header *h = realloc(w->hdrs, (size_t)n * sizeof *h);
    if (!h)
        return -1;
    w->hdrs = h;
    w->hdrs_cap = n;
    return 0;
}

static int store_txn_record(struct writer *w, struct cursor *c, char err[HTTPCAP_ERRBUF])
{
    int64_t capture_id;
    struct txn t;
    struct txn_violations v;
    get_bytes(c, &capture_id, sizeof capture_id);
    get_bytes(c, &t, sizeof t);
    for (size_t i = 0; i < TXN_STRINGS; i++)
        *txn_string(&t, i) = get_str(c);
    v.n = *c->p++;
    get_bytes(c, &v.dropped, sizeof v.dropped);
    for (unsigned i = 0; i < v.n; i++) {
        get_bytes(c, &v.v[i].rule, sizeof v.v[i].rule);
        snprintf(v.v[i].detail, sizeof v.v[i].detail, "%s", get_str(c));
    }
    get_bytes(c, &t.n_headers, sizeof t.n_headers);
    if (header_room(w, t.n_headers) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < t.n_headers; i++) {
        w->hdrs[i].is_response = *c->p++;
        w->hdrs[i].name = get_str(c);
        w->hdrs[i].value = get_str(c);
    }
    t.headers = w->hdrs;
    if (t.id == 0 && w->txn_ids) /* in storing order: the table only grows at its end */
        t.id = atomic_fetch_add_explicit(w->txn_ids, 1, memory_order_relaxed) + 1;
    return store_put_txn(w->st, capture_id, &t, &v, err);
}

static int store_conn_record(struct writer *w, struct cursor *c, char err[HTTPCAP_ERRBUF])
{
    int64_t capture_id;
    struct store_conn row;
    get_bytes(c, &capture_id, sizeof capture_id);
    get_bytes(c, &row, sizeof row);
    row.protocol = get_str(c);
    row.end_reason = get_str(c);
    return store_put_conn(w->st, capture_id, &row, err);
}

static void store_batch(struct writer *w, const struct batch *b)
{
    char err[HTTPCAP_ERRBUF];
    struct cursor c = {b->buf};
    /* A batch handed over only to commit may have no buffer, and NULL + 0 is undefined. */
    const uint8_t *end = b->buf ? b->buf + b->len : NULL;
    while (end && c.p < end && !atomic_load(&w->failed)) {
        uint8_t kind = *c.p++;
        int rc = kind == REC_TXN ? store_txn_record(w, &c, err) : store_conn_record(w, &c, err);
        if (rc != 0)
            fail(w, err);
    }
    if (b->commit && !atomic_load(&w->failed) && store_commit(w->st, err) != 0)
        fail(w, err);
}

/* ---- the thread and the hand-over ---- */

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_setname_np(pthread_self(), "httpcap writer");
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->quit)
            pthread_cond_wait(&w->work, &w->mu);
        struct batch *b = w->head;
        if (!b)
            break;
        w->head = b->next;
        if (!w->head)
            w->tail = NULL;
        w->busy = 1;
        pthread_mutex_unlock(&w->mu);
        store_batch(w, b);
        pthread_mutex_lock(&w->mu);
        w->busy = 0;
        b->len = 0;
        b->commit = 0;
        b->next = w->free_list;
        w->free_list = b;
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The lane's batch to fill: a free one, a new one, or (at the bound) wait for one. */
static struct batch *current(struct writer_lane *l)
{
    struct writer *w = l->w;
    if (l->cur)
        return l->cur;
    pthread_mutex_lock(&w->mu);
    while (!w->free_list && w->allocated >= w->max_batches)
        pthread_cond_wait(&w->done, &w->mu);
    struct batch *b = w->free_list;
    if (b)
        w->free_list = b->next;
    else if ((b = calloc(1, sizeof *b)) != NULL)
        w->allocated++;
    pthread_mutex_unlock(&w->mu);
    l->cur = b;
    return b;
}

/* Queue the lane's batch (which must exist) for the writer thread. */
static void hand_over(struct writer_lane *l, int commit)
{
    struct writer *w = l->w;
    struct batch *b = l->cur;
    l->cur = NULL;
    b->commit = commit;
    b->next = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = b;
    else
        w->head = b;
    w->tail = b;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
}

/* Room for n bytes in the lane's batch, or NULL (out of memory; the writer fails). */
static struct batch *room(struct writer_lane *l, size_t n)
{
    struct batch *b = current(l);
    if (!b || reserve(b, n) != 0) {
        fail(l->w, "out of memory");
        return NULL;
    }
    return b;
}

struct writer *writer_start(struct store *st, int n_lanes, char err[HTTPCAP_ERRBUF])
{
    if (n_lanes < 1 || n_lanes > WRITER_MAX_LANES) {
        snprintf(err, HTTPCAP_ERRBUF, "%d writer lanes (1 to %d)", n_lanes, WRITER_MAX_LANES);
        return NULL;
    }
    struct writer *w = calloc(1, sizeof *w);
    struct writer_lane *lanes = aligned_alloc(_Alignof(struct writer_lane),
                                              (size_t)n_lanes * sizeof *lanes);
    if (!w || !lanes) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        free(w);
        free(lanes);
        return NULL;
    }
    for (int i = 0; i < n_lanes; i++)
        lanes[i] = (struct writer_lane){.w = w, .cur = NULL};
    w->lanes = lanes;
    w->n_lanes = n_lanes;
    w->max_batches = WRITER_BATCHES - 1 + n_lanes;
    w->st = st;
    atomic_init(&w->failed, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->done, NULL);
    store_checkpoint_behind(st); /* the writer thread never waits on the disk */
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "cannot start the database writer thread");
        pthread_cond_destroy(&w->done);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->mu);
        free(w->lanes);
        free(w);
        return NULL;
    }
    return w;
}

void writer_number_txns(struct writer *w, _Atomic uint64_t *last_id)
{
    w->txn_ids = last_id;
}

struct writer_lane *writer_lane(struct writer *w, int i)
{
    return &w->lanes[i >= 0 && i < w->n_lanes ? i : 0];
}

int writer_put_txn(struct writer_lane *l, int64_t capture_id, const struct txn *t,
                   const struct txn_violations *v, char err[HTTPCAP_ERRBUF])
{
    if (failed(l->w, err))
        return -1;
    uint32_t lens[TXN_STRINGS];
    struct batch *b = room(l, txn_record_size(t, v, lens));
    if (!b) {
        failed(l->w, err);
        return -1;
    }
    pack_txn(b, capture_id, t, v, lens);
    if (b->len >= WRITER_BATCH_BYTES)
        hand_over(l, 0);
    return 0;
}

int writer_put_conn(struct writer_lane *l, int64_t capture_id, const struct store_conn *c,
                    char err[HTTPCAP_ERRBUF])
{
    if (failed(l->w, err))
        return -1;
    size_t n = 1 + sizeof capture_id + sizeof *c + str_size(c->protocol) +
               str_size(c->end_reason);
    struct batch *b = room(l, n);
    if (!b) {
        failed(l->w, err);
        return -1;
    }
    b->buf[b->len++] = REC_CONN;
    put_bytes(b, &capture_id, sizeof capture_id);
    put_bytes(b, c, sizeof *c);
    put_str(b, c->protocol);
    put_str(b, c->end_reason);
    if (b->len >= WRITER_BATCH_BYTES)
        hand_over(l, 0);
    return 0;
}

int writer_commit(struct writer_lane *l, char err[HTTPCAP_ERRBUF])
{
    if (failed(l->w, err))
        return -1;
    if (!current(l)) {
        fail(l->w, "out of memory");
        failed(l->w, err);
        return -1;
    }
    hand_over(l, 1);
    return 0;
}

int writer_sync(struct writer *w, char err[HTTPCAP_ERRBUF])
{
    /* the queue is stored in order: one commit after every lane's batch covers them all */
    for (int i = 1; i < w->n_lanes; i++)
        if (w->lanes[i].cur)
            hand_over(&w->lanes[i], 0);
    if (writer_commit(&w->lanes[0], err) != 0)
        return -1;
    pthread_mutex_lock(&w->mu);
    while (w->head || w->busy)
        pthread_cond_wait(&w->done, &w->mu);
    pthread_mutex_unlock(&w->mu);
    return failed(w, err) ? -1 : 0;
}

int writer_stop(struct writer *w, char err[HTTPCAP_ERRBUF])
{
    if (!w)
        return 0;
    int rc = writer_sync(w, err);
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    for (int i = 0; i < w->n_lanes; i++) {
        if (w->lanes[i].cur) {
            free(w->lanes[i].cur->buf);
            free(w->lanes[i].cur);
        }
    }
    free(w->lanes);
    for (struct batch *b = w->free_list, *next; b; b = next) {
        next = b->next;
        free(b->buf);
        free(b);
    }
    free(w->hdrs);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return rc;
}
