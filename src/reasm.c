/*
 * reasm.c - one direction of a TCP connection as an ordered byte stream.
 * Owns: next expected sequence number, the out-of-order queue (capped), overlap/gap counts.
 * In:   segments of one direction, in capture order, from flow.c; the peer's ACKs.
 * Out:  in-order bytes and gap events through struct stream_sink.
 * Never: parses HTTP, grows past its cap, keeps a pointer into packet data, allocates
 *        for in-order data.
 */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

/*
 * The farthest a segment may lie ahead of the stream, and the largest hole an ACK or
 * FIN may declare lost: a scaled window never exceeds 2^30 bytes (RFC 7323 §2.3), so
 * anything farther is bogus or hostile and must not turn the stream into one big gap.
 */
#define REASM_MAX_AHEAD (1u << 30)

/* A queued out-of-order copy. The queue is sorted by seq, its spans never overlap and all
 * lie strictly after next_seq. The list is doubly linked with head->prev = tail, so the
 * common case (appending behind one hole) does not walk the list. */
struct reasm_seg {
    struct reasm_seg *next; /* higher seq; NULL at the tail */
    struct reasm_seg *prev; /* lower seq; the head's prev is the tail */
    int64_t ts_ns;          /* capture time of the packet that carried these bytes */
    uint32_t seq;           /* sequence number of data[0] */
    uint32_t len;           /* captured bytes in data[] */
    uint32_t missing;       /* bytes after data[] that were on the wire but not captured */
    uint8_t data[];
};

/* What a copy costs against cap_bytes: its bytes plus its bookkeeping, so that many tiny
 * segments cannot hold more memory than the cap says. */
static uint64_t seg_cost(uint64_t len)
{
    return len + sizeof(struct reasm_seg);
}

static uint64_t seg_span(const struct reasm_seg *s)
{
    return (uint64_t)s->len + s->missing;
}

void reasm_init(struct reasm *r, uint32_t cap_bytes, struct reasm_budget *budget)
{
    memset(r, 0, sizeof(*r));
    r->cap_bytes = cap_bytes;
    r->budget = budget;
}

/* Queued bytes change by +add - sub, on the stream and its budget. */
static void charge(struct reasm *r, uint64_t add, uint64_t sub)
{
    r->queued_bytes = (uint32_t)(r->queued_bytes + add - sub);
    if (r->budget)
        r->budget->used = r->budget->used + add - sub;
}

/* 1 when `copies` more copies costing cost bytes fit the stream's caps and the shared one;
 * else 0, with the cap that was met counted (once per segment: count is 1). */
static int fits(struct reasm *r, uint64_t cost, uint32_t copies, int count)
{
    if (r->queued_bytes + cost > r->cap_bytes ||
        r->queued_copies + copies > REASM_MAX_COPIES) {
        r->stats.cap_hits += (uint64_t)count;
        return 0;
    }
    struct reasm_budget *b = r->budget;
    if (b && b->cap > 0 && b->used + cost > b->cap) {
        r->stats.shared_cap_hits += (uint64_t)count;
        return 0;
    }
    return 1;
}

void reasm_syn(struct reasm *r, uint32_t isn)
{
    /* A retransmitted SYN, or one arriving after data already fixed the position. */
    if (r->has_seq)
        return;
    r->next_seq = isn + 1; /* RFC 9293 §3.4: the SYN occupies one sequence number */
    r->has_seq = 1;
    r->saw_syn = 1;
}

void reasm_fin(struct reasm *r, uint32_t seq)
{
    if (r->has_fin)
        return;
    r->fin_seq = seq;
    r->has_fin = 1;
}

static void put_data(struct reasm *r, const uint8_t *p, uint64_t n, int64_t ts_ns,
                     const struct stream_sink *sink)
{
    if (n == 0)
        return;
    r->next_seq += (uint32_t)n;
    r->stats.bytes += n;
    if (sink && sink->data)
        sink->data(sink->user, p, (size_t)n, ts_ns);
}

