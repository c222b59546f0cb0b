#!/usr/bin/env python3
"""test_cli.py - what every command promises a shell script (README "Usage", the EXIT
STATUS of src/httpcap.1): `httpcap --version` names httpcap's version and those of the
libpcap, llhttp and SQLite it runs with; every command exits 0 on success, 1 on an input
or runtime error (one "httpcap: ..." line on stderr) and 2 on a usage error (the usage on
stderr, nothing written); --help goes to stdout with status 0.
Prints "N passed, N failed[, N skipped]"."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, ROOT, SAMPLE, check, counts, query, sane

skipped = [0]


def skip(what):
    skipped[0] += 1
    print("skipped: " + what)


def run(args, cwd=None):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, text=True, timeout=60, cwd=cwd)
    sane(res, " ".join(args))
    return res


def command_output(argv):
    """stdout of argv, or None when the program is missing or fails."""
    if not shutil.which(argv[0]):
        return None
    res = subprocess.run(argv, capture_output=True, text=True)
    return res.stdout.strip() if res.returncode == 0 else None


def upstream(debian_version):
    """1.10.3 of the Debian version 1.10.3-1 (or 8.1.0 of 8.1.0~5.15.0+dfsg1-1)."""
    v = debian_version.split(":")[-1]
    return re.split(r"[-~+]", v)[0]


def test_version():
    res = run(["--version"])
    check(res.returncode == 0 and res.stderr == "", "--version exits 0 quietly")
    lines = res.stdout.splitlines()
    check(len(lines) == 4, "--version prints 4 lines: %r" % res.stdout)
    lines += [""] * 4
    check(run(["version"]).stdout == res.stdout, "`httpcap version` is --version")

    m = re.search(r'#define HTTPCAP_VERSION "([^"]+)"', open(os.path.join(ROOT, "src",
                                                                          "main.c")).read())
    check(m and lines[0] == "httpcap " + m.group(1),
          "line 1 is 'httpcap VERSION' (%s): %r" % (m and m.group(1), lines[0]))

    m = re.match(r"^libpcap version (\d+\.\d+\.\d+)", lines[1])
    check(m, "line 2 is libpcap's pcap_lib_version(): %r" % lines[1])
    want = command_output(["pkg-config", "--modversion", "libpcap"])
    if not want:
        dpkg = command_output(["dpkg-query", "-W", "-f", "${Version}", "libpcap0.8"])
        want = upstream(dpkg) if dpkg else None
    if want and m:
        check(m.group(1) == want, "libpcap %s, the system has %s" % (m.group(1), want))
    elif not want:
        skip("libpcap's version unknown (no pkg-config, no dpkg-query)")

    m = re.match(r"^llhttp (\d+)\.(\d+)\.(\d+)$", lines[2])
    check(m, "line 3 is 'llhttp X.Y.Z': %r" % lines[2])
    mk = re.search(r"^LLHTTP_INC \?= (\S+)", open(os.path.join(ROOT, "Makefile")).read(), re.M)
    header = os.path.join(os.environ.get("LLHTTP_INC", mk.group(1) if mk else ""), "llhttp.h")
    if m and os.path.isfile(header):
        h = open(header).read()
        want = tuple(re.search(r"#define LLHTTP_VERSION_%s (\d+)" % p, h).group(1)
                     for p in ("MAJOR", "MINOR", "PATCH"))
        check(m.groups() == want, "llhttp %s, llhttp.h says %s" % (m.groups(), want))
    elif m:
        skip("llhttp.h not found: llhttp's version not compared")
    dpkg = command_output(["dpkg-query", "-W", "-f", "${Version}", "node-llhttp"])
    if m and dpkg:
        check(".".join(m.groups()) == upstream(dpkg),
              "llhttp %s, node-llhttp is %s" % (".".join(m.groups()), dpkg))

    check(lines[3] == "SQLite " + sqlite3.sqlite_version,
          "line 4 is 'SQLite %s' (the library's): %r" % (sqlite3.sqlite_version, lines[3]))


def test_statuses(tmp):
    db = os.path.join(tmp, "ok.db")
    missing = os.path.join(tmp, "no-such-file")
    fresh = os.path.join(tmp, "never.db")  # a usage error must not create it
    usage = [
        [],
        ["bogus"],
        ["--bogus"],
        ["read"],
        ["read", "--bogus", SAMPLE, "-o", fresh],
        ["read", "-x", SAMPLE, "-o", fresh],
        ["read", SAMPLE, "-o", fresh, "--max-pending", "0"],
        ["read", SAMPLE, "-o", fresh, "--max-uri-bytes", "lots"],
        ["read", SAMPLE, "-o", fresh, "--max-connections"],
        ["capture"],
        ["capture", "--bogus", "-i", "lo", "-o", fresh],
        ["capture", "-i", "lo", "-o", fresh, "--max-pending", "0"],
        ["capture", "-i", "lo", "-o", fresh, "--duration", "0"],
        ["capture", "-i", "lo", "-o", fresh, "--snaplen", "10"],
        ["capture", "-i", "lo", "-o", fresh, "tcp port 80"],
        ["report"],
        ["report", "--bogus", db],
        ["report", "--top", "-1", db],
        ["report", "--format", "xml", db],
        ["report", "--since", "yesterday", db],
        ["rules", "--bogus"],
        ["rules", "parse-error", "obs-fold"],
        ["read", SAMPLE, "-o"],
        ["rules", "--format", "yaml"],
    ]
    runtime = [
        ["read", missing, "-o", fresh],
        ["capture", "-i", "no-such-if0", "-o", os.path.join(tmp, "cap.db"), "--duration", "1"],
        ["report", missing],
        ["rules", "no-such-rule"],
    ]
    res = run(["read", SAMPLE, "-o", db, "-q"])
    check(res.returncode == 0 and res.stderr == "", "read SAMPLE -q exits 0 quietly")
    check(query(db, "SELECT count(*) FROM v_transactions")[0][0] > 0, "read stored rows")
    out = os.path.join(tmp, "r.txt")
    res = run(["report", db, "-o", out])
    check(res.returncode == 0 and os.path.getsize(out) > 0, "report DB -o FILE exits 0")
    check(run(["rules"]).returncode == 0, "rules exits 0")
    check(run(["capture", "--list-interfaces"]).returncode == 0,
          "capture --list-interfaces exits 0")
    for args in usage:
        res = run(args)
        check(res.returncode == 2 and "usage: httpcap" in res.stderr and res.stdout == "",
              "usage error %s: status %d (want 2), usage on stderr: %r"
              % (args, res.returncode, res.stderr[:200]))
        first = res.stderr.splitlines()[0] if res.stderr else ""
        check(first.startswith("httpcap: "), "usage error %s: first line is httpcap's own: %r"
              % (args, first))
        if "--bogus" in args:
            check("'--bogus'" in first, "usage error %s names the option: %r" % (args, first))
    check(not os.path.exists(fresh), "a usage error writes no database")
    for args in runtime:
        res = run(args)
        first = res.stderr.splitlines()[0] if res.stderr else ""
        check(res.returncode == 1 and first.startswith("httpcap: ") and "usage:" not in
              res.stderr, "runtime error %s: status %d (want 1): %r"
              % (args, res.returncode, res.stderr[:200]))
    for args in (["--help"], ["-h"], ["help"], ["read", "--help"], ["read", "-h"],
                 ["capture", "--help"], ["report", "--help"], ["rules", "--help"],
                 ["rules", "-h"]):
        res = run(args)
        check(res.returncode == 0 and res.stdout.startswith("usage: httpcap") and
              res.stderr == "", "%s: usage on stdout, status 0 (%d)" % (args, res.returncode))


def main():
    test_version()
    tmp = tempfile.mkdtemp(prefix="httpcap-cli-")
    try:
        test_statuses(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    print(line + (", %d skipped" % skipped[0] if skipped[0] else ""))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
