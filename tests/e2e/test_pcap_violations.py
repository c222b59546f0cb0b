#!/usr/bin/env python3
"""test_pcap_violations.py - the rule violations httpcap finds in ../shared/pcaps,
per capture and rule, must equal the reviewed list in tests/pcap_violations.txt, so a
change in what fires shows up (either way). A rule that fires on more than half of a
capture's transactions must have a "review" line in that file saying why it is not a
false positive. `python3 tests/e2e/test_pcap_violations.py --update` rewrites the counts
(keeping the review lines) after a change has been reviewed.
Prints "N passed, N failed" (one check per capture, one per busy rule)."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, ROOT, SHARED, check, report

PCAPS = os.path.join(SHARED, "pcaps")
LIST = os.path.join(ROOT, "tests", "pcap_violations.txt")
HEADER = """\
# Rule violations httpcap finds in the shared captures: FILE RULE COUNT, one line each.
# Checked by tests/e2e/test_pcap_violations.py; regenerate with its --update after a
# reviewed change (review and spot-check lines are kept). Lines "review FILE RULE: why"
# record the review of a rule that fires on more than half of a capture's transactions
# (a false-positive suspect); "# spot-check" lines, one hit per rule checked by hand
# against the raw bytes.
"""


def load():
    counts, reviews, notes = {}, {}, []
    if os.path.exists(LIST):
        for line in open(LIST):
            line = line.rstrip("\n")
            if line.startswith("# spot-check"):
                notes.append(line)
            if not line or line.startswith("#"):
                continue
            if line.startswith("review "):
                key, why = line[7:].split(":", 1)
                f, rule = key.split()
                reviews[(f, rule)] = why.strip()
                continue
            f, rule, n = line.split()
            counts.setdefault(f, {})[rule] = int(n)
    return counts, reviews, notes


def measure(tmp, name):
    db = os.path.join(tmp, name + ".db")
    subprocess.run([HTTPCAP, "read", "-q", os.path.join(PCAPS, name), "-o", db],
                   capture_output=True)
    if not os.path.exists(db):
        return {}, 0
    con = sqlite3.connect(db)
    per_rule = dict(con.execute("SELECT rule, count(*) FROM violations GROUP BY rule"))
    per_txn = dict(con.execute("SELECT rule, count(DISTINCT transaction_id) FROM violations"
                               " GROUP BY rule"))
    total = con.execute("SELECT count(*) FROM transactions").fetchone()[0]
    con.close()
    return per_rule, {r: n / total for r, n in per_txn.items()} if total else {}


def main():
    update = "--update" in sys.argv
    if not os.path.isdir(PCAPS):
        print("skipped: %s not found" % PCAPS)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    counts, reviews, notes = load()
    tmp = tempfile.mkdtemp()
    found, busy = {}, []
    try:
        for name in sorted(os.listdir(PCAPS)):
            if name.endswith((".pcap", ".pcapng")):
                found[name], share = measure(tmp, name)
                busy += [(name, r) for r, s in share.items() if s > 0.5]
    finally:
        shutil.rmtree(tmp)
    if update:
        with open(LIST, "w") as f:
            f.write(HEADER)
            for name in sorted(found):
                for rule in sorted(found[name]):
                    f.write("%s %s %d\n" % (name, rule, found[name][rule]))
            for key in sorted(set(reviews) | set(busy)):
                f.write("review %s %s: %s\n" % (key[0], key[1], reviews.get(key, "TODO")))
            for note in notes:
                f.write(note + "\n")
        print("wrote %s" % LIST)
    for name in sorted(found):
        want = counts.get(name, {})
        check(found[name] == want, "%s: found %s, listed %s" % (name, found[name], want))
    for key in busy:
        why = reviews.get(key, "")
        check(why and why != "TODO",
              "%s: rule %s fires on more than half of the transactions: add a review line"
              % key)
    return report()


if __name__ == "__main__":
    sys.exit(main())
