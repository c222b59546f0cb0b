/*
 * pipeline.c - wires source -> decode -> flow -> reasm -> http -> rules -> store for
 * `httpcap read` (files) and `httpcap capture` (an interface through live.c); the only
 * file that includes every stage's header.
 * Owns: the run's counters, the per-connection glue (flow_conn.app = http session),
 *       the first store error (reading stops at it).
 * In:   options and file names from main.c.
 * Out:  rows through store.c; JSON lines through jsonl.c (--jsonl); a summary; one-line
 *       errors.
 * Never: looks inside packets or HTTP itself.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "flow.h"
#include "http.h"
#include "jsonl.h"
#include "live.h"
#include "privdrop.h"
#include "rules.h"
#include "source.h"
#include "store.h"
#include "writer.h"

struct run {
    const struct pipeline_options *opt;
    struct store *store;
    struct writer *writer;              /* stores rows on its own thread while reading */
    struct writer_lane *lane;           /* this thread's way into it */
    struct flow_table *flows;
    struct http_config http_cfg;
    struct http_events http_ev;
    int64_t capture_id;
    struct store_capture cap;           /* the capture row's numbers */
    uint64_t skips[DECODE_REASON_COUNT];/* packets by decode result */
    uint64_t done_file_bytes;           /* input bytes of the files read before this one */
    struct http_limit_hits http_hits;   /* limits reached inside the HTTP sessions */
    uint64_t uri_cuts, headers_cuts;    /* transactions stored with uri-cut, headers-cut */
    int failed;                         /* a store error happened; stop reading */
    char err[HTTPCAP_ERRBUF];           /* the first store error */
    struct jsonl *jsonl;                /* --jsonl stream, or NULL */
    int jsonl_state;                    /* 0; 1 its reader left; -1 failed (jsonl_err) */
    char jsonl_err[HTTPCAP_ERRBUF];
    const struct flow_conn *cur;        /* the connection whose HTTP session is running:
                                           where a txn's endpoints come from */
    uint64_t last_conn_id, last_txn_id; /* ids handed out without a database (--no-db) */
};

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

/* Whether reading should stop: the database or the stream cannot go on. */
static int halted(const struct run *r)
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
    t->id = r->store ? store_next_transaction_id(r->store) : ++r->last_txn_id;
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
    c->id = r->store ? store_next_connection_id(r->store) : ++r->last_conn_id;
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
        uint64_t stored_before = r->cap.transactions;
        row.transactions = http_txn_count(s);
        r->cur = c;
        http_close(s, ts_ns);
        r->cur = NULL;
        row.transactions += (uint32_t)(r->cap.transactions - stored_before);
        c->app = NULL;
    }
    r->cap.gap_bytes += row.gap_bytes[0] + row.gap_bytes[1];
    if (r->failed || !r->writer)
        return;
    if (writer_put_conn(r->lane, r->capture_id, &row, r->err) != 0)
        r->failed = 1;
}

static int setup(struct run *r, const struct pipeline_options *o, char err[HTTPCAP_ERRBUF])
{
    memset(r, 0, sizeof *r);
    r->opt = o;
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
    struct flow_config fc = {(uint32_t)lim[LIMIT_CONNECTIONS], o->idle_timeout_ns,
                             (uint32_t)lim[LIMIT_OOO_BYTES], lim[LIMIT_REASM_BYTES]};
    struct flow_events fe = {on_open, on_data, on_gap, on_close, r};
    r->flows = flow_create(&fc, &fe);
    if (!r->flows) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    if (!o->db_path)
        return 0;
    r->store = store_open(o->db_path, err);
    return r->store ? 0 : -1;
}

/* Open the --jsonl stream, if asked for (after the database, so that a refused database
 * leaves the file alone). */
static int open_stream(struct run *r, int is_live, char err[HTTPCAP_ERRBUF])
{
    if (!r->opt->jsonl_path)
        return 0;
    r->jsonl = jsonl_open(r->opt->jsonl_path, is_live, err);
    return r->jsonl ? 0 : -1;
}

