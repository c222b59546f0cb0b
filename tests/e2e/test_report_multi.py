#!/usr/bin/env python3
"""test_report_multi.py - `httpcap report` over several databases and with filters, on the
capture of tests/tools/genanomaly.c cut in two (--part 1/2 and 2/2: every connection closes
at 10:30, so the halves hold the whole hour between them):
 - `report a.db b.db` equals `report both.db` (both captures read into one database), in
   JSON and in text, the database count aside;
 - --since, --until and --host report the classes and status codes that SQL counts over
   the database, and the anomalies of the window they keep;
 - a second argument that is not a database fails with one line naming it, exit status 1;
 - the sensors of the runs (captures.sensor) are listed, none for a version 1 database.
Env: HTTPCAP, BUILD. Prints "N passed, N failed"."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from testkit import HTTPCAP, ROOT, check, report, sane, query

BUILD = os.environ.get("BUILD", "build")
GEN = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD),
                   "tests", "genanomaly")
T0 = 1767261600  # 2026-01-01T10:00:00Z

# Keys that may differ between `report a.db b.db` and `report both.db`: how many databases
# were reported together, and nothing else.
NDBS_KEYS = ("databases", "ndbs", "dbs")


def run(args, cwd):
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    res = subprocess.run([HTTPCAP] + args, capture_output=True, cwd=cwd, env=env)
    sane(res, " ".join(args))
    return res


def load(res, what):
    check(res.returncode == 0, "%s: exit %d: %s" % (what, res.returncode, res.stderr[:300]))
    try:
        return json.loads(res.stdout.decode("utf-8"))
    except ValueError as e:
        check(False, "%s: JSON does not parse: %s" % (what, e))
        return None


def differences(a, b, path=""):
    """Paths where two JSON values differ, ignoring the database count."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k in NDBS_KEYS:
                continue
            if k not in a or k not in b:
                out.append("%s/%s (only in %s)" % (path, k, "first" if k in a else "second"))
            else:
                out += differences(a[k], b[k], "%s/%s" % (path, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return ["%s (length %d vs %d)" % (path, len(a), len(b))]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, "%s[%d]" % (path, i))
        return out
    return [] if a == b else ["%s: %r vs %r" % (path, a, b)]


def check_same(tmp):
    multi = load(run(["report", "a.db", "b.db", "--format", "json"], tmp), "report a.db b.db")
    one = load(run(["report", "both.db", "--format", "json"], tmp), "report both.db")
    if multi is None or one is None:
        return
    diff = differences(multi, one)
    check(not diff, "report a.db b.db vs both.db (JSON): %d differences: %r" % (len(diff),
                                                                              diff[:8]))
    n = query(os.path.join(tmp, "both.db"), "SELECT count(*) FROM transactions")[0][0]
    check(n == 6000, "both.db holds the whole hour: %d transactions" % n)
    kinds = [a.get("kind") for a in multi.get("anomalies") or []]
    check("error-burst-5xx" in kinds and "latency-spike" in kinds and "failing-endpoint" in kinds,
          "the two halves together show the whole hour's anomalies: %r" % kinds)
    ndbs = [multi.get(k) for k in NDBS_KEYS if k in multi]
    if ndbs:
        check(ndbs[0] == 2, "report a.db b.db says 2 databases: %r" % ndbs)

    t_multi = run(["report", "a.db", "b.db"], tmp).stdout.decode("utf-8", "replace").splitlines()
    t_one = run(["report", "both.db"], tmp).stdout.decode("utf-8", "replace").splitlines()
    # only a line counting the databases may differ (text shows it when there are several)
    count_line = re.compile(r"^\s*databases?\b\D*\d+\s*$", re.I)
    dbs_multi = [l for l in t_multi if count_line.match(l)]
    check(all(l.split()[-1] == "2" for l in dbs_multi),
          "report a.db b.db (text) counts 2 databases: %r" % dbs_multi)
    t_multi = [l for l in t_multi if not count_line.match(l)]
    t_one = [l for l in t_one if not count_line.match(l)]
    diff = [(m, o) for m, o in zip(t_multi, t_one) if m != o]
    if len(t_multi) != len(t_one):
        diff.append(("%d lines" % len(t_multi), "%d lines" % len(t_one)))
    check(not diff and t_multi, "report a.db b.db vs both.db (text): %r" % diff[:5])


def check_sensors(tmp):
    """captures.sensor in the report: one line per sensor with its runs, a JSON entry per
    run, and nothing (null in JSON) for a database of schema version 1, which has none."""
    for args in (["a.pcap", "-o", "s1.db", "--sensor", "s1"],
                 ["a.pcap", "-o", "s2.db", "--sensor", "s2"],
                 ["b.pcap", "-o", "s2.db", "--sensor", "s2"]):
        res = run(["read", "-q"] + args, tmp)
        check(res.returncode == 0, "read %s: %s" % (" ".join(args), res.stderr))
    doc = load(run(["report", "s1.db", "s2.db", "--format", "json"], tmp), "report s1 s2")
    got = (doc or {}).get("capture", {}).get("sensors")
    check(got == ["s1", "s2", "s2"], "JSON capture.sensors, one per run: %r" % got)
    text = run(["report", "s1.db", "s2.db"], tmp).stdout.decode("utf-8", "replace")
    check("\n  sensors       s1 (1 run)\n                s2 (2 runs)\n" in text,
          "text lists each sensor with its runs: %r" % text[:400])
    one = run(["report", "s1.db"], tmp).stdout.decode("utf-8", "replace")
    check("\n  sensor        s1\n" in one, "one sensor: one line: %r" % one[:300])
    # schema version 1: no sensor column
    shutil.copy(os.path.join(tmp, "s1.db"), os.path.join(tmp, "v1.db"))
    con = sqlite3.connect(os.path.join(tmp, "v1.db"))
    con.execute("ALTER TABLE captures DROP COLUMN sensor")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    check(query(os.path.join(tmp, "v1.db"), "SELECT value FROM meta"
                " WHERE key = 'schema_version'") == [("1",)], "v1.db says version 1")
    doc = load(run(["report", "v1.db", "s2.db", "--format", "json"], tmp), "report v1 s2")
    got = (doc or {}).get("capture", {}).get("sensors")
    check(got == [None, "s2", "s2"], "a version 1 database's runs have no sensor: %r" % got)
    text = run(["report", "v1.db"], tmp).stdout.decode("utf-8", "replace")
    check("sensor" not in text.split("== 2")[0] and "== 1 Capture ==" in text,
          "no sensor line without a recorded sensor: %r" % text[:300])


def iso(sec):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sec))


