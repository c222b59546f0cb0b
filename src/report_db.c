/*
 * report_db.c - opens what `httpcap report` reads: an in-memory main database with every
 * database of the report ATTACHed read-only as d0, d1, ..., TEMP views `captures` and
 * `capture_limits` over all of them (older databases may lack capture_limits), and the
 * working tables of sql/report_tables.sql: the grouped ones filled by the scan of
 * report_scan.c (rparams, rstat, rendpoints, rhosts, rconn), rc, rsel, rv, and the view
 * rt.
 * Owns: the connection until report_db_open returns it; the id offsets between databases.
 * In:   struct report_options. Out: an open sqlite3 handle.
 * Never: writes to a database file (ATTACH uses mode=ro), formats output.
 */
#include "report_db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endpoint.h"
#include "report_scan.h"
#include "sql_embed.h"
#include "store.h"

/* The id offsets that make database k read as if appended to databases 0..k-1. */
struct offsets {
    int64_t tx, conn, cap, viol;
    int db; /* k */
    int version; /* its schema version */
};

/* httpcap_endpoint(method, host, uri): endpoint_key(), NULL without a method. */
static void sql_endpoint(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *method = sqlite3_value_text(argv[0]);
    const unsigned char *host = sqlite3_value_text(argv[1]);
    const unsigned char *uri = sqlite3_value_text(argv[2]);
    if (!method) {
        sqlite3_result_null(ctx);
        return;
    }
    char out[ENDPOINT_KEY_CAP];
    size_t len = endpoint_key((const char *)method, (const char *)host, (const char *)uri, out);
    sqlite3_result_text(ctx, out, (int)len, SQLITE_TRANSIENT);
}

static int fail(char err[HTTPCAP_ERRBUF], const char *what, sqlite3 *db)
{
    snprintf(err, HTTPCAP_ERRBUF, "%s: %s", what, sqlite3_errmsg(db));
    return -1;
}

/* "file:" URI of path, percent-encoding what a URI would misread. NULL when out of memory. */
static char *ro_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *u = malloc(n * 3 + 32);
    if (!u)
        return NULL;
    memcpy(u, "file:", 5);
    char *w = u + 5;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20 || *p >= 0x7f) {
            *w++ = '%';
            *w++ = hex[*p >> 4];
            *w++ = hex[*p & 15];
        } else {
            *w++ = (char)*p;
        }
    }
    memcpy(w, "?mode=ro", sizeof "?mode=ro");
    return u;
}

/* One integer from a query on db; -1 with err filled on failure. */
static int query_int64(sqlite3 *db, const char *sql, int64_t *out, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return fail(err, "reading", db);
    int rc = sqlite3_step(q);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(err, "reading", db);
    return 0;
}

/* Attach path as schema dN and check it is an httpcap database this program knows; its
 * schema version in *version_out unless NULL. */
static int attach_one(sqlite3 *db, const char *path, int k, int *version_out,
                      char err[HTTPCAP_ERRBUF])
{
    if (access(path, R_OK) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *uri = ro_uri(path);
    char sql[128];
    snprintf(sql, sizeof sql, "ATTACH ?1 AS d%d", k);
    sqlite3_stmt *q = NULL;
    int rc = uri ? sqlite3_prepare_v2(db, sql, -1, &q, NULL) : SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, uri, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(q);
    free(uri);
    if (rc != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot open: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    int64_t version = 0;
    snprintf(sql, sizeof sql, "SELECT value FROM d%d.meta WHERE key = 'schema_version'", k);
    char why[HTTPCAP_ERRBUF] = ""; /* query_int64 leaves it alone when there is no row */
    if (query_int64(db, sql, &version, why) != 0 || version <= 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: not an httpcap database (%.200s)", path,
                 version <= 0 && why[0] == '\0' ? "no schema_version in meta" : why);
        return -1;
    }
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "%s: database has schema version %d, this httpcap knows %d: use a newer "
                 "httpcap", path, (int)version, STORE_SCHEMA_VERSION);
        return -1;
    }
    if (version_out)
        *version_out = (int)version;
    return 0;
}

