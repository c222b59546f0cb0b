/*
 * test_reasm.c - one direction of TCP reassembly, driven through reasm.h.
 * Hand-made cases for each rule, then a seeded random test that cuts, reorders,
 * duplicates, corrupts and loses segments of a known stream and checks every
 * delivered byte against it. Payloads sit at the end of a guard page.
 */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "reasm.h"
#include "testhelp.h"

/* ---- a sink that records what it is given ---- */

struct rec {
    char log[4096];         /* "[bytes]@ts" per data call, "<gN>@ts" per gap */
    size_t log_len;
    int calls;              /* data calls */
    int gaps;               /* gap calls */
    const uint8_t *last_p;  /* pointer of the last data call */
};

static void rec_add(struct rec *r, const char *s, size_t n)
{
    if (n > sizeof(r->log) - 1 - r->log_len)
        n = sizeof(r->log) - 1 - r->log_len;
    memcpy(r->log + r->log_len, s, n);
    r->log_len += n;
    r->log[r->log_len] = 0;
}

static void rec_data(void *user, const uint8_t *p, size_t n, int64_t ts_ns)
{
    struct rec *r = user;
    char tail[32];
    rec_add(r, "[", 1);
    rec_add(r, (const char *)p, n);
    int k = snprintf(tail, sizeof(tail), "]@%lld", (long long)ts_ns);
    rec_add(r, tail, (size_t)k);
    r->calls++;
    r->last_p = p;
}

static void rec_gap(void *user, uint64_t bytes, int64_t ts_ns)
{
    struct rec *r = user;
    char s[64];
    int k = snprintf(s, sizeof(s), "<g%llu>@%lld", (unsigned long long)bytes, (long long)ts_ns);
    rec_add(r, s, (size_t)k);
    r->gaps++;
}

static struct rec R;
static const struct stream_sink SINK = {rec_data, rec_gap, &R};

static void rec_reset(void)
{
    memset(&R, 0, sizeof(R));
}

/* Push a string's bytes from a guard page. */
static const uint8_t *push_m(struct reasm *r, uint32_t seq, const char *s, uint32_t missing,
                             int64_t ts)
{
    size_t n = strlen(s);
    const uint8_t *p = guard_copy(s, n);
    reasm_push(r, seq, p, (uint32_t)n, missing, ts, &SINK);
    return p;
}

static const uint8_t *push(struct reasm *r, uint32_t seq, const char *s, int64_t ts)
{
    return push_m(r, seq, s, 0, ts);
}

/* ---- hand-made cases ---- */

static void test_in_order(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 1000);
    CHECK_INT(r.next_seq, 1001);
    CHECK(r.saw_syn && r.has_seq);
    const uint8_t *p = push(&r, 1001, "GET ", 1);
    CHECK(R.last_p == p); /* no copy on the in-order path */
    push(&r, 1005, "/ HTTP/1.1\r\n", 2);
    push(&r, 1017, "\r\n", 3);
    CHECK_STR(R.log, "[GET ]@1[/ HTTP/1.1\r\n]@2[\r\n]@3");
    CHECK_INT(r.stats.segments, 3);
    CHECK_INT(r.stats.bytes, 18);
    CHECK_INT(r.stats.out_of_order, 0);
    CHECK_INT(r.stats.retransmits, 0);
    CHECK_INT(r.next_seq, 1019);
    CHECK(r.queue == NULL);
    /* A retransmitted SYN does not move the stream back. */
    reasm_syn(&r, 1000);
    CHECK_INT(r.next_seq, 1019);
    /* Empty pushes are nothing. */
    reasm_push(&r, 1019, NULL, 0, 0, 4, &SINK);
    CHECK_INT(r.stats.segments, 3);
    reasm_flush(&r, 9, &SINK);
    CHECK_INT(R.gaps, 0);
    reasm_free(&r);
}

static void test_reordered(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 11, "ccccc", 3); /* [11,16) */
    push(&r, 6, "bbbbb", 2);  /* [6,11) */
    CHECK_INT(R.calls, 0);
    CHECK_INT(r.stats.out_of_order, 2);
    CHECK(r.queued_bytes > 10);
    push(&r, 1, "aaaaa", 1);
    /* Each queued copy keeps its own time and comes in its own call. */
    CHECK_STR(R.log, "[aaaaa]@1[bbbbb]@2[ccccc]@3");
    CHECK_INT(r.queued_bytes, 0);
    CHECK(r.queue == NULL);
    CHECK_INT(r.stats.bytes, 15);
    /* Out of order again after the drain, inserted before and after existing copies. */
    rec_reset();
    push(&r, 26, "EEEEE", 5);
    push(&r, 36, "GGGGG", 7);
    push(&r, 31, "FFFFF", 6);
    push(&r, 21, "DDDDD", 4);
    CHECK_INT(R.calls, 0);
    push(&r, 16, "CCCCC", 3);
    CHECK_STR(R.log, "[CCCCC]@3[DDDDD]@4[EEEEE]@5[FFFFF]@6[GGGGG]@7");
    CHECK_INT(r.stats.overlap_conflicts, 0);
    reasm_free(&r);
}

