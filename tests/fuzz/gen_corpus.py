#!/usr/bin/env python3
"""gen_corpus.py OUTDIR [CAPTURE...] - seed inputs for the fuzz targets of tests/fuzz/.

Owns: the seed layouts, which must match the fuzz_<target>.c headers.
In:   crafted captures (e.g. what build/tests/gencases writes) and tests/http/*.t.
Out:  OUTDIR/{decode,reasm,http,capture}/ with one seed per file, named by content hash;
      `make fuzz-merge` (libFuzzer -merge=1) keeps those that add coverage.
Never: reads the shared capture collection or writes outside OUTDIR.
Use:  build/tests/gencases /tmp/caps && python3 tests/fuzz/gen_corpus.py /tmp/seeds
      /tmp/caps/* && cp -r /tmp/seeds/* build/fuzz/corpus/ && make fuzz-merge
"""
import hashlib
import os
import re
import struct
import sys


def save(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- packets ----

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp(payload=b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", flags=0x18, opts=b"", ports=(40000, 80),
        seq=1000, ack=2000):
    off = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", ports[0], ports[1], seq, ack, off << 4, flags, 65535, 0,
                       0) + opts + payload


def ipv4(l4, proto=6, frag=0, opts=b"", src=(192, 0, 2, 1), dst=(198, 51, 100, 2)):
    ihl = 5 + len(opts) // 4
    total = ihl * 4 + len(l4)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, proto, 0,
                    bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def ipv6(l4, nxt=6, ext=b""):
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(l4), nxt, 64,
                       bytes(15) + b"\1", bytes(15) + b"\2") + ext + l4


def udp(payload, dport):
    return struct.pack("!HHHH", 5555, dport, 8 + len(payload), 0) + payload


def eth(payload, etype=0x0800, tags=()):
    h = bytes(6) + bytes([2, 0, 0, 0, 0, 1])
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype) + payload


V4 = ipv4(tcp())
V6 = ipv6(tcp())


def frames():
    """(linktype, frame) pairs covering every link layer and tunnel decode.c reads."""
    hbh = bytes([43, 0, 1, 4, 0, 0, 0, 0])             # hop-by-hop, next: routing
    rte = bytes([60, 0, 0, 0, 0, 0, 0, 0])             # routing, next: dest options
    dst = bytes([6, 0, 1, 4, 0, 0, 0, 0])              # dest options, next: TCP
    frag6 = bytes([6, 0, 0, 1, 0, 0, 0, 7])            # fragment header, offset 0, M=1
    wifi = bytes([0x08, 0x01]) + bytes(22) + bytes([0xAA, 0xAA, 3, 0, 0, 0, 8, 0]) + V4
    nflog_tlv = struct.pack("<HH", 4 + len(V4), 9) + V4
    yield 1, eth(V4)
    yield 1, eth(V6, 0x86DD)
    yield 1, eth(V4, tags=((0x8100, 10),))
    yield 1, eth(V4, tags=((0x88A8, 10), (0x8100, 20)))
    yield 1, eth(struct.pack("!I", (16 << 12) | 0x100 | 64) + V4, 0x8847)
    yield 1, eth(struct.pack("!I", (16 << 12) | 0x100 | 64) + bytes(4) + eth(V4), 0x8847)
    yield 1, eth(struct.pack("!BBHH", 0x11, 0, 1, 2 + len(V4)) + b"\x00\x21" + V4, 0x8864)
    yield 1, eth(ipv4(udp(bytes([8, 0, 0, 0, 0, 0, 1, 0]) + eth(V4), 4789), 17))
    yield 1, eth(ipv4(udp(V6, 3544), 17))
    yield 1, eth(ipv4(V4, 4))
    yield 1, eth(ipv6(V6, 41), 0x86DD)
    yield 1, eth(ipv6(tcp(), 0, hbh + rte + dst), 0x86DD)
    yield 1, eth(ipv6(tcp(), 44, frag6), 0x86DD)
    yield 1, eth(ipv4(tcp(), frag=0x2000))
    yield 1, eth(ipv4(tcp(), opts=bytes([1, 1, 1, 0])))
    yield 1, eth(ipv4(tcp(opts=bytes([2, 4, 5, 0xB4, 1, 3, 3, 7]), flags=0x02, payload=b"")))
    yield 1, eth(ipv4(tcp(flags=0x11, payload=b"")) + bytes(6))
    yield 0, struct.pack("<I", 2) + V4
    yield 0, struct.pack("<I", 30) + V6
    yield 108, struct.pack("!I", 2) + V4
    yield 101, V4
    yield 101, V6
    yield 12, V4
    yield 228, V4
    yield 229, V6
    yield 113, struct.pack("!HHH8sH", 0, 1, 6, bytes(8), 0x0800) + V4
    yield 276, struct.pack("!HHIHBB8s", 0x86DD, 0, 1, 1, 0, 6, bytes(8)) + V6
    yield 104, bytes([0x0F, 0]) + struct.pack("!H", 0x0800) + V4
    yield 239, bytes([2, 0, 0, 0]) + struct.pack("<HH", 8, 1) + bytes(4) + nflog_tlv
    yield 127, struct.pack("<BBHI", 0, 0, 8, 0) + wifi
    yield 7, bytes([1, 2, 0xD4, 0, 0, 0]) + V4
    yield 7, bytes([1, 2, 0xF0]) + V4
    yield 129, bytes([1, 2, 0, 0, 0xC4, 0, 0, 0]) + V6


