/*
 * pcapw.c - a capture writer for tests: crafts TCP exchanges byte by byte.
 * Owns: the output file and its buffer, one scratch frame, the interfaces of a pcapng.
 * In:   frames, IP packets or TCP segments of a struct pw_conn, with times in ns.
 * Out:  little-endian pcap/pcapng records, written through a large buffer.
 * Never: allocates per packet or validates what it is asked to write.
 */
#include "pcapw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP (4u << 20)   /* output buffer: flushed when a record would not fit */
#define HEADROOM 64u         /* room before the IP header for any link header */
#define FRAME_CAP (HEADROOM + 65535u + 64u)
#define MAX_IFS 16
#define NO_SNAPLEN 262144u

struct pw_if {
    int linktype;
    uint32_t snaplen;  /* 0: no cut */
    int is_ns;         /* timestamps in ns (else µs) */
};

struct pw_file {
    FILE *fp;
    int is_stdout;
    enum pw_format fmt;
    int is_ng;
    struct pw_if ifs[MAX_IFS];
    uint32_t n_ifs;
    uint32_t cur_if;
    int checksums;
    int eth_pad;
    uint32_t af6;
    uint64_t packets;
    uint64_t bytes;
    int failed;
    char err[PW_ERRBUF];
    uint8_t *out;       /* OUT_CAP bytes */
    size_t out_len;
    uint8_t frame[FRAME_CAP];
};

static void put16le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Record the first failure; pw_close() reports it. Returns -1. */
static int fail(struct pw_file *f, const char *what)
{
    if (!f->failed) {
        f->failed = 1;
        snprintf(f->err, sizeof f->err, "%s", what);
    }
    return -1;
}

static void flush_out(struct pw_file *f)
{
    if (f->out_len > 0 && !f->failed && fwrite(f->out, 1, f->out_len, f->fp) != f->out_len) {
        f->failed = 1;
        snprintf(f->err, sizeof f->err, "write: %s", strerror(errno));
    }
    f->out_len = 0;
}

/* Room for n more bytes in the output buffer (n is always far below OUT_CAP). */
static uint8_t *out_reserve(struct pw_file *f, size_t n)
{
    if (n > OUT_CAP - f->out_len)
        flush_out(f);
    uint8_t *p = f->out + f->out_len;
    f->out_len += n;
    f->bytes += n;
    return p;
}

static void write_shb(struct pw_file *f)
{
    uint8_t *p = out_reserve(f, 28);
    put32le(p, 0x0A0D0D0Au);
    put32le(p + 4, 28);
    put32le(p + 8, 0x1A2B3C4Du);
    put16le(p + 12, 1);
    put16le(p + 14, 0);
    put32le(p + 16, 0xFFFFFFFFu); /* section length unknown: -1 */
    put32le(p + 20, 0xFFFFFFFFu);
    put32le(p + 24, 28);
}

static void write_idb(struct pw_file *f, const struct pw_if *ifc)
{
    uint8_t *p = out_reserve(f, 32);
    put32le(p, 1);
    put32le(p + 4, 32);
    put16le(p + 8, (uint32_t)ifc->linktype);
    put16le(p + 10, 0);
    put32le(p + 12, ifc->snaplen ? ifc->snaplen : NO_SNAPLEN);
    put16le(p + 16, 9); /* if_tsresol: 10^-6 or 10^-9 */
    put16le(p + 18, 1);
    p[20] = ifc->is_ns ? 9 : 6;
    p[21] = p[22] = p[23] = 0;
    put32le(p + 24, 0); /* opt_endofopt */
    put32le(p + 28, 32);
}

