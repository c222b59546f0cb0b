/*
 * genutil.c - the random numbers and size arguments of the load generators.
 * Owns: nothing but the arithmetic. Never: allocates, reads the clock.
 */
#include "genutil.h"

#include <stdio.h>
#include <time.h>

#include <stdlib.h>
#include <string.h>

uint64_t rnd(struct rng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}

uint32_t between(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rnd(r) % ((uint64_t)hi - lo + 1));
}

int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return -1;
    const char *units = "KMG";
    const char *u = *end != '\0' ? strchr(units, *end & ~0x20) : NULL;
    if (u != NULL) {
        v <<= 10 * (u - units + 1);
        end++;
    }
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

const char *date_line_at(struct date_cache *c, int64_t now_ns)
{
    int64_t sec = now_ns / 1000000000;
    if (sec != c->sec) {
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(c->line, sizeof c->line, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        c->sec = sec;
    }
    return c->line;
}

void random_path(struct rng *r, char *out, size_t cap)
{
    switch (rnd(r) % 5) {
    case 0:
        snprintf(out, cap, "/api/v1/items/%u", between(r, 1, 999999));
        break;
    case 1:
        snprintf(out, cap, "/static/js/app.%08x.js", (unsigned)rnd(r));
        break;
    case 2:
        snprintf(out, cap, "/images/%u.png", between(r, 1, 99999));
        break;
    case 3:
        snprintf(out, cap, "/search?q=%08x&page=%u", (unsigned)rnd(r), between(r, 1, 9));
        break;
    default:
        snprintf(out, cap, "/");
        break;
    }
}

const char *random_agent(struct rng *r)
{
    static const char *const agents[] = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Safari/537.36"),
        "curl/8.4.0",
        "python-requests/2.31.0",
    };
    return agents[rnd(r) % 4];
}
