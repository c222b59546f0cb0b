/*
 * pg_push.c - a spool into PostgreSQL, batch by batch (see pg_push.h).
 * Owns: the spool's sqlite3 handle, the pg connection, the id map of each capture of the
 *       spool, the ids of the batch in flight (bounded by PG_PUSH_BATCH_ROWS per table).
 * In:   rows of the spool. Out: rows in PostgreSQL; the spool's shipped rows deleted, its
 *       meta high-water marks raised (store_spool.c never reuses an id).
 * Never: deletes a row PostgreSQL has not committed; holds the spool's write lock while
 *        talking to PostgreSQL.
 */
#include "pg_push.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg.h"
#include "pg_schema.h"
#include "store.h"

#define LIVE_SPAN "4294967296" /* ids reserved for a capture still running: 2^32 */
#define SPOOL_BUSY_MS 2000     /* how long a delete waits for the capture's writer */
#define SPOOL_DONE "spool.done."

/* How a capture's ids map: id in PostgreSQL = id in the spool + off. */
struct cap_map {
    int64_t local, pg_id;       /* capture ids */
    int64_t local_base[3];      /* first conn, txn, viol id of the capture in the spool */
    int64_t off[3];             /* conn, txn, viol */
    int finished;               /* the spool's row had finished_ns (this batch) */
};

enum { MAP_CONN, MAP_TXN, MAP_VIOL };

/* One table as shipped: its columns (the same list in SQLite and PostgreSQL), what each
 * column holds ('c' capture id, 'n' connection id, 't' transaction id, 'v' violation id,
 * '.' anything else), and which id picks the row's capture. */
struct table {
    const char *name;
    const char *cols;
    const char *kinds;
    int by;                     /* column of the capture id, or -1 - MAP_x: by range of x */
    int by_col;                 /* with by < 0: the column holding that id */
    const char *key;            /* the id deleted once shipped: "id" or "rowid" */
    const char *conflict;       /* ON CONFLICT clause */
};

#define CAPTURE_COLS                                                                       \
    "id, source, filter, link_type, link_type_name, started_ns, finished_ns,"              \
    " first_packet_ns, last_packet_ns, packets, bytes, tcp_segments, ip_fragments,"        \
    " skipped_packets, kernel_drops, interface_drops, connections, peak_connections,"      \
    " transactions, gap_bytes, clamped_timestamps, truncated, error, program_version, sensor"
#define CAPTURE_SET                                                                        \
    "(source, filter, link_type, link_type_name, started_ns, finished_ns,"                 \
    " first_packet_ns, last_packet_ns, packets, bytes, tcp_segments, ip_fragments,"        \
    " skipped_packets, kernel_drops, interface_drops, connections, peak_connections,"      \
    " transactions, gap_bytes, clamped_timestamps, truncated, error, program_version,"     \
    " sensor)"
#define CAPTURE_EXCLUDED                                                                   \
    "(EXCLUDED.source, EXCLUDED.filter, EXCLUDED.link_type, EXCLUDED.link_type_name,"      \
    " EXCLUDED.started_ns, EXCLUDED.finished_ns, EXCLUDED.first_packet_ns,"                \
    " EXCLUDED.last_packet_ns, EXCLUDED.packets, EXCLUDED.bytes, EXCLUDED.tcp_segments,"   \
    " EXCLUDED.ip_fragments, EXCLUDED.skipped_packets, EXCLUDED.kernel_drops,"             \
    " EXCLUDED.interface_drops, EXCLUDED.connections, EXCLUDED.peak_connections,"          \
    " EXCLUDED.transactions, EXCLUDED.gap_bytes, EXCLUDED.clamped_timestamps,"             \
    " EXCLUDED.truncated, EXCLUDED.error, EXCLUDED.program_version, EXCLUDED.sensor)"

enum { T_CAPTURES, T_SKIPS, T_LIMITS, T_WORKERS, T_CONNS, T_TXNS, T_VIOLS, T_HEADERS, T_COUNT };

