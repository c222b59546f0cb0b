/*
 * report_scan_sort.c - the in-place sort of report_scan_sort.h: quicksort (median of
 * three, Hoare partition, which splits runs of equal values evenly) recursing into the
 * smaller side only, and insertion sort below 16 records. A large array is split by one
 * partition and its two sides sorted by two threads (they touch disjoint records).
 * Never: allocates, shares a record between threads.
 */
#include "report_scan_sort.h"

#include <pthread.h>
#include <stddef.h>

#define PARALLEL_MIN 65536 /* records worth a second thread */

static double key(const struct scan_tx *t, int is_total)
{
    return is_total ? t->total_ms : t->ttfb_ms;
}

static void swap_tx(struct scan_tx *a, struct scan_tx *b)
{
    struct scan_tx t = *a;
    *a = *b;
    *b = t;
}

size_t scan_partition(struct scan_tx *a, size_t n, uint8_t bit)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].bits & bit) {
            if (i != m)
                swap_tx(&a[i], &a[m]);
            m++;
        }
    }
    return m;
}

static void insertion_sort(struct scan_tx *a, size_t n, int is_total)
{
    for (size_t i = 1; i < n; i++) {
        struct scan_tx t = a[i];
        double k = key(&t, is_total);
        size_t j = i;
        while (j > 0 && key(&a[j - 1], is_total) > k) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = t;
    }
}

/* Hoare partition around the median of a[0], a[n/2], a[n-1] (n >= 3): returns j with
 * a[0..j] <= pivot <= a[j+1..n), both sides non-empty. */
static size_t partition(struct scan_tx *a, size_t n, int is_total)
{
    size_t mid = n / 2;
    if (key(&a[mid], is_total) < key(&a[0], is_total))
        swap_tx(&a[mid], &a[0]);
    if (key(&a[n - 1], is_total) < key(&a[0], is_total))
        swap_tx(&a[n - 1], &a[0]);
    if (key(&a[n - 1], is_total) < key(&a[mid], is_total))
        swap_tx(&a[n - 1], &a[mid]);
    double p = key(&a[mid], is_total);
    size_t i = 0, j = n - 1;
    for (;;) {
        while (key(&a[i], is_total) < p)
            i++;
        while (key(&a[j], is_total) > p)
            j--;
        if (i >= j)
            return j;
        swap_tx(&a[i], &a[j]);
        i++;
        j--;
    }
}

static void sort_range(struct scan_tx *a, size_t n, int is_total)
{
    while (n > 16) {
        size_t j = partition(a, n, is_total);
        size_t left = j + 1;
        if (left < n - left) {
            sort_range(a, left, is_total);
            a += left;
            n -= left;
        } else {
            sort_range(a + left, n - left, is_total);
            n = left;
        }
    }
    insertion_sort(a, n, is_total);
}

/* One side of the first partition, for the second thread. */
struct side {
    struct scan_tx *a;
    size_t n;
    int is_total;
};

static void *sort_side(void *p)
{
    struct side *s = p;
    sort_range(s->a, s->n, s->is_total);
    return NULL;
}

void scan_sort(struct scan_tx *a, size_t n, int is_total)
{
    if (n < PARALLEL_MIN) {
        sort_range(a, n, is_total);
        return;
    }
    size_t left = partition(a, n, is_total) + 1;
    struct side s = {a, left, is_total};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, sort_side, &s) == 0;
    if (!threaded) /* no thread to be had: sort both sides here */
        sort_range(a, left, is_total);
    sort_range(a + left, n - left, is_total);
    if (threaded)
        pthread_join(t, NULL);
}
