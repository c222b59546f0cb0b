/*
 * report.h - the sections of `httpcap report`, filled from an httpcap database.
 * Owns: one struct report_sections and every string and array in it.
 * In:   a database path, opened read-only; the queries of sql/report.sql.
 * Out:  plain structs for render_text.c / render_json.c.
 * Never: formats output, writes to the database.
 */
#ifndef HTTPCAP_REPORT_H
#define HTTPCAP_REPORT_H

#include <stdint.h>

#include "errbuf.h"

/* (1) the capture runs of the database, summed. */
struct report_capture {
    int64_t runs;            /* rows in captures */
    char **sources;          /* runs entries: captures.source, owned */
    int has_span;            /* 1 when first/last packet times are known */
    int64_t first_ns;        /* first packet, ns since the epoch */
    int64_t last_ns;         /* last packet, ns since the epoch */
    char *first_iso;         /* the same as ISO-8601 UTC text, owned, NULL when unknown */
    char *last_iso;
    int64_t packets;
    int64_t bytes;           /* bytes on the wire */
    int64_t connections;
    int64_t transactions;
    int64_t gap_bytes;       /* TCP bytes never captured */
    int64_t truncated;       /* capture runs whose input ended mid-packet */
};

/* (2) one status class: '1xx'..'5xx' or 'unanswered' (status NULL). */
struct report_class {
    char name[12];
    int64_t count;
};

/* (2) one status code seen. */
struct report_status {
    int code;
    char *reason;            /* registered reason phrase, owned, NULL when unregistered */
    int64_t count;
    int is_registered;
    int effective;           /* the x00 fallback a client acts on (v_transactions) */
    char *effective_reason;  /* owned, may be NULL */
};

enum report_scope { REPORT_ALL = 0, REPORT_CLASS = 1, REPORT_HOST = 2 };

/* (3) nearest-rank percentiles of one metric over one group, in ms. */
struct report_latency {
    enum report_scope scope;
    char *key;               /* class or host, owned; NULL for REPORT_ALL or no Host */
    char metric[12];         /* 'ttfb_ms' or 'total_ms' */
    int64_t n;               /* values in the group */
    double p50, p90, p99, max;
};

/* (3) one of the slowest transactions by ttfb. */
struct report_slow {
    int64_t id;              /* transactions.id */
    char *time;              /* ISO-8601 UTC, owned; these strings may be NULL */
    char *method;
    char *host;
    char *uri;
    int has_status;
    int status;
    double ttfb_ms;
    int has_total;
    double total_ms;
    char *request_id;
};

/* (4) violations of one rule. */
struct report_rule {
    char *rule;              /* owned */
    char *severity;          /* owned, may be NULL */
    int64_t count;
    int64_t hosts;           /* distinct hosts */
    char *hint;              /* owned, may be NULL */
};

struct report_sections {
    struct report_capture capture;
    int64_t answered_total;  /* transactions counted in classes (all of v_transactions) */
    struct report_class classes[6];
    struct report_status *statuses;
    int nstatuses;
    struct report_latency *latency;
    int nlatency;
    struct report_slow *slowest;
    int nslowest;
    int top;                 /* the --top asked for */
    struct report_rule *rules;
    int nrules;
};

/*
 * Open path read-only, check it is an httpcap database, run sql/report.sql and fill *r
 * (zeroed first). top: the number of slowest transactions wanted (>= 0).
 * Returns 0, or -1 with one line in err and *r holding nothing to free beyond
 * what report_free() releases. Call report_free(r) in both cases.
 */
int report_load(const char *path, int top, struct report_sections *r, char err[HTTPCAP_ERRBUF]);

/* Free everything report_load() allocated in *r; r may be NULL. Cannot fail. */
void report_free(struct report_sections *r);

#endif
