#!/usr/bin/env python3
"""test_pg_schema.py - the PostgreSQL schema (sql/pg/) in step with the SQLite one (sql/):
 1. the same tables with the same columns in the same order (SQLite: pragma table_info of
    a database httpcap made; PostgreSQL: information_schema, after a push made the schema),
    besides the PostgreSQL-only bookkeeping listed in PG_ONLY;
 2. the same views with the same columns in the same order;
 3. the same rows: rules and status_codes equal, and every column of v_transactions,
    v_violations, v_rule_counts, connections and headers of the bundled sample and of
    the SQL-injection capture of tests/tools/geninject.c (quotes, backslashes, a tab:
    what COPY's text format must escape) equal, value for value (ms as doubles, `time`
    as SQLite's strftime text).
Needs the cluster of tests/pg_cluster.sh (tests/run.sh starts it; "skipped" without).
Env: HTTPCAP, BUILD.
Prints "N passed, N failed[, N skipped]"."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import pgkit
from testkit import HTTPCAP, ROOT, SAMPLE, check, report, sane

BUILD = os.environ.get("BUILD", "build")
GENINJECT = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD),
                         "tests", "geninject")

# PostgreSQL-only tables (and columns): where each sensor's capture ids went
PG_ONLY = {"capture_origins"}


def sqlite_schema(db):
    con = sqlite3.connect(db)
    out = {}
    for kind in ("table", "view"):
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = ? AND"
                                           " name NOT LIKE 'sqlite_%'", (kind,))]
        out[kind] = {n: [r[1] for r in con.execute("PRAGMA table_info(%s)" % n)]
                     for n in names}
    con.close()
    return out


def pg_schema(c, db):
    out = {"table": {}, "view": {}}
    kinds = dict(pgkit.psql(c, db, "SELECT table_name, table_type FROM information_schema.tables"
                                   " WHERE table_schema = 'public'"))
    for name, col in pgkit.psql(c, db, "SELECT table_name, column_name FROM"
                                       " information_schema.columns WHERE table_schema ="
                                       " 'public' ORDER BY table_name, ordinal_position"):
        kind = "view" if kinds.get(name) == "VIEW" else "table"
        out[kind].setdefault(name, []).append(col)
    return out


def same(lite, pg):
    """One SQLite value (typed) and psql's text of the PostgreSQL one: equal? Doubles
    compare as numbers (psql prints 90 where Python prints 90.0)."""
    if lite is None or pg is None:
        return lite is None and pg is None
    if isinstance(lite, float):
        try:
            return float(pg) == lite
        except ValueError:
            return False
    return str(lite) == pg


def compare_rows(c, pgdb, db, sql, what):
    con = sqlite3.connect(db)
    want = con.execute(sql).fetchall()
    con.close()
    got = pgkit.psql(c, pgdb, sql)
    check(len(want) > 0, "%s: rows in SQLite" % what)
    diff = [(a, b) for a, b in zip(want, got)
            if len(a) != len(b) or not all(same(x, y) for x, y in zip(a, b))]
    check(len(want) == len(got) and not diff,
          "%s: %d rows in SQLite, %d in PostgreSQL; first differences %r"
          % (what, len(want), len(got), diff[:2]))


# connections whose truncated counts differ from their transactions' flags
WRONG_COUNTS = ("SELECT count(*) FROM connections c LEFT JOIN (SELECT connection_id,"
                " count(*) AS n, count(status) AS a FROM transactions"
                " WHERE strpos(flags, 'truncated') > 0 GROUP BY connection_id) k"
                " ON k.connection_id = c.id WHERE c.truncated <> coalesce(k.n, 0)"
                " OR c.truncated_with_status <> coalesce(k.a, 0)")


def check_upgrade(c, url, env, tmp):
    """A database of schema version 2 (no truncated counts in connections): `report` reads
    it as it reads its version-3 self (from the flags), and the next push adds the
    columns, counted from the flags of its old rows, and says version 3."""
    before = subprocess.run([HTTPCAP, "report", url], capture_output=True, env=env)
    check(before.returncode == 0 and b"reset-mid-response" in before.stdout,
          "report of the version-3 database: %r" % before.stderr)
    pgkit.psql(c, "schema_test", "ALTER TABLE connections DROP COLUMN truncated,"
               " DROP COLUMN truncated_with_status")
    pgkit.psql(c, "schema_test", "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    old = subprocess.run([HTTPCAP, "report", url], capture_output=True, env=env)
    check(old.returncode == 0 and old.stdout == before.stdout,
          "report of the version-2 database: the same: %d %r" % (old.returncode, old.stderr))
    res = subprocess.run([HTTPCAP, "read", "-q", SAMPLE, "-o", url, "--spool",
                          os.path.join(tmp, "spool2.db")], capture_output=True, env=env)
    check(res.returncode == 0, "push into a version-2 database: %r" % res.stderr)
    got = pgkit.psql(c, "schema_test", "SELECT value FROM meta WHERE key = 'schema_version'")
    check(got == [["3"]], "upgraded to version 3: %r" % got)
    got = pgkit.psql(c, "schema_test", WRONG_COUNTS)
    check(got == [["0"]], "every connection's truncated counts match its flags: %r" % got)
    got = pgkit.psql(c, "schema_test", "SELECT sum(truncated), count(DISTINCT capture_id)"
                     " FROM connections WHERE truncated > 0")
    check(len(got) == 1 and int(got[0][0] or 0) >= 4 and int(got[0][1] or 0) >= 2,
          "truncated transactions counted in old and new captures: %r" % got)


def main():
    c = pgkit.cluster()
    if not c:
        return pgkit.skip_all("no PostgreSQL cluster (tests/pg_cluster.sh: server binaries"
                              " not installed?)")
    tmp = tempfile.mkdtemp(prefix="httpcap-pgschema-")
    try:
        url = pgkit.new_database(c, "schema_test")
        db = os.path.join(tmp, "s.db")
        env = pgkit.client_env(c)
        gen = subprocess.run([GENINJECT, tmp], capture_output=True)
        check(gen.returncode == 0, "geninject: %r" % gen.stderr)
        for pcap in (SAMPLE, os.path.join(tmp, "inject.pcap")):
            for args in (["-o", db], ["-o", url, "--spool", os.path.join(tmp, "spool.db")]):
                res = subprocess.run([HTTPCAP, "read", "-q", "--store-headers", pcap] + args,
                                     capture_output=True, env=env)
                sane(res, "read " + " ".join(args))
                check(res.returncode == 0, "read %s: %r" % (args, res.stderr))
        lite = sqlite_schema(db)
        pg = pg_schema(c, "schema_test")
        for kind in ("table", "view"):
            only_lite = set(lite[kind]) - set(pg[kind])
            only_pg = set(pg[kind]) - set(lite[kind]) - PG_ONLY
            check(not only_lite and not only_pg, "%ss only in SQLite %s, only in PostgreSQL %s"
                  % (kind, sorted(only_lite), sorted(only_pg)))
            for name in sorted(set(lite[kind]) & set(pg[kind])):
                check(lite[kind][name] == pg[kind][name],
                      "%s %s: columns differ:\n  SQLite     %r\n  PostgreSQL %r"
                      % (kind, name, lite[kind][name], pg[kind][name]))
        check(PG_ONLY <= set(pg["table"]), "PostgreSQL has %s" % sorted(PG_ONLY))
        check(len(lite["table"]) >= 10 and len(lite["view"]) == 3,
              "schemas read: %d tables, %d views" % (len(lite["table"]), len(lite["view"])))
        for sql, what in (("SELECT * FROM rules ORDER BY id", "rules"),
                          ("SELECT * FROM status_codes ORDER BY code", "status_codes"),
                          ("SELECT * FROM v_transactions ORDER BY id", "v_transactions"),
                          ("SELECT * FROM v_violations ORDER BY id", "v_violations"),
                          ("SELECT * FROM v_rule_counts ORDER BY rule", "v_rule_counts"),
                          ("SELECT * FROM connections ORDER BY id", "connections"),
                          ("SELECT * FROM headers ORDER BY transaction_id, direction,"
                           " position", "headers")):
            compare_rows(c, "schema_test", db, sql, what)
        check_upgrade(c, url, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
