/*
 * flow.h - the connection table.
 * Owns: connections keyed by the canonical TCP 5-tuple, which side is client, the
 *       lifecycle (SYN, FIN, RST, idle timeout, end of capture), eviction when full,
 *       per-direction packet/byte counters and the two reassembly halves.
 * In:   decoded segments (struct segment) in capture order.
 * Out:  events of one connection through struct flow_events: open, in-order data
 *       and gaps per side, close; a warm hint before a known connection's payload.
 * Never: looks at payload content, keeps a pointer into packet data.
 */
#ifndef HTTPCAP_FLOW_H
#define HTTPCAP_FLOW_H

#include <stdint.h>

#include "decode.h"
#include "reasm.h"

/* How a connection ended; one table gives the enum and the names stored in SQL. */
#define FLOW_ENDS(X)                          \
    X(FLOW_END_FIN, "fin")                    \
    X(FLOW_END_RST, "rst")                    \
    X(FLOW_END_TIMEOUT, "timeout")            \
    X(FLOW_END_CAPTURE_END, "end-of-capture") \
    X(FLOW_END_EVICTED, "evicted")            \
    X(FLOW_END_REUSED, "port-reused")

enum flow_end {
#define FLOW_END_ENUM(id, name) id,
    FLOW_ENDS(FLOW_END_ENUM)
#undef FLOW_END_ENUM
    FLOW_END_COUNT
};

/*
 * One connection. Side 0 is the endpoint that sent the first packet seen, side 1 the
 * other; `client` says which of them is the client once known.
 */
struct flow_conn {
    /* The first 64 bytes are what a lookup reads (hash chain and tuple) and the caller's
     * state, the next 64 what every packet updates: a packet of a cold connection touches
     * few cache lines. */
    uint32_t hash;            /* private to flow.c */
    uint8_t ip_version;       /* 4 or 6 */
    int8_t client;            /* 0 or 1 once known (SYN, or set by the caller), -1 before */
    uint8_t saw_syn;          /* a SYN (from either side) was seen */
    uint8_t rst;              /* a RST was seen */
    uint16_t port[2];         /* port of side 0 and side 1 */
    uint8_t fin[2];           /* side i sent FIN */
    struct flow_conn *hnext;  /* hash chain; private to flow.c */
    uint8_t addr[2][16];      /* address of side 0 and side 1 */
    void *app;                /* the caller's per-connection state; flow.c does not use it */
    struct flow_conn *lru_prev, *lru_next; /* least recently active first; private */
    int64_t first_ns, last_ns;/* capture time of the first and the latest packet */
    uint64_t packets[2];      /* packets sent by side i */
    uint64_t bytes[2];        /* payload bytes (on the wire) sent by side i */
    struct reasm half[2];     /* half[i]: the byte stream sent by side i */
    uint64_t id;              /* set by the caller in open(); flow.c does not use it */
    uint32_t isn[2];          /* side i's initial sequence number, when half[i].saw_syn;
                                 private to flow.c */
};

struct flow_events {
    /* A new connection; the callee may set c->id and c->app. Raised after the first
     * segment's SYN is recorded (so c->client and half[i].saw_syn reflect it) and before
     * its data. None of these callbacks may call flow_input, flow_flush_all or
     * flow_destroy; flow_set_client is allowed. */
    void (*open)(void *user, struct flow_conn *c);
    /* In-order bytes sent by side `side` (see struct stream_sink for the contract). */
    void (*data)(void *user, struct flow_conn *c, int side, const uint8_t *p, size_t n,
                 int64_t ts_ns);
    /* Bytes sent by `side` were lost before its next data() call. */
    void (*gap)(void *user, struct flow_conn *c, int side, uint64_t bytes, int64_t ts_ns);
    /* The connection ended; the last call for c, which is freed right after. Every
     * byte queued in reassembly has been delivered (holes as gaps) before it. After
     * both FINs a connection closes once no hole before a FIN can still be filled
     * (all delivered, or the FIN ACKed); one that saw both FINs ends as FLOW_END_FIN
     * whatever closes it later, except a RST. */
    void (*close)(void *user, struct flow_conn *c, enum flow_end why, int64_t ts_ns);
    void *user;
    /* Optional, and only a hint: a segment with payload from `side` of a known
     * connection was just looked up, before its reassembly; the callee may prefetch the
     * state its data() would touch (with thousands of connections that state is not in
     * the cache, and fetching its lines while reassembly runs overlaps the misses). It
     * must not change anything. */
    void (*warm)(void *user, const struct flow_conn *c, int side);
};

