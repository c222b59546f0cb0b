/*
 * test_report_scan_sort.c - the in-place sort of the report's scan records: sorted by the
 * metric asked for, nothing lost or duplicated (every record keeps its other fields), for
 * small arrays, runs of equal values and arrays large enough for the two-thread split;
 * and the partition that puts the records having a value first.
 */
#include <stdlib.h>
#include <string.h>

#include "report_scan_sort.h"
#include "testhelp.h"

/* A deterministic generator, so a failure repeats. */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* n records; values drawn from `distinct` choices (few: long runs of equal values); the
 * host field numbers the records so that losses and duplicates show. */
static struct scan_tx *make(size_t n, uint64_t distinct)
{
    struct scan_tx *a = calloc(n ? n : 1, sizeof *a);
    for (size_t i = 0; a && i < n; i++) {
        a[i].ttfb_ms = (double)(rng() % distinct) / 8.0;
        a[i].total_ms = -(double)(rng() % distinct);
        a[i].host = (uint32_t)i;
        a[i].endpoint = (uint32_t)i ^ 0x5a5a5a5au;
    }
    return a;
}

static void check_sorted(const struct scan_tx *a, size_t n, int is_total)
{
    size_t bad = 0;
    for (size_t i = 1; i < n; i++) {
        double x = is_total ? a[i - 1].total_ms : a[i - 1].ttfb_ms;
        double y = is_total ? a[i].total_ms : a[i].ttfb_ms;
        bad += x > y;
    }
    CHECK_INT(bad, 0);
    unsigned char *seen = calloc(n ? n : 1, 1);
    size_t lost = 0;
    for (size_t i = 0; seen && i < n; i++) {
        uint32_t h = a[i].host;
        lost += h >= n || seen[h] || a[i].endpoint != (h ^ 0x5a5a5a5au);
        if (h < n)
            seen[h] = 1;
    }
    CHECK_INT(lost, 0);
    free(seen);
}

static void sort_case(size_t n, uint64_t distinct)
{
    struct scan_tx *a = make(n, distinct);
    CHECK(a != NULL);
    if (!a)
        return;
    scan_sort(a, n, 0);
    check_sorted(a, n, 0);
    scan_sort(a, n, 1);
    check_sorted(a, n, 1);
    free(a);
}

/* Values the radix sort's key must order as the doubles do: both signs, both zeros,
 * infinities, neighbours one bit apart (sorted down to the last byte), and latencies
 * spread like real ones (exponentially, over six decades). */
static void test_radix_keys(void)
{
    enum { N = 5000 };
    struct scan_tx *a = calloc(N, sizeof *a);
    CHECK(a != NULL);
    if (!a)
        return;
    const double odd[] = {0.0, -0.0, 1e308, -1e308, 1.0 / 0.0, -1.0 / 0.0, 5e-324, -5e-324};
    for (size_t i = 0; i < N; i++) {
        double v;
        uint64_t r = rng();
        if (i < sizeof odd / sizeof odd[0])
            v = odd[i];
        else if (i % 3 == 0) { /* 1.0 and its neighbours a few ulps away */
            uint64_t bits = 0x3ff0000000000000ULL + (r % 200);
            memcpy(&v, &bits, sizeof v);
        } else {
            v = (double)(r % 1000000) / 1000.0 * (double)(1ULL << (r >> 60)) / 64.0;
            v = r & 1 ? -v : v;
        }
        a[i].ttfb_ms = v;
        a[i].total_ms = -v;
        a[i].host = (uint32_t)i;
        a[i].endpoint = (uint32_t)i ^ 0x5a5a5a5au;
    }
    scan_sort(a, N, 0);
    check_sorted(a, N, 0);
    CHECK(a[0].ttfb_ms == -1.0 / 0.0 && a[N - 1].ttfb_ms == 1.0 / 0.0);
    scan_sort(a, N, 1);
    check_sorted(a, N, 1);
    free(a);
}

static void test_partition(void)
{
    struct scan_tx a[10];
    memset(a, 0, sizeof a);
    for (int i = 0; i < 10; i++) {
        a[i].bits = i % 3 == 0 ? SCAN_HAS_TTFB : SCAN_HAS_TOTAL;
        a[i].host = (uint32_t)i;
    }
    size_t m = scan_partition(a, 10, SCAN_HAS_TTFB);
    CHECK_INT(m, 4); /* 0, 3, 6, 9 */
    for (size_t i = 0; i < 10; i++)
        CHECK((i < m) == ((a[i].bits & SCAN_HAS_TTFB) != 0));
    CHECK_INT(scan_partition(a, 0, SCAN_HAS_TTFB), 0);
}

int main(void)
{
    test_partition();
    test_radix_keys();
    sort_case(0, 10);
    sort_case(1, 10);
    sort_case(2, 10);
    sort_case(17, 1000);
    sort_case(1000, 1);      /* all equal */
    sort_case(1000, 2);
    sort_case(100000, 1000000);
    sort_case(100000, 3);    /* past the two-thread split, long runs */
    sort_case(300000, 1ULL << 40);
    return TEST_REPORT();
}
