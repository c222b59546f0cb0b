/*
 * pipeline.c - wires source -> decode -> flow -> reasm -> http -> rules -> store for
 * `httpcap read` (files), and the same stages for each worker of `httpcap capture`
 * (workers.c runs them on its threads, through pipeline_private.h); the only file that
 * includes every stage's header.
 * Owns: a run's counters, the per-connection glue (flow_conn.app = http session),
 *       the first store error (reading stops at it), the end of a run (its rows).
 * In:   options and file names from main.c; packets from workers.c.
 * Out:  rows through writer.c and store.c; JSON lines through jsonl.c (--jsonl); a
 *       summary; one-line errors.
 * Never: looks inside packets or HTTP itself; shares a run between threads.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow.h"
#include "http.h"
#include "jsonl.h"
#include "pipeline_private.h"
#include "rules.h"
#include "source.h"
#include "store.h"
#include "writer.h"

int pipeline_no_db(struct pipeline_options *o, int has_output, int no_db,
                   char err[HTTPCAP_ERRBUF])
{
    if (!no_db)
        return 0;
    if (has_output) {
        snprintf(err, HTTPCAP_ERRBUF, "--no-db and -o exclude each other");
        return -1;
    }
    if (!o->jsonl_path) {
        snprintf(err, HTTPCAP_ERRBUF, "--no-db needs --jsonl FILE (else nothing is written)");
        return -1;
    }
    o->db_path = NULL;
    return 0;
}

int run_halted(const struct run *r)
{
    return r->failed || r->jsonl_state != 0;
}

void pipeline_defaults(struct pipeline_options *o)
{
    memset(o, 0, sizeof *o);
    o->db_path = "httpcap.db";
    o->idle_timeout_ns = 300LL * 1000000000;
    limits_defaults(&o->limits);
}

/* Without a SYN or a request, guess the server as the side on the well-known port. */
static int guess_client(const struct flow_conn *c)
{
    if (c->port[0] < c->port[1] && c->port[0] < 49152)
        return 1;
    return 0;
}

/* The client side as on_close will store it in the connection row. */
static int client_of(const struct flow_conn *c)
{
    int client = c->client;
    if (client < 0 && c->app)
        client = http_client_side(c->app);
    return client >= 0 ? client : guess_client(c);
}

/* One JSON line for t; the line's endpoints are those its connection row will have. */
static void stream_txn(struct run *r, const struct txn *t, const struct txn_violations *v)
{
    struct jsonl_row row = {.id = t->id, .capture_id = r->capture_id};
    const struct flow_conn *c = r->cur;
    if (c && c->id == t->connection_id) {
        int client = client_of(c);
        row.has_endpoints = 1;
        row.ip_version = c->ip_version;
        for (int i = 0; i < 2; i++) {
            int side = i == 0 ? client : 1 - client;
            memcpy(row.ip[i], c->addr[side], 16);
            row.port[i] = c->port[side];
        }
    }
    int rc = jsonl_put(r->jsonl, &row, t, v, r->jsonl_err);
    if (rc != 0 && r->jsonl_state == 0)
        r->jsonl_state = rc;
}

/* http -> rules -> store (and the --jsonl stream). */
static void on_txn(void *user, struct txn *t)
{
    struct run *r = user;
    if (r->failed)
        return;
    struct txn_violations v;
    rules_check(t, &v);
    r->uri_cuts += (t->flags & TXN_URI_CUT) != 0;
    r->headers_cuts += (t->flags & TXN_HEADERS_CUT) != 0;
    /* several shares: the writer numbers the rows as it stores them (writer_number_txns) */
    t->id = r->n_shards > 1 ? 0
                            : atomic_fetch_add_explicit(&r->ids->txn, 1, memory_order_relaxed) + 1;
    if (r->jsonl && r->jsonl_state == 0)
        stream_txn(r, t, &v);
    if (r->writer && writer_put_txn(r->lane, r->capture_id, t, &v, r->err) != 0) {
        r->failed = 1;
        return;
    }
    r->cap.transactions++;
}

static void on_open(void *user, struct flow_conn *c)
{
    struct run *r = user;
    c->id = atomic_fetch_add_explicit(&r->ids->conn, 1, memory_order_relaxed) + 1;
    c->app = NULL;
}

