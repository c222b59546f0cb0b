/*
 * workers.c - `httpcap capture` (pipeline_capture) on one or more worker threads.
 * Owns: the capture handles (one, or a PACKET_FANOUT group from live.c), the worker
 *       threads, each running decode -> flow -> reasm -> http -> rules on its own run into
 *       its own lane of the one writer; what they share (stop, end, --count: atomics);
 *       the numbers they publish for the status line; the capture_workers rows.
 * In:   options from cmd_capture.c; *l->stop, set by its signal handler.
 * Out:  a capture row and its side rows through pipeline.c; one-line errors.
 * Never: takes a lock per packet; lets two threads use one run; reads *l->stop on a
 *        thread other than the caller's (the threads it starts block SIGINT and SIGTERM).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "flow.h"
#include "live.h"
#include "pipeline.h"
#include "pipeline_private.h"
#include "privdrop.h"
#include "store.h"
#include "writer.h"

_Static_assert(PIPELINE_MAX_WORKERS <= LIVE_MAX_GROUP, "a handle per worker");
_Static_assert(PIPELINE_MAX_WORKERS <= WRITER_MAX_LANES, "a writer lane per worker");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "ids and counters are lock-free");

#define RELAXED memory_order_relaxed
#define MAX_BATCH 100000           /* packets per live_dispatch while --count runs */
#define WATCH_MS 100               /* how often the calling thread looks at *l->stop */

/* What the workers and the calling thread share: read-only or atomic. */
struct shared {
    const struct pipeline_live *l;
    atomic_int stop;               /* *l->stop as the calling thread last saw it: 1 read
                                      what is already captured, then flush; 2 end at once */
    atomic_int end;                /* the duration or --count was reached, or a worker
                                      failed: stop reading, then flush */
    _Atomic uint64_t claimed;      /* packets taken toward --count, all workers */
    atomic_int running;            /* workers whose thread has not finished */
};

/* One worker: its thread, handle and run (its thread's alone until joined), and the
 * numbers it publishes for the status line. */
struct worker {
    struct shared *sh;
    struct run *r;
    struct live *lv;
    int index;                     /* 0..N-1 */
    pthread_t thread;
    int started;                   /* the thread was created (and must be joined) */
    int loop_rc;                   /* 0, or -1 with loop_err: the capture failed */
    char loop_err[HTTPCAP_ERRBUF];
    _Atomic uint64_t packets, transactions, open, kernel_drops;
};

void pipeline_live_defaults(struct pipeline_live *l)
{
    memset(l, 0, sizeof *l);
    live_defaults(&l->live);
    l->workers = 1;
    l->commit_interval_ms = 1000;
}

static double monotonic_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int64_t wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- a worker's thread ---- */

/* --count over all workers: 1 when the packet is within it, else 0 and the capture ends.
 * An atomic increment per packet, only when --count is given. */
static int claim(struct worker *w)
{
    uint64_t n = atomic_fetch_add_explicit(&w->sh->claimed, 1, RELAXED);
    if (n < w->sh->l->count)
        return 1;
    atomic_store_explicit(&w->sh->end, 1, RELAXED);
    return 0;
}

static void on_live_packet(void *ctx, const struct source_packet *pkt)
{
    struct worker *w = ctx;
    if (w->sh->l->count && !claim(w))
        return;
    run_feed(w->r, pkt);
}

/* The most packets one read may deliver: what is left of --count (0: no limit). */
static int batch_max(const struct worker *w)
{
    uint64_t count = w->sh->l->count;
    if (!count)
        return 0;
    uint64_t taken = atomic_load_explicit(&w->sh->claimed, RELAXED);
    uint64_t left = taken < count ? count - taken : 1;
    return left < MAX_BATCH ? (int)left : MAX_BATCH;
}

/* Publish the worker's numbers for the status line; its drops too (a system call) when
 * with_drops. */
static void publish(struct worker *w, int with_drops)
{
    struct flow_stats fs;
    flow_get_stats(w->r->flows, &fs);
    atomic_store_explicit(&w->packets, w->r->cap.packets, RELAXED);
    atomic_store_explicit(&w->transactions, w->r->cap.transactions, RELAXED);
    atomic_store_explicit(&w->open, fs.active, RELAXED);
    if (with_drops) {
        struct source_stats st;
        live_stats(w->lv, &st);
        atomic_store_explicit(&w->kernel_drops, st.kernel_drops, RELAXED);
    }
}

