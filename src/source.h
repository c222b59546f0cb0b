/*
 * source.h - where packets come from: capture files (pcap, pcapng, "-" for stdin).
 * Owns: the open file and its read buffer, the BPF filter, file offsets for messages.
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
    const uint8_t *data;  /* captured bytes; in the source's buffer, valid until next call */
    uint32_t caplen;      /* bytes captured */
    uint32_t wirelen;     /* bytes on the wire (>= caplen unless the file lies) */
    int linktype;         /* DLT_* of this packet (its pcapng interface's; pcap: the file's) */
    uint64_t index;       /* 1-based packet number in this source */
    uint8_t ts_clamped;   /* 1 when the file's time was absurd (before 1970, from 2242 on,
                             or a fraction >= 1 s): ts_ns is then the previous packet's
                             sane time (0 if none), so no arithmetic overflows. A pcapng
                             simple packet block has no time: it gets that one too, with
                             ts_clamped 0 */
};

/* Totals a source can report; offline files have no drop counters. */
struct source_stats {
    uint64_t packets;       /* packets returned */
    uint64_t bytes;         /* sum of wirelen */
    uint64_t kernel_drops;  /* live only: dropped by the kernel */
    uint64_t if_drops;      /* live only: dropped by the interface */
    uint64_t file_bytes;    /* bytes of the input consumed: the offset just past the last
                               record read (the file's size once it is read to its end) */
};

/*
 * Open a capture file ("-" reads standard input): classic pcap (either byte order,
 * microsecond or nanosecond, libpcap's Kuznetzov variant) or pcapng (any number of
 * sections and interfaces, each interface with its own link type and time units), told
 * apart by the first 4 bytes and read by us, not libpcap. For pcapng the blocks up to
 * the first interface description are read now. When filter is non-NULL, libpcap
 * compiles it for the first interface's link type now, and for each other link type
 * when its first packet comes; packets of a link type it does not compile for never
 * match. Returns NULL and fills err on failure: "FILE: reason" for a missing file, not
 * a capture, or a first link type decode_link_supported() refuses ("FILE: link type 6
 * (IEEE802) is not supported"); "FILE: offset N: reason" for a damaged pcapng start;
 * "bad filter 'X': reason" for a filter libpcap cannot compile for the first link
 * type. Calls decode_link_supported(), so links decode.o; links pcapng.o.
 */
struct source *source_open_file(const char *path, const char *filter, char err[HTTPCAP_ERRBUF]);

/* Read no byte at or past file offset bytes (0: to the end): the file ends there for
 * source_next, however much it grows meanwhile. Before the first source_next. */
void source_limit(struct source *s, uint64_t bytes);

/*
 * Read the next packet into *pkt. Returns 1 for a packet, 0 at a clean end of input
 * (the file ends between records), -1 on a read error or damage; err then gets
 * "FILE: offset N: reason", N being the file offset (pipes too) of the record or
 * block that could not be read: "truncated packet record (10 of 54 bytes)",
 * "corrupt pcapng block (length 88, trailing length 92)", "read error: ...". Packets
 * returned before stay valid results. Once -1 is returned, call only source_stats()
 * and source_close() (source_next() keeps returning -1). Never allocates, except to
 * grow the buffer once for a block longer than 128 KiB (16 MiB at most) or to compile
 * the filter for a new link type.
 */
int source_next(struct source *s, struct source_packet *pkt, char err[HTTPCAP_ERRBUF]);

/* The link type (DLT_*) of the file, or of a pcapng file's first interface. */
int source_linktype(const struct source *s);

/* Totals so far. Cannot fail. */
void source_stats(const struct source *s, struct source_stats *st);

/* Close and free; NULL does nothing. */
void source_close(struct source *s);

#endif
