#!/usr/bin/env python3
"""test_pg_push.py - the spool and `httpcap push`: nothing lost, nothing stored twice, no
password shown or stored. On a generated capture (build/tests/genload, ~30,000
exchanges) and the bundled sample:
 1. unreachable server at the start of `read -o postgresql://`: exit 1, one line saying
    where the rows are kept and the `httpcap push` command to run; the spool holds every
    row; that push loads them (exit 0) and PostgreSQL then holds what `read -o x.db`
    stores;
 2. idempotency: a copy of the spool taken before the push (the state a crash between
    PostgreSQL's commit and the spool's delete leaves) pushed again changes no count, and
    says how many batches held rows PostgreSQL already had (a first push says nothing:
    its batches are copied straight into the tables);
    `push` killed with SIGKILL in the middle, then run again: every row once;
 3. secrets: a wrong password (in the URL, in PGPASSWORD) fails with one line that holds
    neither the password nor the URL's; with the right password in the URL, no output,
    no stored row (pg_dump of the database), no spool byte and no /proc/PID/cmdline of
    a running capture holds it.
Needs the cluster of tests/pg_cluster.sh. Env: HTTPCAP, BUILD.
Prints "N passed, N failed[, N skipped]"."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import pgkit
from testkit import HTTPCAP, ROOT, SAMPLE, check, free_port, report, sane

BUILD = os.environ.get("BUILD", "build")
GENLOAD = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD),
                       "tests", "genload")
TABLES = ("captures", "connections", "transactions", "violations", "headers")


def run(args, env, cwd, timeout=300):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, env=env, cwd=cwd,
                         timeout=timeout)
    sane(res, " ".join(args))
    res.stderr = res.stderr.decode(errors="replace")
    return res


def counts_pg(c, db):
    out = {}
    for t in TABLES:
        out[t] = int(pgkit.psql(c, db, "SELECT count(*) FROM %s" % t)[0][0])
    return out


def counts_sqlite(path):
    con = sqlite3.connect(path)
    out = {t: con.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in TABLES}
    con.close()
    return out


def test_unreachable(c, env, tmp, pcap, ref):
    what = "read -o an unreachable server"
    down = "postgresql://httpcap@127.0.0.1:%d/push_test" % free_port()
    res = run(["read", "-q", pcap, "--store-headers", "-o", down, "--spool", "u.spool"], env,
              tmp)
    lines = res.stderr.splitlines()
    check(res.returncode == 1, "%s: exit %d" % (what, res.returncode))
    check(len(lines) == 1 and "Connection refused" in res.stderr and
          "httpcap push u.spool " + down in res.stderr and "kept in u.spool" in res.stderr,
          "%s: one line naming the spool and the push command: %r" % (what, res.stderr))
    spool = os.path.join(tmp, "u.spool")
    left = counts_sqlite(spool)
    check(left["transactions"] == ref["transactions"] and left["headers"] == ref["headers"],
          "%s: the spool holds every row: %r, want %r" % (what, left, ref))
    shutil.copy(spool, os.path.join(tmp, "copy.spool"))
    shutil.copy(spool, os.path.join(tmp, "kill.spool"))
    url = pgkit.new_database(c, "push_test")
    res = run(["push", "u.spool", url], env, tmp)
    check(res.returncode == 0 and "pushed" in res.stderr, "push: %d %r" % (res.returncode,
                                                                     res.stderr))
    check("already in PostgreSQL" not in res.stderr,
          "a first push copies every batch straight in: %r" % res.stderr)
    got = counts_pg(c, "push_test")
    check(got == ref, "%s, then push: PostgreSQL holds %r, read -o x.db %r" % (what, got, ref))
    check(counts_sqlite(spool)["transactions"] == 0, "push empties the spool")
    return url


def test_idempotent(c, env, tmp, url, ref):
    res = run(["push", "copy.spool", url], env, tmp)
    check(res.returncode == 0, "push of the copy: %r" % res.stderr)
    got = counts_pg(c, "push_test")
    check(got == ref, "the same spool pushed twice: %r, want %r" % (got, ref))
    # a batch takes up to PG_PUSH_BATCH_ROWS (10,000) rows of each table
    batches = max(-(-ref[t] // 10000) for t in TABLES if t != "captures")
    check(" (%d batches held rows already in PostgreSQL" % batches in res.stderr,
          "each of the copy's %d batches went again through staging: %r"
          % (batches, res.stderr))
    url2 = pgkit.new_database(c, "push_kill")
    kills = 0
    for delay in (0.25, 0.5):
        proc = subprocess.Popen([HTTPCAP, "push", "kill.spool", url2], cwd=tmp, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate()
    check(kills > 0, "push was still running when killed (%d kills)" % kills)
    mid = counts_pg(c, "push_kill")
    res = run(["push", "kill.spool", url2], env, tmp)
    check(res.returncode == 0, "push after SIGKILL: %r" % res.stderr)
    got = counts_pg(c, "push_kill")
    check(got == ref, "SIGKILL mid-push (%r in PostgreSQL then), push again: %r, want %r"
          % (mid, got, ref))
    dup = pgkit.psql(c, "push_kill", "SELECT count(*) - count(DISTINCT (capture_id,"
                                     " connection_id, seq)) FROM transactions")
    check(dup == [["0"]], "no exchange stored twice: %r" % dup)
    ids = pgkit.psql(c, "push_kill", "SELECT min(id), max(id) FROM transactions")
    check(ids == [["1", str(ref["transactions"])]], "ids 1..%d as in SQLite: %r"
          % (ref["transactions"], ids))


def no_secret(text, secret, what):
    check(secret not in text, "%s: the password shows: %r" % (what, text[:300]))


def test_secrets(c, tmp):
    pw = c["PASSWORD"]
    bad = "Wr0ngSecret42"
    base = pgkit.client_env(c)
    del base["PGPASSFILE"]
    noauth = dict(base, PGPASSFILE=os.path.join(tmp, "none"))
    db = pgkit.url(c, "push_secret", bad)
    res = run(["read", "-q", SAMPLE, "-o", db, "--spool", "s1.spool"], noauth, tmp)
    check(res.returncode == 1 and "password authentication failed" in res.stderr,
          "wrong password in the URL: exit %d %r" % (res.returncode, res.stderr))
    no_secret(res.stderr, bad, "wrong password in the URL")
    check("httpcap@" in res.stderr and ":***" not in res.stderr,
          "the message names the URL without a password: %r" % res.stderr)
    res = run(["push", "s1.spool", pgkit.url(c, "push_secret")],
              dict(noauth, PGPASSWORD=bad), tmp)
    check(res.returncode == 1 and res.stderr.count("\n") == 1 and
          "password authentication failed" in res.stderr,
          "wrong PGPASSWORD: exit %d, one line %r" % (res.returncode, res.stderr))
    no_secret(res.stderr, bad, "wrong PGPASSWORD")
    pgkit.new_database(c, "push_secret")
    good = pgkit.url(c, "push_secret", pw)
    res = run(["read", SAMPLE, "-o", good, "--spool", "s2.spool"], noauth, tmp)
    check(res.returncode == 0, "the password in the URL: %r" % res.stderr)
    no_secret(res.stderr, pw, "read's messages")
    res = run(["push", "s1.spool", good], noauth, tmp)
    check(res.returncode == 0, "push with the password in the URL: %r" % res.stderr)
    no_secret(res.stderr, pw, "push's messages")
    dump = subprocess.run([os.path.join(c["PG_BIN"], "pg_dump"), "--data-only", "-d",
                           "push_secret"], capture_output=True, text=True,
                          env=pgkit.client_env(c))
    check(dump.returncode == 0 and "COPY public.transactions" in dump.stdout and
          "\tGET\t" in dump.stdout, "pg_dump: %r" % dump.stderr[:200])
    no_secret(dump.stdout, pw, "the stored rows (pg_dump)")
    for f in ("s1.spool", "s2.spool"):
        with open(os.path.join(tmp, f), "rb") as fh:
            no_secret(fh.read().decode("latin-1"), pw, f)
    check_cmdline(tmp, noauth, good, pw)


def check_cmdline(tmp, env, good, pw):
    """A running capture's /proc/PID/cmdline (what ps shows) holds no password."""
    if os.geteuid() != 0:
        print("skipped: capture needs root (cmdline check)")
        return
    proc = subprocess.Popen([HTTPCAP, "capture", "-i", "lo", "-f", "tcp port 9", "-q", "-o",
                             good, "--spool", "c.spool", "--duration", "3"], cwd=tmp,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    try:
        with open("/proc/%d/cmdline" % proc.pid, "rb") as f:
            cmdline = f.read().decode("latin-1")
    except OSError:
        cmdline = ""
    out, err = proc.communicate(timeout=30)
    check("postgresql://httpcap:" in cmdline, "cmdline read: %r" % cmdline)
    no_secret(cmdline, pw, "/proc/PID/cmdline of a capture")
    no_secret(err.decode(errors="replace"), pw, "capture's messages")
    check(proc.returncode == 0, "capture with the password in the URL: %r" % err)


def main():
    c = pgkit.cluster()
    if not c:
        return pgkit.skip_all("no PostgreSQL cluster (tests/pg_cluster.sh)")
    tmp = tempfile.mkdtemp(prefix="httpcap-pgpush-")
    env = pgkit.client_env(c)
    try:
        pcap = os.path.join(tmp, "load.pcap")
        gen = subprocess.run([GENLOAD, pcap, "--bytes", "40M", "--concurrent", "64", "--seed",
                              "5"], capture_output=True)
        check(gen.returncode == 0, "genload: %r" % gen.stderr)
        res = run(["read", "-q", pcap, "--store-headers", "-o", "ref.db"], env, tmp)
        check(res.returncode == 0, "read -o ref.db: %r" % res.stderr)
        ref = counts_sqlite(os.path.join(tmp, "ref.db"))
        check(ref["transactions"] > 20000, "the capture: %r" % ref)
        url = test_unreachable(c, env, tmp, pcap, ref)
        test_idempotent(c, env, tmp, url, ref)
        test_secrets(c, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report()


if __name__ == "__main__":
    sys.exit(main())
