/*
 * store.h - the SQLite database.
 * Owns: the connection to the database file, the schema (from sql/, embedded),
 *       prepared statements, batched write transactions (WAL), capture bookkeeping,
 *       row ids of connections and transactions.
 * In:   capture, connection and transaction records as plain values.
 * Out:  rows.
 * Never: parses HTTP or packets; keeps a pointer it was handed after returning.
 */
#ifndef HTTPCAP_STORE_H
#define HTTPCAP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"
#include "txn.h"

/* 2: captures.sensor; 3: connections.truncated and truncated_with_status. An older
 * database is upgraded in place. */
#define STORE_SCHEMA_VERSION 3

/* Version 3's counts of each connection's truncated transactions, counted from the flags
 * of its rows: how an older database gets them, in SQLite and in PostgreSQL alike. */
#define STORE_COUNT_TRUNCATED_SQL                                                           \
    "UPDATE connections AS c SET truncated = k.n, truncated_with_status = k.answered"     \
    " FROM (SELECT connection_id, count(*) AS n, count(status) AS answered"               \
    " FROM transactions WHERE flags LIKE '%truncated%' GROUP BY connection_id) AS k"        \
    " WHERE c.id = k.connection_id"

/* A spool (`-o postgresql://`, see pg_push.h) is a store database with these meta keys:
 * its origin token, the last ids it ever used (rows are deleted once shipped) and, per
 * capture, the first ids the capture could use ("conn txn viol"). */
#define STORE_SPOOL_ORIGIN "spool.origin"
#define STORE_SPOOL_LAST_CONN "spool.last_conn_id"
#define STORE_SPOOL_LAST_TXN "spool.last_txn_id"
#define STORE_SPOOL_LAST_VIOL "spool.last_viol_id"
#define STORE_SPOOL_CAPTURE "spool.capture."
#define STORE_SENSOR_MAX 256

struct store;

/* What a capture row says; every field is copied during the call. */
struct store_capture {
    const char *source;        /* file names or interface */
    const char *filter;        /* NULL when none */
    int link_type;             /* DLT number, -1 when unknown */
    const char *link_type_name;
    int64_t first_packet_ns, last_packet_ns; /* 0 when no packet */
    uint64_t packets, bytes, tcp_segments, ip_fragments, skipped_packets;
    int64_t kernel_drops, interface_drops;   /* -1 when not applicable */
    uint64_t connections, peak_connections, transactions, gap_bytes, clamped_timestamps;
    int truncated;             /* an input ended inside a packet */
    const char *error;         /* NULL when none */
    const char *sensor;        /* --sensor NAME; NULL: the host name */
};

/* A finished connection; index 0 is the client, 1 the server. Copied during the call. */
struct store_conn {
    uint64_t id;               /* above store_last_ids()' connection id */
    uint8_t ip_version;
    uint8_t ip[2][16];
    uint16_t port[2];
    const char *protocol;      /* "http", "tls", "other", "unknown" */
    uint8_t roles_known, saw_syn;
    int64_t first_ns, last_ns;
    const char *end_reason;
    uint64_t packets[2], bytes[2], retransmits[2], out_of_order[2], gap_bytes[2];
    uint64_t overlap_conflicts;
    uint32_t transactions;
    uint32_t truncated, truncated_with_status; /* of those, flagged truncated; answered */
};

/*
 * Open (creating if needed) the database at path, apply the schema, views and
 * status-code table, and fill the rules table. Returns NULL and fills err ("PATH: what
 * happened") on failure: a symbolic link refused by outpath_check_db, not writable, not a
 * database, another program's database or another schema version (those three are left
 * unchanged), locked by another process for longer than the wait (10 s, or
 * HTTPCAP_BUSY_TIMEOUT_MS milliseconds from 0 to 3600000 when that variable is set).
 */
struct store *store_open(const char *path, char err[HTTPCAP_ERRBUF]);

/*
 * store_open for a bulk load from inputs that can be read again: when the file held no
 * table (this call creates the database), nothing written to it waits for the disk
 * (PRAGMA synchronous=OFF, which store_checkpoint_behind's connection copies). A crash of
 * httpcap loses nothing committed; a power loss or an operating-system crash before the
 * kernel has written the file out (within about 30 s of the writes) can leave it damaged,
 * to be made again from the inputs. A database that held tables keeps store_open's
 * synchronous=NORMAL: a power loss may lose its last commits, never damage what it held.
 */
