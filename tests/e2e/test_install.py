#!/usr/bin/env python3
"""test_install.py - `make install` and `make uninstall` with PREFIX and DESTDIR, from the
plain build (./httpcap, never the sanitizer one): the program, the manual page (whose
FILES section names the PREFIX), sql/*.sql and sql/pg/*.sql land where they should with
their modes; the installed program analyses the sample from another directory (its SQL is
built in);
`make uninstall` removes exactly those files, keeps a file of someone else's and leaves
no file behind. Prints "N passed, N failed"."""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, ROOT, SAMPLE, check, query, report, sane


def make(*args):
    """Run make in the repository root, as a user would: not as part of the make that
    runs the tests (its MAKEFLAGS would carry SANITIZE=1 and its jobserver along)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.pop("SANITIZE", None)
    return subprocess.run(["make", "--no-print-directory", "SANITIZE=0"] + list(args), cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)


def files_under(top):
    """Every file (not directory) under top, relative to it."""
    found = []
    for d, _, names in os.walk(top):
        found += [os.path.relpath(os.path.join(d, n), top) for n in names]
    return sorted(found)


def mode(path):
    return oct(os.stat(path).st_mode & 0o777)


def check_installed(dest, prefix, sql_names):
    root = dest + prefix
    binary = os.path.join(root, "bin", "httpcap")
    page = os.path.join(root, "share", "man", "man1", "httpcap.1")
    sqldir = os.path.join(root, "share", "httpcap", "sql")
    want = sorted(["bin/httpcap", "share/man/man1/httpcap.1"]
                  + ["share/httpcap/sql/" + n for n in sql_names])
    got = files_under(root)
    check(got == want, "%s: installed files %s, want %s" % (prefix, got, want))
    check(os.path.isfile(binary) and mode(binary) == "0o755", "%s: bin/httpcap mode 755" % prefix)
    check(os.path.isfile(binary) and filecmp.cmp(binary, os.path.join(ROOT, "httpcap"), False),
          "%s: bin/httpcap is the plain build ./httpcap" % prefix)
    check(os.path.isfile(page) and mode(page) == "0o644", "%s: httpcap.1 mode 644" % prefix)
    for n in sql_names:
        f = os.path.join(sqldir, n)
        check(os.path.isfile(f) and mode(f) == "0o644"
              and filecmp.cmp(f, os.path.join(ROOT, "sql", n), False),
              "%s: share/httpcap/sql/%s is sql/%s, mode 644" % (prefix, n, n))
    if os.path.isfile(page):
        text = open(page).read()
        check(prefix + "/share/httpcap/sql/" in text,
              "%s: the manual page's FILES names %s/share/httpcap/sql/" % (prefix, prefix))
        if prefix != "/usr/local":
            check("/usr/local/" not in text, "%s: the manual page names no /usr/local/" % prefix)
    if shutil.which("man"):
        res = subprocess.run(["man", "-w", "-M", os.path.join(root, "share", "man"), "httpcap"],
                             capture_output=True, text=True)
        check(res.returncode == 0 and res.stdout.strip() == page,
              "%s: man -M finds the installed page: %r %r" % (prefix, res.stdout, res.stderr))
    else:
        print("skipped: man not installed (man -M finds the page)")
    return binary


def run_installed(binary, elsewhere, want_rows):
    """The installed program works from a directory with no sql/ in it."""
    db = os.path.join(elsewhere, "web.db")
    res = subprocess.run([binary, "read", SAMPLE, "-o", "web.db"], cwd=elsewhere,
                         capture_output=True, text=True, timeout=120)
    check(res.returncode == 0 and "transactions" in res.stderr,
          "installed read exits 0 with a summary: %d %r" % (res.returncode, res.stderr))
    if res.returncode == 0:
        rows = query(db, "SELECT count(*) FROM v_transactions")[0][0]
        stored = query(db, "SELECT transactions FROM captures")[0][0]
        check(rows == want_rows and stored == want_rows,
              "installed read stores %d rows (captures says %d), want %d"
              % (rows, stored, want_rows))
        codes = query(db, "SELECT count(*) FROM status_codes")[0][0]
        check(codes > 50, "installed read fills status_codes (%d rows)" % codes)
    res = subprocess.run([binary, "report", "web.db", "--format", "json"], cwd=elsewhere,
                         capture_output=True, text=True, timeout=120)
    check(res.returncode == 0 and '"anomalies"' in res.stdout,
          "installed report runs its built-in SQL: %d %r" % (res.returncode, res.stderr[:300]))
    res = subprocess.run([binary, "rules", "parse-error"], cwd=elsewhere, capture_output=True,
                         text=True)
    check(res.returncode == 0 and res.stdout.startswith("parse-error"), "installed rules")


def main():
    if not os.path.isfile(os.path.join(ROOT, "Makefile")) or not shutil.which("make"):
        print("skipped: no make or Makefile")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    sql_names = sorted(n for n in os.listdir(os.path.join(ROOT, "sql")) if n.endswith(".sql"))
    pg_dir = os.path.join(ROOT, "sql", "pg")
    if os.path.isdir(pg_dir):  # the PostgreSQL schema, installed in sql/pg/
        sql_names += sorted("pg/" + n for n in os.listdir(pg_dir) if n.endswith(".sql"))
    tmp = tempfile.mkdtemp(prefix="httpcap-install-")
    try:
        # the number of rows the program under test stores, to compare the installed one with
        ref = os.path.join(tmp, "ref.db")
        res = subprocess.run([HTTPCAP, "read", "-q", SAMPLE, "-o", ref], capture_output=True)
        sane(res, "read sample")
        want_rows = query(ref, "SELECT count(*) FROM v_transactions")[0][0]
        check(want_rows > 0, "the sample gives rows")

        # PREFIX=/usr into a staging DESTDIR with a space in its name
        dest = os.path.join(tmp, "stage dir")
        os.mkdir(dest)
        res = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
        check(res.returncode == 0, "make install PREFIX=/usr: %s" % (res.stdout + res.stderr)[-800:])
        binary = check_installed(dest, "/usr", sql_names)
        elsewhere = os.path.join(tmp, "elsewhere")
        os.mkdir(elsewhere)
        if os.path.isfile(binary):
            run_installed(binary, elsewhere, want_rows)
        res = make("uninstall", "DESTDIR=" + dest, "PREFIX=/usr")
        check(res.returncode == 0, "make uninstall: %s" % (res.stdout + res.stderr)[-800:])
        left = files_under(dest)
        check(left == [], "make uninstall leaves no file behind: %s" % left)
        check(not os.path.exists(os.path.join(dest, "usr", "share", "httpcap")),
              "make uninstall removes the empty share/httpcap")

        # the default PREFIX, and a file of someone else's in share/httpcap/sql is kept
        dest = os.path.join(tmp, "stage2")
        res = make("install", "DESTDIR=" + dest)
        check(res.returncode == 0, "make install (default PREFIX): %s" % res.stderr[-800:])
        check_installed(dest, "/usr/local", sql_names)
        mine = os.path.join(dest, "usr", "local", "share", "httpcap", "sql", "my-queries.sql")
        with open(mine, "w") as f:
            f.write("SELECT 1;\n")
        res = make("uninstall", "DESTDIR=" + dest)
        check(res.returncode == 0, "make uninstall (default PREFIX): %s" % res.stderr[-800:])
        left = files_under(dest)
        check(left == ["usr/local/share/httpcap/sql/my-queries.sql"],
              "make uninstall removes only what install put there: %s" % left)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
