#!/usr/bin/env python3
"""test_sqlfloor.py - build/tests/sqlfloor, the "SQLite alone" row of `make bench`: it must
store exactly the rows of the database it is given (every per-row table, NULL and '' kept
apart), build the indexes, time only that, and fail cleanly on a bad database.
Prints "N passed, N failed"."""
import os
import re
import sqlite3
import subprocess
import tempfile

from testkit import HTTPCAP, ROOT, SAMPLE, check, report, sane

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
FLOOR = os.path.join(BUILD, "tests", "sqlfloor")
SCHEMA = os.path.join(ROOT, "sql", "schema.sql")
INDEXES = os.path.join(ROOT, "sql", "indexes.sql")
TABLES = ["connections", "transactions", "violations", "headers"]


def rows(db, table):
    con = sqlite3.connect(db)
    got = [tuple((type(v).__name__, v) for v in r)
           for r in con.execute("SELECT * FROM %s ORDER BY rowid" % table)]
    con.close()
    return got


def floor(src, out):
    return subprocess.run([FLOOR, src, out, SCHEMA, INDEXES], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src.db")
    out = os.path.join(tmp, "out.db")
    res = subprocess.run([HTTPCAP, "read", "-q", "--store-headers", SAMPLE, "-o", src],
                         capture_output=True, text=True)
    sane(res, "read the sample")
    check(res.returncode == 0, "httpcap read of the sample: " + res.stderr.strip())

    res = floor(src, out)
    check(res.returncode == 0, "sqlfloor exits 0: " + res.stderr.strip())
    m = re.fullmatch(r"rows=(\d+) insert_ns=(\d+) index_ns=(\d+) ns=(\d+)\n", res.stdout)
    check(m is not None, "one line rows= insert_ns= index_ns= ns=: %r" % res.stdout)
    if m:
        n, ins, idx, total = (int(x) for x in m.groups())
        want = sum(len(rows(src, t)) for t in TABLES)
        check(n == want, "rows=%d, the source's per-row tables hold %d" % (n, want))
        check(ins > 0 and idx > 0 and total == ins + idx, "ns is insert_ns + index_ns")
    for t in TABLES:
        a, b = rows(src, t), rows(out, t)
        check(len(a) > 0 or t == "violations", "the sample has %s rows" % t)
        check(a == b, "%s: the same %d rows, values and types" % (t, len(a)))
    con = sqlite3.connect(out)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    check({"transactions_connection", "violations_transaction", "connections_capture",
           "headers_transaction"} <= names, "the indexes of indexes.sql are built")
    check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
    con.close()

    # a second run replaces the output rather than appending to it
    res = floor(src, out)
    check(res.returncode == 0 and rows(out, "transactions") == rows(src, "transactions"),
          "a second run replaces OUT")

    bad = os.path.join(tmp, "bad.db")
    with open(bad, "wb") as f:
        f.write(b"not a database" * 100)
    res = floor(bad, out)
    check(res.returncode == 1 and res.stderr.startswith("sqlfloor: ")
          and res.stderr.count("\n") == 1, "a bad source: exit 1, one line: %r" % res.stderr)
    res = subprocess.run([FLOOR, src], capture_output=True, text=True)
    check(res.returncode == 2 and "usage" in res.stderr, "usage error: exit 2")

report()
