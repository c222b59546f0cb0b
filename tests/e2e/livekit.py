"""livekit.py - what the live-capture tests share (test_capture.py, test_workers.py): a
threaded HTTP server class, starting and ending `httpcap capture -i lo` on one port,
reading its database while it runs, one GET, waiting until the capture stores traffic.
Owns: the list of capture processes started (killed by the caller at the end if still
running)."""
import http.client
import http.server
import os
import pwd
import signal
import socketserver
import sqlite3
import subprocess
import threading
import time
import types

from testkit import HTTPCAP, check, sane

started = []  # capture processes started here, killed by the caller at the end


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """GET anything: 200 with a short body naming the path; X-Request-ID echoed."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = ("hello %s\n" % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        rid = self.headers.get("X-Request-ID")
        if rid:
            self.send_header("X-Request-ID", rid)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512


def start_capture(port, db, extra=(), stderr=subprocess.PIPE):
    args = [HTTPCAP, "capture", "-i", "lo", "-f", "tcp port %d" % port, "-o", db, "-q",
            "--commit-interval", "200"] + list(extra)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr)
    started.append(proc)
    return proc


def finish(proc, sig, what, timeout=10):
    """Send sig (None: just wait) and collect the exit; returns (rc, seconds, stderr)."""
    t0 = time.monotonic()
    if sig is not None and proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        check(False, "%s: still running %d s after the signal" % (what, timeout))
    took = time.monotonic() - t0
    err = err or b""
    sane(types.SimpleNamespace(stderr=err, returncode=proc.returncode), what)
    return proc.returncode, took, err.decode(errors="replace")


def try_query(db, sql, timeout=0.1):
    """Rows of sql, or None when the database does not exist yet, has no tables yet, or
    is busy (never creates the file)."""
    if not os.path.exists(db):
        return None
    try:
        con = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=timeout)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return None


def db_rows(db, sql):
    con = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=5)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def get(port, path, rid=None, timeout=5):
    """One GET on a new connection; returns the status or None."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", path, headers={"X-Request-ID": rid} if rid else {})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except (OSError, http.client.HTTPException):
        return None


def curl_get(port, path, rid, timeout=5):
    """One GET by curl (a real client program); returns the status or None."""
    res = subprocess.run(["curl", "-sS", "--noproxy", "*", "--max-time", str(timeout), "-o",
                          "/dev/null", "-w", "%{http_code}", "-H", "X-Request-ID: " + rid,
                          "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True)
    return int(res.stdout) if res.stdout.isdigit() else None


class Traffic(threading.Thread):
    """GET /PREFIX-N (X-Request-ID: PREFIX-N) on a new connection, then a pause, until
    halt is set: with http.client, or with curl when use_curl. done: (request id,
    monotonic start, monotonic end) of each request answered 200; errors: the others."""

    def __init__(self, port, prefix, pause=0.005, use_curl=False):
        super().__init__(daemon=True)
        self.port, self.prefix, self.pause = port, prefix, pause
        self.fetch = curl_get if use_curl else get
        self.done = []
        self.errors = 0
        self.halt = threading.Event()

    def ids(self):
        return [rid for rid, _, _ in self.done]

    def run(self):
        n = 0
        while not self.halt.is_set():
            n += 1
            rid = "%s-%d" % (self.prefix, n)
            start = time.monotonic()
            if self.fetch(self.port, "/" + rid, rid, timeout=3) == 200:
                self.done.append((rid, start, time.monotonic()))
            else:
                self.errors += 1
            time.sleep(self.pause)


def wait_ready(proc, db, port, what, tag):
    """Probe with GET /ready-TAG-N until one is stored: the capture sees and stores
    traffic. Fails (returns False) when the process exits or after 8 s."""
    deadline = time.monotonic() + 8
    n = 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read()[:500] if proc.stderr else b""
            check(False, "%s: capture exited %d before it was ready: %r"
                  % (what, proc.returncode, err))
            return False
        n += 1
        get(port, "/ready-%s-%d" % (tag, n), timeout=2)
        got = try_query(db, "SELECT count(*) FROM transactions WHERE uri LIKE '/ready-%s-%%'"
                        % tag)
        if got and got[0][0] > 0:
            return True
        time.sleep(0.2)
    check(False, "%s: no probe request stored within 8 s" % what)
    return False


def start_ready(port, db, what, tag, extra=()):
    """A capture that stores traffic (wait_ready), or None after killing one that does not."""
    proc = start_capture(port, db, extra)
    if not wait_ready(proc, db, port, what, tag):
        finish(proc, signal.SIGKILL, what)
        return None
    return proc


def proc_ids(pid):
    """{"Uid": [real, effective, saved, fs], "Gid": [...]} of a running process, {} when
    it is gone."""
    ids = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("Uid:", "Gid:")):
                    ids[line[:3]] = [int(x) for x in line.split()[1:]]
    except OSError:
        pass
    return ids


def nobody_dir(tmp, what):
    """(user nobody's pwd entry, a directory anyone may write to, like /tmp: mkdtemp's is
    root's alone), or None after a failed check when there is no user nobody."""
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        check(False, "%s: no user nobody" % what)
        return None
    zdir = os.path.join(tmp, "z")
    os.mkdir(zdir)
    os.chmod(tmp, 0o755)
    os.chmod(zdir, 0o1777)
    return nobody, zdir
