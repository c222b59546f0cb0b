/*
 * source.c - packets from capture files (pcap, pcapng, "-" for stdin), read by us.
 * Owns: the FILE and one read buffer (records are handed out in place), the classic pcap
 *       record format, the BPF filter (libpcap compiles it, once per link type), the
 *       timestamp sanity check, the packet counters and file offsets in error messages.
 * In:   a path and an optional filter expression.
 * Out:  one struct source_packet at a time, its bytes in our buffer until the next read.
 * Never: decodes packets (it only asks decode.c whether the link type is known), parses
 *        pcapng blocks itself (pcapng.c does), or allocates per packet.
 */
#include "source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "decode.h"
#include "pcapng.h"

/*
 * Times before the epoch or at or past 2^33 s (year 2242) are damage: int64
 * nanoseconds end in 2262, and one public pcapng has a packet at 1.8e22 ns.
 */
#define TS_MAX_SEC ((int64_t)1 << 33)
#define NS_PER_SEC 1000000000LL

/* One fread, small enough that the bytes just read are still in a 512 KiB L2 cache when
 * the packets are parsed (1 MiB reads left them to miss); the buffer grows only for a
 * longer block. */
#define READ_BYTES (1u << 17)
#define PCAP_HDR_LEN 24
#define PCAP_REC_MAX 262144u   /* libpcap's and Wireshark's largest packet: more is damage */
#define FILTER_SNAPLEN 262144

/* classic pcap magics, read little-endian (pcap-savefile(5); Kuznetzov's adds 8 bytes) */
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define MAGIC_KUZNETZOV 0xa1b2cd34u

/* caplen and len changed places in pcap 2.3; some 2.3 writers did not follow */
enum lengths { LENGTHS_PLAIN, LENGTHS_SWAPPED, LENGTHS_MAYBE_SWAPPED };

struct filter {
    int linktype;             /* DLT_* this program was compiled for */
    int is_usable;            /* 0: the expression means nothing on this link type */
    struct bpf_program prog;  /* valid when is_usable */
};

/* One record as a format reader found it, before filtering and the time check. */
struct raw {
    const uint8_t *data;
    uint32_t caplen, wirelen;
    int linktype;  /* DLT_* */
    int has_ts;    /* 0: no time in the file (simple packet block) */
    int64_t sec;   /* may be absurd */
    uint64_t nsec; /* may be >= 1 s */
};

struct source {
    FILE *fp;
    int owns_fp;              /* 0 for stdin */
    char *path;               /* as given, for messages */
    uint8_t *buf;             /* file bytes [buf_off, buf_off + end) */
    size_t buf_size;          /* allocated bytes: READ_BYTES, more only for a longer block,
                                 PCAPNG_BLOCK_MAX at most */
    size_t pos;               /* next unread byte; pos <= end */
    size_t end;               /* bytes valid in buf */
    uint64_t buf_off;         /* file offset of buf[0] */
    int is_eof;               /* fread came up short: end of file or error */
    int read_errno;           /* nonzero when fread failed */
    int is_oom;               /* the buffer could not grow */
    uint64_t limit;           /* read no byte at or past this file offset (0: no limit) */
    int has_failed;           /* source_next returned -1 */
    struct pcapng *ng;        /* NULL for classic pcap */
    int big;                  /* classic pcap: big-endian file */
    uint32_t ns_per_frac;     /* classic pcap: 1000 (microsecond file) or 1 */
    size_t rec_len;           /* classic pcap: record header bytes, 16 or 24 */
    enum lengths lengths;     /* classic pcap */
    int linktype;             /* DLT_* of the first interface */
    char *filter;             /* expression, NULL for none */
    struct filter *filters;   /* one per link type met */
    size_t n_filters;
    size_t last_filter;       /* index of the last one used */
    int64_t last_ts_ns;       /* time of the last packet with a sane time, else 0 */
    struct source_stats stats;
};

/* File link type values (LINKTYPE_*) to libpcap's DLT_*; they differ only at 100-103. */
static int dlt_of(uint32_t linktype)
{
    switch (linktype) {
    case 100:
        return DLT_ATM_RFC1483;
    case 101:
        return DLT_RAW;
    case 102:
        return DLT_SLIP_BSDOS;
    case 103:
        return DLT_PPP_BSDOS;
    default:
        return (int)linktype;
    }
}

