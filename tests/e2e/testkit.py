"""testkit.py - what the end-to-end Python tests share: where things are, a CHECK that
counts and prints failures, and the closing "N passed, N failed" line."""
import os
import socket
import sqlite3
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
HTTPCAP = os.path.abspath(os.environ.get("HTTPCAP", os.path.join(ROOT, "httpcap")))
SAMPLE = os.path.join(ROOT, "samples", "loopback-mixed.pcap")
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))

counts = {"passed": 0, "failed": 0}


def check(cond, what):
    """Count one assertion; print what failed."""
    if cond:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print("FAILED: " + what)


def sane(res, what):
    """Check that a finished httpcap run printed no sanitizer report."""
    err = res.stderr if isinstance(res.stderr, str) else res.stderr.decode(errors="replace")
    check("Sanitizer" not in err and "runtime error" not in err and res.returncode != 86,
          "%s: sanitizer report: %s" % (what, err[:2000]))


def run_utc(args):
    """Run httpcap with args in UTC and the C locale, checked for sanitizer reports;
    returns the finished process (stdout and stderr as bytes)."""
    res = subprocess.run([HTTPCAP] + args, capture_output=True,
                         env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    sane(res, " ".join(args))
    return res


def free_port():
    """A loopback TCP port nothing listens on (just bound and closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def query(db, sql):
    """All rows of one SQL statement on the database file db."""
    con = sqlite3.connect(db)
    rows = con.execute(sql).fetchall()
    con.close()
    return rows


def report(skipped=0):
    """Print the closing line ("N passed, N failed[, N skipped]") and return the exit
    status."""
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    print(line + (", %d skipped" % skipped if skipped else ""))
    return 1 if counts["failed"] else 0
