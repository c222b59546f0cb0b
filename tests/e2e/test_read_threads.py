#!/usr/bin/env python3
"""test_read_threads.py - `httpcap read --threads N`: N threads each read every file and
keep the connections of their share; the database must hold the same rows as with one
thread, ids aside (they follow the order the writer stores the rows in).

Checked on generated captures (thousands of concurrent connections), on every capture in
../shared/pcaps (skipped without it), on a capture cut inside a packet, on several files
read as one, with a BPF filter, with a connection limit small enough to evict, and when
appending to a database. Also: the capture_workers rows (one per thread, adding up to the
captures row), dense ids in storing order, the automatic choice (one thread below 64 MiB,
else the usable CPUs up to 4), the reading threads a step behind the writer in priority
(nice + 3) and the usage errors.
Prints "N passed, N failed[, N skipped]"."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, ROOT, SHARED, check, query, report, sane

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
GENBENCH = os.path.join(BUILD, "tests", "genbench")
GENLOAD = os.path.join(BUILD, "tests", "genload")
PCAPS = os.path.join(SHARED, "pcaps")
skipped = 0

# captures columns that do not depend on the number of threads (started_ns, finished_ns:
# the wall clock; peak_connections: with threads, the sum of each thread's peak)
CAPTURE_COLS = ["packets", "bytes", "connections", "transactions", "tcp_segments",
                "skipped_packets", "ip_fragments", "gap_bytes", "link_type",
                "link_type_name", "truncated", "error", "first_packet_ns",
                "last_packet_ns", "clamped_timestamps", "source", "filter"]


def read(args, stdin=None):
    res = subprocess.run([HTTPCAP, "read", "-q"] + args, capture_output=True, text=True,
                         stdin=stdin)
    sane(res, "read " + " ".join(args))
    return res


def columns(con, table):
    return [r[1] for r in con.execute("PRAGMA table_info(%s)" % table)]


def content(db):
    """Every stored row with ids replaced by what they point to: connections by their
    columns, transactions by their connection and columns, with their violations (and
    headers); the capture's counters, skips and limits. Comparable between runs."""
    con = sqlite3.connect(db)
    ccols = columns(con, "connections")
    conns = {}
    for row in con.execute("SELECT * FROM connections"):
        d = dict(zip(ccols, row))
        cid = d.pop("id")
        conns[cid] = tuple(sorted((k, repr(v)) for k, v in d.items() if k != "capture_id"))
    tcols = columns(con, "transactions")
    viol = {}
    for tid, rule, detail in con.execute("SELECT transaction_id, rule, detail FROM violations"):
        viol.setdefault(tid, []).append((rule, detail))
    hdrs = {}
    for row in con.execute("SELECT * FROM headers"):
        hdrs.setdefault(row[0], []).append(repr(row[1:]))
    txns = []
    for row in con.execute("SELECT * FROM transactions"):
        d = dict(zip(tcols, row))
        tid = d.pop("id")
        conn = conns.get(d.pop("connection_id"))
        d.pop("capture_id", None)
        txns.append(repr((conn, sorted((k, repr(v)) for k, v in d.items()),
                          sorted(viol.get(tid, [])), sorted(hdrs.get(tid, [])))))
    cap = {}
    for cid, in con.execute("SELECT id FROM captures"):
        cap[cid] = con.execute("SELECT %s FROM captures WHERE id = ?" % ", ".join(CAPTURE_COLS),
                               (cid,)).fetchone()
    skips = sorted(con.execute("SELECT capture_id, reason, packets FROM capture_skips"))
    limits = sorted(con.execute("SELECT capture_id, name, value, hits FROM capture_limits"))
    con.close()
    return {"connections": sorted(conns.values()), "transactions": sorted(txns),
            "captures": cap, "skips": skips, "limits": limits}


def differences(a, b):
    """Names of the parts of content() that differ, with a first differing item."""
    out = []
    for k in a:
        if a[k] != b[k]:
            first = None
            if isinstance(a[k], list):
                first = next((x for x in a[k] if x not in b[k]), None) or \
                    next((x for x in b[k] if x not in a[k]), None)
            out.append("%s (%d vs %d rows; e.g. %r)" % (k, len(a[k]), len(b[k]),
                                                       str(first)[:300]))
    return out


def workers(db):
    return query(db, "SELECT capture_id, worker, packets, bytes, kernel_drops, "
                     "interface_drops, connections, transactions FROM capture_workers "
                     "ORDER BY capture_id, worker")