struct pw_file *pw_open(const char *path, enum pw_format fmt, int linktype, uint32_t snaplen,
                        char err[PW_ERRBUF])
{
    if (fmt != PW_PCAP_US && fmt != PW_PCAP_NS && fmt != PW_PCAPNG_US && fmt != PW_PCAPNG_NS) {
        snprintf(err, PW_ERRBUF, "%s: unknown format %d", path, (int)fmt);
        return NULL;
    }
    struct pw_file *f = calloc(1, sizeof *f);
    if (f != NULL)
        f->out = malloc(OUT_CAP);
    if (f == NULL || f->out == NULL) {
        free(f);
        snprintf(err, PW_ERRBUF, "%s: out of memory", path);
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        f->fp = stdout;
        f->is_stdout = 1;
    } else {
        f->fp = fopen(path, "wb");
    }
    if (f->fp == NULL) {
        snprintf(err, PW_ERRBUF, "%s: %s", path, strerror(errno));
        free(f->out);
        free(f);
        return NULL;
    }
    f->fmt = fmt;
    f->is_ng = fmt == PW_PCAPNG_US || fmt == PW_PCAPNG_NS;
    f->checksums = 1;
    f->af6 = PW_AF_INET6_DARWIN;
    f->ifs[0].linktype = linktype;
    f->ifs[0].snaplen = snaplen;
    f->ifs[0].is_ns = fmt == PW_PCAP_NS || fmt == PW_PCAPNG_NS;
    f->n_ifs = 1;
    if (f->is_ng) {
        write_shb(f);
        write_idb(f, &f->ifs[0]);
    } else {
        uint8_t *p = out_reserve(f, 24);
        put32le(p, f->ifs[0].is_ns ? 0xA1B23C4Du : 0xA1B2C3D4u);
        put16le(p + 4, 2);
        put16le(p + 6, 4);
        put32le(p + 8, 0);  /* thiszone */
        put32le(p + 12, 0); /* sigfigs */
        put32le(p + 16, snaplen ? snaplen : NO_SNAPLEN);
        put32le(p + 20, (uint32_t)linktype);
    }
    return f;
}

int pw_add_interface(struct pw_file *f, int linktype, uint32_t snaplen, int tsresol_digits)
{
    if (!f->is_ng || f->n_ifs >= MAX_IFS)
        return -1;
    struct pw_if *ifc = &f->ifs[f->n_ifs];
    ifc->linktype = linktype;
    ifc->snaplen = snaplen;
    ifc->is_ns = tsresol_digits == 9;
    write_idb(f, ifc);
    return (int)f->n_ifs++;
}

int pw_set_interface(struct pw_file *f, uint32_t idx)
{
    if (idx >= f->n_ifs)
        return -1;
    f->cur_if = idx;
    return 0;
}

void pw_set_checksums(struct pw_file *f, int on)
{
    f->checksums = on != 0;
}

void pw_set_eth_padding(struct pw_file *f, int on)
{
    f->eth_pad = on != 0;
}

void pw_set_null_af6(struct pw_file *f, uint32_t af)
{
    f->af6 = af;
}

uint64_t pw_packets(const struct pw_file *f)
{
    return f->packets;
}

uint64_t pw_file_bytes(const struct pw_file *f)
{
    return f->bytes;
}

