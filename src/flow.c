/*
 * flow.c - the connection table.
 * Owns: connections keyed by the canonical TCP 5-tuple (chained hash, grown as it fills,
 *       bounded by max_conns), an LRU list by last activity for idle timeouts and
 *       eviction, client/server detection, the two reassembly halves of each connection.
 * In:   decoded segments in capture order.
 * Out:  open, data, gap and close events through struct flow_events, and a warm hint
 *       before the payload of a known connection.
 * Never: looks at payload content, keeps a pointer into packet data.
 */
#include "flow.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLOW_MIN_BUCKETS 256u
#define FLOW_MAX_BUCKETS (1u << 26)
#define FLOW_HASH_WORDS 6 /* key words: two per address, two for the last product */

struct flow_table {
    struct flow_config cfg;
    struct flow_events ev;
    struct flow_conn **bucket; /* nbucket chains */
    uint32_t nbucket;          /* a power of two */
    uint32_t max_bucket;       /* the table never grows past this many chains */
    uint64_t key[FLOW_HASH_WORDS]; /* keys the hash, so crafted tuples cannot pile up in a
                                       chain; from cfg.hash_key */
    struct flow_conn *lru_head; /* least recently active */
    struct flow_conn *lru_tail; /* most recently active */
    struct flow_stats stats;   /* active is kept up to date here */
    struct reasm_budget budget; /* out-of-order bytes queued by every connection */
};

/* What a reassembly half needs to reach the caller's events. */
struct side_sink {
    struct flow_table *t;
    struct flow_conn *c;
    int side;
};

static const char *const end_names[] = {
#define FLOW_END_NAME(id, name) name,
    FLOW_ENDS(FLOW_END_NAME)
#undef FLOW_END_NAME
};

const char *flow_end_name(enum flow_end why)
{
    if ((unsigned)why >= FLOW_END_COUNT)
        return "unknown";
    return end_names[why];
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Eight bytes as a big-endian number: words compare as the bytes would one by one. */
static uint64_t load64_be(const uint8_t *p)
{
    uint64_t v = load64(p);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* The sign of memcmp(a, b, 16), without a call to memcmp (twice per packet on every
 * reading thread). */
static inline int addr_cmp(const uint8_t *a, const uint8_t *b)
{
    uint64_t a0 = load64_be(a), b0 = load64_be(b);
    if (a0 != b0)
        return a0 > b0 ? 1 : -1;
    uint64_t a1 = load64_be(a + 8), b1 = load64_be(b + 8);
    return a1 > b1 ? 1 : a1 < b1 ? -1 : 0;
}

#ifdef __SIZEOF_INT128__
/* The two halves of the 128-bit product folded together (wyhash's "mum"): every bit of
 * both operands reaches the result in one multiply. */
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    __extension__ unsigned __int128 p = (unsigned __int128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}
#else
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    return mix64(a ^ mix64(b));
}
#endif

/*
 * Hash of the canonical tuple under key k: the lower (address, port) first, so both
 * directions agree. Three multiplies, those of the two addresses independent of each
 * other (it runs for every packet on every reading thread).
 */
static inline uint64_t canonical_hash(const struct segment *s, const uint64_t k[FLOW_HASH_WORDS])
{
    const uint8_t *a = s->src;
    const uint8_t *b = s->dst;
    uint16_t pa = s->sport;
    uint16_t pb = s->dport;
    int cmp = addr_cmp(a, b);
    if (cmp > 0 || (cmp == 0 && pa > pb)) {
        a = s->dst;
        b = s->src;
        pa = s->dport;
        pb = s->sport;
    }
    uint64_t x = fold_mul(load64(a) ^ k[0], load64(a + 8) ^ k[1]);
    uint64_t y = fold_mul(load64(b) ^ k[2], load64(b + 8) ^ k[3]);
    uint64_t ports = (uint64_t)pa << 24 | (uint64_t)pb << 8 | s->ip_version;
    return fold_mul(x ^ ports ^ k[4], y ^ k[5]);
}

uint64_t flow_random_key(void)
{
    static _Atomic uint64_t calls;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t k = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 32) ^
                 (uint64_t)(uintptr_t)&now ^ (atomic_fetch_add(&calls, 1) << 48);
    k = mix64(k);
    return k ? k : 1;
}

uint64_t flow_hash(const struct flow_table *t, const struct segment *s)
{
    return canonical_hash(s, t->key);
}