def counts(doc):
    classes = {c["class"]: c["count"] for c in doc.get("classes") or [] if c["count"]}
    codes = {s["code"]: s["count"] for s in doc.get("statuses") or []}
    return classes, codes


def sql_counts(db, where):
    rows = query(db, "SELECT CASE WHEN status IS NULL THEN 'unanswered' WHEN status NOT BETWEEN"
                     " 100 AND 599 THEN 'invalid' ELSE class END, status, count(*)"
                     " FROM v_transactions WHERE %s GROUP BY 1, 2" % where)
    classes = {}
    codes = {}
    for cls, status, n in rows:
        classes[cls] = classes.get(cls, 0) + n
        if status is not None:
            codes[status] = codes.get(status, 0) + n
    return classes, codes


def check_filters(tmp):
    db = os.path.join(tmp, "both.db")
    start = "coalesce(request_start_ns, response_start_ns)"
    cases = [
        (["--since", iso(T0 + 20 * 60), "--until", iso(T0 + 21 * 60)],
         "%s >= %d AND %s < %d" % (start, (T0 + 1200) * 10**9, start, (T0 + 1260) * 10**9)),
        (["--since", str(T0 + 45 * 60)], "%s >= %d" % (start, (T0 + 2700) * 10**9)),
        (["--until", "2026-01-01T10:12:30Z"], "%s < %d" % (start, (T0 + 750) * 10**9)),
        (["--host", "static.example.com"], "lower(host) = 'static.example.com'"
         " OR lower(host) LIKE 'static.example.com:%'"),
        (["--host", "API.example.com", "--since", iso(T0 + 30 * 60)],
         "(lower(host) = 'api.example.com' OR lower(host) LIKE 'api.example.com:%%') AND"
         " %s >= %d" % (start, (T0 + 1800) * 10**9)),
    ]
    for args, where in cases:
        what = "report both.db " + " ".join(args)
        doc = load(run(["report", "both.db", "--format", "json"] + args, tmp), what)
        if doc is None:
            continue
        got = counts(doc)
        want = sql_counts(db, where)
        check(sum(want[0].values()) > 0, "%s: SQL finds rows" % what)
        check(got == want, "%s: classes/codes %r, SQL %r" % (what, got, want))
        multi = load(run(["report", "a.db", "b.db", "--format", "json"] + args, tmp),
                     "report a.db b.db " + " ".join(args))
        if multi is not None:
            diff = differences(multi, doc)
            check(not diff, "%s: a.db b.db differs: %r" % (what, diff[:5]))
    # the burst minute alone: its 43 errors are the whole of that report
    doc = load(run(["report", "both.db", "--format", "json", "--since", "2026-01-01T10:20:00Z",
                    "--until", "2026-01-01T10:21:00Z"], tmp), "minute 20")
    if doc is not None:
        classes, _ = counts(doc)
        check(classes.get("5xx") == 43 and sum(classes.values()) == 100,
              "minute 20: 43 of 100 are 5xx: %r" % classes)
    # no 599 outside minute 33: the rare status goes with the window
    doc = load(run(["report", "both.db", "--format", "json", "--until",
                    str(T0 + 33 * 60)], tmp), "until 10:33")
    if doc is not None:
        kinds = [(a.get("kind"), a.get("subject")) for a in doc.get("anomalies") or []]
        check(not any(k == "rare-status" and "599" in (s or "") for k, s in kinds),
              "until 10:33: no 599: %r" % kinds)
        check(not any(k == "latency-spike" for k, s in kinds),
              "until 10:33: no latency spike (minute 40): %r" % kinds)