/* One record; hi/lo are the timestamp as the format stores it. */
static int emit(struct pw_file *f, uint32_t hi, uint32_t lo, const uint8_t *frame, uint32_t len)
{
    const struct pw_if *ifc = &f->ifs[f->cur_if];
    uint32_t caplen = len;
    if (ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (f->is_ng) {
        uint32_t pad = (4u - (caplen & 3u)) & 3u;
        uint32_t total = 32u + caplen + pad;
        uint8_t *p = out_reserve(f, total);
        put32le(p, 6);
        put32le(p + 4, total);
        put32le(p + 8, f->cur_if);
        put32le(p + 12, hi);
        put32le(p + 16, lo);
        put32le(p + 20, caplen);
        put32le(p + 24, len);
        memcpy(p + 28, frame, caplen);
        memset(p + 28 + caplen, 0, pad);
        put32le(p + 28 + caplen + pad, total);
    } else {
        uint8_t *p = out_reserve(f, 16u + caplen);
        put32le(p, hi);
        put32le(p + 4, lo);
        put32le(p + 8, caplen);
        put32le(p + 12, len);
        memcpy(p + 16, frame, caplen);
    }
    f->packets++;
    return f->failed ? -1 : 0;
}

int pw_write_frame_rawts(struct pw_file *f, uint32_t hi, uint32_t lo, const uint8_t *frame,
                         uint32_t len)
{
    if (len > FRAME_CAP)
        return fail(f, "frame too long");
    return emit(f, hi, lo, frame, len);
}

int pw_write_frame(struct pw_file *f, int64_t ts_ns, const uint8_t *frame, uint32_t len)
{
    if (ts_ns < 0)
        return fail(f, "negative timestamp");
    if (len > FRAME_CAP)
        return fail(f, "frame too long");
    uint64_t t = (uint64_t)ts_ns;
    const struct pw_if *ifc = &f->ifs[f->cur_if];
    if (f->is_ng) {
        uint64_t units = ifc->is_ns ? t : t / 1000u;
        return emit(f, (uint32_t)(units >> 32), (uint32_t)units, frame, len);
    }
    uint64_t sec = t / 1000000000u;
    uint64_t frac = t % 1000000000u;
    if (sec > 0xFFFFFFFFu)
        return fail(f, "timestamp beyond 2^32 seconds in a classic pcap");
    return emit(f, (uint32_t)sec, (uint32_t)(ifc->is_ns ? frac : frac / 1000u), frame, len);
}

/*
 * The IP packet of ip_len bytes sits at f->frame + HEADROOM: put the link header in
 * front of it and write the frame.
 */
static int emit_ip_in_place(struct pw_file *f, int64_t ts_ns, const struct pw_l2 *l2,
                            uint32_t ip_len)
{
    static const struct pw_l2 zero_l2;
    if (l2 == NULL)
        l2 = &zero_l2;
    uint8_t *ip = f->frame + HEADROOM;
    int is_v6 = (ip[0] >> 4) == 6;
    uint32_t ethertype = is_v6 ? 0x86DDu : 0x0800u;
    uint8_t *p = ip;
    uint32_t len = ip_len;
    switch (f->ifs[f->cur_if].linktype) {
    case PW_LINK_NULL:
        p -= 4;
        put32le(p, is_v6 ? f->af6 : PW_AF_INET);
        break;
    case PW_LINK_RAW:
        break;
    case PW_LINK_SLL:
        p -= 16;
        put16be(p, l2->outgoing ? 4 : 0);
        put16be(p + 2, 1); /* ARPHRD_ETHER */
        put16be(p + 4, 6);
        memcpy(p + 6, l2->src_mac, 6);
        p[12] = p[13] = 0;
        put16be(p + 14, ethertype);
        break;
    case PW_LINK_SLL2:
        p -= 20;
        put16be(p, ethertype);
        put16be(p + 2, 0);
        put32be(p + 4, l2->ifindex);
        put16be(p + 8, 1); /* ARPHRD_ETHER */
        p[10] = l2->outgoing ? 4 : 0;
        p[11] = 6;
        memcpy(p + 12, l2->src_mac, 6);
        p[18] = p[19] = 0;
        break;
    default: /* Ethernet */
        p -= 2;
        put16be(p, ethertype);
        for (int i = l2->n_vlan > 2 ? 2 : l2->n_vlan; i > 0; i--) {
            p -= 4;
            /* QinQ: the outer tag is 802.1ad (0x88a8), the inner 802.1Q (0x8100) */
            put16be(p, (l2->n_vlan == 2 && i == 1) ? 0x88A8u : 0x8100u);
            put16be(p + 2, l2->vlan[i - 1] & 0x0FFFu);
        }
        p -= 12;
        memcpy(p, l2->dst_mac, 6);
        memcpy(p + 6, l2->src_mac, 6);
        if (f->eth_pad && len + (uint32_t)(ip - p) < 60) {
            uint32_t pad = 60 - (len + (uint32_t)(ip - p));
            memset(ip + len, 0, pad);
            len += pad;
        }
        break;
    }
    return pw_write_frame(f, ts_ns, p, len + (uint32_t)(ip - p));
}

int pw_write_ip(struct pw_file *f, int64_t ts_ns, const struct pw_l2 *l2, const uint8_t *ip,
                uint32_t len)
{
    if (len > 65535u || len == 0)
        return fail(f, "IP packet length out of range");
    memmove(f->frame + HEADROOM, ip, len);
    return emit_ip_in_place(f, ts_ns, l2, len);
}

/* Ones' complement sum of n bytes, folded later; n may be odd. */
static uint64_t sum_bytes(uint64_t acc, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        acc += ((uint64_t)p[0] << 8 | p[1]) + ((uint64_t)p[2] << 8 | p[3]) +
               ((uint64_t)p[4] << 8 | p[5]) + ((uint64_t)p[6] << 8 | p[7]);
        p += 8;
        n -= 8;
    }
    while (n >= 2) {
        acc += (uint64_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n == 1)
        acc += (uint64_t)p[0] << 8;
    return acc;
}

static uint16_t fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFFu) + (acc >> 16);
    return (uint16_t)~acc;
}