/* ---- the read buffer ---- */

/*
 * Make n bytes readable at buf + pos if the file still has them. Returns how many are
 * readable: n or more, or fewer at the end of the file, on a read error (read_errno)
 * or when the buffer cannot grow (is_oom). Moves the unread bytes to the front.
 */
static size_t fill(struct source *s, size_t n)
{
    size_t have = s->end - s->pos;

    if (have >= n || s->is_eof)
        return have;
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, have);
        s->buf_off += s->pos;
        s->pos = 0;
        s->end = have;
    }
    if (n > s->buf_size) {
        size_t size = s->buf_size * 2 > n ? s->buf_size * 2 : n;
        uint8_t *grown;

        if (size > PCAPNG_BLOCK_MAX && n <= PCAPNG_BLOCK_MAX)
            size = PCAPNG_BLOCK_MAX;
        grown = realloc(s->buf, size);

        if (!grown) {
            s->is_oom = 1;
            return have;
        }
        s->buf = grown;
        s->buf_size = size;
    }
    while (s->end < n && !s->is_eof) {
        size_t want = s->buf_size - s->end;
        if (s->limit) {
            uint64_t at = s->buf_off + s->end;
            uint64_t left = s->limit > at ? s->limit - at : 0;
            if (left < want)
                want = (size_t)left;
            if (want == 0) {
                s->is_eof = 1;
                break;
            }
        }
        size_t got = fread(s->buf + s->end, 1, want, s->fp);

        s->end += got;
        if (got < want) {
            s->is_eof = 1;
            if (ferror(s->fp))
                s->read_errno = errno ? errno : EIO;
        }
    }
    return s->end - s->pos;
}

/* "FILE: offset N: reason" for the record at pos; reading stops there. */
__attribute__((format(printf, 3, 4))) static void fail(struct source *s,
                                                      char err[HTTPCAP_ERRBUF],
                                                      const char *fmt, ...)
{
    char why[HTTPCAP_ERRBUF];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(err, HTTPCAP_ERRBUF, "%s: offset %llu: %.300s", s->path,
             (unsigned long long)(s->buf_off + s->pos), why);
    s->has_failed = 1;
}

/* fill() gave have < want bytes of a `what`: say why. Returns -1. */
static int short_read(struct source *s, size_t have, size_t want, const char *what,
                      char err[HTTPCAP_ERRBUF])
{
    if (s->read_errno)
        fail(s, err, "read error: %s", strerror(s->read_errno));
    else if (s->is_oom)
        fail(s, err, "out of memory for a %zu-byte %s", want, what);
    else
        fail(s, err, "truncated %s (%zu of %zu bytes)", what, have, want);
    return -1;
}

/* ---- classic pcap ---- */

static int get32(struct bytes *b, int big, uint32_t *v)
{
    return big ? bytes_be32(b, v) : bytes_le32(b, v);
}

static int get16(struct bytes *b, int big, uint16_t *v)
{
    return big ? bytes_be16(b, v) : bytes_le16(b, v);
}

/* The 24-byte file header (pcap-savefile(5)); magic is its first 4 bytes, little-endian. */
static int open_pcap(struct source *s, uint32_t magic, char err[HTTPCAP_ERRBUF])
{
    uint32_t swapped = magic >> 24 | (magic >> 8 & 0xff00) | (magic << 8 & 0xff0000) |
                       magic << 24;
    uint32_t m = magic, linktype = 0;
    uint16_t major = 0, minor = 0;
    struct bytes b;
    size_t have;

    if (swapped == MAGIC_USEC || swapped == MAGIC_NSEC || swapped == MAGIC_KUZNETZOV) {
        s->big = 1;
        m = swapped;
    }
    if (m != MAGIC_USEC && m != MAGIC_NSEC && m != MAGIC_KUZNETZOV) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: not a pcap or pcapng capture (bad magic)", s->path);
        return -1;
    }
    s->ns_per_frac = m == MAGIC_NSEC ? 1 : 1000;
    s->rec_len = m == MAGIC_KUZNETZOV ? 24 : 16;
    have = fill(s, PCAP_HDR_LEN);
    if (have < PCAP_HDR_LEN)
        return short_read(s, have, PCAP_HDR_LEN, "pcap file header", err);
    b = bytes_make(s->buf + s->pos + 4, PCAP_HDR_LEN - 4);
    get16(&b, s->big, &major);
    get16(&b, s->big, &minor);
    /* thiszone and sigfigs are always 0; the snaplen is no limit here (libpcap cuts
     * longer records to it, Wireshark does not; PCAP_REC_MAX catches damage) */
    bytes_skip(&b, 12);
    get32(&b, s->big, &linktype);
    /* libpcap reads 2.0 to 2.4 and DG/UX's 543.0 */
    if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0))) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: unsupported pcap version %u.%u", s->path, major,
                 minor);
        return -1;
    }
    s->lengths = major == 543 || minor < 3 ? LENGTHS_SWAPPED
                 : minor == 3              ? LENGTHS_MAYBE_SWAPPED
                                           : LENGTHS_PLAIN;
    /* the top 6 bits carry FCS information, not the link type */
    s->linktype = dlt_of(linktype & 0x03ffffffu);
    s->pos += PCAP_HDR_LEN;
    return 0;
}

