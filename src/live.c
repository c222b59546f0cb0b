/*
 * live.c - packets from a network interface through libpcap (`httpcap capture`).
 * Owns: the pcap_t handle, its BPF filter, the --write-pcap dumper, delivery counters;
 *       for several workers, the handles' Linux PACKET_FANOUT group and the packets that
 *       arrived before all of them joined it (discarded).
 * In:   struct live_options from main.c.
 * Out:  struct source_packet per packet (libpcap's buffer, valid during the callback),
 *       counters and libpcap's drop statistics.
 * Never: decodes packets, allocates per packet, blocks past the read timeout.
 */
#include "live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

#include "decode.h"
#include "outpath.h"

#define NS_PER_SEC 1000000000LL
/* Same sanity bound as source.c: int64 ns end in 2262, so 2^33 s (2242) is damage. */
#define TS_MAX_SEC ((int64_t)1 << 33)
#define MAX_BUFFER_MIB 2047 /* pcap_set_buffer_size takes an int of bytes */

struct live {
    pcap_t *pcap;
    pcap_dumper_t *dump;        /* NULL unless write_pcap */
    const char *dump_path;      /* the caller's write_pcap string (messages only) */
    int dump_errno;             /* first write error of the dump file, 0 if none */
    int fd;                     /* pcap_get_selectable_fd(), polled in nonblocking mode; or -1 */
    int timeout_ms;             /* > 0 */
    volatile sig_atomic_t is_broken; /* live_break() called, not yet seen by live_dispatch */
    int linktype;
    int64_t ts_scale;           /* ns per unit of ts.tv_usec: 1 (nano) or 1000 (micro) */
    int64_t last_ts_ns;         /* last sane time, for a clamped one */
    uint64_t packets;
    uint64_t bytes;
    live_packet_fn fn;          /* set during live_dispatch only */
    void *ctx;
    char iface[64];             /* for messages, cut at 63 bytes */
};

void live_defaults(struct live_options *o)
{
    memset(o, 0, sizeof *o);
    o->snaplen = 262144;
    o->buffer_mib = 64;
    o->promisc = 1;
    o->timeout_ms = 100;
}

static void activate_error(struct live *l, int rc, char err[HTTPCAP_ERRBUF])
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, HTTPCAP_ERRBUF, "%s: no such interface", l->iface);
        break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        snprintf(err, HTTPCAP_ERRBUF,
                 "%s: permission denied (capturing needs root or CAP_NET_RAW)", l->iface);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, HTTPCAP_ERRBUF, "%s: interface is not up", l->iface);
        break;
    default:
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot capture: %.400s", l->iface,
                 pcap_geterr(l->pcap));
        break;
    }
}

/* Keep the default link type when decode.c knows it, else pick the first one it knows. */
static int choose_linktype(struct live *l, char err[HTTPCAP_ERRBUF])
{
    int *dlts = NULL;
    int n;
    int dlt = pcap_datalink(l->pcap);

    if (!decode_link_supported(dlt)) {
        n = pcap_list_datalinks(l->pcap, &dlts);
        for (int i = 0; i < n; i++) {
            if (decode_link_supported(dlts[i]) && pcap_set_datalink(l->pcap, dlts[i]) == 0) {
                dlt = dlts[i];
                break;
            }
        }
        if (n > 0)
            pcap_free_datalinks(dlts);
    }
    if (!decode_link_supported(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);

        snprintf(err, HTTPCAP_ERRBUF, "%s: link type %d (%s) is not supported", l->iface, dlt,
                 name ? name : "unknown");
        return -1;
    }
    l->linktype = dlt;
    return 0;
}

static int set_filter(struct live *l, const char *filter, char err[HTTPCAP_ERRBUF])
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    bpf_u_int32 net;
    bpf_u_int32 mask;
    struct bpf_program prog;

    /* The netmask only matters to "ip broadcast"; interfaces without IPv4 have none. */
    if (pcap_lookupnet(l->iface, &net, &mask, pcap_err) != 0)
        mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_compile(l->pcap, &prog, filter, 1, mask) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "bad filter '%.200s': %.280s", filter,
                 pcap_geterr(l->pcap));
        return -1;
    }
    if (pcap_setfilter(l->pcap, &prog) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot set filter '%.200s': %.200s", l->iface,
                 filter, pcap_geterr(l->pcap));
        pcap_freecode(&prog);
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

