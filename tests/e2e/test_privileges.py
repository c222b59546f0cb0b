#!/usr/bin/env python3
"""test_privileges.py - `httpcap capture -Z USER` holds no root privilege once started.
 1. `capture -i lo -Z nobody --duration 3 -o DB --write-pcap F` in a directory of
    nobody's: while it runs, /proc/PID/status of the process and of each of its threads
    says real, effective, saved and file-system uid and gid are nobody's, no
    supplementary group, no inheritable, permitted, effective or ambient capability, and
    NoNewPrivs 1; it then exits 0 with a finished capture row, DB and F owned by nobody;
 2. -Z root is refused (exit 1, one line), and -Z of an unknown user too.
Needs root (skipped otherwise). Env: HTTPCAP. Prints "N passed, N failed[, N skipped]"."""
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import types

from testkit import HTTPCAP, check, report, sane


def status(path):
    """The fields of a /proc/.../status file, or {} when it is gone."""
    try:
        with open(path) as f:
            return dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
    except OSError:
        return {}


def wait_dropped(pid, uid, timeout=3.0):
    """Status once the uid is uid (the switch happens after the interface and DB open)."""
    deadline = time.monotonic() + timeout
    st = {}
    while time.monotonic() < deadline:
        st = status("/proc/%d/status" % pid)
        if st.get("Uid", "").split() == [str(uid)] * 4:
            return st
        time.sleep(0.02)
    return st


def thread_status(pid, timeout=1.0):
    """Status of each thread, once the writer thread (started after the switch, after the
    checkpoint thread) is there."""
    deadline = time.monotonic() + timeout
    tasks = {}
    while time.monotonic() < deadline:
        try:
            tasks = {t: status("/proc/%d/task/%s/status" % (pid, t))
                     for t in os.listdir("/proc/%d/task" % pid)}
        except OSError:
            break
        if any(st.get("Name") == "httpcap writer" for st in tasks.values()):
            break
        time.sleep(0.02)
    return tasks


def check_unprivileged(st, who, what):
    uid, gid = who
    check(st.get("Uid", "").split() == [str(uid)] * 4,
          "%s: Uid (real, effective, saved, fs) %r, want %d" % (what, st.get("Uid"), uid))
    check(st.get("Gid", "").split() == [str(gid)] * 4,
          "%s: Gid %r, want %d" % (what, st.get("Gid"), gid))
    check(st.get("Groups", "x").split() == [],
          "%s: supplementary groups %r, want none" % (what, st.get("Groups")))
    for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        check(st.get(cap) is not None and int(st[cap], 16) == 0,
              "%s: %s %r, want 0" % (what, cap, st.get(cap)))
    check(st.get("NoNewPrivs") == "1", "%s: NoNewPrivs %r" % (what, st.get("NoNewPrivs")))


def test_running_as_nobody(tmp, who):
    what = "capture -Z nobody"
    home = os.path.join(tmp, "nobody")
    os.mkdir(home)
    os.chown(home, who[0], who[1])
    db = os.path.join(home, "z.db")
    pcap = os.path.join(home, "z.pcap")
    proc = subprocess.Popen([HTTPCAP, "capture", "-i", "lo", "-Z", "nobody", "--duration", "3",
                             "-q", "-o", db, "--write-pcap", pcap],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    st = wait_dropped(proc.pid, who[0])
    tasks = thread_status(proc.pid) if st else {}
    out, err = proc.communicate(timeout=20)
    sane(types.SimpleNamespace(stderr=err, returncode=proc.returncode), what)
    print("%s: %s" % (what, ", ".join("%s [%s]" % (k, " ".join(st.get(k, "?").split()))
                                       for k in ("Uid", "Gid", "Groups", "CapEff",
                                                 "NoNewPrivs"))))
    check_unprivileged(st, who, what)
    names = sorted(tst.get("Name", "?") for tst in tasks.values())
    check("httpcap writer" in names and "httpcap ckpt" in names,
          "%s: threads %r (the writer and checkpoint threads too)" % (what, names))
    for t, tst in sorted(tasks.items()):
        check_unprivileged(tst, who, "%s: thread %s" % (what, t))
    check(proc.returncode == 0, "%s: exit %d %r" % (what, proc.returncode, err[:300]))
    finished = sqlite3.connect(db).execute(
        "SELECT count(*) FROM captures WHERE finished_ns IS NOT NULL").fetchone()[0]
    check(finished == 1, "%s: %d finished capture rows" % (what, finished))
    for p in (db, pcap):
        check(os.stat(p).st_uid == who[0], "%s: %s not owned by nobody" % (what, p))


def refused(args, words, what):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, text=True, timeout=20)
    sane(res, what)
    lines = res.stderr.strip().splitlines()
    check(res.returncode == 1 and len(lines) == 1 and lines[0].startswith("httpcap: ")
          and all(w in lines[0] for w in words),
          "%s: exit %d, %r" % (what, res.returncode, res.stderr))


def main():
    skipped = 0
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        pw = None
    if os.geteuid() != 0 or pw is None:
        print("skipped: -Z needs root and a user nobody")
        skipped = 1
    else:
        tmp = tempfile.mkdtemp(prefix="httpcap-privileges-")
        os.chmod(tmp, 0o755)
        try:
            test_running_as_nobody(tmp, (pw.pw_uid, pw.pw_gid))
            db = os.path.join(tmp, "r.db")
            refused(["capture", "-i", "lo", "-q", "--duration", "1", "-Z", "root", "-o", db],
                    ["root", "uid 0"], "-Z root")
            refused(["capture", "-i", "lo", "-q", "--duration", "1", "-Z", "no-such-user-z",
                     "-o", db], ["no-such-user-z", "no such user"], "-Z unknown user")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return report(skipped)


if __name__ == "__main__":
    sys.exit(main())