static int should_stop(const struct worker *w)
{
    return atomic_load_explicit(&w->sh->stop, RELAXED) ||
           atomic_load_explicit(&w->sh->end, RELAXED) || run_halted(w->r);
}

/* Read the handle until told to stop, committing at the interval; 0 or -1 + loop_err. */
static int worker_loop(struct worker *w)
{
    struct run *r = w->r;
    double commit = monotonic_s(), shown = commit;
    double interval_s = w->sh->l->commit_interval_ms / 1000.0;
    while (!should_stop(w)) {
        if (live_dispatch(w->lv, batch_max(w), on_live_packet, w, w->loop_err) < 0)
            return -1;
        flow_expire_idle(r->flows, wall_ns());
        double now = monotonic_s();
        if (now - commit >= interval_s) {
            if (!r->failed && r->writer && writer_commit(r->lane, r->err) != 0)
                r->failed = 1;
            commit = now;
        }
        int with_drops = now - shown >= 0.5;
        publish(w, with_drops);
        if (with_drops)
            shown = now;
    }
    return 0;
}

/* After a stop signal: what the kernel had already captured still counts (a block of the
 * ring is handed over up to one read timeout late), so read until a read comes back empty,
 * a bounded number of times in case traffic goes on. */
static int drain(struct worker *w)
{
    for (int i = 0; i < 64 && !w->r->failed; i++) {
        int n = live_dispatch(w->lv, 0, on_live_packet, w, w->loop_err);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
    }
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    char name[16];
    snprintf(name, sizeof name, "httpcap w%d", w->index); /* for top -H, ps -L */
    pthread_setname_np(pthread_self(), name);
    w->loop_rc = worker_loop(w);
    if (w->loop_rc == 0 && atomic_load(&sh->stop) == 1)
        w->loop_rc = drain(w);
    if (w->loop_rc != 0 || run_halted(w->r))
        atomic_store(&sh->end, 1); /* the others stop too */
    run_end_flows(w->r, atomic_load(&sh->stop) < 2);
    publish(w, 0);
    atomic_fetch_sub_explicit(&sh->running, 1, memory_order_release);
    return NULL;
}

/* ---- the calling thread ---- */

/* The status line's clocks. */
struct watch_clock {
    double start, shown;
    uint64_t shown_packets;
};

static void report_progress(struct worker *w, int n, const struct pipeline_live *l,
                            struct watch_clock *c, double now)
{
    struct pipeline_worker_progress per[PIPELINE_MAX_WORKERS];
    struct pipeline_progress p = {.elapsed_s = now - c->start, .n_workers = n, .workers = per};
    for (int i = 0; i < n; i++) {
        per[i].packets = atomic_load_explicit(&w[i].packets, RELAXED);
        per[i].transactions = atomic_load_explicit(&w[i].transactions, RELAXED);
        per[i].kernel_drops = atomic_load_explicit(&w[i].kernel_drops, RELAXED);
        p.packets += per[i].packets;
        p.transactions += per[i].transactions;
        p.kernel_drops += per[i].kernel_drops;
        p.open_connections += atomic_load_explicit(&w[i].open, RELAXED);
    }
    p.packets_per_s = (double)(p.packets - c->shown_packets) / (now - c->shown);
    l->progress(l->progress_ctx, &p);
    c->shown = now;
    c->shown_packets = p.packets;
}

/* Sleep up to WATCH_MS, less when the duration ends sooner; a signal ends it early. */
static void nap(const struct pipeline_live *l, double elapsed)
{
    int ms = WATCH_MS;
    if (l->duration_s > 0 && (l->duration_s - elapsed) * 1000.0 < ms)
        ms = (int)((l->duration_s - elapsed) * 1000.0) + 1;
    if (ms > 0)
        poll(NULL, 0, ms);
}

/* Until every worker is done: pass *l->stop on, end the capture at its duration, show the
 * status line once a second. */
static void watch(struct worker *w, int n, struct shared *sh)
{
    const struct pipeline_live *l = sh->l;
    struct watch_clock c = {.start = monotonic_s()};
    c.shown = c.start;
    while (atomic_load_explicit(&sh->running, memory_order_acquire) > 0) {
        int stop = *l->stop;
        if (stop > atomic_load(&sh->stop))
            atomic_store(&sh->stop, stop);
        double now = monotonic_s();
        if (l->duration_s > 0 && now - c.start >= l->duration_s)
            atomic_store(&sh->end, 1);
        if (l->progress && now - c.shown >= 1.0)
            report_progress(w, n, l, &c, now);
        nap(l, now - c.start);
    }
}