static const struct table tables[T_COUNT] = {
    [T_CAPTURES] = {"captures", CAPTURE_COLS, "c........................", 0, 0, NULL,
                    "ON CONFLICT (id) DO UPDATE SET " CAPTURE_SET " = " CAPTURE_EXCLUDED},
    [T_SKIPS] = {"capture_skips", "capture_id, reason, packets", "c..", 0, 0, NULL,
                 "ON CONFLICT (capture_id, reason) DO UPDATE SET packets = EXCLUDED.packets"},
    [T_LIMITS] = {"capture_limits", "capture_id, name, value, hits", "c...", 0, 0, NULL,
                  "ON CONFLICT (capture_id, name) DO UPDATE SET (value, hits) ="
                  " (EXCLUDED.value, EXCLUDED.hits)"},
    [T_WORKERS] = {"capture_workers",
                   "capture_id, worker, packets, bytes, kernel_drops, interface_drops,"
                   " connections, transactions",
                   "c.......", 0, 0, NULL,
                   "ON CONFLICT (capture_id, worker) DO UPDATE SET (packets, bytes,"
                   " kernel_drops, interface_drops, connections, transactions) ="
                   " (EXCLUDED.packets, EXCLUDED.bytes, EXCLUDED.kernel_drops,"
                   " EXCLUDED.interface_drops, EXCLUDED.connections, EXCLUDED.transactions)"},
    [T_CONNS] = {"connections",
                 "id, capture_id, ip_version, client_ip, client_port, server_ip, server_port,"
                 " protocol, roles_known, saw_syn, first_ns, last_ns, end_reason,"
                 " client_packets, server_packets, client_bytes, server_bytes,"
                 " client_retransmits, server_retransmits, client_out_of_order,"
                 " server_out_of_order, client_gap_bytes, server_gap_bytes,"
                 " overlap_conflicts, transactions, truncated, truncated_with_status",
                 "nc.........................", 1, 0, "id", "ON CONFLICT (id) DO NOTHING"},
    [T_TXNS] = {"transactions",
                "id, capture_id, connection_id, seq, method, host, uri, request_version,"
                " status, reason, response_version, interim, request_start_ns,"
                " request_end_ns, response_start_ns, response_end_ns, request_header_bytes,"
                " request_body_bytes, request_body_wire_bytes, response_header_bytes,"
                " response_body_bytes, response_body_wire_bytes, content_type,"
                " content_encoding, server, location, user_agent, request_id, violations,"
                " flags",
                "tcn...........................", 1, 0, "id", "ON CONFLICT (id) DO NOTHING"},
    [T_VIOLS] = {"violations", "id, transaction_id, rule, severity, detail", "vt...",
                 -1 - MAP_VIOL, 0, "id", "ON CONFLICT (id) DO NOTHING"},
    [T_HEADERS] = {"headers", "transaction_id, direction, position, name, value", "t....",
                   -1 - MAP_TXN, 0, "rowid",
                   "ON CONFLICT (transaction_id, direction, position) DO NOTHING"},
};

/* The ids of one table's rows in the batch in flight, to delete once committed. */
struct idlist {
    int64_t *v;
    size_t n, cap;
};

struct pg_push {
    const char *path, *url;
    char origin[40];
    sqlite3 *db;                /* the spool */
    struct pg *pg;
    int staged;                 /* the TEMP staging tables exist on this connection */
    struct cap_map *maps;       /* captures of the spool not yet done, by local id */
    size_t nmaps, capmaps;
    struct idlist shipped[T_COUNT];
    uint64_t rows[T_COUNT];     /* rows of the batch in flight */
    int direct[T_COUNT];        /* the batch's rows of table i went straight into it */
    int max_batches;            /* per pg_push_run, 0: no limit */
};

/* ---- the spool ---- */

