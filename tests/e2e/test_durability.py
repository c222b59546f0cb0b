#!/usr/bin/env python3
"""test_durability.py - when httpcap waits for the disk (fsync/fdatasync, seen by strace):
 1. `read FILE` into a database it creates (no file, or an empty one), with one thread
    or two: no sync at all (PRAGMA synchronous=OFF: the inputs can be read again), and
    the database is whole (integrity_check ok, every transaction of the sample);
 2. `read FILE` into a database that already held a capture: synced (synchronous=NORMAL:
    a power loss may lose its last commits, never damage what it held), both captures
    there;
 3. `read -` (standard input, which cannot be read again) into a new database: synced.
Without strace it prints "skipped: ...". Env: HTTPCAP.
Prints "N passed, N failed[, N skipped]"."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, SAMPLE, check, query, report, sane

SAMPLE_TXNS = 47  # transactions in samples/loopback-mixed.pcap
SYNC_CALL = re.compile(r"\b(fsync|fdatasync|sync_file_range|syncfs|msync)\(")


def syncs(args, stdin_path=None, what=""):
    """Run httpcap args under strace -f; returns the number of sync calls it made."""
    with tempfile.NamedTemporaryFile(prefix="httpcap-strace-") as log:
        cmd = ["strace", "-f", "-qq", "-o", log.name,
               "-e", "trace=fsync,fdatasync,sync_file_range,syncfs,msync", HTTPCAP] + args
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        # LeakSanitizer cannot run under ptrace; the other tests check for leaks
        asan = os.environ.get("ASAN_OPTIONS", "")
        env = dict(os.environ, TZ="UTC", LC_ALL="C",
                   ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0")
        try:
            res = subprocess.run(cmd, stdin=stdin, capture_output=True, env=env)
        finally:
            if stdin_path:
                stdin.close()
        sane(res, what)
        check(res.returncode == 0, "%s: exit %d: %s" % (what, res.returncode,
                                                        res.stderr[:500]))
        with open(log.name, encoding="utf-8", errors="replace") as f:
            return sum(1 for line in f if SYNC_CALL.search(line))


def whole(db, captures, what):
    """The database passes integrity_check and holds captures x the sample's rows."""
    check(query(db, "PRAGMA integrity_check") == [("ok",)], what + ": integrity_check")
    n = query(db, "SELECT count(*) FROM transactions")[0][0]
    check(n == captures * SAMPLE_TXNS, "%s: %d transactions, want %d" %
          (what, n, captures * SAMPLE_TXNS))


def main():
    if not shutil.which("strace"):
        print("skipped: strace is not installed (apt-get install strace)")
        return report(skipped=1)
    tmp = tempfile.mkdtemp(prefix="httpcap-durability-")
    try:
        db = os.path.join(tmp, "new.db")
        n = syncs(["read", "-q", SAMPLE, "-o", db], what="new database")
        check(n == 0, "read into a new database: %d sync calls, want none" % n)
        whole(db, 1, "new database")

        n = syncs(["read", "-q", SAMPLE, "-o", db], what="existing database")
        check(n > 0, "read into a database that held a capture: no sync call")
        whole(db, 2, "existing database")

        empty = os.path.join(tmp, "empty.db")
        open(empty, "wb").close()
        n = syncs(["read", "-q", "--threads", "2", SAMPLE, "-o", empty],
                  what="empty file, two threads")
        check(n == 0, "read --threads 2 into an empty file: %d sync calls, want none" % n)
        whole(empty, 1, "empty file, two threads")

        piped = os.path.join(tmp, "stdin.db")
        n = syncs(["read", "-q", "-", "-o", piped], stdin_path=SAMPLE,
                  what="standard input")
        check(n > 0, "read - into a new database: no sync call (stdin cannot be read "
                     "again)")
        whole(piped, 1, "standard input")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