def check_bad_second(tmp):
    bad = "a.pcap"
    res = run(["report", "a.db", bad], tmp)
    err = res.stderr.decode(errors="replace")
    check(res.returncode == 1, "report a.db a.pcap: exit %d" % res.returncode)
    check(err.startswith("httpcap: " + bad + ": ") and err.count("\n") == 1,
          "report a.db a.pcap: one line naming a.pcap: %r" % err)
    check(res.stdout == b"", "report a.db a.pcap: nothing on stdout: %r" % res.stdout[:200])
    res = run(["report", "a.db", "missing.db", "--format", "json"], tmp)
    err = res.stderr.decode(errors="replace")
    check(res.returncode == 1 and err.startswith("httpcap: missing.db: ") and
          err.count("\n") == 1, "report a.db missing.db: exit %d, %r" % (res.returncode, err))
    check(not os.path.exists(os.path.join(tmp, "missing.db")),
          "report does not create a missing database")


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-multi-")
    try:
        for part, name in (("1/2", "a.pcap"), ("2/2", "b.pcap")):
            gen = subprocess.run([GEN, os.path.join(tmp, name), "--part", part],
                                 capture_output=True)
            check(gen.returncode == 0, "genanomaly --part %s: %s" % (part, gen.stderr))
            if gen.returncode != 0:
                return report()
        for args in (["a.pcap", "-o", "a.db"], ["b.pcap", "-o", "b.db"],
                     ["a.pcap", "-o", "both.db"], ["b.pcap", "-o", "both.db"]):
            res = run(["read", "-q"] + args, tmp)
            check(res.returncode == 0, "read %s: %s" % (" ".join(args), res.stderr))
        last_a = query(os.path.join(tmp, "a.db"), "SELECT max(coalesce(request_start_ns,"
                       " response_start_ns)) FROM transactions")[0][0]
        check(last_a < (T0 + 1800) * 10**9, "part 1 ends before 10:30")
        check_same(tmp)
        check_filters(tmp)
        check_bad_second(tmp)
        check_sensors(tmp)
    finally:
        shutil.rmtree(tmp)
    return report()


if __name__ == "__main__":
    sys.exit(main())
