/*
 * decode.c - from a captured frame to a TCP segment.
 * Owns: link layers (Ethernet with 802.1Q/802.1ad tags, MPLS, PPPoE, Linux cooked v1/v2,
 *       BSD null/loopback, raw IP, Cisco HDLC, NFLOG, radiotap 802.11, ARCNET), IPv4, IPv6
 *       extension headers, tunnels (VXLAN, Teredo, IP in IP; two deep at most), TCP.
 * In:   one frame's captured bytes, its link type, its wire length and capture time.
 * Out:  a struct segment pointing into the frame, or the named reason it was skipped.
 * Never: keeps state between frames, reads packet bytes except through struct bytes, or
 *        rejects a segment for its checksum (offload leaves sending hosts' sums wrong).
 */
#include "decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "bytes.h"

#define LINKTYPE_RAW 101 /* the file-format value; libpcap usually maps it to DLT_RAW */

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100       /* IEEE 802.1Q */
#define ETH_QINQ 0x88a8       /* IEEE 802.1ad service tag */
#define ETH_QINQ_OLD 0x9100   /* pre-standard QinQ */
#define ETH_MPLS 0x8847       /* RFC 3032, unicast */
#define ETH_PPPOE_SESS 0x8864 /* RFC 2516 session stage */
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define ARC_IP 0xd4          /* RFC 1201 */
#define ARC_IPV6 0xc4        /* RFC 2497 */
#define ARC_IP_RFC1051 0xf0
#define ARC_ARP_RFC1051 0xf1
#define ARC_DIAGNOSE 0x80    /* ANSI/ATA 878.1 */
#define ARC_BACNET 0xcd      /* ANSI/ASHRAE 135: no split flag either (Wireshark) */

#define IPPROTO_NUM_IPIP 4
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_IPV6 41

#define VXLAN_PORT 4789  /* RFC 7348 §5 */
#define TEREDO_PORT 3544 /* RFC 4380 §5.2 */

#define MAX_TAGS 8        /* VLAN tags in a row before we call the frame bogus */
#define MAX_LABELS 16     /* MPLS label stack entries */
#define MAX_EXT_HEADERS 16
#define MAX_TUNNELS 2     /* encapsulations entered (VXLAN, Teredo, IP in IP, MPLS PW) */

struct frame {
    struct segment *out;
    uint32_t frame_missing; /* wirelen - caplen: the most any header may claim is lost */
    uint32_t ip_missing;    /* bytes of the innermost IP datagram lost to the snaplen */
    int tunnels;            /* encapsulations entered so far */
};

static enum decode_reason ethernet(struct bytes *b, struct frame *f);
static enum decode_reason ethertype(uint16_t type, struct bytes *b, struct frame *f);
static enum decode_reason ip_any(struct bytes *b, struct frame *f);
static enum decode_reason ipv4(struct bytes *b, struct frame *f);
static enum decode_reason ipv6(struct bytes *b, struct frame *f);

static const char *const reason_names[] = {
#define DECODE_NAME(id, name) name,
    DECODE_REASONS(DECODE_NAME)
#undef DECODE_NAME
};

const char *decode_reason_name(enum decode_reason r)
{
    if ((unsigned)r >= (unsigned)DECODE_REASON_COUNT)
        return "unknown";
    return reason_names[r];
}

/* ---- link layers ---- */

static int is_vlan_tag(uint16_t type)
{
    return type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD;
}

static enum decode_reason mpls(struct bytes *b, struct frame *f)
{
    uint32_t entry = 0;
    uint8_t first;
    int labels = 0;