/* Offsets of database k+1: those of k plus k's largest ids. */
static int next_offsets(sqlite3 *db, int k, struct offsets *o, char err[HTTPCAP_ERRBUF])
{
    static const char *const tables[] = {"transactions", "connections", "captures",
                                         "violations"};
    int64_t *fields[] = {&o->tx, &o->conn, &o->cap, &o->viol};
    for (int i = 0; i < 4; i++) {
        char sql[96];
        int64_t top = 0;
        snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM d%d.%s", k, tables[i]);
        if (query_int64(db, sql, &top, err) != 0)
            return -1;
        *fields[i] += top;
    }
    return 0;
}

/* Run the SQL built in s (and free it); what names it in an error. */
static int exec_built(sqlite3 *db, sqlite3_str *s, const char *what, char err[HTTPCAP_ERRBUF])
{
    char *sql = sqlite3_str_finish(s);
    if (!sql) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    return rc == SQLITE_OK ? 0 : fail(err, what, db);
}

/* The columns of captures every schema version has (version 2 added sensor, which the view
 * adds as NULL for version 1), so that databases of both versions can be reported together. */
#define CAPTURE_COLUMNS                                                                     \
    "id, source, filter, link_type, link_type_name, started_ns, finished_ns,"               \
    " first_packet_ns, last_packet_ns, packets, bytes, tcp_segments, ip_fragments,"         \
    " skipped_packets, kernel_drops, interface_drops, connections, peak_connections,"       \
    " transactions, gap_bytes, clamped_timestamps, truncated, error, program_version"

/* 1 in *has when database k's table captures has the column sensor (schema version 2). */
static int has_sensor(sqlite3 *db, int k, int64_t *has, char err[HTTPCAP_ERRBUF])
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pragma_table_info('captures', 'd%d') WHERE name = 'sensor'",
             k);
    return query_int64(db, sql, has, err);
}

/* TEMP VIEW captures: every database's runs in order, ids offset like the rest; sensor is
 * NULL for the runs of a database written before it was recorded. */
static int create_captures_view(sqlite3 *db, int ndbs, const int64_t *cap_off,
                                char err[HTTPCAP_ERRBUF])
{
    sqlite3_str *s = sqlite3_str_new(db);
    sqlite3_str_appendall(s, "CREATE TEMP VIEW captures AS ");
    for (int k = 0; k < ndbs; k++) {
        int64_t sensor = 0;
        if (has_sensor(db, k, &sensor, err) != 0) {
            sqlite3_free(sqlite3_str_finish(s));
            return -1;
        }
        sqlite3_str_appendf(s, "%sSELECT %d AS db, id + %lld AS run, " CAPTURE_COLUMNS
                               ", %s AS sensor FROM d%d.captures",
                            k ? " UNION ALL " : "", k, (long long)cap_off[k],
                            sensor ? "sensor" : "NULL", k);
    }
    return exec_built(db, s, "captures view", err);
}

/* 1 when database k has a table named table (older databases lack newer tables). */
static int has_table(sqlite3 *db, int k, const char *table, int64_t *has,
                     char err[HTTPCAP_ERRBUF])
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM d%d.sqlite_master WHERE type = 'table' AND name = '%s'", k,
             table);
    return query_int64(db, sql, has, err);
}

/* TEMP VIEW capture_limits: every run's limits (run as in the view captures) from the
 * databases that have the table; one written before it existed adds no rows. */
static int create_limits_view(sqlite3 *db, int ndbs, const int64_t *cap_off,
                              char err[HTTPCAP_ERRBUF])
{
    sqlite3_str *s = sqlite3_str_new(db);
    sqlite3_str_appendall(s, "CREATE TEMP VIEW capture_limits AS ");
    int n = 0;
    for (int k = 0; k < ndbs; k++) {
        int64_t has = 0;
        if (has_table(db, k, "capture_limits", &has, err) != 0) {
            sqlite3_free(sqlite3_str_finish(s));
            return -1;
        }
        if (has)
            sqlite3_str_appendf(s, "%sSELECT %d AS db, capture_id + %lld AS run, name, value,"
                                   " hits FROM d%d.capture_limits",
                                n++ ? " UNION ALL " : "", k, (long long)cap_off[k], k);
    }
    if (n == 0)
        sqlite3_str_appendall(s, "SELECT NULL AS db, NULL AS run, NULL AS name, NULL AS value,"
                                 " NULL AS hits WHERE 0");
    return exec_built(db, s, "capture_limits view", err);
}