/* Block SIGINT and SIGTERM (old: the mask to restore), so that threads started now leave
 * them to the calling thread. */
static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Start every worker's thread; -1 + err when one cannot be (those started are told to end). */
static int start_threads(struct worker *w, int n, struct shared *sh, char err[HTTPCAP_ERRBUF])
{
    atomic_store(&sh->running, n);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
            atomic_fetch_sub(&sh->running, n - i);
            atomic_store(&sh->end, 1);
            snprintf(err, HTTPCAP_ERRBUF, "cannot start worker thread %d: %s", i,
                     strerror(errno));
            return -1;
        }
        w[i].started = 1;
    }
    return 0;
}

/* Each worker's run: its own connection table, a lane of the writer, the shared ids (and
 * for a single worker, the --jsonl stream). 0, or -1 + err. */
static int make_runs(struct run *tot, struct worker *w, int n, struct shared *sh,
                     char err[HTTPCAP_ERRBUF])
{
    for (int i = 0; i < n; i++) {
        w[i].sh = sh;
        w[i].index = i;
        w[i].r = calloc(1, sizeof *w[i].r);
        if (!w[i].r) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            return -1;
        }
        run_setup(w[i].r, tot->opt);
        if (run_make_flows(w[i].r, 0, err) != 0)
            return -1;
        w[i].r->ids = tot->ids;
        w[i].r->writer = tot->writer;
        w[i].r->lane = tot->writer ? writer_lane(tot->writer, i) : NULL;
        w[i].r->capture_id = tot->capture_id;
        w[i].r->jsonl = n == 1 ? tot->jsonl : NULL; /* closed through tot */
    }
    return 0;
}

/* The writer, the runs and the threads (the writer's and the workers' without SIGINT and
 * SIGTERM); 0, or -1 + err. */