    /* RFC 3032 §2.1: 4-byte entries until the one with the bottom-of-stack bit */
    while (!(entry & 0x100)) {
        if (labels++ == MAX_LABELS)
            return DECODE_BAD_LINK;
        if (bytes_be32(b, &entry))
            return DECODE_SHORT_LINK;
    }
    if (bytes_peek(b, 0, &first))
        return DECODE_SHORT_IP;
    if ((first >> 4) != 0)
        return ip_any(b, f);
    /* RFC 4385 §3: a first nibble of 0 is the pseudowire control word; RFC 4448 Ethernet */
    if (f->tunnels >= MAX_TUNNELS)
        return DECODE_NOT_IP;
    f->tunnels++;
    if (bytes_skip(b, 4))
        return DECODE_SHORT_LINK;
    return ethernet(b, f);
}

static enum decode_reason pppoe(struct bytes *b, struct frame *f)
{
    uint8_t ver_type, code, first, second;
    uint16_t len, proto;

    if (bytes_u8(b, &ver_type) || bytes_u8(b, &code) || bytes_skip(b, 2) ||
        bytes_be16(b, &len))
        return DECODE_SHORT_LINK;
    /* RFC 2516 §4: version 1, type 1; session data has code 0 */
    if (ver_type != 0x11 || code != 0)
        return DECODE_BAD_LINK;
    /* The PPPoE length covers the PPP frame: Ethernet padding ends here. */
    bytes_limit(b, len);
    if (bytes_u8(b, &first))
        return DECODE_SHORT_LINK;
    proto = first;
    /* RFC 1661 §6.5: an odd first byte is the whole protocol field, compressed */
    if (!(first & 0x01)) {
        if (bytes_u8(b, &second))
            return DECODE_SHORT_LINK;
        proto = (uint16_t)(first << 8 | second);
    }
    if (proto == PPP_IPV4)
        return ipv4(b, f);
    if (proto == PPP_IPV6)
        return ipv6(b, f);
    return DECODE_NOT_IP;
}

/* From an EtherType on: VLAN tags, then IP, MPLS or PPPoE. */
static enum decode_reason ethertype(uint16_t type, struct bytes *b, struct frame *f)
{
    for (int tags = 0; is_vlan_tag(type); tags++) {
        if (tags == MAX_TAGS)
            return DECODE_BAD_LINK;
        /* IEEE 802.1Q: 2 bytes of tag control, then the next EtherType */
        if (bytes_skip(b, 2) || bytes_be16(b, &type))
            return DECODE_SHORT_LINK;
    }
    switch (type) {
    case ETH_IPV4:
        return ipv4(b, f);
    case ETH_IPV6:
        return ipv6(b, f);
    case ETH_MPLS:
        return mpls(b, f);
    case ETH_PPPOE_SESS:
        return pppoe(b, f);
    default:
        return DECODE_NOT_IP;
    }
}

static enum decode_reason ethernet(struct bytes *b, struct frame *f)
{
    uint16_t type;

    if (bytes_skip(b, 12) || bytes_be16(b, &type))
        return DECODE_SHORT_LINK;
    return ethertype(type, b, f);
}

/* Linux cooked v1: 16 bytes, the protocol (an EtherType) is the last two. */
static enum decode_reason linux_sll(struct bytes *b, struct frame *f)
{
    uint16_t proto;

    if (bytes_skip(b, 14) || bytes_be16(b, &proto))
        return DECODE_SHORT_LINK;
    return ethertype(proto, b, f);
}

/* Linux cooked v2: 20 bytes, the protocol comes first. */
static enum decode_reason linux_sll2(struct bytes *b, struct frame *f)
{
    uint16_t proto;

    if (bytes_be16(b, &proto) || bytes_skip(b, 18))
        return DECODE_SHORT_LINK;
    return ethertype(proto, b, f);
}

/*
 * BSD null (host byte order of the capturing machine) and loopback (network order):
 * a 4-byte address family. Families are small numbers, so the smaller of the two
 * readings is the right one whichever order the file uses.
 */
static enum decode_reason null_loop(struct bytes *b, struct frame *f)
{
    struct bytes be = *b;
    uint32_t fam_le, fam_be;