static void test_retransmit(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 99);
    push(&r, 100, "0123456789", 1);
    push(&r, 100, "0123456789", 2); /* full */
    push(&r, 104, "4567", 3);       /* inside */
    CHECK_INT(r.stats.retransmits, 2);
    CHECK_STR(R.log, "[0123456789]@1");
    const uint8_t *p = push(&r, 105, "56789ABCDE", 4); /* partly old */
    CHECK_STR(R.log, "[0123456789]@1[ABCDE]@4");
    CHECK(R.last_p == p + 5); /* the new tail, straight from the packet */
    CHECK_INT(r.stats.retransmits, 3);
    CHECK_INT(r.stats.bytes, 15);
    /* A retransmission of old bytes whose content differs cannot be compared: only counted. */
    push(&r, 100, "XXXXX", 5);
    CHECK_INT(r.stats.retransmits, 4);
    CHECK_INT(r.stats.overlap_conflicts, 0);
    reasm_free(&r);
}

static void test_overlap_same(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 11, "klmno", 2);                 /* [11,16) */
    push(&r, 6, "fghijklmnopqrst", 3);        /* [6,21): covers it */
    push(&r, 18, "rstuv", 4);                 /* [18,23) */
    CHECK_INT(r.stats.overlap_conflicts, 0);
    push(&r, 1, "abcdefgh", 1);               /* [1,9): overlaps the queued [6,11) */
    /* First copy wins: bytes from 6 come from the copy that arrived first. */
    CHECK_STR(R.log, "[abcde]@1[fghij]@3[klmno]@2[pqrst]@3[uv]@4");
    CHECK_INT(r.stats.overlap_conflicts, 0);
    CHECK_INT(r.stats.bytes, 22);
    CHECK_INT(r.queued_bytes, 0);
    reasm_free(&r);
}

static void test_overlap_conflict(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 6, "FFFFF", 2);     /* queued first */
    push(&r, 4, "xxXXXXXyy", 3); /* [4,13): differs over [6,11) */
    CHECK_INT(r.stats.overlap_conflicts, 1);
    push(&r, 1, "abcxxZ", 4);    /* [1,7): in order, differs at 6 from the queued F */
    CHECK_INT(r.stats.overlap_conflicts, 2);
    CHECK_STR(R.log, "[abc]@4[xx]@3[FFFFF]@2[yy]@3");
    /* Same content overlapping queued data is no conflict. */
    push(&r, 20, "twenty", 5);
    push(&r, 18, "..twenty!", 6);
    CHECK_INT(r.stats.overlap_conflicts, 2);
    reasm_flush(&r, 9, &SINK);
    CHECK_STR(R.log, "[abc]@4[xx]@3[FFFFF]@2[yy]@3<g5>@9[..]@6[twenty]@5[!]@6");
    reasm_free(&r);
}

static void test_one_byte_segments(void)
{
    struct reasm r;
    const char *msg = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    size_t n = strlen(msg);
    char got[64] = {0};
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0xfffffff0u); /* crosses the wrap as well */
    /* Every byte alone, odd offsets first (backwards), then even ones forwards. */
    for (size_t i = n; i-- > 0;) {
        if (i % 2) {
            char one[2] = {msg[i], 0};
            push(&r, 0xfffffff1u + (uint32_t)i, one, (int64_t)i);
        }
    }
    for (size_t i = 0; i < n; i += 2) {
        char one[2] = {msg[i], 0};
        push(&r, 0xfffffff1u + (uint32_t)i, one, (int64_t)i);
    }
    CHECK_INT(R.calls, (int)n);
    CHECK_INT(r.stats.bytes, n);
    size_t k = 0;
    for (size_t i = 0; i < R.log_len && k < sizeof(got) - 1; i++) {
        if (R.log[i] == '[')
            got[k++] = R.log[++i];
    }
    CHECK_STR(got, msg);
    CHECK_INT(r.queued_bytes, 0);
    CHECK_INT(r.next_seq, (uint32_t)(0xfffffff1u + n));
    reasm_free(&r);
}

