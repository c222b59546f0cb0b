#!/usr/bin/env python3
"""test_report_limits.py - `httpcap report` says when a limit of the capture runs was
reached (table capture_limits): on the bundled sample read with tight limits, every limit
with hits gets one limit-reached anomaly, with the exact hit counts of capture_limits, in
the text, JSON, Markdown and HTML reports, and the capture summary lists the same hits;
its examples are transactions the limit touched. Also: a default run has none; a database
written before capture_limits existed still reports ("not recorded"), alone and together
with a newer one; limits count whole runs, so --host/--since/--until keep the counts and
say so; two runs of one database sum their hits, the same whether they are one database
or two. Env: HTTPCAP. Prints "N passed, N failed"."""
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile

from testkit import ROOT, SAMPLE, check, query, report
from testkit import run_utc as run

SCHEMA = os.path.join(ROOT, "tests", "report.schema.json")
# src/limits_table.h order: the order of the capture summary and of the anomalies
ORDER = ["max-connections", "max-header-bytes", "max-headers", "max-uri-bytes", "max-pending",
         "max-ooo-bytes", "max-reasm-bytes", "max-stored-header-bytes"]
# what one / several hits left out (src/report_anomaly_text.c), for the exact evidence
WORDS = {
    "max-connections": ("connection", "connections", "was closed early to make room",
                        "were closed early to make room"),
    "max-header-bytes": ("message", "messages",
                         "was rejected as a parse error (HPE_HEADER_OVERFLOW)",
                         "were rejected as parse errors (HPE_HEADER_OVERFLOW)"),
    "max-headers": ("message", "messages",
                    "had its header fields past the cap ignored (flag field-cut)",
                    "had their header fields past the cap ignored (flag field-cut)"),
    "max-uri-bytes": ("URI", "URIs", "was stored cut (flag uri-cut)",
                      "were stored cut (flag uri-cut)"),
    "max-pending": ("pipelined request", "pipelined requests",
                    "was stored unanswered to make room", "were stored unanswered to make room"),
    "max-stored-header-bytes": ("transaction", "transactions",
                                "had its stored header lines cut (flag headers-cut)",
                                "had their stored header lines cut (flag headers-cut)"),
}
# report.h's kind order: limit-reached comes right after capture-gaps
KINDS = ["error-burst-5xx", "error-burst-4xx", "latency-spike", "failing-endpoint",
         "status-mix-changed", "unanswered-requests", "responses-without-request",
         "reset-mid-response", "truncated-bodies", "capture-gaps", "limit-reached",
         "retransmissions", "rare-status", "new-status"]
FILTER_NOTE = "; counted over whole capture runs, which the filters do not narrow"
TIGHT = ["--max-connections", "2", "--max-headers", "3"]
ALL = ["--max-uri-bytes", "16", "--max-header-bytes", "256", "--max-pending", "1",
       "--store-headers", "--max-stored-header-bytes", "64"]

try:
    import jsonschema
except ImportError:
    jsonschema = None


def read(db, extra):
    res = run(["read", "-q", SAMPLE, "-o", db] + extra)
    check(res.returncode == 0, "read %r: %s" % (extra, res.stderr[:300]))


def rep(args, fmt):
    res = run(["report"] + args + ["--format", fmt])
    check(res.returncode == 0, "report %r %s: exit %d: %s" % (args, fmt, res.returncode,
                                                             res.stderr[:300]))
    return res.stdout.decode("utf-8")


def doc_of(args):
    try:
        return json.loads(rep(args, "json"))
    except ValueError as e:
        check(False, "report %r: JSON does not parse: %s" % (args, e))
        return None


def limits_of(dbs):
    """Per limit over the runs of dbs, in limits_table.h order: (name, min, max, hits, runs
    hit)."""
    rows = {}
    for db in dbs:
        for name, value, hits in query(db, "SELECT name, value, hits FROM capture_limits"):
            lo, hi, h, n = rows.get(name, (value, value, 0, 0))
            rows[name] = (min(lo, value), max(hi, value), h + hits, n + (hits > 0))
    return [(name,) + rows[name] for name in ORDER if name in rows]