uint32_t flow_share(uint64_t hash, uint32_t n_shards)
{
    if (n_shards <= 1)
        return 0;
    return (uint32_t)((hash >> 32) % n_shards); /* the low half picks the chain */
}

/* The hash's key words from one 64-bit key: the same key, the same hashes. */
static void expand_key(uint64_t key, uint64_t k[FLOW_HASH_WORDS])
{
    for (int i = 0; i < FLOW_HASH_WORDS; i++) {
        key = mix64(key + 0x9e3779b97f4a7c15ULL);
        k[i] = key;
    }
}

struct flow_table *flow_create(const struct flow_config *cfg, const struct flow_events *ev)
{
    struct flow_table *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->ev = *ev;
    t->budget.cap = cfg->reasm_total_bytes;
    if (t->cfg.max_conns == 0)
        t->cfg.max_conns = 1;
    t->max_bucket = FLOW_MIN_BUCKETS;
    while (t->max_bucket < t->cfg.max_conns && t->max_bucket < FLOW_MAX_BUCKETS)
        t->max_bucket <<= 1;
    t->nbucket = FLOW_MIN_BUCKETS;
    t->bucket = calloc(t->nbucket, sizeof(*t->bucket));
    if (!t->bucket) {
        free(t);
        return NULL;
    }
    expand_key(cfg->hash_key ? cfg->hash_key : flow_random_key(), t->key);
    return t;
}

void flow_set_client(struct flow_conn *c, int side)
{
    if (side == 0 || side == 1)
        c->client = (int8_t)side;
}

void flow_get_stats(const struct flow_table *t, struct flow_stats *st)
{
    *st = t->stats;
}

static void lru_unlink(struct flow_table *t, struct flow_conn *c)
{
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        t->lru_head = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        t->lru_tail = c->lru_prev;
    c->lru_prev = NULL;
    c->lru_next = NULL;
}

static void lru_append(struct flow_table *t, struct flow_conn *c)
{
    c->lru_prev = t->lru_tail;
    c->lru_next = NULL;
    if (t->lru_tail)
        t->lru_tail->lru_next = c;
    else
        t->lru_head = c;
    t->lru_tail = c;
}

static void hash_unlink(struct flow_table *t, struct flow_conn *c)
{
    struct flow_conn **pp = &t->bucket[c->hash & (t->nbucket - 1)];
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = c->hnext;
    c->hnext = NULL;
}

/* Double the chains when the table is as full as it has chains; on failure keep going
 * with longer chains. */
static void maybe_grow(struct flow_table *t)
{
    if (t->stats.active < t->nbucket || t->nbucket >= t->max_bucket)
        return;
    uint32_t n = t->nbucket << 1;
    struct flow_conn **b = calloc(n, sizeof(*b));
    if (!b)
        return;
    for (uint32_t i = 0; i < t->nbucket; i++) {
        struct flow_conn *c = t->bucket[i];
        while (c) {
            struct flow_conn *next = c->hnext;
            struct flow_conn **head = &b[c->hash & (n - 1)];
            c->hnext = *head;
            *head = c;
            c = next;
        }
    }
    free(t->bucket);
    t->bucket = b;
    t->nbucket = n;
}

static void sink_data(void *user, const uint8_t *p, size_t n, int64_t ts_ns)
{
    struct side_sink *x = user;
    if (x->t->ev.data)
        x->t->ev.data(x->t->ev.user, x->c, x->side, p, n, ts_ns);
}

static void sink_gap(void *user, uint64_t bytes, int64_t ts_ns)
{
    struct side_sink *x = user;
    if (x->t->ev.gap)
        x->t->ev.gap(x->t->ev.user, x->c, x->side, bytes, ts_ns);
}

/* Take c out of the table, deliver what reassembly holds, raise close, free it. */
static void close_conn(struct flow_table *t, struct flow_conn *c, enum flow_end why,
                       int64_t ts_ns)
{
    /* Both FINs were seen; it only waited for a hole to be settled. */
    if (why != FLOW_END_RST && c->fin[0] && c->fin[1])
        why = FLOW_END_FIN;
    hash_unlink(t, c);
    lru_unlink(t, c);
    t->stats.active--;
    for (int side = 0; side < 2; side++) {
        struct side_sink x = {t, c, side};
        struct stream_sink sink = {sink_data, sink_gap, &x};
        reasm_flush(&c->half[side], ts_ns, &sink);
    }
    t->stats.closed[why]++;
    t->stats.ooo_cap_hits += c->half[0].stats.cap_hits + c->half[1].stats.cap_hits;
    t->stats.reasm_cap_hits +=
        c->half[0].stats.shared_cap_hits + c->half[1].stats.shared_cap_hits;
    if (t->ev.close)
        t->ev.close(t->ev.user, c, why, ts_ns);
    reasm_free(&c->half[0]);
    reasm_free(&c->half[1]);
    free(c);
}

