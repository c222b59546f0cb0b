#!/usr/bin/env python3
"""test_db_faults.py - the database under hostile conditions. Every failure is one line
"httpcap: FILE: what happened" with exit status 1, and rows already committed are kept:
 1. not writable: a directory the user may not write (as nobody when root), a read-only
    database file;
 2. disk full (root: a 1 MiB tmpfs): "database or disk is full", the capture read before
    is intact (integrity_check ok, its 47 transactions) and `report` still works;
 3. locked by another writer (python holding BEGIN IMMEDIATE, HTTPCAP_BUSY_TIMEOUT_MS
    1500): "locked by another process" after the wait, nothing written; released within
    the wait: the read succeeds; `report` reads while the lock is held; an exclusive
    locking_mode holder makes `report` fail with one line; a bad timeout value is refused;
 4. schema version newer, older than 1, unreadable or missing, another program's SQLite
    database: refused with the version found and expected, the file byte-identical; a
    version-1 database (before captures.sensor) is upgraded in place by the next read;
    meta.schema_fingerprint: the schema is installed again only by a different httpcap;
 5. not a database (text, random bytes, a pcap given as -o): refused, byte-identical,
    no side files left; `report` on all of 4 and 5 fails with one line naming the file;
 6. symbolic links (root: lchown): a link owned by nobody in a world-writable directory
    (sticky or not), a linked directory, a planted -wal, report -o, and capture's
    --write-pcap and -o through such links are refused, targets unchanged; a link we own, one in a
    directory only root may write, and (as nobody) nobody's own link are followed;
 7. SQL injection (tests/tools/geninject.c): quotes, backslashes, a tab, `'); DROP TABLE
    transactions; --` and `"; DELETE FROM connections; --` in URI, Host, User-Agent and
    X-Request-Id are stored byte for byte (transactions and headers), every table is
    still there, and report text/json/html/md show or escape them (JSON parses to the
    exact strings, HTML never carries them raw).
Root-only parts print "skipped: ..." otherwise. Env: HTTPCAP, BUILD.
Prints "N passed, N failed[, N skipped]"."""
import html
import json
import os
import pwd
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from testkit import HTTPCAP, ROOT, SAMPLE, check, counts, sane

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
IS_ROOT = os.geteuid() == 0
SAMPLE_TXNS = 47  # transactions in samples/loopback-mixed.pcap
skips = []


def skip(what):
    skips.append(what)
    print("skipped: " + what)