static int open_dump(struct live *l, const char *path, char err[HTTPCAP_ERRBUF])
{
    const char *why;
    size_t n = strlen(path);

    if (outpath_check(path, err) == OUTPATH_REFUSED)
        return -1;
    l->dump = pcap_dump_open(l->pcap, path);
    if (!l->dump) {
        /* libpcap says "PATH: reason"; keep only the reason. */
        why = pcap_geterr(l->pcap);
        if (strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
            why += n + 2;
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: cannot write: %.280s", path, why);
        return -1;
    }
    l->dump_path = path;
    return 0;
}

/* Create and activate the handle, choose its link type; no filter, no dump file yet. */
static struct live *open_handle(const struct live_options *o, char err[HTTPCAP_ERRBUF])
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    const char *iface = o->iface ? o->iface : "any";
    struct live *l;
    int rc;

    l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: out of memory", iface);
        return NULL;
    }
    snprintf(l->iface, sizeof l->iface, "%s", iface);
    pcap_err[0] = '\0';
    l->pcap = pcap_create(iface, pcap_err);
    if (!l->pcap) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot capture: %.400s", l->iface, pcap_err);
        free(l);
        return NULL;
    }
    pcap_set_snaplen(l->pcap, o->snaplen > 0 ? o->snaplen : 262144);
    pcap_set_promisc(l->pcap, o->promisc ? 1 : 0);
    /* 0 would mean "wait forever" to libpcap; live_dispatch promises to come back. */
    l->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 100;
    pcap_set_timeout(l->pcap, l->timeout_ms);
    if (o->buffer_mib > 0) {
        int mib = o->buffer_mib > MAX_BUFFER_MIB ? MAX_BUFFER_MIB : o->buffer_mib;

        pcap_set_buffer_size(l->pcap, mib * 1024 * 1024);
    }
    /* Best effort: without it the times are microseconds, converted below. */
    (void)pcap_set_tstamp_precision(l->pcap, PCAP_TSTAMP_PRECISION_NANO);

    rc = pcap_activate(l->pcap);
    if (rc < 0) {
        activate_error(l, rc, err);
        live_close(l);
        return NULL;
    }
    /* rc > 0 is a warning (promiscuous mode or time stamp type unsupported): go on. */
    /*
     * Linux's TPACKET_V3 ring starts its timer at the first packet, so a blocking read
     * on a quiet interface never returns: read without blocking and poll() for at most
     * the timeout ourselves (libpcap documents this in pcap(3PCAP), "read timeout").
     */
    l->fd = pcap_get_selectable_fd(l->pcap);
    if (l->fd >= 0 && pcap_setnonblock(l->pcap, 1, pcap_err) != 0)
        l->fd = -1;
    l->ts_scale = pcap_get_tstamp_precision(l->pcap) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;

    if (choose_linktype(l, err) != 0) {
        live_close(l);
        return NULL;
    }
    return l;
}

struct live *live_open(const struct live_options *o, char err[HTTPCAP_ERRBUF])
{
    struct live *l = open_handle(o, err);

    if (l && ((o->filter && set_filter(l, o->filter, err) != 0) ||
              (o->write_pcap && open_dump(l, o->write_pcap, err) != 0))) {
        live_close(l);
        return NULL;
    }
    return l;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct live *l = (struct live *)(void *)user;
    struct source_packet pkt;
    int64_t sec = (int64_t)h->ts.tv_sec;
    int64_t frac = (int64_t)h->ts.tv_usec * l->ts_scale;

    memset(&pkt, 0, sizeof pkt);
    /* The kernel's clock can be set to anything; keep the arithmetic in range. */
    if (sec < 0 || sec >= TS_MAX_SEC || frac < 0 || frac >= NS_PER_SEC) {
        pkt.ts_ns = l->last_ts_ns;
        pkt.ts_clamped = 1;
    } else {
        pkt.ts_ns = sec * NS_PER_SEC + frac;
        l->last_ts_ns = pkt.ts_ns;
    }
    pkt.data = bytes;
    pkt.caplen = h->caplen;
    pkt.wirelen = h->len;
    pkt.linktype = l->linktype;
    l->packets++;
    l->bytes += h->len;
    pkt.index = l->packets;

    if (l->dump && !l->dump_errno) {
        pcap_dump((u_char *)l->dump, h, bytes);
        if (ferror(pcap_dump_file(l->dump)))
            l->dump_errno = errno ? errno : EIO;
    }
    l->fn(l->ctx, &pkt);
}