struct store *store_open_bulk(const char *path, char err[HTTPCAP_ERRBUF]);

/* From now on, checkpoint the WAL on a thread of its own instead of inside the commits
 * (checkpoint.c), until store_close. When that cannot start, SQLite's own go on. */
void store_checkpoint_behind(struct store *st);

/* Start a capture row; returns its id (> 0), or -1 and fills err. */
int64_t store_capture_begin(struct store *st, const struct store_capture *cap,
                            char err[HTTPCAP_ERRBUF]);

/* Update the capture row with final numbers and finished_ns. Returns 0 or -1 + err. */
int store_capture_end(struct store *st, int64_t capture_id, const struct store_capture *cap,
                      char err[HTTPCAP_ERRBUF]);

/* Record how many packets were skipped for a reason. Returns 0 or -1 + err. */
int store_capture_skip(struct store *st, int64_t capture_id, const char *reason,
                       uint64_t packets, char err[HTTPCAP_ERRBUF]);

/* Record a limit's value and how often it was reached (table capture_limits).
 * Returns 0 or -1 + err. */
int store_capture_limit(struct store *st, int64_t capture_id, const char *name,
                        uint64_t value, uint64_t hits, char err[HTTPCAP_ERRBUF]);

/* The sensor name a capture row gets: sensor when given and not empty, else the host name
 * written into buf. Cannot fail. */
const char *store_sensor_name(const char *sensor, char buf[STORE_SENSOR_MAX]);

/* The largest connection and transaction ids this database has used (max(id) at open,
 * or a spool's high-water mark when larger). The pipeline hands out the next ones itself
 * (ids are assigned before the rows are written: a connection's at its close, a
 * transaction's on the writer thread, and the --jsonl stream carries the same id); they
 * stay unique as long as one process writes the database. A spool's capture bases are
 * these plus one. Cannot fail. */
void store_last_ids(const struct store *st, uint64_t *conn, uint64_t *txn);

/* Write one transaction with its violations (and headers), with row id t->id (SQLite
 * picks the next one when it is 0). Returns 0 or -1 + err. */
int store_put_txn(struct store *st, int64_t capture_id, const struct txn *t,
                  const struct txn_violations *v, char err[HTTPCAP_ERRBUF]);

/* Write one connection row. Returns 0 or -1 + err. */
int store_put_conn(struct store *st, int64_t capture_id, const struct store_conn *c,
                   char err[HTTPCAP_ERRBUF]);

/* Commit what is pending (rows become visible to readers). Returns 0 or -1 + err. */
int store_commit(struct store *st, char err[HTTPCAP_ERRBUF]);

/* Commit, build the secondary indexes, close. Returns 0 or -1 + err; frees st always.
 * After a failed write, rolls back what was not committed and returns -1 + err instead.
 * NULL does nothing and returns 0. */
int store_close(struct store *st, char err[HTTPCAP_ERRBUF]);

/* The text the database stores, for another output that must match it (jsonl.c):
 * flags as a comma list of TXN_FLAGS names ("" when none), the 1xx codes as a comma list
 * ("" when none), an HTTP version as "M.m". Each writes at most cap bytes with its NUL
 * (a list that does not fit is cut at a comma). Cannot fail. */
#define STORE_FLAGS_MAX 256
#define STORE_INTERIM_MAX (TXN_MAX_INTERIM * 6 + 1)
void store_format_flags(uint32_t flags, char *out, size_t cap);
void store_format_interim(const struct txn *t, char *out, size_t cap);
void store_format_version(uint8_t major, uint8_t minor, char version[8]);

/* Format an address as text (IPv4 dotted, IPv6 RFC 5952). out holds >= 46 bytes. */
void store_format_ip(uint8_t ip_version, const uint8_t ip[16], char out[46]);

/* One capture worker's numbers (table capture_workers). */
struct store_worker {
    int worker;                /* 0..N-1 */
    uint64_t packets, bytes, connections, transactions;
    int64_t kernel_drops, interface_drops; /* its handle's pcap_stats; -1: unknown (NULL) */
};

/* Write (or replace) the capture_workers row of w. Returns 0 or -1 + err. */
int store_capture_worker(struct store *st, int64_t capture_id, const struct store_worker *w,
                         char err[HTTPCAP_ERRBUF]);

#endif
