"""pgkit.py - what the PostgreSQL end-to-end tests (test_pg_*.py) share: the throwaway
cluster tests/run.sh starts with tests/pg_cluster.sh (its directory in HTTPCAP_TEST_PG),
a fresh database per test, psql queries, and "skipped" when there is no cluster."""
import os
import subprocess

from testkit import ROOT

CLUSTER = os.path.join(ROOT, "tests", "pg_cluster.sh")
# psql's separators and NULL: byte pairs no wire string holds (they are all C0 controls)
FIELD, RECORD, NULL = "\x1c\x1f", "\x1d\x1e", "\x02\x03"


def cluster():
    """The cluster's settings (PGHOST, PGPORT, PGUSER, PGPASSFILE, PG_BIN, ...) from the
    env file of $HTTPCAP_TEST_PG, or None when tests/run.sh started none."""
    d = os.environ.get("HTTPCAP_TEST_PG")
    if not d or not os.path.isfile(os.path.join(d, "env")):
        return None
    env = {"PG_DIR": d}
    with open(os.path.join(d, "env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v
    with open(os.path.join(d, "password")) as f:
        env["PASSWORD"] = f.read().strip()
    return env


def skip_all(why):
    print("skipped: " + why)
    print("0 passed, 0 failed, 1 skipped")
    return 0


def client_env(c, extra=None):
    """The environment of a client of the cluster: the password from its .pgpass file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"PGHOST": c["PGHOST"], "PGPORT": c["PGPORT"], "PGUSER": c["PGUSER"],
                "PGPASSFILE": c["PGPASSFILE"], "TZ": "UTC", "LC_ALL": "C"})
    env.update(extra or {})
    return env


def url(c, db, password=None):
    user = c["PGUSER"] + (":" + password if password else "")
    return "postgresql://%s@%s:%s/%s" % (user, c["PGHOST"], c["PGPORT"], db)


def psql(c, db, sql):
    """Rows of sql on database db as lists of strings (NULL as None)."""
    res = subprocess.run([os.path.join(c["PG_BIN"], "psql"), "-X", "-q", "-A", "-t", "-F",
                          FIELD, "-R", RECORD, "-P", "null=" + NULL, "-v", "ON_ERROR_STOP=1",
                          "-d", db, "-c", sql], capture_output=True, env=client_env(c))
    if res.returncode != 0:
        raise RuntimeError("psql %s: %s" % (sql[:80], res.stderr.decode(errors="replace")))
    out = res.stdout.decode("utf-8", errors="surrogateescape").rstrip("\n")
    return [[None if v == NULL else v for v in rec.split(FIELD)]
            for rec in out.split(RECORD) if rec]


def new_database(c, name):
    """A fresh, empty database named name (dropped first if it exists)."""
    psql(c, "httpcap", "DROP DATABASE IF EXISTS %s" % name)
    psql(c, "httpcap", "CREATE DATABASE %s" % name)
    return url(c, name)


def server(c, action):
    """pause (pg_ctl stop -m fast) or resume the cluster's server."""
    res = subprocess.run(["sh", CLUSTER, action, c["PG_DIR"]], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("pg_cluster.sh %s: %s" % (action, res.stderr))