/* One pcap_dispatch: packets delivered, 0 after live_break, -1 with err. */
static int read_batch(struct live *l, int max, char err[HTTPCAP_ERRBUF])
{
    int n = pcap_dispatch(l->pcap, max > 0 ? max : -1, on_packet, (u_char *)l);

    if (n == PCAP_ERROR_BREAK)
        return 0;
    if (n < 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: capture failed: %.400s", l->iface,
                 pcap_geterr(l->pcap));
        return -1;
    }
    return n;
}

/* 1 when the descriptor is readable, 0 on a timeout or a signal, -1 with err. */
static int wait_readable(struct live *l, char err[HTTPCAP_ERRBUF])
{
    struct pollfd pfd;
    int rc;

    pfd.fd = l->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    rc = poll(&pfd, 1, l->timeout_ms);
    if (rc < 0 && errno != EINTR) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: capture failed: poll: %s", l->iface,
                 strerror(errno));
        return -1;
    }
    return rc > 0;
}

int live_dispatch(struct live *l, int max, live_packet_fn fn, void *ctx,
                  char err[HTTPCAP_ERRBUF])
{
    int n;

    l->fn = fn;
    l->ctx = ctx;
    n = read_batch(l, max, err);
    if (n == 0 && l->fd >= 0 && !l->is_broken) {
        /* POLLERR (interface gone) also wakes us; the second read reports it. */
        n = wait_readable(l, err);
        if (n > 0 && !l->is_broken)
            n = read_batch(l, max, err);
    }
    l->is_broken = 0;
    l->fn = NULL;
    l->ctx = NULL;
    if (n < 0)
        return -1;
    /* Flush per batch, so the file is readable while capturing and a full disk shows. */
    if (l->dump && n > 0 && !l->dump_errno && pcap_dump_flush(l->dump) != 0)
        l->dump_errno = errno ? errno : EIO;
    if (l->dump_errno) {
        snprintf(err, HTTPCAP_ERRBUF, "%.200s: cannot write: %s", l->dump_path,
                 strerror(l->dump_errno));
        return -1;
    }
    return n;
}

void live_break(struct live *l)
{
    l->is_broken = 1;
    pcap_breakloop(l->pcap);
}

int live_linktype(const struct live *l)
{
    return l->linktype;
}

void live_stats(struct live *l, struct source_stats *st)
{
    struct pcap_stat ps;

    memset(st, 0, sizeof *st);
    st->packets = l->packets;
    st->bytes = l->bytes;
    if (pcap_stats(l->pcap, &ps) == 0) {
        st->kernel_drops = ps.ps_drop;
        st->if_drops = ps.ps_ifdrop;
    }
}

void live_close(struct live *l)
{
    if (!l)
        return;
    if (l->dump) {
        pcap_dump_flush(l->dump);
        pcap_dump_close(l->dump);
    }
    if (l->pcap)
        pcap_close(l->pcap);
    free(l);
}

/* ---- several handles sharing the interface (PACKET_FANOUT) ---- */

/* Let no packet through the kernel filter; libpcap also applies it to what is already in
 * the ring, so nothing that arrived before is delivered either. */
static int hold(struct live *l, char err[HTTPCAP_ERRBUF])
{
    struct bpf_insn reject = BPF_STMT(BPF_RET | BPF_K, 0);
    struct bpf_program prog = {1, &reject};

    if (pcap_setfilter(l->pcap, &prog) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: cannot set a filter: %.400s", l->iface,
                 pcap_geterr(l->pcap));
        return -1;
    }
    return 0;
}

#ifdef __linux__
/* Join l to the fanout group *group, or (*group < 0) make a new one and set *group. The
 * kernel picks a new group's id (PACKET_FANOUT_FLAG_UNIQUEID), so that two captures never
 * share a group; a kernel without that flag says EINVAL, and the id is then the pid's low
 * 16 bits. */
