/*
 * shards.c - `httpcap read` on several threads: each thread (a share) reads every input
 * file and decodes every packet, but keeps only the connections whose tuple falls in its
 * share (flow_share: both directions in one share); one writer thread stores the rows
 * of all.
 * Owns: how many threads a read uses, the share threads (a step behind the writer in
 *       priority: threadprio.h), adding their counters into the capture row (packet
 *       counters from share 0 only: it counts every packet) and the capture_workers rows
 *       (one per share).
 * In:   options and file names from pipeline_read.
 * Out:  a capture row and its side rows through pipeline.c; one-line errors.
 * Never: lets two threads use one run; reads standard input or a pipe twice.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "flow.h"
#include "pipeline.h"
#include "pipeline_private.h"
#include "source.h"
#include "store.h"
#include "threadprio.h"
#include "writer.h"

_Static_assert(PIPELINE_MAX_WORKERS <= WRITER_MAX_LANES, "a writer lane per share");

/* Below this much input a second thread costs more than it saves. */
#define AUTO_MIN_BYTES (64ull << 20)
/* Most threads chosen without --threads: every share decodes every packet, and one
 * writer stores the rows of all. */
#define AUTO_MAX_SHARDS 4

/* One share: its run and thread. */
struct shard {
    struct run *r;
    const char *const *files;
    int n_files;
    pthread_t thread;
    int started;
    int read_rc;                   /* run_read_files: 0, or -1 with read_err */
    char read_err[HTTPCAP_ERRBUF];
};

/* The bytes of the input files (each one's size in sizes[i] when sizes is not NULL), or
 * -1 when one is not a regular file (standard input, a pipe, a device): those can be read
 * only once. */
static long long input_bytes(const char *const *files, int n_files, uint64_t *sizes)
{
    long long total = 0;
    for (int i = 0; i < n_files; i++) {
        struct stat st;
        if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
            return -1;
        total += (long long)st.st_size;
        if (sizes) /* an empty file would read as "no limit": 1 byte reads as its end */
            sizes[i] = st.st_size > 0 ? (uint64_t)st.st_size : 1;
    }
    return total;
}

/* The CPUs this process may run on. */
static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    return 1;
}

int shards_count(const struct pipeline_options *o, const char *const *files, int n_files,
                 char err[HTTPCAP_ERRBUF])
{
    long long bytes = input_bytes(files, n_files, NULL);
    if (o->threads == 1 || (o->threads == 0 && (o->jsonl_path || bytes < 0)))
        return 1;
    if (o->threads > 1 && o->jsonl_path) {
        snprintf(err, HTTPCAP_ERRBUF, "--jsonl needs --threads 1");
        return -1;
    }
    if (o->threads > 1 && bytes < 0) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "--threads %d needs files: standard input or a pipe can be read only once",
                 o->threads);
        return -1;
    }
    if (o->threads > 1)
        return o->threads;
    if ((unsigned long long)bytes < AUTO_MIN_BYTES)
        return 1;
    int cpus = usable_cpus();
    return cpus < AUTO_MAX_SHARDS ? cpus : AUTO_MAX_SHARDS;
}

static void *shard_main(void *arg)
{
    struct shard *s = arg;
    /* the shares and the writer they all feed outnumber the cores: the writer goes first
     * when both want one (this comes before the name, so that a thread seen by its name
     * has stepped back already) */
    (void)threadprio_step_back(THREADPRIO_READER_STEPS);
    char name[16];
    snprintf(name, sizeof name, "httpcap r%u", s->r->shard); /* for top -H, ps -L */
    pthread_setname_np(pthread_self(), name);
    s->read_rc = run_read_files(s->r, NULL, s->files, s->n_files, s->read_err);
    run_end_flows(s->r, 1);
    return NULL;
}

/* Share i's run: its own connection table (a share of the connection limit), a lane of
 * the writer, the shared ids. opt: the options it reads with. 0, or -1 + err. */
static int make_shard(struct run *tot, struct shard *s, int i, int n, uint64_t hash_key,
                      const struct pipeline_options *opt, char err[HTTPCAP_ERRBUF])
{
    s->r = calloc(1, sizeof *s->r);
    if (!s->r) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    run_setup(s->r, opt);
    if (run_make_flows(s->r, hash_key, err) != 0)
        return -1;
    s->r->cap.link_type = -1; /* the first file's, once opened */
    s->r->shard = (uint32_t)i;
    s->r->n_shards = (uint32_t)n;
    s->r->ids = tot->ids;
    s->r->txn_base = tot->txn_base;
    s->r->file_limits = tot->file_limits;
    s->r->writer = tot->writer;
    s->r->lane = tot->writer ? writer_lane(tot->writer, i) : NULL;
    s->r->capture_id = tot->capture_id;
    return 0;
}

