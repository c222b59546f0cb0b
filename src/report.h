/*
 * report.h - the sections of `httpcap report`, filled from one or more httpcap databases.
 * Owns: one struct report_sections and every string and array in it.
 * In:   database paths (opened read-only and ATTACHed by report_db.c), the options of
 *       struct report_options; the queries of sql/report.sql and sql/anomalies.sql.
 * Out:  plain structs for render_text.c / render_json.c / render_html.c / render_md.c.
 * Never: formats output, writes to a database file.
 *
 * Times are ns since the epoch (int64) plus ISO-8601 UTC text; latencies are ms (double).
 * Every string may hold any byte that came off the wire: renderers escape or sanitise.
 */
#ifndef HTTPCAP_REPORT_H
#define HTTPCAP_REPORT_H

#include <stdint.h>

#include "errbuf.h"

#define REPORT_MAX_DBS 64          /* SQLite's SQLITE_MAX_ATTACHED is 10 by default; see
                                      report_db.c for how more are reported */
#define REPORT_MAX_EXAMPLES 5      /* request IDs / transaction ids kept per anomaly */
#define REPORT_NCLASSES 7          /* 1xx 2xx 3xx 4xx 5xx unanswered invalid */

/* What the user asked for. */
struct report_options {
    const char *const *paths;      /* databases, reported together */
    int npaths;
    int top;                       /* slowest transactions / endpoints / hosts listed */
    int has_since, has_until;
    int64_t since_ns, until_ns;    /* [since, until): transactions by their start time */
    const char *host;              /* NULL, or only transactions whose Host is this name
                                      (any port, case-insensitive) */
};

/* (1) one cap of the capture runs (table capture_limits, see limits_table.h), over every
 * run that recorded it. A hit means data was left out of the analysis. */
struct report_limit {
    char *name;                    /* the option without "--", e.g. "max-connections", owned */
    int64_t value;                 /* the cap in force (the largest when runs differ) */
    int64_t min_value;             /* the smallest: equal to value unless runs differ */
    int64_t hits;                  /* times it was reached, summed over the runs */
    int64_t runs_hit;              /* runs in which it was reached */
};

/* (1) one sensor (captures.sensor: --sensor NAME, else the host name) and its runs. */
struct report_sensor {
    const char *name;              /* one of report_capture.sensors, not owned */
    int64_t runs;
};

/* (1) the capture runs of the databases, summed. Never filtered. */
struct report_capture {
    int64_t runs;                  /* rows in captures */
    char **sources;                /* runs entries: captures.source, owned */
    char **sensors;                /* runs entries: captures.sensor (NULL when the run's
                                      database did not record it), owned */
    struct report_sensor *sensor_list; /* the distinct sensors, in order of first run */
    int nsensors;
    int has_span;                  /* 1 when first/last packet times are known */
    int64_t first_ns;              /* first packet */
    int64_t last_ns;               /* last packet */
    char *first_iso;               /* ISO-8601 UTC, owned, NULL when unknown */
    char *last_iso;
    int64_t packets;
    int64_t bytes;                 /* bytes on the wire */
    int64_t connections;
    int64_t transactions;          /* in the databases (the report may show fewer: filters) */
    int64_t kernel_drops;          /* live capture; 0 for files */
    int64_t interface_drops;
    int has_drops;                 /* 1 when some run recorded drop counters */
    int64_t gap_bytes;             /* TCP bytes never captured */
    int64_t tcp_bytes;             /* client_bytes + server_bytes of all connections */
    int64_t truncated;             /* capture runs whose input ended mid-packet */
    int64_t reported;              /* transactions that pass the filters */
    int loss_warning;              /* 1 when loss makes the numbers unreliable (see
                                      report.c: drops > 0.1% of packets, gaps > 0.1% of TCP
                                      bytes, or a truncated input) */
    char *warning;                 /* that warning as one sentence, owned, NULL when none */
    int64_t limit_runs;            /* runs that recorded their limits (databases written
                                      before table capture_limits existed record none) */
    struct report_limit *limits;   /* nlimits caps in the order of limits_table.h
                                      (unknown names last, by name), owned */
    int nlimits;
    int64_t limit_hits;            /* hits of every limit, summed */
};

