/*
 * reasm.h - one direction of a TCP connection as an ordered byte stream.
 * Owns: next expected sequence number, the out-of-order queue (capped), counters of
 *       retransmissions, out-of-order segments, overlaps and gap bytes.
 * In:   segments of one direction in capture order (from flow.c), and the peer's ACKs.
 * Out:  in-order bytes and gap events through struct stream_sink.
 * Never: parses HTTP, grows past its cap, keeps a pointer into packet data.
 */
#ifndef HTTPCAP_REASM_H
#define HTTPCAP_REASM_H

#include <stdint.h>
#include <stddef.h>

/* Where in-order bytes go. Pointers handed to data() are valid only during the call. */
struct stream_sink {
    /* n in-order bytes; ts_ns is the capture time of the packet that first carried them.
     * Each call holds bytes of one segment, and starts where that segment's new
     * bytes start (so a caller may look for message starts at the beginning of a call). */
    void (*data)(void *user, const uint8_t *p, size_t n, int64_t ts_ns);
    /* bytes were lost (never captured) before the next data() call. */
    void (*gap)(void *user, uint64_t bytes, int64_t ts_ns);
    void *user;
};

/* Counters of one direction; all reach the connections table. */
struct reasm_stats {
    uint64_t segments;          /* segments with payload */
    uint64_t bytes;             /* payload bytes delivered in order */
    uint64_t retransmits;       /* segments wholly or partly repeating delivered data */
    uint64_t out_of_order;      /* segments that arrived ahead of a hole */
    uint64_t overlap_conflicts; /* overlapping copies whose bytes differ (first copy wins) */
    uint64_t gap_bytes;         /* bytes declared lost */
    uint64_t dropped_bytes;     /* out-of-order bytes not queued because of the cap */
    uint64_t cap_hits;          /* segments that met this stream's cap (a hole became a
                                   gap, or the segment was dropped) */
    uint64_t shared_cap_hits;   /* ... that met the shared budget's cap instead */
};

/* Out-of-order bytes queued by many streams together (--max-reasm-bytes). */
struct reasm_budget {
    uint64_t used;              /* bytes charged by every stream sharing it */
    uint64_t cap;               /* most bytes; 0: no shared cap */
};

struct reasm_seg; /* a queued out-of-order copy (private to reasm.c) */

/* Most copies a queue holds, whatever its byte cap: a copy's place is found by walking
 * the sorted list, so the count bounds the work one segment can cause (4 MiB of 1-byte
 * copies would be 100,000, each walk a quadratic share). 4 MiB of full 1460-byte
 * segments is 2873 copies, so real traffic meets the byte cap first. */
#define REASM_MAX_COPIES 4096u

struct reasm {
    uint32_t next_seq;        /* next expected sequence number; valid when has_seq */
    uint32_t acked_upto;      /* highest ACK from the peer; valid when has_ack */
    uint32_t fin_seq;         /* sequence number of our FIN; valid when has_fin */
    uint8_t has_seq;          /* the stream's position is known */
    uint8_t has_ack;
    uint8_t has_fin;
    uint8_t saw_syn;          /* the stream began at a SYN (its first byte is known) */
    struct reasm_seg *queue;  /* out-of-order copies sorted by seq; owned here */
    uint32_t queued_bytes;    /* bytes held in queue, each copy charged its bookkeeping too
                                 (about 40 bytes), so tiny segments cannot beat the cap */
    uint32_t cap_bytes;       /* most bytes the queue may hold; queued_bytes <= cap_bytes */
    uint32_t queued_copies;   /* copies in queue; <= REASM_MAX_COPIES */
    struct reasm_budget *budget; /* charged with queued_bytes too, or NULL; not owned */
    struct reasm_stats stats;
};

/* Make an empty stream whose queue holds at most cap_bytes, and whose queued bytes also
 * count against budget (NULL: none), which must outlive the stream. Cannot fail. */
void reasm_init(struct reasm *r, uint32_t cap_bytes, struct reasm_budget *budget);

/* A SYN with sequence number isn: the first data byte is isn + 1. Ignored when the
 * stream's position is already known (a retransmitted SYN). Cannot fail. */
void reasm_syn(struct reasm *r, uint32_t isn);

/*
 * Add one segment's payload: n captured bytes at p starting at seq, followed by
 * `missing` bytes that were on the wire but not captured (snaplen), which become a gap
 * right after the captured bytes. In-order bytes go to sink->data() straight from p;
 * bytes ahead of a hole are copied into the queue if the caps allow. Where copies
 * overlap the first one wins (differing bytes are counted in overlap_conflicts). When
 * the cap (or the budget's) is reached the hole before the queue head becomes a gap first; if the
 * segment still does not fit it is dropped (dropped_bytes) and its bytes become part
 * of a later gap. When the peer already ACKed the segment's start, the hole before it
 * is a gap at once. The first segment of a stream without SYN fixes its position.
 * Segments more than 2^30 bytes ahead are bogus and dropped. p may be NULL when n is 0.
 * Cannot fail (when malloc fails the bytes count as dropped).
 */
void reasm_push(struct reasm *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t missing,
                int64_t ts_ns, const struct stream_sink *sink);

/* Our FIN at sequence number seq (after its payload): the stream ends there. The
 * first FIN counts. Cannot fail. */
void reasm_fin(struct reasm *r, uint32_t seq);

/*
 * The peer acknowledged everything before ack: a hole below ack will never be
 * filled, so it becomes a gap and queued data behind it is delivered. With nothing
 * queued no gap is declared here (reasm_flush does). An ACK more than 2^30 bytes
 * ahead of the stream is ignored. Cannot fail.
 */
void reasm_ack(struct reasm *r, uint32_t ack, int64_t ts_ns, const struct stream_sink *sink);

/*
 * End of the stream: deliver everything queued, holes becoming gaps; empties the queue.
 * Then bytes the peer ACKed, or that precede our FIN, but were never seen become a
 * final gap (an ACK of the FIN itself is not data, nor is an ACK exactly one past the
 * stream when no FIN was seen: that is taken for an uncaptured FIN; holes over 2^30
 * bytes are ignored). Cannot fail.
 */
void reasm_flush(struct reasm *r, int64_t ts_ns, const struct stream_sink *sink);

/* Free the queue without delivering it. Cannot fail. */
void reasm_free(struct reasm *r);

/* Signed distance a - b of two sequence numbers (wraparound-safe). */
static inline int32_t reasm_seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

#endif
