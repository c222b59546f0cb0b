/*
 * live.h - packets from a network interface through libpcap (`httpcap capture`).
 * Owns: the pcap_t handle, its BPF filter, the optional --write-pcap dump file; or several
 *       handles sharing the interface through a Linux PACKET_FANOUT group.
 * In:   an interface name and capture options.
 * Out:  packets as struct source_packet (the same as capture files), pcap statistics.
 * Never: decodes packets, blocks for longer than its read timeout, touches the database.
 */
#ifndef HTTPCAP_LIVE_H
#define HTTPCAP_LIVE_H

#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"
#include "source.h"

struct live;

struct live_options {
    const char *iface;         /* interface name, e.g. "lo", "eth0", "any" */
    const char *filter;        /* BPF filter or NULL */
    int snaplen;               /* bytes kept per packet (default 262144) */
    int buffer_mib;            /* kernel buffer size in MiB (default 64) */
    int promisc;               /* 1: promiscuous mode (default) */
    int timeout_ms;            /* read timeout: live_dispatch returns at least this often
                                  (default 100) */
    const char *write_pcap;    /* NULL, or also write every packet to this pcap file */
};

/* Defaults for every field (iface NULL). Cannot fail. */
void live_defaults(struct live_options *o);

/*
 * Open and activate the interface, set the filter, open the dump file. Returns NULL and
 * one line in err on failure: "IFACE: no such interface", "IFACE: permission denied
 * (capturing needs root or CAP_NET_RAW)", "bad filter 'X': libpcap's message",
 * "FILE: cannot write: reason", "IFACE: link type N (NAME) is not supported".
 */
struct live *live_open(const struct live_options *o, char err[HTTPCAP_ERRBUF]);

/* Most handles live_open_group opens on one interface. */
#define LIVE_MAX_GROUP 64

/*
 * Open n (2..LIVE_MAX_GROUP) handles on o->iface, each as live_open does (o->write_pcap
 * must be NULL), joined in one Linux PACKET_FANOUT group that hashes by flow
 * (PACKET_FANOUT_HASH: the kernel hashes addresses and ports symmetrically, so both
 * directions of a TCP connection reach the same handle), so that each packet is delivered
 * to exactly one of them. Until all have joined, each handle's kernel filter drops
 * everything; then what reached the handles before is read and discarded, so no packet is
 * delivered twice, and only then is o->filter set (capture starts about two read timeouts
 * after the call). The group's id is picked by the kernel, so two captures never share
 * it. Returns 0 with out[0..n) (each closed with live_close), or -1 + err with nothing
 * left open: live_open's errors, or "IFACE: cannot share the interface between workers
 * (Linux PACKET_FANOUT: reason); use --workers 1" (off Linux: "...need Linux...").
 */
int live_open_group(const struct live_options *o, int n, struct live **out,
                    char err[HTTPCAP_ERRBUF]);

/* Called by live_dispatch for each packet; pkt is valid only during the call. */
typedef void (*live_packet_fn)(void *ctx, const struct source_packet *pkt);

/*
 * Deliver up to max packets (max <= 0: one buffer's worth) to fn, waiting at most the
 * read timeout for the first. Returns the number delivered (0 on a timeout or after
 * live_break), or -1 with err on a capture error (interface gone...).
 */
int live_dispatch(struct live *l, int max, live_packet_fn fn, void *ctx,
                  char err[HTTPCAP_ERRBUF]);

/* Make a live_dispatch in progress return soon. Async-signal-safe. */
void live_break(struct live *l);

/* The link type (DLT_*) of the interface. */
int live_linktype(const struct live *l);

/* Packets delivered and bytes so far, and libpcap's drop counters (pcap_stats: dropped by
 * the kernel, dropped by the interface). Cannot fail (counters stay 0 when libpcap cannot
 * tell). */
void live_stats(struct live *l, struct source_stats *st);

/* Flush the dump file, close everything; NULL does nothing. */
void live_close(struct live *l);

/* Print the interfaces libpcap can capture on, one per line: "name  description  flags".
 * Returns 0, or -1 with err. */
int live_list_interfaces(FILE *out, char err[HTTPCAP_ERRBUF]);

#endif