def evidence(name, lo, hi, hits, runs_hit, runs, filtered=False):
    one, many, did_one, did_many = WORDS[name]
    cap = "%d" % hi if lo == hi else "%d to %d" % (lo, hi)
    times = "once" if hits == 1 else "%d times" % hits
    where = " in %d of %d capture runs" % (runs_hit, runs) if runs > 1 else ""
    what = "%d %s %s" % (hits, one if hits == 1 else many, did_one if hits == 1 else did_many)
    return "%s (%s) was reached %s%s: %s%s" % (name, cap, times, where, what,
                                               FILTER_NOTE if filtered else "")


def summary(lims, recorded=None):
    """The capture summary's line of limit hits."""
    parts = ["%s (%s) %s" % (n, "%d" % hi if lo == hi else "%d to %d" % (lo, hi),
                             "once" if h == 1 else "%d times" % h)
             for n, lo, hi, h, _ in lims if h > 0]
    return (", ".join(parts) or "none") + ("; recorded by %d of %d runs" % recorded
                                           if recorded else "")


def limit_anomalies(doc):
    return [a for a in doc["anomalies"] if a["kind"] == "limit-reached"] if doc else []


def unwrap(text, first):
    """The text of a wrapped field of the text report starting with line prefix first: its
    continuation lines (indented deeper, no label) joined with spaces."""
    lines = text.splitlines()
    for i, l in enumerate(lines):
        if l.startswith(first):
            out = [l[len(first):].strip()]
            for nxt in lines[i + 1:]:
                if not re.match(r"^ {13,}\S", nxt):
                    break
                out.append(nxt.strip())
            return " ".join(out)
    return None


def text_anomaly(text, subject):
    """Evidence of the limit-reached anomaly about subject in the text report."""
    at = text.find("\n  limit-reached  %s\n" % subject)
    if at < 0:
        return None
    return unwrap(text[at + 1:], "    evidence ")


def validate(doc, what):
    if jsonschema is None or doc is None:
        return
    with open(SCHEMA) as f:
        errs = list(jsonschema.Draft202012Validator(json.load(f)).iter_errors(doc))
    check(not errs, "%s: JSON does not match the schema: %s"
          % (what, [e.message for e in errs][:3]))


def check_json(doc, lims, runs, what, filtered=False):
    if doc is None:
        return
    c = doc["capture"]
    want = [{"name": n, "value": hi, "min_value": lo, "hits": h, "runs_hit": k}
            for n, lo, hi, h, k in lims]
    check(c["limits"] == want, "%s: capture.limits %r vs SQL %r" % (what, c["limits"], want))
    check(c["limit_hits"] == sum(l[3] for l in lims), "%s: limit_hits" % what)
    got = [(a["subject"], a["count"], a["evidence"]) for a in limit_anomalies(doc)]
    exp = [(n, h, evidence(n, lo, hi, h, k, runs, filtered)) for n, lo, hi, h, k in lims if h]
    check(got == exp, "%s: limit-reached anomalies\n  %r\nvs\n  %r" % (what, got, exp))
    ranks = [KINDS.index(a["kind"]) for a in doc["anomalies"]]
    check(ranks == sorted(ranks), "%s: anomalies in kind order" % what)
    for a in limit_anomalies(doc):
        check(a["total"] == 0 and a["start"] is None and a["first_bucket"] is None,
              "%s: %s has no window and no total" % (what, a["subject"]))
        check("--" + a["subject"] in a["message"] and "Likely causes" in a["message"],
              "%s: %s: advice names the option: %r" % (what, a["subject"], a["message"][:80]))
    validate(doc, what)


