/*
 * test_report_hash.c - the hash tables of the report's scan: ids are dense and handed out
 * in order of first sight, stay the same across growth, strings are told apart by every
 * byte and their length (NULs included), and the copies are NUL-terminated.
 */
#include <stdio.h>
#include <string.h>

#include "report_hash.h"
#include "testhelp.h"

static void test_strings(void)
{
    struct report_strings t;
    memset(&t, 0, sizeof t);
    uint32_t id = 99;
    CHECK_INT(report_strings_add(&t, "a", 1, &id), 1);
    CHECK_INT(id, 0);
    CHECK_INT(report_strings_add(&t, "a\0b", 3, &id), 1); /* a NUL inside counts */
    CHECK_INT(id, 1);
    CHECK_INT(report_strings_add(&t, "", 0, &id), 1);
    CHECK_INT(id, 2);
    CHECK_INT(report_strings_add(&t, "a", 1, &id), 0);
    CHECK_INT(id, 0);
    CHECK_INT(report_strings_add(&t, "a\0b", 3, &id), 0);
    CHECK_INT(id, 1);
    CHECK_INT(t.lens[1], 3);
    CHECK_STR(t.strs[0], "a");
    CHECK_STR(t.strs[2], "");
    char s[32];
    int bad = 0;
    for (int i = 0; i < 5000; i++) { /* many growths */
        int n = snprintf(s, sizeof s, "host%d.example", i);
        bad += report_strings_add(&t, s, (size_t)n, &id) != 1 || id != (uint32_t)i + 3;
    }
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(s, sizeof s, "host%d.example", i);
        bad += report_strings_add(&t, s, (size_t)n, &id) != 0 || id != (uint32_t)i + 3;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(t.n, 5003);
    CHECK_STR(t.strs[4002], "host3999.example");
    report_strings_free(&t);
    CHECK(t.n == 0 && t.strs == NULL);
    report_strings_free(&t); /* twice is harmless */
}

static void test_keys(void)
{
    struct report_keys t;
    memset(&t, 0, sizeof t);
    uint32_t id = 99;
    CHECK_INT(report_keys_add(&t, 0, &id), 1); /* 0 is a key like any other */
    CHECK_INT(id, 0);
    CHECK_INT(report_keys_add(&t, UINT64_MAX, &id), 1);
    CHECK_INT(id, 1);
    int bad = 0;
    for (uint64_t k = 1; k <= 20000; k++)
        bad += report_keys_add(&t, k << 32, &id) != 1 || id != (uint32_t)k + 1;
    for (uint64_t k = 1; k <= 20000; k++)
        bad += report_keys_add(&t, k << 32, &id) != 0 || id != (uint32_t)k + 1;
    CHECK_INT(bad, 0);
    CHECK_INT(report_keys_add(&t, 0, &id), 0);
    CHECK_INT(id, 0);
    CHECK_INT(t.n, 20002);
    CHECK(t.keys[2] == 1ULL << 32);
    report_keys_free(&t);
    CHECK(t.n == 0 && t.keys == NULL);
}

int main(void)
{
    test_strings();
    test_keys();
    return TEST_REPORT();
}