/* The HTTP session is made at the first payload byte, when the handshake is known. */
static struct http_session *session_of(struct run *r, struct flow_conn *c)
{
    if (!c->app) {
        const uint8_t saw_start[2] = {c->half[0].saw_syn, c->half[1].saw_syn};
        c->app = http_open(&r->http_cfg, &r->http_ev, c->id, c->client, saw_start);
    }
    return c->app;
}

static void on_data(void *user, struct flow_conn *c, int side, const uint8_t *p, size_t n,
                    int64_t ts_ns)
{
    struct run *r = user;
    struct http_session *s = session_of(r, c);
    if (!s)
        return;
    if (c->client >= 0 && http_client_side(s) < 0)
        http_set_client(s, c->client);
    r->cur = c;
    http_data(s, side, p, n, ts_ns);
    r->cur = NULL;
    if (c->client < 0 && http_client_side(s) >= 0)
        flow_set_client(c, http_client_side(s));
}

static void on_warm(void *user, const struct flow_conn *c, int side)
{
    (void)user;
    http_warm(c->app, side);
}

static void on_gap(void *user, struct flow_conn *c, int side, uint64_t bytes, int64_t ts_ns)
{
    struct run *r = user;
    struct http_session *s = session_of(r, c);
    r->cur = c;
    if (s)
        http_gap(s, side, bytes, ts_ns);
    r->cur = NULL;
}

static void fill_conn_row(const struct flow_conn *c, int client, struct store_conn *row)
{
    memset(row, 0, sizeof *row);
    row->id = c->id;
    row->ip_version = c->ip_version;
    row->saw_syn = c->saw_syn;
    row->first_ns = c->first_ns;
    row->last_ns = c->last_ns;
    for (int i = 0; i < 2; i++) {
        int side = i == 0 ? client : 1 - client;
        memcpy(row->ip[i], c->addr[side], 16);
        row->port[i] = c->port[side];
        row->packets[i] = c->packets[side];
        row->bytes[i] = c->bytes[side];
        row->retransmits[i] = c->half[side].stats.retransmits;
        row->out_of_order[i] = c->half[side].stats.out_of_order;
        row->gap_bytes[i] = c->half[side].stats.gap_bytes;
        row->overlap_conflicts += c->half[side].stats.overlap_conflicts;
    }
}

static void on_close(void *user, struct flow_conn *c, enum flow_end why, int64_t ts_ns)
{
    struct run *r = user;
    struct http_session *s = c->app;
    struct store_conn row;
    int client = c->client;
    if (client < 0 && s)
        client = http_client_side(s);
    fill_conn_row(c, client >= 0 ? client : guess_client(c), &row);
    row.roles_known = client >= 0;
    row.protocol = s ? http_protocol_name(http_protocol(s)) : "unknown";
    row.end_reason = flow_end_name(why);
    if (s) {
        struct http_counts counts = {0, 0, 0};
        r->cur = c;
        http_close(s, ts_ns, &counts);
        r->cur = NULL;
        row.transactions = counts.transactions;
        row.truncated = counts.truncated;
        row.truncated_with_status = counts.truncated_with_status;
        c->app = NULL;
    }
    r->cap.gap_bytes += row.gap_bytes[0] + row.gap_bytes[1];
    if (r->failed || !r->writer)
        return;
    if (writer_put_conn(r->lane, r->capture_id, &row, r->err) != 0)
        r->failed = 1;
}

void run_setup(struct run *r, const struct pipeline_options *o)
{
    memset(r, 0, sizeof *r);
    r->opt = o;
    r->ids = &r->own_ids;
    r->n_shards = 1;
    atomic_init(&r->own_ids.conn, 0);
    atomic_init(&r->own_ids.txn, 0);
    const uint64_t *lim = o->limits.value;
    r->http_cfg.store_headers = (uint8_t)o->store_headers;
    r->http_cfg.max_pending = (uint32_t)lim[LIMIT_PENDING];
    r->http_cfg.max_stored_header_bytes = (uint32_t)lim[LIMIT_STORED_HEADER_BYTES];
    r->http_cfg.max_header_section = (uint32_t)lim[LIMIT_HEADER_BYTES];
    r->http_cfg.max_headers = (uint32_t)lim[LIMIT_HEADERS];
    r->http_cfg.max_uri_bytes = (uint32_t)lim[LIMIT_URI_BYTES];
    r->http_cfg.hits = &r->http_hits;
    r->http_ev.txn = on_txn;
    r->http_ev.user = r;
}