static void bind_named_int64(sqlite3_stmt *q, const char *name, int has, int64_t v)
{
    int i = sqlite3_bind_parameter_index(q, name);
    if (i > 0 && has)
        sqlite3_bind_int64(q, i, v);
}

/* 1 when the truncated counts of the database's connections (schema version 3) are those
 * of the reported transactions: no filter leaves any of a connection's rows out. Then
 * the scan does not read transactions.flags (the last of 30 columns: 10% of the report
 * of a GB of heavy capture) and "@counted" copies the counts instead. */
static int conn_counts_apply(const struct report_options *o, const struct offsets *off)
{
    return off->version >= 3 && !o->has_since && !o->has_until && !o->host;
}

static void bind_params(sqlite3_stmt *q, const struct report_options *o,
                        const struct offsets *off)
{
    bind_named_int64(q, ":since", o->has_since, o->since_ns);
    bind_named_int64(q, ":until", o->has_until, o->until_ns);
    int i = sqlite3_bind_parameter_index(q, ":host");
    if (i > 0 && o->host)
        sqlite3_bind_text(q, i, o->host, -1, SQLITE_STATIC);
    bind_named_int64(q, ":tx_off", 1, off->tx);
    bind_named_int64(q, ":conn_off", 1, off->conn);
    bind_named_int64(q, ":cap_off", 1, off->cap);
    bind_named_int64(q, ":viol_off", 1, off->viol);
    bind_named_int64(q, ":db", 1, off->db);
    bind_named_int64(q, ":conn_counts", 1, conn_counts_apply(o, off));
}

/* Run every statement of sql with the parameters bound. */
static int run_part(sqlite3 *db, const char *sql, const struct report_options *o,
                    const struct offsets *off, char err[HTTPCAP_ERRBUF])
{
    while (*sql) {
        sqlite3_stmt *q = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &q, &tail) != SQLITE_OK)
            return fail(err, "report_tables.sql", db);
        sql = tail;
        if (!q)
            break;
        bind_params(q, o, off);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            ;
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return fail(err, "report_tables.sql", db);
    }
    return 0;
}

/* The per-database part with "src." turned into "dK.". NULL when out of memory. */
static char *for_database(sqlite3 *db, const char *part, size_t len, int k)
{
    sqlite3_str *s = sqlite3_str_new(db);
    const char *end = part + len;
    const char *p = part;
    for (const char *hit; (hit = strstr(p, "src.")) && hit < end; p = hit + 4) {
        sqlite3_str_append(s, p, (int)(hit - p));
        sqlite3_str_appendf(s, "d%d.", k);
    }
    sqlite3_str_append(s, p, (int)(end - p));
    return sqlite3_str_finish(s);
}

int64_t report_bucket_width(int64_t span_ns)
{
    static const int64_t ms = 1000000, s = 1000 * ms, min = 60 * s, h = 60 * min, d = 24 * h;
    static const int64_t widths[] = {ms,      2 * ms,  5 * ms,   10 * ms, 20 * ms, 50 * ms,
                                     100 * ms, 200 * ms, 500 * ms, s,      2 * s,   5 * s,
                                     10 * s,  15 * s,  30 * s,   min,     2 * min, 5 * min,
                                     10 * min, 15 * min, 30 * min, h,     2 * h,   3 * h,
                                     6 * h,   12 * h,  d,        2 * d,   7 * d};
    size_t n = sizeof widths / sizeof widths[0];
    for (size_t i = 0; i < n; i++)
        if (span_ns / widths[i] < 60) /* buckets = span / width + 1 <= 60 */
            return widths[i];
    int64_t w = widths[n - 1];
    while (span_ns / w >= 60)
        w *= 2;
    return w;
}

/* The value of parameter name (its length len) as SQL literal text; NULL when out of
 * memory. A view cannot hold parameters, so "@rt-view" gets literals. */
