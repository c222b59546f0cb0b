/*
 * report_scan_sort.h - the compact record of one reported transaction (report_scan.c) and
 * the in-place sort by one of its latencies that the percentile walk needs.
 * Never: allocates (10 million records must not need a second copy).
 */
#ifndef HTTPCAP_REPORT_SCAN_SORT_H
#define HTTPCAP_REPORT_SCAN_SORT_H

#include <stddef.h>
#include <stdint.h>

enum { SCAN_HAS_T = 1, SCAN_HAS_TTFB = 2, SCAN_HAS_TOTAL = 4, SCAN_HAS_STATUS = 8 };

struct scan_tx {
    int64_t t_ns;      /* start: request, or response without a request (SCAN_HAS_T) */
    double ttfb_ms;    /* response start - request end (SCAN_HAS_TTFB) */
    double total_ms;   /* response end - request start (SCAN_HAS_TOTAL) */
    uint32_t host;     /* id among the scan's hosts, UINT32_MAX without Host */
    uint32_t endpoint; /* id among the scan's endpoints, UINT32_MAX without a method */
    int32_t status;    /* final status (SCAN_HAS_STATUS) */
    uint8_t cls;       /* 0..6: the classes in the order of report.h */
    uint8_t bits;      /* SCAN_HAS_* */
};

/* Move the records having bit to the front, in any order; returns how many. Cannot fail. */
size_t scan_partition(struct scan_tx *a, size_t n, uint8_t bit);

/* Sort a[0..n) in place by ttfb_ms (is_total 0) or total_ms (1), ascending; equal values
 * in any order. Cannot fail. */
void scan_sort(struct scan_tx *a, size_t n, int is_total);

#endif