    if (bytes_le32(b, &fam_le) || bytes_be32(&be, &fam_be))
        return DECODE_SHORT_LINK;
    switch (fam_le < fam_be ? fam_le : fam_be) {
    case 2: /* AF_INET everywhere */
        return ipv4(b, f);
    case 10: /* AF_INET6: Linux */
    case 23: /* Windows (Npcap loopback) */
    case 24: /* NetBSD, OpenBSD, BSD/OS */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* macOS */
        return ipv6(b, f);
    default:
        return DECODE_NOT_IP;
    }
}

/* Cisco HDLC: address, control, then an EtherType. */
static enum decode_reason c_hdlc(struct bytes *b, struct frame *f)
{
    uint16_t proto;

    if (bytes_skip(b, 2) || bytes_be16(b, &proto))
        return DECODE_SHORT_LINK;
    return ethertype(proto, b, f);
}

/*
 * NFLOG (tcpdump.org LINKTYPE_NFLOG): family, version, resource id, then TLVs whose
 * little-endian length counts the 4-byte TLV header and is padded to 4 bytes.
 */
static enum decode_reason nflog(struct bytes *b, struct frame *f)
{
    enum { NFULA_PAYLOAD = 9 };
    uint16_t len, type;

    if (bytes_skip(b, 4))
        return DECODE_SHORT_LINK;
    for (;;) {
        /* no payload TLV: the snaplen cut it off, or the packet was logged without it */
        if (bytes_left(b) == 0)
            return f->frame_missing ? DECODE_SHORT_LINK : DECODE_NOT_IP;
        if (bytes_le16(b, &len) || bytes_le16(b, &type))
            return DECODE_SHORT_LINK;
        if (len < 4)
            return DECODE_BAD_LINK;
        /* the top two type bits are netlink's nested and byte-order flags */
        if ((type & 0x3fff) == NFULA_PAYLOAD) {
            bytes_limit(b, (size_t)len - 4);
            return ip_any(b, f);
        }
        if (bytes_skip(b, (((size_t)len + 3) & ~(size_t)3) - 4))
            return DECODE_SHORT_LINK;
    }
}

/*
 * ARCNET (tcpdump print-arcnet.c): source and destination station ids, on Linux a
 * 2-byte offset, then a protocol id. RFC 1201 ids carry a split flag and a 2-byte
 * sequence number next; RFC 1051 ids and diagnostics carry nothing. BSD hands over raw
 * frames: an exception frame (flag 0xFF) has 2 pad bytes, the id and the real flag
 * again, and a nonzero flag marks a piece of a split packet. Linux hands over
 * reassembled packets, so there the flag means nothing.
 */
static enum decode_reason arcnet_any(struct bytes *b, struct frame *f, int is_linux)
{
    uint8_t proto, flag;

    if (bytes_skip(b, is_linux ? 4 : 2) || bytes_u8(b, &proto))
        return DECODE_SHORT_LINK;
    if (proto != ARC_IP_RFC1051 && proto != ARC_ARP_RFC1051 && proto != ARC_DIAGNOSE &&
        proto != ARC_BACNET) {
        if (bytes_u8(b, &flag))
            return DECODE_SHORT_LINK;
        /* RFC 1201 §2.1: an exception frame repeats protocol id and flag after 0xFFFF */
        if (!is_linux && flag == 0xff && (bytes_skip(b, 3) || bytes_u8(b, &flag)))
            return DECODE_SHORT_LINK;
        if (bytes_skip(b, 2))
            return DECODE_SHORT_LINK;
        /* RFC 1201: a piece of a split packet; pieces are not reassembled here */
        if (!is_linux && flag != 0)
            return DECODE_FRAGMENT;
    }
    switch (proto) {
    case ARC_IP:
    case ARC_IP_RFC1051:
        return ipv4(b, f);
    case ARC_IPV6:
        return ipv6(b, f);
    default:
        return DECODE_NOT_IP;
    }
}

static enum decode_reason arcnet(struct bytes *b, struct frame *f)
{
    return arcnet_any(b, f, 0);
}

