#!/usr/bin/env python3
"""test_workers.py - `httpcap capture --workers N` on the loopback interface, end to end,
against an HTTP/1.1 keep-alive server of this script on a free port of 127.0.0.1:
 1. usage: --workers 0, 65, abc and 1.5 exit 2 with httpcap's one-line message first;
    `read --workers` is refused the same way; --workers 2 with --jsonl or --write-pcap too
    (none of these needs root);
 2. --workers 2 while 256 keep-alive connections are open at once, 4 requests each
    (8 client threads): every request stored exactly once with its response (no
    unanswered request, no response without its request, no duplicate (client_port, seq)
    or request ID), ids unique; capture_workers has rows 0 and 1, both with packets and
    transactions, and their sums are the captures row's packets, bytes, connections,
    transactions and kernel drops;
 3. --workers 1 (and the default): one capture_workers row that is the captures row;
    then --workers 3 into the same database: its ids all follow the first capture's, its
    transactions' connections are its own, rows 0..2;
 4. traffic already running while a --workers 2 capture starts: no request stored twice,
    every request begun after the capture was ready stored;
 5. --workers 2 --count 40 ends by itself with exactly 40 packets, summed over the rows;
 6. on a terminal the status line shows each worker as "wI packets/transactions/drops";
 7. -Z nobody --workers 2: every handle is open before the switch; rows still stored.
Live parts need root (skipped otherwise). Env: HTTPCAP. Prints "N passed, N failed"."""
import http.client
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from livekit import EchoHandler as Handler
from livekit import Server, db_rows as rows, get, start_capture, start_ready, started
from livekit import finish as finish_timed
from livekit import Traffic, nobody_dir, proc_ids, try_query, wait_ready
from testkit import HTTPCAP, SAMPLE, check, counts, report, sane


def finish(proc, sig, what, timeout=15):
    """Send sig (None: just wait) and collect the exit; returns (rc, stderr text)."""
    rc, _, err = finish_timed(proc, sig, what, timeout)
    return rc, err


STOP = threading.Event()
CONNECTIONS = 256       # open at once in test 2
REQUESTS = 4            # per connection
CLIENT_THREADS = 8


def run_fast(args, what):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, timeout=20)
    sane(res, what)
    return res.returncode, res.stderr.decode(errors="replace")


# ---- 1. usage ----

def test_usage(tmp):
    db = os.path.join(tmp, "usage.db")
    for bad in ("0", "65", "abc", "1.5", ""):
        rc, err = run_fast(["capture", "-i", "lo", "-o", db, "--workers", bad],
                           "--workers %r" % bad)
        first = err.split("\n", 1)[0]
        check(rc == 2 and first.startswith("httpcap: capture: --workers takes 1 to 64")
              and "usage: httpcap capture" in err,
              "capture --workers %r: exit %d, %r" % (bad, rc, err[:300]))
    rc, err = run_fast(["read", SAMPLE, "-o", db, "--workers", "2"], "read --workers")
    first = err.split("\n", 1)[0]
    check(rc == 2 and first.startswith("httpcap: read: ") and "'--workers'" in first,
          "read --workers 2: exit %d, %r" % (rc, err[:300]))
    for extra, name in ((["--jsonl", "-"], "--jsonl"),
                        (["--write-pcap", os.path.join(tmp, "w.pcap")], "--write-pcap")):
        rc, err = run_fast(["capture", "-i", "lo", "-o", db, "--workers", "2"] + extra,
                           "--workers 2 " + name)
        first = err.split("\n", 1)[0]
        check(rc == 2 and first == "httpcap: capture: %s needs --workers 1 (%s)"
              % (name, "one ordered stream from one thread" if name == "--jsonl"
                 else "one file from one thread"),
              "capture --workers 2 %s: exit %d, %r" % (name, rc, err[:300]))
    check(not os.path.exists(db), "a usage error wrote the database")
    res = subprocess.run([HTTPCAP, "capture", "--help"], capture_output=True, text=True)
    check(res.returncode == 0 and "--workers N" in res.stdout,
          "capture --help does not show --workers: %r" % res.stdout[:200])


# ---- 2. many connections at once ----