int run_make_flows(struct run *r, uint64_t hash_key, char err[HTTPCAP_ERRBUF])
{
    const uint64_t *lim = r->opt->limits.value;
    struct flow_config fc = {(uint32_t)lim[LIMIT_CONNECTIONS], r->opt->idle_timeout_ns,
                             (uint32_t)lim[LIMIT_OOO_BYTES], lim[LIMIT_REASM_BYTES], hash_key};
    struct flow_events fe = {on_open, on_data, on_gap, on_close, r, on_warm};
    r->flows = flow_create(&fc, &fe);
    if (!r->flows) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    return 0;
}

int run_open_store(struct run *r, char err[HTTPCAP_ERRBUF])
{
    if (!r->opt->db_path)
        return 0;
    r->store = r->opt->inputs_rereadable ? store_open_bulk(r->opt->db_path, err)
                                          : store_open(r->opt->db_path, err);
    if (!r->store)
        return -1;
    /* ids go on after the largest used (a spool's capture bases are the next ones) */
    uint64_t conn, txn;
    store_last_ids(r->store, &conn, &txn);
    atomic_store(&r->ids->conn, conn);
    atomic_store(&r->ids->txn, txn);
    return 0;
}

/* After the database, so that a refused database leaves the file alone. */
int run_open_stream(struct run *r, int is_live, char err[HTTPCAP_ERRBUF])
{
    if (!r->opt->jsonl_path)
        return 0;
    r->jsonl = jsonl_open(r->opt->jsonl_path, is_live, err);
    return r->jsonl ? 0 : -1;
}

int run_db_err(const struct run *r, char err[HTTPCAP_ERRBUF], const char *why)
{
    snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", r->opt->db_path, why);
    return -1;
}

/* Without a database, 1 as in a new one. */
int64_t run_begin_capture(struct run *r, char err[HTTPCAP_ERRBUF])
{
    if (!r->store)
        return 1;
    char why[HTTPCAP_ERRBUF];
    int64_t id = store_capture_begin(r->store, &r->cap, why);
    if (id < 0) /* the first write of a run: a read-only or locked file shows here */
        run_db_err(r, err, why);
    return id;
}

void run_note_stream_stop(struct run *r)
{
    if (r->jsonl_state > 0)
        r->cap.error = "reading stopped: the reader of the --jsonl stream went away";
    else if (r->jsonl_state < 0)
        r->cap.error = r->jsonl_err;
}

/* Rows go through the writer thread from here on. */
int run_start_writer(struct run *r, int n_lanes, char err[HTTPCAP_ERRBUF])
{
    char why[HTTPCAP_ERRBUF];
    if (!r->store)
        return 0;
    r->writer = writer_start(r->store, n_lanes, why);
    if (!r->writer)
        return run_db_err(r, err, why);
    r->lane = writer_lane(r->writer, 0);
    return 0;
}

void run_feed(struct run *r, const struct source_packet *pkt)
{
    struct segment seg;
    if (r->cap.packets == 0 || pkt->ts_ns < r->cap.first_packet_ns)
        r->cap.first_packet_ns = pkt->ts_ns;
    if (pkt->ts_ns > r->cap.last_packet_ns || r->cap.packets == 0)
        r->cap.last_packet_ns = pkt->ts_ns;
    r->cap.packets++;
    r->cap.bytes += pkt->wirelen;
    r->cap.clamped_timestamps += pkt->ts_clamped;
    enum decode_reason why =
        decode_packet(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, pkt->ts_ns, &seg);
    r->skips[why]++;
    uint64_t hash = why == DECODE_OK ? flow_hash(r->flows, &seg) : 0;
    if (why == DECODE_OK && flow_share(hash, r->n_shards) != r->shard) {
        flow_expire_idle(r->flows, seg.ts_ns); /* every share keeps the capture's clock */
        return;
    }
    if (why == DECODE_OK || r->shard == 0) {
        r->share_packets++;
        r->share_bytes += pkt->wirelen;
    }
    if (why == DECODE_OK)
        flow_input(r->flows, &seg, hash);
}

