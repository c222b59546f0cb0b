/*
 * report_scan_sort.c - the in-place sort of report_scan_sort.h: a most-significant-digit
 * radix sort (American flag sort: one byte of the key per level, records moved in place
 * along cycles) of the latency's bits turned into an unsigned key that orders as the
 * doubles do, and insertion sort below RADIX_MIN records. A large array is first split in
 * two by one quicksort partition (median of three, Hoare) and its two sides sorted by two
 * threads (they touch disjoint records).
 * Never: allocates, shares a record between threads.
 */
#include "report_scan_sort.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define PARALLEL_MIN 65536 /* records worth a second thread */
#define RADIX_MIN 48       /* fewer records: insertion sort */

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

/* The key's bits as an unsigned number that orders as the doubles do: negative values
 * flipped whole, the others with the sign bit set (-0 just below +0; never NaN here). */
static uint64_t radix_key(const struct scan_tx *t, int is_total)
{
    double d = key(t, is_total);
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | 1ULL << 63;
}

static unsigned digit_at(const struct scan_tx *t, int is_total, unsigned shift)
{
    return (unsigned)(radix_key(t, is_total) >> shift) & 0xffu;
}

/* Move each record to its digit's bucket (start[d] .. start[d + 1]) in place. */
static void permute(struct scan_tx *a, int is_total, unsigned shift, const size_t start[257])
{
    size_t next[256];
    memcpy(next, start, sizeof next);
    for (unsigned b = 0; b < 256; b++) {
        while (next[b] < start[b + 1]) {
            struct scan_tx v = a[next[b]];
            unsigned d = digit_at(&v, is_total, shift);
            while (d != b) { /* v goes to d's next free place; what was there moves on */
                swap_tx(&v, &a[next[d]]);
                next[d]++;
                d = digit_at(&v, is_total, shift);
            }
            a[next[b]++] = v;
        }
    }
}

/* Sort a[0..n), whose keys agree above the byte at shift (56, 48, ... 0). */
static void radix_sort(struct scan_tx *a, size_t n, int is_total, unsigned shift)
{
    for (;;) {
        if (n < RADIX_MIN) {
            insertion_sort(a, n, is_total);
            return;
        }
        size_t start[257] = {0};
        for (size_t i = 0; i < n; i++)
            start[digit_at(&a[i], is_total, shift) + 1]++;
        size_t most = 0;
        for (unsigned b = 1; b <= 256; b++) {
            most = start[b] > most ? start[b] : most;
            start[b] += start[b - 1];
        }
        if (most < n) /* else all are in one bucket: nothing to move at this byte */
            permute(a, is_total, shift, start);
        if (shift == 0)
            return; /* the keys of a bucket are equal */
        if (most == n) {
            shift -= 8;
            continue;
        }
        for (unsigned b = 0; b < 256; b++)
            if (start[b + 1] - start[b] > 1)
                radix_sort(a + start[b], start[b + 1] - start[b], is_total, shift - 8);
        return;
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
    radix_sort(a, n, is_total, 56);
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