struct flow_config {
    uint32_t max_conns;        /* most connections in the table (at least 1 is used);
                                  the idlest is evicted */
    int64_t idle_timeout_ns;   /* a connection idle longer (capture time) is closed;
                                  0 or less: never */
    uint32_t reasm_cap_bytes;  /* out-of-order bytes queued per direction */
    uint64_t reasm_total_bytes; /* out-of-order bytes queued over all connections;
                                   0: no such cap */
    uint64_t hash_key;         /* keys the tuple hash (secret, so crafted tuples cannot pile
                                  up in one chain); 0: a random one. The tables of one read
                                  share a key, so they agree on flow_share() */
};

struct flow_stats {
    uint64_t opened;           /* connections created */
    uint64_t closed[FLOW_END_COUNT]; /* by how they ended */
    uint64_t active;           /* in the table now */
    uint64_t peak_active;      /* most at once */
    uint64_t ignored_segments; /* segments of no connection that could not start one */
    uint64_t ooo_cap_hits;     /* segments of closed connections that met the cap per
                                  direction (reasm_stats.cap_hits) */
    uint64_t reasm_cap_hits;   /* ... that met the cap over all connections */
};

struct flow_table;

/* Make a table. Returns NULL when out of memory. cfg and ev are copied. */
struct flow_table *flow_create(const struct flow_config *cfg, const struct flow_events *ev);

/*
 * Feed one segment whose hash is flow_hash(t, s) (the caller has it already, to pick
 * the share): find or create its connection (one lookup), update the lifecycle and
 * counters, run reassembly, and raise events. Connections idle past the timeout (by
 * s->ts_ns) are closed along the way. Cannot fail (when memory runs out the segment is
 * counted as ignored).
 */
void flow_input(struct flow_table *t, const struct segment *s, uint64_t hash);

/* The hash of the segment's connection under t's key: the same for both directions, and
 * in every table made with the same flow_config.hash_key. Cannot fail. */
uint64_t flow_hash(const struct flow_table *t, const struct segment *s);

/* Which of n_shards shares (0..n_shards-1) the connection of that hash belongs to; 0 when
 * n_shards <= 1. Tables with one key agree. Cannot fail. */
uint32_t flow_share(uint64_t hash, uint32_t n_shards);

/* A fresh random key for flow_config.hash_key (never 0). */
uint64_t flow_random_key(void);

/* Say which side is the client when flow.c could not tell (no SYN seen). */
void flow_set_client(struct flow_conn *c, int side);

/* Close the connections idle past the timeout at time now_ns (FLOW_END_TIMEOUT): what
 * flow_input does by packet time, for a live capture whose traffic has stopped (now_ns is
 * then the wall clock). Cannot fail. */
void flow_expire_idle(struct flow_table *t, int64_t now_ns);

/* Close every connection (FLOW_END_CAPTURE_END) at capture time now_ns. */
void flow_flush_all(struct flow_table *t, int64_t now_ns);

/* Counters. Cannot fail. */
void flow_get_stats(const struct flow_table *t, struct flow_stats *st);

/* Name of an end reason ("fin"). */
const char *flow_end_name(enum flow_end why);

/* Free the table and any connection still in it without raising events; NULL does nothing. */
void flow_destroy(struct flow_table *t);

#endif