/* Tell o->read_progress how far reading got (src: the file being read). */
static void tell_progress(const struct run *r, const struct source *src)
{
    struct source_stats st;
    source_stats(src, &st);
    struct pipeline_read_progress p = {
        .file_bytes = r->done_file_bytes + st.file_bytes,
        .packets = r->cap.packets,
        .transactions = r->n_shards > 1 ? atomic_load(&r->ids->txn) - r->txn_base
                                        : r->cap.transactions,
    };
    r->opt->read_progress(r->opt->read_progress_ctx, &p);
}

/* Read one file to its end; returns 0, or -1 with err for an input error. */
static int read_one(struct run *r, struct source *src, char err[HTTPCAP_ERRBUF])
{
    struct source_packet pkt;
    int rc = 0;
    int has_progress = r->opt->read_progress != NULL;
    while (!run_halted(r) && (rc = source_next(src, &pkt, err)) == 1) {
        run_feed(r, &pkt);
        if (has_progress && (pkt.index & (PIPELINE_READ_PROGRESS_PACKETS - 1)) == 0)
            tell_progress(r, src);
    }
    if (has_progress)
        tell_progress(r, src);
    struct source_stats st;
    source_stats(src, &st);
    r->done_file_bytes += st.file_bytes;
    if (run_halted(r))
        return 0;
    return rc < 0 ? -1 : 0;
}

struct source *run_open_input(const char *path, const char *filter, char err[HTTPCAP_ERRBUF])
{
    struct source *src = source_open_file(path, filter, err);
    if (!src)
        return NULL;
    int lt = source_linktype(src);
    if (!decode_link_supported(lt)) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: link type %d (%s) is not supported", path, lt,
                 decode_link_name(lt));
        source_close(src);
        return NULL;
    }
    return src;
}

static void join_sources(const char *const *files, int n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used + 1 < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", files[i]);
}

/* One capture_limits row per limit: its value and how often it was reached. */
static int write_limits(struct run *r, const struct flow_stats *fs)
{
    struct limits l = r->opt->limits;
    l.hits[LIMIT_CONNECTIONS] = fs->closed[FLOW_END_EVICTED];
    l.hits[LIMIT_HEADER_BYTES] = r->http_hits.header_section;
    l.hits[LIMIT_HEADERS] = r->http_hits.headers;
    l.hits[LIMIT_URI_BYTES] = r->uri_cuts;
    l.hits[LIMIT_PENDING] = r->http_hits.pending;
    l.hits[LIMIT_OOO_BYTES] = fs->ooo_cap_hits;
    l.hits[LIMIT_REASM_BYTES] = fs->reasm_cap_hits;
    l.hits[LIMIT_STORED_HEADER_BYTES] = r->headers_cuts;
    for (int i = 0; i < LIMIT_COUNT; i++)
        if (store_capture_limit(r->store, r->capture_id, limits_name(i), l.value[i],
                                l.hits[i], r->err) != 0)
            return -1;
    return 0;
}

/* The stream is complete once every connection is flushed: write its last block now, so
 * that a failure reaches the capture row and the summary. */
static void end_stream(struct run *r)
{
    int rc = jsonl_close(r->jsonl, r->jsonl_err);
    r->jsonl = NULL;
    if (rc < 0 && r->jsonl_state == 0) {
        r->jsonl_state = rc;
        if (!r->cap.error)
            r->cap.error = r->jsonl_err;
    }
}

static int copy_err(char err[HTTPCAP_ERRBUF], const char *why)
{
    snprintf(err, HTTPCAP_ERRBUF, "%s", why);
    return -1;
}

void run_end_flows(struct run *r, int flush)
{
    if (flush)
        flow_flush_all(r->flows, r->cap.last_packet_ns);
    flow_get_stats(r->flows, &r->fs);
}

