/*
 * pcapw.h - a capture writer for tests: crafts TCP exchanges byte by byte.
 * Owns: one output file (classic pcap with µs or ns times, or pcapng with one or more
 *       interfaces), its write buffer and a scratch frame; the link, IP and TCP headers.
 * In:   frames, IP packets, or TCP segments of a struct pw_conn with explicit times (ns).
 * Out:  a little-endian capture file that libpcap and tshark read.
 * Never: allocates per packet; checks that what it is told to write makes sense (tests
 *       need broken traffic too).
 * Every failure is sticky: a writing function returns -1, and pw_close() returns -1
 * with the first failure's message, so a generator may check once at the end.
 */
#ifndef HTTPCAP_PCAPW_H
#define HTTPCAP_PCAPW_H

#include <stddef.h>
#include <stdint.h>

#define PW_ERRBUF 256

/* File formats. */
enum pw_format {
    PW_PCAP_US,   /* classic pcap, magic a1b2c3d4, µs timestamps */
    PW_PCAP_NS,   /* classic pcap, magic a1b23c4d, ns timestamps */
    PW_PCAPNG_US, /* pcapng, interfaces with if_tsresol 6 */
    PW_PCAPNG_NS  /* pcapng, interfaces with if_tsresol 9 */
};

/* Link types (LINKTYPE_* values as stored in the file). */
#define PW_LINK_NULL 0      /* BSD loopback: 4-byte address family, little-endian here */
#define PW_LINK_ETHERNET 1  /* Ethernet II, optionally 802.1Q or QinQ tagged */
#define PW_LINK_RAW 101     /* bare IPv4/IPv6 */
#define PW_LINK_SLL 113     /* Linux cooked capture v1 (16 bytes) */
#define PW_LINK_SLL2 276    /* Linux cooked capture v2 (20 bytes) */

/* TCP flags. */
#define PW_FIN 0x01
#define PW_SYN 0x02
#define PW_RST 0x04
#define PW_PSH 0x08
#define PW_ACK 0x10
#define PW_URG 0x20

/* Largest payload pw_write_tcp() takes (IPv4 total length 65535 minus headers). */
#define PW_MAX_PAYLOAD 65400u

/* BSD null address family values for IPv6 (they differ between systems). */
#define PW_AF_INET 2
#define PW_AF_INET6_BSD 24
#define PW_AF_INET6_FREEBSD 28
#define PW_AF_INET6_DARWIN 30

struct pw_file;

/*
 * Link-layer details of one frame. Which fields matter depends on the link type:
 * Ethernet uses the MACs and VLAN tags, SLL/SLL2 the source MAC, `outgoing` and
 * `ifindex`, BSD null none (the family comes from the IP version).
 */
struct pw_l2 {
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    uint8_t n_vlan;    /* 0 none, 1 one 802.1Q tag, 2 QinQ (0x88a8 outer, 0x8100 inner) */
    uint16_t vlan[2];  /* VLAN IDs (12 bits), outer first */
    uint8_t outgoing;  /* SLL/SLL2 packet type: 1 sent by the capturing host (4), 0 to it (0) */
    uint32_t ifindex;  /* SLL2 interface index */
};

/*
 * Open path ("-" is standard output) for writing and write the file header: for
 * pcapng a section header and interface 0 with this link type and snaplen. snaplen 0
 * means no cut (65535 is written for pcap as 262144). Returns NULL and fills err on
 * failure (cannot create the file, out of memory, unknown format).
 */
struct pw_file *pw_open(const char *path, enum pw_format fmt, int linktype, uint32_t snaplen,
                        char err[PW_ERRBUF]);

/*
 * pcapng only: add an interface (IDB) with its own link type, snaplen and time
 * resolution (tsresol_digits 6 for µs, 9 for ns). Returns its index, or -1 for a
 * classic pcap file. Packets go to interface 0 until pw_set_interface() says otherwise.
 * (libpcap refuses a file whose interfaces differ in link type.)
 */