int pw_conn_init(struct pw_conn *c, struct pw_file *f, const char *client_ip,
                 uint16_t client_port, const char *server_ip, uint16_t server_port)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    if (inet_pton(AF_INET, client_ip, c->addr[PW_CLIENT]) == 1 &&
        inet_pton(AF_INET, server_ip, c->addr[PW_SERVER]) == 1) {
        c->family = 4;
    } else if (inet_pton(AF_INET6, client_ip, c->addr[PW_CLIENT]) == 1 &&
               inet_pton(AF_INET6, server_ip, c->addr[PW_SERVER]) == 1) {
        c->family = 6;
    } else {
        return -1;
    }
    c->port[PW_CLIENT] = client_port;
    c->port[PW_SERVER] = server_port;
    pw_conn_set_isn(c, 0x1F3A0000u ^ (uint32_t)client_port * 2654435761u,
                    0x6C5E0000u ^ (uint32_t)server_port * 2246822519u ^ client_port);
    c->window[PW_CLIENT] = 64240;
    c->window[PW_SERVER] = 65160;
    c->ip_id[PW_CLIENT] = (uint16_t)(client_port * 7u);
    c->ip_id[PW_SERVER] = (uint16_t)(server_port * 13u);
    c->ttl = 64;
    static const uint8_t mac_c[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    static const uint8_t mac_s[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    memcpy(c->mac[PW_CLIENT], mac_c, 6);
    memcpy(c->mac[PW_SERVER], mac_s, 6);
    c->hs_step_ns = 100000;
    return 0;
}

void pw_conn_set_isn(struct pw_conn *c, uint32_t client_isn, uint32_t server_isn)
{
    c->isn[PW_CLIENT] = client_isn;
    c->isn[PW_SERVER] = server_isn;
    c->next_seq[PW_CLIENT] = client_isn + 1;
    c->next_seq[PW_SERVER] = server_isn + 1;
}

uint32_t pw_offset(const struct pw_conn *c, int side)
{
    return c->next_seq[side] - c->isn[side] - 1;
}

int pw_write_tcp_opts(struct pw_conn *c, int from_client, uint32_t seq, uint32_t ack,
                      uint8_t flags, const uint8_t *opts, uint32_t opt_len, const void *data,
                      uint32_t len, int64_t ts_ns)
{
    struct pw_file *f = c->f;
    int s = from_client ? PW_CLIENT : PW_SERVER;
    int d = 1 - s;
    if (len > PW_MAX_PAYLOAD || opt_len > 40 || (opt_len & 3u) != 0)
        return fail(f, "TCP payload or options too long");
    uint8_t *ip = f->frame + HEADROOM;
    uint32_t tcp_len = 20 + opt_len + len;
    uint8_t *tcp;
    uint32_t ip_len;
    uint64_t acc;
    if (c->family == 4) {
        ip_len = 20 + tcp_len;
        ip[0] = 0x45;
        ip[1] = 0;
        put16be(ip + 2, ip_len);
        put16be(ip + 4, c->ip_id[s]++);
        put16be(ip + 6, 0x4000); /* DF */
        ip[8] = c->ttl;
        ip[9] = 6;
        put16be(ip + 10, 0);
        memcpy(ip + 12, c->addr[s], 4);
        memcpy(ip + 16, c->addr[d], 4);
        if (f->checksums)
            put16be(ip + 10, fold(sum_bytes(0, ip, 20)));
        tcp = ip + 20;
        acc = sum_bytes(0, ip + 12, 8) + 6 + tcp_len;
    } else {
        uint32_t ext = c->ipv6_hbh ? 8 : 0;
        ip_len = 40 + ext + tcp_len;
        put32be(ip, 0x60000000u);
        put16be(ip + 4, ext + tcp_len);
        ip[6] = ext ? 0 : 6; /* next header: hop-by-hop or TCP */
        ip[7] = c->ttl;
        memcpy(ip + 8, c->addr[s], 16);
        memcpy(ip + 24, c->addr[d], 16);
        if (ext) {
            /* hop-by-hop: next header TCP, length 0 (8 bytes), one PadN option of 4 */
            uint8_t *h = ip + 40;
            h[0] = 6;
            h[1] = 0;
            h[2] = 1;
            h[3] = 4;
            memset(h + 4, 0, 4);
        }
        tcp = ip + 40 + ext;
        acc = sum_bytes(0, ip + 8, 32) + 6 + tcp_len;
    }
    put16be(tcp, c->port[s]);
    put16be(tcp + 2, c->port[d]);
    put32be(tcp + 4, seq);
    put32be(tcp + 8, ack);
    tcp[12] = (uint8_t)(((20 + opt_len) / 4) << 4);
    tcp[13] = flags;
    put16be(tcp + 14, c->window[s]);
    put16be(tcp + 16, 0);
    put16be(tcp + 18, 0);
    if (opt_len)
        memcpy(tcp + 20, opts, opt_len);
    if (len)
        memcpy(tcp + 20 + opt_len, data, len);
    if (f->checksums)
        put16be(tcp + 16, fold(sum_bytes(acc, tcp, tcp_len)));
    struct pw_l2 l2;
    memcpy(l2.src_mac, c->mac[s], 6);
    memcpy(l2.dst_mac, c->mac[d], 6);
    l2.n_vlan = c->n_vlan;
    l2.vlan[0] = c->vlan[0];
    l2.vlan[1] = c->vlan[1];
    l2.outgoing = s == PW_CLIENT; /* the capturing host is the client */
    l2.ifindex = c->ifindex;
    return emit_ip_in_place(f, ts_ns, &l2, ip_len);
}

int pw_write_tcp(struct pw_conn *c, int from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                 const void *data, uint32_t len, int64_t ts_ns)
{
    return pw_write_tcp_opts(c, from_client, seq, ack, flags, NULL, 0, data, len, ts_ns);
}

int64_t pw_handshake(struct pw_conn *c, int64_t ts_ns)
{
    /* MSS 1460, NOP, NOP, SACK permitted */
    static const uint8_t opts[8] = {2, 4, 0x05, 0xB4, 1, 1, 4, 2};
    uint32_t ci = c->isn[PW_CLIENT];
    uint32_t si = c->isn[PW_SERVER];
    int64_t t = ts_ns;
    if (pw_write_tcp_opts(c, 1, ci, 0, PW_SYN, opts, 8, NULL, 0, t) < 0)
        return -1;
    t += c->hs_step_ns;
    if (pw_write_tcp_opts(c, 0, si, ci + 1, PW_SYN | PW_ACK, opts, 8, NULL, 0, t) < 0)
        return -1;
    t += c->hs_step_ns;
    if (pw_write_tcp(c, 1, ci + 1, si + 1, PW_ACK, NULL, 0, t) < 0)
        return -1;
    return t;
}

int pw_send(struct pw_conn *c, int from_client, const void *data, uint32_t len, int64_t ts_ns)
{
    int s = from_client ? PW_CLIENT : PW_SERVER;
    int r = pw_write_tcp(c, from_client, c->next_seq[s], c->next_seq[1 - s], PW_PSH | PW_ACK,
                         data, len, ts_ns);
    c->next_seq[s] += len;
    return r;
}

int pw_send_seg(struct pw_conn *c, int from_client, uint32_t offset, const void *data,
                uint32_t len, int64_t ts_ns)
{
    int s = from_client ? PW_CLIENT : PW_SERVER;
    uint32_t seq = c->isn[s] + 1 + offset;
    int r = pw_write_tcp(c, from_client, seq, c->next_seq[1 - s], PW_PSH | PW_ACK, data, len,
                         ts_ns);
    if ((int32_t)(seq + len - c->next_seq[s]) > 0)
        c->next_seq[s] = seq + len;
    return r;
}

int64_t pw_send_mss(struct pw_conn *c, int from_client, const void *data, uint32_t len,
                    uint32_t mss, int64_t ts_ns, int64_t step_ns)
{
    int s = from_client ? PW_CLIENT : PW_SERVER;
    const uint8_t *p = data;
    int64_t t = ts_ns;
    if (mss == 0)
        return fail(c->f, "mss 0");
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < mss ? len - done : mss;
        uint8_t flags = done + n == len ? PW_PSH | PW_ACK : PW_ACK;
        if (done > 0)
            t += step_ns;
        if (pw_write_tcp(c, from_client, c->next_seq[s], c->next_seq[1 - s], flags, p + done, n,
                         t) < 0)
            return -1;
        c->next_seq[s] += n;
        done += n;
    }
    return t;
}