static int next_pcap(struct source *s, struct raw *r, char err[HTTPCAP_ERRBUF])
{
    size_t have = s->end - s->pos;
    uint32_t sec = 0, frac = 0, caplen = 0, wirelen = 0, t;
    struct bytes b;

    if (have < s->rec_len) {
        have = fill(s, s->rec_len);
        if (have == 0 && !s->read_errno)
            return 0;
        if (have < s->rec_len)
            return short_read(s, have, s->rec_len, "packet record header", err);
    }
    /* bytes.h's readers straight, not get32(): four per packet, and link-time
     * optimisation kept that one a call (0.7% of a read) */
    b = bytes_make(s->buf + s->pos, s->rec_len);
    if (s->big) {
        bytes_be32(&b, &sec);
        bytes_be32(&b, &frac);
        bytes_be32(&b, &caplen);
        bytes_be32(&b, &wirelen);
    } else {
        bytes_le32(&b, &sec);
        bytes_le32(&b, &frac);
        bytes_le32(&b, &caplen);
        bytes_le32(&b, &wirelen);
    }
    if (s->lengths == LENGTHS_SWAPPED ||
        (s->lengths == LENGTHS_MAYBE_SWAPPED && caplen > wirelen)) {
        t = caplen;
        caplen = wirelen;
        wirelen = t;
    }
    if (caplen > PCAP_REC_MAX) {
        fail(s, err, "corrupt packet record (captured length %u, more than %u)", caplen,
             PCAP_REC_MAX);
        return -1;
    }
    if (have - s->rec_len < caplen) {
        have = fill(s, s->rec_len + caplen);
        if (have < s->rec_len + caplen)
            return short_read(s, have - s->rec_len, caplen, "packet record", err);
    }
    r->data = s->buf + s->pos + s->rec_len;
    r->caplen = caplen;
    r->wirelen = wirelen;
    r->linktype = s->linktype;
    r->has_ts = 1;
    r->sec = sec;
    r->nsec = (uint64_t)frac * s->ns_per_frac;
    s->pos += s->rec_len + caplen;
    return 1;
}

/* ---- pcapng (the blocks themselves are pcapng.c's) ---- */

/* One block: 1 packet, 2 another block, 0 clean end, -1 error. */
static int pcapng_step(struct source *s, struct pcapng_packet *pkt, char err[HTTPCAP_ERRBUF])
{
    char why[HTTPCAP_ERRBUF];
    size_t have = s->end - s->pos;
    uint32_t len;
    int rc;

    if (have < PCAPNG_BLOCK_MIN) {
        have = fill(s, PCAPNG_BLOCK_MIN);
        if (have == 0 && !s->read_errno)
            return 0;
        if (have < PCAPNG_BLOCK_MIN)
            return short_read(s, have, PCAPNG_BLOCK_MIN, "pcapng block header", err);
    }
    if (pcapng_block_length(s->ng, s->buf + s->pos, have, &len, why) != 0) {
        fail(s, err, "%s", why);
        return -1;
    }
    if (have < len) {
        have = fill(s, len);
        if (have < len)
            return short_read(s, have, len, "pcapng block", err);
    }
    rc = pcapng_block(s->ng, s->buf + s->pos, len, pkt, why);
    if (rc < 0) {
        fail(s, err, "%s", why);
        return -1;
    }
    s->pos += len;
    return rc == 1 ? 1 : 2;
}

