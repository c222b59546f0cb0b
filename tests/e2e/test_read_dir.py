#!/usr/bin/env python3
"""test_read_dir.py - `httpcap read DIR` reads the capture files of a directory in natural
name order (cap.pcap, cap.pcap1, ..., cap.pcap10: tcpdump -C), as one capture: a capture
split with `editcap -c` into many files gives the same transactions (v_transactions minus
ids) as the whole one, connections continuing across the files. Dotfiles, subdirectories
and the output database in the directory are skipped; an empty directory and one holding
a file that is not a capture are one-line errors naming it, before anything is stored.
Prints "N passed, N failed[, N skipped]"."""
import os
import shutil
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, ROOT, SAMPLE, check, counts, query, sane

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
GENLOAD = os.path.join(BUILD, "tests", "genload")


def read(args):
    res = subprocess.run([HTTPCAP, "read", "-q"] + args, capture_output=True, text=True)
    sane(res, "read " + " ".join(args))
    return res


def rows(db):
    """v_transactions without its id columns (they differ between runs), sorted."""
    cols = [r[1] for r in query(db, "PRAGMA table_info(v_transactions)")]
    keep = [c for c in cols if c != "id" and not c.endswith("_id")]
    return sorted(query(db, "SELECT %s FROM v_transactions" % ", ".join(keep)), key=repr)


def split(capture, out_dir, per_file, fmt):
    """editcap -c per_file: files named part_00000_<time>.<ext>, in order; their names."""
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run(["editcap", "-c", str(per_file), "-F", fmt, capture,
                    os.path.join(out_dir, "part.cap")], check=True, capture_output=True)
    return sorted(os.listdir(out_dir))


def spans_files(db):
    """Connections whose packets lie in more than one file are what the test is about:
    a connection continued across files is one row of connections, not several."""
    return query(db, "SELECT count(*) FROM connections")[0][0]


def check_same(whole, db, what):
    got, want = rows(db), rows(whole)
    check(len(want) > 0 and got == want,
          "%s: %d transactions, whole capture %d; first difference: %r" %
          (what, len(got), len(want), next((g for g, w in zip(got, want) if g != w), None)))
    check(spans_files(db) == spans_files(whole),
          "%s: %d connections, whole capture %d" % (what, spans_files(db), spans_files(whole)))


def test_sample(tmp):
    """The bundled sample in 3 pcapng files: the same transactions."""
    whole = os.path.join(tmp, "sample.db")
    check(read([SAMPLE, "-o", whole]).returncode == 0, "read the sample")
    d = os.path.join(tmp, "sample")
    names = split(SAMPLE, d, 150, "pcapng")
    check(len(names) == 3, "editcap -c 150 makes 3 files of the sample: %r" % names)
    db = os.path.join(tmp, "sample-dir.db")
    res = read([d, "-o", db])
    check(res.returncode == 0 and res.stderr == "", "read DIR: %r" % res.stderr)
    check_same(whole, db, "sample in 3 files")


def natural_names(tmp, whole_pcap):
    """The capture in >= 11 files named like tcpdump -C: cap.pcap, cap.pcap1, ... where
    plain sorting puts cap.pcap10 before cap.pcap2."""
    d = os.path.join(tmp, "rotated")
    parts = split(whole_pcap, os.path.join(tmp, "parts"), 800, "nsecpcap")
    check(len(parts) >= 11, "genload capture splits into >= 11 files: %d" % len(parts))
    os.makedirs(d)
    names = ["cap.pcap" + (str(i) if i else "") for i in range(len(parts))]
    for part, name in zip(parts, names):
        os.rename(os.path.join(tmp, "parts", part), os.path.join(d, name))
    check(sorted(names) != names, "plain sort would get the order wrong: %r" % sorted(names))
    return d, names


def test_natural_order(tmp):
    whole_pcap = os.path.join(tmp, "load.pcap")
    subprocess.run([GENLOAD, whole_pcap, "--bytes", "3M", "--concurrent", "200", "--seed", "5"],
                   check=True, capture_output=True)
    whole = os.path.join(tmp, "load.db")
    check(read([whole_pcap, "-o", whole]).returncode == 0, "read the whole genload capture")
    d, names = natural_names(tmp, whole_pcap)
    db = os.path.join(tmp, "rotated.db")
    res = read([d, "-o", db])
    check(res.returncode == 0 and res.stderr == "", "read rotated DIR: %r" % res.stderr)
    check_same(whole, db, "genload in %d files, natural order" % len(names))
    source = query(db, "SELECT source FROM captures")[0][0]
    check(source.split(" ")[:3] == [os.path.join(d, n) for n in names[:3]],
          "captures.source lists the files in natural order: %r" % source[:200])

    # the test can fail: the same files in plain sorted order give other transactions
    plain = os.path.join(tmp, "plain.db")
    read([os.path.join(d, n) for n in sorted(names)] + ["-o", plain])
    check(rows(plain) != rows(whole), "plain name order changes the result (test is blind)")

    # what is skipped: dotfiles, subdirectories, the output database itself (run twice)
    shutil.copy(os.path.join(d, names[1]), os.path.join(d, ".hidden.pcap"))
    os.makedirs(os.path.join(d, "sub"))
    shutil.copy(os.path.join(d, names[1]), os.path.join(d, "sub", "cap.pcap"))
    inner = os.path.join(d, "inner.db")
    for run in (1, 2):
        res = read([d + "/", "-o", inner])
        check(res.returncode == 0, "run %d with the database inside DIR: %r" % (run, res.stderr))
    ids = [r[0] for r in query(inner, "SELECT id FROM captures ORDER BY id")]
    check(len(ids) == 2, "two captures in the inner database: %r" % ids)
    got = query(inner, "SELECT count(*) FROM transactions WHERE capture_id = 2")[0][0]
    check(got == len(rows(whole)), "run 2 skipped dotfile, subdirectory and its own database: "
          "%d transactions, want %d" % (got, len(rows(whole))))


def test_errors(tmp):
    empty = os.path.join(tmp, "empty")
    os.makedirs(os.path.join(empty, "subdir"))
    open(os.path.join(empty, ".dotfile.pcap"), "wb").write(open(SAMPLE, "rb").read())
    db = os.path.join(tmp, "err.db")
    res = read([empty, "-o", db])
    check(res.returncode == 1 and res.stderr == "httpcap: %s: no capture files\n" % empty,
          "empty DIR: exit %d, %r" % (res.returncode, res.stderr))
    check(not os.path.exists(db), "empty DIR: no database created")

    stray = os.path.join(tmp, "stray")
    split(SAMPLE, stray, 150, "pcap")
    open(os.path.join(stray, "notes.txt"), "w").write("captured on the proxy, 28 Nov\n")
    res = read([stray, "-o", db])
    want = "httpcap: %s: not a pcap or pcapng capture (bad magic)\n" % os.path.join(stray, "notes.txt")
    check(res.returncode == 1 and res.stderr == want,
          "stray text file: exit %d, %r, want %r" % (res.returncode, res.stderr, want))
    check(not os.path.exists(db), "stray text file: nothing read, no database created")

    res = read([os.path.join(tmp, "missing-dir"), "-o", db])
    check(res.returncode == 1 and "missing-dir: No such file or directory" in res.stderr,
          "a missing path: %r" % res.stderr)


def main():
    if not shutil.which("editcap"):
        print("skipped: editcap (wireshark-common) is not installed")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    tmp = tempfile.mkdtemp()
    try:
        test_sample(tmp)
        test_natural_order(tmp)
        test_errors(tmp)
    finally:
        shutil.rmtree(tmp)
    print("%d passed, %d failed" % (counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
