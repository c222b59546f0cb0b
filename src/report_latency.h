/*
 * report_latency.h - exact nearest-rank percentiles of every latency group in one pass:
 * fed the values of one metric in ascending order (each with its class, host and
 * endpoint), it counts each group's values and keeps the ones at the ranks of p50, p90,
 * p99 and max, which it knows from the group sizes already in r->latency; for ttfb also
 * the median of every bucket of r->series (sizes in its n_ttfb).
 */
#ifndef HTTPCAP_REPORT_LATENCY_H
#define HTTPCAP_REPORT_LATENCY_H

#include <stdint.h>

#include "report.h"

/* One group's walk: the values counted so far and the ranks whose values it reports
 * (p50, p90, p99, max), computed once rather than per value. */
struct latency_ranks {
    int64_t seen;
    int64_t at[4];
};

struct latency_walk {
    struct report_sections *r;   /* not owned; r->latency is filled in place */
    int is_total;                /* 0: ttfb, 1: total */
    struct latency_ranks *ranks; /* per r->latency entry: values seen and the ranks it
                                    reports, owned */
    int *slots;                  /* hash of (scope, key) -> entry index + 1, owned */
    uint32_t mask;               /* slots has mask + 1 entries */
    int null_host;               /* entry of the host group without Host, or -1 */
    int all;                     /* entry of REPORT_ALL, or -1 */
    int64_t *bucket_seen;        /* ttfb values seen per series bucket, owned (ttfb only) */
};

/* Start a walk over r's groups for one metric. Returns 0, or -1 when out of memory
 * (nothing to free then). */
int latency_walk_begin(struct latency_walk *w, struct report_sections *r, int is_total);

/* One value x (ms), not smaller than the previous one, of a transaction in class cls,
 * with Host host and endpoint endpoint (either may be NULL), in time bucket bucket of
 * r->series (-1 when none; used for the ttfb medians of the series). Cannot fail. */
void latency_walk_value(struct latency_walk *w, double x, const char *cls, const char *host,
                        const char *endpoint, int64_t bucket);

/* The entry of r->latency that the walk counts for (scope, key), -1 when none (key NULL:
 * the host group without Host). For callers that look each key up once. Cannot fail. */
int latency_walk_entry(const struct latency_walk *w, enum report_scope scope, const char *key);

/* latency_walk_value() with the entries of the value's class, host and endpoint groups
 * already found by latency_walk_entry() (-1: none). Cannot fail. */
void latency_walk_value_at(struct latency_walk *w, double x, int cls, int host, int endpoint,
                           int64_t bucket);

/* Free the walk's state. Cannot fail. */
void latency_walk_end(struct latency_walk *w);

#endif
