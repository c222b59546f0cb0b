#!/usr/bin/env python3
"""test_progress.py - the progress line of `httpcap read`: on a terminal (a pty from
util-linux `script`) a generated capture that takes a second or more shows redrawn lines
"[####    ]  45%  95/211 MB  52.3 MB/s  71234 transactions  0:02 left" (bytes of the total
over all files; bytes and rate only from stdin), at most ~10 a second, never wider than
the terminal, erased before the summary line that ends the output. With stderr to a file,
or with -q, there is no progress text at all. Prints "N passed, N failed[, N skipped]"."""
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from testkit import HTTPCAP, ROOT, check, counts

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
GENLOAD = os.path.join(BUILD, "tests", "genload")
SANITIZED = "sanitize" in BUILD
BAR = re.compile(r"\[[# ]{16}\] +(\d+)%  (\d+)/(\d+) MB  [0-9.]+ MB/s  \d+ transactions"
                 r"(  \d+:\d\d left)?")
NO_TOTAL = re.compile(r"^(\d+) MB  [0-9.]+ MB/s  \d+ transactions$")
SUMMARY = re.compile(r"^httpcap: \S+: capture 1: \d+ packets, \d+ connections, "
                     r"\d+ transactions in [0-9.]+ s$")


def on_pty(command):
    """Run a shell command on a pty (stdin, stdout and stderr); its output and seconds."""
    t0 = time.monotonic()
    res = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                         stdin=subprocess.DEVNULL, env=dict(os.environ, COLUMNS="80"))
    out = res.stdout.decode(errors="replace")
    check("Sanitizer" not in out and "runtime error" not in out,
          "%s: sanitizer report: %s" % (command, out[-2000:]))
    return out, time.monotonic() - t0


def pieces(out):
    """What the terminal was told, split at each \\r and \\n, without the blanks that pad
    over a longer line before; blank pieces (the erased line) left out."""
    return [p.rstrip(" ") for p in re.split(r"[\r\n]", out) if p.strip()]


def check_bar_run(out, secs, what):
    """Redrawn progress lines, then the summary as the last thing printed."""
    drawn = pieces(out)
    bars = [BAR.match(p) for p in drawn[:-1]]
    check(len(bars) >= 2 and all(bars), "%s: %d pieces before the summary, not all progress "
          "lines: %r" % (what, len(bars), [p for p, m in zip(drawn, bars) if not m][:3]))
    check(len(bars) <= secs * 10 + 3, "%s: %d redraws in %.1f s" % (what, len(bars), secs))
    check(drawn and SUMMARY.match(drawn[-1]), "%s: ends with the summary: %r" % (what, drawn[-1:]))
    check(out.rstrip("\r\n").endswith(drawn[-1]) and re.search(r"\r +\r" + re.escape(drawn[-1]), out),
          "%s: the progress line is erased before the summary: %r" % (what, out[-300:]))
    check(all(len(p) < 80 for p in drawn[:-1]), "%s: a line wider than the terminal" % what)
    pct = [int(m.group(1)) for m in bars if m]
    check(pct == sorted(pct) and all(0 <= p <= 100 for p in pct), "%s: percentages %r" % (what, pct))
    return pct


def halves(src, a, b):
    """The packets of the nanosecond pcap src in two files (records cut at a boundary)."""
    data = open(src, "rb").read()
    off, cut = 24, 0
    while off + 16 <= len(data) and off < len(data) // 2:
        cut = off
        off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
    open(a, "wb").write(data[:cut])
    open(b, "wb").write(data[:24] + data[cut:])


def main():
    if not shutil.which("script"):
        print("skipped: script (util-linux) is not installed")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    tmp = tempfile.mkdtemp()
    try:
        run_all(tmp)
    finally:
        shutil.rmtree(tmp)
    print("%d passed, %d failed" % (counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


def long_capture(tmp, cap):
    """Generate cap, doubling its size until one quiet read of it takes a second (redraws
    need 0.5 s), up to 1.6 GB: a fixed size took 0.8-0.9 s once and 0.48 s after the
    reading got faster. Returns the seconds of the last quiet read."""
    size_mb = 40 if SANITIZED else 200
    db = os.path.join(tmp, "probe.db")
    while True:
        subprocess.run([GENLOAD, cap, "--bytes", "%dM" % size_mb, "--concurrent", "1000",
                        "--seed", "9"], check=True, capture_output=True)
        t0 = time.monotonic()
        subprocess.run([HTTPCAP, "read", "-q", cap, "-o", db], check=True,
                       capture_output=True)
        secs = time.monotonic() - t0
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        if secs >= 1.0 or size_mb * 2 > 1600:
            return secs
        size_mb *= 2


def run_all(tmp):
    cap = os.path.join(tmp, "load.pcap")
    print("the capture: %.2f s for a quiet read" % long_capture(tmp, cap))
    q = shlex.quote
    db = lambda name: q(os.path.join(tmp, name))
    httpcap = q(HTTPCAP)

    out, secs = on_pty("%s read %s -o %s" % (httpcap, q(cap), db("a.db")))
    print("one file: %.2f s on the pty" % secs)
    check(secs >= 0.5, "the capture takes long enough for redraws (%.2f s)" % secs)
    pct = check_bar_run(out, secs, "one file")
    check(bool(re.search(r" \d+:\d\d left", out)), "time left shown: %r" % out[:300])

    a, b = os.path.join(tmp, "a.pcap"), os.path.join(tmp, "b.pcap")
    halves(cap, a, b)
    out, secs = on_pty("%s read %s %s -o %s" % (httpcap, q(a), q(b), db("b.db")))
    pct = check_bar_run(out, secs, "two files")
    total = os.path.getsize(a) + os.path.getsize(b)
    m = BAR.search(out)
    check(m and int(m.group(3)) == round(total / 1e6), "total is both files: %r, %d bytes"
          % (m and m.group(0), total))
    check(pct and pct[-1] >= 60, "bytes add up over the files: last %r" % pct[-1:])

    out, secs = on_pty("%s read - -o %s < %s" % (httpcap, db("c.db"), q(cap)))
    drawn = pieces(out)
    check(len(drawn) >= 3 and all(NO_TOTAL.match(p) for p in drawn[:-1]),
          "stdin: bytes and rate only: %r" % drawn[:3])
    check(drawn and SUMMARY.match(drawn[-1]), "stdin: ends with the summary: %r" % drawn[-1:])

    err = os.path.join(tmp, "err.txt")
    out, secs = on_pty("%s read %s -o %s 2>%s" % (httpcap, q(a), db("d.db"), q(err)))
    text = open(err).read()
    check(out == "" and SUMMARY.match(text.rstrip("\n")) and text.count("\n") == 1
          and "\r" not in text, "stderr to a file: the summary alone: %r %r" % (out, text[:300]))

    out, secs = on_pty("%s read -q %s -o %s" % (httpcap, q(a), db("e.db")))
    check(out == "", "-q on a terminal: nothing at all: %r" % out[:300])


if __name__ == "__main__":
    sys.exit(main())