static char *literal(const char *name, int len, const struct report_options *o,
                     const struct offsets *off)
{
    const struct {
        const char *name;
        int is_set;
        int64_t v;
    } ints[] = {{"since", o->has_since, o->since_ns}, {"until", o->has_until, o->until_ns},
                {"tx_off", 1, off->tx},       {"conn_off", 1, off->conn},
                {"cap_off", 1, off->cap},     {"viol_off", 1, off->viol},
                {"db", 1, off->db}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if ((int)strlen(ints[i].name) == len && memcmp(name, ints[i].name, (size_t)len) == 0)
            return ints[i].is_set ? sqlite3_mprintf("%lld", (long long)ints[i].v)
                                  : sqlite3_mprintf("NULL");
    }
    if (len == 4 && memcmp(name, "host", 4) == 0)
        return o->host ? sqlite3_mprintf("%Q", o->host) : sqlite3_mprintf("NULL");
    return sqlite3_mprintf(":%.*s", len, name);
}

/* sql with every ":name" parameter replaced by its literal, appended to s. */
static void append_literal_sql(sqlite3_str *s, const char *sql, const struct report_options *o,
                               const struct offsets *off)
{
    const char *p = sql;
    for (const char *hit; (hit = strchr(p, ':')) != NULL;) {
        int len = 0;
        while ((hit[1 + len] >= 'a' && hit[1 + len] <= 'z') || hit[1 + len] == '_')
            len++;
        sqlite3_str_append(s, p, (int)(hit - p));
        if (len == 0) {
            sqlite3_str_append(s, ":", 1);
        } else {
            char *lit = literal(hit + 1, len, o, off);
            if (lit)
                sqlite3_str_appendall(s, lit);
            else
                sqlite3_str_append(s, "?", 1); /* fails to prepare: out of memory below */
            sqlite3_free(lit);
        }
        p = hit + 1 + len;
    }
    sqlite3_str_appendall(s, p);
}

/* TEMP VIEW rt: the "@rt-view" SELECT of every database, with literals, by UNION ALL. */
static int create_rt_view(sqlite3 *db, const char *part, const struct report_options *o,
                          const struct offsets *off, char err[HTTPCAP_ERRBUF])
{
    sqlite3_str *s = sqlite3_str_new(db);
    sqlite3_str_appendall(s, "CREATE TEMP VIEW rt AS ");
    for (int k = 0; k < o->npaths; k++) {
        char *one = for_database(db, part, strlen(part), k);
        if (k > 0)
            sqlite3_str_appendall(s, " UNION ALL ");
        if (one)
            append_literal_sql(s, one, o, &off[k]);
        sqlite3_free(one);
    }
    if (o->npaths == 0) /* an empty view with the columns of rsel */
        sqlite3_str_appendall(s, "SELECT * FROM temp.rsel WHERE 0");
    return exec_built(db, s, "rt view", err);
}

#define SCAN_PIECES 32 /* a large database's ids are cut into this many pieces */

/*
 * The ids of one database in pieces for two threads: the caller's thread takes them from
 * the low end, the second thread from the high end, each the next when it is done with
 * one, so that a thread on a slower core (a VM's vCPUs often differ) scans fewer.
 */
struct pieces {
    pthread_mutex_t mu;
    int64_t first, last; /* the ids */
    uint64_t size;       /* ids per piece, the last one aside */
    uint32_t n;          /* pieces */
    uint32_t lo, hi;     /* not taken yet: [lo, hi) */
};

/* The ids first..last in pieces (one piece when n is 1). */
static void pieces_init(struct pieces *p, int64_t first, int64_t last, uint32_t n)
{
    uint64_t span = (uint64_t)last - (uint64_t)first; /* ids - 1, without overflow */
    pthread_mutex_init(&p->mu, NULL);
    p->first = first;
    p->last = last;
    p->size = n > 1 ? span / n + 1 : 0;
    p->n = n > 1 ? (uint32_t)(span / p->size + 1) : 1;
    p->lo = 0;
    p->hi = p->n;
}

/* The next piece from one end: 1 with its ids in *a..*b, 0 when every piece is taken. */
static int take_piece(struct pieces *p, int from_top, int64_t *a, int64_t *b)
{
    pthread_mutex_lock(&p->mu);
    int has = p->lo < p->hi;
    uint32_t i = !has ? 0 : from_top ? --p->hi : p->lo++;
    pthread_mutex_unlock(&p->mu);
    if (!has)
        return 0;
    *a = (int64_t)((uint64_t)p->first + (uint64_t)i * p->size);
    *b = i + 1 == p->n ? p->last : (int64_t)((uint64_t)*a + p->size - 1);
    return 1;
}

