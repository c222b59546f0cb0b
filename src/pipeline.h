/*
 * pipeline.h - wires the stages for `httpcap read`: source -> decode -> flow -> reasm
 * -> http -> rules -> store.
 * Owns: the run's options and counters, the glue callbacks between stages.
 * In:   options built by main.c.
 * Out:  a database, a summary, one-line errors.
 * Never: parses the command line or calls exit().
 */
#ifndef HTTPCAP_PIPELINE_H
#define HTTPCAP_PIPELINE_H

#include <stdint.h>

#include "errbuf.h"

struct pipeline_options {
    const char *db_path;          /* SQLite database to create or append to */
    const char *filter;           /* BPF filter or NULL */
    int store_headers;            /* keep every header line in `headers` */
    int quiet;                    /* no summary on stderr */
    uint32_t max_connections;     /* connection table cap */
    int64_t idle_timeout_ns;      /* idle connections close after this (capture time) */
    uint32_t reasm_cap_bytes;     /* out-of-order bytes per direction */
    uint32_t max_pending;         /* pipelined requests awaiting responses per connection */
    uint32_t max_header_bytes;    /* header bytes kept per transaction for store_headers */
};

struct pipeline_summary {
    int64_t capture_id;
    uint64_t packets, bytes, connections, transactions;
    int truncated;                /* an input ended inside a packet */
};

/* Defaults for every option (db "httpcap.db"). Cannot fail. */
void pipeline_defaults(struct pipeline_options *o);

/*
 * Read the capture files in order into the database as one capture row. Returns 0
 * on success, -1 with err filled ("FILE: offset N: what happened") on an input or
 * database error; whatever was read before the error is stored and committed.
 */
int pipeline_read(const struct pipeline_options *o, const char *const *files, int n_files,
                  struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF]);

#endif
