/*
 * pq.h - libpq, PostgreSQL's client library, opened on first use (see pq.c).
 * Callers use pq.PQexec(...) and the like, after pq_load() succeeded; pq.PQclear and
 * pq.PQfinish may be called before (they do nothing then).
 */
#ifndef HTTPCAP_PQ_H
#define HTTPCAP_PQ_H

#include <libpq-fe.h>

#include "errbuf.h"

/* Every libpq function httpcap calls. */
#define PQ_FUNCTIONS(X)                                                                      \
    X(PQclear) X(PQconnectdbParams) X(PQerrorMessage) X(PQescapeLiteral) X(PQexec)           \
    X(PQexecParams) X(PQfinish) X(PQfreemem) X(PQgetisnull) X(PQgetlength) X(PQgetResult)    \
    X(PQgetvalue) X(PQnfields) X(PQntuples) X(PQputCopyData) X(PQputCopyEnd)                 \
    X(PQresultStatus) X(PQsetClientEncoding) X(PQsetNoticeProcessor) X(PQstatus)

#define PQ_MEMBER(f) __typeof__(f) *f;
struct pq_api {
    PQ_FUNCTIONS(PQ_MEMBER)
};
#undef PQ_MEMBER

extern struct pq_api pq;

/* Open libpq (PQ_LIBRARY) once and find every function of PQ_FUNCTIONS. 0, or -1 + err
 * ("... cannot be loaded: why; install Debian's libpq5"). Thread-safe. */
int pq_load(char err[HTTPCAP_ERRBUF]);

/* pq_load with another library name, for tests: 0, or -1 + err; pq is filled only when
 * every function was found. Not thread-safe. */
int pq_load_from(const char *library, char err[HTTPCAP_ERRBUF]);

#endif