static void test_gap_by_ack(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 1, "aaaaa", 1);
    push(&r, 11, "ccccc", 2);   /* [6,11) lost */
    push(&r, 21, "eeeee", 3);   /* [16,21) lost */
    reasm_ack(&r, 6, 4, &SINK); /* receiver still before the hole: nothing */
    CHECK_STR(R.log, "[aaaaa]@1");
    reasm_ack(&r, 11, 5, &SINK); /* receiver has [6,11): it is lost to us */
    CHECK_STR(R.log, "[aaaaa]@1<g5>@5[ccccc]@2");
    reasm_ack(&r, 26, 6, &SINK); /* the second hole too */
    CHECK_STR(R.log, "[aaaaa]@1<g5>@5[ccccc]@2<g5>@6[eeeee]@3");
    CHECK_INT(r.stats.gap_bytes, 10);
    CHECK_INT(r.stats.bytes, 15);
    CHECK(r.queue == NULL);

    /* An out-of-order segment whose start the peer already ACKed: gap at once. */
    rec_reset();
    reasm_ack(&r, 40, 7, &SINK); /* nothing queued: no gap yet */
    CHECK_INT(R.gaps, 0);
    push(&r, 31, "ggggg", 8);    /* [26,31) never seen */
    CHECK_STR(R.log, "<g5>@8[ggggg]@8");
    CHECK_INT(r.stats.out_of_order, 3);
    /* Beyond the ACK: queued as usual. */
    push(&r, 41, "iiiii", 9);
    CHECK_STR(R.log, "<g5>@8[ggggg]@8");
    /* An old ACK changes nothing. */
    reasm_ack(&r, 30, 10, &SINK);
    CHECK_INT(r.acked_upto, 40);
    reasm_free(&r);
    CHECK(r.queue == NULL);
    CHECK_INT(r.queued_bytes, 0);
}

static void test_gap_by_flush(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 1, "aaaaa", 1);
    push(&r, 11, "ccccc", 2);
    push(&r, 21, "eeeee", 3);
    reasm_flush(&r, 7, &SINK);
    CHECK_STR(R.log, "[aaaaa]@1<g5>@7[ccccc]@2<g5>@7[eeeee]@3");
    CHECK(r.queue == NULL);
    CHECK_INT(r.queued_bytes, 0);
    CHECK_INT(r.stats.gap_bytes, 10);

    /* Bytes the receiver ACKed but the capture never saw become the final gap. */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 1, "aaaaa", 1);
    reasm_ack(&r, 31, 2, &SINK);
    CHECK_INT(R.gaps, 0); /* not while nothing is queued */
    reasm_flush(&r, 3, &SINK);
    CHECK_STR(R.log, "[aaaaa]@1<g25>@3");
    /* Flushing again adds nothing. */
    reasm_flush(&r, 4, &SINK);
    CHECK_INT(R.gaps, 1);
    reasm_free(&r);

    /* Nonsense ACKs do not become giant gaps. */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 1, "aaaaa", 1);
    reasm_ack(&r, 6 + (1u << 30) + 1, 2, &SINK);
    CHECK(!r.has_ack);
    reasm_ack(&r, 6 + (1u << 31), 2, &SINK);
    reasm_flush(&r, 3, &SINK);
    CHECK_INT(R.gaps, 0);
    reasm_free(&r);
}

static void test_wraparound(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0xfffffffau); /* data from 0xfffffffb */
    push(&r, 0x00000003u, "EFGH", 3); /* after the wrap, out of order */
    push(&r, 0xfffffffbu, "01234", 1);
    CHECK_STR(R.log, "[01234]@1");
    push(&r, 0xfffffffeu, "xyz", 2); /* partly old: [0xfffffffe, 0x1) */
    CHECK_STR(R.log, "[01234]@1[z]@2");
    CHECK_INT(r.stats.retransmits, 1);
    push(&r, 0x00000001u, "CD", 4); /* [1,3) fills the hole */
    CHECK_STR(R.log, "[01234]@1[z]@2[CD]@4[EFGH]@3");
    CHECK_INT(r.next_seq, 7);
    push(&r, 0xfffffff0u, "old", 5); /* before the wrap: old */
    CHECK_INT(r.stats.retransmits, 2);
    reasm_ack(&r, 8, 6, &SINK);
    reasm_fin(&r, 7);
    reasm_flush(&r, 7, &SINK);
    CHECK_INT(R.gaps, 0); /* ACK of the FIN across the wrap */
    reasm_free(&r);
}