def check_examples(doc, db):
    """Each example of a limit-reached anomaly is a transaction that limit touched."""
    touched = {
        "max-connections": "SELECT t.id FROM transactions t JOIN connections c"
                           " ON c.id = t.connection_id WHERE c.end_reason = 'evicted'",
        "max-header-bytes": "SELECT transaction_id FROM violations WHERE rule = 'parse-error'"
                            " AND detail LIKE '%HPE_HEADER_OVERFLOW%'",
        "max-headers": "SELECT id FROM transactions WHERE instr(flags, 'field-cut')",
        "max-uri-bytes": "SELECT id FROM transactions WHERE instr(flags, 'uri-cut')",
        "max-stored-header-bytes": "SELECT id FROM transactions WHERE instr(flags, 'headers-cut')",
    }
    for a in limit_anomalies(doc):
        sql = touched.get(a["subject"])
        ids = {r[0] for r in query(db, sql)} if sql else set()
        got = {e["id"] for e in a["examples"]}
        check(got <= ids, "%s: examples %r not all touched (%r)" % (a["subject"], got, ids))
        check(len(got) == min(5, len(ids)), "%s: %d examples of %d touched"
              % (a["subject"], len(got), len(ids)))


def check_formats(args, lims, runs, what, recorded=None, filtered=False):
    """The same hits in the text, Markdown and HTML reports."""
    text = rep(args, "text")
    line = summary(lims, recorded)
    check(unwrap(text, "  limits hit    ") == line,
          "%s: text summary %r vs %r" % (what, unwrap(text, "  limits hit    "), line))
    md = rep(args, "md")
    check("\n| Limits hit | %s |\n" % line in md, "%s: Markdown row 'Limits hit | %s'"
          % (what, line))
    html = rep(args, "html")
    hits = sum(l[3] for l in lims)
    check('<td id="limit-hits" data-hits="%d">' % hits in html, "%s: HTML limit-hits" % what)
    check(("limit hits</div>" in html) == (hits > 0), "%s: HTML card only with hits" % what)
    reached = [l for l in lims if l[3] > 0]
    check(html.count('data-kind="limit-reached"') == len(reached),
          "%s: HTML %d limit-reached" % (what, len(reached)))
    for n, lo, hi, h, k in reached:
        ev = evidence(n, lo, hi, h, k, runs, filtered)
        check(text_anomaly(text, n) == ev, "%s: text evidence of %s: %r vs %r"
              % (what, n, text_anomaly(text, n), ev))
        check("| limit-reached | %s | %s |" % (n, ev.replace("_", "\\_")) in md,
              "%s: Markdown row of %s" % (what, n))
        check('<p class="evidence">%s</p>' % ev in html, "%s: HTML evidence of %s" % (what, n))


def test_tight(tmp):
    db = os.path.join(tmp, "tight.db")
    read(db, TIGHT)
    lims = limits_of([db])
    reached = [l[0] for l in lims if l[3] > 0]
    check("max-connections" in reached and "max-headers" in reached,
          "tight limits reached: %r" % reached)
    doc = doc_of([db])
    check_json(doc, lims, 1, "tight")
    check_examples(doc, db)
    check_formats([db], lims, 1, "tight")
    return db


def test_all(tmp):
    db = os.path.join(tmp, "all.db")
    read(db, ALL)
    lims = limits_of([db])
    reached = [l[0] for l in lims if l[3] > 0]
    check(reached == ["max-header-bytes", "max-uri-bytes", "max-pending",
                      "max-stored-header-bytes"], "four more limits reached: %r" % reached)
    doc = doc_of([db])
    check_json(doc, lims, 1, "all")
    check_examples(doc, db)
    check_formats([db], lims, 1, "all")


def test_default(tmp):
    db = os.path.join(tmp, "default.db")
    read(db, [])
    lims = limits_of([db])
    check([l[0] for l in lims] == ORDER and all(l[3] == 0 for l in lims),
          "default run: every limit recorded, none reached: %r" % lims)
    doc = doc_of([db])
    check(doc is not None and limit_anomalies(doc) == [], "default run: no limit-reached")
    check_json(doc, lims, 1, "default")
    check_formats([db], lims, 1, "default")


