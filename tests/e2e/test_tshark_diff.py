#!/usr/bin/env python3
"""test_tshark_diff.py - differential test against tshark on ../shared/pcaps.

For every capture tshark can read, each HTTP response tshark reports
(`tshark -r F -Y http.response`) must be a row of v_transactions on the same
connection with the same status code, paired with the same request (method + URI)
when tshark paired one. Responses where httpcap and tshark legitimately differ
(tshark's known faults) are listed with a reason in tests/tshark_differences.txt as
"FILE FRAME reason"; the set of differing frames must equal that list exactly, so a
fix or a regression both show up. One check per capture; prints "N passed, N failed".
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HTTPCAP = os.environ.get("HTTPCAP", "./httpcap")
SHARED = os.environ.get("SHARED", "../shared")
PCAPS = os.path.join(SHARED, "pcaps")
KNOWN = os.path.join(os.path.dirname(__file__), "..", "tshark_differences.txt")

# joins several occurrences of a field; a byte that cannot appear in a URI
AGG = "\x1f"

FIELDS = ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
          "tcp.dstport", "http.response.code", "http.request_in", "tcp.analysis.retransmission"]


def tshark(path, display_filter, fields):
    cmd = ["tshark", "-n", "-r", path, "-Y", display_filter, "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=" + AGG]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if out.returncode != 0 and not out.stdout:
        return None
    return [line.split("\t") for line in out.stdout.splitlines() if line.strip()]


def load_known():
    known = {}
    if not os.path.exists(KNOWN):
        return known
    with open(KNOWN) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            known.setdefault(parts[0], {})[int(parts[1])] = parts[2] if len(parts) > 2 else ""
    return known


def tshark_responses(path):
    rows = tshark(path, "http.response", FIELDS)
    if rows is None:
        return None
    reqs = tshark(path, "http.request", ["frame.number", "http.request.method",
                                         "http.request.uri"]) or []
    req_by_frame = {}
    for r in reqs:
        r += ["", "", ""]
        # a frame holding several requests: tshark's request_in names the frame only
        req_by_frame[int(r[0])] = (r[1].split(AGG)[0], r[2].split(AGG)[0])
    out = []
    for r in rows:
        r += [""] * (len(FIELDS) - len(r))
        if r[9]:
            continue  # tshark reports a response again when its segment is retransmitted
        # tunnels put several IP layers in one frame: the innermost (last) is HTTP's
        frame, ip4s, ip6s, sport, ip4d, ip6d, dport = [x.split(AGG)[-1] for x in r[:7]]
        codes = r[7].split(AGG) if r[7] else []
        req_ins = r[8].split(AGG) if r[8] else []
        # several responses in one frame (pipelining): codes and request_in line up
        for i, code in enumerate(codes):
            req_in = req_ins[i] if i < len(req_ins) else ""
            request = req_by_frame.get(int(req_in)) if req_in else None
            out.append({"frame": int(frame) * 100 + i if i else int(frame),
                        "server": (ip4s or ip6s, int(sport or 0)),
                        "client": (ip4d or ip6d, int(dport or 0)),
                        "status": int(code or 0), "request": request})
    return out


def norm_ip(ip):
    import ipaddress
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


def httpcap_rows(path, db):
    res = subprocess.run([HTTPCAP, "read", "-q", path, "-o", db], capture_output=True, text=True)
    if not os.path.exists(db):
        return None, res.stderr.strip()
    con = sqlite3.connect(db)
    rows = con.execute("SELECT server_ip, server_port, client_ip, client_port, status, method,"
                       " uri, id, flags FROM v_transactions WHERE status IS NOT NULL").fetchall()
    # interim (1xx) responses are not rows of their own: one pseudo-row per code seen
    for r in con.execute("SELECT server_ip, server_port, client_ip, client_port, interim,"
                         " method, uri, id, flags FROM v_transactions WHERE interim <> ''"):
        rows += [r[:4] + (int(code),) + r[5:] for code in r[4].split(",")]
    con.close()
    return rows, res.stderr.strip()


def same_request(row, request):
    """Same method and URI; a URI httpcap cut at its cap (flag uri-cut) matches its prefix."""
    method, uri = row[5], row[6] or ""
    if method != request[0]:
        return False
    if "uri-cut" in (row[8] or "").split(","):
        return request[1].startswith(uri)
    return uri == request[1]


def short(s, n=120):
    s = str(s)
    return s if len(s) <= n else s[:n] + "..."


def compare(responses, rows):
    """Frames of tshark responses with no matching httpcap row (each row used once)."""
    pool = {}
    for r in rows:
        key = (norm_ip(r[0]), r[1], norm_ip(r[2]), r[3], r[4])
        pool.setdefault(key, []).append(r)
    missing = {}
    for resp in responses:
        key = (norm_ip(resp["server"][0]), resp["server"][1], norm_ip(resp["client"][0]),
               resp["client"][1], resp["status"])
        cands = pool.get(key, [])
        match = None
        for c in cands:
            if resp["request"] is None or same_request(c, resp["request"]):
                match = c
                break
        if match is None:
            why = "no row with this connection and status"
            if cands:
                req = resp["request"] or ("", "")
                why = "paired with %s %s, tshark says %s %s" % (
                    cands[0][5], short(cands[0][6]), req[0], short(req[1]))
            missing[resp["frame"]] = why
        else:
            cands.remove(match)
    return missing


def main():
    if not os.path.isdir(PCAPS):
        print("skipped: %s not found" % PCAPS)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    if shutil.which("tshark") is None:
        print("FAILED: tshark is not installed (make test installs it)")
        print("0 passed, 1 failed")
        return 1
    known = load_known()
    passed = failed = 0
    tmp = tempfile.mkdtemp()
    try:
        for name in sorted(os.listdir(PCAPS)):
            if not name.endswith((".pcap", ".pcapng")):
                continue
            path = os.path.join(PCAPS, name)
            responses = tshark_responses(path)
            if responses is None:
                print("tshark cannot read %s: not compared" % name)
                continue
            db = os.path.join(tmp, name + ".db")
            rows, err = httpcap_rows(path, db)
            if rows is None:
                rows = []
            if "Sanitizer" in err or "runtime error" in err or "Traceback" in err:
                failed += 1
                print("FAILED: %s: %s" % (name, short(err, 2000)))
                continue
            missing = compare(responses, rows)
            expected = known.get(name, {})
            if set(missing) == set(expected):
                passed += 1
                print("ok %s: %d tshark responses, %d httpcap rows, %d known differences"
                      % (name, len(responses), len(rows), len(expected)))
            else:
                failed += 1
                print("FAILED: %s: %d tshark responses, %d httpcap rows %s" %
                      (name, len(responses), len(rows), err))
                for frame in sorted(set(missing) - set(expected)):
                    print("FAILED:   %s %d %s" % (name, frame, missing[frame]))
                for frame in sorted(set(expected) - set(missing)):
                    print("FAILED:   %s %d listed as a difference but now matches" % (name, frame))
    finally:
        shutil.rmtree(tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