static void test_mid_stream(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    CHECK(!r.has_seq);
    reasm_ack(&r, 4000, 1, &SINK); /* an ACK before any data is only noted */
    push(&r, 5000, "middle", 2);
    CHECK(r.has_seq && !r.saw_syn);
    CHECK_STR(R.log, "[middle]@2");
    push(&r, 4990, "0123456789", 3); /* earlier bytes are old now */
    CHECK_INT(r.stats.retransmits, 1);
    push(&r, 5006, "!", 4);
    CHECK_STR(R.log, "[middle]@2[!]@4");
    reasm_flush(&r, 5, &SINK);
    CHECK_INT(R.gaps, 0); /* an ACK behind the stream is no gap */
    reasm_free(&r);

    /* A stream whose first push is an empty-but-missing segment starts there too. */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_push(&r, 70, NULL, 0, 30, 1, &SINK);
    CHECK_STR(R.log, "<g30>@1");
    CHECK_INT(r.next_seq, 100);
    reasm_free(&r);
}

/* Two streams share a budget: what one queues counts against the other; the cap met is
 * counted per segment, the stream's own or the shared one; freeing gives it back. */
static void test_shared_budget(void)
{
    struct reasm_budget b = {0, 300};
    struct reasm x, y;
    rec_reset();
    reasm_init(&x, 1 << 20, &b);
    reasm_init(&y, 1 << 20, &b);
    reasm_syn(&x, 0);
    reasm_syn(&y, 0);
    char a[201];
    memset(a, 'a', 200);
    a[200] = 0;
    push(&x, 101, a, 1); /* queued on x: about 200 + bookkeeping */
    CHECK(b.used == x.queued_bytes && b.used >= 200 && b.used <= 300);
    push(&y, 101, a, 2); /* does not fit the shared cap; y has nothing to give up */
    CHECK_INT(y.stats.shared_cap_hits, 1);
    CHECK_INT(y.stats.cap_hits, 0);
    CHECK_INT(y.stats.dropped_bytes, 200);
    CHECK_INT(y.queued_bytes, 0);
    CHECK(b.used == x.queued_bytes);
    push(&x, 501, a + 100, 3); /* x over the shared cap: its own hole becomes a gap first */
    CHECK_INT(x.stats.shared_cap_hits, 1);
    CHECK_INT(x.stats.gap_bytes, 100);
    CHECK(b.used == x.queued_bytes && b.used > 0);
    reasm_free(&x);
    CHECK_INT(b.used, 0);
    /* The stream's own cap is counted apart from the shared one. */
    struct reasm z;
    reasm_init(&z, 50, &b);
    reasm_syn(&z, 0);
    push(&z, 101, a, 4);
    CHECK_INT(z.stats.cap_hits, 1);
    CHECK_INT(z.stats.shared_cap_hits, 0);
    CHECK_INT(b.used, 0);
    reasm_free(&z);
    reasm_free(&y);
    CHECK_INT(b.used, 0);
}