/* (2) one status class: "1xx".."5xx", "unanswered" (no response), "invalid" (status
 * outside 100..599, which clients treat as 5xx; counted here, not in 5xx). */
struct report_class {
    char name[12];
    int64_t count;
};

/* (2) one status code seen. */
struct report_status {
    int code;
    char *reason;                  /* registered reason phrase, owned, NULL if unregistered */
    int64_t count;
    int is_registered;
    int effective;                 /* the x00 fallback a client acts on (v_transactions) */
    char *effective_reason;        /* owned, may be NULL */
};

enum report_scope { REPORT_ALL = 0, REPORT_CLASS = 1, REPORT_HOST = 2, REPORT_ENDPOINT = 3 };

/* (3) nearest-rank percentiles of ttfb and total over one group, in ms. n_total == 0 means
 * no total latency in the group (the total fields are then 0). */
struct report_latency {
    enum report_scope scope;
    char *key;                     /* class, host or endpoint, owned; NULL for REPORT_ALL
                                      or a missing Host */
    int64_t count;                 /* transactions in the group */
    int64_t n_ttfb, n_total;       /* values of each metric */
    double ttfb_p50, ttfb_p90, ttfb_p99, ttfb_max;
    double total_p50, total_p90, total_p99, total_max;
};

/* (3) the latency histogram of ttfb (for HTML): counts per log-spaced bin. */
#define REPORT_HIST_BINS 24        /* bin i holds [2^(i-4), 2^(i-3)) ms; first and last
                                      bins are open-ended */
struct report_histogram {
    int64_t bins[REPORT_HIST_BINS];
};

/* (3) one of the slowest transactions by ttfb. */
struct report_slow {
    int64_t id;                    /* transactions.id (offset when several databases) */
    char *time;                    /* ISO-8601 UTC, owned; these strings may be NULL */
    char *method;
    char *host;
    char *uri;
    char *endpoint;                /* method host template */
    int has_status;
    int status;
    double ttfb_ms;
    int has_total;
    double total_ms;
    char *request_id;
};

/* One transaction shown as an example (violations, anomalies). */
struct report_example {
    int64_t id;
    char *time;                    /* owned, may be NULL like all of these */
    char *client;                  /* "ip:port" */
    char *server;                  /* "ip:port" */
    char *method;
    char *uri;
    int has_status;
    int status;
    char *request_id;
};

/* (4) violations of one rule. */
struct report_rule {
    char *rule;                    /* owned */
    char *severity;                /* owned, may be NULL */
    char *reference;               /* RFC 9110/9112 section, owned, may be NULL */
    char *summary;                 /* owned, may be NULL */
    int64_t count;
    int64_t hosts;                 /* distinct hosts */
    char **host_names;             /* up to 5 of them, most affected first, owned */
    int nhost_names;
    int has_example;
    struct report_example example; /* the first breach in time */
    char *hint;                    /* owned, may be NULL */
};

/* (5) anomaly kinds, in report order. */
#define REPORT_ANOMALY_KINDS(X)                                                          \
    X(ANOMALY_ERROR_BURST_5XX, "error-burst-5xx")                                        \
    X(ANOMALY_ERROR_BURST_4XX, "error-burst-4xx")                                        \
    X(ANOMALY_LATENCY_SPIKE, "latency-spike")                                            \
    X(ANOMALY_FAILING_ENDPOINT, "failing-endpoint")                                      \
    X(ANOMALY_STATUS_MIX_CHANGED, "status-mix-changed")                                  \
    X(ANOMALY_UNANSWERED, "unanswered-requests")                                         \
    X(ANOMALY_ORPHAN_RESPONSES, "responses-without-request")                             \
    X(ANOMALY_RESET_MID_RESPONSE, "reset-mid-response")                                  \
    X(ANOMALY_TRUNCATED_BODIES, "truncated-bodies")                                      \
    X(ANOMALY_CAPTURE_GAPS, "capture-gaps")                                              \
    X(ANOMALY_LIMIT_REACHED, "limit-reached")                                            \
    X(ANOMALY_RETRANSMISSIONS, "retransmissions")                                        \
    X(ANOMALY_RARE_STATUS, "rare-status")                                                \
    X(ANOMALY_NEW_STATUS, "new-status")