static enum decode_reason arcnet_linux(struct bytes *b, struct frame *f)
{
    return arcnet_any(b, f, 1);
}

/* RFC 1042 / 802.1H SNAP header after an 802.11 data header: AA AA 03, OUI, EtherType. */
static enum decode_reason llc_snap(struct bytes *b, struct frame *f)
{
    uint8_t llc[6];
    uint16_t type;
    static const uint8_t rfc1042[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
    static const uint8_t bridge_tunnel[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0xf8};

    if (bytes_copy(b, llc, sizeof llc) || bytes_be16(b, &type))
        return DECODE_SHORT_LINK;
    if (memcmp(llc, rfc1042, 6) != 0 && memcmp(llc, bridge_tunnel, 6) != 0)
        return DECODE_NOT_IP;
    return ethertype(type, b, f);
}

/* IEEE 802.11-2020 §9.2.4: the MAC header of a data frame, then LLC/SNAP. */
static enum decode_reason ieee80211(struct bytes *b, struct frame *f)
{
    uint8_t fc0, fc1, qos = 0;
    uint16_t seq_ctl;
    int is_qos;

    if (bytes_u8(b, &fc0) || bytes_u8(b, &fc1))
        return DECODE_SHORT_LINK;
    /* protocol version 0, type 2 (data); subtypes with bit 2 set carry no body */
    if ((fc0 & 0x03) != 0 || ((fc0 >> 2) & 0x03) != 2 || (fc0 & 0x40))
        return DECODE_NOT_IP;
    if (fc1 & 0x40)
        return DECODE_NOT_IP; /* protected: the body is encrypted */
    /* duration, three addresses, then sequence control */
    if (bytes_skip(b, 20) || bytes_le16(b, &seq_ctl))
        return DECODE_SHORT_LINK;
    if ((fc1 & 0x03) == 0x03 && bytes_skip(b, 6))
        return DECODE_SHORT_LINK; /* ToDS and FromDS: a fourth address */
    is_qos = (fc0 & 0x80) != 0;
    if (is_qos && (bytes_u8(b, &qos) || bytes_skip(b, 1)))
        return DECODE_SHORT_LINK;
    if (is_qos && (fc1 & 0x80) && bytes_skip(b, 4))
        return DECODE_SHORT_LINK; /* +HTC: Order bit in a QoS frame adds HT Control */
    if ((fc1 & 0x04) || (seq_ctl & 0x000f))
        return DECODE_FRAGMENT; /* More Fragments, or a fragment number */
    if (qos & 0x80)
        return DECODE_NOT_IP; /* A-MSDU: several subframes, not read */
    return llc_snap(b, f);
}

/* Radiotap (radiotap.org): version 0, pad, little-endian total length, then 802.11. */
static enum decode_reason radiotap(struct bytes *b, struct frame *f)
{
    struct bytes hdr = *b;
    uint8_t version;
    uint16_t len;

    if (bytes_u8(&hdr, &version) || bytes_skip(&hdr, 1) || bytes_le16(&hdr, &len))
        return DECODE_SHORT_LINK;
    if (version != 0 || len < 8)
        return DECODE_BAD_LINK;
    if (bytes_skip(b, len))
        return DECODE_SHORT_LINK;
    /* A trailing FCS, when the flags say so, is cut off later by the IP length. */
    return ieee80211(b, f);
}

/* ---- tunnels ---- */

/* RFC 7348 §5: 8-byte VXLAN header with the I flag, then an Ethernet frame. */
static enum decode_reason vxlan(struct bytes *b, struct frame *f)
{
    uint8_t flags;

    if (bytes_u8(b, &flags) || bytes_skip(b, 7))
        return DECODE_SHORT_LINK;
    if (!(flags & 0x08))
        return DECODE_NOT_TCP;
    return ethernet(b, f);
}

/* RFC 4380 §5.1.1: optional authentication, then optional origin indication, then IPv6. */
static enum decode_reason teredo(struct bytes *b, struct frame *f)
{
    uint8_t b0 = 0xff, b1 = 0xff, id_len, au_len, first;