static void test_cap(void)
{
    struct reasm r;
    const uint32_t per_copy = 100 + 64; /* bytes plus generous bookkeeping */
    rec_reset();
    /* Room for two 100-byte copies, not three. */
    reasm_init(&r, 2 * per_copy + 10, NULL);
    reasm_syn(&r, 0);
    char a[101], b[101], c[101], d[101], e[101];
    memset(a, 'a', 100);
    memset(b, 'b', 100);
    memset(c, 'c', 100);
    memset(d, 'd', 100);
    memset(e, 'e', 100);
    a[100] = b[100] = c[100] = d[100] = e[100] = 0;
    push(&r, 1, a, 1);   /* [1,101) in order */
    push(&r, 201, c, 3); /* [101,201) lost; [201,301) queued */
    push(&r, 401, e, 5); /* [301,401) lost; [401,501) queued */
    CHECK_INT(R.calls, 1);
    CHECK(r.queued_bytes <= r.cap_bytes);
    CHECK(r.queued_bytes >= 200);
    /* A third copy does not fit: the first hole becomes a gap, the queue drains up to
     * the next hole, and then the copy fits. */
    push(&r, 601, a, 7); /* [501,601) lost; [601,701) */
    CHECK_INT(r.stats.gap_bytes, 100);
    CHECK_INT(r.stats.dropped_bytes, 0);
    CHECK_INT(R.calls, 2);
    CHECK(r.queued_bytes <= r.cap_bytes);
    /* Now [401,501) and [601,701) are queued with holes before each; one more copy
     * frees only the first hole's worth and still does not fit... */
    char big[181];
    memset(big, 'B', 180);
    big[180] = 0;
    push(&r, 801, big, 8); /* needs 180 + bookkeeping */
    CHECK_INT(r.stats.gap_bytes, 200);          /* [301,401) given up */
    CHECK_INT(r.stats.dropped_bytes, 180);      /* ...and this copy was dropped */
    CHECK(r.queued_bytes <= r.cap_bytes);
    CHECK_STR(R.log, "[" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]@1<g100>@7["
                     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
                     "cccccccccccccccccccccccccccccccc]@3<g100>@8["
                     "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
                     "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee]@5");
    /* The hole [501,601) gets filled late: the queue drains, the dropped bytes are a
     * gap when the flush reaches the FIN. */
    push(&r, 501, d, 9);
    CHECK_INT(r.next_seq, 701);
    CHECK_INT(r.queued_bytes, 0);
    reasm_fin(&r, 981);
    reasm_flush(&r, 10, &SINK);
    CHECK_INT(r.stats.gap_bytes, 200 + 280);
    CHECK_INT(r.stats.bytes, 500);

    /* A segment larger than the whole cap with nothing queued: dropped, counted. */
    rec_reset();
    reasm_init(&r, 64, NULL);
    reasm_syn(&r, 0);
    push(&r, 11, a, 1);
    CHECK_INT(r.stats.dropped_bytes, 100);
    CHECK_INT(r.queued_bytes, 0);
    CHECK(r.queue == NULL);
    reasm_free(&r);

    /* A zero cap still delivers in-order data. */
    rec_reset();
    reasm_init(&r, 0, NULL);
    reasm_syn(&r, 0);
    push(&r, 1, "abc", 1);
    push(&r, 9, "xyz", 2);
    CHECK_STR(R.log, "[abc]@1");
    CHECK_INT(r.stats.dropped_bytes, 3);
    reasm_free(&r);

    /* Many tiny out-of-order segments cannot hold more than the cap. */
    rec_reset();
    reasm_init(&r, 4096, NULL);
    reasm_syn(&r, 0);
    for (uint32_t i = 0; i < 2000; i++) {
        push(&r, 3 + 2 * i, "x", i); /* every other byte: no two copies touch */
        CHECK(r.queued_bytes <= 4096);
    }
    CHECK(r.stats.dropped_bytes > 0 || r.stats.gap_bytes > 0);
    reasm_free(&r);
}

static void test_missing(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push_m(&r, 1, "HEAD", 6, 1);  /* [1,5) captured, [5,11) cut by the snaplen */
    CHECK_STR(R.log, "[HEAD]@1<g6>@1");
    push(&r, 11, "next", 2);
    CHECK_STR(R.log, "[HEAD]@1<g6>@1[next]@2");
    /* Out of order with a cut tail: the missing part is stored and applied in turn. */
    push_m(&r, 20, "late", 3, 3); /* [20,24) + [24,27) missing */
    push(&r, 27, "end", 4);
    push(&r, 15, "abcde", 5);
    CHECK_STR(R.log, "[HEAD]@1<g6>@1[next]@2[abcde]@5[late]@3<g3>@3[end]@4");
    CHECK_INT(r.stats.gap_bytes, 9);
    CHECK_INT(r.stats.bytes, 20);
    /* A copy overlapping a queued missing part: the missing part stands (first copy). */
    rec_reset();
    push_m(&r, 35, "ab", 4, 5);   /* [35,37) + [37,41) missing */
    push(&r, 33, "..abcdefgh", 6); /* [33,43) */
    push(&r, 30, "xyz", 7);
    CHECK_STR(R.log, "[xyz]@7[..]@6[ab]@5<g4>@5[gh]@6");
    reasm_flush(&r, 8, &SINK);
    reasm_free(&r);
}

