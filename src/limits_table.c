/*
 * limits_table.c - the limit table of limits_table.h: defaults, names and parsing of values.
 * Owns: nothing but that table's lookups.
 * In:   option text. Out: numbers in struct limits.
 * Never: enforces a limit.
 */
#include "limits_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct limit_info {
    const char *name;
    uint64_t def, lo, hi;
    const char *what;
};

static const struct limit_info table[LIMIT_COUNT] = {
#define LIMIT_ROW(id, name, def, lo, hi, what) {name, (def), (lo), (hi), what},
    LIMITS(LIMIT_ROW)
#undef LIMIT_ROW
};

void limits_defaults(struct limits *l)
{
    memset(l, 0, sizeof *l);
    for (int i = 0; i < LIMIT_COUNT; i++)
        l->value[i] = table[i].def;
}

int limits_find(const char *name)
{
    for (int i = 0; i < LIMIT_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

const char *limits_name(int i)
{
    return table[i].name;
}

const char *limits_what(int i)
{
    return table[i].what;
}

/* "64k" -> 65536; -1 when text is no number or overflows. */
static int parse_size(const char *text, uint64_t *out)
{
    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0)
        return -1;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int limits_set(struct limits *l, int i, const char *text, char err[HTTPCAP_ERRBUF])
{
    const struct limit_info *li = &table[i];
    uint64_t v;
    if (parse_size(text, &v) != 0 || v < li->lo || v > li->hi) {
        snprintf(err, HTTPCAP_ERRBUF, "--%s: '%.40s' is not a number from %llu to %llu",
                 li->name, text, (unsigned long long)li->lo, (unsigned long long)li->hi);
        return -1;
    }
    l->value[i] = v;
    return 0;
}

void limits_longopts(const struct option *base, int n, struct option *out)
{
    memcpy(out, base, (size_t)n * sizeof *out);
    for (int i = 0; i < LIMIT_COUNT; i++)
        out[n + i] = (struct option){table[i].name, required_argument, NULL, LIMITS_OPT_BASE + i};
    out[n + LIMIT_COUNT] = (struct option){NULL, 0, NULL, 0};
}

void limits_usage(FILE *f)
{
    fputs("  limits (N takes k, m, g; each hit is counted in table capture_limits):\n", f);
    for (int i = 0; i < LIMIT_COUNT; i++)
        fprintf(f, "      --%s N%*s(default %llu)\n          %s\n", table[i].name,
                (int)(30 - strlen(table[i].name)), "", (unsigned long long)table[i].def,
                table[i].what);
}
