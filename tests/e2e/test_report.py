#!/usr/bin/env python3
"""test_report.py - `httpcap report` on the bundled sample: the JSON sections agree with
SQL over the database (capture totals, the 7 status classes and every code, nearest-rank
percentiles computed here in Python, the slowest list, violation counts, the series and
the histogram adding up to the classes); the text fits 80 columns, has the six sections in
order, carries no colour when not on a terminal and no control character from the wire;
Markdown keeps hostile strings inside their cells; a file that is not a database fails
with one line. Prints "N passed, N failed"."""
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, SAMPLE, check, report, sane, query

HEADERS = ("== 1 Capture ==", "== 2 Status classes", "== 3 Latency", "Slowest",
           "== 4 Violations per rule ==", "== 5 Anomalies ==", "== 6 Time series ==")
MD_HEADERS = ("## 1 Capture", "## 2 Status classes", "### Status codes", "## 3 Latency",
              "### Slowest", "## 4 Violations per rule", "## 5 Anomalies", "## 6 Time series")
CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", "unanswered", "invalid")
CLASS_SQL = ("CASE WHEN status IS NULL THEN 'unanswered' WHEN status NOT BETWEEN 100 AND 599"
             " THEN 'invalid' ELSE class END")


def run(args):
    res = subprocess.run([HTTPCAP] + args, capture_output=True)
    sane(res, " ".join(args))
    return res


def nearest_rank(values, p):
    v = sorted(values)
    return v[max(1, math.ceil(p / 100.0 * len(v))) - 1]


def close(a, b):
    """The report prints ms with up to 6 decimals."""
    return a is not None and b is not None and abs(a - b) <= 5e-7 * max(1.0, abs(b))


def load(db, *extra):
    res = run(["report", db, "--format", "json"] + list(extra))
    check(res.returncode == 0, "report json %r: exit %d: %s" % (extra, res.returncode,
                                                                res.stderr[:300]))
    try:
        return json.loads(res.stdout.decode("utf-8"))
    except ValueError as e:
        check(False, "report json does not parse: %s" % e)
        return None


def check_latency(db, doc):
    overall = [l for l in doc["latency"] if l["scope"] == "all"]
    check(len(overall) == 1 and overall[0]["key"] is None, "one overall latency row")
    if not overall:
        return
    for metric in ("ttfb", "total"):
        vals = [r[0] for r in query(db, "SELECT %s_ms FROM v_transactions" % metric)
                if r[0] is not None]
        row = overall[0][metric]
        check(row["n"] == len(vals), "%s n %r vs %r" % (metric, row["n"], len(vals)))
        for p in (50, 90, 99):
            want = nearest_rank(vals, p)
            check(close(row["p%d" % p], want),
                  "%s p%d: report %r, Python %r" % (metric, p, row["p%d" % p], want))
        check(close(row["max"], max(vals)), "%s max" % metric)
    scopes = [l["scope"] for l in doc["latency"]]
    order = {"all": 0, "class": 1, "host": 2, "endpoint": 3}
    check(scopes == sorted(scopes, key=order.get), "latency rows in scope order: %r" % scopes)
    for l in doc["latency"]:
        if l["scope"] == "host" and l["key"] is not None and l["ttfb"]["n"] > 0:
            con = sqlite3.connect(db)
            vals = [r[0] for r in con.execute(
                "SELECT ttfb_ms FROM v_transactions WHERE lower(host) = lower(?)"
                " AND ttfb_ms IS NOT NULL", (l["key"],))]
            con.close()
            check(close(l["ttfb"]["p90"], nearest_rank(vals, 90)), "host %r p90" % l["key"])
        if l["scope"] == "class":
            check(l["key"] in CLASSES, "class key %r" % l["key"])
    nend = len([l for l in doc["latency"] if l["scope"] == "endpoint"])
    check(nend <= doc["top"] and nend <= doc["endpoints"],
          "endpoint rows %d within --top %d and %d endpoints" % (nend, doc["top"],
                                                                 doc["endpoints"]))
    hist = sum(b["count"] for b in doc["histogram"])
    check(hist == overall[0]["ttfb"]["n"], "histogram holds every ttfb: %d vs %d"
          % (hist, overall[0]["ttfb"]["n"]))


