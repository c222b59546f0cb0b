/*
 * pg_push.h - moving a spool into PostgreSQL (`-o postgresql://`, `httpcap push`).
 * A spool is an httpcap SQLite database (store.h) with an origin token in meta: rows are
 * written there first, then copied to PostgreSQL in batches (one PostgreSQL transaction
 * per batch: COPY straight into the row tables, or, for the capture tables and for a
 * batch the server partly has already, COPY into TEMP staging tables and INSERT ... ON
 * CONFLICT), then deleted from the spool. Ids are rewritten by capture (table
 * capture_origins, see sql/pg/schema.sql), so a row pushed twice lands on the same id and
 * is kept once.
 * Owns: the spool's SQLite connection, the PostgreSQL connection, the id map per capture.
 * In:   a spool path and a URL. Out: rows in PostgreSQL; shipped rows gone from the spool.
 * Never: loses a row (a row leaves the spool only after PostgreSQL committed it); prints
 *        a password.
 */
#ifndef HTTPCAP_PG_PUSH_H
#define HTTPCAP_PG_PUSH_H

#include <stdint.h>

#include "errbuf.h"

/* Rows per table per batch (a batch is one PostgreSQL transaction). */
#define PG_PUSH_BATCH_ROWS 10000

/* The spool `-o postgresql://` writes to when --spool is not given. */
#define PG_SPOOL_DEFAULT "httpcap-spool.db"

/* What pushes have copied (rows sent in committed batches; a re-sent row counts again). */
struct pg_push_stats {
    uint64_t captures, connections, transactions, violations, headers;
    uint64_t resent_batches;    /* batches that held rows PostgreSQL already had (a push
                                   repeated after a crash): those are stored once */
};

struct pg_push;

/*
 * Make path a spool: create the database if needed (store_open's checks apply) and give
 * it a random origin token. A database that already holds captures but is no spool is
 * refused (its rows would be deleted as they are shipped). 0, or -1 + err.
 */
int pg_spool_prepare(const char *path, char err[HTTPCAP_ERRBUF]);

/* A pusher from the spool at path (which must exist) to url; nothing is opened yet.
 * NULL + err when out of memory. Both strings must outlive it. */
struct pg_push *pg_push_new(const char *path, const char *url, char err[HTTPCAP_ERRBUF]);

/*
 * Push every row the spool holds now, batch after batch: connect first when not
 * connected (and apply the schema). Returns 0 when the spool held nothing more to ship,
 * 1 when rows are left (the batch limit was reached, or shipped rows could not be deleted
 * yet because the spool was busy: they go again next time), or -1 + err (the server is unreachable, a batch failed: the connection is
 * dropped, what was committed stays, the rest stays in the spool). Adds to *stats.
 */
int pg_push_run(struct pg_push *p, struct pg_push_stats *stats, char err[HTTPCAP_ERRBUF]);

/* At most this many batches per pg_push_run (which then returns 1); 0: no limit. */
void pg_push_limit(struct pg_push *p, int batches);

/* Rows of connections and transactions still in the spool, -1 when it cannot be read. */
int64_t pg_push_left(struct pg_push *p);

/* Close both connections and free. NULL does nothing. */
void pg_push_free(struct pg_push *p);

#endif
