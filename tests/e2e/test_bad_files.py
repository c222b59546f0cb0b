#!/usr/bin/env python3
"""test_bad_files.py - bad inputs get a one-line error naming the file and a non-zero
exit; a file cut in the middle of a packet keeps what was read before (committed) and
the capture row says truncated. Prints "N passed, N failed"."""
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, SAMPLE, check, report, sane


def run(args):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, text=True)
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


def main():
    tmp = tempfile.mkdtemp()
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

    return report()


if __name__ == "__main__":
    sys.exit(main())
