/*
 * store_capture.c - the capture row and its side tables: captures, capture_skips,
 * capture_limits, capture_workers.
 * Owns: the SQL of those rows.
 * In:   struct store_capture numbers, skip reasons, limit values and hits, per-worker
 *       numbers.
 * Out:  rows in captures, capture_skips, capture_limits, capture_workers.
 * Never: writes exchanges or connections (store.c does).
 */
#include <sqlite3.h>
#include <stdio.h>

#include "store.h"
#include "store_private.h"

/* Bind the numbers shared by the INSERT and UPDATE of a capture row, from column col. */
static void bind_capture_numbers(sqlite3_stmt *q, int col, const struct store_capture *cap)
{
    sqlite3_bind_int(q, col++, cap->link_type);
    sqlite3_bind_text(q, col++, cap->link_type_name, -1, SQLITE_STATIC);
    store_bind_opt_int64(q, col++, cap->packets > 0, cap->first_packet_ns);
    store_bind_opt_int64(q, col++, cap->packets > 0, cap->last_packet_ns);
    sqlite3_bind_int64(q, col++, (int64_t)cap->packets);
    sqlite3_bind_int64(q, col++, (int64_t)cap->bytes);
    sqlite3_bind_int64(q, col++, (int64_t)cap->tcp_segments);
    sqlite3_bind_int64(q, col++, (int64_t)cap->ip_fragments);
    sqlite3_bind_int64(q, col++, (int64_t)cap->skipped_packets);
    store_bind_opt_int64(q, col++, cap->kernel_drops >= 0, cap->kernel_drops);
    store_bind_opt_int64(q, col++, cap->interface_drops >= 0, cap->interface_drops);
    sqlite3_bind_int64(q, col++, (int64_t)cap->connections);
    sqlite3_bind_int64(q, col++, (int64_t)cap->peak_connections);
    sqlite3_bind_int64(q, col++, (int64_t)cap->transactions);
    sqlite3_bind_int64(q, col++, (int64_t)cap->gap_bytes);
    sqlite3_bind_int64(q, col++, (int64_t)cap->clamped_timestamps);
    sqlite3_bind_int(q, col++, cap->truncated);
    store_bind_text_or_null(q, col, cap->error);
}

#define CAPTURE_NUMBER_COLUMNS                                                          \
    "link_type, link_type_name, first_packet_ns, last_packet_ns, packets, bytes,"       \
    " tcp_segments, ip_fragments, skipped_packets, kernel_drops, interface_drops,"      \
    " connections, peak_connections, transactions, gap_bytes, clamped_timestamps, truncated, error"

int64_t store_capture_begin(struct store *st, const struct store_capture *cap,
                            char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (store_commit(st, err) != 0)
        return -1;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO captures (source, filter, started_ns, program_version, "
                           CAPTURE_NUMBER_COLUMNS
                           ", sensor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK) {
        store_set_err(err, "preparing capture row", st->db);
        return -1;
    }
    sqlite3_bind_text(q, 1, cap->source, -1, SQLITE_STATIC);
    store_bind_text_or_null(q, 2, cap->filter);
    sqlite3_bind_int64(q, 3, store_wall_clock_ns());
    sqlite3_bind_text(q, 4, HTTPCAP_VERSION, -1, SQLITE_STATIC);
    bind_capture_numbers(q, 5, cap);
    char host[STORE_SENSOR_MAX];
    sqlite3_bind_text(q, 23, store_sensor_name(cap->sensor, host), -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        store_set_err(err, "writing capture row", st->db);
        return -1;
    }
    int64_t id = sqlite3_last_insert_rowid(st->db);
    return store_spool_begin(st, id, err) == 0 ? id : -1;
}