class Clients:
    """CONNECTIONS keep-alive connections open at once (CLIENT_THREADS threads, each with
    its share), REQUESTS rounds of one GET on each; request IDs k<conn>-<round>."""

    def __init__(self, port):
        self.port = port
        self.done = []      # request ids answered 200
        self.errors = []
        self.lock = threading.Lock()
        self.opened = threading.Barrier(CLIENT_THREADS)

    def one_thread(self, t):
        mine = list(range(t, CONNECTIONS, CLIENT_THREADS))
        conns = {}
        try:
            for i in mine:
                conns[i] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conns[i].connect()
            self.opened.wait(20)  # all CONNECTIONS open before the first request
            for k in range(REQUESTS):
                for i in mine:
                    rid = "k%d-%d" % (i, k)
                    conns[i].request("GET", "/many/%s" % rid, headers={"X-Request-ID": rid})
                    r = conns[i].getresponse()
                    r.read()
                    if r.status == 200:
                        with self.lock:
                            self.done.append(rid)
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as e:
            with self.lock:
                self.errors.append("%s: %s" % (type(e).__name__, e))
        finally:
            for c in conns.values():
                c.close()

    def run(self):
        threads = [threading.Thread(target=self.one_thread, args=(t,))
                   for t in range(CLIENT_THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)


def check_sums(db, cid, what, n_workers):
    """capture_workers rows 0..n-1 whose sums are the captures row's numbers."""
    w = rows(db, "SELECT worker, packets, bytes, kernel_drops, interface_drops, connections,"
                 " transactions FROM capture_workers WHERE capture_id = %d ORDER BY worker"
                 % cid)
    check([r[0] for r in w] == list(range(n_workers)),
          "%s: capture_workers rows %r, want workers 0..%d" % (what, w, n_workers - 1))
    cap = rows(db, "SELECT packets, bytes, kernel_drops, interface_drops, connections,"
                   " transactions FROM captures WHERE id = %d" % cid)
    if not w or not cap:
        return w
    c = cap[0]
    sums = [sum(r[i] for r in w) for i in (1, 2, 3, 5, 6)]
    check(sums == [c[0], c[1], c[2], c[4], c[5]],
          "%s: sums of capture_workers (packets, bytes, kernel_drops, connections,"
          " transactions) %r, captures %r" % (what, sums, [c[0], c[1], c[2], c[4], c[5]]))
    check(c[3] == max(r[4] for r in w),
          "%s: captures.interface_drops %r, workers %r" % (what, c[3], [r[4] for r in w]))
    n = rows(db, "SELECT count(*) FROM transactions WHERE capture_id = %d" % cid)[0][0]
    check(n == c[5], "%s: %d transactions stored, captures says %d" % (what, n, c[5]))
    n = rows(db, "SELECT count(*) FROM connections WHERE capture_id = %d" % cid)[0][0]
    check(n == c[4], "%s: %d connections stored, captures says %d" % (what, n, c[4]))
    return w


def test_many(tmp, port):
    what = "capture --workers 2 (256 connections at once)"
    db = os.path.join(tmp, "many.db")
    proc = start_ready(port, db, what, "m", ["--workers", "2"])
    if proc is None:
        return
    clients = Clients(port)
    t0 = time.monotonic()
    clients.run()
    took = time.monotonic() - t0
    check(not clients.errors, "%s: client errors: %r" % (what, clients.errors[:5]))
    check(len(clients.done) == CONNECTIONS * REQUESTS,
          "%s: %d of %d requests answered" % (what, len(clients.done),
                                              CONNECTIONS * REQUESTS))
    time.sleep(0.3)
    rc, err = finish(proc, signal.SIGINT, what)
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))

    got = rows(db, "SELECT request_id, method, status, response_start_ns IS NOT NULL,"
                   " client_port, seq FROM v_transactions WHERE uri LIKE '/many/%'")
    ids = [r[0] for r in got]
    check(len(got) == CONNECTIONS * REQUESTS and sorted(ids) == sorted(clients.done),
          "%s: %d stored, %d made, %d distinct request ids" % (what, len(got),
                                                                len(clients.done),
                                                                len(set(ids))))
    unanswered = [r for r in got if r[2] is None or not r[3]]
    check(not unanswered, "%s: %d unanswered: %r" % (what, len(unanswered), unanswered[:5]))
    orphans = rows(db, "SELECT count(*) FROM transactions WHERE method IS NULL")[0][0]
    check(orphans == 0, "%s: %d responses without their request" % (what, orphans))
    dup = rows(db, "SELECT client_port, seq, count(*) FROM v_transactions"
                   " GROUP BY client_port, seq HAVING count(*) > 1")
    check(not dup, "%s: (client_port, seq) stored twice: %r" % (what, dup[:5]))
    per_conn = rows(db, "SELECT count(*) FROM (SELECT connection_id FROM transactions"
                        " WHERE uri LIKE '/many/%' GROUP BY connection_id"
                        " HAVING count(*) = 4 AND min(seq) = 1 AND max(seq) = 4)")[0][0]
    check(per_conn == CONNECTIONS, "%s: %d of %d connections hold their 4 exchanges in order"
          % (what, per_conn, CONNECTIONS))
    peak = rows(db, "SELECT peak_connections FROM captures")[0][0]
    check(peak >= CONNECTIONS, "%s: peak_connections %d: the connections were not open at"
          " once" % (what, peak))
    w = check_sums(db, 1, what, 2)
    check(len(w) == 2 and all(r[1] > 0 and r[6] > 0 for r in w),
          "%s: a worker got no share: %r" % (what, w))
    print("  %s: %d requests in %.1f s, per worker (packets, transactions) %r"
          % (what, len(got), took, [(r[1], r[6]) for r in w]))


