/*
 * genutil.h - what the load generators (tests/tools/genload.c, genbench.c) share: a
 * seeded xorshift64* generator, so a seed always writes the same capture, and sizes
 * given as "512M".
 */
#ifndef HTTPCAP_GENUTIL_H
#define HTTPCAP_GENUTIL_H

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

#endif