def check_json(db):
    doc = load(db)
    if doc is None:
        return
    # (1) capture
    cap = query(db, "SELECT sum(packets), sum(bytes), sum(transactions) FROM captures")[0]
    c = doc["capture"]
    check((c["packets"], c["bytes"], c["transactions"]) == cap,
          "capture totals %r vs %r" % ((c["packets"], c["bytes"], c["transactions"]), cap))
    check(c["first_packet"] and c["first_packet"].endswith("Z"), "first_packet ISO: %r"
          % c["first_packet"])
    check(c["reported"] == cap[2], "unfiltered: every transaction reported")
    check(doc["databases"] == 1 and doc["filter"] is None, "one database, no filter")
    check(c["loss_warning"] is False and c["warning"] is None, "no loss warning on the sample")
    # (2) classes
    want = dict(query(db, "SELECT %s, count(*) FROM v_transactions GROUP BY 1" % CLASS_SQL))
    got = {k["class"]: k["count"] for k in doc["classes"]}
    check([k["class"] for k in doc["classes"]] == list(CLASSES), "7 classes in order")
    for name in CLASSES:
        check(got.get(name) == want.get(name, 0),
              "class %s: report %r, SQL %r" % (name, got.get(name), want.get(name, 0)))
    check(doc["answered_total"] == sum(got.values()), "answered_total is the classes' sum")
    codes = dict(query(db, "SELECT status, count(*) FROM v_transactions"
                           " WHERE status IS NOT NULL GROUP BY status"))
    check({s["code"]: s["count"] for s in doc["statuses"]} == codes, "status code counts")
    # (3) latency
    check_latency(db, doc)
    slow = doc["slowest"]
    ttfbs = [s["ttfb_ms"] for s in slow]
    all_ttfb = vals_ttfb(db)
    check(len(slow) == min(doc["top"], len(all_ttfb)), "slowest: %d rows" % len(slow))
    check(ttfbs == sorted(ttfbs, reverse=True), "slowest sorted: %r" % ttfbs)
    check(ttfbs and close(ttfbs[0], max(all_ttfb)), "slowest starts with the top ttfb")
    # (4) violations
    want_v = dict(query(db, "SELECT rule, count(*) FROM violations GROUP BY rule"))
    check({v["rule"]: v["count"] for v in doc["violations"]} == want_v,
          "violation counts %r vs %r" % (doc["violations"], want_v))
    for v in doc["violations"]:
        check(len(v["host_names"]) <= min(5, v["hosts"]), "%s: host names" % v["rule"])
        check(v["example"] is not None, "%s: an example transaction" % v["rule"])
    # (5) anomalies: each names a kind, says why, and points at transactions
    for a in doc["anomalies"]:
        check(a["evidence"] and a["message"], "anomaly %s has evidence and message" % a["kind"])
        check(len(a["examples"]) <= 5, "anomaly %s: at most 5 examples" % a["kind"])
    # (6) series: the buckets add up to the classes
    s = doc["series"]
    check(s["nbuckets"] == len(s["buckets"]) and 0 < s["nbuckets"] <= 60,
          "series: %d buckets" % s["nbuckets"])
    check(sum(b["count"] for b in s["buckets"]) == c["reported"], "series counts add up")
    for name in CLASSES:
        check(sum(b["classes"][name] for b in s["buckets"]) == got.get(name),
              "series class %s adds up" % name)
    starts = [b["start_ns"] for b in s["buckets"]]
    check(starts == [s["origin_ns"] + i * s["bucket_ns"] for i in range(len(starts))],
          "buckets are consecutive")
    doc3 = load(db, "--top", "3")
    if doc3:
        check(len(doc3["slowest"]) == 3 and doc3["top"] == 3, "--top 3")


def vals_ttfb(db):
    return [r[0] for r in query(db, "SELECT ttfb_ms FROM v_transactions WHERE ttfb_ms IS NOT NULL")]


def columns(line):
    """Display columns of a line (wide East Asian characters take two)."""
    return sum(2 if 0x1100 <= ord(ch) <= 0x115f or 0x2e80 <= ord(ch) <= 0xa4cf or
               0xac00 <= ord(ch) <= 0xd7a3 or 0xff00 <= ord(ch) <= 0xff60 else 1 for ch in line)