def nobody():
    """(uid, gid) of nobody, or None."""
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def run(args, env=None, as_user=None, timeout=120):
    """httpcap with args; as_user (uid, gid) runs it with no supplementary group."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    kw = {}
    if as_user:
        kw = {"user": as_user[0], "group": as_user[1], "extra_groups": []}
    res = subprocess.run([HTTPCAP] + args, capture_output=True, env=full_env,
                         timeout=timeout, **kw)
    res.stderr = res.stderr.decode(errors="replace")
    sane(res, " ".join(args))
    return res


def error_line(res, path, what, *words):
    """Exit 1 and one error line "httpcap: ... path ..." holding every word (the summary
    line `read` prints without -q is not an error line)."""
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    errors = [l for l in lines if not (" capture " in l and " packets" in l)]
    check(res.returncode == 1, "%s: exit %d, want 1: %r" % (what, res.returncode, res.stderr))
    check(len(errors) == 1, "%s: exactly one error line: %r" % (what, res.stderr))
    line = errors[0] if errors else ""
    check(all(c.isprintable() or c == "\n" for c in res.stderr),
          "%s: unprintable bytes in the message: %r" % (what, res.stderr))
    check(line.startswith("httpcap: ") and path in line,
          "%s: the error names %s: %r" % (what, path, line))
    for w in words:
        check(w in line, "%s: %r not in %r" % (what, w, line))
    return line


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_file(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def side_files(db):
    return [s for s in ("-wal", "-shm", "-journal") if os.path.exists(db + s)]


def count_txns(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
    try:
        return con.execute("SELECT count(*) FROM transactions").fetchone()[0]
    finally:
        con.close()


def read_sample(db, what):
    res = run(["read", "-q", SAMPLE, "-o", db])
    check(res.returncode == 0, "%s: reading the sample: %r" % (what, res.stderr))
    return res.returncode == 0


# ---- 1. not writable ----

def test_not_writable(tmp):
    who = nobody() if IS_ROOT else None
    if IS_ROOT and not who:
        check(False, "not writable: no user nobody")
        return
    uid = who[0] if who else os.geteuid()
    ro = os.path.join(tmp, "ro")
    os.mkdir(ro)
    os.chown(ro, uid, -1)
    os.chmod(ro, 0o555)
    db = os.path.join(ro, "x.db")
    what = "read -o into a directory we may not write%s" % (" (as nobody)" if who else "")
    res = run(["read", "-q", SAMPLE, "-o", db], as_user=who)
    error_line(res, db, what, "cannot create the database", "Permission denied")
    check(os.listdir(ro) == [], "%s: nothing created: %r" % (what, os.listdir(ro)))

    rw = os.path.join(tmp, "rw")
    os.mkdir(rw)
    db = os.path.join(rw, "ro.db")
    if not read_sample(db, "read-only database"):
        return
    before = read_bytes(db)
    for p in [rw, db]:
        os.chown(p, uid, -1)
    os.chmod(db, 0o444)
    what = "read -o a read-only database file"
    res = run(["read", "-q", SAMPLE, "-o", db], as_user=who)
    error_line(res, db, what, "readonly database")
    check(read_bytes(db) == before, "%s: the file changed" % what)
    res = run(["report", db], as_user=who)
    check(res.returncode == 0 and b"Capture" in res.stdout,
          "report on a read-only database file: exit %d %r" % (res.returncode, res.stderr))


# ---- 2. disk full ----

def mount_tmpfs(mnt, size):
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs",
                          mnt], capture_output=True, text=True)
    return res.returncode == 0, res.stderr.strip()


def test_disk_full(tmp):
    what = "disk full (1 MiB tmpfs)"
    if not IS_ROOT:
        skip("%s: needs root to mount a tmpfs" % what)
        return
    big = os.path.join(tmp, "big.pcap")
    gen = subprocess.run([os.path.join(BUILD, "tests", "genload"), big, "--bytes", "8M",
                          "--concurrent", "50"], capture_output=True, text=True)
    check(gen.returncode == 0, "%s: genload: %r" % (what, gen.stderr))
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    ok, why = mount_tmpfs(mnt, "1m")
    if not ok:
        skip("%s: cannot mount a tmpfs here: %s" % (what, why))
        return
    try:
        disk_full_on(mnt, big, what)
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def disk_full_on(mnt, big, what):
    db = os.path.join(mnt, "full.db")
    if not read_sample(db, what):
        return
    res = run(["read", big, "-o", db])
    error_line(res, db, what, "database or disk is full")
    check(not [l for l in res.stderr.splitlines() if " capture " in l and " packets" in l],
          "%s: no summary claims rows that were not stored: %r" % (what, res.stderr))
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    integrity = con.execute("PRAGMA integrity_check").fetchall()
    caps = con.execute("SELECT id, finished_ns IS NOT NULL, transactions FROM captures"
                       " ORDER BY id").fetchall()
    first = con.execute("SELECT count(*) FROM transactions WHERE capture_id = 1").fetchone()
    con.close()
    print("%s: %s; captures %r" % (what, res.stderr.strip().splitlines()[0], caps))
    check(integrity == [("ok",)], "%s: integrity_check %r" % (what, integrity))
    check(caps[:1] == [(1, 1, SAMPLE_TXNS)], "%s: the first capture row: %r" % (what, caps))
    check(first == (SAMPLE_TXNS,), "%s: the first capture's rows: %r" % (what, first))
    rep = run(["report", "--format", "json", db])
    check(rep.returncode == 0, "%s: report afterwards: %r" % (what, rep.stderr))


# ---- 3. locked ----

def hold_lock(db, mode="IMMEDIATE", exclusive_mode=False):
    con = sqlite3.connect(db, isolation_level=None, timeout=5, check_same_thread=False)
    if exclusive_mode:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
    con.execute("BEGIN %s" % mode)
    con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('test-lock', 'held')")
    return con


def test_locked(tmp):
    db = os.path.join(tmp, "locked.db")
    if not read_sample(db, "locked"):
        return
    fast = {"HTTPCAP_BUSY_TIMEOUT_MS": "1500"}
    con = hold_lock(db)
    what = "read while another writer holds the lock"
    t0 = time.monotonic()
    res = run(["read", "-q", SAMPLE, "-o", db], env=fast)
    took = time.monotonic() - t0
    line = error_line(res, db, what, "locked by another process", "waited 1.5 s")
    print("%s: %s (%.2f s)" % (what, line, took))
    check(1.4 <= took < 8, "%s: gave up after %.2f s, want the 1.5 s wait" % (what, took))
    rep = run(["report", db])
    check(rep.returncode == 0, "report while a writer holds the lock: %r" % rep.stderr)
    con.execute("ROLLBACK")
    check(count_txns(db) == SAMPLE_TXNS, "%s: rows changed: %d" % (what, count_txns(db)))

    what = "read while the lock is released within the wait"
    con.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.7, lambda: con.execute("ROLLBACK"))
    timer.start()
    t0 = time.monotonic()
    res = run(["read", "-q", SAMPLE, "-o", db], env={"HTTPCAP_BUSY_TIMEOUT_MS": "5000"})
    took = time.monotonic() - t0
    timer.join()
    check(res.returncode == 0, "%s: exit %d %r" % (what, res.returncode, res.stderr))
    check(took >= 0.6, "%s: finished in %.2f s, before the lock was released" % (what, took))
    check(count_txns(db) == 2 * SAMPLE_TXNS, "%s: %d rows" % (what, count_txns(db)))
    con.close()
    test_locked_exclusive(db)
    res = run(["read", "-q", SAMPLE, "-o", db], env={"HTTPCAP_BUSY_TIMEOUT_MS": "soon"})
    error_line(res, "HTTPCAP_BUSY_TIMEOUT_MS", "HTTPCAP_BUSY_TIMEOUT_MS=soon",
               "not a number of milliseconds")


def test_locked_exclusive(db):
    """A holder in exclusive locking mode keeps readers out too."""
    con = hold_lock(db, "EXCLUSIVE", exclusive_mode=True)
    con.execute("COMMIT")  # the lock stays: locking_mode=EXCLUSIVE
    res = run(["read", "-q", SAMPLE, "-o", db], env={"HTTPCAP_BUSY_TIMEOUT_MS": "300"})
    error_line(res, db, "read of an exclusively locked database", "locked by another process")
    res = run(["report", db])
    error_line(res, db, "report of an exclusively locked database", "locked")
    con.close()
    check(count_txns(db) == 2 * SAMPLE_TXNS, "exclusive lock: rows changed")


# ---- 4. schema versions and other programs' databases ----

def set_version(db, value):
    con = sqlite3.connect(db, isolation_level=None)
    if value is None:
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    else:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    con.close()


def refused_unchanged(db, what, read_words, report_words):
    before = read_bytes(db)
    res = run(["read", "-q", SAMPLE, "-o", db])
    line = error_line(res, db, "read: " + what, *read_words)
    print("read: %s: %s" % (what, line))
    check(read_bytes(db) == before, "read: %s: the file changed" % what)
    check(side_files(db) == [], "read: %s: side files left: %r" % (what, side_files(db)))
    res = run(["report", db])
    line = error_line(res, db, "report: " + what, *report_words)
    print("report: %s: %s" % (what, line))
    check(read_bytes(db) == before, "report: %s: the file changed" % what)


TRUNCATED_COUNTS = ("SELECT c.id, c.truncated, c.truncated_with_status, coalesce(k.n, 0),"
                    " coalesce(k.answered, 0) FROM connections c LEFT JOIN"
                    " (SELECT connection_id, count(*) AS n, count(status) AS answered"
                    " FROM transactions WHERE instr(flags, 'truncated') > 0"
                    " GROUP BY connection_id) k ON k.connection_id = c.id ORDER BY c.id")


def check_truncated_counts(db, what):
    """connections.truncated / truncated_with_status equal the rows' flags; the sample has
    truncated transactions, so the comparison cannot pass on zeros alone."""
    rows = sqlite3.connect(db).execute(TRUNCATED_COUNTS).fetchall()
    bad = [r for r in rows if (r[1], r[2]) != (r[3], r[4])]
    check(not bad, "%s: truncated counts differ from the flags: %r" % (what, bad[:3]))
    check(sum(r[3] for r in rows) > 0, "%s: the sample has truncated transactions" % what)


def make_old(db, version):
    """Make db look written by an httpcap of schema version 1 or 2."""
    con = sqlite3.connect(db, isolation_level=None)
    if version < 2:
        con.execute("ALTER TABLE captures DROP COLUMN sensor")
    con.execute("ALTER TABLE connections DROP COLUMN truncated")
    con.execute("ALTER TABLE connections DROP COLUMN truncated_with_status")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.close()


def test_upgrade(tmp):
    """Version-1 (no captures.sensor) and version-2 (no truncated counts of connections)
    databases are upgraded in place by the next read, which counts the old rows'
    truncated transactions; `report` reads them before and after, alone and with a
    current database, and says the same of a version-2 database as of its version-3
    copy (the scan reads the flags of the one, the connections' counts of the other)."""
    db = os.path.join(tmp, "v1.db")
    if not read_sample(db, "version 1"):
        return
    current = os.path.join(tmp, "v3.db")
    read_sample(current, "version 3")
    check_truncated_counts(current, "a new database")
    make_old(db, 1)
    res = run(["report", db, current, "--format", "json"])
    check(res.returncode == 0 and b'"runs": 2' in res.stdout,
          "report of a version-1 and a version-3 database: %d %r" % (res.returncode,
                                                                   res.stderr))
    res = run(["read", "-q", SAMPLE, "-o", db, "--sensor", "s2"])
    check(res.returncode == 0, "read into a version-1 database: %r" % res.stderr)
    con = sqlite3.connect(db)
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    sensors = con.execute("SELECT id, sensor FROM captures ORDER BY id").fetchall()
    n = con.execute("SELECT count(*) FROM transactions").fetchone()[0]
    con.close()
    check(version == ("3",), "upgraded to schema version 3: %r" % (version,))
    check(sensors == [(1, None), (2, "s2")], "captures.sensor after the upgrade: %r" % sensors)
    check(n == 2 * SAMPLE_TXNS, "both captures kept: %d transactions" % n)
    check_truncated_counts(db, "upgraded from version 1")

    v2 = os.path.join(tmp, "v2.db")
    shutil.copy(current, v2)
    make_old(v2, 2)
    for fmt in ("text", "json"):
        old = run(["report", v2, "--format", fmt])
        new = run(["report", current, "--format", fmt])
        check(old.returncode == 0 and old.stdout == new.stdout,
              "%s report of a version-2 database equals that of its version-3 copy" % fmt)
        old = run(["report", v2, "--format", fmt, "--host", "127.0.0.1"])
        new = run(["report", current, "--format", fmt, "--host", "127.0.0.1"])
        check(old.returncode == 0 and old.stdout == new.stdout,
              "%s report of one host: the same for both versions" % fmt)
    # the counts are what a version-3 report reads: zeroed, the reset and truncated-body
    # anomalies go (a filtered report still reads the flags)
    zeroed = os.path.join(tmp, "zeroed.db")
    shutil.copy(current, zeroed)
    con = sqlite3.connect(zeroed, isolation_level=None)
    con.execute("UPDATE connections SET truncated = 0, truncated_with_status = 0")
    con.close()
    full = run(["report", current]).stdout
    got = run(["report", zeroed]).stdout
    check(b"reset-mid-response" in full and b"truncated-bodies" in full,
          "the sample's report has the reset and truncated-body anomalies")
    check(b"reset-mid-response" not in got and b"truncated-bodies" not in got,
          "with the connections' counts zeroed, a version-3 report loses both")
    got = run(["report", zeroed, "--since", "2000-01-01"]).stdout
    check(b"reset-mid-response" in got and b"truncated-bodies" in got,
          "a filtered report (--since before the capture) counts the flags themselves")
    res = run(["read", "-q", SAMPLE, "-o", v2])
    check(res.returncode == 0, "read into a version-2 database: %r" % res.stderr)
    check_truncated_counts(v2, "upgraded from version 2")


def test_fingerprint(tmp):
    """meta.schema_fingerprint: a read into a database that holds this httpcap's schema
    installs nothing again (a rule edited by hand stays edited); another fingerprint, as a
    different httpcap would leave, makes the next read install everything again."""
    db = os.path.join(tmp, "fp.db")
    if not read_sample(db, "fingerprint"):
        return
    q = lambda sql: sqlite3.connect(db).execute(sql).fetchall()
    fp = q("SELECT value FROM meta WHERE key = 'schema_fingerprint'")
    check(len(fp) == 1 and re.fullmatch(r"[0-9a-f]{16}", fp[0][0] or ""),
          "meta.schema_fingerprint: %r" % fp)
    rule, summary = q("SELECT id, summary FROM rules ORDER BY id LIMIT 1")[0]
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("UPDATE rules SET summary = 'edited' WHERE id = ?", (rule,))
    con.close()
    check(read_sample(db, "fingerprint, same"), "read into the same schema")
    check(q("SELECT summary FROM rules WHERE id = '%s'" % rule) == [("edited",)],
          "the same fingerprint: nothing installed again")
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("UPDATE meta SET value = '0000000000000000'"
                " WHERE key = 'schema_fingerprint'")
    con.execute("DROP VIEW v_transactions")
    con.close()
    check(read_sample(db, "fingerprint, other"), "read after another httpcap")
    check(q("SELECT summary FROM rules WHERE id = '%s'" % rule) == [(summary,)],
          "another fingerprint: the rules are installed again")
    check(q("SELECT count(*) FROM v_transactions") == [(3 * SAMPLE_TXNS,)],
          "another fingerprint: the views are created again")
    check(q("SELECT value FROM meta WHERE key = 'schema_fingerprint'") == fp,
          "the fingerprint is this httpcap's again")


def test_versions(tmp):
    cases = [("7", "newer schema version", ["schema version 7", "knows version 3", "newer"],
              ["schema version 7"]),
             ("0", "older schema version", ["schema version 0", "knows version 3",
                                            "cannot upgrade"], ["not an httpcap database"]),
             ("v1; DROP TABLE meta", "unreadable schema version",
              ["unreadable schema version", "knows version 3"], ["not an httpcap database"]),
             (None, "no schema_version", ["not httpcap's", "no schema_version"],
              ["not an httpcap database"])]
    for i, (value, what, read_words, report_words) in enumerate(cases):
        db = os.path.join(tmp, "version-%d.db" % i)
        if read_sample(db, what):
            set_version(db, value)
            refused_unchanged(db, what, read_words, report_words)
    db = os.path.join(tmp, "other-program.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE accounts (name TEXT, balance INTEGER)")
    con.execute("INSERT INTO accounts VALUES ('alice', 10)")
    con.commit()
    con.close()
    refused_unchanged(db, "another program's SQLite database",
                      ["not httpcap's", "no meta table", "leaves it alone"], ["meta"])


# ---- 5. not a database ----

def test_not_a_database(tmp):
    rnd = random.Random(7)
    files = [("notes.txt", b"this is not a database\n" * 40, "a text file"),
             ("random.bin", bytes(rnd.randrange(256) for _ in range(20000)), "random bytes"),
             ("capture.pcap", read_bytes(SAMPLE), "a pcap given as -o")]
    for name, data, what in files:
        path = os.path.join(tmp, name)
        write_file(path, data)
        refused_unchanged(path, what, ["file is not a database", "leaves it alone"],
                          ["not a database"])


# ---- 6. symbolic links ----

def planted_link(link, target, uid):
    os.symlink(target, link)
    os.lchown(link, uid, -1)


def test_symlinks(tmp):
    who = nobody()
    if not IS_ROOT or not who:
        skip("symbolic links: needs root (lchown to nobody)")
        return
    target = os.path.join(tmp, "precious.txt")
    write_file(target, b"root's precious file\n")
    sample_db = os.path.join(tmp, "for-report.db")
    check(run(["read", "-q", SAMPLE, "-o", sample_db]).returncode == 0, "read for report -o")
    SAMPLE_DB_FOR_REPORT[:] = [sample_db]
    for mode in (0o1777, 0o777):
        shared = os.path.join(tmp, "shared-%o" % mode)
        os.mkdir(shared)
        os.chmod(shared, mode)
        refused_links(tmp, shared, target, who, "%04o" % mode)
    followed_links(tmp, who)


SAMPLE_DB_FOR_REPORT = []  # a database of the sample, made by test_symlinks


def refused_links(tmp, shared, target, who, label):
    before = read_bytes(target)
    link = os.path.join(shared, "evil.db")
    planted_link(link, target, who[0])
    res = run(["read", "-q", SAMPLE, "-o", link])
    line = error_line(res, link, "nobody's link in a %s directory" % label,
                      "refusing to follow", "uid %d" % who[0], "world-writable")
    print("symlink (%s): %s" % (label, line))
    empty = os.path.join(tmp, "empty-%s.log" % label)  # SQLite would make it a database
    write_file(empty, b"")
    planted_link(os.path.join(shared, "empty.db"), empty, who[0])
    res = run(["read", "-q", SAMPLE, "-o", os.path.join(shared, "empty.db")])
    error_line(res, "empty.db", "nobody's link to an empty file (%s)" % label,
               "refusing to follow")
    check(read_bytes(empty) == b"", "link to an empty file (%s): it was written" % label)
    inner = os.path.join(tmp, "inner-" + label)
    os.mkdir(inner)
    planted_link(os.path.join(shared, "dir"), inner, who[0])
    via = os.path.join(shared, "dir", "x.db")
    res = run(["read", "-q", SAMPLE, "-o", via])
    error_line(res, via, "a linked directory in a %s directory" % label, "refusing to follow")
    check(os.listdir(inner) == [], "linked directory (%s): files made: %r"
          % (label, os.listdir(inner)))
    side = os.path.join(shared, "side.db")
    planted_link(side + "-wal", target, who[0])
    res = run(["read", "-q", SAMPLE, "-o", side])
    error_line(res, side + "-wal", "a planted -wal in a %s directory" % label,
               "refusing to follow")
    report_out = os.path.join(shared, "report.txt")
    planted_link(report_out, target, who[0])
    res = run(["report", SAMPLE_DB_FOR_REPORT[0], "-o", report_out])
    error_line(res, report_out, "report -o through nobody's link (%s)" % label,
               "refusing to follow")
    check(read_bytes(target) == before, "symlinks (%s): the target changed" % label)
    if label == "1777":
        refused_capture(shared, target, who, before)


def refused_capture(shared, target, who, before):
    pcap = os.path.join(shared, "evil.pcap")
    planted_link(pcap, target, who[0])
    db = os.path.join(shared, "capture-ok.db")
    res = run(["capture", "-i", "lo", "-q", "--duration", "1", "-o", db, "--write-pcap", pcap],
              timeout=30)
    error_line(res, pcap, "capture --write-pcap through nobody's link", "refusing to follow")
    res = run(["capture", "-i", "lo", "-q", "--duration", "1", "-o",
               os.path.join(shared, "evil.db")], timeout=30)
    error_line(res, os.path.join(shared, "evil.db"), "capture -o through nobody's link",
               "refusing to follow")
    check(read_bytes(target) == before, "capture through links: the target changed")


def followed_links(tmp, who):
    shared = os.path.join(tmp, "shared-1777")
    mine = os.path.join(tmp, "mine.db")
    os.symlink(mine, os.path.join(shared, "mine.db"))
    res = run(["read", "-q", SAMPLE, "-o", os.path.join(shared, "mine.db")])
    check(res.returncode == 0 and count_txns(mine) == SAMPLE_TXNS,
          "our own link in a sticky directory is followed: %r" % res.stderr)
    private = os.path.join(tmp, "private")
    os.mkdir(private)
    theirs = os.path.join(tmp, "theirs.db")
    planted_link(os.path.join(private, "l.db"), theirs, who[0])
    res = run(["read", "-q", SAMPLE, "-o", os.path.join(private, "l.db")])
    check(res.returncode == 0 and count_txns(theirs) == SAMPLE_TXNS,
          "nobody's link in a directory only root may write is followed: %r" % res.stderr)
    home = os.path.join(tmp, "nobody-home")
    os.mkdir(home)
    os.chown(home, who[0], who[1])
    planted_link(os.path.join(shared, "nob.db"), os.path.join(home, "n.db"), who[0])
    res = run(["read", "-q", SAMPLE, "-o", os.path.join(shared, "nob.db")], as_user=who)
    check(res.returncode == 0 and count_txns(os.path.join(home, "n.db")) == SAMPLE_TXNS,
          "nobody follows nobody's own link in a sticky directory: %r" % res.stderr)


# ---- 7. SQL injection ----

# (uri, host, user_agent, request_id) as tests/tools/geninject.c puts them on the wire
INJECT = [
    (b"/x');%20DROP%20TABLE%20transactions;%20--", b"db'\"\\.example",
     b"\"; DELETE FROM connections; --", b"rid-'); DROP TABLE transactions; --"),
    (b"/x');DROP/**/TABLE/**/transactions;--", b"\"; DELETE FROM connections; --",
     b"ua\\'\"\\\\\tafter-tab", b"rid-\\\"'\\x00-not-a-nul"),
    (b"/q?id=1'%20OR%20'1'='1&u=\\\"", b"ctl\x01\x1f.example", b"ctl\x01-\x1f-end",
     b"rid\x01\"; DELETE FROM connections; --\x1f"),
    (b"/'||(SELECT%20sqlite_version())||'", b"x');DROP TABLE headers;--",
     b"Robert'); DROP TABLE transactions;--", b"\\'\\\"\\\\"),
]
CONTROL = 2  # llhttp refuses 0x01 in a field value: a parse-error, Host cut before it


def tables(db):
    return sorted(r[0] for r in sqlite3.connect(db).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"))


def test_injection(tmp):
    gen = subprocess.run([os.path.join(BUILD, "tests", "geninject"), tmp],
                         capture_output=True, text=True)
    check(gen.returncode == 0, "geninject: %r" % gen.stderr)
    db = os.path.join(tmp, "inject.db")
    res = run(["read", "-q", "--store-headers", os.path.join(tmp, "inject.pcap"), "-o", db])
    check(res.returncode == 0, "read inject.pcap: %r" % res.stderr)
    clean = os.path.join(tmp, "clean.db")
    read_sample(clean, "injection: a reference database")
    check(tables(db) == tables(clean), "injection: tables %r, want %r"
          % (tables(db), tables(clean)))
    con = sqlite3.connect(db)
    con.text_factory = bytes
    rows = con.execute("SELECT id, uri, host, user_agent, request_id FROM transactions"
                       " ORDER BY request_start_ns").fetchall()
    conns = con.execute("SELECT count(*) FROM connections").fetchone()[0]
    check(len(rows) == 4 and conns == 4, "injection: %d transactions, %d connections"
          % (len(rows), conns))
    for i, (want, row) in enumerate(zip(INJECT, rows)):
        stored_verbatim(con, i, want, row)
    con.close()
    reports_escape(db)


def stored_verbatim(con, i, want, row):
    got = tuple(row[1:])
    if i == CONTROL:
        detail = con.execute("SELECT detail FROM violations WHERE transaction_id = ? AND"
                             " rule = 'parse-error'", (row[0],)).fetchone()
        check(got[0] == want[0] and got[1] == b"ctl",
              "injection %d: uri and the Host before the control byte: %r" % (i, got))
        check(detail is not None and b"HPE_INVALID_HEADER_TOKEN" in detail[0],
              "injection %d: control byte recorded as parse-error: %r" % (i, detail))
        return
    check(got == want, "injection %d: stored %r, sent %r" % (i, got, want))
    hdrs = dict(con.execute("SELECT lower(name), value FROM headers WHERE transaction_id = ?"
                            " AND direction = 'request'", (row[0],)).fetchall())
    sent = {b"host": want[1], b"user-agent": want[2], b"x-request-id": want[3]}
    check(all(hdrs.get(k) == v for k, v in sent.items()),
          "injection %d: headers table %r, sent %r" % (i, hdrs, sent))


def strings_in(node):
    """Every string value in a parsed JSON document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings_in(v)


def reports_escape(db):
    out = {}
    for fmt in ("text", "json", "html", "md"):
        res = run(["report", "--format", fmt, db])
        check(res.returncode == 0, "injection: report --format %s: %r" % (fmt, res.stderr))
        out[fmt] = res.stdout.decode("utf-8", errors="replace")
    shown = [w for i, w in enumerate(INJECT) if i != CONTROL]
    try:
        values = set(strings_in(json.loads(out["json"])))
    except ValueError as e:
        check(False, "injection: JSON report does not parse: %s" % e)
        values = set()
    for uri, host, _, rid in shown:
        for s in (uri, host, rid):
            check(s.decode() in values, "injection: JSON lacks the exact %r" % s)
            check(s.decode() in out["text"], "injection: text report lacks %r" % s)
            check(s.decode() not in out["html"] or not set(s.decode()) & set("'\"<>&"),
                  "injection: HTML carries %r raw" % s)
        check(host.decode() in html.unescape(out["html"]),
              "injection: HTML lacks the escaped %r" % host)
    check(r"/'\|\|(SELECT%20sqlite\_version())\|\|'" in out["md"],
          "injection: Markdown does not escape | and _ in the URI")
    bad = [f for f in out if any(c in out[f] for c in "\x00\x01\x1b\x1f")]
    check(bad == [], "injection: control bytes in reports %r" % bad)


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-dbfaults-")
    os.chmod(tmp, 0o755)  # nobody must reach the directories made below
    try:
        for name, fn in [("not writable", test_not_writable), ("disk full", test_disk_full),
                         ("locked", test_locked), ("versions", test_versions), ("upgrade", test_upgrade),
                         ("fingerprint", test_fingerprint),
                         ("not a database", test_not_a_database),
                         ("symlinks", test_symlinks), ("injection", test_injection)]:
            sub = os.path.join(tmp, name.replace(" ", "-"))
            os.mkdir(sub)
            fn(sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    print(line + (", %d skipped" % len(skips) if skips else ""))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