static int join_fanout(struct live *l, int *group, char err[HTTPCAP_ERRBUF])
{
    int fd = pcap_fileno(l->pcap);
    int arg = *group | PACKET_FANOUT_HASH << 16;
    int rc;

    if (*group < 0) {
        arg = (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
        rc = setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg);
        if (rc != 0 && errno == EINVAL) {
            arg = (int)(getpid() & 0xffff) | PACKET_FANOUT_HASH << 16;
            rc = setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg);
        }
        socklen_t len = sizeof arg;
        if (rc == 0)
            rc = getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len);
        *group = arg & 0xffff;
    } else {
        rc = setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg);
    }
    if (rc != 0) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "%s: cannot share the interface between workers (Linux PACKET_FANOUT: %s); "
                 "use --workers 1",
                 l->iface, strerror(errno));
        return -1;
    }
    return 0;
}
#else
static int join_fanout(struct live *l, int *group, char err[HTTPCAP_ERRBUF])
{
    (void)group;
    snprintf(err, HTTPCAP_ERRBUF,
             "%s: several workers need Linux (PACKET_FANOUT); use --workers 1", l->iface);
    return -1;
}
#endif

static void ignore_packet(void *ctx, const struct source_packet *pkt)
{
    (void)ctx;
    (void)pkt;
}

/* Read and drop whatever the ring holds (a held handle delivers nothing), so that no
 * packet from before the group was complete is left for the real filter to pass. */
static int discard(struct live *l, char err[HTTPCAP_ERRBUF])
{
    int n;

    l->fn = ignore_packet;
    for (int i = 0; i < 4; i++) {
        n = read_batch(l, -1, err);
        if (n < 0)
            return -1;
    }
    l->fn = NULL;
    l->packets = l->bytes = 0;
    return 0;
}

/* Each packet in the ring's block being filled is handed over by the kernel only when
 * the block is retired, at most two read timeouts later. */
static void wait_blocks_retired(int timeout_ms)
{
    long ms = 2L * timeout_ms + 20;
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};

    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Every handle held and joined, then emptied, then given the real filter. */
static int join_all(const struct live_options *o, int n, struct live **l,
                    char err[HTTPCAP_ERRBUF])
{
    int group = -1;

    for (int i = 0; i < n; i++)
        if (join_fanout(l[i], &group, err) != 0)
            return -1;
    wait_blocks_retired(l[0]->timeout_ms);
    for (int i = 0; i < n; i++)
        if (discard(l[i], err) != 0)
            return -1;
    for (int i = 0; i < n; i++)
        if (set_filter(l[i], o->filter ? o->filter : "", err) != 0)
            return -1;
    return 0;
}

int live_open_group(const struct live_options *o, int n, struct live **out,
                    char err[HTTPCAP_ERRBUF])
{
    int opened = 0;
    int rc = -1;

    if (n < 2 || n > LIVE_MAX_GROUP || o->write_pcap) {
        snprintf(err, HTTPCAP_ERRBUF, "%d capture handles%s: 2 to %d, without a dump file", n,
                 o->write_pcap ? " with a dump file" : "", LIVE_MAX_GROUP);
        return -1;
    }
    while (opened < n) {
        out[opened] = open_handle(o, err);
        if (!out[opened] || hold(out[opened], err) != 0) {
            opened += out[opened] != NULL;
            break;
        }
        opened++;
    }
    if (opened == n)
        rc = join_all(o, n, out, err);
    if (rc != 0) {
        for (int i = 0; i < opened; i++) {
            live_close(out[i]);
            out[i] = NULL;
        }
    }
    return rc;
}

static void print_flags(FILE *out, bpf_u_int32 flags)
{
    static const struct {
        bpf_u_int32 bit;
        const char *name;
    } names[] = {
        {PCAP_IF_UP, "up"},
        {PCAP_IF_RUNNING, "running"},
        {PCAP_IF_LOOPBACK, "loopback"},
    };
    const char *sep = "";

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (flags & names[i].bit) {
            fprintf(out, "%s%s", sep, names[i].name);
            sep = ",";
        }
    }
    if (!*sep)
        fputs("-", out);
}

int live_list_interfaces(FILE *out, char err[HTTPCAP_ERRBUF])
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL;

    pcap_err[0] = '\0';
    if (pcap_findalldevs(&all, pcap_err) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "cannot list interfaces: %.400s", pcap_err);
        return -1;
    }
    if (!all) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "no interfaces to capture on (capturing needs root or CAP_NET_RAW)");
        return -1;
    }
    for (const pcap_if_t *d = all; d; d = d->next) {
        fprintf(out, "%s  %s  ", d->name, d->description ? d->description : "-");
        print_flags(out, d->flags);
        fputc('\n', out);
    }
    pcap_freealldevs(all);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, HTTPCAP_ERRBUF, "cannot write the interface list: %s", strerror(errno));
        return -1;
    }
    return 0;
}
