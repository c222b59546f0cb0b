#!/usr/bin/env python3
"""test_pg_sensors.py - two sensors into one PostgreSQL database equal one SQLite database
holding both captures. The hour of tests/tools/genanomaly.c cut in two (--part 1/2 and
2/2) is read by two "sensors" (`read -o postgresql://... --sensor s1/s2 --store-headers`,
each with its own spool, as on two hosts), and the same two files into one SQLite file:
 1. row counts of every table are equal, and so are the rows themselves (ids included;
    captures without their wall-clock started_ns/finished_ns, which differ from run to
    run), with captures.sensor s1 and s2;
 2. `report postgresql://...` equals `report both.db` byte for byte in json, text, md and
    html, also with --since/--until/--host (pushed down into the copy);
 3. the spools are empty afterwards (every row was shipped, then deleted) and a second
    `push` of each moves nothing and changes nothing.
No field is removed before comparing the reports: ids, times and counts all match.
Needs the cluster of tests/pg_cluster.sh. Env: HTTPCAP, BUILD.
Prints "N passed, N failed[, N skipped]"."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import pgkit
from testkit import HTTPCAP, ROOT, check, report, sane

BUILD = os.environ.get("BUILD", "build")
GEN = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD),
                   "tests", "genanomaly")
TABLES = ("captures", "capture_skips", "capture_limits", "connections", "transactions",
          "violations", "headers")
ORDER = {"capture_skips": "capture_id, reason", "capture_limits": "capture_id, name",
         "headers": "transaction_id, direction, position"}
CAPTURE_COLUMNS = ("id, source, filter, link_type, link_type_name, first_packet_ns,"
                   " last_packet_ns, packets, bytes, tcp_segments, ip_fragments,"
                   " skipped_packets, kernel_drops, interface_drops, connections,"
                   " peak_connections, transactions, gap_bytes, clamped_timestamps, truncated,"
                   " error, program_version, sensor")


def run(args, env, cwd):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, env=env, cwd=cwd)
    sane(res, " ".join(args))
    return res


def rows_sqlite(db, table):
    cols = CAPTURE_COLUMNS if table == "captures" else "*"
    con = sqlite3.connect(db)
    rows = [[None if v is None else str(v) for v in r]
            for r in con.execute("SELECT %s FROM %s ORDER BY %s"
                                 % (cols, table, ORDER.get(table, "id")))]
    con.close()
    return rows


def rows_pg(c, table):
    cols = CAPTURE_COLUMNS if table == "captures" else "*"
    return pgkit.psql(c, "sensors", "SELECT %s FROM %s ORDER BY %s"
                      % (cols, table, ORDER.get(table, "id")))


def check_rows(c, both):
    for t in TABLES:
        want, got = rows_sqlite(both, t), rows_pg(c, t)
        check(len(want) == len(got), "%s: %d rows in SQLite, %d in PostgreSQL"
              % (t, len(want), len(got)))
        diff = [(a, b) for a, b in zip(want, got) if a != b]
        check(not diff, "%s: rows differ, first %r" % (t, diff[:1]))
        if t in ("transactions", "headers", "violations"):
            check(len(want) > (0 if t == "violations" else 1000),
                  "%s: %d rows compared" % (t, len(want)))
    sensors = pgkit.psql(c, "sensors", "SELECT id, sensor FROM captures ORDER BY id")
    check(sensors == [["1", "s1"], ["2", "s2"]], "captures.sensor: %r" % sensors)


def check_reports(c, url, env, tmp):
    T0 = 1767261600
    for extra in ([], ["--since", str(T0 + 20 * 60), "--until", "2026-01-01T10:41:00Z"],
                  ["--host", "API.example.com"]):
        for fmt in ("json", "text", "md", "html"):
            a = run(["report", "both.db", "--format", fmt] + extra, env, tmp)
            b = run(["report", url, "--format", fmt] + extra, env, tmp)
            what = "report %s %s" % (fmt, " ".join(extra))
            check(a.returncode == 0 and b.returncode == 0,
                  "%s: exit %d/%d %r" % (what, a.returncode, b.returncode, b.stderr[:300]))
            check(len(a.stdout) > 1000 and a.stdout == b.stdout,
                  "%s: PostgreSQL's differs from SQLite's (%d vs %d bytes)"
                  % (what, len(b.stdout), len(a.stdout)))
    text = run(["report", url], env, tmp).stdout.decode("utf-8", "replace")
    check("\n  sensors       s1 (1 run)\n                s2 (1 run)\n" in text,
          "the report names both sensors: %r" % text[:400])
    left = [f for f in os.listdir(os.environ.get("TMPDIR", "/tmp"))
            if f.startswith("httpcap-report-")]
    check(not left, "report leaves no temporary database: %r" % left[:3])


def main():
    c = pgkit.cluster()
    if not c:
        return pgkit.skip_all("no PostgreSQL cluster (tests/pg_cluster.sh)")
    tmp = tempfile.mkdtemp(prefix="httpcap-pgsensors-")
    env = pgkit.client_env(c)
    try:
        for part, name in (("1/2", "a.pcap"), ("2/2", "b.pcap")):
            gen = subprocess.run([GEN, os.path.join(tmp, name), "--part", part],
                                 capture_output=True)
            check(gen.returncode == 0, "genanomaly --part %s: %s" % (part, gen.stderr))
        url = pgkit.new_database(c, "sensors")
        for pcap, sensor in (("a.pcap", "s1"), ("b.pcap", "s2")):
            res = run(["read", "-q", pcap, "--store-headers", "--sensor", sensor, "-o", url,
                       "--spool", sensor + ".spool"], env, tmp)
            check(res.returncode == 0 and res.stderr == b"",
                  "read %s -o postgresql: %d %r" % (pcap, res.returncode, res.stderr))
            res = run(["read", "-q", pcap, "--store-headers", "--sensor", sensor, "-o",
                       "both.db"], env, tmp)
            check(res.returncode == 0, "read %s -o both.db: %r" % (pcap, res.stderr))
        check_rows(c, os.path.join(tmp, "both.db"))
        check_reports(c, url, env, tmp)
        for sensor in ("s1", "s2"):
            spool = os.path.join(tmp, sensor + ".spool")
            con = sqlite3.connect(spool)
            left = [con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                    for t in ("connections", "transactions", "violations", "headers")]
            con.close()
            check(left == [0, 0, 0, 0], "%s: the spool still holds %r rows" % (sensor, left))
            res = run(["push", spool, url], env, tmp)
            check(res.returncode == 0, "push of an empty spool: %r" % res.stderr)
        check_rows(c, os.path.join(tmp, "both.db"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