enum report_anomaly_kind {
#define X(id, name) id,
    REPORT_ANOMALY_KINDS(X)
#undef X
    ANOMALY_KIND_COUNT
};

/* The kebab-case name of a kind ("error-burst-5xx"); "?" when out of range. */
const char *report_anomaly_name(enum report_anomaly_kind kind);

/* (5) one anomaly: what was seen, the evidence, and what to do about it. */
struct report_anomaly {
    enum report_anomaly_kind kind;
    char *subject;                 /* what it is about, owned: a bucket's time range, an
                                      endpoint, "ip:port" of a server, a status code, a
                                      limit ("max-connections") */
    int has_window;
    int64_t start_ns, end_ns;      /* the time it covers, [start, end) */
    char *start_iso;               /* owned, NULL without a window */
    int first_bucket, last_bucket; /* indexes into series.buckets, -1 when none */
    int64_t count;                 /* the events (errors, slow, unanswered, limit hits...) */
    int64_t total;                 /* out of how many (transactions, bytes, segments); 0
                                      when none applies (limit-reached) */
    double value;                  /* the measured figure: share, median ms, rate */
    double baseline;               /* the same figure over the whole report */
    double score;                  /* z-score or ratio that fired the detector; 0 if none */
    char *evidence;                /* one sentence with the numbers, owned */
    char *message;                 /* what it means, likely causes, what to check next,
                                      owned */
    int nexamples;
    struct report_example examples[REPORT_MAX_EXAMPLES]; /* request IDs to look up */
};

/* (6) one time bucket of the series. */
struct report_bucket {
    int64_t start_ns;
    int64_t count;                 /* transactions starting in the bucket */
    int64_t classes[REPORT_NCLASSES]; /* same order as report_sections.classes */
    int64_t n_ttfb;                /* of those, the ones with a ttfb */
    int has_median;
    double ttfb_median;            /* median (nearest rank) ttfb in ms */
};

struct report_series {
    int64_t bucket_ns;             /* width: a round value giving about 60 buckets */
    int64_t origin_ns;             /* start of bucket 0 (a multiple of bucket_ns) */
    int nbuckets;
    struct report_bucket *buckets; /* owned */
};

struct report_sections {
    struct report_capture capture;
    int ndbs;                      /* databases reported together */
    char *filter_text;             /* the filters as text ("since ... host ..."), owned,
                                      NULL when none */
    int64_t answered_total;        /* transactions counted in classes (all of them) */
    struct report_class classes[REPORT_NCLASSES];
    struct report_status *statuses;
    int nstatuses;
    struct report_latency *latency; /* ALL, then per class, host, endpoint (top by count) */
    int nlatency;
    int64_t endpoints;             /* distinct endpoints (the latency list holds --top) */
    struct report_histogram histogram;
    struct report_slow *slowest;
    int nslowest;
    int top;                       /* the --top asked for */
    struct report_rule *rules;
    int nrules;
    struct report_anomaly *anomalies; /* in kind order, then by time / subject */
    int nanomalies;
    struct report_series series;
};

/*
 * Open every database of o read-only, check each is an httpcap database, run the report
 * queries and fill *r (zeroed first). Returns 0, or -1 with one line in err naming the file.
 * Call report_free(r) in both cases.
 */
int report_load(const struct report_options *o, struct report_sections *r,
                char err[HTTPCAP_ERRBUF]);

/* Free everything report_load() allocated in *r; r may be NULL. Cannot fail. */
void report_free(struct report_sections *r);

#endif
