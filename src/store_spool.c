/*
 * store_spool.c - what a spool needs of the store: ids that are never reused although
 * shipped rows are deleted, and where each capture's ids start.
 * Owns: the meta keys spool.origin (read), spool.last_{conn,txn,viol}_id (read; pg_push.c
 *       raises them as it deletes) and spool.capture.<id> (written at capture begin).
 * In:   an open store. Out: its next ids; a meta row per capture of a spool.
 * Never: talks to PostgreSQL or deletes rows (pg_push.c does both).
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_private.h"

/* max(id) of a table, or the meta value at key when larger; -1 + err on failure. */
static int last_id(struct store *st, const char *table, const char *key, uint64_t *out,
                   char err[HTTPCAP_ERRBUF])
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT max(coalesce((SELECT max(id) FROM %s), 0),"
             " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '%s'), 0))",
             table, key);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        store_set_err(err, "reading ids", st->db);
        sqlite3_finalize(q);
        return -1;
    }
    *out = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return 0;
}

int store_spool_load(struct store *st, char err[HTTPCAP_ERRBUF])
{
    if (last_id(st, "connections", STORE_SPOOL_LAST_CONN, &st->next_conn_id, err) != 0 ||
        last_id(st, "transactions", STORE_SPOOL_LAST_TXN, &st->next_txn_id, err) != 0 ||
        last_id(st, "violations", STORE_SPOOL_LAST_VIOL, &st->next_viol_id, err) != 0)
        return -1;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM meta WHERE key = '" STORE_SPOOL_ORIGIN "'",
                           -1, &q, NULL) != SQLITE_OK) {
        store_set_err(err, "reading meta", st->db);
        return -1;
    }
    st->is_spool = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return 0;
}

int store_spool_begin(struct store *st, int64_t capture_id, char err[HTTPCAP_ERRBUF])
{
    if (!st->is_spool)
        return 0;
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO meta (key, value) VALUES ('%s%" PRId64 "',"
             " '%" PRIu64 " %" PRIu64 " %" PRIu64 "')",
             STORE_SPOOL_CAPTURE, capture_id, st->next_conn_id + 1, st->next_txn_id + 1,
             st->next_viol_id + 1);
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_set_err(err, "writing the spool's capture bases", st->db);
        return -1;
    }
    return 0;
}

const char *store_sensor_name(const char *sensor, char buf[STORE_SENSOR_MAX])
{
    if (sensor && sensor[0])
        return sensor;
    if (gethostname(buf, STORE_SENSOR_MAX) != 0)
        snprintf(buf, STORE_SENSOR_MAX, "unknown");
    buf[STORE_SENSOR_MAX - 1] = '\0';
    return buf;
}
