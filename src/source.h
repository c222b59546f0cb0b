/*
 * source.h - where packets come from: capture files (pcap, pcapng, "-" for stdin).
 * Owns: the libpcap handle, the BPF filter, file position for error messages.
 * In:   a path and an optional BPF filter.
 * Out:  one packet at a time (struct source_packet), valid until the next call.
 * Never: decodes a packet or keeps packet data past the next source_next().
 */
#ifndef HTTPCAP_SOURCE_H
#define HTTPCAP_SOURCE_H

#include <stdint.h>

#include "errbuf.h"

struct source;

struct source_packet {
    int64_t ts_ns;        /* capture time, ns since the epoch (clamped, see ts_clamped) */
    const uint8_t *data;  /* captured bytes; owned by libpcap, valid until next call */
    uint32_t caplen;      /* bytes captured */
    uint32_t wirelen;     /* bytes on the wire (>= caplen unless the file lies) */
    int linktype;         /* DLT_* of this packet */
    uint64_t index;       /* 1-based packet number in this source */
    uint8_t ts_clamped;   /* 1 when the file's time was absurd (before 1970, from 2242 on,
                             or a fraction >= 1 s): ts_ns is then the previous packet's
                             sane time (0 if none), so no arithmetic overflows */
};

/* Totals a source can report; offline files have no drop counters. */
struct source_stats {
    uint64_t packets;       /* packets returned */
    uint64_t bytes;         /* sum of wirelen */
    uint64_t kernel_drops;  /* live only: dropped by the kernel */
    uint64_t if_drops;      /* live only: dropped by the interface */
};

/*
 * Open a capture file ("-" reads standard input) with nanosecond timestamps and
 * apply filter when non-NULL. Returns NULL and fills err on failure: "FILE: reason"
 * for a missing file, not a capture, or a link type decode_link_supported() refuses
 * ("FILE: link type 7 (ARCNET) is not supported"); "bad filter 'X': reason" for a
 * filter libpcap cannot compile. Calls decode_link_supported(), so links decode.o.
 */
struct source *source_open_file(const char *path, const char *filter, char err[HTTPCAP_ERRBUF]);

/*
 * Read the next packet into *pkt. Returns 1 for a packet, 0 at a clean end of
 * input, -1 on a read error (err gets "FILE: offset N: reason", N being where
 * reading stopped, e.g. the end of a truncated file; "FILE: reason" on a pipe);
 * packets returned before an error stay valid results. A pcapng file whose later
 * interface has another link type than the first also ends in -1 (libpcap cannot
 * read on). Once -1 is returned, call only source_stats() and source_close().
 */
int source_next(struct source *s, struct source_packet *pkt, char err[HTTPCAP_ERRBUF]);

/* The link type of the first interface (DLT_*). */
int source_linktype(const struct source *s);

/* Totals so far. Cannot fail. */
void source_stats(const struct source *s, struct source_stats *st);

/* Close and free; NULL does nothing. */
void source_close(struct source *s);

#endif
