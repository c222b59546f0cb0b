/*
 * jsonl.h - the --jsonl stream: one JSON object per finished transaction, one per line.
 * Owns: the output file descriptor and its write buffer, the first write error.
 * In:   a finished txn, its violations, and what v_transactions joins in (ids, endpoints).
 * Out:  a line whose keys, values and types are those of the v_transactions row of the
 *       same transaction, plus "violation_list": its rows in `violations`.
 * Never: reads or writes the database; grows past its fixed buffer.
 */
#ifndef HTTPCAP_JSONL_H
#define HTTPCAP_JSONL_H

#include <stdint.h>

#include "errbuf.h"
#include "txn.h"

/* Bytes buffered before a write(2) when lines are not written one by one. */
#define JSONL_BUFFER_BYTES (256 * 1024)

struct jsonl;

/* What v_transactions takes from elsewhere than the transaction itself. */
struct jsonl_row {
    uint64_t id;                  /* transactions.id */
    int64_t capture_id;
    uint8_t has_endpoints;        /* 0: client_ip .. server_port are null (no connection) */
    uint8_t ip_version;           /* 4 or 6 */
    uint8_t ip[2][16];            /* [0] client, [1] server; network order */
    uint16_t port[2];
};

/*
 * Open the stream on path ("-" is standard output), refusing a planted symbolic link as
 * the database does (outpath.h). Lines are written in blocks of JSONL_BUFFER_BYTES,
 * except to a terminal, a pipe or a socket, or when is_live: then each line is written
 * as soon as it is complete. On a pipe or socket SIGPIPE is ignored, so a reader that
 * goes away shows up as jsonl_put returning 1. NULL + err ("PATH: why") on failure.
 */
struct jsonl *jsonl_open(const char *path, int is_live, char err[HTTPCAP_ERRBUF]);

/*
 * Write one line for t (its strings are read during the call only). Returns 0; 1 when
 * the reader has gone (EPIPE: stop quietly); -1 + err ("PATH: write failed: why") on
 * another write error. After a non-zero return every later call returns the same at
 * once without writing.
 */
int jsonl_put(struct jsonl *j, const struct jsonl_row *row, const struct txn *t,
              const struct txn_violations *v, char err[HTTPCAP_ERRBUF]);

/* Write what is buffered and close (standard output is flushed, not closed); frees j.
 * Returns as jsonl_put does, for the final write or an earlier failure. NULL: 0. */
int jsonl_close(struct jsonl *j, char err[HTTPCAP_ERRBUF]);

/* The text of v_transactions.time for a time in ns (SQLite's strftime('%Y-%m-%dT%H:%M:%fZ',
 * ns / 1e9, 'unixepoch'), computed the same way): 0 and out, or -1 where SQLite gives
 * NULL (outside years 0000-9999). Exposed for the unit test. */
int jsonl_format_time(int64_t ns, char out[32]);

/* A double as the shortest text that reads back as the same double, with ".0" added when
 * it would read as an integer (so JSON keeps it a float). Exposed for the unit test. */
void jsonl_format_double(double d, char out[40]);

#endif