/* The earliest first packet and the latest last one of a and b (0 packets: none). */
static void add_times(struct store_capture *a, const struct store_capture *b)
{
    if (b->packets == 0)
        return;
    if (a->packets == 0 || b->first_packet_ns < a->first_packet_ns)
        a->first_packet_ns = b->first_packet_ns;
    if (a->packets == 0 || b->last_packet_ns > a->last_packet_ns)
        a->last_packet_ns = b->last_packet_ns;
}

static void add_flow_stats(struct flow_stats *a, const struct flow_stats *b)
{
    a->opened += b->opened;
    for (int i = 0; i < FLOW_END_COUNT; i++)
        a->closed[i] += b->closed[i];
    a->active += b->active;
    a->peak_active += b->peak_active; /* at most the sum of the workers' peaks */
    a->ignored_segments += b->ignored_segments;
    a->ooo_cap_hits += b->ooo_cap_hits;
    a->reasm_cap_hits += b->reasm_cap_hits;
}

void run_add(struct run *total, const struct run *w)
{
    add_times(&total->cap, &w->cap);
    total->cap.packets += w->cap.packets;
    total->cap.bytes += w->cap.bytes;
    total->cap.clamped_timestamps += w->cap.clamped_timestamps;
    total->cap.transactions += w->cap.transactions;
    total->cap.gap_bytes += w->cap.gap_bytes;
    for (int i = 0; i < DECODE_REASON_COUNT; i++)
        total->skips[i] += w->skips[i];
    total->http_hits.pending += w->http_hits.pending;
    total->http_hits.header_section += w->http_hits.header_section;
    total->http_hits.headers += w->http_hits.headers;
    total->uri_cuts += w->uri_cuts;
    total->headers_cuts += w->headers_cuts;
    add_flow_stats(&total->fs, &w->fs);
    if (w->failed && !total->failed) {
        total->failed = 1;
        memcpy(total->err, w->err, sizeof total->err);
    }
    if (w->jsonl_state != 0 && total->jsonl_state == 0) {
        total->jsonl_state = w->jsonl_state;
        memcpy(total->jsonl_err, w->jsonl_err, sizeof total->jsonl_err);
    }
}

/* The side rows of the capture: skips, limits, workers; 0 or -1 + r->err. */
static int write_side_rows(struct run *r, const struct store_worker *workers, int n_workers)
{
    for (int i = 1; i < DECODE_REASON_COUNT; i++) {
        if (r->skips[i] &&
            store_capture_skip(r->store, r->capture_id, decode_reason_name((enum decode_reason)i),
                               r->skips[i], r->err) != 0)
            return -1;
    }
    if (write_limits(r, &r->fs) != 0)
        return -1;
    for (int i = 0; i < n_workers; i++)
        if (store_capture_worker(r->store, r->capture_id, &workers[i], r->err) != 0)
            return -1;
    return 0;
}

/* Write the skip counters, the limits, the workers and the final capture row; then a
 * failed stream is the error. */
int run_finish(struct run *r, const struct store_worker *workers, int n_workers,
               char err[HTTPCAP_ERRBUF])
{
    if (!r->failed && r->writer && writer_sync(r->writer, r->err) != 0)
        r->failed = 1;
    end_stream(r);
    r->cap.connections = r->fs.opened;
    r->cap.peak_connections = r->fs.peak_active;
    r->cap.ip_fragments = r->skips[DECODE_FRAGMENT];
    r->cap.tcp_segments = r->skips[DECODE_OK];
    r->cap.skipped_packets = r->cap.packets - r->skips[DECODE_OK];
    if (r->failed)
        return run_db_err(r, err, r->err);
    if (!r->store)
        return r->jsonl_state < 0 ? copy_err(err, r->jsonl_err) : 0;
    if (write_side_rows(r, workers, n_workers) != 0 ||
        store_capture_end(r->store, r->capture_id, &r->cap, r->err) != 0)
        return run_db_err(r, err, r->err);
    return r->jsonl_state < 0 ? copy_err(err, r->jsonl_err) : 0;
}

