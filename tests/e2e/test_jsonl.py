#!/usr/bin/env python3
"""test_jsonl.py - `httpcap read --jsonl` and `capture --jsonl`: every line is valid JSON
(even for wire strings that are not UTF-8) and equals the v_transactions row of the same
transaction key by key, value by value and type by type (floats exactly), and its
violation_list equals that transaction's rows in `violations`; --no-db writes the same
lines and no database; `| head -n 1` ends at once, quietly, with status 0; jq reads the
stream (skipped when jq is not installed); a live capture writes each line as it happens.
Inputs: samples/*.pcap, build/tests/genhostile and geninject captures, and a capture made
here whose strings hold every kind of bad UTF-8. Prints "N passed, N failed[, N skipped]"."""
import glob
import json
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

from testkit import HTTPCAP, ROOT, check, counts, free_port, sane

BUILD = os.environ.get("BUILD", "build")
SANITIZED = "sanitize" in BUILD
skipped = [0]


def skip(why):
    skipped[0] += 1
    print("skipped: " + why)


def run(args, cwd=None, timeout=300):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, cwd=cwd, timeout=timeout)
    sane(res, " ".join(args[:3]))
    return res


# ---- a capture with hostile strings, written here byte by byte ----

def tcp_packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload


# Start times (ns) that test the rounding of `time` to ms and of the *_ms columns: half a
# ms either way, the last ns of a second, the epoch, the last seconds a pcap can hold.
STARTS_NS = [1700000000999500000, 1700000000000000500, 1700000000999999999,
             1700000000000499999, 1700000000123456789, 999500000, (2 ** 32 - 2) * 10 ** 9 + 999500000,
             1700000000000500000, 1234567890987654321, 951782400999999999]

GAPS_NS = [1, 999, 1000000, 123456789, 3, 500001, 1499999]