/* The capture row's id: a new row, or 1 without a database (as in a new one). */
static int64_t begin_capture(struct run *r, char err[HTTPCAP_ERRBUF])
{
    return r->store ? store_capture_begin(r->store, &r->cap, err) : 1;
}

/* Why reading stopped early because of the stream, for the capture row. */
static void note_stream_stop(struct run *r)
{
    if (r->jsonl_state > 0)
        r->cap.error = "reading stopped: the reader of the --jsonl stream went away";
    else if (r->jsonl_state < 0)
        r->cap.error = r->jsonl_err;
}

/* Rows go through the writer thread from here on (none without a database). */
static int start_writer(struct run *r, char err[HTTPCAP_ERRBUF])
{
    char why[HTTPCAP_ERRBUF];
    if (!r->store)
        return 0;
    r->writer = writer_start(r->store, 1, why);
    if (!r->writer) {
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", r->opt->db_path, why);
        return -1;
    }
    r->lane = writer_lane(r->writer, 0);
    return 0;
}

/* One packet through decode and flow. */
static void feed_packet(struct run *r, const struct source_packet *pkt)
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
    if (why == DECODE_OK)
        flow_input(r->flows, &seg);
}

/* Tell o->read_progress how far reading got (src: the file being read). */
static void tell_progress(const struct run *r, const struct source *src)
{
    struct source_stats st;
    source_stats(src, &st);
    struct pipeline_read_progress p = {
        .file_bytes = r->done_file_bytes + st.file_bytes,
        .packets = r->cap.packets,
        .transactions = r->cap.transactions,
    };
    r->opt->read_progress(r->opt->read_progress_ctx, &p);
}

/* Read one file to its end; returns 0, or -1 with err for an input error. */
static int read_one(struct run *r, struct source *src, char err[HTTPCAP_ERRBUF])
{
    struct source_packet pkt;
    int rc = 0;
    int has_progress = r->opt->read_progress != NULL;
    while (!halted(r) && (rc = source_next(src, &pkt, err)) == 1) {
        feed_packet(r, &pkt);
        if (has_progress && (pkt.index & (PIPELINE_READ_PROGRESS_PACKETS - 1)) == 0)
            tell_progress(r, src);
    }
    if (has_progress)
        tell_progress(r, src);
    struct source_stats st;
    source_stats(src, &st);
    r->done_file_bytes += st.file_bytes;
    if (halted(r))
        return 0;
    return rc < 0 ? -1 : 0;
}

static struct source *open_checked(const char *path, const char *filter,
                                   char err[HTTPCAP_ERRBUF])
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

/* Flush every connection (unless told not to), write the skip counters, the limits and
 * the final capture row; then a failed stream is the error. */
static int finish(struct run *r, int flush, char err[HTTPCAP_ERRBUF])
{
    struct flow_stats fs;
    if (flush)
        flow_flush_all(r->flows, r->cap.last_packet_ns);
    if (!r->failed && r->writer && writer_sync(r->writer, r->err) != 0)
        r->failed = 1;
    end_stream(r);
    flow_get_stats(r->flows, &fs);
    r->cap.connections = fs.opened;
    r->cap.peak_connections = fs.peak_active;
    r->cap.ip_fragments = r->skips[DECODE_FRAGMENT];
    r->cap.tcp_segments = r->skips[DECODE_OK];
    r->cap.skipped_packets = r->cap.packets - r->skips[DECODE_OK];
    if (r->failed) {
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", r->opt->db_path, r->err);
        return -1;
    }
    if (!r->store)
        return r->jsonl_state < 0 ? copy_err(err, r->jsonl_err) : 0;
    for (int i = 1; i < DECODE_REASON_COUNT; i++) {
        if (r->skips[i] &&
            store_capture_skip(r->store, r->capture_id, decode_reason_name((enum decode_reason)i),
                               r->skips[i], r->err) != 0)
            goto fail;
    }
    if (write_limits(r, &fs) != 0 ||
        store_capture_end(r->store, r->capture_id, &r->cap, r->err) != 0)
        goto fail;
    return r->jsonl_state < 0 ? copy_err(err, r->jsonl_err) : 0;
fail:
    snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", r->opt->db_path, r->err);
    return -1;
}