static int next_pcapng(struct source *s, struct raw *r, char err[HTTPCAP_ERRBUF])
{
    struct pcapng_packet pkt;
    int rc;

    do {
        rc = pcapng_step(s, &pkt, err);
    } while (rc == 2);
    if (rc != 1)
        return rc;
    r->data = pkt.data;
    r->caplen = pkt.caplen;
    r->wirelen = pkt.wirelen;
    r->linktype = dlt_of(pkt.linktype);
    r->has_ts = pkt.has_ts;
    r->sec = pkt.sec;
    r->nsec = pkt.nsec;
    return 1;
}

/* Read up to the first interface description block, whose link type is the file's. */
static int open_pcapng(struct source *s, char err[HTTPCAP_ERRBUF])
{
    struct pcapng_packet pkt;
    int rc;

    s->ng = pcapng_create();
    if (!s->ng) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", s->path);
        return -1;
    }
    do {
        rc = pcapng_step(s, &pkt, err);
    } while (rc == 2 && pcapng_interfaces(s->ng) == 0);
    if (rc < 0)
        return -1;
    if (rc != 2) { /* a packet cannot come first: pcapng_block() refuses it */
        snprintf(err, HTTPCAP_ERRBUF, "%s: pcapng file without an interface description block",
                 s->path);
        return -1;
    }
    s->linktype = dlt_of((uint32_t)pcapng_linktype(s->ng, 0));
    return 0;
}

/* ---- the BPF filter ---- */

/*
 * The filter compiled for linktype, compiled now if it is new. NULL when out of memory.
 * An expression that does not compile for the link type gets is_usable = 0 and its
 * reason in why.
 */
static struct filter *filter_for(struct source *s, int linktype, char why[PCAP_ERRBUF_SIZE])
{
    struct filter *f, *grown;
    pcap_t *dead;

    if (s->n_filters && s->filters[s->last_filter].linktype == linktype)
        return &s->filters[s->last_filter];
    for (size_t i = 0; i < s->n_filters; i++) {
        if (s->filters[i].linktype == linktype) {
            s->last_filter = i;
            return &s->filters[i];
        }
    }
    grown = realloc(s->filters, (s->n_filters + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    s->filters = grown;
    dead = pcap_open_dead(linktype, FILTER_SNAPLEN);
    if (!dead)
        return NULL;
    f = &s->filters[s->n_filters];
    f->linktype = linktype;
    f->is_usable = pcap_compile(dead, &f->prog, s->filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
    snprintf(why, PCAP_ERRBUF_SIZE, "%s", f->is_usable ? "" : pcap_geterr(dead));
    pcap_close(dead);
    s->last_filter = s->n_filters++;
    return f;
}

/* 1 when the packet passes the filter, 0 when not, -1 when out of memory. */
static int filter_pass(struct source *s, const struct raw *r)
{
    char why[PCAP_ERRBUF_SIZE];
    struct filter *f = filter_for(s, r->linktype, why);
    struct pcap_pkthdr h;

    if (!f)
        return -1;
    if (!f->is_usable)
        return 0;
    memset(&h, 0, sizeof h);
    h.caplen = r->caplen;
    h.len = r->wirelen;
    return pcap_offline_filter(&f->prog, &h, r->data) != 0;
}

/* ---- open, next, close ---- */

static int check_linktype(const struct source *s, char err[HTTPCAP_ERRBUF])
{
    const char *name;

    if (decode_link_supported(s->linktype))
        return 0;
    name = pcap_datalink_val_to_name(s->linktype);
    snprintf(err, HTTPCAP_ERRBUF, "%s: link type %d (%s) is not supported", s->path,
             s->linktype, name ? name : "unknown");
    return -1;
}

static int apply_filter(struct source *s, const char *filter, char err[HTTPCAP_ERRBUF])
{
    char why[PCAP_ERRBUF_SIZE];
    struct filter *f;

    s->filter = strdup(filter);
    f = s->filter ? filter_for(s, s->linktype, why) : NULL;
    if (!f) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", s->path);
        return -1;
    }
    if (!f->is_usable) {
        snprintf(err, HTTPCAP_ERRBUF, "bad filter '%s': %s", filter, why);
        return -1;
    }
    return 0;
}

/* Open the file and read its magic: which format, or why it is none. */
static int open_format(struct source *s, const char *path, char err[HTTPCAP_ERRBUF])
{
    struct bytes b;
    uint32_t magic;
    size_t have;

    if (strcmp(path, "-") == 0) {
        s->fp = stdin;
    } else {
        s->fp = fopen(path, "rb");
        s->owns_fp = 1;
    }
    if (!s->fp) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* fill() reads into its own buffer: through stdio's, each fread was two read calls
     * (the whole 4 KiB blocks, then the rest by way of a 4 KiB copy) */
    setvbuf(s->fp, NULL, _IONBF, 0);
    s->buf = malloc(READ_BYTES);
    if (!s->buf) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", path);
        return -1;
    }
    s->buf_size = READ_BYTES;
    have = fill(s, 4);
    if (s->read_errno) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", path, strerror(s->read_errno));
        return -1;
    }
    if (have == 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: empty file, not a pcap or pcapng capture", path);
        return -1;
    }
    b = bytes_make(s->buf, have);
    if (bytes_le32(&b, &magic)) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: not a pcap or pcapng capture (%zu bytes)", path,
                 have);
        return -1;
    }
    return magic == PCAPNG_SHB_TYPE ? open_pcapng(s, err) : open_pcap(s, magic, err);
}