    bytes_peek(b, 0, &b0);
    bytes_peek(b, 1, &b1);
    if (b0 == 0x00 && b1 == 0x01) {
        /* indicator, id-len, au-len, client id, auth value, nonce (8), confirmation (1) */
        if (bytes_skip(b, 2) || bytes_u8(b, &id_len) || bytes_u8(b, &au_len) ||
            bytes_skip(b, (size_t)id_len + au_len + 9))
            return DECODE_NOT_TCP;
        b0 = b1 = 0xff;
        bytes_peek(b, 0, &b0);
        bytes_peek(b, 1, &b1);
    }
    if (b0 == 0x00 && b1 == 0x00 && bytes_skip(b, 8))
        return DECODE_NOT_TCP; /* origin indication: indicator, port, address */
    if (bytes_peek(b, 0, &first) || (first >> 4) != 6)
        return DECODE_NOT_TCP; /* not Teredo after all: plain UDP on its port */
    return ipv6(b, f);
}

static enum decode_reason udp(struct bytes *b, struct frame *f)
{
    uint16_t sport, dport, len;

    if (bytes_be16(b, &sport) || bytes_be16(b, &dport) || bytes_be16(b, &len) ||
        bytes_skip(b, 2))
        return DECODE_NOT_TCP;
    if (f->tunnels >= MAX_TUNNELS)
        return DECODE_NOT_TCP;
    /* RFC 768: the length counts the 8-byte header */
    if (len >= 8)
        bytes_limit(b, (size_t)len - 8);
    if (dport == VXLAN_PORT) {
        f->tunnels++;
        return vxlan(b, f);
    }
    if (sport == TEREDO_PORT || dport == TEREDO_PORT) {
        f->tunnels++;
        return teredo(b, f);
    }
    return DECODE_NOT_TCP;
}

/* ---- TCP ---- */

/* RFC 9293 §3.1: 20 fixed bytes, data offset in 4-byte words, options, then data. */
static enum decode_reason tcp(struct bytes *b, struct frame *f)
{
    struct segment *s = f->out;
    uint8_t offset, flags;
    size_t hlen;

    if (bytes_be16(b, &s->sport) || bytes_be16(b, &s->dport) || bytes_be32(b, &s->seq) ||
        bytes_be32(b, &s->ack) || bytes_u8(b, &offset) || bytes_u8(b, &flags) ||
        bytes_skip(b, 6))
        return DECODE_SHORT_TCP;
    hlen = (size_t)(offset >> 4) * 4;
    if (hlen < 20)
        return DECODE_BAD_TCP;
    if (bytes_skip(b, hlen - 20))
        return DECODE_SHORT_TCP;
    s->flags = flags;
    s->payload = b->p;
    s->payload_len = (uint32_t)bytes_left(b);
    s->payload_missing = f->ip_missing;
    return DECODE_OK;
}

static enum decode_reason transport(uint8_t proto, struct bytes *b, struct frame *f)
{
    switch (proto) {
    case IPPROTO_NUM_TCP:
        return tcp(b, f);
    case IPPROTO_NUM_UDP:
        return udp(b, f);
    case IPPROTO_NUM_IPIP: /* RFC 2003 */
    case IPPROTO_NUM_IPV6: /* RFC 4213 §3.5 */
        if (f->tunnels >= MAX_TUNNELS)
            return DECODE_NOT_TCP;
        f->tunnels++;
        return proto == IPPROTO_NUM_IPIP ? ipv4(b, f) : ipv6(b, f);
    default:
        return DECODE_NOT_TCP;
    }
}

/* ---- IP ---- */

/*
 * Cut b to the n bytes an IP header says the datagram has, so link padding or an FCS
 * never becomes payload. When fewer were captured, the snaplen took the rest; what
 * is counted as lost never exceeds what the frame lost, so a lying length field
 * cannot invent missing bytes. n == 0 means unknown (TSO, jumbogram): keep it all.
 */
static void ip_trim(struct bytes *b, size_t n, struct frame *f)
{
    size_t have = bytes_left(b);
    size_t lost;

    if (n == 0) {
        f->ip_missing = f->frame_missing;
        return;
    }
    if (bytes_limit(b, n) == 0) {
        f->ip_missing = 0;
        return;
    }
    lost = n - have;
    f->ip_missing = lost < f->frame_missing ? (uint32_t)lost : f->frame_missing;
}

static enum decode_reason ipv4(struct bytes *b, struct frame *f)
{
    struct segment *s = f->out;
    struct bytes dgram = *b; /* from the first byte of the IP header */
    uint8_t vihl, proto;
    uint16_t total, frag;
    size_t hlen;