static int read_all(struct run *r, struct source *first, const char *const *files, int n,
                    char err[HTTPCAP_ERRBUF])
{
    struct source *src = first;
    for (int i = 0; i < n; i++) {
        if (!src)
            src = open_checked(files[i], r->opt->filter, err);
        if (!src)
            return -1;
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

static void summarize(const struct run *r, struct pipeline_summary *sum)
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

/* Free the run and close its database; returns rc, or -1 with err when closing fails. */
static int close_run(struct run *r, int rc, char err[HTTPCAP_ERRBUF])
{
    flow_destroy(r->flows);
    char close_err[HTTPCAP_ERRBUF];
    if (jsonl_close(r->jsonl, close_err) < 0 && rc == 0)
        rc = copy_err(err, close_err);
    if (writer_stop(r->writer, close_err) != 0 && rc == 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", r->opt->db_path, close_err);
        rc = -1;
    }
    if (store_close(r->store, close_err) != 0 && rc == 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: %.300s", r->opt->db_path, close_err);
        rc = -1;
    }
    free(r);
    return rc;
}

int pipeline_read(const struct pipeline_options *o, const char *const *files, int n_files,
                  struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    struct run *r = calloc(1, sizeof *r);
    char sources[4096];
    if (!r) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    r->opt = o;
    struct source *first = open_checked(files[0], o->filter, err);
    int rc = -1;
    if (!first || setup(r, o, err) != 0 || open_stream(r, 0, err) != 0)
        goto out;
    join_sources(files, n_files, sources, sizeof sources);
    r->cap.source = sources;
    r->cap.filter = o->filter;
    r->cap.link_type = -1;
    r->cap.kernel_drops = r->cap.interface_drops = -1;
    r->capture_id = begin_capture(r, err);
    if (r->capture_id < 0 || start_writer(r, err) != 0)
        goto out;
    int read_rc = read_all(r, first, files, n_files, err);
    first = NULL;
    char read_err[HTTPCAP_ERRBUF];
    if (read_rc != 0) {
        snprintf(read_err, sizeof read_err, "%s", err);
        r->cap.error = read_err;
    } else {
        note_stream_stop(r);
    }
    rc = finish(r, 1, err);
    if (rc == 0 && read_rc != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s", read_err);
        rc = -1;
    }
    summarize(r, sum);
out:
    source_close(first);
    return close_run(r, rc, err);
}

void pipeline_live_defaults(struct pipeline_live *l)
{
    memset(l, 0, sizeof *l);
    live_defaults(&l->live);
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

static void on_live_packet(void *ctx, const struct source_packet *pkt)
{
    feed_packet(ctx, pkt);
}

/* The live loop's clocks: when it started, last committed, last reported progress. */
struct live_clock {
    double start, commit, progress;
    uint64_t progress_packets;
};

static void report_progress(struct run *r, const struct pipeline_live *l, struct live *lv,
                            struct live_clock *c, double now)
{
    struct source_stats st;
    struct flow_stats fs;
    live_stats(lv, &st);
    flow_get_stats(r->flows, &fs);
    struct pipeline_progress p = {
        .elapsed_s = now - c->start,
        .packets = r->cap.packets,
        .transactions = r->cap.transactions,
        .open_connections = fs.active,
        .kernel_drops = st.kernel_drops,
        .packets_per_s = (double)(r->cap.packets - c->progress_packets) / (now - c->progress),
    };
    l->progress(l->progress_ctx, &p);
    c->progress = now;
    c->progress_packets = r->cap.packets;
}

/* Whether the capture should end now: a signal, the duration or the count. */
static int should_stop(const struct run *r, const struct pipeline_live *l, double elapsed)
{
    return *l->stop || halted(r) || (l->count && r->cap.packets >= l->count) ||
           (l->duration_s > 0 && elapsed >= l->duration_s);
}

/* After a stop signal: what the kernel had already captured still counts (a block of the
 * ring is handed over up to one read timeout late), so read until a read comes back empty,
 * a bounded number of times in case traffic goes on. */
static int drain(struct run *r, struct live *lv, char err[HTTPCAP_ERRBUF])
{
    for (int i = 0; i < 64 && !r->failed; i++) {
        int n = live_dispatch(lv, 0, on_live_packet, r, err);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
    }
    return 0;
}

/* Read the interface until told to stop; 0, or -1 with err for a capture error. */
static int capture_loop(struct run *r, const struct pipeline_live *l, struct live *lv,
                        char err[HTTPCAP_ERRBUF])
{
    struct live_clock c = {0};
    c.start = c.commit = c.progress = monotonic_s();
    while (!should_stop(r, l, monotonic_s() - c.start)) {
        int max = l->count ? (int)(l->count - r->cap.packets < 100000 ? l->count - r->cap.packets
                                                                      : 100000)
                           : 0;
        if (live_dispatch(lv, max, on_live_packet, r, err) < 0)
            return -1;
        double now = monotonic_s();
        flow_expire_idle(r->flows, wall_ns());
        if ((now - c.commit) * 1000.0 >= (double)l->commit_interval_ms) {
            if (!r->failed && r->writer && writer_commit(r->lane, r->err) != 0)
                r->failed = 1;
            c.commit = now;
        }
        if (l->progress && now - c.progress >= 1.0)
            report_progress(r, l, lv, &c, now);
    }
    return *l->stop == 1 ? drain(r, lv, err) : 0;
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

/* Open the interface, the database and the stream, and drop privileges when asked. */
static struct live *capture_setup(struct run *r, const struct pipeline_options *o,
                                  const struct pipeline_live *l, char err[HTTPCAP_ERRBUF])
{
    struct live *lv = live_open(&l->live, err);
    if (!lv)
        return NULL;
    /* setup() zeroed the run: say there is no capture row */
    if (setup(r, o, err) != 0 || open_stream(r, 1, err) != 0) {
        r->capture_id = -1;
        return lv;
    }
    r->cap.source = l->live.iface;
    r->cap.filter = l->live.filter;
    r->cap.link_type = live_linktype(lv);
    r->cap.link_type_name = decode_link_name(r->cap.link_type);
    r->cap.kernel_drops = r->cap.interface_drops = 0;
    r->capture_id = begin_capture(r, err);
    if (r->capture_id < 0 || (r->store && store_commit(r->store, err) != 0)) {
        r->capture_id = -1;
        return lv;
    }
    if (l->user && drop_privileges(o, l, err) != 0) {
        r->capture_id = -1;
        return lv;
    }
    if (start_writer(r, err) != 0)
        r->capture_id = -1;
    return lv;
}

int pipeline_capture(const struct pipeline_options *o, const struct pipeline_live *l,
                     struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    struct run *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    r->opt = o;
    r->capture_id = -1;
    double start = monotonic_s();
    struct live *lv = capture_setup(r, o, l, err);
    int rc = -1;
    if (lv && r->capture_id >= 0) {
        char loop_err[HTTPCAP_ERRBUF] = "";
        int loop_rc = capture_loop(r, l, lv, loop_err);
        struct source_stats st;
        live_stats(lv, &st);
        r->cap.kernel_drops = (int64_t)st.kernel_drops;
        r->cap.interface_drops = (int64_t)st.if_drops;
        if (loop_rc != 0)
            r->cap.error = loop_err;
        else
            note_stream_stop(r);
        rc = finish(r, *l->stop < 2, err);
        if (rc == 0 && loop_rc != 0) {
            snprintf(err, HTTPCAP_ERRBUF, "%s", loop_err);
            rc = -1;
        }
        summarize(r, sum);
    }
    sum->seconds = monotonic_s() - start;
    live_close(lv);
    return close_run(r, rc, err);
}