def no_controls(b):
    text = b.decode("utf-8")  # raises on invalid UTF-8
    return not any((ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f for ch in text)


def check_text(db, tmp):
    res = run(["report", db])
    check(res.returncode == 0, "report text: exit %d" % res.returncode)
    text = res.stdout.decode("utf-8", errors="replace")
    long = [l for l in text.splitlines() if columns(l) > 80]
    check(not long, "lines over 80 columns: %r" % long[:3])
    at = 0
    for h in HEADERS:
        i = text.find(h, at)
        check(i >= 0, "text has section %r in order" % h)
        at = max(at, i)
    check(b"\x1b" not in res.stdout, "no colour when stdout is not a terminal")
    check("WARNING" not in text, "no loss warning on a clean sample")
    check(any(ch in text for ch in "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"),
          "the time series has sparklines")
    out = os.path.join(tmp, "out.txt")
    res = run(["report", db, "-o", out])
    check(res.returncode == 0 and res.stdout == b"" and open(out, "rb").read().decode(
        "utf-8", errors="replace") == text, "-o FILE writes the same text")
    res = run(["report", db, "--format", "md"])
    md = res.stdout.decode("utf-8", errors="replace")
    at = 0
    for h in MD_HEADERS:
        i = md.find(h, at)
        check(i >= 0, "markdown has section %r in order" % h)
        at = max(at, i)


def evil_db(db, tmp):
    evil = os.path.join(tmp, "evil.db")
    shutil.copy(db, evil)
    con = sqlite3.connect(evil)
    con.execute("INSERT INTO transactions (capture_id, connection_id, seq, method, host, uri,"
                " status, request_start_ns, request_end_ns, response_start_ns,"
                " response_end_ns, request_id) SELECT 1, 1, 99, 'GET', 'h\x1b]0;x\x07',"
                " '/\x1b[31mred\x9b2J<script>|x|' || CAST(X'FFFE' AS TEXT), 200, 0, 0,"
                " 9999000000000, 9999000000000, 'id\x1b[0m'")
    con.execute("UPDATE captures SET truncated = 1")
    con.commit()
    con.close()
    return evil


def check_evil(db, tmp):
    evil = evil_db(db, tmp)
    res = run(["report", evil])
    check(res.returncode == 0, "evil report exit %d" % res.returncode)
    check(no_controls(res.stdout), "a control character reached the text: %r" % [
        l for l in res.stdout.split(b"\n") if b"red" in l][:2])
    check(b"/?[31mred?2J<script>|x|" in res.stdout, "the uri is shown sanitised")
    check(res.stdout.startswith(b"WARNING:"), "loss warning on top: %r" % res.stdout[:80])
    long = [l for l in res.stdout.decode("utf-8").splitlines() if columns(l) > 80]
    check(not long, "evil: lines over 80 columns: %r" % long[:3])
    res = run(["report", evil, "--format", "json"])
    doc = json.loads(res.stdout)
    check(no_controls(res.stdout), "JSON escapes every control character")
    check(doc["slowest"][0]["uri"] == "/\x1b[31mred\x9b2J<script>|x|\ufffd\ufffd",
          "JSON keeps the uri: %r" % doc["slowest"][0]["uri"])
    check(doc["capture"]["loss_warning"] is True and doc["capture"]["truncated_inputs"] == 1,
          "JSON: loss warning")
    res = run(["report", evil, "--format", "md"])
    check(res.returncode == 0 and no_controls(res.stdout), "markdown: no control character")
    md = res.stdout.decode("utf-8")
    check("<script>" not in md and "&lt;script&gt;\\|x\\|" in md, "markdown escapes the uri")
    rows = [l for l in md.splitlines() if "&lt;script&gt;" in l and l.startswith("|")]
    check(rows, "markdown shows the uri in a table")
    for l in rows:
        cells = l.replace("\\|", "").count("|")
        header = [h for h in md.split("\n\n") if l in h][0].splitlines()[0]
        check(cells == header.count("|"), "markdown row keeps its cells: %r" % l[:120])


def unanswered_of(doc, server):
    return [a for a in doc["anomalies"]
            if a["kind"] == "unanswered-requests" and a.get("subject") == server]


def check_last_seq(db, tmp):
    """A request left unanswered counts for its server unless it is the last transaction
    of a connection still open at the end: the last one in the database (its seq is
    connections.transactions), even when a filter hides the transactions after it. Here
    seq 1 got no answer and seq 2 came after it: seq 1 counts, with or without a filter
    that leaves seq 2 out."""
    path = os.path.join(tmp, "open.db")
    shutil.copy(db, path)
    con = sqlite3.connect(path)
    cid = con.execute("SELECT max(id) + 1 FROM connections").fetchone()[0]
    cols = [r[1] for r in con.execute("PRAGMA table_info(connections)")]
    pick = ["?" if c == "id" else "'192.0.2.77'" if c == "server_ip" else
            "'end-of-capture'" if c == "end_reason" else "2" if c == "transactions" else c
            for c in cols]
    con.execute("INSERT INTO connections (%s) SELECT %s FROM connections WHERE id = 1"
                % (", ".join(cols), ", ".join(pick)), (cid,))
    t0 = 1700000000 * 10**9
    for seq, start, status in ((1, t0, None), (2, t0 + 3600 * 10**9, 200)):
        con.execute("INSERT INTO transactions (capture_id, connection_id, seq, method, host,"
                    " uri, request_start_ns, request_end_ns, status) VALUES (1, ?, ?, 'GET',"
                    " 'open.test', '/wait', ?, ?, ?)", (cid, seq, start, start + 1000, status))
    con.commit()
    port = con.execute("SELECT server_port FROM connections WHERE id = ?", (cid,)).fetchone()[0]
    con.close()
    server = "192.0.2.77:%d" % port
    for extra in ((), ("--until", str(1700000000 + 60))):
        doc = load(path, *extra)
        got = unanswered_of(doc, server) if doc else []
        counts = [a.get("count") for a in got]
        check(len(got) == 1 and counts == [1],
              "report %r: the unanswered request before the last counts: %r"
              % (extra, got))


def check_errors(tmp):
    for path in (SAMPLE, os.path.join(tmp, "missing.db")):
        res = run(["report", path])
        err = res.stderr.decode(errors="replace")
        check(res.returncode == 1, "report %s: exit %d" % (path, res.returncode))
        check(err.startswith("httpcap: " + path + ": ") and err.count("\n") == 1,
              "report %s: one line: %r" % (path, err))
    res = run(["report", SAMPLE, "--format", "xml"])
    check(res.returncode == 2, "bad --format is a usage error")


def check_edited_times(db, tmp):
    """Times edited by hand (a fraction makes a REAL, and a difference past 2^63 makes
    SQLite compute in doubles): the report's percentiles are still those of
    v_transactions' ttfb and total."""
    edited = os.path.join(tmp, "edited.db")
    shutil.copy(db, edited)
    con = sqlite3.connect(edited, isolation_level=None)
    # most ttfb of a few ns with fractions (of a large value a fraction rounds to an
    # integer, which SQLite stores as one), so that the median is one of them
    con.execute("UPDATE transactions SET request_end_ns = id + 0.25,"
                " response_start_ns = 7 * id + 0.75 WHERE id % 5 <> 0"
                " AND request_end_ns IS NOT NULL AND response_start_ns IS NOT NULL")
    far = con.execute("SELECT min(id) FROM transactions WHERE response_start_ns IS NOT NULL"
                      " AND request_end_ns IS NOT NULL AND id % 5 = 0").fetchone()[0]
    con.execute("UPDATE transactions SET request_end_ns = -9000000000000000000 WHERE id = ?",
                (far,))
    kinds = con.execute("SELECT count(*) FROM transactions WHERE typeof(request_end_ns) ="
                        " 'real'").fetchone()[0]
    huge = con.execute("SELECT ttfb_ms FROM v_transactions WHERE id = ?", (far,)).fetchone()[0]
    con.close()
    check(kinds > 0, "some request_end_ns are REAL now: %d" % kinds)
    check(huge is not None and huge > 9e12, "v_transactions computes the far one in doubles:"
          " %r" % huge)
    doc = load(edited)
    if doc is not None:
        check_latency(edited, doc)


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-report-")
    try:
        db = os.path.join(tmp, "r.db")
        res = run(["read", "-q", SAMPLE, "-o", db])
        check(res.returncode == 0, "read sample: %s" % res.stderr)
        check_json(db)
        check_text(db, tmp)
        check_evil(db, tmp)
        check_last_seq(db, tmp)
        check_edited_times(db, tmp)
        check_errors(tmp)
    finally:
        shutil.rmtree(tmp)
    return report()


if __name__ == "__main__":
    sys.exit(main())