def test_old(tmp, tight):
    """A database written before capture_limits existed: no table, still a report."""
    old = os.path.join(tmp, "old.db")
    shutil.copy(tight, old)
    con = sqlite3.connect(old)
    con.execute("DROP TABLE capture_limits")
    con.commit()
    con.close()
    for fmt in ("text", "json", "md", "html"):
        rep([old], fmt)
    text = rep([old], "text")
    check(unwrap(text, "  limits hit    ") ==
          "not recorded (databases older than table capture_limits)", "old: not recorded")
    doc = doc_of([old])
    if doc:
        c = doc["capture"]
        check(c["limit_runs"] == 0 and c["limits"] == [] and c["limit_hits"] == 0,
              "old: no limits in JSON")
        check(limit_anomalies(doc) == [], "old: no limit-reached")
        validate(doc, "old")
    md = rep([old], "md")
    check("| Limits hit | not recorded (databases older than table capture\\_limits) |" in md,
          "old: Markdown says not recorded")
    # with a newer database: its limits, one of two runs recorded
    lims = limits_of([tight])
    doc = doc_of([old, tight])
    check(doc is not None and doc["capture"]["limit_runs"] == 1 and doc["capture"]["runs"] == 2,
          "old + new: 1 of 2 runs recorded limits")
    check_json(doc, lims, 1, "old + new")
    check_formats([old, tight], lims, 1, "old + new", recorded=(1, 2))


def test_filters(tight):
    """Limits are per run: the filters keep the counts and the evidence says so."""
    lims = limits_of([tight])
    host = query(tight, "SELECT host FROM transactions WHERE host IS NOT NULL"
                        " GROUP BY host ORDER BY count(*) DESC LIMIT 1")[0][0]
    for args in (["--host", host], ["--since", "2000-01-01", "--until", "2000-01-02"]):
        doc = doc_of([tight] + args)
        check_json(doc, lims, 1, "filter %r" % args, filtered=True)
        check_formats([tight] + args, lims, 1, "filter %r" % args, filtered=True)
        examples = [e["id"] for a in limit_anomalies(doc) for e in a["examples"]]
        if args[0] == "--since":  # the examples are reported transactions: none here
            check(examples == [], "empty window: no examples, still the counts")
            continue
        check(examples, "--host: examples")
        for i in examples:
            h = query(tight, "SELECT host FROM transactions WHERE id = %d" % i)[0][0]
            check(h == host, "--host %s: example %d has host %r" % (host, i, h))


def test_two_runs(tmp):
    """Two runs with different caps: hits summed, values as a range, the runs named; the
    same whether the runs share a database or not."""
    both = os.path.join(tmp, "both.db")
    a = os.path.join(tmp, "a.db")
    b = os.path.join(tmp, "b.db")
    read(both, TIGHT)
    read(both, ["--max-headers", "5"])
    read(a, TIGHT)
    read(b, ["--max-headers", "5"])
    lims = limits_of([both])
    heads = [l for l in lims if l[0] == "max-headers"][0]
    check(heads[1:3] == (3, 5) and heads[4] == 2, "two runs: max-headers 3 to 5, both hit")
    one = doc_of([both])
    check_json(one, lims, 2, "two runs")
    check_formats([both], lims, 2, "two runs")
    two = doc_of([a, b])
    check_json(two, lims, 2, "two databases")
    if one and two:
        check(limit_anomalies(one) == limit_anomalies(two) and
              one["capture"]["limits"] == two["capture"]["limits"],
              "two databases report the limits of one database with both runs")


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-limits-")
    try:
        tight = test_tight(tmp)
        test_all(tmp)
        test_default(tmp)
        test_old(tmp, tight)
        test_filters(tight)
        test_two_runs(tmp)
    finally:
        shutil.rmtree(tmp)
    if jsonschema is None:
        print("note: python3-jsonschema missing, schema not checked here")
    return report()


if __name__ == "__main__":
    sys.exit(main())