/* Scan pieces of p from one end into s until none is left. 0, or -1 with one line. */
static int scan_pieces(sqlite3 *db, const char *sql, const struct report_options *o,
                       const struct offsets *off, struct pieces *p, int from_top,
                       struct report_scan *s, char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK || !q) {
        sqlite3_finalize(q);
        return fail(err, "report_tables.sql @scan", db);
    }
    bind_params(q, o, off);
    int64_t a, b;
    int rc = 0;
    while (rc == 0 && take_piece(p, from_top, &a, &b)) {
        if (report_scan_allow(s, (uint64_t)b - (uint64_t)a + 1) != 0) {
            snprintf(err, HTTPCAP_ERRBUF, "report scan: ids %lld..%lld overlap another range",
                     (long long)a, (long long)b);
            rc = -1;
            break;
        }
        bind_named_int64(q, ":id_first", 1, a);
        bind_named_int64(q, ":id_last", 1, b);
        rc = report_scan_add(s, q, off->db, off->tx, off->conn, err);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return rc;
}

/* The second thread of a database's scan, through a connection of its own. */
struct scan_job {
    const char *path;              /* the database, ATTACHed again as dK */
    const char *sql;               /* the scan SQL of dK */
    const struct report_options *o;
    const struct offsets *off;
    struct pieces *pieces;         /* shared with the caller's thread */
    struct report_scan *s;         /* owned by the caller */
    int rc;
    char err[HTTPCAP_ERRBUF];
};

