#!/usr/bin/env python3
"""test_read_options.py - the options of `httpcap read` on the bundled sample:
-f (BPF filter), '-' (standard input), several files read as one capture (connections
continue across the file boundary), --store-headers (the headers table agrees with the
stored host and request id), the default database name, the limits (--max-...: their
values and hits in capture_limits agree with the rows they cut), and --help / bad options.
Prints "N passed, N failed"."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, SAMPLE, check, report, sane, query

ROWS = ("SELECT client_port, server_port, seq, method, uri, status, request_start_ns,"
        " response_end_ns, flags FROM v_transactions ORDER BY client_port, seq")


def read(args, stdin=None, cwd=None):
    res = subprocess.run([HTTPCAP, "read", "-q"] + args, capture_output=True, stdin=stdin,
                         cwd=cwd)
    sane(res, "read " + " ".join(args))
    return res


def split_pcap(src, a, b):
    """Write the first half of src's packets to a and the rest to b (same header)."""
    data = open(src, "rb").read()
    off, offs = 24, []
    while off + 16 <= len(data):
        offs.append(off)
        off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
    cut = offs[len(offs) // 2]
    open(a, "wb").write(data[:cut])
    open(b, "wb").write(data[:24] + data[cut:])


def limit_rows(db):
    return dict((r[0], (r[1], r[2])) for r in query(db, "SELECT name, value, hits FROM capture_limits"))


def check_limits(tmp, whole):
    """Defaults as --help lists them, tight caps counted exactly, bad values refused."""
    res = subprocess.run([HTTPCAP, "read", "--help"], capture_output=True, text=True)
    helped = dict((m.group(1), int(m.group(2))) for m in
                  re.finditer(r"--(max-[a-z-]+) N +\(default (\d+)\)", res.stdout))
    got = limit_rows(whole)
    check(len(helped) == 8 and set(helped) == set(got),
          "one capture_limits row per limit in --help: %r vs %r" % (sorted(helped), sorted(got)))
    check(all(got[k] == (helped[k], 0) for k in helped),
          "defaults as --help says, no hits on the sample: %r" % got)

    tight = os.path.join(tmp, "tight.db")
    res = read([SAMPLE, "-o", tight, "--store-headers", "--max-connections", "2",
                "--max-uri-bytes", "16", "--max-headers", "3", "--max-header-bytes", "256",
                "--max-stored-header-bytes", "40", "--max-ooo-bytes", "64k"])
    check(res.returncode == 0, "read with tight limits: %r" % res.stderr)
    got = limit_rows(tight)
    check(got.get("max-connections", (0,))[0] == 2 and got.get("max-ooo-bytes", (0,))[0] == 65536,
          "values recorded, 64k is 65536: %r" % got)
    q = lambda sql: query(tight, sql)[0][0]
    evicted = q("SELECT count(*) FROM connections WHERE end_reason = 'evicted'")
    check(evicted > 0 and got["max-connections"][1] == evicted,
          "max-connections hits = evicted connections (%r, %d)" % (got["max-connections"], evicted))
    cut = q("SELECT count(*) FROM transactions WHERE ',' || flags || ',' LIKE '%,uri-cut,%'")
    check(cut > 0 and got["max-uri-bytes"][1] == cut,
          "max-uri-bytes hits = uri-cut rows (%r, %d)" % (got["max-uri-bytes"], cut))
    check(q("SELECT max(length(CAST(uri AS BLOB))) FROM transactions") <= 16, "no uri over 16 bytes")
    hcut = q("SELECT count(*) FROM transactions WHERE ',' || flags || ',' LIKE '%,headers-cut,%'")
    check(hcut > 0 and got["max-stored-header-bytes"][1] == hcut,
          "max-stored-header-bytes hits = headers-cut rows (%r, %d)"
          % (got["max-stored-header-bytes"], hcut))
    over = q("SELECT count(*) FROM violations WHERE detail LIKE '%HPE_HEADER_OVERFLOW%'")
    check(over > 0 and got["max-header-bytes"][1] == over,
          "max-header-bytes hits = HPE_HEADER_OVERFLOW errors (%r, %d)" % (got["max-header-bytes"], over))
    check(got["max-headers"][1] > 0, "max-headers 3 is hit on the sample: %r" % (got["max-headers"],))

    for bad in (["--max-pending", "0"], ["--max-uri-bytes", "9000"], ["--max-connections", "1x"],
                ["--max-reasm-bytes", "-1"], ["--max-headers", "99999999999999999999999"]):
        res = subprocess.run([HTTPCAP, "read", "-q", SAMPLE, "-o", os.path.join(tmp, "x.db")] + bad,
                             capture_output=True, text=True)
        check(res.returncode == 2 and bad[0] in res.stderr.splitlines()[0],
              "%s %s: usage error naming the option: %d %r" % (bad[0], bad[1], res.returncode,
                                                               res.stderr[:200]))


def main():
    tmp = tempfile.mkdtemp()
    try:
        whole = os.path.join(tmp, "whole.db")
        check(read([SAMPLE, "-o", whole]).returncode == 0, "read the sample")
        all_rows = query(whole, ROWS)
        check(len(all_rows) > 40, "sample has its transactions (%d)" % len(all_rows))

        filt = os.path.join(tmp, "filter.db")
        res = read([SAMPLE, "-o", filt, "-f", "tcp port 8082"])
        check(res.returncode == 0, "read with a filter: %r" % res.stderr)
        ports = query(filt, "SELECT DISTINCT server_port FROM v_transactions")
        want = [r for r in all_rows if r[1] == 8082]
        check(ports == [(8082,)], "filter keeps port 8082 only: %r" % ports)
        check(query(filt, ROWS) == want, "filtered rows equal the whole run's port-8082 rows")
        cap = query(filt, "SELECT filter FROM captures")
        check(cap == [("tcp port 8082",)], "captures.filter records the filter: %r" % cap)
        res = read([SAMPLE, "-o", os.path.join(tmp, "bad.db"), "-f", "tcp port nonsense"])
        check(res.returncode == 1 and b"filter" in res.stderr,
              "a bad filter is a one-line error: %r" % res.stderr)

        stdin_db = os.path.join(tmp, "stdin.db")
        with open(SAMPLE, "rb") as f:
            res = read(["-", "-o", stdin_db], stdin=f)
        check(res.returncode == 0, "read from stdin: %r" % res.stderr)
        check(query(stdin_db, ROWS) == all_rows, "stdin gives the same rows as the file")

        a, b = os.path.join(tmp, "a.pcap"), os.path.join(tmp, "b.pcap")
        split_pcap(SAMPLE, a, b)
        two = os.path.join(tmp, "two.db")
        check(read([a, b, "-o", two]).returncode == 0, "read two files")
        check(query(two, ROWS) == all_rows, "two halves read together equal the whole capture")
        check(query(two, "SELECT count(*) FROM captures") == [(1,)], "two files, one capture row")

        hdr = os.path.join(tmp, "headers.db")
        check(read([SAMPLE, "-o", hdr, "--store-headers"]).returncode == 0, "--store-headers")
        n = query(hdr, "SELECT count(*) FROM headers")[0][0]
        check(n > 300, "headers stored (%d)" % n)
        bad_host = query(hdr, "SELECT count(*) FROM v_transactions t WHERE host IS NOT NULL AND"
                              " NOT EXISTS (SELECT 1 FROM headers h WHERE h.transaction_id = t.id"
                              " AND h.direction = 'request' AND lower(h.name) = 'host'"
                              " AND h.value = t.host)")[0][0]
        check(bad_host == 0, "every stored host is a request Host header (%d not)" % bad_host)
        bad_rid = query(hdr, "SELECT count(*) FROM v_transactions t WHERE request_id IS NOT NULL"
                             " AND NOT EXISTS (SELECT 1 FROM headers h WHERE"
                             " h.transaction_id = t.id AND h.value = t.request_id)")[0][0]
        check(bad_rid == 0, "every request id is a stored header value (%d not)" % bad_rid)
        firsts = query(hdr, "SELECT count(*) FROM headers WHERE position = 1")[0][0]
        check(firsts > 0, "header positions start at 1")
        check(query(whole, "SELECT count(*) FROM headers") == [(0,)],
              "no headers without --store-headers")

        res = read([SAMPLE], cwd=tmp)
        check(res.returncode == 0 and os.path.exists(os.path.join(tmp, "httpcap.db")),
              "default database httpcap.db in the current directory")

        check_limits(tmp, whole)

        res = subprocess.run([HTTPCAP, "read", "--help"], capture_output=True, text=True)
        check(res.returncode == 0 and "--store-headers" in res.stdout, "read --help")
        res = subprocess.run([HTTPCAP, "read", "--no-such-option", SAMPLE],
                             capture_output=True, text=True, cwd=tmp)
        check(res.returncode == 2, "bad option exits 2 (%d)" % res.returncode)
        res = subprocess.run([HTTPCAP, "frobnicate"], capture_output=True, text=True)
        check(res.returncode == 2, "unknown command exits 2 (%d)" % res.returncode)
    finally:
        shutil.rmtree(tmp)
    return report()


if __name__ == "__main__":
    sys.exit(main())