def decode_seeds(outdir, captures):
    for lt, fr in frames():
        save(outdir, "decode", struct.pack("<HB", lt, 0) + fr)
    save(outdir, "decode", struct.pack("<HB", 1, 100) + eth(V4)[:40])  # snaplen cut
    for path in captures:
        for lt, fr in read_capture(path):
            save(outdir, "decode", struct.pack("<HB", lt, 0) + fr)


def read_capture(path):
    """Frames of a classic little/big-endian pcap (pcapng files are skipped)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    lt = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        yield lt, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


# ---- capture files (fuzz_capture.c) ----

def exchange():
    """IPv4 packets of one HTTP exchange with handshake and teardown, client first."""
    c, srv = (192, 0, 2, 1), (198, 51, 100, 2)
    req = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    segs = [  # (from client, seq, ack, flags, payload)
        (1, 100, 0, 0x02, b""), (0, 500, 101, 0x12, b""), (1, 101, 501, 0x10, b""),
        (1, 101, 501, 0x18, req), (0, 501, 101 + len(req), 0x18, resp),
        (1, 101 + len(req), 501 + len(resp), 0x11, b""),
        (0, 501 + len(resp), 102 + len(req), 0x11, b""),
    ]
    for cl, seq, ack_, flags, data in segs:
        ports = (40000, 80) if cl else (80, 40000)
        src, dst = (c, srv) if cl else (srv, c)
        yield ipv4(tcp(data, flags, ports=ports, seq=seq, ack=ack_), src=src, dst=dst)


def pcap_file(e="<", magic=0xA1B2C3D4, version=(2, 4), linktype=1, wrap=eth, kuznetzov=False):
    out = struct.pack(e + "IHHiIII", magic, version[0], version[1], 0, 0, 65535, linktype)
    for i, pkt in enumerate(exchange()):
        fr = wrap(pkt)
        out += struct.pack(e + "IIII", 1700000000 + i, 1000 * i, len(fr), len(fr))
        if kuznetzov:
            out += struct.pack(e + "IHBB", 1, 0x0800, 0, 0)
        out += fr
    return out


def ng_block(e, btype, body):
    body += bytes(-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def ng_opt(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + value + bytes(-len(value) % 4)


def pcapng_section(e, variant):
    out = ng_block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    opts0 = ng_opt(e, 9, bytes([9])) + ng_opt(e, 0, b"")
    opts1 = ng_opt(e, 9, bytes([0x80 | 10])) + ng_opt(e, 14, struct.pack(e + "q", 5)) + \
        ng_opt(e, 0, b"")
    out += ng_block(e, 1, struct.pack(e + "HHI", 1, 0, 0) + opts0)
    out += ng_block(e, 1, struct.pack(e + "HHI", 101, 0, 96) + opts1)
    out += ng_block(e, 0x0BAD, b"skip me")
    for i, pkt in enumerate(exchange()):
        t = (1700000000 + i) * 10**9
        if variant == 1 and i == 3:
            out += ng_block(e, 3, struct.pack(e + "I", len(pkt) + 14) + eth(pkt))
            continue
        if variant == 2 and i == 4:
            fr = eth(pkt)
            out += ng_block(e, 2, struct.pack(e + "HHIIII", 0, 0, t >> 32, t & 0xFFFFFFFF,
                                              len(fr), len(fr)) + fr)
            continue
        iface, fr = (1, pkt) if variant == 3 else (0, eth(pkt))
        if iface == 1:
            t = (1700000000 + i) << 10
        out += ng_block(e, 6, struct.pack(e + "IIIII", iface, t >> 32, t & 0xFFFFFFFF,
                                          len(fr), len(fr)) + fr + ng_opt(e, 0, b""))
    out += ng_block(e, 5, struct.pack(e + "III", 0, 0, 0))
    return out


def capture_seeds(outdir):
    sll = lambda p: struct.pack("!HHH8sH", 0, 1, 6, bytes(8), 0x0800) + p
    files = [
        pcap_file(">"), pcap_file("<", 0xA1B23C4D), pcap_file(">", 0xA1B23C4D),
        pcap_file("<", 0xA1B2CD34, kuznetzov=True), pcap_file("<", version=(2, 3)),
        pcap_file("<", version=(543, 0)), pcap_file("<", linktype=101, wrap=lambda p: p),
        pcap_file("<", linktype=113, wrap=sll),
        pcap_file("<", linktype=0, wrap=lambda p: struct.pack("<I", 2) + p),
        pcapng_section("<", 0), pcapng_section(">", 1), pcapng_section("<", 2),
        pcapng_section(">", 3), pcapng_section("<", 0) + pcapng_section(">", 3),
    ]
    for f in files:
        save(outdir, "capture", f)


# ---- reasm scripts (fuzz_reasm.c) ----

def push(off, length, missing=0, data=None):
    op = 0 if length < 256 else 8
    s = struct.pack("<Bh", op, off)
    s += struct.pack("<B", length) if length < 256 else struct.pack("<H", length)
    return s + struct.pack("<B", missing) + (data if data is not None else b"")


def ack(off):
    return struct.pack("<Bh", 3, off)


def fin(off):
    return struct.pack("<Bh", 4, off)


def syn(off):
    return struct.pack("<Bh", 7, off)


CLOSE = struct.pack("<Bh", 5, 0)


def reasm_seeds(outdir):
    scripts = [
        syn(-1) + push(0, 100) + push(100, 100) + fin(200) + CLOSE,
        push(0, 50) + push(100, 50) + push(50, 50) + CLOSE,
        push(0, 10) + push(30, 10) + push(20, 10) + push(10, 10) + CLOSE,
        push(0, 100) + push(50, 100) + push(0, 200) + CLOSE,
        push(0, 10) + push(20, 10) + ack(30) + push(30, 5) + CLOSE,
        push(0, 10) + push(1000, 200) + push(2000, 200) + push(3000, 200) + CLOSE,
        push(0, 100, 50) + push(150, 10) + CLOSE,
        push(0, 10) + push(20, 10) + fin(40) + CLOSE + push(5, 5) + CLOSE,
        syn(0) + push(1, 1) + push(3, 1) + push(2, 1) + ack(10) + CLOSE,
        push(0, 1000) + push(-500, 600) + push(2000, 10) + push(1000, 1000) + CLOSE,
        struct.pack("<BhIB", 6, 0, 0x7FFFFFFF, 20) + push(0, 10) + CLOSE,
    ]
    for i, s in enumerate(scripts):
        for mode in (1 | 3 << 1, 1 | 1 << 1, 1 | 6 << 1):
            base = 0xFFFFFFC0 if i % 2 else 1000
            save(outdir, "reasm", struct.pack("<BI", mode, base) + s)
    raw = push(0, 5, 0, b"hello") + push(10, 5, 0, b"world") + push(5, 5, 0, b", my ") + CLOSE
    save(outdir, "reasm", struct.pack("<BI", 3 << 1, 7) + raw)
    raw = push(0, 5, 0, b"AAAAA") + push(0, 5, 0, b"BBBBB") + push(3, 5, 0, b"CCCCC") + CLOSE
    save(outdir, "reasm", struct.pack("<BI", 3 << 1, 7) + raw)


# ---- http sessions (fuzz_http.c) ----

def unescape(line):
    out = bytearray()
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            n = line[i + 1]
            if n == "x":
                out.append(int(line[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "\\": b"\\"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode("latin-1")
        i += 1
    return bytes(out)


def parse_transcript(path):
    """(options, [(side, bytes) | ('gap', side, n)]) of a tests/http/*.t file."""
    opts, events, cur = {}, [], None
    with open(path, encoding="latin-1") as f:
        lines = f.read().split("\n")
    for line in lines:
        if line == "===":
            break
        if cur is None and line.startswith("@"):
            k, _, v = line[1:].partition("=")
            opts[k] = int(v)
            continue
        if line in (">>>", "<<<"):
            cur = [line == "<<<", bytearray()]
            events.append(cur)
            continue
        m = re.match(r"^!!! ([<>]) (\d+)$", line)
        if m:
            events.append(("gap", m.group(1) == "<", int(m.group(2))))
            cur = None
            continue
        if cur is None:
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            cur[1] += unescape(line[:-1])
        else:
            cur[1] += unescape(line) + b"\r\n"
    return opts, events


def http_seed(opts, events):
    client = opts.get("client", 0)
    client_arg = 0 if opts.get("learn") else 1 + client
    start = [1, 1]
    start[client] = opts.get("start_client", 1)
    start[1 - client] = opts.get("start_server", 1)
    setup = client_arg | start[0] << 2 | start[1] << 3 | opts.get("store_headers", 0) << 4
    setup |= 7 << 5  # max_pending 1024
    hdr = opts.get("max_header_bytes", 65536)
    out = bytearray([setup, 255 if hdr >= 4080 else hdr // 16])
    for ev in events:
        if ev[0] == "gap":
            is_server, n = ev[1], ev[2]
            side = (1 - client) if is_server else client
            out += bytes([side | 3 << 1 | 0 << 3]) + struct.pack("<H", min(n, 65535))
            continue
        is_server, data = ev
        side = (1 - client) if is_server else client
        for i in range(0, max(len(data), 1), 65535):
            chunk = data[i:i + 65535]
            out += bytes([side | 2 << 1]) + struct.pack("<H", len(chunk)) + chunk
    return bytes(out)


def http_seeds(outdir, tdir):
    for name in sorted(os.listdir(tdir)):
        if name.endswith(".t"):
            opts, events = parse_transcript(os.path.join(tdir, name))
            save(outdir, "http", http_seed(opts, events))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gen_corpus.py OUTDIR [CAPTURE...]")
    outdir, captures = sys.argv[1], sys.argv[2:]
    decode_seeds(outdir, captures)
    reasm_seeds(outdir)
    http_seeds(outdir, "tests/http")
    capture_seeds(outdir)
    for path in captures:
        with open(path, "rb") as f:
            save(outdir, "capture", f.read())


if __name__ == "__main__":
    main()