/* Close connections idle for longer than the timeout at capture time now_ns. */
static void expire(struct flow_table *t, int64_t now_ns)
{
    if (t->cfg.idle_timeout_ns <= 0)
        return;
    /* Computed without overflow even for absurd timestamps. */
    while (t->lru_head && now_ns > t->lru_head->last_ns &&
           (uint64_t)now_ns - (uint64_t)t->lru_head->last_ns > (uint64_t)t->cfg.idle_timeout_ns)
        close_conn(t, t->lru_head, FLOW_END_TIMEOUT, now_ns);
}

static struct flow_conn *lookup(const struct flow_table *t, const struct segment *s,
                                uint32_t h, int *side)
{
    for (struct flow_conn *c = t->bucket[h & (t->nbucket - 1)]; c; c = c->hnext) {
        if (c->hash != h || c->ip_version != s->ip_version)
            continue;
        if (c->port[0] == s->sport && c->port[1] == s->dport &&
            memcmp(c->addr[0], s->src, 16) == 0 && memcmp(c->addr[1], s->dst, 16) == 0) {
            *side = 0;
            return c;
        }
        if (c->port[0] == s->dport && c->port[1] == s->sport &&
            memcmp(c->addr[0], s->dst, 16) == 0 && memcmp(c->addr[1], s->src, 16) == 0) {
            *side = 1;
            return c;
        }
    }
    return NULL;
}

/* A new connection whose side 0 is the sender of s; NULL when out of memory. */
static struct flow_conn *new_conn(struct flow_table *t, const struct segment *s, uint32_t h)
{
    if (t->stats.active >= t->cfg.max_conns && t->lru_head)
        close_conn(t, t->lru_head, FLOW_END_EVICTED, s->ts_ns);
    struct flow_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->ip_version = s->ip_version;
    memcpy(c->addr[0], s->src, 16);
    memcpy(c->addr[1], s->dst, 16);
    c->port[0] = s->sport;
    c->port[1] = s->dport;
    c->client = -1;
    c->first_ns = s->ts_ns;
    c->last_ns = s->ts_ns;
    reasm_init(&c->half[0], t->cfg.reasm_cap_bytes, &t->budget);
    reasm_init(&c->half[1], t->cfg.reasm_cap_bytes, &t->budget);
    c->hash = h;
    maybe_grow(t);
    struct flow_conn **head = &t->bucket[h & (t->nbucket - 1)];
    c->hnext = *head;
    *head = c;
    lru_append(t, c);
    t->stats.active++;
    t->stats.opened++;
    if (t->stats.active > t->stats.peak_active)
        t->stats.peak_active = t->stats.active;
    return c;
}

/*
 * A SYN on a connection that already carried data or ended, with a new ISN: the ports
 * were reused by a new connection before the old one was seen to close. A side that
 * never sent anything may still answer the other side's SYN (after TCP Fast Open data):
 * a SYN+ACK acknowledging that ISN is the handshake, not a new connection.
 */
static int is_reused(const struct flow_conn *c, int side, const struct segment *s)
{
    if (!(c->bytes[0] || c->bytes[1] || c->fin[0] || c->fin[1] || c->rst))
        return 0;
    if (c->half[side].saw_syn)
        return c->isn[side] != s->seq;
    if (c->bytes[side] || c->fin[side])
        return 1;
    const struct reasm *o = &c->half[1 - side];
    int32_t d = reasm_seq_diff(s->ack, c->isn[1 - side] + 1);
    int answers = (s->flags & TCP_ACK) && o->saw_syn && d >= 0 && d <= (1 << 30);
    return !answers;
}

