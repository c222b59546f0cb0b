/*
 * testhelp.h - the tiny assertion kit of the unit tests.
 * Each CHECK prints both sides when it fails; TEST_REPORT() prints the closing line
 * "N passed, N failed" and gives main's exit status. Include once per test program.
 */
#ifndef HTTPCAP_TESTHELP_H
#define HTTPCAP_TESTHELP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_passed;
static int test_failed;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) {                                                           \
            test_passed++;                                                    \
        } else {                                                              \
            test_failed++;                                                    \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                     \
    } while (0)

#define CHECK_INT(got, want)                                                         \
    do {                                                                             \
        long long g_ = (long long)(got), w_ = (long long)(want);                     \
        if (g_ == w_) {                                                              \
            test_passed++;                                                           \
        } else {                                                                     \
            test_failed++;                                                           \
            fprintf(stderr, "%s:%d: FAILED: %s == %s: got %lld, want %lld\n", __FILE__, \
                    __LINE__, #got, #want, g_, w_);                                  \
        }                                                                            \
    } while (0)

#define CHECK_STR(got, want)                                                          \
    do {                                                                              \
        const char *g_ = (got), *w_ = (want);                                         \
        if (g_ && w_ && strcmp(g_, w_) == 0) {                                        \
            test_passed++;                                                            \
        } else {                                                                      \
            test_failed++;                                                            \
            fprintf(stderr, "%s:%d: FAILED: %s == %s: got \"%s\", want \"%s\"\n",     \
                    __FILE__, __LINE__, #got, #want, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
        }                                                                             \
    } while (0)

#define TEST_REPORT()                                              \
    (printf("%d passed, %d failed\n", test_passed, test_failed), \
     test_failed ? 1 : 0)

#endif
