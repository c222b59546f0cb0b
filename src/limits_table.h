/*
 * limits_table.h - the caps that keep httpcap bounded on hostile traffic, one table.
 * Owns: each limit's name (its option, "max-connections"), default, range and meaning;
 *       a run's values and how often each was hit, which reach table capture_limits.
 * In:   option text from main.c / cmd_capture.c. Out: values for flow, reasm, http.
 * Never: enforces a limit (the stage that owns the state does) or cuts silently.
 */
#ifndef HTTPCAP_LIMITS_TABLE_H
#define HTTPCAP_LIMITS_TABLE_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"

/* id, option name, default, smallest, largest, what a hit is (for --help and SQL). */
#define LIMITS(X)                                                                          \
    X(LIMIT_CONNECTIONS, "max-connections", 262144, 1, 1u << 26,                           \
      "connections in the table; a hit evicts the idlest one")                             \
    X(LIMIT_HEADER_BYTES, "max-header-bytes", 65536, 256, 1u << 30,                        \
      "start line and header section of one message; a hit is a parse error")              \
    X(LIMIT_HEADERS, "max-headers", 256, 1, 1u << 20,                                      \
      "header fields examined per message; a hit ignores the rest of them")                \
    X(LIMIT_URI_BYTES, "max-uri-bytes", 2048, 16, 8192,                                    \
      "URI bytes stored per request; a hit cuts the URI (flag uri-cut)")                   \
    X(LIMIT_PENDING, "max-pending", 1024, 1, 1u << 20,                                     \
      "queued requests per connection; a hit stores the oldest as unanswered")              \
    X(LIMIT_OOO_BYTES, "max-ooo-bytes", 4u << 20, 0, 1u << 30,                             \
      "out-of-order bytes queued per direction; a hit turns a hole into a gap")            \
    X(LIMIT_REASM_BYTES, "max-reasm-bytes", 64u << 20, 0, 1ull << 32,                      \
      "out-of-order bytes queued over all connections; a hit makes a gap")                 \
    X(LIMIT_STORED_HEADER_BYTES, "max-stored-header-bytes", 65536, 0, 1u << 24,            \
      "--store-headers bytes per transaction; a hit cuts them (headers-cut)")

enum limit_id {
#define LIMIT_ENUM(id, name, def, lo, hi, what) id,
    LIMITS(LIMIT_ENUM)
#undef LIMIT_ENUM
    LIMIT_COUNT
};

/* A run's limits: value[i] as configured, hits[i] how often limit i was reached. */
struct limits {
    uint64_t value[LIMIT_COUNT];
    uint64_t hits[LIMIT_COUNT];
};

/* getopt_long value of limit i's option: LIMITS_OPT_BASE + i. */
#define LIMITS_OPT_BASE 1000

/* Every value at its default, no hits. Cannot fail. */
void limits_defaults(struct limits *l);

/* The limit named name ("max-pending"), or -1. */
int limits_find(const char *name);

/* Limit i's option name and what a hit of it is; i must be < LIMIT_COUNT. */
const char *limits_name(int i);
const char *limits_what(int i);

/*
 * Set limit i from text: a decimal number, optionally followed by k, m or g (binary
 * multiples: 64k is 65536). Returns 0, or -1 with err ("max-pending: '0' is not a number
 * from 1 to 1048576") and nothing changed.
 */
int limits_set(struct limits *l, int i, const char *text, char err[HTTPCAP_ERRBUF]);

/*
 * Copy the n entries of base (without its terminating zero entry) into out, then one
 * "--max-..." option per limit (required argument, value LIMITS_OPT_BASE + i), then the
 * zero entry. out must hold n + LIMIT_COUNT + 1 entries. Cannot fail.
 */
void limits_longopts(const struct option *base, int n, struct option *out);

/* The --help lines of the limit options (name, default, what a hit is). */
void limits_usage(FILE *f);

#endif
