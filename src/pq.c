/*
 * pq.c - libpq, opened with dlopen when httpcap first talks to PostgreSQL.
 * Owns: the library handle and the table of its functions (struct pq_api pq).
 * In:   nothing but the library's name. Out: pq, filled, or a one-line error.
 * Never: loads anything when no postgresql:// URL is used.
 *
 * Linked at build time, libpq and what it pulls in (Kerberos, LDAP, GnuTLS, OpenSSL,
 * systemd ...) cost every run of httpcap about 9 ms of start-up, 90% of `httpcap
 * --version` and a third of reading a small capture, although most runs never connect.
 */
#include "pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define PQ_LIBRARY "libpq.so.5" /* Debian's libpq5, which libpq-dev depends on */

static void clear_unloaded(PGresult *res)
{
    (void)res; /* no library, so no result to free */
}

static void finish_unloaded(PGconn *conn)
{
    (void)conn;
}

struct pq_api pq = {.PQclear = clear_unloaded, .PQfinish = finish_unloaded};

int pq_load_from(const char *library, char err[HTTPCAP_ERRBUF])
{
    void *h = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, HTTPCAP_ERRBUF,
                 "PostgreSQL's client library %s cannot be loaded: %.300s; install Debian's"
                 " libpq5",
                 library, why ? why : "?");
        return -1;
    }
    struct pq_api found;
    /* POSIX: a function pointer from dlsym is assigned through a void * */
#define PQ_FIND(f)                                                                           \
    *(void **)(&found.f) = dlsym(h, #f);                                                     \
    if (!found.f) {                                                                          \
        snprintf(err, HTTPCAP_ERRBUF, "%s has no function %s", library, #f);                 \
        dlclose(h);                                                                          \
        return -1;                                                                           \
    }
    PQ_FUNCTIONS(PQ_FIND)
#undef PQ_FIND
    pq = found; /* the handle stays open: pq points into it until exit */
    return 0;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_err[HTTPCAP_ERRBUF];

static void load_once(void)
{
    load_rc = pq_load_from(PQ_LIBRARY, load_err);
}

int pq_load(char err[HTTPCAP_ERRBUF])
{
    pthread_once(&once, load_once);
    if (load_rc != 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s", load_err);
    return load_rc;
}
