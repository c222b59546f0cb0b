#!/usr/bin/env python3
"""test_pg_live.py - `httpcap capture -o postgresql://...` on the loopback interface while
the PostgreSQL server goes away and comes back. A threaded HTTP server of this script
answers curl, one request per connection with a unique X-Request-ID, all along:
 1. the server is stopped (pg_ctl stop -m fast) in the middle of the capture and started
    again: the capture goes on, says once that the server is gone and once that it is
    back, and after SIGINT (exit 0) every exchange curl completed is in PostgreSQL exactly
    once, and the spool is empty;
 2. the server is stopped and still down when the capture ends: exit 1 with one line
    naming the spool and the `httpcap push` command; after the server is back, that push
    loads the rest: every exchange curl completed is in PostgreSQL exactly once;
 3. --workers 2 into PostgreSQL: every exchange of three curl loops exactly once, one
    capture_workers row per worker, their transactions adding up to the capture's.
Needs root and curl, and the cluster of tests/pg_cluster.sh ("skipped" otherwise).
Prints "N passed, N failed[, N skipped]"."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import pgkit
from livekit import EchoHandler as Handler
from livekit import Server, Traffic
from testkit import HTTPCAP, check, report, sane


def start_capture(port, url, spool, env, extra=()):
    return subprocess.Popen([HTTPCAP, "capture", "-i", "lo", "-f", "tcp port %d" % port, "-o",
                             url, "--spool", spool, "--sensor", "live"] + list(extra), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stored(c, db, prefix):
    """{request_id: times stored} of the exchanges with that prefix in PostgreSQL."""
    rows = pgkit.psql(c, db, "SELECT request_id, count(*) FROM transactions WHERE request_id"
                             " LIKE '%s-%%' GROUP BY request_id" % prefix)
    return {r[0]: int(r[1]) for r in rows}


def wait_stored(c, db, rid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if pgkit.psql(c, db, "SELECT 1 FROM transactions WHERE request_id = '%s'" % rid):
                return True
        except RuntimeError:
            pass
        time.sleep(0.2)
    return False


def wait_ready(c, db, port, proc, tag, what):
    """Probe with curl until a probe reaches PostgreSQL: the capture sees traffic."""
    deadline = time.monotonic() + 20
    n = 0
    while time.monotonic() < deadline and proc.poll() is None:
        n += 1
        subprocess.run(["curl", "-s", "--noproxy", "*", "--max-time", "2", "-o", "/dev/null",
                        "-H", "X-Request-ID: probe%s-%d" % (tag, n),
                        "http://127.0.0.1:%d/probe" % port], capture_output=True)
        if wait_stored(c, db, "probe%s-%d" % (tag, n), 1.5):
            return True
    check(False, "%s: no probe reached PostgreSQL within 20 s" % what)
    return False


def exactly_once(c, db, traffic, what):
    got = stored(c, db, traffic.prefix)
    missing = [r for r in traffic.ids() if r not in got]
    twice = {r: n for r, n in got.items() if n != 1}
    check(len(traffic.done) > 50, "%s: curl made %d exchanges" % (what, len(traffic.done)))
    check(not missing, "%s: %d of %d exchanges missing from PostgreSQL: %r"
          % (what, len(missing), len(traffic.done), missing[:5]))
    check(not twice, "%s: stored more than once: %r" % (what, list(twice.items())[:5]))


def finish(proc, what):
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        check(False, "%s: still running 60 s after SIGINT" % what)
    sane(type("R", (), {"stderr": err, "returncode": proc.returncode})(), what)
    return proc.returncode, err.decode(errors="replace")


def spool_rows(path):
    con = sqlite3.connect(path)
    n = con.execute("SELECT (SELECT count(*) FROM transactions) +"
                    " (SELECT count(*) FROM connections)").fetchone()[0]
    con.close()
    return n


def start_with_traffic(c, port, tmp, env, db, tag, what):
    """A capture into a new database db whose probes reach PostgreSQL, and curl looping
    with ids r<tag>-N whose first exchanges are stored: (proc, url, spool, traffic), or
    None after ending a capture that never got ready."""
    url = pgkit.new_database(c, db)
    spool = os.path.join(tmp, tag + ".spool")
    proc = start_capture(port, url, spool, env)
    if not wait_ready(c, db, port, proc, tag, what):
        finish(proc, what)
        return None
    traffic = Traffic(port, "r" + tag, pause=0.02, use_curl=True)
    traffic.start()
    check(wait_stored(c, db, "r%s-2" % tag, 10), "%s: rows reach PostgreSQL" % what)
    return proc, url, spool, traffic


def test_reconnect(c, port, tmp, env):
    what = "capture, server stopped and started again"
    started_ = start_with_traffic(c, port, tmp, env, "live_a", "a", what)
    if started_ is None:
        return
    proc, url, spool, traffic = started_
    try:
        pgkit.server(c, "pause")
        time.sleep(4)
        check(proc.poll() is None, "%s: the capture goes on while the server is down" % what)
        pgkit.server(c, "resume")
        time.sleep(4)
    finally:
        traffic.halt.set()
        traffic.join()
    time.sleep(0.5)
    rc, err = finish(proc, what)
    check(rc == 0, "%s: exit %d %r" % (what, rc, err))
    check(err.count("capturing on into") == 1 and err.count("reachable again") == 1,
          "%s: one line when the server goes, one when it is back: %r" % (what, err))
    exactly_once(c, "live_a", traffic, what)
    check(spool_rows(spool) == 0, "%s: the spool is empty" % what)


def test_down_at_end(c, port, tmp, env):
    what = "capture ending while the server is down"
    started_ = start_with_traffic(c, port, tmp, env, "live_b", "b", what)
    if started_ is None:
        return
    proc, url, spool, traffic = started_
    try:
        pgkit.server(c, "pause")
        time.sleep(3)
    finally:
        traffic.halt.set()
        traffic.join()
    time.sleep(0.5)
    try:
        rc, err = finish(proc, what)
    finally:
        pgkit.server(c, "resume")
    check(rc == 1, "%s: exit %d" % (what, rc))
    last = err.strip().splitlines()[-1] if err.strip() else ""
    check("httpcap push %s %s" % (spool, url) in last and "kept in " + spool in last,
          "%s: the last line names the spool and the push command: %r" % (what, err))
    check(spool_rows(spool) > 0, "%s: the spool holds the rows" % what)
    res = subprocess.run([HTTPCAP, "push", spool, url], capture_output=True, env=env)
    sane(res, "push " + spool)
    check(res.returncode == 0, "%s: push: %r" % (what, res.stderr))
    exactly_once(c, "live_b", traffic, what)


def test_workers(c, port, tmp, env):
    what = "capture --workers 2 into PostgreSQL"
    url = pgkit.new_database(c, "live_w")
    spool = os.path.join(tmp, "w.spool")
    proc = start_capture(port, url, spool, env, ["--workers", "2"])
    if not wait_ready(c, "live_w", port, proc, "w", what):
        finish(proc, what)
        return
    traffic = [Traffic(port, "rw%d" % i, pause=0.02, use_curl=True) for i in range(3)]
    for t in traffic:
        t.start()
    time.sleep(4)
    for t in traffic:
        t.halt.set()
        t.join()
    time.sleep(0.5)
    rc, err = finish(proc, what)
    check(rc == 0, "%s: exit %d %r" % (what, rc, err))
    for t in traffic:
        exactly_once(c, "live_w", t, "%s (%s)" % (what, t.prefix))
    rows = pgkit.psql(c, "live_w", "SELECT w.worker, w.transactions, c.transactions FROM"
                                   " capture_workers w JOIN captures c ON c.id = w.capture_id"
                                   " ORDER BY w.worker")
    check([r[0] for r in rows] == ["0", "1"], "%s: one capture_workers row per worker: %r"
          % (what, rows))
    check(rows and sum(int(r[1]) for r in rows) == int(rows[0][2]),
          "%s: the workers' transactions add up to the capture's: %r" % (what, rows))
    check(spool_rows(spool) == 0, "%s: the spool is empty" % what)


def main():
    if os.geteuid() != 0:
        return pgkit.skip_all("httpcap capture needs root")
    if not shutil.which("curl"):
        return pgkit.skip_all("no curl")
    c = pgkit.cluster()
    if not c:
        return pgkit.skip_all("no PostgreSQL cluster (tests/pg_cluster.sh)")
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="httpcap-pglive-")
    env = pgkit.client_env(c)
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(k, None)
    try:
        for test in (test_reconnect, test_down_at_end, test_workers):
            try:
                test(c, port, tmp, env)
            except Exception as e:  # one broken part must not hide the other
                check(False, "%s: %s: %s" % (test.__name__, type(e).__name__, e))
                try:
                    pgkit.server(c, "resume")
                except RuntimeError:
                    pass
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