int pw_add_interface(struct pw_file *f, int linktype, uint32_t snaplen, int tsresol_digits);

/* pcapng: send the next packets to interface idx. Returns -1 when idx does not exist. */
int pw_set_interface(struct pw_file *f, uint32_t idx);

/* Compute IPv4 and TCP checksums (default on); off leaves them 0 (like offload). */
void pw_set_checksums(struct pw_file *f, int on);

/* Ethernet: pad frames shorter than 60 bytes with zeros, as a switch would (default off). */
void pw_set_eth_padding(struct pw_file *f, int on);

/* BSD null link: the family value written for IPv6 (default PW_AF_INET6_DARWIN). */
void pw_set_null_af6(struct pw_file *f, uint32_t af);

/*
 * Write one frame of len bytes exactly as given (link header included) at ts_ns,
 * cut to the current interface's snaplen. Returns 0, or -1 after a write error or
 * a bad argument. ts_ns must be >= 0 and, for classic pcap, below 2^32 seconds.
 */
int pw_write_frame(struct pw_file *f, int64_t ts_ns, const uint8_t *frame, uint32_t len);

/*
 * Write one frame with a raw timestamp, for absurd-time tests: classic pcap stores
 * hi as seconds and lo as the µs/ns fraction; pcapng stores hi:lo as the 64-bit
 * count of the interface's units. Otherwise as pw_write_frame().
 */
int pw_write_frame_rawts(struct pw_file *f, uint32_t hi, uint32_t lo, const uint8_t *frame,
                         uint32_t len);

/*
 * Wrap an IP packet (IPv4 or IPv6, told by its first nibble) in the current
 * interface's link header described by l2 (NULL: zero MACs, no VLAN, incoming)
 * and write it. Returns 0, or -1 on a write error or when the packet is too long.
 */
int pw_write_ip(struct pw_file *f, int64_t ts_ns, const struct pw_l2 *l2, const uint8_t *ip,
                uint32_t len);

/* Packets and bytes (file size) written so far. */
uint64_t pw_packets(const struct pw_file *f);
uint64_t pw_file_bytes(const struct pw_file *f);

/* Flush and close; returns -1 and fills err when any write failed. NULL does nothing. */
int pw_close(struct pw_file *f, char err[PW_ERRBUF]);

/* Side indexes of a connection. */
#define PW_CLIENT 0
#define PW_SERVER 1

/*
 * One TCP connection as the writer sees it. Plain values: tests may change any field
 * between packets (e.g. ipv6_hbh, vlan, window, next_seq).
 */
struct pw_conn {
    struct pw_file *f;
    uint8_t family;         /* 4 or 6 */
    uint8_t addr[2][16];    /* [PW_CLIENT], [PW_SERVER]; IPv4 uses the first 4 bytes */
    uint16_t port[2];
    uint32_t isn[2];        /* initial sequence numbers; the first data byte is isn + 1 */
    uint32_t next_seq[2];   /* sequence number of the next byte side i sends */
    uint16_t window[2];     /* advertised window, host order */
    uint16_t ip_id[2];      /* next IPv4 identification of side i */
    uint8_t ttl;            /* IPv4 TTL / IPv6 hop limit */
    uint8_t ipv6_hbh;       /* IPv6: put an 8-byte hop-by-hop header before TCP */
    uint8_t mac[2][6];      /* Ethernet addresses of client and server */
    uint8_t n_vlan;         /* Ethernet tags, as in struct pw_l2 */
    uint16_t vlan[2];
    uint32_t ifindex;       /* SLL2 interface index */
    int64_t hs_step_ns;     /* time between the packets of pw_handshake/pw_teardown */
};