int store_capture_end(struct store *st, int64_t capture_id, const struct store_capture *cap,
                      char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (store_begin_batch(st, err) != 0)
        return -1;
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE captures SET (finished_ns, " CAPTURE_NUMBER_COLUMNS
                           ") = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) WHERE id = ?",
                           -1, &q, NULL) != SQLITE_OK) {
        store_set_err(err, "preparing capture update", st->db);
        return -1;
    }
    sqlite3_bind_int64(q, 1, store_wall_clock_ns());
    bind_capture_numbers(q, 2, cap);
    sqlite3_bind_int64(q, 20, capture_id);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        store_set_err(err, "updating capture row", st->db);
        return -1;
    }
    return store_commit(st, err);
}

/* The statement of a capture's side-table row, in the open batch; what names the table
 * in an error. Returns 0 or -1 + err. */
static int prepare_side(struct store *st, const char *sql, const char *what, sqlite3_stmt **q,
                        char err[HTTPCAP_ERRBUF])
{
    char msg[64];
    if (store_begin_batch(st, err) != 0)
        return -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK) {
        snprintf(msg, sizeof msg, "preparing %s", what);
        store_set_err(err, msg, st->db);
        return -1;
    }
    return 0;
}

/* Run and finalize q, a side-table row from prepare_side(). Returns 0 or -1 + err. */
static int step_side(struct store *st, sqlite3_stmt *q, const char *what,
                     char err[HTTPCAP_ERRBUF])
{
    char msg[64];
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        snprintf(msg, sizeof msg, "writing %s", what);
        store_set_err(err, msg, st->db);
        return -1;
    }
    return 0;
}

/* One row (capture_id, name, numbers[0..n)) of a capture's side table, by sql (which has
 * 2 + n parameters). Returns 0 or -1 + err. */
static int put_side_row(struct store *st, const char *sql, const char *what, int64_t capture_id,
                        const char *name, const uint64_t *numbers, int n,
                        char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (prepare_side(st, sql, what, &q, err) != 0)
        return -1;
    sqlite3_bind_int64(q, 1, capture_id);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    for (int i = 0; i < n; i++)
        sqlite3_bind_int64(q, 3 + i, (int64_t)numbers[i]);
    return step_side(st, q, what, err);
}

int store_capture_skip(struct store *st, int64_t capture_id, const char *reason,
                       uint64_t packets, char err[HTTPCAP_ERRBUF])
{
    return put_side_row(st,
                        "INSERT OR REPLACE INTO capture_skips (capture_id, reason, packets)"
                        " VALUES (?,?,?)",
                        "capture skips", capture_id, reason, &packets, 1, err);
}

int store_capture_limit(struct store *st, int64_t capture_id, const char *name,
                        uint64_t value, uint64_t hits, char err[HTTPCAP_ERRBUF])
{
    const uint64_t numbers[2] = {value, hits};
    return put_side_row(st,
                        "INSERT OR REPLACE INTO capture_limits (capture_id, name, value, hits)"
                        " VALUES (?,?,?,?)",
                        "capture limits", capture_id, name, numbers, 2, err);
}

int store_capture_worker(struct store *st, int64_t capture_id, const struct store_worker *w,
                         char err[HTTPCAP_ERRBUF])
{
    sqlite3_stmt *q = NULL;
    if (prepare_side(st,
                     "INSERT OR REPLACE INTO capture_workers (capture_id, worker, packets,"
                     " bytes, kernel_drops, interface_drops, connections, transactions)"
                     " VALUES (?,?,?,?,?,?,?,?)",
                     "capture workers", &q, err) != 0)
        return -1;
    sqlite3_bind_int64(q, 1, capture_id);
    sqlite3_bind_int(q, 2, w->worker);
    sqlite3_bind_int64(q, 3, (int64_t)w->packets);
    sqlite3_bind_int64(q, 4, (int64_t)w->bytes);
    store_bind_opt_int64(q, 5, w->kernel_drops >= 0, w->kernel_drops);
    store_bind_opt_int64(q, 6, w->interface_drops >= 0, w->interface_drops);
    sqlite3_bind_int64(q, 7, (int64_t)w->connections);
    sqlite3_bind_int64(q, 8, (int64_t)w->transactions);
    return step_side(st, q, "capture workers", err);
}