void pw_skip(struct pw_conn *c, int side, uint32_t len)
{
    c->next_seq[side] += len;
}

int pw_ack(struct pw_conn *c, int from_client, int64_t ts_ns)
{
    int s = from_client ? PW_CLIENT : PW_SERVER;
    return pw_write_tcp(c, from_client, c->next_seq[s], c->next_seq[1 - s], PW_ACK, NULL, 0,
                        ts_ns);
}

int pw_fin(struct pw_conn *c, int from_client, int64_t ts_ns)
{
    int s = from_client ? PW_CLIENT : PW_SERVER;
    int r = pw_write_tcp(c, from_client, c->next_seq[s], c->next_seq[1 - s], PW_FIN | PW_ACK,
                         NULL, 0, ts_ns);
    c->next_seq[s] += 1;
    return r;
}

int pw_rst(struct pw_conn *c, int from_client, int64_t ts_ns)
{
    int s = from_client ? PW_CLIENT : PW_SERVER;
    return pw_write_tcp(c, from_client, c->next_seq[s], c->next_seq[1 - s], PW_RST | PW_ACK,
                        NULL, 0, ts_ns);
}

int64_t pw_teardown(struct pw_conn *c, int from_client, int64_t ts_ns)
{
    int64_t t = ts_ns;
    if (pw_fin(c, from_client, t) < 0)
        return -1;
    t += c->hs_step_ns;
    if (pw_fin(c, !from_client, t) < 0)
        return -1;
    t += c->hs_step_ns;
    if (pw_ack(c, from_client, t) < 0)
        return -1;
    return t;
}

int pw_close(struct pw_file *f, char err[PW_ERRBUF])
{
    if (f == NULL)
        return 0;
    flush_out(f);
    int failed = f->failed;
    if (f->is_stdout) {
        if (fflush(f->fp) != 0 && !failed) {
            failed = 1;
            snprintf(f->err, sizeof f->err, "write: %s", strerror(errno));
        }
    } else if (fclose(f->fp) != 0 && !failed) {
        failed = 1;
        snprintf(f->err, sizeof f->err, "close: %s", strerror(errno));
    }
    if (failed && err != NULL)
        snprintf(err, PW_ERRBUF, "%s", f->err);
    free(f->out);
    free(f);
    return failed ? -1 : 0;
}
