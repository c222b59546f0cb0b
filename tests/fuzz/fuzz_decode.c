/*
 * fuzz_decode.c - libFuzzer target for decode.c: one frame per input.
 * Owns: the input layout: link type (2 bytes, little-endian; a type decode.c does not
 *       support picks one that it does), a wire-length byte, then the frame itself.
 * In:   any bytes. Out: crashes on a read outside the frame or a broken segment.
 * Never: keeps state between inputs except the table of supported link types.
 */
#include <string.h>

#include "decode.h"
#include "fuzz.h"

#define MAX_LINKTYPE 1024 /* DLT values probed for support */

struct links {
    int n;
    int type[64];
};

/* The link types decode.c supports, ascending; probed once. */
static const struct links *supported(void)
{
    static struct links l;
    static int done;
    if (!done) {
        for (int t = 0; t < MAX_LINKTYPE && l.n < 64; t++) {
            if (decode_link_supported(t))
                l.type[l.n++] = t;
        }
        done = 1;
    }
    return &l;
}

/* A wire length from one byte: below 128 up to 16129 bytes more than captured (snaplen),
 * from 128 up to 127 bytes fewer (a file that lies). */
static uint32_t wire_length(unsigned v, uint32_t caplen)
{
    if (v < 128)
        return caplen + v * v;
    v -= 128;
    return v > caplen ? 0 : caplen - v;
}

static void check_segment(const struct segment *s, const uint8_t *pkt, uint32_t caplen,
                          uint32_t wirelen)
{
    volatile uint8_t sink = 0;
    FUZZ_CHECK(s->ip_version == 4 || s->ip_version == 6);
    FUZZ_CHECK(s->ts_ns == 42);
    if (s->payload_len > 0) {
        FUZZ_CHECK(s->payload >= pkt);
        FUZZ_CHECK(s->payload_len <= (size_t)(pkt + caplen - s->payload));
        for (uint32_t i = 0; i < s->payload_len; i++)
            sink ^= s->payload[i];
    }
    FUZZ_CHECK(s->payload_missing <= (wirelen > caplen ? wirelen - caplen : 0));
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct links *l = supported();
    if (size < 3 || l->n == 0 || size - 3 > UINT32_MAX)
        return 0;
    int linktype = data[0] | data[1] << 8;
    if (!decode_link_supported(linktype))
        linktype = l->type[linktype % l->n];
    const uint8_t *pkt = data + 3;
    uint32_t caplen = (uint32_t)(size - 3);
    uint32_t wirelen = wire_length(data[2], caplen);
    struct segment seg;
    enum decode_reason why = decode_packet(linktype, caplen ? pkt : NULL, caplen, wirelen,
                                           42, &seg);
    FUZZ_CHECK((unsigned)why < DECODE_REASON_COUNT);
    FUZZ_CHECK(strcmp(decode_reason_name(why), "unknown") != 0);
    FUZZ_CHECK(strcmp(decode_link_name(linktype), "unknown") != 0);
    if (why == DECODE_OK)
        check_segment(&seg, pkt, caplen, wirelen);
    return 0;
}
