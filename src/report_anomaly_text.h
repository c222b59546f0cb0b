/*
 * report_anomaly_text.h - the inside of section 5, shared by report_anomaly.c (which
 * detects anomalies), report_anomaly_text.c (which words them) and report_anomaly_list.c
 * (examples, order). Nothing else includes it.
 * Owns: struct anomaly_clock, how the times of one report are written.
 * Never: appears in a renderer; they see only report.h.
 */
#ifndef HTTPCAP_REPORT_ANOMALY_TEXT_H
#define HTTPCAP_REPORT_ANOMALY_TEXT_H

#include <stddef.h>
#include <sqlite3.h>
#include <stdint.h>

#include "errbuf.h"
#include "report.h"

struct anomaly_clock {
    int same_day;  /* the whole series lies in one UTC day: clock times without the date */
    int subsecond; /* buckets are not whole seconds: times with milliseconds */
};

/* Set k from the series s (all zero when s has no buckets). */
void anomaly_clock_set(struct anomaly_clock *k, const struct report_series *s);

/* ns into buf. fmt is one of: 'I' ISO with ms, 'S' ISO to the second (ms if sub-second),
 * 'C' clock time "HH:MM:SS" (with date unless same_day, with ms if sub-second). */
void anomaly_fmt_time(const struct anomaly_clock *k, int64_t ns, char fmt, char *buf,
                      size_t size);

/* The troubleshooting advice of kind (a constant; "" for an unknown kind). */
const char *anomaly_message(enum report_anomaly_kind kind);

/*
 * The evidence line of one anomaly, from its count, total, value, baseline, score and
 * window as detection filled them, plus the figures named. Each returns a string the
 * caller frees, or NULL with *nomem set to 1.
 */
char *anomaly_burst_evidence(int *nomem, const struct anomaly_clock *k,
                             const struct report_anomaly *a);
char *anomaly_latency_evidence(int *nomem, const struct anomaly_clock *k,
                               const struct report_anomaly *a, double thr);
char *anomaly_mix_evidence(int *nomem, const struct anomaly_clock *k,
                           const struct report_anomaly *a, const char *class_name, int64_t n0);
char *anomaly_failing_evidence(int *nomem, const struct report_anomaly *a);
/* k of n transactions with server, for unanswered, orphan, reset and truncated kinds. */
char *anomaly_server_evidence(int *nomem, enum report_anomaly_kind kind, int64_t k, int64_t n,
                              const char *server);
char *anomaly_gaps_evidence(int *nomem, const struct report_anomaly *a, int64_t gap_conns,
                            int64_t conns, const char *server);
char *anomaly_retrans_evidence(int *nomem, const struct report_anomaly *a, const char *server);
char *anomaly_rare_evidence(int *nomem, const struct report_anomaly *a, int code,
                            int registered, int effective);
/* The advice of a limit-reached anomaly for limit name (a constant; the kind's generic
 * message for a limit this httpcap does not know). */
const char *anomaly_limit_message(const char *name);
/* "max-connections (262144) was reached 950000 times: 950000 connections were closed early
 * to make room", naming the runs when limit_runs > 1 and saying that filters (filtered
 * != 0) do not narrow the count. */
char *anomaly_limit_evidence(int *nomem, const struct report_limit *l, int64_t limit_runs,
                             int filtered);
char *anomaly_new_status_evidence(int *nomem, const struct anomaly_clock *k,
                                  const struct report_anomaly *a, int code, int nbuckets);

/*
 * Up to REPORT_MAX_EXAMPLES transactions per anomaly from the examples query (anomaly i's
 * keys are the rows of ranomaly_keys with a = i). Returns 0, or -1 with err on a SQL error;
 * *nomem set when a string could not be copied.
 */
int anomaly_load_examples(sqlite3 *db, struct report_sections *r, int *nomem,
                          char err[HTTPCAP_ERRBUF]);

/* Sort r->anomalies by kind, then window start, then subject (status codes as numbers;
 * limit-reached keeps the order of r->capture.limits); equal ones keep their order.
 * Cannot fail. */
void anomaly_sort(struct report_sections *r);

#endif
