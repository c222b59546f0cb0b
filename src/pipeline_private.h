/*
 * pipeline_private.h - what pipeline.c (reading files, the glue between stages) shares with
 * workers.c (live capture on one or more worker threads): a run's state and its steps.
 * Owns: the definition of struct run (one per worker) and struct pipeline_ids.
 * Never: appears outside those two files; the rest of the program sees pipeline.h.
 */
#ifndef HTTPCAP_PIPELINE_PRIVATE_H
#define HTTPCAP_PIPELINE_PRIVATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "decode.h"
#include "errbuf.h"
#include "flow.h"
#include "http.h"
#include "pipeline.h"
#include "source.h"
#include "store.h"

/* Connection and transaction ids, shared by every worker of a capture: each is taken with
 * one atomic increment (no lock), so ids stay unique across workers and follow the
 * largest id in the database when it was opened (0 without one). */
struct pipeline_ids {
    _Atomic uint64_t conn;        /* the last connection id handed out */
    _Atomic uint64_t txn;         /* the last transaction id handed out */
};

/*
 * One pipeline: a whole `read`, or one worker of a `capture` (its own connection table and
 * HTTP sessions, used by its thread alone), or the sum of a capture's workers (no flows;
 * it holds the store, the writer and the capture row's numbers).
 */
struct run {
    const struct pipeline_options *opt;
    struct store *store;                /* NULL in a worker's run and with --no-db */
    struct writer *writer;              /* stores rows on its own thread; shared */
    struct writer_lane *lane;           /* this run's way into it */
    struct pipeline_ids *ids;           /* shared by the workers of a capture */
    struct pipeline_ids own_ids;        /* what ids points to unless a capture shares one */
    struct flow_table *flows;           /* NULL in the sum of a capture's workers */
    struct http_config http_cfg;
    struct http_events http_ev;
    int64_t capture_id;
    struct store_capture cap;           /* the capture row's numbers */
    uint64_t skips[DECODE_REASON_COUNT];/* packets by decode result */
    uint64_t done_file_bytes;           /* input bytes of the files read before this one */
    struct http_limit_hits http_hits;   /* limits reached inside the HTTP sessions */
    uint64_t uri_cuts, headers_cuts;    /* transactions stored with uri-cut, headers-cut */
    struct flow_stats fs;               /* the connection table's counters, once it ended */
    int failed;                         /* a store error happened; stop reading */
    char err[HTTPCAP_ERRBUF];           /* the first store error */
    struct jsonl *jsonl;                /* --jsonl stream, or NULL */
    int jsonl_state;                    /* 0; 1 its reader left; -1 failed (jsonl_err) */
    char jsonl_err[HTTPCAP_ERRBUF];
    const struct flow_conn *cur;        /* the connection whose HTTP session is running:
                                           where a txn's endpoints come from */
    uint32_t shard, n_shards;           /* a read on n_shards threads (shards.c): this run
                                           keeps the connections of share `shard`; else 0, 1 */
    uint64_t share_packets, share_bytes;/* packets the run handled: its connections' TCP
                                           segments, and on share 0 every other packet */
    uint64_t txn_base;                  /* ids->txn when reading began (progress) */
    const uint64_t *file_limits;        /* a threaded read: the size of each input file
                                           when it began, where every thread stops even if
                                           the file grows; NULL: to the end */
};

/* Zero r and set its options and HTTP configuration; ids are r's own. Cannot fail. */
void run_setup(struct run *r, const struct pipeline_options *o);

/* Make r's connection table, its tuple hash keyed by hash_key (0: a random key; the
 * shares of one read pass one key). 0, or -1 + err (out of memory). */
int run_make_flows(struct run *r, uint64_t hash_key, char err[HTTPCAP_ERRBUF]);

/* Open the database (none without a db_path) and start r->ids after its largest ids.
 * 0, or -1 + err. */
int run_open_store(struct run *r, char err[HTTPCAP_ERRBUF]);

/* Open the --jsonl stream, if asked for. 0, or -1 + err. */
int run_open_stream(struct run *r, int is_live, char err[HTTPCAP_ERRBUF]);

/* err = "DB: why", for every error of the database (the store's own messages do not name
 * the file). Returns -1. */
int run_db_err(const struct run *r, char err[HTTPCAP_ERRBUF], const char *why);

/* The capture row's id: a new row, or 1 without a database; -1 + err. */
int64_t run_begin_capture(struct run *r, char err[HTTPCAP_ERRBUF]);

/* A read's capture row: its sources (the file names joined into sources, cap bytes, which
 * must outlive r), filter, sensor; no link type yet, no drop counters. 0, or -1 + err. */
int run_begin_read(struct run *r, const char *const *files, int n_files, char *sources,
                   size_t cap, char err[HTTPCAP_ERRBUF]);

/* Start the writer thread with n_lanes lanes (none without a database); r gets lane 0.
 * 0, or -1 + err. */
int run_start_writer(struct run *r, int n_lanes, char err[HTTPCAP_ERRBUF]);

/* Open one input file and check its link type. The source, or NULL + err. */
struct source *run_open_input(const char *path, const char *filter, char err[HTTPCAP_ERRBUF]);

/* Read the files in order (first: files[0] already open, or NULL), each packet through
 * run_feed; r->cap's link type is the first file's. 0, or -1 + err (an input error; the
 * capture row is then marked truncated). */
int run_read_files(struct run *r, struct source *first, const char *const *files, int n,
                   char err[HTTPCAP_ERRBUF]);

/* One packet through decode and flow. Cannot fail. */
void run_feed(struct run *r, const struct source_packet *pkt);

/* Whether reading should stop: the database or the stream cannot go on. */
int run_halted(const struct run *r);

/* Why reading stopped early because of the stream, for the capture row. */
void run_note_stream_stop(struct run *r);

/* The end of r's reading: flush every connection (when flush) at the last packet's time,
 * then keep the table's counters in r->fs. Cannot fail. */
void run_end_flows(struct run *r, int flush);

/* Add a worker's counters, first error and stream state into total (whose flows are
 * NULL). Cannot fail. */
void run_add(struct run *total, const struct run *worker);

/* Wait for the writer, close the stream, then write the skip counters, the limits, the
 * n_workers capture_workers rows and the final capture row. 0, or -1 + err. */
int run_finish(struct run *r, const struct store_worker *workers, int n_workers,
               char err[HTTPCAP_ERRBUF]);

/* The end of a read whose flows have ended: run_finish with the capture row marked by the
 * input error in err when read_rc != 0 (which is then returned in err). 0, or -1 + err. */
int run_end_read(struct run *r, int read_rc, const struct store_worker *rows, int n_rows,
                 char err[HTTPCAP_ERRBUF]);

/* The summary of r. Cannot fail. */
void run_summarize(const struct run *r, struct pipeline_summary *sum);

/* Free r (its flows, stream, writer and database); returns rc, or -1 + err when closing
 * fails. NULL returns rc. */
int run_close(struct run *r, int rc, char err[HTTPCAP_ERRBUF]);

/* shards.c: how many threads `read` uses for these options and files (1: the single
 * thread of pipeline.c). -1 + err when o->threads asks for more than one and the input
 * cannot be read more than once (standard input, a pipe) or --jsonl is on. */
int shards_count(const struct pipeline_options *o, const char *const *files, int n_files,
                 char err[HTTPCAP_ERRBUF]);

/* shards.c: pipeline_read on n_shards threads, each reading every file and keeping the
 * connections of its share; one writer. Same contract as pipeline_read. */
int shards_read(const struct pipeline_options *o, const char *const *files, int n_files,
                int n_shards, struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF]);

#endif