    memset(s->src, 0, sizeof s->src);
    memset(s->dst, 0, sizeof s->dst);
    if (bytes_u8(b, &vihl) || bytes_skip(b, 1) || bytes_be16(b, &total) || bytes_skip(b, 2) ||
        bytes_be16(b, &frag) || bytes_skip(b, 1) || bytes_u8(b, &proto) || bytes_skip(b, 2) ||
        bytes_copy(b, s->src, 4) || bytes_copy(b, s->dst, 4))
        return DECODE_SHORT_IP;
    /* RFC 791 §3.1: IHL counts 4-byte words and is at least 5 */
    hlen = (size_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || hlen < 20)
        return DECODE_BAD_IP;
    /* a total length of 0 is what TSO/GSO captures show for super-segments */
    if (total != 0 && total < hlen)
        return DECODE_BAD_IP;
    ip_trim(&dgram, total, f);
    if (bytes_skip(&dgram, hlen))
        return DECODE_SHORT_IP; /* options cut off */
    /* RFC 791: More Fragments set or a fragment offset: not a whole datagram */
    if (frag & 0x3fff)
        return DECODE_FRAGMENT;
    s->ip_version = 4;
    *b = dgram;
    return transport(proto, b, f);
}

static int is_ext_header(uint8_t nh)
{
    switch (nh) {
    case 0:   /* hop-by-hop options */
    case 43:  /* routing */
    case 44:  /* fragment */
    case 51:  /* authentication header */
    case 60:  /* destination options */
    case 135: /* mobility, RFC 6275 */
    case 139: /* HIP, RFC 7401 */
    case 140: /* shim6, RFC 5533 */
        return 1;
    default:
        return 0;
    }
}

/* Skip one extension header of type *nh and set *nh to the header after it. */
static enum decode_reason skip_ext_header(struct bytes *b, uint8_t *nh)
{
    uint8_t next, len;
    uint16_t frag;
    size_t rest;

    if (bytes_u8(b, &next) || bytes_u8(b, &len))
        return DECODE_SHORT_IP;
    if (*nh == 44) {
        /* RFC 8200 §4.5: (reserved byte read), offset (13 bits) | res | M, identification */
        if (bytes_be16(b, &frag) || bytes_skip(b, 4))
            return DECODE_SHORT_IP;
        /* RFC 6946: offset 0 with M clear is an atomic fragment, a whole datagram */
        if ((frag & 0xfff9) != 0)
            return DECODE_FRAGMENT;
        *nh = next;
        return DECODE_OK;
    }
    /* RFC 4302 §2.2: AH counts 4-byte words minus 2; the others 8-byte words minus 1 */
    rest = *nh == 51 ? (size_t)len * 4 + 6 : (size_t)len * 8 + 6;
    if (bytes_skip(b, rest))
        return DECODE_SHORT_IP;
    *nh = next;
    return DECODE_OK;
}

/*
 * RFC 8200 §4: walk extension headers until an upper-layer protocol. *nh holds the
 * Next Header of the fixed header and ends with the upper-layer protocol number.
 */
static enum decode_reason ipv6_ext(struct bytes *b, uint8_t *nh)
{
    for (int n = 0; is_ext_header(*nh); n++) {
        enum decode_reason r;

        if (n == MAX_EXT_HEADERS)
            return DECODE_BAD_IP;
        r = skip_ext_header(b, nh);
        if (r != DECODE_OK)
            return r;
    }
    return DECODE_OK;
}

static enum decode_reason ipv6(struct bytes *b, struct frame *f)
{
    struct segment *s = f->out;
    uint8_t v, nh;
    uint16_t plen;
    enum decode_reason r;