/*
 * Set up c for client_ip:client_port -> server_ip:server_port (numeric IPv4 or IPv6
 * text, both of one family) on file f. Defaults: ISNs derived from the ports,
 * window 64240, no VLAN, MACs 02:00:00:00:00:01 (client) / :02 (server),
 * hs_step_ns 100 µs. Returns -1 when an address does not parse or the families differ.
 */
int pw_conn_init(struct pw_conn *c, struct pw_file *f, const char *client_ip,
                 uint16_t client_port, const char *server_ip, uint16_t server_port);

/* Set both ISNs; next_seq of each side becomes isn + 1. Cannot fail. */
void pw_conn_set_isn(struct pw_conn *c, uint32_t client_isn, uint32_t server_isn);

/* Bytes side has sent so far, counted from its first data byte (isn + 1). */
uint32_t pw_offset(const struct pw_conn *c, int side);

/*
 * Write any TCP segment: from_client's side to the other, with the given seq, ack,
 * flags and payload, at ts_ns. Changes nothing in c but ip_id. Returns 0 or -1
 * (len > PW_MAX_PAYLOAD, write error).
 */
int pw_write_tcp(struct pw_conn *c, int from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                 const void *data, uint32_t len, int64_t ts_ns);

/* Same, with TCP options (opt_len a multiple of 4, at most 40). */
int pw_write_tcp_opts(struct pw_conn *c, int from_client, uint32_t seq, uint32_t ack,
                      uint8_t flags, const uint8_t *opts, uint32_t opt_len, const void *data,
                      uint32_t len, int64_t ts_ns);

/*
 * SYN (client, at ts_ns, with MSS 1460 and SACK-permitted options), SYN-ACK
 * (ts_ns + hs_step_ns), ACK (ts_ns + 2 * hs_step_ns), from the ISNs. Returns the
 * time of the last packet, or -1 on a write error.
 */
int64_t pw_handshake(struct pw_conn *c, int64_t ts_ns);

/* One PSH|ACK segment of len bytes at the side's next_seq, acking all the peer sent;
 * advances next_seq. Returns 0 or -1. */
int pw_send(struct pw_conn *c, int from_client, const void *data, uint32_t len, int64_t ts_ns);

/*
 * One PSH|ACK segment at an explicit place: offset counts from the side's first
 * data byte (seq = isn + 1 + offset), for reordering, retransmission and overlap.
 * next_seq becomes the segment's end when that is further on. Returns 0 or -1.
 */
int pw_send_seg(struct pw_conn *c, int from_client, uint32_t offset, const void *data,
                uint32_t len, int64_t ts_ns);

/*
 * Send len bytes cut into segments of at most mss bytes (ACK, PSH on the last), the
 * first at ts_ns and each next one step_ns later. Returns the time of the last
 * segment (ts_ns when len is 0), or -1 on a write error.
 */
int64_t pw_send_mss(struct pw_conn *c, int from_client, const void *data, uint32_t len,
                    uint32_t mss, int64_t ts_ns, int64_t step_ns);

/* Advance the side's next_seq by len without writing: a segment lost before the
 * capture saw it. Cannot fail. */
void pw_skip(struct pw_conn *c, int side, uint32_t len);

/* A bare ACK of everything the peer sent. Returns 0 or -1. */
int pw_ack(struct pw_conn *c, int from_client, int64_t ts_ns);

/* FIN|ACK at next_seq; next_seq advances by one. Returns 0 or -1. */
int pw_fin(struct pw_conn *c, int from_client, int64_t ts_ns);

/* RST|ACK at next_seq. Returns 0 or -1. */
int pw_rst(struct pw_conn *c, int from_client, int64_t ts_ns);

/*
 * Close politely: FIN from from_client's side at ts_ns, FIN|ACK from the other at
 * ts_ns + hs_step_ns, final ACK at ts_ns + 2 * hs_step_ns. Returns the last time or -1.
 */
int64_t pw_teardown(struct pw_conn *c, int from_client, int64_t ts_ns);

#endif
