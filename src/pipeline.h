/*
 * pipeline.h - wires the stages for `httpcap read` and `httpcap capture`: source (a file,
 * or live.c for an interface) -> decode -> flow -> reasm -> http -> rules -> store; a
 * capture runs them on one or more worker threads (workers.c).
 * Owns: the run's options and counters, the glue callbacks between stages.
 * In:   options built by main.c.
 * Out:  a database, a summary, one-line errors.
 * Never: parses the command line or calls exit().
 */
#ifndef HTTPCAP_PIPELINE_H
#define HTTPCAP_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "errbuf.h"
#include "limits_table.h"
#include "live.h"

/* How often pipeline_read() reports progress: every this many packets (a power of 2). */
#define PIPELINE_READ_PROGRESS_PACKETS 1024

/* What `httpcap read` reports while it reads (for the progress line). */
struct pipeline_read_progress {
    uint64_t file_bytes;          /* input bytes consumed, files already read included */
    uint64_t packets;             /* packets read so far */
    uint64_t transactions;        /* transactions handed to the database so far */
};

struct pipeline_options {
    const char *db_path;          /* SQLite database to create or append to; NULL: none
                                     (--no-db, with a jsonl stream) */
    const char *jsonl_path;       /* --jsonl: stream each transaction as a JSON line to
                                     this file ("-" standard output); NULL: no stream */
    const char *filter;           /* BPF filter or NULL */
    const char *sensor;           /* --sensor: captures.sensor; NULL: the host name */
    int store_headers;            /* keep every header line in `headers` */
    int threads;                  /* read: threads that each keep a share of the
                                     connections (1..PIPELINE_MAX_WORKERS); 0: chosen from
                                     the input's size and the usable CPUs */
    int quiet;                    /* no summary on stderr */
    int64_t idle_timeout_ns;      /* idle connections close after this (capture time) */
    int inputs_rereadable;        /* read: every input is a regular file, which can be read
                                     again: a database the read creates is written without
                                     waiting for the disk (store_open_bulk) */
    struct limits limits;         /* the caps (limits_table.h); their hits are not used here:
                                     the run counts its own into capture_limits */
    /* read: told how far reading got every PIPELINE_READ_PROGRESS_PACKETS packets and at
       the end of each file, from the reading thread; NULL for none */
    void (*read_progress)(void *ctx, const struct pipeline_read_progress *p);
    void *read_progress_ctx;
};

struct pipeline_summary {
    int64_t capture_id;
    uint64_t packets, bytes, connections, transactions;
    int truncated;                /* an input ended inside a packet */
    int store_failed;             /* the database or the --jsonl stream failed: the counts
                                     were not all stored or written */
    int64_t kernel_drops, interface_drops; /* live capture; -1 for files */
    double seconds;               /* live capture: how long it ran */
};

/* Most worker threads of a capture (--workers). */
#define PIPELINE_MAX_WORKERS 64

/* One worker's share, for the status line. */
struct pipeline_worker_progress {
    uint64_t packets, transactions;
    uint64_t kernel_drops;        /* its handle's libpcap counter so far */
};

/* What a live capture reports once a second (for the status line). */
struct pipeline_progress {
    double elapsed_s;             /* since the capture started */
    uint64_t packets, transactions, open_connections; /* all workers together */
    uint64_t kernel_drops;        /* libpcap's counters so far, all handles together */
    double packets_per_s;         /* over the last second */
    int n_workers;                /* 1..PIPELINE_MAX_WORKERS */
    const struct pipeline_worker_progress *workers; /* n_workers of them, valid during
                                                       the call */
};

/* `httpcap capture`: the live source and when to stop. */
struct pipeline_live {
    struct live_options live;     /* interface, snaplen, buffer, promisc, --write-pcap */
    int workers;                  /* 1..PIPELINE_MAX_WORKERS threads, each with its own
                                     handle on the interface (more than 1: a Linux
                                     PACKET_FANOUT group, no write_pcap, no jsonl) */
    double duration_s;            /* stop after this long; 0: no limit */
    uint64_t count;               /* stop after this many packets, counted over all the
                                     workers together; 0: no limit */
    int commit_interval_ms;       /* commit at least this often (rows visible to readers) */
    const char *user;             /* -Z: run as this user once everything is open, or NULL */
    volatile sig_atomic_t *stop;  /* set by main's signal handler: 1 = stop and flush every
                                     connection, 2 = stop at once after the commit */
    void (*progress)(void *ctx, const struct pipeline_progress *p); /* or NULL */
    void *progress_ctx;
};

/* Defaults for every option (db "httpcap.db"). Cannot fail. */
void pipeline_defaults(struct pipeline_options *o);

/* Apply --no-db (no_db set) to o: it needs --jsonl and excludes -o (has_output set).
 * 0, or -1 with err naming the conflict (a usage error). */
int pipeline_no_db(struct pipeline_options *o, int has_output, int no_db,
                   char err[HTTPCAP_ERRBUF]);

/*
 * Read the capture files in order into the database as one capture row. Returns 0
 * on success, -1 with err filled ("FILE: offset N: what happened") on an input or
 * database error; whatever was read before the error is stored and committed.
 */
int pipeline_read(const struct pipeline_options *o, const char *const *files, int n_files,
                  struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF]);

/* Defaults for a live capture (one worker, commit every 1000 ms, no limits). Cannot fail. */
void pipeline_live_defaults(struct pipeline_live *l);

/*
 * Capture from l->live.iface into the database as one capture row until *l->stop is set
 * or the duration or count is reached, committing at least every commit interval; then
 * flush every open connection (not when *l->stop is 2), and write the pcap statistics
 * into the capture row and one capture_workers row per worker. With l->workers > 1 each
 * worker thread reads its share of the interface (a PACKET_FANOUT group: both directions
 * of a connection go to the same worker) through its own connection table, and one writer
 * thread stores the rows of all. *l->stop is read on the calling thread only (signals are
 * blocked on the threads this starts). Returns 0, or -1 with err (the interface cannot be
 * opened or shared, the database cannot be written, the capture failed); rows stored
 * before a failure stay.
 */
int pipeline_capture(const struct pipeline_options *o, const struct pipeline_live *l,
                     struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF]);

#endif
