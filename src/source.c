/*
 * source.c - packets from capture files through libpcap (pcap, pcapng, "-" for stdin).
 * Owns: the pcap handle, the BPF filter, the packet counters, the timestamp sanity
 *       check and the file offset in read error messages.
 * In:   a path and an optional filter expression.
 * Out:  one struct source_packet at a time, its bytes owned by libpcap.
 * Never: decodes packets (it only asks decode.c whether the link type is known),
 *        keeps packet data past the next read.
 */
#include "source.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/*
 * Times before the epoch or at or past 2^33 s (year 2242) are damage: int64
 * nanoseconds end in 2262, and one public pcapng has a packet at 1.8e22 ns.
 */
#define TS_MAX_SEC ((int64_t)1 << 33)
#define NS_PER_SEC 1000000000LL

struct source {
    pcap_t *pcap;
    char *path;                  /* as given, for messages */
    int linktype;                /* DLT_* of the first interface */
    int64_t last_ts_ns;          /* time of the last packet with a sane time, else 0 */
    struct source_stats stats;
};

/* libpcap's open errors made into "FILE: reason", saying plainly what was wrong. */
static void open_error(const char *path, const char *msg, char err[HTTPCAP_ERRBUF])
{
    size_t plen = strlen(path);

    if (strcmp(msg, "unknown file format") == 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s: not a pcap or pcapng capture (bad magic)", path);
    else if (strstr(msg, "only got 0") && strstr(msg, "file header"))
        snprintf(err, HTTPCAP_ERRBUF, "%s: empty file, not a pcap or pcapng capture", path);
    else if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s", msg);
    else
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", path, msg[0] ? msg : "cannot open");
}

static int apply_filter(pcap_t *p, const char *filter, char err[HTTPCAP_ERRBUF])
{
    struct bpf_program prog;

    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "bad filter '%s': %s", filter, pcap_geterr(p));
        return -1;
    }
    if (pcap_setfilter(p, &prog) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "bad filter '%s': %s", filter, pcap_geterr(p));
        pcap_freecode(&prog);
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

static int check_linktype(pcap_t *p, const char *path, char err[HTTPCAP_ERRBUF])
{
    int lt = pcap_datalink(p);
    const char *name;

    if (decode_link_supported(lt))
        return 0;
    name = pcap_datalink_val_to_name(lt);
    snprintf(err, HTTPCAP_ERRBUF, "%s: link type %d (%s) is not supported", path, lt,
             name ? name : "unknown");
    return -1;
}

struct source *source_open_file(const char *path, const char *filter, char err[HTTPCAP_ERRBUF])
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    struct source *s;
    pcap_t *p;

    pcap_err[0] = '\0';
    p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (!p) {
        open_error(path, pcap_err, err);
        return NULL;
    }
    if (check_linktype(p, path, err) != 0 || (filter && apply_filter(p, filter, err) != 0)) {
        pcap_close(p);
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (s)
        s->path = strdup(path);
    if (!s || !s->path) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", path);
        free(s);
        pcap_close(p);
        return NULL;
    }
    s->pcap = p;
    s->linktype = pcap_datalink(p);
    return s;
}

/*
 * In nanosecond precision tv_usec holds nanoseconds. A damaged time is replaced by
 * the last sane one (0 before any), so durations computed across it stay small.
 */
static int64_t packet_time(struct source *s, const struct timeval *tv, uint8_t *clamped)
{
    int64_t sec = (int64_t)tv->tv_sec;
    int64_t ns = (int64_t)tv->tv_usec;

    if (sec < 0 || sec >= TS_MAX_SEC || ns < 0 || ns >= NS_PER_SEC) {
        *clamped = 1;
        return s->last_ts_ns;
    }
    *clamped = 0;
    s->last_ts_ns = sec * NS_PER_SEC + ns;
    return s->last_ts_ns;
}

/*
 * The offset is where libpcap stopped reading, taken only now: ftell() costs a
 * system call, too much for every packet. A pipe has none.
 */
static void read_error(const struct source *s, char err[HTTPCAP_ERRBUF])
{
    FILE *fp = pcap_file(s->pcap);
    long offset = fp ? ftell(fp) : -1;

    if (offset >= 0)
        snprintf(err, HTTPCAP_ERRBUF, "%s: offset %ld: %s", s->path, offset,
                 pcap_geterr(s->pcap));
    else
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", s->path, pcap_geterr(s->pcap));
}

int source_next(struct source *s, struct source_packet *pkt, char err[HTTPCAP_ERRBUF])
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;

    do {
        rc = pcap_next_ex(s->pcap, &h, &data);
    } while (rc == 0); /* 0 is a live timeout; files never return it */
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1) {
        read_error(s, err);
        return -1;
    }
    pkt->ts_ns = packet_time(s, &h->ts, &pkt->ts_clamped);
    pkt->data = data;
    pkt->caplen = h->caplen;
    pkt->wirelen = h->len;
    pkt->linktype = s->linktype;
    s->stats.packets++;
    s->stats.bytes += h->len;
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
}

void source_close(struct source *s)
{
    if (!s)
        return;
    pcap_close(s->pcap);
    free(s->path);
    free(s);
}