static int sq_err(sqlite3 *db, const char *path, const char *what, char err[HTTPCAP_ERRBUF])
{
    snprintf(err, HTTPCAP_ERRBUF, "%.200s: %s: %.200s", path, what,
             db ? sqlite3_errmsg(db) : "out of memory");
    return -1;
}

/* A meta value into out ("" when missing); -1 + err when it cannot be read. */
static int meta_get(sqlite3 *db, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *q = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* One integer from sql with up to two integer parameters; 0 when NULL. */
static int64_t sq_int(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *q = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(q) >= 1)
            sqlite3_bind_int64(q, 1, a);
        if (sqlite3_bind_parameter_count(q) >= 2)
            sqlite3_bind_int64(q, 2, b);
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return v;
}

static int random_token(char out[40])
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0)
        close(fd);
    if (n != (ssize_t)sizeof b)
        return -1;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

int pg_spool_prepare(const char *path, char err[HTTPCAP_ERRBUF])
{
    struct store *st = store_open(path, err);
    if (!st || store_close(st, err) != 0)
        return -1;
    sqlite3 *db = NULL;
    char origin[40];
    int rc = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sq_err(db, path, "opening the spool", err);
    } else if (sqlite3_busy_timeout(db, 10000), meta_get(db, STORE_SPOOL_ORIGIN, origin,
                                                        sizeof origin) != 0) {
        sq_err(db, path, "reading meta", err);
    } else if (origin[0]) {
        rc = 0;
    } else if (sq_int(db, "SELECT count(*) FROM captures", 0, 0) > 0) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "%.300s: an httpcap database, not a spool: give --spool a new file (a spool's"
                 " rows are deleted once pushed)", path);
    } else if (random_token(origin) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%.300s: cannot read /dev/urandom", path);
    } else {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO meta (key, value) VALUES ('%s', '%s')",
                 STORE_SPOOL_ORIGIN, origin);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
                 ? 0 : sq_err(db, path, "writing the spool's origin", err);
    }
    sqlite3_close(db);
    return rc;
}

static int open_spool(struct pg_push *p, char err[HTTPCAP_ERRBUF])
{
    if (p->db)
        return 0;
    if (sqlite3_open_v2(p->path, &p->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sq_err(p->db, p->path, "opening the spool", err);
        sqlite3_close(p->db);
        p->db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(p->db, SPOOL_BUSY_MS);
    if (meta_get(p->db, STORE_SPOOL_ORIGIN, p->origin, sizeof p->origin) != 0 || !p->origin[0]) {
        snprintf(err, HTTPCAP_ERRBUF, "%.300s: not a spool (no %s in meta)", p->path,
                 STORE_SPOOL_ORIGIN);
        sqlite3_close(p->db);
        p->db = NULL;
        return -1;
    }
    return 0;
}

/* ---- capture maps ---- */

static struct cap_map *map_of(struct pg_push *p, int64_t local)
{
    for (size_t i = 0; i < p->nmaps; i++)
        if (p->maps[i].local == local)
            return &p->maps[i];
    return NULL;
}

/* The capture whose ids of kind k (MAP_x) hold id: the one with the largest first id at
 * or below it (a spool's captures take ids in turn). */
static struct cap_map *map_by_range(struct pg_push *p, int k, int64_t id)
{
    struct cap_map *best = NULL;
    for (size_t i = 0; i < p->nmaps; i++) {
        struct cap_map *m = &p->maps[i];
        if (m->local_base[k] <= id && (!best || m->local_base[k] > best->local_base[k]))
            best = m;
    }
    return best;
}

/* "conn txn viol" (store_spool.c) into base; 0, or -1 when it is not three numbers. */
static int parse_bases(const char *val, int64_t base[3])
{
    const char *p = val;
    for (int k = 0; k < 3; k++) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno != 0 || v < 1 || (*end != ' ' && *end != '\0'))
            return -1;
        base[k] = v;
        p = end;
    }
    return *p == '\0' ? 0 : -1;
}

