/*
 * test_pq.c - libpq opened on first use (pq.c): before loading, freeing nothing is safe;
 * a missing library and one without libpq's functions give one clear line and leave the
 * table as it was; Debian's libpq5 loads, every function is found, and loading twice is
 * loading once.
 */
#include "pq.h"

#include <stdio.h>
#include <string.h>

#include "testhelp.h"

int main(void)
{
    char err[HTTPCAP_ERRBUF] = "";

    pq.PQclear(NULL); /* cleanup paths may run before any connection */
    pq.PQfinish(NULL);
    CHECK(pq.PQexec == NULL);

    CHECK_INT(pq_load_from("libhttpcap-no-such-library.so.0", err), -1);
    CHECK(strstr(err, "PostgreSQL's client library libhttpcap-no-such-library.so.0 cannot be"
                      " loaded: ") == err);
    CHECK(strstr(err, "; install Debian's libpq5") != NULL);
    CHECK(strchr(err, '\n') == NULL);

    err[0] = '\0';
    CHECK_INT(pq_load_from("libm.so.6", err), -1); /* a library, but not libpq */
    CHECK_STR(err, "libm.so.6 has no function PQclear");
    CHECK(pq.PQexec == NULL); /* nothing half filled */

    err[0] = '\0';
    CHECK_INT(pq_load(err), 0);
    CHECK_STR(err, "");
#define PQ_CHECK_FOUND(f) CHECK(pq.f != NULL);
    PQ_FUNCTIONS(PQ_CHECK_FOUND)
#undef PQ_CHECK_FOUND
    void *exec = (void *)pq.PQexec;
    CHECK_INT(pq_load(err), 0);
    CHECK(exec == (void *)pq.PQexec);
    pq.PQclear(NULL); /* libpq's own, NULL-safe */
    return TEST_REPORT();
}