struct source *source_open_file(const char *path, const char *filter, char err[HTTPCAP_ERRBUF])
{
    struct source *s = calloc(1, sizeof *s);

    if (s)
        s->path = strdup(path);
    if (!s || !s->path) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", path);
        free(s);
        return NULL;
    }
    if (open_format(s, path, err) != 0 || check_linktype(s, err) != 0 ||
        (filter && apply_filter(s, filter, err) != 0)) {
        source_close(s);
        return NULL;
    }
    return s;
}

void source_limit(struct source *s, uint64_t bytes)
{
    s->limit = bytes;
    if (bytes && s->buf_off + s->end > bytes) { /* read at open, past the limit */
        uint64_t keep = bytes > s->buf_off + s->pos ? bytes - s->buf_off : s->pos;
        s->end = (size_t)keep;
        s->is_eof = 1;
    }
}

/*
 * A damaged time is replaced by the last sane one (0 before any), so durations
 * computed across it stay small. A packet without a time gets the last one.
 */
static int64_t packet_time(struct source *s, const struct raw *r, uint8_t *clamped)
{
    *clamped = 0;
    if (!r->has_ts)
        return s->last_ts_ns;
    if (r->sec < 0 || r->sec >= TS_MAX_SEC || r->nsec >= (uint64_t)NS_PER_SEC) {
        *clamped = 1;
        return s->last_ts_ns;
    }
    s->last_ts_ns = r->sec * NS_PER_SEC + (int64_t)r->nsec;
    return s->last_ts_ns;
}

int source_next(struct source *s, struct source_packet *pkt, char err[HTTPCAP_ERRBUF])
{
    struct raw r = {0}; /* zeroed only to quiet GCC 12's SRA false positive */
    int rc;

    if (s->has_failed) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: reading stopped at an earlier error", s->path);
        return -1;
    }
    for (;;) {
        rc = s->ng ? next_pcapng(s, &r, err) : next_pcap(s, &r, err);
        if (rc != 1)
            return rc;
        if (!s->filter)
            break;
        rc = filter_pass(s, &r);
        if (rc < 0) {
            fail(s, err, "out of memory");
            return -1;
        }
        if (rc == 1)
            break;
    }
    pkt->ts_ns = packet_time(s, &r, &pkt->ts_clamped);
    pkt->data = r.data;
    pkt->caplen = r.caplen;
    pkt->wirelen = r.wirelen;
    pkt->linktype = r.linktype;
    s->stats.packets++;
    s->stats.bytes += r.wirelen;
    pkt->index = s->stats.packets;
    return 1;
}

int source_linktype(const struct source *s)
{
    return s->linktype;
}

void source_stats(const struct source *s, struct source_stats *st)
{
    *st = s->stats;
    st->file_bytes = s->buf_off + s->pos;
}

void source_close(struct source *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_filters; i++) {
        if (s->filters[i].is_usable)
            pcap_freecode(&s->filters[i].prog);
    }
    free(s->filters);
    free(s->filter);
    pcapng_destroy(s->ng);
    if (s->fp && s->owns_fp)
        fclose(s->fp);
    free(s->buf);
    free(s->path);
    free(s);
}