# ---- 3. one worker; ids across captures ----

def test_one_then_three(tmp, port):
    db = os.path.join(tmp, "ids.db")
    for n, (what, extra) in enumerate((("capture (default: 1 worker)", []),
                                       ("capture --workers 1", ["--workers", "1"]),
                                       ("capture --workers 3", ["--workers", "3"]))):
        proc = start_ready(port, db, what, "i%d" % n, extra)
        if proc is None:
            return
        codes = [get(port, "/ids-%d-%d" % (n, i), "ids-%d-%d" % (n, i)) for i in range(30)]
        check(codes == [200] * 30, "%s: requests %r" % (what, codes))
        rc, err = finish(proc, signal.SIGINT, what)
        check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
        cid = n + 1
        w = check_sums(db, cid, what, 3 if n == 2 else 1)
        got = rows(db, "SELECT count(*) FROM transactions WHERE capture_id = %d AND"
                       " request_id LIKE 'ids-%d-%%'" % (cid, n))[0][0]
        check(got == 30, "%s: %d of 30 exchanges stored" % (what, got))
        if n == 2:
            check(sum(1 for r in w if r[1] > 0) >= 2,
                  "%s: fewer than 2 of 3 workers got packets: %r" % (what, w))
    order = rows(db, "SELECT capture_id, min(id), max(id) FROM transactions"
                     " GROUP BY capture_id ORDER BY capture_id")
    check(len(order) == 3 and all(a[2] < b[1] for a, b in zip(order, order[1:])),
          "ids: transaction ids of each capture do not follow the previous: %r" % order)
    order = rows(db, "SELECT capture_id, min(id), max(id) FROM connections"
                     " GROUP BY capture_id ORDER BY capture_id")
    check(len(order) == 3 and all(a[2] < b[1] for a, b in zip(order, order[1:])),
          "ids: connection ids of each capture do not follow the previous: %r" % order)
    foreign = rows(db, "SELECT count(*) FROM transactions t LEFT JOIN connections c"
                       " ON c.id = t.connection_id WHERE c.capture_id IS NOT t.capture_id")
    check(foreign == [(0,)], "ids: %r transactions whose connection is another capture's"
          % foreign)


# ---- 4. traffic while the group forms ----

def test_startup(tmp, port):
    what = "capture --workers 2 (traffic while it starts)"
    db = os.path.join(tmp, "startup.db")
    traffic = Traffic(port, "st", pause=0.002)
    traffic.start()
    time.sleep(0.3)
    proc = start_capture(port, db, ["--workers", "2"])
    ok = wait_ready(proc, db, port, what, "s")
    ready = time.monotonic()
    time.sleep(1.0)
    traffic.halt.set()
    traffic.join(10)
    rc, err = finish(proc, signal.SIGINT, what)
    if not ok:
        return
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
    twice = rows(db, "SELECT request_id, count(*) FROM transactions WHERE request_id"
                     " LIKE 'st-%' GROUP BY request_id HAVING count(*) > 1")
    check(not twice, "%s: stored twice: %r" % (what, twice[:5]))
    stored = set(r[0] for r in rows(db, "SELECT request_id FROM transactions"))
    after = [rid for rid, t, _ in traffic.done if t > ready]
    missing = [rid for rid in after if rid not in stored]
    check(len(after) > 50 and not missing, "%s: %d of %d requests begun after it was ready"
          " are missing: %r" % (what, len(missing), len(after), missing[:5]))
    check_sums(db, 1, what, 2)


# ---- 5. --count ----

