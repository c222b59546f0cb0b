/*
 * decode.h - from a captured frame to a TCP segment.
 * Owns: link layers (Ethernet, 802.1Q/QinQ, Linux cooked v1/v2, BSD null/loopback,
 *       raw IP, ARCNET and more), IPv4 (options) and IPv6 (extension headers), the TCP header.
 * In:   one packet's bytes and link type.
 * Out:  a struct segment pointing into the packet, or the reason it was skipped.
 * Never: keeps state between packets, reads outside the captured bytes.
 */
#ifndef HTTPCAP_DECODE_H
#define HTTPCAP_DECODE_H

#include <stdint.h>

/* TCP header flags (RFC 9293 §3.1). */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Why a packet did not yield a segment; one table gives the enum and the names. */
/* (New reasons go at the end so the numbers of the others never change.) */
#define DECODE_REASONS(X)                         \
    X(DECODE_OK, "ok")                            \
    X(DECODE_UNKNOWN_LINK, "unknown-link-type")   \
    X(DECODE_SHORT_LINK, "short-link-header")     \
    X(DECODE_NOT_IP, "not-ip")                    \
    X(DECODE_SHORT_IP, "short-ip-header")         \
    X(DECODE_BAD_IP, "bad-ip-header")             \
    X(DECODE_FRAGMENT, "ip-fragment")             \
    X(DECODE_NOT_TCP, "not-tcp")                  \
    X(DECODE_SHORT_TCP, "short-tcp-header")       \
    X(DECODE_BAD_TCP, "bad-tcp-header")           \
    X(DECODE_BAD_LINK, "bad-link-header")

enum decode_reason {
#define DECODE_ENUM(id, name) id,
    DECODE_REASONS(DECODE_ENUM)
#undef DECODE_ENUM
    DECODE_REASON_COUNT
};

struct segment {
    int64_t ts_ns;              /* capture time, ns since the epoch */
    uint8_t ip_version;         /* 4 or 6 */
    uint8_t src[16];            /* source address; IPv4 uses the first 4 bytes, rest 0 */
    uint8_t dst[16];            /* destination address, same layout */
    uint16_t sport, dport;      /* TCP ports, host order */
    uint32_t seq, ack;          /* TCP sequence and acknowledgment numbers */
    uint8_t flags;              /* TCP_FIN | TCP_SYN | ... */
    const uint8_t *payload;     /* TCP payload in the packet buffer; valid during the call */
    uint32_t payload_len;       /* payload bytes captured */
    uint32_t payload_missing;   /* payload bytes on the wire but not captured (snaplen):
                                   the IP length minus what was captured, never more
                                   than wirelen - caplen (a lying length invents none) */
};

/* Name of a reason ("ip-fragment"); "unknown" for an out-of-range value. */
const char *decode_reason_name(enum decode_reason r);

/* 1 when the link type (DLT_*) can be decoded, else 0. */
int decode_link_supported(int linktype);

/* A short name for a link type ("EN10MB", "LINUX_SLL2"...) or "unknown". */
const char *decode_link_name(int linktype);

/*
 * Decode one frame of the given link type. On DECODE_OK *out describes the TCP
 * segment (payload points into pkt). Any other value is why it was skipped; *out
 * is then undefined. caplen bytes at pkt are readable; wirelen is the length on
 * the wire. Cannot fail otherwise; never reads outside pkt[0..caplen).
 * Tunnels (VXLAN on UDP 4789, Teredo on UDP 3544, IP in IP, MPLS Ethernet
 * pseudowires) are entered at most two deep; the segment is the innermost one.
 */
enum decode_reason decode_packet(int linktype, const uint8_t *pkt, uint32_t caplen,
                                 uint32_t wirelen, int64_t ts_ns, struct segment *out);

#endif