static int start_workers(struct run *tot, struct worker *w, int n, struct shared *sh,
                         char err[HTTPCAP_ERRBUF])
{
    sigset_t old;
    block_signals(&old);
    int rc = run_start_writer(tot, n, err);
    if (rc == 0)
        rc = make_runs(tot, w, n, sh, err);
    if (rc == 0)
        rc = start_threads(w, n, sh, err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Open the interface: one handle, or a PACKET_FANOUT group of one per worker. */
static int open_handles(const struct pipeline_live *l, struct worker *w,
                        char err[HTTPCAP_ERRBUF])
{
    struct live *lv[PIPELINE_MAX_WORKERS];
    if (l->workers == 1) {
        w[0].lv = live_open(&l->live, err);
        return w[0].lv ? 0 : -1;
    }
    if (live_open_group(&l->live, l->workers, lv, err) != 0)
        return -1;
    for (int i = 0; i < l->workers; i++)
        w[i].lv = lv[i];
    return 0;
}

/* Become l->user, handing it the files it must go on writing. */
static int drop_privileges(const struct pipeline_options *o, const struct pipeline_live *l,
                           char err[HTTPCAP_ERRBUF])
{
    char wal[4096], shm[4096];
    const char *paths[5] = {l->live.write_pcap, NULL};
    if (o->db_path) {
        snprintf(wal, sizeof wal, "%s-wal", o->db_path);
        snprintf(shm, sizeof shm, "%s-shm", o->db_path);
        const char *with_db[5] = {o->db_path, wal, shm, l->live.write_pcap, NULL};
        memcpy(paths, with_db, sizeof paths);
    }
    return privdrop_to(l->user, paths, err);
}

/* With the interface open: the database, the stream and the capture row (committed), then
 * privileges dropped when asked. 0, or -1 + err (capture_id then -1: no summary). */
static int open_capture(struct run *tot, const struct pipeline_live *l, int linktype,
                        char err[HTTPCAP_ERRBUF])
{
    if (run_open_store(tot, err) != 0 || run_open_stream(tot, 1, err) != 0)
        return -1;
    tot->cap.source = l->live.iface;
    tot->cap.filter = l->live.filter;
    tot->cap.sensor = tot->opt->sensor;
    tot->cap.link_type = linktype;
    tot->cap.link_type_name = decode_link_name(linktype);
    tot->cap.kernel_drops = tot->cap.interface_drops = 0;
    tot->capture_id = run_begin_capture(tot, err);
    char why[HTTPCAP_ERRBUF];
    if (tot->capture_id >= 0 && tot->store && store_commit(tot->store, why) != 0)
        tot->capture_id = run_db_err(tot, err, why);
    if (tot->capture_id < 0 ||
        (l->user && drop_privileges(tot->opt, l, err) != 0)) {
        tot->capture_id = -1;
        return -1;
    }
    return 0;
}

/* Every worker's numbers into tot and its capture_workers row; the pcap statistics of its
 * handle. Returns the first capture error, or NULL. */
static const char *add_workers(struct run *tot, struct worker *w, int n,
                               struct store_worker *rows)
{
    const char *loop_err = NULL;
    for (int i = 0; i < n; i++) {
        const struct run *r = w[i].r;
        struct source_stats st;
        live_stats(w[i].lv, &st);
        rows[i] = (struct store_worker){i, r->cap.packets, r->cap.bytes, r->fs.opened,
                                        r->cap.transactions, (int64_t)st.kernel_drops,
                                        (int64_t)st.if_drops};
        tot->cap.kernel_drops += (int64_t)st.kernel_drops;
        /* every handle reads the same interface counter */
        if ((int64_t)st.if_drops > tot->cap.interface_drops)
            tot->cap.interface_drops = (int64_t)st.if_drops;
        run_add(tot, r);
        if (w[i].loop_rc != 0 && !loop_err)
            loop_err = w[i].loop_err;
    }
    return loop_err;
}

/* The workers have ended: the capture row and its side rows. 0, or -1 + err. */
static int end_capture(struct run *tot, struct worker *w, int n, char err[HTTPCAP_ERRBUF])
{
    struct store_worker rows[PIPELINE_MAX_WORKERS];
    const char *loop_err = add_workers(tot, w, n, rows);
    if (loop_err)
        tot->cap.error = loop_err;
    else
        run_note_stream_stop(tot);
    int rc = run_finish(tot, rows, n, err);
    if (rc == 0 && loop_err) {
        snprintf(err, HTTPCAP_ERRBUF, "%s", loop_err);
        rc = -1;
    }
    return rc;
}

static void join_workers(struct worker *w, int n)
{
    for (int i = 0; i < n; i++)
        if (w[i].started)
            pthread_join(w[i].thread, NULL);
}

static void free_workers(struct worker *w, int n)
{
    for (int i = 0; i < n && w; i++) {
        live_close(w[i].lv);
        if (w[i].r)
            flow_destroy(w[i].r->flows);
        free(w[i].r);
    }
    free(w);
}

/* Workers, stream and dump file the options allow together; 0 or -1 + err. */
static int check_workers(const struct pipeline_options *o, const struct pipeline_live *l,
                         char err[HTTPCAP_ERRBUF])
{
    if (l->workers < 1 || l->workers > PIPELINE_MAX_WORKERS) {
        snprintf(err, HTTPCAP_ERRBUF, "--workers takes 1 to %d", PIPELINE_MAX_WORKERS);
        return -1;
    }
    if (l->workers > 1 && (o->jsonl_path || l->live.write_pcap)) {
        snprintf(err, HTTPCAP_ERRBUF, "%s needs --workers 1",
                 o->jsonl_path ? "--jsonl" : "--write-pcap");
        return -1;
    }
    return 0;
}

int pipeline_capture(const struct pipeline_options *o, const struct pipeline_live *l,
                     struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    if (check_workers(o, l, err) != 0)
        return -1;
    int n = l->workers;
    struct run *tot = calloc(1, sizeof *tot);
    struct worker *w = calloc((size_t)n, sizeof *w);
    struct shared sh = {.l = l};
    atomic_init(&sh.stop, *l->stop);
    atomic_init(&sh.end, 0);
    atomic_init(&sh.claimed, 0);
    atomic_init(&sh.running, 0);
    if (!tot || !w) {
        free(tot);
        free(w);
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    run_setup(tot, o);
    tot->capture_id = -1;
    double start = monotonic_s();
    int rc = -1;
    if (open_handles(l, w, err) == 0 && open_capture(tot, l, live_linktype(w[0].lv), err) == 0) {
        int started = start_workers(tot, w, n, &sh, err) == 0;
        watch(w, n, &sh);
        join_workers(w, n);
        if (started) {
            rc = end_capture(tot, w, n, err);
            run_summarize(tot, sum);
        }
    }
    sum->seconds = monotonic_s() - start;
    free_workers(w, n);
    return run_close(tot, rc, err);
}