def check_workers(db, n, what):
    """n capture_workers rows per capture that add up to its captures row (packets: each
    thread's connections' segments, the first thread also every other packet)."""
    rows = workers(db)
    for cid, packets, nbytes, conns, txns in query(
            db, "SELECT id, packets, bytes, connections, transactions FROM captures"):
        mine = [r for r in rows if r[0] == cid]
        check([r[1] for r in mine] == list(range(n)),
              "%s: capture %d: workers %r, want 0..%d" % (what, cid, [r[1] for r in mine], n - 1))
        sums = tuple(sum(r[i] for r in mine) for i in (2, 3, 6, 7))
        check(sums == (packets, nbytes, conns, txns),
              "%s: capture %d: workers add up to %r, captures row %r" %
              (what, cid, sums, (packets, nbytes, conns, txns)))
        check(all(r[4] is None and r[5] is None for r in mine),
              "%s: a file has no drop counters: %r" % (what, mine))
        if n > 1 and conns >= 100:
            check(all(r[7] > 0 for r in mine),
                  "%s: every thread got a share of the transactions: %r" % (what, mine))


def check_ids(db, what):
    """Transaction ids 1..N with no gap, in storing (rowid) order; violations point at
    existing transactions; connection ids unique and referenced ones exist."""
    n, lo, hi = query(db, "SELECT count(*), min(id), max(id) FROM transactions")[0]
    check(n == 0 or (lo == 1 and hi == n), "%s: transaction ids %r..%r for %d rows" %
          (what, lo, hi, n))
    orphans = query(db, "SELECT count(*) FROM violations WHERE transaction_id NOT IN "
                        "(SELECT id FROM transactions)")[0][0]
    check(orphans == 0, "%s: %d violations of no transaction" % (what, orphans))
    lost = query(db, "SELECT count(*) FROM transactions WHERE connection_id NOT IN "
                     "(SELECT id FROM connections)")[0][0]
    check(lost == 0, "%s: %d transactions of no connection" % (what, lost))


def compare(files, tmp, name, threads=(2, 3, 4), extra=()):
    """Read files with --threads 1 and each of threads: the same content."""
    base = os.path.join(tmp, name + "-1.db")
    r1 = read(list(files) + ["--threads", "1", "-o", base] + list(extra))
    want = content(base)
    check(workers(base) == [], "%s: one thread writes no capture_workers row" % name)
    for n in threads:
        db = os.path.join(tmp, "%s-%d.db" % (name, n))
        rn = read(list(files) + ["--threads", str(n), "-o", db] + list(extra))
        check(rn.returncode == r1.returncode and rn.stderr == r1.stderr,
              "%s --threads %d: exit %d %r, one thread: exit %d %r" %
              (name, n, rn.returncode, rn.stderr[:300], r1.returncode, r1.stderr[:300]))
        diff = differences(want, content(db))
        check(not diff, "%s --threads %d differs from one thread: %s" % (name, n, diff))
        check_workers(db, n, "%s --threads %d" % (name, n))
        check_ids(db, "%s --threads %d" % (name, n))
    return want


def test_generated(tmp):
    """Thousands of concurrent keep-alive connections (genbench heavy) and a mix of
    statuses, methods and bodies (genload): the same rows with 2, 3 and 4 threads."""
    heavy = os.path.join(tmp, "heavy.pcap")
    truth = subprocess.run([GENBENCH, heavy, "--profile", "heavy", "--bytes", "6M",
                            "--seed", "5"], capture_output=True, text=True, check=True).stdout
    want = compare([heavy], tmp, "heavy")
    n_truth = int(dict(kv.split("=") for kv in truth.split())["transactions"])
    check(len(want["transactions"]) == n_truth,
          "heavy: %d transactions, generator says %d" % (len(want["transactions"]), n_truth))
    load = os.path.join(tmp, "load.pcap")
    subprocess.run([GENLOAD, load, "--bytes", "3M", "--concurrent", "300", "--seed", "9"],
                   capture_output=True, check=True)
    compare([load], tmp, "load", threads=(2, 5))
    compare([load], tmp, "load-filter", threads=(3,),
            extra=["-f", "tcp port 80 and (tcp[13] & 2 = 0 or tcp[13] & 16 != 0)"])
    compare([load], tmp, "load-headers", threads=(2,), extra=["--store-headers"])
    return heavy, load