def write_pcap(path, exchanges):
    """One connection per (request, response) pair, with handshake and FIN; a
    nanosecond pcap whose exchanges start at STARTS_NS in turn. A request given as two
    parts is answered after its first part (a negative ttfb_ms)."""
    out = [struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1)]
    t = 0

    def rec(pkt, step=1234567):
        nonlocal t
        t += step
        out.append(struct.pack("<IIII", t // 10 ** 9, t % 10 ** 9, len(pkt), len(pkt)))
        out.append(pkt)

    for i, (req, resp) in enumerate(exchanges):
        t = STARTS_NS[i % len(STARTS_NS)] - 4 * 1234567  # the request at STARTS_NS[i]
        c, s, cp, sp = "192.0.2.9", "198.51.100.9", 40000 + i, 80
        rest = b""
        if isinstance(req, tuple):
            req, rest = req
        rec(tcp_packet(c, s, cp, sp, 100, 0, 0x02))
        rec(tcp_packet(s, c, sp, cp, 500, 101, 0x12))
        rec(tcp_packet(c, s, cp, sp, 101, 501, 0x10))
        rec(tcp_packet(c, s, cp, sp, 101, 501, 0x18, req))
        if resp:
            rec(tcp_packet(s, c, sp, cp, 501, 101 + len(req), 0x18, resp), GAPS_NS[i % 7])
        if rest:
            rec(tcp_packet(c, s, cp, sp, 101 + len(req), 501 + len(resp), 0x18, rest))
            req += rest
        rec(tcp_packet(c, s, cp, sp, 101 + len(req), 501 + len(resp), 0x11))
        rec(tcp_packet(s, c, sp, cp, 501 + len(resp), 102 + len(req), 0x11))
    with open(path, "wb") as f:
        f.write(b"".join(out))


# Bytes that are not UTF-8 (overlong, surrogate, cut short, past U+10FFFF, lone
# continuation) and valid ones that must pass (or be escaped: bidi, C1, DEL).
BAD = [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf0\x9f\x98",
       b"\xf4\x90\x80\x80", b"\xff\xfe", b"\x80\xbf", b"\xf8\x88\x80\x80\x80", b"\xc3",
       b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xe2\x80\xae", b"\xc2\x85", b"\x7f",
       b"\xef\xbb\xbf", b"\\\"", b"</script>"]


def hostile_exchanges():
    ex = []
    for i, b in enumerate(BAD):
        uri = b"/p" + b.replace(b" ", b"") + b"?q=" + b
        req = (b"GET " + uri + b" HTTP/1.1\r\nHost: h" + b + b".example\r\nUser-Agent: ua" + b +
               b"\r\nX-Request-ID: r" + b + b"\r\n\r\n")
        body = b"x" * i
        resp = (b"HTTP/1.1 %d R" % (200 + i % 3 * 100 + i) + b + b"\r\nServer: s" + b +
                b"\r\nContent-Type: t/" + b + b"\r\nLocation: /l" + b +
                b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        ex.append((req, resp))
    ex.append((b"GET /unanswered HTTP/1.0\r\n\r\n", b""))
    ex.append(((b"PUT /early HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab", b"cd"),
               b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n"))
    ex.append((b"POST /pipelined HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
               b"GET /two HTTP/1.1\r\nHost: a\r\n\r\n",
               b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
               b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n"))
    return ex


# ---- comparing the stream with the database ----

def query_all(db, sql):
    con = sqlite3.connect(db)
    rows = con.execute(sql).fetchall()
    con.close()
    return rows


def db_rows(db):
    """v_transactions as {id: (columns, row)} and violations as {id: [dict]}, text decoded
    as the stream decodes it (bad bytes to U+FFFD, per maximal subpart)."""
    con = sqlite3.connect(db)
    con.text_factory = lambda b: b.decode("utf-8", "replace")
    cur = con.execute("SELECT * FROM v_transactions ORDER BY id")
    cols = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}
    viol = {}
    for tid, rule, sev, detail in con.execute(
            "SELECT transaction_id, rule, severity, detail FROM violations ORDER BY id"):
        viol.setdefault(tid, []).append({"rule": rule, "severity": sev, "detail": detail})
    con.close()
    return cols, rows, viol


def parse_lines(data, what):
    """The stream's objects; every line must be UTF-8 and JSON."""
    objs = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, "%s: stream is not UTF-8: %s" % (what, e))
        return objs
    check(text == "" or text.endswith("\n"), "%s: last line unterminated" % what)
    for n, line in enumerate(text.splitlines(), 1):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            check(False, "%s: line %d is not JSON: %s: %r" % (what, n, e, line[:200]))
    return objs


def same_value(a, b):
    return type(a) is type(b) and a == b


def compare(objs, db, what, ids=None):
    """Each object against its v_transactions row and violations rows."""
    cols, rows, viol = db_rows(db)
    want_ids = sorted(rows) if ids is None else ids
    check([o.get("id") for o in objs] == want_ids,
          "%s: stream ids %s.. differ from the database's %s.." %
          (what, [o.get("id") for o in objs][:8], want_ids[:8]))
    bad = 0
    for o in objs:
        row = rows.get(o.get("id"))
        if row is None:
            continue
        keys = [k for k in o if k != "violation_list"]
        if keys != cols:
            bad += 1
            check(False, "%s: id %s: keys %s != columns %s" % (what, o["id"], keys, cols))
            continue
        for k in cols:
            if not same_value(o[k], row[k]):
                bad += 1
                check(False, "%s: id %s: %s: stream %r (%s) != db %r (%s)" %
                      (what, o["id"], k, o[k], type(o[k]).__name__, row[k],
                       type(row[k]).__name__))
        if o.get("violation_list") != viol.get(o["id"], []):
            bad += 1
            check(False, "%s: id %s: violation_list %r != %r" %
                  (what, o["id"], o.get("violation_list"), viol.get(o["id"], [])))
    check(bad == 0 and objs, "%s: %d lines all equal to v_transactions" % (what, len(objs)))


# ---- the cases ----

def inputs(tmp):
    """(name, pcap) for every capture this test reads."""
    out = [(os.path.basename(p), p) for p in sorted(glob.glob(os.path.join(ROOT, "samples",
                                                                           "*.pcap")))]
    for tool, name in (("genhostile", "hostile.pcap"), ("geninject", "inject.pcap")):
        gen = subprocess.run([os.path.join(ROOT, BUILD, "tests", tool), tmp],
                             capture_output=True)
        check(gen.returncode == 0, "%s: %r" % (tool, gen.stderr))
        out.append((name, os.path.join(tmp, name)))
    bad = os.path.join(tmp, "badutf8.pcap")
    write_pcap(bad, hostile_exchanges())
    out.append(("badutf8.pcap", bad))
    return out


def test_equal_to_db(tmp, name, pcap):
    db = os.path.join(tmp, name + ".db")
    out = os.path.join(tmp, name + ".jsonl")
    res = run(["read", pcap, "-o", db, "--jsonl", out, "-q"])
    check(res.returncode == 0, "%s: read exit %d: %r" % (name, res.returncode, res.stderr))
    with open(out, "rb") as f:
        data = f.read()
    compare(parse_lines(data, name), db, name)
    return db, data


def test_appending(tmp, name, pcap, db):
    """A second read into the same database: ids go on, capture_id 2, still equal."""
    before = set(db_rows(db)[1])
    out = os.path.join(tmp, name + ".2.jsonl")
    res = run(["read", pcap, "-o", db, "--jsonl", out, "-q"])
    check(res.returncode == 0, "%s: second read: %r" % (name, res.stderr))
    with open(out, "rb") as f:
        objs = parse_lines(f.read(), name + " (appended)")
    new_ids = sorted(set(db_rows(db)[1]) - before)
    compare(objs, db, name + " (appended)", new_ids)
    check(all(o["capture_id"] == 2 for o in objs), "%s: appended capture_id != 2" % name)


def test_no_db(tmp, name, pcap, want):
    """--no-db: the same bytes as with a new database, and no database file at all."""
    d = os.path.join(tmp, name + ".nodb")
    os.mkdir(d)
    res = run(["read", pcap, "--no-db", "--jsonl", "-", "-q"], cwd=d)
    check(res.returncode == 0, "%s: --no-db exit %d: %r" % (name, res.returncode, res.stderr))
    check(res.stdout == want, "%s: --no-db --jsonl - differs from -o new.db --jsonl FILE" % name)
    check(os.listdir(d) == [], "%s: --no-db left files: %s" % (name, os.listdir(d)))


def test_jq(tmp, path):
    if not shutil.which("jq"):
        skip("jq not installed: jq reading the stream")
        return
    with open(path, "rb") as f:
        res = subprocess.run(["jq", "-c", "[.id, .status, .uri, (.violation_list | length)]"],
                             stdin=f, capture_output=True)
    with open(path, "rb") as f:
        n = sum(1 for _ in f)
    check(res.returncode == 0 and res.stdout.count(b"\n") == n,
          "jq: exit %d, %d of %d lines: %r" % (res.returncode, res.stdout.count(b"\n"), n,
                                                res.stderr[:300]))


def test_usage(tmp):
    pcap = os.path.join(ROOT, "samples", "loopback-mixed.pcap")
    res = run(["read", pcap, "--no-db"], cwd=tmp)
    check(res.returncode == 2 and b"--jsonl" in res.stderr, "--no-db alone: %r" % res.stderr)
    res = run(["read", pcap, "--no-db", "--jsonl", "-", "-o", "x.db"], cwd=tmp)
    check(res.returncode == 2 and not os.path.exists(os.path.join(tmp, "x.db")),
          "--no-db with -o: exit %d" % res.returncode)
    res = run(["read", pcap, "-o", os.path.join(tmp, "u.db"), "--jsonl", "/nonexistent/x"])
    err = res.stderr.decode(errors="replace")
    check(res.returncode == 1 and err.startswith("httpcap: /nonexistent/x: cannot write") and
          query_all(os.path.join(tmp, "u.db"), "SELECT count(*) FROM captures") == [(0,)],
          "--jsonl into a missing directory: exit %d: %r" % (res.returncode, err))
    if os.path.exists("/dev/full"):
        res = run(["read", pcap, "--no-db", "--jsonl", "/dev/full"])
        err = res.stderr.decode(errors="replace")
        check(res.returncode == 1 and "write failed" in err and err.count("\n") == 1,
              "--jsonl /dev/full: exit %d: %r" % (res.returncode, err))


def big_capture(tmp):
    gen = os.path.join(ROOT, BUILD, "tests", "genload")
    path = os.path.join(tmp, "big.pcap")
    mb = 20 if SANITIZED else 60
    res = subprocess.run([gen, path, "--bytes", str(mb * 1000000), "--concurrent", "100",
                          "--seed", "3"], capture_output=True)
    check(res.returncode == 0, "genload: %r" % res.stderr)
    return path


def head_one(args, cwd):
    """httpcap ARGS | head -n 1: the first line, httpcap's status, stderr, seconds."""
    t0 = time.monotonic()
    p = subprocess.Popen([HTTPCAP] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=cwd)
    first = p.stdout.readline()
    p.stdout.close()  # what head does after its line
    try:
        err = p.stderr.read()
        p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return first, None, b"hang", time.monotonic() - t0
    return first, p.returncode, err, time.monotonic() - t0


def test_head(tmp, big):
    t0 = time.monotonic()
    full = run(["read", big, "--no-db", "--jsonl", os.devnull, "-q"])
    whole_s = time.monotonic() - t0
    check(full.returncode == 0, "big read: %r" % full.stderr)
    first, rc, err, secs = head_one(["read", big, "--no-db", "--jsonl", "-", "-q"], tmp)
    check(first.startswith(b'{"id":1,'), "| head -n 1 (--no-db): first line %r" % first[:80])
    check(rc == 0 and err == b"", "| head -n 1 (--no-db): exit %s, stderr %r" % (rc, err))
    check(secs < max(1.0, whole_s / 3),
          "| head -n 1 took %.2f s, the whole read %.2f s" % (secs, whole_s))
    db = os.path.join(tmp, "head.db")
    first, rc, err, secs = head_one(["read", big, "-o", db, "--jsonl", "-"], tmp)
    check(first.startswith(b'{"id":1,') and rc == 0,
          "| head -n 1 (with a database): exit %s: %r" % (rc, err))
    check(b"rror" not in err and b"Broken pipe" not in err, "| head -n 1: stderr %r" % err)
    con = sqlite3.connect(db)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    cap = con.execute("SELECT finished_ns IS NOT NULL, error FROM captures").fetchall()
    con.close()
    check(ok == "ok" and len(cap) == 1 and cap[0][0] == 1 and "went away" in (cap[0][1] or ""),
          "| head -n 1: database %s, capture row %r" % (ok, cap))


# ---- live capture: lines come as they happen ----

def serve_once(port, ready):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    ready.set()
    srv.settimeout(30)
    try:
        for _ in range(2):
            conn, _ = srv.accept()
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 204 No Content\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
                         b"Connection: close\r\n\r\n")
            conn.close()
    except OSError:
        pass
    srv.close()


def get(port, path):
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    while c.recv(4096):
        pass
    c.close()


def read_line(p, timeout):
    """One line from p.stdout within timeout seconds, or None."""
    got = []
    t = threading.Thread(target=lambda: got.append(p.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return got[0] if got else None


def test_capture_live(tmp):
    if os.geteuid() != 0:
        skip("not root: capture --jsonl on lo")
        return
    port = free_port()
    ready = threading.Event()
    threading.Thread(target=serve_once, args=(port, ready), daemon=True).start()
    ready.wait(5)
    p = subprocess.Popen([HTTPCAP, "capture", "-i", "lo", "-f", "tcp port %d" % port,
                          "--no-db", "--jsonl", "-", "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5 if not SANITIZED else 4)
    get(port, b"/live-one")
    line = read_line(p, 10)
    check(line is not None and b'"/live-one"' in line,
          "capture --jsonl -: no line within 10 s of the exchange: %r" % line)
    get(port, b"/live-two")
    line = read_line(p, 10)
    check(line is not None and b'"/live-two"' in line, "capture: second line: %r" % line)
    p.send_signal(2)
    try:
        rest, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, err = p.communicate()
    check(p.returncode == 0 and b"Sanitizer" not in err and b"runtime error" not in err,
          "capture --jsonl: exit %d: %r" % (p.returncode, err[:500]))
    if line:
        obj = json.loads(line)
        check(obj["status"] == 204 and obj["server_port"] == port and obj["id"] == 2,
              "capture: line %r" % line[:200])
    db = os.path.join(tmp, "cap.db")
    res = run(["capture", "-i", "lo", "-o", db, "--jsonl", "/nonexistent/x", "--duration",
               "1"])
    check(res.returncode == 1 and query_all(db, "SELECT count(*) FROM captures") == [(0,)],
          "capture --jsonl into a missing directory: exit %d, no capture row: %r" %
          (res.returncode, res.stderr))


def main():
    tmp = tempfile.mkdtemp(prefix="httpcap-jsonl-")
    try:
        for name, pcap in inputs(tmp):
            db, data = test_equal_to_db(tmp, name, pcap)
            test_no_db(tmp, name, pcap, data)
            if name == "badutf8.pcap":
                test_appending(tmp, name, pcap, db)
                test_jq(tmp, os.path.join(tmp, name + ".jsonl"))
        test_usage(tmp)
        test_head(tmp, big_capture(tmp))
        test_capture_live(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed, %d skipped" % (counts["passed"], counts["failed"], skipped[0]))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