/* The first ids of a capture in the spool, from its meta row (store_spool.c); without one
 * (a crash between the two writes) the smallest ids it holds. */
static void local_bases(struct pg_push *p, int64_t cid, int64_t base[3])
{
    char key[64], val[128];
    snprintf(key, sizeof key, "%s%" PRId64, STORE_SPOOL_CAPTURE, cid);
    if (meta_get(p->db, key, val, sizeof val) == 0 && parse_bases(val, base) == 0)
        return;
    base[0] = sq_int(p->db, "SELECT coalesce(min(id), 1) FROM connections WHERE capture_id = ?",
                     cid, 0);
    base[1] = sq_int(p->db, "SELECT coalesce(min(id), 1) FROM transactions WHERE capture_id = ?",
                     cid, 0);
    base[2] = sq_int(p->db, "SELECT coalesce(min(id), 1) FROM violations WHERE transaction_id"
                            " >= ?", base[1], 0);
}

/* Ids a finished capture used: exactly up to its last row (so that the next capture's ids
 * follow on as they would in one SQLite database). */
static void exact_spans(struct pg_push *p, const struct cap_map *m, int64_t span[3])
{
    span[0] = sq_int(p->db, "SELECT max(coalesce(max(id), 0) - ?1 + 1, 0) FROM connections"
                            " WHERE capture_id = ?2", m->local_base[0], m->local);
    span[1] = sq_int(p->db, "SELECT max(coalesce(max(id), 0) - ?1 + 1, 0) FROM transactions"
                            " WHERE capture_id = ?2", m->local_base[1], m->local);
    int64_t txn_end = m->local_base[1] + span[1];
    span[2] = sq_int(p->db, "SELECT max(coalesce(max(id), 0) - ?1 + 1, 0) FROM violations"
                            " WHERE transaction_id < ?2", m->local_base[2], txn_end);
}

static const char reserve_sql[] =
    "INSERT INTO capture_origins (origin, local_capture_id, capture_id, sensor, conn_local,"
    " conn_base, conn_span, txn_local, txn_base, txn_span, viol_local, viol_base, viol_span)"
    " SELECT $1, $2, 1 + greatest((SELECT coalesce(max(id), 0) FROM captures),"
    "   (SELECT coalesce(max(capture_id), 0) FROM capture_origins)), $3,"
    " $4, 1 + greatest((SELECT coalesce(max(id), 0) FROM connections),"
    "   (SELECT coalesce(max(conn_base + conn_span - 1), 0) FROM capture_origins)), $5,"
    " $6, 1 + greatest((SELECT coalesce(max(id), 0) FROM transactions),"
    "   (SELECT coalesce(max(txn_base + txn_span - 1), 0) FROM capture_origins)), $7,"
    " $8, 1 + greatest((SELECT coalesce(max(id), 0) FROM violations),"
    "   (SELECT coalesce(max(viol_base + viol_span - 1), 0) FROM capture_origins)), $9"
    " RETURNING capture_id, conn_base - conn_local, txn_base - txn_local,"
    " viol_base - viol_local";

static const char lookup_sql[] =
    "SELECT capture_id, conn_base - conn_local, txn_base - txn_local, viol_base - viol_local"
    " FROM capture_origins WHERE origin = $1 AND local_capture_id = $2";

/* The map of capture m from PostgreSQL, reserving its ids when it has none yet (inside
 * the batch's transaction, under the advisory lock). 0 or -1 + err. */
