#!/usr/bin/env python3
"""test_report.py - `httpcap report` on the bundled sample: the JSON sections agree with
SQL over the database (class counts, nearest-rank percentiles computed here in Python,
the slowest list, violation counts); the text fits 80 columns, has every section header
and lets no ESC byte from the wire through; a file that is not a database fails with one
line. Prints "N passed, N failed"."""
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, SAMPLE, check, report, sane, query

HEADERS = ("== Capture ==", "== Status classes ==", "== Status codes ==",
           "== Latency", "== Slowest", "== Violations per rule ==")


def run(args):
    res = subprocess.run([HTTPCAP] + args, capture_output=True)
    sane(res, " ".join(args))
    return res


def nearest_rank(values, p):
    v = sorted(values)
    return v[max(1, math.ceil(p / 100.0 * len(v))) - 1]


def check_json(db):
    res = run(["report", db, "--format", "json"])
    check(res.returncode == 0, "report json: exit %d: %s" % (res.returncode, res.stderr))
    try:
        doc = json.loads(res.stdout.decode("utf-8"))
    except ValueError as e:
        check(False, "report json does not parse: %s" % e)
        return
    # (1) capture
    cap = query(db, "SELECT sum(packets), sum(bytes), sum(transactions) FROM captures")[0]
    c = doc["capture"]
    check((c["packets"], c["bytes"], c["transactions"]) == cap,
          "capture totals %r vs %r" % ((c["packets"], c["bytes"], c["transactions"]), cap))
    check(c["first_packet"] and c["first_packet"].endswith("Z"), "first_packet ISO: %r"
          % c["first_packet"])
    # (2) classes
    want = dict(query(db, "SELECT coalesce(class, 'unanswered'), count(*) FROM v_transactions"
                          " GROUP BY 1"))
    got = {k["class"]: k["count"] for k in doc["classes"]}
    for name in ("1xx", "2xx", "3xx", "4xx", "5xx", "unanswered"):
        check(got.get(name) == want.get(name, 0),
              "class %s: report %r, SQL %r" % (name, got.get(name), want.get(name, 0)))
    codes = dict(query(db, "SELECT status, count(*) FROM v_transactions"
                           " WHERE status IS NOT NULL GROUP BY status"))
    check({s["code"]: s["count"] for s in doc["statuses"]} == codes, "status code counts")
    # (3) latency, percentiles recomputed here
    for metric in ("ttfb_ms", "total_ms"):
        vals = [r[0] for r in query(db, "SELECT %s FROM v_transactions" % metric)
                if r[0] is not None]
        row = [l for l in doc["latency"] if l["scope"] == "all" and l["metric"] == metric]
        check(len(row) == 1, "one overall %s row" % metric)
        if not row:
            continue
        check(row[0]["n"] == len(vals), "%s n %r vs %r" % (metric, row[0]["n"], len(vals)))
        for p in (50, 90, 99):
            want_p = nearest_rank(vals, p)
            check(row[0]["p%d" % p] == want_p,
                  "%s p%d: report %r, Python %r" % (metric, p, row[0]["p%d" % p], want_p))
        check(row[0]["max"] == max(vals), "%s max" % metric)
    for l in doc["latency"]:
        if l["scope"] == "host" and l["metric"] == "ttfb_ms" and l["key"] is not None:
            vals = [r[0] for r in query(db, "SELECT ttfb_ms FROM v_transactions WHERE host = '%s'"
                                            " AND ttfb_ms IS NOT NULL" % l["key"].replace("'", "''"))]
            check(l["p90"] == nearest_rank(vals, 90), "host %r p90" % l["key"])
    slow = doc["slowest"]["transactions"]
    ttfbs = [s["ttfb_ms"] for s in slow]
    check(len(slow) == min(10, len(vals_ttfb(db))), "slowest: %d rows" % len(slow))
    check(ttfbs == sorted(ttfbs, reverse=True), "slowest sorted: %r" % ttfbs)
    check(ttfbs and ttfbs[0] == max(vals_ttfb(db)), "slowest starts with the top ttfb")
    # (4) violations
    want_v = dict(query(db, "SELECT rule, count(*) FROM violations GROUP BY rule"))
    check({v["rule"]: v["count"] for v in doc["violations"]} == want_v,
          "violation counts %r vs %r" % (doc["violations"], want_v))
    res = run(["report", db, "--format", "json", "--top", "3"])
    check(len(json.loads(res.stdout)["slowest"]["transactions"]) == 3, "--top 3")


def vals_ttfb(db):
    return [r[0] for r in query(db, "SELECT ttfb_ms FROM v_transactions WHERE ttfb_ms IS NOT NULL")]


def check_text(db, tmp):
    res = run(["report", db])
    check(res.returncode == 0, "report text: exit %d" % res.returncode)
    text = res.stdout.decode("utf-8", errors="replace")
    long = [l for l in text.splitlines() if len(l) > 80]
    check(not long, "lines over 80 columns: %r" % long[:3])
    for h in HEADERS:
        check(h in text, "text has section %r" % h)
    check("WARNING" not in text, "no loss warning on a clean sample")
    out = os.path.join(tmp, "out.txt")
    res = run(["report", db, "-o", out])
    check(res.returncode == 0 and res.stdout == b"" and open(out, "rb").read().decode(
        "utf-8", errors="replace") == text, "-o FILE writes the same text")

    evil = os.path.join(tmp, "evil.db")
    shutil.copy(db, evil)
    con = sqlite3.connect(evil)
    con.execute("INSERT INTO transactions (capture_id, connection_id, seq, method, host, uri,"
                " status, request_start_ns, request_end_ns, response_start_ns,"
                " response_end_ns, request_id) SELECT 1, 1, 99, 'GET', 'h\x1b]0;x\x07',"
                " '/\x1b[31mred', 200, 0, 0, 9999000000000, 9999000000000, 'id\x1b[0m'")
    con.execute("UPDATE captures SET gap_bytes = 1234")
    con.commit()
    con.close()
    res = run(["report", evil])
    check(res.returncode == 0, "evil report exit %d" % res.returncode)
    check(b"\x1b" not in res.stdout and b"\x07" not in res.stdout, "ESC reached the text")
    check(b"/?[31mred" in res.stdout, "the uri is shown sanitised")
    check(res.stdout.startswith(b"WARNING: capture loss: 1234 bytes never captured"),
          "loss warning on top: %r" % res.stdout[:80])
    res = run(["report", evil, "--format", "json"])
    doc = json.loads(res.stdout)
    check(b"\x1b" not in res.stdout and doc["slowest"]["transactions"][0]["uri"] ==
          "/\x1b[31mred", "JSON escapes ESC and keeps the uri")


def check_errors(tmp):
    for path in (SAMPLE, os.path.join(tmp, "missing.db")):
        res = run(["report", path])
        err = res.stderr.decode(errors="replace")
        check(res.returncode == 1, "report %s: exit %d" % (path, res.returncode))
        check(err.startswith("httpcap: " + path + ": ") and err.count("\n") == 1,
              "report %s: one line: %r" % (path, err))
    res = run(["report", SAMPLE, "--format", "xml"])
    check(res.returncode == 2, "bad --format is a usage error")


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-report-")
    try:
        db = os.path.join(tmp, "r.db")
        res = run(["read", "-q", SAMPLE, "-o", db])
        check(res.returncode == 0, "read sample: %s" % res.stderr)
        check_json(db)
        check_text(db, tmp)
        check_errors(tmp)
    finally:
        shutil.rmtree(tmp)
    return report()


if __name__ == "__main__":
    sys.exit(main())