    if (bytes_u8(b, &v) || bytes_skip(b, 3) || bytes_be16(b, &plen) || bytes_u8(b, &nh) ||
        bytes_skip(b, 1) || bytes_copy(b, s->src, 16) || bytes_copy(b, s->dst, 16))
        return DECODE_SHORT_IP;
    if ((v >> 4) != 6)
        return DECODE_BAD_IP;
    /* RFC 8200 §3: the payload length excludes the 40-byte header; 0 means jumbogram
     * (RFC 2675) or a TSO super-segment: use what was captured */
    ip_trim(b, plen, f);
    r = ipv6_ext(b, &nh);
    if (r != DECODE_OK)
        return r;
    s->ip_version = 6;
    return transport(nh, b, f);
}

/* Raw IP: the version nibble tells which. */
static enum decode_reason ip_any(struct bytes *b, struct frame *f)
{
    uint8_t first;

    if (bytes_peek(b, 0, &first))
        return DECODE_SHORT_IP;
    switch (first >> 4) {
    case 4:
        return ipv4(b, f);
    case 6:
        return ipv6(b, f);
    default:
        return DECODE_NOT_IP;
    }
}

/* ---- link types ---- */

struct link {
    int linktype;
    const char *name;
    enum decode_reason (*decode)(struct bytes *b, struct frame *f);
};

static const struct link links[] = {
    {DLT_NULL, "NULL", null_loop},
    {DLT_EN10MB, "EN10MB", ethernet},
    {DLT_ARCNET, "ARCNET", arcnet},
    {DLT_RAW, "RAW", ip_any},
    {LINKTYPE_RAW, "RAW", ip_any},
    {DLT_C_HDLC, "C_HDLC", c_hdlc},
    {DLT_LOOP, "LOOP", null_loop},
    {DLT_LINUX_SLL, "LINUX_SLL", linux_sll},
    {DLT_IEEE802_11_RADIO, "IEEE802_11_RADIO", radiotap},
    {DLT_ARCNET_LINUX, "ARCNET_LINUX", arcnet_linux},
    {DLT_IPV4, "IPV4", ipv4},
    {DLT_IPV6, "IPV6", ipv6},
    {DLT_NFLOG, "NFLOG", nflog},
    {DLT_LINUX_SLL2, "LINUX_SLL2", linux_sll2},
};

static const struct link *find_link(int linktype)
{
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        if (links[i].linktype == linktype)
            return &links[i];
    }
    return NULL;
}

int decode_link_supported(int linktype)
{
    return find_link(linktype) != NULL;
}

const char *decode_link_name(int linktype)
{
    const struct link *l = find_link(linktype);

    return l ? l->name : "unknown";
}

enum decode_reason decode_packet(int linktype, const uint8_t *pkt, uint32_t caplen,
                                 uint32_t wirelen, int64_t ts_ns, struct segment *out)
{
    static const uint8_t none[1];
    const struct link *l = find_link(linktype);
    struct bytes b = pkt ? bytes_make(pkt, caplen) : bytes_make(none, 0);
    struct frame f;

    if (!l)
        return DECODE_UNKNOWN_LINK;
    memset(out, 0, sizeof *out);
    out->ts_ns = ts_ns;
    f.out = out;
    f.frame_missing = wirelen > caplen ? wirelen - caplen : 0;
    f.ip_missing = 0;
    f.tunnels = 0;
    return l->decode(&b, &f);
}