static int reserve(struct pg_push *p, struct cap_map *m, const char *sensor,
                   char err[HTTPCAP_ERRBUF])
{
    char num[8][24];
    int64_t span[3] = {0, 0, 0};
    if (m->finished)
        exact_spans(p, m, span);
    snprintf(num[0], 24, "%" PRId64, m->local);
    for (int k = 0; k < 3; k++) {
        snprintf(num[1 + 2 * k], 24, "%" PRId64, m->local_base[k]);
        snprintf(num[2 + 2 * k], 24, "%" PRId64, span[k]);
    }
    const char *params[9] = {p->origin, num[0], sensor, num[1],
                             m->finished ? num[2] : LIVE_SPAN, num[3],
                             m->finished ? num[4] : LIVE_SPAN, num[5],
                             m->finished ? num[6] : LIVE_SPAN};
    if (pg_exec(p->pg, "SELECT pg_advisory_xact_lock(" PG_SCHEMA_LOCK ")", "locking", err) != 0)
        return -1;
    PGresult *res = pg_query(p->pg, lookup_sql, 2, params, "reading capture_origins", err);
    if (res && pq.PQntuples(res) == 0) {
        pq.PQclear(res);
        res = pg_query(p->pg, reserve_sql, 9, params, "reserving ids", err);
    }
    if (!res)
        return -1;
    m->pg_id = strtoll(pq.PQgetvalue(res, 0, 0), NULL, 10);
    for (int k = 0; k < 3; k++)
        m->off[k] = strtoll(pq.PQgetvalue(res, 0, 1 + k), NULL, 10);
    pq.PQclear(res);
    return 0;
}

static struct cap_map *add_map(struct pg_push *p, int64_t local)
{
    if (p->nmaps == p->capmaps) {
        size_t cap = p->capmaps ? 2 * p->capmaps : 8;
        struct cap_map *m = realloc(p->maps, cap * sizeof *m);
        if (!m)
            return NULL;
        p->maps = m;
        p->capmaps = cap;
    }
    struct cap_map *m = &p->maps[p->nmaps++];
    memset(m, 0, sizeof *m);
    m->local = local;
    m->pg_id = -1;
    return m;
}

/* Map every capture of the spool not yet done (its rows all shipped). */
static int load_maps(struct pg_push *p, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(p->db, "SELECT id, finished_ns IS NOT NULL, sensor FROM captures"
                                  " WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = '"
                                  SPOOL_DONE "' || captures.id) ORDER BY id", -1, &q,
                           NULL) != SQLITE_OK)
        return sq_err(p->db, p->path, "reading captures", err);
    int rc = 0;
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        int64_t local = sqlite3_column_int64(q, 0);
        struct cap_map *m = map_of(p, local);
        int is_new = m == NULL;
        if (!m && !(m = add_map(p, local))) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            rc = -1;
            break;
        }
        m->finished = sqlite3_column_int(q, 1);
        if (is_new)
            local_bases(p, local, m->local_base);
        if (m->pg_id < 0)
            rc = reserve(p, m, (const char *)sqlite3_column_text(q, 2), err);
    }
    sqlite3_finalize(q);
    return rc;
}

/* ---- copying rows ---- */

static int remember(struct idlist *l, int64_t id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        int64_t *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = id;
    return 0;
}

/* The capture map of a row of table t, or NULL (then the row is left in the spool). */
static struct cap_map *row_map(struct pg_push *p, const struct table *t, sqlite3_stmt *q)
{
    if (t->by >= 0)
        return map_of(p, sqlite3_column_int64(q, t->by));
    return map_by_range(p, -1 - t->by, sqlite3_column_int64(q, t->by_col));
}

/* The map index (MAP_x) a column kind names, or -1. */
static int kind_map(char kind)
{
    return kind == 'n' ? MAP_CONN : kind == 't' ? MAP_TXN : kind == 'v' ? MAP_VIOL : -1;
}

