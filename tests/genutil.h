/*
 * genutil.h - what the load generators (tests/tools/genload.c, genbench.c) share: a
 * seeded xorshift64* generator, so a seed always writes the same capture, sizes given
 * as "512M", the request paths and user agents they draw, and the Date header of a
 * capture time.
 */
#ifndef HTTPCAP_GENUTIL_H
#define HTTPCAP_GENUTIL_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s;           /* state; any value but 0 */
};

/* The next 64 random bits. Cannot fail. */
uint64_t rnd(struct rng *r);

/* Uniform in [lo, hi] (lo <= hi). Cannot fail. */
uint32_t between(struct rng *r, uint32_t lo, uint32_t hi);

/* "N", "NK", "NM" or "NG" (powers of 2^10) into *out; 0, or -1 when s is not that. */
int parse_size(const char *s, uint64_t *out);

/* A request path of the mix both generators use: an API item, a hashed script, an image,
 * a search with a query, or "/" (one in five each), into out (cap >= 64). */
void random_path(struct rng *r, char *out, size_t cap);

/* One of four common User-Agent values. */
const char *random_agent(struct rng *r);

/* A Date header line for a capture time, formatted once per second of it. */
struct date_cache {
    int64_t sec;          /* the second line holds; -1 before the first */
    char line[64];        /* "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" */
};

/* The line for now_ns (ns since the epoch), from c when the second is the same. */
const char *date_line_at(struct date_cache *c, int64_t now_ns);

#endif
