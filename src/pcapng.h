/*
 * pcapng.h - the pcapng block format (draft-ietf-opsawg-pcapng), parsed from memory.
 * Owns: the section's byte order and its interfaces (link type, snaplen, time units).
 * In:   whole blocks that source.c has read into its buffer, one at a time, in file order.
 * Out:  packets (enhanced, simple and obsolete packet blocks) pointing into the block.
 * Never: does I/O, copies packet bytes, trusts a length, or decides what a sane time is.
 */
#ifndef HTTPCAP_PCAPNG_H
#define HTTPCAP_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

#define PCAPNG_SHB_TYPE 0x0a0d0d0au    /* section header block; also the file magic */
#define PCAPNG_BLOCK_MIN 12u           /* type, total length, trailing total length */
#define PCAPNG_BLOCK_MAX (16u << 20)   /* bytes; a longer block is damage, not data */
#define PCAPNG_MAX_INTERFACES 65536u   /* per section */

struct pcapng;

struct pcapng_packet {
    const uint8_t *data; /* captured bytes inside the block; valid as long as the block */
    uint32_t caplen;     /* bytes at data; always inside the block */
    uint32_t wirelen;    /* original length as the file says (may be < caplen) */
    uint32_t linktype;   /* LINKTYPE_* of the packet's interface, as in the file */
    uint8_t has_ts;      /* 0 for a simple packet block, which carries no time */
    int64_t sec;         /* seconds since the epoch, if_tsoffset added, saturated to the
                            int64 range (the caller judges sanity); 0 when !has_ts */
    uint32_t nsec;       /* 0..999999999, truncated from the interface's units */
};

/* A parser before any section. Returns NULL when out of memory. */
struct pcapng *pcapng_create(void);

/* Free; NULL does nothing. */
void pcapng_destroy(struct pcapng *ng);

/*
 * The total length of the block starting at hdr (n >= PCAPNG_BLOCK_MIN bytes readable),
 * read in the current section's byte order, or in the block's own when it is a section
 * header block. Returns 0 with *len in [PCAPNG_BLOCK_MIN, PCAPNG_BLOCK_MAX], a multiple
 * of 4; or -1 and writes why into err (no file name, no offset). Changes nothing.
 */
int pcapng_block_length(const struct pcapng *ng, const uint8_t *hdr, size_t n, uint32_t *len,
                        char err[HTTPCAP_ERRBUF]);

/*
 * Parse one whole block of len bytes (len as pcapng_block_length() returned it). A
 * section header resets the byte order and the interface list; an interface description
 * adds an interface. Returns 1 with *pkt filled for a packet (its data points into blk),
 * 0 for any other block (skipped or absorbed), -1 with err filled for a corrupt block
 * (trailing length, a length past the block, an unknown interface, bad options); after
 * -1 the parser state is undefined, stop reading.
 */
int pcapng_block(struct pcapng *ng, const uint8_t *blk, uint32_t len,
                 struct pcapng_packet *pkt, char err[HTTPCAP_ERRBUF]);

/* Interfaces in the current section (0 before the first interface description block). */
uint32_t pcapng_interfaces(const struct pcapng *ng);

/* LINKTYPE_* of interface i of the current section; -1 when there is no such interface. */
int pcapng_linktype(const struct pcapng *ng, uint32_t i);

#endif
