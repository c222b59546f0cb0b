/*
 * pcapng.c - the pcapng block format (draft-ietf-opsawg-pcapng), parsed from memory.
 * Owns: the section's byte order, its interfaces and their time units and offsets.
 * In:   whole blocks, in file order, from source.c's read buffer.
 * Out:  packets pointing into the block; every other block is absorbed or skipped.
 * Never: does I/O, copies packet bytes, reads a block except through struct bytes,
 *        or clamps a time (source.c decides what is sane).
 */
#include "pcapng.h"

#include <stdio.h>
#include <stdlib.h>

#include "bytes.h"

#ifndef __SIZEOF_INT128__
#error "pcapng.c converts timestamps with unsigned __int128"
#endif

#define BT_IDB 1u
#define BT_PB 2u  /* obsolete packet block */
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1a2b3c4du
#define BOM_SWAPPED 0x4d3c2b1au
#define OPT_ENDOFOPT 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14
#define NS_PER_SEC 1000000000u

struct iface {
    uint32_t linktype;  /* LINKTYPE_* */
    uint32_t snaplen;   /* bytes; 0 means no limit */
    uint64_t units;     /* timestamp ticks per second, >= 1 */
    int64_t offset_sec; /* if_tsoffset: added to every time */
};

struct pcapng {
    int big;                /* 1 when the current section is big-endian */
    struct iface *ifaces;   /* interfaces of the current section */
    uint32_t n_ifaces;
    uint32_t cap_ifaces;    /* allocated entries, <= PCAPNG_MAX_INTERFACES */
};

struct pcapng *pcapng_create(void)
{
    return calloc(1, sizeof(struct pcapng));
}

void pcapng_destroy(struct pcapng *ng)
{
    if (!ng)
        return;
    free(ng->ifaces);
    free(ng);
}

static int get16(struct bytes *b, int big, uint16_t *v)
{
    return big ? bytes_be16(b, v) : bytes_le16(b, v);
}

static int get32(struct bytes *b, int big, uint32_t *v)
{
    return big ? bytes_be32(b, v) : bytes_le32(b, v);
}

/* A 64-bit value stored as two 32-bit halves, high half first (EPB times). */
static int get64_hi_lo(struct bytes *b, int big, uint64_t *v)
{
    uint32_t hi, lo;

    if (get32(b, big, &hi) || get32(b, big, &lo))
        return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

/* A 64-bit option value in the section's byte order. */
static int get64(struct bytes *b, int big, uint64_t *v)
{
    uint32_t first, second;

    if (get32(b, big, &first) || get32(b, big, &second))
        return -1;
    *v = big ? (uint64_t)first << 32 | second : (uint64_t)second << 32 | first;
    return 0;
}

/* The byte order a section header's byte-order magic (at offset 8) announces, or -1. */
static int section_order(const uint8_t *hdr, size_t n)
{
    struct bytes b = bytes_make(hdr, n);
    uint32_t bom;

    if (bytes_skip(&b, 8) || bytes_le32(&b, &bom))
        return -1;
    if (bom == BOM)
        return 0;
    if (bom == BOM_SWAPPED)
        return 1;
    return -1;
}

int pcapng_block_length(const struct pcapng *ng, const uint8_t *hdr, size_t n, uint32_t *len,
                        char err[HTTPCAP_ERRBUF])
{
    struct bytes b = bytes_make(hdr, n);
    uint32_t type, blen;
    int big = ng->big;

    /* the section header's type reads the same in both orders; its length does not */
    if (bytes_le32(&b, &type)) {
        snprintf(err, HTTPCAP_ERRBUF, "truncated pcapng block header");
        return -1;
    }
    if (type == PCAPNG_SHB_TYPE) {
        big = section_order(hdr, n);
        if (big < 0) {
            snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng section header (bad byte-order magic)");
            return -1;
        }
    }
    if (get32(&b, big, &blen)) {
        snprintf(err, HTTPCAP_ERRBUF, "truncated pcapng block header");
        return -1;
    }
    if (blen < PCAPNG_BLOCK_MIN || blen % 4 != 0 || blen > PCAPNG_BLOCK_MAX) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng block (length %u%s)", blen,
                 blen > PCAPNG_BLOCK_MAX ? ", more than the 16 MiB cap"
                 : blen < PCAPNG_BLOCK_MIN ? ", less than 12" : ", not a multiple of 4");
        return -1;
    }
    *len = blen;
    return 0;
}

/*
 * The next option of an options list: 1 with *code and *val set, 0 at opt_endofopt or
 * the end of the list, -1 when the value runs past the block. The last option's
 * padding may be missing.
 */
