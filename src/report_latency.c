/*
 * report_latency.c - the one-pass percentile walk of report_latency.h.
 * Owns: per-group counters and a hash from (scope, key) to the group's latency entry.
 * In:   values of one metric in ascending order (sorted by report_scan.c).
 * Out:  p50/p90/p99/max of every group, written into r->latency.
 * Never: sorts, stores the values, runs SQL.
 */
#include "report_latency.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_key(int scope, const char *key)
{
    uint32_t h = 2166136261u ^ (uint32_t)scope;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static void insert(struct latency_walk *w, int i)
{
    const struct report_latency *l = &w->r->latency[i];
    uint32_t h = hash_key((int)l->scope, l->key) & w->mask;
    while (w->slots[h])
        h = (h + 1) & w->mask;
    w->slots[h] = i + 1;
}

/* The entry of (scope, key), or -1. */
static int find(const struct latency_walk *w, int scope, const char *key)
{
    uint32_t h = hash_key(scope, key) & w->mask;
    for (; w->slots[h]; h = (h + 1) & w->mask) {
        const struct report_latency *l = &w->r->latency[w->slots[h] - 1];
        if ((int)l->scope == scope && strcmp(l->key, key) == 0)
            return w->slots[h] - 1;
    }
    return -1;
}

/* The nearest-rank percentiles of n values: rank ceil(p * n / 100), and n for the max. */
static void set_ranks(struct latency_ranks *k, int64_t n)
{
    static const int64_t percent[3] = {50, 90, 99};
    k->seen = 0;
    for (int j = 0; j < 3; j++)
        k->at[j] = (percent[j] * n + 99) / 100;
    k->at[3] = n;
}

int latency_walk_begin(struct latency_walk *w, struct report_sections *r, int is_total)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    w->is_total = is_total;
    w->null_host = -1;
    w->all = -1;
    uint32_t size = 16;
    while (size < (uint32_t)r->nlatency * 2u)
        size *= 2;
    w->mask = size - 1;
    w->slots = calloc(size, sizeof *w->slots);
    w->ranks = calloc((size_t)r->nlatency + 1, sizeof *w->ranks);
    if (!is_total)
        w->bucket_seen = calloc((size_t)r->series.nbuckets + 1, sizeof *w->bucket_seen);
    if (!w->slots || !w->ranks || (!is_total && !w->bucket_seen)) {
        latency_walk_end(w);
        return -1;
    }
    for (int i = 0; i < r->nlatency; i++) {
        const struct report_latency *l = &r->latency[i];
        set_ranks(&w->ranks[i], is_total ? l->n_total : l->n_ttfb);
        if (l->scope == REPORT_ALL) {
            if (w->all < 0)
                w->all = i;
            continue;
        }
        if (l->key)
            insert(w, i);
        else if (l->scope == REPORT_HOST)
            w->null_host = i;
    }
    return 0;
}

/* Count x in entry i and keep it when its rank is one the entry reports. */
static void count_value(struct latency_walk *w, int i, double x)
{
    if (i < 0)
        return;
    struct latency_ranks *k = &w->ranks[i];
    int64_t rank = ++k->seen;
    if (rank != k->at[0] && rank != k->at[1] && rank != k->at[2] && rank != k->at[3])
        return; /* the common case: a value no percentile takes */
    struct report_latency *l = &w->r->latency[i];
    double *p = w->is_total ? &l->total_p50 : &l->ttfb_p50;
    for (int j = 0; j < 4; j++)
        if (rank == k->at[j])
            p[j] = x;
}

/* The median of a bucket: the value at rank ceil(n/2) of its ttfb values. */
static void count_bucket(struct latency_walk *w, int64_t bucket, double x)
{
    if (!w->bucket_seen || bucket < 0 || bucket >= w->r->series.nbuckets)
        return;
    struct report_bucket *b = &w->r->series.buckets[bucket];
    if (++w->bucket_seen[bucket] == (b->n_ttfb + 1) / 2) {
        b->has_median = 1;
        b->ttfb_median = x;
    }
}

int latency_walk_entry(const struct latency_walk *w, enum report_scope scope, const char *key)
{
    if (!key)
        return scope == REPORT_HOST ? w->null_host : -1;
    return find(w, (int)scope, key);
}

void latency_walk_value_at(struct latency_walk *w, double x, int cls, int host, int endpoint,
                           int64_t bucket)
{
    count_bucket(w, bucket, x);
    count_value(w, w->all, x);
    count_value(w, cls, x);
    count_value(w, host, x);
    count_value(w, endpoint, x);
}

void latency_walk_value(struct latency_walk *w, double x, const char *cls, const char *host,
                        const char *endpoint, int64_t bucket)
{
    latency_walk_value_at(w, x, cls ? find(w, REPORT_CLASS, cls) : -1,
                          latency_walk_entry(w, REPORT_HOST, host),
                          endpoint ? find(w, REPORT_ENDPOINT, endpoint) : -1, bucket);
}

void latency_walk_end(struct latency_walk *w)
{
    free(w->slots);
    free(w->ranks);
    free(w->bucket_seen);
    w->slots = NULL;
    w->ranks = NULL;
    w->bucket_seen = NULL;
}