def test_limits(tmp, load):
    """A connection limit small enough to evict: the limit row keeps the value asked
    for; evictions happen with one thread and with two (each thread holds its share of
    the limit, so which connection is evicted may differ)."""
    for n in (1, 2):
        db = os.path.join(tmp, "limit-%d.db" % n)
        read([load, "--threads", str(n), "--max-connections", "16", "-o", db])
        value, hits = query(db, "SELECT value, hits FROM capture_limits "
                                "WHERE name = 'max-connections'")[0]
        check(value == 16, "--threads %d: max-connections row holds %r, want 16" % (n, value))
        check(hits > 0, "--threads %d: 16 connections at most, 300 at once: no eviction" % n)
        evicted = query(db, "SELECT count(*) FROM connections WHERE end_reason = 'evicted'")[0][0]
        check(evicted == hits, "--threads %d: %d evicted connections, limit row says %d" %
              (n, evicted, hits))
        check_ids(db, "--max-connections 16 --threads %d" % n)


def test_truncated(tmp, heavy):
    """A capture cut inside a packet: the same error, exit 1, rows and truncated flag."""
    cut = os.path.join(tmp, "cut.pcap")
    with open(heavy, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) * 2 // 3 + 7])
    want = compare([cut], tmp, "cut", threads=(2,))
    cap = list(want["captures"].values())[0]
    check(cap[CAPTURE_COLS.index("truncated")] == 1 and "truncated packet record" in
          (cap[CAPTURE_COLS.index("error")] or ""),
          "cut capture: truncated %r, error %r" % (cap[CAPTURE_COLS.index("truncated")],
                                                   cap[CAPTURE_COLS.index("error")]))


