/*
 * fuzz_reasm.c - libFuzzer target for reasm.c: the input is a script of segments.
 * Owns: the script format and the invariants checked after every step.
 * In:   byte 0 mode (bit 0: payloads are a pattern of their sequence numbers, so every
 *       delivered byte can be checked; bits 1-3: queue cap), bytes 1-4 the base sequence
 *       number, then ops (low 3 bits; the op's bit 3 and 4 pick variants): 0-2 push
 *       (16-bit offset from the base, length, missing bytes), 3 ACK, 4 FIN, 5 close
 *       (flush and free, or with bit 3 free only, then a fresh stream), 6 push at a raw
 *       32-bit sequence number, 7 SYN.
 * Out:  crashes when an invariant breaks: bytes delivered never exceed bytes fed, no
 *       delivery after close, the queue within its cap, positions and counters agree.
 * Never: keeps state between inputs.
 */
#include <string.h>

#include "fuzz.h"
#include "reasm.h"

static const uint32_t caps[8] = {0, 64, 256, 1024, 4096, 65536, 1u << 20, 4u << 20};

struct run {
    struct reasm r;
    struct reasm_budget budget; /* shared cap (--max-reasm-bytes), here of one stream */
    int is_pattern;     /* payloads are pattern(seq): delivered bytes are checkable */
    int closed;         /* flushed and freed: no call may reach the sink */
    uint32_t start_seq; /* the stream's first sequence number, once r.has_seq */
    uint64_t fed;       /* captured bytes pushed into this stream */
    uint64_t delivered; /* bytes data() received */
    uint64_t gapped;    /* bytes gap() declared */
    int64_t now_ns;     /* time of the current op; times never go back */
};

/*
 * pattern(seq) = (seq + (seq >> 8)) mod 256: consistent across wraparound, and a copy
 * shifted by anything but a multiple of 65536 bytes differs. Within one aligned run of
 * 256 sequence numbers it is a run of the ramp 0, 1, ... 255, 0, 1, ..., so it is written
 * and compared with memcpy/memcmp (a byte loop here would be most of the fuzzer's time).
 */
static void pattern_run(uint32_t seq, size_t n, const uint8_t **src, size_t *len)
{
    static const uint8_t ramp[512] = {
#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, \
               b + 11, b + 12, b + 13, b + 14, b + 15
#define R256(b) R16(b), R16(b + 16), R16(b + 32), R16(b + 48), R16(b + 64), R16(b + 80), \
                R16(b + 96), R16(b + 112), R16(b + 128), R16(b + 144), R16(b + 160),    \
                R16(b + 176), R16(b + 192), R16(b + 208), R16(b + 224), R16(b + 240)
        R256(0), R256(0)
#undef R256
#undef R16
    };
    uint32_t off = seq & 255;
    *src = ramp + ((off + (seq >> 8)) & 255);
    *len = 256 - off < n ? 256 - off : n;
}

static void pattern_fill(uint8_t *p, uint32_t seq, size_t n)
{
    while (n > 0) {
        const uint8_t *src;
        size_t len;
        pattern_run(seq, n, &src, &len);
        memcpy(p, src, len);
        p += len;
        seq += (uint32_t)len;
        n -= len;
    }
}

static int pattern_matches(const uint8_t *p, uint32_t seq, size_t n)
{
    while (n > 0) {
        const uint8_t *src;
        size_t len;
        pattern_run(seq, n, &src, &len);
        if (memcmp(p, src, len) != 0)
            return 0;
        p += len;
        seq += (uint32_t)len;
        n -= len;
    }
    return 1;
}

static void on_data(void *user, const uint8_t *p, size_t n, int64_t ts_ns)
{
    struct run *u = user;
    FUZZ_CHECK(!u->closed);
    FUZZ_CHECK(n > 0 && p != NULL);
    FUZZ_CHECK(ts_ns <= u->now_ns);
    u->delivered += n;
    FUZZ_CHECK(u->delivered <= u->fed);
    /* Both ends are read, so ASan sees a span outside its buffer. */
    volatile uint8_t ends = p[0] ^ p[n - 1];
    (void)ends;
    /* put_data() advances next_seq before the call: these bytes end at next_seq. */
    if (u->is_pattern)
        FUZZ_CHECK(pattern_matches(p, u->r.next_seq - (uint32_t)n, n));
}

static void on_gap(void *user, uint64_t bytes, int64_t ts_ns)
{
    struct run *u = user;
    FUZZ_CHECK(!u->closed);
    FUZZ_CHECK(bytes > 0);
    FUZZ_CHECK(ts_ns <= u->now_ns);
    u->gapped += bytes;
}