static void *scan_job_run(void *p)
{
    struct scan_job *j = p;
    sqlite3 *db = NULL;
    j->rc = -1;
    if (sqlite3_open_v2(":memory:", &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        snprintf(j->err, HTTPCAP_ERRBUF, "cannot open SQLite: out of memory");
    else if (attach_one(db, j->path, j->off->db, NULL, j->err) == 0)
        j->rc = scan_pieces(db, j->sql, j->o, j->off, j->pieces, 1, j->s, j->err);
    sqlite3_close(db);
    return NULL;
}

#define SCAN_SPLIT_MIN 200000 /* ids in a database before two threads read it */

/* The ids a database needs before two threads read it: SCAN_SPLIT_MIN, or for tests the
 * number in HTTPCAP_REPORT_SCAN_SPLIT (so that small databases take the two-thread path). */
static int64_t split_min(void)
{
    const char *v = getenv("HTTPCAP_REPORT_SCAN_SPLIT");
    char *end = NULL;
    long long n = v ? strtoll(v, &end, 10) : 0;
    return v && end != v && *end == '\0' && n > 0 ? (int64_t)n : SCAN_SPLIT_MIN;
}

/* The ids of database k: its smallest and largest, or INT64_MIN and INT64_MAX when it has
 * no transaction. */
static void id_range(sqlite3 *db, int k, int64_t *first, int64_t *last)
{
    /* two subqueries: SQLite finds a lone min() or max() at one end of the rowid B-tree,
     * but min(id), max(id) in one SELECT scans every row (0.14 s on 764 k rows) */
    char *range = sqlite3_mprintf("SELECT (SELECT min(id) FROM d%d.transactions),"
                                  " (SELECT max(id) FROM d%d.transactions)",
                                  k, k);
    sqlite3_stmt *q = NULL;
    *first = INT64_MIN;
    *last = INT64_MAX;
    if (range && sqlite3_prepare_v2(db, range, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        *first = sqlite3_column_int64(q, 0);
        *last = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    sqlite3_free(range);
}

/* The scan of database k: the "@scan" SELECT stepped into s; a large database's ids in
 * pieces that a second thread, into a second scan merged afterwards, shares. conn_ids: the
 * largest offset connection id of all the databases. */
static int scan_database(sqlite3 *db, struct report_scan *s, const char *part, size_t len,
                         const struct report_options *o, const struct offsets *off,
                         int64_t conn_ids, char err[HTTPCAP_ERRBUF])
{
    char *sql = for_database(db, part, len, off->db);
    if (!sql) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    int64_t first, last;
    id_range(db, off->db, &first, &last);
    struct pieces p;
    struct scan_job job = {o->paths[off->db], sql, o, off, &p, NULL, 0, ""};
    pthread_t t;
    int threaded = 0;
    uint64_t span = (uint64_t)last - (uint64_t)first; /* ids - 1, without overflow */
    int is_large = first > INT64_MIN && span >= (uint64_t)split_min() && sqlite3_threadsafe();
    pieces_init(&p, first, last, is_large ? SCAN_PIECES : 1);
    if (is_large) {
        job.s = report_scan_new(o->top, conn_ids);
        /* both threads' records go in one array, from its two ends; without room for
         * every id (sparse ids), the merge copies the second thread's instead */
        if (job.s)
            report_scan_lend(s, span + 1, job.s);
        threaded = job.s && pthread_create(&t, NULL, scan_job_run, &job) == 0;
        if (!threaded && job.s && report_scan_merge(s, job.s) != 0) { /* gives back */
            report_scan_free(job.s);
            sqlite3_free(sql);
            pthread_mutex_destroy(&p.mu);
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            return -1;
        }
    }
    int rc = scan_pieces(db, sql, o, off, &p, 0, s, err);
    if (threaded) {
        pthread_join(t, NULL);
        if (rc == 0 && job.rc != 0) {
            snprintf(err, HTTPCAP_ERRBUF, "%s", job.err);
            rc = -1;
        }
        if (rc == 0 && report_scan_merge(s, job.s) != 0) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            rc = -1;
        }
    }
    report_scan_free(job.s);
    sqlite3_free(sql);
    pthread_mutex_destroy(&p.mu);
    return rc;
}

/* The parts of report_tables.sql, between its marker lines. */
struct parts {
    const char *once, *scan, *each, *counted, *after, *view;
};

static int split_parts(struct parts *p, char err[HTTPCAP_ERRBUF])
{
    p->once = sql_embedded("report_tables.sql");
    p->scan = p->once ? strstr(p->once, "-- @scan") : NULL;
    p->each = p->scan ? strstr(p->scan, "-- @per-database") : NULL;
    p->counted = p->each ? strstr(p->each, "-- @counted") : NULL;
    p->after = p->counted ? strstr(p->counted, "-- @after") : NULL;
    p->view = p->after ? strstr(p->after, "-- @rt-view") : NULL;
    if (p->view)
        return 0;
    snprintf(err, HTTPCAP_ERRBUF, "report_tables.sql is not built in or lacks its markers");
    return -1;
}

/* Run the text from a to b (not included) as run_part does. */
static int run_between(sqlite3 *db, const char *a, const char *b, const struct report_options *o,
                       const struct offsets *off, int k, char err[HTTPCAP_ERRBUF])
{
    char *part = k >= 0 ? for_database(db, a, (size_t)(b - a), k)
                        : sqlite3_mprintf("%.*s", (int)(b - a), a);
    int rc = part ? run_part(db, part, o, off, err) : -1;
    sqlite3_free(part);
    return rc;
}

static int build_tables(sqlite3 *db, const struct report_options *o, const struct offsets *off,
                        struct report_scan *s, char err[HTTPCAP_ERRBUF])
{
    struct parts p;
    if (split_parts(&p, err) != 0)
        return -1;
    int rc = run_between(db, p.once, p.scan, o, &off[0], -1, err);
    for (int k = 0; rc == 0 && k < o->npaths; k++)
        rc = scan_database(db, s, p.scan, (size_t)(p.each - p.scan), o, &off[k],
                           off[o->npaths].conn, err);
    if (rc == 0)
        rc = report_scan_write(s, db, err);
    if (rc == 0)
        report_scan_presort(s); /* the records are sorted while the SQL below runs */
    for (int k = 0; rc == 0 && k < o->npaths; k++) {
        rc = run_between(db, p.each, p.counted, o, &off[k], k, err);
        if (rc == 0 && conn_counts_apply(o, &off[k]))
            rc = run_between(db, p.counted, p.after, o, &off[k], k, err);
    }
    if (rc == 0)
        rc = run_between(db, p.after, p.view, o, &off[0], -1, err);
    if (rc == 0)
        rc = create_rt_view(db, p.view, o, off, err);
    if (rc != 0 && err[0] == '\0')
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
    return rc;
}

/* HTTPCAP_REPORT_PROFILE=1: each statement's run time on stderr, to find slow queries. */
static int profile_statement(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    if (type == SQLITE_TRACE_PROFILE) {
        char *sql = sqlite3_expanded_sql((sqlite3_stmt *)p);
        const char *s = sql ? sql : "?";
        while (*s == '-' || *s == ' ' || *s == '\n') { /* skip leading comment lines */
            if (*s == '-')
                s += strcspn(s, "\n");
            else
                s++;
        }
        fprintf(stderr, "httpcap: profile: %8.3f s  %.70s\n",
                (double)*(const sqlite3_int64 *)x / 1e9, s);
        sqlite3_free(sql);
    }
    return 0;
}

static int open_memory(sqlite3 **db, int ndbs, char err[HTTPCAP_ERRBUF])
{
    /* no global memory statistics: their mutex would serialize the two scan threads (fails
     * harmlessly when SQLite is already initialized) */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* one thread uses the connection: no mutex around every sqlite3_column_*() */
    if (sqlite3_open_v2(":memory:", db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "cannot open SQLite: out of memory");
        return -1;
    }
    int most = sqlite3_limit(*db, SQLITE_LIMIT_ATTACHED, -1);
    if (ndbs > most || ndbs > REPORT_MAX_DBS) {
        snprintf(err, HTTPCAP_ERRBUF, "at most %d databases in one report (got %d)",
                 most < REPORT_MAX_DBS ? most : REPORT_MAX_DBS, ndbs);
        return -1;
    }
    const char *profile = getenv("HTTPCAP_REPORT_PROFILE");
    if (profile && strcmp(profile, "1") == 0)
        sqlite3_trace_v2(*db, SQLITE_TRACE_PROFILE, profile_statement, NULL);
    /* Working tables spill to a temp file past a 64 MiB cache; sorts may use 2 threads. */
    sqlite3_exec(*db, "PRAGMA temp_store = FILE; PRAGMA temp.cache_size = -65536;"
                      " PRAGMA threads = 2", NULL, NULL, NULL);
    const char *codes = sql_embedded("status_codes.sql");
    if (!codes || sqlite3_exec(*db, codes, NULL, NULL, NULL) != SQLITE_OK)
        return fail(err, "status_codes.sql", *db);
    if (sqlite3_create_function(*db, "httpcap_endpoint", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, sql_endpoint, NULL, NULL) != SQLITE_OK)
        return fail(err, "httpcap_endpoint", *db);
    return 0;
}

int report_db_open(const struct report_options *o, sqlite3 **out, struct report_scan **scan,
                   char err[HTTPCAP_ERRBUF])
{
    *out = NULL;
    *scan = NULL;
    err[0] = '\0';
    sqlite3 *db = NULL;
    struct offsets *off = calloc((size_t)o->npaths + 1, sizeof *off);
    int64_t *cap_off = calloc((size_t)o->npaths + 1, sizeof *cap_off);
    int rc = off && cap_off ? open_memory(&db, o->npaths, err) : -1;
    for (int k = 0; rc == 0 && k < o->npaths; k++) {
        rc = attach_one(db, o->paths[k], k, &off[k].version, err);
        cap_off[k] = off[k].cap;
        off[k + 1] = off[k];
        off[k + 1].db = k + 1;
        if (rc == 0)
            rc = next_offsets(db, k, &off[k + 1], err);
    }
    if (rc == 0)
        rc = create_captures_view(db, o->npaths, cap_off, err);
    if (rc == 0)
        rc = create_limits_view(db, o->npaths, cap_off, err);
    struct report_scan *s = rc == 0 ? report_scan_new(o->top, off[o->npaths].conn) : NULL;
    if (rc == 0)
        rc = s ? build_tables(db, o, off, s, err) : -1;
    if (rc != 0 && err[0] == '\0')
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
    free(off);
    free(cap_off);
    if (rc != 0) {
        report_scan_free(s);
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    *scan = s;
    return 0;
}