def test_several_files(tmp, heavy):
    """Three parts read as one capture: connections continue across them."""
    parts = []
    with open(heavy, "rb") as f:
        data = f.read()
    # split at packet boundaries: walk the classic pcap records
    hdr, pos, bounds = data[:24], 24, []
    while pos + 16 <= len(data):
        incl = int.from_bytes(data[pos + 8:pos + 12], "little")
        pos += 16 + incl
        bounds.append(pos)
    cuts = [24, bounds[len(bounds) // 3], bounds[2 * len(bounds) // 3], len(data)]
    for i in range(3):
        p = os.path.join(tmp, "part%d.pcap" % i)
        with open(p, "wb") as f:
            f.write(hdr + data[cuts[i]:cuts[i + 1]])
        parts.append(p)
    want = compare(parts, tmp, "parts", threads=(2,))
    whole = content(os.path.join(tmp, "heavy-1.db"))
    check(want["transactions"] == whole["transactions"],
          "three parts: %d transactions, the whole file %d" %
          (len(want["transactions"]), len(whole["transactions"])))


def test_append(tmp, load):
    """Two threaded reads into one database: ids go on after the first capture's."""
    db = os.path.join(tmp, "append.db")
    read([load, "--threads", "2", "-o", db])
    first = query(db, "SELECT max(id) FROM transactions")[0][0]
    read([load, "--threads", "3", "-o", db])
    n, lo, hi = query(db, "SELECT count(*), min(id), max(id) FROM transactions "
                          "WHERE capture_id = 2")[0]
    check(n == first and lo == first + 1 and hi == 2 * first,
          "second capture: %d transactions, ids %r..%r; first had %r" % (n, lo, hi, first))
    rows = workers(db)
    check([r[:2] for r in rows] == [(1, 0), (1, 1), (2, 0), (2, 1), (2, 2)],
          "append: capture_workers rows %r" % [r[:2] for r in rows])
    check_ids(db, "append")


def test_shared_pcaps(tmp):
    """Every public capture: --threads 3 stores what one thread stores."""
    global skipped
    if not os.path.isdir(PCAPS):
        print("skipped: %s not found" % PCAPS)
        skipped += 1
        return
    names = sorted(n for n in os.listdir(PCAPS) if n.endswith((".pcap", ".pcapng")))
    for name in names:
        compare([os.path.join(PCAPS, name)], tmp, "shared-" + name, threads=(3,))


def test_auto(tmp):
    """Without --threads: one thread below 64 MiB of input; at or above, the usable CPUs
    up to 4 (taskset narrows them)."""
    small = os.path.join(tmp, "heavy.pcap")
    db = os.path.join(tmp, "auto-small.db")
    read([small, "-o", db])
    check(workers(db) == [], "auto, 6 MB: capture_workers rows %r, want none" % workers(db))
    big = os.path.join(tmp, "big.pcap")
    subprocess.run([GENBENCH, big, "--profile", "heavy", "--bytes", "66M", "--seed", "2"],
                   capture_output=True, check=True)
    cpus = len(os.sched_getaffinity(0))
    want = min(cpus, 4)
    db = os.path.join(tmp, "auto-big.db")
    read([big, "-o", db])
    check(len(workers(db)) == (want if want > 1 else 0),
          "auto, 66 MB on %d CPUs: %d capture_workers rows, want %d" %
          (cpus, len(workers(db)), want if want > 1 else 0))
    if want > 1:
        check_workers(db, want, "auto, 66 MB")
    if shutil.which("taskset"):
        db1 = os.path.join(tmp, "auto-one-cpu.db")
        res = subprocess.run(["taskset", "-c", "0", HTTPCAP, "read", "-q", big, "-o", db1],
                             capture_output=True, text=True)
        sane(res, "taskset -c 0 read")
        check(workers(db1) == [], "auto on one CPU: capture_workers rows %r" % workers(db1))
        diff = differences(content(db1), content(db))
        check(not diff, "auto: 66 MB on one CPU and on %d differ: %s" % (cpus, diff))
    test_priorities(tmp, big)
    os.unlink(big)


def thread_nices(pid):
    """{thread name: nice value} of the process's threads now ({} once it has ended)."""
    seen = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return seen
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        seen[name] = int(stat[stat.rindex(")") + 2:].split()[16])  # field 19: nice
    return seen


def test_priorities(tmp, big):
    """The reading threads step back three nice values (capped at 19) so that the writer
    they all feed goes first; the writer keeps the process's priority."""
    base = os.getpriority(os.PRIO_PROCESS, 0)
    want = min(base + 3, 19)
    seen = {}
    db = os.path.join(tmp, "prio.db")
    for _ in range(3):  # each try reads 66 MB: a few hundred ms to look at the threads
        proc = subprocess.Popen([HTTPCAP, "read", "-q", big, "--threads", "2", "-o", db],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and not {"httpcap r0", "httpcap r1",
                                            "httpcap writer"} <= seen.keys():
            seen.update(thread_nices(proc.pid))
        proc.wait()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        if {"httpcap r0", "httpcap r1", "httpcap writer"} <= seen.keys():
            break
    for name in ("httpcap r0", "httpcap r1"):
        check(seen.get(name) == want, "--threads 2: %s runs at nice %r, want %d" %
              (name, seen.get(name), want))
    check(seen.get("httpcap writer") == base, "--threads 2: the writer runs at nice %r, "
          "want %d" % (seen.get("httpcap writer"), base))


def test_usage(tmp, heavy):
    """--threads out of range or with --jsonl: usage errors (exit 2); a pipe cannot be
    read twice (exit 1, nothing stored); standard input reads with one thread."""
    db = os.path.join(tmp, "usage.db")
    for bad in ("0", "65", "2x", ""):
        res = read([heavy, "--threads", bad, "-o", db])
        check(res.returncode == 2 and "--threads takes 1 to 64" in res.stderr,
              "--threads %r: exit %d %r" % (bad, res.returncode, res.stderr[:200]))
    res = read([heavy, "--threads", "2", "--jsonl", os.path.join(tmp, "x.jsonl"), "-o", db])
    check(res.returncode == 2 and "--jsonl needs --threads 1" in res.stderr,
          "--threads 2 --jsonl: exit %d %r" % (res.returncode, res.stderr[:200]))
    with open(heavy, "rb") as f:
        res = subprocess.run([HTTPCAP, "read", "-q", "-", "--threads", "2", "-o", db],
                             stdin=f, capture_output=True, text=True)
    sane(res, "read - --threads 2")
    check(res.returncode == 1 and "standard input or a pipe can be read only once" in
          res.stderr and res.stderr.count("\n") == 1,
          "read - --threads 2: exit %d %r" % (res.returncode, res.stderr[:200]))
    check(not os.path.exists(db), "read - --threads 2 created the database")
    with open(heavy, "rb") as f:
        res = subprocess.run([HTTPCAP, "read", "-q", "-", "-o", db], stdin=f,
                             capture_output=True, text=True)
    sane(res, "read -")
    check(res.returncode == 0 and workers(db) == [] and
          query(db, "SELECT count(*) FROM transactions")[0][0] > 0,
          "read - (auto): exit %d %r" % (res.returncode, res.stderr[:200]))
    help_text = subprocess.run([HTTPCAP, "read", "--help"], capture_output=True,
                               text=True).stdout
    check("--threads N" in help_text, "read --help names --threads")


def main():
    for tool in (GENBENCH, GENLOAD):
        if not os.path.exists(tool):
            print("FAILED: %s not built (make tools)" % tool)
            return 1
    tmp = tempfile.mkdtemp(prefix="httpcap-threads-")
    try:
        heavy, load = test_generated(tmp)
        test_limits(tmp, load)
        test_truncated(tmp, heavy)
        test_several_files(tmp, heavy)
        test_append(tmp, load)
        test_usage(tmp, heavy)
        test_auto(tmp)
        test_shared_pcaps(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(skipped)


if __name__ == "__main__":
    sys.exit(main())