static void note_syn(struct flow_table *t, struct flow_conn *c, int side,
                     const struct segment *s)
{
    struct reasm *r = &c->half[side];
    c->saw_syn = 1;
    c->client = (int8_t)((s->flags & TCP_ACK) ? 1 - side : side);
    if (r->saw_syn && c->isn[side] != s->seq) {
        /* A new attempt before any data: start this half again. */
        uint64_t hits = r->stats.cap_hits, shared_hits = r->stats.shared_cap_hits;
        reasm_free(r);
        reasm_init(r, t->cfg.reasm_cap_bytes, &t->budget);
        r->stats.cap_hits = hits; /* limit hits are never forgotten */
        r->stats.shared_cap_hits = shared_hits;
    }
    if (!r->has_seq) {
        reasm_syn(r, s->seq);
        c->isn[side] = s->seq;
    }
    /* A SYN+ACK acknowledges the other side's SYN: its ISN is ack - 1 (RFC 9293 §3.5). */
    struct reasm *o = &c->half[1 - side];
    if ((s->flags & TCP_ACK) && !o->has_seq) {
        reasm_syn(o, s->ack - 1);
        c->isn[1 - side] = s->ack - 1;
    }
}

/*
 * After its FIN, a side is finished when every byte before the FIN was delivered, or
 * when the peer ACKed the FIN (missing bytes will not come: they become gaps). Until
 * then a retransmission may still fill a hole, so the connection stays open.
 */
static int half_done(const struct reasm *r)
{
    if (!r->has_seq || (!r->queue && reasm_seq_diff(r->next_seq, r->fin_seq) >= 0))
        return 1;
    return r->has_ack && reasm_seq_diff(r->acked_upto, r->fin_seq) >= 0;
}

void flow_input(struct flow_table *t, const struct segment *s, uint64_t hash)
{
    expire(t, s->ts_ns);

    uint32_t h = (uint32_t)hash;
    int side = 0;
    struct flow_conn *c = lookup(t, s, h, &side);
    int has_payload = s->payload_len > 0 || s->payload_missing > 0;
    int is_syn = (s->flags & TCP_SYN) != 0;

    if (c && is_syn && is_reused(c, side, s)) {
        close_conn(t, c, FLOW_END_REUSED, s->ts_ns);
        c = NULL;
    }
    int is_new = 0;
    if (!c) {
        if (!is_syn && !has_payload) {
            t->stats.ignored_segments++;
            return;
        }
        c = new_conn(t, s, h);
        if (!c) {
            t->stats.ignored_segments++;
            return;
        }
        side = 0;
        is_new = 1;
    } else {
        if (has_payload && t->ev.warm)
            t->ev.warm(t->ev.user, c, side);
        if (c != t->lru_tail) {
            lru_unlink(t, c);
            lru_append(t, c);
        }
    }

    c->packets[side]++;
    c->bytes[side] += (uint64_t)s->payload_len + s->payload_missing;
    c->last_ns = s->ts_ns;
    if (is_syn)
        note_syn(t, c, side, s);
    if (is_new && t->ev.open)
        t->ev.open(t->ev.user, c);

    struct side_sink x[2] = {{t, c, 0}, {t, c, 1}};
    struct stream_sink sink[2] = {{sink_data, sink_gap, &x[0]}, {sink_data, sink_gap, &x[1]}};
    /* Data on a SYN (TCP Fast Open) starts after the SYN's sequence number. */
    uint32_t data_seq = s->seq + (is_syn ? 1u : 0u);
    if (has_payload)
        reasm_push(&c->half[side], data_seq, s->payload, s->payload_len, s->payload_missing,
                   s->ts_ns, &sink[side]);
    if (s->flags & TCP_ACK)
        reasm_ack(&c->half[1 - side], s->ack, s->ts_ns, &sink[1 - side]);
    if (s->flags & TCP_FIN) {
        reasm_fin(&c->half[side], data_seq + s->payload_len + s->payload_missing);
        c->fin[side] = 1;
    }
    if (s->flags & TCP_RST) {
        c->rst = 1;
        close_conn(t, c, FLOW_END_RST, s->ts_ns);
    } else if (c->fin[0] && c->fin[1] && half_done(&c->half[0]) && half_done(&c->half[1])) {
        close_conn(t, c, FLOW_END_FIN, s->ts_ns);
    }
}

void flow_expire_idle(struct flow_table *t, int64_t now_ns)
{
    expire(t, now_ns);
}

void flow_flush_all(struct flow_table *t, int64_t now_ns)
{
    while (t->lru_head)
        close_conn(t, t->lru_head, FLOW_END_CAPTURE_END, now_ns);
}

void flow_destroy(struct flow_table *t)
{
    if (!t)
        return;
    struct flow_conn *c = t->lru_head;
    while (c) {
        struct flow_conn *next = c->lru_next;
        reasm_free(&c->half[0]);
        reasm_free(&c->half[1]);
        free(c);
        c = next;
    }
    free(t->bucket);
    free(t);
}
