#!/usr/bin/env python3
"""test_capture.py - `httpcap capture` on the loopback interface, end to end, against an
HTTP/1.1 server of this script (keep-alive, HEAD, POST with Expect: 100-continue, a slow
response, a request never answered) on a free port of 127.0.0.1:
 1. curl's GET / (200), GET /missing (404), HEAD /, POST with Expect: 100-continue, and
    two requests on one keep-alive connection, then SIGINT: exit 0, every request in
    v_transactions with its method, uri, status, request ID and ttfb_ms > 0; the
    captures row has packets > 0, finished_ns, kernel_drops and interface_drops;
 2. SIGINT in the middle of a slow response: it is stored truncated, a request never
    answered is stored unanswered, the earlier exchanges are all there; SIGKILL during
    steady traffic (--commit-interval 200): the database passes PRAGMA integrity_check
    and holds every exchange that ended more than 1 s before the kill;
 3. a concurrent reader (python sqlite3 with a 0.1 s timeout, and the sqlite3 shell)
    sees the count grow during the capture and never gets "database is locked";
 4. -Z nobody: the process runs as nobody and still stores rows; --write-pcap F: `httpcap
    read F` gives the same (method, uri, status) list;
 5. errors: an unknown interface and a bad filter exit 1 with one line naming them, usage
    errors exit 2, --list-interfaces lists lo;
 6. --duration and --count end the capture by themselves with exit 0.
Needs root (skipped otherwise) and curl. Env: HTTPCAP. Prints "N passed, N failed"."""
import http.server
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from livekit import (Server, Traffic, db_rows, finish, get, nobody_dir, proc_ids, start_capture,
                     start_ready, started, try_query)
from testkit import HTTPCAP, check, report, sane

STOP = threading.Event()  # set at the end: releases the slow and hanging handlers
SLOW_LENGTH = 100000
SLOW_SENT = 10