static void test_fin(void)
{
    struct reasm r;
    /* ACK of fin + 1 is the FIN, not data. */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 500);
    push(&r, 501, "0123456789", 1);
    reasm_fin(&r, 511);
    reasm_ack(&r, 512, 2, &SINK);
    reasm_flush(&r, 3, &SINK);
    CHECK_INT(R.gaps, 0);
    CHECK_INT(r.stats.gap_bytes, 0);
    reasm_free(&r);

    /* FIN beyond what we saw, ACKed: the bytes before the FIN are a gap (not the FIN). */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 500);
    push(&r, 501, "01234", 1);
    reasm_fin(&r, 511);
    reasm_ack(&r, 512, 2, &SINK);
    reasm_flush(&r, 3, &SINK);
    CHECK_STR(R.log, "[01234]@1<g5>@3");
    reasm_free(&r);

    /* FIN beyond what we saw, no ACK: same gap. */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 500);
    push(&r, 501, "01234", 1);
    reasm_fin(&r, 511);
    reasm_flush(&r, 3, &SINK);
    CHECK_INT(r.stats.gap_bytes, 5);
    reasm_free(&r);

    /* An ACK one past the stream without a FIN seen: the unseen FIN, no gap. Two past: gap. */
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 500);
    push(&r, 501, "01234", 1);
    reasm_ack(&r, 507, 2, &SINK);
    reasm_flush(&r, 3, &SINK);
    CHECK_INT(r.stats.gap_bytes, 0);
    reasm_ack(&r, 508, 4, &SINK);
    reasm_flush(&r, 5, &SINK);
    CHECK_INT(r.stats.gap_bytes, 2);
    reasm_free(&r);

    /* Only the first FIN counts. */
    reasm_init(&r, 0, NULL);
    reasm_fin(&r, 10);
    reasm_fin(&r, 20);
    CHECK_INT(r.fin_seq, 10);
    CHECK(r.has_fin);
    /* A direction that never carried data or a SYN: nothing to flush. */
    rec_reset();
    reasm_ack(&r, 11, 1, &SINK);
    reasm_flush(&r, 2, &SINK);
    CHECK_INT(R.gaps, 0);
    reasm_free(&r);
}

static void test_syn_payload(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0xffffffffu); /* TFO, and the first data byte wraps to 0 */
    const uint8_t *p = push(&r, 0, "GET / HTTP/1.1\r\n\r\n", 1);
    CHECK(R.last_p == p);
    CHECK_STR(R.log, "[GET / HTTP/1.1\r\n\r\n]@1");
    /* The SYN retransmitted with its data: nothing new. */
    reasm_syn(&r, 0xffffffffu);
    push(&r, 0, "GET / HTTP/1.1\r\n\r\n", 2);
    CHECK_INT(R.calls, 1);
    CHECK_INT(r.stats.retransmits, 1);
    reasm_free(&r);
}

static void test_bogus(void)
{
    struct reasm r;
    rec_reset();
    reasm_init(&r, 1 << 20, NULL);
    reasm_syn(&r, 0);
    push(&r, 1, "abc", 1);
    push(&r, 4 + (1u << 30) + 5, "far", 2); /* beyond any window */
    CHECK_INT(r.stats.dropped_bytes, 3);
    CHECK(r.queue == NULL);
    push(&r, 4, "def", 3);
    CHECK_STR(R.log, "[abc]@1[def]@3");
    /* Huge lengths are clamped, not overflowed. */
    reasm_push(&r, 7, NULL, 0, 0xffffffffu, 4, &SINK);
    CHECK_INT(r.stats.gap_bytes, 1u << 30);
    reasm_free(&r);
}

/* ---- randomized: cut, reorder, duplicate, corrupt, lose ---- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

struct seg {
    uint32_t off, len; /* in stream offsets */
    uint8_t corrupt;   /* carries different bytes than the original */
    uint32_t have;     /* bytes captured; the rest were cut by the snaplen */
};

struct check {
    const uint8_t *want; /* expected byte at each offset */
    uint8_t *is_data;    /* 1 where delivered as data */
    size_t len;          /* stream length */
    size_t pos;          /* offset of the next byte to arrive */
    int bad;             /* first mismatch found */
};

static void chk_data(void *user, const uint8_t *p, size_t n, int64_t ts_ns)
{
    struct check *c = user;
    (void)ts_ns;
    if (n == 0 || n > c->len - c->pos || memcmp(p, c->want + c->pos, n) != 0) {
        c->bad = 1;
        return;
    }
    memset(c->is_data + c->pos, 1, n);
    c->pos += n;
}

static void chk_gap(void *user, uint64_t bytes, int64_t ts_ns)
{
    struct check *c = user;
    (void)ts_ns;
    if (bytes == 0 || bytes > c->len - c->pos) {
        c->bad = 1;
        return;
    }
    c->pos += bytes;
}

enum mode { CLEAN, LOSS, LOSS_ACK, SMALL_CAP, CORRUPT, SNAPLEN, MODE_COUNT };

/* Sums over all runs of a mode, to show each run really met what it was made for. */
static struct reasm_stats totals[MODE_COUNT];