static void put_gap(struct reasm *r, uint64_t n, int64_t ts_ns, const struct stream_sink *sink)
{
    if (n == 0)
        return;
    r->next_seq += (uint32_t)n;
    r->stats.gap_bytes += n;
    if (sink && sink->gap)
        sink->gap(sink->user, n, ts_ns);
}

/* Deliver [a, b) of a segment whose first n bytes at p were captured and the rest not. */
static void put_range(struct reasm *r, const uint8_t *p, uint32_t n, uint64_t a, uint64_t b,
                      int64_t ts_ns, const struct stream_sink *sink)
{
    if (a >= b)
        return;
    if (a < n)
        put_data(r, p + a, (b < n ? b : n) - a, ts_ns, sink);
    if (b > n)
        put_gap(r, b - (a > n ? a : n), ts_ns, sink);
}

/* 1 when the captured bytes of two copies differ over len bytes from offsets oa and ob. */
static int differs(const uint8_t *pa, uint32_t na, uint64_t oa, const uint8_t *pb, uint32_t nb,
                   uint64_t ob, uint64_t len)
{
    if (oa >= na || ob >= nb)
        return 0;
    if (len > na - oa)
        len = na - oa;
    if (len > nb - ob)
        len = nb - ob;
    return memcmp(pa + oa, pb + ob, (size_t)len) != 0;
}

static struct reasm_seg *pop_head(struct reasm *r)
{
    struct reasm_seg *s = r->queue;
    r->queue = s->next;
    if (r->queue)
        r->queue->prev = s->prev;
    charge(r, 0, seg_cost(s->len));
    r->queued_copies--;
    return s;
}

/* Link s before q, or at the tail when q is NULL. */
static void link_before(struct reasm *r, struct reasm_seg *s, struct reasm_seg *q)
{
    struct reasm_seg *head = r->queue;
    if (!head) {
        s->next = NULL;
        s->prev = s;
        r->queue = s;
    } else if (!q) {
        struct reasm_seg *tail = head->prev;
        tail->next = s;
        s->prev = tail;
        s->next = NULL;
        head->prev = s;
    } else {
        s->next = q;
        s->prev = q->prev;
        if (q == head)
            r->queue = s;
        else
            q->prev->next = s;
        q->prev = s;
    }
}

/* Deliver queued copies that the stream has reached, each with its own time. */
static void drain(struct reasm *r, const struct stream_sink *sink)
{
    while (r->queue && reasm_seq_diff(r->queue->seq, r->next_seq) <= 0) {
        struct reasm_seg *s = pop_head(r);
        uint64_t skip = (uint32_t)(r->next_seq - s->seq);
        put_range(r, s->data, s->len, skip, seg_span(s), s->ts_ns, sink);
        free(s);
    }
}

/* Give up on the hole before the queue head: it becomes a gap, the queue drains. */
static void skip_hole(struct reasm *r, int64_t ts_ns, const struct stream_sink *sink)
{
    int32_t d = reasm_seq_diff(r->queue->seq, r->next_seq);
    if (d > 0)
        put_gap(r, (uint64_t)d, ts_ns, sink);
    drain(r, sink);
}

/*
 * Deliver a segment that starts at next_seq. Its bytes go straight from p, except where
 * an earlier copy is queued: that copy wins (first copy wins) and is delivered in its place.
 */
static void deliver(struct reasm *r, uint32_t seq, const uint8_t *p, uint32_t n,
                    uint32_t missing, int64_t ts_ns, const struct stream_sink *sink)
{
    uint64_t end = (uint64_t)n + missing;
    for (;;) {
        uint64_t cur = (uint32_t)(r->next_seq - seq);
        if (cur >= end)
            break;
        struct reasm_seg *q = r->queue;
        uint64_t lim = end;
        if (q) {
            int32_t d = reasm_seq_diff(q->seq, r->next_seq);
            if (d <= 0) {
                uint64_t qoff = (uint64_t)-(int64_t)d;
                if (differs(p, n, cur, q->data, q->len, qoff, end - cur))
                    r->stats.overlap_conflicts++;
                pop_head(r);
                put_range(r, q->data, q->len, qoff, seg_span(q), q->ts_ns, sink);
                free(q);
                continue;
            }
            if (cur + (uint64_t)d < lim)
                lim = cur + (uint64_t)d;
        }
        put_range(r, p, n, cur, lim, ts_ns, sink);
    }
    drain(r, sink);
}