class Handler(http.server.BaseHTTPRequestHandler):
    """GET /missing: 404; GET /slow: Content-Length 100000, 10 bytes, then nothing for
    30 s; GET /hang: no response for 30 s; GET anything else: 200; HEAD: 200 without a
    body; POST: 201 (Expect: 100-continue answered by http.server). X-Request-ID is
    echoed."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body, head=False):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        rid = self.headers.get("X-Request-ID")
        if rid:
            self.send_header("X-Request-ID", rid)
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/missing":
            self.reply(404, b"not found\n")
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(SLOW_LENGTH))
            self.end_headers()
            self.wfile.write(b"s" * SLOW_SENT)
            self.wfile.flush()
            STOP.wait(30)
            self.close_connection = True
        elif self.path == "/hang":
            STOP.wait(30)
            self.close_connection = True
        else:
            self.reply(200, ("hello %s\n" % self.path).encode())

    def do_HEAD(self):
        self.reply(200, ("hello %s\n" % self.path).encode(), head=True)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n)
        self.reply(201, ("got %d bytes\n" % len(data)).encode())


def curl(args, what):
    res = subprocess.run(["curl", "-sS", "--noproxy", "*", "-o", "/dev/null",
                          "-w", "%{http_code}\\n"] + args, capture_output=True, timeout=20)
    check(res.returncode == 0, "%s: curl exit %d: %r" % (what, res.returncode, res.stderr))
    return res.stdout.decode().split()


def test_basic(tmp, port):
    what = "capture (1: curl set)"
    db = os.path.join(tmp, "basic.db")
    proc = start_ready(port, db, what, "b")
    if proc is None:
        return
    base = "http://127.0.0.1:%d" % port
    codes = curl(["-H", "X-Request-ID: c1-get", base + "/"], "GET /")
    codes += curl(["-H", "X-Request-ID: c1-missing", base + "/missing"], "GET /missing")
    codes += curl(["-I", "-H", "X-Request-ID: c1-head", base + "/"], "HEAD /")
    codes += curl(["-H", "X-Request-ID: c1-post", "-H", "Expect: 100-continue",
                   "--expect100-timeout", "5", "--data-binary", "p" * 5000,
                   base + "/upload"], "POST /upload")
    codes += curl(["-H", "X-Request-ID: c1-ka", base + "/ka1", "-o", "/dev/null", base + "/ka2"],
                  "keep-alive")
    check(codes == ["200", "404", "200", "201", "200", "200"],
          "%s: curl saw %r" % (what, codes))
    time.sleep(0.3)
    rc, took, err = finish(proc, signal.SIGINT, what)
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
    check(took < 5, "%s: exit took %.1f s after SIGINT" % (what, took))

    rows = db_rows(db, "SELECT request_id, method, uri, status, ttfb_ms, interim, flags,"
                       " connection_id, seq, request_body_bytes FROM v_transactions"
                       " WHERE uri NOT LIKE '/ready-%' ORDER BY id")
    got = sorted((r[1], r[2], r[3], r[0]) for r in rows)
    want = sorted([("GET", "/", 200, "c1-get"), ("GET", "/missing", 404, "c1-missing"),
                   ("HEAD", "/", 200, "c1-head"), ("POST", "/upload", 201, "c1-post"),
                   ("GET", "/ka1", 200, "c1-ka"), ("GET", "/ka2", 200, "c1-ka")])
    check(got == want, "%s: (method, uri, status, request_id) %r, want %r" % (what, got, want))
    for r in rows:
        check(r[4] is not None and r[4] > 0, "%s: %s %s ttfb_ms %r" % (what, r[1], r[2], r[4]))
        check(r[6] == "", "%s: %s %s flags %r" % (what, r[1], r[2], r[6]))
    post = [r for r in rows if r[1] == "POST"]
    if post:
        check(post[0][5] == "100", "%s: POST interim %r, want '100'" % (what, post[0][5]))
        check(post[0][9] == 5000, "%s: POST request_body_bytes %r" % (what, post[0][9]))
    ka = {r[2]: (r[7], r[8]) for r in rows if r[2] in ("/ka1", "/ka2")}
    if len(ka) == 2:
        check(ka["/ka1"][0] == ka["/ka2"][0] and (ka["/ka1"][1], ka["/ka2"][1]) == (1, 2),
              "%s: keep-alive pair not seq 1, 2 on one connection: %r" % (what, ka))
    others = [r for r in rows if r[2] not in ("/ka1", "/ka2")]
    check(len(set(r[7] for r in others)) == len(others),
          "%s: separate curl runs share connections: %r" % (what, others))

    cap = db_rows(db, "SELECT source, filter, packets, finished_ns, started_ns, kernel_drops,"
                      " interface_drops, transactions, link_type_name, id FROM captures")
    check(len(cap) == 1, "%s: %d captures rows" % (what, len(cap)))
    if cap:
        c = cap[0]
        check(c[0] == "lo" and c[1] == "tcp port %d" % port,
              "%s: source %r, filter %r" % (what, c[0], c[1]))
        check(c[2] > 20, "%s: packets %r" % (what, c[2]))
        check(c[3] is not None and c[4] is not None and c[3] >= c[4]
              and abs(c[3] / 1e9 - time.time()) < 60,
              "%s: started_ns %r, finished_ns %r" % (what, c[4], c[3]))
        check(c[5] is not None and c[6] is not None,
              "%s: kernel_drops %r, interface_drops %r" % (what, c[5], c[6]))
        n = db_rows(db, "SELECT count(*) FROM transactions WHERE capture_id = %d" % c[9])[0][0]
        check(c[7] == n, "%s: captures.transactions %r, table %d" % (what, c[7], n))
    ic = db_rows(db, "PRAGMA integrity_check")
    check(ic == [("ok",)], "%s: integrity_check %r" % (what, ic))


def recv_until(sock, want, what):
    """Read from sock until want(data) or 5 s."""
    data = b""
    sock.settimeout(5)
    try:
        while not want(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        check(False, "%s: %s" % (what, e))
    return data


def test_sigint_slow(tmp, port):
    what = "capture (2: SIGINT during a slow response)"
    db = os.path.join(tmp, "slow.db")
    proc = start_ready(port, db, what, "s")
    if proc is None:
        return
    before = [get(port, "/before-%d" % i, "before-%d" % i) for i in range(1, 4)]
    check(before == [200, 200, 200], "%s: the requests before: %r" % (what, before))
    slow = socket.create_connection(("127.0.0.1", port), timeout=5)
    slow.sendall(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: slow-1\r\n\r\n")
    data = recv_until(slow, lambda d: b"\r\n\r\n" in d and
                      len(d.split(b"\r\n\r\n", 1)[1]) >= SLOW_SENT, what + " /slow")
    check(data.startswith(b"HTTP/1.1 200") and data.endswith(b"s" * SLOW_SENT),
          "%s: the slow response began: %r" % (what, data[:200]))
    hang = socket.create_connection(("127.0.0.1", port), timeout=5)
    hang.sendall(b"GET /hang HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: hang-1\r\n\r\n")
    time.sleep(0.6)
    rc, took, err = finish(proc, signal.SIGINT, what)
    slow.close()
    hang.close()
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
    check(took < 5, "%s: exit took %.1f s after SIGINT with open connections" % (what, took))

    rows = db_rows(db, "SELECT request_id, method, uri, status, flags, response_body_bytes,"
                       " connection_id FROM v_transactions WHERE uri NOT LIKE '/ready-%'")
    by_rid = {r[0]: r for r in rows}
    for i in range(1, 4):
        r = by_rid.get("before-%d" % i)
        check(r is not None and r[1:5] == ("GET", "/before-%d" % i, 200, ""),
              "%s: before-%d stored as %r" % (what, i, r))
    r = by_rid.get("slow-1")
    check(r is not None and r[1:4] == ("GET", "/slow", 200),
          "%s: /slow stored as %r" % (what, r))
    if r:
        check("truncated" in r[4].split(","), "%s: /slow flags %r, want truncated" % (what, r[4]))
        check(r[5] == SLOW_SENT, "%s: /slow response_body_bytes %r, want %d"
              % (what, r[5], SLOW_SENT))
        end = db_rows(db, "SELECT end_reason FROM connections WHERE id = %d" % r[6])
        check(end == [("end-of-capture",)], "%s: /slow connection end_reason %r" % (what, end))
    r = by_rid.get("hang-1")
    check(r is not None and r[1:3] == ("GET", "/hang") and r[3] is None,
          "%s: /hang not stored unanswered: %r" % (what, r))
    check(len(rows) == 5, "%s: %d transactions, want 5: %r" % (what, len(rows), rows))
    cap = db_rows(db, "SELECT finished_ns, kernel_drops FROM captures")
    check(len(cap) == 1 and cap[0][0] is not None and cap[0][1] is not None,
          "%s: captures %r" % (what, cap))


def test_sigkill(tmp, port):
    what = "capture (2: SIGKILL during traffic)"
    db = os.path.join(tmp, "kill.db")
    proc = start_ready(port, db, what, "k")
    if proc is None:
        return
    traffic = Traffic(port, "kill")
    traffic.start()
    time.sleep(3)
    killed = time.monotonic()
    proc.kill()
    traffic.halt.set()
    traffic.join(10)
    proc.wait(10)
    check(proc.returncode == -signal.SIGKILL, "%s: exit %r" % (what, proc.returncode))
    check(traffic.errors == 0, "%s: %d requests failed" % (what, traffic.errors))
    old = [rid for rid, _, end in traffic.done if end < killed - 1.0]
    check(len(old) >= 20, "%s: only %d requests ended 1 s before the kill" % (what, len(old)))
    try:
        ic = db_rows(db, "PRAGMA integrity_check")
        stored = set(r[0] for r in db_rows(db, "SELECT request_id FROM transactions"))
    except sqlite3.Error as e:
        check(False, "%s: database after kill -9: %s" % (what, e))
        return
    check(ic == [("ok",)], "%s: integrity_check %r" % (what, ic))
    missing = [rid for rid in old if rid not in stored]
    check(not missing, "%s: %d of %d exchanges ended > 1 s before the kill are missing: %r"
          % (what, len(missing), len(old), missing[:10]))


def test_reader(tmp, port):
    what = "capture (3: concurrent reader)"
    db = os.path.join(tmp, "reader.db")
    proc = start_ready(port, db, what, "r")
    if proc is None:
        return
    shell = shutil.which("sqlite3")
    traffic = Traffic(port, "read")
    traffic.start()
    counts, errors = [], []
    t_end = time.monotonic() + 3
    i = 0
    while time.monotonic() < t_end:
        i += 1
        try:
            con = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=0.1)
            counts.append(con.execute("SELECT count(*) FROM transactions").fetchone()[0])
            con.close()
        except sqlite3.Error as e:
            errors.append("python: %s" % e)
        if shell and i % 4 == 0:  # the shell's busy timeout is 0: any lock shows
            res = subprocess.run([shell, db, "SELECT count(*) FROM transactions"],
                                 capture_output=True, timeout=5)
            if res.returncode != 0 or res.stderr:
                errors.append("sqlite3 shell: exit %d %r" % (res.returncode, res.stderr))
            else:
                counts.append(int(res.stdout))
        time.sleep(0.1)
    traffic.halt.set()
    traffic.join(10)
    # no pause: a SIGINT keeps what the kernel had already captured (pipeline drain())
    rc, took, err = finish(proc, signal.SIGINT, what)
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
    check(not errors, "%s: reader errors: %r" % (what, errors[:5]))
    check(len(counts) >= 20, "%s: only %d reads" % (what, len(counts)))
    check(all(a <= b for a, b in zip(counts, counts[1:])),
          "%s: count went down: %r" % (what, counts))
    grew = len(set(counts))
    check(counts and counts[-1] > counts[0] and grew >= 5,
          "%s: count did not grow steadily (%d distinct values): %r" % (what, grew, counts))
    final = db_rows(db, "SELECT count(*) FROM transactions")[0][0]
    check(counts and final >= counts[-1] and final >= len(traffic.done),
          "%s: final count %d, last read %r, requests %d"
          % (what, final, counts[-1:], len(traffic.done)))
    stored = set(r[0] for r in db_rows(db, "SELECT request_id FROM transactions"))
    missing = [rid for rid in traffic.ids() if rid not in stored]
    check(not missing, "%s: %d of %d exchanges missing after SIGINT: %r"
          % (what, len(missing), len(traffic.done), missing[:10]))


def test_privdrop_pcap(tmp, port):
    what = "capture (4: -Z nobody --write-pcap)"
    got = nobody_dir(tmp, what)
    if got is None:
        return
    nobody, zdir = got
    db = os.path.join(zdir, "z.db")
    pcap = os.path.join(zdir, "z.pcap")
    proc = start_ready(port, db, what, "z", ["-Z", "nobody", "--write-pcap", pcap])
    if proc is None:
        return
    ids = proc_ids(proc.pid)
    check(ids.get("Uid") == [nobody.pw_uid] * 4, "%s: Uid %r, want nobody's %d"
          % (what, ids.get("Uid"), nobody.pw_uid))
    check(ids.get("Gid") == [nobody.pw_gid] * 4, "%s: Gid %r, want nobody's %d"
          % (what, ids.get("Gid"), nobody.pw_gid))
    sent = [get(port, "/z-%d" % i, "z-%d" % i) for i in range(1, 6)]
    sent.append(get(port, "/missing", "z-missing"))
    check(sent == [200] * 5 + [404], "%s: requests %r" % (what, sent))
    deadline = time.monotonic() + 3
    n = None
    while time.monotonic() < deadline:  # stored while still running as nobody
        rows = try_query(db, "SELECT count(*) FROM transactions WHERE request_id LIKE 'z-%'")
        n = rows[0][0] if rows else None
        if n == 6:
            break
        time.sleep(0.1)
    check(n == 6, "%s: %r of 6 exchanges stored after the switch to nobody" % (what, n))
    rc, took, err = finish(proc, signal.SIGINT, what)
    check(rc == 0, "%s: exit %d after SIGINT: %r" % (what, rc, err[:500]))
    live = sorted(db_rows(db, "SELECT method, uri, status FROM transactions"))
    check(len(live) >= 7, "%s: %d transactions" % (what, len(live)))
    db2 = os.path.join(tmp, "z-read.db")
    res = subprocess.run([HTTPCAP, "read", pcap, "-o", db2, "-q"], capture_output=True,
                         timeout=30)
    sane(res, "read " + pcap)
    check(res.returncode == 0, "%s: read of the --write-pcap file: exit %d %r"
          % (what, res.returncode, res.stderr[:500]))
    if res.returncode == 0:
        again = sorted(db_rows(db2, "SELECT method, uri, status FROM transactions"))
        check(again == live, "%s: read F gives %r, capture %r" % (what, again, live))


def run_fast(args, what, timeout=15):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, timeout=timeout)
    sane(res, what)
    return res.returncode, res.stdout.decode(errors="replace"), res.stderr.decode(errors="replace")


def one_line(err):
    return err.startswith("httpcap: ") and err.count("\n") == 1 and err.endswith("\n")


def test_errors(tmp, port):
    db = os.path.join(tmp, "err.db")
    rc, out, err = run_fast(["capture", "-i", "no-such-if0", "-o", db, "-q"], "no-such-if0")
    check(rc == 1, "capture -i no-such-if0: exit %d" % rc)
    check(one_line(err) and "no-such-if0" in err,
          "capture -i no-such-if0: one line naming it: %r" % err)
    rc, out, err = run_fast(["capture", "-i", "lo", "-f", "tcp port", "-o", db, "-q"],
                            "bad filter")
    check(rc == 1, "capture -f 'tcp port': exit %d" % rc)
    check(one_line(err) and "filter" in err.lower(),
          "capture -f 'tcp port': one line about the filter: %r" % err)
    rc, out, err = run_fast(["capture", "-i", "lo", "-o", "/nonexistent-dir/x.db", "-q",
                             "--duration", "1"], "database not writable")
    check(rc == 1, "capture -o /nonexistent-dir/x.db: exit %d" % rc)
    check(one_line(err) and "/nonexistent-dir/x.db" in err,
          "capture -o /nonexistent-dir/x.db: one line naming the database: %r" % err)
    rc, out, err = run_fast(["capture", "-i", "lo", "-o", db, "-q", "-Z", "no-such-user-x",
                             "--duration", "1"], "-Z unknown user")
    check(rc == 1 and one_line(err) and "no-such-user-x" in err,
          "capture -Z no-such-user-x: exit %d, %r" % (rc, err))
    rc, out, err = run_fast(["capture", "--list-interfaces"], "--list-interfaces")
    check(rc == 0, "capture --list-interfaces: exit %d %r" % (rc, err))
    names = [line.split()[0] for line in out.splitlines() if line.split()]
    check("lo" in names, "capture --list-interfaces: no line for lo: %r" % out[:500])
    rc, out, err = run_fast(["capture", "-o", db], "no -i")
    check(rc == 2 and err.strip(), "capture without -i: exit %d, %r" % (rc, err[:200]))
    rc, out, err = run_fast(["capture", "-i", "lo", "--no-such-option"], "bad option")
    check(rc == 2, "capture --no-such-option: exit %d" % rc)
    rc, out, err = run_fast(["capture", "-i", "lo", "--duration", "soon"], "bad duration")
    check(rc == 2, "capture --duration soon: exit %d" % rc)


def test_ends_itself(tmp, port):
    what = "capture --duration 1"
    db = os.path.join(tmp, "dur.db")
    t0 = time.monotonic()
    proc = start_capture(port, db, ["--duration", "1"])
    rc, took, err = finish(proc, None, what)
    took = time.monotonic() - t0
    check(rc == 0, "%s: exit %d %r" % (what, rc, err[:300]))
    check(0.9 <= took < 4, "%s: ran %.2f s" % (what, took))
    cap = try_query(db, "SELECT finished_ns - started_ns FROM captures") or []
    check(len(cap) == 1 and cap[0][0] is not None and 0.9e9 <= cap[0][0] < 4e9,
          "%s: captures finished_ns - started_ns %r" % (what, cap))

    what = "capture --count 7"
    db = os.path.join(tmp, "count.db")
    proc = start_capture(port, db, ["--count", "7"])
    deadline = time.monotonic() + 8
    n = 0
    while proc.poll() is None and time.monotonic() < deadline:
        n += 1
        get(port, "/count-%d" % n, timeout=2)
        time.sleep(0.1)
    rc, took, err = finish(proc, signal.SIGINT if proc.poll() is None else None, what)
    check(proc.returncode == 0 and time.monotonic() < deadline,
          "%s: exit %d, %s" % (what, rc, "ended by itself" if time.monotonic() < deadline
                               else "still running after 8 s of traffic"))
    cap = try_query(db, "SELECT packets, finished_ns FROM captures") or []
    check(len(cap) == 1 and cap[0][0] == 7 and cap[0][1] is not None,
          "%s: captures (packets, finished_ns) %r" % (what, cap))


def skip(why):
    print("skipped: " + why)
    print("0 passed, 0 failed, 1 skipped")
    return 0


def main():
    if os.geteuid() != 0:
        return skip("httpcap capture needs root")
    try:
        res = subprocess.run([HTTPCAP, "capture", "--help"], capture_output=True, timeout=10)
        if res.returncode != 0:
            return skip("no `httpcap capture` (capture --help: exit %d)" % res.returncode)
    except OSError as e:
        return skip("cannot run %s: %s" % (HTTPCAP, e))
    if not shutil.which("curl"):
        return skip("no curl")
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
              "all_proxy"):
        os.environ.pop(k, None)
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="httpcap-capture-")
    t0 = time.monotonic()
    try:
        for test in (test_errors, test_basic, test_sigint_slow, test_sigkill, test_reader,
                     test_privdrop_pcap, test_ends_itself):
            try:
                test(tmp, port)
            except Exception as e:  # one broken part must not hide the others
                check(False, "%s: %s: %s" % (test.__name__, type(e).__name__, e))
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
                p.wait()
        STOP.set()
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("(%.1f s)" % (time.monotonic() - t0))
    return report()


if __name__ == "__main__":
    sys.exit(main())