static void random_run(unsigned iter, enum mode mode)
{
    rng_state = 0x9E3779B97F4A7C15ULL * (iter + 1) + mode;
    static const uint32_t maxsegs[] = {1, 3, 40, 536, 1460, 9000};
    uint32_t maxseg = maxsegs[rnd() % 6];
    size_t len = 1 + rnd() % (maxseg * 60 < 30000 ? maxseg * 60 : 30000);
    uint8_t *orig = malloc(len);
    uint8_t *want = malloc(len);
    uint8_t *covered = calloc(len, 1); /* first captured copy: 1 data, 2 cut, 0 none */
    uint8_t *is_data = calloc(len, 1);
    uint8_t *early = calloc(len, 1); /* captured before the receiver's ACK passed it */
    uint8_t *tmp = malloc(maxseg * 3 + 16);
    size_t cap_segs = len * 2 + 16;
    struct seg *segs = malloc(cap_segs * sizeof(*segs));
    uint8_t *lost = calloc(cap_segs, 1);
    for (size_t i = 0; i < len; i++)
        orig[i] = (uint8_t)('a' + rnd() % 26);

    /* Cut, then add retransmissions with new boundaries. */
    size_t nseg = 0;
    for (size_t off = 0; off < len;) {
        uint32_t l = 1 + rnd() % maxseg;
        if (l > len - off)
            l = (uint32_t)(len - off);
        segs[nseg++] = (struct seg){(uint32_t)off, l, 0, l};
        off += l;
    }
    size_t ndup = nseg / 4 + rnd() % 3;
    for (size_t i = 0; i < ndup && nseg < cap_segs; i++) {
        uint32_t off = rnd() % (uint32_t)len;
        uint32_t l = 1 + rnd() % (maxseg * 2);
        if (l > len - off)
            l = (uint32_t)(len - off);
        segs[nseg++] = (struct seg){off, l, (uint8_t)(mode == CORRUPT && rnd() % 2), l};
    }
    /* Shuffle locally (a retransmission may come much later). */
    for (size_t i = 0; i < nseg; i++) {
        size_t j = i + rnd() % 8;
        if (rnd() % 16 == 0)
            j = i + rnd() % 64;
        if (j < nseg) {
            struct seg t = segs[i];
            segs[i] = segs[j];
            segs[j] = t;
        }
    }
    if (mode == LOSS || mode == LOSS_ACK || mode == SMALL_CAP) {
        for (size_t i = 0; i < nseg; i++)
            lost[i] = rnd() % 10 == 0;
    }
    if (mode == SNAPLEN) {
        for (size_t i = 0; i < nseg; i++) {
            if (rnd() % 3 == 0)
                segs[i].have = rnd() % segs[i].len;
        }
    }

    uint32_t isn = rnd();
    if (iter % 3 == 0)
        isn = 0xffffffffu - rnd() % (uint32_t)(len + 10); /* the stream crosses 2^32 */
    uint32_t cap = mode == SMALL_CAP ? 200 + rnd() % 6000 : 64u << 20;
    struct reasm r;
    reasm_init(&r, cap, NULL);
    reasm_syn(&r, isn);

    /* Expected bytes: the first captured copy of each offset. */
    memcpy(want, orig, len);
    size_t rcv_nxt = 0; /* the receiver's view: it gets every segment, even lost ones */
    size_t acked = 0;   /* the last ACK given to reasm, as an offset */
    uint8_t *rcv = calloc(len + 1, 1);
    for (size_t i = 0; i < nseg; i++) {
        struct seg *s = &segs[i];
        for (uint32_t k = 0; k < s->len; k++) {
            uint8_t b = orig[s->off + k];
            if (s->corrupt)
                b = (uint8_t)('A' + (b + k) % 26);
            tmp[k] = b;
        }
        if (!lost[i]) {
            for (uint32_t k = 0; k < s->len; k++) {
                if (!covered[s->off + k]) {
                    want[s->off + k] = tmp[k];
                    covered[s->off + k] = k < s->have ? 1 : 2;
                }
            }
        }
    }

    struct check c = {want, is_data, len, 0, 0};
    struct stream_sink sink = {chk_data, chk_gap, &c};
    int queue_ok = 1;
    for (size_t i = 0; i < nseg; i++) {
        struct seg *s = &segs[i];
        if (!lost[i]) {
            for (uint32_t k = 0; k < s->len; k++) {
                uint8_t b = orig[s->off + k];
                if (s->corrupt)
                    b = (uint8_t)('A' + (b + k) % 26);
                tmp[k] = b;
            }
            for (uint32_t k = 0; k < s->len; k++) {
                if (s->off + k >= acked)
                    early[s->off + k] = 1;
            }
            const uint8_t *p = guard_copy(tmp, s->have);
            reasm_push(&r, isn + 1 + s->off, p, s->have, s->len - s->have, (int64_t)i, &sink);
            if (r.queued_bytes > r.cap_bytes)
                queue_ok = 0;
        }
        if (mode == LOSS_ACK) {
            memset(rcv + s->off, 1, s->len);
            while (rcv_nxt < len && rcv[rcv_nxt])
                rcv_nxt++;
            if (rnd() % 3 == 0) {
                reasm_ack(&r, isn + 1 + (uint32_t)rcv_nxt, (int64_t)i, &sink);
                acked = rcv_nxt;
            }
        }
    }
    reasm_fin(&r, isn + 1 + (uint32_t)len);
    if (mode == LOSS_ACK)
        reasm_ack(&r, isn + 2 + (uint32_t)len, (int64_t)nseg, &sink);
    reasm_flush(&r, (int64_t)nseg, &sink);

    int ok = !c.bad && c.pos == len && queue_ok && r.queue == NULL && r.queued_bytes == 0;
    ok = ok && r.stats.bytes + r.stats.gap_bytes == len;
    for (size_t i = 0; i < len; i++) {
        /* Data only where something was captured; with no cap pressure, every byte
         * captured before an ACK passed it arrives as data (after, it may be a gap). */
        if (is_data[i] && covered[i] != 1)
            ok = 0;
        if (mode != SMALL_CAP && early[i] && covered[i] == 1 && !is_data[i])
            ok = 0;
        if ((mode == LOSS || mode == SNAPLEN) && is_data[i] != (covered[i] == 1))
            ok = 0;
    }
    if (mode != SMALL_CAP)
        ok = ok && r.stats.dropped_bytes == 0;
    if (mode != CORRUPT)
        ok = ok && r.stats.overlap_conflicts == 0;
    if (mode == CLEAN)
        ok = ok && r.stats.gap_bytes == 0;
    if (!ok) {
        fprintf(stderr, "random iter %u mode %d: len %zu maxseg %u isn %u bad %d pos %zu "
                        "bytes %llu gaps %llu dropped %llu\n",
                iter, (int)mode, len, maxseg, isn, c.bad, c.pos,
                (unsigned long long)r.stats.bytes, (unsigned long long)r.stats.gap_bytes,
                (unsigned long long)r.stats.dropped_bytes);
    }
    CHECK(ok);
    totals[mode].out_of_order += r.stats.out_of_order;
    totals[mode].retransmits += r.stats.retransmits;
    totals[mode].overlap_conflicts += r.stats.overlap_conflicts;
    totals[mode].gap_bytes += r.stats.gap_bytes;
    totals[mode].dropped_bytes += r.stats.dropped_bytes;
    reasm_free(&r);
    free(rcv);
    free(lost);
    free(segs);
    free(tmp);
    free(is_data);
    free(early);
    free(covered);
    free(want);
    free(orig);
}