int run_read_files(struct run *r, struct source *first, const char *const *files, int n,
                   char err[HTTPCAP_ERRBUF])
{
    struct source *src = first;
    for (int i = 0; i < n; i++) {
        if (!src)
            src = run_open_input(files[i], r->opt->filter, err);
        if (!src)
            return -1;
        if (r->file_limits)
            source_limit(src, r->file_limits[i]);
        if (r->cap.link_type < 0) {
            r->cap.link_type = source_linktype(src);
            r->cap.link_type_name = decode_link_name(r->cap.link_type);
        }
        int rc = read_one(r, src, err);
        source_close(src);
        src = NULL;
        if (rc != 0) {
            r->cap.truncated = 1;
            return -1;
        }
    }
    return 0;
}

void run_summarize(const struct run *r, struct pipeline_summary *sum)
{
    sum->capture_id = r->capture_id;
    sum->packets = r->cap.packets;
    sum->bytes = r->cap.bytes;
    sum->connections = r->cap.connections;
    sum->transactions = r->cap.transactions;
    sum->truncated = r->cap.truncated;
    sum->store_failed = r->failed || r->jsonl_state < 0;
    sum->kernel_drops = r->cap.kernel_drops;
    sum->interface_drops = r->cap.interface_drops;
}

int run_close(struct run *r, int rc, char err[HTTPCAP_ERRBUF])
{
    if (!r)
        return rc;
    flow_destroy(r->flows);
    char close_err[HTTPCAP_ERRBUF];
    if (jsonl_close(r->jsonl, close_err) < 0 && rc == 0)
        rc = copy_err(err, close_err);
    if (writer_stop(r->writer, close_err) != 0 && rc == 0)
        rc = run_db_err(r, err, close_err);
    if (store_close(r->store, close_err) != 0 && rc == 0)
        rc = run_db_err(r, err, close_err);
    free(r);
    return rc;
}

int run_begin_read(struct run *r, const char *const *files, int n_files, char *sources,
                   size_t cap, char err[HTTPCAP_ERRBUF])
{
    join_sources(files, n_files, sources, cap);
    r->cap.source = sources;
    r->cap.filter = r->opt->filter;
    r->cap.sensor = r->opt->sensor;
    r->cap.link_type = -1;
    r->cap.kernel_drops = r->cap.interface_drops = -1;
    r->capture_id = run_begin_capture(r, err);
    r->txn_base = atomic_load(&r->ids->txn);
    return r->capture_id < 0 ? -1 : 0;
}

int run_end_read(struct run *r, int read_rc, const struct store_worker *rows, int n_rows,
                 char err[HTTPCAP_ERRBUF])
{
    char read_err[HTTPCAP_ERRBUF];
    if (read_rc != 0) {
        snprintf(read_err, sizeof read_err, "%s", err);
        r->cap.error = read_err;
    } else {
        run_note_stream_stop(r);
    }
    int rc = run_finish(r, rows, n_rows, err);
    if (rc == 0 && read_rc != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s", read_err);
        rc = -1;
    }
    r->cap.error = NULL; /* read_err ends here */
    return rc;
}

/* The connection table, the database and the stream of a read. 0 or -1 + err. */
static int open_read(struct run *r, char err[HTTPCAP_ERRBUF])
{
    if (run_make_flows(r, 0, err) != 0 || run_open_store(r, err) != 0)
        return -1;
    return run_open_stream(r, 0, err);
}

int pipeline_read(const struct pipeline_options *o, const char *const *files, int n_files,
                  struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    int n_shards = shards_count(o, files, n_files, err);
    if (n_shards < 0)
        return -1;
    if (n_shards > 1)
        return shards_read(o, files, n_files, n_shards, sum, err);
    struct run *r = calloc(1, sizeof *r);
    char sources[4096];
    if (!r) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    run_setup(r, o);
    struct source *first = run_open_input(files[0], o->filter, err);
    int rc = -1;
    if (!first || open_read(r, err) != 0)
        goto out;
    if (run_begin_read(r, files, n_files, sources, sizeof sources, err) != 0 ||
        run_start_writer(r, 1, err) != 0)
        goto out;
    int read_rc = run_read_files(r, first, files, n_files, err);
    first = NULL;
    run_end_flows(r, 1);
    rc = run_end_read(r, read_rc, NULL, 0, err);
    run_summarize(r, sum);
out:
    source_close(first);
    return run_close(r, rc, err);
}