static void check(const struct run *u)
{
    const struct reasm *r = &u->r;
    FUZZ_CHECK(r->queued_bytes <= r->cap_bytes);
    FUZZ_CHECK(u->budget.used == r->queued_bytes); /* one stream charges the budget */
    FUZZ_CHECK(u->budget.cap == 0 || u->budget.used <= u->budget.cap);
    FUZZ_CHECK((r->queue == NULL) == (r->queued_bytes == 0));
    FUZZ_CHECK(r->stats.bytes == u->delivered);
    FUZZ_CHECK(r->stats.gap_bytes == u->gapped);
    if (u->is_pattern)
        FUZZ_CHECK(r->stats.overlap_conflicts == 0);
    if (r->has_seq)
        FUZZ_CHECK((uint32_t)(r->next_seq - u->start_seq) == (uint32_t)(u->delivered + u->gapped));
}

/* The payload of a push: the pattern, or the next bytes of the script. */
static uint8_t *payload(struct run *u, struct fuzz_in *in, uint32_t seq, uint32_t want,
                        uint32_t *n)
{
    size_t got = 0;
    uint8_t *p;
    if (!u->is_pattern) {
        p = fuzz_take(in, want, &got);
        *n = (uint32_t)got;
        return p;
    }
    p = want ? malloc(want) : NULL;
    *n = p ? want : 0;
    if (p)
        pattern_fill(p, seq, want);
    return p;
}

static void push(struct run *u, struct fuzz_in *in, uint32_t seq, uint32_t want,
                 uint32_t missing, const struct stream_sink *sink)
{
    uint32_t n;
    uint8_t *p = payload(u, in, seq, want, &n);
    if (!u->r.has_seq)
        u->start_seq = seq;
    u->fed += n;
    reasm_push(&u->r, seq, p, n, missing, u->now_ns, sink);
    free(p);
}

/* reasm.h: after a flush, the bytes before our FIN, or else those the peer ACKed (but for
 * one, taken for a missed FIN), were delivered or declared lost; holes over 2^30 are not. */
static void check_flushed(const struct reasm *r)
{
    const int64_t max_hole = 1 << 30;
    int32_t d;
    if (!r->has_seq)
        return;
    if (r->has_fin) {
        d = reasm_seq_diff(r->fin_seq, r->next_seq);
        FUZZ_CHECK(d <= 0 || d > max_hole);
    } else if (r->has_ack) {
        d = reasm_seq_diff(r->acked_upto, r->next_seq);
        FUZZ_CHECK(d <= 1 || d > max_hole);
    }
}

/* Flush (unless abandoned, as flow.c does when a port is reused) and free the stream,
 * after which nothing may be delivered; then start a fresh one. */
static void close_stream(struct run *u, int abandon, const struct stream_sink *sink)
{
    if (!abandon) {
        reasm_flush(&u->r, u->now_ns, sink);
        check(u);
        check_flushed(&u->r);
        FUZZ_CHECK(u->r.queue == NULL);
    }
    u->closed = 1;
    reasm_free(&u->r);
    FUZZ_CHECK(u->budget.used == 0);
    uint32_t cap = u->r.cap_bytes;
    u->closed = 0;
    u->fed = u->delivered = u->gapped = 0;
    reasm_init(&u->r, cap, &u->budget);
}

static void step(struct run *u, struct fuzz_in *in, uint32_t base, const struct stream_sink *sink)
{
    unsigned op = fuzz_u8(in);
    uint32_t seq = base + (uint32_t)(int32_t)(int16_t)fuzz_u16(in);
    u->now_ns += 1000;
    switch (op & 7) {
    case 0:
    case 1:
    case 2: {
        uint32_t len = op & 8 ? fuzz_u16(in) : fuzz_u8(in);
        uint32_t m = op & 16 ? fuzz_u32(in) : fuzz_u8(in);
        push(u, in, seq, len, m & 0x80 && !(op & 16) ? (m & 0x7f) << 8 : m, sink);
        break;
    }
    case 3:
        reasm_ack(&u->r, seq, u->now_ns, sink);
        break;
    case 4:
        reasm_fin(&u->r, seq);
        break;
    case 5:
        close_stream(u, op & 8, sink);
        break;
    case 6: {
        uint32_t raw = fuzz_u32(in);
        push(u, in, raw, fuzz_u8(in), 0, sink);
        break;
    }
    default:
        if (!u->r.has_seq)
            u->start_seq = seq + 1;
        reasm_syn(&u->r, seq);
        break;
    }
    check(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct run u;
    memset(&u, 0, sizeof u);
    unsigned mode = fuzz_u8(&in);
    uint32_t base = fuzz_u32(&in);
    u.is_pattern = mode & 1;
    u.budget.cap = caps[mode >> 4 & 7]; /* the shared cap; 0: none */
    reasm_init(&u.r, caps[mode >> 1 & 7], &u.budget);
    struct stream_sink sink = {on_data, on_gap, &u};
    while (in.left > 0)
        step(&u, &in, base, &sink);
    close_stream(&u, 0, &sink);
    reasm_free(&u.r);
    return 0;
}