/* One row of q as COPY fields, ids mapped by m. */
static void copy_fields(struct pg_push *p, const struct table *t, const struct cap_map *m,
                        sqlite3_stmt *q)
{
    for (int i = 0; t->kinds[i]; i++) {
        int type = sqlite3_column_type(q, i);
        int k = kind_map(t->kinds[i]);
        if (type == SQLITE_NULL)
            pg_copy_null(p->pg);
        else if (t->kinds[i] == 'c')
            pg_copy_int(p->pg, m->pg_id);
        else if (k >= 0)
            pg_copy_int(p->pg, sqlite3_column_int64(q, i) + m->off[k]);
        else if (type == SQLITE_INTEGER)
            pg_copy_int(p->pg, sqlite3_column_int64(q, i));
        else if (type == SQLITE_FLOAT)
            pg_copy_double(p->pg, sqlite3_column_double(q, i));
        else
            pg_copy_text(p->pg, (const char *)sqlite3_column_text(q, i),
                         (size_t)sqlite3_column_bytes(q, i));
    }
}

/* Up to PG_PUSH_BATCH_ROWS rows of table t (all rows of the undone captures for the three
 * capture tables) into the table itself (direct) or its staging table; their keys into
 * p->shipped. A COPY once begun is always ended (abandoned on an error), so that the
 * connection can go on after a rollback to a savepoint. */
static int copy_table(struct pg_push *p, int ti, int direct, char err[HTTPCAP_ERRBUF])
{
    const struct table *t = &tables[ti];
    char sql[1024];
    if (t->key)
        snprintf(sql, sizeof sql, "SELECT %s, %s FROM %s ORDER BY %s LIMIT %d", t->cols, t->key,
                 t->name, t->key, PG_PUSH_BATCH_ROWS);
    else
        snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE NOT EXISTS (SELECT 1 FROM meta"
                                  " WHERE key = '" SPOOL_DONE "' || %s.%s)", t->cols, t->name,
                 t->name, ti == T_CAPTURES ? "id" : "capture_id");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(p->db, sql, -1, &q, NULL) != SQLITE_OK)
        return sq_err(p->db, p->path, "reading the spool", err);
    snprintf(sql, sizeof sql, "COPY %s%s (%s) FROM STDIN", direct ? "" : "stage_", t->name,
             t->cols);
    if (pg_copy_begin(p->pg, sql, err) != 0) {
        sqlite3_finalize(q);
        return -1;
    }
    int rc = 0;
    int nkinds = (int)strlen(t->kinds);
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        struct cap_map *m = row_map(p, t, q);
        if (!m)
            continue;
        copy_fields(p, t, m, q);
        rc = pg_copy_row(p->pg, err);
        p->rows[ti]++;
        if (rc == 0 && t->key && remember(&p->shipped[ti], sqlite3_column_int64(q, nkinds)) != 0)
            rc = -1;
    }
    sqlite3_finalize(q);
    if (rc == 0)
        return pg_copy_end(p->pg, err);
    pg_copy_abandon(p->pg);
    if (!err[0])
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
    return -1;
}

/* Table ti straight into PostgreSQL's table, inside a savepoint. A batch sent before may
 * be there already (the spool's delete did not happen: a crash, a busy spool, another
 * pusher), and COPY cannot skip rows: then the savepoint is rolled back and the rows go
 * through the staging table, which keeps only new ones. 0 or -1 + err. */
static int copy_direct_or_staged(struct pg_push *p, int ti, char err[HTTPCAP_ERRBUF])
{
    if (pg_exec(p->pg, "SAVEPOINT direct_copy", "starting a batch", err) != 0)
        return -1;
    if (copy_table(p, ti, 1, err) == 0) {
        p->direct[ti] = 1;
        return pg_exec(p->pg, "RELEASE SAVEPOINT direct_copy", "starting a batch", err);
    }
    char rollback_err[HTTPCAP_ERRBUF];
    if (pg_exec(p->pg, "ROLLBACK TO SAVEPOINT direct_copy", NULL, rollback_err) != 0)
        return -1; /* the connection is gone: err says how the COPY failed */
    err[0] = '\0';
    p->shipped[ti].n = 0;
    p->rows[ti] = 0;
    return copy_table(p, ti, 0, err);
}

