/*
 * store_private.h - what store.c shares with store_capture.c: the store's state and
 * the helpers both use. Nothing else includes it.
 * Owns: the definition of struct store.
 * Never: appears outside the store files; the rest of the program sees store.h.
 */
#ifndef HTTPCAP_STORE_PRIVATE_H
#define HTTPCAP_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "errbuf.h"
#include "store.h"

#ifndef HTTPCAP_VERSION
#define HTTPCAP_VERSION "0.1.0"
#endif

enum stmt_id {
    ST_VIOLATION,
    ST_HEADER,
    ST_COUNT
};

struct store_stage;

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT];
    struct store_stage *txns;   /* transactions and connections are inserted a few hundred */
    struct store_stage *conns;  /* rows at a time (store_stage.c) */
    uint64_t next_conn_id;  /* largest connection id used at open (store_last_ids) */
    uint64_t next_txn_id;   /* largest transaction id used at open */
    uint64_t next_viol_id;  /* last violation id written */
    int is_spool;           /* meta has spool.origin: a spool of `-o postgresql://` */
    int was_empty;          /* the file held no table when opened: this run creates it */
    uint32_t batch_rows;    /* rows written in the open transaction */
    int in_txn;             /* a BEGIN is open */
    int has_failed;         /* a write failed: the open batch is rolled back, not committed */
    struct checkpointer *ckpt; /* WAL checkpoints on their own thread, or NULL */
};

/* Open a write transaction when none is open. Returns 0 or -1 + err. */
int store_begin_batch(struct store *st, char err[HTTPCAP_ERRBUF]);

/* err = "what: SQLite's message (what to do about it)"; what may be NULL. */
void store_set_err(char err[HTTPCAP_ERRBUF], const char *what, sqlite3 *db);

/* Bind v, or NULL when not present. */
void store_bind_opt_int64(sqlite3_stmt *q, int col, int present, int64_t v);

/* Bind a NUL-terminated string (not copied: valid until the step), NULL when empty. */
void store_bind_text_or_null(sqlite3_stmt *q, int col, const char *s);

/* The wall clock in ns since the epoch. */
int64_t store_wall_clock_ns(void);

/* The last ids handed out (max(id) of each table, or a spool's high-water marks in meta
 * when larger: shipped rows are deleted from a spool, their ids never reused) and whether
 * the database is a spool (store_spool.c). Returns 0 or -1 + err. */
int store_spool_load(struct store *st, char err[HTTPCAP_ERRBUF]);

/* In a spool, record in meta (key STORE_SPOOL_CAPTURE + id, value "conn txn viol") the
 * first ids capture_id may use; nothing in another database. Returns 0 or -1 + err. */
int store_spool_begin(struct store *st, int64_t capture_id, char err[HTTPCAP_ERRBUF]);

#endif
