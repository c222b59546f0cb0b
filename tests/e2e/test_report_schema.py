#!/usr/bin/env python3
"""test_report_schema.py - every JSON report validates against tests/report.schema.json
(JSON Schema draft 2020-12, via python3-jsonschema): the bundled sample, the sample with
filters (--host, --since/--until, an empty window), two databases reported together, and
the hand-built hostile report of the unit test (when $BUILD/tests/test_render_text is
built). The schema is strict: a renamed, extra or missing key in any object, or a wrong
type, fails validation. Env: HTTPCAP, BUILD. Prints "N passed, N failed"."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

from testkit import ROOT, SAMPLE, check, report
from testkit import run_utc as run

SCHEMA = os.path.join(ROOT, "tests", "report.schema.json")
BUILD = os.environ.get("BUILD", "build")
UNIT = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD), "tests",
                    "test_render_text")

try:
    import jsonschema
except ImportError:
    jsonschema = None


def errors(validator, doc):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:160])
            for e in validator.iter_errors(doc)]


def valid(validator, what, doc):
    errs = errors(validator, doc)
    check(not errs, "%s does not match the schema: %s" % (what, errs[:5]))


def report_doc(args, what):
    res = run(["report"] + args + ["--format", "json"])
    check(res.returncode == 0, "%s: exit %d: %s" % (what, res.returncode, res.stderr[:300]))
    try:
        return json.loads(res.stdout.decode("utf-8"))
    except ValueError as e:
        check(False, "%s: JSON does not parse: %s" % (what, e))
        return None


def objects(doc, path=()):
    """Every object in doc with its path."""
    if isinstance(doc, dict):
        yield path, doc
        for k, v in doc.items():
            yield from objects(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from objects(v, path + (i,))


def check_strict(validator, doc):
    """Renaming, adding or dropping a key anywhere, or changing a type, must fail."""
    seen = set()
    for path, obj in list(objects(doc)):
        shape = tuple("*" if isinstance(p, int) else p for p in path)
        if not obj or shape in seen:
            continue  # one object of each kind is enough
        seen.add(shape)
        key = sorted(obj)[0]
        for how in ("rename", "extra", "drop"):
            bad = copy.deepcopy(doc)
            target = bad
            for p in path:
                target = target[p]
            if how == "rename":
                target[key + "_x"] = target.pop(key)
            elif how == "extra":
                target["unexpected"] = 1
            else:
                del target[key]
            check(errors(validator, bad), "schema accepts a %s of %r at %s" % (how, key, path))
    bad = copy.deepcopy(doc)
    bad["capture"]["packets"] = "12"
    check(errors(validator, bad), "schema accepts a string count")
    bad = copy.deepcopy(doc)
    bad["classes"].pop()
    check(errors(validator, bad), "schema accepts 6 classes")


def main():
    if jsonschema is None:
        print("python3-jsonschema is missing (apt-get install python3-jsonschema)")
        check(False, "import jsonschema")
        return report()
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    tmp = tempfile.mkdtemp(prefix="httpcap-schema-")
    try:
        db = os.path.join(tmp, "s.db")
        res = run(["read", "-q", SAMPLE, "-o", db])
        check(res.returncode == 0, "read sample: %s" % res.stderr[:300])
        doc = report_doc([db], "sample")
        if doc is None:
            return report()
        valid(validator, "sample", doc)
        check_strict(validator, doc)
        hosts = [l["key"] for l in doc["latency"] if l["scope"] == "host" and l["key"]]
        if hosts:
            d = report_doc([db, "--host", hosts[0]], "--host")
            if d:
                valid(validator, "--host %s" % hosts[0], d)
                check(d["filter"] is not None, "--host: filter text")
                check(d["capture"]["reported"] <= doc["capture"]["reported"],
                      "--host reports fewer transactions")
        first = doc["capture"]["first_packet_ns"] // 10**9
        d = report_doc([db, "--since", str(first), "--until", str(first + 1)], "--since/--until")
        if d:
            valid(validator, "--since/--until", d)
        d = report_doc([db, "--since", "2000-01-01", "--until", "2000-01-02"], "empty window")
        if d:
            valid(validator, "empty window", d)
            check(d["capture"]["reported"] == 0 and d["slowest"] == [] and
                  d["series"]["buckets"] == [], "empty window: nothing reported")
        db2 = os.path.join(tmp, "t.db")
        shutil.copy(db, db2)
        d = report_doc([db, db2], "two databases")
        if d:
            valid(validator, "two databases", d)
            check(d["databases"] == 2, "two databases counted")
            check(d["capture"]["reported"] == 2 * doc["capture"]["reported"],
                  "two databases: both reported")
        if os.access(UNIT, os.X_OK):
            out = subprocess.run([UNIT, tmp], capture_output=True)
            check(out.returncode == 0, "unit renderer test: %s" % out.stderr[-500:])
            for name in ("hostile.json", "empty.json"):
                with open(os.path.join(tmp, name), "rb") as f:
                    valid(validator, name, json.loads(f.read().decode("utf-8")))
    finally:
        shutil.rmtree(tmp)
    return report()


if __name__ == "__main__":
    sys.exit(main())