static int start_shards(struct shard *s, int n, char err[HTTPCAP_ERRBUF])
{
    for (int i = 0; i < n; i++) {
        if (pthread_create(&s[i].thread, NULL, shard_main, &s[i]) != 0) {
            snprintf(err, HTTPCAP_ERRBUF, "cannot start reading thread %d: %s", i,
                     strerror(errno));
            return -1;
        }
        s[i].started = 1;
    }
    return 0;
}

/* Every share's counters into tot and its capture_workers row. Packet counters come from
 * share 0, which counts every packet; the others count their connections' work only. */
static void add_shards(struct run *tot, struct shard *s, int n, struct store_worker *rows)
{
    for (int i = 0; i < n; i++) {
        struct run *r = s[i].r;
        rows[i] = (struct store_worker){i, r->share_packets, r->share_bytes, r->fs.opened,
                                        r->cap.transactions, -1, -1};
        if (i > 0) {
            r->cap.packets = r->cap.bytes = r->cap.clamped_timestamps = 0;
            memset(r->skips, 0, sizeof r->skips);
        }
        run_add(tot, r);
    }
    tot->cap.link_type = s[0].r->cap.link_type;
    tot->cap.link_type_name = s[0].r->cap.link_type_name;
    tot->cap.truncated = s[0].r->cap.truncated;
}

static void free_shards(struct shard *s, int n)
{
    for (int i = 0; i < n && s; i++) {
        if (s[i].r)
            flow_destroy(s[i].r->flows);
        free(s[i].r);
    }
    free(s);
}

/* The shares' threads, from the writer's start to their end: the capture row, the
 * summary. 0, or -1 + err. */
static int run_shards(struct run *tot, struct shard *s, int n, const char *const *files,
                      int n_files, struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    struct pipeline_options quiet = *tot->opt;
    quiet.read_progress = NULL; /* share 0 tells how far reading got */
    quiet.limits.value[LIMIT_CONNECTIONS] =
        (tot->opt->limits.value[LIMIT_CONNECTIONS] + (uint64_t)n - 1) / (uint64_t)n;
    struct pipeline_options first = quiet;
    first.read_progress = tot->opt->read_progress;
    if (run_start_writer(tot, n, err) != 0)
        return -1;
    if (tot->writer)
        writer_number_txns(tot->writer, &tot->ids->txn);
    uint64_t hash_key = flow_random_key(); /* one for all: they agree on the shares */
    for (int i = 0; i < n; i++) {
        s[i].files = files;
        s[i].n_files = n_files;
        if (make_shard(tot, &s[i], i, n, hash_key, i == 0 ? &first : &quiet, err) != 0)
            return -1;
    }
    int rc = start_shards(s, n, err);
    for (int i = 0; i < n; i++)
        if (s[i].started)
            pthread_join(s[i].thread, NULL);
    if (rc != 0)
        return -1;
    struct store_worker rows[PIPELINE_MAX_WORKERS];
    add_shards(tot, s, n, rows);
    /* the threads read the same bytes, so an input error is normally everyone's; a read
     * error on one thread alone still marks the capture */
    int failed = 0;
    while (failed < n - 1 && s[failed].read_rc == 0)
        failed++;
    if (s[failed].read_rc != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s", s[failed].read_err);
        tot->cap.truncated = 1;
    }
    rc = run_end_read(tot, s[failed].read_rc, rows, n, err);
    run_summarize(tot, sum);
    return rc;
}

int shards_read(const struct pipeline_options *o, const char *const *files, int n_files,
                int n_shards, struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    if (n_shards < 2 || n_shards > PIPELINE_MAX_WORKERS) {
        snprintf(err, HTTPCAP_ERRBUF, "--threads takes 1 to %d", PIPELINE_MAX_WORKERS);
        return -1;
    }
    struct run *tot = calloc(1, sizeof *tot);
    struct shard *s = calloc((size_t)n_shards, sizeof *s);
    uint64_t *sizes = calloc((size_t)n_files, sizeof *sizes);
    char sources[4096];
    if (!tot || !s || !sizes) {
        free(tot);
        free(s);
        free(sizes);
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    run_setup(tot, o);
    /* every thread reads the files as they are now, even if one grows meanwhile
     * (tcpdump -w still writing it): the same packets for all */
    if (input_bytes(files, n_files, sizes) < 0) {
        snprintf(err, HTTPCAP_ERRBUF, "--threads needs files: standard input or a pipe can "
                                      "be read only once");
        free(sizes);
        free(s);
        return run_close(tot, -1, err);
    }
    tot->file_limits = sizes;
    int rc = -1;
    /* the first file is opened here too, so that a bad one is refused before the database
     * is touched, as with one thread */
    struct source *probe = run_open_input(files[0], o->filter, err);
    if (probe && run_open_store(tot, err) == 0 &&
        run_begin_read(tot, files, n_files, sources, sizeof sources, err) == 0) {
        source_close(probe);
        probe = NULL;
        rc = run_shards(tot, s, n_shards, files, n_files, sum, err);
    }
    source_close(probe);
    free_shards(s, n_shards);
    rc = run_close(tot, rc, err);
    free(sizes);
    return rc;
}