/*
 * Place a segment lying ahead of next_seq into the queue, keeping only the parts no
 * queued copy holds yet. With do_it == 0 nothing changes and the cost of the new copies
 * is returned (their number added to *copies); with do_it == 1 they are made, overlaps
 * compared and counted.
 */
static uint64_t place(struct reasm *r, uint32_t seq, const uint8_t *p, uint32_t n,
                      uint32_t missing, int64_t ts_ns, int do_it, uint32_t *copies)
{
    /* Offsets relative to next_seq; every queued span lies in (0, 2^31). */
    uint64_t s = (uint32_t)(seq - r->next_seq);
    uint64_t e = s + n + missing;
    uint64_t cost = 0;
    struct reasm_seg *q = NULL;

    /* The first queued copy ending after s, found from the tail. */
    if (r->queue) {
        struct reasm_seg *t = r->queue->prev;
        for (;;) {
            if ((uint32_t)(t->seq - r->next_seq) + seg_span(t) <= s)
                break;
            q = t;
            if (t == r->queue)
                break;
            t = t->prev;
        }
    }

    uint64_t cur = s;
    while (cur < e) {
        uint64_t qs = e;
        uint64_t qe = e;
        if (q) {
            qs = (uint32_t)(q->seq - r->next_seq);
            qe = qs + seg_span(q);
            if (qs > e)
                qs = e;
        }
        if (qs > cur) {
            /* [cur, qs) is new: captured part first, then the uncaptured rest. */
            uint64_t a = cur - s;
            uint64_t b = qs - s;
            uint64_t have = a < n ? (b < n ? b : n) - a : 0;
            cost += seg_cost(have);
            (*copies)++;
            if (do_it) {
                struct reasm_seg *c = malloc(sizeof(*c) + (size_t)have);
                if (c) {
                    c->ts_ns = ts_ns;
                    c->seq = r->next_seq + (uint32_t)cur;
                    c->len = (uint32_t)have;
                    c->missing = (uint32_t)(b - a - have);
                    if (have)
                        memcpy(c->data, p + a, (size_t)have);
                    link_before(r, c, q);
                    charge(r, seg_cost(have), 0);
                    r->queued_copies++;
                } else {
                    r->stats.dropped_bytes += have; /* the hole stays, a gap later */
                }
            }
        }
        if (!q || qs >= e)
            break;
        if (do_it && differs(p, n, (qs > s ? qs : s) - s, q->data, q->len,
                             (qs > s ? 0 : s - qs), (qe < e ? qe : e) - (qs > s ? qs : s)))
            r->stats.overlap_conflicts++;
        cur = qe;
        q = q->next;
    }
    return cost;
}