static int next_option(struct bytes *opts, int big, uint16_t *code, struct bytes *val)
{
    uint16_t len;
    size_t pad;

    if (bytes_left(opts) < 4)
        return 0;
    get16(opts, big, code);
    get16(opts, big, &len);
    if (*code == OPT_ENDOFOPT)
        return 0;
    if (!bytes_has(opts, len))
        return -1;
    *val = bytes_make(opts->p, len);
    bytes_skip(opts, len);
    pad = (4 - len % 4) % 4;
    bytes_skip(opts, bytes_left(opts) < pad ? bytes_left(opts) : pad);
    return 1;
}

/* if_tsresol: a power of 10, or of 2 when the top bit is set; 0 for an unusable value. */
static uint64_t tsresol_units(uint8_t v)
{
    uint64_t units = 1;

    if (v & 0x80) {
        if ((v & 0x7f) > 63)
            return 0;
        return (uint64_t)1 << (v & 0x7f);
    }
    if (v > 19) /* 10^19 is the largest power of 10 in a uint64 */
        return 0;
    while (v--)
        units *= 10;
    return units;
}

static int interface_block(struct pcapng *ng, struct bytes *body, char err[HTTPCAP_ERRBUF])
{
    struct iface ifc = {0, 0, 1000000, 0}; /* no if_tsresol: microseconds */
    struct bytes val;
    uint16_t linktype, code;
    uint64_t offset;
    uint8_t res;
    int rc;

    if (get16(body, ng->big, &linktype) || bytes_skip(body, 2) ||
        get32(body, ng->big, &ifc.snaplen)) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng interface description block (too short)");
        return -1;
    }
    ifc.linktype = linktype;
    while ((rc = next_option(body, ng->big, &code, &val)) == 1) {
        if (code == OPT_IF_TSRESOL && bytes_u8(&val, &res) == 0) {
            ifc.units = tsresol_units(res);
            if (ifc.units == 0) {
                snprintf(err, HTTPCAP_ERRBUF,
                         "corrupt pcapng interface description block (if_tsresol 0x%02x)", res);
                return -1;
            }
        } else if (code == OPT_IF_TSOFFSET && get64(&val, ng->big, &offset) == 0) {
            ifc.offset_sec = (int64_t)offset;
        }
    }
    if (rc < 0) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "corrupt pcapng interface description block (an option runs past the block)");
        return -1;
    }
    if (ng->n_ifaces == ng->cap_ifaces) {
        uint32_t cap = ng->cap_ifaces ? ng->cap_ifaces * 2 : 4;
        struct iface *grown;

        if (ng->cap_ifaces >= PCAPNG_MAX_INTERFACES) {
            snprintf(err, HTTPCAP_ERRBUF, "pcapng section with more than %u interfaces",
                     PCAPNG_MAX_INTERFACES);
            return -1;
        }
        grown = realloc(ng->ifaces, cap * sizeof *grown);
        if (!grown) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            return -1;
        }
        ng->ifaces = grown;
        ng->cap_ifaces = cap;
    }
    ng->ifaces[ng->n_ifaces++] = ifc;
    return 0;
}

/* Ticks in the interface's units to seconds and nanoseconds; cannot overflow. */
static void packet_time(const struct iface *ifc, uint64_t ticks, struct pcapng_packet *pkt)
{
    uint64_t frac = ticks % ifc->units;
    __int128 sec = (__int128)(ticks / ifc->units) + ifc->offset_sec;

    /* frac < units: with units <= 2^34 the product stays below 2^64 */
    if (ifc->units <= (uint64_t)1 << 34)
        pkt->nsec = (uint32_t)(frac * NS_PER_SEC / ifc->units);
    else
        pkt->nsec = (uint32_t)((unsigned __int128)frac * NS_PER_SEC / ifc->units);
    if (sec > INT64_MAX)
        pkt->sec = INT64_MAX;
    else if (sec < INT64_MIN)
        pkt->sec = INT64_MIN;
    else
        pkt->sec = (int64_t)sec;
    pkt->has_ts = 1;
}

static int unknown_interface(const struct pcapng *ng, uint32_t id, char err[HTTPCAP_ERRBUF])
{
    snprintf(err, HTTPCAP_ERRBUF,
             "corrupt pcapng block (packet of interface %u, the section has %u)", id,
             ng->n_ifaces);
    return -1;
}

/* Enhanced packet block, or the obsolete packet block (16-bit interface id, drops). */
static int packet_block(struct pcapng *ng, struct bytes *body, int is_obsolete,
                        struct pcapng_packet *pkt, char err[HTTPCAP_ERRBUF])
{
    uint32_t id, caplen, wirelen;
    uint16_t id16;
    uint64_t ticks;
    int bad;