static int make_stages(struct pg_push *p, char err[HTTPCAP_ERRBUF])
{
    if (p->staged)
        return 0;
    for (int i = 0; i < T_COUNT; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "CREATE TEMP TABLE stage_%s (LIKE %s) ON COMMIT DELETE ROWS",
                 tables[i].name, tables[i].name);
        if (pg_exec(p->pg, sql, "creating staging tables", err) != 0)
            return -1;
    }
    p->staged = 1;
    return 0;
}

/* Staging tables into the real ones: new rows only (captures and their side rows are
 * brought up to date: a capture row changes when its capture ends). */
static int merge_stages(struct pg_push *p, char err[HTTPCAP_ERRBUF])
{
    for (int i = 0; i < T_COUNT; i++) {
        const struct table *t = &tables[i];
        if (p->direct[i])
            continue;
        size_t n = strlen(t->cols) * 2 + strlen(t->conflict) + 200;
        char *sql = malloc(n);
        if (!sql) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            return -1;
        }
        snprintf(sql, n, "INSERT INTO %s (%s) SELECT %s FROM stage_%s %s", t->name, t->cols,
                 t->cols, t->name, t->conflict);
        int rc = pg_exec(p->pg, sql, t->name, err);
        free(sql);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- one batch ---- */

static void clear_batch(struct pg_push *p)
{
    for (int i = 0; i < T_COUNT; i++) {
        p->shipped[i].n = 0;
        p->rows[i] = 0;
        p->direct[i] = 0;
    }
}

/* Read a batch from a snapshot of the spool and copy it into PostgreSQL's staging tables
 * (the PostgreSQL transaction is open). 0 or -1 + err. */
static int stage_batch(struct pg_push *p, char err[HTTPCAP_ERRBUF])
{
    if (sqlite3_exec(p->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return sq_err(p->db, p->path, "reading the spool", err);
    int rc = load_maps(p, err);
    for (int i = 0; rc == 0 && i < T_COUNT; i++)
        rc = tables[i].key ? copy_direct_or_staged(p, i, err) : copy_table(p, i, 0, err);
    sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* Delete the keys of list from table t. 0 or -1. */
static int delete_keys(sqlite3 *db, const struct table *t, const struct idlist *l)
{
    char sql[128];
    sqlite3_stmt *q = NULL;
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = ?", t->name, t->key);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        sqlite3_bind_int64(q, 1, l->v[i]);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return rc;
}

/* Raise a high-water mark in meta to the largest id of l (ids are never reused). */
static int raise_mark(sqlite3 *db, const char *key, const struct idlist *l)
{
    int64_t top = 0;
    for (size_t i = 0; i < l->n; i++)
        top = l->v[i] > top ? l->v[i] : top;
    if (!top)
        return 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta (key, value) SELECT ?1,"
                               " max(?2, coalesce((SELECT CAST(value AS INTEGER) FROM meta"
                               " WHERE key = ?1), 0))", -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, top);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(q);
    return rc;
}

/* Captures that were finished when the batch was read and had nothing else to ship: done. */
static int mark_done(struct pg_push *p)
{
    for (size_t i = 0; i < p->nmaps; i++) {
        if (!p->maps[i].finished)
            continue;
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta (key, value) VALUES ('%s%"
                 PRId64 "', '1')", SPOOL_DONE, p->maps[i].local);
        if (sqlite3_exec(p->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    }
    return 0;
}

/* After PostgreSQL committed: the batch's rows out of the spool, in one transaction.
 * 0, or 1 when the spool stayed busy (the rows go again next time). */
static int forget_batch(struct pg_push *p, int all_done)
{
    if (sqlite3_exec(p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return 1;
    int rc = 0;
    for (int i = T_CONNS; i < T_COUNT && rc == 0; i++)
        rc = delete_keys(p->db, &tables[i], &p->shipped[i]);
    if (rc == 0)
        rc = raise_mark(p->db, STORE_SPOOL_LAST_CONN, &p->shipped[T_CONNS]) |
             raise_mark(p->db, STORE_SPOOL_LAST_TXN, &p->shipped[T_TXNS]) |
             raise_mark(p->db, STORE_SPOOL_LAST_VIOL, &p->shipped[T_VIOLS]);
    if (rc == 0 && all_done)
        rc = mark_done(p);
    if (rc == 0 && sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
    return 1;
}

/* Forget what PostgreSQL may have rolled back: reservations and the connection. */
static void drop_connection(struct pg_push *p)
{
    pg_close(p->pg);
    p->pg = NULL;
    p->staged = 0;
    for (size_t i = 0; i < p->nmaps; i++)
        p->maps[i].pg_id = -1;
}

/* One batch: rows shipped (connections, transactions, violations, headers), 0 when there
 * were none (the capture rows were brought up to date), -2 when the spool stayed busy, or
 * -1 + err. */
static int64_t push_batch(struct pg_push *p, struct pg_push_stats *stats,
                          char err[HTTPCAP_ERRBUF])
{
    clear_batch(p);
    err[0] = '\0';
    if (pg_exec(p->pg, "BEGIN", "starting a batch", err) != 0 || make_stages(p, err) != 0 ||
        stage_batch(p, err) != 0 || merge_stages(p, err) != 0 ||
        pg_exec(p->pg, "COMMIT", "committing a batch", err) != 0) {
        drop_connection(p);
        return -1;
    }
    int64_t rows = (int64_t)(p->rows[T_CONNS] + p->rows[T_TXNS] + p->rows[T_VIOLS] +
                             p->rows[T_HEADERS]);
    stats->captures += p->rows[T_CAPTURES];
    stats->connections += p->rows[T_CONNS];
    stats->transactions += p->rows[T_TXNS];
    stats->violations += p->rows[T_VIOLS];
    stats->headers += p->rows[T_HEADERS];
    for (int i = 0; i < T_COUNT; i++) {
        if (tables[i].key && !p->direct[i] && p->rows[i]) {
            stats->resent_batches++;
            break;
        }
    }
    return forget_batch(p, rows == 0) == 0 ? rows : -2;
}

static int connect_pg(struct pg_push *p, char err[HTTPCAP_ERRBUF])
{
    if (p->pg && pg_ok(p->pg))
        return 0;
    drop_connection(p);
    p->pg = pg_connect(p->url, err);
    if (!p->pg)
        return -1;
    if (pg_schema_apply(p->pg, err) != 0) {
        drop_connection(p);
        return -1;
    }
    return 0;
}

struct pg_push *pg_push_new(const char *path, const char *url, char err[HTTPCAP_ERRBUF])
{
    struct pg_push *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return NULL;
    }
    p->path = path;
    p->url = url;
    return p;
}

int pg_push_run(struct pg_push *p, struct pg_push_stats *stats, char err[HTTPCAP_ERRBUF])
{
    if (open_spool(p, err) != 0 || connect_pg(p, err) != 0)
        return -1;
    for (int batches = 1;; batches++) {
        if (p->max_batches && batches > p->max_batches)
            return 1;
        int64_t n = push_batch(p, stats, err);
        if (n == -1)
            return -1;
        if (n == -2)
            return 1;
        if (n == 0)
            return 0;
    }
}

void pg_push_limit(struct pg_push *p, int batches)
{
    p->max_batches = batches;
}

int64_t pg_push_left(struct pg_push *p)
{
    char err[HTTPCAP_ERRBUF];
    if (open_spool(p, err) != 0)
        return -1;
    return sq_int(p->db, "SELECT (SELECT count(*) FROM connections) +"
                         " (SELECT count(*) FROM transactions)", 0, 0);
}

void pg_push_free(struct pg_push *p)
{
    if (!p)
        return;
    drop_connection(p);
    sqlite3_close(p->db);
    for (int i = 0; i < T_COUNT; i++)
        free(p->shipped[i].v);
    free(p->maps);
    free(p);
}