def test_count(tmp, port):
    what = "capture --workers 2 --count 40"
    db = os.path.join(tmp, "count.db")
    proc = start_capture(port, db, ["--workers", "2", "--count", "40"])
    deadline = time.monotonic() + 10
    n = 0
    while proc.poll() is None and time.monotonic() < deadline:
        n += 1
        get(port, "/count-%d" % n, timeout=2)
        time.sleep(0.05)
    ended = proc.poll() is not None
    rc, err = finish(proc, None if ended else signal.SIGINT, what)
    check(ended and rc == 0, "%s: exit %s, %s" % (what, rc, "ended by itself" if ended
                                                  else "still running after 10 s"))
    cap = try_query(db, "SELECT packets, finished_ns FROM captures") or []
    check(len(cap) == 1 and cap[0][0] == 40 and cap[0][1] is not None,
          "%s: captures (packets, finished_ns) %r" % (what, cap))
    if cap:
        check_sums(db, 1, what, 2)


# ---- 6. the status line ----

def test_status_line(tmp, port):
    what = "capture --workers 2 (status line on a terminal)"
    db = os.path.join(tmp, "status.db")
    master, slave = pty.openpty()
    args = [HTTPCAP, "capture", "-i", "lo", "-f", "tcp port %d" % port, "-o", db,
            "--workers", "2", "--duration", "3.5"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave)
    started.append(proc)
    os.close(slave)
    t_end = time.monotonic() + 8
    out = b""
    n = 0
    while time.monotonic() < t_end:
        if n < 40:
            n += 1
            get(port, "/status-%d" % n, timeout=1)
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(5)
    os.close(master)
    text = out.decode(errors="replace")
    check(proc.returncode == 0, "%s: exit %r: %r" % (what, proc.returncode, text[-300:]))
    lines = [x for x in re.split(r"[\r\n]", text) if " pkt/s " in x]
    per = [re.findall(r" w(\d+) (\d+)/(\d+)/(\d+)", x) for x in lines]
    check(lines and all([p[0] for p in ws] == ["0", "1"] for ws in per),
          "%s: status lines without w0 and w1: %r" % (what, lines[-3:]))
    if lines:
        total = re.match(r"\s*\d+ s  (\d+) packets  (\d+) transactions", lines[-1])
        ws = per[-1]
        check(total and len(ws) == 2 and sum(int(p[1]) for p in ws) == int(total.group(1))
              and sum(int(p[2]) for p in ws) == int(total.group(2)),
              "%s: the workers' packets/transactions do not add up: %r" % (what, lines[-1]))
        print("  %s: %s" % (what, lines[-1].strip()))
    check("(2 workers)" in text, "%s: summary without '(2 workers)': %r" % (what, text[-300:]))


# ---- 7. -Z ----

def test_privdrop(tmp, port):
    what = "capture --workers 2 -Z nobody"
    got = nobody_dir(tmp, what)
    if got is None:
        return
    nobody, zdir = got
    db = os.path.join(zdir, "z.db")
    proc = start_ready(port, db, what, "z", ["--workers", "2", "-Z", "nobody"])
    if proc is None:
        return
    uid = proc_ids(proc.pid).get("Uid")
    check(uid == [nobody.pw_uid] * 4, "%s: Uid %r, want nobody's" % (what, uid))
    codes = [get(port, "/z-%d" % i, "z-%d" % i) for i in range(20)]
    check(codes == [200] * 20, "%s: requests %r" % (what, codes))
    time.sleep(0.5)
    rc, err = finish(proc, signal.SIGINT, what)
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
    n = rows(db, "SELECT count(*) FROM transactions WHERE request_id LIKE 'z-%'")[0][0]
    check(n == 20, "%s: %d of 20 exchanges stored" % (what, n))
    check_sums(db, 1, what, 2)


def skip_live(why):
    print("skipped: " + why)


def run_part(test, *args):
    """Run one part; "ok NAME" or "FAIL NAME" after it, by whether a check failed."""
    before = counts["failed"]
    try:
        test(*args)
    except Exception as e:  # one broken part must not hide the others
        check(False, "%s: %s: %s" % (test.__name__, type(e).__name__, e))
    print("%s %s" % ("ok" if counts["failed"] == before else "FAIL", test.__name__))


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-workers-")
    try:
        run_part(test_usage, tmp)
        if os.geteuid() != 0:
            skip_live("live captures need root")
            return report()
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                  "all_proxy"):
            os.environ.pop(k, None)
        server = Server(("127.0.0.1", 0), Handler)
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        t0 = time.monotonic()
        try:
            for test in (test_many, test_one_then_three, test_startup, test_count,
                         test_status_line, test_privdrop):
                run_part(test, tmp, port)
        finally:
            for p in started:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            STOP.set()
            server.shutdown()
            server.server_close()
        print("(%.1f s)" % (time.monotonic() - t0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