    if (is_obsolete) {
        bad = get16(body, ng->big, &id16) || bytes_skip(body, 2);
        id = id16;
    } else {
        bad = get32(body, ng->big, &id);
    }
    if (bad || get64_hi_lo(body, ng->big, &ticks) || get32(body, ng->big, &caplen) ||
        get32(body, ng->big, &wirelen)) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng block (packet block too short)");
        return -1;
    }
    if (id >= ng->n_ifaces)
        return unknown_interface(ng, id, err);
    if (caplen > bytes_left(body)) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "corrupt pcapng block (captured length %u, the block holds %zu)", caplen,
                 bytes_left(body));
        return -1;
    }
    pkt->data = body->p;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    pkt->linktype = ng->ifaces[id].linktype;
    packet_time(&ng->ifaces[id], ticks, pkt);
    return 1;
}

/* Simple packet block: interface 0, no time; the captured part is what fits. */
static int simple_block(struct pcapng *ng, struct bytes *body, struct pcapng_packet *pkt,
                        char err[HTTPCAP_ERRBUF])
{
    uint32_t wirelen, caplen;
    size_t room;

    if (get32(body, ng->big, &wirelen)) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng block (simple packet block too short)");
        return -1;
    }
    if (ng->n_ifaces == 0)
        return unknown_interface(ng, 0, err);
    caplen = wirelen;
    if (ng->ifaces[0].snaplen != 0 && caplen > ng->ifaces[0].snaplen)
        caplen = ng->ifaces[0].snaplen;
    room = bytes_left(body);
    if (caplen > room)
        caplen = (uint32_t)room;
    pkt->data = body->p;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    pkt->linktype = ng->ifaces[0].linktype;
    pkt->has_ts = 0;
    pkt->sec = 0;
    pkt->nsec = 0;
    return 1;
}

static int section_block(struct pcapng *ng, struct bytes *body, char err[HTTPCAP_ERRBUF])
{
    uint16_t major, minor;

    if (bytes_skip(body, 4) || get16(body, ng->big, &major) || get16(body, ng->big, &minor) ||
        bytes_skip(body, 8)) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng section header (too short)");
        return -1;
    }
    if (major != 1) {
        snprintf(err, HTTPCAP_ERRBUF, "unsupported pcapng version %u.%u", major, minor);
        return -1;
    }
    ng->n_ifaces = 0; /* interface ids are per section */
    return 0;
}

int pcapng_block(struct pcapng *ng, const uint8_t *blk, uint32_t len,
                 struct pcapng_packet *pkt, char err[HTTPCAP_ERRBUF])
{
    struct bytes b = bytes_make(blk, len);
    struct bytes body, tail = bytes_make(blk, len);
    uint32_t type, lead, trail;

    /* the section header's type reads the same in both orders; it sets the order */
    if (bytes_le32(&b, &type) == 0 && type == PCAPNG_SHB_TYPE) {
        int big = section_order(blk, len);

        if (big < 0) {
            snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng section header (bad byte-order magic)");
            return -1;
        }
        ng->big = big;
    }
    b = bytes_make(blk, len);
    if (len < PCAPNG_BLOCK_MIN || get32(&b, ng->big, &type) || get32(&b, ng->big, &lead) ||
        bytes_skip(&tail, (size_t)len - 4) || get32(&tail, ng->big, &trail)) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng block (length %u)", len);
        return -1;
    }
    if (lead != len || trail != len) {
        snprintf(err, HTTPCAP_ERRBUF, "corrupt pcapng block (length %u, trailing length %u)",
                 lead, trail);
        return -1;
    }
    body = bytes_make(blk + 8, (size_t)len - PCAPNG_BLOCK_MIN);
    switch (type) {
    case PCAPNG_SHB_TYPE:
        return section_block(ng, &body, err);
    case BT_IDB:
        return interface_block(ng, &body, err);
    case BT_EPB:
        return packet_block(ng, &body, 0, pkt, err);
    case BT_PB:
        return packet_block(ng, &body, 1, pkt, err);
    case BT_SPB:
        return simple_block(ng, &body, pkt, err);
    default:
        return 0; /* name resolution, statistics, secrets, custom, unknown: skipped */
    }
}

uint32_t pcapng_interfaces(const struct pcapng *ng)
{
    return ng->n_ifaces;
}

int pcapng_linktype(const struct pcapng *ng, uint32_t i)
{
    return i < ng->n_ifaces ? (int)ng->ifaces[i].linktype : -1;
}