void reasm_push(struct reasm *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t missing,
                int64_t ts_ns, const struct stream_sink *sink)
{
    /* No real segment spans 2^30 bytes; clamping keeps every offset far from overflow. */
    if (n > REASM_MAX_AHEAD) {
        n = REASM_MAX_AHEAD;
        missing = 0;
    } else if (missing > REASM_MAX_AHEAD - n) {
        missing = REASM_MAX_AHEAD - n;
    }
    if (n == 0 && missing == 0)
        return;
    r->stats.segments++;
    if (!r->has_seq) {
        /* The capture began mid-connection: the stream starts here. */
        r->next_seq = seq;
        r->has_seq = 1;
    }

    int made_room = 0;
    for (;;) {
        int32_t off = reasm_seq_diff(seq, r->next_seq);
        if (off < 0) {
            uint64_t behind = (uint64_t)-(int64_t)off;
            if (!made_room)
                r->stats.retransmits++;
            if (behind >= (uint64_t)n + missing)
                return;
            if (behind >= n) {
                missing -= (uint32_t)(behind - n);
                n = 0;
            } else {
                p += behind;
                n -= (uint32_t)behind;
            }
            seq = r->next_seq;
            off = 0;
        }
        if (off == 0) {
            deliver(r, seq, p, n, missing, ts_ns, sink);
            return;
        }
        if ((uint32_t)off > REASM_MAX_AHEAD) {
            r->stats.dropped_bytes += n;
            return;
        }
        if (!made_room)
            r->stats.out_of_order++;
        if (r->has_ack && reasm_seq_diff(r->acked_upto, seq) >= 0) {
            /* The receiver has acknowledged this segment's start, so it got the hole
             * before it: those bytes will never reach us. */
            put_gap(r, (uint64_t)off, ts_ns, sink);
            deliver(r, seq, p, n, missing, ts_ns, sink);
            return;
        }
        uint32_t copies = 0;
        uint64_t cost = place(r, seq, p, n, missing, ts_ns, 0, &copies);
        if (fits(r, cost, copies, !made_room)) {
            place(r, seq, p, n, missing, ts_ns, 1, &copies);
            return;
        }
        if (made_room || !r->queue) {
            /* Its bytes become part of a gap when the stream reaches them. */
            r->stats.dropped_bytes += n;
            return;
        }
        /* Over the cap: the oldest hole is the least likely to be filled. */
        skip_hole(r, ts_ns, sink);
        made_room = 1;
    }
}

void reasm_ack(struct reasm *r, uint32_t ack, int64_t ts_ns, const struct stream_sink *sink)
{
    if (r->has_seq && reasm_seq_diff(ack, r->next_seq) > (int32_t)REASM_MAX_AHEAD)
        return;
    /* A recorded ACK that looks implausibly far ahead has fallen 2^31 behind: replace it. */
    if (!r->has_ack || reasm_seq_diff(ack, r->acked_upto) > 0 ||
        (r->has_seq && reasm_seq_diff(r->acked_upto, r->next_seq) > (int32_t)REASM_MAX_AHEAD)) {
        r->acked_upto = ack;
        r->has_ack = 1;
    }
    while (r->queue && reasm_seq_diff(r->acked_upto, r->queue->seq) >= 0)
        skip_hole(r, ts_ns, sink);
}

void reasm_flush(struct reasm *r, int64_t ts_ns, const struct stream_sink *sink)
{
    while (r->queue)
        skip_hole(r, ts_ns, sink);
    if (!r->has_seq)
        return;

    /* Where the stream is known to end: the receiver's ACK or our FIN. */
    int has_end = 0;
    uint32_t end = 0;
    if (r->has_ack) {
        end = r->acked_upto;
        has_end = 1;
        if (r->has_fin) {
            /* RFC 9293 §3.4: the FIN occupies one sequence number; an ACK of it is no data. */
            if (reasm_seq_diff(end, r->fin_seq) > 0)
                end = r->fin_seq;
        } else if (reasm_seq_diff(end, r->next_seq) == 1) {
            /* Most likely the ACK of a FIN the capture missed, not one lost byte. */
            has_end = 0;
        }
    }
    if (r->has_fin && (!has_end || reasm_seq_diff(r->fin_seq, end) > 0)) {
        end = r->fin_seq;
        has_end = 1;
    }
    if (has_end) {
        int32_t d = reasm_seq_diff(end, r->next_seq);
        if (d > 0 && (uint32_t)d <= REASM_MAX_AHEAD)
            put_gap(r, (uint64_t)d, ts_ns, sink);
    }
}

void reasm_free(struct reasm *r)
{
    struct reasm_seg *s = r->queue;
    while (s) {
        struct reasm_seg *next = s->next;
        free(s);
        s = next;
    }
    r->queue = NULL;
    charge(r, 0, r->queued_bytes);
    r->queued_copies = 0;
}