static void test_random(void)
{
    unsigned runs = 60;
    const char *env = getenv("REASM_RANDOM_RUNS");
    if (env)
        runs = (unsigned)strtoul(env, NULL, 10);
    for (unsigned i = 0; i < runs; i++) {
        for (int m = 0; m < MODE_COUNT; m++)
            random_run(i, (enum mode)m);
    }
    for (int m = 0; m < MODE_COUNT; m++) {
        CHECK(totals[m].out_of_order > 0);
        CHECK(totals[m].retransmits > 0);
    }
    CHECK(totals[CORRUPT].overlap_conflicts > 0);
    CHECK(totals[LOSS].gap_bytes > 0);
    CHECK(totals[LOSS_ACK].gap_bytes > 0);
    CHECK(totals[SMALL_CAP].dropped_bytes > 0);
    CHECK(totals[SNAPLEN].gap_bytes > 0);
}

int main(void)
{
    test_in_order();
    test_reordered();
    test_retransmit();
    test_overlap_same();
    test_overlap_conflict();
    test_one_byte_segments();
    test_gap_by_ack();
    test_gap_by_flush();
    test_wraparound();
    test_mid_stream();
    test_cap();
    test_shared_budget();
    test_missing();
    test_fin();
    test_syn_payload();
    test_bogus();
    test_random();
    guard_release();
    return TEST_REPORT();
}
