#!/usr/bin/env python3
"""test_bad_files.py - bad inputs get a one-line error naming the file and a non-zero
exit; a file cut in the middle of a packet keeps what was read before (committed) and
the capture row says truncated. Damaged headers (wrong magic, snaplen 0 or 2^31, a record
longer than the file or than any packet), pcapng blocks of unknown types (skipped) and
corrupt ones (bad total length, trailing length mismatch); then a small pcap (the start of
the sample) and a small pcapng cut at every byte offset: each cut reads cleanly (exit 0,
the whole records before it) or fails with one line naming the file, and the record's
offset when the cut falls inside one; never a crash, a sanitizer report or a hang.
Prints "N passed, N failed"."""
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

from testkit import HTTPCAP, SAMPLE, check, report, sane

SANITIZED = "sanitize" in os.environ.get("BUILD", "build")
RUN_TIMEOUT_S = 60 if SANITIZED else 10


def run(args):
    try:
        res = subprocess.run([HTTPCAP] + args, capture_output=True, text=True,
                             timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        check(False, "%s: no result after %d s (hang)" % (" ".join(args), RUN_TIMEOUT_S))
        return subprocess.CompletedProcess(args, -1, "", "")
    sane(res, " ".join(args))
    return res


def one_line_error(res, path, what):
    lines = res.stderr.strip().splitlines()
    check(res.returncode == 1, "%s: exit status %d, want 1" % (what, res.returncode))
    check(len(lines) >= 1 and path in lines[0] and lines[0].startswith("httpcap: "),
          "%s: error line names the file: %r" % (what, res.stderr))
    errors = [l for l in lines if "capture" not in l or "packets" not in l]
    check(len(errors) == 1, "%s: exactly one error line: %r" % (what, res.stderr))


def pcap_record_offsets(data):
    """Offsets of each record header in a little- or big-endian classic pcap."""
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    offs, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        offs.append((off, incl))
        off += 16 + incl
    return offs


# ---- capture files made here ----

PCAP_HDR = struct.Struct("<IHHiIII")   # magic, major, minor, zone, sigfigs, snaplen, link


def pcap_records(data):
    """(sec, usec, data, orig) of each record of a little-endian microsecond pcap."""
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        recs.append((sec, usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return recs


def ng_block(btype, body):
    """A little-endian pcapng block, padded to 4 bytes."""
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def ng_file(recs, linktype, unknown=True):
    """SHB, IDB (microseconds) and one EPB per record; with unknown, blocks of types no
    reader knows before the IDB, between the packets and at the end."""
    odd = [ng_block(0x0BADB10C, b"opaque"), ng_block(0x80000001, b"custom, no PEN"),
           ng_block(0x00000BAD, b"")]
    out = ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += odd[0] if unknown else b""
    out += ng_block(1, struct.pack("<HHI", linktype, 0, 0))
    for i, (sec, usec, data, orig) in enumerate(recs):
        ts = sec * 1000000 + usec
        out += ng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(data), orig)
                        + data)
        if unknown and i % 3 == 1:
            out += odd[1 + i % 2]
    return out + (odd[2] if unknown else b"")


def ng_block_offsets(data):
    """(offset, length) of each block of a little-endian pcapng."""
    offs, off = [], 0
    while off + 12 <= len(data):
        length = struct.unpack("<I", data[off + 4:off + 8])[0]
        offs.append((off, length))
        off += length
    return offs


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def counts_of(db):
    """(packets, transactions) of the last capture in db."""
    con = sqlite3.connect(db)
    row = con.execute("SELECT packets, transactions FROM captures ORDER BY id DESC").fetchone()
    con.close()
    return row


def header_cases(tmp, sample, ref):
    """Damaged pcap headers and records."""
    hdr = list(PCAP_HDR.unpack(sample[:24]))
    bad = write(os.path.join(tmp, "magic.pcap"), b"\xef\xbe\xad\xde" + sample[4:])
    one_line_error(run(["read", "-q", bad, "-o", os.path.join(tmp, "magic.db")]), bad,
                   "wrong magic")
    for snaplen in (0, 1 << 31):
        hdr[5] = snaplen
        path = write(os.path.join(tmp, "snaplen%d.pcap" % snaplen), PCAP_HDR.pack(*hdr) +
                     sample[24:])
        db = os.path.join(tmp, "snaplen%d.db" % snaplen)
        res = run(["read", "-q", path, "-o", db])
        check(res.returncode == 0 and res.stderr == "",
              "snaplen %d: read as any other: %d %r" % (snaplen, res.returncode, res.stderr))
        check(res.returncode == 0 and counts_of(db) == ref,
              "snaplen %d: the sample's packets and transactions: %r" % (snaplen, ref))
    offs = pcap_record_offsets(sample)
    keep = offs[5][0]  # five whole records
    for what, caplen, tail in (("longer than the file", 1000, b"x" * 10),
                               ("longer than any packet", 1 << 31, b"x" * 4096)):
        path = write(os.path.join(tmp, "reclen.pcap"), sample[:keep] +
                     struct.pack("<IIII", 1700000000, 0, caplen, caplen) + tail)
        db = os.path.join(tmp, "reclen%d.db" % caplen)
        res = run(["read", "-q", path, "-o", db])
        one_line_error(res, path, "a record " + what)
        check("offset %d:" % keep in res.stderr, "a record %s: offset %d named: %r" %
              (what, keep, res.stderr))
        check(os.path.exists(db) and counts_of(db)[0] == 5,
              "a record %s: the five records before it are read" % what)


def pcapng_cases(tmp, sample, ref):
    """Unknown block types are skipped; corrupt blocks stop the read at their offset."""
    recs = pcap_records(sample)
    linktype = PCAP_HDR.unpack(sample[:24])[6]
    ng = ng_file(recs, linktype)
    path = write(os.path.join(tmp, "unknown.pcapng"), ng)
    db = os.path.join(tmp, "unknown.db")
    res = run(["read", "-q", path, "-o", db])
    check(res.returncode == 0 and res.stderr == "",
          "pcapng with unknown blocks: %d %r" % (res.returncode, res.stderr))
    check(res.returncode == 0 and counts_of(db) == ref,
          "pcapng with unknown blocks: as the pcap %r: %r" % (ref, counts_of(db)))
    blocks = ng_block_offsets(ng)
    at, length = blocks[10]  # a packet block: SHB, unknown, IDB, then packets and unknowns
    corrupt = {
        "length not a multiple of 4": struct.pack("<I", length + 2),
        "length under 12": struct.pack("<I", 8),
        "length over 16 MiB": struct.pack("<I", 1 << 31),
        "trailing length mismatch": None,
    }
    for i, (what, lead) in enumerate(corrupt.items()):
        data = bytearray(ng)
        if lead is None:
            data[at + length - 4:at + length] = struct.pack("<I", length + 4)
        else:
            data[at + 4:at + 8] = lead
        path = write(os.path.join(tmp, "corrupt.pcapng"), bytes(data))
        cdb = os.path.join(tmp, "corrupt%d.db" % i)
        res = run(["read", "-q", path, "-o", cdb])
        one_line_error(res, path, "pcapng " + what)
        check("offset %d: corrupt pcapng block" % at in res.stderr,
              "pcapng %s: offset %d named: %r" % (what, at, res.stderr))
        packets = sum(1 for o, _ in blocks[:10] if ng[o:o + 4] == b"\x06\0\0\0")
        check(os.path.exists(cdb) and counts_of(cdb)[0] == packets,
              "pcapng %s: the %d packets before it are read" % (what, packets))


def cut_case(tmp, data, k, units, name):
    """data cut to its first k bytes; units are (offset, length, is_packet) of its records
    or blocks (the first one a header). Checks the outcome; returns the exit status."""
    ext = ".pcapng" if name == "pcapng" else ".pcap"
    path = write(os.path.join(tmp, "cut" + ext), data[:k])
    db = os.path.join(tmp, "cut.db")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    res = run(["read", "-q", path, "-o", db])
    whole = [u for u in units if u[0] + u[1] <= k]
    inside = [u for u in units if u[0] < k < u[0] + u[1]]
    packets = sum(1 for u in whole if u[2])
    what = "%s cut at %d" % (name, k)
    lines = res.stderr.splitlines()
    if res.returncode == 0:
        check(not inside and lines == [], "%s: exit 0 inside a record, or stderr %r" %
              (what, res.stderr))
        row = counts_of(db) if os.path.exists(db) else None
        check(row is not None and row[0] == packets,
              "%s: %r packets stored, want %d" % (what, row, packets))
        return 0
    check(res.returncode == 1 and len(lines) == 1 and lines[0].startswith("httpcap: " + path),
          "%s: exit %d, want 0 or 1 with one line naming the file: %r" %
          (what, res.returncode, res.stderr))
    if inside and inside[0][0] > 0:
        check("offset %d:" % inside[0][0] in res.stderr,
              "%s: the record's offset %d named: %r" % (what, inside[0][0], res.stderr))
    if os.path.exists(db):
        con = sqlite3.connect(db)
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        row = con.execute("SELECT packets, truncated FROM captures").fetchone()
        con.close()
        check(ok == "ok" and row == (packets, 1),
              "%s: %s, capture %r, want (%d, 1)" % (what, ok, row, packets))
    return 1


def cut_loop(tmp, data, units, name):
    """Every prefix of data; prints how they ended and how long it took."""
    t0 = time.monotonic()
    ends = {0: 0, 1: 0}
    for k in range(len(data) + 1):
        ends[cut_case(tmp, data, k, units, name)] += 1
    print("%s: %d cuts (%d read, %d refused) in %.1f s" %
          (name, len(data) + 1, ends[0], ends[1], time.monotonic() - t0))


def cut_cases(tmp, sample):
    """The sample's first four records (handshake and a request), and the same packets
    with unknown blocks as pcapng, cut at every byte."""
    offs = pcap_record_offsets(sample)[:4]
    small = sample[:offs[-1][0] + 16 + offs[-1][1]]
    units = [(0, 24, False)] + [(o, 16 + n, True) for o, n in offs]
    cut_loop(tmp, small, units, "pcap")
    ng = ng_file(pcap_records(small), PCAP_HDR.unpack(sample[:24])[6])
    units = [(o, n, ng[o:o + 4] == b"\x06\0\0\0") for o, n in ng_block_offsets(ng)]
    cut_loop(tmp, ng, units, "pcapng")


def main():
    # a tmpfs, when there is one: each run's SQLite syncs cost nothing there
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    tmp = tempfile.mkdtemp(dir=shm)
    try:
        return checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks(tmp):
    db = os.path.join(tmp, "t.db")

    missing = os.path.join(tmp, "no-such-file.pcap")
    one_line_error(run(["read", "-q", missing, "-o", db]), missing, "missing file")

    notcap = os.path.join(tmp, "notes.txt")
    with open(notcap, "w") as f:
        f.write("this is not a capture file\n" * 10)
    one_line_error(run(["read", "-q", notcap, "-o", db]), notcap, "not a capture")

    empty = os.path.join(tmp, "empty.pcap")
    open(empty, "w").close()
    one_line_error(run(["read", "-q", empty, "-o", db]), empty, "empty file")

    res = run(["read", "-o", db])
    check(res.returncode == 2, "no file given: exit %d, want 2" % res.returncode)

    with open(SAMPLE, "rb") as f:
        data = f.read()
    offs = pcap_record_offsets(data)
    cut_at = offs[len(offs) * 3 // 4]
    cut = os.path.join(tmp, "cut.pcap")
    with open(cut, "wb") as f:
        f.write(data[:cut_at[0] + 16 + cut_at[1] // 2])
    tdb = os.path.join(tmp, "cut.db")
    res = run(["read", cut, "-o", tdb])
    one_line_error(res, cut, "truncated file")
    check("offset" in res.stderr, "truncated file: error gives the offset: %r" % res.stderr)
    con = sqlite3.connect(tdb)
    row = con.execute("SELECT truncated, packets, error FROM captures").fetchone()
    check(row is not None and row[0] == 1, "truncated file: captures.truncated = 1: %r" % (row,))
    check(row is not None and row[1] == len(offs) * 3 // 4,
          "truncated file: packets before the cut are counted: %r vs %d" % (row, len(offs) * 3 // 4))
    n = con.execute("SELECT count(*) FROM transactions").fetchone()[0]
    check(n > 0, "truncated file: transactions read before the cut are stored (%d)" % n)
    con.close()

    full = os.path.join(tmp, "full.db")
    res = run(["read", "-q", SAMPLE, "-o", full])
    check(res.returncode == 0 and res.stderr == "", "sample reads cleanly: %r" % res.stderr)
    res = run(["read", "-q", SAMPLE, "-o", full])
    con = sqlite3.connect(full)
    caps = con.execute("SELECT count(*) FROM captures").fetchone()[0]
    ids = con.execute("SELECT count(DISTINCT capture_id) FROM transactions").fetchone()[0]
    con.close()
    check(caps == 2 and ids == 2, "a second read appends a capture row (%d, %d)" % (caps, ids))

    ref = counts_of(full)
    header_cases(tmp, data, ref)
    pcapng_cases(tmp, data, ref)
    cut_cases(tmp, data)
    return report()


if __name__ == "__main__":
    sys.exit(main())
